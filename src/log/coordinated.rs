//! A log sequenced under an etcd lease (docs/COORDINATION.md §The log under a lease): for a
//! log whose public part is in a bucket, where the directory lock cannot keep a second
//! machine from sequencing the same bucket.
//!
//! Owns the order of an append and of a checkpoint under a lease, and what etcd holds for
//! the log (`<prefix>/state`, a [`Committed`]):
//!
//! 1. the batch's public objects (tiles, bundles) are computed as before, then written as
//!    **one staged object** `staging/<old>-<new>-<sha256>` in the bucket, named by its hash
//!    (a stale writer staging other bytes stages them under another name);
//! 2. the new state and a reference to the staged object are **committed in etcd** in one
//!    transaction guarded by the fencing token ([`crate::coord::SequencerLease`]);
//! 3. only then are the staged objects published at their tile and bundle paths, and the
//!    append acknowledged.
//!
//! So every published object's bytes are a function of what was committed under the token:
//! a sequencer that lost its lease cannot commit, and the objects it may still publish are
//! those of a batch committed while it held the token — the same bytes the current
//! sequencer publishes (it re-publishes the committed batch from its staged object on
//! open). A checkpoint is committed in etcd (the signed note itself) before it is
//! published; on open the committed one is published if the bucket's is older.
//!
//! The batch's private objects (new data keys, sealed disclosures) are staged the same way in
//! the private part and published after the commit. With the private part in the directory,
//! a second directory can take over the bucket only at the size its own private part has
//! reached (it is refused, naming both sizes, otherwise); with the private part in a bucket
//! (`init --private`), any directory holding the config and the log key can.

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};
use sha2::Digest;

use super::{Log, LogError, STATE_KEY, history, reader};
use crate::coord::{CoordError, EtcdClient, KeepAlive, SequencerLease};
use crate::record::types::Hash32;
use crate::store::ObjectStore;

/// Objects by path, with their bytes.
pub type Objects = Vec<(String, Vec<u8>)>;

/// The etcd key (under the log's prefix) of what was committed.
pub const COMMITTED_KEY: &str = "state";
/// Where staged batches are kept in the public store.
pub const STAGING_PREFIX: &str = "staging";
/// The lease's time to live when the config names none, in seconds.
pub const DEFAULT_LEASE_TTL: u64 = 10;
/// In `DIR/private`: the hash of the staged batch this directory is about to commit.
const STAGED_MARKER: &str = "staged";
/// Format version of [`Committed`].
pub const COMMITTED_VERSION: u64 = 1;
/// The largest staged object read back (a batch of 10,000 records at the record size limit
/// would be larger; batches are bounded by this when staged).
pub const MAX_STAGED_LEN: usize = 256 << 20;

/// `etcd://HOST:PORT/PREFIX`, parsed: the etcd endpoint (plain HTTP, its JSON gateway) and
/// the prefix of the log's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordUrl {
    pub endpoint: String,
    pub prefix: String,
}

impl CoordUrl {
    pub fn parse(url: &str) -> Result<CoordUrl, String> {
        let rest = url
            .strip_prefix("etcd://")
            .ok_or_else(|| format!("{url:?} is not an etcd://HOST:PORT/PREFIX location"))?;
        let (host, prefix) = rest
            .split_once('/')
            .ok_or_else(|| format!("{url:?}: no prefix (etcd://HOST:PORT/PREFIX)"))?;
        if host.is_empty() || !host.contains(':') {
            return Err(format!("{url:?}: the host must be HOST:PORT"));
        }
        let prefix = prefix.trim_end_matches('/');
        if prefix.is_empty()
            || prefix
                .split('/')
                .any(|p| p.is_empty() || p == "." || p == "..")
        {
            return Err(format!(
                "{url:?}: the prefix must be non-empty '/'-separated names"
            ));
        }
        Ok(CoordUrl {
            endpoint: format!("http://{host}"),
            prefix: prefix.to_string(),
        })
    }
}

/// A batch committed in etcd: its public objects are staged at `key` in the public store,
/// and their encoding hashes to `hash`; its private objects (new data keys, sealed
/// disclosures), if any, at `private` in the private store, hashing to `private_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct StagedRef {
    #[n(0)]
    pub old: u64,
    #[n(1)]
    pub new: u64,
    #[n(2)]
    pub key: String,
    #[n(3)]
    pub hash: Hash32,
    #[n(4)]
    pub private: Option<String>,
    #[n(5)]
    pub private_hash: Option<Hash32>,
}

