//! The explicit, read-only admin API for views that span users (counts,
//! feeds, index health, findings). It has no write method, and every command
//! it sends is tagged so the command check accepts it only as a read.

use std::future::IntoFuture;
use std::time::Duration;

use futures_util::future::join_all;
use mongodb::bson::{Bson, Document};

use crate::command_check::CROSS_USER_COMMENT;
use crate::connection::Connection;
use crate::Result;

pub struct CrossUserReads<'c> {
    conn: &'c Connection,
}

impl<'c> CrossUserReads<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        CrossUserReads { conn }
    }

    fn comment(op: &str) -> Bson {
        Bson::String(format!("{CROSS_USER_COMMENT}{op}"))
    }

    /// Each collection's document count from its metadata (never a scan).
    pub async fn estimated_counts(
        &self,
        names: &[String],
        time_limit: Duration,
    ) -> Vec<Result<u64>> {
        let db = self.conn.database();
        let collections: Vec<_> = names.iter().map(|n| db.collection::<Document>(n)).collect();
        join_all(collections.iter().map(|c| {
            c.estimated_document_count()
                .max_time(time_limit)
                .comment(Self::comment("estimated_count"))
                .into_future()
        }))
        .await
        .into_iter()
        .map(|r| r.map_err(Into::into))
        .collect()
    }
}
