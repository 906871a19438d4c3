//! Checks a command as the driver is about to send it: does a command on a
//! per-user collection carry `user_id` in its filter (or first `$match`)?
//! Cross-user commands must be reads tagged by the admin API. The integration
//! suite runs every command through this (the scoped-layer proof) and the app
//! logs any violation it sees at run time.

use mongodb::bson::{Bson, Document};
use serde::{Deserialize, Serialize};

use crate::scope::{PerUserCollection, SCOPED_COMMENT};

/// Comment on the admin API's deliberate cross-user reads.
pub const CROSS_USER_COMMENT: &str = "mozaiks-admin/cross-user/";
/// Comment on demo-data writes (they insert for many users at once).
pub const SEED_COMMENT: &str = "mozaiks-admin/seed";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Not a command on a per-user collection's documents.
    NotPerUser,
    /// Filtered by `user_id`; `op` is the scoped layer's tag, or the command name.
    Scoped {
        op: String,
    },
    /// A read across users, explicitly asked for through the admin API.
    CrossUserRead {
        op: String,
    },
    /// Demo data written by the seed.
    Seed,
    Violation {
        reason: String,
    },
}

pub fn check(command_name: &str, command: &Document) -> Verdict {
    let Ok(collection) = command.get_str(command_name) else {
        return Verdict::NotPerUser; // database-level command
    };
    if PerUserCollection::parse(collection).is_err() {
        return Verdict::NotPerUser;
    }
    let comment = command.get_str("comment").unwrap_or("");
    let tagged_op = |prefix: &str| comment.strip_prefix(prefix).map(str::to_string);
    let filters: Vec<Option<&Document>> = match command_name {
        "find" => vec![command.get_document("filter").ok()],
        "count" | "distinct" | "findAndModify" => vec![command.get_document("query").ok()],
        "aggregate" => vec![first_match(command)],
        "update" => statements(command, "updates", "q"),
        "delete" => statements(command, "deletes", "q"),
        "insert" if comment == SEED_COMMENT => return Verdict::Seed,
        "insert" => {
            let documents = command
                .get_array("documents")
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let all_owned = documents
                .iter()
                .all(|d| matches!(d, Bson::Document(d) if has_user_id(Some(d))));
            return if all_owned && !documents.is_empty() {
                Verdict::Scoped {
                    op: "insert".into(),
                }
            } else {
                Verdict::Violation {
                    reason: format!("insert into {collection} without user_id"),
                }
            };
        }
        // Metadata and cursor plumbing: no documents selected.
        _ => return Verdict::NotPerUser,
    };
    if !filters.is_empty() && filters.iter().all(|f| has_user_id(*f)) {
        return Verdict::Scoped {
            op: tagged_op(SCOPED_COMMENT).unwrap_or_else(|| command_name.to_string()),
        };
    }
    match tagged_op(CROSS_USER_COMMENT) {
        Some(op) if is_read(command_name, command) => Verdict::CrossUserRead { op },
        Some(_) => Verdict::Violation {
            reason: format!("cross-user {command_name} on {collection} is not a read"),
        },
        None => Verdict::Violation {
            reason: format!("{command_name} on {collection} without user_id"),
        },
    }
}

fn has_user_id(filter: Option<&Document>) -> bool {
    match filter.and_then(|f| f.get("user_id")) {
        Some(Bson::String(s)) => !s.is_empty(),
        Some(Bson::ObjectId(_)) => true,
        _ => false,
    }
}

fn first_match(command: &Document) -> Option<&Document> {
    match command.get_array("pipeline").ok()?.first()? {
        Bson::Document(stage) => stage.get_document("$match").ok(),
        _ => None,
    }
}

fn statements<'a>(command: &'a Document, list: &str, key: &str) -> Vec<Option<&'a Document>> {
    command
        .get_array(list)
        .map(|items| {
            items
                .iter()
                .map(|s| match s {
                    Bson::Document(s) => s.get_document(key).ok(),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn is_read(command_name: &str, command: &Document) -> bool {
    match command_name {
        "find" | "count" | "distinct" => true,
        "aggregate" => command.get_array("pipeline").is_ok_and(|stages| {
            !stages.iter().any(|s| {
                matches!(s, Bson::Document(d) if d.contains_key("$out") || d.contains_key("$merge"))
            })
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    const UID: &str = "65f0c0ffee0000000000beef";

    #[test]
    fn scoped_commands_pass_with_their_tag() {
        let find = doc! { "find": "notifications", "filter": { "user_id": UID }, "comment": "mozaiks-admin/scoped/find" };
        assert_eq!(check("find", &find), Verdict::Scoped { op: "find".into() });
        let agg = doc! { "aggregate": "task_manager_tasks", "pipeline": [{ "$match": { "user_id": UID } }, { "$group": { "_id": 1 } }] };
        assert_eq!(
            check("aggregate", &agg),
            Verdict::Scoped {
                op: "aggregate".into()
            }
        );
        let upd = doc! { "update": "settings", "updates": [{ "q": { "user_id": UID }, "u": {} }] };
        assert!(matches!(check("update", &upd), Verdict::Scoped { .. }));
    }

    #[test]
    fn unscoped_commands_are_violations() {
        let cases = [
            ("find", doc! { "find": "notifications", "filter": {} }),
            (
                "find",
                doc! { "find": "notes_notes", "filter": { "user_id": { "$ne": null } } },
            ),
            (
                "delete",
                doc! { "delete": "settings", "deletes": [{ "q": { "_id": 1 } }] },
            ),
            (
                "update",
                doc! { "update": "settings", "updates": [{ "q": { "user_id": UID } }, { "q": {} }] },
            ),
            (
                "aggregate",
                doc! { "aggregate": "notifications", "pipeline": [{ "$group": { "_id": "$user_id" } }] },
            ),
            (
                "insert",
                doc! { "insert": "notes_notes", "documents": [{ "title": "x" }] },
            ),
            // A cross-user tag does not make a write acceptable.
            (
                "delete",
                doc! { "delete": "notifications", "deletes": [{ "q": {} }], "comment": "mozaiks-admin/cross-user/x" },
            ),
        ];
        for (name, command) in cases {
            assert!(
                matches!(check(name, &command), Verdict::Violation { .. }),
                "{command}"
            );
        }
    }

    #[test]
    fn tagged_cross_user_reads_and_other_collections_pass() {
        let feed = doc! { "find": "notifications", "filter": {}, "comment": "mozaiks-admin/cross-user/feed" };
        assert_eq!(
            check("find", &feed),
            Verdict::CrossUserRead { op: "feed".into() }
        );
        assert_eq!(
            check("find", &doc! { "find": "users", "filter": {} }),
            Verdict::NotPerUser
        );
        assert_eq!(
            check("listIndexes", &doc! { "listIndexes": "notifications" }),
            Verdict::NotPerUser
        );
    }
}
