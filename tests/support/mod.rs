//! Shared by the integration tests: a live MongoDB wire-protocol server and
//! helpers to reach it. `MONGODB_URI` selects a real server; without it the
//! bundled mongo-java-server is started once per test binary.
#![allow(dead_code)] // each test binary uses its own subset

pub mod bastion;
pub mod ferretdb;
pub mod ipc;
pub mod tls_terminator;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use mongodb::bson::{doc, Document};
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::profiles::profile::{Environment, Profile, ProfileInput};

pub struct TestServer {
    pub uri: String,
    /// Held open for the life of the test binary: the launcher exits when it closes.
    _stdin: Option<ChildStdin>,
    _child: Option<Child>,
    /// Frozen by [`TestServer::pause`]: thawed on drop, or it could never
    /// see its stdin close and would stay behind after a failed test.
    paused: std::sync::atomic::AtomicBool,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if self.paused.load(Ordering::SeqCst) {
            self.resume();
        }
    }
}

pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("MONGODB_URI") {
        Ok(uri) if !uri.is_empty() => TestServer {
            uri,
            _stdin: None,
            _child: None,
            paused: Default::default(),
        },
        _ => start_bundled_server(),
    })
}

fn start_bundled_server() -> TestServer {
    start_bundled_server_on(0)
}

/// A server of the test's own (port 0: any free one), to stop and start again.
pub fn start_bundled_server_on(port: u16) -> TestServer {
    start_bundled_server_with(port, None)
}

/// Like [`start_bundled_server_on`], keeping its data in an H2 file so a
/// stop and a start on the same port find it again.
pub fn start_bundled_server_with(port: u16, h2: Option<&std::path::Path>) -> TestServer {
    let run = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mongo-server/run");
    let mut args = vec!["--port".to_string(), port.to_string()];
    if let Some(file) = h2 {
        args.extend(["--h2".to_string(), file.display().to_string()]);
    }
    let mut child = Command::new(run)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {run}: {e} (is Java 17 installed?)"));
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .next()
        .and_then(Result::ok)
        .expect("the test server printed no URI");
    let uri = line
        .strip_prefix("MONGODB_URI=")
        .unwrap_or_else(|| panic!("unexpected launcher output: {line}"))
        .to_string();
    TestServer {
        uri,
        _stdin: child.stdin.take(),
        _child: Some(child),
        paused: Default::default(),
    }
}

/// A database name no other test uses, so tests run in parallel and against
/// a shared real server without seeing each other's data.
pub fn unique_db(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "t_{prefix}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub fn input(uri: &str, database: &str) -> ProfileInput {
    ProfileInput {
        name: "Test server".into(),
        uri: uri.into(),
        username: None,
        password: None,
        remember_password: false,
        database: Some(database.into()),
        environment: Environment::Development,
        read_only: false,
        color: "#228be6".into(),
        timeout_ms: 2_000,
        audit_to_database: false,
        analytics_from_secondaries: false,
        ssh: None,
        ssh_secret: None,
        tls: None,
        tls_key_password: None,
        read_preference: None,
        other_databases: None,
    }
}

pub fn profile(database: &str) -> Profile {
    input(&server().uri, database)
        .validate(format!("profile-{database}"))
        .unwrap()
        .profile
}

/// A driver handle of the test's own, for checking what the app wrote.
pub async fn raw_db(database: &str) -> mongodb::Database {
    mongodb::Client::with_uri_str(&server().uri)
        .await
        .unwrap()
        .database(database)
}

/// A user who is not a superadmin: edits and erases of them are allowed.
pub async fn ordinary_user(database: &str) -> Document {
    raw_db(database)
        .await
        .collection::<Document>("users")
        .find_one(mongodb::bson::doc! { "roles": { "$ne": "superadmin" } })
        .await
        .unwrap()
        .unwrap()
}

/// Every document of a collection, in `_id` order.
pub async fn dump(db: &mongodb::Database, collection: &str) -> Vec<Document> {
    use futures_util::TryStreamExt;
    db.collection::<Document>(collection)
        .find(mongodb::bson::doc! {})
        .sort(mongodb::bson::doc! { "_id": 1 })
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap()
}

/// Commands one monitored connection sent, by verdict.
#[derive(Default)]
pub struct Recorder {
    pub commands: std::sync::Mutex<Vec<(String, mozaiks_core::db::command_check::Verdict)>>,
}

impl Recorder {
    pub fn count(&self) -> usize {
        self.commands.lock().unwrap().len()
    }
}

/// Where every test binary appends the verdicts of the commands it sent;
/// `tests/scope_proof.rs` reads them all after the suite.
pub fn command_log_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("command-log")
}

