//! The read layer's indexes: time → leaf (per entry bundle, the span of its records' times),
//! `producer#seq` → leaf, trace and operation id → leaf, and the reverse references
//! (referenced record → referencing leaves; key id → its key registrations; authorisation id
//! → its grants and revocations; the retention deletions).
//!
//! An index is a speed-up, never a source of truth: it is built from the log's own entries,
//! every hit is read back from the entry bundles and authenticated by its leaf hash before use
//! ([`super::Inspector`]), and a hit that does not hold is a reason to rebuild, never to
//! believe it. It is stale when built for a smaller tree (extended after a consistency proof
//! from its root to the checkpoint's: a log rewritten below it is rebuilt from scratch), and
//! rebuilt when missing, unreadable, built for a larger tree or another root.
//!
//! Where it lives ([`IndexHome`]): in the log's private part (`private/index/public.json`,
//! written through the store: temporary file, fsync, rename), or, for a public-only copy,
//! in memory for the one command. The public part stays exactly C2SP: nothing is written under
//! `public/`.
//!
//! Room for more parts: every part is fed each record in leaf order through [`IndexPart`].
//! The sealed-value index (who queried a subscriber, what an official looked up) will be one
//! such part per retention group, under `index/sealed/<group>/…`, its keys derived from that
//! group's data key (keyed BLAKE3) so that crypto-shredding the group erases its index
//! entries too; it is not built here.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::crypto::PublicKey;
use crate::record::Record;
use crate::record::kinds::Body;
use crate::store::ObjectStore;
use crate::tiles;
use crate::tree::Hash;

/// The object key of the public-field index inside the private part.
pub const INDEX_KEY: &str = "index/public.json";
/// The index format this code writes and reads.
pub const INDEX_FORMAT: u32 = 1;
/// The largest index object read (a bound against a planted huge file).
pub const MAX_INDEX_LEN: usize = 1 << 31;

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

/// The index over public fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PublicIndex {
    pub format: u32,
    /// The tree size it was built for.
    pub size: u64,
    /// The checkpoint root at that size (hex).
    pub root: String,
    /// Per entry bundle of 256 leaves: the earliest and latest `occurred_at` (ms) of its
    /// records; `[0, u64::MAX]` for a bundle with an entry that does not decode (it is then
    /// read by every time query, and refused there).
    pub bundle_times: Vec<[u64; 2]>,
    /// Producer → `[seq, leaf]` in leaf order.
    pub seqs: BTreeMap<String, Vec<[u64; 2]>>,
    /// Trace, operation and parent-operation id (hex) → leaves.
    pub ids: HashMap<String, Vec<u64>>,
    /// Leaf hash (hex) of a referenced record → the leaves that reference it.
    pub referenced_by: HashMap<String, Vec<u64>>,
    /// Key id (hex) → the key-registration leaves that register that key.
    pub registrations: HashMap<String, Vec<u64>>,
    /// Authorisation id → its authorisation (grant and revocation) leaves.
    pub authorisations: BTreeMap<String, Vec<u64>>,
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
    /// An empty index (size 0).
    pub fn empty(root: &Hash) -> PublicIndex {
        PublicIndex {
            format: INDEX_FORMAT,
            root: hex::encode(root),
            ..PublicIndex::default()
        }
    }

    /// Decode a stored index, refusing another format.
    pub fn decode(bytes: &[u8]) -> Result<PublicIndex, String> {
        let ix: PublicIndex = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if ix.format != INDEX_FORMAT {
            return Err(format!("format {} (expected {INDEX_FORMAT})", ix.format));
        }
        let bundles = ix.size.div_ceil(u64::from(tiles::TILE_WIDTH));
        if ix.bundle_times.len() as u64 != bundles {
            return Err(format!(
                "{} bundle time spans for a tree of size {} ({bundles} bundles)",
                ix.bundle_times.len(),
                ix.size
            ));
        }
        Ok(ix)
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an index serialises")
    }

    /// The leaves of `producer`'s records with `seq` (more than one after a declared reset).
    pub fn leaves_of(&self, producer: &str, seq: u64) -> Vec<u64> {
        self.seqs
            .get(producer)
            .map(|v| v.iter().filter(|p| p[0] == seq).map(|p| p[1]).collect())
            .unwrap_or_default()
    }

    /// How many records of `producer` the index holds.
    pub fn count_of(&self, producer: &str) -> usize {
        self.seqs.get(producer).map_or(0, Vec::len)
    }

    /// The entry bundles (indexes) holding a record whose time may lie in `[since, until]`.
    pub fn bundles_between(&self, since: u64, until: u64) -> Vec<u64> {
        self.bundle_times
            .iter()
            .enumerate()
            .filter(|(_, t)| t[0] <= until && t[1] >= since)
            .map(|(i, _)| i as u64)
            .collect()
    }

    fn time(&mut self, leaf: u64, t: [u64; 2]) {
        let b = (leaf / u64::from(tiles::TILE_WIDTH)) as usize;
        if self.bundle_times.len() <= b {
            self.bundle_times.resize(b + 1, [u64::MAX, 0]);
        }
        let span = &mut self.bundle_times[b];
        span[0] = span[0].min(t[0]);
        span[1] = span[1].max(t[1]);
    }
}

impl IndexPart for PublicIndex {
    fn add(&mut self, leaf: u64, _leaf_hash: &Hash, record: &Record) {
        let p = record.payload();
        let t = p.occurred_at.0;
        self.time(leaf, [t, t]);
        self.seqs
            .entry(p.producer.to_string())
            .or_default()
            .push([p.seq, leaf]);
        for id in [&p.trace_id, &p.operation_id, &p.parent_operation_id]
            .into_iter()
            .flatten()
        {
            let v = self.ids.entry(id.to_string()).or_default();
            if v.last() != Some(&leaf) {
                v.push(leaf);
            }
        }
        for r in crate::verify::chains::references(&p.body) {
            let v = self
                .referenced_by
                .entry(r.leaf_hash.to_string())
                .or_default();
            if v.last() != Some(&leaf) {
                v.push(leaf);
            }
        }
        match &p.body {
            Body::KeyRegistration(k) => {
                if let Ok(key) = PublicKey::from_bytes(&k.public_key.0) {
                    self.registrations
                        .entry(hex::encode(key.key_id()))
                        .or_default()
                        .push(leaf);
                }
            }
            Body::Authorisation(a) => self
                .authorisations
                .entry(a.authorisation_id.to_string())
                .or_default()
                .push(leaf),
            Body::RetentionDeletion(_) => self.deletions.push(leaf),
            _ => {}
        }
    }

    fn undecodable(&mut self, leaf: u64) {
        self.time(leaf, [0, u64::MAX]);
    }
}
