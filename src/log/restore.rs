//! The private part against the public part: the comparison every sequencer open makes
//! before any recovery step, and the rebuilding of a private part restored from an older
//! backup (docs/RETENTION.md §Backup and restore).
//!
//! Owns: [`Mismatch`] (what is ahead of what), [`Log::check_private_matches_public`], and
//! [`Log::open_for_recovery`] → [`Recovering`] → [`Recovering::commit`]. The public part is
//! what the world has seen: a private part that is behind it (a restored `private/`) must
//! never write, or the log would overwrite published leaves and sign a second tree of a
//! published size (a fork); its recovery steps (a restored `intent` or `sweep`) must never
//! run either, or they would delete published objects. Rebuilding replays the public
//! records through admission (the state's producer heads and key registry), checks the
//! published checkpoint's signature and root against the records themselves, and destroys
//! every data key a published retention-deletion names (a restored `keys/` must not bring
//! erased data back). Declaring what the backup could not bring back is the caller's
//! (`logseal recover`): it needs a producer's signing key. Writes only under the lock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;

use super::state::{STATE_VERSION, State};
use super::{INTENT_KEY, Log, LogError, SWEEP_KEY, SweepIntent, admission, vault};
use crate::crypto::PublicKey;
use crate::record::kinds::Body;
use crate::record::kinds::retention_deletion::DeletionMethod;
use crate::record::types::Hash32;
use crate::record::{Record, RecordError};
use crate::store::{ObjectStore, SequencerLock, StoreError};
use crate::tiles::{self, EntryBundleId};
use crate::tree::{Hash, TreeHashAlg};

/// How the private state disagrees with the public part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Mismatch {
    #[error(
        "the public checkpoint is at size {public} but the private state is at {private}: \
         private/ was restored from an older backup"
    )]
    CheckpointAhead { public: u64, private: u64 },
    #[error(
        "public/ holds leaf {leaf} ({path}) but the private state is at size {private}{}: \
         private/ was restored from an older backup",
        match .announced { Some(n) => format!(" (with a batch up to {n} announced)"), None => String::new() }
    )]
    EntriesAhead {
        path: String,
        leaf: u64,
        private: u64,
        announced: Option<u64>,
    },
    #[error(
        "the public checkpoint of size {size} has root {public}, but the private state's root \
         at that size is {private}: private/ and public/ hold different histories"
    )]
    CheckpointRoot {
        size: u64,
        public: Hash32,
        private: Hash32,
    },
    #[error(
        "the public tiles give root {public} at the private state's size {size}, but the \
         private state says {private}: private/ and public/ hold different histories"
    )]
    TilesRoot {
        size: u64,
        public: Hash32,
        private: Hash32,
    },
    #[error(
        "the public part cannot be read at the private state's size {size} ({reason}): \
         public/ is behind the private state or damaged"
    )]
    PublicBehind { size: u64, reason: String },
}

/// A rebuilt private state, worked out from the public part; nothing written yet.
#[derive(Debug, Clone)]
pub struct RecoveryPlan {
    /// What the open-time comparison found (`None`: the parts matched).
    pub mismatch: Option<Mismatch>,
    /// The size of the private state found.
    pub private_size: u64,
    /// The published checkpoint's size (checked against the log key and the records).
    pub checkpoint_size: u64,
    /// The rebuilt state's size: every record present in the public part.
    pub size: u64,
    /// Data keys to destroy: named by a published retention-deletion, or made by an
    /// erasure the log does not hold.
    pub keys_destroyed: Vec<String>,
    /// Sealed objects to delete: under those keys, or written by a batch the restored
    /// state had not committed.
    pub objects_deleted: Vec<String>,
    state: State,
    checkpoint_note: Vec<u8>,
}

/// A log opened for recovery: its lock is held and a plan is made; until
/// [`Recovering::commit`] nothing is written. [`Recovering::log`] reads disclosures as they
/// will be after the commit (the objects it deletes are unreadable already).
pub struct Recovering {
    log: Log,
    plan: RecoveryPlan,
}

impl RecoveryPlan {
    /// The rebuilt state.
    pub fn state(&self) -> &State {
        &self.state
    }
}

