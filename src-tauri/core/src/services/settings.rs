//! Per-user settings: typed notification preferences and free-form plugin
//! settings, saved with compare-and-set so a concurrent edit is reported as
//! a conflict instead of being overwritten.

use std::collections::BTreeMap;

use mongodb::bson::{doc, Bson, Document};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::scope::{PerUserCollection, ScopedCollection, UserScope};
use crate::db::write::WriteContext;
use crate::redact::{is_secret_key, redact, redact_userinfo, words, REDACTED};
use crate::schema::{is_plugin_name, DIGEST_FREQUENCIES, MAX_PLUGIN_SETTINGS_BYTES, SETTINGS};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct NotificationPreferences {
    pub email_enabled: bool,
    pub push_enabled: bool,
    pub digest_frequency: String,
}

/// One user's settings as loaded. Each `*_json` is the stored value as
/// relaxed Extended JSON (or null when absent); sending it back with a save
/// is how the backend knows what the editor started from.
#[derive(Debug, Clone, Serialize, Type)]
pub struct UserSettings {
    pub exists: bool,
    pub notification_preferences: Option<NotificationPreferences>,
    pub notification_preferences_json: Option<String>,
    pub plugins: Vec<PluginSettings>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct PluginSettings {
    pub plugin: String,
    pub json: String,
}

fn settings_collection() -> PerUserCollection {
    PerUserCollection::parse(SETTINGS).expect("settings is per-user")
}

fn settings<'c>(conn: &'c Connection, user: &UserScope) -> ScopedCollection<'c> {
    user.collection(conn, settings_collection())
}

/// A stored value as the UI sees it: relaxed Extended JSON, redacted.
fn shown(value: &Bson) -> Value {
    let mut v = value.clone().into_relaxed_extjson();
    redact(&mut v);
    v
}

fn to_json(value: &Bson) -> String {
    shown(value).to_string()
}

pub async fn load(conn: &Connection, user: &UserScope) -> Result<UserSettings> {
    read(settings(conn, user)).await
}

/// What a save wrote, read back from the primary: a lagging secondary
/// would show the old value and make the next edit a false conflict.
async fn load_after_save(conn: &Connection, user: &UserScope) -> Result<UserSettings> {
    read(user.primary_collection(conn, settings_collection())).await
}

async fn read(settings: ScopedCollection<'_>) -> Result<UserSettings> {
    let Some(doc) = settings.find_one(doc! {}).await? else {
        return Ok(UserSettings {
            exists: false,
            notification_preferences: None,
            notification_preferences_json: None,
            plugins: Vec::new(),
        });
    };
    let prefs = doc.get("notification_preferences");
    let mut plugins: Vec<PluginSettings> = doc
        .get_document("plugin_settings")
        .map(|p| {
            p.iter()
                .map(|(plugin, v)| PluginSettings {
                    plugin: plugin.clone(),
                    json: to_json(v),
                })
                .collect()
        })
        .unwrap_or_default();
    plugins.sort_by(|a, b| a.plugin.cmp(&b.plugin));
    Ok(UserSettings {
        exists: true,
        notification_preferences: prefs.and_then(|p| mongodb::bson::from_bson(p.clone()).ok()),
        notification_preferences_json: prefs.map(to_json),
        plugins,
    })
}

impl NotificationPreferences {
    /// Each known field on its own path: fields the form does not know
    /// (`sms_enabled`) stay as they are.
    fn validate(&self) -> Result<Document> {
        if !DIGEST_FREQUENCIES.contains(&self.digest_frequency.as_str()) {
            return Err(Error::invalid(
                "digest_frequency",
                format!("must be one of {}", DIGEST_FREQUENCIES.join(", ")),
            ));
        }
        Ok(doc! {
            "notification_preferences.email_enabled": self.email_enabled,
            "notification_preferences.push_enabled": self.push_enabled,
            "notification_preferences.digest_frequency": &self.digest_frequency,
        })
    }
}

/// Plugin names as MozaiksCore writes them: `task_manager`, `notes`.
pub fn validate_plugin_name(plugin: &str) -> Result<()> {
    if is_plugin_name(plugin) {
        Ok(())
    } else {
        Err(Error::invalid(
            "plugin",
            "must be snake_case words of a-z and 0-9, starting with a letter (at most 64)",
        ))
    }
}

/// Keys a JavaScript client would read as an object's prototype when it
/// merges the settings into another object.
const PROTOTYPE_KEYS: [&str; 3] = ["__proto__", "constructor", "prototype"];

