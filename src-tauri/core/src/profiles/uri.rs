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
const SECRET_OPTIONS: [&str; 1] = ["tlscertificatekeyfilepassword"];
/// Options the profile's sections read and the driver's URI parser does
/// not know (it takes allowing invalid host names only as an option value).
const APP_OPTIONS: [&str; 1] = ["tlsallowinvalidhostnames"];
/// The one secret among `authMechanismProperties` (the others name a
/// service, a host or an environment).
const SECRET_MECHANISM_PROPERTY: &str = "aws_session_token";
/// Mechanisms that authenticate without a password: a user name alone is
/// complete for them (the certificate, Kerberos ticket or identity
/// provider is the secret). MONGODB-AWS takes one with a user name (the
/// secret access key).
const PASSWORDLESS_MECHANISMS: [&str; 3] = ["mongodb-x509", "gssapi", "mongodb-oidc"];

pub fn split_credentials(raw: &str) -> Result<SplitUri> {
    let raw = raw.trim();
    if raw
        .get(..6)
        .is_some_and(|s| s.eq_ignore_ascii_case("ssh://"))
    {
        return Err(Error::InvalidUri {
            message: "ssh:// is an SSH address, not a MongoDB connection string: put the \
                      bastion in the SSH section and the database's own address here"
                .into(),
        });
    }
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
    let (user, password) = match user_info {
        Some(u) => match u.split_once(':') {
            Some((u, p)) => (percent_decode(u)?, Some(percent_decode(p)?)),
            None => (percent_decode(u)?, None),
        },
        None => (String::new(), None),
    };
    let options = options.map(|o| format!("?{o}")).unwrap_or_default();
    let uri = format!("{scheme}{hosts_and_db}{options}");
    if user_info.is_some() && user.is_empty() {
        return Err(Error::InvalidUri {
            message: "the user-info before @ has no user name".into(),
        });
    }
    let username = (!user.is_empty()).then_some(user);
    // `user:` is an empty password, which the driver tells from none.
    let password = password.map(Sensitive::new);
    // A user name may also come from the form (a saved profile's URI never
    // holds one): `validate` checks again with the user it resolves.
    check_with_credentials(&uri, username.is_some(), password.is_some()).or_else(
        |e| match username {
            None => {
                let with_password = password.is_some() || mechanism_takes_password(&uri);
                check_with_credentials(&uri, true, with_password).map_err(|_| e)
            }
            Some(_) => Err(e),
        },
    )?;
    Ok(SplitUri {
        uri,
        username,
        password,
    })
}

/// The driver's own parser has the last word on what is valid, with the
/// credentials where they were: `authMechanism=SCRAM-SHA-256` is invalid
/// without a user, `MONGODB-X509` with a password. It sees stand-ins for
/// them, so its message may be shown.
pub fn check_with_credentials(uri: &str, has_user: bool, has_password: bool) -> Result<()> {
    let user = has_user.then_some("user");
    let password = has_password.then(|| Sensitive::new("password".to_string()));
    let (uri, _) = take_options(uri, &APP_OPTIONS)?;
    let assembled = with_credentials(&uri, user, password.as_ref());
    ConnectionString::parse(assembled.expose())
        .map(drop)
        .map_err(|e| Error::InvalidUri {
            message: match *e.kind {
                ErrorKind::InvalidArgument { message, .. } => message,
                other => other.to_string(),
            },
        })
}

/// The URI the driver parses at connect: the stored credential-free URI
/// with the user-info put back where it was. The driver then reads
/// `authSource`, `authMechanism`, its properties and the path's database
/// as it would from the URI the user pasted; a credential assembled beside
/// the URI lost them (a user of `MozaiksCore` authenticated against `admin`).
/// Lives only in memory: never stored, shown or logged.
pub fn with_credentials(
    uri: &str,
    username: Option<&str>,
    password: Option<&Sensitive<String>>,
) -> Sensitive<String> {
    let Some(username) = username else {
        return Sensitive::new(uri.to_string());
    };
    let (scheme, rest) = SCHEMES
        .iter()
        .find_map(|s| uri.strip_prefix(*s).map(|rest| (*s, rest)))
        .unwrap_or(("", uri));
    let mut user_info = percent_encode(username);
    if let Some(password) = password {
        user_info.push(':');
        user_info.push_str(&percent_encode(password.expose()));
    }
    Sensitive::new(format!("{scheme}{user_info}@{rest}"))
}

