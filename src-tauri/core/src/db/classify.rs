//! Driver errors → the app's stable codes. Every driver call in `db` maps
//! its error here with the connection's real timeout, so the UI gets a
//! sentence for people and the driver's text only as details.

use mongodb::error::{ErrorKind, WriteFailure};

use crate::Error;

/// Code of MongoDB's `CommandNotFound` error.
pub(in crate::db) const COMMAND_NOT_FOUND: i32 = 59;
/// `DuplicateKey`: a unique index refused the write.
const DUPLICATE_KEY: i32 = 11000;
const AUTHENTICATION_FAILED: i32 = 18;
/// `MaxTimeMSExpired`: the server stopped the operation at its time limit.
pub(in crate::db) const MAX_TIME_MS_EXPIRED: i32 = 50;

/// The server stopped the operation at its `maxTimeMS`.
pub(in crate::db) fn is_time_limit(e: &mongodb::error::Error) -> bool {
    matches!(&*e.kind, ErrorKind::Command(c) if c.code == MAX_TIME_MS_EXPIRED)
}

/// When the error happened: while connecting, no answer means the server
/// could not be reached; later, it means the connection was lost, and a
/// write that got no answer may or may not have been applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Connect,
    Session,
    Write,
}

pub fn classify(err: &mongodb::error::Error, timeout_ms: u32, phase: Phase) -> Error {
    let details = err.to_string();
    match &*err.kind {
        ErrorKind::DnsResolve { message, .. } => Error::HostUnresolvable {
            host: String::new(),
            message: message.clone(),
        },
        ErrorKind::Authentication { message, .. } => Error::AuthenticationFailed {
            message: message.clone(),
        },
        ErrorKind::Command(c) if c.code == AUTHENTICATION_FAILED => Error::AuthenticationFailed {
            message: c.message.clone(),
        },
        ErrorKind::Command(c) if c.code == COMMAND_NOT_FOUND => Error::Unsupported {
            feature: c.code_name.clone(),
            message: c.message.clone(),
        },
        ErrorKind::Command(c) if c.code == MAX_TIME_MS_EXPIRED => Error::TimeLimit {
            message: "The server stopped the operation at its time limit; narrow the filter \
                      or try again."
                .into(),
        },
        ErrorKind::ServerSelection { message, .. } if phase == Phase::Connect => {
            Error::ServerSelectionTimeout {
                timeout_ms,
                message: message.clone(),
            }
        }
        ErrorKind::InvalidTlsConfig { message, .. } => Error::TlsFailed {
            message: message.clone(),
        },
        ErrorKind::Write(WriteFailure::WriteError(w)) if w.code == DUPLICATE_KEY => {
            Error::Conflict { current: None }
        }
        _ if is_lost(err) => {
            // Never selected: the write was not sent. Otherwise it may have
            // been; a few unsent cases (a checkout from a cleared pool, a
            // failed handshake) are said to be unknown too, never the reverse.
            let outcome_unknown =
                phase == Phase::Write && !matches!(&*err.kind, ErrorKind::ServerSelection { .. });
            Error::ConnectionLost {
                timeout_ms,
                message: format!(
                    "The database server stopped answering (nothing within {timeout_ms} ms).{} \
                     mozaiks-admin reconnects by itself once it is back.",
                    match outcome_unknown {
                        true =>
                            " Whether the change was applied is unknown: reload to see \
                                 before trying again.",
                        false => "",
                    }
                ),
                outcome_unknown,
                details,
            }
        }
        ErrorKind::Command(c) => Error::Database {
            message: format!("The server refused the request: {}", c.message),
            details,
        },
        _ => Error::Database {
            message: "The database request failed.".into(),
            details,
        },
    }
}

/// The server is unreachable or dropped the connection mid-request.
fn is_lost(err: &mongodb::error::Error) -> bool {
    matches!(
        &*err.kind,
        ErrorKind::Io(_)
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::ServerSelection { .. }
    )
}

/// `result.classified(timeout_ms)?` inside `db`: the only way driver errors
/// leave it.
/// `classified_write` for the result of a write.
pub(in crate::db) trait Classified<T> {
    fn classified(self, timeout_ms: u32) -> crate::Result<T>;
    fn classified_write(self, timeout_ms: u32) -> crate::Result<T>;
}

impl<T> Classified<T> for mongodb::error::Result<T> {
    fn classified(self, timeout_ms: u32) -> crate::Result<T> {
        self.map_err(|e| classify(&e, timeout_ms, Phase::Session))
    }

    fn classified_write(self, timeout_ms: u32) -> crate::Result<T> {
        self.map_err(|e| classify(&e, timeout_ms, Phase::Write))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    fn command(reply: mongodb::bson::Document) -> mongodb::error::Error {
        let c: mongodb::error::CommandError = mongodb::bson::from_document(reply).unwrap();
        ErrorKind::Command(c).into()
    }

    #[test]
    fn a_time_limit_is_its_own_code() {
        let e = command(
            doc! { "ok": 0, "errmsg": "operation exceeded time limit", "code": 50, "codeName": "MaxTimeMSExpired" },
        );
        assert_eq!(classify(&e, 3000, Phase::Session).code(), "time_limit");
        let other = command(doc! { "ok": 0, "errmsg": "bad", "code": 2, "codeName": "BadValue" });
        assert_eq!(classify(&other, 3000, Phase::Session).code(), "database");
    }

    fn eof() -> mongodb::error::Error {
        ErrorKind::Io(std::sync::Arc::new(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "unexpected end of file",
        )))
        .into()
    }

    #[tokio::test]
    async fn a_write_without_an_answer_is_said_to_be_unknown_and_one_never_sent_is_not() {
        let unknown = "Whether the change was applied is unknown";
        let sent = classify(&eof(), 3000, Phase::Write);
        assert!(matches!(
            sent,
            Error::ConnectionLost {
                outcome_unknown: true,
                ..
            }
        ));
        assert!(sent.to_string().contains(unknown), "{sent}");
        assert!(!classify(&eof(), 3000, Phase::Session)
            .to_string()
            .contains(unknown));
        // Nothing listens on port 1: the write is never sent.
        let mut options = mongodb::options::ClientOptions::parse("mongodb://127.0.0.1:1")
            .await
            .unwrap();
        options.server_selection_timeout = Some(std::time::Duration::from_millis(100));
        let never_selected = mongodb::Client::with_options(options)
            .unwrap()
            .database("x")
            .collection::<mongodb::bson::Document>("x")
            .insert_one(doc! {})
            .await
            .unwrap_err();
        assert!(matches!(
            *never_selected.kind,
            ErrorKind::ServerSelection { .. }
        ));
        let unsent = classify(&never_selected, 3000, Phase::Write);
        assert!(matches!(
            unsent,
            Error::ConnectionLost {
                outcome_unknown: false,
                ..
            }
        ));
        assert!(!unsent.to_string().contains(unknown), "{unsent}");
    }

    #[test]
    fn a_lost_server_mid_session_says_so_with_the_real_timeout() {
        let io = eof();
        match classify(&io, 3000, Phase::Session) {
            Error::ConnectionLost {
                timeout_ms,
                message,
                details,
                ..
            } => {
                assert_eq!(timeout_ms, 3000);
                assert!(message.contains("3000 ms") && !message.contains("Kind:"));
                assert!(details.contains("unexpected end of file"));
            }
            other => panic!("{other:?}"),
        }
    }
}
