//! Opening a connection from a profile, its health, and the read-only
//! switch that every write context must pass. The raw database handle lives
//! here and is visible only inside `db`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mongodb::bson::{doc, Document};
use mongodb::error::ErrorKind;
use mongodb::event::{command::CommandEvent, EventHandler};
use mongodb::options::{
    ClientOptions, DatabaseOptions, ReadPreference, ReadPreferenceOptions, SelectionCriteria,
    ServerAddress, Tls, TlsOptions,
};
use mongodb::{Client, Database};
use serde::Serialize;
use specta::Type;

use crate::db::classify::{classify, Phase, COMMAND_NOT_FOUND};
use crate::profiles::profile::{Environment, Profile};
use crate::profiles::read_preference::{ReadMode, ReadPreferenceChoice};
use crate::profiles::ssh::SshTunnel;
use crate::profiles::{files, uri};
use crate::ssh::host_keys::HostKeys;
use crate::ssh::tunnel::{Trouble, Tunnel};
use crate::{Error, Result, Sensitive};

/// Server-side limit on every read the app sends (`maxTimeMS`).
pub const READ_TIME_LIMIT: Duration = Duration::from_secs(10);
/// The server-side limit of one export's whole read.
pub const EXPORT_TIME_LIMIT: Duration = Duration::from_secs(600);
/// Documents per batch of an export's cursor.
pub const EXPORT_BATCH: u32 = 1_000;
/// Counts settle for an estimate, or "unknown", past this.
pub const COUNT_TIME_LIMIT: Duration = Duration::from_secs(5);
/// How often the driver's monitor checks the server.
const HEARTBEAT: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct ConnectOptions {
    pub password: Option<Sensitive<String>>,
    /// The SSH password or key passphrase.
    pub ssh_secret: Option<Sensitive<String>>,
    /// The password of the TLS client key.
    pub tls_key_password: Option<Sensitive<String>>,
    /// Where the SSH bastion's host key is checked; none refuses every key.
    pub host_keys: Option<Arc<HostKeys>>,
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

/// How the connection reaches the server, for the header: it stays in
/// view, so a relaxed TLS check is never forgotten. Taken from what the
/// driver was given, URI options of older profiles included.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Route {
    /// Which members answer browsing reads.
    pub read_preference: String,
    /// `user@bastion:port` when an SSH tunnel carries the connection.
    pub ssh: Option<String>,
    pub tls: bool,
    /// One sentence per TLS check switched off.
    pub warnings: Vec<String>,
}

impl Route {
    fn new(reads: &ReadPreferenceChoice, ssh: Option<&SshTunnel>, tls: Option<&Tls>) -> Route {
        let checks = match tls {
            Some(Tls::Enabled(options)) => Some((
                options.allow_invalid_certificates == Some(true),
                options.allow_invalid_hostnames == Some(true),
            )),
            _ => None,
        };
        let mut warnings = Vec::new();
        if checks.is_some_and(|(certificates, _)| certificates) {
            warnings.push(
                "TLS certificates are not verified: anyone on the network path can read and change this traffic"
                    .to_string(),
            );
        }
        if checks.is_some_and(|(_, hostnames)| hostnames) {
            warnings.push(
                "TLS host names are not checked: a certificate issued for another server is accepted"
                    .to_string(),
            );
        }
        Route {
            read_preference: reads.label(),
            ssh: ssh.map(|s| format!("{}@{}:{}", s.user, s.host, s.port)),
            tls: checks.is_some(),
            warnings,
        }
    }
}

