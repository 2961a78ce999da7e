//! Trigger events and pending conditions per record: what retention periods count from
//! ("6 months after the case is closed", "1 year after a report") and what extends a
//! minimum or suspends a cap while it lasts (a complaint or case pending).
//!
//! Owns: [`EventBook`], fed in leaf order from case-status, notification and
//! account-sanction bodies (or explicit events), and queried "as known at `at`": events
//! after `at` are ignored, so a verdict `--at T` is reproducible. Legal holds are kept
//! apart, in [`super::holds`]. Holds state only for records named in scopes and
//! references, never one entry per log record.

use std::collections::HashMap;

use crate::record::kinds::account_sanction::AccountSanction;
use crate::record::kinds::case_status::{CaseEvent, CaseStatus};
use crate::record::kinds::notification::Notification;
use crate::record::kinds::retention_policy::{Condition, Trigger};
use crate::record::types::{RecordRef, Timestamp};

/// A case-status sequence that cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    #[error(
        "case {case_id}, record {producer}#{seq}: event {event} at {at} is before the case's previous event at {previous} for this record"
    )]
    OutOfOrder {
        case_id: String,
        producer: String,
        seq: u64,
        event: CaseEvent,
        at: String,
        previous: String,
    },
    #[error(
        "case {case_id}, record {producer}#{seq}: complaint resolved at {at} but no complaint is pending"
    )]
    NothingPending {
        case_id: String,
        producer: String,
        seq: u64,
        at: String,
    },
}

/// An event a period may count from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerEvent {
    pub trigger: Trigger,
    pub at: Timestamp,
    /// `true`: from `at` on, the earlier event no longer counts (a closed case reopened).
    pub retracted: bool,
    /// Where it came from, for people (`case case-3e7f21`, `notification`).
    pub source: String,
}

/// A condition holding from `from` until `until` (`None`: not ended, as far as known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionSpan {
    pub condition: Condition,
    pub from: Timestamp,
    pub until: Option<Timestamp>,
    /// The case id or hold id it came from.
    pub source: String,
}

impl ConditionSpan {
    /// The span as known at `at`: `None` if it starts later; an end after `at` is unknown.
    pub fn known_at(&self, at: Timestamp) -> Option<ConditionSpan> {
        (self.from <= at).then(|| ConditionSpan {
            until: self.until.filter(|u| *u <= at),
            ..self.clone()
        })
    }
}

#[derive(Debug, Clone, Default)]
struct RecordEvents {
    triggers: Vec<TriggerEvent>,
    spans: Vec<ConditionSpan>,
    /// Per case id: the time of the last case event applied to this record.
    last_case_event: Vec<(String, Timestamp)>,
}

/// Trigger events and condition spans, per record reference.
#[derive(Debug, Clone, Default)]
pub struct EventBook {
    records: HashMap<RecordRef, RecordEvents>,
}

