//! A `private/` restored from an older backup (issue 12 item 1), driven through the binary:
//! the log refuses to write until `logseal recover` has rebuilt the private state from the
//! public part, so it never signs a fork; keys shredded after the backup stay shredded; the
//! disclosures the backup could not bring back are a declared, signed loss that check 7
//! reports as such; a restored intent file never deletes published objects.

mod common;

use std::path::{Path, PathBuf};

use common::tamper::{honest_log, trust};
use common::{copy_dir, fails, files_under, key_file, logseal, ok};
use logseal::log::Log;
use logseal::scenario;
use serde_json::Value;

/// The scenario's first `days` days, the keys of the query front-end and the sweep, and a
/// trust file naming the retention-policy authority.
fn setup(days: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    honest_log(&log, (days != usize::MAX).then_some(days));
    key_file(dir.path(), "query-frontend");
    key_file(dir.path(), scenario::SWEEP);
    let mut t = serde_json::to_value(trust().file).unwrap();
    t["retention_policy_authority"] = Value::from(scenario::POLICY_AUTHORITY);
    std::fs::write(dir.path().join("trust.json"), t.to_string()).unwrap();
    (dir, log)
}

/// A data-access record of the query front-end with sealed fields (`tag` makes it unique).
fn query(tag: &str, i: usize) -> Value {
    serde_json::json!({
        "kind": "data-access",
        "producer": "query-frontend",
        "occurred_at": format!("2026-03-04T10:{:02}:{:02}Z", i % 60, i % 60),
        "status": "ok",
        "body": {
            "action": "consult",
            "legal_basis": "nl-sv-126n",
            "purpose": "criminal-investigation",
            "actor": {"role": "police-officer", "organisation": "politie-eenheid-noord",
                      "authorisation_id": "auth-0001", "user": format!("officer-{tag}-{i}")},
            "data_categories": ["subscriber-name-address"],
            "result_count": 1,
            "query": format!("+31 6 {tag} {i:04}"),
            "subject": format!("subject {tag} {i}")
        }
    })
}

fn append(dir: &Path, tag: &str, n: usize) -> std::process::Output {
    let lines = common::lines((0..n).map(|i| query(tag, i)));
    logseal(
        &[
            "append",
            "log",
            "--in",
            "-",
            "--producer-key",
            "query-frontend.key",
        ],
        dir,
        Some(&lines),
    )
}

fn checkpoint(dir: &Path) -> std::process::Output {
    logseal(&["checkpoint", "log"], dir, None)
}

/// Replace `log/private` with the copy in `backup`.
fn restore(log: &Path, backup: &Path) {
    std::fs::remove_dir_all(log.join("private")).unwrap();
    copy_dir(backup, &log.join("private"));
}

fn published(log: &Path) -> Vec<u8> {
    std::fs::read(log.join("public/checkpoint")).unwrap()
}

fn size_of(note: &[u8]) -> u64 {
    String::from_utf8_lossy(note)
        .lines()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap()
}

/// `verify --json` with the auditor state `astate`: (codes of checks 1 and 2: a fork or
/// a rewrite, codes of check 7, the report).
fn verify(dir: &Path) -> (Vec<String>, Vec<String>, Value) {
    let o = logseal(
        &[
            "verify",
            "log",
            "--trust",
            "trust.json",
            "--state",
            "astate",
            "--json",
        ],
        dir,
        None,
    );
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", common::text(&o.stderr)));
    let codes = |checks: &[u64]| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| checks.iter().any(|c| f["check"] == *c))
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    (codes(&[1, 2]), codes(&[7]), v.clone())
}

/// Every readable sealed text value of `leaf` (read-only, like an auditor).
fn values(log: &Path, leaf: u64) -> Vec<String> {
    use logseal::record::SealedValue::*;
    fn texts(v: &logseal::record::SealedValue) -> Vec<String> {
        match v {
            Text(s) => vec![s.clone()],
            List(l) => l.iter().flat_map(texts).collect(),
            Bytes(_) | Uint(_) => vec![],
        }
    }
    Log::open_read_only(log)
        .unwrap()
        .disclosures(leaf)
        .unwrap()
        .into_iter()
        .flat_map(|d| texts(&d.value))
        .collect()
}

