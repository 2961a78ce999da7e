//! The read layer's indexes: time → leaf (per entry bundle, the span of its records' times and
//! the kinds it holds), `producer#seq` → leaf, trace and operation id → leaf, and the reverse
//! references (referenced record → referencing leaves; key id → its key registrations;
//! authorisation id → its grants and revocations; the retention deletions).
//!
//! An index is a speed-up, never a source of truth: it is built from the log's own entries,
//! every hit is read back from the entry bundles and authenticated by its leaf hash before use
//! ([`super::Inspector`]), and a hit that does not hold is a reason to rebuild, never to
//! believe it. It is stale when built for a smaller tree (extended after a consistency proof
//! from its root to the checkpoint's, reading only the new leaves: a log rewritten below it is
//! rebuilt from scratch), and rebuilt when missing, unreadable, built for a larger tree or
//! another root.
//!
//! Where it lives ([`IndexHome`]): in the log's private part (`private/index/public.idx`,
//! written through the store: temporary file, fsync, rename), or, for a public-only copy,
//! in memory for the one command. The public part stays exactly C2SP: nothing is written under
//! `public/`.
//!
//! The stored form ([`IndexView`], format 2) is binary and read without decoding: fixed-width
//! sorted entries that lookups binary-search in place, so opening a 1,000,000-record log's
//! index costs one read and one checksum, not a parse. All integers little-endian:
//!
//! ```text
//! header   magic "LSPUBIDX" | format u32 (2) | tree hash u32 (1 sha256, 2 blake3)
//!          | tree size u64 | root [32] | 9 × (offset u64, length u64), one per section
//! sections 0 bundles      per entry bundle of 256 leaves: earliest u64, latest u64
//!                         (`occurred_at`, ms), kinds u64 (bit `code % 64` per record kind)
//!          1 producers    sorted by name: name offset u64, name length u64 (into section 2),
//!                         first u64, count u64 (into section 3)
//!          2 names        the producer names, UTF-8
//!          3 seqs         per producer, sorted: seq u64, leaf u64
//!          4 ids          sorted: key u64, leaf u64 — trace, operation, parent-operation id
//!          5 referenced   sorted: key u64, leaf u64 — leaf hash of a referenced record
//!          6 keys         sorted: key u64, leaf u64 — key id → key registration
//!          7 grants       sorted: key u64, leaf u64 — authorisation id → grant/revocation
//!          8 deletions    sorted: leaf u64 — retention deletions
//! trailer  BLAKE3 of everything before it [32]
//! ```
//!
//! A `key` is the first 8 bytes of a keyed BLAKE3 hash ([`lookup_key`]) of the section number
//! and the id as text: a collision only makes a hit that does not hold (refused by the
//! caller's check, never shown). The checksum catches a truncated or damaged file (it is
//! rebuilt); it is not a signature: someone who can write the private part can make a search
//! *miss* records (as they can delete the log's disclosures), never make one show a record
//! that is not the log's. `logseal verify` reads every record and uses no index.
//!
//! Every part is fed each record in leaf order through [`IndexPart`]; the sealed-value index
//! ([`super::sealed_index`]) lives apart, per retention group.

use std::collections::BTreeMap;

use crate::crypto::PublicKey;
use crate::record::Record;
use crate::record::kinds::Body;
use crate::store::ObjectStore;
use crate::tiles;
use crate::tree::{Hash, TreeHashAlg};

use super::fields::Filter;

/// The object key of the public-field index inside the private part.
pub const INDEX_KEY: &str = "index/public.idx";
/// Where format 1 (JSON) was kept: removed when format 2 is written.
pub const OLD_INDEX_KEY: &str = "index/public.json";
/// The index format this code writes and reads.
pub const INDEX_FORMAT: u32 = 2;
/// The largest index object read (a bound against a planted huge file).
pub const MAX_INDEX_LEN: usize = 1 << 31;
/// Every kind (a bundle mask that excludes nothing).
pub const ALL_KINDS: u64 = u64::MAX;

