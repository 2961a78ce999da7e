//! Erasure (crypto-shredding) of disclosures: what stays readable, what no copy can open,
//! refusals that leave the log untouched, and crashes at every step.

use super::fixtures::{Fixture, ORIGIN, chain, envelope, search_access};
use super::*;
use std::collections::BTreeMap;

use crate::crypto::SecretKey;
use crate::record::Disclosure;
use crate::record::RecordBuilder;
use crate::record::kinds::retention_deletion::{DeletionMethod, RangeType};
use crate::record::kinds::retention_deletion::{RetentionDeletion, Target};
use crate::record::kinds::{Body, Kind};
use crate::record::sealed::FieldPath;
use crate::record::text::Ident;
use crate::record::types::Hash32;
use crate::record::types::Timestamp;

const SWEEP_SEED: [u8; 32] = [9; 32];

/// A log with the fixture's registration at leaf 0, a sweep key registered at leaf 1, and
/// 10 + 5 data-access records (leaves 2..17, seq 0..15; `officer-<seq % 20>` sealed).
fn setup() -> (Fixture, Log) {
    let (mut f, mut log) = Fixture::new();
    let sweep = SecretKey::from_seed(&SWEEP_SEED);
    let reg = f.registration(
        sweep.public_key(),
        vec![Kind::RetentionDeletion],
        "retention-sweep",
    );
    log.append(&[reg]).unwrap();
    let (a, prev) = chain(&f, 0, Hash32([0; 32]), 10);
    log.append(&a).unwrap();
    let (b, _) = chain(&f, 10, prev, 5);
    log.append(&b).unwrap();
    (f, log)
}

/// The deletion records describing `plan`: one per group, naming each erased leaf.
fn records_for(log: &Log, plan: &ErasurePlan) -> Vec<AppendItem> {
    records_naming(log, plan, &[])
}

/// [`records_for`] with the targets naming `fields` (empty: every field).
fn records_naming(log: &Log, plan: &ErasurePlan, fields: &[&str]) -> Vec<AppendItem> {
    let sweep = SecretKey::from_seed(&SWEEP_SEED);
    let producer = ProducerId::new("retention-sweep").unwrap();
    let (mut seq, mut prev) = log
        .state()
        .producer(&producer)
        .map_or((0, Hash32([0; 32])), |h| (h.next_seq, h.head));
    let mut out = Vec::new();
    for g in &plan.groups {
        let body = Body::RetentionDeletion(RetentionDeletion {
            targets: g
                .erased
                .keys()
                .map(|l| Target {
                    range: RangeType::Leaf,
                    producer: None,
                    first: *l,
                    last: *l,
                    fields: fields.iter().map(|f| Ident::new(*f).unwrap()).collect(),
                })
                .collect(),
            rule: Ident::new("test-cap@1").unwrap(),
            due_at: Timestamp(1_772_400_000_000),
            executed_at: Timestamp(1_772_400_000_000),
            method: DeletionMethod::CryptoShred,
            shredded_key_id: Some(g.key_id),
            executor: Ident::new("retention-sweep").unwrap(),
            holds_checked: true,
            exception_ground: None,
            item_count: g.erased_count(),
        });
        let s = RecordBuilder::new(envelope("retention-sweep", seq, prev, body))
            .sign(&sweep, ORIGIN)
            .unwrap();
        seq += 1;
        prev = Hash32(TreeHashAlg::Sha256.leaf(&s.bytes));
        out.push(AppendItem {
            record: s.bytes,
            disclosures: vec![],
        });
    }
    out
}

fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn value(log: &Log, leaf: u64) -> Option<String> {
    log.disclosures(leaf)
        .unwrap()
        .first()
        .map(|d| format!("{:?}", d.value))
}

fn requests(leaves: &[u64]) -> Vec<EraseRequest> {
    leaves
        .iter()
        .map(|l| EraseRequest {
            leaf: *l,
            fields: vec![],
        })
        .collect()
}

#[test]
fn disclosures_are_sealed_at_rest() {
    let (f, log) = setup();
    assert!(value(&log, 5).unwrap().contains("officer-3"));
    for (path, bytes) in all_files(&f.path()) {
        assert!(
            !contains(&bytes, b"officer-"),
            "{} holds a value",
            path.display()
        );
    }
}

