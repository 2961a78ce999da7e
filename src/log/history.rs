//! The public checkpoint history: every checkpoint the log signs, write-once, beside the latest
//! (`docs/FORMAT.md` §Checkpoint history; an extension of C2SP tlog-tiles, whose paths it
//! leaves untouched).
//!
//! Owns the layout `public/checkpoints/<N>`: the signed checkpoint (the note as the log signed
//! it, with its timestamped cosignature) of tree size `N`, `N` written like a tile index
//! (`1234067` → `checkpoints/x001/x234/067`). The first checkpoint signed at a size is kept; a
//! later one of the same size (same tree, a newer time) only replaces `public/checkpoint`.
//! Static: a client that knows a size fetches its checkpoint by path; [`sizes`] lists them
//! where the store can list. Nothing here reads the clock or verifies signatures.

use crate::checkpoint::Checkpoint;
use crate::store::{ObjectStore, StoreError};

/// The folder of the history under `public/`.
pub const HISTORY_PREFIX: &str = "checkpoints";

/// Why publishing a history entry failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The history already holds a checkpoint of this size with another root (or one that
    /// does not parse): publishing would contradict what is public.
    #[error(
        "{path}: the history already holds a checkpoint of size {size} that differs from the \
         tree being signed ({reason}); refusing to publish a second tree of the same size"
    )]
    Conflict {
        path: String,
        size: u64,
        reason: String,
    },
}

/// The folder of the rotation checkpoints published beside the history (§Key rotation): the
/// rotation checkpoint of a size whose history entry was already signed by the old key alone.
pub const ROTATIONS_PREFIX: &str = "rotations";

/// The object key of the rotation checkpoint of size `size` kept beside the history (used
/// only when the history entry of `size` predates the rotation).
pub fn rotation_key(size: u64) -> String {
    format!("{ROTATIONS_PREFIX}/{}", crate::tiles::index_path(size))
}

/// Publish `note`, the rotation checkpoint of size `size`, write-once under
/// [`rotation_key`]. The same bytes already there are kept; anything else is a
/// [`HistoryError::Conflict`] (a rotation at `size` was already published).
pub fn publish_rotation(
    store: &dyn ObjectStore,
    size: u64,
    note: &[u8],
) -> Result<(), HistoryError> {
    let key = rotation_key(size);
    match store.compare_and_swap(&key, None, note) {
        Ok(()) => Ok(()),
        Err(StoreError::CasConflict { .. }) => {
            if store
                .get_at_most(&key, crate::note::MAX_NOTE_SIZE)?
                .as_deref()
                == Some(note)
            {
                return Ok(());
            }
            Err(HistoryError::Conflict {
                path: store.describe(&key),
                size,
                reason: "another rotation checkpoint of this size is published".into(),
            })
        }
        Err(e) => Err(e.into()),
    }
}

/// The object key of the history entry of tree size `size`.
pub fn key(size: u64) -> String {
    format!("{HISTORY_PREFIX}/{}", crate::tiles::index_path(size))
}

/// The object key of the RFC 3161 time-stamp response over the checkpoint of tree size `size`
/// (`checkpoints/<N>.tsr`, docs/FORMAT.md §Timestamp tokens): not a history entry
/// ([`parse_key`] ignores it).
/// Whether `note` is the same signing of its size as `first` (the history entry
/// `checkpoints/<N>`, the first signing): the same text and the same signatures by the log
/// (its name is the origin, the text's first line), witness cosignatures aside. A token at
/// `checkpoints/<N>.tsr` was obtained for the first signing; a later signing of the same tree
/// (another time in the log's cosignature) is not bounded by it.
pub fn same_signing(note: &[u8], first: &[u8]) -> bool {
    let (Ok(a), Ok(b)) = (
        crate::note::parse_note(note),
        crate::note::parse_note(first),
    ) else {
        return false;
    };
    let origin = a.text.lines().next().unwrap_or_default().to_string();
    let by_log = |n: &crate::note::Note| -> Vec<(u32, Vec<u8>)> {
        n.signatures
            .iter()
            .filter(|s| s.name == origin)
            .map(|s| (s.key_id, s.sig_bytes.clone()))
            .collect()
    };
    a.text == b.text && !by_log(&a).is_empty() && by_log(&a) == by_log(&b)
}

