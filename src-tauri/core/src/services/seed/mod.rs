//! Demo data: the orchestration (who may seed what, the audit, progress,
//! the seed guide's indexes from `schema`); `generator` makes the documents.
//! Seeding replaces whole collections, so it is refused on production
//! profiles, and on a database that holds any documents unless its name is
//! typed back; the intent is audited before the first drop.

mod generator;

use std::time::Instant;

use chrono::{DateTime, Duration as Days, Utc};
use mongodb::bson::Document;
use mongodb::options::IndexOptions;
use mongodb::IndexModel;
use serde::Serialize;
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::demo_data::DemoDataWriter;
use crate::db::write::WriteContext;
use crate::profiles::profile::Environment;
use crate::schema::{Applies, RequiredIndex, REQUIRED_INDEXES};
use crate::{Error, Result};
use generator::Generator;

pub const MAX_USERS: u32 = 1_000_000;
const BATCH: usize = 2_000;

/// The flawed plugin collection: no `user_id` index, some documents without
/// `user_id`, some with unknown or ObjectId-typed ones. Index health and
/// findings views exist to catch exactly this.
pub const FLAWED_COLLECTION: &str = "crm_contacts";
pub const PLUGIN_COLLECTIONS: [&str; 3] = ["task_manager_tasks", "notes_notes", FLAWED_COLLECTION];
pub const SEEDED_COLLECTIONS: [&str; 6] = [
    "users",
    "settings",
    "notifications",
    "task_manager_tasks",
    "notes_notes",
    FLAWED_COLLECTION,
];
/// Broken documents planted in the flawed collection, of each sort.
pub const FLAWED_WITHOUT_USER_ID: u32 = 3;
pub const FLAWED_ORPHANS: u32 = 3;
pub const FLAWED_OBJECT_ID_USER_IDS: u32 = 2;

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub users: u32,
    pub seed: u64,
    /// What "now" is for the data: notifications fall in the 30 days before it.
    pub anchor: DateTime<Utc>,
}

