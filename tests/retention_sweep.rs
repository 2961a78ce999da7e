//! `logseal retention apply | erase | hold | release` on the scenario's honest SMALL log:
//! the binary erases what is due and records it, erased values are unreadable everywhere
//! (also from a backup of the disclosures taken before the sweep), requests and holds are
//! refused or honoured as the rules say.

mod common;

use std::path::{Path, PathBuf};

use common::tamper::honest_log;
use common::{copy_dir, fails, files_under, key_file, logseal, ok};
use logseal::log::Log;
use logseal::record::Record;
use logseal::record::kinds::Body;
use logseal::scenario;
use serde_json::Value;

fn setup() -> (tempfile::TempDir, PathBuf) {
    setup_days(None)
}

/// The scenario's first `days` days (all when `None`) and the keys of the sweep and the
/// legal desk.
fn setup_days(days: Option<usize>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log");
    honest_log(&log, days);
    key_file(dir.path(), scenario::SWEEP);
    key_file(dir.path(), "legal-desk");
    (dir, log)
}

/// Leaves of `section` (due / overdue / held …) in `retention plan --json`.
fn plan_leaves(dir: &Path, at: &str, section: &str) -> Vec<u64> {
    let out = ok(&logseal(
        &["retention", "plan", "log", "--at", at, "--json"],
        dir,
        None,
    ));
    let v: Value = serde_json::from_str(&out).unwrap();
    v[section]
        .as_array()
        .unwrap_or_else(|| panic!("no {section} in {out}"))
        .iter()
        .map(|i| i["leaf"].as_u64().unwrap())
        .collect()
}

/// Leaves of the upload-gateway's data-access records, in order.
fn uploads(log: &Path) -> Vec<u64> {
    common::upload_leaves(&Log::open_read_only(log).unwrap())
}

/// Every readable sealed text value of `leaf`.
fn values(log: &Path, leaf: u64) -> Vec<String> {
    let l = Log::open_read_only(log).unwrap();
    l.disclosures(leaf)
        .unwrap()
        .into_iter()
        .flat_map(|d| texts(&d.value))
        .collect()
}

fn texts(v: &logseal::record::SealedValue) -> Vec<String> {
    use logseal::record::SealedValue::*;
    match v {
        Text(s) => vec![s.clone()],
        List(l) => l.iter().flat_map(texts).collect(),
        Bytes(_) | Uint(_) => vec![],
    }
}

/// `logseal retention erase log` of `leaf` on `ground` at `at`, by the sweep's key.
fn erase(dir: &Path, leaf: u64, ground: &str, at: &str) -> std::process::Output {
    logseal(
        &[
            "retention",
            "erase",
            "log",
            "--executor-key",
            "retention-sweep.key",
            "--leaf",
            &leaf.to_string(),
            "--ground",
            ground,
            "--at",
            at,
        ],
        dir,
        None,
    )
}

const AT: &str = "2026-03-10T00:00:00Z";

