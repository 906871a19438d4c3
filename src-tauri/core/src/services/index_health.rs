//! Index health: the indexes the platform depends on (`schema.rs`, plus the
//! per-plugin rules for fields the collection uses) against what
//! `listIndexes` reports for every core and plugin collection. Each index is
//! ok, missing, missing its uniqueness, off on its TTL or other options,
//! being built, extra, redundant (a prefix of a plain index that serves the
//! same queries), unused (after at least a week of counting) or too early to
//! tell; usage comes from `$indexStats` where the server has it, sizes from
//! `collStats`. A collection that cannot be read is reported as not checked,
//! with its reason, and the rest of the report stands. The app's screen and
//! `doctor` (the platform's CI) read the same report.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use mongodb::bson::{doc, Bson, Document};
use serde::Serialize;
use specta::Type;

use crate::db::connection::{Connection, Topology};
use crate::db::cross_user::{CrossUserReads, IndexInfo};
use crate::db::scope::PerUserCollection;
use crate::schema::{
    Applies, CollectionKind, RequiredIndex, CORE_COLLECTIONS, REQUIRED_INDEXES, SUGGESTED_INDEXES,
};
use crate::{dates, Error, Result};

/// Collections checked at once: enough to hide round trips, few enough to
/// leave a production server alone.
pub const CONCURRENCY: usize = 8;

/// How long `$indexStats` must have been counting before a count of zero
/// says an index is unused: right after a restart every counter is zero.
pub const USAGE_JUDGED_AFTER_DAYS: i64 = 7;

/// The newest documents the per-field probe reads (see [`present_fields`]).
pub const FIELD_PROBE_DOCUMENTS: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum IndexState {
    Ok,
    Missing,
    /// Exists, but without `unique`: duplicates can be written.
    MissingUnique,
    /// The TTL is missing or differs from the platform's.
    TtlMismatch,
    /// Not one the platform requires.
    Extra,
    /// A prefix of a plain, visible index that serves every query it does.
    Redundant,
    /// Not required, and no operation used it in at least
    /// [`USAGE_JUDGED_AFTER_DAYS`] days of counting.
    Unused,
    /// Not required, and nothing used it yet, but the server has counted
    /// for less than [`USAGE_JUDGED_AFTER_DAYS`] days: no verdict.
    TooEarly,
    /// Still being built on the server: it serves queries once done.
    Building,
    /// Not required, but a sort the app offers would use it.
    Suggested,
    /// Has the keys, but partial, sparse, hidden or with a collation: it
    /// does not serve every query the platform sends.
    OptionsDiffer,
}

/// What the fix does about a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// Build the index.
    Create,
    /// Bring the index with these keys to the right options: changed where
    /// it stands when the server can, else built anew (see the fix's plan).
    Replace,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct IndexCheck {
    /// The index's name; `None` for one that is missing.
    pub name: Option<String>,
    /// As MongoDB writes them: `{ user_id: 1, created_at: -1 }`.
    pub keys: String,
    pub state: IndexState,
    pub required: bool,
    pub detail: String,
    /// Operations since the server started (`$indexStats`, summed over
    /// members); `None` when unknown.
    pub ops: Option<f64>,
    /// When the server began counting, for an index judged unused (no
    /// operations in at least [`USAGE_JUDGED_AFTER_DAYS`] days of counting).
    pub unused_since: Option<String>,
    pub size_bytes: Option<f64>,
    /// What the fix would do; `None` when there is nothing to fix.
    pub fix: Option<FixKind>,
    /// Nothing the platform needs: the screen offers to drop it.
    pub droppable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CollectionHealth {
    pub collection: String,
    pub kind: CollectionKind,
    /// Empty when the collection could not be checked.
    pub checks: Vec<IndexCheck>,
    /// 100 when every required index is as it should be; `None` when the
    /// collection could not be checked.
    pub score: Option<f64>,
    /// Why the collection could not be checked (a time limit, a refusal);
    /// `None` when it was.
    #[specta(optional)]
    pub unchecked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct HealthReport {
    pub collections: Vec<CollectionHealth>,
    /// The mean of the checked collections' scores; `None` when none could
    /// be checked.
    pub score: Option<f64>,
    /// Required indexes that are missing, lack `unique`, differ on TTL or
    /// other options, or are still being built.
    pub problems: f64,
    /// Said when `$indexStats` is not available here.
    pub usage_note: Option<String>,
    /// The members or shards whose `$indexStats` rows were merged.
    pub usage_members: Vec<String>,
    pub computed_at: String,
}

impl HealthReport {
    /// The collections that could not be checked.
    pub fn unchecked(&self) -> impl Iterator<Item = &CollectionHealth> {
        self.collections.iter().filter(|c| c.unchecked.is_some())
    }
}

/// Index usage as `$indexStats` reports it, merged over members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub ops: BTreeMap<String, f64>,
    /// The latest `accesses.since` per index: counting surely covers the
    /// time after it on every member that answered.
    pub since: BTreeMap<String, DateTime<Utc>>,
    pub members: BTreeSet<String>,
    /// Indexes a row marks `building: true`.
    pub building: BTreeSet<String>,
    /// Why a count of zero says nothing here (through `mongos`); `None`
    /// when it can be judged.
    pub unjudged: Option<String>,
}

/// One rule that applies to a collection, and whether it is required.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub index: RequiredIndex,
    pub required: bool,
}

/// What the server says about one collection, and what the platform wants of it.
#[derive(Debug, Clone)]
pub struct Inspection {
    pub collection: String,
    pub kind: CollectionKind,
    pub rules: Vec<Rule>,
    pub actual: Vec<IndexInfo>,
    /// `None` when the server does not report usage.
    pub usage: Option<Usage>,
    pub usage_note: Option<String>,
    pub sizes: BTreeMap<String, f64>,
}

