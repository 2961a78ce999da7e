//! Check 7 (retention, DESIGN.md §What the verifier proves): a second pass over every entry
//! after checks 1–6, with read access to the log's disclosures ([`DisclosureSource`]).
//!
//! Owns: the pass (entries read through the public store like the main pass; records that
//! did not decode or were not authentic in check 3 left out), the comparison of each
//! readable disclosure with its record's commitment (disclosures found by the commitments
//! they open, [`DisclosurePairing`]: a shift of leaves is one `retention-disclosure-shift`), the audit of every missing disclosure
//! against the retention-deletion records (covered, lawful at its execution time, no hold),
//! of every deletion against the disclosures still readable, the plan at the reference time
//! (due, kept too long, held, conflicts, declared-rule findings), and the
//! [`RetentionStatus`] of the report. Every decision about rules is the retention core's
//! ([`crate::retention`]); this module only turns its answers into findings (codes:
//! docs/CHECKS.md §7). Never reads the clock: the reference time is given.
//!
//! Every byte it reads from the public part is authenticated by the checkpoint's root, in
//! every mode (an incremental run's main pass reads only the new leaves): each bundle's leaf
//! hashes are compared with its level-0 hash tile, and the tree recomputed from those tiles
//! (from the bundle where the tile cannot be read) must give the checkpoint's root. A bundle
//! that differs from its tile is left out (`tree-bundle-mismatch`,
//! `retention-entries-unauthenticated`); a tree that does not give the root leaves check 7
//! not run (`tree-reread-root-mismatch`). Findings are collected apart and kept only once the
//! root is reproduced.
//!
//! An incremental run resumes from the state's [`RetentionResume`] ([`since`]): it feeds the
//! retention core the structural records, the old records that fell due or that a new
//! deletion may name, and the new leaves, each proven by an inclusion proof, and adds what the
//! state carries for the rest; when it cannot, it walks every entry as a full run does and
//! says why ([`RetentionStatus::resumed`]).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use rayon::prelude::*;

use crate::log::reader::LogReader;
use crate::record::kinds::retention_deletion::ExceptionGround;
use crate::record::sealed::{FieldPath, SealError};
use crate::record::types::{Hash32, RecordRef, Timestamp};
use crate::record::{Disclosure, Record};
use crate::retention::{
    Bound, Conflict, Deletion, DisclosureSource, DueItem, HeldItem, Placed, RuleFinding, RuleRef,
    Schedule, SealedRecord, Walk, place,
};
use crate::store::ObjectStore;
use crate::tiles::{self, EntryBundleId, TileId};
use crate::tree::{self, TreeHashAlg};

use crate::retention::walk::{DisclosurePairing, DisclosureShift, Paired};

use super::report::{
    Check, Finding, Findings, MAX_RETENTION_ITEMS, RetentionCounts, RetentionHeld,
    RetentionOverdue, RetentionPolicyApplied, RetentionStatus, SHIFT,
};
use super::state::RetentionResume;
use super::trust::Trust;

mod since;

/// Leaves named in an aggregated finding.
const FIRST_LEAVES: usize = 5;

/// What check 7 reads.
pub(crate) struct Input<'a> {
    /// The public part: the level-0 hash tiles are read from it (not through `reader`, whose
    /// cache would keep every tile).
    pub store: &'a dyn ObjectStore,
    /// The root of the checkpoint's tree of `size` (verified by checks 1 and 2).
    pub root: tree::Hash,
    pub reader: &'a LogReader<'a>,
    pub trust: &'a Trust,
    /// Leaves `[0, size)` are read.
    pub size: u64,
    /// Leaves left out: not decodable, or not authentic (check 3).
    pub skip: &'a HashSet<u64>,
    pub disclosures: &'a dyn DisclosureSource,
    pub at: Timestamp,
    pub grace: Duration,
    /// The checkpoints known to the run, `(size, time in seconds)` ascending: the published
    /// one (its time bounded by the witnesses when they bound it, check 1) and the auditor's
    /// earlier ones. A record existed by the time of the first one that includes it.
    pub checkpoints: &'a [(u64, u64)],
    /// An incremental run's resume point (`None`: a full run): the first new leaf, and what
    /// check 7 carries over from the leaves before it when the state holds it.
    /// (`Err`: none is carried over, with why when the state says.)
    pub since: Option<(u64, Result<&'a RetentionResume, Option<&'a str>>)>,
}

/// What check 7 found, and what it carries over to the next incremental run (`Err`: why
/// nothing is carried over).
pub(crate) struct Checked {
    pub status: RetentionStatus,
    pub carry: Result<RetentionResume, String>,
}

/// `1d 2h 3m 4s 5ms`, zero parts left out; `0s` for zero.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    let parts = [
        (ms / 86_400_000, "d"),
        (ms / 3_600_000 % 24, "h"),
        (ms / 60_000 % 60, "m"),
        (ms / 1000 % 60, "s"),
        (ms % 1000, "ms"),
    ];
    let s: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if s.is_empty() {
        "0s".into()
    } else {
        s.join(" ")
    }
}

fn who(r: &RecordRef) -> String {
    format!("{}#{}", r.producer, r.seq)
}

