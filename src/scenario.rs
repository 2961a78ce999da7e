//! The built-in scenario behind `logseal demo` and many integration tests (shared/scenario.md):
//! A, a central subscriber-data service (uploads by three providers, queries by twenty
//! officials, an authorisation registry, daily heartbeats); B, a cloud platform's account
//! sanctions after hash-list matches (policy publications, sanctions, statements of reasons,
//! appeals, a legal hold), over 30 days from 2026-03-01.
//!
//! Owns: *what happens* — the records each producer writes, in order, with their sealed
//! values, and the violations built in: an official whose authorisation was revoked tries a
//! query (logged `denied`); one day the query front-end's heartbeat counts one query more
//! than it logged; the export case of B (backup sync, fully automated termination, no
//! statement of reasons, appeal upheld without human review); and the day-0 provider-odido
//! upload (label `kept-upload`), which the demo's retention sweep leaves in place past its
//! cap.
//!
//! Obligations (check 8): on day 0 the `obligation-authority` signs one policy
//! ([`OBLIGATION_POLICY_ID`]) with one rule of every type ([`obligation_rules`]). The scenario
//! is lawful by default under it: each query's legal basis, organisation and role are its
//! grant's, queries under [`ORDER_BASES`] carry `order_ref`, every query a `case_ref`, every
//! disclosure its recipients; every sanction's PDQ hashes lie exactly the claimed Hamming
//! distance apart, below the threshold, and every statement of reasons is sent when the
//! sanction applies, with contents consistent with it. The deliberate exceptions, labelled:
//! two `out-of-grant-query` records (a basis the grant does not list), a
//! `break-glass-unjustified` query (the [`JUSTIFIER`]'s chain continues past its deadline, so
//! the missing justification is provable) beside a `break-glass-justified` one and its
//! `break-glass-justification`, one `distance-mismatch` sanction, and the export case above
//! (its notifier keeps logging after the sanction's deadline).
//!
//! Retention: on day 0 the `retention-authority` signs one policy ([`POLICY_ID`]) with the
//! named rules of shared/record-fields.md, `case-file-records` and `nl-ciot-latest-upload` ([`named_rules`]).
//! Queries carry the categories of [`QUERY_CATEGORIES`], which the BDSG §76 cap and the
//! NEN 7513 minimum both cover: every query is in conflict, which shows conflict reporting.
//! Uploads carry only [`UPLOAD_CATEGORY`], covered by the one-day cap alone (only the latest
//! daily file may be kept): day N's file falls due at local midnight (Europe/Amsterdam) that
//! starts day N+2. The `retention-sweep` producer ([`SWEEP`]) is registered for the deletion
//! and review records a sweep appends; the scenario itself writes none. The same rules, one
//! policy per rule, are the ready-made policy files under [`POLICIES_DIR`]
//! ([`policy_files`], written by `cargo run --bin xtask -- all`).
//!
//! Pure and deterministic: keys and salts come from fixed labels through BLAKE3 `derive_key`
//! under [`SEED_CONTEXT`], the clock is the scenario's own. Never a source of real keys.
//! [`build`] signs everything into per-day append batches; the caller owns the log.

use serde_json::{Value, json};

use crate::crypto::SecretKey;
use crate::log::AppendItem;
use crate::record::json::build_from_json;
use crate::record::kinds::obligation_policy::ObligationRule;
use crate::record::kinds::retention_policy::{PeriodUnit, RetentionRule};
use crate::record::kinds::{ObligationPolicy, RetentionPolicy, samples};
use crate::record::payload::EnvelopeJson;
use crate::record::sealed::SALT_LEN;
use crate::record::types::{Hash32, Timestamp};
use crate::record::{Kind, Record};
use crate::tree::TreeHashAlg;

/// The log origin of the scenario.
pub const ORIGIN: &str = "demo.logseal.example/log";
/// BLAKE3 `derive_key` context of the scenario's key seeds and salts.
pub const SEED_CONTEXT: &str = "logseal demo: deterministic, never for real records v1";
/// The registration authority (its key name is its producer id).
pub const AUTHORITY: &str = "registration-authority";
/// The producer of retention-deletion and retention-review records (the demo's sweep signs
/// with its key, `--executor-key`).
pub const SWEEP: &str = "retention-sweep";
/// The producer that signs the retention policy.
pub const POLICY_AUTHORITY: &str = "retention-authority";
/// The id of the scenario's retention policy (version 1, day 0).
pub const POLICY_ID: &str = "logseal-demo-retention";
/// The producer that signs the obligation policy (the trust file's
/// `obligation_policy_authority`).
pub const OBLIGATION_AUTHORITY: &str = "obligation-authority";
/// The id of the scenario's obligation policy (version 1, day 0).
pub const OBLIGATION_POLICY_ID: &str = "logseal-demo-obligations";
/// The producer that justifies break-glass queries (`access-justification` records).
pub const JUSTIFIER: &str = "break-glass-review";
/// The inspector the demo registers after the last day for its logged `subject` inspection
/// (not one of [`producers`]: the demo appends its registration at the end).
pub const INSPECTOR: &str = "auditor-inspector";
/// The legal bases the obligation policy says need an order (`order_ref`).
pub const ORDER_BASES: &[&str] = &["nl-sv-126n", "nl-sv-126u"];
/// The hash lists' PDQ match threshold (a distance must lie below it).
const PDQ_THRESHOLD: u64 = 31;
/// The data categories of the queries: the BDSG §76 cap and the NEN 7513 minimum cover them.
pub const QUERY_CATEGORIES: &[&str] = &["subscriber-name-address", "ip-assignment", "mail-account"];
/// The rule grants, case-status records and legal holds declare (they carry sealed fields).
const CASE_FILE_RULE: &str = "case-file-records@1";

/// The data category of the inspections' own data-access records (`logseal subject`,
/// `show --disclose`): the `audit-inspection-records` rule covers it.
pub const INSPECTION_CATEGORY: &str = "audit-log-sealed-fields";
/// The one data category of the providers' uploads: only `nl-ciot-latest-upload` covers it.
pub const UPLOAD_CATEGORY: &str = "subscriber-data-file";
/// Where the ready-made policy files go, relative to the crate root.
pub const POLICIES_DIR: &str = "docs/policies";
/// 2026-03-01T00:00:00Z in seconds.
const START: u64 = 1_772_323_200;
const DAY: u64 = 86_400;

/// How big a scenario to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub days: u32,
    pub queries_per_day: u32,
    pub sanctions_per_day: u32,
}

impl Scale {
    /// The demo: 30 days, about 3,000 queries and 240 sanctions.
    pub const FULL: Scale = Scale {
        days: 30,
        queries_per_day: 100,
        sanctions_per_day: 8,
    };
    /// For debug-build tests: every feature, few records.
    pub const SMALL: Scale = Scale {
        days: 18,
        queries_per_day: 6,
        sanctions_per_day: 2,
    };
}

/// A key seed for `name`.
pub fn key_seed(name: &str) -> [u8; 32] {
    blake3::derive_key(SEED_CONTEXT, format!("key {name}").as_bytes())
}

/// The scenario's signing key of producer (or log) `name`.
pub fn secret_key(name: &str) -> SecretKey {
    SecretKey::from_seed(&key_seed(name))
}

/// A producer of the scenario and the kinds the authority registers it for.
#[derive(Debug, Clone)]
pub struct ProducerSpec {
    pub name: &'static str,
    pub kinds: &'static [Kind],
    pub about: &'static str,
}

/// Every producer (the registration authority first).
pub fn producers() -> Vec<ProducerSpec> {
    use Kind::*;
    vec![
        ProducerSpec {
            name: AUTHORITY,
            kinds: &[KeyRegistration, KeyRevocation, ProducerReset],
            about: "registers producer keys (not the log operator)",
        },
        ProducerSpec {
            name: "authorisation-registry",
            kinds: &[Authorisation],
            about: "grants and revokes officials' authorisations",
        },
        ProducerSpec {
            name: "upload-gateway",
            kinds: &[DataAccess, ProducerHeartbeat],
            about: "receives the providers' daily subscriber files",
        },
        ProducerSpec {
            name: "query-frontend",
            kinds: &[DataAccess, ProducerHeartbeat],
            about: "answers officials' queries",
        },
        ProducerSpec {
            name: POLICY_AUTHORITY,
            kinds: &[RetentionPolicy],
            about: "publishes the retention rules",
        },
        ProducerSpec {
            name: OBLIGATION_AUTHORITY,
            kinds: &[ObligationPolicy],
            about: "publishes the obligation rules (check 8)",
        },
        ProducerSpec {
            name: JUSTIFIER,
            kinds: &[AccessJustification],
            about: "reviews and justifies break-glass queries",
        },
        ProducerSpec {
            name: "case-registry",
            kinds: &[CaseStatus],
            about: "records case openings and closures",
        },
        ProducerSpec {
            name: "policy-board",
            kinds: &[PolicyPublication],
            about: "publishes terms of service and hash-list snapshots",
        },
        ProducerSpec {
            name: "trust-and-safety",
            kinds: &[AccountSanction],
            about: "decides account sanctions",
        },
        ProducerSpec {
            name: "notifier",
            kinds: &[Notification],
            about: "sends statements of reasons",
        },
        ProducerSpec {
            name: "appeals",
            kinds: &[Appeal, AppealDecision],
            about: "handles appeals",
        },
        ProducerSpec {
            name: "legal-desk",
            kinds: &[LegalHold],
            about: "places legal holds",
        },
        ProducerSpec {
            name: SWEEP,
            kinds: &[RetentionDeletion, RetentionReview],
            about: "erases what falls due and records each deletion",
        },
    ]
}

