//! The plugin collections inspector: which plugins the database holds (from
//! `{plugin}_*` collection names and the keys of `settings.plugin_settings`),
//! their collections' sizes, the schema a sample shows, the findings no
//! other tool reports (documents that escaped their owner), and the seed
//! guide's bulk status update for one user's documents.

use std::collections::{BTreeMap, BTreeSet};

use mongodb::bson::{doc, oid::ObjectId, Bson, Document};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::scope::{Page, PerUserCollection, UserScope};
use crate::db::users::Users;
use crate::db::write::WriteContext;
use crate::redact::document_to_json;
use crate::schema::{plugin_of, CollectionKind, MAX_PAGE, SETTINGS};
use crate::services::keyset;
use crate::services::notifications::{BulkResult, MAX_BULK};
use crate::{Error, Result};

/// Documents a schema is read from.
pub const SAMPLE_SIZE: u32 = 1_000;
/// Sample `_id`s shown per finding.
const FINDING_SAMPLES: i64 = 10;

#[derive(Debug, Clone, Serialize, Type)]
pub struct PluginCollection {
    pub name: String,
    pub estimated_count: Option<f64>,
    /// From `collStats`, where the server reports it.
    pub size_bytes: Option<f64>,
    pub index_bytes: Option<f64>,
    /// Why sizes are missing, when they are.
    pub stats_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PluginInfo {
    pub name: String,
    pub collections: Vec<PluginCollection>,
    /// Whether any user has settings for it.
    pub has_settings: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PluginOverview {
    pub plugins: Vec<PluginInfo>,
    /// Collections that are neither the platform's nor a plugin's.
    pub unassigned: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct FieldStat {
    /// Dotted; `[]` marks the elements of an array.
    pub path: String,
    pub types: Vec<String>,
    /// Share of sampled documents that have the field, in %.
    pub presence: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SchemaReport {
    pub collection: String,
    pub sampled: f64,
    pub fields: Vec<FieldStat>,
    /// The `status` values seen in the sample (for the bulk status update).
    pub status_values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// No `user_id` (or null): nobody owns it, every user-scoped query misses it.
    MissingUserId,
    /// `user_id` is not the hex string the platform writes (an ObjectId, a number).
    WrongUserIdType,
    /// `user_id` names no user.
    Orphan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Finding {
    pub kind: FindingKind,
    pub count: f64,
    pub sample_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FindingsReport {
    pub collection: String,
    pub findings: Vec<Finding>,
    /// The orphan check stopped at its bound: the orphan count is a minimum.
    pub orphans_truncated: bool,
    /// Whether the `{user_id: 1}` index exists.
    pub user_id_index: bool,
}

pub(crate) fn plugin_collection(name: &str) -> Result<PerUserCollection> {
    match CollectionKind::of(name) {
        CollectionKind::Plugin => PerUserCollection::parse(name),
        _ => Err(Error::invalid(
            "collection",
            format!(
                "{:?} is not a plugin collection",
                name.chars().take(64).collect::<String>()
            ),
        )),
    }
}

/// The number a `collStats` field holds, whatever its BSON number type.
fn number(d: &Document, key: &str) -> Option<f64> {
    match d.get(key)? {
        Bson::Int32(n) => Some(f64::from(*n)),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        _ => None,
    }
}

pub async fn overview(conn: &Connection) -> Result<PluginOverview> {
    let reads = CrossUserReads::new(conn);
    let collections: Vec<String> = reads
        .collections()
        .await?
        .into_iter()
        .filter(|c| c.kind == "collection")
        .map(|c| c.name)
        .collect();
    let with_settings = settings_plugins(conn).await;
    let mut plugins: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unassigned = Vec::new();
    for name in &collections {
        match CollectionKind::of(name) {
            CollectionKind::Plugin => {
                // The longest plugin name from settings that prefixes it, else its own prefix.
                let owner = with_settings
                    .iter()
                    .filter(|p| name.starts_with(&format!("{p}_")))
                    .max_by_key(|p| p.len())
                    .cloned()
                    .unwrap_or_else(|| plugin_of(name).expect("a plugin name").to_string());
                plugins.entry(owner).or_default().push(name.clone());
            }
            CollectionKind::Other => unassigned.push(name.clone()),
            _ => {}
        }
    }
    for p in &with_settings {
        plugins.entry(p.clone()).or_default();
    }
    let names: Vec<String> = plugins.values().flatten().cloned().collect();
    let counts = reads.estimated_counts(&names).await;
    let mut counted: BTreeMap<String, Option<f64>> = names
        .iter()
        .cloned()
        .zip(counts.into_iter().map(|c| c.ok().map(|n| n as f64)))
        .collect();
    let stats = futures_util::future::join_all(names.iter().map(|n| reads.coll_stats(n))).await;
    let mut stats: BTreeMap<String, Result<Document>> = names.iter().cloned().zip(stats).collect();
    let mut out = Vec::new();
    for (plugin, colls) in plugins {
        let mut described = Vec::new();
        for name in colls {
            let stats = stats.remove(&name).expect("stats for every collection");
            described.push(PluginCollection {
                estimated_count: counted.remove(&name).flatten(),
                size_bytes: stats.as_ref().ok().and_then(|s| number(s, "size")),
                index_bytes: stats
                    .as_ref()
                    .ok()
                    .and_then(|s| number(s, "totalIndexSize")),
                stats_note: stats
                    .err()
                    .map(|e| format!("Sizes are not reported by this server ({})", e.code())),
                name,
            });
        }
        out.push(PluginInfo {
            has_settings: with_settings.contains(&plugin),
            name: plugin,
            collections: described,
        });
    }
    Ok(PluginOverview {
        plugins: out,
        unassigned,
    })
}

/// Plugin names that users have settings for. A server without the
/// operators it takes gives none here rather than failing the screen.
async fn settings_plugins(conn: &Connection) -> BTreeSet<String> {
    let settings = PerUserCollection::parse(SETTINGS).expect("settings is per-user");
    let pipeline = vec![
        doc! { "$match": { "plugin_settings": { "$type": "object" } } },
        doc! { "$project": { "k": { "$objectToArray": "$plugin_settings" } } },
        doc! { "$unwind": "$k" },
        doc! { "$group": { "_id": "$k.k" } },
        doc! { "$limit": 1_000 },
    ];
    match CrossUserReads::new(conn)
        .aggregate(&settings, pipeline)
        .await
    {
        Ok(groups) => groups
            .iter()
            .filter_map(|g| g.get_str("_id").ok())
            .filter(|p| crate::services::settings::validate_plugin_name(p).is_ok())
            .map(String::from)
            .collect(),
        Err(e) => {
            log::warn!("plugin names from settings unavailable: {}", e.code());
            BTreeSet::new()
        }
    }
}

/// Field paths, their types and presence in a random sample.
pub async fn schema(conn: &Connection, collection: &str) -> Result<SchemaReport> {
    let name = plugin_collection(collection)?;
    let sample = CrossUserReads::new(conn)
        .aggregate(&name, vec![doc! { "$sample": { "size": SAMPLE_SIZE } }])
        .await?;
    let mut statuses: BTreeMap<String, u32> = BTreeMap::new();
    for d in &sample {
        if let Ok(s) = d.get_str("status") {
            *statuses.entry(s.to_string()).or_default() += 1;
        }
    }
    let mut status_values: Vec<(String, u32)> = statuses.into_iter().collect();
    status_values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(SchemaReport {
        collection: collection.into(),
        sampled: sample.len() as f64,
        fields: field_stats(&sample),
        status_values: status_values.into_iter().take(50).map(|(s, _)| s).collect(),
    })
}

/// Every field path of a sample with the types seen there and the share of
/// documents holding it.
pub(crate) fn field_stats(sample: &[Document]) -> Vec<FieldStat> {
    let mut fields: BTreeMap<String, (BTreeSet<String>, u32)> = BTreeMap::new();
    for d in sample {
        let mut seen = BTreeMap::new();
        flatten("", d, &mut seen);
        for (path, types) in seen {
            let entry = fields.entry(path).or_default();
            entry.0.extend(types);
            entry.1 += 1;
        }
    }
    let n = sample.len().max(1) as f64;
    fields
        .into_iter()
        .map(|(path, (types, present))| FieldStat {
            path,
            types: types.into_iter().collect(),
            presence: (f64::from(present) * 1000.0 / n).round() / 10.0,
        })
        .collect()
}

fn type_name(b: &Bson) -> &'static str {
    match b {
        Bson::Double(_) => "double",
        Bson::String(_) => "string",
        Bson::Document(_) => "object",
        Bson::Array(_) => "array",
        Bson::Binary(_) => "binData",
        Bson::ObjectId(_) => "objectId",
        Bson::Boolean(_) => "bool",
        Bson::DateTime(_) => "date",
        Bson::Null => "null",
        Bson::RegularExpression(_) => "regex",
        Bson::Int32(_) => "int",
        Bson::Int64(_) => "long",
        Bson::Timestamp(_) => "timestamp",
        Bson::Decimal128(_) => "decimal",
        _ => "other",
    }
}

/// Every path of a document with the types found there; nested documents
/// become dotted paths and array elements `path[]`.
fn flatten(prefix: &str, d: &Document, out: &mut BTreeMap<String, BTreeSet<String>>) {
    for (key, value) in d {
        let path = format!("{prefix}{key}");
        walk(&path, value, out);
    }
}

fn walk(path: &str, value: &Bson, out: &mut BTreeMap<String, BTreeSet<String>>) {
    out.entry(path.to_string())
        .or_default()
        .insert(type_name(value).to_string());
    // A secret's value is redacted wherever it goes: so are its keys (a map
    // keyed by tokens would name them).
    let last = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .trim_end_matches("[]");
    if crate::redact::is_secret_key(last) {
        return;
    }
    match value {
        Bson::Document(inner) => flatten(&format!("{path}."), inner, out),
        Bson::Array(items) => {
            let elements = format!("{path}[]");
            for item in items {
                walk(&elements, item, out);
            }
        }
        _ => {}
    }
}

pub(crate) fn filter_of(kind: FindingKind) -> Document {
    match kind {
        FindingKind::MissingUserId => doc! { "user_id": Bson::Null },
        FindingKind::WrongUserIdType => {
            doc! { "user_id": { "$exists": true, "$ne": Bson::Null, "$not": { "$type": "string" } } }
        }
        // Filled in with the orphan ids once they are known.
        FindingKind::Orphan => doc! {},
    }
}

/// Distinct owners the orphan check looks at, at most.
const MAX_OWNERS_CHECKED: i64 = 100_000;

/// The string `user_id`s of a collection that name no user as the platform
/// writes ids (lowercase hex of an existing user: an uppercase form is
/// reached by no scoped query either), with how many documents each holds.
/// Grouped on the server, checked in batches, bounded: `true` when cut short.
pub(crate) async fn orphans(
    conn: &Connection,
    name: &PerUserCollection,
) -> Result<(Vec<(String, u64)>, bool)> {
    let pipeline = vec![
        doc! { "$match": { "user_id": { "$type": "string" } } },
        doc! { "$group": { "_id": "$user_id", "n": { "$sum": 1 } } },
        // The same owners each time: a repair's apply must see its dry run's.
        doc! { "$sort": { "_id": 1 } },
        doc! { "$limit": MAX_OWNERS_CHECKED + 1 },
    ];
    let mut groups = CrossUserReads::new(conn).aggregate(name, pipeline).await?;
    let truncated = groups.len() as i64 > MAX_OWNERS_CHECKED;
    groups.truncate(MAX_OWNERS_CHECKED as usize);
    let owners: Vec<(String, u64)> = groups
        .iter()
        .filter_map(|g| {
            let n = number(g, "n")? as u64;
            Some((g.get_str("_id").ok()?.to_string(), n))
        })
        .collect();
    let ids: Vec<ObjectId> = owners
        .iter()
        .filter_map(|(id, _)| ObjectId::parse_str(id).ok())
        .collect();
    let existing = Users::new(conn).existing(&ids).await?;
    let orphans = owners
        .into_iter()
        .filter(|(id, _)| {
            ObjectId::parse_str(id).map_or(true, |o| o.to_hex() != *id || !existing.contains(&o))
        })
        .collect();
    Ok((orphans, truncated))
}

async fn sample_ids(
    conn: &Connection,
    name: &PerUserCollection,
    filter: Document,
) -> Result<Vec<String>> {
    let docs = CrossUserReads::new(conn)
        .find(
            name,
            filter,
            doc! { "_id": 1 },
            FINDING_SAMPLES as u32,
            Some(doc! { "_id": 1 }),
        )
        .await?;
    Ok(docs.iter().map(crate::services::user360::id_of).collect())
}

fn orphan_filter(orphans: &[(String, u64)]) -> Document {
    let ids: Vec<&str> = orphans
        .iter()
        .take(1_000)
        .map(|(id, _)| id.as_str())
        .collect();
    doc! { "user_id": { "$in": ids } }
}

pub async fn findings(conn: &Connection, collection: &str) -> Result<FindingsReport> {
    let name = plugin_collection(collection)?;
    let reads = CrossUserReads::new(conn);
    let mut findings = Vec::new();
    for kind in [FindingKind::MissingUserId, FindingKind::WrongUserIdType] {
        let filter = filter_of(kind);
        findings.push(Finding {
            kind,
            count: reads.count(&name, filter.clone()).await? as f64,
            sample_ids: sample_ids(conn, &name, filter).await?,
        });
    }
    let (lost, orphans_truncated) = orphans(conn, &name).await?;
    findings.push(Finding {
        kind: FindingKind::Orphan,
        count: lost.iter().map(|(_, n)| *n).sum::<u64>() as f64,
        sample_ids: match lost.is_empty() {
            true => Vec::new(),
            false => sample_ids(conn, &name, orphan_filter(&lost)).await?,
        },
    });
    let user_id_index = reads
        .indexes(collection)
        .await?
        .iter()
        .any(|i| i.keys == [("user_id".to_string(), 1)]);
    Ok(FindingsReport {
        collection: collection.into(),
        findings,
        orphans_truncated,
        user_id_index,
    })
}

/// The documents behind a finding (first page), redacted.
pub async fn finding_documents(
    conn: &Connection,
    collection: &str,
    kind: FindingKind,
) -> Result<Vec<String>> {
    let name = plugin_collection(collection)?;
    let filter = match kind {
        FindingKind::Orphan => {
            let (lost, _) = orphans(conn, &name).await?;
            if lost.is_empty() {
                return Ok(Vec::new());
            }
            orphan_filter(&lost)
        }
        other => filter_of(other),
    };
    let docs = CrossUserReads::new(conn)
        .find(&name, filter, doc! { "_id": 1 }, 50, None)
        .await?;
    Ok(docs
        .into_iter()
        .map(|d| document_to_json(d).to_string())
        .collect())
}

/// A page of one status's documents across users, newest first.
#[derive(Debug, Clone, Serialize, Type)]
pub struct StatusPage {
    /// Redacted Extended JSON, one per document.
    pub documents: Vec<String>,
    /// Where the next page starts; `None` on the last.
    pub next: Option<String>,
}

/// The dashboard's drill-down: documents of `collection` with `status`,
/// across users or one user's (the 360 view's chart), range-paged by `_id`.
pub async fn status_documents(
    conn: &Connection,
    collection: &str,
    status: &str,
    user: Option<&UserScope>,
    after: Option<&str>,
    page_size: u32,
) -> Result<StatusPage> {
    let name = plugin_collection(collection)?;
    if status.len() > 200 {
        return Err(Error::invalid("status", "at most 200 characters"));
    }
    // One more than shown tells whether a next page exists, within the cap.
    let limit = page_size.clamp(1, MAX_PAGE - 1);
    let mut filter = doc! { "status": status };
    if let Some(after) = after {
        let cursor = keyset::Cursor::decode(after)?;
        filter = doc! { "$and": [filter, keyset::after(None, true, &cursor)] };
    }
    let docs = match user {
        Some(user) => {
            user.collection(conn, name)
                .find(filter, Page::first(limit + 1))
                .await?
        }
        None => {
            CrossUserReads::new(conn)
                .find(&name, filter, doc! { "_id": -1 }, limit + 1, None)
                .await?
        }
    };
    let more = docs.len() > limit as usize;
    let page: Vec<Document> = docs.into_iter().take(limit as usize).collect();
    let next = match more {
        true => page
            .last()
            .and_then(|d| keyset::Cursor::after(d, None))
            .map(|c| c.encode()),
        false => None,
    };
    Ok(StatusPage {
        documents: page
            .into_iter()
            .map(|d| document_to_json(d).to_string())
            .collect(),
        next,
    })
}

/// The seed guide's `bulk_update_status`: one user's named documents get
/// `status`; the counts are what the server matched and modified.
pub async fn set_status(
    conn: &Connection,
    audit: &AuditLog,
    user_id: &str,
    collection: &str,
    ids: &[String],
    status: &str,
) -> Result<BulkResult> {
    let user = UserScope::parse(user_id)?;
    let name = plugin_collection(collection)?;
    let status = status.trim();
    if status.is_empty() || status.chars().count() > 64 || status.starts_with('$') {
        return Err(Error::invalid(
            "status",
            "must be 1 to 64 characters, not starting with $",
        ));
    }
    if ids.is_empty() || ids.len() > MAX_BULK {
        return Err(Error::invalid(
            "ids",
            format!("select 1 to {MAX_BULK} documents"),
        ));
    }
    let mut parsed: Vec<ObjectId> = Vec::new();
    for id in ids {
        let oid = ObjectId::parse_str(id.trim()).map_err(|_| Error::InvalidId {
            value: id.chars().take(64).collect(),
        })?;
        if !parsed.contains(&oid) {
            parsed.push(oid);
        }
    }
    let selected = doc! { "_id": { "$in": parsed.clone() } };
    let owned = user
        .primary_collection(conn, name.clone())
        .count(selected.clone())
        .await?;
    if owned != parsed.len() as u64 {
        return Err(Error::NotFound {
            what: format!(
                "{} of {} documents of user {} in {collection}",
                parsed.len() as u64 - owned,
                parsed.len(),
                user.user_id()
            ),
        });
    }
    let described = serde_json::json!({
        "ids": parsed.iter().map(|i| i.to_hex()).collect::<Vec<_>>(),
        "status": status,
    });
    let intent = Change::new(collection, user.user_id(), "set_status")
        .values(Value::Null, described.clone());
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let update =
        doc! { "$set": { "status": status, "updated_at": mongodb::bson::DateTime::now() } };
    let updated = user
        .writer(&ctx, name)
        .update_many(selected, update)
        .await?;
    let result = BulkResult {
        matched: updated.matched as f64,
        modified: updated.modified as f64,
    };
    ctx.done(
        Change::new(collection, user.user_id(), "set_status")
            .values(described, serde_json::to_value(result)?),
    )
    .await?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_flatten_to_dotted_paths_with_types() {
        let mut out = BTreeMap::new();
        flatten(
            "",
            &doc! { "a": 1, "b": { "c": "x", "d": [1, "y", { "e": true }] } },
            &mut out,
        );
        let paths: Vec<&str> = out.keys().map(String::as_str).collect();
        assert_eq!(paths, ["a", "b", "b.c", "b.d", "b.d[]", "b.d[].e"]);
        assert_eq!(
            out["b.d[]"].iter().map(String::as_str).collect::<Vec<_>>(),
            ["int", "object", "string"]
        );
    }

    #[test]
    fn only_plugin_collections_are_inspected() {
        assert!(plugin_collection("task_manager_tasks").is_ok());
        for bad in ["settings", "users", "admin_audit_log", "Misc_Data", "$x_y"] {
            assert_eq!(
                plugin_collection(bad).unwrap_err().code(),
                "invalid_input",
                "{bad}"
            );
        }
    }
}
