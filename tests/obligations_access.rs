//! Check 8's access rules (docs/CHECKS.md §8.1) on logs built through the CLI: `logseal
//! keygen`, `append`, `checkpoint`, `trust new --obligation-authority` and `verify --json`.
//! Each test asserts the exact codes and verdicts of check 8, and the leaf of the access.

mod common;

use std::path::Path;

use common::tamper::{LATE, decode, entries};
use common::{lines, logseal, ok, registration, setup_log, trust_new};
use logseal::checkpoint::{Checkpoint, sign_checkpoint};
use logseal::note::Ed25519NoteKey;
use logseal::store::{FsStore, ObjectStore};
use logseal::tiles;
use logseal::tree::{MemoryHashStore, Sha256};
use serde_json::{Value, json};

const REGISTRY: &str = "authorisation-registry";
const OBLIGATIONS: &str = "obligation-authority";
const JUSTIFIER: &str = "justifier";
const ROGUE: &str = "rogue";
const QF: &str = "query-frontend";

/// A log with the query front-end, the registry (one grant: auth-0001, `nl-sv-126n` and
/// `nl-sv-126u` for politie-eenheid-noord's police officers), the obligation authority, a
/// justifier and a rogue producer registered.
struct Fx {
    dir: tempfile::TempDir,
}

impl Fx {
    fn new() -> Fx {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        setup_log(d);
        for name in [REGISTRY, OBLIGATIONS, JUSTIFIER, ROGUE] {
            ok(&logseal(
                &["keygen", "--name", name, "--out", name],
                d,
                None,
            ));
        }
        let pub_of = |n: &str| d.join(format!("{n}.pub"));
        let regs = [
            registration(REGISTRY, &pub_of(REGISTRY), &["authorisation"]),
            registration(OBLIGATIONS, &pub_of(OBLIGATIONS), &["obligation-policy"]),
            registration(JUSTIFIER, &pub_of(JUSTIFIER), &["access-justification"]),
            // The rogue may write policies, but not justifications.
            registration(ROGUE, &pub_of(ROGUE), &["obligation-policy"]),
        ];
        let fx = Fx { dir };
        fx.append("ra", regs.to_vec());
        fx.append(
            REGISTRY,
            vec![json!({
                "kind": "authorisation", "producer": REGISTRY,
                "occurred_at": "2026-03-01T08:30:00Z", "status": "ok",
                "body": {"action": "grant", "authorisation_id": "auth-0001",
                         "role": "police-officer", "organisation": "politie-eenheid-noord",
                         "legal_bases": ["nl-sv-126n", "nl-sv-126u"],
                         "valid_from": "2026-03-01T00:00:00Z", "official": "officer-1"}
            })],
        );
        fx
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Append `records` signed with `key`.key; the receipts (leaf_index, leaf_hash, producer,
    /// seq).
    fn append(&self, key: &str, records: Vec<Value>) -> Vec<Value> {
        let key = format!("{key}.key");
        let out = ok(&logseal(
            &[
                "append",
                "log",
                "--in",
                "-",
                "--producer-key",
                &key,
                "--json",
            ],
            self.path(),
            Some(&lines(records)),
        ));
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// An obligation policy of `rules`, signed by `producer` at 09:00.
    fn policy(&self, producer: &str, rules: Value) -> u64 {
        let r = self.append(
            producer,
            vec![json!({
                "kind": "obligation-policy", "producer": producer,
                "occurred_at": "2026-03-01T09:00:00Z", "status": "ok",
                "body": {"policy_id": "test-access", "version": 1, "authority": "dpa",
                         "rules": rules}
            })],
        );
        leaf(&r[0])
    }

    /// A lawful access at `at` (a consult under nl-sv-126n under auth-0001, with a sealed
    /// case reference), changed by `edit` (its record).
    fn access(&self, at: &str, edit: impl FnOnce(&mut Value)) -> Value {
        let mut v = json!({
            "kind": "data-access", "producer": QF, "occurred_at": at, "status": "ok",
            "body": {
                "action": "consult", "legal_basis": "nl-sv-126n",
                "purpose": "criminal-investigation",
                "actor": {"role": "police-officer", "organisation": "politie-eenheid-noord",
                          "authorisation_id": "auth-0001", "user": "officer-1"},
                "data_categories": ["subscriber-name-address"],
                "case_ref": "2026-NN-0042", "subject": "Zoë van der Berg"
            }
        });
        edit(&mut v);
        self.append("qf", vec![v]).remove(0)
    }

    /// A justification by `producer` (signed with `key`) of the access of `receipt`.
    fn justify(
        &self,
        key: &str,
        producer: &str,
        at: &str,
        receipt: &Value,
        approved: bool,
    ) -> Value {
        let v = json!({
            "kind": "access-justification", "producer": producer, "occurred_at": at,
            "status": "ok",
            "body": {"access": {"producer": receipt["producer"], "seq": receipt["seq"],
                                "leaf_hash": receipt["leaf_hash"]},
                     "justified_at": at, "reason": "imminent-danger-to-life",
                     "approved": approved, "statement": "a child was missing"}
        });
        self.append(key, vec![v]).remove(0)
    }

    /// Checkpoint, trust file with `extra` arguments, and the JSON report.
    fn verify(&self, extra: &[&str]) -> Value {
        ok(&logseal(&["checkpoint", "log"], self.path(), None));
        self.verify_only(extra)
    }

    /// The JSON report of the log as it is, with a trust file of `extra` arguments.
    fn verify_only(&self, extra: &[&str]) -> Value {
        let _ = std::fs::remove_file(self.path().join("trust.json"));
        ok(&trust_new(self.path(), extra));
        let o = logseal(
            &["verify", "log", "--trust", "trust.json", "--json"],
            self.path(),
            None,
        );
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", common::text(&o.stderr)))
    }

    /// The report with the obligation authority pinned.
    fn report(&self) -> Value {
        self.verify(&["--obligation-authority", OBLIGATIONS])
    }
}

fn leaf(receipt: &Value) -> u64 {
    receipt["leaf_index"].as_u64().unwrap()
}

/// Check 8's findings: (code, verdict, leaf).
fn check8(report: &Value) -> Vec<(String, String, Option<u64>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == 8)
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["verdict"].as_str().unwrap().to_string(),
                f["leaf"].as_u64(),
            )
        })
        .collect()
}

