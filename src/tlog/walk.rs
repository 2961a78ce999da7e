//! Walking a tree of opaque entries in index order: every entry bundle is decoded and its
//! entries hashed (RFC 6962 SHA-256 leaves), every hash tile (level 0 and up, full and
//! partial `.p/W`) is compared with the hashes recomputed from the entries, the root is
//! recomputed from the leaves and compared with the checkpoint's, and the root at the size
//! of an earlier verified checkpoint (the auditor's state) with that checkpoint's.
//!
//! Streaming: one entry bundle and one tile per level are held at a time, plus a compact
//! range of at most 64 hashes; memory does not grow with the log. A missing or malformed
//! bundle is replaced by its level-0 tile (reported), a missing tile by the recomputed
//! hashes (reported); the walk stops only when both are unusable.

use crate::tiles::{EntryBundleId, TILE_WIDTH, TileId, decode_entry_bundle};
use crate::tree::{HASH_SIZE, Hash, HexHash, TreeHashAlg};

use super::Finding;

const ALG: TreeHashAlg = TreeHashAlg::Sha256;
const WIDTH: u64 = TILE_WIDTH as u64;

/// Fetching failed for another reason than absence (I/O, transport): the walk cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {reason}")]
pub struct SourceError {
    pub place: String,
    pub reason: String,
}

/// Where a log's files come from (a directory laid out as served, or an HTTP server).
/// `Ok(None)`: the file is not there.
pub trait Source {
    fn checkpoint(&self) -> Result<Option<Vec<u8>>, SourceError>;
    fn tile(&self, tile: TileId) -> Result<Option<Vec<u8>>, SourceError>;
    fn entries(&self, bundle: EntryBundleId) -> Result<Option<Vec<u8>>, SourceError>;
}

/// A previously verified tree head the walk must extend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earlier {
    pub size: u64,
    pub root: Hash,
}

/// What a walk found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walked {
    pub findings: Vec<Finding>,
    /// Entries read from bundles and hashed.
    pub entries_checked: u64,
    /// Hash tiles read and compared.
    pub tiles_checked: u64,
    /// Whether every leaf was reached (the root was recomputed).
    pub complete: bool,
}

/// An RFC 6962 compact range from leaf 0: the roots of the perfect subtrees, largest first.
#[derive(Debug, Default)]
struct CompactRange {
    nodes: Vec<(Hash, u64)>,
}

impl CompactRange {
    fn push(&mut self, leaf: Hash) {
        self.nodes.push((leaf, 1));
        while let [.., (l, ls), (r, rs)] = self.nodes[..] {
            if ls != rs {
                break;
            }
            self.nodes.truncate(self.nodes.len() - 2);
            self.nodes.push((ALG.node(&l, &r), ls * 2));
        }
    }

    fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        let Some((last, _)) = it.next() else {
            return ALG.empty();
        };
        it.fold(*last, |acc, (h, _)| ALG.node(h, &acc))
    }
}

/// Verify the tree of `size` leaves with root `root` from `source`.
pub fn walk<S: Source + ?Sized>(
    source: &S,
    size: u64,
    root: Hash,
    earlier: Option<Earlier>,
) -> Result<Walked, SourceError> {
    let mut w = Walker {
        source,
        out: Walked::default(),
        range: CompactRange::default(),
        levels: Vec::new(),
        tile_index: Vec::new(),
        leaves: 0,
        earlier,
    };
    if let Some(e) = earlier
        && e.size > size
    {
        w.out.findings.push(Finding::violated(
            "tlog-state-rollback",
            format!(
                "checkpoint size {size} is smaller than the size {} the state verified",
                e.size
            ),
        ));
        w.earlier = None;
    }
    w.check_earlier();
    for k in 0..size.div_ceil(WIDTH) {
        let width = (size - k * WIDTH).min(WIDTH) as u16;
        let bundle = EntryBundleId::new(k, width).expect("width 1..=256");
        if !w.bundle(bundle)? {
            w.out.findings.push(Finding::violated(
                "tlog-walk-stopped",
                format!(
                    "{}: neither the entry bundle nor its hash tile is usable; the root at \
                     size {size} cannot be recomputed",
                    bundle.path()
                ),
            ));
            return Ok(w.out);
        }
    }
    w.finish_levels()?;
    let found = w.range.root();
    if found != root {
        w.out.findings.push(Finding::violated(
            "tlog-root-mismatch",
            format!(
                "root recomputed from the {size} entries is {}, the checkpoint says {}",
                HexHash(&found),
                HexHash(&root)
            ),
        ));
    }
    w.out.complete = true;
    Ok(w.out)
}

