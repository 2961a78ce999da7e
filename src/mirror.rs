//! Copying the public part of a log between stores (`logseal mirror SRC DST`): a local
//! directory, an S3-compatible bucket, or (as a source) a served log over HTTP.
//!
//! The copy is the verifier's own read: every object the verifier reads from the source
//! (checks 1–8 as the trust file asks, against the auditor's trust file) is created at the
//! destination as it is read, so the source is read once; a key read twice must have the
//! same bytes both times. The writes are made by a pool of [`WRITERS`] threads behind the
//! verifier, fed through a queue of at most [`QUEUE`] objects (so at most `WRITERS + QUEUE`
//! objects read are held for writing); the first write that fails fails the run, naming the
//! object, and the pool writes nothing after it. The pool is drained — every write it was
//! given has ended — before the run decides anything. Entries of the checkpoint history the verifier did not read are
//! copied after it from a listing; older partial tiles are not copied. The destination's
//! checkpoint is replaced last, and only when
//! - the source's bytes verified: checks 1 and 2 hold (the checkpoint is authentic and
//!   every entry bundle and tile reproduces it). Findings of checks 3-8 are about what the
//!   records say, not about the copy: a log with violations is copied faithfully, as
//!   evidence, and the caller is told how many the verifier found;
//! - the source's tree extends the destination's: a consistency proof from the
//!   destination's checkpoint to the source's, read from the source's tiles and checked
//!   against the verified root (a mirror never rolls a copy back, nor replaces it with
//!   another history);
//! - no object at the destination differed from the source's (objects are only created,
//!   never replaced: every object of the public part but the checkpoint is write-once, so a
//!   different one means another history or a damaged copy).
//!
//! When a mirror stops for any reason, the objects it created are deleted again: bytes that
//! did not verify never stay. An interrupted mirror is resumable (objects already present
//! with the same bytes are not written again) and never inconsistent to a reader: the
//! destination's checkpoint is the last one a completed mirror verified, and every object it
//! names was written before it.
//!
//! Only the public part is copied. The private part (sealed disclosures, retention keys)
//! stays where it is; a copy of it must not bring back a key a published deletion record
//! says was destroyed, and this module does not copy it at all.

use std::collections::BTreeSet;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Condvar, Mutex};

use crate::log::reader::{CHECKPOINT_KEY, LogReader};
use crate::note;
use crate::store::{ObjectStore, StoreError};
use crate::tiles;
use crate::verify::{self, AuditorState, Options, Outcome, Progress, Trust};

/// What a mirror did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirrored {
    /// The size of the checkpoint now at the destination.
    pub size: u64,
    /// Its root (verified).
    pub root: crate::tree::Hash,
    /// The size of the destination's checkpoint before (`None`: it had none).
    pub previous: Option<u64>,
    /// Objects written to the destination.
    pub copied: u64,
    /// Objects already present there with the same bytes.
    pub present: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Prefixes the source could not list (a web server): objects under them that the
    /// verifier did not read were not copied.
    pub unlisted: Vec<String>,
    /// Violations the verifier found in checks 3-8 (the records' content): copied as they
    /// are, as evidence.
    pub content_violations: u64,
}

/// Why a mirror stopped. The destination's checkpoint is unchanged in every case.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MirrorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("verifying the source: {0}")]
    Verify(#[from] verify::VerifyError),
    /// The source did not verify: the report says why.
    #[error("the source does not verify ({0}); nothing was published at the destination")]
    SourceFails(String, Box<Outcome>),
    #[error(
        "{0} differs at the destination from the source: the destination holds another \
         history or a damaged copy; it is left as it is"
    )]
    Differs(String),
    #[error("the destination's checkpoint ({0}): {1}")]
    Destination(String, String),
    #[error("{0} was served twice with different bytes: the source is not a consistent log")]
    TwoVersions(String),
    #[error(
        "{0} is not a prefix of the verified {1}: the source's older tiles contradict its tree"
    )]
    NotAPrefix(String, String),
}

/// Threads writing to the destination (requests in flight at most).
pub const WRITERS: usize = 16;
/// Objects waiting for a writer at most.
pub const QUEUE: usize = 16;

/// An object given to the writers: its key and bytes.
type Job = (String, Vec<u8>);

