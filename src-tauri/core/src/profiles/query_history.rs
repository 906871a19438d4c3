//! The collection browser's queries, per profile: the last ones run, and
//! the ones the admin named as favourites. One JSON file in the app's data
//! folder, its owner's alone (0600), replaced atomically; clearing the
//! history keeps the favourites.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::db::query::QueryInput;
use crate::save_path::replace_private;
use crate::schema::PlatformDatabase;
use crate::{Error, Result};

/// Queries kept per profile besides its favourites.
pub const MAX_RECENT_QUERIES: usize = 50;
/// Longest name of a favourite.
const MAX_NAME_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct SavedQuery {
    pub id: String,
    pub database: PlatformDatabase,
    pub collection: String,
    /// The query bar's parts as sent (canonical Extended JSON).
    pub filter: String,
    pub projection: String,
    pub sort: String,
    /// When it last ran, RFC 3339.
    pub ran_at: String,
    /// Its name, when the admin made it a favourite.
    pub favourite: Option<String>,
}

impl SavedQuery {
    fn same_query(&self, which: PlatformDatabase, collection: &str, q: &QueryInput) -> bool {
        self.database == which
            && self.collection == collection
            && self.filter == q.filter
            && self.projection == q.projection
            && self.sort == q.sort
    }
}

#[derive(Serialize, Deserialize, Default)]
struct HistoryFile {
    version: u32,
    by_profile: BTreeMap<String, Vec<SavedQuery>>,
}

pub struct QueryHistory {
    path: PathBuf,
    lock: Mutex<()>,
}

impl QueryHistory {
    pub fn new(data_dir: &Path) -> Self {
        QueryHistory {
            path: data_dir.join("query-history.json"),
            lock: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<HistoryFile> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| Error::storage(format!("{}: {e}", self.path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HistoryFile::default()),
            Err(e) => Err(Error::storage(e)),
        }
    }

    fn change<T>(
        &self,
        profile: &str,
        f: impl FnOnce(&mut Vec<SavedQuery>) -> Result<T>,
    ) -> Result<T> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut file = self.read()?;
        let out = f(file.by_profile.entry(profile.to_string()).or_default())?;
        file.by_profile.retain(|_, queries| !queries.is_empty());
        file.version = 1;
        replace_private(
            &self.path,
            &serde_json::to_vec_pretty(&file).map_err(Error::storage)?,
        )?;
        Ok(out)
    }

