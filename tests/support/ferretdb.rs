//! FerretDB on loopback (`tests/ferretdb/run`): a wire-protocol server that
//! enforces `maxTimeMS`, as real deployments do and the bundled one does not.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct FerretDb {
    pub uri: String,
    /// Closed on drop: the script then stops the server.
    stdin: Option<ChildStdin>,
    child: Child,
}

impl FerretDb {
    pub fn start() -> FerretDb {
        let run = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ferretdb/run");
        let mut child = Command::new(run)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {run}: {e}"));
        let line = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next()
            .and_then(Result::ok)
            .unwrap_or_else(|| {
                panic!("{run} printed nothing: is Go installed? (scripts/setup --test)")
            });
        let uri = line
            .strip_prefix("MONGODB_URI=")
            .unwrap_or_else(|| panic!("unexpected ferretdb/run output: {line}"))
            .to_string();
        FerretDb {
            uri,
            stdin: child.stdin.take(),
            child,
        }
    }
}

impl Drop for FerretDb {
    fn drop(&mut self) {
        // Closing its stdin tells the script to stop FerretDB.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}
