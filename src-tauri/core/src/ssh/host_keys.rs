//! Host keys: the user's `~/.ssh/known_hosts` (read, never written) and the
//! app's own known-hosts file (where keys the user confirmed in the app are
//! kept). OpenSSH's format: hashed entries, `[host]:port`, wildcards and
//! negations, `@revoked`. An unknown key is remembered in memory so the
//! user can confirm exactly that key by its fingerprint.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use data_encoding::BASE64;
use hmac::{Hmac, KeyInit, Mac};
use russh::keys::{HashAlg, PublicKey};
use serde::Serialize;
use sha1::Sha1;
use specta::Type;

use crate::save_path::{open_private, private_dir};
use crate::{Error, Result};

/// What the known-hosts files say of a key a host offered.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Known,
    Unknown,
    /// The files hold another key of the same type for this host.
    Changed {
        known: PublicKey,
    },
    /// The files mark this very key `@revoked`.
    Revoked,
}

/// A key as the user sees it: its type and SHA256 fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct HostKeyInfo {
    pub host: String,
    pub port: u16,
    pub key_type: String,
    pub fingerprint: String,
}

pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

pub struct HostKeys {
    /// Read only: the user's own OpenSSH file.
    user_file: Option<PathBuf>,
    /// Where keys confirmed in the app go (0600 in a 0700 folder).
    app_file: PathBuf,
    /// The last unknown key each host offered, waiting for the user.
    pending: Mutex<HashMap<(String, u16), PublicKey>>,
}

impl HostKeys {
    pub fn new(user_file: Option<PathBuf>, app_file: PathBuf) -> Self {
        HostKeys {
            user_file,
            app_file,
            pending: Mutex::new(HashMap::new()),
        }
    }

    /// `~/.ssh/known_hosts` and `known_hosts` in the app's data folder.
    pub fn for_app(data_dir: &Path) -> Self {
        let user = crate::profiles::files::home().map(|h| h.join(".ssh").join("known_hosts"));
        HostKeys::new(user, data_dir.join("known_hosts"))
    }

    pub fn check(&self, host: &str, port: u16, key: &PublicKey) -> Verdict {
        // Every line of both files first: a revocation anywhere wins over
        // a match, and any recorded key of another type is a change.
        let files = self.user_file.iter().chain(std::iter::once(&self.app_file));
        let text: String = files
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .map(|t| t + "\n")
            .collect();
        check_text(&text, host, port, key)
    }

    /// Keeps an unknown key until the user confirms or a newer one comes.
    pub fn hold_unknown(&self, host: &str, port: u16, key: PublicKey) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((host.to_string(), port), key);
    }

    /// Trusts the key the host last offered, if its fingerprint is the one
    /// the user confirmed: a different key offered since is never written.
    pub fn trust(&self, host: &str, port: u16, confirmed_fingerprint: &str) -> Result<()> {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        let slot = (host.to_string(), port);
        let key = match pending.get(&slot) {
            Some(key) if fingerprint(key) == confirmed_fingerprint => key.clone(),
            _ => {
                return Err(Error::NotFound {
                    what: format!("a host key {confirmed_fingerprint} offered by {host}:{port}"),
                })
            }
        };
        self.append(host, port, &key)?;
        pending.remove(&slot);
        Ok(())
    }

    fn append(&self, host: &str, port: u16, key: &PublicKey) -> Result<()> {
        let dir = self.app_file.parent().expect("known_hosts has a folder");
        private_dir(dir).map_err(Error::storage)?;
        let line = format!(
            "{} {}\n",
            host_pattern(host, port),
            key.to_openssh().map_err(Error::storage)?
        );
        let mut file = open_private(
            &self.app_file,
            std::fs::OpenOptions::new().create(true).append(true),
        )
        .map_err(Error::storage)?;
        file.write_all(line.as_bytes()).map_err(Error::storage)
    }
}

/// How OpenSSH names a host in known_hosts: `[host]:port` off port 22.
fn host_pattern(host: &str, port: u16) -> String {
    match port {
        22 => host.to_string(),
        _ => format!("[{host}]:{port}"),
    }
}

fn check_text(text: &str, host: &str, port: u16, key: &PublicKey) -> Verdict {
    let name = host_pattern(&host.to_ascii_lowercase(), port);
    let (mut known, mut known_other) = (false, None);
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        let Some(mut first) = fields.next() else {
            continue;
        };
        if first.starts_with('#') {
            continue;
        }
        let marker = first.strip_prefix('@');
        if marker.is_some() {
            match fields.next() {
                Some(hosts) => first = hosts,
                None => continue,
            }
        }
        let (Some(_key_type), Some(encoded)) = (fields.next(), fields.next()) else {
            continue;
        };
        if !hosts_match(first, &name) {
            continue;
        }
        // A key type this build cannot read says nothing about the others.
        let Ok(recorded) = russh::keys::parse_public_key_base64(encoded) else {
            continue;
        };
        match marker {
            Some("revoked") if recorded == *key => return Verdict::Revoked,
            Some(_) => {}
            None if recorded == *key => known = true,
            // A key of any type on record: another one is a change.
            None => known_other = known_other.or(Some(recorded)),
        }
    }
    match (known, known_other) {
        (true, _) => Verdict::Known,
        (false, Some(known)) => Verdict::Changed { known },
        (false, None) => Verdict::Unknown,
    }
}