const MAGIC: &[u8; 8] = b"LSPUBIDX";
const SECTIONS: usize = 9;
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 32 + SECTIONS * 16;
const TRAILER_LEN: usize = 32;
const S_BUNDLES: usize = 0;
const S_PRODUCERS: usize = 1;
const S_NAMES: usize = 2;
const S_SEQS: usize = 3;
const S_IDS: usize = 4;
const S_REFS: usize = 5;
const S_KEYS: usize = 6;
const S_GRANTS: usize = 7;
const S_DELETIONS: usize = 8;
/// Entry width of each section (0: a blob).
const WIDTH: [usize; SECTIONS] = [24, 32, 0, 16, 16, 16, 16, 16, 8];

/// Where an index lives.
#[derive(Clone, Copy)]
pub enum IndexHome<'a> {
    /// In the log's private part, kept between commands.
    Private(&'a dyn ObjectStore),
    /// In memory, for one command (a public-only copy: nothing is written beside it).
    Memory,
}

impl IndexHome<'_> {
    /// Where, for messages.
    pub fn describe(&self) -> String {
        match self {
            IndexHome::Private(s) => s.describe(INDEX_KEY),
            IndexHome::Memory => {
                "in memory (a public-only copy: no private part to keep it in)".into()
            }
        }
    }
}

/// One part of an index, fed every record in leaf order.
pub trait IndexPart {
    /// Learn record `leaf`, whose leaf hash is `leaf_hash`.
    fn add(&mut self, leaf: u64, leaf_hash: &Hash, record: &Record);
    /// Learn that entry `leaf` does not decode as a record.
    fn undecodable(&mut self, _leaf: u64) {}
}

/// The lookup key of `id` in section `section`: keyed BLAKE3 (the key derived from a fixed
/// context), first 8 bytes.
pub fn lookup_key(section: u8, id: &str) -> u64 {
    static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    let key = KEY.get_or_init(|| blake3::derive_key("logseal public index v2 lookup key", b""));
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(&[section]);
    h.update(id.as_bytes());
    let out = h.finalize();
    u64::from_le_bytes(out.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// The kinds a filter's `--kind` conditions allow, as a bundle mask ([`ALL_KINDS`] without
/// such a condition; a value that names no kind allows none).
pub fn kinds_of(filter: &Filter) -> u64 {
    let mut mask = ALL_KINDS;
    for c in filter.conditions.iter().filter(|c| c.names == ["=kind"]) {
        mask &= crate::record::kinds::Kind::ALL
            .iter()
            .filter(|k| k.name().eq_ignore_ascii_case(&c.value))
            .fold(0, |m, k| m | kind_bit(k.code()));
    }
    mask
}

fn kind_bit(code: u64) -> u64 {
    1 << (code % 64)
}

fn alg_code(alg: TreeHashAlg) -> u32 {
    match alg {
        TreeHashAlg::Sha256 => 1,
        TreeHashAlg::Blake3 => 2,
    }
}

/// The index over public fields as it is built (or extended): plain collections, encoded
/// into the sorted binary form by [`PublicIndex::encode`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicIndex {
    pub alg: TreeHashAlg,
    /// The tree size it was built for.
    pub size: u64,
    /// The checkpoint root at that size (hex).
    pub root: String,
    /// Per entry bundle of 256 leaves: the earliest and latest `occurred_at` (ms) of its
    /// records; `[0, u64::MAX]` for a bundle with an entry that does not decode (it is then
    /// read by every time query, and refused there).
    pub bundle_times: Vec<[u64; 2]>,
    /// Per entry bundle: the kinds of its records (bit `code % 64`; all bits for a bundle with
    /// an entry that does not decode). A bundle without an entry here may hold any kind.
    pub bundle_kinds: Vec<u64>,
    /// Producer → `[seq, leaf]`.
    pub seqs: BTreeMap<String, Vec<[u64; 2]>>,
    /// `(key, leaf)` of trace, operation and parent-operation ids ([`lookup_key`] section 4).
    pub ids: Vec<(u64, u64)>,
    /// `(key, leaf)`: the leaf hash (hex) of a referenced record → the leaves referencing it.
    pub referenced_by: Vec<(u64, u64)>,
    /// `(key, leaf)`: key id (hex) → the key-registration leaves that register that key.
    pub registrations: Vec<(u64, u64)>,
    /// `(key, leaf)`: authorisation id → its authorisation (grant and revocation) leaves.
    pub authorisations: Vec<(u64, u64)>,
    /// The retention-deletion leaves.
    pub deletions: Vec<u64>,
}

/// What happened to the index on opening, for the caller to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexEvent {
    /// Read and up to date.
    Current,
    /// Extended from the size it was built for.
    Extended { from: u64 },
    /// Rebuilt from the log, and why.
    Rebuilt { why: String },
}