#[test]
fn erasure_destroys_the_key_keeps_the_rest_and_no_copy_opens() {
    let (f, mut log) = setup();
    let backup = tempfile::tempdir().unwrap();
    let before = all_files(&f.path().join("private").join("disclosures"));
    let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
    assert_eq!(plan.groups.len(), 1);
    let g = &plan.groups[0];
    assert_eq!(g.erased.keys().copied().collect::<Vec<_>>(), vec![5, 14]);
    assert_eq!((g.erased_count(), g.kept), (2, 13));
    let old_key = f
        .path()
        .join("private")
        .join(vault::key_path(&g.group, g.gen_));
    assert!(old_key.is_file());
    let records = records_for(&log, &plan);
    let receipts = log.erase(&plan, &records).unwrap();
    assert_eq!(receipts[0].leaf_index, 17);
    assert_eq!(log.size(), 18);
    assert!(!old_key.exists());
    // Erased leaves read nothing, the others still read their own value.
    assert_eq!(log.disclosures(5).unwrap(), vec![]);
    assert_eq!(log.disclosures(14).unwrap(), vec![]);
    for (leaf, seq) in [(2u64, 0u64), (6, 4), (16, 14)] {
        assert!(
            value(&log, leaf)
                .unwrap()
                .contains(&format!("officer-{seq}\"")),
            "leaf {leaf}"
        );
    }
    // Reopened, the same.
    drop(log);
    let log = Log::open(&f.path()).unwrap();
    assert_eq!(log.disclosures(5).unwrap(), vec![]);
    assert!(value(&log, 6).is_some());
    // A backup of the ciphertext taken before the sweep, restored into the log: unreadable.
    for (path, bytes) in &before {
        let rel = path
            .strip_prefix(f.path().join("private").join("disclosures"))
            .unwrap();
        let to = backup.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, bytes).unwrap();
        let back = f.path().join("private").join("disclosures").join(rel);
        std::fs::create_dir_all(back.parent().unwrap()).unwrap();
        std::fs::write(&back, bytes).unwrap();
    }
    drop(log);
    let log = Log::open(&f.path()).unwrap();
    assert_eq!(log.disclosures(5).unwrap(), vec![]);
    assert_eq!(log.disclosures(14).unwrap(), vec![]);
    // No key the log still has opens any backed-up object.
    let keys: Vec<vault::DataKey> = log
        .private
        .list(vault::KEYS_PREFIX)
        .unwrap()
        .iter()
        .map(|k| vault::DataKey::from_bytes(&log.private.get(k).unwrap().unwrap()).unwrap())
        .collect();
    assert!(!keys.is_empty());
    for (path, bytes) in &before {
        let key = format!(
            "disclosures/{}",
            path.strip_prefix(f.path().join("private").join("disclosures"))
                .unwrap()
                .display()
        );
        let name = vault::ObjectName::parse(&key).unwrap();
        for k in &keys {
            assert!(vault::open(k, &name, bytes).is_err());
        }
    }
    // Nothing in the log directory holds an erased value in the clear.
    for (path, bytes) in all_files(&f.path()) {
        for v in [&b"officer-3"[..], b"officer-12"] {
            assert!(!contains(&bytes, v), "{} holds {v:?}", path.display());
        }
    }
}

#[test]
fn erasing_every_disclosure_of_a_group_leaves_no_key() {
    let (f, mut log) = setup();
    let plan = log
        .plan_erasure(&requests(&(2..17).collect::<Vec<_>>()))
        .unwrap();
    assert_eq!(plan.groups[0].kept, 0);
    let records = records_for(&log, &plan);
    log.erase(&plan, &records).unwrap();
    assert!(log.private.list(vault::KEYS_PREFIX).unwrap().is_empty());
    assert!(log.private.list(vault::OBJECTS_PREFIX).unwrap().is_empty());
    // A later record of the same group gets a new key of a new generation.
    let sweep_size = log.size();
    let (c, _) = chain(
        &f,
        15,
        log.state()
            .producer(&ProducerId::new("query-frontend").unwrap())
            .unwrap()
            .head,
        1,
    );
    log.append(&c).unwrap();
    let keys = log.private.list(vault::KEYS_PREFIX).unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(vault::parse_key_path(&keys[0]).unwrap().1, sweep_size);
    assert!(value(&log, sweep_size).is_some());
}