/// Opens the app's connection to `database` with the command monitor the
/// scoped-layer proof relies on.
pub async fn connect(
    database: &str,
) -> (
    mozaiks_core::db::connection::Connection,
    std::sync::Arc<Recorder>,
) {
    connect_profile(&profile(database)).await
}

pub async fn connect_profile(
    profile: &Profile,
) -> (
    mozaiks_core::db::connection::Connection,
    std::sync::Arc<Recorder>,
) {
    use mongodb::event::{command::CommandEvent, EventHandler};
    use mozaiks_core::db::command_check;
    use std::io::Write;

    let recorder = std::sync::Arc::new(Recorder::default());
    let seen = recorder.clone();
    let dir = command_log_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let binary = std::env::current_exe().unwrap();
    let name = binary.file_stem().unwrap().to_string_lossy().into_owned();
    let path = dir.join(format!("{name}-{}.jsonl", std::process::id()));
    let monitor = EventHandler::callback(move |event: CommandEvent| {
        if let CommandEvent::Started(e) = event {
            let verdict = command_check::check(&e.command_name, &e.command);
            let line = serde_json::json!({
                "command": e.command_name,
                "verdict": verdict,
                "text": if matches!(verdict, command_check::Verdict::Violation { .. }) { e.command.to_string() } else { String::new() },
            });
            // One whole line per write, one writer at a time: callbacks run
            // concurrently and `Display` of JSON writes in many small pieces.
            static APPEND: std::sync::Mutex<()> = std::sync::Mutex::new(());
            let _guard = APPEND.lock().unwrap();
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap();
            file.write_all(format!("{line}\n").as_bytes()).unwrap();
            seen.commands
                .lock()
                .unwrap()
                .push((e.command_name.clone(), verdict));
        }
    });
    let conn = mozaiks_core::db::connection::Connection::open(
        profile,
        mozaiks_core::db::connection::ConnectOptions {
            command_monitor: Some(monitor),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (conn, recorder)
}

/// A database seeded with `users` users at a fixed anchor, through a monitored connection.
pub async fn seeded(
    prefix: &str,
    users: u32,
) -> (
    String,
    mozaiks_core::db::connection::Connection,
    std::sync::Arc<Recorder>,
) {
    let name = unique_db(prefix);
    let (conn, recorder) = connect(&name).await;
    let options = mozaiks_core::services::seed::SeedOptions {
        users,
        seed: 42,
        anchor: "2026-06-01T00:00:00Z".parse().unwrap(),
    };
    mozaiks_core::services::seed::seed(&conn, &audit_log(), &options, Some(&name), |_| {})
        .await
        .unwrap();
    (name, conn, recorder)
}

/// An audit trail in a directory of the test's own.
pub fn audit_log() -> mozaiks_core::db::audit::AuditLog {
    mozaiks_core::db::audit::AuditLog::new(&std::env::temp_dir().join(unique_db("audit")))
}

impl TestServer {
    pub fn port(&self) -> u16 {
        self.uri
            .rsplit(':')
            .next()
            .unwrap()
            .trim_end_matches('/')
            .parse()
            .unwrap()
    }

    /// Stops the bundled server as an operator would (SIGTERM): open
    /// connections are cut, and an H2 store is written out first.
    pub fn stop(mut self) {
        if let Some(child) = self._child.as_mut() {
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            child.wait().unwrap();
        }
    }

    /// Freezes the bundled server (SIGSTOP): its connections stay open and
    /// nothing answers, as when a host hangs or a network drops packets
    /// without a reset. [`TestServer::resume`] thaws it.
    pub fn pause(&self) {
        self.signal("STOP");
        self.paused.store(true, Ordering::SeqCst);
    }

    pub fn resume(&self) {
        self.signal("CONT");
        self.paused.store(false, Ordering::SeqCst);
    }

    fn signal(&self, name: &str) {
        let child = self._child.as_ref().expect("a bundled server");
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{name}");
    }

    /// Kills the bundled server at once, as a crash would.
    pub fn kill(mut self) {
        if let Some(child) = self._child.as_mut() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

/// Makes the first `n` users (in `_id` order) the only superadmins; their
/// scopes and emails.
pub async fn only_superadmins(raw: &mongodb::Database, n: usize) -> Vec<(UserScope, String)> {
    let users = raw.collection::<Document>("users");
    users
        .update_many(doc! {}, doc! { "$set": { "roles": ["user"] } })
        .await
        .unwrap();
    let mut chosen = Vec::new();
    for d in &dump(raw, "users").await[..n] {
        let id = d.get_object_id("_id").unwrap();
        users
            .update_one(
                doc! { "_id": id },
                doc! { "$set": { "roles": ["superadmin"] } },
            )
            .await
            .unwrap();
        chosen.push((
            UserScope::from_object_id(id),
            d.get_str("email").unwrap().to_string(),
        ));
    }
    chosen
}
