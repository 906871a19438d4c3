//! Connection profiles: what a user saves to reach a database. A profile never
//! holds a secret; `password` only says where the secret lives.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::profiles::read_preference::ReadPreferenceChoice;
use crate::profiles::ssh::SshTunnel;
use crate::profiles::tls::TlsSettings;
use crate::profiles::uri;
use crate::schema::{PlatformDatabase, DEFAULT_AI_DATABASE, DEFAULT_SHARED_DATABASE};
use crate::{Error, Result, Sensitive};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    /// The MozaiksCore database for this environment (the seed guide's rule).
    pub fn default_database(self) -> &'static str {
        match self {
            Environment::Development => "MozaiksCore",
            Environment::Production => "client",
        }
    }

    /// Reads the platform's `ENV` variable; anything but "production" is development.
    pub fn from_env_value(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("production") => Environment::Production,
            _ => Environment::Development,
        }
    }
}

/// The secrets a profile may keep in the keychain, each under its own entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSlot {
    /// The database user's password.
    Database,
    /// The SSH password or the SSH key's passphrase.
    Ssh,
    /// The password of the TLS client key.
    TlsKey,
}

impl SecretSlot {
    pub const ALL: [SecretSlot; 3] = [SecretSlot::Database, SecretSlot::Ssh, SecretSlot::TlsKey];

    /// The keychain entry's name (the database password keeps the
    /// profile id, as before).
    pub fn entry(self, profile_id: &str) -> String {
        match self {
            SecretSlot::Database => profile_id.to_string(),
            SecretSlot::Ssh => format!("{profile_id}:ssh"),
            SecretSlot::TlsKey => format!("{profile_id}:tls-key"),
        }
    }

    /// Whether the profile keeps this secret in the keychain.
    pub fn stored(self, profile: &Profile) -> bool {
        match self {
            SecretSlot::Database => profile.password == PasswordMode::Keychain,
            SecretSlot::Ssh => profile.ssh.as_ref().is_some_and(|s| s.auth.takes_secret()),
            SecretSlot::TlsKey => profile.tls.as_ref().is_some_and(|t| t.key_password),
        }
    }

    /// What the stored secret was given for: it only ever goes back there.
    pub fn binding(self, profile: &Profile) -> String {
        match self {
            // The route counts too: another bastion, or TLS off or relaxed,
            // reaches (or exposes the password to) another server.
            SecretSlot::Database => format!(
                "{}\n{:?}\n{:?}\n{:?}",
                profile.uri,
                profile.username,
                profile.ssh.as_ref().map(|s| (&s.host, s.port)),
                profile
                    .tls
                    .as_ref()
                    .map(|t| (t.allow_invalid_certificates, t.allow_invalid_hostnames))
            ),
            SecretSlot::Ssh => profile
                .ssh
                .as_ref()
                .map(|s| s.secret_binding())
                .unwrap_or_default(),
            SecretSlot::TlsKey => profile
                .tls
                .as_ref()
                .and_then(|t| t.cert_key_file.clone())
                .unwrap_or_default(),
        }
    }

    /// The error when the secret must be typed (again).
    pub fn required(self) -> Error {
        match self {
            SecretSlot::Database => Error::PasswordRequired,
            SecretSlot::Ssh => Error::invalid(
                "ssh_secret",
                "type the SSH password or key passphrase (a new bastion, user or key needs its own)",
            ),
            SecretSlot::TlsKey => Error::invalid(
                "tls_key_password",
                "type the client key's password (a new key file needs its own)",
            ),
        }
    }
}

/// Where a profile's password lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PasswordMode {
    /// The URI needs no password.
    None,
    /// Stored in the OS keychain under the profile id.
    Keychain,
    /// Never stored: the user types it at each connect.
    Ask,
}