/// One record the scenario's producers write, before seq/prev and signing.
#[derive(Debug, Clone)]
pub struct Planned {
    pub kind: Kind,
    pub producer: &'static str,
    /// The record's JSON form (see `record::json`) without `seq` and `prev`.
    pub json: Value,
    /// A label for records the demo points at (`"export-sanction"`, …).
    pub label: Option<&'static str>,
}

/// One day: the records written that day, appended as one batch, then a checkpoint.
#[derive(Debug, Clone)]
pub struct Day {
    pub day: u32,
    pub records: Vec<Planned>,
    /// The log's checkpoint time for the day (seconds since the epoch).
    pub checkpoint_at: u64,
}

/// A deterministic generator of scenario data (splitmix64; not for cryptography).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

fn iso(secs: u64) -> String {
    Timestamp(secs * 1000).to_rfc3339()
}

fn digest(label: &str) -> String {
    hex::encode(blake3::hash(label.as_bytes()).as_bytes())
}

fn id16(label: &str) -> String {
    hex::encode(&blake3::hash(label.as_bytes()).as_bytes()[..16])
}

const SUBJECTS: &[&str] = &[
    "Jeroen van IJsselstein",
    "Zoë de Vries-Smit",
    "Fatima el Amrani",
    "Ruud ’t Hooft",
    "Anneke van der Meulen",
    "Çağla Yılmaz",
    "Łukasz Wiśniewski",
    "Sjoerd IJzerman",
    "Noëlle d’Oliveira",
    "Bram de Groot",
];

const PROVIDERS: &[&str] = &["provider-kpn", "provider-vodafoneziggo", "provider-odido"];

const LEGAL_BASES: &[(&str, &str, &str)] = &[
    ("nl-sv-126n", "subscriber-name-address", "phone"),
    ("nl-sv-126na", "ip-assignment", "ip"),
    ("nl-sv-126u", "subscriber-name-address", "name"),
    ("nl-sv-126ua", "mail-account", "mail"),
];

fn official(i: u64) -> String {
    format!("NL-POL-{:06}", 104_200 + i * 17)
}

fn auth_id(i: u64) -> String {
    format!("auth-{:04}", i + 1)
}

/// The legal bases official `i`'s grant lists (sorted).
fn granted_bases(i: u64) -> Vec<&'static str> {
    let mut bases = vec![LEGAL_BASES[(i % 4) as usize].0, "nl-sv-126n"];
    bases.sort_unstable();
    bases.dedup();
    bases
}

/// Official `i`'s organisation (in the grant and in every query).
fn organisation(i: u64) -> &'static str {
    if i.is_multiple_of(2) {
        "politie-eenheid-noord-nederland"
    } else {
        "fiod"
    }
}

/// The days of the two queries under a legal basis their grant does not list.
const OUT_OF_GRANT_DAYS: [u32; 2] = [3, 14];
/// The day of the break-glass query never justified.
const BREAK_GLASS_UNJUSTIFIED_DAY: u32 = 4;
/// The day of the break-glass query justified the next morning.
const BREAK_GLASS_JUSTIFIED_DAY: u32 = 12;

/// The label of query `q` of `day` when it is one of the deliberate exceptions (the day's
/// middle query): `out-of-grant-query`, `break-glass-unjustified`, `break-glass-justified`.
fn special_query(day: u32, q: u32, scale: Scale) -> Option<&'static str> {
    if q != scale.queries_per_day / 2 {
        return None;
    }
    match day {
        d if OUT_OF_GRANT_DAYS.contains(&d) => Some("out-of-grant-query"),
        BREAK_GLASS_UNJUSTIFIED_DAY => Some("break-glass-unjustified"),
        BREAK_GLASS_JUSTIFIED_DAY => Some("break-glass-justified"),
        _ => None,
    }
}

/// What an official typed: a phone number, an IP address at a time, a mail address, a name.
fn query_text(rng: &mut Rng, qtype: &str, subject: &str, at: u64) -> String {
    match qtype {
        "phone" => format!("+31 6 {:04} {:04}", rng.below(10_000), rng.below(10_000)),
        "ip" if rng.below(2) == 0 => format!(
            "198.51.100.{} at {}",
            rng.below(255),
            iso(at - 86_400 - rng.below(86_400))
        ),
        "ip" => format!(
            "2001:db8:{:x}:{:x}::{:x} at {}",
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff),
            iso(at - 86_400)
        ),
        "mail" => format!(
            "{}@example.nl",
            subject.split(' ').next().unwrap_or("x").to_lowercase()
        ),
        _ => subject.to_string(),
    }
}

/// The break-glass reviewer's justification of the `break-glass-justified` query (its
/// `access` reference is wired in [`build`]), approved at `at`.
fn justification(at: u64) -> Planned {
    let mut p = plan(
        Kind::AccessJustification,
        JUSTIFIER,
        envelope(
            JUSTIFIER,
            at + 60,
            "break-glass-review",
            Some(CASE_FILE_RULE),
            json!({
                "access": {"producer": "query-frontend", "seq": 0, "leaf_hash": "00".repeat(32)},
                "justified_at": iso(at),
                "reason": "imminent-danger-to-life",
                "approved": true,
                "case_ref": "PL0100-2026041733",
                "statement": "Vermiste minderjarige; de abonnee van het laatst gebruikte nummer \
                              moest direct worden vastgesteld.",
                "approver": "ciot-duty-officer-04",
            }),
        ),
    );
    p.label = Some("break-glass-justification");
    p
}

/// The revoked official (revoked on day 9, tries a query on day 11).
const REVOKED_OFFICIAL: u64 = 13;
/// The day the query front-end serves one query it does not log.
const UNLOGGED_DAY: u32 = 6;
/// The day of the export case's sanction.
const EXPORT_DAY: u32 = 2;

fn envelope(producer: &str, at: u64, activity: &str, rule: Option<&str>, body: Value) -> Value {
    let mut v = json!({
        "producer": producer,
        "occurred_at": iso(at),
        "processing_activity": format!("https://register.example/activities/{activity}"),
        "trace_id": id16(&format!("trace {producer} {at}")),
        "status": "ok",
        "body": body,
    });
    if let Some(r) = rule {
        v["retention_rule"] = Value::from(r);
    }
    v
}

fn sample(kind: Kind) -> Value {
    samples()
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, v)| v)
        .expect("a sample per kind")
}

