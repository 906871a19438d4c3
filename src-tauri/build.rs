fn main() {
    // The package is the repository's root (`tauri.conf.json` is read from
    // there); the window's capabilities stay beside the app's sources.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*"),
    )
    .expect("failed to run tauri-build");
}
