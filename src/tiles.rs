//! C2SP tlog-tiles layout (<https://c2sp.org/tlog-tiles>): pure arithmetic and encoding, no I/O.
//!
//! * **Hash tiles** `tile/<L>/<N>[.p/<W>]`: tile `N` at level `L` holds the 256 tree hashes
//!   `MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L])`, `i = 0..256` — the hashes at RFC 9162
//!   tree level `8·L`, i.e. the stored hashes `(8L, N·256 + i)` of [`crate::tree`]. Data is the
//!   concatenation of the hashes (32 bytes each; 8,192 bytes when full).
//! * **Partial tiles**: the rightmost tile of level `L` of a tree of size `s` has
//!   `floor(s / 256^L) mod 256` hashes (1..=255) and carries `.p/<W>`; empty tiles do not exist.
//! * **Entry bundles** `tile/entries/<N>[.p/<W>]`: the entries of the level-0 tile `N`, each as a
//!   big-endian `u16` length followed by the entry bytes.
//! * `<N>` is written in zero-padded 3-digit path elements, all but the last prefixed with `x`
//!   (`1234067` → `x001/x234/067`); `<L>` and `<W>` are decimal without leading zeros.
//!
//! The tree hash is SHA-256 for a standard log; [`TileHashReader`] takes a
//! [`TreeHashAlg`] so a BLAKE3 log (`--tree-hash blake3`) uses the same layout.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use crate::tree::{
    HASH_SIZE, Hash, HashReader, MAX_TREE_SIZE, TreeError, TreeHashAlg, is_complete,
    split_stored_hash_index, stored_hash_index,
};

/// Tree levels per tile (tiles of height 8).
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile (`2^TILE_HEIGHT`).
pub const TILE_WIDTH: u16 = 1 << TILE_HEIGHT;
/// Bytes in a full hash tile.
pub const FULL_TILE_BYTES: usize = TILE_WIDTH as usize * HASH_SIZE;
/// Largest tile level the path syntax allows.
pub const MAX_TILE_LEVEL: u8 = 63;
/// Entries in a full entry bundle.
pub const ENTRIES_PER_BUNDLE: usize = TILE_WIDTH as usize;
/// Largest entry an entry bundle can carry (`u16` length prefix).
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

const PATH_BASE: u64 = 1000;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Errors of tile paths, coordinates and entry bundles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TileError {
    /// A tile path that is not in the canonical form of the spec.
    #[error("invalid tile path {path:?}: element {part:?}: {reason}")]
    BadPath {
        path: String,
        part: String,
        reason: &'static str,
    },
    /// Tile coordinates outside the spec's ranges.
    #[error("invalid tile coordinates (level {level}, index {index}, width {width}): {reason}")]
    BadCoordinates {
        level: u8,
        index: u64,
        width: u16,
        reason: &'static str,
    },
    /// Tile data whose length does not match the tile's width.
    #[error("tile {path}: data is {found} bytes, expected {expected}")]
    BadTileData {
        path: String,
        expected: usize,
        found: usize,
    },
    /// An entry too large for the 2-byte length prefix.
    #[error("entry {entry} is {len} bytes, more than the {MAX_ENTRY_SIZE} an entry bundle allows")]
    EntryTooLarge { entry: usize, len: usize },
    /// More than 256 entries given to the encoder.
    #[error("{count} entries do not fit in one entry bundle (at most {ENTRIES_PER_BUNDLE})")]
    TooManyEntries { count: usize },
    /// An entry bundle with more than 256 entries; `offset` is where the 257th starts.
    #[error(
        "entry bundle has more than {ENTRIES_PER_BUNDLE} entries (257th at byte offset {offset})"
    )]
    BundleTooLong { offset: usize },
    /// An empty entry bundle (empty bundles are never served).
    #[error("entry bundle is empty")]
    EmptyBundle,
    /// The data ends inside a 2-byte length prefix.
    #[error("entry bundle truncated in the length prefix at byte offset {offset}")]
    TruncatedLength { offset: usize },
    /// The data ends inside an entry.
    #[error(
        "entry bundle truncated: entry at byte offset {offset} declares {len} bytes, {available} remain"
    )]
    TruncatedEntry {
        offset: usize,
        len: usize,
        available: usize,
    },
    /// An entry bundle with a different number of entries than its width.
    #[error("entry bundle has {found} entries, expected {expected}")]
    WrongEntryCount { expected: usize, found: usize },
}

