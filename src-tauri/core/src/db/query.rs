//! An ad-hoc query as the query bar sends it, one Extended JSON text per
//! part, checked before any of it reaches the server. Each part must be a
//! document; no part may run code or write (`$where`, `$function`,
//! `$accumulator`, `$out`, `$merge`); a sort is 1 or -1 per field; pages are
//! capped; and a filter or sort may not name a secret field (a filter on
//! `password_hash` answers questions about the hash without showing it).
//! Errors name the part they come from, so the UI shows them under it.

use mongodb::bson::{doc, Bson, Document};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::redact::is_secret_key;
use crate::schema::MAX_PAGE;
use crate::{Error, Result};

/// Deeper pages need a narrower filter (`_id` below the last one seen):
/// a skip reads and throws away every document before the page.
pub const MAX_SKIP: u32 = 10_000;
/// Longest text accepted for one part of a query.
pub const MAX_QUERY_PART_BYTES: u32 = 64 * 1024;
/// Operators that run code on the server or write elsewhere.
pub const REFUSED_OPERATORS: [&str; 5] = ["$where", "$function", "$accumulator", "$out", "$merge"];

/// What the query bar sends: each part as Extended JSON (canonical or
/// relaxed; the UI turns shell syntax into canonical), empty for none.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Type)]
pub struct QueryInput {
    pub filter: String,
    pub projection: String,
    pub sort: String,
    pub limit: u32,
    pub skip: u32,
}

/// A checked query. Only [`Query::parse`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    filter: Document,
    projection: Option<Document>,
    sort: Document,
    limit: u32,
    skip: u32,
}

impl Query {
    pub fn parse(input: &QueryInput) -> Result<Query> {
        let filter = part("filter", &input.filter)?;
        refuse_code("filter", &filter)?;
        check_top_level(&filter)?;
        refuse_secrets("filter", &filter, true)?;
        refuse_whole_document_reads("filter", &filter)?;
        let projection = part("projection", &input.projection)?;
        refuse_code("projection", &projection)?;
        check_projection(&projection)?;
        let sort = part("sort", &input.sort)?;
        check_sort(&sort)?;
        refuse_secrets("sort", &sort, true)?;
        if input.limit == 0 {
            return Err(Error::invalid("limit", "must be at least 1"));
        }
        if input.skip > MAX_SKIP {
            return Err(Error::invalid(
                "skip",
                format!(
                    "at most {MAX_SKIP}: for deeper pages, narrow the filter (for example _id below the last one seen)"
                ),
            ));
        }
        Ok(Query {
            filter,
            projection: (!projection.is_empty()).then_some(projection),
            // Newest first: the `_id` index serves it on any collection.
            sort: if sort.is_empty() {
                doc! { "_id": -1 }
            } else {
                sort
            },
            limit: input.limit.min(MAX_PAGE),
            skip: input.skip,
        })
    }

    pub fn filter(&self) -> &Document {
        &self.filter
    }

    pub fn projection(&self) -> Option<&Document> {
        self.projection.as_ref()
    }

    pub fn sort(&self) -> &Document {
        &self.sort
    }

