//! Dates cross IPC as RFC 3339 UTC strings; MongoDB holds BSON dates (the
//! seed) or, in older MozaiksCore data, ISO strings, with or without a zone
//! (`2026-01-01T00:00:00`, as Python writes them, is UTC). All read the same.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use mongodb::bson::{doc, Bson, DateTime as BsonDate, Document};

use crate::{Error, Result};

pub fn to_iso(value: Option<&Bson>) -> Option<String> {
    match value? {
        Bson::DateTime(d) => Some(format(d.to_chrono())),
        // A string that is a date reads as one; anything else is shown as stored.
        Bson::String(s) if !s.is_empty() => Some(read(s).map_or_else(|| s.clone(), format)),
        _ => None,
    }
}

pub fn to_iso_instant(d: DateTime<Utc>) -> String {
    format(d)
}

fn format(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn read(value: &str) -> Option<DateTime<Utc>> {
    let v = value.trim();
    DateTime::parse_from_rfc3339(v)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        })
}

pub fn parse(field: &str, value: &str) -> Result<DateTime<Utc>> {
    read(value).ok_or_else(|| Error::invalid(field, "must be a date like 2026-01-31T00:00:00Z"))
}

pub fn parse_bson(field: &str, value: &str) -> Result<BsonDate> {
    parse(field, value).map(BsonDate::from_chrono)
}

/// `field` within the bounds whether stored as a BSON date (the seed) or
/// as an ISO-8601 UTC string (the seed guide's documents, older data).
pub fn range_filter(field: &str, bounds: &[(&str, DateTime<Utc>)]) -> Document {
    let (as_date, as_text) = range_parts(field, bounds);
    doc! { "$or": [ as_date, as_text ] }
}

/// The two halves of [`range_filter`]: the field as a date, and as text.
pub fn range_parts(field: &str, bounds: &[(&str, DateTime<Utc>)]) -> (Document, Document) {
    let mut as_date = Document::new();
    let mut as_text = doc! { "$type": "string" };
    for (op, at) in bounds {
        as_date.insert(*op, BsonDate::from_chrono(*at));
        as_text.insert(*op, bound_text(op, *at));
    }
    (doc! { field: as_date }, doc! { field: as_text })
}

/// The instant as text that bounds ISO strings with `op`. Text sorts
/// "…:00" < "…:00+05:00" < "…:00.123" < "…:00Z": the naive form bounds from
/// below, the `Z` form from above, so every way of writing the instant
/// falls on the right side (offsets approximately).
pub fn bound_text(op: &str, at: DateTime<Utc>) -> String {
    match op {
        "$gte" | "$lt" => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        _ => at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A naive ISO string (no zone) used to come back as stored, and then
    /// failed validation when the edit form sent it back.
    #[test]
    fn naive_iso_strings_read_as_utc_and_round_trip() {
        let shown = to_iso(Some(&Bson::String("2026-01-01T00:00:00".into()))).unwrap();
        assert_eq!(shown, "2026-01-01T00:00:00Z");
        assert!(parse("expires_at", &shown).is_ok());
        assert!(parse("expires_at", "2026-01-01T00:00:00").is_ok());
        assert!(parse("expires_at", "2026-01-01T00:00:00.123").is_ok());
        assert!(parse("expires_at", "2026-01-01").is_ok());
        assert_eq!(parse("x", "next year").unwrap_err().code(), "invalid_input");
        assert_eq!(to_iso(Some(&Bson::String("soon".into()))).unwrap(), "soon");
    }
}
