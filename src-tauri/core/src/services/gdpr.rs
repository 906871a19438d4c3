//! Per-user export and erase (GDPR): everything the database holds for one
//! user, gathered through the scoped layer. Export is a read (audited, and
//! possible on a read-only connection) streamed to a private file; erase
//! shows its plan first, needs the user's email typed back, and audits its
//! intent before the first delete.

use std::io::Write;

use mongodb::bson::doc;
use serde::Serialize;
use serde_json::Value;
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::scope::{PerUserCollection, UserScope};
use crate::db::users::{Fields, Users};
use crate::db::write::WriteContext;
use crate::redact::document_to_json;
use crate::save_path::SavePath;
use crate::schema::{PER_USER_CORE, SUPERADMIN};
use crate::services::user360;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct CollectionCount {
    pub collection: String,
    pub count: f64,
}

/// What erase deletes (as a dry run) or deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct ErasePlan {
    pub user_id: String,
    /// Empty when the user has none, or is already gone.
    pub email: String,
    /// What the admin types back to confirm: the email, or the user's id
    /// when there is no email to type (none stored, or a resumed erase).
    pub confirm_with: String,
    /// The user document is already gone: an earlier erase stopped
    /// part-way, and this one deletes what is left by `user_id`.
    pub resumed: bool,
    pub collections: Vec<CollectionCount>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportProgress {
    pub collection: String,
    pub documents: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ExportReport {
    pub path: String,
    pub collections: Vec<CollectionCount>,
}

/// `settings`, `notifications` and every plugin collection (not views).
async fn per_user_collections(conn: &Connection) -> Result<Vec<PerUserCollection>> {
    let mut names: Vec<String> = PER_USER_CORE.iter().map(|n| n.to_string()).collect();
    names.extend(user360::plugin_collections(conn).await?);
    names.iter().map(|n| PerUserCollection::parse(n)).collect()
}

fn not_found(user: &UserScope) -> Error {
    Error::NotFound {
        what: format!("user {}", user.user_id()),
    }
}

pub async fn erase_plan(conn: &Connection, user: &UserScope) -> Result<ErasePlan> {
    plan(conn, user, &Users::new(conn), false).await
}

/// The plan, read through `users` and, `on_primary`, the per-user
/// collections' primary (the erase's own plan decides what it deletes).
async fn plan(
    conn: &Connection,
    user: &UserScope,
    users: &Users<'_>,
    on_primary: bool,
) -> Result<ErasePlan> {
    let found = users
        .find_one(user.object_id(), &Fields::of(&["email"]))
        .await?;
    let mut collections = Vec::new();
    for name in per_user_collections(conn).await? {
        let owned = match on_primary {
            true => user.primary_owned_collection(conn, name.clone()),
            false => user.owned_collection(conn, name.clone()),
        };
        collections.push(CollectionCount {
            collection: name.as_str().into(),
            count: owned.count(doc! {}).await? as f64,
        });
    }
    let left = collections.iter().any(|c| c.count > 0.0);
    if found.is_none() && !left {
        return Err(not_found(user));
    }
    collections.push(CollectionCount {
        collection: "users".into(),
        count: if found.is_some() { 1.0 } else { 0.0 },
    });
    // An email that is missing, empty or not a string cannot be typed back.
    let email = found
        .as_ref()
        .and_then(|d| d.get_str("email").ok())
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    Ok(ErasePlan {
        user_id: user.user_id().into(),
        confirm_with: match email.is_empty() {
            true => user.user_id().into(),
            false => email.clone(),
        },
        email,
        resumed: found.is_none(),
        collections,
    })
}

/// Writes one JSON file: the user (password hash left out, secrets
/// redacted) and every per-user collection's documents for the user,
/// streamed a document at a time into a file only the OS user can read,
/// and only to a `.json` path the save dialog gave.
pub async fn export(
    conn: &Connection,
    audit: &AuditLog,
    user: &UserScope,
    path: &SavePath,
    mut progress: impl FnMut(ExportProgress),
) -> Result<ExportReport> {
    let tmp = path.partial("json", "an export")?;
    let path = tmp.target().to_path_buf();
    let user_doc = Users::new(conn)
        .find_for_export(user.object_id())
        .await?
        .ok_or_else(|| not_found(user))?;
    let target = serde_json::json!({ "path": path.display().to_string() });
    audit
        .record_read(
            conn,
            "intent",
            Change::new("users", user.user_id(), "export_user").values(Value::Null, target),
        )
        .await?;
    let mut out = std::io::BufWriter::new(tmp.file()?);
    let header = serde_json::json!({
        "exported_at": chrono::Utc::now().to_rfc3339(),
        "database": conn.profile().database_name(),
        "user": document_to_json(user_doc),
    });
    let header = serde_json::to_string(&header)?;
    // The header object, reopened to append the collections one by one.
    write!(out, "{},\"collections\":{{", &header[..header.len() - 1]).map_err(Error::storage)?;
    let mut counts = Vec::new();
    for (i, name) in per_user_collections(conn).await?.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        write!(out, "{sep}{}:[", serde_json::to_string(name.as_str())?).map_err(Error::storage)?;
        let mut first = true;
        let n = user
            .owned_collection(conn, name.clone())
            .for_each(doc! {}, doc! { "_id": 1 }, None, |d| {
                let sep = if std::mem::take(&mut first) { "" } else { "," };
                let text = serde_json::to_string(&document_to_json(d))?;
                write!(out, "{sep}{text}").map_err(Error::storage)?;
                Ok(true)
            })
            .await?;
        out.write_all(b"]").map_err(Error::storage)?;
        progress(ExportProgress {
            collection: name.as_str().into(),
            documents: n as f64,
        });
        counts.push(CollectionCount {
            collection: name.as_str().into(),
            count: n as f64,
        });
    }
    out.write_all(b"}}\n").map_err(Error::storage)?;
    out.into_inner()
        .map_err(|e| Error::storage(e.error()))?
        .sync_all()
        .map_err(Error::storage)?;
    tmp.keep()?;
    audit
        .record_read(
            conn,
            "read",
            Change::new("users", user.user_id(), "export_user").values(
                Value::Null,
                serde_json::json!({ "path": path.display().to_string(), "collections": &counts }),
            ),
        )
        .await?;
    Ok(ExportReport {
        path: path.display().to_string(),
        collections: counts,
    })
}

