//! Deterministic, realistic demo data for a MozaiksCore database: the same
//! options always write the same documents. Every random choice comes from a
//! generator keyed by (seed, collection, user index), so nothing depends on
//! batch order or timing, and `anchor` fixes what "now" means.

use chrono::{DateTime, Duration as Days, Utc};
use mongodb::bson::{doc, oid::ObjectId, Bson, DateTime as BsonDate, Document};

use super::{
    SeedOptions, FLAWED_COLLECTION, FLAWED_OBJECT_ID_USER_IDS, FLAWED_ORPHANS,
    FLAWED_WITHOUT_USER_ID,
};

/// SplitMix64: tiny, fast and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "ada",
    "alan",
    "grace",
    "linus",
    "margaret",
    "dennis",
    "barbara",
    "ken",
    "frances",
    "john",
    "radia",
    "tim",
    "hedy",
    "guido",
    "katherine",
    "edsger",
    "sophie",
    "bjarne",
    "anita",
    "donald",
];
const LAST: &[&str] = &[
    "lovelace",
    "turing",
    "hopper",
    "torvalds",
    "hamilton",
    "ritchie",
    "liskov",
    "thompson",
    "allen",
    "mccarthy",
    "perlman",
    "lee",
    "lamarr",
    "rossum",
    "johnson",
    "dijkstra",
    "wilson",
    "stroustrup",
    "borg",
    "knuth",
];
const DOMAINS: &[&str] = &["example.com", "mail.test", "corp.example", "mozaiks.dev"];
const TIERS: &[&str] = &["free", "free", "basic", "premium", "enterprise"];
const BIOS: &[&str] = &[
    "Building things on the web.",
    "Product person, coffee first.",
    "Data nerd and occasional runner.",
    "",
    "Ships on Fridays.",
];
const NOTIFICATION_TYPES: &[(&str, &str, &str)] = &[
    (
        "task_reminder",
        "Task Due",
        "Your task 'Review PR' is due tomorrow",
    ),
    ("mention", "New mention", "You were mentioned in a note"),
    (
        "system",
        "Maintenance",
        "Scheduled maintenance on Sunday 02:00 UTC",
    ),
    (
        "billing",
        "Payment received",
        "Thanks! Your subscription was renewed",
    ),
];
const STATUSES: &[&str] = &["todo", "in_progress", "done"];
const PRIORITIES: &[&str] = &["low", "medium", "high"];
const TAGS: &[&str] = &["work", "urgent", "home", "ideas", "later"];
const BCRYPT_ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub(super) struct Generator {
    pub(super) users: u32,
    seed: u64,
    anchor: DateTime<Utc>,
}

impl Generator {
    pub(super) fn new(options: &SeedOptions) -> Self {
        Generator {
            users: options.users,
            seed: options.seed,
            anchor: options.anchor,
        }
    }

    fn rng(&self, stream: u64, user: u32) -> Rng {
        Rng(self.seed ^ stream.wrapping_mul(0xA24B_AED4_963E_E407) ^ (u64::from(user) << 20))
    }

    fn at(&self, seconds_before_anchor: u64) -> BsonDate {
        BsonDate::from_chrono(self.anchor - Days::seconds(seconds_before_anchor as i64))
    }

