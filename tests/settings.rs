//! Settings edits: typed validation that changes nothing on bad input, and
//! compare-and-set saves that turn a concurrent edit into a conflict.

mod support;

use mongodb::bson::{doc, Document};
use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::services::settings::{self, NotificationPreferences};
use mozaiks_core::Error;
use support::{raw_db, seeded};

async fn raw_settings(db: &str, user_id: &str) -> Option<Vec<u8>> {
    raw_db(db)
        .await
        .collection::<Document>("settings")
        .find_one(doc! { "user_id": user_id })
        .await
        .unwrap()
        .map(|d| mongodb::bson::to_vec(&d).unwrap())
}

async fn user_with_settings(db: &str, with: bool) -> UserScope {
    let raw = raw_db(db).await;
    let owners: Vec<String> = raw
        .collection::<Document>("settings")
        .distinct("user_id", doc! {})
        .await
        .unwrap()
        .into_iter()
        .filter_map(|b| b.as_str().map(String::from))
        .collect();
    let users: Vec<Document> = {
        use futures_util::TryStreamExt;
        raw.collection::<Document>("users")
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap()
    };
    let id = users
        .iter()
        .map(|u| u.get_object_id("_id").unwrap().to_hex())
        .find(|id| owners.contains(id) == with)
        .unwrap();
    UserScope::parse(&id).unwrap()
}

