//! The explicit, read-only admin API for views that span users (counts,
//! feeds, index health, findings) and for what the database holds. It has no
//! write method, and every command it sends on a per-user collection is
//! tagged so the command check accepts it only as a read.

use std::future::IntoFuture;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::FindOptions;

use crate::db::browser::{Browser, CollectionInfo};
use crate::db::classify::Classified;
use crate::db::connection::{
    Connection, COUNT_TIME_LIMIT, EXPORT_BATCH, EXPORT_TIME_LIMIT, READ_TIME_LIMIT,
};
use crate::db::cursor::hand_over;
use crate::db::scope::PerUserCollection;
use crate::db::tags::{tag, CROSS_USER_COMMENT, FORBIDDEN_STAGES};
use crate::schema::{PlatformDatabase, MAX_PAGE};
use crate::{Error, Result};

/// One index as `listIndexes` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexInfo {
    pub name: String,
    /// Fields in order with their direction; 0 for a special key (`hashed`,
    /// `text`, `2dsphere`), which no plain rule can match.
    pub keys: Vec<(String, i32)>,
    /// The keys as MongoDB writes them: `{ user_id: 1, email: "hashed" }`.
    pub key_text: String,
    pub unique: bool,
    pub expire_after_seconds: Option<i64>,
    /// Options that make it serve fewer queries than its keys say:
    /// `partial`, `sparse`, `hidden`, `collation`.
    pub restrictions: Vec<String>,
    /// Still being built: `listIndexes` with `includeBuildUUIDs` lists such
    /// an index as `{ spec, buildUUID }`.
    pub building: bool,
    /// The whole description, to build it again exactly (a put-back).
    pub spec: Document,
}

impl IndexInfo {
    /// One entry of `listIndexes` (or a `$indexStats` row's `spec`).
    pub fn from_document(d: &Document) -> IndexInfo {
        if let (Ok(spec), true) = (d.get_document("spec"), d.contains_key("buildUUID")) {
            return IndexInfo {
                building: true,
                ..IndexInfo::from_document(spec)
            };
        }
        let number = |b: &Bson| match b {
            Bson::Int32(n) => Some(i64::from(*n)),
            Bson::Int64(n) => Some(*n),
            Bson::Double(n) if n.fract() == 0.0 => Some(*n as i64),
            _ => None,
        };
        let key = d.get_document("key").cloned().unwrap_or_default();
        let keys = key
            .iter()
            .map(|(f, v)| {
                let direction = match number(v) {
                    Some(n) if n > 0 => 1,
                    Some(n) if n < 0 => -1,
                    _ => 0,
                };
                (f.clone(), direction)
            })
            .collect();
        let parts: Vec<String> = key
            .iter()
            .map(|(f, v)| match (number(v), v) {
                (Some(n), _) => format!("{f}: {n}"),
                (None, Bson::String(s)) => format!("{f}: {s:?}"),
                (None, other) => format!("{f}: {other}"),
            })
            .collect();
        let restrictions = [
            ("partialFilterExpression", "partial"),
            ("sparse", "sparse"),
            ("hidden", "hidden"),
            ("collation", "collation"),
        ]
        .iter()
        .filter(|(field, _)| match d.get(*field) {
            Some(Bson::Boolean(b)) => *b,
            Some(_) => true,
            None => false,
        })
        .map(|(_, label)| label.to_string())
        .collect();
        let mut spec = d.clone();
        spec.remove("v");
        spec.remove("ns");
        IndexInfo {
            name: d.get_str("name").unwrap_or_default().into(),
            keys,
            key_text: format!("{{ {} }}", parts.join(", ")),
            unique: d.get_bool("unique").unwrap_or(false),
            expire_after_seconds: d.get("expireAfterSeconds").and_then(number),
            restrictions,
            building: false,
            spec,
        }
    }

