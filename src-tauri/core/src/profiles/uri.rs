//! Splitting credentials out of a MongoDB connection string before anything
//! else sees it: the profile keeps the credential-free URI, the keychain gets
//! the password, and only the redacted form is ever logged.

use mongodb::error::ErrorKind;
use mongodb::options::{ConnectionString, ServerAddress};

use crate::{Error, Result, Sensitive};

#[derive(Debug, PartialEq)]
pub struct SplitUri {
    /// The URI with its user-info removed; safe to store, show and log.
    pub uri: String,
    pub username: Option<String>,
    pub password: Option<Sensitive<String>>,
}

const SCHEMES: [&str; 2] = ["mongodb://", "mongodb+srv://"];

/// URI options whose values are secrets: a profile may not keep them in
/// its URI (they would reach the profiles file, the UI and the logs).
const SECRET_OPTIONS: [&str; 2] = ["tlscertificatekeyfilepassword", "authmechanismproperties"];

pub fn split_credentials(raw: &str) -> Result<SplitUri> {
    let raw = raw.trim();
    let scheme = SCHEMES
        .iter()
        .find(|s| raw.starts_with(**s))
        .ok_or_else(|| Error::InvalidUri {
            message: "must start with mongodb:// or mongodb+srv://".into(),
        })?;
    let rest = &raw[scheme.len()..];
    // The user-info ends at the last `@` before the options: a password
    // typed with a raw `/` or `@` still counts as the password, never as host.
    let (before_options, options) = match rest.split_once('?') {
        Some((b, o)) => (b, Some(o)),
        None => (rest, None),
    };
    if let Some(options) = options {
        check_options(options)?;
    }
    let (user_info, hosts_and_db) = match before_options.rfind('@') {
        Some(at) => (Some(&before_options[..at]), &before_options[at + 1..]),
        None => (None, before_options),
    };
    check_hosts(hosts_and_db)?;
    let (user, password) = match user_info.map(|u| u.split_once(':').unwrap_or((u, ""))) {
        Some((u, p)) => (percent_decode(u)?, percent_decode(p)?),
        None => (String::new(), String::new()),
    };
    let options = options.map(|o| format!("?{o}")).unwrap_or_default();
    let uri = format!("{scheme}{hosts_and_db}{options}");
    // The driver's own parser has the last word on what is valid; the URI
    // it sees holds no credentials, so its message may be shown.
    ConnectionString::parse(&uri).map_err(|e| Error::InvalidUri {
        message: match *e.kind {
            ErrorKind::InvalidArgument { message, .. } => message,
            other => other.to_string(),
        },
    })?;
    Ok(SplitUri {
        uri,
        username: (!user.is_empty()).then_some(user),
        password: (!password.is_empty()).then(|| Sensitive::new(password)),
    })
}

fn encode_hint() -> Error {
    Error::InvalidUri {
        message: "percent-encode special characters of the user name and password \
                  (? as %3F, @ as %40, / as %2F, : as %3A)"
            .into(),
    }
}

/// Every host must be `name[:port]`. A password with a raw `?` leaves its
/// first half here (`ann:pa` from `ann:pa?ss@host`): refused, never echoed.
fn check_hosts(hosts_and_db: &str) -> Result<()> {
    let hosts = hosts_and_db.split('/').next().unwrap_or_default();
    let valid = !hosts.is_empty()
        && hosts
            .split(',')
            .all(|h| !h.contains('%') && ServerAddress::parse(h).is_ok());
    if valid {
        Ok(())
    } else {
        Err(encode_hint())
    }
}

/// Every option must be `key=value` without a raw `@`: one there may end
/// a password that holds a raw `?`, and cannot be told apart safely.
fn check_options(options: &str) -> Result<()> {
    if options.contains('@') {
        return Err(encode_hint());
    }
    for pair in options.split('&') {
        let Some((key, _)) = pair.split_once('=') else {
            continue;
        };
        if SECRET_OPTIONS.contains(&key.to_ascii_lowercase().as_str()) {
            return Err(Error::InvalidUri {
                message: format!("{key} holds a secret and cannot be saved in a profile's URI"),
            });
        }
    }
    Ok(())
}

