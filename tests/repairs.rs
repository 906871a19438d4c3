//! The plugin inspector's repairs against a live server, on the findings
//! the seed plants: each dry run counts exactly what applying changes, the
//! finding is at 0 afterwards, and every repaired document is reachable by
//! its owner's scoped queries. A stale dry run, a wrong confirmation or a
//! missing recipient changes nothing.

mod support;

use mongodb::bson::{doc, Bson, Document};
use mozaiks_core::db::scope::{Page, PerUserCollection, UserScope};
use mozaiks_core::services::repairs::{self, Repair};
use mozaiks_core::services::seed::{
    FLAWED_COLLECTION, FLAWED_OBJECT_ID_USER_IDS, FLAWED_ORPHANS, FLAWED_WITHOUT_USER_ID,
};
use support::{audit_log, dump, ordinary_user, raw_db, seeded};

/// `_id` → `user_id` of every document of the flawed collection.
async fn owners(db: &str) -> Vec<(Bson, Option<Bson>)> {
    dump(&raw_db(db).await, FLAWED_COLLECTION)
        .await
        .into_iter()
        .map(|d| (d.get("_id").cloned().unwrap(), d.get("user_id").cloned()))
        .collect()
}

/// The documents whose owner differs between two snapshots.
fn changed(before: &[(Bson, Option<Bson>)], after: &[(Bson, Option<Bson>)]) -> Vec<Bson> {
    before
        .iter()
        .filter(|(id, owner)| after.iter().find(|(a, _)| a == id).map(|(_, o)| o) != Some(owner))
        .map(|(id, _)| id.clone())
        .collect()
}

