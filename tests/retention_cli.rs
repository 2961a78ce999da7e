//! `logseal retention plan` on the scenario's honest SMALL log (tests/common/tamper.rs), and
//! on a short log whose policy is replaced by one with a cap and no minimum, so that records
//! fall due and overdue.

mod common;

use std::path::Path;

use common::tamper::{decode, entries, honest_log};
use common::{fails, logseal, ok};
use logseal::log::{AppendItem, Log};
use logseal::record::kinds::Body;
use logseal::record::text::Ident;
use logseal::scenario::{self, ORIGIN};
use serde_json::Value;

fn plan(dir: &Path, at: &str, extra: &[&str]) -> String {
    let mut args = vec!["retention", "plan", ".", "--at", at];
    args.extend_from_slice(extra);
    ok(&logseal(&args, dir, None))
}

/// Lines of `section` (its indented items), by title prefix.
fn section<'a>(out: &'a str, title: &str) -> Vec<&'a str> {
    let mut lines = out.lines().skip_while(|l| !l.starts_with(title));
    lines.next();
    lines
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect()
}

#[test]
fn the_honest_log_in_2026_holds_the_export_case_and_shows_the_bdsg_nen_conflict() {
    let dir = tempfile::tempdir().unwrap();
    honest_log(dir.path(), None);
    let out = plan(dir.path(), "2026-06-01T00:00:00Z", &[]);
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        "retention plan of . at 2026-06-01T00:00:00.000Z (grace 1d): 311 record(s), 259 with \
         sealed fields, 259 with disclosures present; due 0, overdue 54, held 3, not yet \
         deletable 143, undetermined 35, conflicts 108, rule findings 0"
    );
    assert!(
        out.contains("limitation: policy authority not pinned"),
        "{out}"
    );
    assert!(
        out.contains("policy logseal-demo-retention version 1 in force from leaf 13 (9 rules)\n")
    );
    assert!(!out.contains("\ndue: delete now"), "{out}");
    // Nobody swept this log: every upload is kept past its one-day cap (only the latest
    // daily file may be kept).
    let overdue = section(&out, "overdue: kept too long (54)");
    assert_eq!(
        overdue[0],
        "leaf 37 upload-gateway#0 rule nl-ciot-latest-upload@1 deadline \
         2026-03-02T23:00:00.000Z kept too long by 90d 1h fields actor.user, subjects"
    );
    assert!(
        overdue
            .iter()
            .all(|l| l.contains(" upload-gateway#") && l.contains(" nl-ciot-latest-upload@1 "))
    );

    // The export case's records are held by the court's hold; their cap (identification)
    // is not determined.
    let held = section(&out, "held: deletion suspended (3)");
    assert_eq!(held.len(), 3, "{out}");
    assert!(
        held.iter()
            .all(|l| l.contains(" legal-hold by hold-2026-0007 cap due none determined "))
    );
    assert!(
        held[0].starts_with("leaf 76 trust-and-safety#4 "),
        "{held:?}"
    );
    assert!(
        held[0].ends_with(
            "fields account_id, content_id, explanation, matched_entry_id, matched_hash_value, \
             content_hash, content_digest"
        ),
        "{held:?}"
    );

    // Every data-access record with sealed fields: the BDSG cap (end of next year, Berlin)
    // comes before the NEN 7513 five-year minimum.
    let conflicts = section(
        &out,
        "conflicts: a cap requires deletion before a minimum allows it (108)",
    );
    assert_eq!(conflicts.len(), 108);
    assert_eq!(
        conflicts[0],
        "leaf 40 query-frontend#0 cap de-bdsg76-led-logs@1 due 2027-12-31T23:00:00.000Z before \
         minimum nl-nen7513-access-logs@1 allows deletion (2031-03-01T08:00:00.000Z)"
    );
    assert!(conflicts.iter().all(|l| l.contains(
        " cap de-bdsg76-led-logs@1 due 2027-12-31T23:00:00.000Z before minimum nl-nen7513-access-logs@1 "
    )));
    let not_yet = section(&out, "not yet deletable: a minimum runs (143)");
    assert!(not_yet.contains(&"leaf 40 query-frontend#0 not before 2031-03-01T08:00:00.000Z"));

    // Every record with sealed fields declares the rule it is kept under (records that no
    // minimum or cap covers declare none).
    assert!(!out.contains("\nrule findings"), "{out}");
}