/// What etcd holds at `<prefix>/state`.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct Committed {
    #[n(0)]
    pub version: u64,
    /// The sequencer's state (`private/state`'s bytes).
    #[n(1)]
    pub state: ByteVec,
    /// The last batch committed, to re-publish.
    #[n(2)]
    pub batch: Option<StagedRef>,
    /// The last checkpoint committed (the signed note), to publish if the bucket's is older.
    #[n(3)]
    pub checkpoint: Option<ByteVec>,
}

impl Committed {
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::cbor::to_vec(self)
    }
}

/// What etcd holds at `<prefix>/state`: a [`Committed`]'s bytes and the log key's Ed25519
/// signature over them, bound to the etcd key (see [`signed_message`]). Whoever can write
/// etcd but does not hold the log key cannot make a sequencer adopt a state or publish a
/// batch or checkpoint: a value that does not verify is refused before it is used.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct SignedCommitted {
    #[n(0)]
    pub committed: ByteVec,
    #[n(1)]
    pub signature: ByteVec,
}

/// Domain separation of [`SignedCommitted`]'s signature.
const SIGNED_CONTEXT: &[u8] = b"logseal coordination state v1\n";

/// The message the log key signs for the value at etcd key `etcd_key` (the prefix and
/// `state`): the context, the key, a newline, the committed value's bytes. A value moved to
/// another prefix does not verify there.
pub fn signed_message(etcd_key: &str, committed: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNED_CONTEXT.len() + etcd_key.len() + 1 + committed.len());
    m.extend_from_slice(SIGNED_CONTEXT);
    m.extend_from_slice(etcd_key.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(committed);
    m
}

/// The etcd value for `committed` at `etcd_key`, signed with the log key.
pub fn seal_committed(
    committed: &Committed,
    etcd_key: &str,
    key: &crate::crypto::SecretKey,
) -> Vec<u8> {
    let bytes = committed.to_bytes();
    let signature = key.sign(&signed_message(etcd_key, &bytes));
    crate::cbor::to_vec(&SignedCommitted {
        committed: ByteVec::from(bytes),
        signature: ByteVec::from(signature.to_vec()),
    })
}

/// Open the etcd value at `etcd_key`: canonical CBOR, a signature by the log key (strict
/// Ed25519), a canonical [`Committed`] inside. The error says which.
pub fn open_committed(
    value: &[u8],
    etcd_key: &str,
    log_key: &crate::crypto::PublicKey,
) -> Result<Committed, String> {
    let signed: SignedCommitted = crate::cbor::decode_canonical(value)
        .map_err(|e| format!("does not decode as a signed committed value: {e}"))?;
    log_key
        .verify(
            &signed_message(etcd_key, &signed.committed),
            &signed.signature,
        )
        .map_err(|e| {
            format!(
                "is not signed by the log key ({e}): written by something other than a \
                 sequencer of this log"
            )
        })?;
    crate::cbor::decode_canonical(&signed.committed)
        .map_err(|e| format!("signed, but the committed value inside does not decode: {e}"))
}

/// A staged batch's objects: `[[path, bytes], ...]` in deterministic CBOR.
pub fn encode_staged(objects: &[(String, Vec<u8>)]) -> Vec<u8> {
    let v: Vec<(String, ByteVec)> = objects
        .iter()
        .map(|(p, d)| (p.clone(), ByteVec::from(d.clone())))
        .collect();
    crate::cbor::to_vec(&v)
}

pub fn decode_staged(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let v: Vec<(String, ByteVec)> =
        crate::cbor::decode_canonical(bytes).map_err(|e| e.to_string())?;
    Ok(v.into_iter().map(|(p, d)| (p, d.to_vec())).collect())
}

/// The name of the staged object of `old..new` with these bytes, and their hash.
pub fn staged_name(old: u64, new: u64, blob: &[u8]) -> (String, Hash32) {
    let hash: [u8; 32] = sha2::Sha256::digest(blob).into();
    (
        format!("{STAGING_PREFIX}/{old}-{new}-{}", hex::encode(hash)),
        Hash32(hash),
    )
}