/// Generate the scenario at `scale`.
pub fn generate(scale: Scale) -> Vec<Day> {
    let mut rng = Rng(0x6c6f_6773_6561_6c00);
    let mut days = Vec::new();
    let mut day0 = Vec::new();
    let t0 = START + 7 * 3600;

    // Retention rules (the named rules of record-fields.md and the uploads' one-day cap) and
    // the platform's policies.
    day0.push(plan(
        Kind::RetentionPolicy,
        POLICY_AUTHORITY,
        envelope(
            POLICY_AUTHORITY,
            t0 + 60,
            "retention-policy",
            None,
            json!({
                "policy_id": POLICY_ID,
                "version": 1,
                "authority": "functionaris-gegevensbescherming",
                "rules": named_rules().into_iter().map(|r| r.rule).collect::<Vec<_>>(),
            }),
        ),
    ));
    day0.push(plan(
        Kind::ObligationPolicy,
        OBLIGATION_AUTHORITY,
        envelope(
            OBLIGATION_AUTHORITY,
            t0 + 90,
            "obligation-policy",
            None,
            json!({
                "policy_id": OBLIGATION_POLICY_ID,
                "version": 1,
                "authority": "autoriteit-persoonsgegevens",
                "rules": obligation_rules().into_iter().map(|r| r.rule).collect::<Vec<_>>(),
            }),
        ),
    ));
    let mut publication = sample(Kind::PolicyPublication)["body"].take();
    publication["effective_from"] = Value::from(iso(START));
    publication["hash_list"]["fetched_at"] = Value::from(iso(START));
    day0.push(plan(
        Kind::PolicyPublication,
        "policy-board",
        envelope(
            "policy-board",
            t0 + 120,
            "tns-policies",
            Some("eu-dsa20-appeal-window@1"),
            publication,
        ),
    ));
    // Authorisations for twenty officials.
    for i in 0..20u64 {
        let bases = granted_bases(i);
        day0.push(plan(
            Kind::Authorisation,
            "authorisation-registry",
            envelope(
                "authorisation-registry",
                t0 + 300 + i,
                "authorisation-register",
                Some(CASE_FILE_RULE),
                json!({
                    "action": "grant",
                    "authorisation_id": auth_id(i),
                    "role": "opsporingsambtenaar",
                    "organisation": organisation(i),
                    "legal_bases": bases,
                    "valid_from": iso(START),
                    "valid_until": iso(START + 365 * DAY),
                    "official": official(i),
                    "decision_ref": format!("JenV-2026-{:07}", 31_000 + i),
                }),
            ),
        ));
    }
    // A case is opened.
    day0.push(plan(
        Kind::CaseStatus,
        "case-registry",
        envelope(
            "case-registry",
            t0 + 900,
            "case-registry",
            Some(CASE_FILE_RULE),
            json!({
                "event": "opened",
                "case_id": "case-3e7f21",
                "effective_at": iso(t0 + 900),
                "authority": "om-arrondissementsparket-noord-nederland",
                "scope": [],
                "case_ref": "PL0100-2026041233",
            }),
        ),
    ));

    let mut sanction_no = 0u64;
    for day in 0..scale.days {
        let mut recs = if day == 0 {
            std::mem::take(&mut day0)
        } else {
            Vec::new()
        };
        let base = START + u64::from(day) * DAY;
        // A: each provider's daily upload.
        for (p, provider) in PROVIDERS.iter().enumerate() {
            let at = base + 2 * 3600 + p as u64 * 600;
            let n = 2 + rng.below(3) as usize;
            let subjects: Vec<&str> = (0..n).map(|_| *rng.pick(SUBJECTS)).collect();
            let mut subjects = subjects;
            subjects.sort();
            subjects.dedup();
            let mut p = plan(
                Kind::DataAccess,
                "upload-gateway",
                envelope(
                    "upload-gateway",
                    at,
                    "subscriber-data-upload",
                    Some("nl-ciot-latest-upload@1"),
                    json!({
                        "action": "collect",
                        "legal_basis": "nl-tw-13-4",
                        "purpose": "statutory-data-provision",
                        "actor": {"role": "system", "organisation": provider, "user": format!("{provider}-sftp")},
                        "data_categories": [UPLOAD_CATEGORY],
                        "result_count": 1_800_000 + rng.below(50_000),
                        "data_origin": {
                            "provider": provider,
                            "file_digest": digest(&format!("{provider} upload day {day}")),
                            "record_count": 1_800_000 + rng.below(50_000),
                        },
                        "subjects": subjects,
                    }),
                ),
            );
            if day == 0 && *provider == "provider-odido" {
                p.label = Some("kept-upload");
            }
            recs.push(p);
        }
        // A: official revoked on day 9.
        if day == 9 {
            recs.push(plan(
                Kind::Authorisation,
                "authorisation-registry",
                envelope(
                    "authorisation-registry",
                    base + 8 * 3600,
                    "authorisation-register",
                    Some(CASE_FILE_RULE),
                    json!({
                        "action": "revoke",
                        "authorisation_id": auth_id(REVOKED_OFFICIAL),
                        "role": "opsporingsambtenaar",
                        "organisation": "fiod",
                        "legal_bases": [],
                        "valid_from": iso(base + 8 * 3600),
                        "official": official(REVOKED_OFFICIAL),
                        "decision_ref": "JenV-2026-0031913",
                    }),
                ),
            ));
        }
        // A: the morning after the justified break-glass query, its justification.
        if day == BREAK_GLASS_JUSTIFIED_DAY + 1 {
            recs.push(justification(base + 7 * 3600 + 1800));
        }
        // A: queries, each within its official's grant (legal basis, organisation, role)
        // but for the deliberate exceptions check 8 must find.
        let mut logged = 0u64;
        for q in 0..scale.queries_per_day {
            let at = base
                + 8 * 3600
                + u64::from(q) * (10 * 3600 / u64::from(scale.queries_per_day.max(1)));
            let mut who = rng.below(20);
            if who == REVOKED_OFFICIAL {
                who = (who + 1) % 20;
            }
            let denied = day == 11 && q == 0;
            if denied {
                who = REVOKED_OFFICIAL;
            }
            let special = special_query(day, q, scale);
            let granted = granted_bases(who);
            let (basis, category, qtype) = if special == Some("out-of-grant-query") {
                *LEGAL_BASES
                    .iter()
                    .find(|(b, _, _)| !granted.contains(b))
                    .expect("a basis the grant does not list")
            } else {
                let b = *rng.pick(&granted);
                *LEGAL_BASES
                    .iter()
                    .find(|(x, _, _)| *x == b)
                    .expect("a known basis")
            };
            let subject = *rng.pick(SUBJECTS);
            let query = query_text(&mut rng, qtype, subject, at);
            let disclose = q % 25 == 7;
            let mut body = json!({
                "action": if disclose { "disclose" } else if qtype == "name" { "search" } else { "consult" },
                "legal_basis": basis,
                "purpose": "criminal-investigation",
                "actor": {
                    "role": "opsporingsambtenaar",
                    "organisation": organisation(who),
                    "authorisation_id": auth_id(who),
                    "break_glass": special.is_some_and(|l| l.starts_with("break-glass")),
                    "user": official(who),
                },
                "data_categories": [category],
                "result_count": if denied { 0 } else { 1 + rng.below(3) },
                "case_ref": format!("PL0100-2026{:06}", 41_000 + rng.below(400)),
                "query": query,
                "subject": subject,
            });
            if ORDER_BASES.contains(&basis) {
                body["order_ref"] =
                    Value::from(format!("{}-2026-{:05}", &basis[6..], rng.below(99_999)));
            }
            if disclose {
                body["recipients"] = json!(["OM Arrondissementsparket Noord-Nederland"]);
            }
            let mut v = envelope(
                "query-frontend",
                at,
                "subscriber-data-query",
                Some("de-bdsg76-led-logs@1"),
                body,
            );
            v["operation_id"] = Value::from(id16(&format!("query {day} {q}")));
            if denied {
                v["status"] = Value::from("denied");
            }
            let mut p = plan(Kind::DataAccess, "query-frontend", v);
            p.label = if denied {
                Some("denied-query")
            } else {
                special
            };
            recs.push(p);
            logged += 1;
        }
        // B: sanctions with notices, some appealed.
        for s in 0..scale.sanctions_per_day {
            sanction_no += 1;
            let at = base + 9 * 3600 + u64::from(s) * 1800;
            let export = day == EXPORT_DAY && s == 0;
            let mut body = sample(Kind::AccountSanction)["body"].take();
            let account = format!("u-{:08}", 88_000_000 + sanction_no * 7919 % 1_000_000);
            body["account_id"] = Value::from(account.clone());
            body["content_id"] = Value::from(format!(
                "file-{}",
                &id16(&format!("file {sanction_no}"))[..10]
            ));
            body["puid"] = Value::from(format!("sor-2026-03-{sanction_no:06}"));
            body["application_date"] = Value::from(iso(at));
            body["terms_clause"]["publication"] =
                json!({"producer": "policy-board", "seq": 0, "leaf_hash": "00".repeat(32)});
            body["detection"]["hash_list"]["publication"] =
                body["terms_clause"]["publication"].clone();
            body["detection"]["hash_list"]["fetched_at"] = Value::from(iso(START));
            body["triggering_event"]["time"] = Value::from(iso(at - 900));
            body["triggering_event"]["event_id"] =
                Value::from(format!("evt-{}", &id16(&format!("evt {sanction_no}"))[..8]));
            body["human_review"]["time"] = Value::from(iso(at - 120));
            body["external_report"]["time"] = Value::from(iso(at + 3600));
            body["external_report"]["report_id"] =
                Value::from(format!("CT-2026-{:09}", 118_700_000 + sanction_no));
            body["matched_entry_id"] =
                Value::from(format!("ncmec:A1:{:08}", rng.below(10_000_000)));
            // PDQ: the matched entry's 256-bit hash and the content's own, exactly the claimed
            // Hamming distance apart (but for the one `distance-mismatch` sanction).
            let distance = rng.below(PDQ_THRESHOLD - 6);
            let mismatch = day == DISTANCE_MISMATCH_DAY && s == 1;
            let matched =
                blake3::derive_key(SEED_CONTEXT, format!("pdq entry {sanction_no}").as_bytes());
            let actual = if mismatch { distance + 6 } else { distance };
            body["matched_hash_value"] = Value::from(hex::encode(matched));
            body["content_hash"] =
                Value::from(hex::encode(flip_bits(matched, actual, sanction_no)));
            body["content_digest"] = Value::from(digest(&format!("content {sanction_no}")));
            body["detection"]["perceptual_distance"] = Value::from(distance);
            body["detection"]["threshold"] = Value::from(PDQ_THRESHOLD);
            body["content_date"] = Value::from(iso(at - 900 - DAY * (1 + rng.below(60))));
            if !export {
                body["triggering_event"]["kind"] =
                    Value::from(*rng.pick(&["upload", "share", "send"]));
                body["triggering_event"]["shared_with_count"] = Value::from(1 + rng.below(40));
                body["decision_facts"] = Value::from(decision_facts(
                    body["triggering_event"]["kind"]
                        .as_str()
                        .unwrap_or("upload"),
                    distance,
                    "a trained reviewer confirmed the match",
                ));
            } else {
                // The export case: a phone's automatic backup synced a received image, shared
                // with nobody; fully automated termination of all services; no human review.
                body["triggering_event"]["kind"] = Value::from("backup");
                body["triggering_event"]["shared_with_count"] = Value::from(0);
                body["automated_decision"] = Value::from("AUTOMATED_DECISION_FULLY");
                body["human_review"] = json!({"done": false});
                body.as_object_mut()
                    .expect("object")
                    .remove("external_report");
                body["account_id"] = Value::from("u-88412907");
                body["decision_facts"] = Value::from(decision_facts(
                    "backup",
                    distance,
                    "the account was terminated automatically, without review by a person",
                ));
                body["explanation"] = Value::from(
                    "Automatischer Abgleich: ein Bild in der Sicherung entspricht einem Eintrag \
                     der Hash-Liste (Kategorie A1). Konto gemäß Nr. 4.2 der Nutzungsbedingungen \
                     geschlossen.",
                );
            }
            let mut p = plan(
                Kind::AccountSanction,
                "trust-and-safety",
                envelope(
                    "trust-and-safety",
                    at,
                    "tns-sanctions",
                    Some("eu-dsa20-appeal-window@1"),
                    body,
                ),
            );
            if export {
                p.label = Some("export-sanction");
            } else if mismatch {
                p.label = Some("distance-mismatch");
            }
            let statement = statement_of(&p.json["body"]);
            recs.push(p);
            // The statement of reasons, sent for every sanction but the export case's.
            if !export {
                let mut n = sample(Kind::Notification)["body"].take();
                n["sanction"] =
                    json!({"producer": "trust-and-safety", "seq": 0, "leaf_hash": "00".repeat(32)});
                // Sent when the restriction is imposed (DSA Art 17(1)), logged 21 s later.
                n["sent_at"] = Value::from(iso(at));
                n["statement"] = statement;
                n["text_digest"] =
                    Value::from(digest(&format!("statement of reasons {sanction_no}")));
                n["recipient_address"] = Value::from(format!("{account}@mail.example"));
                let mut p = plan(
                    Kind::Notification,
                    "notifier",
                    envelope(
                        "notifier",
                        at + 21,
                        "tns-notices",
                        Some("eu-dsa20-appeal-window@1"),
                        n,
                    ),
                );
                p.label = Some("notice");
                recs.push(p);
            }
        }
        // B: the export case's appeal (two weeks later), upheld without human review, and
        // the legal hold over its records.
        if day == EXPORT_DAY + 14 {
            let at = base + 17 * 3600;
            let mut a = sample(Kind::Appeal)["body"].take();
            a["received_at"] = Value::from(iso(at - 60));
            let mut p = plan(
                Kind::Appeal,
                "appeals",
                envelope(
                    "appeals",
                    at,
                    "tns-appeals",
                    Some("eu-dsa20-appeal-window@1"),
                    a,
                ),
            );
            p.label = Some("export-appeal");
            recs.push(p);
            let mut d = sample(Kind::AppealDecision)["body"].take();
            d["decided_at"] = Value::from(iso(at + 300));
            d["communicated_at"] = Value::from(iso(at + 300));
            d["human_review"] = Value::from(false);
            d["outcome"] = Value::from("upheld");
            d["reinstated"] = Value::from(false);
            d.as_object_mut()
                .expect("object")
                .remove("reviewer_qualification");
            d.as_object_mut().expect("object").remove("reviewer");
            d["explanation"] =
                Value::from("Automatische Prüfung: die Entscheidung bleibt bestehen.");
            let mut p = plan(
                Kind::AppealDecision,
                "appeals",
                envelope(
                    "appeals",
                    at + 301,
                    "tns-appeals",
                    Some("eu-dsa20-appeal-window@1"),
                    d,
                ),
            );
            p.label = Some("export-appeal-decision");
            recs.push(p);
            let mut h = sample(Kind::LegalHold)["body"].take();
            h["scope"] = json!([]);
            h["until"] = Value::from(iso(START + 400 * DAY));
            let mut p = plan(
                Kind::LegalHold,
                "legal-desk",
                envelope(
                    "legal-desk",
                    at + 3600,
                    "legal-holds",
                    Some(CASE_FILE_RULE),
                    h,
                ),
            );
            p.label = Some("export-hold");
            recs.push(p);
        }
        // A: end-of-day heartbeats, with the application's own counters.
        let served = logged + u64::from(day == UNLOGGED_DAY);
        recs.push(heartbeat("query-frontend", base, "queries-served", served));
        recs.push(heartbeat(
            "upload-gateway",
            base,
            "files-received",
            PROVIDERS.len() as u64,
        ));
        days.push(Day {
            day,
            records: recs,
            checkpoint_at: base + DAY - 60,
        });
    }
    days
}

