use mozaiks_core::schema::PlatformDatabase;
use mozaiks_core::services::documents::{self, Saved};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

/// Saves the fields that differ between `original` (the document as the
/// admin opened it) and `document`; a change made meanwhile is a conflict.
#[tauri::command]
#[specta::specta]
pub async fn save_document(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    original: String,
    document: String,
) -> Result<Saved> {
    let conn = workspace.connection().await?;
    documents::save(
        &conn,
        workspace.audit(),
        database,
        &collection,
        &original,
        &document,
    )
    .await
}

/// Deletes the document if it is still as the admin saw it; the audit
/// warning, if its entry could not be written.
#[tauri::command]
#[specta::specta]
pub async fn delete_document(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    original: String,
) -> Result<Option<String>> {
    let conn = workspace.connection().await?;
    documents::delete(&conn, workspace.audit(), database, &collection, &original).await
}

#[tauri::command]
#[specta::specta]
pub async fn insert_document(
    workspace: State<'_, Workspace>,
    database: PlatformDatabase,
    collection: String,
    document: String,
) -> Result<Saved> {
    let conn = workspace.connection().await?;
    documents::insert(&conn, workspace.audit(), database, &collection, &document).await
}