#[test]
fn records_that_do_not_describe_the_erasure_are_refused_and_nothing_changes() {
    let (_f, mut log) = setup();
    let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
    let narrower = log.plan_erasure(&requests(&[5])).unwrap();
    let wider = log.plan_erasure(&requests(&[5, 14, 15])).unwrap();
    let size = log.size();
    let cases: Vec<(Vec<AppendItem>, &str)> = vec![
        (vec![], "needs its retention-deletion records"),
        // Names 5 only: 14 would be erased without a record.
        (
            records_for(&log, &narrower),
            "leaf 14 field actor.user would be erased without a record",
        ),
        // Claims 15 too.
        (records_for(&log, &wider), "leaf 15 has nothing erased"),
        // Not a deletion record.
        (
            chain(
                &_f,
                15,
                log.state()
                    .producer(&ProducerId::new("query-frontend").unwrap())
                    .unwrap()
                    .head,
                1,
            )
            .0,
            "not a retention-deletion",
        ),
    ];
    for (records, want) in cases {
        let err = log.erase(&plan, &records).unwrap_err().to_string();
        assert!(err.contains(want), "{err}");
        assert_eq!(log.size(), size);
        assert!(value(&log, 5).is_some());
        assert!(log.private.get(SWEEP_KEY).unwrap().is_none());
    }
    // A stale plan.
    let (c, _) = chain(
        &_f,
        15,
        log.state()
            .producer(&ProducerId::new("query-frontend").unwrap())
            .unwrap()
            .head,
        1,
    );
    log.append(&c).unwrap();
    let records = records_for(&log, &plan);
    let err = log.erase(&plan, &records).unwrap_err().to_string();
    assert!(err.contains("plan again"), "{err}");
    // Nothing readable to erase.
    let err = log.plan_erasure(&requests(&[0])).unwrap_err().to_string();
    assert!(err.contains("leaf 0: no readable disclosures"), "{err}");
}

#[test]
fn a_crash_at_any_step_leaves_the_old_state_or_the_new() {
    for step in 1..=4u8 {
        let (f, mut log) = setup();
        let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
        let records = records_for(&log, &plan);
        let size = log.size();
        CRASH_AT.with(|c| c.set(step));
        let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = log.erase(&plan, &records);
        }));
        CRASH_AT.with(|c| c.set(0));
        assert!(crashed.is_err(), "step {step}: no crash");
        drop(log);
        let log = Log::open(&f.path()).unwrap();
        assert!(log.private.get(SWEEP_KEY).unwrap().is_none());
        let keys = log.private.list(vault::KEYS_PREFIX).unwrap();
        assert_eq!(keys.len(), 1, "step {step}: {keys:?}");
        if step <= 2 {
            // Old state: nothing erased, no record.
            assert_eq!(log.size(), size, "step {step}");
            assert!(value(&log, 5).is_some(), "step {step}");
            assert!(value(&log, 14).is_some(), "step {step}");
        } else {
            // New state: erased and recorded, the old key and ciphertext gone.
            assert_eq!(log.size(), size + 1, "step {step}");
            assert_eq!(log.disclosures(5).unwrap(), vec![], "step {step}");
            assert_eq!(log.disclosures(14).unwrap(), vec![], "step {step}");
            assert_eq!(vault::parse_key_path(&keys[0]).unwrap().1, size);
            for o in log.private.list(vault::OBJECTS_PREFIX).unwrap() {
                assert_eq!(vault::ObjectName::parse(&o).unwrap().gen_, size, "{o}");
            }
        }
        for leaf in [2u64, 6, 16] {
            assert!(value(&log, leaf).is_some(), "step {step} leaf {leaf}");
        }
    }
}

/// The next records of the fixture's producer (seq continuing its chain).
fn more(f: &Fixture, log: &Log, n: u64) -> Vec<AppendItem> {
    let head = log
        .state()
        .producer(&ProducerId::new("query-frontend").unwrap())
        .unwrap();
    chain(f, head.next_seq, head.head, n).0
}

/// Every file under `dir`, by path relative to it.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    all_files(dir)
        .into_iter()
        .map(|(p, b)| (p.strip_prefix(dir).unwrap().to_path_buf(), b))
        .collect()
}

fn restore(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) {
    for (rel, bytes) in files {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, bytes).unwrap();
    }
}

/// Run `log.erase` with the test crash point `step` set; it must panic.
fn crash_erase(log: &mut Log, plan: &ErasurePlan, records: &[AppendItem], step: u8) {
    CRASH_AT.with(|c| c.set(step));
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = log.erase(plan, records);
    }));
    CRASH_AT.with(|c| c.set(0));
    assert!(crashed.is_err(), "no crash at step {step}");
}

/// The first sealed object of the log, its key and its bytes.
fn first_object(log: &Log) -> (vault::ObjectName, vault::DataKey, Vec<u8>) {
    let key = log.private.list(vault::OBJECTS_PREFIX).unwrap()[0].clone();
    let name = vault::ObjectName::parse(&key).unwrap();
    let data_key = log.read_key(&name.group, name.gen_).unwrap();
    let bytes = log.private.get(&key).unwrap().unwrap();
    (name, data_key, bytes)
}

