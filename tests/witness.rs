//! `logseal witness cosign` and `witness vkey`, driving the binary: honest growth is
//! cosigned and passes check 1 of `verify` with the witness in the trust file; a rewritten
//! history, a checkpoint under another log key and a replayed older checkpoint are refused
//! with exit 1, the evidence kept in the witness's state directory.

mod common;

use std::path::Path;

use common::{ORIGIN, fails, lines, logseal, ok, query, setup_log};

fn size_of(checkpoint: &Path) -> u64 {
    let t = std::fs::read_to_string(checkpoint).unwrap();
    t.lines().nth(1).unwrap().parse().unwrap()
}

fn append_queries(dir: &Path, log: &str, range: std::ops::Range<usize>) {
    ok(&logseal(
        &["append", log, "--in", "-", "--producer-key", "qf.key"],
        dir,
        Some(&lines(range.map(query))),
    ));
    ok(&logseal(&["checkpoint", log], dir, None));
}

fn cosign(
    dir: &Path,
    checkpoint: &str,
    proof: Option<&str>,
    log_key: &str,
    time: &str,
    out: &str,
) -> std::process::Output {
    let mut a = vec![
        "witness",
        "cosign",
        "--key",
        "w.key",
        "--state",
        "wstate",
        "--checkpoint",
        checkpoint,
        "--log-key",
        log_key,
        "--time",
        time,
        "--out",
        out,
    ];
    if let Some(p) = proof {
        a.extend_from_slice(&["--proof", p]);
    }
    logseal(&a, dir, None)
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn copy(dir: &Path, from: &str, to: &str) {
    std::fs::copy(dir.join(from), dir.join(to)).unwrap();
}

fn evidence(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("wstate/evidence"))
        .map(|r| {
            r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The trust file of the test log, with `witnesses` and `quorum`.
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

/// Check 1's verdict and codes of `verify --json` on `log`.
fn check1(dir: &Path, log: &str) -> (String, Vec<String>) {
    let o = logseal(
        &["verify", log, "--trust", "trust.json", "--json"],
        dir,
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == 1)
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    (
        v["checks"][0]["verdict"].as_str().unwrap().to_string(),
        codes,
    )
}

#[test]
fn witness_cosigns_honest_growth_and_refuses_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    ok(&logseal(
        &["keygen", "--name", "witness-1", "--out", "w"],
        dir,
        None,
    ));
    // The witness's times: after the log's (its clock), which it may not precede by more
    // than the allowed skew.
    let t0 = now_secs() + 60;
    let t = |offset: u64| (t0 + offset).to_string();
    ok(&logseal(&["checkpoint", "log"], dir, None));
    copy(dir, "log/public/checkpoint", "cp1");
    let s1 = size_of(&dir.join("cp1"));

    // First use: signature only, and says so.
    let o = cosign(dir, "cp1", None, "logkey.pub", &t(0), "c1");
    let err = common::text(&o.stderr);
    ok(&o);
    assert!(err.contains("first use"), "{err}");
    let vkey = common::text(&logseal(&["witness", "vkey", "--key", "w.key"], dir, None).stdout)
        .trim()
        .to_string();
    assert!(err.contains(&vkey), "{err}");
    assert!(vkey.starts_with("witness-1+"));

    // Honest growth, with the proof file of `prove consistency`.
    append_queries(dir, "log", 0..5);
    copy(dir, "log/public/checkpoint", "cp2");
    let proof = ok(&logseal(
        &["prove", "consistency", "log", "--old", &s1.to_string()],
        dir,
        None,
    ));
    std::fs::write(dir.join("proof.json"), proof).unwrap();
    let o = cosign(dir, "cp2", Some("proof.json"), "logkey.pub", &t(100), "c2");
    ok(&o);
    assert!(!common::text(&o.stderr).contains("first use"));
    let c2 = std::fs::read_to_string(dir.join("c2")).unwrap();
    assert!(c2.starts_with(&std::fs::read_to_string(dir.join("cp2")).unwrap()));
    assert!(c2.contains("— witness-1 "), "{c2}");
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("wstate/state.json")).unwrap()).unwrap();
    assert_eq!(state["logs"][0]["size"], size_of(&dir.join("cp2")));

    // The auditor pins the witness, quorum 1: check 1 passes on the cosigned checkpoint,
    // and fails on the uncosigned one.
    write_trust(dir, std::slice::from_ref(&vkey), 1);
    let (_, codes) = check1(dir, "log");
    assert!(
        codes.contains(&"checkpoint-witness-quorum".to_string()),
        "{codes:?}"
    );
    copy(dir, "c2", "log/public/checkpoint");
    let (verdict, codes) = check1(dir, "log");
    assert_ne!(verdict, "violated", "{codes:?}");
    assert!(
        !codes.iter().any(|c| c.starts_with("checkpoint-witness")),
        "{codes:?}"
    );

    // Another key named after the origin: not authentic, refused, no evidence needed.
    ok(&logseal(
        &["keygen", "--name", ORIGIN, "--out", "other"],
        dir,
        None,
    ));
    let err = fails(&cosign(dir, "cp2", None, "other.pub", &t(200), "c3"), 1);
    assert!(err.contains("not authentic"), "{err}");
    assert!(evidence(dir).is_empty());

    // A replay of the older checkpoint: refused, both kept.
    let err = fails(&cosign(dir, "cp1", None, "logkey.pub", &t(300), "c4"), 1);
    assert!(err.contains("replay"), "{err}");
    assert!(err.contains("evidence kept"), "{err}");
    assert_eq!(evidence(dir).len(), 2);

    // A rewritten history of the same size under the same log key: refused as a fork.
    ok(&logseal(
        &[
            "init",
            "log2",
            "--origin",
            ORIGIN,
            "--log-key",
            "logkey.key",
            "--authority",
            "ra.pub",
        ],
        dir,
        None,
    ));
    let reg = common::registration("query-frontend", &dir.join("qf.pub"), &["data-access"]);
    ok(&logseal(
        &["append", "log2", "--in", "-", "--producer-key", "ra.key"],
        dir,
        Some(&lines([reg])),
    ));
    append_queries(dir, "log2", 100..105);
    copy(dir, "log2/public/checkpoint", "fork");
    assert_eq!(size_of(&dir.join("fork")), size_of(&dir.join("cp2")));
    let err = fails(&cosign(dir, "fork", None, "logkey.pub", &t(400), "c5"), 1);
    assert!(err.contains("history was rewritten"), "{err}");
    let ev = evidence(dir);
    assert_eq!(ev.len(), 4, "{ev:?}");
    let kept_new = ev
        .iter()
        .find(|n| n.starts_with(&t(400)) && n.ends_with("-new.checkpoint"))
        .unwrap();
    assert_eq!(
        std::fs::read(dir.join("wstate/evidence").join(kept_new)).unwrap(),
        std::fs::read(dir.join("fork")).unwrap()
    );
    let kept_old = ev
        .iter()
        .find(|n| n.starts_with(&t(400)) && n.ends_with("-old.checkpoint"))
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("wstate/evidence").join(kept_old)).unwrap(),
        c2
    );

    // The rewritten log grows; a proof (a plain list of hashes) that does not lead from the
    // cosigned root is refused.
    append_queries(dir, "log2", 105..107);
    copy(dir, "log2/public/checkpoint", "fork2");
    std::fs::write(dir.join("bogus.json"), format!("[\"{}\"]", "ab".repeat(32))).unwrap();
    let err = fails(
        &cosign(
            dir,
            "fork2",
            Some("bogus.json"),
            "logkey.pub",
            &t(500),
            "c6",
        ),
        1,
    );
    assert!(err.contains("not an extension"), "{err}");
    assert_eq!(evidence(dir).len(), 6);
    // Without a proof: refused too (and not evidence).
    let err = fails(&cosign(dir, "fork2", None, "logkey.pub", &t(600), "c7"), 1);
    assert!(err.contains("no consistency proof"), "{err}");

    // The witness's state did not move: the honest log's next checkpoint is still cosigned.
    append_queries(dir, "log", 5..7);
    copy(dir, "log/public/checkpoint", "cp3");
    let proof = ok(&logseal(
        &[
            "prove",
            "consistency",
            "log",
            "--old",
            &size_of(&dir.join("cp2")).to_string(),
        ],
        dir,
        None,
    ));
    std::fs::write(dir.join("proof3.json"), proof).unwrap();
    ok(&cosign(
        dir,
        "cp3",
        Some("proof3.json"),
        "logkey.pub",
        &t(700),
        "c8",
    ));
}

