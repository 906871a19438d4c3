//! The user-scoped data layer. Per-user collections (`settings`,
//! `notifications`, every `{plugin}_*` collection) are reachable only through
//! a [`ScopedCollection`], and one can be had only for a validated
//! [`UserScope`]. Its methods put `user_id` into every filter and make a
//! `$match` on it the first pipeline stage, so calling code cannot forget it.
//!
//! Reads take a connection; writes take a [`WriteContext`], so they are
//! audited and refused on a read-only connection. The raw database handle
//! is visible only inside `db`, so code outside it has no unscoped way in:
//!
//! ```compile_fail
//! # async fn f(conn: &mozaiks_core::db::connection::Connection) {
//! use mongodb::bson::{doc, Document};
//! // Does not compile: `database()` is private to `db`.
//! conn.database().collection::<Document>("notifications").find(doc! {});
//! # }
//! ```
//!
//! ```compile_fail
//! # fn f(coll: mongodb::Collection<mongodb::bson::Document>, conn: &mozaiks_core::db::connection::Connection) {
//! use mozaiks_core::db::scope::ScopedCollection;
//! // Does not compile: the fields are private; only `UserScope::collection` builds one.
//! let handle = ScopedCollection { coll, conn, owner: mongodb::bson::Bson::Null, id: mongodb::bson::oid::ObjectId::new() };
//! # }
//! ```
//!
//! The supported way, for contrast, compiles:
//!
//! ```
//! # async fn f(conn: &mozaiks_core::db::connection::Connection) -> mozaiks_core::Result<()> {
//! use mozaiks_core::db::scope::{Page, PerUserCollection, UserScope};
//! let scope = UserScope::parse("65f0c0ffee0000000000beef")?;
//! let notifications = scope.collection(conn, PerUserCollection::parse("notifications")?);
//! let latest = notifications.find(mongodb::bson::doc! {}, Page::first(25)).await?;
//! # Ok(()) }
//! ```

use futures_util::TryStreamExt;
use mongodb::bson::{doc, oid::ObjectId, Bson, Document};
use mongodb::options::{FindOptions, ReturnDocument, SelectionCriteria, UpdateModifications};
use mongodb::Collection;

use crate::db::classify::Classified;
use crate::db::connection::{
    Connection, COUNT_TIME_LIMIT, EXPORT_BATCH, EXPORT_TIME_LIMIT, READ_TIME_LIMIT,
};
use crate::db::cursor::hand_over;
use crate::db::tags::{tag, FORBIDDEN_STAGES, SCOPED_COMMENT};
use crate::db::write::{simple_collation, WriteContext};
use crate::schema::{is_per_user, MAX_PAGE};
use crate::{Error, Result};

/// Deepest offset a per-user page may start at: one user's documents are
/// few, and anything deeper belongs to range paging.
pub const MAX_SKIP: u64 = 10_000;

/// A validated user id: the 24-hex-digit string form of a `users._id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserScope {
    id: ObjectId,
    hex: String,
}

impl UserScope {
    pub fn parse(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let id = ObjectId::parse_str(raw).map_err(|_| Error::InvalidId {
            value: raw.chars().take(64).collect(),
        })?;
        Ok(Self::from_object_id(id))
    }

    pub fn from_object_id(id: ObjectId) -> Self {
        UserScope {
            hex: id.to_hex(),
            id,
        }
    }

    /// The value per-user documents store in `user_id`.
    pub fn user_id(&self) -> &str {
        &self.hex
    }

    pub fn object_id(&self) -> ObjectId {
        self.id
    }