pub fn keys_text(keys: &[(String, i32)]) -> String {
    let parts: Vec<String> = keys.iter().map(|(k, d)| format!("{k}: {d}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

pub fn owned(keys: &[(&str, i32)]) -> Vec<(String, i32)> {
    keys.iter().map(|(k, d)| (k.to_string(), *d)).collect()
}

fn ttl_detail(want: Option<u32>, got: Option<i64>) -> String {
    match (want, got) {
        (Some(want), None) => format!("no TTL; the platform expects {} days", want / 86_400),
        (Some(want), Some(got)) => format!(
            "TTL of {} days; the platform expects {} days",
            got as f64 / 86_400.0,
            want / 86_400
        ),
        _ => "has a TTL the platform does not expect".to_string(),
    }
}

/// Whether `index` meets `rule` exactly: its keys, no restricting option,
/// `unique` where required and the platform's TTL.
pub fn meets(rule: &RequiredIndex, index: &IndexInfo) -> bool {
    index.keys == owned(rule.keys)
        && index.restrictions.is_empty()
        && (!rule.unique || index.unique)
        && rule.expire_after_seconds.map(i64::from) == index.expire_after_seconds
}

/// How far an index with the rule's keys is from meeting it: 0 exactly, 1
/// when only options the server can change in place differ, 2 otherwise.
fn distance(rule: &RequiredIndex, index: &IndexInfo) -> u8 {
    if meets(rule, index) {
        0
    } else if index.restrictions.iter().all(|r| r == "hidden") {
        1
    } else {
        2
    }
}

/// What `$indexStats` says of one index's use.
#[derive(Debug, Clone, PartialEq)]
enum Use {
    Unknown(Option<String>),
    Used,
    Unused(DateTime<Utc>),
    TooEarly(DateTime<Utc>),
}

fn use_of(usage: Option<&Usage>, name: &str, now: DateTime<Utc>) -> (Option<f64>, Use) {
    let Some(usage) = usage else {
        return (None, Use::Unknown(None));
    };
    let Some(&ops) = usage.ops.get(name) else {
        return (None, Use::Unknown(None)); // no row, or one still building
    };
    if ops > 0.0 {
        return (Some(ops), Use::Used);
    }
    if let Some(reason) = &usage.unjudged {
        return (None, Use::Unknown(Some(reason.clone())));
    }
    match usage.since.get(name) {
        None => (Some(ops), Use::Unknown(None)),
        Some(&since) if now - since < chrono::Duration::days(USAGE_JUDGED_AFTER_DAYS) => {
            (Some(ops), Use::TooEarly(since))
        }
        Some(&since) => (Some(ops), Use::Unused(since)),
    }
}

/// The index that makes `index` redundant, if any: a longer one whose keys
/// begin with all of its keys, in order and direction, and which serves
/// every query `index` serves. So that one is a plain B-tree index (ordinary
/// 1/-1 keys), visible, neither partial nor sparse, not being built, with the
/// same collation. `index` itself must be a plain-keyed index whose drop
/// loses nothing else: never `_id_`, a unique index (it enforces something)
/// or a TTL index (it deletes documents).
fn covering<'a>(
    index: &IndexInfo,
    actual: &'a [IndexInfo],
    building: impl Fn(&IndexInfo) -> bool,
) -> Option<&'a IndexInfo> {
    if index.name == "_id_"
        || index.unique
        || index.expire_after_seconds.is_some()
        || !index.ordinary_keys()
    {
        return None;
    }
    actual.iter().find(|other| {
        other.name != index.name
            && other.ordinary_keys()
            && !building(other)
            && other.restrictions.iter().all(|r| r == "collation")
            && other.expire_after_seconds.is_none()
            && other.collation() == index.collation()
            && other.keys.len() > index.keys.len()
            && other.keys.starts_with(&index.keys)
    })
}

/// Compares one collection's indexes with the rules that apply to it, as
/// of `now` (usage is judged only after [`USAGE_JUDGED_AFTER_DAYS`] days of
/// counting).
pub fn compare(
    rules: &[Rule],
    actual: &[IndexInfo],
    usage: Option<&Usage>,
    sizes: &BTreeMap<String, f64>,
    now: DateTime<Utc>,
) -> Vec<IndexCheck> {
    let building =
        |i: &IndexInfo| i.building || usage.is_some_and(|u| u.building.contains(&i.name));
    let since_text = |since: &DateTime<Utc>| dates::to_iso_instant(*since);
    let mut checks = Vec::new();
    let mut matched: Vec<&str> = Vec::new();
    for rule in rules {
        let r = rule.index;
        let keys = owned(r.keys);
        // Of the indexes with the rule's keys, the one that meets it exactly
        // (a collated twin listed first must never be what a fix replaces),
        // then one whose options can be changed in place; a finished one
        // before one still building.
        let found = actual
            .iter()
            .filter(|i| i.keys == keys && !matched.contains(&i.name.as_str()))
            .min_by_key(|i| (distance(&r, i), building(i)));
        let (state, detail, fix) = match found {
            None if !rule.required => (
                IndexState::Suggested,
                "the users list offers this sort; nothing indexes it".to_string(),
                Some(FixKind::Create),
            ),
            None => (
                IndexState::Missing,
                "required by the platform, not on the server".to_string(),
                Some(FixKind::Create),
            ),
            Some(i) if building(i) => (
                IndexState::Building,
                "being built on the server: it serves queries once the build commits".to_string(),
                None,
            ),
            Some(i) if !i.restrictions.is_empty() => (
                IndexState::OptionsDiffer,
                format!(
                    "exists, but {}: it does not serve every query the platform sends",
                    i.restrictions.join(", ")
                ),
                Some(FixKind::Replace),
            ),
            Some(i) if r.unique && !i.unique => (
                IndexState::MissingUnique,
                "exists without unique: duplicate values can be written".to_string(),
                Some(FixKind::Replace),
            ),
            Some(i) if r.expire_after_seconds.map(i64::from) != i.expire_after_seconds => (
                IndexState::TtlMismatch,
                ttl_detail(r.expire_after_seconds, i.expire_after_seconds),
                Some(FixKind::Replace),
            ),
            Some(_) if !rule.required => (
                IndexState::Ok,
                "suggested for the users list's sorts; present".to_string(),
                None,
            ),
            Some(_) => (IndexState::Ok, "as the platform requires".to_string(), None),
        };
        let (ops, used) = match found {
            Some(i) if !building(i) => use_of(usage, &i.name, now),
            _ => (None, Use::Unknown(None)),
        };
        if let Some(i) = found {
            matched.push(&i.name);
        }
        checks.push(IndexCheck {
            name: found.map(|i| i.name.clone()),
            keys: keys_text(&keys),
            state,
            required: rule.required,
            detail,
            ops,
            unused_since: match &used {
                Use::Unused(since) => Some(since_text(since)),
                _ => None,
            },
            size_bytes: found.and_then(|i| sizes.get(&i.name).copied()),
            fix,
            droppable: false,
        });
    }
    for index in actual
        .iter()
        .filter(|i| i.name != "_id_" && !matched.contains(&i.name.as_str()))
    {
        let (ops, used) = match building(index) {
            true => (None, Use::Unknown(None)),
            false => use_of(usage, &index.name, now),
        };
        let (state, detail, droppable) = if building(index) {
            (
                IndexState::Building,
                "being built on the server; not required by the platform".to_string(),
                false,
            )
        } else if let Some(other) = covering(index, actual, building) {
            (
                IndexState::Redundant,
                format!(
                    "a prefix of {}: that index serves the same queries",
                    other.name
                ),
                true,
            )
        } else {
            match &used {
                Use::Unused(_) => (
                    IndexState::Unused,
                    format!(
                        "not required by the platform, and nothing has used it in at least \
                         {USAGE_JUDGED_AFTER_DAYS} days of counting"
                    ),
                    true,
                ),
                Use::TooEarly(since) => (
                    IndexState::TooEarly,
                    format!(
                        "not required by the platform; too early to tell (counting since {}): \
                         usage is judged after {USAGE_JUDGED_AFTER_DAYS} days of counting",
                        since_text(since)
                    ),
                    false,
                ),
                Use::Unknown(Some(reason)) => (
                    IndexState::Extra,
                    format!("not required by the platform; {reason}"),
                    true,
                ),
                _ => (
                    IndexState::Extra,
                    "not required by the platform".to_string(),
                    true,
                ),
            }
        };
        checks.push(IndexCheck {
            name: Some(index.name.clone()),
            keys: index.key_text.clone(),
            state,
            required: false,
            detail,
            ops,
            unused_since: match &used {
                Use::Unused(since) if state == IndexState::Unused => Some(since_text(since)),
                _ => None,
            },
            size_bytes: sizes.get(&index.name).copied(),
            fix: None,
            droppable,
        });
    }
    checks
}

/// 100 less a weight per problem: a missing unique index is corrupt data in
/// waiting, a missing index a slow page, a redundant or unused one wasted
/// writes. Suggestions, builds under way and indexes too new to judge cost
/// nothing.
pub fn score(checks: &[IndexCheck]) -> f64 {
    let lost: f64 = checks
        .iter()
        .map(|c| match c.state {
            IndexState::Missing | IndexState::MissingUnique | IndexState::OptionsDiffer => 40.0,
            IndexState::TtlMismatch => 25.0,
            IndexState::Redundant => 5.0,
            IndexState::Unused => 2.0,
            IndexState::Ok
            | IndexState::Extra
            | IndexState::Suggested
            | IndexState::TooEarly
            | IndexState::Building => 0.0,
        })
        .sum();
    (100.0 - lost).max(0.0)
}

/// Which of the per-field rules' fields the collection uses: one an index
/// already has among its keys, or one the newest documents hold.
///
/// Bounded work on any collection: the read has no filter, sorts by `_id`
/// and stops after [`FIELD_PROBE_DOCUMENTS`] documents, so the server walks
/// the `_id` index (always there) from its newest end and fetches at most
/// that many. A `find({ field: { $exists: true } }).limit(1)` instead scans
/// every document of a collection where none has the field (no index can
/// answer `$exists: true` without one on the field), and hits the time limit
/// on a large one.
async fn present_fields(
    reads: &CrossUserReads<'_>,
    name: &str,
    actual: &[IndexInfo],
) -> Result<Vec<String>> {
    let Ok(collection) = PerUserCollection::parse(name) else {
        return Ok(Vec::new());
    };
    let fields: Vec<&str> = REQUIRED_INDEXES
        .iter()
        .filter_map(|r| match r.applies {
            Applies::PluginWithField(f) => Some(f),
            _ => None,
        })
        .collect();
    let mut present: BTreeSet<&str> = fields
        .iter()
        .copied()
        .filter(|f| actual.iter().any(|i| i.keys.iter().any(|(k, _)| k == f)))
        .collect();
    let unseen: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| !present.contains(f))
        .collect();
    if !unseen.is_empty() {
        let projection: Document = unseen
            .iter()
            .map(|f| (f.to_string(), Bson::Int32(1)))
            .collect();
        let newest = reads
            .find(
                &collection,
                doc! {},
                doc! { "_id": -1 },
                FIELD_PROBE_DOCUMENTS,
                Some(projection),
            )
            .await?;
        present.extend(
            unseen
                .iter()
                .filter(|f| newest.iter().any(|d| d.contains_key(**f))),
        );
    }
    Ok(fields
        .into_iter()
        .filter(|f| present.contains(f))
        .map(str::to_string)
        .collect())
}

