//! The index-health report headless, for the platform's CI:
//! `mozaiks-doctor [--uri URI] [--db NAME] [--json]` (the URI defaults to
//! `DATABASE_URI`, the database to `ENV`'s). Exit 0 when every required
//! index is as the platform needs it, 1 when one is not, 2 on bad
//! arguments, 3 when the database cannot be reached, 4 when no required
//! index is wrong but some collections could not be checked (a time limit,
//! a refused read: each is named with its reason). Secrets never printed.

use mozaiks_core::profiles::profile::SecretSlot;
use std::process::ExitCode;

use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::profiles::profile::{Environment, ProfileInput, DEFAULT_TIMEOUT_MS};
use mozaiks_core::profiles::uri;
use mozaiks_core::services::index_health::{self, IndexState};

const USAGE: &str = "usage: mozaiks-doctor [--uri URI] [--db NAME] [--json]

Checks every core and plugin collection's indexes against the platform's
required set. The URI defaults to DATABASE_URI, the database to ENV's.

exit codes:
  0  every required index is as the platform needs it
  1  a required index is missing or not as it should be
  2  bad arguments
  3  the database cannot be reached
  4  no required index is wrong, but some collections could not be checked
     (each is listed with its reason)";

#[tokio::main]
async fn main() -> ExitCode {
    let (mut uri, mut db, mut json) = (std::env::var("DATABASE_URI").ok(), None, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--uri" => uri = args.next(),
            "--db" => db = args.next(),
            "--json" => json = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(uri) = uri else {
        eprintln!("--uri or DATABASE_URI is required\n{USAGE}");
        return ExitCode::from(2);
    };
    let input = ProfileInput {
        name: "doctor".into(),
        uri: uri.clone(),
        username: None,
        password: None,
        remember_password: false,
        database: db,
        environment: Environment::from_env_value(std::env::var("ENV").ok().as_deref()),
        read_only: true,
        color: "#000000".into(),
        timeout_ms: DEFAULT_TIMEOUT_MS,
        audit_to_database: false,
        analytics_from_secondaries: false,
        ssh: None,
        ssh_secret: None,
        tls: None,
        tls_key_password: None,
        read_preference: None,
        other_databases: None,
    };
    let validated = match input.validate(String::new()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("mozaiks-doctor: {e} [{}]", e.code());
            return ExitCode::from(2);
        }
    };
    let options = ConnectOptions {
        password: validated.new_secret(SecretSlot::Database).cloned(),
        ..Default::default()
    };
    let conn = match Connection::open(&validated.profile, options).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "mozaiks-doctor: {} at {} [{}]",
                e,
                uri::redact(&uri),
                e.code()
            );
            return ExitCode::from(3);
        }
    };
    let report = index_health::report(&conn, index_health::CONCURRENCY, |_| {}).await;
    conn.close().await;
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mozaiks-doctor: {e} [{}]", e.code());
            return ExitCode::from(3);
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a report serializes")
        );
    } else {
        let score = |s: Option<f64>| s.map_or("?".to_string(), |s| format!("{s}"));
        println!(
            "index health of {}: {} / 100",
            validated.profile.database_name(),
            score(report.score)
        );
        for c in &report.collections {
            if let Some(reason) = &c.unchecked {
                println!("\n{} (not checked)", c.collection);
                println!("  UNKNOWN  could not be checked: {reason}");
                continue;
            }
            println!("\n{} ({:.0})", c.collection, c.score.unwrap_or_default());
            for check in &c.checks {
                let mark = match check.state {
                    IndexState::Ok => "ok      ",
                    IndexState::Extra => "extra   ",
                    IndexState::Redundant => "redund. ",
                    IndexState::Missing => "MISSING ",
                    IndexState::MissingUnique => "UNIQUE! ",
                    IndexState::TtlMismatch => "TTL!    ",
                    IndexState::Unused => "unused  ",
                    IndexState::TooEarly => "too new ",
                    IndexState::Building => "BUILDING",
                    IndexState::Suggested => "suggest ",
                    IndexState::OptionsDiffer => "OPTIONS!",
                };
                let unused = match &check.unused_since {
                    Some(since) => format!(" (no use since {since})"),
                    None => String::new(),
                };
                println!("  {mark} {:<40} {}{unused}", check.keys, check.detail);
            }
        }
        if let Some(note) = &report.usage_note {
            println!("\n{note}");
        }
        if !report.usage_members.is_empty() {
            println!("\nusage summed over {}", report.usage_members.join(", "));
        }
        println!("\n{} required index problem(s)", report.problems);
        let unchecked: Vec<&str> = report.unchecked().map(|c| c.collection.as_str()).collect();
        if !unchecked.is_empty() {
            println!(
                "{} collection(s) could not be checked: {}",
                unchecked.len(),
                unchecked.join(", ")
            );
        }
    }
    ExitCode::from(exit_code(&report))
}

/// The exit code a report gives: a required index found wrong (1) comes
/// before collections that could not be checked (4).
fn exit_code(report: &index_health::HealthReport) -> u8 {
    if report.problems > 0.0 {
        1
    } else if report.unchecked().next().is_some() {
        4
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mozaiks_core::schema::CollectionKind;
    use mozaiks_core::services::index_health::{assemble, rules_for, Inspection};

    fn bare(collection: &str) -> Inspection {
        Inspection {
            collection: collection.into(),
            kind: CollectionKind::Core,
            rules: rules_for(collection, &[]),
            actual: Vec::new(),
            usage: None,
            usage_note: None,
            sizes: Default::default(),
        }
    }

    fn timed_out() -> mozaiks_core::Error {
        mozaiks_core::Error::TimeLimit {
            message: "The server stopped the operation at its time limit".into(),
        }
    }

    #[test]
    fn exit_codes_tell_problems_from_collections_not_checked() {
        let now = chrono::Utc::now();
        let code = |inspected| exit_code(&assemble(inspected, now).expect("a report"));
        assert_eq!(code(vec![]), 0, "nothing wrong");
        assert_eq!(
            code(vec![("settings".into(), Ok(bare("settings")))]),
            1,
            "a required index missing"
        );
        assert_eq!(
            code(vec![("notes_notes".into(), Err(timed_out()))]),
            4,
            "a collection could not be checked"
        );
        assert_eq!(
            code(vec![
                ("settings".into(), Ok(bare("settings"))),
                ("notes_notes".into(), Err(timed_out())),
            ]),
            1,
            "a problem found outweighs one not looked for"
        );
    }
}
