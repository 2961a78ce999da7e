//! Check 2: the tree recomputed from the entries equals the checkpoint — its root, and every
//! hash tile the log serves (C2SP tlog-tiles), so that proofs read from the tiles are the
//! proofs of this tree. Streaming: O(log n) hashes in memory (the RFC 9162 right edge and
//! one tile buffer per tile level).

use std::collections::BTreeMap;

use crate::store::{ObjectStore, StoreError};
use crate::tiles::{self, TILE_HEIGHT, TILE_WIDTH, TileId};
use crate::tree::{Hash, TreeHashAlg};

use super::report::{Check, Finding, Findings};

const C: Check = Check::Tree;

pub(crate) struct TreeCheck {
    alg: TreeHashAlg,
    size: u64,
    /// Perfect subtrees of the right edge: (height, hash), heights strictly decreasing.
    edge: Vec<(u32, Hash)>,
    /// Hashes of the current (incomplete) tile, per tile level.
    levels: Vec<Vec<Hash>>,
    /// Full tiles completed, per level.
    full_tiles: Vec<u64>,
    next_leaf: u64,
    /// First leaf whose entry could not be read: from there, nothing is recomputed.
    broken_at: Option<u64>,
    /// Why, when it is not missing entries.
    broken_reason: Option<String>,
    /// Tree sizes whose root is wanted (check 1 classifies unproven auditor checkpoints
    /// with them), and the roots recorded as the leaves passed them.
    roots_at: BTreeMap<u64, Option<Hash>>,
}

/// What the recomputation gave once every leaf was pushed.
pub(crate) struct Recomputed {
    /// The root of the whole tree, `None` when entries were missing or unreadable.
    pub root: Option<Hash>,
    /// The root at each size asked for by [`TreeCheck::record_roots_at`] that was reached.
    pub roots_at: BTreeMap<u64, Hash>,
}

impl TreeCheck {
    pub fn new(alg: TreeHashAlg, size: u64) -> Self {
        TreeCheck {
            alg,
            size,
            edge: Vec::new(),
            levels: Vec::new(),
            full_tiles: Vec::new(),
            next_leaf: 0,
            broken_at: None,
            broken_reason: None,
            roots_at: BTreeMap::new(),
        }
    }

    /// Record the root of the tree at each of `sizes` as the leaves pass it.
    pub fn record_roots_at(&mut self, sizes: impl IntoIterator<Item = u64>) {
        self.roots_at
            .extend(sizes.into_iter().filter(|&s| s > 0).map(|s| (s, None)));
    }

    /// Resume after the leaves `[0, from)` of the auditor's checkpoint with root `old_root`:
    /// `partial[L]` are the hashes of level-`L` tile `floor(from / 256^(L+1))` under `from`
    /// (read from the log's tiles). They are authenticated by recomputing `old_root` from
    /// them; when they do not reproduce it, a `tree-resume-mismatch` finding is pushed and
    /// nothing is recomputed.
    pub fn resume(
        alg: TreeHashAlg,
        from: u64,
        size: u64,
        partial: Vec<Vec<Hash>>,
        old_root: &Hash,
        out: &mut Findings,
    ) -> Self {
        let mut t = TreeCheck::new(alg, size);
        t.next_leaf = from;
        let mut edge = Vec::new();
        for (level, hashes) in partial.iter().enumerate().rev() {
            let mut i = 0usize;
            for k in (0..u32::from(TILE_HEIGHT)).rev() {
                let n = 1usize << k;
                if hashes.len() & n != 0 {
                    let chunk = &hashes[i..i + n];
                    edge.push((
                        u32::from(TILE_HEIGHT) * level as u32 + k,
                        alg.root_from_leaves(chunk),
                    ));
                    i += n;
                }
            }
        }
        t.full_tiles = (0..partial.len())
            .map(|l| from >> (u32::from(TILE_HEIGHT) * (l as u32 + 1)))
            .collect();
        t.levels = partial;
        let root = root_of(alg, &edge);
        t.edge = edge;
        if &root != old_root {
            out.push(
                Finding::violated(
                    C,
                    "tree-resume-mismatch",
                    format!(
                        "the hash tiles under the auditor's checkpoint of size {from} do not \
                         reproduce its root: tiles of the verified tree were altered"
                    ),
                )
                .at(from.saturating_sub(1))
                .evidence(hex::encode(old_root), hex::encode(root)),
            );
            t.broken_at = Some(from);
            t.broken_reason = Some(format!(
                "the tree of the auditor's checkpoint of size {from} cannot be resumed from the \
                 log's tiles (see tree-resume-mismatch)"
            ));
        }
        t
    }

