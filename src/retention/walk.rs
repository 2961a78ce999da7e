//! The retention walk: one pass over a log's records in leaf order, gathering everything
//! retention decisions need — the policy timeline, trigger events, legal holds, the facts
//! of every record with sealed fields (with which disclosures can still be read) and the
//! retention-deletion records, with which deletion first claims each sealed field erased.
//!
//! Owns: [`Walk`] (pure: fed decoded payloads and the disclosures the caller read),
//! [`walk_log`] (the same over a log's public store and a [`DisclosureSource`]), target
//! matching ([`target_covers`]), and [`DisclosurePairing`], which finds a record's
//! disclosures by the commitments they open (check 7; `walk_log` still reads by leaf). Used by `logseal retention plan`, `retention apply` and the
//! verifier's check 7. With a policy authority given, a retention-policy record by any other
//! producer is not applied and is listed ([`Walk::unauthorised`]).
//!
//! A record that cannot be followed (a policy rejected by the timeline, a case sequence or
//! hold that does not fit) is an `Err` from [`Walk::feed`]; the walk stays usable (that
//! record's effect is left out, except that a case-status or hold release may have been
//! applied to the records of its scope before the one at fault), so a caller may stop or go
//! on. Memory: the facts and field paths of every record with sealed fields (with, per
//! sealed field, the first deletion claiming it), and every deletion with its targets — never
//! a list per (record, target): a deletion naming `[0, u64::MAX]` costs its targets, not the
//! log (docs/RETENTION.md, "Not yet built").
//!
//! Which deletion claims a field is settled when the deletion is fed: a deletion can only
//! name records before it, already fed, so the first to claim a field is the first in leaf
//! order. Records whose every sealed field is claimed leave the open sets a target's range is
//! looked up in, so a target without field patterns costs a range lookup plus one visit per
//! record it finishes. A target with field patterns visits every open record in its range;
//! the visits and field tests that claim nothing are counted against [`COVERAGE_WORK_CAP`],
//! beyond which the deletion (and every later one) is an `Err` ([`WalkError::WorkCap`]) and
//! [`Walk::coverage_cut_off`] names it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;
use std::time::Duration;

use crate::log::reader::LogReader;
use crate::record::kinds::Body;
use crate::record::kinds::retention_deletion::{RangeType, RetentionDeletion, Target};
use crate::record::sealed::FieldPath;
use crate::record::text::ProducerId;
use crate::record::types::{Hash32, RecordRef, Timestamp};
use crate::record::{Disclosure, Payload, Record};
use crate::store::ObjectStore;
use crate::tree::TreeHashAlg;

use super::DisclosureSource;
use super::events::{EventBook, EventError};
use super::holds::{HoldBook, HoldError};
use super::plan::{Plan, plan};
use super::policy::{Policy, PolicyError, PolicyTimeline};
use super::schedule::{RecordFacts, Schedule, ScheduleError, schedule};

/// A record the walk cannot follow, or a log it cannot read; each names the leaf and, for a
/// record, `producer#seq (kind)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalkError {
    #[error("leaf {leaf}: does not decode: {reason}")]
    Decode { leaf: u64, reason: String },
    #[error("leaf {leaf}: {record}: {source}")]
    Policy {
        leaf: u64,
        record: String,
        source: Box<PolicyError>,
    },
    #[error("leaf {leaf}: {record}: {source}")]
    Event {
        leaf: u64,
        record: String,
        source: Box<EventError>,
    },
    #[error("leaf {leaf}: {record}: {source}")]
    Hold {
        leaf: u64,
        record: String,
        source: Box<HoldError>,
    },
    /// The private part cannot be read for this record (not a fault of the record).
    #[error("leaf {leaf}: {record}: its disclosures cannot be read: {reason}")]
    Disclosures {
        leaf: u64,
        record: String,
        reason: String,
    },
    /// The public part cannot be read.
    #[error("reading the log: {0}")]
    Read(String),
    /// Resolving which sealed fields this deletion claims erased would take more than the
    /// walk's work (not a fault of the record: a limit of the walk). The deletion is kept;
    /// from it on, which deletion erased a field is not determined
    /// ([`Walk::coverage_cut_off`]).
    #[error(
        "leaf {leaf}: {record}: matching the field patterns of this retention-deletion's \
         targets would exceed the walk's cap of {cap} steps, so which deletion erased a \
         sealed field is not determined from this deletion on"
    )]
    WorkCap { leaf: u64, record: String, cap: u64 },
}

impl WalkError {
    /// The leaf at fault (none for [`WalkError::Read`]).
    pub fn leaf(&self) -> Option<u64> {
        match self {
            WalkError::Decode { leaf, .. }
            | WalkError::Policy { leaf, .. }
            | WalkError::Event { leaf, .. }
            | WalkError::Hold { leaf, .. }
            | WalkError::Disclosures { leaf, .. }
            | WalkError::WorkCap { leaf, .. } => Some(*leaf),
            WalkError::Read(_) => None,
        }
    }

    /// Whether the log's content is at fault (as opposed to reading it).
    pub fn is_invalid_record(&self) -> bool {
        matches!(
            self,
            WalkError::Decode { .. }
                | WalkError::Policy { .. }
                | WalkError::Event { .. }
                | WalkError::Hold { .. }
        )
    }
}

/// A retention-policy record applied to the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedPolicy {
    pub leaf: u64,
    pub record: RecordRef,
    pub policy_id: String,
    pub version: u64,
    pub rules: usize,
}

/// A retention-policy record not applied: its producer is not the policy authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnauthorisedPolicy {
    pub leaf: u64,
    pub record: RecordRef,
    pub policy_id: String,
    pub version: u64,
    /// The policy authority the walk was given.
    pub expected: ProducerId,
}

/// A record with sealed fields. Its lists of field paths, data categories and declared rule
/// are shared by every record of the walk with the same ones ([`Interned`]): a log of a
/// million records of a few shapes keeps a few lists, not a million.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedRecord {
    pub facts: RecordFacts,
    /// Every sealed field (the record's commitments), in the payload's order.
    pub sealed: Arc<[FieldPath]>,
    /// The sealed fields whose disclosures could be read, without repeats.
    pub present: Arc<[FieldPath]>,
}

/// Values shared by the records of a walk: one copy of each distinct list, compared by
/// content (two records share a list only when their lists are equal).
#[derive(Debug, Clone, Default)]
struct Interned {
    paths: HashSet<Arc<[FieldPath]>>,
    categories: HashSet<Arc<[String]>>,
    rules: HashSet<Arc<str>>,
}

fn intern<T: ?Sized + Eq + std::hash::Hash>(
    set: &mut HashSet<Arc<T>>,
    value: &T,
    make: impl FnOnce() -> Arc<T>,
) -> Arc<T> {
    match set.get(value) {
        Some(a) => Arc::clone(a),
        None => {
            let a = make();
            set.insert(Arc::clone(&a));
            a
        }
    }
}

impl Interned {
    fn paths(&mut self, v: Vec<FieldPath>) -> Arc<[FieldPath]> {
        intern(&mut self.paths, &v[..], || Arc::from(v.clone()))
    }

