//! The `logseal` binary end to end: keygen, record new → record show, JSON errors, tampering,
//! exit codes (0 ok, 1 invalid input, 2 could not run).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use common::{fails, logseal, ok, text};
use serde_json::{Value, json};

mod common;

const ORIGIN: &str = "example.org/log";

fn data_access() -> Value {
    json!({
        "producer": "query-frontend",
        "seq": 0,
        "prev": "00".repeat(32),
        "occurred_at": "2026-03-01T10:30:00.250+01:00",
        "status": "ok",
        "retention_rule": "de-bdsg76-led-logs@1",
        "body": {
            "action": "consult",
            "legal_basis": "nl-sv-126n",
            "purpose": "criminal-investigation",
            "actor": {"role": "police-officer", "organisation": "politie-eenheid-noord",
                      "authorisation_id": "auth-0017", "user": "officer-17"},
            "data_categories": ["subscriber-name-address"],
            "result_count": 1,
            "query": "+31 6 1234 5678",
            "subject": "Zoë van der Berg",
            "recipients": ["OM Noord"]
        }
    })
}

/// A directory with a producer key pair `qf.key` / `qf.pub`.
fn with_key() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(&logseal(
        &["keygen", "--name", "query-frontend", "--out", "qf"],
        dir.path(),
        None,
    ));
    dir
}

fn record_new(dir: &Path, json: &Value, out: &str) -> Output {
    record_new_with(dir, "qf.key", &json.to_string(), out)
}

/// `record new --kind data-access` signed with `key`, reading `stdin`, writing `out`.
fn record_new_with(dir: &Path, key: &str, stdin: &str, out: &str) -> Output {
    logseal(
        &[
            "record",
            "new",
            "--kind",
            "data-access",
            "--producer-key",
            key,
            "--origin",
            ORIGIN,
            "--out",
            out,
        ],
        dir,
        Some(stdin),
    )
}

#[test]
fn keygen_writes_a_private_key_file_and_a_parsable_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&logseal(
        &["keygen", "--name", "auditor", "--out", "a"],
        dir.path(),
        None,
    ));
    let secret = std::fs::read_to_string(dir.path().join("a.key")).unwrap();
    let public = std::fs::read_to_string(dir.path().join("a.pub")).unwrap();
    let mode = std::fs::metadata(dir.path().join("a.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(secret.starts_with("PRIVATE+KEY+auditor+"));
    assert!(!out.contains(secret.trim()), "secret printed: {out}");
    assert_eq!(out.lines().next(), Some(public.trim()));
    let v = logseal::note::Ed25519NoteVerifier::from_vkey(public.trim()).unwrap();
    let k = logseal::note::Ed25519NoteKey::from_skey(secret.trim()).unwrap();
    assert_eq!(k.verifier(), v);

    // Refuses to overwrite, naming the file, and leaves both files as they were.
    let err = fails(
        &logseal(&["keygen", "--name", "x", "--out", "a"], dir.path(), None),
        2,
    );
    assert!(err.contains("a.key already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.key")).unwrap(),
        secret
    );
    std::fs::remove_file(dir.path().join("a.key")).unwrap();
    let err = fails(
        &logseal(&["keygen", "--name", "x", "--out", "a"], dir.path(), None),
        2,
    );
    assert!(err.contains("a.pub already exists"), "{err}");
    assert!(!dir.path().join("a.key").exists());

    let err = fails(
        &logseal(&["keygen", "--name", "a+b", "--out", "b"], dir.path(), None),
        2,
    );
    assert!(err.contains("invalid key name"), "{err}");
}

