//! Root causes (docs/CHECKS.md §Root causes): findings that one fault explains, grouped so
//! that a report leads with the fault and not with its consequences — one rewrite seen at N
//! stored checkpoints, one corrupt tile or entry bundle, one gap in a producer's chain and
//! what follows from it, one missing auditor state.
//!
//! Owns the grouping rules only. Every finding stays in the report (and in `--json`), and the
//! exit status counts every one: a root cause is a reading aid, never a filter. Pure: reads
//! the report's findings, returns the groups.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::{Finding, Report, Verdict};
use crate::tiles::TILE_WIDTH;

/// Items (sizes, leaves, seqs) named in a root cause.
pub const FIRST_ITEMS: usize = 5;

/// One fault and the findings it explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootCause {
    /// Stable code (docs/CHECKS.md §Root causes).
    pub code: &'static str,
    /// The worst verdict among the findings grouped.
    pub verdict: Verdict,
    /// How many items the fault shows at (`what`).
    pub count: u64,
    /// `checkpoints`, `leaves`, `records missing`, `producers`.
    pub what: &'static str,
    /// The first few items (checkpoint sizes, leaves, seqs), ascending.
    pub first: Vec<u64>,
    pub message: String,
    /// Indices in [`Report::findings`] of the findings grouped here.
    pub findings: Vec<usize>,
    /// The codes grouped, with how many findings of each.
    pub codes: BTreeMap<&'static str, u64>,
}

/// Findings about one stored tree object (a hash tile or an entry bundle).
const TREE_OBJECT: [&str; 6] = [
    "tree-tile-mismatch",
    "tree-tile-missing",
    "tree-object-not-regular",
    "tree-bundle-mismatch",
    "tree-bundle-malformed",
    "tree-entries-missing",
];
/// Findings about a record that a corrupt entry at its leaf explains.
const RECORD_AT: [&str; 3] = ["record-signature", "record-malformed", "chain-undetermined"];
/// Findings that a gap in a producer's chain explains (besides the references to it).
const AFTER_GAP: [&str; 2] = ["heartbeat-undetermined", "chain-prev-mismatch"];
/// The codes of one history rewrite.
const REWRITE: [&str; 2] = ["checkpoint-history-inconsistent", "checkpoint-inconsistent"];
/// Check 7's finding for disclosures stored under other leaves than their records'.
pub const SHIFT: &str = "retention-disclosure-shift";
const NO_STATE: &str = "checkpoint-no-auditor-state";
const NO_HISTORY: &str = "checkpoint-history-absent";
const DELAY_UNDETERMINED: &str = "time-logging-delay-undetermined";

/// Which findings are already grouped, and the groups.
struct Grouping<'a> {
    findings: &'a [Finding],
    taken: Vec<bool>,
    causes: Vec<RootCause>,
}

