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

//!
//! This file holds the [`Log`] type, its configuration, errors, and opening and creating a
//! log; the jobs are in submodules named after them: [`append`](append) (batches, group
//! commit), `checkpointing` (signing and publishing checkpoints, partial tiles), `disclosures`
//! (the vault index and reading sealed disclosures), `erase` (planning and carrying out an
//! erasure), `sweep_recovery` (finishing what a crash left: a batch's leftovers, an erasure's
//! `sweep`) and `faults` (the crash and failure points tests use).

pub mod admission;
mod append;
pub mod census;
mod checkpointing;
pub mod coordinated;
mod disclosures;
mod erase;
mod faults;
pub mod history;
pub mod reader;
mod receipts;
pub mod restore;
mod rotation;
pub mod state;
mod sweep_recovery;
mod timestamping;
pub use timestamping::{StampError, Stamped};
pub mod vault;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use crate::crypto::PublicKey;
use crate::note::{Ed25519NoteKey, Ed25519NoteVerifier, NoteVerifier};
use crate::record::text::ProducerId;
use crate::store::{FsStore, ObjectStore, SequencerLock, StoreError};
use crate::tree::{TreeError, TreeHashAlg};
pub use admission::{Authority, Refusal};
pub use append::{AppendItem, Receipt};
use disclosures::{VaultIndex, VaultView};
pub use erase::{EraseRequest, ErasurePlan, GroupErasure};
#[cfg(test)]
pub(crate) use faults::{AFTER_LIST, CRASH_AT, FAIL_AT};
pub use reader::{LogReader, ReadError};
pub use restore::{Mismatch, Recovering, RecoveryPlan};
pub use state::State;
use sweep_recovery::SweepIntent;

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
/// Sealed objects kept open in memory: at most this many...
const CACHE_OBJECTS: usize = 32;
/// ...and at most about this many bytes of them (their size once opened,
/// `vault::entries_size`, about three times their sealed size; an object is one batch of
/// up to 10,000 leaves, so a count alone would not bound memory). The newest object is kept
/// even when it alone is larger.
const CACHE_BYTES: usize = 8 << 20;
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
    /// Where the public part is kept when not in `DIR/public`: an S3-compatible bucket,
    /// `s3://BUCKET[/PREFIX]` (docs/STORAGE.md). Absent: `DIR/public`. A binary that does not
    /// know this field refuses the config (`deny_unknown_fields`), so it never writes a
    /// second public part beside the bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
    /// The etcd that coordinates the log's sequencers, `etcd://HOST:PORT/PREFIX`
    /// (docs/COORDINATION.md): every append and checkpoint is committed there under the
    /// sequencer's lease before it is published. Only with a bucket as the public part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coord: Option<String>,
    /// Where the private part's state, keys and sealed disclosures are kept when not in
    /// `DIR/private`: a bucket, `s3://BUCKET[/PREFIX]`, with credentials of its own
    /// (`LOGSEAL_PRIVATE_AWS_*`, docs/STORAGE.md). `config.json`, the log key and the lock
    /// stay in `DIR/private`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    /// The sequencer lease's time to live in seconds (default
    /// [`coordinated::DEFAULT_LEASE_TTL`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_ttl: Option<u64>,
}