/// A store that writes every object read from `src` (but the checkpoint) to `dst`.
struct Tee<'a> {
    src: &'a dyn ObjectStore,
    dst: &'a dyn ObjectStore,
    /// Keys present at the destination when the mirror started.
    at_dst: BTreeSet<String>,
    state: Mutex<TeeState>,
    /// The writers' queue while the pool runs ([`Tee::with_writers`]); without it, objects
    /// are written as they are read.
    queue: Mutex<Option<SyncSender<Job>>>,
    /// Signalled when a write given to the pool ends.
    idle: Condvar,
}

#[derive(Default)]
struct TeeState {
    checkpoint: Option<Vec<u8>>,
    /// Keys copied or found present, with the digest of the bytes the verifier read: a
    /// source that serves a key twice with other bytes is caught.
    done: std::collections::BTreeMap<String, [u8; 32]>,
    /// Keys this run wrote: deleted again when the run fails, so that bytes that did not
    /// verify never stay at the destination.
    written: Vec<String>,
    copied: u64,
    present: u64,
    bytes: u64,
    /// Writes given to the pool and not ended yet.
    pending: usize,
    /// The first failure (a differing object, a write error): reported after the run.
    failed: Option<MirrorError>,
}

impl<'a> Tee<'a> {
    fn new(src: &'a dyn ObjectStore, dst: &'a dyn ObjectStore, at_dst: BTreeSet<String>) -> Self {
        Tee {
            src,
            dst,
            at_dst,
            state: Mutex::new(TeeState::default()),
            queue: Mutex::new(None),
            idle: Condvar::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, TeeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `f` with the pool of [`WRITERS`] writing what is read; the pool is drained and
    /// stopped before this returns.
    fn with_writers<R>(&self, f: impl FnOnce() -> R) -> R {
        let (tx, rx) = sync_channel(QUEUE);
        let rx = Mutex::new(rx);
        std::thread::scope(|s| {
            for _ in 0..WRITERS {
                s.spawn(|| self.work(&rx));
            }
            *self.queue.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
            // Should `f` panic, the queue is closed all the same, so that the writers end.
            struct Close<'t, 'a>(&'t Tee<'a>);
            impl Drop for Close<'_, '_> {
                fn drop(&mut self) {
                    drop(
                        self.0
                            .queue
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .take(),
                    );
                }
            }
            let _close = Close(self);
            let r = f();
            self.drain();
            r
        })
    }

    /// One writer: write what the queue gives until it is closed.
    fn work(&self, rx: &Mutex<Receiver<Job>>) {
        loop {
            let job = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
            let Ok((key, data)) = job else { return };
            // The write ends (and the pool can be drained) even if it panics.
            struct Ended<'t, 'a>(&'t Tee<'a>);
            impl Drop for Ended<'_, '_> {
                fn drop(&mut self) {
                    self.0.state().pending -= 1;
                    self.0.idle.notify_all();
                }
            }
            let _ended = Ended(self);
            self.write(&key, &data);
        }
    }

    /// Close the writers' queue and wait until every write given to the pool has ended
    /// (their failures are in the state). Objects read afterwards are written as they are
    /// read.
    fn drain(&self) {
        drop(self.queue.lock().unwrap_or_else(|e| e.into_inner()).take());
        let mut st = self.state();
        while st.pending > 0 {
            st = self.idle.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Copy `key`, read from the source with `data`: given to the pool, or written now
    /// when no pool runs.
    fn copy(&self, key: &str, data: &[u8]) {
        let digest = *blake3::hash(data).as_bytes();
        {
            let mut st = self.state();
            if st.failed.is_some() {
                return;
            }
            if let Some(had) = st.done.get(key) {
                if *had != digest {
                    st.failed = Some(MirrorError::TwoVersions(self.src.describe(key)));
                }
                return;
            }
            st.done.insert(key.to_string(), digest);
            st.pending += 1;
        }
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        let unsent = match queue.as_ref() {
            Some(tx) => tx.send((key.to_string(), data.to_vec())).err().map(|e| e.0),
            None => Some((key.to_string(), data.to_vec())),
        };
        drop(queue);
        if let Some((key, data)) = unsent {
            self.write(&key, &data);
            self.state().pending -= 1;
            self.idle.notify_all();
        }
    }

    /// Create `key` with `data` at the destination, or find it there with the same bytes;
    /// the outcome goes into the state. Nothing is written once the run has failed.
    fn write(&self, key: &str, data: &[u8]) {
        if self.state().failed.is_some() {
            return;
        }
        // A differing object at the destination: the same comparison as for one listed
        // there at the start, so a larger one is "differs", not a read error.
        let differs = |have: Option<Vec<u8>>| match have {
            Some(have) if have == data => Ok(false),
            _ => Err(MirrorError::Differs(self.dst.describe(key))),
        };
        let result = (|| -> Result<bool, MirrorError> {
            if self.at_dst.contains(key) {
                return differs(match self.dst.get_at_most(key, data.len()) {
                    Err(StoreError::TooLarge { .. }) => None,
                    other => other?,
                });
            }
            // Create only: an object another writer put there since the listing is
            // compared, never replaced.
            match self.dst.compare_and_swap(key, None, data) {
                Ok(()) => Ok(true),
                Err(StoreError::CasConflict { .. }) => {
                    differs(match self.dst.get_at_most(key, data.len()) {
                        Err(StoreError::TooLarge { .. }) => None,
                        other => other?,
                    })
                }
                Err(e) => Err(e.into()),
            }
        })();
        let mut st = self.state();
        match result {
            Ok(true) => {
                st.copied += 1;
                st.bytes += data.len() as u64;
                // Recorded even after a failure elsewhere: what this run wrote is deleted.
                st.written.push(key.to_string());
            }
            Ok(false) => st.present += 1,
            Err(e) => {
                st.failed.get_or_insert(e);
            }
        }
    }
}

impl ObjectStore for Tee<'_> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let got = self.src.get(key)?;
        self.seen(key, got.as_deref());
        Ok(got)
    }

    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        let got = self.src.get_at_most(key, max)?;
        self.seen(key, got.as_deref());
        Ok(got)
    }

    fn put(&self, key: &str, _: &[u8]) -> Result<(), StoreError> {
        Err(read_only(key))
    }

    fn sync(&self) -> Result<(), StoreError> {
        Err(read_only(""))
    }

    fn compare_and_swap(&self, key: &str, _: Option<&[u8]>, _: &[u8]) -> Result<(), StoreError> {
        Err(read_only(key))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        Err(read_only(key))
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.src.list(prefix)
    }

    fn prefetch(&self, keys: &[String]) {
        self.src.prefetch(keys)
    }

    fn describe(&self, key: &str) -> String {
        self.src.describe(key)
    }
}

impl Tee<'_> {
    fn seen(&self, key: &str, got: Option<&[u8]>) {
        let Some(data) = got else { return };
        if key == CHECKPOINT_KEY {
            // The first checkpoint read is the one verified.
            let mut st = self.state();
            st.checkpoint.get_or_insert_with(|| data.to_vec());
        } else {
            self.copy(key, data);
        }
    }
}