impl From<TileError> for TreeError {
    fn from(e: TileError) -> Self {
        TreeError::Storage(e.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Coordinates and paths
// ---------------------------------------------------------------------------------------------

/// A hash tile: level `L`, index `N` within the level, width `W` (1..=256; 256 is full).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    level: u8,
    index: u64,
    width: u16,
}

/// An entry bundle: index `N` (that of the level-0 tile it matches) and width `W` (1..=256).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryBundleId {
    index: u64,
    width: u16,
}

/// A parsed tile path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TilePath {
    /// `tile/<L>/<N>[.p/<W>]`.
    Hash(TileId),
    /// `tile/entries/<N>[.p/<W>]`.
    Entries(EntryBundleId),
}

fn check_width(level: u8, index: u64, width: u16) -> Result<(), TileError> {
    let bad = |reason| TileError::BadCoordinates {
        level,
        index,
        width,
        reason,
    };
    if level > MAX_TILE_LEVEL {
        return Err(bad("level must be at most 63"));
    }
    if width == 0 || width > TILE_WIDTH {
        return Err(bad("width must be between 1 and 256"));
    }
    Ok(())
}

impl TileId {
    /// A tile; `width == 256` is a full tile.
    pub fn new(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        check_width(level, index, width)?;
        Ok(Self {
            level,
            index,
            width,
        })
    }

    /// A full tile. Panics if `level > 63`.
    pub fn full(level: u8, index: u64) -> Self {
        assert!(level <= MAX_TILE_LEVEL, "tile level {level} > 63");
        Self {
            level,
            index,
            width: TILE_WIDTH,
        }
    }

    /// Tile level `L`.
    pub fn level(&self) -> u8 {
        self.level
    }

    /// Index `N` within the level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Number of hashes (1..=256).
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the tile has all 256 hashes.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// RFC 9162 tree level of the tile's hashes (`8·L`).
    pub fn tree_level(&self) -> u32 {
        u32::from(self.level) * u32::from(TILE_HEIGHT)
    }

    /// Length of the tile's data in bytes.
    pub fn data_len(&self) -> usize {
        usize::from(self.width) * HASH_SIZE
    }

    /// The same tile with all 256 hashes.
    pub fn to_full(self) -> Self {
        Self {
            width: TILE_WIDTH,
            ..self
        }
    }

    /// Stored hash indexes of the tile's hashes, in tile order. Requires the tile to lie within
    /// a tree of at most [`MAX_TREE_SIZE`] leaves (as every tile from [`new_tile_ids`] or
    /// [`tile_for_hash`] does); other coordinates overflow.
    pub fn stored_hash_indexes(&self) -> impl Iterator<Item = u64> + use<> {
        let level = self.tree_level() as u8;
        let first = self.index << TILE_HEIGHT;
        (0..u64::from(self.width)).map(move |i| stored_hash_index(level, first + i))
    }

    /// The path `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        let mut s = format!("tile/{}/", self.level);
        push_index_and_width(&mut s, self.index, self.width);
        s
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

impl EntryBundleId {
    /// An entry bundle; `width == 256` is a full bundle.
    pub fn new(index: u64, width: u16) -> Result<Self, TileError> {
        check_width(0, index, width)?;
        Ok(Self { index, width })
    }

    /// A full bundle.
    pub fn full(index: u64) -> Self {
        Self {
            index,
            width: TILE_WIDTH,
        }
    }

    /// Index `N`.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Number of entries (1..=256).
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether the bundle has all 256 entries.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// Leaf indexes of the bundle's entries.
    pub fn leaf_range(&self) -> Range<u64> {
        let first = self.index << TILE_HEIGHT;
        first..first + u64::from(self.width)
    }

