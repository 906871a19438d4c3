//! mozaiks-core: everything mozaiks-admin does, without a window. The Tauri
//! app in `src-tauri` only adapts these services to IPC commands.

pub mod audit;
pub mod command_check;
pub mod connection;
pub mod cross_user;
pub mod dates;
pub mod error;
pub mod gdpr;
pub mod profile;
pub mod profile_store;
pub mod scope;
pub mod secrets;
pub mod seed;
pub mod sensitive;
pub mod settings;
pub mod uri;
pub mod user360;
pub mod users;
pub mod workspace;

pub use error::{Error, Result};
pub use sensitive::Sensitive;

/// Where the app appends its audit trail when a profile asks for it.
pub const AUDIT_COLLECTION: &str = "admin_audit_log";