impl PublicIndex {
    /// An empty index (size 0) of a log with tree hash `alg`.
    pub fn empty(alg: TreeHashAlg) -> PublicIndex {
        PublicIndex {
            alg,
            root: hex::encode(alg.empty()),
            ..PublicIndex::default()
        }
    }

    /// Decode a stored index (every entry), refusing another format or a damaged file.
    pub fn decode(bytes: &[u8]) -> Result<PublicIndex, String> {
        IndexView::parse(bytes.to_vec()).map(|v| v.to_builder())
    }

    /// The stored form: sorted, deterministic (the same records give the same bytes).
    pub fn encode(&self) -> Vec<u8> {
        let mut sections: [Vec<u8>; SECTIONS] = Default::default();
        for (b, t) in self.bundle_times.iter().enumerate() {
            let kinds = self.bundle_kinds.get(b).copied().unwrap_or(ALL_KINDS);
            for x in [t[0], t[1], kinds] {
                sections[S_BUNDLES].extend_from_slice(&x.to_le_bytes());
            }
        }
        let mut first = 0u64;
        for (name, pairs) in &self.seqs {
            let mut pairs = pairs.clone();
            pairs.sort_unstable();
            pairs.dedup();
            let (off, len) = (sections[S_NAMES].len() as u64, name.len() as u64);
            sections[S_NAMES].extend_from_slice(name.as_bytes());
            for x in [off, len, first, pairs.len() as u64] {
                sections[S_PRODUCERS].extend_from_slice(&x.to_le_bytes());
            }
            first += pairs.len() as u64;
            put_pairs(&mut sections[S_SEQS], pairs.iter().map(|p| (p[0], p[1])));
        }
        for (s, v) in [
            (S_IDS, &self.ids),
            (S_REFS, &self.referenced_by),
            (S_KEYS, &self.registrations),
            (S_GRANTS, &self.authorisations),
        ] {
            let mut v = v.clone();
            v.sort_unstable();
            v.dedup();
            put_pairs(&mut sections[s], v.into_iter());
        }
        let mut deletions = self.deletions.clone();
        deletions.sort_unstable();
        deletions.dedup();
        for d in deletions {
            sections[S_DELETIONS].extend_from_slice(&d.to_le_bytes());
        }
        self.assemble(&sections)
    }

    fn assemble(&self, sections: &[Vec<u8>; SECTIONS]) -> Vec<u8> {
        let body: usize = sections.iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(HEADER_LEN + body + TRAILER_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&INDEX_FORMAT.to_le_bytes());
        out.extend_from_slice(&alg_code(self.alg).to_le_bytes());
        out.extend_from_slice(&self.size.to_le_bytes());
        let mut root = [0u8; 32];
        // A root that is not 32 bytes of hex is written as zeros (it then extends nothing).
        let _ = hex::decode_to_slice(&self.root, &mut root);
        out.extend_from_slice(&root);
        let mut offset = HEADER_LEN as u64;
        for s in sections {
            out.extend_from_slice(&offset.to_le_bytes());
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            offset += s.len() as u64;
        }
        for s in sections {
            out.extend_from_slice(s);
        }
        let sum = blake3::hash(&out);
        out.extend_from_slice(sum.as_bytes());
        out
    }

