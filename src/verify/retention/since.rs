//! Check 7 resumed (docs/CHECKS.md §Incremental runs): what a `--since` run reads besides
//! the new leaves, and what it carries over to the next one ([`RetentionResume`]).
//!
//! An incremental run feeds the retention core, in leaf order: the structural records of
//! the resume point's leaves (policies, case statuses, notifications, sanctions, holds: the
//! core is rebuilt from them), the records of the deadline-index entries that fell due
//! since (their `recheck_ms` reached) or that a new retention-deletion may name (its target
//! range meets the entry's), and every new leaf. Every other record before the resume point
//! counts as the state says: settled records and the entries not read again add their
//! counts, and check 7's earlier findings about them are carried over. A new case status,
//! notification or hold changes only the records it names: their entries are read again too.
//! It walks the whole log instead (and says why) when the state carries no check-7 resume
//! point, when it was stored for another grace, policy authority or a later reference time,
//! when a new case status or notification names an old record outside the index (its event
//! may change how an old deletion was judged), when check 3 left out a record before the
//! resume point, when the new deletions, events and holds name more than the bound, or when
//! an entry read again does not hold the records it counts.
//!
//! Every leaf read before the resume point is authenticated by an inclusion proof against
//! the checkpoint's root; every new leaf too. A leaf not proven makes the run walk the whole
//! log, whose pass tells an altered bundle (`tree-bundle-mismatch`) from altered tiles
//! (`tree-reread-root-mismatch`). Memory: the state's bounds
//! ([`MAX_RETENTION_ENTRIES`], [`MAX_RETENTION_REREAD`]) and the records fed.

use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::record::Record;
use crate::record::kinds::Body;
use crate::record::kinds::retention_deletion::{RangeType, Target};
use crate::record::types::Hash32;
use crate::tiles::{self, EntryBundleId};
use crate::tree;

use super::super::report::{Check, Finding, Findings, RetentionCounts, Verdict};
use super::super::state::{
    CarriedFinding, MAX_RETENTION_ENTRIES, MAX_RETENTION_REREAD, RetentionEntry, RetentionResume,
};
use super::{Fed, Input, Judged, Recheck};

/// Codes of check 7's findings about a policy (recomputed by every run from the structural
/// records, never carried over).
const POLICY_CODES: [&str; 2] = ["retention-policy-unauthorised", "retention-policy-unpinned"];

/// Every code check 7 reports, to read carried findings back.
const CODES: [&str; 20] = [
    "retention-conflict",
    "retention-declared-rule-mismatch",
    "retention-deleted-late",
    "retention-deleted-under-hold",
    "retention-deletion-future-dated",
    "retention-deletion-not-done",
    "retention-deletion-rule-mismatch",
    "retention-deletion-without-record",
    "retention-disclosure-lost",
    "retention-disclosure-mismatch",
    "retention-due",
    "retention-entries-unauthenticated",
    "retention-hold-without-override-rule",
    "retention-kept-too-long",
    "retention-no-rule",
    "retention-policy-unauthorised",
    "retention-policy-unpinned",
    "retention-premature-deletion",
    "retention-rule-undeclared",
    "retention-undetermined",
];

/// Bucket of a recheck instant: records of one producer falling due on the same day share
/// an entry.
const BUCKET_MS: u64 = 86_400_000;

/// What an incremental run resumed from, and what it read again.
pub(in crate::verify) struct Resumed<'a> {
    resume: &'a RetentionResume,
    /// Aligned with `resume.entries`: read again in this run.
    selected: Vec<bool>,
    /// Leaves before the resume point fed in this run.
    reread: BTreeSet<u64>,
}

