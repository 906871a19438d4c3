//! The audit trail: every write the app makes appends entries (when, which
//! profile, which OS user, what it meant to do, then what changed) to a local
//! append-only JSON-lines file, and to the `admin_audit_log` collection when
//! the profile asks. Only a [`WriteContext`](crate::db::write::WriteContext)
//! appends, and values pass the one redaction rule first. The file holds
//! the before and after values of user edits: it is its owner's alone
//! (0600 on Unix), and so is its folder (0700).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use specta::Type;

use crate::db::classify::Classified;
use crate::db::connection::Connection;
use crate::redact::redact;
use crate::save_path::{narrow, open_private, private_dir};
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

#[derive(Debug, Clone, Default, Deserialize, Serialize, Type)]
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

/// The account this process runs as, from the OS: the name of its
/// effective uid (its uid when that has no name), never `$USER`, which a
/// service, sudo or CI leaves unset or sets to anything.
#[cfg(unix)]
fn os_user() -> String {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        // SAFETY: geteuid cannot fail.
        let uid = unsafe { libc::geteuid() };
        account_name(uid).unwrap_or_else(|| format!("uid {uid}"))
    })
    .clone()
}

#[cfg(unix)]
fn account_name(uid: libc::uid_t) -> Option<String> {
    let mut buf = vec![0u8; 1024];
    loop {
        // SAFETY: `passwd` is plain data; getpwuid_r writes into `entry`
        // and `buf`, both live and of the sizes given, and sets `found` to
        // null or to `&entry`, whose strings point into `buf`.
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                &mut entry,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut found,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || found.is_null() || entry.pw_name.is_null() {
            return None;
        }
        // SAFETY: a NUL-terminated string inside `buf`, still alive.
        let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

/// Elsewhere the environment is all there is.
#[cfg(not(unix))]
fn os_user() -> String {
    std::env::var("USERNAME")
        .or_else(|_| std::env::var("USER"))
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
            self.append(&line)?;
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

    fn append(&self, line: &str) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            private_dir(dir).map_err(Error::storage)?;
        }
        let mut file = open_private(
            &self.path,
            std::fs::OpenOptions::new().create(true).append(true),
        )
        .map_err(Error::storage)?;
        file.write_all(line.as_bytes()).map_err(Error::storage)
    }

    /// Audits a read that takes data out of the database (an export): its
    /// `intent` before the first document, then the `read` itself; to the
    /// file always, to the audit collection only when the connection may write.
    pub async fn record_read(&self, conn: &Connection, stage: &str, change: Change) -> Result<()> {
        self.record(conn, stage, change).await
    }

    /// Newest first.
    pub fn list(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = query.limit.unwrap_or(200).clamp(1, 500) as usize;
        let mut out = Vec::new();
        self.matching(query, |e| {
            out.push(AuditEntry {
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
            });
            Ok(out.len() < limit)
        })?;
        Ok(out)
    }

    /// Every entry the query's filters match (its limit aside), newest
    /// first, as a document, redacted again (a trail an earlier version
    /// wrote may hold what is now known to be secret), until `each` says
    /// stop (an export).
    pub fn for_each_entry(
        &self,
        query: &AuditQuery,
        mut each: impl FnMut(mongodb::bson::Document) -> Result<bool>,
    ) -> Result<()> {
        self.matching(query, |mut e| {
            redact(&mut e.before);
            redact(&mut e.after);
            let d = mongodb::bson::to_document(&e)
                .map_err(|err| Error::storage(format!("audit entry: {err}")))?;
            each(d)
        })
    }

    fn matching(
        &self,
        query: &AuditQuery,
        mut each: impl FnMut(StoredEntry) -> Result<bool>,
    ) -> Result<()> {
        // A trail or folder an earlier version left readable to others
        // loses that when found; a failure to narrow does not stop the read.
        for path in self.path.parent().into_iter().chain([self.path.as_path()]) {
            if let Err(e) = narrow(path) {
                log::warn!("cannot make {} its owner's alone: {e}", path.display());
            }
        }
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::storage(e)),
        };
        let needle = query.text.as_deref().map(str::to_lowercase);
        let matches = |e: &StoredEntry| {
            query.collection.as_ref().is_none_or(|c| &e.collection == c)
                && query.operation.as_ref().is_none_or(|o| &e.operation == o)
                && needle.as_ref().is_none_or(|n| {
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
        };
        for line in text.lines().rev() {
            let Ok(entry) = serde_json::from_str::<StoredEntry>(line) else {
                continue;
            };
            if matches(&entry) && !each(entry)? {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use crate::save_path::modes::{mode, set_mode};
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

    /// The trail holds the before and after values of user edits (personal
    /// data): it was created 0644 in a 0755 folder.
    #[cfg(unix)]
    #[test]
    fn the_trail_and_its_folder_are_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("data").join("dev.mozaiks.admin");
        let audit = AuditLog::new(&folder);
        audit.append("{}\n").unwrap();
        assert_eq!(mode(audit.path()), "600", "audit.jsonl");
        assert_eq!(mode(&folder), "700", "its folder");
    }

    /// A trail and folder an earlier version left readable to all are
    /// narrowed when found: on the audit screen's read and on an append.
    #[cfg(unix)]
    #[test]
    fn a_wider_trail_or_folder_found_is_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("dev.mozaiks.admin");
        let audit = AuditLog::new(&folder);
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(audit.path(), "").unwrap();
        set_mode(&folder, 0o755);
        set_mode(audit.path(), 0o644);
        audit.list(&AuditQuery::default()).unwrap();
        assert_eq!(mode(audit.path()), "600", "narrowed on a read");
        assert_eq!(mode(&folder), "700", "narrowed on a read");

        set_mode(&folder, 0o775);
        set_mode(audit.path(), 0o666);
        audit.append("{}\n").unwrap();
        assert_eq!(mode(audit.path()), "600", "narrowed on an append");
        assert_eq!(mode(&folder), "700", "narrowed on an append");
    }

    /// The audit's OS user is the account the process runs as, from the
    /// OS: with `$USER` unset (a service, sudo, CI) it read "unknown", and
    /// a `$USER` set to anything was believed. A child process of this test
    /// binary checks it in each environment against `id -un`.
    #[cfg(unix)]
    #[test]
    fn the_os_user_is_the_processs_account_not_the_environments() {
        const CHILD: &str = "MOZAIKS_AUDIT_OS_USER_CHILD";
        let account = std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap();
        assert!(account.status.success());
        let account = String::from_utf8(account.stdout)
            .unwrap()
            .trim()
            .to_string();
        if std::env::var_os(CHILD).is_some() {
            assert_eq!(os_user(), account);
            return;
        }
        let name = "db::audit::tests::the_os_user_is_the_processs_account_not_the_environments";
        for user in [None, Some("impostor")] {
            let mut child = std::process::Command::new(std::env::current_exe().unwrap());
            child
                .args(["--exact", name, "--nocapture", "--test-threads=1"])
                .env(CHILD, "1")
                .env_remove("USER")
                .env_remove("USERNAME")
                .env_remove("LOGNAME");
            if let Some(user) = user {
                child.env("USER", user).env("USERNAME", user);
            }
            let out = child.output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "USER={user:?}:\n{text}");
            assert!(text.contains("1 passed"), "the child ran the check: {text}");
        }
    }
}
