//! Headless demo-data seeding: `mozaiks-seed --uri URI [--db NAME] [--users N]
//! [--seed N] [--anchor YYYY-MM-DD] [--if-empty] [--force] [--probe]
//! [--data-dir DIR]`.
//! `--probe` only checks that the server answers (exit 0) or not (exit 1).
//! The seeding is audited in `DIR/audit.jsonl`; without `--data-dir`, in the
//! folder the app keeps its audit trail in (`MOZAIKS_ADMIN_CONFIG_DIR`, else
//! `$XDG_DATA_HOME/dev.mozaiks.admin`, else `~/.local/share/dev.mozaiks.admin`),
//! so it shows on the app's audit screen.

use mozaiks_core::profiles::profile::SecretSlot;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::profiles::profile::{Environment, ProfileInput, DEFAULT_TIMEOUT_MS};
use mozaiks_core::profiles::uri;
use mozaiks_core::services::seed::{self, SeedOptions};

const USAGE: &str = "usage: mozaiks-seed --uri URI [--db NAME] [--users N (default 2000)] \
[--seed N] [--anchor YYYY-MM-DD] [--if-empty] [--force] [--probe] [--data-dir DIR]";

struct Args {
    uri: String,
    db: Option<String>,
    options: SeedOptions,
    if_empty: bool,
    force: bool,
    probe: bool,
    /// Where the audit trail goes; `None`: the app's own folder.
    data_dir: Option<PathBuf>,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut uri = None;
    let mut db = None;
    let mut options = SeedOptions::today(2_000);
    let (mut if_empty, mut force, mut probe) = (false, false, false);
    let mut data_dir = None;
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
            "--data-dir" => {
                let dir = PathBuf::from(value()?);
                if dir.as_os_str().is_empty() {
                    return Err(format!("--data-dir needs a folder\n{USAGE}"));
                }
                data_dir = Some(dir);
            }
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
        data_dir,
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
        ssh: None,
        ssh_secret: None,
        tls: None,
        tls_key_password: None,
        read_preference: None,
        other_databases: None,
    }
    .validate(String::new())?;
    let profile = validated.profile.clone();
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
            password: validated.new_secret(SecretSlot::Database).cloned(),
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
    let dir = args.data_dir.clone().unwrap_or_else(|| {
        app_data_dir(|name| std::env::var_os(name)).unwrap_or_else(|| {
            // No HOME: nowhere the app would look either; keep it beside the run.
            std::env::temp_dir().join("dev.mozaiks.admin")
        })
    });
    let audit = AuditLog::new(&dir);
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

