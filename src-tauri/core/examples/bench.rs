//! Prints speed and memory figures for the seed and the admin queries on a
//! large database: `cargo run --release -p mozaiks-core --example bench --
//! URI [USERS]` (scripts/bench starts a test server and passes its URI).
//! Figures, not pass/fail: compare runs on the same machine.

use std::time::{Duration, Instant};

use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::db::scope::UserScope;
use mozaiks_core::profiles::profile::{Environment, ProfileInput};
use mozaiks_core::services::dashboard::{self, ChartId};
use mozaiks_core::services::notifications::{self, FeedQuery};
use mozaiks_core::services::seed::{self, SeedOptions};
use mozaiks_core::services::users::{self, UserQuery};
use mozaiks_core::services::{index_health, settings, user360};

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1000.0
}

/// Times `runs` calls; a call that fails is timed too and counted by its
/// error code (a timeout is the app's answer, not the bench's failure).
async fn measure<F, Fut>(label: &str, runs: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = mozaiks_core::Result<()>>,
{
    let mut samples = Vec::with_capacity(runs);
    let mut errors = std::collections::BTreeMap::<&str, usize>::new();
    for i in 0..runs {
        let start = Instant::now();
        if let Err(e) = f(i).await {
            *errors.entry(e.code()).or_default() += 1;
        }
        samples.push(start.elapsed());
    }
    let errors = match errors.is_empty() {
        true => String::new(),
        false => format!("   errors {errors:?}"),
    };
    println!(
        "{label:<40} p50 {:>9.2} ms   p95 {:>9.2} ms   ({runs} runs){errors}",
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.95)
    );
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn query(after: Option<String>) -> UserQuery {
    UserQuery {
        after,
        page_size: 50,
        ..Default::default()
    }
}

#[tokio::main]
async fn main() -> mozaiks_core::Result<()> {
    let mut args = std::env::args().skip(1);
    let uri = args.next().expect("usage: bench URI [USERS]");
    let users: u32 = args.next().map_or(20_000, |u| u.parse().expect("USERS"));
    let profile = ProfileInput {
        name: "bench".into(),
        uri,
        username: None,
        password: None,
        remember_password: false,
        database: Some(format!("bench_{users}")),
        environment: Environment::Development,
        read_only: false,
        color: "#000000".into(),
        timeout_ms: 5_000,
        audit_to_database: false,
        analytics_from_secondaries: false,
        ssh: None,
        ssh_secret: None,
        tls: None,
        tls_key_password: None,
        read_preference: None,
        other_databases: None,
    }
    .validate(String::new())?
    .profile;
    let conn = Connection::open(&profile, ConnectOptions::default()).await?;

    let start = Instant::now();
    let audit_dir = std::env::temp_dir().join(format!("mozaiks-bench-{}", std::process::id()));
    let audit = AuditLog::new(&audit_dir);
    let database = profile.database_name().to_string();
    let options = SeedOptions::today(users);
    let report = seed::seed(&conn, &audit, &options, Some(&database), |_| {}).await?;
    let secs = start.elapsed().as_secs_f64();
    let docs: u32 = report.collections.iter().map(|c| c.documents).sum();
    println!(
        "seed {users} users: {docs} documents in {secs:.1} s ({:.0} documents/s)",
        f64::from(docs) / secs
    );

    let page = users::list(&conn, &query(None)).await?;
    let sample: Vec<UserScope> = page
        .rows
        .iter()
        .map(|r| UserScope::parse(&r.id).unwrap())
        .collect();
    let emails: Vec<String> = page.rows.iter().map(|r| r.email.clone()).collect();
    measure("users list, first page of 50", 30, |_| {
        let conn = &conn;
        async move { users::list(conn, &query(None)).await.map(drop) }
    })
    .await;
    // Deep pages: walk 20 pages on by cursor, then time the next one.
    let mut cursor = None;
    for _ in 0..20 {
        cursor = users::list(&conn, &query(cursor)).await?.next;
    }
    measure("users list, page 21 (range paging)", 30, |_| {
        let (conn, cursor) = (&conn, cursor.clone());
        async move { users::list(conn, &query(cursor)).await.map(drop) }
    })
    .await;
    measure("users total (its own command)", 10, |_| {
        let conn = &conn;
        async move { users::count(conn, &query(None)).await.map(drop) }
    })
    .await;
    measure("search by email prefix", 30, |i| {
        let (conn, email) = (&conn, emails[i % emails.len()].clone());
        async move { users::search(conn, &email[..6]).await.map(drop) }
    })
    .await;
    measure("user 360: all sections in parallel", 30, |i| {
        let (conn, user) = (&conn, sample[i % sample.len()].clone());
        async move {
            let plugins = user360::plugin_collections(conn).await?;
            let sections = futures_util::future::join_all(
                plugins
                    .iter()
                    .map(|p| user360::plugin_data(conn, &user, p, 25)),
            );
            let (d, s, n, p) = tokio::join!(
                users::detail(conn, &user),
                settings::load(conn, &user),
                user360::notifications(conn, &user, 0, 25),
                sections
            );
            d?;
            s?;
            n?;
            p.into_iter().try_for_each(|r| r.map(drop))
        }
    })
    .await;
    let total = users::count(&conn, &query(None)).await?;
    println!(
        "users total as the list shows it: {:?} ({})",
        total.value,
        if total.exact {
            "exact"
        } else {
            "an estimate, labelled as one"
        }
    );
    let feed = |after: Option<String>| FeedQuery {
        kind: None,
        read: None,
        created_from: None,
        created_to: None,
        user_id: None,
        after,
        page_size: 50,
    };
    measure("notifications feed, first page of 50", 30, |_| {
        let (conn, q) = (&conn, feed(None));
        async move { notifications::feed(conn, &q).await.map(drop) }
    })
    .await;
    let mut after = None;
    for _ in 0..20 {
        after = notifications::feed(&conn, &feed(after)).await?.next;
    }
    measure("notifications feed, page 21", 30, |_| {
        let (conn, q) = (&conn, feed(after.clone()));
        async move { notifications::feed(conn, &q).await.map(drop) }
    })
    .await;
    measure("index health, every collection", 5, |_| {
        let conn = &conn;
        async move {
            index_health::report(conn, index_health::CONCURRENCY, |_| {})
                .await
                .map(drop)
        }
    })
    .await;
    for id in [
        ChartId::Signups,
        ChartId::ActiveUsers,
        ChartId::Roles,
        ChartId::Tiers,
        ChartId::Notifications,
        ChartId::PluginStatus,
    ] {
        measure(&format!("chart {id:?}"), 5, |_| {
            let conn = &conn;
            async move { dashboard::chart(conn, id).await.map(drop) }
        })
        .await;
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory of the client: {mib:.1} MiB");
    }
    conn.close().await;
    let _ = std::fs::remove_dir_all(audit_dir);
    Ok(())
}
