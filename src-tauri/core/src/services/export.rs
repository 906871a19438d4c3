//! Exporting a query's results to a file the save dialog chose: canonical
//! Extended JSON (one array, or one document per line) or CSV with dotted
//! columns. Streamed through one cursor, with progress and cancel; written
//! to a new 0600 file that takes the chosen name only once complete, so a
//! failure or a cancel leaves nothing behind. `users` never gives its
//! password hash, and secrets are redacted as everywhere else.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use mongodb::bson::{Bson, Document};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::db::browser::Browser;
use crate::db::connection::Connection;
use crate::db::query::{Query, QueryInput};
use crate::redact::document_text;
use crate::save_path::{PartialFile, SavePath};
use crate::schema::PlatformDatabase;
use crate::services::documents::parse_document;
use crate::{csv, Error, Result};

/// Largest export: past it, narrow the filter.
pub const MAX_EXPORT_DOCUMENTS: u32 = 1_000_000;
/// Documents between two progress messages.
const PROGRESS_EVERY: u32 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// One JSON array of canonical Extended JSON documents.
    Json,
    /// One canonical Extended JSON document per line.
    JsonLines,
    /// One row per document, a column per dotted field path.
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::JsonLines => "jsonl",
            ExportFormat::Csv => "csv",
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct QueryExportProgress {
    pub documents: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct QueryExportReport {
    pub path: String,
    pub documents: u32,
    /// Stopped by the user: no file was written.
    pub cancelled: bool,
}

/// A CSV row's cells by dotted path, and the paths in first-seen order.
#[derive(Default)]
struct Columns {
    order: Vec<String>,
    index: HashMap<String, usize>,
}

impl Columns {
    fn add(&mut self, path: &str) -> usize {
        if let Some(i) = self.index.get(path) {
            return *i;
        }
        self.order.push(path.to_string());
        self.index.insert(path.to_string(), self.order.len() - 1);
        self.order.len() - 1
    }
}

/// One value as a CSV cell: numbers as numbers, ids as hex, dates as ISO
/// text, arrays and other types as their canonical Extended JSON.
fn cell(value: &Bson) -> String {
    match value {
        Bson::String(s) => csv::text(s),
        Bson::Int32(n) => csv::number(&n.to_string()),
        Bson::Int64(n) => csv::number(&n.to_string()),
        Bson::Double(n) => csv::number(&n.to_string()),
        Bson::Decimal128(d) => csv::number(&d.to_string()),
        Bson::Boolean(b) => b.to_string(),
        Bson::Null => String::new(),
        Bson::ObjectId(o) => o.to_hex(),
        Bson::DateTime(d) => csv::text(
            &d.try_to_rfc3339_string()
                .unwrap_or_else(|_| d.timestamp_millis().to_string()),
        ),
        other => csv::text(&other.clone().into_canonical_extjson().to_string()),
    }
}

/// A document's cells by dotted path; subdocuments open into columns.
fn flatten(prefix: &str, d: &Document, columns: &mut Columns, row: &mut Vec<(usize, String)>) {
    for (key, value) in d {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Bson::Document(inner) if !inner.is_empty() => flatten(&path, inner, columns, row),
            other => row.push((columns.add(&path), cell(other))),
        }
    }
}

/// What to export: a query on one collection, and the file's format.
pub struct QueryExport<'a> {
    pub database: PlatformDatabase,
    pub collection: &'a str,
    pub query: &'a QueryInput,
    pub format: ExportFormat,
}

