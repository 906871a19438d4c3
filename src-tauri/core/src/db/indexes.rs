//! Creating and dropping indexes: the index-health fix. Only a write
//! context makes a writer, so every change is refused on a read-only
//! connection and audited; `_id_` can never be dropped.

use std::time::Duration;

use mongodb::bson::{Bson, Document};
use mongodb::options::IndexOptions;
use mongodb::IndexModel;

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

    fn model(&self) -> IndexModel {
        let keys: Document = self
            .keys
            .iter()
            .map(|(k, d)| (k.clone(), Bson::Int32(*d)))
            .collect();
        let options = IndexOptions::builder()
            .name(self.name.clone())
            .unique(self.unique.then_some(true))
            .expire_after(
                self.expire_after_seconds
                    .map(|s| Duration::from_secs(s.into())),
            )
            .build();
        IndexModel::builder().keys(keys).options(options).build()
    }
}

pub const ID_INDEX: &str = "_id_";

pub struct IndexWriter<'w> {
    ctx: &'w WriteContext<'w>,
}

impl<'w> IndexWriter<'w> {
    pub fn new(ctx: &'w WriteContext<'w>) -> Self {
        IndexWriter { ctx }
    }

    fn coll(&self, name: &str) -> mongodb::Collection<Document> {
        self.ctx.conn().database().collection(name)
    }

    /// Builds the index; the server refuses a unique one over duplicates.
    pub async fn create(&self, collection: &str, spec: &IndexSpec) -> Result<()> {
        self.coll(collection)
            .create_index(spec.model())
            .await
            .classified_write(self.ctx.conn().timeout_ms())
            .map(drop)
    }

    /// Builds an index from its whole `listIndexes` description: the way
    /// to put back exactly what was dropped, whatever its options.
    pub async fn create_from_spec(&self, collection: &str, spec: &Document) -> Result<()> {
        let command =
            mongodb::bson::doc! { "createIndexes": collection, "indexes": [spec.clone()] };
        self.ctx
            .conn()
            .database()
            .run_command(command)
            .await
            .classified_write(self.ctx.conn().timeout_ms())
            .map(drop)
    }

    pub async fn drop(&self, collection: &str, name: &str) -> Result<()> {
        if name == ID_INDEX {
            return Err(Error::Refused {
                reason: "The _id_ index can never be dropped: every collection needs it.".into(),
            });
        }
        self.coll(collection)
            .drop_index(name)
            .await
            .classified_write(self.ctx.conn().timeout_ms())
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
}