/// The staged public object of `old..new` with these bytes (no private one).
pub fn staged_ref(old: u64, new: u64, blob: &[u8]) -> StagedRef {
    let (key, hash) = staged_name(old, new, blob);
    StagedRef {
        old,
        new,
        key,
        hash,
        private: None,
        private_hash: None,
    }
}

/// The `old..new` a staged object's key names.
fn staged_range(key: &str) -> Option<(u64, u64)> {
    let rest = key.strip_prefix(STAGING_PREFIX)?.strip_prefix('/')?;
    let mut parts = rest.splitn(3, '-');
    let old = parts.next()?.parse().ok()?;
    let new = parts.next()?.parse().ok()?;
    Some((old, new))
}

/// The sequencer's lease on the log, its renewals, and what it last committed.
pub(super) struct Coordination {
    url: String,
    lease: SequencerLease,
    _renewals: KeepAlive,
    /// The value of `<prefix>/state` as last read or committed (`None`: not yet created).
    committed: Option<(Vec<u8>, Committed)>,
    /// A commit was refused as fenced: this sequencer must write nothing more.
    fenced: bool,
    /// The log key, which signs every committed value.
    key: crate::crypto::SecretKey,
}

impl Coordination {
    /// Take the lease of the log at `url`, renewed from a thread; refused (nothing written)
    /// when another process holds it.
    pub(super) fn acquire(
        url: &str,
        ttl_secs: u64,
        dir: &std::path::Path,
        key: crate::crypto::SecretKey,
    ) -> Result<Self, LogError> {
        let parsed = CoordUrl::parse(url).map_err(|reason| LogError::Coordination {
            dir: dir.display().to_string(),
            reason,
        })?;
        let client = EtcdClient::new(&parsed.endpoint)?;
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".into());
        let holder = format!("{host}:{} {}", std::process::id(), dir.display());
        let lease = SequencerLease::acquire(
            &client,
            &parsed.prefix,
            &holder,
            std::time::Duration::from_secs(ttl_secs.max(1)),
        )?;
        let committed = match lease.get(COMMITTED_KEY)? {
            None => None,
            Some(bytes) => {
                let full = lease.full_key(COMMITTED_KEY);
                let c = open_committed(&bytes, &full, &key.public_key()).map_err(|e| {
                    LogError::Coordination {
                        dir: dir.display().to_string(),
                        reason: format!(
                            "etcd {}: {full} {e}; nothing was written",
                            parsed.endpoint
                        ),
                    }
                })?;
                Some((bytes, c))
            }
        };
        let renewals = lease.keep_alive_in_background();
        Ok(Coordination {
            url: url.to_string(),
            lease,
            _renewals: renewals,
            committed,
            fenced: false,
            key,
        })
    }

    pub(super) fn committed(&self) -> Option<&Committed> {
        self.committed.as_ref().map(|(_, c)| c)
    }

    pub(super) fn is_fenced(&self) -> bool {
        self.fenced
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Commit `new` under the token, replacing exactly what this sequencer last saw.
    pub(super) fn commit(&mut self, new: Committed) -> Result<(), LogError> {
        if self.fenced {
            return Err(self.fenced_error());
        }
        let bytes = seal_committed(&new, &self.lease.full_key(COMMITTED_KEY), &self.key);
        let expected = self.committed.as_ref().map(|(b, _)| b.as_slice());
        match self.lease.commit_if_token(COMMITTED_KEY, expected, &bytes) {
            Ok(_) => {
                self.committed = Some((bytes, new));
                Ok(())
            }
            Err(e) => {
                if matches!(e, CoordError::Fenced { .. } | CoordError::Conflict { .. }) {
                    self.fenced = true;
                }
                Err(e.into())
            }
        }
    }

    /// Whether the token is still current (before a publish that is not itself a commit).
    pub(super) fn check_token(&mut self) -> Result<(), LogError> {
        if self.fenced {
            return Err(self.fenced_error());
        }
        self.lease.check_token().map_err(|e| {
            self.fenced = true;
            e.into()
        })
    }

    /// [`Coordination::check_token`] for a caller holding `&self` only: a lost token is
    /// reported, not remembered (the next commit is refused anyway).
    pub(super) fn check_token_shared(&self) -> Result<(), LogError> {
        if self.fenced {
            return Err(self.fenced_error());
        }
        Ok(self.lease.check_token()?)
    }

    fn fenced_error(&self) -> LogError {
        LogError::Coordination {
            dir: self.url.clone(),
            reason: "this sequencer lost its lease (a commit was refused); it writes nothing \
                     more: reopen the log to sequence it again"
                .into(),
        }
    }
}

impl Log {
    /// The committed value with `state` as the state and `update` applied.
    fn next_committed(&self, state: &[u8], update: impl FnOnce(&mut Committed)) -> Committed {
        let mut c = self
            .coord
            .as_ref()
            .and_then(|c| c.committed().cloned())
            .unwrap_or(Committed {
                version: COMMITTED_VERSION,
                state: ByteVec::from(Vec::new()),
                batch: None,
                checkpoint: None,
            });
        c.state = ByteVec::from(state.to_vec());
        update(&mut c);
        c
    }

