//! The one error type that crosses every boundary: core services return it and
//! the Tauri shell sends it over IPC as `{ "type": <stable code>, "data": {..} }`.
//! The UI branches on `type` only; `data.message` is for people, never matched.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, specta::Type)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
#[serde(rename = "AppError")]
pub enum Error {
    #[error("invalid connection string: {message}")]
    InvalidUri { message: String },
    #[error("host {host} could not be resolved: {message}")]
    HostUnresolvable { host: String, message: String },
    #[error("no server answered within {timeout_ms} ms: {message}")]
    ServerSelectionTimeout { timeout_ms: u32, message: String },
    #[error("authentication failed: {message}")]
    AuthenticationFailed { message: String },
    #[error("TLS handshake failed: {message}")]
    TlsFailed { message: String },
    #[error("SSH login to {user}@{host} failed: {message}")]
    SshAuthFailed {
        host: String,
        user: String,
        message: String,
    },
    /// Nothing is sent until the user confirms this fingerprint.
    #[error(
        "{host}:{port} offers an unknown {key_type} host key {fingerprint}; confirm it to connect"
    )]
    SshHostKeyUnknown {
        host: String,
        port: u16,
        key_type: String,
        fingerprint: String,
    },
    /// Same key type, another key (the fingerprints tell them apart).
    #[error("{host}:{port} offers host key {fingerprint}, not the known {known_fingerprint}: refused, nothing was sent")]
    SshHostKeyChanged {
        host: String,
        port: u16,
        known_fingerprint: String,
        fingerprint: String,
    },
    #[error("the SSH bastion {host}:{port} cannot be reached: {message}")]
    SshUnreachable {
        host: String,
        port: u16,
        message: String,
    },
    #[error("the SSH bastion refused to forward to {target}: {message}")]
    SshForwardRefused { target: String, message: String },
    #[error("not connected to a database")]
    NotConnected,
    #[error("the connection is read-only; writes are refused")]
    ReadOnly,
    #[error("confirmation required: type {expected:?} to continue")]
    ConfirmationRequired { expected: String },
    #[error("no profile with id {id}")]
    ProfileNotFound { id: String },
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("{value:?} is not a valid id (24 hexadecimal digits)")]
    InvalidId { value: String },
    #[error("the value changed since it was loaded; nothing was overwritten")]
    Conflict { current: Option<String> },
    #[error("the last superadmin cannot lose the superadmin role")]
    LastSuperadmin,
    #[error("a password is required for this profile")]
    PasswordRequired,
    #[error("the OS keychain is unavailable ({cause}); choose to be asked for the password at each connect instead")]
    SecretStoreUnavailable { cause: String },
    #[error("the OS keychain refused the operation: {message}")]
    SecretStoreFailed { message: String },
    #[error("local storage failed: {message}")]
    Storage { message: String },
    #[error("the server does not support {feature}: {message}")]
    Unsupported { feature: String, message: String },
    /// The server stopped answering mid-session; the driver reconnects.
    #[error("{message}")]
    ConnectionLost {
        timeout_ms: u32,
        message: String,
        /// A write was sent and no answer came: the server may have applied it.
        outcome_unknown: bool,
        /// The driver's own text, for the details toggle.
        details: String,
    },
    /// The server stopped an operation at its `maxTimeMS`.
    #[error("{message}")]
    TimeLimit { message: String },
    /// A query asked the server to run code or write (`$where`, `$out`, …).
    #[error("{operator} is refused in the {part}: the query bar only reads")]
    OperatorRefused { part: String, operator: String },
    /// Never done here, whatever is confirmed (seeding production).
    #[error("{reason}")]
    Refused { reason: String },
    #[error("{message}")]
    Database { message: String, details: String },
    /// A bulk operation stopped part-way: what it applied before it stopped
    /// stands, nothing after it was tried.
    #[error("{message}")]
    PartlyApplied {
        message: String,
        matched: f64,
        modified: f64,
        /// The user whose documents were being changed when it stopped.
        stopped_at_user: String,
        /// The code of the error that stopped it.
        cause: String,
    },
    /// A unique index was asked for over values several documents hold.
    #[error("{collection} {keys}: {} values are held by more than one document", values.len())]
    DuplicateValues {
        collection: String,
        keys: String,
        /// Each value, with how many documents hold it.
        values: Vec<String>,
    },
}

