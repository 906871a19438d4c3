//! Index health against a live server: the seed's indexes are reported as
//! the platform requires, its flawed collection's missing `user_id` index
//! as missing (and built by the fix), a dropped unique or TTL index as the
//! problem it is; a unique index over duplicates is refused with the values;
//! `mozaiks-doctor` exits 1 on the flawed database and 0 once fixed.

mod support;

use mongodb::bson::{doc, Document};
use mongodb::options::IndexOptions;
use mongodb::IndexModel;
use mozaiks_core::services::index_fix::{self, FixMethod, FixScope};
use mozaiks_core::services::index_health::{self, IndexState, CONCURRENCY};
use support::{audit_log, raw_db, seeded};

async fn report(conn: &mozaiks_core::db::connection::Connection) -> index_health::HealthReport {
    index_health::report(conn, CONCURRENCY, |_| {})
        .await
        .unwrap()
}

async fn index_names(db: &str, collection: &str) -> Vec<String> {
    raw_db(db)
        .await
        .collection::<Document>(collection)
        .list_index_names()
        .await
        .unwrap()
}

fn state(report: &index_health::HealthReport, collection: &str, keys: &str) -> IndexState {
    report
        .collections
        .iter()
        .find(|c| c.collection == collection)
        .unwrap_or_else(|| panic!("{collection} not checked"))
        .checks
        .iter()
        .find(|c| c.keys == keys)
        .unwrap_or_else(|| panic!("{collection} {keys} not checked"))
        .state
}

#[tokio::test]
async fn the_seeded_database_is_healthy_but_for_its_planted_flaw() {
    let (_, conn, _) = seeded("health", 30).await;
    let mut seen = Vec::new();
    let report = index_health::report(&conn, CONCURRENCY, |p| seen.push(p))
        .await
        .unwrap();
    assert_eq!(
        seen.len(),
        report.collections.len(),
        "progress for every collection"
    );
    assert_eq!(seen.last().unwrap().done, seen.last().unwrap().total);
    assert_eq!(state(&report, "users", "{ email: 1 }"), IndexState::Ok);
    assert_eq!(
        state(&report, "notifications", "{ created_at: 1 }"),
        IndexState::Ok
    );
    assert_eq!(
        state(&report, "task_manager_tasks", "{ user_id: 1, due_date: 1 }"),
        IndexState::Ok
    );
    assert_eq!(
        state(&report, "crm_contacts", "{ user_id: 1 }"),
        IndexState::Missing
    );
    assert_eq!(
        state(&report, "crm_contacts", "{ email: 1 }"),
        IndexState::TooEarly,
        "not required, and nothing has used it, but the server began counting moments ago"
    );
    assert_eq!(
        state(&report, "users", "{ created_at: -1, _id: -1 }"),
        IndexState::Suggested
    );
    assert_eq!(report.problems, 1.0, "only the flawed collection's index");
    assert!(report.score.unwrap() < 100.0);
    assert_eq!(report.unchecked().count(), 0);
    assert!(
        report.usage_note.is_none(),
        "this server reports $indexStats"
    );
}

#[tokio::test]
async fn a_lost_unique_or_ttl_is_reported_as_such() {
    let (db, conn, _) = seeded("health_broken", 10).await;
    let raw = raw_db(&db).await;
    let users = raw.collection::<Document>("users");
    users.drop_index("username_1").await.unwrap();
    users
        .create_index(IndexModel::builder().keys(doc! { "username": 1 }).build())
        .await
        .unwrap();
    let notifications = raw.collection::<Document>("notifications");
    notifications.drop_index("created_at_1").await.unwrap();
    let week = IndexOptions::builder()
        .expire_after(std::time::Duration::from_secs(7 * 86_400))
        .build();
    notifications
        .create_index(
            IndexModel::builder()
                .keys(doc! { "created_at": 1 })
                .options(week)
                .build(),
        )
        .await
        .unwrap();
    let tasks = raw.collection::<Document>("task_manager_tasks");
    tasks
        .create_index(
            IndexModel::builder()
                .keys(doc! { "user_id": 1, "status": 1, "priority": 1 })
                .build(),
        )
        .await
        .unwrap();
    let report = report(&conn).await;
    assert_eq!(
        state(
            &report,
            "task_manager_tasks",
            "{ user_id: 1, status: 1, priority: 1 }"
        ),
        IndexState::TooEarly,
        "a server that began counting moments ago says nothing of use"
    );
    let redundant = report
        .collections
        .iter()
        .find(|c| c.collection == "task_manager_tasks")
        .unwrap()
        .checks
        .iter()
        .find(|c| c.keys == "{ user_id: 1, status: 1 }")
        .unwrap();
    assert_eq!(
        redundant.state,
        IndexState::Ok,
        "required, so never redundant, though a prefix of the new one"
    );
    assert_eq!(
        state(&report, "users", "{ username: 1 }"),
        IndexState::MissingUnique
    );
    assert_eq!(
        state(&report, "notifications", "{ created_at: 1 }"),
        IndexState::TtlMismatch
    );
    assert_eq!(
        report.problems, 3.0,
        "the two above and the flawed collection's"
    );
}

