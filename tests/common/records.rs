//! Hand-built records for the integration tests that build logs through the library (one
//! place, so that a change of the record format changes one builder): envelopes signed with
//! the scenario's keys and chained per producer ([`Chains`]), key registrations, and the
//! data access with two sealed fields that check 7's tests erase.

use std::collections::HashMap;

use logseal::log::{AppendItem, Log};
use logseal::record::kinds::data_access::{Action, Actor};
use logseal::record::kinds::{Body, DataAccess, KeyRegistration, Kind};
use logseal::record::text::{Ident, ProducerId};
use logseal::record::types::{Hash32, Timestamp};
use logseal::record::{Payload, RecordBuilder, SealedValue, Status};
use logseal::scenario;
use logseal::tree::TreeHashAlg;

/// The instant of an RFC 3339 text.
pub fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap().0
}

/// A record appended by [`Chains::append`].
#[derive(Debug, Clone, Copy)]
pub struct Appended {
    pub leaf: u64,
    pub seq: u64,
    pub leaf_hash: Hash32,
}

/// Each producer's head (next seq, last leaf hash), and the salts of the fields sealed so
/// far: records appended one at a time, each signed with its producer's scenario key.
#[derive(Debug, Default)]
pub struct Chains {
    heads: HashMap<String, (u64, Hash32)>,
    salt: u8,
}

impl Chains {
    /// Append one record of `producer` at `at`, declaring `rule`, with `sealed` fields (each
    /// under a salt of its own).
    pub fn append(
        &mut self,
        log: &mut Log,
        producer: &str,
        at: &str,
        rule: Option<&str>,
        body: Body,
        sealed: &[(&str, SealedValue)],
    ) -> Appended {
        let (seq, prev) = self.heads.get(producer).copied().unwrap_or_default();
        let p = Payload {
            producer: ProducerId::new(producer).unwrap(),
            seq,
            prev,
            occurred_at: t(at),
            utc_offset_minutes: None,
            processing_activity: None,
            trace_id: None,
            operation_id: None,
            parent_operation_id: None,
            status: Status::Ok,
            retention_rule: rule.map(|r| Ident::new(r).unwrap()),
            body,
            sealed: vec![],
        };
        let mut b = RecordBuilder::new(p);
        for (path, value) in sealed {
            self.salt = self.salt.wrapping_add(1);
            b.seal(path, value.clone(), [self.salt; 16]).unwrap();
        }
        let s = b
            .sign(&scenario::secret_key(producer), scenario::ORIGIN)
            .unwrap();
        let leaf_hash = Hash32(TreeHashAlg::Sha256.leaf(&s.bytes));
        let r = log
            .append(&[AppendItem {
                record: s.bytes,
                disclosures: s.disclosures,
            }])
            .unwrap();
        self.heads.insert(producer.to_owned(), (seq + 1, leaf_hash));
        Appended {
            leaf: r[0].leaf_index,
            seq,
            leaf_hash,
        }
    }

    /// How many fields were sealed so far (wrapping at 256).
    pub fn salt(&self) -> u8 {
        self.salt
    }
}

/// The registration authority's registration of `producer`'s scenario key for `kinds`.
pub fn registration(producer: &str, kinds: Vec<Kind>) -> Body {
    Body::KeyRegistration(KeyRegistration {
        producer: ProducerId::new(producer).unwrap(),
        public_key: Hash32(*scenario::secret_key(producer).public_key().as_bytes()),
        kinds,
    })
}

/// A data access by search of traffic data (an officer of `politie`, one result, no
/// authorisation named); [`two_sealed`] gives its sealed fields.
pub fn search_access() -> Body {
    Body::DataAccess(DataAccess {
        action: Action::Search,
        legal_basis: Ident::new("nl-sv-126na").unwrap(),
        purpose: Ident::new("criminal-investigation").unwrap(),
        actor: Actor {
            role: Ident::new("officer").unwrap(),
            organisation: Ident::new("politie").unwrap(),
            authorisation_id: None,
            break_glass: false,
        },
        data_categories: vec![Ident::new("traffic-data").unwrap()],
        result_count: Some(1),
        destination_country: None,
        data_origin: None,
        revealed: None,
        revealed_ranges: None,
    })
}

/// The two sealed fields of a [`search_access`] (`n` makes them unique): `actor.user` and
/// `query`.
pub fn two_sealed(n: impl std::fmt::Display) -> Vec<(&'static str, SealedValue)> {
    let n = n.to_string();
    vec![
        ("actor.user", SealedValue::Text(format!("officer-{n}"))),
        ("query", SealedValue::Text(format!("+31 6 {n:0>8}"))),
    ]
}
