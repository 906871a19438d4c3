//! A cursor read to the end (or until told to stop), one document at a
//! time: how every export streams what it reads.

use futures_util::TryStreamExt;
use mongodb::bson::Document;
use mongodb::Cursor;

use crate::db::classify::Classified;
use crate::Result;

/// Hands each document to `each` as its batch arrives, until the cursor
/// ends or `each` says stop; how many were handed over.
pub(in crate::db) async fn hand_over(
    mut cursor: Cursor<Document>,
    timeout_ms: u32,
    mut each: impl FnMut(Document) -> Result<bool>,
) -> Result<u64> {
    let mut n = 0;
    while let Some(d) = cursor.try_next().await.classified(timeout_ms)? {
        n += 1;
        if !each(d)? {
            break;
        }
    }
    Ok(n)
}
