use mozaiks_core::services::notifications::BulkResult;
use mozaiks_core::services::plugins::{
    self, FindingKind, FindingsReport, PluginOverview, SchemaReport,
};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn plugin_overview(workspace: State<'_, Workspace>) -> Result<PluginOverview> {
    plugins::overview(&*workspace.connection().await?).await
}

/// Field paths, types and presence from a sample of up to 1,000 documents.
#[tauri::command]
#[specta::specta]
pub async fn plugin_schema(
    workspace: State<'_, Workspace>,
    collection: String,
) -> Result<SchemaReport> {
    plugins::schema(&*workspace.connection().await?, &collection).await
}

#[tauri::command]
#[specta::specta]
pub async fn plugin_findings(
    workspace: State<'_, Workspace>,
    collection: String,
) -> Result<FindingsReport> {
    plugins::findings(&*workspace.connection().await?, &collection).await
}

/// The documents behind a finding, as redacted Extended JSON.
#[tauri::command]
#[specta::specta]
pub async fn finding_documents(
    workspace: State<'_, Workspace>,
    collection: String,
    kind: FindingKind,
) -> Result<Vec<String>> {
    plugins::finding_documents(&*workspace.connection().await?, &collection, kind).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_plugin_status(
    workspace: State<'_, Workspace>,
    user_id: String,
    collection: String,
    ids: Vec<String>,
    status: String,
) -> Result<BulkResult> {
    let conn = workspace.connection().await?;
    plugins::set_status(
        &conn,
        workspace.audit(),
        &user_id,
        &collection,
        &ids,
        &status,
    )
    .await
}
