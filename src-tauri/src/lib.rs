//! The desktop shell: Tauri setup and IPC commands over `mozaiks_core`.

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use mozaiks_core::profiles::secrets::Keychain;
use mozaiks_core::workspace::Workspace;
use tauri::{Manager, Runtime};

/// Keychain service name under which profile passwords are stored.
pub const KEYCHAIN_SERVICE: &str = "dev.mozaiks.admin";

/// Every command the UI can call; also the source of `ui/src/bindings.ts`.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::*;
    use mozaiks_core::profiles::profile as p;
    use mozaiks_core::schema as s;
    tauri_specta::Builder::<R>::new()
        .disable_serde_phases()
        // The rules the UI shows or offers, from the one place that owns them.
        .constant("ROLES", s::ROLES)
        .constant("TIERS", s::TIERS)
        .constant("DIGEST_FREQUENCIES", s::DIGEST_FREQUENCIES)
        .constant("NOTIFICATION_TYPES", s::NOTIFICATION_TYPES)
        .constant("NOTIFICATION_TTL_SECONDS", s::NOTIFICATION_TTL_SECONDS)
        .constant("MAX_PAGE", s::MAX_PAGE)
        .constant("MAX_PLUGIN_SETTINGS_BYTES", s::MAX_PLUGIN_SETTINGS_BYTES)
        .constant("MAX_SEARCH_CHARS", s::MAX_SEARCH_CHARS)
        .constant("DEFAULT_AI_DATABASE", s::DEFAULT_AI_DATABASE)
        .constant("DEFAULT_SHARED_DATABASE", s::DEFAULT_SHARED_DATABASE)
        .constant("MAX_SKIP", mozaiks_core::db::query::MAX_SKIP)
        .constant(
            "MAX_QUERY_PART_BYTES",
            mozaiks_core::db::query::MAX_QUERY_PART_BYTES,
        )
        .constant("MIN_TIMEOUT_MS", p::MIN_TIMEOUT_MS)
        .constant("MAX_TIMEOUT_MS", p::MAX_TIMEOUT_MS)
        .constant("DEFAULT_TIMEOUT_MS", p::DEFAULT_TIMEOUT_MS)
        .constant("DEFAULT_URI", p::DEFAULT_URI)
        .constant(
            "CONNECT_FAILURE_STEPS",
            mozaiks_core::workspace::CONNECT_FAILURE_STEPS,
        )
        .commands(tauri_specta::collect_commands![
            profiles::list_profiles,
            profiles::create_profile,
            profiles::update_profile,
            profiles::duplicate_profile,
            profiles::delete_profile,
            profiles::environment_offer,
            profiles::adopt_environment_profile,
            profiles::trust_host_key,
            profiles::describe_uri,
            connection::test_connection,
            connection::connect,
            connection::disconnect,
            connection::overview,
            connection::deployment,
            connection::connection_health,
            connection::set_read_only,
            browse::browse_databases,
            browse::run_query,
            browse::count_query,
            browse::find_id,
            browse::explain_query,
            browse::open_document,
            browse::sample_fields,
            browse::query_history,
            browse::favourite_query,
            browse::clear_query_history,
            exports::export_query,
            exports::export_users,
            exports::export_feed,
            exports::export_audit,
            exports::export_plugin_documents,
            browse::cancel_run,
            documents::save_document,
            documents::delete_document,
            documents::insert_document,
            seed::seed_demo_data,
            users::list_users,
            users::count_users,
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
            notifications::notification_feed,
            notifications::notification_ttl,
            notifications::notification_chart,
            notifications::mark_notifications,
            notifications::delete_notifications,
            notifications::send_notification,
            plugins::plugin_overview,
            plugins::plugin_schema,
            plugins::plugin_findings,
            plugins::finding_documents,
            plugins::set_plugin_status,
            repairs::plan_repair,
            repairs::apply_repair,
            indexes::index_health,
            indexes::index_fix_plan,
            indexes::create_indexes,
            indexes::drop_index,
            dashboard::dashboard_chart,
            dashboard::user_plugin_status,
            dashboard::save_chart_csv,
            dashboard::plugin_status_documents,
        ])
}

/// Registers the commands on any runtime, so tests can drive the same app
/// through `tauri::test::mock_builder()`.
pub fn build_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(specta_builder::<R>().invoke_handler())
}

/// `MOZAIKS_ADMIN_CONFIG_DIR` points the app at another directory for its
/// profiles and audit trail (the end-to-end tests start from an empty one;
/// `mozaiks-seed` audits there too). Empty, it is unset, as for the seed.
fn dirs<R: Runtime>(app: &tauri::App<R>) -> tauri::Result<(PathBuf, PathBuf)> {
    match std::env::var_os("MOZAIKS_ADMIN_CONFIG_DIR").filter(|d| !d.is_empty()) {
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
        .run(tauri::generate_context!())
        .expect("error while running mozaiks-admin");
}

#[cfg(test)]
mod tests;