    /// At most [`MAX_PAGE`], whatever was asked.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn skip(&self) -> u32 {
        self.skip
    }

    /// The projection with `field` (and anything under it) never fetched:
    /// dropped from an inclusion, added to an exclusion.
    pub fn without_field(mut self, field: &str) -> Query {
        let under = format!("{field}.");
        let Some(projection) = self.projection.as_mut() else {
            self.projection = Some(doc! { field: 0 });
            return self;
        };
        let truthy = |v: &Bson| match v {
            Bson::Int32(n) => *n != 0,
            Bson::Int64(n) => *n != 0,
            Bson::Double(d) => *d != 0.0,
            Bson::Boolean(b) => *b,
            // `$elemMatch` includes; `$slice` alone leaves every other field.
            Bson::Document(d) => d.contains_key("$elemMatch"),
            _ => false,
        };
        // An inclusion names fields to show (`_id` alone counts); anything
        // else excludes.
        let only_id = projection.len() == 1 && projection.get("_id").is_some_and(truthy);
        let inclusion = only_id || projection.iter().any(|(k, v)| k != "_id" && truthy(v));
        let dropped: Vec<String> = projection
            .keys()
            .filter(|k| *k == field || k.starts_with(&under))
            .cloned()
            .collect();
        for k in dropped {
            projection.remove(&k);
        }
        if inclusion {
            if projection.keys().all(|k| k == "_id") {
                // Only the field itself was asked for: the ids, no more.
                projection.insert("_id", 1);
            }
        } else {
            // `_id` is shown anyway, and servers refuse it named in an exclusion.
            if projection.get("_id").is_some_and(truthy) {
                projection.remove("_id");
            }
            projection.insert(field, 0);
        }
        self
    }
}

fn part(name: &str, text: &str) -> Result<Document> {
    if text.len() > MAX_QUERY_PART_BYTES as usize {
        return Err(Error::invalid(
            name,
            format!("longer than {} KiB", MAX_QUERY_PART_BYTES / 1024),
        ));
    }
    if text.trim().is_empty() {
        return Ok(Document::new());
    }
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid(name, format!("not Extended JSON: {e}")))?;
    match Bson::try_from(json) {
        Ok(Bson::Document(d)) => Ok(d),
        Ok(other) => Err(Error::invalid(
            name,
            format!("must be a document, not {:?}", other.element_type()),
        )),
        Err(e) => Err(Error::invalid(name, format!("not Extended JSON: {e}"))),
    }
}

/// The first refused operator anywhere in `value`, at any depth.
fn refused_operator(value: &Bson) -> Option<&'static str> {
    match value {
        Bson::Document(d) => d.iter().find_map(|(k, v)| {
            REFUSED_OPERATORS
                .iter()
                .find(|op| *op == k)
                .copied()
                .or_else(|| refused_operator(v))
        }),
        Bson::Array(items) => items.iter().find_map(refused_operator),
        _ => None,
    }
}

fn refuse_code(name: &str, part: &Document) -> Result<()> {
    match refused_operator(&Bson::Document(part.clone())) {
        Some(operator) => Err(Error::OperatorRefused {
            part: name.into(),
            operator: operator.into(),
        }),
        None => Ok(()),
    }
}

/// A secret field named by a key (`a.password_hash`) or, in an expression,
/// by a field path (`"$password_hash"`); keys are checked only where they
/// are field names (filters and sorts), not projections, whose output is
/// redacted anyway.
fn secret_named(value: &Bson, keys_are_fields: bool) -> Option<String> {
    let secret_path = |path: &str| path.split('.').any(is_secret_key);
    match value {
        Bson::Document(d) => d.iter().find_map(|(k, v)| {
            if keys_are_fields && !k.starts_with('$') && secret_path(k) {
                return Some(k.clone());
            }
            secret_named(v, keys_are_fields)
        }),
        Bson::Array(items) => items.iter().find_map(|v| secret_named(v, keys_are_fields)),
        Bson::String(s) if s.starts_with('$') && !s.starts_with("$$") => {
            secret_path(&s[1..]).then(|| s[1..].to_string())
        }
        _ => None,
    }
}

fn refuse_secrets(name: &str, part: &Document, keys_are_fields: bool) -> Result<()> {
    match secret_named(&Bson::Document(part.clone()), keys_are_fields) {
        Some(field) => Err(Error::invalid(
            name,
            format!("{field} holds a secret: it cannot be queried, sorted on or computed with"),
        )),
        None => Ok(()),
    }
}

/// Operators a filter may have where field names stand.
const TOP_LEVEL_OPERATORS: [&str; 6] = ["$and", "$or", "$nor", "$expr", "$text", "$comment"];

