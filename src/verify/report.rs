//! The verifier's output as data: findings, per-check verdicts, provenance, and the JSON
//! schema of `logseal verify --json` (docs/CHECKS.md §JSON report).
//!
//! Owns the *shape* of a verification result, nothing of how it is printed (the CLI renders
//! it) and nothing of how it is found (the checks produce it). Memory is bounded: at most
//! [`MAX_FINDINGS_PER_CODE`] findings are kept per code, the rest are counted.

use std::collections::BTreeMap;

use serde::Serialize;

mod rootcause;
pub use rootcause::{FIRST_ITEMS, RootCause, SHIFT, first_text, root_causes};

/// Version of the JSON report's schema (`logseal verify --json`).
pub const REPORT_FORMAT: u64 = 2;
/// Findings kept per code; more are counted in [`CodeCount::suppressed`].
pub const MAX_FINDINGS_PER_CODE: usize = 200;

/// The three verdicts of DESIGN.md §Trust model, a notice, and "not checked" (a check that
/// ran but had nothing to examine: it says why, and never "holds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// A check with nothing to examine (only a check's verdict, never a finding's).
    NotChecked,
    /// Checked, and it holds.
    Holds,
    /// Worth knowing, not a violation: a declared reset, a denied attempt.
    Notice,
    /// It cannot be decided from what the verifier has (the finding says why).
    CannotBeDetermined,
    /// Checked, and it is violated.
    Violated,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::NotChecked => "not checked",
            Verdict::Holds => "holds",
            Verdict::Notice => "notice",
            Verdict::CannotBeDetermined => "cannot be determined",
            Verdict::Violated => "violated",
        }
    }
}

/// The checks of DESIGN.md §What the verifier proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "u8")]
pub enum Check {
    Checkpoints = 1,
    Tree = 2,
    Records = 3,
    Completeness = 4,
    Ordering = 5,
    Authorisation = 6,
    Retention = 7,
    Obligations = 8,
}

impl From<Check> for u8 {
    fn from(c: Check) -> u8 {
        c as u8
    }
}

impl Check {
    pub const ALL: [Check; 8] = [
        Check::Checkpoints,
        Check::Tree,
        Check::Records,
        Check::Completeness,
        Check::Ordering,
        Check::Authorisation,
        Check::Retention,
        Check::Obligations,
    ];

    pub fn number(self) -> u8 {
        self as u8
    }

    /// The check numbered `n` (1–8).
    pub fn from_number(n: u64) -> Option<Check> {
        Check::ALL.into_iter().find(|c| u64::from(c.number()) == n)
    }

    pub fn title(self) -> &'static str {
        match self {
            Check::Checkpoints => "checkpoints signed, cosigned and consistent with the auditor's",
            Check::Tree => "recomputed tree equals the checkpoint (root, tiles, entries)",
            Check::Records => "records canonical and signed by a registered, unrevoked key",
            Check::Completeness => "producer chains complete, heads present, heartbeats match",
            Check::Ordering => "seq and time order, logging delay, references backwards",
            Check::Authorisation => "data accesses name a valid authorisation",
            Check::Retention => "retention: disclosures deleted when due, not kept too long",
            Check::Obligations => {
                "obligations: accesses within their grant, sanctions explained, reviewed, appealable"
            }
        }
    }
}

/// One finding: what, where, and the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub check: Check,
    /// Stable code (docs/CHECKS.md).
    pub code: &'static str,
    pub verdict: Verdict,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// The record's own time (`occurred_at`, RFC 3339 in the producer's recorded offset),
    /// when the finding is about a record that decodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The tree size of the checkpoint the finding is about (check 1: a stored or published
    /// checkpoint), so that one rewrite seen at many checkpoints groups into one root cause.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    pub message: String,
}

impl Finding {
    pub fn new(check: Check, code: &'static str, verdict: Verdict, message: String) -> Self {
        Finding {
            check,
            code,
            verdict,
            leaf: None,
            producer: None,
            seq: None,
            time: None,
            size: None,
            expected: None,
            found: None,
            message,
        }
    }

