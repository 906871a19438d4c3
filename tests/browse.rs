//! The collection browser against a live server: every query form of
//! `tests/data/query_forms.json` (the shell text the UI's parser turns into
//! the Extended JSON beside it, checked by Vitest) returns exactly what the
//! same query through the raw driver returns; refused operators change
//! nothing; `users` never gives up `password_hash`; and the platform's other
//! two databases are browsed by their names on the profile.

mod support;

use futures_util::TryStreamExt;
use mongodb::bson::{doc, oid::ObjectId, DateTime, Decimal128, Document, Regex};
use mozaiks_core::db::command_check::Verdict;
use mozaiks_core::db::query::{Query, QueryInput};
use mozaiks_core::profiles::profile::OtherDatabases;
use mozaiks_core::redact::document_text;
use mozaiks_core::schema::PlatformDatabase;
use mozaiks_core::services::browse;
use serde_json::Value;
use support::{connect, connect_profile, dump, input, raw_db, seeded, server, unique_db};

const COLLECTION: &str = "crm_contacts";
const STATUSES: [&str; 3] = ["todo", "in_progress", "done"];

fn oid(n: u32) -> ObjectId {
    ObjectId::parse_str(format!("65a1b2c3d4e5f60718293a{n:02x}")).unwrap()
}

/// Forty documents holding the types the query forms ask about.
fn contacts() -> Vec<Document> {
    (0..40_u32)
        .map(|n| {
            doc! {
                "_id": oid(n),
                "user_id": format!("65a1b2c3d4e5f60718293b{:02x}", n % 3),
                "title": if n % 4 == 0 { format!("Report {n}") } else { format!("Call {n}") },
                "status": STATUSES[n as usize % 3],
                "priority": (n % 5) as i32,
                "visits": i64::from(n % 9),
                "score": f64::from(n) / 10.0,
                "amount": format!("{}.{:02}", n, n % 100).parse::<Decimal128>().unwrap(),
                "created_at": DateTime::parse_rfc3339_str(format!("2026-05-{:02}T00:00:00Z", n % 28 + 1)).unwrap(),
            }
        })
        .collect()
}

/// The raw driver's form of each named query of the fixture.
fn raw_filter(name: &str) -> Document {
    match name {
        "object_id" => doc! { "_id": oid(5) },
        "date_range" => {
            doc! { "created_at": { "$gt": DateTime::parse_rfc3339_str("2026-05-20T00:00:00Z").unwrap() } }
        }
        "number_long" => doc! { "visits": 7_i64 },
        "decimal" => doc! { "amount": { "$gte": "10.50".parse::<Decimal128>().unwrap() } },
        "regex" => doc! { "title": Regex { pattern: "^report".into(), options: "i".into() } },
        "in_and_or" => {
            doc! { "$or": [ { "status": { "$in": ["todo", "done"] } }, { "priority": { "$gte": 3 } } ] }
        }
        "double" => doc! { "score": { "$lt": 1.5 }, "user_id": "65a1b2c3d4e5f60718293b01" },
        other => panic!("no raw form for {other}"),
    }
}

async fn raw_find(
    db: &mongodb::Database,
    filter: Document,
    sort: Document,
    skip: u64,
    limit: i64,
    projection: Option<Document>,
) -> Vec<String> {
    let collection = db.collection::<Document>(COLLECTION);
    let mut find = collection.find(filter).sort(sort).skip(skip).limit(limit);
    if let Some(projection) = projection {
        find = find.projection(projection);
    }
    find.await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(document_text)
        .collect()
}

fn query(filter: &str) -> QueryInput {
    QueryInput {
        filter: filter.into(),
        limit: 100,
        ..Default::default()
    }
}

