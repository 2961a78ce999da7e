//! Appending a batch (docs/FORMAT.md §Log directory): admit every record against an evolving
//! copy of the state, write the batch's tiles, bundles and sealed disclosures, then swap the
//! state (group commit). Owns the order of those steps; admission rules are in
//! [`super::admission`], the sealing in [`super::vault`].

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::disclosures::nonce;
use super::faults::fail_point;
use super::{INTENT_KEY, Log, LogError, Refusal, STATE_KEY, State, admission, coordinated, vault};
use crate::coord::CoordError;
use crate::crypto::PublicKey;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;
use crate::record::{Disclosure, Record, RecordError};
use crate::tiles;
use crate::tree::{self, Hash, HashReader, TreeError};

/// One record to append, with the disclosures of its sealed fields (possibly none).
#[derive(Debug, Clone)]
pub struct AppendItem {
    pub record: Vec<u8>,
    pub disclosures: Vec<Disclosure>,
}

/// What the log returns for each appended record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub leaf_index: u64,
    pub leaf_hash: Hash32,
    pub producer: ProducerId,
    pub seq: u64,
}

/// A batch admitted and written, its state not yet swapped.
pub(super) struct StagedBatch {
    pub(super) old: u64,
    /// The state to swap in (size and root of the batch).
    pub(super) state: State,
    pub(super) receipts: Vec<Receipt>,
    pub(super) new_keys: Vec<(String, u64)>,
    pub(super) new_objects: Vec<vault::ObjectName>,
    /// Under a lease: the staged objects and what to publish once committed.
    pub(super) publish: Option<Publish>,
}

/// A batch staged under a lease: where, and the objects to write once it is committed.
pub(super) struct Publish {
    pub(super) staged: coordinated::StagedRef,
    pub(super) public: Vec<Object>,
    pub(super) private: Vec<Object>,
}

/// A public object: its path and bytes.
type Object = (String, Vec<u8>);

/// A record of a batch, decoded (or why not).
type Decoded = Result<Record, RecordError>;
/// Its signature checked against a key known at batch start (`None`: no such key yet).
type PreSig = Option<Result<(), RecordError>>;

/// A batch admitted against a copy of the state (step 2 of an append).
struct Admitted {
    /// The state after the batch, its size and root not yet set.
    state: State,
    receipts: Vec<Receipt>,
    leaf_hashes: Vec<Hash>,
}

/// What a batch publishes (step 3 of an append): the new root, and each new tile and entry
/// bundle by its path.
struct PublicSet {
    root: Hash,
    objects: Vec<(String, Vec<u8>)>,
}

/// Why an append failed, and whether its batch may nevertheless have been committed.
pub(super) struct AppendFailure {
    pub(super) error: LogError,
    /// The state compare-and-swap was attempted: the batch may be durable.
    pub(super) maybe_committed: bool,
}

impl Log {
    /// Append a batch atomically: every record is admitted, or none is and the log is
    /// unchanged. Returns when the batch is durable.
    ///
    /// A failure of the state swap leaves the outcome unknown: the error is
    /// [`LogError::AppendInterrupted`], and this `Log` refuses every later write and
    /// disclosure read ([`LogError::Poisoned`]) until the log is reopened.
    pub fn append(&mut self, items: &[AppendItem]) -> Result<Vec<Receipt>, LogError> {
        self.writable()?;
        self.append_batch(items).map_err(|f| {
            if f.maybe_committed {
                self.poisoned = true;
                LogError::AppendInterrupted {
                    error: Box::new(f.error),
                }
            } else {
                f.error
            }
        })
    }

