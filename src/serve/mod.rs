//! The pure parts of `logseal serve` (docs/SERVE.md): which request is which
//! ([`route`]; objects are read through the log's public store), the body of
//! `POST /add` ([`body`]), how a refusal becomes an HTTP status ([`error`]), the per-key rate
//! ([`rate`]), how the sequencer appends what concurrent requests sent as few atomic
//! batches as possible ([`group`]), and the two steps of a retention sweep through the
//! server ([`sweep`]). The network, the clock and the signals are in the binary
//! (`src/commands/serve.rs`); [`crate::client`] is the other side.

pub mod body;
pub mod error;
pub mod group;
pub mod proofs;
pub mod rate;
pub mod route;
pub mod sweep;
pub mod witness;

use crate::log::Receipt;

pub use error::HttpError;
pub use route::{Class, Route, RouteError};

/// The answer to `POST /add` once the record is durable (JSON).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddReceipt {
    pub leaf_index: u64,
    /// Hex of the record's leaf hash.
    pub leaf_hash: String,
    pub producer: String,
    pub seq: u64,
}

impl From<&Receipt> for AddReceipt {
    fn from(r: &Receipt) -> Self {
        AddReceipt {
            leaf_index: r.leaf_index,
            leaf_hash: r.leaf_hash.to_string(),
            producer: r.producer.as_str().to_string(),
            seq: r.seq,
        }
    }
}

/// The answer to `GET /proof/inclusion` (JSON): the audit path of a leaf to the root of a
/// published checkpoint, and that checkpoint (a signed note).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub tree_size: u64,
    /// Hex of the leaf hash, as the tiles hold it.
    pub leaf_hash: String,
    /// Hex hashes, from the leaf's sibling up.
    pub proof: Vec<String>,
    pub checkpoint: String,
}

/// The answer to `GET /proof/consistency` (JSON): the proof that the tree of `old_size` is a
/// prefix of the tree of `new_size`, and the checkpoint of `new_size`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    /// Hex hashes (RFC 9162 §2.1.4).
    pub proof: Vec<String>,
    pub checkpoint: String,
}

/// The answer to `GET /head/<producer>` (JSON): the seq the producer's next record must carry
/// and the leaf hash of its last one (all zeros before its first, or after a reset), as the
/// sequencer holds them (records appended but not yet checkpointed included).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProducerHead {
    pub producer: String,
    pub next_seq: u64,
    /// Hex.
    pub head: String,
}
