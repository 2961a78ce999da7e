//! The offline witness (`logseal witness cosign`): it cosigns a log's new checkpoint only
//! after checking that it is signed by the pinned log key and that its tree extends the last
//! checkpoint the witness cosigned for that origin (RFC 9162 §2.1.4 consistency proof), per
//! C2SP tlog-witness ("the witness MUST verify the consistency proof … from the latest
//! checkpoint it cosigned") with a timestamped `cosignature/v1` (C2SP tlog-cosignature).
//!
//! Owns the witness's decision and its state's JSON form (`state.json`: the last cosigned
//! checkpoint per origin; docs/CHECKS.md §Witness). Bounded by the number of logs witnessed.
//! No I/O and no clock: the caller reads the files, passes the time, keeps the evidence a
//! refusal carries, and stores the advanced state.

use serde::{Deserialize, Serialize};

use crate::checkpoint::{CheckpointError, add_cosignatures, cosign, open_checkpoint};
use crate::crypto::SecretKey;
use crate::note::{Ed25519NoteVerifier, NoteVerifier};
use crate::record::types::Hash32;
use crate::tree::{Hash, TreeHashAlg};

/// Format version of the witness's `state.json`.
pub const WITNESS_STATE_FORMAT: u64 = 1;

/// The last checkpoint the witness cosigned for one log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessedLog {
    pub origin: String,
    pub size: u64,
    pub root: Hash32,
    /// The signed note as cosigned (with the witness's cosignature).
    pub checkpoint: String,
    /// The witness's cosignature time (seconds).
    pub cosigned_at: u64,
}

/// The witness's state: one entry per origin, sorted by origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WitnessState {
    pub format: u64,
    #[serde(default)]
    pub logs: Vec<WitnessedLog>,
}

impl Default for WitnessState {
    fn default() -> Self {
        WitnessState {
            format: WITNESS_STATE_FORMAT,
            logs: Vec::new(),
        }
    }
}

impl WitnessState {
    /// Parse a state file (unknown members and other format versions refused).
    pub fn from_json(bytes: &[u8]) -> Result<Self, WitnessError> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let s: WitnessState = serde_path_to_error::deserialize(de)
            .map_err(|e| WitnessError::State(format!("{}: {}", e.path(), e.inner())))?;
        if s.format != WITNESS_STATE_FORMAT {
            return Err(WitnessError::State(format!(
                "format: {} is not supported (expected {WITNESS_STATE_FORMAT})",
                s.format
            )));
        }
        Ok(s)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("state serialises");
        v.push(b'\n');
        v
    }

    pub fn log(&self, origin: &str) -> Option<&WitnessedLog> {
        self.logs.iter().find(|l| l.origin == origin)
    }

    fn set(&mut self, log: WitnessedLog) {
        match self
            .logs
            .binary_search_by(|l| l.origin.as_str().cmp(&log.origin))
        {
            Ok(i) => self.logs[i] = log,
            Err(i) => self.logs.insert(i, log),
        }
    }
}

/// Why the witness refused to cosign. The refusals that are evidence of a misbehaving log
/// ([`WitnessError::is_evidence`]) keep the last cosigned checkpoint in the error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    #[error("witness state: {0}")]
    State(String),
    #[error("the new checkpoint is not authentic for log {origin:?}: {source}")]
    Signature {
        origin: String,
        source: CheckpointError,
    },
    #[error(
        "the new checkpoint has size {new_size}, smaller than the checkpoint of size {old_size} \
         the witness cosigned at {cosigned_at}: a replay of an older checkpoint, or the log shrank"
    )]
    Older {
        old_size: u64,
        new_size: u64,
        cosigned_at: u64,
        old: String,
    },
    #[error(
        "two different trees of size {size}: the witness cosigned root {old_root}, the new \
         checkpoint has root {new_root}: history was rewritten"
    )]
    Forked {
        size: u64,
        old_root: Hash32,
        new_root: Hash32,
        old: String,
    },
    #[error(
        "no consistency proof from the cosigned size {old_size} to the new size {new_size} was \
         given"
    )]
    ProofMissing { old_size: u64, new_size: u64 },
    #[error(
        "the tree of size {new_size} is not an extension of the tree of size {old_size} the \
         witness cosigned (root {old_root}): {reason}"
    )]
    Inconsistent {
        old_size: u64,
        new_size: u64,
        old_root: Hash32,
        reason: String,
        old: String,
    },
    #[error("cosigning: {0}")]
    Cosign(CheckpointError),
    /// A foreign (C2SP, not logseal) checkpoint that does not open: the `tlog verify` code.
    #[error("the new checkpoint is not authentic for log {origin:?}: {code}: {message}")]
    Foreign {
        origin: String,
        code: &'static str,
        message: String,
    },
}

impl WitnessError {
    /// The last cosigned checkpoint, when the refusal is evidence against the log (to keep
    /// with the new one).
    pub fn evidence(&self) -> Option<&str> {
        match self {
            WitnessError::Older { old, .. }
            | WitnessError::Forked { old, .. }
            | WitnessError::Inconsistent { old, .. } => Some(old),
            _ => None,
        }
    }
}

