//! The overview screen: the server, the database and its collections with
//! estimated counts (metadata, never a scan).

use serde::Serialize;
use specta::Type;

use crate::db::connection::{Connection, ServerInfo};
use crate::db::cross_user::CrossUserReads;
use crate::profiles::profile::{Environment, Profile};
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

/// How the connection reaches the server, for the header: it stays in
/// view, so a relaxed TLS check is never forgotten.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Route {
    /// Which members answer browsing reads, as the profile says it.
    pub read_preference: String,
    /// `user@bastion:port` when an SSH tunnel carries the connection.
    pub ssh: Option<String>,
    pub tls: bool,
    /// One sentence per TLS check switched off.
    pub warnings: Vec<String>,
}

impl Route {
    pub fn of(profile: &Profile) -> Route {
        let tls = profile.tls.as_ref();
        let mut warnings = Vec::new();
        if tls.is_some_and(|t| t.allow_invalid_certificates) {
            warnings.push(
                "TLS certificates are not verified: anyone on the network path can read and change this traffic"
                    .to_string(),
            );
        }
        if tls.is_some_and(|t| t.allow_invalid_hostnames) {
            warnings.push(
                "TLS host names are not checked: a certificate issued for another server is accepted"
                    .to_string(),
            );
        }
        Route {
            read_preference: profile.read_preference.label(),
            ssh: profile
                .ssh
                .as_ref()
                .map(|s| format!("{}@{}:{}", s.user, s.host, s.port)),
            tls: tls.is_some(),
            warnings,
        }
    }
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
        route: Route::of(profile),
        collections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::profile::tests::input;
    use crate::profiles::ssh::{SshAuth, SshTunnel};

    #[test]
    fn the_route_names_the_bastion_the_read_preference_and_each_relaxed_tls_check() {
        let plain = input("mongodb://db:27017").validate("p".into()).unwrap();
        assert_eq!(
            Route::of(&plain.profile),
            Route {
                read_preference: "primary".into(),
                ssh: None,
                tls: false,
                warnings: vec![],
            }
        );
        let mut relaxed = input(
            "mongodb://db:27017/?tls=true&tlsAllowInvalidCertificates=true\
             &readPreference=nearest",
        );
        relaxed.ssh = Some(SshTunnel {
            host: "bastion.example.com".into(),
            port: 2222,
            user: "ops".into(),
            auth: SshAuth::Agent,
        });
        let route = Route::of(&relaxed.validate("p".into()).unwrap().profile);
        assert_eq!(route.read_preference, "nearest");
        assert_eq!(route.ssh.as_deref(), Some("ops@bastion.example.com:2222"));
        assert!(route.tls);
        assert_eq!(route.warnings.len(), 1);
        assert!(route.warnings[0].starts_with("TLS certificates are not verified"));
    }
}
