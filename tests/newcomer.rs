//! Commands where a newcomer tries them: keys in every form an input takes, a trust file
//! written by `trust new` and read by `verify`, proofs and records explained, `info` and
//! `retention plan` on a public-only copy of a log.

use std::path::Path;

use common::{AUTHORITY, ORIGIN, fails, lines, logseal, ok, public_key_hex, setup_log, trust_new};
use logseal::record::{Disclosure, SealedValue};
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
    // `trust show` prints the same anchors and fingerprints as the verifier's report.
    let shown: Value = serde_json::from_str(&ok(&logseal(
        &["trust", "show", "trust.json", "--json"],
        dir.path(),
        None,
    )))
    .unwrap();
    assert_eq!(
        shown["anchors"], report["provenance"]["trust_anchors"],
        "{shown}"
    );
    let text = ok(&logseal(&["trust", "show", "trust.json"], dir.path(), None));
    let log_fp = report["provenance"]["trust_anchors"][0]["fingerprint"]
        .as_str()
        .unwrap();
    assert!(
        text.contains(log_fp) && text.contains("witness quorum 0"),
        "{text}"
    );
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

/// Rewrite the disclosures file `from` into `to`, the value at `path` replaced by `value`.
fn with_value(dir: &Path, from: &str, to: &str, path: &str, value: SealedValue) {
    let mut ds: Vec<Disclosure> =
        logseal::cbor::decode_canonical(&std::fs::read(dir.join(from)).unwrap()).unwrap();
    let d = ds.iter_mut().find(|d| d.path.to_string() == path).unwrap();
    d.value = value;
    std::fs::write(dir.join(to), logseal::cbor::to_vec(&ds)).unwrap();
}

#[test]
fn record_show_tells_a_malformed_value_from_one_that_does_not_open_its_commitment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&logseal(
        &["keygen", "--name", "query-frontend", "--out", "qf"],
        d,
        None,
    ));
    let record = json!({
        "producer": "query-frontend", "seq": 0, "prev": "00".repeat(32),
        "occurred_at": "2026-03-01T10:30:00Z", "status": "ok",
        "retention_rule": "de-bdsg76-led-logs@1",
        "body": {
            "action": "consult", "legal_basis": "nl-sv-126n",
            "purpose": "criminal-investigation",
            "actor": {"role": "police-officer", "organisation": "politie-eenheid-noord",
                      "authorisation_id": "auth-0017", "user": "officer-17"},
            "data_categories": ["subscriber-name-address"], "result_count": 1,
            "query": "+31 6 1234 5678", "subject": "Zoë van der Berg", "recipients": ["OM Noord"]
        }
    });
    ok(&logseal(
        &[
            "record",
            "new",
            "--kind",
            "data-access",
            "--producer-key",
            "qf.key",
            "--origin",
            ORIGIN,
            "--out",
            "r",
        ],
        d,
        Some(&record.to_string()),
    ));
    let show = |disc: &str| {
        logseal(
            &["record", "show", "r.cose", "--disclosures", disc],
            d,
            None,
        )
    };
    let user = SealedValue::Text;

    // Well-formed, but another value: does not open the commitment.
    with_value(
        d,
        "r.disclosures",
        "other.disclosures",
        "actor.user",
        user("officer-18".into()),
    );
    let o = show("other.disclosures");
    let err = fails(&o, 1);
    assert!(common::text(&o.stdout).contains("  actor.user: DISCLOSURE DOES NOT MATCH\n"));
    assert!(
        err.contains("disclosure for actor.user does not match its commitment"),
        "{err}"
    );
    assert!(!err.contains("malformed"), "{err}");

    // A number where the field takes an identifier: malformed, and says so.
    with_value(
        d,
        "r.disclosures",
        "bad.disclosures",
        "actor.user",
        SealedValue::Uint(17),
    );
    let o = show("bad.disclosures");
    let err = fails(&o, 1);
    let out = common::text(&o.stdout);
    assert!(
        out.contains("  actor.user: MALFORMED DISCLOSURE VALUE: "),
        "{out}"
    );
    assert!(
        err.contains("disclosure for actor.user: malformed value: "),
        "{err}"
    );
    assert!(err.contains("does not open the commitment either"), "{err}");
    assert!(!err.contains("does not match its commitment"), "{err}");
    let o = logseal(
        &[
            "record",
            "show",
            "r.cose",
            "--disclosures",
            "bad.disclosures",
            "--json",
        ],
        d,
        None,
    );
    fails(&o, 1);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["sealed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "actor.user")
        .unwrap();
    assert_eq!(f["state"], "malformed");
    assert!(
        f["problem"].as_str().unwrap().contains("does not open"),
        "{f}"
    );

    // The honest disclosures still open every field.
    ok(&show("r.disclosures"));
}