impl Resumed<'_> {
    /// What the run read again, for the report.
    pub(super) fn text(&self, from: u64) -> String {
        let entries = self.selected.iter().filter(|&&s| s).count();
        format!(
            "resumed at leaf {from}: besides the new leaves, {} record(s) before it read again \
             ({} the retention core is built from, the rest from {entries} of {} deadline-index \
             entries that fell due or that a new retention-deletion may name)",
            self.reread.len(),
            self.resume.structural.len(),
            self.resume.entries.len()
        )
    }

    /// Add the counts and findings of the records not read again.
    pub(super) fn add_carried(&self, counts: &mut RetentionCounts, out: &mut Findings) {
        let r = self.resume;
        counts.records_with_sealed_fields += r.settled[0];
        counts.erased_and_covered += r.settled[1];
        counts.deletions_recorded += r.deletions_recorded;
        for (e, _) in r.entries.iter().zip(&self.selected).filter(|(_, s)| !**s) {
            counts.records_with_sealed_fields += e.counts[0];
            counts.with_disclosures += e.counts[1];
            counts.not_yet_deletable += e.counts[2];
            counts.erased_without_record += e.counts[3];
        }
        for f in &r.findings {
            if f.leaf.is_some_and(|l| self.reread.contains(&l)) {
                continue;
            }
            if let Some(f) = restore(f) {
                out.push(f);
            }
        }
    }
}

fn restore(f: &CarriedFinding) -> Option<Finding> {
    let code = CODES.iter().find(|c| **c == f.code)?;
    let verdict = [
        Verdict::Notice,
        Verdict::CannotBeDetermined,
        Verdict::Violated,
    ]
    .into_iter()
    .find(|v| v.name() == f.verdict)?;
    let mut g = Finding::new(Check::Retention, code, verdict, f.message.clone());
    g.leaf = f.leaf;
    g.producer = f.producer.clone();
    g.seq = f.seq;
    g.expected = f.expected.clone();
    g.found = f.found.clone();
    Some(g)
}

fn carried(f: &Finding) -> CarriedFinding {
    CarriedFinding {
        code: f.code.to_owned(),
        verdict: f.verdict.name().to_owned(),
        leaf: f.leaf,
        producer: f.producer.clone(),
        seq: f.seq,
        expected: f.expected.clone(),
        found: f.found.clone(),
        message: f.message.clone(),
    }
}

/// Whether `t` may name a record of entry `e` (ranges meet; field patterns not looked at).
fn may_name(t: &Target, e: &RetentionEntry) -> bool {
    let meets = |[lo, hi]: [u64; 2]| t.first <= t.last && t.first <= hi && lo <= t.last;
    match t.range {
        RangeType::Leaf => meets(e.leaves),
        RangeType::Seq => {
            t.producer
                .as_ref()
                .is_some_and(|p| p.as_str() == e.producer)
                && meets(e.seqs)
        }
    }
}