    pub fn violated(check: Check, code: &'static str, message: impl Into<String>) -> Self {
        Finding::new(check, code, Verdict::Violated, message.into())
    }

    pub fn undetermined(check: Check, code: &'static str, message: impl Into<String>) -> Self {
        Finding::new(check, code, Verdict::CannotBeDetermined, message.into())
    }

    pub fn notice(check: Check, code: &'static str, message: impl Into<String>) -> Self {
        Finding::new(check, code, Verdict::Notice, message.into())
    }

    pub fn at(mut self, leaf: u64) -> Self {
        self.leaf = Some(leaf);
        self
    }

    /// The finding is about the checkpoint of tree size `size`.
    pub fn checkpoint_size(mut self, size: u64) -> Self {
        self.size = Some(size);
        self
    }

    pub fn record(mut self, producer: impl std::fmt::Display, seq: u64) -> Self {
        self.producer = Some(producer.to_string());
        self.seq = Some(seq);
        self
    }

    pub fn producer(mut self, producer: impl std::fmt::Display) -> Self {
        self.producer = Some(producer.to_string());
        self
    }

    pub fn evidence(
        mut self,
        expected: impl std::fmt::Display,
        found: impl std::fmt::Display,
    ) -> Self {
        self.expected = Some(expected.to_string());
        self.found = Some(found.to_string());
        self
    }
}

/// How many findings of one code there were, and how many were not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CodeCount {
    pub total: u64,
    pub suppressed: u64,
}

/// Outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckSummary {
    pub check: Check,
    pub title: &'static str,
    /// `None` when the check did not run (see `not_run`).
    pub verdict: Option<Verdict>,
    pub violations: u64,
    pub undetermined: u64,
    pub notices: u64,
    /// What the check examined (records, chains, grants, disclosures...), so that "holds" is
    /// read against a number; `None` when it did not run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub examined: Option<Examined>,
    /// It ran, but there was nothing to examine (why): the verdict is "not checked".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_checked: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_run: Option<String>,
    /// It ran but did not examine everything it is meant to (why); `None` when complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    /// The trust file's `require_checks` or `--require` name it.
    pub required: bool,
    /// It ran to completion: not `not_run`, not `incomplete` (docs/CHECKS.md §Exit status).
    pub determined: bool,
}

/// How many items of what a check examined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Examined {
    pub count: u64,
    /// `checkpoints`, `leaves`, `records`, `chains`, `accesses`, `sealed records`.
    pub what: &'static str,
    /// When `count` is 0: why there was nothing to examine.
    #[serde(skip)]
    pub why_none: String,
}

/// A trust anchor as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    pub role: String,
    pub name: String,
    /// `sha256:` + hex of the raw Ed25519 public key.
    pub fingerprint: String,
}

/// Where the verdicts come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub tool: String,
    pub tool_version: String,
    pub report_format: u64,
    pub record_format: u64,
    pub trust_format: u64,
    pub state_format: u64,
    pub origin: String,
    pub tree_hash: String,
    pub trust_anchors: Vec<Anchor>,
    pub witness_quorum: usize,
    /// Time zone data used (none: checks 1–6 use UTC instants only).
    pub time_zone_data: String,
    /// The reference time of the run (`--at`, or the clock when the CLI started), seconds.
    pub at: u64,
    pub incremental_from: Option<u64>,
}

/// The whole result of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub format: u64,
    pub provenance: Provenance,
    /// Tree size of the checkpoint verified (if one could be read).
    pub tree_size: Option<u64>,
    /// Records read and checked in this run.
    pub records_checked: u64,
    pub checks: Vec<CheckSummary>,
    pub counts: BTreeMap<&'static str, CodeCount>,
    /// Grouped: by check, then code, then leaf.
    pub findings: Vec<Finding>,
    /// Check 7's retention status, when it ran (for the TUI and evidence bundles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionStatus>,
}

