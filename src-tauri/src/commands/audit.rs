use mozaiks_core::db::audit::{AuditEntry, AuditQuery};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Result;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub fn list_audit(workspace: State<'_, Workspace>, query: AuditQuery) -> Result<Vec<AuditEntry>> {
    workspace.audit().list(&query)
}
