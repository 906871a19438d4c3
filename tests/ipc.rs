//! The real command table, driven over IPC through Tauri's mock runtime:
//! arguments deserialize, results serialize, errors arrive as `{type, data}`,
//! and the backend (not the UI) refuses writes on a read-only connection.

mod support;

use mongodb::bson::{doc, Document};
use serde_json::{json, Value};
use support::ipc::{app, create_and_connect, invoke, profile_input};

async fn snapshot(db: &str) -> Vec<Vec<Document>> {
    let raw = support::raw_db(db).await;
    let mut all = Vec::new();
    for name in mozaiks_core::services::seed::SEEDED_COLLECTIONS {
        all.push(support::dump(&raw, name).await);
    }
    all
}

/// Commands that write nothing to the database: reads, and the app's own
/// state (profiles, the connection, the read-only switch, a CSV the user
/// saves). Every other command is a write and must be refused read-only.
const NOT_DATABASE_WRITES: [&str; 57] = [
    "list_profiles",
    "create_profile",
    "update_profile",
    "duplicate_profile",
    "delete_profile",
    "environment_offer",
    "adopt_environment_profile",
    "trust_host_key",
    "describe_uri",
    "test_connection",
    "connect",
    "disconnect",
    "overview",
    "deployment",
    "connection_health",
    "set_read_only",
    "list_users",
    "count_users",
    "search_users",
    "user_detail",
    "user_notifications",
    "plugin_collections",
    "user_plugin_data",
    "user_settings",
    "list_audit",
    "erase_plan",
    "export_user",
    "notification_feed",
    "notification_ttl",
    "notification_chart",
    "plugin_overview",
    "plugin_schema",
    "plugin_findings",
    "finding_documents",
    "index_health",
    "index_fix_plan",
    "dashboard_chart",
    "user_plugin_status",
    "save_chart_csv",
    "plugin_status_documents",
    "browse_databases",
    "run_query",
    "count_query",
    "plan_repair",
    "find_id",
    "export_query",
    "export_users",
    "export_feed",
    "export_audit",
    "export_plugin_documents",
    "cancel_run",
    "explain_query",
    "query_history",
    "favourite_query",
    "clear_query_history",
    "open_document",
    "sample_fields",
];

/// Every command the app registers, as the generated bindings name them.
fn command_table() -> Vec<String> {
    let bindings = include_str!("../ui/src/bindings.ts");
    let mut names: Vec<String> = bindings
        .split("__TAURI_INVOKE(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    assert!(names.len() > 40, "read the command table from the bindings");
    names
}

/// The real command table over the mock runtime: arguments deserialize,
/// results serialize, and errors arrive as `{type, data}` with stable codes.
#[test]
fn commands_round_trip_over_ipc() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let webview = &app.webview;

    assert_eq!(invoke(webview, "list_profiles", json!({})), Ok(json!([])));

    let mut input = json!({
        "name": "Local", "uri": "mongodb://127.0.0.1:1", "username": null, "password": null,
        "remember_password": false, "database": null, "environment": "development",
        "read_only": false, "color": "#00ff00", "timeout_ms": 1000, "audit_to_database": false
    });
    let created = invoke(webview, "create_profile", json!({ "input": input })).unwrap();
    assert_eq!(created["name"], "Local");
    assert_eq!(created["password"], "none");

    input["color"] = json!("green");
    let err = invoke(webview, "create_profile", json!({ "input": input })).unwrap_err();
    assert_eq!(err["type"], "invalid_input");
    assert_eq!(err["data"]["field"], "color");

    let err = invoke(webview, "overview", json!({})).unwrap_err();
    assert_eq!(err, json!({ "type": "not_connected" }));

    let listed = invoke(webview, "list_profiles", json!({})).unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the refused profile was not saved"
    );

    // Only a key a bastion really offered can be trusted: a fingerprint
    // typed from elsewhere (or a host line meant to inject) writes nothing.
    for host in ["bastion.example.com", "evil\n* ssh-ed25519 AAAA"] {
        let err = invoke(
            webview,
            "trust_host_key",
            json!({ "host": host, "port": 22, "fingerprint": "SHA256:not-offered" }),
        )
        .unwrap_err();
        assert_eq!(err["type"], "not_found", "{err}");
    }
    assert!(!dir.path().join("known_hosts").exists());
}

