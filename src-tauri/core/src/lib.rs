//! mozaiks-core: everything mozaiks-admin does, without a window. The Tauri
//! app in `src-tauri` only adapts these services to IPC commands.

pub mod connection;
pub mod error;
pub mod profile;
pub mod profile_store;
pub mod secrets;
pub mod seed;
pub mod sensitive;
pub mod uri;
pub mod workspace;

pub use error::{Error, Result};
pub use sensitive::Sensitive;

/// Where the app appends its audit trail when a profile asks for it.
pub const AUDIT_COLLECTION: &str = "admin_audit_log";
