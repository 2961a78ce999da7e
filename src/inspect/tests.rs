//! The read layer on small real logs: authentication of every record returned (a bundle
//! altered under a checkpoint is refused with the check-2 finding), the indexes rebuilt when
//! missing, unreadable, built for another tree or lying, extended when stale, and the
//! public-field filters.

use super::*;
use crate::crypto::SecretKey;
use crate::log::{AppendItem, Log};
use crate::note::{Ed25519NoteKey, Ed25519NoteVerifier};
use crate::record::kinds::data_access::{Action, Actor};
use crate::record::kinds::{Body, DataAccess, KeyRegistration, Kind};
use crate::record::text::Ident;
use crate::record::text::ProducerId;
use crate::record::types::{Hash32, Id16, Timestamp};
use crate::record::{Payload, RecordBuilder, SealedValue, Status};
use crate::store::FsStore;
use crate::tree::TreeHashAlg;

const ORIGIN: &str = "log.example/inspect";
const T0: u64 = 1_772_357_400_000;

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    log: Log,
    authority: SecretKey,
    producer: SecretKey,
    /// Next seq and prev of the producer.
    next: (u64, Hash32),
}

fn envelope(producer: &str, seq: u64, prev: Hash32, body: Body) -> Payload {
    Payload {
        producer: ProducerId::new(producer).unwrap(),
        seq,
        prev,
        occurred_at: Timestamp(T0 + seq * 60_000),
        utc_offset_minutes: None,
        processing_activity: None,
        trace_id: Some(Id16([(seq % 7) as u8; 16])),
        operation_id: None,
        parent_operation_id: None,
        status: Status::Ok,
        retention_rule: None,
        body,
        sealed: vec![],
    }
}

fn access_body(seq: u64) -> Body {
    Body::DataAccess(DataAccess {
        action: Action::Search,
        legal_basis: Ident::new(if seq.is_multiple_of(2) {
            "nl-sv-126na"
        } else {
            "nl-sv-126n"
        })
        .unwrap(),
        purpose: Ident::new("criminal-investigation").unwrap(),
        actor: Actor {
            role: Ident::new("officer").unwrap(),
            organisation: Ident::new(if seq.is_multiple_of(3) {
                "fiod"
            } else {
                "politie"
            })
            .unwrap(),
            authorisation_id: Some(Ident::new("auth-1").unwrap()),
            break_glass: false,
        },
        data_categories: vec![Ident::new("subscriber-name-address").unwrap()],
        result_count: Some(seq % 3),
        destination_country: None,
        data_origin: None,
        revealed: None,
        revealed_ranges: None,
    })
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let authority = SecretKey::from_seed(&[1; 32]);
        let producer = SecretKey::from_seed(&[2; 32]);
        let log_key = Ed25519NoteKey::new(ORIGIN, SecretKey::from_seed(&[3; 32])).unwrap();
        let ra = Ed25519NoteVerifier::new("registration-authority", authority.public_key())
            .unwrap()
            .to_vkey();
        let mut log = Log::init(&path, &log_key, &ra, TreeHashAlg::Sha256, 1_772_357_000).unwrap();
        let reg = Body::KeyRegistration(KeyRegistration {
            producer: ProducerId::new("query-frontend").unwrap(),
            public_key: Hash32(*producer.public_key().as_bytes()),
            kinds: vec![Kind::DataAccess],
        });
        let p = envelope("registration-authority", 0, Hash32([0; 32]), reg);
        let s = RecordBuilder::new(p).sign(&authority, ORIGIN).unwrap();
        log.append(&[AppendItem {
            record: s.bytes,
            disclosures: vec![],
        }])
        .unwrap();
        Fixture {
            _dir: dir,
            path,
            log,
            authority,
            producer,
            next: (0, Hash32([0; 32])),
        }
    }

    /// Append `n` chained data accesses and sign a checkpoint.
    fn grow(&mut self, n: u64) {
        let mut items = Vec::new();
        for _ in 0..n {
            let (seq, prev) = self.next;
            let p = envelope("query-frontend", seq, prev, access_body(seq));
            let mut b = RecordBuilder::new(p);
            b.seal(
                "actor.user",
                SealedValue::Text(format!("officer-{}", seq % 5)),
                [seq as u8; 16],
            )
            .unwrap();
            let s = b.sign(&self.producer, ORIGIN).unwrap();
            self.next = (seq + 1, Hash32(TreeHashAlg::Sha256.leaf(&s.bytes)));
            items.push(AppendItem {
                record: s.bytes,
                disclosures: s.disclosures,
            });
        }
        self.log.append(&items).unwrap();
        self.log
            .checkpoint(1_772_400_000 + self.log.size())
            .unwrap();
    }

    fn anchors(&self) -> Anchors {
        Anchors::operator(
            ORIGIN,
            TreeHashAlg::Sha256,
            self.log.log_verifier(),
            self.authority.public_key(),
        )
    }

    fn private(&self) -> FsStore {
        FsStore::open(self.path.join("private")).unwrap()
    }

    fn public(&self) -> FsStore {
        FsStore::open(self.path.join("public")).unwrap()
    }
}

