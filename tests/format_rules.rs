//! Every rule of `logseal::record::rules::RULES` (docs/FORMAT.md §6.4) has a record that
//! breaks exactly that rule, and the decoder rejects it naming the rule's id.
//!
//! Each case starts from the valid sample record of its kind
//! (`logseal::record::kinds::samples`) and changes it:
//! - body rules: the JSON input is edited; the JSON input path must refuse it, and the same
//!   body, put into an otherwise valid payload and a COSE_Sign1 record, must be refused by
//!   `Record::decode` (code `payload-body`);
//! - envelope rules: the decoded payload is edited and re-encoded, or the payload's CBOR map is
//!   edited entry by entry (for what the types cannot hold: a wrong version, a missing key,
//!   a non-NFC text, an unknown enumeration code);
//! - sealed-value rules: a disclosure is opened against a record.
//!
//! `every_rule_has_a_breaking_case` fails when a rule is added to the table without a case;
//! the unit tests in `src/record/rules.rs` fail when the code names a rule the table (and so
//! the spec) does not hold.

use std::collections::BTreeSet;

use logseal::record::json::build_from_json;
use logseal::record::kinds::{Seg, samples};
use logseal::record::rules::{RULES, named_in};
use logseal::record::sealed::{Disclosure, FieldPath, SealedValue};
use logseal::record::text::Ident;
use logseal::record::types::Hash32;
use logseal::record::{Body, Kind, Payload, Record, protected_header_bytes};
use serde_json::{Value, json};

fn salts() -> impl FnMut() -> [u8; 16] {
    let mut n = 0u8;
    move || {
        n = n.wrapping_add(1);
        [n; 16]
    }
}

fn sample(kind: Kind) -> Value {
    samples().into_iter().find(|(k, _)| *k == kind).unwrap().1
}

/// The valid payload of the sample of `kind`, sealed fields committed.
fn payload(kind: Kind) -> Payload {
    build_from_json(kind, sample(kind), &mut salts())
        .unwrap_or_else(|e| panic!("{kind} sample: {e}"))
        .payload()
        .clone()
}

/// A record around `payload_bytes` (the signature is not checked by `Record::decode`).
fn wrap(payload_bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0xd2];
    let mut e = minicbor::Encoder::new(&mut out);
    e.array(4).unwrap();
    e.bytes(&protected_header_bytes(&[7; 32])).unwrap();
    e.map(0).unwrap();
    e.bytes(payload_bytes).unwrap();
    e.bytes(&[0; 64]).unwrap();
    out
}

/// The payload's CBOR map as (key, raw value bytes) entries.
fn entries(bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
    let mut d = minicbor::Decoder::new(bytes);
    let n = d.map().unwrap().unwrap();
    (0..n)
        .map(|_| {
            let k = d.u64().unwrap();
            let start = d.position();
            d.skip().unwrap();
            (k, bytes[start..d.position()].to_vec())
        })
        .collect()
}

fn from_entries(entries: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = minicbor::Encoder::new(&mut out);
    e.map(entries.len() as u64).unwrap();
    for (k, v) in entries {
        e.u64(*k).unwrap();
        e.writer_mut().extend_from_slice(v);
    }
    out
}

fn cbor(f: impl FnOnce(&mut minicbor::Encoder<&mut Vec<u8>>)) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut minicbor::Encoder::new(&mut out));
    out
}

fn text(s: &str) -> Vec<u8> {
    cbor(|e| {
        e.str(s).unwrap();
    })
}

/// Remove every value at a sealed-field pattern: the JSON body minus its sealed fields.
fn strip(node: &mut Value, pattern: &[Seg]) {
    match pattern {
        [Seg::Name(n)] | [Seg::Name(n), Seg::AnyIndex] => {
            if let Some(m) = node.as_object_mut() {
                m.remove(*n);
            }
        }
        [Seg::Name(n), rest @ ..] => {
            if let Some(child) = node.get_mut(*n) {
                strip(child, rest);
            }
        }
        [Seg::AnyIndex, rest @ ..] => {
            if let Some(items) = node.as_array_mut() {
                for item in items {
                    strip(item, rest);
                }
            }
        }
        [] => {}
    }
}

