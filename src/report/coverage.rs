//! What a supervisory report counts up to and what it could not count: the checkpoint every
//! record was authenticated against (the read layer, [`crate::inspect`]), the verdict of
//! each check of the verifier run over the same log ([`crate::verify`]), the records check 3
//! found not authentic (left out of every count), the refusals of the read layer, and the
//! producer chains check 4 found broken (their counts may be short).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::inspect::{Head, InspectError};
use crate::verify::{self, Check, Verdict};

/// Most leaves listed per list of the coverage (the counts are complete).
pub const MAX_LISTED: usize = 20;

/// The verifier's run, or why it did not run.
pub enum Verification<'a> {
    Ran(&'a verify::Report),
    NotRun(String),
}

/// The checkpoint the report counts up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointRef {
    pub size: u64,
    /// The root hash, base64 (as in the checkpoint note).
    pub root: String,
    /// The log's own cosignature time (RFC 3339, UTC).
    pub time: String,
    /// Whose keys the checkpoint and records were checked against.
    pub anchors: String,
}

/// One check's verdict in the verifier's run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckVerdict {
    pub check: u8,
    pub title: &'static str,
    /// `holds`, `violated`, `cannot be determined`, `notice`, `not checked`, or `not run`.
    pub verdict: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// A leaf left out of the counts, and why (the finding's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    pub leaf: u64,
    pub code: String,
}

/// A producer whose chain check 4 did not find complete: its counts may be short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenChain {
    pub producer: String,
    /// Check 4's finding codes for it, with their counts.
    pub findings: BTreeMap<String, u64>,
}

/// What the report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub checkpoint: CheckpointRef,
    /// The verifier's checks and their verdicts; empty when it did not run.
    pub checks: Vec<CheckVerdict>,
    /// Why the verifier did not run (then nothing is known of signatures, chains or grants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_not_run: Option<String>,
    /// Records counted (authentic, and in the checkpoint's tree).
    pub records_counted: u64,
    /// Refusals of the read layer: a leaf not proven in the checkpoint's tree or not
    /// decodable, or a whole entry bundle that cannot be read (one refusal, named by its first
    /// leaf).
    pub refused: u64,
    /// Records check 3 found not authentic (or could not decide): not counted.
    pub not_authentic: u64,
    /// The first [`MAX_LISTED`] leaves refused or not authentic.
    pub excluded: Vec<Excluded>,
    /// Check 3's findings the verifier counted but did not list (beyond its cap per code):
    /// records that may be counted although not authentic.
    pub not_authentic_unlisted: u64,
    /// Producers whose chain has gaps or breaks (check 4).
    pub broken_chains: Vec<BrokenChain>,
    /// Months are calendar months in UTC.
    pub time_zone: &'static str,
}

/// Check 4 codes that mean a producer's records may be missing from the log.
const GAP_CODES: &[&str] = &[
    "chain-seq-gap",
    "chain-prev-mismatch",
    "chain-fork",
    "chain-seq-repeat",
    "chain-head-missing",
    "chain-head-mismatch",
    "chain-undetermined",
    "heartbeat-counter-mismatch",
    "heartbeat-missing",
    "heartbeat-overdue",
    "heartbeat-overdue-undetermined",
    "heartbeat-undetermined",
];

impl Coverage {
    /// The coverage before counting: the checkpoint and the verifier's verdicts.
    pub fn new(head: &Head, anchors: &str, verification: &Verification<'_>) -> Coverage {
        use base64::Engine;
        let checkpoint = CheckpointRef {
            size: head.size,
            root: base64::engine::general_purpose::STANDARD.encode(head.root),
            time: crate::record::types::Timestamp(head.log_time.saturating_mul(1000)).to_rfc3339(),
            anchors: anchors.to_string(),
        };
        let (checks, not_run, broken, unlisted) = match verification {
            Verification::NotRun(why) => (Vec::new(), Some(why.clone()), Vec::new(), 0),
            Verification::Ran(r) => (
                check_verdicts(r),
                None,
                broken_chains(r),
                r.counts
                    .iter()
                    .filter(|(code, _)| code.starts_with("record-") || code.starts_with("key-"))
                    .map(|(_, c)| c.suppressed)
                    .sum(),
            ),
        };
        Coverage {
            checkpoint,
            checks,
            verification_not_run: not_run,
            records_counted: 0,
            refused: 0,
            not_authentic: 0,
            excluded: Vec::new(),
            not_authentic_unlisted: unlisted,
            broken_chains: broken,
            time_zone: "UTC",
        }
    }

