//! `appeal`: a user's complaint against a sanction (DSA Art 20 internal complaint handling,
//! Art 21 out-of-court settlement). Schema: `schemas/appeal.cddl`.
//!
//! Legal source (shared/record-fields.md, "appeal"): DSA 20(1) (complaints lodged within
//! at least six months of the decision: the received time and the sanction record it is
//! against fix the window), 21 (out-of-court dispute settlement bodies). Sealed: what the
//! user wrote (free text).

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec, Seg};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::{RecordRef, Timestamp};

closed_enum!(
    /// How the appeal reached the platform.
    AppealChannel {
        ComplaintSystem = 0, "complaint-system";
        Email = 1, "email";
        Postal = 2, "postal";
        OutOfCourtBody = 3, "out-of-court-body";
    }
);

/// The public body of an appeal record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Appeal {
    /// The account-sanction record appealed against.
    #[n(0)]
    pub sanction: RecordRef,
    #[n(1)]
    pub received_at: Timestamp,
    #[n(2)]
    pub channel: AppealChannel,
    /// The certified out-of-court dispute settlement body (DSA 21), for that channel.
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settlement_body: Option<Ident>,
}

const SEALED: &[SealedSpec] = &[SealedSpec {
    path: &[Seg::Name("statement")],
    class: ValueClass::FreeText,
    required: false,
    doc: "what the user wrote in the appeal",
}];

impl KindBody for Appeal {
    const KIND: Kind = Kind::Appeal;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        match (self.channel, &self.settlement_body) {
            (AppealChannel::OutOfCourtBody, None) => Err(Violation::new(
                "appeal.out-of-court-needs-body",
                "settlement_body: required for channel out-of-court-body",
            )),
            (c, Some(_)) if c != AppealChannel::OutOfCourtBody => Err(Violation::new(
                "appeal.body-only-out-of-court",
                format!("settlement_body: only for channel out-of-court-body, not {c}"),
            )),
            _ => Ok(()),
        }
    }
}
