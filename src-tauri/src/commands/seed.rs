use mozaiks_core::services::seed::{SeedProgress, SeedReport};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::ipc::Channel;
use tauri::State;

/// Replaces the demo collections with fresh seed data; refused on a
/// read-only or production connection, and on a database holding documents
/// unless `confirm_database` is its name. Progress streams over `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn seed_demo_data(
    workspace: State<'_, Workspace>,
    users: u32,
    confirm_database: Option<String>,
    on_progress: Channel<SeedProgress>,
) -> Result<SeedReport> {
    workspace
        .seed_demo_data(users, confirm_database.as_deref(), |p| {
            // A closed window only loses progress lines, never the seed itself.
            let _ = on_progress.send(p);
        })
        .await
}
