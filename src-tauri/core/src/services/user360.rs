//! The per-user sections of the 360 view beyond the profile and settings:
//! notifications and every plugin collection's documents for the user.
//! Each is its own query through the scoped layer, so the UI loads them in
//! parallel and shows each one's error on its own.

use mongodb::bson::{doc, Bson, Document};
use serde::Serialize;
use specta::Type;

use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::scope::{Page, PerUserCollection, UserScope};
use crate::redact::document_to_json;
use crate::schema::{CollectionKind, QueryShape, MAX_PAGE, NOTIFICATIONS};
use crate::{dates, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct NotificationRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub message: String,
    pub read: bool,
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct UserNotifications {
    pub rows: Vec<NotificationRow>,
    pub total: f64,
    pub unread: f64,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PluginData {
    pub collection: String,
    pub count: f64,
    /// The first page, newest first, as relaxed Extended JSON, redacted.
    pub documents: Vec<String>,
    /// Documents whose `user_id` is this user's ObjectId instead of its hex
    /// string: a data finding, shown apart, never mixed into `documents`.
    pub object_id_typed: f64,
}

/// A user's notifications, newest first: `{user_id, created_at: -1}` serves it.
pub const NOTIFICATIONS_VIEW: QueryShape = QueryShape {
    collection: NOTIFICATIONS,
    equality: &["user_id"],
    sort: &[("created_at", -1)],
};

pub fn id_of(d: &Document) -> String {
    match d.get("_id") {
        Some(Bson::ObjectId(id)) => id.to_hex(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

pub async fn notifications(
    conn: &Connection,
    user: &UserScope,
    page: u32,
    page_size: u32,
) -> Result<UserNotifications> {
    let coll = user.collection(conn, PerUserCollection::parse(NOTIFICATIONS)?);
    let page = Page {
        skip: u64::from(page) * u64::from(page_size.clamp(1, MAX_PAGE)),
        limit: page_size,
        sort: Some(NOTIFICATIONS_VIEW.sort_document()),
        projection: Some(doc! { "type": 1, "title": 1, "message": 1, "read": 1, "created_at": 1 }),
    };
    // Total and unread in one round trip: a $group on `read`.
    let (rows, groups) = tokio::try_join!(
        coll.find(doc! {}, page),
        coll.aggregate(vec![
            doc! { "$group": { "_id": "$read", "n": { "$sum": 1 } } }
        ]),
    )?;
    let count_of = |g: &Document| f64::from(g.get_i32("n").unwrap_or(0));
    let total = groups.iter().map(count_of).sum::<f64>();
    let unread = groups
        .iter()
        .filter(|g| g.get_bool("_id") != Ok(true))
        .map(count_of)
        .sum::<f64>();
    Ok(UserNotifications {
        rows: rows
            .iter()
            .map(|d| NotificationRow {
                id: id_of(d),
                kind: d.get_str("type").unwrap_or_default().into(),
                title: d.get_str("title").unwrap_or_default().into(),
                message: d.get_str("message").unwrap_or_default().into(),
                read: d.get_bool("read").unwrap_or(false),
                created_at: dates::to_iso(d.get("created_at")),
            })
            .collect(),
        total,
        unread,
    })
}

/// The plugin collections of the database (`{plugin}_*`), sorted: real
/// collections only, never views (they cannot be written, nor erased from).
pub async fn plugin_collections(conn: &Connection) -> Result<Vec<String>> {
    Ok(CrossUserReads::new(conn)
        .collections()
        .await?
        .into_iter()
        .filter(|c| c.kind == "collection" && CollectionKind::of(&c.name) == CollectionKind::Plugin)
        .map(|c| c.name)
        .collect())
}

pub async fn plugin_data(
    conn: &Connection,
    user: &UserScope,
    collection: &str,
    page_size: u32,
) -> Result<PluginData> {
    let name = PerUserCollection::parse(collection)?;
    let coll = user.collection(conn, name);
    let (docs, count, object_id_typed) = tokio::try_join!(
        coll.find(doc! {}, Page::first(page_size)),
        coll.count(doc! {}),
        coll.count_object_id_typed(),
    )?;
    Ok(PluginData {
        collection: collection.into(),
        count: count as f64,
        documents: docs
            .into_iter()
            .map(|d| document_to_json(d).to_string())
            .collect(),
        object_id_typed: object_id_typed as f64,
    })
}
