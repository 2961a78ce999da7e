//! `key-registration`: the registration authority binds a producer's public key to its
//! producer id and the record kinds it may emit, valid from this record's leaf.
//! Schema: `schemas/key-registration.cddl`. Signed by the registration authority, never by
//! the log operator; verifiers pin the authority's key.
//!
//! Legal source (shared/record-fields.md, "key-registration"; DESIGN.md trust model and
//! signature rule): a record is authentic only if signed by a key registered for its
//! producer and kind at that leaf; small-order and non-canonical keys are refused here.
//! Nothing here is personal: no sealed fields.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec, non_empty, unique};
use crate::crypto::PublicKey;
use crate::record::rules::Violation;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;

/// The public body of a key-registration record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct KeyRegistration {
    /// The producer the key may write as.
    #[n(0)]
    pub producer: ProducerId,
    /// The Ed25519 public key (32 bytes; small-order and non-canonical keys are refused).
    #[n(1)]
    pub public_key: Hash32,
    /// The kinds of record the key may sign.
    #[n(2)]
    pub kinds: Vec<Kind>,
}

impl KindBody for KeyRegistration {
    const KIND: Kind = Kind::KeyRegistration;
    const SEALED: &'static [SealedSpec] = &[];

    fn validate(&self) -> Result<(), Violation> {
        PublicKey::from_bytes(&self.public_key.0).map_err(|e| {
            Violation::new(
                "key-registration.public-key-valid",
                format!("public_key: {e}"),
            )
        })?;
        non_empty("key-registration.kinds-non-empty", "kinds", &self.kinds)?;
        unique("key-registration.kinds-unique", "kinds", &self.kinds)
    }
}
