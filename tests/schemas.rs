//! The CDDL schemas under `schemas/` against the Rust types: every sample record of every
//! kind (`logseal::record::kinds::samples`) is signed, and its COSE structure, protected
//! header and payload validate against `envelope.cddl` + all kind files; the CDDL kind rules
//! and the Rust kinds are the same set; a body with an extra or a missing field fails. The
//! ready-made policy files (`docs/policies/`) parse with the JSON input path, validate, are
//! exactly the scenario's rules, and go into a log both ways their README shows.
//!
//! Validation uses the `cddl` crate (0.10), whose `validate_cbor_from_slice` validates
//! against the *first* rule of the document: each check prepends its own `root = …` rule.
//! That version has three defects worked around here, by rewriting the schema text (the
//! files as written are still parsed, by `cddl_kinds_and_rust_kinds_are_the_same_set`):
//! - it applies a `.cbor` control inside an array to every array item, so the COSE_Sign1
//!   array is validated with its `.cbor` controls removed and the two embedded byte strings
//!   (protected header, payload) are validated on their own;
//! - it refuses ranges with a negative lower bound, so `-1080..1080` (the UTC offset) is
//!   read as `int` — the decoder checks that bound (`record::payload`);
//! - inside an array it matches a group-to-choice enumeration `&( a: 0, b: 1 )` against its
//!   first value only, so every enumeration is read as the plain choice `0 / 1`.

use std::collections::BTreeSet;
use std::path::Path;

use logseal::crypto::SecretKey;
use logseal::record::Kind;
use logseal::record::json::build_from_json;
use logseal::record::kinds::samples;
use minicbor::data::Type;

mod common;

const ORIGIN: &str = "logseal.example/schemas";

fn schema_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas"))
}

/// The exact text of the UTC-offset range in envelope.cddl (see the module docs).
const OFFSET_RANGE: &str = "-1080..1080";

/// `envelope.cddl` followed by every `<kind>.cddl`, in `Kind::ALL` order, with the
/// negative range the validator cannot read replaced by `int`.
fn combined() -> String {
    let s = combined_as_written();
    assert!(
        s.contains(OFFSET_RANGE),
        "envelope.cddl: UTC offset range changed"
    );
    enums_as_choices(&s.replace(OFFSET_RANGE, "int"))
}

