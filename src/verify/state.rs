//! The auditor's own state (`--state DIR`, file `state.json`): the checkpoints it has
//! verified, the producer heads it knows (from earlier runs, or handed to it by producers
//! out of band), and the resume point of an incremental run ([`Resume`]: what checks 2–7
//! carry over from the leaves of the last verified checkpoint; check 7's part,
//! [`RetentionResume`], with its deadline index). Every run checks the log
//! against it; a run whose checkpoint verified (checks 1 and 2 hold) returns the advanced
//! state for the caller to store.
//!
//! Owns the state's JSON form (docs/CHECKS.md §Auditor state). Bounded by the number of
//! checkpoints kept, of producers, keys and authorisations, and of open items (at most
//! [`MAX_OPEN_ITEMS`]) and check 7's bounds ([`MAX_RETENTION_ENTRIES`],
//! [`MAX_RETENTION_REREAD`]), never by the number of records. No I/O here.

use serde::{Deserialize, Serialize};

use crate::record::types::Hash32;

/// Format version of `state.json` written (format 1, without [`Resume`], and format 2,
/// without [`Resume::retention`], are still read).
pub const STATE_FORMAT: u64 = 3;
/// Open items (gaps, unresolved forward references) a [`Resume`] carries at most; a run
/// with more stores no resume point.
pub const MAX_OPEN_ITEMS: usize = 4096;
/// Checkpoints kept (the oldest are dropped first; consistency is transitive).
pub const MAX_CHECKPOINTS: usize = 64;

/// A checkpoint the auditor verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeenCheckpoint {
    pub size: u64,
    pub root: Hash32,
    /// The checkpoint's time (seconds): the log's cosigned time, held within the allowed
    /// skew of the witness quorum's time where the trust file has a quorum (docs/CHECKS.md,
    /// "Witness timestamps bound T").
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
    /// Where an incremental run (`verify --since`) resumes: the state of checks 2–6 after
    /// the leaves of the last verified checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<Resume>,
}

/// What checks 2–6 carry over from the leaves `[0, size)` of a verified checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resume {
    /// The checkpoint (one of `checkpoints`) whose leaves were all checked.
    pub size: u64,
    pub root: Hash32,
    /// Per producer, sorted by producer id.
    #[serde(default)]
    pub chains: Vec<ChainState>,
    /// Keys registered by the registration authority (check 3).
    #[serde(default)]
    pub keys: Vec<KeyState>,
    /// Authorisations granted by the registry (check 6).
    #[serde(default)]
    pub grants: Vec<GrantState>,
    /// References to records not yet in the log (check 4 / 5).
    #[serde(default)]
    pub forward_refs: Vec<RefState>,
    /// What check 7 carries over (absent: a `--since` run walks the whole log for check 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionResume>,
    /// Why check 7 carries nothing over, when it ran but `retention` is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_not_carried: Option<String>,
}

/// Deadline-index entries a [`RetentionResume`] holds at most; a run with more stores none.
pub const MAX_RETENTION_ENTRIES: usize = 16_384;
/// Records a [`RetentionResume`] makes every run read again (held, due, overdue,
/// undetermined, and the policy, case, notification, sanction and hold records the retention
/// core is built from) at most; a run with more stores none.
pub const MAX_RETENTION_REREAD: usize = 4096;

/// What check 7 carries over from the leaves `[0, size)` of the resume point
/// (docs/CHECKS.md §Incremental runs): counts of the records it never needs to read again,
/// the deadline index of those it may, and its findings about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionResume {
    /// The reference time of the run that stored it (ms); a later run's is not earlier.
    pub at_ms: u64,
    pub grace_ms: u64,
    /// The retention-policy authority the walk applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_authority: Option<String>,
    /// Leaves of the policy, case-status, notification, account-sanction and legal-hold
    /// records (read again by every run: the retention core is rebuilt from them).
    #[serde(default)]
    pub structural: Vec<u64>,
    pub deletions_recorded: u64,
    /// Records every sealed field of which a retention-deletion claims and none of which is
    /// readable: settled, never read again (`[records, erased and covered]`).
    pub settled: [u64; 2],
    /// The deadline index: the other records with sealed fields.
    #[serde(default)]
    pub entries: Vec<RetentionEntry>,
    /// Check 7's findings about the records not read again.
    #[serde(default)]
    pub findings: Vec<CarriedFinding>,
}