#[test]
fn record_new_then_show_round_trips() {
    let dir = with_key();
    let d = dir.path();
    let out = ok(&record_new(d, &data_access(), "r"));
    assert!(
        out.contains("r.cose") && out.contains("r.disclosures"),
        "{out}"
    );
    let mode = std::fs::metadata(d.join("r.disclosures"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Without disclosures or key: everything sealed, signature not checked.
    let shown = ok(&logseal(&["record", "show", "r.cose"], d, None));
    assert!(shown.contains("kind                data-access"), "{shown}");
    assert!(
        shown
            .contains("2026-03-01T09:30:00.250Z (producer's clock: 2026-03-01T10:30:00.250+01:00)")
    );
    assert!(shown.contains("  action: consult\n"));
    assert!(shown.contains("    organisation: politie-eenheid-noord\n"));
    assert!(shown.contains("  actor.user: sealed\n"));
    assert!(shown.contains("not checked: no key given"));
    assert!(!shown.contains("officer-17"));

    // With disclosures and key.
    let shown = ok(&logseal(
        &[
            "record",
            "show",
            "r.cose",
            "--disclosures",
            "r.disclosures",
            "--key",
            "qf.pub",
            "--origin",
            ORIGIN,
        ],
        d,
        None,
    ));
    assert!(
        shown.contains("  actor.user: disclosed: \"officer-17\"\n"),
        "{shown}"
    );
    assert!(shown.contains("  subject: disclosed: \"Zoë van der Berg\"\n"));
    assert!(shown.contains("  recipients.0: disclosed: \"OM Noord\"\n"));
    assert!(shown.contains("verified with query-frontend (origin example.org/log)"));

    // Wrong origin: the signature fails, exit 1.
    let o = logseal(
        &[
            "record",
            "show",
            "r.cose",
            "--key",
            "qf.pub",
            "--origin",
            "other.example/log",
        ],
        d,
        None,
    );
    let err = fails(&o, 1);
    assert!(text(&o.stdout).contains("FAILED with query-frontend"));
    assert!(err.contains("r.cose: signature:"), "{err}");

    // Refuses to overwrite.
    let err = fails(&record_new(d, &data_access(), "r"), 2);
    assert!(err.contains("r.cose already exists"), "{err}");
}

#[test]
fn show_json_has_the_documented_shape() {
    let dir = with_key();
    let d = dir.path();
    ok(&record_new(d, &data_access(), "r"));
    let out = ok(&logseal(
        &[
            "record",
            "show",
            "r.cose",
            "--disclosures",
            "r.disclosures",
            "--key",
            "qf.pub",
            "--origin",
            ORIGIN,
            "--json",
        ],
        d,
        None,
    ));
    let v: Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "body",
            "envelope",
            "file",
            "key_id",
            "kind",
            "leaf_hash_sha256",
            "sealed",
            "signature",
            "stray_disclosures",
            "valid"
        ]
    );
    assert_eq!(v["valid"], json!(true));
    assert_eq!(v["kind"], json!("data-access"));
    assert_eq!(
        v["envelope"]["occurred_at"],
        json!("2026-03-01T09:30:00.250Z")
    );
    assert_eq!(v["envelope"]["utc_offset_minutes"], json!(60));
    assert_eq!(v["envelope"]["seq"], json!(0));
    assert_eq!(v["body"]["action"], json!("consult"));
    assert_eq!(v["body"]["actor"].get("user"), None);
    assert_eq!(
        v["signature"],
        json!({"state": "verified", "key": "query-frontend", "origin": ORIGIN})
    );
    let sealed = v["sealed"].as_array().unwrap();
    assert_eq!(sealed.len(), 4);
    let user = sealed.iter().find(|s| s["path"] == "actor.user").unwrap();
    assert_eq!(user["state"], json!("disclosed"));
    assert_eq!(user["value"], json!("officer-17"));
    assert_eq!(user["commitment"].as_str().unwrap().len(), 64);

    // Without disclosures: sealed, no value.
    let out = ok(&logseal(&["record", "show", "r.cose", "--json"], d, None));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["sealed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["state"] == "sealed" && s.get("value").is_none())
    );
    assert_eq!(v["signature"], json!({"state": "not-checked"}));
}

