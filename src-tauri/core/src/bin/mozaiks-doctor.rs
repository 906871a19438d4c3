//! The index-health report headless, for the platform's CI:
//! `mozaiks-doctor [--uri URI] [--db NAME] [--json]` (the URI defaults to
//! `DATABASE_URI`, the database to `ENV`'s). Exit 0 when every required
//! index is as the platform needs it, 1 when one is not, 2 on bad
//! arguments, 3 when the database cannot be reached. Secrets never printed.

use std::process::ExitCode;

use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::profiles::profile::{Environment, ProfileInput, DEFAULT_TIMEOUT_MS};
use mozaiks_core::profiles::uri;
use mozaiks_core::services::index_health::{self, IndexState};

const USAGE: &str = "usage: mozaiks-doctor [--uri URI] [--db NAME] [--json]";

#[tokio::main]
async fn main() -> ExitCode {
    let (mut uri, mut db, mut json) = (std::env::var("DATABASE_URI").ok(), None, false);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--uri" => uri = args.next(),
            "--db" => db = args.next(),
            "--json" => json = true,
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
    };
    let validated = match input.validate(String::new()) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("mozaiks-doctor: {e} [{}]", e.code());
            return ExitCode::from(2);
        }
    };
    let options = ConnectOptions {
        password: validated.new_password,
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
        println!(
            "index health of {}: {} / 100",
            validated.profile.database_name(),
            report.score
        );
        for c in &report.collections {
            println!("\n{} ({:.0})", c.collection, c.score);
            for check in &c.checks {
                let mark = match check.state {
                    IndexState::Ok => "ok      ",
                    IndexState::Extra => "extra   ",
                    IndexState::Redundant => "redund. ",
                    IndexState::Missing => "MISSING ",
                    IndexState::MissingUnique => "UNIQUE! ",
                    IndexState::TtlMismatch => "TTL!    ",
                    IndexState::Unused => "unused  ",
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
    }
    if report.problems > 0.0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
