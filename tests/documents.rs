//! Editing one document from the collection browser against a live server:
//! a document holding every BSON type the server stores comes back to the
//! UI as canonical Extended JSON, saves unchanged as nothing, and a change
//! to one field leaves every other stored byte (and the field order) as it
//! was; two editors of one document never overwrite each other; and the
//! places a document may not be written say so, changing nothing.

mod support;

use mongodb::bson::{
    doc, oid::ObjectId, spec::BinarySubtype, Binary, Bson, DateTime, Decimal128, Document,
    JavaScriptCodeWithScope, Regex, Timestamp,
};
use mozaiks_core::db::audit::AuditLog;
use mozaiks_core::db::query::QueryInput;
use mozaiks_core::profiles::profile::OtherDatabases;
use mozaiks_core::schema::PlatformDatabase;
use mozaiks_core::services::browse;
use mozaiks_core::services::documents::{self, Saved};
use serde_json::Value;
use support::{connect, connect_profile, input, raw_db, server, unique_db};

const CORE: PlatformDatabase = PlatformDatabase::Core;

fn bytes(d: &Document) -> Vec<u8> {
    mongodb::bson::to_vec(d).unwrap()
}

fn value_bytes(v: &Bson) -> Vec<u8> {
    mongodb::bson::to_vec(&doc! { "v": v.clone() }).unwrap()
}

/// Every BSON type, with the values other tools lose: 1.0 as a Double,
/// -0.0, NaN, ±Infinity, Int32 against Int64, Decimal128, dates before
/// 1970 and after 9999, binary subtypes, a regex's options, Timestamp,
/// MinKey/MaxKey, code, and a DBRef-shaped document, in a field order that
/// is not alphabetical.
fn every_type(id: ObjectId, owner: Option<&str>) -> Document {
    let binary = |subtype: BinarySubtype, bytes: Vec<u8>| Bson::Binary(Binary { subtype, bytes });
    let mut d = doc! {
        "_id": id,
        "zeta": "first of the fields, not by name",
        "double_one": 1.0,
        "negative_zero": -0.0,
        "not_a_number": f64::NAN,
        "infinity": f64::INFINITY,
        "minus_infinity": f64::NEG_INFINITY,
        "int32": 7_i32,
        "int64": 7_i64,
        "big_int64": 9_007_199_254_740_993_i64,
        "decimal": "1234.5600".parse::<Decimal128>().unwrap(),
        "decimal_negative_zero": "-0".parse::<Decimal128>().unwrap(),
        "before_1970": DateTime::from_millis(-2_208_988_800_000),
        "after_9999": DateTime::from_millis(253_402_300_800_001),
        "binary_generic": binary(BinarySubtype::Generic, vec![0, 1, 2, 255]),
        "binary_uuid_old": binary(BinarySubtype::UuidOld, vec![7; 16]),
        "binary_uuid": binary(BinarySubtype::Uuid, vec![9; 16]),
        "binary_user": binary(BinarySubtype::UserDefined(0x80), vec![1, 2, 3]),
        "regex": Regex { pattern: "^a.b$".into(), options: "imsx".into() },
        "timestamp": Timestamp { time: 1_700_000_000, increment: 42 },
        "min": Bson::MinKey,
        "max": Bson::MaxKey,
        "code": Bson::JavaScriptCode("function () { return 1; }".into()),
        "reference": { "$ref": "users", "$id": ObjectId::parse_str("65a1b2c3d4e5f60718293b01").unwrap() },
        "nested": { "b": 2_i64, "a": [1.5, { "deep": -0.0 }, Bson::Null, true] },
        "nothing": Bson::Null,
        "flag": false,
        "note": "before",
    };
    // mongo-java-server drops the connection on code with scope (type
    // 0x0f), which real servers store: only they get it.
    if std::env::var_os("MONGODB_URI").is_some() {
        d.insert(
            "code_with_scope",
            Bson::JavaScriptCodeWithScope(JavaScriptCodeWithScope {
                code: "x".into(),
                scope: doc! { "x": 1 },
            }),
        );
    }
    if let Some(owner) = owner {
        d.insert("user_id", owner);
    }
    d
}