    /// The level-0 hash tile holding the leaf hashes of these entries.
    pub fn hash_tile(&self) -> TileId {
        TileId {
            level: 0,
            index: self.index,
            width: self.width,
        }
    }

    /// The path `tile/entries/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        let mut s = String::from("tile/entries/");
        push_index_and_width(&mut s, self.index, self.width);
        s
    }
}

impl fmt::Display for EntryBundleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

impl TilePath {
    /// The canonical path string.
    pub fn path(&self) -> String {
        match self {
            TilePath::Hash(t) => t.path(),
            TilePath::Entries(b) => b.path(),
        }
    }
}

fn push_index_and_width(s: &mut String, index: u64, width: u16) {
    use fmt::Write as _;
    let mut groups = [0u64; 7];
    let mut count = 0;
    let mut n = index;
    loop {
        groups[count] = n % PATH_BASE;
        count += 1;
        n /= PATH_BASE;
        if n == 0 {
            break;
        }
    }
    for (i, g) in groups[..count].iter().rev().enumerate() {
        let last = i + 1 == count;
        let _ = write!(
            s,
            "{}{g:03}{}",
            if last { "" } else { "x" },
            if last { "" } else { "/" }
        );
    }
    if width != TILE_WIDTH {
        let _ = write!(s, ".p/{width}");
    }
}

/// Path of hash tile `(level, index)` with `width` hashes (256 = full): `tile/<L>/<N>[.p/<W>]`.
pub fn tile_path(level: u8, index: u64, width: u16) -> Result<String, TileError> {
    Ok(TileId::new(level, index, width)?.path())
}

/// Path of entry bundle `index` with `width` entries (256 = full): `tile/entries/<N>[.p/<W>]`.
pub fn entries_path(index: u64, width: u16) -> Result<String, TileError> {
    Ok(EntryBundleId::new(index, width)?.path())
}

/// A non-negative integer in the path syntax of tile indexes (`1234067` → `x001/x234/067`),
/// for other objects numbered the same way (the checkpoint history, `docs/FORMAT.md`).
pub fn index_path(index: u64) -> String {
    let mut s = String::new();
    push_index_and_width(&mut s, index, TILE_WIDTH);
    s
}

/// Parses [`index_path`]'s form, accepting only the canonical one.
pub fn parse_index_path(path: &str) -> Option<u64> {
    match parse_tile_path(&format!("tile/0/{path}")) {
        Ok(TilePath::Hash(t)) if t.is_full() => Some(t.index()),
        _ => None,
    }
}

/// Parses a decimal number without sign or leading zeros.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Parses a tile path (`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, no URL prefix),
/// accepting only the canonical form; errors name the offending path element.
pub fn parse_tile_path(path: &str) -> Result<TilePath, TileError> {
    let bad = |part: &str, reason: &'static str| TileError::BadPath {
        path: path.to_owned(),
        part: part.to_owned(),
        reason,
    };
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() > 12 {
        return Err(bad(path, "too many path elements"));
    }
    if parts[0] != "tile" {
        return Err(bad(parts[0], "path must start with \"tile/\""));
    }
    let Some(&kind) = parts.get(1) else {
        return Err(bad(path, "missing level"));
    };
    let level = if kind == "entries" {
        None
    } else {
        let level = parse_decimal(kind).ok_or_else(|| {
            bad(
                kind,
                "level must be a decimal integer without leading zeros",
            )
        })?;
        if level > u64::from(MAX_TILE_LEVEL) {
            return Err(bad(kind, "level must be at most 63"));
        }
        Some(level as u8)
    };
    let mut rest = &parts[2..];
    if rest.is_empty() {
        return Err(bad(path, "missing tile index"));
    }
    // Optional ".p/<W>" suffix: the second-to-last element ends in ".p".
    let mut width = TILE_WIDTH;
    let mut last_index_part = rest[rest.len() - 1];
    if rest.len() >= 2 && rest[rest.len() - 2].ends_with(".p") {
        let w = rest[rest.len() - 1];
        let w = parse_decimal(w)
            .ok_or_else(|| bad(w, "width must be a decimal integer without leading zeros"))?;
        if !(1..u64::from(TILE_WIDTH)).contains(&w) {
            return Err(bad(
                rest[rest.len() - 1],
                "partial width must be between 1 and 255",
            ));
        }
        width = w as u16;
        let p = rest[rest.len() - 2];
        last_index_part = &p[..p.len() - 2];
        rest = &rest[..rest.len() - 1];
    }
    let groups = rest.len();
    let mut index: u64 = 0;
    for (i, &part) in rest.iter().enumerate() {
        let is_last = i + 1 == groups;
        let digits = if is_last {
            last_index_part
        } else {
            part.strip_prefix('x')
                .ok_or_else(|| bad(part, "all but the last index element must start with 'x'"))?
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                part,
                if is_last && digits.ends_with(".p") {
                    "\".p\" must be followed by a width element"
                } else {
                    "index elements must be exactly three decimal digits"
                },
            ));
        }
        let value: u64 = digits.parse().expect("three ASCII digits");
        if i == 0 && !is_last && value == 0 {
            return Err(bad(part, "leading index element must not be zero"));
        }
        index = index
            .checked_mul(PATH_BASE)
            .and_then(|x| x.checked_add(value))
            .ok_or_else(|| bad(part, "tile index overflows 64 bits"))?;
    }
    let parsed = match level {
        Some(level) => TilePath::Hash(TileId {
            level,
            index,
            width,
        }),
        None => TilePath::Entries(EntryBundleId { index, width }),
    };
    if parsed.path() != path {
        return Err(bad(path, "not in canonical form"));
    }
    Ok(parsed)
}