/// How a case breaks its rule.
enum Break {
    /// Edit the JSON input (body rules).
    Json(fn(&mut Value)),
    /// Edit the decoded payload, then re-encode it.
    Payload(fn(&mut Payload)),
    /// Edit the payload's CBOR map.
    Map(fn(&mut Vec<(u64, Vec<u8>)>)),
    /// Any other check; returns the error message.
    Other(fn() -> String),
}

struct Case {
    rule: &'static str,
    kind: Kind,
    how: Break,
}

fn case(rule: &'static str, kind: Kind, how: Break) -> Case {
    Case { rule, kind, how }
}

/// The message(s) the case's broken record is rejected with (one per path it is fed
/// through), each with the code `Record::decode` gave, if any.
fn reject(c: &Case) -> Vec<(String, Option<&'static str>)> {
    let decode = |bytes: Vec<u8>| match Record::decode(&wrap(&bytes)) {
        Ok(_) => panic!("{}: the decoder accepted the broken record", c.rule),
        Err(e) => (e.to_string(), Some(e.code())),
    };
    match &c.how {
        Break::Json(edit) => {
            let mut v = sample(c.kind);
            edit(&mut v);
            let by_json = match build_from_json(c.kind, v.clone(), &mut salts()) {
                Ok(_) => panic!("{}: the JSON input path accepted the broken record", c.rule),
                Err(e) => (e.to_string(), None),
            };
            let mut body = v["body"].take();
            for spec in c.kind.sealed_specs() {
                strip(&mut body, spec.path);
            }
            let body = Body::from_json(c.kind, body)
                .unwrap_or_else(|e| panic!("{}: the body does not parse: {e}", c.rule));
            let mut p = payload(c.kind);
            p.body = body;
            vec![by_json, decode(p.to_bytes())]
        }
        Break::Payload(edit) => {
            let mut p = payload(c.kind);
            edit(&mut p);
            vec![decode(p.to_bytes())]
        }
        Break::Map(edit) => {
            let mut m = entries(&payload(c.kind).to_bytes());
            edit(&mut m);
            vec![decode(from_entries(&m))]
        }
        Break::Other(f) => vec![(f(), None)],
    }
}

fn set(v: &mut Value, pointer: &str, value: Value) {
    *v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = value;
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, field) = pointer.rsplit_once('/').unwrap();
    v.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|m| m.remove(field))
        .unwrap_or_else(|| panic!("no {pointer}"));
}

/// Copy the value at `from` to `to`.
fn copy(v: &mut Value, from: &str, to: &str) {
    let x = v
        .pointer(from)
        .unwrap_or_else(|| panic!("no {from}"))
        .clone();
    if v.pointer(to).is_some() {
        return set(v, to, x);
    }
    let (parent, field) = to.rsplit_once('/').unwrap();
    match v
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"))
    {
        Value::Array(items) => items.push(x),
        node => node[field] = x,
    }
}

fn set_entry(m: &mut [(u64, Vec<u8>)], key: u64, raw: Vec<u8>) {
    m.iter_mut().find(|(k, _)| *k == key).unwrap().1 = raw;
}

