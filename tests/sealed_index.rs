//! The sealed-value index on the demo's log, through `logseal subject`: a damaged or truncated
//! index file is rebuilt (and said so) and never makes `subject` miss or invent a record.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const SUBSCRIBER: &str = "Sjoerd IJzerman";

fn setup() -> tempfile::TempDir {
    let tmp = inspector_copy(true);
    let d = tmp.path();
    std::fs::write(d.join("value"), format!("{SUBSCRIBER}\n")).unwrap();
    std::fs::write(d.join("case"), "DSR-2026-0018\n").unwrap();
    tmp
}

/// The leaves `subject` reports below `below`, and its stderr.
fn subject(d: &Path, below: u64) -> (Vec<u64>, String) {
    let o = logseal(
        &[
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
            "--field",
            "subject",
            "--json",
        ],
        d,
        None,
    );
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&o.stdout), text(&o.stderr)));
    let mut leaves: Vec<u64> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["leaf"].as_u64().unwrap())
        .filter(|l| *l < below)
        .collect();
    leaves.sort_unstable();
    (leaves, text(&o.stderr))
}

fn index_files(d: &Path) -> Vec<PathBuf> {
    files_in(&d.join("log/private/index/sealed"))
}

#[test]
fn a_damaged_sealed_index_is_rebuilt_and_never_misses_or_invents_a_record() {
    let tmp = setup();
    let d = tmp.path();
    let size = logseal::log::Log::open_read_only(&d.join("log"))
        .unwrap()
        .size();
    let (honest, err) = subject(d, size);
    assert!(!honest.is_empty());
    assert!(err.contains("rebuilt"), "{err}");
    let files = index_files(d);
    assert!(files.len() > 1, "{files:?}");
    let good: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    // Damage every generation's file: a flipped byte in its entries, its checksum, its
    // header, or a truncation.
    for (i, (f, bytes)) in files.iter().zip(&good).enumerate() {
        let mut bad = bytes.clone();
        match i % 4 {
            0 => bad[bytes.len() / 2] ^= 0x40,
            1 => *bad.last_mut().unwrap() ^= 0x01,
            2 => bad[9] ^= 0x01,
            _ => bad.truncate(bytes.len() - 28),
        }
        std::fs::write(f, &bad).unwrap();
    }
    let (after, err) = subject(d, size);
    assert_eq!(after, honest, "{err}");
    // Every damaged file said rebuilt (the generation the first run's own data-access record
    // opened may be rebuilt too: its sealed objects changed).
    assert_eq!(err.matches("(unreadable: ").count(), files.len(), "{err}");
    for (f, bytes) in files.iter().zip(&good) {
        assert_eq!(&std::fs::read(f).unwrap(), bytes, "{}", f.display());
    }
    // Loaded, not rebuilt, next time.
    let (again, err) = subject(d, size);
    assert_eq!(again, honest);
    assert!(!err.contains("unreadable"), "{err}");
}