/// Rewrite every `&( name: value, … )` as `value / …` (see the module docs).
fn enums_as_choices(schema: &str) -> String {
    let mut out = String::with_capacity(schema.len());
    let mut rest = schema;
    while let Some(start) = rest.find("&(") {
        out.push_str(&rest[..start]);
        let end = start
            + rest[start..]
                .find(')')
                .expect("an enumeration ends with ')'");
        let values: Vec<&str> = rest[start + 2..end]
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| {
                let (name, value) = e
                    .split_once(':')
                    .expect("enumeration entries are name: value");
                assert!(
                    !name.contains(';'),
                    "no comments inside an enumeration: {e:?}"
                );
                value.trim()
            })
            .collect();
        out.push('(');
        out.push_str(&values.join(" / "));
        out.push(')');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `envelope.cddl` followed by every `<kind>.cddl`, exactly as written.
fn combined_as_written() -> String {
    let mut s =
        std::fs::read_to_string(schema_dir().join("envelope.cddl")).expect("schemas/envelope.cddl");
    for kind in Kind::ALL {
        let path = schema_dir().join(format!("{}.cddl", kind.name()));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        s.push('\n');
        s.push_str(&text);
    }
    s
}

/// Validate `cbor` against rule `root` of the combined schema.
fn validate(schema: &str, root: &str, cbor: &[u8]) -> Result<(), String> {
    let doc = format!("logseal-check-root = {root}\n{schema}");
    cddl::validate_cbor_from_slice(&doc, cbor, None).map_err(|e| e.to_string())
}

/// One signed record per sample: (kind, record bytes).
fn signed_samples() -> Vec<(Kind, Vec<u8>)> {
    let key = SecretKey::from_seed(&[77; 32]);
    let mut n = 0u8;
    let mut salt = move || {
        n = n.wrapping_add(1);
        [n; 16]
    };
    samples()
        .into_iter()
        .map(|(kind, json)| {
            let b =
                build_from_json(kind, json, &mut salt).unwrap_or_else(|e| panic!("{kind}: {e}"));
            (kind, b.sign(&key, ORIGIN).unwrap().bytes)
        })
        .collect()
}

/// The items of the COSE_Sign1 array of a record: (protected bytes, payload bytes).
fn cose_parts(record: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut d = minicbor::Decoder::new(record);
    assert_eq!(d.tag().unwrap().as_u64(), 18);
    assert_eq!(d.array().unwrap(), Some(4));
    let protected = d.bytes().unwrap().to_vec();
    assert_eq!(d.map().unwrap(), Some(0));
    let payload = d.bytes().unwrap().to_vec();
    (protected, payload)
}

/// The byte range of the value under key 13 (the body) of a payload map.
fn body_range(payload: &[u8]) -> std::ops::Range<usize> {
    let mut d = minicbor::Decoder::new(payload);
    let n = d.map().unwrap().unwrap();
    for _ in 0..n {
        let key = d.u64().unwrap();
        let start = d.position();
        d.skip().unwrap();
        if key == 13 {
            return start..d.position();
        }
    }
    panic!("payload without a body");
}

/// Validate a signed record: the COSE structure (`structural`, without `.cbor`), its
/// protected header, its payload and its body under `kind`'s rule; panics naming `what`.
fn validate_record(schema: &str, structural: &str, what: &str, kind: Kind, record: &[u8]) {
    validate(structural, "logseal-record", record)
        .unwrap_or_else(|e| panic!("{what}: record: {e}"));
    let (protected, payload) = cose_parts(record);
    validate(schema, "logseal-protected-header", &protected)
        .unwrap_or_else(|e| panic!("{what}: protected header: {e}"));
    validate(schema, "logseal-payload", &payload)
        .unwrap_or_else(|e| panic!("{what}: payload: {e}"));
    let body = &payload[body_range(&payload)];
    validate(schema, &format!("{}-body", kind.name()), body)
        .unwrap_or_else(|e| panic!("{what}: body: {e}"));
}

#[test]
fn every_sample_validates_against_the_combined_schema() {
    let schema = combined();
    // cddl 0.10 misapplies `.cbor` inside arrays (see the module docs): check the COSE
    // structure without it, and the embedded byte strings on their own.
    let structural = schema
        .replace("bstr .cbor logseal-protected-header", "bstr")
        .replace("bstr .cbor logseal-payload", "bstr");
    assert_ne!(
        structural, schema,
        "envelope.cddl no longer embeds the payload with .cbor"
    );
    for (kind, record) in signed_samples() {
        validate_record(&schema, &structural, &kind.to_string(), kind, &record);
    }
}

#[test]
fn a_body_under_another_kind_code_fails() {
    // The payload alternatives bind each kind code to its own body rule.
    let schema = combined();
    let (kind, record) = signed_samples().remove(0);
    assert_eq!(kind, Kind::DataAccess);
    let (_, mut payload) = cose_parts(&record);
    // Key 1 (kind) is the second entry: a1?.. 00 01 01 <code>; data-access is code 1.
    let at = payload
        .windows(4)
        .position(|w| w == [0x00, 0x01, 0x01, 0x01])
        .expect("version 1 then kind 1");
    payload[at + 3] = 0x02; // account-sanction
    assert!(validate(&schema, "logseal-payload", &payload).is_err());
}

/// The names of the rules a schema text defines (`name =`, `name /=`, `name //=`).
fn rule_names(schema: &str) -> BTreeSet<String> {
    let ast = cddl::parser::cddl_from_str(schema, false).expect("the schemas parse");
    ast.rules
        .iter()
        .map(|r| match r {
            cddl::ast::Rule::Type { rule, .. } => rule.name.ident.to_string(),
            cddl::ast::Rule::Group { rule, .. } => rule.name.ident.to_string(),
        })
        .collect()
}

#[test]
fn cddl_kinds_and_rust_kinds_are_the_same_set() {
    // Each kind file is <name>.cddl and defines <name>-body; nothing else defines a -body.
    let files: BTreeSet<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|f| f.strip_suffix(".cddl").map(str::to_string))
        .filter(|f| f != "envelope")
        // The evidence bundle's schema (tests/bundle.rs), not a record kind.
        .filter(|f| f != "bundle")
        .collect();
    let rust: BTreeSet<String> = Kind::ALL.iter().map(|k| k.name().to_string()).collect();
    assert_eq!(files, rust, "schemas/<kind>.cddl files vs Rust kinds");

    // The schemas as written parse (the parser, unlike the validator, takes the range).
    let names = rule_names(&combined_as_written());
    let bodies: BTreeSet<String> = names
        .iter()
        .filter_map(|n| n.strip_suffix("-body").map(str::to_string))
        .collect();
    assert_eq!(bodies, rust, "CDDL <kind>-body rules vs Rust kinds");
    for kind in Kind::ALL {
        let text =
            std::fs::read_to_string(schema_dir().join(format!("{}.cddl", kind.name()))).unwrap();
        let own = rule_names(&format!("{text}\n{}", envelope_stub()));
        assert!(own.contains(&format!("{}-body", kind.name())), "{kind}");
        let line = format!(
            "logseal-payload /= {{ logseal-envelope, 1: {}, 13: {}-body }}",
            kind.code(),
            kind.name()
        );
        assert!(text.contains(&line), "{kind}: missing {line:?}");
    }
}