/// Whether the URI's `authMechanism` needs a password beside a user name
/// (the default and SCRAM, PLAIN, MONGODB-CR, AWS do; X.509, Kerberos and
/// OIDC do not).
pub fn mechanism_takes_password(uri: &str) -> bool {
    let mechanism = uri
        .split_once('?')
        .map(|(_, options)| options)
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(key, _)| key.eq_ignore_ascii_case("authMechanism"))
        .map(|(_, value)| value.to_ascii_lowercase())
        .next_back();
    !mechanism.is_some_and(|m| PASSWORDLESS_MECHANISMS.contains(&m.as_str()))
}

/// Every byte but RFC 3986's unreserved ones, so no user name or password
/// can end the user-info early.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

/// A raw `@` in the options may end a password that holds a raw `?`
/// (`ann:p@ss?w=rd@db/app` reads as the password `p`, the host `ss` and the
/// option `w=rd@db/app`), and nothing tells that apart from an `@` in an
/// option's value: refused, so no part of a password reaches the stored
/// URI or an error. `%40` is the way to write one.
fn check_options(options: &str) -> Result<()> {
    if options.contains('@') {
        return Err(encode_hint());
    }
    for pair in options.split('&') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let key_lower = key.to_ascii_lowercase();
        let secret_property = key_lower == "authmechanismproperties"
            && value.split(',').any(|p| {
                p.split(':')
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case(SECRET_MECHANISM_PROPERTY))
            });
        if SECRET_OPTIONS.contains(&key_lower.as_str()) || secret_property {
            return Err(Error::InvalidUri {
                message: format!("{key} holds a secret and cannot be saved in a profile's URI"),
            });
        }
    }
    Ok(())
}

/// Removes the options `wanted` names (lower case) from a credential-free
/// URI and returns them in order, values percent-decoded: the profile's
/// TLS and read-preference sections take them over from a pasted URI.
pub fn take_options(uri: &str, wanted: &[&str]) -> Result<(String, Vec<(String, String)>)> {
    let Some((base, options)) = uri.split_once('?') else {
        return Ok((uri.to_string(), Vec::new()));
    };
    let (mut kept, mut taken) = (Vec::new(), Vec::new());
    for pair in options.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let lower = key.to_ascii_lowercase();
        if wanted.contains(&lower.as_str()) {
            taken.push((lower, percent_decode(value)?));
        } else {
            kept.push(pair);
        }
    }
    let uri = match kept.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok((uri, taken))
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
                    message: "malformed percent-encoding (write % as %25)".into(),
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
pub(crate) mod tests {
    use super::*;

    /// Options as `take_options` returns them (names lower-cased by the caller).
    pub(crate) fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

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

    /// An `@` in the options once counted as the end of the user-info: the
    /// password `p@ss?w=rd` left `ss?w=rd` in the stored URI.
    #[test]
    fn no_part_of_a_password_with_raw_at_and_question_marks_is_kept() {
        for uri in [
            "mongodb://ann:p@ss?w=rd@db.local/app",
            "mongodb://ann:p@ss?zz=rd@db.local/app",
            "mongodb://alice:secret@example.com/admin?replicaset=my@replicaset",
        ] {
            let err = split_credentials(uri).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert_eq!(err.code(), "invalid_uri", "{uri}");
            for part in ["ss?", "=rd", "secret"] {
                assert!(!shown.contains(part), "{shown}");
            }
        }
        assert!(
            split_credentials("mongodb://alice:s@example.com/admin?replicaSet=my%40rs").is_ok()
        );
    }

    /// A saved profile's URI holds no user; editing one whose mechanism
    /// needs a user must not be refused before the form's user is known.
    #[test]
    fn a_mechanism_that_needs_a_user_waits_for_the_forms() {
        for mechanism in ["SCRAM-SHA-256", "PLAIN", "MONGODB-X509"] {
            let uri = format!("mongodb://h/?authMechanism={mechanism}");
            let s = split_credentials(&uri).unwrap();
            assert_eq!(s.username, None);
            let with_password = mechanism_takes_password(&uri);
            assert!(check_with_credentials(&s.uri, true, with_password).is_ok());
            assert_eq!(redact(&uri), uri);
        }
        let alone = check_with_credentials("mongodb://h/?authMechanism=PLAIN", false, false);
        assert_eq!(alone.unwrap_err().code(), "invalid_uri");
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
