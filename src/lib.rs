//! logseal: a forensic audit-log toolkit.
//!
//! Producers append signed CBOR records of every data access and every account sanction to
//! a Merkle log; a verifier proves completeness, ordering and retention deletions to an
//! independent party.
//!
//! Data flows one way: [`crypto`] → [`cbor`] → [`record`] (kinds, sealed fields, COSE) →
//! [`tree`] (RFC 9162 maths, proofs) → `tiles` (C2SP tlog-tiles layout) →
//! `note`/`checkpoint` (signed notes, cosignatures) → store → log → verify.
//! Beside the store, [`coord`] keeps one sequencer at a time on shared storage (an etcd
//! lease and a fencing token, docs/COORDINATION.md).
//! The library never parses arguments, prints, or exits; the `logseal` binary does.

pub mod bench;
pub mod bundle;
pub mod cbor;
pub mod checkpoint;
pub mod cli;
pub mod client;
pub mod coord;
pub mod crypto;
pub mod inspect;
pub mod log;
pub mod mirror;
pub mod mirror_private;
pub mod note;
pub mod producer;
pub mod receipt;
pub mod record;
pub mod report;
pub mod retention;
pub mod scenario;
pub mod serve;
pub mod store;
pub mod synth;
pub mod tiles;
pub mod timestamp;
pub mod tlog;
pub mod tree;
pub mod tui;
pub mod vectors;
pub mod verify;
