//! `logseal demo`, the README's main job, runs end to end and shows what it claims.

mod common;

use common::*;

#[test]
fn demo_builds_a_log_exports_a_case_and_checks_its_proofs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = ok(&logseal(&["demo", "--dir", "demo"], d, None));
    for want in [
        "appended 3667 records in 30 daily batches, each checkpointed",
        "refused: query-frontend: seq",
        "proof checked with the log's public key only: leaf",
        "the day-10 checkpoint is consistent with today's",
        "kind                account-sanction",
        "statements of reasons referencing this sanction in the log: 0",
        // The auditor's report on the honest log: the unlogged access, the revoked official.
        "[violated] heartbeat-counter-mismatch  leaf 878, query-frontend seq 706",
        "[holds] auth-denied-attempt  leaf 1368, query-frontend seq 1111",
        // The retention plan: the queries' conflict is reported, the held case is held, and
        // the uploads past their one-day cap (all but the last two days') are due or overdue.
        "due 3, overdue 84, held 3,",
        "conflicts 3000,",
        "due 0, overdue 90, held 0,",
        // The dishonest operator's rewrite.
        "[violated] checkpoint-inconsistent ×",
        "[violated] chain-seq-gap ×1 leaf 1368, query-frontend seq 1111",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    // Every producer's key pair is written, the retention sweep's too (its executor key).
    for name in ["retention-sweep", "retention-authority", "legal-desk"] {
        assert!(d.join(format!("demo/keys/{name}.key")).is_file(), "{name}");
        assert!(d.join(format!("demo/keys/{name}.pub")).is_file(), "{name}");
    }
    // The log it built (and the operator rewrote, dropping one record) is a real one: the CLI
    // reads it, and the proof exported before the rewrite still checks against its checkpoint.
    let info = ok(&logseal(&["info", "demo/log", "--json"], d, None));
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["size"], 3667);
    assert_eq!(info["checkpoint"]["size"], 3666);
    let msg = ok(&logseal(
        &[
            "prove",
            "check",
            "demo/export/sanction.inclusion.json",
            "--log-key",
            "demo/keys/log.pub",
        ],
        d,
        None,
    ));
    assert!(msg.starts_with("ok: leaf "), "{msg}");
    // The auditor can re-run the verification from the command line: violations, exit 1.
    let o = logseal(
        &[
            "verify",
            "demo/log",
            "--trust",
            "demo/auditor/trust.json",
            "--json",
        ],
        d,
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"chain-seq-gap"), "{codes:?}");
    // Deterministic: a second run writes the same log.
    ok(&logseal(&["demo", "--dir", "again"], d, None));
    assert_eq!(
        std::fs::read(d.join("demo/log/public/checkpoint")).unwrap(),
        std::fs::read(d.join("again/log/public/checkpoint")).unwrap()
    );
    // And it refuses to write over an existing demo.
    let err = fails(&logseal(&["demo", "--dir", "demo"], d, None), 2);
    assert!(err.contains("already exists"), "{err}");
}
