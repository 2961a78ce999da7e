//! `logseal demo`, the README's main job, runs end to end and shows what it claims.

mod common;

use common::*;
use logseal::record::kinds::Body;

#[test]
fn demo_builds_a_log_exports_a_case_and_checks_its_proofs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = ok(&logseal(&["demo", "--dir", "demo"], d, None));
    for want in [
        "appended 3696 records in 30 daily batches, each checkpointed",
        "refused: query-frontend: seq",
        "proof checked with the log's public key only: leaf",
        "the day-10 checkpoint is consistent with today's",
        "kind                account-sanction",
        "statements of reasons referencing this sanction in the log: 0",
        // The auditor's report on the honest log: the unlogged access, the revoked official.
        "[violated] heartbeat-counter-mismatch  leaf 883, query-frontend seq 706",
        "[holds] auth-denied-attempt  leaf 1378, query-frontend seq 1111",
        // The nightly sweeps, and the one provider file their job skipped, kept too long.
        "erased what had fallen due: 172 disclosures of 86 provider files by destroying 29 keys, \
         recorded in 29 retention-deletion records",
        "[violated] retention-kept-too-long  leaf 36, upload-gateway seq 2",
        "kept too long: leaf 36 upload-gateway#2 nl-ciot-latest-upload@1 due \
         2026-03-03T00:00:00+01:00, kept 28d 1h 59m too long",
        // The retention plan: the queries' conflict is reported, the held case is held, only
        // the skipped upload is overdue; two years on, the last day's uploads are too.
        "due 0, overdue 1, held 3,",
        "conflicts 3000,",
        "due 0, overdue 4, held 0,",
        // The dishonest operator's rewrite.
        "[violated] checkpoint-inconsistent ×",
        "[violated] chain-seq-gap ×1 leaf 1378, query-frontend seq 1111",
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
    assert_eq!(info["size"], 3696);
    assert_eq!(info["checkpoint"]["size"], 3695);
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
    // Proofs at earlier published checkpoints (issue 12, item 2), read from the full tiles
    // that replaced their partials. (The demo's rewrite deleted every tile and wrote those of
    // its own tree: the level-1 partials of sizes from 512 on are gone with it.) Before the
    // rewritten leaf they hold; past it, the rewritten tiles contradict the published history.
    let prove = |args: &[&str]| {
        std::fs::write(d.join("p.json"), ok(&logseal(args, d, None))).unwrap();
        logseal(
            &["prove", "check", "p.json", "--log-key", "demo/keys/log.pub"],
            d,
            None,
        )
    };
    let msg = ok(&prove(&[
        "prove",
        "inclusion",
        "demo/log",
        "--index",
        "100",
        "--size",
        "398",
    ]));
    assert!(
        msg.contains("leaf 100 is in the tree of size 398 "),
        "{msg}"
    );
    let msg = ok(&prove(&[
        "prove",
        "consistency",
        "demo/log",
        "--old",
        "155",
        "--new",
        "398",
    ]));
    assert!(
        msg.contains("the tree of size 155 is a prefix of the tree of size 398 "),
        "{msg}"
    );
    let err = fails(
        &prove(&["prove", "consistency", "demo/log", "--old", "1497"]),
        1,
    );
    assert!(err.contains("the proof does not hold"), "{err}");
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
    // Deterministic: a second run writes the same records, but for the ids of the data keys
    // its sweeps destroyed (data keys always come from the operating system's CSPRNG).
    ok(&logseal(&["demo", "--dir", "again"], d, None));
    let (a, b) = (
        common::tamper::entries(&d.join("demo/log")),
        common::tamper::entries(&d.join("again/log")),
    );
    assert_eq!(a.len(), b.len());
    let mut deletions = 0;
    for (x, y) in a.iter().zip(&b) {
        if x == y {
            continue;
        }
        let (x, y) = (common::tamper::decode(x), common::tamper::decode(y));
        let (mut px, mut py) = (x.payload().clone(), y.payload().clone());
        match (&mut px.body, &mut py.body) {
            (Body::RetentionDeletion(dx), Body::RetentionDeletion(dy)) => {
                assert_ne!(dx.shredded_key_id, dy.shredded_key_id);
                dy.shredded_key_id = dx.shredded_key_id;
            }
            _ => panic!("{} differs between two runs", px.kind()),
        }
        // Later records of the sweep's chain differ in prev only.
        py.prev = px.prev;
        assert_eq!(px, py);
        deletions += 1;
    }
    assert_eq!(deletions, 29);
    // And it refuses to write over an existing demo.
    let err = fails(&logseal(&["demo", "--dir", "demo"], d, None), 2);
    assert!(err.contains("already exists"), "{err}");
}
