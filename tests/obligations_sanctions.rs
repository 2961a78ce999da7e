//! Check 8's sanction rules (docs/CHECKS.md §8.2) on logs built through the CLI (`keygen`,
//! `init`, `append --in`, `checkpoint`, `trust new --obligation-authority`) and verified by
//! `logseal verify --json`: statements of reasons, appeals, human review of automated
//! decisions and the detection a sanction claims. Each test asserts the exact codes, verdicts
//! and leaves of the findings it provokes.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::records::registration as registration_body;
use common::{ok, registration, tamper};
use logseal::record::json::build_from_json;
use logseal::record::kinds::{Body, Kind};
use logseal::record::types::Hash32;
use logseal::scenario;
use serde_json::{Value, json};

const AUTHORITY: &str = "obligation-authority";

/// A finding of check 8: verdict, code, leaf.
type Found = (String, String, Option<u64>);

/// A log with its producers registered and an obligation policy of `rules` at leaf 6.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new(rules: Value) -> Site {
        let site = Site {
            dir: tempfile::tempdir().unwrap(),
        };
        common::setup_log(site.path());
        let producers: [(&str, &[&str]); 5] = [
            (AUTHORITY, &["obligation-policy"]),
            ("platform", &["account-sanction"]),
            ("notifier", &["notification", "producer-heartbeat"]),
            (
                "appeals",
                &["appeal", "appeal-decision", "producer-heartbeat"],
            ),
            ("other-mailer", &["notification"]),
        ];
        let mut regs = Vec::new();
        for (name, kinds) in producers {
            ok(&site.run(&["keygen", "--name", name, "--out", name]));
            regs.push(registration(
                name,
                &site.path().join(format!("{name}.pub")),
                kinds,
            ));
        }
        // A key nobody registered: what a forger signs with.
        ok(&site.run(&["keygen", "--name", "forger", "--out", "forger"]));
        site.append_lines("ra", regs);
        site.append(
            AUTHORITY,
            "obligation-policy",
            "2026-04-01T00:00:00Z",
            json!({"policy_id": "dsa-obligations", "version": 1, "authority": "dsc", "rules": rules}),
        );
        ok(&common::trust_new(
            site.path(),
            &["--obligation-authority", AUTHORITY],
        ));
        site
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        common::logseal(args, self.path(), None)
    }

    fn append_lines(&self, key: &str, lines: Vec<Value>) -> Vec<Value> {
        let o = common::logseal(
            &[
                "append",
                "log",
                "--json",
                "--in",
                "-",
                "--producer-key",
                &format!("{key}.key"),
            ],
            self.path(),
            Some(&common::lines(lines)),
        );
        ok(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Append a record of `producer` signed with its own key; returns (leaf, reference).
    fn append(&self, producer: &str, kind: &str, at: &str, body: Value) -> (u64, Value) {
        self.append_as(producer, producer, kind, at, body, None)
    }

    /// Append a record of `producer` signed with `key` (`seq`: the one to claim, else the
    /// next); returns (leaf, reference).
    fn append_as(
        &self,
        key: &str,
        producer: &str,
        kind: &str,
        at: &str,
        body: Value,
        seq: Option<u64>,
    ) -> (u64, Value) {
        let mut line = json!({
            "kind": kind, "producer": producer, "occurred_at": at, "status": "ok", "body": body
        });
        if let Some(s) = seq {
            line["seq"] = json!(s);
        }
        let r = &self.append_lines(key, vec![line])[0];
        let rref = json!({"producer": r["producer"], "seq": r["seq"], "leaf_hash": r["leaf_hash"]});
        (r["leaf_index"].as_u64().unwrap(), rref)
    }

    fn heartbeat(&self, producer: &str, at: &str) -> u64 {
        let body = json!({
            "cadence_secs": 3600, "period_start": "2026-04-01T00:00:00Z", "period_end": at,
            "counters": [{"name": "sent", "value": 1, "kind": "notification"}]
        });
        self.append(producer, "producer-heartbeat", at, body).0
    }

    /// Verify `dir` (the log, or a public-only copy): check 8's findings as (verdict, code,
    /// leaf) in leaf order, and the whole JSON report.
    fn verify(&self, dir: &str) -> (Vec<Found>, Value) {
        let o = self.run(&["verify", dir, "--trust", "trust.json", "--json"]);
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", common::text(&o.stderr)));
        let mut found: Vec<_> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"].as_str().unwrap().starts_with("obligation-"))
            .map(|f| {
                (
                    f["verdict"].as_str().unwrap().to_owned(),
                    f["code"].as_str().unwrap().to_owned(),
                    f["leaf"].as_u64(),
                )
            })
            .collect();
        found.sort_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1)));
        (found, v)
    }

    fn checkpoint(&self) {
        ok(&self.run(&["checkpoint", "log"]));
    }

    /// A copy of the log's public part alone, in `public-only/`.
    fn public_copy(&self) -> PathBuf {
        let to = self.path().join("public-only");
        common::copy_dir(&self.path().join("log/public"), &to.join("public"));
        to
    }
}

