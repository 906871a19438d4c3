//! What `explain` says about a query, reduced to what an admin acts on:
//! the winning plan's stages, the index it uses or that it scans the whole
//! collection, and how much it examined for what it returned. Pure: the
//! reply shapes (classic plans, and the slot-based engine's `queryPlan`
//! wrapper of MongoDB 7.0+) are MongoDB's documented ones.

use mongodb::bson::{Bson, Document};
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct ExplainSummary {
    /// The winning plan's stages, outermost first (`LIMIT`, `FETCH`, `IXSCAN`).
    pub stages: Vec<String>,
    /// Indexes the plan reads.
    pub indexes: Vec<String>,
    /// A `COLLSCAN` reads every document of the collection.
    pub collection_scan: bool,
    pub returned: Option<f64>,
    pub keys_examined: Option<f64>,
    pub documents_examined: Option<f64>,
    pub time_ms: Option<f64>,
}

fn number(d: &Document, key: &str) -> Option<f64> {
    match d.get(key)? {
        Bson::Int32(n) => Some(f64::from(*n)),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        _ => None,
    }
}

/// Walks a plan tree: `inputStage`, or each of `inputStages`.
fn walk(plan: &Document, summary: &mut ExplainSummary) {
    if let Ok(stage) = plan.get_str("stage") {
        summary.stages.push(stage.to_string());
        summary.collection_scan |= stage == "COLLSCAN";
    }
    if let Ok(index) = plan.get_str("indexName") {
        if !summary.indexes.iter().any(|i| i == index) {
            summary.indexes.push(index.to_string());
        }
    }
    if let Ok(input) = plan.get_document("inputStage") {
        walk(input, summary);
    }
    for input in plan.get_array("inputStages").into_iter().flatten() {
        if let Bson::Document(input) = input {
            walk(input, summary);
        }
    }
}

pub fn summarize(reply: &Document) -> ExplainSummary {
    let mut summary = ExplainSummary {
        stages: Vec::new(),
        indexes: Vec::new(),
        collection_scan: false,
        returned: None,
        keys_examined: None,
        documents_examined: None,
        time_ms: None,
    };
    if let Ok(winning) = reply
        .get_document("queryPlanner")
        .and_then(|q| q.get_document("winningPlan"))
    {
        // 7.0+ wraps the plan as `{ queryPlan, slotBasedPlan }`.
        walk(
            winning.get_document("queryPlan").unwrap_or(winning),
            &mut summary,
        );
    }
    if let Ok(stats) = reply.get_document("executionStats") {
        summary.returned = number(stats, "nReturned");
        summary.keys_examined = number(stats, "totalKeysExamined");
        summary.documents_examined = number(stats, "totalDocsExamined");
        summary.time_ms = number(stats, "executionTimeMillis");
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    /// The classic engine's reply for an indexed, limited find.
    #[test]
    fn an_index_scan_names_its_index() {
        let reply = doc! {
            "queryPlanner": { "namespace": "db.tasks", "winningPlan": {
                "stage": "LIMIT", "limitAmount": 20,
                "inputStage": { "stage": "FETCH", "inputStage": {
                    "stage": "IXSCAN", "keyPattern": { "user_id": 1, "status": 1 }, "indexName": "user_id_1_status_1", "direction": "forward"
                } }
            }, "rejectedPlans": [] },
            "executionStats": { "executionSuccess": true, "nReturned": 20, "executionTimeMillis": 3, "totalKeysExamined": 20, "totalDocsExamined": 20 },
            "ok": 1.0,
        };
        let s = summarize(&reply);
        assert_eq!(s.stages, vec!["LIMIT", "FETCH", "IXSCAN"]);
        assert_eq!(s.indexes, vec!["user_id_1_status_1"]);
        assert!(!s.collection_scan);
        assert_eq!(
            (s.returned, s.keys_examined, s.documents_examined, s.time_ms),
            (Some(20.0), Some(20.0), Some(20.0), Some(3.0))
        );
    }

    /// MongoDB 7.0+ with the slot-based engine: the plan under `queryPlan`.
    #[test]
    fn a_collection_scan_under_the_slot_based_engine() {
        let reply = doc! {
            "explainVersion": "2",
            "queryPlanner": { "winningPlan": {
                "queryPlan": { "stage": "SORT", "inputStage": { "stage": "COLLSCAN", "direction": "forward" } },
                "slotBasedPlan": { "slots": "…", "stages": "…" }
            } },
            "executionStats": { "nReturned": 5_i64, "executionTimeMillis": 812_i64, "totalKeysExamined": 0, "totalDocsExamined": 1_000_000 },
        };
        let s = summarize(&reply);
        assert_eq!(s.stages, vec!["SORT", "COLLSCAN"]);
        assert!(s.collection_scan && s.indexes.is_empty());
        assert_eq!(s.documents_examined, Some(1_000_000.0));
    }

    #[test]
    fn an_or_reads_each_branch() {
        let reply = doc! { "queryPlanner": { "winningPlan": { "stage": "SUBPLAN", "inputStage": { "stage": "FETCH", "inputStage": {
            "stage": "OR", "inputStages": [ { "stage": "IXSCAN", "indexName": "a_1" }, { "stage": "IXSCAN", "indexName": "b_1" } ]
        } } } } };
        let s = summarize(&reply);
        assert_eq!(s.indexes, vec!["a_1", "b_1"]);
        assert_eq!(s.returned, None);
    }
}
