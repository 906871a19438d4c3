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
    pub email: String,
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
    let found = Users::new(conn)
        .find_one(user.object_id(), &Fields::of(&["email"]))
        .await?
        .ok_or_else(|| not_found(user))?;
    let mut collections = Vec::new();
    for name in per_user_collections(conn).await? {
        let count = user
            .owned_collection(conn, name.clone())
            .count(doc! {})
            .await?;
        collections.push(CollectionCount {
            collection: name.as_str().into(),
            count: count as f64,
        });
    }
    collections.push(CollectionCount {
        collection: "users".into(),
        count: 1.0,
    });
    Ok(ErasePlan {
        user_id: user.user_id().into(),
        email: found.get_str("email").unwrap_or_default().into(),
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
            .for_each(|d| {
                let sep = if std::mem::take(&mut first) { "" } else { "," };
                let text = serde_json::to_string(&document_to_json(d))?;
                write!(out, "{sep}{text}").map_err(Error::storage)
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

/// Deletes the user and all their per-user documents. `confirm_email` must
/// equal the user's email; the last superadmin cannot be erased. The intent
/// is audited before the first delete and the exact counts after the last.
pub async fn erase(
    conn: &Connection,
    audit: &AuditLog,
    user: &UserScope,
    confirm_email: &str,
) -> Result<ErasePlan> {
    let plan = erase_plan(conn, user).await?;
    if confirm_email.trim() != plan.email {
        return Err(Error::invalid(
            "confirm_email",
            "does not match the user's email; nothing was deleted",
        ));
    }
    let users = Users::new(conn);
    let roles = users
        .find_one(user.object_id(), &Fields::of(&["roles"]))
        .await?
        .ok_or_else(|| not_found(user))?;
    let is_superadmin = roles
        .get_array("roles")
        .is_ok_and(|r| r.iter().any(|x| x.as_str() == Some(SUPERADMIN)));
    if is_superadmin && users.other_superadmins(user.object_id()).await? == 0 {
        return Err(Error::LastSuperadmin);
    }
    let intent = Change::new("users", user.user_id(), "erase_user")
        .values(serde_json::to_value(&plan.collections)?, Value::Null);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let writer = Users::writer(&ctx);
    // A superadmin goes first, and comes back if two erases raced and took
    // the last one; anyone else goes last, and only if not promoted meanwhile.
    let mut users_deleted = 0;
    if is_superadmin {
        let deleted = writer
            .delete_if(user.object_id(), doc! {})
            .await?
            .ok_or_else(|| not_found(user))?;
        if writer.reader().other_superadmins(user.object_id()).await? == 0 {
            writer.put_back(deleted).await?;
            ctx.done(Change::new("users", user.user_id(), "erase_user_restored"))
                .await?;
            return Err(Error::LastSuperadmin);
        }
        users_deleted = 1;
    }
    let mut deleted = Vec::new();
    for name in per_user_collections(conn).await? {
        let n = user
            .owned_writer(&ctx, name.clone())
            .delete_many(doc! {})
            .await?;
        deleted.push(CollectionCount {
            collection: name.as_str().into(),
            count: n as f64,
        });
    }
    if !is_superadmin {
        let not_promoted = doc! { "roles": { "$ne": SUPERADMIN } };
        users_deleted = writer
            .delete_if(user.object_id(), not_promoted)
            .await?
            .map_or(0, |_| 1);
    }
    deleted.push(CollectionCount {
        collection: "users".into(),
        count: f64::from(users_deleted),
    });
    let result = ErasePlan {
        user_id: plan.user_id,
        email: plan.email,
        collections: deleted,
    };
    ctx.done(Change::new("users", user.user_id(), "erase_user").values(
        serde_json::to_value(&plan.collections)?,
        serde_json::to_value(&result.collections)?,
    ))
    .await?;
    Ok(result)
}
