use mozaiks_core::services::repairs::{self, Repair, RepairOutcome, RepairPlan};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

/// The dry run: exactly which documents the repair changes now.
#[tauri::command]
#[specta::specta]
pub async fn plan_repair(
    workspace: State<'_, Workspace>,
    collection: String,
    repair: Repair,
) -> Result<RepairPlan> {
    repairs::plan(&*workspace.connection().await?, &collection, &repair).await
}

/// Applies the repair if it still changes the dry run's documents; a delete of
/// orphans takes the typed-back confirmation and the export file's path.
#[tauri::command]
#[specta::specta]
pub async fn apply_repair(
    workspace: State<'_, Workspace>,
    collection: String,
    repair: Repair,
    fingerprint: String,
    confirmation: Option<String>,
    export_path: Option<String>,
) -> Result<RepairOutcome> {
    let export = export_path.map(|p| workspace.save_path(&p)).transpose()?;
    let conn = workspace.connection().await?;
    repairs::apply(
        &conn,
        workspace.audit(),
        &collection,
        &repair,
        &fingerprint,
        confirmation.as_deref(),
        export.as_ref(),
    )
    .await
}