/// A run of one producer's records with sealed fields (every such record of `producer` with
/// a seq in `seqs` at a leaf in `leaves`, none claimed by a deletion): read again when the
/// reference time reaches `recheck_ms`, or when a new retention-deletion may name one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionEntry {
    pub producer: String,
    /// First and last seq.
    pub seqs: [u64; 2],
    /// First and last leaf.
    pub leaves: [u64; 2],
    /// `[records, with a readable disclosure, not yet deletable, erased without record]`.
    pub counts: [u64; 4],
    /// When their placement can next change (ms; 0: every run). Absent: only a deletion
    /// changes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recheck_ms: Option<u64>,
}

/// A check-7 finding carried over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedFinding {
    pub code: String,
    pub verdict: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    pub message: String,
}

/// One producer's chain after the resume point's leaves (checks 4, 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainState {
    pub producer: String,
    pub next_seq: u64,
    pub head: Hash32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_leaf: Option<u64>,
    /// Latest producer time seen (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_time_ms: Option<u64>,
    /// Records per kind name since the last heartbeat.
    #[serde(default)]
    pub counts: std::collections::BTreeMap<String, u64>,
    /// Whether `counts` are complete (no gap since the last heartbeat).
    pub counts_valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_end_ms: Option<u64>,
    /// The last heartbeat's own time (ms; absent: `last_heartbeat_end_ms` stands for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_heartbeat_at_ms: Option<u64>,
    /// Open gaps `[start seq, end seq, leaf that revealed it]`.
    #[serde(default)]
    pub gaps: Vec<[u64; 3]>,
}

/// A key the registration authority registered (check 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyState {
    /// The raw Ed25519 public key.
    pub public_key: Hash32,
    pub producer: String,
    /// Kind names.
    pub kinds: Vec<String>,
    pub registered_at: u64,
    /// The registration record's own time (ms), for a producer's required heartbeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered_time_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<u64>,
    /// Why it was revoked (`rotation`, `compromise`, `retired`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    /// The revocation record's own time (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_time_ms: Option<u64>,
}

/// An authorisation the registry granted (check 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantState {
    pub id: String,
    pub leaf: u64,
    pub valid_from_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until_ms: Option<u64>,
    /// `[leaf, effective from (ms)]` of the revocation effective first (the later of its
    /// `valid_from` and its issue time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<[u64; 2]>,
    /// When that revocation was issued (its `occurred_at`, ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_issued_ms: Option<u64>,
    /// Accesses naming it that a revocation logged later may still cover (check 6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent: Vec<AccessState>,
    /// The latest time of an access no longer kept in `recent` because of its cap (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evicted_ms: Option<u64>,
}

/// A lawful access kept for re-judging against a revocation logged after it (check 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessState {
    pub leaf: u64,
    pub at_ms: u64,
    pub producer: String,
    pub seq: u64,
}

/// A reference waiting for its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefState {
    pub from_leaf: u64,
    pub from_producer: String,
    pub from_seq: u64,
    pub producer: String,
    pub seq: u64,
    pub leaf_hash: Hash32,
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
    #[error("auditor state: resume.size {size} with root {root} is not one of its checkpoints")]
    Resume { size: u64, root: Hash32 },
}

impl AuditorState {
    pub fn new(origin: &str) -> Self {
        AuditorState {
            format: STATE_FORMAT,
            origin: origin.to_string(),
            checkpoints: Vec::new(),
            producers: Vec::new(),
            resume: None,
        }
    }

    pub fn from_json(bytes: &[u8], origin: &str) -> Result<Self, StateError> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let s: AuditorState = serde_path_to_error::deserialize(de)
            .map_err(|e| StateError::Json(format!("{}: {}", e.path(), e.inner())))?;
        let retention = s.resume.as_ref().is_some_and(|r| r.retention.is_some());
        if !(1..=STATE_FORMAT).contains(&s.format)
            || (s.format == 1 && s.resume.is_some())
            || (s.format == 2 && retention)
        {
            return Err(StateError::Format { found: s.format });
        }
        if s.origin != origin {
            return Err(StateError::Origin {
                expected: origin.to_string(),
                found: s.origin,
            });
        }
        if let Some(r) = &s.resume
            && !s
                .checkpoints
                .iter()
                .any(|c| c.size == r.size && c.root == r.root)
        {
            return Err(StateError::Resume {
                size: r.size,
                root: r.root,
            });
        }
        let mut s = s;
        s.format = STATE_FORMAT;
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
