//! A profile's TLS section: the CA and client-certificate files, and the
//! two checks a user may switch off (each shown as a warning while
//! connected). A pasted URI's TLS options move here (see `import`).

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::profiles::files;
use crate::{Error, Result};

/// A CA bundle may hold many certificates; a client PEM holds one and its key.
const CA_FILE_LIMIT: u64 = 4 << 20;
const CERT_KEY_FILE_LIMIT: u64 = 256 << 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TlsSettings {
    /// PEM bundle of the CAs to trust instead of the system's.
    pub ca_file: Option<String>,
    /// PEM holding the client certificate and its private key.
    pub cert_key_file: Option<String>,
    /// The key is encrypted; its password is in the keychain.
    pub key_password: bool,
    pub allow_invalid_hostnames: bool,
    pub allow_invalid_certificates: bool,
}

impl TlsSettings {
    /// The URI options this section replaces, lower case.
    pub const URI_OPTIONS: [&'static str; 7] = [
        "tls",
        "ssl",
        "tlscafile",
        "tlscertificatekeyfile",
        "tlsallowinvalidcertificates",
        "tlsallowinvalidhostnames",
        "tlsinsecure",
    ];

    /// Each named file must be a PEM file of a sensible size now: a typo
    /// is found at save, not at the first connect.
    pub fn validate(mut self) -> Result<TlsSettings> {
        self.ca_file = non_empty(self.ca_file);
        self.cert_key_file = non_empty(self.cert_key_file);
        if let Some(ca) = &self.ca_file {
            let pem = files::read_pem("tls.ca_file", ca, CA_FILE_LIMIT)?;
            if openssl::x509::X509::stack_from_pem(&pem).map_or(true, |certs| certs.is_empty()) {
                return Err(Error::invalid(
                    "tls.ca_file",
                    format!("{ca} holds no readable certificate"),
                ));
            }
        }
        if let Some(cert) = &self.cert_key_file {
            // The key may be encrypted (its password comes at connect): a
            // private-key block is what can be checked now.
            let pem = files::read_pem("tls.cert_key_file", cert, CERT_KEY_FILE_LIMIT)?;
            let has_key = pem.windows(16).any(|w| w == b"PRIVATE KEY-----");
            if openssl::x509::X509::from_pem(&pem).is_err() || !has_key {
                return Err(Error::invalid(
                    "tls.cert_key_file",
                    format!("{cert} must hold the client certificate and its private key"),
                ));
            }
        }
        if self.cert_key_file.is_none() && self.key_password {
            return Err(Error::invalid(
                "tls.key_password",
                "a key password needs a certificate-and-key file",
            ));
        }
        Ok(self)
    }

    /// The section a URI's TLS options describe, or `None` where they turn
    /// TLS off or say nothing.
    pub fn from_uri_options(options: &[(String, String)]) -> Result<Option<TlsSettings>> {
        let mut tls = TlsSettings::default();
        let mut enabled = None;
        for (key, value) in options {
            match key.as_str() {
                "tls" | "ssl" => enabled = Some(flag(key, value)?),
                "tlscafile" => tls.ca_file = Some(value.clone()),
                "tlscertificatekeyfile" => tls.cert_key_file = Some(value.clone()),
                "tlsallowinvalidcertificates" => tls.allow_invalid_certificates = flag(key, value)?,
                "tlsallowinvalidhostnames" => tls.allow_invalid_hostnames = flag(key, value)?,
                "tlsinsecure" => {
                    let insecure = flag(key, value)?;
                    tls.allow_invalid_certificates = insecure;
                    tls.allow_invalid_hostnames = insecure;
                }
                _ => {}
            }
        }
        let any_file_or_switch = tls != TlsSettings::default();
        match enabled {
            Some(false) if any_file_or_switch => Err(Error::InvalidUri {
                message: "TLS options are given with tls=false".into(),
            }),
            Some(false) => Ok(None),
            _ if any_file_or_switch || enabled == Some(true) => Ok(Some(tls)),
            _ => Ok(None),
        }
    }

