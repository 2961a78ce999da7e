//! `logseal witness serve` (C2SP tlog-witness over HTTP) and `logseal checkpoint
//! --witnesses`, driving the binaries on loopback: two witnesses cosign a log's checkpoints
//! (quorum 2) and `verify` with a quorum-2 trust file accepts them; a witness down leaves
//! the checkpoint published but "not yet witnessed" and `verify` says so; a split view
//! (a second history of the same log) is refused with both checkpoints kept as evidence;
//! the witness's state survives a restart; the protocol's status codes.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{ORIGIN, lines, logseal, ok, query, setup_log};

struct Witness {
    child: Child,
    url: String,
}

impl Witness {
    fn start(dir: &Path, name: &str) -> Witness {
        let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
            .current_dir(dir)
            .args(["witness", "serve", "--key", &format!("{name}.key")])
            .args([
                "--state",
                &format!("{name}-state"),
                "--log-key",
                "logkey.pub",
            ])
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(url) = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(str::to_string)
        else {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("witness serve did not start: {line:?} {err}");
        };
        Witness { child, url }
    }

    fn stop(mut self) -> String {
        // SIGTERM: a graceful stop.
        terminate(self.child.id());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        (self.child.stderr.take().unwrap())
            .read_to_string(&mut err)
            .unwrap();
        assert!(status.success(), "{status:?} {err}");
        err
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn terminate(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}

fn vkey(dir: &Path, name: &str) -> String {
    common::text(
        &logseal(
            &["witness", "vkey", "--key", &format!("{name}.key")],
            dir,
            None,
        )
        .stdout,
    )
    .trim()
    .to_string()
}

fn write_policy(dir: &Path, witnesses: &[(&Witness, &str)], quorum: usize) {
    let list: Vec<serde_json::Value> = witnesses
        .iter()
        .map(|(w, name)| serde_json::json!({"url": w.url, "vkey": vkey(dir, name)}))
        .collect();
    let policy = serde_json::json!({"witnesses": list, "quorum": quorum});
    std::fs::write(dir.join("policy.json"), policy.to_string()).unwrap();
}

fn write_trust(dir: &Path, witnesses: &[String], quorum: usize) {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f))
            .unwrap()
            .trim()
            .to_string()
    };
    let trust = serde_json::json!({
        "format": 1,
        "origin": ORIGIN,
        "tree_hash": "sha256",
        "log_key": read("logkey.pub"),
        "registration_authority": read("ra.pub"),
        "authorisation_registry": "authorisation-registry",
        "witnesses": witnesses,
        "witness_quorum": quorum,
    });
    std::fs::write(dir.join("trust.json"), trust.to_string()).unwrap();
}

fn append(dir: &Path, log: &str, range: std::ops::Range<usize>) {
    ok(&logseal(
        &["append", log, "--in", "-", "--producer-key", "qf.key"],
        dir,
        Some(&lines(range.map(query))),
    ));
}

/// `checkpoint --witnesses policy.json`: (the published note, standard error).
fn witnessed_checkpoint(dir: &Path, log: &str) -> (String, String) {
    let o = logseal(
        &["checkpoint", log, "--witnesses", "policy.json"],
        dir,
        None,
    );
    let err = common::text(&o.stderr);
    assert!(o.status.success(), "{err}");
    (common::text(&o.stdout), err)
}