/// Where [`Log::init_at`] puts a new log's parts beyond its directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Placement<'a> {
    /// The public part in a bucket, `s3://BUCKET[/PREFIX]` (`None`: `DIR/public`).
    pub public: Option<&'a str>,
    /// Sequencers coordinated through etcd, `etcd://HOST:PORT/PREFIX` (needs `public`).
    pub coord: Option<&'a str>,
    /// The private part's state, keys and disclosures in a bucket (needs `public`).
    pub private: Option<&'a str>,
    /// The lease's time to live in seconds.
    pub lease_ttl: Option<u64>,
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
    #[error(transparent)]
    Coord(#[from] crate::coord::CoordError),
    #[error("{dir}: {reason}")]
    Coordination { dir: String, reason: String },
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

/// An open log.
pub struct Log {
    dir: PathBuf,
    public: Box<dyn ObjectStore>,
    /// The state, keys, sealed disclosures and recovery markers: `DIR/private`, or a bucket.
    private: Box<dyn ObjectStore>,
    /// `DIR/private`: `config.json`, the log key and the lock (always local).
    local: FsStore,
    config: LogConfig,
    alg: TreeHashAlg,
    authority: Authority,
    log_verifier: Ed25519NoteVerifier,
    state: State,
    state_bytes: Vec<u8>,
    lock: Option<SequencerLock>,
    /// The etcd lease under which this handle sequences (a log whose config names `coord`).
    coord: Option<coordinated::Coordination>,
    vault: RwLock<VaultView>,
    /// Recently opened sealed objects, by store key (a sweep or a re-scan clears it).
    /// Open sealed objects, oldest first: (path, entries, sealed size in bytes).
    cache: Mutex<Vec<(String, Arc<vault::Entries>, usize)>>,
    /// An erasure failed after announcing itself and was not certainly undone: every write
    /// is refused until the log is reopened (and `private/sweep` recovered).
    poisoned: bool,
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
        Log::init_at(
            dir,
            Placement::default(),
            log_key,
            authority_vkey,
            alg,
            now_secs,
        )
    }

    /// [`Log::init`] with the public part at `placement.public` (`s3://BUCKET[/PREFIX]`,
    /// which must hold no log yet) instead of `DIR/public`, and its sequencers coordinated
    /// through `placement.coord` (an etcd prefix that must hold no log yet).
    pub fn init_at(
        dir: &Path,
        placement: Placement<'_>,
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
        let public = placement.public;
        if placement.private.is_some() && public.is_none() {
            return Err(config_err(
                dir,
                "--private s3://… needs --public s3://…: a log's public part is never kept \
                 on a disk its private part left",
            ));
        }
        if let (Some(p), Some(q)) = (public, placement.private)
            && let (Some(Ok((pb, pp))), Some(Ok((qb, qp)))) = (
                crate::store::s3::parse_s3_url(p),
                crate::store::s3::parse_s3_url(q),
            )
        {
            let nested =
                |a: &str, b: &str| a.is_empty() || b == a || b.starts_with(&format!("{a}/"));
            if pb == qb && (nested(&pp, &qp) || nested(&qp, &pp)) {
                return Err(config_err(
                    dir,
                    format!(
                        "--private {q} lies within --public {p} (or holds it): the public part is \
                         served as it is, so the private part (data keys, state) must be outside \
                         it; use another bucket"
                    ),
                ));
            }
        }
        if placement.coord.is_some() && public.is_none() {
            return Err(config_err(
                dir,
                "--coord needs --public s3://…: a log in a directory has one sequencer by \
                 its lock",
            ));
        }
        let ttl = placement
            .lease_ttl
            .unwrap_or(coordinated::DEFAULT_LEASE_TTL);
        // The lease first: a second sequencer, or a prefix that holds a log, is refused
        // before anything is written.
        let coord = match placement.coord {
            None => None,
            Some(url) => {
                let c = coordinated::Coordination::acquire(
                    url,
                    ttl,
                    dir,
                    log_key.secret_key().clone(),
                )?;
                if c.committed().is_some() {
                    return Err(config_err(
                        dir,
                        format!("{url} already holds a log's state; init refuses to touch it"),
                    ));
                }
                Some(c)
            }
        };
        let public_store = match public {
            None => None,
            Some(url) => {
                let store = open_public(dir, Some(url))?;
                let used = ["tile", history::HISTORY_PREFIX, "rotations"]
                    .into_iter()
                    .map(|p| store.list(p).map(|k| !k.is_empty()))
                    .collect::<Result<Vec<bool>, _>>()?;
                if used.contains(&true) || store.get(reader::CHECKPOINT_KEY)?.is_some() {
                    return Err(config_err(
                        dir,
                        format!(
                            "{url} already holds a log's public part; init refuses to touch it"
                        ),
                    ));
                }
                Some(store)
            }
        };
        let private_store = match placement.private {
            None => None,
            Some(url) => {
                let store = open_private(dir, Some(url))?;
                let used = [
                    vault::KEYS_PREFIX,
                    vault::OBJECTS_PREFIX,
                    coordinated::STAGING_PREFIX,
                ]
                .into_iter()
                .map(|p| store.list(p).map(|k| !k.is_empty()))
                .collect::<Result<Vec<bool>, _>>()?;
                if used.contains(&true) || store.get(STATE_KEY)?.is_some() {
                    return Err(config_err(
                        dir,
                        format!(
                            "{url} already holds a log's private part; init refuses to touch it"
                        ),
                    ));
                }
                Some(store)
            }
        };
        let private = FsStore::open(dir.join("private"))?;
        let lock = SequencerLock::acquire(private.root())?;
        let config = LogConfig {
            format: CONFIG_VERSION,
            origin,
            tree_hash: alg.name().to_string(),
            log_key: log_key.verifier().to_vkey(),
            authority_key: authority.to_vkey(),
            public: public.map(str::to_string),
            coord: placement.coord.map(str::to_string),
            private: placement.private.map(str::to_string),
            lease_ttl: placement.coord.and(placement.lease_ttl),
        };
        write_secret(
            &private.root().join(LOG_KEY_KEY),
            log_key.to_skey().as_bytes(),
        )?;
        let config_json = serde_json::to_vec_pretty(&config).expect("config serialises");
        private.compare_and_swap(CONFIG_KEY, None, &config_json)?;
        let state = State::new(alg.empty());
        match &private_store {
            Some(store) => store.compare_and_swap(STATE_KEY, None, &state.to_bytes())?,
            None => private.compare_and_swap(STATE_KEY, None, &state.to_bytes())?,
        }
        let public = match public_store {
            Some(p) => p,
            None => open_public(dir, None)?,
        };
        let mut log = Log::from_parts(dir, public, private, Some(lock))?;
        if coord.is_some() {
            log.coord = coord;
            let bytes = log.state_bytes.clone();
            log.coord_commit(&bytes, |_| {})?;
        }
        log.checkpoint(now_secs)?;
        Ok(log)
    }

    /// Open `dir` as its sequencer (taking the lock; fails within a quarter of a second if another
    /// holds it).
    pub fn open(dir: &Path) -> Result<Log, LogError> {
        let private = open_existing(dir)?;
        let lock = SequencerLock::acquire(private.root())?;
        private.remove_stale_temporaries()?;
        let public = open_public_of(dir, &private)?;
        if public_location(&private)?.is_none() {
            FsStore::open(dir.join("public"))?.remove_stale_temporaries()?;
        }
        let mut log = Log::from_parts(dir, public, private, Some(lock))?;
        if let Some(url) = log.config.coord.clone() {
            let ttl = log
                .config
                .lease_ttl
                .unwrap_or(coordinated::DEFAULT_LEASE_TTL);
            let key = log.signing_key()?;
            if key.verifier().to_vkey() != log.config.log_key {
                return Err(config_err(
                    &log.local.root().join(LOG_KEY_KEY),
                    "not the log key config.json names (the key that signs what is \
                     committed in etcd)",
                ));
            }
            let key = key.secret_key().clone();
            log.coord = Some(coordinated::Coordination::acquire(&url, ttl, dir, key)?);
            log.reconcile_with_etcd()?;
        }
        // Before any recovery step: a private part behind the public one (restored from a
        // backup) must not write, and its leftover intents must not delete published objects.
        log.check_private_matches_public()?;
        log.recover()?;
        Ok(log)
    }

    fn swap_state(&mut self, state: State) -> Result<(), LogError> {
        self.swap_state_with(state, |_| {})
    }

    /// [`Log::swap_state`], under a lease committing `update` with the state in etcd first.
    fn swap_state_with(
        &mut self,
        state: State,
        update: impl FnOnce(&mut coordinated::Committed),
    ) -> Result<(), LogError> {
        let bytes = state.to_bytes();
        self.coord_commit(&bytes, update)?;
        self.private
            .compare_and_swap(STATE_KEY, Some(&self.state_bytes), &bytes)?;
        self.state = state;
        self.state_bytes = bytes;
        Ok(())
    }

    /// Open `dir` for reading only (no lock; never blocks the sequencer).
    pub fn open_read_only(dir: &Path) -> Result<Log, LogError> {
        let private = open_existing(dir)?;
        let public = open_public_of(dir, &private)?;
        Log::from_parts(dir, public, private, None)
    }

    fn from_parts(
        dir: &Path,
        public: Box<dyn ObjectStore>,
        local: FsStore,
        lock: Option<SequencerLock>,
    ) -> Result<Log, LogError> {
        let Loaded {
            config,
            alg,
            log_verifier,
            authority,
        } = load_config(&local)?;
        let private = open_private(dir, config.private.as_deref())?;
        let (state_bytes, state) = load_state(private.as_ref())?;
        let read_only = lock.is_none();
        let mut log = Log {
            dir: dir.to_path_buf(),
            public,
            private,
            local,
            config,
            alg,
            authority,
            log_verifier,
            state,
            state_bytes,
            lock,
            coord: None,
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
            log.vault.get_mut().expect("vault lock").index =
                VaultIndex::load(log.private.as_ref())?;
        }
        Ok(log)
    }

    /// Writes need the sequencer lock and a log no failed erasure left in doubt.
    fn writable(&self) -> Result<(), LogError> {
        if self.lock.is_none() {
            return Err(LogError::ReadOnly);
        }
        if let Some(c) = &self.coord
            && c.is_fenced()
        {
            return Err(LogError::Coordination {
                dir: self.dir.display().to_string(),
                reason: format!(
                    "{}: this sequencer lost its lease (a commit was refused): it writes \
                     nothing more; reopen the log to sequence it again",
                    c.url()
                ),
            });
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
        LogReader::new(self.public.as_ref(), self.alg)
    }

    /// The public store (what a static web server would serve).
    pub fn public_store(&self) -> &dyn ObjectStore {
        self.public.as_ref()
    }
}

/// `private/config.json`, checked, with what it names parsed.
struct Loaded {
    config: LogConfig,
    alg: TreeHashAlg,
    log_verifier: Ed25519NoteVerifier,
    authority: Authority,
}

/// Read and check `private/config.json`: its format, tree hash, origin and keys.
fn load_config(private: &FsStore) -> Result<Loaded, LogError> {
    let cfg_path = private.root().join(CONFIG_KEY);
    let raw = private
        .get(CONFIG_KEY)?
        .ok_or_else(|| config_err(&cfg_path, "missing"))?;
    let config: LogConfig = serde_json::from_slice(&raw).map_err(|e| config_err(&cfg_path, e))?;
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
    Ok(Loaded {
        config,
        alg,
        log_verifier,
        authority,
    })
}

/// `private/state`: its bytes (for the compare-and-swap) and its contents.
fn load_state(private: &dyn ObjectStore) -> Result<(Vec<u8>, State), LogError> {
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

/// The store of a log's public part: `DIR/public`, or the bucket `public` names.
fn open_public(dir: &Path, public: Option<&str>) -> Result<Box<dyn ObjectStore>, LogError> {
    match public {
        None => Ok(Box::new(FsStore::open(dir.join("public"))?)),
        Some(url) if crate::store::s3::is_s3_url(url) => {
            Ok(Box::new(crate::store::S3Store::from_url(url)?))
        }
        Some(other) => Err(config_err(
            &dir.join("private").join(CONFIG_KEY),
            format!("public: {other:?} is not an s3://BUCKET[/PREFIX] location"),
        )),
    }
}

/// The store of a log's private part (but its config, key and lock): `DIR/private`, or the
/// bucket `private` names, with the credentials of `LOGSEAL_PRIVATE_AWS_*` where set.
fn open_private(dir: &Path, private: Option<&str>) -> Result<Box<dyn ObjectStore>, LogError> {
    match private {
        None => Ok(Box::new(FsStore::open(dir.join("private"))?)),
        Some(url) if crate::store::s3::is_s3_url(url) => {
            Ok(Box::new(crate::store::S3Store::for_private_part(url)?))
        }
        Some(other) => Err(config_err(
            &dir.join("private").join(CONFIG_KEY),
            format!("private: {other:?} is not an s3://BUCKET[/PREFIX] location"),
        )),
    }
}

/// Where `private/config.json` puts the public part (`None`: `DIR/public`).
fn public_location(private: &FsStore) -> Result<Option<String>, LogError> {
    let cfg_path = private.root().join(CONFIG_KEY);
    let raw = private
        .get(CONFIG_KEY)?
        .ok_or_else(|| config_err(&cfg_path, "missing"))?;
    let config: LogConfig = serde_json::from_slice(&raw).map_err(|e| config_err(&cfg_path, e))?;
    Ok(config.public)
}

fn open_public_of(dir: &Path, private: &FsStore) -> Result<Box<dyn ObjectStore>, LogError> {
    open_public(dir, public_location(private)?.as_deref())
}

/// The public part of the log directory `dir`, wherever its config puts it (`DIR/public`,
/// or a bucket). For readers: a directory without a readable `private/config.json` (a
/// public copy) is read at `DIR/public`.
pub fn public_store(dir: &Path) -> Result<Box<dyn ObjectStore>, LogError> {
    let cfg = dir.join("private").join(CONFIG_KEY);
    match cfg.is_file() {
        true => open_public_of(dir, &FsStore::open(dir.join("private"))?),
        false => open_public(dir, None),
    }
}

/// The private part of the log directory `dir` (its state, keys and sealed disclosures),
/// wherever its config puts it (`DIR/private`, or a bucket).
pub fn private_store(dir: &Path) -> Result<Box<dyn ObjectStore>, LogError> {
    let local = open_existing(dir)?;
    let config = load_config(&local)?.config;
    open_private(dir, config.private.as_deref())
}

/// Where the public part of the log directory `dir` is: `None` when it is `DIR/public` (no
/// `private/config.json`, or one that names no bucket). A config that is there but cannot be
/// read is an error, never "no bucket": a reader must not report on `DIR/public` when the
/// log may be elsewhere.
pub fn public_location_of(dir: &Path) -> Result<Option<String>, LogError> {
    let private = dir.join("private");
    if !private.join(CONFIG_KEY).is_file() {
        return Ok(None);
    }
    public_location(&FsStore::open(private)?)
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

#[cfg(test)]
mod erase_tests;
#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
