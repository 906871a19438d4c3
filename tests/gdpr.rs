//! Per-user export and erase, and the read-only guard on every write.

mod support;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::save_path::SavePath;
use mozaiks_core::services::gdpr;
use support::{raw_db, seeded};

const PER_USER: [&str; 5] = [
    "settings",
    "notifications",
    "crm_contacts",
    "notes_notes",
    "task_manager_tasks",
];

fn save(path: &std::path::Path) -> SavePath {
    SavePath::new(path, &[]).unwrap()
}

async fn busiest_user(db: &str) -> UserScope {
    let raw = raw_db(db).await;
    let rows: Vec<Document> = {
        use futures_util::TryStreamExt;
        raw.collection::<Document>("notifications")
            .aggregate(vec![
                doc! { "$group": { "_id": "$user_id", "n": { "$sum": 1 } } },
                doc! { "$sort": { "n": -1, "_id": 1 } },
                doc! { "$limit": 1 },
            ])
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap()
    };
    UserScope::parse(rows[0].get_str("_id").unwrap()).unwrap()
}

#[tokio::test]
async fn export_holds_everything_erase_then_removes() {
    let (db, conn, _) = seeded("gdpr", 80).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let user = busiest_user(&db).await;
    let raw = raw_db(&db).await;
    // Past one page, with the id stored both ways and `_id`s of two types:
    // export and erase must still reach every document the user owns.
    let notes = raw.collection::<Document>("notes_notes");
    let many: Vec<Document> = (0..150)
        .map(|i| doc! { "user_id": user.user_id(), "title": format!("bulk {i}") })
        .collect();
    notes.insert_many(many).await.unwrap();
    notes
        .insert_many(vec![
            doc! { "_id": "note-a", "user_id": user.user_id(), "title": "string id" },
            doc! { "_id": "note-b", "user_id": user.object_id(), "title": "typed owner" },
        ])
        .await
        .unwrap();
    let owned = doc! { "user_id": { "$in": [user.user_id(), user.object_id()] } };

    let plan = gdpr::erase_plan(&conn, &user).await.unwrap();
    let path = dir.path().join("export.json");
    let mut progress = Vec::new();
    // Export is a read: a GDPR request on a read-only connection needs no unlock.
    conn.set_read_only(true, None).unwrap();
    let report = gdpr::export(&conn, &audit, &user, &save(&path), |p| progress.push(p))
        .await
        .unwrap();
    conn.set_read_only(false, None).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the export is readable by its owner only");
    assert_eq!(progress.len(), PER_USER.len());
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let text = exported.to_string();
    assert!(
        !text.contains("password_hash") && !text.contains("$2b$"),
        "the export holds a password hash"
    );
    assert_eq!(exported["user"]["_id"]["$oid"], user.user_id());

    for name in PER_USER {
        let expected = raw
            .collection::<Document>(name)
            .count_documents(owned.clone())
            .await
            .unwrap();
        let in_file = exported["collections"][name].as_array().unwrap().len() as u64;
        assert_eq!(in_file, expected, "{name}");
        if name == "notes_notes" {
            assert!(expected > 150, "the bulk notes are the user's");
        }
        let planned = plan
            .collections
            .iter()
            .find(|c| c.collection == name)
            .unwrap()
            .count as u64;
        assert_eq!(planned, expected, "{name}: dry run");
        assert_eq!(
            report
                .collections
                .iter()
                .find(|c| c.collection == name)
                .unwrap()
                .count as u64,
            expected
        );
    }

    let wrong = gdpr::erase(&conn, &audit, &user, "someone@else.example")
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, mozaiks_core::Error::InvalidInput { ref field, .. } if field == "confirm_email")
    );
    assert!(raw
        .collection::<Document>("users")
        .find_one(doc! { "_id": user.object_id() })
        .await
        .unwrap()
        .is_some());

    let erased = gdpr::erase(&conn, &audit, &user, &plan.email)
        .await
        .unwrap();
    assert_eq!(
        erased.collections, plan.collections,
        "deleted counts differ from the dry run"
    );
    for name in PER_USER {
        let left = raw
            .collection::<Document>(name)
            .count_documents(owned.clone())
            .await
            .unwrap();
        assert_eq!(left, 0, "{name}");
    }
    assert!(raw
        .collection::<Document>("users")
        .find_one(doc! { "_id": user.object_id() })
        .await
        .unwrap()
        .is_none());
    let ops: Vec<String> = audit
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.operation, e.stage))
        .collect();
    assert_eq!(
        ops,
        vec![
            "erase_user done",
            "erase_user intent",
            "export_user read",
            "export_user intent"
        ],
        "the wrong email audited nothing; the erase its intent before and outcome after"
    );
}