#[test]
fn recovery_undoes_an_erasure_whose_records_the_log_does_not_hold_at_its_leaves() {
    let (f, mut log) = setup();
    let size = log.size();
    let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
    let records = records_for(&log, &plan);
    // Crash after re-sealing, before the commit; keep what the erasure had written.
    crash_erase(&mut log, &plan, &records, 2);
    drop(log);
    let private = f.path().join("private");
    let mut left = snapshot(&private);
    left.retain(|p, _| {
        p == Path::new(SWEEP_KEY)
            || p.starts_with(vault::KEYS_PREFIX)
            || p.starts_with(vault::OBJECTS_PREFIX)
    });
    assert!(left.contains_key(Path::new(SWEEP_KEY)));
    assert!(left.contains_key(&PathBuf::from(vault::key_path(&plan.groups[0].group, size))));
    // Recovered (undone), another record takes the erasure's leaf: the size the intent
    // announced is reached by a record that is not the erasure's.
    let mut log = Log::open(&f.path()).unwrap();
    log.append(&more(&f, &log, 1)).unwrap();
    assert_eq!(log.size(), size + 1);
    drop(log);
    // The intent and what it made come back (a restored backup, a recovery that did not
    // finish): the erasure did not commit, so it is undone, not finished.
    restore(&private, &left);
    let log = Log::open(&f.path()).unwrap();
    assert!(log.private.get(SWEEP_KEY).unwrap().is_none());
    assert_eq!(log.size(), size + 1);
    for leaf in [5, 14, size] {
        assert!(
            value(&log, leaf).is_some(),
            "leaf {leaf} lost its disclosures"
        );
    }
    let keys = log.private.list(vault::KEYS_PREFIX).unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_ne!(vault::parse_key_path(&keys[0]).unwrap().1, size);
}

#[test]
fn an_intent_this_build_cannot_check_is_refused_naming_the_file() {
    let (f, log) = setup();
    drop(log);
    let sweep = f.path().join("private").join(SWEEP_KEY);
    let format1: (u64, u64, Vec<String>, Vec<String>, Vec<String>, Vec<String>) =
        (17, 18, vec![], vec![], vec![], vec![]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (crate::cbor::to_vec(&format1), "format 1"),
        (
            crate::cbor::to_vec(&(
                3u64,
                17u64,
                18u64,
                Vec::<String>::new(),
                Vec::<String>::new(),
                Vec::<String>::new(),
                Vec::<String>::new(),
                vec![Hash32([1; 32])],
            )),
            "format 3",
        ),
        (b"garbage".to_vec(), "not an erasure intent"),
        // A name recovery would delete that is not a sealed object.
        (
            SweepIntent {
                old: 17,
                new: 18,
                created_keys: vec![],
                new_objects: vec![],
                old_keys: vec![],
                old_objects: vec!["state".into()],
                records: vec![Hash32([1; 32])],
            }
            .to_bytes(),
            "\"state\" is not a sealed object",
        ),
    ];
    for (bytes, want) in cases {
        std::fs::write(&sweep, bytes).unwrap();
        for err in [
            Log::open(&f.path()).unwrap_err(),
            Log::open_read_only(&f.path()).unwrap_err(),
        ] {
            let err = err.to_string();
            assert!(err.contains(&sweep.display().to_string()), "{err}");
            assert!(err.contains(want), "{err}");
        }
        assert!(sweep.exists());
    }
}