    pub fn collection<'c>(
        &self,
        conn: &'c Connection,
        name: PerUserCollection,
    ) -> ScopedCollection<'c> {
        ScopedCollection {
            coll: conn.database().collection(name.as_str()),
            conn,
            id: self.id,
            owner: Bson::String(self.hex.clone()),
        }
    }

    /// Like [`UserScope::collection`], read from the primary: for the reads
    /// that decide a write before it is made (ownership checks).
    pub fn primary_collection<'c>(
        &self,
        conn: &'c Connection,
        name: PerUserCollection,
    ) -> ScopedCollection<'c> {
        ScopedCollection {
            coll: conn.primary_database().collection(name.as_str()),
            ..self.collection(conn, name)
        }
    }

    /// Like [`UserScope::collection`], but also matching documents that
    /// store the id as an ObjectId: export and erase must reach everything
    /// the user owns, however it was written.
    pub fn owned_collection<'c>(
        &self,
        conn: &'c Connection,
        name: PerUserCollection,
    ) -> ScopedCollection<'c> {
        ScopedCollection {
            owner: Bson::Document(doc! { "$in": [&self.hex, self.id] }),
            ..self.collection(conn, name)
        }
    }

    /// [`UserScope::owned_collection`] read from the primary: what an erase
    /// is about to delete.
    pub fn primary_owned_collection<'c>(
        &self,
        conn: &'c Connection,
        name: PerUserCollection,
    ) -> ScopedCollection<'c> {
        ScopedCollection {
            coll: conn.primary_database().collection(name.as_str()),
            ..self.owned_collection(conn, name)
        }
    }

    /// Writes to one user's documents, on the write context's connection.
    pub fn writer<'w>(
        &self,
        ctx: &'w WriteContext<'w>,
        name: PerUserCollection,
    ) -> ScopedWriter<'w> {
        ScopedWriter {
            scoped: self.primary_collection(ctx.conn(), name),
            _ctx: ctx,
        }
    }

    /// Gives this user documents that no scoped query reaches (no
    /// `user_id`, one of another type, one naming no user): the plugin
    /// inspector's repairs.
    pub(crate) fn adopter<'w>(
        &self,
        ctx: &'w WriteContext<'w>,
        name: PerUserCollection,
    ) -> Adopter<'w> {
        Adopter {
            coll: ctx.conn().primary_database().collection(name.as_str()),
            hex: self.hex.clone(),
            timeout: ctx.conn().timeout_ms(),
            _ctx: ctx,
        }
    }

    /// [`UserScope::writer`] over both stored forms of the id (erase).
    pub fn owned_writer<'w>(
        &self,
        ctx: &'w WriteContext<'w>,
        name: PerUserCollection,
    ) -> ScopedWriter<'w> {
        ScopedWriter {
            scoped: self.primary_owned_collection(ctx.conn(), name),
            _ctx: ctx,
        }
    }
}

/// The name of a collection that holds per-user documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerUserCollection(String);

