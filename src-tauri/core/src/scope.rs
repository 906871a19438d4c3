//! The user-scoped data layer. Per-user collections (`settings`,
//! `notifications`, every `{plugin}_*` collection) are reachable only through
//! a [`ScopedCollection`], and one can be had only for a validated
//! [`UserScope`]. Its methods put `user_id` into every filter and make a
//! `$match` on it the first pipeline stage, so calling code cannot forget it.
//!
//! The raw database handle is private to this crate, so code outside it has
//! no unscoped way in:
//!
//! ```compile_fail
//! # async fn f(conn: &mozaiks_core::connection::Connection) {
//! use mongodb::bson::{doc, Document};
//! // Does not compile: `database()` is private to the core.
//! conn.database().collection::<Document>("notifications").find(doc! {});
//! # }
//! ```
//!
//! ```compile_fail
//! # fn f(coll: mongodb::Collection<mongodb::bson::Document>) {
//! use mozaiks_core::scope::ScopedCollection;
//! // Does not compile: the fields are private; only `UserScope::collection` builds one.
//! let handle = ScopedCollection { coll, id: mongodb::bson::oid::ObjectId::new(), owner: "x".into() };
//! # }
//! ```
//!
//! The supported way, for contrast, compiles:
//!
//! ```
//! # async fn f(conn: &mozaiks_core::connection::Connection) -> mozaiks_core::Result<()> {
//! use mozaiks_core::scope::{Page, PerUserCollection, UserScope};
//! let scope = UserScope::parse("65f0c0ffee0000000000beef")?;
//! let notifications = scope.collection(conn, PerUserCollection::parse("notifications")?);
//! let latest = notifications.find(mongodb::bson::doc! {}, Page::first(25)).await?;
//! # Ok(()) }
//! ```

use futures_util::TryStreamExt;
use mongodb::bson::{doc, oid::ObjectId, Bson, Document};
use mongodb::options::FindOptions;
use mongodb::Collection;

use crate::connection::{CollectionKind, Connection, WriteAccess};
use crate::{Error, Result};

/// Hard cap on any page the app reads, whatever the UI asks (the seed guide's rule).
pub const MAX_PAGE: u32 = 100;

/// Comment prefix on every command the scoped layer sends; the command
/// monitor proof and a server's profiler can tell them apart by it.
pub const SCOPED_COMMENT: &str = "mozaiks-admin/scoped/";

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
        Ok(UserScope {
            hex: id.to_hex(),
            id,
        })
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

    pub fn collection(&self, conn: &Connection, name: PerUserCollection) -> ScopedCollection {
        ScopedCollection {
            coll: conn.database().collection(name.as_str()),
            id: self.id,
            owner: Bson::String(self.hex.clone()),
        }
    }

    /// Like [`UserScope::collection`], but also matching documents that
    /// store the id as an ObjectId: export and erase must reach everything
    /// the user owns, however it was written.
    pub fn owned_collection(&self, conn: &Connection, name: PerUserCollection) -> ScopedCollection {
        ScopedCollection {
            owner: Bson::Document(doc! { "$in": [&self.hex, self.id] }),
            ..self.collection(conn, name)
        }
    }
}

/// The name of a collection that holds per-user documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerUserCollection(String);

impl PerUserCollection {
    pub fn parse(name: &str) -> Result<Self> {
        match CollectionKind::of(name) {
            CollectionKind::Plugin => Ok(PerUserCollection(name.to_string())),
            _ if name == "settings" || name == "notifications" => {
                Ok(PerUserCollection(name.to_string()))
            }
            _ => Err(Error::invalid(
                "collection",
                format!("{name} is not a per-user collection"),
            )),
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
    pub inserted: bool,
}

/// One user's documents in one per-user collection.
pub struct ScopedCollection {
    coll: Collection<Document>,
    id: ObjectId,
    /// What `user_id` must match: the hex string, or both stored forms.
    owner: Bson,
}

/// Stages that read other collections or write: a scoped pipeline may not
/// leave its user's documents, nor write anywhere.
pub(crate) const FORBIDDEN_STAGES: [&str; 6] = [
    "$lookup",
    "$unionWith",
    "$graphLookup",
    "$out",
    "$merge",
    "$facet",
];

impl ScopedCollection {
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

    fn comment(op: &str) -> Bson {
        Bson::String(format!("{SCOPED_COMMENT}{op}"))
    }

    pub async fn find(&self, filter: Document, page: Page) -> Result<Vec<Document>> {
        let limit = page.capped_limit();
        let options = FindOptions::builder()
            .skip(page.skip)
            .limit(i64::from(limit))
            .batch_size(limit)
            .sort(page.sort.unwrap_or_else(|| doc! { "_id": -1 }))
            .projection(page.projection)
            .comment(Self::comment("find"))
            .build();
        let docs = self
            .coll
            .find(self.scoped(filter)?)
            .with_options(options)
            .await?
            .try_collect()
            .await?;
        Ok(docs)
    }

    /// Every one of the user's documents, streamed in batches of
    /// [`MAX_PAGE`] (for export: a page cap would cut it short).
    pub async fn all(&self) -> Result<Vec<Document>> {
        Ok(self
            .coll
            .find(self.scoped(doc! {})?)
            .sort(doc! { "_id": 1 })
            .batch_size(MAX_PAGE)
            .comment(Self::comment("find"))
            .await?
            .try_collect()
            .await?)
    }

    pub async fn find_one(&self, filter: Document) -> Result<Option<Document>> {
        Ok(self
            .coll
            .find_one(self.scoped(filter)?)
            .comment(Self::comment("find"))
            .await?)
    }

    pub async fn count(&self, filter: Document) -> Result<u64> {
        Ok(self
            .coll
            .count_documents(self.scoped(filter)?)
            .comment(Self::comment("count"))
            .await?)
    }

    /// Documents whose `user_id` holds the user's ObjectId rather than its
    /// hex string: counted so they can be reported, never returned as data.
    pub async fn count_object_id_typed(&self) -> Result<u64> {
        Ok(self
            .coll
            .count_documents(doc! { "user_id": self.id })
            .comment(Self::comment("count"))
            .await?)
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
        Ok(self
            .coll
            .aggregate(scoped)
            .comment(Self::comment("aggregate"))
            .await?
            .try_collect()
            .await?)
    }

    /// Updates at most one of the user's documents. With `upsert`, a
    /// missing one is created (its `user_id` comes from the scoped filter).
    pub async fn update_one(
        &self,
        _write: &WriteAccess<'_>,
        filter: Document,
        update: Document,
        upsert: bool,
    ) -> Result<Updated> {
        let result = self
            .coll
            .update_one(self.scoped(filter)?, update)
            .upsert(upsert)
            .comment(Self::comment("update"))
            .await?;
        Ok(Updated {
            matched: result.matched_count,
            inserted: result.upserted_id.is_some(),
        })
    }

    pub async fn delete_many(&self, _write: &WriteAccess<'_>, filter: Document) -> Result<u64> {
        Ok(self
            .coll
            .delete_many(self.scoped(filter)?)
            .comment(Self::comment("delete"))
            .await?
            .deleted_count)
    }
}

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
        for no in ["users", "admin_audit_log", "system.views", "misc"] {
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
