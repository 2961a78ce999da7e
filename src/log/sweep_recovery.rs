//! Recovery on [`Log::open`]: removing what a batch announced in `private/intent` but never
//! committed wrote, and finishing (committed) or undoing (not committed) the erasure that
//! `private/sweep` announces. Owns the format of `private/sweep`.

use super::faults::{crash_point, fail_point};
use super::{INTENT_KEY, Log, LogError, SWEEP_KEY, SWEEP_VERSION, vault};
use crate::checkpoint;
use crate::record::types::Hash32;
use crate::tiles;

impl Log {
    /// Finish what a crashed writer left: the objects of a batch that was announced in
    /// `private/intent` but never committed (its tiles, bundles and disclosures beyond the
    /// durable size, which may hold another batch's personal data), and the size of a
    /// checkpoint published just before a crash.
    pub(super) fn recover(&mut self) -> Result<(), LogError> {
        self.recover_batch()?;
        self.recover_sweep()?;
        // The index was loaded before the leftovers above were removed.
        self.reload_vault()?;
        // A checkpoint published by a writer that died before recording its size.
        if let Some(note) = self.reader().checkpoint()?
            && let Ok(n) = crate::note::parse_note(&note)
            && let Ok(cp) = checkpoint::Checkpoint::parse(&n.text)
            && !self.state.checkpoint_sizes.contains(&cp.size)
            && cp.size <= self.state.size
        {
            let mut state = self.state.clone();
            state.checkpoint_sizes.push(cp.size);
            self.swap_state(state)?;
        }
        Ok(())
    }

