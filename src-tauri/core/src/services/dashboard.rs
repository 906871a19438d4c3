//! The dashboard: the platform at a glance, each chart one or two
//! aggregations on the server (`$match`, `$group`, `$dateToString` day
//! buckets) with a time limit and disk use allowed, read from secondaries
//! when the profile says so. Every bar says where a click leads (a
//! [`Drill`]): the users list, the notifications feed or a plugin
//! collection, filtered to what the bar counted.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use mongodb::bson::{doc, Bson, DateTime as BsonDate, Document};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::db::connection::Connection;
use crate::db::cross_user::CrossUserReads;
use crate::db::scope::{PerUserCollection, UserScope};
use crate::db::users::Users;
use crate::save_path::SavePath;
use crate::schema::{CollectionKind, NOTIFICATIONS, NOTIFICATION_TYPES, ROLES, TIERS};
use crate::services::notifications;
use crate::services::users::SubscriptionState;
use crate::{dates, Error, Result};

pub const SIGNUP_DAYS: i64 = 90;
pub const ACTIVE_WINDOWS: [i64; 3] = [1, 7, 30];
const CONCURRENCY: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ChartId {
    Signups,
    ActiveUsers,
    Roles,
    Tiers,
    Notifications,
    PluginStatus,
}

/// Where a click on a bar leads, filtered to what the bar counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Drill {
    Users(UserFilter),
    Feed {
        #[serde(rename = "type")]
        kind: Option<String>,
        read: Option<bool>,
    },
    Plugin {
        collection: String,
        status: String,
        /// One user's documents (the 360 view's chart).
        user_id: Option<String>,
    },
}

/// The users list's filters a bar stands for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, Type)]
pub struct UserFilter {
    pub role: Option<String>,
    pub tier: Option<String>,
    pub subscription: Option<SubscriptionState>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub last_login_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Series {
    pub name: String,
    /// One per category.
    pub values: Vec<f64>,
    /// Where each bar leads; one per category.
    pub drill: Vec<Option<Drill>>,
}

/// A bar chart: categories along one axis, series stacked on each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Chart {
    pub id: ChartId,
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub computed_at: String,
    /// A fact worth saying beside the bars (a ratio, what was left out).
    pub note: Option<String>,
}

impl Chart {
    fn new(id: ChartId, title: &str, categories: Vec<String>, series: Vec<Series>) -> Chart {
        Chart {
            id,
            title: title.into(),
            categories,
            series,
            computed_at: dates::to_iso_instant(Utc::now()),
            note: None,
        }
    }

    /// The chart's numbers as CSV: a row per category, a column per series.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("category");
        for s in &self.series {
            out.push(',');
            out.push_str(&crate::csv::text(&s.name));
        }
        out.push('\n');
        for (i, category) in self.categories.iter().enumerate() {
            out.push_str(&crate::csv::text(category));
            for s in &self.series {
                out.push(',');
                out.push_str(&s.values.get(i).copied().unwrap_or(0.0).to_string());
            }
            out.push('\n');
        }
        out
    }
}

/// Writes the chart's CSV where the save dialog said. Only to a `.csv`
/// file: whatever calls this can never overwrite a config or a script.
pub fn save_csv(chart: &Chart, path: &SavePath) -> Result<()> {
    let file = path.partial("csv", "a chart")?;
    std::io::Write::write_all(&mut file.file()?, chart.to_csv().as_bytes())
        .map_err(Error::storage)?;
    file.keep()
}

fn number(value: Option<&Bson>) -> f64 {
    match value {
        Some(Bson::Int32(n)) => f64::from(*n),
        Some(Bson::Int64(n)) => *n as f64,
        Some(Bson::Double(n)) => *n,
        _ => 0.0,
    }
}

/// Shown for documents without the grouped field; no list filters on it.
const NONE: &str = "(none)";

/// `{_id: label, n}` groups → label → count (a missing label is `(none)`;
/// a label that is not text is shown as MongoDB writes it, in brackets, so
/// it never passes for a text value a filter could select).
fn by_label(groups: &[Document]) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for g in groups {
        let label = match g.get("_id") {
            Some(Bson::String(s)) => s.clone(),
            Some(Bson::Null) | None => NONE.into(),
            Some(other) => format!("[{other}]"),
        };
        *out.entry(label).or_insert(0.0) += number(g.get("n"));
    }
    out
}

