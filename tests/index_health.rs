//! Index health against a live server: the seed's indexes are reported as
//! the platform requires, its flawed collection's missing `user_id` index
//! as missing, and a dropped unique or TTL index as the problem it is.

mod support;

use mongodb::bson::{doc, Document};
use mongodb::options::IndexOptions;
use mongodb::IndexModel;
use mozaiks_core::services::index_health::{self, IndexState};
use support::{raw_db, seeded};

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
    let report = index_health::report(&conn, |c| seen.push(c.collection.clone()))
        .await
        .unwrap();
    assert_eq!(
        seen.len(),
        report.collections.len(),
        "progress for every collection"
    );
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
        IndexState::Extra
    );
    assert_eq!(report.problems, 1.0, "only the flawed collection's index");
    assert!(report.score < 100.0);
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
    let report = index_health::report(&conn, |_| {}).await.unwrap();
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
