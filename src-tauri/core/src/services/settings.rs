//! Per-user settings: typed notification preferences and free-form plugin
//! settings, saved with compare-and-set so a concurrent edit is reported as
//! a conflict instead of being overwritten.

use mongodb::bson::{doc, Bson, Document};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use crate::db::audit::{AuditLog, Change};
use crate::db::connection::Connection;
use crate::db::scope::{PerUserCollection, ScopedCollection, UserScope};
use crate::db::write::WriteContext;
use crate::redact::{is_secret_key, redact, redact_userinfo, REDACTED};
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
/// position (when the array kept its length). A secret is kept only while
/// the endpoint beside it (`url`, `host`, `webhook`, ...) is as stored: a
/// support user, who sees it redacted, cannot send it elsewhere. A
/// placeholder that cannot be matched is refused with its path: a save
/// never writes one.
fn keep_redacted(new: &mut Bson, stored: Option<&Bson>, path: &str) -> Result<()> {
    match new {
        Bson::Document(doc) => {
            let stored = stored.and_then(Bson::as_document);
            let moved = doc.iter().find(|(key, value)| {
                is_endpoint_key(key)
                    && stored.and_then(|s| s.get(key.as_str())).map(shown)
                        != Some((*value).clone().into_relaxed_extjson())
            });
            let moved = moved.map(|(key, _)| key.clone());
            for (key, value) in doc.iter_mut() {
                let old = stored.and_then(|s| s.get(key));
                let here = format!("{path}.{key}");
                if value.as_str() == Some(REDACTED) && is_secret_key(key) {
                    if let Some(endpoint) = &moved {
                        return Err(Error::invalid(
                            "json",
                            format!(
                                "{here} holds {REDACTED} beside {endpoint}, which changed: \
                                 type the secret again for the new endpoint"
                            ),
                        ));
                    }
                    *value = old.cloned().ok_or_else(|| unmatched(&here))?;
                } else {
                    keep_redacted(value, old, &here)?;
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

/// A key that names where a secret is sent.
fn is_endpoint_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "url", "uri", "host", "endpoint", "webhook", "domain", "server", "address",
    ]
    .iter()
    .any(|w| {
        key.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| part.starts_with(w) || part.ends_with(w))
    })
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
