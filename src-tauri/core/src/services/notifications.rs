//! The notifications feed across users: newest first and range-paged,
//! filtered by type, read state, dates and one user; bulk mark read/unread
//! and delete applied per user through the scoped layer; composing one; when
//! each will expire under the real TTL index; and a chart of the last 30
//! days per type and day, read vs unread.

use std::collections::BTreeMap;

use mongodb::bson::{doc, oid::ObjectId, Bson, Document};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::scope::{Page, PerUserCollection, UserScope};
use crate::db::users::{UserLabel, Users};
use crate::db::write::WriteContext;
use crate::schema::{QueryShape, MAX_PAGE, NOTIFICATIONS, NOTIFICATION_TTL_SECONDS};
use crate::services::keyset::{self, Cursor};
use crate::services::settings::parse_plugin_settings;
use crate::{dates, Error, Result};

/// The projection of the fields a feed row shows (`_id` comes too).
pub(crate) fn feed_fields() -> Document {
    doc! { "user_id": 1, "type": 1, "title": 1, "message": 1, "read": 1, "created_at": 1 }
}
/// Most notifications one bulk operation may name.
pub const MAX_BULK: usize = 1_000;
const CHART_DAYS: i64 = 30;

#[derive(Debug, Clone, Default, Deserialize, Serialize, Type)]
pub struct FeedQuery {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `true` read only, `false` unread only.
    pub read: Option<bool>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// One user's notifications only.
    pub user_id: Option<String>,
    /// Where the previous page ended.
    pub after: Option<String>,
    pub page_size: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct FeedRow {
    pub id: String,
    pub user_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub message: String,
    pub read: bool,
    pub created_at: Option<String>,
    /// When the TTL index will remove it; `None` without a TTL index.
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct FeedPage {
    pub rows: Vec<FeedRow>,
    pub next: Option<String>,
    /// Who the rows' users are, as support staff know them; a `user_id`
    /// without an entry here names no user (deleted, or never one).
    pub users: Vec<UserLabel>,
}

/// The TTL index as it is, against the platform guide's 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TtlStatus {
    pub expire_after_seconds: Option<f64>,
    /// Said when the index is missing or keeps notifications another time.
    pub warning: Option<String>,
}

/// One notification, named with its owner: a selection may span users.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct NotificationRef {
    pub user_id: String,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Type)]
pub struct BulkResult {
    pub matched: f64,
    pub modified: f64,
}

#[derive(Debug, Clone, Deserialize, Type)]
pub struct Compose {
    pub user_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub message: String,
    /// A JSON object, validated like plugin settings.
    pub metadata_json: Option<String>,
}

/// Notifications created on one day (UTC) of one type.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct DayCount {
    pub day: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub read: f64,
    pub unread: f64,
}

fn collection() -> PerUserCollection {
    PerUserCollection::parse(NOTIFICATIONS).expect("notifications is per-user")
}

/// Types as the platform writes them: `task_reminder`.
pub fn validate_type(kind: &str) -> Result<()> {
    let ok = !kind.is_empty()
        && kind.len() <= 64
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(())
        .ok_or_else(|| Error::invalid("type", "must be 1 to 64 of a-z, 0-9 and _"))
}

fn bounded(field: &str, text: &str, max: usize) -> Result<()> {
    match text.trim().chars().count() {
        0 => Err(Error::invalid(field, "is required")),
        n if n > max => Err(Error::invalid(field, format!("at most {max} characters"))),
        _ => Ok(()),
    }
}

impl FeedQuery {
    pub(crate) fn filter(&self) -> Result<Document> {
        let mut f = Document::new();
        if let Some(kind) = &self.kind {
            validate_type(kind)?;
            f.insert("type", kind);
        }
        match self.read {
            Some(true) => f.insert("read", true),
            Some(false) => f.insert("read", doc! { "$ne": true }),
            None => None,
        };
        let mut created = Vec::new();
        if let Some(from) = &self.created_from {
            created.push(("$gte", dates::parse("created_from", from)?));
        }
        if let Some(to) = &self.created_to {
            created.push(("$lt", dates::parse("created_to", to)?));
        }
        if !created.is_empty() {
            f.insert("$and", vec![dates::range_filter("created_at", &created)]);
        }
        Ok(f)
    }
}