/// The day of the one sanction whose claimed perceptual distance does not recompute.
const DISTANCE_MISMATCH_DAY: u32 = 5;

/// `hash` with `n` distinct bits flipped (positions from `salt`): Hamming distance `n`.
fn flip_bits(mut hash: [u8; 32], n: u64, salt: u64) -> [u8; 32] {
    for k in 0..n {
        // 97 is odd, so k ↦ 97k + salt is a bijection of 0..256: n distinct positions.
        let bit = ((k * 97 + salt) % 256) as usize;
        hash[bit / 8] ^= 0x80 >> (bit % 8);
    }
    hash
}

/// A sanction's public, non-personal facts (TDB `decision_facts`, DSA Art 24(5)).
fn decision_facts(trigger: &str, distance: u64, review: &str) -> String {
    format!(
        "A file stored by the account (event: {trigger}) matched an entry of a hash list of \
         known abuse material (category A1) at PDQ distance {distance}, below the list's \
         threshold of {PDQ_THRESHOLD}; {review}."
    )
}

/// The statement of reasons' contents for the sanction `body` (its JSON form): the facts,
/// its ground, whether detection and decision were automated, the three redress routes.
fn statement_of(body: &Value) -> Value {
    json!({
        "facts_and_circumstances": true,
        "decision_ground": body["decision_ground"].clone(),
        "ground_reference": body["incompatible_content_ground"].clone(),
        "automated_detection": body["automated_detection"].clone(),
        "automated_decision": body["automated_decision"].clone(),
        "redress": ["internal-complaint", "out-of-court-settlement", "judicial-redress"],
    })
}

fn heartbeat(producer: &'static str, base: u64, counter: &str, value: u64) -> Planned {
    plan(
        Kind::ProducerHeartbeat,
        producer,
        envelope(
            producer,
            base + DAY - 120,
            if producer == "query-frontend" {
                "subscriber-data-query"
            } else {
                "subscriber-data-upload"
            },
            None,
            json!({
                "cadence_secs": 86_400,
                "period_start": iso(base),
                "period_end": iso(base + DAY),
                "counters": [{"name": counter, "value": value, "kind": "data-access"}],
            }),
        ),
    )
}

fn plan(kind: Kind, producer: &'static str, json: Value) -> Planned {
    Planned {
        kind,
        producer,
        json,
        label: None,
    }
}

/// One named retention rule: the rule in its JSON form, and what it says, for a person.
#[derive(Debug, Clone)]
pub struct NamedRule {
    /// A `retention-policy` rule object (`id`, `version`, `rule`, `kinds`, …).
    pub rule: Value,
    /// What the rule means, for docs/policies/README.md.
    pub says: &'static str,
}

/// The scenario's retention rules, in the order its policy lists them: the named rules of
/// shared/record-fields.md, `case-file-records` and `nl-ciot-latest-upload`. Kinds and data categories are the
/// scenario's: the BDSG cap and the NEN minimum cover the queries' categories
/// ([`QUERY_CATEGORIES`]), the one-day cap only the uploads' ([`UPLOAD_CATEGORY`]).
pub fn named_rules() -> Vec<NamedRule> {
    vec![
        NamedRule {
            rule: json!({
                "id": "de-bdsg76-led-logs", "version": 1, "rule": "cap",
                "kinds": ["data-access"], "data_categories": QUERY_CATEGORIES,
                "period": {"count": 1, "unit": "years"}, "trigger": "occurred-at",
                "align": "end-of-year", "time_zone": "Europe/Berlin",
                "conditions": [], "legal_source": "BDSG §76(4)",
            }),
            says: "Logs of processing by a law-enforcement authority (the German transposition \
                   of the LED) are erased at the end of the year after the year they were \
                   generated: anything logged in 2026 is due 2028-01-01T00:00 in Berlin.",
        },
        NamedRule {
            rule: json!({
                "id": "nl-nen7513-access-logs", "version": 1, "rule": "minimum",
                "kinds": ["data-access"], "data_categories": QUERY_CATEGORIES,
                "period": {"count": 5, "unit": "years"}, "trigger": "occurred-at",
                "time_zone": "Europe/Amsterdam",
                "conditions": [], "legal_source": "NEN 7513",
            }),
            says: "Access logs are kept at least five years. Over the same queries as the BDSG \
                   cap this is a conflict (the cap falls due first), which `logseal retention \
                   plan` reports instead of resolving.",
        },
        NamedRule {
            rule: json!({
                "id": "eu-dsa20-appeal-window", "version": 1, "rule": "minimum",
                "kinds": ["account-sanction", "notification", "appeal", "appeal-decision"],
                "data_categories": [],
                "period": {"count": 6, "unit": "months"}, "trigger": "notification-sent",
                "time_zone": "Europe/Brussels",
                "conditions": ["complaint-pending", "case-pending"],
                "legal_source": "DSA Art 20(1)–(2), 21",
            }),
            says: "A sanction and its statement of reasons, appeal and decision are kept at \
                   least six months after the statement was sent (the window for an internal \
                   complaint), and longer while a complaint or a case is pending.",
        },
        NamedRule {
            rule: json!({
                "id": "us-2258a-preservation", "version": 1, "rule": "minimum",
                "kinds": ["account-sanction"], "data_categories": [],
                "period": {"count": 1, "unit": "years"}, "trigger": "report-made",
                "time_zone": "America/New_York",
                "conditions": [], "legal_source": "18 U.S.C. 2258A(h)",
            }),
            says: "What a provider reported to the CyberTipline is preserved at least one year \
                   after the report.",
        },
        NamedRule {
            rule: json!({
                "id": "eu-r1232-csam-cap", "version": 1, "rule": "cap",
                "kinds": ["account-sanction"], "data_categories": [],
                "period": {"count": 12, "unit": "months"}, "trigger": "identification",
                "time_zone": "Europe/Brussels",
                "conditions": ["complaint-pending"],
                "legal_source": "Reg. (EU) 2021/1232 Art 3",
            }),
            says: "Data processed under the interim ePrivacy derogation is erased twelve months \
                   after the material was identified, unless it is needed for a complaint or \
                   redress (suspended while a complaint is pending).",
        },
        NamedRule {
            rule: json!({
                "id": "hold-override", "version": 1, "rule": "hold-override",
                "kinds": [], "data_categories": [],
                "conditions": ["legal-hold"],
                "legal_source": "GDPR 17(3)(e), 18(1)(c); LED 16(3)",
            }),
            says: "While a legal hold covers a record, no cap erases it (data needed for legal \
                   claims is restricted, not erased). Covers every kind.",
        },
        NamedRule {
            rule: json!({
                "id": "case-file-records", "version": 1, "rule": "cap",
                "kinds": ["authorisation", "case-status", "legal-hold", "access-justification"],
                "data_categories": [],
                "period": {"count": 10, "unit": "years"}, "trigger": "occurred-at",
                "align": "end-of-year", "time_zone": "Europe/Amsterdam",
                "conditions": [],
                "legal_source": "the scenario's records-management schedule (case files)",
            }),
            says: "Grants, case-status records, legal holds and break-glass justifications carry \
                   sealed personal data (an officer, a case reference, a court's order) and are \
                   case-file records: \
                   erased at the end of the tenth year after they were made. Without a rule \
                   covering them, check 7 reports retention-no-rule.",
        },
        NamedRule {
            rule: json!({
                "id": "nl-ciot-latest-upload", "version": 1, "rule": "cap",
                "kinds": ["data-access"], "data_categories": [UPLOAD_CATEGORY],
                "period": {"count": 1, "unit": "days"}, "trigger": "occurred-at",
                "align": "end-of-day", "time_zone": "Europe/Amsterdam",
                "conditions": [],
                "legal_source": "Telecommunicatiewet art. 13.4; Besluit verstrekking gegevens \
                                 telecommunicatie",
            }),
            says: "The central subscriber-data service keeps only the latest daily file of each \
                   provider: a file received on day N is erased at local midnight that starts \
                   day N+2 (one day, aligned to the end of the day, in Amsterdam), once the \
                   next day's file has replaced it.",
        },
        NamedRule {
            rule: json!({
                "id": "audit-inspection-records", "version": 1, "rule": "cap",
                "kinds": ["data-access"], "data_categories": [INSPECTION_CATEGORY],
                "period": {"count": 10, "unit": "years"}, "trigger": "occurred-at",
                "align": "end-of-year", "time_zone": "Europe/Amsterdam",
                "conditions": [],
                "legal_source": "the scenario's records-management schedule (audit inspections)",
            }),
            says: "The log's own inspections — the data-access records `logseal subject` and \
                   `logseal show --disclose` append before they reveal sealed values (data \
                   category `audit-log-sealed-fields`) — are case-file records of the \
                   inspecting authority: erased at the end of the tenth year after they were \
                   made.",
        },
    ]
}

