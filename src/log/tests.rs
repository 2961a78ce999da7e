use super::*;
use crate::crypto::SecretKey;
use crate::record::kinds::data_access::{Action, Actor};
use crate::record::kinds::{Body, DataAccess, KeyRegistration, Kind};
use crate::record::text::Ident;
use crate::record::types::Timestamp;
use crate::record::{Payload, RecordBuilder, SealedValue, Status};

pub(crate) const ORIGIN: &str = "log.example/test";

pub(crate) struct Fixture {
    pub dir: tempfile::TempDir,
    pub authority: SecretKey,
    pub producer: SecretKey,
    pub ra_seq: u64,
    pub ra_prev: Hash32,
}

pub(crate) fn envelope(producer: &str, seq: u64, prev: Hash32, body: Body) -> Payload {
    Payload {
        producer: ProducerId::new(producer).unwrap(),
        seq,
        prev,
        occurred_at: Timestamp(1_772_357_400_000 + seq * 1000),
        utc_offset_minutes: None,
        processing_activity: None,
        trace_id: None,
        operation_id: None,
        parent_operation_id: None,
        status: Status::Ok,
        retention_rule: None,
        body,
        sealed: vec![],
    }
}

pub(crate) fn access(seq: u64, prev: Hash32, key: &SecretKey, origin: &str) -> AppendItem {
    let body = Body::DataAccess(DataAccess {
        action: Action::Search,
        legal_basis: Ident::new("nl-sv-126na").unwrap(),
        purpose: Ident::new("criminal-investigation").unwrap(),
        actor: Actor {
            role: Ident::new("officer").unwrap(),
            organisation: Ident::new("politie").unwrap(),
            authorisation_id: Some(Ident::new("auth-1").unwrap()),
            break_glass: false,
        },
        data_categories: vec![Ident::new("subscriber-name-address").unwrap()],
        result_count: Some(seq % 3),
        destination_country: None,
        data_origin: None,
    });
    let mut b = RecordBuilder::new(envelope("query-frontend", seq, prev, body));
    b.seal(
        "actor.user",
        SealedValue::Text(format!("officer-{}", seq % 20)),
        [seq as u8; 16],
    )
    .unwrap();
    let s = b.sign(key, origin).unwrap();
    AppendItem {
        record: s.bytes,
        disclosures: s.disclosures,
    }
}

impl Fixture {
    pub fn new() -> (Fixture, Log) {
        let dir = tempfile::tempdir().unwrap();
        let authority = SecretKey::from_seed(&[1; 32]);
        let producer = SecretKey::from_seed(&[2; 32]);
        let log_key = Ed25519NoteKey::new(ORIGIN, SecretKey::from_seed(&[3; 32])).unwrap();
        let ra_vkey = Ed25519NoteVerifier::new("registration-authority", authority.public_key())
            .unwrap()
            .to_vkey();
        let path = dir.path().join("log");
        let mut log = Log::init(
            &path,
            &log_key,
            &ra_vkey,
            TreeHashAlg::Sha256,
            1_772_357_000,
        )
        .unwrap();
        let mut f = Fixture {
            dir,
            authority,
            producer,
            ra_seq: 0,
            ra_prev: Hash32([0; 32]),
        };
        let reg = f.registration(
            f.producer.public_key(),
            vec![Kind::DataAccess],
            "query-frontend",
        );
        log.append(&[reg]).unwrap();
        (f, log)
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("log")
    }

    pub fn registration(&mut self, key: PublicKey, kinds: Vec<Kind>, producer: &str) -> AppendItem {
        let body = Body::KeyRegistration(KeyRegistration {
            producer: ProducerId::new(producer).unwrap(),
            public_key: Hash32(*key.as_bytes()),
            kinds,
        });
        let p = envelope("registration-authority", self.ra_seq, self.ra_prev, body);
        let s = RecordBuilder::new(p).sign(&self.authority, ORIGIN).unwrap();
        self.ra_seq += 1;
        self.ra_prev = Hash32(TreeHashAlg::Sha256.leaf(&s.bytes));
        AppendItem {
            record: s.bytes,
            disclosures: vec![],
        }
    }
}

/// Build `n` chained data-access items starting at `seq` after `prev`.
pub(crate) fn chain(f: &Fixture, seq: u64, prev: Hash32, n: u64) -> (Vec<AppendItem>, Hash32) {
    let mut prev = prev;
    let mut out = Vec::new();
    for s in seq..seq + n {
        let it = access(s, prev, &f.producer, ORIGIN);
        prev = Hash32(TreeHashAlg::Sha256.leaf(&it.record));
        out.push(it);
    }
    (out, prev)
}

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
