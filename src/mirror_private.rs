//! Copying a log's private part (`logseal mirror SRC DST --private PRIV`): its state, data
//! keys and sealed disclosures, from a log directory (its private part wherever its config
//! puts it) to a directory or a bucket — **never a data key that a published
//! retention-deletion says was destroyed** (a mirror must not un-erase).
//!
//! Owns: the rules of that copy. It runs after the public part was mirrored and verified
//! ([`crate::mirror`]); the destroyed keys are read from that verified copy: every
//! retention-deletion record with method `crypto-shred` names its key by `shredded_key_id`
//! (`vault::DataKey::id`). A key in the source whose id is named there — a backup restored
//! over the private part, an erasure interrupted before it destroyed the key — is not copied,
//! nor the sealed objects under it. Everything is created only where absent (an object there
//! with other bytes stops the copy); the state is written last, and only over an older state.

use std::collections::BTreeSet;

use crate::log::State;
use crate::log::reader::{LogReader, ReadError};
use crate::log::vault::{self, DataKey, ObjectName};
use crate::record::Record;
use crate::record::kinds::Body;
use crate::record::kinds::retention_deletion::DeletionMethod;
use crate::record::types::Hash32;
use crate::store::{ObjectStore, StoreError};
use crate::tree::TreeHashAlg;

/// What the copy did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PrivateCopied {
    /// Data keys and sealed objects written.
    pub copied: u64,
    /// Already at the destination with the same bytes.
    pub present: u64,
    /// Data keys not copied because a published retention-deletion destroyed them.
    pub destroyed: Vec<String>,
    /// Sealed objects not copied because their key was not (destroyed, or absent).
    pub without_key: u64,
    /// The size of the state copied.
    pub size: u64,
    /// Keys and objects an earlier copy held that this one does not (deleted).
    pub removed: u64,
}

/// Why the copy stopped; every variant names the object or the location.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrivateMirrorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{0}: {1}")]
    Bad(String, String),
    #[error(
        "{key}: the destination holds other bytes; nothing there was replaced (a private part \
         of another log, or a key re-made since)"
    )]
    Differs { key: String },
    #[error(
        "{path}: the source's private state is at {state} records, the mirrored checkpoint at \
         {checkpoint}: checkpoint the log at its current size and mirror again"
    )]
    NotAtCheckpoint {
        path: String,
        state: u64,
        checkpoint: u64,
    },
    #[error(
        "{path}: an erasure or a batch is in progress (its marker is there): open the log \
         (any command that sequences it finishes or undoes it) and mirror again"
    )]
    InProgress { path: String },
    #[error(
        "{path}: the source changed while it was copied (a batch or an erasure began): its \
         state was not copied; mirror again"
    )]
    Changed { path: String },
    #[error(
        "{path}: the destination's private state is at {dst} records, ahead of the source's \
         {src}: never rolled back"
    )]
    Ahead { path: String, dst: u64, src: u64 },
}

/// The ids of the data keys that the retention-deletions of the tree of `size` in `public`
/// say were destroyed.
pub fn destroyed_key_ids(
    public: &dyn ObjectStore,
    alg: TreeHashAlg,
    size: u64,
) -> Result<BTreeSet<Hash32>, PrivateMirrorError> {
    let reader = LogReader::new(public, alg);
    let mut ids = BTreeSet::new();
    reader.for_each_entry(size, 0, size, |leaf, entry| {
        // The public part was verified before this runs: a record that does not decode now
        // means the copy changed since — stop rather than miss a deletion.
        let rec = Record::decode(entry).map_err(|e| ReadError::Corrupt {
            path: format!("leaf {leaf}"),
            reason: format!("a record of the verified copy no longer decodes: {e}"),
        })?;
        if let Body::RetentionDeletion(d) = &rec.payload().body
            && d.method == DeletionMethod::CryptoShred
            && let Some(id) = d.shredded_key_id
        {
            ids.insert(id);
        }
        Ok(())
    })?;
    Ok(ids)
}