fn rebuilt(ins: &Inspector<'_>) -> Vec<String> {
    ins.index_events()
        .into_iter()
        .filter_map(|e| match e {
            IndexEvent::Rebuilt { why } => Some(why),
            _ => None,
        })
        .collect()
}

#[test]
fn every_record_of_every_bundle_shape_is_authenticated_and_found_by_seq() {
    for n in [1u64, 254, 255, 256, 600] {
        let mut f = Fixture::new();
        f.grow(n);
        let (public, private) = (f.public(), f.private());
        let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
        let mut leaves = Vec::new();
        ins.scan(None, false, |r| {
            leaves.push(r.unwrap().leaf);
            true
        });
        assert_eq!(leaves, (0..=n).collect::<Vec<_>>(), "size {}", n + 1);
        let last = ins.by_seq("query-frontend", n - 1).unwrap().unwrap();
        assert_eq!(last.leaf, n);
        assert!(ins.by_seq("query-frontend", n).unwrap().is_none());
    }
}

#[test]
fn a_missing_index_is_built_and_kept_then_read_and_a_stale_one_extended() {
    let mut f = Fixture::new();
    f.grow(300);
    let private = f.private();
    {
        let public = f.public();
        let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
        assert_eq!(rebuilt(&ins), vec!["missing".to_string()]);
    }
    assert!(private.get(index::INDEX_KEY).unwrap().is_some());
    {
        let public = f.public();
        let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
        assert_eq!(ins.index_events(), vec![IndexEvent::Current]);
    }
    f.grow(50);
    let public = f.public();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
    assert_eq!(ins.index_events(), vec![IndexEvent::Extended { from: 301 }]);
    assert_eq!(
        ins.by_seq("query-frontend", 349).unwrap().unwrap().leaf,
        350
    );
    assert_eq!(ins.index().unwrap().size, 351);
}

