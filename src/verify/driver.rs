//! The driver of checks 2–6: reads the entry bundles in order, a batch of
//! [`BATCH_BUNDLES`] at a time, decodes and hashes their entries and checks their signatures
//! once (in parallel on all cores, rayon), then feeds every leaf, in leaf order, to the
//! checks:
//!
//! 1. check 2 ([`TreeCheck`]) gets every leaf hash, decodable or not;
//! 2. check 3 ([`Registry`]) judges each decoded record against the key registry and the
//!    signature the driver checked, and so decides whether it is authentic;
//! 3. every other check is a [`Unit`] — a type with its own state, fed each decoded record
//!    with check 3's verdict ([`RecordCtx`]) and told about entries that could not be read
//!    ([`Unit::lost`]), finishing with its findings (each unit's own `finish`).
//!
//! Only this module reads entries for checks 2–6; the units never read. Pipelining or
//! parallelising the run (reading the next batch while the units consume this one) is a
//! change to this module alone. The driver also serves the finish stage's read-only lookups:
//! records by (producer, seq) ([`Driver::find`]) and whether an earlier leaf is in the
//! verified tree ([`Driver::included`]).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;

use crate::log::reader::{LogReader, ReadError};
use crate::record::types::Hash32;
use crate::record::{Record, RecordError};
use crate::store::{ObjectStore, StoreError};
use crate::tiles::{self, EntryBundleId, TileId};
use crate::tree;

use super::records::{self, Registry};
use super::report::{Check, Finding, Findings};
use super::tree_check::{self, TreeCheck};
use super::trust::Trust;
use super::{Progress, VerifyError};

/// Entry bundles decoded and signature-checked together (256 records each).
pub const BATCH_BUNDLES: usize = 8;

/// One decoded record as the driver hands it to every [`Unit`], in leaf order.
pub(crate) struct RecordCtx<'a> {
    pub leaf: u64,
    pub hash: Hash32,
    pub rec: &'a Record,
    /// Check 3's verdict: registered key, right producer and kind, signature verified. A
    /// record that is not authentic takes part in no later check beyond saying so.
    pub authentic: bool,
    pub trust: &'a Trust,
}

/// A check fed the records in leaf order by the [`Driver`].
pub(crate) trait Unit {
    /// The checks whose findings this unit makes: each is incomplete when entries are lost.
    fn checks(&self) -> &'static [Check];
    /// One decoded record (`ctx.authentic`: check 3's verdict).
    fn record(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings);
    /// The entries of `leaves` could not be read: the next record may not follow the last.
    fn lost(&mut self, _leaves: &Range<u64>) {}
}

/// What reading the leaves left for the finish stage.
pub(crate) struct Read {
    /// The leaves read (decodable or not).
    pub records_checked: u64,
    /// The first leaf of the first missing entry bundle: nothing from there on was read (the
    /// size may be an unauthenticated claim of up to 2^62 leaves).
    pub truncated_at: Option<u64>,
    /// Leaves later checks leave out: not decodable, or not authentic (check 3).
    pub not_authentic: HashSet<u64>,
}

impl Read {
    /// The leaves below this were read (or at least tried).
    pub fn readable(&self, size: u64) -> u64 {
        self.truncated_at.unwrap_or(size)
    }
}

/// The checks the driver feeds, in the order it feeds them.
pub(crate) struct Units<'u> {
    pub tree: &'u mut TreeCheck,
    pub records: &'u mut Registry,
    pub others: Vec<&'u mut dyn Unit>,
}

enum Item {
    Entry(u64, Vec<u8>),
    Lost(Range<u64>),
}

/// An entry decoded and hashed, and its signature checked (`None`: no key material for its
/// kid, or it did not decode).
struct Decoded {
    hash: Hash32,
    rec: Result<Record, RecordError>,
    sig: Option<Result<(), RecordError>>,
}

/// Reads the leaves `[from, size)` of the published tree of `size` with root `root`.
pub(crate) struct Driver<'a> {
    pub store: &'a dyn ObjectStore,
    pub reader: &'a LogReader<'a>,
    pub trust: &'a Trust,
    pub from: u64,
    pub size: u64,
    pub root: tree::Hash,
}

