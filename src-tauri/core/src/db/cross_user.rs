//! The explicit, read-only admin API for views that span users (counts,
//! feeds, index health, findings) and for what the database holds. It has no
//! write method, and every command it sends on a per-user collection is
//! tagged so the command check accepts it only as a read.

use std::future::IntoFuture;

use futures_util::future::join_all;
use futures_util::TryStreamExt;
use mongodb::bson::Document;
use mongodb::results::{CollectionSpecification, CollectionType};

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

impl From<CollectionSpecification> for CollectionInfo {
    fn from(spec: CollectionSpecification) -> Self {
        CollectionInfo {
            kind: match spec.collection_type {
                CollectionType::View => "view".into(),
                CollectionType::Timeseries => "timeseries".into(),
                _ => "collection".into(),
            },
            name: spec.name,
        }
    }
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
            .map(CollectionInfo::from)
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

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    /// `listCollections` as MongoDB documents it for a view; the test server
    /// lists views as plain collections, so the shape is checked here.
    #[test]
    fn a_view_is_told_from_a_collection() {
        let reply = doc! {
            "name": "notes_recent", "type": "view",
            "options": { "viewOn": "notes_notes", "pipeline": [] },
            "info": { "readOnly": true },
        };
        let spec: CollectionSpecification = mongodb::bson::from_document(reply).unwrap();
        assert_eq!(CollectionInfo::from(spec).kind, "view");
        let plain = doc! { "name": "notes_notes", "type": "collection", "options": {}, "info": { "readOnly": false } };
        let spec: CollectionSpecification = mongodb::bson::from_document(plain).unwrap();
        assert_eq!(CollectionInfo::from(spec).kind, "collection");
    }
}
