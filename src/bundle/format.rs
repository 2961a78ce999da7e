//! The evidence bundle's bytes (`.lsb`, format 1): one deterministic CBOR map
//! (schemas/bundle.cddl, docs/FORMAT.md §12), decoded strictly — decode, re-encode, compare
//! bytes — and then checked for its shape (versions, ascending leaves and sizes, indexes in
//! range), every error naming the place.
//!
//! Owns only the encoding; what the contents prove is [`super::verify`]'s. Pure.

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};

use crate::cbor::{self, CborError};
use crate::record::types::Hash32;

/// The bundle format this code writes; a bundle of format 1 verifies with every later
/// logseal (docs/FORMAT.md §12.1).
pub const BUNDLE_FORMAT: u64 = 1;
/// The magic first map value: the file names itself.
pub const MAGIC: &str = "logseal-evidence-bundle";
/// The largest bundle decoded (bytes).
pub const MAX_BUNDLE_LEN: usize = 256 * 1024 * 1024;

/// One evidence bundle, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct Bundle {
    /// [`MAGIC`].
    #[n(0)]
    pub magic: String,
    /// [`BUNDLE_FORMAT`].
    #[n(1)]
    pub format: u64,
    /// The log's origin (checkpoint line 1, COSE external AAD of every record).
    #[n(2)]
    pub origin: String,
    /// The tree hash (`sha256` or `blake3`), as the trust file names it.
    #[n(3)]
    pub tree_hash: String,
    /// The signed checkpoint notes used, with every cosignature kept, ascending by tree size;
    /// the last is the newest.
    #[n(4)]
    pub checkpoints: Vec<ByteVec>,
    /// The records, ascending by leaf.
    #[n(5)]
    pub entries: Vec<Entry>,
    /// A consistency proof from each checkpoint but the newest to the newest.
    #[n(6)]
    pub consistency: Vec<Consistency>,
    /// The chains included to prove a negative.
    #[n(7)]
    pub chains: Vec<NegativeChain>,
    /// What the exporter observed and cannot be proven from the bundle.
    #[n(8)]
    pub statements: Vec<Statement>,
    /// The IANA time zone database version the exporter's retention deadlines used.
    #[n(9)]
    pub tzdb: String,
    /// The export itself.
    #[n(10)]
    pub export: Export,
    /// Reserved: the log's checkpoint history (signed notes) beyond those used.
    #[n(11)]
    pub history: Option<Vec<ByteVec>>,
    /// Reserved: witness cosignatures gathered after the checkpoints were published.
    #[n(12)]
    pub witness_cosignatures: Option<Vec<ByteVec>>,
    /// COSE receipts of inclusion (RFC 9942, [`crate::receipt`]), one per entry in the order
    /// of [`Bundle::entries`], each against the entry's first checkpoint and signed by the
    /// log's key; a zero-length item where none can be made (a tree of one leaf). SHA-256
    /// logs only: a BLAKE3 bundle has none (no registered verifiable data structure).
    #[n(13)]
    pub receipts: Option<Vec<ByteVec>>,
    /// A consistency proof from a checkpoint the recipient already holds to the newest.
    #[n(14)]
    pub from_checkpoint: Option<Consistency>,
    /// The exporter's Ed25519 signature (64 bytes) over [`Bundle::statements_message`], made
    /// with the key that signed the export's own data-access record. Absent: the statements
    /// are unsigned (a bundle written before it existed, or one it was stripped from).
    #[n(15)]
    pub statements_signature: Option<ByteVec>,
    /// RFC 3161 time-stamp responses over the checkpoints (docs/FORMAT.md §11.3.3), one per
    /// checkpoint in the order of [`Bundle::checkpoints`], a zero-length item where the log
    /// kept none. Absent: none carried (a log without a time-stamping authority, or a bundle
    /// written before it existed).
    #[n(16)]
    pub timestamps: Option<Vec<ByteVec>>,
}

/// The domain separator of the exporter's statements signature (docs/FORMAT.md §12).
pub const STATEMENTS_DOMAIN: &str = "logseal-bundle-statements-v1";

/// One record and what proves it.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct Entry {
    #[n(0)]
    pub leaf: u64,
    /// The COSE_Sign1 bytes exactly as in the log.
    #[n(1)]
    pub record: ByteVec,
    /// The disclosures revealed (`[salt, path, value]`, FORMAT.md §7.3), each opening one
    /// of the record's commitments; the other sealed fields stay commitments.
    #[n(2)]
    pub disclosures: Vec<ByteVec>,
    /// Index into [`Bundle::checkpoints`]: the first checkpoint that includes the record.
    #[n(3)]
    pub checkpoint: u64,
    /// Inclusion proof (RFC 9162 §2.1.3) of the leaf against that checkpoint.
    #[n(4)]
    pub inclusion: Vec<Hash32>,
    /// Why it is in the bundle ([`Role`] names).
    #[n(5)]
    pub roles: Vec<String>,
}