pub struct Connection {
    profile: Profile,
    route: Route,
    /// The driver was given a credential (a user, or X.509 without one).
    authenticates: bool,
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
    /// The bastion every connection of the client goes through.
    tunnel: Option<Tunnel>,
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
        // A bastion has its own budget: its session is opened before the
        // driver's server selection starts.
        let tunnel = match profile.ssh {
            Some(_) => timeout,
            None => Duration::ZERO,
        };
        match tokio::time::timeout(
            timeout + grace + tunnel,
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
        if let Some(tls) = &profile.tls {
            client_options.tls = Some(Tls::Enabled(tls_options(tls, options.tls_key_password)?));
        }
        // A profile saved before the read-preference section keeps its URI's;
        // the header names it as well as the app can (the driver took it).
        let uri_reads = uri::take_options(&profile.uri, &ReadPreferenceChoice::URI_OPTIONS)?.1;
        let reads = ReadPreferenceChoice::from_uri_options(&uri_reads)
            .ok()
            .flatten()
            .unwrap_or_else(|| profile.read_preference.clone());
        let browsing = uri_reads
            .is_empty()
            .then(|| selection(&profile.read_preference));
        let route = Route::new(&reads, profile.ssh.as_ref(), client_options.tls.as_ref());
        let authenticates = client_options.credential.is_some();
        // Through a bastion the hosts are resolved on its side.
        let tunnel = match &profile.ssh {
            Some(ssh) => {
                let host_keys = options
                    .host_keys
                    .unwrap_or_else(|| Arc::new(HostKeys::new(None, Default::default())));
                let tunnel = Tunnel::open(ssh, options.ssh_secret, host_keys, timeout).await?;
                client_options.socks5_proxy = Some(tunnel.proxy());
                Some(tunnel)
            }
            None => {
                resolve_hosts(&client_options.hosts, timeout).await?;
                None
            }
        };
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
            .map_err(|e| tls_cause(classify(&e, timeout_ms, Phase::Connect)))?;
        let hello = match hello(&client).await {
            Ok(hello) => hello,
            Err(e) => {
                let error = classify_connect(
                    &e,
                    timeout_ms,
                    tls,
                    &hosts,
                    tunnel.as_ref(),
                    profile.tls.as_ref(),
                )
                .await;
                if let Some(tunnel) = tunnel {
                    tunnel.close().await;
                }
                return Err(error);
            }
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
        let browsing = DatabaseOptions::builder()
            .selection_criteria(browsing)
            .build();
        Ok(Connection {
            db: client.database_with_options(profile.database_name(), browsing),
            primary: client.database_with_options(profile.database_name(), primary),
            analytics: client.database_with_options(profile.database_name(), analytics),
            client,
            server,
            hosts: hosts.iter().map(ToString::to_string).collect(),
            read_only: AtomicBool::new(profile.opens_read_only()),
            profile: profile.clone(),
            route,
            authenticates,
            tunnel,
        })
    }

    pub fn route(&self) -> &Route {
        &self.route
    }

    pub fn authenticates(&self) -> bool {
        self.authenticates
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

    /// Another database on the same deployment, read as browsing reads.
    pub(in crate::db) fn sibling_database(&self, name: &str) -> Database {
        let options = DatabaseOptions::builder()
            .selection_criteria(self.db.selection_criteria().cloned())
            .build();
        self.client.database_with_options(name, options)
    }

    /// Another database on the same deployment, on its primary: for writes
    /// and the reads that decide them.
    pub(in crate::db) fn sibling_primary_database(&self, name: &str) -> Database {
        let options = DatabaseOptions::builder()
            .selection_criteria(self.primary.selection_criteria().cloned())
            .build();
        self.client.database_with_options(name, options)
    }

    /// The raw handle for the dashboard's aggregations: `secondaryPreferred`
    /// when the profile reads analytics from secondaries.
    pub(in crate::db) fn analytics_database(&self) -> &Database {
        &self.analytics
    }

    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// The SOCKS5 endpoint of the profile's SSH tunnel, if it has one.
    pub fn tunnel_endpoint(&self) -> Option<std::net::SocketAddr> {
        self.tunnel.as_ref().map(Tunnel::proxy_address)
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
        let message = match tokio::time::timeout(limit, ping).await {
            Ok(Ok(_)) => return Health::Connected,
            Ok(Err(e)) => classify(&e, self.profile.timeout_ms, Phase::Session).to_string(),
            Err(_) => format!("no answer within {} ms", self.profile.timeout_ms),
        };
        match self.tunnel.as_ref().and_then(Tunnel::trouble) {
            Some(trouble) => Health::Lost {
                message: format!("{message} (SSH tunnel: {})", describe(&trouble)),
            },
            None => Health::Lost { message },
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
        if let Some(tunnel) = self.tunnel {
            tunnel.close().await;
        }
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
/// Through a tunnel, what the tunnel saw comes first: a refused forward
/// or a lost bastion is the cause, whatever the driver's timeout says.
async fn classify_connect(
    err: &mongodb::error::Error,
    timeout_ms: u32,
    tls: bool,
    hosts: &[ServerAddress],
    tunnel: Option<&Tunnel>,
    verify: Option<&crate::profiles::tls::TlsSettings>,
) -> Error {
    let classified = tls_cause(classify(err, timeout_ms, Phase::Connect));
    match (tunnel.and_then(Tunnel::trouble), classified) {
        (
            Some(Trouble::ForwardRefused { target, message }),
            Error::ServerSelectionTimeout { .. },
        ) => Error::SshForwardRefused { target, message },
        (Some(Trouble::Lost { message }), Error::ServerSelectionTimeout { timeout_ms, .. }) => {
            Error::ServerSelectionTimeout {
                timeout_ms,
                message: format!("the SSH tunnel failed: {message}"),
            }
        }
        (_, Error::ServerSelectionTimeout { message, .. })
            if tls
                && (looks_like_tls(&message) || (tunnel.is_none() && accepts_tcp(hosts).await)) =>
        {
            let reason = match (tunnel, verify) {
                (None, Some(verify)) => verify_reason(hosts, verify).await,
                _ => None,
            };
            tls_cause(Error::TlsFailed {
                message: match reason {
                    Some(reason) => reason,
                    None => format!(
                        "the server accepts connections but no TLS session was established ({message})"
                    ),
                },
            })
        }
        (_, other) => other,
    }
}

/// The driver's OpenSSL error says only "certificate verify failed" (or a
/// reset): one handshake of our own to the first host, verifying nothing,
/// reads why (unknown CA, expired, wrong host name, a client certificate
/// required) from OpenSSL's verify result and the server's alert.
async fn verify_reason(
    hosts: &[ServerAddress],
    tls: &crate::profiles::tls::TlsSettings,
) -> Option<String> {
    use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
    let ServerAddress::Tcp { host, port } = hosts.first()? else {
        return None;
    };
    let (host, port) = (host.clone(), port.unwrap_or(27017));
    let ca = tls
        .ca_file
        .as_deref()
        .and_then(|c| files::resolve("tls.ca_file", c).ok());
    let check_host = !tls.allow_invalid_hostnames;
    let probe = move || -> Option<String> {
        let mut builder = SslConnector::builder(SslMethod::tls()).ok()?;
        match &ca {
            Some(ca) => builder.set_ca_file(ca).ok()?,
            None => builder.set_default_verify_paths().ok()?,
        }
        builder.set_verify(SslVerifyMode::NONE);
        let mut config = builder.build().configure().ok()?;
        config.set_verify_hostname(check_host);
        let address = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
            .ok()?
            .next()?;
        let tcp = std::net::TcpStream::connect_timeout(&address, PROBE_STEP).ok()?;
        tcp.set_read_timeout(Some(PROBE_STEP)).ok()?;
        tcp.set_write_timeout(Some(PROBE_STEP)).ok()?;
        let mut stream = config.connect(&host, tcp).ok()?;
        let result = stream.ssl().verify_result();
        if result != openssl::x509::X509VerifyResult::OK {
            return Some(format!(
                "certificate verify failed: {}",
                result.error_string()
            ));
        }
        // TLS 1.3 refuses a missing client certificate only after the
        // handshake, with an alert the driver's connection may lose to a
        // reset; this probe sends nothing, so it reads the alert.
        let mut byte = [0u8; 1];
        match std::io::Read::read(&mut stream, &mut byte) {
            Err(e) if e.to_string().contains("certificate required") => {
                Some(format!("TLS alert: {e}"))
            }
            _ => None,
        }
    };
    // Within the connect attempt's grace: a plain server never answers a
    // ClientHello, and the user waits for the answer.
    let probe = tokio::task::spawn_blocking(probe);
    tokio::time::timeout(PROBE_STEP * 2, probe)
        .await
        .ok()?
        .ok()
        .flatten()
}

/// Each step of the TLS probe (connect, handshake read, alert read).
const PROBE_STEP: Duration = Duration::from_millis(400);

fn describe(trouble: &Trouble) -> String {
    match trouble {
        Trouble::ForwardRefused { target, message } => {
            format!("the bastion refused to forward to {target}: {message}")
        }
        Trouble::Lost { message } => message.clone(),
    }
}

/// The driver's TLS options for a profile's TLS section.
fn tls_options(
    tls: &crate::profiles::tls::TlsSettings,
    key_password: Option<Sensitive<String>>,
) -> Result<TlsOptions> {
    let path = |field: &str, raw: &Option<String>| {
        raw.as_deref().map(|r| files::resolve(field, r)).transpose()
    };
    Ok(TlsOptions::builder()
        .ca_file_path(path("tls.ca_file", &tls.ca_file)?)
        .cert_key_file_path(path("tls.cert_key_file", &tls.cert_key_file)?)
        .allow_invalid_certificates(Some(tls.allow_invalid_certificates))
        .allow_invalid_hostnames(Some(tls.allow_invalid_hostnames))
        .tls_certificate_key_file_password(key_password.map(|p| p.expose().as_bytes().to_vec()))
        .build())
}

/// The read preference of the browsing handle.
fn selection(choice: &ReadPreferenceChoice) -> SelectionCriteria {
    let options = ReadPreferenceOptions::builder()
        .tag_sets((!choice.tags.is_empty()).then(|| {
            choice
                .tags
                .iter()
                .map(|set| set.clone().into_iter().collect())
                .collect()
        }))
        .max_staleness(
            choice
                .max_staleness_seconds
                .map(|s| Duration::from_secs(s.into())),
        )
        .build();
    let options = Some(options);
    SelectionCriteria::ReadPreference(match choice.mode {
        ReadMode::Primary => ReadPreference::Primary,
        ReadMode::PrimaryPreferred => ReadPreference::PrimaryPreferred { options },
        ReadMode::Secondary => ReadPreference::Secondary { options },
        ReadMode::SecondaryPreferred => ReadPreference::SecondaryPreferred { options },
        ReadMode::Nearest => ReadPreference::Nearest { options },
    })
}

/// OpenSSL's reasons, as sentences a user can act on.
fn tls_cause(error: Error) -> Error {
    const CAUSES: [(&[&str], &str); 6] = [
        (
            &["unable to get local issuer certificate", "self-signed certificate", "self signed certificate", "unable to verify the first certificate"],
            "the server's certificate is signed by a CA this profile does not trust (set the CA file)",
        ),
        (&["certificate has expired"], "the server's certificate has expired"),
        (&["certificate is not yet valid"], "the server's certificate is not valid yet"),
        (
            &["hostname mismatch", "ip address mismatch"],
            "the server's certificate is not for this host name",
        ),
        (
            &["certificate required", "alert handshake failure", "peer did not return a certificate"],
            "the server requires a client certificate (set the certificate-and-key file)",
        ),
        (
            &["bad decrypt", "decrypt", "pkcs8"],
            "the client key could not be decrypted with its password",
        ),
    ];
    let text = match &error {
        Error::ServerSelectionTimeout { message, .. }
        | Error::TlsFailed { message }
        | Error::InvalidUri { message } => message.to_ascii_lowercase(),
        Error::Database { message, details } => format!("{message} {details}").to_ascii_lowercase(),
        _ => return error,
    };
    for (needles, sentence) in CAUSES {
        if needles.iter().any(|n| text.contains(n)) && looks_like_tls(&text) {
            return Error::TlsFailed {
                message: format!("{sentence} ({})", error),
            };
        }
    }
    error
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

    /// The header says what the driver was given: TLS from a `mongodb+srv`
    /// default or an older profile's URI counts, and each relaxed check is
    /// its own warning.
    #[tokio::test]
    async fn the_route_is_what_the_driver_uses() {
        let options = |uri: &str| {
            let uri = uri.to_string();
            async move { ClientOptions::parse(uri).await.unwrap() }
        };
        let primary = ReadPreferenceChoice::default();
        let plain = options("mongodb://db:27017").await;
        assert_eq!(
            Route::new(&primary, None, plain.tls.as_ref()),
            Route {
                read_preference: "primary".into(),
                ssh: None,
                tls: false,
                warnings: vec![],
            }
        );
        let insecure =
            options("mongodb://db:27017/?tls=true&tlsAllowInvalidCertificates=true").await;
        let route = Route::new(&primary, None, insecure.tls.as_ref());
        assert!(route.tls);
        assert_eq!(route.warnings.len(), 1);
        assert!(route.warnings[0].starts_with("TLS certificates are not verified"));

        let bastion = SshTunnel {
            host: "bastion.example.com".into(),
            port: 2222,
            user: "ops".into(),
            auth: crate::profiles::ssh::SshAuth::Agent,
        };
        let uri_reads = [("readpreference".to_string(), "nearest".to_string())];
        let nearest = ReadPreferenceChoice::from_uri_options(&uri_reads)
            .unwrap()
            .unwrap();
        let tls = Tls::Enabled(TlsOptions::default());
        let route = Route::new(&nearest, Some(&bastion), Some(&tls));
        assert_eq!(route.read_preference, "nearest");
        assert_eq!(route.ssh.as_deref(), Some("ops@bastion.example.com:2222"));
        assert!(route.tls && route.warnings.is_empty());
    }

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