/// A deferred open reads by leaf at once and builds the index in steps: nothing is said of
/// the index until it is done; then it is kept, and the next deferred open finds it current
/// (nothing left to build). A stale one is extended in steps the same way, and a lookup
/// before the build ends finishes it first.
#[test]
fn a_deferred_open_reads_at_once_and_builds_the_index_in_steps() {
    let mut f = Fixture::new();
    f.grow(1000);
    let private = f.private();
    {
        let public = f.public();
        let ins =
            Inspector::open_deferred(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
        assert_eq!(ins.fetch(1000).unwrap().leaf, 1000);
        assert_eq!(ins.fetch_bundle(3).len(), 233);
        assert!(ins.index_events().is_empty(), "nothing built yet");
        assert!(private.get(index::INDEX_KEY).unwrap().is_none());
        let mut steps = Vec::new();
        while let IndexProgress::Building { done, total } = ins.index_step(1).unwrap() {
            steps.push((done, total));
        }
        assert_eq!(steps, vec![(256, 1001), (512, 1001), (768, 1001)]);
        assert_eq!(rebuilt(&ins), vec!["missing".to_string()]);
        assert_eq!(ins.index_step(1).unwrap(), IndexProgress::Ready);
        assert_eq!(
            ins.by_seq("query-frontend", 999).unwrap().unwrap().leaf,
            1000
        );
    }
    assert!(private.get(index::INDEX_KEY).unwrap().is_some());
    {
        let public = f.public();
        let ins =
            Inspector::open_deferred(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
        assert_eq!(ins.index_events(), vec![IndexEvent::Current]);
        assert_eq!(ins.index_step(1).unwrap(), IndexProgress::Ready);
    }
    f.grow(300);
    let public = f.public();
    let ins = Inspector::open_deferred(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
    assert!(ins.index_events().is_empty());
    assert_eq!(
        ins.index_step(1).unwrap(),
        IndexProgress::Building {
            done: 1024,
            total: 1301
        }
    );
    // A lookup finishes the build before it reads the index.
    assert_eq!(
        ins.by_seq("query-frontend", 1299).unwrap().unwrap().leaf,
        1300
    );
    assert_eq!(
        ins.index_events(),
        vec![IndexEvent::Extended { from: 1001 }]
    );
    assert_eq!(ins.index().unwrap().size, 1301);
}

#[test]
fn a_corrupt_or_foreign_index_is_rebuilt() {
    let mut f = Fixture::new();
    f.grow(40);
    let private = f.private();
    let public = f.public();
    private.put(index::INDEX_KEY, b"not json").unwrap();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
    assert!(
        rebuilt(&ins)[0].starts_with("unreadable"),
        "{:?}",
        rebuilt(&ins)
    );
    drop(ins);
    // Built for a larger tree.
    let mut ix = PublicIndex::decode(&private.get(index::INDEX_KEY).unwrap().unwrap()).unwrap();
    ix.size += 256;
    ix.bundle_times.push([0, 0]);
    private.put(index::INDEX_KEY, &ix.encode()).unwrap();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
    assert!(
        rebuilt(&ins)[0].contains("larger than the checkpoint"),
        "{:?}",
        rebuilt(&ins)
    );
    drop(ins);
    // Built for a smaller tree that is not a prefix of this one (another root).
    let mut ix = PublicIndex::decode(&private.get(index::INDEX_KEY).unwrap().unwrap()).unwrap();
    ix.size = 10;
    ix.bundle_times.truncate(1);
    ix.root = hex::encode([7u8; 32]);
    private.put(index::INDEX_KEY, &ix.encode()).unwrap();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
    assert!(
        rebuilt(&ins)[0].contains("does not extend"),
        "{:?}",
        rebuilt(&ins)
    );
}

#[test]
fn a_lying_index_is_never_believed_over_the_leaf_hash() {
    let mut f = Fixture::new();
    f.grow(40);
    let private = f.private();
    let public = f.public();
    drop(Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap());
    // The index says seq 5 is at leaf 9 (where seq 8 is), and loses seq 6.
    let mut ix = PublicIndex::decode(&private.get(index::INDEX_KEY).unwrap().unwrap()).unwrap();
    for p in ix.seqs.get_mut("query-frontend").unwrap().iter_mut() {
        if p[0] == 5 {
            p[1] = 9;
        }
    }
    ix.seqs
        .get_mut("query-frontend")
        .unwrap()
        .retain(|p| p[0] != 6);
    private.put(index::INDEX_KEY, &ix.encode()).unwrap();

    let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
    assert_eq!(ins.index_events(), vec![IndexEvent::Current]);
    let got = ins.by_seq("query-frontend", 5).unwrap().unwrap();
    assert_eq!((got.leaf, got.record.payload().seq), (6, 5));
    let why = rebuilt(&ins);
    assert_eq!(
        why,
        vec!["a hit did not hold: leaf 9 is not the record it named".to_string()]
    );
    drop(ins);

    let mut ix = PublicIndex::decode(&private.get(index::INDEX_KEY).unwrap().unwrap()).unwrap();
    ix.seqs
        .get_mut("query-frontend")
        .unwrap()
        .retain(|p| p[0] != 6);
    private.put(index::INDEX_KEY, &ix.encode()).unwrap();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Private(&private)).unwrap();
    assert_eq!(ins.by_seq("query-frontend", 6).unwrap().unwrap().leaf, 7);
    assert_eq!(rebuilt(&ins), vec!["a lookup found nothing".to_string()]);
}

#[test]
fn an_altered_bundle_is_refused_with_the_check_2_finding() {
    let mut f = Fixture::new();
    f.grow(300);
    let public = f.public();
    // Leaf 5 of the full bundle 000: flip the last byte of its entry.
    let path = crate::tiles::entries_path(0, 256).unwrap();
    let mut b = public.get(&path).unwrap().unwrap();
    let mut off = 0usize;
    for _ in 0..5 {
        off += 2 + usize::from(u16::from_be_bytes([b[off], b[off + 1]]));
    }
    let len = usize::from(u16::from_be_bytes([b[off], b[off + 1]]));
    b[off + 2 + len - 1] ^= 1;
    std::fs::write(f.path.join("public").join(&path), &b).unwrap();

    let ins = Inspector::open(&public, f.anchors(), IndexHome::Memory).unwrap();
    let e = ins.fetch(5).unwrap_err();
    let finding = e.finding().expect("a refusal");
    assert_eq!(finding.code, "tree-bundle-mismatch");
    assert_eq!(finding.leaf, Some(5));
    assert!(ins.fetch(4).is_ok() && ins.fetch(6).is_ok());
    let mut refused = Vec::new();
    ins.scan(None, false, |r| {
        if let Err(e) = r {
            refused.push(e.finding().unwrap().leaf);
        }
        true
    });
    assert_eq!(refused, vec![Some(5)]);
    // Looked up by producer#seq, through the index: refused too, never shown.
    let e = ins.by_seq("query-frontend", 4).unwrap_err();
    assert_eq!(e.finding().unwrap().code, "tree-bundle-mismatch");
}

#[test]
fn a_checkpoint_under_another_key_is_refused() {
    let mut f = Fixture::new();
    f.grow(3);
    let public = f.public();
    let other =
        Ed25519NoteVerifier::new(ORIGIN, SecretKey::from_seed(&[9; 32]).public_key()).unwrap();
    let anchors = Anchors::operator(
        ORIGIN,
        TreeHashAlg::Sha256,
        &other,
        f.authority.public_key(),
    );
    match Inspector::open(&public, anchors, IndexHome::Memory) {
        Err(InspectError::Checkpoint { .. }) => {}
        other => panic!("expected a checkpoint refusal, got {:?}", other.err()),
    }
}

#[test]
fn time_seeks_read_only_the_bundles_that_may_hold_the_range() {
    let mut f = Fixture::new();
    f.grow(700);
    let public = f.public();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Memory).unwrap();
    // Seqs 300..=310 are leaves 301..=311, in bundle 1 only.
    let (since, until) = (T0 + 300 * 60_000, T0 + 310 * 60_000);
    assert_eq!(
        ins.index()
            .unwrap()
            .bundles_between(since, until, index::ALL_KINDS),
        vec![1]
    );
    let mut seqs = Vec::new();
    ins.scan(Some((since, until)), true, |r| {
        seqs.push(r.unwrap().record.payload().seq);
        true
    });
    assert_eq!(seqs, (300..=310).rev().collect::<Vec<_>>());
}

#[test]
fn references_trace_ids_and_filters() {
    let mut f = Fixture::new();
    f.grow(20);
    let public = f.public();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Memory).unwrap();
    let rec = ins.fetch(4).unwrap();
    // Any record → the key registration that admits it.
    let refs = ins.references_of(&rec).unwrap();
    let reg = refs.iter().find(|l| l.what == "key registration").unwrap();
    assert_eq!(reg.to.as_ref().unwrap().leaf, 0);
    // A data access → its authorisation: none in this log, and it says so.
    let auth = refs.iter().find(|l| l.what == "authorisation").unwrap();
    assert!(
        auth.to
            .as_ref()
            .unwrap_err()
            .contains("no authorisation record for auth-1")
    );
    // The chain: prev matches.
    let place = ins.chain_place(&rec).unwrap();
    assert_eq!(place.prev_matches, Some(true));
    assert_eq!(place.count, 20);
    // Trace ids: seqs with seq % 7 == 3.
    let (found, refused) = ins.by_id(&hex::encode([3u8; 16])).unwrap();
    assert!(refused.is_empty());
    let mut seqs: Vec<u64> = found.iter().map(|f| f.record.payload().seq).collect();
    seqs.sort();
    assert_eq!(seqs, vec![3, 10, 17]);
    // Filters: organisation fiod on seqs divisible by 3, legal basis on even seqs.
    let mut filter = Filter::default();
    filter.add("organisation", "FIOD");
    filter.add("legal-basis", "nl-sv-126na");
    filter.add("producer", "query-frontend");
    let mut hits = Vec::new();
    ins.scan(None, false, |r| {
        let f = r.unwrap();
        if filter.matches(&f.record) {
            hits.push(f.record.payload().seq);
        }
        true
    });
    assert_eq!(hits, vec![0, 6, 12, 18]);
    // The envelope's producer is not a key registration's body.producer.
    let mut by_producer = Filter::default();
    by_producer.add("producer", "query-frontend");
    assert!(!by_producer.matches(&ins.fetch(0).unwrap().record));
    let mut body = Filter::default();
    body.add("body.producer", "query-frontend");
    assert!(body.matches(&ins.fetch(0).unwrap().record));
    // grep: over public fields only, a field restricts it.
    let r = ins.fetch(2).unwrap().record;
    assert_eq!(fields::grep(&r, "126", None, false).len(), 1);
    assert!(fields::grep(&r, "126", Some("organisation"), false).is_empty());
    assert_eq!(
        fields::grep(&r, "POLITIE", Some("organisation"), true)[0].path,
        "body.actor.organisation"
    );
}