    /// Under a lease: commit `state` (its bytes) in etcd, with `update` applied to what else
    /// is committed. Without one: nothing to do.
    pub(super) fn coord_commit(
        &mut self,
        state: &[u8],
        update: impl FnOnce(&mut Committed),
    ) -> Result<(), LogError> {
        if self.coord.is_none() {
            return Ok(());
        }
        let next = self.next_committed(state, update);
        self.coord.as_mut().expect("checked").commit(next)
    }

    /// Under a lease, before a publish that no commit guards (the checkpoint object): the
    /// token must still be current.
    pub(super) fn coord_check(&mut self) -> Result<(), LogError> {
        match self.coord.as_mut() {
            Some(c) => c.check_token(),
            None => Ok(()),
        }
    }

    /// [`Log::coord_check`] when the private part is shared (a bucket).
    fn coord_check_shared(&self) -> Result<(), LogError> {
        match (&self.coord, &self.config.private) {
            (Some(c), Some(_)) => c.check_token_shared(),
            _ => Ok(()),
        }
    }

    pub(super) fn coordinated(&self) -> bool {
        self.coord.is_some()
    }

    /// Stage a batch's public objects in the public store and its private ones in the
    /// private store (step 1 under a lease).
    pub(super) fn stage_objects(
        &self,
        old: u64,
        new: u64,
        public: &[(String, Vec<u8>)],
        private: &[(String, Vec<u8>)],
    ) -> Result<StagedRef, LogError> {
        let blob = encode_staged(public);
        let mut staged = staged_ref(old, new, &blob);
        self.public.put(&staged.key, &blob)?;
        self.public.sync()?;
        if !private.is_empty() {
            let blob = encode_staged(private);
            let (key, hash) = staged_name(old, new, &blob);
            self.private.put(&key, &blob)?;
            self.private.sync()?;
            staged.private = Some(key);
            staged.private_hash = Some(hash);
        }
        Ok(staged)
    }

    /// Publish a committed batch's objects (step 3 under a lease).
    pub(super) fn publish_objects(
        &self,
        public: &[(String, Vec<u8>)],
        private: &[(String, Vec<u8>)],
    ) -> Result<(), LogError> {
        if !private.is_empty() {
            // The private part may be shared: a sequencer that lost its lease since its
            // commit must not re-create keys erased meanwhile (a window remains between this
            // check and the writes; docs/COORDINATION.md).
            self.coord_check_shared()?;
        }
        for (path, data) in private {
            self.private.put(path, data)?;
        }
        self.private.sync()?;
        for (path, data) in public {
            self.public.put(path, data)?;
        }
        self.public.sync()?;
        Ok(())
    }

    /// Delete the staged objects of a batch `current` supersedes. Best effort.
    pub(super) fn remove_staged(&self, previous: &StagedRef, current: &StagedRef) {
        if previous.key != current.key {
            let _ = self.public.delete(&previous.key);
        }
        if let Some(p) = &previous.private
            && Some(p) != current.private.as_ref()
        {
            let _ = self.private.delete(p);
        }
    }

