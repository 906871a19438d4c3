//! Checks a command as the driver is about to send it: does a command on a
//! per-user collection carry `user_id` in its filter (or first `$match`)?
//! Cross-user commands must be reads tagged by the admin API. The integration
//! suite runs every command through this (the scoped-layer proof) and the app
//! logs any violation it sees at run time.

use mongodb::bson::{oid::ObjectId, Bson, Document};
use mongodb::event::{command::CommandEvent, EventHandler};
use serde::{Deserialize, Serialize};

use crate::db::scope::ADOPT_OP;
use crate::db::tags::{
    CROSS_USER_COMMENT, FORBIDDEN_STAGES, METADATA_COMMANDS, OTHER_DATABASE_COMMENT,
    SCOPED_COMMENT, SEED_COMMENT,
};
use crate::schema::is_per_user;

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
    if !is_per_user(collection) {
        return Verdict::NotPerUser;
    }
    let comment = command.get_str("comment").unwrap_or("");
    if METADATA_COMMANDS.contains(&command_name) || comment.starts_with(OTHER_DATABASE_COMMENT) {
        return Verdict::NotPerUser;
    }
    if command_name == "aggregate" {
        if let Some(stage) = forbidden_stage(command) {
            return Verdict::Violation {
                reason: format!("{stage} in a pipeline on {collection}"),
            };
        }
    }
    if command_name == "update" && comment.strip_prefix(SCOPED_COMMENT) == Some(ADOPT_OP) {
        return adopt_verdict(collection, command);
    }
    let tagged_op = |prefix: &str| comment.strip_prefix(prefix).map(str::to_string);
    let filters: Vec<Option<&Document>> = match command_name {
        "find" => vec![command.get_document("filter").ok()],
        "count" | "distinct" | "findAndModify" => vec![command.get_document("query").ok()],
        "aggregate" => vec![first_match(command)],
        "update" => statements(command, "updates", "q"),
        "delete" => statements(command, "deletes", "q"),
        "insert" | "drop" if comment == SEED_COMMENT => return Verdict::Seed,
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
        other => {
            return Verdict::Violation {
                reason: format!("{other} on {collection} is not a command the app may send"),
            }
        }
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

/// One user's id: its hex string, its ObjectId, or `$in` of those two forms.
fn has_user_id(filter: Option<&Document>) -> bool {
    fn hex(b: &Bson) -> Option<String> {
        match b {
            Bson::String(s) if !s.is_empty() => Some(s.clone()),
            Bson::ObjectId(id) => Some(id.to_hex()),
            _ => None,
        }
    }
    match filter.and_then(|f| f.get("user_id")) {
        Some(Bson::Document(d)) if d.len() == 1 => match d.get_array("$in") {
            Ok(forms) if !forms.is_empty() && forms.len() <= 2 => {
                let ids: Option<Vec<String>> = forms.iter().map(hex).collect();
                ids.is_some_and(|ids| ids.iter().all(|i| *i == ids[0]))
            }
            _ => false,
        },
        Some(other) => hex(other).is_some(),
        None => false,
    }
}

/// A repair's adoption: each statement lists `_id`s and only sets
/// `user_id` to one user's hex id.
fn adopt_verdict(collection: &str, command: &Document) -> Verdict {
    let statements = command
        .get_array("updates")
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let shaped = |s: &Bson| {
        let Bson::Document(s) = s else { return false };
        let listed = s.get_document("q").is_ok_and(|q| {
            q.get_document("_id")
                .is_ok_and(|id| id.get_array("$in").is_ok())
                && matches!(
                    q.get("user_id"),
                    Some(Bson::Null | Bson::ObjectId(_) | Bson::String(_))
                )
        });
        let sets_owner = s.get_document("u").is_ok_and(|u| {
            u.len() == 1
                && u.get_document("$set").is_ok_and(|set| {
                    set.len() == 1
                        && set
                            .get_str("user_id")
                            .is_ok_and(|id| ObjectId::parse_str(id).is_ok_and(|o| o.to_hex() == id))
                })
        });
        listed && sets_owner
    };
    if !statements.is_empty() && statements.iter().all(shaped) {
        Verdict::Scoped {
            op: ADOPT_OP.into(),
        }
    } else {
        Verdict::Violation {
            reason: format!(
                "an adoption on {collection} that does more than give listed documents an owner"
            ),
        }
    }
}

fn forbidden_stage(command: &Document) -> Option<String> {
    let stages = command.get_array("pipeline").ok()?;
    stages.iter().find_map(|s| match s {
        Bson::Document(d) => d
            .keys()
            .find(|k| FORBIDDEN_STAGES.contains(&k.as_str()))
            .cloned(),
        _ => None,
    })
}

/// A driver command monitor for the app's own connections: any command
/// that fails the check is logged as an error (its reason, never its body).
pub fn runtime_monitor() -> EventHandler<CommandEvent> {
    EventHandler::callback(|event: CommandEvent| {
        if let CommandEvent::Started(e) = event {
            if let Verdict::Violation { reason } = check(&e.command_name, &e.command) {
                log::error!("scoped-layer violation: {reason}");
            }
        }
    })
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
        let oid = mongodb::bson::oid::ObjectId::parse_str(UID).unwrap();
        let both = doc! { "delete": "notes_notes", "deletes": [{ "q": { "user_id": { "$in": [UID, oid] } } }] };
        assert!(matches!(check("delete", &both), Verdict::Scoped { .. }));
    }

    #[test]
    fn an_adoption_only_gives_listed_documents_an_owner() {
        let adopt = |q: Document, u: Document| {
            let command = doc! { "update": "crm_contacts", "updates": [{ "q": q, "u": u, "multi": true }], "comment": "mozaiks-admin/scoped/adopt" };
            check("update", &command)
        };
        let listed = || doc! { "_id": { "$in": [1, 2] }, "user_id": null };
        assert_eq!(
            adopt(listed(), doc! { "$set": { "user_id": UID } }),
            Verdict::Scoped { op: "adopt".into() }
        );
        for (q, u) in [
            (
                doc! { "user_id": null },
                doc! { "$set": { "user_id": UID } },
            ),
            (listed(), doc! { "$set": { "user_id": UID, "role": "x" } }),
            (listed(), doc! { "$set": { "user_id": UID.to_uppercase() } }),
            (listed(), doc! { "$unset": { "user_id": "" } }),
            (
                listed(),
                doc! { "$set": { "user_id": UID }, "$inc": { "n": 1 } },
            ),
        ] {
            assert!(
                matches!(adopt(q.clone(), u.clone()), Verdict::Violation { .. }),
                "{q} {u}"
            );
        }
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
            ("drop", doc! { "drop": "notifications" }),
            (
                "mapReduce",
                doc! { "mapReduce": "notes_notes", "map": "", "reduce": "" },
            ),
            (
                "aggregate",
                doc! { "aggregate": "settings", "pipeline": [{ "$match": { "user_id": UID } }, { "$lookup": { "from": "settings" } }] },
            ),
            (
                "aggregate",
                doc! { "aggregate": "settings", "pipeline": [{ "$match": { "user_id": UID } }, { "$out": "x" }] },
            ),
            (
                "find",
                doc! { "find": "notifications", "filter": { "user_id": { "$in": [UID, "65f0c0ffee0000000000dead"] } } },
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
        assert_eq!(
            check("collStats", &doc! { "collStats": "notes_notes" }),
            Verdict::NotPerUser
        );
        // The index fix drops indexes on per-user collections: no documents.
        assert_eq!(
            check(
                "dropIndexes",
                &doc! { "dropIndexes": "crm_contacts", "index": "email_1" }
            ),
            Verdict::NotPerUser
        );
    }
}
