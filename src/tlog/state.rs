//! The state `tlog verify --state DIR` keeps (file `tlog-state.json`, beside `verify`'s own
//! `state.json`): the last checkpoint verified per origin, whose tree every later checkpoint
//! must extend. JSON; no I/O here.

use serde::{Deserialize, Serialize};

use crate::tree::Hash;

/// Format version written.
pub const TLOG_STATE_FORMAT: u64 = 1;
/// The file's name inside the state directory.
pub const TLOG_STATE_FILE: &str = "tlog-state.json";

/// One verified checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedHead {
    pub origin: String,
    pub size: u64,
    /// Hex.
    pub root: String,
    /// The signed note as verified: the evidence.
    pub note: String,
}

/// The whole state: one head per origin, sorted by origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlogState {
    pub format: u64,
    pub logs: Vec<VerifiedHead>,
}

/// A state file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{TLOG_STATE_FILE}: {reason}")]
pub struct StateError {
    pub reason: String,
}

impl Default for TlogState {
    fn default() -> Self {
        Self {
            format: TLOG_STATE_FORMAT,
            logs: Vec::new(),
        }
    }
}

impl TlogState {
    pub fn from_json(bytes: &[u8]) -> Result<Self, StateError> {
        let s: Self = serde_json::from_slice(bytes).map_err(|e| StateError {
            reason: e.to_string(),
        })?;
        if s.format != TLOG_STATE_FORMAT {
            return Err(StateError {
                reason: format!(
                    "format {}, this logseal reads {TLOG_STATE_FORMAT}",
                    s.format
                ),
            });
        }
        for h in &s.logs {
            parse_root(&h.root).map_err(|reason| StateError {
                reason: format!("log {:?}: {reason}", h.origin),
            })?;
        }
        Ok(s)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("serialisable");
        v.push(b'\n');
        v
    }

    /// The head kept for `origin`: (size, root).
    pub fn head(&self, origin: &str) -> Option<(u64, Hash)> {
        let h = self.logs.iter().find(|h| h.origin == origin)?;
        Some((h.size, parse_root(&h.root).expect("checked when read")))
    }

    /// Keep `head` as the latest for its origin.
    pub fn set(&mut self, head: VerifiedHead) {
        self.logs.retain(|h| h.origin != head.origin);
        self.logs.push(head);
        self.logs.sort_by(|a, b| a.origin.cmp(&b.origin));
    }
}

fn parse_root(s: &str) -> Result<Hash, String> {
    let b = hex::decode(s).map_err(|e| format!("root is not hex: {e}"))?;
    b.try_into()
        .map_err(|b: Vec<u8>| format!("root is {} bytes, expected 32", b.len()))
}
