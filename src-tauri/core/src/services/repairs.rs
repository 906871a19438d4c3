//! Repairs for what the plugin inspector finds: documents no user's scoped
//! query reaches. Each repair has a dry run that lists exactly the
//! documents it will change; applying it is refused when that list has
//! changed since, so what changes is what the admin was shown. Ownerless
//! documents are given an owner through the scoped layer's adoption (the
//! one write whose filter cannot name an owner); orphans are exported to a
//! file, then deleted as their (missing) user's documents. Audited, and
//! refused read-only, like every write.

use std::collections::BTreeMap;
use std::io::Write;

use mongodb::bson::{doc, oid::ObjectId, Bson, Document};
use serde::{Deserialize, Serialize};
use serde_json::json;
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::scope::{PerUserCollection, UserScope};
use crate::db::users::Users;
use crate::db::write::WriteContext;
use crate::save_path::SavePath;
use crate::schema::MAX_PAGE;
use crate::services::browse::document_text;
use crate::services::plugins::{filter_of, orphans, plugin_collection, FindingKind};
use crate::services::user360::id_of;
use crate::{Error, Result};

/// Documents one run changes at most; a larger finding takes several runs.
pub const MAX_REPAIR: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Repair {
    /// An ObjectId `user_id` becomes the platform's hex string.
    ConvertUserIds,
    /// Documents without a `user_id` go to one user.
    AssignMissing { user_id: String },
    /// Documents of users that do not exist go to one user.
    ReassignOrphans { user_id: String },
    /// Documents of users that do not exist are exported, then deleted.
    DeleteOrphans,
}

impl Repair {
    fn finding(&self) -> FindingKind {
        match self {
            Repair::ConvertUserIds => FindingKind::WrongUserIdType,
            Repair::AssignMissing { .. } => FindingKind::MissingUserId,
            Repair::ReassignOrphans { .. } | Repair::DeleteOrphans => FindingKind::Orphan,
        }
    }