#[test]
fn a_failed_erasure_poisons_the_log_unless_it_was_certainly_undone() {
    for point in 1..=5u8 {
        let (f, mut log) = setup();
        let size = log.size();
        let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
        let records = records_for(&log, &plan);
        FAIL_AT.with(|c| c.set(point));
        let err = log.erase(&plan, &records).unwrap_err();
        FAIL_AT.with(|c| c.set(0));
        assert!(
            err.to_string().contains("simulated I/O error"),
            "point {point}: {err}"
        );
        if point <= 2 {
            // Before the state swap: certainly not committed, undone in-process.
            assert!(matches!(err, LogError::Store(_)), "point {point}: {err}");
            assert!(log.private.get(SWEEP_KEY).unwrap().is_none());
            assert_eq!(log.private.list(vault::KEYS_PREFIX).unwrap().len(), 1);
            for o in log.private.list(vault::OBJECTS_PREFIX).unwrap() {
                assert_ne!(vault::ObjectName::parse(&o).unwrap().gen_, size, "{o}");
            }
            assert_eq!(log.size(), size);
            assert!(value(&log, 5).is_some());
            // The log goes on; the same generation is made again by the next erasure.
            let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
            let records = records_for(&log, &plan);
            log.erase(&plan, &records).unwrap();
            assert_eq!(log.disclosures(5).unwrap(), vec![]);
            assert!(value(&log, 6).is_some());
            log.append(&more(&f, &log, 1)).unwrap();
            continue;
        }
        assert!(
            matches!(err, LogError::EraseInterrupted { .. }),
            "point {point}: {err}"
        );
        // The swap may or may not have happened, or it did and the clean-up failed: every
        // write is refused until the log is reopened.
        let want = "an erasure or append failed mid-way";
        // Reads too: the handle's view may read the re-sealed survivors as erased.
        let refusals = [
            log.append(&more(&f, &log, 1)).unwrap_err(),
            log.erase(&plan, &records).unwrap_err(),
            log.checkpoint(1_772_400_000).unwrap_err(),
            log.disclosures(6).unwrap_err(),
            log.disclosures(5).unwrap_err(),
            log.plan_erasure(&requests(&[6])).unwrap_err(),
        ];
        for e in refusals {
            assert!(matches!(e, LogError::Poisoned { .. }), "point {point}: {e}");
            assert!(e.to_string().contains(want), "{e}");
        }
        assert!(log.private.get(SWEEP_KEY).unwrap().is_some());
        drop(log);
        let mut log = Log::open(&f.path()).unwrap();
        assert!(log.private.get(SWEEP_KEY).unwrap().is_none());
        assert_eq!(log.private.list(vault::KEYS_PREFIX).unwrap().len(), 1);
        if point == 3 {
            assert_eq!(log.size(), size, "point {point}");
            assert!(value(&log, 5).is_some(), "point {point}");
        } else {
            assert_eq!(log.size(), size + 1, "point {point}");
            assert_eq!(log.disclosures(5).unwrap(), vec![], "point {point}");
        }
        assert!(value(&log, 6).is_some(), "point {point}");
        log.append(&more(&f, &log, 1)).unwrap();
        log.checkpoint(1_772_400_000).unwrap();
    }
}

#[test]
fn a_reader_opened_before_a_sweep_rescans_instead_of_losing_what_survives() {
    let (f, mut log) = setup();
    let reader = Log::open_read_only(&f.path()).unwrap();
    assert!(value(&reader, 6).is_some());
    let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
    let records = records_for(&log, &plan);
    log.erase(&plan, &records).unwrap();
    // The objects the reader listed are gone; the survivors are under a new key and name.
    for (leaf, seq) in [(2u64, 0u64), (6, 4), (16, 14)] {
        assert!(
            value(&reader, leaf)
                .unwrap()
                .contains(&format!("officer-{seq}\"")),
            "leaf {leaf}"
        );
    }
    assert_eq!(reader.disclosures(5).unwrap(), vec![]);
    assert_eq!(reader.disclosures(14).unwrap(), vec![]);
}

#[test]
fn a_reader_honours_a_committed_sweep_and_changes_nothing() {
    // Crashed before the commit: the old objects are what the log holds.
    let (f, mut log) = setup();
    let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
    let records = records_for(&log, &plan);
    crash_erase(&mut log, &plan, &records, 2);
    let before = snapshot(&f.path());
    let reader = Log::open_read_only(&f.path()).unwrap();
    assert!(value(&reader, 5).is_some());
    assert!(value(&reader, 6).is_some());
    assert_eq!(snapshot(&f.path()), before, "a reader changed the log");
    drop((reader, log));
    // Committed, the old key not yet destroyed (step 3), then destroyed but its objects
    // not yet deleted (step 4): erased for a reader all the same.
    for step in [3, 4] {
        let (f, mut log) = setup();
        let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
        let records = records_for(&log, &plan);
        let g = &plan.groups[0];
        let old_key = f
            .path()
            .join("private")
            .join(vault::key_path(&g.group, g.gen_));
        crash_erase(&mut log, &plan, &records, step);
        assert!(f.path().join("private").join(SWEEP_KEY).exists());
        assert_eq!(old_key.is_file(), step == 3);
        let before = snapshot(&f.path());
        let reader = Log::open_read_only(&f.path()).unwrap();
        assert_eq!(reader.disclosures(5).unwrap(), vec![], "step {step}");
        assert_eq!(reader.disclosures(14).unwrap(), vec![], "step {step}");
        for leaf in [2, 6, 16] {
            assert!(value(&reader, leaf).is_some(), "step {step} leaf {leaf}");
        }
        assert_eq!(
            snapshot(&f.path()),
            before,
            "step {step}: a reader changed the log"
        );
    }
}