impl PerUserCollection {
    pub fn parse(name: &str) -> Result<Self> {
        if is_per_user(name) {
            Ok(PerUserCollection(name.to_string()))
        } else {
            Err(Error::invalid(
                "collection",
                format!(
                    "{:?} is not a per-user collection",
                    name.chars().take(64).collect::<String>()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which slice of the matching documents to read.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub skip: u64,
    pub limit: u32,
    pub sort: Option<Document>,
    /// Only these fields come back (the view's fields); `None` for all.
    pub projection: Option<Document>,
}

impl Page {
    pub fn first(limit: u32) -> Self {
        Page {
            limit,
            ..Default::default()
        }
    }

    /// The limit actually used: at least 1, never over [`MAX_PAGE`].
    pub fn capped_limit(&self) -> u32 {
        self.limit.clamp(1, MAX_PAGE)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Updated {
    pub matched: u64,
    pub modified: u64,
    pub inserted: bool,
}

/// One user's documents in one per-user collection.
pub struct ScopedCollection<'c> {
    coll: Collection<Document>,
    conn: &'c Connection,
    id: ObjectId,
    /// What `user_id` must match: the hex string, or both stored forms.
    owner: Bson,
}

impl ScopedCollection<'_> {
    /// `filter` AND `user_id`. A filter naming `user_id` itself is refused
    /// rather than merged: it could only try to leave the scope.
    fn scoped(&self, filter: Document) -> Result<Document> {
        if filter.contains_key("user_id") {
            return Err(Error::invalid("filter", "user_id is set by the scope"));
        }
        let mut scoped = doc! { "user_id": self.owner.clone() };
        scoped.extend(filter);
        Ok(scoped)
    }

    fn timeout(&self) -> u32 {
        self.conn.timeout_ms()
    }

    /// The read preference these reads run with (`None`: the client's).
    pub fn selection_criteria(&self) -> Option<&SelectionCriteria> {
        self.coll.selection_criteria()
    }

    pub async fn find(&self, filter: Document, page: Page) -> Result<Vec<Document>> {
        if page.skip > MAX_SKIP {
            return Err(Error::invalid(
                "page",
                format!("starts deeper than {MAX_SKIP} documents"),
            ));
        }
        let limit = page.capped_limit();
        let options = FindOptions::builder()
            .skip(page.skip)
            .limit(i64::from(limit))
            .batch_size(limit)
            .sort(page.sort.unwrap_or_else(|| doc! { "_id": -1 }))
            .projection(page.projection)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(SCOPED_COMMENT, "find"))
            .build();
        self.coll
            .find(self.scoped(filter)?)
            .with_options(options)
            .await
            .classified(self.timeout())?
            .try_collect()
            .await
            .classified(self.timeout())
    }

    /// Every one of the user's documents the filter matches, in `sort`,
    /// handed to `each` as they arrive in batches (exports stream them to
    /// disk, within an export's time limit; a page cap would cut them
    /// short) until `each` says stop. Returns how many were handed over.
    pub async fn for_each(
        &self,
        filter: Document,
        sort: Document,
        projection: Option<Document>,
        each: impl FnMut(Document) -> Result<bool>,
    ) -> Result<u64> {
        let options = FindOptions::builder()
            .sort(sort)
            .projection(projection)
            .batch_size(EXPORT_BATCH)
            .max_time(EXPORT_TIME_LIMIT)
            .comment(tag(SCOPED_COMMENT, "find"))
            .build();
        let cursor = self
            .coll
            .find(self.scoped(filter)?)
            .with_options(options)
            .await
            .classified(self.timeout())?;
        hand_over(cursor, self.timeout(), each).await
    }

    pub async fn find_one(&self, filter: Document) -> Result<Option<Document>> {
        self.coll
            .find_one(self.scoped(filter)?)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(SCOPED_COMMENT, "find"))
            .await
            .classified(self.timeout())
    }

    pub async fn count(&self, filter: Document) -> Result<u64> {
        self.coll
            .count_documents(self.scoped(filter)?)
            .max_time(COUNT_TIME_LIMIT)
            .comment(tag(SCOPED_COMMENT, "count"))
            .await
            .classified(self.timeout())
    }

    /// Documents whose `user_id` holds the user's ObjectId rather than its
    /// hex string: counted so they can be reported, never returned as data.
    pub async fn count_object_id_typed(&self) -> Result<u64> {
        self.coll
            .count_documents(doc! { "user_id": self.id })
            .max_time(COUNT_TIME_LIMIT)
            .comment(tag(SCOPED_COMMENT, "count"))
            .await
            .classified(self.timeout())
    }

    /// Runs `pipeline` after a `$match` on the user; the page cap applies to
    /// what it returns.
    pub async fn aggregate(&self, pipeline: Vec<Document>) -> Result<Vec<Document>> {
        if let Some(stage) = pipeline
            .iter()
            .flat_map(|s| s.keys())
            .find(|k| FORBIDDEN_STAGES.contains(&k.as_str()))
        {
            return Err(Error::invalid(
                "pipeline",
                format!("{stage} leaves the user's scope"),
            ));
        }
        let mut scoped = vec![doc! { "$match": { "user_id": self.owner.clone() } }];
        scoped.extend(pipeline);
        scoped.push(doc! { "$limit": i64::from(MAX_PAGE) });
        self.coll
            .aggregate(scoped)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(SCOPED_COMMENT, "aggregate"))
            .await
            .classified(self.timeout())?
            .try_collect()
            .await
            .classified(self.timeout())
    }
}

/// Writes to one user's documents; only a [`WriteContext`] makes one.
pub struct ScopedWriter<'w> {
    scoped: ScopedCollection<'w>,
    _ctx: &'w WriteContext<'w>,
}

impl<'w> ScopedWriter<'w> {
    /// Reads through the same scope (a write usually re-reads its target).
    pub fn reader(&self) -> &ScopedCollection<'w> {
        &self.scoped
    }

