//! The plugin collections inspector against a live server: discovery, the
//! sampled schema, the findings the seed planted (exactly), the documents
//! behind them, and the bulk status update for one user's documents.

mod support;

use mongodb::bson::{doc, Document};
use mozaiks_core::services::plugins::{self, FindingKind};
use mozaiks_core::services::seed::{
    FLAWED_COLLECTION, FLAWED_OBJECT_ID_USER_IDS, FLAWED_ORPHANS, FLAWED_WITHOUT_USER_ID,
};
use support::{dump, raw_db, seeded};

#[tokio::test]
async fn plugins_are_discovered_from_names_and_settings() {
    let (db, conn, _) = seeded("plugins_overview", 30).await;
    let raw = raw_db(&db).await;
    raw.collection::<Document>("Misc_Data")
        .insert_one(doc! { "x": 1 })
        .await
        .unwrap();
    let overview = plugins::overview(&conn).await.unwrap();
    let names: Vec<&str> = overview.plugins.iter().map(|p| p.name.as_str()).collect();
    for plugin in ["crm", "notes", "task_manager"] {
        assert!(names.contains(&plugin), "{names:?}");
    }
    let tasks = overview
        .plugins
        .iter()
        .find(|p| p.name == "task_manager")
        .unwrap();
    assert_eq!(tasks.collections[0].name, "task_manager_tasks");
    assert!(tasks.has_settings, "the seed writes task_manager settings");
    let counted = raw
        .collection::<Document>("task_manager_tasks")
        .count_documents(doc! {})
        .await
        .unwrap();
    assert_eq!(tasks.collections[0].estimated_count, Some(counted as f64));
    // mongo-java-server has no collStats: said, never failed.
    let c = &tasks.collections[0];
    assert!(c.size_bytes.is_some() || c.stats_note.is_some());
    assert_eq!(overview.unassigned, vec!["Misc_Data".to_string()]);
}

#[tokio::test]
async fn the_schema_is_read_from_a_sample() {
    let (_, conn, _) = seeded("plugins_schema", 40).await;
    let schema = plugins::schema(&conn, "task_manager_tasks").await.unwrap();
    assert!(schema.sampled > 0.0);
    let field = |p: &str| schema.fields.iter().find(|f| f.path == p).unwrap();
    assert_eq!(field("user_id").presence, 100.0);
    assert_eq!(field("user_id").types, vec!["string"]);
    assert_eq!(field("due_date").types, vec!["date"]);
    assert!(field("tags[]").types.contains(&"string".to_string()));
    let mut statuses = schema.status_values.clone();
    statuses.sort();
    assert_eq!(statuses, vec!["done", "in_progress", "todo"]);
    for bad in ["users", "settings", "Misc_Data", "{\"$gt\":\"\"}"] {
        assert_eq!(
            plugins::schema(&conn, bad).await.unwrap_err().code(),
            "invalid_input"
        );
    }
}

#[tokio::test]
async fn the_seeds_flaws_are_found_exactly() {
    let (_, conn, _) = seeded("plugins_findings", 50).await;
    let report = plugins::findings(&conn, FLAWED_COLLECTION).await.unwrap();
    let count = |k: FindingKind| report.findings.iter().find(|f| f.kind == k).unwrap().count;
    assert_eq!(
        count(FindingKind::MissingUserId),
        f64::from(FLAWED_WITHOUT_USER_ID)
    );
    assert_eq!(
        count(FindingKind::WrongUserIdType),
        f64::from(FLAWED_OBJECT_ID_USER_IDS)
    );
    assert_eq!(count(FindingKind::Orphan), f64::from(FLAWED_ORPHANS));
    assert!(
        !report.user_id_index,
        "the seed leaves out its user_id index"
    );
    for f in &report.findings {
        assert_eq!(f.sample_ids.len() as f64, f.count.min(10.0));
    }
    let orphans = plugins::finding_documents(&conn, FLAWED_COLLECTION, FindingKind::Orphan)
        .await
        .unwrap();
    assert_eq!(orphans.len() as u32, FLAWED_ORPHANS);
    assert!(orphans.iter().all(|d| d.contains("Orphan")));
    let clean = plugins::findings(&conn, "task_manager_tasks")
        .await
        .unwrap();
    assert!(clean.findings.iter().all(|f| f.count == 0.0));
    assert!(clean.user_id_index);
}

#[tokio::test]
async fn bulk_status_changes_one_users_named_documents_exactly() {
    let (db, conn, _) = seeded("plugins_status", 30).await;
    let raw = raw_db(&db).await;
    let audit = support::audit_log();
    let tasks = dump(&raw, "task_manager_tasks").await;
    let owner = tasks[0].get_str("user_id").unwrap().to_string();
    let mine: Vec<String> = tasks
        .iter()
        .filter(|d| d.get_str("user_id") == Ok(&owner) && d.get_str("status") != Ok("done"))
        .map(|d| d.get_object_id("_id").unwrap().to_hex())
        .collect();
    assert!(!mine.is_empty());
    let theirs = tasks
        .iter()
        .find(|d| d.get_str("user_id") != Ok(&owner))
        .map(|d| d.get_object_id("_id").unwrap().to_hex())
        .unwrap();
    let before = dump(&raw, "task_manager_tasks").await;
    let mut forged = mine.clone();
    forged.push(theirs);
    let err = plugins::set_status(&conn, &audit, &owner, "task_manager_tasks", &forged, "done")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    for status in ["", "$set", &"x".repeat(65)] {
        let err = plugins::set_status(&conn, &audit, &owner, "task_manager_tasks", &mine, status)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_input");
    }
    assert_eq!(
        dump(&raw, "task_manager_tasks").await,
        before,
        "nothing changed"
    );
    let done = plugins::set_status(&conn, &audit, &owner, "task_manager_tasks", &mine, "done")
        .await
        .unwrap();
    assert_eq!(
        (done.matched, done.modified),
        (mine.len() as f64, mine.len() as f64)
    );
    let after = dump(&raw, "task_manager_tasks").await;
    let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert_eq!(changed, mine.len());
}

/// A `user_id` in uppercase hex names a real user, yet no scoped query (nor
/// export or erase) reaches it: it counts with the orphans.
#[tokio::test]
async fn an_uppercase_owner_id_is_found() {
    let (db, conn, _) = seeded("plugins_upper", 10).await;
    let raw = raw_db(&db).await;
    let user = dump(&raw, "users").await[0]
        .get_object_id("_id")
        .unwrap()
        .to_hex();
    raw.collection::<Document>("notes_notes")
        .insert_one(doc! { "user_id": user.to_uppercase(), "title": "shouting" })
        .await
        .unwrap();
    let report = plugins::findings(&conn, "notes_notes").await.unwrap();
    let orphans = report
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::Orphan)
        .unwrap();
    assert_eq!(orphans.count, 1.0);
}
