//! Opening a connection from a profile, its health, and the read-only
//! switch that every write context must pass. The raw database handle lives
//! here and is visible only inside `db`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mongodb::bson::{doc, Document};
use mongodb::error::ErrorKind;
use mongodb::event::{command::CommandEvent, EventHandler};
use mongodb::options::{
    ClientOptions, DatabaseOptions, ReadPreference, SelectionCriteria, ServerAddress, Tls,
};
use mongodb::{Client, Database};
use serde::Serialize;
use specta::Type;

use crate::db::classify::{classify, Phase, COMMAND_NOT_FOUND};
use crate::profiles::profile::{Environment, Profile};
use crate::profiles::uri;
use crate::{Error, Result, Sensitive};

/// Server-side limit on every read the app sends (`maxTimeMS`).
pub const READ_TIME_LIMIT: Duration = Duration::from_secs(10);
/// Counts settle for an estimate, or "unknown", past this.
pub const COUNT_TIME_LIMIT: Duration = Duration::from_secs(5);
/// How often the driver's monitor checks the server.
const HEARTBEAT: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct ConnectOptions {
    pub password: Option<Sensitive<String>>,
    /// Sees every command the client sends (the scoped-layer proof uses it).
    pub command_monitor: Option<EventHandler<CommandEvent>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Topology {
    Standalone,
    ReplicaSet,
    Sharded,
    LoadBalanced,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ServerInfo {
    pub version: String,
    pub topology: Topology,
}

pub struct Connection {
    profile: Profile,
    client: Client,
    db: Database,
    /// The same database, always read from the primary: the reads that
    /// decide or report a write (compare-and-set, read-backs, ownership and
    /// last-superadmin checks) must not see a lagging secondary, whatever
    /// read preference the URI gives browsing.
    primary: Database,
    /// The same database, read from secondaries when the profile asks.
    analytics: Database,
    server: ServerInfo,
    /// The hosts the client was given (after an SRV look-up): through
    /// `mongos`, the routers.
    hosts: Vec<String>,
    read_only: AtomicBool,
}

/// Admin commands that describe the deployment and read no documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentCommand {
    Hello,
    ReplSetGetStatus,
    ReplSetGetConfig,
    ListShards,
}

impl DeploymentCommand {
    pub fn name(self) -> &'static str {
        match self {
            DeploymentCommand::Hello => "hello",
            DeploymentCommand::ReplSetGetStatus => "replSetGetStatus",
            DeploymentCommand::ReplSetGetConfig => "replSetGetConfig",
            DeploymentCommand::ListShards => "listShards",
        }
    }
}

/// Whether the server answers now (the header's dot).
#[derive(Debug, Clone, Serialize, Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Health {
    Connected,
    /// The server does not answer; the driver keeps trying in the background.
    Lost {
        message: String,
    },
}

/// The driver's options for a profile and its password: the driver parses
/// the stored URI with the credentials put back where they were
/// ([`uri::with_credentials`]), so the credential it builds is the one the
/// original URI gives (auth database, mechanism and its properties).
pub async fn client_options(
    profile: &Profile,
    password: Option<&Sensitive<String>>,
) -> Result<ClientOptions> {
    let assembled = uri::with_credentials(&profile.uri, profile.username.as_deref(), password);
    ClientOptions::parse(assembled.expose())
        .await
        .map_err(|e| match *e.kind {
            // The driver's messages name options, never the user-info.
            ErrorKind::InvalidArgument { message, .. } => Error::InvalidUri { message },
            // mongodb+srv:// looks up its hosts while parsing.
            ErrorKind::DnsResolve { message, .. } => Error::HostUnresolvable {
                host: srv_name(&profile.uri),
                message,
            },
            _ => classify(&e, profile.timeout_ms, Phase::Connect),
        })
}

impl Connection {
    pub async fn open(profile: &Profile, options: ConnectOptions) -> Result<Connection> {
        let timeout = Duration::from_millis(profile.timeout_ms.into());
        // DNS and SRV look-ups have no timeout of their own; bound the whole attempt.
        let grace = Duration::from_millis(1_500);
        match tokio::time::timeout(
            timeout + grace,
            Self::open_within(profile, options, timeout),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(Error::ServerSelectionTimeout {
                timeout_ms: profile.timeout_ms,
                message: "the connection attempt did not finish in time".into(),
            }),
        }
    }