    /// The entries from `leaf` on could not be read.
    pub fn break_at(&mut self, leaf: u64) {
        self.broken_at.get_or_insert(leaf);
    }

    /// Add the next leaf hash (leaves come in order).
    pub fn push_leaf(
        &mut self,
        leaf: u64,
        hash: Hash,
        store: &dyn ObjectStore,
        out: &mut Findings,
    ) -> Result<(), StoreError> {
        if self.broken_at.is_some() {
            return Ok(());
        }
        debug_assert_eq!(leaf, self.next_leaf);
        self.next_leaf = leaf + 1;
        // Right edge.
        let mut h = (0u32, hash);
        while let Some(&(top_h, top)) = self.edge.last() {
            if top_h != h.0 {
                break;
            }
            self.edge.pop();
            h = (top_h + 1, self.alg.node(&top, &h.1));
        }
        self.edge.push(h);
        if let Some(slot) = self.roots_at.get_mut(&self.next_leaf) {
            *slot = Some(root_of(self.alg, &self.edge));
        }
        // Tiles.
        let mut level = 0usize;
        let mut value = hash;
        loop {
            if self.levels.len() <= level {
                self.levels
                    .push(Vec::with_capacity(usize::from(TILE_WIDTH)));
                self.full_tiles.push(0);
            }
            self.levels[level].push(value);
            if self.levels[level].len() < usize::from(TILE_WIDTH) {
                break;
            }
            let hashes = std::mem::take(&mut self.levels[level]);
            let index = self.full_tiles[level];
            self.full_tiles[level] += 1;
            let tile = TileId::full(level as u8, index);
            compare_tile(tile, &hashes, store, out)?;
            value = self.alg.root_from_leaves(&hashes);
            level += 1;
        }
        Ok(())
    }

    /// Compare the partial tiles and the root once every leaf was pushed.
    pub fn finish(
        self,
        published_root: &Hash,
        store: &dyn ObjectStore,
        out: &mut Findings,
    ) -> Result<Recomputed, StoreError> {
        let mut done = Recomputed {
            root: None,
            roots_at: self
                .roots_at
                .iter()
                .filter_map(|(&s, r)| Some((s, (*r)?)))
                .collect(),
        };
        if let Some(leaf) = self.broken_at {
            let why = self.broken_reason.unwrap_or_else(|| {
                "entries are missing or unreadable (see tree-entries-missing)".into()
            });
            out.push(
                Finding::undetermined(
                    C,
                    "tree-root-undetermined",
                    format!(
                        "the root and the tiles from leaf {leaf} on cannot be recomputed: {why}"
                    ),
                )
                .at(leaf),
            );
            return Ok(done);
        }
        for tile in tiles::tiles_for_size(self.size) {
            if tile.is_full() {
                continue;
            }
            let level = usize::from(tile.level());
            let hashes = self.levels.get(level).map(Vec::as_slice).unwrap_or(&[]);
            compare_tile(tile, hashes, store, out)?;
        }
        let root = root_of(self.alg, &self.edge);
        if &root != published_root {
            out.push(
                Finding::violated(
                    C,
                    "tree-root-mismatch",
                    format!(
                        "the root recomputed from the {} entries is not the checkpoint's root",
                        self.size
                    ),
                )
                .evidence(hex::encode(published_root), hex::encode(root)),
            );
        }
        done.root = Some(root);
        Ok(done)
    }
}

/// The root of a tree from its right edge (perfect subtrees, heights decreasing).
fn root_of(alg: TreeHashAlg, edge: &[(u32, Hash)]) -> Hash {
    match edge.split_last() {
        None => alg.empty(),
        Some((&(_, last), rest)) => rest
            .iter()
            .rev()
            .fold(last, |acc, (_, left)| alg.node(left, &acc)),
    }
}

