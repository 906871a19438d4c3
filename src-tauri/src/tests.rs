use std::sync::Arc;

use mozaiks_core::secrets::Keychain;
use mozaiks_core::workspace::Workspace;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

use super::*;

/// `ui/src/bindings.ts` is generated here; CI runs this test and fails when
/// the committed file differs from what the Rust types say.
#[test]
fn export_bindings() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/bindings.ts");
    specta_builder::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default().header("// @ts-nocheck\n/* eslint-disable */"),
            path,
        )
        .expect("export bindings");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("listProfiles"), "bindings lack commands");
}

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
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

/// The real command table over the mock runtime: arguments deserialize,
/// results serialize, and errors arrive as `{type, data}` with stable codes.
#[test]
fn commands_round_trip_over_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let app = build_app(mock_builder())
        .manage(Workspace::new(
            dir.path(),
            dir.path(),
            Arc::new(Keychain::new("mozaiks-admin-test")),
        ))
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

    assert_eq!(invoke(&webview, "list_profiles", json!({})), Ok(json!([])));

    let mut input = json!({
        "name": "Local", "uri": "mongodb://127.0.0.1:1", "username": null, "password": null,
        "remember_password": false, "database": null, "environment": "development",
        "read_only": false, "color": "#00ff00", "timeout_ms": 1000, "audit_to_database": false
    });
    let created = invoke(&webview, "create_profile", json!({ "input": input })).unwrap();
    assert_eq!(created["name"], "Local");
    assert_eq!(created["password"], "none");

    input["color"] = json!("green");
    let err = invoke(&webview, "create_profile", json!({ "input": input })).unwrap_err();
    assert_eq!(err["type"], "invalid_input");
    assert_eq!(err["data"]["field"], "color");

    let err = invoke(&webview, "overview", json!({})).unwrap_err();
    assert_eq!(err, json!({ "type": "not_connected" }));

    let listed = invoke(&webview, "list_profiles", json!({})).unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the refused profile was not saved"
    );
}
