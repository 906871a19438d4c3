//! The real command table over Tauri's mock runtime: one app per test with
//! profiles of its own, and a call that answers as the webview would see it.

use std::sync::Arc;

use mozaiks_core::profiles::secrets::Keychain;
use mozaiks_core::workspace::Workspace;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

/// The app and its main window (the window needs the app alive).
pub struct IpcApp {
    pub webview: WebviewWindow<MockRuntime>,
    _app: tauri::App<MockRuntime>,
}

/// The app over the mock runtime, keeping its profiles and audit in `dir`.
pub fn app(dir: &std::path::Path) -> IpcApp {
    let app = mozaiks_admin::build_app(mock_builder())
        .manage(Workspace::new(
            dir,
            dir,
            Arc::new(Keychain::new("mozaiks-admin-test")),
        ))
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    IpcApp { webview, _app: app }
}

/// `Ok(data)` or `Err(error)`, as the webview receives them.
pub fn invoke(
    webview: &WebviewWindow<MockRuntime>,
    cmd: &str,
    body: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

/// A profile input for `db` on the test server.
pub fn profile_input(name: &str, db: &str, read_only: bool) -> Value {
    json!({
        "name": name, "uri": super::server().uri, "username": null, "password": null,
        "remember_password": false, "database": db, "environment": "development",
        "read_only": read_only, "color": "#228be6", "timeout_ms": 2000, "audit_to_database": false
    })
}

/// Saves `input` as a profile and connects it: the profile and the overview.
pub fn create_and_connect(webview: &WebviewWindow<MockRuntime>, input: Value) -> (Value, Value) {
    let profile = invoke(webview, "create_profile", json!({ "input": input })).unwrap();
    let overview = invoke(
        webview,
        "connect",
        json!({ "id": profile["id"], "password": null }),
    )
    .unwrap();
    (profile, overview)
}
