//! IPC commands, one module per domain. Each is a thin adapter: argument
//! plumbing over a `mozaiks_core` service, errors passed through unchanged.

pub mod audit;
pub mod browse;
pub mod connection;
pub mod dashboard;
pub mod documents;
pub mod exports;
pub mod gdpr;
pub mod indexes;
pub mod notifications;
pub mod plugins;
pub mod profiles;
pub mod repairs;
pub mod seed;
pub mod settings;
pub mod users;
