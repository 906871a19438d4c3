//! Creating, changing and dropping indexes: the index-health fix. Only a
//! write context makes a writer, so every change is refused on a read-only
//! connection and audited; `_id_` can never be dropped.

use mongodb::bson::{doc, Bson, Document};

use crate::db::classify::Classified;
use crate::db::write::WriteContext;
use crate::{Error, Result};

/// What to build: keys in order, and the options the platform wants.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexSpec {
    pub name: String,
    pub keys: Vec<(String, i32)>,
    pub unique: bool,
    pub expire_after_seconds: Option<u32>,
}

impl IndexSpec {
    /// MongoDB's own default name: `user_id_1_created_at_-1`.
    pub fn default_name(keys: &[(String, i32)]) -> String {
        keys.iter()
            .map(|(k, d)| format!("{k}_{d}"))
            .collect::<Vec<_>>()
            .join("_")
    }

    /// The index as `createIndexes` takes it.
    pub fn document(&self) -> Document {
        let key: Document = self
            .keys
            .iter()
            .map(|(k, d)| (k.clone(), Bson::Int32(*d)))
            .collect();
        let mut d = doc! { "key": key, "name": &self.name };
        if self.unique {
            d.insert("unique", true);
        }
        if let Some(seconds) = self.expire_after_seconds {
            d.insert("expireAfterSeconds", i64::from(seconds));
        }
        d
    }
}

/// `createIndexes` of one index. `commit_quorum` (`"majority"`) is sent
/// only where the server takes it (a replica set of 4.4 or later; a
/// standalone server refuses it): with it the build commits once a majority
/// of the voting members have built it, so one member down cannot hold it
/// back forever (the default, `votingMembers`, waits for all of them).
pub fn create_indexes_command(
    collection: &str,
    index: Document,
    commit_quorum: Option<&str>,
) -> Document {
    let mut command = doc! { "createIndexes": collection, "indexes": [index] };
    if let Some(quorum) = commit_quorum {
        command.insert("commitQuorum", quorum);
    }
    command
}

/// `collMod` of one index, changed where it stands: `index` names it and
/// carries the options to change (`expireAfterSeconds`, `hidden`,
/// `prepareUnique`, `unique`).
pub fn coll_mod_command(collection: &str, index: Document) -> Document {
    doc! { "collMod": collection, "index": index }
}

pub const ID_INDEX: &str = "_id_";

pub struct IndexWriter<'w> {
    ctx: &'w WriteContext<'w>,
    commit_quorum: Option<&'static str>,
}

impl<'w> IndexWriter<'w> {
    /// A writer whose builds send `commit_quorum` (see
    /// [`create_indexes_command`]).
    pub fn new(ctx: &'w WriteContext<'w>, commit_quorum: Option<&'static str>) -> Self {
        IndexWriter { ctx, commit_quorum }
    }

    async fn run(&self, command: Document) -> Result<()> {
        self.ctx
            .conn()
            .database()
            .run_command(command)
            .await
            .classified_write(self.ctx.conn().timeout_ms())
            .map(drop)
    }

    /// Builds the index; the server refuses a unique one over duplicates.
    pub async fn create(&self, collection: &str, spec: &IndexSpec) -> Result<()> {
        self.create_from_spec(collection, &spec.document()).await
    }

    /// Builds an index from its whole `listIndexes` description: the way
    /// to put back exactly what was dropped, whatever its options.
    pub async fn create_from_spec(&self, collection: &str, spec: &Document) -> Result<()> {
        self.run(create_indexes_command(
            collection,
            spec.clone(),
            self.commit_quorum,
        ))
        .await
    }

    /// Changes an index where it stands (`collMod`); `index` names it.
    pub async fn coll_mod(&self, collection: &str, index: Document) -> Result<()> {
        self.run(coll_mod_command(collection, index)).await
    }

    pub async fn drop(&self, collection: &str, name: &str) -> Result<()> {
        if name == ID_INDEX {
            return Err(Error::Refused {
                reason: "The _id_ index can never be dropped: every collection needs it.".into(),
            });
        }
        self.run(doc! { "dropIndexes": collection, "index": name })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_mongodb() {
        let keys = vec![("user_id".to_string(), 1), ("created_at".to_string(), -1)];
        assert_eq!(IndexSpec::default_name(&keys), "user_id_1_created_at_-1");
    }

    /// The commands as MongoDB documents them.
    #[test]
    fn commands_are_the_documented_shapes() {
        let ttl = IndexSpec {
            name: "created_at_1".into(),
            keys: vec![("created_at".into(), 1)],
            unique: false,
            expire_after_seconds: Some(2_592_000),
        };
        assert_eq!(
            create_indexes_command("notifications", ttl.document(), None),
            doc! {
                "createIndexes": "notifications",
                "indexes": [{ "key": { "created_at": 1 }, "name": "created_at_1", "expireAfterSeconds": 2_592_000_i64 }]
            }
        );
        let unique = IndexSpec {
            name: "email_1".into(),
            keys: vec![("email".into(), 1)],
            unique: true,
            expire_after_seconds: None,
        };
        assert_eq!(
            create_indexes_command("users", unique.document(), Some("majority")),
            doc! {
                "createIndexes": "users",
                "indexes": [{ "key": { "email": 1 }, "name": "email_1", "unique": true }],
                "commitQuorum": "majority"
            }
        );
        assert_eq!(
            coll_mod_command(
                "notifications",
                doc! { "name": "created_at_1", "expireAfterSeconds": 2_592_000_i64 }
            ),
            doc! {
                "collMod": "notifications",
                "index": { "name": "created_at_1", "expireAfterSeconds": 2_592_000_i64 }
            }
        );
    }
}
