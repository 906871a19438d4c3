use mozaiks_core::db::explain::ExplainSummary;
use mozaiks_core::db::query::QueryInput;
use mozaiks_core::profiles::query_history::SavedQuery;
use mozaiks_core::schema::PlatformDatabase;
use mozaiks_core::services::browse::{self, BrowsedDatabase, FoundIds, QueryPage};
use mozaiks_core::services::plugins::FieldStat;
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
    let conn = workspace.connection().await?;
    let page = browse::run(&conn, database, &collection, &query).await?;
    // A history that cannot be written never fails the query that ran.
    if let Err(e) =
        workspace
            .query_history()
            .record(&conn.profile().id, database, &collection, &query)
    {
        log::warn!("query history not kept: {}", e.code());
    }
    Ok(page)
}

/// The profile's favourite queries (by name), then its recent ones.
#[tauri::command]
#[specta::specta]
pub async fn query_history(workspace: State<'_, Workspace>) -> Result<Vec<SavedQuery>> {
    let conn = workspace.connection().await?;
    workspace.query_history().list(&conn.profile().id)
}

/// Names a saved query as a favourite; `None` makes it a plain one again.
#[tauri::command]
#[specta::specta]
pub async fn favourite_query(
    workspace: State<'_, Workspace>,
    id: String,
    name: Option<String>,
) -> Result<SavedQuery> {
    let conn = workspace.connection().await?;
    workspace
        .query_history()
        .set_favourite(&conn.profile().id, &id, name.as_deref())
}

/// Forgets the profile's recent queries, keeping its favourites.
#[tauri::command]
#[specta::specta]
pub async fn clear_query_history(workspace: State<'_, Workspace>) -> Result<u32> {
    let conn = workspace.connection().await?;
    workspace.query_history().clear(&conn.profile().id)
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

/// Stops the run the UI started under `run_id`; whether one was running.
#[tauri::command]
#[specta::specta]
pub fn cancel_run(workspace: State<'_, Workspace>, run_id: String) -> Result<bool> {
    Ok(workspace.cancel(&run_id))
}

/// The server's plan for the query, where the server can explain.
#[tauri::command]
#[specta::specta]
pub async fn explain_query(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    query: QueryInput,
) -> Result<ExplainSummary> {
    browse::explain(
        &*workspace.connection().await?,
        database,
        &collection,
        &query,
    )
    .await
}

/// One whole document by its `_id` (canonical Extended JSON), for the editor.
#[tauri::command]
#[specta::specta]
pub async fn open_document(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    id: String,
) -> Result<String> {
    browse::open_document(&*workspace.connection().await?, database, &collection, &id).await
}

/// The field paths a sample of the collection holds: the query bar's hints.
#[tauri::command]
#[specta::specta]
pub async fn sample_fields(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
) -> Result<Vec<FieldStat>> {
    browse::sample_fields(&*workspace.connection().await?, database, &collection).await
}