/// The known values first, in their order, then any others the data holds.
fn ordered(known: &[&str], seen: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    for s in seen {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn day_start(day: &str) -> String {
    format!("{day}T00:00:00Z")
}

fn day_end(day: &str) -> String {
    format!("{day}T23:59:59.999Z")
}

/// Users who joined per UTC day over the last [`SIGNUP_DAYS`] days. Dates
/// are grouped by `$dateToString`; ISO strings by their first ten characters.
pub async fn signups(conn: &Connection) -> Result<Chart> {
    let now = Utc::now();
    let first = (now - Duration::days(SIGNUP_DAYS - 1)).date_naive();
    let since = first.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let (as_date, as_text) = dates::range_parts("created_at", &[("$gte", since)]);
    let users = Users::analytics(conn);
    let dated = users
        .aggregate(vec![
            doc! { "$match": as_date },
            doc! { "$group": {
                "_id": { "$dateToString": { "format": "%Y-%m-%d", "date": "$created_at" } },
                "n": { "$sum": 1 },
            } },
        ])
        .await?;
    let texted = users
        .aggregate(vec![
            doc! { "$match": as_text },
            doc! { "$group": { "_id": { "$substrCP": ["$created_at", 0, 10] }, "n": { "$sum": 1 } } },
        ])
        .await?;
    let mut counts = by_label(&dated);
    for (day, n) in by_label(&texted) {
        *counts.entry(day).or_insert(0.0) += n;
    }
    let days: Vec<String> = (0..SIGNUP_DAYS)
        .map(|i| (first + Duration::days(i)).format("%Y-%m-%d").to_string())
        .collect();
    let series = Series {
        name: "signups".into(),
        values: days
            .iter()
            .map(|d| counts.get(d).copied().unwrap_or(0.0))
            .collect(),
        drill: days
            .iter()
            .map(|d| {
                Some(Drill::Users(UserFilter {
                    created_from: Some(day_start(d)),
                    created_to: Some(day_end(d)),
                    ..Default::default()
                }))
            })
            .collect(),
    };
    let mut chart = Chart::new(ChartId::Signups, "Signups per day", days, vec![series]);
    chart.note = Some(format!("The last {SIGNUP_DAYS} days, by UTC day."));
    Ok(chart)
}

/// Users whose last login is within 1, 7 and 30 days: one pass over the
/// last 30 days' logins per way of storing the date.
pub async fn active_users(conn: &Connection) -> Result<Chart> {
    // Whole seconds: the drill-down's instants are written to the second.
    let now = Utc::now().with_nanosecond(0).expect("zero is valid");
    let bounds: Vec<DateTime<Utc>> = ACTIVE_WINDOWS
        .iter()
        .map(|d| now - Duration::days(*d))
        .collect();
    let widest = *bounds.last().expect("windows");
    let (as_date, as_text) = dates::range_parts("last_login", &[("$gte", widest)]);
    let sums =
        |bound: Bson| doc! { "$sum": { "$cond": [{ "$gte": ["$last_login", bound] }, 1, 0] } };
    let group = |text: bool| {
        let mut g = doc! { "_id": Bson::Null };
        for (i, at) in bounds.iter().enumerate() {
            let bound = match text {
                true => Bson::String(dates::bound_text("$gte", *at)),
                false => Bson::DateTime(BsonDate::from_chrono(*at)),
            };
            g.insert(format!("d{i}"), sums(bound));
        }
        doc! { "$group": g }
    };
    let users = Users::analytics(conn);
    let mut values = vec![0.0; bounds.len()];
    for (filter, text) in [(as_date, false), (as_text, true)] {
        let rows = users
            .aggregate(vec![doc! { "$match": filter }, group(text)])
            .await?;
        for row in rows {
            for (i, v) in values.iter_mut().enumerate() {
                *v += number(row.get(format!("d{i}")));
            }
        }
    }
    let categories = ACTIVE_WINDOWS
        .iter()
        .map(|d| match d {
            1 => "last day".to_string(),
            d => format!("last {d} days"),
        })
        .collect();
    let drill = bounds
        .iter()
        .map(|at| {
            Some(Drill::Users(UserFilter {
                last_login_after: Some(dates::to_iso_instant(*at)),
                ..Default::default()
            }))
        })
        .collect();
    let mut chart = Chart::new(
        ChartId::ActiveUsers,
        "Active users (last login)",
        categories,
        vec![Series {
            name: "users".into(),
            values,
            drill,
        }],
    );
    chart.computed_at = dates::to_iso_instant(now);
    Ok(chart)
}

pub async fn roles(conn: &Connection) -> Result<Chart> {
    // Each user once per role (a repeated role counts once), and users
    // without roles under `(none)`.
    let groups = Users::analytics(conn)
        .aggregate(vec![
            doc! { "$unwind": { "path": "$roles", "preserveNullAndEmptyArrays": true } },
            doc! { "$group": { "_id": { "user": "$_id", "role": "$roles" } } },
            doc! { "$group": { "_id": "$_id.role", "n": { "$sum": 1 } } },
        ])
        .await?;
    let counts = by_label(&groups);
    let roles = ordered(&ROLES, counts.keys().cloned());
    let series = Series {
        name: "users".into(),
        values: roles
            .iter()
            .map(|r| counts.get(r).copied().unwrap_or(0.0))
            .collect(),
        // The users list filters on the platform's roles only.
        drill: roles
            .iter()
            .map(|r| {
                ROLES.contains(&r.as_str()).then(|| {
                    Drill::Users(UserFilter {
                        role: Some(r.clone()),
                        ..Default::default()
                    })
                })
            })
            .collect(),
    };
    Ok(Chart::new(
        ChartId::Roles,
        "Users by role",
        roles,
        vec![series],
    ))
}

/// Subscriptions per tier, active (expiring now or later) vs expired: the
/// users list's own filters, so a click shows exactly the bar's users.
pub async fn tiers(conn: &Connection) -> Result<Chart> {
    let now = Utc::now().with_nanosecond(0).expect("zero is valid");
    let users = Users::analytics(conn);
    let mut columns = Vec::new();
    for (state, op) in [
        (SubscriptionState::Active, "$gte"),
        (SubscriptionState::Expired, "$lt"),
    ] {
        let groups = users
            .aggregate(vec![
                doc! { "$match": dates::range_filter("subscription.expires_at", &[(op, now)]) },
                doc! { "$group": { "_id": "$subscription.tier", "n": { "$sum": 1 } } },
            ])
            .await?;
        columns.push((Some(state), by_label(&groups)));
    }
    let open_ended = users
        .aggregate(vec![
            doc! { "$match": { "subscription.expires_at": Bson::Null } },
            doc! { "$group": { "_id": "$subscription.tier", "n": { "$sum": 1 } } },
        ])
        .await?;
    columns.push((None, by_label(&open_ended)));
    let tiers = ordered(&TIERS, columns.iter().flat_map(|(_, c)| c.keys().cloned()));
    let series = columns
        .into_iter()
        .map(|(state, counts)| Series {
            name: match state {
                Some(SubscriptionState::Active) => "active".into(),
                Some(SubscriptionState::Expired) => "expired".into(),
                None => "no expiry".into(),
            },
            values: tiers
                .iter()
                .map(|t| counts.get(t).copied().unwrap_or(0.0))
                .collect(),
            // The users list filters on the platform's tiers, active or expired.
            drill: tiers
                .iter()
                .map(|t| match state {
                    Some(state) if TIERS.contains(&t.as_str()) => Some(Drill::Users(UserFilter {
                        tier: Some(t.clone()),
                        subscription: Some(state),
                        ..Default::default()
                    })),
                    _ => None,
                })
                .collect(),
        })
        .collect();
    let mut chart = Chart::new(ChartId::Tiers, "Subscriptions by tier", tiers, series);
    chart.note = Some("No expiry: no end date is set.".into());
    chart.computed_at = dates::to_iso_instant(now);
    Ok(chart)
}

/// Notifications by type, read and unread, with the read ratio.
pub async fn notifications(conn: &Connection) -> Result<Chart> {
    let collection = PerUserCollection::parse(NOTIFICATIONS)?;
    let groups = CrossUserReads::analytics(conn)
        .aggregate(
            &collection,
            vec![doc! { "$group": { "_id": { "type": "$type", "read": "$read" }, "n": { "$sum": 1 } } }],
        )
        .await?;
    let mut read = BTreeMap::new();
    let mut unread = BTreeMap::new();
    for g in &groups {
        let key = g.get_document("_id").ok();
        let kind = match key.and_then(|k| k.get("type")) {
            Some(Bson::String(s)) => s.clone(),
            Some(Bson::Null) | None => NONE.into(),
            Some(other) => format!("[{other}]"),
        };
        let target = match key.map(|k| k.get_bool("read") == Ok(true)) {
            Some(true) => &mut read,
            _ => &mut unread,
        };
        *target.entry(kind).or_insert(0.0) += number(g.get("n"));
    }
    let kinds = ordered(
        &NOTIFICATION_TYPES,
        read.keys().chain(unread.keys()).cloned(),
    );
    let column = |name: &str, counts: &BTreeMap<String, f64>, is_read: bool| Series {
        name: name.into(),
        values: kinds
            .iter()
            .map(|k| counts.get(k).copied().unwrap_or(0.0))
            .collect(),
        // The feed filters on type names the platform can send.
        drill: kinds
            .iter()
            .map(|k| {
                notifications::validate_type(k)
                    .is_ok()
                    .then(|| Drill::Feed {
                        kind: Some(k.clone()),
                        read: Some(is_read),
                    })
            })
            .collect(),
    };
    let total_read: f64 = read.values().sum();
    let total: f64 = total_read + unread.values().sum::<f64>();
    let mut chart = Chart::new(
        ChartId::Notifications,
        "Notifications by type",
        kinds.clone(),
        vec![
            column("read", &read, true),
            column("unread", &unread, false),
        ],
    );
    chart.note = Some(match total {
        0.0 => "No notifications.".into(),
        t => format!(
            "{:.0}% read ({} of {})",
            100.0 * total_read / t,
            total_read,
            t
        ),
    });
    Ok(chart)
}

/// Per plugin collection with a `status` field, its documents per status:
/// across users, or one user's (the 360 view).
pub async fn plugin_status(conn: &Connection, user: Option<&UserScope>) -> Result<Chart> {
    let names: Vec<String> = CrossUserReads::new(conn)
        .collections()
        .await?
        .into_iter()
        .filter(|c| c.kind == "collection" && CollectionKind::of(&c.name) == CollectionKind::Plugin)
        .map(|c| c.name)
        .collect();
    let group = vec![doc! { "$group": { "_id": "$status", "n": { "$sum": 1 } } }];
    let counted: Vec<(String, BTreeMap<String, f64>)> =
        stream::iter(names.into_iter().map(|name| {
            let group = group.clone();
            async move {
                let collection = PerUserCollection::parse(&name)?;
                let groups = match user {
                    Some(u) => u.collection(conn, collection).aggregate(group).await?,
                    None => {
                        CrossUserReads::analytics(conn)
                            .aggregate(&collection, group)
                            .await?
                    }
                };
                Ok::<_, Error>((name, by_label(&groups)))
            }
        }))
        .buffered(CONCURRENCY)
        .try_collect()
        .await?;
    // Collections without a status field group everything under `(none)`.
    let with_status: Vec<(String, BTreeMap<String, f64>)> = counted
        .into_iter()
        .filter(|(_, c)| c.keys().any(|k| k != NONE))
        .collect();
    let statuses = ordered(
        &[],
        with_status
            .iter()
            .flat_map(|(_, c)| c.keys().cloned())
            .collect::<std::collections::BTreeSet<_>>(),
    );
    let collections: Vec<String> = with_status.iter().map(|(n, _)| n.clone()).collect();
    let series = statuses
        .iter()
        .map(|status| Series {
            name: status.clone(),
            values: with_status
                .iter()
                .map(|(_, c)| c.get(status).copied().unwrap_or(0.0))
                .collect(),
            drill: with_status
                .iter()
                .map(|(name, c)| {
                    // `(none)` and non-text statuses are no value a filter selects.
                    let text = status != NONE && !status.starts_with('[');
                    (c.contains_key(status) && text).then(|| Drill::Plugin {
                        collection: name.clone(),
                        status: status.clone(),
                        user_id: user.map(|u| u.user_id().to_string()),
                    })
                })
                .collect(),
        })
        .collect();
    Ok(Chart::new(
        ChartId::PluginStatus,
        match user {
            Some(_) => "This user's plugin documents by status",
            None => "Plugin documents by status",
        },
        collections,
        series,
    ))
}

/// One chart by its id (the screen loads each on its own).
pub async fn chart(conn: &Connection, id: ChartId) -> Result<Chart> {
    match id {
        ChartId::Signups => signups(conn).await,
        ChartId::ActiveUsers => active_users(conn).await,
        ChartId::Roles => roles(conn).await,
        ChartId::Tiers => tiers(conn).await,
        ChartId::Notifications => notifications(conn).await,
        ChartId::PluginStatus => plugin_status(conn, None).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let chart = Chart::new(
            ChartId::Roles,
            "t",
            vec!["admin".into(), "a,b".into(), "=SUM(A1)".into()],
            vec![Series {
                name: "users \"all\"".into(),
                values: vec![3.0, 1.5],
                drill: vec![None, None],
            }],
        );
        assert_eq!(
            chart.to_csv(),
            "category,\"users \"\"all\"\"\"\nadmin,3\n\"a,b\",1.5\n'=SUM(A1),0\n"
        );
    }

    #[test]
    fn known_labels_come_first() {
        let groups = vec![
            doc! { "_id": "admin", "n": 2 },
            doc! { "_id": "auditor", "n": 1_i64 },
            doc! { "_id": Bson::Null, "n": 4.0 },
        ];
        let counts = by_label(&groups);
        assert_eq!(counts["(none)"], 4.0);
        assert_eq!(
            ordered(&ROLES, counts.keys().cloned()),
            vec!["user", "admin", "superadmin", "(none)", "auditor"]
        );
    }
}