fn envelope_cases() -> Vec<Case> {
    use Break::{Map, Payload as P};
    use Kind::DataAccess as DA;
    vec![
        case("envelope.version", DA, Map(|m| set_entry(m, 0, vec![0x02]))),
        case("envelope.known-keys", DA, Map(|m| m.push((15, vec![0x00])))),
        case(
            "envelope.required-keys",
            DA,
            Map(|m| m.retain(|(k, _)| *k != 3)),
        ),
        case(
            "envelope.commitment-size",
            DA,
            Map(|m| {
                let raw = cbor(|e| {
                    e.map(1).unwrap().array(1).unwrap().str("query").unwrap();
                    e.bytes(&[1; 31]).unwrap();
                });
                set_entry(m, 14, raw)
            }),
        ),
        case("envelope.chain-start-prev", DA, P(|p| p.seq = 0)),
        case(
            "envelope.zero-prev-only-at-start",
            DA,
            P(|p| p.prev = Hash32([0; 32])),
        ),
        case(
            "envelope.utc-offset-range",
            DA,
            P(|p| p.utc_offset_minutes = Some(i16::MIN)),
        ),
        case(
            "envelope.retention-rule-ref",
            DA,
            P(|p| p.retention_rule = Some(Ident::new("de-bdsg76-led-logs").unwrap())),
        ),
        case(
            "envelope.sealed-path-allowed",
            DA,
            P(|p| {
                p.sealed
                    .push((FieldPath::parse("shoe_size").unwrap(), [3; 32]));
                p.sealed.sort_by_key(|(path, _)| path.to_cbor());
            }),
        ),
        case(
            "envelope.sealed-path-required",
            DA,
            P(|p| {
                p.sealed
                    .retain(|(path, _)| path.to_string() != "actor.user")
            }),
        ),
        case("enum.closed", DA, Map(|m| set_entry(m, 11, vec![0x05]))),
        case("text.non-empty", DA, Map(|m| set_entry(m, 7, text("")))),
        case(
            "text.no-control",
            DA,
            Map(|m| set_entry(m, 7, text("cis\u{7}query"))),
        ),
        case(
            "text.no-bidi",
            DA,
            Map(|m| set_entry(m, 7, text("cis\u{202e}query"))),
        ),
        case(
            "text.length",
            DA,
            Map(|m| set_entry(m, 7, text(&"x".repeat(257)))),
        ),
        case("text.nfc", DA, Map(|m| set_entry(m, 7, text("Zoe\u{308}")))),
        case(
            "text.producer-id-chars",
            DA,
            Map(|m| set_entry(m, 2, text("Query-Frontend"))),
        ),
        case(
            "sealed.path-form",
            DA,
            Map(|m| {
                let raw = cbor(|e| {
                    e.map(1).unwrap().array(1).unwrap().str("Query").unwrap();
                    e.bytes(&[1; 32]).unwrap();
                });
                set_entry(m, 14, raw)
            }),
        ),
        case(
            "sealed.value-class",
            DA,
            Break::Other(|| {
                // A disclosure whose commitment is in the record, but whose value is an
                // integer where the path's class is free text.
                let mut p = payload(Kind::DataAccess);
                let d = Disclosure::new([9; 16], FieldPath::parse("query").unwrap(), {
                    SealedValue::Uint(42)
                });
                let slot = p
                    .sealed
                    .iter_mut()
                    .find(|(path, _)| *path == d.path)
                    .unwrap();
                slot.1 = d.commitment();
                p.check_disclosure(&d).unwrap_err().to_string()
            }),
        ),
        case(
            "sealed.list-length",
            DA,
            Break::Other(|| {
                let bytes = cbor(|e| {
                    e.array(3).unwrap().bytes(&[9; 16]).unwrap();
                    e.array(1).unwrap().str("subjects").unwrap();
                    e.array(100_001).unwrap();
                    for _ in 0..100_001 {
                        e.str("a").unwrap();
                    }
                });
                Disclosure::from_bytes(&bytes).unwrap_err().to_string()
            }),
        ),
    ]
}

fn target_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::{RetentionDeletion as RD, RetentionReview as RR};
    vec![
        case(
            "target.targets-list",
            RD,
            J(|v| set(v, "/body/targets", json!([]))),
        ),
        case(
            "target.seq-needs-producer",
            RD,
            J(|v| remove(v, "/body/targets/0/producer")),
        ),
        case(
            "target.leaf-no-producer",
            RR,
            J(|v| v["body"]["targets"][0]["producer"] = json!("query-frontend")),
        ),
        case(
            "target.range-ordered",
            RD,
            J(|v| set(v, "/body/targets/0/first", json!(1204))),
        ),
        case(
            "target.fields-list",
            RD,
            J(|v| set(v, "/body/targets/0/fields", json!(["query", "query"]))),
        ),
        case(
            "target.field-pattern",
            RD,
            J(|v| set(v, "/body/targets/0/fields", json!(["Actor.user"]))),
        ),
    ]
}