fn read_only(key: &str) -> StoreError {
    StoreError::Remote {
        path: key.to_string(),
        reason: "the mirror's source is read only".into(),
    }
}

/// The top-level prefixes of a log's public part besides the checkpoint (docs/FORMAT.md
/// §Log directory).
const PREFIXES: [&str; 3] = ["tile", crate::log::history::HISTORY_PREFIX, "rotations"];
/// The prefixes of the checkpoint history, copied from a listing for what the verifier did
/// not read.
const HISTORY_PREFIXES: [&str; 2] = [crate::log::history::HISTORY_PREFIX, "rotations"];

/// Mirror the public part of `src` to `dst`, verifying it against `trust` at `at_secs`
/// (see the module documentation for what is published and when).
pub fn mirror(
    src: &dyn ObjectStore,
    dst: &dyn ObjectStore,
    trust: &Trust,
    at_secs: u64,
    progress: &dyn Progress,
) -> Result<Mirrored, MirrorError> {
    let dst_checkpoint = dst.get_at_most(CHECKPOINT_KEY, note::MAX_NOTE_SIZE)?;
    let previous = match &dst_checkpoint {
        None => None,
        Some(bytes) => Some(
            parse_size_root(bytes, trust.origin())
                .map_err(|e| MirrorError::Destination(dst.describe(CHECKPOINT_KEY), e))?,
        ),
    };
    let mut at_dst = BTreeSet::new();
    for p in PREFIXES {
        at_dst.extend(dst.list(p)?);
    }
    let tee = Tee::new(src, dst, at_dst);
    let result = tee.with_writers(|| {
        publish(
            &tee,
            trust,
            at_secs,
            progress,
            previous,
            dst_checkpoint.as_deref(),
        )
    });
    if result.is_err() {
        // Nothing this run wrote stays: bytes that did not verify, or a copy left without
        // the checkpoint that names it, are removed (the next run copies them again).
        // The pool is drained: `written` is every object this run created.
        let written = std::mem::take(&mut tee.state().written);
        for key in written.iter().rev() {
            let _ = dst.delete(key);
        }
        let _ = dst.sync();
    }
    result
}

