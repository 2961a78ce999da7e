//! Merkle tree maths of RFC 9162 §2.1 (the Certificate Transparency tree), algorithm only.
//!
//! * §2.1.1 *Definition of the Merkle Tree*: `MTH({}) = HASH()`, `MTH({d(0)}) = HASH(0x00 ||
//!   d(0))`, and for `n > 1`, with `k` the largest power of two smaller than `n`,
//!   `MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))` — see [`TreeHash`],
//!   [`root_from_leaves`].
//! * §2.1.3.1 *Generating an Inclusion Proof* (`PATH(m, D_n)`) — [`inclusion_proof`].
//! * §2.1.3.2 *Verifying an Inclusion Proof* — [`verify_inclusion`],
//!   [`root_from_inclusion_proof`].
//! * §2.1.4.1 *Generating a Consistency Proof* (`PROOF(m, D_n)`, `SUBPROOF(m, D_n, b)`) —
//!   [`consistency_proof`].
//! * §2.1.4.2 *Verifying Consistency between Two Tree Heads* — [`verify_consistency`].
//!
//! `HASH` is SHA-256 by default ([`Sha256`], which makes the tree a standard RFC 6962 / C2SP
//! tlog-tiles tree); [`Blake3`] uses the same domain-separation bytes with plain BLAKE3. Code that
//! picks the hash at run time (a log opened from disk) uses [`TreeHashAlg`].
//!
//! Storage reaches the maths only through [`HashReader`], which serves *stored hash indexes*: the
//! dense numbering of the Go `sumdb/tlog` package (Crosby–Wallach §3.3) in which the hash of the
//! complete subtree at `(level, n)` — covering leaves `[n·2^level, (n+1)·2^level)` — is stored
//! right after the leaf that completes it ([`stored_hash_index`]). C2SP tlog-tiles tiles are
//! slices of exactly these hashes, so a tile store can serve them (see `crate::tiles`).
//!
//! Every function that needs stored hashes first computes the full list of indexes, then makes a
//! single batched [`HashReader::read_hashes_into`] call (O(log n) indexes), then folds.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use sha2::Digest as _;

/// Size in bytes of every tree hash.
pub const HASH_SIZE: usize = 32;

/// A tree hash: a leaf hash, an interior node hash or a root (`MTH`).
pub type Hash = [u8; HASH_SIZE];

/// Largest tree size this module accepts (2^62 leaves); keeps every stored hash index in `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Upper bound on the number of stored hashes appended for one leaf (`1 + trailing_ones(n)`).
pub const MAX_STORED_HASHES_PER_LEAF: usize = 64;

/// Domain-separation byte for leaf hashes (RFC 9162 §2.1.1).
pub const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation byte for interior node hashes (RFC 9162 §2.1.1).
pub const NODE_PREFIX: u8 = 0x01;

/// SHA-256 of the empty string: `MTH({})` for [`Sha256`].
pub const SHA256_EMPTY: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Displays a [`Hash`] as lowercase hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HexHash<'a>(pub &'a Hash);

impl fmt::Display for HexHash<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for HexHash<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Errors of the tree maths, proof verification and hash storage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError {
    /// A leaf index is not below the tree size.
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    /// A tree size above [`MAX_TREE_SIZE`].
    #[error("tree size {size} exceeds the supported maximum {max}")]
    TreeTooLarge { size: u64, max: u64 },
    /// A proof with the wrong number of hashes for its sizes/index.
    #[error("proof has {found} hashes, expected {expected}")]
    BadProofLength { expected: usize, found: usize },
    /// A proof (or claimed root) did not reproduce the expected root of the tree of `size`.
    #[error(
        "root mismatch for tree size {size}: expected {}, computed {}",
        HexHash(.expected),
        HexHash(.computed)
    )]
    RootMismatch {
        size: u64,
        expected: Hash,
        computed: Hash,
    },
    /// A consistency proof between an old tree larger than the new one.
    #[error("consistency between old size {old} and smaller new size {new}")]
    ConsistencyOldLargerThanNew { old: u64, new: u64 },
    /// A proof that fails a structural step of the RFC 9162 verification algorithm.
    #[error("malformed proof: {reason}")]
    MalformedProof { reason: &'static str },
    /// A stored hash index that the store does not (yet) hold.
    #[error("stored hash index {index} is not available (store holds {count} hashes)")]
    StoredHashMissing { index: u64, count: u64 },
    /// A tree size beyond what a store holds.
    #[error("tree size {requested} is not available (the store holds {available} leaves)")]
    SizeUnavailable { requested: u64, available: u64 },
    /// A [`HashReader`] answered with the wrong number of hashes.
    #[error("hash reader returned {returned} hashes for {requested} requested indexes")]
    ReaderCountMismatch { requested: usize, returned: usize },
    /// An unknown tree hash algorithm name.
    #[error("unknown tree hash algorithm {name:?} (expected \"sha256\" or \"blake3\")")]
    UnknownHashAlgorithm { name: String },
    /// A failure of the storage behind a [`HashReader`].
    #[error("hash storage: {0}")]
    Storage(String),
}

