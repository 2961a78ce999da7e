//! Reading the public part of a log: checkpoint, hash tiles, entry bundles, proofs.
//!
//! Owns nothing on disk; it reads through an [`ObjectStore`] exactly what any C2SP
//! tlog-tiles client would fetch over HTTP, so a verifier, a witness and the sequencer all
//! read a log the same way. Proofs read O(log n) tiles; nothing loads the whole tree.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::store::{ObjectStore, StoreError};
use crate::tiles::{self, EntryBundleId, TileHashReader, TileId};
use crate::tree::{self, Hash, TreeError, TreeHashAlg};

/// The public checkpoint's object key.
pub const CHECKPOINT_KEY: &str = "checkpoint";
/// The largest entry bundle: 256 entries of at most 65,535 bytes, each with its 2-byte length.
pub const MAX_BUNDLE_LEN: usize = tiles::TILE_WIDTH as usize * (tiles::MAX_ENTRY_SIZE + 2);

/// Why reading the public part failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path} is missing (the log is truncated or the tree size is wrong)")]
    Missing { path: String },
    #[error("{path}: {reason}")]
    Corrupt { path: String, reason: String },
    #[error(transparent)]
    Tree(#[from] TreeError),
}

/// A reader of the public part of a log whose tree uses `alg`.
pub struct LogReader<'s> {
    store: &'s dyn ObjectStore,
    alg: TreeHashAlg,
    /// Tiles fetched by this reader (a reader is short-lived: one request or one batch).
    cache: RefCell<HashMap<TileId, Vec<u8>>>,
}

impl<'s> LogReader<'s> {
    pub fn new(store: &'s dyn ObjectStore, alg: TreeHashAlg) -> Self {
        LogReader {
            store,
            alg,
            cache: RefCell::new(HashMap::new()),
        }
    }

    pub fn alg(&self) -> TreeHashAlg {
        self.alg
    }

