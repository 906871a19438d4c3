//! The collection browser's reads of any collection in the platform's three
//! databases: what each holds with estimated counts, one checked query's
//! page, and that query's count, apart and capped. It only reads. Every
//! command is tagged as a deliberate cross-user read (a query bar's filter
//! need not name a user), and `users` documents never carry `password_hash`.

use std::future::IntoFuture;

use futures_util::future::join_all;
use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::FindOptions;
use mongodb::results::{CollectionSpecification, CollectionType};
use mongodb::Database;

use crate::db::classify::{is_time_limit, Classified};
use crate::db::connection::{
    Connection, COUNT_TIME_LIMIT, EXPORT_BATCH, EXPORT_TIME_LIMIT, READ_TIME_LIMIT,
};
use crate::db::cursor::hand_over;
use crate::db::query::Query;
use crate::db::tags::{tag, CROSS_USER_COMMENT};
use crate::db::users::Counted;
use crate::schema::{PlatformDatabase, USERS};
use crate::{Error, Result};

/// The field of `users` that no browsing read fetches.
const NEVER_FETCHED: &str = "password_hash";

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

pub struct Browser<'c> {
    conn: &'c Connection,
}

/// A collection name as MongoDB allows it, outside `system.*`.
pub fn check_collection_name(name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 255 || name.contains(['\0', '$']) {
        return Err(Error::invalid(
            "collection",
            "must be 1 to 255 bytes without $ or NUL",
        ));
    }
    if name.starts_with("system.") {
        return Err(Error::invalid(
            "collection",
            "system collections are not browsed",
        ));
    }
    Ok(())
}