/// Deletes the user and all their per-user documents. `confirmation` must
/// be the plan's `confirm_with` (the email, or the id when there is no
/// email); the last superadmin cannot be erased. The intent is audited
/// before the first delete and the exact counts after the last. An erase
/// that stops part-way says what it deleted; run again, it finishes by
/// `user_id` even when the user document is already gone (audited as
/// resumed).
pub async fn erase(
    conn: &Connection,
    audit: &AuditLog,
    user: &UserScope,
    confirmation: &str,
) -> Result<ErasePlan> {
    let users = Users::primary(conn);
    let plan = plan(conn, user, &users, true).await?;
    let typed = confirmation.trim();
    if typed.is_empty() || typed != plan.confirm_with {
        let what = if plan.confirm_with == plan.user_id {
            "id"
        } else {
            "email"
        };
        return Err(Error::invalid(
            "confirm_email",
            format!("does not match the user's {what}; nothing was deleted"),
        ));
    }
    let is_superadmin = !plan.resumed
        && users
            .find_one(user.object_id(), &Fields::of(&["roles"]))
            .await?
            .ok_or_else(|| not_found(user))?
            .get_array("roles")
            .is_ok_and(|r| r.iter().any(|x| x.as_str() == Some(SUPERADMIN)));
    if is_superadmin && users.other_superadmins(user.object_id()).await? == 0 {
        return Err(Error::LastSuperadmin);
    }
    let operation = if plan.resumed {
        "erase_user_resumed"
    } else {
        "erase_user"
    };
    let intent = Change::new("users", user.user_id(), operation)
        .values(serde_json::to_value(&plan.collections)?, Value::Null);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let mut deleted = Vec::new();
    match delete_all(&ctx, user, &plan, is_superadmin, &mut deleted).await {
        Ok(()) => {}
        Err(Stop::Restored(cause)) => {
            let outcome = serde_json::json!({ "restored": true, "cause": cause.code() });
            ctx.done(
                Change::new("users", user.user_id(), "erase_user_restored")
                    .values(Value::Null, outcome),
            )
            .await?;
            return Err(cause);
        }
        Err(Stop::Failed(e)) => {
            return Err(stopped(&ctx, user, operation, &plan, &deleted, e).await)
        }
        Err(Stop::Unrestored { cause, last }) => {
            return Err(unrestored(&ctx, user, &plan, cause, last).await)
        }
    }
    let planned = serde_json::to_value(&plan.collections)?;
    let result = ErasePlan {
        collections: deleted,
        ..plan
    };
    ctx.done(
        Change::new("users", user.user_id(), operation)
            .values(planned, serde_json::to_value(&result.collections)?),
    )
    .await?;
    Ok(result)
}

/// How the deletes stopped.
enum Stop {
    /// The superadmin came back (no other remained, or that could not be
    /// checked): nothing was erased. The cause is `LastSuperadmin` or the
    /// check's error.
    Restored(Error),
    /// A delete failed; what went before is in `deleted`.
    Failed(Error),
    /// The superadmin's document was deleted and could not be put back;
    /// `last`: no other superadmin remains (else, that is unknown).
    Unrestored { cause: Error, last: bool },
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Failed(e)
    }
}

