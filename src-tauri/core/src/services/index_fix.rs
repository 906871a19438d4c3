//! The index-health fix: build what the report says is missing (one index,
//! a collection's, or all), after a confirmation that lists exactly what
//! will be done; drop an index only once its name is typed back. A unique
//! index is never attempted over duplicate values: they are found first and
//! shown, and nothing is built. An index with the right keys but the wrong
//! options is changed where it stands when the server can (`collMod`), else
//! its replacement is built before it is dropped, and only where the server
//! cannot hold both is it dropped first (and put back if the build fails).
//! Every change goes through a write context.

use futures_util::stream::{self, StreamExt, TryStreamExt};
use mongodb::bson::{doc, Bson, Document};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::{Connection, ServerInfo, Topology};
use crate::db::cross_user::{CrossUserReads, IndexInfo};
use crate::db::indexes::{IndexSpec, IndexWriter, ID_INDEX};
use crate::db::write::WriteContext;
use crate::redact::document_to_json;
use crate::schema::RequiredIndex;
use crate::services::index_health::{
    compare, covered_collections, inspect, keys_text, owned, stops_the_report, FixKind, Inspection,
    CONCURRENCY,
};
use crate::{Error, Result};

/// Duplicate values shown per unique index: enough to act on.
const DUPLICATES_SHOWN: i64 = 10;

/// What to fix.
#[derive(Debug, Clone, Deserialize, Type)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum FixScope {
    All,
    Collection {
        collection: String,
    },
    /// One index, by its keys as the report writes them.
    One {
        collection: String,
        keys: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct DuplicateValue {
    /// The key fields' values as JSON: `{"email":"a@example.com"}`.
    pub value: String,
    pub count: f64,
}

/// How the fix brings one index to what the platform requires.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum FixMethod {
    /// A new index is built; nothing is dropped.
    #[default]
    Build,
    /// The index is changed where it stands (`collMod`): it keeps serving,
    /// nothing is dropped or built.
    InPlace,
    /// The new index is built first (under another name when its own is
    /// taken), and the old one is dropped only once it is built.
    BuildThenDrop,
    /// The server cannot hold both (same keys, options it does not tell
    /// apart): the old index is dropped first, and put back from its full
    /// description if the build fails.
    DropThenBuild,
}

/// One index the fix would build or change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PlannedIndex {
    pub collection: String,
    /// The name it will have (for [`FixMethod::InPlace`], the name it has).
    pub name: String,
    pub keys: String,
    pub unique: bool,
    pub expire_after_seconds: Option<f64>,
    /// The index with these keys and other options that this one replaces
    /// (or, in place, changes).
    pub replaces: Option<String>,
    /// Required by the platform; `false` for a suggestion.
    pub required: bool,
    /// Values more than one document holds: a unique index cannot be built
    /// until they are resolved.
    pub duplicates: Vec<DuplicateValue>,
    /// How: built, changed in place, built before the old one is dropped,
    /// or dropped first.
    #[serde(default)]
    pub method: FixMethod,
}

impl PlannedIndex {
    /// What the confirmation showed, without the duplicates found then.
    fn same_work(&self, other: &PlannedIndex) -> bool {
        (
            &self.collection,
            &self.name,
            &self.keys,
            self.unique,
            self.expire_after_seconds,
            &self.replaces,
            self.required,
            self.method,
        ) == (
            &other.collection,
            &other.name,
            &other.keys,
            other.unique,
            other.expire_after_seconds,
            &other.replaces,
            other.required,
            other.method,
        )
    }

