//! Per-user export and erase (GDPR): everything the database holds for one
//! user, gathered through the scoped layer; erase shows its plan first and
//! needs the user's email typed back.

use std::path::Path;

use mongodb::bson::{doc, Bson, Document};
use serde::Serialize;
use serde_json::{Map, Value};
use specta::Type;

use crate::audit::{redact, AuditLog, Change};
use crate::connection::{Connection, WriteAccess};
use crate::scope::{PerUserCollection, UserScope};
use crate::{user360, Error, Result};

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

async fn per_user_collections(conn: &Connection) -> Result<Vec<PerUserCollection>> {
    let mut names = vec!["settings".to_string(), "notifications".to_string()];
    names.extend(user360::plugin_collections(conn).await?);
    names.iter().map(|n| PerUserCollection::parse(n)).collect()
}

async fn user_document(conn: &Connection, user: &UserScope) -> Result<Document> {
    conn.database()
        .collection::<Document>("users")
        .find_one(doc! { "_id": user.object_id() })
        .projection(doc! { "password_hash": 0 })
        .await?
        .ok_or_else(|| Error::NotFound {
            what: format!("user {}", user.user_id()),
        })
}

pub async fn erase_plan(conn: &Connection, user: &UserScope) -> Result<ErasePlan> {
    let email = user_document(conn, user)
        .await?
        .get_str("email")
        .unwrap_or_default()
        .to_string();
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
        email,
        collections,
    })
}

fn to_value(d: Document) -> Value {
    Bson::Document(d).into_relaxed_extjson()
}

/// Writes one JSON file: the user (password hash left out, secrets
/// redacted) and every per-user collection's documents for the user.
pub async fn export(
    conn: &Connection,
    write: &WriteAccess<'_>,
    audit: &AuditLog,
    user: &UserScope,
    path: &Path,
    mut progress: impl FnMut(ExportProgress),
) -> Result<ExportReport> {
    let mut user_value = to_value(user_document(conn, user).await?);
    redact(&mut user_value);
    let mut collections = Map::new();
    let mut counts = Vec::new();
    for name in per_user_collections(conn).await? {
        let docs = user.owned_collection(conn, name.clone()).all().await?;
        progress(ExportProgress {
            collection: name.as_str().into(),
            documents: docs.len() as f64,
        });
        counts.push(CollectionCount {
            collection: name.as_str().into(),
            count: docs.len() as f64,
        });
        let mut values: Vec<Value> = docs.into_iter().map(to_value).collect();
        values.iter_mut().for_each(redact);
        collections.insert(name.as_str().into(), Value::Array(values));
    }
    let file = serde_json::json!({
        "exported_at": chrono::Utc::now().to_rfc3339(),
        "database": write.profile().database_name(),
        "user": user_value,
        "collections": collections,
    });
    std::fs::write(path, serde_json::to_vec_pretty(&file)?).map_err(Error::storage)?;
    audit
        .record(
            write,
            Change::new("users", user.user_id(), "export_user").values(
                Value::Null,
                serde_json::json!({ "path": path.display().to_string() }),
            ),
        )
        .await?;
    Ok(ExportReport {
        path: path.display().to_string(),
        collections: counts,
    })
}

/// Deletes the user and all their per-user documents. `confirm_email` must
/// equal the user's email. Returns the exact counts deleted.
pub async fn erase(
    conn: &Connection,
    write: &WriteAccess<'_>,
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
    let mut deleted = Vec::new();
    for name in per_user_collections(conn).await? {
        let n = user
            .owned_collection(conn, name.clone())
            .delete_many(write, doc! {})
            .await?;
        deleted.push(CollectionCount {
            collection: name.as_str().into(),
            count: n as f64,
        });
    }
    let users = conn
        .database()
        .collection::<Document>("users")
        .delete_one(doc! { "_id": user.object_id() })
        .await?;
    deleted.push(CollectionCount {
        collection: "users".into(),
        count: users.deleted_count as f64,
    });
    let result = ErasePlan {
        user_id: plan.user_id,
        email: plan.email,
        collections: deleted,
    };
    audit
        .record(
            write,
            Change::new("users", user.user_id(), "erase_user").values(
                serde_json::to_value(&plan.collections)?,
                serde_json::to_value(&result.collections)?,
            ),
        )
        .await?;
    Ok(result)
}
