use super::kinds::DataAccess;
use super::kinds::data_access::{Action, Actor};
use super::text::{Ident, ProducerId};
use super::types::{Hash32, Timestamp};
use super::*;

pub(crate) fn sample_payload(seq: u64) -> Payload {
    Payload {
        producer: ProducerId::new("query-frontend").unwrap(),
        seq,
        prev: if seq == 0 {
            Hash32([0; 32])
        } else {
            Hash32([7; 32])
        },
        occurred_at: Timestamp(1_772_357_400_250),
        utc_offset_minutes: Some(60),
        processing_activity: Some(
            Ident::new("https://register.example/activities/cis-query").unwrap(),
        ),
        trace_id: None,
        operation_id: None,
        parent_operation_id: None,
        status: Status::Ok,
        retention_rule: Some(Ident::new("de-bdsg76-led-logs@1").unwrap()),
        body: Body::DataAccess(DataAccess {
            action: Action::Consult,
            legal_basis: Ident::new("nl-sv-126n").unwrap(),
            purpose: Ident::new("criminal-investigation").unwrap(),
            actor: Actor {
                role: Ident::new("police-officer").unwrap(),
                organisation: Ident::new("politie-eenheid-noord").unwrap(),
                authorisation_id: Some(Ident::new("auth-0017").unwrap()),
                break_glass: false,
            },
            data_categories: vec![Ident::new("subscriber-name-address").unwrap()],
            result_count: Some(1),
            destination_country: None,
            data_origin: None,
            revealed: None,
            revealed_ranges: None,
        }),
        sealed: vec![],
    }
}

fn key() -> SecretKey {
    SecretKey::from_seed(&[42; 32])
}

pub(crate) fn sample_record() -> SignedRecord {
    let mut b = RecordBuilder::new(sample_payload(3));
    b.seal(
        "actor.user",
        SealedValue::Text("officer-17".into()),
        [1; 16],
    )
    .unwrap()
    .seal("query", SealedValue::Text("+31612345678".into()), [2; 16])
    .unwrap()
    .seal("subject", SealedValue::Text("Jan de Vries".into()), [3; 16])
    .unwrap();
    b.sign(&key(), "example.org/log").unwrap()
}

#[test]
fn sign_decode_verify_roundtrip() {
    let s = sample_record();
    let r = Record::decode(&s.bytes).unwrap();
    r.verify(&key().public_key(), "example.org/log").unwrap();
    assert_eq!(r.payload().seq, 3);
    assert_eq!(r.payload().sealed.len(), 3);
    for d in &s.disclosures {
        r.payload().check_disclosure(d).unwrap();
    }
    assert_eq!(r.payload().to_bytes(), r.payload_bytes());
}

#[test]
fn wrong_origin_and_wrong_key_fail() {
    let s = sample_record();
    let r = Record::decode(&s.bytes).unwrap();
    assert!(matches!(
        r.verify(&key().public_key(), "other.example/log"),
        Err(RecordError::Signature(_))
    ));
    let other = SecretKey::from_seed(&[43; 32]).public_key();
    assert!(matches!(
        r.verify(&other, "example.org/log"),
        Err(RecordError::KeyIdMismatch { .. })
    ));
}

#[test]
fn every_single_byte_change_is_rejected() {
    let s = sample_record();
    let pk = key().public_key();
    for i in 0..s.bytes.len() {
        for delta in [1u8, 0x80] {
            let mut b = s.bytes.clone();
            b[i] ^= delta;
            assert!(
                Record::decode_verified(&b, &pk, "example.org/log").is_err(),
                "byte {i} ^ {delta:#x} accepted"
            );
        }
    }
}

#[test]
fn disclosure_opens_only_its_own_commitment() {
    let s = sample_record();
    let r = Record::decode(&s.bytes).unwrap();
    let mut d = s.disclosures[1].clone();
    d.path = s.disclosures[2].path.clone();
    assert!(matches!(
        r.payload().check_disclosure(&d),
        Err(SealError::Mismatch { .. })
    ));
}

#[test]
fn unknown_sealed_field_refused() {
    let mut b = RecordBuilder::new(sample_payload(0));
    assert!(
        b.seal("shoe_size", SealedValue::Text("44".into()), [0; 16])
            .is_err()
    );
    // The required sealed field actor.user is missing.
    assert!(matches!(
        b.sign(&key(), "o"),
        Err(RecordError::Invalid(
            PayloadError::MissingSealedField { .. }
        ))
    ));
}

#[test]
fn chain_start_rules() {
    let mut p = sample_payload(0);
    p.prev = Hash32([1; 32]);
    assert!(matches!(
        p.validate(),
        Err(PayloadError::PrevAtChainStart { .. })
    ));
    let mut p = sample_payload(5);
    p.prev = Hash32([0; 32]);
    assert!(matches!(
        p.validate(),
        Err(PayloadError::ZeroPrev { seq: 5 })
    ));
}

#[test]
fn oversize_rejected_before_parsing() {
    let big = vec![0u8; MAX_RECORD_LEN + 1];
    assert_eq!(
        Record::decode(&big),
        Err(RecordError::TooLarge {
            size: MAX_RECORD_LEN + 1
        })
    );
}

#[test]
fn utc_offsets_beyond_18_hours_are_refused_including_i16_min() {
    let valid = Record::decode(&sample_record().bytes)
        .unwrap()
        .payload()
        .clone();
    for ok in [-1080, 0, 1080] {
        let mut p = valid.clone();
        p.utc_offset_minutes = Some(ok);
        assert_eq!(p.validate(), Ok(()), "{ok}");
    }
    // i16::MIN has no positive counterpart: `abs` wraps to itself (or panics).
    for bad in [i16::MIN, i16::MIN + 1, -1081, 1081, i16::MAX] {
        let mut p = valid.clone();
        p.utc_offset_minutes = Some(bad);
        assert_eq!(
            p.validate(),
            Err(PayloadError::UtcOffset { found: bad }),
            "{bad}"
        );
        assert!(matches!(
            super::sign(&p, &key(), "example.org/log"),
            Err(RecordError::Invalid(PayloadError::UtcOffset { .. }))
        ));
    }
}