/// Enough of the envelope for one kind file to parse on its own.
fn envelope_stub() -> &'static str {
    "logseal-envelope = ( 0: 1 )"
}

/// Re-encode a body map, dropping key `drop` or adding key `add` (as `true`).
fn edit_body(body: &[u8], drop: Option<u64>, add: Option<u64>) -> Vec<u8> {
    let mut d = minicbor::Decoder::new(body);
    let n = d.map().unwrap().unwrap();
    let mut entries: Vec<(u64, Vec<u8>)> = Vec::new();
    for _ in 0..n {
        let k = d.u64().unwrap();
        let start = d.position();
        d.skip().unwrap();
        entries.push((k, body[start..d.position()].to_vec()));
    }
    entries.retain(|(k, _)| Some(*k) != drop);
    if let Some(a) = add {
        entries.push((a, vec![0xf5]));
        entries.sort();
    }
    let mut out = Vec::new();
    let mut e = minicbor::Encoder::new(&mut out);
    e.map(entries.len() as u64).unwrap();
    for (k, v) in &entries {
        e.u64(*k).unwrap();
        e.writer_mut().extend_from_slice(v);
    }
    out
}

#[test]
fn a_body_with_an_extra_or_missing_field_fails() {
    let schema = combined();
    for (kind, record) in signed_samples() {
        let (_, payload) = cose_parts(&record);
        let body = payload[body_range(&payload)].to_vec();
        let rule = format!("{}-body", kind.name());
        let extra = edit_body(&body, None, Some(99));
        let e = validate(&schema, &rule, &extra).expect_err(&format!("{kind}: extra key 99"));
        assert!(
            e.contains("unexpected key") && e.contains("99"),
            "{kind}: {e}"
        );
        // Key 0 is a required field of every kind.
        let mut d = minicbor::Decoder::new(&body);
        d.map().unwrap();
        assert_eq!(d.datatype().unwrap(), Type::U8);
        let missing = edit_body(&body, Some(0), None);
        let e = validate(&schema, &rule, &missing).expect_err(&format!("{kind}: no key 0"));
        assert!(e.contains("missing key: 0"), "{kind}: {e}");
    }
}

/// A CBOR map from 0, 1, … to `items` (each one encoded CBOR data item).
fn cbor_map(items: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = minicbor::Encoder::new(&mut out);
    e.map(items.len() as u64).unwrap();
    for (i, item) in items.iter().enumerate() {
        e.u64(i as u64).unwrap();
        e.writer_mut().extend_from_slice(item);
    }
    out
}