#[test]
fn json_errors_name_the_path_and_exit_1() {
    let dir = with_key();
    let d = dir.path();
    let cases: Vec<(Value, &str)> = {
        let mut unknown = data_access();
        unknown["body"]["shoe_size"] = json!(44);
        let mut nfc = data_access();
        nfc["body"]["actor"]["user"] = json!("Zoe\u{308}");
        let mut bad_enum = data_access();
        bad_enum["body"]["action"] = json!("peek");
        let mut wrong_class = data_access();
        wrong_class["body"]["recipients"] = json!("OM Noord");
        let mut bad_time = data_access();
        bad_time["occurred_at"] = json!("2026-03-01 10:30");
        vec![
            (unknown, "standard input: body.shoe_size: unknown field"),
            (
                nfc,
                "standard input: body.actor.user: not in Unicode normalisation form C",
            ),
            (
                bad_enum,
                "standard input: body.action: unknown Action \"peek\"",
            ),
            (
                wrong_class,
                "standard input: body.recipients: expected an array, found a string",
            ),
            (
                bad_time,
                "standard input: occurred_at: \"2026-03-01 10:30\" is not an RFC 3339",
            ),
        ]
    };
    for (i, (json, want)) in cases.into_iter().enumerate() {
        let err = fails(&record_new(d, &json, &format!("e{i}")), 1);
        assert!(err.contains(want), "case {i}: want {want:?} in {err}");
        assert!(!d.join(format!("e{i}.cose")).exists());
    }

    // A sealed field on a kind that has none: it is not a field of that kind at all.
    let reg = json!({
        "producer": "registration-authority", "seq": 0, "prev": "00".repeat(32),
        "occurred_at": "2026-03-01T09:00:00Z", "status": "ok",
        "body": {"producer": "query-frontend", "public_key": "11".repeat(32),
                 "kinds": ["data-access"], "subject": "Jan"}
    });
    let o = logseal(
        &[
            "record",
            "new",
            "--kind",
            "key-registration",
            "--producer-key",
            "qf.key",
            "--origin",
            ORIGIN,
            "--out",
            "k",
        ],
        d,
        Some(&reg.to_string()),
    );
    let err = fails(&o, 1);
    assert!(err.contains("body.subject: unknown field"), "{err}");

    // Not JSON at all; then an unreadable key file (could not run: 2).
    let o = record_new_with(d, "qf.key", "{\"producer\": ", "x");
    assert!(fails(&o, 1).contains("standard input: not one JSON object"));
    let o = record_new_with(d, "nope.key", "{}", "x");
    assert!(fails(&o, 2).contains("cannot read nope.key"));
    // The public key is not a signer key.
    let o = record_new_with(d, "qf.pub", "{}", "x");
    assert!(fails(&o, 2).contains("qf.pub: not a signer key"));
}

#[test]
fn tampered_record_and_disclosure_exit_1() {
    let dir = with_key();
    let d = dir.path();
    ok(&record_new(d, &data_access(), "r"));
    let bytes = std::fs::read(d.join("r.cose")).unwrap();

    // A non-minimal head: rejected by the strict decoder with its byte offset.
    let mut bad = vec![bytes[0], 0x98, 0x04];
    bad.extend_from_slice(&bytes[2..]);
    std::fs::write(d.join("bad.cose"), &bad).unwrap();
    let err = fails(&logseal(&["record", "show", "bad.cose"], d, None), 1);
    assert!(err.contains("bad.cose: record: non-minimal"), "{err}");
    assert!(err.contains("at byte 1"), "{err}");

    // Trailing bytes.
    let mut bad = bytes.clone();
    bad.push(0);
    std::fs::write(d.join("trail.cose"), &bad).unwrap();
    let err = fails(&logseal(&["record", "show", "trail.cose"], d, None), 1);
    assert!(err.contains(&format!("at byte {}", bytes.len())), "{err}");

    // A flipped signature byte decodes but does not verify.
    let mut bad = bytes.clone();
    *bad.last_mut().unwrap() ^= 1;
    std::fs::write(d.join("sig.cose"), &bad).unwrap();
    let err = fails(
        &logseal(
            &[
                "record", "show", "sig.cose", "--key", "qf.pub", "--origin", ORIGIN,
            ],
            d,
            None,
        ),
        1,
    );
    assert!(err.contains("does not verify"), "{err}");

    // A disclosure from another record does not match this one.
    let mut other = data_access();
    other["body"]["actor"]["user"] = json!("officer-99");
    ok(&record_new(d, &other, "o"));
    let o = logseal(
        &["record", "show", "r.cose", "--disclosures", "o.disclosures"],
        d,
        None,
    );
    let err = fails(&o, 1);
    assert!(text(&o.stdout).contains("  actor.user: DISCLOSURE DOES NOT MATCH\n"));
    assert!(
        err.contains("disclosure for actor.user does not match"),
        "{err}"
    );

    // Unreadable record: could not run.
    assert!(
        fails(&logseal(&["record", "show", "missing.cose"], d, None), 2)
            .contains("cannot read missing.cose")
    );
    // --key without --origin is a usage error.
    fails(
        &logseal(&["record", "show", "r.cose", "--key", "qf.pub"], d, None),
        2,
    );
}

