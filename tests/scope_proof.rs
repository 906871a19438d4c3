//! The scoped-layer proof. Every integration test's app connection carries a
//! driver command monitor (tests/support) that classifies each command it
//! sends with `command_check`. This reads all of them after the suite:
//! zero violations, and each kind of scoped command seen at least once.
//!
//! It is ignored in a plain `cargo test` because it must run after the
//! other test binaries; `scripts/test` runs it last with `--ignored`.

mod support;

use std::collections::BTreeMap;

use serde_json::Value;

#[test]
#[ignore = "run after the whole suite by scripts/test"]
fn every_per_user_command_of_the_suite_was_scoped() {
    let dir = support::command_log_dir();
    let mut by_verdict: BTreeMap<String, usize> = BTreeMap::new();
    let mut scoped_ops: BTreeMap<String, usize> = BTreeMap::new();
    let mut cross_user_ops: BTreeMap<String, usize> = BTreeMap::new();
    let mut violations = Vec::new();
    let mut total = 0;
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run the suite first", dir.display()))
    {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let record: Value = serde_json::from_str(line).unwrap();
            total += 1;
            let verdict = record["verdict"]["verdict"].as_str().unwrap().to_string();
            if verdict == "scoped" {
                *scoped_ops
                    .entry(record["verdict"]["op"].as_str().unwrap().into())
                    .or_default() += 1;
            }
            if verdict == "cross_user_read" {
                *cross_user_ops
                    .entry(record["verdict"]["op"].as_str().unwrap().into())
                    .or_default() += 1;
            }
            if verdict == "violation" {
                violations.push(format!(
                    "{} ({})",
                    record["verdict"]["reason"], record["text"]
                ));
            }
            *by_verdict.entry(verdict).or_default() += 1;
        }
    }
    println!("scoped-layer proof: checked {total} commands: {by_verdict:?}; scoped by kind: {scoped_ops:?}; cross-user reads by kind: {cross_user_ops:?}");
    assert!(
        violations.is_empty(),
        "{} unscoped per-user commands:\n{}",
        violations.len(),
        violations.join("\n")
    );
    for kind in ["find", "count", "update", "delete", "aggregate"] {
        assert!(
            scoped_ops.contains_key(kind),
            "the suite sent no scoped {kind}: {scoped_ops:?}"
        );
    }
    // The collection browser's reads of per-user collections, each tagged
    // as a deliberate cross-user read.
    for op in ["browse", "browse_count"] {
        assert!(
            cross_user_ops.contains_key(op),
            "the suite sent no cross-user {op}: {cross_user_ops:?}"
        );
    }
}
