use mozaiks_core::profiles::profile::{Profile, ProfileInput, UriSections};
use mozaiks_core::workspace::{EnvironmentOffer, Workspace};
use mozaiks_core::{Error, Result};
use tauri::State;

#[tauri::command]
#[specta::specta]
pub fn list_profiles(workspace: State<'_, Workspace>) -> Result<Vec<Profile>> {
    workspace.list_profiles()
}

#[tauri::command]
#[specta::specta]
pub async fn create_profile(
    workspace: State<'_, Workspace>,
    input: ProfileInput,
) -> Result<Profile> {
    workspace.create_profile(input).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_profile(
    workspace: State<'_, Workspace>,
    id: String,
    input: ProfileInput,
) -> Result<Profile> {
    workspace.update_profile(&id, input).await
}

#[tauri::command]
#[specta::specta]
pub async fn duplicate_profile(workspace: State<'_, Workspace>, id: String) -> Result<Profile> {
    workspace.duplicate_profile(&id).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_profile(workspace: State<'_, Workspace>, id: String) -> Result<()> {
    workspace.delete_profile(&id).await
}

/// The connection `DATABASE_URI`/`ENV` describe, credentials stripped.
#[tauri::command]
#[specta::specta]
pub fn environment_offer(workspace: State<'_, Workspace>) -> Result<Option<EnvironmentOffer>> {
    workspace.environment_offer(
        std::env::var("DATABASE_URI").ok().as_deref(),
        std::env::var("ENV").ok().as_deref(),
    )
}

/// Saves the `DATABASE_URI` connection as a profile; its password never
/// crosses IPC, it goes straight from the environment to the keychain.
#[tauri::command]
#[specta::specta]
pub async fn adopt_environment_profile(
    workspace: State<'_, Workspace>,
    remember_password: bool,
) -> Result<Profile> {
    let uri = std::env::var("DATABASE_URI").map_err(|_| Error::NotFound {
        what: "DATABASE_URI".into(),
    })?;
    workspace
        .adopt_environment_profile(
            &uri,
            std::env::var("ENV").ok().as_deref(),
            remember_password,
        )
        .await
}

/// Trusts the key a bastion offered, after the user compared the
/// fingerprint `ssh_host_key_unknown` showed: only that very key is kept.
#[tauri::command]
#[specta::specta]
pub fn trust_host_key(
    workspace: State<'_, Workspace>,
    host: String,
    port: u16,
    fingerprint: String,
) -> Result<()> {
    workspace.trust_host_key(&host, port, &fingerprint)
}

/// The TLS and read-preference sections a pasted connection string fills.
#[tauri::command]
#[specta::specta]
pub fn describe_uri(uri: String) -> Result<UriSections> {
    UriSections::of(&uri)
}