/// The finding of `code` in the report.
fn finding<'a>(v: &'a Value, code: &str) -> &'a Value {
    let all: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect();
    assert_eq!(all.len(), 1, "{code}: {all:#?}");
    all[0]
}

fn f(verdict: &str, code: &str, leaf: u64) -> Found {
    (verdict.to_owned(), code.to_owned(), Some(leaf))
}

/// A sanction applied at `at`: illegal content under de-stgb-184b, decided `automation`.
fn sanction(at: &str, automation: &str, puid: &str) -> Value {
    json!({
        "decision_account": "DECISION_ACCOUNT_TERMINATED",
        "application_date": at,
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": "de-stgb-184b",
        "category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "content_type": ["CONTENT_TYPE_IMAGE"],
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": false,
        "automated_decision": automation,
        "puid": puid,
        "account_id": format!("u-{puid}")
    })
}

/// A statement of reasons on `sanction`, sent at `sent`, stating what [`sanction`] decided
/// (partially automated) with both redress routes the policy asks for.
fn notice(sanction: &Value, sent: &str) -> Value {
    json!({
        "sanction": sanction, "channel": "email", "sent_at": sent,
        "text_digest": "11".repeat(32), "language": "de", "delivery_status": "sent",
        "statement": {
            "facts_and_circumstances": true,
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "ground_reference": "de-stgb-184b",
            "automated_detection": false,
            "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
            "redress": ["internal-complaint", "judicial-redress"]
        },
        "recipient_address": "user@example.de"
    })
}

/// A DSA 17 rule: a statement by the notifier at the latest when the sanction applies,
/// logged within an hour.
fn sor_rule() -> Value {
    json!([{
        "id": "dsa17-sor", "version": 2, "rule": "statement-of-reasons",
        "producers": ["platform"], "deadline_seconds": 0, "followers": ["notifier"],
        "max_logging_delay_seconds": 3600,
        "redress": ["internal-complaint", "judicial-redress"], "legal_source": "DSA Art 17(1)"
    }])
}

const PARTIAL: &str = "AUTOMATED_DECISION_PARTIALLY";
const FULLY: &str = "AUTOMATED_DECISION_FULLY";