#[test]
fn a_restored_private_part_is_refused_then_recovered_without_a_fork() {
    let (dir, log) = setup(3);
    let d = dir.path();
    ok(&append(d, "a", 5));
    ok(&checkpoint(d));
    // The auditor has seen the log before the accident.
    verify(d);
    let backup = d.join("backup");
    copy_dir(&log.join("private"), &backup);
    let backup_size = Log::open_read_only(&log).unwrap().size();
    ok(&append(d, "b", 10));
    ok(&checkpoint(d));
    let before = published(&log);
    let public_size = size_of(&before);
    assert_eq!(public_size, backup_size + 10);
    let (c1, _, _) = verify(d);
    assert!(c1.is_empty(), "{c1:?}");

    restore(&log, &backup);
    // Readers still work on the mismatched log.
    assert_eq!(Log::open_read_only(&log).unwrap().size(), backup_size);
    // Appending would overwrite published leaves, and a checkpoint would sign a fork.
    let err = fails(&append(d, "d", 10), 2);
    assert!(
        err.contains(&format!(
            "the public checkpoint is at size {public_size} but the private state is at \
             {backup_size}: private/ was restored from an older backup"
        )),
        "{err}"
    );
    assert!(err.contains("logseal recover"), "{err}");
    let err = fails(&checkpoint(d), 2);
    assert!(err.contains("restored from an older backup"), "{err}");
    assert_eq!(published(&log), before, "nothing was published");

    // Without the executor's key nothing is signed: the loss cannot be declared.
    let err = fails(&logseal(&["recover", "log"], d, None), 2);
    assert!(err.contains("--executor-key"), "{err}");
    assert!(err.contains("10 records"), "{err}");
    fails(&append(d, "d", 1), 2);

    let out = ok(&logseal(
        &["recover", "log", "--executor-key", "retention-sweep.key"],
        d,
        None,
    ));
    assert!(
        out.contains(&format!(
            "rebuilt the private state from the public part: size {public_size}"
        )),
        "{out}"
    );
    assert!(out.contains("declared the loss of"), "{out}");
    ok(&append(d, "d", 10));
    ok(&checkpoint(d));
    let after = published(&log);
    assert!(size_of(&after) > public_size + 10);

    let (c1, c7, v) = verify(d);
    assert!(c1.is_empty(), "no fork: {c1:?}");
    assert!(
        c7.contains(&"retention-disclosure-lost".to_string()),
        "{c7:?}"
    );
    assert!(
        !c7.contains(&"retention-deletion-without-record".to_string()),
        "{c7:?}"
    );
    let lost: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "retention-disclosure-lost")
        .collect();
    assert_eq!(lost.len(), 1, "one finding per loss record: {lost:?}");
    assert_eq!(lost[0]["verdict"], "violated", "{}", lost[0]);
    // A second recover on the consistent log changes nothing.
    let out = ok(&logseal(
        &["recover", "log", "--executor-key", "retention-sweep.key"],
        d,
        None,
    ));
    assert!(out.contains("nothing was lost"), "{out}");
}