/// Check 1's codes of `verify --json`.
fn check1_codes(dir: &Path, log: &str) -> Vec<String> {
    let o = logseal(
        &["verify", log, "--trust", "trust.json", "--json"],
        dir,
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == 1)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

fn keygen(dir: &Path, name: &str) {
    ok(&logseal(
        &["keygen", "--name", name, "--out", name],
        dir,
        None,
    ));
}

#[test]
fn two_witnesses_cosign_and_a_witness_down_is_said() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    keygen(dir, "w1");
    keygen(dir, "w2");
    let w1 = Witness::start(dir, "w1");
    let w2 = Witness::start(dir, "w2");
    write_policy(dir, &[(&w1, "w1"), (&w2, "w2")], 2);
    write_trust(dir, &[vkey(dir, "w1"), vkey(dir, "w2")], 2);

    // First use, then growth (the witnesses answer 409 with their size; the log proves
    // consistency from it and asks again).
    append(dir, "log", 0..3);
    let (note, err) = witnessed_checkpoint(dir, "log");
    assert!(
        err.contains("witnessed: 2 of 2 witnesses cosigned (quorum 2)"),
        "{err}"
    );
    assert!(
        note.contains("\n— w1 ") && note.contains("\n— w2 "),
        "{note}"
    );
    append(dir, "log", 3..9);
    let (note, err) = witnessed_checkpoint(dir, "log");
    assert!(err.contains("witnessed: 2 of 2"), "{err}");
    assert!(
        note.contains("\n— w1 ") && note.contains("\n— w2 "),
        "{note}"
    );
    let published = std::fs::read_to_string(dir.join("log/public/checkpoint")).unwrap();
    assert_eq!(published, note);
    let codes = check1_codes(dir, "log");
    assert!(
        !codes.iter().any(|c| c.starts_with("checkpoint-witness")),
        "{codes:?}"
    );

    // The state survives a restart: w1 restarted still holds the size it cosigned.
    let state_before = std::fs::read(dir.join("w1-state/state.json")).unwrap();
    let log1 = w1.stop();
    assert!(log1.contains("cosigned"), "{log1}");
    let w1 = Witness::start(dir, "w1");
    write_policy(dir, &[(&w1, "w1"), (&w2, "w2")], 2);
    assert_eq!(
        std::fs::read(dir.join("w1-state/state.json")).unwrap(),
        state_before
    );

    // w2 down: the checkpoint is still published, said to be not yet witnessed, and the
    // auditor's quorum-2 verify reports it.
    drop(w2);
    append(dir, "log", 9..12);
    let (note, err) = witnessed_checkpoint(dir, "log");
    assert!(err.contains("witness w2"), "{err}");
    assert!(err.contains("unreachable"), "{err}");
    assert!(err.contains("NOT YET WITNESSED: 1 of 2"), "{err}");
    assert!(
        note.contains("\n— w1 ") && !note.contains("\n— w2 "),
        "{note}"
    );
    let codes = check1_codes(dir, "log");
    assert!(
        codes.contains(&"checkpoint-witness-quorum".to_string()),
        "{codes:?}"
    );
    drop(w1);
}

#[test]
fn a_split_view_is_refused_and_kept_as_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    keygen(dir, "w1");
    let w1 = Witness::start(dir, "w1");
    write_policy(dir, &[(&w1, "w1")], 1);
    append(dir, "log", 0..3);
    witnessed_checkpoint(dir, "log");
    // The operator keeps a second copy and grows both differently: two histories of the
    // same log under the same key.
    common::copy_dir(&dir.join("log"), &dir.join("fork"));
    append(dir, "log", 3..6);
    append(dir, "fork", 10..13);
    let (_, err) = witnessed_checkpoint(dir, "log");
    assert!(err.contains("witnessed: 1 of 1"), "{err}");
    // Same size, another root: 409 from the witness, the fork's checkpoint not cosigned.
    let (note, err) = witnessed_checkpoint(dir, "fork");
    assert!(err.contains("another tree of size"), "{err}");
    assert!(err.contains("NOT YET WITNESSED"), "{err}");
    assert!(!note.contains("\n— w1 "), "{note}");
    // A larger fork: its proof from the witnessed size does not verify: 422.
    append(dir, "fork", 13..20);
    let (_, err) = witnessed_checkpoint(dir, "fork");
    assert!(err.contains("refused (422)"), "{err}");
    let evidence: Vec<_> = std::fs::read_dir(dir.join("w1-state/evidence"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(evidence.len(), 4, "{evidence:?}");
    let log = w1.stop();
    assert!(log.contains("evidence kept"), "{log}");
}

#[test]
fn protocol_status_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    keygen(dir, "w1");
    let w1 = Witness::start(dir, "w1");
    let client = logseal::client::Client::new(&w1.url, Duration::from_secs(10));
    ok(&logseal(&["checkpoint", "log"], dir, None));
    let cp = std::fs::read(dir.join("log/public/checkpoint")).unwrap();
    let body = |old: &str, cp: &[u8]| {
        let mut b = format!("old {old}\n\n").into_bytes();
        b.extend_from_slice(cp);
        b
    };
    let status = |b: &[u8]| client.add_checkpoint(b).unwrap().0;
    assert_eq!(status(b"old x\n\n"), 400);
    assert_eq!(status(&body("0", b"")), 400);
    // Another origin: 404. Signed by another key under the origin's name: 403.
    let foreign = String::from_utf8(cp.clone())
        .unwrap()
        .replacen(ORIGIN, "other.example/log", 1);
    assert_eq!(status(&body("0", foreign.as_bytes())), 404);
    let mut forged = cp.clone();
    let n = forged.len();
    forged[n - 5] ^= 1;
    assert_eq!(status(&body("0", &forged)), 403);
    // Old size above the checkpoint's: 400. First use: 200, one cosignature line.
    assert_eq!(status(&body("999999", &cp)), 400);
    let (s, answer) = client.add_checkpoint(&body("0", &cp)).unwrap();
    assert_eq!(s, 200);
    let answer = String::from_utf8(answer).unwrap();
    assert!(
        answer.starts_with("— w1 ") && answer.lines().count() == 1,
        "{answer}"
    );
    // Now the witness holds the size: a request from 0 gets 409 with it.
    let size = String::from_utf8_lossy(&cp)
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    append(dir, "log", 0..2);
    ok(&logseal(&["checkpoint", "log"], dir, None));
    let cp2 = std::fs::read(dir.join("log/public/checkpoint")).unwrap();
    let (s, answer) = client.add_checkpoint(&body("0", &cp2)).unwrap();
    assert_eq!(
        (s, String::from_utf8(answer).unwrap()),
        (409, format!("{size}\n"))
    );
    // A proof that does not verify: 422.
    let mut b = format!("old {size}\n{}\n\n", "A".repeat(43) + "=").into_bytes();
    b.extend_from_slice(&cp2);
    assert_eq!(status(&b), 422);
}

