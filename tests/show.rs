//! Snapshot tests of `logseal record show`: the text a person reads and the `--json` object,
//! for the account-sanction sample (`record::kinds::samples`) signed with fixed salts and a
//! fixed key, shown with its disclosures and key, and shown bare (every sealed field sealed,
//! signature not checked). The snapshots are under `tests/snapshots/`; after an intended
//! change of the rendering, regenerate them with `INSTA_UPDATE=always cargo test --test show`
//! and review the diff.

mod common;

use std::path::Path;

use common::{ORIGIN, logseal, ok};
use logseal::crypto::SecretKey;
use logseal::note::Ed25519NoteVerifier;
use logseal::record::Kind;
use logseal::record::json::build_from_json;
use logseal::record::kinds::samples;

const PRODUCER: &str = "trust-and-safety";

/// Write `sanction.cose`, `sanction.disclosures` and the producer's `ts.pub` into `dir`.
fn write_sanction(dir: &Path) {
    let (kind, json) = samples()
        .into_iter()
        .find(|(k, _)| *k == Kind::AccountSanction)
        .expect("an account-sanction sample");
    let mut n = 0u8;
    let mut salt = move || {
        n += 1;
        [n; 16]
    };
    let key = SecretKey::from_seed(&[42; 32]);
    let signed = build_from_json(kind, json, &mut salt)
        .unwrap()
        .sign(&key, ORIGIN)
        .unwrap();
    // The disclosures file: one deterministic-CBOR array sorted by the encoded path.
    let mut disclosures = signed.disclosures.clone();
    disclosures.sort_by_key(|d| d.path.to_cbor());
    std::fs::write(dir.join("sanction.cose"), &signed.bytes).unwrap();
    std::fs::write(
        dir.join("sanction.disclosures"),
        logseal::cbor::to_vec(&disclosures),
    )
    .unwrap();
    let vkey = Ed25519NoteVerifier::new(PRODUCER, key.public_key())
        .unwrap()
        .to_vkey();
    std::fs::write(dir.join("ts.pub"), format!("{vkey}\n")).unwrap();
}

/// Run `record show` in `dir` with `args` after the file; the output must not depend on
/// where the temporary directory is.
fn show(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["record", "show", "sanction.cose"];
    all.extend_from_slice(args);
    let out = ok(&logseal(&all, dir, None));
    let tmp = dir.display().to_string();
    assert!(!out.contains(&tmp), "output names the temporary directory");
    out.replace(&tmp, "[TMP]")
}

const FULL: &[&str] = &[
    "--disclosures",
    "sanction.disclosures",
    "--key",
    "ts.pub",
    "--origin",
    ORIGIN,
];

#[test]
fn sanction_record_text() {
    let dir = tempfile::tempdir().unwrap();
    write_sanction(dir.path());
    insta::assert_snapshot!(show(dir.path(), FULL));
}

#[test]
fn sanction_record_json() {
    let dir = tempfile::tempdir().unwrap();
    write_sanction(dir.path());
    let mut args = FULL.to_vec();
    args.push("--json");
    let out = show(dir.path(), &args);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["valid"], true);
    insta::assert_snapshot!(out);
}

#[test]
fn sanction_record_text_without_disclosures_or_key() {
    let dir = tempfile::tempdir().unwrap();
    write_sanction(dir.path());
    insta::assert_snapshot!(show(dir.path(), &[]));
}