// ---------------------------------------------------------------------------------------------
// Which tiles
// ---------------------------------------------------------------------------------------------

/// Number of hashes at tile level `level` (tree level `8·level`) in a tree of `tree_size`.
fn hashes_at_level(level: u8, tree_size: u64) -> u64 {
    let shift = u32::from(level) * u32::from(TILE_HEIGHT);
    if shift >= u64::BITS {
        0
    } else {
        tree_size >> shift
    }
}

/// The tiles of level `level` in a tree of `tree_size`: full tiles, then the partial one if any.
pub fn tiles_at_level(level: u8, tree_size: u64) -> impl Iterator<Item = TileId> + use<> {
    let count = hashes_at_level(level, tree_size);
    let full = count >> TILE_HEIGHT;
    let partial = (count % u64::from(TILE_WIDTH)) as u16;
    (0..full)
        .map(move |index| TileId::full(level, index))
        .chain((partial > 0).then_some(TileId {
            level,
            index: full,
            width: partial,
        }))
}

/// Every tile of a tree of `tree_size` (full and partial, all levels, level by level).
/// Level `L` has `floor(tree_size / 256^L)` hashes in all.
pub fn tiles_for_size(tree_size: u64) -> Vec<TileId> {
    (0..=MAX_TILE_LEVEL)
        .take_while(|&l| hashes_at_level(l, tree_size) > 0)
        .flat_map(|l| tiles_at_level(l, tree_size))
        .collect()
}

/// The rightmost (highest-index) tile of each level of a tree of `tree_size`.
pub fn right_edge_tiles(tree_size: u64) -> Vec<TileId> {
    (0..=MAX_TILE_LEVEL)
        .take_while(|&l| hashes_at_level(l, tree_size) > 0)
        .map(|level| {
            let count = hashes_at_level(level, tree_size);
            let width = (count % u64::from(TILE_WIDTH)) as u16;
            if width == 0 {
                TileId::full(level, (count >> TILE_HEIGHT) - 1)
            } else {
                TileId {
                    level,
                    index: count >> TILE_HEIGHT,
                    width,
                }
            }
        })
        .collect()
}