/// The scenario's obligation rules (check 8), in the order its obligation policy lists them:
/// one of every rule type the scenario exercises, over the scenario's producers. The same
/// rules, one policy per rule, are ready-made policy files.
pub fn obligation_rules() -> Vec<NamedRule> {
    const REDRESS: [&str; 3] = [
        "internal-complaint",
        "out-of-court-settlement",
        "judicial-redress",
    ];
    let rule = |id: &str, rule: &str, producers: &[&str], source: &str| {
        json!({
            "id": id, "version": 1, "rule": rule, "producers": producers,
            "legal_bases": [], "followers": [], "redress": [], "legal_source": source,
        })
    };
    let with = |mut r: Value, extra: Value| {
        for (k, v) in extra.as_object().into_iter().flatten() {
            r[k] = v.clone();
        }
        r
    };
    let q = &["query-frontend"][..];
    let tns = &["trust-and-safety"][..];
    vec![
        NamedRule {
            rule: rule(
                "nl-cis-access-scope",
                "access-scope",
                q,
                "LED Art 25(1); Telecommunicatiewet art. 13.4",
            ),
            says: "Each query names a legal basis its official's authorisation grants, under \
                   the grant's organisation and role.",
        },
        NamedRule {
            rule: with(
                rule(
                    "nl-sv-order-required",
                    "order-required",
                    q,
                    "Sv art. 126n, 126u",
                ),
                json!({"legal_bases": ORDER_BASES}),
            ),
            says: "Queries under Sv 126n and 126u carry the (sealed) reference of the public \
                   prosecutor's order.",
        },
        NamedRule {
            rule: rule("led25-case-reference", "case-reference", q, "LED Art 25(1)"),
            says: "Every query carries the (sealed) case reference that justifies it, beyond \
                   its legal basis.",
        },
        NamedRule {
            rule: rule(
                "led25-recipient-recorded",
                "recipient-recorded",
                q,
                "LED Art 25(1)",
            ),
            says: "A disclosure or transfer names its (sealed) recipients.",
        },
        NamedRule {
            rule: with(
                rule(
                    "nl-break-glass-justified",
                    "break-glass-justified",
                    q,
                    "NEN 7513 (emergency access)",
                ),
                json!({"deadline_seconds": 86_400, "followers": [JUSTIFIER],
                       "max_logging_delay_seconds": 3600}),
            ),
            says: "A break-glass query is justified by an access-justification record of the \
                   break-glass reviewer within a day; the reviewer logs within an hour.",
        },
        NamedRule {
            rule: with(
                rule(
                    "dsa17-statement-of-reasons",
                    "statement-of-reasons",
                    tns,
                    "DSA Art 17(1), 17(3)",
                ),
                json!({"deadline_seconds": 0, "followers": ["notifier"],
                       "max_logging_delay_seconds": 900, "redress": REDRESS}),
            ),
            says: "Every account sanction has a statement of reasons sent at the latest when \
                   the restriction is imposed, stating the facts, the ground, whether detection \
                   and decision were automated, and the three redress routes; the notifier logs \
                   within 15 minutes.",
        },
        NamedRule {
            rule: rule(
                "dsa20-appeal-human-review",
                "appeal-human-review",
                &["appeals"],
                "DSA Art 20(6)",
            ),
            says: "An appeal is decided under the supervision of a qualified person, not solely \
                   by automated means.",
        },
        NamedRule {
            rule: with(
                rule(
                    "dsa20-appeal-deadline",
                    "appeal-deadline",
                    &["appeals"],
                    "DSA Art 20(4), 20(5)",
                ),
                json!({"deadline_seconds": 14 * 86_400, "followers": ["appeals"],
                       "max_logging_delay_seconds": 3600}),
            ),
            says: "An appeal is decided and the decision communicated within two weeks of its \
                   receipt; the appeals desk logs within an hour.",
        },
        NamedRule {
            rule: with(
                rule(
                    "gdpr22-automated-decision-review",
                    "automated-decision-review",
                    tns,
                    "GDPR Art 22(3)",
                ),
                json!({"followers": ["appeals"]}),
            ),
            says: "A fully automated sanction with legal effect that the person appealed gets a \
                   human review.",
        },
        NamedRule {
            rule: rule(
                "pdq-detection-recomputes",
                "detection-recomputes",
                tns,
                "DSA Art 17(3)(c)",
            ),
            says: "A sanction's claimed hash match recomputes: the content's PDQ hash lies at \
                   the claimed Hamming distance from the matched entry, below the threshold.",
        },
    ]
}

/// When the ready-made policy files say they were adopted (any time before use will do).
const POLICY_FILE_TIME: &str = "2026-03-01T08:00:00.000+01:00";

/// A ready-made policy file: one `retention-policy` record (JSON input form) whose policy
/// (`policy_id` = the rule id, version 1) holds one rule. `seq` 0 and an all-zero `prev`: the
/// first record of a fresh policy-authority key.
fn policy_file_json(rule: &Value) -> Value {
    json!({
        "producer": POLICY_AUTHORITY,
        "seq": 0,
        "prev": hex::encode([0u8; 32]),
        "occurred_at": POLICY_FILE_TIME,
        "processing_activity": "https://register.example/activities/retention-policy",
        "status": "ok",
        "body": {
            "policy_id": rule["id"].clone(),
            "version": 1,
            "authority": "data-protection-officer",
            "rules": [rule.clone()],
        },
    })
}

/// A ready-made obligation policy file: one `obligation-policy` record (JSON input form)
/// whose policy (`policy_id` = the rule id, version 1) holds one rule; like
/// [`policy_file_json`], the first record of a fresh obligation-authority key.
fn obligation_file_json(rule: &Value) -> Value {
    json!({
        "producer": OBLIGATION_AUTHORITY,
        "seq": 0,
        "prev": hex::encode([0u8; 32]),
        "occurred_at": POLICY_FILE_TIME,
        "processing_activity": "https://register.example/activities/obligation-policy",
        "status": "ok",
        "body": {
            "policy_id": rule["id"].clone(),
            "version": 1,
            "authority": "supervisory-authority",
            "rules": [rule.clone()],
        },
    })
}

/// The envelope then the body, fields in the order the record types declare them.
#[derive(serde::Serialize)]
struct PolicyFile<'a, B> {
    #[serde(flatten)]
    envelope: &'a EnvelopeJson,
    body: &'a B,
}

/// `file` (a policy record's JSON input form) checked with the JSON input path and rendered
/// with its body as `B` declares it; the body is returned too.
fn render_policy<B>(kind: Kind, file: Value) -> Result<(String, B), String>
where
    B: serde::Serialize + serde::de::DeserializeOwned,
{
    build_from_json(kind, file.clone(), &mut || [0; SALT_LEN]).map_err(|e| e.to_string())?;
    let mut envelope = file;
    let body = envelope
        .as_object_mut()
        .and_then(|o| o.remove("body"))
        .unwrap_or_default();
    let body: B = serde_json::from_value(body).map_err(|e| e.to_string())?;
    let envelope: EnvelopeJson = serde_json::from_value(envelope).map_err(|e| e.to_string())?;
    let mut text = serde_json::to_string_pretty(&PolicyFile {
        envelope: &envelope,
        body: &body,
    })
    .map_err(|e| e.to_string())?;
    text.push('\n');
    Ok((text, body))
}