impl<'a> Grouping<'a> {
    fn free(&self) -> impl Iterator<Item = (usize, &'a Finding)> + '_ {
        let findings = self.findings;
        findings
            .iter()
            .enumerate()
            .filter(move |(i, _)| !self.taken[*i])
    }

    fn free_with(&self, codes: &[&str]) -> Vec<usize> {
        self.free()
            .filter(|(_, f)| codes.contains(&f.code))
            .map(|(i, _)| i)
            .collect()
    }

    /// Group `members` (not yet taken) under a new root cause.
    fn push(
        &mut self,
        code: &'static str,
        (count, what): (u64, &'static str),
        first: Vec<u64>,
        message: String,
        members: Vec<usize>,
    ) {
        let mut members: Vec<usize> = members.into_iter().filter(|&i| !self.taken[i]).collect();
        members.sort_unstable();
        members.dedup();
        let mut codes = BTreeMap::new();
        let mut verdict = Verdict::Notice;
        for &i in &members {
            self.taken[i] = true;
            *codes.entry(self.findings[i].code).or_insert(0) += 1;
            verdict = verdict.max(self.findings[i].verdict);
        }
        self.causes.push(RootCause {
            code,
            verdict,
            count,
            what,
            first: first.into_iter().take(FIRST_ITEMS).collect(),
            message,
            findings: members,
            codes,
        });
    }
}

impl Grouping<'_> {
    /// Add `members` (not yet taken) to root cause `k`, saying so in its message.
    fn join(&mut self, k: usize, members: Vec<usize>, note: &str) {
        let c = &mut self.causes[k];
        for i in members {
            if self.taken[i] {
                continue;
            }
            self.taken[i] = true;
            c.findings.push(i);
            *c.codes.entry(self.findings[i].code).or_insert(0) += 1;
            c.verdict = c.verdict.max(self.findings[i].verdict);
        }
        c.findings.sort_unstable();
        c.message.push_str(note);
    }
}

/// The root causes of `r`'s findings, the most serious first (violated before undetermined,
/// then by how many findings each explains).
pub fn root_causes(r: &Report) -> Vec<RootCause> {
    group(&r.findings, r.tree_size)
}

/// [`root_causes`] of `findings` in a tree of `tree_size`.
fn group(findings: &[Finding], tree_size: Option<u64>) -> Vec<RootCause> {
    let mut g = Grouping {
        findings,
        taken: vec![false; findings.len()],
        causes: Vec::new(),
    };
    corrupt_objects(&mut g, tree_size);
    for gap in g.free_with(&["chain-seq-gap"]) {
        chain_gap(&mut g, gap);
    }
    shifts(&mut g);
    no_state(&mut g);
    rewrite(&mut g);
    let mut causes = g.causes;
    causes.sort_by(|a, b| {
        (b.verdict, b.findings.len(), a.first.first()).cmp(&(
            a.verdict,
            a.findings.len(),
            b.first.first(),
        ))
    });
    causes
}

/// `1497, 1619, 1741, …` (the first items, and an ellipsis when there are more).
pub fn first_text(first: &[u64], count: u64) -> String {
    let mut s = first
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if first.len() >= FIRST_ITEMS && count > first.len() as u64 {
        s.push_str(", …");
    }
    s
}

/// The stored object a tree finding names (`tile/0/005`, `tile/entries/005`).
fn object_name(message: &str) -> Option<&str> {
    ["hash tile ", "entry bundle "].iter().find_map(|p| {
        let rest = &message[message.find(p)? + p.len()..];
        let end = rest.find([':', ' ', ',']).unwrap_or(rest.len());
        Some(&rest[..end])
    })
}

/// One corrupt tile or entry bundle: the tree findings over the leaves of one entry bundle,
/// the records at the leaves they name that did not verify, the chain gaps those records
/// leave, and the root mismatch when it is the only corrupt object.
fn corrupt_objects(g: &mut Grouping<'_>, tree_size: Option<u64>) {
    let width = u64::from(TILE_WIDTH);
    let mut by_bundle: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for i in g.free_with(&TREE_OBJECT) {
        if let Some(leaf) = g.findings[i].leaf {
            by_bundle.entry(leaf / width).or_default().push(i);
        }
    }
    let single = by_bundle.len() == 1;
    for (bundle, objects) in by_bundle {
        let start = bundle * width;
        let end = tree_size.map_or(start + width, |s| s.clamp(start + 1, start + width));
        let leaves: BTreeSet<u64> = objects.iter().filter_map(|&i| g.findings[i].leaf).collect();
        let names: BTreeSet<&str> = objects
            .iter()
            .filter_map(|&i| object_name(&g.findings[i].message))
            .collect();
        let mut members = objects.clone();
        let mut lost: Vec<(String, u64)> = Vec::new();
        for (i, f) in g.free() {
            let at = f.leaf.is_some_and(|l| leaves.contains(&l));
            let inside = f.leaf.is_some_and(|l| (start..end).contains(&l));
            if (at && RECORD_AT.contains(&f.code))
                || (inside && f.code == "retention-entries-unauthenticated")
            {
                members.push(i);
                if let (Some(p), Some(s)) = (&f.producer, f.seq) {
                    lost.push((p.clone(), s));
                }
            }
        }
        if single {
            members.extend(g.free_with(&["tree-root-mismatch"]));
        }
        // The chain gaps the records left out leave, and what follows from them.
        for gap in g.free_with(&["chain-seq-gap"]) {
            let f = &g.findings[gap];
            let (a, b) = gap_range(f);
            if lost
                .iter()
                .any(|(p, s)| f.producer.as_ref() == Some(p) && (a..b).contains(s))
            {
                members.extend(gap_members(g, gap));
            }
        }
        let names: Vec<&str> = names.into_iter().collect();
        let count = end - start;
        g.push(
            "corrupt-tile",
            (count, "leaves"),
            leaves.iter().copied().collect(),
            format!(
                "the entries and the hash tiles over leaves {start}..{} ({}) disagree: one \
                 corrupt tile or entry bundle, {count} leaves under it, first finding at leaf {}",
                end - 1,
                names.join(", "),
                leaves.first().copied().unwrap_or(start)
            ),
            members,
        );
    }
}

/// The missing seqs `[a, b)` of a `chain-seq-gap` (its seq, and the seq its evidence found).
fn gap_range(f: &Finding) -> (u64, u64) {
    let a = f.seq.unwrap_or(0);
    let b = f
        .found
        .as_deref()
        .and_then(|s| s.strip_prefix("seq "))
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|&b| b > a)
        .unwrap_or(a + 1);
    (a, b)
}