fn data_access_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::DataAccess as K;
    vec![
        case(
            "data-access.destination-country-alpha2",
            K,
            J(|v| {
                set(v, "/body/action", json!("transfer"));
                v["body"]["destination_country"] = json!("de");
            }),
        ),
        case(
            "data-access.destination-only-for-transfer",
            K,
            J(|v| v["body"]["destination_country"] = json!("DE")),
        ),
        case(
            "data-access.data-categories-non-empty",
            K,
            J(|v| set(v, "/body/data_categories", json!([]))),
        ),
        case(
            "data-access.revealed-list",
            K,
            J(|v| v["body"]["revealed"] = json!([])),
        ),
        case(
            "data-access.revealed-field-path",
            K,
            J(|v| v["body"]["revealed"] = json!([{"leaf": 3, "field": "Actor.User"}])),
        ),
        case(
            "data-access.revealed-unique",
            K,
            J(|v| {
                v["body"]["revealed"] = json!([
                    {"leaf": 3, "field": "subject"},
                    {"leaf": 3, "field": "subject"}
                ])
            }),
        ),
        case(
            "data-access.revealed-range-list",
            K,
            J(|v| v["body"]["revealed_ranges"] = json!([])),
        ),
        case(
            "data-access.revealed-range-order",
            K,
            J(|v| {
                v["body"]["revealed_ranges"] = json!([{"first": 9, "last": 3, "field": "subject"}])
            }),
        ),
        case(
            "data-access.revealed-range-field-path",
            K,
            J(|v| {
                v["body"]["revealed_ranges"] =
                    json!([{"first": 0, "last": 3, "field": "Actor.User"}])
            }),
        ),
        case(
            "data-access.revealed-range-unique",
            K,
            J(|v| {
                v["body"]["revealed_ranges"] = json!([
                    {"first": 0, "last": 3, "field": "subject"},
                    {"first": 0, "last": 3, "field": "subject"}
                ])
            }),
        ),
        case(
            "data-access.data-categories-unique",
            K,
            J(|v| {
                set(
                    v,
                    "/body/data_categories",
                    json!(["ip-assignment", "ip-assignment"]),
                )
            }),
        ),
    ]
}