    fn label(&self) -> String {
        format!("{} {}", self.collection, self.keys)
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FixProgress {
    pub done: u32,
    pub total: u32,
    pub index: String,
}

/// What a fix did: the indexes built or changed, in order, and where it
/// stopped.
#[derive(Debug, Clone, Serialize, Type)]
pub struct FixOutcome {
    pub created: Vec<String>,
    pub failed: Option<FixFailure>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FixFailure {
    pub index: String,
    pub error: Error,
    /// Whether the index it replaces was put back (or a half-done change
    /// undone); `None` when nothing was taken away.
    pub restored: Option<bool>,
}

/// What the fix needs to know of the server it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerCaps {
    /// Major and minor version.
    pub version: (u32, u32),
    pub topology: Topology,
}

impl ServerCaps {
    pub fn of(server: &ServerInfo) -> ServerCaps {
        let mut parts = server
            .version
            .split(|c: char| !c.is_ascii_digit())
            .map(|p| p.parse::<u32>().unwrap_or(0));
        ServerCaps {
            version: (parts.next().unwrap_or(0), parts.next().unwrap_or(0)),
            topology: server.topology,
        }
    }

    fn at_least(&self, major: u32, minor: u32) -> bool {
        self.version >= (major, minor)
    }

    /// The `commitQuorum` of a build: `"majority"` on a replica set of 4.4
    /// or later (where commit quorums exist), so one voting member down
    /// cannot hold a build back without end (the server's default,
    /// `votingMembers`, waits for every one of them). Nothing elsewhere: a
    /// standalone server refuses the field, and through `mongos` each
    /// shard keeps its own default.
    pub fn commit_quorum(&self) -> Option<&'static str> {
        (self.topology == Topology::ReplicaSet && self.at_least(4, 4)).then_some("majority")
    }
}

/// How to bring `old` (the rule's keys, other options) to `rule`, and the
/// `collMod` index changes when it is done in place.
///
/// In place where `collMod` can do all of it: unhide (4.4+), change a TTL
/// (any version) or add one (5.1+), make it unique (`prepareUnique`, then
/// `unique`: 6.0+). Otherwise the new index is built beside the old one
/// when the server tells the two apart (by collation always; by partial
/// filter, `sparse` and `unique` from 5.0), and the old one dropped after.
/// Only where it cannot is the old one dropped first.
pub fn method_for(
    rule: &RequiredIndex,
    old: &IndexInfo,
    caps: &ServerCaps,
) -> (FixMethod, Vec<Document>) {
    let want_ttl = rule.expire_after_seconds.map(i64::from);
    let ttl_ok = want_ttl == old.expire_after_seconds;
    let unique_ok = !rule.unique || old.unique;
    let hidden_only = old.restrictions.iter().all(|r| r == "hidden");
    let ttl_in_place = ttl_ok
        || (want_ttl.is_some() && (old.expire_after_seconds.is_some() || caps.at_least(5, 1)));
    let unique_in_place = unique_ok || caps.at_least(6, 0);
    if hidden_only && ttl_in_place && unique_in_place {
        let mut changes = Vec::new();
        if old.has("hidden") {
            changes.push(doc! { "hidden": false });
        }
        if let (false, Some(seconds)) = (ttl_ok, want_ttl) {
            changes.push(doc! { "expireAfterSeconds": seconds });
        }
        if !unique_ok {
            // Two commands: the server takes `prepareUnique` on its own.
            changes.push(doc! { "prepareUnique": true });
            changes.push(doc! { "unique": true });
        }
        return (FixMethod::InPlace, changes);
    }
    let told_apart = old.collation().is_some()
        || (caps.at_least(5, 0) && (old.has("partial") || old.has("sparse") || !unique_ok));
    match told_apart {
        true => (FixMethod::BuildThenDrop, Vec::new()),
        false => (FixMethod::DropThenBuild, Vec::new()),
    }
}

/// `name`, or the first of `name_v2`, `name_v3`, … that no index has.
fn free_name(name: &str, actual: &[IndexInfo]) -> String {
    let taken = |n: &str| actual.iter().any(|i| i.name == n);
    if !taken(name) {
        return name.to_string();
    }
    (2..)
        .map(|n| format!("{name}_v{n}"))
        .find(|n| !taken(n))
        .expect("some name is free")
}

/// One planned index and what doing it takes.
#[derive(Debug, Clone)]
struct Work {
    plan: PlannedIndex,
    spec: IndexSpec,
    /// For [`FixMethod::InPlace`]: each `collMod` index change, in order.
    changes: Vec<Document>,
}

async fn inspections(conn: &Connection, scope: &FixScope) -> Result<Vec<Inspection>> {
    let covered = covered_collections(conn).await?;
    let names: Vec<String> = match scope {
        FixScope::All => covered,
        FixScope::Collection { collection } | FixScope::One { collection, .. } => {
            if !covered.contains(collection) {
                return Err(Error::NotFound {
                    what: format!("core or plugin collection {collection:?}"),
                });
            }
            vec![collection.clone()]
        }
    };
    let every = matches!(scope, FixScope::All);
    let results: Vec<Result<Inspection>> =
        stream::iter(names.into_iter().map(|n| inspect(conn, n)))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    let mut all = Vec::new();
    for result in results {
        match result {
            Ok(i) => all.push(i),
            // A collection that cannot be read now is left out of a fix of
            // every collection (the report shows it as not checked); a fix
            // of that very collection says why it cannot be planned.
            Err(e) if every && !stops_the_report(&e) => {}
            Err(e) => return Err(e),
        }
    }
    all.sort_by(|a, b| a.collection.cmp(&b.collection));
    Ok(all)
}

fn planned(inspection: &Inspection, caps: &ServerCaps) -> Vec<Work> {
    let checks = compare(
        &inspection.rules,
        &inspection.actual,
        None,
        &Default::default(),
        chrono::Utc::now(),
    );
    inspection
        .rules
        .iter()
        .zip(&checks)
        .filter_map(|(rule, check)| {
            let fix = check.fix?;
            let keys = owned(rule.index.keys);
            let mut spec = IndexSpec {
                name: IndexSpec::default_name(&keys),
                keys,
                unique: rule.index.unique,
                expire_after_seconds: rule.index.expire_after_seconds,
            };
            let old = match fix {
                FixKind::Replace => check
                    .name
                    .as_ref()
                    .and_then(|n| inspection.actual.iter().find(|i| &i.name == n)),
                FixKind::Create => None,
            };
            let (method, changes) = match old {
                Some(old) => method_for(&rule.index, old, caps),
                None => (FixMethod::Build, Vec::new()),
            };
            match (method, old) {
                (FixMethod::InPlace, Some(old)) => spec.name = old.name.clone(),
                (FixMethod::BuildThenDrop, _) => {
                    spec.name = free_name(&spec.name, &inspection.actual)
                }
                _ => {}
            }
            let plan = PlannedIndex {
                collection: inspection.collection.clone(),
                name: spec.name.clone(),
                keys: keys_text(&spec.keys),
                unique: spec.unique,
                expire_after_seconds: spec.expire_after_seconds.map(f64::from),
                replaces: old.map(|i| i.name.clone()),
                required: rule.required,
                duplicates: Vec::new(),
                method,
            };
            Some(Work {
                plan,
                spec,
                changes,
            })
        })
        .collect()
}

async fn with_duplicates(conn: &Connection, mut work: Work) -> Result<Work> {
    if work.spec.unique {
        let fields: Vec<String> = work.spec.keys.iter().map(|(k, _)| k.clone()).collect();
        work.plan.duplicates = CrossUserReads::new(conn)
            .duplicates(&work.plan.collection, &fields, DUPLICATES_SHOWN)
            .await?
            .into_iter()
            .map(|g| DuplicateValue {
                value: document_to_json(g.values).to_string(),
                count: g.count as f64,
            })
            .collect();
    }
    Ok(work)
}

async fn plans(conn: &Connection, scope: &FixScope) -> Result<Vec<Work>> {
    let caps = ServerCaps::of(conn.server());
    let mut plans: Vec<Work> = inspections(conn, scope)
        .await?
        .iter()
        .flat_map(|i| planned(i, &caps))
        .collect();
    if let FixScope::One { keys, .. } = scope {
        plans.retain(|w| &w.plan.keys == keys);
        if plans.is_empty() {
            return Err(Error::NotFound {
                what: format!("an index to build with keys {keys}"),
            });
        }
    }
    stream::iter(plans.into_iter().map(|w| with_duplicates(conn, w)))
        .buffered(CONCURRENCY)
        .try_collect()
        .await
}

/// What the fix would do for `scope`, with the duplicate values that would
/// stop each unique index. Reads only. A fix of every collection leaves out
/// those that cannot be read now.
pub async fn plan(conn: &Connection, scope: &FixScope) -> Result<Vec<PlannedIndex>> {
    Ok(plans(conn, scope)
        .await?
        .into_iter()
        .map(|w| w.plan)
        .collect())
}

/// Does exactly what the confirmation listed (`confirmed`, from [`plan`]):
/// if the plan has changed since, nothing is done; if any unique index
/// would meet duplicates, nothing is built and they are the error.
pub async fn apply(
    conn: &Connection,
    audit: &AuditLog,
    scope: &FixScope,
    confirmed: &[PlannedIndex],
    mut progress: impl FnMut(FixProgress),
) -> Result<FixOutcome> {
    if conn.is_read_only() {
        return Err(Error::ReadOnly);
    }
    let now = plans(conn, scope).await?;
    let unchanged =
        now.len() == confirmed.len() && now.iter().zip(confirmed).all(|(a, b)| a.plan.same_work(b));
    if !unchanged {
        return Err(Error::Conflict {
            current: Some(
                now.iter()
                    .map(|w| w.plan.label())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        });
    }
    if let Some(blocked) = now.iter().find(|w| !w.plan.duplicates.is_empty()) {
        let blocked = &blocked.plan;
        return Err(Error::DuplicateValues {
            collection: blocked.collection.clone(),
            keys: blocked.keys.clone(),
            values: blocked
                .duplicates
                .iter()
                .map(|d| format!("{} × {}", d.value, d.count))
                .collect(),
        });
    }
    if now.is_empty() {
        return Ok(FixOutcome {
            created: Vec::new(),
            failed: None,
        });
    }
    let described = json!(now.iter().map(|w| w.plan.label()).collect::<Vec<_>>());
    let intent =
        Change::new(scope_target(scope), "", "create_indexes").values(Value::Null, described);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let live = Live {
        conn,
        writer: IndexWriter::new(&ctx, ServerCaps::of(conn.server()).commit_quorum()),
    };
    let total = now.len() as u32;
    let mut outcome = FixOutcome {
        created: Vec::new(),
        failed: None,
    };
    for work in &now {
        if let Err(failure) = execute(&live, work).await {
            outcome.failed = Some(failure);
            break;
        }
        outcome.created.push(work.plan.label());
        progress(FixProgress {
            done: outcome.created.len() as u32,
            total,
            index: work.plan.label(),
        });
    }
    let done = Change::new(scope_target(scope), "", "create_indexes").values(
        Value::Null,
        json!({
            "created": outcome.created,
            "failed": outcome.failed.as_ref().map(|f| json!({ "index": f.index, "error": f.error.code() })),
        }),
    );
    ctx.done(done).await?;
    Ok(outcome)
}

/// The server operations a fix is made of (the live ones write through an
/// [`IndexWriter`]; the unit tests record them).
trait IndexOps {
    async fn indexes(&self, collection: &str) -> Result<Vec<IndexInfo>>;
    async fn create(&self, collection: &str, spec: &IndexSpec) -> Result<()>;
    async fn put_back(&self, collection: &str, spec: &Document) -> Result<()>;
    async fn coll_mod(&self, collection: &str, index: Document) -> Result<()>;
    async fn drop(&self, collection: &str, name: &str) -> Result<()>;
}

struct Live<'a> {
    conn: &'a Connection,
    writer: IndexWriter<'a>,
}

impl IndexOps for Live<'_> {
    async fn indexes(&self, collection: &str) -> Result<Vec<IndexInfo>> {
        CrossUserReads::new(self.conn).indexes(collection).await
    }
    async fn create(&self, collection: &str, spec: &IndexSpec) -> Result<()> {
        self.writer.create(collection, spec).await
    }
    async fn put_back(&self, collection: &str, spec: &Document) -> Result<()> {
        self.writer.create_from_spec(collection, spec).await
    }
    async fn coll_mod(&self, collection: &str, index: Document) -> Result<()> {
        self.writer.coll_mod(collection, index).await
    }
    async fn drop(&self, collection: &str, name: &str) -> Result<()> {
        self.writer.drop(collection, name).await
    }
}