/// `references P seq S, …`: the reference a `ref-*` finding names.
fn reference(f: &Finding) -> Option<(&str, u64)> {
    let rest = f.message.strip_prefix("references ")?;
    let (producer, rest) = rest.split_once(" seq ")?;
    let seq = rest.split(|c: char| !c.is_ascii_digit()).next()?;
    Some((producer, seq.parse().ok()?))
}

/// A gap and the findings that follow from it: the producer's heartbeats it leaves
/// uncountable (until its next gap), references to the missing records.
fn gap_members(g: &Grouping<'_>, gap: usize) -> Vec<usize> {
    let f = &g.findings[gap];
    let (a, b) = gap_range(f);
    let (producer, leaf) = (f.producer.as_deref(), f.leaf.unwrap_or(0));
    let next_gap = g
        .free()
        .filter(|(_, o)| o.code == "chain-seq-gap" && o.producer.as_deref() == producer)
        .filter_map(|(_, o)| o.leaf)
        .filter(|&l| l > leaf)
        .min()
        .unwrap_or(u64::MAX);
    let mut members = vec![gap];
    for (i, o) in g.free() {
        let after = o.leaf.is_some_and(|l| l >= leaf && l < next_gap);
        let follows = AFTER_GAP.contains(&o.code) && o.producer.as_deref() == producer && after;
        let refers = matches!(o.code, "ref-missing" | "ref-hash-mismatch")
            && reference(o).is_some_and(|(p, s)| Some(p) == producer && (a..b).contains(&s));
        if follows || refers {
            members.push(i);
        }
    }
    members
}

/// A gap in a producer's chain (records removed or lost) and what follows from it.
fn chain_gap(g: &mut Grouping<'_>, gap: usize) {
    if g.taken[gap] {
        return;
    }
    let f = &g.findings[gap];
    let (a, b) = gap_range(f);
    let producer = f.producer.clone().unwrap_or_default();
    let leaf = f.leaf.unwrap_or(0);
    let members = gap_members(g, gap);
    let derived = members.len() - 1;
    g.push(
        "chain-gap",
        (b - a, "records missing"),
        (a..b).take(FIRST_ITEMS).collect(),
        format!(
            "{producer}: {} record(s) missing (seq {a}{}) before leaf {leaf}{}",
            b - a,
            if b - a > 1 {
                format!("..{}", b - 1)
            } else {
                String::new()
            },
            if derived > 0 {
                format!("; {derived} more finding(s) follow from the gap")
            } else {
                String::new()
            }
        ),
        members,
    );
}

/// Check 7's findings that a disclosure shift explains after it: retention-deletion records
/// name leaves by index, so every record the shift moved is under another deletion's target.
const AFTER_SHIFT: [&str; 4] = [
    "retention-deletion-not-done",
    "retention-deletion-without-record",
    "retention-premature-deletion",
    "retention-deletion-rule-mismatch",
];

