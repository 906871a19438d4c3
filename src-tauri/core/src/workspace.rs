//! The app's state without Tauri: saved profiles, the keychain and the one
//! active connection. Tauri commands are thin adapters over these methods.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use specta::Type;
use tokio::sync::RwLock;

use crate::db::audit::AuditLog;
use crate::db::command_check;
use crate::db::connection::{ConnectOptions, Connection, Health, ServerInfo};
use crate::profiles::profile::SecretSlot;
use crate::profiles::profile::{
    Environment, PasswordMode, Profile, ProfileInput, DEFAULT_TIMEOUT_MS,
};
use crate::profiles::query_history::QueryHistory;
use crate::profiles::secrets::SecretStore;
use crate::profiles::store::ProfileStore;
use crate::profiles::uri;
use crate::save_path::SavePath;
use crate::services::overview::{self, Overview};
use crate::services::seed::{self, SeedOptions, SeedProgress, SeedReport};
use crate::ssh::host_keys::HostKeys;
use crate::{Error, Result, Sensitive};

pub struct Workspace {
    profiles: ProfileStore,
    audit: AuditLog,
    secrets: Arc<dyn SecretStore>,
    /// known_hosts: the user's (read only) and the app's own.
    host_keys: Arc<HostKeys>,
    active: RwLock<Option<Arc<Connection>>>,
    /// Where the profiles and the audit trail live: no export lands there.
    app_dirs: [PathBuf; 2],
    query_history: QueryHistory,
    /// The switches of long runs the UI may stop, by the id the UI gave.
    cancels:
        std::sync::Mutex<std::collections::HashMap<String, Arc<std::sync::atomic::AtomicBool>>>,
}

/// A long run's stop switch, registered under the UI's id while it runs.
pub struct CancelToken<'w> {
    workspace: &'w Workspace,
    id: String,
    flag: Arc<std::sync::atomic::AtomicBool>,
}

impl CancelToken<'_> {
    pub fn flag(&self) -> &std::sync::atomic::AtomicBool {
        &self.flag
    }
}

impl Drop for CancelToken<'_> {
    fn drop(&mut self) {
        if let Ok(mut runs) = self.workspace.cancels.lock() {
            runs.remove(&self.id);
        }
    }
}

/// A profile the platform's own environment variables describe
/// (`DATABASE_URI`, `ENV`), offered when the user has none of that name yet.
#[derive(Debug, Clone, Serialize, Type)]
pub struct EnvironmentOffer {
    /// The name the adopted profile will get.
    pub name: String,
    pub uri: String,
    pub environment: Environment,
    pub database: String,
    pub has_credentials: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ConnectionTest {
    pub server: ServerInfo,
    pub database: String,
    pub collections: u32,
    /// Every step the connection went through, in order.
    pub steps: Vec<ConnectStep>,
}

/// The path of a connection: the bastion, then TLS, then authentication,
/// then the server's `hello`. "Test connection" says which one failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ConnectStep {
    Ssh,
    Tls,
    Authentication,
    Server,
}

impl ConnectStep {
    /// The steps an open connection took, as the driver was set up.
    pub fn path(conn: &Connection) -> Vec<ConnectStep> {
        let route = conn.route();
        [
            (ConnectStep::Ssh, route.ssh.is_some()),
            (ConnectStep::Tls, route.tls),
            (ConnectStep::Authentication, conn.authenticates()),
            (ConnectStep::Server, true),
        ]
        .into_iter()
        .filter_map(|(step, taken)| taken.then_some(step))
        .collect()
    }
}

