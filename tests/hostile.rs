//! The hostile-input battery: invalid and malicious inputs to every command
//! that takes input, over the real command table (Tauri's mock runtime).
//! Each must end in a typed error with a stable code, a refusal by the IPC
//! layer before any command code runs (a value of the wrong JSON type), or
//! a harmless result; within 5 s; and no collection, index, profile or
//! audit entry may change. Writes that are legitimately accepted store the
//! hostile text literally in their one target document.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};
use serde_json::{json, Value};
use support::ipc::{app, create_and_connect, invoke, profile_input, IpcApp};
use tauri::test::MockRuntime;
use tauri::WebviewWindow;

const LIMIT: Duration = Duration::from_secs(5);

/// A seeded database, the app connected to it (writable), and a user who
/// is not a superadmin, for both tests of this file.
struct Setup {
    runtime: tokio::runtime::Runtime,
    db: String,
    user_id: String,
    dir: tempfile::TempDir,
    app: IpcApp,
}

fn setup(prefix: &str, users: u32) -> Setup {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (db, user_id) = runtime.block_on(async {
        let (db, _conn, _) = support::seeded(prefix, users).await;
        let user = support::ordinary_user(&db).await;
        (db, user.get_object_id("_id").unwrap().to_hex())
    });
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    create_and_connect(&app.webview, profile_input(prefix, &db, false));
    Setup {
        runtime,
        db,
        user_id,
        dir,
        app,
    }
}

/// Text that tries to be something else: operators, code, patterns.
fn hostile_text() -> Vec<Value> {
    let deep = (0..200).fold(String::from("1"), |inner, _| format!("{{\"a\":{inner}}}"));
    vec![
        json!("{\"$gt\": \"\"}"),
        json!("$where"),
        json!("this.password_hash.length > 0"),
        json!("function() { return true; }"),
        json!("{\"$function\": {\"body\": \"return 1\", \"args\": [], \"lang\": \"js\"}}"),
        json!("{\"$expr\": {\"$eq\": [1, 1]}}"),
        json!("'; db.users.drop(); //"),
        json!(".*"),
        json!("(a+)+$"),
        json!("^(a|a)*$"),
        json!("[z-a]"),
        json!("\\"),
        json!("a\u{0}b"),
        json!("\u{202e}gnp.exe"),
        json!("__proto__"),
        json!("a.b.c"),
        json!("$set"),
        json!(""),
        json!(" "),
        json!(deep),
        json!("x".repeat(3 * 1024 * 1024)),
    ]
}

/// Values that are not a usable id.
fn hostile_ids() -> Vec<Value> {
    vec![
        json!(""),
        json!("0"),
        json!("zzzzzzzzzzzzzzzzzzzzzzzz"),
        json!("65f0c0ffee0000000000bee"),
        json!("65f0c0ffee0000000000beef0"),
        json!("65f0c0ffee0000000000beef\u{0}"),
        json!("65F0C0FFEE0000000000BEEF "),
        json!("000000000000000000000000"),
        json!({ "$oid": "65f0c0ffee0000000000beef" }),
        json!({ "$gt": "" }),
        json!({ "$ne": null }),
        json!(["65f0c0ffee0000000000beef"]),
        json!(12345),
        json!(null),
        json!(true),
    ]
}

fn hostile_numbers() -> Vec<Value> {
    vec![
        json!(-1),
        json!(0),
        json!(4_294_967_296_u64),
        json!(9_007_199_254_740_993_u64),
        json!(1e308),
        json!(-1e308),
        json!(1.5),
        json!("10"),
        json!(null),
    ]
}

fn hostile_collections() -> Vec<Value> {
    vec![
        json!("users"),
        json!("admin_audit_log"),
        json!("system.users"),
        json!("system.views"),
        json!("$cmd"),
        json!("../task_manager_tasks"),
        json!("task_manager_tasks\u{0}"),
        json!("task_manager_tasks.$"),
        json!("Task_Manager_Tasks"),
        json!("a__b"),
        json!(""),
        json!("x".repeat(300)),
        json!({ "$regex": ".*" }),
        json!(["task_manager_tasks"]),
    ]
}

/// Keys that MongoDB or JavaScript treat specially.
fn hostile_objects() -> Vec<Value> {
    let deep = (0..200).fold(json!(1), |inner, _| json!({ "a": inner }));
    vec![
        json!({ "$set": { "roles": ["superadmin"] } }),
        json!({ "a.b": 1 }),
        json!({ "": 1 }),
        json!({ "__proto__": { "admin": true } }),
        json!({ "constructor": { "prototype": {} } }),
        json!({ "$where": "sleep(10000)" }),
        deep,
        json!([1, 2, 3]),
        json!(42),
        json!("text"),
        json!(null),
    ]
}

