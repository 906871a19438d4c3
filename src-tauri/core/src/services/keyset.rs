//! Range (keyset) paging: the next page starts after the last row of the
//! previous one, so a deep page costs what the first one does (no `skip`).
//! The cursor is opaque to the UI: the last row's sort value and `_id`.
//!
//! A sort field may hold values of several BSON types (a date in new data,
//! an ISO string in old), and MongoDB orders mixed types by type first
//! (null < numbers < strings < … < dates), while `$lt`/`$gt` only compare
//! within one type. So "after" is: the same type and beyond the value, or
//! the same value and beyond the `_id`, or any type beyond this one.

use mongodb::bson::{doc, oid::ObjectId, Bson, Document};

use crate::{Error, Result};

/// MongoDB's comparison order of types, as `$type` aliases per rank.
const TYPE_RANKS: [&[&str]; 12] = [
    &["null"],
    &["double", "int", "long", "decimal"],
    &["string"],
    &["object"],
    &["array"],
    &["binData"],
    &["objectId"],
    &["bool"],
    &["date"],
    &["timestamp"],
    &["regex"],
    &["maxKey"],
];

fn rank(value: &Bson) -> usize {
    match value {
        Bson::Null | Bson::Undefined => 0,
        Bson::Double(_) | Bson::Int32(_) | Bson::Int64(_) | Bson::Decimal128(_) => 1,
        Bson::String(_) | Bson::Symbol(_) => 2,
        Bson::Document(_) => 3,
        Bson::Array(_) => 4,
        Bson::Binary(_) => 5,
        Bson::ObjectId(_) => 6,
        Bson::Boolean(_) => 7,
        Bson::DateTime(_) => 8,
        Bson::Timestamp(_) => 9,
        Bson::RegularExpression(_) => 10,
        _ => 11,
    }
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    /// The last row's sort value (`Null` when it had none); unused for `_id` sorts.
    pub value: Bson,
    pub id: ObjectId,
}

impl Cursor {
    pub fn after(row: &Document, field: Option<&str>) -> Option<Cursor> {
        Some(Cursor {
            value: field.map_or(Bson::Null, |f| row.get(f).cloned().unwrap_or(Bson::Null)),
            id: row.get_object_id("_id").ok()?,
        })
    }

    pub fn encode(&self) -> String {
        Bson::Document(doc! { "v": self.value.clone(), "id": self.id })
            .into_canonical_extjson()
            .to_string()
    }

    /// A cursor is input like any other: it must be what `encode` wrote.
    pub fn decode(text: &str) -> Result<Cursor> {
        let bad = || Error::invalid("after", "is not a cursor this app wrote");
        if text.len() > 512 {
            return Err(bad());
        }
        let json: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
        let Ok(Bson::Document(d)) = Bson::try_from(json) else {
            return Err(bad());
        };
        let value = d.get("v").cloned().ok_or_else(bad)?;
        if matches!(
            value,
            Bson::Document(_)
                | Bson::Array(_)
                | Bson::RegularExpression(_)
                | Bson::JavaScriptCode(_)
                | Bson::JavaScriptCodeWithScope(_)
        ) || d.len() != 2
        {
            return Err(bad());
        }
        Ok(Cursor {
            value,
            id: d.get_object_id("id").map_err(|_| bad())?,
        })
    }
}

/// The filter for rows after `cursor` in the order `{field: dir, _id: dir}`
/// (or `{_id: dir}` when `field` is `None`).
pub fn after(field: Option<&str>, descending: bool, cursor: &Cursor) -> Document {
    let beyond = if descending { "$lt" } else { "$gt" };
    let Some(field) = field else {
        return doc! { "_id": { beyond: cursor.id } };
    };
    let r = rank(&cursor.value);
    let mut or = Vec::new();
    if r != 0 {
        or.push(doc! { field: { beyond: cursor.value.clone() } });
    }
    or.push(doc! { field: cursor.value.clone(), "_id": { beyond: cursor.id } });
    let other_ranks: Vec<usize> = if descending {
        (0..r).collect()
    } else {
        (r + 1..TYPE_RANKS.len()).collect()
    };
    if other_ranks.contains(&0) {
        // null and missing, which sort together
        or.push(doc! { field: Bson::Null });
    }
    let types: Vec<&str> = other_ranks
        .iter()
        .filter(|r| **r != 0)
        .flat_map(|r| TYPE_RANKS[*r].iter().copied())
        .collect();
    if !types.is_empty() {
        or.push(doc! { field: { "$type": types } });
    }
    doc! { "$or": or }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::DateTime;

    fn id() -> ObjectId {
        ObjectId::parse_str("65f0c0ffee0000000000beef").unwrap()
    }

    #[test]
    fn id_sorts_page_on_the_id_alone() {
        let c = Cursor {
            value: Bson::Null,
            id: id(),
        };
        assert_eq!(after(None, true, &c), doc! { "_id": { "$lt": id() } });
        assert_eq!(after(None, false, &c), doc! { "_id": { "$gt": id() } });
    }

    #[test]
    fn a_date_cursor_descending_continues_into_strings_and_nulls() {
        let at = DateTime::from_millis(1_700_000_000_000);
        let c = Cursor {
            value: Bson::DateTime(at),
            id: id(),
        };
        let f = after(Some("created_at"), true, &c);
        let or = f.get_array("$or").unwrap();
        assert_eq!(or[0], Bson::Document(doc! { "created_at": { "$lt": at } }));
        assert_eq!(
            or[1],
            Bson::Document(doc! { "created_at": at, "_id": { "$lt": id() } })
        );
        assert_eq!(or[2], Bson::Document(doc! { "created_at": Bson::Null }));
        let types = or[3]
            .as_document()
            .unwrap()
            .get_document("created_at")
            .unwrap()
            .get_array("$type")
            .unwrap();
        assert!(types.contains(&Bson::from("string")) && !types.contains(&Bson::from("date")));
    }

    #[test]
    fn a_null_cursor_ascending_continues_into_every_other_type() {
        let c = Cursor {
            value: Bson::Null,
            id: id(),
        };
        let f = after(Some("last_login"), false, &c);
        let or = f.get_array("$or").unwrap();
        assert_eq!(or.len(), 2, "no $gt on null, then every other type");
        assert_eq!(
            or[0],
            Bson::Document(doc! { "last_login": Bson::Null, "_id": { "$gt": id() } })
        );
    }

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        let c = Cursor {
            value: Bson::String("b@x.io".into()),
            id: id(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        for bad in [
            "",
            "{}",
            r#"{"v":{"$gt":""},"id":{"$oid":"65f0c0ffee0000000000beef"}}"#,
            r#"{"v":1,"id":"65f0c0ffee0000000000beef"}"#,
            r#"{"v":1,"id":{"$oid":"65f0c0ffee0000000000beef"},"x":1}"#,
            &"x".repeat(600),
        ] {
            assert_eq!(
                Cursor::decode(bad).unwrap_err().code(),
                "invalid_input",
                "{bad}"
            );
        }
    }
}
