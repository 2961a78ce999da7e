//! The DSA Transparency Database ("TDB"): each account sanction as a statement of reasons in
//! the database's statement JSON (`POST /api/v1/statements`), and the reconciliation of a
//! log's sanctions with the statements a platform submitted, matched by `puid`.
//!
//! Field list, enumerations and limits: the database's API documentation and its validator
//! (`StatementStoreRequest.php`), as gathered in `shared/dsa-tdb-fields.md`; the JSON Schema
//! `schemas/dsa-tdb-statement.schema.json` states them. The record's fields already carry
//! the database's names and enumeration spellings (`account-sanction`).
//!
//! Only public fields are exported: DSA 24(5) forbids personal data in submissions, and
//! sealed values (the account, the explanation addressed to the person, hash values) are
//! never read here. A field the database requires that the record does not hold publicly is
//! *missing*: the sanction cannot be exported, and the export says which field, per `puid`;
//! no value is ever made up. Categories of the pre-2025 list are mapped to the list in
//! force since 1 July 2025 where the database renamed them; a removed category with no
//! stated successor cannot be exported.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::record::kinds::account_sanction::{
    AccountSanction, ContentType, DecisionGround, DecisionMonetary, DecisionVisibility,
};
use crate::record::types::Timestamp;

use super::sanctions::SanctionRef;

/// The 16 categories of the list in force since 1 July 2025.
pub const CATEGORIES_2025: &[&str] = &[
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
];

/// Categories the 2025 revision renamed: (old, new).
pub const RENAMED_CATEGORIES: &[(&str, &str)] = &[(
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
)];

/// Statement fields the account-sanction record holds no public value for: the database
/// may hold them, the log cannot confirm them, so reconciliation does not compare them.
pub const NOT_IN_LOG: &[&str] = &[
    "incompatible_content_illegal",
    "decision_visibility_other",
    "decision_monetary_other",
    "content_type_other",
    "source_identity",
    "category_specification_other",
    "category_addition",
    "content_language",
    "decision_ground_reference_url",
    "content_id",
    "content_id_ean",
];

/// Every field of a statement as submitted (what reconciliation reads; the database's own
/// fields such as `uuid` or `created_at` are ignored).
pub const STATEMENT_FIELDS: &[&str] = &[
    "decision_visibility",
    "decision_visibility_other",
    "decision_monetary",
    "decision_monetary_other",
    "decision_provision",
    "decision_account",
    "account_type",
    "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "category",
    "category_addition",
    "category_specification",
    "category_specification_other",
    "content_type",
    "content_type_other",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "source_identity",
    "automated_detection",
    "automated_decision",
    "puid",
    "territorial_scope",
    "content_language",
    "content_id",
    "content_id_ean",
    "end_date_account_restriction",
    "end_date_monetary_restriction",
    "end_date_service_restriction",
    "end_date_visibility_restriction",
];

/// The database's limit for short text fields (grounds, `puid`, the `*_other` fields).
pub const MAX_SHORT: usize = 500;

/// The database's limit for `decision_facts`.
pub const MAX_FACTS: usize = 5000;

/// One sanction as a statement: the fields the log holds, and why it cannot be exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    pub leaf: u64,
    pub puid: String,
    /// The statement's fields the record holds publicly.
    pub statement: Map<String, Value>,
    /// Why it cannot be exported (`<field> missing`, `<field> …`); empty when it can.
    pub problems: Vec<String>,
}

impl Draft {
    pub fn exportable(&self) -> bool {
        self.problems.is_empty()
    }
}

/// `YYYY-MM-DD` (UTC) of an instant.
fn day(t: Timestamp) -> String {
    t.to_rfc3339()[..10].to_string()
}

/// The 2025 category of a record's category, or why there is none.
pub fn category_2025(c: &str) -> Result<&str, String> {
    if CATEGORIES_2025.contains(&c) {
        return Ok(c);
    }
    match RENAMED_CATEGORIES.iter().find(|(old, _)| *old == c) {
        Some((_, new)) => Ok(new),
        None => Err(format!(
            "category {c} was removed from the database's list on 2025-07-01 with no stated \
             successor"
        )),
    }
}

