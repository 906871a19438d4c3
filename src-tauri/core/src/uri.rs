//! Splitting credentials out of a MongoDB connection string before anything
//! else sees it: the profile keeps the credential-free URI, the keychain gets
//! the password, and only the redacted form is ever logged.

use crate::{Error, Result, Sensitive};

#[derive(Debug, PartialEq)]
pub struct SplitUri {
    /// The URI with its user-info removed; safe to store, show and log.
    pub uri: String,
    pub username: Option<String>,
    pub password: Option<Sensitive<String>>,
}

const SCHEMES: [&str; 2] = ["mongodb://", "mongodb+srv://"];

pub fn split_credentials(raw: &str) -> Result<SplitUri> {
    let raw = raw.trim();
    let scheme = SCHEMES
        .iter()
        .find(|s| raw.starts_with(**s))
        .ok_or_else(|| Error::InvalidUri {
            message: "must start with mongodb:// or mongodb+srv://".into(),
        })?;
    let rest = &raw[scheme.len()..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return Ok(SplitUri {
            uri: raw.to_string(),
            username: None,
            password: None,
        });
    };
    let (user, password) = match authority[..at].split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (&authority[..at], None),
    };
    let username = percent_decode(user)?;
    let password = password.map(percent_decode).transpose()?;
    Ok(SplitUri {
        uri: format!("{scheme}{}", &rest[at + 1..]),
        username: (!username.is_empty()).then_some(username),
        password: password.filter(|p| !p.is_empty()).map(Sensitive::new),
    })
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
    fn redaction_hides_both_user_and_password() {
        let r = redact("mongodb://bob:secret@db.local/app");
        assert_eq!(r, "mongodb://<redacted>@db.local/app");
        assert_eq!(redact("nonsense"), "<unparseable connection string>");
    }
}
