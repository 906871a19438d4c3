//! The notifications feed against a live server: filters equal direct
//! queries, bulk operations report exact counts and stay within their
//! users, expiry follows the real TTL index, and the chart's numbers equal
//! counts made independently.

mod support;

use mongodb::bson::{doc, Bson, Document};
use mozaiks_core::db::connection::Connection;
use mozaiks_core::services::notifications::{self, Compose, FeedQuery, NotificationRef};
use support::{dump, raw_db, unique_db};

/// A database seeded today, so its notifications fall in the chart's window.
async fn seeded_today(prefix: &str, users: u32) -> (String, Connection) {
    let name = unique_db(prefix);
    let (conn, _) = support::connect(&name).await;
    let options = mozaiks_core::services::seed::SeedOptions::today(users);
    mozaiks_core::services::seed::seed(&conn, &support::audit_log(), &options, Some(&name), |_| {})
        .await
        .unwrap();
    (name, conn)
}

/// Every page of the feed for a query, by cursor.
async fn whole_feed(conn: &Connection, query: FeedQuery) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = notifications::feed(
            conn,
            &FeedQuery {
                after,
                page_size: 100,
                ..query.clone()
            },
        )
        .await
        .unwrap();
        ids.extend(page.rows.iter().map(|r| r.id.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

fn newest_first(mut docs: Vec<Document>) -> Vec<String> {
    docs.sort_by(|a, b| {
        let at = |d: &Document| d.get_datetime("created_at").unwrap().timestamp_millis();
        at(b).cmp(&at(a)).then(
            b.get_object_id("_id")
                .unwrap()
                .cmp(&a.get_object_id("_id").unwrap()),
        )
    });
    docs.iter()
        .map(|d| d.get_object_id("_id").unwrap().to_hex())
        .collect()
}

#[tokio::test]
async fn feed_filters_return_exactly_what_a_direct_query_returns() {
    let (db, conn) = seeded_today("feed", 60).await;
    let all = dump(&raw_db(&db).await, "notifications").await;
    let expect = |keep: &dyn Fn(&Document) -> bool| {
        newest_first(all.iter().filter(|d| keep(d)).cloned().collect())
    };
    assert_eq!(
        whole_feed(&conn, FeedQuery::default()).await,
        expect(&|_| true)
    );
    let unread = FeedQuery {
        read: Some(false),
        ..Default::default()
    };
    assert_eq!(
        whole_feed(&conn, unread).await,
        expect(&|d| d.get_bool("read") != Ok(true))
    );
    let mentions = FeedQuery {
        kind: Some("mention".into()),
        read: Some(true),
        ..Default::default()
    };
    assert_eq!(
        whole_feed(&conn, mentions).await,
        expect(&|d| d.get_str("type") == Ok("mention") && d.get_bool("read") == Ok(true))
    );
    let owner = all[0].get_str("user_id").unwrap().to_string();
    let mine = FeedQuery {
        user_id: Some(owner.clone()),
        ..Default::default()
    };
    assert_eq!(
        whole_feed(&conn, mine).await,
        expect(&|d| d.get_str("user_id") == Ok(&owner))
    );
    let day = all[0].get_datetime("created_at").unwrap().to_chrono();
    let from = day - chrono::Duration::days(3);
    let range = FeedQuery {
        created_from: Some(from.to_rfc3339()),
        created_to: Some(day.to_rfc3339()),
        ..Default::default()
    };
    assert_eq!(
        whole_feed(&conn, range).await,
        expect(&|d| {
            let at = d.get_datetime("created_at").unwrap().to_chrono();
            at >= from && at < day
        })
    );
    for bad in [
        FeedQuery {
            kind: Some("{\"$gt\":\"\"}".into()),
            ..Default::default()
        },
        FeedQuery {
            user_id: Some("nobody".into()),
            ..Default::default()
        },
        FeedQuery {
            after: Some("forged".into()),
            ..Default::default()
        },
    ] {
        assert!(notifications::feed(&conn, &bad).await.is_err());
    }
}

#[tokio::test]
async fn bulk_operations_change_exactly_the_selection_and_never_another_users() {
    let (db, conn) = seeded_today("feed_bulk", 40).await;
    let raw = raw_db(&db).await;
    let audit = support::audit_log();
    let unread: Vec<Document> = dump(&raw, "notifications")
        .await
        .into_iter()
        .filter(|d| d.get_bool("read") == Ok(false))
        .take(5)
        .collect();
    let refs: Vec<NotificationRef> = unread
        .iter()
        .map(|d| NotificationRef {
            user_id: d.get_str("user_id").unwrap().into(),
            id: d.get_object_id("_id").unwrap().to_hex(),
        })
        .collect();
    let before = dump(&raw, "notifications").await;
    let done = notifications::set_read(&conn, &audit, &refs, true)
        .await
        .unwrap();
    assert_eq!((done.matched, done.modified), (5.0, 5.0));
    let after = dump(&raw, "notifications").await;
    let changed: Vec<_> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 5, "exactly the selection changed");
    // Again: matched but nothing left to modify.
    let again = notifications::set_read(&conn, &audit, &refs, true)
        .await
        .unwrap();
    assert_eq!((again.matched, again.modified), (5.0, 0.0));

    // Another user's notification through a forged owner: nothing changes.
    let victim = after
        .iter()
        .find(|d| d.get_str("user_id") != Ok(&refs[0].user_id))
        .unwrap();
    let forged = vec![
        NotificationRef {
            user_id: refs[0].user_id.clone(),
            id: refs[0].id.clone(),
        },
        NotificationRef {
            user_id: refs[0].user_id.clone(),
            id: victim.get_object_id("_id").unwrap().to_hex(),
        },
    ];
    let err = notifications::delete(&conn, &audit, &forged)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(dump(&raw, "notifications").await, after, "nothing deleted");
    let err = notifications::set_read(&conn, &audit, &forged, false)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert_eq!(dump(&raw, "notifications").await, after, "nothing marked");

    let gone = notifications::delete(&conn, &audit, &refs[..2])
        .await
        .unwrap();
    assert_eq!(gone.matched, 2.0);
    assert_eq!(dump(&raw, "notifications").await.len(), after.len() - 2);
}

#[tokio::test]
async fn compose_stores_what_was_sent_and_refuses_bad_input_unchanged() {
    let (db, conn) = seeded_today("feed_compose", 10).await;
    let raw = raw_db(&db).await;
    let audit = support::audit_log();
    let user = dump(&raw, "users").await[0]
        .get_object_id("_id")
        .unwrap()
        .to_hex();
    let compose = |kind: &str, title: &str, metadata: Option<&str>| Compose {
        user_id: user.clone(),
        kind: kind.into(),
        title: title.into(),
        message: "Please check the new plan".into(),
        metadata_json: metadata.map(String::from),
    };
    let before = dump(&raw, "notifications").await;
    for bad in [
        compose("$where", "x", None),
        compose("billing", "", None),
        compose("billing", "x", Some("[1]")),
        compose("billing", "x", Some(r#"{"$set":{"read":true}}"#)),
        compose("billing", &"t".repeat(201), None),
    ] {
        let err = notifications::compose(&conn, &audit, &bad)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{err:?}");
    }
    let mut nobody = compose("billing", "x", None);
    nobody.user_id = "000000000000000000000001".into();
    let err = notifications::compose(&conn, &audit, &nobody)
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "not_found",
        "a user who does not exist gets no orphan"
    );
    assert_eq!(dump(&raw, "notifications").await, before);
    let sent = notifications::compose(
        &conn,
        &audit,
        &compose("plan_change", "New plan", Some(r#"{"plan":"pro"}"#)),
    )
    .await
    .unwrap();
    assert_eq!(sent.row.user_id, user);
    let stored = raw
        .collection::<Document>("notifications")
        .find_one(doc! { "_id": mongodb::bson::oid::ObjectId::parse_str(&sent.row.id).unwrap() })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.get_str("user_id"), Ok(user.as_str()));
    assert_eq!(stored.get_str("type"), Ok("plan_change"));
    assert_eq!(stored.get_bool("read"), Ok(false));
    assert!(matches!(stored.get("created_at"), Some(Bson::DateTime(_))));
    assert_eq!(
        stored.get_document("metadata").unwrap().get_str("plan"),
        Ok("pro")
    );
}

#[tokio::test]
async fn expiry_follows_the_real_ttl_index_and_its_absence_is_warned() {
    let (db, conn) = seeded_today("feed_ttl", 10).await;
    let ttl = notifications::ttl(&conn).await.unwrap();
    assert_eq!(ttl.expire_after_seconds, Some(2_592_000.0));
    assert_eq!(ttl.warning, None);
    let page = notifications::feed(
        &conn,
        &FeedQuery {
            page_size: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for row in &page.rows {
        let created =
            chrono::DateTime::parse_from_rfc3339(row.created_at.as_deref().unwrap()).unwrap();
        let expires =
            chrono::DateTime::parse_from_rfc3339(row.expires_at.as_deref().unwrap()).unwrap();
        assert_eq!((expires - created).num_seconds(), 2_592_000);
    }
    raw_db(&db)
        .await
        .collection::<Document>("notifications")
        .drop_index("created_at_1")
        .await
        .unwrap();
    let ttl = notifications::ttl(&conn).await.unwrap();
    assert_eq!(ttl.expire_after_seconds, None);
    assert!(ttl.warning.unwrap().contains("No TTL index"));
    let page = notifications::feed(
        &conn,
        &FeedQuery {
            page_size: 5,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(page.rows.iter().all(|r| r.expires_at.is_none()));
}

#[tokio::test]
async fn the_chart_equals_counts_made_independently() {
    let (db, conn) = seeded_today("feed_chart", 50).await;
    let all = dump(&raw_db(&db).await, "notifications").await;
    let since = chrono::Utc::now() - chrono::Duration::days(30);
    let mut expected: std::collections::BTreeMap<(String, String), (f64, f64)> = Default::default();
    for d in &all {
        let at = d.get_datetime("created_at").unwrap().to_chrono();
        if at < since {
            continue;
        }
        let key = (
            at.format("%Y-%m-%d").to_string(),
            d.get_str("type").unwrap().to_string(),
        );
        let e = expected.entry(key).or_default();
        if d.get_bool("read") == Ok(true) {
            e.0 += 1.0;
        } else {
            e.1 += 1.0;
        }
    }
    let chart = notifications::daily_counts(&conn).await.unwrap();
    let got: std::collections::BTreeMap<(String, String), (f64, f64)> = chart
        .into_iter()
        .map(|c| ((c.day, c.kind), (c.read, c.unread)))
        .collect();
    assert!(!got.is_empty());
    assert_eq!(got, expected);
}

/// The feed pages on `created_at` alone (an index serves it); rows that
/// share a timestamp across a page boundary are neither skipped nor repeated.
#[tokio::test]
async fn equal_timestamps_across_pages_are_neither_skipped_nor_repeated() {
    let (db, conn) = seeded_today("feed_ties", 5).await;
    let raw = raw_db(&db).await;
    let user = dump(&raw, "users").await[0]
        .get_object_id("_id")
        .unwrap()
        .to_hex();
    let at = mongodb::bson::DateTime::now();
    // A broadcast stamps one time on many; a few neighbours on either side.
    let mut same: Vec<Document> = (0..250)
        .map(|i| doc! { "user_id": &user, "type": "tie", "title": format!("t{i}"), "message": "m", "read": false, "created_at": at })
        .collect();
    for offset in [-2_000_i64, -1_000, 1_000] {
        let when = mongodb::bson::DateTime::from_millis(at.timestamp_millis() + offset);
        same.push(doc! { "user_id": &user, "type": "tie", "title": "near", "message": "m", "read": false, "created_at": when });
    }
    raw.collection::<Document>("notifications")
        .insert_many(same)
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = notifications::feed(
            &conn,
            &FeedQuery {
                kind: Some("tie".into()),
                page_size: 3,
                after,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        seen.extend(page.rows.iter().map(|r| r.id.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (253, 253));
}

/// When the audit's "done" entry could not be written after the insert
/// applied, the caller got a plain error and could send the notification
/// again. The write's outcome and the audit's state are told apart.
#[tokio::test]
async fn a_sent_notification_is_reported_sent_when_only_its_audit_entry_fails() {
    use mongodb::event::{command::CommandEvent, EventHandler};
    use mozaiks_core::db::audit::AuditLog;
    use mozaiks_core::db::connection::ConnectOptions;

    let (db, _) = seeded_today("compose_audit", 5).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let trail = audit.path().to_path_buf();
    // The moment the insert leaves, the trail becomes a folder: the intent
    // is written, the outcome cannot be.
    let break_trail = trail.clone();
    let monitor = EventHandler::callback(move |event: CommandEvent| {
        if let CommandEvent::Started(e) = event {
            if e.command_name == "insert" && e.command.get_str("insert") == Ok("notifications") {
                let _ = std::fs::remove_file(&break_trail);
                let _ = std::fs::create_dir_all(&break_trail);
            }
        }
    });
    let conn = Connection::open(
        &support::profile(&db),
        ConnectOptions {
            command_monitor: Some(monitor),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let owner = support::ordinary_user(&db).await;
    let sent = notifications::compose(
        &conn,
        &audit,
        &Compose {
            user_id: owner.get_object_id("_id").unwrap().to_hex(),
            kind: "system".into(),
            title: "Audit probe".into(),
            message: "sent once".into(),
            metadata_json: None,
        },
    )
    .await
    .expect("an applied insert is reported as applied");
    assert!(trail.is_dir());
    let audit_error = sent.audit_error.expect("the failed audit entry is said");
    assert!(
        audit_error.contains("audit entry could not be written"),
        "{audit_error}"
    );
    let stored = raw_db(&db)
        .await
        .collection::<Document>("notifications")
        .count_documents(doc! { "title": "Audit probe" })
        .await
        .unwrap();
    assert_eq!(stored, 1);
    assert_eq!(sent.row.title, "Audit probe");
}

/// The feed's User column showed a raw id; support staff know people by
/// email. Each page names its users (one projected lookup); an id that is
/// no user has no entry and reads as deleted.
#[tokio::test]
async fn each_feed_page_names_its_users_by_email_and_username() {
    let (db, conn) = seeded_today("feed_labels", 12).await;
    let raw = raw_db(&db).await;
    let ghost = mongodb::bson::oid::ObjectId::new().to_hex();
    raw.collection::<Document>("notifications")
        .insert_one(doc! {
            "user_id": &ghost, "type": "system", "title": "to nobody", "message": "m",
            "read": false, "created_at": mongodb::bson::DateTime::now(),
        })
        .await
        .unwrap();
    let query = FeedQuery {
        page_size: 50,
        ..Default::default()
    };
    let page = notifications::feed(&conn, &query).await.unwrap();
    let users = dump(&raw, "users").await;
    let mut named = 0;
    for row in &page.rows {
        let label = page.users.iter().find(|u| u.id == row.user_id);
        match users
            .iter()
            .find(|u| u.get_object_id("_id").unwrap().to_hex() == row.user_id)
        {
            Some(user) => {
                let label = label.unwrap_or_else(|| panic!("{} unnamed", row.user_id));
                assert_eq!(label.email.as_deref(), user.get_str("email").ok());
                assert_eq!(label.username.as_deref(), user.get_str("username").ok());
                named += 1;
            }
            None => assert!(label.is_none(), "{} is no user", row.user_id),
        }
    }
    assert!(
        named > 0,
        "{:?} / {:?}",
        page.users,
        page.rows.iter().map(|r| &r.user_id).collect::<Vec<_>>()
    );
    assert!(page.rows.iter().any(|r| r.user_id == ghost));
    assert!(page.users.len() <= page.rows.len());
}
