//! Every table of the app as a file: a query's results, the users list with
//! its filters, the notification feed with its filters, the audit trail,
//! and one user's documents in a plugin collection. Each reads what its
//! table pages through (the same filters and fields, in its order but for
//! ties) through one cursor, or the trail's file, straight into an
//! [`ExportFile`]. Data leaving the app is audited like a GDPR export: an
//! `intent` with the filters before the first document, then the `read`
//! with what was written (or the error that stopped it), before the file
//! takes its name.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mongodb::bson::doc;
use serde::Serialize;
use serde_json::{json, Value};

use crate::db::audit::{AuditLog, AuditQuery, Change};
use crate::db::browser::{check_collection_name, Browser};
use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::query::{Query, QueryInput};
use crate::db::scope::{PerUserCollection, UserScope};
use crate::db::users::{Fields, Users, UsersScan};
use crate::save_path::SavePath;
use crate::schema::{PlatformDatabase, NOTIFICATIONS, USERS};
use crate::services::export::{
    ExportFile, ExportFormat, TableExportProgress, TableExportReport, Written,
};
use crate::services::notifications::{feed_fields, FeedQuery};
use crate::services::users::{UserQuery, ROW_FIELDS};
use crate::{Error, Result};

/// How often a read waiting on the server looks for a cancel.
const CANCEL_POLL: Duration = Duration::from_millis(100);

/// Where an export writes, and how it reports.
pub struct ExportTo<'a, P> {
    pub path: &'a SavePath,
    pub format: ExportFormat,
    pub cancel: &'a AtomicBool,
    pub progress: P,
}

/// The export's two audit entries, named by what was read and where it
/// went (the file; for one user's documents, the user).
struct Trail<'a> {
    conn: &'a Connection,
    audit: &'a AuditLog,
    collection: String,
    operation: &'static str,
    target: String,
}

impl<'a> Trail<'a> {
    /// The `intent`: what is about to be read (`filters`) and to which file.
    async fn begin(
        conn: &'a Connection,
        audit: &'a AuditLog,
        (collection, operation): (String, &'static str),
        target: Option<String>,
        (path, filters): (&str, impl Serialize),
    ) -> Result<Trail<'a>> {
        let trail = Trail {
            conn,
            audit,
            collection,
            operation,
            target: target.unwrap_or_else(|| path.to_string()),
        };
        let filters = serde_json::to_value(filters)?;
        trail
            .record("intent", json!({ "path": path, "filters": filters }))
            .await?;
        Ok(trail)
    }

    async fn record(&self, stage: &str, after: Value) -> Result<()> {
        let change =
            Change::new(&self.collection, &self.target, self.operation).values(Value::Null, after);
        self.audit.record_read(self.conn, stage, change).await
    }

    /// The `read` entry, then the file under its name; a read that failed
    /// is audited too (its file is already gone).
    async fn end(self, read: Result<Written>) -> Result<TableExportReport> {
        match read {
            Ok(written) => {
                let r = written.report();
                let done =
                    json!({ "path": r.path, "documents": r.documents, "cancelled": r.cancelled });
                self.record("read", done).await?;
                written.keep()
            }
            Err(e) => {
                let failed = json!({ "error": e.code() });
                if let Err(lost) = self.record("read", failed).await {
                    log::warn!("an export's failure was not audited: {}", lost.code());
                }
                Err(e)
            }
        }
    }
}

/// Runs a read until it ends or the export is cancelled, whichever comes
/// first: a cancel need not wait for the server's next batch (dropping the
/// read closes its cursor).
async fn until_cancelled(
    cancel: &AtomicBool,
    read: impl Future<Output = Result<u64>>,
) -> Result<()> {
    let cancelled = async {
        while !cancel.load(Ordering::Relaxed) {
            tokio::time::sleep(CANCEL_POLL).await;
        }
    };
    tokio::select! {
        read = read => read.map(drop),
        () = cancelled => Ok(()),
    }
}

/// What the audit calls a collection of another database: `database.collection`.
fn audited_name(conn: &Connection, which: PlatformDatabase, collection: &str) -> String {
    match which {
        PlatformDatabase::Core => collection.to_string(),
        other => format!("{}.{collection}", conn.profile().platform_database(other)),
    }
}

/// Every document a query bar's query matches (not only its page).
pub async fn query(
    conn: &Connection,
    audit: &AuditLog,
    which: PlatformDatabase,
    collection: &str,
    input: &QueryInput,
    to: ExportTo<'_, impl FnMut(TableExportProgress)>,
) -> Result<TableExportReport> {
    check_collection_name(collection)?;
    let query = Query::parse(input)?;
    let mut file = ExportFile::create(to.path, to.format, to.cancel, to.progress)?;
    let what = (audited_name(conn, which, collection), "export_query");
    let trail = Trail::begin(conn, audit, what, None, (&file.target(), input)).await?;
    let read = async {
        let each = |d| file.document(d);
        until_cancelled(
            to.cancel,
            Browser::new(conn).for_each(which, collection, query, each),
        )
        .await?;
        file.finish()
    };
    trail.end(read.await).await
}

