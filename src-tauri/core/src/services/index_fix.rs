//! The index-health fix: build what the report says is missing (one index,
//! a collection's, or all), after a confirmation that lists exactly what
//! will be built; drop an index only once its name is typed back. A unique
//! index is never attempted over duplicate values: they are found first and
//! shown, and nothing is built. Every change goes through a write context.

use futures_util::stream::{self, StreamExt, TryStreamExt};
use mongodb::bson::Bson;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::indexes::{IndexSpec, IndexWriter, ID_INDEX};
use crate::db::write::WriteContext;
use crate::redact::document_to_json;
use crate::services::index_health::{
    compare, covered_collections, inspect, keys_text, owned, FixKind, Inspection, CONCURRENCY,
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

/// One index the fix would build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct PlannedIndex {
    pub collection: String,
    pub name: String,
    pub keys: String,
    pub unique: bool,
    pub expire_after_seconds: Option<f64>,
    /// The index dropped first because it has these keys with other options.
    pub replaces: Option<String>,
    /// Required by the platform; `false` for a suggestion.
    pub required: bool,
    /// Values more than one document holds: a unique index cannot be built
    /// until they are resolved.
    pub duplicates: Vec<DuplicateValue>,
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
        ) == (
            &other.collection,
            &other.name,
            &other.keys,
            other.unique,
            other.expire_after_seconds,
            &other.replaces,
            other.required,
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

/// What a fix did: the indexes built, in order, and where it stopped.
#[derive(Debug, Clone, Serialize, Type)]
pub struct FixOutcome {
    pub created: Vec<String>,
    pub failed: Option<FixFailure>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FixFailure {
    pub index: String,
    pub error: Error,
    /// Whether the index it replaces was put back.
    pub restored: Option<bool>,
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
    let mut all: Vec<Inspection> = stream::iter(names.into_iter().map(|n| inspect(conn, n)))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    all.sort_by(|a, b| a.collection.cmp(&b.collection));
    Ok(all)
}

fn planned(inspection: &Inspection) -> Vec<(PlannedIndex, IndexSpec)> {
    let checks = compare(
        &inspection.rules,
        &inspection.actual,
        None,
        &Default::default(),
    );
    inspection
        .rules
        .iter()
        .zip(&checks)
        .filter_map(|(rule, check)| {
            let fix = check.fix?;
            let keys = owned(rule.index.keys);
            let spec = IndexSpec {
                name: IndexSpec::default_name(&keys),
                keys,
                unique: rule.index.unique,
                expire_after_seconds: rule.index.expire_after_seconds,
            };
            let plan = PlannedIndex {
                collection: inspection.collection.clone(),
                name: spec.name.clone(),
                keys: keys_text(&spec.keys),
                unique: spec.unique,
                expire_after_seconds: spec.expire_after_seconds.map(f64::from),
                replaces: match fix {
                    FixKind::Replace => check.name.clone(),
                    FixKind::Create => None,
                },
                required: rule.required,
                duplicates: Vec::new(),
            };
            Some((plan, spec))
        })
        .collect()
}

async fn with_duplicates(
    conn: &Connection,
    (mut plan, spec): (PlannedIndex, IndexSpec),
) -> Result<(PlannedIndex, IndexSpec)> {
    if spec.unique {
        let fields: Vec<String> = spec.keys.iter().map(|(k, _)| k.clone()).collect();
        plan.duplicates = CrossUserReads::new(conn)
            .duplicates(&plan.collection, &fields, DUPLICATES_SHOWN)
            .await?
            .into_iter()
            .map(|g| DuplicateValue {
                value: document_to_json(g.values).to_string(),
                count: g.count as f64,
            })
            .collect();
    }
    Ok((plan, spec))
}

async fn plans(conn: &Connection, scope: &FixScope) -> Result<Vec<(PlannedIndex, IndexSpec)>> {
    let mut plans: Vec<(PlannedIndex, IndexSpec)> = inspections(conn, scope)
        .await?
        .iter()
        .flat_map(planned)
        .collect();
    if let FixScope::One { keys, .. } = scope {
        plans.retain(|(p, _)| &p.keys == keys);
        if plans.is_empty() {
            return Err(Error::NotFound {
                what: format!("an index to build with keys {keys}"),
            });
        }
    }
    stream::iter(plans.into_iter().map(|p| with_duplicates(conn, p)))
        .buffered(CONCURRENCY)
        .try_collect()
        .await
}

/// What the fix would build for `scope`, with the duplicate values that
/// would stop each unique index. Reads only.
pub async fn plan(conn: &Connection, scope: &FixScope) -> Result<Vec<PlannedIndex>> {
    Ok(plans(conn, scope)
        .await?
        .into_iter()
        .map(|(p, _)| p)
        .collect())
}

/// Builds exactly what the confirmation listed (`confirmed`, from
/// [`plan`]): if the plan has changed since, nothing is done; if any unique
/// index would meet duplicates, nothing is built and they are the error.
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
    let (now, specs): (Vec<PlannedIndex>, Vec<IndexSpec>) =
        plans(conn, scope).await?.into_iter().unzip();
    let unchanged =
        now.len() == confirmed.len() && now.iter().zip(confirmed).all(|(a, b)| a.same_work(b));
    if !unchanged {
        return Err(Error::Conflict {
            current: Some(
                now.iter()
                    .map(PlannedIndex::label)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        });
    }
    if let Some(blocked) = now.iter().find(|p| !p.duplicates.is_empty()) {
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
    let described = json!(now.iter().map(PlannedIndex::label).collect::<Vec<_>>());
    let intent =
        Change::new(scope_target(scope), "", "create_indexes").values(Value::Null, described);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let writer = IndexWriter::new(&ctx);
    let total = now.len() as u32;
    let mut outcome = FixOutcome {
        created: Vec::new(),
        failed: None,
    };
    for (plan, spec) in now.iter().zip(&specs) {
        if let Err(failure) = build(conn, &writer, plan, spec).await {
            outcome.failed = Some(failure);
            break;
        }
        outcome.created.push(plan.label());
        progress(FixProgress {
            done: outcome.created.len() as u32,
            total,
            index: plan.label(),
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

/// One index: drop what it replaces, build it, and put the old one back
/// (from its whole description, so with all its options) if the build fails.
async fn build(
    conn: &Connection,
    writer: &IndexWriter<'_>,
    plan: &PlannedIndex,
    spec: &IndexSpec,
) -> std::result::Result<(), FixFailure> {
    let failure = |error: Error, restored| FixFailure {
        index: plan.label(),
        error,
        restored,
    };
    let old = match &plan.replaces {
        Some(name) => {
            let actual = CrossUserReads::new(conn)
                .indexes(&plan.collection)
                .await
                .map_err(|e| failure(e, None))?;
            let old = actual.into_iter().find(|i| &i.name == name);
            if old.is_some() {
                writer
                    .drop(&plan.collection, name)
                    .await
                    .map_err(|e| failure(e, None))?;
            }
            old
        }
        None => None,
    };
    match writer.create(&plan.collection, spec).await {
        Ok(()) => Ok(()),
        Err(error) => {
            let restored = match &old {
                Some(old) => Some(
                    writer
                        .create_from_spec(&plan.collection, &old.spec)
                        .await
                        .is_ok(),
                ),
                None => None,
            };
            Err(failure(error, restored))
        }
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
    let dropped = IndexWriter::new(&ctx).drop(collection, name).await;
    let outcome = match &dropped {
        Ok(()) => json!({ "dropped": name }),
        Err(e) => json!({ "error": e.code() }),
    };
    ctx.done(Change::new(collection, name, "drop_index").values(before, outcome))
        .await?;
    dropped
}
