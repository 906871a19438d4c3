//! Headless demo-data seeding: `mozaiks-seed --uri URI [--db NAME] [--users N]
//! [--seed N] [--anchor YYYY-MM-DD] [--if-empty] [--force] [--probe]`.
//! `--probe` only checks that the server answers (exit 0) or not (exit 1).

use std::io::Write;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::profiles::profile::{Environment, ProfileInput, DEFAULT_TIMEOUT_MS};
use mozaiks_core::profiles::uri;
use mozaiks_core::services::seed::{self, SeedOptions};

const USAGE: &str = "usage: mozaiks-seed --uri URI [--db NAME] [--users N (default 2000)] \
[--seed N] [--anchor YYYY-MM-DD] [--if-empty] [--force] [--probe]";

struct Args {
    uri: String,
    db: Option<String>,
    options: SeedOptions,
    if_empty: bool,
    force: bool,
    probe: bool,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut uri = None;
    let mut db = None;
    let mut options = SeedOptions::today(2_000);
    let (mut if_empty, mut force, mut probe) = (false, false, false);
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--uri" => uri = Some(value()?),
            "--db" => db = Some(value()?),
            "--users" => options.users = value()?.parse().map_err(|e| format!("--users: {e}"))?,
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--anchor" => {
                let day: NaiveDate = value()?.parse().map_err(|e| format!("--anchor: {e}"))?;
                options.anchor = day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            }
            "--if-empty" => if_empty = true,
            "--force" => force = true,
            "--probe" => probe = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let uri = uri
        .or_else(|| std::env::var("DATABASE_URI").ok())
        .ok_or(format!("--uri or DATABASE_URI is required\n{USAGE}"))?;
    Ok(Args {
        uri,
        db,
        options,
        if_empty,
        force,
        probe,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mozaiks-seed: {e} [{}]", e.code());
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> mozaiks_core::Result<()> {
    let validated = ProfileInput {
        name: "seed".into(),
        uri: args.uri.clone(),
        username: None,
        password: None,
        remember_password: false,
        database: args.db.clone(),
        environment: Environment::Development,
        read_only: false,
        color: "#000000".into(),
        timeout_ms: DEFAULT_TIMEOUT_MS,
        audit_to_database: false,
        analytics_from_secondaries: false,
    }
    .validate(String::new())?;
    let profile = validated.profile;
    let database = profile.database_name().to_string();
    if database == Environment::Production.default_database() && !args.force && !args.probe {
        return Err(mozaiks_core::Error::invalid(
            "db",
            "refusing to seed the production database `client` without --force",
        ));
    }
    let conn = Connection::open(
        &profile,
        ConnectOptions {
            password: validated.new_password,
            ..Default::default()
        },
    )
    .await?;
    if args.probe {
        conn.close().await;
        return Ok(());
    }
    if args.if_empty && seed::has_users(&conn).await? {
        eprintln!("{database} already has users; not seeding");
        return Ok(());
    }
    eprintln!(
        "seeding {} users into {database} at {} (anchor {})",
        args.options.users,
        uri::redact(&args.uri),
        args.options.anchor.format("%Y-%m-%d")
    );
    let started = Utc::now();
    let mut last_line = std::time::Instant::now();
    // --force is the CLI's way of typing the database name back.
    let confirmation = args.force.then_some(database.as_str());
    let audit = AuditLog::new(&audit_dir());
    let report = seed::seed(&conn, &audit, &args.options, confirmation, |p| {
        if last_line.elapsed().as_millis() >= 500 || p.written == p.expected {
            last_line = std::time::Instant::now();
            eprint!(
                "\r{:<20} {:>8}/{} users",
                p.collection, p.written, p.expected
            );
            if p.written == p.expected {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
    })
    .await
    .map_err(|e| match e {
        mozaiks_core::Error::ConfirmationRequired { .. } => mozaiks_core::Error::invalid(
            "db",
            format!("{database} holds documents; pass --force to replace them"),
        ),
        other => other,
    })?;
    for c in &report.collections {
        println!("{:<20} {:>10} documents", c.name, c.documents);
    }
    println!(
        "done in {:.1} s",
        (Utc::now() - started).num_milliseconds() as f64 / 1000.0
    );
    conn.close().await;
    Ok(())
}

/// Where the app keeps its audit trail (Tauri's app data dir on Linux), so
/// the CLI's seeding shows up in the app's audit screen.
fn audit_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("MOZAIKS_ADMIN_CONFIG_DIR") {
        return dir.into();
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("dev.mozaiks.admin")
}