    /// A stable ObjectId per user: creation time, a fixed marker, the index.
    fn user_id(&self, user: u32) -> ObjectId {
        let created = self.user_created_secs_before_anchor(user);
        let ts = (self.anchor.timestamp() - created as i64) as u32;
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&ts.to_be_bytes());
        bytes[4..8].copy_from_slice(b"mozk");
        bytes[8..].copy_from_slice(&user.to_be_bytes());
        ObjectId::from_bytes(bytes)
    }

    /// A stable `_id` for the `n`th document of `stream` owned by `user`,
    /// carrying the document's own creation time like a real ObjectId.
    fn doc_id(&self, at: BsonDate, stream: u8, user: u32, n: u16) -> ObjectId {
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&((at.timestamp_millis() / 1000) as u32).to_be_bytes());
        bytes[4] = stream;
        bytes[5] = b'z';
        bytes[6..8].copy_from_slice(&n.to_be_bytes());
        bytes[8..].copy_from_slice(&user.to_be_bytes());
        ObjectId::from_bytes(bytes)
    }

    fn user_created_secs_before_anchor(&self, user: u32) -> u64 {
        self.rng(1, user).below(730 * 86_400) + 86_400
    }

    pub(super) fn documents_for(&self, collection: &str, user: u32, out: &mut Vec<Document>) {
        match collection {
            "users" => out.push(self.user(user)),
            "settings" => out.extend(self.settings(user)),
            "notifications" => self.notifications(user, out),
            "task_manager_tasks" => self.tasks(user, out),
            "notes_notes" => self.notes(user, out),
            FLAWED_COLLECTION => self.contacts(user, out),
            other => unreachable!("not a seeded collection: {other}"),
        }
    }

    fn user(&self, i: u32) -> Document {
        let mut r = self.rng(2, i);
        let (first, last) = (*r.pick(FIRST), *r.pick(LAST));
        let created = self.user_created_secs_before_anchor(i);
        let roles: Vec<&str> = match (i, r.below(100)) {
            (0, _) => vec!["user", "superadmin"],
            (_, 0..=1) => vec!["user", "admin"],
            _ => vec!["user"],
        };
        let tier = *r.pick(TIERS);
        // Some subscriptions lapsed, most run for up to a year more.
        let expires = self.anchor + Days::days(r.below(400) as i64 - 35);
        let hash: String = (0..53).map(|_| *r.pick(BCRYPT_ALPHABET) as char).collect();
        let updated = created - r.below(created);
        let last_login = (!r.chance(5)).then(|| self.at(r.below(updated.max(1))));
        doc! {
            "_id": self.user_id(i),
            "email": format!("{first}.{last}{i}@{}", r.pick(DOMAINS)),
            "username": format!("{first}_{last}{i}"),
            "password_hash": format!("$2b$12${hash}"),
            "roles": roles,
            "subscription": {
                "tier": tier,
                "expires_at": (tier != "free").then(|| BsonDate::from_chrono(expires)),
            },
            "profile": {
                "display_name": format!("{} {}", capitalize(first), capitalize(last)),
                "avatar_url": format!("https://avatars.example.com/{i}.png"),
                "bio": *r.pick(BIOS),
            },
            "created_at": self.at(created),
            "updated_at": self.at(updated),
            "last_login": last_login.map_or(Bson::Null, Bson::DateTime),
        }
    }

    fn settings(&self, i: u32) -> Option<Document> {
        let mut r = self.rng(3, i);
        if r.chance(15) {
            return None;
        }
        Some(doc! {
            "_id": self.doc_id(self.at(0), 3, i, 0),
            "user_id": self.user_id(i).to_hex(),
            "plugin_settings": {
                "task_manager": {
                    "default_view": *r.pick(&["kanban", "list", "calendar"]),
                    "notifications": r.chance(70),
                },
                "notes": { "theme": *r.pick(&["dark", "light", "system"]) },
            },
            "notification_preferences": {
                "email_enabled": r.chance(80),
                "push_enabled": r.chance(40),
                "digest_frequency": *r.pick(&["daily", "weekly", "never"]),
            },
        })
    }

    fn notifications(&self, i: u32, out: &mut Vec<Document>) {
        let mut r = self.rng(4, i);
        for n in 0..r.below(7) as u16 {
            let (kind, title, message) = *r.pick(NOTIFICATION_TYPES);
            let created = self.at(r.below(30 * 86_400));
            let mut metadata = doc! {};
            if kind == "task_reminder" {
                metadata = doc! { "task_id": format!("task_{}", r.below(1_000_000)), "plugin": "task_manager" };
            }
            out.push(doc! {
                "_id": self.doc_id(created, 4, i, n),
                "user_id": self.user_id(i).to_hex(),
                "type": kind,
                "title": title,
                "message": message,
                "read": r.chance(60),
                "metadata": metadata,
                "created_at": created,
            });
        }
    }

    fn tasks(&self, i: u32, out: &mut Vec<Document>) {
        let mut r = self.rng(5, i);
        if r.chance(40) {
            return;
        }
        for n in 0..(1 + r.below(7)) as u16 {
            let created = r.below(120 * 86_400);
            let tags: Vec<&str> = TAGS.iter().copied().filter(|_| r.chance(30)).collect();
            out.push(doc! {
                "_id": self.doc_id(self.at(created), 5, i, n),
                "user_id": self.user_id(i).to_hex(),
                "title": format!("Task {n}: {}", r.pick(&["Review PR", "Write docs", "Plan sprint", "Fix bug", "Call client"])),
                "description": "Generated by mozaiks-admin seed",
                "status": *r.pick(STATUSES),
                "priority": *r.pick(PRIORITIES),
                "due_date": BsonDate::from_chrono(self.anchor + Days::days(r.below(60) as i64 - 20)),
                "tags": tags,
                "created_at": self.at(created),
                "updated_at": self.at(created / 2),
            });
        }
    }

    fn notes(&self, i: u32, out: &mut Vec<Document>) {
        let mut r = self.rng(6, i);
        if r.chance(60) {
            return;
        }
        for n in 0..(1 + r.below(4)) as u16 {
            let created = self.at(r.below(200 * 86_400));
            out.push(doc! {
                "_id": self.doc_id(created, 6, i, n),
                "user_id": self.user_id(i).to_hex(),
                "title": format!("Note {n}"),
                "body": *r.pick(&["Meeting notes", "Ideas for Q3", "Reading list", "Groceries"]),
                "pinned": r.chance(10),
                "created_at": created,
            });
        }
    }

    fn contacts(&self, i: u32, out: &mut Vec<Document>) {
        let mut r = self.rng(7, i);
        if !r.chance(25) {
            return;
        }
        let created = self.at(r.below(300 * 86_400));
        let (first, last) = (*r.pick(FIRST), *r.pick(LAST));
        out.push(doc! {
            "_id": self.doc_id(created, 7, i, 0),
            "user_id": self.user_id(i).to_hex(),
            "name": format!("{} {}", capitalize(first), capitalize(last)),
            "email": format!("contact{i}@{}", r.pick(DOMAINS)),
            "created_at": created,
        });
    }

    pub(super) fn broken_documents(&self, out: &mut Vec<Document>) {
        let at = self.at(0);
        for n in 0..FLAWED_WITHOUT_USER_ID {
            out.push(doc! { "_id": self.doc_id(at, 8, u32::MAX, n as u16), "name": format!("Unowned {n}"), "email": format!("unowned{n}@example.com") });
        }
        for n in 0..FLAWED_ORPHANS {
            // Ids past the last user: well-formed, but nobody's.
            let orphan = self.user_id(self.users + n).to_hex();
            out.push(doc! { "_id": self.doc_id(at, 9, u32::MAX, n as u16), "user_id": orphan, "name": format!("Orphan {n}"), "email": format!("orphan{n}@example.com") });
        }
        for n in 0..FLAWED_OBJECT_ID_USER_IDS.min(self.users) {
            out.push(doc! { "_id": self.doc_id(at, 10, u32::MAX, n as u16), "user_id": self.user_id(n), "name": format!("Typed {n}"), "email": format!("typed{n}@example.com") });
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::seed::SEEDED_COLLECTIONS;

    fn gen(users: u32) -> Generator {
        Generator::new(&SeedOptions {
            users,
            seed: 7,
            anchor: "2026-06-01T00:00:00Z".parse().unwrap(),
        })
    }

    #[test]
    fn the_same_options_give_the_same_documents() {
        let (a, b) = (gen(50), gen(50));
        for name in SEEDED_COLLECTIONS {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for u in 0..50 {
                a.documents_for(name, u, &mut x);
                b.documents_for(name, u, &mut y);
            }
            assert_eq!(x, y, "{name}");
        }
    }

    #[test]
    fn users_look_real_but_hold_no_real_password() {
        let u = gen(3).user(0);
        assert!(u.get_str("password_hash").unwrap().starts_with("$2b$12$"));
        assert_eq!(u.get_str("password_hash").unwrap().len(), 60);
        assert!(u
            .get_array("roles")
            .unwrap()
            .contains(&Bson::from("superadmin")));
        assert!(u.get_str("email").unwrap().contains('@'));
    }

    #[test]
    fn per_user_documents_carry_the_users_hex_id() {
        let g = gen(10);
        let mut docs = Vec::new();
        for u in 0..10 {
            g.notifications(u, &mut docs);
            g.tasks(u, &mut docs);
        }
        assert!(!docs.is_empty());
        for d in docs {
            let id = d.get_str("user_id").unwrap();
            assert!(ObjectId::parse_str(id).is_ok());
        }
    }

    #[test]
    fn notifications_fall_within_the_last_30_days() {
        let g = gen(200);
        let mut docs = Vec::new();
        for u in 0..200 {
            g.notifications(u, &mut docs);
        }
        let anchor = g.anchor.timestamp_millis();
        for d in docs {
            let at = d.get_datetime("created_at").unwrap().timestamp_millis();
            assert!(at <= anchor && at > anchor - 30 * 86_400_000);
        }
    }
}
