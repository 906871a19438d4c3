//! Profiles behind an SSH bastion, against a real OpenSSH server on
//! loopback (`tests/sshd/run`) that forwards to the test database: each
//! failure has its own code, an unknown host key is trusted only once
//! confirmed, and every connection the driver opens goes through the
//! tunnel.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use mozaiks_core::db::connection::{ConnectOptions, Connection, Health};
use mozaiks_core::profiles::profile::Profile;
use mozaiks_core::profiles::ssh::{SshAuth, SshTunnel};
use mozaiks_core::services::overview;
use mozaiks_core::ssh::host_keys::HostKeys;
use mozaiks_core::ssh::tunnel::Tunnel;
use mozaiks_core::workspace::ConnectStep;
use mozaiks_core::{Error, Sensitive};
use support::bastion::{closed_port, database_address, Bastion, PASSPHRASE, PASSWORD_USER};

fn tunnel(bastion: &Bastion, user: &str, auth: SshAuth) -> SshTunnel {
    SshTunnel {
        host: "127.0.0.1".into(),
        port: bastion.port,
        user: user.into(),
        auth,
    }
}

fn key(bastion: &Bastion, name: &str, passphrase: bool) -> SshAuth {
    SshAuth::KeyFile {
        path: bastion.key(name),
        passphrase,
    }
}

/// The test database's profile, reached through `ssh`; `uri` defaults to
/// the test server's own address (which the bastion forwards to).
fn profile(ssh: SshTunnel, uri: Option<String>) -> Profile {
    let (host, port) = database_address(&support::server().uri);
    let uri = uri.unwrap_or_else(|| format!("mongodb://{host}:{port}"));
    let mut input = support::input(&uri, &support::unique_db("tunnel"));
    input.ssh = Some(ssh);
    input.validate("tunnel".into()).unwrap().profile
}

async fn open(
    profile: &Profile,
    keys: &Arc<HostKeys>,
    secret: Option<&str>,
) -> Result<Connection, Error> {
    Connection::open(
        profile,
        ConnectOptions {
            ssh_secret: secret.map(|s| Sensitive::new(s.to_string())),
            host_keys: Some(keys.clone()),
            ..Default::default()
        },
    )
    .await
}

fn host_keys(dir: &std::path::Path) -> Arc<HostKeys> {
    Arc::new(HostKeys::new(None, dir.join("app/known_hosts")))
}

/// Confirms the key `bastion` offers, the way the app's dialog does.
async fn trust_on_first_use(profile: &Profile, keys: &Arc<HostKeys>, bastion: &Bastion) {
    trust_with(profile, keys, bastion, None).await
}

async fn trust_with(
    profile: &Profile,
    keys: &Arc<HostKeys>,
    bastion: &Bastion,
    secret: Option<&str>,
) {
    match open(profile, keys, secret).await {
        Err(Error::SshHostKeyUnknown {
            fingerprint,
            key_type,
            port,
            ..
        }) => {
            assert_eq!(
                fingerprint,
                bastion.fingerprint("host"),
                "the fingerprint ssh-keygen shows"
            );
            assert_eq!(key_type, "ssh-ed25519");
            assert_eq!(port, bastion.port);
            keys.trust("127.0.0.1", bastion.port, &fingerprint).unwrap();
        }
        other => panic!("expected ssh_host_key_unknown, got {:?}", other.map(|_| ())),
    }
}

/// A bastion in `dir/sshd`, the app's key files in `dir`, and the test
/// database's profile through it by the plain key, its host key confirmed.
async fn trusted_bastion(dir: &std::path::Path) -> (Bastion, Arc<HostKeys>, Profile) {
    let bastion = Bastion::start(&dir.join("sshd"), None, "host");
    let keys = host_keys(dir);
    let profile = profile(
        tunnel(&bastion, "root", key(&bastion, "id_plain", false)),
        None,
    );
    trust_on_first_use(&profile, &keys, &bastion).await;
    (bastion, keys, profile)
}

