//! One SSH session to a profile's bastion, and a SOCKS5 endpoint on
//! loopback that turns each connection the driver opens into its own
//! `direct-tcpip` channel: every member of a replica set, every failover
//! and every `mongodb+srv` host is reached as the driver discovers them.
//! The endpoint takes only clients that know its random credentials (the
//! driver of this connection). A session that drops is opened again by
//! the next connection the driver tries, so the tunnel comes back by
//! itself like a lost server.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mongodb::options::Socks5Proxy;
use russh::client::{self, Handle};
use russh::keys::agent::client::AgentClient;
use russh::keys::agent::AgentIdentity;
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::profiles::ssh::{load_key, LoadedKey, SshAuth, SshTunnel};
use crate::ssh::host_keys::{fingerprint, HostKeys, Verdict};
use crate::ssh::socks::{self, Reply};
use crate::{Error, Result, Sensitive};

/// A silent bastion is noticed after three unanswered keep-alives.
const KEEPALIVE: Duration = Duration::from_secs(5);
const KEEPALIVE_MAX: usize = 3;
/// The local agent answers at once or not at all.
const AGENT_TIMEOUT: Duration = Duration::from_secs(2);

/// What last went wrong inside the tunnel, for the error the driver's
/// own (a timeout, a closed socket) would otherwise hide.
#[derive(Debug, Clone, PartialEq)]
pub enum Trouble {
    ForwardRefused { target: String, message: String },
    Lost { message: String },
}

pub struct Tunnel {
    proxy: SocketAddr,
    socks_user: String,
    socks_password: Sensitive<String>,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

enum Credential {
    Password(Sensitive<String>),
    Key(Arc<PrivateKey>),
    Agent,
}

struct State {
    settings: SshTunnel,
    credential: Credential,
    host_keys: Arc<HostKeys>,
    timeout: Duration,
    session: tokio::sync::Mutex<Option<Arc<Handle<Client>>>>,
    trouble: Mutex<Option<Trouble>>,
}

impl Tunnel {
    /// Opens the session (host key, then authentication) so each failure
    /// is its own typed error, then starts the SOCKS5 endpoint.
    pub async fn open(
        settings: &SshTunnel,
        secret: Option<Sensitive<String>>,
        host_keys: Arc<HostKeys>,
        timeout: Duration,
    ) -> Result<Tunnel> {
        let credential = credential(settings, secret)?;
        if let Credential::Agent = credential {
            // Asked first, with its own short time: a silent or empty agent
            // is said as such, before the bastion is contacted.
            let failed = |message: String| Error::SshAuthFailed {
                host: settings.host.clone(),
                user: settings.user.clone(),
                message,
            };
            let (_, keys) = agent_keys(timeout.min(AGENT_TIMEOUT))
                .await
                .map_err(failed)?;
            if keys.is_empty() {
                return Err(failed("the SSH agent (SSH_AUTH_SOCK) holds no keys".into()));
            }
        }
        let state = Arc::new(State {
            settings: settings.clone(),
            credential,
            host_keys,
            timeout,
            session: tokio::sync::Mutex::new(None),
            trouble: Mutex::new(None),
        });
        state.session().await?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::storage(format!("cannot listen on loopback: {e}")))?;
        let proxy = listener.local_addr().map_err(Error::storage)?;
        let socks_user = uuid::Uuid::new_v4().simple().to_string();
        let socks_password = Sensitive::new(uuid::Uuid::new_v4().simple().to_string());
        let accept = tokio::spawn(accept_loop(
            listener,
            state.clone(),
            socks_user.clone(),
            socks_password.clone(),
        ));
        Ok(Tunnel {
            proxy,
            socks_user,
            socks_password,
            state,
            accept,
        })
    }

    /// The driver's proxy setting: this endpoint and its credentials.
    pub fn proxy(&self) -> Socks5Proxy {
        Socks5Proxy::builder()
            .host(self.proxy.ip().to_string())
            .port(self.proxy.port())
            .authentication((
                self.socks_user.clone(),
                self.socks_password.expose().clone(),
            ))
            .build()
    }

    pub fn proxy_address(&self) -> SocketAddr {
        self.proxy
    }

    /// What last went wrong, cleared by the next channel that opens; a
    /// session that ended is trouble even before a channel is tried.
    pub fn trouble(&self) -> Option<Trouble> {
        let noted = self
            .state
            .trouble
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        noted.or_else(|| {
            let session = self.state.session.try_lock().ok()?;
            session.as_ref().filter(|s| s.is_closed())?;
            Some(Trouble::Lost {
                message: format!(
                    "the SSH session to {}:{} ended",
                    self.state.settings.host, self.state.settings.port
                ),
            })
        })
    }

