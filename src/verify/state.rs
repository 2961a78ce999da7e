//! The auditor's own state (`--state DIR`, file `state.json`): the checkpoints it has
//! verified and the producer heads it knows (from earlier runs, or handed to it by producers
//! out of band). Every run checks the log against it; a run whose checkpoint verified
//! (checks 1 and 2 hold) returns the advanced state for the caller to store.
//!
//! Owns the state's JSON form (docs/CHECKS.md §Auditor state). Bounded by the number of
//! checkpoints kept and of producers, never by the number of records. No I/O here.

use serde::{Deserialize, Serialize};

use crate::record::types::Hash32;

/// Format version of `state.json`.
pub const STATE_FORMAT: u64 = 1;
/// Checkpoints kept (the oldest are dropped first; consistency is transitive).
pub const MAX_CHECKPOINTS: usize = 64;

/// A checkpoint the auditor verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeenCheckpoint {
    pub size: u64,
    pub root: Hash32,
    /// The log's cosigned time (seconds).
    pub log_time: u64,
    /// The signed note as verified: the evidence.
    pub note: String,
}

/// A producer's head as the auditor knows it: its record `next_seq - 1` has leaf hash
/// `head`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownHead {
    pub producer: String,
    pub next_seq: u64,
    pub head: Hash32,
    /// Leaf index of that record, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_leaf: Option<u64>,
}

/// The whole auditor state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditorState {
    pub format: u64,
    pub origin: String,
    /// Oldest first.
    #[serde(default)]
    pub checkpoints: Vec<SeenCheckpoint>,
    /// Sorted by producer id.
    #[serde(default)]
    pub producers: Vec<KnownHead>,
}

/// Why a state file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    #[error("auditor state: {0}")]
    Json(String),
    #[error("auditor state: format {found} is not supported (expected {STATE_FORMAT})")]
    Format { found: u64 },
    #[error("auditor state is for origin {found:?}, the trust file says {expected:?}")]
    Origin { expected: String, found: String },
}

impl AuditorState {
    pub fn new(origin: &str) -> Self {
        AuditorState {
            format: STATE_FORMAT,
            origin: origin.to_string(),
            checkpoints: Vec::new(),
            producers: Vec::new(),
        }
    }

    pub fn from_json(bytes: &[u8], origin: &str) -> Result<Self, StateError> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let s: AuditorState = serde_path_to_error::deserialize(de)
            .map_err(|e| StateError::Json(format!("{}: {}", e.path(), e.inner())))?;
        if s.format != STATE_FORMAT {
            return Err(StateError::Format { found: s.format });
        }
        if s.origin != origin {
            return Err(StateError::Origin {
                expected: origin.to_string(),
                found: s.origin,
            });
        }
        Ok(s)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("state serialises");
        v.push(b'\n');
        v
    }

    /// The largest checkpoint kept.
    pub fn latest(&self) -> Option<&SeenCheckpoint> {
        self.checkpoints.iter().max_by_key(|c| c.size)
    }

    pub fn head(&self, producer: &str) -> Option<&KnownHead> {
        self.producers.iter().find(|h| h.producer == producer)
    }

    /// Record a verified checkpoint (a repeat of a kept size is not added twice).
    pub fn add_checkpoint(&mut self, cp: SeenCheckpoint) {
        if self
            .checkpoints
            .iter()
            .any(|c| c.size == cp.size && c.root == cp.root)
        {
            return;
        }
        self.checkpoints.push(cp);
        self.checkpoints.sort_by_key(|c| c.size);
        while self.checkpoints.len() > MAX_CHECKPOINTS {
            self.checkpoints.remove(0);
        }
    }

    /// Set a producer's head, keeping the list sorted.
    pub fn set_head(&mut self, head: KnownHead) {
        match self
            .producers
            .binary_search_by(|h| h.producer.as_str().cmp(&head.producer))
        {
            Ok(i) => self.producers[i] = head,
            Err(i) => self.producers.insert(i, head),
        }
    }
}