/// The JSON report: the report's own fields and its root causes.
#[derive(Serialize)]
struct JsonReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    root_causes: Vec<RootCause>,
}

/// Most items kept in each list of [`RetentionStatus`] (the counts are complete).
pub const MAX_RETENTION_ITEMS: usize = MAX_FINDINGS_PER_CODE;

/// The retention status of a log at the reference time, as check 7 found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionStatus {
    /// The reference time (RFC 3339, UTC).
    pub at: String,
    /// How long after its deadline a disclosure still present counts as due, not overdue.
    pub grace_ms: u64,
    /// The trust file's retention-policy authority (`None`: not pinned, every policy
    /// admitted to the log applied).
    pub policy_authority: Option<String>,
    /// The retention-policy records applied, in leaf order.
    pub policies: Vec<RetentionPolicyApplied>,
    pub counts: RetentionCounts,
    /// Records whose deletion is suspended at `at` (at most [`MAX_RETENTION_ITEMS`]).
    pub held: Vec<RetentionHeld>,
    /// Records kept too long at `at` (at most [`MAX_RETENTION_ITEMS`]).
    pub overdue: Vec<RetentionOverdue>,
    /// An incremental run's check 7: what it read again besides the new leaves, or why it
    /// walked the whole log (docs/CHECKS.md §Incremental runs). `None` in a full run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed: Option<String>,
}

/// A retention-policy record applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionPolicyApplied {
    pub leaf: u64,
    pub producer: String,
    pub seq: u64,
    pub policy_id: String,
    pub version: u64,
    pub rules: usize,
}

/// How many records are in each retention state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RetentionCounts {
    pub records_with_sealed_fields: u64,
    /// Records with at least one readable disclosure.
    pub with_disclosures: u64,
    /// Records with a missing disclosure, every missing one covered by a retention-deletion.
    pub erased_and_covered: u64,
    /// Records with a missing disclosure that no retention-deletion covers.
    pub erased_without_record: u64,
    pub held: u64,
    pub due: u64,
    pub overdue: u64,
    pub not_yet_deletable: u64,
    /// A cap's trigger has not happened.
    pub undetermined: u64,
    /// Minimum-versus-cap conflicts (one per record, cap and minimum).
    pub conflicts: u64,
    pub deletions_recorded: u64,
    /// Records (or policies, cases, holds) the retention core could not follow.
    pub not_followed: u64,
}

/// A record whose deletion is suspended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionHeld {
    pub leaf: u64,
    pub producer: String,
    pub seq: u64,
    /// `legal-hold`, or a cap's own condition.
    pub condition: String,
    /// Hold ids or case ids.
    pub sources: Vec<String>,
    /// The cap's due instant before the suspension, if determined (RFC 3339).
    pub cap_due: Option<String>,
}

/// A record kept too long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionOverdue {
    pub leaf: u64,
    pub producer: String,
    pub seq: u64,
    /// The governing cap, `id@version`.
    pub rule: String,
    /// RFC 3339 in the rule's time zone.
    pub deadline: String,
    pub deadline_ms: u64,
    /// How long past the deadline at `at`, e.g. `27d 23h`.
    pub late_by: String,
    pub late_by_ms: u64,
    pub fields: Vec<String>,
}

impl Report {
    /// Any violation found?
    pub fn has_violations(&self) -> bool {
        self.checks
            .iter()
            .any(|c| c.verdict == Some(Verdict::Violated))
    }

    /// The required checks that are not fully determined (did not run, or did not examine
    /// everything): with no violation, these alone make the exit status 1.
    pub fn required_not_determined(&self) -> Vec<Check> {
        self.checks
            .iter()
            .filter(|c| c.required && !c.determined)
            .map(|c| c.check)
            .collect()
    }

    /// The root causes of the findings (docs/CHECKS.md §Root causes).
    pub fn root_causes(&self) -> Vec<RootCause> {
        root_causes(self)
    }