/// Many payloads in one check (a map, since cddl 0.10 misreads `[* choice-rule]`).
const ALL_PAYLOADS: &str = "{ * uint => logseal-payload }";

#[test]
fn every_scenario_record_validates_against_the_schemas() {
    use logseal::record::Record;
    use logseal::scenario::{self, Scale};
    use logseal::tree::TreeHashAlg;

    let schema = combined();
    let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).expect("the scenario builds");
    let mut kinds = BTreeSet::new();
    let mut records = Vec::new();
    for day in &days {
        for s in &day.records {
            let at = format!("day {} {} seq {} ({})", day.day, s.producer, s.seq, s.kind);
            let kind = Record::decode(&s.item.record)
                .unwrap_or_else(|e| panic!("{at}: {e}"))
                .payload()
                .kind();
            assert_eq!(kind, s.kind, "{at}");
            kinds.insert(kind.name());
            records.push((at, kind, cose_parts(&s.item.record).1));
        }
    }
    // The scenario writes every kind but the retention sweep's and the key lifecycle's.
    assert_eq!(kinds.len(), Kind::ALL.len() - 4, "{kinds:?}");
    assert!(records.len() > 100, "{} records", records.len());

    // Parsing the schema dominates a check, so all payloads are checked at once, as one
    // map (each payload rule binds the kind code to its body rule); only if that fails is
    // each record checked on its own, to name it.
    let payloads: Vec<&[u8]> = records.iter().map(|(_, _, p)| p.as_slice()).collect();
    let all = cbor_map(&payloads);
    if let Err(e) = validate(&schema, ALL_PAYLOADS, &all) {
        for (at, kind, payload) in &records {
            validate(&schema, "logseal-payload", payload)
                .unwrap_or_else(|e| panic!("{at}: payload: {e}"));
            let body = &payload[body_range(payload)];
            validate(&schema, &format!("{}-body", kind.name()), body)
                .unwrap_or_else(|e| panic!("{at}: body: {e}"));
        }
        panic!("the payloads fail together but pass one by one: {e}");
    }
    // The combined check is not vacuous: one payload under another kind code fails it.
    let mut bad = records[records.len() / 2].2.clone();
    let at = bad
        .windows(3)
        .position(|w| w[0] == 0x00 && w[1] == 0x01 && w[2] == 0x01)
        .expect("version 1, then the kind");
    bad[at + 3] = if bad[at + 3] == 0x02 { 0x03 } else { 0x02 };
    let mut with_bad = payloads.clone();
    with_bad.insert(payloads.len() / 3, &bad);
    assert!(validate(&schema, ALL_PAYLOADS, &cbor_map(&with_bad)).is_err());
}

#[test]
fn every_accept_vector_validates_against_the_schemas() {
    let schema = combined();
    let structural = schema
        .replace("bstr .cbor logseal-protected-header", "bstr")
        .replace("bstr .cbor logseal-payload", "bstr");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testvectors");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("accept-") && name.ends_with(".json")) {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(v["expect"], "accept", "{name}");
        let record = hex::decode(v["record"].as_str().unwrap()).unwrap();
        let kind = logseal::record::Record::decode(&record)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .payload()
            .kind();
        validate_record(&schema, &structural, &name, kind, &record);
        checked += 1;
    }
    assert!(checked >= 16, "only {checked} accept vectors");
}