impl Driver<'_> {
    /// Read every leaf from `from` on (stopping at the first missing entry bundle) and feed
    /// them to `units`.
    pub fn run(
        &self,
        units: &mut Units<'_>,
        progress: &dyn Progress,
        out: &mut Findings,
    ) -> Result<Read, VerifyError> {
        let mut read = Read {
            records_checked: 0,
            truncated_at: None,
            not_authentic: HashSet::new(),
        };
        progress.start(self.size - self.from);
        let mut bundles =
            tiles::tiles_at_level(0, self.size).skip((self.from >> tiles::TILE_HEIGHT) as usize);
        let mut next: Vec<TileId> = bundles.by_ref().take(BATCH_BUNDLES).collect();
        while read.truncated_at.is_none() && !next.is_empty() {
            let batch =
                std::mem::replace(&mut next, bundles.by_ref().take(BATCH_BUNDLES).collect());
            // From a remote store, this batch's objects and the next one's are fetched
            // concurrently, the next batch's while this one is checked (a no-op on disk).
            let mut keys = self.batch_keys(&batch);
            keys.extend(self.batch_keys(&next));
            self.store.prefetch(&keys);
            let ids = (batch.iter())
                .map(|t| EntryBundleId::new(t.index(), t.width()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| VerifyError::Read(e.to_string()))?;
            let mut items = Vec::new();
            for b in ids {
                if let Some(at) = self.read_bundle(b, &mut items, out)? {
                    read.truncated_at = Some(at);
                    break;
                }
            }
            let decoded = self.decode(&items, units.records);
            let n = self.feed(&items, &decoded, units, &mut read.not_authentic, out)?;
            read.records_checked += n;
            progress.advance(n);
        }
        Ok(read)
    }

    /// The objects the checks read for the bundles `batch` (level-0 tiles): the entry
    /// bundles (a partial one with its full bundle, [`LogReader::bundle`]), the hash tiles
    /// that the batch's leaves complete (check 2 compares each as it completes) and, for the
    /// last batch, the partial hash tiles of the tree (compared at its end).
    fn batch_keys(&self, batch: &[TileId]) -> Vec<String> {
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        for t in batch {
            let Ok(b) = EntryBundleId::new(t.index(), t.width()) else {
                continue;
            };
            if !b.is_full() {
                keys.push(EntryBundleId::full(b.index()).path());
            }
            keys.push(b.path());
        }
        let start = first.index() << tiles::TILE_HEIGHT;
        let end = (last.index() << tiles::TILE_HEIGHT) + u64::from(last.width());
        keys.extend(tiles_completed(start, end).map(|t| t.path()));
        if end == self.size {
            keys.extend(
                (tiles::tiles_for_size(self.size).into_iter())
                    .filter(|t| !t.is_full())
                    .map(|t| t.path()),
            );
        }
        keys
    }

    /// Read one entry bundle into `items`; an unreadable bundle is a finding and its leaves
    /// an [`Item::Lost`]. `Some(first leaf)` when the bundle is missing (reading stops).
    fn read_bundle(
        &self,
        b: EntryBundleId,
        items: &mut Vec<Item>,
        out: &mut Findings,
    ) -> Result<Option<u64>, VerifyError> {
        let range = b.leaf_range();
        let lost = range.start.max(self.from)..range.end;
        let err = match self.reader.bundle(b) {
            Ok(es) => {
                items.extend(
                    es.into_iter()
                        .enumerate()
                        .map(|(k, e)| (range.start + k as u64, e))
                        .filter(|(leaf, _)| *leaf >= self.from)
                        .map(|(leaf, e)| Item::Entry(leaf, e)),
                );
                return Ok(None);
            }
            Err(e) => e,
        };
        let finding = match err {
            ReadError::Missing { path } => {
                out.push(missing_bundle(&path, &range, self.size));
                items.push(Item::Lost(lost.start..self.size));
                return Ok(Some(range.start));
            }
            ReadError::Corrupt { path, reason } => Finding::violated(
                Check::Tree,
                "tree-bundle-malformed",
                format!(
                    "entry bundle {path} (leaves {}..{}) does not decode: {reason}",
                    range.start,
                    range.end - 1
                ),
            )
            .at(range.start),
            ReadError::Store(e @ StoreError::NotRegular { .. }) => {
                tree_check::not_regular(&format!("entry bundle {}", b.path()), range.start, &e)
            }
            ReadError::Store(StoreError::TooLarge { max, .. }) => too_large_bundle(&b, max),
            ReadError::Store(e) => return Err(e.into()),
            e => return Err(VerifyError::Read(e.to_string())),
        };
        out.push(finding);
        items.push(Item::Lost(lost));
        Ok(None)
    }

    /// Decode and hash in parallel, learn key material (in leaf order), check signatures in
    /// parallel. `None` for an [`Item::Lost`].
    fn decode(&self, items: &[Item], registry: &mut Registry) -> Vec<Option<Decoded>> {
        let alg = self.trust.alg;
        let decoded: Vec<Option<(Hash32, Result<Record, RecordError>)>> = items
            .par_iter()
            .map(|it| match it {
                Item::Entry(_, e) => Some((Hash32(alg.leaf(e)), Record::decode(e))),
                Item::Lost(_) => None,
            })
            .collect();
        for (_, r) in decoded.iter().flatten() {
            if let Ok(rec) = r {
                registry.learn_material(rec);
            }
        }
        let registry = &*registry;
        let origin = self.trust.origin();
        decoded
            .into_par_iter()
            .map(|d| {
                let (hash, rec) = d?;
                let sig = rec
                    .as_ref()
                    .ok()
                    .and_then(|r| registry.material(r.kid()).map(|k| r.verify(k, origin)));
                Some(Decoded { hash, rec, sig })
            })
            .collect()
    }

    /// Feed one batch to the checks in leaf order; returns the number of leaves read.
    fn feed(
        &self,
        items: &[Item],
        decoded: &[Option<Decoded>],
        units: &mut Units<'_>,
        not_authentic: &mut HashSet<u64>,
        out: &mut Findings,
    ) -> Result<u64, VerifyError> {
        let mut n = 0u64;
        for (item, d) in items.iter().zip(decoded) {
            match (item, d) {
                (Item::Lost(range), _) => lost(range, units, out),
                (Item::Entry(leaf, _), Some(d)) => {
                    n += 1;
                    units.tree.push_leaf(*leaf, d.hash.0, self.store, out)?;
                    let rec = match &d.rec {
                        Ok(rec) => rec,
                        Err(e) => {
                            not_authentic.insert(*leaf);
                            out.push(records::malformed(*leaf, e));
                            continue;
                        }
                    };
                    let origin = self.trust.origin();
                    let authentic = units.records.check(*leaf, rec, d.sig.as_ref(), origin, out);
                    if !authentic {
                        not_authentic.insert(*leaf);
                    }
                    let ctx = RecordCtx {
                        leaf: *leaf,
                        hash: d.hash,
                        rec,
                        authentic,
                        trust: self.trust,
                    };
                    for u in units.others.iter_mut() {
                        u.record(&ctx, out);
                    }
                }
                (Item::Entry(..), None) => unreachable!("every entry is decoded"),
            }
        }
        Ok(n)
    }

    /// Whether the record at `leaf` with leaf hash `hash` is in the verified tree: read in
    /// this run, or (before an incremental run's resume point) proven by an inclusion proof
    /// from the tiles to the published root.
    pub fn included(&self, leaf: u64, hash: &tree::Hash) -> bool {
        leaf >= self.from
            || self.reader.inclusion_proof(self.size, leaf).is_ok_and(|p| {
                self.trust
                    .alg
                    .verify_inclusion(leaf, self.size, hash, &p, &self.root)
                    .is_ok()
            })
    }

    /// The second, read-only pass: the leaf hash of each `wanted` (producer, seq) found in the
    /// leaves below `readable` and in the verified tree ([`Driver::included`]).
    pub fn find(
        &self,
        wanted: &HashSet<(String, u64)>,
        readable: u64,
    ) -> HashMap<(String, u64), Hash32> {
        let mut found = HashMap::new();
        for t in tiles::tiles_at_level(0, self.size) {
            if found.len() == wanted.len() {
                break;
            }
            let Ok(b) = EntryBundleId::new(t.index(), t.width()) else {
                continue;
            };
            let first = b.leaf_range().start;
            if first >= readable {
                break;
            }
            let es = match self.reader.bundle(b) {
                Ok(es) => es,
                Err(ReadError::Missing { .. }) => break,
                Err(_) => continue,
            };
            for (k, e) in es.iter().enumerate() {
                let Ok(r) = Record::decode(e) else { continue };
                let key = (r.payload().producer.to_string(), r.payload().seq);
                if wanted.contains(&key) && !found.contains_key(&key) {
                    let h = self.trust.alg.leaf(e);
                    if self.included(first + k as u64, &h) {
                        found.insert(key, Hash32(h));
                    }
                }
            }
        }
        found
    }
}

