//! The explicit, read-only admin API for views that span users (counts,
//! feeds, index health, findings) and for what the database holds. It has no
//! write method, and every command it sends on a per-user collection is
//! tagged so the command check accepts it only as a read.

use std::future::IntoFuture;

use futures_util::future::join_all;
use futures_util::TryStreamExt;
use mongodb::bson::Document;

use crate::db::classify::Classified;
use crate::db::connection::{Connection, COUNT_TIME_LIMIT};
use crate::db::tags::{tag, CROSS_USER_COMMENT};
use crate::Result;

pub struct CrossUserReads<'c> {
    conn: &'c Connection,
}

/// A collection of the database as `listCollections` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionInfo {
    pub name: String,
    /// `collection`, `view` or `timeseries`.
    pub kind: String,
}

impl<'c> CrossUserReads<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        CrossUserReads { conn }
    }

    /// Every collection and view but `system.*`, sorted by name.
    pub async fn collections(&self) -> Result<Vec<CollectionInfo>> {
        let t = self.conn.timeout_ms();
        let specs: Vec<_> = self
            .conn
            .database()
            .list_collections()
            .await
            .classified(t)?
            .try_collect()
            .await
            .classified(t)?;
        let mut out: Vec<CollectionInfo> = specs
            .into_iter()
            .filter(|s| !s.name.starts_with("system."))
            .map(|s| CollectionInfo {
                kind: match s.collection_type {
                    mongodb::results::CollectionType::View => "view".into(),
                    mongodb::results::CollectionType::Timeseries => "timeseries".into(),
                    _ => "collection".into(),
                },
                name: s.name,
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Each collection's document count from its metadata (never a scan).
    pub async fn estimated_counts(&self, names: &[String]) -> Vec<Result<u64>> {
        let db = self.conn.database();
        let t = self.conn.timeout_ms();
        let collections: Vec<_> = names.iter().map(|n| db.collection::<Document>(n)).collect();
        join_all(collections.iter().map(|c| {
            c.estimated_document_count()
                .max_time(COUNT_TIME_LIMIT)
                .comment(tag(CROSS_USER_COMMENT, "estimated_count"))
                .into_future()
        }))
        .await
        .into_iter()
        .map(|r| r.classified(t))
        .collect()
    }
}
