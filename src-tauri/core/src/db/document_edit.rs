//! What saving one edited document sends, worked out from the document as
//! the admin saw it and as they left it: only the top-level fields whose
//! stored bytes differ are set or unset, and the filter holds `_id` plus
//! each of those fields' original value and type, so a change someone else
//! made meanwhile matches nothing and comes back as a conflict instead of
//! being overwritten. Field names with a dot or a leading `$` cannot be
//! named in a filter or `$set`; they go through `$getField`/`$setField`
//! (MongoDB 5.0+) in an aggregation-pipeline update.

use mongodb::bson::{doc, Bson, Document};
use mongodb::options::UpdateModifications;

use crate::redact::{is_secret_key, redact_userinfo};
use crate::{Error, Result};

/// One save: the filter (without `_id`), the update, and what it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct EditPlan {
    pub filter: Document,
    pub update: Update,
    /// Top-level fields set or removed, in the edited document's order
    /// (removed ones last).
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// `$set`/`$unset` of plain field names.
    Operators(Document),
    /// `$replaceWith` stages of `$setField`/`$unsetField`, for odd names.
    Pipeline(Vec<Document>),
}

impl From<Update> for UpdateModifications {
    fn from(u: Update) -> Self {
        match u {
            Update::Operators(d) => UpdateModifications::Document(d),
            Update::Pipeline(p) => UpdateModifications::Pipeline(p),
        }
    }
}

/// A value's stored bytes: `Bson`'s `==` calls `-0.0` and `0.0` equal and
/// NaN unequal to itself; a save must tell exactly.
fn bytes(value: &Bson) -> Vec<u8> {
    mongodb::bson::to_vec(&doc! { "v": value.clone() }).unwrap_or_default()
}

pub fn same_bytes(a: &Bson, b: &Bson) -> bool {
    bytes(a) == bytes(b)
}

/// A name `$set` and a filter can use as it stands.
fn plain(name: &str) -> bool {
    !name.is_empty() && !name.contains('.') && !name.starts_with('$')
}

/// The `$type` alias of a value, as a filter names it.
fn type_alias(value: &Bson) -> &'static str {
    match value {
        Bson::Double(_) => "double",
        Bson::String(_) => "string",
        Bson::Document(_) => "object",
        Bson::Array(_) => "array",
        Bson::Binary(_) => "binData",
        Bson::Undefined => "undefined",
        Bson::ObjectId(_) => "objectId",
        Bson::Boolean(_) => "bool",
        Bson::DateTime(_) => "date",
        Bson::Null => "null",
        Bson::RegularExpression(_) => "regex",
        Bson::DbPointer(_) => "dbPointer",
        Bson::JavaScriptCode(_) => "javascript",
        Bson::Symbol(_) => "symbol",
        Bson::JavaScriptCodeWithScope(_) => "javascriptWithScope",
        Bson::Int32(_) => "int",
        Bson::Timestamp(_) => "timestamp",
        Bson::Int64(_) => "long",
        Bson::Decimal128(_) => "decimal",
        Bson::MinKey => "minKey",
        Bson::MaxKey => "maxKey",
    }
}

/// The secret key held anywhere in a value (its value was redacted on the
/// way to the UI, so saving the field would store the placeholder).
fn secret_inside(value: &Bson) -> Option<String> {
    match value {
        Bson::String(text) if redact_userinfo(text).is_some() => {
            Some("a URL with credentials".to_string())
        }
        Bson::Document(d) => d.iter().find_map(|(k, v)| {
            if is_secret_key(k) {
                Some(k.clone())
            } else {
                secret_inside(v)
            }
        }),
        Bson::Array(items) => items.iter().find_map(secret_inside),
        _ => None,
    }
}

/// The filter condition that a plain field still holds `before`: its value
/// and type, and, since `$eq` and `$type` also match array elements, that
/// it is still an array exactly when it was one. An array is compared whole
/// in an expression (a query's `$eq` would also match an array holding it
/// as an element). `undefined` can only be matched by type.
fn still_holds(key: &str, before: &Bson, exprs: &mut Vec<Bson>) -> Document {
    match before {
        Bson::Undefined => doc! { "$type": "undefined" },
        Bson::Array(_) => {
            exprs.push(Bson::Document(
                doc! { "$eq": [format!("${key}"), { "$literal": before.clone() }] },
            ));
            doc! { "$type": "array" }
        }
        other => {
            doc! { "$eq": other.clone(), "$type": type_alias(other), "$not": { "$type": "array" } }
        }
    }
}

/// Most numbers inside one field whose type a filter pins, past which only
/// their values are compared (a filter of thousands of conditions would
/// cost more than the rare type-only change it guards against).
const MAX_PINNED_NUMBERS: usize = 64;