/// A plugin's settings must be a JSON object with plain keys: no `$`
/// operators and no dots (both would be read as paths or operators).
pub fn parse_plugin_settings(json: &str) -> Result<Document> {
    if json.len() > MAX_PLUGIN_SETTINGS_BYTES as usize {
        return Err(Error::invalid(
            "json",
            format!("larger than {} KiB", MAX_PLUGIN_SETTINGS_BYTES / 1024),
        ));
    }
    let value: Value =
        serde_json::from_str(json).map_err(|e| Error::invalid("json", e.to_string()))?;
    if !value.is_object() {
        return Err(Error::invalid("json", "must be a JSON object"));
    }
    check_keys(&value, "")?;
    match Bson::try_from(value) {
        Ok(Bson::Document(d)) => Ok(d),
        _ => Err(Error::invalid("json", "cannot be stored as a document")),
    }
}

fn check_keys(value: &Value, path: &str) -> Result<()> {
    match value {
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            if k.starts_with('$') || k.contains('.') || k.is_empty() {
                return Err(Error::invalid(
                    "json",
                    format!("key {path}{k:?} may not be empty, start with $ or contain a dot"),
                ));
            }
            if PROTOTYPE_KEYS.contains(&k.as_str()) {
                return Err(Error::invalid(
                    "json",
                    format!("key {path}{k:?} would reach a JavaScript object's prototype"),
                ));
            }
            check_keys(v, &format!("{path}{k}."))
        }),
        Value::Array(items) => items.iter().try_for_each(|v| check_keys(v, path)),
        _ => Ok(()),
    }
}

/// Applies `set` (paths under `path`) only if `path` still holds what the
/// editor was shown (`expected_json`, absent when `None`). The comparison is
/// of JSON values, never a query: a `{"$exists": true}` sent back is a value.
/// The write itself is conditional on the stored value found, compared
/// literally, so nothing changes in between. Values the editor saw as
/// redacted are kept as stored. The settings document is created when the
/// user has none; the audit's "before" is what was replaced.
async fn compare_and_set(
    ctx: &WriteContext<'_>,
    user: &UserScope,
    path: &str,
    expected_json: Option<&str>,
    mut set: Document,
) -> Result<()> {
    let expected = expected_json
        .map(|j| {
            serde_json::from_str::<Value>(j).map_err(|e| Error::invalid("expected", e.to_string()))
        })
        .transpose()?;
    let writer = user.writer(ctx, settings_collection());
    let document = writer.reader().find_one(doc! {}).await?;
    let stored = document.as_ref().and_then(|d| lookup(d, path)).cloned();
    if stored.as_ref().map(shown) != expected {
        return Err(Error::Conflict {
            current: stored.as_ref().map(to_json),
        });
    }
    if let Some(value) = set.get_mut(path) {
        keep_redacted(value, stored.as_ref(), path)?;
    }
    let field = format!("${path}");
    let unchanged = match &stored {
        Some(old) => doc! { "$expr": { "$eq": [&field, { "$literal": old.clone() }] } },
        None => doc! { path: { "$exists": false } },
    };
    let update = doc! { "$set": set.clone() };
    let applied = match writer.replace_returning_before(unchanged, update).await? {
        Some(_) => true,
        // No settings document yet: create it, unless one appeared meanwhile.
        None if document.is_none() => {
            let insert = doc! { "$setOnInsert": set };
            match writer.update_one(doc! {}, insert, true).await {
                Ok(created) => created.inserted,
                Err(Error::Conflict { .. }) => false,
                Err(e) => return Err(e),
            }
        }
        None => false,
    };
    let now = writer
        .reader()
        .find_one(doc! {})
        .await?
        .and_then(|d| lookup(&d, path).cloned());
    if !applied {
        return Err(Error::Conflict {
            current: now.as_ref().map(to_json),
        });
    }
    let json = |v: Option<Bson>| v.map_or(Value::Null, Bson::into_relaxed_extjson);
    ctx.done(
        Change::new("settings", user.user_id(), &format!("set {path}"))
            .values(json(stored), json(now)),
    )
    .await
}

/// Puts back, from the stored value at the same place, every placeholder
/// the editor was shown: a secret key's value and a URL's user-info, at any
/// depth and inside arrays. Array elements shown unchanged are matched to
/// their stored selves wherever they moved, before any other is matched by
/// position (when the array kept its length). A placeholder is kept only
/// while its entry's endpoints are as stored ([`same_endpoints`]): a
/// support user, who sees a secret redacted, cannot send it elsewhere. One
/// that cannot be matched is refused with its path: a save never writes one.
fn keep_redacted(new: &mut Bson, stored: Option<&Bson>, path: &str) -> Result<()> {
    if holds_placeholder(new) {
        same_endpoints(new, stored, path)?;
    }
    restore(new, stored, path)
}

