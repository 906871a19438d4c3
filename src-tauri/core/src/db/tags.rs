//! The comments the app puts on its commands, so the command check (and a
//! server's profiler) can tell scoped reads and writes, deliberate
//! cross-user reads and demo-data writes apart; and the pipeline stages and
//! metadata commands that check treats specially.

/// Every command the scoped layer sends.
pub const SCOPED_COMMENT: &str = "mozaiks-admin/scoped/";
/// The admin API's deliberate reads across users.
pub const CROSS_USER_COMMENT: &str = "mozaiks-admin/cross-user/";
/// The collection browser's one-document writes to MozaiksCore's
/// collections that hold no per-user documents.
pub const DOCUMENT_COMMENT: &str = "mozaiks-admin/document/";
/// Writes to MozaiksAI or MozaiksDB, which a profile may allow: the
/// per-user rule is MozaiksCore's, and their collection names
/// (`chat_sessions`) may look like a plugin's.
pub const OTHER_DATABASE_COMMENT: &str = "mozaiks-admin/other-database/";
/// Demo-data writes (they insert for many users at once).
pub const SEED_COMMENT: &str = "mozaiks-admin/seed";

/// Stages that read other collections or write: a scoped pipeline may not
/// leave its user's documents, nor write anywhere.
pub const FORBIDDEN_STAGES: [&str; 6] = [
    "$lookup",
    "$unionWith",
    "$graphLookup",
    "$out",
    "$merge",
    "$facet",
];

/// Commands on a per-user collection that select no documents.
pub const METADATA_COMMANDS: [&str; 7] = [
    "listIndexes",
    "createIndexes",
    "dropIndexes",
    // Changes an index where it stands (TTL, hidden, unique): no documents.
    "collMod",
    "collStats",
    "getMore",
    "killCursors",
];

pub fn tag(prefix: &str, op: &str) -> mongodb::bson::Bson {
    mongodb::bson::Bson::String(format!("{prefix}{op}"))
}