/// 2100-01-01T00:00:00Z.
const YEAR_2100: u64 = 4_102_444_800;

#[test]
fn witness_refuses_a_log_time_beyond_the_skew_from_its_own_time() {
    use logseal::checkpoint::{Checkpoint, sign_checkpoint};
    use logseal::note::Ed25519NoteKey;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup_log(dir);
    ok(&logseal(
        &["keygen", "--name", "witness-1", "--out", "w"],
        dir,
        None,
    ));
    ok(&logseal(&["checkpoint", "log"], dir, None));
    // The log's own tree, signed by its own key, with the log's time in 2100.
    let published = std::fs::read_to_string(dir.join("log/public/checkpoint")).unwrap();
    let body: String = published.split_inclusive('\n').take(3).collect();
    let cp = Checkpoint::parse(&body).unwrap();
    let skey = std::fs::read_to_string(dir.join("logkey.key")).unwrap();
    let log_key = Ed25519NoteKey::from_skey(skey.trim()).unwrap();
    let note = sign_checkpoint(&cp, log_key.secret_key(), ORIGIN, YEAR_2100).unwrap();
    std::fs::write(dir.join("future"), note).unwrap();

    // The witness's clock (no --time): refused, named, nothing written.
    let mut a = vec![
        "witness",
        "cosign",
        "--key",
        "w.key",
        "--state",
        "wstate",
        "--checkpoint",
        "future",
        "--log-key",
        "logkey.pub",
        "--out",
        "c1",
    ];
    let err = fails(&logseal(&a, dir, None), 1);
    assert!(
        err.contains(&format!("the checkpoint's log time {YEAR_2100} is ")),
        "{err}"
    );
    assert!(err.contains("allowed clock skew 300 s"), "{err}");
    assert!(!dir.join("c1").exists());
    assert!(!dir.join("wstate/state.json").exists());
    // --time: 301 s before the log's time is refused, 300 s before is within the skew.
    let early = (YEAR_2100 - 301).to_string();
    a.extend_from_slice(&["--time", &early]);
    let err = fails(&logseal(&a, dir, None), 1);
    assert!(
        err.contains("is 301 s after the checker's own time"),
        "{err}"
    );
    let within = (YEAR_2100 - 300).to_string();
    *a.last_mut().unwrap() = &within;
    ok(&logseal(&a, dir, None));
    assert!(dir.join("c1").exists());
}