/// Pins the type of every number inside a subdocument or array field, by
/// its dotted path (an index for an array element): `$eq` on a whole value
/// calls 1, 1L and 1.0 equal, so a type-only change made meanwhile would
/// otherwise match and be overwritten. Paths through keys that cannot be
/// named (a dot, a leading `$`) are left to the value comparison; so is a
/// field holding more than [`MAX_PINNED_NUMBERS`] numbers.
fn pin_number_types(key: &str, before: &Bson, filter: &mut Document) {
    fn walk(path: String, value: &Bson, out: &mut Vec<(String, &'static str)>) {
        match value {
            Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => {
                out.push((path, type_alias(value)))
            }
            Bson::Document(d) => {
                for (k, v) in d.iter().filter(|(k, _)| plain(k)) {
                    walk(format!("{path}.{k}"), v, out);
                }
            }
            Bson::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(format!("{path}.{i}"), v, out);
                }
            }
            _ => {}
        }
    }
    if !matches!(before, Bson::Document(_) | Bson::Array(_)) {
        return; // a top-level number's type is in its own condition
    }
    let mut numbers = Vec::new();
    walk(key.to_string(), before, &mut numbers);
    if numbers.len() <= MAX_PINNED_NUMBERS {
        for (path, alias) in numbers {
            filter.insert(path, doc! { "$type": alias });
        }
    }
}

/// `{ $getField: { field: {$literal: name}, input: "$$ROOT" } }`
fn get_field(name: &str) -> Bson {
    Bson::Document(doc! { "$getField": { "field": { "$literal": name }, "input": "$$ROOT" } })
}

impl EditPlan {
    /// `None` when nothing changed: saving it unchanged writes nothing.
    pub fn between(original: &Document, edited: &Document) -> Result<Option<EditPlan>> {
        match (original.get("_id"), edited.get("_id")) {
            (Some(a), Some(b)) if same_bytes(a, b) => {}
            _ => {
                return Err(Error::invalid(
                    "document",
                    "_id cannot change: insert a new document instead",
                ))
            }
        }
        let mut set: Vec<(&str, &Bson)> = Vec::new();
        let mut unset: Vec<&str> = Vec::new();
        for (key, value) in edited {
            match original.get(key) {
                Some(before) if same_bytes(before, value) => {}
                _ => set.push((key, value)),
            }
        }
        for key in original.keys() {
            if !edited.contains_key(key) {
                unset.push(key);
            }
        }
        if set.is_empty() && unset.is_empty() {
            return Ok(None);
        }
        let changed: Vec<String> = set
            .iter()
            .map(|(k, _)| k.to_string())
            .chain(unset.iter().map(|k| k.to_string()))
            .collect();
        for key in &changed {
            let secret = is_secret_key(key)
                .then(|| key.clone())
                .or_else(|| original.get(key).and_then(secret_inside))
                .or_else(|| edited.get(key).and_then(secret_inside));
            if let Some(secret) = secret {
                return Err(Error::invalid(
                    "document",
                    format!("{secret} holds a secret, shown redacted: it is not edited here"),
                ));
            }
        }

        // The filter: each changed field as it was (value and type), or absent.
        let mut filter = Document::new();
        let mut odd_conditions: Vec<Bson> = Vec::new();
        for key in &changed {
            match (original.get(key), plain(key)) {
                (Some(before), true) => {
                    filter.insert(key.clone(), still_holds(key, before, &mut odd_conditions));
                    pin_number_types(key, before, &mut filter);
                }
                (None, true) => {
                    filter.insert(key.clone(), doc! { "$exists": false });
                }
                (Some(before), false) => odd_conditions.push(Bson::Document(doc! {
                    "$eq": [get_field(key), { "$literal": before.clone() }]
                })),
                (None, false) => odd_conditions.push(Bson::Document(doc! {
                    "$eq": [{ "$type": get_field(key) }, "missing"]
                })),
            }
        }
        if !odd_conditions.is_empty() {
            filter.insert("$expr", doc! { "$and": odd_conditions });
        }

        let update = if changed.iter().all(|k| plain(k)) {
            let mut operators = Document::new();
            if !set.is_empty() {
                let fields: Document = set
                    .iter()
                    .map(|(k, v)| (k.to_string(), (*v).clone()))
                    .collect();
                operators.insert("$set", fields);
            }
            if !unset.is_empty() {
                let fields: Document = unset
                    .iter()
                    .map(|k| (k.to_string(), Bson::String(String::new())))
                    .collect();
                operators.insert("$unset", fields);
            }
            Update::Operators(operators)
        } else {
            // One stage per field: `$setField` keeps the other fields' order
            // and puts a new field last, as `$set` does.
            let stages = set
                .iter()
                .map(|(k, v)| {
                    doc! { "$replaceWith": { "$setField": {
                        "field": { "$literal": *k }, "input": "$$ROOT", "value": { "$literal": (*v).clone() }
                    } } }
                })
                .chain(unset.iter().map(|k| {
                    doc! { "$replaceWith": { "$unsetField": { "field": { "$literal": *k }, "input": "$$ROOT" } } }
                }))
                .collect();
            Update::Pipeline(stages)
        };
        Ok(Some(EditPlan {
            filter,
            update,
            changed,
        }))
    }
}