pub const DEFAULT_URI: &str = "mongodb://127.0.0.1:27017";
pub const DEFAULT_TIMEOUT_MS: u32 = 3_000;
pub const MIN_TIMEOUT_MS: u32 = 500;
pub const MAX_TIMEOUT_MS: u32 = 60_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct Profile {
    pub id: String,
    pub name: String,
    /// Connection string with user-info removed.
    pub uri: String,
    pub username: Option<String>,
    pub password: PasswordMode,
    /// Overrides the environment's default database.
    pub database: Option<String>,
    pub environment: Environment,
    pub read_only: bool,
    /// `#rrggbb`, shown as the profile's accent.
    pub color: String,
    /// Server-selection and connect timeout.
    pub timeout_ms: u32,
    /// Also append audit entries to the `admin_audit_log` collection.
    #[serde(default)]
    pub audit_to_database: bool,
    /// Read the dashboard's aggregations from secondaries where there are
    /// any (`secondaryPreferred`), so charts never load a production primary.
    #[serde(default)]
    pub analytics_from_secondaries: bool,
    /// Every connection goes through this bastion.
    #[serde(default)]
    pub ssh: Option<SshTunnel>,
    /// TLS on, with these files and switches.
    #[serde(default)]
    pub tls: Option<TlsSettings>,
    /// Which members answer browsing reads.
    #[serde(default)]
    pub read_preference: ReadPreferenceChoice,
    /// MozaiksAI's and MozaiksDB's names on this deployment.
    #[serde(default)]
    pub other_databases: OtherDatabases,
}

/// The platform's other two databases on the profile's deployment, and
/// whether the app may write there (never by default: they belong to other
/// services).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct OtherDatabases {
    pub ai: String,
    pub shared: String,
    pub writable: bool,
}

impl Default for OtherDatabases {
    fn default() -> Self {
        OtherDatabases {
            ai: DEFAULT_AI_DATABASE.into(),
            shared: DEFAULT_SHARED_DATABASE.into(),
            writable: false,
        }
    }
}

impl OtherDatabases {
    /// Valid names, distinct from each other and from MozaiksCore's (`core`).
    fn validate(self, core: &str) -> Result<OtherDatabases> {
        let ai = self.ai.trim().to_string();
        let shared = self.shared.trim().to_string();
        for (field, name) in [
            ("other_databases.ai", &ai),
            ("other_databases.shared", &shared),
        ] {
            validate_database_name(name).map_err(|e| match e {
                Error::InvalidInput { message, .. } => Error::invalid(field, message),
                other => other,
            })?;
        }
        // MongoDB's own databases hold the deployment's users and sharding
        // settings, never a platform's data.
        const SYSTEM: [&str; 3] = ["admin", "config", "local"];
        for (field, name) in [
            ("other_databases.ai", &ai),
            ("other_databases.shared", &shared),
        ] {
            if SYSTEM.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                return Err(Error::invalid(field, "is one of MongoDB's own databases"));
            }
        }
        // Names that differ only in case clash on some servers.
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        if same(&ai, core) {
            return Err(Error::invalid(
                "other_databases.ai",
                "is the MozaiksCore database",
            ));
        }
        if same(&shared, core) || same(&shared, &ai) {
            return Err(Error::invalid(
                "other_databases.shared",
                "must differ from the MozaiksCore and MozaiksAI databases",
            ));
        }
        Ok(OtherDatabases { ai, shared, ..self })
    }
}

impl Profile {
    pub fn database_name(&self) -> &str {
        self.database
            .as_deref()
            .unwrap_or_else(|| self.environment.default_database())
    }

    /// The name of one of the platform's three databases on this deployment.
    pub fn platform_database(&self, which: PlatformDatabase) -> &str {
        match which {
            PlatformDatabase::Core => self.database_name(),
            PlatformDatabase::Ai => &self.other_databases.ai,
            PlatformDatabase::Shared => &self.other_databases.shared,
        }
    }

    /// Production profiles always open read-only, whatever the saved flag says.
    pub fn opens_read_only(&self) -> bool {
        self.read_only || self.environment == Environment::Production
    }
}