#[tokio::test]
async fn a_confirmed_bastion_carries_every_driver_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (bastion, keys, profile) = trusted_bastion(dir.path()).await;
    assert_eq!(
        bastion.forwards(),
        0,
        "nothing was forwarded before the key was trusted"
    );

    let conn = open(&profile, &keys, None).await.unwrap();
    let overview = overview::overview(&conn).await.unwrap();
    assert_eq!(overview.database, profile.database_name());
    let before = bastion.forwards();
    assert!(
        before >= 2,
        "the monitor's connection and the pool's: {before}"
    );
    // Concurrent reads make the pool open more connections: each one is a
    // new channel through the bastion, none goes around it.
    let reads = (0..6).map(|_| overview::overview(&conn));
    for result in futures_util::future::join_all(reads).await {
        result.unwrap();
    }
    let after = bastion.forwards();
    assert!(
        after > before,
        "pool growth went through the tunnel: {before} → {after}"
    );
    assert!(bastion.log().contains(&format!(
        "target {} port {}",
        database_address(&support::server().uri).0,
        database_address(&support::server().uri).1
    )));
    assert!(conn.tunnel_endpoint().unwrap().ip().is_loopback());
    assert_eq!(
        ConnectStep::path(&conn),
        [ConnectStep::Ssh, ConnectStep::Server]
    );
    conn.close().await;
}

#[tokio::test]
async fn a_changed_host_key_is_refused_with_both_fingerprints_and_nothing_sent() {
    let dir = tempfile::tempdir().unwrap();
    let sshd_dir = dir.path().join("sshd");
    let (mut bastion, keys, profile) = trusted_bastion(dir.path()).await;
    let port = bastion.port;
    bastion.stop();
    let bastion = Bastion::start(&sshd_dir, Some(port), "host2");

    match open(&profile, &keys, None).await {
        Err(Error::SshHostKeyChanged {
            known_fingerprint,
            fingerprint,
            ..
        }) => {
            assert_eq!(known_fingerprint, bastion.fingerprint("host"));
            assert_eq!(fingerprint, bastion.fingerprint("host2"));
        }
        other => panic!("expected ssh_host_key_changed, got {:?}", other.map(|_| ())),
    }
    let log = bastion.log();
    assert!(
        !log.contains("userauth-request"),
        "no credential was offered:\n{log}"
    );
    // Confirming the new key is not possible from a changed-key refusal.
    let err = keys
        .trust("127.0.0.1", port, &bastion.fingerprint("host2"))
        .unwrap_err();
    assert_eq!(err.code(), "not_found");
}

#[tokio::test]
async fn passwords_passphrases_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let password = format!("pw-{}-{:?}", std::process::id(), Instant::now());
    let bastion = Bastion::start_with_password(&dir.path().join("sshd"), &password);
    let keys = host_keys(dir.path());
    let by_password = profile(tunnel(&bastion, PASSWORD_USER, SshAuth::Password), None);
    trust_with(&by_password, &keys, &bastion, Some(&password)).await;

    let conn = open(&by_password, &keys, Some(&password)).await.unwrap();
    overview::overview(&conn).await.unwrap();
    conn.close().await;
    let err = open(&by_password, &keys, Some("wrong"))
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "ssh_auth_failed", "{err}");

    let with_passphrase = profile(
        tunnel(&bastion, "root", key(&bastion, "id_pass", true)),
        None,
    );
    let conn = open(&with_passphrase, &keys, Some(PASSPHRASE))
        .await
        .unwrap();
    conn.close().await;
    // Decrypting is local: the field to fix, and the bastion never asked.
    let connections = bastion.connections();
    assert!(connections > 0, "sshd logs its connections");
    let err = open(&with_passphrase, &keys, Some("not it"))
        .await
        .err()
        .unwrap();
    assert_eq!(
        err,
        Error::invalid("ssh_secret", "the passphrase does not decrypt the key")
    );
    assert_eq!(bastion.connections(), connections);

    // A key sshd does not authorize for this user.
    let stranger = profile(
        tunnel(&bastion, PASSWORD_USER, key(&bastion, "id_plain", false)),
        None,
    );
    let err = open(&stranger, &keys, None).await.err().unwrap();
    assert_eq!(err.code(), "ssh_auth_failed", "{err}");
    assert!(err.to_string().contains("refused the key"), "{err}");
}