    /// On open under a lease: make the directory's state and etcd's agree (or refuse), then
    /// publish what etcd says was committed and may not be published yet: the last batch
    /// (from its staged object) and the last checkpoint. Then remove staged objects no
    /// commit refers to.
    pub(super) fn reconcile_with_etcd(&mut self) -> Result<(), LogError> {
        let dir = self.dir.display().to_string();
        let url = self
            .coord
            .as_ref()
            .expect("under a lease")
            .url()
            .to_string();
        let refuse = |reason: String| LogError::Coordination {
            dir: dir.clone(),
            reason,
        };
        let Some(committed) = self.coord.as_ref().and_then(|c| c.committed().cloned()) else {
            return Err(refuse(format!(
                "{url}: etcd holds no state for this log (the prefix is empty): refusing \
                 to sequence a bucket whose coordination state is gone; nothing was written"
            )));
        };
        if committed.version != COMMITTED_VERSION {
            return Err(refuse(format!(
                "{url}: the committed state has format {} (expected {COMMITTED_VERSION})",
                committed.version
            )));
        }
        let etcd_state = super::State::from_bytes(&committed.state)
            .map_err(|e| refuse(format!("{url}: the committed state does not decode: {e}")))?;
        if let Some(b) = &committed.batch
            && !(b.old < b.new && b.new <= etcd_state.size)
        {
            return Err(refuse(format!(
                "{url}: the committed batch {}..{} does not end within the committed state's \
                 {} records; nothing was written",
                b.old, b.new, etcd_state.size
            )));
        }
        if committed.state.as_slice() != self.state_bytes.as_slice() {
            let local = self.state.size;
            let shared = self.config.private.is_some();
            // A crash between the commit in etcd and the swap of `private/state`: the batch
            // etcd committed starts at this state's size and was staged by this directory
            // (its marker names it), or the private part is shared (a bucket), where every
            // committed batch's private objects are published or staged.
            let marker = self.local.get(STAGED_MARKER)?;
            let crashed_batch = match &committed.batch {
                Some(b) if b.old == local && b.new == etcd_state.size => {
                    let staged_here = marker.as_deref() == Some(b.hash.0.as_slice());
                    let private_present = match &b.private {
                        None => true,
                        Some(key) => self.private.get(key)?.is_some(),
                    };
                    (staged_here || shared) && private_present
                }
                _ => false,
            };
            let same_tree = etcd_state.size == local && etcd_state.root == self.state.root;
            if etcd_state.size == local && !same_tree {
                return Err(refuse(format!(
                    "{url}: etcd's committed state and this directory's both have {local} \
                     records but different roots: they are different logs or histories; \
                     refusing to sequence; nothing was written"
                )));
            }
            let ahead_shared = shared && etcd_state.size > local;
            if same_tree || crashed_batch || ahead_shared {
                self.private.compare_and_swap(
                    STATE_KEY,
                    Some(&self.state_bytes),
                    &committed.state,
                )?;
                self.state_bytes = committed.state.to_vec();
                self.state = etcd_state;
            } else if etcd_state.size > local {
                return Err(refuse(format!(
                    "{url}: the log has {} records by what etcd committed, but this \
                     directory's private part only {local}: another directory sequenced the \
                     bucket since (or erased since: its erasures are in its private part), and \
                     the keys and sealed disclosures of those records are in its private part, \
                     not here. Sequence the log from that directory; nothing was written",
                    etcd_state.size
                )));
            } else {
                return Err(refuse(format!(
                    "{url}: etcd's committed state has {} records, fewer than this \
                     directory's {local}: etcd lost or replaced the log's state; refusing to \
                     sequence (it would fork the log); nothing was written",
                    etcd_state.size
                )));
            }
        }
        if let Some(batch) = &committed.batch {
            self.republish_batch(batch, &url)?;
        }
        if let Some(note) = &committed.checkpoint {
            self.republish_checkpoint(note, &url)?;
        }
        self.remove_stale_staging(&committed);
        Ok(())
    }

    /// Under a lease, before committing a batch: remember in this directory which staged
    /// batch it is about to commit, so that after a crash between the commit and the swap of
    /// `private/state` it adopts only a batch it staged itself.
    pub(super) fn mark_staged(&self, staged: &StagedRef) -> Result<(), LogError> {
        self.local.put(STAGED_MARKER, &staged.hash.0)?;
        self.local.sync()?;
        Ok(())
    }

