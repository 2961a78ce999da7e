//! `notification`: a statement of reasons sent to the user about a sanction (DSA Art 17).
//! Schema: `schemas/notification.cddl`.
//!
//! Legal source (shared/record-fields.md, "notification"): DSA Art 17(1) (a clear and
//! specific statement of reasons to the affected recipient, at the latest when the
//! restriction is imposed) and 17(4) (in a clear and easily comprehensible language):
//! reference to the sanction record, channel, time, digest of the text sent, language and
//! delivery status. The text itself is kept by the platform and bound here by its BLAKE3
//! digest. What the statement states (DSA 17(3)): the facts and circumstances, the ground,
//! whether detection and decision were automated, and the redress routes (17(3)(f)) — in
//! `statement`, so that check 8 can compare it with the sanction; `text_digest` alone proves
//! nothing a verifier can read. Sealed: the recipient address.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::account_sanction::{AutomatedDecision, DecisionGround};
use super::{Kind, KindBody, SealedSpec, Seg, unique};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::Ident;
use crate::record::types::{Hash32, RecordRef, Timestamp};

closed_enum!(
    /// How the statement was sent.
    Channel {
        Email = 0, "email";
        InApp = 1, "in-app";
        Sms = 2, "sms";
        Postal = 3, "postal";
    }
);

closed_enum!(
    /// What the channel reported back.
    DeliveryStatus {
        Queued = 0, "queued";
        Sent = 1, "sent";
        Delivered = 2, "delivered";
        Bounced = 3, "bounced";
        Failed = 4, "failed";
    }
);

closed_enum!(
    /// A redress route a statement of reasons names (DSA 17(3)(f)).
    Redress {
        /// The platform's internal complaint-handling system (DSA Art 20).
        InternalComplaint = 0, "internal-complaint";
        /// Out-of-court dispute settlement (DSA Art 21).
        OutOfCourtSettlement = 1, "out-of-court-settlement";
        /// Judicial redress.
        JudicialRedress = 2, "judicial-redress";
    }
);

/// What the statement of reasons states, as the platform's notifier recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct StatementContents {
    /// Whether it states the facts and circumstances relied on (DSA 17(3)(b)).
    #[n(0)]
    pub facts_and_circumstances: bool,
    /// The ground stated (DSA 17(3)(d)–(e)).
    #[n(1)]
    pub decision_ground: DecisionGround,
    /// The legal provision or terms clause stated, e.g. `de-stgb-184b`.
    #[n(2)]
    pub ground_reference: Ident,
    /// Whether it says detection was automated (DSA 17(3)(c)).
    #[n(3)]
    pub automated_detection: bool,
    /// What it says about automation of the decision (DSA 17(3)(c)).
    #[n(4)]
    pub automated_decision: AutomatedDecision,
    /// The redress routes it names (DSA 17(3)(f)).
    #[n(5)]
    pub redress: Vec<Redress>,
}

/// Checks a BCP 47 language tag's shape: 2–8 letter primary subtag, then `-`-separated
/// alphanumeric subtags of 1–8 characters.
pub(crate) fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=8).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The public body of a notification record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// The account-sanction record the statement is about.
    #[n(0)]
    pub sanction: RecordRef,
    #[n(1)]
    pub channel: Channel,
    #[n(2)]
    pub sent_at: Timestamp,
    /// BLAKE3 digest of the text sent.
    #[n(3)]
    pub text_digest: Hash32,
    /// BCP 47 language tag of the text, e.g. `nl` or `de-AT`.
    #[n(4)]
    pub language: Ident,
    #[n(5)]
    pub delivery_status: DeliveryStatus,
    /// What the statement states; absent in records written before it was recorded (check 8
    /// then reports the statement's contents as not recorded).
    #[n(6)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementContents>,
}

const SEALED: &[SealedSpec] = &[SealedSpec {
    path: &[Seg::Name("recipient_address")],
    class: ValueClass::Identifier,
    required: false,
    doc: "where the statement was sent (mail address, phone number, postal address)",
}];

impl KindBody for Notification {
    const KIND: Kind = Kind::Notification;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        if !is_language_tag(self.language.as_str()) {
            return Err(Violation::new(
                "notification.language-tag",
                format!("language: {:?} is not a BCP 47 language tag", self.language),
            ));
        }
        if let Some(st) = &self.statement {
            unique(
                "notification.statement-redress-unique",
                "statement.redress",
                &st.redress,
            )?;
        }
        Ok(())
    }
}
