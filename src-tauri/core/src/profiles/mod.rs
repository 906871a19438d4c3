//! Connection profiles: what a user saves to reach a database, where it is
//! stored, how its URI is split from its credentials, and the keychain.

pub mod files;
pub mod profile;
pub mod query_history;
pub mod read_preference;
pub mod secrets;
pub mod ssh;
pub mod store;
pub mod tls;
pub mod uri;
