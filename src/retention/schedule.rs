//! One record's retention schedule at an instant: the rules in force at its leaf that
//! cover it, the declared rule checked against them, the earliest deletion its minimums
//! allow, the instant its caps require deletion by, and every minimum-versus-cap conflict
//! (reported, never resolved).
//!
//! Owns: [`schedule`] and its plain-data result. Reads policies, trigger events and holds
//! through [`PolicyTimeline`], [`EventBook`] and [`HoldBook`]; never the clock (`at` is
//! given). Semantics: `docs/RETENTION.md`.

use crate::record::kinds::Kind;
use crate::record::kinds::retention_policy::{Condition, RuleKind, Trigger};
use crate::record::types::{RecordRef, Timestamp};

use super::events::{ConditionSpan, EventBook};
use super::holds::HoldBook;
use super::policy::{PolicyError, PolicyTimeline, Rule, RuleRef};

/// A schedule that cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScheduleError {
    #[error("record {producer}#{seq} at leaf {leaf}: {source}")]
    Rule {
        producer: String,
        seq: u64,
        leaf: u64,
        source: Box<PolicyError>,
    },
}

/// What the schedule needs to know about one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFacts {
    pub reference: RecordRef,
    pub leaf: u64,
    pub kind: Kind,
    /// The body's data categories (data-access); empty for kinds without them. Shared by
    /// the records with the same list.
    pub data_categories: std::sync::Arc<[String]>,
    pub occurred_at: Timestamp,
    /// The envelope's `retention_rule`, as written.
    pub declared_rule: Option<std::sync::Arc<str>>,
}

/// An instant, or why there is none yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    At(Timestamp),
    /// The event the period counts from has not happened (as known at `at`).
    TriggerPending(Trigger),
    /// A condition that extends the minimum or suspends the cap holds at `at`, end unknown.
    ConditionOpen {
        condition: Condition,
        since: Timestamp,
        source: String,
    },
}

impl Bound {
    pub fn instant(&self) -> Option<Timestamp> {
        match self {
            Bound::At(t) => Some(*t),
            _ => None,
        }
    }
}

/// One applicable `minimum` or `cap` rule, evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    pub rule: RuleRef,
    pub kind: RuleKind,
    /// When the trigger happened.
    pub trigger_at: Option<Timestamp>,
    /// Trigger + period, aligned: before extensions and suspensions.
    pub base: Option<Timestamp>,
    /// After extensions (minimum) or suspensions (cap).
    pub bound: Bound,
}

/// A finding about the record's declared `retention_rule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleFinding {
    /// No rule declared, though rules in force cover the record.
    Undeclared { covering: Vec<RuleRef> },
    /// Not of the form id@version.
    Malformed { declared: String, reason: String },
    /// No rule of that id is in force at the record's leaf.
    NotInForce { declared: RuleRef },
    /// The id is in force at the record's leaf, in another version.
    VersionMismatch {
        declared: RuleRef,
        in_force: RuleRef,
    },
    /// The rule is in force but does not cover the record's kind or data categories.
    NotCovering { declared: RuleRef, kind: Kind },
    /// A legal hold is active but no `hold-override` rule covering the record is in
    /// force; the hold is still honoured.
    HoldWithoutOverrideRule { holds: Vec<String> },
    /// No minimum or cap in force at the record's leaf covers it (a `hold-override` rule
    /// does not count): nothing says how long its sealed fields are kept.
    NoRule { kind: Kind },
}

/// A cap that requires deletion before a minimum allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub cap: RuleRef,
    pub cap_due: Timestamp,
    pub minimum: RuleRef,
    /// The minimum's earliest deletion: later than `cap_due`, or undetermined while the cap
    /// is already due.
    pub minimum_not_before: Bound,
}

/// One record's schedule at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub record: RecordRef,
    pub leaf: u64,
    pub at: Timestamp,
    pub declared: Option<RuleRef>,
    pub findings: Vec<RuleFinding>,
    pub minimums: Vec<RuleOutcome>,
    pub caps: Vec<RuleOutcome>,
    /// The `hold-override` rule covering the record, if one is in force at its leaf.
    pub hold_override: Option<RuleRef>,
    /// Hold ids active over the record at `at`.
    pub held_by: Vec<String>,
    /// Not before: the latest minimum; undetermined if any minimum is. `None`: no minimum.
    pub earliest_deletion: Option<Bound>,
    /// Delete by: the earliest determined cap; else why none is. `None`: no cap.
    pub due_at: Option<Bound>,
    pub conflicts: Vec<Conflict>,
}

/// Move `t` past every span (from `spans`, restricted to `conditions`) that has begun by
/// `t` and not ended by it; an open span gives [`Bound::ConditionOpen`].
fn extend(mut t: Timestamp, spans: &[ConditionSpan], conditions: &[Condition]) -> Bound {
    loop {
        let active = spans.iter().find(|s| {
            conditions.contains(&s.condition) && s.from <= t && s.until.is_none_or(|u| u > t)
        });
        match active {
            None => return Bound::At(t),
            Some(s) => match s.until {
                Some(u) => t = u,
                None => {
                    return Bound::ConditionOpen {
                        condition: s.condition,
                        since: s.from,
                        source: s.source.clone(),
                    };
                }
            },
        }
    }
}