fn check_size(size: u64) -> Result<(), TreeError> {
    if size > MAX_TREE_SIZE {
        Err(TreeError::TreeTooLarge {
            size,
            max: MAX_TREE_SIZE,
        })
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Hash functions
// ---------------------------------------------------------------------------------------------

/// The `HASH` of RFC 9162 §2.1 with its leaf/node domain separation.
pub trait TreeHash: Copy + Clone + Send + Sync + 'static {
    /// Name used in origin lines and on the command line (`"sha256"`, `"blake3"`).
    const NAME: &'static str;
    /// The matching run-time value.
    const ALG: TreeHashAlg;
    /// Leaf hash `HASH(0x00 || data)`.
    fn leaf(data: &[u8]) -> Hash;
    /// Interior node hash `HASH(0x01 || left || right)`.
    fn node(left: &Hash, right: &Hash) -> Hash;
    /// `HASH()` of the empty string: the root of the empty tree.
    fn empty() -> Hash;
}

/// RFC 6962 / RFC 9162 SHA-256 tree hashing (the C2SP tlog-tiles hash).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sha256;

impl TreeHash for Sha256 {
    const NAME: &'static str = "sha256";
    const ALG: TreeHashAlg = TreeHashAlg::Sha256;

    fn leaf(data: &[u8]) -> Hash {
        let mut h = sha2::Sha256::new();
        h.update([LEAF_PREFIX]);
        h.update(data);
        h.finalize().into()
    }

    fn node(left: &Hash, right: &Hash) -> Hash {
        let mut h = sha2::Sha256::new();
        h.update([NODE_PREFIX]);
        h.update(left);
        h.update(right);
        h.finalize().into()
    }

    fn empty() -> Hash {
        SHA256_EMPTY
    }
}

/// The same tree with plain (unkeyed) BLAKE3 as `HASH`, for closed deployments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blake3;

impl TreeHash for Blake3 {
    const NAME: &'static str = "blake3";
    const ALG: TreeHashAlg = TreeHashAlg::Blake3;

    fn leaf(data: &[u8]) -> Hash {
        let mut h = blake3::Hasher::new();
        h.update(&[LEAF_PREFIX]);
        h.update(data);
        *h.finalize().as_bytes()
    }

    fn node(left: &Hash, right: &Hash) -> Hash {
        let mut h = blake3::Hasher::new();
        h.update(&[NODE_PREFIX]);
        h.update(left);
        h.update(right);
        *h.finalize().as_bytes()
    }

    fn empty() -> Hash {
        *blake3::hash(b"").as_bytes()
    }
}

/// Run-time choice of [`TreeHash`], with dispatching versions of this module's functions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TreeHashAlg {
    /// [`Sha256`] (default; standard tlog-tiles).
    #[default]
    Sha256,
    /// [`Blake3`].
    Blake3,
}

/// Runs `$e` with `$h` naming the tree-hash type of a runtime [`TreeHashAlg`].
macro_rules! dispatch {
    ($alg:expr, $h:ident => $e:expr) => {
        match $alg {
            TreeHashAlg::Sha256 => {
                type $h = Sha256;
                $e
            }
            TreeHashAlg::Blake3 => {
                type $h = Blake3;
                $e
            }
        }
    };
}

impl TreeHashAlg {
    /// All supported algorithms.
    pub const ALL: [TreeHashAlg; 2] = [TreeHashAlg::Sha256, TreeHashAlg::Blake3];