#[test]
fn serve_publishes_witnessed_checkpoints() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    keygen(dir, "w1");
    let w1 = Witness::start(dir, "w1");
    write_policy(dir, &[(&w1, "w1")], 1);
    // Appended but not checkpointed: `serve` publishes a checkpoint at start, cosigned.
    append(dir, "log", 0..4);
    let mut server = Command::new(env!("CARGO_BIN_EXE_logseal"))
        .current_dir(dir)
        .args(["serve", "log", "--listen", "127.0.0.1:0"])
        .args(["--witnesses", "policy.json", "--checkpoint-interval", "1h"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("listening on "), "{line}");
    terminate(server.id());
    let status = server.wait().unwrap();
    drop(stdout);
    let mut err = String::new();
    (server.stderr.take().unwrap())
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{err}");
    assert!(err.contains("logseal serve: witnessed: 1 of 1"), "{err}");
    let published = std::fs::read_to_string(dir.join("log/public/checkpoint")).unwrap();
    assert!(published.contains("\n— w1 "), "{published}");
    write_trust(dir, &[vkey(dir, "w1")], 1);
    let codes = check1_codes(dir, "log");
    assert!(
        !codes.iter().any(|c| c.starts_with("checkpoint-witness")),
        "{codes:?}"
    );
    drop(w1);
}

/// RFC 3339 of a time in seconds.
fn rfc3339(secs: u64) -> String {
    logseal::record::types::Timestamp(secs * 1000).to_rfc3339()
}

#[test]
fn a_log_clock_set_back_cannot_move_a_record_time_before_the_witnesses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    keygen(dir, "w1");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let occurred = now - 3 * 86_400;
    // The log signs checkpoint C1 with its clock set back to an hour after the record's time;
    // the witness cosigns it at its own (true) time.
    let witness = logseal::note::Ed25519NoteKey::from_skey(
        std::fs::read_to_string(dir.join("w1.key")).unwrap().trim(),
    )
    .unwrap();
    {
        let mut log = logseal::log::Log::open(&dir.join("log")).unwrap();
        log.checkpoint_witnessed(occurred + 3600, &mut |note, _| {
            let text = logseal::note::parse_note(note).unwrap().text;
            vec![logseal::checkpoint::cosign(&text, witness.secret_key(), "w1", now).unwrap()]
        })
        .unwrap();
    }
    // Two auditors see C1: one trusting the log's clock, one with the witness (quorum 1).
    ok(&trust_new_with(dir, "trust-log.json", &[]));
    let w1 = vkey(dir, "w1");
    ok(&trust_new_with(
        dir,
        "trust-w.json",
        &["--witness", &w1, "--quorum", "1"],
    ));
    for (trust, state) in [("trust-log.json", "state-log"), ("trust-w.json", "state-w")] {
        logseal(
            &["verify", "log", "--trust", trust, "--state", state],
            dir,
            None,
        );
    }
    // The record, dated three days ago, is logged after C1: more than a day (the maximum
    // logging delay) late, which only the witness's time shows.
    let mut record = query(0);
    record["occurred_at"] = serde_json::Value::String(rfc3339(occurred));
    ok(&logseal(
        &["append", "log", "--in", "-", "--producer-key", "qf.key"],
        dir,
        Some(&lines([record])),
    ));
    ok(&logseal(&["checkpoint", "log"], dir, None));
    let codes = |trust: &str, state: &str| -> Vec<String> {
        let o = logseal(
            &[
                "verify", "log", "--trust", trust, "--state", state, "--json",
            ],
            dir,
            None,
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    let trusting_the_log = codes("trust-log.json", "state-log");
    assert!(
        !trusting_the_log.contains(&"time-logging-delay".to_string()),
        "{trusting_the_log:?}"
    );
    let with_witness = codes("trust-w.json", "state-w");
    assert!(
        with_witness.contains(&"time-logging-delay".to_string()),
        "{with_witness:?}"
    );
}

fn trust_new_with(dir: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "trust",
        "new",
        "--out",
        out,
        "--log-key",
        "logkey.pub",
        "--authority",
        "ra.pub",
    ];
    args.extend_from_slice(extra);
    logseal(&args, dir, None)
}