/// The incremental pass. `Ok(Err(why))`: it cannot resume (the caller walks the whole log);
/// `Err`: check 7 cannot run.
#[allow(clippy::type_complexity)]
pub(super) fn feed<'a>(
    input: &Input<'a>,
    from: u64,
    resume: Result<&'a RetentionResume, Option<&'a str>>,
    out: &mut Findings,
) -> Result<Result<(Fed<'a>, Resumed<'a>), String>, String> {
    let resume = match resume {
        Ok(r) => r,
        Err(Some(why)) => {
            return Ok(Err(format!(
                "the auditor's state carries no check-7 resume point: the run that stored it \
                 could not carry check 7 over: {why}"
            )));
        }
        Err(None) => {
            return Ok(Err(
                "the auditor's state carries no check-7 resume point (stored by a \
                           run without the private part, or by an earlier version)"
                    .into(),
            ));
        }
    };
    let authority = input.trust.retention_policy_authority.as_ref();
    if resume.grace_ms != input.grace.as_millis() as u64
        || resume.policy_authority.as_deref() != authority.map(|a| a.as_str())
    {
        return Ok(Err(
            "the check-7 resume point was stored for another grace or policy authority".into(),
        ));
    }
    if input.at.0 < resume.at_ms {
        return Ok(Err(format!(
            "the reference time is before that of the run that stored the check-7 resume \
             point ({})",
            crate::record::types::Timestamp(resume.at_ms).to_rfc3339()
        )));
    }
    if let Some(l) = input.skip.iter().filter(|&&l| l < from).min() {
        return Ok(Err(format!(
            "the record at leaf {l}, before the resume point, is no longer authentic (check \
             3): the records before it count differently"
        )));
    }
    // The new leaves' deletions, to know which entries they may name.
    let mut targets: Vec<Target> = Vec::new();
    // Records before the resume point that new events or holds name: (producer, seq, whether
    // a record outside the index may be judged differently, the naming leaf).
    let mut named: Vec<(String, u64, bool, u64)> = Vec::new();
    // Per producer, the first seq among the new leaves: a lower one is before the resume point.
    let mut first_new: HashMap<String, u64> = HashMap::new();
    let stop = each(input, from, input.size, &mut |leaf, _, rec| {
        let Some(rec) = rec else { return Ok(None) };
        let p = rec.payload();
        first_new.entry(p.producer.to_string()).or_insert(p.seq);
        // Events count by their own time, so they may change how an old deletion is judged;
        // holds count by log order, so they change only placements and later deletions.
        let refs: Vec<(&crate::record::types::RecordRef, bool)> = match &p.body {
            Body::CaseStatus(b) => b.scope.iter().map(|r| (r, true)).collect(),
            Body::Notification(b) => vec![(&b.sanction, true)],
            Body::LegalHold(b) => b.scope.iter().map(|r| (r, false)).collect(),
            _ => Vec::new(),
        };
        for (r, timed) in refs {
            let new = (first_new.get(r.producer.as_str())).is_some_and(|&f| r.seq >= f);
            if !new {
                named.push((r.producer.to_string(), r.seq, timed, leaf));
            }
        }
        if let Body::RetentionDeletion(d) = &p.body {
            targets.extend(d.targets.iter().cloned());
        }
        if targets.len() + named.len() > MAX_RETENTION_REREAD {
            return Ok(Some(format!(
                "the new retention-deletions, events and holds name more than \
                 {MAX_RETENTION_REREAD} targets and records"
            )));
        }
        Ok(None)
    })?;
    if let Some(why) = stop {
        return Ok(Err(why));
    }
    let at = input.at.0;
    let mut selected: Vec<bool> = resume
        .entries
        .iter()
        .map(|e| e.recheck_ms.is_some_and(|t| t <= at) || targets.iter().any(|t| may_name(t, e)))
        .collect();
    // Events naming an old record outside the index: allowed only if it is structural (read
    // again below, so judged afresh); checked once the structural records are read.
    let mut unheld: Vec<(&str, u64, u64)> = Vec::new();
    for (producer, seq, timed, leaf) in &named {
        let holding = resume
            .entries
            .iter()
            .position(|e| e.producer == *producer && (e.seqs[0]..=e.seqs[1]).contains(seq));
        match holding {
            Some(i) => selected[i] = true,
            None if *timed => unheld.push((producer, *seq, *leaf)),
            None => {}
        }
    }
    let mut structural_ids: HashSet<(String, u64)> = HashSet::new();
    let structural: BTreeSet<u64> = resume.structural.iter().copied().collect();
    // Entries read again, by producer: (index, entry).
    let mut by_producer: HashMap<&str, Vec<(usize, &RetentionEntry)>> = HashMap::new();
    for (i, e) in resume
        .entries
        .iter()
        .enumerate()
        .filter(|(i, _)| selected[*i])
    {
        by_producer
            .entry(e.producer.as_str())
            .or_default()
            .push((i, e));
    }
    let mut bundles: BTreeSet<u64> = structural.iter().map(|l| l >> tiles::TILE_HEIGHT).collect();
    for v in by_producer.values() {
        for (_, e) in v {
            let [lo, hi] = e.leaves;
            bundles.extend((lo >> tiles::TILE_HEIGHT)..=(hi >> tiles::TILE_HEIGHT));
        }
    }
    let mut fed = Fed::new(input);
    fed.sources = true;
    let mut reread = BTreeSet::new();
    let mut found = vec![0u64; resume.entries.len()];
    for index in bundles {
        let lo = index << tiles::TILE_HEIGHT;
        let hi = (lo + u64::from(tiles::TILE_WIDTH)).min(from);
        let stop = each(input, lo, hi, &mut |leaf, hash, rec| {
            let wanted_structural = structural.contains(&leaf);
            let entry = rec.as_ref().and_then(|rec| {
                let p = rec.payload();
                if wanted_structural || p.sealed.is_empty() {
                    return None;
                }
                let v = by_producer.get(p.producer.as_str())?;
                v.iter().find(|(_, e)| {
                    (e.seqs[0]..=e.seqs[1]).contains(&p.seq)
                        && (e.leaves[0]..=e.leaves[1]).contains(&leaf)
                })
            });
            if !wanted_structural && entry.is_none() {
                return Ok(None);
            }
            let Some(rec) = rec else {
                return Ok(Some(format!(
                    "the record at leaf {leaf}, which the check-7 resume point names, does not \
                     decode"
                )));
            };
            if let Some(why) = unproven(input, leaf, &hash) {
                return Ok(Some(why));
            }
            if let Some((i, _)) = entry {
                found[*i] += 1;
            }
            reread.insert(leaf);
            if wanted_structural {
                let p = rec.payload();
                structural_ids.insert((p.producer.to_string(), p.seq));
            }
            fed.record(leaf, hash, &rec, entry.map(|(i, _)| *i), out)?;
            Ok(None)
        })?;
        if let Some(why) = stop {
            return Ok(Err(why));
        }
    }
    let outside = unheld
        .iter()
        .find(|(p, s, _)| !structural_ids.contains(&((*p).to_owned(), *s)));
    if let Some((producer, seq, leaf)) = outside {
        return Ok(Err(format!(
            "the new record at leaf {leaf} names {producer}#{seq}, a record before the resume \
             point that neither the deadline index nor the structural records hold (a settled \
             record, or one without sealed fields): its event may change how an old deletion \
             is judged"
        )));
    }
    if let Some((i, e)) =
        (resume.entries.iter().enumerate()).find(|(i, e)| selected[*i] && found[*i] != e.counts[0])
    {
        return Ok(Err(format!(
            "deadline-index entry {i} ({} seqs {}..{}) counts {} record(s), {} were found",
            e.producer, e.seqs[0], e.seqs[1], e.counts[0], found[i]
        )));
    }
    let stop = each(input, from, input.size, &mut |leaf, hash, rec| {
        if let Some(rec) = rec {
            if let Some(why) = unproven(input, leaf, &hash) {
                return Ok(Some(why));
            }
            fed.record(leaf, hash, &rec, None, out)?;
        }
        Ok(None)
    })?;
    if let Some(why) = stop {
        return Ok(Err(why));
    }
    let resumed = Resumed {
        resume,
        selected,
        reread,
    };
    Ok(Ok((fed, resumed)))
}