    /// The algorithm's name ([`TreeHash::NAME`]).
    pub fn name(self) -> &'static str {
        match self {
            TreeHashAlg::Sha256 => Sha256::NAME,
            TreeHashAlg::Blake3 => Blake3::NAME,
        }
    }

    /// Parses an exact algorithm name (`"sha256"` or `"blake3"`).
    pub fn parse(name: &str) -> Result<Self, TreeError> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| TreeError::UnknownHashAlgorithm {
                name: name.to_owned(),
            })
    }

    /// [`TreeHash::leaf`].
    pub fn leaf(self, data: &[u8]) -> Hash {
        dispatch!(self, H => leaf_of::<H>(data))
    }

    /// [`TreeHash::node`].
    pub fn node(self, left: &Hash, right: &Hash) -> Hash {
        dispatch!(self, H => node_of::<H>(left, right))
    }

    /// [`TreeHash::empty`].
    pub fn empty(self) -> Hash {
        dispatch!(self, H => empty_of::<H>())
    }

    /// [`root_from_leaves`].
    pub fn root_from_leaves(self, leaf_hashes: &[Hash]) -> Hash {
        dispatch!(self, H => root_from_leaves::<H>(leaf_hashes))
    }

    /// [`tree_hash`].
    pub fn tree_hash<R: HashReader + ?Sized>(self, n: u64, reader: &R) -> Result<Hash, TreeError> {
        dispatch!(self, H => tree_hash::<H, _>(n, reader))
    }

    /// [`stored_hashes_for_record_hash`].
    pub fn stored_hashes_for_record_hash<R: HashReader + ?Sized>(
        self,
        n: u64,
        leaf_hash: Hash,
        reader: &R,
    ) -> Result<StoredHashes, TreeError> {
        dispatch!(self, H => stored_hashes_for_record_hash::<H, _>(n, leaf_hash, reader))
    }

    /// [`inclusion_proof`].
    pub fn inclusion_proof<R: HashReader + ?Sized>(
        self,
        tree_size: u64,
        leaf_index: u64,
        reader: &R,
    ) -> Result<Vec<Hash>, TreeError> {
        dispatch!(self, H => inclusion_proof::<H, _>(tree_size, leaf_index, reader))
    }

    /// [`consistency_proof`].
    pub fn consistency_proof<R: HashReader + ?Sized>(
        self,
        m: u64,
        n: u64,
        reader: &R,
    ) -> Result<Vec<Hash>, TreeError> {
        dispatch!(self, H => consistency_proof::<H, _>(m, n, reader))
    }

    /// [`root_from_inclusion_proof`].
    pub fn root_from_inclusion_proof(
        self,
        leaf_index: u64,
        tree_size: u64,
        leaf_hash: &Hash,
        proof: &[Hash],
    ) -> Result<Hash, TreeError> {
        dispatch!(self, H => root_from_inclusion_proof::<H>(leaf_index, tree_size, leaf_hash, proof))
    }

    /// [`verify_inclusion`].
    pub fn verify_inclusion(
        self,
        leaf_index: u64,
        tree_size: u64,
        leaf_hash: &Hash,
        proof: &[Hash],
        root: &Hash,
    ) -> Result<(), TreeError> {
        dispatch!(self, H => verify_inclusion::<H>(leaf_index, tree_size, leaf_hash, proof, root))
    }

    /// [`verify_consistency`].
    pub fn verify_consistency(
        self,
        old_size: u64,
        new_size: u64,
        old_root: &Hash,
        new_root: &Hash,
        proof: &[Hash],
    ) -> Result<(), TreeError> {
        dispatch!(self, H => verify_consistency::<H>(old_size, new_size, old_root, new_root, proof))
    }
}

fn leaf_of<H: TreeHash>(data: &[u8]) -> Hash {
    H::leaf(data)
}
fn node_of<H: TreeHash>(left: &Hash, right: &Hash) -> Hash {
    H::node(left, right)
}
fn empty_of<H: TreeHash>() -> Hash {
    H::empty()
}

impl fmt::Display for TreeHashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TreeHashAlg {
    type Err = TreeError;
    fn from_str(s: &str) -> Result<Self, TreeError> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Storage interface and stored hash numbering
// ---------------------------------------------------------------------------------------------

/// Read access to stored hashes, addressed by stored hash index ([`stored_hash_index`]).
pub trait HashReader {
    /// Returns the hashes at `indexes`, in the same order (`result.len() == indexes.len()`).
    /// Indexes passed by this module are sorted ascending within each proof element but are not
    /// globally sorted; they may repeat.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError>;

