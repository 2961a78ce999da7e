//! The retention walk: one pass over a log's records in leaf order, gathering everything
//! retention decisions need — the policy timeline, trigger events, legal holds, the facts
//! of every record with sealed fields (with which disclosures can still be read) and the
//! retention-deletion records with their targets resolved to leaves.
//!
//! Owns: [`Walk`] (pure: fed decoded payloads and the disclosures the caller read),
//! [`walk_log`] (the same over a log's public store and a [`DisclosureSource`]), and target
//! matching ([`target_covers`]). Used by `logseal retention plan`, `retention apply` and the
//! verifier's check 7. With a policy authority given, a retention-policy record by any other
//! producer is not applied and is listed ([`Walk::unauthorised`]).
//!
//! A record that cannot be followed (a policy rejected by the timeline, a case sequence or
//! hold that does not fit) is an `Err` from [`Walk::feed`]; the walk stays usable (that
//! record's effect is left out, except that a case-status or hold release may have been
//! applied to the records of its scope before the one at fault), so a caller may stop or go
//! on. Memory: the facts and field paths of every record with sealed fields, and every
//! deletion (docs/RETENTION.md, "Not yet built").

use std::collections::{BTreeMap, HashMap};
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
use super::plan::{Plan, PlanRecord, plan};
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
}

