use mozaiks_core::services::index_fix::{self, FixOutcome, FixProgress, FixScope, PlannedIndex};
use mozaiks_core::services::index_health::{self, HealthProgress, HealthReport, CONCURRENCY};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::ipc::Channel;
use tauri::State;

/// Every core and plugin collection's indexes against the platform's
/// required set; a progress line per collection over `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn index_health(
    workspace: State<'_, Workspace>,
    on_progress: Channel<HealthProgress>,
) -> Result<HealthReport> {
    let conn = workspace.connection().await?;
    index_health::report(&conn, CONCURRENCY, |p| {
        // A closed window only loses progress lines.
        let _ = on_progress.send(p);
    })
    .await
}

/// What the fix would build, with the duplicates that stop a unique index.
#[tauri::command]
#[specta::specta]
pub async fn index_fix_plan(
    workspace: State<'_, Workspace>,
    scope: FixScope,
) -> Result<Vec<PlannedIndex>> {
    index_fix::plan(&*workspace.connection().await?, &scope).await
}

/// Builds exactly `confirmed` (the plan the user saw); refused read-only.
#[tauri::command]
#[specta::specta]
pub async fn create_indexes(
    workspace: State<'_, Workspace>,
    scope: FixScope,
    confirmed: Vec<PlannedIndex>,
    on_progress: Channel<FixProgress>,
) -> Result<FixOutcome> {
    let conn = workspace.connection().await?;
    index_fix::apply(&conn, workspace.audit(), &scope, &confirmed, |p| {
        let _ = on_progress.send(p);
    })
    .await
}

/// Drops an index once its name is typed back; `_id_` never.
#[tauri::command]
#[specta::specta]
pub async fn drop_index(
    workspace: State<'_, Workspace>,
    collection: String,
    name: String,
    confirmation: String,
) -> Result<()> {
    let conn = workspace.connection().await?;
    index_fix::drop_index(&conn, workspace.audit(), &collection, &name, &confirmation).await
}
