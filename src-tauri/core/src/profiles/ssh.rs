//! A profile's SSH section: the bastion every connection of the profile
//! goes through. Its password or key passphrase lives in the keychain.

use serde::{Deserialize, Serialize};
use specta::Type;

use std::sync::Arc;

use russh::keys::PrivateKey;

use crate::profiles::files;
use crate::{Error, Result, Sensitive};

/// An OpenSSH private key is a few KiB; more is not a key.
pub const KEY_FILE_LIMIT: u64 = 64 << 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum SshAuth {
    /// The password is in the keychain.
    Password,
    /// An OpenSSH or PKCS#8 private key; its passphrase, if any, is in the keychain.
    KeyFile { path: String, passphrase: bool },
    /// Keys the running SSH agent (`SSH_AUTH_SOCK`) holds.
    Agent,
}

impl SshAuth {
    /// Whether a secret of the profile's goes with this method.
    pub fn takes_secret(&self) -> bool {
        matches!(
            self,
            SshAuth::Password
                | SshAuth::KeyFile {
                    passphrase: true,
                    ..
                }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SshTunnel {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub auth: SshAuth,
}

impl SshTunnel {
    pub fn validate(mut self) -> Result<SshTunnel> {
        self.host = self.host.trim().to_string();
        self.user = self.user.trim().to_string();
        if !is_host_name(&self.host) {
            return Err(Error::invalid(
                "ssh.host",
                "must be a host name or IP address of 1 to 253 characters",
            ));
        }
        if self.port == 0 {
            return Err(Error::invalid("ssh.port", "must be between 1 and 65535"));
        }
        if self.user.is_empty()
            || self.user.len() > 64
            || self.user.starts_with('-')
            || self
                .user
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@')
        {
            return Err(Error::invalid(
                "ssh.user",
                "must be 1 to 64 characters without spaces or @",
            ));
        }
        if let SshAuth::KeyFile { path, .. } = &mut self.auth {
            *path = path.trim().to_string();
            // A file that is no key is said at save, not at the first connect.
            load_key(path, None)?;
        }
        Ok(self)
    }

    /// What the secret in the keychain was given for: an edited bastion,
    /// user or key must bring its own.
    pub fn secret_binding(&self) -> String {
        let key = match &self.auth {
            SshAuth::KeyFile { path, .. } => path.as_str(),
            _ => "",
        };
        format!("{}\n{}\n{}\n{key}", self.host, self.port, self.user)
    }
}

/// A DNS name, an IPv4 address or a bracket-less IPv6 address.
/// What a private key file holds.
pub enum LoadedKey {
    Key(Arc<PrivateKey>),
    /// Encrypted, and no passphrase was given.
    Encrypted,
}

/// The OpenSSH or PKCS#8 private key at `path`, decrypted with `passphrase`
/// when it is encrypted.
pub fn load_key(path: &str, passphrase: Option<&Sensitive<String>>) -> Result<LoadedKey> {
    let resolved = files::resolve("ssh.key_file", path)?;
    let bytes = files::read_small("ssh.key_file", &resolved, KEY_FILE_LIMIT)?;
    let text = String::from_utf8(bytes).map_err(|_| not_a_key(path, "not text"))?;
    match russh::keys::decode_secret_key(&text, None) {
        Ok(key) => Ok(LoadedKey::Key(Arc::new(key))),
        Err(russh::keys::Error::KeyIsEncrypted) => match passphrase {
            None => Ok(LoadedKey::Encrypted),
            // Nothing reached the bastion yet: it is the field to fix.
            Some(passphrase) => russh::keys::decode_secret_key(&text, Some(passphrase.expose()))
                .map(|key| LoadedKey::Key(Arc::new(key)))
                .map_err(|_| {
                    Error::invalid("ssh_secret", "the passphrase does not decrypt the key")
                }),
        },
        Err(e) => Err(not_a_key(path, &e.to_string())),
    }
}

fn not_a_key(path: &str, why: &str) -> Error {
    Error::invalid(
        "ssh.key_file",
        format!("{path} is not an OpenSSH or PKCS#8 private key ({why})"),
    )
}

fn is_host_name(host: &str) -> bool {
    if host.is_empty() || host.len() > 253 || host.starts_with(['-', '.']) {
        return false;
    }
    host.parse::<std::net::IpAddr>().is_ok()
        || host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tunnel(host: &str, user: &str) -> SshTunnel {
        SshTunnel {
            host: host.into(),
            port: 22,
            user: user.into(),
            auth: SshAuth::Agent,
        }
    }

    #[test]
    fn hosts_and_users_are_checked() {
        for host in [
            "",
            "-oProxyCommand=x",
            "a b",
            "host;rm",
            &"a".repeat(254),
            "h/x",
        ] {
            let err = tunnel(host, "ann").validate().unwrap_err();
            assert_eq!(
                err,
                Error::invalid(
                    "ssh.host",
                    "must be a host name or IP address of 1 to 253 characters"
                ),
                "{host:?}"
            );
        }
        for user in ["", "a b", "-l", "ann@x", "a\u{7}"] {
            assert_eq!(
                tunnel("h", user).validate().unwrap_err().code(),
                "invalid_input",
                "{user:?}"
            );
        }
        for host in ["bastion.example.com", "10.0.0.1", "::1", "my_host"] {
            tunnel(host, "ann").validate().unwrap();
        }
        let mut t = tunnel("h", "ann");
        t.port = 0;
        assert_eq!(t.validate().unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn a_key_file_must_be_a_small_file() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("id_big");
        std::fs::write(&big, vec![b'A'; 10 << 20]).unwrap();
        let mut t = tunnel("h", "ann");
        t.auth = SshAuth::KeyFile {
            path: big.display().to_string(),
            passphrase: false,
        };
        let err = t.validate().unwrap_err();
        assert!(err.to_string().contains("at most 65536"), "{err}");
    }
}
