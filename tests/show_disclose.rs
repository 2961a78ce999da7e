//! `logseal show --disclose` on the demo's log: the sealed values of one record, each opened
//! against its commitment, revealed only after the signed data-access record naming exactly
//! the (leaf, field) pairs shown is appended; nothing revealed or appended when it cannot be.

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

/// The official's first query in the demo (a data-access record with sealed fields).
const QUERY: &str = "query-frontend#0";

/// The shared demo (built once per test run, see `common::shared_demo`).
fn demo() -> &'static Path {
    shared_demo()
}

/// A copy of the honest log in `tmp/log`, the inspector's key pair `tmp/insp.*` (registered
/// for data-access records when `register`), and the case-reference file.
fn setup(register: bool) -> tempfile::TempDir {
    let tmp = inspector_copy(register);
    let d = tmp.path();
    std::fs::write(d.join("case"), "COMPLAINT-2026-0042\n").unwrap();
    tmp
}

fn show(d: &Path, record: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "show",
        "log",
        record,
        "--disclose",
        "--inspector-key",
        "insp.key",
        "--purpose",
        "complaint-handling",
        "--legal-basis",
        "gdpr-art-6-1-c",
        "--case-ref-file",
        "case",
    ];
    args.extend_from_slice(extra);
    logseal(&args, d, None)
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)))
}

fn size(d: &Path) -> u64 {
    logseal::log::Log::open_read_only(&d.join("log"))
        .unwrap()
        .size()
}

/// The leaf of `QUERY` and the stored value of its sealed field `field`, read directly.
fn stored(d: &Path, field: &str) -> (u64, String) {
    let v = json_of(&logseal(&["show", "log", QUERY, "--json"], d, None));
    let leaf = v["leaf"].as_u64().unwrap();
    let log = logseal::log::Log::open_read_only(&d.join("log")).unwrap();
    let ds = log.disclosures(leaf).unwrap();
    let d = ds.iter().find(|x| x.path.to_string() == field).unwrap();
    match &d.value {
        logseal::record::SealedValue::Text(s) => (leaf, s.clone()),
        other => panic!("{field}: {other:?}"),
    }
}

/// The inspector's records in the log, newest first.
/// The inspections logged in the copy since it was made (the demo's own, step 12, is not
/// one of them).
fn inspections(d: &Path) -> Vec<Value> {
    let copied = logseal::log::Log::open_read_only(&shared_demo().join("demo/honest"))
        .unwrap()
        .size();
    let v = json_of(&logseal(
        &["log", "log", "--producer", "auditor-inspector", "--json"],
        d,
        None,
    ));
    v["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["leaf"].as_u64().unwrap() >= copied)
        .cloned()
        .collect()
}

#[test]
fn disclose_logs_exactly_the_fields_shown_then_shows_them() {
    let tmp = setup(true);
    let d = tmp.path();
    let (leaf, subject) = stored(d, "subject");
    let (_, user) = stored(d, "actor.user");
    let before = size(d);
    let v = json_of(&show(d, QUERY, &["--field", "subject", "--json"]));
    assert_eq!(v["leaf"].as_u64(), Some(leaf));
    assert_eq!(
        v["disclosed"],
        json!({"subject": {"value": subject}}),
        "{v}"
    );
    assert!(!v.to_string().contains(&user), "an unasked field was shown");
    let logged = v["access_logged"]["leaf"].as_u64().unwrap();
    assert_eq!(logged, before);
    assert_eq!(size(d), before + 1);
    let listed = inspections(d);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["leaf"].as_u64(), Some(logged));
    assert_eq!(listed[0]["kind"], "data-access");
    // The access record names exactly (leaf, subject).
    let rec = json_of(&logseal(
        &["show", "log", &logged.to_string(), "--json"],
        d,
        None,
    ));
    let revealed = find_key(&rec["record"], "revealed").unwrap_or_else(|| panic!("{rec}"));
    assert_eq!(
        revealed,
        json!([{"leaf": leaf, "field": "subject"}]),
        "{rec}"
    );

    // Text, every sealed field: each value printed, the access logged first.
    let o = show(d, QUERY, &[]);
    let out = ok(&o);
    assert!(out.contains(&subject) && out.contains(&user), "{out}");
    assert!(out.contains("this inspection is logged: leaf"), "{out}");
    assert_eq!(size(d), before + 2);
    let rec = json_of(&logseal(
        &["show", "log", &(before + 1).to_string(), "--json"],
        d,
        None,
    ));
    let revealed = find_key(&rec["record"], "revealed").unwrap();
    let fields: Vec<&str> = revealed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["leaf"].as_u64(), Some(leaf));
            r["field"].as_str().unwrap()
        })
        .collect();
    assert!(fields.contains(&"subject") && fields.contains(&"actor.user"));
}