/// The ready-made policy files: `docs/policies/<rule-id>.json` per [`named_rules`] entry and
/// `docs/policies/README.md`, as (path relative to the crate root, bytes). Each file is
/// checked with the JSON input path (`build_from_json`: envelope, body, `validate`) before it
/// is rendered; an error names the rule.
pub fn policy_files() -> Result<Vec<(std::path::PathBuf, Vec<u8>)>, ScenarioError> {
    let dir = std::path::Path::new(POLICIES_DIR);
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for (index, named) in named_rules().into_iter().enumerate() {
        let err = |reason: String| ScenarioError {
            day: 0,
            producer: POLICY_AUTHORITY.into(),
            kind: Kind::RetentionPolicy,
            index,
            reason: format!("ready-made policy of rule {}: {reason}", named.rule["id"]),
        };
        let (text, body) =
            render_policy::<RetentionPolicy>(Kind::RetentionPolicy, policy_file_json(&named.rule))
                .map_err(err)?;
        let rule = &body.rules[0];
        out.push((dir.join(format!("{}.json", rule.id)), text.into_bytes()));
        rows.push((rule.clone(), named.says));
    }
    let mut obligations = Vec::new();
    for (index, named) in obligation_rules().into_iter().enumerate() {
        let err = |reason: String| ScenarioError {
            day: 0,
            producer: OBLIGATION_AUTHORITY.into(),
            kind: Kind::ObligationPolicy,
            index,
            reason: format!("ready-made policy of rule {}: {reason}", named.rule["id"]),
        };
        let (text, body) = render_policy::<ObligationPolicy>(
            Kind::ObligationPolicy,
            obligation_file_json(&named.rule),
        )
        .map_err(err)?;
        let rule = &body.rules[0];
        out.push((dir.join(format!("{}.json", rule.id)), text.into_bytes()));
        obligations.push((rule.clone(), named.says));
    }
    let mut readme = policies_readme(&rows);
    readme.push_str(&obligations_readme(&obligations));
    out.push((dir.join("README.md"), readme.into_bytes()));
    Ok(out)
}

/// `5 years`, `1 day`.
fn period_text(count: u64, unit: PeriodUnit) -> String {
    let name = match unit {
        PeriodUnit::Days => "day",
        PeriodUnit::Months => "month",
        PeriodUnit::Years => "year",
    };
    format!("{count} {name}{}", if count == 1 { "" } else { "s" })
}

fn list_or(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        empty.to_string()
    } else {
        items.join(", ")
    }
}

fn policies_readme(rules: &[(RetentionRule, &str)]) -> String {
    let mut s = String::from(
        "# Ready-made retention policies\n\n\
         Generated by `cargo run --bin xtask -- all` from `logseal::scenario::named_rules` \
         (src/scenario.rs); do not edit by hand: `tests/man.rs` fails when these files differ \
         from the generator, and `tests/schemas.rs` signs each one and validates it against \
         the schemas.\n\n\
         Each `<rule-id>.json` is one `retention-policy` record in the JSON input form of \
         `logseal record new --kind retention-policy` (`logseal record new --help`; \
         src/record/json.rs): \
         signed by the policy authority `retention-authority`, a policy whose `policy_id` is \
         the rule id (version 1) holding that one rule. Policies with different ids are in \
         force side by side, so any subset can be appended; but two policies in force may not \
         define the same rule id. `logseal demo` signs all of these rules in one policy, \
         `logseal-demo-retention`. How rules are evaluated (coverage, calendar arithmetic, \
         alignment, conditions, conflicts): docs/RETENTION.md.\n\n\
         The kinds and data categories are those of the built-in scenario: the BDSG cap and \
         the NEN 7513 minimum cover the queries' categories, the one-day cap only the uploads' \
         `subscriber-data-file`. Edit `kinds`, `data_categories`, `authority` and \
         `occurred_at` for your own data before signing; a changed rule is a new version \
         (`version` of the rule and of the policy).\n\n\
         | file | rule | period | trigger | alignment | time zone | conditions | covers | legal source |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for (r, _) in rules {
        let kinds: Vec<String> = r.kinds.iter().map(|k| k.name().to_string()).collect();
        let cats: Vec<String> = r.data_categories.iter().map(|c| c.to_string()).collect();
        let conds: Vec<String> = r.conditions.iter().map(|c| c.to_string()).collect();
        s.push_str(&format!(
            "| [`{id}.json`]({id}.json) | {kind} | {period} | {trigger} | {align} | {zone} | {conds} | {kinds}; {cats} | {source} |\n",
            id = r.id,
            kind = r.rule,
            period = r
                .period
                .map_or("—".to_string(), |p| period_text(p.count, p.unit)),
            trigger = r.trigger.map_or("—".to_string(), |t| t.to_string()),
            align = r.align.map_or("—".to_string(), |a| a.to_string()),
            zone = r.time_zone.as_ref().map_or("—".to_string(), |z| z.to_string()),
            conds = list_or(&conds, "—"),
            kinds = list_or(&kinds, "every kind"),
            cats = list_or(&cats, "every category"),
            source = r.legal_source,
        ));
    }
    s.push_str("\n## What each rule says\n\n");
    for (r, says) in rules {
        s.push_str(&format!("- `{}@{}`: {says}\n", r.id, r.version));
    }
    s.push_str(
        "\n## Signing and appending one\n\n\
         The policy authority's key must be registered by the log's registration authority \
         for `retention-policy` records (a `key-registration` record, like any producer's).\n\n\
         Directly, letting the log fill in `seq` and `prev` from the authority's chain (the \
         JSON-lines input of `logseal append` takes one object per line, with its `kind`):\n\n\
         ```sh\n\
         jq -c '{kind: \"retention-policy\"} + del(.seq, .prev)' docs/policies/nl-ciot-latest-upload.json \\\n\
         \x20 | logseal append LOG --in - --producer-key retention-authority.key\n\
         ```\n\n\
         Or sign a record file first, then append it. As written, `seq` 0 and an all-zero \
         `prev` make it the authority's first record; otherwise set them to the authority's \
         `next seq` and `head` from `logseal info LOG`:\n\n\
         ```sh\n\
         logseal record new --kind retention-policy --producer-key retention-authority.key \\\n\
         \x20 --origin ORIGIN --in docs/policies/nl-ciot-latest-upload.json --out ciot-policy\n\
         logseal append LOG ciot-policy.cose\n\
         ```\n\n\
         A policy is in force from its own leaf onward; records logged before it keep the \
         rules that were in force at their leaf. `logseal retention plan LOG` then lists the \
         policies applied and what falls due.\n",
    );
    s
}