/// The conditions a delete adds to `_id`: every top-level field the admin
/// saw, as they saw it (fields holding secrets were shown redacted and are
/// left out; odd names go through `$getField`), and no field besides them
/// (one added meanwhile was never seen).
pub fn unchanged_since_seen(seen: &Document) -> Document {
    let mut filter = Document::new();
    let mut odd: Vec<Bson> = vec![Bson::Document(doc! {
        "$eq": [{ "$size": { "$objectToArray": "$$ROOT" } }, seen.len() as i64]
    })];
    for (key, value) in seen {
        if key == "_id" || is_secret_key(key) || secret_inside(value).is_some() {
            continue;
        }
        if plain(key) {
            filter.insert(key.clone(), still_holds(key, value, &mut odd));
            pin_number_types(key, value, &mut filter);
        } else {
            odd.push(Bson::Document(
                doc! { "$eq": [get_field(key), { "$literal": value.clone() }] },
            ));
        }
    }
    filter.insert("$expr", doc! { "$and": odd });
    filter
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::oid::ObjectId;

    fn id() -> ObjectId {
        ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap()
    }

    #[test]
    fn an_unchanged_document_writes_nothing() {
        let d = doc! { "_id": id(), "n": f64::NAN, "z": -0.0, "a": [1, { "b": 2_i64 }] };
        assert_eq!(EditPlan::between(&d, &d.clone()).unwrap(), None);
        // Reordered fields are the same values: nothing to write.
        let reordered = doc! { "z": -0.0, "_id": id(), "a": [1, { "b": 2_i64 }], "n": f64::NAN };
        assert_eq!(EditPlan::between(&d, &reordered).unwrap(), None);
    }

    #[test]
    fn only_changed_fields_are_set_each_filtered_by_its_value_and_type() {
        let before = doc! { "_id": id(), "title": "a", "n": 1, "zero": 0.0, "gone": true };
        let after = doc! { "_id": id(), "title": "a", "n": 1_i64, "zero": -0.0, "new": "x" };
        let plan = EditPlan::between(&before, &after).unwrap().unwrap();
        assert_eq!(plan.changed, vec!["n", "zero", "new", "gone"]);
        assert_eq!(
            plan.filter,
            doc! {
                "n": { "$eq": 1, "$type": "int", "$not": { "$type": "array" } },
                "zero": { "$eq": 0.0, "$type": "double", "$not": { "$type": "array" } },
                "new": { "$exists": false },
                "gone": { "$eq": true, "$type": "bool", "$not": { "$type": "array" } },
            }
        );
        assert_eq!(
            plan.update,
            Update::Operators(doc! {
                "$set": { "n": 1_i64, "zero": -0.0, "new": "x" },
                "$unset": { "gone": "" },
            })
        );
    }

    #[test]
    fn arrays_undefined_and_credentials_in_urls_are_checked_exactly() {
        let before = doc! { "_id": id(), "tags": ["a", "b"], "u": Bson::Undefined, "x": 1 };
        let after = doc! { "_id": id(), "tags": ["a"], "u": 2, "x": 1 };
        let plan = EditPlan::between(&before, &after).unwrap().unwrap();
        assert_eq!(
            plan.filter,
            doc! {
                "tags": { "$type": "array" },
                "u": { "$type": "undefined" },
                "$expr": { "$and": [ { "$eq": ["$tags", { "$literal": ["a", "b"] }] } ] },
            }
        );
        // A field holding a URL with credentials was shown redacted: not edited, not a delete condition.
        let with_url = doc! { "_id": id(), "hook": "https://bob:pw@example.com/x", "n": 1 };
        let mut changed = with_url.clone();
        changed.insert("hook", "https://example.com/y");
        assert!(EditPlan::between(&with_url, &changed).is_err());
        assert!(!unchanged_since_seen(&with_url).contains_key("hook"));
    }

    #[test]
    fn odd_field_names_go_through_get_field_and_set_field() {
        let before = doc! { "_id": id(), "a.b": 1, "$price": 2, "plain": 3 };
        let after = doc! { "_id": id(), "a.b": 5, "plain": 3, "$new": "x" };
        let plan = EditPlan::between(&before, &after).unwrap().unwrap();
        assert_eq!(plan.changed, vec!["a.b", "$new", "$price"]);
        assert_eq!(
            plan.filter,
            doc! { "$expr": { "$and": [
                { "$eq": [ { "$getField": { "field": { "$literal": "a.b" }, "input": "$$ROOT" } }, { "$literal": 1 } ] },
                { "$eq": [ { "$type": { "$getField": { "field": { "$literal": "$new" }, "input": "$$ROOT" } } }, "missing" ] },
                { "$eq": [ { "$getField": { "field": { "$literal": "$price" }, "input": "$$ROOT" } }, { "$literal": 2 } ] },
            ] } }
        );
        let Update::Pipeline(stages) = plan.update else {
            panic!("a pipeline")
        };
        assert_eq!(
            stages,
            vec![
                doc! { "$replaceWith": { "$setField": { "field": { "$literal": "a.b" }, "input": "$$ROOT", "value": { "$literal": 5 } } } },
                doc! { "$replaceWith": { "$setField": { "field": { "$literal": "$new" }, "input": "$$ROOT", "value": { "$literal": "x" } } } },
                doc! { "$replaceWith": { "$unsetField": { "field": { "$literal": "$price" }, "input": "$$ROOT" } } },
            ]
        );
    }

    #[test]
    fn the_id_and_secrets_are_not_edited() {
        let before = doc! { "_id": id(), "api_token": "<redacted>", "auth": { "password": "<redacted>", "n": 1 }, "x": 1 };
        let err = |after: Document| match EditPlan::between(&before, &after).unwrap_err() {
            Error::InvalidInput { field, message } => format!("{field}: {message}"),
            other => panic!("{other:?}"),
        };
        let mut other_id = before.clone();
        other_id.insert("_id", ObjectId::new());
        assert!(err(other_id).starts_with("document: _id cannot change"));
        let mut no_id = before.clone();
        no_id.remove("_id");
        assert!(err(no_id).contains("_id"));
        let mut token = before.clone();
        token.insert("api_token", "mine");
        assert!(err(token).contains("api_token holds a secret"));
        let mut nested = before.clone();
        nested.insert("auth", doc! { "password": "<redacted>", "n": 2 });
        assert!(err(nested).contains("password holds a secret"));
        // Other fields of a document with secrets save as usual.
        let mut x = before.clone();
        x.insert("x", 2);
        assert_eq!(
            EditPlan::between(&before, &x).unwrap().unwrap().changed,
            vec!["x"]
        );
    }

    #[test]
    fn numbers_inside_a_changed_field_keep_their_types_in_the_filter() {
        let before = doc! {
            "_id": id(), "meta": { "n": 1, "x.y": 2.5, "deep": { "d": "7".parse::<mongodb::bson::Decimal128>().unwrap() } },
            "list": [1_i64, { "x": 2.0 }, "s"], "big": (0..65).collect::<Vec<i32>>(),
        };
        let mut after = before.clone();
        for key in ["meta", "list", "big"] {
            after.insert(key, "changed");
        }
        let plan = EditPlan::between(&before, &after).unwrap().unwrap();
        let pinned: Vec<(&str, &Bson)> = plan
            .filter
            .iter()
            .filter(|(k, _)| k.contains('.'))
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        assert_eq!(
            pinned,
            vec![
                ("meta.n", &Bson::Document(doc! { "$type": "int" })),
                ("meta.deep.d", &Bson::Document(doc! { "$type": "decimal" })),
                ("list.0", &Bson::Document(doc! { "$type": "long" })),
                ("list.1.x", &Bson::Document(doc! { "$type": "double" })),
            ],
            "a key with a dot is left to the value; 65 numbers are too many to pin"
        );
        let delete = unchanged_since_seen(&before);
        assert_eq!(
            delete.get("list.1.x"),
            Some(&Bson::Document(doc! { "$type": "double" }))
        );
    }

    #[test]
    fn a_delete_checks_what_was_seen_except_secrets_and_that_nothing_was_added() {
        let seen = doc! { "_id": id(), "a": 1_i64, "api_key": "<redacted>", "x.y": "z" };
        assert_eq!(
            unchanged_since_seen(&seen),
            doc! {
                "a": { "$eq": 1_i64, "$type": "long", "$not": { "$type": "array" } },
                "$expr": { "$and": [
                    { "$eq": [ { "$size": { "$objectToArray": "$$ROOT" } }, 4_i64 ] },
                    { "$eq": [ { "$getField": { "field": { "$literal": "x.y" }, "input": "$$ROOT" } }, { "$literal": "z" } ] },
                ] },
            }
        );
    }
}