/// Usage, or why it is unknown here: a server without `$indexStats`, or a
/// user without the privilege, gets a note, never an error.
pub fn usage_or_note(rows: Result<Vec<Document>>) -> (Option<Usage>, Option<String>) {
    match rows {
        Ok(rows) => (Some(usage_of(&rows)), None),
        Err(e) => (
            None,
            Some(format!(
                "Index usage is unknown on this server ({}).",
                e.code()
            )),
        ),
    }
}

/// Why nothing is called unused through `mongos`.
pub const MONGOS_USAGE: &str = "through mongos, $indexStats counts only each shard's primary, \
     so a count of zero does not say the index is unused";

/// Usage as this topology's `$indexStats` rows tell it: through `mongos`
/// they come from each shard's primary only, so they are summed and shown,
/// but a zero is never called unused.
pub fn usage_for(
    topology: Topology,
    rows: Result<Vec<Document>>,
) -> (Option<Usage>, Option<String>) {
    let (usage, note) = usage_or_note(rows);
    match (topology, usage) {
        // A load balancer fronts mongos routers: the same partial counts.
        (Topology::Sharded | Topology::LoadBalanced, Some(mut usage)) => {
            usage.unjudged = Some(MONGOS_USAGE.to_string());
            let note =
                format!("Usage is partial: {MONGOS_USAGE}. Unused indexes are not flagged here.");
            (Some(usage), Some(note))
        }
        (_, usage) => (usage, note),
    }
}