pub async fn export_query(
    conn: &Connection,
    what: &QueryExport<'_>,
    path: &SavePath,
    cancel: &AtomicBool,
    mut progress: impl FnMut(QueryExportProgress),
) -> Result<QueryExportReport> {
    let format = what.format;
    let query = Query::parse(what.query)?;
    let file = path.partial(format.extension(), "this export")?;
    // CSV needs every column before the first row: the documents go to a
    // scratch file first, their columns gathered on the way.
    let scratch = match format {
        ExportFormat::Csv => Some(file.scratch()?),
        _ => None,
    };
    let target = scratch.as_ref().unwrap_or(&file);
    let mut out = std::io::BufWriter::new(target.file()?);
    if format == ExportFormat::Json {
        out.write_all(b"[").map_err(Error::storage)?;
    }
    let mut written: u32 = 0;
    let mut too_many = false;
    Browser::new(conn)
        .for_each(what.database, what.collection, query, |d| {
            if cancel.load(Ordering::Relaxed) {
                return Ok(false);
            }
            if written == MAX_EXPORT_DOCUMENTS {
                too_many = true;
                return Ok(false);
            }
            let separator = match (format, written) {
                (ExportFormat::Json, 0) => "\n",
                (ExportFormat::Json, _) => ",\n",
                _ => "",
            };
            let line_end = if format == ExportFormat::Json {
                ""
            } else {
                "\n"
            };
            write!(out, "{separator}{}{line_end}", document_text(d)).map_err(Error::storage)?;
            written += 1;
            if written.is_multiple_of(PROGRESS_EVERY) {
                progress(QueryExportProgress { documents: written });
            }
            Ok(true)
        })
        .await?;
    if too_many {
        return Err(Error::invalid(
            "filter",
            format!("matches more than {MAX_EXPORT_DOCUMENTS} documents: narrow it to export"),
        ));
    }
    let report = |cancelled| QueryExportReport {
        path: file.target().to_string_lossy().into_owned(),
        documents: written,
        cancelled,
    };
    if cancel.load(Ordering::Relaxed) {
        return Ok(report(true)); // dropping the files removes them
    }
    if format == ExportFormat::Json {
        out.write_all(b"\n]\n").map_err(Error::storage)?;
    }
    out.flush().map_err(Error::storage)?;
    drop(out);
    if let Some(scratch) = &scratch {
        write_csv(scratch, &file)?;
    }
    progress(QueryExportProgress { documents: written });
    let done = report(false);
    file.keep()?;
    Ok(done)
}

/// Two passes over the scratch file: the columns, then the rows.
fn write_csv(scratch: &PartialFile, file: &PartialFile) -> Result<()> {
    let lines = || -> Result<_> {
        Ok(std::io::BufReader::new(scratch.read()?)
            .lines()
            .map(|l| l.map_err(Error::storage)))
    };
    let mut columns = Columns::default();
    let mut row = Vec::new();
    for line in lines()? {
        row.clear();
        flatten(
            "",
            &parse_document("export", &line?)?,
            &mut columns,
            &mut row,
        );
    }
    let mut out = std::io::BufWriter::new(file.file()?);
    let header: Vec<String> = columns.order.iter().map(|c| csv::text(c)).collect();
    writeln!(out, "{}", header.join(",")).map_err(Error::storage)?;
    let mut cells = vec![String::new(); columns.order.len()];
    for line in lines()? {
        row.clear();
        flatten(
            "",
            &parse_document("export", &line?)?,
            &mut columns,
            &mut row,
        );
        cells.iter_mut().for_each(String::clear);
        for (i, text) in row.drain(..) {
            cells[i] = text;
        }
        writeln!(out, "{}", cells.join(",")).map_err(Error::storage)?;
    }
    out.flush().map_err(Error::storage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, oid::ObjectId, DateTime};

    #[test]
    fn documents_become_rows_of_dotted_columns() {
        let mut columns = Columns::default();
        let mut row = Vec::new();
        let id = ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap();
        flatten(
            "",
            &doc! {
                "_id": id, "name": "=cmd", "n": -2_i64, "score": 1.5,
                "address": { "city": "Lyon", "geo": { "lat": 45.7 } },
                "tags": ["a", "b"], "at": DateTime::from_millis(0), "none": Bson::Null, "empty": {},
            },
            &mut columns,
            &mut row,
        );
        assert_eq!(
            columns.order,
            vec![
                "_id",
                "name",
                "n",
                "score",
                "address.city",
                "address.geo.lat",
                "tags",
                "at",
                "none",
                "empty"
            ]
        );
        let cells: Vec<&str> = row.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(
            cells,
            vec![
                "65a1b2c3d4e5f60718293a4b",
                "'=cmd",
                "-2",
                "1.5",
                "Lyon",
                "45.7",
                "\"[\"\"a\"\",\"\"b\"\"]\"",
                "1970-01-01T00:00:00Z",
                "",
                "{}"
            ]
        );
    }
}