    /// A leaf the read layer refused.
    pub(crate) fn refuse(&mut self, e: &InspectError) {
        self.refused += 1;
        if let (Some(f), true) = (e.finding(), self.excluded.len() < MAX_LISTED) {
            self.excluded.push(Excluded {
                leaf: f.leaf.unwrap_or_default(),
                code: f.code.to_string(),
            });
        }
    }

    /// A record check 3 found not authentic.
    pub(crate) fn not_authentic(&mut self, leaf: u64, code: &str) {
        self.not_authentic += 1;
        if self.excluded.len() < MAX_LISTED {
            self.excluded.push(Excluded {
                leaf,
                code: code.to_string(),
            });
        }
    }
}

fn check_verdicts(r: &verify::Report) -> Vec<CheckVerdict> {
    r.checks
        .iter()
        .map(|c| CheckVerdict {
            check: c.check.number(),
            title: c.title,
            verdict: c
                .verdict
                .map_or("not run".to_string(), |v| v.name().to_string()),
            why: c
                .not_run
                .clone()
                .or_else(|| c.incomplete.clone())
                .or_else(|| c.not_checked.clone()),
        })
        .collect()
}

fn broken_chains(r: &verify::Report) -> Vec<BrokenChain> {
    let mut by: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for f in &r.findings {
        let bad = matches!(f.verdict, Verdict::Violated | Verdict::CannotBeDetermined);
        if f.check == Check::Completeness && bad && GAP_CODES.contains(&f.code) {
            let p = f.producer.clone().unwrap_or_else(|| "(unknown)".into());
            *by.entry(p)
                .or_default()
                .entry(f.code.to_string())
                .or_default() += 1;
        }
    }
    by.into_iter()
        .map(|(producer, findings)| BrokenChain { producer, findings })
        .collect()
}

/// The leaves check 3 found not authentic, with the finding's code.
pub(crate) fn not_authentic_leaves(v: &Verification<'_>) -> BTreeMap<u64, &'static str> {
    let Verification::Ran(r) = v else {
        return BTreeMap::new();
    };
    r.findings
        .iter()
        .filter(|f| {
            f.check == Check::Records
                && matches!(f.verdict, Verdict::Violated | Verdict::CannotBeDetermined)
        })
        .filter_map(|f| f.leaf.map(|l| (l, f.code)))
        .collect()
}

/// The leaves of check 6's findings of `code` (e.g. `auth-revoked`), and how many the
/// verifier counted but did not list; `None` when check 6 did not run.
pub(crate) fn check6_leaves(v: &Verification<'_>, code: &str) -> Option<(BTreeSet<u64>, u64)> {
    let Verification::Ran(r) = v else {
        return None;
    };
    let ran = r
        .checks
        .iter()
        .any(|c| c.check == Check::Authorisation && c.verdict.is_some());
    if !ran {
        return None;
    }
    let leaves = r
        .findings
        .iter()
        .filter(|f| f.check == Check::Authorisation && f.code == code)
        .filter_map(|f| f.leaf)
        .collect();
    let unlisted = r.counts.get(code).map_or(0, |c| c.suppressed);
    Some((leaves, unlisted))
}

/// Check 6's finding message at each leaf of a denied attempt (why it was denied, when
/// check 6 knows).
pub(crate) fn denied_reasons(v: &Verification<'_>) -> BTreeMap<u64, String> {
    let Verification::Ran(r) = v else {
        return BTreeMap::new();
    };
    r.findings
        .iter()
        .filter(|f| f.code == "auth-denied-attempt")
        .filter_map(|f| f.leaf.map(|l| (l, f.message.clone())))
        .collect()
}
