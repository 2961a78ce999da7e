//! A local RFC 3161 time-stamping authority for the timestamp tests: a CA and a TSA
//! certificate (extended key usage timeStamping, critical) made with the `openssl` CLI in a
//! temporary directory, and a loopback HTTP server that pipes each request body into `openssl
//! ts -reply` and answers its reply as `application/timestamp-reply`.
//!
//! Needs the `openssl` binary (Debian's `openssl`): with `CI=true` a missing openssl fails the
//! test; elsewhere [`Tsa::start_or_notice`] says so on standard error and returns `None`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Tsa {
    /// `http://127.0.0.1:PORT/tsa`.
    pub url: String,
    /// The CA certificate (PEM) that issued the TSA's certificate.
    pub ca_pem: PathBuf,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
    _dir: tempfile::TempDir,
}

/// Whether the `openssl` binary runs here.
pub fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[track_caller]
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const TS_CONFIG: &str = "\
[tsa]
default_tsa = tsa_config
[tsa_config]
serial = ./tsaserial
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
ess_cert_id_alg = sha256
accuracy = secs:1
ordering = no
tsa_name = yes
";

const TSA_EXT: &str = "\
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
";

impl Tsa {
    /// A running TSA, or `None` (with a notice) when openssl is not installed outside CI.
    pub fn start_or_notice(test: &str) -> Option<Tsa> {
        if !openssl_available() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("openssl is not installed: CI needs it (scripts/install-test-tools.sh)");
            }
            eprintln!("notice: openssl is not installed; {test} did not run");
            return None;
        }
        Some(Tsa::start())
    }

    pub fn start() -> Tsa {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
        openssl(d, &[&["genpkey", "-out", "ca.key"][..], &ec].concat());
        openssl(d, &[&["genpkey", "-out", "tsa.key"][..], &ec].concat());
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                "/CN=test TSA CA",
                "-days",
                "30",
                "-addext",
                "basicConstraints=critical,CA:true",
                "-addext",
                "keyUsage=critical,keyCertSign",
                "-out",
                "ca.pem",
            ],
        );
        std::fs::write(d.join("tsa.ext"), TSA_EXT).unwrap();
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                "tsa.key",
                "-subj",
                "/CN=test TSA",
                "-out",
                "tsa.csr",
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "tsa.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "30",
                "-extfile",
                "tsa.ext",
                "-out",
                "tsa.pem",
            ],
        );
        std::fs::write(d.join("ts.cnf"), TS_CONFIG).unwrap();
        std::fs::write(d.join("tsaserial"), "01\n").unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (s, work) = (stop.clone(), d.to_path_buf());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    serve(c, &work);
                }
            }
        });
        Tsa {
            url: format!("http://{addr}/tsa"),
            ca_pem: d.join("ca.pem"),
            stop,
            addr,
            _dir: dir,
        }
    }
}

impl Drop for Tsa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// One request: its body to `openssl ts -reply`, its reply back.
fn serve(conn: TcpStream, work: &Path) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    std::fs::write(work.join("request.tsq"), &body).unwrap();
    let out = Command::new("openssl")
        .args([
            "ts",
            "-reply",
            "-config",
            "ts.cnf",
            "-queryfile",
            "request.tsq",
            "-inkey",
            "tsa.key",
            "-signer",
            "tsa.pem",
            "-out",
            "reply.tsr",
        ])
        .current_dir(work)
        .output()
        .unwrap();
    let mut conn = conn;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).into_owned();
        let _ = write!(
            conn,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{msg}",
            msg.len()
        );
        return;
    }
    let reply = std::fs::read(work.join("reply.tsr")).unwrap();
    let _ = write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.len()
    );
    let _ = conn.write_all(&reply);
}
