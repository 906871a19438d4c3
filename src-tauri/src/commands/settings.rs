use mozaiks_core::db::scope::UserScope;
use mozaiks_core::services::settings::{self, NotificationPreferences, UserSettings};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn user_settings(
    workspace: State<'_, Workspace>,
    user_id: String,
) -> Result<UserSettings> {
    let scope = UserScope::parse(&user_id)?;
    settings::load(&*workspace.connection().await?, &scope).await
}

/// `expected` is the `notification_preferences_json` the form was loaded
/// with; a save over a changed value fails with `conflict`.
#[tauri::command]
#[specta::specta]
pub async fn save_notification_preferences(
    workspace: State<'_, Workspace>,
    user_id: String,
    preferences: NotificationPreferences,
    expected: Option<String>,
) -> Result<UserSettings> {
    let scope = UserScope::parse(&user_id)?;
    let conn = workspace.connection().await?;
    settings::save_notification_preferences(
        &conn,
        workspace.audit(),
        &scope,
        &preferences,
        expected.as_deref(),
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn save_plugin_settings(
    workspace: State<'_, Workspace>,
    user_id: String,
    plugin: String,
    json: String,
    expected: Option<String>,
) -> Result<UserSettings> {
    let scope = UserScope::parse(&user_id)?;
    let conn = workspace.connection().await?;
    settings::save_plugin_settings(
        &conn,
        workspace.audit(),
        &scope,
        &plugin,
        &json,
        expected.as_deref(),
    )
    .await
}
