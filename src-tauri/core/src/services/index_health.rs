//! Index health: the indexes the platform depends on (`schema.rs`, plus the
//! per-plugin rules for fields a sample shows) against what `listIndexes`
//! reports for every core and plugin collection. Each index is ok, missing,
//! missing its uniqueness, off on its TTL, extra, or redundant (a prefix of
//! another with the same options); usage comes from `$indexStats` where the
//! server has it, sizes from `collStats`. The app's screen and `doctor`
//! (the platform's CI) read the same report.

use std::collections::{BTreeMap, BTreeSet};

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
use crate::{dates, Result};

/// Collections checked at once: enough to hide round trips, few enough to
/// leave a production server alone.
pub const CONCURRENCY: usize = 8;

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
    /// A prefix of another index with the same options.
    Redundant,
    /// Not required, and no operation used it since the server started.
    Unused,
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
    /// Drop the index with these keys and build it with the right options.
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
    /// When the server began counting, for an index with no operations.
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
    pub checks: Vec<IndexCheck>,
    /// 100 when every required index is as it should be.
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct HealthReport {
    pub collections: Vec<CollectionHealth>,
    pub score: f64,
    /// Required indexes that are missing, lack `unique` or differ on TTL.
    pub problems: f64,
    /// Said when `$indexStats` is not available here.
    pub usage_note: Option<String>,
    /// The members or shards whose `$indexStats` rows were merged.
    pub usage_members: Vec<String>,
    pub computed_at: String,
}

/// Index usage as `$indexStats` reports it, merged over members.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub ops: BTreeMap<String, f64>,
    /// The latest `accesses.since` per index: counting surely covers the
    /// time after it on every member that answered.
    pub since: BTreeMap<String, String>,
    pub members: BTreeSet<String>,
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

/// Compares one collection's indexes with the rules that apply to it.
pub fn compare(
    rules: &[Rule],
    actual: &[IndexInfo],
    usage: Option<&Usage>,
    sizes: &BTreeMap<String, f64>,
) -> Vec<IndexCheck> {
    // An index without a row (or one still building) has unknown usage.
    let ops = |name: &str| usage.and_then(|u| u.ops.get(name).copied());
    let unused_since = |name: &str| {
        usage
            .filter(|u| u.ops.get(name) == Some(&0.0))
            .and_then(|u| u.since.get(name).cloned())
    };
    let mut checks = Vec::new();
    let mut matched = Vec::new();
    for rule in rules {
        let r = rule.index;
        let keys = owned(r.keys);
        let found = actual.iter().find(|i| i.keys == keys);
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
        if let Some(i) = found {
            matched.push(i.name.clone());
        }
        checks.push(IndexCheck {
            name: found.map(|i| i.name.clone()),
            keys: keys_text(&keys),
            state,
            required: rule.required,
            detail,
            ops: found.and_then(|i| ops(&i.name)),
            unused_since: found.and_then(|i| unused_since(&i.name)),
            size_bytes: found.and_then(|i| sizes.get(&i.name).copied()),
            fix,
            droppable: false,
        });
    }
    for index in actual
        .iter()
        .filter(|i| i.name != "_id_" && !matched.contains(&i.name))
    {
        let covering = actual.iter().find(|other| {
            other.name != index.name
                && other.keys.len() > index.keys.len()
                && other.keys.starts_with(&index.keys)
                && other.unique == index.unique
                && other.expire_after_seconds == index.expire_after_seconds
        });
        let (state, detail) = match covering {
            Some(other) if !index.unique && index.expire_after_seconds.is_none() => (
                IndexState::Redundant,
                format!(
                    "a prefix of {}: that index serves the same queries",
                    other.name
                ),
            ),
            _ if ops(&index.name) == Some(0.0) => (
                IndexState::Unused,
                "not required by the platform, and nothing has used it".to_string(),
            ),
            _ => (
                IndexState::Extra,
                "not required by the platform".to_string(),
            ),
        };
        checks.push(IndexCheck {
            name: Some(index.name.clone()),
            keys: index.key_text.clone(),
            state,
            required: false,
            detail,
            ops: ops(&index.name),
            unused_since: unused_since(&index.name),
            size_bytes: sizes.get(&index.name).copied(),
            fix: None,
            droppable: true,
        });
    }
    checks
}

/// 100 less a weight per problem: a missing unique index is corrupt data in
/// waiting, a missing index a slow page, a redundant or unused one wasted
/// writes. Suggestions cost nothing.
pub fn score(checks: &[IndexCheck]) -> f64 {
    let lost: f64 = checks
        .iter()
        .map(|c| match c.state {
            IndexState::Missing | IndexState::MissingUnique | IndexState::OptionsDiffer => 40.0,
            IndexState::TtlMismatch => 25.0,
            IndexState::Redundant => 5.0,
            IndexState::Unused => 2.0,
            IndexState::Ok | IndexState::Extra | IndexState::Suggested => 0.0,
        })
        .sum();
    (100.0 - lost).max(0.0)
}

