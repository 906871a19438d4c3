//! The `users` collection: list, search, one user's detail and safe edits.
//! `password_hash` is never read: projections leave it out and "password
//! set" is answered by the server.

use std::time::Duration;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, oid::ObjectId, Bson, Document, Regex};
use mongodb::options::{FindOptions, Hint};
use mongodb::Collection;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::audit::{AuditLog, Change};
use crate::connection::{Connection, WriteAccess};
use crate::scope::{UserScope, MAX_PAGE};
use crate::{dates, Error, Result};

pub const ROLES: [&str; 3] = ["user", "admin", "superadmin"];
pub const TIERS: [&str; 4] = ["free", "basic", "premium", "enterprise"];
/// How long a total count may run before the list settles for an estimate.
const COUNT_TIME_LIMIT: Duration = Duration::from_secs(5);
const SEARCH_LIMIT: i64 = 20;

/// A row of the users table: only the fields the table shows.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub username: String,
    pub roles: Vec<String>,
    pub tier: Option<String>,
    pub expires_at: Option<String>,
    pub created_at: Option<String>,
    pub last_login: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum UserSortField {
    CreatedAt,
    LastLogin,
    Email,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionState {
    Active,
    Expired,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct UserQuery {
    /// Zero-based page number.
    pub page: u32,
    /// Capped at 100 whatever is asked.
    pub page_size: u32,
    pub sort: UserSortField,
    pub descending: bool,
    pub role: Option<String>,
    pub tier: Option<String>,
    pub subscription: Option<SubscriptionState>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// Users whose last login is before this date (or who never logged in).
    pub last_login_before: Option<String>,
}

/// The first page of 25, newest first, unfiltered.
impl Default for UserQuery {
    fn default() -> Self {
        UserQuery {
            page: 0,
            page_size: 25,
            sort: UserSortField::CreatedAt,
            descending: true,
            role: None,
            tier: None,
            subscription: None,
            created_from: None,
            created_to: None,
            last_login_before: None,
        }
    }
}

/// A total that is exact when it could be counted in time; past that, the
/// collection's estimate when unfiltered, and unknown (`None`) when filtered.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Total {
    pub value: Option<f64>,
    pub exact: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    pub page: u32,
    pub page_size: u32,
    pub total: Total,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct UserDetail {
    pub id: String,
    pub email: String,
    pub username: String,
    pub roles: Vec<String>,
    pub tier: Option<String>,
    pub expires_at: Option<String>,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
    pub bio: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub last_login: Option<String>,
    /// Whether a password hash is stored; the hash itself never leaves the server.
    pub password_set: bool,
}

/// An edit of the fields admins may change.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct UserEdit {
    pub roles: Vec<String>,
    pub tier: Option<String>,
    pub expires_at: Option<String>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
}

const ROW_FIELDS: [&str; 8] = [
    "_id",
    "email",
    "username",
    "roles",
    "subscription",
    "created_at",
    "last_login",
    "updated_at",
];

fn projection(fields: &[&str]) -> Document {
    fields
        .iter()
        .map(|f| (f.to_string(), Bson::Int32(1)))
        .collect()
}

fn users(conn: &Connection) -> Collection<Document> {
    conn.database().collection("users")
}

fn row(d: &Document) -> UserRow {
    let sub = d.get_document("subscription").ok();
    UserRow {
        id: d
            .get_object_id("_id")
            .map(|i| i.to_hex())
            .unwrap_or_default(),
        email: d.get_str("email").unwrap_or_default().into(),
        username: d.get_str("username").unwrap_or_default().into(),
        roles: strings(d.get("roles")),
        tier: sub.and_then(|s| s.get_str("tier").ok()).map(Into::into),
        expires_at: dates::to_iso(sub.and_then(|s| s.get("expires_at"))),
        created_at: dates::to_iso(d.get("created_at")),
        last_login: dates::to_iso(d.get("last_login")),
    }
}

fn strings(value: Option<&Bson>) -> Vec<String> {
    match value {
        Some(Bson::Array(items)) => items
            .iter()
            .filter_map(|b| b.as_str().map(Into::into))
            .collect(),
        _ => Vec::new(),
    }
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

/// `field` within the bounds whether stored as a BSON date (the seed) or
/// as an ISO-8601 UTC string (the seed guide's documents, older data).
fn date_range(field: &str, bounds: &[(&str, chrono::DateTime<chrono::Utc>)]) -> Document {
    let mut as_date = Document::new();
    let mut as_text = doc! { "$type": "string" };
    for (op, at) in bounds {
        as_date.insert(*op, mongodb::bson::DateTime::from_chrono(*at));
        as_text.insert(*op, at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    doc! { "$or": [ { field: as_date }, { field: as_text } ] }
}

impl UserQuery {
    fn filter(&self) -> Result<Document> {
        let mut f = Document::new();
        if let Some(role) = &self.role {
            one_of("role", role, &ROLES)?;
            f.insert("roles", role);
        }
        if let Some(tier) = &self.tier {
            one_of("tier", tier, &TIERS)?;
            f.insert("subscription.tier", tier);
        }
        let now = chrono::Utc::now();
        let mut all = Vec::new();
        match self.subscription {
            Some(SubscriptionState::Active) => {
                all.push(date_range("subscription.expires_at", &[("$gte", now)]))
            }
            Some(SubscriptionState::Expired) => {
                all.push(date_range("subscription.expires_at", &[("$lt", now)]))
            }
            None => {}
        }
        let mut created = Vec::new();
        if let Some(from) = &self.created_from {
            created.push(("$gte", dates::parse("created_from", from)?));
        }
        if let Some(to) = &self.created_to {
            created.push(("$lte", dates::parse("created_to", to)?));
        }
        if !created.is_empty() {
            all.push(date_range("created_at", &created));
        }
        if let Some(before) = &self.last_login_before {
            let before = dates::parse("last_login_before", before)?;
            let mut either = date_range("last_login", &[("$lt", before)]);
            if let Ok(forms) = either.get_array_mut("$or") {
                forms.push(Bson::Document(doc! { "last_login": Bson::Null }));
            }
            all.push(either);
        }
        if !all.is_empty() {
            f.insert("$and", all);
        }
        Ok(f)
    }

    fn sort(&self) -> Document {
        let field = match self.sort {
            UserSortField::CreatedAt => "created_at",
            UserSortField::LastLogin => "last_login",
            UserSortField::Email => "email",
        };
        let direction = if self.descending { -1 } else { 1 };
        // _id breaks ties so pages never overlap or skip.
        doc! { field: direction, "_id": direction }
    }
}

pub async fn list(conn: &Connection, query: &UserQuery) -> Result<UserPage> {
    let filter = query.filter()?;
    let page_size = query.page_size.clamp(1, MAX_PAGE);
    let options = FindOptions::builder()
        .projection(projection(&ROW_FIELDS))
        .sort(query.sort())
        .skip(u64::from(query.page) * u64::from(page_size))
        .limit(i64::from(page_size))
        .build();
    let rows: Vec<Document> = users(conn)
        .find(filter.clone())
        .with_options(options)
        .await?
        .try_collect()
        .await?;
    Ok(UserPage {
        rows: rows.iter().map(row).collect(),
        page: query.page,
        page_size,
        total: total(conn, filter).await?,
    })
}

/// Counts within [`COUNT_TIME_LIMIT`]; past it, the collection's estimate,
/// marked inexact (an unbounded count can run for minutes on large data).
async fn total(conn: &Connection, filter: Document) -> Result<Total> {
    let coll = users(conn);
    let mut count = coll
        .count_documents(filter.clone())
        .max_time(COUNT_TIME_LIMIT);
    if filter.is_empty() {
        count = count.hint(Hint::Name("_id_".into()));
    }
    match count.await {
        Ok(n) => Ok(Total {
            value: Some(n as f64),
            exact: true,
        }),
        Err(e) if is_time_limit(&e) && filter.is_empty() => Ok(Total {
            value: Some(coll.estimated_document_count().await? as f64),
            exact: false,
        }),
        Err(e) if is_time_limit(&e) => Ok(Total {
            value: None,
            exact: false,
        }),
        Err(e) => Err(e.into()),
    }
}

/// MongoDB's `MaxTimeMSExpired`.
fn is_time_limit(e: &mongodb::error::Error) -> bool {
    matches!(&*e.kind, mongodb::error::ErrorKind::Command(c) if c.code == 50)
}

/// Anchored, escaped prefix: an index on the field can serve it.
fn prefix(text: &str) -> Regex {
    Regex {
        pattern: format!("^{}", regex_escape(text)),
        options: String::new(),
    }
}

pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}-/#&~ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One box for an email, a username (prefixes of both) or a `users._id`.
/// 24 hex digits are taken as an id; a string that merely looks like a
/// malformed id (`id:...`) gets a typed error and sends no query.
pub async fn search(conn: &Connection, text: &str) -> Result<Vec<UserRow>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let filter = if let Some(raw) = text.strip_prefix("id:") {
        doc! { "_id": UserScope::parse(raw)?.object_id() }
    } else if let Ok(id) = ObjectId::parse_str(text) {
        doc! { "_id": id }
    } else if text.contains('@') {
        doc! { "email": prefix(&text.to_lowercase()) }
    } else {
        doc! { "$or": [ { "username": prefix(text) }, { "email": prefix(&text.to_lowercase()) } ] }
    };
    let options = FindOptions::builder()
        .projection(projection(&ROW_FIELDS))
        .sort(doc! { "email": 1 })
        .limit(SEARCH_LIMIT)
        .build();
    let found: Vec<Document> = users(conn)
        .find(filter)
        .with_options(options)
        .await?
        .try_collect()
        .await?;
    Ok(found.iter().map(row).collect())
}

const DETAIL_FIELDS: [&str; 9] = [
    "_id",
    "email",
    "username",
    "roles",
    "subscription",
    "profile",
    "created_at",
    "updated_at",
    "last_login",
];

pub async fn detail(conn: &Connection, user: &UserScope) -> Result<UserDetail> {
    let coll = users(conn);
    let id = user.object_id();
    let d = coll
        .find_one(doc! { "_id": id })
        .projection(projection(&DETAIL_FIELDS))
        .await?
        .ok_or_else(|| Error::NotFound {
            what: format!("user {}", user.user_id()),
        })?;
    let password_set = coll
        .count_documents(doc! { "_id": id, "password_hash": { "$type": "string", "$ne": "" } })
        .await?
        > 0;
    Ok(detail_of(&d, password_set))
}

fn detail_of(d: &Document, password_set: bool) -> UserDetail {
    let r = row(d);
    let profile = d.get_document("profile").ok();
    let text = |k: &str| profile.and_then(|p| p.get_str(k).ok()).map(String::from);
    UserDetail {
        id: r.id,
        email: r.email,
        username: r.username,
        roles: r.roles,
        tier: r.tier,
        expires_at: r.expires_at,
        display_name: text("display_name"),
        avatar_url: text("avatar_url"),
        bio: text("bio"),
        created_at: r.created_at,
        updated_at: dates::to_iso(d.get("updated_at")),
        last_login: r.last_login,
        password_set,
    }
}

impl UserEdit {
    fn validate(&self) -> Result<Document> {
        if self.roles.is_empty() {
            return Err(Error::invalid("roles", "a user needs at least one role"));
        }
        for role in &self.roles {
            one_of("roles", role, &ROLES)?;
        }
        let mut roles = self.roles.clone();
        roles.sort_by_key(|r| ROLES.iter().position(|k| k == r));
        roles.dedup();
        let tier = match &self.tier {
            Some(t) => {
                one_of("tier", t, &TIERS)?;
                Bson::String(t.clone())
            }
            None => Bson::Null,
        };
        let expires = match self.expires_at.as_deref().map(str::trim) {
            Some(e) if !e.is_empty() => Bson::DateTime(dates::parse_bson("expires_at", e)?),
            _ => Bson::Null,
        };
        let display_name = self.display_name.clone().unwrap_or_default();
        if display_name.chars().count() > 100 {
            return Err(Error::invalid("display_name", "at most 100 characters"));
        }
        let bio = self.bio.clone().unwrap_or_default();
        if bio.chars().count() > 1_000 {
            return Err(Error::invalid("bio", "at most 1000 characters"));
        }
        Ok(doc! {
            "roles": roles,
            "subscription.tier": tier,
            "subscription.expires_at": expires,
            "profile.display_name": display_name,
            "profile.bio": bio,
        })
    }
}

/// Two admins demoting the last two superadmins at once both pass the
/// check before the write; whoever finds none left after it puts the user's
/// roles back and is refused.
pub async fn restore_if_no_superadmin(
    conn: &Connection,
    user: &UserScope,
    roles_before: &[String],
) -> Result<()> {
    let coll = users(conn);
    if coll.count_documents(doc! { "roles": "superadmin" }).await? > 0 {
        return Ok(());
    }
    coll.update_one(
        doc! { "_id": user.object_id() },
        doc! { "$set": { "roles": roles_before } },
    )
    .await?;
    Err(Error::LastSuperadmin)
}

/// Applies an edit: validated, never removing the last superadmin, with
/// `updated_at` set and the change audited.
pub async fn update(
    conn: &Connection,
    write: &WriteAccess<'_>,
    audit: &AuditLog,
    user: &UserScope,
    edit: &UserEdit,
) -> Result<UserDetail> {
    let set = edit.validate()?;
    let before = detail(conn, user).await?;
    let keeps_superadmin = edit.roles.iter().any(|r| r == "superadmin");
    if before.roles.iter().any(|r| r == "superadmin") && !keeps_superadmin {
        let others = users(conn)
            .count_documents(doc! { "roles": "superadmin", "_id": { "$ne": user.object_id() } })
            .await?;
        if others == 0 {
            return Err(Error::LastSuperadmin);
        }
    }
    let mut set = set;
    set.insert("updated_at", mongodb::bson::DateTime::now());
    users(conn)
        .update_one(doc! { "_id": user.object_id() }, doc! { "$set": set })
        .await?;
    if !keeps_superadmin && before.roles.iter().any(|r| r == "superadmin") {
        restore_if_no_superadmin(conn, user, &before.roles).await?;
    }
    let after = detail(conn, user).await?;
    audit
        .record(
            write,
            Change::new("users", user.user_id(), "update_user").fields(
                &serde_json::to_value(&before)?,
                &serde_json::to_value(&after)?,
            ),
        )
        .await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mongo-java-server never enforces maxTimeMS, so the estimate fallback
    /// is checked against the reply MongoDB documents for it.
    #[test]
    fn a_max_time_expired_reply_is_recognised() {
        let reply = doc! { "ok": 0, "errmsg": "operation exceeded time limit", "code": 50, "codeName": "MaxTimeMSExpired" };
        let command: mongodb::error::CommandError = mongodb::bson::from_document(reply).unwrap();
        let err = mongodb::error::Error::from(mongodb::error::ErrorKind::Command(command));
        assert!(is_time_limit(&err));
        let other: mongodb::error::CommandError = mongodb::bson::from_document(
            doc! { "ok": 0, "errmsg": "x", "code": 2, "codeName": "BadValue" },
        )
        .unwrap();
        assert!(!is_time_limit(&mongodb::error::Error::from(
            mongodb::error::ErrorKind::Command(other)
        )));
    }

    #[test]
    fn regex_metacharacters_are_escaped() {
        assert_eq!(regex_escape("a.b*c(d)"), "a\\.b\\*c\\(d\\)");
        assert_eq!(prefix("jo+hn").pattern, "^jo\\+hn");
    }

    fn edit(roles: &[&str]) -> UserEdit {
        UserEdit {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            tier: Some("premium".into()),
            expires_at: Some("2027-01-01T00:00:00Z".into()),
            display_name: Some("Ada".into()),
            bio: None,
        }
    }

    #[test]
    fn edits_are_validated() {
        assert!(edit(&["user", "admin"]).validate().is_ok());
        let field = |e: UserEdit| match e.validate().unwrap_err() {
            Error::InvalidInput { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(edit(&[])), "roles");
        assert_eq!(field(edit(&["root"])), "roles");
        let mut bad = edit(&["user"]);
        bad.tier = Some("gold".into());
        assert_eq!(field(bad), "tier");
        let mut bad = edit(&["user"]);
        bad.expires_at = Some("next year".into());
        assert_eq!(field(bad), "expires_at");
    }

    #[test]
    fn filters_are_built_from_the_query() {
        let q = UserQuery {
            page: 0,
            page_size: 25,
            sort: UserSortField::Email,
            descending: false,
            role: Some("admin".into()),
            tier: Some("premium".into()),
            subscription: None,
            created_from: Some("2025-01-01T00:00:00Z".into()),
            created_to: None,
            last_login_before: None,
        };
        let f = q.filter().unwrap();
        assert_eq!(f.get_str("roles").unwrap(), "admin");
        let created = f.get_array("$and").unwrap()[0].as_document().unwrap();
        assert_eq!(
            created.get_array("$or").unwrap().len(),
            2,
            "dates and ISO strings"
        );
        assert_eq!(q.sort(), doc! { "email": 1, "_id": 1 });
        let bad = UserQuery {
            role: Some("root".into()),
            ..q
        };
        assert_eq!(bad.filter().unwrap_err().code(), "invalid_input");
    }
}