impl EventBook {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any event or condition names `record` (its schedule may then change with the
    /// reference time in ways its own dates do not show).
    pub fn names(&self, record: &RecordRef) -> bool {
        self.records.contains_key(record)
    }

    /// Record that `trigger` happened for `record` at `at` (e.g. `identification`, which
    /// no record kind carries yet).
    pub fn add_trigger(
        &mut self,
        record: &RecordRef,
        trigger: Trigger,
        at: Timestamp,
        source: &str,
    ) {
        self.entry(record).triggers.push(TriggerEvent {
            trigger,
            at,
            retracted: false,
            source: source.to_owned(),
        });
    }

    /// Record a condition span directly.
    pub fn add_span(&mut self, record: &RecordRef, span: ConditionSpan) {
        self.entry(record).spans.push(span);
    }

    /// A case-status record: for each record in its scope, `opened` starts `case-pending`
    /// (and retracts an earlier closure), `closed` ends it and is the `case-closed`
    /// trigger, `complaint-pending` / `complaint-resolved` start and end
    /// `complaint-pending`. All at `effective_at`.
    pub fn case_status(&mut self, body: &CaseStatus) -> Result<(), EventError> {
        let case = body.case_id.as_str();
        let at = body.effective_at;
        let source = format!("case {case}");
        for r in &body.scope {
            let ev = self.entry(r);
            if let Some((_, prev)) = ev.last_case_event.iter().find(|(c, _)| c == case)
                && at < *prev
            {
                return Err(EventError::OutOfOrder {
                    case_id: case.to_owned(),
                    producer: r.producer.to_string(),
                    seq: r.seq,
                    event: body.event,
                    at: at.to_rfc3339(),
                    previous: prev.to_rfc3339(),
                });
            }
            match ev.last_case_event.iter_mut().find(|(c, _)| c == case) {
                Some(slot) => slot.1 = at,
                None => ev.last_case_event.push((case.to_owned(), at)),
            }
            let close = |ev: &mut RecordEvents, condition| {
                let open =
                    ev.spans.iter_mut().rev().find(|s| {
                        s.condition == condition && s.source == source && s.until.is_none()
                    });
                match open {
                    Some(s) => {
                        s.until = Some(at);
                        true
                    }
                    None => false,
                }
            };
            match body.event {
                CaseEvent::Opened => {
                    if ev.triggers.iter().any(|t| t.trigger == Trigger::CaseClosed) {
                        ev.triggers.push(TriggerEvent {
                            trigger: Trigger::CaseClosed,
                            at,
                            retracted: true,
                            source: source.clone(),
                        });
                    }
                    if !ev.spans.iter().any(|s| {
                        s.condition == Condition::CasePending
                            && s.source == source
                            && s.until.is_none()
                    }) {
                        ev.spans.push(ConditionSpan {
                            condition: Condition::CasePending,
                            from: at,
                            until: None,
                            source: source.clone(),
                        });
                    }
                }
                CaseEvent::Closed => {
                    close(ev, Condition::CasePending);
                    ev.triggers.push(TriggerEvent {
                        trigger: Trigger::CaseClosed,
                        at,
                        retracted: false,
                        source: source.clone(),
                    });
                }
                CaseEvent::ComplaintPending => ev.spans.push(ConditionSpan {
                    condition: Condition::ComplaintPending,
                    from: at,
                    until: None,
                    source: source.clone(),
                }),
                CaseEvent::ComplaintResolved => {
                    if !close(ev, Condition::ComplaintPending) {
                        return Err(EventError::NothingPending {
                            case_id: case.to_owned(),
                            producer: r.producer.to_string(),
                            seq: r.seq,
                            at: at.to_rfc3339(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// A notification record (its own reference `own`): `notification-sent` at `sent_at`
    /// for the sanction it is about and for itself.
    pub fn notification(&mut self, own: &RecordRef, body: &Notification) {
        for r in [&body.sanction, own] {
            self.add_trigger(r, Trigger::NotificationSent, body.sent_at, "notification");
        }
    }

    /// An account-sanction record (its own reference `own`): its external report, if any,
    /// is the `report-made` trigger.
    pub fn sanction(&mut self, own: &RecordRef, body: &AccountSanction) {
        if let Some(report) = &body.external_report {
            let source = format!("external report {}", report.report_id);
            self.add_trigger(own, Trigger::ReportMade, report.time, &source);
        }
    }

    /// When `trigger` last happened for `record`, as known at `at`: the latest event at or
    /// before `at`, unless a retraction (a reopened case) followed it by `at`.
    pub fn trigger_time(
        &self,
        record: &RecordRef,
        trigger: Trigger,
        at: Timestamp,
    ) -> Option<&TriggerEvent> {
        let ev = self.records.get(record)?;
        let known = || {
            ev.triggers
                .iter()
                .filter(move |t| t.trigger == trigger && t.at <= at)
        };
        let last = known().filter(|t| !t.retracted).max_by_key(|t| t.at)?;
        let retracted = known().any(|t| t.retracted && t.at > last.at);
        (!retracted).then_some(last)
    }

    /// The condition spans of `record` as known at `at`.
    pub fn spans(&self, record: &RecordRef, at: Timestamp) -> Vec<ConditionSpan> {
        self.records
            .get(record)
            .map(|ev| ev.spans.iter().filter_map(|s| s.known_at(at)).collect())
            .unwrap_or_default()
    }

    fn entry(&mut self, record: &RecordRef) -> &mut RecordEvents {
        self.records.entry(record.clone()).or_default()
    }
}
