//! Admission: which records the log accepts, as a pure function of the state.
//!
//! Owns the rules of docs/FORMAT.md §Admission. The log accepts a record only if
//! 1. it decodes strictly ([`Record::decode`]);
//! 2. its signer is the registration authority (for key-registration, key-revocation and
//!    producer-reset records, written under the authority's own producer id), or a key the
//!    authority registered for this producer and this kind and did not revoke;
//! 3. its signature verifies (strict Ed25519) with the log's origin as external AAD;
//! 4. it continues its producer's chain: `seq` is the next one and `prev` the previous
//!    record's leaf hash (a chain starts, or restarts after a declared reset, at seq 0 with
//!    an all-zero prev);
//! 5. every disclosure handed in with it opens one of its commitments.
//!
//! Accepting a record updates the state: producer heads, and for authority records the key
//! registry and resets. Nothing here does I/O.

use super::state::{KeyEntry, ProducerHead, State};
use crate::crypto::PublicKey;
use crate::record::kinds::Body;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;
use crate::record::{Disclosure, Kind, Record, RecordError, SealError};

/// Why the log refused a record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    #[error("{0}")]
    Malformed(RecordError),
    #[error("kid {kid} is not a key the registration authority registered (producer {producer})")]
    UnregisteredKey { kid: Hash32, producer: ProducerId },
    #[error("key {kid} is registered for producer {registered}, but the record says {found}")]
    WrongProducer {
        kid: Hash32,
        registered: ProducerId,
        found: ProducerId,
    },
    #[error("key {kid} of {producer} is not registered for {kind} records (allowed: {allowed})")]
    KindNotAllowed {
        kid: Hash32,
        producer: ProducerId,
        kind: Kind,
        allowed: String,
    },
    #[error("key {kid} of {producer} was revoked at leaf {revoked_at}")]
    Revoked {
        kid: Hash32,
        producer: ProducerId,
        revoked_at: u64,
    },
    #[error("{kind} records may only be signed by the registration authority")]
    AuthorityOnly { kind: Kind },
    #[error(
        "the registration authority signs only key-registration, key-revocation and \
         producer-reset records, not {kind}"
    )]
    AuthorityKind { kind: Kind },
    #[error("the registration authority writes as producer {expected}, the record says {found}")]
    AuthorityProducer {
        expected: ProducerId,
        found: ProducerId,
    },
    #[error("signature: {0}")]
    Signature(RecordError),
    #[error(
        "the sequencer's key registry holds an invalid key {kid} ({reason}): private/state is \
         corrupt"
    )]
    CorruptRegistry { kid: Hash32, reason: String },
    #[error(
        "{producer}: seq {found} does not continue the chain (next seq is {expected}); \
         records must be appended in order, without gaps or repeats"
    )]
    Seq {
        producer: ProducerId,
        expected: u64,
        found: u64,
    },
    #[error(
        "{producer} seq {seq}: prev {found} is not the leaf hash of its previous record ({expected})"
    )]
    Prev {
        producer: ProducerId,
        seq: u64,
        expected: Hash32,
        found: Hash32,
    },
    #[error("key {kid} is already registered (at leaf {at})")]
    DuplicateKey { kid: Hash32, at: u64 },
    #[error("key-revocation names key {kid}, which is not registered for {producer}")]
    RevokeUnknown { kid: Hash32, producer: ProducerId },
    #[error("disclosure {index}: {source}")]
    Disclosure { index: usize, source: SealError },
}

/// The registration authority as the log knows it (from its configuration).
#[derive(Debug, Clone)]
pub struct Authority {
    pub producer: ProducerId,
    pub key: PublicKey,
}

