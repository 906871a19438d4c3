//! Passwords live only in the OS keychain (Secret Service, Keychain,
//! Credential Manager). When none is usable we say why and fail: there is no
//! plaintext fallback.

use crate::{Error, Result, Sensitive};

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