fn account_sanction_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::AccountSanction as K;
    vec![
        case(
            "account-sanction.some-decision",
            K,
            J(|v| {
                remove(v, "/body/decision_provision");
                remove(v, "/body/decision_account");
            }),
        ),
        case(
            "account-sanction.decision-visibility-unique",
            K,
            J(|v| {
                let d = "DECISION_VISIBILITY_CONTENT_REMOVED";
                set(v, "/body/decision_visibility", json!([d, d]));
            }),
        ),
        case(
            "account-sanction.services-affected-list",
            K,
            J(|v| set(v, "/body/services_affected", json!(["mail", "mail"]))),
        ),
        case(
            "account-sanction.territorial-scope-list",
            K,
            J(|v| {
                let many: Vec<String> = (0..65)
                    .map(|i| format!("{}{}", (b'A' + i / 26) as char, (b'A' + i % 26) as char))
                    .collect();
                set(v, "/body/territorial_scope", json!(many));
            }),
        ),
        case(
            "account-sanction.territorial-scope-alpha2",
            K,
            J(|v| set(v, "/body/territorial_scope", json!(["Deutschland"]))),
        ),
        case(
            "account-sanction.category-specification-list",
            K,
            J(|v| {
                let k = "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL";
                set(v, "/body/category_specification", json!([k, k]));
            }),
        ),
        case(
            "account-sanction.content-type-non-empty",
            K,
            J(|v| set(v, "/body/content_type", json!([]))),
        ),
        case(
            "account-sanction.content-type-unique",
            K,
            J(|v| {
                let t = "CONTENT_TYPE_IMAGE";
                set(v, "/body/content_type", json!([t, t]));
            }),
        ),
        case(
            "account-sanction.end-date-needs-decision",
            K,
            J(|v| v["body"]["end_date_monetary_restriction"] = json!("2026-05-01T00:00:00.000Z")),
        ),
        case(
            "account-sanction.end-date-after-application",
            K,
            J(|v| v["body"]["end_date_account_restriction"] = json!("2026-01-01T00:00:00.000Z")),
        ),
        case(
            "account-sanction.illegal-needs-legal-ground",
            K,
            J(|v| {
                set(
                    v,
                    "/body/decision_ground",
                    json!("DECISION_GROUND_ILLEGAL_CONTENT"),
                );
                remove(v, "/body/incompatible_content_ground");
            }),
        ),
        case(
            "account-sanction.incompatible-needs-ground",
            K,
            J(|v| remove(v, "/body/incompatible_content_ground")),
        ),
        case(
            "account-sanction.illegal-excludes-incompatible-ground",
            K,
            J(|v| {
                set(
                    v,
                    "/body/decision_ground",
                    json!("DECISION_GROUND_ILLEGAL_CONTENT"),
                );
                v["body"]["illegal_content_legal_ground"] = json!("de-stgb-184b");
            }),
        ),
        case(
            "account-sanction.incompatible-needs-terms-clause",
            K,
            J(|v| remove(v, "/body/terms_clause")),
        ),
        case(
            "account-sanction.detection-is-automated",
            K,
            J(|v| set(v, "/body/automated_detection", json!(false))),
        ),
        case(
            "account-sanction.hash-needs-algorithm",
            K,
            J(|v| remove(v, "/body/detection/hash_algorithm")),
        ),
        case(
            "account-sanction.hash-needs-list",
            K,
            J(|v| remove(v, "/body/detection/hash_list")),
        ),
        case(
            "account-sanction.no-hash-no-algorithm",
            K,
            J(|v| {
                set(v, "/body/detection/method", json!("classifier"));
                for f in ["hash_list", "perceptual_distance", "threshold"] {
                    remove(v, &format!("/body/detection/{f}"));
                }
            }),
        ),
        case(
            "account-sanction.no-hash-no-list",
            K,
            J(|v| {
                set(v, "/body/detection/method", json!("classifier"));
                for f in ["hash_algorithm", "perceptual_distance", "threshold"] {
                    remove(v, &format!("/body/detection/{f}"));
                }
            }),
        ),
        case(
            "account-sanction.hash-algorithm-matches-method",
            K,
            J(|v| set(v, "/body/detection/hash_algorithm", json!("md5"))),
        ),
        case(
            "account-sanction.distance-only-perceptual",
            K,
            J(|v| {
                set(v, "/body/detection/method", json!("cryptographic-hash"));
                set(v, "/body/detection/hash_algorithm", json!("sha-1"));
                remove(v, "/body/detection/perceptual_distance");
            }),
        ),
        case(
            "account-sanction.review-done-details",
            K,
            J(|v| remove(v, "/body/human_review/outcome")),
        ),
        case(
            "account-sanction.review-excludes-fully-automated",
            K,
            J(|v| {
                set(
                    v,
                    "/body/automated_decision",
                    json!("AUTOMATED_DECISION_FULLY"),
                )
            }),
        ),
        case(
            "account-sanction.review-not-done-no-details",
            K,
            J(|v| set(v, "/body/human_review/done", json!(false))),
        ),
    ]
}