fn restore(new: &mut Bson, stored: Option<&Bson>, path: &str) -> Result<()> {
    match new {
        Bson::Document(doc) => {
            let stored = stored.and_then(Bson::as_document);
            for (key, value) in doc.iter_mut() {
                let old = stored.and_then(|s| s.get(key));
                let here = format!("{path}.{key}");
                if value.as_str() == Some(REDACTED) && is_secret_key(key) {
                    *value = old.cloned().ok_or_else(|| unmatched(&here))?;
                } else {
                    restore(value, old, &here)?;
                }
            }
        }
        Bson::Array(items) => {
            let stored = stored.and_then(Bson::as_array).map(Vec::as_slice);
            let stored = stored.unwrap_or_default();
            let mut used = vec![false; stored.len()];
            let mut matched: Vec<Option<usize>> = vec![None; items.len()];
            for (i, item) in items.iter().enumerate() {
                if holds_placeholder(item) {
                    let as_shown = item.clone().into_relaxed_extjson();
                    matched[i] =
                        (0..stored.len()).find(|&j| !used[j] && shown(&stored[j]) == as_shown);
                    if let Some(j) = matched[i] {
                        used[j] = true;
                    }
                }
            }
            let same_length = stored.len() == items.len();
            for (i, item) in items.iter_mut().enumerate() {
                if !holds_placeholder(item) {
                    continue;
                }
                let at = match matched[i] {
                    Some(j) => Some(j),
                    None if same_length && !used[i] => {
                        used[i] = true;
                        Some(i)
                    }
                    None => None,
                };
                // Each element is an entry of its own (a hook, a mirror).
                keep_redacted(item, at.map(|j| &stored[j]), &format!("{path}[{i}]"))?;
            }
        }
        Bson::String(text) if text.contains(REDACTED) => match stored {
            Some(Bson::String(old))
                if old == text || redact_userinfo(old).as_deref() == Some(text.as_str()) =>
            {
                *text = old.clone();
            }
            _ => return Err(unmatched(path)),
        },
        _ => {}
    }
    Ok(())
}

/// An entry (an array element, or the settings outside their arrays) keeps
/// its secrets only while each of its endpoints (a string holding `://`, or
/// the value of a key whose last word names where things are sent) reads
/// as stored, at any depth within the entry.
fn same_endpoints(new: &Bson, stored: Option<&Bson>, path: &str) -> Result<()> {
    let (mut now, mut was) = (BTreeMap::new(), BTreeMap::new());
    endpoints(new, path, &mut now);
    if let Some(stored) = stored {
        endpoints(stored, path, &mut was);
    }
    let changed = now
        .iter()
        .find(|(k, v)| was.get(*k) != Some(v))
        .map(|(k, _)| k)
        .or_else(|| was.keys().find(|k| !now.contains_key(*k)));
    match changed {
        None => Ok(()),
        Some(endpoint) => Err(Error::invalid(
            "json",
            format!(
                "{endpoint} changed, and its entry ({path}) holds {REDACTED}: \
                 type the secret again for the new endpoint"
            ),
        )),
    }
}

fn endpoints(value: &Bson, path: &str, out: &mut BTreeMap<String, Value>) {
    let Bson::Document(doc) = value else {
        return;
    };
    for (key, v) in doc {
        let here = format!("{path}.{key}");
        match v {
            _ if is_secret_key(key) => {}
            Bson::Document(_) => endpoints(v, &here, out),
            Bson::Array(_) => {} // its elements are entries of their own
            Bson::String(text) if text.contains("://") => {
                out.insert(here, shown(v));
            }
            _ if is_endpoint_key(key) => {
                out.insert(here, shown(v));
            }
            _ => {}
        }
    }
}

/// A key whose last word names where things are sent.
fn is_endpoint_key(key: &str) -> bool {
    const WORDS: [&str; 13] = [
        "url", "uri", "host", "hostname", "endpoint", "webhook", "domain", "server", "address",
        "dsn", "callback", "base", "proxy",
    ];
    words(key)
        .last()
        .is_some_and(|w| WORDS.contains(&w.as_str()))
}

fn holds_placeholder(value: &Bson) -> bool {
    match value {
        Bson::String(text) => text.contains(REDACTED),
        Bson::Document(d) => d.values().any(holds_placeholder),
        Bson::Array(items) => items.iter().any(holds_placeholder),
        _ => false,
    }
}

fn unmatched(path: &str) -> Error {
    Error::invalid(
        "json",
        format!(
            "{path} holds {REDACTED}, but no stored value matches it here: \
             type the secret again or remove it"
        ),
    )
}

fn lookup<'d>(doc: &'d Document, path: &str) -> Option<&'d Bson> {
    let mut parts = path.split('.');
    let mut current = doc.get(parts.next()?)?;
    for part in parts {
        current = current.as_document()?.get(part)?;
    }
    Some(current)
}