/// Decide whether `bytes` may become leaf `leaf_index` with leaf hash `leaf_hash`, and if so
/// apply its effects to `state`. On refusal `state` is unchanged. `presig` is the result of
/// checking the record's signature ahead of time with the key its kid names, if done.
#[allow(clippy::too_many_arguments)]
pub fn admit(
    state: &mut State,
    authority: &Authority,
    origin: &str,
    record: &Record,
    leaf_index: u64,
    leaf_hash: Hash32,
    disclosures: &[Disclosure],
    presig: Option<Result<(), RecordError>>,
) -> Result<(), Refusal> {
    // A signature checked ahead (in parallel) with the key of the same kid is reused: a kid
    // is the SHA-256 of exactly one key.
    let check = |key: &PublicKey| match presig.clone() {
        Some(r) => r,
        None => record.verify(key, origin),
    };
    // The authority in force: replaced by an authority-replacement registration, if any.
    let replaced = super::rotation::authority_in_force(state, authority);
    let authority = replaced.as_ref().unwrap_or(authority);
    let p = record.payload();
    let kind = p.kind();
    let kid = Hash32(*record.kid());
    let authority_kid = Hash32(authority.key.key_id());
    let is_authority_kind = matches!(
        kind,
        Kind::KeyRegistration | Kind::KeyRevocation | Kind::ProducerReset
    );
    if kid == authority_kid {
        if !is_authority_kind {
            return Err(Refusal::AuthorityKind { kind });
        }
        if p.producer != authority.producer {
            return Err(Refusal::AuthorityProducer {
                expected: authority.producer.clone(),
                found: p.producer.clone(),
            });
        }
        check(&authority.key).map_err(Refusal::Signature)?;
    } else {
        if is_authority_kind {
            return Err(Refusal::AuthorityOnly { kind });
        }
        let entry = state.key(&kid).ok_or_else(|| Refusal::UnregisteredKey {
            kid,
            producer: p.producer.clone(),
        })?;
        if entry.producer != p.producer {
            return Err(Refusal::WrongProducer {
                kid,
                registered: entry.producer.clone(),
                found: p.producer.clone(),
            });
        }
        if !entry.kinds.contains(&kind) {
            return Err(Refusal::KindNotAllowed {
                kid,
                producer: entry.producer.clone(),
                kind,
                allowed: entry
                    .kinds
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if let Some(at) = entry.revoked_at {
            return Err(Refusal::Revoked {
                kid,
                producer: entry.producer.clone(),
                revoked_at: at,
            });
        }
        match presig.clone() {
            Some(r) => r.map_err(Refusal::Signature)?,
            None => {
                // Parsing a key costs as much as a third of a verification: only when needed.
                let key = PublicKey::from_bytes(&entry.public_key.0).map_err(|e| {
                    Refusal::CorruptRegistry {
                        kid,
                        reason: e.to_string(),
                    }
                })?;
                record.verify(&key, origin).map_err(Refusal::Signature)?;
            }
        }
    }
    // The chain.
    let (expected_seq, expected_prev) = match state.producer(&p.producer) {
        Some(h) => (h.next_seq, h.head),
        None => (0, Hash32([0; 32])),
    };
    if p.seq != expected_seq {
        return Err(Refusal::Seq {
            producer: p.producer.clone(),
            expected: expected_seq,
            found: p.seq,
        });
    }
    if p.prev != expected_prev {
        return Err(Refusal::Prev {
            producer: p.producer.clone(),
            seq: p.seq,
            expected: expected_prev,
            found: p.prev,
        });
    }
    for (index, d) in disclosures.iter().enumerate() {
        p.check_disclosure(d)
            .map_err(|source| Refusal::Disclosure { index, source })?;
    }
    // Effects of authority records, checked before anything changes.
    match &p.body {
        Body::KeyRegistration(reg) => {
            let key = PublicKey::from_bytes(&reg.public_key.0)
                .expect("validated when the payload was decoded");
            let new_kid = Hash32(key.key_id());
            if let Some(existing) = state.key(&new_kid) {
                return Err(Refusal::DuplicateKey {
                    kid: new_kid,
                    at: existing.registered_at,
                });
            }
            state.keys.push(KeyEntry {
                kid: new_kid,
                producer: reg.producer.clone(),
                public_key: reg.public_key,
                kinds: reg.kinds.clone(),
                registered_at: leaf_index,
                revoked_at: None,
            });
        }
        Body::KeyRevocation(rev) => {
            let target = Hash32(crate::crypto::key_id(&rev.public_key.0));
            let entry = state
                .keys
                .iter_mut()
                .rev()
                .find(|k| k.kid == target && k.producer == rev.producer)
                .ok_or(Refusal::RevokeUnknown {
                    kid: target,
                    producer: rev.producer.clone(),
                })?;
            if entry.revoked_at.is_none() {
                entry.revoked_at = Some(leaf_index);
            }
        }
        _ => {}
    }
    state.set_producer(ProducerHead {
        producer: p.producer.clone(),
        next_seq: p.seq + 1,
        head: leaf_hash,
        last_leaf: leaf_index,
    });
    if let Body::ProducerReset(reset) = &p.body {
        // A declared gap: the named producer restarts its chain at seq 0.
        let last_leaf = state
            .producer(&reset.producer)
            .map_or(leaf_index, |h| h.last_leaf);
        state.set_producer(ProducerHead {
            producer: reset.producer.clone(),
            next_seq: 0,
            head: Hash32([0; 32]),
            last_leaf,
        });
    }
    Ok(())
}