/// Visit the records of leaves `[lo, hi)` in order, decoded (`None`: left out by check 3,
/// or not decodable), a bundle at a time. `f` returns `Some(why)` to stop: it is returned.
fn each(
    input: &Input<'_>,
    lo: u64,
    hi: u64,
    f: &mut dyn FnMut(u64, Hash32, Option<Record>) -> Result<Option<String>, String>,
) -> Result<Option<String>, String> {
    let alg = input.trust.alg;
    let mut index = lo >> tiles::TILE_HEIGHT;
    while index << tiles::TILE_HEIGHT < hi {
        let first = index << tiles::TILE_HEIGHT;
        let width = (input.size - first).min(u64::from(tiles::TILE_WIDTH));
        let b = EntryBundleId::new(index, width as u16).map_err(|e| e.to_string())?;
        let entries = input
            .reader
            .bundle(b)
            .map_err(|e| format!("the public part cannot be read again: {e}"))?;
        let leaves: Vec<tree::Hash> = entries.par_iter().map(|e| alg.leaf(e)).collect();
        for (leaf, hash, rec) in super::decode(&entries, &leaves, first, input.skip) {
            if (lo..hi).contains(&leaf)
                && let Some(why) = f(leaf, hash, rec)?
            {
                return Ok(Some(why));
            }
        }
        index += 1;
    }
    Ok(None)
}