    /// Whether it has one of [`IndexInfo::restrictions`].
    pub fn has(&self, restriction: &str) -> bool {
        self.restrictions.iter().any(|r| r == restriction)
    }

    /// Every key an ordinary ascending or descending one: no text, hashed,
    /// geospatial or wildcard key (a text index lists as `_fts: "text"`).
    pub fn ordinary_keys(&self) -> bool {
        !self.keys.is_empty()
            && self
                .keys
                .iter()
                .all(|(field, direction)| *direction != 0 && !field.contains("$**"))
    }

    /// Its collation; `None` for the simple binary comparison.
    pub fn collation(&self) -> Option<&Document> {
        self.spec.get_document("collation").ok()
    }
}

pub struct CrossUserReads<'c> {
    conn: &'c Connection,
    /// Reads the analytics handle (`secondaryPreferred` when the profile asks).
    analytics: bool,
}

/// A value held by more than one document where a unique index is wanted.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateGroup {
    /// The key fields' values, as `{ field: value }`.
    pub values: Document,
    pub count: i64,
}

impl<'c> CrossUserReads<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        CrossUserReads {
            conn,
            analytics: false,
        }
    }

    /// The dashboard's reads: from secondaries when the profile says so.
    pub fn analytics(conn: &'c Connection) -> Self {
        CrossUserReads {
            conn,
            analytics: true,
        }
    }

    fn handle(&self) -> &mongodb::Database {
        if self.analytics {
            self.conn.analytics_database()
        } else {
            self.conn.database()
        }
    }

    /// Every collection and view of MozaiksCore but `system.*`, sorted by name.
    pub async fn collections(&self) -> Result<Vec<CollectionInfo>> {
        Browser::new(self.conn)
            .collections(PlatformDatabase::Core)
            .await
    }

    fn per_user(&self, name: &PerUserCollection) -> mongodb::Collection<Document> {
        self.handle().collection(name.as_str())
    }

    /// A page of documents across users, newest first unless `sort` says.
    pub async fn find(
        &self,
        name: &PerUserCollection,
        filter: Document,
        sort: Document,
        limit: u32,
        projection: Option<Document>,
    ) -> Result<Vec<Document>> {
        let t = self.conn.timeout_ms();
        let limit = limit.clamp(1, MAX_PAGE);
        let options = FindOptions::builder()
            .sort(sort)
            .limit(i64::from(limit))
            .batch_size(limit)
            .projection(projection)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "find"))
            .build();
        self.per_user(name)
            .find(filter)
            .with_options(options)
            .await
            .classified(t)?
            .try_collect()
            .await
            .classified(t)
    }

    /// Every document across users the filter matches, in `sort`, through
    /// one cursor (an export), until `each` says stop. How many were handed
    /// to `each`.
    pub async fn for_each(
        &self,
        name: &PerUserCollection,
        filter: Document,
        sort: Document,
        projection: Option<Document>,
        each: impl FnMut(Document) -> Result<bool>,
    ) -> Result<u64> {
        let t = self.conn.timeout_ms();
        let options = FindOptions::builder()
            .sort(sort)
            .projection(projection)
            .batch_size(EXPORT_BATCH)
            .max_time(EXPORT_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "export"))
            .build();
        let cursor = self
            .per_user(name)
            .find(filter)
            .with_options(options)
            .await
            .classified(t)?;
        hand_over(cursor, t, each).await
    }

    pub async fn count(&self, name: &PerUserCollection, filter: Document) -> Result<u64> {
        self.per_user(name)
            .count_documents(filter)
            .max_time(COUNT_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "count"))
            .await
            .classified(self.conn.timeout_ms())
    }

    /// A read-only pipeline across users (no stage that reads elsewhere or
    /// writes), with a time limit and disk use allowed.
    pub async fn aggregate(
        &self,
        name: &PerUserCollection,
        pipeline: Vec<Document>,
    ) -> Result<Vec<Document>> {
        if let Some(stage) = pipeline
            .iter()
            .flat_map(|s| s.keys())
            .find(|k| FORBIDDEN_STAGES.contains(&k.as_str()))
        {
            return Err(Error::invalid(
                "pipeline",
                format!("{stage} is not a read of this collection"),
            ));
        }
        let t = self.conn.timeout_ms();
        self.per_user(name)
            .aggregate(pipeline)
            .allow_disk_use(true)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "aggregate"))
            .await
            .classified(t)?
            .try_collect()
            .await
            .classified(t)
    }

    /// The indexes of a collection (a metadata command, no documents read),
    /// with those still being built marked so (`includeBuildUUIDs`; a
    /// server that refuses the flag is asked again without it).
    pub async fn indexes(&self, name: &str) -> Result<Vec<IndexInfo>> {
        match self.list_indexes(name, true).await {
            Err(Error::Database { .. } | Error::Unsupported { .. }) => {
                self.list_indexes(name, false).await
            }
            listed => listed,
        }
    }

    async fn list_indexes(&self, name: &str, with_builds: bool) -> Result<Vec<IndexInfo>> {
        let t = self.conn.timeout_ms();
        let mut command = doc! { "listIndexes": name };
        if with_builds {
            command.insert("includeBuildUUIDs", true);
        }
        let reply = self
            .bounded(self.conn.database().run_command(command))
            .await?;
        let reply = match reply {
            Ok(r) => r,
            // A collection that does not exist has no indexes.
            Err(e) if matches!(&*e.kind, mongodb::error::ErrorKind::Command(c) if c.code == 26) => {
                return Ok(Vec::new())
            }
            Err(e) => return Err(e).classified(t),
        };
        let batch = reply
            .get_document("cursor")
            .and_then(|c| c.get_array("firstBatch"))
            .map(|b| {
                b.iter()
                    .filter_map(Bson::as_document)
                    .map(IndexInfo::from_document)
                    .collect()
            })
            .unwrap_or_default();
        Ok(batch)
    }

    /// `$indexStats` rows of any collection: one per index, and on replica
    /// sets and sharded clusters one per member or shard.
    pub async fn index_stats(&self, name: &str) -> Result<Vec<Document>> {
        let t = self.conn.timeout_ms();
        self.conn
            .database()
            .collection::<Document>(name)
            .aggregate(vec![doc! { "$indexStats": {} }])
            .max_time(READ_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "index_stats"))
            .await
            .classified(t)?
            .try_collect()
            .await
            .classified(t)
    }

    /// Up to `limit` values of `keys` held by more than one document of any
    /// collection, most repeated first: what would make a unique index
    /// fail. As the index sees them: a missing field is `null`, and each
    /// element of an array is a value of its own.
    pub async fn duplicates(
        &self,
        name: &str,
        keys: &[String],
        limit: i64,
    ) -> Result<Vec<DuplicateGroup>> {
        let slot = |i: usize| format!("k{i}");
        let mut pipeline: Vec<Document> = keys
            .iter()
            .map(|k| doc! { "$unwind": { "path": format!("${k}"), "preserveNullAndEmptyArrays": true } })
            .collect();
        let mut value: Document = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                (
                    slot(i),
                    Bson::Document(doc! { "$ifNull": [format!("${k}"), Bson::Null] }),
                )
            })
            .collect();
        let by_value: Document = (0..keys.len())
            .map(|i| (slot(i), Bson::String(format!("$_id.{}", slot(i)))))
            .collect();
        // A document counts once per value, however often an array repeats it.
        value.insert("doc", "$_id");
        pipeline.extend([
            doc! { "$group": { "_id": value } },
            doc! { "$group": { "_id": by_value, "n": { "$sum": 1 } } },
            doc! { "$match": { "n": { "$gt": 1 } } },
            doc! { "$sort": { "n": -1 } },
            doc! { "$limit": limit },
        ]);
        let t = self.conn.timeout_ms();
        let groups: Vec<Document> = self
            .conn
            .database()
            .collection::<Document>(name)
            .aggregate(pipeline)
            .allow_disk_use(true)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(CROSS_USER_COMMENT, "duplicates"))
            .await
            .classified(t)?
            .try_collect()
            .await
            .classified(t)?;
        Ok(groups
            .into_iter()
            .map(|g| {
                let found = g.get_document("_id").cloned().unwrap_or_default();
                DuplicateGroup {
                    values: keys
                        .iter()
                        .enumerate()
                        .map(|(i, k)| {
                            (k.clone(), found.get(slot(i)).cloned().unwrap_or(Bson::Null))
                        })
                        .collect(),
                    count: match g.get("n") {
                        Some(Bson::Int32(n)) => i64::from(*n),
                        Some(Bson::Int64(n)) => *n,
                        Some(Bson::Double(n)) => *n as i64,
                        _ => 0,
                    },
                }
            })
            .collect())
    }

    /// `collStats` as the server answers it; `unsupported` where it has none.
    pub async fn coll_stats(&self, name: &str) -> Result<Document> {
        self.bounded(self.conn.database().run_command(doc! { "collStats": name }))
            .await?
            .classified(self.conn.timeout_ms())
    }

    /// Metadata commands take no `maxTimeMS`: the client bounds them instead.
    async fn bounded<T>(&self, command: impl IntoFuture<Output = T>) -> Result<T> {
        tokio::time::timeout(READ_TIME_LIMIT, command.into_future())
            .await
            .map_err(|_| Error::TimeLimit {
                message: format!(
                    "The server did not answer within {} s; try again in a moment.",
                    READ_TIME_LIMIT.as_secs()
                ),
            })
    }

    /// Each collection's document count from its metadata (never a scan).
    pub async fn estimated_counts(&self, names: &[String]) -> Vec<Result<u64>> {
        Browser::new(self.conn)
            .estimated_counts(PlatformDatabase::Core, names)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    /// `listCollections` as MongoDB documents it for a view; the test server
    /// lists views as plain collections, so the shape is checked here.
    #[test]
    fn index_descriptions_are_read_from_list_indexes() {
        let ttl = IndexInfo::from_document(&doc! {
            "v": 2, "key": { "created_at": 1 }, "name": "created_at_1", "expireAfterSeconds": 2_592_000
        });
        assert_eq!(ttl.keys, vec![("created_at".to_string(), 1)]);
        assert_eq!(ttl.expire_after_seconds, Some(2_592_000));
        let unique = IndexInfo::from_document(&doc! {
            "v": 2, "key": { "user_id": 1, "created_at": -1.0 }, "name": "x", "unique": true
        });
        assert_eq!(unique.keys[1], ("created_at".to_string(), -1));
        assert!(unique.unique);
        assert_eq!(unique.key_text, "{ user_id: 1, created_at: -1 }");
        assert!(!unique.spec.contains_key("v"));
        let special = IndexInfo::from_document(&doc! {
            "v": 2, "key": { "email": "hashed" }, "name": "email_hashed",
            "partialFilterExpression": { "email": { "$exists": true } }, "sparse": false, "hidden": true
        });
        assert_eq!(special.keys, vec![("email".to_string(), 0)]);
        assert_eq!(special.key_text, "{ email: \"hashed\" }");
        assert_eq!(special.restrictions, vec!["partial", "hidden"]);
        assert!(!special.ordinary_keys() && unique.ordinary_keys() && !unique.building);
        let text = IndexInfo::from_document(&doc! {
            "v": 2, "key": { "a": 1, "_fts": "text", "_ftsx": 1 }, "name": "a_1_b_text"
        });
        assert!(!text.ordinary_keys());
        let wildcard =
            IndexInfo::from_document(&doc! { "v": 2, "key": { "$**": 1 }, "name": "$**_1" });
        assert!(!wildcard.ordinary_keys());
    }
}
