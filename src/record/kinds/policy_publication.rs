//! `policy-publication`: a platform publishes a version of its terms of service (with a
//! digest per clause), a hash-list snapshot it scans against, or the thresholds it applies,
//! so that sanctions can point at exactly what was in force. Schema:
//! `schemas/policy-publication.cddl`.
//!
//! Legal source (shared/record-fields.md, "policy-publication"): DSA Art 14 (terms and
//! conditions, including content moderation tools and algorithmic decision-making) and
//! Art 17(3)(e) (the sanction names the contractual clause relied on: account-sanction's
//! `terms_clause` points here); the hash-list snapshot and thresholds make detection
//! evidence checkable (a wrong list category once flagged stock images). Nothing here is
//! personal: no sealed fields.

use minicbor::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::account_sanction::HashAlgorithm;
use super::{Kind, KindBody, SealedSpec, bounded, unique};
use crate::record::rules::Violation;
use crate::record::text::Ident;
use crate::record::types::{Hash32, Timestamp};

/// Most clauses listed for one terms document.
pub const MAX_CLAUSES: usize = 512;

/// One clause of a terms document and the BLAKE3 digest of its text.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    #[n(0)]
    pub clause_id: Ident,
    #[n(1)]
    pub text_digest: Hash32,
}

/// A version of a terms-of-service document.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    #[n(0)]
    pub document_id: Ident,
    #[n(1)]
    pub version: Ident,
    /// BLAKE3 digest of the whole document as published.
    #[n(2)]
    pub digest: Hash32,
    /// Where it is published, e.g. a URL.
    #[n(3)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Ident>,
    #[n(4)]
    pub clauses: Vec<Clause>,
}

/// A snapshot of a hash list as fetched.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct HashListSnapshot {
    #[n(0)]
    pub operator: Ident,
    #[n(1)]
    pub list_name: Ident,
    #[n(2)]
    pub source_database: Ident,
    #[n(3)]
    pub category: Ident,
    #[n(4)]
    pub hash_algorithm: HashAlgorithm,
    #[n(5)]
    pub snapshot_digest: Hash32,
    #[n(6)]
    pub fetched_at: Timestamp,
    #[n(7)]
    pub entry_count: u64,
}

/// The largest distance counted as a match for a perceptual hash.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    #[n(0)]
    pub hash_algorithm: HashAlgorithm,
    #[n(1)]
    pub max_distance: u64,
}

/// The public body of a policy-publication record: at least one of the three parts.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Serialize, Deserialize)]
#[cbor(map)]
#[serde(deny_unknown_fields)]
pub struct PolicyPublication {
    /// When the published version takes effect.
    #[n(0)]
    pub effective_from: Timestamp,
    #[n(1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<Terms>,
    #[n(2)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_list: Option<HashListSnapshot>,
    #[n(3)]
    pub thresholds: Vec<Threshold>,
}

impl KindBody for PolicyPublication {
    const KIND: Kind = Kind::PolicyPublication;
    const SEALED: &'static [SealedSpec] = &[];

    fn validate(&self) -> Result<(), Violation> {
        if self.terms.is_none() && self.hash_list.is_none() && self.thresholds.is_empty() {
            return Err(Violation::new(
                "policy-publication.publishes-something",
                "terms: nothing published (terms, hash_list or thresholds)",
            ));
        }
        if let Some(t) = &self.terms {
            let rule = "policy-publication.clauses-list";
            bounded(rule, "terms.clauses", &t.clauses, MAX_CLAUSES)?;
            for (i, c) in t.clauses.iter().enumerate() {
                if t.clauses[..i].iter().any(|o| o.clause_id == c.clause_id) {
                    return Err(Violation::new(
                        rule,
                        format!(
                            "terms.clauses.{i}.clause_id: {} is listed twice",
                            c.clause_id
                        ),
                    ));
                }
            }
        }
        let algorithms: Vec<HashAlgorithm> =
            self.thresholds.iter().map(|t| t.hash_algorithm).collect();
        unique(
            "policy-publication.thresholds-unique",
            "thresholds",
            &algorithms,
        )?;
        for (i, t) in self.thresholds.iter().enumerate() {
            if !t.hash_algorithm.is_perceptual() {
                return Err(Violation::new(
                    "policy-publication.thresholds-perceptual",
                    format!(
                        "thresholds.{i}.hash_algorithm: {} is not a perceptual hash; thresholds are for near matches",
                        t.hash_algorithm
                    ),
                ));
            }
        }
        Ok(())
    }
}