#[test]
fn record_new_refuses_another_producer_than_the_keys_and_an_impossible_origin() {
    let dir = with_key();
    let d = dir.path();
    // qf.key is query-frontend's; it may not sign as the upload gateway.
    let mut other = data_access();
    other["producer"] = json!("upload-gateway");
    let err = fails(&record_new(d, &other, "p"), 1);
    assert!(
        err.contains(
            "standard input: producer: \"upload-gateway\" is not the name of the key qf.key \
             (\"query-frontend\")"
        ),
        "{err}"
    );
    assert!(!d.join("p.cose").exists() && !d.join("p.disclosures").exists());
    // No log can have an origin that is not a note key name (a space, a `+`, empty).
    for (origin, want) in [
        ("a b", "--origin: origin \"a b\""),
        ("", "--origin: origin \"\""),
        ("a+b", "--origin: origin \"a+b\""),
    ] {
        let o = logseal(
            &[
                "record",
                "new",
                "--kind",
                "data-access",
                "--producer-key",
                "qf.key",
                "--origin",
                origin,
                "--out",
                "o",
            ],
            d,
            Some(&data_access().to_string()),
        );
        let err = fails(&o, 1);
        assert!(err.contains(want), "{origin:?}: {err}");
        assert!(err.contains("no log has it"), "{err}");
        assert!(!d.join("o.cose").exists());
    }
    // The same record as the key's producer, for a possible origin: signed.
    ok(&record_new(d, &data_access(), "fine"));
}

/// A COSE_Sign1 over `payload` by `key` for `origin`, built by hand: the library refuses to
/// sign a payload that breaks the rules, a dishonest producer does not.
fn sign_unchecked(
    payload: &logseal::record::Payload,
    key: &logseal::crypto::SecretKey,
    origin: &str,
) -> Vec<u8> {
    let kid = key.public_key().key_id();
    let payload = payload.to_bytes();
    let sig = key.sign(&logseal::record::sig_structure(&kid, &payload, origin));
    let mut out = Vec::new();
    let mut e = minicbor::Encoder::new(&mut out);
    e.tag(minicbor::data::Tag::new(18))
        .and_then(|e| e.array(4))
        .and_then(|e| e.bytes(&logseal::record::protected_header_bytes(&kid)))
        .and_then(|e| e.map(0))
        .and_then(|e| e.bytes(&payload))
        .and_then(|e| e.bytes(&sig))
        .unwrap();
    out
}

#[test]
fn a_utc_offset_of_i16_min_is_refused_by_show_append_and_verify() {
    use common::tamper::{
        LATE, decode, entries, fresh_state, honest_log, next_of, run, trust, write_public,
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let log = d.join("log");
    honest_log(&log, Some(1));
    let mut all = entries(&log);
    let template = all
        .iter()
        .position(|e| decode(e).payload().producer.as_str() == "query-frontend")
        .unwrap();
    let mut p = decode(&all[template]).payload().clone();
    (p.seq, p.prev) = next_of(&all, "query-frontend");
    p.utc_offset_minutes = Some(i16::MIN);
    let key = logseal::scenario::secret_key("query-frontend");
    let bad = sign_unchecked(&p, &key, logseal::scenario::ORIGIN);
    std::fs::write(d.join("bad.cose"), &bad).unwrap();

    let err = fails(&logseal(&["record", "show", "bad.cose"], d, None), 1);
    assert!(
        err.contains("utc_offset_minutes: -32768 is outside ±1080"),
        "{err}"
    );
    let size = all.len();
    let err = fails(&logseal(&["append", "log", "bad.cose"], d, None), 1);
    assert!(err.contains("bad.cose: refused"), "{err}");
    assert!(
        err.contains("utc_offset_minutes: -32768 is outside ±1080"),
        "{err}"
    );
    assert_eq!(entries(&log).len(), size, "nothing was appended");

    // In the log anyway (an operator writing tiles by hand): the verifier names it.
    all.push(bad);
    write_public(&log, &all, LATE);
    let o = run(&log, &trust(), &fresh_state());
    let f = o
        .report
        .findings
        .iter()
        .find(|f| f.leaf == Some(size as u64))
        .expect("a finding at the bad record");
    assert_eq!(f.code, "record-malformed");
    assert_eq!(f.found.as_deref(), Some("payload-utc-offset"));
}