/// Rows of `$indexStats` (one per index; through `mongos`, one per shard)
/// → ops per index summed over shards, the latest date each began
/// counting, who answered, and which indexes are still building.
pub fn usage_of(rows: &[Document]) -> Usage {
    let mut usage = Usage::default();
    for row in rows {
        let Ok(name) = row.get_str("name") else {
            continue;
        };
        if let Ok(member) = row.get_str("shard").or_else(|_| row.get_str("host")) {
            usage.members.insert(member.to_string());
        }
        if row.get_bool("building") == Ok(true) {
            usage.building.insert(name.to_string());
            continue; // counts nothing yet: its usage is unknown
        }
        let Ok(accesses) = row.get_document("accesses") else {
            continue;
        };
        let n = match accesses.get("ops") {
            Some(Bson::Int32(n)) => f64::from(*n),
            Some(Bson::Int64(n)) => *n as f64,
            Some(Bson::Double(n)) => *n,
            _ => continue,
        };
        *usage.ops.entry(name.to_string()).or_insert(0.0) += n;
        if let Ok(since) = accesses.get_datetime("since") {
            let since = since.to_chrono();
            let latest = usage.since.entry(name.to_string()).or_insert(since);
            if since > *latest {
                *latest = since;
            }
        }
    }
    usage
}

