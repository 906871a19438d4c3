use mozaiks_core::db::query::QueryInput;
use mozaiks_core::schema::PlatformDatabase;
use mozaiks_core::services::browse::{self, BrowsedDatabase, FoundIds, QueryPage};
use mozaiks_core::services::users::Total;
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

/// MozaiksCore, MozaiksAI and MozaiksDB with their collections.
#[tauri::command]
#[specta::specta]
pub async fn browse_databases(workspace: State<'_, Workspace>) -> Result<Vec<BrowsedDatabase>> {
    Ok(browse::databases(&*workspace.connection().await?).await)
}

/// One page of a query bar's documents, as canonical Extended JSON.
#[tauri::command]
#[specta::specta]
pub async fn run_query(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    query: QueryInput,
) -> Result<QueryPage> {
    browse::run(
        &*workspace.connection().await?,
        database,
        &collection,
        &query,
    )
    .await
}

/// The query's count, capped in time; asked apart so rows never wait.
#[tauri::command]
#[specta::specta]
pub async fn count_query(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    query: QueryInput,
) -> Result<Total> {
    browse::count(
        &*workspace.connection().await?,
        database,
        &collection,
        &query,
    )
    .await
}

/// Looks up one ObjectId as `_id` in every collection of the database.
#[tauri::command]
#[specta::specta]
pub async fn find_id(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    id: String,
) -> Result<FoundIds> {
    browse::find_id(&*workspace.connection().await?, database, &id).await
}
