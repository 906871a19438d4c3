//! Users: search, list (sort, filters, the page cap), the 360 sections and
//! edits, against seeded data on a live server.

mod support;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::services::users::{self, SubscriptionState, UserEdit, UserQuery, UserSortField};
use mozaiks_core::services::{settings, user360};
use mozaiks_core::Error;
use support::{raw_db, seeded};

fn query() -> UserQuery {
    UserQuery::default()
}

async fn direct(db: &str, filter: Document, sort: Document) -> Vec<String> {
    let docs: Vec<Document> = raw_db(db)
        .await
        .collection::<Document>("users")
        .find(filter)
        .sort(sort)
        .projection(doc! { "_id": 1 })
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    docs.iter()
        .map(|d| d.get_object_id("_id").unwrap().to_hex())
        .collect()
}

#[tokio::test]
async fn search_finds_by_email_prefix_username_and_id() {
    let (db, conn, _) = seeded("search", 200).await;
    let some = direct(&db, doc! {}, doc! { "_id": 1 }).await;
    let user = users::detail(&conn, &UserScope::parse(&some[7]).unwrap())
        .await
        .unwrap();

    let by_email = users::search(&conn, &user.email[..user.email.find('@').unwrap()])
        .await
        .unwrap();
    assert!(by_email.iter().any(|r| r.id == user.id), "email prefix");
    assert!(
        by_email
            .iter()
            .all(|r| r.email.starts_with(&user.email[..3])
                || r.username.starts_with(&user.email[..3]))
    );
    let by_full_email = users::search(&conn, &user.email).await.unwrap();
    assert_eq!(
        by_full_email.iter().map(|r| &r.id).collect::<Vec<_>>(),
        vec![&user.id]
    );
    let by_username = users::search(&conn, &user.username).await.unwrap();
    assert!(by_username.iter().any(|r| r.id == user.id), "username");
    let by_id = users::search(&conn, &user.id).await.unwrap();
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0].id, user.id);
    // Metacharacters are literal: no user name contains ".*".
    assert!(users::search(&conn, ".*").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_malformed_id_is_a_typed_error_and_sends_no_query() {
    let (_, conn, recorder) = seeded("badid", 20).await;
    let before = recorder.count();
    for bad in [
        "id:12345",
        "id:zzzzzzzzzzzzzzzzzzzzzzzz",
        "id:{\"$ne\":null}",
    ] {
        let err = users::search(&conn, bad).await.unwrap_err();
        assert_eq!(err.code(), "invalid_id", "{bad}");
    }
    assert_eq!(
        UserScope::parse("not-an-id").unwrap_err().code(),
        "invalid_id"
    );
    assert_eq!(
        recorder.count(),
        before,
        "a query was sent for a malformed id"
    );
}

#[tokio::test]
async fn the_page_size_cap_holds_whatever_is_asked() {
    let (_, conn, _) = seeded("cap", 300).await;
    let page = users::list(
        &conn,
        &UserQuery {
            page_size: 10_000,
            ..query()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.rows.len(), 100);
    assert_eq!(page.page_size, 100);
    let total = users::count(&conn, &query()).await.unwrap();
    assert_eq!(
        total,
        users::Total {
            value: Some(300.0),
            exact: true
        }
    );
    let second = users::list(
        &conn,
        &UserQuery {
            page_size: 100,
            after: page.next.clone(),
            ..query()
        },
    )
    .await
    .unwrap();
    assert_eq!(second.rows.len(), 100);
    assert!(second
        .rows
        .iter()
        .all(|r| !page.rows.iter().any(|p| p.id == r.id)));
}

#[tokio::test]
async fn sorting_and_filters_return_exactly_the_expected_users() {
    let (db, conn, _) = seeded("filters", 300).await;
    let all = |q: UserQuery| {
        let conn = &conn;
        async move {
            let mut ids = Vec::new();
            let mut after = None;
            loop {
                let p = users::list(
                    conn,
                    &UserQuery {
                        after,
                        page_size: 100,
                        ..q.clone()
                    },
                )
                .await
                .unwrap();
                ids.extend(p.rows.iter().map(|r| r.id.clone()));
                match p.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            ids
        }
    };
    let by_email = all(UserQuery {
        sort: UserSortField::Email,
        descending: false,
        ..query()
    })
    .await;
    assert_eq!(
        by_email,
        direct(&db, doc! {}, doc! { "email": 1, "_id": 1 }).await
    );

    let admins = all(UserQuery {
        role: Some("admin".into()),
        ..query()
    })
    .await;
    assert_eq!(
        admins,
        direct(
            &db,
            doc! { "roles": "admin" },
            doc! { "created_at": -1, "_id": -1 }
        )
        .await
    );

    let premium = all(UserQuery {
        tier: Some("premium".into()),
        sort: UserSortField::LastLogin,
        ..query()
    })
    .await;
    assert_eq!(
        premium,
        direct(
            &db,
            doc! { "subscription.tier": "premium" },
            doc! { "last_login": -1, "_id": -1 }
        )
        .await
    );

    let now = mongodb::bson::DateTime::now();
    let expired = all(UserQuery {
        subscription: Some(SubscriptionState::Expired),
        ..query()
    })
    .await;
    assert!(!expired.is_empty());
    assert_eq!(
        expired,
        direct(
            &db,
            doc! { "subscription.expires_at": { "$lt": now } },
            doc! { "created_at": -1, "_id": -1 }
        )
        .await
    );

    let from = "2025-06-01T00:00:00Z";
    let window = all(UserQuery {
        created_from: Some(from.into()),
        created_to: Some("2025-12-31T00:00:00Z".into()),
        ..query()
    })
    .await;
    let (a, b) = (
        mongodb::bson::DateTime::parse_rfc3339_str(from).unwrap(),
        mongodb::bson::DateTime::parse_rfc3339_str("2025-12-31T00:00:00Z").unwrap(),
    );
    assert_eq!(
        window,
        direct(
            &db,
            doc! { "created_at": { "$gte": a, "$lte": b } },
            doc! { "created_at": -1, "_id": -1 }
        )
        .await
    );

    let stale = all(UserQuery {
        last_login_before: Some("2025-01-01T00:00:00Z".into()),
        ..query()
    })
    .await;
    let cut = mongodb::bson::DateTime::parse_rfc3339_str("2025-01-01T00:00:00Z").unwrap();
    let expected = direct(
        &db,
        doc! { "$or": [{ "last_login": { "$lt": cut } }, { "last_login": null }] },
        doc! { "created_at": -1, "_id": -1 },
    )
    .await;
    assert!(!expected.is_empty());
    assert_eq!(stale, expected);

    let bad = users::list(
        &conn,
        &UserQuery {
            created_from: Some("yesterday".into()),
            ..query()
        },
    )
    .await;
    assert_eq!(bad.unwrap_err().code(), "invalid_input");
}

#[tokio::test]
async fn the_360_sections_equal_direct_queries_and_never_hold_a_password_hash() {
    let (db, conn, _) = seeded("u360", 150).await;
    let raw = raw_db(&db).await;
    // A user with notifications and tasks.
    let owner = raw
        .collection::<Document>("task_manager_tasks")
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    let user_id = owner.get_str("user_id").unwrap().to_string();
    let scope = UserScope::parse(&user_id).unwrap();

    let detail = users::detail(&conn, &scope).await.unwrap();
    let doc = raw
        .collection::<Document>("users")
        .find_one(doc! { "_id": scope.object_id() })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.email, doc.get_str("email").unwrap());
    assert!(detail.password_set);

    let notes = user360::notifications(&conn, &scope, 0, 25).await.unwrap();
    let n = raw.collection::<Document>("notifications");
    assert_eq!(
        notes.total as u64,
        n.count_documents(doc! { "user_id": &user_id })
            .await
            .unwrap()
    );
    assert_eq!(
        notes.unread as u64,
        n.count_documents(doc! { "user_id": &user_id, "read": false })
            .await
            .unwrap()
    );
    assert_eq!(notes.rows.len() as f64, notes.total.min(25.0));

    let plugins = user360::plugin_collections(&conn).await.unwrap();
    assert_eq!(
        plugins,
        vec!["crm_contacts", "notes_notes", "task_manager_tasks"]
    );
    let mut responses = vec![
        serde_json::to_string(&detail).unwrap(),
        serde_json::to_string(&notes).unwrap(),
    ];
    for name in &plugins {
        let data = user360::plugin_data(&conn, &scope, name, 25).await.unwrap();
        let expected = raw
            .collection::<Document>(name)
            .count_documents(doc! { "user_id": &user_id })
            .await
            .unwrap();
        assert_eq!(data.count as u64, expected, "{name}");
        assert_eq!(data.documents.len() as u64, expected.min(25), "{name}");
        responses.push(serde_json::to_string(&data).unwrap());
    }
    responses.push(serde_json::to_string(&settings::load(&conn, &scope).await.unwrap()).unwrap());
    responses
        .push(serde_json::to_string(&users::search(&conn, &detail.email).await.unwrap()).unwrap());
    responses.push(serde_json::to_string(&users::list(&conn, &query()).await.unwrap()).unwrap());
    for r in responses {
        assert!(
            !r.contains("password_hash") && !r.contains("$2b$"),
            "leaks a hash: {r}"
        );
    }
}

#[tokio::test]
async fn object_id_typed_user_ids_are_reported_apart() {
    let (db, conn, _) = seeded("typed", 30).await;
    let raw = raw_db(&db).await;
    let typed = raw
        .collection::<Document>("crm_contacts")
        .find_one(doc! { "user_id": { "$type": "objectId" } })
        .await
        .unwrap()
        .unwrap();
    let scope = UserScope::from_object_id(typed.get_object_id("user_id").unwrap());
    let data = user360::plugin_data(&conn, &scope, "crm_contacts", 25)
        .await
        .unwrap();
    assert_eq!(data.object_id_typed, 1.0);
    assert!(
        data.documents.iter().all(|d| !d.contains("Typed")),
        "typed documents were mixed in"
    );
}

/// The first user by `_id` who is not a superadmin.
async fn first_ordinary_user(db: &str) -> String {
    direct(
        db,
        doc! { "roles": { "$ne": "superadmin" } },
        doc! { "_id": 1 },
    )
    .await[0]
        .clone()
}

fn edit_of(detail: &users::UserDetail) -> UserEdit {
    UserEdit {
        roles: detail.roles.clone(),
        tier: detail.tier.clone(),
        expires_at: detail.expires_at.clone(),
        display_name: detail.display_name.clone(),
        bio: detail.bio.clone(),
        version: detail.version.clone(),
    }
}

#[tokio::test]
async fn edits_apply_set_updated_at_and_are_audited() {
    let (db, conn, _) = seeded("edit", 40).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let id = first_ordinary_user(&db).await;
    let scope = UserScope::parse(&id).unwrap();
    let before = users::detail(&conn, &scope).await.unwrap();
    let mut edit = edit_of(&before);
    edit.roles = vec!["admin".into(), "user".into()];
    edit.tier = Some("enterprise".into());
    edit.expires_at = Some("2030-01-01T00:00:00Z".into());
    edit.display_name = Some("Renamed".into());
    let after = users::update(&conn, &audit, &scope, &edit).await.unwrap();
    assert_eq!(after.roles, vec!["user", "admin"]);
    assert_eq!(after.tier.as_deref(), Some("enterprise"));
    assert_eq!(after.expires_at.as_deref(), Some("2030-01-01T00:00:00Z"));
    assert_eq!(after.display_name.as_deref(), Some("Renamed"));
    assert_ne!(after.updated_at, before.updated_at);
    let entries = audit.list(&Default::default()).unwrap();
    assert_eq!(entries.len(), 2, "intent, then outcome");
    assert_eq!(
        (entries[0].stage.as_str(), entries[1].stage.as_str()),
        ("done", "intent")
    );
    assert_eq!(entries[0].target_id, id);
    assert!(
        entries[0].after.contains("Renamed")
            && entries[0]
                .before
                .contains(before.display_name.as_deref().unwrap())
    );

    // Bad input: typed error, nothing changed, nothing audited.
    let stored = raw_db(&db)
        .await
        .collection::<Document>("users")
        .find_one(doc! { "_id": scope.object_id() })
        .await
        .unwrap();
    edit.roles = vec!["root".into()];
    let err = users::update(&conn, &audit, &scope, &edit)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let again = raw_db(&db)
        .await
        .collection::<Document>("users")
        .find_one(doc! { "_id": scope.object_id() })
        .await
        .unwrap();
    assert_eq!(stored, again);
    assert_eq!(
        audit.list(&Default::default()).unwrap().len(),
        2,
        "bad input audits nothing"
    );
}

#[tokio::test]
async fn removing_the_last_superadmin_is_refused() {
    let (db, conn, _) = seeded("superadmin", 30).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let admins = direct(&db, doc! { "roles": "superadmin" }, doc! { "_id": 1 }).await;
    assert_eq!(admins.len(), 1, "the seed makes one superadmin");
    let scope = UserScope::parse(&admins[0]).unwrap();
    let mut edit = edit_of(&users::detail(&conn, &scope).await.unwrap());
    edit.roles = vec!["user".into()];
    let err = users::update(&conn, &audit, &scope, &edit)
        .await
        .unwrap_err();
    assert_eq!(err, Error::LastSuperadmin);
    assert!(users::detail(&conn, &scope)
        .await
        .unwrap()
        .roles
        .contains(&"superadmin".to_string()));

    // With a second superadmin, the first may step down.
    let other = UserScope::parse(&first_ordinary_user(&db).await).unwrap();
    let mut promote = edit_of(&users::detail(&conn, &other).await.unwrap());
    promote.roles = vec!["user".into(), "superadmin".into()];
    users::update(&conn, &audit, &other, &promote)
        .await
        .unwrap();
    edit.version = users::detail(&conn, &scope).await.unwrap().version;
    users::update(&conn, &audit, &scope, &edit).await.unwrap();
}

#[tokio::test]
async fn profiles_that_ask_for_it_also_audit_to_the_database() {
    let (db, _, _) = seeded("audit_db", 20).await;
    let mut profile = support::profile(&db);
    profile.audit_to_database = true;
    let (conn, _) = support::connect_profile(&profile).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let id = first_ordinary_user(&db).await;
    let scope = UserScope::parse(&id).unwrap();
    let mut edit = edit_of(&users::detail(&conn, &scope).await.unwrap());
    edit.bio = Some("Audited".into());
    users::update(&conn, &audit, &scope, &edit).await.unwrap();
    let logged = support::dump(&raw_db(&db).await, mozaiks_core::schema::AUDIT_COLLECTION).await;
    assert_eq!(logged.len(), 2, "intent and outcome");
    assert_eq!(logged[1].get_str("operation").unwrap(), "update_user");
    assert_eq!(logged[1].get_str("stage").unwrap(), "done");
    assert_eq!(logged[1].get_str("target_id").unwrap(), id);
    assert!(!logged[1].to_string().contains("$2b$"));
    assert_eq!(
        audit.list(&Default::default()).unwrap().len(),
        2,
        "the local file has them too"
    );
}

/// The seed guide stores dates as ISO-8601 strings; the filters must find
/// such users as they find BSON dates.
#[tokio::test]
async fn date_filters_match_iso_string_dates_too() {
    let (db, conn, _) = seeded("string_dates", 30).await;
    let id = mongodb::bson::oid::ObjectId::new();
    raw_db(&db)
        .await
        .collection::<Document>("users")
        .insert_one(doc! {
            "_id": id, "email": "legacy@example.com", "username": "legacy", "roles": ["user"],
            "subscription": { "tier": "premium", "expires_at": "2020-01-01T00:00:00Z" },
            "created_at": "2024-03-01T00:00:00Z", "last_login": "2024-03-02T00:00:00Z",
        })
        .await
        .unwrap();
    let has = |page: &users::UserPage| page.rows.iter().any(|r| r.id == id.to_hex());
    let q = |f: fn(&mut UserQuery)| {
        let mut q = UserQuery {
            page_size: 100,
            ..query()
        };
        f(&mut q);
        q
    };
    let created = q(|q| {
        q.created_from = Some("2024-02-01T00:00:00Z".into());
        q.created_to = Some("2024-04-01T00:00:00Z".into());
    });
    assert!(has(&users::list(&conn, &created).await.unwrap()));
    let stale = q(|q| q.last_login_before = Some("2024-06-01T00:00:00Z".into()));
    assert!(has(&users::list(&conn, &stale).await.unwrap()));
    let expired = q(|q| q.subscription = Some(SubscriptionState::Expired));
    assert!(has(&users::list(&conn, &expired).await.unwrap()));
    let active = q(|q| q.subscription = Some(SubscriptionState::Active));
    assert!(!has(&users::list(&conn, &active).await.unwrap()));
    // A naive string at the bound itself counts as that instant (UTC).
    let at_bound = q(|q| q.created_from = Some("2024-03-01T00:00:00Z".into()));
    raw_db(&db)
        .await
        .collection::<Document>("users")
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "created_at": "2024-03-01T00:00:00" } },
        )
        .await
        .unwrap();
    assert!(has(&users::list(&conn, &at_bound).await.unwrap()));
    let before_bound = q(|q| q.created_to = Some("2024-02-29T23:59:59Z".into()));
    assert!(!has(&users::list(&conn, &before_bound).await.unwrap()));
    let outside = q(|q| q.created_from = Some("2025-01-01T00:00:00Z".into()));
    assert!(!has(&users::list(&conn, &outside).await.unwrap()));
    let row = users::search(&conn, "legacy@").await.unwrap();
    assert_eq!(row[0].created_at.as_deref(), Some("2024-03-01T00:00:00Z"));
}

