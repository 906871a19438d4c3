//! The demo-data seed against a live server: counts as asked, the guide's
//! indexes, the planted flaws, and the same data every time.

mod support;

use mongodb::bson::{doc, Bson, Document};
use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::services::seed::{self, SeedOptions, FLAWED_COLLECTION, SEEDED_COLLECTIONS};
use support::{dump, profile, raw_db, unique_db};

fn options(users: u32) -> SeedOptions {
    SeedOptions {
        users,
        seed: 42,
        anchor: "2026-06-01T00:00:00Z".parse().unwrap(),
    }
}

async fn seed_into(db: &str, users: u32) -> seed::SeedReport {
    let (conn, _) = support::connect(db).await;
    let mut last = None;
    let report = seed::seed(
        &conn,
        &support::audit_log(),
        &options(users),
        Some(db),
        |p| last = Some(p),
    )
    .await
    .unwrap();
    let last = last.expect("progress was reported");
    assert_eq!(last.written, last.expected);
    report
}

#[tokio::test]
async fn seeding_twice_gives_identical_data() {
    let (a, b) = (unique_db("seed_a"), unique_db("seed_b"));
    seed_into(&a, 300).await;
    seed_into(&b, 300).await;
    // Re-seeding a database replaces, never appends.
    seed_into(&b, 300).await;
    let (da, db) = (raw_db(&a).await, raw_db(&b).await);
    for name in SEEDED_COLLECTIONS {
        let (x, y) = (dump(&da, name).await, dump(&db, name).await);
        assert!(!x.is_empty(), "{name} is empty");
        assert_eq!(x.len(), y.len(), "{name}");
        assert!(x == y, "{name} differs between two seeds");
    }
}

#[tokio::test]
async fn counts_are_as_asked_and_reported() {
    let name = unique_db("seed_counts");
    let report = seed_into(&name, 500).await;
    let db = raw_db(&name).await;
    let users = db.collection::<Document>("users");
    assert_eq!(users.count_documents(doc! {}).await.unwrap(), 500);
    for c in &report.collections {
        let actual = db
            .collection::<Document>(&c.name)
            .count_documents(doc! {})
            .await
            .unwrap();
        assert_eq!(actual, u64::from(c.documents), "{}", c.name);
    }
    let settings = db
        .collection::<Document>("settings")
        .count_documents(doc! {})
        .await
        .unwrap();
    assert!(
        settings > 350 && settings < 500,
        "most users have settings: {settings}"
    );
    let superadmins = users
        .count_documents(doc! { "roles": "superadmin" })
        .await
        .unwrap();
    assert!(superadmins >= 1);
    let unread = db
        .collection::<Document>("notifications")
        .count_documents(doc! { "read": false })
        .await
        .unwrap();
    assert!(unread > 0);
}

#[tokio::test]
async fn the_guides_indexes_exist_and_the_flawed_collection_lacks_one() {
    let name = unique_db("seed_indexes");
    seed_into(&name, 50).await;
    let db = raw_db(&name).await;
    for (collection, model) in seed::required_indexes() {
        let specs: Vec<_> = {
            use futures_util::TryStreamExt;
            db.collection::<Document>(collection)
                .list_indexes()
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap()
        };
        let found = specs
            .iter()
            .find(|i| i.keys == model.keys)
            .unwrap_or_else(|| panic!("{collection}: no index on {:?}", model.keys));
        let wanted = model.options.as_ref();
        assert_eq!(
            found.options.as_ref().and_then(|o| o.unique),
            wanted.and_then(|o| o.unique),
            "{collection} {:?}",
            model.keys
        );
        assert_eq!(
            found.options.as_ref().and_then(|o| o.expire_after),
            wanted.and_then(|o| o.expire_after)
        );
    }
    let flawed = dump(&db, FLAWED_COLLECTION).await;
    let without = flawed.iter().filter(|d| !d.contains_key("user_id")).count();
    let typed = flawed
        .iter()
        .filter(|d| matches!(d.get("user_id"), Some(Bson::ObjectId(_))))
        .count();
    assert_eq!(without as u32, seed::FLAWED_WITHOUT_USER_ID);
    assert_eq!(typed as u32, seed::FLAWED_OBJECT_ID_USER_IDS);
}

#[tokio::test]
async fn a_bad_user_count_is_refused_before_anything_is_dropped() {
    let name = unique_db("seed_bad");
    seed_into(&name, 10).await;
    let conn = Connection::open(&profile(&name), ConnectOptions::default())
        .await
        .unwrap();
    let audit = support::audit_log();
    for users in [0, seed::MAX_USERS + 1] {
        let err = seed::seed(&conn, &audit, &options(users), Some(&name), |_| {})
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_input");
    }
    let users = raw_db(&name).await.collection::<Document>("users");
    assert_eq!(users.count_documents(doc! {}).await.unwrap(), 10);
}

/// "Seed demo data" used to drop a database's collections, production
/// included, once the connection was made writable.
#[tokio::test]
async fn seeding_refuses_production_and_a_database_with_data_unless_named() {
    let name = unique_db("seed_guard");
    seed_into(&name, 10).await;
    let conn = Connection::open(&profile(&name), ConnectOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let audit = mozaiks_core::db::audit::AuditLog::new(dir.path());
    for wrong in [None, Some("MozaiksCore"), Some("")] {
        let err = seed::seed(&conn, &audit, &options(5), wrong, |_| {})
            .await
            .unwrap_err();
        assert_eq!(
            err,
            mozaiks_core::Error::ConfirmationRequired {
                expected: name.clone()
            }
        );
    }
    let mut prod = profile(&name);
    prod.environment = mozaiks_core::profiles::profile::Environment::Production;
    let prod_conn = Connection::open(&prod, ConnectOptions::default())
        .await
        .unwrap();
    prod_conn.set_read_only(false, Some(&name)).unwrap();
    let err = seed::seed(&prod_conn, &audit, &options(5), Some(&name), |_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), "refused");
    let users = raw_db(&name).await.collection::<Document>("users");
    assert_eq!(
        users.count_documents(doc! {}).await.unwrap(),
        10,
        "nothing was dropped"
    );
    assert!(
        !audit.path().exists(),
        "nothing was attempted, so nothing audited"
    );
    // Typed back, it replaces the data and the intent is audited first.
    seed::seed(&conn, &audit, &options(5), Some(&name), |_| {})
        .await
        .unwrap();
    assert_eq!(users.count_documents(doc! {}).await.unwrap(), 5);
    let trail = std::fs::read_to_string(audit.path()).unwrap();
    let stages: Vec<&str> = trail
        .lines()
        .map(|l| {
            if l.contains("\"intent\"") {
                "intent"
            } else {
                "done"
            }
        })
        .collect();
    assert_eq!(stages, ["intent", "done"]);
}