    pub fn settings(&self) -> &SshTunnel {
        &self.state.settings
    }

    pub async fn close(self) {
        self.accept.abort();
        if let Some(session) = self.state.session.lock().await.take() {
            let _ = session
                .disconnect(russh::Disconnect::ByApplication, "", "en")
                .await;
        }
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// The key is decrypted once, at open: a wrong passphrase is said then.
fn credential(settings: &SshTunnel, secret: Option<Sensitive<String>>) -> Result<Credential> {
    match &settings.auth {
        SshAuth::Password => secret
            .map(Credential::Password)
            .ok_or_else(|| Error::invalid("ssh_secret", "the SSH password is missing")),
        SshAuth::Agent => Ok(Credential::Agent),
        SshAuth::KeyFile { path, .. } => match load_key(path, secret.as_ref())? {
            LoadedKey::Key(key) => Ok(Credential::Key(key)),
            LoadedKey::Encrypted => Err(Error::invalid(
                "ssh_secret",
                "the key is encrypted: give its passphrase",
            )),
        },
    }
}

/// The running agent and the keys it holds, within `limit`: a hung agent
/// is this machine's trouble, not the bastion's.
async fn agent_keys(
    limit: Duration,
) -> std::result::Result<(AgentClient<tokio::net::UnixStream>, Vec<AgentIdentity>), String> {
    let silent = || "the SSH agent (SSH_AUTH_SOCK) did not answer".to_string();
    let mut agent = tokio::time::timeout(limit, AgentClient::connect_env())
        .await
        .map_err(|_| silent())?
        .map_err(|e| format!("no SSH agent (SSH_AUTH_SOCK): {e}"))?;
    let identities = tokio::time::timeout(limit, agent.request_identities())
        .await
        .map_err(|_| silent())?
        .map_err(|e| format!("the SSH agent did not list its keys: {e}"))?;
    Ok((agent, identities))
}

impl State {
    /// The open session, or a new one when there is none or it dropped.
    async fn session(&self) -> Result<Arc<Handle<Client>>> {
        let mut slot = self.session.lock().await;
        if let Some(session) = slot.as_ref().filter(|s| !s.is_closed()) {
            return Ok(session.clone());
        }
        *slot = None;
        let session = Arc::new(self.establish().await?);
        *slot = Some(session.clone());
        Ok(session)
    }

    async fn establish(&self) -> Result<Handle<Client>> {
        let SshTunnel {
            host, port, user, ..
        } = &self.settings;
        let unreachable = |message: String| Error::SshUnreachable {
            host: host.clone(),
            port: *port,
            message,
        };
        // One budget for the whole session, as the profile's timeout says.
        let deadline = tokio::time::Instant::now() + self.timeout;
        let tcp = tokio::time::timeout_at(deadline, TcpStream::connect((host.as_str(), *port)))
            .await
            .map_err(|_| unreachable(format!("no answer within {} ms", self.timeout.as_millis())))?
            .map_err(|e| unreachable(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let config = Arc::new(client::Config {
            keepalive_interval: Some(KEEPALIVE),
            keepalive_max: KEEPALIVE_MAX,
            nodelay: true,
            ..Default::default()
        });
        let rejection = Arc::new(Mutex::new(None));
        let handler = Client {
            host: host.clone(),
            port: *port,
            host_keys: self.host_keys.clone(),
            rejection: rejection.clone(),
        };
        let handshake = client::connect_stream(config, tcp, handler);
        let mut session = match tokio::time::timeout_at(deadline, handshake).await {
            Ok(Ok(session)) => session,
            Ok(Err(e)) => {
                return Err(rejection
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take()
                    .unwrap_or_else(|| unreachable(format!("SSH handshake failed: {e}"))))
            }
            Err(_) => {
                return Err(unreachable(
                    "the SSH handshake did not finish in time".into(),
                ))
            }
        };
        // A bastion that stops answering has refused nothing: unreachable.
        let authenticated = tokio::time::timeout_at(deadline, self.authenticate(&mut session))
            .await
            .map_err(|_| unreachable("authentication did not finish in time".into()))??;
        if !authenticated {
            let what = match self.credential {
                Credential::Password(_) => "the password",
                Credential::Key(_) => "the key",
                Credential::Agent => "every key the SSH agent holds",
            };
            return Err(Error::SshAuthFailed {
                host: host.clone(),
                user: user.clone(),
                message: format!("the server refused {what}"),
            });
        }
        Ok(session)
    }

    async fn authenticate(&self, session: &mut Handle<Client>) -> Result<bool> {
        let user = self.settings.user.clone();
        let failed = |message: String| Error::SshAuthFailed {
            host: self.settings.host.clone(),
            user: user.clone(),
            message,
        };
        match &self.credential {
            Credential::Password(password) => session
                .authenticate_password(user.clone(), password.expose().clone())
                .await
                .map(|r| r.success())
                .map_err(|e| failed(e.to_string())),
            Credential::Key(key) => {
                let hash = session
                    .best_supported_rsa_hash()
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .flatten();
                session
                    .authenticate_publickey(
                        user.clone(),
                        PrivateKeyWithHashAlg::new(key.clone(), hash),
                    )
                    .await
                    .map(|r| r.success())
                    .map_err(|e| failed(e.to_string()))
            }
            Credential::Agent => {
                let (mut agent, identities) = agent_keys(AGENT_TIMEOUT).await.map_err(failed)?;
                let hash = session
                    .best_supported_rsa_hash()
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .flatten();
                for identity in identities {
                    let AgentIdentity::PublicKey { key, .. } = identity else {
                        continue;
                    };
                    let result = session
                        .authenticate_publickey_with(user.clone(), key, hash, &mut agent)
                        .await;
                    if result.is_ok_and(|r| r.success()) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    fn note(&self, trouble: Option<Trouble>) {
        *self.trouble.lock().unwrap_or_else(|p| p.into_inner()) = trouble;
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    user: String,
    password: Sensitive<String>,
) {
    // The forwards live in this set: when the tunnel ends (the loop is
    // aborted) they end with it, and with them the last hold on the session.
    let mut forwards = tokio::task::JoinSet::new();
    loop {
        while forwards.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of descriptors, say: wait rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let (state, user, password) = (state.clone(), user.clone(), password.clone());
        forwards.spawn(async move { serve(stream, state, &user, password.expose()).await });
    }
}

/// One driver connection: a SOCKS5 handshake, then a channel to its target.
async fn serve(mut stream: TcpStream, state: Arc<State>, user: &str, password: &str) {
    // A client that connects and says nothing is not kept forever.
    let handshake = socks::accept(&mut stream, user, password);
    let Ok(Ok(target)) = tokio::time::timeout(state.timeout, handshake).await else {
        return;
    };
    let session = match state.session().await {
        Ok(session) => session,
        Err(e) => {
            state.note(Some(Trouble::Lost {
                message: e.to_string(),
            }));
            let _ = socks::reply(&mut stream, Reply::GeneralFailure).await;
            return;
        }
    };
    let origin = stream.local_addr().map(|a| a.port()).unwrap_or(0);
    let channel = session
        .channel_open_direct_tcpip(
            target.host.clone(),
            target.port.into(),
            "127.0.0.1",
            origin.into(),
        )
        .await;
    match channel {
        Ok(channel) => {
            state.note(None);
            if socks::reply(&mut stream, Reply::Succeeded).await.is_ok() {
                let mut channel = channel.into_stream();
                let _ = tokio::io::copy_bidirectional(&mut stream, &mut channel).await;
            }
        }
        Err(e) => {
            state.note(Some(Trouble::ForwardRefused {
                target: format!("{}:{}", target.host, target.port),
                message: e.to_string(),
            }));
            let _ = socks::reply(&mut stream, Reply::ConnectionRefused).await;
        }
    }
}

struct Client {
    host: String,
    port: u16,
    host_keys: Arc<HostKeys>,
    /// Why the host key was refused, for the typed error.
    rejection: Arc<Mutex<Option<Error>>>,
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        offered: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = offered else {
            self.reject(Error::Unsupported {
                feature: "SSH host certificates".into(),
                message: "the bastion offered a certificate; only plain host keys are checked"
                    .into(),
            });
            return Ok(false);
        };
        let (host, port) = (self.host.clone(), self.port);
        let key_type = key.algorithm().to_string();
        let offered_fingerprint = fingerprint(key);
        match self.host_keys.check(&host, port, key) {
            Verdict::Known => return Ok(true),
            Verdict::Unknown => {
                self.host_keys.hold_unknown(&host, port, key.clone());
                self.reject(Error::SshHostKeyUnknown {
                    host,
                    port,
                    key_type,
                    fingerprint: offered_fingerprint,
                });
            }
            Verdict::Changed { known } => self.reject(Error::SshHostKeyChanged {
                host,
                port,
                known_fingerprint: fingerprint(&known),
                fingerprint: offered_fingerprint,
            }),
            Verdict::Revoked => self.reject(Error::SshHostKeyChanged {
                host,
                port,
                known_fingerprint: "revoked in known_hosts".into(),
                fingerprint: offered_fingerprint,
            }),
        }
        Ok(false)
    }
}

impl Client {
    fn reject(&self, error: Error) {
        *self.rejection.lock().unwrap_or_else(|p| p.into_inner()) = Some(error);
    }
}