    fn time(&mut self, leaf: u64, t: [u64; 2], kinds: u64) {
        let b = (leaf / u64::from(tiles::TILE_WIDTH)) as usize;
        if self.bundle_times.len() <= b {
            self.bundle_times.resize(b + 1, [u64::MAX, 0]);
        }
        if self.bundle_kinds.len() <= b {
            self.bundle_kinds.resize(b + 1, 0);
        }
        let span = &mut self.bundle_times[b];
        span[0] = span[0].min(t[0]);
        span[1] = span[1].max(t[1]);
        self.bundle_kinds[b] |= kinds;
    }
}

fn put_pairs(out: &mut Vec<u8>, pairs: impl Iterator<Item = (u64, u64)>) {
    for (a, b) in pairs {
        out.extend_from_slice(&a.to_le_bytes());
        out.extend_from_slice(&b.to_le_bytes());
    }
}

impl IndexPart for PublicIndex {
    fn add(&mut self, leaf: u64, _leaf_hash: &Hash, record: &Record) {
        let p = record.payload();
        let t = p.occurred_at.0;
        self.time(leaf, [t, t], kind_bit(p.body.kind().code()));
        self.seqs
            .entry(p.producer.to_string())
            .or_default()
            .push([p.seq, leaf]);
        for id in [&p.trace_id, &p.operation_id, &p.parent_operation_id]
            .into_iter()
            .flatten()
        {
            self.ids
                .push((lookup_key(S_IDS as u8, &id.to_string()), leaf));
        }
        for r in crate::verify::chains::references(&p.body) {
            let key = lookup_key(S_REFS as u8, &r.leaf_hash.to_string());
            self.referenced_by.push((key, leaf));
        }
        match &p.body {
            Body::KeyRegistration(k) => {
                if let Ok(key) = PublicKey::from_bytes(&k.public_key.0) {
                    let id = hex::encode(key.key_id());
                    self.registrations
                        .push((lookup_key(S_KEYS as u8, &id), leaf));
                }
            }
            Body::Authorisation(a) => {
                let key = lookup_key(S_GRANTS as u8, a.authorisation_id.as_str());
                self.authorisations.push((key, leaf));
            }
            Body::RetentionDeletion(_) => self.deletions.push(leaf),
            _ => {}
        }
    }

    fn undecodable(&mut self, leaf: u64) {
        self.time(leaf, [0, u64::MAX], ALL_KINDS);
    }
}

/// The stored index, read in place: lookups binary-search its sorted sections.
#[derive(Debug, Clone)]
pub struct IndexView {
    bytes: Vec<u8>,
    pub alg: TreeHashAlg,
    /// The tree size it was built for.
    pub size: u64,
    /// The checkpoint root at that size.
    pub root: Hash,
    sections: [(usize, usize); SECTIONS],
}