/// The tiles to publish when the tree grows from `old_size` to `new_size`: on each level, every
/// full tile that is new or was partial, and the new partial tile (if any). Full tiles appear
/// exactly once over the life of a log; each partial tile belongs to the size that produced it.
pub fn new_tile_ids(old_size: u64, new_size: u64) -> Result<Vec<TileId>, TreeError> {
    if new_size > MAX_TREE_SIZE {
        return Err(TreeError::TreeTooLarge {
            size: new_size,
            max: MAX_TREE_SIZE,
        });
    }
    if old_size > new_size {
        return Err(TreeError::ConsistencyOldLargerThanNew {
            old: old_size,
            new: new_size,
        });
    }
    let mut out = Vec::new();
    for level in 0..=MAX_TILE_LEVEL {
        let new_count = hashes_at_level(level, new_size);
        if new_count == 0 {
            break;
        }
        let old_count = hashes_at_level(level, old_size);
        if old_count == new_count {
            continue;
        }
        let new_full = new_count >> TILE_HEIGHT;
        for index in (old_count >> TILE_HEIGHT)..new_full {
            out.push(TileId::full(level, index));
        }
        let partial = (new_count % u64::from(TILE_WIDTH)) as u16;
        if partial > 0 {
            out.push(TileId {
                level,
                index: new_full,
                width: partial,
            });
        }
    }
    Ok(out)
}

/// The entry bundles to publish when the tree grows from `old_size` to `new_size` (the level-0
/// tiles of [`new_tile_ids`], as bundles).
pub fn new_entry_bundle_ids(old_size: u64, new_size: u64) -> Result<Vec<EntryBundleId>, TreeError> {
    Ok(new_tile_ids(old_size, new_size)?
        .into_iter()
        .filter(|t| t.level == 0)
        .map(|t| EntryBundleId {
            index: t.index,
            width: t.width,
        })
        .collect())
}