/// Whether the leaf read at `leaf` is proven by an inclusion proof to be in the checkpoint's
/// tree; `Some(why)` when not (the caller walks the whole log, which tells an altered bundle
/// from altered tiles).
fn unproven(input: &Input<'_>, leaf: u64, hash: &Hash32) -> Option<String> {
    let ok = input
        .reader
        .inclusion_proof(input.size, leaf)
        .is_ok_and(|p| {
            input
                .trust
                .alg
                .verify_inclusion(leaf, input.size, &hash.0, &p, &input.root)
                .is_ok()
        });
    (!ok).then(|| {
        format!(
            "the entry read again at leaf {leaf} is not proven by an inclusion proof to be in \
             the checkpoint's tree"
        )
    })
}

/// What the next incremental run carries over, or why nothing is.
pub(super) fn carry(
    input: &Input<'_>,
    fed: &Fed<'_>,
    judged: &Judged,
    resumed: Option<&Result<Resumed<'_>, String>>,
    findings: &Findings,
) -> Result<RetentionResume, String> {
    let walk = &fed.walk;
    let t = &judged.tally;
    let aggregated = !t.rule_findings.is_empty()
        || !t.conflicts.is_empty()
        || judged.shifts > 0
        || !t.errors.is_empty()
        || fed.not_followed > 0
        || walk.coverage_cut_off().is_some()
        || fed.incomplete;
    if aggregated {
        return Err(
            "check 7 found rule findings, conflicts, shifted disclosures, records it \
                    could not follow or entries it left out, which are judged over the whole log"
                .into(),
        );
    }
    if let Some(d) = walk
        .deletions()
        .iter()
        .find(|d| d.body.exception_ground.is_some_and(|g| g.is_loss()))
    {
        return Err(format!(
            "the retention-deletion at leaf {} declares disclosures lost (judged over the \
             whole log)",
            d.leaf
        ));
    }
    let resumed = match resumed {
        Some(Ok(r)) => Some(r),
        _ => None,
    };
    let Some(all) = findings.all() else {
        return Err("check 7 found more findings of one code than a report keeps".into());
    };
    let mut skip: Vec<u64> = input.skip.iter().copied().collect();
    skip.sort_unstable();
    // In an incremental run: the old ones read again and the new ones.
    let structural: BTreeSet<u64> = fed.structural.iter().copied().collect();
    let mut settled = resumed.map_or([0, 0], |r| r.resume.settled);
    let mut entries: Vec<RetentionEntry> = Vec::new();
    // Per producer: the open entry (index into `entries`), its source, its last seq.
    let mut open: HashMap<&str, (usize, Option<usize>)> = HashMap::new();
    let mut last_seq: HashMap<&str, u64> = HashMap::new();
    for (i, r) in walk.sealed_records().iter().enumerate() {
        let leaf = r.facts.leaf;
        let claimed = r
            .sealed
            .iter()
            .filter(|f| walk.deletion_of(leaf, f).is_some())
            .count();
        if structural.contains(&leaf) {
            // Read again by every run, without the deletions before the resume point.
            if claimed > 0 {
                return Err(format!(
                    "the record at leaf {leaf}, which the retention core is built from, has \
                     sealed fields a retention-deletion claims"
                ));
            }
            continue;
        }
        let producer = r.facts.reference.producer.as_str();
        let seq = r.facts.reference.seq;
        if last_seq.insert(producer, seq).is_some_and(|l| l >= seq) {
            return Err(format!(
                "{producer}'s records with sealed fields are not in increasing seq order \
                 (leaf {leaf})"
            ));
        }
        if claimed == r.sealed.len() && r.present.is_empty() {
            settled[0] += 1;
            settled[1] += 1;
            open.remove(producer);
            continue;
        }
        if claimed > 0 {
            return Err(format!(
                "the record at leaf {leaf} has sealed fields a retention-deletion claims \
                 together with readable or unclaimed ones"
            ));
        }
        // A record an event or hold names may change with the reference time alone (an event
        // or span dated after it): read again by every run.
        let rf = &r.facts.reference;
        let named = walk.events().names(rf) || walk.holds().names(rf);
        let (recheck, not_yet) = Recheck::unpack(t.recheck[i]);
        let recheck = if named { Some(0) } else { recheck };
        let source = fed.source.get(i).copied().flatten();
        let counts = [
            1,
            u64::from(!r.present.is_empty()),
            u64::from(not_yet),
            u64::from(r.present.len() < r.sealed.len()),
        ];
        let bucket = |m: Option<u64>| m.map(|m| if m == 0 { 0 } else { 1 + m / BUCKET_MS });
        let joins = open.get(producer).is_some_and(|&(k, s)| {
            let e = &entries[k];
            let gap =
                skip.partition_point(|&l| l <= e.leaves[1]) != skip.partition_point(|&l| l < leaf);
            // Within a bundle's width of the last: reading an entry again costs at most about
            // two bundles per record.
            let near = leaf - e.leaves[1] <= u64::from(tiles::TILE_WIDTH);
            s == source && bucket(e.recheck_ms) == bucket(recheck) && !gap && near
        });
        if joins {
            let (k, _) = open[producer];
            let e = &mut entries[k];
            e.seqs[1] = seq;
            e.leaves[1] = leaf;
            for (a, b) in e.counts.iter_mut().zip(counts) {
                *a += b;
            }
            e.recheck_ms = match (e.recheck_ms, recheck) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        } else {
            entries.push(RetentionEntry {
                producer: producer.to_owned(),
                seqs: [seq, seq],
                leaves: [leaf, leaf],
                counts,
                recheck_ms: recheck,
            });
            open.insert(producer, (entries.len() - 1, source));
        }
        if entries.len() > MAX_RETENTION_ENTRIES {
            return Err(format!(
                "the deadline index would hold more than {MAX_RETENTION_ENTRIES} entries"
            ));
        }
    }
    if let Some(r) = resumed {
        let kept = r.resume.entries.iter().zip(&r.selected);
        entries.extend(kept.filter(|(_, s)| !**s).map(|(e, _)| e.clone()));
        entries.sort_by_key(|e| e.leaves[0]);
    }
    let always: u64 = (entries.iter())
        .filter(|e| e.recheck_ms == Some(0))
        .map(|e| e.counts[0])
        .sum::<u64>()
        + structural.len() as u64;
    if entries.len() > MAX_RETENTION_ENTRIES || always > MAX_RETENTION_REREAD as u64 {
        return Err(format!(
            "the deadline index would exceed its bounds ({} entries, at most \
             {MAX_RETENTION_ENTRIES}; {always} records read again by every run, at most \
             {MAX_RETENTION_REREAD})",
            entries.len()
        ));
    }
    let carried: Vec<CarriedFinding> = all
        .iter()
        .filter(|f| f.check == Check::Retention && !POLICY_CODES.contains(&f.code))
        .filter(|f| f.leaf.is_none_or(|l| !structural.contains(&l)))
        .map(carried)
        .collect();
    if carried.len() > MAX_RETENTION_REREAD {
        return Err(format!(
            "check 7 has more than {MAX_RETENTION_REREAD} findings to carry over"
        ));
    }
    Ok(RetentionResume {
        at_ms: input.at.0,
        grace_ms: input.grace.as_millis() as u64,
        policy_authority: (input.trust.retention_policy_authority.as_ref())
            .map(|a| a.as_str().to_owned()),
        structural: structural.into_iter().collect(),
        deletions_recorded: resumed.map_or(0, |r| r.resume.deletions_recorded)
            + walk.deletions().len() as u64,
        settled,
        entries,
        findings: carried,
    })
}