/// The finding of `code` in check 8 (exactly one).
fn the(report: &Value, code: &str) -> Value {
    let v: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == 8 && f["code"] == code)
        .collect();
    assert_eq!(v.len(), 1, "{code}: {:#}", report["findings"]);
    v[0].clone()
}

fn f(code: &str, verdict: &str, leaf: u64) -> (String, String, Option<u64>) {
    (code.to_string(), verdict.to_string(), Some(leaf))
}

fn scope_rule() -> Value {
    json!({"id": "led25-scope", "version": 1, "rule": "access-scope", "producers": [QF],
           "legal_source": "LED Art 25"})
}

/// Break-glass accesses justified by the justifier within an hour, logged within 10 minutes.
fn break_glass_rule() -> Value {
    json!({"id": "nen7513-break-glass", "version": 2, "rule": "break-glass-justified",
           "deadline_seconds": 3600, "followers": [JUSTIFIER],
           "max_logging_delay_seconds": 600, "legal_source": "NEN 7513"})
}

fn break_glass(v: &mut Value) {
    v["body"]["actor"]["break_glass"] = json!(true);
    // Outside the grant: an emergency access is judged by the break-glass rule instead.
    v["body"]["legal_basis"] = json!("nl-sv-126na");
}

#[test]
fn lawful_accesses_and_denied_attempts_hold() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([scope_rule()]));
    fx.access("2026-03-01T10:00:00Z", |_| {});
    // A denied attempt outside the grant is no out-of-scope access.
    fx.access("2026-03-01T10:01:00Z", |v| {
        v["status"] = json!("denied");
        v["body"]["legal_basis"] = json!("nl-sv-126na");
    });
    let r = fx.report();
    assert_eq!(check8(&r), vec![]);
    assert_eq!(r["checks"][7]["verdict"], "holds");
}