#[test]
fn statements_of_reasons_missing_late_without_contents_and_not_agreeing() {
    let s = Site::new(sor_rule());
    let t = |h: &str| format!("2026-04-09T{h}Z");
    let app = t("08:00:00");
    let sanctioned = |puid: &str| {
        s.append(
            "platform",
            "account-sanction",
            &app,
            sanction(&app, PARTIAL, puid),
        )
    };
    let (_, good) = sanctioned("good");
    let (_, late) = sanctioned("late");
    let (_, bare) = sanctioned("bare");
    let (_, wrong) = sanctioned("wrong");
    let (missing, _) = sanctioned("missing");
    let (_, backdated) = sanctioned("backdated");
    s.append("notifier", "notification", &app, notice(&good, &app));
    let (late_n, _) = s.append(
        "notifier",
        "notification",
        &t("08:30:00"),
        notice(&late, &t("08:30:00")),
    );
    let mut n = notice(&bare, &app);
    n.as_object_mut().unwrap().remove("statement");
    let (bare_n, _) = s.append("notifier", "notification", &app, n);
    let mut n = notice(&wrong, &app);
    n["statement"]["ground_reference"] = json!("de-stgb-184");
    n["statement"]["redress"] = json!(["internal-complaint"]);
    let (wrong_n, _) = s.append("notifier", "notification", &app, n);
    // The notifier's heartbeat after the deadline plus its logging delay proves the negative.
    s.heartbeat("notifier", &t("09:00:01"));
    // Claims to have been sent in time, logged after the deadline plus the logging delay.
    let (backdated_n, _) = s.append(
        "notifier",
        "notification",
        &t("09:30:00"),
        notice(&backdated, &app),
    );
    s.checkpoint();
    let (found, v) = s.verify("log");
    assert_eq!(
        found,
        [
            f("violated", "obligation-sor-missing", missing),
            f("violated", "obligation-sor-late", late_n),
            f(
                "cannot-be-determined",
                "obligation-sor-contents-missing",
                bare_n
            ),
            f("violated", "obligation-sor-contents-mismatch", wrong_n),
            f("violated", "obligation-sor-late", backdated_n),
        ]
    );
    let lates: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["code"] == "obligation-sor-late")
        .collect();
    assert_eq!(
        lates[1]["found"],
        "logged at 2026-04-09T09:30:00.000Z, after the deadline plus the logging delay \
         (2026-04-09T09:00:00.000Z)"
    );
    let m = finding(&v, "obligation-sor-contents-mismatch");
    assert_eq!(
        m["expected"],
        "ground_reference: de-stgb-184b; redress: [internal-complaint, judicial-redress]"
    );
    assert_eq!(
        m["found"],
        "ground_reference: de-stgb-184; redress: [internal-complaint]"
    );
    assert!(
        m["message"]
            .as_str()
            .unwrap()
            .starts_with("dsa17-sor@2 (DSA Art 17(1)): ")
    );
    let l = lates[0];
    assert_eq!(l["expected"], "sent by 2026-04-09T08:00:00.000Z");
    assert_eq!(l["found"], "sent at 2026-04-09T08:30:00.000Z");
    assert_eq!(l["producer"], "notifier");
    let m = finding(&v, "obligation-sor-missing");
    assert_eq!(m["producer"], "platform");
    assert!(
        m["found"]
            .as_str()
            .unwrap()
            .contains("notifier's chain complete to leaf"),
        "{m}"
    );
}

/// A log whose records are written as they stand, like a dishonest or broken pipeline
/// would (the CLI refuses a gap in a chain or a key nobody registered): the same record
/// lines as [`Site::append`], signed with the scenario's keys, written as the public part
/// with a checkpoint ([`common::tamper::write_public`]) and verified through the CLI.
struct Raw {
    dir: tempfile::TempDir,
    entries: Vec<Vec<u8>>,
    heads: HashMap<String, (u64, Hash32)>,
}

impl Raw {
    fn new(rules: Value) -> Raw {
        let mut raw = Raw {
            dir: tempfile::tempdir().unwrap(),
            entries: Vec::new(),
            heads: HashMap::new(),
        };
        for (name, kinds) in [
            (AUTHORITY, vec![Kind::ObligationPolicy]),
            ("platform", vec![Kind::AccountSanction]),
            (
                "notifier",
                vec![Kind::Notification, Kind::ProducerHeartbeat],
            ),
        ] {
            let body = serde_json::to_value(match registration_body(name, kinds) {
                Body::KeyRegistration(k) => k,
                _ => unreachable!(),
            })
            .unwrap();
            raw.push(
                scenario::AUTHORITY,
                scenario::AUTHORITY,
                "key-registration",
                "2026-04-01T00:00:00Z",
                body,
                None,
            );
        }
        let policy = json!({"policy_id": "dsa-obligations", "version": 1, "authority": "dsc", "rules": rules});
        raw.push(
            AUTHORITY,
            AUTHORITY,
            "obligation-policy",
            "2026-04-01T00:00:00Z",
            policy,
            None,
        );
        let mut file = tamper::trust_with(Vec::new(), 0).file;
        file.authorisation_required.clear();
        file.obligation_policy_authority = Some(AUTHORITY.into());
        std::fs::write(
            raw.dir.path().join("trust.json"),
            serde_json::to_string(&file).unwrap(),
        )
        .unwrap();
        raw
    }