pub fn timestamp_key(size: u64) -> String {
    format!("{}.tsr", key(size))
}

/// The tree size of a time-stamp response key ([`timestamp_key`]), if `key` is one.
pub fn parse_timestamp_key(key: &str) -> Option<u64> {
    parse_key(key.strip_suffix(".tsr")?)
}

/// Keep `response` (a verified time-stamp response over the checkpoint of `size`) write-once
/// under [`timestamp_key`]: `Ok(true)` when written, `Ok(false)` when a token of that size is
/// already kept (the first one stays: it proves the earlier time).
pub fn publish_timestamp(
    store: &dyn ObjectStore,
    size: u64,
    response: &[u8],
) -> Result<bool, StoreError> {
    match store.compare_and_swap(&timestamp_key(size), None, response) {
        Ok(()) => Ok(true),
        Err(StoreError::CasConflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The tree size of a history key, if `key` is one in canonical form.
pub fn parse_key(key: &str) -> Option<u64> {
    let rest = key.strip_prefix(HISTORY_PREFIX)?.strip_prefix('/')?;
    crate::tiles::parse_index_path(rest)
}

/// The sizes the history of `store` holds, ascending (objects that are not history entries
/// are ignored).
pub fn sizes(store: &dyn ObjectStore) -> Result<Vec<u64>, StoreError> {
    let mut v: Vec<u64> = store
        .list(HISTORY_PREFIX)?
        .iter()
        .filter_map(|k| parse_key(k))
        .collect();
    v.sort_unstable();
    Ok(v)
}

/// Publish `note` (a signed checkpoint of `cp`) as the history entry of `cp.size`, write-once
/// and durable on return. An entry already there of the same tree (size and root) is kept
/// as it is; one of another tree is a [`HistoryError::Conflict`] and nothing is written.
pub fn publish(store: &dyn ObjectStore, cp: &Checkpoint, note: &[u8]) -> Result<(), HistoryError> {
    let key = key(cp.size);
    match store.compare_and_swap(&key, None, note) {
        Ok(()) => Ok(()),
        Err(StoreError::CasConflict { .. }) => {
            let existing = store.get_at_most(&key, crate::note::MAX_NOTE_SIZE)?;
            let conflict = |reason: String| HistoryError::Conflict {
                path: store.describe(&key),
                size: cp.size,
                reason,
            };
            let existing = existing.ok_or_else(|| conflict("it vanished meanwhile".into()))?;
            let parsed = crate::note::parse_note(&existing)
                .map_err(|e| e.to_string())
                .and_then(|n| Checkpoint::parse(&n.text).map_err(|e| e.to_string()))
                .map_err(|e| conflict(format!("it does not parse: {e}")))?;
            if (parsed.origin.as_str(), parsed.size, parsed.root)
                != (cp.origin.as_str(), cp.size, cp.root)
            {
                return Err(conflict(format!(
                    "its root is {}, the tree's {}",
                    hex::encode(parsed.root),
                    hex::encode(cp.root)
                )));
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_use_the_tile_index_syntax_and_parse_back() {
        assert_eq!(key(0), "checkpoints/000");
        assert_eq!(key(398), "checkpoints/398");
        assert_eq!(key(1_234_067), "checkpoints/x001/x234/067");
        assert_eq!(timestamp_key(1_234_067), "checkpoints/x001/x234/067.tsr");
        assert_eq!(
            parse_timestamp_key("checkpoints/x001/x234/067.tsr"),
            Some(1_234_067)
        );
        assert_eq!(parse_timestamp_key("checkpoints/x001/x234/067"), None);
        assert_eq!(parse_timestamp_key("checkpoints/67.tsr"), None);
        for n in [0, 1, 398, 999, 1000, 1_234_067, u64::MAX] {
            assert_eq!(parse_key(&key(n)), Some(n));
        }
        for bad in [
            "checkpoints/0",
            "checkpoints/1234",
            "checkpoints/001/234",
            "checkpoints/x000/398",
            "checkpoints/398.p/3",
            "checkpoint/398",
            "checkpoints/398.tmp-1",
            "checkpoints/398.tsr",
        ] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }
}