/// Why a record is in a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Chosen by the export's selection.
    Selected,
    /// Part of the selected records' story: refers to them, or they to it.
    Related,
    /// Referenced to support a conclusion: policies, publications, grants, registrations.
    Support,
    /// A record of a chain included to prove a negative.
    Chain,
    /// The export's own data-access record.
    Export,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Selected,
        Role::Related,
        Role::Support,
        Role::Chain,
        Role::Export,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Selected => "selected",
            Role::Related => "related",
            Role::Support => "support",
            Role::Chain => "chain",
            Role::Export => "export",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// A consistency proof from `from` (an index into [`Bundle::checkpoints`], or, for
/// [`Bundle::from_checkpoint`], the recipient's own checkpoint of that size) to the newest.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct Consistency {
    #[n(0)]
    pub from: u64,
    #[n(1)]
    pub proof: Vec<Hash32>,
}

/// A producer's records included to prove that it made no follow-up (check 8's rule).
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct NegativeChain {
    /// The record whose follow-up is missing (a sanction's leaf).
    #[n(0)]
    pub about: u64,
    /// The producer responsible for the follow-up (the rule's follower).
    #[n(1)]
    pub producer: String,
    /// The first and last leaf of the chain included (every record of the producer between
    /// them is in the bundle, unless `complete` is false).
    #[n(2)]
    pub first: u64,
    #[n(3)]
    pub last: u64,
    /// Why: the obligation, its deadline and the logging delay (in words).
    #[n(4)]
    pub why: String,
    /// False when the chain was longer than the export's bound and was cut (or no record of
    /// the producer after the deadline was in the log): a verifier then cannot prove it.
    #[n(5)]
    pub complete: bool,
}

/// One observation of the exporter about the private part, signed with the other statements
/// by the export's key ([`Bundle::statements_signature`]): the exporter's word, marked as a
/// statement, never as proven.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct Statement {
    /// The check it belongs to (7: retention).
    #[n(0)]
    pub check: u64,
    #[n(1)]
    pub code: String,
    /// `holds`, `violated`, `cannot-be-determined`, `notice`.
    #[n(2)]
    pub verdict: String,
    #[n(3)]
    pub leaf: Option<u64>,
    #[n(4)]
    pub message: String,
}

/// Who exported, when, and what was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct Export {
    /// The leaf of the export's own data-access record (an entry of the bundle).
    #[n(0)]
    pub access_leaf: u64,
    /// When the export ran (seconds since the epoch; the access record's time).
    #[n(1)]
    pub time: u64,
    /// The selection, in words (never a sealed value).
    #[n(2)]
    pub selection: String,
    /// The bound on a negative-proof chain (records).
    #[n(3)]
    pub max_chain: u64,
    /// The logseal version that wrote it.
    #[n(4)]
    pub software: String,
}

/// Why a bundle does not decode, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    #[error("the bundle is {len} bytes, more than the {MAX_BUNDLE_LEN} a bundle may be")]
    TooLarge { len: usize },
    #[error("the bundle is not canonical CBOR: {0}")]
    Cbor(#[from] CborError),
    #[error("{place}: {reason}")]
    Shape { place: String, reason: String },
}

impl BundleError {
    /// The stable code (`bundle-malformed`, or the CBOR rejection code).
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::Cbor(e) => e.code(),
            _ => "bundle-malformed",
        }
    }
}

fn shape(place: impl Into<String>, reason: impl Into<String>) -> BundleError {
    BundleError::Shape {
        place: place.into(),
        reason: reason.into(),
    }
}

impl Bundle {
    /// Strictly decode a bundle: canonical CBOR (RFC 8949 §4.2.1, re-encoded and compared),
    /// then its shape ([`Bundle::check_shape`]).
    pub fn decode(bytes: &[u8]) -> Result<Bundle, BundleError> {
        if bytes.len() > MAX_BUNDLE_LEN {
            return Err(BundleError::TooLarge { len: bytes.len() });
        }
        let b: Bundle = cbor::decode_canonical(bytes)?;
        b.check_shape()?;
        Ok(b)
    }