    /// A record line of `producer` signed with `signer`'s scenario key (`seq`: the one to
    /// claim, else the next); returns (leaf, reference).
    fn push(
        &mut self,
        signer: &str,
        producer: &str,
        kind: &str,
        at: &str,
        body: Value,
        seq: Option<u64>,
    ) -> (u64, Value) {
        let (next, prev) = self.heads.get(producer).copied().unwrap_or_default();
        let seq = seq.unwrap_or(next);
        let line = json!({
            "producer": producer, "seq": seq, "prev": prev.to_string(), "occurred_at": at,
            "status": "ok", "body": body
        });
        let mut salt = 0u8;
        let b = build_from_json(Kind::from_name(kind).unwrap(), line, &mut || {
            salt += 1;
            [salt; 16]
        })
        .unwrap();
        let bytes = b
            .sign(&scenario::secret_key(signer), scenario::ORIGIN)
            .unwrap()
            .bytes;
        let hash = tamper::leaf_hash(&bytes);
        self.heads.insert(producer.to_owned(), (seq + 1, hash));
        self.entries.push(bytes);
        let rref = json!({"producer": producer, "seq": seq, "leaf_hash": hash.to_string()});
        ((self.entries.len() - 1) as u64, rref)
    }

    fn sanction(&mut self, at: &str, puid: &str) -> (u64, Value) {
        self.push(
            "platform",
            "platform",
            "account-sanction",
            at,
            sanction(at, PARTIAL, puid),
            None,
        )
    }

    fn notice(&mut self, signer: &str, on: &Value, at: &str) -> u64 {
        self.push(signer, "notifier", "notification", at, notice(on, at), None)
            .0
    }

    fn heartbeat(&mut self, at: &str, seq: Option<u64>) -> u64 {
        let hb = json!({
            "cadence_secs": 3600, "period_start": "2026-04-01T00:00:00Z", "period_end": at,
            "counters": []
        });
        self.push("notifier", "notifier", "producer-heartbeat", at, hb, seq)
            .0
    }

    /// Check 8's findings as (verdict, code, leaf) in leaf order, and their messages.
    fn verify(&self) -> (Vec<Found>, Vec<String>) {
        tamper::write_public(self.dir.path(), &self.entries, 1_790_000_000);
        let o = common::logseal(
            &["verify", ".", "--trust", "trust.json", "--json"],
            self.dir.path(),
            None,
        );
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", common::text(&o.stderr)));
        let mut found: Vec<(String, String, Option<u64>, String)> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"].as_str().unwrap().starts_with("obligation-"))
            .map(|f| {
                let s = |k: &str| f[k].as_str().unwrap().to_owned();
                (s("verdict"), s("code"), f["leaf"].as_u64(), s("message"))
            })
            .collect();
        found.sort_by(|a, b| (a.2, &a.1).cmp(&(b.2, &b.1)));
        let msgs = found.iter().map(|x| x.3.clone()).collect();
        (found.into_iter().map(|x| (x.0, x.1, x.2)).collect(), msgs)
    }
}