/// The verified copy and the checkpoint swap of [`mirror`].
fn publish(
    tee: &Tee<'_>,
    trust: &Trust,
    at_secs: u64,
    progress: &dyn Progress,
    previous: Option<(u64, crate::tree::Hash)>,
    dst_checkpoint: Option<&[u8]>,
) -> Result<Mirrored, MirrorError> {
    let (src, dst) = (tee.src, tee.dst);
    let options = Options {
        at_secs,
        incremental: false,
    };
    let state = AuditorState::new(trust.origin());
    let outcome = verify::verify_with_retention(tee, trust, &state, &options, progress, None)?;
    let report = &outcome.report;
    let size = report.tree_size;
    let integrity: u64 = (report.checks.iter())
        .filter(|c| c.check.number() <= 2)
        .map(|c| c.violations)
        .sum();
    if outcome.new_state.is_none() || integrity > 0 {
        let why = match integrity {
            0 => "checks 1 and 2 do not hold".to_string(),
            n => format!("{n} violation(s) of checks 1 and 2"),
        };
        return Err(MirrorError::SourceFails(why, Box::new(outcome)));
    }
    // Findings of checks 3-8 are about what the records say, not about the copy: the copy
    // carries them, as evidence, and the caller is told how many there are.
    let content_violations: u64 = (report.checks.iter())
        .filter(|c| c.check.number() > 2)
        .map(|c| c.violations)
        .sum();
    let size = size.expect("a verified checkpoint has a size");
    // Older partial tiles and bundles (proofs at earlier checkpoints read them): each copied
    // only as a prefix of a verified tile or bundle of the same position. Anything else
    // under tile/ (beyond the verified size) is not copied.
    let mut unlisted = Vec::new();
    match src.list("tile") {
        Ok(keys) => {
            for key in keys {
                copy_partial(tee, &key)?;
            }
        }
        Err(_) => unlisted.push("tile".to_string()),
    }
    // What the verifier did not read of the checkpoint history.
    for p in HISTORY_PREFIXES {
        let keys = match src.list(p) {
            Ok(k) => k,
            // A source that cannot list (a web server lists at most the history) leaves
            // those out; the result says so.
            Err(_) => {
                unlisted.push(p.to_string());
                continue;
            }
        };
        for key in keys {
            if tee.state().done.contains_key(&key) {
                continue;
            }
            if let Some(data) = src.get(&key)? {
                tee.copy(&key, &data);
            }
        }
    }
    // Every write has ended before anything is decided: a failed one fails the run.
    tee.drain();
    let mut st = tee.state();
    if let Some(e) = st.failed.take() {
        return Err(e);
    }
    let checkpoint = st
        .checkpoint
        .take()
        .expect("the verifier read the checkpoint");
    let (verified_size, new_root) = parse_size_root(&checkpoint, trust.origin())
        .map_err(|e| MirrorError::Destination(src.describe(CHECKPOINT_KEY), e))?;
    if verified_size != size {
        return Err(MirrorError::TwoVersions(src.describe(CHECKPOINT_KEY)));
    }
    if let Some((old, old_root)) = previous {
        let dst_name = dst.describe(CHECKPOINT_KEY);
        if old > size {
            return Err(MirrorError::Destination(
                dst_name,
                format!(
                    "it covers {old} records, the source only {size}: a mirror never rolls a copy back"
                ),
            ));
        }
        let consistent = match old {
            0 => true,
            _ if old == size => old_root == new_root,
            _ => {
                let proof = LogReader::new(src, trust.alg)
                    .consistency_proof(old, size)
                    .map_err(|e| MirrorError::Destination(dst_name.clone(), e.to_string()))?;
                (trust.alg)
                    .verify_consistency(old, size, &old_root, &new_root, &proof)
                    .is_ok()
            }
        };
        if !consistent {
            return Err(MirrorError::Destination(
                dst_name,
                format!(
                    "its tree of {old} records is not a prefix of the source's tree of {size}: \
                     another history; it is left as it is"
                ),
            ));
        }
    }
    dst.sync()?;
    if dst_checkpoint != Some(checkpoint.as_slice()) {
        dst.compare_and_swap(CHECKPOINT_KEY, dst_checkpoint, &checkpoint)?;
    }
    Ok(Mirrored {
        size,
        root: new_root,
        previous: previous.map(|(s, _)| s),
        copied: st.copied,
        present: st.present,
        bytes: st.bytes,
        unlisted,
        content_violations,
    })
}