/// The first value under `key` anywhere in `v`.
fn find_key(v: &Value, key: &str) -> Option<Value> {
    match v {
        Value::Object(m) => m
            .get(key)
            .cloned()
            .or_else(|| m.values().find_map(|x| find_key(x, key))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

#[test]
fn an_unregistered_key_or_a_held_lock_reveals_and_appends_nothing() {
    let tmp = setup(false);
    let d = tmp.path();
    let (_, subject) = stored(d, "subject");
    let before = size(d);
    let o = show(d, QUERY, &[]);
    let err = fails(&o, 1);
    assert!(err.contains("nothing is revealed"), "{err}");
    assert!(!text(&o.stdout).contains(&subject));
    assert_eq!(size(d), before);

    let tmp = setup(true);
    let d = tmp.path();
    let before = size(d);
    let held = logseal::log::Log::open(&d.join("log")).unwrap();
    let o = show(d, QUERY, &[]);
    let err = fails(&o, 2);
    assert!(
        err.contains("logseal serve") && err.contains("Nothing was revealed"),
        "{err}"
    );
    assert!(!text(&o.stdout).contains(&subject));
    drop(held);
    assert_eq!(size(d), before);
    assert!(inspections(d).is_empty());
}

#[test]
fn disclose_without_a_key_is_a_usage_error_and_plain_show_needs_none() {
    let tmp = setup(true);
    let d = tmp.path();
    let (_, subject) = stored(d, "subject");
    let before = size(d);
    let o = logseal(
        &[
            "show",
            "log",
            QUERY,
            "--disclose",
            "--purpose",
            "complaint-handling",
            "--legal-basis",
            "gdpr-art-6-1-c",
            "--case-ref-file",
            "case",
        ],
        d,
        None,
    );
    let err = fails(&o, 2);
    assert!(err.contains("--inspector-key"), "{err}");
    assert!(!text(&o.stdout).contains(&subject));
    // A field the record does not seal: refused before anything is appended.
    let o = show(d, QUERY, &["--field", "recipients"]);
    let err = fails(&o, 1);
    assert!(err.contains("--field recipients"), "{err}");
    assert!(!text(&o.stdout).contains(&subject));
    // Without --disclose: read-only, no key, no sealed value.
    let out = ok(&logseal(&["show", "log", QUERY], d, None));
    assert!(!out.contains(&subject), "{out}");
    assert_eq!(size(d), before);
}

#[test]
fn an_erased_disclosure_names_the_retention_deletion_that_erased_it() {
    let tmp = setup(true);
    let d = tmp.path();
    let sweep = demo().join("demo/keys/retention-sweep.key");
    ok(&logseal(
        &[
            "retention",
            "apply",
            "log",
            "--executor-key",
            sweep.to_str().unwrap(),
            "--at",
            "2026-06-01T00:00:00Z",
        ],
        d,
        None,
    ));
    let dels = json_of(&logseal(
        &[
            "log",
            "log",
            "--kind",
            "retention-deletion",
            "--limit",
            "1",
            "--json",
        ],
        d,
        None,
    ));
    let del = &dels["records"][0];
    let del_leaf = del["leaf"].as_u64().unwrap();
    let rec = json_of(&logseal(
        &["show", "log", &del_leaf.to_string(), "--json"],
        d,
        None,
    ));
    let erased = rec["record"]["body"]["targets"][0]["first"]
        .as_u64()
        .unwrap_or_else(|| panic!("{rec}"));
    let before = size(d);
    let v = json_of(&show(d, &erased.to_string(), &["--json"]));
    let disclosed = v["disclosed"].as_object().unwrap();
    assert!(!disclosed.is_empty(), "{v}");
    let name = format!("{}#{}", del["producer"].as_str().unwrap(), del["seq"]);
    for (field, state) in disclosed {
        assert_eq!(
            state["erased_by"],
            json!([{"leaf": del_leaf, "record": name}]),
            "{field}: {v}"
        );
    }
    // The attempt is logged, with nothing named as revealed.
    assert_eq!(size(d), before + 1);
    let rec = json_of(&logseal(
        &["show", "log", &before.to_string(), "--json"],
        d,
        None,
    ));
    assert_eq!(rec["record"]["kind"], "data-access", "{rec}");
    assert!(find_key(&rec["record"], "revealed").is_none(), "{rec}");
}

/// Re-seal the vault object holding `leaf` with its `field` disclosure's value replaced by
/// `forged` (same salt: the value no longer opens the record's commitment).
fn forge(d: &Path, leaf: u64, field: &str, forged: &str) {
    use logseal::log::vault::{self, DataKey, ObjectName};
    let private = d.join("log/private");
    for p in files_in(&private.join(vault::OBJECTS_PREFIX)) {
        let key = p
            .strip_prefix(&private)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let Some(name) = ObjectName::parse(&key) else {
            continue;
        };
        if !(name.first..name.end).contains(&leaf) {
            continue;
        }
        let dk =
            DataKey::from_bytes(&std::fs::read(private.join(name.key_path())).unwrap()).unwrap();
        let mut entries = vault::open(&dk, &name, &std::fs::read(&p).unwrap()).unwrap();
        let mut changed = false;
        for (l, ds) in entries.iter_mut() {
            for x in ds
                .iter_mut()
                .filter(|x| *l == leaf && x.path.to_string() == field)
            {
                x.value = logseal::record::SealedValue::Text(forged.into());
                changed = true;
            }
        }
        if !changed {
            continue;
        }
        let refs: Vec<(u64, &[logseal::record::sealed::Disclosure])> =
            entries.iter().map(|(l, ds)| (*l, ds.as_slice())).collect();
        std::fs::write(&p, vault::seal(&dk, &name, &refs, [7; vault::NONCE_LEN])).unwrap();
        return;
    }
    panic!("no vault object holds {field} of leaf {leaf}");
}

#[test]
fn a_disclosure_that_does_not_open_its_commitment_is_reported_not_shown() {
    let tmp = setup(true);
    let d = tmp.path();
    let (leaf, subject) = stored(d, "subject");
    let forged = "Someone Else Entirely";
    forge(d, leaf, "subject", forged);
    let before = size(d);
    let o = show(d, QUERY, &["--field", "subject"]);
    let out = format!("{}{}", text(&o.stdout), fails(&o, 1));
    assert!(
        out.contains("does not open the record's commitment"),
        "{out}"
    );
    assert!(!out.contains(forged) && !out.contains(&subject), "{out}");
    // The attempt is logged, revealing nothing: no (leaf, field) pair is listed.
    assert_eq!(size(d), before + 1);
    let rec = json_of(&logseal(
        &["show", "log", &before.to_string(), "--json"],
        d,
        None,
    ));
    assert!(rec.to_string().contains("auditor-inspector"), "{rec}");
    assert!(find_key(&rec["record"], "revealed").is_none(), "{rec}");
}

/// The operator alters a record's signature and re-signs the public tree over it: the
/// directory's private and public parts now hold different histories: `show` reports the
/// failed signature, `show --disclose` refuses the directory — nothing revealed, nothing
/// appended.
#[test]
fn a_rewritten_public_part_is_refused_before_anything_is_revealed() {
    let tmp = setup(true);
    let d = tmp.path();
    let (leaf, subject) = stored(d, "subject");
    ok(&logseal(&["checkpoint", "log"], d, None));
    let mut entries = tamper::entries(&d.join("log"));
    let e = &mut entries[leaf as usize];
    let last = e.len() - 1;
    e[last] ^= 0x01; // the last byte of the COSE_Sign1 signature
    let size_before = entries.len() as u64;
    tamper::write_public(&d.join("log"), &entries, 1_775_000_000);
    // Read-only `show` reads the public part: the record is in the new tree, its signature
    // fails, and it says so (exit 1).
    let o = logseal(&["show", "log", &leaf.to_string()], d, None);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("signature does not verify"), "{err}");
    // `--disclose` needs the sequencer, which refuses a directory whose parts disagree.
    let o = show(d, &leaf.to_string(), &[]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("hold different histories"), "{err}");
    assert!(!text(&o.stdout).contains(&subject));
    assert_eq!(tamper::entries(&d.join("log")).len() as u64, size_before);
}