impl Recovering {
    pub fn plan(&self) -> &RecoveryPlan {
        &self.plan
    }

    /// The log, for reading only (its state is still the one found).
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// Carry out the plan: destroy the keys and objects, forget the restored intents, keep
    /// the published checkpoint in the private history, then swap in the rebuilt state.
    /// A crash at any point leaves a private part that [`Log::open_for_recovery`] plans
    /// again from the same public part (every step is idempotent), and until the swap the
    /// log refuses to write.
    pub fn commit(self) -> Result<Log, LogError> {
        let Recovering { mut log, plan } = self;
        for k in &plan.keys_destroyed {
            log.shred_key(k)?;
        }
        log.private.sync()?;
        for o in &plan.objects_deleted {
            log.private.delete(o)?;
        }
        log.private.delete(SWEEP_KEY)?;
        log.private.delete(INTENT_KEY)?;
        let cp_key = format!("checkpoints/{:020}", plan.checkpoint_size);
        if log.private.get(&cp_key)?.is_none() {
            log.private.put(&cp_key, &plan.checkpoint_note)?;
        }
        log.private.sync()?;
        log.swap_state(plan.state.clone())?;
        log.reload_vault()?;
        Ok(log)
    }
}

/// Whether `key` exists (without reading it).
fn present(store: &dyn ObjectStore, key: &str) -> Result<bool, StoreError> {
    match store.get_at_most(key, 0) {
        Ok(v) => Ok(v.is_some()),
        Err(StoreError::TooLarge { .. }) => Ok(true),
        Err(e) => Err(e),
    }
}