/// Two admins demoting the last two superadmins at once: however the
/// writes interleave, one superadmin remains, and a refused demotion leaves
/// the whole user document as it was (the restore once reset only roles).
#[tokio::test]
async fn racing_demotions_keep_a_superadmin_and_restore_whole_edits() {
    let (db, conn, _) = seeded("superadmin_race", 30).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let first = direct(&db, doc! { "roles": "superadmin" }, doc! { "_id": 1 }).await[0].clone();
    let second = first_ordinary_user(&db).await;
    let raw = raw_db(&db).await.collection::<Document>("users");
    raw.update_one(
        doc! { "_id": UserScope::parse(&second).unwrap().object_id() },
        doc! { "$set": { "roles": ["superadmin"] } },
    )
    .await
    .unwrap();
    let (a, b) = (
        UserScope::parse(&first).unwrap(),
        UserScope::parse(&second).unwrap(),
    );
    let demote = |d: &users::UserDetail| UserEdit {
        roles: vec!["user".into()],
        display_name: Some("Demoted".into()),
        ..edit_of(d)
    };
    let (ea, eb) = (
        demote(&users::detail(&conn, &a).await.unwrap()),
        demote(&users::detail(&conn, &b).await.unwrap()),
    );
    let originals = support::dump(&raw_db(&db).await, "users").await;
    let (ra, rb) = tokio::join!(
        users::update(&conn, &audit, &a, &ea),
        users::update(&conn, &audit, &b, &eb)
    );
    let left = direct(&db, doc! { "roles": "superadmin" }, doc! { "_id": 1 }).await;
    assert!(!left.is_empty(), "a superadmin remains");
    let refused: Vec<&UserScope> = [(&ra, &a), (&rb, &b)]
        .into_iter()
        .filter(|(r, _)| r.as_ref().err() == Some(&Error::LastSuperadmin))
        .map(|(_, s)| s)
        .collect();
    assert!(!refused.is_empty(), "{ra:?} {rb:?}");
    let now = support::dump(&raw_db(&db).await, "users").await;
    for scope in refused {
        let find = |docs: &[Document]| {
            docs.iter()
                .find(|d| d.get_object_id("_id").unwrap() == scope.object_id())
                .cloned()
                .unwrap()
        };
        let (was, is) = (find(&originals), find(&now));
        for field in ["roles", "subscription", "profile"] {
            assert_eq!(was.get(field), is.get(field), "{field} restored");
        }
    }
}

