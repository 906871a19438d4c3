//! What the MozaiksCore database is, as data, in one place (the platform's
//! database guide): its collections, which of them hold per-user documents,
//! the roles, tiers and digest frequencies it knows, the limits it sets, and
//! the indexes it requires. The seed, the scoped layer, index health and the
//! UI (through constants in the bindings) read it from here.

use serde::{Deserialize, Serialize};
use specta::Type;

pub const USERS: &str = "users";
pub const SETTINGS: &str = "settings";
pub const NOTIFICATIONS: &str = "notifications";
/// Where the app appends its audit trail when a profile asks for it.
pub const AUDIT_COLLECTION: &str = "admin_audit_log";

/// The platform's own collections.
pub const CORE_COLLECTIONS: [&str; 3] = [USERS, SETTINGS, NOTIFICATIONS];
/// Core collections whose documents each belong to one user (`user_id`).
pub const PER_USER_CORE: [&str; 2] = [SETTINGS, NOTIFICATIONS];

/// The platform's two other databases on the same deployment (the guide's
/// architecture), by their default names; a profile may rename them.
pub const DEFAULT_AI_DATABASE: &str = "MozaiksAI";
pub const DEFAULT_SHARED_DATABASE: &str = "MozaiksDB";

/// Which of the platform's three databases a browsing command reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PlatformDatabase {
    /// MozaiksCore (`client` in production): users, settings, notifications, plugins.
    Core,
    /// MozaiksAI: `chat_sessions`, `workflow_stats`.
    Ai,
    /// MozaiksDB: `Enterprises`, `Wallets`.
    Shared,
}

impl PlatformDatabase {
    pub const ALL: [PlatformDatabase; 3] = [
        PlatformDatabase::Core,
        PlatformDatabase::Ai,
        PlatformDatabase::Shared,
    ];
}

pub const ROLES: [&str; 3] = ["user", "admin", "superadmin"];
pub const SUPERADMIN: &str = "superadmin";
pub const TIERS: [&str; 4] = ["free", "basic", "premium", "enterprise"];
pub const DIGEST_FREQUENCIES: [&str; 4] = ["daily", "weekly", "monthly", "never"];
/// The notification types the platform sends; admins may type a new one.
pub const NOTIFICATION_TYPES: [&str; 4] = ["task_reminder", "mention", "system", "billing"];

/// Hard cap on any page the app reads, whatever is asked (the guide's rule).
pub const MAX_PAGE: u32 = 100;
/// Largest plugin settings object accepted, as JSON text.
pub const MAX_PLUGIN_SETTINGS_BYTES: u32 = 16 * 1024;
/// Longest search text: nothing longer can be an email (RFC 5321's 254).
pub const MAX_SEARCH_CHARS: u32 = 254;
/// How long notifications live: the TTL index on `created_at`.
pub const NOTIFICATION_TTL_SECONDS: u32 = 30 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum CollectionKind {
    /// `users`, `settings`, `notifications`.
    Core,
    /// A plugin's `{plugin}_*` collection.
    Plugin,
    /// This app's own audit log.
    Audit,
    Other,
}

impl CollectionKind {
    pub fn of(name: &str) -> Self {
        if CORE_COLLECTIONS.contains(&name) {
            CollectionKind::Core
        } else if name == AUDIT_COLLECTION {
            CollectionKind::Audit
        } else if plugin_of(name).is_some() {
            CollectionKind::Plugin
        } else {
            CollectionKind::Other
        }
    }
}

/// The plugin prefix of a `{plugin}_{what}` collection name, in the
/// platform's snake_case (`task_manager_tasks` → `task_manager`): lowercase
/// words of a-z and 0-9, the first starting with a letter. Anything else
/// (`Misc_Data`, `_tmp_x`, `a__b`, `system.views`) is not a plugin's.
pub fn plugin_of(name: &str) -> Option<&str> {
    if CORE_COLLECTIONS.contains(&name) || name == AUDIT_COLLECTION {
        return None;
    }
    let plugin = &name[..name.rfind('_')?];
    (is_snake_case(name) && !plugin.is_empty()).then_some(plugin)
}