/// Disclosures stored under shifted leaves, with the deletion findings after the shift's
/// first leaf (until the next shift): under the chain gap nearest to where the shift starts
/// (the records removed), else a root cause of its own.
fn shifts(g: &mut Grouping<'_>) {
    let all = g.free_with(&[SHIFT]);
    let starts: Vec<u64> = all.iter().filter_map(|&i| g.findings[i].leaf).collect();
    for &s in &all {
        let leaf = g.findings[s].leaf.unwrap_or(0);
        let until = starts.iter().copied().filter(|&l| l > leaf).min();
        let mut members = vec![s];
        members.extend(g.free().filter_map(|(i, f)| {
            let after = f
                .leaf
                .is_some_and(|l| l >= leaf && until.is_none_or(|u| l < u));
            (after && AFTER_SHIFT.contains(&f.code)).then_some(i)
        }));
        // The gap nearest to where the shift starts.
        let findings = g.findings;
        let under = g
            .causes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.code == "chain-gap")
            .filter_map(|(k, c)| Some((findings[*c.findings.first()?].leaf?.abs_diff(leaf), k)))
            .min()
            .map(|(_, k)| k);
        match under {
            Some(k) => {
                let note = format!(
                    "; the disclosures of the records after it are stored shifted ({} \
                     finding(s) of check 7)",
                    members.len()
                );
                g.join(k, members, &note);
            }
            None => {
                let message = g.findings[s].message.clone();
                g.push(
                    "disclosures-shifted",
                    (1, "shifts"),
                    vec![leaf],
                    message,
                    members,
                );
            }
        }
    }
}

/// No earlier view of the log: the auditor keeps no state (and the log may publish no
/// checkpoint history), so no earlier checkpoint is known and no logging delay determined.
fn no_state(g: &mut Grouping<'_>) {
    let state = g.free_with(&[NO_STATE]);
    let delays = g.free_with(&[DELAY_UNDETERMINED]);
    if state.is_empty() || delays.is_empty() {
        return;
    }
    let history = g.free_with(&[NO_HISTORY]);
    let first: BTreeSet<u64> = delays.iter().filter_map(|&i| g.findings[i].leaf).collect();
    let n = delays.len() as u64;
    g.push(
        "no-auditor-state",
        (n, "producers"),
        first.into_iter().collect(),
        format!(
            "no auditor state (a first run, or no --state){}: no earlier checkpoint is known, \
             so the logging delay of {n} producer(s)' records cannot be determined",
            if history.is_empty() {
                ""
            } else {
                " and no published checkpoint history"
            }
        ),
        state.into_iter().chain(history).chain(delays).collect(),
    );
}

/// One rewrite of history seen at N stored checkpoints (the log's own history, the auditor's
/// state); the logging delays it leaves undetermined (no stored checkpoint is usable).
fn rewrite(g: &mut Grouping<'_>) {
    let members = g.free_with(&REWRITE);
    if members.is_empty() {
        return;
    }
    let sizes: BTreeSet<u64> = members.iter().filter_map(|&i| g.findings[i].size).collect();
    let n = sizes.len() as u64;
    let first: Vec<u64> = sizes.into_iter().collect();
    let delays = g.free_with(&[DELAY_UNDETERMINED]);
    g.push(
        "history-rewritten",
        (n, "checkpoints"),
        first.clone(),
        format!(
            "history rewritten: the published tree is not an extension of {n} stored \
             checkpoint(s) the log signed or the auditor kept (sizes {}): a leaf before size \
             {} was changed, removed or inserted{}",
            first_text(&first[..first.len().min(FIRST_ITEMS)], n),
            first.first().copied().unwrap_or(0),
            if delays.is_empty() {
                ""
            } else {
                "; no stored checkpoint is usable to judge logging delays after it"
            }
        ),
        members.into_iter().chain(delays).collect(),
    );
}

#[cfg(test)]
mod tests {
    use super::super::Check;
    use super::*;

    fn v(check: Check, code: &'static str) -> Finding {
        Finding::violated(check, code, "m")
    }

    fn codes(c: &RootCause) -> Vec<(&'static str, u64)> {
        c.codes.iter().map(|(k, n)| (*k, *n)).collect()
    }

    #[test]
    fn one_rewrite_at_many_checkpoints_is_one_root_cause() {
        let mut findings: Vec<Finding> = [1619, 1497, 1741]
            .into_iter()
            .map(|s| v(Check::Checkpoints, "checkpoint-history-inconsistent").checkpoint_size(s))
            .collect();
        findings.push(v(Check::Checkpoints, "checkpoint-inconsistent").checkpoint_size(1497));
        findings.push(v(Check::Records, "record-signature").at(5));
        let causes = group(&findings, Some(2000));
        assert_eq!(causes.len(), 1);
        let c = &causes[0];
        assert_eq!(
            (c.code, c.count, c.first.clone()),
            ("history-rewritten", 3, vec![1497, 1619, 1741])
        );
        assert_eq!(c.findings, vec![0, 1, 2, 3]);
        assert!(
            c.message.contains("a leaf before size 1497"),
            "{}",
            c.message
        );
    }

