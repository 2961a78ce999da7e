//! `appeal-decision`: the platform's decision on an appeal (DSA Art 20(4)–(6): decided
//! under the supervision of qualified staff, not solely by automated means).
//! Schema: `schemas/appeal-decision.cddl`.
//!
//! Legal source (shared/record-fields.md, "appeal-decision"): DSA 20(4) (decide in a
//! timely, diligent and non-arbitrary manner; reverse without undue delay when the
//! complaint is justified: `outcome`, `reinstated`), 20(5) (inform the complainant), 20(6)
//! (decisions under the supervision of appropriately qualified staff, not solely by
//! automated means: `human_review`, `reviewer_qualification`). `outcome` speaks of the
//! *sanction*: `upheld` means the sanction stands. Sealed: the reviewer and the explanation.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec, Seg};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::{RecordRef, Timestamp};

closed_enum!(
    /// What became of the sanction.
    AppealOutcome {
        Upheld = 0, "upheld";
        Reversed = 1, "reversed";
        PartiallyReversed = 2, "partially-reversed";
    }
);

/// The public body of an appeal-decision record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct AppealDecision {
    /// The appeal record decided on.
    #[n(0)]
    pub appeal: RecordRef,
    #[n(1)]
    pub decided_at: Timestamp,
    /// Whether a person reviewed the appeal.
    #[n(2)]
    pub human_review: bool,
    /// The reviewer's qualification, when a person reviewed it.
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer_qualification: Option<Ident>,
    #[n(4)]
    pub outcome: AppealOutcome,
    /// Whether the account or content was reinstated.
    #[n(5)]
    pub reinstated: bool,
    /// When the decision was communicated to the user (DSA 20(4)–(5)); absent: not yet, or
    /// not recorded.
    #[n(6)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communicated_at: Option<Timestamp>,
}

const SEALED: &[SealedSpec] = &[
    SealedSpec {
        path: &[Seg::Name("reviewer")],
        class: ValueClass::Identifier,
        required: false,
        doc: "who reviewed the appeal",
    },
    SealedSpec {
        path: &[Seg::Name("explanation")],
        class: ValueClass::FreeText,
        required: false,
        doc: "the reasons given to the user",
    },
];

impl KindBody for AppealDecision {
    const KIND: Kind = Kind::AppealDecision;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        if self.human_review && self.reviewer_qualification.is_none() {
            return Err(Violation::new(
                "appeal-decision.review-needs-qualification",
                "reviewer_qualification: required when a person reviewed the appeal",
            ));
        }
        if !self.human_review && self.reviewer_qualification.is_some() {
            return Err(Violation::new(
                "appeal-decision.qualification-only-with-review",
                "reviewer_qualification: set, but human_review is false",
            ));
        }
        if let Some(c) = self.communicated_at
            && c < self.decided_at
        {
            return Err(Violation::new(
                "appeal-decision.communicated-after-decided",
                format!(
                    "communicated_at: {} is before decided_at {}",
                    c.to_rfc3339(),
                    self.decided_at.to_rfc3339()
                ),
            ));
        }
        if self.outcome == AppealOutcome::Upheld && self.reinstated {
            return Err(Violation::new(
                "appeal-decision.upheld-not-reinstated",
                "reinstated: true, but the sanction was upheld",
            ));
        }
        Ok(())
    }
}
