//! Credentials split out of a URI, stored and put back at connect must be
//! the ones the driver reads from the URI the user pasted: user name,
//! password, auth database, mechanism and its properties. The test server
//! never authenticates, so this is shown two ways: against the driver's own
//! parser over the MongoDB specifications' public cases, and on the wire,
//! where a listener records the authentication the app's connection starts.

use mozaiks_core::profiles::profile::SecretSlot;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use mongodb::bson::{doc, Document};
use mongodb::options::{ClientOptions, Credential};
use mozaiks_core::db::connection::client_options;
use mozaiks_core::profiles::profile::{
    Environment, PasswordMode, Profile, ProfileInput, DEFAULT_TIMEOUT_MS,
};
use mozaiks_core::profiles::secrets::SecretStore;
use mozaiks_core::workspace::Workspace;
use mozaiks_core::{Error, Sensitive};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

struct Case {
    file: String,
    description: String,
    uri: String,
}

/// The cases as `tests/data/auth-connection-strings.json` lists them.
fn spec_cases() -> Vec<Case> {
    let data: serde_json::Value =
        serde_json::from_str(include_str!("data/auth-connection-strings.json")).unwrap();
    let text = |c: &serde_json::Value, key: &str| c[key].as_str().unwrap().to_string();
    data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            file: text(c, "file"),
            description: text(c, "description"),
            uri: text(c, "uri"),
        })
        .collect()
}