/// Compare the tile the log serves with the hashes recomputed from the entries.
fn compare_tile(
    tile: TileId,
    hashes: &[Hash],
    store: &dyn ObjectStore,
    out: &mut Findings,
) -> Result<(), StoreError> {
    let first_leaf = |i: u64| {
        (tile.index() * u64::from(TILE_WIDTH) + i)
            << (u32::from(TILE_HEIGHT) * u32::from(tile.level()))
    };
    let path = tile.path();
    // Read at most the tile's own length: a longer object is a mismatch, not a read.
    let max = tile.data_len();
    let data = match store.get_at_most(&path, max) {
        Ok(Some(data)) => data,
        Ok(None) => {
            out.push(
                Finding::violated(
                    C,
                    "tree-tile-missing",
                    format!("hash tile {path} is missing (the directory is truncated)"),
                )
                .at(first_leaf(0)),
            );
            return Ok(());
        }
        Err(StoreError::TooLarge { .. }) => {
            out.push(
                Finding::violated(
                    C,
                    "tree-tile-mismatch",
                    format!("hash tile {path} is longer than a tile of its width"),
                )
                .at(first_leaf(0))
                .evidence(
                    format!("{max} bytes in all"),
                    format!("more than {max} bytes"),
                ),
            );
            return Ok(());
        }
        Err(e @ StoreError::NotRegular { .. }) => {
            out.push(not_regular(&format!("hash tile {path}"), first_leaf(0), &e));
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let expected: Vec<u8> = hashes.iter().flatten().copied().collect();
    if data == expected {
        return Ok(());
    }
    let mismatch = data
        .chunks(32)
        .zip(hashes)
        .position(|(a, b)| a != b.as_slice())
        .unwrap_or(hashes.len().min(data.len() / 32));
    let found = data
        .get(mismatch * 32..mismatch * 32 + 32)
        .map_or_else(|| format!("{} bytes in all", data.len()), hex::encode);
    let expected_h = hashes
        .get(mismatch)
        .map_or_else(|| format!("{} bytes in all", expected.len()), hex::encode);
    out.push(
        Finding::violated(
            C,
            "tree-tile-mismatch",
            format!("hash tile {path}: hash {mismatch} is not the one recomputed from the entries"),
        )
        .at(first_leaf(mismatch as u64))
        .evidence(expected_h, found),
    );
    Ok(())
}

/// `tree-object-not-regular`: the store refused the object `what` (a tile or an entry
/// bundle) because it is not a regular file; `leaf` is the first leaf under it.
pub(crate) fn not_regular(what: &str, leaf: u64, e: &StoreError) -> Finding {
    let found = match e {
        StoreError::NotRegular { found, .. } => found.clone(),
        other => other.to_string(),
    };
    Finding::violated(
        C,
        "tree-object-not-regular",
        format!("{what} is not read: {e}"),
    )
    .at(leaf)
    .evidence("a regular file inside the log directory", found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| TreeHashAlg::Sha256.leaf(&i.to_le_bytes()))
            .collect()
    }

    /// The partial tiles of a tree of 300 leaves: 44 leaf hashes, and one level-1 hash.
    fn partial(l: &[Hash]) -> Vec<Vec<Hash>> {
        let alg = TreeHashAlg::Sha256;
        vec![l[256..].to_vec(), vec![alg.root_from_leaves(&l[..256])]]
    }

    #[test]
    fn resume_recomputes_the_old_root_from_the_partial_tiles() {
        let alg = TreeHashAlg::Sha256;
        let l = leaves(300);
        let root = alg.root_from_leaves(&l);
        let mut out = Findings::default();
        let t = TreeCheck::resume(alg, 300, 300, partial(&l), &root, &mut out);
        assert_eq!(out.violations_in(C), 0);
        assert_eq!(root_of(alg, &t.edge), root);
        assert_eq!(t.full_tiles, vec![1, 0]);
    }

    #[test]
    fn roots_are_recorded_at_the_sizes_asked_for() {
        let alg = TreeHashAlg::Sha256;
        let l = leaves(300);
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::FsStore::open(dir.path()).unwrap();
        let mut out = Findings::default();
        let mut t = TreeCheck::new(alg, 300);
        t.record_roots_at([0, 5, 256, 299, 400]);
        for (i, h) in l.iter().enumerate() {
            t.push_leaf(i as u64, *h, &store, &mut out).unwrap();
        }
        let root = alg.root_from_leaves(&l);
        let r = t.finish(&root, &store, &mut out).unwrap();
        assert_eq!(r.root, Some(root));
        assert_eq!(
            r.roots_at.keys().copied().collect::<Vec<_>>(),
            [5, 256, 299]
        );
        for (&s, h) in &r.roots_at {
            assert_eq!(*h, alg.root_from_leaves(&l[..s as usize]), "size {s}");
        }
    }

    #[test]
    fn resume_from_altered_tiles_is_a_finding() {
        let alg = TreeHashAlg::Sha256;
        let l = leaves(300);
        let root = alg.root_from_leaves(&l);
        let mut p = partial(&l);
        p[0][7][0] ^= 1;
        let mut out = Findings::default();
        let t = TreeCheck::resume(alg, 300, 300, p, &root, &mut out);
        assert_eq!(out.violations_in(C), 1);
        assert_eq!(t.broken_at, Some(300));
        let (_, _, findings) = out.finish(&Default::default());
        assert_eq!(findings[0].code, "tree-resume-mismatch");
        assert_eq!(findings[0].leaf, Some(299));
    }
}