/// Every user the users list's filters match, in its order, with its columns.
pub async fn users(
    conn: &Connection,
    audit: &AuditLog,
    list: &UserQuery,
    to: ExportTo<'_, impl FnMut(TableExportProgress)>,
) -> Result<TableExportReport> {
    let scan = UsersScan {
        filter: list.filter()?,
        sort: list.sort(),
        fields: Fields::of(&ROW_FIELDS),
        allow_disk_use: !list.sort.indexed(),
    };
    let mut file = ExportFile::create(to.path, to.format, to.cancel, to.progress)?;
    let what = (USERS.into(), "export_users");
    let trail = Trail::begin(conn, audit, what, None, (&file.target(), list)).await?;
    let read = async {
        let each = |d| file.document(d);
        until_cancelled(to.cancel, Users::new(conn).for_each(scan, each)).await?;
        file.finish()
    };
    trail.end(read.await).await
}

/// Every notification the feed's filters match, newest first, with the
/// feed's columns; one user's through the scoped layer.
pub async fn feed(
    conn: &Connection,
    audit: &AuditLog,
    feed: &FeedQuery,
    to: ExportTo<'_, impl FnMut(TableExportProgress)>,
) -> Result<TableExportReport> {
    let filter = feed.filter()?;
    let scope = feed.user_id.as_deref().map(UserScope::parse).transpose()?;
    let name = PerUserCollection::parse(NOTIFICATIONS)?;
    let mut file = ExportFile::create(to.path, to.format, to.cancel, to.progress)?;
    let what = (NOTIFICATIONS.into(), "export_feed");
    let trail = Trail::begin(conn, audit, what, None, (&file.target(), feed)).await?;
    // `created_at` alone, as an index serves it either way (the feed's
    // pages also order ties by `_id`; a sort on both would be in memory).
    let sort = doc! { "created_at": -1 };
    let fields = Some(feed_fields());
    let read = async {
        let each = |d| file.document(d);
        match scope {
            Some(user) => {
                let reader = user.collection(conn, name);
                until_cancelled(to.cancel, reader.for_each(filter, sort, fields, each)).await?
            }
            None => {
                let reader = CrossUserReads::new(conn);
                until_cancelled(
                    to.cancel,
                    reader.for_each(&name, filter, sort, fields, each),
                )
                .await?
            }
        };
        file.finish()
    };
    trail.end(read.await).await
}

/// Every audit entry the audit screen's filters match (its limit aside),
/// newest first, redacted again as the trail is read.
pub async fn audit_trail(
    conn: &Connection,
    audit: &AuditLog,
    query: &AuditQuery,
    to: ExportTo<'_, impl FnMut(TableExportProgress)>,
) -> Result<TableExportReport> {
    let mut file = ExportFile::create(to.path, to.format, to.cancel, to.progress)?;
    let what = ("audit".into(), "export_audit");
    let trail = Trail::begin(conn, audit, what, None, (&file.target(), query)).await?;
    let read = audit
        .for_each_entry(query, |entry| file.document(entry))
        .and_then(|()| file.finish());
    trail.end(read).await
}

/// Every document of one user in a plugin collection, newest first, whole
/// (secrets redacted), through the scoped layer; the user must exist.
pub async fn plugin_documents(
    conn: &Connection,
    audit: &AuditLog,
    user: &UserScope,
    collection: &str,
    to: ExportTo<'_, impl FnMut(TableExportProgress)>,
) -> Result<TableExportReport> {
    let name = PerUserCollection::parse(collection)?;
    // Documents of an id no user has are orphans: the repairs export those.
    if Users::new(conn)
        .existing(&[user.object_id()])
        .await?
        .is_empty()
    {
        return Err(Error::NotFound {
            what: format!("user {}", user.user_id()),
        });
    }
    let mut file = ExportFile::create(to.path, to.format, to.cancel, to.progress)?;
    let what = (collection.into(), "export_plugin_documents");
    let filters = json!({ "user_id": user.user_id() });
    let owner = Some(user.user_id().to_string());
    let trail = Trail::begin(conn, audit, what, owner, (&file.target(), filters)).await?;
    let read = async {
        let reader = user.collection(conn, name);
        let each = |d| file.document(d);
        until_cancelled(
            to.cancel,
            reader.for_each(doc! {}, doc! { "_id": -1 }, None, each),
        )
        .await?;
        file.finish()
    };
    trail.end(read.await).await
}
