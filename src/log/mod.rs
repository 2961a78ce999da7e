//! The log: a sequencer appending admitted records to an RFC 9162 tree stored as C2SP
//! tlog-tiles, and publishing signed checkpoints.
//!
//! Owns the log directory's layout (docs/FORMAT.md §Log directory):
//! ```text
//! DIR/public/    servable as is by any static web server (C2SP tlog-tiles)
//!     checkpoint                      the latest signed checkpoint
//!     tile/<L>/<N>[.p/<W>]            hash tiles
//!     tile/entries/<N>[.p/<W>]        entry bundles (the records)
//!     checkpoints/<N>                 every checkpoint signed, by tree size, write-once
//!                                     ([`history`]; an extension of tlog-tiles)
//! DIR/private/   never served, never in a tile
//!     config.json                     origin, tree hash, log and authority public keys
//!     log.key                         the log's signing key (mode 0600)
//!     state                           size, root, producer heads, key registry
//!     lock                            the sequencer lock
//!     intent                          [old, new] of a batch being written
//!     keys/<group>/<gen>              data keys of the disclosure groups ([`vault`])
//!     disclosures/<group>/<gen>/<first>-<end>
//!                                     one batch's disclosures of a group, sealed
//!     sweep                           an erasure in progress: what it creates, what it
//!                                     destroys, and the leaf hashes of its records
//!     checkpoints/<size>              checkpoints signed before the public history existed
//! ```
//! An append is durable when it returns: the batch is announced in `intent`, every object of
//! the batch is written and synced, then the state is swapped (one compare-and-swap per
//! batch: group commit). A crash before the swap leaves the previous state, whose objects
//! are all intact; [`Log::open`] removes what the crashed batch wrote (its `intent` names it).
//! Before that, [`Log::open`] compares the private state with the public part and refuses
//! one that is behind it (a `private/` restored from a backup): writing would sign a fork,
//! and its leftover intents would delete published objects ([`restore`]; `logseal recover`
//! rebuilds it).
//!
//! Partial tiles and bundles follow C2SP tlog-tiles: those of every size a checkpoint was
//! signed for are kept until the full tile (bundle) exists, then deleted (but those of the
//! latest checkpoints, which verifiers read); those of a size never checkpointed are deleted
//! once a batch supersedes them. Readers fall back to the full tile's prefix
//! ([`LogReader::tile`]).
//!
//! Disclosures are sealed per (declared retention rule, UTC day) group under keys kept in
//! `keys/` ([`vault`]). An erasure ([`Log::erase`]) re-seals what a group keeps under a new
//! key, appends the retention-deletion records, and only then destroys the old key and
//! ciphertext; `sweep` lets [`Log::open`] finish or undo an erasure a crash interrupted,
//! so there is never an erasure without its record, nor a record of one that did not happen.
//! An erasure that fails in-process, or an append whose state swap failed, leaves the [`Log`]
//! refusing to write or read disclosures ([`LogError::Poisoned`]) unless it is certain the
//! commit did not happen and the undo succeeded; reopening recovers it. Read-only handles
//! ([`Log::open_read_only`]) never recover anything: they read `sweep` and `state` before
//! listing the vault (so a listing taken after a committed `sweep` holds what it re-sealed),
//! re-scan the vault once when an object they listed has gone or changed key, and honour a
//! committed `sweep` whose sequencer has not finished it.

pub mod admission;
pub mod history;
pub mod reader;
pub mod restore;
mod rotation;
pub mod state;
pub mod vault;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use rayon::prelude::*;

use crate::checkpoint;
use crate::crypto::PublicKey;
use crate::note::{Ed25519NoteKey, Ed25519NoteVerifier, NoteVerifier};
use crate::record::kinds::Body;
use crate::record::kinds::retention_deletion::{DeletionMethod, RangeType};
use crate::record::sealed::FieldPath;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;
use crate::record::{Disclosure, Record, RecordError};
use crate::store::{FsStore, ObjectStore, SequencerLock, StoreError};
use crate::tiles;
use crate::tree::{self, Hash, HashReader, TreeError, TreeHashAlg};
pub use admission::{Authority, Refusal};
pub use reader::{LogReader, ReadError};
pub use restore::{Mismatch, Recovering, RecoveryPlan};
pub use state::State;

/// Format version of `private/config.json`.
pub const CONFIG_VERSION: u64 = 2;
/// A BLAKE3 log's origin ends with this, so no reader can mistake its tree hash.
pub const BLAKE3_ORIGIN_SUFFIX: &str = "/blake3";
const STATE_KEY: &str = "state";
const CONFIG_KEY: &str = "config.json";
const LOG_KEY_KEY: &str = "log.key";
/// `[old size, new size]` of a batch being written (deleted once it is committed).
const INTENT_KEY: &str = "intent";
/// An erasure in progress: the objects and keys it creates and destroys.
const SWEEP_KEY: &str = "sweep";
/// Format version of `private/sweep` (the first element of its array).
pub const SWEEP_VERSION: u64 = 2;
/// Sealed objects kept open in memory.
const CACHE_OBJECTS: usize = 32;
/// How many times a read-only handle scans the vault while `sweep` keeps changing.
const SCAN_ATTEMPTS: usize = 4;

/// `private/config.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub format: u64,
    pub origin: String,
    pub tree_hash: String,
    /// The log's verifier key (C2SP signed-note form; its name is the origin).
    pub log_key: String,
    /// The registration authority's verifier key; its name is the authority's producer id.
    pub authority_key: String,
}

/// Why a log operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Tree(#[from] TreeError),
    #[error("{dir} is not a logseal log directory (no private/config.json)")]
    NotALog { dir: String },
    #[error("{dir} already exists and is not empty; init refuses to touch it")]
    NotEmpty { dir: String },
    #[error("{path}: {reason}")]
    Config { path: String, reason: String },
    #[error("{path}: state is corrupt: {reason}")]
    State { path: String, reason: String },
    #[error("record {index} of the batch was refused: {refusal}")]
    Refused { index: usize, refusal: Refusal },
    #[error("record {index} of the batch: disclosure {disclosure}: {reason}")]
    BadDisclosure {
        index: usize,
        disclosure: usize,
        reason: String,
    },
    #[error(
        "{dir}: {mismatch}. Nothing was changed: the log refuses to write, so that it never \
         publishes anything that contradicts what is already public. Rebuild the private \
         state from the public part with `logseal recover {dir} --executor-key KEY` \
         (docs/RETENTION.md, Backup and restore)"
    )]
    PrivateMismatch {
        dir: String,
        mismatch: restore::Mismatch,
    },
    #[error("{dir}: cannot rebuild the private state: {reason}; nothing was changed")]
    Recovery { dir: String, reason: String },
    #[error("this log is open read-only; appending and checkpointing need the sequencer lock")]
    ReadOnly,
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("checkpoint: {0}")]
    History(#[from] history::HistoryError),
    #[error("erasure refused: {0}")]
    Erase(String),
    #[error(
        "{dir}: an erasure or append failed mid-way, so this handle may be wrong about the \
         log; reopen the log to recover it (Log::open finishes or undoes it)"
    )]
    Poisoned { dir: String },
    #[error(
        "the append's outcome is unknown (the state swap failed: the batch may or may not \
         be durable); reopen the log to learn it: {error}"
    )]
    AppendInterrupted {
        /// What failed (part of the message, not a `source`: it would print twice).
        error: Box<LogError>,
    },
    #[error(
        "the erasure {outcome}; reopen the log to recover it (Log::open finishes or undoes \
         it): {error}"
    )]
    EraseInterrupted {
        /// What is known of the commit.
        outcome: String,
        /// What failed (part of the message, not a `source`: it would print twice).
        error: Box<LogError>,
    },
}

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
struct StagedBatch {
    old: u64,
    /// The state to swap in (size and root of the batch).
    state: State,
    receipts: Vec<Receipt>,
    new_keys: Vec<(String, u64)>,
    new_objects: Vec<vault::ObjectName>,
}

