//! `verify --since` reads old entry bundles for check 7 (retention): every byte it reads must
//! be authenticated by the verified tree. An old record altered in its bundle (tiles
//! untouched) must not make a `retention-kept-too-long` violation disappear.

mod common;
#[path = "support/retention_log.rs"]
mod support;

use common::tamper::resign;
use logseal::tiles::{self, EntryBundleId};
use support::{RetentionLog, report, t};

const AT: &str = "2026-03-05T00:00:00Z";

/// The entry bundle holding `leaf` in the tree of `size`, as a file path.
fn bundle_path(l: &RetentionLog, leaf: u64, size: u64) -> std::path::PathBuf {
    let t = tiles::tiles_at_level(0, size)
        .find(|t| t.index() == leaf >> tiles::TILE_HEIGHT)
        .unwrap();
    let b = EntryBundleId::new(t.index(), t.width()).unwrap();
    l.log_dir().join("public").join(b.path())
}

/// Rewrite entry `leaf` of its bundle (in the tree of `size`) with `f(entry)`.
fn rewrite_entry(l: &RetentionLog, leaf: u64, size: u64, f: impl FnOnce(&[u8]) -> Vec<u8>) {
    let path = bundle_path(l, leaf, size);
    let data = std::fs::read(&path).unwrap();
    let mut entries: Vec<Vec<u8>> = tiles::decode_entry_bundle(&data)
        .unwrap()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    let k = (leaf % u64::from(tiles::TILE_WIDTH)) as usize;
    entries[k] = f(&entries[k]);
    std::fs::write(&path, tiles::encode_entry_bundle(&entries).unwrap()).unwrap();
}

#[test]
fn since_does_not_judge_retention_on_an_old_bundle_that_differs_from_the_verified_tree() {
    let mut l = RetentionLog::new();
    let old = l.access("2026-03-01T10:00:00Z");
    l.checkpoint("2026-03-01T12:00:00Z");
    l.write_trust(None);
    let state = l.root().join("auditor");
    let state_arg = state.to_str().unwrap();
    // The full run sees the record kept too long (due 03-02 10:00, grace 1d).
    let o = l.verify(AT, &["--state", state_arg, "--json"]);
    let (_, codes) = report(&o);
    assert_eq!(o.status.code(), Some(1), "{codes:?}");
    assert!(
        codes.contains(&("retention-kept-too-long".into(), Some(old))),
        "{codes:?}"
    );
    // More records, a new checkpoint; then the operator (with the producer's key, so even
    // the signature holds) moves the old record's time forward in its bundle only.
    let new = l.access("2026-03-04T22:00:00Z");
    l.checkpoint("2026-03-04T23:00:00Z");
    let size = new + 1;
    rewrite_entry(&l, old, size, |e| {
        resign(e, |p| p.occurred_at = t("2026-03-04T20:00:00Z"))
    });
    let o = l.verify(AT, &["--since", "--state", state_arg, "--json"]);
    let (v, codes) = report(&o);
    assert_eq!(v["provenance"]["incremental_from"], old + 1);
    assert_eq!(o.status.code(), Some(1), "{codes:?}");
    assert!(
        !codes.iter().any(|(c, _)| c == "retention-kept-too-long"),
        "{codes:?}"
    );
    let mismatch: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "tree-bundle-mismatch")
        .collect();
    assert_eq!(mismatch.len(), 1, "{codes:?}");
    assert_eq!(mismatch[0]["check"], 2);
    assert_eq!(mismatch[0]["verdict"], "violated");
    assert_eq!(mismatch[0]["leaf"], old);
    assert!(
        codes.contains(&("retention-entries-unauthenticated".into(), Some(0))),
        "{codes:?}"
    );
    assert_eq!(v["checks"][1]["verdict"], "violated");
    assert_eq!(v["checks"][6]["verdict"], "cannot-be-determined");
    assert_eq!(v["checks"][6]["determined"], false);
    assert!(
        v["checks"][6]["incomplete"]
            .as_str()
            .unwrap()
            .contains("tree-bundle-mismatch"),
        "{v:#}"
    );
    // A full run from a fresh state catches the rewrite too.
    let fresh = l.root().join("fresh");
    let o = l.verify(AT, &["--state", fresh.to_str().unwrap(), "--json"]);
    let (_, codes) = report(&o);
    assert_eq!(o.status.code(), Some(1), "{codes:?}");
    assert!(
        codes.iter().any(|(c, _)| c == "tree-root-mismatch"),
        "{codes:?}"
    );
}

