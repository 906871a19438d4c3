//! The `users` collection: list (range-paged, newest first by `_id` so an
//! index serves it), its count apart from the rows, search, one user's
//! detail and safe edits with compare-and-set.

use std::collections::BTreeSet;

use mongodb::bson::{doc, oid::ObjectId, Bson, Document, Regex};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::scope::UserScope;
use crate::db::users::{Counted, Fields, Users, UsersFind};
use crate::db::write::WriteContext;
use crate::schema::{QueryShape, MAX_PAGE, MAX_SEARCH_CHARS, ROLES, SUPERADMIN, TIERS, USERS};
use crate::services::keyset::{self, Cursor};
use crate::{dates, Error, Result};

const SEARCH_LIMIT: u32 = 20;

/// The users screen as it opens: newest first by `_id`.
pub const DEFAULT_VIEW: QueryShape = QueryShape {
    collection: USERS,
    equality: &[],
    sort: &[("_id", -1)],
};
/// Search: anchored prefixes of `email` (and `username`), sorted by email.
pub const SEARCH_VIEW: QueryShape = QueryShape {
    collection: USERS,
    equality: &[],
    sort: &[("email", 1)],
};

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
    /// Sign-up order: an ObjectId carries its creation time, and `_id` is
    /// always indexed.
    Joined,
    CreatedAt,
    LastLogin,
    Email,
}

