use mozaiks_core::db::connection::Health;
use mozaiks_core::profiles::profile::ProfileInput;
use mozaiks_core::services::overview::{self, Overview};
use mozaiks_core::services::topology::{self, Deployment};
use mozaiks_core::workspace::{ConnectionTest, Workspace};
use mozaiks_core::{Result, Sensitive};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    workspace: State<'_, Workspace>,
    input: ProfileInput,
    existing_id: Option<String>,
) -> Result<ConnectionTest> {
    workspace.test_connection(input, existing_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn connect(
    workspace: State<'_, Workspace>,
    id: String,
    password: Option<Sensitive<String>>,
) -> Result<Overview> {
    workspace.connect(&id, password).await
}

#[tauri::command]
#[specta::specta]
pub async fn disconnect(workspace: State<'_, Workspace>) -> Result<()> {
    workspace.disconnect().await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn overview(workspace: State<'_, Workspace>) -> Result<Overview> {
    overview::overview(&*workspace.connection().await?).await
}

/// The replica set's members, or the cluster's routers and shards.
#[tauri::command]
#[specta::specta]
pub async fn deployment(workspace: State<'_, Workspace>) -> Result<Deployment> {
    topology::deployment(&*workspace.connection().await?).await
}

/// Whether the server answers now; the header polls it, and queries retry
/// once it is back (the driver reconnects by itself).
#[tauri::command]
#[specta::specta]
pub async fn connection_health(workspace: State<'_, Workspace>) -> Result<Health> {
    workspace.health().await
}

/// Leaving read-only on a production connection needs the database name
/// typed back as `confirmation`.
#[tauri::command]
#[specta::specta]
pub async fn set_read_only(
    workspace: State<'_, Workspace>,
    read_only: bool,
    confirmation: Option<String>,
) -> Result<Overview> {
    let conn = workspace.connection().await?;
    conn.set_read_only(read_only, confirmation.as_deref())?;
    overview::overview(&conn).await
}
