//! Which members answer a profile's browsing reads. Writes, and the reads
//! that decide or report them, always go to the primary; the dashboard's
//! aggregations keep their own setting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::{Error, Result};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ReadMode {
    #[default]
    Primary,
    PrimaryPreferred,
    Secondary,
    SecondaryPreferred,
    Nearest,
}

impl ReadMode {
    fn parse(value: &str) -> Option<ReadMode> {
        Some(match value.to_ascii_lowercase().as_str() {
            "primary" => ReadMode::Primary,
            "primarypreferred" => ReadMode::PrimaryPreferred,
            "secondary" => ReadMode::Secondary,
            "secondarypreferred" => ReadMode::SecondaryPreferred,
            "nearest" => ReadMode::Nearest,
            _ => return None,
        })
    }
}

/// The server-selection spec's smallest `maxStalenessSeconds`.
pub const MIN_MAX_STALENESS_SECONDS: u32 = 90;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ReadPreferenceChoice {
    pub mode: ReadMode,
    /// Tag sets tried in order; an empty set matches any member.
    #[serde(default)]
    pub tags: Vec<BTreeMap<String, String>>,
    pub max_staleness_seconds: Option<u32>,
}

impl ReadPreferenceChoice {
    pub const URI_OPTIONS: [&'static str; 3] = [
        "readpreference",
        "readpreferencetags",
        "maxstalenessseconds",
    ];

    /// The rules of the server-selection spec: tags and a staleness bound
    /// only where a secondary may answer, the bound at least 90 s.
    pub fn validate(self) -> Result<ReadPreferenceChoice> {
        if self.mode == ReadMode::Primary
            && (!self.tags.is_empty() || self.max_staleness_seconds.is_some())
        {
            return Err(Error::invalid(
                "read_preference",
                "tags and max staleness apply only where a secondary may answer",
            ));
        }
        if self
            .max_staleness_seconds
            .is_some_and(|s| s < MIN_MAX_STALENESS_SECONDS)
        {
            return Err(Error::invalid(
                "read_preference.max_staleness_seconds",
                format!("must be at least {MIN_MAX_STALENESS_SECONDS}"),
            ));
        }
        let too_long =
            |s: &String| s.is_empty() || s.len() > 128 || s.chars().any(char::is_control);
        if self.tags.len() > 16
            || self
                .tags
                .iter()
                .any(|set| set.len() > 16 || set.iter().any(|(k, v)| too_long(k) || too_long(v)))
        {
            return Err(Error::invalid(
                "read_preference.tags",
                "at most 16 tag sets of 16 tags, each name and value 1 to 128 characters",
            ));
        }
        Ok(self)
    }

    /// The choice a URI's `readPreference`, `readPreferenceTags` and
    /// `maxStalenessSeconds` make, if it makes one.
    pub fn from_uri_options(options: &[(String, String)]) -> Result<Option<ReadPreferenceChoice>> {
        if options.is_empty() {
            return Ok(None);
        }
        let mut choice = ReadPreferenceChoice::default();
        for (key, value) in options {
            match key.as_str() {
                "readpreference" => {
                    choice.mode = ReadMode::parse(value).ok_or_else(|| Error::InvalidUri {
                        message: format!("readPreference {value:?} is not a read preference mode"),
                    })?
                }
                "readpreferencetags" => choice.tags.push(tag_set(value)?),
                // -1 is the spec's "no maximum".
                "maxstalenessseconds" if value == "-1" => {}
                "maxstalenessseconds" => {
                    choice.max_staleness_seconds =
                        Some(value.parse().map_err(|_| Error::InvalidUri {
                            message: "maxStalenessSeconds must be a whole number of seconds".into(),
                        })?)
                }
                _ => {}
            }
        }
        choice.validate().map(Some).map_err(|e| Error::InvalidUri {
            message: e.to_string(),
        })
    }

    /// What the header shows: `secondaryPreferred (dc: east, ≤ 120 s)`.
    pub fn label(&self) -> String {
        let mode = match self.mode {
            ReadMode::Primary => "primary",
            ReadMode::PrimaryPreferred => "primaryPreferred",
            ReadMode::Secondary => "secondary",
            ReadMode::SecondaryPreferred => "secondaryPreferred",
            ReadMode::Nearest => "nearest",
        };
        let mut details: Vec<String> = self
            .tags
            .iter()
            .map(|set| match set.is_empty() {
                true => "any".to_string(),
                false => set
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect();
        if let Some(s) = self.max_staleness_seconds {
            details.push(format!("≤ {s} s"));
        }
        match details.is_empty() {
            true => mode.to_string(),
            false => format!("{mode} ({})", details.join("; ")),
        }
    }
}

/// `dc:east,rack:2` (an empty value is the empty set, which matches any member).
fn tag_set(value: &str) -> Result<BTreeMap<String, String>> {
    value
        .split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            pair.split_once(':')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| Error::InvalidUri {
                    message: format!("readPreferenceTags {value:?} must be name:value pairs"),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::profiles::uri::tests::options as opts;

    #[test]
    fn a_uri_read_preference_becomes_the_choice() {
        let choice = ReadPreferenceChoice::from_uri_options(&opts(&[
            ("readpreference", "secondaryPreferred"),
            ("readpreferencetags", "dc:east,rack:2"),
            ("readpreferencetags", ""),
            ("maxstalenessseconds", "120"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(choice.mode, ReadMode::SecondaryPreferred);
        assert_eq!(choice.tags.len(), 2);
        assert_eq!(
            choice.label(),
            "secondaryPreferred (dc: east, rack: 2; any; ≤ 120 s)"
        );
        assert_eq!(ReadPreferenceChoice::from_uri_options(&[]).unwrap(), None);
    }

    #[test]
    fn the_spec_rules_are_kept() {
        for pairs in [
            &[
                ("readpreference", "primary"),
                ("maxstalenessseconds", "120"),
            ][..],
            &[("readpreference", "nearest"), ("maxstalenessseconds", "30")],
            &[("readpreference", "fastest")],
            &[("readpreference", "nearest"), ("readpreferencetags", "dc")],
        ] {
            let err = ReadPreferenceChoice::from_uri_options(&opts(pairs)).unwrap_err();
            assert_eq!(err.code(), "invalid_uri", "{pairs:?}");
        }
    }
}
