//! Dates cross IPC as RFC 3339 strings; MongoDB holds BSON dates (the seed)
//! or, in older MozaiksCore data, ISO strings. Both read the same.

use chrono::{DateTime, SecondsFormat, Utc};
use mongodb::bson::{Bson, DateTime as BsonDate};

use crate::{Error, Result};

pub fn to_iso(value: Option<&Bson>) -> Option<String> {
    match value? {
        Bson::DateTime(d) => Some(d.to_chrono().to_rfc3339_opts(SecondsFormat::Secs, true)),
        Bson::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

pub fn parse(field: &str, value: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| Error::invalid(field, "must be an RFC 3339 date like 2026-01-31T00:00:00Z"))
}

pub fn parse_bson(field: &str, value: &str) -> Result<BsonDate> {
    parse(field, value).map(BsonDate::from_chrono)
}
