//! `logseal info`'s counts per kind and producer and last heartbeats, on a real log: read in
//! full only when asked (`--count`), from the auditor's state when given (`--state`), and
//! on a public-only copy as on the log itself.

use std::path::Path;

use common::{AUTHORITY, copy_dir, lines, logseal, ok, query, registration, setup_log, trust_new};
use serde_json::{Value, json};

mod common;

/// A heartbeat line of the upload gateway at `at` (seq and prev taken from the log).
fn heartbeat(at: &str) -> Value {
    json!({
        "kind": "producer-heartbeat",
        "producer": "upload-gateway",
        "occurred_at": at,
        "status": "ok",
        "body": {
            "cadence_secs": 3600,
            "period_start": "2026-03-01T09:00:00Z",
            "period_end": at,
            "counters": [{"name": "files-received", "value": 0, "kind": "data-access"}]
        }
    })
}

/// `setup_log`'s log (leaf 0: the query front-end's registration), then: leaf 1 the upload
/// gateway's registration, leaves 2..5 three data-access records of the query front-end,
/// leaves 5 and 6 two heartbeats of the upload gateway; checkpointed, and copied without
/// `private/` to `mirror/`.
fn log_with_heartbeats(d: &Path) {
    setup_log(d);
    ok(&logseal(
        &["keygen", "--name", "upload-gateway", "--out", "ug"],
        d,
        None,
    ));
    let reg = registration(
        "upload-gateway",
        &d.join("ug.pub"),
        &["data-access", "producer-heartbeat"],
    );
    let append = |key: &str, input: String| {
        ok(&logseal(
            &["append", "log", "--in", "-", "--producer-key", key],
            d,
            Some(&input),
        ))
    };
    append("ra.key", lines([reg]));
    append("qf.key", lines((0..3).map(query)));
    append(
        "ug.key",
        lines([
            heartbeat("2026-03-01T10:00:00Z"),
            heartbeat("2026-03-01T11:30:00Z"),
        ]),
    );
    ok(&logseal(&["checkpoint", "log"], d, None));
    copy_dir(&d.join("log/public"), &d.join("mirror/public"));
}

fn info_json(d: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(&logseal(args, d, None))).unwrap()
}

fn expected_census() -> Value {
    json!({
        "records_read": 7,
        "undecodable": 0,
        "kinds": {"data-access": 3, "key-registration": 2, "producer-heartbeat": 2},
        "producers": {
            AUTHORITY: {"records": 2, "last_heartbeat": null, "last_heartbeat_leaf": null},
            "query-frontend": {"records": 3, "last_heartbeat": null, "last_heartbeat_leaf": null},
            "upload-gateway": {
                "records": 2,
                "last_heartbeat": "2026-03-01T11:30:00.000Z",
                "last_heartbeat_leaf": 6
            }
        }
    })
}

#[test]
fn count_reads_every_record_of_the_log_and_of_a_public_only_copy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    log_with_heartbeats(d);
    let full = info_json(d, &["info", "log", "--json", "--count"]);
    assert_eq!(full["size"], 7);
    assert_eq!(full["census"], expected_census(), "{full}");
    assert!(full.get("counts").is_none(), "{full}");
    let mirror = info_json(d, &["info", "mirror", "--json", "--count"]);
    assert_eq!(mirror["public_only"], true);
    assert_eq!(mirror["census"], expected_census(), "{mirror}");

    let out = ok(&logseal(&["info", "mirror", "--count"], d, None));
    assert!(out.contains("counted by reading all 7 records"), "{out}");
    let line = |start: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?} in\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(line("data-access"), ["data-access", "3"]);
    assert_eq!(line("producer-heartbeat"), ["producer-heartbeat", "2"]);
    assert_eq!(line("key-registration"), ["key-registration", "2"]);
    assert_eq!(
        line("upload-gateway"),
        [
            "upload-gateway",
            "2",
            "last",
            "heartbeat",
            "2026-03-01T11:30:00.000Z",
            "(leaf",
            "6)"
        ]
    );
    assert_eq!(
        line("query-frontend"),
        ["query-frontend", "3", "last", "heartbeat", "none"]
    );
}

#[test]
fn without_count_or_state_info_reads_no_record_and_says_how_to_get_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    log_with_heartbeats(d);
    for log in ["log", "mirror"] {
        let out = ok(&logseal(&["info", log], d, None));
        assert!(
            out.contains(
                "counts per kind and producer are not shown: they take reading all 7 records; \
                 give --count to read them"
            ),
            "{out}"
        );
        assert!(!out.contains("counted by reading"), "{out}");
        let v = info_json(d, &["info", log, "--json"]);
        assert!(v.get("census").is_none(), "{v}");
        assert!(
            v["counts"].as_str().unwrap().contains("give --count"),
            "{v}"
        );
    }
}

#[test]
fn state_gives_the_last_heartbeats_and_says_the_kinds_need_count() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    log_with_heartbeats(d);
    ok(&trust_new(d, &[]));
    std::fs::create_dir(d.join("state")).unwrap();
    // The verdict does not matter here, only the state it leaves.
    logseal(
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
    );
    for log in ["log", "mirror"] {
        let v = info_json(d, &["info", log, "--json", "--state", "state"]);
        assert_eq!(v["auditor_state"]["verified_size"], 7, "{v}");
        let ug = v["auditor_state"]["producers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["producer"] == "upload-gateway")
            .cloned();
        assert_eq!(
            ug,
            Some(json!({
                "producer": "upload-gateway",
                "next_seq": 2,
                "last_heartbeat": "2026-03-01T11:30:00.000Z"
            })),
            "{v}"
        );
        assert!(
            v.get("census").is_none() && v.get("counts").is_none(),
            "{v}"
        );
        let out = ok(&logseal(&["info", log, "--state", "state"], d, None));
        assert!(
            out.contains(
                "counts per kind are not in the auditor's state; give --count to read all 7 \
                 records"
            ),
            "{out}"
        );
        // Both: the state's view and the full read.
        let both = info_json(d, &["info", log, "--json", "--state", "state", "--count"]);
        assert_eq!(both["census"], expected_census(), "{both}");
        assert_eq!(both["auditor_state"]["verified_size"], 7, "{both}");
    }
}