/// Which of the per-field rules' fields any of the collection's documents
/// has: one indexed-or-not `find_one` each, never a sample that may miss.
async fn present_fields(reads: &CrossUserReads<'_>, name: &str) -> Result<Vec<String>> {
    let Ok(collection) = PerUserCollection::parse(name) else {
        return Ok(Vec::new());
    };
    let mut present = Vec::new();
    for field in REQUIRED_INDEXES.iter().filter_map(|r| match r.applies {
        Applies::PluginWithField(f) => Some(f),
        _ => None,
    }) {
        let found = reads
            .find(
                &collection,
                doc! { field: { "$exists": true } },
                doc! {},
                1,
                Some(doc! { "_id": 1 }),
            )
            .await?;
        if !found.is_empty() {
            present.push(field.to_string());
        }
    }
    Ok(present)
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

/// Rows of `$indexStats` (one per index; through `mongos`, one per shard)
/// → ops per index summed over shards, the latest date each began
/// counting, and who answered.
pub fn usage_of(rows: &[Document]) -> Usage {
    let mut usage = Usage::default();
    for row in rows {
        let Ok(name) = row.get_str("name") else {
            continue;
        };
        if let Ok(member) = row.get_str("shard").or_else(|_| row.get_str("host")) {
            usage.members.insert(member.to_string());
        }
        let Ok(accesses) = row.get_document("accesses") else {
            continue;
        };
        if row.get_bool("building") == Ok(true) {
            continue; // counts nothing yet: its usage is unknown
        }
        let n = match accesses.get("ops") {
            Some(Bson::Int32(n)) => f64::from(*n),
            Some(Bson::Int64(n)) => *n as f64,
            Some(Bson::Double(n)) => *n,
            _ => continue,
        };
        *usage.ops.entry(name.to_string()).or_insert(0.0) += n;
        if let Ok(since) = accesses.get_datetime("since") {
            let since = dates::to_iso_instant(since.to_chrono());
            let latest = usage.since.entry(name.to_string()).or_insert(since.clone());
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
    let fields = match kind {
        CollectionKind::Plugin => present_fields(&reads, &name).await?,
        _ => Vec::new(),
    };
    let actual = reads.indexes(&name).await?;
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
        _ => usage_or_note(reads.index_stats(&name).await),
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
    let mut results = stream::iter(names.into_iter().map(|n| inspect(conn, n)))
        .buffer_unordered(concurrency.max(1));
    let mut collections = Vec::new();
    let mut usage_note = None;
    let mut members = BTreeSet::new();
    while let Some(inspection) = results.next().await {
        let i = inspection?;
        let checks = compare(&i.rules, &i.actual, i.usage.as_ref(), &i.sizes);
        progress(HealthProgress {
            done: collections.len() as u32 + 1,
            total,
            collection: i.collection.clone(),
        });
        usage_note = usage_note.or(i.usage_note);
        if let Some(u) = &i.usage {
            members.extend(u.members.iter().cloned());
        }
        collections.push(CollectionHealth {
            score: score(&checks),
            collection: i.collection,
            kind: i.kind,
            checks,
        });
    }
    collections.sort_by(|a, b| a.collection.cmp(&b.collection));
    let problems = collections
        .iter()
        .flat_map(|c| &c.checks)
        .filter(|c| c.required && c.state != IndexState::Ok)
        .count() as f64;
    let score = match collections.len() {
        0 => 100.0,
        n => collections.iter().map(|c| c.score).sum::<f64>() / n as f64,
    };
    Ok(HealthReport {
        collections,
        score: (score * 10.0).round() / 10.0,
        problems,
        usage_note,
        usage_members: members.into_iter().collect(),
        computed_at: dates::to_iso_instant(chrono::Utc::now()),
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
                index("last_login_-1", &[("last_login", -1)], false, None),
                index("bio_1", &[("bio", 1)], false, None),
            ],
            None,
            &none,
        );
        assert_eq!(
            states(&users),
            vec![
                ("{ email: 1 }".into(), IndexState::Ok),
                ("{ username: 1 }".into(), IndexState::MissingUnique),
                ("{ roles: 1 }".into(), IndexState::Missing),
                ("{ created_at: -1 }".into(), IndexState::Suggested),
                ("{ last_login: -1 }".into(), IndexState::Ok),
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
            dates::to_iso_instant(late.to_chrono()),
            "counting surely covers only the time since the latest restart"
        );
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
        let checks = compare(&rules_for("users", &[]), &[partial], None, &BTreeMap::new());
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
        );
        assert_eq!((checks[0].ops, checks[0].state), (None, IndexState::Ok));
    }
}
