//! What a retention sweep at `at` must do, and what check 7 reports, for a set of records:
//! from their [`Schedule`]s and which sealed-field disclosures are still present.
//!
//! Owns: [`plan`] and [`Plan`] — plain data for `logseal retention plan` — and [`place`],
//! one record at a time, for the verifier (which keeps counts and aggregates, not a list per
//! record).
//! Infallible and pure: every decision was made in the schedule; the plan only sorts
//! records into due, overdue, held, not yet deletable, undetermined and in conflict.

use std::time::Duration;

use crate::record::kinds::retention_policy::Condition;
use crate::record::sealed::FieldPath;
use crate::record::types::{RecordRef, Timestamp};

use super::policy::RuleRef;
use super::schedule::{Bound, Conflict, RuleFinding, Schedule};

/// One record for the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRecord {
    pub schedule: Schedule,
    /// Sealed fields whose disclosures are still present.
    pub present: Vec<FieldPath>,
}

/// Deletion required: the deadline passed at most `grace` ago (due) or longer (overdue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem {
    pub record: RecordRef,
    pub leaf: u64,
    /// The governing cap.
    pub rule: RuleRef,
    /// The latest of the cap's due instant (after suspensions) and the earliest deletion.
    pub deadline: Timestamp,
    pub fields: Vec<FieldPath>,
    /// `at − deadline`: how long the data has been kept too long.
    pub late_by: Duration,
}

/// Deletion suspended: a legal hold (or a cap's own condition) holds at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldItem {
    pub record: RecordRef,
    pub leaf: u64,
    pub condition: Condition,
    /// Hold ids or case ids.
    pub sources: Vec<String>,
    /// The caps' determined due instant before the hold, if any.
    pub cap_due: Option<Timestamp>,
    pub fields: Vec<FieldPath>,
}

/// A minimum forbids deletion at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotYetItem {
    pub record: RecordRef,
    pub leaf: u64,
    /// `At(t)`: not before t; otherwise why it is open.
    pub not_before: Bound,
}

/// A cap whose due instant cannot be determined at `at` (trigger not happened).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeterminedItem {
    pub record: RecordRef,
    pub leaf: u64,
    pub due: Bound,
}

/// A record's conflict or declared-rule finding, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub record: RecordRef,
    pub leaf: u64,
    pub item: T,
}

/// The plan at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub at: Timestamp,
    pub grace: Duration,
    pub due: Vec<DueItem>,
    pub overdue: Vec<DueItem>,
    pub held: Vec<HeldItem>,
    pub not_yet: Vec<NotYetItem>,
    pub undetermined: Vec<UndeterminedItem>,
    pub conflicts: Vec<Located<Conflict>>,
    pub rule_findings: Vec<Located<RuleFinding>>,
}

fn locate<T>(s: &Schedule, item: T) -> Located<T> {
    Located {
        record: s.record.clone(),
        leaf: s.leaf,
        item,
    }
}

fn ms(d: u64) -> Duration {
    Duration::from_millis(d)
}

/// Where one record goes in a plan at `at` ([`place`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    Due(DueItem),
    Overdue(DueItem),
    Held(HeldItem),
    NotYet(NotYetItem),
    Undetermined(UndeterminedItem),
    /// Nothing to do: no disclosure left, no cap due and no minimum running, or a cap due
    /// before a minimum allows it (reported as the schedule's conflict).
    Nothing,
}

/// Sort `records` at `at`. `grace`: how long after its deadline a deletion still counts as
/// on time (a sweep's cadence); later is `overdue`.
pub fn plan(records: &[PlanRecord], at: Timestamp, grace: Duration) -> Plan {
    let mut p = Plan {
        at,
        grace,
        ..Plan::default()
    };
    for r in records {
        p.add(&r.schedule, &r.present);
    }
    p
}

impl Plan {
    /// Add one record: its schedule at `self.at` and the sealed fields still `present`.
    pub fn add(&mut self, s: &Schedule, present: &[FieldPath]) {
        self.rule_findings
            .extend(s.findings.iter().cloned().map(|item| locate(s, item)));
        self.conflicts
            .extend(s.conflicts.iter().cloned().map(|item| locate(s, item)));
        match place(s, present, self.at, self.grace) {
            Placed::Due(d) => self.due.push(d),
            Placed::Overdue(d) => self.overdue.push(d),
            Placed::Held(h) => self.held.push(h),
            Placed::NotYet(n) => self.not_yet.push(n),
            Placed::Undetermined(u) => self.undetermined.push(u),
            Placed::Nothing => {}
        }
    }
}

/// Where the record of schedule `s` (at `at`), with the sealed fields still `present`, goes
/// in the plan; its conflicts and rule findings are the schedule's own.
pub fn place(s: &Schedule, present: &[FieldPath], at: Timestamp, grace: Duration) -> Placed {
    if present.is_empty() {
        return Placed::Nothing;
    }
    let cap_due = s.caps.iter().filter_map(|c| c.base).min();
    if !s.held_by.is_empty() {
        return Placed::Held(HeldItem {
            record: s.record.clone(),
            leaf: s.leaf,
            condition: Condition::LegalHold,
            sources: s.held_by.clone(),
            cap_due,
            fields: present.to_vec(),
        });
    }
    let min_blocks = match &s.earliest_deletion {
        Some(Bound::At(t)) if *t > at => Some(Bound::At(*t)),
        Some(Bound::At(_)) | None => None,
        Some(open) => Some(open.clone()),
    };
    match &s.due_at {
        Some(Bound::At(due)) if *due <= at => {
            if min_blocks.is_some() {
                // Reported in `conflicts` (the schedule found the cap due before the
                // minimum ends); never resolved here.
                return Placed::Nothing;
            }
            let not_before = s
                .earliest_deletion
                .as_ref()
                .and_then(Bound::instant)
                .unwrap_or_default();
            let deadline = (*due).max(not_before);
            let rule = s
                .caps
                .iter()
                .filter(|c| c.bound == Bound::At(*due))
                .map(|c| c.rule.clone())
                .next()
                .unwrap_or_else(|| s.caps[0].rule.clone());
            let late_by = ms(at.0 - deadline.0);
            let item = DueItem {
                record: s.record.clone(),
                leaf: s.leaf,
                rule,
                deadline,
                fields: present.to_vec(),
                late_by,
            };
            if late_by <= grace {
                Placed::Due(item)
            } else {
                Placed::Overdue(item)
            }
        }
        Some(Bound::ConditionOpen {
            condition, source, ..
        }) => Placed::Held(HeldItem {
            record: s.record.clone(),
            leaf: s.leaf,
            condition: *condition,
            sources: vec![source.clone()],
            cap_due,
            fields: present.to_vec(),
        }),
        Some(due @ Bound::TriggerPending(_)) => Placed::Undetermined(UndeterminedItem {
            record: s.record.clone(),
            leaf: s.leaf,
            due: due.clone(),
        }),
        Some(Bound::At(_)) | None => match min_blocks {
            Some(not_before) => Placed::NotYet(NotYetItem {
                record: s.record.clone(),
                leaf: s.leaf,
                not_before,
            }),
            None => Placed::Nothing,
        },
    }
}
