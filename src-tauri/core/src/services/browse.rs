//! The collection browser: the platform's three databases with their
//! collections, a query bar's page of documents as canonical Extended JSON
//! (every BSON type kept, secrets redacted), and the query's count apart,
//! so the rows never wait for it.

use mongodb::bson::Bson;
use serde::Serialize;
use specta::Type;

use crate::db::browser::Browser;
use crate::db::connection::Connection;
use crate::db::documents::refusal;
use crate::db::explain::{summarize, ExplainSummary};
use crate::db::query::{Query, QueryInput};
use crate::redact::document_text;
use crate::schema::{is_per_user, CollectionKind, PlatformDatabase};
use crate::services::plugins::{field_stats, FieldStat};
use crate::services::users::Total;
use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Type)]
pub struct BrowsedCollection {
    pub name: String,
    /// Views are listed but hold no documents of their own.
    pub is_view: bool,
    pub estimated_count: Option<f64>,
    /// MozaiksCore's collections of one user's documents each (`user_id`).
    pub per_user: bool,
    pub kind: CollectionKind,
    /// Why its documents cannot be edited here, whatever the connection's
    /// read-only switch says; `None` when they can.
    pub not_editable: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct BrowsedDatabase {
    pub which: PlatformDatabase,
    /// Its name on this deployment.
    pub name: String,
    /// Whether the profile lets the app write there now.
    pub writable: bool,
    pub collections: Vec<BrowsedCollection>,
    /// Why its collections are missing, when they are.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct QueryPage {
    /// Canonical Extended JSON, one text per document, secrets redacted.
    pub documents: Vec<String>,
    /// The page size the server was asked for (capped).
    pub limit: u32,
    pub skip: u32,
    /// A full page came back: there may be more.
    pub more: bool,
}

/// The three databases, each with its collections; one that cannot be
/// listed says why instead of failing the others.
pub async fn databases(conn: &Connection) -> Vec<BrowsedDatabase> {
    let browser = Browser::new(conn);
    let mut out = Vec::new();
    for which in PlatformDatabase::ALL {
        let writable = !conn.is_read_only()
            && (which == PlatformDatabase::Core || conn.profile().other_databases.writable);
        let (collections, error) = match browser.collections(which).await {
            Ok(infos) => {
                let names: Vec<String> = infos.iter().map(|c| c.name.clone()).collect();
                let counts = browser.estimated_counts(which, &names).await;
                let collections = infos
                    .into_iter()
                    .zip(counts)
                    .map(|(info, count)| BrowsedCollection {
                        is_view: info.kind == "view",
                        estimated_count: count.ok().map(|n| n as f64),
                        per_user: which == PlatformDatabase::Core && is_per_user(&info.name),
                        kind: match which {
                            PlatformDatabase::Core => CollectionKind::of(&info.name),
                            _ => CollectionKind::Other,
                        },
                        not_editable: match info.kind.as_str() {
                            "view" => Some("a view holds no documents of its own".to_string()),
                            _ => refusal(conn, which, &info.name).map(str::to_string),
                        },
                        name: info.name,
                    })
                    .collect();
                (collections, None)
            }
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        out.push(BrowsedDatabase {
            which,
            name: browser.name(which).to_string(),
            writable,
            collections,
            error,
        });
    }
    out
}

/// Collections looked up at once by "find this id".
const FIND_ID_CONCURRENCY: usize = 8;

/// A document "find this id" found.
#[derive(Debug, Clone, Serialize, Type)]
pub struct FoundId {
    pub collection: String,
    /// Canonical Extended JSON, secrets redacted.
    pub document: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FoundIds {
    pub found: Vec<FoundId>,
    /// Collections looked in.
    pub searched: u32,
    /// Collections that could not be read, with why.
    pub failed: Vec<String>,
}

/// One whole document by its `_id` (canonical Extended JSON of any type),
/// unprojected: what the editor opens, whatever the grid's projection showed.
pub async fn open_document(
    conn: &Connection,
    which: PlatformDatabase,
    collection: &str,
    id: &str,
) -> Result<String> {
    let id = crate::services::documents::parse_value("id", id)?;
    Browser::new(conn)
        .find_by_id(which, collection, id)
        .await?
        .map(document_text)
        .ok_or_else(|| Error::NotFound {
            what: format!("this document in {collection}"),
        })
}

/// Looks up one ObjectId as `_id` in every collection of the database:
/// point reads on the `_id` index, a few at a time.
pub async fn find_id(conn: &Connection, which: PlatformDatabase, id: &str) -> Result<FoundIds> {
    use futures_util::StreamExt;
    let oid = mongodb::bson::oid::ObjectId::parse_str(id.trim()).map_err(|_| Error::InvalidId {
        value: id.chars().take(64).collect(),
    })?;
    let browser = Browser::new(conn);
    let names: Vec<String> = browser
        .collections(which)
        .await?
        .into_iter()
        .filter(|c| c.kind == "collection")
        .map(|c| c.name)
        .collect();
    let searched = names.len() as u32;
    let lookups = futures_util::stream::iter(names.into_iter().map(|name| {
        let browser = &browser;
        async move {
            let found = browser.find_by_id(which, &name, Bson::ObjectId(oid)).await;
            (name, found)
        }
    }))
    .buffered(FIND_ID_CONCURRENCY)
    .collect::<Vec<_>>()
    .await;
    let mut out = FoundIds {
        found: Vec::new(),
        searched,
        failed: Vec::new(),
    };
    for (collection, result) in lookups {
        match result {
            Ok(Some(d)) => out.found.push(FoundId {
                collection,
                document: document_text(d),
            }),
            Ok(None) => {}
            Err(e) => out.failed.push(format!("{collection}: {e}")),
        }
    }
    Ok(out)
}

pub async fn run(
    conn: &Connection,
    which: PlatformDatabase,
    collection: &str,
    input: &QueryInput,
) -> Result<QueryPage> {
    let query = Query::parse(input)?;
    let (limit, skip) = (query.limit(), query.skip());
    let documents: Vec<String> = Browser::new(conn)
        .find(which, collection, query)
        .await?
        .into_iter()
        .map(document_text)
        .collect();
    Ok(QueryPage {
        more: documents.len() as u32 == limit,
        documents,
        limit,
        skip,
    })
}

/// Documents sampled for the query bar's field hints.
const HINT_SAMPLE: u32 = 200;

/// The field paths a sample of the collection holds, with their types and
/// presence: the query bar's hints.
pub async fn sample_fields(
    conn: &Connection,
    which: PlatformDatabase,
    collection: &str,
) -> Result<Vec<FieldStat>> {
    let sample = Browser::new(conn)
        .sample(which, collection, HINT_SAMPLE)
        .await?;
    Ok(field_stats(&sample))
}

/// How the server runs the query: its plan, index or collection scan, and
/// what it examined. A server without `explain` is `unsupported`.
pub async fn explain(
    conn: &Connection,
    which: PlatformDatabase,
    collection: &str,
    input: &QueryInput,
) -> Result<ExplainSummary> {
    let query = Query::parse(input)?;
    let reply = Browser::new(conn).explain(which, collection, query).await?;
    Ok(summarize(&reply))
}

pub async fn count(
    conn: &Connection,
    which: PlatformDatabase,
    collection: &str,
    input: &QueryInput,
) -> Result<Total> {
    let query = Query::parse(input)?;
    Ok(Browser::new(conn)
        .count(which, collection, &query)
        .await?
        .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, oid::ObjectId, Decimal128, Timestamp};

    #[test]
    fn documents_leave_as_canonical_extended_json_in_field_order() {
        let id = ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap();
        let text = document_text(doc! {
            "z": 1.0, "_id": id, "n": 5_i64, "i": 5, "neg": -0.0,
            "dec": Decimal128::from_bytes([0; 16]),
            "ts": Timestamp { time: 1, increment: 2 },
            "password_hash": "$2b$12$abc",
            "nested": { "api_token": "t", "b": 1 },
        });
        assert!(
            text.starts_with(
                r#"{"z":{"$numberDouble":"1.0"},"_id":{"$oid":"65a1b2c3d4e5f60718293a4b"}"#
            ),
            "{text}"
        );
        for part in [
            r#""n":{"$numberLong":"5"}"#,
            r#""i":{"$numberInt":"5"}"#,
            r#""neg":{"$numberDouble":"-0.0"}"#,
            r#""ts":{"$timestamp":{"t":1,"i":2}}"#,
            r#""password_hash":"<redacted>""#,
            r#""nested":{"api_token":"<redacted>","b":{"$numberInt":"1"}}"#,
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(!text.contains("$2b$12"));
    }
}