#[tokio::test]
async fn a_redundant_index_is_a_prefix_with_the_same_options() {
    let (db, conn, _) = seeded("health_redundant", 5).await;
    let notes = raw_db(&db).await.collection::<Document>("notes_notes");
    for keys in [doc! { "tags": 1 }, doc! { "tags": 1, "title": 1 }] {
        notes
            .create_index(IndexModel::builder().keys(keys).build())
            .await
            .unwrap();
    }
    let report = report(&conn).await;
    assert_eq!(
        state(&report, "notes_notes", "{ tags: 1 }"),
        IndexState::Redundant
    );
    assert!(matches!(
        state(&report, "notes_notes", "{ tags: 1, title: 1 }"),
        IndexState::Extra | IndexState::TooEarly
    ));
    assert_eq!(
        report.problems, 1.0,
        "redundancy is not a required-index problem"
    );
}

#[tokio::test]
async fn the_fix_builds_exactly_what_it_listed_and_the_report_is_clean() {
    let (db, conn, _) = seeded("health_fix", 20).await;
    let audit = audit_log();
    let scope = FixScope::All;
    let plan = index_fix::plan(&conn, &scope).await.unwrap();
    let listed: Vec<String> = plan
        .iter()
        .map(|p| format!("{} {}", p.collection, p.keys))
        .collect();
    assert_eq!(
        listed,
        vec![
            "crm_contacts { user_id: 1 }",
            "users { created_at: -1, _id: -1 }",
            "users { last_login: -1, _id: -1 }"
        ]
    );
    assert!(plan.iter().all(|p| p.duplicates.is_empty()));

    // A confirmation of another plan builds nothing.
    let stale = &plan[..1];
    let err = index_fix::apply(&conn, &audit, &scope, stale, |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(!index_names(&db, "crm_contacts")
        .await
        .contains(&"user_id_1".to_string()));

    let mut seen = Vec::new();
    let outcome = index_fix::apply(&conn, &audit, &scope, &plan, |p| seen.push(p))
        .await
        .unwrap();
    assert!(outcome.failed.is_none());
    assert_eq!(outcome.created, listed);
    assert_eq!(seen.len(), 3);
    assert!(index_names(&db, "crm_contacts")
        .await
        .contains(&"user_id_1".to_string()));
    let after = report(&conn).await;
    assert_eq!(after.problems, 0.0);
    assert_eq!(
        state(&after, "crm_contacts", "{ user_id: 1 }"),
        IndexState::Ok
    );
    assert!(index_fix::plan(&conn, &scope).await.unwrap().is_empty());
    let stages: Vec<String> = audit
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.operation == "create_indexes")
        .map(|e| e.stage)
        .collect();
    assert_eq!(stages, vec!["done", "intent"], "newest first");
}