/// What the profile form sends. `uri` may embed credentials; they are split
/// off here and never stored with the profile.
#[derive(Debug, Clone, Deserialize, Type)]
pub struct ProfileInput {
    pub name: String,
    pub uri: String,
    pub username: Option<String>,
    /// A new password; `None` keeps the stored one when editing.
    pub password: Option<Sensitive<String>>,
    /// Keep the password in the OS keychain; otherwise ask at each connect.
    pub remember_password: bool,
    pub database: Option<String>,
    pub environment: Environment,
    pub read_only: bool,
    pub color: String,
    pub timeout_ms: u32,
    #[serde(default)]
    pub audit_to_database: bool,
    #[serde(default)]
    pub analytics_from_secondaries: bool,
    #[serde(default)]
    pub ssh: Option<SshTunnel>,
    /// A new SSH password or key passphrase; `None` keeps the stored one.
    #[serde(default)]
    pub ssh_secret: Option<Sensitive<String>>,
    #[serde(default)]
    pub tls: Option<TlsSettings>,
    /// A new password for the TLS client key; `None` keeps the stored one.
    #[serde(default)]
    pub tls_key_password: Option<Sensitive<String>>,
    /// `None`: what the URI says, else primary.
    #[serde(default)]
    pub read_preference: Option<ReadPreferenceChoice>,
    /// `None`: the platform's default names, read-only.
    #[serde(default)]
    pub other_databases: Option<OtherDatabases>,
}

/// A validated input: the profile to store plus the password to put in the keychain.
#[derive(Debug)]
pub struct ValidatedProfile {
    pub profile: Profile,
    /// Secrets the form gave, each for a slot the profile keeps.
    pub new_secrets: Vec<(SecretSlot, Sensitive<String>)>,
}

impl ValidatedProfile {
    pub fn new_secret(&self, slot: SecretSlot) -> Option<&Sensitive<String>> {
        self.new_secrets
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, secret)| secret)
    }
}

/// What a pasted connection string sets that saving moves into the TLS and
/// read-preference sections, said for the form before it is saved: shown,
/// never copied into fields where the string would still win. Credentials
/// stay where they were typed: they never come back.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct UriSections {
    /// One line per setting, in the sections' words.
    pub said: Vec<String>,
}

impl UriSections {
    pub fn of(uri: &str) -> Result<UriSections> {
        let split = uri::split_credentials(uri)?;
        let (rest, tls) = uri::take_options(&split.uri, &TlsSettings::URI_OPTIONS)?;
        let (_, reads) = uri::take_options(&rest, &ReadPreferenceChoice::URI_OPTIONS)?;
        let mut said = Vec::new();
        if let Some(tls) = TlsSettings::from_uri_options(&tls)? {
            said.push("TLS on".to_string());
            if let Some(ca) = tls.ca_file {
                said.push(format!("CA file {ca}"));
            }
            if let Some(cert) = tls.cert_key_file {
                said.push(format!("client certificate and key {cert}"));
            }
            if tls.allow_invalid_certificates {
                said.push("invalid certificates allowed".to_string());
            }
            if tls.allow_invalid_hostnames {
                said.push("invalid host names allowed".to_string());
            }
        }
        if let Some(reads) = ReadPreferenceChoice::from_uri_options(&reads)? {
            said.push(format!("browsing reads from {}", reads.label()));
        }
        Ok(UriSections { said })
    }
}

