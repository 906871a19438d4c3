//! The desktop shell: Tauri setup and IPC commands over `mozaiks_core`.

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use mozaiks_core::secrets::Keychain;
use mozaiks_core::workspace::Workspace;
use tauri::{Manager, Runtime};

/// Keychain service name under which profile passwords are stored.
pub const KEYCHAIN_SERVICE: &str = "dev.mozaiks.admin";

/// Every command the UI can call; also the source of `ui/src/bindings.ts`.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::*;
    tauri_specta::Builder::<R>::new()
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            profiles::list_profiles,
            profiles::create_profile,
            profiles::update_profile,
            profiles::duplicate_profile,
            profiles::delete_profile,
            profiles::environment_offer,
            profiles::adopt_environment_profile,
            connection::test_connection,
            connection::connect,
            connection::disconnect,
            connection::overview,
            connection::set_read_only,
            seed::seed_demo_data,
            users::list_users,
            users::search_users,
            users::user_detail,
            users::update_user,
            users::user_notifications,
            users::plugin_collections,
            users::user_plugin_data,
            settings::user_settings,
            settings::save_notification_preferences,
            settings::save_plugin_settings,
            audit::list_audit,
            gdpr::erase_plan,
            gdpr::erase_user,
            gdpr::export_user,
        ])
}

/// Registers the commands on any runtime, so tests can drive the same app
/// through `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(specta_builder::<R>().invoke_handler())
}

/// `MOZAIKS_ADMIN_CONFIG_DIR` points the app at another directory for its
/// profiles and audit trail (the end-to-end tests start from an empty one).
fn dirs<R: Runtime>(app: &tauri::App<R>) -> tauri::Result<(PathBuf, PathBuf)> {
    match std::env::var_os("MOZAIKS_ADMIN_CONFIG_DIR") {
        Some(dir) => Ok((dir.clone().into(), dir.into())),
        None => Ok((app.path().app_config_dir()?, app.path().app_data_dir()?)),
    }
}

pub fn run() {
    let log = tauri_plugin_log::Builder::new()
        .level(log::LevelFilter::Info)
        .build();
    build_app(tauri::Builder::default())
        .plugin(log)
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let (config, data) = dirs(app)?;
            let workspace =
                Workspace::new(&config, &data, Arc::new(Keychain::new(KEYCHAIN_SERVICE)));
            log::info!("profiles file: {}", workspace.profiles_path().display());
            app.manage(workspace);
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"))
        .expect("error while running mozaiks-admin");
}

#[cfg(test)]
mod tests;