#[test]
fn a_gap_in_the_notifier_chain_is_undetermined_not_violated() {
    let mut r = Raw::new(sor_rule());
    let app = "2026-04-09T08:00:00Z";
    let (_, first) = r.sanction(app, "a");
    r.notice("notifier", &first, app);
    let (gap, _) = r.sanction(app, "b");
    // seq 1 is skipped: the notifier's chain has a hole, where a statement may have been.
    r.heartbeat("2026-04-09T10:00:00Z", Some(2));
    // And a sanction after which the notifier logged nothing at all.
    let (silent, _) = r.sanction(app, "c");
    let (found, msgs) = r.verify();
    assert_eq!(
        found,
        [
            f("cannot-be-determined", "obligation-sor-undetermined", gap),
            f(
                "cannot-be-determined",
                "obligation-sor-undetermined",
                silent
            ),
        ]
    );
    assert!(
        msgs[0].contains("the chain of notifier has a gap before leaf"),
        "{msgs:?}"
    );
    assert!(
        msgs[1].contains("no record of notifier after leaf"),
        "{msgs:?}"
    );

    // The same log without the gap: the heartbeat proves the statement on `gap` missing.
    let mut r = Raw::new(sor_rule());
    let (_, first) = r.sanction(app, "a");
    r.notice("notifier", &first, app);
    let (gap, _) = r.sanction(app, "b");
    r.heartbeat("2026-04-09T10:00:00Z", None);
    let (found, _) = r.verify();
    assert_eq!(found, [f("violated", "obligation-sor-missing", gap)]);
}

#[test]
fn a_forged_notification_or_one_by_another_producer_does_not_count() {
    let app = "2026-04-09T08:00:00Z";
    let mut r = Raw::new(sor_rule());
    let (forged, on) = r.sanction(app, "a");
    // Claims to be the notifier, signed with the platform's key: not authentic.
    r.notice("platform", &on, app);
    r.heartbeat("2026-04-09T10:00:00Z", None);
    let (found, _) = r.verify();
    assert_eq!(
        found,
        [f(
            "cannot-be-determined",
            "obligation-sor-undetermined",
            forged
        )]
    );

    // An authentic statement, but by a producer the rule does not name.
    let s = Site::new(sor_rule());
    let (other, on) = s.append(
        "platform",
        "account-sanction",
        app,
        sanction(app, PARTIAL, "a"),
    );
    s.append("other-mailer", "notification", app, notice(&on, app));
    // A statement on a sanction with another leaf hash (same producer and seq) neither.
    let mut wrong = on.clone();
    wrong["leaf_hash"] = json!("00".repeat(32));
    s.append("notifier", "notification", app, notice(&wrong, app));
    s.heartbeat("notifier", "2026-04-09T10:00:00Z");
    s.checkpoint();
    let (found, _) = s.verify("log");
    assert_eq!(found, [f("violated", "obligation-sor-missing", other)]);
}

fn appeal_rules() -> Value {
    json!([
        {"id": "dsa20-human", "version": 1, "rule": "appeal-human-review",
         "producers": ["appeals"], "legal_source": "DSA Art 20(6)"},
        {"id": "dsa20-deadline", "version": 1, "rule": "appeal-deadline",
         "producers": ["appeals"], "deadline_seconds": 604800, "followers": ["appeals"],
         "max_logging_delay_seconds": 3600, "legal_source": "DSA Art 20(4)"},
        {"id": "gdpr22-review", "version": 1, "rule": "automated-decision-review",
         "producers": ["platform"], "deadline_seconds": 604800, "followers": ["appeals"],
         "max_logging_delay_seconds": 3600, "legal_source": "GDPR Art 22(3)"}
    ])
}

fn appeal(sanction: &Value, at: &str) -> Value {
    json!({"sanction": sanction, "received_at": at, "channel": "complaint-system"})
}

fn decision(appeal: &Value, at: &str, human: bool, communicated: Option<&str>) -> Value {
    let mut d = json!({
        "appeal": appeal, "decided_at": at, "human_review": human,
        "outcome": "upheld", "reinstated": false
    });
    if human {
        d["reviewer_qualification"] = json!("senior-reviewer");
    }
    if let Some(c) = communicated {
        d["communicated_at"] = json!(c);
    }
    d
}

