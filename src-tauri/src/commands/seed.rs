use mozaiks_core::seed::{self, SeedOptions, SeedProgress, SeedReport};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::ipc::Channel;
use tauri::State;

/// Replaces the demo collections with fresh seed data; refused on a
/// read-only connection. Progress streams over `on_progress`.
#[tauri::command]
#[specta::specta]
pub async fn seed_demo_data(
    workspace: State<'_, Workspace>,
    users: u32,
    on_progress: Channel<SeedProgress>,
) -> Result<SeedReport> {
    let conn = workspace.connection().await?;
    let access = conn.write_access()?;
    seed::seed(&access, &SeedOptions::today(users), |p| {
        // A closed window only loses progress lines, never the seed itself.
        let _ = on_progress.send(p);
    })
    .await
}