/// Newest first, on `created_at` alone so an index serves it: the TTL
/// index across users, `{user_id, created_at: -1}` for one user. Ties at a
/// page boundary are told apart by the cursor (see [`TieCursor`]).
pub const FEED_VIEW: QueryShape = QueryShape {
    collection: NOTIFICATIONS,
    equality: &[],
    sort: &[("created_at", -1)],
};

/// Newest first on `created_at` alone, so an index serves every query; a
/// run of equal timestamps is read by `_id` on its own (`{created_at: v}`),
/// so no row is skipped or repeated however long the run. The cursor is the
/// run's value and the last `_id` shown in it (the zero id: none yet).
pub async fn feed(conn: &Connection, query: &FeedQuery) -> Result<FeedPage> {
    let base = query.filter()?;
    let limit = query.page_size.clamp(1, MAX_PAGE) as usize;
    let scope = query.user_id.as_deref().map(UserScope::parse).transpose()?;
    let read = |filter: Document, sort: Document, n: usize| {
        let filter = match base.is_empty() {
            true => filter,
            false => doc! { "$and": [base.clone(), filter] },
        };
        let scope = scope.clone();
        async move {
            let projection = feed_fields();
            match scope {
                // One user's: the scoped layer, served by {user_id, created_at}.
                Some(user) => {
                    let page = Page {
                        limit: n as u32,
                        sort: Some(sort),
                        projection: Some(projection),
                        ..Default::default()
                    };
                    user.collection(conn, collection()).find(filter, page).await
                }
                None => {
                    CrossUserReads::new(conn)
                        .find(&collection(), filter, sort, n as u32, Some(projection))
                        .await
                }
            }
        }
    };
    let by_id = doc! { "_id": -1 };
    let in_run = |value: &Bson, below: ObjectId| doc! { "created_at": value.clone(), "_id": { "$lt": below } };
    let mut rows = Vec::new();
    let mut rest = doc! {};
    if let Some(after) = &query.after {
        let cursor = Cursor::decode(after)?;
        let below = match cursor.id == ObjectId::from_bytes([0; 12]) {
            true => ObjectId::from_bytes([0xff; 12]),
            false => cursor.id,
        };
        rows = read(in_run(&cursor.value, below), by_id.clone(), limit).await?;
        if rows.len() == limit {
            let next = Cursor::after(rows.last().expect("a full page"), Some("created_at"));
            return page_of(conn, &rows, next).await;
        }
        // Strictly below the run's value (other types by type order).
        let start = Cursor {
            value: cursor.value,
            id: ObjectId::from_bytes([0; 12]),
        };
        rest = keyset::after(Some("created_at"), true, &start);
    }
    let more = read(rest, FEED_VIEW.sort_document(), limit - rows.len()).await?;
    if rows.len() + more.len() < limit {
        rows.extend(more);
        return page_of(conn, &rows, None).await;
    }
    // The last value may continue past this page: leave its rows to the
    // next page, which reads that run by `_id` from its start.
    let last = more
        .last()
        .and_then(|d| d.get("created_at"))
        .cloned()
        .unwrap_or(Bson::Null);
    let before_run: Vec<Document> = more
        .iter()
        .filter(|d| d.get("created_at").cloned().unwrap_or(Bson::Null) != last)
        .cloned()
        .collect();
    if rows.is_empty() && before_run.is_empty() {
        // The whole page is one run: read it by `_id` now.
        let run = read(
            in_run(&last, ObjectId::from_bytes([0xff; 12])),
            by_id,
            limit,
        )
        .await?;
        let next = Cursor::after(
            run.last().expect("the run is not empty"),
            Some("created_at"),
        );
        return page_of(conn, &run, next).await;
    }
    rows.extend(before_run);
    let next = Cursor {
        value: last,
        id: ObjectId::from_bytes([0; 12]),
    };
    page_of(conn, &rows, Some(next)).await
}

async fn page_of(conn: &Connection, docs: &[Document], next: Option<Cursor>) -> Result<FeedPage> {
    let ttl = ttl(conn).await?.expire_after_seconds;
    let rows: Vec<FeedRow> = docs.iter().map(|d| row(d, ttl)).collect();
    let ids: Vec<ObjectId> = rows
        .iter()
        .filter_map(|r| ObjectId::parse_str(&r.user_id).ok())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(FeedPage {
        users: Users::new(conn).labels(&ids).await?,
        rows,
        next: next.map(|c| c.encode()),
    })
}