/// Copy the partial tile or bundle `key` if it is a prefix of a verified one at the same
/// position (the full one, or a wider partial); leave out any other key.
fn copy_partial(tee: &Tee<'_>, key: &str) -> Result<(), MirrorError> {
    let Ok(parsed) = tiles::parse_tile_path(key) else {
        return Ok(());
    };
    let (width, full) = match parsed {
        tiles::TilePath::Hash(t) if !t.is_full() => (t.width(), t.to_full().path()),
        tiles::TilePath::Entries(b) if !b.is_full() => {
            (b.width(), tiles::EntryBundleId::full(b.index()).path())
        }
        _ => return Ok(()),
    };
    let verified = {
        let st = tee.state();
        if st.done.contains_key(key) {
            return Ok(());
        }
        // The widest verified object at this position.
        let partial_prefix = format!("{full}.p/");
        let wider = (st.done.iter())
            .filter_map(|(k, d)| {
                let w: u16 = k.strip_prefix(&partial_prefix)?.parse().ok()?;
                (w > width).then_some((w, k.clone(), *d))
            })
            .max();
        match st.done.get(&full) {
            Some(d) => Some((full.clone(), *d)),
            None => wider.map(|(_, k, d)| (k, d)),
        }
    };
    let Some((base, digest)) = verified else {
        return Ok(());
    };
    let src = tee.src;
    let base_bytes = src
        .get_at_most(&base, crate::log::reader::MAX_BUNDLE_LEN)?
        .filter(|b| *blake3::hash(b).as_bytes() == digest)
        .ok_or_else(|| MirrorError::TwoVersions(src.describe(&base)))?;
    let Some(data) = src.get_at_most(key, base_bytes.len())? else {
        return Ok(());
    };
    let expected: &[u8] = if key.starts_with("tile/entries/") {
        let entries = tiles::decode_entry_bundle(&base_bytes)
            .map_err(|_| MirrorError::TwoVersions(src.describe(&base)))?;
        let len: usize = entries
            .iter()
            .take(width as usize)
            .map(|e| e.len() + 2)
            .sum();
        &base_bytes[..len.min(base_bytes.len())]
    } else {
        &base_bytes[..(width as usize * crate::tree::HASH_SIZE).min(base_bytes.len())]
    };
    if data != expected {
        return Err(MirrorError::NotAPrefix(
            src.describe(key),
            src.describe(&base),
        ));
    }
    tee.copy(key, &data);
    Ok(())
}