    /// The published checkpoint note, if any.
    pub fn checkpoint(&self) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self
            .store
            .get_at_most(CHECKPOINT_KEY, crate::note::MAX_NOTE_SIZE)?)
    }

    /// The checkpoint of tree size `size` in the published history
    /// (`public/checkpoints/<N>`, [`super::history`]), if the log published one.
    pub fn published_checkpoint(&self, size: u64) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self
            .store
            .get_at_most(&super::history::key(size), crate::note::MAX_NOTE_SIZE)?)
    }

    /// The RFC 3161 time-stamp response kept over the checkpoint of `size`
    /// (`checkpoints/<N>.tsr`, unverified), if any.
    pub fn published_timestamp(&self, size: u64) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self.store.get_at_most(
            &super::history::timestamp_key(size),
            crate::timestamp::MAX_RESPONSE_SIZE,
        )?)
    }

    /// The tree sizes of the published history, ascending (needs a store that can list).
    pub fn published_sizes(&self) -> Result<Vec<u64>, ReadError> {
        Ok(super::history::sizes(self.store)?)
    }

    /// One hash tile's data, checked for length. A partial tile is read from its own object
    /// when present; when the full tile exists too, the partial must be its prefix. Once the
    /// partial is gone (the log may delete it when the full tile exists), it is the full
    /// tile's prefix (C2SP tlog-tiles).
    pub fn tile(&self, tile: TileId) -> Result<Vec<u8>, ReadError> {
        if let Some(t) = self.cache.borrow().get(&tile) {
            return Ok(t.clone());
        }
        let own = self.tile_object(tile)?;
        let full = match tile.is_full() {
            true => None,
            false => self.tile_object(tile.to_full())?,
        };
        let data = match (own, full) {
            (Some(own), Some(full)) if full[..own.len()] != own[..] => {
                return Err(ReadError::Corrupt {
                    path: tile.path(),
                    reason: format!(
                        "is not a prefix of the full tile {} (the log serves two different \
                         histories)",
                        tile.to_full().path()
                    ),
                });
            }
            (Some(own), _) => own,
            (None, Some(mut full)) => {
                full.truncate(tile.data_len());
                full
            }
            (None, None) => return Err(ReadError::Missing { path: tile.path() }),
        };
        self.cache.borrow_mut().insert(tile, data.clone());
        Ok(data)
    }

    /// The object of `tile` itself, if present, checked for length.
    fn tile_object(&self, tile: TileId) -> Result<Option<Vec<u8>>, ReadError> {
        let path = tile.path();
        let Some(data) = self.store.get_at_most(&path, tile.data_len() + 1)? else {
            return Ok(None);
        };
        if data.len() != tile.data_len() {
            return Err(ReadError::Corrupt {
                path,
                reason: format!(
                    "{} bytes, a tile of width {} has {}",
                    data.len(),
                    tile.width(),
                    tile.data_len()
                ),
            });
        }
        Ok(Some(data))
    }

    /// A [`tree::HashReader`] over the tiles of the tree of `size`.
    pub fn hashes(&self, size: u64) -> TileHashReader<impl tiles::TileFetcher + '_> {
        TileHashReader::new(size, self.alg, move |t: TileId| {
            self.tile(t).map_err(|e| TreeError::Storage(e.to_string()))
        })
    }

    /// Announce that `bundles` are read next (a remote store fetches them concurrently,
    /// [`ObjectStore::prefetch`]): each bundle's object and, for a partial one, the full
    /// bundle it may be read from.
    pub fn prefetch_bundles(&self, bundles: &[EntryBundleId]) {
        let keys: Vec<String> = (bundles.iter())
            .flat_map(|b| {
                let full = (!b.is_full()).then(|| EntryBundleId::full(b.index()).path());
                std::iter::once(b.path()).chain(full)
            })
            .collect();
        self.store.prefetch(&keys);
    }

    /// The entries of one bundle, checked against the bundle's width. A partial bundle is
    /// read like a partial tile ([`LogReader::tile`]): its own object, which must be a prefix
    /// of the full bundle when that exists too, else the full bundle's first entries.
    pub fn bundle(&self, bundle: EntryBundleId) -> Result<Vec<Vec<u8>>, ReadError> {
        let own = self.bundle_object(bundle)?;
        let full = match bundle.is_full() {
            true => None,
            false => self.bundle_object(EntryBundleId::full(bundle.index()))?,
        };
        let width = usize::from(bundle.width());
        match (own, full) {
            (Some(own), Some(full)) if full[..width] != own[..] => Err(ReadError::Corrupt {
                path: bundle.path(),
                reason: format!(
                    "is not a prefix of the full bundle {} (the log serves two different \
                     histories)",
                    EntryBundleId::full(bundle.index()).path()
                ),
            }),
            (Some(own), _) => Ok(own),
            (None, Some(mut full)) => {
                full.truncate(width);
                Ok(full)
            }
            (None, None) => Err(ReadError::Missing {
                path: bundle.path(),
            }),
        }
    }

    /// The entries of the object of `bundle` itself, if present, checked for width.
    fn bundle_object(&self, bundle: EntryBundleId) -> Result<Option<Vec<Vec<u8>>>, ReadError> {
        let path = bundle.path();
        let Some(data) = self.store.get_at_most(&path, MAX_BUNDLE_LEN + 1)? else {
            return Ok(None);
        };
        let entries =
            tiles::decode_entry_bundle_for(bundle, &data).map_err(|e| ReadError::Corrupt {
                path,
                reason: e.to_string(),
            })?;
        Ok(Some(entries.into_iter().map(|e| e.to_vec()).collect()))
    }

    /// Entry `index` of the tree of `size`.
    pub fn entry(&self, index: u64, size: u64) -> Result<Vec<u8>, ReadError> {
        let (bundle, offset) = tiles::entry_bundle_for_leaf(index, size)?;
        let mut entries = self.bundle(bundle)?;
        Ok(entries.swap_remove(offset))
    }

    /// Visit the entries `[start, end)` of the tree of `size` in order, one bundle in memory
    /// at a time.
    pub fn for_each_entry(
        &self,
        size: u64,
        start: u64,
        end: u64,
        mut f: impl FnMut(u64, &[u8]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let end = end.min(size);
        let mut i = start;
        while i < end {
            let (bundle, offset) = tiles::entry_bundle_for_leaf(i, size)?;
            let entries = self.bundle(bundle)?;
            for (k, e) in entries.iter().enumerate().skip(offset) {
                let idx = bundle.index() * u64::from(tiles::TILE_WIDTH) + k as u64;
                if idx >= end {
                    break;
                }
                f(idx, e)?;
                i = idx + 1;
            }
        }
        Ok(())
    }

    /// The root of the tree of `size`, from tiles.
    pub fn root(&self, size: u64) -> Result<Hash, ReadError> {
        if size == 0 {
            return Ok(self.alg.empty());
        }
        Ok(self.alg.tree_hash(size, &self.hashes(size))?)
    }

    /// Inclusion proof of leaf `index` in the tree of `size`.
    pub fn inclusion_proof(&self, size: u64, index: u64) -> Result<Vec<Hash>, ReadError> {
        Ok(self.alg.inclusion_proof(size, index, &self.hashes(size))?)
    }

    /// Consistency proof from `old` to `new` (read from the tiles of `new`).
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ReadError> {
        Ok(self.alg.consistency_proof(old, new, &self.hashes(new))?)
    }

    /// The leaf hash of entry `index`.
    pub fn leaf_hash(&self, index: u64, size: u64) -> Result<Hash, ReadError> {
        Ok(self.alg.leaf(&self.entry(index, size)?))
    }
}

/// Re-export for callers that only need the maths.
pub use tree::HashReader;