    async fn open_within(
        profile: &Profile,
        options: ConnectOptions,
        timeout: Duration,
    ) -> Result<Connection> {
        let timeout_ms = profile.timeout_ms;
        let mut client_options = client_options(profile, options.password.as_ref()).await?;
        resolve_hosts(&client_options.hosts, timeout).await?;
        client_options.server_selection_timeout = Some(timeout);
        client_options.connect_timeout = Some(timeout);
        // The driver has no socket timeout: a server that takes a request and
        // never answers (a hung host, a network dropping packets) is noticed
        // only by the monitor, which then fails the operations waiting on it
        // (a read first retries, waiting up to the timeout for a server). Its
        // default 10 s beat made that 12.7 s at a 1.5 s timeout; now it is
        // this beat plus at most twice the timeout. A load-balanced
        // connection has no monitor, so nothing bounds it there.
        client_options.heartbeat_freq = Some(HEARTBEAT);
        client_options.app_name = Some("mozaiks-admin".into());
        client_options.command_event_handler = options.command_monitor;
        let tls = matches!(client_options.tls, Some(Tls::Enabled(_)));
        let hosts = client_options.hosts.clone();
        let load_balanced = client_options.load_balanced == Some(true);

        let client = Client::with_options(client_options)
            .map_err(|e| classify(&e, timeout_ms, Phase::Connect))?;
        let hello = match hello(&client).await {
            Ok(hello) => hello,
            Err(e) => return Err(classify_connect(&e, timeout_ms, tls, &hosts).await),
        };
        let build_info = client
            .database("admin")
            .run_command(doc! { "buildInfo": 1 })
            .await
            .map_err(|e| classify(&e, timeout_ms, Phase::Connect))?;
        let server = ServerInfo {
            version: build_info
                .get_str("version")
                .unwrap_or("unknown")
                .to_string(),
            topology: topology_of(&hello, load_balanced),
        };
        let analytics = DatabaseOptions::builder()
            .selection_criteria(profile.analytics_from_secondaries.then_some(
                SelectionCriteria::ReadPreference(ReadPreference::SecondaryPreferred {
                    options: Default::default(),
                }),
            ))
            .build();
        let primary = DatabaseOptions::builder()
            .selection_criteria(Some(SelectionCriteria::ReadPreference(
                ReadPreference::Primary,
            )))
            .build();
        Ok(Connection {
            db: client.database(profile.database_name()),
            primary: client.database_with_options(profile.database_name(), primary),
            analytics: client.database_with_options(profile.database_name(), analytics),
            client,
            server,
            hosts: hosts.iter().map(ToString::to_string).collect(),
            read_only: AtomicBool::new(profile.opens_read_only()),
            profile: profile.clone(),
        })
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn server(&self) -> &ServerInfo {
        &self.server
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only.load(Ordering::SeqCst)
    }

    pub fn timeout_ms(&self) -> u32 {
        self.profile.timeout_ms
    }

    /// The raw handle: only `db`'s typed handles reach the database.
    pub(in crate::db) fn database(&self) -> &Database {
        &self.db
    }

    /// The raw handle for reads that decide or report a write: primary.
    pub(in crate::db) fn primary_database(&self) -> &Database {
        &self.primary
    }

    /// The raw handle for the dashboard's aggregations: `secondaryPreferred`
    /// when the profile reads analytics from secondaries.
    pub(in crate::db) fn analytics_database(&self) -> &Database {
        &self.analytics
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// One of the admin commands that describe the deployment, within the
    /// read time limit; a refusal (not permitted, not a replica set) is the
    /// server's error, typed.
    pub async fn deployment(&self, command: DeploymentCommand) -> Result<Document> {
        let admin = self.client.database("admin");
        let run = admin.run_command(doc! { command.name(): 1 });
        match tokio::time::timeout(READ_TIME_LIMIT, run).await {
            Ok(reply) => reply.map_err(|e| classify(&e, self.profile.timeout_ms, Phase::Session)),
            Err(_) => Err(Error::TimeLimit {
                message: format!("{} did not answer within the time limit", command.name()),
            }),
        }
    }

    /// A ping within the profile's timeout. The driver reconnects by itself
    /// once the server is back; this only reports whether it is.
    pub async fn health(&self) -> Health {
        let ping = self.db.run_command(doc! { "ping": 1 });
        let limit = Duration::from_millis(self.profile.timeout_ms.into());
        match tokio::time::timeout(limit, ping).await {
            Ok(Ok(_)) => Health::Connected,
            Ok(Err(e)) => Health::Lost {
                message: classify(&e, self.profile.timeout_ms, Phase::Session).to_string(),
            },
            Err(_) => Health::Lost {
                message: format!("no answer within {} ms", self.profile.timeout_ms),
            },
        }
    }

    /// Making a production connection writable needs the database name typed back.
    pub fn set_read_only(&self, read_only: bool, confirmation: Option<&str>) -> Result<()> {
        let expected = self.profile.database_name();
        if !read_only
            && self.profile.environment == Environment::Production
            && confirmation != Some(expected)
        {
            return Err(Error::ConfirmationRequired {
                expected: expected.to_string(),
            });
        }
        self.read_only.store(read_only, Ordering::SeqCst);
        Ok(())
    }

    pub async fn close(self) {
        self.client.shutdown().await;
    }
}

/// The host part of a URI (the SRV name of a `mongodb+srv://` one).
fn srv_name(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest).to_string()
}

/// `hello` where the server has it, the legacy `isMaster` where it does not.
async fn hello(client: &Client) -> mongodb::error::Result<Document> {
    let admin = client.database("admin");
    match admin.run_command(doc! { "hello": 1 }).await {
        Err(e) if matches!(&*e.kind, ErrorKind::Command(c) if c.code == COMMAND_NOT_FOUND) => {
            admin.run_command(doc! { "isMaster": 1 }).await
        }
        other => other,
    }
}

fn topology_of(hello: &Document, load_balanced: bool) -> Topology {
    if load_balanced {
        Topology::LoadBalanced
    } else if hello.get_str("msg") == Ok("isdbgrid") {
        Topology::Sharded
    } else if hello.contains_key("setName") {
        Topology::ReplicaSet
    } else {
        Topology::Standalone
    }
}

/// Resolves the TCP hosts up front so an unknown host is reported as such
/// at once, instead of as a generic server-selection timeout. One host that
/// resolves is enough: the driver copes with the others.
async fn resolve_hosts(hosts: &[ServerAddress], timeout: Duration) -> Result<()> {
    let mut first_failure = None;
    for host in hosts {
        let ServerAddress::Tcp { host, port } = host else {
            return Ok(());
        };
        let target = format!("{host}:{}", port.unwrap_or(27017));
        let lookup = tokio::time::timeout(timeout, tokio::net::lookup_host(target)).await;
        let message = match lookup {
            Ok(Ok(addrs)) => match addrs.into_iter().next() {
                Some(_) => return Ok(()),
                None => "no address found".to_string(),
            },
            Ok(Err(e)) => e.to_string(),
            Err(_) => "DNS look-up timed out".to_string(),
        };
        first_failure.get_or_insert(Error::HostUnresolvable {
            host: host.clone(),
            message,
        });
    }
    first_failure.map_or(Ok(()), Err)
}

/// With TLS on, a server that takes TCP connections but could not be
/// selected failed the handshake (a plain server may just stall on it).
async fn classify_connect(
    err: &mongodb::error::Error,
    timeout_ms: u32,
    tls: bool,
    hosts: &[ServerAddress],
) -> Error {
    match classify(err, timeout_ms, Phase::Connect) {
        Error::ServerSelectionTimeout { message, .. }
            if tls && (looks_like_tls(&message) || accepts_tcp(hosts).await) =>
        {
            Error::TlsFailed {
                message: format!(
                    "the server accepts connections but no TLS session was established ({message})"
                ),
            }
        }
        other => other,
    }
}

async fn accepts_tcp(hosts: &[ServerAddress]) -> bool {
    for host in hosts {
        if let ServerAddress::Tcp { host, port } = host {
            let target = format!("{host}:{}", port.unwrap_or(27017));
            let probe = tokio::net::TcpStream::connect(target);
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(500), probe).await {
                return true;
            }
        }
    }
    false
}

/// TLS failures reach us inside server-selection messages; the driver has no
/// kind for them. Matched here, once, so the UI gets a stable code instead.
fn looks_like_tls(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "tls",
        "ssl",
        "certificate",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topology_follows_the_hello_reply() {
        assert_eq!(
            topology_of(&doc! {"ismaster": true}, false),
            Topology::Standalone
        );
        assert_eq!(
            topology_of(&doc! {"setName": "rs0"}, false),
            Topology::ReplicaSet
        );
        assert_eq!(
            topology_of(&doc! {"msg": "isdbgrid"}, false),
            Topology::Sharded
        );
        assert_eq!(topology_of(&doc! {}, true), Topology::LoadBalanced);
    }

    #[test]
    fn tls_messages_are_recognised() {
        assert!(looks_like_tls(
            "received corrupt message of type InvalidContentType"
        ));
        assert!(!looks_like_tls("Connection refused (os error 111)"));
    }
}
