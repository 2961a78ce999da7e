//! A small log for the verifier's CLI tests around check 7: the retention authority's
//! one-day cap over data accesses, data accesses with two sealed fields, built through the
//! library and verified through the real binary (`verify log --trust trust.json …`).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use logseal::log::{AppendItem, Log};
use logseal::record::kinds::data_access::{Action, Actor};
use logseal::record::kinds::{Body, DataAccess, KeyRegistration, Kind};
use logseal::record::text::{Ident, ProducerId};
use logseal::record::types::{Hash32, Timestamp};
use logseal::record::{Payload, RecordBuilder, SealedValue, Status};
use logseal::scenario::{self, AUTHORITY, ORIGIN};
use logseal::tree::TreeHashAlg;
use serde_json::{Value, json};

use crate::common;
use crate::common::tamper::{authority_vkey, log_key, trust_with};

pub const POLICY: &str = "retention-authority";

pub fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).unwrap().0
}

/// The log in `dir/log`; the trust file is written to `dir/trust.json`.
pub struct RetentionLog {
    pub dir: tempfile::TempDir,
    pub log: Log,
    heads: HashMap<String, (u64, Hash32)>,
    salt: u8,
}

impl RetentionLog {
    /// Registrations and the one-day cap (`c@1`), in force from 2026-03-01.
    pub fn new() -> RetentionLog {
        let dir = tempfile::tempdir().unwrap();
        let log = Log::init(
            &dir.path().join("log"),
            &log_key(),
            &authority_vkey(),
            TreeHashAlg::Sha256,
            t("2026-02-01T00:00:00Z").0 / 1000,
        )
        .unwrap();
        let mut l = RetentionLog {
            dir,
            log,
            heads: HashMap::new(),
            salt: 0,
        };
        for (producer, kinds) in [
            (POLICY, vec![Kind::RetentionPolicy]),
            ("app", vec![Kind::DataAccess]),
        ] {
            let body = Body::KeyRegistration(KeyRegistration {
                producer: ProducerId::new(producer).unwrap(),
                public_key: Hash32(*scenario::secret_key(producer).public_key().as_bytes()),
                kinds,
            });
            l.append(AUTHORITY, "2026-02-01T00:00:00Z", None, body, &[]);
        }
        let rules = json!([
            {"id": "c", "version": 1, "rule": "cap", "kinds": ["data-access"],
             "data_categories": [], "period": {"count": 1, "unit": "days"},
             "trigger": "occurred-at", "conditions": [], "legal_source": "test-cap"}
        ]);
        let body = serde_json::from_value(json!({
            "policy_id": "p", "version": 1, "authority": "dpo", "rules": rules
        }))
        .unwrap();
        l.append(
            POLICY,
            "2026-03-01T00:00:00Z",
            None,
            Body::RetentionPolicy(body),
            &[],
        );
        l
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn log_dir(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    fn append(
        &mut self,
        producer: &str,
        at: &str,
        rule: Option<&str>,
        body: Body,
        sealed: &[(&str, SealedValue)],
    ) -> u64 {
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
        let s = b.sign(&scenario::secret_key(producer), ORIGIN).unwrap();
        let hash = Hash32(TreeHashAlg::Sha256.leaf(&s.bytes));
        let r = self
            .log
            .append(&[AppendItem {
                record: s.bytes,
                disclosures: s.disclosures,
            }])
            .unwrap();
        self.heads.insert(producer.to_owned(), (seq + 1, hash));
        r[0].leaf_index
    }

    /// A data access at `at` under the cap, with two sealed fields; returns its leaf.
    pub fn access(&mut self, at: &str) -> u64 {
        let body = Body::DataAccess(DataAccess {
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
        });
        let n = self.salt;
        self.append(
            "app",
            at,
            Some("c@1"),
            body,
            &[
                ("actor.user", SealedValue::Text(format!("officer-{n}"))),
                ("query", SealedValue::Text(format!("+31 6 {n:08}"))),
            ],
        )
    }

    /// Publish a checkpoint at `at`.
    pub fn checkpoint(&mut self, at: &str) {
        self.log.checkpoint(t(at).0 / 1000).unwrap();
    }

    /// Write `trust.json`: the policy authority pinned, no authorisation required, and
    /// `require_checks` when given (absent otherwise: the default).
    pub fn write_trust(&self, require: Option<&[u64]>) {
        let mut file = trust_with(Vec::new(), 0).file;
        file.authorisation_required.clear();
        file.retention_policy_authority = Some(POLICY.into());
        let mut v = serde_json::to_value(file).unwrap();
        if let Some(r) = require {
            v["require_checks"] = json!(r);
        }
        std::fs::write(self.root().join("trust.json"), v.to_string()).unwrap();
    }

    /// `logseal verify log --trust trust.json --at AT EXTRA…` in the test directory.
    pub fn verify(&self, at: &str, extra: &[&str]) -> Output {
        let mut a = vec!["verify", "log", "--trust", "trust.json", "--at", at];
        a.extend_from_slice(extra);
        common::logseal(&a, self.root(), None)
    }
}

/// The JSON report of a run, and its codes as (code, leaf).
pub fn report(o: &Output) -> (Value, Vec<(String, Option<u64>)>) {
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {} stderr {}",
            common::text(&o.stdout),
            common::text(&o.stderr)
        )
    });
    let codes = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["leaf"].as_u64()))
        .collect();
    (v, codes)
}