impl Error {
    /// The stable code the UI receives as `type`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidUri { .. } => "invalid_uri",
            Error::HostUnresolvable { .. } => "host_unresolvable",
            Error::ServerSelectionTimeout { .. } => "server_selection_timeout",
            Error::AuthenticationFailed { .. } => "authentication_failed",
            Error::TlsFailed { .. } => "tls_failed",
            Error::SshAuthFailed { .. } => "ssh_auth_failed",
            Error::SshHostKeyUnknown { .. } => "ssh_host_key_unknown",
            Error::SshHostKeyChanged { .. } => "ssh_host_key_changed",
            Error::SshUnreachable { .. } => "ssh_unreachable",
            Error::SshForwardRefused { .. } => "ssh_forward_refused",
            Error::NotConnected => "not_connected",
            Error::ReadOnly => "read_only",
            Error::ConfirmationRequired { .. } => "confirmation_required",
            Error::ProfileNotFound { .. } => "profile_not_found",
            Error::InvalidInput { .. } => "invalid_input",
            Error::NotFound { .. } => "not_found",
            Error::InvalidId { .. } => "invalid_id",
            Error::Conflict { .. } => "conflict",
            Error::LastSuperadmin => "last_superadmin",
            Error::PasswordRequired => "password_required",
            Error::SecretStoreUnavailable { .. } => "secret_store_unavailable",
            Error::SecretStoreFailed { .. } => "secret_store_failed",
            Error::Storage { .. } => "storage",
            Error::Unsupported { .. } => "unsupported",
            Error::ConnectionLost { .. } => "connection_lost",
            Error::TimeLimit { .. } => "time_limit",
            Error::Refused { .. } => "refused",
            Error::OperatorRefused { .. } => "operator_refused",
            Error::Database { .. } => "database",
            Error::DuplicateValues { .. } => "duplicate_values",
            Error::PartlyApplied { .. } => "partly_applied",
        }
    }

    /// Whether a write that failed with this error may still have changed
    /// something: it was sent and no answer came, or the server failed it
    /// part-way (an update or delete of many documents is not atomic). Only
    /// a refusal before anything was sent says nothing was applied.
    pub fn write_may_have_applied(&self) -> bool {
        match self {
            Error::ConnectionLost {
                outcome_unknown, ..
            } => *outcome_unknown,
            Error::ServerSelectionTimeout { .. }
            | Error::HostUnresolvable { .. }
            | Error::AuthenticationFailed { .. }
            | Error::TlsFailed { .. }
            | Error::SshAuthFailed { .. }
            | Error::SshHostKeyUnknown { .. }
            | Error::SshHostKeyChanged { .. }
            | Error::SshUnreachable { .. }
            | Error::SshForwardRefused { .. }
            | Error::NotConnected
            | Error::ReadOnly
            | Error::InvalidInput { .. }
            | Error::OperatorRefused { .. }
            | Error::InvalidId { .. } => false,
            _ => true,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn storage(err: impl std::fmt::Display) -> Self {
        Error::Storage {
            message: err.to_string(),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::storage(format!("JSON: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_tagged_enum_with_stable_code() {
        let err = Error::ServerSelectionTimeout {
            timeout_ms: 3000,
            message: "x".into(),
        };
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["type"], err.code());
        assert_eq!(json["data"]["timeout_ms"], 3000);
        assert_eq!(
            serde_json::to_value(Error::ReadOnly).unwrap(),
            serde_json::json!({"type": "read_only"})
        );
    }
}