    /// Publish the committed batch again from its staged objects (the same bytes; a crash
    /// between the commit and the publish left some unpublished). Both are read and checked
    /// before anything is written.
    fn republish_batch(&self, batch: &StagedRef, url: &str) -> Result<(), LogError> {
        let public = self.read_staged(self.public.as_ref(), &batch.key, &batch.hash, url)?;
        let private = match (&batch.private, &batch.private_hash) {
            (Some(key), Some(hash)) => self.read_staged(self.private.as_ref(), key, hash, url)?,
            _ => Some(Vec::new()),
        };
        // Only the objects a batch old..new publishes: its tiles and bundles, new data keys
        // and sealed objects of its range — never `state`, `sweep` or another batch's.
        let tiles: std::collections::BTreeSet<String> =
            crate::tiles::new_tile_ids(batch.old, batch.new)?
                .into_iter()
                .map(|t| t.path())
                .chain(
                    crate::tiles::new_entry_bundle_ids(batch.old, batch.new)?
                        .into_iter()
                        .map(|b| b.path()),
                )
                .collect();
        let bad_public = public.iter().flatten().find(|(p, _)| !tiles.contains(p));
        let bad_private = private.iter().flatten().find(|(p, _)| {
            let key = super::vault::parse_key_path(p).is_some_and(|(_, g)| g == batch.old);
            let object = super::vault::ObjectName::parse(p)
                .is_some_and(|n| (n.first, n.end) == (batch.old, batch.new));
            !(key || object)
        });
        if let Some((path, _)) = bad_public.or(bad_private) {
            return Err(LogError::Coordination {
                dir: self.dir.display().to_string(),
                reason: format!(
                    "{url}: the committed batch {}..{} stages {path:?}, which no batch of that \
                     range writes; nothing was published",
                    batch.old, batch.new
                ),
            });
        }
        self.publish_objects(
            public.as_deref().unwrap_or_default(),
            private.as_deref().unwrap_or_default(),
        )
    }

    /// A staged object, checked against the hash committed for it (`None`: absent —
    /// removed after its batch was published by a later batch's cleanup; the comparison
    /// with the public part on open checks the tiles).
    fn read_staged(
        &self,
        store: &dyn ObjectStore,
        key: &str,
        committed: &Hash32,
        url: &str,
    ) -> Result<Option<Objects>, LogError> {
        let Some(blob) = store.get_at_most(key, MAX_STAGED_LEN)? else {
            return Ok(None);
        };
        let hash: [u8; 32] = sha2::Sha256::digest(&blob).into();
        if hash != committed.0 {
            return Err(LogError::Coordination {
                dir: self.dir.display().to_string(),
                reason: format!(
                    "{}: its SHA-256 is {}, but {url} committed {}; nothing was published",
                    store.describe(key),
                    hex::encode(hash),
                    hex::encode(committed.0)
                ),
            });
        }
        decode_staged(&blob)
            .map(Some)
            .map_err(|e| LogError::Coordination {
                dir: self.dir.display().to_string(),
                reason: format!("{}: {e}", store.describe(key)),
            })
    }

    /// Publish the committed checkpoint when the bucket's latest is missing or older —
    /// only one signed by this log's key, of its origin, whose root is the tree's at its size.
    fn republish_checkpoint(&mut self, note: &[u8], url: &str) -> Result<(), LogError> {
        let parse = |n: &[u8]| {
            crate::note::parse_note(n)
                .ok()
                .and_then(|n| crate::checkpoint::Checkpoint::parse(&n.text).ok())
        };
        let refuse = |reason: String| LogError::Coordination {
            dir: self.dir.display().to_string(),
            reason: format!("{url}: the committed checkpoint {reason}; nothing was published"),
        };
        let no_witnesses: &[(&str, crate::crypto::PublicKey)] = &[];
        let verified = crate::checkpoint::open_checkpoint(
            note,
            &self.config.origin,
            &self.log_verifier,
            no_witnesses,
            0,
        )
        .map_err(|e| refuse(format!("does not verify under the log key: {e}")))?;
        let cp = verified.checkpoint;
        if cp.size > self.state.size {
            return Err(refuse(format!(
                "is of size {}, beyond the committed state's {}",
                cp.size, self.state.size
            )));
        }
        let root = self.reader().root(cp.size)?;
        if root != cp.root {
            return Err(refuse(format!(
                "has root {} at size {}, the tree {}",
                hex::encode(cp.root),
                cp.size,
                hex::encode(root)
            )));
        }
        let published = self.reader().checkpoint()?;
        let published_size = published.as_deref().and_then(parse).map(|c| c.size);
        if published_size.is_some_and(|s| s >= cp.size) {
            return Ok(());
        }
        history::publish(self.public.as_ref(), &cp, note)?;
        self.coord_check()?;
        self.public
            .compare_and_swap(reader::CHECKPOINT_KEY, published.as_deref(), note)?;
        Ok(())
    }

