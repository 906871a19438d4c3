//! Benchmark, not a test: `scripts/bench` runs it (release, `--ignored`).
//! Our whole path for a 50-row users page (query, driver, DTO, JSON
//! through the real command table over Tauri's mock IPC) against the raw
//! driver doing the same find and count, interleaved in one run. Prints
//! figures; never fails on speed.

mod support;

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mozaiks_core::services::seed::{self, SeedOptions};
use serde_json::json;
use support::ipc::{app, create_and_connect, invoke, profile_input};

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

#[test]
#[ignore = "a benchmark: scripts/bench runs it"]
fn users_page_through_ipc_against_the_raw_driver() {
    let users: u32 = std::env::var("BENCH_USERS").map_or(20_000, |n| n.parse().unwrap());
    let runs: usize = 300;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = support::unique_db("bench_ipc");
    runtime.block_on(async {
        let (conn, _) = support::connect(&db).await;
        seed::seed(
            &conn,
            &support::audit_log(),
            &SeedOptions::today(users),
            Some(&db),
            |_| {},
        )
        .await
        .unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let webview = &app.webview;
    let mut input = profile_input("Bench", &db, true);
    input["timeout_ms"] = json!(5000);
    create_and_connect(webview, input);
    let query = json!({ "query": {
        "after": null, "page_size": 50, "sort": "joined", "descending": true, "role": null,
        "tier": null, "subscription": null, "created_from": null, "created_to": null,
        "last_login_before": null
    }});
    let raw = runtime.block_on(support::raw_db(&db));
    let coll = raw.collection::<Document>("users");
    let projection = doc! { "_id": 1, "email": 1, "username": 1, "roles": 1, "subscription": 1, "created_at": 1, "last_login": 1 };

    let (mut ours, mut driver) = (Vec::new(), Vec::new());
    for i in 0..runs + 20 {
        let start = Instant::now();
        let page = invoke(webview, "list_users", query.clone()).unwrap();
        let total = invoke(webview, "count_users", query.clone()).unwrap();
        let took = start.elapsed();
        assert_eq!(page["rows"].as_array().unwrap().len(), 50);
        assert!(total["exact"].as_bool().unwrap());
        let start = Instant::now();
        runtime.block_on(async {
            let rows: Vec<Document> = coll
                .find(doc! {})
                .sort(doc! { "_id": -1 })
                .limit(50)
                .projection(projection.clone())
                .await
                .unwrap()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(rows.len(), 50);
            coll.count_documents(doc! {}).await.unwrap();
        });
        let raw_took = start.elapsed();
        if i >= 20 {
            // the first runs warm caches on both sides
            ours.push(took);
            driver.push(raw_took);
        }
    }
    let (o50, d50) = (percentile(&mut ours, 0.5), percentile(&mut driver, 0.5));
    let (o95, d95) = (percentile(&mut ours, 0.95), percentile(&mut driver, 0.95));
    println!("users page of 50 + total, {users} users, {runs} interleaved runs:");
    println!("  our command path over IPC  p50 {o50:>7.2} ms   p95 {o95:>7.2} ms");
    println!("  raw driver find + count    p50 {d50:>7.2} ms   p95 {d95:>7.2} ms");
    println!("  ratio (p50)                {:.2}", o50 / d50);
}