struct Walker<'a, S: ?Sized> {
    source: &'a S,
    out: Walked,
    range: CompactRange,
    /// `levels[L]`: hashes of the current level-(L+1) tile computed so far.
    levels: Vec<Vec<Hash>>,
    /// `tile_index[L]`: index of the current level-(L+1) tile.
    tile_index: Vec<u64>,
    leaves: u64,
    earlier: Option<Earlier>,
}

impl<S: Source + ?Sized> Walker<'_, S> {
    /// One bundle and its level-0 tile; false when neither is usable.
    fn bundle(&mut self, bundle: EntryBundleId) -> Result<bool, SourceError> {
        let from_entries = self.entry_hashes(bundle)?;
        let tile = bundle.hash_tile();
        let from_tile = self.read_tile(tile)?;
        let hashes = match (from_entries, from_tile) {
            (Some(e), Some(t)) => {
                self.compare(tile, &e, &t);
                e
            }
            (Some(e), None) => e,
            (None, Some(t)) => t,
            (None, None) => return Ok(false),
        };
        for h in &hashes {
            self.range.push(*h);
            self.leaves += 1;
            self.check_earlier();
        }
        if bundle.is_full() {
            self.push(1, ALG.root_from_leaves(&hashes))?;
        }
        Ok(true)
    }

    /// The leaf hashes of a bundle's entries, or `None` (reported) when it is unusable. A
    /// partial bundle that is not served is read from the full bundle of the same index (the
    /// log grew since the checkpoint), whose first entries it must be.
    fn entry_hashes(&mut self, bundle: EntryBundleId) -> Result<Option<Vec<Hash>>, SourceError> {
        let path = bundle.path();
        let width = usize::from(bundle.width());
        let mut read = self.source.entries(bundle)?.map(|d| (d, false));
        if read.is_none() && !bundle.is_full() {
            read = self
                .source
                .entries(EntryBundleId::full(bundle.index()))?
                .map(|d| (d, true));
        }
        let Some((data, from_full)) = read else {
            self.out.findings.push(Finding::violated(
                "tlog-bundle-missing",
                format!("{path}: entry bundle not found"),
            ));
            return Ok(None);
        };
        let problem = match decode_entry_bundle(&data) {
            Ok(e) if e.len() == width || (from_full && e.len() == usize::from(TILE_WIDTH)) => {
                self.out.entries_checked += width as u64;
                return Ok(Some(e[..width].iter().map(|e| ALG.leaf(e)).collect()));
            }
            Ok(e) => format!("{} entries, expected {width}", e.len()),
            Err(e) => e.to_string(),
        };
        self.out.findings.push(Finding::violated(
            "tlog-bundle-malformed",
            format!("{path}: {problem}"),
        ));
        Ok(None)
    }

    /// A hash tile's hashes, or `None` (reported) when it is missing or of the wrong length.
    /// A partial tile that is not served is read from the full tile (its prefix).
    fn read_tile(&mut self, tile: TileId) -> Result<Option<Vec<Hash>>, SourceError> {
        let width = usize::from(tile.width());
        let mut read = self.source.tile(tile)?.map(|d| (d, false));
        if read.is_none() && !tile.is_full() {
            read = self.source.tile(tile.to_full())?.map(|d| (d, true));
        }
        let Some((data, from_full)) = read else {
            self.out.findings.push(Finding::violated(
                "tlog-tile-missing",
                format!("{}: hash tile not found", tile.path()),
            ));
            return Ok(None);
        };
        let expected = if from_full {
            usize::from(TILE_WIDTH)
        } else {
            width
        } * HASH_SIZE;
        if data.len() != expected {
            self.out.findings.push(Finding::violated(
                "tlog-tile-malformed",
                format!("{}: {} bytes, expected {expected}", tile.path(), data.len()),
            ));
            return Ok(None);
        }
        self.out.tiles_checked += 1;
        Ok(Some(
            data.chunks_exact(HASH_SIZE)
                .take(width)
                .map(|c| c.try_into().expect("32 bytes"))
                .collect(),
        ))
    }

    /// Compare a tile as served with the hashes recomputed below it.
    fn compare(&mut self, tile: TileId, computed: &[Hash], served: &[Hash]) {
        if let Some(i) = (0..computed.len()).find(|&i| computed[i] != served[i]) {
            self.out.findings.push(Finding::violated(
                "tlog-tile-mismatch",
                format!(
                    "{}: hash {i} is {}, recomputed from {} {}",
                    tile.path(),
                    HexHash(&served[i]),
                    if tile.level() == 0 {
                        "the entries"
                    } else {
                        "the tiles below"
                    },
                    HexHash(&computed[i])
                ),
            ));
        }
    }

    /// Add the root of a complete tile of level `level - 1` to the level-`level` tile; a
    /// completed level-`level` tile is checked and its root carried up.
    fn push(&mut self, level: u8, hash: Hash) -> Result<(), SourceError> {
        let l = usize::from(level) - 1;
        if self.levels.len() <= l {
            self.levels.push(Vec::new());
            self.tile_index.push(0);
        }
        self.levels[l].push(hash);
        if self.levels[l].len() == usize::from(TILE_WIDTH) {
            let tile = TileId::full(level, self.tile_index[l]);
            let computed = std::mem::take(&mut self.levels[l]);
            self.check_upper(tile, &computed)?;
            self.tile_index[l] += 1;
            self.push(level + 1, ALG.root_from_leaves(&computed))?;
        }
        Ok(())
    }

    /// Check a level-1-or-higher tile against the recomputed hashes (the served tile is
    /// never used in their place: they come from the level below).
    fn check_upper(&mut self, tile: TileId, computed: &[Hash]) -> Result<(), SourceError> {
        if let Some(served) = self.read_tile(tile)? {
            self.compare(tile, computed, &served);
        }
        Ok(())
    }

    /// The partial tiles at the right edge, at every level above 0.
    fn finish_levels(&mut self) -> Result<(), SourceError> {
        for l in 0..self.levels.len() {
            if self.levels[l].is_empty() {
                continue;
            }
            let computed = std::mem::take(&mut self.levels[l]);
            let tile = TileId::new(l as u8 + 1, self.tile_index[l], computed.len() as u16)
                .expect("partial width 1..=255");
            self.check_upper(tile, &computed)?;
        }
        Ok(())
    }

    /// At the earlier checkpoint's size, compare the recomputed root with its root.
    fn check_earlier(&mut self) {
        let Some(e) = self.earlier else { return };
        if e.size != self.leaves {
            return;
        }
        let found = self.range.root();
        if found != e.root {
            self.out.findings.push(Finding::violated(
                "tlog-state-inconsistent",
                format!(
                    "the root at size {} recomputed from the entries is {}, the checkpoint \
                     the state verified says {}",
                    e.size,
                    HexHash(&found),
                    HexHash(&e.root)
                ),
            ));
        }
        self.earlier = None;
    }
}

#[cfg(test)]
mod tests;