fn paths(f: &[FieldPath]) -> String {
    f.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn bound_text(b: &Bound) -> String {
    match b {
        Bound::At(t) => t.to_rfc3339(),
        Bound::TriggerPending(t) => format!("undetermined (trigger {t} has not happened)"),
        Bound::ConditionOpen {
            condition,
            since,
            source,
        } => format!(
            "undetermined ({condition} open since {}, {source})",
            since.to_rfc3339()
        ),
    }
}

/// `t` in the time zone of rule `rule` (as ever recorded), RFC 3339 with its offset; UTC
/// when the rule is unknown or has no zone.
fn local(walk: &Walk, rule: &RuleRef, t: Timestamp) -> String {
    let zone = walk
        .policies()
        .lookup(&rule.to_string())
        .ok()
        .flatten()
        .and_then(|r| r.computation.as_ref())
        .map(|c| c.zone.tz.clone());
    match (zone, i64::try_from(t.0)) {
        (Some(tz), Ok(ms)) if tz != jiff::tz::TimeZone::UTC => {
            jiff::Timestamp::from_millisecond(ms)
                .ok()
                .and_then(|ts| {
                    jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%S%.f%:z", &ts.to_zoned(tz)).ok()
                })
                .unwrap_or_else(|| t.to_rfc3339())
        }
        _ => t.to_rfc3339(),
    }
}

fn on(f: Finding, leaf: u64, r: &RecordRef) -> Finding {
    f.at(leaf).record(&r.producer, r.seq)
}

fn undetermined(leaf: u64, r: Option<&RecordRef>, message: String) -> Finding {
    let f = Finding::undetermined(Check::Retention, "retention-undetermined", message).at(leaf);
    match r {
        Some(r) => f.record(&r.producer, r.seq),
        None => f,
    }
}

/// The right edge of a tree built leaf by leaf (RFC 9162 §2.1.1): perfect subtrees as
/// (height, hash), heights strictly decreasing.
struct Edge {
    alg: TreeHashAlg,
    nodes: Vec<(u32, tree::Hash)>,
}

impl Edge {
    /// Add the perfect subtree of `height` with root `hash` (aligned: the leaves before it
    /// are a multiple of its width).
    fn push(&mut self, mut height: u32, mut hash: tree::Hash) {
        while let Some(&(h, left)) = self.nodes.last() {
            if h != height {
                break;
            }
            self.nodes.pop();
            hash = self.alg.node(&left, &hash);
            height += 1;
        }
        self.nodes.push((height, hash));
    }

    /// Add the leaves of one entry bundle (a full one as one subtree of height 8).
    fn extend(&mut self, leaves: &[tree::Hash]) {
        if leaves.len() == usize::from(tiles::TILE_WIDTH) {
            let root = self.alg.root_from_leaves(leaves);
            self.push(u32::from(tiles::TILE_HEIGHT), root);
        } else {
            for l in leaves {
                self.push(0, *l);
            }
        }
    }

    fn root(&self) -> tree::Hash {
        match self.nodes.split_last() {
            None => self.alg.empty(),
            Some((&(_, last), rest)) => rest
                .iter()
                .rev()
                .fold(last, |acc, (_, left)| self.alg.node(left, &acc)),
        }
    }
}

/// The hashes of level-0 tile `t`, when it can be read and has its width.
fn tile_hashes(store: &dyn ObjectStore, t: TileId) -> Option<Vec<tree::Hash>> {
    let data = store.get_at_most(&t.path(), t.data_len() + 1).ok()??;
    (data.len() == t.data_len()).then(|| {
        data.chunks_exact(32)
            .map(|c| <tree::Hash>::try_from(c).expect("32 bytes"))
            .collect()
    })
}

/// Compare the leaf hashes of bundle `b` with its tile's (`None`: unreadable, the bundle's
/// own hashes go into the tree). `true`: the bundle matches and its records may be used.
fn bundle_matches(
    b: EntryBundleId,
    t: TileId,
    leaves: &[tree::Hash],
    tile: Option<&[tree::Hash]>,
    out: &mut Findings,
) -> bool {
    let Some(tile) = tile else { return true };
    let differ: Vec<usize> = (0..leaves.len())
        .filter(|&k| leaves[k] != tile[k])
        .collect();
    let Some(&k) = differ.first() else {
        return true;
    };
    let range = b.leaf_range();
    let (first, last) = (range.start, range.end - 1);
    out.push(
        Finding::violated(
            Check::Tree,
            "tree-bundle-mismatch",
            format!(
                "entry bundle {} (leaves {first}..{last}) differs from the checkpoint's tree at \
                 {} leaf/leaves, first at leaf {}: its entries' leaf hashes are not those of \
                 hash tile {}, which the checkpoint's root authenticates (an incremental run \
                 reads no other check over these leaves; a full verification recomputes them)",
                b.path(),
                differ.len(),
                first + k as u64,
                t.path()
            ),
        )
        .at(first + k as u64)
        .evidence(hex::encode(tile[k]), hex::encode(leaves[k])),
    );
    let why = format!(
        "the records of leaves {first}..{last} are left out: their entry bundle does not match \
         the checkpoint's tree (tree-bundle-mismatch)"
    );
    out.push(
        Finding::undetermined(
            Check::Retention,
            "retention-entries-unauthenticated",
            why.clone(),
        )
        .at(first),
    );
    out.incomplete(Check::Retention, why);
    false
}

/// Run check 7. `Err`: why it could not run (the private part cannot be read, the public
/// part cannot be read again, or what was read is not the checkpoint's tree).
pub(crate) fn check(input: &Input<'_>, out: &mut Findings) -> Result<Checked, String> {
    // Kept apart until the entries read are proven to be the checkpoint's tree.
    let mut authenticated = Findings::default();
    let (fed, resumed) = match input.since {
        None => (feed_all(input, out, &mut authenticated)?, None),
        Some((from, resume)) => match since::feed(input, from, resume, &mut authenticated)? {
            Ok((fed, resumed)) => (fed, Some(Ok(resumed))),
            Err(why) => {
                let mut fresh = Findings::default();
                let fed = feed_all(input, out, &mut fresh)?;
                authenticated = fresh;
                (fed, Some(Err(why)))
            }
        },
    };
    let mut fed = fed;
    let shifts = fed.pairing.take().map(DisclosurePairing::finish);
    let shifts = shifts.unwrap_or_default();
    let (mut status, judged) = judge(input, &fed, &shifts, resumed.as_ref(), &mut authenticated);
    let carry = since::carry(input, &fed, &judged, resumed.as_ref(), &authenticated);
    status.resumed = resumed.map(|r| match r {
        Ok(r) => r.text(from_of(input)),
        Err(why) => format!("the whole log walked again: {why}"),
    });
    out.merge(authenticated);
    out.examined(
        Check::Retention,
        status.counts.records_with_sealed_fields,
        "sealed records",
        "no record has sealed fields: there is no disclosure to keep or delete",
    );
    Ok(Checked { status, carry })
}

fn from_of(input: &Input<'_>) -> u64 {
    input.since.map_or(0, |s| s.0)
}

/// What the pass fed the retention core, and what it saw while feeding.
pub(super) struct Fed<'a> {
    walk: Walk,
    /// Taken when the pass ends (its shifts).
    pairing: Option<DisclosurePairing<'a>>,
    not_followed: u64,
    /// Leaves of the records the retention core is built from (policies, case statuses,
    /// notifications, sanctions, holds), ascending.
    structural: Vec<u64>,
    /// In an incremental run, aligned with the walk's sealed records: the deadline-index entry
    /// each was read again for (`None`: a new leaf or a structural record). Empty in a full
    /// run (no cost per record).
    source: Vec<Option<usize>>,
    /// Whether `source` is kept.
    sources: bool,
    /// A bundle was left out (not the checkpoint's tree).
    incomplete: bool,
}

impl<'a> Fed<'a> {
    fn new(input: &Input<'a>) -> Self {
        Fed {
            walk: Walk::new(input.trust.retention_policy_authority.clone()),
            pairing: Some(DisclosurePairing::new(input.disclosures)),
            not_followed: 0,
            structural: Vec::new(),
            source: Vec::new(),
            sources: false,
            incomplete: false,
        }
    }