    fn categories(&mut self, v: Vec<String>) -> Arc<[String]> {
        intern(&mut self.categories, &v[..], || Arc::from(v.clone()))
    }

    fn rule(&mut self, v: &str) -> Arc<str> {
        intern(&mut self.rules, v, || Arc::from(v))
    }
}

impl SealedRecord {
    /// Sealed fields without a readable disclosure.
    pub fn missing(&self) -> impl Iterator<Item = &FieldPath> {
        self.sealed.iter().filter(|p| !self.present.contains(p))
    }
}

/// One target of a deletion, with how many earlier records with sealed fields its range
/// names (a seq range resolved through the producer's seq → record map, which holds the
/// latest record of each seq).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    pub target: Target,
    /// `None` for a seq range over a producer whose seqs were not fed strictly increasing
    /// (counting would take a pass over the range).
    pub records: Option<u64>,
}

/// A retention-deletion record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub leaf: u64,
    pub record: RecordRef,
    /// The deletion record's own `occurred_at` (when it was signed).
    pub occurred_at: Timestamp,
    pub body: RetentionDeletion,
    pub targets: Vec<ResolvedTarget>,
}

impl Deletion {
    /// Whether this deletion claims `field` of the record at `leaf` (`producer`'s `seq`)
    /// erased: the record precedes the deletion and one of its targets covers it.
    pub fn covers(&self, leaf: u64, producer: &ProducerId, seq: u64, field: &FieldPath) -> bool {
        leaf < self.leaf
            && self
                .targets
                .iter()
                .any(|t| target_covers(&t.target, leaf, producer, seq, field))
    }
}

/// Whether a retention-deletion `target` covers `field` of the record at `leaf`
/// (`producer`'s `seq`): the range names the record ([`Target::covers_record`]) and the field
/// patterns name the field ([`Target::matches_field`]; no patterns: every sealed field).
pub fn target_covers(
    target: &Target,
    leaf: u64,
    producer: &ProducerId,
    seq: u64,
    field: &FieldPath,
) -> bool {
    target.covers_record(leaf, producer, seq) && target.matches_field(field)
}

/// The work a walk may spend on visits and field tests over retention-deletion targets with
/// field patterns that claim nothing (one step per record visited without a claim, one per
/// pattern per sealed field tested without a match). Claims are not counted: each sealed
/// field is claimed once. A log whose deletions stay under it is resolved in full; a
/// hostile one stops at it ([`WalkError::WorkCap`]).
pub const COVERAGE_WORK_CAP: u64 = 50_000_000;

/// One producer's records with sealed fields.
#[derive(Debug, Clone)]
struct ProducerRecords {
    /// seq → index into `Walk::sealed` (the latest record with that seq).
    by_seq: BTreeMap<u64, usize>,
    /// The entries of `by_seq` whose record has a sealed field no deletion claims yet.
    open: BTreeMap<u64, usize>,
    /// The seqs in feed order while strictly increasing (counting a seq range); `None` after.
    increasing: Option<Vec<u64>>,
}

impl ProducerRecords {
    fn new() -> ProducerRecords {
        ProducerRecords {
            by_seq: BTreeMap::new(),
            open: BTreeMap::new(),
            increasing: Some(Vec::new()),
        }
    }
}

/// Everything gathered over a log, in leaf order.
#[derive(Debug, Clone)]
pub struct Walk {
    authority: Option<ProducerId>,
    policies: PolicyTimeline,
    events: EventBook,
    holds: HoldBook,
    applied: Vec<AppliedPolicy>,
    unauthorised: Vec<UnauthorisedPolicy>,
    sealed: Vec<SealedRecord>,
    producers: HashMap<ProducerId, ProducerRecords>,
    /// Aligned with `sealed`, then with each record's sealed fields: the index into
    /// `deletions` of the first deletion claiming the field erased (`None` until a deletion
    /// names the record: most records of a log are never named).
    claimed_by: Vec<Option<Box<[Option<u32>]>>>,
    interned: Interned,
    /// Aligned with `sealed`: how many of the record's sealed fields no deletion claims.
    unclaimed: Vec<usize>,
    /// Indices into `sealed` of the records with an unclaimed sealed field.
    open: BTreeSet<usize>,
    deletions: Vec<Deletion>,
    work_cap: u64,
    work_left: u64,
    /// Leaf of the first deletion whose claims were not resolved in full.
    cut_off: Option<u64>,
    last_leaf: Option<u64>,
}

impl Default for Walk {
    fn default() -> Walk {
        Walk::new(None)
    }
}

fn who(p: &Payload) -> String {
    format!("{}#{} ({})", p.producer, p.seq, p.kind())
}

impl Walk {
    /// A walk applying only the retention policies of `policy_authority` (every policy
    /// admitted to the log when `None`).
    pub fn new(policy_authority: Option<ProducerId>) -> Walk {
        Walk {
            authority: policy_authority,
            policies: PolicyTimeline::default(),
            events: EventBook::default(),
            holds: HoldBook::default(),
            applied: Vec::new(),
            unauthorised: Vec::new(),
            sealed: Vec::new(),
            producers: HashMap::new(),
            claimed_by: Vec::new(),
            interned: Interned::default(),
            unclaimed: Vec::new(),
            open: BTreeSet::new(),
            deletions: Vec::new(),
            work_cap: COVERAGE_WORK_CAP,
            work_left: COVERAGE_WORK_CAP,
            cut_off: None,
            last_leaf: None,
        }
    }

    /// The same walk with a smaller work cap (tests of [`WalkError::WorkCap`]).
    #[cfg(test)]
    fn with_work_cap(mut self, cap: u64) -> Walk {
        self.work_cap = cap;
        self.work_left = cap;
        self
    }

