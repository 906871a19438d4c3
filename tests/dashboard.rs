//! The dashboard's numbers against counts this test computes itself from
//! the seeded documents; each bar's drill-down filter finds exactly the
//! documents the bar counted; CSV export writes the chart's numbers.

mod support;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use mongodb::bson::{doc, Bson, Document};
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::save_path::SavePath;
use mozaiks_core::services::dashboard::{self, Chart, ChartId, Drill, UserFilter};
use mozaiks_core::services::notifications::{self, FeedQuery};
use mozaiks_core::services::seed::{self, SeedOptions};
use mozaiks_core::services::users::{self, UserQuery};
use support::{audit_log, connect, dump, raw_db, unique_db};

/// A date the way the document stores it: a BSON date or an ISO string.
fn instant(value: Option<&Bson>) -> Option<DateTime<Utc>> {
    match value? {
        Bson::DateTime(d) => Some(d.to_chrono()),
        Bson::String(s) => chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
            .ok()
            .map(|n| n.and_utc()),
        _ => None,
    }
}

fn values(chart: &Chart, series: &str) -> BTreeMap<String, f64> {
    let s = chart
        .series
        .iter()
        .find(|s| s.name == series)
        .unwrap_or_else(|| panic!("{series} not in {:?}", chart.id));
    chart
        .categories
        .iter()
        .cloned()
        .zip(s.values.iter().copied())
        .filter(|(_, v)| *v > 0.0)
        .collect()
}

fn drill(chart: &Chart, series: &str, category: &str) -> Drill {
    let i = chart.categories.iter().position(|c| c == category).unwrap();
    let s = chart.series.iter().find(|s| s.name == series).unwrap();
    s.drill[i].clone().expect("a drill-down")
}

async fn users_count(conn: &mozaiks_core::db::connection::Connection, f: UserFilter) -> f64 {
    let query = UserQuery {
        role: f.role,
        tier: f.tier,
        subscription: f.subscription,
        created_from: f.created_from,
        created_to: f.created_to,
        last_login_after: f.last_login_after,
        ..Default::default()
    };
    let total = users::count(conn, &query).await.unwrap();
    assert!(total.exact);
    total.value.unwrap()
}

fn bump(map: &mut BTreeMap<String, f64>, key: impl Into<String>) {
    *map.entry(key.into()).or_insert(0.0) += 1.0;
}