/// The size and root a checkpoint note states, its origin checked (its signatures are the
/// verifier's business: a destination's checkpoint is only compared against the source's
/// verified tree).
fn parse_size_root(bytes: &[u8], origin: &str) -> Result<(u64, crate::tree::Hash), String> {
    let n = note::parse_note(bytes).map_err(|e| e.to_string())?;
    let cp = crate::checkpoint::Checkpoint::parse(&n.text).map_err(|e| e.to_string())?;
    if cp.origin != origin {
        return Err(format!(
            "origin {:?}, not the trust file's {origin:?}",
            cp.origin
        ));
    }
    Ok((cp.size, cp.root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FsStore;

    /// A destination that refuses to create one object.
    struct Refusing {
        inner: FsStore,
        bad: String,
    }

    impl ObjectStore for Refusing {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.get(key)
        }
        fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
            self.inner.put(key, data)
        }
        fn sync(&self) -> Result<(), StoreError> {
            self.inner.sync()
        }
        fn compare_and_swap(
            &self,
            key: &str,
            expected: Option<&[u8]>,
            data: &[u8],
        ) -> Result<(), StoreError> {
            if key == self.bad {
                return Err(StoreError::Remote {
                    path: self.describe(key),
                    reason: "conditional PUT: refused".into(),
                });
            }
            self.inner.compare_and_swap(key, expected, data)
        }
        fn delete(&self, key: &str) -> Result<(), StoreError> {
            self.inner.delete(key)
        }
        fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
            self.inner.list(prefix)
        }
        fn describe(&self, key: &str) -> String {
            format!("dst/{key}")
        }
    }

    fn source(n: usize) -> (tempfile::TempDir, FsStore, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let src = FsStore::open(dir.path()).unwrap();
        let keys: Vec<String> = (0..n).map(|i| format!("tile/entries/{i:03}")).collect();
        for k in &keys {
            src.put(k, k.as_bytes()).unwrap();
        }
        (dir, src, keys)
    }

    fn destination(bad: &str) -> (tempfile::TempDir, Refusing) {
        let dir = tempfile::tempdir().unwrap();
        let inner = FsStore::open(dir.path()).unwrap();
        let dst = Refusing {
            inner,
            bad: bad.into(),
        };
        (dir, dst)
    }

    fn copy_all(tee: &Tee<'_>, keys: &[String]) {
        tee.with_writers(|| {
            for k in keys {
                let data = tee.src.get(k).unwrap().unwrap();
                tee.copy(k, &data);
            }
        });
    }

    #[test]
    fn the_writers_create_every_object_once_and_a_second_run_finds_them() {
        let (_s, src, keys) = source(100);
        let (_d, dst) = destination("none");
        let tee = Tee::new(&src, &dst, BTreeSet::new());
        copy_all(&tee, &keys);
        // A key read twice is written once.
        tee.copy(&keys[0], keys[0].as_bytes());
        let st = tee.state();
        assert!(st.failed.is_none());
        assert_eq!((st.copied, st.present, st.pending), (100, 0, 0));
        assert_eq!(st.written.len(), 100);
        for k in &keys {
            assert_eq!(dst.get(k).unwrap().as_deref(), Some(k.as_bytes()), "{k}");
        }
        drop(st);
        // Resumed: everything is present with the same bytes; nothing is written.
        let again = Tee::new(&src, &dst, dst.list("tile").unwrap().into_iter().collect());
        copy_all(&again, &keys);
        let st = again.state();
        assert!(st.failed.is_none());
        assert_eq!((st.copied, st.present), (0, 100));
        drop(st);
        // A source serving other bytes than the destination holds: the object is named.
        src.put(&keys[7], b"another history").unwrap();
        let other = Tee::new(&src, &dst, dst.list("tile").unwrap().into_iter().collect());
        copy_all(&other, &keys);
        match other.state().failed.take() {
            Some(MirrorError::Differs(path)) => assert_eq!(path, format!("dst/{}", keys[7])),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            dst.get(&keys[7]).unwrap().as_deref(),
            Some(keys[7].as_bytes())
        );
    }

    #[test]
    fn a_failed_write_fails_the_run_naming_the_object_and_what_was_written_is_known() {
        let (_s, src, keys) = source(200);
        let (_d, dst) = destination(&keys[50]);
        let tee = Tee::new(&src, &dst, BTreeSet::new());
        copy_all(&tee, &keys);
        let mut st = tee.state();
        assert_eq!(st.pending, 0, "drained");
        let err = st.failed.take().expect("the refused write fails the run");
        assert!(
            matches!(&err, MirrorError::Store(StoreError::Remote { path, .. }) if *path == format!("dst/{}", keys[50])),
            "{err:?}"
        );
        assert!(err.to_string().contains(&keys[50]), "{err}");
        // `written` is exactly what the run created at the destination (what a failed
        // mirror deletes again), and the pool stopped writing soon after the failure.
        let mut written = st.written.clone();
        written.sort();
        assert_eq!(written, dst.list("tile").unwrap());
        assert!(!written.contains(&keys[50]));
        assert!(
            written.len() < keys.len() - 1,
            "{} written after the failure",
            written.len()
        );
    }
}