    /// Take the record at `leaf` (leaves strictly increasing), with its leaf hash and the
    /// disclosures of its sealed fields that could be read (`present`, lent: only their paths
    /// are kept; empty for a record without sealed fields). `Err`: the record's effect on policies, events or holds
    /// could not be applied (its facts are still kept), or, for a retention-deletion, which
    /// fields it claims is not resolved in full ([`WalkError::WorkCap`]; the deletion is kept).
    pub fn feed(
        &mut self,
        leaf: u64,
        leaf_hash: Hash32,
        p: &Payload,
        present: &[Disclosure],
    ) -> Result<(), WalkError> {
        debug_assert!(self.last_leaf.is_none_or(|l| l < leaf), "leaves in order");
        self.last_leaf = Some(leaf);
        let own = RecordRef {
            producer: p.producer.clone(),
            seq: p.seq,
            leaf_hash,
        };
        let mut data_categories = Vec::new();
        let mut result = Ok(());
        match &p.body {
            Body::RetentionPolicy(body) => {
                result = self.policy(leaf, &own, p, body);
            }
            Body::CaseStatus(body) => {
                result = self
                    .events
                    .case_status(body)
                    .map_err(|source| WalkError::Event {
                        leaf,
                        record: who(p),
                        source: Box::new(source),
                    });
            }
            Body::Notification(body) => self.events.notification(&own, body),
            Body::AccountSanction(body) => self.events.sanction(&own, body),
            Body::LegalHold(body) => {
                result = self
                    .holds
                    .apply(leaf, &own, p.occurred_at, body)
                    .map_err(|source| WalkError::Hold {
                        leaf,
                        record: who(p),
                        source: Box::new(source),
                    });
            }
            Body::DataAccess(body) => {
                data_categories = body
                    .data_categories
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect();
            }
            Body::RetentionDeletion(body) => result = self.deletion(leaf, &own, p, body),
            _ => {}
        }
        if !p.sealed.is_empty() {
            let sealed: Vec<FieldPath> = p.sealed.iter().map(|(f, _)| f.clone()).collect();
            let mut paths: Vec<FieldPath> = Vec::new();
            for d in present {
                if sealed.contains(&d.path) && !paths.contains(&d.path) {
                    paths.push(d.path.clone());
                }
            }
            let i = self.sealed.len();
            let r = self
                .producers
                .entry(p.producer.clone())
                .or_insert_with(ProducerRecords::new);
            // A repeated seq: seq ranges name the latest record with it.
            r.by_seq.insert(p.seq, i);
            r.open.insert(p.seq, i);
            if let Some(seqs) = &mut r.increasing {
                if seqs.last().is_some_and(|&l| l >= p.seq) {
                    r.increasing = None;
                } else {
                    seqs.push(p.seq);
                }
            }
            self.claimed_by.push(None);
            self.unclaimed.push(sealed.len());
            self.open.insert(i);
            let declared_rule = p
                .retention_rule
                .as_ref()
                .map(|r| self.interned.rule(r.as_str()));
            self.sealed.push(SealedRecord {
                facts: RecordFacts {
                    reference: own,
                    leaf,
                    kind: p.kind(),
                    data_categories: self.interned.categories(data_categories),
                    occurred_at: p.occurred_at,
                    declared_rule,
                },
                sealed: self.interned.paths(sealed),
                present: self.interned.paths(paths),
            });
        }
        result
    }

    fn policy(
        &mut self,
        leaf: u64,
        own: &RecordRef,
        p: &Payload,
        body: &crate::record::kinds::retention_policy::RetentionPolicy,
    ) -> Result<(), WalkError> {
        if let Some(expected) = &self.authority
            && *expected != p.producer
        {
            self.unauthorised.push(UnauthorisedPolicy {
                leaf,
                record: own.clone(),
                policy_id: body.policy_id.as_str().to_owned(),
                version: body.version,
                expected: expected.clone(),
            });
            return Ok(());
        }
        let err = |source| WalkError::Policy {
            leaf,
            record: who(p),
            source: Box::new(source),
        };
        let policy = Policy::from_body(body).map_err(err)?;
        let applied = AppliedPolicy {
            leaf,
            record: own.clone(),
            policy_id: policy.policy_id.clone(),
            version: policy.version,
            rules: policy.rules.len(),
        };
        self.policies.push(leaf, policy).map_err(err)?;
        self.applied.push(applied);
        Ok(())
    }

    fn deletion(
        &mut self,
        leaf: u64,
        own: &RecordRef,
        p: &Payload,
        body: &RetentionDeletion,
    ) -> Result<(), WalkError> {
        // More deletions than a u32 counts cannot be fed: a log's leaf index is far from it
        // before (each deletion is one leaf of at most 65,535 bytes).
        let d = u32::try_from(self.deletions.len()).expect("fewer than 2^32 deletions");
        let mut targets = Vec::with_capacity(body.targets.len());
        for target in &body.targets {
            targets.push(ResolvedTarget {
                target: target.clone(),
                records: self.count_named(target),
            });
            if self.cut_off.is_none() && self.claim(d, target).is_err() {
                self.cut_off = Some(leaf);
            }
        }
        self.deletions.push(Deletion {
            leaf,
            record: own.clone(),
            occurred_at: p.occurred_at,
            body: body.clone(),
            targets,
        });
        match self.cut_off {
            None => Ok(()),
            Some(_) => Err(WalkError::WorkCap {
                leaf,
                record: who(p),
                cap: self.work_cap,
            }),
        }
    }

    /// The index range into `sealed` of the records a leaf range names.
    fn leaf_span(&self, first: u64, last: u64) -> std::ops::Range<usize> {
        let lo = self.sealed.partition_point(|s| s.facts.leaf < first);
        let hi = self.sealed.partition_point(|s| s.facts.leaf <= last);
        lo..hi.max(lo)
    }

    /// How many records with sealed fields `target`'s range names, when cheap to count.
    fn count_named(&self, target: &Target) -> Option<u64> {
        if target.first > target.last {
            return Some(0);
        }
        match (target.range, &target.producer) {
            (RangeType::Leaf, _) => Some(self.leaf_span(target.first, target.last).len() as u64),
            (RangeType::Seq, Some(producer)) => match self.producers.get(producer) {
                None => Some(0),
                Some(r) => r.increasing.as_ref().map(|seqs| {
                    let lo = seqs.partition_point(|&s| s < target.first);
                    let hi = seqs.partition_point(|&s| s <= target.last);
                    hi.saturating_sub(lo) as u64
                }),
            },
            (RangeType::Seq, None) => Some(0),
        }
    }

    /// Give deletion `d` every unclaimed sealed field `target` covers. `Err`: the work cap
    /// was reached (the claims made so far stand).
    fn claim(&mut self, d: u32, target: &Target) -> Result<(), ()> {
        if target.first > target.last {
            return Ok(());
        }
        match (target.range, &target.producer) {
            (RangeType::Leaf, _) => {
                let span = self.leaf_span(target.first, target.last);
                let mut from = span.start;
                while let Some(&i) = self.open.range(from..span.end).next() {
                    from = i + 1;
                    self.visit(d, i, target)?;
                }
            }
            (RangeType::Seq, Some(producer)) => {
                let mut from = Bound::Included(target.first);
                while let Some((seq, i)) = self.producers.get(producer).and_then(|r| {
                    r.open
                        .range((from, Bound::Included(target.last)))
                        .next()
                        .map(|(&s, &i)| (s, i))
                }) {
                    from = Bound::Excluded(seq);
                    self.visit(d, i, target)?;
                }
            }
            (RangeType::Seq, None) => {}
        }
        Ok(())
    }

    /// Give deletion `d` the unclaimed sealed fields of record `i` that `target`'s field
    /// patterns name (its range names the record); a finished record leaves the open sets.
    fn visit(&mut self, d: u32, i: usize, target: &Target) -> Result<(), ()> {
        let every = target.fields.is_empty();
        let n = self.sealed[i].sealed.len();
        let claims = self.claimed_by[i].get_or_insert_with(|| vec![None; n].into_boxed_slice());
        let mut claimed = 0;
        let mut missed = 0u64;
        for (slot, field) in claims.iter_mut().zip(self.sealed[i].sealed.iter()) {
            if slot.is_some() {
                continue;
            }
            if every || target.matches_field(field) {
                *slot = Some(d);
                claimed += 1;
            } else {
                missed += 1;
            }
        }
        self.unclaimed[i] -= claimed;
        if self.unclaimed[i] == 0 {
            self.open.remove(&i);
            let facts = &self.sealed[i].facts;
            if let Some(r) = self.producers.get_mut(&facts.reference.producer)
                && r.open.get(&facts.reference.seq) == Some(&i)
            {
                r.open.remove(&facts.reference.seq);
            }
        }
        // Every slot skipped as claimed already counts (claims are paid for once per field),
        // and every pattern tested without a match.
        let skipped = (claims.len() - claimed) as u64 - missed;
        let cost = u64::from(claimed == 0)
            .saturating_add(skipped)
            .saturating_add(missed.saturating_mul(target.fields.len() as u64));
        match self.work_left.checked_sub(cost) {
            Some(left) => {
                self.work_left = left;
                Ok(())
            }
            None => {
                self.work_left = 0;
                Err(())
            }
        }
    }

