//! Connection profiles: what a user saves to reach a database, where it is
//! stored, how its URI is split from its credentials, and the keychain.

pub mod profile;
pub mod secrets;
pub mod store;
pub mod uri;