#[test]
fn apply_erases_what_is_due_records_it_and_no_copy_opens_it() {
    // Days 0–8 (March 1–9): a sweep on the 10th cannot be dated before what the log holds.
    let (dir, log) = setup_days(Some(9));
    let mut due: Vec<u64> = [
        plan_leaves(dir.path(), AT, "due"),
        plan_leaves(dir.path(), AT, "overdue"),
    ]
    .concat();
    due.sort();
    let ups = uploads(&log);
    // Day N (March N+1) falls due at the Amsterdam midnight starting day N+2 (22:00 or
    // 23:00 UTC the day before): days 0–7 by the 10th, three providers a day.
    assert_eq!(due.len(), 24, "{due:?}");
    assert!(due.iter().all(|l| ups.contains(l)));
    let erased: Vec<(u64, Vec<String>)> = due.iter().map(|l| (*l, values(&log, *l))).collect();
    assert!(erased.iter().all(|(_, v)| !v.is_empty()));
    let kept: Vec<u64> = ups.iter().copied().filter(|l| !due.contains(l)).collect();
    let backup = dir.path().join("backup");
    copy_dir(&log.join("private").join("disclosures"), &backup);
    let size = Log::open_read_only(&log).unwrap().size();

    let out = ok(&logseal(
        &[
            "retention",
            "apply",
            "log",
            "--executor-key",
            "retention-sweep.key",
            "--at",
            AT,
        ],
        dir.path(),
        None,
    ));
    assert!(
        out.starts_with(
            "retention sweep of log at 2026-03-10T00:00:00.000Z: 3 due, 21 overdue, 0 held, \
             54 conflicts (never resolved by a sweep)\nerased 48 disclosures of 24 records: \
             destroyed 8 keys"
        ),
        "{out}"
    );
    for (leaf, _) in &erased {
        assert_eq!(values(&log, *leaf), Vec::<String>::new(), "leaf {leaf}");
    }
    for leaf in &kept {
        assert!(
            !values(&log, *leaf).is_empty(),
            "leaf {leaf} lost its disclosures"
        );
    }
    // One retention-deletion record per destroyed key, naming the leaves, rule and key.
    let l = Log::open_read_only(&log).unwrap();
    assert_eq!(l.size(), size + 8);
    let mut named = Vec::new();
    l.reader()
        .for_each_entry(l.size(), size, l.size(), |_, bytes| {
            let r = Record::decode(bytes).unwrap();
            let Body::RetentionDeletion(d) = &r.payload().body else {
                panic!("not a deletion");
            };
            assert_eq!(d.rule.as_str(), "nl-ciot-latest-upload@1");
            assert!(d.shredded_key_id.is_some() && d.holds_checked);
            assert_eq!(d.executed_at.to_rfc3339(), "2026-03-10T00:00:00.000Z");
            for t in &d.targets {
                named.extend(t.first..=t.last);
            }
            Ok(())
        })
        .unwrap();
    named.sort();
    assert_eq!(named, due);
    drop(l);

    // No file of the log directory holds an erased value in the clear.
    let all = files_under(&log);
    for (leaf, vs) in &erased {
        for v in vs {
            for (p, bytes) in &all {
                assert!(
                    !bytes.windows(v.len()).any(|w| w == v.as_bytes()),
                    "{} holds {v:?} of leaf {leaf}",
                    p.display()
                );
            }
        }
    }
    // The backup of the disclosures taken before the sweep, restored: still unreadable.
    copy_dir(&backup, &log.join("private").join("disclosures"));
    for (leaf, _) in &erased {
        assert_eq!(values(&log, *leaf), Vec::<String>::new(), "leaf {leaf}");
    }
    assert!(!values(&log, kept[0]).is_empty());
    // Nothing is due any more; a second sweep erases nothing.
    assert!(plan_leaves(dir.path(), AT, "due").is_empty());
    assert!(plan_leaves(dir.path(), AT, "overdue").is_empty());
    let out = ok(&logseal(
        &[
            "retention",
            "apply",
            "log",
            "--executor-key",
            "retention-sweep.key",
            "--at",
            AT,
        ],
        dir.path(),
        None,
    ));
    assert!(out.ends_with("nothing to erase\n"), "{out}");
}