/// The committed ready-made policy files signed by `producer`: (rule id from the file name,
/// JSON).
fn policy_files(producer: &str) -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(logseal::scenario::POLICIES_DIR);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".json") {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
            if v["producer"] == producer {
                out.push((id.to_string(), v));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_ready_made_policy_parses_validates_and_is_a_scenario_rule() {
    use logseal::record::Record;
    use logseal::record::kinds::Body;
    use logseal::scenario::{self, Scale};
    use logseal::tree::TreeHashAlg;

    let key = SecretKey::from_seed(&[78; 32]);
    let files = policy_files("retention-authority");
    let mut rules = Vec::new();
    let mut payloads = Vec::new();
    for (id, json) in &files {
        let what = format!("docs/policies/{id}.json");
        let b = build_from_json(Kind::RetentionPolicy, json.clone(), &mut || [0; 16])
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let signed = b.sign(&key, ORIGIN).unwrap();
        assert!(signed.disclosures.is_empty(), "{what}");
        let record = Record::decode(&signed.bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        let p = record.payload();
        assert_eq!((p.producer.as_str(), p.seq), ("retention-authority", 0));
        let Body::RetentionPolicy(policy) = &p.body else {
            panic!("{what}: not a retention policy");
        };
        assert_eq!(policy.policy_id.as_str(), id, "{what}");
        assert_eq!(policy.rules.len(), 1, "{what}");
        assert_eq!(policy.rules[0].id.as_str(), id, "{what}");
        rules.push(policy.rules[0].clone());
        payloads.push(cose_parts(&signed.bytes).1);
    }
    // Exactly the scenario's rules: the demo's policy lists the same rules.
    let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
    let scenario_policy = days[0]
        .records
        .iter()
        .map(|s| Record::decode(&s.item.record).unwrap())
        .find_map(|r| match &r.payload().body {
            Body::RetentionPolicy(p) => Some(p.clone()),
            _ => None,
        })
        .expect("the scenario signs a policy on day 0");
    let mut expected = scenario_policy.rules.clone();
    expected.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    assert_eq!(rules, expected);
    assert_eq!(rules.len(), scenario::named_rules().len());
    for id in [
        "de-bdsg76-led-logs",
        "nl-nen7513-access-logs",
        "eu-dsa20-appeal-window",
        "us-2258a-preservation",
        "eu-r1232-csam-cap",
        "hold-override",
        "nl-ciot-latest-upload",
        "audit-inspection-records",
    ] {
        assert!(rules.iter().any(|r| r.id.as_str() == id), "no {id}.json");
    }
    // Against the schemas, all at once.
    let schema = combined();
    let all: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
    validate(&schema, ALL_PAYLOADS, &cbor_map(&all)).unwrap();

    // The check is not vacuous: a cap without its period is refused, naming the field.
    let (_, mut broken) = files
        .into_iter()
        .find(|(id, _)| id == "nl-ciot-latest-upload")
        .unwrap();
    broken["body"]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("period");
    let e = build_from_json(Kind::RetentionPolicy, broken, &mut || [0; 16])
        .expect_err("a cap without a period is refused")
        .to_string();
    assert!(e.contains("rules.0.period"), "{e}");
}

#[test]
fn every_ready_made_obligation_policy_parses_validates_and_is_a_scenario_rule() {
    use logseal::record::Record;
    use logseal::record::kinds::Body;
    use logseal::scenario::{self, Scale};
    use logseal::tree::TreeHashAlg;

    let key = SecretKey::from_seed(&[79; 32]);
    let files = policy_files(scenario::OBLIGATION_AUTHORITY);
    let mut rules = Vec::new();
    let mut payloads = Vec::new();
    for (id, json) in &files {
        let what = format!("docs/policies/{id}.json");
        let b = build_from_json(Kind::ObligationPolicy, json.clone(), &mut || [0; 16])
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let signed = b.sign(&key, ORIGIN).unwrap();
        assert!(signed.disclosures.is_empty(), "{what}");
        let record = Record::decode(&signed.bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        let p = record.payload();
        assert_eq!(
            (p.producer.as_str(), p.seq),
            (scenario::OBLIGATION_AUTHORITY, 0)
        );
        let Body::ObligationPolicy(policy) = &p.body else {
            panic!("{what}: not an obligation policy");
        };
        assert_eq!(policy.policy_id.as_str(), id, "{what}");
        assert_eq!(policy.rules.len(), 1, "{what}");
        assert_eq!(policy.rules[0].id.as_str(), id, "{what}");
        rules.push(policy.rules[0].clone());
        payloads.push(cose_parts(&signed.bytes).1);
    }
    // Exactly the scenario's rules: the demo's obligation policy lists the same ten, one of
    // every rule type.
    let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
    let scenario_policy = days[0]
        .records
        .iter()
        .map(|s| Record::decode(&s.item.record).unwrap())
        .find_map(|r| match &r.payload().body {
            Body::ObligationPolicy(p) => Some(p.clone()),
            _ => None,
        })
        .expect("the scenario signs an obligation policy on day 0");
    let mut expected = scenario_policy.rules.clone();
    expected.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    assert_eq!(rules, expected);
    assert_eq!(rules.len(), scenario::obligation_rules().len());
    let types: std::collections::BTreeSet<String> =
        rules.iter().map(|r| r.rule.to_string()).collect();
    for t in [
        "access-scope",
        "order-required",
        "case-reference",
        "recipient-recorded",
        "break-glass-justified",
        "statement-of-reasons",
        "appeal-human-review",
        "appeal-deadline",
        "automated-decision-review",
        "detection-recomputes",
    ] {
        assert!(types.contains(t), "no {t} rule in {types:?}");
    }
    // Against the schemas, all at once.
    let schema = combined();
    let all: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
    validate(&schema, ALL_PAYLOADS, &cbor_map(&all)).unwrap();

    // The check is not vacuous: an order-required rule without its bases is refused.
    let (_, mut broken) = files
        .into_iter()
        .find(|(id, _)| id == "nl-sv-order-required")
        .unwrap();
    broken["body"]["rules"][0]["legal_bases"] = serde_json::json!([]);
    let e = build_from_json(Kind::ObligationPolicy, broken, &mut || [0; 16])
        .expect_err("an order-required rule without bases is refused")
        .to_string();
    assert!(e.contains("rules.0.legal_bases"), "{e}");
}

#[test]
fn a_ready_made_policy_goes_into_a_log_both_ways_its_readme_shows() {
    use common::{lines, logseal, ok, registration, setup_log};

    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup_log(d);
    ok(&logseal(
        &["keygen", "--name", "retention-authority", "--out", "pa"],
        d,
        None,
    ));
    let reg = registration(
        "retention-authority",
        &d.join("pa.pub"),
        &["retention-policy"],
    );
    ok(&logseal(
        &["append", "log", "--in", "-", "--producer-key", "ra.key"],
        d,
        Some(&lines([reg])),
    ));
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join(logseal::scenario::POLICIES_DIR);
    // As written (seq 0, zero prev): sign a record file, then append it.
    let hold = docs.join("hold-override.json");
    ok(&logseal(
        &[
            "record",
            "new",
            "--kind",
            "retention-policy",
            "--producer-key",
            "pa.key",
            "--origin",
            common::ORIGIN,
            "--in",
            hold.to_str().unwrap(),
            "--out",
            "hold",
        ],
        d,
        None,
    ));
    ok(&logseal(&["append", "log", "hold.cose"], d, None));
    // As one JSON line with its kind, seq and prev left to the log (what the README's jq
    // one-liner produces).
    let mut line: serde_json::Value =
        serde_json::from_slice(&std::fs::read(docs.join("nl-ciot-latest-upload.json")).unwrap())
            .unwrap();
    let obj = line.as_object_mut().unwrap();
    obj.remove("seq");
    obj.remove("prev");
    obj.insert("kind".into(), "retention-policy".into());
    let out = ok(&logseal(
        &[
            "append",
            "log",
            "--in",
            "-",
            "--producer-key",
            "pa.key",
            "--json",
        ],
        d,
        Some(&lines([line])),
    ));
    let receipt: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(receipt["producer"], "retention-authority");
    assert_eq!(receipt["seq"], 1);
    // Both policies are in force side by side.
    let plan = ok(&logseal(
        &["retention", "plan", "log", "--at", "2026-03-02T00:00:00Z"],
        d,
        None,
    ));
    for id in ["hold-override", "nl-ciot-latest-upload"] {
        assert!(plan.contains(&format!("policy {id} version 1")), "{plan}");
    }
}
