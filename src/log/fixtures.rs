//! Hand-built records and logs for the unit tests of `src/` (one place, so that a change of
//! the record format changes one builder): envelopes, data-access bodies, and a small log
//! whose query front-end key is registered ([`Fixture`]).

use crate::crypto::{PublicKey, SecretKey};
use crate::log::{AppendItem, Log};
use crate::note::{Ed25519NoteKey, Ed25519NoteVerifier};
use crate::record::kinds::data_access::{Action, Actor};
use crate::record::kinds::{Body, DataAccess, KeyRegistration, Kind};
use crate::record::text::{Ident, ProducerId};
use crate::record::types::{Hash32, Timestamp};
use crate::record::{Payload, RecordBuilder, SealedValue, Status};
use crate::tree::TreeHashAlg;

pub(crate) const ORIGIN: &str = "log.example/test";

pub(crate) struct Fixture {
    pub dir: tempfile::TempDir,
    pub authority: SecretKey,
    pub producer: SecretKey,
    pub ra_seq: u64,
    pub ra_prev: Hash32,
}

/// An envelope of `producer` at `seq` after `prev`, `seq` seconds after 2026-03-01T09:30Z,
/// nothing sealed.
pub(crate) fn envelope(producer: &str, seq: u64, prev: Hash32, body: Body) -> Payload {
    Payload {
        producer: ProducerId::new(producer).unwrap(),
        seq,
        prev,
        occurred_at: Timestamp(1_772_357_400_000 + seq * 1000),
        utc_offset_minutes: None,
        processing_activity: None,
        trace_id: None,
        operation_id: None,
        parent_operation_id: None,
        status: Status::Ok,
        retention_rule: None,
        body,
        sealed: vec![],
    }
}

/// A data access by search (`nl-sv-126na`, an officer of `politie`, subscriber data, one
/// result), with no authorisation named and nothing sealed.
pub(crate) fn search_access() -> DataAccess {
    DataAccess {
        action: Action::Search,
        legal_basis: Ident::new("nl-sv-126na").unwrap(),
        purpose: Ident::new("criminal-investigation").unwrap(),
        actor: Actor {
            role: Ident::new("officer").unwrap(),
            organisation: Ident::new("politie").unwrap(),
            authorisation_id: None,
            break_glass: false,
        },
        data_categories: vec![Ident::new("subscriber-name-address").unwrap()],
        result_count: Some(1),
        destination_country: None,
        data_origin: None,
        revealed: None,
        revealed_ranges: None,
    }
}

/// A signed data access of the query front-end at `seq` after `prev`, `actor.user` sealed.
pub(crate) fn access(seq: u64, prev: Hash32, key: &SecretKey, origin: &str) -> AppendItem {
    let mut access = search_access();
    access.actor.authorisation_id = Some(Ident::new("auth-1").unwrap());
    access.result_count = Some(seq % 3);
    let body = Body::DataAccess(access);
    let mut b = RecordBuilder::new(envelope("query-frontend", seq, prev, body));
    b.seal(
        "actor.user",
        SealedValue::Text(format!("officer-{}", seq % 20)),
        [seq as u8; 16],
    )
    .unwrap();
    let s = b.sign(key, origin).unwrap();
    AppendItem {
        record: s.bytes,
        disclosures: s.disclosures,
    }
}

impl Fixture {
    pub fn new() -> (Fixture, Log) {
        let dir = tempfile::tempdir().unwrap();
        let authority = SecretKey::from_seed(&[1; 32]);
        let producer = SecretKey::from_seed(&[2; 32]);
        let log_key = Ed25519NoteKey::new(ORIGIN, SecretKey::from_seed(&[3; 32])).unwrap();
        let ra_vkey = Ed25519NoteVerifier::new("registration-authority", authority.public_key())
            .unwrap()
            .to_vkey();
        let path = dir.path().join("log");
        let mut log = Log::init(
            &path,
            &log_key,
            &ra_vkey,
            TreeHashAlg::Sha256,
            1_772_357_000,
        )
        .unwrap();
        let mut f = Fixture {
            dir,
            authority,
            producer,
            ra_seq: 0,
            ra_prev: Hash32([0; 32]),
        };
        let reg = f.registration(
            f.producer.public_key(),
            vec![Kind::DataAccess],
            "query-frontend",
        );
        log.append(&[reg]).unwrap();
        (f, log)
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("log")
    }

    pub fn registration(&mut self, key: PublicKey, kinds: Vec<Kind>, producer: &str) -> AppendItem {
        let body = Body::KeyRegistration(KeyRegistration {
            producer: ProducerId::new(producer).unwrap(),
            public_key: Hash32(*key.as_bytes()),
            kinds,
        });
        let p = envelope("registration-authority", self.ra_seq, self.ra_prev, body);
        let s = RecordBuilder::new(p).sign(&self.authority, ORIGIN).unwrap();
        self.ra_seq += 1;
        self.ra_prev = Hash32(TreeHashAlg::Sha256.leaf(&s.bytes));
        AppendItem {
            record: s.bytes,
            disclosures: vec![],
        }
    }
}

/// Build `n` chained data-access items starting at `seq` after `prev`.
pub(crate) fn chain(f: &Fixture, seq: u64, prev: Hash32, n: u64) -> (Vec<AppendItem>, Hash32) {
    let mut prev = prev;
    let mut out = Vec::new();
    for s in seq..seq + n {
        let it = access(s, prev, &f.producer, ORIGIN);
        prev = Hash32(TreeHashAlg::Sha256.leaf(&it.record));
        out.push(it);
    }
    (out, prev)
}