#[test]
fn the_honest_log_in_2028_keeps_conflicting_records_out_of_overdue_and_the_hold_has_lapsed() {
    let dir = tempfile::tempdir().unwrap();
    honest_log(dir.path(), None);
    let out = plan(dir.path(), "2028-06-01T00:00:00Z", &[]);
    assert!(
        out.starts_with(
            "retention plan of . at 2028-06-01T00:00:00.000Z (grace 1d): 311 record(s), 259 with \
         sealed fields, 259 with disclosures present; due 0, overdue 54, held 0, not yet \
         deletable 2, undetermined 36, conflicts 108, rule findings 0\n"
        ),
        "{out}"
    );
    assert_eq!(
        section(&out, "not yet deletable: a minimum runs (2)"),
        [
            "leaf 291 appeals#0 not before undetermined: trigger notification-sent has not happened",
            "leaf 292 appeals#1 not before undetermined: trigger notification-sent has not happened",
        ]
    );
    let undetermined = section(&out, "undetermined: a cap's trigger has not happened (36)");
    assert!(undetermined.contains(
        &"leaf 76 trust-and-safety#4 due undetermined: trigger identification has not happened"
    ));

    let json: Value =
        serde_json::from_str(&plan(dir.path(), "2028-06-01T00:00:00Z", &["--json"])).unwrap();
    // Only the uploads are overdue: the conflicting query records never are.
    let overdue = json["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 54);
    assert!(overdue.iter().all(|o| o["producer"] == "upload-gateway"));
    assert_eq!(json["held"], Value::Array(vec![]));
    assert_eq!(json["conflicts"].as_array().unwrap().len(), 108);
    assert_eq!(json["conflicts"][0]["leaf"], 40);
    assert_eq!(json["conflicts"][0]["cap_due"], "2027-12-31T23:00:00.000Z");
    assert_eq!(
        json["conflicts"][0]["minimum_not_before"]["at"],
        "2031-03-01T08:00:00.000Z"
    );
    assert!(
        json["provenance"]["policy_authority"]
            .as_str()
            .unwrap()
            .contains("not pinned")
    );
    assert_eq!(json["provenance"]["policies"][0]["from_leaf"], 13);
}

/// The leaf of the scenario's first retention-policy record.
fn policy_leaf(all: &[Vec<u8>]) -> usize {
    all.iter()
        .position(|e| matches!(decode(e).payload().body, Body::RetentionPolicy(_)))
        .expect("the scenario records a retention policy")
}

/// Two scenario days, then version 2 of the policy without the NEN 7513 minimum, then a copy
/// of the first upload record (same sealed fields and disclosures) declaring the cap.
/// Returns the new record's leaf.
fn cap_only_log(dir: &Path) -> u64 {
    honest_log(dir, Some(2));
    let all = entries(dir);
    let mut log = Log::open(dir).unwrap();
    let next = |log: &Log, producer: &logseal::record::text::ProducerId| {
        let h = log.state().producer(producer).unwrap();
        (h.next_seq, h.head)
    };
    let policy_leaf = policy_leaf(&all);
    let mut p = decode(&all[policy_leaf]).payload().clone();
    let Body::RetentionPolicy(body) = &mut p.body else {
        panic!("leaf {policy_leaf} is not the retention policy");
    };
    body.version = 2;
    body.rules
        .retain(|r| r.id.as_str() != "nl-nen7513-access-logs");
    (p.seq, p.prev) = next(&log, &p.producer);
    let key = scenario::secret_key(p.producer.as_str());
    let policy = logseal::record::sign(&p, &key, ORIGIN).unwrap();

    let upload_leaf = all
        .iter()
        .position(|e| decode(e).payload().producer.as_str() == "query-frontend")
        .unwrap();
    let mut u = decode(&all[upload_leaf]).payload().clone();
    (u.seq, u.prev) = next(&log, &u.producer);
    u.retention_rule = Some(Ident::new("de-bdsg76-led-logs@1").unwrap());
    let key = scenario::secret_key(u.producer.as_str());
    let upload = logseal::record::sign(&u, &key, ORIGIN).unwrap();
    let disclosures = log.disclosures(upload_leaf as u64).unwrap();
    assert!(!disclosures.is_empty());
    log.append(&[AppendItem {
        record: policy,
        disclosures: Vec::new(),
    }])
    .unwrap();
    let r = log.append(&[AppendItem {
        record: upload,
        disclosures,
    }]);
    r.unwrap()[0].leaf_index
}

#[test]
fn a_cap_without_a_minimum_falls_due_then_overdue_by_how_long_it_was_kept() {
    let dir = tempfile::tempdir().unwrap();
    let leaf = cap_only_log(dir.path());
    let head = |out: &str| out.lines().next().unwrap().to_owned();
    // The scenario's uploads (their own one-day cap) are long overdue by then; this record
    // is the only query-frontend one without the NEN 7513 minimum.
    let mine = |lines: Vec<&str>| -> Vec<String> {
        lines
            .into_iter()
            .filter(|l| l.starts_with(&format!("leaf {leaf} ")))
            .map(str::to_owned)
            .collect()
    };

    // The cap: 1 year after occurred-at (2026-03), aligned to the end of the year in Berlin:
    // 2028-01-01T00:00+01:00. Thirteen hours later, within the default grace of a day: due.
    let out = plan(dir.path(), "2028-01-01T12:00:00Z", &[]);
    assert!(head(&out).contains("; due 1, overdue 6,"), "{out}");
    assert_eq!(
        section(&out, "due: delete now (1)"),
        [format!(
            "leaf {leaf} query-frontend#14 rule de-bdsg76-led-logs@1 deadline \
             2027-12-31T23:00:00.000Z late by 13h fields actor.user, case_ref, subject, \
             query"
        )]
    );
    assert!(
        section(&out, "overdue: kept too long (6)")
            .iter()
            .all(|l| l.contains(" upload-gateway#") && l.contains(" nl-ciot-latest-upload@1 "))
    );
    assert!(out.contains("policy logseal-demo-retention version 2 in force from leaf "));

    // 2028-06-01: 152 days (2028 is a leap year) and the hour of the Berlin offset.
    let out = plan(dir.path(), "2028-06-01T00:00:00Z", &[]);
    assert!(head(&out).contains("; due 0, overdue 7,"), "{out}");
    assert_eq!(
        mine(section(&out, "overdue: kept too long (7)")),
        [format!(
            "leaf {leaf} query-frontend#14 rule de-bdsg76-led-logs@1 deadline \
             2027-12-31T23:00:00.000Z kept too long by 152d 1h fields actor.user, case_ref, \
             subject, query"
        )]
    );
    // The records before the new version are still governed by the old one: in conflict.
    assert!(!section(&out, "conflicts:").is_empty());

    // No grace: the same 13 hours are overdue.
    let json: Value = serde_json::from_str(&plan(
        dir.path(),
        "2028-01-01T12:00:00Z",
        &["--grace", "0s", "--json"],
    ))
    .unwrap();
    assert_eq!(json["due"], Value::Array(vec![]));
    let o = json["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["leaf"] == leaf)
        .unwrap();
    assert_eq!(o["producer"], "query-frontend");
    assert_eq!(o["late_by_ms"], 13 * 3_600_000);
    assert_eq!(o["deadline"], "2027-12-31T23:00:00.000Z");
}

#[test]
fn bad_arguments_and_missing_logs_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let e = fails(
        &logseal(
            &["retention", "plan", ".", "--at", "tomorrow"],
            dir.path(),
            None,
        ),
        2,
    );
    assert!(e.contains("--at \"tomorrow\""), "{e}");
    let e = fails(
        &logseal(
            &["retention", "plan", ".", "--grace", "1w"],
            dir.path(),
            None,
        ),
        2,
    );
    assert!(e.contains("is not a duration"), "{e}");
    let e = fails(&logseal(&["retention", "plan", "."], dir.path(), None), 2);
    assert!(e.contains("is not a logseal log directory"), "{e}");
}

#[test]
fn a_policy_that_does_not_replace_the_one_in_force_is_invalid_and_named_by_leaf() {
    let dir = tempfile::tempdir().unwrap();
    honest_log(dir.path(), Some(1));
    let all = entries(dir.path());
    let mut log = Log::open(dir.path()).unwrap();
    let first = policy_leaf(&all);
    let mut p = decode(&all[first]).payload().clone();
    assert!(matches!(p.body, Body::RetentionPolicy(_)));
    let h = log.state().producer(&p.producer).unwrap();
    (p.seq, p.prev) = (h.next_seq, h.head);
    let key = scenario::secret_key(p.producer.as_str());
    let again = logseal::record::sign(&p, &key, ORIGIN).unwrap();
    let leaf = log
        .append(&[AppendItem {
            record: again,
            disclosures: Vec::new(),
        }])
        .unwrap()[0]
        .leaf_index;
    let e = fails(
        &logseal(
            &["retention", "plan", ".", "--at", "2026-06-01T00:00:00Z"],
            dir.path(),
            None,
        ),
        1,
    );
    assert_eq!(
        e.trim_end(),
        format!(
            "logseal: .: leaf {leaf}: retention-authority#1 (retention-policy): policy logseal-demo-retention at leaf {leaf}: version 1 does \
             not replace version 1 in force since leaf {first}"
        )
    );
}
