//! The overview screen: the server, the database and its collections with
//! estimated counts (metadata, never a scan).

use serde::Serialize;
use specta::Type;

use crate::db::connection::{Connection, Route, ServerInfo};
use crate::db::cross_user::CrossUserReads;
use crate::profiles::profile::Environment;
use crate::schema::CollectionKind;
use crate::Result;

#[derive(Debug, Clone, Serialize, Type)]
pub struct CollectionSummary {
    pub name: String,
    pub kind: CollectionKind,
    /// Views are listed but hold no documents of their own.
    pub is_view: bool,
    /// From collection metadata (never a scan). JS numbers are exact to 2^53.
    pub estimated_count: Option<f64>,
    /// Why the count is missing, when it is.
    pub count_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Overview {
    pub profile_id: String,
    pub profile_name: String,
    /// The profile's accent colour, `#rrggbb`.
    pub color: String,
    pub environment: Environment,
    pub database: String,
    pub read_only: bool,
    pub server: ServerInfo,
    pub route: Route,
    pub collections: Vec<CollectionSummary>,
}

pub async fn overview(conn: &Connection) -> Result<Overview> {
    let reads = CrossUserReads::new(conn);
    let infos = reads.collections().await?;
    let names: Vec<String> = infos.iter().map(|c| c.name.clone()).collect();
    let counts = reads.estimated_counts(&names).await;
    let collections = infos
        .into_iter()
        .zip(counts)
        .map(|(info, count)| CollectionSummary {
            kind: CollectionKind::of(&info.name),
            is_view: info.kind == "view",
            name: info.name,
            estimated_count: count.as_ref().ok().map(|c| *c as f64),
            count_error: count.err().map(|e| e.to_string()),
        })
        .collect();
    let profile = conn.profile();
    Ok(Overview {
        profile_id: profile.id.clone(),
        profile_name: profile.name.clone(),
        color: profile.color.clone(),
        environment: profile.environment,
        database: profile.database_name().to_string(),
        read_only: conn.is_read_only(),
        server: conn.server().clone(),
        route: conn.route().clone(),
        collections,
    })
}
