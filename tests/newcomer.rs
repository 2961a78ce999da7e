//! Commands where a newcomer tries them: keys in every form an input takes, a trust file
//! written by `trust new` and read by `verify`, proofs and records explained, `info` and
//! `retention plan` on a public-only copy of a log.

use std::path::Path;

use common::{AUTHORITY, ORIGIN, fails, lines, logseal, ok, public_key_hex, setup_log};
use serde_json::{Value, json};

mod common;

/// The value after `label: ` on a line of `out`.
fn field<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no line {label:?} in\n{out}"))
        .trim()
}

#[test]
fn keygen_prints_the_raw_key_a_registration_takes_and_the_cosigner_key() {
    let dir = tempfile::tempdir().unwrap();
    setup_log(dir.path());
    let out = ok(&logseal(
        &["keygen", "--name", "upload-gateway", "--out", "ug"],
        dir.path(),
        None,
    ));
    let raw = field(
        &out,
        "raw public key (hex; a key-registration's or key-revocation's public_key):",
    );
    assert_eq!(raw, public_key_hex(&dir.path().join("ug.pub")));
    // The printed hex is what a key-registration takes: the log admits it.
    let reg = json!({
        "kind": "key-registration", "producer": AUTHORITY,
        "occurred_at": "2026-03-01T08:00:00Z", "status": "ok",
        "body": {"producer": "upload-gateway", "public_key": raw, "kinds": ["data-access"]}
    });
    ok(&logseal(
        &["append", "log", "--in", "-", "--producer-key", "ra.key"],
        dir.path(),
        Some(&lines([reg])),
    ));
    // The cosigner form equals what `witness vkey` prints for the same key.
    let cosigner = field(
        &out,
        "cosigner key (a trust file's witnesses, when this is a witness's key):",
    );
    let vkey = ok(&logseal(
        &["witness", "vkey", "--key", "ug.key"],
        dir.path(),
        None,
    ));
    assert_eq!(cosigner, vkey.trim());
}

fn trust_new(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "trust",
        "new",
        "--out",
        "trust.json",
        "--log-key",
        "logkey.pub",
        "--authority",
        "ra.pub",
    ];
    args.extend_from_slice(extra);
    logseal(&args, dir, None)
}

#[test]
fn trust_new_writes_a_file_verify_reads() {
    let dir = tempfile::tempdir().unwrap();
    setup_log(dir.path());
    ok(&logseal(&["checkpoint", "log"], dir.path(), None));
    ok(&trust_new(
        dir.path(),
        &[
            "--retention-authority",
            "retention-authority",
            "--require",
            "1,2,3",
        ],
    ));
    let t: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("trust.json")).unwrap()).unwrap();
    assert_eq!(t["origin"], ORIGIN);
    assert_eq!(t["tree_hash"], "sha256");
    assert_eq!(t["require_checks"], json!([1, 2, 3]));
    assert_eq!(t["retention_policy_authority"], "retention-authority");
    let verify = |dir: &Path| {
        logseal(
            &["verify", "log", "--trust", "trust.json", "--json"],
            dir,
            None,
        )
    };
    let report: Value = serde_json::from_str(&ok(&verify(dir.path()))).unwrap();
    assert_eq!(report["provenance"]["origin"], ORIGIN);
    // Never overwritten.
    let err = fails(&trust_new(dir.path(), &[]), 2);
    assert!(err.contains("already exists"), "{err}");

    // A required heartbeat the producer never sent: verify reads the member and finds it.
    std::fs::remove_file(dir.path().join("trust.json")).unwrap();
    ok(&trust_new(
        dir.path(),
        &["--heartbeat", "query-frontend=26h"],
    ));
    let t: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("trust.json")).unwrap()).unwrap();
    assert_eq!(t["heartbeat_required"], json!({"query-frontend": 93600}));
    assert_eq!(t["require_checks"], json!([1, 2, 3, 4, 5, 6]));
    let out = verify(dir.path());
    fails(&out, 1);
    assert!(
        common::text(&out.stdout).contains("\"heartbeat-overdue\""),
        "{}",
        common::text(&out.stdout)
    );
}

