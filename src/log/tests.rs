use super::fixtures::{Fixture, ORIGIN, chain};
use super::*;
use crate::crypto::SecretKey;
use crate::record::types::Hash32;
use crate::tree::Hash;
use crate::{checkpoint, tiles};

#[test]
fn append_in_batches_matches_reference_tree_and_proofs_verify() {
    let (f, mut log) = Fixture::new();
    let mut all: Vec<Vec<u8>> = vec![log.reader().entry(0, 1).unwrap()];
    let mut prev = Hash32([0; 32]);
    let mut seq = 0;
    for n in [1u64, 7, 255, 1, 300, 2, 30] {
        let (items, p) = chain(&f, seq, prev, n);
        let receipts = log.append(&items).unwrap();
        assert_eq!(receipts.len() as u64, n);
        assert_eq!(receipts[0].leaf_index, all.len() as u64);
        all.extend(items.into_iter().map(|i| i.record));
        prev = p;
        seq += n;
        let leaves: Vec<Hash> = all.iter().map(|r| TreeHashAlg::Sha256.leaf(r)).collect();
        let expected = TreeHashAlg::Sha256.root_from_leaves(&leaves);
        assert_eq!(log.state().root.0, expected, "after {} records", all.len());
        assert_eq!(log.reader().root(log.size()).unwrap(), expected);
    }
    let size = log.size();
    let note = log.checkpoint(1_772_358_000).unwrap();
    let v = checkpoint::open_checkpoint::<&str>(&note, ORIGIN, log.log_verifier(), &[], 0).unwrap();
    assert_eq!(v.checkpoint.size, size);
    let r = log.reader();
    for i in [0, 1, 255, 256, 300, size - 1] {
        let proof = r.inclusion_proof(size, i).unwrap();
        let lh = r.leaf_hash(i, size).unwrap();
        TreeHashAlg::Sha256
            .verify_inclusion(i, size, &lh, &proof, &v.checkpoint.root)
            .unwrap();
    }
    for old in [1, 2, 9, 264, 265, 565] {
        let proof = r.consistency_proof(old, size).unwrap();
        let old_root = TreeHashAlg::Sha256.root_from_leaves(
            &all[..old as usize]
                .iter()
                .map(|e| TreeHashAlg::Sha256.leaf(e))
                .collect::<Vec<_>>(),
        );
        TreeHashAlg::Sha256
            .verify_consistency(old, size, &old_root, &v.checkpoint.root, &proof)
            .unwrap();
    }
    // Entries read back in order.
    let mut n = 0;
    r.for_each_entry(size, 0, size, |i, e| {
        assert_eq!(e, &all[i as usize][..]);
        n += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(n, size);
    // Disclosures are kept in the private part.
    assert_eq!(log.disclosures(1).unwrap().len(), 1);
    assert!(log.disclosures(0).unwrap().is_empty());
}

#[test]
fn reopen_continues_and_superseded_partials_are_removed() {
    let (f, mut log) = Fixture::new();
    let (items, prev) = chain(&f, 0, Hash32([0; 32]), 10);
    log.append(&items).unwrap();
    drop(log);
    let mut log = Log::open(&f.path()).unwrap();
    assert_eq!(log.size(), 11);
    log.checkpoint(1_000).unwrap();
    let (items, prev) = chain(&f, 10, prev, 5);
    log.append(&items).unwrap();
    let public = log.public_store().list("").unwrap();
    // The partials of the checkpointed size 11 are kept for readers; 16's exist.
    assert!(
        public.contains(&"tile/0/000.p/11".to_string()),
        "{public:?}"
    );
    assert!(
        public.contains(&"tile/0/000.p/16".to_string()),
        "{public:?}"
    );
    let (items, _) = chain(&f, 15, prev, 3);
    log.append(&items).unwrap();
    let public = log.public_store().list("").unwrap();
    // Size 16 was never checkpointed: its partials are gone once superseded.
    assert!(
        public.contains(&"tile/0/000.p/11".to_string()),
        "{public:?}"
    );
    assert!(
        !public.contains(&"tile/0/000.p/16".to_string()),
        "{public:?}"
    );
    assert!(
        !public.contains(&"tile/entries/000.p/16".to_string()),
        "{public:?}"
    );
    assert!(
        public.contains(&"tile/0/000.p/19".to_string()),
        "{public:?}"
    );
    assert_eq!(log.reader().root(11).unwrap().len(), 32);
}

#[test]
fn second_sequencer_refused_readers_allowed() {
    let (f, log) = Fixture::new();
    let e = Log::open(&f.path()).unwrap_err();
    assert!(
        matches!(e, LogError::Store(StoreError::Locked { .. })),
        "{e}"
    );
    let ro = Log::open_read_only(&f.path()).unwrap();
    assert_eq!(ro.size(), log.size());
    let mut ro = ro;
    assert!(matches!(ro.append(&[]), Err(LogError::ReadOnly)));
    assert!(matches!(ro.checkpoint(0), Err(LogError::ReadOnly)));
}

#[test]
fn init_refuses_non_empty_dir_and_mismatched_origin() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x"), b"").unwrap();
    let key = Ed25519NoteKey::new(ORIGIN, SecretKey::from_seed(&[3; 32])).unwrap();
    let ra = Ed25519NoteVerifier::new("ra", SecretKey::from_seed(&[1; 32]).public_key())
        .unwrap()
        .to_vkey();
    assert!(matches!(
        Log::init(dir.path(), &key, &ra, TreeHashAlg::Sha256, 0),
        Err(LogError::NotEmpty { .. })
    ));
    let empty = dir.path().join("new");
    assert!(matches!(
        Log::init(&empty, &key, &ra, TreeHashAlg::Blake3, 0),
        Err(LogError::Config { .. })
    ));
    let bkey = Ed25519NoteKey::new("log.example/b/blake3", SecretKey::from_seed(&[3; 32])).unwrap();
    let log = Log::init(&empty, &bkey, &ra, TreeHashAlg::Blake3, 0).unwrap();
    assert_eq!(log.alg(), TreeHashAlg::Blake3);
}

#[test]
fn open_removes_the_leftovers_of_a_batch_that_never_committed() {
    let (f, mut log) = Fixture::new();
    let (items, prev) = chain(&f, 0, Hash32([0; 32]), 10);
    log.append(&items).unwrap();
    let size = log.size();
    // A writer announced size..size+5, wrote a bundle, a partial tile and the disclosures
    // (personal data), then died before swapping the state.
    let new = size + 5;
    log.private
        .put(INTENT_KEY, &crate::cbor::to_vec(&(size, new)))
        .unwrap();
    let tile = tiles::TileId::new(0, 0, new as u16).unwrap().path();
    let (bundle, _) = tiles::entry_bundle_for_leaf(new - 1, new).unwrap();
    log.public.put(&tile, &vec![7; 32 * new as usize]).unwrap();
    log.public.put(&bundle.path(), b"leftover").unwrap();
    let leftover = vault::ObjectName {
        group: "-~2026-03-01".into(),
        gen_: 1,
        first: size,
        end: new,
    }
    .path();
    log.private
        .put(&leftover, b"someone's personal data")
        .unwrap();
    drop(log);

    let mut log = Log::open(&f.path()).unwrap();
    assert_eq!(log.size(), size);
    let public = log.public_store().list("").unwrap();
    assert!(!public.contains(&tile), "{public:?}");
    assert!(!public.contains(&bundle.path()), "{public:?}");
    assert!(log.private.get(&leftover).unwrap().is_none());
    assert!(log.private.get(INTENT_KEY).unwrap().is_none());
    // The durable size's own partial tile is still there, and the log continues.
    let own = tiles::TileId::new(0, 0, size as u16).unwrap().path();
    assert!(public.contains(&own), "{public:?}");
    let (items, _) = chain(&f, 10, prev, 3);
    log.append(&items).unwrap();
    assert_eq!(log.reader().root(log.size()).unwrap(), log.state().root.0);
    assert_eq!(log.disclosures(size).unwrap().len(), 1);
}

#[test]
fn open_keeps_the_tiles_of_a_published_checkpoint_it_did_not_record() {
    let (f, mut log) = Fixture::new();
    let (items, prev) = chain(&f, 0, Hash32([0; 32]), 10);
    log.append(&items).unwrap();
    log.checkpoint(1_772_400_000).unwrap();
    let size = log.size();
    // As left by a writer that published a checkpoint and died before recording its size.
    let mut state = log.state().clone();
    state.checkpoint_sizes.retain(|s| *s != size);
    log.swap_state(state).unwrap();
    drop(log);
    let mut log = Log::open(&f.path()).unwrap();
    assert!(log.state().checkpoint_sizes.contains(&size));
    let (items, _) = chain(&f, 10, prev, 3);
    log.append(&items).unwrap();
    // Readers of the published checkpoint can still read its tree.
    assert_eq!(log.reader().root(size).unwrap().len(), 32);
    assert!(log.reader().inclusion_proof(size, 3).is_ok());
}

/// Append `n` chained records and return the new `(seq, prev)`.
fn grow(f: &Fixture, log: &mut Log, at: (u64, Hash32), n: u64) -> (u64, Hash32) {
    let (items, prev) = chain(f, at.0, at.1, n);
    log.append(&items).unwrap();
    (at.0 + n, prev)
}

/// The root the published history states for `size`.
fn published_root(log: &Log, size: u64) -> Hash {
    let note = log.reader().published_checkpoint(size).unwrap().unwrap();
    checkpoint::open_checkpoint::<&str>(&note, ORIGIN, log.log_verifier(), &[], 0)
        .unwrap()
        .checkpoint
        .root
}

#[test]
fn partials_of_checkpointed_sizes_stay_until_their_full_tile_exists() {
    let (f, mut log) = Fixture::new();
    let mut at = (0, Hash32([0; 32]));
    // Checkpoints at 11, 100, 200 and 220 (more than the state's last two), none at 150.
    for (n, cp) in [(10, true), (89, true), (50, false), (50, true), (20, true)] {
        at = grow(&f, &mut log, at, n);
        if cp {
            log.checkpoint(1_772_400_000 + log.size()).unwrap();
        }
    }
    let public = log.public_store().list("").unwrap();
    for s in [11, 100, 200, 220] {
        for p in [
            format!("tile/0/000.p/{s}"),
            format!("tile/entries/000.p/{s}"),
        ] {
            assert!(public.contains(&p), "{p} kept: {public:?}");
        }
        assert!(public.contains(&history::key(s)), "{s}: {public:?}");
    }
    // Never checkpointed: 1 (the fixture's registration) and 150.
    for s in [1, 150] {
        assert!(!public.contains(&format!("tile/0/000.p/{s}")), "{public:?}");
        assert!(
            !public.contains(&format!("tile/entries/000.p/{s}")),
            "{public:?}"
        );
        assert!(!public.contains(&history::key(s)), "{public:?}");
    }
    let entry_5 = log.reader().entry(5, 11).unwrap();
    // Crossing 256: the level-0 partials of tile 0 may go, their full tile serves them;
    // those of the state's last two checkpoints (200, 220) stay.
    at = grow(&f, &mut log, at, 100);
    log.checkpoint(1_772_500_000).unwrap();
    let public = log.public_store().list("").unwrap();
    assert!(public.contains(&"tile/0/000".to_string()), "{public:?}");
    for s in [11, 100] {
        for p in [
            format!("tile/0/000.p/{s}"),
            format!("tile/entries/000.p/{s}"),
        ] {
            assert!(!public.contains(&p), "{p} deleted: {public:?}");
        }
    }
    for p in [
        "tile/0/000.p/200",
        "tile/0/000.p/220",
        "tile/0/001.p/64",
        "tile/1/000.p/1",
    ] {
        assert!(public.contains(&p.to_string()), "{p}: {public:?}");
    }
    // Every earlier checkpoint still proves, from the full tile's prefix.
    let r = log.reader();
    assert_eq!(r.entry(5, 11).unwrap(), entry_5);
    for s in [11, 100, 200, 220, 320] {
        let root = published_root(&log, s);
        assert_eq!(r.root(s).unwrap(), root, "size {s}");
        let i = s / 2;
        let proof = r.inclusion_proof(s, i).unwrap();
        TreeHashAlg::Sha256
            .verify_inclusion(i, s, &r.leaf_hash(i, s).unwrap(), &proof, &root)
            .unwrap();
        let proof = r.consistency_proof(s, 320).unwrap();
        TreeHashAlg::Sha256
            .verify_consistency(s, 320, &root, &published_root(&log, 320), &proof)
            .unwrap();
    }
    drop(r);
    // A level-1 partial of a checkpointed size lives until its full tile (65,536 leaves);
    // the level-0 partial of 320 goes once tile 1 is full and two later checkpoints exist.
    at = grow(&f, &mut log, at, 10);
    log.checkpoint(1_772_500_100).unwrap();
    at = grow(&f, &mut log, at, 10);
    log.checkpoint(1_772_500_200).unwrap();
    grow(&f, &mut log, at, 200);
    let public = log.public_store().list("").unwrap();
    for p in ["tile/1/000.p/1", "tile/1/000.p/2", "tile/0/001.p/84"] {
        assert!(public.contains(&p.to_string()), "{p}: {public:?}");
    }
    assert!(
        !public.contains(&"tile/0/001.p/64".to_string()),
        "{public:?}"
    );
    assert!(log.reader().inclusion_proof(320, 300).is_ok());
}

#[test]
fn the_latest_checkpoint_verifies_when_a_later_batch_completes_its_tile() {
    let (f, mut log) = Fixture::new();
    let at = grow(&f, &mut log, (0, Hash32([0; 32])), 199);
    log.checkpoint(1_772_400_000).unwrap();
    // Not yet checkpointed: the full tile exists, the verifier reads the partials of 200.
    grow(&f, &mut log, at, 100);
    let public = log.public_store().list("").unwrap();
    assert!(public.contains(&"tile/0/000".to_string()), "{public:?}");
    assert!(
        public.contains(&"tile/0/000.p/200".to_string()),
        "{public:?}"
    );
    assert_eq!(tree_violations(&log), Vec::<&str>::new());
}

#[test]
fn a_partial_that_is_not_a_prefix_of_its_full_tile_is_corrupt() {
    let (f, mut log) = Fixture::new();
    let at = grow(&f, &mut log, (0, Hash32([0; 32])), 10);
    log.checkpoint(1_772_400_000).unwrap();
    grow(&f, &mut log, at, 300);
    // A leftover partial (a crash before its deletion), altered.
    let full = log.public.get("tile/0/000").unwrap().unwrap();
    let mut bad = full[..11 * 32].to_vec();
    bad[40] ^= 1;
    log.public.put("tile/0/000.p/11", &bad).unwrap();
    let e = log.reader().tile(tiles::TileId::new(0, 0, 11).unwrap());
    assert!(
        matches!(&e, Err(ReadError::Corrupt { path, .. }) if path == "tile/0/000.p/11"),
        "{e:?}"
    );
    // Unaltered, it is read as it is.
    log.public.put("tile/0/000.p/11", &full[..11 * 32]).unwrap();
    let t = log.reader().tile(tiles::TileId::new(0, 0, 11).unwrap());
    assert_eq!(t.unwrap(), full[..11 * 32]);
}

#[test]
fn the_history_keeps_the_first_checkpoint_of_a_size_and_refuses_another_tree() {
    let (f, mut log) = Fixture::new();
    grow(&f, &mut log, (0, Hash32([0; 32])), 10);
    let first = log.checkpoint(1_772_400_000).unwrap();
    let again = log.checkpoint(1_772_400_060).unwrap();
    assert_ne!(first, again);
    assert_eq!(log.checkpoint_at(11).unwrap().unwrap(), first);
    assert_eq!(log.reader().checkpoint().unwrap().unwrap(), again);
    assert_eq!(log.reader().published_sizes().unwrap(), vec![0, 11]);
    // A history entry of size 11 with another root (a fork) is never joined by a second.
    let key = log.private.get(LOG_KEY_KEY).unwrap().unwrap();
    let key = Ed25519NoteKey::from_skey(std::str::from_utf8(&key).unwrap().trim()).unwrap();
    let other = checkpoint::Checkpoint::new(ORIGIN, 11, [9; 32]).unwrap();
    let forged = checkpoint::sign_checkpoint(&other, key.secret_key(), ORIGIN, 1).unwrap();
    log.public.delete(&history::key(11)).unwrap();
    log.public.put(&history::key(11), &forged).unwrap();
    let e = log.checkpoint(1_772_400_120).unwrap_err();
    assert!(
        matches!(
            e,
            LogError::History(history::HistoryError::Conflict { size: 11, .. })
        ),
        "{e}"
    );
    assert_eq!(log.reader().checkpoint().unwrap().unwrap(), again);
}

#[test]
fn a_crash_between_the_history_and_the_latest_checkpoint_leaves_a_log_that_verifies() {
    let (f, mut log) = Fixture::new();
    let at = grow(&f, &mut log, (0, Hash32([0; 32])), 10);
    log.checkpoint(1_772_400_000).unwrap();
    let at = grow(&f, &mut log, at, 20);
    CRASH_AT.with(|c| c.set(5));
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = log.checkpoint(1_772_400_100);
    }));
    CRASH_AT.with(|c| c.set(0));
    assert!(crashed.is_err(), "no crash");
    drop(log);
    let mut log = Log::open(&f.path()).unwrap();
    // The history is one ahead of the latest checkpoint.
    assert_eq!(log.reader().published_sizes().unwrap(), vec![0, 11, 31]);
    let latest = log.reader().checkpoint().unwrap().unwrap();
    let latest = checkpoint::open_checkpoint::<&str>(&latest, ORIGIN, log.log_verifier(), &[], 0)
        .unwrap()
        .checkpoint;
    assert_eq!(latest.size, 11);
    // It verifies, and so does every history entry's tree; the log continues.
    let verified = tree_violations;
    assert_eq!(verified(&log), Vec::<&str>::new());
    for s in [11, 31] {
        assert_eq!(log.reader().root(s).unwrap(), published_root(&log, s));
    }
    grow(&f, &mut log, at, 5);
    log.checkpoint(1_772_400_200).unwrap();
    assert_eq!(log.reader().published_sizes().unwrap(), vec![0, 11, 31, 36]);
    assert!(log.reader().inclusion_proof(31, 30).is_ok());
    assert_eq!(verified(&log), Vec::<&str>::new());
}