#[tokio::test]
async fn every_query_form_returns_what_the_raw_driver_returns() {
    let name = unique_db("browse_forms");
    let raw = raw_db(&name).await;
    raw.collection::<Document>(COLLECTION)
        .insert_many(contacts())
        .await
        .unwrap();
    let (conn, recorder) = connect(&name).await;
    let forms: Vec<Value> = serde_json::from_str(include_str!("data/query_forms.json")).unwrap();
    assert!(forms.len() >= 7);
    for form in &forms {
        let case = form["name"].as_str().unwrap();
        let extjson = form["extjson"].as_str().unwrap();
        // The Extended JSON is the raw driver's query, exactly.
        let parsed = Query::parse(&query(extjson)).unwrap();
        assert_eq!(parsed.filter(), &raw_filter(case), "{case}");
        let page = browse::run(&conn, PlatformDatabase::Core, COLLECTION, &query(extjson))
            .await
            .unwrap();
        let expected = raw_find(&raw, raw_filter(case), doc! { "_id": -1 }, 0, 100, None).await;
        assert!(!expected.is_empty(), "{case} matches something");
        assert_eq!(page.documents, expected, "{case}");
        let total = browse::count(&conn, PlatformDatabase::Core, COLLECTION, &query(extjson))
            .await
            .unwrap();
        assert_eq!(total.value, Some(expected.len() as f64), "{case}");
        assert!(total.exact);
    }

    // Projection, sort, skip and limit as the raw driver applies them.
    let shaped = QueryInput {
        filter: r#"{"priority": {"$gte": {"$numberInt": "1"}}}"#.into(),
        projection: r#"{"title": 1, "priority": 1}"#.into(),
        sort: r#"{"priority": -1, "_id": 1}"#.into(),
        limit: 5,
        skip: 2,
    };
    let page = browse::run(&conn, PlatformDatabase::Core, COLLECTION, &shaped)
        .await
        .unwrap();
    let expected = raw_find(
        &raw,
        doc! { "priority": { "$gte": 1 } },
        doc! { "priority": -1, "_id": 1 },
        2,
        5,
        Some(doc! { "title": 1, "priority": 1 }),
    )
    .await;
    assert_eq!(page.documents, expected);
    assert!(page.more && page.limit == 5 && page.skip == 2);

    // The per-user collection was read as a deliberate cross-user read.
    let seen = recorder.commands.lock().unwrap();
    // (A filter that names one user counts as scoped.)
    let browsed = seen
        .iter()
        .filter(|(c, v)| {
            c == "find"
                && matches!(v, Verdict::CrossUserRead { op } | Verdict::Scoped { op } if op == "browse" || op == "find")
        })
        .count();
    assert_eq!(browsed, forms.len() + 1, "every browse read tagged");
    assert!(!seen
        .iter()
        .any(|(_, v)| matches!(v, Verdict::Violation { .. })));
}

#[tokio::test]
async fn refused_and_malformed_queries_change_nothing() {
    let name = unique_db("browse_refused");
    let raw = raw_db(&name).await;
    raw.collection::<Document>(COLLECTION)
        .insert_many(contacts())
        .await
        .unwrap();
    let before = dump(&raw, COLLECTION).await;
    let (conn, _) = connect(&name).await;
    let refused = [
        (r#"{"$where": "this.priority > 1"}"#, "", "filter", "$where"),
        (
            r#"{"$expr": {"$function": {"body": "function() { return true }", "args": [], "lang": "js"}}}"#,
            "",
            "filter",
            "$function",
        ),
        (
            "",
            r#"{"x": {"$accumulator": {}}}"#,
            "projection",
            "$accumulator",
        ),
        (
            r#"{"$or": [{"a": 1}, {"$out": "stolen"}]}"#,
            "",
            "filter",
            "$out",
        ),
        (r#"{"a": {"$merge": "stolen"}}"#, "", "filter", "$merge"),
    ];
    for (filter, projection, part, operator) in refused {
        let input = QueryInput {
            projection: projection.into(),
            ..query(filter)
        };
        for result in [
            browse::run(&conn, PlatformDatabase::Core, COLLECTION, &input)
                .await
                .map(|_| ()),
            browse::count(&conn, PlatformDatabase::Core, COLLECTION, &input)
                .await
                .map(|_| ()),
        ] {
            let err = serde_json::to_value(result.unwrap_err()).unwrap();
            assert_eq!(
                err,
                serde_json::json!({ "type": "operator_refused", "data": { "part": part, "operator": operator } })
            );
        }
    }
    for (bad, field) in [
        ("{a: 1}", "filter"),
        (r#"{"n": {"$numberLong": 5}}"#, "filter"),
        ("[]", "filter"),
    ] {
        let err = browse::run(&conn, PlatformDatabase::Core, COLLECTION, &query(bad))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, mozaiks_core::Error::InvalidInput { field: f, .. } if f == field),
            "{err:?}"
        );
    }
    for collection in ["", "system.users", "a$b", "nul\0"] {
        let err = browse::run(&conn, PlatformDatabase::Core, collection, &query(""))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "invalid_input", "{collection:?}");
    }
    assert_eq!(dump(&raw, COLLECTION).await, before);
    let names = raw.list_collection_names().await.unwrap();
    assert_eq!(
        names,
        vec![COLLECTION.to_string()],
        "no $out or $merge target appeared"
    );
}