    /// The policy authority the walk applies policies of, if one was given.
    pub fn policy_authority(&self) -> Option<&ProducerId> {
        self.authority.as_ref()
    }

    pub fn policies(&self) -> &PolicyTimeline {
        &self.policies
    }

    pub fn events(&self) -> &EventBook {
        &self.events
    }

    pub fn holds(&self) -> &HoldBook {
        &self.holds
    }

    /// Retention-policy records applied, in leaf order.
    pub fn applied(&self) -> &[AppliedPolicy] {
        &self.applied
    }

    /// Retention-policy records not applied (not by the policy authority), in leaf order.
    pub fn unauthorised(&self) -> &[UnauthorisedPolicy] {
        &self.unauthorised
    }

    /// Records with sealed fields, in leaf order.
    pub fn sealed_records(&self) -> &[SealedRecord] {
        &self.sealed
    }

    /// The record with sealed fields at `leaf`.
    pub fn sealed_at(&self, leaf: u64) -> Option<&SealedRecord> {
        self.sealed
            .binary_search_by_key(&leaf, |s| s.facts.leaf)
            .ok()
            .map(|i| &self.sealed[i])
    }

    /// The leaf of `producer`'s record `seq`, if it has sealed fields.
    pub fn leaf_of(&self, producer: &ProducerId, seq: u64) -> Option<u64> {
        let i = *self.producers.get(producer)?.by_seq.get(&seq)?;
        Some(self.sealed[i].facts.leaf)
    }

    /// Retention-deletion records, in leaf order.
    pub fn deletions(&self) -> &[Deletion] {
        &self.deletions
    }

    /// The first deletion (in leaf order) claiming `field` of the record at `leaf` erased:
    /// at a later leaf, with a target whose range names the record (a seq range: the latest
    /// record with that seq when the deletion was fed) and whose patterns name the field.
    /// `None` too when `field` is not one of the record's sealed fields, and possibly for a
    /// field only deletions from [`Walk::coverage_cut_off`] on claim.
    pub fn deletion_of(&self, leaf: u64, field: &FieldPath) -> Option<&Deletion> {
        let i = self
            .sealed
            .binary_search_by_key(&leaf, |s| s.facts.leaf)
            .ok()?;
        let k = self.sealed[i].sealed.iter().position(|f| f == field)?;
        self.claimed_by[i].as_ref()?[k].map(|d| &self.deletions[d as usize])
    }

    /// The leaf of the first deletion whose claims the walk did not resolve in full
    /// ([`WalkError::WorkCap`]): from it on, [`Walk::deletion_of`] may miss the deletion of
    /// a field. `None`: every deletion's claims are resolved.
    pub fn coverage_cut_off(&self) -> Option<u64> {
        self.cut_off
    }

    /// The schedule of `record` as known at `at`.
    pub fn schedule(
        &self,
        record: &SealedRecord,
        at: Timestamp,
    ) -> Result<Schedule, ScheduleError> {
        schedule(&record.facts, &self.policies, &self.events, &self.holds, at)
    }

    /// The plan at `at` over every record with sealed fields; the first record that cannot
    /// be scheduled is the error.
    pub fn plan(&self, at: Timestamp, grace: Duration) -> Result<Plan, ScheduleError> {
        let mut p = plan(&[], at, grace);
        for r in &self.sealed {
            p.add(&self.schedule(r, at)?, &r.present);
        }
        Ok(p)
    }

    /// The plan at `at` over every record that can be scheduled, and the errors of those
    /// that cannot (left out of the plan).
    pub fn plan_partial(&self, at: Timestamp, grace: Duration) -> (Plan, Vec<ScheduleError>) {
        let mut p = plan(&[], at, grace);
        let mut errors = Vec::new();
        for r in &self.sealed {
            match self.schedule(r, at) {
                Ok(s) => p.add(&s, &r.present),
                Err(e) => errors.push(e),
            }
        }
        (p, errors)
    }
}

/// Walk the first `size` entries of the log whose public part is `store` (tree hash `alg`),
/// reading the disclosures of each record with sealed fields from `disclosures`. Stops at
/// the first record that does not decode or cannot be followed.
pub fn walk_log(
    store: &dyn ObjectStore,
    alg: TreeHashAlg,
    size: u64,
    disclosures: &dyn DisclosureSource,
    policy_authority: Option<ProducerId>,
) -> Result<Walk, WalkError> {
    let mut walk = Walk::new(policy_authority);
    let mut failed: Option<WalkError> = None;
    LogReader::new(store, alg)
        .for_each_entry(size, 0, size, |leaf, bytes| {
            if failed.is_some() {
                return Ok(());
            }
            let mut step = || -> Result<(), WalkError> {
                let record = Record::decode(bytes).map_err(|e| WalkError::Decode {
                    leaf,
                    reason: e.to_string(),
                })?;
                let p = record.payload();
                let present = if p.sealed.is_empty() {
                    Vec::new()
                } else {
                    disclosures
                        .readable(leaf)
                        .map_err(|reason| WalkError::Disclosures {
                            leaf,
                            record: who(p),
                            reason,
                        })?
                };
                walk.feed(leaf, Hash32(alg.leaf(bytes)), p, &present)
            };
            failed = step().err();
            Ok(())
        })
        .map_err(|e| WalkError::Read(e.to_string()))?;
    match failed {
        Some(e) => Err(e),
        None => Ok(walk),
    }
}

/// Stored leaves probed on each side of the expected one when nothing stored under it opens
/// a record's commitments ([`DisclosurePairing`]).
pub const SHIFT_PROBE: u64 = 16;
/// Probe reads a whole pass may spend (a vault scrambled at random must not cost 2 ×
/// [`SHIFT_PROBE`] reads per record).
pub const SHIFT_PROBE_BUDGET: u64 = 4096;
/// Orphaned stored leaves named per [`DisclosureShift`].
const FIRST_ORPHANS: usize = 5;

/// The disclosures found for one record by [`DisclosurePairing::pair`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paired {
    /// Disclosures that open one of the record's commitments, wherever they were stored.
    pub present: Vec<Disclosure>,
    /// Disclosures stored under the record's leaf that open none of its commitments and no
    /// shift explains (each is a mismatch).
    pub foreign: Vec<Disclosure>,
}