#[test]
fn trust_new_takes_witness_keys_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    setup_log(dir.path());
    ok(&logseal(
        &["keygen", "--name", "witness-1", "--out", "w1"],
        dir.path(),
        None,
    ));
    let vkey = ok(&logseal(
        &["witness", "vkey", "--key", "w1.key"],
        dir.path(),
        None,
    ));
    // The cosigner key string and the verifier-key file name the same witness.
    ok(&trust_new(
        dir.path(),
        &["--witness", vkey.trim(), "--quorum", "1"],
    ));
    let t: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("trust.json")).unwrap()).unwrap();
    assert_eq!(t["witnesses"], json!([vkey.trim()]));
    std::fs::remove_file(dir.path().join("trust.json")).unwrap();
    ok(&trust_new(
        dir.path(),
        &["--witness", "w1.pub", "--quorum", "1"],
    ));
    let u: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("trust.json")).unwrap()).unwrap();
    assert_eq!(u["witnesses"], t["witnesses"]);
    std::fs::remove_file(dir.path().join("trust.json")).unwrap();

    let err = fails(&trust_new(dir.path(), &["--quorum", "1"]), 1);
    assert!(err.contains("witness_quorum"), "{err}");
    let err = fails(
        &logseal(
            &[
                "trust",
                "new",
                "--out",
                "trust.json",
                "--log-key",
                "logkey.key",
                "--authority",
                "ra.pub",
            ],
            dir.path(),
            None,
        ),
        1,
    );
    assert!(err.contains("secret key"), "{err}");
    let err = fails(&trust_new(dir.path(), &["--require", "9"]), 1);
    assert!(err.contains("9 is not a check"), "{err}");
    let err = fails(
        &trust_new(dir.path(), &["--origin", "other.example/log"]),
        1,
    );
    assert!(err.contains("log_key"), "{err}");
    assert!(!dir.path().join("trust.json").exists());
}

/// The RFC 3339 form `prove check` prints for a checkpoint time in seconds.
fn rfc3339(secs: &Value) -> String {
    logseal::record::types::Timestamp(secs.as_u64().unwrap() * 1000).to_rfc3339()
}

#[test]
fn prove_check_prints_leaf_hash_and_checkpoint_size_root_and_time() {
    let dir = tempfile::tempdir().unwrap();
    setup_log(dir.path());
    ok(&logseal(&["checkpoint", "log"], dir.path(), None));
    let info: Value =
        serde_json::from_str(&ok(&logseal(&["info", "log", "--json"], dir.path(), None))).unwrap();
    let proof = ok(&logseal(
        &["prove", "inclusion", "log", "--index", "0"],
        dir.path(),
        None,
    ));
    std::fs::write(dir.path().join("proof.json"), &proof).unwrap();
    let p: Value = serde_json::from_str(&proof).unwrap();
    let out = ok(&logseal(
        &["prove", "check", "proof.json", "--log-key", "logkey.pub"],
        dir.path(),
        None,
    ));
    assert!(
        out.starts_with("ok: leaf 0 is in the tree of size 1 "),
        "{out}"
    );
    assert_eq!(field(&out, "leaf hash:"), p["leaf_hash"].as_str().unwrap());
    let cp = format!(
        "size 1, root {}, signed at {}",
        info["root"].as_str().unwrap(),
        rfc3339(&info["checkpoint"]["time"])
    );
    assert_eq!(field(&out, "checkpoint:"), cp, "{out}");

    let proof = ok(&logseal(
        &["prove", "consistency", "log", "--old", "0"],
        dir.path(),
        None,
    ));
    std::fs::write(dir.path().join("cons.json"), &proof).unwrap();
    let out = ok(&logseal(
        &["prove", "check", "cons.json", "--log-key", "logkey.pub"],
        dir.path(),
        None,
    ));
    assert_eq!(field(&out, "new checkpoint:"), cp, "{out}");
    let old = &info["published_checkpoints"][0];
    assert_eq!(old["size"], 0);
    assert!(
        field(&out, "old checkpoint:").ends_with(&format!("signed at {}", rfc3339(&old["time"]))),
        "{out}"
    );

    // `record show` on the inclusion proof reads the record inside it.
    let out = ok(&logseal(
        &["record", "show", "proof.json"],
        dir.path(),
        None,
    ));
    assert!(
        out.starts_with("proof.json is an inclusion proof of leaf 0 of example.org/audit/log"),
        "{out}"
    );
    assert!(out.contains("key-registration"), "{out}");
    // ... and says what a consistency proof is.
    let err = fails(
        &logseal(&["record", "show", "cons.json"], dir.path(), None),
        1,
    );
    assert!(err.contains("cons.json is a consistency proof"), "{err}");
    std::fs::write(dir.path().join("other.json"), "{\"a\": 1}").unwrap();
    let err = fails(
        &logseal(&["record", "show", "other.json"], dir.path(), None),
        1,
    );
    assert!(
        err.contains("other.json is JSON, not a signed record"),
        "{err}"
    );
}