fn appeal_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::{Appeal, AppealDecision, Notification};
    vec![
        case(
            "notification.language-tag",
            Notification,
            J(|v| set(v, "/body/language", json!("deutsch_de"))),
        ),
        case(
            "notification.statement-redress-unique",
            Notification,
            J(|v| {
                set(
                    v,
                    "/body/statement/redress",
                    json!(["internal-complaint", "internal-complaint"]),
                )
            }),
        ),
        case(
            "appeal.out-of-court-needs-body",
            Appeal,
            J(|v| set(v, "/body/channel", json!("out-of-court-body"))),
        ),
        case(
            "appeal.body-only-out-of-court",
            Appeal,
            J(|v| v["body"]["settlement_body"] = json!("user-rights-ods")),
        ),
        case(
            "appeal-decision.review-needs-qualification",
            AppealDecision,
            J(|v| remove(v, "/body/reviewer_qualification")),
        ),
        case(
            "appeal-decision.qualification-only-with-review",
            AppealDecision,
            J(|v| set(v, "/body/human_review", json!(false))),
        ),
        case(
            "appeal-decision.upheld-not-reinstated",
            AppealDecision,
            J(|v| set(v, "/body/outcome", json!("upheld"))),
        ),
        case(
            "appeal-decision.communicated-after-decided",
            AppealDecision,
            J(|v| {
                set(
                    v,
                    "/body/communicated_at",
                    json!("2026-04-28T10:01:29.000Z"),
                )
            }),
        ),
    ]
}

fn obligation_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::ObligationPolicy as OP;
    vec![
        case(
            "obligation-policy.rules-list",
            OP,
            J(|v| set(v, "/body/rules", json!([]))),
        ),
        case(
            "obligation-policy.rule-id-no-at",
            OP,
            J(|v| set(v, "/body/rules/0/id", json!("nl@access-scope"))),
        ),
        case(
            "obligation-policy.rule-ids-unique",
            OP,
            J(|v| set(v, "/body/rules/1/id", json!("nl-access-scope"))),
        ),
        case(
            "obligation-policy.rule-lists",
            OP,
            J(|v| {
                set(
                    v,
                    "/body/rules/0/producers",
                    json!(["query-frontend", "query-frontend"]),
                )
            }),
        ),
        case(
            "obligation-policy.deadline-required",
            OP,
            J(|v| {
                v["body"]["rules"][3]
                    .as_object_mut()
                    .unwrap()
                    .remove("deadline_seconds");
            }),
        ),
        case(
            "obligation-policy.order-required-needs-bases",
            OP,
            J(|v| set(v, "/body/rules/1/legal_bases", json!([]))),
        ),
    ]
}

