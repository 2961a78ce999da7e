//! `verify` reads the log's public checkpoint history (docs/CHECKS.md check 1,
//! docs/FORMAT.md §11.3.1): every entry is signed by the log key valid for its size and has
//! the published tree's root at its size.

mod common;

use std::path::Path;

use common::tamper::*;
use logseal::checkpoint::{Checkpoint, sign_checkpoint};
use logseal::log::history;
use logseal::note;
use logseal::scenario::ORIGIN;
use logseal::verify::{Outcome, Verdict};

fn history_codes(o: &Outcome) -> Vec<(&'static str, Verdict)> {
    o.report
        .findings
        .iter()
        .filter(|f| f.code.starts_with("checkpoint-history"))
        .map(|f| (f.code, f.verdict))
        .collect()
}

fn entry_path(dir: &Path, size: u64) -> std::path::PathBuf {
    dir.join("public").join(history::key(size))
}

#[test]
fn an_honest_log_verifies_its_history_without_findings() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = honest_log(dir.path(), Some(3));
    for s in &sizes {
        assert!(entry_path(dir.path(), *s).is_file(), "{s}");
    }
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(history_codes(&o), vec![]);
    // Incrementally too, from the state of that run.
    let state = o.new_state.unwrap();
    let o = run_since(dir.path(), &trust(), &state);
    assert_eq!(history_codes(&o), vec![]);
}

#[test]
fn a_history_entry_of_another_tree_signed_by_the_log_key_is_a_published_fork() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = honest_log(dir.path(), Some(3));
    let n = sizes[0];
    let cp = Checkpoint::new(ORIGIN, n, [7u8; 32]).unwrap();
    let forged = sign_checkpoint(&cp, log_key().secret_key(), ORIGIN, 1_000).unwrap();
    std::fs::write(entry_path(dir.path(), n), &forged).unwrap();
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        history_codes(&o),
        vec![("checkpoint-history-inconsistent", Verdict::Violated)]
    );
    let f = o
        .report
        .findings
        .iter()
        .find(|f| f.code == "checkpoint-history-inconsistent")
        .unwrap();
    assert_eq!(f.found.as_deref(), Some(hex::encode([7u8; 32]).as_str()));
    assert!(f.expected.is_some());
    // The same entry at the published size contradicts the published checkpoint.
    let last = *sizes.last().unwrap();
    let cp = Checkpoint::new(ORIGIN, last, [8u8; 32]).unwrap();
    let forged = sign_checkpoint(&cp, log_key().secret_key(), ORIGIN, 1_000).unwrap();
    std::fs::write(entry_path(dir.path(), last), &forged).unwrap();
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        history_codes(&o),
        vec![
            ("checkpoint-history-inconsistent", Verdict::Violated),
            ("checkpoint-history-inconsistent", Verdict::Violated)
        ]
    );
}

#[test]
fn a_history_entry_whose_signature_does_not_verify_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = honest_log(dir.path(), Some(3));
    let n = sizes[1];
    let bytes = std::fs::read(entry_path(dir.path(), n)).unwrap();
    let mut n_ = note::parse_note(&bytes).unwrap();
    // The text changed under the log's signatures (another root).
    let cp = Checkpoint::parse(&n_.text).unwrap();
    let other = Checkpoint::new(ORIGIN, n, [9u8; 32]).unwrap();
    assert_ne!(cp.root, other.root);
    n_.text = other.to_body();
    std::fs::write(entry_path(dir.path(), n), n_.to_bytes()).unwrap();
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        history_codes(&o),
        vec![("checkpoint-history-signature", Verdict::Violated)]
    );
}

#[test]
fn a_fifo_in_the_history_is_a_finding_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let sizes = honest_log(dir.path(), Some(2));
    let p = entry_path(dir.path(), sizes[0]);
    std::fs::remove_file(&p).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&p)
        .status()
        .unwrap();
    assert!(status.success());
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        history_codes(&o),
        vec![("checkpoint-history-malformed", Verdict::Violated)]
    );
}

#[test]
fn a_log_without_history_is_a_notice_only() {
    let dir = tempfile::tempdir().unwrap();
    honest_log(dir.path(), Some(2));
    std::fs::remove_dir_all(dir.path().join("public").join(history::HISTORY_PREFIX)).unwrap();
    let o = run(dir.path(), &trust(), &fresh_state());
    assert_eq!(
        history_codes(&o),
        vec![("checkpoint-history-absent", Verdict::Notice)]
    );
}
