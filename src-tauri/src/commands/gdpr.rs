use std::path::PathBuf;

use mozaiks_core::gdpr::{self, ErasePlan, ExportProgress, ExportReport};
use mozaiks_core::scope::UserScope;
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::ipc::Channel;
use tauri::State;

/// The dry run: what erasing the user would delete, per collection.
#[tauri::command]
#[specta::specta]
pub async fn erase_plan(workspace: State<'_, Workspace>, user_id: String) -> Result<ErasePlan> {
    let scope = UserScope::parse(&user_id)?;
    gdpr::erase_plan(&*workspace.connection().await?, &scope).await
}

/// Deletes the user everywhere; `confirm_email` must be the user's email.
#[tauri::command]
#[specta::specta]
pub async fn erase_user(
    workspace: State<'_, Workspace>,
    user_id: String,
    confirm_email: String,
) -> Result<ErasePlan> {
    let scope = UserScope::parse(&user_id)?;
    let conn = workspace.connection().await?;
    let write = conn.write_access()?;
    gdpr::erase(&conn, &write, workspace.audit(), &scope, &confirm_email).await
}

/// Writes the user's data to `path` (chosen in the native save dialog).
#[tauri::command]
#[specta::specta]
pub async fn export_user(
    workspace: State<'_, Workspace>,
    user_id: String,
    path: String,
    on_progress: Channel<ExportProgress>,
) -> Result<ExportReport> {
    let scope = UserScope::parse(&user_id)?;
    let conn = workspace.connection().await?;
    let write = conn.write_access()?;
    gdpr::export(
        &conn,
        &write,
        workspace.audit(),
        &scope,
        &PathBuf::from(path),
        |p| {
            let _ = on_progress.send(p);
        },
    )
    .await
}
