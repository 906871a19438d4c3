//! Every table of the app exported to a file, against a live server: a
//! query's results, the users list with its filters, the feed with its
//! filters, the audit trail, and one user's documents in a plugin
//! collection. Each file holds exactly what the table pages through (the
//! raw driver, or the table's own pages, say what that is), never a
//! password hash; a cancel or a refused input leaves no file; and every
//! export is audited.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::AtomicBool;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mozaiks_core::db::audit::AuditQuery;
use mozaiks_core::db::query::QueryInput;
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::redact::document_text;
use mozaiks_core::save_path::SavePath;
use mozaiks_core::schema::PlatformDatabase;
use mozaiks_core::services::export::{ExportFormat, TableExportProgress};
use mozaiks_core::services::notifications::{self, FeedQuery};
use mozaiks_core::services::table_export::{self, ExportTo};
use mozaiks_core::services::users::{self, UserQuery, UserSortField};
use serde_json::Value;
use support::{audit_log, raw_db, seeded};

/// Where a test export goes, with no progress wanted.
fn to<'a>(
    path: &'a SavePath,
    format: ExportFormat,
    cancel: &'a AtomicBool,
) -> ExportTo<'a, impl FnMut(TableExportProgress)> {
    ExportTo {
        path,
        format,
        cancel,
        progress: |_| {},
    }
}

/// The lines of a JSON-lines export, each parsed.
fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// No file but the kept ones: nothing partial or scratch left behind.
fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial") || n.contains("scratch"))
        .collect()
}

