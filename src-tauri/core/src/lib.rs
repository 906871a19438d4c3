//! mozaiks-core: everything mozaiks-admin does, without a window. The Tauri
//! app in `src-tauri` only adapts these services to IPC commands.
//!
//! `db` holds the raw database handle and the typed ways in; `schema` says
//! what the platform's database is; `profiles` holds connection profiles;
//! `services` has one module per capability.

pub mod csv;
pub mod dates;
pub mod db;
pub mod error;
pub mod profiles;
pub mod redact;
pub mod save_path;
pub mod schema;
pub mod sensitive;
pub mod services;
pub mod ssh;
pub mod workspace;

pub use error::{Error, Result};
pub use sensitive::Sensitive;