/// Entries that could not be read: check 2 stops recomputing, every unit resynchronises,
/// and every check fed records is incomplete.
fn lost(range: &Range<u64>, units: &mut Units<'_>, out: &mut Findings) {
    units.tree.break_at(range.start);
    let why = format!(
        "the entries of leaves {}..{} could not be read (check 2)",
        range.start,
        range.end - 1
    );
    out.incomplete(Check::Tree, why.clone());
    out.incomplete(Check::Records, why.clone());
    for u in units.others.iter_mut() {
        u.lost(range);
        for &c in u.checks() {
            out.incomplete(c, why.clone());
        }
    }
}

fn missing_bundle(path: &str, range: &Range<u64>, size: u64) -> Finding {
    Finding::violated(
        Check::Tree,
        "tree-entries-missing",
        format!(
            "entry bundle {path} (leaves {}..{}) is missing: the directory is truncated; leaves \
             {}..{} (from this bundle to the checkpoint's size) are not read",
            range.start,
            range.end - 1,
            range.start,
            size - 1
        ),
    )
    .at(range.start)
    .evidence(
        format!("{} entries from leaf {}", size - range.start, range.start),
        format!("none in {path}"),
    )
}

fn too_large_bundle(b: &EntryBundleId, max: usize) -> Finding {
    let range = b.leaf_range();
    Finding::violated(
        Check::Tree,
        "tree-bundle-malformed",
        format!(
            "entry bundle {} (leaves {}..{}) is larger than an entry bundle may be; not read",
            b.path(),
            range.start,
            range.end - 1
        ),
    )
    .at(range.start)
    .evidence(format!("at most {max} bytes"), format!("more than {max}"))
}