#[tokio::test]
async fn query_results_export_to_each_format_and_a_cancel_leaves_no_file() {
    let (name, conn, _) = seeded("browse_export", 40).await;
    let raw = raw_db(&name).await;
    let expected: Vec<String> = raw
        .collection::<mongodb::bson::Document>("task_manager_tasks")
        .find(doc! { "status": "todo" })
        .sort(doc! { "_id": -1 })
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(document_text)
        .collect();
    assert!(expected.len() > 5);
    let dir = tempfile::tempdir().unwrap();
    let input = QueryInput {
        filter: "{\"status\": \"todo\"}".into(),
        limit: 5, // a page size: the export takes every match
        ..Default::default()
    };
    let audit = audit_log();
    let export = |format: ExportFormat, file: &str, cancel: bool| {
        let path = dir.path().join(file);
        let conn = &conn;
        let input = &input;
        let audit = &audit;
        async move {
            let save = SavePath::new(&path, &[]).unwrap();
            let mut progress = Vec::new();
            let cancel = AtomicBool::new(cancel);
            let to = ExportTo {
                path: &save,
                format,
                cancel: &cancel,
                progress: |p: TableExportProgress| progress.push(p.documents),
            };
            let report = table_export::query(
                conn,
                audit,
                PlatformDatabase::Core,
                "task_manager_tasks",
                input,
                to,
            )
            .await
            .unwrap();
            (path, report, progress)
        }
    };

    let (path, report, progress) = export(ExportFormat::Json, "tasks.json", false).await;
    assert_eq!(report.documents as usize, expected.len());
    assert_eq!(progress.last(), Some(&report.documents));
    let array: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let texts: Vec<String> = array.iter().map(Value::to_string).collect();
    assert_eq!(
        texts, expected,
        "canonical Extended JSON, as the raw driver reads them"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let (path, _, _) = export(ExportFormat::JsonLines, "tasks.jsonl", false).await;
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(lines, expected);

    let (path, _, _) = export(ExportFormat::Csv, "tasks.csv", false).await;
    let csv = std::fs::read_to_string(&path).unwrap();
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    for column in ["_id", "user_id", "title", "status", "due_date", "tags"] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    assert_eq!(rows.count(), expected.len());

    // A cancelled export writes nothing, not even a partial file.
    let (path, report, _) = export(ExportFormat::Json, "cancelled.json", true).await;
    assert!(report.cancelled);
    assert!(!path.exists());
    // A CSV's scratch file goes with it.
    let (path, report, _) = export(ExportFormat::Csv, "cancelled.csv", true).await;
    assert!(report.cancelled);
    assert!(!path.exists());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains("partial") && !n.contains("scratch")),
        "{names:?}"
    );

    // users: the password hash is never fetched, so never exported.
    let save = SavePath::new(&dir.path().join("users.csv"), &[]).unwrap();
    let users = QueryInput {
        projection: "{\"password_hash\": 1, \"email\": 1}".into(),
        limit: 1,
        ..Default::default()
    };
    let no = AtomicBool::new(false);
    table_export::query(
        &conn,
        &audit,
        PlatformDatabase::Core,
        "users",
        &users,
        to(&save, ExportFormat::Csv, &no),
    )
    .await
    .unwrap();
    let text = std::fs::read_to_string(dir.path().join("users.csv")).unwrap();
    assert!(text.starts_with("_id,email\n"), "{}", &text[..40]);
    assert!(!text.contains("password_hash") && !text.contains("$2b$"));
    // Only to a file named for its format.
    let wrong = SavePath::new(&dir.path().join("tasks.txt"), &[]).unwrap();
    let err = table_export::query(
        &conn,
        &audit,
        PlatformDatabase::Core,
        "task_manager_tasks",
        &input,
        to(&wrong, ExportFormat::Csv, &no),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "invalid_input");

    // A read the server stops midway leaves no file, and is audited as failed.
    let failing = QueryInput {
        filter: r#"{"$expr": {"$divide": [1, 0]}}"#.into(),
        limit: 5,
        ..Default::default()
    };
    let save = SavePath::new(&dir.path().join("failed.json"), &[]).unwrap();
    let err = table_export::query(
        &conn,
        &audit,
        PlatformDatabase::Core,
        "task_manager_tasks",
        &failing,
        to(&save, ExportFormat::Json, &no),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "database", "{err:?}");
    assert!(!dir.path().join("failed.json").exists());
    assert!(leftovers(dir.path()).is_empty());
    let last = &audit.list(&AuditQuery::default()).unwrap()[0];
    assert_eq!(
        (last.stage.as_str(), last.operation.as_str()),
        ("read", "export_query")
    );
    assert!(
        last.after.contains("\"error\":\"database\""),
        "{}",
        last.after
    );

    // Each export is audited: an intent before, the read after.
    let trail = audit.list(&AuditQuery::default()).unwrap();
    let stages: Vec<(&str, &str)> = trail
        .iter()
        .map(|e| (e.stage.as_str(), e.operation.as_str()))
        .collect();
    assert_eq!(
        stages
            .iter()
            .filter(|s| **s == ("read", "export_query"))
            .count(),
        7
    );
    assert_eq!(
        stages
            .iter()
            .filter(|s| **s == ("intent", "export_query"))
            .count(),
        7
    );
    let cancelled = trail
        .iter()
        .find(|e| e.after.contains("cancelled.json") && e.stage == "read")
        .unwrap();
    assert!(
        cancelled.after.contains("\"cancelled\":true"),
        "{}",
        cancelled.after
    );
}

