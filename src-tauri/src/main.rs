// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // WebKitGTK's accelerated compositing costs about 200 MB in the web
    // process for a UI that draws no 3D or video (scripts/bench-app has the
    // figures). Off unless the user set it: WEBKIT_DISABLE_COMPOSITING_MODE=0
    // turns it back on.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // Before any thread exists: nothing else reads the environment yet.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    mozaiks_admin::run();
}