#[tokio::test]
async fn an_agent_signs_for_the_tunnel() {
    let dir = tempfile::tempdir().unwrap();
    let bastion = Bastion::start(&dir.path().join("sshd"), None, "host");
    let socket = dir.path().join("agent.sock");
    let agent = Agent(
        std::process::Command::new("ssh-agent")
            .args(["-D", "-a"])
            .arg(&socket)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    while !socket.exists() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let added = std::process::Command::new("ssh-add")
        .arg(bastion.key("id_plain"))
        .env("SSH_AUTH_SOCK", &socket)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(added.success());
    // Only this test reads SSH_AUTH_SOCK.
    std::env::set_var("SSH_AUTH_SOCK", &socket);
    let keys = host_keys(dir.path());
    let profile = profile(tunnel(&bastion, "root", SshAuth::Agent), None);
    trust_on_first_use(&profile, &keys, &bastion).await;
    let conn = open(&profile, &keys, None).await.unwrap();
    overview::overview(&conn).await.unwrap();
    conn.close().await;
    drop(agent);

    // An agent that takes the connection and never answers is this
    // machine's trouble, said as such, not an unreachable bastion.
    let silent_path = dir.path().join("silent.sock");
    let silent = tokio::net::UnixListener::bind(&silent_path).unwrap();
    let held = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    std::env::set_var("SSH_AUTH_SOCK", &silent_path);
    let err = open(&profile, &keys, None).await.err().unwrap();
    assert_eq!(err.code(), "ssh_auth_failed", "{err}");
    assert!(err.to_string().contains("did not answer"), "{err}");
    held.abort();
}

/// The test's own ssh-agent, stopped however the test ends.
struct Agent(std::process::Child);

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn an_unreachable_bastion_and_a_refused_forward_have_their_codes() {
    let dir = tempfile::tempdir().unwrap();
    let keys = host_keys(dir.path());
    let bastion = Bastion::start(&dir.path().join("sshd"), None, "host");
    // (A key, not the agent: only the agent test sets SSH_AUTH_SOCK.)
    let nowhere = SshTunnel {
        host: "127.0.0.1".into(),
        port: closed_port(),
        user: "root".into(),
        auth: key(&bastion, "id_plain", false),
    };
    let err = open(&profile(nowhere, None), &keys, None)
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "ssh_unreachable", "{err}");

    let closed = format!(
        "mongodb://127.0.0.1:{}/?directConnection=true",
        closed_port()
    );
    let profile = profile(
        tunnel(&bastion, "root", key(&bastion, "id_plain", false)),
        Some(closed.clone()),
    );
    trust_on_first_use(&profile, &keys, &bastion).await;
    match open(&profile, &keys, None).await {
        Err(Error::SshForwardRefused { target, message }) => {
            assert!(closed.contains(&target), "{target}");
            assert!(!message.is_empty());
        }
        other => panic!("expected ssh_forward_refused, got {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn key_files_that_are_not_keys_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let bastion = Bastion::start(&dir.path().join("sshd"), None, "host");
    let keys = host_keys(dir.path());
    let key_path = dir.path().join("id_swapped");
    std::fs::copy(bastion.key("id_plain"), &key_path).unwrap();
    let mut ssh = tunnel(&bastion, "root", SshAuth::Agent);
    ssh.auth = SshAuth::KeyFile {
        path: key_path.display().to_string(),
        passphrase: false,
    };
    let saved = profile(ssh.clone(), None);

    // Said at save...
    std::fs::write(&key_path, "hello, I am not a key\n").unwrap();
    let err = ssh.validate().unwrap_err();
    assert_eq!(err.code(), "invalid_input", "{err}");
    assert!(
        err.to_string()
            .contains("not an OpenSSH or PKCS#8 private key"),
        "{err}"
    );
    // ...and at connect, when the file changed since: the bastion never asked.
    let err = open(&saved, &keys, None).await.err().unwrap();
    assert_eq!(err.code(), "invalid_input", "{err}");
    assert_eq!(bastion.connections(), 0);
}

/// The bastion dies mid-session: the header's health says so with the
/// tunnel's cause, and once it is back the same connection answers again.
#[tokio::test]
async fn a_dropped_tunnel_is_lost_then_comes_back_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let sshd_dir = dir.path().join("sshd");
    let (mut bastion, keys, profile) = trusted_bastion(dir.path()).await;
    let conn = open(&profile, &keys, None).await.unwrap();
    assert!(matches!(conn.health().await, Health::Connected));

    let port = bastion.port;
    bastion.stop();
    let stopped = Instant::now();
    let lost = loop {
        match conn.health().await {
            Health::Lost { message } => break message,
            Health::Connected => tokio::time::sleep(Duration::from_millis(100)).await,
        }
        assert!(stopped.elapsed() < Duration::from_secs(10), "never noticed");
    };
    let noticed = stopped.elapsed();
    let limit = Duration::from_millis(profile.timeout_ms.into()) + Duration::from_secs(2);
    assert!(
        noticed <= limit,
        "noticed after {noticed:?}, limit {limit:?}"
    );
    assert!(lost.contains("SSH tunnel"), "{lost}");
    let err = overview::overview(&conn).await.err().unwrap();
    assert_eq!(err.code(), "connection_lost", "{err}");

    let _bastion = Bastion::start(&sshd_dir, Some(port), "host");
    let back = Instant::now();
    while !matches!(conn.health().await, Health::Connected) {
        assert!(back.elapsed() < Duration::from_secs(15), "never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    overview::overview(&conn).await.unwrap();
    println!(
        "tunnel lost noticed in {noticed:?}, back in {:?}",
        back.elapsed()
    );
    conn.close().await;
}

/// A tunnel that ends takes its forwards with it: the driver's sockets see
/// the end at once, and nothing keeps the SSH session alive behind them.
#[tokio::test]
async fn a_closed_tunnel_ends_its_forwards() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let (_bastion, keys, profile) = trusted_bastion(dir.path()).await;
    let settings = profile.ssh.clone().unwrap();
    let tunnel = Tunnel::open(&settings, None, keys.clone(), Duration::from_secs(3))
        .await
        .unwrap();
    let (user, password) = tunnel.proxy().authentication.unwrap();

    // A SOCKS5 client by hand (RFC 1928/1929) to the test database.
    let mut socket = tokio::net::TcpStream::connect(tunnel.proxy_address())
        .await
        .unwrap();
    socket.write_all(&[5, 1, 2]).await.unwrap();
    let mut choice = [0; 2];
    socket.read_exact(&mut choice).await.unwrap();
    assert_eq!(choice, [5, 2]);
    let mut auth = vec![1, user.len() as u8];
    auth.extend(user.as_bytes());
    auth.push(password.len() as u8);
    auth.extend(password.as_bytes());
    socket.write_all(&auth).await.unwrap();
    let mut status = [0; 2];
    socket.read_exact(&mut status).await.unwrap();
    assert_eq!(status, [1, 0]);
    let (host, port) = database_address(&support::server().uri);
    let mut connect = vec![5, 1, 0, 3, host.len() as u8];
    connect.extend(host.as_bytes());
    connect.extend(port.to_be_bytes());
    socket.write_all(&connect).await.unwrap();
    let mut reply = [0; 10];
    socket.read_exact(&mut reply).await.unwrap();
    assert_eq!(reply[1], 0, "the forward opened");

    drop(tunnel);
    let mut rest = [0; 1];
    let read = tokio::time::timeout(Duration::from_secs(2), socket.read(&mut rest))
        .await
        .expect("the forward ended with its tunnel");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
}