impl ProfileInput {
    pub fn validate(self, id: String) -> Result<ValidatedProfile> {
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(Error::invalid("name", "must be 1 to 80 characters"));
        }
        let split = uri::split_credentials(&self.uri)?;
        // A pasted URI's TLS and read-preference options move to their
        // sections: one place says what the profile does.
        let (rest, tls_options) = uri::take_options(&split.uri, &TlsSettings::URI_OPTIONS)?;
        let (rest, read_options) = uri::take_options(&rest, &ReadPreferenceChoice::URI_OPTIONS)?;
        let tls = TlsSettings::merge(self.tls, TlsSettings::from_uri_options(&tls_options)?)?
            .map(TlsSettings::validate)
            .transpose()?;
        let read_preference = match (
            self.read_preference,
            ReadPreferenceChoice::from_uri_options(&read_options)?,
        ) {
            (Some(form), Some(uri)) if form != uri && form != ReadPreferenceChoice::default() => {
                return Err(Error::invalid(
                    "read_preference",
                    "the connection string's read preference differs from the section",
                ))
            }
            (form, uri) => uri.or(form).unwrap_or_default().validate()?,
        };
        let ssh = self.ssh.map(SshTunnel::validate).transpose()?;
        let username = non_empty(self.username).or(split.username);
        let new_password = self.password.filter(|p| !p.is_empty()).or(split.password);
        let database = non_empty(self.database);
        if let Some(db) = &database {
            validate_database_name(db)?;
        }
        let core = database
            .as_deref()
            .unwrap_or_else(|| self.environment.default_database());
        let other_databases = self.other_databases.unwrap_or_default().validate(core)?;
        if !is_hex_color(&self.color) {
            return Err(Error::invalid("color", "must look like #1e90ff"));
        }
        if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&self.timeout_ms) {
            return Err(Error::invalid(
                "timeout_ms",
                format!("must be between {MIN_TIMEOUT_MS} and {MAX_TIMEOUT_MS}"),
            ));
        }
        let password = match (&username, self.remember_password) {
            (None, _) => PasswordMode::None,
            // X.509, Kerberos, OIDC: the user name is the whole credential.
            (Some(_), _)
                if new_password.is_none() && !uri::mechanism_takes_password(&split.uri) =>
            {
                PasswordMode::None
            }
            (Some(_), true) => PasswordMode::Keychain,
            (Some(_), false) => PasswordMode::Ask,
        };
        // The user name may come from the form rather than the URI.
        uri::check_with_credentials(&rest, username.is_some(), password != PasswordMode::None)?;
        let mut new_secrets = Vec::new();
        if let Some(p) = new_password.filter(|_| password != PasswordMode::None) {
            new_secrets.push((SecretSlot::Database, p));
        }
        if let Some(s) = self
            .ssh_secret
            .filter(|s| !s.is_empty() && ssh.as_ref().is_some_and(|t| t.auth.takes_secret()))
        {
            new_secrets.push((SecretSlot::Ssh, s));
        }
        if let Some(s) = self
            .tls_key_password
            .filter(|s| !s.is_empty() && tls.as_ref().is_some_and(|t| t.key_password))
        {
            new_secrets.push((SecretSlot::TlsKey, s));
        }
        Ok(ValidatedProfile {
            profile: Profile {
                id,
                name,
                uri: rest,
                username,
                password,
                database,
                environment: self.environment,
                read_only: self.read_only,
                color: self.color.to_ascii_lowercase(),
                timeout_ms: self.timeout_ms,
                audit_to_database: self.audit_to_database,
                analytics_from_secondaries: self.analytics_from_secondaries,
                ssh,
                tls,
                read_preference,
                other_databases,
            },
            new_secrets,
        })
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// MongoDB's own rules for database names on all platforms.
pub fn validate_database_name(name: &str) -> Result<()> {
    const FORBIDDEN: &[char] = &['/', '\\', '.', ' ', '"', '$', '*', '<', '>', ':', '|', '?'];
    if name.is_empty() || name.len() > 63 || name.contains(FORBIDDEN) || name.contains('\0') {
        return Err(Error::invalid(
            "database",
            "must be 1 to 63 bytes without / \\ . space \" $ * < > : | ?",
        ));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn input(uri: &str) -> ProfileInput {
        ProfileInput {
            name: "Local".into(),
            uri: uri.into(),
            username: None,
            password: None,
            remember_password: true,
            database: None,
            environment: Environment::Development,
            read_only: false,
            color: "#1E90FF".into(),
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

    #[test]
    fn credentials_in_the_uri_move_to_the_password_slot() {
        let v = input("mongodb://ann:s3cret@db:27017/?authSource=admin")
            .validate("p1".into())
            .unwrap();
        assert_eq!(v.profile.uri, "mongodb://db:27017/?authSource=admin");
        assert_eq!(v.profile.username.as_deref(), Some("ann"));
        assert_eq!(v.profile.password, PasswordMode::Keychain);
        assert_eq!(
            v.new_secret(SecretSlot::Database).unwrap().expose(),
            "s3cret"
        );
        assert_eq!(v.profile.color, "#1e90ff");
    }

    #[test]
    fn database_follows_the_environment_unless_overridden() {
        let mut i = input(DEFAULT_URI);
        i.environment = Environment::Production;
        let p = i.clone().validate("a".into()).unwrap().profile;
        assert_eq!(p.database_name(), "client");
        assert!(p.opens_read_only());
        i.database = Some("Other".into());
        assert_eq!(
            i.validate("a".into()).unwrap().profile.database_name(),
            "Other"
        );
        assert_eq!(
            Environment::from_env_value(Some("development")).default_database(),
            "MozaiksCore"
        );
        assert_eq!(
            Environment::from_env_value(Some("PRODUCTION")),
            Environment::Production
        );
    }

    #[test]
    fn bad_fields_get_typed_errors() {
        type Mutation = fn(&mut ProfileInput);
        let cases: [(Mutation, &str); 5] = [
            (|i| i.name = " ".into(), "name"),
            (|i| i.color = "blue".into(), "color"),
            (|i| i.timeout_ms = 10, "timeout_ms"),
            (|i| i.database = Some("a.b".into()), "database"),
            (|i| i.uri = "postgres://x".into(), ""),
        ];
        for (mutate, field) in cases {
            let mut i = input(DEFAULT_URI);
            mutate(&mut i);
            match i.validate("x".into()).unwrap_err() {
                Error::InvalidInput { field: f, .. } => assert_eq!(f, field),
                Error::InvalidUri { .. } => assert_eq!(field, ""),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    /// Editing a saved SCRAM profile: its URI holds no user, the form does.
    #[test]
    fn a_saved_profile_whose_mechanism_needs_a_user_validates_again() {
        let mut i = input("mongodb://ann:pw@h/?authMechanism=SCRAM-SHA-256");
        let saved = i.clone().validate("x".into()).unwrap().profile;
        i.uri = saved.uri.clone();
        i.username = saved.username.clone();
        let again = i.validate("x".into()).unwrap();
        assert_eq!(again.profile, saved);
        assert!(again.new_secrets.is_empty(), "the stored one is kept");
    }

    #[test]
    fn a_pasted_uri_fills_the_tls_and_read_preference_sections() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, crate::profiles::files::tests::certificate_and_key().0).unwrap();
        let v = input(&format!(
            "mongodb://ann:pw@h1,h2/?replicaSet=rs0&tls=true&tlsCAFile={}\
             &readPreference=secondary&maxStalenessSeconds=120&tlsAllowInvalidHostnames=true",
            ca.display()
        ))
        .validate("x".into())
        .unwrap();
        assert_eq!(v.profile.uri, "mongodb://h1,h2/?replicaSet=rs0");
        let tls = v.profile.tls.unwrap();
        assert_eq!(tls.ca_file.as_deref(), ca.to_str());
        assert!(tls.allow_invalid_hostnames && !tls.allow_invalid_certificates);
        assert_eq!(v.profile.read_preference.label(), "secondary (≤ 120 s)");
        let err = input("mongodb://h/?tls=true&tlsCAFile=/no/such/ca.pem")
            .validate("x".into())
            .unwrap_err();
        assert!(
            err.to_string().starts_with("tls.ca_file: /no/such/ca.pem"),
            "{err}"
        );
    }

    #[test]
    fn a_pasted_uri_describes_its_sections_without_its_credentials() {
        let sections = UriSections::of(
            "mongodb://ann:pw@h1,h2/?replicaSet=rs0&tls=true&tlsCAFile=/etc/ca.pem\
             &tlsInsecure=true&readPreference=nearest&readPreferenceTags=dc:east",
        )
        .unwrap();
        assert_eq!(
            sections.said,
            [
                "TLS on",
                "CA file /etc/ca.pem",
                "invalid certificates allowed",
                "invalid host names allowed",
                "browsing reads from nearest (dc: east)"
            ]
        );
        assert!(UriSections::of("mongodb://h").unwrap().said.is_empty());
        assert_eq!(
            UriSections::of("ssh://bastion").unwrap_err().code(),
            "invalid_uri"
        );
    }

    #[test]
    fn an_ssh_address_is_refused_as_such() {
        let err = input("ssh://ann@bastion:22")
            .validate("x".into())
            .unwrap_err();
        assert!(
            err.to_string().contains("not a MongoDB connection string"),
            "{err}"
        );
    }

    #[test]
    fn not_remembering_means_ask_each_time() {
        let mut i = input("mongodb://u:p@h");
        i.remember_password = false;
        let v = i.validate("x".into()).unwrap();
        assert_eq!(v.profile.password, PasswordMode::Ask);
    }
}