fn row(d: &Document, ttl: Option<f64>) -> FeedRow {
    let created = d.get("created_at");
    let expires = match (created.and_then(created_instant), ttl) {
        (Some(at), Some(seconds)) => Some(dates::to_iso_instant(
            at + chrono::Duration::seconds(seconds as i64),
        )),
        _ => None,
    };
    FeedRow {
        id: crate::services::user360::id_of(d),
        user_id: match d.get("user_id") {
            Some(Bson::String(s)) => s.clone(),
            Some(Bson::ObjectId(id)) => id.to_hex(),
            _ => String::new(),
        },
        kind: d.get_str("type").unwrap_or_default().into(),
        title: d.get_str("title").unwrap_or_default().into(),
        message: d.get_str("message").unwrap_or_default().into(),
        read: d.get_bool("read").unwrap_or(false),
        created_at: dates::to_iso(created),
        expires_at: expires,
    }
}

/// The TTL index only expires BSON dates; a string is shown, never expires.
fn created_instant(value: &Bson) -> Option<chrono::DateTime<chrono::Utc>> {
    match value {
        Bson::DateTime(d) => Some(d.to_chrono()),
        _ => None,
    }
}

/// The TTL index on `created_at`, read from the server (`listIndexes`).
pub async fn ttl(conn: &Connection) -> Result<TtlStatus> {
    let indexes = CrossUserReads::new(conn).indexes(NOTIFICATIONS).await?;
    let seconds = indexes
        .iter()
        .find(|i| i.keys == [("created_at".to_string(), 1)] && i.expire_after_seconds.is_some())
        .and_then(|i| i.expire_after_seconds);
    let guide = i64::from(NOTIFICATION_TTL_SECONDS);
    let warning = match seconds {
        None => Some(
            "No TTL index on notifications.created_at: notifications are never removed and the \
             collection grows without end."
                .to_string(),
        ),
        Some(s) if s != guide => Some(format!(
            "The TTL index keeps notifications {} days; the platform's guide says {} days.",
            s as f64 / 86_400.0,
            guide / 86_400
        )),
        Some(_) => None,
    };
    Ok(TtlStatus {
        expire_after_seconds: seconds.map(|s| s as f64),
        warning,
    })
}