#[test]
fn an_object_under_another_key_of_its_generation_is_unreadable_corruption_is_an_error() {
    let (f, log) = setup();
    let (name, key, bytes) = first_object(&log);
    let leaf = name.first;
    assert!(value(&log, leaf).is_some());
    let entries = vault::open(&key, &name, &bytes).unwrap();
    let refs: Vec<(u64, &[Disclosure])> = entries.iter().map(|(l, d)| (*l, d.as_slice())).collect();
    let path = f.path().join("private").join(name.path());
    // Sealed under an older key of the same generation and name (a generation made again
    // after an undone erasure): unreadable, for the sequencer and for a reader.
    std::fs::write(
        &path,
        vault::seal(
            &vault::DataKey([7; 32]),
            &name,
            &refs,
            [1; vault::NONCE_LEN],
        ),
    )
    .unwrap();
    drop(log);
    let log = Log::open(&f.path()).unwrap();
    let reader = Log::open_read_only(&f.path()).unwrap();
    assert_eq!(log.disclosures(leaf).unwrap(), vec![]);
    assert_eq!(reader.disclosures(leaf).unwrap(), vec![]);
    drop((log, reader));
    // Altered ciphertext under the right key, and bytes that are no sealed object: errors
    // naming the object.
    let mut altered = bytes.clone();
    *altered.last_mut().unwrap() ^= 1;
    for (bad, want) in [
        (altered, "authentication failed"),
        (b"not cbor".to_vec(), "not a sealed disclosure object"),
    ] {
        std::fs::write(&path, bad).unwrap();
        let log = Log::open(&f.path()).unwrap();
        let reader = Log::open_read_only(&f.path()).unwrap();
        for err in [
            log.disclosures(leaf).unwrap_err(),
            reader.disclosures(leaf).unwrap_err(),
        ] {
            let err = err.to_string();
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(err.contains(want), "{err}");
        }
    }
}

/// A record of the fixture's producer with two sealed fields: `actor.user` and
/// `actor.on_behalf_of`.
fn access_two(f: &Fixture, log: &Log) -> AppendItem {
    use crate::record::sealed::SealedValue;
    let head = log
        .state()
        .producer(&ProducerId::new("query-frontend").unwrap())
        .unwrap();
    let body = Body::DataAccess(search_access());
    let mut b = RecordBuilder::new(envelope("query-frontend", head.next_seq, head.head, body));
    b.seal("actor.user", SealedValue::Text("clerk-1".into()), [1; 16])
        .unwrap();
    b.seal(
        "actor.on_behalf_of",
        SealedValue::Text("officer-99".into()),
        [2; 16],
    )
    .unwrap();
    let s = b.sign(&f.producer, ORIGIN).unwrap();
    AppendItem {
        record: s.bytes,
        disclosures: s.disclosures,
    }
}

#[test]
fn a_record_claiming_a_kept_field_is_refused_naming_record_leaf_and_field() {
    let (f, mut log) = setup();
    log.append(&[access_two(&f, &log)]).unwrap();
    let leaf = log.size() - 1;
    let plan = log
        .plan_erasure(&[EraseRequest {
            leaf,
            fields: vec![FieldPath::parse("actor.user").unwrap()],
        }])
        .unwrap();
    let size = log.size();
    for patterns in [&["actor.*"][..], &["actor.user", "actor.on_behalf_of"], &[]] {
        let records = records_naming(&log, &plan, patterns);
        let err = log.erase(&plan, &records).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "record 0: targets.0: covers leaf {leaf} field actor.on_behalf_of, which is kept"
            )),
            "{patterns:?}: {err}"
        );
        assert_eq!(log.size(), size);
        assert_eq!(log.disclosures(leaf).unwrap().len(), 2);
    }
    // Naming exactly what goes is accepted.
    let records = records_naming(&log, &plan, &["actor.user"]);
    log.erase(&plan, &records).unwrap();
    let left = log.disclosures(leaf).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(
        left[0].path,
        FieldPath::parse("actor.on_behalf_of").unwrap()
    );
}

#[test]
fn open_forgets_the_sealed_objects_of_a_batch_that_never_committed() {
    let (f, log) = setup();
    let size = log.size();
    let (name, _, bytes) = first_object(&log);
    // A batch size..size+1 announced and its object written, then a crash before the swap.
    let crashed = vault::ObjectName {
        first: size,
        end: size + 1,
        ..name
    };
    log.private.put(&crashed.path(), &bytes).unwrap();
    log.private
        .put(INTENT_KEY, &crate::cbor::to_vec(&(size, size + 1)))
        .unwrap();
    drop(log);
    let mut log = Log::open(&f.path()).unwrap();
    assert!(log.private.get(&crashed.path()).unwrap().is_none());
    {
        let v = log.vault.read().unwrap();
        assert!(
            !v.index
                .by_group
                .values()
                .flatten()
                .chain(v.index.by_batch.values().flatten())
                .any(|n| *n == crashed),
            "the index lists a deleted object"
        );
    }
    let plan = log.plan_erasure(&requests(&[5])).unwrap();
    let records = records_for(&log, &plan);
    log.erase(&plan, &records).unwrap();
    assert!(value(&log, 6).is_some());
}