/// The deletes, each count pushed to `deleted` as it is done. A superadmin
/// goes first, and comes back if two erases raced and took the last one
/// (or the check for another failed); anyone else goes last, and only if
/// not promoted meanwhile.
async fn delete_all(
    ctx: &WriteContext<'_>,
    user: &UserScope,
    plan: &ErasePlan,
    is_superadmin: bool,
    deleted: &mut Vec<CollectionCount>,
) -> std::result::Result<(), Stop> {
    let writer = Users::writer(ctx);
    let count = |collection: &str, n: u64| CollectionCount {
        collection: collection.into(),
        count: n as f64,
    };
    if is_superadmin {
        let gone = writer
            .delete_if(user.object_id(), doc! {})
            .await?
            .ok_or_else(|| not_found(user))?;
        // The last one, or unknown (the check failed): the user comes back.
        let others = writer.reader().other_superadmins(user.object_id()).await;
        if !matches!(others, Ok(n) if n > 0) {
            let last = others.is_ok();
            let cause = others.err().unwrap_or(Error::LastSuperadmin);
            return Err(match writer.put_back(gone).await {
                Ok(()) => Stop::Restored(cause),
                Err(failed) => Stop::Unrestored {
                    cause: failed,
                    last,
                },
            });
        }
        deleted.push(count("users", 1));
    }
    for name in per_user_collections(ctx.conn()).await? {
        let n = user
            .owned_writer(ctx, name.clone())
            .delete_many(doc! {})
            .await?;
        deleted.push(count(name.as_str(), n));
    }
    if !is_superadmin {
        let n = match plan.resumed {
            true => 0,
            false => {
                let not_promoted = doc! { "roles": { "$ne": SUPERADMIN } };
                writer
                    .delete_if(user.object_id(), not_promoted)
                    .await?
                    .map_or(0, |_| 1)
            }
        };
        deleted.push(count("users", n));
    }
    Ok(())
}

/// A superadmin's document deleted and not put back: audited, and told
/// without the "erase again" of a stop (a retry would not bring them back).
async fn unrestored(
    ctx: &WriteContext<'_>,
    user: &UserScope,
    plan: &ErasePlan,
    cause: Error,
    last: bool,
) -> Error {
    let outcome = serde_json::json!({
        "deleted": [{ "collection": "users", "count": 1 }],
        "put_back_failed": true,
        "no_other_superadmin": last,
        "error": cause.code(),
    });
    let change = Change::new("users", user.user_id(), "erase_user").values(
        serde_json::to_value(&plan.collections).unwrap_or_default(),
        outcome,
    );
    if let Err(audit) = ctx.done(change).await {
        log::error!("audit of an unrestored superadmin failed: {}", audit.code());
    }
    let why = match last {
        true => "no other superadmin remains, and putting the user back failed",
        false => "checking for another superadmin failed, and putting the user back failed too",
    };
    let next = match last {
        true => "Restore this user from a backup: erasing again would not bring them back.",
        false => "Check that another superadmin remains before erasing again.",
    };
    Error::PartlyApplied {
        message: format!(
            "The user document was deleted, but {why} ({}). Nothing else was erased. {next}",
            cause.code()
        ),
        matched: 1.0,
        modified: 1.0,
        stopped_at_user: user.user_id().to_string(),
        cause: cause.code().to_string(),
    }
}

/// An erase stopped part-way: audited with what it deleted, and told as
/// `partly_applied` with the way to finish.
async fn stopped(
    ctx: &WriteContext<'_>,
    user: &UserScope,
    operation: &str,
    plan: &ErasePlan,
    deleted: &[CollectionCount],
    error: Error,
) -> Error {
    let outcome = serde_json::json!({
        "deleted": deleted,
        "stopped_change": if error.write_may_have_applied() { "unknown" } else { "not_applied" },
        "error": error.code(),
    });
    if let Err(audit) = ctx
        .done(Change::new("users", user.user_id(), operation).values(
            serde_json::to_value(&plan.collections).unwrap_or_default(),
            outcome,
        ))
        .await
    {
        log::error!("audit of a stopped {operation} failed: {}", audit.code());
    }
    if deleted.is_empty() && !error.write_may_have_applied() {
        return error; // nothing was deleted: the error says it all
    }
    let total: f64 = deleted.iter().map(|c| c.count).sum();
    let done: Vec<String> = deleted
        .iter()
        .map(|c| format!("{} {}", c.count, c.collection))
        .collect();
    let cause = match &error {
        Error::ConnectionLost { .. } => "the database server stopped answering".to_string(),
        other => other.to_string(),
    };
    Error::PartlyApplied {
        message: format!(
            "The erase stopped ({cause}). Deleted before that: {}. Erase again to finish: \
             it deletes what is left for this user id, even once the user document is gone.",
            if done.is_empty() {
                "nothing known".to_string()
            } else {
                done.join(", ")
            }
        ),
        matched: total,
        modified: total,
        stopped_at_user: user.user_id().to_string(),
        cause: error.code().to_string(),
    }
}