    /// The form's section and the URI's options must agree where both
    /// speak; the URI fills what the form left empty.
    pub fn merge(
        form: Option<TlsSettings>,
        uri: Option<TlsSettings>,
    ) -> Result<Option<TlsSettings>> {
        let (mut form, uri) = match (form, uri) {
            (form, None) => return Ok(form),
            (None, uri) => return Ok(uri),
            (Some(f), Some(u)) => (f, u),
        };
        for (name, mine, theirs) in [
            ("tlsCAFile", &mut form.ca_file, uri.ca_file),
            (
                "tlsCertificateKeyFile",
                &mut form.cert_key_file,
                uri.cert_key_file,
            ),
        ] {
            match (
                mine.as_deref().map(str::trim).filter(|s| !s.is_empty()),
                theirs,
            ) {
                (None, theirs) => *mine = theirs,
                (Some(a), Some(b)) if a != b.trim() => {
                    return Err(Error::invalid(
                        "tls",
                        format!("{name} in the connection string differs from the TLS section"),
                    ))
                }
                _ => {}
            }
        }
        // A relaxed check is never switched on (or off) behind the section's back.
        for (name, mine, theirs) in [
            (
                "tlsAllowInvalidCertificates",
                form.allow_invalid_certificates,
                uri.allow_invalid_certificates,
            ),
            (
                "tlsAllowInvalidHostnames",
                form.allow_invalid_hostnames,
                uri.allow_invalid_hostnames,
            ),
        ] {
            if mine != theirs {
                return Err(Error::invalid(
                    "tls",
                    format!("{name} in the connection string differs from the TLS section"),
                ));
            }
        }
        Ok(Some(form))
    }
}

fn flag(key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::InvalidUri {
            message: format!("{key} must be true or false"),
        }),
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::profiles::uri::tests::options as opts;

    #[test]
    fn uri_options_fill_the_section() {
        let tls = TlsSettings::from_uri_options(&opts(&[
            ("tls", "true"),
            ("tlscafile", "/etc/ca.pem"),
            ("tlsinsecure", "true"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(tls.ca_file.as_deref(), Some("/etc/ca.pem"));
        assert!(tls.allow_invalid_certificates && tls.allow_invalid_hostnames);
        assert_eq!(
            TlsSettings::from_uri_options(&opts(&[("ssl", "false")])).unwrap(),
            None
        );
        assert_eq!(TlsSettings::from_uri_options(&[]).unwrap(), None);
        assert_eq!(
            TlsSettings::from_uri_options(&opts(&[("tls", "false"), ("tlscafile", "/x")]))
                .unwrap_err()
                .code(),
            "invalid_uri"
        );
        assert_eq!(
            TlsSettings::from_uri_options(&opts(&[("tls", "yes")]))
                .unwrap_err()
                .code(),
            "invalid_uri"
        );
    }

    #[test]
    fn the_form_and_the_uri_must_agree() {
        let form = TlsSettings {
            ca_file: Some("/a.pem".into()),
            ..Default::default()
        };
        let uri = TlsSettings {
            ca_file: Some("/b.pem".into()),
            ..Default::default()
        };
        let err = TlsSettings::merge(Some(form.clone()), Some(uri)).unwrap_err();
        assert!(err.to_string().contains("tlsCAFile"), "{err}");
        let uri = TlsSettings {
            cert_key_file: Some("/c.pem".into()),
            allow_invalid_hostnames: true,
            ..Default::default()
        };
        // The section left the check on: the string may not turn it off.
        let err = TlsSettings::merge(Some(form.clone()), Some(uri.clone())).unwrap_err();
        assert!(
            err.to_string().contains("tlsAllowInvalidHostnames"),
            "{err}"
        );
        let relaxed = TlsSettings {
            allow_invalid_hostnames: true,
            ..form
        };
        let merged = TlsSettings::merge(Some(relaxed), Some(uri))
            .unwrap()
            .unwrap();
        assert_eq!(merged.ca_file.as_deref(), Some("/a.pem"));
        assert_eq!(merged.cert_key_file.as_deref(), Some("/c.pem"));
        assert!(merged.allow_invalid_hostnames);
    }

    #[test]
    fn a_key_password_needs_a_key_file() {
        let tls = TlsSettings {
            key_password: true,
            ..Default::default()
        };
        assert_eq!(tls.validate().unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn files_must_hold_what_they_are_for() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = crate::profiles::files::tests::certificate_and_key();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            Some(path.display().to_string())
        };
        let settings = |ca: Option<String>, cert_key: Option<String>| TlsSettings {
            ca_file: ca,
            cert_key_file: cert_key,
            ..TlsSettings::default()
        };
        let fake = write("fake.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n");
        let err = settings(fake.clone(), None).validate().unwrap_err();
        assert!(err.to_string().contains("no readable certificate"), "{err}");
        settings(write("ca.pem", &cert), None).validate().unwrap();

        let only_cert = write("cert.pem", &cert);
        let err = settings(None, only_cert).validate().unwrap_err();
        assert_eq!(
            err,
            Error::invalid(
                "tls.cert_key_file",
                format!(
                    "{} must hold the client certificate and its private key",
                    dir.path().join("cert.pem").display()
                )
            )
        );
        let only_key = write("key.pem", &key);
        assert_eq!(
            settings(None, only_key).validate().unwrap_err().code(),
            "invalid_input"
        );
        settings(None, write("client.pem", &format!("{cert}{key}")))
            .validate()
            .unwrap();
    }
}
