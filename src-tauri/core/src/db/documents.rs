//! Writes to one document of a collection the browser shows, each through
//! a write context (audited, refused read-only). Where a document may be
//! written is decided here, once: `users` only through the user screens,
//! the audit log never, MozaiksAI and MozaiksDB only when the profile
//! allows it, and MozaiksCore's per-user collections only through the
//! scoped layer, as the document's owner.

use mongodb::bson::{doc, Bson, Document};
use mongodb::options::ReturnDocument;
use mongodb::Collection;

use crate::db::browser::check_collection_name;
use crate::db::classify::Classified;
use crate::db::connection::{Connection, READ_TIME_LIMIT};
use crate::db::document_edit::{unchanged_since_seen, EditPlan};
use crate::db::scope::{PerUserCollection, ScopedWriter, UserScope};
use crate::db::tags::{tag, DOCUMENT_COMMENT, OTHER_DATABASE_COMMENT};
use crate::db::write::{simple_collation, WriteContext};
use crate::schema::{is_per_user, PlatformDatabase, AUDIT_COLLECTION, USERS};
use crate::{Error, Result};

/// Where one document may be written, decided before anything is audited.
pub enum Destination {
    /// One user's documents in a MozaiksCore per-user collection.
    Scoped(UserScope, PerUserCollection),
    /// Any other collection of MozaiksCore.
    Core(String),
    /// A collection of MozaiksAI or MozaiksDB, which the profile allows.
    Other(PlatformDatabase, String),
}

impl Destination {
    /// `owner`: the `user_id` the document had as the admin saw it; a
    /// per-user collection is written only as that user.
    pub fn of(
        conn: &Connection,
        which: PlatformDatabase,
        collection: &str,
        owner: Option<&Bson>,
    ) -> Result<Destination> {
        check_collection_name(collection)?;
        if let Some(reason) = refusal(conn, which, collection) {
            return Err(Error::Refused {
                reason: reason.to_string(),
            });
        }
        match which {
            PlatformDatabase::Core if is_per_user(collection) => {
                let scope = match owner {
                    Some(Bson::String(hex)) => UserScope::parse(hex).ok(),
                    _ => None,
                }
                .ok_or_else(|| Error::Refused {
                    reason: "this document has no user_id the platform can read: the plugin inspector's repairs give it one".into(),
                })?;
                Ok(Destination::Scoped(
                    scope,
                    PerUserCollection::parse(collection)?,
                ))
            }
            PlatformDatabase::Core => Ok(Destination::Core(collection.to_string())),
            other => Ok(Destination::Other(other, collection.to_string())),
        }
    }
}

/// Why no document of this collection may be written from the browser,
/// whoever owns it; `None` when documents there may be.
pub fn refusal(
    conn: &Connection,
    which: PlatformDatabase,
    collection: &str,
) -> Option<&'static str> {
    match which {
        PlatformDatabase::Core if collection == USERS => {
            Some("users documents are changed only through the user screens")
        }
        PlatformDatabase::Core if collection == AUDIT_COLLECTION => {
            Some("the audit log is never edited")
        }
        PlatformDatabase::Core => None,
        _ if conn.profile().other_databases.writable => None,
        _ => Some(
            "this profile keeps MozaiksAI and MozaiksDB read-only: allow writes there in the profile",
        ),
    }
}

impl Destination {
    /// The document with this `_id` as it is now, from the primary: what a
    /// write is about to act on, or what a conflict shows.
    pub async fn current(&self, conn: &Connection, id: &Bson) -> Result<Option<Document>> {
        let by_id = doc! { "_id": id.clone() };
        let (coll, comment) = match self {
            Destination::Scoped(scope, collection) => {
                return scope
                    .primary_collection(conn, collection.clone())
                    .find_one(by_id)
                    .await
            }
            Destination::Core(collection) => (
                conn.primary_database().collection::<Document>(collection),
                DOCUMENT_COMMENT,
            ),
            Destination::Other(which, collection) => (
                conn.sibling_primary_database(conn.profile().platform_database(*which))
                    .collection(collection),
                OTHER_DATABASE_COMMENT,
            ),
        };
        coll.find_one(by_id)
            .max_time(READ_TIME_LIMIT)
            .comment(tag(comment, "find"))
            .await
            .classified(conn.timeout_ms())
    }
}

enum Place<'w> {
    Scoped(ScopedWriter<'w>),
    /// A collection with the comment its commands carry.
    Open(Collection<Document>, &'static str),
}

pub struct DocumentWriter<'w> {
    place: Place<'w>,
    timeout: u32,
}

impl<'w> DocumentWriter<'w> {
    pub fn new(ctx: &'w WriteContext<'w>, destination: &Destination) -> DocumentWriter<'w> {
        let conn = ctx.conn();
        let place = match destination {
            Destination::Scoped(scope, collection) => {
                Place::Scoped(scope.writer(ctx, collection.clone()))
            }
            Destination::Core(collection) => Place::Open(
                conn.primary_database().collection(collection),
                DOCUMENT_COMMENT,
            ),
            Destination::Other(which, collection) => Place::Open(
                conn.sibling_primary_database(conn.profile().platform_database(*which))
                    .collection(collection),
                OTHER_DATABASE_COMMENT,
            ),
        };
        DocumentWriter {
            place,
            timeout: conn.timeout_ms(),
        }
    }

    /// Applies a save; the document as it is after, or `None` when the
    /// plan's filter matched nothing (changed meanwhile, or gone).
    pub async fn update(&self, id: &Bson, plan: EditPlan) -> Result<Option<Document>> {
        let mut filter = doc! { "_id": id.clone() };
        filter.extend(plan.filter);
        match &self.place {
            Place::Scoped(writer) => writer.update_returning_after(filter, plan.update).await,
            Place::Open(coll, comment) => coll
                .find_one_and_update(filter, plan.update)
                .collation(simple_collation())
                .return_document(ReturnDocument::After)
                .max_time(READ_TIME_LIMIT)
                .comment(tag(comment, "update"))
                .await
                .classified_write(self.timeout),
        }
    }

    /// Deletes the document if it is still as `seen`; whether it was.
    pub async fn delete(&self, id: &Bson, seen: &Document) -> Result<bool> {
        let mut filter = doc! { "_id": id.clone() };
        filter.extend(unchanged_since_seen(seen));
        let deleted = match &self.place {
            Place::Scoped(writer) => {
                // The scope puts the owner into the filter itself.
                filter.remove("user_id");
                writer.delete_as_seen(filter).await?
            }
            Place::Open(coll, comment) => {
                coll.delete_one(filter)
                    .collation(simple_collation())
                    .comment(tag(comment, "delete"))
                    .await
                    .classified_write(self.timeout)?
                    .deleted_count
            }
        };
        Ok(deleted == 1)
    }

    pub async fn insert(&self, document: Document) -> Result<Bson> {
        match &self.place {
            Place::Scoped(writer) => writer.insert_owned(document).await,
            Place::Open(coll, comment) => coll
                .insert_one(document)
                .comment(tag(comment, "insert"))
                .await
                .classified_write(self.timeout)
                .map(|r| r.inserted_id),
        }
    }
}