/// A plugin's name as the platform writes it (`task_manager`, `notes`):
/// the same snake_case as its collections' prefix, at most 64 characters.
pub fn is_plugin_name(name: &str) -> bool {
    name.len() <= 64 && is_snake_case(name)
}

/// Lowercase words of a-z and 0-9 joined by single underscores, the first
/// starting with a letter.
fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('_').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Whether documents of `name` each belong to one user.
pub fn is_per_user(name: &str) -> bool {
    PER_USER_CORE.contains(&name) || CollectionKind::of(name) == CollectionKind::Plugin
}

/// Which collections an index rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    Collection(&'static str),
    /// Every plugin collection.
    EveryPlugin,
    /// Every plugin collection whose documents have this field.
    PluginWithField(&'static str),
}

/// One index the platform depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequiredIndex {
    pub applies: Applies,
    pub keys: &'static [(&'static str, i32)],
    pub unique: bool,
    pub expire_after_seconds: Option<u32>,
}

const fn index(applies: Applies, keys: &'static [(&'static str, i32)]) -> RequiredIndex {
    RequiredIndex {
        applies,
        keys,
        unique: false,
        expire_after_seconds: None,
    }
}

const fn unique(collection: &'static str, keys: &'static [(&'static str, i32)]) -> RequiredIndex {
    RequiredIndex {
        unique: true,
        ..index(Applies::Collection(collection), keys)
    }
}

/// The guide's required indexes. `_id` is implied on every collection.
pub const REQUIRED_INDEXES: [RequiredIndex; 10] = [
    unique(USERS, &[("email", 1)]),
    unique(USERS, &[("username", 1)]),
    index(Applies::Collection(USERS), &[("roles", 1)]),
    unique(SETTINGS, &[("user_id", 1)]),
    index(
        Applies::Collection(NOTIFICATIONS),
        &[("user_id", 1), ("created_at", -1)],
    ),
    index(
        Applies::Collection(NOTIFICATIONS),
        &[("user_id", 1), ("read", 1)],
    ),
    RequiredIndex {
        expire_after_seconds: Some(NOTIFICATION_TTL_SECONDS),
        ..index(Applies::Collection(NOTIFICATIONS), &[("created_at", 1)])
    },
    index(Applies::EveryPlugin, &[("user_id", 1)]),
    index(
        Applies::PluginWithField("status"),
        &[("user_id", 1), ("status", 1)],
    ),
    index(
        Applies::PluginWithField("due_date"),
        &[("user_id", 1), ("due_date", 1)],
    ),
];

/// Indexes the platform does not require but the app's own sorts want: the
/// users list offers "created" and "last login" orders on fields nothing
/// indexes. It sorts them as `{ field: d, _id: d }` (`_id` breaks ties so
/// range pages never overlap), so only an index with `_id` after the field,
/// in the same direction, provides that order (read backwards for the other
/// direction). Index health suggests them; it never counts them as problems.
pub const SUGGESTED_INDEXES: [RequiredIndex; 2] = [
    index(
        Applies::Collection(USERS),
        &[("created_at", -1), ("_id", -1)],
    ),
    index(
        Applies::Collection(USERS),
        &[("last_login", -1), ("_id", -1)],
    ),
];

impl RequiredIndex {
    /// Whether the rule applies to `collection`, whose documents have `fields`.
    pub fn applies_to(&self, collection: &str, has_field: impl Fn(&str) -> bool) -> bool {
        match self.applies {
            Applies::Collection(c) => c == collection,
            Applies::EveryPlugin => CollectionKind::of(collection) == CollectionKind::Plugin,
            Applies::PluginWithField(f) => {
                CollectionKind::of(collection) == CollectionKind::Plugin && has_field(f)
            }
        }
    }

    /// Whether an index with these keys (in order) serves a query that
    /// matches `equality` fields exactly and sorts by `sort` (either
    /// direction as a whole): the equality fields first, then the sort.
    pub fn serves(keys: &[(&str, i32)], equality: &[&str], sort: &[(&str, i32)]) -> bool {
        if keys.len() < equality.len() + sort.len() {
            return false;
        }
        let (head, tail) = keys.split_at(equality.len());
        let equality_ok = head.iter().all(|(k, _)| equality.contains(k));
        let same = sort.iter().zip(tail).all(|(s, k)| s.0 == k.0 && s.1 == k.1);
        let reversed = sort
            .iter()
            .zip(tail)
            .all(|(s, k)| s.0 == k.0 && s.1 == -k.1);
        equality_ok && (same || reversed)
    }
}

/// What a view asks of a collection: equality on some fields, then a sort.
#[derive(Debug, Clone, Copy)]
pub struct QueryShape {
    pub collection: &'static str,
    pub equality: &'static [&'static str],
    pub sort: &'static [(&'static str, i32)],
}

