//! Passwords against a real OS keychain. keyring picks its store once per
//! process, so each case re-runs this test binary as a child: one inside a
//! private D-Bus session with gnome-keyring's Secret Service, one with no
//! session bus at all.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use mozaiks_core::profiles::profile::PasswordMode;
use mozaiks_core::profiles::secrets::{Keychain, SecretStore};
use mozaiks_core::workspace::Workspace;
use mozaiks_core::Sensitive;

const SERVICE: &str = "dev.mozaiks.admin.tests";
/// Raw reserved characters on purpose: they must not end up in the host part.
const PASSWORD: &str = "Corr3ct/H0rse@Battery";

/// Runs `child` in a fresh process; `secret_service` starts one for it.
fn run_child(child: &str, secret_service: bool) {
    let exe = std::env::current_exe().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("ran");
    let test_args = [
        "--exact",
        child,
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ];
    let mut cmd = if secret_service {
        let mut c = Command::new("dbus-run-session");
        c.args(["--", "bash", "-c"])
            .arg(r#"printf %s unlock-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@""#)
            .arg("bash")
            .arg(&exe)
            .args(test_args);
        c
    } else {
        let mut c = Command::new(&exe);
        c.args(test_args).env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/mozaiks-bus",
        );
        c
    };
    // A fresh keyring directory: an existing login keyring would stay locked.
    let output = cmd
        .env("XDG_DATA_HOME", scratch.path())
        .env("MOZAIKS_CHILD_MARKER", &marker)
        .output()
        .unwrap_or_else(|e| panic!("cannot start the child ({e}); install dbus and gnome-keyring"));
    assert!(
        output.status.success() && marker.exists(),
        "child {child} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Proves the child really ran (a misspelt filter would run nothing and pass).
fn mark_ran() {
    let marker = std::env::var("MOZAIKS_CHILD_MARKER").expect("run through run_child");
    std::fs::write(marker, "ok").unwrap();
}

/// Every log line the core writes while a test runs.
#[derive(Default, Clone)]
struct CapturedLog(Arc<Mutex<String>>);

impl log::Log for CapturedLog {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let mut text = self.0.lock().unwrap();
        text.push_str(&format!(
            "{} {:?} {}\n",
            record.target(),
            record.args(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

fn contains_password(path: &Path) -> bool {
    std::fs::read_to_string(path).unwrap().contains(PASSWORD)
}

#[test]
fn keychain_round_trip_with_a_real_secret_service() {
    run_child("child_keychain_round_trip", true);
}

#[test]
#[ignore = "runs as a child of keychain_round_trip_with_a_real_secret_service"]
fn child_keychain_round_trip() {
    let log = CapturedLog::default();
    log::set_logger(Box::leak(Box::new(log.clone()))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let keychain = Keychain::new(SERVICE);
    let secret = Sensitive::new(PASSWORD.to_string());
    keychain.set("raw-entry", &secret).unwrap();
    assert_eq!(
        keychain.get("raw-entry").unwrap().unwrap().expose(),
        PASSWORD
    );
    keychain.delete("raw-entry").unwrap();
    assert!(keychain.get("raw-entry").unwrap().is_none());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path(), dir.path(), Arc::new(Keychain::new(SERVICE)));
        let uri =
            support::server()
                .uri
                .replacen("mongodb://", &format!("mongodb://ann:{PASSWORD}@"), 1);
        let mut input = support::input(&uri, "MozaiksCore");
        input.remember_password = true;
        let profile = ws.create_profile(input).await.unwrap();
        assert_eq!(profile.password, PasswordMode::Keychain);
        assert_eq!(
            keychain.get(&profile.id).unwrap().unwrap().expose(),
            PASSWORD
        );

        // What crosses IPC: the saved profile, the list, and the connect error
        // (the test server has no users, so the stored password is refused).
        let responses = [
            serde_json::to_string(&profile).unwrap(),
            serde_json::to_string(&ws.list_profiles().unwrap()).unwrap(),
            serde_json::to_string(&ws.connect(&profile.id, None).await.unwrap_err()).unwrap(),
            serde_json::to_string(&ws.duplicate_profile(&profile.id).await.unwrap()).unwrap(),
        ];
        assert!(
            responses[2].contains("authentication_failed"),
            "{}",
            responses[2]
        );
        for response in &responses {
            assert!(
                !response.contains(PASSWORD),
                "IPC response leaks it: {response}"
            );
        }
        assert!(
            !contains_password(ws.profiles_path()),
            "the profiles file holds it"
        );

        for p in ws.list_profiles().unwrap() {
            ws.delete_profile(&p.id).await.unwrap();
            assert!(
                keychain.get(&p.id).unwrap().is_none(),
                "deleting leaves the secret"
            );
        }
    });
    let logged = log.0.lock().unwrap().clone();
    assert!(
        logged.contains("saved profile"),
        "nothing was logged: {logged}"
    );
    assert!(!logged.contains(PASSWORD), "a log line holds it: {logged}");
    mark_ran();
}

#[test]
fn without_a_keychain_saving_a_password_fails_clearly() {
    run_child("child_without_keychain", false);
}

#[test]
#[ignore = "runs as a child of without_a_keychain_saving_a_password_fails_clearly"]
fn child_without_keychain() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path(), dir.path(), Arc::new(Keychain::new(SERVICE)));
        let uri = format!("mongodb://ann:{PASSWORD}@127.0.0.1:27017");
        let mut input = support::input(&uri, "MozaiksCore");
        input.remember_password = true;
        let err = ws.create_profile(input.clone()).await.unwrap_err();
        let mozaiks_core::Error::SecretStoreUnavailable { cause } = &err else {
            panic!("expected secret_store_unavailable, got {err:?}");
        };
        assert!(!cause.is_empty() && !cause.contains(PASSWORD), "{cause}");
        assert!(
            ws.list_profiles().unwrap().is_empty(),
            "a profile without its password was saved"
        );
        assert!(!ws.profiles_path().exists() || !contains_password(ws.profiles_path()));

        // The offered way out: ask at each connect, nothing stored anywhere.
        input.remember_password = false;
        let profile = ws.create_profile(input).await.unwrap();
        assert_eq!(profile.password, PasswordMode::Ask);
        assert!(!contains_password(ws.profiles_path()));
        assert_eq!(
            ws.connect(&profile.id, None).await.unwrap_err().code(),
            "password_required"
        );
    });
    mark_ran();
}