#[test]
fn erasure_requests_and_legal_holds() {
    let (dir, log) = setup();
    let ups = uploads(&log);
    let (held_upload, requested) = (ups[ups.len() - 1], ups[ups.len() - 2]);
    let query = {
        let l = Log::open_read_only(&log).unwrap();
        let mut q = None;
        l.reader()
            .for_each_entry(l.size(), 0, l.size(), |leaf, bytes| {
                let r = Record::decode(bytes).unwrap();
                if q.is_none() && r.payload().producer.as_str() == "query-frontend" {
                    q = Some(leaf);
                }
                Ok(())
            })
            .unwrap();
        q.unwrap()
    };
    let erase = |leaf: u64, ground: &str| erase(dir.path(), leaf, ground, "2026-03-20T12:00:00Z");
    // A data subject's request does not override the NEN 7513 five-year minimum.
    let err = fails(&erase(query, "gdpr-17-1"), 1);
    assert!(err.contains("a minimum keeps it until 2031-"), "{err}");
    assert!(err.contains("GDPR 17(3)(b)"), "{err}");
    assert!(!values(&log, query).is_empty());
    let err = fails(&erase(query, "no-such-ground"), 2);
    assert!(
        err.contains("invalid value 'no-such-ground' for '--ground <GROUND>'"),
        "{err}"
    );

    // An upload not yet due: erased on request, the record names the ground.
    let out = ok(&erase(requested, "gdpr-17-1"));
    assert!(out.contains("erased "), "{out}");
    assert!(values(&log, requested).is_empty());
    let l = Log::open_read_only(&log).unwrap();
    let last = l.reader().entry(l.size() - 1, l.size()).unwrap();
    let Body::RetentionDeletion(d) = &Record::decode(&last).unwrap().payload().body.clone() else {
        panic!("not a deletion")
    };
    assert_eq!(d.exception_ground.unwrap().as_str(), "gdpr-17-1");
    assert_eq!(
        (d.targets[0].first, d.targets[0].last),
        (requested, requested)
    );
    drop(l);

    // A hold over the last upload: a request is refused, a sweep keeps it.
    std::fs::write(dir.path().join("case"), "ECLI:NL:RBAMS:2026:1234\n").unwrap();
    let out = ok(&logseal(
        &[
            "retention",
            "hold",
            "log",
            "--key",
            "legal-desk.key",
            "--hold-id",
            "hold-test-1",
            "--authority",
            "rechtbank-amsterdam",
            "--legal-basis",
            "gdpr-17-3-e",
            "--case-ref-file",
            "case",
            "--leaf",
            &held_upload.to_string(),
            "--at",
            "2026-03-20T12:00:00Z",
        ],
        dir.path(),
        None,
    ));
    let hold_leaf: u64 = out.trim().rsplit(' ').next().unwrap().parse().unwrap();
    assert!(
        out.starts_with("hold hold-test-1 set over 1 records"),
        "{out}"
    );
    let err = fails(&erase(held_upload, "gdpr-17-1"), 1);
    assert!(err.contains("held by hold-test-1"), "{err}");
    let sweep = |at: &str| {
        ok(&logseal(
            &[
                "retention",
                "apply",
                "log",
                "--executor-key",
                "retention-sweep.key",
                "--at",
                at,
            ],
            dir.path(),
            None,
        ))
    };
    sweep("2026-06-01T00:00:00Z");
    assert!(plan_leaves(dir.path(), "2026-06-01T00:00:00Z", "held").contains(&held_upload));
    assert!(!values(&log, held_upload).is_empty());
    // Released: the next sweep erases it (overdue by then).
    let out = ok(&logseal(
        &[
            "retention",
            "release",
            "log",
            "--key",
            "legal-desk.key",
            "--hold-id",
            "hold-test-1",
            "--set-by",
            &hold_leaf.to_string(),
            "--case-ref-file",
            "case",
            "--at",
            "2026-06-02T00:00:00Z",
        ],
        dir.path(),
        None,
    ));
    assert!(
        out.starts_with("hold hold-test-1 released (the whole hold)"),
        "{out}"
    );
    assert!(plan_leaves(dir.path(), "2026-06-03T00:00:00Z", "overdue").contains(&held_upload));
    let out = sweep("2026-06-03T00:00:00Z");
    assert!(out.contains("erased "), "{out}");
    assert!(values(&log, held_upload).is_empty());
    // A release must name the record that set the hold.
    let err = fails(
        &logseal(
            &[
                "retention",
                "release",
                "log",
                "--key",
                "legal-desk.key",
                "--hold-id",
                "hold-test-1",
                "--set-by",
                "0",
                "--case-ref-file",
                "case",
            ],
            dir.path(),
            None,
        ),
        1,
    );
    assert!(
        err.contains("not the legal-hold record that set hold hold-test-1"),
        "{err}"
    );
}

#[test]
fn erasures_are_dated_when_carried_out_grounds_are_checked_and_a_checkpoint_follows() {
    let (dir, log) = setup();
    let ups = uploads(&log);
    // The last upload (March 18) falls due at the Amsterdam midnight ending March 19.
    let requested = ups[ups.len() - 1];
    let erase = |leaf: u64, ground: &str, at: &str| erase(dir.path(), leaf, ground, at);
    // A sweep dated in the future would make early erasures look due.
    let err = fails(
        &logseal(
            &[
                "retention",
                "apply",
                "log",
                "--executor-key",
                "retention-sweep.key",
                "--at",
                "2999-01-01T00:00:00Z",
            ],
            dir.path(),
            None,
        ),
        1,
    );
    assert!(
        err.contains("--at 2999-01-01T00:00:00.000Z: in the future"),
        "{err}"
    );
    // A ground for keeping does not erase before the due date.
    let err = fails(&erase(requested, "gdpr-17-3-e", "2026-03-19T12:00:00Z"), 1);
    assert!(
        err.contains("ground gdpr-17-3-e is one for keeping data past its due date"),
        "{err}"
    );
    assert!(!values(&log, requested).is_empty());

    // Erased on request: the deletion record and a checkpoint over it, at once.
    let out = ok(&erase(requested, "gdpr-17-1", "2026-03-19T12:00:00Z"));
    let size = Log::open_read_only(&log).unwrap().size();
    assert!(
        out.ends_with(&format!("signed checkpoint of size {size}\n")),
        "{out}"
    );
    let deletion = size - 1;
    // A later erasure cannot be dated before it.
    let err = fails(
        &erase(ups[ups.len() - 2], "gdpr-17-1", "2026-03-15T00:00:00Z"),
        1,
    );
    assert!(
        err.contains(&format!(
            "--at 2026-03-15T00:00:00.000Z: earlier than a retention-deletion executed at leaf \
             {deletion} (2026-03-19T12:00:00.000Z)"
        )),
        "{err}"
    );

    // The verifier (now: the checkpoint was signed by this machine's clock) sees the erasure
    // and its record together: no deletion without record.
    let mut t = serde_json::to_value(common::tamper::trust().file).unwrap();
    t["retention_policy_authority"] = Value::from(scenario::POLICY_AUTHORITY);
    std::fs::write(dir.path().join("trust.json"), t.to_string()).unwrap();
    let o = logseal(
        &["verify", "log", "--trust", "trust.json", "--json"],
        dir.path(),
        None,
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == 7)
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"retention-deletion-without-record"),
        "{codes:?}"
    );
    // The filter reads check 7's findings (checks are numbers in the JSON report).
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["check"].is_u64()),
        "{v}"
    );
    assert_eq!(v["retention"]["counts"]["erased_and_covered"], 1, "{v}");
}

