//! The read layer: records of a log by leaf index, by `producer#seq`, by trace or operation
//! id, by time range, filtered over public fields, and the references between them followed
//! both ways — every record it returns authenticated against a checkpoint whose signature
//! verified, never taken on the directory's word.
//!
//! Authentication of a record at leaf L: the checkpoint is opened with the [`Anchors`] (the
//! auditor's trust file, or the operator's own key — [`Anchors::describe`] says which); the
//! entry's leaf hash (RFC 9162 §2.1.1) is proven by an inclusion proof read from the hash
//! tiles (C2SP tlog-tiles) against that checkpoint's root. An entry that fails is *refused*
//! with a finding of the verifier's check 2 (docs/CHECKS.md): `tree-bundle-mismatch` when the
//! tiles prove another leaf hash, `tree-tile-mismatch` when the tiles on its path do not
//! reproduce the root, `tree-entries-missing`, `tree-bundle-malformed`; an authentic entry
//! that does not decode is refused as `record-malformed`.
//!
//! Owns no storage: it reads the public part through a [`LogReader`] and keeps its indexes
//! ([`index`]) in an [`IndexHome`]. Never prints, never reads the clock.
//!
//! Modules: [`anchor`] (whose keys), [`index`] (speed-ups, rebuilt, never believed),
//! [`fields`] (public fields, filters, grep), [`refs`] (references both ways).

pub mod anchor;
pub mod fields;
pub mod index;
pub mod refs;
pub mod retention_rule;
pub mod sealed_index;
pub mod subject;
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};

pub use anchor::{AnchorSource, Anchors};
pub use fields::{Field, Filter};
pub use index::{IndexEvent, IndexHome, IndexPart, IndexView, PublicIndex};

use crate::log::reader::{LogReader, ReadError};
use crate::record::Record;
use crate::store::{ObjectStore, StoreError};
use crate::tiles::{self, EntryBundleId};
use crate::tree::{self, Hash, HashReader};
use crate::verify::{Check, Finding};

/// Why a read failed: the log could not be read, or a record was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    #[error("{path}: the log has published no checkpoint (run `logseal checkpoint`)")]
    NoCheckpoint { path: String },
    #[error("{path}: the checkpoint does not verify, {against}: {reason}")]
    Checkpoint {
        path: String,
        against: &'static str,
        reason: String,
    },
    /// The record at `leaf` is not authentic (or not readable): the finding says why.
    #[error("leaf {leaf} is refused: [{}] {}", finding.code, finding.message)]
    Refused { leaf: u64, finding: Box<Finding> },
    #[error("leaf {leaf} is not in the checkpoint's tree (size {size})")]
    OutOfRange { leaf: u64, size: u64 },
    #[error("reading the log: {0}")]
    Read(#[from] ReadError),
}

impl InspectError {
    /// The finding of a refused record.
    pub fn finding(&self) -> Option<&Finding> {
        match self {
            InspectError::Refused { finding, .. } => Some(finding),
            _ => None,
        }
    }
}

fn refused(leaf: u64, finding: Finding) -> InspectError {
    InspectError::Refused {
        leaf,
        finding: Box::new(finding.at(leaf)),
    }
}

/// The verified checkpoint every read is checked against.
#[derive(Debug, Clone)]
pub struct Head {
    pub size: u64,
    pub root: Hash,
    /// The log's own cosignature time (seconds).
    pub log_time: u64,
    /// Witnesses of the anchors that cosigned, with their times.
    pub witnesses: Vec<(String, u64)>,
    /// Other signers on the note, not checked (not among the anchors).
    pub unchecked: Vec<String>,
}

/// An authenticated record.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub leaf: u64,
    pub leaf_hash: Hash,
    pub record: Record,
}

/// A published checkpoint as `logseal checkpoints` lists it.
#[derive(Debug, Clone)]
pub struct Published {
    pub size: u64,
    /// The verified checkpoint (root, times, cosigners), or why it does not verify.
    pub checkpoint: Result<Head, String>,
    /// Whether the latest checkpoint's tree extends it (a consistency proof from the
    /// tiles), or why not; `Ok` for one that does not verify (nothing to compare).
    pub consistent: Result<(), String>,
}

