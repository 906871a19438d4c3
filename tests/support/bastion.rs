//! A real OpenSSH server on loopback (`tests/sshd/run`), the bastion of
//! the SSH-tunnel tests: its keys, its log, and stopping and starting it
//! on the same port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

pub const PASSPHRASE: &str = "mozaiks test passphrase";
/// The locked account `scripts/setup --test` creates; one test gives it a
/// password for the life of its bastion.
pub const PASSWORD_USER: &str = "mozaiks-ssh-test";

pub struct Bastion {
    pub port: u16,
    pub dir: PathBuf,
    stdin: Option<ChildStdin>,
    child: Option<Child>,
}

impl Bastion {
    /// A bastion with its keys in `dir` (made on first use), presenting
    /// `host_key` ("host" or "host2"), on `port` or a free one.
    pub fn start(dir: &Path, port: Option<u16>, host_key: &str) -> Bastion {
        Self::start_with(dir, port, host_key, None)
    }

    /// Password login allowed for [`PASSWORD_USER`] with `password`.
    pub fn start_with_password(dir: &Path, password: &str) -> Bastion {
        Self::start_with(dir, None, "host", Some(password))
    }

    fn start_with(
        dir: &Path,
        port: Option<u16>,
        host_key: &str,
        password: Option<&str>,
    ) -> Bastion {
        let run = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sshd/run");
        let mut command = Command::new(run);
        command.args(["--dir", &dir.display().to_string(), "--host-key", host_key]);
        command.args(["--passphrase", PASSPHRASE]);
        if let Some(port) = port {
            command.args(["--port", &port.to_string()]);
        }
        if let Some(password) = password {
            command
                .args(["--password-user", PASSWORD_USER])
                .env("SSHD_TEST_PASSWORD", password);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {run}: {e}"));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| panic!("{run} printed nothing: is openssh-server installed and are we root? (scripts/setup --test)"));
        let port = line
            .strip_prefix("SSHD_PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected sshd/run output: {line}"));
        Bastion {
            port,
            dir: dir.to_path_buf(),
            stdin: child.stdin.take(),
            child: Some(child),
        }
    }

    /// Stops sshd and every session it forked (the tunnel drops).
    pub fn stop(&mut self) {
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }

    /// `SHA256:…` of host key `name`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self, name: &str) -> String {
        let out = Command::new("ssh-keygen")
            .args(["-l", "-E", "sha256", "-f"])
            .arg(self.dir.join(format!("{name}_ed25519.pub")))
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    }

    pub fn key(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    /// How many `direct-tcpip` channels sshd opened: one per connection
    /// the driver made through the tunnel.
    pub fn forwards(&self) -> usize {
        self.log().matches("server_request_direct_tcpip").count()
    }

    /// TCP connections sshd accepted.
    pub fn connections(&self) -> usize {
        self.log().matches("Connection from ").count()
    }
}

impl Drop for Bastion {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- sshd log ({}) ---\n{}", self.port, self.log());
        }
        self.stop();
    }
}

/// The test database's `host:port`, which the bastion forwards to.
pub fn database_address(uri: &str) -> (String, u16) {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let host_port = rest.split(['/', '?', ',']).next().unwrap();
    let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
    let (host, port) = host_port.rsplit_once(':').unwrap_or((host_port, "27017"));
    (host.to_string(), port.parse().unwrap())
}

/// A TCP port nothing listens on now.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