/// What the browser shows of one document: its canonical Extended JSON.
async fn shown(
    conn: &mozaiks_core::db::connection::Connection,
    collection: &str,
    id: ObjectId,
) -> String {
    let filter = format!(r#"{{"_id": {{"$oid": "{}"}}}}"#, id.to_hex());
    let page = browse::run(
        conn,
        CORE,
        collection,
        &QueryInput {
            filter,
            limit: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.documents.len(), 1);
    page.documents[0].clone()
}

/// The text with one top-level field set to a JSON value (field order kept).
fn with_field(text: &str, key: &str, value: Value) -> String {
    let mut v: Value = serde_json::from_str(text).unwrap();
    v.as_object_mut().unwrap().insert(key.into(), value);
    v.to_string()
}

fn audit() -> AuditLog {
    support::audit_log()
}

async fn stored(db: &str, collection: &str, id: ObjectId) -> Document {
    raw_db(db)
        .await
        .collection::<Document>(collection)
        .find_one(doc! { "_id": id })
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn every_type_survives_an_unchanged_save_and_a_one_field_edit_byte_for_byte() {
    let db = unique_db("doc_types");
    let owner = "65a1b2c3d4e5f60718293b01";
    let (conn, _) = connect(&db).await;
    // A collection with no per-user documents, and a plugin's (scoped).
    for (collection, owner) in [("inventory", None), ("crm_contacts", Some(owner))] {
        let id = ObjectId::new();
        raw_db(&db)
            .await
            .collection::<Document>(collection)
            .insert_one(every_type(id, owner))
            .await
            .unwrap();
        let before = stored(&db, collection, id).await;
        let text = shown(&conn, collection, id).await;
        for (marker, what) in [
            (
                r#""double_one":{"$numberDouble":"1.0"}"#,
                "1.0 stays a Double",
            ),
            (r#""negative_zero":{"$numberDouble":"-0.0"}"#, "-0.0"),
            (r#""int64":{"$numberLong":"7"}"#, "Int64"),
            (
                r#""big_int64":{"$numberLong":"9007199254740993"}"#,
                "beyond 2^53",
            ),
            (
                r#""decimal":{"$numberDecimal":"1234.5600"}"#,
                "Decimal128 with its zeros",
            ),
            (
                r#""after_9999":{"$date":{"$numberLong":"253402300800001"}}"#,
                "after 9999",
            ),
            (
                r#""regex":{"$regularExpression":{"pattern":"^a.b$","options":"imsx"}}"#,
                "regex options",
            ),
        ] {
            assert!(text.contains(marker), "{what}: {text}");
        }
        assert!(text.starts_with(r#"{"_id":"#) && text.find("zeta") < text.find("double_one"));

        // Unchanged: nothing is written, nothing audited.
        let unchanged = documents::save(&conn, &audit(), CORE, collection, &text, &text)
            .await
            .unwrap();
        assert_eq!(unchanged, Saved::Unchanged, "{collection}");
        assert_eq!(bytes(&stored(&db, collection, id).await), bytes(&before));

        // One field changed: only it is written.
        let edited = with_field(&text, "note", Value::String("after".into()));
        let saved = documents::save(&conn, &audit(), CORE, collection, &text, &edited)
            .await
            .unwrap();
        let Saved::Saved {
            changed, document, ..
        } = saved
        else {
            panic!("saved")
        };
        assert_eq!(changed, vec!["note"]);
        assert!(document.contains(r#""note":"after""#));
        let after = stored(&db, collection, id).await;
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{collection}: field order"
        );
        for (key, value) in &before {
            if key != "note" {
                assert_eq!(
                    value_bytes(after.get(key).unwrap()),
                    value_bytes(value),
                    "{collection}.{key} kept its bytes"
                );
            }
        }
        assert_eq!(after.get_str("note").unwrap(), "after");
    }
}

#[tokio::test]
async fn two_editors_of_one_document_never_overwrite_each_other() {
    let db = unique_db("doc_conflict");
    let id = ObjectId::new();
    raw_db(&db)
        .await
        .collection::<Document>("crm_contacts")
        .insert_one(doc! { "_id": id, "user_id": "65a1b2c3d4e5f60718293b01", "title": "Call", "priority": 1 })
        .await
        .unwrap();
    let (first, _) = connect(&db).await;
    let (second, _) = connect(&db).await;
    // Both open the document as it is now.
    let opened = shown(&first, "crm_contacts", id).await;
    assert_eq!(opened, shown(&second, "crm_contacts", id).await);

    let mine = with_field(&opened, "title", Value::String("Call back".into()));
    documents::save(&first, &audit(), CORE, "crm_contacts", &opened, &mine)
        .await
        .unwrap();
    // The second editor's change to the same field is refused, with the
    // document as it is now; the first edit stands.
    let theirs = with_field(&opened, "title", Value::String("Email".into()));
    let err = documents::save(&second, &audit(), CORE, "crm_contacts", &opened, &theirs)
        .await
        .unwrap_err();
    match &err {
        mozaiks_core::Error::Conflict { current: Some(now) } => {
            assert!(now.contains(r#""title":"Call back""#), "{now}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        stored(&db, "crm_contacts", id)
            .await
            .get_str("title")
            .unwrap(),
        "Call back"
    );
    // A change to another field goes in beside the first edit, not over it.
    let other_field = with_field(
        &opened,
        "priority",
        serde_json::json!({ "$numberInt": "3" }),
    );
    documents::save(
        &second,
        &audit(),
        CORE,
        "crm_contacts",
        &opened,
        &other_field,
    )
    .await
    .unwrap();
    let now = stored(&db, "crm_contacts", id).await;
    assert_eq!(now.get_str("title").unwrap(), "Call back");
    assert_eq!(now.get_i32("priority").unwrap(), 3);
    // A delete of the document as first opened is refused too: it changed.
    let err = documents::delete(&second, &audit(), CORE, "crm_contacts", &opened)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    // So is one of the document as seen, once a field was added meanwhile:
    // the admin never saw it.
    let seen = shown(&second, "crm_contacts", id).await;
    raw_db(&db)
        .await
        .collection::<Document>("crm_contacts")
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "note": "added by another admin" } },
        )
        .await
        .unwrap();
    let err = documents::delete(&second, &audit(), CORE, "crm_contacts", &seen)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    let seen = shown(&second, "crm_contacts", id).await;
    documents::delete(&second, &audit(), CORE, "crm_contacts", &seen)
        .await
        .unwrap();
    assert!(raw_db(&db)
        .await
        .collection::<Document>("crm_contacts")
        .find_one(doc! { "_id": id })
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn writes_go_only_where_they_may_and_refusals_change_nothing() {
    let db = unique_db("doc_places");
    let owner = "65a1b2c3d4e5f60718293b01";
    let raw = raw_db(&db).await;
    let task = ObjectId::new();
    let stray = ObjectId::new();
    let user = ObjectId::new();
    raw.collection::<Document>("crm_contacts")
        .insert_many([
            doc! { "_id": task, "user_id": owner, "title": "a" },
            doc! { "_id": stray, "user_id": ObjectId::parse_str(owner).unwrap(), "title": "b" },
        ])
        .await
        .unwrap();
    raw.collection::<Document>("users")
        .insert_one(doc! { "_id": user, "email": "a@b.c", "password_hash": "$2b$12$x" })
        .await
        .unwrap();
    let snapshot = || async {
        let mut out = Vec::new();
        for c in ["crm_contacts", "users"] {
            out.push(support::dump(&raw_db(&db).await, c).await);
        }
        out
    };
    let before = snapshot().await;
    let (conn, _) = connect(&db).await;
    let text = shown(&conn, "crm_contacts", task).await;
    let code = |r: mozaiks_core::Result<Saved>| r.unwrap_err().code();

    // user_id cannot change through a save.
    let moved = with_field(
        &text,
        "user_id",
        Value::String("65a1b2c3d4e5f60718293b02".into()),
    );
    assert_eq!(
        code(documents::save(&conn, &audit(), CORE, "crm_contacts", &text, &moved).await),
        "invalid_input"
    );
    // A document whose user_id is not the platform's string has no scope.
    let stray_text = shown(&conn, "crm_contacts", stray).await;
    let edited = with_field(&stray_text, "title", Value::String("x".into()));
    assert_eq!(
        code(documents::save(&conn, &audit(), CORE, "crm_contacts", &stray_text, &edited).await),
        "refused"
    );
    // users only through the user screens, and it is browsed without its hash.
    let user_text = shown(&conn, "users", user).await;
    assert!(!user_text.contains("password_hash"));
    let edited = with_field(&user_text, "email", Value::String("x@y.z".into()));
    assert_eq!(
        code(documents::save(&conn, &audit(), CORE, "users", &user_text, &edited).await),
        "refused"
    );
    // An insert into a per-user collection names its owner as the platform does.
    let foreign = r#"{"user_id": {"$oid": "65a1b2c3d4e5f60718293b01"}, "title": "c"}"#;
    assert_eq!(
        code(documents::insert(&conn, &audit(), CORE, "crm_contacts", foreign).await),
        "refused"
    );
    // Malformed texts.
    for bad in ["", "{", "[]", r#"{"_id": {"$oid": "zz"}}"#] {
        assert_eq!(
            code(documents::save(&conn, &audit(), CORE, "crm_contacts", bad, &text).await),
            "invalid_input",
            "{bad}"
        );
        assert_eq!(
            code(documents::save(&conn, &audit(), CORE, "crm_contacts", &text, bad).await),
            "invalid_input",
            "{bad}"
        );
    }
    // The other databases are read-only unless the profile allows writes.
    let doc = r#"{"name": "Acme"}"#;
    assert_eq!(
        code(
            documents::insert(
                &conn,
                &audit(),
                PlatformDatabase::Shared,
                "Enterprises",
                doc
            )
            .await
        ),
        "refused"
    );
    // Read-only refuses before anything is written.
    conn.set_read_only(true, None).unwrap();
    let edited = with_field(&text, "title", Value::String("z".into()));
    assert_eq!(
        code(documents::save(&conn, &audit(), CORE, "crm_contacts", &text, &edited).await),
        "read_only"
    );
    assert_eq!(snapshot().await, before);
    conn.set_read_only(false, None).unwrap();

    // Allowed: an insert as the owner, and a write to MozaiksDB when the profile says so.
    let inserted = documents::insert(
        &conn,
        &audit(),
        CORE,
        "crm_contacts",
        &format!(r#"{{"title": "new", "n": {{"$numberLong": "5"}}, "user_id": "{owner}"}}"#),
    )
    .await
    .unwrap();
    let Saved::Saved { document, .. } = inserted else {
        panic!()
    };
    assert!(
        document.starts_with(r#"{"_id":{"$oid":"#)
            && document.contains(r#""n":{"$numberLong":"5"}"#)
    );
    let shared = unique_db("doc_places_shared");
    let mut form = input(&server().uri, &db);
    form.other_databases = Some(OtherDatabases {
        ai: unique_db("doc_places_ai"),
        shared: shared.clone(),
        writable: true,
    });
    let (writable, _) = connect_profile(&form.validate("w".into()).unwrap().profile).await;
    documents::insert(
        &writable,
        &audit(),
        PlatformDatabase::Shared,
        "Enterprises",
        doc,
    )
    .await
    .unwrap();
    let enterprises = support::dump(&raw_db(&shared).await, "Enterprises").await;
    assert_eq!(enterprises.len(), 1);
    assert_eq!(enterprises[0].get_str("name").unwrap(), "Acme");
}

#[tokio::test]
async fn a_value_that_became_an_array_meanwhile_is_a_conflict() {
    let db = unique_db("doc_array");
    let id = ObjectId::new();
    let raw = raw_db(&db).await;
    raw.collection::<Document>("inventory")
        .insert_one(doc! { "_id": id, "status": "open", "tags": ["a", "b"] })
        .await
        .unwrap();
    let (conn, _) = connect(&db).await;
    let opened = shown(&conn, "inventory", id).await;
    // Someone else: the scalar becomes an array holding it, the array gains an element.
    raw.collection::<Document>("inventory")
        .update_one(
            doc! { "_id": id },
            doc! { "$set": { "status": ["open", "closed"], "tags": [["a", "b"], "z"] } },
        )
        .await
        .unwrap();
    for (field, value) in [
        ("status", Value::String("done".into())),
        ("tags", serde_json::json!(["c"])),
    ] {
        let edited = with_field(&opened, field, value);
        let err = documents::save(&conn, &audit(), CORE, "inventory", &opened, &edited)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "conflict", "{field}");
    }
    let now = stored(&db, "inventory", id).await;
    assert_eq!(now.get_array("status").unwrap().len(), 2);
    assert_eq!(
        now.get_array("tags").unwrap()[1],
        mongodb::bson::Bson::String("z".into())
    );
}

#[tokio::test]
async fn a_number_whose_type_changed_meanwhile_inside_a_field_is_a_conflict() {
    let db = unique_db("doc_nested_type");
    let id = ObjectId::new();
    let raw = raw_db(&db).await;
    let coll = raw.collection::<Document>("inventory");
    coll.insert_one(
        doc! { "_id": id, "meta": { "n": 1, "note": "a" }, "list": [1_i64, { "x": 2.0 }] },
    )
    .await
    .unwrap();
    let (conn, _) = connect(&db).await;
    let opened = shown(&conn, "inventory", id).await;
    // Someone else changes only types: equal values, so `$eq` alone matches
    // (replaced whole: the test server takes an equal `$set` as no change).
    coll.replace_one(
        doc! { "_id": id },
        doc! { "meta": { "n": 1.0, "note": "a" }, "list": [1_i64, { "x": 2_i32 }] },
    )
    .await
    .unwrap();
    for (field, value) in [
        (
            "meta",
            serde_json::json!({ "n": { "$numberInt": "1" }, "note": "b" }),
        ),
        (
            "list",
            serde_json::json!([{ "$numberLong": "1" }, { "x": { "$numberDouble": "3.0" } }]),
        ),
    ] {
        let edited = with_field(&opened, field, value);
        let err = documents::save(&conn, &audit(), CORE, "inventory", &opened, &edited)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "conflict", "{field}");
    }
    let err = documents::delete(&conn, &audit(), CORE, "inventory", &opened)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "conflict");
    let now = stored(&db, "inventory", id).await;
    assert_eq!(
        now.get_document("meta").unwrap().get("n"),
        Some(&mongodb::bson::Bson::Double(1.0))
    );
    assert_eq!(
        now.get_document("meta").unwrap().get_str("note").unwrap(),
        "a"
    );
    // Saved against the document as it is now, the edit goes in.
    let fresh = shown(&conn, "inventory", id).await;
    let edited = with_field(
        &fresh,
        "meta",
        serde_json::json!({ "n": { "$numberDouble": "1.0" }, "note": "b" }),
    );
    documents::save(&conn, &audit(), CORE, "inventory", &fresh, &edited)
        .await
        .unwrap();
    assert_eq!(
        stored(&db, "inventory", id)
            .await
            .get_document("meta")
            .unwrap()
            .get_str("note")
            .unwrap(),
        "b"
    );
}

/// What the server is asked, for the writes a save, a delete and a user's edit send.
#[tokio::test]
async fn compare_and_set_writes_compare_strings_as_stored_whatever_the_collation() {
    use mongodb::event::{command::CommandEvent, EventHandler};
    use mozaiks_core::db::connection::{ConnectOptions, Connection};
    use std::sync::{Arc, Mutex};
    let db = unique_db("doc_collation");
    let raw = raw_db(&db).await;
    let (plugin, plain) = (ObjectId::new(), ObjectId::new());
    raw.collection::<Document>("crm_contacts")
        .insert_one(doc! { "_id": plugin, "user_id": "65a1b2c3d4e5f60718293b01", "title": "Call" })
        .await
        .unwrap();
    raw.collection::<Document>("inventory")
        .insert_one(doc! { "_id": plain, "title": "Call" })
        .await
        .unwrap();
    let writes: Arc<Mutex<Vec<Document>>> = Arc::default();
    let seen = writes.clone();
    let monitor = EventHandler::callback(move |event: CommandEvent| {
        if let CommandEvent::Started(e) = event {
            if ["findAndModify", "delete"].contains(&e.command_name.as_str()) {
                seen.lock().unwrap().push(e.command);
            }
        }
    });
    let profile = input(&server().uri, &db)
        .validate(db.clone())
        .unwrap()
        .profile;
    let conn = Connection::open(
        &profile,
        ConnectOptions {
            command_monitor: Some(monitor),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Scoped (a plugin collection) and open (any other).
    for (collection, id) in [("crm_contacts", plugin), ("inventory", plain)] {
        let opened = shown(&conn, collection, id).await;
        let edited = with_field(&opened, "title", Value::String("Call back".into()));
        documents::save(&conn, &audit(), CORE, collection, &opened, &edited)
            .await
            .unwrap();
        let seen = shown(&conn, collection, id).await;
        documents::delete(&conn, &audit(), CORE, collection, &seen)
            .await
            .unwrap();
    }
    // A user edited on the user screens: its compare-and-set too.
    raw.collection::<Document>("users")
        .insert_one(
            doc! { "_id": plain, "email": "a@example.com", "username": "a", "roles": ["user"] },
        )
        .await
        .unwrap();
    let user = mozaiks_core::db::scope::UserScope::from_object_id(plain);
    let detail = mozaiks_core::services::users::detail(&conn, &user)
        .await
        .unwrap();
    let edit = mozaiks_core::services::users::UserEdit {
        roles: detail.roles.clone(),
        tier: None,
        expires_at: None,
        display_name: Some("Ada".into()),
        bio: None,
        version: detail.version.clone(),
    };
    mozaiks_core::services::users::update(&conn, &audit(), &user, &edit)
        .await
        .unwrap();
    let writes = writes.lock().unwrap();
    assert_eq!(writes.len(), 5, "{writes:?}");
    for command in writes.iter() {
        let collation = match command.get_array("deletes") {
            Ok(deletes) => deletes[0].as_document().unwrap().get_document("collation"),
            Err(_) => command.get_document("collation"),
        };
        assert_eq!(
            collation.unwrap(),
            &doc! { "locale": "simple" },
            "{command}"
        );
    }
}