/// Copy the private part `src` of a log whose verified public part is `public` (at the
/// checkpoint of `size`) to `dst`.
pub fn mirror_private(
    src: &dyn ObjectStore,
    public: &dyn ObjectStore,
    alg: TreeHashAlg,
    (size, root): (u64, crate::tree::Hash),
    dst: &dyn ObjectStore,
) -> Result<PrivateCopied, PrivateMirrorError> {
    for marker in ["sweep", "intent"] {
        if src.get(marker)?.is_some() {
            return Err(PrivateMirrorError::InProgress {
                path: src.describe(marker),
            });
        }
    }
    let state_bytes = src
        .get("state")?
        .ok_or_else(|| PrivateMirrorError::Bad(src.describe("state"), "missing".into()))?;
    let state = State::from_bytes(&state_bytes)
        .map_err(|e| PrivateMirrorError::Bad(src.describe("state"), e.to_string()))?;
    if state.size != size {
        return Err(PrivateMirrorError::NotAtCheckpoint {
            path: src.describe("state"),
            state: state.size,
            checkpoint: size,
        });
    }
    if state.root.0 != root {
        return Err(PrivateMirrorError::Bad(
            src.describe("state"),
            format!(
                "its root {} is not the mirrored checkpoint's {}: another log's private part",
                hex::encode(state.root.0),
                hex::encode(root)
            ),
        ));
    }
    // Before anything is written: the destination holds no private part, this one's, or an
    // earlier copy of this log's (its root is the tree's at its size, never ahead).
    let dst_state = dst.get("state")?;
    if let Some(b) = &dst_state
        && *b != state_bytes
    {
        let old = State::from_bytes(b)
            .map_err(|e| PrivateMirrorError::Bad(dst.describe("state"), e.to_string()))?;
        if old.size > state.size {
            return Err(PrivateMirrorError::Ahead {
                path: dst.describe("state"),
                dst: old.size,
                src: state.size,
            });
        }
        let same_log = LogReader::new(public, alg)
            .root(old.size)
            .is_ok_and(|r| r == old.root.0);
        if !same_log {
            return Err(PrivateMirrorError::Bad(
                dst.describe("state"),
                "a private state of another log (its root is not this tree's at its size); \
                 nothing there was replaced"
                    .into(),
            ));
        }
    }
    if dst_state.is_none() {
        for prefix in [vault::KEYS_PREFIX, vault::OBJECTS_PREFIX] {
            if let Some(k) = dst.list(prefix)?.first() {
                return Err(PrivateMirrorError::Bad(
                    dst.describe(k),
                    "the destination holds data keys or sealed objects but no state: not a \
                     copy this command completed (or another log's); nothing there was \
                     replaced — empty it and mirror again"
                        .into(),
                ));
            }
        }
    }
    let destroyed_ids = destroyed_key_ids(public, alg, size)?;
    let mut out = PrivateCopied {
        size,
        ..Default::default()
    };
    // (group, generation) → the id of the key copied for it.
    let mut keyed: std::collections::BTreeMap<(String, u64), Hash32> = Default::default();
    let mut written: BTreeSet<String> = BTreeSet::new();
    for key in src.list(vault::KEYS_PREFIX)? {
        let Some((group, gen_)) = vault::parse_key_path(&key) else {
            return Err(PrivateMirrorError::Bad(
                src.describe(&key),
                "not the name of a data key (keys/<group>/<gen>)".into(),
            ));
        };
        let bytes = src
            .get(&key)?
            .ok_or_else(|| PrivateMirrorError::Bad(src.describe(&key), "vanished".into()))?;
        let data_key = DataKey::from_bytes(&bytes).ok_or_else(|| {
            PrivateMirrorError::Bad(
                src.describe(&key),
                format!("a data key is {} bytes", vault::KEY_LEN),
            )
        })?;
        if destroyed_ids.contains(&data_key.id()) {
            out.destroyed.push(key);
            continue;
        }
        copy_once(dst, &key, &bytes, &mut out)?;
        written.insert(key);
        keyed.insert((group, gen_), data_key.id());
    }
    for key in src.list(vault::OBJECTS_PREFIX)? {
        let Some(name) = ObjectName::parse(&key) else {
            return Err(PrivateMirrorError::Bad(
                src.describe(&key),
                "not the name of a sealed object (disclosures/<group>/<gen>/<first>-<end>)".into(),
            ));
        };
        let Some(kid) = keyed.get(&(name.group.clone(), name.gen_)) else {
            out.without_key += 1;
            continue;
        };
        let bytes = src
            .get(&key)?
            .ok_or_else(|| PrivateMirrorError::Bad(src.describe(&key), "vanished".into()))?;
        // Only what is sealed under the very key copied (a generation's path may hold an
        // object sealed under an earlier, destroyed key).
        match vault::sealed_key_id(&bytes) {
            Ok(id) if id == *kid && !destroyed_ids.contains(&id) => {}
            _ => {
                out.without_key += 1;
                continue;
            }
        }
        copy_once(dst, &key, &bytes, &mut out)?;
        written.insert(key);
    }
    // A mirror, not an accumulation: what an earlier copy holds that this one does not —
    // a key destroyed since, the objects sealed under it — is deleted from the destination.
    for prefix in [vault::KEYS_PREFIX, vault::OBJECTS_PREFIX] {
        for key in dst.list(prefix)? {
            if !written.contains(&key) {
                dst.delete(&key)?;
                out.removed += 1;
            }
        }
    }
    dst.sync()?;
    // The source must not have changed meanwhile (a sweep or a batch that began after the
    // first look): otherwise the copy may hold a key the new records destroy.
    let again = src.get("state")?;
    let busy = src.get("sweep")?.is_some() || src.get("intent")?.is_some();
    if again.as_deref() != Some(state_bytes.as_slice()) || busy {
        return Err(PrivateMirrorError::Changed {
            path: src.describe("state"),
        });
    }
    // The state last: the destination's private part names nothing before its objects exist.
    match &dst_state {
        None => dst.compare_and_swap("state", None, &state_bytes)?,
        Some(b) if *b == state_bytes => out.present += 1,
        Some(b) => dst.compare_and_swap("state", Some(b), &state_bytes)?,
    }
    Ok(out)
}

fn copy_once(
    dst: &dyn ObjectStore,
    key: &str,
    bytes: &[u8],
    out: &mut PrivateCopied,
) -> Result<(), PrivateMirrorError> {
    match dst.get(key)? {
        None => {
            dst.put(key, bytes)?;
            out.copied += 1;
        }
        Some(b) if b == bytes => out.present += 1,
        Some(_) => {
            return Err(PrivateMirrorError::Differs {
                key: dst.describe(key),
            });
        }
    }
    Ok(())
}
