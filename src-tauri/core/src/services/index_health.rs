//! Index health: the indexes the platform depends on (`schema.rs`, plus the
//! per-plugin rules for fields a sample shows) against what `listIndexes`
//! reports for every core and plugin collection. Each index is ok, missing,
//! missing its uniqueness, off on its TTL, extra, or redundant (a prefix of
//! another with the same options); usage comes from `$indexStats` where the
//! server has it, sizes from `collStats`. The app's screen and `doctor`
//! (the platform's CI) read the same report.

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};
use mongodb::bson::{doc, Bson, Document};
use serde::Serialize;
use specta::Type;

use crate::db::connection::Connection;
use crate::db::cross_user::{CrossUserReads, IndexInfo};
use crate::db::scope::PerUserCollection;
use crate::schema::{CollectionKind, RequiredIndex, CORE_COLLECTIONS, REQUIRED_INDEXES};
use crate::Result;

/// Collections checked at once: enough to hide round trips, few enough to
/// leave a production server alone.
const CONCURRENCY: usize = 8;
/// Documents sampled per plugin collection to learn which fields it has.
const FIELD_SAMPLE: i32 = 200;

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
    /// Operations since the server started (`$indexStats`); `None` when unknown.
    pub ops: Option<f64>,
    pub size_bytes: Option<f64>,
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
}

fn keys_text(keys: &[(String, i32)]) -> String {
    let parts: Vec<String> = keys.iter().map(|(k, d)| format!("{k}: {d}")).collect();
    format!("{{ {} }}", parts.join(", "))
}

fn owned(keys: &[(&str, i32)]) -> Vec<(String, i32)> {
    keys.iter().map(|(k, d)| (k.to_string(), *d)).collect()
}