/// The schedule of `record` as known at `at`.
pub fn schedule(
    record: &RecordFacts,
    policies: &PolicyTimeline,
    events: &EventBook,
    holds: &HoldBook,
    at: Timestamp,
) -> Result<Schedule, ScheduleError> {
    let in_force = policies.rules_at(record.leaf);
    let covering: Vec<&Rule> = in_force
        .iter()
        .copied()
        .filter(|r| r.covers(record.kind, &record.data_categories))
        .collect();

    let mut findings = Vec::new();
    let declared = match &record.declared_rule {
        None => {
            // A record declares the minimum or cap it is kept under; a hold-override rule
            // only says what a hold suspends, and is never declared.
            let timed: Vec<RuleRef> = covering
                .iter()
                .filter(|r| r.kind != RuleKind::HoldOverride)
                .map(|r| r.reference.clone())
                .collect();
            if !timed.is_empty() {
                findings.push(RuleFinding::Undeclared { covering: timed });
            }
            None
        }
        Some(text) => match RuleRef::parse(text) {
            Err(e) => {
                findings.push(RuleFinding::Malformed {
                    declared: text.to_string(),
                    reason: e.to_string(),
                });
                None
            }
            Ok(d) => {
                match policies.rule_in_force(&d.id, record.leaf) {
                    None => findings.push(RuleFinding::NotInForce {
                        declared: d.clone(),
                    }),
                    Some(r) if r.reference != d => findings.push(RuleFinding::VersionMismatch {
                        declared: d.clone(),
                        in_force: r.reference.clone(),
                    }),
                    Some(r) if !r.covers(record.kind, &record.data_categories) => {
                        findings.push(RuleFinding::NotCovering {
                            declared: d.clone(),
                            kind: record.kind,
                        })
                    }
                    Some(_) => {}
                }
                Some(d)
            }
        },
    };

    // A declared rule that does not apply is already a finding about the same gap.
    if findings.is_empty() && covering.iter().all(|r| r.kind == RuleKind::HoldOverride) {
        findings.push(RuleFinding::NoRule { kind: record.kind });
    }
    let hold_rules: Vec<&Rule> = covering
        .iter()
        .copied()
        .filter(|r| r.kind == RuleKind::HoldOverride)
        .collect();
    let held_by: Vec<String> = holds
        .holds_over(&record.reference, at)
        .into_iter()
        .map(|h| h.hold_id.clone())
        .collect();
    if hold_rules.is_empty() && !held_by.is_empty() {
        findings.push(RuleFinding::HoldWithoutOverrideRule {
            holds: held_by.clone(),
        });
    }
    let mut spans = events.spans(&record.reference, at);
    spans.extend(holds.spans(&record.reference, at));
    // A hold suspends every cap, whether or not a hold-override rule says so.
    let mut cap_extra: Vec<Condition> = vec![Condition::LegalHold];
    for r in &hold_rules {
        cap_extra.extend(r.conditions.iter().copied());
    }

    let rule_err = |source| ScheduleError::Rule {
        producer: record.reference.producer.to_string(),
        seq: record.reference.seq,
        leaf: record.leaf,
        source: Box::new(source),
    };
    let (mut minimums, mut caps) = (Vec::new(), Vec::new());
    for rule in covering.iter().filter(|r| r.kind != RuleKind::HoldOverride) {
        let Some(c) = &rule.computation else { continue };
        let trigger_at = match c.trigger {
            Trigger::OccurredAt => Some(record.occurred_at),
            t => events.trigger_time(&record.reference, t, at).map(|e| e.at),
        };
        let base = match trigger_at {
            Some(t) => rule.deadline(t).map_err(rule_err)?,
            None => None,
        };
        let bound = match base {
            None => Bound::TriggerPending(c.trigger),
            Some(b) => {
                let mut conditions = rule.conditions.clone();
                if rule.kind == RuleKind::Cap {
                    conditions.extend(cap_extra.iter().copied());
                }
                extend(b, &spans, &conditions)
            }
        };
        let outcome = RuleOutcome {
            rule: rule.reference.clone(),
            kind: rule.kind,
            trigger_at,
            base,
            bound,
        };
        match rule.kind {
            RuleKind::Cap => caps.push(outcome),
            _ => minimums.push(outcome),
        }
    }

    let earliest_deletion = (!minimums.is_empty()).then(|| {
        minimums
            .iter()
            .find(|m| m.bound.instant().is_none())
            .map(|m| m.bound.clone())
            .unwrap_or_else(|| {
                Bound::At(
                    minimums
                        .iter()
                        .filter_map(|m| m.bound.instant())
                        .max()
                        .unwrap_or_default(),
                )
            })
    });
    let due_at = (!caps.is_empty()).then(|| {
        caps.iter()
            .filter_map(|c| c.bound.instant())
            .min()
            .map(Bound::At)
            .or_else(|| {
                caps.iter()
                    .find(|c| matches!(c.bound, Bound::ConditionOpen { .. }))
                    .map(|c| c.bound.clone())
            })
            .unwrap_or_else(|| caps[0].bound.clone())
    });

    let mut conflicts = Vec::new();
    for cap in &caps {
        let Some(cap_due) = cap.bound.instant() else {
            continue;
        };
        for min in &minimums {
            let conflict = match min.bound.instant() {
                Some(t) => cap_due < t,
                None => cap_due <= at,
            };
            if conflict {
                conflicts.push(Conflict {
                    cap: cap.rule.clone(),
                    cap_due,
                    minimum: min.rule.clone(),
                    minimum_not_before: min.bound.clone(),
                });
            }
        }
    }

    Ok(Schedule {
        record: record.reference.clone(),
        leaf: record.leaf,
        at,
        declared,
        findings,
        minimums,
        caps,
        hold_override: hold_rules.first().map(|r| r.reference.clone()),
        held_by,
        earliest_deletion,
        due_at,
        conflicts,
    })
}