/// The witness's cosigning key: its name is the witness's name.
#[derive(Debug)]
pub struct WitnessKey<'a> {
    pub name: &'a str,
    pub key: &'a SecretKey,
}

/// A cosigned checkpoint.
#[derive(Debug, Clone)]
pub struct Cosigned {
    /// The new checkpoint with the witness's cosignature appended.
    pub checkpoint: Vec<u8>,
    /// No earlier checkpoint of this origin: only the log's signature was verified.
    pub first_use: bool,
    pub size: u64,
    /// The state to store.
    pub state: WitnessState,
}

/// Open `new` as the witness does. A logseal checkpoint (one carrying the log's own
/// `cosignature/v1`, docs/FORMAT.md §11.3) is opened by logseal's rules: log signature and
/// log cosignature valid, no extension lines, a log time not after `time_secs` plus the clock
/// skew. Any other checkpoint is a foreign C2SP log's (docs/FORMAT.md §13): the log's `0x01`
/// signature must verify, signatures by other keys are skipped, extension lines tolerated;
/// it claims no log time, so none is checked.
pub fn open_for_witness(
    new: &[u8],
    log: &Ed25519NoteVerifier,
    time_secs: u64,
) -> Result<crate::checkpoint::Checkpoint, WitnessError> {
    let origin = log.name().to_string();
    let own_cosigner = crate::checkpoint::CosignatureVerifier::new(&origin, *log.public_key())
        .map_err(WitnessError::Cosign)?;
    let logseal_log = crate::note::parse_note(new).is_ok_and(|n| {
        n.signatures
            .iter()
            .any(|s| s.name == origin && s.key_id == own_cosigner.key_id())
    });
    if !logseal_log {
        let policy = crate::tlog::open::Policy {
            log: log.clone(),
            witnesses: Vec::new(),
            quorum: 0,
        };
        return crate::tlog::open::open(new, &policy)
            .map(|o| o.checkpoint)
            .map_err(|f| WitnessError::Foreign {
                origin,
                code: f.code,
                message: f.message,
            });
    }
    let no_witnesses: &[(&str, crate::crypto::PublicKey)] = &[];
    let opened = open_checkpoint(new, &origin, log, no_witnesses, 0).map_err(|source| {
        WitnessError::Signature {
            origin: origin.clone(),
            source,
        }
    })?;
    opened
        .check_log_time(time_secs, super::CLOCK_SKEW_SECS)
        .map_err(WitnessError::Cosign)?;
    Ok(opened.checkpoint)
}

/// Check the signed checkpoint `new` of the log `log` (named after its origin; tree hash
/// `alg`) against the witness's `state` and the consistency `proof` from the last cosigned
/// size, and cosign it at `time_secs`.
pub fn cosign_checkpoint(
    state: &WitnessState,
    new: &[u8],
    log: &Ed25519NoteVerifier,
    alg: TreeHashAlg,
    proof: Option<&[Hash]>,
    key: &WitnessKey<'_>,
    time_secs: u64,
) -> Result<Cosigned, WitnessError> {
    let origin = log.name().to_string();
    let cp = open_for_witness(new, log, time_secs)?;
    let last = state.log(&origin);
    if let Some(old) = last {
        let old_note = old.checkpoint.clone();
        if cp.size < old.size {
            return Err(WitnessError::Older {
                old_size: old.size,
                new_size: cp.size,
                cosigned_at: old.cosigned_at,
                old: old_note,
            });
        }
        if cp.size == old.size {
            if cp.root != old.root.0 {
                return Err(WitnessError::Forked {
                    size: cp.size,
                    old_root: old.root,
                    new_root: Hash32(cp.root),
                    old: old_note,
                });
            }
        } else if old.size > 0 {
            let proof = proof.ok_or(WitnessError::ProofMissing {
                old_size: old.size,
                new_size: cp.size,
            })?;
            alg.verify_consistency(old.size, cp.size, &old.root.0, &cp.root, proof)
                .map_err(|e| WitnessError::Inconsistent {
                    old_size: old.size,
                    new_size: cp.size,
                    old_root: old.root,
                    reason: e.to_string(),
                    old: old_note,
                })?;
        }
    }
    let note = crate::note::parse_note(new).map_err(|e| WitnessError::Cosign(e.into()))?;
    let sig = cosign(&note.text, key.key, key.name, time_secs).map_err(WitnessError::Cosign)?;
    let checkpoint = add_cosignatures(new, &[sig]).map_err(WitnessError::Cosign)?;
    let mut state = state.clone();
    state.set(WitnessedLog {
        origin,
        size: cp.size,
        root: Hash32(cp.root),
        checkpoint: String::from_utf8_lossy(&checkpoint).into_owned(),
        cosigned_at: time_secs,
    });
    Ok(Cosigned {
        checkpoint,
        first_use: last.is_none(),
        size: cp.size,
        state,
    })
}