#[tokio::test]
async fn a_unique_index_over_duplicates_is_refused_with_the_values() {
    let (db, conn, recorder) = seeded("health_dupes", 10).await;
    let raw = raw_db(&db).await;
    let users = raw.collection::<Document>("users");
    users.drop_index("username_1").await.unwrap();
    users
        .create_index(IndexModel::builder().keys(doc! { "username": 1 }).build())
        .await
        .unwrap();
    for email in ["twin1@example.com", "twin2@example.com"] {
        users
            .insert_one(doc! { "username": "twin", "email": email, "roles": ["user"] })
            .await
            .unwrap();
    }
    // A missing username and a null one are the same value to the index.
    users
        .insert_one(doc! { "email": "nameless@example.com", "roles": ["user"] })
        .await
        .unwrap();
    users
        .insert_one(doc! { "username": null, "email": "null@example.com", "roles": ["user"] })
        .await
        .unwrap();
    let before = index_names(&db, "users").await;
    let scope = FixScope::One {
        collection: "users".into(),
        keys: "{ username: 1 }".into(),
    };
    let plan = index_fix::plan(&conn, &scope).await.unwrap();
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].replaces.as_deref(), Some("username_1"));
    assert!(plan[0].unique);
    let mut found: Vec<(String, f64)> = plan[0]
        .duplicates
        .iter()
        .map(|d| (d.value.clone(), d.count))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        vec![
            (r#"{"username":"twin"}"#.to_string(), 2.0),
            (r#"{"username":null}"#.to_string(), 2.0)
        ]
    );

    let err = index_fix::apply(&conn, &audit_log(), &scope, &plan, |_| {})
        .await
        .unwrap_err();
    match &err {
        mozaiks_core::Error::DuplicateValues { values, keys, .. } => {
            assert_eq!(keys, "{ username: 1 }");
            assert!(values.iter().any(|v| v.contains("twin")), "{values:?}");
        }
        other => panic!("expected duplicate_values, got {other:?}"),
    }
    assert_eq!(
        index_names(&db, "users").await,
        before,
        "nothing built or dropped"
    );
    let health = report(&conn).await;
    assert_eq!(
        state(&health, "users", "{ username: 1 }"),
        IndexState::MissingUnique
    );

    // Once the duplicate is resolved, the same fix replaces the index.
    for email in ["twin2@example.com", "null@example.com"] {
        users.delete_one(doc! { "email": email }).await.unwrap();
    }
    let plan = index_fix::plan(&conn, &scope).await.unwrap();
    let before = recorder.count();
    let outcome = index_fix::apply(&conn, &audit_log(), &scope, &plan, |_| {})
        .await
        .unwrap();
    assert!(outcome.failed.is_none(), "{:?}", outcome.failed);
    // The plain index serves until its replacement is there: changed in
    // place (6.0+), or the unique one built beside it (5.0, as the test
    // server reports) before it is dropped.
    let sent: Vec<String> = recorder.commands.lock().unwrap()[before..]
        .iter()
        .map(|(name, _)| name.clone())
        .filter(|name| ["createIndexes", "dropIndexes", "collMod"].contains(&name.as_str()))
        .collect();
    match plan[0].method {
        FixMethod::InPlace => assert_eq!(sent, vec!["collMod", "collMod"]),
        FixMethod::BuildThenDrop => {
            assert_eq!(sent, vec!["createIndexes", "dropIndexes"]);
            assert_eq!(plan[0].name, "username_1_v2", "its own name is taken");
        }
        other => panic!("{other:?}: dropped before its replacement is built"),
    }
    let health = report(&conn).await;
    assert_eq!(state(&health, "users", "{ username: 1 }"), IndexState::Ok);
}

#[tokio::test]
async fn dropping_takes_the_typed_name_and_never_id() {
    let (db, conn, _) = seeded("health_drop", 5).await;
    let audit = audit_log();
    let drop = |name: &'static str, typed: &'static str| {
        index_fix::drop_index(&conn, &audit, "crm_contacts", name, typed)
    };
    assert_eq!(drop("_id_", "_id_").await.unwrap_err().code(), "refused");
    assert_eq!(
        drop("email_1", "email").await.unwrap_err().code(),
        "confirmation_required"
    );
    assert_eq!(
        drop("nope_1", "nope_1").await.unwrap_err().code(),
        "not_found"
    );
    assert!(index_names(&db, "crm_contacts")
        .await
        .contains(&"email_1".to_string()));
    conn.set_read_only(true, None).unwrap();
    assert_eq!(
        drop("email_1", "email_1").await.unwrap_err().code(),
        "read_only"
    );
    let plan = index_fix::plan(&conn, &FixScope::All).await.unwrap();
    assert_eq!(
        index_fix::apply(&conn, &audit, &FixScope::All, &plan, |_| {})
            .await
            .unwrap_err()
            .code(),
        "read_only"
    );
    conn.set_read_only(false, None).unwrap();
    drop("email_1", "email_1").await.unwrap();
    assert!(!index_names(&db, "crm_contacts")
        .await
        .contains(&"email_1".to_string()));
}

