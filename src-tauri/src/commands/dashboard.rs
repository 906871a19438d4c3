use mozaiks_core::db::scope::UserScope;
use mozaiks_core::services::dashboard::{self, Chart, ChartId};
use mozaiks_core::services::plugins::{self, StatusPage};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

/// One dashboard chart, computed now by aggregation on the server.
#[tauri::command]
#[specta::specta]
pub async fn dashboard_chart(workspace: State<'_, Workspace>, id: ChartId) -> Result<Chart> {
    dashboard::chart(&*workspace.connection().await?, id).await
}

/// One user's plugin documents by status (the 360 view).
#[tauri::command]
#[specta::specta]
pub async fn user_plugin_status(workspace: State<'_, Workspace>, user_id: String) -> Result<Chart> {
    let user = UserScope::parse(&user_id)?;
    dashboard::plugin_status(&*workspace.connection().await?, Some(&user)).await
}

/// Writes a chart's numbers as CSV to the path the save dialog chose.
#[tauri::command]
#[specta::specta]
pub async fn save_chart_csv(
    workspace: State<'_, Workspace>,
    chart: Chart,
    path: String,
) -> Result<()> {
    dashboard::save_csv(&chart, &workspace.save_path(&path)?)
}

/// A plugin collection's documents with one status, across users or one
/// user's (`user_id`).
#[tauri::command]
#[specta::specta]
pub async fn plugin_status_documents(
    workspace: State<'_, Workspace>,
    collection: String,
    status: String,
    user_id: Option<String>,
    after: Option<String>,
) -> Result<StatusPage> {
    let user = user_id.as_deref().map(UserScope::parse).transpose()?;
    let conn = workspace.connection().await?;
    plugins::status_documents(
        &conn,
        &collection,
        &status,
        user.as_ref(),
        after.as_deref(),
        50,
    )
    .await
}
