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
    std::fs::read(path).map_err(|e| Error::invalid(field, format!("{}: {e}", path.display())))
}

/// A PEM file (certificates, keys): at most `limit` bytes holding a
/// `-----BEGIN` block.
pub fn check_pem(field: &str, raw: &str, limit: u64) -> Result<PathBuf> {
    let path = resolve(field, raw)?;
    let bytes = read_small(field, &path, limit)?;
    if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return Err(Error::invalid(
            field,
            format!("{} holds no PEM block (-----BEGIN …)", path.display()),
        ));
    }
    Ok(path)
}

pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
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
        let not_pem = dir.path().join("ca.pem");
        std::fs::write(&not_pem, "hello").unwrap();
        let err = check_pem("tls.ca_file", not_pem.to_str().unwrap(), 1024).unwrap_err();
        assert!(err.to_string().contains("no PEM block"), "{err}");
        std::fs::write(&not_pem, "-----BEGIN CERTIFICATE-----\n").unwrap();
        assert_eq!(
            check_pem("f", not_pem.to_str().unwrap(), 1024).unwrap(),
            not_pem
        );
    }
}
