//! Where a save dialog said to write a file. The dialog's filter is only
//! the UI's suggestion: these checks are what keep a command from writing
//! over a config file, a script or the app's own files, whoever calls it.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// A path a save dialog could have given: absolute and plain (no `..`; a
/// relative one would land wherever the app was started), not a symlink,
/// not in the app's own folders and not one of its files by another name.
/// A service writes to it only through [`SavePath::partial`].
#[derive(Debug)]
pub struct SavePath(PathBuf);

impl SavePath {
    pub fn new(path: &Path, app_dirs: &[&Path]) -> Result<SavePath> {
        let refuse = |why: &str| Err(Error::invalid("path", why));
        if path.to_string_lossy().trim().is_empty() {
            return refuse("choose where to save the file");
        }
        let plain = path.components().all(|c| c != Component::ParentDir);
        if !path.is_absolute() || !plain {
            return refuse("a full path, as the save dialog gives");
        }
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return refuse("a file name is missing");
        };
        // The file is replaced by a rename, so what is judged is the folder
        // entry itself; a link there would be written through (a chart) or
        // replaced (an export) instead of what it names.
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return refuse("a link: choose the file it points to");
        }
        let entry = real(parent).join(name);
        let own = |d: &&Path| entry.starts_with(real(d)) || same_file_inside(path, d);
        if app_dirs.iter().any(own) {
            return refuse("not in the app's own folder: choose another place");
        }
        Ok(SavePath(path.to_path_buf()))
    }

    /// A new file beside the target, for a `.{extension}` target only.
    pub fn partial(&self, extension: &str, what: &str) -> Result<PartialFile> {
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
        PartialFile::create(&self.0)
    }
}

/// The file while it is written: new, readable by its owner only (0600 on
/// Unix), named so it replaces nothing, and removed unless it is kept, so
/// a failure leaves no personal data behind.
pub struct PartialFile {
    path: PathBuf,
    target: PathBuf,
    kept: bool,
}

impl PartialFile {
    fn create(target: &Path) -> Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let unique = format!(
            ".{name}.{}-{}.partial",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let path = target.with_file_name(unique);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path).map_err(Error::storage)?;
        Ok(PartialFile {
            path,
            target: target.to_path_buf(),
            kept: false,
        })
    }

    /// Where the file goes once kept.
    pub fn target(&self) -> &Path {
        &self.target
    }

    pub fn file(&self) -> Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(Error::storage)
    }

    pub fn read(&self) -> Result<std::fs::File> {
        std::fs::File::open(&self.path).map_err(Error::storage)
    }

    /// Another new file beside this one for a first pass over the data;
    /// never kept, so it is removed when dropped.
    pub fn scratch(&self) -> Result<PartialFile> {
        PartialFile::create(&self.target.with_extension("scratch"))
    }

    /// Moves the finished file into place (a rename never follows a symlink).
    pub fn keep(mut self) -> Result<()> {
        std::fs::rename(&self.path, &self.target).map_err(Error::storage)?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Replaces one of the app's own files atomically with `bytes`: a new file
/// created 0600 beside it, renamed over it, in a folder made its owner's.
/// A crash mid-write leaves the old file whole.
pub fn replace_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().expect("an app file has a folder");
    private_dir(dir).map_err(Error::storage)?;
    // A leftover from a crash may have been opened by someone else while
    // it was readable: never reused.
    let mut name = path
        .file_name()
        .expect("an app file has a name")
        .to_os_string();
    name.push(".tmp");
    let tmp = path.with_file_name(name);
    if std::fs::symlink_metadata(&tmp).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(&tmp).map_err(Error::storage)?;
    }
    let mut file = open_private(
        &tmp,
        std::fs::OpenOptions::new().write(true).create_new(true),
    )
    .map_err(Error::storage)?;
    file.write_all(bytes).map_err(Error::storage)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(Error::storage)
}