async fn reachable(
    conn: &mozaiks_core::db::connection::Connection,
    owner: &str,
    ids: &[Bson],
) -> usize {
    UserScope::parse(owner)
        .unwrap()
        .collection(conn, PerUserCollection::parse(FLAWED_COLLECTION).unwrap())
        .find(doc! { "_id": { "$in": ids } }, Page::first(100))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn each_repair_changes_exactly_its_dry_run_and_empties_its_finding() {
    let (db, conn, _) = seeded("repairs", 40).await;
    let user = ordinary_user(&db)
        .await
        .get_object_id("_id")
        .unwrap()
        .to_hex();
    let cases = [
        (Repair::ConvertUserIds, FLAWED_OBJECT_ID_USER_IDS),
        (
            Repair::AssignMissing {
                user_id: user.clone(),
            },
            FLAWED_WITHOUT_USER_ID,
        ),
        (
            Repair::ReassignOrphans {
                user_id: user.clone(),
            },
            FLAWED_ORPHANS,
        ),
    ];
    for (repair, planted) in cases {
        let plan = repairs::plan(&conn, FLAWED_COLLECTION, &repair)
            .await
            .unwrap();
        assert_eq!(plan.will_change, planted, "{repair:?}");
        assert_eq!(plan.left, 0);
        assert_eq!(plan.confirmation, None);
        let before = owners(&db).await;
        let outcome = repairs::apply(
            &conn,
            &audit_log(),
            FLAWED_COLLECTION,
            &repair,
            &plan.fingerprint,
            None,
            None,
        )
        .await
        .unwrap();
        let after = owners(&db).await;
        let moved = changed(&before, &after);
        println!(
            "{repair:?}: dry run {}, changed {}, finding after {:?}",
            plan.will_change,
            moved.len(),
            outcome.remaining
        );
        assert_eq!(moved.len() as u32, plan.will_change, "{repair:?}");
        assert_eq!(outcome.changed, plan.will_change);
        assert_eq!(outcome.remaining, Some(0), "{repair:?}");
        // Every repaired document now holds a hex user id its owner's scope reaches.
        for id in &moved {
            let owner = after.iter().find(|(a, _)| a == id).unwrap().1.clone();
            let Some(Bson::String(owner)) = owner else {
                panic!("{id}: {owner:?}")
            };
            assert_eq!(reachable(&conn, &owner, std::slice::from_ref(id)).await, 1);
        }
        // Run again: nothing left to do.
        let again = repairs::plan(&conn, FLAWED_COLLECTION, &repair)
            .await
            .unwrap();
        assert_eq!(again.will_change, 0);
    }
}

#[tokio::test]
async fn orphans_are_exported_then_deleted_after_the_typed_confirmation() {
    let (db, conn, _) = seeded("repairs_delete", 30).await;
    let plan = repairs::plan(&conn, FLAWED_COLLECTION, &Repair::DeleteOrphans)
        .await
        .unwrap();
    assert_eq!(plan.will_change, FLAWED_ORPHANS);
    let expected = plan.confirmation.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orphans.jsonl");
    let save = mozaiks_core::save_path::SavePath::new(&path, &[]).unwrap();
    let before = dump(&raw_db(&db).await, FLAWED_COLLECTION).await;

    // Refused, changing nothing: a wrong confirmation, no export file, a stale dry run.
    for (confirmation, export, fingerprint, code) in [
        (
            Some("delete"),
            Some(&save),
            plan.fingerprint.as_str(),
            "confirmation_required",
        ),
        (
            Some(expected.as_str()),
            None,
            plan.fingerprint.as_str(),
            "invalid_input",
        ),
        // A dry run of other documents (stale).
        (
            Some(expected.as_str()),
            Some(&save),
            "0123456789abcdef",
            "conflict",
        ),
    ] {
        let err = repairs::apply(
            &conn,
            &audit_log(),
            FLAWED_COLLECTION,
            &Repair::DeleteOrphans,
            fingerprint,
            confirmation,
            export,
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), code);
    }
    assert_eq!(dump(&raw_db(&db).await, FLAWED_COLLECTION).await, before);
    assert!(!path.exists());

    let outcome = repairs::apply(
        &conn,
        &audit_log(),
        FLAWED_COLLECTION,
        &Repair::DeleteOrphans,
        &plan.fingerprint,
        Some(&expected),
        Some(&save),
    )
    .await
    .unwrap();
    assert_eq!(outcome.exported, Some(plan.will_change));
    assert_eq!(outcome.changed, plan.will_change);
    assert_eq!(outcome.changed, plan.will_change);
    assert_eq!(outcome.remaining, Some(0));
    let after = dump(&raw_db(&db).await, FLAWED_COLLECTION).await;
    assert_eq!(before.len() - after.len(), FLAWED_ORPHANS as usize);
    // The export holds exactly the deleted documents, byte for byte.
    let text = std::fs::read_to_string(&path).unwrap();
    let exported: Vec<Document> = text
        .lines()
        .map(|l| mozaiks_core::services::documents::parse_document("line", l).unwrap())
        .collect();
    let deleted: Vec<&Document> = before.iter().filter(|d| !after.contains(d)).collect();
    assert_eq!(exported.len(), deleted.len());
    for d in deleted {
        assert!(exported
            .iter()
            .any(|e| mongodb::bson::to_vec(e).unwrap() == mongodb::bson::to_vec(d).unwrap()));
    }
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[tokio::test]
async fn a_recipient_must_exist_and_the_connection_be_writable() {
    let (db, conn, _) = seeded("repairs_refused", 20).await;
    let before = dump(&raw_db(&db).await, FLAWED_COLLECTION).await;
    let nobody = Repair::AssignMissing {
        user_id: "65f0c0ffee0000000000beef".into(),
    };
    let err = repairs::apply(
        &conn,
        &audit_log(),
        FLAWED_COLLECTION,
        &nobody,
        "x",
        None,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "not_found");
    let bad = Repair::AssignMissing {
        user_id: "{\"$ne\": null}".into(),
    };
    assert_eq!(
        repairs::apply(
            &conn,
            &audit_log(),
            FLAWED_COLLECTION,
            &bad,
            "x",
            None,
            None
        )
        .await
        .unwrap_err()
        .code(),
        "invalid_id"
    );
    for collection in ["users", "settings", "Misc"] {
        assert_eq!(
            repairs::plan(&conn, collection, &Repair::ConvertUserIds)
                .await
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }
    let plan_fingerprint = repairs::plan(&conn, FLAWED_COLLECTION, &Repair::ConvertUserIds)
        .await
        .unwrap()
        .fingerprint;
    conn.set_read_only(true, None).unwrap();
    let err = repairs::apply(
        &conn,
        &audit_log(),
        FLAWED_COLLECTION,
        &Repair::ConvertUserIds,
        &plan_fingerprint,
        None,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "read_only");
    assert_eq!(dump(&raw_db(&db).await, FLAWED_COLLECTION).await, before);
}

#[tokio::test]
async fn orphans_holding_secrets_are_not_deleted_behind_a_redacted_export() {
    let (db, conn, _) = seeded("repairs_secrets", 20).await;
    raw_db(&db)
        .await
        .collection::<Document>(FLAWED_COLLECTION)
        .insert_one(doc! { "user_id": "65f0c0ffee0000000000beef", "api_token": "tok-123", "name": "Secret orphan" })
        .await
        .unwrap();
    let before = dump(&raw_db(&db).await, FLAWED_COLLECTION).await;
    let plan = repairs::plan(&conn, FLAWED_COLLECTION, &Repair::DeleteOrphans)
        .await
        .unwrap();
    assert_eq!(plan.will_change, FLAWED_ORPHANS + 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orphans.jsonl");
    let save = mozaiks_core::save_path::SavePath::new(&path, &[]).unwrap();
    let err = repairs::apply(
        &conn,
        &audit_log(),
        FLAWED_COLLECTION,
        &Repair::DeleteOrphans,
        &plan.fingerprint,
        plan.confirmation.as_deref(),
        Some(&save),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "refused");
    assert!(!path.exists());
    assert_eq!(dump(&raw_db(&db).await, FLAWED_COLLECTION).await, before);
}

#[tokio::test]
async fn an_existing_users_id_written_otherwise_is_not_taken_as_an_orphan() {
    let (db, conn, _) = seeded("repairs_case", 20).await;
    let owner = ordinary_user(&db)
        .await
        .get_object_id("_id")
        .unwrap()
        .to_hex();
    raw_db(&db)
        .await
        .collection::<Document>(FLAWED_COLLECTION)
        .insert_one(doc! { "user_id": owner.to_uppercase(), "name": "Theirs, shouted" })
        .await
        .unwrap();
    let other = Repair::ReassignOrphans {
        user_id: owner.clone(),
    };
    for repair in [other, Repair::DeleteOrphans] {
        let plan = repairs::plan(&conn, FLAWED_COLLECTION, &repair)
            .await
            .unwrap();
        assert_eq!(plan.will_change, FLAWED_ORPHANS, "{repair:?}");
        assert_eq!(plan.left, 1);
        assert!(plan.left_reason.unwrap().contains("existing user"));
    }
}