    /// The JSON report (`logseal verify --json`): every field of the report, every finding,
    /// and the root causes that group them.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        let mut s = serde_json::to_string_pretty(&JsonReport {
            report: self,
            root_causes: self.root_causes(),
        })?;
        s.push('\n');
        Ok(s)
    }

    /// Findings of one code (kept ones).
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.code == code)
    }
}

/// Code of the finding that a required check is not fully determined.
pub const REQUIRED_UNDETERMINED: &str = "required-check-undetermined";

/// Collects findings with bounded memory.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    kept: Vec<Finding>,
    counts: BTreeMap<&'static str, CodeCount>,
    per_check: BTreeMap<Check, [u64; 3]>,
    /// Checks that ran but stopped short of examining everything, with the first reason.
    incomplete: BTreeMap<Check, String>,
    /// The checks the auditor requires (trust file and `--require`).
    required: Vec<Check>,
    /// What each check examined.
    examined: BTreeMap<Check, Examined>,
}

impl Findings {
    pub fn push(&mut self, f: Finding) {
        let c = self.counts.entry(f.code).or_default();
        c.total += 1;
        let slot = match f.verdict {
            Verdict::NotChecked | Verdict::Holds | Verdict::Notice => 0,
            Verdict::CannotBeDetermined => 1,
            Verdict::Violated => 2,
        };
        self.per_check.entry(f.check).or_default()[slot] += 1;
        if c.total as usize > MAX_FINDINGS_PER_CODE {
            c.suppressed += 1;
        } else {
            self.kept.push(f);
        }
    }

    /// `check` ran but did not examine everything: `why` (the first reason is kept).
    pub fn incomplete(&mut self, check: Check, why: impl Into<String>) {
        self.incomplete.entry(check).or_insert_with(|| why.into());
    }

    /// `check` examined `count` items of `what`; `why_none` says why when there were none
    /// (its verdict is then "not checked", unless it has findings).
    pub fn examined(
        &mut self,
        check: Check,
        count: u64,
        what: &'static str,
        why_none: impl Into<String>,
    ) {
        self.examined.insert(
            check,
            Examined {
                count,
                what,
                why_none: why_none.into(),
            },
        );
    }

    /// The checks whose being not fully determined makes the run fail (exit 1).
    pub fn require(&mut self, checks: impl IntoIterator<Item = Check>) {
        self.required.extend(checks);
    }

    /// Add every finding (and incompleteness) of `other`, as if pushed here.
    pub fn merge(&mut self, other: Findings) {
        for (check, n) in other.per_check {
            let mine = self.per_check.entry(check).or_default();
            for (m, o) in mine.iter_mut().zip(n) {
                *m += o;
            }
        }
        for f in other.kept {
            let c = self.counts.entry(f.code).or_default();
            if (c.total - c.suppressed) < MAX_FINDINGS_PER_CODE as u64 {
                self.kept.push(f);
            } else {
                c.suppressed += 1;
            }
            c.total += 1;
        }
        for (code, o) in other.counts {
            let c = self.counts.entry(code).or_default();
            c.total += o.suppressed;
            c.suppressed += o.suppressed;
        }
        for (check, why) in other.incomplete {
            self.incomplete(check, why);
        }
    }

    /// Every finding pushed, unless some were not kept (more than
    /// [`MAX_FINDINGS_PER_CODE`] of a code).
    pub fn all(&self) -> Option<&[Finding]> {
        self.counts
            .values()
            .all(|c| c.suppressed == 0)
            .then_some(&self.kept[..])
    }

    pub fn violations_in(&self, check: Check) -> u64 {
        self.per_check.get(&check).map_or(0, |c| c[2])
    }