#[tokio::test]
async fn each_chart_equals_an_independent_count_and_drills_to_its_documents() {
    let name = unique_db("dashboard");
    let (conn, _) = connect(&name).await;
    seed::seed(
        &conn,
        &audit_log(),
        &SeedOptions::today(80),
        Some(&name),
        |_| {},
    )
    .await
    .unwrap();
    // Older MozaiksCore data writes dates as naive ISO strings.
    let raw = raw_db(&name).await;
    let two_days_ago = (Utc::now() - Duration::days(2))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    raw.collection::<Document>("users")
        .insert_one(doc! {
            "username": "legacy", "email": "legacy@example.com", "roles": ["user", "auditor", "user"],
            "created_at": &two_days_ago, "last_login": &two_days_ago,
            "subscription": { "tier": "basic", "expires_at": "2099-01-01T00:00:00" },
        })
        .await
        .unwrap();
    // And a user the platform made without roles or an end date.
    raw.collection::<Document>("users")
        .insert_one(doc! {
            "username": "bare", "email": "bare@example.com",
            "created_at": mongodb::bson::DateTime::now(), "subscription": { "tier": "free" },
        })
        .await
        .unwrap();
    let all = dump(&raw, "users").await;

    // Signups per day over 90 days.
    let chart = dashboard::chart(&conn, ChartId::Signups).await.unwrap();
    let now = Utc::now();
    let first = (now - Duration::days(89)).format("%Y-%m-%d").to_string();
    let mut expected = BTreeMap::new();
    for u in &all {
        let day = instant(u.get("created_at"))
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        if day >= first {
            bump(&mut expected, day);
        }
    }
    assert_eq!(chart.categories.len(), 90);
    assert_eq!(values(&chart, "signups"), expected);
    let legacy_day = two_days_ago[..10].to_string();
    let Drill::Users(filter) = drill(&chart, "signups", &legacy_day) else {
        panic!("a signup bar leads to users")
    };
    assert_eq!(users_count(&conn, filter).await, expected[&legacy_day]);

    // Active users within 1, 7 and 30 days.
    let chart = dashboard::chart(&conn, ChartId::ActiveUsers).await.unwrap();
    let now: DateTime<Utc> = chart.computed_at.parse().unwrap();
    for (i, days) in [1, 7, 30].into_iter().enumerate() {
        let n = all
            .iter()
            .filter(|u| {
                instant(u.get("last_login")).is_some_and(|l| l >= now - Duration::days(days))
            })
            .count() as f64;
        assert_eq!(chart.series[0].values[i], n, "last {days} days");
        let Some(Drill::Users(filter)) = chart.series[0].drill[i].clone() else {
            panic!("an active-users bar leads to users")
        };
        assert_eq!(users_count(&conn, filter).await, n);
    }

    // Users by role (a user with two roles counts in both).
    let chart = dashboard::chart(&conn, ChartId::Roles).await.unwrap();
    let mut expected = BTreeMap::new();
    for u in &all {
        let roles: std::collections::BTreeSet<&str> = u
            .get_array("roles")
            .map(|r| r.iter().map(|r| r.as_str().unwrap()).collect())
            .unwrap_or_default();
        if roles.is_empty() {
            bump(&mut expected, "(none)");
        }
        for role in roles {
            bump(&mut expected, role);
        }
    }
    assert_eq!(values(&chart, "users"), expected);
    let no_filter = |category: &str| {
        let i = chart.categories.iter().position(|c| c == category).unwrap();
        chart.series[0].drill[i].is_none()
    };
    assert!(
        no_filter("auditor") && no_filter("(none)"),
        "a bar the users list cannot filter on leads nowhere"
    );
    assert_eq!(&chart.categories[..3], ["user", "admin", "superadmin"]);
    let Drill::Users(filter) = drill(&chart, "users", "admin") else {
        panic!("a role bar leads to users")
    };
    assert_eq!(users_count(&conn, filter).await, expected["admin"]);

    // Subscriptions by tier, active vs expired.
    let chart = dashboard::chart(&conn, ChartId::Tiers).await.unwrap();
    let now: DateTime<Utc> = chart.computed_at.parse().unwrap();
    let (mut active, mut expired, mut open) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for u in &all {
        let sub = u.get_document("subscription").unwrap();
        let Some(at) = instant(sub.get("expires_at")) else {
            bump(&mut open, sub.get_str("tier").unwrap());
            continue;
        };
        let tier = sub.get_str("tier").unwrap();
        bump(if at >= now { &mut active } else { &mut expired }, tier);
    }
    assert_eq!(values(&chart, "active"), active);
    assert_eq!(values(&chart, "expired"), expired);
    assert_eq!(values(&chart, "no expiry"), open);
    let (tier, n) = expired.iter().next().expect("some lapsed subscriptions");
    let Drill::Users(filter) = drill(&chart, "expired", tier) else {
        panic!("a tier bar leads to users")
    };
    assert_eq!(users_count(&conn, filter).await, *n);

    // Notifications by type, read and unread.
    let chart = dashboard::chart(&conn, ChartId::Notifications)
        .await
        .unwrap();
    let (mut read, mut unread) = (BTreeMap::new(), BTreeMap::new());
    for n in dump(&raw, "notifications").await {
        let kind = n.get_str("type").unwrap();
        bump(
            if n.get_bool("read").unwrap() {
                &mut read
            } else {
                &mut unread
            },
            kind,
        );
    }
    assert_eq!(values(&chart, "read"), read);
    assert_eq!(values(&chart, "unread"), unread);
    let total_read: f64 = read.values().sum();
    let total = total_read + unread.values().sum::<f64>();
    assert!(chart
        .note
        .as_deref()
        .unwrap()
        .contains(&format!("({total_read} of {total})")));
    let (kind, n) = unread.iter().next().unwrap();
    let Drill::Feed { kind: k, read: r } = drill(&chart, "unread", kind) else {
        panic!("a notification bar leads to the feed")
    };
    let feed = notifications::feed(
        &conn,
        &FeedQuery {
            kind: k,
            read: r,
            created_from: None,
            created_to: None,
            user_id: None,
            after: None,
            page_size: 100,
        },
    )
    .await
    .unwrap();
    assert_eq!(feed.rows.len() as f64, *n);

    // Plugin documents by status, across users and for one user.
    let chart = dashboard::chart(&conn, ChartId::PluginStatus)
        .await
        .unwrap();
    let tasks = dump(&raw, "task_manager_tasks").await;
    let mut expected = BTreeMap::new();
    for t in &tasks {
        bump(&mut expected, t.get_str("status").unwrap());
    }
    let i = chart
        .categories
        .iter()
        .position(|c| c == "task_manager_tasks")
        .unwrap();
    let got: BTreeMap<String, f64> = chart
        .series
        .iter()
        .map(|s| (s.name.clone(), s.values[i]))
        .filter(|(_, v)| *v > 0.0)
        .collect();
    assert_eq!(got, expected);
    assert!(
        !chart.categories.contains(&"notes_notes".to_string()),
        "a collection without status is left out"
    );
    let owner = tasks[0].get_str("user_id").unwrap();
    let mine = dashboard::plugin_status(&conn, Some(&UserScope::parse(owner).unwrap()))
        .await
        .unwrap();
    let own_total: f64 = mine
        .series
        .iter()
        .map(|s| {
            s.values[mine
                .categories
                .iter()
                .position(|c| c == "task_manager_tasks")
                .unwrap()]
        })
        .sum();
    assert_eq!(
        own_total,
        tasks
            .iter()
            .filter(|t| t.get_str("user_id") == Ok(owner))
            .count() as f64
    );
    let (status, n) = expected.iter().next().unwrap();
    let Drill::Plugin {
        collection,
        status: s,
        user_id: None,
    } = drill(&chart, status, "task_manager_tasks")
    else {
        panic!("a status bar leads to the plugin's documents")
    };
    let mut seen = 0;
    let mut after = None;
    loop {
        let page = mozaiks_core::services::plugins::status_documents(
            &conn,
            &collection,
            &s,
            None,
            after.as_deref(),
            10,
        )
        .await
        .unwrap();
        seen += page.documents.len();
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen as f64, *n, "range paging reaches every document once");

    // The 360 view's bar leads to that user's documents with that status.
    let i = mine
        .categories
        .iter()
        .position(|c| c == "task_manager_tasks")
        .unwrap();
    let mine_series = mine.series.iter().find(|s| s.values[i] > 0.0).unwrap();
    let Some(Drill::Plugin {
        status,
        user_id: Some(uid),
        ..
    }) = mine_series.drill[i].clone()
    else {
        panic!("the user's bar carries the user")
    };
    assert_eq!(uid, owner);
    let page = mozaiks_core::services::plugins::status_documents(
        &conn,
        "task_manager_tasks",
        &status,
        Some(&UserScope::parse(&uid).unwrap()),
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(page.documents.len() as f64, mine_series.values[i]);
}

#[tokio::test]
async fn a_chart_saves_as_csv() {
    let name = unique_db("dashboard_csv");
    let (conn, _) = connect(&name).await;
    seed::seed(
        &conn,
        &audit_log(),
        &SeedOptions::today(10),
        Some(&name),
        |_| {},
    )
    .await
    .unwrap();
    let chart = dashboard::chart(&conn, ChartId::Roles).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roles.csv");
    let save = |p: &str| SavePath::new(std::path::Path::new(p), &[]);
    dashboard::save_csv(&chart, &save(path.to_str().unwrap()).unwrap()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let first: Vec<&str> = text.lines().take(2).collect();
    assert_eq!(first[0], "category,users");
    assert_eq!(first[1], format!("user,{}", chart.series[0].values[0]));
    for bad in [
        " ",
        "/tmp/x.sh",
        dir.path().join(".bashrc").to_str().unwrap(),
    ] {
        let saved = save(bad).and_then(|p| dashboard::save_csv(&chart, &p));
        assert_eq!(saved.unwrap_err().code(), "invalid_input", "{bad}");
    }
}