/// Where the app keeps its audit trail, as the app finds it: the folder
/// `MOZAIKS_ADMIN_CONFIG_DIR` points it at, else Tauri's app data folder on
/// Linux (`$XDG_DATA_HOME` or `~/.local/share`, then the app's identifier).
/// An empty variable counts as unset, as it does for the XDG folders.
fn app_data_dir(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |name: &str| var(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("MOZAIKS_ADMIN_CONFIG_DIR") {
        return Some(dir.into());
    }
    let base = var("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| var("HOME").map(|h| Path::new(&h).join(".local/share")))?;
    Some(base.join("dev.mozaiks.admin"))
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::path::{Path, PathBuf};
    use std::process::{Child, ChildStdin, Command, Stdio};

    /// The binary beside this test's (`cargo test --workspace` builds it).
    fn seed_binary() -> PathBuf {
        let exe = std::env::current_exe().unwrap();
        let bin = exe.parent().unwrap().parent().unwrap().join("mozaiks-seed");
        assert!(
            bin.exists(),
            "{} is missing: run `cargo build --bins` first",
            bin.display()
        );
        bin
    }

    /// `MONGODB_URI`, or the bundled test server (gone when `_stdin` closes).
    fn server() -> (String, Option<(Child, ChildStdin)>) {
        if let Some(uri) = std::env::var("MONGODB_URI").ok().filter(|u| !u.is_empty()) {
            return (uri, None);
        }
        let run = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/mongo-server/run");
        let mut child = Command::new(run)
            .args(["--port", "0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {run}: {e}"));
        let line = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next()
            .and_then(Result::ok)
            .expect("the test server printed no URI");
        let uri = line.strip_prefix("MONGODB_URI=").unwrap().to_string();
        let stdin = child.stdin.take().unwrap();
        (uri, Some((child, stdin)))
    }

    fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_under(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    #[test]
    fn the_audit_folder_is_the_flag_then_the_apps_folder() {
        let args = |a: &[&str]| super::parse(a.iter().map(|s| s.to_string()));
        let given = args(&["--uri", "mongodb://h", "--data-dir", "/tmp/given"]).unwrap();
        assert_eq!(given.data_dir, Some(PathBuf::from("/tmp/given")));
        assert_eq!(args(&["--uri", "mongodb://h"]).unwrap().data_dir, None);
        assert!(args(&["--uri", "mongodb://h", "--data-dir"]).is_err());
        assert!(args(&["--uri", "mongodb://h", "--data-dir", ""]).is_err());

        let env = |pairs: &'static [(&str, &str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let dir = |pairs: &'static [(&str, &str)]| super::app_data_dir(env(pairs));
        assert_eq!(
            dir(&[("MOZAIKS_ADMIN_CONFIG_DIR", "/a/app"), ("HOME", "/h")]),
            Some(PathBuf::from("/a/app"))
        );
        assert_eq!(
            dir(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")]),
            Some(PathBuf::from("/x/dev.mozaiks.admin"))
        );
        // Empty or relative, XDG_DATA_HOME is not used (the XDG rule, as Tauri reads it).
        let home = Some(PathBuf::from("/h/.local/share/dev.mozaiks.admin"));
        assert_eq!(dir(&[("XDG_DATA_HOME", ""), ("HOME", "/h")]), home);
        assert_eq!(dir(&[("XDG_DATA_HOME", "rel"), ("HOME", "/h")]), home);
        assert_eq!(dir(&[]), None);
    }

    /// The end-to-end run seeded `MozaiksE2E_<pid>` into the user's real
    /// audit trail: the seed wrote where `$HOME` said, not where the run
    /// pointed the app. Here `$HOME` and the XDG folders are folders of the
    /// test's own, so any file the seed writes outside the one it is given
    /// is seen.
    #[test]
    fn the_seed_writes_its_audit_in_the_folder_it_is_given_and_nowhere_else() {
        let (uri, server) = server();
        let scratch = tempfile::tempdir().unwrap();
        let at = |p: &str| scratch.path().join(p);
        for dir in ["home", "xdg-data", "xdg-config"] {
            std::fs::create_dir(at(dir)).unwrap();
        }
        let cases: [(&str, Vec<String>, Option<PathBuf>, PathBuf); 3] = [
            // --data-dir wins over the app's folder variable.
            (
                "flag",
                vec!["--data-dir".into(), at("given").display().to_string()],
                Some(at("app")),
                at("given/audit.jsonl"),
            ),
            // The folder the app is pointed at, as the app reads it.
            ("app folder", vec![], Some(at("app")), at("app/audit.jsonl")),
            // Neither: the app's data folder under XDG_DATA_HOME.
            (
                "default",
                vec![],
                None,
                at("xdg-data/dev.mozaiks.admin/audit.jsonl"),
            ),
        ];
        for (i, (case, args, app_dir, expected)) in cases.into_iter().enumerate() {
            let db = format!("t_seedcli_{}_{i}", std::process::id());
            let mut cmd = Command::new(seed_binary());
            cmd.args(["--uri", &uri, "--db", &db, "--users", "5"])
                .args(&args)
                .env("HOME", at("home"))
                .env("XDG_DATA_HOME", at("xdg-data"))
                .env("XDG_CONFIG_HOME", at("xdg-config"))
                .env_remove("MOZAIKS_ADMIN_CONFIG_DIR")
                .env_remove("DATABASE_URI");
            if let Some(dir) = &app_dir {
                cmd.env("MOZAIKS_ADMIN_CONFIG_DIR", dir);
            }
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "{case}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut written = Vec::new();
            files_under(scratch.path(), &mut written);
            assert_eq!(
                written,
                vec![expected.clone()],
                "{case}: every file written"
            );
            let trail = std::fs::read_to_string(&expected).unwrap();
            assert!(
                trail.contains(&db) && trail.contains("seed_demo_data"),
                "{case}: {trail}"
            );
            std::fs::remove_file(&expected).unwrap();
        }
        drop(server);
    }
}