    /// Finish: sort the findings into groups and summarise each check. `not_run` gives the
    /// checks that did not run and why. A required check that did not run or is incomplete
    /// gets a [`REQUIRED_UNDETERMINED`] finding (cannot be determined, with the reason).
    pub fn finish(
        mut self,
        not_run: &BTreeMap<Check, String>,
    ) -> (
        Vec<CheckSummary>,
        BTreeMap<&'static str, CodeCount>,
        Vec<Finding>,
    ) {
        let mut required = std::mem::take(&mut self.required);
        required.sort_unstable();
        required.dedup();
        for &check in &required {
            let (what, why) = match (not_run.get(&check), self.incomplete.get(&check)) {
                (Some(why), _) => ("did not run", why.clone()),
                (None, Some(why)) => ("was not completed", why.clone()),
                (None, None) => continue,
            };
            self.push(Finding::undetermined(
                check,
                REQUIRED_UNDETERMINED,
                format!(
                    "check {} is required (trust file require_checks or --require) but {what}: \
                     {why}",
                    check.number()
                ),
            ));
        }
        self.kept.sort_by(|a, b| {
            (a.check, b.verdict, a.code, a.leaf).cmp(&(b.check, a.verdict, b.code, b.leaf))
        });
        let checks = Check::ALL
            .iter()
            .map(|&check| {
                let [notices, undetermined, violations] =
                    self.per_check.get(&check).copied().unwrap_or_default();
                let reason = not_run.get(&check).cloned();
                let incomplete = if reason.is_none() {
                    self.incomplete.get(&check).cloned()
                } else {
                    None
                };
                let examined = reason
                    .is_none()
                    .then(|| self.examined.remove(&check))
                    .flatten();
                // Ran, examined nothing and found nothing: "not checked", with why.
                let not_checked = examined
                    .as_ref()
                    .filter(|e| e.count == 0 && notices + undetermined + violations == 0)
                    .map(|e| e.why_none.clone());
                // A required check that did not run is "cannot be determined" (its finding).
                let verdict = if reason.is_some() && violations == 0 && !required.contains(&check) {
                    None
                } else if violations > 0 {
                    Some(Verdict::Violated)
                } else if undetermined > 0 {
                    Some(Verdict::CannotBeDetermined)
                } else if notices > 0 {
                    Some(Verdict::Notice)
                } else if not_checked.is_some() {
                    Some(Verdict::NotChecked)
                } else {
                    Some(Verdict::Holds)
                };
                CheckSummary {
                    check,
                    title: check.title(),
                    verdict,
                    violations,
                    undetermined,
                    notices,
                    examined,
                    not_checked,
                    determined: reason.is_none() && incomplete.is_none(),
                    not_run: reason,
                    incomplete,
                    required: required.contains(&check),
                }
            })
            .collect();
        (checks, self.counts, self.kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &'static str) -> Finding {
        Finding::violated(Check::Retention, code, "m")
    }

    #[test]
    fn merge_counts_like_pushing_and_keeps_the_bound() {
        let mut a = Findings::default();
        let mut b = Findings::default();
        for _ in 0..150 {
            a.push(finding("x"));
        }
        for _ in 0..100 {
            b.push(finding("x"));
        }
        b.push(Finding::undetermined(Check::Tree, "y", "m"));
        b.incomplete(Check::Tree, "why");
        a.merge(b);
        a.require([Check::Tree]);
        assert_eq!(
            a.counts["x"],
            CodeCount {
                total: 250,
                suppressed: 50
            }
        );
        assert_eq!(a.violations_in(Check::Retention), 250);
        let (checks, counts, kept) = a.finish(&BTreeMap::new());
        assert_eq!(kept.iter().filter(|f| f.code == "x").count(), 200);
        assert_eq!(counts[REQUIRED_UNDETERMINED].total, 1);
        let tree = &checks[1];
        assert_eq!(
            (tree.required, tree.determined, tree.incomplete.as_deref()),
            (true, false, Some("why"))
        );
        assert_eq!(tree.verdict, Some(Verdict::CannotBeDetermined));
        assert!(checks[6].determined && !checks[6].required);
    }
}