/// Run `hook` once, just after the next listing of the vault on this thread.
fn after_next_listing(hook: impl FnOnce() + 'static) {
    AFTER_LIST.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

#[test]
fn a_reader_scanning_while_a_sweep_commits_keeps_what_survives() {
    // Opening: the sweep re-seals and commits (not yet finished) just after the reader
    // listed the vault.
    let (f, mut log) = setup();
    let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
    let records = records_for(&log, &plan);
    after_next_listing(move || crash_erase(&mut log, &plan, &records, 3));
    let reader = Log::open_read_only(&f.path()).unwrap();
    assert!(
        AFTER_LIST.with(|h| h.borrow().is_none()),
        "the hook did not run"
    );
    assert!(f.path().join("private").join(SWEEP_KEY).exists());
    for (leaf, seq) in [(2u64, 0u64), (6, 4), (16, 14)] {
        assert!(
            value(&reader, leaf)
                .unwrap()
                .contains(&format!("officer-{seq}\"")),
            "leaf {leaf}"
        );
    }
    assert_eq!(reader.disclosures(5).unwrap(), vec![]);
    assert_eq!(reader.disclosures(14).unwrap(), vec![]);
    drop(reader);
    // Re-scanning: a reader opened before a finished sweep finds its objects gone and
    // scans again, while a second sweep commits just after that listing.
    let (f, mut log) = setup();
    let reader = Log::open_read_only(&f.path()).unwrap();
    assert!(value(&reader, 6).is_some());
    let plan = log.plan_erasure(&requests(&[5])).unwrap();
    log.erase(&plan, &records_for(&log, &plan)).unwrap();
    let plan = log.plan_erasure(&requests(&[7])).unwrap();
    let records = records_for(&log, &plan);
    after_next_listing(move || crash_erase(&mut log, &plan, &records, 3));
    // Leaf 16's object (not yet opened by the reader) is gone: a re-scan.
    assert!(value(&reader, 16).unwrap().contains("officer-14\""));
    assert!(
        AFTER_LIST.with(|h| h.borrow().is_none()),
        "the hook did not run"
    );
    for leaf in [2u64, 6] {
        assert!(value(&reader, leaf).is_some(), "leaf {leaf}");
    }
    for leaf in [5u64, 7] {
        assert_eq!(reader.disclosures(leaf).unwrap(), vec![], "leaf {leaf}");
    }
}

#[test]
fn a_record_claiming_a_field_never_stored_is_refused_naming_record_leaf_and_field() {
    let (f, mut log) = setup();
    // Two sealed fields, only `actor.user` disclosed to the log.
    let mut item = access_two(&f, &log);
    item.disclosures
        .retain(|d| d.path == FieldPath::parse("actor.user").unwrap());
    log.append(&[item]).unwrap();
    let leaf = log.size() - 1;
    assert_eq!(log.disclosures(leaf).unwrap().len(), 1);
    let plan = log
        .plan_erasure(&[EraseRequest {
            leaf,
            fields: vec![],
        }])
        .unwrap();
    assert_eq!(plan.groups[0].erased_count(), 1);
    let size = log.size();
    for patterns in [&[][..], &["actor.*"], &["actor.user", "actor.on_behalf_of"]] {
        let records = records_naming(&log, &plan, patterns);
        let err = log.erase(&plan, &records).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "record 0: targets.0: covers leaf {leaf} field actor.on_behalf_of, which this \
                 erasure does not erase (no disclosure of it is stored)"
            )),
            "{patterns:?}: {err}"
        );
        assert_eq!(log.size(), size);
        assert_eq!(log.disclosures(leaf).unwrap().len(), 1);
    }
    // Naming exactly what goes is accepted.
    let records = records_naming(&log, &plan, &["actor.user"]);
    log.erase(&plan, &records).unwrap();
    assert_eq!(log.disclosures(leaf).unwrap(), vec![]);
}

