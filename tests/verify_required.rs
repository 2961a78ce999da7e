//! Required checks (trust file `require_checks`, `verify --require`): a required check that
//! could not run or was not completed is "cannot be determined" with the reason, and exit 1;
//! a check that is not required and did not run is stated as not run, exit 0.

mod common;
#[path = "support/retention_log.rs"]
mod support;

use support::{RetentionLog, report};

/// Before the cap's deadline: check 7 holds. After it: the access is kept too long.
const EARLY: &str = "2026-03-01T13:00:00Z";
const LATE: &str = "2026-03-05T00:00:00Z";

fn log() -> (RetentionLog, u64) {
    let mut l = RetentionLog::new();
    let a = l.access("2026-03-01T10:00:00Z");
    l.checkpoint("2026-03-01T12:00:00Z");
    (l, a)
}

/// `private/config.json` moved away: the private part cannot be opened.
fn hide_config(l: &RetentionLog) {
    let p = l.log_dir().join("private");
    std::fs::rename(p.join("config.json"), p.join("config.json.away")).unwrap();
}

#[track_caller]
fn check7_undetermined(o: &std::process::Output, reason: &str) {
    let (v, codes) = report(o);
    assert_eq!(o.status.code(), Some(1), "{codes:?}");
    let c7 = &v["checks"][6];
    assert_eq!(c7["verdict"], "cannot-be-determined", "{c7:#}");
    assert_eq!(
        (&c7["required"], &c7["determined"]),
        (&true.into(), &false.into())
    );
    assert!(c7["not_run"].as_str().unwrap().contains(reason), "{c7:#}");
    let f: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "required-check-undetermined")
        .collect();
    assert_eq!(f.len(), 1, "{codes:?}");
    assert_eq!(
        (&f[0]["check"], &f[0]["verdict"]),
        (&7.into(), &"cannot-be-determined".into())
    );
    assert!(
        f[0]["message"].as_str().unwrap().contains(reason),
        "{:#}",
        f[0]
    );
    assert!(
        !codes.iter().any(|(c, _)| c == "retention-kept-too-long"),
        "{codes:?}"
    );
    assert_eq!(v["checks"][6]["violations"], 0);
}

#[test]
fn a_hidden_private_config_makes_a_required_check_7_undetermined_and_exit_1() {
    let (l, a) = log();
    l.write_trust(Some(&[1, 2, 3, 4, 5, 6, 7]));
    // With the private part: check 7 determined; early nothing is due (exit 0), late the
    // access is kept too long (exit 1).
    let o = l.verify(EARLY, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::text(&o.stdout));
    let o = l.verify(LATE, &["--json"]);
    let (_, codes) = report(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        codes.contains(&("retention-kept-too-long".into(), Some(a))),
        "{codes:?}"
    );
    // Hiding private/config.json no longer hides the violation behind exit 0.
    hide_config(&l);
    for at in [EARLY, LATE] {
        check7_undetermined(&l.verify(at, &["--json"]), "config.json is missing");
    }
    let o = l.verify(LATE, &[]);
    let out = common::text(&o.stdout);
    assert!(
        out.contains("NOT DETERMINED: 0 violation(s)")
            && out.contains("required check(s) 7 not fully determined"),
        "{out}"
    );
    assert!(
        out.contains("  required    checks 1, 2, 3, 4, 5, 6, 7 "),
        "{out}"
    );
    let err = common::text(&o.stderr);
    assert!(
        err.contains("required check(s) 7 not fully determined"),
        "{err}"
    );
}

#[test]
fn a_corrupt_private_state_makes_a_required_check_7_undetermined_and_exit_1() {
    let (l, _) = log();
    l.write_trust(Some(&[1, 2, 3, 4, 5, 6, 7]));
    std::fs::write(l.log_dir().join("private/state"), b"not a state").unwrap();
    check7_undetermined(
        &l.verify(LATE, &["--json"]),
        "the log's private part (disclosures) cannot be read",
    );
}

#[test]
fn check_7_not_required_is_stated_as_not_run_and_exits_0() {
    let (l, _) = log();
    l.write_trust(None);
    hide_config(&l);
    let o = l.verify(LATE, &[]);
    let out = common::text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("no violation found"), "{out}");
    assert!(out.contains("  not run     check 7: "), "{out}");
    assert!(out.contains("config.json is missing"), "{out}");
    assert!(
        out.contains("  required    checks 1, 2, 3, 4, 5, 6 "),
        "{out}"
    );
    let (v, _) = report(&l.verify(LATE, &["--json"]));
    assert_eq!(v["checks"][6]["verdict"], serde_json::Value::Null);
    assert_eq!(v["checks"][6]["required"], false);
    assert_eq!(v["checks"][0]["required"], true);
}

#[test]
fn require_on_the_command_line_adds_to_the_trust_file() {
    let (l, _) = log();
    l.write_trust(None);
    hide_config(&l);
    check7_undetermined(
        &l.verify(LATE, &["--require", "7", "--json"]),
        "config.json",
    );
    check7_undetermined(
        &l.verify(LATE, &["--require", "1,7", "--json"]),
        "config.json",
    );
    // A public part alone (an auditor's copy): check 7 has no access.
    std::fs::remove_dir_all(l.log_dir().join("private")).unwrap();
    check7_undetermined(
        &l.verify(LATE, &["--require=7", "--json"]),
        "no access to the log's private part",
    );
    assert_eq!(l.verify(LATE, &[]).status.code(), Some(0));
    // Not a check: a usage error.
    let err = common::fails(&l.verify(LATE, &["--require", "8"]), 2);
    assert!(err.contains("--require"), "{err}");
}

#[test]
fn require_checks_names_checks_by_number() {
    let (l, _) = log();
    l.write_trust(Some(&[1, 9]));
    let err = common::fails(&l.verify(EARLY, &[]), 2);
    assert!(
        err.contains("require_checks[1]: 9 is not a check (1–7)"),
        "{err}"
    );
    // An empty list requires nothing: check 7 not run is then no failure either.
    l.write_trust(Some(&[]));
    hide_config(&l);
    let (v, _) = report(&l.verify(LATE, &["--json"]));
    assert!(
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["required"] == false)
    );
}

#[test]
fn a_config_that_cannot_be_read_stops_the_run_instead_of_reading_public_from_the_directory() {
    // The config says where the public part is (a bucket, perhaps): a reader that cannot
    // read it must not report on DIR/public instead.
    let (l, _) = log();
    l.write_trust(None);
    std::fs::write(l.log_dir().join("private/config.json"), b"{ not json").unwrap();
    let err = common::fails(&l.verify(LATE, &[]), 2);
    assert!(err.contains("config.json"), "{err}");
}