    /// Updates at most one of the user's documents. With `upsert`, a
    /// missing one is created (its `user_id` comes from the scoped filter).
    pub async fn update_one(
        &self,
        filter: Document,
        update: Document,
        upsert: bool,
    ) -> Result<Updated> {
        let s = &self.scoped;
        let result = s
            .coll
            .update_one(s.scoped(filter)?, update)
            .upsert(upsert)
            .comment(tag(SCOPED_COMMENT, "update"))
            .await
            .classified_write(s.timeout())?;
        Ok(Updated {
            matched: result.matched_count,
            modified: result.modified_count,
            inserted: result.upserted_id.is_some(),
        })
    }

    /// Updates one of the user's documents and returns it as it was before
    /// (`None` when nothing matched): the audit's "before" is what was replaced.
    pub async fn replace_returning_before(
        &self,
        filter: Document,
        update: Document,
    ) -> Result<Option<Document>> {
        self.find_one_and_update(filter, update, ReturnDocument::Before)
            .await
    }

    /// Updates one of the user's documents if it is still as the filter
    /// says (strings compared as stored) and returns it as it is after
    /// (`None` when nothing matched: it changed meanwhile, or is gone).
    pub async fn update_returning_after(
        &self,
        filter: Document,
        update: impl Into<UpdateModifications>,
    ) -> Result<Option<Document>> {
        self.find_one_and_update(filter, update, ReturnDocument::After)
            .await
    }

    async fn find_one_and_update(
        &self,
        filter: Document,
        update: impl Into<UpdateModifications>,
        returned: ReturnDocument,
    ) -> Result<Option<Document>> {
        // Both callers compare and set: strings compared as stored.
        let s = &self.scoped;
        s.coll
            .find_one_and_update(s.scoped(filter)?, update)
            .collation(simple_collation())
            .return_document(returned)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(SCOPED_COMMENT, "update"))
            .await
            .classified_write(s.timeout())
    }

    /// Inserts a document that names the scope's user as its owner, as it
    /// stands (field order kept).
    pub async fn insert_owned(&self, document: Document) -> Result<Bson> {
        let s = &self.scoped;
        if document.get("user_id") != Some(&s.owner) {
            return Err(Error::invalid(
                "document",
                "user_id must be the owner's id as a hex string",
            ));
        }
        s.coll
            .insert_one(document)
            .comment(tag(SCOPED_COMMENT, "insert"))
            .await
            .classified_write(s.timeout())
            .map(|r| r.inserted_id)
    }

    /// Updates every one of the user's documents matching `filter`.
    pub async fn update_many(&self, filter: Document, update: Document) -> Result<Updated> {
        let s = &self.scoped;
        let result = s
            .coll
            .update_many(s.scoped(filter)?, update)
            .comment(tag(SCOPED_COMMENT, "update"))
            .await
            .classified_write(s.timeout())?;
        Ok(Updated {
            matched: result.matched_count,
            modified: result.modified_count,
            inserted: false,
        })
    }

    /// Inserts a document owned by the user: its `user_id` is the scope's.
    pub async fn insert_one(&self, mut document: Document) -> Result<Bson> {
        let s = &self.scoped;
        if document.contains_key("user_id") {
            return Err(Error::invalid("document", "user_id is set by the scope"));
        }
        document.insert("user_id", s.owner.clone());
        s.coll
            .insert_one(document)
            .comment(tag(SCOPED_COMMENT, "insert"))
            .await
            .classified_write(s.timeout())
            .map(|r| r.inserted_id)
    }

    /// Deletes the user's documents that are still as the filter says,
    /// strings compared as stored (a delete of what the admin saw).
    pub async fn delete_as_seen(&self, filter: Document) -> Result<u64> {
        let s = &self.scoped;
        Ok(s.coll
            .delete_many(s.scoped(filter)?)
            .collation(simple_collation())
            .comment(tag(SCOPED_COMMENT, "delete"))
            .await
            .classified_write(s.timeout())?
            .deleted_count)
    }

    pub async fn delete_many(&self, filter: Document) -> Result<u64> {
        let s = &self.scoped;
        Ok(s.coll
            .delete_many(s.scoped(filter)?)
            .comment(tag(SCOPED_COMMENT, "delete"))
            .await
            .classified_write(s.timeout())?
            .deleted_count)
    }
}