/// One planned index, by its method. A build that replaces another never
/// leaves the collection without an index on those keys unless the server
/// allows no other way, and then the old one is put back if the build fails.
async fn execute(ops: &impl IndexOps, work: &Work) -> std::result::Result<(), FixFailure> {
    let (plan, spec) = (&work.plan, &work.spec);
    let collection = plan.collection.as_str();
    let failure = |error: Error, restored| FixFailure {
        index: plan.label(),
        error,
        restored,
    };
    let old = plan.replaces.as_deref();
    match (plan.method, old) {
        (FixMethod::InPlace, Some(name)) => {
            for (step, change) in work.changes.iter().enumerate() {
                let mut index = doc! { "name": name };
                index.extend(change.clone());
                if let Err(error) = ops.coll_mod(collection, index).await {
                    let error = match error {
                        Error::Unsupported { .. } => Error::Unsupported {
                            feature: "collMod".into(),
                            message: format!(
                                "This server cannot change an index where it stands (it has no \
                                 collMod), and dropping {name} to build it again would leave the \
                                 collection without it meanwhile: {}. Change it on the server \
                                 itself.",
                                match step {
                                    0 => "nothing was changed or dropped",
                                    _ => "the changes before this one stand, nothing was dropped",
                                }
                            ),
                        },
                        other => other,
                    };
                    // A unique conversion that stops after `prepareUnique`
                    // is undone, so the index is as it was.
                    let restored = match change.contains_key("unique") {
                        true => Some(
                            ops.coll_mod(collection, doc! { "name": name, "prepareUnique": false })
                                .await
                                .is_ok(),
                        ),
                        false => None,
                    };
                    return Err(failure(error, restored));
                }
            }
            Ok(())
        }
        (FixMethod::BuildThenDrop, Some(name)) => {
            // The old index serves until the new one is built.
            ops.create(collection, spec)
                .await
                .map_err(|e| failure(e, None))?;
            ops.drop(collection, name)
                .await
                .map_err(|e| failure(e, None))
        }
        (FixMethod::DropThenBuild, Some(name)) => {
            let old = ops
                .indexes(collection)
                .await
                .map_err(|e| failure(e, None))?
                .into_iter()
                .find(|i| i.name == name);
            if old.is_some() {
                ops.drop(collection, name)
                    .await
                    .map_err(|e| failure(e, None))?;
            }
            match ops.create(collection, spec).await {
                Ok(()) => Ok(()),
                Err(error) => {
                    let restored = match &old {
                        Some(old) => Some(ops.put_back(collection, &old.spec).await.is_ok()),
                        None => None,
                    };
                    Err(failure(error, restored))
                }
            }
        }
        _ => ops
            .create(collection, spec)
            .await
            .map_err(|e| failure(e, None)),
    }
}