    fn operation(&self) -> &'static str {
        match self {
            Repair::ConvertUserIds => "repair_convert_user_ids",
            Repair::AssignMissing { .. } => "repair_assign_missing",
            Repair::ReassignOrphans { .. } => "repair_reassign_orphans",
            Repair::DeleteOrphans => "repair_delete_orphans",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RepairPlan {
    pub collection: String,
    /// Exactly how many documents applying it changes now.
    pub will_change: u32,
    /// Documents of the finding it leaves as they are, and why.
    pub left: u32,
    pub left_reason: Option<String>,
    pub sample_ids: Vec<String>,
    /// What to type back before a delete.
    pub confirmation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RepairOutcome {
    pub changed: u32,
    /// Documents written to the export file before a delete.
    pub exported: Option<u32>,
    /// The finding's count afterwards.
    pub remaining: u32,
    pub audit_warning: Option<String>,
}

/// The documents a repair changes, grouped by the `user_id` they hold now.
struct Targets {
    groups: BTreeMap<String, (Bson, Vec<Bson>)>,
    left: u64,
    left_reason: Option<String>,
}

impl Targets {
    fn count(&self) -> u64 {
        self.groups.values().map(|(_, ids)| ids.len() as u64).sum()
    }

    fn ids(&self) -> impl Iterator<Item = &Bson> {
        self.groups.values().flat_map(|(_, ids)| ids)
    }

    fn add(&mut self, from: &Bson, id: Bson) {
        let key = from.clone().into_relaxed_extjson().to_string();
        self.groups
            .entry(key)
            .or_insert_with(|| (from.clone(), Vec::new()))
            .1
            .push(id);
    }
}

async fn targets(conn: &Connection, name: &PerUserCollection, repair: &Repair) -> Result<Targets> {
    let reads = CrossUserReads::new(conn);
    let mut out = Targets {
        groups: BTreeMap::new(),
        left: 0,
        left_reason: None,
    };
    let find = |filter: Document| {
        reads.find(
            name,
            filter,
            doc! { "_id": 1 },
            MAX_PAGE,
            Some(doc! { "_id": 1, "user_id": 1 }),
        )
    };
    // `find` pages are capped at MAX_PAGE: page through by `_id`.
    let all = |filter: Document| async move {
        let mut docs: Vec<Document> = Vec::new();
        loop {
            let mut page_filter = filter.clone();
            if let Some(last) = docs.last().and_then(|d| d.get("_id")) {
                page_filter.insert("_id", doc! { "$gt": last.clone() });
            }
            let page = find(page_filter).await?;
            let done = page.is_empty();
            docs.extend(page);
            if done || docs.len() >= MAX_REPAIR as usize {
                docs.truncate(MAX_REPAIR as usize);
                return Ok::<_, Error>(docs);
            }
        }
    };
    match repair {
        Repair::ConvertUserIds => {
            for d in all(doc! { "user_id": { "$type": "objectId" } }).await? {
                out.add(
                    d.get("user_id").expect("matched on it"),
                    d.get("_id").cloned().unwrap_or(Bson::Null),
                );
            }
            let wrong = reads
                .count(name, filter_of(FindingKind::WrongUserIdType))
                .await?;
            out.left = wrong.saturating_sub(out.count());
            if out.left > 0 {
                out.left_reason = Some("their user_id is neither a string nor an ObjectId: no user id can be read from it".into());
            }
        }
        Repair::AssignMissing { .. } => {
            for d in all(filter_of(FindingKind::MissingUserId)).await? {
                out.add(&Bson::Null, d.get("_id").cloned().unwrap_or(Bson::Null));
            }
        }
        Repair::ReassignOrphans { .. } | Repair::DeleteOrphans => {
            let (lost, _) = orphans(conn, name).await?;
            for (owner, n) in lost {
                let reachable = ObjectId::parse_str(&owner).is_ok_and(|o| o.to_hex() == owner);
                if *repair == Repair::DeleteOrphans && !reachable {
                    out.left += n;
                    out.left_reason = Some(
                        "their user_id is not an id the platform writes: reassign them instead"
                            .into(),
                    );
                    continue;
                }
                let from = Bson::String(owner);
                for d in all(doc! { "user_id": from.clone() }).await? {
                    out.add(&from, d.get("_id").cloned().unwrap_or(Bson::Null));
                }
            }
        }
    }
    Ok(out)
}

fn confirmation(n: u64) -> String {
    format!("delete {n}")
}

pub async fn plan(conn: &Connection, collection: &str, repair: &Repair) -> Result<RepairPlan> {
    let name = plugin_collection(collection)?;
    if let Repair::AssignMissing { user_id } | Repair::ReassignOrphans { user_id } = repair {
        recipient(conn, user_id).await?;
    }
    let found = targets(conn, &name, repair).await?;
    let n = found.count();
    Ok(RepairPlan {
        collection: collection.into(),
        will_change: n as u32,
        left: found.left as u32,
        left_reason: found.left_reason.clone(),
        sample_ids: found
            .ids()
            .take(10)
            .map(|id| id_of(&doc! { "_id": id.clone() }))
            .collect(),
        confirmation: (*repair == Repair::DeleteOrphans && n > 0).then(|| confirmation(n)),
    })
}

/// The user documents are given to, who must exist.
async fn recipient(conn: &Connection, user_id: &str) -> Result<UserScope> {
    let scope = UserScope::parse(user_id)?;
    if Users::new(conn)
        .existing(&[scope.object_id()])
        .await?
        .is_empty()
    {
        return Err(Error::NotFound {
            what: format!("user {}", scope.user_id()),
        });
    }
    Ok(scope)
}

/// Applies the repair if it still changes exactly `expected` documents (its
/// dry run's count). A delete takes the typed-back confirmation and the
/// file the documents are exported to first.
pub async fn apply(
    conn: &Connection,
    audit: &AuditLog,
    collection: &str,
    repair: &Repair,
    expected: u32,
    confirmation_typed: Option<&str>,
    export: Option<&SavePath>,
) -> Result<RepairOutcome> {
    let name = plugin_collection(collection)?;
    let to = match repair {
        Repair::AssignMissing { user_id } | Repair::ReassignOrphans { user_id } => {
            Some(recipient(conn, user_id).await?)
        }
        _ => None,
    };
    let found = targets(conn, &name, repair).await?;
    let n = found.count();
    if n != u64::from(expected) {
        return Err(Error::Conflict {
            current: Some(format!(
                "{n} documents now, {expected} in the dry run: run it again"
            )),
        });
    }
    if n == 0 {
        return Err(Error::invalid("repair", "nothing to repair"));
    }
    let export = match repair {
        Repair::DeleteOrphans => {
            let wanted = confirmation(n);
            if confirmation_typed != Some(wanted.as_str()) {
                return Err(Error::ConfirmationRequired { expected: wanted });
            }
            Some(export.ok_or_else(|| {
                Error::invalid("path", "choose where the orphans are exported first")
            })?)
        }
        _ => None,
    };
    let ids: Vec<String> = found
        .ids()
        .map(|id| id_of(&doc! { "_id": id.clone() }))
        .collect();
    let change = |after: serde_json::Value| {
        Change::new(collection, &format!("{n} documents"), repair.operation()).values(
            json!({ "ids": ids.iter().take(100).collect::<Vec<_>>(), "count": n }),
            after,
        )
    };
    let ctx = WriteContext::begin(
        conn,
        audit,
        change(json!({ "to": to.as_ref().map(UserScope::user_id) })),
    )
    .await?;
    let mut exported = None;
    let mut changed = 0;
    for (from, ids) in found.groups.values() {
        for batch in ids.chunks(1_000) {
            changed += match (repair, &to) {
                (Repair::ConvertUserIds, _) => {
                    let Bson::ObjectId(owner) = from else {
                        continue;
                    };
                    UserScope::from_object_id(*owner)
                        .adopter(&ctx, name.clone())
                        .adopt(batch, from)
                        .await?
                        .modified
                }
                (Repair::DeleteOrphans, _) => 0,
                (_, Some(to)) => {
                    to.adopter(&ctx, name.clone())
                        .adopt(batch, from)
                        .await?
                        .modified
                }
                (_, None) => unreachable!("a recipient was checked above"),
            };
        }
    }
    if let (Repair::DeleteOrphans, Some(path)) = (repair, export) {
        exported = Some(export_then_delete(&ctx, &name, &found, path, &mut changed).await? as u32);
    }
    let audit_warning = ctx
        .done_after_applied(change(json!({ "changed": changed, "exported": exported })))
        .await;
    let remaining = crate::services::plugins::findings(conn, collection)
        .await?
        .findings
        .iter()
        .find(|f| f.kind == repair.finding())
        .map_or(0, |f| f.count as u32);
    Ok(RepairOutcome {
        changed: changed as u32,
        exported,
        remaining,
        audit_warning,
    })
}

/// Writes every orphan to the export file (one canonical Extended JSON
/// document per line, kept only once complete), then deletes them as
/// their missing users' documents. Returns how many were exported.
async fn export_then_delete(
    ctx: &WriteContext<'_>,
    name: &PerUserCollection,
    found: &Targets,
    path: &SavePath,
    deleted: &mut u64,
) -> Result<u64> {
    let file = path.partial("jsonl", "an export of orphans")?;
    let mut out = std::io::BufWriter::new(file.file()?);
    let mut exported = 0;
    for (from, ids) in found.groups.values() {
        let Bson::String(owner) = from else { continue };
        let scope = UserScope::parse(owner)?;
        let reader = scope.primary_owned_collection(ctx.conn(), name.clone());
        for batch in ids.chunks(100) {
            let page = reader
                .find(
                    doc! { "_id": { "$in": batch } },
                    crate::db::scope::Page::first(100),
                )
                .await?;
            for d in page {
                writeln!(out, "{}", document_text(d)).map_err(Error::storage)?;
                exported += 1;
            }
        }
    }
    out.flush().map_err(Error::storage)?;
    drop(out);
    if exported != found.count() {
        return Err(Error::Conflict {
            current: Some(format!(
                "{exported} of {} orphans could be read for the export: nothing was deleted",
                found.count()
            )),
        });
    }
    file.keep()?;
    for (from, ids) in found.groups.values() {
        let Bson::String(owner) = from else { continue };
        let writer = UserScope::parse(owner)?.owned_writer(ctx, name.clone());
        for batch in ids.chunks(1_000) {
            *deleted += writer.delete_many(doc! { "_id": { "$in": batch } }).await?;
        }
    }
    Ok(exported)
}