    /// What the exporter's statements signature covers: the deterministic CBOR array
    /// `[STATEMENTS_DOMAIN, origin, export access leaf, export time, bstr(CBOR of the
    /// statements)]`, so that a signature made for one export, log or time never verifies
    /// for another.
    pub fn statements_message(&self) -> Vec<u8> {
        let statements = cbor::to_vec(&self.statements);
        let mut e = minicbor::Encoder::new(Vec::new());
        let done: Result<(), minicbor::encode::Error<std::convert::Infallible>> = (|| {
            e.array(5)?
                .str(STATEMENTS_DOMAIN)?
                .str(&self.origin)?
                .u64(self.export.access_leaf)?
                .u64(self.export.time)?
                .bytes(&statements)?;
            Ok(())
        })();
        done.expect("writing to a Vec cannot fail");
        e.into_writer()
    }

    /// The canonical bytes.
    pub fn encode(&self) -> Vec<u8> {
        cbor::to_vec(self)
    }

    /// The structural rules a decoded bundle must meet (docs/FORMAT.md §12.2).
    pub fn check_shape(&self) -> Result<(), BundleError> {
        if self.magic != MAGIC {
            return Err(shape("magic (key 0)", format!("expected {MAGIC:?}")));
        }
        if self.format != BUNDLE_FORMAT {
            return Err(shape(
                "format (key 1)",
                format!(
                    "format {} is not known to this logseal (it reads format {BUNDLE_FORMAT}): \
                     use a later logseal",
                    self.format
                ),
            ));
        }
        if self.checkpoints.is_empty() {
            return Err(shape("checkpoints (key 4)", "no checkpoint"));
        }
        if self.entries.is_empty() {
            return Err(shape("entries (key 5)", "no record"));
        }
        let n = self.checkpoints.len() as u64;
        let mut prev = None;
        for (i, e) in self.entries.iter().enumerate() {
            if prev.is_some_and(|p| e.leaf <= p) {
                return Err(shape(
                    format!("entries[{i}].leaf"),
                    "leaves must ascend, each once",
                ));
            }
            prev = Some(e.leaf);
            if e.checkpoint >= n {
                return Err(shape(
                    format!("entries[{i}].checkpoint"),
                    format!("index {} past the {n} checkpoints", e.checkpoint),
                ));
            }
            if e.roles.is_empty() || e.roles.iter().any(|r| Role::parse(r).is_none()) {
                return Err(shape(format!("entries[{i}].roles"), "unknown or no role"));
            }
        }
        for (i, c) in self.consistency.iter().enumerate() {
            if c.from + 1 >= n {
                return Err(shape(
                    format!("consistency[{i}].from"),
                    "must name a checkpoint before the newest",
                ));
            }
        }
        if let Some(r) = &self.receipts {
            if self.tree_hash != "sha256" {
                return Err(shape(
                    "receipts (key 13)",
                    "COSE receipts exist for SHA-256 logs only (RFC9162_SHA256)",
                ));
            }
            if r.len() != self.entries.len() {
                return Err(shape(
                    "receipts (key 13)",
                    format!(
                        "{} receipts for {} entries: one per entry, in their order",
                        r.len(),
                        self.entries.len()
                    ),
                ));
            }
        }
        if let Some(t) = &self.timestamps
            && t.len() != self.checkpoints.len()
        {
            return Err(shape(
                "timestamps (key 16)",
                format!(
                    "{} time-stamp responses for {} checkpoints: one per checkpoint, in their \
                     order",
                    t.len(),
                    self.checkpoints.len()
                ),
            ));
        }
        if let Some((i, _)) = (self.timestamps.iter().flatten())
            .enumerate()
            .find(|(_, t)| t.len() > crate::timestamp::MAX_RESPONSE_SIZE)
        {
            return Err(shape(
                format!("timestamps[{i}] (key 16)"),
                format!("larger than {} bytes", crate::timestamp::MAX_RESPONSE_SIZE),
            ));
        }
        if self
            .statements_signature
            .as_ref()
            .is_some_and(|s| s.len() != crate::crypto::SIGNATURE_LEN)
        {
            return Err(shape(
                "statements_signature (key 15)",
                format!(
                    "an Ed25519 signature is {} bytes",
                    crate::crypto::SIGNATURE_LEN
                ),
            ));
        }
        if !self
            .entries
            .iter()
            .any(|e| e.leaf == self.export.access_leaf)
        {
            return Err(shape(
                "export.access_leaf",
                "the export's own data-access record is not among the entries",
            ));
        }
        Ok(())
    }
}