#[tokio::test]
async fn the_users_list_exports_with_its_filters_in_its_order() {
    let (_, conn, _) = seeded("export_users", 60).await;
    let audit = audit_log();
    let dir = tempfile::tempdir().unwrap();
    let list = UserQuery {
        role: Some("user".into()),
        sort: UserSortField::Email,
        descending: false,
        page_size: 7,
        ..Default::default()
    };
    // What the list shows, page after page.
    let mut shown = Vec::new();
    let mut page = list.clone();
    loop {
        let p = users::list(&conn, &page).await.unwrap();
        shown.extend(p.rows.iter().map(|r| r.id.clone()));
        match p.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    assert!(shown.len() > 10, "{}", shown.len());

    let path = dir.path().join("users.jsonl");
    let save = SavePath::new(&path, &[]).unwrap();
    let no = AtomicBool::new(false);
    let report = table_export::users(
        &conn,
        &audit,
        &list,
        to(&save, ExportFormat::JsonLines, &no),
    )
    .await
    .unwrap();
    assert_eq!(report.documents as usize, shown.len());
    let exported = lines(&path);
    let ids: Vec<&str> = exported
        .iter()
        .map(|d| d["_id"]["$oid"].as_str().unwrap())
        .collect();
    assert_eq!(ids, shown, "the list's users, in the list's order");
    let columns = [
        "_id",
        "email",
        "username",
        "roles",
        "subscription",
        "created_at",
        "last_login",
    ];
    for d in &exported {
        assert!(d["roles"].as_array().unwrap().contains(&"user".into()));
        for key in d.as_object().unwrap().keys() {
            assert!(columns.contains(&key.as_str()), "{key} is not a column");
        }
    }
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let csv_path = dir.path().join("users.csv");
    let save = SavePath::new(&csv_path, &[]).unwrap();
    table_export::users(&conn, &audit, &list, to(&save, ExportFormat::Csv, &no))
        .await
        .unwrap();
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(csv.lines().count(), shown.len() + 1);
    assert!(
        csv.starts_with("_id,email,username,roles,"),
        "{}",
        &csv[..60]
    );
    assert!(!csv.contains("password") && !csv.contains("$2b$"));

    // A filter the list refuses exports nothing, and audits nothing.
    let before = audit.list(&AuditQuery::default()).unwrap().len();
    let bad = UserQuery {
        role: Some("owner".into()),
        ..Default::default()
    };
    let save = SavePath::new(&dir.path().join("bad.json"), &[]).unwrap();
    let err = table_export::users(&conn, &audit, &bad, to(&save, ExportFormat::Json, &no))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(!dir.path().join("bad.json").exists());
    assert!(leftovers(dir.path()).is_empty());
    assert_eq!(audit.list(&AuditQuery::default()).unwrap().len(), before);
    // The intent says which filters were exported.
    let intent = audit
        .list(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .find(|e| e.stage == "intent" && e.operation == "export_users")
        .unwrap();
    assert!(
        intent.after.contains(r#""role":"user""#),
        "{}",
        intent.after
    );
}

/// A notification's `created_at` in milliseconds, from its canonical form.
fn created_millis(d: &Value) -> i64 {
    d["created_at"]["$date"]["$numberLong"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_feed_exports_with_its_filters_across_users_and_for_one() {
    let (name, conn, _) = seeded("export_feed", 40).await;
    let raw = raw_db(&name).await;
    let audit = audit_log();
    let dir = tempfile::tempdir().unwrap();
    let no = AtomicBool::new(false);
    let query = FeedQuery {
        created_from: Some("2026-01-01T00:00:00Z".into()),
        read: Some(false),
        page_size: 9,
        ..Default::default()
    };
    // What the feed shows, page after page.
    let mut shown = Vec::new();
    let mut page = query.clone();
    loop {
        let p = notifications::feed(&conn, &page).await.unwrap();
        shown.extend(p.rows.iter().map(|r| r.id.clone()));
        match p.next {
            Some(next) => page.after = Some(next),
            None => break,
        }
    }
    assert!(shown.len() > 10, "{}", shown.len());

    let path = dir.path().join("feed.jsonl");
    let save = SavePath::new(&path, &[]).unwrap();
    let report = table_export::feed(
        &conn,
        &audit,
        &query,
        to(&save, ExportFormat::JsonLines, &no),
    )
    .await
    .unwrap();
    let exported = lines(&path);
    assert_eq!(report.documents as usize, exported.len());
    let mut ids: Vec<&str> = exported
        .iter()
        .map(|d| d["_id"]["$oid"].as_str().unwrap())
        .collect();
    ids.sort();
    shown.sort();
    assert_eq!(ids, shown, "the feed's notifications, every one");
    let fields = [
        "_id",
        "user_id",
        "type",
        "title",
        "message",
        "read",
        "created_at",
    ];
    for d in &exported {
        assert_ne!(d["read"], true);
        for key in d.as_object().unwrap().keys() {
            assert!(fields.contains(&key.as_str()), "{key} is not a column");
        }
    }
    let times: Vec<i64> = exported.iter().map(created_millis).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(times.iter().all(|t| *t >= 1_767_225_600_000), "from 2026");

    // One user's: theirs alone, through the scoped layer.
    let owner = exported[0]["user_id"].as_str().unwrap().to_string();
    let one = FeedQuery {
        user_id: Some(owner.clone()),
        page_size: 10,
        ..Default::default()
    };
    let path = dir.path().join("one.jsonl");
    let save = SavePath::new(&path, &[]).unwrap();
    table_export::feed(&conn, &audit, &one, to(&save, ExportFormat::JsonLines, &no))
        .await
        .unwrap();
    let theirs = lines(&path);
    let expected = raw
        .collection::<Document>("notifications")
        .count_documents(doc! { "user_id": &owner })
        .await
        .unwrap();
    assert_eq!(theirs.len() as u64, expected);
    assert!(theirs.iter().all(|d| d["user_id"] == owner.as_str()));

    // A user id that is not one exports nothing.
    let bad = FeedQuery {
        user_id: Some("not-an-id".into()),
        ..Default::default()
    };
    let save = SavePath::new(&dir.path().join("bad.csv"), &[]).unwrap();
    let err = table_export::feed(&conn, &audit, &bad, to(&save, ExportFormat::Csv, &no))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_id");
    assert!(!dir.path().join("bad.csv").exists());
    let trail = audit.list(&AuditQuery::default()).unwrap();
    assert_eq!(trail.len(), 4, "two exports, an intent and a read each");
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn the_audit_trail_exports_every_matching_entry_newest_first() {
    use mozaiks_core::db::audit::Change;
    let (_, conn, _) = seeded("export_audit", 3).await;
    let audit = audit_log();
    // More entries than the audit screen lists (500 at most).
    for n in 0..700 {
        let collection = if n % 2 == 0 {
            "settings"
        } else {
            "notifications"
        };
        let change = Change::new(collection, &format!("t{n}"), "edit").values(
            Value::Null,
            serde_json::json!({ "n": n, "password_hash": "$2b$12$secret" }),
        );
        audit.record_read(&conn, "done", change).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let no = AtomicBool::new(false);
    let query = AuditQuery {
        collection: Some("settings".into()),
        limit: Some(10),
        ..Default::default()
    };
    let path = dir.path().join("audit.jsonl");
    let save = SavePath::new(&path, &[]).unwrap();
    let report = table_export::audit_trail(
        &conn,
        &audit,
        &query,
        to(&save, ExportFormat::JsonLines, &no),
    )
    .await
    .unwrap();
    assert_eq!(
        report.documents, 350,
        "every match, the screen's limit aside"
    );
    let exported = lines(&path);
    let targets: Vec<&str> = exported
        .iter()
        .map(|e| e["target_id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..700)
        .rev()
        .filter(|n| n % 2 == 0)
        .map(|n| format!("t{n}"))
        .collect();
    assert_eq!(targets, expected, "newest first");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("$2b$"), "the trail's redaction stays");

    let csv_path = dir.path().join("audit.csv");
    let save = SavePath::new(&csv_path, &[]).unwrap();
    table_export::audit_trail(&conn, &audit, &query, to(&save, ExportFormat::Csv, &no))
        .await
        .unwrap();
    let csv = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(csv.lines().count(), 351);
    assert!(csv.lines().next().unwrap().contains("after.n"));
}

#[tokio::test]
async fn one_users_plugin_documents_export_through_the_scoped_layer() {
    let (name, conn, recorder) = seeded("export_plugin", 20).await;
    let raw = raw_db(&name).await;
    let audit = audit_log();
    let tasks = raw.collection::<Document>("task_manager_tasks");
    let owner = tasks
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap()
        .get_str("user_id")
        .unwrap()
        .to_string();
    let expected: Vec<String> = tasks
        .find(doc! { "user_id": &owner })
        .sort(doc! { "_id": -1 })
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(document_text)
        .collect();
    assert!(!expected.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let no = AtomicBool::new(false);
    let user = UserScope::parse(&owner).unwrap();
    let path = dir.path().join("tasks.jsonl");
    let save = SavePath::new(&path, &[]).unwrap();
    recorder.commands.lock().unwrap().clear();
    table_export::plugin_documents(
        &conn,
        &audit,
        &user,
        "task_manager_tasks",
        to(&save, ExportFormat::JsonLines, &no),
    )
    .await
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let got: Vec<&str> = text.lines().collect();
    assert_eq!(got, expected, "the user's documents, whole, newest first");
    {
        use mozaiks_core::db::command_check::Verdict;
        let seen = recorder.commands.lock().unwrap();
        assert!(seen
            .iter()
            .any(|(_, v)| matches!(v, Verdict::Scoped { op } if op == "find")));
        assert!(seen
            .iter()
            .all(|(_, v)| !matches!(v, Verdict::CrossUserRead { .. })));
    }
    let trail = audit.list(&AuditQuery::default()).unwrap();
    assert!(trail
        .iter()
        .any(|e| e.operation == "export_plugin_documents"
            && e.target_id == owner
            && e.stage == "read"));

    // A user that does not exist: not found, no file, nothing audited.
    let entries = audit.list(&AuditQuery::default()).unwrap().len();
    let nobody = UserScope::parse("65f0c0ffee0000000000beef").unwrap();
    let save = SavePath::new(&dir.path().join("nobody.json"), &[]).unwrap();
    let err = table_export::plugin_documents(
        &conn,
        &audit,
        &nobody,
        "task_manager_tasks",
        to(&save, ExportFormat::Json, &no),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert!(!dir.path().join("nobody.json").exists());
    assert_eq!(audit.list(&AuditQuery::default()).unwrap().len(), entries);
    // `users` is not a plugin collection.
    let save = SavePath::new(&dir.path().join("users.json"), &[]).unwrap();
    let err = table_export::plugin_documents(
        &conn,
        &audit,
        &user,
        "users",
        to(&save, ExportFormat::Json, &no),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(!dir.path().join("users.json").exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[tokio::test]
async fn a_cancel_stops_an_export_waiting_on_the_server() {
    use mozaiks_core::db::connection::{ConnectOptions, Connection};
    let server = support::start_bundled_server_on(0);
    let name = support::unique_db("export_cancel");
    let profile = support::input(&server.uri, &name)
        .validate(name.clone())
        .unwrap()
        .profile;
    let conn = Connection::open(&profile, ConnectOptions::default())
        .await
        .unwrap();
    mongodb::Client::with_uri_str(&server.uri)
        .await
        .unwrap()
        .database(&name)
        .collection::<Document>("task_manager_tasks")
        .insert_one(doc! { "user_id": "65f0c0ffee0000000000beef", "title": "t" })
        .await
        .unwrap();
    let audit = audit_log();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waiting.json");
    let save = SavePath::new(&path, &[]).unwrap();
    let input = QueryInput {
        limit: 5,
        ..Default::default()
    };
    let cancel = AtomicBool::new(false);
    // The server hangs: the read waits on its first batch, and the admin cancels.
    server.pause();
    let export = table_export::query(
        &conn,
        &audit,
        PlatformDatabase::Core,
        "task_manager_tasks",
        &input,
        to(&save, ExportFormat::Json, &cancel),
    );
    let cancel_soon = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let (report, ()) = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        tokio::join!(export, cancel_soon)
    })
    .await
    .expect("the export ended");
    server.resume();
    let report = report.expect("cancelled, not failed on the hung server");
    assert!(report.cancelled);
    assert!(!path.exists());
    assert!(leftovers(dir.path()).is_empty());
    server.stop();
}