#[test]
fn a_basis_the_grant_does_not_list_is_violated() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([scope_rule()]));
    fx.access("2026-03-01T10:00:00Z", |_| {});
    let a = fx.access("2026-03-01T10:01:00Z", |v| {
        v["body"]["legal_basis"] = json!("nl-sv-126na");
    });
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![f(
            "obligation-access-basis-not-granted",
            "violated",
            leaf(&a)
        )]
    );
    let x = the(&r, "obligation-access-basis-not-granted");
    assert_eq!(
        x["expected"],
        "one of nl-sv-126n, nl-sv-126u (grant of auth-0001, leaf 5)"
    );
    assert_eq!(x["found"], "nl-sv-126na");
    assert_eq!(
        (x["producer"].as_str(), x["seq"].as_u64()),
        (Some(QF), a["seq"].as_u64())
    );
    let m = x["message"].as_str().unwrap();
    assert!(
        m.contains("led25-scope@1") && m.contains("LED Art 25"),
        "{m}"
    );
    assert_eq!(r["checks"][7]["verdict"], "violated");
}

#[test]
fn another_organisation_or_role_than_the_grant_is_violated() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([scope_rule()]));
    let org = fx.access("2026-03-01T10:00:00Z", |v| {
        v["body"]["actor"]["organisation"] = json!("fiod");
    });
    let role = fx.access("2026-03-01T10:01:00Z", |v| {
        v["body"]["actor"]["role"] = json!("analyst");
    });
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![
            f(
                "obligation-access-organisation-mismatch",
                "violated",
                leaf(&org)
            ),
            f("obligation-access-role-mismatch", "violated", leaf(&role)),
        ]
    );
    let x = the(&r, "obligation-access-role-mismatch");
    assert_eq!(
        x["expected"],
        "role police-officer (grant of auth-0001, leaf 5)"
    );
    assert_eq!(x["found"], "role analyst");
}

#[test]
fn an_unknown_authorisation_is_left_to_check_6() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([scope_rule()]));
    fx.access("2026-03-01T10:00:00Z", |v| {
        v["body"]["actor"]["authorisation_id"] = json!("auth-9999");
        v["body"]["legal_basis"] = json!("nl-sv-126na");
    });
    let r = fx.report();
    assert_eq!(check8(&r), vec![]);
    let auth: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "auth-unknown")
        .collect();
    assert_eq!(auth.len(), 1);
}

#[test]
fn an_access_needing_an_order_without_one_is_violated() {
    let fx = Fx::new();
    fx.policy(
        OBLIGATIONS,
        json!([{"id": "sv126u-order", "version": 1, "rule": "order-required",
                "legal_bases": ["nl-sv-126u"], "legal_source": "Sv art 126u"}]),
    );
    fx.access("2026-03-01T10:00:00Z", |v| {
        v["body"]["legal_basis"] = json!("nl-sv-126u");
        v["body"]["order_ref"] = json!("OvJ-2026-17");
    });
    let a = fx.access("2026-03-01T10:01:00Z", |v| {
        v["body"]["legal_basis"] = json!("nl-sv-126u");
    });
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![f("obligation-order-missing", "violated", leaf(&a))]
    );
    let x = the(&r, "obligation-order-missing");
    assert_eq!(x["found"], "none sealed");
    assert!(
        x["message"]
            .as_str()
            .unwrap()
            .contains("sv126u-order@1 (Sv art 126u)")
    );
    // The sealed values are never printed.
    assert!(!r.to_string().contains("OvJ-2026-17"));
}

#[test]
fn an_access_without_a_case_reference_is_violated() {
    let fx = Fx::new();
    fx.policy(
        OBLIGATIONS,
        json!([{"id": "led25-case", "version": 3, "rule": "case-reference",
                "legal_source": "LED Art 25(1)"}]),
    );
    fx.access("2026-03-01T10:00:00Z", |_| {});
    let a = fx.access("2026-03-01T10:01:00Z", |v| {
        v["body"].as_object_mut().unwrap().remove("case_ref");
    });
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![f("obligation-case-ref-missing", "violated", leaf(&a))]
    );
    assert!(!r.to_string().contains("2026-NN-0042"));
}

