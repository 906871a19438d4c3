//! The profiles file: one JSON document in the app's config dir, replaced
//! atomically so a crash mid-write never loses the user's connections.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::profiles::profile::Profile;
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

    fn write(&self, profiles: Vec<Profile>) -> Result<()> {
        let dir = self.path.parent().expect("profiles path has a parent");
        std::fs::create_dir_all(dir).map_err(Error::storage)?;
        let json = serde_json::to_vec_pretty(&ProfilesFile {
            version: 1,
            profiles,
        })
        .map_err(Error::storage)?;
        let tmp = self.path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(Error::storage)?;
        std::fs::rename(&tmp, &self.path).map_err(Error::storage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::profile::{Environment, PasswordMode};

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
}
