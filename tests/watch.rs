//! `verify URL` and `logseal watch`, driving the binaries against `logseal serve` on
//! loopback: a log verified over HTTP gets the same verdicts for checks 1-6 and 8 as its
//! directory (check 7 is not run remotely, and says so); the monitor verifies honest growth
//! incrementally, and when the operator serves a second history (a fork of the same size
//! under the same key) it alerts: exit 1, the violation on standard error, both checkpoints
//! kept as evidence, and the hook program gets the alert as JSON on standard input.

mod common;

use std::path::Path;

use common::served::Served;
use common::{copy_dir, fails, lines, logseal, ok, registration, setup_log, trust_new};

/// Growth the verifier finds nothing wrong with: key registrations by the authority.
fn append(dir: &Path, log: &str, range: std::ops::Range<usize>) {
    let mut regs = Vec::new();
    for i in range {
        let name = format!("gateway-{i}");
        ok(&logseal(
            &["keygen", "--name", &name, "--out", &name],
            dir,
            None,
        ));
        let key = dir.join(format!("{name}.pub"));
        regs.push(registration(&name, &key, &["data-access"]));
    }
    ok(&logseal(
        &["append", log, "--in", "-", "--producer-key", "ra.key"],
        dir,
        Some(&lines(regs)),
    ));
    ok(&logseal(&["checkpoint", log], dir, None));
}

/// (check number, verdict or `not-run`) of `verify --json`.
fn verdicts(dir: &Path, location: &str) -> Vec<(u64, String)> {
    let o = logseal(
        &["verify", location, "--trust", "trust.json", "--json"],
        dir,
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", common::text(&o.stderr)));
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let verdict = c["verdict"].as_str().unwrap_or("not-run");
            (i as u64 + 1, verdict.to_string())
        })
        .collect()
}

#[test]
fn verify_over_http_agrees_and_watch_catches_a_second_history() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    ok(&trust_new(dir, &[]));
    append(dir, "log", 0..4);
    // The operator keeps a copy, and later serves it grown differently: a second history.
    copy_dir(&dir.join("log"), &dir.join("fork"));
    append(dir, "log", 4..8);
    append(dir, "fork", 20..24);

    let server = Served::start(dir, "log");
    // Same verdicts over HTTP as on the directory, but for check 7 (private part, on site).
    let local = verdicts(dir, "log");
    let remote = verdicts(dir, &server.url);
    assert_eq!(local.len(), remote.len());
    for ((n, l), (m, r)) in local.iter().zip(&remote) {
        assert_eq!(n, m);
        if *n == 7 {
            assert_eq!(r, "not-run", "{remote:?}");
        } else {
            assert_eq!(l, r, "check {n}: {local:?} vs {remote:?}");
        }
    }

    // The monitor: a first round verifies everything and keeps the state.
    let watch = |url: &str| {
        logseal(
            &[
                "watch",
                url,
                "--trust",
                "trust.json",
                "--state",
                "monitor",
                "--once",
                "--hook",
                "tee",
                "--hook-arg",
                "alert.json",
            ],
            dir,
            None,
        )
    };
    let out = ok(&watch(&server.url));
    assert!(out.contains("verified; no violation"), "{out}");
    assert!(!dir.join("alert.json").exists());
    drop(server);

    // The operator now serves the other history.
    let server = Served::start(dir, "fork");
    let err = fails(&watch(&server.url), 1);
    assert!(err.contains("logseal watch: VIOLATION check 1"), "{err}");
    let evidence: Vec<_> = std::fs::read_dir(dir.join("monitor/evidence"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(evidence.len(), 1, "{evidence:?}");
    let before = std::fs::read_to_string(evidence[0].join("checkpoint-before")).unwrap();
    let served = std::fs::read_to_string(evidence[0].join("checkpoint-served")).unwrap();
    assert_eq!(
        before,
        std::fs::read_to_string(dir.join("log/public/checkpoint")).unwrap()
    );
    assert_eq!(
        served,
        std::fs::read_to_string(dir.join("fork/public/checkpoint")).unwrap()
    );
    assert!(evidence[0].join("report.json").is_file());
    let alert: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("alert.json")).unwrap()).unwrap();
    assert_eq!(alert["url"], server.url.as_str());
    assert!(
        alert["report"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["check"] == 1 && f["verdict"] == "violated"),
        "{alert}"
    );
}

/// `show`, `log` and `checkpoints` read a served log over HTTP as they read its directory
/// (the same records, authenticated against the same trust file); a URL needs --trust, and
/// `show --disclose` (sealed values, on site) refuses one.
#[test]
fn show_log_and_checkpoints_read_a_served_log_as_its_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    ok(&trust_new(dir, &[]));
    append(dir, "log", 0..3);
    append(dir, "log", 3..5);
    let server = Served::start(dir, "log");
    let url = server.url.as_str();
    let cases: [&[&str]; 5] = [
        &["show", "2"],
        &["show", "4", "--json"],
        &["log", "--limit", "3"],
        &["log", "--kind", "key-registration", "--json"],
        &["checkpoints"],
    ];
    for args in cases {
        let run = |at: &str| {
            let mut a = vec![args[0], at, "--trust", "trust.json"];
            a.extend(&args[1..]);
            let o = logseal(&a, dir, None);
            ok(&o);
            common::text(&o.stdout)
        };
        let (local, remote) = (run("log"), run(url));
        assert!(!local.is_empty(), "{args:?}");
        assert_eq!(local, remote, "{args:?}");
    }
    let e = fails(&logseal(&["show", url, "2"], dir, None), 2);
    assert!(e.contains("give --trust FILE"), "{e}");
    let e = fails(
        &logseal(
            &[
                "show",
                url,
                "2",
                "--trust",
                "trust.json",
                "--disclose",
                "--inspector-key",
                "ra.key",
                "--purpose",
                "p",
                "--legal-basis",
                "b",
                "--case-ref-file",
                "case",
            ],
            dir,
            None,
        ),
        2,
    );
    assert!(e.contains("not a URL"), "{e}");
}
