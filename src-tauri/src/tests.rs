use super::*;

/// `ui/src/bindings.ts` is generated here; CI runs this test and fails when
/// the committed file differs from what the Rust types say.
#[test]
fn export_bindings() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/src/bindings.ts");
    specta_builder::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default().header("// @ts-nocheck\n/* eslint-disable */"),
            path,
        )
        .expect("export bindings");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("listProfiles"), "bindings lack commands");
}

/// The window may do only what the UI uses, and the page may load nothing
/// from elsewhere nor evaluate strings as code.
#[test]
fn capabilities_and_csp_grant_only_what_the_ui_uses() {
    let root = env!("CARGO_MANIFEST_DIR");
    let caps: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/src-tauri/capabilities/default.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        caps["permissions"],
        serde_json::json!(["dialog:allow-save"])
    );
    let conf: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{root}/tauri.conf.json")).unwrap())
            .unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    for remote in ["http:", "https:", "*", "ws:"] {
        let sources: Vec<&str> = csp
            .split(';')
            .flat_map(|d| d.split_whitespace().skip(1))
            .filter(|s| *s != "http://ipc.localhost")
            .collect();
        assert!(!sources.iter().any(|s| s.starts_with(remote)), "{csp}");
    }
    // The mock runtime is a dev-dependency of the tests, not a feature of the app.
    let manifest = std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap();
    let mut section = "";
    let mut tauri_lines = 0;
    for line in manifest.lines() {
        if line.starts_with('[') {
            section = line;
        } else if line.starts_with("tauri =") || line.starts_with("tauri.") {
            tauri_lines += 1;
            assert!(
                section == "[dev-dependencies]" || !line.contains("test"),
                "{section} {line}"
            );
        }
    }
    assert!(
        tauri_lines >= 2,
        "the workspace's and the app's tauri lines were read"
    );
}