#[derive(Default)]
struct Tally {
    tried: usize,
    typed: BTreeMap<String, usize>,
    ipc_refused: usize,
    /// Commands whose code ran for at least one input (a typed error or a
    /// result): a command only ever refused by the IPC layer was not tested.
    reached: std::collections::BTreeSet<String>,
    tried_commands: std::collections::BTreeSet<String>,
    harmless: usize,
    slowest: Duration,
}

impl Tally {
    fn run(&mut self, webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) {
        let text = args.to_string();
        // The head names the call; the tail holds the fields added last.
        let shown = match text.chars().count() {
            n if n > 320 => format!(
                "{} … {}",
                text.chars().take(160).collect::<String>(),
                text.chars().skip(n - 160).collect::<String>()
            ),
            _ => text,
        };
        let start = Instant::now();
        let result = invoke(webview, cmd, args);
        let took = start.elapsed();
        assert!(took < LIMIT, "{cmd} {shown}: {took:?}");
        self.slowest = self.slowest.max(took);
        self.tried += 1;
        self.tried_commands.insert(cmd.to_string());
        if !matches!(result, Err(Value::String(_))) {
            self.reached.insert(cmd.to_string());
        }
        match result {
            Ok(_) => {
                if std::env::var_os("BATTERY_VERBOSE").is_some() {
                    eprintln!("accepted: {cmd} {shown}");
                }
                self.harmless += 1
            }
            Err(Value::Object(e)) => {
                if std::env::var_os("BATTERY_VERBOSE").is_some() && e["type"] == "database" {
                    eprintln!("database error: {cmd} {shown}: {e:?}");
                }
                let code = e["type"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{cmd} {shown}: {e:?}"));
                assert!(
                    !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                    "{cmd} {shown}: code {code:?}"
                );
                *self.typed.entry(code.to_string()).or_insert(0) += 1;
            }
            // Tauri refuses a value of the wrong JSON type before the command runs.
            Err(Value::String(message)) => {
                assert!(message.contains("invalid args"), "{cmd} {shown}: {message}");
                self.ipc_refused += 1;
            }
            Err(other) => panic!("{cmd} {shown}: {other}"),
        }
    }
}

/// Every document and every index of every collection, and the files the
/// app writes: what no refused input may change.
async fn state(
    db: &str,
    dirs: &[&std::path::Path],
) -> (
    BTreeMap<String, (Vec<Document>, Vec<Document>)>,
    Vec<(String, Vec<u8>)>,
) {
    use futures_util::TryStreamExt;
    let raw = support::raw_db(db).await;
    let mut out = BTreeMap::new();
    for name in raw.list_collection_names().await.unwrap() {
        let coll = raw.collection::<Document>(&name);
        let indexes: Vec<Document> = raw
            .run_command(doc! { "listIndexes": &name })
            .await
            .unwrap()
            .get_document("cursor")
            .unwrap()
            .get_array("firstBatch")
            .unwrap()
            .iter()
            .map(|i| i.as_document().unwrap().clone())
            .collect();
        let docs: Vec<Document> = coll
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        out.insert(name, (docs, indexes));
    }
    let mut files: Vec<(String, Vec<u8>)> = dirs
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .filter_map(|e| e.ok())
        // The browser keeps the queries it ran: accepted ones change it by
        // design (the battery checks below that no refused one is kept).
        .filter(|e| e.path().is_file() && e.file_name() != "query-history.json")
        .map(|e| {
            (
                e.path().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    (out, files)
}

#[test]
fn the_battery_changes_nothing_and_every_answer_is_typed() {
    let Setup {
        runtime,
        db,
        user_id,
        dir,
        app,
    } = setup("hostile", 30);
    let webview = &app.webview;
    let detail = invoke(webview, "user_detail", json!({ "userId": user_id })).unwrap();
    // One of the user's tasks as the collection browser shows it, and an edit.
    let page = invoke(
        webview,
        "run_query",
        json!({ "database": "core", "collection": "task_manager_tasks", "query": { "filter": format!(r#"{{"user_id": "{user_id}"}}"#), "projection": "", "sort": "", "limit": 1, "skip": 0 } }),
    )
    .unwrap();
    let task = page["documents"][0].as_str().unwrap().to_string();
    let mut edited: Value = serde_json::from_str(&task).unwrap();
    edited["title"] = json!("hostile edit");
    let edited = edited.to_string();
    let profiles = invoke(webview, "list_profiles", json!({})).unwrap();
    let profile_id = profiles[0]["id"].as_str().unwrap().to_string();
    // Save paths outside the app's folders, beside files of the user's own:
    // there only a path's kind and the command's other checks refuse.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("run.sh"), "echo hi\n").unwrap();
    std::fs::write(outside.path().join(".bashrc"), "alias ll='ls -l'\n").unwrap();
    let dirs = [dir.path(), outside.path()];
    let before = runtime.block_on(state(&db, &dirs));

    let mut t = Tally::default();
    let text = hostile_text();
    let ids = hostile_ids();
    let collections = hostile_collections();
    let objects = hostile_objects();
    let valid_profile = |overrides: Value| {
        let mut input = json!({
            "name": "X", "uri": "mongodb://127.0.0.1:1", "username": null, "password": null,
            "remember_password": false, "database": null, "environment": "development",
            "read_only": false, "color": "#00ff00", "timeout_ms": 1000, "audit_to_database": false
        });
        for (k, v) in overrides.as_object().unwrap() {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };

    let query = |part: &str, value: &Value| {
        let mut q = json!({ "filter": "", "projection": "", "sort": "", "limit": 20, "skip": 0 });
        q[part] = value.clone();
        q
    };
    // Queries that try to read a secret without naming it (valid JSON, so
    // only for the query bar: elsewhere they are legitimate data).
    for s in [
        json!("{\"h\": \"$$ROOT.password_hash\"}"),
        json!("{\"$expr\": {\"$regexMatch\": {\"input\": {\"$getField\": \"password_hash\"}, \"regex\": \"^\\\\$2b\"}}}"),
    ] {
        for part in ["filter", "projection"] {
            t.run(webview, "run_query", json!({ "database": "core", "collection": "users", "query": query(part, &s) }));
        }
    }
    for s in &text {
        let to_path = json!({ "path": s, "format": "csv", "run_id": "hostile" });
        let to_txt = json!({ "path": outside.path().join("x.txt"), "format": "json", "run_id": s });
        t.run(webview, "export_query", json!({ "database": "core", "collection": "users", "query": query("limit", &json!(5)), "target": to_path, "onProgress": "__CHANNEL__:7" }));
        t.run(webview, "export_query", json!({ "database": "core", "collection": "users", "query": query("filter", s), "target": to_txt, "onProgress": "__CHANNEL__:7" }));
        let users = |k: &str, v: &Value| {
            let mut q = json!({ "after": null, "page_size": 10, "sort": "joined", "descending": true, "role": null, "tier": null, "subscription": null, "created_from": null, "created_to": null, "last_login_before": null });
            q[k] = v.clone();
            q
        };
        for k in [
            "role",
            "tier",
            "created_from",
            "after",
            "sort",
            "subscription",
        ] {
            t.run(
                webview,
                "export_users",
                json!({ "query": users(k, s), "target": to_txt, "onProgress": "__CHANNEL__:7" }),
            );
        }
        t.run(webview, "export_users", json!({ "query": users("role", &json!("user")), "target": to_path, "onProgress": "__CHANNEL__:7" }));
        let feed = |k: &str, v: &Value| {
            let mut q = json!({ "type": null, "read": null, "created_from": null, "created_to": null, "user_id": null, "after": null, "page_size": 10 });
            q[k] = v.clone();
            q
        };
        for k in ["type", "created_to", "user_id", "read"] {
            t.run(
                webview,
                "export_feed",
                json!({ "query": feed(k, s), "target": to_txt, "onProgress": "__CHANNEL__:7" }),
            );
        }
        t.run(webview, "export_feed", json!({ "query": feed("type", &json!("system")), "target": to_path, "onProgress": "__CHANNEL__:7" }));
        t.run(webview, "export_audit", json!({ "query": { "text": s, "collection": s, "operation": null, "limit": null }, "target": to_path, "onProgress": "__CHANNEL__:7" }));
        t.run(webview, "export_plugin_documents", json!({ "userId": s, "collection": s, "target": to_path, "onProgress": "__CHANNEL__:7" }));
        t.run(webview, "export_plugin_documents", json!({ "userId": user_id, "collection": "task_manager_tasks", "target": to_path, "onProgress": "__CHANNEL__:7" }));
        t.run(webview, "cancel_run", json!({ "runId": s }));
    }
    for id in &ids {
        t.run(
            webview,
            "open_document",
            json!({ "database": "core", "collection": "users", "id": id }),
        );
        t.run(
            webview,
            "open_document",
            json!({ "database": "core", "collection": "users", "id": id.to_string() }),
        );
        t.run(webview, "find_id", json!({ "database": "core", "id": id }));
        t.run(
            webview,
            "find_id",
            json!({ "database": "shared", "id": id }),
        );
    }
    for s in &text {
        t.run(webview, "plan_repair", json!({ "collection": "crm_contacts", "repair": { "kind": "assign_missing", "user_id": s } }));
        t.run(webview, "apply_repair", json!({ "collection": "crm_contacts", "repair": { "kind": "reassign_orphans", "user_id": s }, "fingerprint": "0000000000000000", "confirmation": null, "exportPath": null }));
        t.run(webview, "apply_repair", json!({ "collection": "crm_contacts", "repair": { "kind": "delete_orphans" }, "fingerprint": "0000000000000000", "confirmation": s, "exportPath": outside.path().join("o.jsonl") }));
        t.run(webview, "apply_repair", json!({ "collection": "crm_contacts", "repair": { "kind": "delete_orphans" }, "fingerprint": "0000000000000000", "confirmation": "delete 3", "exportPath": s }));
        t.run(webview, "save_document", json!({ "database": "core", "collection": "task_manager_tasks", "original": s, "document": edited }));
        t.run(
            webview,
            "insert_document",
            json!({ "database": "core", "collection": "users", "document": s }),
        );
        for part in ["filter", "projection", "sort"] {
            t.run(webview, "run_query", json!({ "database": "core", "collection": "crm_contacts", "query": query(part, s) }));
            t.run(
                webview,
                "explain_query",
                json!({ "database": "core", "collection": "users", "query": query(part, s) }),
            );
        }
        t.run(
            webview,
            "count_query",
            json!({ "database": "core", "collection": "users", "query": query("filter", s) }),
        );
        t.run(webview, "search_users", json!({ "text": s }));
        t.run(webview, "list_users", json!({ "query": { "after": s, "page_size": 25, "sort": "joined", "descending": true, "role": null, "tier": null, "subscription": null, "created_from": null, "created_to": null, "last_login_before": null } }));
        t.run(webview, "list_users", json!({ "query": { "after": null, "page_size": 25, "sort": "joined", "descending": true, "role": s, "tier": s, "subscription": null, "created_from": s, "created_to": null, "last_login_before": s } }));
        t.run(webview, "count_users", json!({ "query": { "after": null, "page_size": 25, "sort": "joined", "descending": true, "role": null, "tier": null, "subscription": null, "created_from": null, "created_to": s, "last_login_before": null, "last_login_after": s } }));
        t.run(webview, "notification_feed", json!({ "query": { "type": s, "read": null, "created_from": null, "created_to": null, "user_id": null, "after": s, "page_size": 25 } }));
        t.run(
            webview,
            "list_audit",
            json!({ "query": { "text": s, "collection": s, "operation": null, "limit": 10 } }),
        );
        t.run(
            webview,
            "plugin_status_documents",
            json!({ "collection": "task_manager_tasks", "status": s, "after": s }),
        );
        t.run(webview, "set_plugin_status", json!({ "userId": user_id, "collection": "task_manager_tasks", "ids": [s], "status": "done" }));
        t.run(
            webview,
            "save_plugin_settings",
            json!({ "userId": user_id, "plugin": s, "json": "{\"a\":1}", "expected": null }),
        );
        t.run(
            webview,
            "save_plugin_settings",
            json!({ "userId": user_id, "plugin": "calendar", "json": s, "expected": null }),
        );
        t.run(webview, "save_notification_preferences", json!({ "userId": user_id, "preferences": { "email_enabled": true, "push_enabled": true, "digest_frequency": s }, "expected": null }));
        if !s.as_str().unwrap().trim().is_empty() {
            t.run(webview, "send_notification", json!({ "compose": { "user_id": user_id, "type": "system", "title": "t", "message": "m", "metadata_json": s } }));
        }
        t.run(
            webview,
            "erase_user",
            json!({ "userId": user_id, "confirmEmail": s }),
        );
        t.run(
            webview,
            "drop_index",
            json!({ "collection": "crm_contacts", "name": s, "confirmation": s }),
        );
        t.run(
            webview,
            "set_read_only",
            json!({ "readOnly": false, "confirmation": s }),
        );
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "uri": s })),
        );
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "name": s, "color": s })),
        );
        t.run(webview, "update_user", json!({ "userId": user_id, "edit": { "roles": [s], "tier": s, "expires_at": s, "display_name": "X", "bio": "", "version": detail["version"] } }));
        t.run(webview, "update_user", json!({ "userId": user_id, "edit": { "roles": ["user"], "tier": "basic", "expires_at": null, "display_name": "X", "bio": "", "version": s } }));
        t.run(webview, "save_chart_csv", json!({ "chart": { "id": "roles", "title": "t", "categories": [s], "series": [], "computed_at": "", "note": null }, "path": s }));
        t.run(
            webview,
            "update_profile",
            json!({ "id": profile_id, "input": valid_profile(json!({ "name": s, "color": s }))["input"] }),
        );
        t.run(
            webview,
            "update_profile",
            json!({ "id": profile_id, "input": valid_profile(json!({ "uri": s }))["input"] }),
        );
        t.run(
            webview,
            "test_connection",
            json!({ "input": valid_profile(json!({ "uri": s }))["input"], "existingId": s }),
        );
        t.run(
            webview,
            "export_user",
            json!({ "userId": user_id, "path": s, "onProgress": "__CHANNEL__:7" }),
        );
    }
    let outside_or_ours = ["run.sh", ".bashrc", "export", "export.json.sh"]
        .map(|p| outside.path().join(p))
        .into_iter()
        .chain([dir.path().join("profiles.json"), dir.path().join("x.csv")]);
    for path in outside_or_ours {
        t.run(
            webview,
            "export_user",
            json!({ "userId": user_id, "path": path, "onProgress": "__CHANNEL__:7" }),
        );
        t.run(webview, "save_chart_csv", json!({ "chart": { "id": "roles", "title": "t", "categories": [], "series": [], "computed_at": "", "note": null }, "path": path }));
    }
    for id in &ids {
        for cmd in [
            "user_detail",
            "user_settings",
            "erase_plan",
            "user_plugin_status",
        ] {
            t.run(webview, cmd, json!({ "userId": id }));
        }
        t.run(
            webview,
            "user_notifications",
            json!({ "userId": id, "page": 0, "pageSize": 10 }),
        );
        t.run(
            webview,
            "user_plugin_data",
            json!({ "userId": id, "collection": "task_manager_tasks", "pageSize": 10 }),
        );
        t.run(
            webview,
            "mark_notifications",
            json!({ "notifications": [{ "user_id": id, "id": id }], "read": true }),
        );
        t.run(
            webview,
            "delete_notifications",
            json!({ "notifications": [{ "user_id": user_id, "id": id }] }),
        );
        t.run(webview, "set_plugin_status", json!({ "userId": id, "collection": "task_manager_tasks", "ids": [], "status": "done" }));
        t.run(webview, "send_notification", json!({ "compose": { "user_id": id, "type": "system", "title": "t", "message": "m", "metadata_json": null } }));
        t.run(webview, "connect", json!({ "id": id, "password": null }));
        t.run(webview, "delete_profile", json!({ "id": id }));
        t.run(webview, "duplicate_profile", json!({ "id": id }));
        t.run(
            webview,
            "update_profile",
            json!({ "id": id, "input": valid_profile(json!({}))["input"] }),
        );
        // A remembered password is looked up by the id: the id is what is tried.
        let remembered = valid_profile(json!({ "username": "u", "remember_password": true }));
        t.run(
            webview,
            "test_connection",
            json!({ "input": remembered["input"], "existingId": id }),
        );
        t.run(
            webview,
            "export_user",
            json!({ "userId": id, "path": outside.path().join("export.json"), "onProgress": "__CHANNEL__:7" }),
        );
    }
    // The connection sections: bastions, ports, users, key and certificate
    // files that are not what they claim. Nothing is saved, nothing read
    // past its limit, nothing waits on a file that never ends.
    let files = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let path = files.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let fifo = files.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let paths = [
        file("id_10mb", &vec![b'A'; 10 << 20]),
        file("id_text", b"hello, I am not a key\n"),
        file(
            "id_fake",
            b"-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
        file("id_empty", b""),
        file("id_binary", &[0xff, 0xfe, 0, 1, 2]),
        fifo.display().to_string(),
        files.path().display().to_string(),
        "/dev/zero".into(),
        "/proc/kmsg".into(),
        "/proc/self/environ".into(),
        "~/../../etc/shadow".into(),
        "relative/id_ed25519".into(),
        "a\0b".into(),
        "/".repeat(5000),
    ];
    let bastion = |host: Value, port: Value, user: Value, auth: Value| json!({ "host": host, "port": port, "user": user, "auth": auth });
    let key = |path: &str| json!({ "method": "key_file", "path": path, "passphrase": false });
    let agent = json!({ "method": "agent" });
    let tls = |ca: Value, cert: Value| {
        json!({ "ca_file": ca, "cert_key_file": cert, "key_password": false,
                "allow_invalid_hostnames": false, "allow_invalid_certificates": false })
    };
    for path in &paths {
        let ssh = bastion(json!("bastion.example"), json!(22), json!("ops"), key(path));
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "ssh": ssh })),
        );
        t.run(
            webview,
            "test_connection",
            json!({ "input": valid_profile(json!({ "ssh": ssh }))["input"], "existingId": null }),
        );
        for section in [tls(json!(path), Value::Null), tls(Value::Null, json!(path))] {
            t.run(
                webview,
                "create_profile",
                valid_profile(json!({ "tls": section })),
            );
        }
    }
    // Text a field may legitimately hold is tried where nothing is saved:
    // a test of the connection, towards a port nothing listens on.
    let try_connection =
        |section: Value| json!({ "input": valid_profile(section)["input"], "existingId": null });
    for s in &text {
        for ssh in [
            bastion(s.clone(), json!(1), json!("ops"), agent.clone()),
            bastion(json!("127.0.0.1"), json!(1), s.clone(), agent.clone()),
        ] {
            t.run(
                webview,
                "test_connection",
                try_connection(json!({ "ssh": ssh })),
            );
        }
        t.run(webview, "test_connection", try_connection(json!({ "read_preference": { "mode": "secondary", "tags": [{ "dc": s }], "max_staleness_seconds": 1 } })));
        t.run(
            webview,
            "trust_host_key",
            json!({ "host": s, "port": 22, "fingerprint": s }),
        );
        t.run(webview, "describe_uri", json!({ "uri": s }));
        let with_file = format!("mongodb://h/?tls=true&tlsCAFile={}", s.as_str().unwrap());
        t.run(webview, "describe_uri", json!({ "uri": with_file }));
    }
    for host in [
        "-oProxyCommand=sh",
        "a b",
        "h;rm -rf /",
        "h\nHost *",
        "x".repeat(300).as_str(),
    ] {
        let ssh = bastion(json!(host), json!(22), json!("ops"), agent.clone());
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "ssh": ssh })),
        );
    }
    for n in hostile_numbers() {
        let ssh = bastion(
            json!("bastion.example"),
            n.clone(),
            json!("ops"),
            agent.clone(),
        );
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "ssh": ssh })),
        );
        t.run(webview, "test_connection", try_connection(json!({ "read_preference": { "mode": "nearest", "tags": [], "max_staleness_seconds": n } })));
        t.run(
            webview,
            "trust_host_key",
            json!({ "host": "bastion.example", "port": n, "fingerprint": "SHA256:x" }),
        );
    }
    // An empty key path (an empty TLS path is "no file": legal).
    let ssh = bastion(json!("bastion.example"), json!(22), json!("ops"), key(""));
    t.run(
        webview,
        "create_profile",
        valid_profile(json!({ "ssh": ssh })),
    );
    // (`null` is "no section": legal.)
    for o in objects.iter().filter(|o| !o.is_null()) {
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "ssh": o })),
        );
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "tls": o })),
        );
        t.run(webview, "test_connection", try_connection(json!({ "read_preference": { "mode": "nearest", "tags": [o], "max_staleness_seconds": null } })));
    }
    // A key password with no key, and read preferences the URI contradicts.
    t.run(webview, "create_profile", valid_profile(json!({ "tls": { "ca_file": null, "cert_key_file": null, "key_password": true, "allow_invalid_hostnames": false, "allow_invalid_certificates": false }, "tls_key_password": "pw" })));
    t.run(webview, "create_profile", valid_profile(json!({ "uri": "mongodb://h/?readPreference=secondary", "read_preference": { "mode": "nearest", "tags": [], "max_staleness_seconds": null } })));
    t.run(
        webview,
        "create_profile",
        valid_profile(json!({ "uri": "ssh://bastion.example:22" })),
    );

    for n in hostile_numbers() {
        t.run(
            webview,
            "user_notifications",
            json!({ "userId": user_id, "page": n, "pageSize": n }),
        );
        t.run(
            webview,
            "user_plugin_data",
            json!({ "userId": user_id, "collection": "task_manager_tasks", "pageSize": n }),
        );
        t.run(webview, "notification_feed", json!({ "query": { "type": null, "read": null, "created_from": null, "created_to": null, "user_id": null, "after": null, "page_size": n } }));
        t.run(
            webview,
            "seed_demo_data",
            json!({ "users": n, "confirmDatabase": "wrong", "onProgress": "__CHANNEL__:9" }),
        );
        for part in ["limit", "skip"] {
            t.run(webview, "run_query", json!({ "database": "core", "collection": "crm_contacts", "query": query(part, &n) }));
        }
        t.run(
            webview,
            "create_profile",
            valid_profile(json!({ "timeout_ms": n })),
        );
    }
    // A path that would be written: only the refused collection or user stops it.
    let elsewhere = tempfile::tempdir().unwrap();
    let to_json =
        json!({ "path": elsewhere.path().join("p.json"), "format": "json", "run_id": "hostile" });
    for id in &ids {
        t.run(webview, "export_plugin_documents", json!({ "userId": id, "collection": "task_manager_tasks", "target": to_json, "onProgress": "__CHANNEL__:7" }));
    }
    for c in &collections {
        t.run(webview, "export_plugin_documents", json!({ "userId": user_id, "collection": c, "target": to_json, "onProgress": "__CHANNEL__:7" }));
    }
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "a refused export wrote"
    );
    for c in &collections {
        t.run(
            webview,
            "plan_repair",
            json!({ "collection": c, "repair": { "kind": "convert_user_ids" } }),
        );
        t.run(webview, "apply_repair", json!({ "collection": c, "repair": { "kind": "delete_orphans" }, "fingerprint": "0000000000000000", "confirmation": "delete 3", "exportPath": outside.path().join("o.jsonl") }));
        // Elsewhere than its collection, the task matches nothing or is refused.
        t.run(
            webview,
            "save_document",
            json!({ "database": "core", "collection": c, "original": task, "document": edited }),
        );
        t.run(
            webview,
            "delete_document",
            json!({ "database": "core", "collection": c, "original": task }),
        );
        t.run(
            webview,
            "save_document",
            json!({ "database": "shared", "collection": c, "original": task, "document": edited }),
        );
        t.run(
            webview,
            "sample_fields",
            json!({ "database": "core", "collection": c }),
        );
        for database in ["core", "ai"] {
            t.run(webview, "run_query", json!({ "database": database, "collection": c, "query": query("limit", &json!(5)) }));
            t.run(webview, "count_query", json!({ "database": database, "collection": c, "query": query("limit", &json!(5)) }));
        }
        t.run(webview, "plugin_schema", json!({ "collection": c }));
        t.run(webview, "plugin_findings", json!({ "collection": c }));
        t.run(
            webview,
            "finding_documents",
            json!({ "collection": c, "kind": "orphan" }),
        );
        t.run(
            webview,
            "user_plugin_data",
            json!({ "userId": user_id, "collection": c, "pageSize": 10 }),
        );
        t.run(
            webview,
            "plugin_status_documents",
            json!({ "collection": c, "status": "done", "after": null }),
        );
        t.run(
            webview,
            "set_plugin_status",
            json!({ "userId": user_id, "collection": c, "ids": [], "status": "done" }),
        );
        t.run(
            webview,
            "index_fix_plan",
            json!({ "scope": { "scope": "collection", "collection": c } }),
        );
        t.run(
            webview,
            "drop_index",
            json!({ "collection": c, "name": "_id_", "confirmation": "_id_" }),
        );
        t.run(
            webview,
            "drop_index",
            json!({ "collection": c, "name": "*", "confirmation": "*" }),
        );
    }
    for o in &objects {
        t.run(
            webview,
            "plan_repair",
            json!({ "collection": "crm_contacts", "repair": o }),
        );
        t.run(webview, "apply_repair", json!({ "collection": "crm_contacts", "repair": { "kind": "convert_user_ids" }, "fingerprint": o, "confirmation": null, "exportPath": null }));
        let text = o.to_string();
        t.run(webview, "save_document", json!({ "database": "core", "collection": "task_manager_tasks", "original": text, "document": edited }));
        t.run(webview, "save_document", json!({ "database": "core", "collection": "task_manager_tasks", "original": task, "document": text }));
        t.run(
            webview,
            "delete_document",
            json!({ "database": "core", "collection": "task_manager_tasks", "original": text }),
        );
        t.run(
            webview,
            "insert_document",
            json!({ "database": "core", "collection": "task_manager_tasks", "document": text }),
        );
        t.run(
            webview,
            "insert_document",
            json!({ "database": "ai", "collection": "chat_sessions", "document": text }),
        );
        for part in ["filter", "projection", "sort"] {
            t.run(webview, "run_query", json!({ "database": "core", "collection": "users", "query": query(part, &json!(o.to_string())) }));
        }
        t.run(
            webview,
            "run_query",
            json!({ "database": "core", "collection": "users", "query": o }),
        );
        t.run(
            webview,
            "run_query",
            json!({ "database": o, "collection": "users", "query": query("limit", &json!(5)) }),
        );
        t.run(webview, "save_plugin_settings", json!({ "userId": user_id, "plugin": "calendar", "json": o.to_string(), "expected": null }));
        t.run(webview, "send_notification", json!({ "compose": { "user_id": user_id, "type": "system", "title": "t", "message": "m", "metadata_json": o.to_string() } }));
        t.run(webview, "list_users", json!({ "query": o }));
        t.run(webview, "notification_feed", json!({ "query": o }));
        t.run(webview, "index_fix_plan", json!({ "scope": o }));
        t.run(webview, "create_indexes", json!({ "scope": { "scope": "all" }, "confirmed": [{ "collection": "users", "name": "x", "keys": o.to_string(), "unique": true, "expire_after_seconds": null, "replaces": "_id_", "required": true, "duplicates": [] }], "onProgress": "__CHANNEL__:8" }));
        t.run(
            webview,
            "save_chart_csv",
            json!({ "chart": o, "path": outside.path().join("c.csv") }),
        );
    }
    for kind in [
        json!("nope"),
        json!("ORPHAN"),
        json!({ "$ne": 1 }),
        json!(7),
    ] {
        t.run(
            webview,
            "finding_documents",
            json!({ "collection": "crm_contacts", "kind": kind }),
        );
        t.run(webview, "dashboard_chart", json!({ "id": kind }));
        t.run(webview, "list_users", json!({ "query": { "after": null, "page_size": 25, "sort": kind, "descending": true, "role": null, "tier": null, "subscription": null, "created_from": null, "created_to": null, "last_login_before": null } }));
    }

    // An enum argument takes no hostile value past the IPC layer: one valid
    // id shows the command itself answers.
    t.run(webview, "dashboard_chart", json!({ "id": "plugin_status" }));
    for database in ["admin", "local", "config", "Core"] {
        t.run(webview, "run_query", json!({ "database": database, "collection": "users", "query": query("limit", &json!(5)) }));
    }
    t.run(webview, "browse_databases", json!({}));
    let after = runtime.block_on(state(&db, &dirs));
    let changed: Vec<&String> = before
        .0
        .iter()
        .filter(|(name, v)| after.0.get(*name) != Some(v))
        .map(|(name, _)| name)
        .chain(after.0.keys().filter(|n| !before.0.contains_key(*n)))
        .collect();
    let files_changed = before.1 != after.1;
    println!(
        "hostile-input battery: {} inputs tried, {} typed errors {:?}, {} refused by the IPC layer (wrong JSON type), {} harmless results, slowest {:?}, collections changed: {}, app files changed: {}",
        t.tried,
        t.typed.values().sum::<usize>(),
        t.typed,
        t.ipc_refused,
        t.harmless,
        t.slowest,
        changed.len(),
        files_changed as u8,
    );
    assert!(t.tried >= 150);
    let unreached: Vec<&String> = t.tried_commands.difference(&t.reached).collect();
    assert!(
        unreached.is_empty(),
        "only refused by the IPC layer, never run: {unreached:?}"
    );
    for code in ["database", "not_connected"] {
        assert!(
            !t.typed.contains_key(code),
            "{code}: an input reached the server unchecked"
        );
    }
    assert_eq!(changed, Vec::<&String>::new(), "collections changed");
    let history = std::fs::read_to_string(dir.path().join("query-history.json")).unwrap();
    for refused in [
        "$where",
        "$function",
        "$accumulator",
        "$out",
        "$merge",
        "$getField",
    ] {
        assert!(
            !history.contains(refused),
            "a refused query was kept: {refused}"
        );
    }
    assert!(
        !files_changed,
        "app files changed: {:?} -> {:?}",
        before
            .1
            .iter()
            .map(|(n, b)| (n, b.len()))
            .collect::<Vec<_>>(),
        after
            .1
            .iter()
            .map(|(n, b)| (n, b.len()))
            .collect::<Vec<_>>()
    );
}

