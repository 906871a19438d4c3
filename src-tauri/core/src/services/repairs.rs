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
use crate::db::document_edit::unchanged_since_seen;
use crate::db::scope::{PerUserCollection, Unowned, UserScope};
use crate::db::users::Users;
use crate::db::write::WriteContext;
use crate::redact::document_text;
use crate::save_path::SavePath;
use crate::schema::MAX_PAGE;
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
    /// Which documents, exactly: the apply refuses if they changed.
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct RepairOutcome {
    pub changed: u32,
    /// Documents written to the export file before a delete.
    pub exported: Option<u32>,
    /// The finding's count afterwards; `None` when it could not be read again.
    pub remaining: Option<u32>,
    pub audit_warning: Option<String>,
}

/// The documents a repair changes, grouped by the `user_id` they hold now.
struct Targets {
    groups: BTreeMap<String, (Unowned, Vec<Bson>)>,
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

    fn add(&mut self, from: &Unowned, id: Bson) {
        let key = format!("{from:?}");
        self.groups
            .entry(key)
            .or_insert_with(|| (from.clone(), Vec::new()))
            .1
            .push(id);
    }

    /// At most [`MAX_REPAIR`] documents in one run; the rest are left for the next.
    fn cap(&mut self) {
        let mut room = MAX_REPAIR as usize;
        let mut cut = 0;
        for (_, ids) in self.groups.values_mut() {
            let keep = ids.len().min(room);
            cut += ids.len() - keep;
            ids.truncate(keep);
            room -= keep;
        }
        self.groups.retain(|_, (_, ids)| !ids.is_empty());
        if cut > 0 {
            self.left += cut as u64;
            self.left_reason = Some(format!(
                "one run changes at most {MAX_REPAIR}: run it again afterwards"
            ));
        }
    }

    /// Which documents, exactly: a digest of their sorted ids, so an apply
    /// changes what its dry run counted and nothing else.
    fn fingerprint(&self, repair: &Repair) -> String {
        use std::hash::{Hash, Hasher};
        let mut ids: Vec<String> = self.ids().map(|id| id.to_string()).collect();
        ids.sort();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        // The repair too: a dry run of one kind or recipient is not another's.
        format!("{repair:?}").hash(&mut hasher);
        ids.hash(&mut hasher);
        format!("{:016x}", hasher.finish())
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
                if let (Some(Bson::ObjectId(owner)), Some(id)) = (d.get("user_id"), d.get("_id")) {
                    out.add(&Unowned::ObjectIdForm(*owner), id.clone());
                }
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
                if let Some(id) = d.get("_id") {
                    out.add(&Unowned::Missing, id.clone());
                }
            }
        }
        Repair::ReassignOrphans { .. } | Repair::DeleteOrphans => {
            let (lost, truncated) = orphans(conn, name).await?;
            if truncated {
                out.left_reason = Some(
                    "the orphan check stopped at its bound: run the repair again afterwards".into(),
                );
            }
            // An id written otherwise (upper case, spaces) may name a user who
            // exists: those documents are theirs, not anyone's to take.
            let written_otherwise: Vec<ObjectId> = lost
                .iter()
                .filter_map(|(owner, _)| {
                    ObjectId::parse_str(owner.trim().to_ascii_lowercase()).ok()
                })
                .collect();
            let existing = Users::new(conn).existing(&written_otherwise).await?;
            for (owner, n) in lost {
                let named = ObjectId::parse_str(owner.trim().to_ascii_lowercase()).ok();
                if named.is_some_and(|o| existing.contains(&o)) {
                    out.left += n;
                    out.left_reason = Some(
                        "their user_id names an existing user, written otherwise (case, spaces): they are that user's"
                            .into(),
                    );
                    continue;
                }
                let reachable = ObjectId::parse_str(&owner).is_ok_and(|o| o.to_hex() == owner);
                if *repair == Repair::DeleteOrphans && !reachable {
                    out.left += n;
                    out.left_reason = Some(
                        "their user_id is not an id the platform writes: reassign them instead"
                            .into(),
                    );
                    continue;
                }
                for d in all(doc! { "user_id": owner.as_str() }).await? {
                    if let Some(id) = d.get("_id") {
                        out.add(&Unowned::Orphan(owner.clone()), id.clone());
                    }
                }
                if out.count() >= u64::from(MAX_REPAIR) {
                    break;
                }
            }
        }
    }
    out.cap();
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
        fingerprint: found.fingerprint(repair),
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