/// The entry bundle of a tree of `tree_size` holding leaf `leaf_index`, and the entry's position
/// in it.
pub fn entry_bundle_for_leaf(
    leaf_index: u64,
    tree_size: u64,
) -> Result<(EntryBundleId, usize), TreeError> {
    if leaf_index >= tree_size {
        return Err(TreeError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    let index = leaf_index >> TILE_HEIGHT;
    let width = (tree_size - (index << TILE_HEIGHT)).min(u64::from(TILE_WIDTH)) as u16;
    let offset = (leaf_index % u64::from(TILE_WIDTH)) as usize;
    Ok((EntryBundleId { index, width }, offset))
}

/// The smallest tile holding the tree hash `(level, n)`, and the positions (hash indexes within
/// the tile) of the hashes whose subtree hash it is: one position when `level` is a multiple of 8,
/// else the `2^(level mod 8)` hashes below it. The tile's width is the least that contains them.
pub fn min_tile_for_hash(level: u8, n: u64) -> (TileId, Range<usize>) {
    let tile_level = level / TILE_HEIGHT;
    let sub = level % TILE_HEIGHT; // levels above the tile's hashes
    let first = n << sub; // position of the first covered hash on level 8·tile_level
    let index = first >> TILE_HEIGHT;
    let start = (first % u64::from(TILE_WIDTH)) as usize;
    let end = start + (1usize << sub);
    (
        TileId {
            level: tile_level,
            index,
            width: end as u16,
        },
        start..end,
    )
}

/// The tile of the tree of `tree_size` holding the tree hash `(level, n)`, with the covered
/// positions as in [`min_tile_for_hash`]. Fails if `(level, n)` is not a complete subtree of that
/// tree.
pub fn tile_for_hash(
    level: u8,
    n: u64,
    tree_size: u64,
) -> Result<(TileId, Range<usize>), TreeError> {
    if !is_complete(level, n, tree_size) {
        return Err(TreeError::Storage(format!(
            "hash ({level}, {n}) is not a complete subtree of the tree of size {tree_size}"
        )));
    }
    let (mut tile, range) = min_tile_for_hash(level, n);
    let available = hashes_at_level(tile.level, tree_size) - (tile.index << TILE_HEIGHT);
    tile.width = available.min(u64::from(TILE_WIDTH)) as u16;
    Ok((tile, range))
}

/// [`tile_for_hash`] of a stored hash index.
pub fn tile_for_stored_index(
    index: u64,
    tree_size: u64,
) -> Result<(TileId, Range<usize>), TreeError> {
    let (level, n) = split_stored_hash_index(index);
    tile_for_hash(level, n, tree_size)
}

/// The distinct tiles (of the tree of `tree_size`) needed to serve `indexes`, sorted.
pub fn tiles_for_hash_indexes(indexes: &[u64], tree_size: u64) -> Result<Vec<TileId>, TreeError> {
    let mut tiles = indexes
        .iter()
        .map(|&i| tile_for_stored_index(i, tree_size).map(|(t, _)| t))
        .collect::<Result<Vec<_>, _>>()?;
    tiles.sort_unstable();
    tiles.dedup();
    Ok(tiles)
}

// ---------------------------------------------------------------------------------------------
// Tile contents
// ---------------------------------------------------------------------------------------------

/// `MTH` of a perfect subtree whose leaves-level hashes are concatenated in `data`
/// (`data.len() / 32` a power of two).
fn subtree_hash(alg: TreeHashAlg, data: &[u8]) -> Hash {
    if data.len() == HASH_SIZE {
        let mut h = [0u8; HASH_SIZE];
        h.copy_from_slice(data);
        return h;
    }
    let (l, r) = data.split_at(data.len() / 2);
    alg.node(&subtree_hash(alg, l), &subtree_hash(alg, r))
}

/// Reads the hashes of `tile` from `reader` (one batched call) and returns the tile's data.
pub fn tile_data<R: HashReader + ?Sized>(tile: TileId, reader: &R) -> Result<Vec<u8>, TreeError> {
    let indexes: Vec<u64> = tile.stored_hash_indexes().collect();
    let mut hashes = vec![[0u8; HASH_SIZE]; indexes.len()];
    reader.read_hashes_into(&indexes, &mut hashes)?;
    Ok(hashes.concat())
}

/// The contents of every tile to publish when the tree grows from `old_size` to `new_size`
/// ([`new_tile_ids`]), read from `reader` (which must hold the hashes of the tree of `new_size`)
/// in one batched call.
pub fn new_tiles<R: HashReader + ?Sized>(
    old_size: u64,
    new_size: u64,
    reader: &R,
) -> Result<Vec<(TileId, Vec<u8>)>, TreeError> {
    let tiles = new_tile_ids(old_size, new_size)?;
    let indexes: Vec<u64> = tiles.iter().flat_map(|t| t.stored_hash_indexes()).collect();
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let mut hashes = vec![[0u8; HASH_SIZE]; indexes.len()];
    reader.read_hashes_into(&indexes, &mut hashes)?;
    let mut at = 0;
    Ok(tiles
        .into_iter()
        .map(|t| {
            let w = usize::from(t.width);
            let data = hashes[at..at + w].concat();
            at += w;
            (t, data)
        })
        .collect())
}

/// Source of tile data for [`TileHashReader`].
pub trait TileFetcher {
    /// Returns the data of `tile` (exactly `tile.width() · 32` bytes).
    fn read_tile(&self, tile: TileId) -> Result<Vec<u8>, TreeError>;
}

impl<F: Fn(TileId) -> Result<Vec<u8>, TreeError>> TileFetcher for F {
    fn read_tile(&self, tile: TileId) -> Result<Vec<u8>, TreeError> {
        self(tile)
    }
}

/// A [`HashReader`] over the tiles of a tree of a fixed size. Each `read_hashes` call fetches
/// every needed tile once. Tiles are not authenticated here: results computed from them (roots,
/// proofs) must be checked against a signed root, as every verifier does anyway.
#[derive(Clone, Debug)]
pub struct TileHashReader<F> {
    tree_size: u64,
    alg: TreeHashAlg,
    fetcher: F,
}

impl<F: TileFetcher> TileHashReader<F> {
    /// A reader of the tiles of the tree of `tree_size` leaves hashed with `alg`.
    pub fn new(tree_size: u64, alg: TreeHashAlg, fetcher: F) -> Self {
        Self {
            tree_size,
            alg,
            fetcher,
        }
    }

    /// The tree size whose tiles are read.
    pub fn tree_size(&self) -> u64 {
        self.tree_size
    }

    /// The tree hash algorithm.
    pub fn alg(&self) -> TreeHashAlg {
        self.alg
    }

    /// The fetcher.
    pub fn fetcher(&self) -> &F {
        &self.fetcher
    }

    /// Gives the fetcher back.
    pub fn into_fetcher(self) -> F {
        self.fetcher
    }

    fn fetch(&self, tile: TileId) -> Result<Vec<u8>, TreeError> {
        let data = self.fetcher.read_tile(tile)?;
        if data.len() != tile.data_len() {
            return Err(TileError::BadTileData {
                path: tile.path(),
                expected: tile.data_len(),
                found: data.len(),
            }
            .into());
        }
        Ok(data)
    }
}

impl<F: TileFetcher> HashReader for TileHashReader<F> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        let mut out = vec![[0u8; HASH_SIZE]; indexes.len()];
        self.read_hashes_into(indexes, &mut out)?;
        Ok(out)
    }

    fn read_hashes_into(&self, indexes: &[u64], out: &mut [Hash]) -> Result<(), TreeError> {
        if out.len() != indexes.len() {
            return Err(TreeError::ReaderCountMismatch {
                requested: indexes.len(),
                returned: out.len(),
            });
        }
        let mut data: HashMap<TileId, Vec<u8>> = HashMap::new();
        for (o, &index) in out.iter_mut().zip(indexes) {
            let (tile, range) = tile_for_stored_index(index, self.tree_size)?;
            let bytes = match data.entry(tile) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(self.fetch(tile)?),
            };
            *o = subtree_hash(
                self.alg,
                &bytes[range.start * HASH_SIZE..range.end * HASH_SIZE],
            );
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Entry bundles
// ---------------------------------------------------------------------------------------------

/// Encodes entries as an entry bundle: each a big-endian `u16` length then its bytes. Fails on
/// no entries, more than 256 entries or an entry above 65,535 bytes.
pub fn encode_entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, TileError> {
    if entries.is_empty() {
        return Err(TileError::EmptyBundle);
    }
    if entries.len() > ENTRIES_PER_BUNDLE {
        return Err(TileError::TooManyEntries {
            count: entries.len(),
        });
    }
    let mut total = 0;
    for (i, e) in entries.iter().enumerate() {
        let len = e.as_ref().len();
        if len > MAX_ENTRY_SIZE {
            return Err(TileError::EntryTooLarge { entry: i, len });
        }
        total += 2 + len;
    }
    let mut out = Vec::with_capacity(total);
    for e in entries {
        let e = e.as_ref();
        out.extend_from_slice(&(e.len() as u16).to_be_bytes());
        out.extend_from_slice(e);
    }
    Ok(out)
}

/// Decodes an entry bundle strictly: 1 to 256 complete entries and nothing else.
pub fn decode_entry_bundle(data: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    if data.is_empty() {
        return Err(TileError::EmptyBundle);
    }
    let mut entries = Vec::with_capacity(ENTRIES_PER_BUNDLE.min(data.len() / 2));
    let mut offset = 0;
    while offset < data.len() {
        if entries.len() == ENTRIES_PER_BUNDLE {
            return Err(TileError::BundleTooLong { offset });
        }
        let Some(prefix) = data.get(offset..offset + 2) else {
            return Err(TileError::TruncatedLength { offset });
        };
        let len = usize::from(u16::from_be_bytes([prefix[0], prefix[1]]));
        let start = offset + 2;
        let available = data.len() - start;
        if len > available {
            return Err(TileError::TruncatedEntry {
                offset,
                len,
                available,
            });
        }
        entries.push(&data[start..start + len]);
        offset = start + len;
    }
    Ok(entries)
}

/// [`decode_entry_bundle`] that also requires the bundle's width.
pub fn decode_entry_bundle_for(
    bundle: EntryBundleId,
    data: &[u8],
) -> Result<Vec<&[u8]>, TileError> {
    let entries = decode_entry_bundle(data)?;
    if entries.len() != usize::from(bundle.width) {
        return Err(TileError::WrongEntryCount {
            expected: usize::from(bundle.width),
            found: entries.len(),
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests;