/// Two admins editing one user: the second, loaded before the first
/// saved, gets a conflict instead of silently overwriting it.
#[tokio::test]
async fn a_stale_edit_is_a_conflict_and_overwrites_nothing() {
    let (db, conn, _) = seeded("edit_conflict", 20).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let scope = UserScope::parse(&first_ordinary_user(&db).await).unwrap();
    let loaded = users::detail(&conn, &scope).await.unwrap();
    let mut first = edit_of(&loaded);
    first.bio = Some("first admin".into());
    let mut second = edit_of(&loaded);
    second.display_name = Some("second admin".into());
    users::update(&conn, &audit, &scope, &first).await.unwrap();
    let err = users::update(&conn, &audit, &scope, &second)
        .await
        .unwrap_err();
    let Error::Conflict {
        current: Some(current),
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(
        current.contains("first admin"),
        "the conflict shows the current value"
    );
    let now = users::detail(&conn, &scope).await.unwrap();
    assert_eq!(now.bio.as_deref(), Some("first admin"));
    assert_eq!(now.display_name, loaded.display_name);
}

/// A user whose `expires_at` is a naive ISO string (as Python writes it)
/// could not be edited: the form sent back what it was shown.
#[tokio::test]
async fn a_user_with_a_naive_iso_expiry_can_be_edited() {
    let (db, conn, _) = seeded("naive_date", 10).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let scope = UserScope::parse(&first_ordinary_user(&db).await).unwrap();
    raw_db(&db)
        .await
        .collection::<Document>("users")
        .update_one(
            doc! { "_id": scope.object_id() },
            doc! { "$set": { "subscription.expires_at": "2026-01-01T00:00:00" } },
        )
        .await
        .unwrap();
    let loaded = users::detail(&conn, &scope).await.unwrap();
    assert_eq!(loaded.expires_at.as_deref(), Some("2026-01-01T00:00:00Z"));
    let mut edit = edit_of(&loaded);
    edit.bio = Some("edited".into());
    let after = users::update(&conn, &audit, &scope, &edit).await.unwrap();
    assert_eq!(after.bio.as_deref(), Some("edited"));
    assert_eq!(after.expires_at.as_deref(), Some("2026-01-01T00:00:00Z"));
}

/// Support staff paste emails from tickets as they come: a user stored with
/// capitals used not to be found, neither as typed nor lowercased.
#[tokio::test]
async fn search_finds_an_email_whatever_its_case() {
    let (db, conn, _) = seeded("search_case", 10).await;
    raw_db(&db)
        .await
        .collection::<Document>("users")
        .insert_one(doc! {
            "email": "Guide.User@Example.com", "username": "GuideUser", "roles": ["user"],
        })
        .await
        .unwrap();
    for typed in [
        "Guide.User@Example.com",
        "guide.user@example.com",
        "GUIDE.USER@EXAMPLE.COM",
        "Guide.User",
        "guide",
        "guideuser",
    ] {
        let found = users::search(&conn, typed).await.unwrap();
        assert!(
            found.iter().any(|r| r.email == "Guide.User@Example.com"),
            "{typed}"
        );
    }
    let err = users::search(&conn, &"a".repeat(5 * 1024 * 1024))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        "invalid_input",
        "over 254 characters never reaches the server"
    );
    assert_eq!(
        users::search(&conn, &"a".repeat(255))
            .await
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    // A NUL cannot be in a regular expression: it used to reach the server
    // and come back as a database error.
    assert_eq!(
        users::search(&conn, "guide\u{0}user")
            .await
            .unwrap_err()
            .code(),
        "invalid_input"
    );
}

/// The default view is newest first by `_id`; deep pages go by cursor, and
/// a cursor that is not the app's is refused before any query.
#[tokio::test]
async fn the_default_list_is_newest_first_and_range_paged() {
    let (db, conn, _) = seeded("keyset", 120).await;
    let page = users::list(
        &conn,
        &UserQuery {
            page_size: 50,
            ..query()
        },
    )
    .await
    .unwrap();
    let newest = direct(&db, doc! {}, doc! { "_id": -1 }).await;
    assert_eq!(
        page.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        newest[..50]
    );
    assert_eq!(page.sort_note, None, "an index serves it");
    let mut after = page.next;
    let mut seen = 50;
    while let Some(cursor) = after {
        let p = users::list(
            &conn,
            &UserQuery {
                page_size: 50,
                after: Some(cursor),
                ..query()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            p.rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            newest[seen..seen + p.rows.len()]
        );
        seen += p.rows.len();
        after = p.next;
    }
    assert_eq!(seen, newest.len());
    for bad in ["{\"v\":{\"$gt\":\"\"}}", "not json", "{}"] {
        let q = UserQuery {
            after: Some(bad.into()),
            ..query()
        };
        assert_eq!(
            users::list(&conn, &q).await.unwrap_err().code(),
            "invalid_input"
        );
    }
    let unindexed = UserQuery {
        sort: UserSortField::LastLogin,
        ..query()
    };
    assert!(users::list(&conn, &unindexed)
        .await
        .unwrap()
        .sort_note
        .is_some());
}

/// Plugin documents reached the 360 view unredacted (export redacted them).
#[tokio::test]
async fn plugin_documents_reach_the_360_view_redacted() {
    let (db, conn, _) = seeded("redact360", 10).await;
    let scope = UserScope::parse(&first_ordinary_user(&db).await).unwrap();
    let raw = raw_db(&db).await;
    raw.collection::<Document>("task_manager_tasks")
        .insert_one(doc! { "user_id": scope.user_id(), "title": "deploy", "api_token": "sk_live_abc123", "token_count": 3 })
        .await
        .unwrap();
    raw.collection::<Document>("billing_tokens")
        .insert_one(doc! { "user_id": scope.user_id(), "private_key": "-----BEGIN KEY-----", "credentials": { "user": "u", "pass": "p" } })
        .await
        .unwrap();
    for collection in ["task_manager_tasks", "billing_tokens"] {
        let data = user360::plugin_data(&conn, &scope, collection, 100)
            .await
            .unwrap();
        let text = data.documents.join("\n");
        for secret in ["sk_live_abc123", "BEGIN KEY", "\"pass\""] {
            assert!(!text.contains(secret), "{collection}: {text}");
        }
        assert!(text.contains("<redacted>"), "{collection}");
    }
    let tasks = user360::plugin_data(&conn, &scope, "task_manager_tasks", 100)
        .await
        .unwrap();
    assert!(
        tasks.documents.join("").contains("\"token_count\":3"),
        "facts about secrets stay"
    );
}

/// A read-only connection refuses an edit as read-only whatever the edit's
/// version: a stale form must not be told "conflict, reload and retry" by
/// a connection on which no retry can ever write.
#[tokio::test]
async fn a_read_only_connection_refuses_even_a_stale_edit_as_read_only() {
    let (db, conn, _) = seeded("edit_read_only", 10).await;
    let scope = UserScope::parse(&first_ordinary_user(&db).await).unwrap();
    let loaded = users::detail(&conn, &scope).await.unwrap();
    let mut profile = support::profile(&db);
    profile.read_only = true;
    let (read_only, _) = support::connect_profile(&profile).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let mut stale = edit_of(&loaded);
    stale.version = "2000-01-01T00:00:00Z".into();
    stale.bio = Some("never written".into());
    for edit in [edit_of(&loaded), stale] {
        let err = users::update(&read_only, &audit, &scope, &edit)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "read_only", "{err:?}");
    }
    assert_eq!(users::detail(&conn, &scope).await.unwrap(), loaded);
    assert!(audit.list(&Default::default()).unwrap().is_empty());
}

/// A roles-only edit stored an ISO-string `subscription.expires_at` back
/// as a BSON date and wrote `updated_at` as a date on documents holding
/// strings. Fields the edit did not change keep their stored type, and an
/// edit that changes nothing writes nothing.
#[tokio::test]
async fn an_edit_keeps_the_stored_types_of_what_it_did_not_change() {
    let (db, conn, _) = seeded("edit_types", 10).await;
    let audit = support::audit_log();
    let scope = UserScope::parse(&first_ordinary_user(&db).await).unwrap();
    let users_coll = raw_db(&db).await.collection::<Document>("users");
    users_coll
        .update_one(
            doc! { "_id": scope.object_id() },
            doc! { "$set": {
                "subscription.expires_at": "2026-01-01T00:00:00Z",
                "created_at": "2025-01-01T00:00:00Z",
                "updated_at": "2025-06-15T12:30:00Z",
                "profile.display_name": "Ann",
            } },
        )
        .await
        .unwrap();
    let raw = || async {
        users_coll
            .find_one(doc! { "_id": scope.object_id() })
            .await
            .unwrap()
            .unwrap()
    };
    let loaded = users::detail(&conn, &scope).await.unwrap();
    let stored = raw().await;
    users::update(&conn, &audit, &scope, &edit_of(&loaded))
        .await
        .unwrap();
    assert_eq!(raw().await, stored, "an unchanged edit wrote something");

    let mut edit = edit_of(&loaded);
    edit.roles = vec!["user".into(), "admin".into()];
    users::update(&conn, &audit, &scope, &edit).await.unwrap();
    let after = raw().await;
    let sub = after.get_document("subscription").unwrap();
    assert_eq!(
        sub.get_str("expires_at"),
        Ok("2026-01-01T00:00:00Z"),
        "{after}"
    );
    assert!(
        after.get_str("updated_at").is_ok(),
        "updated_at changed type: {after}"
    );
    assert_ne!(after.get_str("updated_at"), Ok("2025-06-15T12:30:00Z"));
    assert_eq!(
        after
            .get_document("profile")
            .unwrap()
            .get_str("display_name"),
        Ok("Ann")
    );

    // A changed expiry is written in the type it had too.
    let mut edit = edit_of(&users::detail(&conn, &scope).await.unwrap());
    edit.expires_at = Some("2031-02-03T04:05:06Z".into());
    users::update(&conn, &audit, &scope, &edit).await.unwrap();
    let after = raw().await;
    assert_eq!(
        after
            .get_document("subscription")
            .unwrap()
            .get_str("expires_at"),
        Ok("2031-02-03T04:05:06Z")
    );
}