fn retention_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::{RetentionDeletion as RD, RetentionPolicy as RP, RetentionReview as RR};
    vec![
        case(
            "retention-policy.rules-list",
            RP,
            J(|v| set(v, "/body/rules", json!([]))),
        ),
        case(
            "retention-policy.rule-id-no-at",
            RP,
            J(|v| set(v, "/body/rules/0/id", json!("de-bdsg76@led-logs"))),
        ),
        case(
            "retention-policy.rule-kinds-unique",
            RP,
            J(|v| {
                set(
                    v,
                    "/body/rules/0/kinds",
                    json!(["data-access", "data-access"]),
                )
            }),
        ),
        case(
            "retention-policy.rule-data-categories-list",
            RP,
            J(|v| set(v, "/body/rules/0/data_categories", json!(["ip", "ip"]))),
        ),
        case(
            "retention-policy.rule-conditions-unique",
            RP,
            J(|v| {
                let c = "complaint-pending";
                set(v, "/body/rules/2/conditions", json!([c, c]));
            }),
        ),
        case(
            "retention-policy.timed-needs-period",
            RP,
            J(|v| remove(v, "/body/rules/0/period")),
        ),
        case(
            "retention-policy.period-positive",
            RP,
            J(|v| set(v, "/body/rules/0/period/count", json!(0))),
        ),
        case(
            "retention-policy.timed-needs-trigger",
            RP,
            J(|v| remove(v, "/body/rules/0/trigger")),
        ),
        case(
            "retention-policy.calendar-needs-time-zone",
            RP,
            J(|v| remove(v, "/body/rules/0/time_zone")),
        ),
        case(
            "retention-policy.hold-override-untimed",
            RP,
            J(|v| v["body"]["rules"][5]["time_zone"] = json!("Europe/Berlin")),
        ),
        case(
            "retention-policy.hold-override-needs-condition",
            RP,
            J(|v| set(v, "/body/rules/5/conditions", json!([]))),
        ),
        case(
            "retention-policy.rule-ids-unique",
            RP,
            J(|v| set(v, "/body/rules/1/id", json!("de-bdsg76-led-logs"))),
        ),
        case(
            "retention-deletion.rule-ref",
            RD,
            J(|v| set(v, "/body/rule", json!("de-bdsg76-led-logs"))),
        ),
        case(
            "retention-deletion.loss-is-erase-disclosure",
            RD,
            J(|v| v["body"]["exception_ground"] = json!("disclosure-lost")),
        ),
        case(
            "retention-deletion.shred-needs-key-id",
            RD,
            J(|v| remove(v, "/body/shredded_key_id")),
        ),
        case(
            "retention-deletion.key-id-only-shred",
            RD,
            J(|v| set(v, "/body/method", json!("erase-disclosure"))),
        ),
        case(
            "retention-review.rule-ref",
            RR,
            J(|v| set(v, "/body/rule", json!("de-bdsg76-led-logs@1@2"))),
        ),
        case(
            "retention-review.keep-needs-next-review",
            RR,
            J(|v| remove(v, "/body/next_review_at")),
        ),
        case(
            "retention-review.erase-no-next-review",
            RR,
            J(|v| set(v, "/body/decision", json!("erase"))),
        ),
        case(
            "retention-review.next-review-after-review",
            RR,
            J(|v| set(v, "/body/next_review_at", json!("2026-09-01T06:29:00.000Z"))),
        ),
    ]
}

fn hold_and_case_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::{Authorisation as A, CaseStatus as CS, LegalHold as LH};
    vec![
        case(
            "legal-hold.scope-list",
            LH,
            J(|v| copy(v, "/body/scope/0", "/body/scope/1")),
        ),
        case(
            "legal-hold.set-needs-scope",
            LH,
            J(|v| set(v, "/body/scope", json!([]))),
        ),
        case(
            "legal-hold.set-by-only-release",
            LH,
            J(|v| copy(v, "/body/scope/0", "/body/set_by")),
        ),
        case(
            "legal-hold.release-needs-set-by",
            LH,
            J(|v| {
                set(v, "/body/action", json!("release"));
                remove(v, "/body/until");
            }),
        ),
        case(
            "legal-hold.until-only-set",
            LH,
            J(|v| {
                set(v, "/body/action", json!("release"));
                copy(v, "/body/scope/0", "/body/set_by");
            }),
        ),
        case(
            "case-status.scope-list",
            CS,
            J(|v| copy(v, "/body/scope/0", "/body/scope/1")),
        ),
        case(
            "case-status.complaint-only-for-complaint-event",
            CS,
            J(|v| copy(v, "/body/scope/0", "/body/complaint")),
        ),
        case(
            "authorisation.legal-bases-list",
            A,
            J(|v| set(v, "/body/legal_bases/1", json!("nl-sv-126n"))),
        ),
        case(
            "authorisation.grant-needs-legal-basis",
            A,
            J(|v| set(v, "/body/legal_bases", json!([]))),
        ),
        case(
            "authorisation.valid-until-after-from",
            A,
            J(|v| set(v, "/body/valid_until", json!("2026-03-01T00:00:00.000Z"))),
        ),
        case(
            "authorisation.revoke-no-legal-bases",
            A,
            J(|v| {
                set(v, "/body/action", json!("revoke"));
                remove(v, "/body/valid_until");
            }),
        ),
        case(
            "authorisation.revoke-no-valid-until",
            A,
            J(|v| {
                set(v, "/body/action", json!("revoke"));
                set(v, "/body/legal_bases", json!([]));
            }),
        ),
    ]
}