fn sizes_of(stats: &Document) -> BTreeMap<String, f64> {
    stats
        .get_document("indexSizes")
        .map(|s| {
            s.iter()
                .filter_map(|(k, v)| match v {
                    Bson::Int32(n) => Some((k.clone(), f64::from(*n))),
                    Bson::Int64(n) => Some((k.clone(), *n as f64)),
                    Bson::Double(n) => Some((k.clone(), *n)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The rules that apply to `name` (required, then suggested).
pub fn rules_for(name: &str, fields: &[String]) -> Vec<Rule> {
    let has = |f: &str| fields.iter().any(|x| x == f);
    let required = REQUIRED_INDEXES
        .iter()
        .filter(|r| r.applies_to(name, has))
        .map(|r| Rule {
            index: *r,
            required: true,
        });
    let suggested = SUGGESTED_INDEXES
        .iter()
        .filter(|r| r.applies_to(name, has))
        .map(|r| Rule {
            index: *r,
            required: false,
        });
    required.chain(suggested).collect()
}

/// Reads what the server has for one collection.
pub async fn inspect(conn: &Connection, name: String) -> Result<Inspection> {
    let reads = CrossUserReads::new(conn);
    let kind = CollectionKind::of(&name);
    let actual = reads.indexes(&name).await?;
    let fields = match kind {
        CollectionKind::Plugin => present_fields(&reads, &name, &actual).await?,
        _ => Vec::new(),
    };
    let (usage, usage_note) = match conn.server().topology {
        // Each member counts only what it served, and one query reaches one
        // member: a zero here says nothing of the others.
        Topology::ReplicaSet => (
            None,
            Some(
                "On a replica set each member counts only its own index use; unused indexes are not flagged."
                    .to_string(),
            ),
        ),
        topology => usage_for(topology, reads.index_stats(&name).await),
    };
    // Sizes are a nicety: a server without collStats shows none.
    let sizes = reads
        .coll_stats(&name)
        .await
        .map(|s| sizes_of(&s))
        .unwrap_or_default();
    Ok(Inspection {
        rules: rules_for(&name, &fields),
        collection: name,
        kind,
        actual,
        usage,
        usage_note,
        sizes,
    })
}

/// The core and plugin collections (not views) that index health covers.
pub async fn covered_collections(conn: &Connection) -> Result<Vec<String>> {
    Ok(CrossUserReads::new(conn)
        .collections()
        .await?
        .into_iter()
        .filter(|c| c.kind == "collection")
        .map(|c| c.name)
        .filter(|n| {
            CORE_COLLECTIONS.contains(&n.as_str())
                || CollectionKind::of(n) == CollectionKind::Plugin
        })
        .collect())
}

/// Whether an inspection's error stops the whole report: the server itself
/// is out of reach. Anything about one collection (a time limit, a refused
/// read, a command it does not support) leaves that collection unchecked.
pub fn stops_the_report(error: &Error) -> bool {
    matches!(
        error,
        Error::ConnectionLost { .. }
            | Error::ServerSelectionTimeout { .. }
            | Error::HostUnresolvable { .. }
            | Error::AuthenticationFailed { .. }
            | Error::TlsFailed { .. }
            | Error::NotConnected
    )
}

/// Progress of a report: `done` of `total` collections checked.
#[derive(Debug, Clone, Serialize, Type)]
pub struct HealthProgress {
    pub done: u32,
    pub total: u32,
    pub collection: String,
}

/// Every covered collection, checked `concurrency` at a time (the app uses
/// [`CONCURRENCY`]); `progress` hears of each as it is done.
pub async fn report(
    conn: &Connection,
    concurrency: usize,
    mut progress: impl FnMut(HealthProgress),
) -> Result<HealthReport> {
    let names = covered_collections(conn).await?;
    let total = names.len() as u32;
    let mut results = stream::iter(
        names
            .into_iter()
            .map(|n| async move { (n.clone(), inspect(conn, n).await) }),
    )
    .buffer_unordered(concurrency.max(1));
    let mut inspected = Vec::new();
    while let Some((name, inspection)) = results.next().await {
        if let Err(e) = &inspection {
            if stops_the_report(e) {
                return Err(e.clone());
            }
        }
        progress(HealthProgress {
            done: inspected.len() as u32 + 1,
            total,
            collection: name.clone(),
        });
        inspected.push((name, inspection));
    }
    assemble(inspected, Utc::now())
}

/// The report from each collection's inspection, as of `now`: a collection
/// whose inspection failed is reported as not checked, with the reason,
/// unless the failure stops the whole report ([`stops_the_report`]).
pub fn assemble(
    inspected: Vec<(String, Result<Inspection>)>,
    now: DateTime<Utc>,
) -> Result<HealthReport> {
    let mut collections = Vec::new();
    let mut usage_note = None;
    let mut members = BTreeSet::new();
    for (name, inspection) in inspected {
        let i = match inspection {
            Ok(i) => i,
            Err(e) if stops_the_report(&e) => return Err(e),
            Err(e) => {
                collections.push(CollectionHealth {
                    kind: CollectionKind::of(&name),
                    collection: name,
                    checks: Vec::new(),
                    score: None,
                    unchecked: Some(format!("{e} [{}]", e.code())),
                });
                continue;
            }
        };
        let checks = compare(&i.rules, &i.actual, i.usage.as_ref(), &i.sizes, now);
        usage_note = usage_note.or(i.usage_note);
        if let Some(u) = &i.usage {
            members.extend(u.members.iter().cloned());
        }
        collections.push(CollectionHealth {
            score: Some(score(&checks)),
            collection: i.collection,
            kind: i.kind,
            checks,
            unchecked: None,
        });
    }
    collections.sort_by(|a, b| a.collection.cmp(&b.collection));
    let problems = collections
        .iter()
        .flat_map(|c| &c.checks)
        .filter(|c| c.required && c.state != IndexState::Ok)
        .count() as f64;
    let scores: Vec<f64> = collections.iter().filter_map(|c| c.score).collect();
    let score = match (scores.len(), collections.len()) {
        (_, 0) => Some(100.0),
        (0, _) => None,
        (n, _) => Some(scores.iter().sum::<f64>() / n as f64),
    };
    Ok(HealthReport {
        collections,
        score: score.map(|s| (s * 10.0).round() / 10.0),
        problems,
        usage_note,
        usage_members: members.into_iter().collect(),
        computed_at: dates::to_iso_instant(now),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::DateTime;

    fn index(name: &str, keys: &[(&str, i32)], unique: bool, ttl: Option<i64>) -> IndexInfo {
        let key: Document = keys
            .iter()
            .map(|(k, d)| (k.to_string(), Bson::Int32(*d)))
            .collect();
        let mut d = doc! { "v": 2, "key": key, "name": name, "unique": unique };
        if let Some(ttl) = ttl {
            d.insert("expireAfterSeconds", ttl);
        }
        IndexInfo::from_document(&d)
    }

    fn rules(collection: &str) -> Vec<Rule> {
        rules_for(collection, &["status".to_string()])
    }

    fn states(checks: &[IndexCheck]) -> Vec<(String, IndexState)> {
        checks.iter().map(|c| (c.keys.clone(), c.state)).collect()
    }

    #[test]
    fn each_state_is_told() {
        let none = BTreeMap::new();
        let users = compare(
            &rules("users"),
            &[
                index("_id_", &[("_id", 1)], false, None),
                index("email_1", &[("email", 1)], true, None),
                index("username_1", &[("username", 1)], false, None),
                index(
                    "last_login_-1__id_-1",
                    &[("last_login", -1), ("_id", -1)],
                    false,
                    None,
                ),
                index("bio_1", &[("bio", 1)], false, None),
            ],
            None,
            &none,
            chrono::Utc::now(),
        );
        assert_eq!(
            states(&users),
            vec![
                ("{ email: 1 }".into(), IndexState::Ok),
                ("{ username: 1 }".into(), IndexState::MissingUnique),
                ("{ roles: 1 }".into(), IndexState::Missing),
                ("{ created_at: -1, _id: -1 }".into(), IndexState::Suggested),
                ("{ last_login: -1, _id: -1 }".into(), IndexState::Ok),
                ("{ bio: 1 }".into(), IndexState::Extra),
            ]
        );
        assert_eq!(users[1].fix, Some(FixKind::Replace));
        assert_eq!(users[2].fix, Some(FixKind::Create));
        assert_eq!(users[3].fix, Some(FixKind::Create));
        assert!(!users[3].required && !users[4].required);
        assert_eq!(users[0].ops, None, "usage unknown");
        let ttl = compare(
            &rules("notifications"),
            &[
                index("a", &[("user_id", 1), ("created_at", -1)], false, None),
                index("b", &[("user_id", 1), ("read", 1)], false, None),
                index("c", &[("created_at", 1)], false, Some(86_400)),
            ],
            None,
            &none,
            chrono::Utc::now(),
        );
        assert_eq!(ttl[2].state, IndexState::TtlMismatch);
        assert!(ttl[2].detail.contains("1 days") && ttl[2].detail.contains("30 days"));
        let plugin = compare(
            &rules("task_manager_tasks"),
            &[
                index("user_id_1", &[("user_id", 1)], false, None),
                index(
                    "user_id_1_status_1",
                    &[("user_id", 1), ("status", 1)],
                    false,
                    None,
                ),
                index("status_1", &[("status", 1)], false, None),
                index(
                    "status_1_due_1",
                    &[("status", 1), ("due_date", 1)],
                    false,
                    None,
                ),
            ],
            None,
            &none,
            chrono::Utc::now(),
        );
        assert_eq!(
            plugin[0].state,
            IndexState::Ok,
            "required, though a prefix of another"
        );
        assert_eq!(plugin[2].state, IndexState::Redundant);
        assert_eq!(plugin[3].state, IndexState::Extra);
        assert_eq!(score(&users), 20.0, "the suggestion costs nothing");
        assert_eq!(score(&plugin), 95.0);
        assert!(rules("task_manager_tasks")
            .iter()
            .all(|r| r.index.applies != Applies::PluginWithField("due_date")));
    }

    #[test]
    fn an_unused_index_says_since_when() {
        let since = DateTime::from_millis(1_780_000_000_000);
        let usage = usage_of(&[
            doc! { "name": "user_id_1", "accesses": { "ops": 0_i64, "since": since } },
            doc! { "name": "tags_1", "accesses": { "ops": 0_i64, "since": since } },
            doc! { "name": "due_1", "accesses": { "ops": 4_i64, "since": since } },
        ]);
        let checks = compare(
            &rules_for("notes_notes", &[]),
            &[
                index("user_id_1", &[("user_id", 1)], false, None),
                index("tags_1", &[("tags", 1)], false, None),
                index("due_1", &[("due", 1)], false, None),
            ],
            Some(&usage),
            &BTreeMap::new(),
            since.to_chrono() + chrono::Duration::days(30),
        );
        let since = dates::to_iso_instant(since.to_chrono());
        assert_eq!(checks[0].state, IndexState::Ok, "required, even unused");
        assert_eq!(checks[0].unused_since.as_deref(), Some(since.as_str()));
        assert_eq!(checks[1].state, IndexState::Unused);
        assert_eq!(checks[1].ops, Some(0.0));
        assert_eq!(checks[2].state, IndexState::Extra);
        assert_eq!(checks[2].unused_since, None);
    }

    /// `$indexStats` through `mongos`: a row per shard, each with `shard`
    /// and the `host` that answered; an index still building counts nothing.
    #[test]
    fn usage_sums_the_shards_rows() {
        let early = DateTime::from_millis(1_700_000_000_000);
        let late = DateTime::from_millis(1_800_000_000_000);
        let rows = vec![
            doc! { "name": "user_id_1", "shard": "s1", "host": "a:27018", "accesses": { "ops": 5_i64, "since": early } },
            doc! { "name": "user_id_1", "shard": "s2", "host": "b:27018", "accesses": { "ops": 2, "since": late } },
            doc! { "name": "_id_", "shard": "s1", "host": "a:27018", "accesses": { "ops": 0_i64, "since": early } },
            doc! { "name": "_id_", "shard": "s2", "host": "b:27018", "accesses": { "ops": 1.0, "since": late } },
            doc! { "name": "new_1", "shard": "s1", "host": "a:27018", "building": true, "accesses": { "ops": 0_i64, "since": late } },
        ];
        let usage = usage_of(&rows);
        assert_eq!(usage.ops["user_id_1"], 7.0);
        assert_eq!(usage.ops["_id_"], 1.0);
        assert_eq!(
            usage.ops.get("new_1"),
            None,
            "building: unknown, not unused"
        );
        assert_eq!(
            usage.since["user_id_1"],
            late.to_chrono(),
            "counting surely covers only the time since the latest restart"
        );
        assert!(usage.building.contains("new_1"));
        assert_eq!(
            usage.members.into_iter().collect::<Vec<_>>(),
            vec!["s1", "s2"]
        );
    }

    /// An index with the platform's keys but a partial filter serves only
    /// some queries: not ok.
    #[test]
    fn a_partial_index_does_not_meet_the_requirement() {
        let partial = IndexInfo::from_document(&doc! {
            "v": 2, "key": { "email": 1 }, "name": "email_1", "unique": true,
            "partialFilterExpression": { "email": { "$type": "string" } }
        });
        let checks = compare(
            &rules_for("users", &[]),
            &[partial],
            None,
            &BTreeMap::new(),
            chrono::Utc::now(),
        );
        assert_eq!(checks[0].state, IndexState::OptionsDiffer);
        assert_eq!(checks[0].fix, Some(FixKind::Replace));
        assert!(checks[0].detail.contains("partial"));
    }

    /// A server without `$indexStats` (or a user without the privilege):
    /// the report goes on, saying usage is unknown.
    #[test]
    fn no_index_stats_is_a_note_not_an_error() {
        let refused = Err(crate::Error::Unsupported {
            feature: "$indexStats".into(),
            message: "Unrecognized pipeline stage name".into(),
        });
        let (usage, note) = usage_or_note(refused);
        assert_eq!(usage, None);
        assert!(note.unwrap().contains("unknown on this server"));
        let checks = compare(
            &rules_for("notes_notes", &[]),
            &[index("user_id_1", &[("user_id", 1)], false, None)],
            usage.as_ref(),
            &BTreeMap::new(),
            chrono::Utc::now(),
        );
        assert_eq!((checks[0].ops, checks[0].state), (None, IndexState::Ok));
    }

    fn none() -> BTreeMap<String, f64> {
        BTreeMap::new()
    }

    fn info(d: Document) -> IndexInfo {
        IndexInfo::from_document(&d)
    }

    fn users_inspection() -> Inspection {
        Inspection {
            collection: "users".into(),
            kind: CollectionKind::Core,
            rules: rules_for("users", &[]),
            actual: vec![
                index("_id_", &[("_id", 1)], false, None),
                index("email_1", &[("email", 1)], true, None),
                index("username_1", &[("username", 1)], false, None),
            ],
            usage: None,
            usage_note: None,
            sizes: none(),
        }
    }

    /// `MaxTimeMSExpired` as the server documents its reply.
    fn time_limit() -> crate::Error {
        let reply = doc! {
            "ok": 0, "errmsg": "operation exceeded time limit",
            "code": 50, "codeName": "MaxTimeMSExpired"
        };
        let c: mongodb::error::CommandError = mongodb::bson::from_document(reply).unwrap();
        crate::db::classify::classify(
            &mongodb::error::ErrorKind::Command(c).into(),
            3000,
            crate::db::classify::Phase::Session,
        )
    }

    /// One collection stopped at its time limit: the report stands for
    /// the others, and says that one is unknown and why.
    #[test]
    fn a_collection_past_its_time_limit_is_unknown_and_the_rest_stands() {
        assert_eq!(time_limit().code(), "time_limit");
        let report = assemble(
            vec![
                ("users".into(), Ok(users_inspection())),
                ("task_manager_tasks".into(), Err(time_limit())),
            ],
            chrono::Utc::now(),
        )
        .expect("one collection's time limit does not fail the report");
        assert_eq!(report.collections.len(), 2);
        let users = &report.collections[1];
        assert_eq!(users.collection, "users");
        assert_eq!(
            states(&users.checks)[..3],
            [
                ("{ email: 1 }".to_string(), IndexState::Ok),
                ("{ username: 1 }".to_string(), IndexState::MissingUnique),
                ("{ roles: 1 }".to_string(), IndexState::Missing),
            ]
        );
        assert_eq!(report.problems, 2.0, "the users' two, nothing invented");
        let tasks = &report.collections[0];
        assert_eq!(tasks.collection, "task_manager_tasks");
        assert_eq!(tasks.kind, CollectionKind::Plugin);
        assert!(tasks.checks.is_empty());
        assert_eq!(tasks.score, None, "unknown, not 100");
        let reason = tasks.unchecked.as_deref().unwrap();
        assert!(
            reason.contains("time limit") && reason.contains("time_limit"),
            "{reason}"
        );
        assert_eq!(report.score, users.score, "the mean of what was checked");
        assert_eq!(report.unchecked().count(), 1);
        // A server out of reach still stops the whole report.
        let lost = crate::Error::ConnectionLost {
            timeout_ms: 3000,
            message: "gone".into(),
            outcome_unknown: false,
            details: String::new(),
        };
        let err = assemble(vec![("users".into(), Err(lost))], chrono::Utc::now()).unwrap_err();
        assert_eq!(err.code(), "connection_lost");
    }

    /// The longer index must serve every query the prefix serves: plain
    /// keys, visible, not partial or sparse, the same collation.
    #[test]
    fn a_prefix_is_redundant_only_beside_a_plain_index_that_serves_it() {
        let verdict = |prefix: IndexInfo, longer: IndexInfo| {
            let checks = compare(
                &rules_for("notes_notes", &[]),
                &[
                    index("user_id_1", &[("user_id", 1)], false, None),
                    prefix.clone(),
                    longer,
                ],
                None,
                &none(),
                chrono::Utc::now(),
            );
            checks
                .iter()
                .find(|c| c.name.as_deref() == Some(prefix.name.as_str()))
                .unwrap()
                .state
        };
        let a = || info(doc! { "v": 2, "key": { "a": 1 }, "name": "a_1" });
        let ab = |options: Document| {
            let mut d = doc! { "v": 2, "key": { "a": 1, "b": 1 }, "name": "a_1_b_1" };
            d.extend(options);
            info(d)
        };
        assert_eq!(verdict(a(), ab(doc! {})), IndexState::Redundant);
        for options in [
            doc! { "hidden": true },
            doc! { "partialFilterExpression": { "b": { "$gt": 5 } } },
            doc! { "sparse": true },
            doc! { "collation": { "locale": "fr", "strength": 2 } },
        ] {
            assert_ne!(
                verdict(a(), ab(options.clone())),
                IndexState::Redundant,
                "{options}"
            );
        }
        // A text index as listIndexes reports it, and as it was asked for.
        let text = info(doc! {
            "v": 2, "key": { "a": 1, "_fts": "text", "_ftsx": 1 }, "name": "a_1_b_text",
            "weights": { "b": 1 }, "default_language": "english", "textIndexVersion": 3
        });
        assert_ne!(verdict(a(), text), IndexState::Redundant);
        let asked = info(doc! { "v": 2, "key": { "a": 1, "b": "text" }, "name": "a_1_b_text" });
        assert_ne!(verdict(a(), asked), IndexState::Redundant);
        let hashed = info(doc! { "v": 2, "key": { "a": "hashed" }, "name": "a_hashed" });
        assert_ne!(verdict(hashed, ab(doc! {})), IndexState::Redundant);
        // The same collation on both: the longer one serves it.
        let fr = doc! { "locale": "fr", "strength": 2 };
        let a_fr = info(doc! { "v": 2, "key": { "a": 1 }, "name": "a_1", "collation": fr.clone() });
        assert_eq!(
            verdict(a_fr.clone(), ab(doc! { "collation": fr })),
            IndexState::Redundant
        );
        assert_ne!(verdict(a_fr, ab(doc! {})), IndexState::Redundant);
        let unique = info(doc! { "v": 2, "key": { "a": 1 }, "name": "a_1", "unique": true });
        assert_ne!(verdict(unique, ab(doc! {})), IndexState::Redundant);
    }

    /// A collated `{ email: 1 }` listed before the unique one: the unique
    /// one meets the requirement, and nothing is to be replaced.
    #[test]
    fn the_index_that_meets_a_requirement_exactly_is_the_match() {
        let collated = info(doc! {
            "v": 2, "key": { "email": 1 }, "name": "email_fr",
            "collation": { "locale": "fr", "strength": 2 }
        });
        let checks = compare(
            &rules_for("users", &[]),
            &[
                index("_id_", &[("_id", 1)], false, None),
                collated,
                index("email_1", &[("email", 1)], true, None),
            ],
            None,
            &none(),
            chrono::Utc::now(),
        );
        assert_eq!(checks[0].keys, "{ email: 1 }");
        assert_eq!(checks[0].name.as_deref(), Some("email_1"));
        assert_eq!((checks[0].state, checks[0].fix), (IndexState::Ok, None));
        let other = checks
            .iter()
            .find(|c| c.name.as_deref() == Some("email_fr"))
            .expect("the collated one is reported on its own");
        assert!(!other.required);
    }

    /// Through `mongos`, `$indexStats` counts only each shard's primary:
    /// a zero there is not "unused".
    #[test]
    fn through_mongos_nothing_is_called_unused() {
        let month_ago = DateTime::from_chrono(chrono::Utc::now() - chrono::Duration::days(30));
        let rows = vec![
            doc! { "name": "user_id_1", "shard": "s1", "host": "a:27018", "accesses": { "ops": 3_i64, "since": month_ago } },
            doc! { "name": "tags_1", "shard": "s1", "host": "a:27018", "accesses": { "ops": 0_i64, "since": month_ago } },
        ];
        let (balanced, _) = usage_for(Topology::LoadBalanced, Ok(rows.clone()));
        assert!(
            balanced.unwrap().unjudged.is_some(),
            "behind a load balancer too"
        );
        let (usage, note) = usage_for(Topology::Sharded, Ok(rows));
        let checks = compare(
            &rules_for("notes_notes", &[]),
            &[
                index("user_id_1", &[("user_id", 1)], false, None),
                index("tags_1", &[("tags", 1)], false, None),
            ],
            usage.as_ref(),
            &none(),
            chrono::Utc::now(),
        );
        assert_ne!(checks[1].state, IndexState::Unused);
        assert_eq!(checks[1].state, IndexState::Extra);
        assert_eq!(checks[0].ops, Some(3.0), "a count above zero is still use");
        assert_eq!(checks[1].ops, None, "usage unknown");
        assert_eq!(checks[1].unused_since, None);
        assert!(checks[1].detail.contains("mongos"), "{}", checks[1].detail);
        assert!(note.unwrap_or_default().contains("mongos"));
    }

    /// Right after a restart every counter reads 0: too early to call
    /// anything unused, and no drop is suggested.
    #[test]
    fn unused_is_judged_only_after_seven_days_of_counting() {
        let now = chrono::Utc::now();
        let judged = |since: chrono::DateTime<chrono::Utc>| {
            let since = DateTime::from_chrono(since);
            let usage = usage_of(&[
                doc! { "name": "user_id_1", "accesses": { "ops": 0_i64, "since": since } },
                doc! { "name": "tags_1", "accesses": { "ops": 0_i64, "since": since } },
            ]);
            compare(
                &rules_for("notes_notes", &[]),
                &[
                    index("user_id_1", &[("user_id", 1)], false, None),
                    index("tags_1", &[("tags", 1)], false, None),
                ],
                Some(&usage),
                &none(),
                now,
            )
        };
        let hour = judged(now - chrono::Duration::hours(1));
        assert_ne!(hour[1].state, IndexState::Unused);
        assert_eq!(hour[1].state, IndexState::TooEarly);
        assert_eq!(hour[1].ops, Some(0.0));
        assert_eq!(score(&hour), 100.0, "costs nothing");
        assert_eq!(hour[1].unused_since, None);
        assert!(!hour[1].droppable, "no drop suggested");
        assert!(
            hour[1]
                .detail
                .contains("too early to tell (counting since "),
            "{}",
            hour[1].detail
        );
        assert_eq!(hour[0].unused_since, None, "required: not judged either");
        let week = judged(now - chrono::Duration::days(8));
        assert_eq!(week[1].state, IndexState::Unused);
        assert!(week[1].unused_since.is_some() && week[1].droppable);
    }

    /// An index still building, as `listIndexes` with `includeBuildUUIDs`
    /// lists it (`{ spec, buildUUID }`), and as `$indexStats` marks it.
    #[test]
    fn an_index_being_built_is_reported_as_building() {
        let uuid = mongodb::bson::Binary {
            subtype: mongodb::bson::spec::BinarySubtype::Uuid,
            bytes: vec![7; 16],
        };
        let listed = IndexInfo::from_document(&doc! {
            "spec": { "v": 2, "key": { "user_id": 1, "status": 1 }, "name": "user_id_1_status_1" },
            "buildUUID": uuid
        });
        assert_eq!(listed.name, "user_id_1_status_1");
        assert_eq!(listed.keys, owned(&[("user_id", 1), ("status", 1)]));
        let checks = compare(
            &rules("task_manager_tasks"),
            &[index("user_id_1", &[("user_id", 1)], false, None), listed],
            None,
            &none(),
            chrono::Utc::now(),
        );
        assert_eq!(checks[1].keys, "{ user_id: 1, status: 1 }");
        assert_eq!(checks[1].state, IndexState::Building);
        assert_eq!(checks[1].fix, None, "never built twice");
        assert!(
            checks[1].detail.contains("being built"),
            "{}",
            checks[1].detail
        );
        let stats = usage_of(&[doc! {
            "name": "tags_1", "building": true, "spec": { "v": 2, "key": { "tags": 1 }, "name": "tags_1" },
            "accesses": { "ops": 0_i64, "since": DateTime::now() }
        }]);
        let checks = compare(
            &rules_for("notes_notes", &[]),
            &[
                index("user_id_1", &[("user_id", 1)], false, None),
                index("tags_1", &[("tags", 1)], false, None),
            ],
            Some(&stats),
            &none(),
            chrono::Utc::now(),
        );
        assert!(
            checks[1].detail.contains("being built"),
            "{}",
            checks[1].detail
        );
        assert_eq!(checks[1].state, IndexState::Building);
        assert_eq!(checks[1].ops, None);
        assert!(!checks[1].droppable);
    }
}