/// Hostile text in a write the app accepts is data: it is stored literally
/// in its one target document, and nothing else changes.
#[test]
fn accepted_hostile_text_is_stored_literally_in_its_one_document() {
    let Setup {
        runtime,
        db,
        user_id,
        dir,
        app,
    } = setup("hostile_literal", 10);
    let webview = &app.webview;
    let texts = [
        "{\"$gt\": \"\"}",
        "$where",
        "this.password_hash.length > 0",
        "'; db.users.drop(); //",
        "(a+)+$",
        "__proto__",
        "\u{202e}gnp.exe",
        "a.b.c",
    ];
    for text in texts {
        let before = runtime.block_on(state(&db, &[dir.path()])).0;
        let sent = invoke(
            webview,
            "send_notification",
            json!({ "compose": { "user_id": user_id, "type": "system", "title": text, "message": text, "metadata_json": null } }),
        )
        .unwrap();
        let detail = invoke(webview, "user_detail", json!({ "userId": user_id })).unwrap();
        let edit = json!({ "userId": user_id, "edit": { "roles": ["user"], "tier": "basic", "expires_at": null, "display_name": text, "bio": text, "version": detail["version"] } });
        invoke(webview, "update_user", edit).unwrap();
        let after = runtime.block_on(state(&db, &[dir.path()])).0;

        let added: Vec<&Document> = after["notifications"]
            .0
            .iter()
            .filter(|d| !before["notifications"].0.contains(d))
            .collect();
        assert_eq!(added.len(), 1, "{text}");
        assert_eq!(
            added[0].get_object_id("_id").unwrap().to_hex(),
            sent["row"]["id"].as_str().unwrap()
        );
        assert_eq!(
            (added[0].get_str("title"), added[0].get_str("message")),
            (Ok(text), Ok(text))
        );
        let changed_users: Vec<&Document> = after["users"]
            .0
            .iter()
            .filter(|d| !before["users"].0.contains(d))
            .collect();
        assert_eq!(changed_users.len(), 1, "{text}");
        assert_eq!(
            changed_users[0].get_object_id("_id").unwrap().to_hex(),
            user_id
        );
        let profile = changed_users[0].get_document("profile").unwrap();
        assert_eq!(
            (profile.get_str("display_name"), profile.get_str("bio")),
            (Ok(text), Ok(text))
        );
        for (name, content) in &before {
            if name != "notifications" && name != "users" {
                assert_eq!(Some(content), after.get(name), "{name} changed for {text}");
            }
        }
    }
}
