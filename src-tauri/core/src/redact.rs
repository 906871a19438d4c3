//! The one redaction rule, applied to every value on its way to the UI, a
//! file or the audit trail: values of keys that name a secret are replaced.
//! A key names a secret by its words (`api_token`, `apiToken`, `private_key`,
//! `password_hash`, `client_secret`, `credentials`), not by a substring, so
//! `token_count` or `password_set` (facts about a secret) stay readable.

use serde_json::Value;

pub const REDACTED: &str = "<redacted>";

/// Words that make any key a secret, wherever they stand.
const SECRET_WORDS: [&str; 9] = [
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "credential",
    "credentials",
    "apikey",
];
/// Last words that name a secret value.
const SECRET_NOUNS: [&str; 8] = [
    "token", "tokens", "jwt", "salt", "cookie", "hash", "otp", "sid",
];
/// A `…_key` is a secret unless one of these says what kind of key it is.
const PLAIN_KEYS: [&str; 10] = [
    "sort",
    "primary",
    "foreign",
    "partition",
    "shard",
    "idempotency",
    "cache",
    "lookup",
    "public",
    "object",
];
/// A `…_code(s)` is a secret after one of these (`country_code` is not).
const SECRET_CODES: [&str; 5] = ["otp", "mfa", "recovery", "backup", "verification"];
/// Last words that describe a secret rather than hold it.
const FACT_WORDS: [&str; 14] = [
    "count", "length", "len", "set", "enabled", "required", "at", "expires", "expiry", "type",
    "id", "policy", "changed", "hint",
];

/// A key's words, lower case: `apiToken` and `api_token` are `api`, `token`.
pub fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in key.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
            // apiToken → api|Token, APIKey → API|Key
            if c.is_ascii_uppercase() && !word.is_empty() && (prev_lower || next_lower) {
                out.push(std::mem::take(&mut word).to_ascii_lowercase());
            }
            word.push(c);
        }
        if !word.is_empty() {
            out.push(word.to_ascii_lowercase());
        }
    }
    out
}

pub fn is_secret_key(key: &str) -> bool {
    let words = words(key);
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    let session_id = words.len() == 2 && words[0] == "session" && last == "id";
    if words.len() > 1 && FACT_WORDS.contains(&last) && !session_id {
        return false;
    }
    let prev = words.len().checked_sub(2).map(|i| words[i].as_str());
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
        || SECRET_NOUNS.contains(&last)
        || (last == "id" && prev == Some("session"))
        || (matches!(last, "key" | "keys") && prev.is_some_and(|p| !PLAIN_KEYS.contains(&p)))
        || (matches!(last, "code" | "codes") && prev.is_some_and(|p| SECRET_CODES.contains(&p)))
}

/// `scheme://user:password@host…` anywhere in a string loses its user-info.
pub fn redact_userinfo(text: &str) -> Option<String> {
    let start = text.find("://")? + 3;
    let authority_end = text[start..]
        .find(['/', '?', '#', ' '])
        .map_or(text.len(), |i| start + i);
    let at = text[start..authority_end].rfind('@')? + start;
    Some(format!("{}{REDACTED}{}", &text[..start], &text[at..]))
}

/// Replaces the values of secret keys, at any depth. A `$` key is Extended
/// JSON's type wrapper (`$minKey` is not a key that holds a secret).
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if !key.starts_with('$') && is_secret_key(key) {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(text) => {
            if let Some(clean) = redact_userinfo(text) {
                *text = clean;
            }
        }
        _ => {}
    }
}

/// A BSON document as relaxed Extended JSON, redacted: the only form in
/// which stored documents leave the core.
pub fn document_to_json(d: mongodb::bson::Document) -> Value {
    let mut value = mongodb::bson::Bson::Document(d).into_relaxed_extjson();
    redact(&mut value);
    value
}

/// A document as the UI receives it: canonical Extended JSON, field order
/// kept, secret values replaced.
pub fn document_text(d: mongodb::bson::Document) -> String {
    let mut value = mongodb::bson::Bson::Document(d).into_canonical_extjson();
    redact(&mut value);
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn extended_json_wrappers_are_not_secret_keys() {
        let mut v = json!({ "low": { "$minKey": 1 }, "high": { "$maxKey": 1 }, "api_key": { "$numberInt": "5" } });
        redact(&mut v);
        assert_eq!(
            v,
            json!({ "low": { "$minKey": 1 }, "high": { "$maxKey": 1 }, "api_key": REDACTED })
        );
    }

    #[test]
    fn secret_keys_by_their_words() {
        for secret in [
            "password",
            "password_hash",
            "api_token",
            "apiToken",
            "APIKey",
            "api_key",
            "apikey",
            "private_key",
            "privateKey",
            "client_secret",
            "credentials",
            "aws_credentials",
            "refresh_tokens",
            "secret",
            "session_cookie",
            "totp_secret",
            "signing-key",
            "openai_key",
            "stripe_key",
            "license_key",
            "ssh_key",
            "session_id",
            "recovery_codes",
            "otp_code",
        ] {
            assert!(is_secret_key(secret), "{secret}");
        }
        for plain in [
            "token_count",
            "password_set",
            "password_updated_at",
            "email",
            "sort_key",
            "primary_key",
            "monkey",
            "tokenizer",
            "keyboard",
            "hashtag",
            "user_id",
            "public_key",
            "sort_key",
            "country_code",
            "",
        ] {
            assert!(!is_secret_key(plain), "{plain}");
        }
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let mut v = json!({
            "password_hash": "$2b$12$abc",
            "nested": [{ "apiToken": "t", "token_count": 3 }],
            "integration": { "private_key": "-----BEGIN", "credentials": { "user": "x" } },
            "email": "a@b",
            "mongo_uri": "mongodb://app:hunter2@db.example:27017/x",
            "site": "https://example.com/a@b"
        });
        redact(&mut v);
        assert_eq!(
            v,
            json!({
                "password_hash": REDACTED,
                "nested": [{ "apiToken": REDACTED, "token_count": 3 }],
                "integration": { "private_key": REDACTED, "credentials": REDACTED },
                "email": "a@b",
                "mongo_uri": "mongodb://<redacted>@db.example:27017/x",
                "site": "https://example.com/a@b"
            })
        );
    }
}
