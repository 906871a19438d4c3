//! The `users` collection's own handle. Reads name the fields they want and
//! can never ask for `password_hash` (whether a password is set is answered
//! by the server); every read has a time limit; writes take a write context.

use futures_util::TryStreamExt;
use mongodb::bson::{doc, oid::ObjectId, Bson, Document};
use mongodb::options::{FindOptions, Hint, ReturnDocument, SelectionCriteria};
use mongodb::Collection;

use crate::db::classify::{is_time_limit, Classified};
use crate::db::connection::{
    Connection, COUNT_TIME_LIMIT, EXPORT_BATCH, EXPORT_TIME_LIMIT, READ_TIME_LIMIT,
};
use crate::db::cursor::hand_over;
use crate::db::tags::FORBIDDEN_STAGES;
use crate::db::write::{simple_collation, WriteContext};
use crate::schema::{MAX_PAGE, SUPERADMIN, USERS};
use crate::{Error, Result};

/// A set of `users` fields to read: never the password hash.
#[derive(Debug, Clone)]
pub struct Fields(Document);

impl Fields {
    pub fn of(names: &[&str]) -> Self {
        assert!(
            !names.iter().any(|n| n.starts_with("password")),
            "password fields never leave the server"
        );
        Fields(
            names
                .iter()
                .map(|f| (f.to_string(), Bson::Int32(1)))
                .collect(),
        )
    }
}

/// One page of a users query.
#[derive(Debug, Clone)]
pub struct UsersFind {
    pub filter: Document,
    pub sort: Document,
    pub limit: u32,
    pub fields: Fields,
    /// For sorts no index serves: lets the server spill to disk.
    pub allow_disk_use: bool,
}

/// Every user a filter matches, for an export: no page, no limit.
#[derive(Debug, Clone)]
pub struct UsersScan {
    pub filter: Document,
    pub sort: Document,
    pub fields: Fields,
    pub allow_disk_use: bool,
}

/// A user as support staff recognise one: email and username.
#[derive(Debug, Clone, PartialEq, serde::Serialize, specta::Type)]
pub struct UserLabel {
    pub id: String,
    pub email: Option<String>,
    pub username: Option<String>,
}

/// A count that may have been cut short by its time limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counted {
    Exact(u64),
    /// The time limit ran out; the collection's estimate when unfiltered.
    TimedOut {
        estimate: Option<u64>,
    },
}

pub struct Users<'c> {
    conn: &'c Connection,
    coll: Collection<Document>,
}