#[test]
fn published_checkpoints_are_verified_and_compared_with_the_latest() {
    let mut f = Fixture::new();
    f.grow(10);
    f.grow(10);
    let public = f.public();
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Memory).unwrap();
    let p = ins.published().unwrap();
    let sizes: Vec<u64> = p.iter().map(|c| c.size).collect();
    assert_eq!(sizes, vec![0, 11, 21]);
    assert!(
        p.iter()
            .all(|c| c.checkpoint.is_ok() && c.consistent.is_ok())
    );
    let rec = ins.fetch(12).unwrap();
    assert_eq!(ins.first_including(&rec).unwrap().unwrap().size, 21);
}

/// A store that answers the first read of one entry bundle with another bundle's bytes (a
/// server lying to the index build) and the genuine bundle afterwards.
struct LiesOnce {
    inner: FsStore,
    key: String,
    with: String,
    lied: std::sync::atomic::AtomicBool,
}

impl ObjectStore for LiesOnce {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if key == self.key && !self.lied.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return self.inner.get(&self.with);
        }
        self.inner.get(key)
    }
    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
        self.inner.put(key, data)
    }
    fn sync(&self) -> Result<(), StoreError> {
        self.inner.sync()
    }
    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError> {
        self.inner.compare_and_swap(key, expected, data)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key)
    }
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.inner.list(prefix)
    }
    fn describe(&self, key: &str) -> String {
        self.inner.describe(key)
    }
}

