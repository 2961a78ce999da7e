//! Signing and publishing checkpoints (C2SP tlog-tiles, signed notes), and keeping the
//! partial tiles and bundles that the signed checkpoints need while removing the others.

use super::faults::crash_point;
use super::{LOG_KEY_KEY, Log, LogError, config_err, history, reader};
use crate::checkpoint;
use crate::tiles;

/// Consistency proofs from an older size to the checkpoint being signed (`None`: no such
/// proof, e.g. a size above it).
pub type ProofSource<'a> = dyn Fn(u64) -> Option<Vec<crate::tree::Hash>> + 'a;

/// What [`Log::checkpoint_witnessed`] calls with the signed note: the cosignatures gathered.
pub type WitnessRequest<'a> =
    dyn FnMut(&[u8], &ProofSource<'_>) -> Vec<crate::note::NoteSignature> + 'a;

impl Log {
    /// The sizes whose partial tiles must stay readable: the durable size and the kept
    /// checkpoints'.
    pub(super) fn kept_sizes(&self) -> Vec<u64> {
        let mut v = self.state.checkpoint_sizes.clone();
        v.push(self.state.size);
        v
    }

    /// Whether a checkpoint of `size` was signed: recorded in the state (before it is
    /// published), or in the public history.
    pub(super) fn checkpointed(&self, size: u64) -> bool {
        self.state.checkpoint_sizes.contains(&size)
            || !matches!(self.public.get(&history::key(size)), Ok(None))
    }

    /// Delete every partial tile and bundle whose full tile (bundle) the growth from `old`
    /// to `new` published, but those of the checkpoints the state names (the latest ones:
    /// a verifier of the latest checkpoint reads its partials, and need not fall back).
    /// Best effort, like [`Log::remove_partials`]: readers fall back to the full tile, and a
    /// leftover partial must be its prefix.
    pub(super) fn remove_completed_partials(&self, old: u64, new: u64) {
        let Ok(ids) = tiles::new_tile_ids(old, new) else {
            return;
        };
        let mut latest: std::collections::HashSet<String> = std::collections::HashSet::new();
        for &s in &self.state.checkpoint_sizes {
            latest.extend(tiles::tiles_for_size(s).iter().map(|t| t.path()));
            if let Ok((b, _)) = tiles::entry_bundle_for_leaf(s.saturating_sub(1), s) {
                latest.insert(b.path());
            }
        }
        for full in ids.into_iter().filter(|t| t.is_full()) {
            let mut prefixes = vec![format!("{}.p", full.path())];
            if full.level() == 0 {
                let bundle = tiles::EntryBundleId::full(full.index());
                prefixes.push(format!("{}.p", bundle.path()));
            }
            for prefix in prefixes {
                for key in self.public.list(&prefix).unwrap_or_default() {
                    let partial_of_full = match tiles::parse_tile_path(&key) {
                        Ok(tiles::TilePath::Hash(t)) => t.to_full() == full && !t.is_full(),
                        Ok(tiles::TilePath::Entries(b)) => {
                            full.level() == 0 && b.index() == full.index() && !b.is_full()
                        }
                        Err(_) => false,
                    };
                    if partial_of_full && !latest.contains(&key) {
                        let _ = self.public.delete(&key);
                    }
                }
            }
        }
    }

    /// Delete the partial tiles and bundle of `size` that the trees of the sizes in `keep`
    /// do not use (a partial above level 0 serves a range of sizes: `size`'s may be a kept
    /// checkpoint's too). Best effort: a leftover partial costs space, never correctness.
    pub(super) fn remove_partials(&self, size: u64, keep: &[u64]) {
        let current = keep.first().copied().unwrap_or(size);
        let keep: std::collections::HashSet<String> = keep
            .iter()
            .flat_map(|&k| tiles::tiles_for_size(k))
            .map(|t| t.path())
            .collect();
        for t in tiles::tiles_for_size(size) {
            if !t.is_full() && !keep.contains(&t.path()) {
                let _ = self.public.delete(&t.path());
            }
        }
        if !size.is_multiple_of(u64::from(tiles::TILE_WIDTH))
            && let Ok((b, _)) = tiles::entry_bundle_for_leaf(size - 1, size)
            && let Ok((c, _)) = tiles::entry_bundle_for_leaf(size - 1, current)
            && b != c
        {
            let _ = self.public.delete(&b.path());
        }
    }

    /// Sign and publish a checkpoint of the current size at `now_secs` (the log's time, in
    /// its timestamped cosignature). Replaces `public/checkpoint` by compare-and-swap.
    pub fn checkpoint(&mut self, now_secs: u64) -> Result<Vec<u8>, LogError> {
        self.checkpoint_witnessed(now_secs, &mut |_, _| Vec::new())
    }

    /// [`Log::checkpoint`], asking witnesses first: `witness` gets the signed note and a
    /// source of consistency proofs from an older size to this one (the C2SP tlog-witness
    /// request), and returns the cosignatures it verified; they are published with the
    /// checkpoint (in the history and as the latest). Whatever it returns — none while every
    /// witness is down — the checkpoint is published: the log keeps going, and a verifier
    /// whose trust file needs a quorum says the checkpoint is not (yet) witnessed.
    pub fn checkpoint_witnessed(
        &mut self,
        now_secs: u64,
        witness: &mut WitnessRequest<'_>,
    ) -> Result<Vec<u8>, LogError> {
        self.writable()?;
        // At a rotation size, the checkpoint is the rotation checkpoint (both keys).
        if let Some(note) = self.rotation_checkpoint(self.state.size)? {
            return Ok(note);
        }
        let key_path = self.local.root().join(LOG_KEY_KEY);
        let key = self.signing_key()?;
        if key.verifier().to_vkey() != self.config.log_key {
            return Err(config_err(
                &key_path,
                "does not match the log key in config.json",
            ));
        }
        let cp =
            checkpoint::Checkpoint::new(&self.config.origin, self.state.size, self.state.root.0)
                .map_err(|e| LogError::Checkpoint(e.to_string()))?;
        let note =
            checkpoint::sign_checkpoint(&cp, key.secret_key(), &self.config.origin, now_secs)
                .map_err(|e| LogError::Checkpoint(e.to_string()))?;
        let reader = self.reader();
        let new_size = cp.size;
        let proofs = |old: u64| reader.consistency_proof(old, new_size).ok();
        let cosignatures = witness(&note, &proofs);
        let note = if cosignatures.is_empty() {
            note
        } else {
            checkpoint::add_cosignatures(&note, &cosignatures)
                .map_err(|e| LogError::Checkpoint(e.to_string()))?
        };
        // Record the size as checkpointed first, so that no later append removes the partial
        // tiles a published checkpoint needs, even if this process dies between the steps.
        let mut state = self.state.clone();
        state.checkpoint_sizes.retain(|s| *s != cp.size);
        state.checkpoint_sizes.push(cp.size);
        let published = self.reader().checkpoint()?;
        let published_size = published
            .as_deref()
            .and_then(|n| crate::note::parse_note(n).ok())
            .and_then(|n| checkpoint::Checkpoint::parse(&n.text).ok())
            .map(|c| c.size);
        // The state names the last two checkpoints and the one published until the swap
        // below (the public history names them all; the partials of every one of them are
        // kept until their full tiles exist).
        let n = state.checkpoint_sizes.len();
        let mut kept = Vec::new();
        for (i, s) in state.checkpoint_sizes.iter().copied().enumerate() {
            if i + 2 >= n || Some(s) == published_size {
                kept.push(s);
            }
        }
        state.checkpoint_sizes = kept;
        // Under a lease the signed note is committed with the state: what is published is
        // what was committed under the token (coordinated.rs).
        let committed_note = note.clone();
        self.swap_state_with(state, |c| {
            c.checkpoint = Some(minicbor::bytes::ByteVec::from(committed_note))
        })?;
        // Publish in the history (write-once), then as the latest: a crash between the two
        // leaves a history one checkpoint ahead of `checkpoint`, every entry of a tree whose
        // tiles exist; the next checkpoint catches up.
        history::publish(self.public.as_ref(), &cp, &note)?;
        crash_point(5);
        self.coord_check()?;
        self.public
            .compare_and_swap(reader::CHECKPOINT_KEY, published.as_deref(), &note)?;
        Ok(note)
    }

    /// The signed checkpoint of `size` that this log published: its entry in the public
    /// history, or the private copy of a checkpoint signed before the history existed.
    pub fn checkpoint_at(&self, size: u64) -> Result<Option<Vec<u8>>, LogError> {
        if let Some(note) = self.reader().published_checkpoint(size)? {
            return Ok(Some(note));
        }
        Ok(self.private.get(&format!("checkpoints/{size:020}"))?)
    }
}
