//! Connecting to a live server, and the typed errors a user meets when a
//! connection cannot be made: each must arrive, with its code, within 5 s.

mod support;

use mozaiks_core::profiles::profile::SecretSlot;
use std::time::{Duration, Instant};

use mozaiks_core::db::connection::{ConnectOptions, Connection, Topology};
use mozaiks_core::profiles::profile::Environment;
use mozaiks_core::services::seed::{self, SeedOptions};
use mozaiks_core::{Error, Sensitive};
use support::{input, profile, server, unique_db};

const LIMIT: Duration = Duration::from_secs(5);

async fn open_uri(uri: &str, password: Option<&str>) -> (Result<Connection, Error>, Duration) {
    let validated = input(uri, "MozaiksCore").validate("p".into());
    let started = Instant::now();
    let result = match validated {
        Ok(v) => {
            Connection::open(
                &v.profile,
                ConnectOptions {
                    password: password
                        .map(|p| Sensitive::new(p.to_string()))
                        .or(v.new_secret(SecretSlot::Database).cloned()),
                    ..Default::default()
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    (result, started.elapsed())
}

async fn expect_error(uri: &str, code: &str) -> Error {
    let (result, elapsed) = open_uri(uri, None).await;
    let err = result.err().unwrap_or_else(|| panic!("{uri} connected"));
    assert_eq!(err.code(), code, "{uri}: {err}");
    assert!(elapsed < LIMIT, "{uri}: {code} took {elapsed:?}");
    err
}

#[tokio::test]
async fn connects_and_reports_the_server() {
    let (conn, _) = support::connect("conn_ok").await;
    assert!(!conn.server().version.is_empty());
    assert_eq!(conn.server().topology, Topology::Standalone);
    assert!(!conn.is_read_only());
}

#[tokio::test]
async fn a_malformed_uri_is_invalid_uri() {
    expect_error("mongodb://", "invalid_uri").await;
    expect_error("mongodb://h:notaport", "invalid_uri").await;
    expect_error("http://localhost", "invalid_uri").await;
}

#[tokio::test]
async fn an_unknown_host_or_srv_record_is_host_unresolvable() {
    expect_error("mongodb://no-such-host.invalid:27017", "host_unresolvable").await;
    let err = expect_error(
        "mongodb+srv://no-such-cluster.invalid/",
        "host_unresolvable",
    )
    .await;
    assert!(
        matches!(err, Error::HostUnresolvable { host, .. } if host == "no-such-cluster.invalid")
    );
}

#[tokio::test]
async fn a_closed_port_is_a_server_selection_timeout() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    expect_error(
        &format!("mongodb://127.0.0.1:{port}"),
        "server_selection_timeout",
    )
    .await;
}

#[tokio::test]
async fn credentials_the_server_rejects_are_authentication_failed() {
    let uri = server()
        .uri
        .replacen("mongodb://", "mongodb://nobody:wrong@", 1);
    let err = expect_error(&uri, "authentication_failed").await;
    assert!(
        !err.to_string().contains("wrong"),
        "the password leaked: {err}"
    );
}

#[tokio::test]
async fn tls_against_a_plain_server_is_tls_failed() {
    let sep = if server().uri.contains('?') {
        "&"
    } else {
        "/?"
    };
    expect_error(&format!("{}{sep}tls=true", server().uri), "tls_failed").await;
}

#[tokio::test]
async fn the_overview_lists_collections_with_estimated_counts() {
    let db = unique_db("overview");
    let (conn, recorder) = support::connect(&db).await;
    let options = SeedOptions {
        users: 120,
        ..SeedOptions::today(120)
    };
    seed::seed(&conn, &support::audit_log(), &options, Some(&db), |_| {})
        .await
        .unwrap();
    let overview = mozaiks_core::services::overview::overview(&conn)
        .await
        .unwrap();
    assert_eq!(overview.database, db);
    let names: Vec<_> = overview
        .collections
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    for expected in seed::SEEDED_COLLECTIONS {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let users = overview
        .collections
        .iter()
        .find(|c| c.name == "users")
        .unwrap();
    assert_eq!(users.estimated_count, Some(120.0));
    // Counting per-user collections is a deliberate cross-user read.
    let cross_user = recorder
        .commands
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, v)| {
            matches!(
                v,
                mozaiks_core::db::command_check::Verdict::CrossUserRead { .. }
            )
        })
        .count();
    assert_eq!(
        cross_user, 5,
        "settings, notifications and three plugin collections"
    );
}

/// A write context cannot be had on a read-only connection, and asking for
/// one audits nothing; tests/ipc.rs shows every write command refused with
/// data unchanged.
#[tokio::test]
async fn a_read_only_connection_gives_no_write_access() {
    let mut p = profile(&unique_db("readonly"));
    p.read_only = true;
    let conn = Connection::open(&p, ConnectOptions::default())
        .await
        .unwrap();
    assert!(conn.is_read_only());
    let audit = support::audit_log();
    let intent = mozaiks_core::db::audit::Change::new("users", "", "x");
    let refused = mozaiks_core::db::write::WriteContext::begin(&conn, &audit, intent).await;
    assert_eq!(refused.err(), Some(Error::ReadOnly));
    assert!(!audit.path().exists());
}

#[tokio::test]
async fn production_opens_read_only_and_needs_the_name_typed_back() {
    let mut p = profile(&unique_db("prod"));
    p.environment = Environment::Production;
    p.read_only = false;
    let conn = Connection::open(&p, ConnectOptions::default())
        .await
        .unwrap();
    assert!(conn.is_read_only());
    let expected = p.database_name().to_string();
    for wrong in [None, Some("client"), Some("")] {
        assert_eq!(
            conn.set_read_only(false, wrong).unwrap_err(),
            Error::ConfirmationRequired {
                expected: expected.clone()
            }
        );
        assert!(conn.is_read_only());
    }
    conn.set_read_only(false, Some(&expected)).unwrap();
    assert!(!conn.is_read_only());
}

/// A server that goes away mid-session used to give the raw driver string
/// under `database`, then "no server answered within 0 ms". Now: its own
/// code with the profile's real timeout, a sentence for people with the
/// driver's text apart, a health probe that says so, and recovery by itself
/// once the server is back on the same address.
#[tokio::test]
async fn a_lost_server_is_its_own_code_and_the_connection_recovers() {
    if std::env::var("MONGODB_URI").is_ok_and(|u| !u.is_empty()) {
        return; // needs a server this test may kill
    }
    let server = support::start_bundled_server_on(0);
    let port: u16 = server
        .uri
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let mut input = support::input(&server.uri, &unique_db("lost"));
    input.timeout_ms = 1_500;
    let profile = input.validate("lost".into()).unwrap().profile;
    let conn = Connection::open(&profile, ConnectOptions::default())
        .await
        .unwrap();
    let users = mozaiks_core::services::users::UserQuery::default();
    mozaiks_core::services::users::list(&conn, &users)
        .await
        .unwrap();
    assert!(matches!(
        conn.health().await,
        mozaiks_core::db::connection::Health::Connected
    ));

    server.kill();
    let started = std::time::Instant::now();
    let err = mozaiks_core::services::users::list(&conn, &users)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let Error::ConnectionLost {
        timeout_ms,
        message,
        details,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*timeout_ms, 1_500);
    assert!(
        !message.contains("Kind:") && !message.contains("labels"),
        "{message}"
    );
    assert!(!details.is_empty());
    // The next one too: the profile's timeout is kept on every path.
    let again = mozaiks_core::services::users::list(&conn, &users)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "connection_lost");
    assert!(again.to_string().contains("1500 ms"), "{again}");
    assert!(matches!(
        conn.health().await,
        mozaiks_core::db::connection::Health::Lost { .. }
    ));

    let back = support::start_bundled_server_on(port);
    let returned = std::time::Instant::now();
    loop {
        if matches!(
            conn.health().await,
            mozaiks_core::db::connection::Health::Connected
        ) {
            break;
        }
        assert!(
            returned.elapsed() < std::time::Duration::from_secs(10),
            "never came back"
        );
    }
    mozaiks_core::services::users::list(&conn, &users)
        .await
        .unwrap();
    println!("back {:?} after the server returned", returned.elapsed());
    back.kill();
}

/// With `readPreference=secondaryPreferred` in the URI (common for admin
/// tools), the compare-and-set pre-reads, read-backs, ownership and
/// last-superadmin checks went to a possibly lagging secondary. Browsing
/// follows the URI; every handle a write or its deciding read uses is the
/// primary. (A standalone server never receives `$readPreference`, so this
/// is asserted where the `db` layer chooses the handle.)
#[tokio::test]
async fn reads_that_decide_a_write_go_to_the_primary_whatever_the_uri_says() {
    use mongodb::options::{ReadPreference, SelectionCriteria};
    use mozaiks_core::db::audit::Change;
    use mozaiks_core::db::scope::{PerUserCollection, UserScope};
    use mozaiks_core::db::users::Users;
    use mozaiks_core::db::write::WriteContext;

    let db = unique_db("read_pref");
    let uri = format!("{}/?readPreference=secondaryPreferred", server().uri);
    let profile = input(&uri, &db).validate("p".into()).unwrap().profile;
    let (conn, _) = support::connect_profile(&profile).await;
    let is_primary = |c: Option<&SelectionCriteria>| {
        matches!(
            c,
            Some(SelectionCriteria::ReadPreference(ReadPreference::Primary))
        )
    };
    let is_secondary_preferred = |c: Option<&SelectionCriteria>| {
        matches!(
            c,
            Some(SelectionCriteria::ReadPreference(
                ReadPreference::SecondaryPreferred { .. }
            ))
        )
    };
    let user = UserScope::parse("65f0c0ffee0000000000beef").unwrap();
    let settings = || PerUserCollection::parse("settings").unwrap();

    // Browsing follows the URI.
    assert!(is_secondary_preferred(
        Users::new(&conn).selection_criteria()
    ));
    assert!(is_secondary_preferred(
        user.collection(&conn, settings()).selection_criteria()
    ));
    // What decides a write, before and inside its write context.
    assert!(is_primary(Users::primary(&conn).selection_criteria()));
    assert!(is_primary(
        user.primary_collection(&conn, settings())
            .selection_criteria()
    ));
    assert!(is_primary(
        user.primary_owned_collection(&conn, settings())
            .selection_criteria()
    ));
    let audit = support::audit_log();
    let ctx = WriteContext::begin(
        &conn,
        &audit,
        Change::new("settings", user.user_id(), "probe"),
    )
    .await
    .unwrap();
    assert!(is_primary(
        Users::writer(&ctx).reader().selection_criteria()
    ));
    assert!(is_primary(
        user.writer(&ctx, settings()).reader().selection_criteria()
    ));
    assert!(is_primary(
        user.owned_writer(&ctx, settings())
            .reader()
            .selection_criteria()
    ));
}

/// The overview's deployment section: the test server is standalone, so
/// there are no members, routers or shards to list.
#[tokio::test]
async fn the_test_server_is_described_as_standalone() {
    let (conn, _) = support::connect(&unique_db("deployment")).await;
    let d = mozaiks_core::services::topology::deployment(&conn)
        .await
        .unwrap();
    assert_eq!(d.topology, Topology::Standalone);
    assert!(d.members.is_empty() && d.routers.is_empty() && d.shards.is_empty());
}
