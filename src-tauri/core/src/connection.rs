//! Opening a connection from a profile, classifying what can go wrong into
//! stable error codes, and the read-only switch every write must pass.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use mongodb::bson::{doc, Document};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::event::{command::CommandEvent, EventHandler};
use mongodb::options::{ClientOptions, ServerAddress, Tls};
use mongodb::{Client, Database};
use serde::Serialize;
use specta::Type;

use crate::cross_user::CrossUserReads;
use crate::profile::{Environment, Profile};
use crate::{Error, Result, Sensitive};

/// Code of MongoDB's `CommandNotFound` error.
const COMMAND_NOT_FOUND: i32 = 59;
/// Code of MongoDB's `DuplicateKey` error: a unique index refused the write.
const DUPLICATE_KEY: i32 = 11000;
/// Code of MongoDB's `AuthenticationFailed` error.
const AUTHENTICATION_FAILED: i32 = 18;
/// Bound on the estimated counts of the overview; they read metadata, so this is generous.
const COUNT_TIME_LIMIT: Duration = Duration::from_secs(5);

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CollectionKind {
    /// `users`, `settings`, `notifications`.
    Core,
    /// A plugin's `{plugin}_*` collection.
    Plugin,
    /// This app's own audit log.
    Audit,
    Other,
}

impl CollectionKind {
    pub fn of(name: &str) -> Self {
        match name {
            "users" | "settings" | "notifications" => CollectionKind::Core,
            crate::AUDIT_COLLECTION => CollectionKind::Audit,
            n if n.contains('_') && !n.starts_with('_') && !n.starts_with("system.") => {
                CollectionKind::Plugin
            }
            _ => CollectionKind::Other,
        }
    }
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct CollectionSummary {
    pub name: String,
    pub kind: CollectionKind,
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
    pub collections: Vec<CollectionSummary>,
}

pub struct Connection {
    profile: Profile,
    client: Client,
    db: Database,
    server: ServerInfo,
    read_only: AtomicBool,
}

/// Proof that the connection was writable when the write began. Every write
/// in the core takes one, so a read-only connection cannot reach a write.
pub struct WriteAccess<'a> {
    conn: &'a Connection,
}

impl WriteAccess<'_> {
    pub(crate) fn database(&self) -> &Database {
        &self.conn.db
    }

    pub fn profile(&self) -> &Profile {
        &self.conn.profile
    }
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
        let mut client_options =
            ClientOptions::parse(&profile.uri)
                .await
                .map_err(|e| match *e.kind {
                    ErrorKind::InvalidArgument { message, .. } => Error::InvalidUri { message },
                    // mongodb+srv:// looks up its hosts while parsing.
                    ErrorKind::DnsResolve { message, .. } => Error::HostUnresolvable {
                        host: srv_name(&profile.uri),
                        message,
                    },
                    _ => classify(&e, timeout_ms),
                })?;
        resolve_hosts(&client_options.hosts, timeout).await?;
        client_options.server_selection_timeout = Some(timeout);
        client_options.connect_timeout = Some(timeout);
        client_options.app_name = Some("mozaiks-admin".into());
        if let Some(username) = &profile.username {
            let password = options.password.ok_or(Error::PasswordRequired)?;
            let mut credential = client_options.credential.take().unwrap_or_default();
            credential.username = Some(username.clone());
            credential.password = Some(password.expose().clone());
            client_options.credential = Some(credential);
        }
        client_options.command_event_handler = options.command_monitor;
        let tls = matches!(client_options.tls, Some(Tls::Enabled(_)));
        let hosts = client_options.hosts.clone();
        let load_balanced = client_options.load_balanced == Some(true);

        let client = Client::with_options(client_options).map_err(|e| classify(&e, timeout_ms))?;
        let hello = match hello(&client).await {
            Ok(hello) => hello,
            Err(e) => return Err(classify_connect(&e, timeout_ms, tls, &hosts).await),
        };
        let build_info = client
            .database("admin")
            .run_command(doc! { "buildInfo": 1 })
            .await?;
        let server = ServerInfo {
            version: build_info
                .get_str("version")
                .unwrap_or("unknown")
                .to_string(),
            topology: topology_of(&hello, load_balanced),
        };
        Ok(Connection {
            db: client.database(profile.database_name()),
            client,
            server,
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

    /// For services inside the core only: reads go through typed services.
    pub(crate) fn database(&self) -> &Database {
        &self.db
    }

    pub fn write_access(&self) -> Result<WriteAccess<'_>> {
        if self.is_read_only() {
            return Err(Error::ReadOnly);
        }
        Ok(WriteAccess { conn: self })
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

    pub async fn overview(&self) -> Result<Overview> {
        let mut names: Vec<String> = self
            .db
            .list_collection_names()
            .await?
            .into_iter()
            .filter(|n| !n.starts_with("system."))
            .collect();
        names.sort();
        let counts = CrossUserReads::new(self)
            .estimated_counts(&names, COUNT_TIME_LIMIT)
            .await;
        let collections = names
            .into_iter()
            .zip(counts)
            .map(|(name, count)| CollectionSummary {
                kind: CollectionKind::of(&name),
                name,
                estimated_count: count.as_ref().ok().map(|c| *c as f64),
                count_error: count.err().map(|e| e.to_string()),
            })
            .collect();
        Ok(Overview {
            profile_id: self.profile.id.clone(),
            profile_name: self.profile.name.clone(),
            color: self.profile.color.clone(),
            environment: self.profile.environment,
            database: self.profile.database_name().to_string(),
            read_only: self.is_read_only(),
            server: self.server.clone(),
            collections,
        })
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
    match classify(err, timeout_ms) {
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

pub(crate) fn classify(err: &mongodb::error::Error, timeout_ms: u32) -> Error {
    match &*err.kind {
        ErrorKind::DnsResolve { message, .. } => Error::HostUnresolvable {
            host: String::new(),
            message: message.clone(),
        },
        ErrorKind::Authentication { message, .. } => Error::AuthenticationFailed {
            message: message.clone(),
        },
        ErrorKind::Command(c) if c.code == AUTHENTICATION_FAILED => Error::AuthenticationFailed {
            message: c.message.clone(),
        },
        ErrorKind::Command(c) if c.code == COMMAND_NOT_FOUND => Error::Unsupported {
            feature: c.code_name.clone(),
            message: c.message.clone(),
        },
        ErrorKind::ServerSelection { message, .. } => Error::ServerSelectionTimeout {
            timeout_ms,
            message: message.clone(),
        },
        ErrorKind::InvalidTlsConfig { message, .. } => Error::TlsFailed {
            message: message.clone(),
        },
        ErrorKind::Write(WriteFailure::WriteError(w)) if w.code == DUPLICATE_KEY => {
            Error::Conflict { current: None }
        }
        _ => Error::Database {
            message: err.to_string(),
        },
    }
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
    fn collection_kinds() {
        assert_eq!(CollectionKind::of("users"), CollectionKind::Core);
        assert_eq!(
            CollectionKind::of("task_manager_tasks"),
            CollectionKind::Plugin
        );
        assert_eq!(CollectionKind::of("admin_audit_log"), CollectionKind::Audit);
        assert_eq!(CollectionKind::of("misc"), CollectionKind::Other);
    }

    #[test]
    fn tls_messages_are_recognised() {
        assert!(looks_like_tls(
            "received corrupt message of type InvalidContentType"
        ));
        assert!(!looks_like_tls("Connection refused (os error 111)"));
    }
}