/// Disclosures stored under other leaves than their records': from `from_leaf` on, the
/// disclosures of the record at leaf `l` are stored under leaf `l + offset`. Records removed
/// from the log (or inserted into it) after their disclosures were stored shift every later
/// record's disclosures by as many leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureShift {
    /// The first record found shifted, and its `producer#seq`.
    pub from_leaf: u64,
    pub record: (ProducerId, u64),
    /// Stored leaf = record leaf + `offset`.
    pub offset: i64,
    /// The last record leaf paired under this shift.
    pub last_leaf: u64,
    /// Records whose disclosures were found under the shifted leaf.
    pub records: u64,
    /// Disclosures stored under leaves the shift passes over, opening no record near them
    /// (those of a removed record), and the first of those stored leaves.
    pub orphaned: u64,
    pub orphaned_at: Vec<u64>,
}

/// Finds a record's disclosures by the commitments they open (docs/RETENTION.md): under the
/// record's own leaf, or — when nothing stored there opens the record's commitments — under
/// a nearby leaf ([`SHIFT_PROBE`] each side), from which on the records that follow are
/// looked up at the same shift. A disclosure is paired with a record only when it opens
/// that record's commitment: a shift never makes data that belongs to another record count
/// as this one's. Stored disclosures read and paired with no record are returned as
/// `foreign` or counted in the shift ([`DisclosureShift::orphaned`]), never dropped.
pub struct DisclosurePairing<'a> {
    source: &'a dyn DisclosureSource,
    offset: i64,
    budget: u64,
    shifts: Vec<DisclosureShift>,
    /// Stored leaves a forward shift passed over, not (yet) paired with a record: the shift
    /// they belong to, and how many disclosures they hold.
    passed: BTreeMap<u64, (usize, u64)>,
}

impl<'a> DisclosurePairing<'a> {
    pub fn new(source: &'a dyn DisclosureSource) -> Self {
        DisclosurePairing {
            source,
            offset: 0,
            budget: SHIFT_PROBE_BUDGET,
            shifts: Vec::new(),
            passed: BTreeMap::new(),
        }
    }

    /// The shifts found, in leaf order, with the disclosures each passed over that no record
    /// was paired with.
    pub fn finish(mut self) -> Vec<DisclosureShift> {
        for (stored, (shift, n)) in std::mem::take(&mut self.passed) {
            if let Some(s) = self.shifts.get_mut(shift) {
                s.orphaned += n;
                if s.orphaned_at.len() < FIRST_ORPHANS {
                    s.orphaned_at.push(stored);
                }
            }
        }
        self.shifts
    }

    fn read(&self, stored: i64) -> Result<Vec<Disclosure>, String> {
        match u64::try_from(stored) {
            Ok(l) => self.source.readable(l),
            Err(_) => Ok(Vec::new()),
        }
    }

    /// The disclosures of the record `p` at `leaf` (leaves increasing, records with sealed
    /// fields only). `Err`: the private part cannot be read.
    pub fn pair(&mut self, leaf: u64, p: &Payload) -> Result<Paired, String> {
        let opens = |d: &Disclosure| p.commitment(&d.path) == Some(&d.commitment());
        let expected = leaf as i64 + self.offset;
        let stored = self.read(expected)?;
        let (own, other): (Vec<Disclosure>, Vec<Disclosure>) = stored.into_iter().partition(opens);
        if other.is_empty() || !own.is_empty() {
            if !own.is_empty() {
                self.passed.remove(&(expected as u64));
            }
            if !own.is_empty()
                && self.offset != 0
                && let Some(s) = self.shifts.last_mut()
            {
                s.records += 1;
                s.last_leaf = leaf;
            }
            return Ok(Paired {
                present: own,
                foreign: other,
            });
        }
        // Nothing stored under the expected leaf opens this record: look near it.
        let Some((offset, found)) = self.probe(leaf, p)? else {
            return Ok(Paired {
                present: Vec::new(),
                foreign: other,
            });
        };
        // Back at the records' own leaves: the shift before ends here, no new one starts.
        if offset != 0 {
            self.shifts.push(DisclosureShift {
                from_leaf: leaf,
                record: (p.producer.clone(), p.seq),
                offset,
                last_leaf: leaf,
                records: 1,
                orphaned: 0,
                orphaned_at: Vec::new(),
            });
        }
        // Moving forward, the stored leaves the shift passes over hold disclosures no record
        // at them opened: orphans, unless a later record is paired from them.
        if offset > self.offset {
            let shift = self.shifts.len().saturating_sub(1);
            self.passed
                .insert(expected as u64, (shift, other.len() as u64));
            for s in expected + 1..leaf as i64 + offset {
                let n = self.read(s)?.len() as u64;
                if n > 0 {
                    self.passed.insert(s as u64, (shift, n));
                }
            }
        }
        self.offset = offset;
        self.passed.remove(&((leaf as i64 + offset) as u64));
        Ok(Paired {
            present: found,
            foreign: Vec::new(),
        })
    }