fn input(uri: &str) -> ProfileInput {
    ProfileInput {
        name: "spec case".into(),
        uri: uri.into(),
        username: None,
        password: None,
        remember_password: true,
        database: None,
        environment: Environment::Development,
        read_only: false,
        color: "#1e90ff".into(),
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
}

/// What the app hands the driver for a pasted URI: validated into a
/// profile, through the profiles file (JSON) and the keychain, reassembled.
/// `typed` is a password the user gives in the form (the app asks for one
/// when the URI names a user but no password and the mechanism needs one).
async fn app_credential(uri: &str, typed: Option<&str>) -> Result<Option<Credential>, Error> {
    let mut form = input(uri);
    form.password = typed.map(|p| Sensitive::new(p.to_string()));
    let validated = form.validate("p".into())?;
    let stored: Profile =
        serde_json::from_str(&serde_json::to_string(&validated.profile).unwrap()).unwrap();
    let password = match stored.password {
        PasswordMode::None => None,
        PasswordMode::Keychain | PasswordMode::Ask => Some(
            validated
                .new_secret(SecretSlot::Database)
                .cloned()
                .ok_or(Error::PasswordRequired)?,
        ),
    };
    Ok(client_options(&stored, password.as_ref()).await?.credential)
}

/// The five parts of a credential the specifications name: user name,
/// password, source, mechanism and its properties.
type Parts = (
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<Document>,
);

fn parts(c: &Option<Credential>) -> Option<Parts> {
    c.as_ref().map(|c| {
        (
            c.username.clone(),
            c.password.clone(),
            c.source.clone(),
            format!("{:?}", c.mechanism),
            c.mechanism_properties.clone(),
        )
    })
}

#[tokio::test]
async fn credentials_survive_split_store_and_reassembly_as_the_driver_reads_them() {
    let cases = spec_cases();
    let (mut compared, mut both_refused, mut kept_out) = (0, 0, Vec::new());
    let (mut asked, mut differences) = (0, Vec::new());
    for case in &cases {
        let mut driver = ClientOptions::parse(&case.uri).await;
        let mut app = app_credential(&case.uri, None).await;
        let name = format!("{} / {}: {}", case.file, case.description, case.uri);
        // A user without a password: the app asks for it. With one typed,
        // the credential must be the driver's with that password.
        if let (Ok(d), Err(Error::PasswordRequired)) = (&mut driver, &app) {
            if let Some(c) = d.credential.as_mut().filter(|c| c.password.is_none()) {
                asked += 1;
                c.password = Some("typed".into());
                app = app_credential(&case.uri, Some("typed")).await;
            }
        }
        match (driver, app) {
            (Ok(driver), Ok(app)) => {
                compared += 1;
                if parts(&driver.credential) != parts(&app) {
                    differences.push(format!(
                        "{name}\n  driver {:?}\n  app    {:?}",
                        parts(&driver.credential),
                        parts(&app)
                    ));
                }
            }
            (Err(_), Err(_)) => both_refused += 1,
            // On purpose: a session token is a secret and may not sit in a
            // profile's URI; a raw @ in the options cannot be told from the
            // end of a password holding a raw ? (`%40` writes one).
            (Ok(_), Err(e))
                if ["holds a secret", "percent-encode"]
                    .iter()
                    .any(|why| e.to_string().contains(why)) =>
            {
                kept_out.push(format!("{name} ({e})"))
            }
            (Ok(_), Err(e)) => differences.push(format!("{name}\n  app refused: {e}")),
            (Err(e), Ok(_)) => differences.push(format!("{name}\n  driver refused: {e}")),
        }
    }
    println!(
        "{} URIs: {compared} credentials compared ({asked} with the password the app asks for), \
         {both_refused} refused by both, {} refused on purpose, {} differences",
        cases.len(),
        kept_out.len(),
        differences.len()
    );
    for k in &kept_out {
        println!("  kept out: {k}");
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(compared >= 35, "only {compared} compared");
    assert!(kept_out.len() <= 2, "{kept_out:?}");
}

/// Just enough of the wire protocol to see what authentication a client
/// starts: `hello` is answered as a standalone server; a `saslStart`, or the
/// speculative one a `hello` carries, is recorded as (`$db`, mechanism) and
/// refused.
async fn auth_listener() -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                while let Some((request_id, command)) = read_op_msg(&mut socket).await {
                    let reply = answer(&command, &record);
                    if write_op_msg(&mut socket, request_id, &reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, seen)
}

fn answer(command: &Document, record: &Mutex<Vec<(String, String)>>) -> Document {
    let name = command.keys().next().cloned().unwrap_or_default();
    let mechanism = |d: &Document| d.get_str("mechanism").unwrap_or("?").to_string();
    if let Ok(speculative) = command.get_document("speculativeAuthenticate") {
        let db = speculative.get_str("db").unwrap_or("?").to_string();
        record.lock().unwrap().push((db, mechanism(speculative)));
    }
    match name.as_str() {
        "hello" | "isMaster" | "ismaster" => doc! {
            "helloOk": true, "isWritablePrimary": true, "ismaster": true,
            "maxBsonObjectSize": 16_777_216, "maxMessageSizeBytes": 48_000_000,
            "maxWriteBatchSize": 100_000, "localTime": mongodb::bson::DateTime::now(),
            "logicalSessionTimeoutMinutes": 30, "connectionId": 1,
            "minWireVersion": 0, "maxWireVersion": 13, "readOnly": false, "ok": 1.0,
        },
        "saslStart" => {
            let db = command.get_str("$db").unwrap_or("?").to_string();
            record.lock().unwrap().push((db, mechanism(command)));
            doc! { "ok": 0.0, "errmsg": "Authentication failed.", "code": 18, "codeName": "AuthenticationFailed" }
        }
        _ => doc! { "ok": 0.0, "errmsg": "not here", "code": 59, "codeName": "CommandNotFound" },
    }
}

/// One OP_MSG (opcode 2013) request: its id and its body document.
async fn read_op_msg(socket: &mut tokio::net::TcpStream) -> Option<(i32, Document)> {
    let mut header = [0u8; 16];
    socket.read_exact(&mut header).await.ok()?;
    let length = i32::from_le_bytes(header[0..4].try_into().unwrap()) as usize;
    let request_id = i32::from_le_bytes(header[4..8].try_into().unwrap());
    let opcode = i32::from_le_bytes(header[12..16].try_into().unwrap());
    let mut body = vec![0u8; length.checked_sub(16)?];
    socket.read_exact(&mut body).await.ok()?;
    if opcode != 2013 {
        return None;
    }
    // flagBits, then sections; the command is the kind-0 section.
    let mut at = 4;
    while at < body.len() {
        let kind = body[at];
        at += 1;
        let size = i32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
        if kind == 0 {
            return Document::from_reader(&body[at..at + size])
                .ok()
                .map(|d| (request_id, d));
        }
        at += size;
    }
    None
}

async fn write_op_msg(
    socket: &mut tokio::net::TcpStream,
    response_to: i32,
    reply: &Document,
) -> std::io::Result<()> {
    let mut doc_bytes = Vec::new();
    reply.to_writer(&mut doc_bytes).unwrap();
    let length = 16 + 4 + 1 + doc_bytes.len();
    let mut out = Vec::with_capacity(length);
    out.extend((length as i32).to_le_bytes());
    out.extend(1i32.to_le_bytes());
    out.extend(response_to.to_le_bytes());
    out.extend(2013i32.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out.push(0);
    out.extend(doc_bytes);
    socket.write_all(&out).await
}

#[derive(Default)]
struct MemorySecrets(Mutex<HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn set(&self, id: &str, secret: &Sensitive<String>) -> mozaiks_core::Result<()> {
        self.0
            .lock()
            .unwrap()
            .insert(id.into(), secret.expose().clone());
        Ok(())
    }
    fn get(&self, id: &str) -> mozaiks_core::Result<Option<Sensitive<String>>> {
        Ok(self.0.lock().unwrap().get(id).cloned().map(Sensitive::new))
    }
    fn delete(&self, id: &str) -> mozaiks_core::Result<()> {
        self.0.lock().unwrap().remove(id);
        Ok(())
    }
}

/// A profile saved from a pasted URI, its password in the keychain, then
/// connected: the authentication on the wire names the URI's auth database
/// and mechanism.
#[tokio::test]
async fn the_stored_password_authenticates_against_the_uris_auth_database() {
    let (port, seen) = auth_listener().await;
    let dir = tempfile::tempdir().unwrap();
    let workspace = Workspace::new(dir.path(), dir.path(), Arc::new(MemorySecrets::default()));
    for (uri, db, mechanism) in [
        ("/?authSource=MozaiksCore", "MozaiksCore", None),
        ("/MozaiksCore", "MozaiksCore", None),
        (
            "/?authSource=MozaiksCore&authMechanism=SCRAM-SHA-256",
            "MozaiksCore",
            Some("SCRAM-SHA-256"),
        ),
        (
            "/app?authSource=admin&authMechanism=SCRAM-SHA-1",
            "admin",
            Some("SCRAM-SHA-1"),
        ),
        ("/", "admin", None),
    ] {
        seen.lock().unwrap().clear();
        let mut profile_input = input(&format!("mongodb://admin:s3cret@127.0.0.1:{port}{uri}"));
        profile_input.timeout_ms = 1_500;
        let profile = workspace.create_profile(profile_input).await.unwrap();
        assert_eq!(profile.password, PasswordMode::Keychain);
        assert!(!profile.uri.contains("s3cret") && !profile.uri.contains("admin:"));
        let err = workspace.connect(&profile.id, None).await.unwrap_err();
        assert_ne!(err.code(), "invalid_uri", "{uri}: {err}");
        let attempts = seen.lock().unwrap().clone();
        assert!(
            !attempts.is_empty(),
            "{uri}: no authentication was started ({err})"
        );
        for (seen_db, seen_mechanism) in &attempts {
            assert_eq!(seen_db, db, "{uri}: authenticated against {seen_db}");
            if let Some(m) = mechanism {
                assert_eq!(seen_mechanism, m, "{uri}");
            }
        }
        println!("{uri}: {attempts:?} ({})", err.code());
    }
}