    /// [`Log::append`], saying whether a failure may have committed the batch.
    pub(super) fn append_batch(
        &mut self,
        items: &[AppendItem],
    ) -> Result<Vec<Receipt>, AppendFailure> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let staged = self.stage_batch(items).map_err(|error| AppendFailure {
            error,
            maybe_committed: false,
        })?;
        self.commit_batch(staged).map_err(|error| AppendFailure {
            // A commit etcd refused did not happen (it writes nothing when it refuses).
            maybe_committed: !matches!(
                error,
                LogError::Coord(
                    CoordError::Fenced { .. }
                        | CoordError::Conflict { .. }
                        | CoordError::TooLarge { .. }
                        | CoordError::TooMany { .. }
                )
            ),
            error,
        })
    }

    /// Admit a batch and write (and sync) everything it needs but the state.
    pub(super) fn stage_batch(&mut self, items: &[AppendItem]) -> Result<StagedBatch, LogError> {
        let (decoded, presig) = self.decode_and_verify(items);
        let admitted = self.admit_batch(items, &decoded, presig)?;
        let old = self.state.size;
        let new = old + items.len() as u64;
        let public = self.publish_set(old, items, &admitted.leaf_hashes)?;
        let (new_keys, new_objects, private_writes) =
            self.seal_disclosures(items, &decoded, old)?;
        // 4. Announce the batch (so that a crash's leftovers can be found and removed), write
        //    everything, then one barrier per store. Under a lease, nothing is written in
        //    place before the commit: the public and the private objects are each staged as
        //    one object named by its hash (coordinated.rs), and published once committed.
        let publish = if self.coordinated() {
            let staged = self.stage_objects(old, new, &public.objects, &private_writes)?;
            Some(Publish {
                staged,
                public: public.objects,
                private: private_writes,
            })
        } else {
            self.private
                .put(INTENT_KEY, &crate::cbor::to_vec(&(old, new)))?;
            self.private.sync()?;
            for (path, data) in &public.objects {
                self.public.put(path, data)?;
            }
            for (path, data) in &private_writes {
                self.private.put(path, data)?;
            }
            None
        };
        self.public.sync()?;
        self.private.sync()?;
        fail_point(2)?;
        let mut state = admitted.state;
        state.size = new;
        state.root = Hash32(public.root);
        Ok(StagedBatch {
            old,
            state,
            receipts: admitted.receipts,
            new_keys,
            new_objects,
            publish,
        })
    }

    /// Step 1 of an append: decode and check signatures in parallel against the keys known
    /// at batch start (`None`: the key is not known yet; admission decides).
    fn decode_and_verify(&self, items: &[AppendItem]) -> (Vec<Decoded>, Vec<PreSig>) {
        let origin = self.config.origin.as_str();
        let decoded: Vec<Decoded> = items
            .par_iter()
            .map(|it| Record::decode(&it.record))
            .collect();
        // Each distinct key of the batch is parsed (and validated) once.
        let mut keys: std::collections::HashMap<Hash32, PublicKey> = Default::default();
        keys.insert(Hash32(self.authority.key.key_id()), self.authority.key);
        for r in decoded.iter().flatten() {
            let kid = Hash32(*r.kid());
            if !keys.contains_key(&kid)
                && let Some(entry) = self.state.key(&kid)
                && let Ok(key) = PublicKey::from_bytes(&entry.public_key.0)
            {
                keys.insert(kid, key);
            }
        }
        let presig = decoded
            .par_iter()
            .map(|r| {
                let r = r.as_ref().ok()?;
                let key = keys.get(&Hash32(*r.kid()))?;
                Some(r.verify(key, origin))
            })
            .collect();
        (decoded, presig)
    }

    /// Step 2 of an append: admit in order against an evolving copy of the state.
    fn admit_batch(
        &self,
        items: &[AppendItem],
        decoded: &[Decoded],
        presig: Vec<PreSig>,
    ) -> Result<Admitted, LogError> {
        let old = self.state.size;
        let mut state = self.state.clone();
        let mut receipts = Vec::with_capacity(items.len());
        let mut leaf_hashes = Vec::with_capacity(items.len());
        for (index, ((item, rec), sig)) in items.iter().zip(decoded).zip(presig).enumerate() {
            let rec = rec.as_ref().map_err(|e| LogError::Refused {
                index,
                refusal: Refusal::Malformed(e.clone()),
            })?;
            let leaf_index = old + index as u64;
            let leaf_hash = Hash32(self.alg.leaf(&item.record));
            admission::admit(
                &mut state,
                &self.authority,
                &self.config.origin,
                rec,
                leaf_index,
                leaf_hash,
                &item.disclosures,
                sig,
            )
            .map_err(|refusal| LogError::Refused { index, refusal })?;
            let p = rec.payload();
            receipts.push(Receipt {
                leaf_index,
                leaf_hash,
                producer: p.producer.clone(),
                seq: p.seq,
            });
            leaf_hashes.push(leaf_hash.0);
        }
        Ok(Admitted {
            state,
            receipts,
            leaf_hashes,
        })
    }

    /// Step 3 of an append: the tree hashes, tiles and bundles of the new size.
    fn publish_set(
        &self,
        old: u64,
        items: &[AppendItem],
        leaf_hashes: &[Hash],
    ) -> Result<PublicSet, LogError> {
        let new = old + items.len() as u64;
        let reader = self.reader();
        let overlay = Overlay {
            base: reader.hashes(old),
            base_count: tree::stored_hash_count(old),
            new: std::cell::RefCell::new(Vec::new()),
        };
        for (i, lh) in leaf_hashes.iter().enumerate() {
            let stored = self
                .alg
                .stored_hashes_for_record_hash(old + i as u64, *lh, &overlay)?;
            overlay
                .new
                .borrow_mut()
                .extend_from_slice(stored.as_slice());
        }
        let root = self.alg.tree_hash(new, &overlay)?;
        let mut objects: Vec<(String, Vec<u8>)> = tiles::new_tiles(old, new, &overlay)?
            .into_iter()
            .map(|(t, data)| (t.path(), data))
            .collect();
        for b in tiles::new_entry_bundle_ids(old, new)? {
            let range = b.leaf_range();
            let mut entries: Vec<Vec<u8>> = Vec::with_capacity(b.width() as usize);
            if range.start < old {
                // Extend the partial bundle of the old size.
                let (prev, _) = tiles::entry_bundle_for_leaf(range.start, old)?;
                entries = reader.bundle(prev)?;
            }
            for leaf in range.start.max(old)..range.end {
                entries.push(items[(leaf - old) as usize].record.clone());
            }
            let data = tiles::encode_entry_bundle(&entries).map_err(TreeError::from)?;
            objects.push((b.path(), data));
        }
        Ok(PublicSet { root, objects })
    }

    /// Part of step 4 of an append: the batch's disclosures, sealed per group under the
    /// group's current key (a new key, made now, for a group without one). Returns the keys
    /// made, the sealed objects, and what to write in the private part for them (the new
    /// keys and the sealed objects; the caller writes or stages them).
    #[allow(clippy::type_complexity)]
    fn seal_disclosures(
        &mut self,
        items: &[AppendItem],
        decoded: &[Decoded],
        old: u64,
    ) -> Result<(Vec<(String, u64)>, Vec<vault::ObjectName>, Vec<Object>), LogError> {
        let new = old + items.len() as u64;
        let mut groups: BTreeMap<String, Vec<(u64, &[Disclosure])>> = BTreeMap::new();
        for (i, (item, rec)) in items.iter().zip(decoded).enumerate() {
            if item.disclosures.is_empty() {
                continue;
            }
            let p = rec.as_ref().expect("admitted above").payload();
            let group =
                vault::group_name(p.retention_rule.as_ref().map(|r| r.as_str()), p.occurred_at);
            groups
                .entry(group)
                .or_default()
                .push((old + i as u64, item.disclosures.as_slice()));
        }
        let mut new_objects = Vec::new();
        let mut new_keys = Vec::new();
        let mut writes = Vec::new();
        for (group, entries) in &groups {
            let current = self
                .vault
                .get_mut()
                .expect("vault lock")
                .index
                .current_gen(group);
            let (gen_, key) = match current {
                Some(gen_) => (gen_, self.read_key(group, gen_)?),
                None => {
                    let (key, fresh) = self.new_key(group, old)?;
                    if let Some(bytes) = fresh {
                        writes.push((vault::key_path(group, old), bytes));
                    }
                    new_keys.push((group.clone(), old));
                    (old, key)
                }
            };
            let name = vault::ObjectName {
                group: group.clone(),
                gen_,
                first: old,
                end: new,
            };
            writes.push((name.path(), vault::seal(&key, &name, entries, nonce())));
            new_objects.push(name);
        }
        Ok((new_keys, new_objects, writes))
    }

    /// Commit a staged batch: swap the state. A failure here leaves the outcome unknown (the
    /// new state may or may not have been written).
    pub(super) fn commit_batch(&mut self, staged: StagedBatch) -> Result<Vec<Receipt>, LogError> {
        let StagedBatch {
            old,
            state,
            receipts,
            new_keys,
            new_objects,
            publish,
        } = staged;
        let new = state.size;
        // 5. Commit: swap the state (under a lease: in etcd first, then here).
        let bytes = state.to_bytes();
        fail_point(3)?;
        let superseded = match &publish {
            Some(p) => {
                let previous = self
                    .coord
                    .as_ref()
                    .and_then(|c| c.committed())
                    .and_then(|c| c.batch.clone());
                let staged = p.staged.clone();
                self.mark_staged(&staged)?;
                self.coord_commit(&bytes, |c| c.batch = Some(staged))?;
                previous
            }
            None => None,
        };
        self.private
            .compare_and_swap(STATE_KEY, Some(&self.state_bytes), &bytes)?;
        fail_point(4)?;
        self.state = state;
        self.state_bytes = bytes;
        if let Some(p) = &publish {
            // Committed: publish (the same bytes whoever does it; coordinated.rs).
            self.publish_objects(&p.public, &p.private)?;
            if let Some(previous) = superseded {
                self.remove_staged(&previous, &p.staged);
            }
        }
        let vault = &mut self.vault.get_mut().expect("vault lock").index;
        for (group, gen_) in new_keys {
            vault.keys.entry(group).or_default().insert(gen_);
        }
        for name in new_objects {
            vault.add_object(name);
        }
        // The batch is committed; its intent is obsolete (a leftover intent of a committed
        // batch is recognised on open).
        let _ = self.private.delete(INTENT_KEY);
        // 6. Partial tiles of the superseded size are referenced by nothing now unless a
        //    checkpoint of that size was signed: remove them. Partials whose full tile now
        //    exists (durably: the batch is committed) may go too (C2SP tlog-tiles).
        if !self.checkpointed(old) {
            // The latest checkpoint is the only one that can share a partial with `old`
            // (sizes only grow): keep what its tree uses.
            let mut keep = vec![new];
            keep.extend(self.state.checkpoint_sizes.iter().max());
            self.remove_partials(old, &keep);
        }
        self.remove_completed_partials(old, new);
        Ok(receipts)
    }
}