    /// Favourites first (by name), then the others, newest first.
    pub fn list(&self, profile: &str) -> Result<Vec<SavedQuery>> {
        let mut queries = self.read()?.by_profile.remove(profile).unwrap_or_default();
        // Stable: the others keep their stored order, newest first.
        queries.sort_by(|a, b| match (&a.favourite, &b.favourite) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        Ok(queries)
    }

    /// Notes a query that ran: the same one moves to the top. One naming a
    /// URL with credentials is not kept (they are a secret, as everywhere).
    pub fn record(
        &self,
        profile: &str,
        which: PlatformDatabase,
        collection: &str,
        q: &QueryInput,
    ) -> Result<()> {
        let parts = [&q.filter, &q.projection, &q.sort];
        if parts
            .iter()
            .any(|p| crate::redact::redact_userinfo(p).is_some())
        {
            return Ok(());
        }
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.change(profile, |queries| {
            // Kept newest first: the same query moves to the front.
            let mut entry = match queries
                .iter()
                .position(|s| s.same_query(which, collection, q))
            {
                Some(i) => queries.remove(i),
                None => SavedQuery {
                    id: uuid::Uuid::new_v4().simple().to_string(),
                    database: which,
                    collection: collection.to_string(),
                    filter: q.filter.clone(),
                    projection: q.projection.clone(),
                    sort: q.sort.clone(),
                    ran_at: String::new(),
                    favourite: None,
                },
            };
            entry.ran_at = now;
            queries.insert(0, entry);
            // Past the limit, the oldest plain entries go.
            let mut plain = 0;
            queries.retain(|s| {
                if s.favourite.is_some() {
                    return true;
                }
                plain += 1;
                plain <= MAX_RECENT_QUERIES
            });
            Ok(())
        })
    }

    /// Names a query as a favourite, or (`None`) makes it a plain one again.
    pub fn set_favourite(&self, profile: &str, id: &str, name: Option<&str>) -> Result<SavedQuery> {
        let name = match name.map(str::trim) {
            Some(n) if n.is_empty() || n.chars().count() > MAX_NAME_CHARS => {
                return Err(Error::invalid(
                    "name",
                    format!("1 to {MAX_NAME_CHARS} characters"),
                ))
            }
            other => other.map(str::to_string),
        };
        self.change(profile, |queries| {
            let query = queries
                .iter_mut()
                .find(|s| s.id == id)
                .ok_or_else(|| Error::NotFound {
                    what: "saved query".into(),
                })?;
            query.favourite = name;
            Ok(query.clone())
        })
    }

    /// Forgets the profile's recent queries, keeping its favourites; how many went.
    pub fn clear(&self, profile: &str) -> Result<u32> {
        self.change(profile, |queries| {
            let before = queries.len();
            queries.retain(|s| s.favourite.is_some());
            Ok((before - queries.len()) as u32)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(filter: &str) -> QueryInput {
        QueryInput {
            filter: filter.into(),
            limit: 20,
            ..Default::default()
        }
    }

    #[test]
    fn recent_queries_per_profile_with_favourites_kept_on_clear() {
        let dir = tempfile::tempdir().unwrap();
        let history = QueryHistory::new(dir.path());
        history
            .record("p1", PlatformDatabase::Core, "tasks", &q("{\"a\":1}"))
            .unwrap();
        history
            .record("p1", PlatformDatabase::Core, "tasks", &q("{\"b\":1}"))
            .unwrap();
        history
            .record("p1", PlatformDatabase::Core, "tasks", &q("{\"a\":1}"))
            .unwrap();
        history
            .record("p2", PlatformDatabase::Ai, "chat_sessions", &q(""))
            .unwrap();
        let p1 = history.list("p1").unwrap();
        assert_eq!(
            p1.iter().map(|s| s.filter.as_str()).collect::<Vec<_>>(),
            vec!["{\"a\":1}", "{\"b\":1}"]
        );
        assert_eq!(history.list("p2").unwrap().len(), 1);

        let named = history
            .set_favourite("p1", &p1[1].id, Some(" open b "))
            .unwrap();
        assert_eq!(named.favourite.as_deref(), Some("open b"));
        assert_eq!(
            history.list("p1").unwrap()[0].id,
            p1[1].id,
            "favourites first"
        );
        for bad in [Some(""), Some("  ")] {
            assert_eq!(
                history
                    .set_favourite("p1", &p1[0].id, bad)
                    .unwrap_err()
                    .code(),
                "invalid_input"
            );
        }
        assert_eq!(
            history
                .set_favourite("p1", "nope", None)
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert_eq!(
            history
                .set_favourite("p2", &p1[0].id, Some("x"))
                .unwrap_err()
                .code(),
            "not_found",
            "another profile's"
        );

        assert_eq!(history.clear("p1").unwrap(), 1);
        let left = history.list("p1").unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].favourite.as_deref(), Some("open b"));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(history.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_query_naming_credentials_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let history = QueryHistory::new(dir.path());
        history
            .record(
                "p",
                PlatformDatabase::Core,
                "c",
                &q(r#"{"hook": "https://u:pw@host/x"}"#),
            )
            .unwrap();
        assert!(history.list("p").unwrap().is_empty());
    }

    #[test]
    fn only_the_latest_plain_queries_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let history = QueryHistory::new(dir.path());
        for n in 0..MAX_RECENT_QUERIES + 5 {
            history
                .record(
                    "p",
                    PlatformDatabase::Core,
                    "c",
                    &q(&format!("{{\"n\":{n}}}")),
                )
                .unwrap();
        }
        let kept = history.list("p").unwrap();
        assert_eq!(kept.len(), MAX_RECENT_QUERIES);
        assert_eq!(
            kept[0].filter,
            format!("{{\"n\":{}}}", MAX_RECENT_QUERIES + 4)
        );
    }
}
