//! Passwords live only in the OS keychain (Secret Service, Keychain,
//! Credential Manager). When none is usable we say why and fail: there is no
//! plaintext fallback.

use crate::profiles::profile::{PasswordMode, Profile};
use crate::{Error, Result, Sensitive};

/// The secrets a profile may keep in the keychain, each under its own entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSlot {
    /// The database user's password.
    Database,
    /// The SSH password or the SSH key's passphrase.
    Ssh,
    /// The password of the TLS client key.
    TlsKey,
}

impl SecretSlot {
    pub const ALL: [SecretSlot; 3] = [SecretSlot::Database, SecretSlot::Ssh, SecretSlot::TlsKey];

    /// The keychain entry's name (the database password keeps the
    /// profile id, as before).
    pub fn entry(self, profile_id: &str) -> String {
        match self {
            SecretSlot::Database => profile_id.to_string(),
            SecretSlot::Ssh => format!("{profile_id}:ssh"),
            SecretSlot::TlsKey => format!("{profile_id}:tls-key"),
        }
    }

    /// Whether the profile keeps this secret in the keychain.
    pub fn stored(self, profile: &Profile) -> bool {
        match self {
            SecretSlot::Database => profile.password == PasswordMode::Keychain,
            SecretSlot::Ssh => profile.ssh.as_ref().is_some_and(|s| s.auth.takes_secret()),
            SecretSlot::TlsKey => profile.tls.as_ref().is_some_and(|t| t.key_password),
        }
    }

    /// What the stored secret was given for: it only ever goes back there.
    pub fn binding(self, profile: &Profile) -> String {
        match self {
            SecretSlot::Database => format!("{}\n{:?}", profile.uri, profile.username),
            SecretSlot::Ssh => profile
                .ssh
                .as_ref()
                .map(|s| s.secret_binding())
                .unwrap_or_default(),
            SecretSlot::TlsKey => profile
                .tls
                .as_ref()
                .and_then(|t| t.cert_key_file.clone())
                .unwrap_or_default(),
        }
    }

    /// The error when the secret must be typed (again).
    pub fn required(self) -> Error {
        match self {
            SecretSlot::Database => Error::PasswordRequired,
            SecretSlot::Ssh => Error::invalid(
                "ssh_secret",
                "type the SSH password or key passphrase (a new bastion, user or key needs its own)",
            ),
            SecretSlot::TlsKey => Error::invalid(
                "tls_key_password",
                "type the client key's password (a new key file needs its own)",
            ),
        }
    }
}

pub trait SecretStore: Send + Sync {
    fn set(&self, profile_id: &str, secret: &Sensitive<String>) -> Result<()>;
    fn get(&self, profile_id: &str) -> Result<Option<Sensitive<String>>>;
    fn delete(&self, profile_id: &str) -> Result<()>;
}

pub struct Keychain {
    service: String,
}

impl Keychain {
    pub fn new(service: impl Into<String>) -> Self {
        Keychain {
            service: service.into(),
        }
    }

    fn entry(&self, profile_id: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, profile_id).map_err(|e| match e {
            // The store is chosen once per process; the real cause is only here.
            keyring::Error::NoDefaultStore => Error::SecretStoreUnavailable {
                cause: match keyring::Entry::store_status() {
                    Err(cause) => cause.to_string(),
                    Ok(()) => "no default credential store".into(),
                },
            },
            other => map_error(other),
        })
    }
}

impl SecretStore for Keychain {
    fn set(&self, profile_id: &str, secret: &Sensitive<String>) -> Result<()> {
        self.entry(profile_id)?
            .set_password(secret.expose())
            .map_err(map_error)
    }

    fn get(&self, profile_id: &str) -> Result<Option<Sensitive<String>>> {
        match self.entry(profile_id)?.get_password() {
            Ok(p) => Ok(Some(Sensitive::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn delete(&self, profile_id: &str) -> Result<()> {
        match self.entry(profile_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }
}

fn map_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoStorageAccess(cause) => Error::SecretStoreUnavailable {
            cause: cause.to_string(),
        },
        other => Error::SecretStoreFailed {
            message: other.to_string(),
        },
    }
}