/// Compares one collection's indexes with what the platform requires of it.
pub fn compare(
    required: &[RequiredIndex],
    actual: &[IndexInfo],
    usage: &BTreeMap<String, f64>,
    sizes: &BTreeMap<String, f64>,
) -> Vec<IndexCheck> {
    let mut checks = Vec::new();
    let mut matched = Vec::new();
    for rule in required {
        let keys = owned(rule.keys);
        let found = actual.iter().find(|i| i.keys == keys);
        let (state, detail) = match found {
            None => (
                IndexState::Missing,
                "required by the platform, not on the server".to_string(),
            ),
            Some(i) if rule.unique && !i.unique => (
                IndexState::MissingUnique,
                "exists without unique: duplicate values can be written".to_string(),
            ),
            Some(i) if rule.expire_after_seconds.map(i64::from) != i.expire_after_seconds => (
                IndexState::TtlMismatch,
                match (rule.expire_after_seconds, i.expire_after_seconds) {
                    (Some(want), None) => {
                        format!("no TTL; the platform expects {} days", want / 86_400)
                    }
                    (Some(want), Some(got)) => format!(
                        "TTL of {} days; the platform expects {} days",
                        got as f64 / 86_400.0,
                        want / 86_400
                    ),
                    _ => "has a TTL the platform does not expect".to_string(),
                },
            ),
            Some(_) => (IndexState::Ok, "as the platform requires".to_string()),
        };
        if let Some(i) = found {
            matched.push(i.name.clone());
        }
        checks.push(IndexCheck {
            name: found.map(|i| i.name.clone()),
            keys: keys_text(&keys),
            state,
            required: true,
            detail,
            ops: found.and_then(|i| usage.get(&i.name).copied()),
            size_bytes: found.and_then(|i| sizes.get(&i.name).copied()),
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
            _ => (
                IndexState::Extra,
                "not required by the platform".to_string(),
            ),
        };
        checks.push(IndexCheck {
            name: Some(index.name.clone()),
            keys: keys_text(&index.keys),
            state,
            required: false,
            detail,
            ops: usage.get(&index.name).copied(),
            size_bytes: sizes.get(&index.name).copied(),
        });
    }
    checks
}

/// 100 less a weight per problem: a missing unique index is corrupt data in
/// waiting, a missing index a slow page, a redundant one wasted writes.
pub fn score(checks: &[IndexCheck]) -> f64 {
    let lost: f64 = checks
        .iter()
        .map(|c| match c.state {
            IndexState::Missing | IndexState::MissingUnique => 40.0,
            IndexState::TtlMismatch => 25.0,
            IndexState::Redundant => 5.0,
            IndexState::Ok | IndexState::Extra => 0.0,
        })
        .sum();
    (100.0 - lost).max(0.0)
}

/// Which of the per-field rules' fields the collection's documents have.
async fn sampled_fields(reads: &CrossUserReads<'_>, name: &str) -> Result<Vec<String>> {
    let Ok(collection) = PerUserCollection::parse(name) else {
        return Ok(Vec::new());
    };
    let sample = reads
        .aggregate(
            &collection,
            vec![doc! { "$sample": { "size": FIELD_SAMPLE } }],
        )
        .await?;
    let mut fields: Vec<String> = sample.iter().flat_map(|d| d.keys().cloned()).collect();
    fields.sort();
    fields.dedup();
    Ok(fields)
}

/// `$indexStats` ops per index name, or why usage is unknown here. Read
/// through the cross-user API, so for per-user collections only (`users`'
/// usage stays unknown until the `users` handle reads it).
async fn usage(
    reads: &CrossUserReads<'_>,
    name: &str,
) -> std::result::Result<BTreeMap<String, f64>, String> {
    let Ok(collection) = PerUserCollection::parse(name) else {
        return Ok(BTreeMap::new());
    };
    let rows = reads
        .aggregate(&collection, vec![doc! { "$indexStats": {} }])
        .await
        .map_err(|e| e.code().to_string())?;
    Ok(usage_of(&rows))
}

/// Rows of `$indexStats` (one per index, and on replica sets and sharded
/// clusters one per member or shard) → ops per index, summed over members.
pub fn usage_of(rows: &[Document]) -> BTreeMap<String, f64> {
    let mut ops = BTreeMap::new();
    for row in rows {
        let Ok(name) = row.get_str("name") else {
            continue;
        };
        let n = match row.get_document("accesses").ok().and_then(|a| a.get("ops")) {
            Some(Bson::Int32(n)) => f64::from(*n),
            Some(Bson::Int64(n)) => *n as f64,
            Some(Bson::Double(n)) => *n,
            _ => continue,
        };
        *ops.entry(name.to_string()).or_insert(0.0) += n;
    }
    ops
}

async fn check_collection(
    conn: &Connection,
    name: String,
) -> Result<(CollectionHealth, Option<String>)> {
    let reads = CrossUserReads::new(conn);
    let kind = CollectionKind::of(&name);
    let fields = match kind {
        CollectionKind::Plugin => sampled_fields(&reads, &name).await?,
        _ => Vec::new(),
    };
    let required: Vec<RequiredIndex> = REQUIRED_INDEXES
        .iter()
        .filter(|r| r.applies_to(&name, |f| fields.iter().any(|x| x == f)))
        .copied()
        .collect();
    let actual = reads.indexes(&name).await?;
    let (usage, note) = match usage(&reads, &name).await {
        Ok(u) => (u, None),
        Err(why) => (
            BTreeMap::new(),
            Some(format!("Index usage is unknown on this server ({why}).")),
        ),
    };
    let sizes: BTreeMap<String, f64> = match reads.coll_stats(&name).await {
        Ok(stats) => stats
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
            .unwrap_or_default(),
        Err(_) => BTreeMap::new(),
    };
    let checks = compare(&required, &actual, &usage, &sizes);
    Ok((
        CollectionHealth {
            score: score(&checks),
            collection: name,
            kind,
            checks,
        },
        note,
    ))
}

/// Every core and plugin collection (not views), checked a few at a time;
/// `progress` hears of each as it is done.
pub async fn report(
    conn: &Connection,
    mut progress: impl FnMut(&CollectionHealth),
) -> Result<HealthReport> {
    let names: Vec<String> = CrossUserReads::new(conn)
        .collections()
        .await?
        .into_iter()
        .filter(|c| c.kind == "collection")
        .map(|c| c.name)
        .filter(|n| {
            CORE_COLLECTIONS.contains(&n.as_str())
                || CollectionKind::of(n) == CollectionKind::Plugin
        })
        .collect();
    let mut results = stream::iter(names.into_iter().map(|n| check_collection(conn, n)))
        .buffer_unordered(CONCURRENCY);
    let mut collections = Vec::new();
    let mut usage_note = None;
    while let Some(result) = results.next().await {
        let (health, note) = result?;
        progress(&health);
        usage_note = usage_note.or(note);
        collections.push(health);
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Applies;

    fn index(name: &str, keys: &[(&str, i32)], unique: bool, ttl: Option<i64>) -> IndexInfo {
        IndexInfo {
            name: name.into(),
            keys: owned(keys),
            unique,
            expire_after_seconds: ttl,
        }
    }

    fn rules(collection: &str) -> Vec<RequiredIndex> {
        REQUIRED_INDEXES
            .iter()
            .filter(|r| r.applies_to(collection, |f| f == "status"))
            .copied()
            .collect()
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
                index("last_login_1", &[("last_login", 1)], false, None),
            ],
            &none,
            &none,
        );
        assert_eq!(
            states(&users),
            vec![
                ("{ email: 1 }".into(), IndexState::Ok),
                ("{ username: 1 }".into(), IndexState::MissingUnique),
                ("{ roles: 1 }".into(), IndexState::Missing),
                ("{ last_login: 1 }".into(), IndexState::Extra),
            ]
        );
        let ttl = compare(
            &rules("notifications"),
            &[
                index("a", &[("user_id", 1), ("created_at", -1)], false, None),
                index("b", &[("user_id", 1), ("read", 1)], false, None),
                index("c", &[("created_at", 1)], false, Some(86_400)),
            ],
            &none,
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
            &none,
            &none,
        );
        assert_eq!(
            plugin[0].state,
            IndexState::Ok,
            "required, though a prefix of another"
        );
        assert_eq!(plugin[2].state, IndexState::Redundant);
        assert_eq!(plugin[3].state, IndexState::Extra);
        assert_eq!(score(&users), 20.0);
        assert_eq!(score(&plugin), 95.0);
        assert!(rules("task_manager_tasks")
            .iter()
            .all(|r| r.applies != Applies::PluginWithField("due_date")));
    }

    /// `$indexStats` as a replica set answers it: a row per member.
    #[test]
    fn usage_sums_the_members_rows() {
        let rows = vec![
            doc! { "name": "user_id_1", "host": "a:27017", "accesses": { "ops": 5_i64, "since": mongodb::bson::DateTime::now() } },
            doc! { "name": "user_id_1", "host": "b:27017", "accesses": { "ops": 2 } },
            doc! { "name": "_id_", "host": "a:27017", "accesses": { "ops": 0_i64 } },
        ];
        let usage = usage_of(&rows);
        assert_eq!(usage["user_id_1"], 7.0);
        assert_eq!(usage["_id_"], 0.0);
    }
}
