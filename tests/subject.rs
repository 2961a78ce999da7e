//! `logseal subject` on the demo's log: the subscriber's records found through the sealed-value
//! index, the inspection itself logged first (and verified), erased values no longer found nor
//! openable from anything in the log directory, and nothing revealed or appended when the
//! access record cannot be appended.

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

/// The demo's subscriber whose records the tests look for.
/// (found by the officials' queries and in the providers' uploads still kept).
const SUBSCRIBER: &str = "Sjoerd IJzerman";

/// The shared demo (built once per test run, see `common::shared_demo`).
fn demo() -> &'static Path {
    shared_demo()
}

/// A copy of the honest log in `tmp/log`, the inspector's key pair `tmp/insp.*` (registered
/// in the log for data-access records when `register`), the value and case-reference files.
fn setup(register: bool) -> tempfile::TempDir {
    let tmp = inspector_copy(register);
    let d = tmp.path();
    std::fs::write(d.join("value"), format!("{SUBSCRIBER}\n")).unwrap();
    std::fs::write(d.join("case"), "DSR-2026-0017\n").unwrap();
    tmp
}

fn subject(d: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "subject",
        "log",
        "--value-file",
        "value",
        "--inspector-key",
        "insp.key",
        "--purpose",
        "data-subject-request",
        "--legal-basis",
        "gdpr-art-15",
        "--case-ref-file",
        "case",
        "--json",
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

#[test]
fn subject_lists_the_officials_queries_and_logs_itself_first() {
    let tmp = setup(true);
    let d = tmp.path();
    let before = size(d);
    let v = json_of(&subject(d, &["--field", "subject"]));
    assert_eq!(v["value"], SUBSCRIBER);
    let recs = v["records"].as_array().unwrap();
    let queries: Vec<&Value> = recs
        .iter()
        .filter(|r| r["producer"] == "query-frontend")
        .collect();
    assert!(!queries.is_empty(), "{v}");
    for q in &queries {
        assert_eq!(q["disclosures"]["subject"], SUBSCRIBER);
        assert!(q["disclosures"]["actor.user"].is_string(), "{q}");
        assert_eq!(q["retention"]["fields"]["subject"], "present", "{q}");
    }
    // The inspection's own record: appended, published, listed by `log`, verified.
    let leaf = v["access_logged"]["leaf"].as_u64().unwrap();
    assert_eq!(leaf, before);
    let listed = json_of(&logseal(
        &["log", "log", "--producer", "auditor-inspector", "--json"],
        d,
        None,
    ));
    let shown = &listed["records"].as_array().unwrap()[0];
    assert_eq!(shown["leaf"].as_u64(), Some(leaf), "{listed}");
    let rec = json_of(&logseal(
        &["show", "log", &leaf.to_string(), "--json"],
        d,
        None,
    ));
    let revealed = rec.to_string();
    assert!(revealed.contains("revealed"), "{rec}");
    let trust = demo().join("demo/auditor/trust.json");
    let o = logseal(
        &[
            "verify",
            "log",
            "--trust",
            trust.to_str().unwrap(),
            "--json",
        ],
        d,
        None,
    );
    let rep: Value = serde_json::from_slice(&o.stdout).unwrap();
    let bad: Vec<&Value> = rep["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| [1, 2, 3].contains(&f["check"].as_u64().unwrap_or(0)))
        .filter(|f| f["verdict"] == "violated")
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    // Another spelling is not found; the data subject's view withholds officials.
    std::fs::write(d.join("value"), SUBSCRIBER.to_lowercase()).unwrap();
    let none = json_of(&subject(d, &[]));
    assert_eq!(none["records"], json!([]));
    std::fs::write(d.join("value"), SUBSCRIBER).unwrap();
    let ds = json_of(&subject(d, &["--for-data-subject"]));
    assert!(ds["withheld"].as_str().unwrap().contains("LED Art 15"));
    for r in ds["records"].as_array().unwrap() {
        assert!(r["disclosures"].get("actor.user").is_none(), "{r}");
        assert!(r["disclosures"].get("case_ref").is_none(), "{r}");
        assert!(
            !r["summary"].as_str().unwrap().contains("authorisation_id"),
            "{r}"
        );
    }
}

#[test]
fn an_unregistered_key_or_a_held_lock_reveals_and_appends_nothing() {
    let tmp = setup(false);
    let d = tmp.path();
    let before = size(d);
    let o = subject(d, &[]);
    let err = fails(&o, 1);
    assert!(err.contains("nothing is revealed"), "{err}");
    assert!(!text(&o.stdout).contains(SUBSCRIBER));
    assert_eq!(size(d), before);

    let tmp = setup(true);
    let d = tmp.path();
    let before = size(d);
    let held = logseal::log::Log::open(&d.join("log")).unwrap();
    let o = subject(d, &[]);
    let err = fails(&o, 2);
    assert!(
        err.contains("logseal serve") && err.contains("Nothing was revealed"),
        "{err}"
    );
    assert!(!text(&o.stdout).contains(SUBSCRIBER));
    drop(held);
    assert_eq!(size(d), before);
}

#[test]
fn after_a_sweep_erased_values_are_not_found_and_nothing_opens_them() {
    use logseal::inspect::sealed_index::{index_key, tag};
    use logseal::record::SealedValue;
    let tmp = setup(true);
    let d = tmp.path();
    let v = json_of(&subject(d, &["--field", "subjects"]));
    let before: Vec<(u64, String, u64)> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["leaf"].as_u64().unwrap(),
                r["retention"]["group"].as_str().unwrap().to_string(),
                r["retention"]["key_generation"].as_u64().unwrap(),
            )
        })
        .collect();
    // The index entries that found them, under each group generation's key.
    let value = SealedValue::Text(SUBSCRIBER.into());
    let mut entries = Vec::new();
    for (_, group, gen_) in &before {
        let p = d.join(format!("log/private/keys/{group}/{gen_:020}"));
        let key = logseal::log::vault::DataKey::from_bytes(&std::fs::read(p).unwrap()).unwrap();
        entries.push(tag(&index_key(&key), &value));
    }
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
    // The sweep itself deletes the index of every generation whose key it destroyed.
    let mut shredded = 0;
    for (_, group, gen_) in &before {
        let key = d.join(format!("log/private/keys/{group}/{gen_:020}"));
        let index = d.join(format!("log/private/index/sealed/{group}/{gen_:020}"));
        if !key.exists() {
            shredded += 1;
            assert!(!index.exists(), "{} outlived its key", index.display());
        }
    }
    assert!(shredded > 0, "the sweep destroyed no key of {before:?}");
    let after = json_of(&subject(d, &["--field", "subjects"]));
    let found: Vec<u64> = after["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["leaf"].as_u64().unwrap())
        .collect();
    let erased: Vec<&(u64, String, u64)> =
        before.iter().filter(|b| !found.contains(&b.0)).collect();
    assert!(!erased.is_empty(), "the sweep erased none of {before:?}");
    for f in files_in(&d.join("log")) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes
                .windows(SUBSCRIBER.len())
                .any(|w| w == SUBSCRIBER.as_bytes()),
            "{} holds the raw value",
            f.display()
        );
        let s = String::from_utf8_lossy(&bytes);
        for (b, e) in before.iter().zip(&entries) {
            if erased.iter().any(|x| x.1 == b.1 && x.2 == b.2) {
                // As stored (binary) and as text (hex).
                assert!(
                    !bytes.windows(e.len()).any(|w| w == e) && !s.contains(&hex::encode(e)),
                    "{} holds an index entry",
                    f.display()
                );
            }
        }
    }
}
