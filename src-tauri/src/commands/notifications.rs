use mozaiks_core::services::notifications::{
    self, BulkResult, Compose, DayCount, FeedPage, FeedQuery, NotificationRef, Sent, TtlStatus,
};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

/// Newest first, range-paged, filtered; one user's through the scoped layer.
#[tauri::command]
#[specta::specta]
pub async fn notification_feed(
    workspace: State<'_, Workspace>,
    query: FeedQuery,
) -> Result<FeedPage> {
    notifications::feed(&*workspace.connection().await?, &query).await
}

/// The TTL index as the server has it, with a warning when it is missing
/// or differs from the platform's 30 days.
#[tauri::command]
#[specta::specta]
pub async fn notification_ttl(workspace: State<'_, Workspace>) -> Result<TtlStatus> {
    notifications::ttl(&*workspace.connection().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn notification_chart(workspace: State<'_, Workspace>) -> Result<Vec<DayCount>> {
    notifications::daily_counts(&*workspace.connection().await?).await
}

#[tauri::command]
#[specta::specta]
pub async fn mark_notifications(
    workspace: State<'_, Workspace>,
    notifications: Vec<NotificationRef>,
    read: bool,
) -> Result<BulkResult> {
    let conn = workspace.connection().await?;
    notifications::set_read(&conn, workspace.audit(), &notifications, read).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_notifications(
    workspace: State<'_, Workspace>,
    notifications: Vec<NotificationRef>,
) -> Result<BulkResult> {
    let conn = workspace.connection().await?;
    notifications::delete(&conn, workspace.audit(), &notifications).await
}

#[tauri::command]
#[specta::specta]
pub async fn send_notification(workspace: State<'_, Workspace>, compose: Compose) -> Result<Sent> {
    let conn = workspace.connection().await?;
    notifications::compose(&conn, workspace.audit(), &compose).await
}