/// The step each failure of a connect belongs to, by error code; a code not
/// listed (an invalid field, a missing password, a command refused after
/// the connection was made) is no step's. (A constant for the UI.)
pub const CONNECT_FAILURE_STEPS: [(&str, ConnectStep); 11] = [
    ("ssh_unreachable", ConnectStep::Ssh),
    ("ssh_host_key_unknown", ConnectStep::Ssh),
    ("ssh_host_key_changed", ConnectStep::Ssh),
    ("ssh_auth_failed", ConnectStep::Ssh),
    ("ssh_forward_refused", ConnectStep::Ssh),
    ("tls_failed", ConnectStep::Tls),
    ("authentication_failed", ConnectStep::Authentication),
    ("host_unresolvable", ConnectStep::Server),
    ("server_selection_timeout", ConnectStep::Server),
    ("connection_lost", ConnectStep::Server),
    ("time_limit", ConnectStep::Server),
];

impl Workspace {
    /// Profiles live in `config_dir`, the audit trail in `data_dir`.
    pub fn new(config_dir: &Path, data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Self {
        Workspace {
            profiles: ProfileStore::new(config_dir),
            audit: AuditLog::new(data_dir),
            secrets,
            host_keys: Arc::new(HostKeys::for_app(data_dir)),
            active: RwLock::new(None),
            app_dirs: [config_dir.to_path_buf(), data_dir.to_path_buf()],
            query_history: QueryHistory::new(data_dir),
            cancels: Default::default(),
        }
    }

    /// Registers a run the UI can stop with [`Workspace::cancel`] under `id`
    /// (at most 64 characters) until the token is dropped.
    pub fn cancel_token(&self, id: &str) -> Result<CancelToken<'_>> {
        if id.is_empty() || id.len() > 64 {
            return Err(Error::invalid("run_id", "1 to 64 characters"));
        }
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut runs = self
            .cancels
            .lock()
            .map_err(|_| Error::storage("the run registry is unusable"))?;
        if runs.contains_key(id) {
            return Err(Error::invalid("run_id", "a run with this id is under way"));
        }
        runs.insert(id.to_string(), flag.clone());
        Ok(CancelToken {
            workspace: self,
            id: id.to_string(),
            flag,
        })
    }