#[test]
fn verify_names_a_log_cosignature_timestamp_beyond_2_pow_63() {
    use common::tamper::{entries, fresh_state, honest_log, run, trust, write_public};
    use logseal::checkpoint::{Checkpoint, cosignature_key_id, cosignature_message};
    use logseal::note::{Ed25519NoteKey, NoteSignature, parse_note, sign_note};
    use logseal::scenario;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    honest_log(&log, Some(1));
    let note = write_public(&log, &entries(&log), common::tamper::LATE);
    // The same tree, its log cosignature validly signed at 2^63 (one past the largest time).
    let body = parse_note(&note).unwrap().text;
    Checkpoint::parse(&body).unwrap();
    let key = scenario::secret_key(scenario::ORIGIN);
    let time = 1u64 << 63;
    let mut n = sign_note(
        &body,
        &[&Ed25519NoteKey::new(scenario::ORIGIN, key.clone()).unwrap()],
    )
    .unwrap();
    let mut sig_bytes = time.to_be_bytes().to_vec();
    sig_bytes.extend_from_slice(&key.sign(&cosignature_message(&body, time)));
    n.push_signature(NoteSignature {
        name: scenario::ORIGIN.into(),
        key_id: cosignature_key_id(scenario::ORIGIN, &key.public_key()),
        sig_bytes,
    })
    .unwrap();
    std::fs::write(log.join("public/checkpoint"), n.to_bytes()).unwrap();
    let o = run(&log, &trust(), &fresh_state());
    let f = o
        .report
        .findings
        .iter()
        .find(|f| f.code == "checkpoint-signature")
        .expect("the log cosignature is refused");
    assert!(
        f.message
            .contains("timestamp 9223372036854775808 exceeds 2^63 - 1"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("does not verify"), "{}", f.message);
}