/// Erase had no last-superadmin check.
#[tokio::test]
async fn the_last_superadmin_cannot_be_erased() {
    let (db, conn, _) = seeded("gdpr_admin", 20).await;
    let raw = raw_db(&db).await;
    let users = raw.collection::<Document>("users");
    let (user, email) = support::only_superadmins(&raw, 1).await.remove(0);
    let id = user.object_id();
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let before = support::dump(&raw, "settings").await;
    let err = gdpr::erase(&conn, &audit, &user, &email).await.unwrap_err();
    assert_eq!(err, mozaiks_core::Error::LastSuperadmin);
    assert_eq!(
        support::dump(&raw, "settings").await,
        before,
        "nothing deleted"
    );
    assert!(users.find_one(doc! { "_id": id }).await.unwrap().is_some());
}

/// Two admins erasing the last two superadmins at once: both passed the
/// check before deleting, and none was left.
#[tokio::test]
async fn racing_erases_of_the_last_two_superadmins_keep_one() {
    let (db, conn, _) = seeded("gdpr_race", 20).await;
    let raw = raw_db(&db).await;
    let users = raw.collection::<Document>("users");
    let targets = support::only_superadmins(&raw, 2).await;
    let audit = support::audit_log();
    let (a, b) = tokio::join!(
        gdpr::erase(&conn, &audit, &targets[0].0, &targets[0].1),
        gdpr::erase(&conn, &audit, &targets[1].0, &targets[1].1)
    );
    let left = users
        .count_documents(doc! { "roles": "superadmin" })
        .await
        .unwrap();
    assert!(left >= 1, "{a:?} {b:?}");
    // However they interleave: an erase that went through removed its user;
    // one that was refused left its user in place (put back if need be).
    for (result, (scope, _)) in [(&a, &targets[0]), (&b, &targets[1])] {
        let present = users
            .find_one(doc! { "_id": scope.object_id() })
            .await
            .unwrap()
            .is_some();
        match result {
            Ok(_) => assert!(!present),
            Err(e) => {
                assert_eq!(e, &mozaiks_core::Error::LastSuperadmin);
                assert!(present, "a refused erase left its user");
            }
        }
    }
}

/// A failed export left `<name>.partial` behind with the user's data in it.
#[tokio::test]
async fn a_failed_export_leaves_no_partial_file() {
    let (db, conn, _) = seeded("gdpr_partial", 10).await;
    let user = busiest_user(&db).await;
    let dir = tempfile::tempdir().unwrap();
    // The finished file cannot be moved onto a directory: the export fails at the end.
    let path = dir.path().join("export.json");
    std::fs::create_dir(&path).unwrap();
    let err = gdpr::export(&conn, &support::audit_log(), &user, &save(&path), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), "storage");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["export.json"], "no partial file left beside it");
}

/// A view named like a plugin collection was taken for one, and erase
/// failed halfway on it (settings and notifications gone, user kept).
#[tokio::test]
async fn views_are_not_plugin_collections() {
    let (db, conn, _) = seeded("gdpr_view", 10).await;
    let raw = raw_db(&db).await;
    let created = raw
        .create_collection("notes_recent")
        .view_on("notes_notes".to_string())
        .pipeline(vec![doc! { "$match": {} }])
        .await;
    // Filtered here: some servers ignore listCollections' filter.
    let listed_as_view = raw
        .list_collections()
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .any(|c| {
            c.name == "notes_recent" && c.collection_type == mongodb::results::CollectionType::View
        });
    if created.is_err() || !listed_as_view {
        // mongo-java-server lists views as plain collections; a real mongod
        // runs this check, and db::cross_user's unit test covers the shape.
        println!("views are not told apart by this server: skipped");
        return;
    }
    let names = mozaiks_core::services::user360::plugin_collections(&conn)
        .await
        .unwrap();
    assert!(!names.contains(&"notes_recent".to_string()), "{names:?}");
    let user = busiest_user(&db).await;
    let plan = gdpr::erase_plan(&conn, &user).await.unwrap();
    gdpr::erase(&conn, &support::audit_log(), &user, &plan.email)
        .await
        .unwrap();
}

