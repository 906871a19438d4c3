//! IPC commands, one module per domain. Each is a thin adapter: argument
//! plumbing over a `mozaiks_core` service, errors passed through unchanged.

pub mod connection;
pub mod profiles;
pub mod seed;