    /// The batch `private/intent` announces, if any: remove what it wrote when it never
    /// committed, then forget the intent.
    fn recover_batch(&mut self) -> Result<(), LogError> {
        let Some(bytes) = self.private.get(INTENT_KEY)? else {
            return Ok(());
        };
        let path = self.private.describe(INTENT_KEY);
        let (old, new): (u64, u64) =
            crate::cbor::decode_canonical(&bytes).map_err(|e| LogError::State {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if self.state.size == old && new > old {
            self.remove_batch_leftovers(old, new)?;
        } else if self.state.size != new {
            return Err(LogError::State {
                path,
                reason: format!(
                    "a batch {old}..{new} was announced, but the state's size is {}",
                    self.state.size
                ),
            });
        }
        self.public.sync()?;
        self.private.sync()?;
        self.private.delete(INTENT_KEY)?;
        self.private.sync()?;
        Ok(())
    }

    /// Delete the tiles, bundles and sealed objects a batch `old..new` that never committed
    /// wrote, but the tiles and bundles the durable size and kept checkpoints use.
    fn remove_batch_leftovers(&self, old: u64, new: u64) -> Result<(), LogError> {
        let keep: std::collections::HashSet<String> = self
            .kept_sizes()
            .into_iter()
            .flat_map(|s| {
                let tiles = tiles::tiles_for_size(s).into_iter().map(|t| t.path());
                let bundles = tiles::new_entry_bundle_ids(0, s)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|b| b.path());
                tiles.chain(bundles).collect::<Vec<_>>()
            })
            .collect();
        // Under a lease a batch publishes nothing before its commit (it stages), and what
        // lies beyond the committed size in the bucket may be another sequencer's: only the
        // private leftovers are this directory's to remove.
        let public_leftovers = !self.coordinated();
        for t in tiles::new_tile_ids(old, new)? {
            if public_leftovers && !keep.contains(&t.path()) {
                self.public.delete(&t.path())?;
            }
        }
        for b in tiles::new_entry_bundle_ids(old, new)? {
            if public_leftovers && !keep.contains(&b.path()) {
                self.public.delete(&b.path())?;
            }
        }
        for key in self.private.list(vault::OBJECTS_PREFIX)? {
            if let Some(n) = vault::ObjectName::parse(&key)
                && (n.first, n.end) == (old, new)
            {
                self.private.delete(&key)?;
            }
        }
        Ok(())
    }

    /// Undo an erasure that did not commit: delete the objects it re-sealed and the keys it
    /// made — but not a key that other objects are sealed under (a batch appended after
    /// the erasure failed, which made or reused that generation).
    pub(super) fn undo_sweep(&self, intent: &SweepIntent) -> Result<(), LogError> {
        for o in &intent.new_objects {
            self.private.delete(o)?;
        }
        for k in &intent.created_keys {
            let (group, gen_) = vault::parse_key_path(k).expect("checked when decoded");
            let prefix = format!("{}/{group}/{gen_:020}", vault::OBJECTS_PREFIX);
            if self.private.list(&prefix)?.is_empty() {
                self.shred_key(k)?;
            }
        }
        self.private.sync()?;
        Ok(())
    }

    pub(super) fn finish_sweep(&self, intent: &SweepIntent) -> Result<(), LogError> {
        fail_point(5)?;
        // Keys first: once they are gone, the ciphertext is unreadable wherever it is.
        for k in &intent.old_keys {
            self.shred_key(k)?;
        }
        self.private.sync()?;
        crash_point(4);
        for o in &intent.old_objects {
            self.private.delete(o)?;
        }
        self.private.sync()?;
        Ok(())
    }

    /// The erasure in progress (`private/sweep`), if any.
    pub(super) fn read_sweep(&self) -> Result<Option<SweepIntent>, LogError> {
        let Some(bytes) = self.private.get(SWEEP_KEY)? else {
            return Ok(None);
        };
        SweepIntent::from_bytes(&bytes)
            .map(Some)
            .map_err(|reason| LogError::State {
                path: self.private.describe(SWEEP_KEY),
                reason,
            })
    }

    /// Whether the log of `size` holds exactly the erasure's records at its leaves: the
    /// commit happened. A size reached by other records is not its commit.
    pub(super) fn sweep_committed(
        &self,
        intent: &SweepIntent,
        size: u64,
    ) -> Result<bool, LogError> {
        if size < intent.new {
            return Ok(false);
        }
        let reader = self.reader();
        for (leaf, want) in (intent.old..).zip(&intent.records) {
            if reader.leaf_hash(leaf, size)? != want.0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Finish (committed) or undo (not committed) an erasure a crash or a failure left.
    pub(super) fn recover_sweep(&mut self) -> Result<(), LogError> {
        let Some(intent) = self.read_sweep()? else {
            return Ok(());
        };
        if self.state.size < intent.old {
            return Err(LogError::State {
                path: self.private.describe(SWEEP_KEY),
                reason: format!(
                    "an erasure was announced at size {}, but the state's size is {}",
                    intent.old, self.state.size
                ),
            });
        }
        if self.sweep_committed(&intent, self.state.size)? {
            self.finish_sweep(&intent)?;
        } else {
            self.undo_sweep(&intent)?;
        }
        self.private.delete(SWEEP_KEY)?;
        self.private.sync()?;
        self.reload_vault()
    }
}

/// `private/sweep`: `[2, old size, new size, created keys, new objects, old keys, old
/// objects, record leaf hashes]`. The records are leaves `old..new` (one hash each); the
/// erasure committed if and only if the log holds exactly them there.
pub(super) struct SweepIntent {
    pub(super) old: u64,
    pub(super) new: u64,
    pub(super) created_keys: Vec<String>,
    pub(super) new_objects: Vec<String>,
    pub(super) old_keys: Vec<String>,
    pub(super) old_objects: Vec<String>,
    /// Leaf hashes of the retention-deletion records, the first at leaf `old`.
    pub(super) records: Vec<Hash32>,
}

type SweepTuple = (
    u64,
    u64,
    u64,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<Hash32>,
);

impl SweepIntent {
    pub(super) fn to_bytes(&self) -> Vec<u8> {
        let t: SweepTuple = (
            SWEEP_VERSION,
            self.old,
            self.new,
            self.created_keys.clone(),
            self.new_objects.clone(),
            self.old_keys.clone(),
            self.old_objects.clone(),
            self.records.clone(),
        );
        crate::cbor::to_vec(&t)
    }

    /// Decode and check an intent: every name a key or object name of the right kind, so
    /// that recovery never deletes anything else.
    pub(super) fn from_bytes(bytes: &[u8]) -> Result<SweepIntent, String> {
        check_sweep_version(bytes)?;
        let t: SweepTuple = crate::cbor::decode_canonical(bytes)
            .map_err(|e| format!("not an erasure intent of format {SWEEP_VERSION}: {e}"))?;
        let intent = SweepIntent {
            old: t.1,
            new: t.2,
            created_keys: t.3,
            new_objects: t.4,
            old_keys: t.5,
            old_objects: t.6,
            records: t.7,
        };
        if intent.new.checked_sub(intent.old) != Some(intent.records.len() as u64)
            || intent.records.is_empty()
        {
            return Err(format!(
                "records {}..{} with {} leaf hashes",
                intent.old,
                intent.new,
                intent.records.len()
            ));
        }
        intent.check_names()?;
        Ok(intent)
    }

    /// Every key and object the intent names is one of the right kind (those it creates of
    /// the generation `old`).
    fn check_names(&self) -> Result<(), String> {
        for (what, list, made_now) in [
            ("created keys", &self.created_keys, true),
            ("old keys", &self.old_keys, false),
        ] {
            for k in list {
                match vault::parse_key_path(k) {
                    Some((group, g))
                        if vault::key_path(&group, g) == *k && (!made_now || g == self.old) => {}
                    _ => {
                        return Err(format!(
                            "{what}: {k:?} is not a data key this erasure could name"
                        ));
                    }
                }
            }
        }
        for (what, list, made_now) in [
            ("new objects", &self.new_objects, true),
            ("old objects", &self.old_objects, false),
        ] {
            for o in list {
                match vault::ObjectName::parse(o) {
                    Some(n) if n.path() == *o && (!made_now || n.gen_ == self.old) => {}
                    _ => {
                        return Err(format!(
                            "{what}: {o:?} is not a sealed object this erasure could name"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Refuse an intent of another format version with a message that says which.
fn check_sweep_version(bytes: &[u8]) -> Result<(), String> {
    let mut d = minicbor::Decoder::new(bytes);
    let len = d.array().ok().flatten();
    let version = d.u64().ok();
    match (len, version) {
        (Some(6), _) => Err(
            "an erasure intent of format 1 (an earlier logseal), without the leaf hashes of \
             its records: this build cannot tell whether it committed; open the log once with \
             the logseal that wrote it to recover the erasure"
                .into(),
        ),
        (Some(_), Some(v)) if v != SWEEP_VERSION => Err(format!(
            "an erasure intent of format {v}; this build reads format {SWEEP_VERSION}"
        )),
        _ => Ok(()),
    }
}
