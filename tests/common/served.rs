//! `logseal serve` on loopback for the tests that read a served log over HTTP: started on a
//! port the system chooses, its URL read from its first line, killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Served {
    child: Child,
    pub url: String,
}

impl Served {
    /// Serve the log directory `log` (relative to `dir`), checkpointing hourly only.
    pub fn start(dir: &Path, log: &str) -> Served {
        Served::start_with(dir, log, &[])
    }

    /// [`Served::start`] with more environment variables (a bucket's credentials).
    pub fn start_with(dir: &Path, log: &str, env: &[(String, String)]) -> Served {
        Served::start_args(dir, log, env, &[])
    }

    /// [`Served::start_with`] with more arguments to `serve`.
    pub fn start_args(dir: &Path, log: &str, env: &[(String, String)], args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
            .current_dir(dir)
            .args(["serve", log, "--listen", "127.0.0.1:0"])
            .args(["--checkpoint-interval", "1h"])
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("serve did not start: {line:?}"))
            .to_string();
        // Keep reading its output so that it never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Served { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