pub async fn save_notification_preferences(
    conn: &Connection,
    audit: &AuditLog,
    user: &UserScope,
    preferences: &NotificationPreferences,
    expected_json: Option<&str>,
) -> Result<UserSettings> {
    let set = preferences.validate()?;
    let path = "notification_preferences";
    let ctx = WriteContext::begin(conn, audit, intent(user, path, &set)).await?;
    compare_and_set(&ctx, user, path, expected_json, set).await?;
    load_after_save(conn, user).await
}

pub async fn save_plugin_settings(
    conn: &Connection,
    audit: &AuditLog,
    user: &UserScope,
    plugin: &str,
    json: &str,
    expected_json: Option<&str>,
) -> Result<UserSettings> {
    validate_plugin_name(plugin)?;
    let value = parse_plugin_settings(json)?;
    let path = format!("plugin_settings.{plugin}");
    let set = doc! { &path: value };
    let ctx = WriteContext::begin(conn, audit, intent(user, &path, &set)).await?;
    compare_and_set(&ctx, user, &path, expected_json, set).await?;
    load_after_save(conn, user).await
}

fn intent(user: &UserScope, path: &str, set: &Document) -> Change {
    Change::new("settings", user.user_id(), &format!("set {path}")).values(
        Value::Null,
        Bson::Document(set.clone()).into_relaxed_extjson(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_settings_must_be_plain_objects() {
        assert!(parse_plugin_settings(r#"{"theme":"dark","n":[1,{"a":2}]}"#).is_ok());
        let big = format!(
            r#"{{"x":"{}"}}"#,
            "a".repeat(MAX_PLUGIN_SETTINGS_BYTES as usize)
        );
        for bad in [
            "[1,2]",
            "\"x\"",
            "{",
            r#"{"$set":{"a":1}}"#,
            r#"{"a.b":1}"#,
            r#"{"a":[{"$where":"1"}]}"#,
            r#"{"__proto__":{"admin":true}}"#,
            r#"{"a":{"constructor":{"prototype":{}}}}"#,
            &big,
        ] {
            assert_eq!(
                parse_plugin_settings(bad).unwrap_err().code(),
                "invalid_input",
                "{bad}"
            );
        }
    }

    /// The editor's round trip: the stored value as shown, edited by `edit`,
    /// with its placeholders put back.
    fn save_back(stored: Document, edit: impl FnOnce(&mut Value)) -> Result<Document> {
        let stored = Bson::Document(stored);
        let mut edited = shown(&stored);
        edit(&mut edited);
        let mut new = Bson::try_from(edited).unwrap();
        keep_redacted(&mut new, Some(&stored), "plugin_settings.p")?;
        Ok(new.as_document().unwrap().clone())
    }

    /// A secret follows no endpoint change anywhere in its entry, nested
    /// either way; a key that is both secret and endpoint-like
    /// (`webhook_secret`) is a secret; only a key's last word names an
    /// endpoint (`webhook_events` is none).
    #[test]
    fn a_secret_is_kept_only_while_its_entry_points_where_it_did() {
        let stored = doc! {
            "url": "https://a.example", "auth": { "api_key": "K" },
            "webhook_secret": "W", "webhook_events": ["push"], "region": "eu",
            "hooks": [{ "api_token": "T", "target": { "url": "https://b.example" } }],
        };
        let kept = save_back(stored.clone(), |v| {
            v["region"] = "us".into();
            v["webhook_events"] = serde_json::json!(["push", "tag"]);
        })
        .unwrap();
        assert_eq!(
            kept.get_document("auth").unwrap().get_str("api_key"),
            Ok("K")
        );
        assert_eq!(kept.get_str("webhook_secret"), Ok("W"));
        let hook = kept.get_array("hooks").unwrap()[0].as_document().unwrap();
        assert_eq!(hook.get_str("api_token"), Ok("T"));

        let moved = save_back(stored.clone(), |v| v["url"] = "https://evil.example".into());
        assert!(moved
            .unwrap_err()
            .to_string()
            .contains("plugin_settings.p.url changed"));
        let nested = save_back(stored, |v| {
            v["hooks"][0]["target"]["url"] = "https://evil.example".into()
        });
        let err = nested.unwrap_err().to_string();
        assert!(
            err.contains("plugin_settings.p.hooks[0].target.url changed"),
            "{err}"
        );
    }

    #[test]
    fn digest_frequency_is_from_a_fixed_set() {
        let p = NotificationPreferences {
            email_enabled: true,
            push_enabled: false,
            digest_frequency: "hourly".into(),
        };
        assert_eq!(p.validate().unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn plugin_names_are_checked() {
        assert!(validate_plugin_name("task_manager").is_ok());
        for bad in ["", "Task", "a.b", "$x", "__proto__"] {
            assert!(validate_plugin_name(bad).is_err(), "{bad}");
        }
    }
}