#[tokio::test]
async fn users_are_browsed_without_their_password_hash() {
    let (name, conn, _) = seeded("browse_users", 12).await;
    let raw = raw_db(&name).await;
    let stored = raw
        .collection::<Document>("users")
        .count_documents(doc! { "password_hash": { "$exists": true } })
        .await
        .unwrap();
    assert!(stored > 0, "the seed stores hashes");
    for projection in [
        "",
        r#"{"password_hash": 1, "email": 1}"#,
        r#"{"email": 0}"#,
        r#"{"_id": 1, "password_hash": 1}"#,
    ] {
        let input = QueryInput {
            projection: projection.into(),
            ..query("")
        };
        let page = browse::run(&conn, PlatformDatabase::Core, "users", &input)
            .await
            .unwrap();
        assert_eq!(page.documents.len(), 12, "{projection}");
        for d in &page.documents {
            assert!(!d.contains("password_hash"), "{projection}: {d}");
        }
    }
    // The query bar's field hints name the user fields, never the hash.
    let fields = browse::sample_fields(&conn, PlatformDatabase::Core, "users")
        .await
        .unwrap();
    let paths: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
    assert!(
        paths.contains(&"email") && paths.contains(&"_id"),
        "{paths:?}"
    );
    assert!(!paths.iter().any(|p| p.contains("password")), "{paths:?}");
    let err = browse::run(
        &conn,
        PlatformDatabase::Core,
        "users",
        &query(r#"{"password_hash": {"$regex": "^\\$2"}}"#),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
}

#[tokio::test]
async fn the_other_two_databases_are_browsed_by_their_names_on_the_profile() {
    let core = unique_db("browse_core");
    let ai = unique_db("browse_ai");
    let shared = unique_db("browse_shared");
    raw_db(&ai)
        .await
        .collection::<Document>("chat_sessions")
        .insert_many((0..3).map(|n| doc! { "_id": oid(n), "turns": n, "user_id": "u" }))
        .await
        .unwrap();
    let mut form = input(&server().uri, &core);
    form.other_databases = Some(OtherDatabases {
        ai: ai.clone(),
        shared: shared.clone(),
        writable: false,
    });
    let profile = form.validate("browse-dbs".into()).unwrap().profile;
    let (conn, _) = connect_profile(&profile).await;
    let databases = browse::databases(&conn).await;
    let names: Vec<(&PlatformDatabase, &str)> = databases
        .iter()
        .map(|d| (&d.which, d.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            (&PlatformDatabase::Core, core.as_str()),
            (&PlatformDatabase::Ai, ai.as_str()),
            (&PlatformDatabase::Shared, shared.as_str())
        ]
    );
    assert!(databases[0].writable && !databases[1].writable && !databases[2].writable);
    let sessions = &databases[1].collections;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].name, "chat_sessions");
    assert_eq!(sessions[0].estimated_count, Some(3.0));
    assert!(
        !sessions[0].per_user,
        "only MozaiksCore's collections are the platform's per-user ones"
    );
    assert!(databases[2].collections.is_empty() && databases[2].error.is_none());
    let page = browse::run(
        &conn,
        PlatformDatabase::Ai,
        "chat_sessions",
        &query(r#"{"turns": {"$gte": {"$numberInt": "1"}}}"#),
    )
    .await
    .unwrap();
    assert_eq!(page.documents.len(), 2);
    assert!(
        page.documents[0].starts_with(
            r#"{"_id":{"$oid":"65a1b2c3d4e5f60718293a02"},"turns":{"$numberInt":"2"}"#
        ),
        "{}",
        page.documents[0]
    );
    // The core database is not where the AI collections were looked for.
    let missing = browse::run(&conn, PlatformDatabase::Core, "chat_sessions", &query(""))
        .await
        .unwrap();
    assert!(missing.documents.is_empty());

    // Names that would point two parts at one database are refused.
    for (ai_name, shared_name, field) in [
        (core.as_str(), "x", "other_databases.ai"),
        ("x", "x", "other_databases.shared"),
        ("a.b", "x", "other_databases.ai"),
        ("x", "Config", "other_databases.shared"),
        ("admin", "x", "other_databases.ai"),
        (core.to_uppercase().as_str(), "x", "other_databases.ai"),
    ] {
        let mut form = input(&server().uri, &core);
        form.other_databases = Some(OtherDatabases {
            ai: ai_name.into(),
            shared: shared_name.into(),
            writable: false,
        });
        let err = form.validate("x".into()).unwrap_err();
        assert!(
            matches!(&err, mozaiks_core::Error::InvalidInput { field: f, .. } if f == field),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn find_this_id_looks_in_every_collection_of_the_database() {
    let (name, conn, recorder) = seeded("browse_find_id", 10).await;
    let raw = raw_db(&name).await;
    let user = support::ordinary_user(&name).await;
    let user_id = user.get_object_id("_id").unwrap();
    let task = raw
        .collection::<Document>("task_manager_tasks")
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    let task_id = task.get_object_id("_id").unwrap();

    let found = browse::find_id(&conn, PlatformDatabase::Core, &task_id.to_hex())
        .await
        .unwrap();
    let collections = raw.list_collection_names().await.unwrap();
    assert_eq!(found.searched as usize, collections.len());
    assert_eq!(found.found.len(), 1);
    assert_eq!(found.found[0].collection, "task_manager_tasks");
    let found_task_text = document_text(task);
    assert_eq!(found.found[0].document, found_task_text);

    let found = browse::find_id(&conn, PlatformDatabase::Core, &user_id.to_hex())
        .await
        .unwrap();
    assert_eq!(found.found.len(), 1);
    assert_eq!(found.found[0].collection, "users");
    assert!(!found.found[0].document.contains("password_hash"));
    assert!(found.found[0]
        .document
        .contains(user.get_str("email").unwrap()));

    let nothing = browse::find_id(&conn, PlatformDatabase::Core, "65f0c0ffee0000000000beef")
        .await
        .unwrap();
    assert!(nothing.found.is_empty() && nothing.failed.is_empty());
    for bad in ["", "zz", "{\"$ne\": null}", "65f0c0ffee0000000000beef0"] {
        assert_eq!(
            browse::find_id(&conn, PlatformDatabase::Core, bad)
                .await
                .unwrap_err()
                .code(),
            "invalid_id"
        );
    }
    // Point reads, tagged as the browser's cross-user reads.
    let seen = recorder.commands.lock().unwrap();
    assert!(seen
        .iter()
        .any(|(_, v)| matches!(v, Verdict::CrossUserRead { op } if op == "find_id")));
}

#[tokio::test]
async fn explain_is_said_plainly_where_the_server_has_none() {
    let (_, conn, _) = seeded("browse_explain", 5).await;
    let input = query(r#"{"status": "todo"}"#);
    let explained =
        browse::explain(&conn, PlatformDatabase::Core, "task_manager_tasks", &input).await;
    if std::env::var_os("MONGODB_URI").is_some() {
        // A real server: the winning plan, with what it examined.
        let summary = explained.unwrap();
        assert!(!summary.stages.is_empty() && summary.returned.is_some());
    } else {
        // mongo-java-server has no explain (code 59): a typed answer, not a failure.
        assert_eq!(explained.unwrap_err().code(), "unsupported");
    }
    let refused = query(r#"{"$where": "1"}"#);
    assert_eq!(
        browse::explain(
            &conn,
            PlatformDatabase::Core,
            "task_manager_tasks",
            &refused
        )
        .await
        .unwrap_err()
        .code(),
        "operator_refused"
    );
}

#[tokio::test]
async fn the_editor_opens_a_whole_document_by_its_id() {
    let (name, conn, _) = seeded("browse_open", 5).await;
    let raw = raw_db(&name).await;
    let task = raw
        .collection::<mongodb::bson::Document>("task_manager_tasks")
        .find_one(doc! {})
        .await
        .unwrap()
        .unwrap();
    let id_json = format!(
        r#"{{"$oid": "{}"}}"#,
        task.get_object_id("_id").unwrap().to_hex()
    );
    let opened = browse::open_document(
        &conn,
        PlatformDatabase::Core,
        "task_manager_tasks",
        &id_json,
    )
    .await
    .unwrap();
    assert_eq!(opened, document_text(task), "whole and unprojected");
    let user = support::ordinary_user(&name).await;
    let user_json = format!(
        r#"{{"$oid": "{}"}}"#,
        user.get_object_id("_id").unwrap().to_hex()
    );
    let opened = browse::open_document(&conn, PlatformDatabase::Core, "users", &user_json)
        .await
        .unwrap();
    assert!(opened.contains(user.get_str("email").unwrap()) && !opened.contains("password_hash"));
    for missing in [
        r#"{"$oid": "65f0c0ffee0000000000beef"}"#,
        // An id shaped like an operator is a value, never a query.
        r#"{"$gt": {"$minKey": 1}}"#,
    ] {
        let err = browse::open_document(&conn, PlatformDatabase::Core, "users", missing)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "not_found", "{missing}");
    }
    assert_eq!(
        browse::open_document(&conn, PlatformDatabase::Core, "users", "{")
            .await
            .unwrap_err()
            .code(),
        "invalid_input"
    );
}
