//! Faults: the server stops in the middle of a list, an update, a bulk
//! operation and an index build. The command monitor stops it the moment
//! the chosen command is about to be sent, so "the middle" is exact. Each
//! time: a typed error within 5 s, the connection back by itself within 2 s
//! of the server's return, the next action working, and bulk work
//! reporting exactly what was applied (checked against the server's data,
//! which an H2 store keeps across the stop).

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mongodb::event::command::CommandEvent;
use mongodb::event::EventHandler;
use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::connection::{ConnectOptions, Connection, Health};
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::services::gdpr;
use mozaiks_core::services::index_fix::{self, FixScope};
use mozaiks_core::services::notifications::{self, NotificationRef};
use mozaiks_core::services::seed::{self, SeedOptions};
use mozaiks_core::services::users::{self, UserDetail, UserEdit, UserPage, UserQuery};
use support::{audit_log, TestServer};

const TYPED_WITHIN: Duration = Duration::from_secs(5);
const BACK_WITHIN: Duration = Duration::from_secs(2);

/// A server of the test's own that the monitor stops when the `n`th
/// `command` is about to be sent.
struct Tripwire {
    server: Arc<Mutex<Option<TestServer>>>,
    command: Arc<Mutex<Option<(String, usize)>>>,
    seen: Arc<AtomicUsize>,
    /// Freeze the server instead of stopping it.
    stall: Arc<AtomicBool>,
    port: u16,
    h2: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Tripwire {
    fn start() -> Tripwire {
        let dir = tempfile::tempdir().unwrap();
        let h2 = dir.path().join("faults.mv.db");
        let server = support::start_bundled_server_with(0, Some(&h2));
        Tripwire {
            port: server.port(),
            server: Arc::new(Mutex::new(Some(server))),
            command: Arc::new(Mutex::new(None)),
            seen: Arc::new(AtomicUsize::new(0)),
            stall: Arc::new(AtomicBool::new(false)),
            h2,
            _dir: dir,
        }
    }

    fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}", self.port)
    }

    /// A connection to `database` through this server's monitor, with
    /// `users` seeded; its audit trail, and a raw handle to check the data.
    async fn connect(
        &self,
        database: &str,
        timeout_ms: u32,
        users: u32,
    ) -> (Connection, AuditLog, mongodb::Database) {
        let mut input = support::input(&self.uri(), database);
        input.timeout_ms = timeout_ms;
        let profile = input.validate(database.into()).unwrap().profile;
        let conn = Connection::open(
            &profile,
            ConnectOptions {
                command_monitor: Some(self.monitor()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let audit = audit_log();
        seed::seed(
            &conn,
            &audit,
            &SeedOptions::today(users),
            Some(database),
            |_| {},
        )
        .await
        .unwrap();
        let raw = mongodb::Client::with_uri_str(self.uri())
            .await
            .unwrap()
            .database(database);
        (conn, audit, raw)
    }

    fn monitor(&self) -> EventHandler<CommandEvent> {
        let (server, command, seen, stall) = (
            self.server.clone(),
            self.command.clone(),
            self.seen.clone(),
            self.stall.clone(),
        );
        EventHandler::callback(move |event: CommandEvent| {
            let CommandEvent::Started(e) = event else {
                return;
            };
            let armed = command.lock().unwrap().clone();
            if let Some((name, n)) = armed {
                if e.command_name == name && seen.fetch_add(1, Ordering::SeqCst) + 1 == n {
                    // Before this command leaves: a stopped server never gets
                    // it; a frozen one takes it and never answers.
                    if stall.load(Ordering::SeqCst) {
                        if let Some(s) = server.lock().unwrap().as_ref() {
                            s.pause();
                        }
                    } else if let Some(s) = server.lock().unwrap().take() {
                        s.stop();
                    }
                }
            }
        })
    }

    fn arm(&self, command: &str, n: usize) {
        self.stall.store(false, Ordering::SeqCst);
        self.seen.store(0, Ordering::SeqCst);
        *self.command.lock().unwrap() = Some((command.to_string(), n));
    }

    /// Freezes the server when the `n`th `command` is about to be sent.
    fn arm_stall(&self, command: &str, n: usize) {
        self.arm(command, n);
        self.stall.store(true, Ordering::SeqCst);
    }

    /// Starts the server again on the same port and data; how long until
    /// the connection says it is back.
    async fn restart(&self, conn: &Connection) -> Duration {
        *self.command.lock().unwrap() = None;
        let server = support::start_bundled_server_with(self.port, Some(&self.h2));
        *self.server.lock().unwrap() = Some(server);
        self.back(conn).await
    }

    /// Thaws a frozen server; how long until the connection says it is back.
    async fn thaw(&self, conn: &Connection) -> Duration {
        *self.command.lock().unwrap() = None;
        self.server.lock().unwrap().as_ref().unwrap().resume();
        self.back(conn).await
    }

    async fn back(&self, conn: &Connection) -> Duration {
        let returned = Instant::now();
        while !matches!(conn.health().await, Health::Connected) {
            assert!(
                returned.elapsed() < Duration::from_secs(10),
                "never came back"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        returned.elapsed()
    }
}

async fn timed<T>(
    what: &str,
    f: impl std::future::Future<Output = mozaiks_core::Result<T>>,
) -> mozaiks_core::Error {
    let start = Instant::now();
    let err = match f.await {
        Ok(_) => panic!("{what} succeeded with the server stopped"),
        Err(e) => e,
    };
    let took = start.elapsed();
    assert!(took < TYPED_WITHIN, "{what}: {took:?}");
    assert!(
        ["connection_lost", "server_selection_timeout"].contains(&err.code()),
        "{what}: {err:?}"
    );
    println!("{what}: {} after {took:?}", err.code());
    err
}

/// How many of `refs` the server still holds.
async fn still_there(notes: &mongodb::Collection<Document>, refs: &[&NotificationRef]) -> usize {
    let ids: Vec<mongodb::bson::oid::ObjectId> = refs
        .iter()
        .map(|r| mongodb::bson::oid::ObjectId::parse_str(&r.id).unwrap())
        .collect();
    notes
        .count_documents(doc! { "_id": { "$in": &ids } })
        .await
        .unwrap() as usize
}

/// An edit renaming the page's first user who is not a superadmin, with
/// that user's scope and detail as they are now.
async fn a_rename(
    conn: &Connection,
    page: &UserPage,
    name: &str,
) -> (UserScope, UserDetail, UserEdit) {
    let target = page
        .rows
        .iter()
        .find(|r| !r.roles.contains(&"superadmin".to_string()))
        .unwrap();
    let scope = UserScope::parse(&target.id).unwrap();
    let detail = users::detail(conn, &scope).await.unwrap();
    let edit = UserEdit {
        roles: vec!["user".into()],
        tier: Some("basic".into()),
        expires_at: None,
        display_name: Some(name.into()),
        bio: None,
        version: detail.version.clone(),
    };
    (scope, detail, edit)
}

/// The notifications of the first `n` owners in id order (the order the
/// bulk service works in), and those owners.
async fn first_owners(
    notes: &mongodb::Collection<Document>,
    n: usize,
) -> (Vec<NotificationRef>, Vec<String>) {
    let mut refs: Vec<NotificationRef> = Vec::new();
    let mut owners: Vec<String> = Vec::new();
    let mut cursor = notes
        .find(doc! {})
        .sort(doc! { "user_id": 1 })
        .await
        .unwrap();
    while let Some(note) = cursor.try_next().await.unwrap() {
        let owner = note.get_str("user_id").unwrap().to_string();
        if !owners.contains(&owner) {
            if owners.len() == n {
                break;
            }
            owners.push(owner.clone());
        }
        refs.push(NotificationRef {
            user_id: owner,
            id: note.get_object_id("_id").unwrap().to_hex(),
        });
    }
    assert_eq!(owners.len(), n);
    (refs, owners)
}

#[tokio::test]
async fn a_stopped_server_mid_operation_is_a_typed_error_and_the_app_recovers() {
    if std::env::var("MONGODB_URI").is_ok_and(|u| !u.is_empty()) {
        return; // needs a server this test may stop
    }
    let wire = Tripwire::start();
    let (conn, audit, raw) = wire.connect("faults", 1_500, 40).await;
    let mut back = Vec::new();

    // A list.
    wire.arm("find", 1);
    timed("users list", users::list(&conn, &UserQuery::default())).await;
    back.push(("list", wire.restart(&conn).await));
    let page = users::list(&conn, &UserQuery::default()).await.unwrap();
    assert!(!page.rows.is_empty(), "the next action works");

    // An update: its write never left, so the user is as before.
    let (scope, detail, edit) = a_rename(&conn, &page, "Renamed mid-fault").await;
    wire.arm("findAndModify", 1);
    timed("user update", users::update(&conn, &audit, &scope, &edit)).await;
    back.push(("update", wire.restart(&conn).await));
    assert_eq!(
        users::detail(&conn, &scope).await.unwrap().display_name,
        detail.display_name
    );
    users::update(&conn, &audit, &scope, &edit).await.unwrap();

    // A bulk delete over five users, stopped at the third: the first two
    // users' notifications are gone, the rest are all there, and the audit
    // trail says exactly that.
    let notes = raw.collection::<Document>("notifications");
    let (refs, owners) = first_owners(&notes, 5).await;
    wire.arm("delete", 3);
    let start = Instant::now();
    let err = notifications::delete(&conn, &audit, &refs)
        .await
        .unwrap_err();
    assert!(start.elapsed() < TYPED_WITHIN);
    back.push(("bulk", wire.restart(&conn).await));
    let mut left_by_owner = Vec::new();
    for owner in &owners {
        let own: Vec<&NotificationRef> = refs.iter().filter(|r| &r.user_id == owner).collect();
        left_by_owner.push((still_there(&notes, &own).await, own.len()));
    }
    // The service works through users in id order, as `owners` is sorted.
    let applied: usize = left_by_owner[..2].iter().map(|(_, all)| all).sum();
    for (k, (left, all)) in left_by_owner.iter().enumerate() {
        assert_eq!(*left, if k < 2 { 0 } else { *all }, "owner {k}");
    }
    let mozaiks_core::Error::PartlyApplied {
        message,
        matched,
        stopped_at_user,
        cause,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*matched, stopped_at_user), (applied as f64, &owners[2]));
    assert_eq!(cause, "connection_lost");
    // No reply came for the third user's delete: the app cannot know
    // whether the server applied it, and must not claim it did not.
    let unknown = format!("whether user {}'s change applied is unknown", owners[2]);
    assert!(message.contains(&unknown), "{message}");
    println!("bulk delete: {} after {:?}", err, start.elapsed());
    let entry = audit
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .find(|e| e.operation == "delete" && e.stage == "done")
        .unwrap();
    assert!(
        entry.after.contains(&format!("\"matched\":{applied}")),
        "{}",
        entry.after
    );
    assert!(entry.after.contains(owners[2].as_str()), "{}", entry.after);

    // Stopped at its very first user: still `partly_applied`, since that
    // user's outcome is unknown, with nothing reported as applied.
    let rest: Vec<NotificationRef> = refs
        .iter()
        .filter(|r| owners[2..].contains(&r.user_id))
        .cloned()
        .collect();
    wire.arm("delete", 1);
    let err = notifications::delete(&conn, &audit, &rest)
        .await
        .unwrap_err();
    back.push(("bulk, first user", wire.restart(&conn).await));
    let mozaiks_core::Error::PartlyApplied {
        message,
        matched,
        stopped_at_user,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*matched, stopped_at_user), (0.0, &owners[2]));
    assert!(message.contains(&unknown), "{message}");
    let rest: Vec<&NotificationRef> = rest.iter().collect();
    assert_eq!(
        still_there(&notes, &rest).await,
        rest.len(),
        "its delete never left"
    );

    // An index build over three indexes, stopped at the second.
    let plan = index_fix::plan(&conn, &FixScope::All).await.unwrap();
    assert_eq!(plan.len(), 3);
    wire.arm("createIndexes", 2);
    let start = Instant::now();
    let outcome = index_fix::apply(&conn, &audit, &FixScope::All, &plan, |_| {})
        .await
        .unwrap();
    assert!(start.elapsed() < TYPED_WITHIN);
    let failed = outcome.failed.expect("the second build failed");
    assert!(["connection_lost", "server_selection_timeout"].contains(&failed.error.code()));
    assert_eq!(outcome.created.len(), 1);
    back.push(("index build", wire.restart(&conn).await));
    let built = |p: &index_fix::PlannedIndex| {
        let (raw, name, collection) = (raw.clone(), p.name.clone(), p.collection.clone());
        async move {
            raw.collection::<Document>(&collection)
                .list_index_names()
                .await
                .unwrap()
                .contains(&name)
        }
    };
    assert!(built(&plan[0]).await, "the one reported built is there");
    assert!(
        !built(&plan[1]).await && !built(&plan[2]).await,
        "nothing else was built"
    );

    for (what, took) in &back {
        println!("{what}: connection back {took:?} after the server returned");
        assert!(*took < BACK_WITHIN, "{what}: {took:?}");
    }
}

/// A server that takes the request and never answers (a hung host, a
/// network dropping packets). The driver has no socket timeout: before the
/// app's one-second heartbeat, a frozen list failed after 12.7 s (at a
/// 1.5 s timeout).
#[tokio::test]
async fn a_server_that_stops_answering_is_a_typed_error_and_the_app_recovers() {
    if std::env::var("MONGODB_URI").is_ok_and(|u| !u.is_empty()) {
        return; // needs a server this test may freeze
    }
    let wire = Tripwire::start();
    // A frozen read fails after the next beat (≤ 1 s), the monitor's own
    // timeout and the read's retry waiting for a server: at most 3.4 s here.
    let (conn, audit, raw) = wire.connect("stalls", 1_200, 20).await;
    let mut back = Vec::new();

    wire.arm_stall("find", 1);
    timed(
        "frozen users list",
        users::list(&conn, &UserQuery::default()),
    )
    .await;
    back.push(("list", wire.thaw(&conn).await));
    let page = users::list(&conn, &UserQuery::default()).await.unwrap();
    assert!(!page.rows.is_empty(), "the next action works");

    // The frozen server holds the update and may apply it once thawed:
    // the app must not say it was not applied.
    let (scope, before, mut edit) = a_rename(&conn, &page, "Renamed while frozen").await;
    wire.arm_stall("findAndModify", 1);
    let err = timed(
        "frozen user update",
        users::update(&conn, &audit, &scope, &edit),
    )
    .await;
    assert!(
        err.to_string()
            .contains("Whether the change was applied is unknown"),
        "{err}"
    );
    back.push(("update", wire.thaw(&conn).await));
    let now = users::detail(&conn, &scope).await.unwrap();
    assert!(
        [before.display_name.as_deref(), edit.display_name.as_deref()]
            .contains(&now.display_name.as_deref()),
        "{:?}",
        now.display_name
    );
    edit.version = now.version;
    edit.display_name = Some("Renamed after the thaw".into());
    users::update(&conn, &audit, &scope, &edit).await.unwrap();

    // A bulk delete over three users, frozen at the second: the first
    // user's notifications are gone and reported, the second's outcome is
    // unknown, and the third's are all there.
    let notes = raw.collection::<Document>("notifications");
    let (refs, owners) = first_owners(&notes, 3).await;
    let own = |k: usize| -> Vec<&NotificationRef> {
        refs.iter().filter(|r| r.user_id == owners[k]).collect()
    };
    wire.arm_stall("delete", 2);
    let start = Instant::now();
    let err = notifications::delete(&conn, &audit, &refs)
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(took < TYPED_WITHIN, "frozen bulk delete: {took:?}");
    back.push(("bulk", wire.thaw(&conn).await));
    let mozaiks_core::Error::PartlyApplied {
        message,
        matched,
        stopped_at_user,
        cause,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*matched, stopped_at_user, cause.as_str()),
        (own(0).len() as f64, &owners[1], "connection_lost")
    );
    assert!(
        message.contains(&format!(
            "whether user {}'s change applied is unknown",
            owners[1]
        )),
        "{message}"
    );
    println!("frozen bulk delete: {err} after {took:?}");
    assert_eq!(still_there(&notes, &own(0)).await, 0);
    assert!([0, own(1).len()].contains(&still_there(&notes, &own(1)).await));
    assert_eq!(still_there(&notes, &own(2)).await, own(2).len());

    for (what, took) in &back {
        println!("{what}: connection back {took:?} after the server answered again");
        assert!(*took < BACK_WITHIN, "{what}: {took:?}");
    }
}

/// A superadmin's erase stopped after their user document was deleted
/// said only "connection lost", and a retry found no user. Now the stop
/// says what was deleted, and the retry finishes by `user_id`.
#[tokio::test]
async fn an_erase_stopped_part_way_says_what_it_deleted_and_can_be_finished() {
    let wire = Tripwire::start();
    let (conn, audit, raw) = wire.connect("faults_erase", 1_500, 30).await;
    let users = raw.collection::<Document>("users");
    let user = support::only_superadmins(&raw, 2).await.remove(0).0;
    let plan = gdpr::erase_plan(&conn, &user).await.unwrap();
    // The user document goes first (findAndModify), then settings (the
    // first delete); the server stops before the second delete.
    wire.arm("delete", 2);
    let start = Instant::now();
    let err = gdpr::erase(&conn, &audit, &user, &plan.confirm_with)
        .await
        .unwrap_err();
    assert!(start.elapsed() < TYPED_WITHIN, "{:?}", start.elapsed());
    wire.restart(&conn).await;
    let mozaiks_core::Error::PartlyApplied {
        message, matched, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(
        message.contains("1 users") && message.contains("settings"),
        "{message}"
    );
    assert!(*matched >= 1.0, "{matched}");
    assert_eq!(
        users
            .count_documents(doc! { "_id": user.object_id() })
            .await
            .unwrap(),
        0
    );

    let resumed = gdpr::erase_plan(&conn, &user).await.unwrap();
    assert!(
        resumed.resumed && resumed.confirm_with == user.user_id(),
        "{resumed:?}"
    );
    gdpr::erase(&conn, &audit, &user, user.user_id())
        .await
        .unwrap();
    for name in [
        "settings",
        "notifications",
        "task_manager_tasks",
        "notes_notes",
    ] {
        let left = raw
            .collection::<Document>(name)
            .count_documents(doc! { "user_id": user.user_id() })
            .await
            .unwrap();
        assert_eq!(left, 0, "{name}");
    }
}

/// A superadmin's erase deletes the user document, then checks another
/// superadmin remains. That check failing left the user deleted while the
/// erase said nothing had been: now the user is put back, or, when that
/// fails too, the erase says the user document is gone.
#[tokio::test]
async fn a_superadmin_erase_whose_check_fails_after_the_delete_says_so() {
    let wire = Tripwire::start();
    let (conn, audit, raw) = wire.connect("faults_erase_check", 1_500, 20).await;
    let users = raw.collection::<Document>("users");
    let user = support::only_superadmins(&raw, 2).await.remove(0).0;
    // Count the counts (aggregate) an erase sends before its delete: the
    // plan's, then the last-superadmin check. The next one follows the delete.
    wire.arm("aggregate", usize::MAX);
    let plan = gdpr::erase_plan(&conn, &user).await.unwrap();
    let before_delete = wire.seen.load(Ordering::SeqCst) + 1;
    wire.arm("aggregate", before_delete + 1);
    let err = gdpr::erase(&conn, &audit, &user, &plan.confirm_with)
        .await
        .unwrap_err();
    wire.restart(&conn).await;
    // The server stopped, so the user could not come back either.
    let gone = users
        .count_documents(doc! { "_id": user.object_id() })
        .await
        .unwrap()
        == 0;
    assert!(gone, "the stop came before the delete: {err:?}");
    let mozaiks_core::Error::PartlyApplied { message, .. } = &err else {
        panic!("the user is deleted, and the erase said {err:?}")
    };
    assert!(
        message.contains("The user document was deleted"),
        "{message}"
    );
    assert!(!message.contains("Erase again to finish"), "{message}");
}