impl<'c> Users<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        Users {
            conn,
            coll: conn.database().collection(USERS),
        }
    }

    /// For reads that decide or report a write (a compare-and-set's
    /// starting point, the last-superadmin check): always the primary.
    pub fn primary(conn: &'c Connection) -> Self {
        Users {
            conn,
            coll: conn.primary_database().collection(USERS),
        }
    }

    /// The read preference these reads run with (`None`: the client's).
    pub fn selection_criteria(&self) -> Option<&SelectionCriteria> {
        self.coll.selection_criteria()
    }

    /// The dashboard's reads: from secondaries when the profile says so.
    pub fn analytics(conn: &'c Connection) -> Self {
        Users {
            conn,
            coll: conn.analytics_database().collection(USERS),
        }
    }

    fn timeout(&self) -> u32 {
        self.conn.timeout_ms()
    }

    /// A read-only aggregation for charts, with a time limit and disk use
    /// allowed. A pipeline that names a password field, or a stage that
    /// reads elsewhere or writes, is refused before it is sent.
    pub async fn aggregate(&self, pipeline: Vec<Document>) -> Result<Vec<Document>> {
        let text = format!("{pipeline:?}");
        if text.contains("password") {
            return Err(Error::invalid(
                "pipeline",
                "password fields never leave the server",
            ));
        }
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
        self.coll
            .aggregate(pipeline)
            .allow_disk_use(true)
            .max_time(READ_TIME_LIMIT)
            .await
            .classified(self.timeout())?
            .try_collect()
            .await
            .classified(self.timeout())
    }

    pub async fn find(&self, find: UsersFind) -> Result<Vec<Document>> {
        let limit = find.limit.clamp(1, MAX_PAGE);
        let options = FindOptions::builder()
            .projection(find.fields.0)
            .sort(find.sort)
            .limit(i64::from(limit))
            .batch_size(limit)
            .allow_disk_use(find.allow_disk_use.then_some(true))
            .max_time(READ_TIME_LIMIT)
            .build();
        self.coll
            .find(find.filter)
            .with_options(options)
            .await
            .classified(self.timeout())?
            .try_collect()
            .await
            .classified(self.timeout())
    }

    /// Every user the filter matches, in `sort`, with only `fields`,
    /// through one cursor (an export), until `each` says stop. How many
    /// were handed to `each`.
    pub async fn for_each(
        &self,
        find: UsersScan,
        each: impl FnMut(Document) -> Result<bool>,
    ) -> Result<u64> {
        let options = FindOptions::builder()
            .projection(find.fields.0)
            .sort(find.sort)
            .batch_size(EXPORT_BATCH)
            .allow_disk_use(find.allow_disk_use.then_some(true))
            .max_time(EXPORT_TIME_LIMIT)
            .build();
        let cursor = self
            .coll
            .find(find.filter)
            .with_options(options)
            .await
            .classified(self.timeout())?;
        hand_over(cursor, self.timeout(), each).await
    }

    pub async fn find_one(&self, id: ObjectId, fields: &Fields) -> Result<Option<Document>> {
        self.coll
            .find_one(doc! { "_id": id })
            .projection(fields.0.clone())
            .max_time(READ_TIME_LIMIT)
            .await
            .classified(self.timeout())
    }

    /// The whole user document but its password fields (export).
    pub async fn find_for_export(&self, id: ObjectId) -> Result<Option<Document>> {
        self.coll
            .find_one(doc! { "_id": id })
            .projection(doc! { "password_hash": 0, "password": 0 })
            .max_time(READ_TIME_LIMIT)
            .await
            .classified(self.timeout())
    }

    /// Counts within [`COUNT_TIME_LIMIT`] (an unbounded count can run for
    /// minutes on large data); past it, the estimate when unfiltered.
    pub async fn count(&self, filter: Document) -> Result<Counted> {
        let unfiltered = filter.is_empty();
        let mut count = self.coll.count_documents(filter).max_time(COUNT_TIME_LIMIT);
        if unfiltered {
            count = count.hint(Hint::Name("_id_".into()));
        }
        match count.await {
            Ok(n) => Ok(Counted::Exact(n)),
            Err(e) if is_time_limit(&e) => Ok(Counted::TimedOut {
                estimate: match unfiltered {
                    true => Some(self.estimated().await?),
                    false => None,
                },
            }),
            Err(e) => Err(e).classified(self.timeout()),
        }
    }

    /// From collection metadata: never a scan.
    pub async fn estimated(&self) -> Result<u64> {
        self.coll
            .estimated_document_count()
            .max_time(COUNT_TIME_LIMIT)
            .await
            .classified(self.timeout())
    }

    pub async fn password_set(&self, id: ObjectId) -> Result<bool> {
        let filter = doc! { "_id": id, "password_hash": { "$type": "string", "$ne": "" } };
        Ok(self
            .coll
            .count_documents(filter)
            .max_time(COUNT_TIME_LIMIT)
            .await
            .classified(self.timeout())?
            > 0)
    }

    /// The users among `ids`, with `fields` (never a password field):
    /// one bounded, projected read.
    async fn by_ids(&self, ids: &[ObjectId], fields: &Fields) -> Result<Vec<Document>> {
        self.coll
            .find(doc! { "_id": { "$in": ids } })
            .projection(fields.0.clone())
            .limit(ids.len() as i64)
            .max_time(READ_TIME_LIMIT)
            .await
            .classified(self.timeout())?
            .try_collect()
            .await
            .classified(self.timeout())
    }

    /// Which of `ids` are users (orphan checks), in batches of a thousand.
    pub async fn existing(&self, ids: &[ObjectId]) -> Result<std::collections::HashSet<ObjectId>> {
        let mut found = std::collections::HashSet::new();
        for batch in ids.chunks(1_000) {
            let docs = self.by_ids(batch, &Fields::of(&["_id"])).await?;
            found.extend(docs.iter().filter_map(|d| d.get_object_id("_id").ok()));
        }
        Ok(found)
    }

    /// Email and username of each of `ids` that is a user: one projected
    /// read (a page names at most [`MAX_PAGE`] users).
    pub async fn labels(&self, ids: &[ObjectId]) -> Result<Vec<UserLabel>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let docs = self
            .by_ids(ids, &Fields::of(&["email", "username"]))
            .await?;
        let text = |d: &Document, k: &str| d.get_str(k).ok().map(String::from);
        Ok(docs
            .iter()
            .filter_map(|d| {
                Some(UserLabel {
                    id: d.get_object_id("_id").ok()?.to_hex(),
                    email: text(d, "email"),
                    username: text(d, "username"),
                })
            })
            .collect())
    }

    /// Superadmins other than `except`.
    pub async fn other_superadmins(&self, except: ObjectId) -> Result<u64> {
        self.coll
            .count_documents(doc! { "roles": SUPERADMIN, "_id": { "$ne": except } })
            .max_time(COUNT_TIME_LIMIT)
            .await
            .classified(self.timeout())
    }

    pub fn writer<'w>(ctx: &'w WriteContext<'w>) -> UsersWriter<'w> {
        UsersWriter {
            users: Users::primary(ctx.conn()),
            _ctx: ctx,
        }
    }
}