#[test]
fn a_disclosure_without_a_recipient_is_violated() {
    let fx = Fx::new();
    fx.policy(
        OBLIGATIONS,
        json!([{"id": "led25-recipients", "version": 1, "rule": "recipient-recorded",
                "legal_source": "LED Art 25(1)"}]),
    );
    fx.access("2026-03-01T10:00:00Z", |v| {
        v["body"]["action"] = json!("disclose");
        v["body"]["recipients"] = json!(["rechtbank-noord-nederland"]);
    });
    let a = fx.access("2026-03-01T10:01:00Z", |v| {
        v["body"]["action"] = json!("transfer");
        v["body"]["destination_country"] = json!("DE");
    });
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![f("obligation-recipient-missing", "violated", leaf(&a))]
    );
}

#[test]
fn a_break_glass_access_justified_in_time_holds_and_a_late_one_is_violated() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([scope_rule(), break_glass_rule()]));
    let on_time = fx.access("2026-03-01T10:00:00Z", break_glass);
    let late = fx.access("2026-03-01T10:05:00Z", break_glass);
    fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T10:40:00Z", &on_time, true);
    fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T11:06:00Z", &late, true);
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![f("obligation-break-glass-late", "violated", leaf(&late))]
    );
    let x = the(&r, "obligation-break-glass-late");
    assert_eq!(x["expected"], "justified by 2026-03-01T11:05:00.000Z");
    assert!(
        x["message"]
            .as_str()
            .unwrap()
            .contains("nen7513-break-glass@2 (NEN 7513)")
    );
}

#[test]
fn a_refused_justification_is_violated() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([break_glass_rule()]));
    let a = fx.access("2026-03-01T10:00:00Z", break_glass);
    fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T10:30:00Z", &a, false);
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![f("obligation-break-glass-refused", "violated", leaf(&a))]
    );
}

#[test]
fn a_missing_justification_is_violated_when_the_justifiers_chain_proves_it() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([break_glass_rule()]));
    let lawful = fx.access("2026-03-01T09:30:00Z", |_| {});
    let a = fx.access("2026-03-01T10:00:00Z", break_glass);
    // The justifier's next record, dated after the deadline plus its logging delay
    // (11:10), justifies something else: nothing justified the access in time.
    let proof = fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T11:11:00Z", &lawful, true);
    let r = fx.report();
    assert_eq!(
        check8(&r),
        vec![f(
            "obligation-break-glass-unjustified",
            "violated",
            leaf(&a)
        )]
    );
    let x = the(&r, "obligation-break-glass-unjustified");
    assert_eq!(
        x["found"],
        format!("none (justifier complete to leaf {})", leaf(&proof))
    );
}

#[test]
fn a_missing_justification_with_a_gap_in_the_justifiers_chain_cannot_be_determined() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([break_glass_rule()]));
    let lawful = fx.access("2026-03-01T09:30:00Z", |_| {});
    let a = fx.access("2026-03-01T10:00:00Z", break_glass);
    fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T10:10:00Z", &lawful, true);
    let justified = fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T10:20:00Z", &a, true);
    fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T11:30:00Z", &lawful, true);
    assert_eq!(check8(&fx.report()), vec![]);
    // The operator drops the justification (seq 1 of the justifier) from the public part:
    // the justifier's chain has a gap there, which may have held it.
    let log = fx.path().join("log");
    let mut e = entries(&log);
    e.remove(leaf(&justified) as usize);
    republish(&log, &e, &key(fx.path(), "logkey"));
    let r = fx.verify_only(&["--obligation-authority", OBLIGATIONS]);
    assert_eq!(
        check8(&r),
        vec![f(
            "obligation-break-glass-undetermined",
            "cannot-be-determined",
            leaf(&a)
        )]
    );
    let x = the(&r, "obligation-break-glass-undetermined");
    assert!(x["message"].as_str().unwrap().contains("gap"), "{x:#}");
    assert_eq!(r["checks"][7]["verdict"], "cannot-be-determined");
}