/// Every write command, on a read-only connection to a live server, answers
/// `read_only` and changes nothing; once writable, the same calls go through
/// (so the refusals were not argument errors).
#[test]
fn every_write_command_is_refused_on_a_read_only_connection() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (db, user_id, email) = runtime.block_on(async {
        let (db, _conn, _) = support::seeded("ipc_ro", 40).await;
        let user = support::ordinary_user(&db).await;
        (
            db,
            user.get_object_id("_id").unwrap().to_hex(),
            user.get_str("email").unwrap().to_string(),
        )
    });
    let before = runtime.block_on(snapshot(&db));
    // One notification and one task of the user, so the refusals below are
    // about read-only, not about ownership.
    let (notification_id, task_id) = runtime.block_on(async {
        let raw = support::raw_db(&db).await;
        let owned = doc! { "user_id": &user_id };
        let first = |c: &str| {
            let coll = raw.collection::<Document>(c);
            let owned = owned.clone();
            async move {
                coll.find_one(owned)
                    .await
                    .unwrap()
                    .map(|d| d.get_object_id("_id").unwrap().to_hex())
            }
        };
        (
            first("notifications").await,
            first("task_manager_tasks").await,
        )
    });
    let notification_id = notification_id.expect("the user has a notification");
    let task_id = task_id.expect("the user has a task");

    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let webview = &app.webview;

    let (_, overview) = create_and_connect(webview, profile_input("Read-only", &db, true));
    assert_eq!(overview["read_only"], true);

    // Outside the app's folder, where the save dialog would put it.
    let downloads = tempfile::tempdir().unwrap();
    let export_path = downloads.path().join("export.json");
    let detail = invoke(webview, "user_detail", json!({ "userId": user_id })).unwrap();
    // The task as the collection browser shows it, and an edit of it.
    let page = invoke(
        webview,
        "run_query",
        json!({ "database": "core", "collection": "task_manager_tasks", "query": { "filter": format!(r#"{{"_id": {{"$oid": "{task_id}"}}}}"#), "projection": "", "sort": "", "limit": 1, "skip": 0 } }),
    )
    .unwrap();
    let task_text = page["documents"][0].as_str().unwrap().to_string();
    let mut edited: Value = serde_json::from_str(&task_text).unwrap();
    edited["title"] = json!("Changed read-only");
    let writes = [
        (
            "update_user",
            json!({ "userId": user_id, "edit": { "roles": ["user"], "tier": "basic", "expires_at": null, "display_name": "X", "bio": "", "version": detail["version"] } }),
        ),
        (
            "save_notification_preferences",
            json!({ "userId": user_id, "preferences": { "email_enabled": false, "push_enabled": false, "digest_frequency": "never" }, "expected": null }),
        ),
        (
            "save_plugin_settings",
            json!({ "userId": user_id, "plugin": "calendar", "json": "{\"a\":1}", "expected": null }),
        ),
        (
            "erase_user",
            json!({ "userId": user_id, "confirmEmail": email }),
        ),
        (
            "send_notification",
            json!({ "compose": { "user_id": user_id, "type": "system", "title": "Hi", "message": "Hello", "metadata_json": null } }),
        ),
        (
            "set_plugin_status",
            json!({ "userId": user_id, "collection": "task_manager_tasks", "ids": [task_id], "status": "done" }),
        ),
        (
            "mark_notifications",
            json!({ "notifications": [{ "user_id": user_id, "id": notification_id }], "read": true }),
        ),
        (
            "delete_notifications",
            json!({ "notifications": [{ "user_id": user_id, "id": notification_id }] }),
        ),
        (
            "seed_demo_data",
            json!({ "users": 5, "confirmDatabase": db, "onProgress": "__CHANNEL__:2" }),
        ),
        (
            "create_indexes",
            json!({ "scope": { "scope": "all" }, "confirmed": [], "onProgress": "__CHANNEL__:3" }),
        ),
        (
            "drop_index",
            json!({ "collection": "crm_contacts", "name": "email_1", "confirmation": "email_1" }),
        ),
        (
            "apply_repair",
            json!({ "collection": "crm_contacts", "repair": { "kind": "convert_user_ids" }, "fingerprint": "0000000000000000", "confirmation": null, "exportPath": null }),
        ),
        (
            "save_document",
            json!({ "database": "core", "collection": "task_manager_tasks", "original": task_text, "document": edited.to_string() }),
        ),
        (
            "delete_document",
            json!({ "database": "core", "collection": "task_manager_tasks", "original": task_text }),
        ),
        (
            "insert_document",
            json!({ "database": "core", "collection": "task_manager_tasks", "document": format!(r#"{{"user_id": "{user_id}", "title": "new"}}"#) }),
        ),
    ];
    // Every command of the table is either a write tested here or a read
    // listed below: a new command must be placed, so a new write cannot
    // slip past this test.
    let table = command_table();
    let stale: Vec<&&str> = NOT_DATABASE_WRITES
        .iter()
        .filter(|c| !table.iter().any(|t| t == *c))
        .collect();
    assert!(
        stale.is_empty(),
        "listed but not in the command table: {stale:?}"
    );
    let tested: Vec<&str> = writes.iter().map(|(cmd, _)| *cmd).collect();
    let unplaced: Vec<&String> = table
        .iter()
        .filter(|c| !tested.contains(&c.as_str()) && !NOT_DATABASE_WRITES.contains(&c.as_str()))
        .collect();
    assert!(
        unplaced.is_empty(),
        "commands neither tested as writes nor listed as reads: {unplaced:?}"
    );
    for (cmd, args) in &writes {
        let err = invoke(webview, cmd, args.clone()).unwrap_err();
        assert_eq!(err, json!({ "type": "read_only" }), "{cmd}");
    }
    assert_eq!(
        runtime.block_on(snapshot(&db)),
        before,
        "a refused write changed data"
    );
    let audit = invoke(
        webview,
        "list_audit",
        json!({ "query": { "text": null, "collection": null, "operation": null, "limit": null } }),
    )
    .unwrap();
    assert_eq!(audit, json!([]), "refused writes were audited");
    // Export is a read: a GDPR request needs no unlocked production connection.
    invoke(
        webview,
        "export_user",
        json!({ "userId": user_id, "path": export_path, "onProgress": "__CHANNEL__:1" }),
    )
    .unwrap();
    assert!(export_path.exists());
    // So is every table's export: the users list, with its filters.
    let list_path = export_path.with_file_name("users.csv");
    let report = invoke(
        webview,
        "export_users",
        json!({
            "query": { "after": null, "page_size": 25, "sort": "email", "descending": false, "role": "user", "tier": null, "subscription": null, "created_from": null, "created_to": null, "last_login_before": null },
            "target": { "path": list_path, "format": "csv", "run_id": "ipc-users" },
            "onProgress": "__CHANNEL__:1"
        }),
    )
    .unwrap();
    assert_eq!(report["cancelled"], false);
    let csv = std::fs::read_to_string(&list_path).unwrap();
    assert_eq!(
        csv.lines().count() as u64,
        report["documents"].as_u64().unwrap() + 1
    );

    // Writable now: the same arguments are accepted.
    invoke(
        webview,
        "set_read_only",
        json!({ "readOnly": false, "confirmation": null }),
    )
    .unwrap();
    let updated = invoke(webview, "update_user", writes[0].1.clone()).unwrap();
    assert_eq!(updated["display_name"], "X");
    invoke(webview, "save_plugin_settings", writes[2].1.clone()).unwrap();
    let audit = invoke(
        webview,
        "list_audit",
        json!({ "query": { "text": null, "collection": null, "operation": null, "limit": null } }),
    )
    .unwrap();
    let stages: Vec<String> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["operation"].as_str().unwrap(),
                e["stage"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            "set plugin_settings.calendar done",
            "set plugin_settings.calendar intent",
            "update_user done",
            "update_user intent",
            "export_users read",
            "export_users intent",
            "export_user read",
            "export_user intent"
        ]
    );
    assert!(audit.to_string().find("password_hash").is_none());
}

/// Index health streams progress over a channel; charts and the fix plan
/// cross IPC whole; a wrong chart id or scope is an argument error.
#[test]
fn index_health_and_charts_over_ipc() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (db, _conn, _) = runtime.block_on(support::seeded("ipc_health", 20));
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let webview = &app.webview;
    let mut input = profile_input("Dev", &db, false);
    input["analytics_from_secondaries"] = json!(true);
    let (profile, _) = create_and_connect(webview, input);
    assert_eq!(profile["analytics_from_secondaries"], true);

    let report = invoke(
        webview,
        "index_health",
        json!({ "onProgress": "__CHANNEL__:4" }),
    )
    .unwrap();
    assert_eq!(report["problems"], 1.0);
    assert!(report["computed_at"].as_str().unwrap().ends_with('Z'));
    let plan = invoke(
        webview,
        "index_fix_plan",
        json!({ "scope": { "scope": "collection", "collection": "crm_contacts" } }),
    )
    .unwrap();
    assert_eq!(plan[0]["keys"], "{ user_id: 1 }");
    let err = invoke(
        webview,
        "index_fix_plan",
        json!({ "scope": { "scope": "collection", "collection": "system.users" } }),
    )
    .unwrap_err();
    assert_eq!(err["type"], "not_found");

    // Secondary-preferred reads on a standalone server read the primary.
    let chart = invoke(webview, "dashboard_chart", json!({ "id": "roles" })).unwrap();
    assert_eq!(chart["categories"][0], "user");
    assert_eq!(chart["series"][0]["drill"][1]["to"], "users");
    assert_eq!(chart["series"][0]["drill"][1]["role"], "admin");
    assert!(invoke(webview, "dashboard_chart", json!({ "id": "nope" })).is_err());
}
