use mozaiks_core::db::scope::UserScope;
use mozaiks_core::services::user360::{self, PluginData, UserNotifications};
use mozaiks_core::services::users::{
    self, Total, UserDetail, UserEdit, UserPage, UserQuery, UserRow,
};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn list_users(workspace: State<'_, Workspace>, query: UserQuery) -> Result<UserPage> {
    users::list(&*workspace.connection().await?, &query).await
}

/// The total for the list's filters, loaded beside the rows (capped at 5 s;
/// past that an estimate, labelled as one, or unknown).
#[tauri::command]
#[specta::specta]
pub async fn count_users(workspace: State<'_, Workspace>, query: UserQuery) -> Result<Total> {
    users::count(&*workspace.connection().await?, &query).await
}

/// An email or username prefix, or a `users._id`.
#[tauri::command]
#[specta::specta]
pub async fn search_users(workspace: State<'_, Workspace>, text: String) -> Result<Vec<UserRow>> {
    users::search(&*workspace.connection().await?, &text).await
}

#[tauri::command]
#[specta::specta]
pub async fn user_detail(workspace: State<'_, Workspace>, user_id: String) -> Result<UserDetail> {
    let scope = UserScope::parse(&user_id)?;
    users::detail(&*workspace.connection().await?, &scope).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_user(
    workspace: State<'_, Workspace>,
    user_id: String,
    edit: UserEdit,
) -> Result<UserDetail> {
    let scope = UserScope::parse(&user_id)?;
    let conn = workspace.connection().await?;
    users::update(&conn, workspace.audit(), &scope, &edit).await
}

#[tauri::command]
#[specta::specta]
pub async fn user_notifications(
    workspace: State<'_, Workspace>,
    user_id: String,
    page: u32,
    page_size: u32,
) -> Result<UserNotifications> {
    let scope = UserScope::parse(&user_id)?;
    user360::notifications(&*workspace.connection().await?, &scope, page, page_size).await
}

#[tauri::command]
#[specta::specta]
pub async fn plugin_collections(workspace: State<'_, Workspace>) -> Result<Vec<String>> {
    user360::plugin_collections(&*workspace.connection().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn user_plugin_data(
    workspace: State<'_, Workspace>,
    user_id: String,
    collection: String,
    page_size: u32,
) -> Result<PluginData> {
    let scope = UserScope::parse(&user_id)?;
    user360::plugin_data(
        &*workspace.connection().await?,
        &scope,
        &collection,
        page_size,
    )
    .await
}