#[test]
fn a_forged_justification_does_not_count() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([break_glass_rule()]));
    let a = fx.access("2026-03-01T10:00:00Z", break_glass);
    fx.justify(JUSTIFIER, JUSTIFIER, "2026-03-01T10:30:00Z", &a, true);
    let r = fx.report();
    assert_eq!(check8(&r), vec![]);
    // The same justification signed with the rogue's key (the log admits no such record:
    // the operator rewrites the public part): not authentic, so it justifies nothing.
    let log = fx.path().join("log");
    let mut e = entries(&log);
    let last = e.len() - 1;
    let p = decode(&e[last]).payload().clone();
    assert_eq!(p.producer.as_str(), JUSTIFIER);
    let rogue = key(fx.path(), ROGUE);
    e[last] = logseal::record::sign(&p, rogue.secret_key(), common::ORIGIN).unwrap();
    republish(&log, &e, &key(fx.path(), "logkey"));
    let r = fx.verify_only(&["--obligation-authority", OBLIGATIONS]);
    assert_eq!(
        check8(&r),
        vec![f(
            "obligation-break-glass-undetermined",
            "cannot-be-determined",
            leaf(&a)
        )]
    );
}

fn key(dir: &Path, name: &str) -> Ed25519NoteKey {
    let line = std::fs::read_to_string(dir.join(format!("{name}.key"))).unwrap();
    Ed25519NoteKey::from_skey(line.trim()).unwrap()
}

/// Replace the public part of the log at `log` with a tree of `entries` and a checkpoint
/// signed by `log_key`.
fn republish(log: &Path, entries: &[Vec<u8>], log_key: &Ed25519NoteKey) {
    let public = log.join("public");
    std::fs::remove_dir_all(&public).unwrap();
    let store = FsStore::open(&public).unwrap();
    let mut mem = MemoryHashStore::<Sha256>::new();
    for e in entries {
        mem.append(e).unwrap();
    }
    let n = entries.len() as u64;
    for (t, data) in tiles::new_tiles(0, n, &mem).unwrap() {
        store.put(&t.path(), &data).unwrap();
    }
    for b in tiles::new_entry_bundle_ids(0, n).unwrap() {
        let r = b.leaf_range();
        let data = tiles::encode_entry_bundle(&entries[r.start as usize..r.end as usize]).unwrap();
        store.put(&b.path(), &data).unwrap();
    }
    let cp = Checkpoint::new(common::ORIGIN, n, mem.root()).unwrap();
    let note = sign_checkpoint(&cp, log_key.secret_key(), common::ORIGIN, LATE).unwrap();
    store.put("checkpoint", &note).unwrap();
    store.sync().unwrap();
}

#[test]
fn a_policy_signed_by_another_producer_is_not_applied() {
    let fx = Fx::new();
    let p = fx.policy(ROGUE, json!([scope_rule()]));
    fx.access("2026-03-01T10:00:00Z", |v| {
        v["body"]["legal_basis"] = json!("nl-sv-126na");
    });
    let r = fx.report();
    let mut codes = check8(&r);
    codes.sort();
    assert_eq!(
        codes,
        vec![
            (
                "obligation-no-policy".into(),
                "cannot-be-determined".into(),
                None
            ),
            f("obligation-policy-not-applied", "notice", p),
        ]
    );
}

#[test]
fn without_an_obligation_authority_check_8_does_not_run() {
    let fx = Fx::new();
    fx.policy(OBLIGATIONS, json!([scope_rule()]));
    fx.access("2026-03-01T10:00:00Z", |v| {
        v["body"]["legal_basis"] = json!("nl-sv-126na");
    });
    let r = fx.verify(&[]);
    assert_eq!(check8(&r), vec![]);
    assert_eq!(r["checks"][7]["verdict"], Value::Null);
    assert!(
        r["checks"][7]["not_run"]
            .as_str()
            .unwrap()
            .contains("obligation_policy_authority"),
        "{:#}",
        r["checks"][7]
    );
}