#[test]
fn appeals_without_a_person_late_uncommunicated_and_never_decided() {
    let s = Site::new(appeal_rules());
    let app = "2026-04-01T08:00:00Z";
    let (_, auto) = s.append(
        "platform",
        "account-sanction",
        app,
        sanction(app, FULLY, "a"),
    );
    let (_, part) = s.append(
        "platform",
        "account-sanction",
        app,
        sanction(app, PARTIAL, "b"),
    );
    let day = |d: u32| format!("2026-04-{d:02}T09:00:00Z");
    let filed = |on: &Value| s.append("appeals", "appeal", &day(2), appeal(on, &day(2)));
    let (_, robot) = filed(&auto);
    let (_, slow) = filed(&part);
    let (_, silent) = filed(&part);
    let (never, _) = filed(&part);
    let (never_auto, _) = filed(&auto);
    let (_, fine) = filed(&part);
    let (_, backdated) = filed(&part);
    let six_minutes = "2026-04-02T09:06:00Z";
    let (robot_d, _) = s.append(
        "appeals",
        "appeal-decision",
        six_minutes,
        decision(&robot, six_minutes, false, Some(six_minutes)),
    );
    let (silent_d, _) = s.append(
        "appeals",
        "appeal-decision",
        &day(3),
        decision(&silent, &day(3), true, None),
    );
    s.append(
        "appeals",
        "appeal-decision",
        &day(3),
        decision(&fine, &day(3), true, Some(&day(4))),
    );
    let (slow_d, _) = s.append(
        "appeals",
        "appeal-decision",
        &day(12),
        decision(&slow, &day(12), true, Some(&day(12))),
    );
    // Claims a decision on day 3, logged on day 13: past the deadline plus the delay.
    let (backdated_d, _) = s.append(
        "appeals",
        "appeal-decision",
        &day(13),
        decision(&backdated, &day(3), true, Some(&day(3))),
    );
    s.checkpoint();
    let (found, v) = s.verify("log");
    assert_eq!(
        found,
        [
            f("violated", "obligation-appeal-undecided", never),
            f("violated", "obligation-appeal-undecided", never_auto),
            f("violated", "obligation-automated-no-review", never_auto),
            f("violated", "obligation-appeal-no-human-review", robot_d),
            f("violated", "obligation-automated-no-review", robot_d),
            f(
                "cannot-be-determined",
                "obligation-appeal-undetermined",
                silent_d
            ),
            f("violated", "obligation-appeal-late", slow_d),
            f("violated", "obligation-appeal-late", backdated_d),
        ]
    );
    let lates: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["code"] == "obligation-appeal-late")
        .collect();
    assert!(
        lates[1]["found"]
            .as_str()
            .unwrap()
            .starts_with("logged at 2026-04-13T09:00:00.000Z")
    );
    let late = lates[0];
    assert_eq!(
        late["expected"],
        "decided and communicated by 2026-04-09T09:00:00.000Z"
    );
    assert_eq!(late["found"], "decided at 2026-04-12T09:00:00.000Z");
    let h = finding(&v, "obligation-appeal-no-human-review");
    assert_eq!(
        (h["expected"].as_str(), h["found"].as_str()),
        (Some("human_review: true"), Some("human_review: false"))
    );
    assert!(
        h["message"]
            .as_str()
            .unwrap()
            .starts_with("dsa20-human@1 (DSA Art 20(6)): ")
    );
}

#[test]
fn an_undecided_appeal_without_a_later_record_of_the_appeal_body_is_undetermined() {
    let s = Site::new(appeal_rules());
    let app = "2026-04-01T08:00:00Z";
    let (_, auto) = s.append(
        "platform",
        "account-sanction",
        app,
        sanction(app, FULLY, "a"),
    );
    let (open, _) = s.append("appeals", "appeal", app, appeal(&auto, app));
    s.checkpoint();
    let (found, _) = s.verify("log");
    assert_eq!(
        found,
        [
            f(
                "cannot-be-determined",
                "obligation-appeal-undetermined",
                open
            ),
            f(
                "cannot-be-determined",
                "obligation-automated-undetermined",
                open
            ),
        ]
    );
}