/// The statement of sanction `s` at `leaf`, from its public fields only.
pub fn draft(leaf: u64, s: &AccountSanction) -> Draft {
    let mut m = Map::new();
    let mut problems = Vec::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    if !s.decision_visibility.is_empty() {
        put("decision_visibility", json!(s.decision_visibility));
    }
    let optional = [
        ("decision_monetary", s.decision_monetary.map(|v| json!(v))),
        ("decision_provision", s.decision_provision.map(|v| json!(v))),
        ("decision_account", s.decision_account.map(|v| json!(v))),
        ("account_type", s.account_type.map(|v| json!(v))),
    ];
    for (k, v) in optional.into_iter().filter_map(|(k, v)| Some((k, v?))) {
        put(k, v);
    }
    put("decision_ground", json!(s.decision_ground));
    let (ground_field, ground, explanation) = match s.decision_ground {
        DecisionGround::IllegalContent => (
            "illegal_content_legal_ground",
            &s.illegal_content_legal_ground,
            "illegal_content_explanation",
        ),
        DecisionGround::IncompatibleContent => (
            "incompatible_content_ground",
            &s.incompatible_content_ground,
            "incompatible_content_explanation",
        ),
    };
    match ground {
        Some(g) => put(ground_field, json!(g.as_str())),
        None => problems.push(format!("{ground_field} missing")),
    }
    match &s.ground_explanation {
        Some(e) => put(explanation, json!(e.as_str())),
        None => problems.push(format!(
            "{explanation} missing (the record has no public ground_explanation; its sealed \
             explanation is addressed to the person and is never exported)"
        )),
    }
    match category_2025(s.category.as_str()) {
        Ok(c) => put("category", json!(c)),
        Err(why) => problems.push(why),
    }
    if !s.category_specification.is_empty() {
        let k: Vec<&str> = s
            .category_specification
            .iter()
            .map(|k| k.as_str())
            .collect();
        put("category_specification", json!(k));
    }
    put("content_type", json!(s.content_type));
    put("application_date", json!(day(s.application_date)));
    match s.content_date {
        Some(t) => put("content_date", json!(day(t))),
        None => problems.push("content_date missing".into()),
    }
    match &s.decision_facts {
        Some(f) => put("decision_facts", json!(f.as_str())),
        None => problems.push("decision_facts missing".into()),
    }
    put("source_type", json!(s.source_type));
    let detection = if s.automated_detection { "Yes" } else { "No" };
    put("automated_detection", json!(detection));
    put("automated_decision", json!(s.automated_decision));
    put("puid", json!(s.puid.as_str()));
    if !s.territorial_scope.is_empty() {
        let t: Vec<&str> = s.territorial_scope.iter().map(|t| t.as_str()).collect();
        put("territorial_scope", json!(t));
    }
    let ends = [
        (
            "end_date_account_restriction",
            s.end_date_account_restriction,
        ),
        (
            "end_date_monetary_restriction",
            s.end_date_monetary_restriction,
        ),
        (
            "end_date_service_restriction",
            s.end_date_service_restriction,
        ),
        (
            "end_date_visibility_restriction",
            s.end_date_visibility_restriction,
        ),
    ];
    for (k, t) in ends.into_iter().filter_map(|(k, v)| Some((k, v?))) {
        put(k, json!(day(t)));
    }
    problems.extend(limits(s, &m));
    Draft {
        leaf,
        puid: s.puid.to_string(),
        statement: m,
        problems,
    }
}