#[test]
fn an_append_whose_state_swap_failed_poisons_the_log_until_reopened() {
    // 3: the swap failed without writing; 4: it wrote, then reported failure.
    for point in [3u8, 4] {
        let (f, mut log) = setup();
        let size = log.size();
        let batch = more(&f, &log, 2);
        FAIL_AT.with(|c| c.set(point));
        let err = log.append(&batch).unwrap_err();
        FAIL_AT.with(|c| c.set(0));
        assert!(
            matches!(err, LogError::AppendInterrupted { .. }),
            "point {point}: {err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("outcome is unknown"), "{msg}");
        assert!(msg.contains("reopen the log"), "{msg}");
        assert!(msg.contains("simulated I/O error"), "{msg}");
        let refusals = [
            log.append(&batch).unwrap_err(),
            log.append(&more(&f, &log, 1)).unwrap_err(),
            log.checkpoint(1_772_400_000).unwrap_err(),
            log.disclosures(6).unwrap_err(),
        ];
        for e in refusals {
            assert!(matches!(e, LogError::Poisoned { .. }), "point {point}: {e}");
        }
        drop(log);
        let mut log = Log::open(&f.path()).unwrap();
        let durable = if point == 3 { size } else { size + 2 };
        assert_eq!(log.size(), durable, "point {point}");
        assert!(value(&log, 6).is_some());
        if point == 4 {
            assert!(value(&log, size + 1).is_some());
        }
        log.append(&more(&f, &log, 1)).unwrap();
        log.checkpoint(1_772_400_000).unwrap();
    }
}

/// `mirror --private` (crate::mirror_private) on a directory: a key a published
/// crypto-shred deletion names is never copied — not when a backup put it back in the
/// source, and not kept from an earlier copy — and a destination holding another log's
/// state, or a source not at its checkpoint, is refused before anything is written.
#[test]
fn a_private_mirror_never_copies_a_destroyed_key_nor_keeps_one_from_an_earlier_copy() {
    use crate::mirror_private::{PrivateMirrorError, mirror_private};
    let (f, mut log) = setup();
    log.checkpoint(1_772_400_000).unwrap();
    let public = FsStore::open(f.path().join("public")).unwrap();
    let private = FsStore::open(f.path().join("private")).unwrap();
    let copy = tempfile::tempdir().unwrap();
    let dst = FsStore::open(copy.path()).unwrap();
    let alg = TreeHashAlg::Sha256;
    let at = |log: &Log| (log.size(), log.state().root.0);
    let first = mirror_private(&private, &public, alg, at(&log), &dst).unwrap();
    assert!(first.copied > 0);
    assert!(first.destroyed.is_empty());
    let keys: Vec<(String, Vec<u8>)> = private
        .list(vault::KEYS_PREFIX)
        .unwrap()
        .into_iter()
        .map(|k| {
            let v = private.get(&k).unwrap().unwrap();
            (k, v)
        })
        .collect();
    assert_eq!(dst.list(vault::KEYS_PREFIX).unwrap().len(), keys.len());

    let plan = log.plan_erasure(&requests(&[5, 14])).unwrap();
    let records = records_for(&log, &plan);
    log.erase(&plan, &records).unwrap();
    log.checkpoint(1_772_400_100).unwrap();
    let now = private.list(vault::KEYS_PREFIX).unwrap();
    let (destroyed, bytes) = keys.iter().find(|(k, _)| !now.contains(k)).unwrap().clone();
    // A backup puts the destroyed key back into the source.
    private.put(&destroyed, &bytes).unwrap();
    let second = mirror_private(&private, &public, alg, at(&log), &dst).unwrap();
    assert_eq!(second.destroyed, vec![destroyed.clone()]);
    assert!(second.removed > 0, "{second:?}");
    assert_eq!(dst.get(&destroyed).unwrap(), None);
    let mut copied = dst.list(vault::KEYS_PREFIX).unwrap();
    copied.sort();
    let mut expected: Vec<String> = now.clone();
    expected.sort();
    assert_eq!(copied, expected);
    assert_eq!(dst.get("state").unwrap(), private.get("state").unwrap());

    // Another log's state at the destination: refused, nothing there touched.
    let other = tempfile::tempdir().unwrap();
    let other_dst = FsStore::open(other.path()).unwrap();
    let mut foreign = log.state().clone();
    foreign.size = 3;
    foreign.root = Hash32([7; 32]);
    other_dst.put("state", &foreign.to_bytes()).unwrap();
    other_dst
        .put("keys/x/00000000000000000001", &[1; 32])
        .unwrap();
    let e = mirror_private(&private, &public, alg, at(&log), &other_dst).unwrap_err();
    assert!(e.to_string().contains("another log"), "{e}");
    assert!(
        other_dst
            .get("keys/x/00000000000000000001")
            .unwrap()
            .is_some()
    );

    // A source whose state is beyond the checkpoint mirrored: refused.
    let more = more(&f, &log, 2);
    log.append(&more).unwrap();
    let e = mirror_private(&private, &public, alg, (log.size() - 2, [0; 32]), &dst).unwrap_err();
    assert!(
        matches!(e, PrivateMirrorError::NotAtCheckpoint { .. }),
        "{e}"
    );
}
