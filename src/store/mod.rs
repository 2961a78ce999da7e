//! Storage with object-store semantics: the only code that writes to disk.
//!
//! Owns: the [`ObjectStore`] trait every log part is written through, and its local-directory
//! implementation [`FsStore`]. The semantics are those of an S3-compatible object store, so a
//! log can move to one without changing the log code:
//! - objects are written whole ([`ObjectStore::put`]) and never modified in place; the log
//!   only `put`s objects that no durable state references yet, so published tiles and bundles
//!   are write-once in effect;
//! - [`ObjectStore::sync`] makes every earlier `put` durable (one barrier per batch: group
//!   commit);
//! - the few mutable objects (the checkpoint, the sequencer's state) are replaced by
//!   [`ObjectStore::compare_and_swap`], durable on return;
//! - one sequencer at a time, enforced by [`SequencerLock`].
//!
//! On a local directory, `put` is temp file → fsync → rename; `sync` fsyncs the directories
//! touched; `compare_and_swap` compares under the sequencer lock, then temp → fsync → rename →
//! directory fsync. A crash at any point leaves every object either absent or complete.
//!
//! Reading is hardened against the directory it reads (a log is untrusted input): every read
//! — [`ObjectStore::get`] and the bounded [`ObjectStore::get_at_most`] alike — opens only a
//! regular file, checks the file type before opening and again on the open descriptor
//! (opened with `O_NONBLOCK | O_NOFOLLOW`, so a FIFO never blocks and a symbolic link is never
//! followed), and refuses ([`StoreError::NotRegular`]) a directory, FIFO, device, socket or
//! symbolic link in an object's place. **Symbolic links below the store root are refused
//! altogether**, whether they are the object itself or one of the directories on its path: an
//! object is read only from inside the store's own directory tree. The root itself is taken
//! as given. `get_at_most` reads at most its bound (plus one byte) before refusing a larger
//! object, so nothing is allocated beyond the format's limit.

mod cache;
mod fs;
mod http;
mod overlay;
pub mod s3;

pub use cache::CachedStore;
pub use fs::{FsStore, SequencerLock};
pub use http::HttpStore;
pub use overlay::ReadOnlyOverlay;
pub use s3::S3Store;

/// Why a storage operation failed; every variant names the object.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid object key {key:?}: {reason}")]
    BadKey { key: String, reason: &'static str },
    #[error(
        "compare-and-swap of {key} failed: its content changed since it was read \
         (another writer, or a concurrent checkpoint)"
    )]
    CasConflict { key: String },
    #[error("{path} is locked by another sequencer{holder}; only one writer may append at a time")]
    Locked { path: String, holder: String },
    #[error("{path} is larger than the {max} bytes such an object may have")]
    TooLarge { path: String, max: usize },
    /// The object is not a regular file (a directory, FIFO, device, socket or symbolic link,
    /// or it lies under a symbolic link): refused without reading it.
    #[error(
        "{path} is {found}, not a regular file: refused (log objects are regular files inside the store)"
    )]
    NotRegular { path: String, found: String },
    /// A remote store (HTTP) failed or refused: the object's URL and why.
    #[error("{path}: {reason}")]
    Remote { path: String, reason: String },
}

/// An object store: keys are `/`-separated relative paths.
pub trait ObjectStore: Send + Sync {
    /// Read an object; `None` if absent.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Read an object of at most `max` bytes, refusing a larger one without reading it all
    /// (objects served by others are untrusted input).
    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        match self.get(key)? {
            Some(v) if v.len() > max => Err(StoreError::TooLarge {
                path: self.describe(key),
                max,
            }),
            other => Ok(other),
        }
    }
    /// Write a whole object (replacing an unreferenced leftover of a crashed writer).
    /// Durable after the next [`ObjectStore::sync`].
    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError>;
    /// Make every earlier `put` durable.
    fn sync(&self) -> Result<(), StoreError>;
    /// Replace `key` only if its current content is `expected` (`None`: absent). Durable on
    /// return.
    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError>;
    /// Delete an object if present.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// Keys under `prefix` (recursively), sorted.
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// A hint that the immutable objects `keys` (tiles, entry bundles) are read next: a
    /// remote store may fetch them concurrently, so that the reads that follow wait for one
    /// round trip instead of one each. Never changes what a read returns; a local store
    /// ignores it.
    fn prefetch(&self, _keys: &[String]) {}
    /// A human-readable location for messages.
    fn describe(&self, key: &str) -> String;
}

/// Check an object key: relative, `/`-separated, no empty, `.` or `..` elements.
pub fn check_key(key: &str) -> Result<(), StoreError> {
    let bad = |reason| {
        Err(StoreError::BadKey {
            key: key.to_string(),
            reason,
        })
    };
    if key.is_empty() {
        return bad("empty");
    }
    if key.starts_with('/') {
        return bad("absolute");
    }
    for part in key.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return bad("empty, '.' or '..' path element");
        }
        if part.contains(".tmp-") {
            return bad("reserved temporary-file name");
        }
    }
    Ok(())
}