/// A comma list of patterns; one negated match rules the line out.
fn hosts_match(patterns: &str, name: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(&negated.to_ascii_lowercase(), &name.to_ascii_lowercase()) {
                return false;
            }
        } else if let Some(hashed) = pattern.strip_prefix("|1|") {
            matched |= hashed_match(hashed, name);
        } else {
            matched |= glob(&pattern.to_ascii_lowercase(), &name.to_ascii_lowercase());
        }
    }
    matched
}

/// `|1|salt|hash`: HMAC-SHA1 of the name keyed by the salt, both base64.
fn hashed_match(salt_and_hash: &str, name: &str) -> bool {
    let Some((salt, hash)) = salt_and_hash.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (
        BASE64.decode(salt.as_bytes()),
        BASE64.decode(hash.as_bytes()),
    ) else {
        return false;
    };
    let Ok(mac) = Hmac::<Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.chain_update(name.as_bytes())
        .verify_slice(&hash)
        .is_ok()
}

/// OpenSSH's `*` and `?` wildcards.
fn glob(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ";
    const KEY_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAILIG2T/B0l0gaqj3puu510tu9N1OkQ4znY3LYuEm5zCF";

    fn key(b64: &str) -> PublicKey {
        russh::keys::parse_public_key_base64(b64).unwrap()
    }

    /// `ssh-keygen -H` hashes `[localhost]:2222` as HMAC-SHA1 keyed by a salt.
    fn hashed(name: &str, salt: &[u8]) -> String {
        let mac = Hmac::<Sha1>::new_from_slice(salt)
            .unwrap()
            .chain_update(name.as_bytes());
        format!(
            "|1|{}|{}",
            BASE64.encode(salt),
            BASE64.encode(&mac.finalize().into_bytes())
        )
    }

    #[test]
    fn plain_hashed_and_ported_entries_are_found() {
        let text = format!(
            "# comment\n\n[bastion]:2222 ssh-ed25519 {KEY_A}\n{} ssh-ed25519 {KEY_B}\n",
            hashed("[db.example]:2200", b"0123456789abcdefghij")
        );
        assert_eq!(
            check_text(&text, "bastion", 2222, &key(KEY_A)),
            Verdict::Known
        );
        assert_eq!(
            check_text(&text, "bastion", 22, &key(KEY_A)),
            Verdict::Unknown
        );
        assert_eq!(
            check_text(&text, "db.example", 2200, &key(KEY_B)),
            Verdict::Known
        );
        assert_eq!(
            check_text(&text, "bastion", 2222, &key(KEY_B)),
            Verdict::Changed { known: key(KEY_A) }
        );
    }

    /// A bastion whose known key is ECDSA now offering Ed25519 is a change,
    /// not a first meeting (else a man in the middle need only switch type);
    /// host names are compared as DNS does, without case.
    #[test]
    fn a_key_of_another_type_is_a_change_and_names_ignore_case() {
        const ECDSA: &str = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBH5Sv9SYyTPI5mWn\
                             /O/2BCmraqFFCiQIdVOT+/LdPcortlW5CZSc7k0Kv7cwWoQm8EeIeIMWKmFwrK5P0EXGcbs=";
        let text = format!("bastion.example ecdsa-sha2-nistp256 {ECDSA}\n");
        assert_eq!(
            check_text(&text, "Bastion.EXAMPLE", 22, &key(KEY_A)),
            Verdict::Changed { known: key(ECDSA) }
        );
        assert_eq!(
            check_text(&text, "BASTION.example", 22, &key(ECDSA)),
            Verdict::Known
        );
    }

    #[test]
    fn wildcards_negations_markers_and_unreadable_lines() {
        let text = format!(
            "ssh-unknown garbage\n*.corp,!evil.corp ssh-ed25519 {KEY_A}\n\
             @revoked * ssh-ed25519 {KEY_B}\n@cert-authority * ssh-ed25519 {KEY_A}\n\
             other sk-ssh-ed25519@openssh.com AAAAnotbase64!!\n"
        );
        assert_eq!(
            check_text(&text, "db.corp", 22, &key(KEY_A)),
            Verdict::Known
        );
        assert_eq!(
            check_text(&text, "evil.corp", 22, &key(KEY_A)),
            Verdict::Unknown
        );
        assert_eq!(
            check_text(&text, "db.corp", 22, &key(KEY_B)),
            Verdict::Revoked
        );
        assert!(glob("db?.*", "db1.example"));
        assert!(!glob("db?.*", "db12"));
    }

    #[test]
    fn only_the_key_offered_is_trusted_and_the_users_file_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let user_file = dir.path().join("user_known_hosts");
        std::fs::write(&user_file, "").unwrap();
        let keys = HostKeys::new(Some(user_file.clone()), dir.path().join("app/known_hosts"));
        assert_eq!(keys.check("h", 2222, &key(KEY_A)), Verdict::Unknown);
        keys.hold_unknown("h", 2222, key(KEY_A));
        let wrong = fingerprint(&key(KEY_B));
        assert_eq!(
            keys.trust("h", 2222, &wrong).unwrap_err().code(),
            "not_found"
        );
        keys.trust("h", 2222, &fingerprint(&key(KEY_A))).unwrap();
        assert_eq!(keys.check("h", 2222, &key(KEY_A)), Verdict::Known);
        assert_eq!(
            keys.check("h", 2222, &key(KEY_B)),
            Verdict::Changed { known: key(KEY_A) }
        );
        assert_eq!(std::fs::read_to_string(&user_file).unwrap(), "");
        assert!(fingerprint(&key(KEY_A)).starts_with("SHA256:"));
    }
}
