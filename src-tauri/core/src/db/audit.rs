//! The audit trail: every write the app makes appends entries (when, which
//! profile, which OS user, what it meant to do, then what changed) to a local
//! append-only JSON-lines file, and to the `admin_audit_log` collection when
//! the profile asks. Only a [`WriteContext`](crate::db::write::WriteContext)
//! appends, and values pass the one redaction rule first.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use specta::Type;

use crate::db::classify::Classified;
use crate::db::connection::Connection;
use crate::redact::redact;
use crate::schema::AUDIT_COLLECTION;
use crate::{Error, Result};

/// What a write changed, before it is stamped and stored.
#[derive(Debug, Clone)]
pub struct Change {
    collection: String,
    target_id: String,
    operation: String,
    before: Value,
    after: Value,
}

impl Change {
    pub fn new(collection: &str, target_id: &str, operation: &str) -> Self {
        Change {
            collection: collection.into(),
            target_id: target_id.into(),
            operation: operation.into(),
            before: Value::Null,
            after: Value::Null,
        }
    }

    /// Keeps only the top-level fields whose values differ.
    pub fn fields(mut self, before: &Value, after: &Value) -> Self {
        let (mut b, mut a) = (Map::new(), Map::new());
        if let (Value::Object(before), Value::Object(after)) = (before, after) {
            for key in before.keys().chain(after.keys()) {
                let (x, y) = (before.get(key), after.get(key));
                if x != y {
                    b.insert(key.clone(), x.cloned().unwrap_or(Value::Null));
                    a.insert(key.clone(), y.cloned().unwrap_or(Value::Null));
                }
            }
        }
        self.before = Value::Object(b);
        self.after = Value::Object(a);
        self
    }

    pub fn values(mut self, before: Value, after: Value) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

/// One line of the audit file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredEntry {
    at: String,
    profile: String,
    os_user: String,
    database: String,
    collection: String,
    target_id: String,
    operation: String,
    /// `intent` (written before the first write) or `done` (after the last).
    #[serde(default = "done")]
    stage: String,
    before: Value,
    after: Value,
}

fn done() -> String {
    "done".into()
}

/// An audit entry as the audit screen shows it; before/after are JSON text.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AuditEntry {
    pub at: String,
    pub stage: String,
    pub profile: String,
    pub os_user: String,
    pub database: String,
    pub collection: String,
    pub target_id: String,
    pub operation: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Default, Deserialize, Type)]
pub struct AuditQuery {
    /// Matches target id, collection, operation, profile or user, case-insensitively.
    pub text: Option<String>,
    pub collection: Option<String>,
    pub operation: Option<String>,
    /// How many of the newest entries (default 200, at most 500).
    pub limit: Option<u32>,
}

pub struct AuditLog {
    path: PathBuf,
    lock: tokio::sync::Mutex<()>,
}

fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

impl AuditLog {
    pub fn new(data_dir: &Path) -> Self {
        AuditLog {
            path: data_dir.join("audit.jsonl"),
            lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the entry; with the profile's `audit_to_database`, also to
    /// the audit collection. Only a write context calls this.
    pub(in crate::db) async fn record(
        &self,
        conn: &Connection,
        stage: &str,
        change: Change,
    ) -> Result<()> {
        let profile = conn.profile();
        let mut entry = StoredEntry {
            at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            profile: profile.name.clone(),
            os_user: os_user(),
            database: profile.database_name().into(),
            collection: change.collection,
            target_id: change.target_id,
            operation: change.operation,
            stage: stage.into(),
            before: change.before,
            after: change.after,
        };
        redact(&mut entry.before);
        redact(&mut entry.after);
        let mut line = serde_json::to_string(&entry)?;
        line.push('\n');
        {
            let _guard = self.lock.lock().await;
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(Error::storage)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(Error::storage)?;
            file.write_all(line.as_bytes()).map_err(Error::storage)?;
        }
        if profile.audit_to_database && !conn.is_read_only() {
            let doc = mongodb::bson::to_document(&entry)
                .map_err(|e| Error::storage(format!("audit entry: {e}")))?;
            conn.database()
                .collection(AUDIT_COLLECTION)
                .insert_one(doc)
                .await
                // Not the audited change: a lost audit entry must not say
                // that change's outcome is unknown.
                .classified(conn.timeout_ms())?;
        }
        Ok(())
    }

    /// Audits a read that takes data out of the database (an export): its
    /// `intent` before the first document, then the `read` itself; to the
    /// file always, to the audit collection only when the connection may write.
    pub async fn record_read(&self, conn: &Connection, stage: &str, change: Change) -> Result<()> {
        self.record(conn, stage, change).await
    }

    /// Newest first.
    pub fn list(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::storage(e)),
        };
        let needle = query.text.as_deref().map(str::to_lowercase);
        let limit = query.limit.unwrap_or(200).clamp(1, 500) as usize;
        Ok(text
            .lines()
            .rev()
            .filter_map(|l| serde_json::from_str::<StoredEntry>(l).ok())
            .filter(|e| query.collection.as_ref().is_none_or(|c| &e.collection == c))
            .filter(|e| query.operation.as_ref().is_none_or(|o| &e.operation == o))
            .filter(|e| {
                needle.as_ref().is_none_or(|n| {
                    [
                        &e.target_id,
                        &e.collection,
                        &e.operation,
                        &e.profile,
                        &e.os_user,
                    ]
                    .iter()
                    .any(|f| f.to_lowercase().contains(n))
                })
            })
            .take(limit)
            .map(|e| AuditEntry {
                at: e.at,
                stage: e.stage,
                profile: e.profile,
                os_user: e.os_user,
                database: e.database,
                collection: e.collection,
                target_id: e.target_id,
                operation: e.operation,
                before: e.before.to_string(),
                after: e.after.to_string(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_fields_are_kept() {
        let c = Change::new("users", "x", "update").fields(
            &json!({ "a": 1, "b": 2, "gone": true }),
            &json!({ "a": 1, "b": 3, "new": "y" }),
        );
        assert_eq!(c.before, json!({ "b": 2, "gone": true, "new": null }));
        assert_eq!(c.after, json!({ "b": 3, "gone": null, "new": "y" }));
    }
}