/// The entry bundle of index `index` present in `store`: the full one, else the widest
/// partial one; `None` when there is none.
fn bundle_present(
    store: &dyn ObjectStore,
    index: u64,
) -> Result<Option<EntryBundleId>, StoreError> {
    let full = EntryBundleId::full(index);
    if present(store, &full.path())? {
        return Ok(Some(full));
    }
    for w in (1..tiles::TILE_WIDTH).rev() {
        let b = EntryBundleId::new(index, w).expect("width below a full bundle");
        if present(store, &b.path())? {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// RFC 9162 §2.1.1 over leaves fed in order, holding one hash per level: the roots of the
/// perfect subtrees the leaves so far make up, largest first.
struct CompactRange {
    alg: TreeHashAlg,
    size: u64,
    roots: Vec<Hash>,
}

impl CompactRange {
    fn new(alg: TreeHashAlg) -> Self {
        CompactRange {
            alg,
            size: 0,
            roots: Vec::new(),
        }
    }

    fn push(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut n = self.size;
        while n & 1 == 1 {
            let left = self.roots.pop().expect("one root per set bit");
            h = self.alg.node(&left, &h);
            n >>= 1;
        }
        self.roots.push(h);
        self.size += 1;
    }

    /// The tree hash of the leaves so far.
    fn root(&self) -> Hash {
        let mut it = self.roots.iter().rev();
        let Some(last) = it.next() else {
            return self.alg.empty();
        };
        it.fold(*last, |acc, left| self.alg.node(left, &acc))
    }
}

/// What a replay of the public records gathered.
struct Replay {
    state: State,
    /// `shredded_key_id`s of the published crypto-shred deletions.
    shredded: BTreeSet<Hash32>,
    /// Roots at the sizes asked for.
    roots: BTreeMap<u64, Hash>,
}

impl Log {
    /// Compare the private state with the public part (published checkpoint, entry
    /// bundles, tiles) and refuse on a mismatch ([`LogError::PrivateMismatch`]). Reads
    /// O(log n) tiles; writes nothing. [`Log::open`] calls it before any recovery step.
    pub fn check_private_matches_public(&self) -> Result<(), LogError> {
        match self.mismatch()? {
            None => Ok(()),
            Some(mismatch) => Err(LogError::PrivateMismatch {
                dir: self.dir.display().to_string(),
                mismatch,
            }),
        }
    }

    /// What [`Log::check_private_matches_public`] finds.
    pub fn mismatch(&self) -> Result<Option<Mismatch>, LogError> {
        let private = self.state.size;
        let reader = self.reader();
        let published = reader
            .checkpoint()?
            .and_then(|n| crate::note::parse_note(&n).ok())
            .and_then(|n| crate::checkpoint::Checkpoint::parse(&n.text).ok());
        if let Some(cp) = &published {
            if cp.size > private {
                return Ok(Some(Mismatch::CheckpointAhead {
                    public: cp.size,
                    private,
                }));
            }
            if cp.size == private && cp.root != self.state.root.0 {
                return Ok(Some(Mismatch::CheckpointRoot {
                    size: private,
                    public: Hash32(cp.root),
                    private: self.state.root,
                }));
            }
        }
        // The entries a crashed batch left are announced by its intent; any other entry
        // beyond the state was written by a state this one does not know.
        let announced = self
            .private
            .get(INTENT_KEY)?
            .and_then(|b| crate::cbor::decode_canonical::<(u64, u64)>(&b).ok())
            .filter(|(old, new)| *old == private && new > old)
            .map(|(_, new)| new);
        let allowed = announced.unwrap_or(private);
        let index = allowed / u64::from(tiles::TILE_WIDTH);
        let offset = allowed % u64::from(tiles::TILE_WIDTH);
        if let Some(b) = bundle_present(self.public.as_ref(), index)?
            && u64::from(b.width()) > offset
        {
            return Ok(Some(Mismatch::EntriesAhead {
                path: b.path(),
                leaf: allowed,
                private,
                announced,
            }));
        }
        if private > 0 {
            match reader.root(private) {
                Ok(r) if r == self.state.root.0 => {}
                Ok(r) => {
                    return Ok(Some(Mismatch::TilesRoot {
                        size: private,
                        public: Hash32(r),
                        private: self.state.root,
                    }));
                }
                Err(e) => {
                    return Ok(Some(Mismatch::PublicBehind {
                        size: private,
                        reason: e.to_string(),
                    }));
                }
            }
        }
        Ok(None)
    }

    /// Open `dir` as its sequencer for recovery: take the lock, run no recovery step, and
    /// plan the rebuilding of the private state from the public part
    /// ([`RecoveryPlan`]). Refuses when the published checkpoint does not verify under the
    /// log key or does not match the records, when a record present would not be admitted,
    /// when the private state is ahead of the public part, or when it holds another
    /// history.
    pub fn open_for_recovery(dir: &Path) -> Result<Recovering, LogError> {
        let private = super::open_existing(dir)?;
        let lock = SequencerLock::acquire(private.root())?;
        private.remove_stale_temporaries()?;
        let public = super::open_public_of(dir, &private)?;
        if super::public_location(&private)?.is_none() {
            crate::store::FsStore::open(dir.join("public"))?.remove_stale_temporaries()?;
        }
        let mut log = Log::from_parts(dir, public, private, Some(lock))?;
        // A log coordinated through etcd: the state is etcd's, and a rebuild from the public
        // part would overwrite it (and destroy keys) outside the lease's commits.
        if let Some(url) = &log.config.coord {
            return Err(log.recovery_err(format!(
                "its sequencers are coordinated through {url}: `recover` does not rebuild a \
                 coordinated log's private state yet (etcd holds the committed state; open \
                 the log with `checkpoint` to reconcile with it)"
            )));
        }
        let plan = log.plan_recovery()?;
        let view = &mut log.vault.get_mut().expect("vault lock");
        view.shredded = plan.objects_deleted.iter().cloned().collect();
        Ok(Recovering { log, plan })
    }

    fn recovery_err(&self, reason: String) -> LogError {
        LogError::Recovery {
            dir: self.dir.display().to_string(),
            reason,
        }
    }

    fn plan_recovery(&self) -> Result<RecoveryPlan, LogError> {
        let mismatch = self.mismatch()?;
        let note = self
            .reader()
            .checkpoint()?
            .ok_or_else(|| self.recovery_err("public/checkpoint is missing".into()))?;
        let no_witnesses: [(&str, PublicKey); 0] = [];
        let cp = crate::checkpoint::open_checkpoint(
            &note,
            &self.config.origin,
            &self.log_verifier,
            &no_witnesses,
            0,
        )
        .map_err(|e| {
            self.recovery_err(format!(
                "public/checkpoint does not verify under the log key: {e}"
            ))
        })?
        .checkpoint;
        let old = self.state.size;
        let replay = self.replay(&[cp.size, old])?;
        let size = replay.state.size;
        if cp.size > size {
            return Err(self.recovery_err(format!(
                "the published checkpoint is at size {}, but public/ holds only {size} \
                 records: the public part is damaged (run `logseal verify`)",
                cp.size
            )));
        }
        if replay.roots[&cp.size] != cp.root {
            return Err(self.recovery_err(format!(
                "the published checkpoint of size {} has root {}, the records in public/ \
                 give {}: the public part is damaged (run `logseal verify`)",
                cp.size,
                Hash32(cp.root),
                Hash32(replay.roots[&cp.size])
            )));
        }
        let tiles_root = self
            .reader()
            .root(size)
            .map_err(|e| self.recovery_err(format!("the public tiles at size {size}: {e}")))?;
        if tiles_root != replay.state.root.0 {
            return Err(self.recovery_err(format!(
                "the public tiles give root {} at size {size}, the records give {}: the \
                 public part is damaged (run `logseal verify`)",
                Hash32(tiles_root),
                replay.state.root
            )));
        }
        if old > size {
            return Err(self.recovery_err(format!(
                "the private state is at size {old}, ahead of the {size} records in public/: \
                 public/ is behind (restore it, not private/); recovery rebuilds only a \
                 private part that is behind the public one"
            )));
        }
        if replay.roots[&old] != self.state.root.0 {
            return Err(self.recovery_err(format!(
                "the private state's root at size {old} is {}, the public records give {}: \
                 private/ belongs to another history, its disclosures cannot be trusted to \
                 belong to these records",
                self.state.root,
                Hash32(replay.roots[&old])
            )));
        }
        let (keys_destroyed, objects_deleted) = self.to_destroy(&replay.shredded, old, size)?;
        let mut state = replay.state;
        // The sizes whose partial tiles are kept: those the private state kept, and the
        // published checkpoint's.
        state.checkpoint_sizes = self.state.checkpoint_sizes.clone();
        state
            .checkpoint_sizes
            .retain(|s| *s <= size && *s != cp.size);
        state.checkpoint_sizes.push(cp.size);
        Ok(RecoveryPlan {
            mismatch,
            private_size: old,
            checkpoint_size: cp.size,
            size,
            keys_destroyed,
            objects_deleted,
            state,
            checkpoint_note: note,
        })
    }

    /// Replay every record present in the public part (from leaf 0, bundle by bundle,
    /// while bundles continue) through admission; the roots at `at` sizes on the way.
    fn replay(&self, at: &[u64]) -> Result<Replay, LogError> {
        let mut state = State::new(self.alg.empty());
        state.version = STATE_VERSION;
        let mut range = CompactRange::new(self.alg);
        let mut roots = BTreeMap::new();
        let mut shredded = BTreeSet::new();
        let reader = self.reader();
        let origin = self.config.origin.clone();
        let mut index = 0u64;
        let note_root = |range: &CompactRange, roots: &mut BTreeMap<u64, Hash>| {
            if at.contains(&range.size) {
                roots.insert(range.size, range.root());
            }
        };
        note_root(&range, &mut roots);
        while let Some(b) = bundle_present(self.public.as_ref(), index)? {
            let entries = reader.bundle(b)?;
            let first = index * u64::from(tiles::TILE_WIDTH);
            let decoded: Vec<Result<Record, RecordError>> =
                entries.par_iter().map(|e| Record::decode(e)).collect();
            let presig: Vec<Option<Result<(), RecordError>>> = decoded
                .par_iter()
                .map(|r| {
                    let r = r.as_ref().ok()?;
                    let kid = Hash32(*r.kid());
                    let key = if kid.0 == self.authority.key.key_id() {
                        self.authority.key
                    } else {
                        PublicKey::from_bytes(&state.key(&kid)?.public_key.0).ok()?
                    };
                    Some(r.verify(&key, &origin))
                })
                .collect();
            for (k, ((e, rec), sig)) in entries.iter().zip(&decoded).zip(presig).enumerate() {
                let leaf = first + k as u64;
                let leaf_hash = self.alg.leaf(e);
                let rec = rec.as_ref().map_err(|e| {
                    self.recovery_err(format!("leaf {leaf} in public/ does not decode: {e}"))
                })?;
                admission::admit(
                    &mut state,
                    &self.authority,
                    &origin,
                    rec,
                    leaf,
                    Hash32(leaf_hash),
                    &[],
                    sig,
                )
                .map_err(|r| {
                    self.recovery_err(format!(
                        "leaf {leaf} in public/ is a record this log would not admit: {r}"
                    ))
                })?;
                if let Body::RetentionDeletion(d) = &rec.payload().body
                    && d.method == DeletionMethod::CryptoShred
                    && let Some(id) = d.shredded_key_id
                {
                    shredded.insert(id);
                }
                range.push(leaf_hash);
                note_root(&range, &mut roots);
            }
            if !b.is_full() {
                break;
            }
            index += 1;
        }
        state.size = range.size;
        state.root = Hash32(range.root());
        Ok(Replay {
            state,
            shredded,
            roots,
        })
    }

    /// The keys and objects the rebuilt private part must not keep: keys a published
    /// deletion destroyed (and their objects), objects of a batch the restored state had
    /// not committed (`end > old`), and what a restored erasure intent leaves (its old keys
    /// and objects if the log holds its records, else what it re-sealed).
    fn to_destroy(
        &self,
        shredded: &BTreeSet<Hash32>,
        old: u64,
        size: u64,
    ) -> Result<(Vec<String>, Vec<String>), LogError> {
        let mut keys = BTreeSet::new();
        let mut objects = BTreeSet::new();
        let guard = self.vault.read().expect("vault lock");
        let view = &*guard;
        for (group, gens) in &view.index.keys {
            for gen_ in gens {
                let path = vault::key_path(group, *gen_);
                let Some(bytes) = self.private.get(&path)? else {
                    continue;
                };
                if vault::DataKey::from_bytes(&bytes).is_some_and(|k| shredded.contains(&k.id())) {
                    keys.insert(path);
                    for n in view
                        .index
                        .by_group
                        .get(&(group.clone(), *gen_))
                        .into_iter()
                        .flatten()
                    {
                        objects.insert(n.path());
                    }
                }
            }
        }
        for names in view.index.by_batch.values() {
            for n in names.iter().filter(|n| n.end > old) {
                objects.insert(n.path());
            }
        }
        if let Some(bytes) = self.private.get(SWEEP_KEY)? {
            let intent = SweepIntent::from_bytes(&bytes).map_err(|reason| LogError::State {
                path: self.private.describe(SWEEP_KEY),
                reason,
            })?;
            if size >= intent.new && self.sweep_committed(&intent, size)? {
                keys.extend(intent.old_keys.iter().cloned());
                objects.extend(intent.old_objects.iter().cloned());
            } else {
                objects.extend(intent.new_objects.iter().cloned());
                for k in &intent.created_keys {
                    let Some((group, gen_)) = vault::parse_key_path(k) else {
                        continue;
                    };
                    let others = view
                        .index
                        .by_group
                        .get(&(group, gen_))
                        .into_iter()
                        .flatten()
                        .any(|n| !objects.contains(&n.path()));
                    if !others {
                        keys.insert(k.clone());
                    }
                }
            }
        }
        Ok((keys.into_iter().collect(), objects.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_range_roots_equal_the_tree_hash() {
        for alg in [TreeHashAlg::Sha256, TreeHashAlg::Blake3] {
            let leaves: Vec<Hash> = (0u32..70).map(|i| alg.leaf(&i.to_be_bytes())).collect();
            let mut r = CompactRange::new(alg);
            assert_eq!(r.root(), alg.empty());
            for (i, l) in leaves.iter().enumerate() {
                r.push(*l);
                assert_eq!(
                    r.root(),
                    alg.root_from_leaves(&leaves[..=i]),
                    "size {}",
                    i + 1
                );
            }
        }
    }
}
