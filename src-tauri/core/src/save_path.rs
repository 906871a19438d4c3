//! Where a save dialog said to write a file. The dialog's filter is only
//! the UI's suggestion: these checks are what keep a command from writing
//! over a config file, a script or the app's own files, whoever calls it.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// A path a save dialog could have given: absolute (a relative one would
/// land wherever the app was started) and outside the app's own folders.
/// A service writes to it only through [`SavePath::of_kind`].
#[derive(Debug)]
pub struct SavePath(PathBuf);

impl SavePath {
    pub fn new(path: &Path, app_dirs: &[&Path]) -> Result<SavePath> {
        if path.to_string_lossy().trim().is_empty() {
            return Err(Error::invalid("path", "choose where to save the file"));
        }
        if !path.is_absolute() {
            return Err(Error::invalid(
                "path",
                "a full path, as the save dialog gives",
            ));
        }
        let real = real(path);
        let inside = app_dirs.iter().any(|d| real.starts_with(self::real(d)));
        if inside {
            return Err(Error::invalid(
                "path",
                "not in the app's own folder: choose another place",
            ));
        }
        Ok(SavePath(path.to_path_buf()))
    }

    /// The path, if it names a `.{extension}` file.
    pub fn of_kind(&self, extension: &str, what: &str) -> Result<&Path> {
        let named = self
            .0
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(extension));
        if !named {
            return Err(Error::invalid(
                "path",
                format!("{what} is saved as a .{extension} file"),
            ));
        }
        Ok(&self.0)
    }
}

/// Where `path` really lands, through symlinks: its nearest existing
/// ancestor resolved, the rest of it as given.
fn real(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(resolved) = at.canonicalize() {
            return rest.iter().rev().fold(resolved, |p, part| p.join(part));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SavePath;
    use std::path::Path;

    fn csv(path: &str, app_dirs: &[&Path]) -> crate::Result<()> {
        SavePath::new(Path::new(path), app_dirs)?.of_kind("csv", "a chart")?;
        Ok(())
    }

    #[test]
    fn only_absolute_paths_of_the_one_extension_pass() {
        for good in ["/tmp/a.csv", "/tmp/A.CSV", "/home/x/report.2026.csv"] {
            assert!(csv(good, &[]).is_ok(), "{good}");
        }
        for bad in [
            "",
            "  ",
            "a.csv",
            "../a.csv",
            "/tmp/a.sh",
            "/tmp/.csv",
            "/tmp/a.csv.sh",
            "/home/x/.bashrc",
            "/tmp/a",
        ] {
            assert_eq!(csv(bad, &[]).unwrap_err().code(), "invalid_input", "{bad}");
        }
    }

    #[test]
    fn nothing_is_saved_into_the_apps_own_folders_even_through_a_link() {
        let app = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let link = elsewhere.path().join("link");
        std::os::unix::fs::symlink(app.path(), &link).unwrap();
        let dirs = [app.path()];
        for bad in [
            app.path().join("profiles.csv"),
            app.path().join("sub/x.csv"),
            link.join("x.csv"),
        ] {
            let err = csv(bad.to_str().unwrap(), &dirs).unwrap_err();
            assert_eq!(err.code(), "invalid_input", "{}", bad.display());
        }
        let fine = elsewhere.path().join("x.csv");
        assert!(csv(fine.to_str().unwrap(), &dirs).is_ok());
    }
}