/// Entry bundles announced to the store at a time when reading many in order (fetched
/// concurrently over HTTP).
const PREFETCH_BUNDLES: u64 = 8;

/// An authenticated view of one log.
pub struct Inspector<'s> {
    reader: LogReader<'s>,
    anchors: Anchors,
    head: Head,
    home: IndexHome<'s>,
    index: RefCell<IndexView>,
    /// The index was built from the log by this inspector (a miss is then a miss).
    fresh: Cell<bool>,
    events: RefCell<Vec<IndexEvent>>,
    save_error: RefCell<Option<String>>,
    /// The index being built in steps ([`Inspector::open_deferred`]); `None` when ready.
    building: RefCell<Option<Building>>,
    /// Entry bundles (by index) that the index build could not read or prove.
    unproven: RefCell<std::collections::BTreeSet<u64>>,
}

/// An index under construction: the builder, the next leaf to feed it, and what will be said
/// of it when done.
struct Building {
    builder: PublicIndex,
    next: u64,
    event: IndexEvent,
    fresh: bool,
}

/// How far a deferred index build has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexProgress {
    /// Leaves fed so far of the tree's size.
    Building { done: u64, total: u64 },
    /// Ready: lookups, filters and references use it.
    Ready,
}

impl<'s> Inspector<'s> {
    /// Open the public part in `public`: verify its checkpoint against `anchors`, and read
    /// the index in `home` when it is current. An index that must be extended or rebuilt is
    /// built later: in steps by [`Inspector::index_step`] (a screen that opens at once), or
    /// all at once by the first read that needs it. Reads by leaf (fetch, bundles, proofs)
    /// never wait for it.
    pub fn open_deferred(
        public: &'s dyn ObjectStore,
        anchors: Anchors,
        home: IndexHome<'s>,
    ) -> Result<Inspector<'s>, InspectError> {
        let reader = LogReader::new(public, anchors.alg);
        let path = public.describe(crate::log::reader::CHECKPOINT_KEY);
        let note = reader
            .checkpoint()?
            .ok_or_else(|| InspectError::NoCheckpoint { path: path.clone() })?;
        let head = Anchors::claimed_size(&note)
            .and_then(|size| open_head(&anchors, &note, size))
            .map_err(|reason| InspectError::Checkpoint {
                path,
                against: anchors.describe(),
                reason,
            })?;
        let inspector = Inspector {
            reader,
            index: RefCell::new(IndexView::empty(anchors.alg)),
            anchors,
            head,
            home,
            fresh: Cell::new(false),
            events: RefCell::new(Vec::new()),
            save_error: RefCell::new(None),
            building: RefCell::new(None),
            unproven: RefCell::new(Default::default()),
        };
        inspector.plan_index();
        Ok(inspector)
    }

    /// Open as [`Inspector::open`] does, with the index loaded, extended or rebuilt before
    /// returning.
    pub fn open(
        public: &'s dyn ObjectStore,
        anchors: Anchors,
        home: IndexHome<'s>,
    ) -> Result<Inspector<'s>, InspectError> {
        let inspector = Inspector::open_deferred(public, anchors, home)?;
        inspector.finish_index()?;
        Ok(inspector)
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    pub fn anchors(&self) -> &Anchors {
        &self.anchors
    }

    /// What happened to the index (read, extended, rebuilt and why), in order.
    pub fn index_events(&self) -> Vec<IndexEvent> {
        self.events.borrow().clone()
    }

    /// Why the index could not be kept (written), if it could not.
    pub fn index_save_error(&self) -> Option<String> {
        self.save_error.borrow().clone()
    }

    /// Where the index lives.
    pub fn index_home(&self) -> String {
        self.home.describe()
    }

    /// A read-only look at the index (its hits are not authenticated).
    /// Finishes a deferred build first, and says why when that fails (the log cannot be
    /// read): an index not built is never handed out as if it were complete.
    pub fn index(&self) -> Result<std::cell::Ref<'_, IndexView>, InspectError> {
        self.finish_index()?;
        Ok(self.index.borrow())
    }

    /// Build the index for at most `bundles` more entry bundles (a deferred open), and say
    /// how far it has come.
    pub fn index_step(&self, bundles: u64) -> Result<IndexProgress, InspectError> {
        let mut slot = self.building.borrow_mut();
        let Some(b) = slot.as_mut() else {
            return Ok(IndexProgress::Ready);
        };
        let size = self.head.size;
        b.next = self.feed(&mut b.builder, b.next, bundles)?;
        if b.next < size {
            return Ok(IndexProgress::Building {
                done: b.next,
                total: size,
            });
        }
        let Building {
            mut builder,
            event,
            fresh,
            ..
        } = slot.take().expect("a build under way");
        drop(slot);
        builder.size = size;
        builder.root = hex::encode(self.head.root);
        self.keep(builder);
        if fresh {
            self.fresh.set(true);
        }
        self.events.borrow_mut().push(event);
        self.save();
        Ok(IndexProgress::Ready)
    }

    /// Finish a deferred index build (nothing to do when the index is ready).
    pub fn finish_index(&self) -> Result<(), InspectError> {
        while self.index_step(u64::MAX)? != IndexProgress::Ready {}
        Ok(())
    }

    /// Decide what the index needs: read it when current, or plan its extension or rebuild.
    fn plan_index(&self) {
        let store = match self.home {
            IndexHome::Memory => {
                return self.plan_rebuild("kept in memory for this command".into());
            }
            IndexHome::Private(s) => s,
        };
        let stored = match store.get_at_most(index::INDEX_KEY, index::MAX_INDEX_LEN) {
            Ok(None) => return self.plan_rebuild("missing".into()),
            Ok(Some(bytes)) => IndexView::parse(bytes),
            Err(e) => Err(e.to_string()),
        };
        let ix = match stored {
            Err(e) => return self.plan_rebuild(format!("unreadable: {e}")),
            Ok(ix) if ix.alg != self.anchors.alg => {
                return self.plan_rebuild(format!("built for tree hash {:?}", ix.alg));
            }
            Ok(ix) => ix,
        };
        let size = self.head.size;
        if ix.size > size {
            return self.plan_rebuild(format!(
                "built for a tree of size {}, larger than the checkpoint's {size}",
                ix.size
            ));
        }
        if let Err(why) = self.extends(&ix) {
            return self.plan_rebuild(why);
        }
        if ix.size == size {
            *self.index.borrow_mut() = ix;
            self.events.borrow_mut().push(IndexEvent::Current);
            return;
        }
        let from = ix.size;
        *self.building.borrow_mut() = Some(Building {
            builder: ix.to_builder(),
            next: from,
            event: IndexEvent::Extended { from },
            fresh: false,
        });
    }

    fn plan_rebuild(&self, why: String) {
        self.unproven.borrow_mut().clear();
        *self.building.borrow_mut() = Some(Building {
            builder: PublicIndex::empty(self.anchors.alg),
            next: 0,
            event: IndexEvent::Rebuilt { why },
            fresh: true,
        });
    }

    /// Whether the checkpoint's tree extends the tree `ix` was built for (a consistency proof
    /// from its root to the checkpoint's root).
    fn extends(&self, ix: &IndexView) -> Result<(), String> {
        let old = ix.root;
        let (alg, size) = (self.anchors.alg, self.head.size);
        if ix.size == 0 {
            return match old == alg.empty() {
                true => Ok(()),
                false => Err("unreadable: an empty tree with another root".into()),
            };
        }
        if ix.size == size {
            return match old == self.head.root {
                true => Ok(()),
                false => Err(format!("built for another tree of size {size}")),
            };
        }
        let proof = self
            .reader
            .consistency_proof(ix.size, size)
            .map_err(|e| format!("no consistency proof from its size {}: {e}", ix.size))?;
        alg.verify_consistency(ix.size, size, &old, &self.head.root, &proof)
            .map_err(|_| {
                format!(
                    "built for a tree of size {} that the checkpoint's tree does not extend",
                    ix.size
                )
            })
    }

    /// Rebuild the index from the log's entries, and keep it.
    fn rebuild(&self, why: String) -> Result<(), InspectError> {
        self.plan_rebuild(why);
        self.finish_index()
    }

    /// Use the index `builder` built (its stored form).
    fn keep(&self, builder: PublicIndex) {
        let view = IndexView::parse(builder.encode()).expect("an encoded index parses");
        *self.index.borrow_mut() = view;
    }

    fn save(&self) {
        if let IndexHome::Private(store) = self.home {
            let r = store
                .put(index::INDEX_KEY, self.index.borrow().bytes())
                .and_then(|()| store.sync());
            *self.save_error.borrow_mut() = r.err().map(|e: StoreError| e.to_string());
            // Format 1 (JSON), replaced by this file: nothing reads it any more.
            let _ = store.delete(index::OLD_INDEX_KEY);
        }
    }

    /// Feed the entries from `from` to `ix`, a bundle at a time, for at most `bundles`
    /// bundles or up to the tree's size; returns the next leaf to feed. Each bundle is proven
    /// against the checkpoint (its subtree root) before its records are indexed: an unreadable
    /// or unproven bundle's leaves are marked undecodable (every scan reads them, and the reads
    /// are refused), and kept in `unproven` so that a lookup that finds nothing does not say
    /// the record is absent (a server answering the index build with other bytes than the
    /// later reads cannot hide a record from a lookup or a filter).
    fn feed(&self, ix: &mut PublicIndex, from: u64, bundles: u64) -> Result<u64, InspectError> {
        let size = self.head.size;
        let alg = self.anchors.alg;
        let width = u64::from(tiles::TILE_WIDTH);
        let (mut leaf, mut left, mut prefetched_to) = (from, bundles, 0);
        while leaf < size && left > 0 {
            left -= 1;
            let (bundle, offset) = tiles::entry_bundle_for_leaf(leaf, size)
                .map_err(|e| InspectError::Read(ReadError::Tree(e)))?;
            if bundle.index() >= prefetched_to {
                let n = (left + 1).min(PREFETCH_BUNDLES);
                prefetched_to = bundle.index() + n;
                self.prefetch(
                    (bundle.index()..prefetched_to)
                        .collect::<Vec<_>>()
                        .as_slice(),
                );
            }
            let end = (bundle.index() + 1).saturating_mul(width).min(size);
            let read = self.reader.bundle(bundle).map(|entries| {
                let hashes: Vec<Hash> = entries.iter().map(|e| alg.leaf(e)).collect();
                let proven = self.prove_bundle(bundle.index(), &hashes);
                (entries, proven)
            });
            match read {
                Ok((_, false)) => {
                    self.unproven.borrow_mut().insert(bundle.index());
                    (leaf..end).for_each(|l| ix.undecodable(l));
                }
                Ok((entries, true)) => {
                    for (k, e) in entries.iter().enumerate().skip(offset) {
                        let l = bundle.index() * width + k as u64;
                        match Record::decode(e) {
                            Ok(r) => ix.add(l, &alg.leaf(e), &r),
                            Err(_) => ix.undecodable(l),
                        }
                    }
                }
                Err(ReadError::Store(e)) if !matches!(e, StoreError::NotRegular { .. }) => {
                    return Err(InspectError::Read(ReadError::Store(e)));
                }
                Err(_) => {
                    self.unproven.borrow_mut().insert(bundle.index());
                    (leaf..end).for_each(|l| ix.undecodable(l));
                }
            }
            leaf = end;
        }
        Ok(leaf)
    }

    /// Announce the entry bundles of index `bundles` as read next (fetched concurrently over
    /// HTTP; nothing on disk).
    fn prefetch(&self, bundles: &[u64]) {
        let width = u64::from(tiles::TILE_WIDTH);
        let ids: Vec<EntryBundleId> = (bundles.iter())
            .filter_map(|b| tiles::entry_bundle_for_leaf(b * width, self.head.size).ok())
            .map(|(id, _)| id)
            .collect();
        self.reader.prefetch_bundles(&ids);
    }

    /// The authenticated record at `leaf`.
    pub fn fetch(&self, leaf: u64) -> Result<Fetched, InspectError> {
        let size = self.head.size;
        if leaf >= size {
            return Err(InspectError::OutOfRange { leaf, size });
        }
        let (bundle, offset) =
            tiles::entry_bundle_for_leaf(leaf, size).map_err(|e| InspectError::Read(e.into()))?;
        let entries = self.read_bundle(bundle, leaf)?;
        self.authenticated(leaf, &entries[offset])
    }

    /// The entries of `bundle`, or the refusal of `leaf` when they cannot be read.
    fn read_bundle(&self, bundle: EntryBundleId, leaf: u64) -> Result<Vec<Vec<u8>>, InspectError> {
        match self.reader.bundle(bundle) {
            Ok(entries) => Ok(entries),
            Err(ReadError::Missing { path }) => Err(refused(
                leaf,
                Finding::violated(
                    Check::Tree,
                    "tree-entries-missing",
                    format!("{path} is missing: the entry is not in the log directory"),
                ),
            )),
            Err(ReadError::Corrupt { path, reason }) => Err(refused(
                leaf,
                Finding::violated(
                    Check::Tree,
                    "tree-bundle-malformed",
                    format!("{path}: {reason}"),
                ),
            )),
            Err(ReadError::Store(e @ StoreError::NotRegular { .. }))
            | Err(ReadError::Store(e @ StoreError::TooLarge { .. })) => Err(refused(
                leaf,
                Finding::violated(Check::Tree, "tree-object-not-regular", e.to_string()),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Authenticate entry `bytes` as leaf `leaf` and decode it.
    fn authenticated(&self, leaf: u64, bytes: &[u8]) -> Result<Fetched, InspectError> {
        let leaf_hash = self.prove(leaf, bytes)?;
        self.decoded(leaf, leaf_hash, bytes)
    }

    /// Decode the authenticated entry `bytes` at `leaf`.
    fn decoded(&self, leaf: u64, leaf_hash: Hash, bytes: &[u8]) -> Result<Fetched, InspectError> {
        let record = Record::decode(bytes).map_err(|e| {
            refused(
                leaf,
                Finding::violated(
                    Check::Records,
                    "record-malformed",
                    format!("the entry is in the tree but does not decode as a record: {e}"),
                )
                .evidence("a record", e.code()),
            )
        })?;
        Ok(Fetched {
            leaf,
            leaf_hash,
            record,
        })
    }

    /// The leaf hash of `bytes`, proven to be leaf `leaf` of the checkpoint's tree.
    fn prove(&self, leaf: u64, bytes: &[u8]) -> Result<Hash, InspectError> {
        let (alg, size, root) = (self.anchors.alg, self.head.size, self.head.root);
        let hash = alg.leaf(bytes);
        let tile_fault = |why: String| {
            refused(
                leaf,
                Finding::violated(
                    Check::Tree,
                    "tree-tile-mismatch",
                    format!(
                        "the hash tiles on the path of leaf {leaf} do not reproduce the \
                         checkpoint's root: {why}"
                    ),
                ),
            )
        };
        let proof = self
            .reader
            .inclusion_proof(size, leaf)
            .map_err(|e| tile_fault(e.to_string()))?;
        if alg
            .verify_inclusion(leaf, size, &hash, &proof, &root)
            .is_ok()
        {
            return Ok(hash);
        }
        let tiled = self
            .reader
            .hashes(size)
            .read_hashes(&[tree::stored_hash_index(0, leaf)])
            .map_err(|e| tile_fault(e.to_string()))?[0];
        if tiled != hash
            && alg
                .verify_inclusion(leaf, size, &tiled, &proof, &root)
                .is_ok()
        {
            return Err(refused(
                leaf,
                Finding::violated(
                    Check::Tree,
                    "tree-bundle-mismatch",
                    format!(
                        "the entry bundle holds another record at leaf {leaf} than the tree the \
                         checkpoint signs: the bundle was altered (refused, not shown)"
                    ),
                )
                .evidence(hex::encode(tiled), hex::encode(hash)),
            ));
        }
        Err(tile_fault("the inclusion proof does not verify".into()))
    }

    /// The authenticated records of entry bundle `b` (one refusal for a bundle that cannot
    /// be read).
    pub fn fetch_bundle(&self, b: u64) -> Vec<Result<Fetched, InspectError>> {
        let width = u64::from(tiles::TILE_WIDTH);
        let size = self.head.size;
        let first = b.saturating_mul(width);
        if first >= size {
            return Vec::new();
        }
        let bundle = match tiles::entry_bundle_for_leaf(first, size) {
            Ok((bundle, _)) => bundle,
            Err(e) => return vec![Err(InspectError::Read(e.into()))],
        };
        let entries = match self.read_bundle(bundle, first) {
            Err(e) => return vec![Err(e)],
            Ok(entries) => entries,
        };
        let alg = self.anchors.alg;
        let hashes: Vec<Hash> = entries.iter().map(|e| alg.leaf(e)).collect();
        if !self.prove_bundle(b, &hashes) {
            // Find out which entries fail, and why, one by one.
            return entries
                .iter()
                .enumerate()
                .map(|(k, e)| self.authenticated(first + k as u64, e))
                .collect();
        }
        entries
            .iter()
            .zip(hashes)
            .enumerate()
            .map(|(k, (e, h))| self.decoded(first + k as u64, h, e))
            .collect()
    }

    /// Whether the leaf hashes of bundle `b` are those of the checkpoint's tree: their
    /// subtree root (RFC 9162 MTH over the bundle) proven at its place. In a tree of size n
    /// the bundles of 256 leaves are the leaves of a tree of ceil(n / 256) subtree roots, so
    /// the upper part of the first leaf's inclusion proof proves the subtree root.
    fn prove_bundle(&self, b: u64, hashes: &[Hash]) -> bool {
        let (alg, size, root) = (self.anchors.alg, self.head.size, self.head.root);
        let first = b * u64::from(tiles::TILE_WIDTH);
        let Ok(proof) = self.reader.inclusion_proof(size, first) else {
            return false;
        };
        let inner = tree::inclusion_proof_len(0, hashes.len() as u64);
        if proof.len() < inner || hashes.is_empty() {
            return false;
        }
        let upper = size.div_ceil(u64::from(tiles::TILE_WIDTH));
        alg.verify_inclusion(
            b,
            upper,
            &alg.root_from_leaves(hashes),
            &proof[inner..],
            &root,
        )
        .is_ok()
    }

    /// Visit the authenticated records, oldest first or (`reverse`) newest first, within
    /// `[since, until]` (ms) when given (a seek through the time index: only the bundles that
    /// may hold such a record are read). `visit` returns whether to go on.
    pub fn scan(
        &self,
        time: Option<(u64, u64)>,
        reverse: bool,
        visit: impl FnMut(Result<Fetched, InspectError>) -> bool,
    ) {
        self.scan_kinds(time, index::ALL_KINDS, reverse, visit)
    }

    /// [`Inspector::scan`], reading only the bundles that the index says may hold a record of
    /// a kind in `kinds` (a mask, [`index::kinds_of`]); the caller still filters the records.
    pub fn scan_kinds(
        &self,
        time: Option<(u64, u64)>,
        kinds: u64,
        reverse: bool,
        mut visit: impl FnMut(Result<Fetched, InspectError>) -> bool,
    ) {
        let mut bundles: Vec<u64> = match (time, kinds) {
            (None, index::ALL_KINDS) => {
                (0..self.head.size.div_ceil(u64::from(tiles::TILE_WIDTH))).collect()
            }
            // Without an index (the log could not be read to build it), every bundle is
            // read: slower, never wrong (the records are filtered below and by the caller).
            (_, _) if self.finish_index().is_err() => {
                (0..self.head.size.div_ceil(u64::from(tiles::TILE_WIDTH))).collect()
            }
            (t, k) => {
                let (since, until) = t.unwrap_or((0, u64::MAX));
                self.index.borrow().bundles_between(since, until, k)
            }
        };
        if reverse {
            bundles.reverse();
        }
        for (i, b) in bundles.iter().copied().enumerate() {
            if (i as u64).is_multiple_of(PREFETCH_BUNDLES) {
                let end = (i + PREFETCH_BUNDLES as usize).min(bundles.len());
                self.prefetch(&bundles[i..end]);
            }
            let mut records = self.fetch_bundle(b);
            if reverse {
                records.reverse();
            }
            for r in records {
                if let (Some((since, until)), Ok(f)) = (time, &r) {
                    let t = f.record.payload().occurred_at.0;
                    if t < since || t > until {
                        continue;
                    }
                }
                if !visit(r) {
                    return;
                }
            }
        }
    }

    /// The records at the leaves `find` names in the index that pass `holds`. A hit that
    /// does not hold, or (for `exact`, a key that must exist) no hit at all, makes the index
    /// suspect: it is rebuilt from the log once and the lookup repeated. Refused records are
    /// returned as errors beside the hits.
    fn lookup(
        &self,
        find: impl Fn(&IndexView) -> Vec<u64>,
        holds: impl Fn(&Fetched) -> bool,
        exact: bool,
    ) -> Result<(Vec<Fetched>, Vec<InspectError>), InspectError> {
        loop {
            self.finish_index()?;
            let leaves = find(&self.index.borrow());
            let (mut found, mut refusals, mut lied) = (Vec::new(), Vec::new(), None);
            for leaf in leaves {
                match self.fetch(leaf) {
                    Ok(f) if holds(&f) => found.push(f),
                    Ok(_) => lied = Some(leaf),
                    Err(e @ InspectError::Refused { .. }) => refusals.push(e),
                    Err(e) => return Err(e),
                }
            }
            // The bundles the index build could not prove are not in the index: they are read
            // here (authenticated now, or refused), so that a hit in them is found and a miss
            // is not taken for an absence.
            let unproven: Vec<u64> = self.unproven.borrow().iter().copied().collect();
            for b in unproven {
                for r in self.fetch_bundle(b) {
                    match r {
                        Ok(f) if holds(&f) && !found.iter().any(|x: &Fetched| x.leaf == f.leaf) => {
                            found.push(f)
                        }
                        Ok(_) => {}
                        Err(e @ InspectError::Refused { .. }) => refusals.push(e),
                        Err(e) => return Err(e),
                    }
                }
            }
            let missing = exact && found.is_empty();
            let suspect = lied.is_some() || !refusals.is_empty() || missing;
            if suspect && !self.fresh.get() {
                let why = match lied {
                    Some(l) => format!("a hit did not hold: leaf {l} is not the record it named"),
                    None if refusals.is_empty() => "a lookup found nothing".into(),
                    None => "a hit was refused".into(),
                };
                self.rebuild(why)?;
                continue;
            }
            return Ok((found, refusals));
        }
    }

    /// The record `producer#seq` (the latest such after a declared reset).
    pub fn by_seq(&self, producer: &str, seq: u64) -> Result<Option<Fetched>, InspectError> {
        let (mut found, mut refused) = self.lookup(
            |ix| ix.leaves_of(producer, seq),
            |f| f.record.payload().producer.as_str() == producer && f.record.payload().seq == seq,
            true,
        )?;
        match (found.pop(), refused.pop()) {
            (Some(f), _) => Ok(Some(f)),
            (None, Some(e)) => Err(e),
            (None, None) => Ok(None),
        }
    }

    /// The records whose trace, operation or parent-operation id is `id` (hex).
    pub fn by_id(&self, id: &str) -> Result<(Vec<Fetched>, Vec<InspectError>), InspectError> {
        let id = id.to_ascii_lowercase();
        self.lookup(
            |ix| ix.ids_of(&id),
            |f| {
                let p = f.record.payload();
                [&p.trace_id, &p.operation_id, &p.parent_operation_id]
                    .into_iter()
                    .flatten()
                    .any(|x| x.to_string() == id)
            },
            false,
        )
    }
}

/// Open `note` as the checkpoint of `size` with `anchors`.
fn open_head(anchors: &Anchors, note: &[u8], size: u64) -> Result<Head, String> {
    let v = anchors.open(note, size)?;
    Ok(Head {
        size,
        root: v.checkpoint.root,
        log_time: v.log_time,
        witnesses: v.witness_times,
        unchecked: v.ignored.iter().map(|s| s.name.clone()).collect(),
    })
}

impl Inspector<'_> {
    /// Every published checkpoint (`public/checkpoints/`, and the latest), ascending, each
    /// verified with the anchors.
    pub fn published(&self) -> Result<Vec<Published>, InspectError> {
        let mut sizes = self.reader.published_sizes()?;
        if !sizes.contains(&self.head.size) {
            sizes.push(self.head.size);
            sizes.sort_unstable();
        }
        let mut out = Vec::new();
        for size in sizes {
            let note = match size == self.head.size {
                true => self.reader.checkpoint()?,
                false => self.reader.published_checkpoint(size)?,
            };
            let checkpoint = match note {
                None => Err("vanished while listed".to_string()),
                Some(n) => open_head(&self.anchors, &n, size),
            };
            let consistent = match &checkpoint {
                Ok(h) => self.consistent_with_head(h),
                Err(_) => Ok(()),
            };
            out.push(Published {
                size,
                checkpoint,
                consistent,
            });
        }
        Ok(out)
    }

    /// Whether the latest checkpoint's tree extends the tree of `h`.
    fn consistent_with_head(&self, h: &Head) -> Result<(), String> {
        let (alg, head) = (self.anchors.alg, &self.head);
        if h.size > head.size {
            return Err(format!(
                "larger than the latest checkpoint ({}): the log shrank",
                head.size
            ));
        }
        if h.size == 0 || h.size == head.size {
            return match h.size != head.size || h.root == head.root {
                true => Ok(()),
                false => Err("another root than the latest checkpoint of the same size".into()),
            };
        }
        let proof = self
            .reader
            .consistency_proof(h.size, head.size)
            .map_err(|e| e.to_string())?;
        alg.verify_consistency(h.size, head.size, &h.root, &head.root, &proof)
            .map_err(|_| {
                "the latest checkpoint's tree does not extend it (the log forked its history)"
                    .to_string()
            })
    }

    /// The inclusion proof of `leaf` in the published tree of `size`, read from the hash
    /// tiles (RFC 9162 §2.1.3.1); the caller verifies it against a checkpoint's root.
    pub fn inclusion_proof(&self, size: u64, leaf: u64) -> Result<Vec<Hash>, InspectError> {
        Ok(self.reader.inclusion_proof(size, leaf)?)
    }

    /// The first published checkpoint whose tree includes `leaf`, verified with the anchors
    /// and with the leaf's inclusion proven against its root: its head, or why not.
    pub fn first_including(&self, f: &Fetched) -> Result<Option<Head>, InspectError> {
        let sizes = self.reader.published_sizes()?;
        let Some(&size) = sizes.iter().find(|s| **s > f.leaf) else {
            return Ok(None);
        };
        let Some(note) = self.reader.published_checkpoint(size)? else {
            return Ok(None);
        };
        let head =
            open_head(&self.anchors, &note, size).map_err(|reason| InspectError::Checkpoint {
                path: crate::log::history::key(size),
                against: self.anchors.describe(),
                reason,
            })?;
        let alg = self.anchors.alg;
        let proven = self
            .reader
            .inclusion_proof(size, f.leaf)
            .ok()
            .is_some_and(|p| {
                alg.verify_inclusion(f.leaf, size, &f.leaf_hash, &p, &head.root)
                    .is_ok()
            });
        Ok(proven.then_some(head))
    }
}
