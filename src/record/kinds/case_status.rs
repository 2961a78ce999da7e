//! `case-status`: a case was opened or closed, or a complaint about it is pending or
//! resolved — the trigger events that retention rules such as "6 months after the case is
//! closed" count from. Schema: `schemas/case-status.cddl`.
//!
//! Legal source (shared/record-fields.md, "legal-hold · case-status"; DSA 20(1)–(2) and 21
//! for the appeal window extended while a complaint is pending; LED Art 5 time limits).
//! The case is named publicly by a pseudonymous `case_id`; the case reference itself is
//! sealed. Like a legal hold, the records the event applies to are an explicit scope,
//! resolved by whoever may read the disclosures.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, MAX_SCOPE, SealedSpec, Seg, bounded, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::{RecordRef, Timestamp};

closed_enum!(
    /// What happened to the case.
    CaseEvent {
        Opened = 0, "opened";
        Closed = 1, "closed";
        ComplaintPending = 2, "complaint-pending";
        ComplaintResolved = 3, "complaint-resolved";
    }
);

/// The public body of a case-status record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct CaseStatus {
    #[n(0)]
    pub event: CaseEvent,
    /// A pseudonymous id of the case (never the case reference itself).
    #[n(1)]
    pub case_id: Ident,
    /// When the event took effect (rules count from here).
    #[n(2)]
    pub effective_at: Timestamp,
    /// Who declares it, e.g. the prosecution office or the platform's appeals team.
    #[n(3)]
    pub authority: Ident,
    /// The records whose retention counts from this event.
    #[n(4)]
    pub scope: Vec<RecordRef>,
    /// For a complaint: the appeal record it is about.
    #[n(5)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complaint: Option<RecordRef>,
}

const SEALED: &[SealedSpec] = &[SealedSpec {
    path: &[Seg::Name("case_ref")],
    class: ValueClass::Identifier,
    required: true,
    doc: "the case reference",
}];

impl KindBody for CaseStatus {
    const KIND: Kind = Kind::CaseStatus;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        let rule = "case-status.scope-list";
        bounded(rule, "scope", &self.scope, MAX_SCOPE)?;
        unique(rule, "scope", &self.scope)?;
        let complaint_event = matches!(
            self.event,
            CaseEvent::ComplaintPending | CaseEvent::ComplaintResolved
        );
        if self.complaint.is_some() && !complaint_event {
            return Err(Violation::new(
                "case-status.complaint-only-for-complaint-event",
                format!("complaint: only for a complaint event, not {}", self.event),
            ));
        }
        Ok(())
    }
}
