//! Editing, inserting and deleting one document from the collection
//! browser. Documents come and go as canonical Extended JSON, so every
//! value keeps its BSON type; a save sends only what changed, filtered by
//! what the admin saw, and a change made meanwhile is a `conflict` carrying
//! the document as it is now. Every write is audited with intent and
//! outcome, and refused on a read-only connection.

use mongodb::bson::{Bson, Document};
use serde::Serialize;
use serde_json::{json, Value};
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::document_edit::{same_bytes, EditPlan};
use crate::db::documents::{Destination, DocumentWriter};
use crate::db::write::WriteContext;
use crate::redact::document_text;
use crate::redact::redact;
use crate::schema::PlatformDatabase;
use crate::{Error, Result};

/// Largest document text accepted (BSON's own limit is 16 MiB).
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Saved {
    /// Nothing differed: nothing was written or audited.
    Unchanged,
    Saved {
        /// The document as stored now, canonical Extended JSON.
        document: String,
        /// The top-level fields written.
        changed: Vec<String>,
        /// Said when the change was made but its audit entry failed.
        audit_warning: Option<String>,
    },
}

/// A canonical (or relaxed) Extended JSON text as one value.
pub fn parse_value(field: &str, text: &str) -> Result<Bson> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::invalid(field, "larger than 16 MiB"));
    }
    let json: Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid(field, format!("not Extended JSON: {e}")))?;
    Bson::try_from(json).map_err(|e| Error::invalid(field, format!("not Extended JSON: {e}")))
}

/// A canonical (or relaxed) Extended JSON text as a document.
pub fn parse_document(field: &str, text: &str) -> Result<Document> {
    match parse_value(field, text)? {
        Bson::Document(d) => Ok(d),
        _ => Err(Error::invalid(field, "must be a document")),
    }
}

/// The id as the audit names it.
fn id_text(id: &Bson) -> String {
    match id {
        Bson::ObjectId(o) => o.to_hex(),
        Bson::String(s) => s.clone(),
        other => other.clone().into_relaxed_extjson().to_string(),
    }
}

/// The named fields of a document, redacted, for the audit.
fn fields(d: &Document, names: &[String]) -> Value {
    let mut out = serde_json::Map::new();
    for name in names {
        let value = d
            .get(name)
            .map_or(Value::Null, |v| v.clone().into_relaxed_extjson());
        out.insert(name.clone(), value);
    }
    let mut value = Value::Object(out);
    redact(&mut value);
    value
}

fn gone(collection: &str, id: &Bson) -> Error {
    Error::NotFound {
        what: format!("document {} in {collection}", id_text(id)),
    }
}

fn id_of(d: &Document) -> Result<Bson> {
    d.get("_id")
        .cloned()
        .ok_or_else(|| Error::invalid("document", "has no _id"))
}

/// Saves `edited` over the document the admin opened as `original`.
pub async fn save(
    conn: &Connection,
    audit: &AuditLog,
    which: PlatformDatabase,
    collection: &str,
    original: &str,
    edited: &str,
) -> Result<Saved> {
    let original = parse_document("original", original)?;
    let edited = parse_document("document", edited)?;
    let destination = Destination::of(conn, which, collection, original.get("user_id"))?;
    let Some(plan) = EditPlan::between(&original, &edited)? else {
        return Ok(Saved::Unchanged);
    };
    if matches!(destination, Destination::Scoped(..))
        && !matches!((original.get("user_id"), edited.get("user_id")), (Some(a), Some(b)) if same_bytes(a, b))
    {
        return Err(Error::invalid(
            "document",
            "user_id cannot change here: the plugin inspector's repairs reassign documents",
        ));
    }
    let id = id_of(&original)?;
    // Nothing to save over: no write, no audit entry, no collection made.
    if destination.current(conn, &id).await?.is_none() {
        return Err(gone(collection, &id));
    }
    let changed = plan.changed.clone();
    let change = || {
        Change::new(collection, &id_text(&id), "edit_document")
            .values(fields(&original, &changed), fields(&edited, &changed))
    };
    let ctx = WriteContext::begin(conn, audit, change()).await?;
    let writer = DocumentWriter::new(&ctx, &destination);
    match writer.update(&id, plan).await? {
        Some(after) => {
            let audit_warning = ctx.done_after_applied(change()).await;
            Ok(Saved::Saved {
                document: document_text(after),
                changed,
                audit_warning,
            })
        }
        None => {
            let current = destination.current(conn, &id).await?;
            ctx.done(
                Change::new(collection, &id_text(&id), "edit_document_conflict").values(
                    fields(&original, &changed),
                    json!({ "outcome": "conflict" }),
                ),
            )
            .await?;
            Err(Error::Conflict {
                current: current.map(document_text),
            })
        }
    }
}