    /// The nearest offset (within [`SHIFT_PROBE`] of the current one) under which stored
    /// disclosures open `p`'s commitments, with those disclosures.
    fn probe(&mut self, leaf: u64, p: &Payload) -> Result<Option<(i64, Vec<Disclosure>)>, String> {
        let opens = |d: &Disclosure| p.commitment(&d.path) == Some(&d.commitment());
        for d in 1..=SHIFT_PROBE as i64 {
            for offset in [self.offset + d, self.offset - d] {
                if self.budget == 0 {
                    return Ok(None);
                }
                self.budget -= 1;
                let stored = self.read(leaf as i64 + offset)?;
                if !stored.is_empty() && stored.iter().all(opens) {
                    return Ok(Some((offset, stored)));
                }
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Status;
    use crate::record::kinds::DataAccess;
    use crate::record::kinds::data_access::{Action, Actor};
    use crate::record::kinds::retention_deletion::{DeletionMethod, MAX_TARGETS};
    use crate::record::text::Ident;

    fn envelope(producer: &str, seq: u64, body: Body, sealed: &[&str]) -> Payload {
        Payload {
            producer: ProducerId::new(producer).unwrap(),
            seq,
            prev: Hash32([0; 32]),
            occurred_at: Timestamp(1_772_357_400_250),
            utc_offset_minutes: None,
            processing_activity: None,
            trace_id: None,
            operation_id: None,
            parent_operation_id: None,
            status: Status::Ok,
            retention_rule: None,
            body,
            sealed: sealed
                .iter()
                .map(|f| (FieldPath::parse(f).unwrap(), [0; 32]))
                .collect(),
        }
    }

    fn access(producer: &str, seq: u64, sealed: &[&str]) -> Payload {
        let id = |s: &str| Ident::new(s).unwrap();
        let body = Body::DataAccess(DataAccess {
            action: Action::Consult,
            legal_basis: id("nl-sv-126n"),
            purpose: id("criminal-investigation"),
            actor: Actor {
                role: id("police-officer"),
                organisation: id("politie-eenheid-noord"),
                authorisation_id: None,
                break_glass: false,
            },
            data_categories: vec![id("subscriber-name-address")],
            result_count: Some(1),
            destination_country: None,
            data_origin: None,
            revealed: None,
            revealed_ranges: None,
        });
        envelope(producer, seq, body, sealed)
    }

    fn erasure(seq: u64, targets: Vec<Target>) -> Payload {
        let body = Body::RetentionDeletion(RetentionDeletion {
            targets,
            rule: Ident::new("de-bdsg76-led-logs@1").unwrap(),
            due_at: Timestamp(0),
            executed_at: Timestamp(0),
            method: DeletionMethod::EraseDisclosure,
            shredded_key_id: None,
            executor: Ident::new("retention-sweep").unwrap(),
            holds_checked: true,
            exception_ground: None,
            item_count: 1,
        });
        envelope("sweeper", seq, body, &[])
    }

    fn feed(w: &mut Walk, leaf: u64, p: &Payload) -> Result<(), WalkError> {
        w.feed(leaf, Hash32([leaf as u8; 32]), p, &[])
    }

    /// The leaf of the deletion `deletion_of` gives for `field` of the record at `leaf`.
    fn erased_at(w: &Walk, leaf: u64, field: &str) -> Option<u64> {
        w.deletion_of(leaf, &FieldPath::parse(field).unwrap())
            .map(|d| d.leaf)
    }

    const FIELDS: &[&str] = &["actor.user", "query", "recipients.0", "recipients.1"];

    fn opened(path: &str) -> Disclosure {
        Disclosure {
            salt: [7; 16],
            path: FieldPath::parse(path).unwrap(),
            value: crate::record::sealed::SealedValue::Text("x".into()),
        }
    }

    /// Records of one shape share one list of sealed fields and one list per set of readable
    /// disclosures (memory per record, not per field), and each still has its own presence:
    /// sharing never makes a record's erased field count as readable.
    #[test]
    fn equal_lists_are_shared_and_each_record_keeps_its_own_presence() {
        let mut w = Walk::new(None);
        let every: Vec<Disclosure> = FIELDS.iter().map(|f| opened(f)).collect();
        let one = [opened("query"), opened("query"), opened("not.sealed")];
        for (leaf, present) in [
            (0, &every[..]),
            (1, &one[..]),
            (2, &every[..]),
            (3, &[][..]),
        ] {
            w.feed(leaf, Hash32([0; 32]), &access("app", leaf, FIELDS), present)
                .unwrap();
        }
        let r = w.sealed_records();
        for k in 1..4 {
            assert!(Arc::ptr_eq(&r[0].sealed, &r[k].sealed), "record {k}");
        }
        assert!(Arc::ptr_eq(&r[0].present, &r[2].present));
        assert!(Arc::ptr_eq(
            &r[0].facts.data_categories,
            &r[3].facts.data_categories
        ));
        assert_eq!(r[0].present.len(), FIELDS.len());
        // A repeated disclosure counts once; one of a field the record does not seal, never.
        assert_eq!(&r[1].present[..], &[FieldPath::parse("query").unwrap()]);
        let missing: Vec<String> = r[1].missing().map(ToString::to_string).collect();
        assert_eq!(missing, ["actor.user", "recipients.0", "recipients.1"]);
        assert!(r[3].present.is_empty());
        assert_eq!(r[3].missing().count(), FIELDS.len());
        // No deletion names them: no claim slots are kept.
        assert!(w.claimed_by.iter().all(Option::is_none));
        assert_eq!(erased_at(&w, 3, "query"), None);
    }

    #[test]
    fn first_deletion_wins_over_overlapping_targets_and_patterns() {
        let mut w = Walk::new(None);
        feed(&mut w, 0, &access("app", 0, FIELDS)).unwrap();
        feed(&mut w, 1, &access("app", 1, FIELDS)).unwrap();
        let d2 = erasure(
            0,
            vec![target(RangeType::Leaf, None, 0, 0, &["recipients.*"])],
        );
        feed(&mut w, 2, &d2).unwrap();
        let d3 = erasure(
            1,
            vec![
                target(
                    RangeType::Seq,
                    Some("app"),
                    0,
                    1,
                    &["query", "recipients.0"],
                ),
                target(RangeType::Leaf, None, 0, 1, &["recipients.1"]),
            ],
        );
        feed(&mut w, 3, &d3).unwrap();
        let d4 = erasure(2, vec![target(RangeType::Leaf, None, 0, 9, &[])]);
        feed(&mut w, 4, &d4).unwrap();
        // Leaf 0: recipients.* by the first, query by the second, the rest by the third.
        assert_eq!(erased_at(&w, 0, "recipients.0"), Some(2));
        assert_eq!(erased_at(&w, 0, "recipients.1"), Some(2));
        assert_eq!(erased_at(&w, 0, "query"), Some(3));
        assert_eq!(erased_at(&w, 0, "actor.user"), Some(4));
        // Leaf 1: the first deletion does not name it.
        assert_eq!(erased_at(&w, 1, "recipients.0"), Some(3));
        assert_eq!(erased_at(&w, 1, "recipients.1"), Some(3));
        assert_eq!(erased_at(&w, 1, "query"), Some(3));
        assert_eq!(erased_at(&w, 1, "actor.user"), Some(4));
        // Not a sealed field of the record, not a record with sealed fields.
        assert_eq!(erased_at(&w, 0, "subject"), None);
        assert_eq!(erased_at(&w, 2, "query"), None);
        assert!(w.open.is_empty());
        let counts: Vec<Option<u64>> = w.deletions()[1].targets.iter().map(|t| t.records).collect();
        assert_eq!(counts, vec![Some(2), Some(2)]);
    }

    #[test]
    fn seq_ranges_name_the_producers_records_by_seq() {
        let mut w = Walk::new(None);
        feed(&mut w, 0, &access("app", 5, FIELDS)).unwrap();
        feed(&mut w, 1, &access("other", 6, FIELDS)).unwrap();
        feed(&mut w, 2, &access("app", 6, FIELDS)).unwrap();
        feed(&mut w, 3, &access("app", 7, FIELDS)).unwrap();
        let d = erasure(
            0,
            vec![
                target(RangeType::Seq, Some("app"), 6, 9, &[]),
                // Backwards and producer-less ranges name nothing.
                target(RangeType::Seq, Some("app"), 5, 4, &[]),
                target(RangeType::Seq, None, 0, u64::MAX, &[]),
            ],
        );
        feed(&mut w, 4, &d).unwrap();
        for f in FIELDS {
            assert_eq!(erased_at(&w, 0, f), None, "{f}");
            assert_eq!(erased_at(&w, 1, f), None, "{f}");
            assert_eq!(erased_at(&w, 2, f), Some(4), "{f}");
            assert_eq!(erased_at(&w, 3, f), Some(4), "{f}");
        }
        let counts: Vec<Option<u64>> = w.deletions()[0].targets.iter().map(|t| t.records).collect();
        assert_eq!(counts, vec![Some(2), Some(0), Some(0)]);
        // Seqs out of order: the seq-range count is not kept, coverage still is.
        feed(&mut w, 5, &access("app", 1, FIELDS)).unwrap();
        let d = erasure(
            1,
            vec![target(RangeType::Seq, Some("app"), 0, 5, &["query"])],
        );
        feed(&mut w, 6, &d).unwrap();
        assert_eq!(w.deletions()[1].targets[0].records, None);
        assert_eq!(erased_at(&w, 0, "query"), Some(6));
        assert_eq!(erased_at(&w, 5, "query"), Some(6));
        assert_eq!(erased_at(&w, 5, "actor.user"), None);
        assert_eq!(erased_at(&w, 1, "query"), None);
    }

    #[test]
    fn a_repeated_seq_is_named_by_its_latest_record() {
        let mut w = Walk::new(None);
        feed(&mut w, 0, &access("app", 3, FIELDS)).unwrap();
        feed(&mut w, 1, &access("app", 3, FIELDS)).unwrap();
        let d = erasure(0, vec![target(RangeType::Seq, Some("app"), 3, 3, &[])]);
        feed(&mut w, 2, &d).unwrap();
        assert_eq!(erased_at(&w, 0, "query"), None);
        assert_eq!(erased_at(&w, 1, "query"), Some(2));
        assert_eq!(w.leaf_of(&ProducerId::new("app").unwrap(), 3), Some(1));
        let d = erasure(1, vec![target(RangeType::Leaf, None, 0, 0, &[])]);
        feed(&mut w, 3, &d).unwrap();
        assert_eq!(erased_at(&w, 0, "query"), Some(3));
        assert!(w.open.is_empty());
        assert!(w.producers.values().all(|r| r.open.is_empty()));
    }

    #[test]
    fn a_deletion_does_not_cover_records_after_it() {
        let mut w = Walk::new(None);
        feed(&mut w, 0, &access("app", 0, FIELDS)).unwrap();
        let d = erasure(
            0,
            vec![
                target(RangeType::Leaf, None, 0, u64::MAX, &[]),
                target(RangeType::Seq, Some("app"), 0, u64::MAX, &[]),
            ],
        );
        feed(&mut w, 1, &d).unwrap();
        feed(&mut w, 2, &access("app", 1, FIELDS)).unwrap();
        for f in FIELDS {
            assert_eq!(erased_at(&w, 0, f), Some(1), "{f}");
            assert_eq!(erased_at(&w, 2, f), None, "{f}");
        }
        // The claim itself still reads as covering the later record; the walk does not.
        let app = ProducerId::new("app").unwrap();
        let query = FieldPath::parse("query").unwrap();
        assert!(!w.deletions()[0].covers(2, &app, 1, &query));
        assert!(w.deletions()[0].covers(0, &app, 0, &query));
    }

    /// `deletion_of` agrees with the first deletion whose `covers` holds, over a mixed log.
    #[test]
    fn deletion_of_is_the_first_deletion_that_covers() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let producers = ["app", "web"];
        let patterns: &[&[&str]] = &[
            &[],
            &["query"],
            &["recipients.*"],
            &["recipients.1", "actor.user"],
        ];
        let mut w = Walk::new(None);
        let mut seqs = [0u64; 2];
        let mut del_seq = 0;
        for leaf in 0..300u64 {
            if next(4) == 0 {
                let targets = (0..1 + next(3))
                    .map(|_| {
                        let f = patterns[next(patterns.len() as u64) as usize];
                        let a = next(320);
                        let b = a + next(40);
                        if next(2) == 0 {
                            target(RangeType::Leaf, None, a, b, f)
                        } else {
                            let p = producers[next(2) as usize];
                            target(RangeType::Seq, Some(p), a / 2, b / 2, f)
                        }
                    })
                    .collect();
                feed(&mut w, leaf, &erasure(del_seq, targets)).unwrap();
                del_seq += 1;
            } else {
                let k = next(2) as usize;
                let fields = &FIELDS[next(2) as usize..];
                feed(&mut w, leaf, &access(producers[k], seqs[k], fields)).unwrap();
                seqs[k] += 1;
            }
        }
        let mut claimed = 0;
        for r in w.sealed_records() {
            let (p, seq) = (&r.facts.reference.producer, r.facts.reference.seq);
            for f in r.sealed.iter() {
                let expected = w
                    .deletions()
                    .iter()
                    .find(|d| d.covers(r.facts.leaf, p, seq, f))
                    .map(|d| d.leaf);
                let got = w.deletion_of(r.facts.leaf, f).map(|d| d.leaf);
                assert_eq!(got, expected, "leaf {} field {f}", r.facts.leaf);
                claimed += usize::from(got.is_some());
            }
        }
        assert!(claimed > 50, "the log exercises claims ({claimed})");
    }

    #[test]
    fn wide_deletions_cost_their_targets_not_the_log() {
        let mut w = Walk::new(None);
        for leaf in 0..2_000u64 {
            feed(&mut w, leaf, &access("app", leaf, FIELDS)).unwrap();
        }
        let every: Vec<Target> = (0..MAX_TARGETS)
            .map(|k| match k % 2 {
                0 => target(RangeType::Leaf, None, 0, u64::MAX, &[]),
                _ => target(RangeType::Seq, Some("app"), 0, u64::MAX, &[]),
            })
            .collect();
        for k in 0..500u64 {
            feed(&mut w, 2_000 + k, &erasure(k, every.clone())).unwrap();
        }
        assert_eq!(w.deletions().len(), 500);
        assert!(w.deletions().iter().all(|d| {
            d.targets.len() == MAX_TARGETS && d.targets.iter().all(|t| t.records == Some(2_000))
        }));
        // One claim per sealed field, nothing per (record, target).
        assert_eq!(w.claimed_by.len(), 2_000);
        assert_eq!(
            w.claimed_by
                .iter()
                .flatten()
                .map(|c| c.len())
                .sum::<usize>(),
            2_000 * FIELDS.len()
        );
        assert!(
            w.claimed_by
                .iter()
                .all(|c| c.as_ref().is_some_and(|c| c.iter().all(|c| *c == Some(0))))
        );
        assert!(w.open.is_empty());
        assert!(w.producers.values().all(|r| r.open.is_empty()));
        assert_eq!(erased_at(&w, 1_999, "query"), Some(2_000));
        assert_eq!(w.work_left, COVERAGE_WORK_CAP);
        assert_eq!(w.coverage_cut_off(), None);
    }

    #[test]
    fn field_patterns_that_claim_nothing_stop_at_the_work_cap() {
        let mut w = Walk::new(None).with_work_cap(40);
        for leaf in 0..20u64 {
            feed(&mut w, leaf, &access("app", leaf, &["actor.user", "query"])).unwrap();
        }
        // Claims are free: every query field, then nothing left to test but actor.user.
        let d = erasure(0, vec![target(RangeType::Leaf, None, 0, 19, &["query"])]);
        feed(&mut w, 20, &d).unwrap();
        assert_eq!(w.work_left, 40 - 20);
        assert_eq!(erased_at(&w, 19, "query"), Some(20));
        // Each record: one visit without a claim, one field times two patterns missed.
        let d = erasure(
            1,
            vec![target(
                RangeType::Leaf,
                None,
                0,
                19,
                &["recipients.*", "subject"],
            )],
        );
        let e = feed(&mut w, 21, &d).unwrap_err();
        assert_eq!(
            e,
            WalkError::WorkCap {
                leaf: 21,
                record: "sweeper#1 (retention-deletion)".into(),
                cap: 40,
            }
        );
        assert_eq!(e.leaf(), Some(21));
        assert!(!e.is_invalid_record());
        assert!(e.to_string().contains("cap of 40 steps"), "{e}");
        assert_eq!(w.coverage_cut_off(), Some(21));
        // Later deletions are kept but claim nothing; earlier claims stand.
        let d = erasure(2, vec![target(RangeType::Leaf, None, 0, 19, &[])]);
        let e = feed(&mut w, 22, &d).unwrap_err();
        assert_eq!(e.leaf(), Some(22));
        assert_eq!(w.deletions().len(), 3);
        assert_eq!(erased_at(&w, 0, "actor.user"), None);
        assert_eq!(erased_at(&w, 0, "query"), Some(20));
        assert_eq!(w.coverage_cut_off(), Some(21));
    }

    fn target(
        range: RangeType,
        producer: Option<&str>,
        first: u64,
        last: u64,
        f: &[&str],
    ) -> Target {
        Target {
            range,
            producer: producer.map(|p| ProducerId::new(p).unwrap()),
            first,
            last,
            fields: f.iter().map(|s| Ident::new(*s).unwrap()).collect(),
        }
    }

    #[test]
    fn targets_cover_by_seq_or_leaf_and_field_pattern() {
        let app = ProducerId::new("app").unwrap();
        let other = ProducerId::new("other").unwrap();
        let path = |s: &str| FieldPath::parse(s).unwrap();
        let t = target(
            RangeType::Seq,
            Some("app"),
            3,
            5,
            &["recipients.*", "actor.user"],
        );
        assert!(target_covers(&t, 99, &app, 3, &path("recipients.0")));
        assert!(target_covers(&t, 99, &app, 5, &path("actor.user")));
        assert!(!target_covers(&t, 99, &app, 6, &path("actor.user")));
        assert!(!target_covers(&t, 99, &other, 4, &path("actor.user")));
        assert!(!target_covers(&t, 99, &app, 4, &path("recipients")));
        assert!(!target_covers(&t, 99, &app, 4, &path("query")));
        let t = target(RangeType::Leaf, None, 10, 10, &[]);
        assert!(target_covers(&t, 10, &other, 0, &path("query")));
        assert!(!target_covers(&t, 11, &other, 0, &path("query")));
        let t = target(RangeType::Leaf, None, 10, 10, &["recipients.1"]);
        assert!(target_covers(&t, 10, &other, 0, &path("recipients.1")));
        assert!(!target_covers(&t, 10, &other, 0, &path("recipients.2")));
    }

    mod pairing {
        use super::*;
        use crate::record::sealed::SealedValue;

        /// Stored disclosures by stored leaf.
        struct Vault(BTreeMap<u64, Vec<Disclosure>>);

        impl DisclosureSource for Vault {
            fn readable(&self, leaf: u64) -> Result<Vec<Disclosure>, String> {
                Ok(self.0.get(&leaf).cloned().unwrap_or_default())
            }
        }

        fn disclosure(n: u64) -> Disclosure {
            Disclosure {
                salt: [n as u8; 16],
                path: FieldPath::parse("subject").unwrap(),
                value: SealedValue::Text(format!("subject {n}")),
            }
        }

        /// Record `n` (seq `n`), sealing the value `disclosure(n)` opens.
        fn record(n: u64) -> Payload {
            let mut p = access("query-frontend", n, &[]);
            p.sealed = vec![(
                FieldPath::parse("subject").unwrap(),
                disclosure(n).commitment(),
            )];
            p
        }

        /// Pair records `records` at leaves 0.. with `vault`.
        fn pair_all(vault: &Vault, records: &[u64]) -> (Vec<Paired>, Vec<DisclosureShift>) {
            let mut pairing = DisclosurePairing::new(vault);
            let paired = records
                .iter()
                .enumerate()
                .map(|(leaf, &n)| pairing.pair(leaf as u64, &record(n)).unwrap())
                .collect();
            (paired, pairing.finish())
        }

        fn stored(records: impl IntoIterator<Item = u64>) -> Vault {
            Vault(
                records
                    .into_iter()
                    .enumerate()
                    .map(|(leaf, n)| (leaf as u64, vec![disclosure(n)]))
                    .collect(),
            )
        }

        #[test]
        fn a_removed_record_is_one_shift_and_every_record_keeps_its_own() {
            // Stored for records 0..10; record 4 removed from the log afterwards.
            let vault = stored(0..10);
            let log: Vec<u64> = (0..10).filter(|&n| n != 4).collect();
            let (paired, shifts) = pair_all(&vault, &log);
            for (p, n) in paired.iter().zip(&log) {
                assert_eq!(p.present, vec![disclosure(*n)], "record {n}");
                assert!(p.foreign.is_empty(), "record {n}");
            }
            assert_eq!(shifts.len(), 1);
            let s = &shifts[0];
            assert_eq!(
                (s.from_leaf, s.offset, s.records, s.last_leaf),
                (4, 1, 5, 8)
            );
            // The removed record's disclosure, stored under leaf 4, is counted, not dropped.
            assert_eq!((s.orphaned, s.orphaned_at.clone()), (1, vec![4]));
        }

        #[test]
        fn an_inserted_record_shifts_the_other_way() {
            // Record 99 (never stored) inserted at leaf 3.
            let vault = stored(0..6);
            let (paired, shifts) = pair_all(&vault, &[0, 1, 2, 99, 3, 4, 5]);
            // The inserted record's leaf holds record 3's disclosure: a mismatch there.
            assert_eq!(paired[3].foreign, vec![disclosure(3)]);
            for (k, n) in [(4, 3), (5, 4), (6, 5)] {
                assert_eq!(paired[k].present, vec![disclosure(n)], "record {n}");
            }
            assert_eq!(shifts.len(), 1);
            assert_eq!((shifts[0].from_leaf, shifts[0].offset), (4, -1));
        }

        #[test]
        fn swapped_disclosures_are_found_by_commitment_and_never_given_to_another_record() {
            // Leaves 2 and 5 hold each other's disclosures; leaf 7 an altered one.
            let mut vault = stored(0..10);
            vault.0.insert(2, vec![disclosure(5)]);
            vault.0.insert(5, vec![disclosure(2)]);
            let mut altered = disclosure(7);
            altered.value = SealedValue::Text("altered".into());
            vault.0.insert(7, vec![altered.clone()]);
            let (paired, shifts) = pair_all(&vault, &(0..10).collect::<Vec<_>>());
            for n in [0, 1, 2, 3, 4, 5, 6, 8, 9] {
                assert_eq!(paired[n].present, vec![disclosure(n as u64)], "record {n}");
            }
            // Both moves are reported: record 2's under leaf 5, record 5's under leaf 2.
            let moves: Vec<(u64, i64, u64)> = shifts
                .iter()
                .map(|s| (s.from_leaf, s.offset, s.records))
                .collect();
            assert_eq!(moves, vec![(2, 3, 1), (5, -3, 1)]);
            // The altered one opens nothing: a mismatch, not paired.
            assert!(paired[7].present.is_empty());
            assert_eq!(paired[7].foreign, vec![altered]);
        }

        #[test]
        fn an_erased_record_is_not_looked_for_elsewhere() {
            let mut vault = stored(0..5);
            vault.0.remove(&2);
            let (paired, shifts) = pair_all(&vault, &[0, 1, 2, 3, 4]);
            assert!(shifts.is_empty());
            assert!(paired[2].present.is_empty() && paired[2].foreign.is_empty());
        }
    }
}