/// The log's files, to show that a refused command changed nothing.
fn snapshot(log: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v = files_under(log);
    v.sort();
    v
}

#[test]
fn missing_keys_bad_grounds_empty_case_refs_and_backward_holds_are_refused() {
    let (dir, log) = setup_days(Some(1));
    let d = dir.path();
    let at = "2026-03-02T00:00:00Z";
    // Nothing is due: a sweep would sign nothing, and yet a missing key is an error.
    assert!(plan_leaves(d, at, "due").is_empty());
    assert!(plan_leaves(d, at, "overdue").is_empty());
    let before = snapshot(&log);
    let retention = |args: &[&str]| {
        let mut a = vec!["retention"];
        a.extend_from_slice(args);
        logseal(&a, d, None)
    };
    let err = fails(
        &retention(&["apply", "log", "--executor-key", "missing.key", "--at", at]),
        2,
    );
    assert!(err.contains("cannot read missing.key"), "{err}");
    let err = fails(
        &retention(&[
            "erase",
            "log",
            "--executor-key",
            "missing.key",
            "--leaf",
            "0",
            "--ground",
            "court-order",
            "--at",
            at,
        ]),
        2,
    );
    assert!(err.contains("cannot read missing.key"), "{err}");
    std::fs::write(d.join("case"), "ECLI:NL:RBAMS:2026:1234\n").unwrap();
    let hold = |key: &str, case: &str, until: &str| {
        retention(&[
            "hold",
            "log",
            "--key",
            key,
            "--hold-id",
            "hold-test-2",
            "--authority",
            "rechtbank-amsterdam",
            "--legal-basis",
            "gdpr-17-3-e",
            "--case-ref-file",
            case,
            "--leaf",
            "40",
            "--at",
            at,
            "--until",
            until,
        ])
    };
    let err = fails(&hold("missing.key", "case", "2026-04-01T00:00:00Z"), 2);
    assert!(err.contains("cannot read missing.key"), "{err}");
    let err = fails(
        &retention(&[
            "release",
            "log",
            "--key",
            "missing.key",
            "--hold-id",
            "hold-test-2",
            "--set-by",
            "0",
            "--case-ref-file",
            "case",
        ]),
        2,
    );
    assert!(err.contains("cannot read missing.key"), "{err}");

    // An unknown ground is a usage error, named with the grounds there are.
    let err = fails(&erase(d, 40, "bogus", at), 2);
    assert!(
        err.contains("invalid value 'bogus' for '--ground <GROUND>'"),
        "{err}"
    );
    assert!(err.contains("court-order"), "{err}");

    // A hold that would lapse before (or as) it is set.
    for until in ["2026-03-01T23:59:59Z", at] {
        let err = fails(&hold("legal-desk.key", "case", until), 1);
        assert!(
            err.contains(&format!(
                "--until \"{until}\": the hold would lapse before it is set (--at \
                 2026-03-02T00:00:00.000Z)"
            )),
            "{err}"
        );
    }
    // An empty case reference (or only a line break) names no case.
    for (name, content) in [("empty", ""), ("newline", "\n")] {
        std::fs::write(d.join(name), content).unwrap();
        let err = fails(&hold("legal-desk.key", name, "2026-04-01T00:00:00Z"), 1);
        assert!(
            err.contains(&format!("{name}: the case reference is empty")),
            "{err}"
        );
        let err = fails(
            &retention(&[
                "release",
                "log",
                "--key",
                "legal-desk.key",
                "--hold-id",
                "hold-test-2",
                "--set-by",
                "0",
                "--case-ref-file",
                name,
            ]),
            1,
        );
        assert!(err.contains("the case reference is empty"), "{err}");
    }
    assert!(
        snapshot(&log) == before,
        "a refused command changed the log"
    );

    // The same hold, ending after it starts: set.
    let out = ok(&hold("legal-desk.key", "case", "2026-04-01T00:00:00Z"));
    assert!(
        out.starts_with("hold hold-test-2 set over 1 records"),
        "{out}"
    );
}
