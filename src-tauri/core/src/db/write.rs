//! The one way to write: a [`WriteContext`] is the connection, the proof
//! that it was writable, and the audit trail, together. Making one records
//! the intent before anything is written, and every write method in `db`
//! takes one, so a write that is not audited, or is attempted on a read-only
//! connection, cannot be expressed.

use mongodb::options::Collation;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::{Error, Result};

pub struct WriteContext<'a> {
    conn: &'a Connection,
    audit: &'a AuditLog,
}

impl<'a> WriteContext<'a> {
    /// Refused on a read-only connection; otherwise `intent` is in the audit
    /// trail before this returns.
    pub async fn begin(
        conn: &'a Connection,
        audit: &'a AuditLog,
        intent: Change,
    ) -> Result<WriteContext<'a>> {
        if conn.is_read_only() {
            return Err(Error::ReadOnly);
        }
        audit.record(conn, "intent", intent).await?;
        Ok(WriteContext { conn, audit })
    }

    pub fn conn(&self) -> &'a Connection {
        self.conn
    }

    /// Records what the write did.
    pub async fn done(&self, outcome: Change) -> Result<()> {
        self.audit.record(self.conn, "done", outcome).await
    }

    /// Records what a write that has applied did. Failing to record it is
    /// not the write's failure: it comes back as a sentence beside the
    /// write's result, so an applied change is never reported as failed
    /// (and made again).
    pub async fn done_after_applied(&self, outcome: Change) -> Option<String> {
        let error = self.done(outcome).await.err()?;
        log::error!("audit of an applied change failed: {}", error.code());
        Some(format!(
            "The change was made, but its audit entry could not be written: {error}"
        ))
    }
}

/// The binary comparison of strings, whatever the collection's default
/// collation: a compare-and-set write ("if still as seen") must not call a
/// string changed only in case or accents unchanged.
pub fn simple_collation() -> Collation {
    Collation::builder().locale("simple").build()
}