impl QueryShape {
    pub fn sort_document(&self) -> mongodb::bson::Document {
        self.sort
            .iter()
            .map(|(k, d)| (k.to_string(), mongodb::bson::Bson::Int32(*d)))
            .collect()
    }

    /// Served by `_id` (always there) or by a required index.
    pub fn is_index_served(&self, plugin_has_field: impl Fn(&str) -> bool + Copy) -> bool {
        let by_id = self.equality.is_empty()
            && (self.sort.is_empty() || self.sort == [("_id", -1)] || self.sort == [("_id", 1)]);
        by_id
            || REQUIRED_INDEXES.iter().any(|r| {
                r.applies_to(self.collection, plugin_has_field)
                    && RequiredIndex::serves(r.keys, self.equality, self.sort)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_kinds() {
        assert_eq!(CollectionKind::of("users"), CollectionKind::Core);
        assert_eq!(
            CollectionKind::of("task_manager_tasks"),
            CollectionKind::Plugin
        );
        assert_eq!(CollectionKind::of("admin_audit_log"), CollectionKind::Audit);
        for other in [
            "misc",
            "Misc_Data",
            "_tmp_x",
            "a__b",
            "notes_",
            "system.views",
            "x.y_z",
        ] {
            assert_eq!(CollectionKind::of(other), CollectionKind::Other, "{other}");
        }
    }

    #[test]
    fn plugin_names_are_snake_case() {
        for yes in ["notes", "task_manager", "crm2"] {
            assert!(is_plugin_name(yes), "{yes}");
        }
        for no in [
            "",
            "__proto__",
            "_x",
            "x_",
            "a__b",
            "Notes",
            "2fa",
            "a.b",
            "a-b",
        ] {
            assert!(!is_plugin_name(no), "{no}");
        }
    }

    #[test]
    fn plugin_names_come_from_the_prefix() {
        assert_eq!(plugin_of("task_manager_tasks"), Some("task_manager"));
        assert_eq!(plugin_of("notes_notes"), Some("notes"));
        assert_eq!(plugin_of("crm2_contacts"), Some("crm2"));
        assert_eq!(plugin_of("settings"), None);
    }

    #[test]
    fn per_user_collections() {
        for yes in ["settings", "notifications", "task_manager_tasks"] {
            assert!(is_per_user(yes), "{yes}");
        }
        for no in [
            "users",
            "admin_audit_log",
            "system.views",
            "misc",
            "Misc_Data",
        ] {
            assert!(!is_per_user(no), "{no}");
        }
    }

    #[test]
    fn an_index_serves_equality_then_sort() {
        let k = &[("user_id", 1), ("created_at", -1)];
        assert!(RequiredIndex::serves(
            k,
            &["user_id"],
            &[("created_at", -1)]
        ));
        assert!(RequiredIndex::serves(k, &["user_id"], &[("created_at", 1)]));
        assert!(RequiredIndex::serves(k, &["user_id"], &[]));
        assert!(!RequiredIndex::serves(k, &[], &[("created_at", -1)]));
        assert!(!RequiredIndex::serves(k, &["user_id"], &[("read", 1)]));
    }
}
