//! Writing an export to the file the save dialog chose: canonical Extended
//! JSON (one array, or one document per line) or CSV with dotted columns.
//! Entries are streamed in as they are read, with progress and cancel; the
//! file is new, 0600, and takes the chosen name only once complete, so a
//! failure or a cancel leaves nothing behind. What is exported, and from
//! where, is `services::table_export`'s business.

use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use mongodb::bson::{Bson, Document};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::redact::document_text;
use crate::save_path::{PartialFile, SavePath};
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
pub struct TableExportProgress {
    pub documents: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TableExportReport {
    pub path: String,
    pub documents: u32,
    /// Stopped by the user: no file was written.
    pub cancelled: bool,
}

/// An export being written: entries go in one at a time, and the file
/// takes its name only in [`ExportFile::finish`]; dropped unfinished, it
/// leaves nothing behind.
pub struct ExportFile<'a, P> {
    format: ExportFormat,
    file: PartialFile,
    /// CSV needs every column before the first row: the entries go to a
    /// scratch file first, and become rows in `finish`.
    scratch: Option<PartialFile>,
    out: BufWriter<std::fs::File>,
    written: u32,
    too_many: bool,
    cancel: &'a AtomicBool,
    progress: P,
}

impl<'a, P: FnMut(TableExportProgress)> ExportFile<'a, P> {
    pub fn create(
        path: &SavePath,
        format: ExportFormat,
        cancel: &'a AtomicBool,
        progress: P,
    ) -> Result<Self> {
        let file = path.partial(format.extension(), "this export")?;
        let scratch = match format {
            ExportFormat::Csv => Some(file.scratch()?),
            _ => None,
        };
        let mut out = BufWriter::new(scratch.as_ref().unwrap_or(&file).file()?);
        if format == ExportFormat::Json {
            out.write_all(b"[").map_err(Error::storage)?;
        }
        Ok(ExportFile {
            format,
            file,
            scratch,
            out,
            written: 0,
            too_many: false,
            cancel,
            progress,
        })
    }

    /// Where the file goes once finished.
    pub fn target(&self) -> String {
        self.file.target().to_string_lossy().into_owned()
    }

    /// Adds a document (redacted, as canonical Extended JSON); `false`
    /// once the export should stop reading (cancelled, or too many).
    pub fn document(&mut self, d: Document) -> Result<bool> {
        if self.cancel.load(Ordering::Relaxed) {
            return Ok(false);
        }
        if self.written == MAX_EXPORT_DOCUMENTS {
            self.too_many = true;
            return Ok(false);
        }
        let (separator, line_end) = match (self.format, self.written) {
            (ExportFormat::Json, 0) => ("\n", ""),
            (ExportFormat::Json, _) => (",\n", ""),
            _ => ("", "\n"),
        };
        let json = document_text(d);
        write!(self.out, "{separator}{json}{line_end}").map_err(Error::storage)?;
        self.written += 1;
        if self.written.is_multiple_of(PROGRESS_EVERY) {
            (self.progress)(TableExportProgress {
                documents: self.written,
            });
        }
        Ok(true)
    }

    /// Completes the file, not yet under its name (see [`Written::keep`]);
    /// a cancelled export has nothing to keep, and one past
    /// [`MAX_EXPORT_DOCUMENTS`] is refused.
    pub fn finish(mut self) -> Result<Written> {
        if self.too_many {
            return Err(Error::invalid(
                "filter",
                format!("matches more than {MAX_EXPORT_DOCUMENTS} documents: narrow it to export"),
            ));
        }
        let report = TableExportReport {
            path: self.target(),
            documents: self.written,
            cancelled: self.cancel.load(Ordering::Relaxed),
        };
        if report.cancelled {
            return Ok(Written { report, file: None }); // dropped: removed
        }
        if self.format == ExportFormat::Json {
            self.out.write_all(b"\n]\n").map_err(Error::storage)?;
        }
        let written = self
            .out
            .into_inner()
            .map_err(|e| Error::storage(e.error()))?;
        written.sync_all().map_err(Error::storage)?;
        drop(written);
        if let Some(scratch) = &self.scratch {
            write_csv(scratch, &self.file)?;
        }
        (self.progress)(TableExportProgress {
            documents: self.written,
        });
        Ok(Written {
            report,
            file: Some(self.file),
        })
    }
}

/// A complete export, still under its temporary name: dropped, it is
/// removed; kept, it takes the chosen name.
pub struct Written {
    report: TableExportReport,
    /// `None` when cancelled: nothing to keep.
    file: Option<PartialFile>,
}

impl Written {
    pub fn report(&self) -> &TableExportReport {
        &self.report
    }

    /// Gives the file its chosen name (a cancelled export has none).
    pub fn keep(self) -> Result<TableExportReport> {
        if let Some(file) = self.file {
            file.keep()?;
        }
        Ok(self.report)
    }
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

/// A key as one segment of a dotted column name: quoted as a JSON string
/// when it holds a dot or starts with a quote, so a key `a.b` and a field
/// `b` inside `a` never share a column.
fn segment(key: &str) -> std::borrow::Cow<'_, str> {
    if key.contains('.') || key.starts_with('"') {
        serde_json::Value::from(key).to_string().into()
    } else {
        key.into()
    }
}

/// A document's cells by dotted path; subdocuments open into columns.
fn flatten(prefix: &str, d: &Document, columns: &mut Columns, row: &mut Vec<(usize, String)>) {
    for (key, value) in d {
        let key = segment(key);
        let path = if prefix.is_empty() {
            key.into_owned()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Bson::Document(inner) if !inner.is_empty() => flatten(&path, inner, columns, row),
            other => row.push((columns.add(&path), cell(other))),
        }
    }
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
    out.into_inner()
        .map_err(|e| Error::storage(e.error()))?
        .sync_all()
        .map_err(Error::storage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, oid::ObjectId, DateTime};

    #[test]
    fn a_dotted_key_and_a_nested_field_get_columns_of_their_own() {
        let mut columns = Columns::default();
        let mut row = Vec::new();
        flatten(
            "",
            &doc! { "a.b": 1, "a": { "b": 2, "c.d": 3 }, "\"a.b\"": 4 },
            &mut columns,
            &mut row,
        );
        assert_eq!(
            columns.order,
            vec!["\"a.b\"", "a.b", "a.\"c.d\"", "\"\\\"a.b\\\"\""]
        );
        assert_eq!(row.len(), 4);
    }

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
