//! `producer-reset`: the registration authority declares that a producer lost its state
//! and restarts its chain at seq 0 — a visible, declared gap rather than a hidden one.
//! Schema: `schemas/producer-reset.cddl`.
//!
//! Legal source (shared/record-fields.md, "producer-reset"; DESIGN.md check 4): declared
//! resets are reported by the verifier, never hidden. Signed by the registration authority.
//! Sealed: the free-text explanation of the incident (free text is sealed by default).

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec, Seg};
use crate::closed_enum;
use crate::record::rules::Violation;
use crate::record::sealed::ValueClass;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;

closed_enum!(
    /// Why the producer lost its chain state.
    ResetReason {
        StateLost = 0, "state-lost";
        RestoredFromBackup = 1, "restored-from-backup";
        HardwareReplaced = 2, "hardware-replaced";
        Other = 3, "other";
    }
);

/// The public body of a producer-reset record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct ProducerReset {
    /// The producer whose chain restarts at seq 0.
    #[n(0)]
    pub producer: ProducerId,
    #[n(1)]
    pub reason: ResetReason,
    /// The last seq the producer is known to have had logged, if any record was.
    #[n(2)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_known_seq: Option<u64>,
    /// The leaf hash of that record.
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_known_head: Option<Hash32>,
}

const SEALED: &[SealedSpec] = &[SealedSpec {
    path: &[Seg::Name("explanation")],
    class: ValueClass::FreeText,
    required: false,
    doc: "what happened to the producer's state",
}];

impl KindBody for ProducerReset {
    const KIND: Kind = Kind::ProducerReset;
    const SEALED: &'static [SealedSpec] = SEALED;

    fn validate(&self) -> Result<(), Violation> {
        match (self.last_known_seq, self.last_known_head) {
            (Some(_), None) => Err(Violation::new(
                "producer-reset.last-known-together",
                "last_known_head: required with last_known_seq",
            )),
            (None, Some(_)) => Err(Violation::new(
                "producer-reset.last-known-together",
                "last_known_seq: required with last_known_head",
            )),
            _ => Ok(()),
        }
    }
}
