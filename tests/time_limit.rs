//! The time limit as its own error code, from a real server's reply. The
//! bundled test server never enforces `maxTimeMS`; FerretDB 1.24
//! (`tests/ferretdb/run`) does, with MongoDB's `MaxTimeMSExpired` (code 50),
//! which the app's classifier must turn into `time_limit`, not a generic
//! database error.

mod support;

use std::time::Duration;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Document};
use mozaiks_core::db::classify::{classify, Phase};
use support::ferretdb::FerretDb;

#[tokio::test]
async fn a_read_stopped_at_its_time_limit_is_a_time_limit_error() {
    let ferret = FerretDb::start();
    let client = mongodb::Client::with_uri_str(&ferret.uri).await.unwrap();
    let big = client.database("time_limit").collection::<Document>("big");
    for batch in 0..10 {
        let docs: Vec<Document> = (0..1_000)
            .map(|n| doc! { "n": batch * 1_000 + n, "text": "x".repeat(200) })
            .collect();
        big.insert_many(docs).await.unwrap();
    }
    // A filter FerretDB tests document by document: far past 1 ms.
    let started = std::time::Instant::now();
    let read = async {
        big.find(doc! { "text": { "$regex": "y$" } })
            .max_time(Duration::from_millis(1))
            .await?
            .try_collect::<Vec<_>>()
            .await
    };
    let err = read.await.expect_err("a read past its time limit");
    let app_error = classify(&err, 2_000, Phase::Session);
    assert_eq!(app_error.code(), "time_limit", "{err}");
    println!(
        "FerretDB stopped the read after {} ms: {err}",
        started.elapsed().as_millis()
    );
}
