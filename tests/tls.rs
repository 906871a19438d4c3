//! TLS files per profile against a real TLS terminator (stunnel) in front
//! of the test database: each failure is `tls_failed` with its real cause
//! as a sentence, and each switch that relaxes a check does only that.

mod support;

use mozaiks_core::db::connection::{ConnectOptions, Connection};
use mozaiks_core::profiles::tls::TlsSettings;
use mozaiks_core::services::overview;
use mozaiks_core::workspace::ConnectStep;
use mozaiks_core::{Error, Sensitive};
use support::bastion::database_address;
use support::tls_terminator::{Terminator, KEY_PASSWORD};

fn terminator(dir: &std::path::Path) -> Terminator {
    let (host, port) = database_address(&support::server().uri);
    Terminator::start(&dir.join("tls"), &format!("{host}:{port}"))
}

async fn open(
    host: &str,
    port: u16,
    tls: TlsSettings,
    key_password: Option<&str>,
) -> Result<Connection, Error> {
    let mut input = support::input(
        &format!("mongodb://{host}:{port}"),
        &support::unique_db("tls"),
    );
    input.tls = Some(tls);
    input.tls_key_password = key_password.map(|p| Sensitive::new(p.into()));
    let validated = input.validate("tls".into())?;
    Connection::open(
        &validated.profile,
        ConnectOptions {
            tls_key_password: key_password.map(|p| Sensitive::new(p.into())),
            ..Default::default()
        },
    )
    .await
}

fn trusting(t: &Terminator) -> TlsSettings {
    TlsSettings {
        ca_file: Some(t.file("ca.pem")),
        ..Default::default()
    }
}

fn assert_tls_failed(result: Result<Connection, Error>, cause: &str) {
    match result {
        Err(Error::TlsFailed { message }) => {
            assert!(message.contains(cause), "{cause:?} not in {message:?}")
        }
        Err(other) => panic!("expected tls_failed ({cause}), got {other:?}"),
        Ok(_) => panic!("expected tls_failed ({cause}), connected"),
    }
}

#[tokio::test]
async fn the_profiles_ca_is_trusted_and_every_bad_certificate_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let t = terminator(dir.path());
    let conn = open("localhost", t.good, trusting(&t), None).await.unwrap();
    overview::overview(&conn).await.unwrap();
    // What Test connection lists as passed: TLS, then the server.
    assert_eq!(
        ConnectStep::path(&conn),
        [ConnectStep::Tls, ConnectStep::Server]
    );
    assert!(conn.route().tls && conn.route().warnings.is_empty());
    conn.close().await;

    let untrusted = "signed by a CA this profile does not trust";
    assert_tls_failed(
        open("localhost", t.good, TlsSettings::default(), None).await,
        untrusted,
    );
    assert_tls_failed(
        open("localhost", t.other_ca, trusting(&t), None).await,
        untrusted,
    );
    assert_tls_failed(
        open("localhost", t.expired, trusting(&t), None).await,
        "has expired",
    );
    assert_tls_failed(
        open("localhost", t.wrong_host, trusting(&t), None).await,
        "not for this host name",
    );
}

#[tokio::test]
async fn each_relaxed_check_lets_only_its_own_failure_through() {
    let dir = tempfile::tempdir().unwrap();
    let t = terminator(dir.path());
    let any_host = TlsSettings {
        allow_invalid_hostnames: true,
        ..trusting(&t)
    };
    open("localhost", t.wrong_host, any_host.clone(), None)
        .await
        .unwrap()
        .close()
        .await;
    assert_tls_failed(
        open("localhost", t.expired, any_host, None).await,
        "has expired",
    );
    let any_certificate = TlsSettings {
        allow_invalid_certificates: true,
        ..Default::default()
    };
    open("localhost", t.expired, any_certificate.clone(), None)
        .await
        .unwrap()
        .close()
        .await;
    open("localhost", t.other_ca, any_certificate, None)
        .await
        .unwrap()
        .close()
        .await;
}

#[tokio::test]
async fn a_listener_that_requires_a_client_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let t = terminator(dir.path());
    assert_tls_failed(
        open("localhost", t.client_required, trusting(&t), None).await,
        "requires a client certificate",
    );
    let with_cert = TlsSettings {
        cert_key_file: Some(t.file("client.pem")),
        ..trusting(&t)
    };
    let conn = open("localhost", t.client_required, with_cert, None)
        .await
        .unwrap();
    overview::overview(&conn).await.unwrap();
    conn.close().await;

    let encrypted = TlsSettings {
        cert_key_file: Some(t.file("client-encrypted.pem")),
        key_password: true,
        ..trusting(&t)
    };
    open(
        "localhost",
        t.client_required,
        encrypted.clone(),
        Some(KEY_PASSWORD),
    )
    .await
    .unwrap()
    .close()
    .await;
    assert_tls_failed(
        open(
            "localhost",
            t.client_required,
            encrypted,
            Some("wrong password"),
        )
        .await,
        "could not be decrypted",
    );
}