#[test]
fn a_key_shredded_after_the_backup_stays_shredded() {
    let (dir, log) = setup(usize::MAX);
    let d = dir.path();
    let ups = common::upload_leaves(&Log::open_read_only(&log).unwrap());
    let leaf = ups[ups.len() - 1];
    let erased = values(&log, leaf);
    assert!(!erased.is_empty());
    verify(d);
    copy_dir(&log.join("private"), &d.join("backup"));
    ok(&logseal(
        &[
            "retention",
            "erase",
            "log",
            "--executor-key",
            "retention-sweep.key",
            "--leaf",
            &leaf.to_string(),
            "--ground",
            "gdpr-17-1",
            "--at",
            "2026-03-19T12:00:00Z",
        ],
        d,
        None,
    ));
    assert!(values(&log, leaf).is_empty());
    restore(&log, &d.join("backup"));
    // The restored keys/ bring the erased value back...
    assert_eq!(values(&log, leaf), erased);
    let out = ok(&logseal(
        &["recover", "log", "--executor-key", "retention-sweep.key"],
        d,
        None,
    ));
    assert!(out.contains("destroyed 1 data key(s)"), "{out}");
    // The disclosures the erasure kept (re-sealed under a key made after the backup) are
    // gone with the old key: declared lost.
    assert!(out.contains("declared the loss of"), "{out}");
    // ...until recover destroys the key the published deletion record names.
    assert!(values(&log, leaf).is_empty());
    let all = files_under(&log);
    let key_ids: Vec<String> = all
        .iter()
        .filter(|(p, _)| p.starts_with(log.join("private/keys")))
        .map(|(p, _)| p.display().to_string())
        .collect();
    for v in &erased {
        for (p, bytes) in &all {
            assert!(
                !bytes.windows(v.len()).any(|w| w == v.as_bytes()),
                "{} holds {v:?}",
                p.display()
            );
        }
    }
    // The kept keys open nothing of the erased leaf either (checked above through the
    // reader), and the log verifies without deletion-without-record.
    assert!(!key_ids.is_empty());
    let (c1, c7, _) = verify(d);
    assert!(c1.is_empty(), "{c1:?}");
    assert!(
        !c7.contains(&"retention-deletion-without-record".to_string()),
        "{c7:?}"
    );
    assert!(
        c7.contains(&"retention-disclosure-lost".to_string()),
        "{c7:?}"
    );
    ok(&append(d, "e", 2));
    ok(&checkpoint(d));
}

#[test]
fn a_restored_intent_file_does_not_delete_published_objects() {
    let (dir, log) = setup(3);
    let d = dir.path();
    ok(&append(d, "a", 3));
    ok(&checkpoint(d));
    let size = Log::open_read_only(&log).unwrap().size();
    // A backup taken while a batch of 300 records was being written: its intent names it.
    let backup = d.join("backup");
    copy_dir(&log.join("private"), &backup);
    std::fs::write(
        backup.join("intent"),
        logseal::cbor::to_vec(&(size, size + 300)),
    )
    .unwrap();
    ok(&append(d, "b", 300));
    ok(&checkpoint(d));
    verify(d);
    let public_before = files_under(&log.join("public"));
    restore(&log, &backup);
    let err = fails(&append(d, "c", 1), 2);
    assert!(err.contains("restored from an older backup"), "{err}");
    let public_after = files_under(&log.join("public"));
    assert_eq!(
        public_before.len(),
        public_after.len(),
        "published objects were deleted"
    );
    assert!(
        public_before == public_after || {
            let mut a = public_before.clone();
            let mut b = public_after.clone();
            a.sort();
            b.sort();
            a == b
        }
    );
    let (c1, _, _) = verify(d);
    assert!(c1.is_empty(), "{c1:?}");
}

#[test]
fn records_appended_after_the_backup_but_not_yet_checkpointed_are_kept() {
    let (dir, log) = setup(3);
    let d = dir.path();
    ok(&append(d, "a", 3));
    ok(&checkpoint(d));
    verify(d);
    let backup_size = Log::open_read_only(&log).unwrap().size();
    copy_dir(&log.join("private"), &d.join("backup"));
    // Acknowledged (receipts given), not yet in any checkpoint.
    ok(&append(d, "b", 4));
    let before = published(&log);
    restore(&log, &d.join("backup"));
    let err = fails(&append(d, "c", 1), 2);
    assert!(
        err.contains(&format!(
            "public/ holds leaf {backup_size} (tile/entries/000.p/{}) but the private state is \
             at size {backup_size}: private/ was restored from an older backup",
            backup_size + 4
        )),
        "{err}"
    );
    assert_eq!(published(&log), before);
    let out = ok(&logseal(
        &["recover", "log", "--executor-key", "retention-sweep.key"],
        d,
        None,
    ));
    assert!(
        out.contains(&format!(
            "rebuilt the private state from the public part: size {} (the published \
             checkpoint is at {backup_size}",
            backup_size + 4
        )),
        "{out}"
    );
    assert!(
        out.contains("declared the loss of 12 disclosure(s) of 4 records"),
        "{out}"
    );
    // The acknowledged records stay at their leaves; the chain continues after them.
    ok(&append(d, "c", 1));
    ok(&checkpoint(d));
    let (c1, c7, _) = verify(d);
    assert!(c1.is_empty(), "{c1:?}");
    assert!(
        c7.contains(&"retention-disclosure-lost".to_string()),
        "{c7:?}"
    );
}
