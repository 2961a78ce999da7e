//! `producer-heartbeat`: at a declared cadence, the producer states the application's own
//! counters since its previous heartbeat — counts kept independently of logging, so an
//! unlogged operation shows up as a mismatch. The heartbeat's own envelope (seq, prev)
//! carries the producer's head. Schema: `schemas/producer-heartbeat.cddl`.
//!
//! Legal source (shared/record-fields.md, "producer-heartbeat"; DESIGN.md check 4,
//! completeness): heartbeats go to the log and, out of band, to the auditor; missing
//! heartbeats and counters that differ from the records logged are findings. Nothing here
//! is personal: no sealed fields.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Kind, KindBody, SealedSpec};
use crate::record::rules::Violation;
use crate::record::text::Ident;
use crate::record::types::Timestamp;

/// One application counter.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Counter {
    /// The application's name for it, e.g. `queries-served`.
    #[n(0)]
    pub name: Ident,
    /// Operations counted in the period.
    #[n(1)]
    pub value: u64,
    /// The record kind each counted operation must have produced.
    #[n(2)]
    pub kind: Kind,
}

/// The public body of a producer-heartbeat record.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct ProducerHeartbeat {
    /// The declared cadence, in seconds.
    #[n(0)]
    pub cadence_secs: u64,
    #[n(1)]
    pub period_start: Timestamp,
    #[n(2)]
    pub period_end: Timestamp,
    #[n(3)]
    pub counters: Vec<Counter>,
}

impl KindBody for ProducerHeartbeat {
    const KIND: Kind = Kind::ProducerHeartbeat;
    const SEALED: &'static [SealedSpec] = &[];

    fn validate(&self) -> Result<(), Violation> {
        if self.cadence_secs == 0 {
            return Err(Violation::new(
                "producer-heartbeat.cadence-positive",
                "cadence_secs: must be positive",
            ));
        }
        if self.period_end < self.period_start {
            return Err(Violation::new(
                "producer-heartbeat.period-ordered",
                "period_end: before period_start",
            ));
        }
        for (i, c) in self.counters.iter().enumerate() {
            if self.counters[..i].iter().any(|o| o.name == c.name) {
                return Err(Violation::new(
                    "producer-heartbeat.counter-names-unique",
                    format!("counters.{i}.name: {} is listed twice", c.name),
                ));
            }
        }
        Ok(())
    }
}