    /// Feed the record at `leaf`: pair its disclosures, compare them with its commitments,
    /// and give it to the retention core.
    fn record(
        &mut self,
        leaf: u64,
        hash: Hash32,
        rec: &Record,
        source: Option<usize>,
        out: &mut Findings,
    ) -> Result<(), String> {
        let p = rec.payload();
        if is_structural(p) {
            self.structural.push(leaf);
        }
        let paired = if p.sealed.is_empty() {
            Paired::default()
        } else {
            if self.sources {
                self.source.push(source);
            }
            let pairing = self.pairing.as_mut().expect("paired until the pass ends");
            pairing.pair(leaf, p).map_err(|e| {
                format!("the log's private part (disclosures) cannot be read at leaf {leaf}: {e}")
            })?
        };
        let own = RecordRef {
            producer: p.producer.clone(),
            seq: p.seq,
            leaf_hash: hash,
        };
        let mut present = paired.present;
        present.extend(paired.foreign);
        for d in &present {
            if let Err(e) = p.check_disclosure(d) {
                out.push(mismatch(leaf, &own, d, &e));
            }
        }
        if let Err(e) = self.walk.feed(leaf, hash, p, &present) {
            self.not_followed += 1;
            out.push(undetermined(
                leaf,
                Some(&own),
                format!(
                    "the retention core cannot follow this record, so it is left out of \
                     retention decisions: {e}"
                ),
            ));
        }
        Ok(())
    }
}

/// Whether the retention core is built from records of this kind (read again by every
/// incremental run).
fn is_structural(p: &crate::record::Payload) -> bool {
    use crate::record::kinds::Body;
    matches!(
        p.body,
        Body::RetentionPolicy(_)
            | Body::CaseStatus(_)
            | Body::Notification(_)
            | Body::AccountSanction(_)
            | Body::LegalHold(_)
    )
}

/// The full pass: every entry of the tree, its root recomputed from the tiles read (findings
/// into `out`; pushed to `tree_out` only when the root differs).
fn feed_all<'a>(
    input: &Input<'a>,
    tree_out: &mut Findings,
    out: &mut Findings,
) -> Result<Fed<'a>, String> {
    let mut fed = Fed::new(input);
    let alg = input.trust.alg;
    let mut edge = Edge {
        alg,
        nodes: Vec::new(),
    };
    for t in tiles::tiles_at_level(0, input.size) {
        let b = EntryBundleId::new(t.index(), t.width()).map_err(|e| e.to_string())?;
        let first = b.leaf_range().start;
        let entries = input
            .reader
            .bundle(b)
            .map_err(|e| format!("the public part cannot be read again: {e}"))?;
        let leaves: Vec<tree::Hash> = entries.par_iter().map(|e| alg.leaf(e)).collect();
        let tile = tile_hashes(input.store, t);
        edge.extend(tile.as_deref().unwrap_or(&leaves));
        if !bundle_matches(b, t, &leaves, tile.as_deref(), out) {
            fed.incomplete = true;
            continue;
        }
        let decoded = decode(&entries, &leaves, first, input.skip);
        for (leaf, hash, rec) in decoded {
            let Some(rec) = rec else { continue };
            fed.record(leaf, hash, &rec, None, out)?;
        }
    }
    let root = edge.root();
    if root != input.root {
        tree_out.push(
            Finding::violated(
                Check::Tree,
                "tree-reread-root-mismatch",
                format!(
                    "the hash tiles and entry bundles check 7 read (leaves 0..{}) do not \
                     reproduce the checkpoint's root: tiles or entries of the verified tree \
                     were altered (in an incremental run, under the resume point, which only a \
                     full verification reads; or during this run)",
                    input.size.saturating_sub(1)
                ),
            )
            .evidence(hex::encode(input.root), hex::encode(root)),
        );
        return Err("the entries it read are not the checkpoint's tree \
                    (tree-reread-root-mismatch): run a full verification"
            .into());
    }
    Ok(fed)
}

/// The entries of a bundle whose first leaf is `first`, decoded in parallel (`None`: left
/// out, or not decodable).
fn decode(
    entries: &[Vec<u8>],
    leaves: &[tree::Hash],
    first: u64,
    skip: &HashSet<u64>,
) -> Vec<(u64, Hash32, Option<Record>)> {
    entries
        .par_iter()
        .zip(leaves)
        .enumerate()
        .map(|(k, (e, h))| {
            let leaf = first + k as u64;
            let rec = (!skip.contains(&leaf))
                .then(|| Record::decode(e).ok())
                .flatten();
            (leaf, Hash32(*h), rec)
        })
        .collect()
}

/// What judging found that the carried state is built from.
pub(super) struct Judged {
    tally: Tally,
    shifts: usize,
}