impl SeedOptions {
    /// Today at midnight UTC: two runs on the same day write the same data.
    pub fn today(users: u32) -> Self {
        let now = Utc::now();
        SeedOptions {
            users,
            seed: 42,
            anchor: now - Days::seconds(i64::from(now.timestamp() as i32 % 86_400)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SeedProgress {
    pub collection: String,
    pub written: u32,
    pub expected: u32,
}

#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct SeedReport {
    pub collections: Vec<SeededCollection>,
    pub elapsed_ms: u32,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct SeededCollection {
    pub name: String,
    pub documents: u32,
}

/// Whether the database already holds users (from metadata, no scan).
pub async fn has_users(conn: &Connection) -> Result<bool> {
    let reads = CrossUserReads::new(conn);
    let counts = reads.estimated_counts(&["users".to_string()]).await;
    Ok(counts.into_iter().next().expect("one count")? > 0)
}

/// Drops the seeded collections, writes fresh data and creates the seed
/// guide's indexes. `confirm_database` must be the database's name when
/// any of its collections holds documents.
pub async fn seed(
    conn: &Connection,
    audit: &AuditLog,
    options: &SeedOptions,
    confirm_database: Option<&str>,
    mut progress: impl FnMut(SeedProgress),
) -> Result<SeedReport> {
    if options.users == 0 || options.users > MAX_USERS {
        return Err(Error::invalid("users", format!("must be 1 to {MAX_USERS}")));
    }
    if conn.is_read_only() {
        return Err(Error::ReadOnly);
    }
    if conn.profile().environment == Environment::Production {
        return Err(Error::Refused {
            reason: "Demo data replaces whole collections; it is never written through a \
                     production profile."
                .into(),
        });
    }
    let database = conn.profile().database_name().to_string();
    let reads = CrossUserReads::new(conn);
    let existing: Vec<String> = reads
        .collections()
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let counts = reads.estimated_counts(&existing).await;
    let held: u64 = counts.iter().map(|c| c.as_ref().map_or(1, |n| *n)).sum();
    if held > 0 && confirm_database != Some(database.as_str()) {
        return Err(Error::ConfirmationRequired { expected: database });
    }
    let before: Vec<(String, u64)> = existing
        .iter()
        .cloned()
        .zip(counts.into_iter().map(|c| c.unwrap_or(0)))
        .filter(|(n, _)| SEEDED_COLLECTIONS.contains(&n.as_str()))
        .collect();
    let intent = Change::new("*", "", "seed_demo_data").values(
        serde_json::to_value(&before)?,
        serde_json::json!({ "users": options.users }),
    );
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let writer = DemoDataWriter::new(&ctx);
    let started = Instant::now();
    // Drop only what exists: some servers answer a missing one without an error code.
    for name in SEEDED_COLLECTIONS
        .iter()
        .filter(|n| existing.iter().any(|e| e == *n))
    {
        writer.drop(name).await?;
    }
    let gen = Generator::new(options);
    let mut report = SeedReport::default();
    for name in SEEDED_COLLECTIONS {
        let written = write_collection(&writer, name, &gen, &mut progress).await?;
        report.collections.push(SeededCollection {
            name: name.into(),
            documents: written,
        });
    }
    for (collection, model) in required_indexes() {
        writer.create_index(collection, model).await?;
    }
    report.elapsed_ms = started.elapsed().as_millis().min(u32::MAX.into()) as u32;
    ctx.done(Change::new("*", "", "seed_demo_data").values(
        serde_json::to_value(&before)?,
        serde_json::to_value(&report.collections)?,
    ))
    .await?;
    Ok(report)
}

async fn write_collection(
    writer: &DemoDataWriter<'_>,
    name: &str,
    gen: &Generator,
    progress: &mut impl FnMut(SeedProgress),
) -> Result<u32> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut written = 0u32;
    let expected = gen.users;
    for user in 0..gen.users {
        gen.documents_for(name, user, &mut batch);
        if batch.len() >= BATCH {
            written += writer.insert(name, &mut batch).await?;
            progress(SeedProgress {
                collection: name.into(),
                written: user + 1,
                expected,
            });
        }
    }
    if name == FLAWED_COLLECTION {
        gen.broken_documents(&mut batch);
    }
    written += writer.insert(name, &mut batch).await?;
    progress(SeedProgress {
        collection: name.into(),
        written: expected,
        expected,
    });
    Ok(written)
}

/// Fields the seeded plugin collections' documents carry, for the schema's
/// per-field index rules.
fn seeded_fields(collection: &str) -> &'static [&'static str] {
    match collection {
        "task_manager_tasks" => &["user_id", "status", "due_date"],
        _ => &["user_id"],
    }
}

/// The schema's required indexes for the seeded collections, named the way
/// MongoDB names them. The flawed collection deliberately lacks its
/// `user_id` index (and gets an `email` one instead).
pub fn required_indexes() -> Vec<(&'static str, IndexModel)> {
    let mut out = Vec::new();
    for collection in SEEDED_COLLECTIONS
        .iter()
        .filter(|c| **c != FLAWED_COLLECTION)
    {
        let fields = seeded_fields(collection);
        for rule in REQUIRED_INDEXES
            .iter()
            .filter(|r| r.applies_to(collection, |f| fields.contains(&f)))
        {
            out.push((*collection, model(rule)));
        }
    }
    let email = RequiredIndex {
        applies: Applies::Collection(FLAWED_COLLECTION),
        keys: &[("email", 1)],
        unique: false,
        expire_after_seconds: None,
    };
    out.push((FLAWED_COLLECTION, model(&email)));
    out
}

fn model(rule: &RequiredIndex) -> IndexModel {
    let keys: Document = rule
        .keys
        .iter()
        .map(|(k, d)| (k.to_string(), mongodb::bson::Bson::Int32(*d)))
        .collect();
    let mut options = IndexOptions::builder().build();
    if rule.unique {
        options.unique = Some(true);
    }
    options.expire_after = rule
        .expire_after_seconds
        .map(|s| std::time::Duration::from_secs(s.into()));
    IndexModel::builder().keys(keys).options(options).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_creates_the_schemas_indexes_but_the_flawed_ones() {
        let names: Vec<String> = required_indexes()
            .iter()
            .map(|(c, m)| format!("{c}:{}", m.keys))
            .collect();
        assert_eq!(names.len(), 12, "{names:?}");
        assert!(names
            .iter()
            .any(|n| n.starts_with("task_manager_tasks") && n.contains("due_date")));
        assert!(!names
            .iter()
            .any(|n| n.starts_with("notes_notes") && n.contains("status")));
        assert!(!names
            .iter()
            .any(|n| n.starts_with("crm_contacts") && n.contains("user_id")));
    }
}