/// The export wrote wherever it was told: a config file or a script given
/// as the path was overwritten with the user's data.
#[tokio::test]
async fn export_writes_only_to_a_json_path_and_refuses_before_reading() {
    let (db, conn, _) = seeded("gdpr_path", 10).await;
    let user = busiest_user(&db).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = support::audit_log();
    let script = dir.path().join("run.sh");
    std::fs::write(&script, "echo hi\n").unwrap();
    for bad in [
        script.clone(),
        dir.path().join(".bashrc"),
        dir.path().join("export"),
    ] {
        let err = gdpr::export(&conn, &audit, &user, &save(&bad), |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{}", bad.display());
    }
    for relative in ["export.json", " "] {
        let err = SavePath::new(std::path::Path::new(relative), &[]).unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{relative}");
    }
    assert_eq!(std::fs::read_to_string(&script).unwrap(), "echo hi\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert!(audit.list(&Default::default()).unwrap().is_empty());
}

/// A user without an email made `plan.email` "", and an empty box erased
/// them. With no email to type, the confirmation is the user's id; an
/// empty one never is.
#[tokio::test]
async fn a_user_without_an_email_is_confirmed_by_id_never_by_nothing() {
    let (db, conn, _) = seeded("gdpr_no_email", 10).await;
    let raw = raw_db(&db).await;
    let audit = support::audit_log();
    let users = raw.collection::<Document>("users");
    let victims: Vec<UserScope> = support::dump(&raw, "users")
        .await
        .iter()
        .filter(|d| !format!("{:?}", d.get("roles")).contains("superadmin"))
        .take(3)
        .map(|d| UserScope::from_object_id(d.get_object_id("_id").unwrap()))
        .collect();
    for (user, email) in victims.iter().zip([
        mongodb::bson::Bson::String(String::new()),
        mongodb::bson::Bson::Int32(7),
        mongodb::bson::Bson::Null,
    ]) {
        users
            .update_one(
                doc! { "_id": user.object_id() },
                doc! { "$set": { "email": email } },
            )
            .await
            .unwrap();
        let plan = gdpr::erase_plan(&conn, user).await.unwrap();
        assert_eq!(plan.confirm_with, user.user_id(), "{plan:?}");
        let before = support::dump(&raw, "users").await.len();
        for typed in ["", "   ", "7", "null"] {
            let err = gdpr::erase(&conn, &audit, user, typed).await.unwrap_err();
            assert_eq!(err.code(), "invalid_input", "{typed:?}");
        }
        assert_eq!(
            support::dump(&raw, "users").await.len(),
            before,
            "nothing erased"
        );
        gdpr::erase(&conn, &audit, user, user.user_id())
            .await
            .unwrap();
        assert_eq!(support::dump(&raw, "users").await.len(), before - 1);
    }
}

/// A superadmin's erase deletes the user document first; stopped after
/// that, a retry found no user and refused, leaving their data for good.
/// Now the plan of a user whose document is gone but whose data is not is
/// a resumed erase, confirmed by id, finished by `user_id` and audited so.
#[tokio::test]
async fn an_erase_stopped_after_the_user_document_can_be_finished() {
    let (db, conn, _) = seeded("gdpr_resume", 20).await;
    let raw = raw_db(&db).await;
    let audit = support::audit_log();
    let user = busiest_user(&db).await;
    raw.collection::<Document>("users")
        .delete_one(doc! { "_id": user.object_id() })
        .await
        .unwrap();
    let plan = gdpr::erase_plan(&conn, &user).await.unwrap();
    assert!(plan.resumed, "{plan:?}");
    assert_eq!(plan.confirm_with, user.user_id());
    assert!(plan
        .collections
        .iter()
        .any(|c| c.collection == "notifications" && c.count > 0.0));
    let done = gdpr::erase(&conn, &audit, &user, user.user_id())
        .await
        .unwrap();
    assert!(done.resumed);
    for name in PER_USER {
        let left = raw
            .collection::<Document>(name)
            .count_documents(doc! { "user_id": user.user_id() })
            .await
            .unwrap();
        assert_eq!(left, 0, "{name}");
    }
    let trail = std::fs::read_to_string(audit.path()).unwrap();
    assert!(trail.contains("erase_user_resumed"), "{trail}");
    // Nothing left: the id names nothing to erase.
    let err = gdpr::erase_plan(&conn, &user).await.unwrap_err();
    assert_eq!(err.code(), "not_found");
}