/// The selection, validated and grouped by owner, ids deduplicated.
fn by_user(refs: &[NotificationRef]) -> Result<BTreeMap<String, (UserScope, Vec<ObjectId>)>> {
    if refs.is_empty() || refs.len() > MAX_BULK {
        return Err(Error::invalid(
            "notifications",
            format!("select 1 to {MAX_BULK} notifications"),
        ));
    }
    let mut groups: BTreeMap<String, (UserScope, Vec<ObjectId>)> = BTreeMap::new();
    for r in refs {
        let user = UserScope::parse(&r.user_id)?;
        let id = ObjectId::parse_str(r.id.trim()).map_err(|_| Error::InvalidId {
            value: r.id.chars().take(64).collect(),
        })?;
        let ids = &mut groups
            .entry(user.user_id().to_string())
            .or_insert_with(|| (user, Vec::new()))
            .1;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(groups)
}

/// Every named notification must be its named user's: a forged pair is
/// `not_found` before anything is written.
async fn check_owned(
    conn: &Connection,
    groups: &BTreeMap<String, (UserScope, Vec<ObjectId>)>,
) -> Result<()> {
    for (user, ids) in groups.values() {
        let found = user
            .primary_collection(conn, collection())
            .count(doc! { "_id": { "$in": ids.clone() } })
            .await?;
        if found != ids.len() as u64 {
            return Err(Error::NotFound {
                what: format!(
                    "{} of {} notifications of user {}",
                    ids.len() as u64 - found,
                    ids.len(),
                    user.user_id()
                ),
            });
        }
    }
    Ok(())
}

fn describe(groups: &BTreeMap<String, (UserScope, Vec<ObjectId>)>) -> serde_json::Value {
    groups
        .iter()
        .map(|(user, (_, ids))| {
            let ids: Vec<String> = ids.iter().map(|i| i.to_hex()).collect();
            (user.clone(), serde_json::json!(ids))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// Marks the selection read or unread, user by user through the scoped
/// layer; the counts are exactly what the server matched and modified.
pub async fn set_read(
    conn: &Connection,
    audit: &AuditLog,
    refs: &[NotificationRef],
    read: bool,
) -> Result<BulkResult> {
    let groups = by_user(refs)?;
    check_owned(conn, &groups).await?;
    let operation = if read { "mark_read" } else { "mark_unread" };
    let intent = Change::new(NOTIFICATIONS, "", operation).values(describe(&groups), Value::Null);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let mut total = BulkResult {
        matched: 0.0,
        modified: 0.0,
    };
    for (user, ids) in groups.values() {
        let updated = user
            .writer(&ctx, collection())
            .update_many(
                doc! { "_id": { "$in": ids.clone() } },
                doc! { "$set": { "read": read } },
            )
            .await;
        match updated {
            Ok(u) => {
                total.matched += u.matched as f64;
                total.modified += u.modified as f64;
            }
            Err(e) => return Err(stopped(&ctx, operation, &groups, total, user, e).await),
        }
    }
    ctx.done(
        Change::new(NOTIFICATIONS, "", operation)
            .values(describe(&groups), serde_json::to_value(total)?),
    )
    .await?;
    Ok(total)
}

pub async fn delete(
    conn: &Connection,
    audit: &AuditLog,
    refs: &[NotificationRef],
) -> Result<BulkResult> {
    let groups = by_user(refs)?;
    check_owned(conn, &groups).await?;
    let intent = Change::new(NOTIFICATIONS, "", "delete").values(describe(&groups), Value::Null);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let mut deleted = 0.0;
    for (user, ids) in groups.values() {
        let gone = user
            .writer(&ctx, collection())
            .delete_many(doc! { "_id": { "$in": ids.clone() } })
            .await;
        match gone {
            Ok(n) => deleted += n as f64,
            Err(e) => {
                let partial = BulkResult {
                    matched: deleted,
                    modified: deleted,
                };
                return Err(stopped(&ctx, "delete", &groups, partial, user, e).await);
            }
        }
    }
    let total = BulkResult {
        matched: deleted,
        modified: deleted,
    };
    ctx.done(
        Change::new(NOTIFICATIONS, "", "delete")
            .values(describe(&groups), serde_json::to_value(total)?),
    )
    .await?;
    Ok(total)
}

/// A bulk operation that failed for one user: what was applied before it
/// goes to the audit trail, so the trail says exactly what changed, and to
/// the caller as `partly_applied` when an earlier user's documents changed.
async fn stopped(
    ctx: &WriteContext<'_>,
    operation: &str,
    groups: &BTreeMap<String, (UserScope, Vec<ObjectId>)>,
    applied: BulkResult,
    at: &UserScope,
    error: Error,
) -> Error {
    // Sent without an answer, or failed part-way by the server (many
    // documents are not changed atomically): that user's change may stand
    // in full, in part or not at all. Only a write never sent was not applied.
    let maybe = error.write_may_have_applied();
    let outcome = serde_json::json!({
        "applied": { "matched": applied.matched, "modified": applied.modified },
        "stopped_at_user": at.user_id(),
        "stopped_user_change": if maybe { "unknown" } else { "not_applied" },
        "error": error.code(),
    });
    if let Err(audit) = ctx
        .done(Change::new(NOTIFICATIONS, "", operation).values(describe(groups), outcome))
        .await
    {
        log::error!("audit of a partial {operation} failed: {}", audit.code());
    }
    let first = groups.keys().next().map(String::as_str) == Some(at.user_id());
    partial(error, applied, at, first)
}

/// What the user is told of a bulk change that stopped at `at`.
fn partial(error: Error, applied: BulkResult, at: &UserScope, first: bool) -> Error {
    let maybe = error.write_may_have_applied();
    if first && !maybe {
        return error; // refused before anything was applied: the error says it all
    }
    let at_user = match maybe {
        true => format!(
            "whether user {}'s change applied is unknown (in full, in part or not at all: reload to see)",
            at.user_id()
        ),
        false => format!("user {}'s change was not applied", at.user_id()),
    };
    // The lost connection's own sentence would say "unknown" twice.
    let cause = match &error {
        Error::ConnectionLost { .. } => "the database server stopped answering".to_string(),
        other => other.to_string(),
    };
    Error::PartlyApplied {
        message: format!(
            "Stopped at user {} ({cause}). Before that, {} matched and {} changed; {at_user}; nothing after it was tried.",
            at.user_id(),
            applied.matched,
            applied.modified
        ),
        matched: applied.matched,
        modified: applied.modified,
        stopped_at_user: at.user_id().to_string(),
        cause: error.code().to_string(),
    }
}

/// A notification that was sent. `audit_error` says when its audit entry
/// could not be written afterwards: the notification stands, and sending
/// it again would send it twice.
#[derive(Debug, Clone, Serialize, Type)]
pub struct Sent {
    pub row: FeedRow,
    pub audit_error: Option<String>,
}

/// Sends one notification to one user; `created_at` is the app's clock.
pub async fn compose(conn: &Connection, audit: &AuditLog, compose: &Compose) -> Result<Sent> {
    let user = UserScope::parse(&compose.user_id)?;
    validate_type(&compose.kind)?;
    bounded("title", &compose.title, 200)?;
    bounded("message", &compose.message, 2_000)?;
    let metadata = match compose.metadata_json.as_deref().map(str::trim) {
        Some(json) if !json.is_empty() => parse_plugin_settings(json).map_err(|e| match e {
            Error::InvalidInput { message, .. } => Error::invalid("metadata", message),
            other => other,
        })?,
        _ => Document::new(),
    };
    let document = doc! {
        "type": &compose.kind,
        "title": compose.title.trim(),
        "message": compose.message.trim(),
        "read": false,
        "metadata": metadata,
        "created_at": mongodb::bson::DateTime::now(),
    };
    // A typo'd or deleted user would get an orphan: refused before writing.
    let exists = Users::primary(conn).existing(&[user.object_id()]).await?;
    if exists.is_empty() {
        return Err(Error::NotFound {
            what: format!("user {}", user.user_id()),
        });
    }
    let ttl = ttl(conn).await?.expire_after_seconds;
    let shown = Bson::Document(document.clone()).into_relaxed_extjson();
    let intent = Change::new(NOTIFICATIONS, user.user_id(), "compose").values(Value::Null, shown);
    let ctx = WriteContext::begin(conn, audit, intent).await?;
    let id = user
        .writer(&ctx, collection())
        .insert_one(document.clone())
        .await?;
    let audit_error = ctx
        .done_after_applied(
            Change::new(NOTIFICATIONS, user.user_id(), "compose")
                .values(Value::Null, id.clone().into_relaxed_extjson()),
        )
        .await;
    // The row from what was written: a failed re-read must not make a sent
    // notification look unsent (and be sent twice).
    let mut written = document;
    written.insert("_id", id);
    written.insert("user_id", user.user_id());
    Ok(Sent {
        row: row(&written, ttl),
        audit_error,
    })
}

/// Per day (UTC) and type over the last 30 days, read vs unread: one
/// aggregation on the server (`$dateToString` day buckets).
pub async fn daily_counts(conn: &Connection) -> Result<Vec<DayCount>> {
    let since = chrono::Utc::now() - chrono::Duration::days(CHART_DAYS);
    let pipeline = vec![
        doc! { "$match": { "created_at": { "$gte": mongodb::bson::DateTime::from_chrono(since) } } },
        doc! { "$group": {
            "_id": {
                "day": { "$dateToString": { "format": "%Y-%m-%d", "date": "$created_at" } },
                "type": "$type",
                "read": "$read",
            },
            "n": { "$sum": 1 },
        } },
    ];
    let groups = CrossUserReads::new(conn)
        .aggregate(&collection(), pipeline)
        .await?;
    Ok(reshape(&groups))
}

/// `{_id: {day, type, read}, n}` groups → one row per day and type.
fn reshape(groups: &[Document]) -> Vec<DayCount> {
    let mut days: BTreeMap<(String, String), DayCount> = BTreeMap::new();
    for g in groups {
        let Ok(key) = g.get_document("_id") else {
            continue;
        };
        let day = key.get_str("day").unwrap_or_default().to_string();
        let kind = key.get_str("type").unwrap_or("(none)").to_string();
        let n = match g.get("n") {
            Some(Bson::Int32(n)) => f64::from(*n),
            Some(Bson::Int64(n)) => *n as f64,
            Some(Bson::Double(n)) => *n,
            _ => 0.0,
        };
        let entry = days.entry((day.clone(), kind.clone())).or_insert(DayCount {
            day,
            kind,
            read: 0.0,
            unread: 0.0,
        });
        if key.get_bool("read") == Ok(true) {
            entry.read += n;
        } else {
            entry.unread += n;
        }
    }
    days.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `updateMany` the server fails part-way (a validator, a stepdown)
    /// has changed some documents or none: never "was not applied", even at
    /// the first user. Only a write never sent was not applied.
    #[test]
    fn a_bulk_change_failed_by_the_server_is_partly_applied_or_not() {
        let at = UserScope::parse("65f0c0ffee0000000000beef").unwrap();
        let none = BulkResult {
            matched: 0.0,
            modified: 0.0,
        };
        let validator = Error::Database {
            message: "Document failed validation".into(),
            details: "code 121".into(),
        };
        for first in [true, false] {
            let Error::PartlyApplied { message, .. } = partial(validator.clone(), none, &at, first)
            else {
                panic!("a server failure must be partly_applied (first: {first})");
            };
            assert!(
                message.contains("is unknown") && message.contains("reload"),
                "{message}"
            );
            assert!(!message.contains("not applied"), "{message}");
        }
        let never_sent = Error::ConnectionLost {
            timeout_ms: 3_000,
            message: "lost".into(),
            outcome_unknown: false,
            details: String::new(),
        };
        assert_eq!(partial(never_sent.clone(), none, &at, true), never_sent);
        let Error::PartlyApplied { message, .. } = partial(never_sent, none, &at, false) else {
            panic!("a later user's refusal is partly_applied");
        };
        assert!(message.contains("was not applied"), "{message}");
    }

    #[test]
    fn groups_become_day_and_type_rows() {
        let groups = vec![
            doc! { "_id": { "day": "2026-06-01", "type": "mention", "read": true }, "n": 2 },
            doc! { "_id": { "day": "2026-06-01", "type": "mention", "read": false }, "n": 3_i64 },
            doc! { "_id": { "day": "2026-05-31", "type": "system" }, "n": 1 },
        ];
        assert_eq!(
            reshape(&groups),
            vec![
                DayCount {
                    day: "2026-05-31".into(),
                    kind: "system".into(),
                    read: 0.0,
                    unread: 1.0
                },
                DayCount {
                    day: "2026-06-01".into(),
                    kind: "mention".into(),
                    read: 2.0,
                    unread: 3.0
                },
            ]
        );
    }

    #[test]
    fn selections_are_validated_and_grouped_by_owner() {
        let r = |u: &str, i: &str| NotificationRef {
            user_id: u.into(),
            id: i.into(),
        };
        let (a, b) = ("65f0c0ffee0000000000beef", "65f0c0ffee0000000000dead");
        let id = "65f0c0ffee00000000000001";
        let groups = by_user(&[r(a, id), r(b, id), r(a, id)]).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[a].1.len(), 1, "duplicates collapse");
        assert_eq!(by_user(&[]).unwrap_err().code(), "invalid_input");
        assert_eq!(
            by_user(&[r("{\"$ne\":1}", id)]).unwrap_err().code(),
            "invalid_id"
        );
        assert_eq!(by_user(&[r(a, "x")]).unwrap_err().code(), "invalid_id");
    }

    #[test]
    fn feed_filters_are_built_from_the_query() {
        let q = FeedQuery {
            kind: Some("mention".into()),
            read: Some(false),
            ..Default::default()
        };
        let f = q.filter().unwrap();
        assert_eq!(f.get_str("type"), Ok("mention"));
        assert_eq!(f.get_document("read").unwrap(), &doc! { "$ne": true });
        let bad = FeedQuery {
            kind: Some("$where".into()),
            ..Default::default()
        };
        assert_eq!(bad.filter().unwrap_err().code(), "invalid_input");
    }
}
