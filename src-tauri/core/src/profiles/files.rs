//! Checks on the local files a profile names (TLS certificates, SSH keys):
//! a path the user typed, read only when it is a small regular file.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// A path as the form gives it: absolute, or `~/…` under the user's home.
pub fn resolve(field: &str, raw: &str) -> Result<PathBuf> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 4096 || raw.contains('\0') {
        return Err(Error::invalid(field, "must be a path of 1 to 4096 bytes"));
    }
    let path = match raw.strip_prefix("~/") {
        Some(rest) => home()
            .ok_or_else(|| Error::invalid(field, "~ needs a home folder"))?
            .join(rest),
        None => PathBuf::from(raw),
    };
    if !path.is_absolute() {
        return Err(Error::invalid(
            field,
            "must be an absolute path or start with ~/",
        ));
    }
    Ok(path)
}

/// The file's bytes, refused unless it is a regular file of at most `limit`
/// bytes: a device, a folder or a 10 MB "key" is named, never read whole.
pub fn read_small(field: &str, path: &Path, limit: u64) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::invalid(field, format!("{}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::invalid(
            field,
            format!("{} is not a file", path.display()),
        ));
    }
    // Nothing to read in an empty file; and /proc's files say 0 bytes
    // whatever they hold (/proc/kmsg never ends): both are refused.
    if meta.len() == 0 {
        return Err(Error::invalid(
            field,
            format!("{} is empty", path.display()),
        ));
    }
    if meta.len() > limit {
        return Err(Error::invalid(
            field,
            format!(
                "{} is {} bytes; at most {limit} are read",
                path.display(),
                meta.len()
            ),
        ));
    }
    // The file may have grown since: never more than the limit.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, limit + 1), &mut bytes)
        })
        .map_err(|e| Error::invalid(field, format!("{}: {e}", path.display())))?;
    if bytes.len() as u64 > limit {
        return Err(Error::invalid(
            field,
            format!("{} grew past {limit} bytes", path.display()),
        ));
    }
    Ok(bytes)
}

/// A PEM file (certificates, keys): at most `limit` bytes holding a
/// `-----BEGIN` block.
pub fn read_pem(field: &str, raw: &str, limit: u64) -> Result<Vec<u8>> {
    let path = resolve(field, raw)?;
    let bytes = read_small(field, &path, limit)?;
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Err(Error::invalid(
            field,
            format!("{} holds no PEM block (-----BEGIN …)", path.display()),
        ));
    }
    Ok(bytes)
}

pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn paths_are_absolute_small_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["", "relative/key", "a\0b"] {
            assert_eq!(
                resolve("f", bad).unwrap_err().code(),
                "invalid_input",
                "{bad:?}"
            );
        }
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'A'; 2048]).unwrap();
        let err = read_small("f", &big, 1024).unwrap_err();
        assert!(err.to_string().contains("at most 1024"), "{err}");
        assert!(read_small("f", dir.path(), 1024)
            .unwrap_err()
            .to_string()
            .contains("not a file"));
        // /proc's files claim 0 bytes; some never end.
        let err = read_small("f", Path::new("/proc/self/status"), 1024).unwrap_err();
        assert!(err.to_string().contains("is empty"), "{err}");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(
            read_small("f", &empty, 1024).unwrap_err().code(),
            "invalid_input"
        );
        let not_pem = dir.path().join("ca.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        let err = read_pem("tls.ca_file", not_pem.to_str().unwrap(), 1024).unwrap_err();
        assert!(err.to_string().contains("no PEM block"), "{err}");
        std::fs::write(&not_pem, "-----BEGIN CERTIFICATE-----\n").unwrap();
        read_pem("f", not_pem.to_str().unwrap(), 1024).unwrap();
    }

    /// A real self-signed certificate and its key, as PEM.
    pub(crate) fn certificate_and_key() -> (String, String) {
        use openssl::{asn1::Asn1Time, ec, hash::MessageDigest, nid::Nid, pkey::PKey, x509};
        let group = ec::EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(ec::EcKey::generate(&group).unwrap()).unwrap();
        let mut name = x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "mozaiks test").unwrap();
        let name = name.build();
        let mut cert = x509::X509Builder::new().unwrap();
        cert.set_version(2).unwrap();
        cert.set_subject_name(&name).unwrap();
        cert.set_issuer_name(&name).unwrap();
        cert.set_pubkey(&key).unwrap();
        cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        cert.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        cert.sign(&key, MessageDigest::sha256()).unwrap();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        (
            text(cert.build().to_pem().unwrap()),
            text(key.private_key_to_pem_pkcs8().unwrap()),
        )
    }
}
