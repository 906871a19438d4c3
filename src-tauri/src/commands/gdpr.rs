use mozaiks_core::db::scope::UserScope;
use mozaiks_core::services::gdpr::{self, ErasePlan, ExportProgress, ExportReport};
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
    gdpr::erase(&conn, workspace.audit(), &scope, &confirm_email).await
}

/// Writes the user's data to `path` (chosen in the native save dialog).
/// A read: it works on a read-only connection, and is audited.
#[tauri::command]
#[specta::specta]
pub async fn export_user(
    workspace: State<'_, Workspace>,
    user_id: String,
    path: String,
    on_progress: Channel<ExportProgress>,
) -> Result<ExportReport> {
    let scope = UserScope::parse(&user_id)?;
    let path = workspace.save_path(&path)?;
    let conn = workspace.connection().await?;
    gdpr::export(&conn, workspace.audit(), &scope, &path, |p| {
        let _ = on_progress.send(p);
    })
    .await
}