/// MongoDB's `MaxTimeMSExpired`.
/// A deleted user document, held only to be put back.
pub struct Deleted(Document);

/// Writes to `users`; only a write context makes one.
pub struct UsersWriter<'w> {
    users: Users<'w>,
    _ctx: &'w WriteContext<'w>,
}

impl<'w> UsersWriter<'w> {
    pub fn reader(&self) -> &Users<'w> {
        &self.users
    }

    /// Applies `update` to the user if it still matches `expected` (the
    /// compare-and-set filter) and returns the document as it is after,
    /// read with `fields`; `None` when nothing matched.
    pub async fn update_if(
        &self,
        id: ObjectId,
        expected: Document,
        update: Document,
        fields: &Fields,
    ) -> Result<Option<Document>> {
        let mut filter = doc! { "_id": id };
        filter.extend(expected);
        self.users
            .coll
            .find_one_and_update(filter, update)
            .collation(simple_collation())
            .projection(fields.0.clone())
            .return_document(ReturnDocument::After)
            .max_time(READ_TIME_LIMIT)
            .await
            .classified_write(self.users.timeout())
    }

    /// Deletes the user if it matches `expected` and returns the whole
    /// document, so a delete that must not stand can be put back with
    /// [`UsersWriter::put_back`]. It never leaves the core.
    pub async fn delete_if(&self, id: ObjectId, expected: Document) -> Result<Option<Deleted>> {
        let mut filter = doc! { "_id": id };
        filter.extend(expected);
        Ok(self
            .users
            .coll
            .find_one_and_delete(filter)
            .collation(simple_collation())
            .max_time(READ_TIME_LIMIT)
            .await
            .classified_write(self.users.timeout())?
            .map(Deleted))
    }

    pub async fn put_back(&self, deleted: Deleted) -> Result<()> {
        self.users
            .coll
            .insert_one(deleted.0)
            .await
            .classified_write(self.users.timeout())
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mongo-java-server never enforces maxTimeMS, so the estimate fallback
    /// is checked against the reply MongoDB documents for it.
    #[test]
    fn a_max_time_expired_reply_is_recognised() {
        let reply = doc! { "ok": 0, "errmsg": "operation exceeded time limit", "code": 50, "codeName": "MaxTimeMSExpired" };
        let command: mongodb::error::CommandError = mongodb::bson::from_document(reply).unwrap();
        let err = mongodb::error::Error::from(mongodb::error::ErrorKind::Command(command));
        assert!(is_time_limit(&err));
    }

    #[test]
    #[should_panic(expected = "password fields never leave the server")]
    fn the_password_hash_cannot_be_asked_for() {
        Fields::of(&["email", "password_hash"]);
    }
}
