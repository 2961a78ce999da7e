//! `notification`: a statement of reasons sent to the user about a sanction (DSA Art 17).
//! Schema: `schemas/notification.cddl`.
//!
//! Legal source (shared/record-fields.md, "notification"): DSA Art 17(1) (a clear and
//! specific statement of reasons to the affected recipient, at the latest when the
//! restriction is imposed) and 17(4) (in a clear and easily comprehensible language):
//! reference to the sanction record, channel, time, digest of the text sent, language and
//! delivery status. The text itself is kept by the platform and bound here by its BLAKE3
//! digest. Sealed: the recipient address.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec, Seg};
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
        Ok(())
    }
}