fn authority_cases() -> Vec<Case> {
    use Break::Json as J;
    use Kind::{
        KeyRegistration as KR, KeyRevocation as KV, PolicyPublication as PP,
        ProducerHeartbeat as PH, ProducerReset as PR,
    };
    // The identity point (y = 1): a canonical encoding of a point of small order.
    fn small_order(v: &mut Value) {
        let mut key = [0u8; 32];
        key[0] = 1;
        set(v, "/body/public_key", json!(hex::encode(key)));
    }
    vec![
        case("key-registration.public-key-valid", KR, J(small_order)),
        case(
            "key-registration.kinds-non-empty",
            KR,
            J(|v| set(v, "/body/kinds", json!([]))),
        ),
        case(
            "key-registration.kinds-unique",
            KR,
            J(|v| set(v, "/body/kinds/1", json!("data-access"))),
        ),
        case("key-revocation.public-key-valid", KV, J(small_order)),
        case(
            "key-revocation.compromised-since-only-compromise",
            KV,
            J(|v| set(v, "/body/reason", json!("rotation"))),
        ),
        case(
            "producer-reset.last-known-together",
            PR,
            J(|v| remove(v, "/body/last_known_head")),
        ),
        case(
            "policy-publication.publishes-something",
            PP,
            J(|v| {
                remove(v, "/body/terms");
                remove(v, "/body/hash_list");
                set(v, "/body/thresholds", json!([]));
            }),
        ),
        case(
            "policy-publication.clauses-list",
            PP,
            J(|v| set(v, "/body/terms/clauses/1/clause_id", json!("4.2"))),
        ),
        case(
            "policy-publication.thresholds-unique",
            PP,
            J(|v| copy(v, "/body/thresholds/0", "/body/thresholds/1")),
        ),
        case(
            "policy-publication.thresholds-perceptual",
            PP,
            J(|v| set(v, "/body/thresholds/0/hash_algorithm", json!("sha-1"))),
        ),
        case(
            "producer-heartbeat.cadence-positive",
            PH,
            J(|v| set(v, "/body/cadence_secs", json!(0))),
        ),
        case(
            "producer-heartbeat.period-ordered",
            PH,
            J(|v| set(v, "/body/period_end", json!("2026-03-01T22:59:59.999Z"))),
        ),
        case(
            "producer-heartbeat.counter-names-unique",
            PH,
            J(|v| copy(v, "/body/counters/0", "/body/counters/1")),
        ),
    ]
}

fn cases() -> Vec<Case> {
    [
        envelope_cases(),
        target_cases(),
        data_access_cases(),
        account_sanction_cases(),
        appeal_cases(),
        retention_cases(),
        obligation_cases(),
        hold_and_case_cases(),
        authority_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn every_rule_has_a_breaking_case() {
    let covered: BTreeSet<&str> = cases().iter().map(|c| c.rule).collect();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a record that breaks them (add a case here): {missing:?}"
    );
    for c in cases() {
        assert!(
            RULES.iter().any(|r| r.id == c.rule),
            "{}: not a rule of RULES",
            c.rule
        );
    }
}

#[test]
fn each_broken_record_is_rejected_naming_its_rule() {
    let mut failures = Vec::new();
    for c in cases() {
        for (message, code) in reject(&c) {
            if named_in(&message) != Some(c.rule) {
                failures.push(format!("{} ({}): {message}", c.rule, c.kind));
            }
            // The codes docs/FORMAT.md §6.4 states: a body rule is payload-body, a rule
            // checked while decoding payload-decode.
            let want = match c.how {
                Break::Json(_) => Some("payload-body"),
                Break::Map(_) => Some("payload-decode"),
                _ => code,
            };
            if code.is_some() && code != want {
                failures.push(format!("{}: code {code:?}, not {want:?}", c.rule));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_unbroken_samples_pass_every_path_the_cases_use() {
    for kind in Kind::ALL {
        let p = payload(*kind);
        Record::decode(&wrap(&p.to_bytes())).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let m = entries(&p.to_bytes());
        Record::decode(&wrap(&from_entries(&m))).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
}