impl<'c> Browser<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Browser { conn }
    }

    /// The database's name on this deployment.
    pub fn name(&self, which: PlatformDatabase) -> &str {
        self.conn.profile().platform_database(which)
    }

    fn database(&self, which: PlatformDatabase) -> Database {
        match which {
            PlatformDatabase::Core => self.conn.database().clone(),
            other => self.conn.sibling_database(self.name(other)),
        }
    }

    /// Every collection and view but `system.*`, sorted by name; none for
    /// a database that does not exist.
    pub async fn collections(&self, which: PlatformDatabase) -> Result<Vec<CollectionInfo>> {
        let t = self.conn.timeout_ms();
        let db = self.database(which);
        // listCollections takes no maxTimeMS: the limit is kept here.
        let listed = tokio::time::timeout(READ_TIME_LIMIT, async {
            db.list_collections()
                .await
                .classified(t)?
                .try_collect::<Vec<_>>()
                .await
                .classified(t)
        })
        .await;
        let specs = listed.map_err(|_| Error::TimeLimit {
            message: format!(
                "The server did not list collections within {} s; try again in a moment.",
                READ_TIME_LIMIT.as_secs()
            ),
        })??;
        let mut out: Vec<CollectionInfo> = specs
            .into_iter()
            .filter(|s| !s.name.starts_with("system."))
            .map(CollectionInfo::from)
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Each collection's count from its metadata (never a scan).
    pub async fn estimated_counts(
        &self,
        which: PlatformDatabase,
        names: &[String],
    ) -> Vec<Result<u64>> {
        let db = self.database(which);
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

    /// The query as the server should see it: `users` never fetches the
    /// password hash, whatever the projection asks.
    fn shaped(which: PlatformDatabase, collection: &str, query: Query) -> Query {
        if which == PlatformDatabase::Core && collection == USERS {
            query.without_field(NEVER_FETCHED)
        } else {
            query
        }
    }

    /// One page of the query's documents, within the read time limit.
    pub async fn find(
        &self,
        which: PlatformDatabase,
        collection: &str,
        query: Query,
    ) -> Result<Vec<Document>> {
        check_collection_name(collection)?;
        let query = Self::shaped(which, collection, query);
        let t = self.conn.timeout_ms();
        let options = FindOptions::builder()
            .sort(query.sort().clone())
            .skip(u64::from(query.skip()))
            .limit(i64::from(query.limit()))
            .batch_size(query.limit())
            .projection(query.projection().cloned())
            .max_time(READ_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "browse"))
            .build();
        self.database(which)
            .collection::<Document>(collection)
            .find(query.filter().clone())
            .with_options(options)
            .await
            .classified(t)?
            .try_collect()
            .await
            .classified(t)
    }

    /// Every document the query's filter matches, in its sort and with its
    /// projection (its page size and skip do not apply), through one cursor
    /// in batches, until `each` says stop. How many were passed to `each`.
    pub async fn for_each(
        &self,
        which: PlatformDatabase,
        collection: &str,
        query: Query,
        each: impl FnMut(Document) -> Result<bool>,
    ) -> Result<u64> {
        check_collection_name(collection)?;
        let query = Self::shaped(which, collection, query);
        let t = self.conn.timeout_ms();
        let options = FindOptions::builder()
            .sort(query.sort().clone())
            .batch_size(EXPORT_BATCH)
            .projection(query.projection().cloned())
            .max_time(EXPORT_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "browse_export"))
            .build();
        let cursor = self
            .database(which)
            .collection::<Document>(collection)
            .find(query.filter().clone())
            .with_options(options)
            .await
            .classified(t)?;
        hand_over(cursor, t, each).await
    }

    /// Up to `size` documents picked at random (`$sample`), for field
    /// hints; `users` without `password_hash`.
    pub async fn sample(
        &self,
        which: PlatformDatabase,
        collection: &str,
        size: u32,
    ) -> Result<Vec<Document>> {
        check_collection_name(collection)?;
        let mut pipeline = vec![doc! { "$sample": { "size": i64::from(size) } }];
        if which == PlatformDatabase::Core && collection == USERS {
            pipeline.push(doc! { "$project": { NEVER_FETCHED: 0 } });
        }
        let t = self.conn.timeout_ms();
        self.database(which)
            .collection::<Document>(collection)
            .aggregate(pipeline)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "browse_sample"))
            .await
            .classified(t)?
            .try_collect()
            .await
            .classified(t)
    }

    /// The server's `explain` of the query (`executionStats`: it runs the
    /// query, within the read time limit and the page size).
    pub async fn explain(
        &self,
        which: PlatformDatabase,
        collection: &str,
        query: Query,
    ) -> Result<Document> {
        check_collection_name(collection)?;
        let query = Self::shaped(which, collection, query);
        let mut find = doc! {
            "find": collection,
            "filter": query.filter().clone(),
            "sort": query.sort().clone(),
            "skip": i64::from(query.skip()),
            "limit": i64::from(query.limit()),
            "maxTimeMS": READ_TIME_LIMIT.as_millis() as i64,
        };
        if let Some(projection) = query.projection() {
            find.insert("projection", projection.clone());
        }
        let command = doc! {
            "explain": find,
            "verbosity": "executionStats",
            "comment": tag(CROSS_USER_COMMENT, "explain"),
        };
        self.database(which)
            .run_command(command)
            .await
            .classified(self.conn.timeout_ms())
    }

    /// The document with this `_id`, if the collection holds one: a point
    /// read the `_id` index serves. `users` never gives its password hash.
    pub async fn find_by_id(
        &self,
        which: PlatformDatabase,
        collection: &str,
        id: Bson,
    ) -> Result<Option<Document>> {
        check_collection_name(collection)?;
        // An empty projection returns every field.
        let projection = match which == PlatformDatabase::Core && collection == USERS {
            true => doc! { NEVER_FETCHED: 0 },
            false => Document::new(),
        };
        self.database(which)
            .collection::<Document>(collection)
            // `$eq`: an id that looks like an operator (`{"$gt": …}`) is a value.
            .find_one(doc! { "_id": { "$eq": id } })
            .projection(projection)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "find_id"))
            .await
            .classified(self.conn.timeout_ms())
    }

    /// How many documents the query's filter matches, within the count time
    /// limit; past it, the collection's estimate when unfiltered.
    pub async fn count(
        &self,
        which: PlatformDatabase,
        collection: &str,
        query: &Query,
    ) -> Result<Counted> {
        check_collection_name(collection)?;
        let t = self.conn.timeout_ms();
        let coll = self.database(which).collection::<Document>(collection);
        let unfiltered = query.filter().is_empty();
        let count = coll
            .count_documents(query.filter().clone())
            .max_time(COUNT_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "browse_count"));
        match count.await {
            Ok(n) => Ok(Counted::Exact(n)),
            Err(e) if is_time_limit(&e) => Ok(Counted::TimedOut {
                estimate: match unfiltered {
                    true => Some(
                        coll.estimated_document_count()
                            .max_time(COUNT_TIME_LIMIT)
                            .comment(tag(CROSS_USER_COMMENT, "estimated_count"))
                            .await
                            .classified(t)?,
                    ),
                    false => None,
                },
            }),
            Err(e) => Err(e).classified(t),
        }
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