/// The full hash tiles, at every level, that leaves `[start, end)` complete: those whose
/// last leaf is among them (check 2 reads each as its last leaf is pushed).
fn tiles_completed(start: u64, end: u64) -> impl Iterator<Item = TileId> {
    let mut levels = Vec::new();
    let mut span = 1u64 << tiles::TILE_HEIGHT;
    for level in 0u8.. {
        if span > end {
            break;
        }
        // Tile i of this level completes when leaf (i + 1) * span - 1 is pushed.
        levels.push((level, start / span..end / span));
        match span.checked_mul(1 << tiles::TILE_HEIGHT) {
            Some(s) => span = s,
            None => break,
        }
    }
    (levels.into_iter()).flat_map(|(level, range)| range.map(move |i| TileId::full(level, i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{self, Scale};
    use crate::store::FsStore;
    use crate::tree::TreeHashAlg;

    /// What a unit was fed, in order.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<(u64, bool)>,
        lost: Vec<Range<u64>>,
    }

    impl Unit for Recorder {
        fn checks(&self) -> &'static [Check] {
            &[Check::Completeness]
        }
        fn record(&mut self, ctx: &RecordCtx<'_>, _out: &mut Findings) {
            self.seen.push((ctx.leaf, ctx.authentic));
        }
        fn lost(&mut self, leaves: &Range<u64>) {
            self.lost.push(leaves.clone());
        }
    }

    /// The driver feeds every unit each record once, in leaf order, with check 3's verdict;
    /// an undecodable bundle and a missing one are reported to every unit, and reading stops
    /// at the missing one.
    #[test]
    fn every_unit_sees_every_record_in_leaf_order_and_every_loss() {
        let entries: Vec<Vec<u8>> = scenario::build(Scale::SMALL, TreeHashAlg::Sha256)
            .unwrap()
            .into_iter()
            .flat_map(|d| d.records.into_iter().map(|s| s.item.record))
            .take(256)
            .collect();
        assert_eq!(entries.len(), 256);
        let dir = tempfile::tempdir().unwrap();
        let store = FsStore::open(dir.path()).unwrap();
        let bundle = tiles::encode_entry_bundle(&entries).unwrap();
        store.put(&EntryBundleId::full(0).path(), &bundle).unwrap();
        store
            .put(&EntryBundleId::full(1).path(), b"not a bundle")
            .unwrap();
        // Bundle 2 (leaves 512..600) is missing.
        let trust = super::super::records::tests::trust();
        let reader = LogReader::new(&store, trust.alg);
        let driver = Driver {
            store: &store,
            reader: &reader,
            trust: &trust,
            from: 0,
            size: 600,
            root: [0; 32],
        };
        let mut tree = TreeCheck::new(trust.alg, 600);
        let mut registry = Registry::new(&trust);
        let (mut a, mut b) = (Recorder::default(), Recorder::default());
        let mut units = Units {
            tree: &mut tree,
            records: &mut registry,
            others: vec![&mut a, &mut b],
        };
        let mut out = Findings::default();
        let read = driver
            .run(&mut units, &super::super::NoProgress, &mut out)
            .unwrap();
        assert_eq!((read.records_checked, read.truncated_at), (256, Some(512)));
        for u in [&a, &b] {
            let leaves: Vec<u64> = u.seen.iter().map(|s| s.0).collect();
            assert_eq!(leaves, (0..256).collect::<Vec<_>>());
            for &(leaf, authentic) in &u.seen {
                assert_eq!(
                    authentic,
                    !read.not_authentic.contains(&leaf),
                    "leaf {leaf}"
                );
            }
            assert_eq!(u.lost, vec![256..512, 512..600]);
        }
        assert!(
            a.seen.iter().any(|s| s.1),
            "the authority's registrations are authentic"
        );
        let (_, _, findings) = out.finish(&Default::default());
        let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"tree-bundle-malformed"), "{codes:?}");
        assert!(codes.contains(&"tree-entries-missing"), "{codes:?}");
    }

    /// A store that records, in order, each announcement and each read.
    struct Announced {
        inner: FsStore,
        events: std::sync::Mutex<Vec<Result<Vec<String>, String>>>,
    }

    impl ObjectStore for Announced {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.events.lock().unwrap().push(Err(key.to_string()));
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
        fn prefetch(&self, keys: &[String]) {
            self.events.lock().unwrap().push(Ok(keys.to_vec()));
        }
        fn describe(&self, key: &str) -> String {
            self.inner.describe(key)
        }
    }

    /// Every tile and bundle the checks read (bundles, the full tiles of every level as
    /// they complete, the partial tiles at the end) was in the announcement before the read,
    /// and each announcement names the next batch too (fetched while this one is checked).
    #[test]
    fn every_object_the_checks_read_was_announced_before() {
        let alg = TreeHashAlg::Sha256;
        // Past one full level-1 tile (65,536 leaves), with partial tiles at levels 0 and 1.
        let size = 65_536 + 300;
        let entries: Vec<Vec<u8>> = (0..256u32).map(|i| i.to_le_bytes().to_vec()).collect();
        let dir = tempfile::tempdir().unwrap();
        let fs = FsStore::open(dir.path()).unwrap();
        for t in tiles::tiles_at_level(0, size) {
            let b = EntryBundleId::new(t.index(), t.width()).unwrap();
            let n = usize::from(t.width());
            fs.put(
                &b.path(),
                &tiles::encode_entry_bundle(&entries[..n]).unwrap(),
            )
            .unwrap();
        }
        let store = Announced {
            inner: fs,
            events: Default::default(),
        };
        let trust = super::super::records::tests::trust();
        let reader = LogReader::new(&store, alg);
        let driver = Driver {
            store: &store,
            reader: &reader,
            trust: &trust,
            from: 0,
            size,
            root: [0; 32],
        };
        let mut tree = TreeCheck::new(alg, size);
        let mut registry = Registry::new(&trust);
        let mut units = Units {
            tree: &mut tree,
            records: &mut registry,
            others: vec![],
        };
        let mut out = Findings::default();
        let read = driver
            .run(&mut units, &super::super::NoProgress, &mut out)
            .unwrap();
        assert_eq!(read.records_checked, size);
        tree.finish(&[0; 32], &store, &mut out).unwrap();
        let events = store.events.into_inner().unwrap();
        let mut last: Option<&Vec<String>> = None;
        let (mut reads, mut announcements) = (Vec::new(), 0);
        for e in &events {
            match e {
                Ok(keys) => {
                    announcements += 1;
                    // The previous announcement's next batch is in this one.
                    if let Some(prev) = last {
                        let bundles = |k: &Vec<String>| -> Vec<String> {
                            k.iter()
                                .filter(|k| k.starts_with("tile/entries/"))
                                .cloned()
                                .collect()
                        };
                        let tail = &bundles(prev)[BATCH_BUNDLES..];
                        assert!(tail.iter().all(|k| keys.contains(k)), "{tail:?}");
                    }
                    last = Some(keys);
                }
                Err(key) => {
                    let announced = last.expect("announced before the first read");
                    assert!(announced.contains(key), "{key} read, not announced");
                    reads.push(key.clone());
                }
            }
        }
        assert_eq!(
            announcements,
            (size as usize).div_ceil(256).div_ceil(BATCH_BUNDLES)
        );
        // Every tile check 2 compares was read: 257 full level-0 tiles, one full level-1
        // tile, the partial tiles at levels 0, 1 and 2.
        let tiles: Vec<&String> = reads
            .iter()
            .filter(|k| !k.starts_with("tile/entries"))
            .collect();
        assert_eq!(tiles.len(), 257 + 1 + 3, "{tiles:?}");
        assert!(reads.contains(&TileId::full(1, 0).path()));
        assert!(reads.contains(&TileId::new(1, 1, 1).unwrap().path()));
        assert!(reads.contains(&TileId::new(0, 257, 44).unwrap().path()));
        assert!(reads.contains(&TileId::new(2, 0, 1).unwrap().path()));
    }
}