/// Stored hashes of the old tree (from its tiles) plus those computed in this batch.
pub(super) struct Overlay<F> {
    pub(super) base: tiles::TileHashReader<F>,
    pub(super) base_count: u64,
    pub(super) new: std::cell::RefCell<Vec<Hash>>,
}

impl<F: tiles::TileFetcher> HashReader for Overlay<F> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        let mut out = vec![[0u8; 32]; indexes.len()];
        self.read_hashes_into(indexes, &mut out)?;
        Ok(out)
    }

    fn read_hashes_into(&self, indexes: &[u64], out: &mut [Hash]) -> Result<(), TreeError> {
        let old: Vec<u64> = indexes
            .iter()
            .copied()
            .filter(|i| *i < self.base_count)
            .collect();
        let mut old_hashes = vec![[0u8; 32]; old.len()];
        if !old.is_empty() {
            self.base.read_hashes_into(&old, &mut old_hashes)?;
        }
        let new = self.new.borrow();
        let mut k = 0;
        for (slot, idx) in out.iter_mut().zip(indexes) {
            if *idx < self.base_count {
                *slot = old_hashes[k];
                k += 1;
            } else {
                *slot = *new
                    .get((idx - self.base_count) as usize)
                    .ok_or(TreeError::Storage(format!(
                        "stored hash {idx} is not yet computed"
                    )))?;
            }
        }
        Ok(())
    }
}