/// The README's part on the ready-made obligation policies.
fn obligations_readme(rules: &[(ObligationRule, &str)]) -> String {
    let mut s = String::from(
        "\n# Ready-made obligation policies\n\n\
         Generated the same way, from `logseal::scenario::obligation_rules`. Each \
         `<rule-id>.json` is one `obligation-policy` record (`logseal record new --kind \
         obligation-policy`) signed by the obligation policy authority `obligation-authority` \
         (the trust file's `obligation_policy_authority`, `logseal trust new \
         --obligation-authority`), a policy whose `policy_id` is the rule id (version 1) \
         holding that one rule. Check 8 applies the rules of the latest policy of that \
         authority in force at a record's leaf (docs/CHECKS.md §8); `logseal demo` signs all \
         ten in one policy, `logseal-demo-obligations`. The producers, legal bases and \
         followers are those of the built-in scenario: edit them for your own log before \
         signing, and append a file the same way as a retention policy (below: `--kind \
         obligation-policy`, the authority's key registered for `obligation-policy`).\n\n\
         | file | rule | producers | legal bases | deadline | followers | logging delay | redress | legal source |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let secs = |s: Option<u64>| s.map_or("—".to_string(), |s| format!("{s} s"));
    for (r, _) in rules {
        let producers: Vec<String> = r.producers.iter().map(|p| p.to_string()).collect();
        let bases: Vec<String> = r.legal_bases.iter().map(|b| b.to_string()).collect();
        let followers: Vec<String> = r.followers.iter().map(|p| p.to_string()).collect();
        let redress: Vec<String> = r.redress.iter().map(|x| x.to_string()).collect();
        s.push_str(&format!(
            "| [`{id}.json`]({id}.json) | {rule} | {producers} | {bases} | {deadline} | {followers} | {delay} | {redress} | {source} |\n",
            id = r.id,
            rule = r.rule,
            producers = list_or(&producers, "every producer"),
            bases = list_or(&bases, "—"),
            deadline = secs(r.deadline_seconds),
            followers = list_or(&followers, "—"),
            delay = secs(r.max_logging_delay_seconds),
            redress = list_or(&redress, "—"),
            source = r.legal_source,
        ));
    }
    s.push_str("\n## What each obligation rule says\n\n");
    for (r, says) in rules {
        s.push_str(&format!("- `{}@{}`: {says}\n", r.id, r.version));
    }
    s
}

/// One signed record of the scenario.
#[derive(Debug, Clone)]
pub struct Signed {
    pub kind: Kind,
    pub producer: &'static str,
    pub label: Option<&'static str>,
    pub item: AppendItem,
    pub leaf_hash: Hash32,
    pub seq: u64,
}

/// A day's batch, signed.
#[derive(Debug, Clone)]
pub struct SignedDay {
    pub day: u32,
    pub records: Vec<Signed>,
    pub checkpoint_at: u64,
}

/// Why the scenario could not be built (a defect in the scenario itself).
#[derive(Debug, thiserror::Error)]
#[error("scenario day {day}, {producer} {kind} record {index}: {reason}")]
pub struct ScenarioError {
    pub day: u32,
    pub producer: String,
    pub kind: Kind,
    pub index: usize,
    pub reason: String,
}

/// Key registrations (signed by the authority) for every producer, then every day's
/// records, with seq/prev chained per producer and references (sanction → notification,
/// policy publications, holds) pointing at the real records. Salts are deterministic.
pub fn build(scale: Scale, alg: TreeHashAlg) -> Result<Vec<SignedDay>, ScenarioError> {
    let mut days = generate(scale);
    // Registrations go first, on day 0.
    let mut regs = Vec::new();
    for p in producers().iter().skip(1) {
        regs.push(plan(
            Kind::KeyRegistration,
            AUTHORITY,
            envelope(
                AUTHORITY,
                START + 6 * 3600,
                "producer-registry",
                None,
                json!({
                    "producer": p.name,
                    "public_key": hex::encode(secret_key(p.name).public_key().as_bytes()),
                    "kinds": p.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
                }),
            ),
        ));
    }
    if let Some(first) = days.first_mut() {
        regs.append(&mut first.records);
        first.records = regs;
    }

    let mut heads: std::collections::HashMap<&str, (u64, Hash32)> = Default::default();
    let mut salt_counter = 0u64;
    let mut last_sanction: Option<Value> = None;
    let mut export_refs: Vec<Value> = Vec::new();
    let mut publication_ref: Option<Value> = None;
    let mut justified_ref: Option<Value> = None;
    let mut out = Vec::new();
    for day in days {
        let mut signed = Vec::new();
        for (index, mut p) in day.records.into_iter().enumerate() {
            let err = |reason: String| ScenarioError {
                day: day.day,
                producer: p.producer.to_string(),
                kind: p.kind,
                index,
                reason,
            };
            // Wire references to the records they name.
            match p.kind {
                Kind::Notification => {
                    if let Some(r) = &last_sanction {
                        p.json["body"]["sanction"] = r.clone();
                    }
                }
                Kind::Appeal if p.label == Some("export-appeal") => {
                    p.json["body"]["sanction"] = export_refs[0].clone();
                }
                Kind::AppealDecision => {
                    p.json["body"]["appeal"] = export_refs.last().cloned().unwrap_or(Value::Null);
                }
                Kind::LegalHold => {
                    p.json["body"]["scope"] = Value::from(export_refs.clone());
                }
                Kind::AccessJustification => {
                    p.json["body"]["access"] = justified_ref
                        .clone()
                        .ok_or_else(|| err("no break-glass query before it".into()))?;
                }
                Kind::AccountSanction => {
                    if let Some(r) = &publication_ref {
                        p.json["body"]["terms_clause"]["publication"] = r.clone();
                        p.json["body"]["detection"]["hash_list"]["publication"] = r.clone();
                    }
                }
                _ => {}
            }
            let (seq, prev) = *heads.get(p.producer).unwrap_or(&(0, Hash32([0; 32])));
            p.json["seq"] = Value::from(seq);
            p.json["prev"] = Value::from(hex::encode(prev.0));
            let mut salts = || {
                salt_counter += 1;
                let mut s = [0u8; SALT_LEN];
                s.copy_from_slice(
                    &blake3::derive_key(SEED_CONTEXT, format!("salt {salt_counter}").as_bytes())
                        [..SALT_LEN],
                );
                s
            };
            let builder = build_from_json(p.kind, p.json.clone(), &mut salts)
                .map_err(|e| err(e.to_string()))?;
            let s = builder
                .sign(&secret_key(p.producer), ORIGIN)
                .map_err(|e| err(e.to_string()))?;
            debug_assert!(Record::decode(&s.bytes).is_ok());
            let leaf = Hash32(alg.leaf(&s.bytes));
            heads.insert(p.producer, (seq + 1, leaf));
            let this_ref =
                json!({"producer": p.producer, "seq": seq, "leaf_hash": hex::encode(leaf.0)});
            match p.kind {
                Kind::AccountSanction => {
                    last_sanction = Some(this_ref.clone());
                    if p.label == Some("export-sanction") {
                        export_refs.push(this_ref);
                    }
                }
                Kind::Appeal | Kind::AppealDecision if p.label.is_some() => {
                    export_refs.push(this_ref);
                }
                Kind::PolicyPublication => publication_ref = Some(this_ref),
                Kind::DataAccess if p.label == Some("break-glass-justified") => {
                    justified_ref = Some(this_ref)
                }
                _ => {}
            }
            signed.push(Signed {
                kind: p.kind,
                producer: p.producer,
                label: p.label,
                item: AppendItem {
                    record: s.bytes,
                    disclosures: s.disclosures,
                },
                leaf_hash: leaf,
                seq,
            });
        }
        out.push(SignedDay {
            day: day.day,
            records: signed,
            checkpoint_at: day.checkpoint_at,
        });
    }
    Ok(out)
}

/// Why the dishonest operator's rewrite failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RewriteError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Read(#[from] crate::log::ReadError),
    #[error(transparent)]
    Tree(#[from] crate::tree::TreeError),
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] crate::checkpoint::CheckpointError),
    #[error("the log has no checkpoint to rewrite")]
    NoCheckpoint,
    #[error("leaf {leaf} is not in the log (size {size})")]
    NoSuchLeaf { leaf: u64, size: u64 },
}