    /// Like [`read_hashes`](Self::read_hashes) but writes into `out` (`out.len() ==
    /// indexes.len()`), so implementations can avoid allocating. This module calls this method,
    /// exactly once per operation; the default forwards to `read_hashes`. Implementations that
    /// override it must return the same hashes as `read_hashes`.
    fn read_hashes_into(&self, indexes: &[u64], out: &mut [Hash]) -> Result<(), TreeError> {
        let hashes = self.read_hashes(indexes)?;
        if hashes.len() != indexes.len() || out.len() != indexes.len() {
            return Err(TreeError::ReaderCountMismatch {
                requested: indexes.len(),
                returned: hashes.len(),
            });
        }
        out.copy_from_slice(&hashes);
        Ok(())
    }
}

impl<R: HashReader + ?Sized> HashReader for &R {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        (**self).read_hashes(indexes)
    }
    fn read_hashes_into(&self, indexes: &[u64], out: &mut [Hash]) -> Result<(), TreeError> {
        (**self).read_hashes_into(indexes, out)
    }
}

/// Stored hash index of the hash at `(level, n)`: the complete subtree of leaves
/// `[n·2^level, (n+1)·2^level)`. It is stored right after the hashes that leaf
/// `m = (n+1)·2^level − 1` completes below it, and leaf `m` itself is at `2m − popcount(m)`.
///
/// Requires `(n + 1) << level <= MAX_TREE_SIZE`; larger coordinates overflow.
pub const fn stored_hash_index(level: u8, n: u64) -> u64 {
    let m = ((n + 1) << level) - 1;
    2 * m - m.count_ones() as u64 + level as u64
}

/// Inverse of [`stored_hash_index`]: `(level, n)` of a stored hash index.
pub const fn split_stored_hash_index(index: u64) -> (u8, u64) {
    // Find the last leaf m with stored_hash_index(0, m) <= index. Since 2m - 64 < f(m) <= 2m,
    // m starts at index / 2 and is at most ~32 steps away; f(m+1) = f(m) + 1 + tz(m+1).
    let mut m = index / 2;
    let mut at = stored_hash_index(0, m);
    loop {
        let next = at + 1 + (m + 1).trailing_zeros() as u64;
        if next > index {
            break;
        }
        m += 1;
        at = next;
    }
    let level = (index - at) as u8;
    (level, m >> level)
}

/// Number of stored hashes for a tree of `n` leaves (`2n − popcount(n)`).
pub const fn stored_hash_count(n: u64) -> u64 {
    stored_hash_index(0, n)
}

/// Returns whether the hash at `(level, n)` is a complete subtree of a tree of `tree_size` leaves
/// (and therefore stored).
pub const fn is_complete(level: u8, n: u64, tree_size: u64) -> bool {
    level < 64 && n < (tree_size >> level)
}

/// Largest power of two strictly smaller than `x` (`x >= 2`): the `k` of RFC 9162 §2.1.1.
fn split_point(x: u64) -> u64 {
    debug_assert!(x >= 2);
    1 << (x - 1).ilog2()
}

/// Appends the stored indexes of the complete subtrees that make up leaves `[lo, hi)` (largest
/// first; `lo` must be aligned to the largest) to `out`.
fn push_range_indexes(mut lo: u64, hi: u64, out: &mut Vec<u64>) {
    while lo < hi {
        let level = (hi - lo).ilog2();
        debug_assert_eq!(lo & ((1 << level) - 1), 0, "unaligned range");
        out.push(stored_hash_index(level as u8, lo >> level));
        lo += 1 << level;
    }
}

/// Folds the hashes of the complete subtrees of a range (largest first) into `MTH` of the range.
fn fold_range<H: TreeHash>(hashes: &[Hash]) -> Hash {
    let (last, rest) = hashes.split_last().expect("range has at least one subtree");
    rest.iter().rev().fold(*last, |acc, h| H::node(h, &acc))
}

/// Stored indexes needed for `MTH(D[0:n])` (one per set bit of `n`), for prefetching.
pub fn tree_hash_indexes(n: u64) -> Result<Vec<u64>, TreeError> {
    check_size(n)?;
    let mut out = Vec::with_capacity(n.count_ones() as usize);
    push_range_indexes(0, n, &mut out);
    Ok(out)
}

