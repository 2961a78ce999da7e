//! Evidence bundles (`.lsb`): one deterministic CBOR file with the whole story of one account
//! or one person — the selected records, the records they depend on, only the chosen
//! disclosures, each record's inclusion proof against the first checkpoint that includes it,
//! consistency proofs to the newest checkpoint, the chains that prove a negative, and the
//! exporter's statements — verified offline against a trust file only (docs/FORMAT.md §12,
//! schemas/bundle.cddl).
//!
//! The pure API a renderer uses:
//! - [`Bundle::decode`] (strict: canonical CBOR, then the shape; errors name the place);
//! - [`verify()`] → [`Verified`]: the checkpoints ([`VerifiedCheckpoint`]), the records with
//!   their decoded public fields, disclosed values, inclusion checkpoint and time
//!   ([`VerifiedRecord`]), the negative-proof conclusions ([`ChainConclusion`]), the
//!   exporter's [`Statement`]s (never proofs), the trust anchors' fingerprints, and every
//!   [`crate::verify::Finding`] with its code and verdict;
//! - [`collect`]: what `logseal export` gathers from a log on site (no I/O of its own beyond
//!   the read layer it is given).
//!
//! Modules: [`format`] (the bytes), [`collect`] (selection, closure, chains, proofs),
//! [`verify`](mod@verify) (what the bytes prove), [`account`] (the person-readable account,
//! as data) and [`show`] (its text and HTML renderings). No printing, no clock.

pub mod account;
pub mod build;
pub mod collect;
pub mod format;
pub mod show;
pub mod vectors;
pub mod verify;

pub use format::{
    BUNDLE_FORMAT, Bundle, BundleError, Consistency, Entry, Export, MAGIC, NegativeChain, Role,
    Statement,
};
pub use verify::{
    AtSource, ChainConclusion, HeldCheckpoint, StatementsAuth, Verified, VerifiedCheckpoint,
    VerifiedRecord, verify, verify_holding,
};