#[test]
fn an_unaltered_log_gives_since_the_same_retention_verdict_as_a_full_run() {
    let mut l = RetentionLog::new();
    let old = l.access("2026-03-01T10:00:00Z");
    l.checkpoint("2026-03-01T12:00:00Z");
    l.write_trust(None);
    let state = l.root().join("auditor");
    let state_arg = state.to_str().unwrap();
    assert_eq!(l.verify(AT, &["--state", state_arg]).status.code(), Some(1));
    l.access("2026-03-04T22:00:00Z");
    l.checkpoint("2026-03-04T23:00:00Z");
    let o = l.verify(AT, &["--since", "--state", state_arg, "--json"]);
    let (v, codes) = report(&o);
    assert_eq!(o.status.code(), Some(1), "{codes:?}");
    assert_eq!(
        codes,
        [("retention-kept-too-long".to_string(), Some(old))],
        "{v:#}"
    );
    assert_eq!(v["checks"][6]["determined"], true);
    // Check 7 resumed from the state the first run stored, reading only the new leaf.
    let resumed = v["retention"]["resumed"].as_str().unwrap();
    assert!(
        resumed.starts_with(&format!("resumed at leaf {}: ", old + 1)),
        "{resumed}"
    );
}

#[test]
fn since_leaves_check_7_not_run_when_old_tiles_were_rewritten_with_their_bundle() {
    let mut l = RetentionLog::new();
    let old = l.access("2026-03-01T10:00:00Z");
    l.checkpoint("2026-03-01T12:00:00Z");
    // More than a full tile of later records, so that `old` lies in a full tile the
    // resumed tree check never reads again.
    for _ in 0..300 {
        l.access("2026-03-04T22:00:00Z");
    }
    l.checkpoint("2026-03-04T23:00:00Z");
    l.write_trust(None);
    let state = l.root().join("auditor");
    let state_arg = state.to_str().unwrap();
    assert_eq!(l.verify(AT, &["--state", state_arg]).status.code(), Some(1));
    let last = l.access("2026-03-04T23:10:00Z");
    l.checkpoint("2026-03-04T23:30:00Z");
    let size = last + 1;
    // The operator rewrites the old record, its bundle and its level-0 tile consistently.
    let mut new_hash = None;
    rewrite_entry(&l, old, size, |e| {
        let e = resign(e, |p| p.occurred_at = t("2026-03-04T20:00:00Z"));
        new_hash = Some(logseal::tree::TreeHashAlg::Sha256.leaf(&e));
        e
    });
    let tile = tiles::tiles_at_level(0, size)
        .find(|t| t.index() == old >> tiles::TILE_HEIGHT)
        .unwrap();
    let tile_path = l.log_dir().join("public").join(tile.path());
    let mut data = std::fs::read(&tile_path).unwrap();
    let k = (old % 256) as usize * 32;
    data[k..k + 32].copy_from_slice(&new_hash.unwrap());
    std::fs::write(&tile_path, data).unwrap();
    let o = l.verify(AT, &["--since", "--state", state_arg, "--json"]);
    let (v, codes) = report(&o);
    assert_eq!(o.status.code(), Some(1), "{codes:?}");
    assert!(
        !codes.iter().any(|(c, _)| c == "retention-kept-too-long"),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("tree-reread-root-mismatch".into(), None)),
        "{codes:?}"
    );
    assert_eq!(v["checks"][6]["verdict"], serde_json::Value::Null);
    assert!(
        v["checks"][6]["not_run"]
            .as_str()
            .unwrap()
            .contains("run a full verification"),
        "{v:#}"
    );
}
