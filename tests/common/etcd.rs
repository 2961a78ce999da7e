//! A throwaway single-member etcd on loopback for the coordination tests: its data in a
//! temporary directory, its client and peer ports chosen free, killed when dropped.
//!
//! Needs the `etcd` binary (Debian's `etcd-server`): with `CI=true` a missing etcd fails the
//! test; elsewhere [`Etcd::start_or_notice`] says so on standard error and returns `None`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use logseal::coord::EtcdClient;

pub struct Etcd {
    child: Child,
    /// `http://127.0.0.1:PORT`, the client URL (and the JSON gateway's).
    pub endpoint: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// Whether the `etcd` binary runs here.
pub fn etcd_available() -> bool {
    Command::new("etcd")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    l.local_addr().unwrap().port()
}

impl Etcd {
    /// A running etcd, or `None` (with a notice) when etcd is not installed outside CI.
    pub fn start_or_notice(test: &str) -> Option<Etcd> {
        if !etcd_available() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("etcd is not installed: CI needs it (scripts/install-test-tools.sh)");
            }
            eprintln!("notice: etcd is not installed; {test} did not run");
            return None;
        }
        Some(Etcd::start())
    }

    /// Start etcd and wait until its gateway answers; a port taken between choosing it and
    /// etcd binding it makes etcd exit, and the start is tried again on other ports.
    pub fn start() -> Etcd {
        let mut last = String::new();
        for _ in 0..3 {
            match Etcd::try_start() {
                Ok(e) => return e,
                Err(why) => last = why,
            }
        }
        panic!("etcd did not start: {last}");
    }

    fn try_start() -> Result<Etcd, String> {
        let dir = tempfile::tempdir().unwrap();
        let (client, peer) = (free_port(), free_port());
        let endpoint = format!("http://127.0.0.1:{client}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let log = dir.path().join("etcd.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new("etcd")
            .arg("--name=default")
            .arg(format!("--data-dir={}", dir.path().join("data").display()))
            .arg(format!("--listen-client-urls={endpoint}"))
            .arg(format!("--advertise-client-urls={endpoint}"))
            .arg(format!("--listen-peer-urls={peer_url}"))
            .arg(format!("--initial-advertise-peer-urls={peer_url}"))
            .arg(format!("--initial-cluster=default={peer_url}"))
            .arg("--initial-cluster-state=new")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .map_err(|e| format!("etcd: {e}"))?;
        let mut etcd = Etcd {
            child,
            endpoint,
            log,
            _dir: dir,
        };
        let client = EtcdClient::with_timeout(&etcd.endpoint, Duration::from_secs(1)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if client.get(b"probe").is_ok() {
                return Ok(etcd);
            }
            if let Ok(Some(status)) = etcd.child.try_wait() {
                return Err(format!("etcd exited ({status}): {}", etcd.log_text()));
            }
            if Instant::now() > deadline {
                return Err(format!("etcd did not answer in 30 s: {}", etcd.log_text()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A client of this etcd.
    pub fn client(&self) -> EtcdClient {
        EtcdClient::new(&self.endpoint).unwrap()
    }

    /// What etcd wrote so far (for failure messages).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
