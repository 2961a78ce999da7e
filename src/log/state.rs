//! The sequencer's durable state (`private/state`): tree size and root, every producer's
//! head, and the key registry. Bounded by the number of producers and keys, never by the
//! number of records. Deterministic CBOR; replaced by compare-and-swap once per batch.

use minicbor::{Decode, Encode};

use crate::cbor::{self, CborError};
use crate::record::Kind;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;

/// Format version of the state object.
pub const STATE_VERSION: u64 = 1;

/// Where a producer's chain stands.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct ProducerHead {
    #[n(0)]
    pub producer: ProducerId,
    /// The seq the producer's next record must carry.
    #[n(1)]
    pub next_seq: u64,
    /// Leaf hash of its last record (all zeros after a declared reset).
    #[n(2)]
    pub head: Hash32,
    /// Leaf index of its last record.
    #[n(3)]
    pub last_leaf: u64,
}

/// A producer key registered by the registration authority.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct KeyEntry {
    /// `SHA-256(public_key)`, the records' `kid`.
    #[n(0)]
    pub kid: Hash32,
    #[n(1)]
    pub producer: ProducerId,
    #[n(2)]
    pub public_key: Hash32,
    #[n(3)]
    pub kinds: Vec<Kind>,
    /// Leaf index of the key-registration record.
    #[n(4)]
    pub registered_at: u64,
    /// Leaf index of the key-revocation record, if revoked.
    #[n(5)]
    pub revoked_at: Option<u64>,
}

/// The whole state.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Default)]
#[cbor(map)]
pub struct State {
    #[n(0)]
    pub version: u64,
    /// Number of durable records.
    #[n(1)]
    pub size: u64,
    /// Tree root at `size`.
    #[n(2)]
    pub root: Hash32,
    /// Sorted by producer id.
    #[n(3)]
    pub producers: Vec<ProducerHead>,
    /// In registration order.
    #[n(4)]
    pub keys: Vec<KeyEntry>,
    /// Size of the last checkpoint signed (recorded before it is published), and of the one
    /// before; the public history (`public/checkpoints/`) holds every checkpoint.
    #[n(5)]
    pub checkpoint_sizes: Vec<u64>,
}

impl State {
    pub fn new(empty_root: [u8; 32]) -> Self {
        State {
            version: STATE_VERSION,
            size: 0,
            root: Hash32(empty_root),
            producers: Vec::new(),
            keys: Vec::new(),
            checkpoint_sizes: Vec::new(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        cbor::to_vec(self)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CborError> {
        cbor::decode_canonical(bytes)
    }

    pub fn producer(&self, id: &ProducerId) -> Option<&ProducerHead> {
        self.producers
            .binary_search_by(|p| p.producer.cmp(id))
            .ok()
            .map(|i| &self.producers[i])
    }

    /// Set a producer's head (inserting it in order).
    pub fn set_producer(&mut self, head: ProducerHead) {
        match self
            .producers
            .binary_search_by(|p| p.producer.cmp(&head.producer))
        {
            Ok(i) => self.producers[i] = head,
            Err(i) => self.producers.insert(i, head),
        }
    }

    pub fn key(&self, kid: &Hash32) -> Option<&KeyEntry> {
        self.keys.iter().rev().find(|k| &k.kid == kid)
    }
}