#[tokio::test]
async fn invalid_plugin_json_is_refused_and_the_document_is_unchanged() {
    let (db, conn, _) = seeded("settings_bad", 40).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let user = user_with_settings(&db, true).await;
    let loaded = settings::load(&conn, &user).await.unwrap();
    let notes = loaded.plugins.iter().find(|p| p.plugin == "notes").unwrap();
    let before = raw_settings(&db, user.user_id()).await.unwrap();
    let oversize = format!(r#"{{"theme":"{}"}}"#, "x".repeat(20_000));
    for bad in [
        "[1,2,3]",
        r#"{"$set":{"theme":"x"}}"#,
        r#"{"a.b":1}"#,
        &oversize,
        "{not json",
    ] {
        let err =
            settings::save_plugin_settings(&conn, &audit, &user, "notes", bad, Some(&notes.json))
                .await
                .unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{bad:.40}");
    }
    let err = settings::save_plugin_settings(&conn, &audit, &user, "no.tes", "{}", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let prefs = NotificationPreferences {
        email_enabled: true,
        push_enabled: true,
        digest_frequency: "hourly".into(),
    };
    let err = settings::save_notification_preferences(
        &conn,
        &audit,
        &user,
        &prefs,
        loaded.notification_preferences_json.as_deref(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_eq!(
        raw_settings(&db, user.user_id()).await.unwrap(),
        before,
        "the stored document changed"
    );
    assert!(audit.list(&Default::default()).unwrap().is_empty());
}

#[tokio::test]
async fn plugin_settings_save_and_are_audited() {
    let (db, conn, _) = seeded("settings_ok", 40).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let user = user_with_settings(&db, true).await;
    let loaded = settings::load(&conn, &user).await.unwrap();
    let notes = loaded.plugins.iter().find(|p| p.plugin == "notes").unwrap();
    let saved = settings::save_plugin_settings(
        &conn,
        &audit,
        &user,
        "notes",
        r#"{"theme":"solarized","font":{"size":14}}"#,
        Some(&notes.json),
    )
    .await
    .unwrap();
    let notes = saved.plugins.iter().find(|p| p.plugin == "notes").unwrap();
    assert!(notes.json.contains("solarized") && notes.json.contains("14"));
    // A new plugin's settings: nothing was there before.
    settings::save_plugin_settings(
        &conn,
        &audit,
        &user,
        "calendar",
        r#"{"week_starts":"monday"}"#,
        None,
    )
    .await
    .unwrap();
    let done: Vec<_> = audit
        .list(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.stage == "done")
        .collect();
    assert_eq!(done.len(), 2);
    assert_eq!(done[1].operation, "set plugin_settings.notes");
    assert!(
        done[1].before.contains("theme"),
        "before is what was replaced"
    );
}

#[tokio::test]
async fn two_concurrent_edits_give_one_success_and_one_conflict() {
    let (db, conn, _) = seeded("settings_race", 40).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let user = user_with_settings(&db, true).await;
    let loaded = settings::load(&conn, &user).await.unwrap();
    let expected = loaded.notification_preferences_json.clone();
    let mine = NotificationPreferences {
        email_enabled: false,
        push_enabled: true,
        digest_frequency: "weekly".into(),
    };
    let theirs = NotificationPreferences {
        email_enabled: true,
        push_enabled: false,
        digest_frequency: "monthly".into(),
    };
    let (a, b) = tokio::join!(
        settings::save_notification_preferences(&conn, &audit, &user, &mine, expected.as_deref()),
        settings::save_notification_preferences(&conn, &audit, &user, &theirs, expected.as_deref()),
    );
    let (winner, conflict) = match (a, b) {
        (Ok(_), Err(e)) => (&mine, e),
        (Err(e), Ok(_)) => (&theirs, e),
        other => panic!("expected one success and one conflict: {other:?}"),
    };
    let Error::Conflict { current } = conflict else {
        panic!("{conflict:?}")
    };
    assert!(
        current.unwrap().contains(&winner.digest_frequency),
        "the conflict shows the current value"
    );
    let now = settings::load(&conn, &user).await.unwrap();
    assert_eq!(
        now.notification_preferences.as_ref(),
        Some(winner),
        "the winner's edit was lost"
    );

    // A stale save after that is a conflict too, and overwrites nothing.
    let stale =
        settings::save_notification_preferences(&conn, &audit, &user, &mine, expected.as_deref())
            .await;
    assert_eq!(stale.unwrap_err().code(), "conflict");
    assert_eq!(
        settings::load(&conn, &user)
            .await
            .unwrap()
            .notification_preferences
            .as_ref(),
        Some(winner)
    );
}

#[tokio::test]
async fn missing_settings_are_created_once() {
    let (db, conn, _) = seeded("settings_new", 40).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path());
    let user = user_with_settings(&db, false).await;
    assert!(!settings::load(&conn, &user).await.unwrap().exists);
    let prefs = NotificationPreferences {
        email_enabled: true,
        push_enabled: true,
        digest_frequency: "daily".into(),
    };
    let (a, b) = tokio::join!(
        settings::save_notification_preferences(&conn, &audit, &user, &prefs, None),
        settings::save_notification_preferences(&conn, &audit, &user, &prefs, None),
    );
    assert!(
        a.is_ok() != b.is_ok(),
        "one creates, the other conflicts: {a:?} {b:?}"
    );
    let count = raw_db(&db)
        .await
        .collection::<Document>("settings")
        .count_documents(doc! { "user_id": user.user_id() })
        .await
        .unwrap();
    assert_eq!(count, 1);
}

/// The compare-and-set `expected` was decoded from Extended JSON and could
/// carry operators, which turned the check into a query that any value met.
#[tokio::test]
async fn an_expected_value_holding_operators_is_compared_literally() {
    let (db, conn, _) = seeded("settings_literal", 20).await;
    let audit = support::audit_log();
    let user = user_with_settings(&db, true).await;
    let raw = raw_db(&db).await;
    let before = support::dump(&raw, "settings").await;
    for expected in [
        r#"{"$exists":true}"#,
        r#"{"$ne":null}"#,
        r#"{"$regularExpression":{"pattern":".*","options":""}}"#,
    ] {
        let err = settings::save_plugin_settings(
            &conn,
            &audit,
            &user,
            "notes",
            r#"{"theme":"hijacked"}"#,
            Some(expected),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "conflict", "{expected}");
    }
    assert_eq!(support::dump(&raw, "settings").await, before);
}

/// Saving notification preferences replaced the whole sub-document and
/// dropped fields the form does not know.
#[tokio::test]
async fn saving_preferences_keeps_fields_the_form_does_not_know() {
    let (db, conn, _) = seeded("settings_sms", 20).await;
    let audit = support::audit_log();
    let user = user_with_settings(&db, true).await;
    let raw = raw_db(&db).await;
    raw.collection::<Document>("settings")
        .update_one(
            doc! { "user_id": user.user_id() },
            doc! { "$set": { "notification_preferences.sms_enabled": true } },
        )
        .await
        .unwrap();
    let loaded = settings::load(&conn, &user).await.unwrap();
    let prefs = NotificationPreferences {
        email_enabled: false,
        push_enabled: true,
        digest_frequency: "never".into(),
    };
    settings::save_notification_preferences(
        &conn,
        &audit,
        &user,
        &prefs,
        loaded.notification_preferences_json.as_deref(),
    )
    .await
    .unwrap();
    let stored = raw
        .collection::<Document>("settings")
        .find_one(doc! { "user_id": user.user_id() })
        .await
        .unwrap()
        .unwrap();
    let p = stored.get_document("notification_preferences").unwrap();
    assert_eq!(p.get_bool("sms_enabled"), Ok(true));
    assert_eq!(p.get_str("digest_frequency"), Ok("never"));
}

/// Plugin settings reached the UI unredacted. Now a secret is shown as a
/// placeholder, the placeholder saved back keeps the stored secret, and the
/// editor's redacted starting point still passes compare-and-set.
#[tokio::test]
async fn plugin_secrets_are_shown_redacted_and_kept_when_saved_back() {
    let (db, conn, _) = seeded("settings_secret", 20).await;
    let audit = support::audit_log();
    let user = user_with_settings(&db, true).await;
    let raw = raw_db(&db).await;
    raw.collection::<Document>("settings")
        .update_one(
            doc! { "user_id": user.user_id() },
            doc! { "$set": { "plugin_settings.crm": { "api_token": "sk_live_9", "region": "eu" } } },
        )
        .await
        .unwrap();
    let loaded = settings::load(&conn, &user).await.unwrap();
    let crm = loaded.plugins.iter().find(|p| p.plugin == "crm").unwrap();
    assert!(
        !crm.json.contains("sk_live_9") && crm.json.contains("<redacted>"),
        "{}",
        crm.json
    );
    let edited = crm.json.replace("\"eu\"", "\"us\"");
    settings::save_plugin_settings(&conn, &audit, &user, "crm", &edited, Some(&crm.json))
        .await
        .unwrap();
    let stored = raw
        .collection::<Document>("settings")
        .find_one(doc! { "user_id": user.user_id() })
        .await
        .unwrap()
        .unwrap();
    let crm = stored
        .get_document("plugin_settings")
        .unwrap()
        .get_document("crm")
        .unwrap();
    assert_eq!(crm.get_str("api_token"), Ok("sk_live_9"));
    assert_eq!(crm.get_str("region"), Ok("us"));
    let trail = std::fs::read_to_string(audit.path()).unwrap();
    assert!(!trail.contains("sk_live_9"));
}

/// Secrets inside arrays and passwords inside URLs were shown redacted but
/// saved back as the placeholder: a save destroyed them, silently. Every
/// placeholder the editor was shown is restored from the stored value.
#[tokio::test]
async fn secrets_in_arrays_and_url_passwords_survive_an_unrelated_edit() {
    let (db, conn, _) = seeded("settings_deep_secret", 20).await;
    let audit = support::audit_log();
    let user = user_with_settings(&db, true).await;
    let raw = raw_db(&db).await;
    let original = doc! {
        "hooks": [{ "api_token": "sk_live", "n": 1 }, { "api_token": "sk_two", "n": 2 }],
        "mirrors": ["https://m:pw2@m.example/x", "plain"],
        "url": "https://bot:pw@h.example/x",
        "region": "eu",
    };
    raw.collection::<Document>("settings")
        .update_one(
            doc! { "user_id": user.user_id() },
            doc! { "$set": { "plugin_settings.bot": &original } },
        )
        .await
        .unwrap();
    let stored_bot = || async {
        raw.collection::<Document>("settings")
            .find_one(doc! { "user_id": user.user_id() })
            .await
            .unwrap()
            .unwrap()
            .get_document("plugin_settings")
            .unwrap()
            .get_document("bot")
            .unwrap()
            .clone()
    };
    let load = || async {
        let loaded = settings::load(&conn, &user).await.unwrap();
        loaded
            .plugins
            .into_iter()
            .find(|p| p.plugin == "bot")
            .unwrap()
            .json
    };
    let shown = load().await;
    for secret in ["sk_live", "sk_two", "pw2", "bot:pw"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let edited = shown.replace("\"eu\"", "\"us\"");
    settings::save_plugin_settings(&conn, &audit, &user, "bot", &edited, Some(&shown))
        .await
        .unwrap();
    let mut expected = original.clone();
    expected.insert("region", "us");
    assert_eq!(stored_bot().await, expected);

    // Hooks reordered and one appended: each kept hook keeps its own token.
    let shown = load().await;
    let mut value: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let hooks = value["hooks"].as_array_mut().unwrap();
    hooks.reverse();
    hooks.push(serde_json::json!({ "api_token": "sk_new", "n": 3 }));
    let edited = value.to_string();
    settings::save_plugin_settings(&conn, &audit, &user, "bot", &edited, Some(&shown))
        .await
        .unwrap();
    let hooks: Vec<(String, i64)> = stored_bot()
        .await
        .get_array("hooks")
        .unwrap()
        .iter()
        .map(|h| {
            let h = h.as_document().unwrap();
            let n = h
                .get("n")
                .and_then(|n| n.as_i64().or(n.as_i32().map(i64::from)))
                .unwrap();
            (h.get_str("api_token").unwrap().to_string(), n)
        })
        .collect();
    assert_eq!(
        hooks,
        [
            ("sk_two".into(), 2),
            ("sk_live".into(), 1),
            ("sk_new".into(), 3)
        ]
    );

    // A URL whose host changed cannot take the old password along, and a
    // placeholder with nothing stored behind it is no value: both refused,
    // naming where, and nothing changes.
    let before = raw_settings(&db, user.user_id()).await.unwrap();
    let shown = load().await;
    for (edited, path) in [
        (
            shown.replace("h.example", "evil.example"),
            "plugin_settings.bot.url",
        ),
        (
            shown.replace("\"n\":3}", "\"n\":3},{\"api_token\":\"<redacted>\"}"),
            "plugin_settings.bot.hooks[3]",
        ),
    ] {
        assert_ne!(edited, shown);
        let err =
            settings::save_plugin_settings(&conn, &audit, &user, "bot", &edited, Some(&shown))
                .await
                .unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{err}");
        assert!(err.to_string().contains(path), "{err}");
    }
    assert_eq!(raw_settings(&db, user.user_id()).await.unwrap(), before);
}

/// Matching was greedy in one pass: hooks reversed with one edited gave
/// each token to the other hook's endpoint. And a secret shown redacted
/// followed an edited URL: a support user could send it anywhere.
#[tokio::test]
async fn a_kept_secret_never_moves_to_another_entry_or_endpoint() {
    let (db, conn, _) = seeded("settings_swap", 20).await;
    let audit = support::audit_log();
    let user = user_with_settings(&db, true).await;
    let raw = raw_db(&db).await;
    raw.collection::<Document>("settings")
        .update_one(
            doc! { "user_id": user.user_id() },
            doc! { "$set": { "plugin_settings.hooks": {
                "hooks": [
                    { "url": "https://a.example/in", "api_token": "S1", "n": 1 },
                    { "url": "https://b.example/in", "api_token": "S2", "n": 2 },
                ],
                "smtp": { "host": "mail.example", "password": "P" },
            } } },
        )
        .await
        .unwrap();
    let shown = settings::load(&conn, &user)
        .await
        .unwrap()
        .plugins
        .into_iter()
        .find(|p| p.plugin == "hooks")
        .unwrap()
        .json;
    let before = raw_settings(&db, user.user_id()).await.unwrap();
    let mut reversed: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let hooks = reversed["hooks"].as_array_mut().unwrap();
    hooks.reverse();
    hooks[0]["n"] = serde_json::json!(5); // B, edited, now first
    let mut elsewhere: serde_json::Value = serde_json::from_str(&shown).unwrap();
    elsewhere["smtp"]["host"] = serde_json::json!("evil.example");
    let mut hook_elsewhere: serde_json::Value = serde_json::from_str(&shown).unwrap();
    hook_elsewhere["hooks"][1]["url"] = serde_json::json!("https://evil.example/in");
    for edited in [reversed, elsewhere, hook_elsewhere] {
        let err = settings::save_plugin_settings(
            &conn,
            &audit,
            &user,
            "hooks",
            &edited.to_string(),
            Some(&shown),
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{edited}: {err}");
    }
    assert_eq!(raw_settings(&db, user.user_id()).await.unwrap(), before);
}