    /// Asks the run registered under `id` to stop; whether one was running.
    pub fn cancel(&self, id: &str) -> bool {
        let runs = self.cancels.lock();
        match runs.ok().and_then(|r| r.get(id).cloned()) {
            Some(flag) => {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// A path the save dialog gave, checked to be outside the app's folders.
    pub fn save_path(&self, path: &str) -> Result<SavePath> {
        let [config, data] = &self.app_dirs;
        SavePath::new(Path::new(path), &[config, data])
    }

    /// The collection browser's recent and favourite queries, per profile.
    pub fn query_history(&self) -> &QueryHistory {
        &self.query_history
    }

    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    pub fn profiles_path(&self) -> &Path {
        self.profiles.path()
    }

    pub fn list_profiles(&self) -> Result<Vec<Profile>> {
        self.profiles.list()
    }

    /// Saves the keychain entries first: if the keychain fails, no profile
    /// that silently lacks a secret is written.
    pub async fn create_profile(&self, input: ProfileInput) -> Result<Profile> {
        let validated = input.validate(uuid::Uuid::new_v4().to_string())?;
        let profile = validated.profile.clone();
        let slots: Vec<SecretSlot> = SecretSlot::ALL
            .into_iter()
            .filter(|slot| slot.stored(&profile))
            .collect();
        for slot in &slots {
            validated.new_secret(*slot).ok_or_else(|| slot.required())?;
        }
        for slot in &slots {
            let secret = validated.new_secret(*slot).expect("checked above").clone();
            self.store_secret(&slot.entry(&profile.id), secret).await?;
        }
        let saved = profile.clone();
        let result = self.profiles.update(move |ps| {
            ps.push(saved);
            Ok(())
        });
        if result.is_err() {
            for slot in &slots {
                let _ = self.delete_secret(&slot.entry(&profile.id)).await;
            }
        }
        log::info!(
            "saved profile {} ({}, password: {:?}, ssh: {}, tls: {})",
            profile.name,
            uri::redact(&profile.uri),
            profile.password,
            profile.ssh.is_some(),
            profile.tls.is_some()
        );
        result.map(|()| profile)
    }

    /// New secrets go to the keychain before the profile is saved, and the
    /// old ones come back if saving fails: a stored secret never pairs with
    /// a server, bastion, user or key it was not given for.
    pub async fn update_profile(&self, id: &str, input: ProfileInput) -> Result<Profile> {
        let old = self.profiles.get(id)?;
        let validated = input.validate(id.to_string())?;
        let profile = validated.profile.clone();
        for slot in SecretSlot::ALL {
            let keeps_old = slot.stored(&old) && slot.binding(&old) == slot.binding(&profile);
            if slot.stored(&profile) && validated.new_secret(slot).is_none() && !keeps_old {
                return Err(slot.required());
            }
        }
        let mut replaced = Vec::new();
        for slot in SecretSlot::ALL {
            let Some(secret) = validated.new_secret(slot) else {
                continue;
            };
            let entry = slot.entry(id);
            let previous = match slot.stored(&old) {
                true => self.load_secret(&entry).await?,
                false => None,
            };
            self.store_secret(&entry, secret.clone()).await?;
            replaced.push((entry, previous));
        }
        let saved = profile.clone();
        let result = self.profiles.update(move |ps| {
            let slot =
                ps.iter_mut()
                    .find(|p| p.id == saved.id)
                    .ok_or_else(|| Error::ProfileNotFound {
                        id: saved.id.clone(),
                    })?;
            *slot = saved;
            Ok(())
        });
        if let Err(e) = result {
            for (entry, previous) in replaced {
                match previous {
                    Some(previous) => self.store_secret(&entry, previous).await?,
                    None => self.delete_secret(&entry).await?,
                }
            }
            return Err(e);
        }
        for slot in SecretSlot::ALL {
            if slot.stored(&old) && !slot.stored(&profile) {
                self.delete_secret(&slot.entry(id)).await?;
            }
        }
        Ok(profile)
    }

    /// A copy with a new name and id; stored secrets are copied in the keychain.
    pub async fn duplicate_profile(&self, id: &str) -> Result<Profile> {
        let mut copy = self.profiles.get(id)?;
        copy.id = uuid::Uuid::new_v4().to_string();
        copy.name = format!("{} (copy)", copy.name);
        for slot in SecretSlot::ALL.into_iter().filter(|s| s.stored(&copy)) {
            let secret = self
                .load_secret(&slot.entry(id))
                .await?
                .ok_or_else(|| slot.required())?;
            self.store_secret(&slot.entry(&copy.id), secret).await?;
        }
        let saved = copy.clone();
        self.profiles.update(move |ps| {
            ps.push(saved);
            Ok(())
        })?;
        Ok(copy)
    }

    pub async fn delete_profile(&self, id: &str) -> Result<()> {
        let profile = self.profiles.get(id)?;
        for slot in SecretSlot::ALL.into_iter().filter(|s| s.stored(&profile)) {
            self.delete_secret(&slot.entry(id)).await?;
        }
        let id = id.to_string();
        self.profiles.update(move |ps| {
            ps.retain(|p| p.id != id);
            Ok(())
        })?;
        if self.active_profile_id().await.as_deref() == Some(profile.id.as_str()) {
            self.disconnect().await;
        }
        Ok(())
    }

    /// Tries a profile as the form holds it, before it is saved, step by
    /// step (SSH, TLS, authentication, `hello`). Secrets the form leaves
    /// empty come from `existing_id`'s keychain entries, only while what
    /// each was given for is unchanged.
    pub async fn test_connection(
        &self,
        input: ProfileInput,
        existing_id: Option<String>,
    ) -> Result<ConnectionTest> {
        let validated = input.validate(existing_id.clone().unwrap_or_default())?;
        let profile = &validated.profile;
        let saved = match &existing_id {
            Some(id) => Some(self.profiles.get(id)?),
            None => None,
        };
        let mut secrets = [None, None, None];
        for (i, slot) in SecretSlot::ALL.into_iter().enumerate() {
            let needed = match slot {
                SecretSlot::Database => profile.password != PasswordMode::None,
                _ => slot.stored(profile),
            };
            if !needed {
                continue;
            }
            secrets[i] = match (validated.new_secret(slot), &saved) {
                (Some(secret), _) => Some(secret.clone()),
                (None, Some(saved))
                    if slot.stored(saved) && slot.binding(saved) == slot.binding(profile) =>
                {
                    self.load_secret(&slot.entry(&saved.id)).await?
                }
                _ => None,
            };
            if secrets[i].is_none() {
                return Err(slot.required());
            }
        }
        let [password, ssh_secret, tls_key_password] = secrets;
        let conn = Connection::open(
            profile,
            ConnectOptions {
                password,
                ssh_secret,
                tls_key_password,
                host_keys: Some(self.host_keys.clone()),
                command_monitor: Some(command_check::runtime_monitor()),
            },
        )
        .await?;
        let overview = overview::overview(&conn).await;
        let steps = ConnectStep::path(&conn);
        conn.close().await;
        let overview = overview?;
        Ok(ConnectionTest {
            server: overview.server,
            database: overview.database,
            collections: overview.collections.len() as u32,
            steps,
        })
    }

    /// Trusts the host key a bastion offered, after the user compared its
    /// fingerprint: written to the app's own known-hosts file.
    pub fn trust_host_key(&self, host: &str, port: u16, fingerprint: &str) -> Result<()> {
        self.host_keys.trust(host, port, fingerprint)?;
        log::info!("trusted SSH host key {fingerprint} for {host}:{port}");
        Ok(())
    }

    /// Opens the profile and makes it the active connection. `password` is
    /// needed for profiles that ask at each connect.
    pub async fn connect(&self, id: &str, password: Option<Sensitive<String>>) -> Result<Overview> {
        let profile = self.profiles.get(id)?;
        let password = match profile.password {
            PasswordMode::None => None,
            PasswordMode::Keychain => {
                Some(self.load_secret(id).await?.ok_or(Error::PasswordRequired)?)
            }
            PasswordMode::Ask => Some(password.ok_or(Error::PasswordRequired)?),
        };
        let mut keychain = [None, None];
        for (slot, secret) in [SecretSlot::Ssh, SecretSlot::TlsKey]
            .into_iter()
            .zip(&mut keychain)
        {
            if slot.stored(&profile) {
                *secret = Some(
                    self.load_secret(&slot.entry(id))
                        .await?
                        .ok_or_else(|| slot.required())?,
                );
            }
        }
        let [ssh_secret, tls_key_password] = keychain;
        let conn = Connection::open(
            &profile,
            ConnectOptions {
                password,
                ssh_secret,
                tls_key_password,
                host_keys: Some(self.host_keys.clone()),
                command_monitor: Some(command_check::runtime_monitor()),
            },
        )
        .await?;
        let overview = overview::overview(&conn).await?;
        if let Some(old) = self.active.write().await.replace(Arc::new(conn)) {
            close_when_unused(old).await;
        }
        log::info!(
            "connected profile {} to {}",
            profile.name,
            uri::redact(&profile.uri)
        );
        Ok(overview)
    }

    pub async fn disconnect(&self) {
        if let Some(old) = self.active.write().await.take() {
            close_when_unused(old).await;
        }
    }

    pub async fn connection(&self) -> Result<Arc<Connection>> {
        self.active.read().await.clone().ok_or(Error::NotConnected)
    }

    async fn active_profile_id(&self) -> Option<String> {
        self.active
            .read()
            .await
            .as_ref()
            .map(|c| c.profile().id.clone())
    }

    /// Whether the active connection's server answers now.
    pub async fn health(&self) -> Result<Health> {
        Ok(self.connection().await?.health().await)
    }

    /// Replaces the demo collections with fresh seed data on the active
    /// connection: refused when it is read-only or production, and on a
    /// database holding documents unless its name is typed back.
    pub async fn seed_demo_data(
        &self,
        users: u32,
        confirm_database: Option<&str>,
        progress: impl FnMut(SeedProgress),
    ) -> Result<SeedReport> {
        let conn = self.connection().await?;
        let options = SeedOptions::today(users);
        seed::seed(&conn, &self.audit, &options, confirm_database, progress).await
    }

    /// Reads `DATABASE_URI` and `ENV` the way the platform does; nothing is
    /// offered once a saved profile already points at that URI.
    pub fn environment_offer(
        &self,
        database_uri: Option<&str>,
        env: Option<&str>,
    ) -> Result<Option<EnvironmentOffer>> {
        let Some(raw) = database_uri.filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let split = uri::split_credentials(raw)?;
        if self.profiles.list()?.iter().any(|p| p.uri == split.uri) {
            return Ok(None);
        }
        let environment = Environment::from_env_value(env);
        Ok(Some(EnvironmentOffer {
            name: environment_profile_name(environment),
            has_credentials: split.username.is_some(),
            uri: split.uri,
            database: environment.default_database().to_string(),
            environment,
        }))
    }

    /// Saves the environment's connection as a profile; its password (if the
    /// URI has one) goes to the keychain without ever reaching the UI.
    pub async fn adopt_environment_profile(
        &self,
        database_uri: &str,
        env: Option<&str>,
        remember_password: bool,
    ) -> Result<Profile> {
        let environment = Environment::from_env_value(env);
        self.create_profile(ProfileInput {
            name: environment_profile_name(environment),
            uri: database_uri.to_string(),
            username: None,
            password: None,
            remember_password,
            database: None,
            environment,
            read_only: environment == Environment::Production,
            color: match environment {
                Environment::Production => "#e03131".into(),
                Environment::Development => "#2f9e44".into(),
            },
            timeout_ms: DEFAULT_TIMEOUT_MS,
            audit_to_database: false,
            analytics_from_secondaries: false,
            ssh: None,
            ssh_secret: None,
            tls: None,
            tls_key_password: None,
            read_preference: None,
            other_databases: None,
        })
        .await
    }

    async fn store_secret(&self, id: &str, secret: Sensitive<String>) -> Result<()> {
        let (secrets, id) = (self.secrets.clone(), id.to_string());
        blocking(move || secrets.set(&id, &secret)).await
    }

    async fn load_secret(&self, id: &str) -> Result<Option<Sensitive<String>>> {
        let (secrets, id) = (self.secrets.clone(), id.to_string());
        blocking(move || secrets.get(&id)).await
    }

    async fn delete_secret(&self, id: &str) -> Result<()> {
        let (secrets, id) = (self.secrets.clone(), id.to_string());
        blocking(move || secrets.delete(&id)).await
    }
}

fn environment_profile_name(environment: Environment) -> String {
    format!("DATABASE_URI ({})", environment.default_database())
}

/// Keychain back ends block (D-Bus round trips); keep them off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::SecretStoreFailed {
            message: e.to_string(),
        })?
}