/// The one write to a per-user collection whose filter cannot name the
/// document's owner, because it has none the platform can read. It only
/// ever sets `user_id` to its user's id, on listed `_id`s that still hold
/// what the dry run saw; the command check accepts it in exactly that shape.
pub struct Adopter<'w> {
    coll: Collection<Document>,
    hex: String,
    timeout: u32,
    _ctx: &'w WriteContext<'w>,
}

/// What an adopted document's `user_id` is now: none, the ObjectId form of
/// an id, or the id of a user that does not exist. Never another user's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Unowned {
    Missing,
    ObjectIdForm(ObjectId),
    /// Checked to name no user just before the adoption.
    Orphan(String),
}

impl Unowned {
    fn filter(&self) -> Bson {
        match self {
            Unowned::Missing => Bson::Null,
            Unowned::ObjectIdForm(id) => Bson::ObjectId(*id),
            Unowned::Orphan(id) => Bson::String(id.clone()),
        }
    }
}

impl Adopter<'_> {
    pub(crate) async fn adopt(&self, ids: &[Bson], from: &Unowned) -> Result<Updated> {
        let result = self
            .coll
            .update_many(
                doc! { "_id": { "$in": ids }, "user_id": from.filter() },
                doc! { "$set": { "user_id": &self.hex } },
            )
            .comment(tag(SCOPED_COMMENT, ADOPT_OP))
            .await
            .classified_write(self.timeout)?;
        Ok(Updated {
            matched: result.matched_count,
            modified: result.modified_count,
            inserted: false,
        })
    }
}

/// The tag of [`Adopter::adopt`]'s command.
pub const ADOPT_OP: &str = "adopt";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_validated_and_normalised() {
        let s = UserScope::parse(" 65F0C0FFEE0000000000BEEF ").unwrap();
        assert_eq!(s.user_id(), "65f0c0ffee0000000000beef");
        for bad in ["", "123", "zzzzzzzzzzzzzzzzzzzzzzzz", "{\"$ne\": null}"] {
            assert_eq!(
                UserScope::parse(bad).unwrap_err().code(),
                "invalid_id",
                "{bad}"
            );
        }
    }

    #[test]
    fn only_per_user_collections_are_scoped() {
        for ok in [
            "settings",
            "notifications",
            "task_manager_tasks",
            "crm_contacts",
        ] {
            assert!(PerUserCollection::parse(ok).is_ok(), "{ok}");
        }
        for no in [
            "users",
            "admin_audit_log",
            "system.views",
            "misc",
            "Misc_Data",
        ] {
            assert!(PerUserCollection::parse(no).is_err(), "{no}");
        }
    }

    #[test]
    fn page_limits_are_capped() {
        assert_eq!(Page::first(10_000).capped_limit(), MAX_PAGE);
        assert_eq!(Page::first(0).capped_limit(), 1);
        assert_eq!(Page::first(25).capped_limit(), 25);
    }
}