/// Deletes the document if it is still as the admin saw it (`seen`).
pub async fn delete(
    conn: &Connection,
    audit: &AuditLog,
    which: PlatformDatabase,
    collection: &str,
    seen: &str,
) -> Result<Option<String>> {
    let seen = parse_document("original", seen)?;
    let destination = Destination::of(conn, which, collection, seen.get("user_id"))?;
    let id = id_of(&seen)?;
    if destination.current(conn, &id).await?.is_none() {
        return Err(gone(collection, &id));
    }
    let all: Vec<String> = seen.keys().cloned().collect();
    let ctx = WriteContext::begin(
        conn,
        audit,
        Change::new(collection, &id_text(&id), "delete_document")
            .values(fields(&seen, &all), Value::Null),
    )
    .await?;
    let writer = DocumentWriter::new(&ctx, &destination);
    if writer.delete(&id, &seen).await? {
        Ok(ctx
            .done_after_applied(
                Change::new(collection, &id_text(&id), "delete_document")
                    .values(fields(&seen, &all), Value::Null),
            )
            .await)
    } else {
        let current = destination.current(conn, &id).await?;
        ctx.done(
            Change::new(collection, &id_text(&id), "delete_document_conflict")
                .values(fields(&seen, &all), json!({ "outcome": "conflict" })),
        )
        .await?;
        Err(Error::Conflict {
            current: current.map(document_text),
        })
    }
}

/// Inserts a new document as written (an `_id` is made when it has none).
pub async fn insert(
    conn: &Connection,
    audit: &AuditLog,
    which: PlatformDatabase,
    collection: &str,
    document: &str,
) -> Result<Saved> {
    let mut document = parse_document("document", document)?;
    let destination = Destination::of(conn, which, collection, document.get("user_id"))?;
    if !document.contains_key("_id") {
        // First, as the server would put it.
        let mut with_id = Document::new();
        with_id.insert("_id", mongodb::bson::oid::ObjectId::new());
        with_id.extend(document);
        document = with_id;
    }
    let id = id_of(&document)?;
    let all: Vec<String> = document.keys().cloned().collect();
    let change = || {
        Change::new(collection, &id_text(&id), "insert_document")
            .values(Value::Null, fields(&document, &all))
    };
    let ctx = WriteContext::begin(conn, audit, change()).await?;
    DocumentWriter::new(&ctx, &destination)
        .insert(document.clone())
        .await?;
    Ok(Saved::Saved {
        audit_warning: ctx.done_after_applied(change()).await,
        document: document_text(document),
        changed: all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::spec::BinarySubtype;
    use mongodb::bson::{
        doc, oid::ObjectId, Binary, DateTime, DbPointer, Decimal128, JavaScriptCodeWithScope,
        Regex, Timestamp,
    };

    /// The UI's form of a document (canonical Extended JSON) reads back as
    /// the same bytes for every BSON type and binary subtype, including
    /// those the test server cannot store.
    #[test]
    fn canonical_extended_json_reads_back_as_the_same_bytes() {
        let mut d = doc! {
            "_id": ObjectId::new(),
            "d": 1.0, "nz": -0.0, "nan": f64::NAN, "inf": f64::INFINITY, "ninf": f64::NEG_INFINITY,
            "i": 1, "l": 1_i64, "dec": "-0.00".parse::<Decimal128>().unwrap(),
            "old": DateTime::from_millis(-62_135_596_800_001), "far": DateTime::from_millis(253_402_300_800_000),
            "re": Regex { pattern: "a/b".into(), options: "ilmsux".into() },
            "ts": Timestamp { time: 0, increment: 0 },
            "min": Bson::MinKey, "max": Bson::MaxKey, "undef": Bson::Undefined, "sym": Bson::Symbol("s".into()),
            "code": Bson::JavaScriptCode("f()".into()),
            "scoped": Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope { code: "g()".into(), scope: doc! { "a": 1_i64 } }),
            "dbref": { "$ref": "c", "$id": 1, "$db": "x" },
            "a.b": 1, "$dollar": { "$inner": 2 },
        };
        let pointer: DbPointer = mongodb::bson::from_bson(
            Bson::try_from(serde_json::json!({
                "$dbPointer": { "$ref": "c", "$id": { "$oid": "65a1b2c3d4e5f60718293a4b" } }
            }))
            .unwrap(),
        )
        .unwrap();
        d.insert("ptr", Bson::DbPointer(pointer));
        for subtype in [0_u8, 1, 2, 3, 4, 5, 6, 7, 8, 0x80, 0xff] {
            let bytes = if matches!(subtype, 3 | 4) {
                vec![7; 16]
            } else {
                vec![1, 2, 3]
            };
            d.insert(
                format!("bin{subtype}"),
                Binary {
                    subtype: BinarySubtype::from(subtype),
                    bytes,
                },
            );
        }
        let text = document_text(d.clone());
        let back = parse_document("document", &text).unwrap();
        assert_eq!(
            mongodb::bson::to_vec(&back).unwrap(),
            mongodb::bson::to_vec(&d).unwrap(),
            "{text}"
        );
    }
}