/// The index is built only from bundles proven against the checkpoint: a bundle served with
/// other bytes to the build (records that decode, but not the tree's) is left out of the
/// index and read again by every lookup and scan, so the record it holds is still found by
/// `producer#seq` and by a kind filter once the genuine bytes are served.
#[test]
fn a_bundle_served_falsely_to_the_index_build_does_not_hide_its_records() {
    let mut f = Fixture::new();
    f.grow(600);
    let public = LiesOnce {
        inner: f.public(),
        key: "tile/entries/001".into(),
        with: "tile/entries/000".into(),
        lied: Default::default(),
    };
    let ins = Inspector::open(&public, f.anchors(), IndexHome::Memory).unwrap();
    assert!(public.lied.load(std::sync::atomic::Ordering::SeqCst));
    // Leaf 300 is in bundle 1 (query-frontend's seq 299).
    let found = ins.by_seq("query-frontend", 299).unwrap().unwrap();
    assert_eq!(found.leaf, 300);
    let mut leaves = Vec::new();
    // A time range: the bundles are chosen by the index's time spans.
    ins.scan(Some((0, u64::MAX)), false, |r| {
        leaves.push(r.unwrap().leaf);
        true
    });
    assert!(leaves.contains(&300), "the bundle was left out of a scan");
}