/// A TTL off from the platform's is changed where it stands (`collMod`),
/// never dropped and built again: the notifications keep expiring
/// throughout. The test server has no `collMod`: there the fix stops with
/// a clear message, and the index is left exactly as it was.
#[tokio::test]
async fn a_ttl_is_changed_in_place_never_dropped() {
    let (db, conn, recorder) = seeded("health_ttl", 5).await;
    let notifications = raw_db(&db).await.collection::<Document>("notifications");
    notifications.drop_index("created_at_1").await.unwrap();
    let week = IndexOptions::builder()
        .expire_after(std::time::Duration::from_secs(7 * 86_400))
        .build();
    notifications
        .create_index(
            IndexModel::builder()
                .keys(doc! { "created_at": 1 })
                .options(week)
                .build(),
        )
        .await
        .unwrap();
    let scope = FixScope::One {
        collection: "notifications".into(),
        keys: "{ created_at: 1 }".into(),
    };
    let plan = index_fix::plan(&conn, &scope).await.unwrap();
    assert_eq!(plan.len(), 1);
    assert_eq!(plan[0].replaces.as_deref(), Some("created_at_1"));
    let before = recorder.count();
    let outcome = index_fix::apply(&conn, &audit_log(), &scope, &plan, |_| {})
        .await
        .unwrap();
    let sent: Vec<String> = recorder.commands.lock().unwrap()[before..]
        .iter()
        .map(|(name, _)| name.clone())
        .collect();
    assert!(sent.iter().any(|c| c == "collMod"), "{sent:?}");
    assert!(
        !sent
            .iter()
            .any(|c| c == "dropIndexes" || c == "createIndexes"),
        "{sent:?}"
    );
    let ttl = || async {
        use futures_util::TryStreamExt;
        let specs: Vec<mongodb::IndexModel> = raw_db(&db)
            .await
            .collection::<Document>("notifications")
            .list_indexes()
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        specs
            .into_iter()
            .find(|m| m.keys == doc! { "created_at": 1 })
            .and_then(|m| m.options)
            .and_then(|o| o.expire_after)
            .map(|d| d.as_secs())
    };
    match &outcome.failed {
        // A real server: changed in place.
        None => assert_eq!(ttl().await, Some(30 * 86_400)),
        Some(failure) => {
            assert_eq!(failure.error.code(), "unsupported", "{:?}", failure.error);
            let message = failure.error.to_string();
            assert!(
                message.contains("collMod") && message.contains("nothing was changed"),
                "{message}"
            );
            assert_eq!(ttl().await, Some(7 * 86_400), "left as it was");
        }
    }
}

/// The doctor binary beside this test's (`cargo test --workspace` builds it).
fn doctor() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let doctor = dir.join("mozaiks-doctor");
    assert!(
        doctor.exists(),
        "{} is missing: run `cargo build --bins` first",
        doctor.display()
    );
    doctor
}

#[tokio::test]
async fn doctor_fails_on_the_flawed_database_and_passes_once_fixed() {
    let (db, conn, _) = seeded("health_doctor", 10).await;
    let run = |json: bool| {
        let mut cmd = std::process::Command::new(doctor());
        cmd.args(["--uri", &support::server().uri, "--db", &db]);
        if json {
            cmd.arg("--json");
        }
        cmd.env_remove("DATABASE_URI").output().unwrap()
    };
    let help = std::process::Command::new(doctor())
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("4  no required index is wrong, but some collections could not be checked"),
        "{help}"
    );
    let flawed = run(true);
    assert_eq!(
        flawed.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&flawed.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&flawed.stdout).unwrap();
    let problems: Vec<String> = json["collections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            let name = c["collection"].as_str().unwrap().to_string();
            c["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|k| k["required"] == true && k["state"] != "ok")
                .map(move |k| {
                    format!(
                        "{name} {} {}",
                        k["keys"].as_str().unwrap(),
                        k["state"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(problems, vec!["crm_contacts { user_id: 1 } missing"]);
    assert_eq!(json["problems"], 1.0);
    let text = run(false);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("MISSING") && text.contains("crm_contacts"),
        "{text}"
    );

    let scope = FixScope::Collection {
        collection: "crm_contacts".into(),
    };
    let plan = index_fix::plan(&conn, &scope).await.unwrap();
    index_fix::apply(&conn, &audit_log(), &scope, &plan, |_| {})
        .await
        .unwrap();
    let fixed = run(false);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stdout)
    );
}