fn scope_target(scope: &FixScope) -> &str {
    match scope {
        FixScope::All => "(all collections)",
        FixScope::Collection { collection } | FixScope::One { collection, .. } => collection,
    }
}

/// Drops `name` from `collection` once `confirmation` is its name typed
/// back; `_id_` never.
pub async fn drop_index(
    conn: &Connection,
    audit: &AuditLog,
    collection: &str,
    name: &str,
    confirmation: &str,
) -> Result<()> {
    if name == ID_INDEX {
        return Err(Error::Refused {
            reason: "The _id_ index can never be dropped: every collection needs it.".into(),
        });
    }
    if confirmation != name {
        return Err(Error::ConfirmationRequired {
            expected: name.to_string(),
        });
    }
    let existing = match covered_collections(conn)
        .await?
        .iter()
        .any(|c| c == collection)
    {
        true => CrossUserReads::new(conn)
            .indexes(collection)
            .await?
            .into_iter()
            .find(|i| i.name == name),
        false => None,
    };
    let Some(existing) = existing else {
        return Err(Error::NotFound {
            what: format!("index {name:?} on {collection:?}"),
        });
    };
    let before = Bson::Document(existing.spec).into_relaxed_extjson();
    let intent = Change::new(collection, name, "drop_index").values(before.clone(), Value::Null);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let dropped = IndexWriter::new(&ctx, None).drop(collection, name).await;
    let outcome = match &dropped {
        Ok(()) => json!({ "dropped": name }),
        Err(e) => json!({ "error": e.code() }),
    };
    ctx.done(Change::new(collection, name, "drop_index").values(before, outcome))
        .await?;
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{CollectionKind, REQUIRED_INDEXES};
    use crate::services::index_health::rules_for;
    use std::cell::RefCell;

    fn info(d: Document) -> IndexInfo {
        IndexInfo::from_document(&d)
    }

    fn caps(major: u32, minor: u32, topology: Topology) -> ServerCaps {
        ServerCaps {
            version: (major, minor),
            topology,
        }
    }

    fn users(actual: Vec<IndexInfo>) -> Inspection {
        Inspection {
            collection: "users".into(),
            kind: CollectionKind::Core,
            rules: rules_for("users", &[]),
            actual,
            usage: None,
            usage_note: None,
            sizes: Default::default(),
        }
    }

    /// A collated `{ email: 1 }` listed before the unique one must never be
    /// what a fix drops: the unique one already meets the requirement.
    #[test]
    fn a_collated_twin_listed_first_is_never_replaced() {
        let inspection = users(vec![
            info(doc! { "v": 2, "key": { "_id": 1 }, "name": "_id_" }),
            info(doc! {
                "v": 2, "key": { "email": 1 }, "name": "email_fr",
                "collation": { "locale": "fr", "strength": 2 }
            }),
            info(doc! { "v": 2, "key": { "email": 1 }, "name": "email_1", "unique": true }),
            info(doc! { "v": 2, "key": { "username": 1 }, "name": "username_1", "unique": true }),
            info(doc! { "v": 2, "key": { "roles": 1 }, "name": "roles_1" }),
        ]);
        let plans = planned(&inspection, &caps(7, 0, Topology::Standalone));
        assert!(
            plans.iter().all(|w| w.plan.replaces.is_none()),
            "{:?}",
            plans.iter().map(|w| w.plan.label()).collect::<Vec<_>>()
        );
    }

    fn rule(unique: bool, ttl: Option<u32>) -> RequiredIndex {
        *REQUIRED_INDEXES
            .iter()
            .find(|r| r.unique == unique && r.expire_after_seconds.is_some() == ttl.is_some())
            .unwrap()
    }

    /// Where MongoDB changes an index in place, and where the new one can
    /// be built beside the old.
    #[test]
    fn each_replacement_is_done_the_least_disruptive_way_the_server_allows() {
        let ttl_rule = rule(false, Some(1)); // notifications { created_at: 1 }, 30 days
        let unique_rule = rule(true, None); // users { email: 1 }
        let week = info(
            doc! { "v": 2, "key": { "created_at": 1 }, "name": "created_at_1", "expireAfterSeconds": 604_800 },
        );
        for version in [(4, 4), (5, 0), (7, 0)] {
            let c = caps(version.0, version.1, Topology::ReplicaSet);
            assert_eq!(
                method_for(&ttl_rule, &week, &c),
                (
                    FixMethod::InPlace,
                    vec![doc! { "expireAfterSeconds": 2_592_000_i64 }]
                ),
                "{version:?}"
            );
        }
        let no_ttl = info(doc! { "v": 2, "key": { "created_at": 1 }, "name": "created_at_1" });
        assert_eq!(
            method_for(&ttl_rule, &no_ttl, &caps(5, 1, Topology::Standalone)).0,
            FixMethod::InPlace,
            "5.1 adds a TTL in place"
        );
        assert_eq!(
            method_for(&ttl_rule, &no_ttl, &caps(5, 0, Topology::Standalone)).0,
            FixMethod::DropThenBuild,
            "a TTL is no part of what tells two indexes apart"
        );
        let plain = info(doc! { "v": 2, "key": { "email": 1 }, "name": "email_1" });
        assert_eq!(
            method_for(&unique_rule, &plain, &caps(6, 0, Topology::Standalone)),
            (
                FixMethod::InPlace,
                vec![doc! { "prepareUnique": true }, doc! { "unique": true }]
            )
        );
        assert_eq!(
            method_for(&unique_rule, &plain, &caps(5, 0, Topology::Standalone)).0,
            FixMethod::BuildThenDrop,
            "5.0 tells a unique index from a plain one"
        );
        assert_eq!(
            method_for(&unique_rule, &plain, &caps(4, 4, Topology::Standalone)).0,
            FixMethod::DropThenBuild
        );
        let hidden = info(
            doc! { "v": 2, "key": { "email": 1 }, "name": "email_1", "unique": true, "hidden": true },
        );
        assert_eq!(
            method_for(&unique_rule, &hidden, &caps(4, 4, Topology::Standalone)),
            (FixMethod::InPlace, vec![doc! { "hidden": false }])
        );
        let collated = info(doc! {
            "v": 2, "key": { "email": 1 }, "name": "email_1", "unique": true,
            "collation": { "locale": "fr" }
        });
        assert_eq!(
            method_for(&unique_rule, &collated, &caps(4, 4, Topology::Standalone)).0,
            FixMethod::BuildThenDrop
        );
        let partial = info(doc! {
            "v": 2, "key": { "email": 1 }, "name": "email_1", "unique": true,
            "partialFilterExpression": { "email": { "$exists": true } }
        });
        assert_eq!(
            method_for(&unique_rule, &partial, &caps(5, 0, Topology::Standalone)).0,
            FixMethod::BuildThenDrop
        );
        assert_eq!(
            method_for(&unique_rule, &partial, &caps(4, 4, Topology::Standalone)).0,
            FixMethod::DropThenBuild
        );
    }

    /// The replacement beside a same-named index gets a name of its own.
    #[test]
    fn a_replacement_built_first_takes_a_free_name() {
        let inspection = users(vec![
            info(doc! { "v": 2, "key": { "_id": 1 }, "name": "_id_" }),
            info(doc! {
                "v": 2, "key": { "email": 1 }, "name": "email_1", "unique": true,
                "collation": { "locale": "fr" }
            }),
            info(doc! { "v": 2, "key": { "x": 1 }, "name": "email_1_v2" }),
        ]);
        let plans = planned(&inspection, &caps(7, 0, Topology::Standalone));
        let email = plans
            .iter()
            .find(|w| w.plan.keys == "{ email: 1 }")
            .unwrap();
        assert_eq!(email.plan.method, FixMethod::BuildThenDrop);
        assert_eq!(email.plan.name, "email_1_v3");
        assert_eq!(email.spec.name, "email_1_v3");
        assert_eq!(email.plan.replaces.as_deref(), Some("email_1"));
    }

    #[test]
    fn a_commit_quorum_only_where_the_server_takes_one() {
        assert_eq!(
            caps(4, 4, Topology::ReplicaSet).commit_quorum(),
            Some("majority")
        );
        assert_eq!(
            caps(7, 0, Topology::ReplicaSet).commit_quorum(),
            Some("majority")
        );
        assert_eq!(caps(4, 2, Topology::ReplicaSet).commit_quorum(), None);
        assert_eq!(caps(5, 0, Topology::Standalone).commit_quorum(), None);
        assert_eq!(caps(7, 0, Topology::Sharded).commit_quorum(), None);
        let server = ServerInfo {
            version: "6.0.14-ent".into(),
            topology: Topology::ReplicaSet,
        };
        assert_eq!(ServerCaps::of(&server).version, (6, 0));
    }

    /// Records what a fix sends; fails where told to.
    #[derive(Default)]
    struct Recorded {
        sent: RefCell<Vec<String>>,
        existing: Vec<IndexInfo>,
        create_fails: bool,
        no_coll_mod: bool,
        /// `collMod { unique: true }` finds duplicates.
        not_unique: bool,
    }

    impl IndexOps for Recorded {
        async fn indexes(&self, _: &str) -> Result<Vec<IndexInfo>> {
            Ok(self.existing.clone())
        }
        async fn create(&self, _: &str, spec: &IndexSpec) -> Result<()> {
            self.sent
                .borrow_mut()
                .push(format!("createIndexes {}", spec.name));
            match self.create_fails {
                true => Err(Error::Database {
                    message: "index build failed".into(),
                    details: String::new(),
                }),
                false => Ok(()),
            }
        }
        async fn put_back(&self, _: &str, spec: &Document) -> Result<()> {
            self.sent.borrow_mut().push(format!(
                "createIndexes {} (put back)",
                spec.get_str("name").unwrap()
            ));
            Ok(())
        }
        async fn coll_mod(&self, _: &str, index: Document) -> Result<()> {
            self.sent.borrow_mut().push(format!("collMod {index}"));
            if self.no_coll_mod {
                return Err(Error::Unsupported {
                    feature: "CommandNotFound".into(),
                    message: "no such command: 'collMod'".into(),
                });
            }
            match self.not_unique && index.contains_key("unique") {
                true => Err(Error::Database {
                    message: "Cannot convert the index to unique".into(),
                    details: "CannotConvertIndexToUnique".into(),
                }),
                false => Ok(()),
            }
        }
        async fn drop(&self, _: &str, name: &str) -> Result<()> {
            self.sent.borrow_mut().push(format!("dropIndexes {name}"));
            Ok(())
        }
    }

    fn work(method: FixMethod, changes: Vec<Document>) -> Work {
        let spec = IndexSpec {
            name: "created_at_1".into(),
            keys: vec![("created_at".into(), 1)],
            unique: false,
            expire_after_seconds: Some(2_592_000),
        };
        Work {
            plan: PlannedIndex {
                collection: "notifications".into(),
                name: spec.name.clone(),
                keys: "{ created_at: 1 }".into(),
                unique: false,
                expire_after_seconds: Some(2_592_000.0),
                replaces: Some("created_at_1".into()),
                required: true,
                duplicates: Vec::new(),
                method,
            },
            spec,
            changes,
        }
    }

    fn run(ops: &Recorded, work: &Work) -> std::result::Result<(), FixFailure> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(execute(ops, work))
    }

    #[test]
    fn a_ttl_is_changed_in_place_and_nothing_is_dropped() {
        let ops = Recorded::default();
        let ttl = work(
            FixMethod::InPlace,
            vec![doc! { "expireAfterSeconds": 2_592_000_i64 }],
        );
        run(&ops, &ttl).unwrap();
        assert_eq!(
            *ops.sent.borrow(),
            vec![r#"collMod { "name": "created_at_1", "expireAfterSeconds": 2592000 }"#]
        );
        // A server without collMod: a clear refusal, and nothing else sent.
        let old = Recorded {
            no_coll_mod: true,
            ..Default::default()
        };
        let failure = run(&old, &ttl).unwrap_err();
        assert_eq!(failure.error.code(), "unsupported");
        let message = failure.error.to_string();
        assert!(
            message.contains("collMod") && message.contains("nothing was changed"),
            "{message}"
        );
        assert_eq!(failure.restored, None);
        assert_eq!(old.sent.borrow().len(), 1);
    }

    #[test]
    fn a_unique_conversion_that_fails_is_undone() {
        let unique = work(
            FixMethod::InPlace,
            vec![doc! { "prepareUnique": true }, doc! { "unique": true }],
        );
        let ops = Recorded::default();
        run(&ops, &unique).unwrap();
        assert_eq!(ops.sent.borrow().len(), 2);
        let duplicates = Recorded {
            not_unique: true,
            ..Default::default()
        };
        let failure = run(&duplicates, &unique).unwrap_err();
        assert_eq!(
            *duplicates.sent.borrow(),
            vec![
                r#"collMod { "name": "created_at_1", "prepareUnique": true }"#,
                r#"collMod { "name": "created_at_1", "unique": true }"#,
                r#"collMod { "name": "created_at_1", "prepareUnique": false }"#,
            ]
        );
        assert_eq!(failure.restored, Some(true));
        assert!(!duplicates
            .sent
            .borrow()
            .iter()
            .any(|c| c.starts_with("dropIndexes")));
    }

    #[test]
    fn a_replacement_is_built_before_the_old_one_is_dropped() {
        let ops = Recorded::default();
        let mut w = work(FixMethod::BuildThenDrop, Vec::new());
        w.spec.name = "created_at_1_v2".into();
        run(&ops, &w).unwrap();
        assert_eq!(
            *ops.sent.borrow(),
            vec!["createIndexes created_at_1_v2", "dropIndexes created_at_1"]
        );
        let failing = Recorded {
            create_fails: true,
            ..Default::default()
        };
        let failure = run(&failing, &w).unwrap_err();
        assert_eq!(
            *failing.sent.borrow(),
            vec!["createIndexes created_at_1_v2"],
            "the old one was never touched"
        );
        assert_eq!(failure.restored, None);
    }

    /// Where the server cannot hold both, the old index is dropped first and
    /// put back from its full description when the build fails.
    #[test]
    fn dropped_first_only_where_it_must_be_and_put_back_on_failure() {
        let old = info(doc! {
            "v": 2, "key": { "created_at": 1 }, "name": "created_at_1", "expireAfterSeconds": 604_800
        });
        let ops = Recorded {
            existing: vec![old],
            create_fails: true,
            ..Default::default()
        };
        let failure = run(&ops, &work(FixMethod::DropThenBuild, Vec::new())).unwrap_err();
        assert_eq!(
            *ops.sent.borrow(),
            vec![
                "dropIndexes created_at_1",
                "createIndexes created_at_1",
                "createIndexes created_at_1 (put back)"
            ]
        );
        assert_eq!(failure.restored, Some(true));
    }
}