/// The root `MTH(D[0:n])` of the first `n` leaves, from at most 62 stored hashes read in one call.
pub fn tree_hash<H: TreeHash, R: HashReader + ?Sized>(
    n: u64,
    reader: &R,
) -> Result<Hash, TreeError> {
    check_size(n)?;
    if n == 0 {
        return Ok(H::empty());
    }
    let mut indexes = [0u64; 64];
    let mut count = 0;
    let mut lo = 0;
    while lo < n {
        let level = (n - lo).ilog2();
        indexes[count] = stored_hash_index(level as u8, lo >> level);
        count += 1;
        lo += 1 << level;
    }
    let mut hashes = [[0u8; HASH_SIZE]; 64];
    reader.read_hashes_into(&indexes[..count], &mut hashes[..count])?;
    Ok(fold_range::<H>(&hashes[..count]))
}

/// The stored hashes written when appending one leaf: the leaf hash followed by the hash of each
/// subtree it completes. A fixed-capacity buffer (no allocation); derefs to `[Hash]`.
#[derive(Clone)]
pub struct StoredHashes {
    buf: [Hash; MAX_STORED_HASHES_PER_LEAF],
    len: usize,
}

impl StoredHashes {
    /// The hashes, to be stored starting at `stored_hash_index(0, n)`.
    pub fn as_slice(&self) -> &[Hash] {
        &self.buf[..self.len]
    }
}

impl std::ops::Deref for StoredHashes {
    type Target = [Hash];
    fn deref(&self) -> &[Hash] {
        self.as_slice()
    }
}

impl AsRef<[Hash]> for StoredHashes {
    fn as_ref(&self) -> &[Hash] {
        self.as_slice()
    }
}

impl fmt::Debug for StoredHashes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.as_slice().iter().map(HexHash))
            .finish()
    }
}

/// The new stored hashes to write when appending leaf `n` (0-based) with `leaf_hash`: `leaf_hash`
/// and then, for each trailing one bit of `n`, the node completed at that level. They go at
/// stored indexes `stored_hash_index(0, n)..stored_hash_count(n + 1)`. Reads the
/// `trailing_ones(n)` left siblings in one call (no call when there are none); never allocates
/// unless the reader does.
pub fn stored_hashes_for_record_hash<H: TreeHash, R: HashReader + ?Sized>(
    n: u64,
    leaf_hash: Hash,
    reader: &R,
) -> Result<StoredHashes, TreeError> {
    check_size(n + 1)?;
    let completes = n.trailing_ones() as usize;
    let mut out = StoredHashes {
        buf: [[0u8; HASH_SIZE]; MAX_STORED_HASHES_PER_LEAF],
        len: 1 + completes,
    };
    out.buf[0] = leaf_hash;
    if completes == 0 {
        return Ok(out);
    }
    // Left sibling at level i is (i, (n >> i) - 1); list them in ascending index order
    // (highest level first), then hash upwards.
    let mut indexes = [0u64; MAX_STORED_HASHES_PER_LEAF];
    for i in 0..completes {
        indexes[completes - 1 - i] = stored_hash_index(i as u8, (n >> i) - 1);
    }
    let mut siblings = [[0u8; HASH_SIZE]; MAX_STORED_HASHES_PER_LEAF];
    reader.read_hashes_into(&indexes[..completes], &mut siblings[..completes])?;
    let mut h = leaf_hash;
    for i in 0..completes {
        h = H::node(&siblings[completes - 1 - i], &h);
        out.buf[1 + i] = h;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Proof generation (RFC 9162 §2.1.3.1, §2.1.4.1)
// ---------------------------------------------------------------------------------------------

/// The leaf ranges whose `MTH` form `PATH(leaf_index, D[0:tree_size])`, in proof order
/// (bottom-up). Requires `leaf_index < tree_size`.
fn inclusion_ranges(tree_size: u64, leaf_index: u64) -> Vec<(u64, u64)> {
    let (mut lo, mut hi) = (0, tree_size);
    let mut ranges = Vec::with_capacity(64);
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if leaf_index < lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
        }
    }
    ranges.reverse();
    ranges
}

/// The leaf ranges whose `MTH` form `PROOF(m, D[0:n])` = `SUBPROOF(m, D[0:n], true)`, in proof
/// order. Requires `0 < m < n`.
fn consistency_ranges(m: u64, n: u64) -> Vec<(u64, u64)> {
    let (mut lo, mut hi) = (0, n);
    let mut whole_old_tree = true; // the `b` flag of SUBPROOF
    let mut ranges = Vec::with_capacity(64);
    loop {
        if m == hi {
            if !whole_old_tree {
                ranges.push((lo, hi));
            }
            break;
        }
        let k = split_point(hi - lo);
        if m <= lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
            whole_old_tree = false;
        }
    }
    ranges.reverse();
    ranges
}