/// The app's own folder (the profiles', the audit trail's): made readable
/// by its owner only (0700 on Unix) when missing, and narrowed to that when
/// found wider. Missing parents (`~/.local/share`) get the usual mode.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        match std::fs::DirBuilder::new().mode(0o700).create(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
            other => other?,
        }
        narrow(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Opens one of the app's own files: created readable by its owner only
/// (0600 on Unix), never written and then narrowed; one found wider is
/// narrowed through its handle before anything is written to it.
pub fn open_private(
    path: &Path,
    options: &mut std::fs::OpenOptions,
) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    Ok(file)
}

/// Takes the group's and others' access away from an app file or folder
/// found with it; nothing there is fine.
pub fn narrow(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions().mode(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o7700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
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

/// Whether `path` is, by a hard link or a link to it, one of the files in
/// `dir` (two levels deep: the profiles, the audit trail, the logs).
#[cfg(unix)]
fn same_file_inside(path: &Path, dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(target) = std::fs::metadata(path) else {
        return false; // nothing there yet: nothing of ours to overwrite
    };
    let id = (target.dev(), target.ino());
    let mut folders = vec![(dir.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let Ok(meta) = std::fs::metadata(entry.path()) else {
                continue;
            };
            if (meta.dev(), meta.ino()) == id {
                return true;
            }
            if meta.is_dir() && depth < 1 {
                folders.push((entry.path(), depth + 1));
            }
        }
    }
    false
}

#[cfg(not(unix))]
fn same_file_inside(_path: &Path, _dir: &Path) -> bool {
    false
}

/// A file's permission bits, read and set, for the tests of the files
/// kept private (the audit trail, the profiles file).
#[cfg(all(test, unix))]
pub(crate) mod modes {
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    pub fn mode(path: &Path) -> String {
        let bits = std::fs::metadata(path).unwrap().permissions().mode();
        format!("{:o}", bits & 0o777)
    }

    pub fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::SavePath;
    use std::path::Path;

    fn csv(path: &str, app_dirs: &[&Path]) -> crate::Result<()> {
        SavePath::new(Path::new(path), app_dirs)?.partial("csv", "a chart")?;
        Ok(())
    }

    #[test]
    fn only_plain_absolute_paths_of_the_one_extension_pass() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        for good in ["a.csv", "A.CSV", "report.2026.csv"] {
            assert!(csv(&at(good), &[]).is_ok(), "{good}");
        }
        for bad in [
            String::new(),
            "  ".into(),
            "a.csv".into(),
            "../a.csv".into(),
            at("sub/../a.csv"),
            at("a.sh"),
            at(".csv"),
            at("a.csv.sh"),
            at(".bashrc"),
            at("a"),
        ] {
            assert_eq!(csv(&bad, &[]).unwrap_err().code(), "invalid_input", "{bad}");
        }
        // Checking makes a partial file only for a path that passed, and
        // dropping it unkept leaves nothing behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn nothing_is_saved_into_the_apps_own_files_by_any_name() {
        let app = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let dirs = [app.path()];
        let ours = app.path().join("profiles.csv");
        std::fs::write(&ours, "ours").unwrap();
        let out = |name: &str| elsewhere.path().join(name);
        std::os::unix::fs::symlink(app.path(), out("folder-link")).unwrap();
        std::os::unix::fs::symlink(&ours, out("file-link.csv")).unwrap();
        std::os::unix::fs::symlink(out("x.csv"), app.path().join("out.csv")).unwrap();
        std::os::unix::fs::symlink(app.path().join(".bashrc"), out("dangling.csv")).unwrap();
        std::fs::hard_link(&ours, out("hard.csv")).unwrap();
        for bad in [
            ours.clone(),
            app.path().join("sub/x.csv"),
            out("folder-link").join("x.csv"),
            out("file-link.csv"),
            app.path().join("out.csv"),
            out("dangling.csv"),
            out("hard.csv"),
        ] {
            let err = csv(bad.to_str().unwrap(), &dirs).unwrap_err();
            assert_eq!(err.code(), "invalid_input", "{}", bad.display());
        }
        assert!(csv(out("x.csv").to_str().unwrap(), &dirs).is_ok());
        assert_eq!(std::fs::read_to_string(&ours).unwrap(), "ours");
    }
}
