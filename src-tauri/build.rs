fn main() {
    // The Tauri config lives at the repository root (the project's layout).
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build script failed");
}