/// The URI as it may appear in a log line or an error message.
pub fn redact(raw: &str) -> String {
    match split_credentials(raw) {
        Ok(split) if split.username.is_some() || split.password.is_some() => {
            let (scheme, rest) = split.uri.split_once("://").unwrap_or(("mongodb", ""));
            format!("{scheme}://<redacted>@{rest}")
        }
        Ok(split) => split.uri,
        Err(_) => "<unparseable connection string>".into(),
    }
}

fn percent_decode(s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Error::InvalidUri {
                    message: "malformed percent-encoding in the user name or password".into(),
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| Error::InvalidUri {
        message: "user name or password is not valid UTF-8".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_user_info_and_decodes_it() {
        let s =
            split_credentials("mongodb://ad%40min:p%3Ass@h1:27017,h2/db?authSource=admin").unwrap();
        assert_eq!(s.uri, "mongodb://h1:27017,h2/db?authSource=admin");
        assert_eq!(s.username.as_deref(), Some("ad@min"));
        assert_eq!(s.password.unwrap().expose(), "p:ss");
    }

    #[test]
    fn leaves_a_uri_without_credentials_alone() {
        let s = split_credentials(" mongodb+srv://cluster.example.net/x ").unwrap();
        assert_eq!(s.uri, "mongodb+srv://cluster.example.net/x");
        assert_eq!(s.username, None);
        assert!(s.password.is_none());
    }

    #[test]
    fn rejects_unknown_schemes_and_bad_escapes() {
        assert_eq!(
            split_credentials("http://x").unwrap_err().code(),
            "invalid_uri"
        );
        assert_eq!(
            split_credentials("mongodb://u:%zz@h").unwrap_err().code(),
            "invalid_uri"
        );
    }

    #[test]
    fn raw_reserved_characters_in_a_password_never_reach_the_uri() {
        let s =
            split_credentials("mongodb://ann:pa/ss@w@rd@db.local:27017/app?appName=x%40y").unwrap();
        assert_eq!(s.uri, "mongodb://db.local:27017/app?appName=x%40y");
        assert_eq!(s.password.unwrap().expose(), "pa/ss@w@rd");
        let err = split_credentials("mongodb://ann:pa?ss@db.local/app").unwrap_err();
        assert_eq!(err.code(), "invalid_uri");
        assert!(!err.to_string().contains("pa?ss") && !err.to_string().contains("ss@"));
        assert_eq!(
            redact("mongodb://ann:pa?ss@db.local/app"),
            "<unparseable connection string>"
        );
    }

    /// A raw `?` in a password of a URI that also has options used to leave
    /// the whole URI, password included, as the "credential-free" one.
    #[test]
    fn a_raw_question_mark_in_a_password_is_refused_and_never_echoed() {
        for uri in [
            "mongodb://ann:pa?ss@db.local/app?authSource=admin",
            "mongodb://ann:123?a=b@db.local/app",
            "mongodb://ann:pa?ss@db.local",
        ] {
            let err = split_credentials(uri).unwrap_err();
            assert_eq!(err.code(), "invalid_uri", "{uri}");
            let shown = format!("{err} {err:?}");
            for secret in ["pa?ss", "ss@", "123", ":pa"] {
                assert!(!shown.contains(secret), "{shown}");
            }
            assert_eq!(redact(uri), "<unparseable connection string>");
        }
    }

    #[test]
    fn secret_options_are_refused() {
        for uri in [
            "mongodb://h/?tls=true&tlsCertificateKeyFilePassword=hunter2",
            "mongodb://h/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:abc",
        ] {
            let err = split_credentials(uri).unwrap_err();
            assert_eq!(err.code(), "invalid_uri");
            assert!(!err.to_string().contains("hunter2") && !err.to_string().contains("abc"));
        }
    }

    #[test]
    fn redaction_hides_both_user_and_password() {
        let r = redact("mongodb://bob:secret@db.local/app");
        assert_eq!(r, "mongodb://<redacted>@db.local/app");
        assert_eq!(redact("nonsense"), "<unparseable connection string>");
    }
}
