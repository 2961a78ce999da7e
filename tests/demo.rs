//! `logseal demo`, the README's main job, runs end to end and shows what it claims.

mod common;

use common::*;

#[test]
fn demo_builds_a_log_exports_a_case_and_checks_its_proofs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = ok(&logseal(&["demo", "--dir", "demo"], d, None));
    for want in [
        "appended 3666 records in 30 daily batches, each checkpointed",
        "refused: query-frontend: seq",
        "proof checked with the log's public key only: leaf",
        "the day-10 checkpoint is consistent with today's",
        "kind                account-sanction",
        "statements of reasons referencing this sanction in the log: 0",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    // The log it built is a real one: the CLI reads it and checks its proofs.
    let info = ok(&logseal(&["info", "demo/log", "--json"], d, None));
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["size"], 3666);
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