fn le(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl IndexView {
    /// Check a stored index: magic, format, checksum, and that every section lies inside the
    /// file, holds whole entries, and that the bundles and producers agree with the rest.
    pub fn parse(bytes: Vec<u8>) -> Result<IndexView, String> {
        if bytes.len() < HEADER_LEN + TRAILER_LEN || &bytes[..8] != MAGIC {
            return Err("not a logseal public index (no LSPUBIDX header)".into());
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if format != INDEX_FORMAT {
            return Err(format!("format {format} (expected {INDEX_FORMAT})"));
        }
        let body_end = bytes.len() - TRAILER_LEN;
        if blake3::hash(&bytes[..body_end]).as_bytes() != &bytes[body_end..] {
            return Err("checksum mismatch (damaged or truncated)".into());
        }
        let alg = match u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes")) {
            1 => TreeHashAlg::Sha256,
            2 => TreeHashAlg::Blake3,
            n => return Err(format!("unknown tree hash {n}")),
        };
        let size = le(&bytes, 16);
        let root: Hash = bytes[24..56].try_into().expect("32 bytes");
        let mut sections = [(0usize, 0usize); SECTIONS];
        for (s, sec) in sections.iter_mut().enumerate() {
            let (off, len) = (le(&bytes, 56 + s * 16), le(&bytes, 64 + s * 16));
            let end = off.checked_add(len).filter(|e| *e <= body_end as u64);
            if off < HEADER_LEN as u64 || end.is_none() {
                return Err(format!("section {s} lies outside the file"));
            }
            if WIDTH[s] != 0 && len % WIDTH[s] as u64 != 0 {
                return Err(format!("section {s} holds a partial entry"));
            }
            *sec = (off as usize, (off + len) as usize);
        }
        let view = IndexView {
            bytes,
            alg,
            size,
            root,
            sections,
        };
        view.check_shape()?;
        Ok(view)
    }

    fn check_shape(&self) -> Result<(), String> {
        let bundles = self.size.div_ceil(u64::from(tiles::TILE_WIDTH));
        if self.count(S_BUNDLES) as u64 != bundles {
            return Err(format!(
                "{} bundle time spans for a tree of size {} ({bundles} bundles)",
                self.count(S_BUNDLES),
                self.size
            ));
        }
        let (names, seqs) = (self.sec(S_NAMES).len() as u64, self.count(S_SEQS) as u64);
        for i in 0..self.count(S_PRODUCERS) {
            let [off, len, first, count] = self.producer_at(i);
            let names_ok = off.checked_add(len).is_some_and(|e| e <= names);
            let seqs_ok = first.checked_add(count).is_some_and(|e| e <= seqs);
            if !names_ok || !seqs_ok {
                return Err(format!("producer entry {i} points outside its sections"));
            }
        }
        Ok(())
    }

    /// An empty index of a log with tree hash `alg`.
    pub fn empty(alg: TreeHashAlg) -> IndexView {
        IndexView::parse(PublicIndex::empty(alg).encode()).expect("an empty index parses")
    }

    /// The stored bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn sec(&self, s: usize) -> &[u8] {
        &self.bytes[self.sections[s].0..self.sections[s].1]
    }

    fn count(&self, s: usize) -> usize {
        self.sec(s).len() / WIDTH[s]
    }

    fn word(&self, s: usize, i: usize, k: usize) -> u64 {
        le(self.sec(s), i * WIDTH[s] + k * 8)
    }

    fn producer_at(&self, i: usize) -> [u64; 4] {
        [0, 1, 2, 3].map(|k| self.word(S_PRODUCERS, i, k))
    }

    fn name_at(&self, i: usize) -> &[u8] {
        let [off, len, ..] = self.producer_at(i);
        &self.sec(S_NAMES)[off as usize..(off + len) as usize]
    }

    /// `(first, count)` of `producer`'s entries in the seqs section.
    fn producer(&self, producer: &str) -> Option<(usize, usize)> {
        let n = self.count(S_PRODUCERS);
        let i = partition(n, |i| self.name_at(i) < producer.as_bytes());
        (i < n && self.name_at(i) == producer.as_bytes()).then(|| {
            let [.., first, count] = self.producer_at(i);
            (first as usize, count as usize)
        })
    }

    /// The leaves of `producer`'s records with seq in `[first, last]`, in seq order (at most
    /// `max`).
    pub fn seqs_between(&self, producer: &str, first: u64, last: u64, max: usize) -> Vec<u64> {
        let Some((start, count)) = self.producer(producer) else {
            return Vec::new();
        };
        let at = |i: usize| self.word(S_SEQS, start + i, 0);
        let from = partition(count, |i| at(i) < first);
        (from..count)
            .take_while(|&i| at(i) <= last)
            .take(max)
            .map(|i| self.word(S_SEQS, start + i, 1))
            .collect()
    }

    /// The leaves of `producer`'s records with `seq` (more than one after a declared reset),
    /// in leaf order.
    pub fn leaves_of(&self, producer: &str, seq: u64) -> Vec<u64> {
        self.seqs_between(producer, seq, seq, usize::MAX)
    }

    /// How many records of `producer` the index holds.
    pub fn count_of(&self, producer: &str) -> usize {
        self.producer(producer).map_or(0, |(_, n)| n)
    }

    fn keyed(&self, s: usize, id: &str) -> Vec<u64> {
        let key = lookup_key(s as u8, id);
        let n = self.count(s);
        let from = partition(n, |i| self.word(s, i, 0) < key);
        (from..n)
            .take_while(|&i| self.word(s, i, 0) == key)
            .map(|i| self.word(s, i, 1))
            .collect()
    }

    /// The leaves whose trace, operation or parent-operation id is `id` (lowercase hex).
    pub fn ids_of(&self, id: &str) -> Vec<u64> {
        self.keyed(S_IDS, id)
    }

    /// The leaves referring to the record with leaf hash `leaf_hash` (hex).
    pub fn referencing(&self, leaf_hash: &str) -> Vec<u64> {
        self.keyed(S_REFS, leaf_hash)
    }

    /// The key-registration leaves of key id `kid` (hex).
    pub fn registrations_of(&self, kid: &str) -> Vec<u64> {
        self.keyed(S_KEYS, kid)
    }

    /// The authorisation leaves of authorisation `id`.
    pub fn authorisations_of(&self, id: &str) -> Vec<u64> {
        self.keyed(S_GRANTS, id)
    }

    /// The retention-deletion leaves.
    pub fn deletions(&self) -> Vec<u64> {
        (0..self.count(S_DELETIONS))
            .map(|i| le(self.sec(S_DELETIONS), i * 8))
            .collect()
    }

    /// The entry bundles (indexes) that may hold a record of a kind in `kinds` (a mask, see
    /// [`kinds_of`]) whose time lies in `[since, until]`.
    pub fn bundles_between(&self, since: u64, until: u64, kinds: u64) -> Vec<u64> {
        (0..self.count(S_BUNDLES))
            .filter(|&b| {
                let [lo, hi, k] = [0, 1, 2].map(|w| self.word(S_BUNDLES, b, w));
                lo <= until && hi >= since && k & kinds != 0
            })
            .map(|b| b as u64)
            .collect()
    }

    /// Every entry, as a builder to extend.
    pub fn to_builder(&self) -> PublicIndex {
        let pairs = |s: usize| -> Vec<(u64, u64)> {
            (0..self.count(s))
                .map(|i| (self.word(s, i, 0), self.word(s, i, 1)))
                .collect()
        };
        let mut seqs = BTreeMap::new();
        for i in 0..self.count(S_PRODUCERS) {
            let [.., first, count] = self.producer_at(i);
            let v = (first..first + count)
                .map(|j| {
                    [
                        self.word(S_SEQS, j as usize, 0),
                        self.word(S_SEQS, j as usize, 1),
                    ]
                })
                .collect();
            seqs.insert(String::from_utf8_lossy(self.name_at(i)).into_owned(), v);
        }
        PublicIndex {
            alg: self.alg,
            size: self.size,
            root: hex::encode(self.root),
            bundle_times: (0..self.count(S_BUNDLES))
                .map(|b| [self.word(S_BUNDLES, b, 0), self.word(S_BUNDLES, b, 1)])
                .collect(),
            bundle_kinds: (0..self.count(S_BUNDLES))
                .map(|b| self.word(S_BUNDLES, b, 2))
                .collect(),
            seqs,
            ids: pairs(S_IDS),
            referenced_by: pairs(S_REFS),
            registrations: pairs(S_KEYS),
            authorisations: pairs(S_GRANTS),
            deletions: self.deletions(),
        }
    }
}

/// The first `i` in `0..n` for which `before(i)` is false (`before` true on a prefix).
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match before(mid) {
            true => lo = mid + 1,
            false => hi = mid,
        }
    }
    lo
}
