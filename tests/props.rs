//! Property tests of the record core (64 cases each, sized for debug builds): CBOR
//! round-trips of random payloads, rejection of every single-byte change to a signed record,
//! and disclosures that open only their own commitment.

use logseal::cbor;
use logseal::crypto::SecretKey;
use logseal::record::kinds::data_access::{Action, Actor};
use logseal::record::kinds::producer_heartbeat::{Counter, ProducerHeartbeat};
use logseal::record::kinds::{Body, DataAccess, Kind};
use logseal::record::text::{Ident, ProducerId};
use logseal::record::types::{Hash32, Id16, Timestamp};
use logseal::record::{
    Payload, Record, RecordBuilder, SealError, SealedValue, SignedRecord, Status,
};
use proptest::prelude::*;

const ORIGIN: &str = "props.logseal.example/log";

fn key() -> SecretKey {
    SecretKey::from_seed(&[0x5a; 32])
}

/// NFC identifiers: ASCII and precomposed letters, spaces and hyphens.
fn ident() -> impl Strategy<Value = Ident> {
    "[a-zA-Z0-9äëïöüéßÅ][a-zA-Z0-9äëïöüéßÅ -]{0,40}".prop_map(|s| Ident::new(s).unwrap())
}

fn data_access() -> impl Strategy<Value = Body> {
    (
        prop::sample::select(Action::ALL),
        ident(),
        ident(),
        (ident(), ident(), prop::option::of(ident()), any::<bool>()),
        prop::collection::btree_set(ident(), 1..4),
        prop::option::of(any::<u64>()),
    )
        .prop_map(
            |(action, legal_basis, purpose, actor, cats, result_count)| {
                let transfer = action == Action::Transfer;
                Body::DataAccess(DataAccess {
                    action,
                    legal_basis,
                    purpose,
                    actor: Actor {
                        role: actor.0,
                        organisation: actor.1,
                        authorisation_id: actor.2,
                        break_glass: actor.3,
                    },
                    data_categories: cats.into_iter().collect(),
                    result_count,
                    destination_country: transfer.then(|| Ident::new("FR").unwrap()),
                    data_origin: None,
                    revealed: None,
                    revealed_ranges: None,
                })
            },
        )
}

fn heartbeat() -> impl Strategy<Value = Body> {
    (
        1..100_000u64,
        0..1u64 << 50,
        0..1u64 << 30,
        prop::collection::vec(any::<u64>(), 0..4),
    )
        .prop_map(|(cadence_secs, start, len, values)| {
            Body::ProducerHeartbeat(ProducerHeartbeat {
                cadence_secs,
                period_start: Timestamp(start),
                period_end: Timestamp(start + len),
                counters: values
                    .into_iter()
                    .enumerate()
                    .map(|(i, value)| Counter {
                        name: Ident::new(format!("counter-{i}")).unwrap(),
                        value,
                        kind: Kind::DataAccess,
                    })
                    .collect(),
            })
        })
}

fn payload() -> impl Strategy<Value = Payload> {
    (
        (0..1_000u64, any::<[u8; 32]>(), 0..1u64 << 50),
        prop::option::of(-1080..=1080i16),
        prop::option::of(ident()),
        (
            prop::option::of(any::<[u8; 16]>()),
            prop::option::of(any::<[u8; 16]>()),
            prop::option::of(any::<[u8; 16]>()),
        ),
        prop::sample::select(Status::ALL),
        prop::option::of("[a-z-]{1,20}@[0-9]{1,3}"),
        prop_oneof![data_access(), heartbeat()],
    )
        .prop_map(
            |((seq, mut prev, at), offset, pa, ids, status, rule, body)| {
                prev[0] |= 1;
                Payload {
                    producer: ProducerId::new("prop-producer").unwrap(),
                    seq,
                    prev: if seq == 0 {
                        Hash32([0; 32])
                    } else {
                        Hash32(prev)
                    },
                    occurred_at: Timestamp(at),
                    utc_offset_minutes: offset,
                    processing_activity: pa,
                    trace_id: ids.0.map(Id16),
                    operation_id: ids.1.map(Id16),
                    parent_operation_id: ids.2.map(Id16),
                    status,
                    retention_rule: rule.map(|r| Ident::new(r).unwrap()),
                    body,
                    sealed: vec![],
                }
            },
        )
}

/// A signed record: data-access records get actor.user and up to five more sealed fields.
fn signed() -> impl Strategy<Value = SignedRecord> {
    (
        payload(),
        prop::collection::vec((any::<[u8; 16]>(), ident()), 6),
        0..6usize,
    )
        .prop_map(|(p, values, extra)| {
            let is_access = p.kind() == Kind::DataAccess;
            let mut b = RecordBuilder::new(p);
            if is_access {
                let paths = [
                    "actor.user",
                    "subject",
                    "case_ref",
                    "recipients.0",
                    "recipients.1",
                    "order_ref",
                ];
                for (path, (salt, v)) in paths.iter().zip(values).take(1 + extra) {
                    b.seal(path, SealedValue::Text(v.as_str().into()), salt)
                        .unwrap();
                }
            }
            b.sign(&key(), ORIGIN).unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn payload_encode_decode_roundtrip(p in payload()) {
        let bytes = p.to_bytes();
        let back: Payload = cbor::decode_canonical(&bytes).unwrap();
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn signed_record_roundtrip(s in signed()) {
        let r = Record::decode_verified(&s.bytes, &key().public_key(), ORIGIN).unwrap();
        prop_assert_eq!(r.bytes(), s.bytes.as_slice());
        prop_assert_eq!(r.payload().sealed.len(), s.disclosures.len());
        for d in &s.disclosures {
            prop_assert!(r.payload().check_disclosure(d).is_ok());
        }
    }

    #[test]
    fn any_single_byte_change_is_rejected(
        s in signed(),
        pos in any::<prop::sample::Index>(),
        mask in 1..=255u8,
    ) {
        let mut b = s.bytes.clone();
        let i = pos.index(b.len());
        b[i] ^= mask;
        prop_assert!(
            Record::decode_verified(&b, &key().public_key(), ORIGIN).is_err(),
            "byte {} ^ {:#04x} accepted", i, mask
        );
    }

    #[test]
    fn a_disclosure_opens_only_its_own_commitment(s in signed(), flip in 0..16usize) {
        let r = Record::decode(&s.bytes).unwrap();
        for (i, d) in s.disclosures.iter().enumerate() {
            prop_assert!(r.payload().check_disclosure(d).is_ok());
            for (j, other) in s.disclosures.iter().enumerate().filter(|(j, _)| *j != i) {
                let mut moved = d.clone();
                moved.path = other.path.clone();
                let is_mismatch = matches!(
                    r.payload().check_disclosure(&moved),
                    Err(SealError::Mismatch { .. })
                );
                prop_assert!(is_mismatch, "disclosure {} opened field {}", i, j);
            }
            let mut salted = d.clone();
            salted.salt[flip] ^= 1;
            prop_assert!(r.payload().check_disclosure(&salted).is_err());
        }
    }
}