/// A PDQ hash (32 bytes) and the same with its first `n` bits flipped.
fn pdq_pair(n: usize) -> (String, String) {
    let a: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
    let mut b = a.clone();
    for i in 0..n {
        b[i / 8] ^= 0x80 >> (i % 8);
    }
    (hex::encode(a), hex::encode(b))
}

fn detected(at: &str, alg: &str, flipped: usize, claimed: u64, threshold: u64) -> Value {
    let (matched, content) = pdq_pair(flipped);
    let mut s = sanction(at, PARTIAL, &format!("{alg}-{flipped}-{claimed}"));
    s["automated_detection"] = json!(true);
    s["detection"] = json!({
        "method": "perceptual-hash", "hash_algorithm": alg,
        "hash_list": {"operator": "ncmec", "list_name": "industry-pdq",
                      "source_database": "ncmec-csam-hashes", "category": "A1",
                      "snapshot_digest": "22".repeat(32), "fetched_at": at},
        "perceptual_distance": claimed, "threshold": threshold
    });
    s["matched_hash_value"] = json!(matched);
    s["content_hash"] = json!(content);
    s
}

#[test]
fn detections_recompute_on_site_and_cannot_be_determined_from_the_public_part() {
    let s = Site::new(json!([{
        "id": "hash-match", "version": 1, "rule": "detection-recomputes",
        "legal_source": "EU 2021/1232 Art 3(1)(b)"
    }]));
    let at = "2026-04-09T08:00:00Z";
    let add = |alg: &str, flipped, claimed, threshold| {
        s.append(
            "platform",
            "account-sanction",
            at,
            detected(at, alg, flipped, claimed, threshold),
        )
        .0
    };
    let honest = add("pdq", 12, 12, 31);
    let lie = add("pdq", 20, 12, 31);
    let far = add("pdq", 40, 40, 31);
    let photodna = add("photodna", 12, 12, 31);
    s.checkpoint();
    let (found, v) = s.verify("log");
    assert_eq!(
        found,
        [
            f("violated", "obligation-detection-mismatch", lie),
            f("violated", "obligation-detection-over-threshold", far),
            f(
                "cannot-be-determined",
                "obligation-detection-undetermined",
                photodna
            ),
        ],
        "honest {honest}"
    );
    let m = finding(&v, "obligation-detection-mismatch");
    assert_eq!(m["expected"], "perceptual_distance 20 (recomputed)");
    assert_eq!(m["found"], "perceptual_distance 12 (claimed)");
    let o = finding(&v, "obligation-detection-over-threshold");
    assert_eq!(
        (o["expected"].as_str(), o["found"].as_str()),
        (Some("distance at most 31"), Some("distance 40"))
    );
    assert!(
        finding(&v, "obligation-detection-undetermined")["message"]
            .as_str()
            .unwrap()
            .contains("hash algorithm photodna")
    );
    // Never a sealed value: no hash is printed.
    let text = v.to_string();
    for n in [12, 20, 40] {
        let (a, b) = pdq_pair(n);
        assert!(!text.contains(&a) && !text.contains(&b));
    }

    // The public part alone: nothing to recompute from.
    s.public_copy();
    let (found, v) = s.verify("public-only");
    let leaves: Vec<_> = found.iter().map(|x| (x.1.as_str(), x.2)).collect();
    assert_eq!(
        leaves,
        [
            // The three PDQ detections, for one reason: one finding at the first, naming all.
            ("obligation-detection-undetermined", Some(honest)),
            ("obligation-detection-undetermined", Some(photodna)),
        ]
    );
    let msgs: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["leaf"] == json!(honest))
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("no access to the log's private part")
                && m.contains(&format!("(3 detections, at leaves {honest}, {lie}, {far})"))),
        "{msgs:?}"
    );
}