/// Why an append failed, and whether its batch may nevertheless have been committed.
struct AppendFailure {
    error: LogError,
    /// The state compare-and-swap was attempted: the batch may be durable.
    maybe_committed: bool,
}

/// An open log.
pub struct Log {
    dir: PathBuf,
    public: FsStore,
    private: FsStore,
    config: LogConfig,
    alg: TreeHashAlg,
    authority: Authority,
    log_verifier: Ed25519NoteVerifier,
    state: State,
    state_bytes: Vec<u8>,
    lock: Option<SequencerLock>,
    vault: RwLock<VaultView>,
    /// Recently opened sealed objects, by store key (a sweep or a re-scan clears it).
    cache: Mutex<Vec<(String, Arc<vault::Entries>)>>,
    /// An erasure failed after announcing itself and was not certainly undone: every write
    /// is refused until the log is reopened (and `private/sweep` recovered).
    poisoned: bool,
}

/// What this handle knows of the vault.
#[derive(Debug, Default)]
struct VaultView {
    index: VaultIndex,
    /// Read-only handles: the objects a committed erasure destroys (its sequencer has not
    /// yet finished it).
    shredded: BTreeSet<String>,
    /// Read-only handles: objects listed by the latest scan that were found unreadable just
    /// after it (gone, or under another key); not re-scanned for again.
    gone: BTreeSet<String>,
}

/// Which sealed objects and keys the private part holds.
#[derive(Debug, Default)]
struct VaultIndex {
    /// First leaf of a batch → the objects written for it (one per group and generation).
    by_batch: BTreeMap<u64, Vec<vault::ObjectName>>,
    /// (group, generation) → its objects.
    by_group: BTreeMap<(String, u64), Vec<vault::ObjectName>>,
    /// Group → generations whose key is present.
    keys: BTreeMap<String, BTreeSet<u64>>,
}

impl VaultIndex {
    fn load(store: &FsStore) -> Result<Self, LogError> {
        let mut ix = VaultIndex::default();
        for key in store.list(vault::OBJECTS_PREFIX)? {
            let name = vault::ObjectName::parse(&key).ok_or_else(|| LogError::State {
                path: store.describe(&key),
                reason: "not the name of a sealed disclosure object \
                         (disclosures/<group>/<gen>/<first>-<end>)"
                    .into(),
            })?;
            ix.add_object(name);
        }
        for key in store.list(vault::KEYS_PREFIX)? {
            let (group, gen_) = vault::parse_key_path(&key).ok_or_else(|| LogError::State {
                path: store.describe(&key),
                reason: "not the name of a data key (keys/<group>/<gen>)".into(),
            })?;
            ix.keys.entry(group).or_default().insert(gen_);
        }
        #[cfg(test)]
        if let Some(hook) = AFTER_LIST.with(|h| h.borrow_mut().take()) {
            hook();
        }
        Ok(ix)
    }

    fn add_object(&mut self, name: vault::ObjectName) {
        self.by_group
            .entry((name.group.clone(), name.gen_))
            .or_default()
            .push(name.clone());
        self.by_batch.entry(name.first).or_default().push(name);
    }

    /// The objects that may hold `leaf`.
    fn objects_for(&self, leaf: u64) -> impl Iterator<Item = &vault::ObjectName> {
        self.by_batch
            .range(..=leaf)
            .next_back()
            .into_iter()
            .flat_map(|(_, v)| v)
            .filter(move |n| leaf < n.end)
    }

    /// The generation new disclosures of `group` are sealed under.
    fn current_gen(&self, group: &str) -> Option<u64> {
        self.keys.get(group).and_then(|g| g.last().copied())
    }
}

/// One record's disclosures to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraseRequest {
    pub leaf: u64,
    /// The fields to erase; empty: every field still readable.
    pub fields: Vec<FieldPath>,
}

/// What an erasure will do, worked out without writing anything ([`Log::plan_erasure`]).
#[derive(Debug, Clone)]
pub struct ErasurePlan {
    /// The log size it was planned at; [`Log::erase`] refuses a plan gone stale.
    pub size: u64,
    pub groups: Vec<GroupErasure>,
}

/// The erasure of one group generation: its key is destroyed; what it keeps is re-sealed
/// under a new key.
#[derive(Debug, Clone)]
pub struct GroupErasure {
    pub group: String,
    pub gen_: u64,
    /// The id of the key destroyed (a retention-deletion's `shredded_key_id`).
    pub key_id: Hash32,
    /// Leaf → the fields erased there.
    pub erased: BTreeMap<u64, Vec<FieldPath>>,
    /// Disclosures kept (re-sealed under the new key).
    pub kept: usize,
    objects: Vec<vault::ObjectName>,
    survivors: Vec<(vault::ObjectName, vault::Entries)>,
}

impl GroupErasure {
    /// How many disclosures are erased.
    pub fn erased_count(&self) -> u64 {
        self.erased.values().map(|f| f.len() as u64).sum()
    }
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Log")
            .field("dir", &self.dir)
            .field("origin", &self.config.origin)
            .field("size", &self.state.size)
            .finish()
    }
}

