//! `key-revocation`: the registration authority ends a producer key's validity from this
//! record's leaf onward. Schema: `schemas/key-revocation.cddl`.
//!
//! Legal source (shared/record-fields.md, "key-registration · key-revocation"): revocation
//! says when (its leaf; the envelope's `occurred_at`) and why (rotation or compromise).
//! Signed by the registration authority, never by the log operator; verifiers pin the
//! authority's key (DESIGN.md, trust model). Nothing here is personal: no sealed fields.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec};
use crate::closed_enum;
use crate::crypto::PublicKey;
use crate::record::rules::Violation;
use crate::record::text::ProducerId;
use crate::record::types::{Hash32, Timestamp};

closed_enum!(
    /// Why a key stops being valid.
    RevocationReason {
        Rotation = 0, "rotation";
        Compromise = 1, "compromise";
        Retired = 2, "retired";
    }
);

/// The public body of a key-revocation record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct KeyRevocation {
    /// The producer the key was registered for.
    #[n(0)]
    pub producer: ProducerId,
    /// The revoked Ed25519 public key (32 bytes), as registered.
    #[n(1)]
    pub public_key: Hash32,
    #[n(2)]
    pub reason: RevocationReason,
    /// For a compromise: the earliest time the key may have been in other hands. Records
    /// signed with it after this instant are suspect even before the revocation's leaf.
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compromised_since: Option<Timestamp>,
}

impl KindBody for KeyRevocation {
    const KIND: Kind = Kind::KeyRevocation;
    const SEALED: &'static [SealedSpec] = &[];

    fn validate(&self) -> Result<(), Violation> {
        PublicKey::from_bytes(&self.public_key.0).map_err(|e| {
            Violation::new(
                "key-revocation.public-key-valid",
                format!("public_key: {e}"),
            )
        })?;
        if self.compromised_since.is_some() && self.reason != RevocationReason::Compromise {
            return Err(Violation::new(
                "key-revocation.compromised-since-only-compromise",
                format!(
                    "compromised_since: only for reason compromise, not {}",
                    self.reason
                ),
            ));
        }
        Ok(())
    }
}