/// Stored indexes of a list of ranges plus, per range, how many subtree hashes it folds.
fn plan_ranges(ranges: &[(u64, u64)]) -> (Vec<u64>, Vec<usize>) {
    let mut indexes = Vec::with_capacity(ranges.len() + 64);
    let mut groups = Vec::with_capacity(ranges.len());
    for &(lo, hi) in ranges {
        let before = indexes.len();
        push_range_indexes(lo, hi, &mut indexes);
        groups.push(indexes.len() - before);
    }
    (indexes, groups)
}

fn read_and_fold<H: TreeHash, R: HashReader + ?Sized>(
    indexes: &[u64],
    groups: &[usize],
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let mut hashes = vec![[0u8; HASH_SIZE]; indexes.len()];
    reader.read_hashes_into(indexes, &mut hashes)?;
    let mut proof = Vec::with_capacity(groups.len());
    let mut at = 0;
    for &g in groups {
        proof.push(fold_range::<H>(&hashes[at..at + g]));
        at += g;
    }
    Ok(proof)
}

fn check_inclusion_args(tree_size: u64, leaf_index: u64) -> Result<(), TreeError> {
    check_size(tree_size)?;
    if leaf_index >= tree_size {
        return Err(TreeError::IndexOutOfRange {
            index: leaf_index,
            size: tree_size,
        });
    }
    Ok(())
}

fn check_consistency_args(m: u64, n: u64) -> Result<(), TreeError> {
    check_size(n)?;
    if m > n {
        return Err(TreeError::ConsistencyOldLargerThanNew { old: m, new: n });
    }
    Ok(())
}

/// Stored indexes read by [`inclusion_proof`], for prefetching.
pub fn inclusion_proof_indexes(tree_size: u64, leaf_index: u64) -> Result<Vec<u64>, TreeError> {
    check_inclusion_args(tree_size, leaf_index)?;
    Ok(plan_ranges(&inclusion_ranges(tree_size, leaf_index)).0)
}

/// Stored indexes read by [`consistency_proof`], for prefetching.
pub fn consistency_proof_indexes(m: u64, n: u64) -> Result<Vec<u64>, TreeError> {
    check_consistency_args(m, n)?;
    if m == 0 || m == n {
        return Ok(Vec::new());
    }
    Ok(plan_ranges(&consistency_ranges(m, n)).0)
}

/// The audit path `PATH(leaf_index, D[0:tree_size])` (RFC 9162 §2.1.3.1), bottom-up.
pub fn inclusion_proof<H: TreeHash, R: HashReader + ?Sized>(
    tree_size: u64,
    leaf_index: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    check_inclusion_args(tree_size, leaf_index)?;
    let (indexes, groups) = plan_ranges(&inclusion_ranges(tree_size, leaf_index));
    read_and_fold::<H, R>(&indexes, &groups, reader)
}

/// The consistency proof `PROOF(m, D[0:n])` (RFC 9162 §2.1.4.1). Empty when `m == 0` or `m == n`.
pub fn consistency_proof<H: TreeHash, R: HashReader + ?Sized>(
    m: u64,
    n: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    check_consistency_args(m, n)?;
    if m == 0 || m == n {
        return Ok(Vec::new());
    }
    let (indexes, groups) = plan_ranges(&consistency_ranges(m, n));
    read_and_fold::<H, R>(&indexes, &groups, reader)
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2, §2.1.4.2)
// ---------------------------------------------------------------------------------------------

