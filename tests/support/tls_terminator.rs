//! A real TLS terminator on loopback: Debian's stunnel in front of the test
//! database, with certificates made by `openssl` at test time. One listener
//! per case: a good certificate, one from another CA, an expired one, one
//! for another host name, and one that requires a client certificate.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const KEY_PASSWORD: &str = "mozaiks client key password";

pub struct Terminator {
    pub dir: PathBuf,
    pub good: u16,
    pub other_ca: u16,
    pub expired: u16,
    pub wrong_host: u16,
    pub client_required: u16,
    child: Child,
}

impl Drop for Terminator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is installed (scripts/setup --test)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `openssl req` with a new unencrypted P-256 key in `name.key`, for
/// `/CN=subject`; `output` says what else it writes (a CA or a request).
fn new_key(dir: &Path, name: &str, subject: &str, output: &[&str]) {
    let key = format!("{name}.key");
    let subject = format!("/CN={subject}");
    let mut args = vec![
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-subj",
        &subject,
    ];
    args.extend_from_slice(output);
    openssl(dir, &args);
}

/// A CA `name` (name.pem, name.key).
fn ca(dir: &Path, name: &str) {
    let pem = format!("{name}.pem");
    new_key(
        dir,
        name,
        &format!("mozaiks test {name}"),
        &["-x509", "-days", "2", "-out", &pem],
    );
}

/// A certificate `name` signed by CA `ca` for `san`, valid for `days`
/// (negative: already expired); `name.pem` holds it and its key.
fn leaf(dir: &Path, name: &str, ca: &str, san: &str, days: i32, usage: &str) {
    std::fs::write(
        dir.join(format!("{name}.ext")),
        format!("subjectAltName={san}\nextendedKeyUsage={usage}\n"),
    )
    .unwrap();
    let csr = format!("{name}.csr");
    new_key(dir, name, name, &["-out", &csr]);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            &days.to_string(),
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.crt"),
        ],
    );
    let cert = std::fs::read_to_string(dir.join(format!("{name}.crt"))).unwrap();
    let key = std::fs::read_to_string(dir.join(format!("{name}.key"))).unwrap();
    std::fs::write(dir.join(format!("{name}.pem")), format!("{cert}{key}")).unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Terminator {
    /// Listeners in front of `target` (`host:port` of the test database).
    pub fn start(dir: &Path, target: &str) -> Terminator {
        std::fs::create_dir_all(dir).unwrap();
        ca(dir, "ca");
        ca(dir, "other-ca");
        let local = "DNS:localhost,IP:127.0.0.1";
        leaf(dir, "server", "ca", local, 2, "serverAuth");
        leaf(dir, "other", "other-ca", local, 2, "serverAuth");
        leaf(dir, "expired", "ca", local, -1, "serverAuth");
        leaf(
            dir,
            "wrong-host",
            "ca",
            "DNS:elsewhere.example",
            2,
            "serverAuth",
        );
        leaf(dir, "client", "ca", "DNS:mozaiks-admin", 2, "clientAuth");
        // The client key again, encrypted (PKCS#8), with its certificate.
        openssl(
            dir,
            &[
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-in",
                "client.key",
                "-out",
                "client-encrypted.key",
                "-passout",
                &format!("pass:{KEY_PASSWORD}"),
            ],
        );
        let cert = std::fs::read_to_string(dir.join("client.crt")).unwrap();
        let key = std::fs::read_to_string(dir.join("client-encrypted.key")).unwrap();
        std::fs::write(dir.join("client-encrypted.pem"), format!("{cert}{key}")).unwrap();

        let ports = [
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            free_port(),
        ];
        let service = |name: &str, port: u16, cert: &str, extra: &str| {
            format!(
                "[{name}]\naccept = 127.0.0.1:{port}\nconnect = {target}\ncert = {}\n{extra}\n",
                dir.join(format!("{cert}.pem")).display()
            )
        };
        let ca_file = dir.join("ca.pem").display().to_string();
        let config = [
            format!(
                "foreground = yes\npid =\ndebug = 5\noutput = {}\n",
                dir.join("stunnel.log").display()
            ),
            service("good", ports[0], "server", ""),
            service("other-ca", ports[1], "other", ""),
            service("expired", ports[2], "expired", ""),
            service("wrong-host", ports[3], "wrong-host", ""),
            service(
                "client-required",
                ports[4],
                "server",
                &format!("verifyChain = yes\nrequireCert = yes\nCAfile = {ca_file}"),
            ),
        ]
        .concat();
        std::fs::write(dir.join("stunnel.conf"), config).unwrap();
        let child = Command::new("stunnel4")
            .arg(dir.join("stunnel.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("stunnel4 is installed (scripts/setup --test)");
        let started = Instant::now();
        while ports
            .iter()
            .any(|p| std::net::TcpStream::connect(("127.0.0.1", *p)).is_err())
        {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "stunnel did not listen"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let [good, other_ca, expired, wrong_host, client_required] = ports;
        Terminator {
            dir: dir.to_path_buf(),
            good,
            other_ca,
            expired,
            wrong_host,
            client_required,
            child,
        }
    }

    pub fn file(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}
