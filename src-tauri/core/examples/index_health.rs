//! Index health over many plugin collections, checked concurrently (as the
//! app does) and one at a time, interleaved in one run:
//! `cargo run --release -p mozaiks-core --example index_health -- URI [COLLECTIONS]`
//! (scripts/bench starts a test server and passes its URI). Figures, not
//! pass/fail.

use std::time::Instant;

use mongodb::bson::{doc, oid::ObjectId, Document};
use mongodb::IndexModel;
use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::profiles::profile::{Environment, ProfileInput};
use mozaiks_core::services::index_health::{self, CONCURRENCY};

const RUNS: usize = 5;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> mozaiks_core::Result<()> {
    let mut args = std::env::args().skip(1);
    let uri = args.next().expect("usage: index_health URI [COLLECTIONS]");
    let count: usize = args.next().map_or(300, |n| n.parse().expect("COLLECTIONS"));
    let database = format!("bench_indexes_{count}");

    // Setup through the driver: COLLECTIONS plugin collections of a few
    // documents each, half with their user_id index.
    let raw = mongodb::Client::with_uri_str(&uri)
        .await
        .expect("server")
        .database(&database);
    raw.drop().await.expect("drop");
    let user = ObjectId::new().to_hex();
    for i in 0..count {
        let coll = raw.collection::<Document>(&format!("plugin{}_items", i));
        let docs: Vec<Document> = (0..5)
            .map(|n| doc! { "user_id": &user, "status": if n % 2 == 0 { "open" } else { "done" }, "n": n })
            .collect();
        coll.insert_many(docs).await.expect("insert");
        if i % 2 == 0 {
            coll.create_index(IndexModel::builder().keys(doc! { "user_id": 1 }).build())
                .await
                .expect("index");
        }
    }

    let profile = ProfileInput {
        name: "bench".into(),
        uri,
        username: None,
        password: None,
        remember_password: false,
        database: Some(database),
        environment: Environment::Development,
        read_only: true,
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

    let (mut concurrent, mut sequential) = (Vec::new(), Vec::new());
    let mut problems = 0.0;
    for _ in 0..RUNS {
        for (bound, samples) in [(CONCURRENCY, &mut concurrent), (1, &mut sequential)] {
            let start = Instant::now();
            let report = index_health::report(&conn, bound, |_| {}).await?;
            samples.push(start.elapsed().as_secs_f64() * 1000.0);
            problems = report.problems;
        }
    }
    let (c, s) = (median(concurrent), median(sequential));
    println!("index health, {count} plugin collections ({problems} required indexes missing), median of {RUNS} interleaved runs:");
    println!("  {CONCURRENCY} at a time   {c:>8.0} ms");
    println!("  one at a time {s:>8.0} ms   ({:.1}× slower)", s / c);
    conn.close().await;
    Ok(())
}