/// Copy `from`/public to `to`/public (a public-only copy, as a mirror serves it).
fn copy_public(from: &Path, to: &Path) {
    common::copy_dir(&from.join("public"), &to.join("public"));
}

#[test]
fn info_and_retention_plan_on_a_public_only_copy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup_log(d);
    ok(&logseal(&["checkpoint", "log"], d, None));
    let full: Value =
        serde_json::from_str(&ok(&logseal(&["info", "log", "--json"], d, None))).unwrap();
    copy_public(&d.join("log"), &d.join("mirror"));
    assert!(!d.join("mirror/private").exists());

    let v: Value = serde_json::from_str(&ok(&logseal(
        &["info", "mirror", "--json", "--log-key", "logkey.pub"],
        d,
        None,
    )))
    .unwrap();
    assert_eq!(v["origin"], ORIGIN);
    assert_eq!(v["size"], 1);
    assert_eq!(v["root"], full["root"]);
    assert_eq!(v["public_only"], true);
    assert_eq!(v["published_checkpoints"], full["published_checkpoints"]);
    assert_eq!(v["cosigners"], json!([]));

    // Without the key: sizes, no times, and saying why; no silent scan for counts.
    let out = ok(&logseal(&["info", "mirror"], d, None));
    assert!(out.contains("public part only"), "{out}");
    assert!(
        out.contains("not verified and their times not shown: give --log-key"),
        "{out}"
    );
    assert!(
        out.contains("counts per kind and producer are not shown"),
        "{out}"
    );
    let with_key = ok(&logseal(
        &["info", "mirror", "--log-key", "logkey.pub"],
        d,
        None,
    ));
    let t = full["published_checkpoints"][1]["time"].as_u64().unwrap();
    let rfc = logseal::record::types::Timestamp(t * 1000).to_rfc3339();
    assert!(with_key.contains(&format!("signed at {rfc}")), "{with_key}");

    // A checkpoint altered in the copy does not verify against the key.
    let cp = d.join("mirror/public/checkpoint");
    let text = std::fs::read_to_string(&cp).unwrap();
    let root_b64 = text.lines().nth(2).unwrap().to_string();
    let other = if root_b64.starts_with('A') { "B" } else { "A" };
    std::fs::write(
        &cp,
        text.replacen(&root_b64, &format!("{other}{}", &root_b64[1..]), 1),
    )
    .unwrap();
    let out = ok(&logseal(
        &["info", "mirror", "--log-key", "logkey.pub"],
        d,
        None,
    ));
    assert!(out.contains("DOES NOT VERIFY"), "{out}");

    let err = fails(&logseal(&["retention", "plan", "mirror"], d, None), 2);
    assert!(
        err.contains(
            "only the public part of a log (no private/): the retention plan needs the private part"
        ),
        "{err}"
    );
}

#[test]
fn info_on_a_public_only_copy_reads_producers_from_the_auditors_state() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup_log(d);
    ok(&logseal(&["checkpoint", "log"], d, None));
    ok(&trust_new(d, &[]));
    std::fs::create_dir(d.join("state")).unwrap();
    copy_public(&d.join("log"), &d.join("mirror"));
    // No state yet: said plainly.
    let err = fails(
        &logseal(&["info", "mirror", "--state", "state"], d, None),
        2,
    );
    assert!(err.contains("no auditor state there"), "{err}");
    ok(&logseal(
        &[
            "verify",
            "mirror",
            "--trust",
            "trust.json",
            "--state",
            "state",
        ],
        d,
        None,
    ));
    let v: Value = serde_json::from_str(&ok(&logseal(
        &["info", "mirror", "--json", "--state", "state"],
        d,
        None,
    )))
    .unwrap();
    assert_eq!(v["auditor_state"]["verified_size"], 1, "{v}");
    assert_eq!(
        v["auditor_state"]["producers"],
        json!([{"producer": AUTHORITY, "next_seq": 1, "last_heartbeat": null}]),
        "{v}"
    );
    assert!(v.get("counts").is_none());
}
