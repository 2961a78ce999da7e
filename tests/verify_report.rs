//! The text report of `logseal verify`: filters that choose lines but never the exit status,
//! the record's own time on every finding line, and a closed pipe that ends it quietly.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::tamper::*;

/// `verify` on the scenario's log with a state; the operator then drops the last record and
/// re-publishes: a check-1 violation (`checkpoint-inconsistent`). Returns the text arguments.
fn rewritten(dir: &std::path::Path) -> Vec<String> {
    let mut a = cli_log(dir);
    a.pop(); // --json
    a.push("--state".into());
    a.push(dir.join("auditor").display().to_string());
    let strs: Vec<&str> = a.iter().map(String::as_str).collect();
    common::logseal(&strs, dir, None);
    let (mut e, _) = scenario_entries();
    e.pop();
    write_public(&dir.join("log"), &e, LATE + 5);
    a
}

fn run(a: &[String], extra: &[&str], dir: &std::path::Path) -> std::process::Output {
    let mut v: Vec<&str> = a.iter().map(String::as_str).collect();
    v.extend_from_slice(extra);
    common::logseal(&v, dir, None)
}

#[test]
fn filters_choose_lines_but_the_exit_status_counts_every_finding() {
    let dir = tempfile::tempdir().unwrap();
    let a = rewritten(dir.path());
    let o = run(&a, &[], dir.path());
    common::fails(&o, 1);
    let all = String::from_utf8(o.stdout).unwrap();
    // The rewrite leads, as a root cause naming the finding it explains (docs/CHECKS.md).
    assert!(
        all.contains("[violated] history-rewritten: ")
            && all.contains("explains checkpoint-inconsistent ×1"),
        "{all}"
    );
    // Only check 3's findings are shown (there are none): the rewrite still fails the run.
    let o = run(&a, &["--check", "3"], dir.path());
    common::fails(&o, 1);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.contains("[violated] checkpoint-inconsistent"), "{out}");
    assert!(out.contains("VIOLATED"), "{out}");
    assert!(
        out.contains("not shown by --check/--code/--producer"),
        "{out}"
    );
    // --code and --producer choose lines likewise.
    let o = run(&a, &["--code", "chain-head-missing"], dir.path());
    common::fails(&o, 1);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("[violated] chain-head-missing"), "{out}");
    assert!(!out.contains("] checkpoint-inconsistent"), "{out}");
    let o = run(&a, &["--producer", "nobody"], dir.path());
    common::fails(&o, 1);
    assert!(!String::from_utf8(o.stdout).unwrap().contains("[violated]"));
    // --summary: counts by check and code, no finding lines.
    let o = run(&a, &["--summary"], dir.path());
    common::fails(&o, 1);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(!out.contains("[violated]"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("checkpoint-inconsistent") && l.contains("(violated)")),
        "{out}"
    );
    assert!(all.len() > out.len());
}

#[test]
fn finding_lines_show_the_records_own_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = cli_log(dir.path());
    a.pop(); // --json
    let out = String::from_utf8(run(&a, &[], dir.path()).stdout).unwrap();
    let line = out
        .lines()
        .find(|l| l.contains("[violated] heartbeat-counter-mismatch"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains(", at 20"), "{line}");
    // The JSON report carries it too.
    let o = run(&a, &["--json"], dir.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], 2);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "heartbeat-counter-mismatch")
        .unwrap();
    assert!(
        f["time"].as_str().is_some_and(|t| t.starts_with("20")),
        "{f}"
    );
}

#[test]
fn a_closed_pipe_ends_verify_quietly_with_its_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let a = rewritten(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
        .args(&a)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -1`: the reader goes away before the report is written.
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("Broken pipe"), "{err}");
    assert!(!err.contains("cannot write"), "{err}");
    assert_eq!(status.code(), Some(1), "{err}");
}