/// A filter's own level names fields or one of [`TOP_LEVEL_OPERATORS`];
/// `$and`, `$or` and `$nor` hold a non-empty list of such filters.
fn check_top_level(filter: &Document) -> Result<()> {
    for (key, value) in filter {
        if !key.starts_with('$') {
            continue;
        }
        if !TOP_LEVEL_OPERATORS.contains(&key.as_str()) {
            return Err(Error::invalid(
                "filter",
                format!("{key} is not a query operator at this level (field names or $and, $or, $nor, $expr, $text)"),
            ));
        }
        if matches!(key.as_str(), "$and" | "$or" | "$nor") {
            let clauses = match value {
                Bson::Array(items) if !items.is_empty() => items,
                _ => {
                    return Err(Error::invalid(
                        "filter",
                        format!("{key} takes a non-empty list of filters"),
                    ))
                }
            };
            for clause in clauses {
                match clause {
                    Bson::Document(d) => check_top_level(d)?,
                    _ => {
                        return Err(Error::invalid(
                            "filter",
                            format!("{key} takes a list of filters"),
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}

/// Expression operators that read a document by computed field names or
/// whole: a filter with them could test a secret field's value (an oracle
/// on `password_hash`) without naming it.
const WHOLE_DOCUMENT_OPERATORS: [&str; 8] = [
    "$getField",
    "$setField",
    "$unsetField",
    "$objectToArray",
    "$arrayToObject",
    "$zip",
    "$let",
    "$mergeObjects",
];

/// Inside `$expr`: no system variable (`$$ROOT`, `$$CURRENT`, …) and none
/// of [`WHOLE_DOCUMENT_OPERATORS`].
fn refuse_whole_document_reads(part: &str, filter: &Document) -> Result<()> {
    fn walk(value: &Bson, in_expr: bool) -> Option<String> {
        match value {
            Bson::Document(d) => d.iter().find_map(|(k, v)| {
                if in_expr && WHOLE_DOCUMENT_OPERATORS.contains(&k.as_str()) {
                    return Some(k.clone());
                }
                walk(v, in_expr || k == "$expr")
            }),
            Bson::Array(items) => items.iter().find_map(|v| walk(v, in_expr)),
            Bson::String(s) if in_expr && s.starts_with("$$") => Some(s.clone()),
            _ => None,
        }
    }
    match walk(&Bson::Document(filter.clone()), false) {
        Some(what) => Err(Error::invalid(
            part,
            format!("{what} reads the whole document: name the fields the expression compares"),
        )),
        None => Ok(()),
    }
}

/// A projection includes or excludes fields (`1`, `0`, `true`, `false`),
/// or takes part of an array (`$slice`, `$elemMatch`): it computes
/// nothing, so it cannot copy a secret field under another name.
fn check_projection(projection: &Document) -> Result<()> {
    let int = |b: &Bson| matches!(b, Bson::Int32(_) | Bson::Int64(_));
    for (field, value) in projection {
        let plain = matches!(
            value,
            Bson::Int32(0 | 1) | Bson::Int64(0 | 1) | Bson::Boolean(_)
        ) || matches!(value, Bson::Double(d) if *d == 0.0 || *d == 1.0);
        let array_part = match value {
            Bson::Document(d) if d.len() == 1 => {
                match (d.get("$slice"), d.get_document("$elemMatch")) {
                    // A count, or [skip, count]: anything else is an expression.
                    (Some(n), _) if int(n) => true,
                    (Some(Bson::Array(pair)), _) => pair.len() == 2 && pair.iter().all(int),
                    (None, Ok(condition)) => {
                        // A condition on the array's elements: checked as a filter is.
                        refuse_secrets("projection", condition, true)?;
                        refuse_whole_document_reads("projection", condition)?;
                        true
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        if !plain && !array_part {
            return Err(Error::invalid(
                "projection",
                format!("{field}: a projection includes (1) or excludes (0) fields, or takes $slice: n or [skip, n] or $elemMatch of an array"),
            ));
        }
    }
    refuse_secrets("projection", projection, false)
}

fn check_sort(sort: &Document) -> Result<()> {
    for (field, direction) in sort {
        let ok = match direction {
            Bson::Int32(n) => *n == 1 || *n == -1,
            Bson::Int64(n) => *n == 1 || *n == -1,
            Bson::Double(n) => *n == 1.0 || *n == -1.0,
            Bson::Document(d) => d.get_str("$meta").is_ok() && d.len() == 1,
            _ => false,
        };
        if !ok {
            return Err(Error::invalid(
                "sort",
                format!("{field}: a direction is 1 or -1"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(filter: &str) -> QueryInput {
        QueryInput {
            filter: filter.into(),
            limit: 20,
            ..Default::default()
        }
    }

    fn field(e: Error) -> String {
        match e {
            Error::InvalidInput { field, .. } => field,
            Error::OperatorRefused { part, .. } => format!("refused {part}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn canonical_extended_json_keeps_every_type() {
        let q = Query::parse(&input(
            r#"{"_id": {"$oid": "65a1b2c3d4e5f60718293a4b"}, "n": {"$numberLong": "5"}, "d": {"$numberDouble": "1.0"}, "at": {"$gt": {"$date": {"$numberLong": "-1000"}}}}"#,
        ))
        .unwrap();
        let f = q.filter();
        assert!(matches!(f.get("_id"), Some(Bson::ObjectId(_))));
        assert_eq!(f.get("n"), Some(&Bson::Int64(5)));
        assert_eq!(f.get("d"), Some(&Bson::Double(1.0)));
        assert!(matches!(
            f.get_document("at").unwrap().get("$gt"),
            Some(Bson::DateTime(_))
        ));
        assert_eq!(q.sort(), &doc! { "_id": -1 }, "newest first by default");
    }

    #[test]
    fn each_part_names_itself_when_it_is_wrong() {
        let bad = |i: QueryInput| field(Query::parse(&i).unwrap_err());
        assert_eq!(bad(input("{a:1}")), "filter");
        assert_eq!(bad(input("[1]")), "filter");
        assert_eq!(bad(input(r#"{"n": {"$numberLong": 5}}"#)), "filter");
        assert_eq!(bad(input(r#"{"$gt": ""}"#)), "filter");
        assert_eq!(
            bad(input(r#"{"$or": [{"a": 1}, {"$set": {"b": 1}}]}"#)),
            "filter"
        );
        assert_eq!(bad(input(r#"{"$and": []}"#)), "filter");
        assert_eq!(bad(input(r#"{"$nor": [1]}"#)), "filter");
        Query::parse(&input(
            r#"{"$and": [{"a": 1}, {"$expr": {"$eq": ["$a", 1]}}], "$comment": "x"}"#,
        ))
        .unwrap();
        assert_eq!(
            bad(QueryInput {
                projection: "1".into(),
                ..input("")
            }),
            "projection"
        );
        assert_eq!(
            bad(QueryInput {
                sort: r#"{"a": 2}"#.into(),
                ..input("")
            }),
            "sort"
        );
        assert_eq!(
            bad(QueryInput {
                sort: r#"{"a": "asc"}"#.into(),
                ..input("")
            }),
            "sort"
        );
        assert_eq!(
            bad(QueryInput {
                limit: 0,
                ..input("")
            }),
            "limit"
        );
        assert_eq!(
            bad(QueryInput {
                skip: MAX_SKIP + 1,
                ..input("")
            }),
            "skip"
        );
        let long = format!(
            r#"{{"a": "{}"}}"#,
            "x".repeat(MAX_QUERY_PART_BYTES as usize)
        );
        assert_eq!(bad(input(&long)), "filter");
        let q = Query::parse(&QueryInput {
            limit: 5000,
            ..input("")
        })
        .unwrap();
        assert_eq!(q.limit(), MAX_PAGE);
    }

    #[test]
    fn code_and_writes_are_refused_at_any_depth() {
        let refused = |i: QueryInput| field(Query::parse(&i).unwrap_err());
        for filter in [
            r#"{"$where": "sleep(1000)"}"#,
            r#"{"a": 1, "$or": [{"b": 1}, {"$where": "1"}]}"#,
            r#"{"$expr": {"$function": {"body": "x", "args": [], "lang": "js"}}}"#,
            r#"{"$expr": {"$eq": [{"$accumulator": {}}, 1]}}"#,
        ] {
            assert_eq!(refused(input(filter)), "refused filter", "{filter}");
        }
        let projection = QueryInput {
            projection: r#"{"x": {"$function": {}}}"#.into(),
            ..input("")
        };
        assert_eq!(refused(projection), "refused projection");
        // A string that merely says "$where" is data.
        Query::parse(&input(r#"{"note": "$where"}"#)).unwrap();
    }

    #[test]
    fn secrets_cannot_be_filtered_or_sorted_on() {
        let bad = |i: QueryInput| field(Query::parse(&i).unwrap_err());
        assert_eq!(
            bad(input(r#"{"password_hash": {"$regex": "^\\$2b"}}"#)),
            "filter"
        );
        assert_eq!(
            bad(input(r#"{"auth.api_token": {"$exists": true}}"#)),
            "filter"
        );
        assert_eq!(
            bad(input(r#"{"$expr": {"$gt": ["$password_hash", "a"]}}"#)),
            "filter"
        );
        assert_eq!(
            bad(QueryInput {
                sort: r#"{"password_hash": 1}"#.into(),
                ..input("")
            }),
            "sort"
        );
        assert_eq!(
            bad(QueryInput {
                projection: r#"{"h": "$password_hash"}"#.into(),
                ..input("")
            }),
            "projection"
        );
        // Facts about a secret stay queryable.
        Query::parse(&input(
            r#"{"password_set": true, "token_count": {"$gt": 1}}"#,
        ))
        .unwrap();
    }

    #[test]
    fn a_field_is_never_fetched_whatever_the_projection() {
        let with = |p: &str| {
            Query::parse(&QueryInput {
                projection: p.into(),
                ..input("")
            })
            .unwrap()
            .without_field("password_hash")
            .projection()
            .cloned()
        };
        assert_eq!(with(""), Some(doc! { "password_hash": 0 }));
        assert_eq!(with(r#"{"email": 1}"#), Some(doc! { "email": 1 }));
        for (asked, sent) in [
            (r#"{"email": 1, "password_hash": 1}"#, doc! { "email": 1 }),
            // Only the hash asked for: the ids, no more.
            (r#"{"password_hash": 1}"#, doc! { "_id": 1 }),
            (r#"{"_id": 0, "password_hash.x": true}"#, doc! { "_id": 1 }),
            (r#"{"_id": 1, "password_hash": 1}"#, doc! { "_id": 1 }),
            (r#"{"_id": 1}"#, doc! { "_id": 1 }),
            (r#"{"bio": 0}"#, doc! { "bio": 0, "password_hash": 0 }),
            (r#"{"_id": 0}"#, doc! { "_id": 0, "password_hash": 0 }),
            // `$slice` alone shows every other field: the hash is excluded.
            (
                r#"{"roles": {"$slice": 2}}"#,
                doc! { "roles": { "$slice": 2 }, "password_hash": 0 },
            ),
            (
                r#"{"_id": 1, "roles": {"$slice": [0, 2]}}"#,
                doc! { "roles": { "$slice": [0, 2] }, "password_hash": 0 },
            ),
            (
                r#"{"roles": {"$elemMatch": {"$eq": "admin"}}}"#,
                doc! { "roles": { "$elemMatch": { "$eq": "admin" } } },
            ),
        ] {
            assert_eq!(with(asked), Some(sent), "{asked}");
        }
    }
}
