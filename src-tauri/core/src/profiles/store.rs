//! The profiles file: one JSON document in the app's config dir, replaced
//! atomically so a crash mid-write never loses the user's connections. It
//! names every server and account the admin reaches: the file is its
//! owner's alone (0600 on Unix) and so is its folder (0700).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::profiles::profile::Profile;
use crate::save_path::{narrow, replace_private};
use crate::{Error, Result};

#[derive(Serialize, Deserialize, Default)]
struct ProfilesFile {
    version: u32,
    profiles: Vec<Profile>,
}

pub struct ProfileStore {
    path: PathBuf,
    write_lock: Mutex<()>,
}

impl ProfileStore {
    pub fn new(config_dir: &Path) -> Self {
        ProfileStore {
            path: config_dir.join("profiles.json"),
            write_lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn list(&self) -> Result<Vec<Profile>> {
        self.narrow_found();
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice::<ProfilesFile>(&bytes)
                .map(|f| f.profiles)
                .map_err(|e| Error::storage(format!("{}: {e}", self.path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(Error::storage(e)),
        }
    }

    pub fn get(&self, id: &str) -> Result<Profile> {
        self.list()?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| Error::ProfileNotFound { id: id.into() })
    }

    /// Applies `change` to the list under a lock and writes the result.
    pub fn update<T>(&self, change: impl FnOnce(&mut Vec<Profile>) -> Result<T>) -> Result<T> {
        let _guard = self.write_lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut profiles = self.list()?;
        let out = change(&mut profiles)?;
        self.write(profiles)?;
        Ok(out)
    }

    /// A file or folder an earlier version left readable to others loses
    /// that when found; a failure to narrow them does not stop the read.
    fn narrow_found(&self) {
        let dir = self.path.parent().expect("profiles path has a parent");
        for path in [dir, &self.path] {
            if let Err(e) = narrow(path) {
                log::warn!("cannot make {} its owner's alone: {e}", path.display());
            }
        }
    }

    fn write(&self, profiles: Vec<Profile>) -> Result<()> {
        let json = serde_json::to_vec_pretty(&ProfilesFile {
            version: 1,
            profiles,
        })
        .map_err(Error::storage)?;
        replace_private(&self.path, &json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::profile::{Environment, PasswordMode};
    #[cfg(unix)]
    use crate::save_path::modes::{mode, set_mode};

    fn profile(id: &str) -> Profile {
        Profile {
            id: id.into(),
            name: id.into(),
            uri: "mongodb://h".into(),
            username: None,
            password: PasswordMode::None,
            database: None,
            environment: Environment::Development,
            read_only: false,
            color: "#000000".into(),
            timeout_ms: 1000,
            audit_to_database: false,
            analytics_from_secondaries: false,
            ssh: None,
            tls: None,
            read_preference: Default::default(),
            other_databases: Default::default(),
        }
    }

    #[test]
    fn round_trips_and_reports_missing_ids() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(&dir.path().join("nested"));
        assert!(store.list().unwrap().is_empty());
        store
            .update(|ps| {
                ps.push(profile("a"));
                Ok(())
            })
            .unwrap();
        assert_eq!(store.get("a").unwrap(), profile("a"));
        assert_eq!(store.get("b").unwrap_err().code(), "profile_not_found");
    }

    #[test]
    fn a_failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        let _ = store.update(|ps| {
            ps.push(profile("a"));
            Err::<(), _>(Error::invalid("x", "no"))
        });
        assert!(!store.path().exists());
    }

    #[test]
    fn a_corrupt_file_is_a_storage_error_not_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::new(dir.path());
        std::fs::write(store.path(), "{not json").unwrap();
        assert_eq!(store.list().unwrap_err().code(), "storage");
    }

    /// The profiles file names every server and user the admin reaches:
    /// it was created 0644 in a 0755 folder, readable by every local account.
    #[cfg(unix)]
    #[test]
    fn the_file_and_its_folder_are_the_owners_alone() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("config").join("dev.mozaiks.admin");
        let store = ProfileStore::new(&folder);
        store
            .update(|ps| {
                ps.push(profile("a"));
                Ok(())
            })
            .unwrap();
        assert_eq!(mode(store.path()), "600", "profiles.json");
        assert_eq!(mode(&folder), "700", "its folder");
    }

    /// A file and folder an earlier version left readable to all are
    /// narrowed when found: on a read (the app's start) and on a write.
    #[cfg(unix)]
    #[test]
    fn a_wider_file_or_folder_found_is_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("dev.mozaiks.admin");
        let store = ProfileStore::new(&folder);
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(store.path(), r#"{"version":1,"profiles":[]}"#).unwrap();
        set_mode(&folder, 0o755);
        set_mode(store.path(), 0o644);
        assert!(store.list().unwrap().is_empty());
        assert_eq!(mode(store.path()), "600", "narrowed on a read");
        assert_eq!(mode(&folder), "700", "narrowed on a read");

        set_mode(&folder, 0o775);
        // A temporary file a crash left behind, readable to all.
        let tmp = store.path().with_extension("json.tmp");
        std::fs::write(&tmp, "{}").unwrap();
        set_mode(&tmp, 0o666);
        store
            .update(|ps| {
                ps.push(profile("a"));
                Ok(())
            })
            .unwrap();
        assert_eq!(
            mode(store.path()),
            "600",
            "written from a wide temporary file"
        );
        assert_eq!(mode(&folder), "700", "narrowed on a write");
        assert_eq!(store.get("a").unwrap(), profile("a"));
    }
}