impl UserSortField {
    /// The field sorted on besides `_id`; `None` for `_id` alone.
    fn field(self) -> Option<&'static str> {
        match self {
            UserSortField::Joined => None,
            UserSortField::CreatedAt => Some("created_at"),
            UserSortField::LastLogin => Some("last_login"),
            UserSortField::Email => Some("email"),
        }
    }

    /// Whether a required index serves the sort as the list sends it
    /// (`_id`, unique `email`); `services::default_views` checks it against
    /// every offered sort.
    pub fn indexed(self) -> bool {
        matches!(self, UserSortField::Joined | UserSortField::Email)
    }

    /// Whether the field is unique by a required index, so the sort needs
    /// no `_id` tie-breaker (range paging stays exact: no two users share
    /// a value).
    fn unique(self) -> bool {
        matches!(self, UserSortField::Email)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionState {
    Active,
    Expired,
}

#[derive(Debug, Clone, Deserialize, Serialize, Type)]
pub struct UserQuery {
    /// Where the previous page ended (its `next`); `None` for the first page.
    pub after: Option<String>,
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
    /// Users who logged in at or after this date (the dashboard's active users).
    #[serde(default)]
    pub last_login_after: Option<String>,
}

/// The first page of 25, newest first, unfiltered.
impl Default for UserQuery {
    fn default() -> Self {
        UserQuery {
            after: None,
            page_size: 25,
            sort: UserSortField::Joined,
            descending: true,
            role: None,
            tier: None,
            subscription: None,
            created_from: None,
            created_to: None,
            last_login_before: None,
            last_login_after: None,
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

impl From<Counted> for Total {
    fn from(counted: Counted) -> Self {
        match counted {
            Counted::Exact(n) => Total {
                value: Some(n as f64),
                exact: true,
            },
            Counted::TimedOut { estimate } => Total {
                value: estimate.map(|n| n as f64),
                exact: false,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct UserPage {
    pub rows: Vec<UserRow>,
    pub page_size: u32,
    /// The cursor of the next page; `None` on the last one.
    pub next: Option<String>,
    /// Said when no index serves the sort: the server sorts in memory.
    pub sort_note: Option<String>,
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
    /// Identifies the editable fields as loaded; an edit sends it back.
    pub version: String,
}

/// An edit of the fields admins may change.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct UserEdit {
    pub roles: Vec<String>,
    pub tier: Option<String>,
    pub expires_at: Option<String>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    /// The `version` of the detail the edit started from.
    pub version: String,
}

pub(crate) const ROW_FIELDS: [&str; 7] = [
    "_id",
    "email",
    "username",
    "roles",
    "subscription",
    "created_at",
    "last_login",
];

/// What an edit may change; compare-and-set covers exactly these.
const EDITABLE: [&str; 3] = ["roles", "subscription", "profile"];

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

impl UserQuery {
    pub(crate) fn filter(&self) -> Result<Document> {
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
            Some(SubscriptionState::Active) => all.push(dates::range_filter(
                "subscription.expires_at",
                &[("$gte", now)],
            )),
            Some(SubscriptionState::Expired) => all.push(dates::range_filter(
                "subscription.expires_at",
                &[("$lt", now)],
            )),
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
            all.push(dates::range_filter("created_at", &created));
        }
        if let Some(before) = &self.last_login_before {
            let before = dates::parse("last_login_before", before)?;
            let mut either = dates::range_filter("last_login", &[("$lt", before)]);
            if let Ok(forms) = either.get_array_mut("$or") {
                forms.push(Bson::Document(doc! { "last_login": Bson::Null }));
            }
            all.push(either);
        }
        if let Some(after) = &self.last_login_after {
            let after = dates::parse("last_login_after", after)?;
            all.push(dates::range_filter("last_login", &[("$gte", after)]));
        }
        if !all.is_empty() {
            f.insert("$and", all);
        }
        Ok(f)
    }

    pub(crate) fn sort(&self) -> Document {
        let direction = if self.descending { -1 } else { 1 };
        match self.sort.field() {
            // A unique field has no ties: its unique index serves the sort
            // alone (with `_id` added, `{ email: 1 }` could not).
            Some(field) if self.sort.unique() => doc! { field: direction },
            // _id breaks ties so pages never overlap or skip.
            Some(field) => doc! { field: direction, "_id": direction },
            None => match self.descending {
                true => DEFAULT_VIEW.sort_document(),
                false => doc! { "_id": 1 },
            },
        }
    }
}

pub async fn list(conn: &Connection, query: &UserQuery) -> Result<UserPage> {
    let users = Users::new(conn);
    let mut filter = query.filter()?;
    let field = query.sort.field();
    if let Some(after) = &query.after {
        let cursor = Cursor::decode(after)?;
        let range = keyset::after(field, query.descending, &cursor);
        filter = match filter.is_empty() {
            true => range,
            false => doc! { "$and": [filter, range] },
        };
    }
    let page_size = query.page_size.clamp(1, MAX_PAGE);
    let docs = users
        .find(UsersFind {
            filter,
            sort: query.sort(),
            limit: page_size,
            fields: Fields::of(&ROW_FIELDS),
            allow_disk_use: !query.sort.indexed(),
        })
        .await?;
    let next = match docs.len() == page_size as usize {
        true => docs
            .last()
            .and_then(|d| Cursor::after(d, field))
            .map(|c| c.encode()),
        false => None,
    };
    Ok(UserPage {
        rows: docs.iter().map(row).collect(),
        page_size,
        next,
        sort_note: (!query.sort.indexed()).then(|| {
            "No index serves this sort: the server sorts the matching users in memory \
             (with disk use allowed and a time limit)."
                .to_string()
        }),
    })
}

/// The total for a query's filters, apart from its rows so the page never
/// waits for it.
pub async fn count(conn: &Connection, query: &UserQuery) -> Result<Total> {
    let users = Users::new(conn);
    Ok(users.count(query.filter()?).await?.into())
}

/// Anchored, escaped prefix: an index on the field can serve it.
fn prefix(text: &str, options: &str) -> Regex {
    Regex {
        pattern: format!("^{}", regex_escape(text)),
        options: options.into(),
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

/// The exact-case prefixes worth asking an index for: as typed, and lowercased.
fn cased(text: &str) -> Vec<Regex> {
    let mut forms = vec![prefix(text, "")];
    if text.to_lowercase() != text {
        forms.push(prefix(&text.to_lowercase(), ""));
    }
    forms
}

/// One box for an email, a username (prefixes of both) or a `users._id`.
/// 24 hex digits are taken as an id; `id:` followed by anything else gets a
/// typed error and sends no query. Emails and usernames are matched whatever
/// their case: first by index-served prefixes as typed and lowercased, then,
/// when those find nothing, case-insensitively under the time limit.
pub async fn search(conn: &Connection, text: &str) -> Result<Vec<UserRow>> {
    let users = Users::new(conn);
    let text = text.trim();
    if text.chars().count() > MAX_SEARCH_CHARS as usize {
        return Err(Error::invalid(
            "text",
            format!("at most {MAX_SEARCH_CHARS} characters (the longest an email can be)"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(
            "text",
            "control characters cannot be part of an email, a username or an id",
        ));
    }
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let exact = if let Some(raw) = text.strip_prefix("id:") {
        doc! { "_id": UserScope::parse(raw)?.object_id() }
    } else if let Ok(id) = ObjectId::parse_str(text) {
        doc! { "_id": id }
    } else {
        let fields: &[&str] = match text.contains('@') {
            true => &["email"],
            false => &["username", "email"],
        };
        // `$or` of anchored prefixes, each one an index range.
        let any: Vec<Document> = fields
            .iter()
            .flat_map(|f| cased(text).into_iter().map(move |r| doc! { *f: r }))
            .collect();
        doc! { "$or": any }
    };
    let is_id = exact.contains_key("_id");
    let find = |filter| UsersFind {
        filter,
        sort: SEARCH_VIEW.sort_document(),
        limit: SEARCH_LIMIT,
        fields: Fields::of(&ROW_FIELDS),
        allow_disk_use: false,
    };
    let mut found = users.find(find(exact)).await?;
    if found.is_empty() && !is_id {
        let any_case = prefix(text, "i");
        let filter = match text.contains('@') {
            true => doc! { "email": any_case },
            false => doc! { "$or": [ { "username": any_case.clone() }, { "email": any_case } ] },
        };
        found = users.find(find(filter)).await?;
    }
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
    let users = Users::new(conn);
    let fields = Fields::of(&DETAIL_FIELDS);
    let (d, password_set) = tokio::try_join!(
        users.find_one(user.object_id(), &fields),
        users.password_set(user.object_id()),
    )?;
    let d = d.ok_or_else(|| not_found(user))?;
    Ok(detail_of(&d, password_set))
}

fn not_found(user: &UserScope) -> Error {
    Error::NotFound {
        what: format!("user {}", user.user_id()),
    }
}

/// A stable fingerprint (FNV-1a) of the editable fields as stored.
fn version_of(d: &Document) -> String {
    let editable: Document = EDITABLE
        .iter()
        .map(|k| (k.to_string(), d.get(*k).cloned().unwrap_or(Bson::Null)))
        .collect();
    let text = Bson::Document(editable)
        .into_canonical_extjson()
        .to_string();
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Matches the document only while each editable field still holds what
/// `d` held, compared literally (`$literal`: stored values are never read
/// as operators); a field `d` lacked must still be missing.
fn unchanged_since(d: &Document) -> Document {
    let mut filter = Document::new();
    let mut same = Vec::new();
    for k in EDITABLE {
        match d.get(k) {
            Some(v) => same.push(doc! { "$eq": [format!("${k}"), { "$literal": v.clone() }] }),
            None => {
                filter.insert(k, doc! { "$exists": false });
            }
        }
    }
    if !same.is_empty() {
        filter.insert("$expr", doc! { "$and": same });
    }
    filter
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
        version: version_of(d),
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

/// Applies an edit: validated, compare-and-set against the version it
/// started from, never removing the last superadmin, `updated_at` set, and
/// audited with the document as it actually was before.
pub async fn update(
    conn: &Connection,
    audit: &AuditLog,
    user: &UserScope,
    edit: &UserEdit,
) -> Result<UserDetail> {
    let edited = edit.validate()?;
    if conn.is_read_only() {
        return Err(Error::ReadOnly);
    }
    // Stale or refused edits are told before anything is audited as intended.
    let users = Users::primary(conn);
    let fields = Fields::of(&DETAIL_FIELDS);
    let current = users
        .find_one(user.object_id(), &fields)
        .await?
        .ok_or_else(|| not_found(user))?;
    let password_set = users.password_set(user.object_id()).await?;
    let conflict = |d: &Document| Error::Conflict {
        current: serde_json::to_string(&detail_of(d, password_set)).ok(),
    };
    if version_of(&current) != edit.version {
        return Err(conflict(&current));
    }
    let mut set = changed_fields(edited, &current, &detail_of(&current, password_set));
    if set.is_empty() {
        return Ok(detail_of(&current, password_set)); // nothing changed: nothing written
    }
    let demotes = has_superadmin(&current) && !edit.roles.iter().any(|r| r == SUPERADMIN);
    if demotes && users.other_superadmins(user.object_id()).await? == 0 {
        return Err(Error::LastSuperadmin);
    }
    let intent = Change::new("users", user.user_id(), "update_user").values(
        serde_json::Value::Null,
        Bson::Document(set.clone()).into_relaxed_extjson(),
    );
    let ctx = &WriteContext::begin(conn, audit, intent).await?;
    let writer = Users::writer(ctx);
    let users = writer.reader();
    set.insert("updated_at", now_as_stored(&current));
    // The compare-and-set guarantees the editable fields were `current`'s
    // when the write applied, so `current` is the true "before".
    let Some(written) = writer
        .update_if(
            user.object_id(),
            unchanged_since(&current),
            doc! { "$set": set },
            &fields,
        )
        .await?
    else {
        let refused = Change::new("users", user.user_id(), "update_user").values(
            serde_json::Value::Null,
            serde_json::json!({ "refused": "conflict: edited by someone else meanwhile" }),
        );
        if let Err(e) = ctx.done(refused).await {
            log::error!("audit of a refused update_user failed: {}", e.code());
        }
        let now = users
            .find_one(user.object_id(), &fields)
            .await?
            .ok_or_else(|| not_found(user))?;
        return Err(conflict(&now));
    };
    // Two admins demoting the last two superadmins at once both pass the
    // check above; whoever finds none left puts the whole edit back, unless
    // someone edited the user since (then that edit stands: a conflict).
    if demotes && users.other_superadmins(user.object_id()).await? == 0 {
        restore(ctx, user, &current, &written).await?;
        return Err(Error::LastSuperadmin);
    }
    let after = detail_of(&written, password_set);
    let outcome = Change::new("users", user.user_id(), "update_user").fields(
        &serde_json::to_value(detail_of(&current, password_set))?,
        &serde_json::to_value(&after)?,
    );
    ctx.done(outcome).await?;
    Ok(after)
}

/// The fields of `edited` whose value differs from what the form was shown
/// (`shown`), each written in the type already stored: a field sent back
/// as it was is not written, so a roles-only edit leaves an ISO-string
/// `subscription.expires_at` a string.
fn changed_fields(edited: Document, current: &Document, shown: &UserDetail) -> Document {
    let stored_as_text = |path: &str| {
        let mut parts = path.split('.');
        let first = current.get(parts.next().unwrap_or_default());
        parts
            .try_fold(first, |v, p| Some(v?.as_document()?.get(p)))
            .flatten()
            .is_some_and(|v| matches!(v, Bson::String(_)))
    };
    let text = |v: Option<&String>| Bson::String(v.cloned().unwrap_or_default());
    let mut set = Document::new();
    for (path, value) in edited {
        let unchanged = match path.as_str() {
            "roles" => {
                value
                    .as_array()
                    .map(|a| a.iter().filter_map(Bson::as_str).collect::<BTreeSet<_>>())
                    == Some(shown.roles.iter().map(String::as_str).collect())
            }
            "subscription.tier" => value.as_str().map(String::from) == shown.tier,
            "subscription.expires_at" => match (&value, &shown.expires_at) {
                (Bson::DateTime(new), Some(old)) => {
                    dates::parse("expires_at", old).ok() == Some(new.to_chrono())
                }
                (Bson::Null, None) => true,
                _ => false,
            },
            "profile.display_name" => value == text(shown.display_name.as_ref()),
            "profile.bio" => value == text(shown.bio.as_ref()),
            _ => false,
        };
        if unchanged {
            continue;
        }
        let value = match value {
            Bson::DateTime(d) if stored_as_text(&path) => {
                Bson::String(dates::to_iso_instant(d.to_chrono()))
            }
            other => other,
        };
        set.insert(path, value);
    }
    set
}

/// Now, as a date or as ISO text, whichever the document keeps its
/// `updated_at` (or, lacking one, its `created_at`) in.
fn now_as_stored(current: &Document) -> Bson {
    let like = current
        .get("updated_at")
        .or_else(|| current.get("created_at"));
    match like {
        Some(Bson::String(_)) => Bson::String(dates::to_iso_instant(chrono::Utc::now())),
        _ => Bson::DateTime(mongodb::bson::DateTime::now()),
    }
}

fn has_superadmin(d: &Document) -> bool {
    strings(d.get("roles")).iter().any(|r| r == SUPERADMIN)
}

/// Puts back every field the edit touched, as it was before, and audits
/// it; only while the user is still as this edit left it.
async fn restore(
    ctx: &WriteContext<'_>,
    user: &UserScope,
    before: &Document,
    written: &Document,
) -> Result<()> {
    let mut set = Document::new();
    let mut unset = Document::new();
    for key in EDITABLE.iter().chain(["updated_at"].iter()) {
        match before.get(*key) {
            Some(v) => set.insert(*key, v.clone()),
            None => unset.insert(*key, ""),
        };
    }
    let mut update = doc! { "$set": set };
    if !unset.is_empty() {
        update.insert("$unset", unset);
    }
    let restored = Users::writer(ctx)
        .update_if(
            user.object_id(),
            unchanged_since(written),
            update,
            &Fields::of(&["_id"]),
        )
        .await?;
    if restored.is_none() {
        return Err(Error::Conflict { current: None });
    }
    ctx.done(
        Change::new("users", user.user_id(), "update_user_restored").values(
            serde_json::Value::Null,
            crate::redact::document_to_json(before.clone()),
        ),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_metacharacters_are_escaped() {
        assert_eq!(regex_escape("a.b*c(d)"), "a\\.b\\*c\\(d\\)");
        assert_eq!(prefix("jo+hn", "").pattern, "^jo\\+hn");
    }

    #[test]
    fn search_asks_for_the_prefix_as_typed_and_lowercased() {
        let forms: Vec<String> = cased("Guide.User@Example.com")
            .into_iter()
            .map(|r| r.pattern)
            .collect();
        assert_eq!(
            forms,
            ["^Guide\\.User@Example\\.com", "^guide\\.user@example\\.com"]
        );
        assert_eq!(cased("ann").len(), 1);
    }

    fn edit(roles: &[&str]) -> UserEdit {
        UserEdit {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            tier: Some("premium".into()),
            expires_at: Some("2027-01-01T00:00:00Z".into()),
            display_name: Some("Ada".into()),
            bio: None,
            version: String::new(),
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
    fn the_version_follows_the_editable_fields_only() {
        let a = doc! { "_id": 1, "roles": ["user"], "email": "a@x", "last_login": 5 };
        let b = doc! { "_id": 1, "roles": ["user"], "email": "b@x", "last_login": 6 };
        let c = doc! { "_id": 1, "roles": ["admin"], "email": "a@x" };
        assert_eq!(version_of(&a), version_of(&b));
        assert_ne!(version_of(&a), version_of(&c));
    }

    #[test]
    fn compare_and_set_is_literal() {
        let d = doc! { "roles": { "$exists": true } };
        let f = unchanged_since(&d);
        let and = f.get_document("$expr").unwrap().get_array("$and").unwrap();
        assert_eq!(
            and[0],
            Bson::Document(doc! { "$eq": ["$roles", { "$literal": { "$exists": true } }] })
        );
        assert_eq!(
            f.get_document("subscription").unwrap(),
            &doc! { "$exists": false }
        );
    }

    #[test]
    fn default_sort_is_newest_first_by_id() {
        let q = UserQuery::default();
        assert_eq!(q.sort(), doc! { "_id": -1 });
        assert!(q.sort.indexed());
    }
}