/// Check 7's judgements over what was fed, with what an incremental run carries over.
fn judge(
    input: &Input<'_>,
    fed: &Fed<'_>,
    shifts: &[DisclosureShift],
    resumed: Option<&Result<since::Resumed, String>>,
    out: &mut Findings,
) -> (RetentionStatus, Judged) {
    let walk = &fed.walk;
    let mut not_followed = fed.not_followed;
    for shift in shifts {
        out.push(shifted(shift));
    }
    let shifts = shifts.len();
    policies(walk, out);
    let audit = deletions(walk, (input.at, input.checkpoints), input.grace, out);
    future_dated(walk, (input.at, input.checkpoints), out);
    let tally = Tally::of(walk, input.at, input.grace);
    for e in &tally.errors {
        not_followed += 1;
        let crate::retention::ScheduleError::Rule {
            leaf,
            producer,
            seq,
            source,
        } = e;
        out.push(
            Finding::undetermined(
                Check::Retention,
                "retention-undetermined",
                format!("the record's retention schedule cannot be computed: {source}"),
            )
            .at(*leaf)
            .record(producer, *seq),
        );
    }
    plan_findings(walk, &tally, out);

    let mut counts = RetentionCounts {
        records_with_sealed_fields: walk.sealed_records().len() as u64,
        with_disclosures: tally.with_disclosures,
        erased_and_covered: audit.covered,
        erased_without_record: audit.uncovered,
        held: tally.held_count,
        due: tally.due.len() as u64,
        overdue: tally.overdue.len() as u64,
        not_yet_deletable: tally.not_yet,
        undetermined: tally.undetermined,
        conflicts: tally.conflict_count,
        deletions_recorded: walk.deletions().len() as u64,
        not_followed,
    };
    if let Some(Ok(r)) = resumed {
        r.add_carried(&mut counts, out);
    }
    let status = RetentionStatus {
        at: input.at.to_rfc3339(),
        grace_ms: input.grace.as_millis() as u64,
        policy_authority: walk.policy_authority().map(ToString::to_string),
        policies: walk
            .applied()
            .iter()
            .map(|a| RetentionPolicyApplied {
                leaf: a.leaf,
                producer: a.record.producer.to_string(),
                seq: a.record.seq,
                policy_id: a.policy_id.clone(),
                version: a.version,
                rules: a.rules,
            })
            .collect(),
        counts,
        held: tally
            .held
            .iter()
            .map(|h| RetentionHeld {
                leaf: h.leaf,
                producer: h.record.producer.to_string(),
                seq: h.record.seq,
                condition: h.condition.to_string(),
                sources: h.sources.clone(),
                cap_due: h.cap_due.map(Timestamp::to_rfc3339),
            })
            .collect(),
        overdue: tally
            .overdue
            .iter()
            .take(MAX_RETENTION_ITEMS)
            .map(|d| RetentionOverdue {
                leaf: d.leaf,
                producer: d.record.producer.to_string(),
                seq: d.record.seq,
                rule: d.rule.to_string(),
                deadline: local(walk, &d.rule, d.deadline),
                deadline_ms: d.deadline.0,
                late_by: human_duration(d.late_by),
                late_by_ms: d.late_by.as_millis() as u64,
                fields: d.fields.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        resumed: None,
    };
    (status, Judged { tally, shifts })
}

fn mismatch(leaf: u64, r: &RecordRef, d: &Disclosure, e: &SealError) -> Finding {
    let (expected, found) = match e {
        SealError::Mismatch {
            expected, computed, ..
        } => (
            format!("a disclosure opening commitment {expected}"),
            format!("a disclosure committing to {computed}"),
        ),
        SealError::NoSuchField { path } => (
            "a disclosure of one of the record's sealed fields".to_owned(),
            format!("a disclosure of {path}, which the record does not seal"),
        ),
        other => ("a value of the field's class".to_owned(), other.to_string()),
    };
    on(
        Finding::violated(
            Check::Retention,
            "retention-disclosure-mismatch",
            format!(
                "the readable disclosure of {} does not open the record's commitment: {e}",
                d.path
            ),
        ),
        leaf,
        r,
    )
    .evidence(expected, found)
}

/// `retention-disclosure-shift`: one finding per shift, however many records it moves.
fn shifted(s: &DisclosureShift) -> Finding {
    let d = s.offset.unsigned_abs();
    let (way, how) = if s.offset > 0 {
        ("later", "removed from")
    } else {
        ("earlier", "inserted into")
    };
    let orphaned = if s.orphaned == 0 {
        String::new()
    } else {
        format!(
            "; {} disclosure(s) stored under leaf/leaves {}, which the shift passes over, open \
             not the records at those leaves (a removed record's: still kept)",
            s.orphaned,
            s.orphaned_at
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Finding::violated(
        Check::Retention,
        SHIFT,
        format!(
            "from leaf {} on, the disclosures of {} record(s) (to leaf {}) are stored {d} \
             leaf/leaves {way} than their records, found by the commitments they open: {d} \
             record(s) were {how} the log before leaf {} after the disclosures were \
             stored{orphaned}",
            s.from_leaf, s.records, s.last_leaf, s.from_leaf
        ),
    )
    .at(s.from_leaf)
    .record(&s.record.0, s.record.1)
    .evidence(
        "the disclosures of each record stored under its own leaf",
        format!(
            "stored under leaf + {} from leaf {} ({} records)",
            s.offset, s.from_leaf, s.records
        ),
    )
}

fn policies(walk: &Walk, out: &mut Findings) {
    for u in walk.unauthorised() {
        out.push(
            on(
                Finding::violated(
                    Check::Retention,
                    "retention-policy-unauthorised",
                    format!(
                        "retention policy {} version {} is recorded by {}, not by the trust \
                         file's retention-policy authority {}: not applied",
                        u.policy_id, u.version, u.record.producer, u.expected
                    ),
                ),
                u.leaf,
                &u.record,
            )
            .evidence(
                format!("a retention-policy record by {}", u.expected),
                format!("one by {}", u.record.producer),
            ),
        );
    }
    if walk.policy_authority().is_none() {
        let applied = walk.applied();
        let mut f = Finding::notice(
            Check::Retention,
            "retention-policy-unpinned",
            format!(
                "the trust file names no retention_policy_authority: every retention-policy \
                 record admitted to the log is applied ({} record(s){})",
                applied.len(),
                match applied.first() {
                    Some(a) => format!(", the first at leaf {} by {}", a.leaf, a.record.producer),
                    None => String::new(),
                }
            ),
        );
        if let Some(a) = applied.first() {
            f = f.at(a.leaf).record(&a.record.producer, a.record.seq);
        }
        out.push(f);
    }
}

/// What the deletion audit counted.
struct Audit {
    covered: u64,
    uncovered: u64,
}

fn deletions(walk: &Walk, clock: Clock<'_>, grace: Duration, out: &mut Findings) -> Audit {
    let mut audit = Audit {
        covered: 0,
        uncovered: 0,
    };
    // Declared losses (exception ground disclosure-lost), by the loss record's leaf.
    let mut losses: BTreeMap<u64, Loss> = BTreeMap::new();
    for r in walk.sealed_records() {
        let leaf = r.facts.leaf;
        let mut uncovered: Vec<FieldPath> = Vec::new();
        // Per deletion (by leaf): fields it erased, fields it claims but are still readable.
        let mut erased: BTreeMap<u64, (&Deletion, Vec<FieldPath>)> = BTreeMap::new();
        let mut not_done: BTreeMap<u64, (&Deletion, Vec<FieldPath>)> = BTreeMap::new();
        let mut sealed: Vec<&FieldPath> = r.sealed.iter().collect();
        sealed.sort();
        for f in sealed {
            let present = r.present.contains(f);
            match (walk.deletion_of(leaf, f), present) {
                (None, true) => {}
                (None, false) => uncovered.push(f.clone()),
                (Some(d), true) => not_done
                    .entry(d.leaf)
                    .or_insert((d, vec![]))
                    .1
                    .push(f.clone()),
                (Some(d), false) if d.body.exception_ground.is_some_and(|g| g.is_loss()) => losses
                    .entry(d.leaf)
                    .or_insert_with(|| Loss::new(d))
                    .add(leaf),
                (Some(d), false) => erased
                    .entry(d.leaf)
                    .or_insert((d, vec![]))
                    .1
                    .push(f.clone()),
            }
        }
        let rf = &r.facts.reference;
        if !uncovered.is_empty()
            && let Some(cut) = walk.coverage_cut_off()
        {
            // The walk stopped resolving deletion targets at `cut` (its work cap): whether a
            // deletion from there on covers these fields is not known.
            out.push(undetermined(
                leaf,
                Some(rf),
                format!(
                    "sealed field(s) {} have no readable disclosure; whether a retention-deletion \
                     covers them cannot be determined: the deletion targets from leaf {cut} on \
                     were not resolved (the walk's work cap of {} target tests was reached)",
                    paths(&uncovered),
                    crate::retention::walk::COVERAGE_WORK_CAP
                ),
            ));
        } else if !uncovered.is_empty() {
            audit.uncovered += 1;
            out.push(
                on(
                    Finding::violated(
                        Check::Retention,
                        "retention-deletion-without-record",
                        format!(
                            "sealed field(s) {} have no readable disclosure, and no \
                             retention-deletion at a later leaf covers them",
                            paths(&uncovered)
                        ),
                    ),
                    leaf,
                    rf,
                )
                .evidence(
                    format!(
                        "a readable disclosure of {}, or a retention-deletion after leaf {leaf} \
                         naming this record and the field(s)",
                        paths(&uncovered)
                    ),
                    "no disclosure, and no deletion covering it",
                ),
            );
        } else if !erased.is_empty() {
            audit.covered += 1;
        }
        for (d, fields) in not_done.values() {
            out.push(
                on(
                    Finding::violated(
                        Check::Retention,
                        "retention-deletion-not-done",
                        format!(
                            "the retention-deletion at leaf {} ({}) claims {} erased, but the \
                             disclosure(s) can still be read",
                            d.leaf,
                            who(&d.record),
                            paths(fields)
                        ),
                    ),
                    leaf,
                    rf,
                )
                .evidence(
                    format!(
                        "no readable disclosure of {} (erased at {})",
                        paths(fields),
                        d.body.executed_at.to_rfc3339()
                    ),
                    "still readable",
                ),
            );
        }
        for (d, fields) in erased.values() {
            lawful(walk, r, d, fields, (clock, grace), out);
        }
    }
    for loss in losses.values() {
        out.push(loss.finding());
    }
    audit
}

/// The disclosures one declared loss accounts for: one finding per loss record.
struct Loss<'a> {
    deletion: &'a Deletion,
    /// Sealed fields without a readable disclosure that the loss covers.
    fields: u64,
    /// Their records' leaves (first few) and how many.
    leaves: Vec<u64>,
    records: u64,
    /// The leaf of the last field added (fields arrive grouped by record).
    last: Option<u64>,
}

impl<'a> Loss<'a> {
    fn new(deletion: &'a Deletion) -> Self {
        Loss {
            deletion,
            fields: 0,
            leaves: Vec::new(),
            records: 0,
            last: None,
        }
    }

    /// One field of the record at `leaf` (fields arrive grouped by record).
    fn add(&mut self, leaf: u64) {
        self.fields += 1;
        if self.last != Some(leaf) {
            self.last = Some(leaf);
            self.records += 1;
            if self.leaves.len() < FIRST_LEAVES {
                self.leaves.push(leaf);
            }
        }
    }

    /// Violated: a loss is declared and signed, so accountable, but the retention rules
    /// were not kept (nothing allowed those disclosures to go), and a loss must not become
    /// a way to erase early without a finding.
    fn finding(&self) -> Finding {
        let d = self.deletion;
        let leaves = self
            .leaves
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        on(
            Finding::violated(
                Check::Retention,
                "retention-disclosure-lost",
                format!(
                    "the retention-deletion at leaf {} declares {} disclosure(s) of {} \
                     record(s) lost on {} (exception ground disclosure-lost: not erased under \
                     a rule, lost; leaves {leaves}{})",
                    d.leaf,
                    self.fields,
                    self.records,
                    d.body.executed_at.to_rfc3339(),
                    if self.records > self.leaves.len() as u64 {
                        ", …"
                    } else {
                        ""
                    }
                ),
            ),
            d.leaf,
            &d.record,
        )
        .evidence(
            "the disclosures kept until the rules in force allow their deletion",
            format!(
                "{} sealed field(s) of {} record(s) declared lost",
                self.fields, self.records
            ),
        )
    }
}

/// How far past the reference time a deletion's `executed_at` may lie (clock skew).
const SKEW: Duration = Duration::from_secs(300);

/// The reference time and the known checkpoints (`(size, time in seconds)`, ascending).
type Clock<'a> = (Timestamp, &'a [(u64, u64)]);

/// Deletions claiming an execution time after the reference time: a forward-dated
/// `executed_at` would make an early erasure look due, so it is a finding of its own.
fn future_dated(walk: &Walk, clock: Clock<'_>, out: &mut Findings) {
    for d in walk.deletions() {
        let executed = d.body.executed_at;
        let (bound, what) = time_bound(d, clock);
        if executed.0 <= bound.0.saturating_add(SKEW.as_millis() as u64) {
            continue;
        }
        out.push(
            on(
                Finding::violated(
                    Check::Retention,
                    "retention-deletion-future-dated",
                    format!(
                        "the retention-deletion claims execution at {}, {} after {what} {}: \
                         a deletion is recorded when it is carried out, so a later date is a \
                         claim the log contradicts; its lawfulness is judged at {}",
                        executed.to_rfc3339(),
                        human_duration(Duration::from_millis(executed.0 - bound.0)),
                        bound.to_rfc3339(),
                        bound.to_rfc3339()
                    ),
                ),
                d.leaf,
                &d.record,
            )
            .evidence(
                format!("executed_at no later than {}", bound.to_rfc3339()),
                executed.to_rfc3339(),
            ),
        );
    }
}

/// The latest instant a deletion can have been executed at, and what says so: the earliest
/// of its own record's `occurred_at` (the record is signed when the erasure is carried out),
/// the time of the first known checkpoint that includes the record (it existed by then: the
/// log's time, or the witnesses' where a quorum bounds it, check 1 — so a log whose clock
/// runs ahead cannot date a deletion past what the witnesses saw), and the reference time.
fn time_bound(d: &Deletion, (at, checkpoints): Clock<'_>) -> (Timestamp, String) {
    let mut bound = (at, "the reference time".to_string());
    if let Some(&(size, secs)) = checkpoints.iter().find(|c| c.0 > d.leaf) {
        let t = Timestamp(secs.saturating_mul(1000));
        if t < bound.0 {
            bound = (
                t,
                format!("the time of the first known checkpoint that includes it (size {size})"),
            );
        }
    }
    if d.occurred_at <= bound.0 {
        bound = (
            d.occurred_at,
            "the deletion record's own occurred_at".to_string(),
        );
    }
    bound
}

/// The instant a deletion is judged at: its `executed_at`, unless that lies past its bound
/// ([`time_bound`], plus the skew), then the bound.
fn judged_at(d: &Deletion, clock: Clock<'_>) -> Timestamp {
    let (bound, _) = time_bound(d, clock);
    if d.body.executed_at.0 > bound.0.saturating_add(SKEW.as_millis() as u64) {
        bound
    } else {
        d.body.executed_at
    }
}

/// Whether the deletion `d` of `fields` of `r` was allowed when it was executed.
fn lawful(
    walk: &Walk,
    r: &SealedRecord,
    d: &Deletion,
    fields: &[FieldPath],
    (clock, grace): (Clock<'_>, Duration),
    out: &mut Findings,
) {
    let (leaf, rf) = (r.facts.leaf, &r.facts.reference);
    let executed = judged_at(d, clock);
    let by = format!(
        "the retention-deletion at leaf {} ({}) executed at {}",
        d.leaf,
        who(&d.record),
        executed.to_rfc3339()
    );
    // By log order: every hold set before the deletion's leaf and not released before it.
    let holds = walk.holds().holds_before(rf, d.leaf, executed);
    if !holds.is_empty() {
        let ids: Vec<String> = holds
            .iter()
            .map(|h| format!("{} (set at leaf {})", h.hold_id, h.set_leaf))
            .collect();
        out.push(
            on(
                Finding::violated(
                    Check::Retention,
                    "retention-deleted-under-hold",
                    format!(
                        "{by} erased {} while the record was held by {}{}",
                        paths(fields),
                        ids.join(", "),
                        match d.body.exception_ground {
                            Some(g) => format!(" (exception ground {g} does not lift a hold)"),
                            None => String::new(),
                        }
                    ),
                ),
                leaf,
                rf,
            )
            .evidence(
                format!("no deletion while {} is active", ids.join(", ")),
                format!("erased at {}", executed.to_rfc3339()),
            ),
        );
    }
    // A ground for erasing early lifts a cap's timing, and some a minimum's; a ground for
    // keeping past due explains a late deletion, never an early one.
    let ground = d.body.exception_ground;
    let early_ground = ground.filter(|g| g.allows_early());
    let s = match walk.schedule(r, executed) {
        Ok(s) => s,
        Err(e) => {
            out.push(undetermined(
                leaf,
                Some(rf),
                format!("whether {by} was due cannot be computed: {e}"),
            ));
            return;
        }
    };
    // The rule that allowed it: the governing cap, else (no cap) a covering rule in force.
    let named = d.body.rule.as_str();
    let governing: Option<RuleRef> = match &s.due_at {
        Some(due) => s
            .caps
            .iter()
            .find(|c| &c.bound == due)
            .or(s.caps.first())
            .map(|c| c.rule.clone()),
        None => None,
    };
    let mismatch = match (&governing, early_ground) {
        (Some(g), None) => g.to_string() != named,
        (None, None) => !s.minimums.iter().any(|m| m.rule.to_string() == named),
        // Erased on a ground: the rule named is any rule covering the record, or the one it
        // declares.
        (_, Some(_)) => {
            !s.caps.iter().any(|c| c.rule.to_string() == named)
                && !s.minimums.iter().any(|m| m.rule.to_string() == named)
                && s.declared.as_ref().is_none_or(|r| r.to_string() != named)
        }
    };
    if mismatch {
        let expected = match &governing {
            Some(g) => format!("the governing cap {g}"),
            None if s.minimums.is_empty() => {
                "a rule in force at the record's leaf covering it (none is)".to_owned()
            }
            None => format!(
                "one of the rules covering the record at its leaf ({})",
                s.minimums
                    .iter()
                    .map(|m| m.rule.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push(
            on(
                Finding::violated(
                    Check::Retention,
                    "retention-deletion-rule-mismatch",
                    match early_ground {
                        None => format!(
                            "{by} names rule {named}, which does not govern the record's \
                             deletion, and {}",
                            no_early_ground(ground)
                        ),
                        Some(g) => format!(
                            "{by} names rule {named}, which neither covers the record nor is \
                             the rule it declares (exception ground {g})"
                        ),
                    },
                ),
                leaf,
                rf,
            )
            .evidence(expected, named),
        );
    }
    if !holds.is_empty() {
        return; // reported as deleted-under-hold
    }
    let min_block = match &s.earliest_deletion {
        Some(Bound::At(t)) if *t > executed => Some(Bound::At(*t)),
        Some(Bound::At(_)) | None => None,
        Some(open) => Some(open.clone()),
    };
    let cap_block = match &s.due_at {
        Some(Bound::At(t)) if *t <= executed => None,
        None => None,
        // Any erasure ground allows erasing before a cap falls due.
        Some(_) if early_ground.is_some() => None,
        Some(b) => Some(b.clone()),
    };
    // A court order or a required erasure (LED 16(2)) overrides a minimum; a data subject's
    // request does not (GDPR 17(3)(b): the legal obligation to keep prevails).
    let min_block =
        min_block.filter(|_| !early_ground.is_some_and(ExceptionGround::overrides_minimum));
    if min_block.is_none() && cap_block.is_none() {
        late(executed, r, d, &s, &governing, grace, fields, &by, out);
        return;
    }
    let mut expected = Vec::new();
    if let (Some(b), Some(g)) = (&cap_block, &governing) {
        expected.push(format!("cap {g} due {}", bound_text(b)));
    }
    if let Some(b) = &min_block {
        let rule = s
            .minimums
            .iter()
            .find(|m| &m.bound == b)
            .map(|m| m.rule.to_string())
            .unwrap_or_else(|| "a minimum".into());
        expected.push(format!("minimum {rule} allows deletion {}", bound_text(b)));
    }
    // The instant it would have been allowed, if every blocking bound is determined.
    let early: Option<Timestamp> = [cap_block.as_ref(), min_block.as_ref()]
        .into_iter()
        .flatten()
        .map(Bound::instant)
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().max());
    let early_text = match early {
        Some(t) if t > executed => format!(
            ", {} early",
            human_duration(Duration::from_millis(t.0 - executed.0))
        ),
        _ => String::new(),
    };
    out.push(
        on(
            Finding::violated(
                Check::Retention,
                "retention-premature-deletion",
                match early_ground {
                    None => format!(
                        "{by} erased {} before the rules in force at leaf {leaf} allowed it, and \
                         {}",
                        paths(fields),
                        no_early_ground(ground)
                    ),
                    Some(g) => format!(
                        "{by} erased {} while a minimum of the rules in force at leaf {leaf} \
                         still kept it; exception ground {g} does not override a legal \
                         obligation to keep (GDPR 17(3)(b))",
                        paths(fields)
                    ),
                },
            ),
            leaf,
            rf,
        )
        .evidence(
            format!("deletion no earlier than: {}", expected.join("; ")),
            format!("executed at {}{early_text}", executed.to_rfc3339()),
        ),
    );
}

/// Why a deletion without a ground for erasing early is judged by its rule's dates.
fn no_early_ground(ground: Option<ExceptionGround>) -> String {
    match ground {
        None => "states no exception ground".into(),
        Some(g) => format!(
            "its exception ground {g} is one for keeping past the due date, not for erasing \
             before it"
        ),
    }
}

/// A deletion executed after its cap fell due (plus the grace): the disclosures were kept
/// too long until then, unless it states a ground for keeping them.
#[allow(clippy::too_many_arguments)]
fn late(
    executed: Timestamp,
    r: &SealedRecord,
    d: &Deletion,
    s: &crate::retention::Schedule,
    governing: &Option<RuleRef>,
    grace: Duration,
    fields: &[FieldPath],
    by: &str,
    out: &mut Findings,
) {
    let (Some(Bound::At(cap_due)), Some(rule)) = (&s.due_at, governing) else {
        return;
    };
    // As the plan: never due before every minimum allows it (a conflict waits for it).
    let due = match &s.earliest_deletion {
        Some(Bound::At(m)) if m > cap_due => m,
        _ => cap_due,
    };
    let limit = due.0.saturating_add(grace.as_millis() as u64);
    if executed.0 <= limit || d.body.exception_ground.is_some_and(|g| g.justifies_late()) {
        return;
    }
    let late_by = Duration::from_millis(executed.0 - due.0);
    let (leaf, rf) = (r.facts.leaf, &r.facts.reference);
    out.push(
        on(
            Finding::violated(
                Check::Retention,
                "retention-deleted-late",
                format!(
                    "{by} erased {} {} after its deadline under cap {rule} (grace {}): kept \
                     too long by that, with no exception ground for keeping",
                    paths(fields),
                    human_duration(late_by),
                    human_duration(grace)
                ),
            ),
            leaf,
            rf,
        )
        .evidence(
            format!("erased by {} (due + grace)", Timestamp(limit).to_rfc3339()),
            format!(
                "erased at {}, {} after the deadline {}",
                executed.to_rfc3339(),
                human_duration(late_by),
                due.to_rfc3339()
            ),
        ),
    );
}

/// Aggregated findings: one per key, with a count and the first leaves.
struct Group {
    first: (u64, RecordRef),
    leaves: Vec<u64>,
    count: u64,
}

impl Group {
    fn new(leaf: u64, r: &RecordRef) -> Group {
        Group {
            first: (leaf, r.clone()),
            leaves: Vec::new(),
            count: 0,
        }
    }

    fn add(&mut self, leaf: u64) {
        self.count += 1;
        if self.leaves.len() < FIRST_LEAVES {
            self.leaves.push(leaf);
        }
    }
}

fn group<K: Ord>(map: &mut BTreeMap<K, Group>, key: K, leaf: u64, r: &RecordRef) {
    map.entry(key)
        .or_insert_with(|| Group::new(leaf, r))
        .add(leaf);
}

fn leaves_text(g: &Group) -> String {
    let l: Vec<String> = g.leaves.iter().map(ToString::to_string).collect();
    format!(
        "{} record(s), at leaves {}{}",
        g.count,
        l.join(", "),
        if g.count as usize > g.leaves.len() {
            ", …"
        } else {
            ""
        }
    )
}

/// The plan at the reference time, taken one record at a time ([`crate::retention::place`]):
/// the records check 7 names one by one (due, overdue: one finding each), the first held
/// records, counts of the rest, and conflicts and declared-rule findings aggregated by their
/// rules (a count and the first leaves) — never a list per record of what is only counted.
struct Tally {
    at: Timestamp,
    grace: Duration,
    errors: Vec<crate::retention::ScheduleError>,
    due: Vec<DueItem>,
    overdue: Vec<DueItem>,
    /// The first [`MAX_RETENTION_ITEMS`] held records, and how many there are.
    held: Vec<HeldItem>,
    held_count: u64,
    not_yet: u64,
    undetermined: u64,
    /// By (cap, minimum): the records and the first record's conflict.
    conflicts: BTreeMap<(RuleRef, RuleRef), (Group, Conflict)>,
    conflict_count: u64,
    /// By (code, declared rule, other rules or reason).
    rule_findings: BTreeMap<(&'static str, String, String), Group>,
    with_disclosures: u64,
    /// Aligned with the walk's sealed records: when each one's placement can next change, and
    /// whether it is not yet deletable ([`Recheck::pack`]: 8 bytes a record).
    recheck: Vec<u64>,
}

/// When a record's placement at the reference time can next change, absent new records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Recheck {
    /// Only a deletion naming it changes it.
    Never,
    /// At this instant (ms).
    At(u64),
    /// It may change with the reference time itself (due, overdue, held, undetermined).
    Always,
}

/// The bit of a packed [`Recheck`] set when the record is not yet deletable.
const NOT_YET_BIT: u64 = 1 << 63;
/// A packed [`Recheck::Never`].
const NEVER: u64 = NOT_YET_BIT - 1;

impl Recheck {
    /// Packed with whether the record is not yet deletable (bit 63); 0 stands for
    /// [`Recheck::Always`], [`NEVER`] for [`Recheck::Never`].
    fn pack(self, not_yet: bool) -> u64 {
        let low = match self {
            Recheck::Always => 0,
            Recheck::Never => NEVER,
            Recheck::At(t) => t.clamp(1, NEVER - 1),
        };
        low | if not_yet { NOT_YET_BIT } else { 0 }
    }

    /// The recheck instant (`None`: never; `Some(0)`: every run) and whether not yet deletable.
    fn unpack(packed: u64) -> (Option<u64>, bool) {
        let low = packed & !NOT_YET_BIT;
        ((low != NEVER).then_some(low), packed & NOT_YET_BIT != 0)
    }

    /// From a record's schedule and placement: the earliest determined instant after `at`
    /// among its cap (and the cap plus the grace) and its minimum; always when one is not
    /// determined.
    fn of(s: &Schedule, placed: &Placed, at: Timestamp, grace: Duration) -> Recheck {
        if !matches!(placed, Placed::NotYet(_) | Placed::Nothing) || !s.held_by.is_empty() {
            return Recheck::Always;
        }
        let mut next: Option<u64> = None;
        let mut later = |t: u64| {
            if t > at.0 {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        for b in [&s.due_at, &s.earliest_deletion].into_iter().flatten() {
            match b {
                Bound::At(t) => {
                    later(t.0);
                    later(t.0.saturating_add(grace.as_millis() as u64));
                }
                _ => return Recheck::Always,
            }
        }
        for c in s.caps.iter().chain(&s.minimums) {
            match &c.bound {
                Bound::At(t) => later(t.0),
                _ => return Recheck::Always,
            }
        }
        next.map_or(Recheck::Never, Recheck::At)
    }
}

impl Tally {
    fn of(walk: &Walk, at: Timestamp, grace: Duration) -> Tally {
        let mut t = Tally {
            at,
            grace,
            errors: Vec::new(),
            due: Vec::new(),
            overdue: Vec::new(),
            held: Vec::new(),
            held_count: 0,
            not_yet: 0,
            undetermined: 0,
            conflicts: BTreeMap::new(),
            conflict_count: 0,
            rule_findings: BTreeMap::new(),
            with_disclosures: 0,
            recheck: Vec::new(),
        };
        for r in walk.sealed_records() {
            t.with_disclosures += u64::from(!r.present.is_empty());
            match walk.schedule(r, at) {
                Ok(s) => t.add(&s, &r.present),
                Err(e) => {
                    t.errors.push(e);
                    t.recheck.push(Recheck::Always.pack(false));
                }
            }
        }
        t
    }

    fn add(&mut self, s: &Schedule, present: &[FieldPath]) {
        for f in &s.findings {
            group(&mut self.rule_findings, rule_key(f), s.leaf, &s.record);
        }
        for c in &s.conflicts {
            self.conflict_count += 1;
            let (g, _) = self
                .conflicts
                .entry((c.cap.clone(), c.minimum.clone()))
                .or_insert_with(|| (Group::new(s.leaf, &s.record), c.clone()));
            g.add(s.leaf);
        }
        let placed = place(s, present, self.at, self.grace);
        let recheck = if present.is_empty() {
            Recheck::Never
        } else {
            Recheck::of(s, &placed, self.at, self.grace)
        };
        self.recheck
            .push(recheck.pack(matches!(placed, Placed::NotYet(_))));
        match placed {
            Placed::Due(d) => self.due.push(d),
            Placed::Overdue(d) => self.overdue.push(d),
            Placed::Held(h) => {
                self.held_count += 1;
                if self.held.len() < MAX_RETENTION_ITEMS {
                    self.held.push(h);
                }
            }
            Placed::NotYet(_) => self.not_yet += 1,
            Placed::Undetermined(_) => self.undetermined += 1,
            Placed::Nothing => {}
        }
    }
}

/// The key a declared-rule finding is aggregated by: its code, the declared rule, and the
/// other rules or the reason.
fn rule_key(f: &RuleFinding) -> (&'static str, String, String) {
    match f {
        RuleFinding::Undeclared { covering } => (
            "undeclared",
            String::new(),
            covering
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        ),
        RuleFinding::Malformed { declared, reason } => {
            ("malformed", declared.clone(), reason.clone())
        }
        RuleFinding::NotInForce { declared } => {
            ("not-in-force", declared.to_string(), String::new())
        }
        RuleFinding::VersionMismatch { declared, in_force } => (
            "version-mismatch",
            declared.to_string(),
            in_force.to_string(),
        ),
        RuleFinding::NotCovering { declared, kind } => {
            ("not-covering", declared.to_string(), kind.name().to_owned())
        }
        RuleFinding::HoldWithoutOverrideRule { holds } => (
            "hold-without-override-rule",
            String::new(),
            holds.join(", "),
        ),
        RuleFinding::NoRule { kind } => ("no-rule", kind.name().to_owned(), String::new()),
    }
}

fn plan_findings(walk: &Walk, plan: &Tally, out: &mut Findings) {
    for d in &plan.overdue {
        out.push(
            on(
                Finding::violated(
                    Check::Retention,
                    "retention-kept-too-long",
                    format!(
                        "disclosure(s) {} kept {} too long: {} required deletion by {}",
                        paths(&d.fields),
                        human_duration(d.late_by),
                        d.rule,
                        local(walk, &d.rule, d.deadline)
                    ),
                ),
                d.leaf,
                &d.record,
            )
            .evidence(
                format!(
                    "deleted by {} ({}), within the grace of {}",
                    local(walk, &d.rule, d.deadline),
                    d.rule,
                    human_duration(plan.grace)
                ),
                format!(
                    "still readable at {}: kept {} ({} ms) too long",
                    plan.at.to_rfc3339(),
                    human_duration(d.late_by),
                    d.late_by.as_millis()
                ),
            ),
        );
    }
    for d in &plan.due {
        out.push(on(
            Finding::notice(
                Check::Retention,
                "retention-due",
                format!(
                    "disclosure(s) {} due for deletion under {} since {} ({} ago, within \
                         the grace of {})",
                    paths(&d.fields),
                    d.rule,
                    local(walk, &d.rule, d.deadline),
                    human_duration(d.late_by),
                    human_duration(plan.grace)
                ),
            ),
            d.leaf,
            &d.record,
        ));
    }
    for ((cap, min), (g, first)) in &plan.conflicts {
        let first = Some(first);
        out.push(
            on(
                Finding::notice(
                    Check::Retention,
                    "retention-conflict",
                    format!(
                        "cap {cap} requires deletion before minimum {min} allows it ({}); \
                         reported, not resolved: these records are never listed due or overdue \
                         while the minimum runs",
                        leaves_text(g)
                    ),
                ),
                g.first.0,
                &g.first.1,
            )
            .evidence(
                match first {
                    Some(c) => format!("deletion by {} ({cap})", c.cap_due.to_rfc3339()),
                    None => format!("deletion under {cap}"),
                },
                match first {
                    Some(c) => format!("kept until {} ({min})", bound_text(&c.minimum_not_before)),
                    None => format!("kept under {min}"),
                },
            ),
        );
    }
    for ((code, declared, other), g) in &plan.rule_findings {
        let n = leaves_text(g);
        let (finding, expected, found) = match *code {
            "undeclared" => (
                Finding::notice(
                    Check::Retention,
                    "retention-rule-undeclared",
                    format!("no retention rule declared, though {other} cover(s) the record ({n})"),
                ),
                format!("a declared rule, one of {other}"),
                "none".to_owned(),
            ),
            "no-rule" => (
                no_rule(walk, declared, &n),
                format!("a minimum or cap in force covering {declared} records"),
                "none (a hold-override rule does not count)".to_owned(),
            ),
            "hold-without-override-rule" => (
                Finding::notice(
                    Check::Retention,
                    "retention-hold-without-override-rule",
                    format!(
                        "held by {other}, but no hold-override rule covering the record is in \
                         force at its leaf; the hold is honoured ({n})"
                    ),
                ),
                "a hold-override rule covering the record".to_owned(),
                "none in force".to_owned(),
            ),
            _ => {
                let (what, expected) = match *code {
                    "malformed" => (
                        format!("declared rule {declared:?} is malformed: {other}"),
                        "id@version".to_owned(),
                    ),
                    "not-in-force" => (
                        format!("declared rule {declared} is not in force at the record's leaf"),
                        "a rule in force at the record's leaf".to_owned(),
                    ),
                    "version-mismatch" => (
                        format!(
                            "declared rule {declared}, but {other} is in force at the record's leaf"
                        ),
                        other.clone(),
                    ),
                    _ => (
                        format!("declared rule {declared} does not cover {other} records"),
                        format!("a rule covering {other} records"),
                    ),
                };
                (
                    Finding::violated(
                        Check::Retention,
                        "retention-declared-rule-mismatch",
                        format!("{what} ({n})"),
                    ),
                    expected,
                    declared.clone(),
                )
            }
        };
        out.push(on(finding, g.first.0, &g.first.1).evidence(expected, found));
    }
}

/// `retention-no-rule`: sealed fields of `kind` records under no retention rule. Violated when
/// the trust file pins the policy authority (its policies must cover them), a notice otherwise.
fn no_rule(walk: &Walk, kind: &str, records: &str) -> Finding {
    let message = format!(
        "sealed fields of {kind} records are under no retention rule: no minimum or cap in \
         force covers them ({records}), so nothing says how long they are kept"
    );
    match walk.policy_authority() {
        Some(a) => Finding::violated(
            Check::Retention,
            "retention-no-rule",
            format!("{message}; the pinned policy authority {a} must cover them"),
        ),
        None => Finding::notice(Check::Retention, "retention-no-rule", message),
    }
}