fn config_err(path: &Path, reason: impl std::fmt::Display) -> LogError {
    LogError::Config {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// The tree hash an origin states: BLAKE3 when it ends in [`BLAKE3_ORIGIN_SUFFIX`], else
/// SHA-256 (see [`check_origin`]).
pub fn origin_alg(origin: &str) -> TreeHashAlg {
    if origin.ends_with(BLAKE3_ORIGIN_SUFFIX) {
        TreeHashAlg::Blake3
    } else {
        TreeHashAlg::Sha256
    }
}

/// Check that `origin` states the tree hash: BLAKE3 logs end in [`BLAKE3_ORIGIN_SUFFIX`],
/// SHA-256 logs do not.
pub fn check_origin(origin: &str, alg: TreeHashAlg) -> Result<(), String> {
    crate::note::check_key_name(origin).map_err(|e| format!("origin {origin:?}: {e}"))?;
    let says_blake3 = origin.ends_with(BLAKE3_ORIGIN_SUFFIX);
    match (alg, says_blake3) {
        (TreeHashAlg::Blake3, false) => Err(format!(
            "origin {origin:?}: a BLAKE3 log's origin must end with {BLAKE3_ORIGIN_SUFFIX:?}"
        )),
        (TreeHashAlg::Sha256, true) => Err(format!(
            "origin {origin:?} ends with {BLAKE3_ORIGIN_SUFFIX:?}, which is reserved for BLAKE3 logs"
        )),
        _ => Ok(()),
    }
}

impl Log {
    /// Create a log in `dir` (absent or empty). `log_key`'s name must be the origin.
    /// Publishes the checkpoint of the empty tree, signed at `now_secs`.
    pub fn init(
        dir: &Path,
        log_key: &Ed25519NoteKey,
        authority_vkey: &str,
        alg: TreeHashAlg,
        now_secs: u64,
    ) -> Result<Log, LogError> {
        let origin = log_key.verifier().name().to_string();
        check_origin(&origin, alg).map_err(|r| config_err(dir, r))?;
        let authority = Ed25519NoteVerifier::from_vkey(authority_vkey.trim())
            .map_err(|e| config_err(dir, format!("authority key: {e}")))?;
        ProducerId::new(authority.name()).map_err(|e| {
            config_err(
                dir,
                format!(
                    "the authority key's name {:?} must be a valid producer id: {e}",
                    authority.name()
                ),
            )
        })?;
        if dir.exists() {
            let mut rd = std::fs::read_dir(dir).map_err(|e| config_err(dir, e))?;
            if rd.next().is_some() {
                return Err(LogError::NotEmpty {
                    dir: dir.display().to_string(),
                });
            }
        }
        let private = FsStore::open(dir.join("private"))?;
        let lock = SequencerLock::acquire(private.root())?;
        let public = FsStore::open(dir.join("public"))?;
        let config = LogConfig {
            format: CONFIG_VERSION,
            origin,
            tree_hash: alg.name().to_string(),
            log_key: log_key.verifier().to_vkey(),
            authority_key: authority.to_vkey(),
        };
        write_secret(
            &private.root().join(LOG_KEY_KEY),
            log_key.to_skey().as_bytes(),
        )?;
        let config_json = serde_json::to_vec_pretty(&config).expect("config serialises");
        private.compare_and_swap(CONFIG_KEY, None, &config_json)?;
        let state = State::new(alg.empty());
        private.compare_and_swap(STATE_KEY, None, &state.to_bytes())?;
        let mut log = Log::from_parts(dir, public, private, Some(lock))?;
        log.checkpoint(now_secs)?;
        Ok(log)
    }

    /// Open `dir` as its sequencer (taking the lock; fails at once if another holds it).
    pub fn open(dir: &Path) -> Result<Log, LogError> {
        let private = open_existing(dir)?;
        let lock = SequencerLock::acquire(private.root())?;
        private.remove_stale_temporaries()?;
        let public = FsStore::open(dir.join("public"))?;
        public.remove_stale_temporaries()?;
        let mut log = Log::from_parts(dir, public, private, Some(lock))?;
        // Before any recovery step: a private part behind the public one (restored from a
        // backup) must not write, and its leftover intents must not delete published objects.
        log.check_private_matches_public()?;
        log.recover()?;
        Ok(log)
    }

    /// Finish what a crashed writer left: the objects of a batch that was announced in
    /// `private/intent` but never committed (its tiles, bundles and disclosures beyond the
    /// durable size, which may hold another batch's personal data), and the size of a
    /// checkpoint published just before a crash.
    fn recover(&mut self) -> Result<(), LogError> {
        if let Some(bytes) = self.private.get(INTENT_KEY)? {
            let path = self.private.describe(INTENT_KEY);
            let (old, new): (u64, u64) =
                crate::cbor::decode_canonical(&bytes).map_err(|e| LogError::State {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            if self.state.size == old && new > old {
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
                for t in tiles::new_tile_ids(old, new)? {
                    if !keep.contains(&t.path()) {
                        self.public.delete(&t.path())?;
                    }
                }
                for b in tiles::new_entry_bundle_ids(old, new)? {
                    if !keep.contains(&b.path()) {
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
        }
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

    /// The sizes whose partial tiles must stay readable: the durable size and the kept
    /// checkpoints'.
    fn kept_sizes(&self) -> Vec<u64> {
        let mut v = self.state.checkpoint_sizes.clone();
        v.push(self.state.size);
        v
    }

    fn swap_state(&mut self, state: State) -> Result<(), LogError> {
        let bytes = state.to_bytes();
        self.private
            .compare_and_swap(STATE_KEY, Some(&self.state_bytes), &bytes)?;
        self.state = state;
        self.state_bytes = bytes;
        Ok(())
    }

    /// Open `dir` for reading only (no lock; never blocks the sequencer).
    pub fn open_read_only(dir: &Path) -> Result<Log, LogError> {
        let private = open_existing(dir)?;
        let public = FsStore::open(dir.join("public"))?;
        Log::from_parts(dir, public, private, None)
    }

    fn from_parts(
        dir: &Path,
        public: FsStore,
        private: FsStore,
        lock: Option<SequencerLock>,
    ) -> Result<Log, LogError> {
        let cfg_path = private.root().join(CONFIG_KEY);
        let raw = private
            .get(CONFIG_KEY)?
            .ok_or_else(|| config_err(&cfg_path, "missing"))?;
        let config: LogConfig =
            serde_json::from_slice(&raw).map_err(|e| config_err(&cfg_path, e))?;
        if config.format != CONFIG_VERSION {
            return Err(config_err(
                &cfg_path,
                format!(
                    "format {} is not supported (expected {CONFIG_VERSION})",
                    config.format
                ),
            ));
        }
        let alg = TreeHashAlg::parse(&config.tree_hash).map_err(|e| config_err(&cfg_path, e))?;
        check_origin(&config.origin, alg).map_err(|r| config_err(&cfg_path, r))?;
        let log_verifier = Ed25519NoteVerifier::from_vkey(&config.log_key)
            .map_err(|e| config_err(&cfg_path, format!("log_key: {e}")))?;
        let av = Ed25519NoteVerifier::from_vkey(&config.authority_key)
            .map_err(|e| config_err(&cfg_path, format!("authority_key: {e}")))?;
        let authority = Authority {
            producer: ProducerId::new(av.name())
                .map_err(|e| config_err(&cfg_path, format!("authority_key name: {e}")))?,
            key: *av.public_key(),
        };
        let (state_bytes, state) = load_state(&private)?;
        let read_only = lock.is_none();
        let mut log = Log {
            dir: dir.to_path_buf(),
            public,
            private,
            config,
            alg,
            authority,
            log_verifier,
            state,
            state_bytes,
            lock,
            vault: RwLock::new(VaultView::default()),
            cache: Mutex::new(Vec::new()),
            poisoned: false,
        };
        if read_only {
            // The sequencer may be sweeping: state and vault as one consistent view.
            let (state_bytes, state, view) = log.scan()?;
            log.state = state;
            log.state_bytes = state_bytes;
            *log.vault.get_mut().expect("vault lock") = view;
        } else {
            log.vault.get_mut().expect("vault lock").index = VaultIndex::load(&log.private)?;
        }
        Ok(log)
    }

    /// Reload the vault index from the store (the sequencer, after removing objects).
    fn reload_vault(&mut self) -> Result<(), LogError> {
        let index = VaultIndex::load(&self.private)?;
        *self.vault.get_mut().expect("vault lock") = VaultView {
            index,
            ..Default::default()
        };
        self.cache.get_mut().expect("cache lock").clear();
        Ok(())
    }

    /// Read-only handles: scan the vault again, with the objects a committed sweep destroys.
    fn rescan_vault(&self) -> Result<(), LogError> {
        let (_, _, view) = self.scan()?;
        *self.vault.write().expect("vault lock") = view;
        self.cache.lock().expect("cache lock").clear();
        Ok(())
    }

    /// Read-only handles: the sequencer's state and the vault as one consistent view, never
    /// recovering anything. `sweep` and `state` are read before the vault is listed: an
    /// erasure re-seals (and syncs) its survivors before it commits, so a listing taken after
    /// seeing its commit holds them, and the old objects the committed `sweep` destroys are
    /// marked shredded. If `sweep` changed while the vault was listed (an erasure began or
    /// ended meanwhile), the scan is taken again.
    fn scan(&self) -> Result<(Vec<u8>, State, VaultView), LogError> {
        let mut last = None;
        for _ in 0..SCAN_ATTEMPTS {
            let sweep_bytes = self.private.get(SWEEP_KEY)?;
            let intent = match &sweep_bytes {
                Some(b) => Some(
                    SweepIntent::from_bytes(b).map_err(|reason| LogError::State {
                        path: self.private.describe(SWEEP_KEY),
                        reason,
                    })?,
                ),
                None => None,
            };
            let (state_bytes, state) = load_state(&self.private)?;
            let committed = match &intent {
                Some(i) => match self.sweep_committed(i, state.size) {
                    Ok(c) => c,
                    // The partial bundle of that size may have been superseded meanwhile.
                    Err(e) => {
                        last = Some(e);
                        continue;
                    }
                },
                None => false,
            };
            let index = VaultIndex::load(&self.private)?;
            if self.private.get(SWEEP_KEY)? != sweep_bytes {
                continue;
            }
            let shredded = match intent {
                Some(i) if committed => i.old_objects.into_iter().collect(),
                _ => BTreeSet::new(),
            };
            let view = VaultView {
                index,
                shredded,
                gone: BTreeSet::new(),
            };
            return Ok((state_bytes, state, view));
        }
        Err(last.unwrap_or_else(|| LogError::State {
            path: self.private.describe(SWEEP_KEY),
            reason: format!(
                "changed during each of {SCAN_ATTEMPTS} scans of the vault (erasures in quick \
                 succession); read again"
            ),
        }))
    }

    /// Writes need the sequencer lock and a log no failed erasure left in doubt.
    fn writable(&self) -> Result<(), LogError> {
        if self.lock.is_none() {
            return Err(LogError::ReadOnly);
        }
        self.not_poisoned()
    }

    /// Reads of the vault need a handle no failed erasure or append left with a view that
    /// may be wrong (it could read re-sealed survivors as erased).
    fn not_poisoned(&self) -> Result<(), LogError> {
        if self.poisoned {
            return Err(LogError::Poisoned {
                dir: self.dir.display().to_string(),
            });
        }
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    pub fn origin(&self) -> &str {
        &self.config.origin
    }

    pub fn alg(&self) -> TreeHashAlg {
        self.alg
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The number of durable records.
    pub fn size(&self) -> u64 {
        self.state.size
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    pub fn log_public_key(&self) -> &PublicKey {
        self.log_verifier.public_key()
    }

    pub fn log_verifier(&self) -> &Ed25519NoteVerifier {
        &self.log_verifier
    }

    /// A reader of the public part.
    pub fn reader(&self) -> LogReader<'_> {
        LogReader::new(&self.public, self.alg)
    }

    /// The public store (what a static web server would serve).
    pub fn public_store(&self) -> &dyn ObjectStore {
        &self.public
    }

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
    fn append_batch(&mut self, items: &[AppendItem]) -> Result<Vec<Receipt>, AppendFailure> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let staged = self.stage_batch(items).map_err(|error| AppendFailure {
            error,
            maybe_committed: false,
        })?;
        self.commit_batch(staged).map_err(|error| AppendFailure {
            error,
            maybe_committed: true,
        })
    }

    /// Admit a batch and write (and sync) everything it needs but the state.
    fn stage_batch(&mut self, items: &[AppendItem]) -> Result<StagedBatch, LogError> {
        let origin = self.config.origin.clone();
        // 1. Decode and check signatures in parallel against the keys known at batch start.
        let decoded: Vec<Result<Record, RecordError>> = items
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
        let presig: Vec<Option<Result<(), RecordError>>> = decoded
            .par_iter()
            .map(|r| {
                let r = r.as_ref().ok()?;
                let key = keys.get(&Hash32(*r.kid()))?;
                Some(r.verify(key, &origin))
            })
            .collect();
        // 2. Admit in order against an evolving copy of the state.
        let old = self.state.size;
        let mut state = self.state.clone();
        let mut receipts = Vec::with_capacity(items.len());
        let mut leaf_hashes = Vec::with_capacity(items.len());
        for (index, ((item, rec), sig)) in items.iter().zip(&decoded).zip(presig).enumerate() {
            let rec = rec.as_ref().map_err(|e| LogError::Refused {
                index,
                refusal: Refusal::Malformed(e.clone()),
            })?;
            let leaf_index = old + index as u64;
            let leaf_hash = Hash32(self.alg.leaf(&item.record));
            admission::admit(
                &mut state,
                &self.authority,
                &origin,
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
        let new = old + items.len() as u64;
        // 3. Tree hashes, tiles and bundles of the new size.
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
        let new_tiles = tiles::new_tiles(old, new, &overlay)?;
        let mut bundles = Vec::new();
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
            bundles.push((b, data));
        }
        drop(overlay);
        drop(reader);
        // 4. Announce the batch (so that a crash's leftovers can be found and removed), write
        //    everything, then one barrier per store.
        self.private
            .put(INTENT_KEY, &crate::cbor::to_vec(&(old, new)))?;
        self.private.sync()?;
        for (t, data) in &new_tiles {
            self.public.put(&t.path(), data)?;
        }
        for (b, data) in &bundles {
            self.public.put(&b.path(), data)?;
        }
        // Disclosures, sealed per group under the group's current key (a new key, made
        // now, for a group without one).
        let mut groups: BTreeMap<String, Vec<(u64, &[Disclosure])>> = BTreeMap::new();
        for (i, (item, rec)) in items.iter().zip(&decoded).enumerate() {
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
                    let key = self.make_key(group, old)?;
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
            self.private
                .put(&name.path(), &vault::seal(&key, &name, entries, nonce()))?;
            new_objects.push(name);
        }
        self.public.sync()?;
        self.private.sync()?;
        fail_point(2)?;
        state.size = new;
        state.root = Hash32(root);
        Ok(StagedBatch {
            old,
            state,
            receipts,
            new_keys,
            new_objects,
        })
    }

    /// Commit a staged batch: swap the state. A failure here leaves the outcome unknown (the
    /// new state may or may not have been written).
    fn commit_batch(&mut self, staged: StagedBatch) -> Result<Vec<Receipt>, LogError> {
        let StagedBatch {
            old,
            state,
            receipts,
            new_keys,
            new_objects,
        } = staged;
        let new = state.size;
        // 5. Commit: swap the state.
        let bytes = state.to_bytes();
        fail_point(3)?;
        self.private
            .compare_and_swap(STATE_KEY, Some(&self.state_bytes), &bytes)?;
        fail_point(4)?;
        self.state = state;
        self.state_bytes = bytes;
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

    /// Whether a checkpoint of `size` was signed: recorded in the state (before it is
    /// published), or in the public history.
    fn checkpointed(&self, size: u64) -> bool {
        self.state.checkpoint_sizes.contains(&size)
            || !matches!(self.public.get(&history::key(size)), Ok(None))
    }

    /// Delete every partial tile and bundle whose full tile (bundle) the growth from `old`
    /// to `new` published, but those of the checkpoints the state names (the latest ones:
    /// a verifier of the latest checkpoint reads its partials, and need not fall back).
    /// Best effort, like [`Log::remove_partials`]: readers fall back to the full tile, and a
    /// leftover partial must be its prefix.
    fn remove_completed_partials(&self, old: u64, new: u64) {
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
    fn remove_partials(&self, size: u64, keep: &[u64]) {
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
        self.writable()?;
        // At a rotation size, the checkpoint is the rotation checkpoint (both keys).
        if let Some(note) = self.rotation_checkpoint(self.state.size)? {
            return Ok(note);
        }
        let key_path = self.private.root().join(LOG_KEY_KEY);
        let skey = self
            .private
            .get(LOG_KEY_KEY)?
            .ok_or_else(|| config_err(&key_path, "missing"))?;
        let skey = String::from_utf8(skey).map_err(|e| config_err(&key_path, e))?;
        let key = Ed25519NoteKey::from_skey(skey.trim()).map_err(|e| config_err(&key_path, e))?;
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
        self.swap_state(state)?;
        // Publish in the history (write-once), then as the latest: a crash between the two
        // leaves a history one checkpoint ahead of `checkpoint`, every entry of a tree whose
        // tiles exist; the next checkpoint catches up.
        history::publish(&self.public, &cp, &note)?;
        crash_point(5);
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

    /// The disclosures of leaf `index` that can still be read: none when the record had
    /// none, or when they were erased (their key destroyed, or a committed erasure destroys
    /// it). A read-only handle that finds an object it listed gone or sealed under another
    /// key (a concurrent erasure replaced it) scans the vault again, once, before calling
    /// it unreadable. Corruption (an object that fails to open under its own key) is an
    /// error naming the object. A handle a failed erasure or append poisoned refuses
    /// ([`LogError::Poisoned`]): its view may read what survives as erased.
    pub fn disclosures(&self, index: u64) -> Result<Vec<Disclosure>, LogError> {
        self.not_poisoned()?;
        if let Some(out) = self.read_disclosures(index, false)? {
            return Ok(out);
        }
        self.rescan_vault()?;
        Ok(self
            .read_disclosures(index, true)?
            .expect("the pass after a re-scan always answers"))
    }

    /// One pass of [`Log::disclosures`]; `None` when a read-only handle should re-scan first
    /// (not on the pass after a re-scan, `after_scan`).
    fn read_disclosures(
        &self,
        index: u64,
        after_scan: bool,
    ) -> Result<Option<Vec<Disclosure>>, LogError> {
        let names: Vec<vault::ObjectName> = {
            let v = self.vault.read().expect("vault lock");
            v.index
                .objects_for(index)
                .filter(|n| {
                    let p = n.path();
                    !v.shredded.contains(&p) && !v.gone.contains(&p)
                })
                .cloned()
                .collect()
        };
        let mut out: Vec<Disclosure> = Vec::new();
        for name in &names {
            let Some(entries) = self.open_object(name)? else {
                if self.lock.is_some() {
                    // The sequencer's index is authoritative: unreadable means erased.
                    continue;
                }
                if !after_scan {
                    return Ok(None);
                }
                self.vault
                    .write()
                    .expect("vault lock")
                    .gone
                    .insert(name.path());
                continue;
            };
            if let Ok(pos) = entries.binary_search_by_key(&index, |e| e.0) {
                for d in &entries[pos].1 {
                    if !out.iter().any(|o| o.path == d.path) {
                        out.push(d.clone());
                    }
                }
            }
        }
        Ok(Some(out))
    }

    /// Open a sealed object; `None` when it cannot be read with any key the log has: its key
    /// or the object itself is gone, or it was sealed under another key than the one stored
    /// for its generation (a generation made again after an undone erasure, or a key being
    /// overwritten as it is destroyed). An object that fails to open under its own key is
    /// corrupt: an error naming it.
    fn open_object(
        &self,
        name: &vault::ObjectName,
    ) -> Result<Option<Arc<vault::Entries>>, LogError> {
        let path = name.path();
        if let Some((_, e)) = self
            .cache
            .lock()
            .expect("cache lock")
            .iter()
            .find(|(k, _)| *k == path)
        {
            return Ok(Some(e.clone()));
        }
        let Some(key) = self.private.get(&name.key_path())? else {
            return Ok(None);
        };
        let key = vault::DataKey::from_bytes(&key).ok_or_else(|| LogError::State {
            path: self.private.describe(&name.key_path()),
            reason: format!("a data key is {} bytes", vault::KEY_LEN),
        })?;
        let Some(bytes) = self.private.get(&path)? else {
            return Ok(None);
        };
        let entries = match vault::open(&key, name, &bytes) {
            Ok(e) => Arc::new(e),
            Err(vault::VaultError::WrongKey { .. }) => return Ok(None),
            Err(e) => {
                return Err(LogError::State {
                    path: self.private.describe(&path),
                    reason: e.to_string(),
                });
            }
        };
        let mut cache = self.cache.lock().expect("cache lock");
        if cache.len() >= CACHE_OBJECTS {
            cache.remove(0);
        }
        cache.push((path, entries.clone()));
        Ok(Some(entries))
    }

    /// The key of a group generation that must be present.
    fn read_key(&self, group: &str, gen_: u64) -> Result<vault::DataKey, LogError> {
        let path = vault::key_path(group, gen_);
        let bytes = self.private.get(&path)?.ok_or_else(|| LogError::State {
            path: self.private.describe(&path),
            reason: "the data key is missing".into(),
        })?;
        vault::DataKey::from_bytes(&bytes).ok_or_else(|| LogError::State {
            path: self.private.describe(&path),
            reason: format!("a data key is {} bytes", vault::KEY_LEN),
        })
    }

    /// Make and store (not yet synced) a fresh key for a group generation; reuses a key
    /// a crashed writer already made for it.
    fn make_key(&self, group: &str, gen_: u64) -> Result<vault::DataKey, LogError> {
        let path = vault::key_path(group, gen_);
        if self.private.get(&path)?.is_some() {
            return self.read_key(group, gen_);
        }
        let keys_dir = self.private.root().join(vault::KEYS_PREFIX);
        if !keys_dir.exists() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&keys_dir)
                .map_err(|e| config_err(&keys_dir, format!("cannot create: {e}")))?;
        }
        let mut k = [0u8; vault::KEY_LEN];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut k);
        self.private.put(&path, &k)?;
        Ok(vault::DataKey(k))
    }

    /// Destroy a data key: overwrite it in place (best effort: a copy-on-write file system
    /// or an SSD may keep the old blocks), then delete it.
    fn shred_key(&self, key: &str) -> Result<(), LogError> {
        let path = self.private.root().join(key);
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) {
            use std::io::Write;
            let _ = f.write_all(&[0u8; vault::KEY_LEN]);
            let _ = f.sync_all();
        }
        self.private.delete(key)?;
        Ok(())
    }

    /// Work out an erasure: which group generations lose their key, which disclosures go,
    /// and which are kept (re-sealed under a new key). Writes nothing. Refused on a
    /// poisoned handle ([`LogError::Poisoned`]).
    pub fn plan_erasure(&self, requests: &[EraseRequest]) -> Result<ErasurePlan, LogError> {
        self.not_poisoned()?;
        let mut erase: BTreeMap<(String, u64), BTreeMap<u64, BTreeSet<FieldPath>>> =
            BTreeMap::new();
        for r in requests {
            let mut found = None;
            let names: Vec<vault::ObjectName> = {
                let v = self.vault.read().expect("vault lock");
                v.index
                    .objects_for(r.leaf)
                    .filter(|n| !v.shredded.contains(&n.path()))
                    .cloned()
                    .collect()
            };
            for name in &names {
                if let Some(entries) = self.open_object(name)?
                    && let Ok(pos) = entries.binary_search_by_key(&r.leaf, |e| e.0)
                {
                    found = Some((name.clone(), entries[pos].1.clone()));
                    break;
                }
            }
            let Some((name, present)) = found else {
                return Err(LogError::Erase(format!(
                    "leaf {}: no readable disclosures to erase",
                    r.leaf
                )));
            };
            let fields: Vec<FieldPath> = if r.fields.is_empty() {
                present.iter().map(|d| d.path.clone()).collect()
            } else {
                for f in &r.fields {
                    if !present.iter().any(|d| d.path == *f) {
                        return Err(LogError::Erase(format!(
                            "leaf {}: field {f} has no readable disclosure",
                            r.leaf
                        )));
                    }
                }
                r.fields.clone()
            };
            erase
                .entry((name.group, name.gen_))
                .or_default()
                .entry(r.leaf)
                .or_default()
                .extend(fields);
        }
        let mut groups = Vec::new();
        for ((group, gen_), leaves) in erase {
            let key = self.read_key(&group, gen_)?;
            let objects = self
                .vault
                .read()
                .expect("vault lock")
                .index
                .by_group
                .get(&(group.clone(), gen_))
                .cloned()
                .unwrap_or_default();
            let mut survivors = Vec::new();
            let mut kept = 0;
            for name in &objects {
                // An object no key opens has nothing to keep; it is deleted with the others.
                let Some(entries) = self.open_object(name)? else {
                    continue;
                };
                let mut keep: vault::Entries = Vec::new();
                for (leaf, ds) in entries.iter() {
                    let ds: Vec<Disclosure> = ds
                        .iter()
                        .filter(|d| !leaves.get(leaf).is_some_and(|f| f.contains(&d.path)))
                        .cloned()
                        .collect();
                    if !ds.is_empty() {
                        kept += ds.len();
                        keep.push((*leaf, ds));
                    }
                }
                if !keep.is_empty() {
                    survivors.push((name.clone(), keep));
                }
            }
            groups.push(GroupErasure {
                group,
                gen_,
                key_id: key.id(),
                erased: leaves
                    .into_iter()
                    .map(|(l, f)| (l, f.into_iter().collect()))
                    .collect(),
                kept,
                objects,
                survivors,
            });
        }
        Ok(ErasurePlan {
            size: self.state.size,
            groups,
        })
    }

    /// Carry out `plan` and append `records` (the retention-deletion records describing it),
    /// atomically: a crash at any point leaves the old state (nothing erased, no record) or
    /// the new (erased and recorded), which [`Log::open`] completes. Refuses records that do
    /// not describe exactly this erasure: crypto-shred records naming the destroyed keys,
    /// leaf-range targets that cover every erased field and claim nothing kept.
    ///
    /// A failure after the erasure was announced is undone at once only when the commit
    /// certainly did not happen (before the state swap was attempted); otherwise the error
    /// is [`LogError::EraseInterrupted`] and this `Log` refuses every write
    /// ([`LogError::Poisoned`]) until the log is reopened, which finishes or undoes it.
    pub fn erase(
        &mut self,
        plan: &ErasurePlan,
        records: &[AppendItem],
    ) -> Result<Vec<Receipt>, LogError> {
        self.writable()?;
        if plan.size != self.state.size {
            return Err(LogError::Erase(format!(
                "planned at size {}, the log is now at {}: plan again",
                plan.size, self.state.size
            )));
        }
        if plan.groups.is_empty() {
            return Err(LogError::Erase("nothing to erase".into()));
        }
        let sealed = self.sealed_fields(plan)?;
        check_erasure_records(plan, records, &sealed)?;
        let old = self.state.size;
        let new = old + records.len() as u64;
        // 1. Announce: what will be created (undone on a crash before the commit), what
        //    will be destroyed (destroyed on a crash after it), and the records whose
        //    presence at leaves old..new is the commit.
        let mut created_keys = Vec::new();
        let mut new_objects = Vec::new();
        let mut old_keys = Vec::new();
        let mut old_objects = Vec::new();
        for g in &plan.groups {
            old_keys.push(vault::key_path(&g.group, g.gen_));
            old_objects.extend(g.objects.iter().map(|n| n.path()));
            if !g.survivors.is_empty() {
                if g.gen_ == old {
                    return Err(LogError::Erase(format!(
                        "group {} generation {} was keyed at this very size",
                        g.group, g.gen_
                    )));
                }
                let kp = vault::key_path(&g.group, old);
                if self.private.get(&kp)?.is_none() {
                    created_keys.push(kp);
                }
                for (n, _) in &g.survivors {
                    let name = vault::ObjectName {
                        group: g.group.clone(),
                        gen_: old,
                        first: n.first,
                        end: n.end,
                    };
                    new_objects.push(name.path());
                }
            }
        }
        let intent = SweepIntent {
            old,
            new,
            created_keys,
            new_objects,
            old_keys,
            old_objects,
            records: records
                .iter()
                .map(|r| Hash32(self.alg.leaf(&r.record)))
                .collect(),
        };
        // Until the erasure is done or certainly undone, this handle refuses writes (a
        // panic included).
        self.poisoned = true;
        let announced = self
            .private
            .put(SWEEP_KEY, &intent.to_bytes())
            .and_then(|()| self.private.sync());
        if let Err(e) = announced {
            // Nothing else was written: without the intent, nothing happened.
            let removed = self
                .private
                .delete(SWEEP_KEY)
                .and_then(|()| self.private.sync());
            return match removed {
                Ok(()) => {
                    self.poisoned = false;
                    Err(e.into())
                }
                Err(r) => {
                    let _ = self.reload_vault();
                    Err(LogError::EraseInterrupted {
                        outcome: format!(
                            "was not committed, but its intent could not be removed ({r})"
                        ),
                        error: Box::new(e.into()),
                    })
                }
            };
        }
        crash_point(1);
        // 2. Re-seal what each group keeps under its new key; 3. commit: append the records.
        let committed = match self.reseal_survivors(plan, old) {
            Ok(()) => self.append_batch(records),
            Err(error) => Err(AppendFailure {
                error,
                maybe_committed: false,
            }),
        };
        let receipts = match committed {
            Ok(r) => r,
            Err(AppendFailure {
                error,
                maybe_committed: false,
            }) => {
                // Certainly not committed: undo what step 2 made.
                let undone = self.undo_sweep(&intent).and_then(|()| {
                    self.private.delete(SWEEP_KEY)?;
                    self.private.sync()?;
                    Ok(())
                });
                self.cache.get_mut().expect("cache lock").clear();
                return match undone {
                    Ok(()) => {
                        self.poisoned = false;
                        Err(error)
                    }
                    Err(u) => {
                        let _ = self.reload_vault();
                        Err(LogError::EraseInterrupted {
                            outcome: format!("was not committed, but undoing it failed ({u})"),
                            error: Box::new(error),
                        })
                    }
                };
            }
            Err(AppendFailure { error, .. }) => {
                // Best effort: the handle stays poisoned, its reads refused, whatever this
                // finds.
                let _ = self.reload_vault();
                return Err(LogError::EraseInterrupted {
                    outcome: "may or may not have been committed (the state swap failed)".into(),
                    error: Box::new(error),
                });
            }
        };
        crash_point(3);
        // 4. Destroy the old keys and ciphertext; 5. forget the intent.
        let finished = self
            .finish_sweep(&intent)
            .and_then(|()| {
                self.private.delete(SWEEP_KEY)?;
                self.private.sync()?;
                Ok(())
            })
            .and_then(|()| self.reload_vault());
        if let Err(e) = finished {
            let _ = self.reload_vault();
            return Err(LogError::EraseInterrupted {
                outcome: "was committed, but destroying the old keys and objects failed".into(),
                error: Box::new(e),
            });
        }
        self.poisoned = false;
        Ok(receipts)
    }

    /// Step 2 of [`Log::erase`]: the survivors of each group, sealed under generation `gen_`.
    fn reseal_survivors(&mut self, plan: &ErasurePlan, gen_: u64) -> Result<(), LogError> {
        for g in &plan.groups {
            if g.survivors.is_empty() {
                continue;
            }
            let key = self.make_key(&g.group, gen_)?;
            for (n, entries) in &g.survivors {
                let name = vault::ObjectName {
                    group: g.group.clone(),
                    gen_,
                    first: n.first,
                    end: n.end,
                };
                let refs: Vec<(u64, &[Disclosure])> =
                    entries.iter().map(|(l, d)| (*l, d.as_slice())).collect();
                self.private
                    .put(&name.path(), &vault::seal(&key, &name, &refs, nonce()))?;
            }
        }
        fail_point(1)?;
        self.private.sync()?;
        crash_point(2);
        Ok(())
    }

    /// Undo an erasure that did not commit: delete the objects it re-sealed and the keys it
    /// made — but not a key that other objects are sealed under (a batch appended after
    /// the erasure failed, which made or reused that generation).
    fn undo_sweep(&self, intent: &SweepIntent) -> Result<(), LogError> {
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

    fn finish_sweep(&self, intent: &SweepIntent) -> Result<(), LogError> {
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
    fn read_sweep(&self) -> Result<Option<SweepIntent>, LogError> {
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
    fn sweep_committed(&self, intent: &SweepIntent, size: u64) -> Result<bool, LogError> {
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

    /// The sealed fields of each leaf `plan` erases, from its record in the log (each
    /// bundle read once, each record decoded once).
    fn sealed_fields(&self, plan: &ErasurePlan) -> Result<BTreeMap<u64, Vec<FieldPath>>, LogError> {
        let leaves: BTreeSet<u64> = plan
            .groups
            .iter()
            .flat_map(|g| g.erased.keys().copied())
            .collect();
        let reader = self.reader();
        let mut out = BTreeMap::new();
        let mut bundle: Option<(tiles::EntryBundleId, Vec<Vec<u8>>)> = None;
        for leaf in leaves {
            let (id, offset) = tiles::entry_bundle_for_leaf(leaf, self.state.size)?;
            if bundle.as_ref().is_none_or(|(b, _)| *b != id) {
                bundle = Some((id, reader.bundle(id)?));
            }
            let entries = &bundle.as_ref().expect("read above").1;
            let rec = entries
                .get(offset)
                .ok_or_else(|| format!("its bundle {} holds {} entries", id.path(), entries.len()))
                .and_then(|e| Record::decode(e).map_err(|e| e.to_string()))
                .map_err(|e| LogError::Erase(format!("leaf {leaf}: the stored record: {e}")))?;
            out.insert(
                leaf,
                rec.payload()
                    .sealed
                    .iter()
                    .map(|(p, _)| p.clone())
                    .collect(),
            );
        }
        Ok(out)
    }

    /// Finish (committed) or undo (not committed) an erasure a crash or a failure left.
    fn recover_sweep(&mut self) -> Result<(), LogError> {
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
struct SweepIntent {
    old: u64,
    new: u64,
    created_keys: Vec<String>,
    new_objects: Vec<String>,
    old_keys: Vec<String>,
    old_objects: Vec<String>,
    /// Leaf hashes of the retention-deletion records, the first at leaf `old`.
    records: Vec<Hash32>,
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
    fn to_bytes(&self) -> Vec<u8> {
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
    fn from_bytes(bytes: &[u8]) -> Result<SweepIntent, String> {
        let mut d = minicbor::Decoder::new(bytes);
        let len = d.array().ok().flatten();
        let version = d.u64().ok();
        match (len, version) {
            (Some(8), Some(SWEEP_VERSION)) => {}
            (Some(6), _) => {
                return Err(
                    "an erasure intent of format 1 (an earlier logseal), without the leaf \
                     hashes of its records: this build cannot tell whether it committed; \
                     open the log once with the logseal that wrote it to recover the erasure"
                        .into(),
                );
            }
            (Some(_), Some(v)) if v != SWEEP_VERSION => {
                return Err(format!(
                    "an erasure intent of format {v}; this build reads format {SWEEP_VERSION}"
                ));
            }
            _ => {}
        }
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
        for (what, list, made_now) in [
            ("created keys", &intent.created_keys, true),
            ("old keys", &intent.old_keys, false),
        ] {
            for k in list {
                match vault::parse_key_path(k) {
                    Some((group, g))
                        if vault::key_path(&group, g) == *k && (!made_now || g == intent.old) => {}
                    _ => {
                        return Err(format!(
                            "{what}: {k:?} is not a data key this erasure could name"
                        ));
                    }
                }
            }
        }
        for (what, list, made_now) in [
            ("new objects", &intent.new_objects, true),
            ("old objects", &intent.old_objects, false),
        ] {
            for o in list {
                match vault::ObjectName::parse(o) {
                    Some(n) if n.path() == *o && (!made_now || n.gen_ == intent.old) => {}
                    _ => {
                        return Err(format!(
                            "{what}: {o:?} is not a sealed object this erasure could name"
                        ));
                    }
                }
            }
        }
        Ok(intent)
    }
}

#[cfg(test)]
thread_local! {
    /// Tests: the erasure step at which to simulate a crash (a panic, so no clean-up runs).
    pub(crate) static CRASH_AT: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// A point where tests simulate a crash: 1 to 4 in [`Log::erase`], 5 in [`Log::checkpoint`]
/// between the history entry and the latest checkpoint.
fn crash_point(_n: u8) {
    #[cfg(test)]
    if CRASH_AT.with(|c| c.get()) == _n {
        panic!("simulated crash at erasure step {_n}");
    }
}

#[cfg(test)]
thread_local! {
    /// Tests: run once just after the next listing of the vault ([`VaultIndex::load`]), to
    /// interleave a sequencer's sweep with a reader's scan.
    #[allow(clippy::type_complexity)]
    pub(crate) static AFTER_LIST: std::cell::RefCell<Option<Box<dyn FnOnce()>>> =
        const { std::cell::RefCell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// Tests: the point at which a write fails with an I/O error (see [`fail_point`]).
    pub(crate) static FAIL_AT: std::cell::Cell<u8> = const { std::cell::Cell::new(0) };
}

/// A point where tests simulate an I/O error: 1 re-sealing an erasure's survivors, 2 an
/// append's writes before the state swap, 3 the swap (not written), 4 the swap (written,
/// then reported failed), 5 destroying an erasure's old keys.
fn fail_point(_n: u8) -> Result<(), LogError> {
    #[cfg(test)]
    if FAIL_AT.with(|c| c.get()) == _n {
        return Err(LogError::Store(StoreError::Io {
            op: "simulated",
            path: format!("fail point {_n}"),
            source: std::io::Error::other("simulated I/O error"),
        }));
    }
    Ok(())
}

fn nonce() -> [u8; vault::NONCE_LEN] {
    let mut n = [0u8; vault::NONCE_LEN];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut n);
    n
}

/// The records of an erasure must describe it exactly: every record a retention-deletion by
/// crypto-shredding of one of the plan's keys, naming leaf ranges; every leaf it names has
/// fields erased under that key and none of its field patterns (none: every field) covers a
/// sealed field of that leaf's record (`sealed`) the plan does not erase there — kept, or
/// never stored; every erased field is named by some record.
fn check_erasure_records(
    plan: &ErasurePlan,
    records: &[AppendItem],
    sealed: &BTreeMap<u64, Vec<FieldPath>>,
) -> Result<(), LogError> {
    if records.is_empty() {
        return Err(LogError::Erase(
            "an erasure needs its retention-deletion records".into(),
        ));
    }
    let by_key: BTreeMap<Hash32, &GroupErasure> =
        plan.groups.iter().map(|g| (g.key_id, g)).collect();
    let mut covered: BTreeSet<(Hash32, u64, FieldPath)> = BTreeSet::new();
    for (i, item) in records.iter().enumerate() {
        let bad = |m: String| LogError::Erase(format!("record {i}: {m}"));
        let rec = Record::decode(&item.record).map_err(|e| bad(e.to_string()))?;
        let Body::RetentionDeletion(d) = &rec.payload().body else {
            return Err(bad(format!(
                "is a {} record, not a retention-deletion",
                rec.payload().kind()
            )));
        };
        if d.method != DeletionMethod::CryptoShred {
            return Err(bad("method: an erasure destroys keys (crypto-shred)".into()));
        }
        let kid = d
            .shredded_key_id
            .expect("validated: crypto-shred has a key id");
        let g = by_key.get(&kid).ok_or_else(|| {
            bad(format!(
                "shredded_key_id {kid} is not a key this erasure destroys"
            ))
        })?;
        for (t, target) in d.targets.iter().enumerate() {
            if target.range != RangeType::Leaf {
                return Err(bad(format!("targets.{t}: an erasure names leaf ranges")));
            }
            for leaf in target.first..=target.last {
                let fields = g.erased.get(&leaf).ok_or_else(|| {
                    bad(format!(
                        "targets.{t}: leaf {leaf} has nothing erased under key {kid}"
                    ))
                })?;
                let mut any = false;
                for f in fields {
                    if target.matches_field(f) {
                        covered.insert((kid, leaf, f.clone()));
                        any = true;
                    }
                }
                if !any {
                    return Err(bad(format!(
                        "targets.{t}: names no field erased at leaf {leaf}"
                    )));
                }
                // A record must never claim an erasure that did not happen: a field kept, or
                // one whose disclosure was never stored (a missing field is not an erased one).
                let here = sealed.get(&leaf).map_or(&[][..], Vec::as_slice);
                if let Some(p) = here
                    .iter()
                    .find(|p| target.matches_field(p) && !fields.contains(p))
                {
                    let kept = g.survivors.iter().any(|(_, entries)| {
                        entries
                            .binary_search_by_key(&leaf, |e| e.0)
                            .is_ok_and(|pos| entries[pos].1.iter().any(|d| d.path == *p))
                    });
                    let why = if kept {
                        "which is kept"
                    } else {
                        "which this erasure does not erase (no disclosure of it is stored)"
                    };
                    return Err(bad(format!(
                        "targets.{t}: covers leaf {leaf} field {p}, {why}"
                    )));
                }
            }
        }
    }
    for g in &plan.groups {
        for (leaf, fields) in &g.erased {
            for f in fields {
                if !covered.contains(&(g.key_id, *leaf, f.clone())) {
                    return Err(LogError::Erase(format!(
                        "leaf {leaf} field {f} would be erased without a record naming it"
                    )));
                }
            }
        }
    }
    Ok(())
}

impl crate::retention::DisclosureSource for Log {
    fn readable(&self, leaf: u64) -> Result<Vec<Disclosure>, String> {
        self.disclosures(leaf).map_err(|e| e.to_string())
    }
}

/// `private/state`: its bytes (for the compare-and-swap) and its contents.
fn load_state(private: &FsStore) -> Result<(Vec<u8>, State), LogError> {
    let bytes = private.get(STATE_KEY)?.ok_or_else(|| LogError::State {
        path: private.describe(STATE_KEY),
        reason: "missing".into(),
    })?;
    let state = State::from_bytes(&bytes).map_err(|e| LogError::State {
        path: private.describe(STATE_KEY),
        reason: e.to_string(),
    })?;
    Ok((bytes, state))
}

fn open_existing(dir: &Path) -> Result<FsStore, LogError> {
    if !dir.join("private").join(CONFIG_KEY).is_file() {
        return Err(LogError::NotALog {
            dir: dir.display().to_string(),
        });
    }
    Ok(FsStore::open(dir.join("private"))?)
}

fn write_secret(path: &Path, data: &[u8]) -> Result<(), LogError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let io = |op: &'static str| {
        let path = path.display().to_string();
        move |source| StoreError::Io { op, path, source }
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io("create"))?;
    f.write_all(data).map_err(io("write"))?;
    f.sync_all().map_err(io("fsync"))?;
    Ok(())
}

/// Stored hashes of the old tree (from its tiles) plus those computed in this batch.
struct Overlay<F> {
    base: tiles::TileHashReader<F>,
    base_count: u64,
    new: std::cell::RefCell<Vec<Hash>>,
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

#[cfg(test)]
mod erase_tests;
#[cfg(test)]
mod tests;
