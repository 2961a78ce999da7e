//! A three-node Garage cluster on loopback (scripts/garage-cluster.sh), started once per test
//! binary and stopped when the test process exits. Needs the `garage` binary
//! (scripts/install-test-tools.sh): with `CI=true` a missing one fails the test; elsewhere
//! the test says so on standard error and skips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Garage {
    pub dir: PathBuf,
    /// `AWS_*` variables of the cluster's key and node 1's endpoint.
    pub env: Vec<(String, String)>,
    pub bucket: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/garage-cluster.sh")
}

fn have_garage() -> bool {
    let home = std::env::var("HOME").unwrap_or_default();
    std::env::var_os("GARAGE_BIN").is_some()
        || Command::new("sh")
            .args(["-c", "command -v garage"])
            .output()
            .is_ok_and(|o| o.status.success())
        || Path::new(&home).join(".cargo/bin/garage").is_file()
}

/// The cluster, or `None` (after a notice) when garage is not installed outside CI.
pub fn garage(test: &str) -> Option<&'static Garage> {
    static CLUSTER: std::sync::OnceLock<Option<Garage>> = std::sync::OnceLock::new();
    let g = CLUSTER.get_or_init(|| {
        if !have_garage() {
            return None;
        }
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("garage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&dir)
            .args(["--owner", &std::process::id().to_string()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "garage-cluster.sh start failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(dir.join("env")).unwrap();
        let mut env = Vec::new();
        let mut bucket = String::new();
        for line in text.lines() {
            let (k, v) = line.split_once('=').unwrap();
            if k == "LOGSEAL_TEST_BUCKET" {
                bucket = v.to_string();
            } else {
                env.push((k.to_string(), v.to_string()));
            }
        }
        Some(Garage { dir, env, bucket })
    });
    if g.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: garage is not installed: CI needs it (scripts/install-test-tools.sh)");
        }
        eprintln!(
            "{test}: SKIPPED: garage is not installed (scripts/install-test-tools.sh installs it)"
        );
    }
    g.as_ref()
}

impl Garage {
    /// `s3://BUCKET/NAME`.
    pub fn url(&self, name: &str) -> String {
        format!("s3://{}/{name}", self.bucket)
    }

    /// Run `logseal ARGS` in `dir` with the cluster's credentials.
    pub fn logseal(&self, args: &[&str], dir: &Path) -> Output {
        Command::new(env!("CARGO_BIN_EXE_logseal"))
            .current_dir(dir)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env_remove("LOGSEAL_CACHE")
            .output()
            .unwrap()
    }

    /// The same, with more variables.
    pub fn logseal_with(&self, args: &[&str], dir: &Path, extra: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_logseal"))
            .current_dir(dir)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(extra.iter().copied())
            .output()
            .unwrap()
    }

    /// In `d`: the keys of the authority (`ra`), the log (`logkey`) and the query front-end
    /// (`qf`); a log `log` whose public part is `public`, made with `init` and the `extra`
    /// arguments; the query front-end registered; and `trust.json`. Returns `init`'s output.
    pub fn new_log(&self, d: &Path, public: &str, extra: &[&str]) -> String {
        use super::{AUTHORITY, ORIGIN, lines, ok, registration};
        for (name, out) in [
            (AUTHORITY, "ra"),
            (ORIGIN, "logkey"),
            ("query-frontend", "qf"),
        ] {
            ok(&self.logseal(&["keygen", "--name", name, "--out", out], d));
        }
        let mut args = vec![
            "init",
            "log",
            "--origin",
            ORIGIN,
            "--log-key",
            "logkey.key",
            "--authority",
            "ra.pub",
            "--public",
            public,
        ];
        args.extend_from_slice(extra);
        let created = ok(&self.logseal(&args, d));
        let reg = registration("query-frontend", &d.join("qf.pub"), &["data-access"]);
        std::fs::write(d.join("reg.jsonl"), lines([reg])).unwrap();
        let append = [
            "append",
            "log",
            "--in",
            "reg.jsonl",
            "--producer-key",
            "ra.key",
        ];
        ok(&self.logseal(&append, d));
        ok(&super::trust_new(d, &[]));
        created
    }

    /// The S3 endpoint of node `n` (1..3).
    pub fn endpoint(&self, n: usize) -> String {
        let port = std::fs::read_to_string(self.dir.join(format!("node{n}.s3port"))).unwrap();
        format!("http://127.0.0.1:{}", port.trim())
    }

    /// Stop (`false`) or start again (`true`) node `n`.
    pub fn node(&self, n: usize, up: bool) {
        let verb = if up { "start-node" } else { "stop-node" };
        let out = Command::new("bash")
            .arg(script())
            .arg(verb)
            .arg(&self.dir)
            .arg(n.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{verb} {n}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Set the cluster's variables in this process (for the library's `S3Store`).
    pub fn set_env(&self) {
        for (k, v) in &self.env {
            // SAFETY: the tests of a binary that use the cluster all set the same values.
            unsafe { std::env::set_var(k, v) };
        }
    }
}