impl WalkError {
    /// The leaf at fault (none for [`WalkError::Read`]).
    pub fn leaf(&self) -> Option<u64> {
        match self {
            WalkError::Decode { leaf, .. }
            | WalkError::Policy { leaf, .. }
            | WalkError::Event { leaf, .. }
            | WalkError::Hold { leaf, .. }
            | WalkError::Disclosures { leaf, .. } => Some(*leaf),
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

/// A record with sealed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedRecord {
    pub facts: RecordFacts,
    /// Every sealed field (the record's commitments), in the payload's order.
    pub sealed: Vec<FieldPath>,
    /// The sealed fields whose disclosures could be read, without repeats.
    pub present: Vec<FieldPath>,
}

impl SealedRecord {
    /// Sealed fields without a readable disclosure.
    pub fn missing(&self) -> impl Iterator<Item = &FieldPath> {
        self.sealed.iter().filter(|p| !self.present.contains(p))
    }
}

/// One target of a deletion, with the leaves of the earlier records with sealed fields its
/// range names (a seq range resolved through the producer's seq → leaf map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    pub target: Target,
    pub leaves: Vec<u64>,
}

/// A retention-deletion record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub leaf: u64,
    pub record: RecordRef,
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

/// Everything gathered over a log, in leaf order.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    authority: Option<ProducerId>,
    policies: PolicyTimeline,
    events: EventBook,
    holds: HoldBook,
    applied: Vec<AppliedPolicy>,
    unauthorised: Vec<UnauthorisedPolicy>,
    sealed: Vec<SealedRecord>,
    /// Producer → seq → index into `sealed`.
    by_seq: HashMap<ProducerId, BTreeMap<u64, usize>>,
    deletions: Vec<Deletion>,
    /// Leaf of a record with sealed fields → (deletion, target) naming it.
    deleted_by: HashMap<u64, Vec<(usize, usize)>>,
    last_leaf: Option<u64>,
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
            ..Walk::default()
        }
    }

    /// Take the record at `leaf` (leaves strictly increasing), with its leaf hash and the
    /// disclosures of its sealed fields that could be read (`present`; empty for a record
    /// without sealed fields). `Err`: the record's effect on policies, events or holds
    /// could not be applied (its facts are still kept).
    pub fn feed(
        &mut self,
        leaf: u64,
        leaf_hash: Hash32,
        p: &Payload,
        present: Vec<Disclosure>,
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
            Body::RetentionDeletion(body) => self.deletion(leaf, &own, body),
            _ => {}
        }
        if !p.sealed.is_empty() {
            let sealed: Vec<FieldPath> = p.sealed.iter().map(|(f, _)| f.clone()).collect();
            let mut paths: Vec<FieldPath> = Vec::new();
            for d in present {
                if sealed.contains(&d.path) && !paths.contains(&d.path) {
                    paths.push(d.path);
                }
            }
            let i = self.sealed.len();
            self.by_seq
                .entry(p.producer.clone())
                .or_default()
                .insert(p.seq, i);
            self.sealed.push(SealedRecord {
                facts: RecordFacts {
                    reference: own,
                    leaf,
                    kind: p.kind(),
                    data_categories,
                    occurred_at: p.occurred_at,
                    declared_rule: p.retention_rule.as_ref().map(|r| r.as_str().to_owned()),
                },
                sealed,
                present: paths,
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

    fn deletion(&mut self, leaf: u64, own: &RecordRef, body: &RetentionDeletion) {
        let d = self.deletions.len();
        let mut targets = Vec::with_capacity(body.targets.len());
        for (t, target) in body.targets.iter().enumerate() {
            let indices: Vec<usize> = match (target.range, &target.producer) {
                _ if target.first > target.last => Vec::new(),
                (RangeType::Leaf, _) => {
                    let lo = self.sealed.partition_point(|s| s.facts.leaf < target.first);
                    let hi = self.sealed.partition_point(|s| s.facts.leaf <= target.last);
                    (lo..hi.max(lo)).collect()
                }
                (RangeType::Seq, Some(producer)) => self
                    .by_seq
                    .get(producer)
                    .map(|m| m.range(target.first..=target.last).map(|(_, i)| *i))
                    .into_iter()
                    .flatten()
                    .collect(),
                (RangeType::Seq, None) => Vec::new(),
            };
            let leaves: Vec<u64> = indices.iter().map(|&i| self.sealed[i].facts.leaf).collect();
            for l in &leaves {
                self.deleted_by.entry(*l).or_default().push((d, t));
            }
            targets.push(ResolvedTarget {
                target: target.clone(),
                leaves,
            });
        }
        self.deletions.push(Deletion {
            leaf,
            record: own.clone(),
            body: body.clone(),
            targets,
        });
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
        let i = *self.by_seq.get(producer)?.get(&seq)?;
        Some(self.sealed[i].facts.leaf)
    }

    /// Retention-deletion records, in leaf order.
    pub fn deletions(&self) -> &[Deletion] {
        &self.deletions
    }

    /// The deletions (with the target) whose range names the record with sealed fields at
    /// `leaf`, in leaf order; the field patterns are not looked at.
    pub fn deletions_naming(&self, leaf: u64) -> impl Iterator<Item = (&Deletion, &Target)> {
        self.deleted_by
            .get(&leaf)
            .into_iter()
            .flatten()
            .map(|&(d, t)| (&self.deletions[d], &self.deletions[d].body.targets[t]))
    }

    /// The first deletion (in leaf order) claiming `field` of the record at `leaf` erased.
    pub fn deletion_of(&self, leaf: u64, field: &FieldPath) -> Option<&Deletion> {
        let r = self.sealed_at(leaf)?;
        let (producer, seq) = (&r.facts.reference.producer, r.facts.reference.seq);
        self.deletions_naming(leaf)
            .find(|(d, t)| d.leaf > leaf && target_covers(t, leaf, producer, seq, field))
            .map(|(d, _)| d)
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
        let records = self
            .sealed
            .iter()
            .map(|r| {
                Ok(PlanRecord {
                    schedule: self.schedule(r, at)?,
                    present: r.present.clone(),
                })
            })
            .collect::<Result<Vec<_>, ScheduleError>>()?;
        Ok(plan(&records, at, grace))
    }

    /// The plan at `at` over every record that can be scheduled, and the errors of those
    /// that cannot (left out of the plan).
    pub fn plan_partial(&self, at: Timestamp, grace: Duration) -> (Plan, Vec<ScheduleError>) {
        let mut records = Vec::with_capacity(self.sealed.len());
        let mut errors = Vec::new();
        for r in &self.sealed {
            match self.schedule(r, at) {
                Ok(s) => records.push(PlanRecord {
                    schedule: s,
                    present: r.present.clone(),
                }),
                Err(e) => errors.push(e),
            }
        }
        (plan(&records, at, grace), errors)
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
                walk.feed(leaf, Hash32(alg.leaf(bytes)), p, present)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::text::Ident;

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
}
