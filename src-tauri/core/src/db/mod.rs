//! The only place that holds the raw database handle. Services reach the
//! database through the typed handles here: the user-scoped layer, the
//! `users` handle, the cross-user read API and the demo-data writer; writes
//! through a [`write::WriteContext`].

pub mod audit;
pub mod browser;
pub mod classify;
pub mod command_check;
pub mod connection;
pub mod cross_user;
mod cursor;
pub mod demo_data;
pub mod document_edit;
pub mod documents;
pub mod explain;
pub mod indexes;
pub mod query;
pub mod scope;
pub mod tags;
pub mod users;
pub mod write;
