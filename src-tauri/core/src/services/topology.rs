//! The deployment behind a connection, for the overview: a replica set's
//! members (state, health, lag behind the primary, priority, hidden,
//! arbiter and delayed members), a sharded cluster's routers and shards, or
//! a standalone server. `replSetGetStatus` and `replSetGetConfig` where the
//! user may run them, else what `hello` tells; the reshaping is pure and
//! tested on the servers' documented replies.

use mongodb::bson::{Bson, Document};
use serde::Serialize;
use specta::Type;

use crate::db::connection::{Connection, DeploymentCommand, Topology};
use crate::Result;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Member {
    pub host: String,
    /// `PRIMARY`, `SECONDARY`, `ARBITER`, `(not reachable/healthy)`, ...;
    /// from `hello`, only what it can tell (primary, secondary, arbiter,
    /// passive).
    pub state: String,
    /// `None` when only `hello` answered (it says nothing of health).
    pub healthy: Option<bool>,
    /// Seconds behind the primary's last operation (healthy data-bearing
    /// members, with status).
    pub lag_seconds: Option<f64>,
    pub priority: Option<f64>,
    pub hidden: bool,
    pub arbiter: bool,
    /// A delayed member's delay, in seconds.
    pub delay_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Shard {
    pub name: String,
    /// `rs0/h1:27018,h2:27018`: its replica set and hosts.
    pub hosts: Vec<String>,
    pub replica_set: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct Deployment {
    pub topology: Topology,
    pub set_name: Option<String>,
    pub members: Vec<Member>,
    /// Through `mongos`: the routers the connection uses.
    pub routers: Vec<String>,
    pub shards: Vec<Shard>,
    /// What it was read from (`replSetGetStatus`, `hello`, `listShards`),
    /// and why a fuller source was not, when it was not.
    pub source: String,
    pub note: Option<String>,
}

pub async fn deployment(conn: &Connection) -> Result<Deployment> {
    let topology = conn.server().topology;
    let mut out = Deployment {
        topology,
        set_name: None,
        members: Vec::new(),
        routers: Vec::new(),
        shards: Vec::new(),
        source: "hello".into(),
        note: None,
    };
    match topology {
        Topology::ReplicaSet => {
            let status = conn.deployment(DeploymentCommand::ReplSetGetStatus).await;
            match status {
                Ok(status) => {
                    // The config adds priority, hidden and delay; without it
                    // (not permitted) the status alone still stands.
                    let config = conn.deployment(DeploymentCommand::ReplSetGetConfig).await;
                    let config = config
                        .ok()
                        .and_then(|c| c.get_document("config").ok().cloned());
                    out.set_name = status.get_str("set").ok().map(String::from);
                    out.members = members_from_status(&status, config.as_ref());
                    out.source = "replSetGetStatus".into();
                }
                Err(e) => {
                    let hello = conn.deployment(DeploymentCommand::Hello).await?;
                    out.set_name = hello.get_str("setName").ok().map(String::from);
                    out.members = members_from_hello(&hello);
                    out.note = Some(format!(
                        "replSetGetStatus was refused ({e}): members as hello lists them, \
                         without health or lag"
                    ));
                }
            }
        }
        Topology::Sharded | Topology::LoadBalanced => {
            out.routers = conn.hosts().to_vec();
            match conn.deployment(DeploymentCommand::ListShards).await {
                Ok(reply) => {
                    out.shards = shards_from(&reply);
                    out.source = "listShards".into();
                }
                Err(e) => out.note = Some(format!("listShards was refused ({e}): shards unknown")),
            }
        }
        Topology::Standalone => {}
    }
    Ok(out)
}

fn number(v: Option<&Bson>) -> Option<f64> {
    match v? {
        Bson::Int32(n) => Some(f64::from(*n)),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        _ => None,
    }
}

/// `replSetGetStatus` members, with `replSetGetConfig`'s `config` matched
/// by host for priority, hidden and delay. Lag is measured against the
/// primary's `optimeDate`, for healthy members that hold data.
pub fn members_from_status(status: &Document, config: Option<&Document>) -> Vec<Member> {
    let members: Vec<&Document> = status
        .get_array("members")
        .map(|m| m.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default();
    let configured: Vec<&Document> = config
        .and_then(|c| c.get_array("members").ok())
        .map(|m| m.iter().filter_map(Bson::as_document).collect())
        .unwrap_or_default();
    let optime = |m: &Document| {
        m.get_datetime("optimeDate")
            .ok()
            .map(|d| d.timestamp_millis())
    };
    let primary = members
        .iter()
        .find(|m| m.get_str("stateStr") == Ok("PRIMARY"))
        .and_then(|m| optime(m));
    members
        .iter()
        .map(|m| {
            let host = m.get_str("name").unwrap_or_default().to_string();
            let conf = configured.iter().find(|c| c.get_str("host") == Ok(&host));
            let state = m.get_str("stateStr").unwrap_or("UNKNOWN").to_string();
            let healthy = number(m.get("health")).map(|h| h >= 1.0);
            let arbiter =
                state == "ARBITER" || conf.is_some_and(|c| c.get_bool("arbiterOnly") == Ok(true));
            let lag = match (primary, optime(m), healthy, arbiter) {
                (Some(p), Some(at), Some(true), false) => Some(((p - at).max(0) as f64) / 1000.0),
                _ => None,
            };
            // `secondaryDelaySecs` from 5.0, `slaveDelay` before.
            let delay = conf
                .and_then(|c| number(c.get("secondaryDelaySecs")).or(number(c.get("slaveDelay"))))
                .filter(|d| *d > 0.0);
            Member {
                host,
                state,
                healthy,
                lag_seconds: lag,
                priority: conf.and_then(|c| number(c.get("priority"))),
                hidden: conf.is_some_and(|c| c.get_bool("hidden") == Ok(true)),
                arbiter,
                delay_seconds: delay,
            }
        })
        .collect()
}

/// What `hello` tells of a replica set: its data-bearing `hosts`, the
/// `passives` (priority 0) and `arbiters`; hidden members are not listed.
pub fn members_from_hello(hello: &Document) -> Vec<Member> {
    let list = |key: &str| -> Vec<String> {
        hello
            .get_array(key)
            .map(|a| {
                a.iter()
                    .filter_map(Bson::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let primary = hello.get_str("primary").ok();
    let member = |host: String, state: &str, priority: Option<f64>, arbiter: bool| Member {
        host,
        state: state.into(),
        healthy: None,
        lag_seconds: None,
        priority,
        hidden: false,
        arbiter,
        delay_seconds: None,
    };
    let mut out: Vec<Member> = list("hosts")
        .into_iter()
        .map(|h| {
            let state = if Some(h.as_str()) == primary {
                "PRIMARY"
            } else {
                "SECONDARY"
            };
            member(h, state, None, false)
        })
        .collect();
    out.extend(
        list("passives")
            .into_iter()
            .map(|h| member(h, "PASSIVE", Some(0.0), false)),
    );
    out.extend(
        list("arbiters")
            .into_iter()
            .map(|h| member(h, "ARBITER", Some(0.0), true)),
    );
    out
}

/// `listShards`: each shard's name and its `rs/host,host` connection.
pub fn shards_from(reply: &Document) -> Vec<Shard> {
    reply
        .get_array("shards")
        .map(|s| s.iter().filter_map(Bson::as_document).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            let host = s.get_str("host").unwrap_or_default();
            let (set, hosts) = match host.split_once('/') {
                Some((set, hosts)) => (Some(set.to_string()), hosts),
                None => (None, host),
            };
            Shard {
                name: s.get_str("_id").unwrap_or_default().to_string(),
                hosts: hosts
                    .split(',')
                    .filter(|h| !h.is_empty())
                    .map(String::from)
                    .collect(),
                replica_set: set,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, DateTime};

    fn at(seconds: i64) -> DateTime {
        DateTime::from_millis(1_764_000_000_000 + seconds * 1000)
    }

    /// replSetGetStatus of a three-member set, one member down and one 12 s
    /// behind, plus an arbiter; replSetGetConfig with a hidden, delayed one.
    #[test]
    fn a_set_with_a_member_down_one_lagging_and_an_arbiter() {
        let status = doc! {
            "set": "rs0", "myState": 1, "ok": 1,
            "members": [
                { "_id": 0, "name": "a:27017", "health": 1.0, "state": 1, "stateStr": "PRIMARY", "optimeDate": at(100) },
                { "_id": 1, "name": "b:27017", "health": 1.0, "state": 2, "stateStr": "SECONDARY", "optimeDate": at(88) },
                { "_id": 2, "name": "c:27017", "health": 0.0, "state": 8, "stateStr": "(not reachable/healthy)", "optimeDate": at(-1_764_000_000) },
                { "_id": 3, "name": "d:27017", "health": 1.0, "state": 7, "stateStr": "ARBITER" },
            ],
        };
        let config = doc! {
            "_id": "rs0",
            "members": [
                { "_id": 0, "host": "a:27017", "priority": 2.0, "hidden": false, "arbiterOnly": false },
                { "_id": 1, "host": "b:27017", "priority": 0, "hidden": true, "secondaryDelaySecs": 3600_i64 },
                { "_id": 2, "host": "c:27017", "priority": 1.0 },
                { "_id": 3, "host": "d:27017", "priority": 0, "arbiterOnly": true },
            ],
        };
        let m = members_from_status(&status, Some(&config));
        assert_eq!(m.len(), 4);
        assert_eq!(
            (m[0].state.as_str(), m[0].lag_seconds, m[0].priority),
            ("PRIMARY", Some(0.0), Some(2.0))
        );
        assert_eq!(
            (m[1].lag_seconds, m[1].hidden, m[1].delay_seconds),
            (Some(12.0), true, Some(3600.0))
        );
        assert_eq!(
            (m[2].healthy, m[2].lag_seconds),
            (Some(false), None),
            "a member down has no lag"
        );
        assert!(m[3].arbiter && m[3].lag_seconds.is_none());
        // Without the config (not permitted), the status alone stands.
        let bare = members_from_status(&status, None);
        assert_eq!(
            (bare[1].lag_seconds, bare[1].priority, bare[1].hidden),
            (Some(12.0), None, false)
        );
    }

    #[test]
    fn hello_lists_hosts_passives_and_arbiters() {
        let hello = doc! {
            "setName": "rs0", "isWritablePrimary": false, "secondary": true,
            "hosts": ["a:27017", "b:27017"], "passives": ["p:27017"], "arbiters": ["d:27017"],
            "primary": "a:27017", "me": "b:27017", "ok": 1,
        };
        let m = members_from_hello(&hello);
        let states: Vec<&str> = m.iter().map(|m| m.state.as_str()).collect();
        assert_eq!(states, ["PRIMARY", "SECONDARY", "PASSIVE", "ARBITER"]);
        assert!(m
            .iter()
            .all(|m| m.healthy.is_none() && m.lag_seconds.is_none()));
    }

    #[test]
    fn list_shards_of_a_two_shard_cluster() {
        let reply = doc! {
            "shards": [
                { "_id": "shard01", "host": "shard01/s1a:27018,s1b:27018", "state": 1 },
                { "_id": "shard02", "host": "s2:27018", "state": 1 },
            ],
            "ok": 1,
        };
        let s = shards_from(&reply);
        assert_eq!(s[0].replica_set.as_deref(), Some("shard01"));
        assert_eq!(s[0].hosts, ["s1a:27018", "s1b:27018"]);
        assert_eq!((s[1].replica_set.as_deref(), s[1].hosts.len()), (None, 1));
    }
}