/// The violations of checks 1 and 2 a full verification of the fixture's log finds.
fn tree_violations(log: &Log) -> Vec<&'static str> {
    let o = crate::verify::verify(
        log.public_store(),
        &fixture_trust(log),
        &crate::verify::AuditorState::new(ORIGIN),
        &crate::verify::Options {
            at_secs: 1_772_500_000,
            incremental: false,
        },
        &crate::verify::NoProgress,
    )
    .unwrap();
    use crate::verify::report::{Check, Verdict};
    o.report
        .findings
        .iter()
        .filter(|f| f.verdict == Verdict::Violated)
        .filter(|f| matches!(f.check, Check::Checkpoints | Check::Tree))
        .map(|f| f.code)
        .collect()
}

/// A trust file for the fixture's log.
fn fixture_trust(log: &Log) -> crate::verify::Trust {
    crate::verify::Trust::new(crate::verify::TrustFile {
        format: 1,
        origin: ORIGIN.into(),
        tree_hash: "sha256".into(),
        log_key: log.config().log_key.clone(),
        registration_authority: log.config().authority_key.clone(),
        authorisation_registry: "authorisation-registry".into(),
        authorisation_required: Vec::new(),
        witnesses: Vec::new(),
        witness_quorum: 0,
        witnessed_after_size: None,
        max_logging_delay_secs: 86_400,
        max_logging_delay_overrides: Default::default(),
        retention_policy_authority: None,
        obligation_policy_authority: None,
        log_key_history: Vec::new(),
        registration_authority_history: Vec::new(),
    })
    .unwrap()
}

#[test]
fn a_level_1_partial_shared_with_an_uncheckpointed_size_is_kept() {
    let (f, mut log) = Fixture::new();
    let mut at = grow(&f, &mut log, (0, Hash32([0; 32])), 299);
    log.checkpoint(1_772_400_000).unwrap();
    // 310 is never checkpointed, but its level-1 partial is 300's too.
    at = grow(&f, &mut log, at, 10);
    grow(&f, &mut log, at, 290);
    let public = log.public_store().list("").unwrap();
    assert!(public.contains(&"tile/1/000.p/1".to_string()), "{public:?}");
    assert!(
        !public.contains(&"tile/0/001.p/54".to_string()),
        "{public:?}"
    );
    let root = published_root(&log, 300);
    let r = log.reader();
    assert_eq!(r.root(300).unwrap(), root);
    let proof = r.consistency_proof(300, 600).unwrap();
    TreeHashAlg::Sha256
        .verify_consistency(300, 600, &root, &log.state().root.0, &proof)
        .unwrap();
    let proof = r.inclusion_proof(300, 10).unwrap();
    TreeHashAlg::Sha256
        .verify_inclusion(10, 300, &r.leaf_hash(10, 300).unwrap(), &proof, &root)
        .unwrap();
}
