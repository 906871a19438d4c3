//! One module per capability, each over the typed handles of `db`.

pub mod gdpr;
pub mod keyset;
pub mod overview;
pub mod seed;
pub mod settings;
pub mod user360;
pub mod users;