    /// Delete staged objects of sizes the log has passed that no commit refers to (a
    /// fenced writer's, or published batches'). Best effort: a leftover costs space only.
    fn remove_stale_staging(&self, committed: &Committed) {
        let batch = committed.batch.as_ref();
        let stores = [
            (self.public.as_ref(), batch.map(|b| b.key.as_str())),
            (
                self.private.as_ref(),
                batch.and_then(|b| b.private.as_deref()),
            ),
        ];
        for (store, keep) in stores {
            for key in store.list(STAGING_PREFIX).unwrap_or_default() {
                let passed = staged_range(&key).is_some_and(|(_, new)| new <= self.state.size);
                if passed && Some(key.as_str()) != keep {
                    let _ = store.delete(&key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coord_urls_parse_and_bad_ones_say_why() {
        let u = CoordUrl::parse("etcd://127.0.0.1:2379/logs/a").unwrap();
        assert_eq!(u.endpoint, "http://127.0.0.1:2379");
        assert_eq!(u.prefix, "logs/a");
        for bad in [
            "http://x:1/a",
            "etcd://x:1",
            "etcd://x:1/",
            "etcd://x/a",
            "etcd://x:1/a//b",
            "etcd://x:1/../b",
        ] {
            assert!(CoordUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn staged_objects_round_trip_and_are_named_by_their_hash() {
        let objects = vec![
            ("tile/0/000.p/3".to_string(), vec![1u8; 96]),
            ("tile/entries/000.p/3".to_string(), vec![2u8; 10]),
        ];
        let blob = encode_staged(&objects);
        assert_eq!(decode_staged(&blob).unwrap(), objects);
        let r = staged_ref(0, 3, &blob);
        assert_eq!(staged_range(&r.key), Some((0, 3)));
        assert!(r.key.ends_with(&hex::encode(r.hash.0)));
        let mut other = objects.clone();
        other[1].1[0] = 3;
        assert_ne!(staged_ref(0, 3, &encode_staged(&other)).key, r.key);
        assert!(decode_staged(&blob[..blob.len() - 1]).is_err());
    }

    #[test]
    fn the_committed_value_round_trips_canonically() {
        let c = Committed {
            version: COMMITTED_VERSION,
            state: ByteVec::from(vec![0xa0]),
            batch: Some(staged_ref(0, 1, b"x")),
            checkpoint: None,
        };
        let bytes = c.to_bytes();
        let back: Committed = crate::cbor::decode_canonical(&bytes).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn a_committed_value_opens_only_under_the_log_key_at_its_own_etcd_key() {
        let c = Committed {
            version: COMMITTED_VERSION,
            state: ByteVec::from(vec![0xa0]),
            batch: Some(staged_ref(0, 1, b"x")),
            checkpoint: Some(ByteVec::from(b"note".to_vec())),
        };
        let key = crate::crypto::SecretKey::from_seed(&[1; 32]);
        let pk = key.public_key();
        let v = seal_committed(&c, "logs/a/state", &key);
        assert_eq!(open_committed(&v, "logs/a/state", &pk).unwrap(), c);
        // Another prefix, another key, a flipped byte, the bare value: refused.
        let e = open_committed(&v, "logs/b/state", &pk).unwrap_err();
        assert!(e.contains("is not signed by the log key"), "{e}");
        let other = crate::crypto::SecretKey::from_seed(&[2; 32]).public_key();
        let e = open_committed(&v, "logs/a/state", &other).unwrap_err();
        assert!(e.contains("is not signed by the log key"), "{e}");
        for i in 0..v.len() {
            let mut t = v.clone();
            t[i] ^= 0x01;
            assert!(open_committed(&t, "logs/a/state", &pk).is_err(), "byte {i}");
        }
        let e = open_committed(&c.to_bytes(), "logs/a/state", &pk).unwrap_err();
        assert!(
            e.contains("does not decode as a signed committed value"),
            "{e}"
        );
    }
}
