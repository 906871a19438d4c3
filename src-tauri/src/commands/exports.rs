//! Every table as a file the save dialog chose: each command streams what
//! its table pages through, with progress over a channel; `run_id` lets
//! `cancel_run` stop it.

use mozaiks_core::db::audit::AuditQuery;
use mozaiks_core::db::query::QueryInput;
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::schema::PlatformDatabase;
use mozaiks_core::services::export::{ExportFormat, TableExportProgress, TableExportReport};
use mozaiks_core::services::notifications::FeedQuery;
use mozaiks_core::services::table_export::{self, ExportTo};
use mozaiks_core::services::users::UserQuery;
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::ipc::Channel;
use tauri::State;

/// What every export takes besides what it exports: the chosen file, its
/// format, the run's id, and where progress goes.
#[derive(serde::Deserialize, specta::Type)]
pub struct ExportTarget {
    pub path: String,
    pub format: ExportFormat,
    pub run_id: String,
}

/// Runs `export` with the target's file and cancel flag, sending progress
/// to the channel.
macro_rules! export_with {
    ($workspace:expr, $target:expr, $channel:expr, |$conn:ident, $to:ident| $run:expr) => {{
        let path = $workspace.save_path(&$target.path)?;
        let token = $workspace.cancel_token(&$target.run_id)?;
        let $conn = $workspace.connection().await?;
        let $to = ExportTo {
            path: &path,
            format: $target.format,
            cancel: token.flag(),
            progress: |p| {
                let _ = $channel.send(p);
            },
        };
        $run.await
    }};
}

/// Every document a query bar's query matches (its page size aside).
#[tauri::command]
#[specta::specta]
pub async fn export_query(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    query: QueryInput,
    target: ExportTarget,
    on_progress: Channel<TableExportProgress>,
) -> Result<TableExportReport> {
    let audit = workspace.audit();
    export_with!(workspace, target, on_progress, |conn, to| {
        table_export::query(&conn, audit, database, &collection, &query, to)
    })
}

/// Every user the users list's filters match, with its columns.
#[tauri::command]
#[specta::specta]
pub async fn export_users(
    workspace: State<'_, Workspace>,
    query: UserQuery,
    target: ExportTarget,
    on_progress: Channel<TableExportProgress>,
) -> Result<TableExportReport> {
    let audit = workspace.audit();
    export_with!(workspace, target, on_progress, |conn, to| {
        table_export::users(&conn, audit, &query, to)
    })
}

/// Every notification the feed's filters match, with its columns.
#[tauri::command]
#[specta::specta]
pub async fn export_feed(
    workspace: State<'_, Workspace>,
    query: FeedQuery,
    target: ExportTarget,
    on_progress: Channel<TableExportProgress>,
) -> Result<TableExportReport> {
    let audit = workspace.audit();
    export_with!(workspace, target, on_progress, |conn, to| {
        table_export::feed(&conn, audit, &query, to)
    })
}

/// Every audit entry the audit screen's filters match (its limit aside).
#[tauri::command]
#[specta::specta]
pub async fn export_audit(
    workspace: State<'_, Workspace>,
    query: AuditQuery,
    target: ExportTarget,
    on_progress: Channel<TableExportProgress>,
) -> Result<TableExportReport> {
    let audit = workspace.audit();
    export_with!(workspace, target, on_progress, |conn, to| {
        table_export::audit_trail(&conn, audit, &query, to)
    })
}

/// One user's documents in a plugin collection.
#[tauri::command]
#[specta::specta]
pub async fn export_plugin_documents(
    workspace: State<'_, Workspace>,
    user_id: String,
    collection: String,
    target: ExportTarget,
    on_progress: Channel<TableExportProgress>,
) -> Result<TableExportReport> {
    let user = UserScope::parse(&user_id)?;
    let audit = workspace.audit();
    export_with!(workspace, target, on_progress, |conn, to| {
        table_export::plugin_documents(&conn, audit, &user, &collection, to)
    })
}