/// The database's conditionals and limits the record's own rules do not already give.
fn limits(s: &AccountSanction, m: &Map<String, Value>) -> Vec<String> {
    let mut p = Vec::new();
    let restricted = [
        "decision_visibility",
        "decision_monetary",
        "decision_provision",
    ]
    .iter()
    .chain(&["decision_account"])
    .any(|k| m.contains_key(*k));
    if !restricted {
        p.push(
            "decision_visibility, decision_monetary, decision_provision or decision_account \
             missing (one is required)"
                .to_string(),
        );
    }
    if s.decision_visibility.contains(&DecisionVisibility::Other) {
        p.push("decision_visibility_other missing".into());
    }
    if s.decision_monetary == Some(DecisionMonetary::Other) {
        p.push("decision_monetary_other missing".into());
    }
    if s.content_type.contains(&ContentType::Other) {
        p.push("content_type_other missing".into());
    }
    let puid = s.puid.as_str();
    let puid_ok = puid
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if puid.chars().count() > MAX_SHORT || !puid_ok {
        p.push(format!(
            "puid {puid:?} is not 1–{MAX_SHORT} characters of [a-zA-Z0-9-_]"
        ));
    }
    for k in [
        "illegal_content_legal_ground",
        "incompatible_content_ground",
    ] {
        if let Some(Value::String(v)) = m.get(k)
            && v.chars().count() > MAX_SHORT
        {
            p.push(format!("{k} longer than {MAX_SHORT} characters"));
        }
    }
    let in_range = |k: &str, from: &str| match m.get(k) {
        Some(Value::String(d)) if d.as_str() < from || d.as_str() > "2038-01-01" => {
            Some(format!("{k} {d} outside {from} … 2038-01-01"))
        }
        _ => None,
    };
    p.extend(in_range("application_date", "2020-01-01"));
    p.extend(in_range("content_date", "2000-01-01"));
    if let Some(Value::String(f)) = m.get("decision_facts")
        && f.chars().count() > MAX_FACTS
    {
        p.push(format!("decision_facts longer than {MAX_FACTS} characters"));
    }
    for k in [
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
    ] {
        p.extend(in_range(k, "0000-00-00"));
    }
    p
}

/// The export: the statements that can be submitted, in leaf order, and the sanctions that
/// cannot, with why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Export {
    pub statements: Vec<Value>,
    pub not_exported: Vec<NotExported>,
}

/// A sanction that cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotExported {
    pub leaf: u64,
    pub puid: String,
    pub problems: Vec<String>,
    /// The statement's fields the log does hold (public, as exported).
    pub fields: Map<String, Value>,
}

/// Split `drafts` into what can be submitted and what cannot.
pub fn export(drafts: impl IntoIterator<Item = Draft>) -> Export {
    let mut e = Export {
        statements: Vec::new(),
        not_exported: Vec::new(),
    };
    for d in drafts {
        if d.exportable() {
            e.statements.push(Value::Object(d.statement));
        } else {
            e.not_exported.push(NotExported {
                leaf: d.leaf,
                puid: d.puid,
                problems: d.problems,
                fields: d.statement,
            });
        }
    }
    e
}

/// Why a submitted file cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmittedError {
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("expected a list of statements or {{\"statements\": [...]}}, found {0}")]
    Shape(&'static str),
    #[error("statements.{index}: not an object")]
    NotObject { index: usize },
    #[error("statements.{index}: no puid (a string)")]
    NoPuid { index: usize },
}

/// The statements of a submitted file: a JSON list, or an object with `statements`.
pub fn read_submitted(bytes: &[u8]) -> Result<Vec<Map<String, Value>>, SubmittedError> {
    let v: Value = serde_json::from_slice(bytes)?;
    let list = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o.remove("statements") {
            Some(Value::Array(a)) => a,
            _ => return Err(SubmittedError::Shape("an object without a statements list")),
        },
        _ => return Err(SubmittedError::Shape("neither a list nor an object")),
    };
    list.into_iter()
        .enumerate()
        .map(|(index, s)| match s {
            Value::Object(o) if o.get("puid").is_some_and(Value::is_string) => Ok(o),
            Value::Object(_) => Err(SubmittedError::NoPuid { index }),
            _ => Err(SubmittedError::NotObject { index }),
        })
        .collect()
}

/// One field that differs between the log and the submission (`null`: absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    pub field: String,
    pub log: Value,
    pub submitted: Value,
}

/// A statement whose fields differ from the log's sanction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Differing {
    pub puid: String,
    pub leaf: u64,
    pub fields: Vec<FieldDiff>,
}

/// The log's sanctions against the submitted statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub sanctions: u64,
    pub submitted: u64,
    pub matched: u64,
    /// Sanctions in the log with no submitted statement.
    pub missing: Vec<SanctionRef>,
    /// Submitted statements with no sanction in the log (by `puid`).
    pub extra: Vec<String>,
    pub differing: Vec<Differing>,
    /// `puid`s submitted more than once (the first is compared).
    pub duplicates: Vec<String>,
    /// Fields not compared: [`NOT_IN_LOG`].
    pub not_compared: Vec<&'static str>,
}