fn bit_length(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// Number of hashes in the inclusion proof of `leaf_index` in a tree of `tree_size`
/// (`leaf_index < tree_size`): the levels below the point where the leaf's path leaves the right
/// border, plus the border nodes above it.
pub fn inclusion_proof_len(leaf_index: u64, tree_size: u64) -> usize {
    debug_assert!(leaf_index < tree_size);
    let inner = bit_length(leaf_index ^ (tree_size - 1));
    let border = (leaf_index >> inner).count_ones();
    (inner + border) as usize
}

/// Number of hashes in the consistency proof between sizes `0 < m < n`.
pub fn consistency_proof_len(m: u64, n: u64) -> usize {
    debug_assert!(0 < m && m < n);
    let inner = bit_length((m - 1) ^ (n - 1));
    let border = ((m - 1) >> inner).count_ones();
    let inner = inner - m.trailing_zeros();
    let seed = usize::from(!m.is_power_of_two());
    (inner + border) as usize + seed
}

/// Runs RFC 9162 §2.1.3.2 and returns the root it computes, without comparing it to a root.
/// Fails on an out-of-range index or a proof of the wrong length.
pub fn root_from_inclusion_proof<H: TreeHash>(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
) -> Result<Hash, TreeError> {
    // Step 1.
    check_inclusion_args(tree_size, leaf_index)?;
    let expected = inclusion_proof_len(leaf_index, tree_size);
    if proof.len() != expected {
        return Err(TreeError::BadProofLength {
            expected,
            found: proof.len(),
        });
    }
    // Steps 2, 3.
    let mut f_n = leaf_index;
    let mut s_n = tree_size - 1;
    let mut r = *leaf_hash;
    // Step 4.
    for p in proof {
        if s_n == 0 {
            return Err(TreeError::MalformedProof {
                reason: "inclusion path is longer than the path to the root",
            });
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = H::node(p, &r);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            r = H::node(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 5 (the sn part).
    if s_n != 0 {
        return Err(TreeError::MalformedProof {
            reason: "inclusion path is shorter than the path to the root",
        });
    }
    Ok(r)
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2): `leaf_hash` is leaf `leaf_index` of the tree
/// of `tree_size` leaves with root `root`.
pub fn verify_inclusion<H: TreeHash>(
    leaf_index: u64,
    tree_size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), TreeError> {
    let computed = root_from_inclusion_proof::<H>(leaf_index, tree_size, leaf_hash, proof)?;
    if &computed != root {
        return Err(TreeError::RootMismatch {
            size: tree_size,
            expected: *root,
            computed,
        });
    }
    Ok(())
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree of `old_size` leaves with root
/// `old_root` is a prefix of the tree of `new_size` leaves with root `new_root`.
///
/// Edge cases outside the RFC algorithm (which requires `0 < old_size < new_size`): equal sizes
/// need an empty proof and equal roots; `old_size == 0` needs an empty proof and `old_root ==
/// H::empty()`.
pub fn verify_consistency<H: TreeHash>(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), TreeError> {
    check_consistency_args(old_size, new_size)?;
    if old_size == new_size || old_size == 0 {
        if !proof.is_empty() {
            return Err(TreeError::BadProofLength {
                expected: 0,
                found: proof.len(),
            });
        }
        let (size, expected) = if old_size == 0 {
            (0, H::empty())
        } else {
            (new_size, *new_root)
        };
        if *old_root != expected {
            return Err(TreeError::RootMismatch {
                size,
                expected,
                computed: *old_root,
            });
        }
        return Ok(());
    }
    let expected = consistency_proof_len(old_size, new_size);
    // Step 1 (an empty path fails) is covered: expected >= 1 when 0 < old_size < new_size.
    if proof.len() != expected {
        return Err(TreeError::BadProofLength {
            expected,
            found: proof.len(),
        });
    }
    // Step 2: if first is an exact power of 2, prepend first_hash to the path.
    let seed = old_size.is_power_of_two().then_some(old_root);
    let mut path = seed.into_iter().chain(proof.iter());
    // Step 3.
    let mut f_n = old_size - 1;
    let mut s_n = new_size - 1;
    // Step 4.
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 5.
    let first = path.next().ok_or(TreeError::MalformedProof {
        reason: "empty consistency path",
    })?;
    let (mut f_r, mut s_r) = (*first, *first);
    // Step 6.
    for c in path {
        if s_n == 0 {
            return Err(TreeError::MalformedProof {
                reason: "consistency path is longer than the path to the new root",
            });
        }
        if f_n & 1 == 1 || f_n == s_n {
            f_r = H::node(c, &f_r);
            s_r = H::node(c, &s_r);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            s_r = H::node(&s_r, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    // Step 7.
    if s_n != 0 {
        return Err(TreeError::MalformedProof {
            reason: "consistency path is shorter than the path to the new root",
        });
    }
    if &f_r != old_root {
        return Err(TreeError::RootMismatch {
            size: old_size,
            expected: *old_root,
            computed: f_r,
        });
    }
    if &s_r != new_root {
        return Err(TreeError::RootMismatch {
            size: new_size,
            expected: *new_root,
            computed: s_r,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// In-memory reference
// ---------------------------------------------------------------------------------------------

/// `MTH` of a list of leaf hashes by the recursive definition of RFC 9162 §2.1.1 (reference
/// implementation; O(n) hashing, O(log n) recursion depth).
pub fn root_from_leaves<H: TreeHash>(leaf_hashes: &[Hash]) -> Hash {
    match leaf_hashes.len() {
        0 => H::empty(),
        1 => leaf_hashes[0],
        n => {
            let k = split_point(n as u64) as usize;
            H::node(
                &root_from_leaves::<H>(&leaf_hashes[..k]),
                &root_from_leaves::<H>(&leaf_hashes[k..]),
            )
        }
    }
}

/// All stored hashes of a tree in one `Vec`, indexed by stored hash index. For tests, demos and
/// small logs.
pub struct MemoryHashStore<H: TreeHash> {
    hashes: Vec<Hash>,
    size: u64,
    _hash: PhantomData<H>,
}

impl<H: TreeHash> Clone for MemoryHashStore<H> {
    fn clone(&self) -> Self {
        Self {
            hashes: self.hashes.clone(),
            size: self.size,
            _hash: PhantomData,
        }
    }
}

impl<H: TreeHash> fmt::Debug for MemoryHashStore<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryHashStore")
            .field("hash", &H::NAME)
            .field("tree_size", &self.size)
            .field("stored_hashes", &self.hashes.len())
            .finish()
    }
}

impl<H: TreeHash> Default for MemoryHashStore<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: TreeHash> MemoryHashStore<H> {
    /// An empty tree.
    pub fn new() -> Self {
        Self {
            hashes: Vec::new(),
            size: 0,
            _hash: PhantomData,
        }
    }

    /// An empty tree with room for `leaves` leaves.
    pub fn with_capacity(leaves: usize) -> Self {
        Self {
            hashes: Vec::with_capacity(leaves.saturating_mul(2)),
            size: 0,
            _hash: PhantomData,
        }
    }

    /// Number of leaves.
    pub fn tree_size(&self) -> u64 {
        self.size
    }

    /// All stored hashes, by stored hash index.
    pub fn stored_hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Appends a leaf with record bytes `data`; returns its leaf index.
    pub fn append(&mut self, data: &[u8]) -> Result<u64, TreeError> {
        self.append_leaf_hash(H::leaf(data))
    }

    /// Appends a leaf by its leaf hash; returns its leaf index.
    pub fn append_leaf_hash(&mut self, leaf_hash: Hash) -> Result<u64, TreeError> {
        let n = self.size;
        let new = stored_hashes_for_record_hash::<H, Self>(n, leaf_hash, self)?;
        self.hashes.extend_from_slice(&new);
        self.size = n + 1;
        debug_assert_eq!(self.hashes.len() as u64, stored_hash_count(self.size));
        Ok(n)
    }

    /// Root of the current tree.
    pub fn root(&self) -> Hash {
        self.root_at(self.size)
            .expect("every prefix of an in-memory tree is stored")
    }

    /// Root of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, TreeError> {
        self.check_prefix(size)?;
        tree_hash::<H, Self>(size, self)
    }

    /// Inclusion proof of `leaf_index` in the tree of the first `tree_size` leaves.
    pub fn inclusion_proof(&self, tree_size: u64, leaf_index: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_prefix(tree_size)?;
        inclusion_proof::<H, Self>(tree_size, leaf_index, self)
    }

    /// Consistency proof between the first `m` and the first `n` leaves.
    pub fn consistency_proof(&self, m: u64, n: u64) -> Result<Vec<Hash>, TreeError> {
        self.check_prefix(n)?;
        consistency_proof::<H, Self>(m, n, self)
    }

    fn check_prefix(&self, size: u64) -> Result<(), TreeError> {
        if size > self.size {
            return Err(TreeError::SizeUnavailable {
                requested: size,
                available: self.size,
            });
        }
        Ok(())
    }

    fn get(&self, index: u64) -> Result<&Hash, TreeError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.hashes.get(i))
            .ok_or(TreeError::StoredHashMissing {
                index,
                count: self.hashes.len() as u64,
            })
    }
}

impl<H: TreeHash> HashReader for MemoryHashStore<H> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        indexes.iter().map(|&i| self.get(i).copied()).collect()
    }

    fn read_hashes_into(&self, indexes: &[u64], out: &mut [Hash]) -> Result<(), TreeError> {
        if out.len() != indexes.len() {
            return Err(TreeError::ReaderCountMismatch {
                requested: indexes.len(),
                returned: out.len(),
            });
        }
        for (o, &i) in out.iter_mut().zip(indexes) {
            *o = *self.get(i)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
