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