impl Reconciliation {
    /// Whether the submission matches the log in everything compared.
    pub fn agrees(&self) -> bool {
        self.missing.is_empty()
            && self.extra.is_empty()
            && self.differing.is_empty()
            && self.duplicates.is_empty()
    }
}

/// A value as compared: lists as sorted sets (the database keeps no order).
fn normal(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(Value::Array(a)) if a.is_empty() => Value::Null,
        Some(Value::Array(a)) => {
            let mut s: Vec<String> = a.iter().map(|x| x.to_string()).collect();
            s.sort();
            s.dedup();
            let sorted: Vec<Value> = s
                .iter()
                .map(|x| serde_json::from_str(x).unwrap_or(Value::Null))
                .collect();
            Value::Array(sorted)
        }
        Some(v) => v.clone(),
    }
}

/// Compare the log's sanctions (`drafts`) with the `submitted` statements, by `puid`.
pub fn reconcile(drafts: Vec<Draft>, submitted: Vec<Map<String, Value>>) -> Reconciliation {
    let mut by_puid: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut duplicates = BTreeSet::new();
    let count = submitted.len() as u64;
    for s in submitted {
        let puid = s["puid"].as_str().unwrap_or_default().to_string();
        match by_puid.entry(puid) {
            std::collections::btree_map::Entry::Occupied(e) => {
                duplicates.insert(e.key().clone());
            }
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(s);
            }
        }
    }
    let mut r = Reconciliation {
        sanctions: drafts.len() as u64,
        submitted: count,
        matched: 0,
        missing: Vec::new(),
        extra: Vec::new(),
        differing: Vec::new(),
        duplicates: duplicates.into_iter().collect(),
        not_compared: NOT_IN_LOG.to_vec(),
    };
    for d in drafts {
        let Some(s) = by_puid.remove(&d.puid) else {
            r.missing.push(SanctionRef {
                leaf: d.leaf,
                puid: d.puid,
            });
            continue;
        };
        r.matched += 1;
        let fields: Vec<FieldDiff> = STATEMENT_FIELDS
            .iter()
            .filter(|f| !NOT_IN_LOG.contains(f))
            .filter_map(|f| {
                let (log, sub) = (normal(d.statement.get(*f)), normal(s.get(*f)));
                (log != sub).then(|| FieldDiff {
                    field: f.to_string(),
                    log,
                    submitted: sub,
                })
            })
            .collect();
        if !fields.is_empty() {
            r.differing.push(Differing {
                puid: d.puid,
                leaf: d.leaf,
                fields,
            });
        }
    }
    r.extra = by_puid.into_keys().collect();
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Kind;
    use crate::record::kinds::Body;

    /// The sample sanction's public body (its sealed values left out).
    fn sample(edit: impl FnOnce(&mut Map<String, Value>)) -> AccountSanction {
        let (_, rec) = crate::record::kinds::samples()
            .into_iter()
            .find(|(k, _)| *k == Kind::AccountSanction)
            .unwrap();
        let Value::Object(mut body) = rec["body"].clone() else {
            panic!("a body")
        };
        for sealed in [
            "account_id",
            "content_id",
            "explanation",
            "matched_entry_id",
            "matched_hash_value",
            "content_hash",
            "content_digest",
        ] {
            body.remove(sealed);
        }
        body["human_review"]
            .as_object_mut()
            .unwrap()
            .remove("reviewer");
        edit(&mut body);
        match Body::from_json(Kind::AccountSanction, Value::Object(body)).unwrap() {
            Body::AccountSanction(s) => s,
            _ => unreachable!(),
        }
    }

    const EXPLANATION: &str = "incompatible_content_explanation missing (the record has no \
        public ground_explanation; its sealed explanation is addressed to the person and is \
        never exported)";

    #[test]
    fn a_sanction_becomes_a_statement_of_its_public_fields() {
        let d = draft(7, &sample(|_| {}));
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert!(
            d.statement["incompatible_content_explanation"]
                .as_str()
                .unwrap()
                .starts_with("Clause 4.2")
        );
        let d = draft(7, &sample(|b| drop(b.remove("ground_explanation"))));
        assert_eq!(d.problems, vec![EXPLANATION.to_string()]);
        let m = &d.statement;
        assert_eq!(m["puid"], "sor-2026-04-000731");
        assert_eq!(m["application_date"], "2026-04-09");
        assert_eq!(m["content_date"], "2026-04-02");
        assert_eq!(m["automated_detection"], "Yes");
        assert_eq!(
            m["incompatible_content_ground"],
            "terms-4.2-prohibited-content"
        );
        assert!(
            m["decision_facts"]
                .as_str()
                .unwrap()
                .starts_with("An image stored")
        );
        assert!(
            !m.contains_key("decision_visibility"),
            "an empty list is left out"
        );
        let text = serde_json::to_string(m).unwrap();
        for sealed in ["u-88412907", "file-3b9d1e77a0", "ncmec:A1", "Sicherung"] {
            assert!(!text.contains(sealed), "{sealed} in {text}");
        }
    }

    #[test]
    fn a_sanction_without_the_new_fields_names_them() {
        let d = draft(
            3,
            &sample(|b| {
                b.remove("content_date");
                b.remove("decision_facts");
                b.remove("ground_explanation");
            }),
        );
        assert_eq!(
            d.problems,
            vec![
                EXPLANATION.to_string(),
                "content_date missing".into(),
                "decision_facts missing".into()
            ]
        );
        assert!(!d.statement.contains_key("content_date"));
    }

    #[test]
    fn old_categories_map_to_2025_or_are_refused() {
        assert_eq!(
            category_2025("STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS"),
            Ok("STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS")
        );
        assert_eq!(
            category_2025("STATEMENT_CATEGORY_VIOLENCE"),
            Ok("STATEMENT_CATEGORY_VIOLENCE")
        );
        let d = draft(
            1,
            &sample(|b| {
                b["category"] = json!("STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE");
            }),
        );
        assert_eq!(
            d.problems[0],
            "category STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE was removed from the \
             database's list on 2025-07-01 with no stated successor"
        );
        assert!(!d.statement.contains_key("category"));
    }

    #[test]
    fn other_choices_need_their_text() {
        let d = draft(
            1,
            &sample(|b| {
                b["content_type"] = json!(["CONTENT_TYPE_OTHER"]);
            }),
        );
        assert_eq!(d.problems[0], "content_type_other missing");
    }

    #[test]
    fn reconciliation_finds_missing_extra_and_differing_statements() {
        let drafts: Vec<Draft> = ["a-1", "a-2", "a-3"]
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut d = draft(10 + i as u64, &sample(|_| {}));
                d.puid = p.to_string();
                d.statement.insert("puid".into(), json!(p));
                d
            })
            .collect();
        let mut submitted: Vec<Map<String, Value>> =
            drafts.iter().map(|d| d.statement.clone()).collect();
        submitted.remove(1);
        submitted[0].insert("automated_detection".into(), json!("No"));
        submitted[0].insert("content_language".into(), json!("DE"));
        submitted[1].insert("territorial_scope".into(), json!(["NL", "DE", "AT"]));
        submitted.push(Map::from_iter([("puid".to_string(), json!("z-9"))]));
        let r = reconcile(drafts, submitted);
        assert_eq!((r.sanctions, r.submitted, r.matched), (3, 3, 2));
        assert_eq!(
            r.missing,
            vec![SanctionRef {
                leaf: 11,
                puid: "a-2".into()
            }]
        );
        assert_eq!(r.extra, vec!["z-9".to_string()]);
        assert_eq!(
            r.differing,
            vec![Differing {
                puid: "a-1".into(),
                leaf: 10,
                fields: vec![FieldDiff {
                    field: "automated_detection".into(),
                    log: json!("Yes"),
                    submitted: json!("No"),
                }],
            }]
        );
        assert!(!r.agrees());
    }

    #[test]
    fn submitted_files_are_lists_or_objects_with_statements() {
        assert_eq!(read_submitted(br#"[{"puid":"a"}]"#).unwrap().len(), 1);
        assert_eq!(
            read_submitted(br#"{"statements":[{"puid":"a"},{"puid":"b"}]}"#)
                .unwrap()
                .len(),
            2
        );
        let e = read_submitted(br#"{"statements":[{"puid":"a"},{"id":3}]}"#).unwrap_err();
        assert_eq!(e.to_string(), "statements.1: no puid (a string)");
        let e = read_submitted(br#"{"data":[]}"#).unwrap_err();
        assert!(matches!(e, SubmittedError::Shape(_)), "{e}");
    }
}
