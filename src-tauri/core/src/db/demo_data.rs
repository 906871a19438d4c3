//! Demo-data writes: dropping and refilling whole collections for many users
//! at once, which the scoped layer rightly cannot do. Only a write context
//! makes a writer, and every command is tagged as the seed's.

use mongodb::bson::{doc, Bson, Document};
use mongodb::IndexModel;

use crate::db::classify::Classified;
use crate::db::tags::SEED_COMMENT;
use crate::db::write::WriteContext;
use crate::Result;

pub struct DemoDataWriter<'w> {
    ctx: &'w WriteContext<'w>,
}

impl<'w> DemoDataWriter<'w> {
    pub fn new(ctx: &'w WriteContext<'w>) -> Self {
        DemoDataWriter { ctx }
    }

    fn coll(&self, name: &str) -> mongodb::Collection<Document> {
        self.ctx.conn().database().collection(name)
    }

    fn timeout(&self) -> u32 {
        self.ctx.conn().timeout_ms()
    }

    /// Drops a collection that exists (some servers answer a missing one
    /// without an error code, so the caller lists them first).
    pub async fn drop(&self, name: &str) -> Result<()> {
        let drop = doc! { "drop": name, "comment": SEED_COMMENT };
        self.ctx
            .conn()
            .database()
            .run_command(drop)
            .await
            .classified_write(self.timeout())
            .map(|_| ())
    }

    pub async fn insert(&self, name: &str, batch: &mut Vec<Document>) -> Result<u32> {
        if batch.is_empty() {
            return Ok(0);
        }
        let n = batch.len() as u32;
        self.coll(name)
            .insert_many(batch.drain(..))
            .ordered(false)
            .comment(Bson::from(SEED_COMMENT))
            .await
            .classified_write(self.timeout())?;
        Ok(n)
    }

    pub async fn create_index(&self, name: &str, model: IndexModel) -> Result<()> {
        self.coll(name)
            .create_index(model)
            .await
            .classified_write(self.timeout())
            .map(drop)
    }
}