/// In-flight commands hold their own `Arc`; the last one to finish drops the client.
async fn close_when_unused(conn: Arc<Connection>) {
    if let Ok(conn) = Arc::try_unwrap(conn) {
        conn.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Each code the UI maps to a step is one an error of that step has.
    #[test]
    fn failure_steps_name_real_error_codes() {
        let s = String::new;
        let errors = [
            Error::SshUnreachable {
                host: s(),
                port: 22,
                message: s(),
            },
            Error::SshHostKeyUnknown {
                host: s(),
                port: 22,
                key_type: s(),
                fingerprint: s(),
            },
            Error::SshHostKeyChanged {
                host: s(),
                port: 22,
                known_fingerprint: s(),
                fingerprint: s(),
            },
            Error::SshAuthFailed {
                host: s(),
                user: s(),
                message: s(),
            },
            Error::SshForwardRefused {
                target: s(),
                message: s(),
            },
            Error::TlsFailed { message: s() },
            Error::AuthenticationFailed { message: s() },
            Error::HostUnresolvable {
                host: s(),
                message: s(),
            },
            Error::ServerSelectionTimeout {
                timeout_ms: 1,
                message: s(),
            },
            Error::ConnectionLost {
                timeout_ms: 1,
                message: s(),
                outcome_unknown: false,
                details: s(),
            },
            Error::TimeLimit { message: s() },
        ];
        let codes: Vec<&str> = errors.iter().map(Error::code).collect();
        let mapped: Vec<&str> = CONNECT_FAILURE_STEPS
            .iter()
            .map(|(code, _)| *code)
            .collect();
        assert_eq!(codes, mapped);
    }

    #[derive(Default)]
    struct MemoryStore(Mutex<HashMap<String, String>>);

    impl SecretStore for MemoryStore {
        fn set(&self, id: &str, secret: &Sensitive<String>) -> Result<()> {
            self.0
                .lock()
                .unwrap()
                .insert(id.into(), secret.expose().clone());
            Ok(())
        }
        fn get(&self, id: &str) -> Result<Option<Sensitive<String>>> {
            Ok(self.0.lock().unwrap().get(id).cloned().map(Sensitive::new))
        }
        fn delete(&self, id: &str) -> Result<()> {
            self.0.lock().unwrap().remove(id);
            Ok(())
        }
    }

    fn input(uri: &str, username: &str, password: Option<&str>) -> ProfileInput {
        ProfileInput {
            name: "Staging".into(),
            uri: uri.into(),
            username: Some(username.into()),
            password: password.map(|p| Sensitive::new(p.into())),
            remember_password: true,
            database: None,
            environment: Environment::Development,
            read_only: false,
            color: "#228be6".into(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            audit_to_database: false,
            analytics_from_secondaries: false,
            ssh: None,
            ssh_secret: None,
            tls: None,
            tls_key_password: None,
            read_preference: None,
            other_databases: None,
        }
    }

    /// Editing a profile's URI or user name kept its keychain secret, and
    /// connect then sent that password to the new host.
    #[tokio::test]
    async fn a_stored_secret_never_follows_an_edited_host_or_user() {
        let dir = tempfile::tempdir().unwrap();
        let ws = Workspace::new(dir.path(), dir.path(), Arc::new(MemoryStore::default()));
        let p = ws
            .create_profile(input("mongodb://db.one:27017", "ann", Some("s3cret")))
            .await
            .unwrap();
        for (uri, user) in [
            ("mongodb://evil.example:27017", "ann"),
            ("mongodb://db.one:27017", "bob"),
        ] {
            let err = ws
                .update_profile(&p.id, input(uri, user, None))
                .await
                .unwrap_err();
            assert_eq!(err, Error::PasswordRequired, "{uri} {user}");
        }
        assert_eq!(
            ws.profiles.get(&p.id).unwrap().uri,
            "mongodb://db.one:27017",
            "nothing saved"
        );
        // The same host and user keep it; a new password may go anywhere.
        ws.update_profile(&p.id, input("mongodb://db.one:27017", "ann", None))
            .await
            .unwrap();
        ws.update_profile(&p.id, input("mongodb://db.two:27017", "ann", Some("n3w")))
            .await
            .unwrap();
    }

    /// A new password for a new host was kept when saving the profile
    /// failed, pairing it with the old host.
    #[tokio::test]
    async fn a_failed_save_puts_the_old_secret_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(MemoryStore::default());
        let ws = Workspace::new(dir.path(), dir.path(), store.clone());
        let p = ws
            .create_profile(input("mongodb://db.one:27017", "ann", Some("old")))
            .await
            .unwrap();
        // The store replaces the file through a temporary one: block it.
        std::fs::create_dir(dir.path().join("profiles.json.tmp")).unwrap();
        let err = ws
            .update_profile(&p.id, input("mongodb://db.two:27017", "ann", Some("new")))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "storage");
        assert_eq!(
            ws.profiles.get(&p.id).unwrap().uri,
            "mongodb://db.one:27017"
        );
        assert_eq!(store.get(&p.id).unwrap().unwrap().expose(), "old");
    }
}