/// Applies the repair if it still changes exactly the documents its dry run
/// listed (`fingerprint`). A delete takes the typed-back confirmation and
/// the file the documents are exported to first.
pub async fn apply(
    conn: &Connection,
    audit: &AuditLog,
    collection: &str,
    repair: &Repair,
    fingerprint: &str,
    confirmation_typed: Option<&str>,
    export: Option<&SavePath>,
) -> Result<RepairOutcome> {
    let name = plugin_collection(collection)?;
    // Said first: no dry-run comparison matters on a connection that cannot write.
    if conn.is_read_only() {
        return Err(Error::ReadOnly);
    }
    let to = match repair {
        Repair::AssignMissing { user_id } | Repair::ReassignOrphans { user_id } => {
            Some(recipient(conn, user_id).await?)
        }
        _ => None,
    };
    let found = targets(conn, &name, repair).await?;
    let n = found.count();
    if found.fingerprint(repair) != fingerprint {
        return Err(Error::Conflict {
            current: Some(format!(
                "the documents to repair changed since the dry run ({n} now): run it again"
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
    // What an export keeps of each orphan, read before anything is written.
    let backup = match export {
        Some(_) => Some(read_orphans(conn, &name, &found).await?),
        None => None,
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
                    let Unowned::ObjectIdForm(owner) = from else {
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
    if let (Some(path), Some(backup)) = (export, backup) {
        exported = Some(export_then_delete(&ctx, &name, path, backup, &mut changed).await? as u32);
    }
    let audit_warning = ctx
        .done_after_applied(change(json!({ "changed": changed, "exported": exported })))
        .await;
    // The repair is made: failing to count again does not unmake it.
    let remaining = crate::services::plugins::findings(conn, collection)
        .await
        .ok()
        .map(|report| {
            report
                .findings
                .iter()
                .find(|f| f.kind == repair.finding())
                .map_or(0, |f| f.count as u32)
        });
    Ok(RepairOutcome {
        changed: changed as u32,
        exported,
        remaining,
        audit_warning,
    })
}

/// The orphans as they are, one canonical Extended JSON line each: refused
/// when one holds a secret, which the line would keep only redacted (the
/// delete would then lose it).
async fn read_orphans(
    conn: &Connection,
    name: &PerUserCollection,
    found: &Targets,
) -> Result<Vec<(String, Document)>> {
    let mut lines = Vec::new();
    let mut with_secrets = 0;
    for (from, ids) in found.groups.values() {
        let Unowned::Orphan(owner) = from else {
            continue;
        };
        let reader = UserScope::parse(owner)?.primary_owned_collection(conn, name.clone());
        for batch in ids.chunks(100) {
            for d in reader
                .find(
                    doc! { "_id": { "$in": batch } },
                    crate::db::scope::Page::first(100),
                )
                .await?
            {
                let whole = Bson::Document(d.clone())
                    .into_canonical_extjson()
                    .to_string();
                let line = document_text(d.clone());
                if line != whole {
                    with_secrets += 1;
                }
                lines.push((owner.clone(), d));
            }
        }
    }
    if with_secrets > 0 {
        return Err(Error::Refused {
            reason: format!(
                "{with_secrets} of the orphans hold secrets an export keeps only redacted: reassign them instead"
            ),
        });
    }
    if lines.len() as u64 != found.count() {
        return Err(Error::Conflict {
            current: Some(format!(
                "{} of {} orphans could be read for the export: run the dry run again",
                lines.len(),
                found.count()
            )),
        });
    }
    Ok(lines)
}

/// Writes the orphans to the export file (kept only once complete), then
/// deletes each as its missing user's document if it is still as exported
/// (one changed since stays). How many were exported.
async fn export_then_delete(
    ctx: &WriteContext<'_>,
    name: &PerUserCollection,
    path: &SavePath,
    orphans: Vec<(String, Document)>,
    deleted: &mut u64,
) -> Result<u64> {
    let file = path.partial("jsonl", "an export of orphans")?;
    let mut out = std::io::BufWriter::new(file.file()?);
    for (_, d) in &orphans {
        writeln!(out, "{}", document_text(d.clone())).map_err(Error::storage)?;
    }
    out.flush().map_err(Error::storage)?;
    drop(out);
    file.keep()?;
    for (owner, d) in &orphans {
        let mut still_as_exported = doc! { "_id": d.get("_id").cloned().unwrap_or(Bson::Null) };
        still_as_exported.extend(unchanged_since_seen(d));
        // The scope puts the owner into the filter itself.
        still_as_exported.remove("user_id");
        *deleted += UserScope::parse(owner)?
            .owned_writer(ctx, name.clone())
            .delete_as_seen(still_as_exported)
            .await?;
    }
    Ok(orphans.len() as u64)
}
