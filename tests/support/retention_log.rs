//! A small log for the verifier's CLI tests around check 7: the retention authority's
//! one-day cap over data accesses, data accesses with two sealed fields, built through the
//! library and verified through the real binary (`verify log --trust trust.json …`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use logseal::log::Log;
use logseal::record::SealedValue;
use logseal::record::kinds::{Body, Kind};
use logseal::scenario::AUTHORITY;
use logseal::tree::TreeHashAlg;
use serde_json::{Value, json};

use crate::common;
use crate::common::records::{Chains, registration, search_access, two_sealed};
use crate::common::tamper::{authority_vkey, log_key, trust_with};

pub const POLICY: &str = "retention-authority";

pub use crate::common::records::t;

/// The log in `dir/log`; the trust file is written to `dir/trust.json`.
pub struct RetentionLog {
    pub dir: tempfile::TempDir,
    pub log: Log,
    chains: Chains,
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
            chains: Chains::default(),
        };
        for (producer, kinds) in [
            (POLICY, vec![Kind::RetentionPolicy]),
            ("app", vec![Kind::DataAccess]),
        ] {
            let body = registration(producer, kinds);
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
        self.chains
            .append(&mut self.log, producer, at, rule, body, sealed)
            .leaf
    }

    /// A data access at `at` under the cap, with two sealed fields; returns its leaf.
    pub fn access(&mut self, at: &str) -> u64 {
        let n = self.chains.salt();
        self.append("app", at, Some("c@1"), search_access(), &two_sealed(n))
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