    #[test]
    fn a_gap_groups_what_follows_from_it_and_the_shift_after_it() {
        let gap = v(Check::Completeness, "chain-gap-x");
        assert_eq!(group(&[gap], None), vec![]);
        let findings = vec![
            v(Check::Completeness, "chain-seq-gap")
                .at(100)
                .record("qf", 11)
                .evidence("seq 11", "seq 13"),
            Finding::undetermined(Check::Completeness, "heartbeat-undetermined", "m")
                .at(150)
                .record("qf", 20),
            // Another producer's heartbeat, and one before the gap: not the gap's.
            Finding::undetermined(Check::Completeness, "heartbeat-undetermined", "m")
                .at(150)
                .record("other", 20),
            Finding::undetermined(Check::Completeness, "heartbeat-undetermined", "m")
                .at(50)
                .record("qf", 5),
            v(Check::Completeness, "ref-missing")
                .at(160)
                .record("b", 1)
                .evidence("x", "y"),
            Finding::violated(
                Check::Completeness,
                "ref-missing",
                "references qf seq 12, which is not in the log",
            )
            .at(170),
            v(Check::Retention, SHIFT).at(99),
            v(Check::Retention, "retention-deletion-not-done").at(300),
            v(Check::Retention, "retention-deletion-not-done").at(10),
        ];
        let causes = group(&findings, None);
        assert_eq!(causes.len(), 1, "{causes:?}");
        let c = &causes[0];
        assert_eq!(
            (c.code, c.count, c.first.clone()),
            ("chain-gap", 2, vec![11, 12])
        );
        assert_eq!(c.findings, vec![0, 1, 5, 6, 7]);
        assert_eq!(
            codes(c),
            vec![
                ("chain-seq-gap", 1),
                ("heartbeat-undetermined", 1),
                ("ref-missing", 1),
                ("retention-deletion-not-done", 1),
                (SHIFT, 1)
            ]
        );
    }

    #[test]
    fn one_corrupt_tile_is_one_cause_with_the_leaves_under_it() {
        let findings = vec![
            Finding::violated(
                Check::Tree,
                "tree-tile-mismatch",
                "hash tile tile/0/005: hash 3 is not the one recomputed from the entries",
            )
            .at(1283),
            Finding::violated(
                Check::Tree,
                "tree-tile-mismatch",
                "hash tile tile/1/000.p/14: hash 5 is not the one recomputed from the entries",
            )
            .at(1280),
            v(Check::Records, "record-signature")
                .at(1283)
                .record("qf", 7),
            v(Check::Records, "record-signature")
                .at(1290)
                .record("qf", 9),
            v(Check::Completeness, "chain-seq-gap")
                .at(1284)
                .record("qf", 7)
                .evidence("seq 7", "seq 8"),
            v(Check::Tree, "tree-root-mismatch"),
        ];
        let causes = group(&findings, Some(1300));
        let c = &causes[0];
        assert_eq!(
            (c.code, c.count, c.first.clone()),
            ("corrupt-tile", 20, vec![1280, 1283])
        );
        assert_eq!(c.findings, vec![0, 1, 2, 4, 5]);
        assert!(
            c.message
                .contains("leaves 1280..1299 (tile/0/005, tile/1/000.p/14)"),
            "{}",
            c.message
        );
        // The record at a leaf no tree finding names is not the tile's.
        assert_eq!(causes.len(), 1);
    }

    #[test]
    fn no_state_groups_the_delays_it_leaves_undetermined() {
        let findings = vec![
            Finding::undetermined(Check::Checkpoints, NO_STATE, "m"),
            Finding::undetermined(Check::Ordering, DELAY_UNDETERMINED, "m")
                .at(3)
                .producer("a"),
            Finding::undetermined(Check::Ordering, DELAY_UNDETERMINED, "m")
                .at(1)
                .producer("b"),
        ];
        let causes = group(&findings, None);
        assert_eq!(causes.len(), 1);
        assert_eq!(
            (causes[0].code, causes[0].count, causes[0].first.clone()),
            ("no-auditor-state", 2, vec![1, 3])
        );
        assert_eq!(causes[0].verdict, Verdict::CannotBeDetermined);
        // Alone, it explains nothing more: no root cause.
        assert!(group(&findings[..1], None).is_empty());
    }
}