/// Part A's dishonest operator: remove the record at `drop_leaf` from the public part of the
/// SHA-256 log in `public` (a store), rebuild every tile and entry bundle from the remaining
/// entries, and sign a new checkpoint with the log key at `time`. The producers' signatures
/// cannot be forged, so the record's producer chain now has a gap, and the new checkpoint is
/// inconsistent with any the auditor or a witness kept. Returns the new checkpoint.
///
/// A demonstration of what the verifier catches; nothing else calls it.
pub fn dishonest_rewrite(
    public: &dyn crate::store::ObjectStore,
    drop_leaf: u64,
    time: u64,
) -> Result<Vec<u8>, RewriteError> {
    use crate::checkpoint::{Checkpoint, sign_checkpoint};
    use crate::log::LogReader;
    use crate::tiles;
    use crate::tree::{MemoryHashStore, Sha256};

    let reader = LogReader::new(public, TreeHashAlg::Sha256);
    let note = reader.checkpoint()?.ok_or(RewriteError::NoCheckpoint)?;
    let text = crate::note::parse_note(&note)
        .map_err(crate::checkpoint::CheckpointError::from)?
        .text;
    let size = Checkpoint::parse(&text)?.size;
    if drop_leaf >= size {
        return Err(RewriteError::NoSuchLeaf {
            leaf: drop_leaf,
            size,
        });
    }
    let mut entries = Vec::with_capacity(size as usize);
    reader.for_each_entry(size, 0, size, |i, e| {
        if i != drop_leaf {
            entries.push(e.to_vec());
        }
        Ok(())
    })?;
    // Remove the old tiles and bundles (the operator controls the directory).
    for key in public.list("tile")? {
        public.delete(&key)?;
    }
    let mut mem = MemoryHashStore::<Sha256>::new();
    for e in &entries {
        mem.append(e)?;
    }
    let n = entries.len() as u64;
    for (t, data) in tiles::new_tiles(0, n, &mem)? {
        public.put(&t.path(), &data)?;
    }
    for b in tiles::new_entry_bundle_ids(0, n)? {
        let r = b.leaf_range();
        let data = tiles::encode_entry_bundle(&entries[r.start as usize..r.end as usize])
            .map_err(crate::tree::TreeError::from)?;
        public.put(&b.path(), &data)?;
    }
    let cp = Checkpoint::new(ORIGIN, n, mem.root())?;
    let new_note = sign_checkpoint(&cp, &secret_key(ORIGIN), ORIGIN, time)?;
    public.sync()?;
    public.compare_and_swap(crate::log::reader::CHECKPOINT_KEY, Some(&note), &new_note)?;
    Ok(new_note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_small_scenario_builds_and_every_record_decodes() {
        let days = build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
        assert_eq!(days.len(), Scale::SMALL.days as usize);
        let all: Vec<&Signed> = days.iter().flat_map(|d| &d.records).collect();
        for s in &all {
            let r = Record::decode(&s.item.record).unwrap();
            r.verify(&secret_key(s.producer).public_key(), ORIGIN)
                .unwrap();
            for d in &s.item.disclosures {
                r.payload().check_disclosure(d).unwrap();
            }
        }
        for label in [
            "export-sanction",
            "export-appeal",
            "export-appeal-decision",
            "export-hold",
            "denied-query",
            "kept-upload",
            "break-glass-unjustified",
            "break-glass-justified",
            "break-glass-justification",
            "distance-mismatch",
        ] {
            assert_eq!(
                all.iter().filter(|s| s.label == Some(label)).count(),
                1,
                "{label}"
            );
        }
        // Every kind but the retention sweep's and the key lifecycle's appears.
        for k in Kind::ALL {
            let expected = !matches!(
                k,
                Kind::RetentionDeletion
                    | Kind::RetentionReview
                    | Kind::KeyRevocation
                    | Kind::ProducerReset
            );
            assert_eq!(all.iter().any(|s| s.kind == *k), expected, "{k}");
        }
    }

    /// The day-0 policy, as the retention core reads it.
    fn scenario_policy(days: &[Day]) -> crate::retention::policy::Policy {
        let p = days[0]
            .records
            .iter()
            .find(|p| p.kind == Kind::RetentionPolicy)
            .expect("a policy on day 0");
        let body: RetentionPolicy = serde_json::from_value(p.json["body"].clone()).unwrap();
        assert_eq!(body.policy_id.as_str(), POLICY_ID);
        crate::retention::policy::Policy::from_body(&body).unwrap()
    }

    #[test]
    fn uploads_fall_under_the_one_day_cap_alone_and_queries_under_the_bdsg_nen_conflict() {
        let days = generate(Scale::FULL);
        let policy = scenario_policy(&days);
        let ids: Vec<String> = policy
            .rules
            .iter()
            .map(|r| r.reference.to_string())
            .collect();
        let named: Vec<String> = named_rules()
            .iter()
            .map(|r| format!("{}@{}", r.rule["id"].as_str().unwrap(), r.rule["version"]))
            .collect();
        assert_eq!(ids, named);
        let covering = |p: &Planned| -> Vec<String> {
            let cats: Vec<String> =
                serde_json::from_value(p.json["body"]["data_categories"].clone()).unwrap();
            policy
                .rules
                .iter()
                .filter(|r| {
                    r.kind != crate::record::kinds::retention_policy::RuleKind::HoldOverride
                })
                .filter(|r| r.covers(p.kind, &cats))
                .map(|r| r.reference.to_string())
                .collect()
        };
        let (mut uploads, mut queries) = (0, 0);
        for p in days.iter().flat_map(|d| &d.records) {
            match (p.kind, p.producer) {
                (Kind::DataAccess, "upload-gateway") => {
                    uploads += 1;
                    assert_eq!(covering(p), ["nl-ciot-latest-upload@1"]);
                    assert_eq!(p.json["retention_rule"], "nl-ciot-latest-upload@1");
                }
                (Kind::DataAccess, "query-frontend") => {
                    queries += 1;
                    assert_eq!(
                        covering(p),
                        ["de-bdsg76-led-logs@1", "nl-nen7513-access-logs@1"]
                    );
                }
                _ => {}
            }
        }
        assert_eq!((uploads, queries), (90, 3000));
        // Every query category is one the BDSG cap and the NEN minimum name.
        for (_, category, _) in LEGAL_BASES {
            assert!(QUERY_CATEGORIES.contains(category), "{category}");
        }
    }

    #[test]
    fn a_days_upload_falls_due_at_the_amsterdam_midnight_starting_two_days_later() {
        let days = generate(Scale::FULL);
        let policy = scenario_policy(&days);
        let cap = policy.rule_by_id("nl-ciot-latest-upload").unwrap();
        let due = |day: usize, provider: &str| {
            let p = days[day]
                .records
                .iter()
                .find(|p| p.json["body"]["data_origin"]["provider"] == provider)
                .unwrap();
            let at = p.json["occurred_at"].as_str().unwrap();
            let (t, _) = Timestamp::parse_rfc3339(at).unwrap();
            (p.label, cap.deadline(t).unwrap().unwrap().to_rfc3339())
        };
        // Received 2026-03-01 03:20 CET; due 2026-03-03 00:00 CET.
        assert_eq!(
            due(0, "provider-odido"),
            (Some("kept-upload"), "2026-03-02T23:00:00.000Z".into())
        );
        assert_eq!(due(1, "provider-kpn").1, "2026-03-03T23:00:00.000Z");
        // Across the change to summer time (2026-03-29): 28 March's file is due at
        // 30 March 00:00 CEST, 29 March's at 31 March 00:00 CEST.
        assert_eq!(due(27, "provider-kpn").1, "2026-03-29T22:00:00.000Z");
        assert_eq!(due(28, "provider-kpn").1, "2026-03-30T22:00:00.000Z");
    }

    #[test]
    fn the_sweep_and_every_producer_are_registered_on_day_0() {
        let days = build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
        let regs: Vec<crate::record::kinds::KeyRegistration> = days[0]
            .records
            .iter()
            .filter(|s| s.kind == Kind::KeyRegistration)
            .map(
                |s| match &Record::decode(&s.item.record).unwrap().payload().body {
                    crate::record::kinds::Body::KeyRegistration(k) => k.clone(),
                    _ => unreachable!("a key-registration record"),
                },
            )
            .collect();
        assert_eq!(regs.len(), producers().len() - 1);
        let sweep = regs
            .iter()
            .find(|k| k.producer.as_str() == SWEEP)
            .expect("the sweep is registered");
        assert_eq!(
            sweep.kinds,
            [Kind::RetentionDeletion, Kind::RetentionReview]
        );
        assert_eq!(
            sweep.public_key.0,
            *secret_key(SWEEP).public_key().as_bytes()
        );
    }

    /// Lawful by default: every query within its grant, every order and case reference
    /// the policy asks for, every recipient of a disclosure, every hash match recomputing,
    /// every statement of reasons in time and consistent — but for the labelled exceptions.
    #[test]
    fn the_scenario_is_lawful_but_for_its_labelled_exceptions() {
        let days = generate(Scale::FULL);
        let all: Vec<&Planned> = days.iter().flat_map(|d| &d.records).collect();
        let grants: std::collections::HashMap<&str, &Value> = all
            .iter()
            .filter(|p| p.kind == Kind::Authorisation && p.json["body"]["action"] == "grant")
            .map(|p| {
                (
                    p.json["body"]["authorisation_id"].as_str().unwrap(),
                    &p.json["body"],
                )
            })
            .collect();
        let (mut out_of_grant, mut break_glass, mut disclosures) = (0, 0, 0);
        for p in all.iter().filter(|p| p.producer == "query-frontend") {
            let b = &p.json["body"];
            if p.kind != Kind::DataAccess {
                continue;
            }
            let g = grants[b["actor"]["authorisation_id"].as_str().unwrap()];
            let basis = b["legal_basis"].as_str().unwrap();
            let listed = g["legal_bases"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == basis);
            assert_eq!(listed, p.label != Some("out-of-grant-query"), "{b}");
            out_of_grant += usize::from(!listed);
            assert_eq!(b["actor"]["organisation"], g["organisation"]);
            assert_eq!(b["actor"]["role"], g["role"]);
            assert_eq!(
                b.get("order_ref").is_some(),
                ORDER_BASES.contains(&basis),
                "{b}"
            );
            assert!(b["case_ref"].is_string());
            if b["action"] == "disclose" {
                disclosures += 1;
                assert!(!b["recipients"].as_array().unwrap().is_empty());
            }
            if b["actor"]["break_glass"] == true {
                break_glass += 1;
                assert!(p.label.unwrap().starts_with("break-glass-"), "{b}");
            }
        }
        assert_eq!((out_of_grant, break_glass), (2, 2));
        assert!(disclosures > 0);
        let (mut sanctions, mut notices, mut mismatches) = (0, 0, 0);
        let mut last: Option<&Planned> = None;
        for p in &all {
            let b = &p.json["body"];
            match p.kind {
                Kind::AccountSanction => {
                    sanctions += 1;
                    let m = hex::decode(b["matched_hash_value"].as_str().unwrap()).unwrap();
                    let c = hex::decode(b["content_hash"].as_str().unwrap()).unwrap();
                    assert_eq!((m.len(), c.len()), (32, 32));
                    let hamming: u32 = m.iter().zip(&c).map(|(x, y)| (x ^ y).count_ones()).sum();
                    let claimed = b["detection"]["perceptual_distance"].as_u64().unwrap();
                    assert!(claimed < b["detection"]["threshold"].as_u64().unwrap());
                    let recomputes = u64::from(hamming) == claimed;
                    assert_eq!(recomputes, p.label != Some("distance-mismatch"), "{b}");
                    mismatches += usize::from(!recomputes);
                    assert!(b["content_date"].is_string() && b["decision_facts"].is_string());
                    last = Some(p);
                }
                Kind::Notification => {
                    notices += 1;
                    let s = &last.unwrap().json["body"];
                    assert_eq!(b["sent_at"], s["application_date"]);
                    let st = &b["statement"];
                    assert_eq!(st["decision_ground"], s["decision_ground"]);
                    assert_eq!(st["automated_decision"], s["automated_decision"]);
                    assert_eq!(st["automated_detection"], s["automated_detection"]);
                    assert_eq!(st["redress"].as_array().unwrap().len(), 3);
                }
                _ => {}
            }
        }
        assert_eq!((sanctions, notices, mismatches), (240, 239, 1));
    }

    #[test]
    fn the_obligation_policy_has_one_rule_of_every_type_and_validates() {
        use crate::record::kinds::KindBody;
        use crate::record::kinds::obligation_policy::ObligationType;
        let days = generate(Scale::SMALL);
        let p = days[0]
            .records
            .iter()
            .find(|p| p.kind == Kind::ObligationPolicy)
            .expect("an obligation policy on day 0");
        let body: ObligationPolicy = serde_json::from_value(p.json["body"].clone()).unwrap();
        body.validate().unwrap();
        assert_eq!(body.policy_id.as_str(), OBLIGATION_POLICY_ID);
        let types: std::collections::BTreeSet<String> =
            body.rules.iter().map(|r| r.rule.to_string()).collect();
        assert_eq!(types.len(), 10, "{types:?}");
        assert!(types.contains(&ObligationType::DetectionRecomputes.to_string()));
        // Every producer a rule names is one of the scenario's.
        let names: Vec<&str> = producers().iter().map(|p| p.name).collect();
        for r in &body.rules {
            for p in r.producers.iter().chain(&r.followers) {
                assert!(names.contains(&p.as_str()), "{}: {p}", r.id);
            }
        }
    }

    #[test]
    fn the_scenario_is_deterministic() {
        let a = build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
        let b = build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
        let bytes = |d: &[SignedDay]| -> Vec<Vec<u8>> {
            d.iter()
                .flat_map(|d| d.records.iter().map(|s| s.item.record.clone()))
                .collect()
        };
        assert_eq!(bytes(&a), bytes(&b));
    }
}
