//! Erasure (crypto-shredding) of disclosures: what stays readable, what no copy can open,
//! refusals that leave the log untouched, and crashes at every step.

use super::tests::{Fixture, ORIGIN, chain, envelope};
use super::*;
use crate::crypto::SecretKey;
use crate::record::RecordBuilder;
use crate::record::kinds::retention_deletion::{RetentionDeletion, Target};
use crate::record::kinds::{Body, Kind};
use crate::record::text::Ident;
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
                    fields: vec![],
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
