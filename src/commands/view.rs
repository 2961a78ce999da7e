//! What `logseal record show` (and the demo) tell a person about one record: an inspection of
//! a decoded record against optional disclosures and an optional key, and its two renderings.
//!
//! Text is for people: every field by name in the kind's own order (the order of its schema,
//! which follows the legal source: for a sanction, the restriction, then the ground, then
//! the facts), enumerations spelled out as in the JSON input, nested structures indented,
//! references to other records on one line, each sealed field's state and meaning. JSON (`--json`) is one object with a stable shape:
//!
//! ```text
//! {
//!   "file": "<path>",
//!   "valid": true | false,               // false: a disclosure or the signature failed
//!   "kind": "data-access",
//!   "key_id": "<hex, the kid of the protected header>",
//!   "leaf_hash_sha256": "<hex, RFC 9162 leaf hash in a SHA-256 log>",
//!   "envelope": { "producer", "seq", "prev", "occurred_at" (RFC 3339 UTC),
//!                 "utc_offset_minutes"?, "processing_activity"?, "trace_id"?,
//!                 "operation_id"?, "parent_operation_id"?, "status", "retention_rule"? },
//!   "body": { …the kind's public fields, as in the JSON input… },
//!   "sealed": [ { "path": "actor.user", "what": "<description>",
//!                 "commitment": "<hex>",
//!                 "state": "sealed" | "disclosed" | "mismatch" | "malformed",
//!                 "value": <only when disclosed: string | hex string | number | array>,
//!                 "problem"?: <only when malformed: why the value is not one the field
//!                             takes, and whether it opens the commitment> } ],
//!   "stray_disclosures": [ { "path", "problem" } ],   // disclosures for no field of the record
//!   "signature": { "state": "verified" | "not-checked" | "failed",
//!                  "key"?: "<key name>", "origin"?: "<origin>", "error"?: "<why>" }
//! }
//! ```

use logseal::crypto::PublicKey;
use logseal::record::kinds::Body;
use logseal::record::sealed::Disclosure;
use logseal::record::{FieldPath, Record, SealedValue};
use logseal::tree::TreeHashAlg;
use serde_json::{Value, json};

/// The state of one sealed field.
pub enum SealedState {
    Sealed,
    Disclosed(SealedValue),
    /// A well-formed value that does not open the commitment (another value, salt or path).
    Mismatch,
    /// A value the field does not take (wrong type, not NFC, controls, too long): why, and
    /// whether it opens the commitment all the same (a producer sealed a forbidden value).
    Malformed {
        reason: String,
        opens: bool,
    },
}

/// The state of a sealed field with commitment `commitment` opened by `d`: a value its
/// field does not take is malformed, whether or not it opens the commitment.
fn disclosure_state(
    commitment: &[u8; 32],
    d: &Disclosure,
    class: Option<logseal::record::sealed::ValueClass>,
) -> SealedState {
    let opens = &d.commitment() == commitment;
    let malformed = match class {
        None => Some("the record's kind has no sealed field at this path".to_string()),
        Some(c) => d.value.check(c).err().map(|e| e.to_string()),
    };
    match (malformed, opens) {
        (Some(reason), opens) => SealedState::Malformed { reason, opens },
        (None, true) => SealedState::Disclosed(d.value.clone()),
        (None, false) => SealedState::Mismatch,
    }
}

pub struct SealedField {
    pub path: FieldPath,
    pub what: &'static str,
    pub commitment: [u8; 32],
    pub state: SealedState,
}

pub enum Signature {
    NotChecked,
    Verified {
        key: String,
        origin: String,
    },
    Failed {
        key: String,
        origin: String,
        error: String,
    },
}

/// The second half of a malformed value's problem line.
fn malformed_opens(opens: bool) -> &'static str {
    if opens {
        "it opens the commitment: the producer sealed a value the field does not take"
    } else {
        "it does not open the commitment either"
    }
}

/// A record, inspected.
pub struct View {
    pub file: String,
    pub size: usize,
    pub record: Record,
    pub sealed: Vec<SealedField>,
    /// Disclosures that open no field of this record: (path, problem).
    pub stray: Vec<(FieldPath, String)>,
    pub signature: Signature,
}

/// A key to check the signature with: its name, the key, the log's origin.
pub struct KeyCheck<'a> {
    pub name: &'a str,
    pub key: &'a PublicKey,
    pub origin: &'a str,
}

impl View {
    pub fn inspect(
        file: String,
        record: Record,
        disclosures: &[Disclosure],
        key: Option<KeyCheck<'_>>,
    ) -> View {
        let payload = record.payload();
        let specs = payload.kind().sealed_specs();
        let sealed = payload
            .sealed
            .iter()
            .map(|(path, commitment)| {
                let spec = specs.iter().find(|s| s.matches(path));
                let what = spec.map_or("", |s| s.doc);
                let state = match disclosures.iter().find(|d| &d.path == path) {
                    None => SealedState::Sealed,
                    Some(d) => disclosure_state(commitment, d, spec.map(|s| s.class)),
                };
                SealedField {
                    path: path.clone(),
                    what,
                    commitment: *commitment,
                    state,
                }
            })
            .collect();
        let stray = disclosures
            .iter()
            .filter(|d| payload.commitment(&d.path).is_none())
            .map(|d| {
                (
                    d.path.clone(),
                    format!("the record has no sealed field {}", d.path),
                )
            })
            .collect();
        let signature = match key {
            None => Signature::NotChecked,
            Some(k) => match record.verify(k.key, k.origin) {
                Ok(()) => Signature::Verified {
                    key: k.name.to_string(),
                    origin: k.origin.to_string(),
                },
                Err(e) => Signature::Failed {
                    key: k.name.to_string(),
                    origin: k.origin.to_string(),
                    error: e.to_string(),
                },
            },
        };
        View {
            file,
            size: record.bytes().len(),
            record,
            sealed,
            stray,
            signature,
        }
    }

    /// Every problem found, one line each (empty: all checks that ran held).
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .sealed
            .iter()
            .filter_map(|f| match &f.state {
                SealedState::Mismatch => Some(format!(
                    "disclosure for {} does not match its commitment (a well-formed value, \
                     but the value, salt or path differs from what was sealed)",
                    f.path
                )),
                SealedState::Malformed { reason, opens } => Some(format!(
                    "disclosure for {}: malformed value: {reason}; {}",
                    f.path,
                    malformed_opens(*opens)
                )),
                _ => None,
            })
            .collect();
        out.extend(
            self.stray
                .iter()
                .map(|(_, p)| format!("stray disclosure: {p}")),
        );
        if let Signature::Failed { error, .. } = &self.signature {
            out.push(format!("signature: {error}"));
        }
        out
    }

    fn leaf_hash(&self) -> String {
        hex::encode(TreeHashAlg::Sha256.leaf(self.record.bytes()))
    }

    /// The text rendering.
    pub fn to_text(&self) -> String {
        let p = self.record.payload();
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<20}{v}\n"));
        line("record", format!("{} ({} bytes)", self.file, self.size));
        line("kind", p.kind().name().to_string());
        line("producer", p.producer.to_string());
        line("seq", p.seq.to_string());
        let prev = if p.prev.0 == [0; 32] {
            format!("{} (start of the chain)", p.prev)
        } else {
            p.prev.to_string()
        };
        line("prev", prev);
        let time = match p.utc_offset_minutes {
            Some(o) if o != 0 => format!(
                "{} (producer's clock: {})",
                p.occurred_at.to_rfc3339(),
                local_time(p.occurred_at.millis(), o)
            ),
            Some(_) => format!("{} (producer's clock: UTC)", p.occurred_at.to_rfc3339()),
            None => p.occurred_at.to_rfc3339(),
        };
        line("time", time);
        line("status", p.status.to_string());
        if let Some(a) = &p.processing_activity {
            line("processing activity", a.to_string());
        }
        if let Some(t) = &p.trace_id {
            line("trace id", t.to_string());
        }
        if let Some(t) = &p.operation_id {
            line("operation id", t.to_string());
        }
        if let Some(t) = &p.parent_operation_id {
            line("parent operation id", t.to_string());
        }
        if let Some(r) = &p.retention_rule {
            line("retention rule", r.to_string());
        }
        line("key id", hex::encode(self.record.kid()));
        line("leaf hash (sha256)", self.leaf_hash());

        out.push_str("\nbody\n");
        let body = body_in_order(&p.body).unwrap_or_else(|| Node::from(p.body.to_json()));
        render_node(&body, 1, &mut out);

        if self.sealed.is_empty() {
            out.push_str("\nsealed fields: none\n");
        } else {
            let open = self
                .sealed
                .iter()
                .filter(|f| matches!(f.state, SealedState::Disclosed(_)))
                .count();
            out.push_str(&format!(
                "\nsealed fields ({} in all, {open} disclosed)\n",
                self.sealed.len()
            ));
            for f in &self.sealed {
                let state = match &f.state {
                    SealedState::Sealed => "sealed".to_string(),
                    SealedState::Disclosed(v) => format!("disclosed: {}", value_text(v)),
                    SealedState::Mismatch => "DISCLOSURE DOES NOT MATCH".to_string(),
                    SealedState::Malformed { reason, opens } => format!(
                        "MALFORMED DISCLOSURE VALUE: {reason}; {}",
                        malformed_opens(*opens)
                    ),
                };
                out.push_str(&format!("  {}: {state}\n", f.path));
                if !f.what.is_empty() {
                    out.push_str(&format!("      {}\n", f.what));
                }
            }
        }
        for (path, problem) in &self.stray {
            out.push_str(&format!("  stray disclosure {path}: {problem}\n"));
        }

        let sig = match &self.signature {
            Signature::NotChecked => "not checked: no key given".to_string(),
            Signature::Verified { key, origin } => {
                format!("verified with {key} (origin {origin})")
            }
            Signature::Failed { key, origin, error } => {
                format!("FAILED with {key} (origin {origin}): {error}")
            }
        };
        out.push_str(&format!("\n{:<20}{sig}\n", "signature"));
        out
    }

    /// The JSON rendering (shape in the module docs).
    pub fn to_json(&self) -> Value {
        let p = self.record.payload();
        let mut envelope = serde_json::to_value(p.envelope_json()).expect("envelope serialises");
        if let (Some(o), Value::Object(m)) = (p.utc_offset_minutes, &mut envelope) {
            m.insert("utc_offset_minutes".into(), json!(o));
        }
        let sealed: Vec<Value> = self
            .sealed
            .iter()
            .map(|f| {
                let mut v = json!({
                    "path": f.path.to_string(),
                    "what": f.what,
                    "commitment": hex::encode(f.commitment),
                });
                let (state, value) = match &f.state {
                    SealedState::Sealed => ("sealed", None),
                    SealedState::Disclosed(x) => ("disclosed", Some(value_json(x))),
                    SealedState::Mismatch => ("mismatch", None),
                    SealedState::Malformed { reason, opens } => {
                        v["problem"] = json!(format!("{reason}; {}", malformed_opens(*opens)));
                        ("malformed", None)
                    }
                };
                v["state"] = json!(state);
                if let Some(x) = value {
                    v["value"] = x;
                }
                v
            })
            .collect();
        let stray: Vec<Value> = self
            .stray
            .iter()
            .map(|(p, problem)| json!({"path": p.to_string(), "problem": problem}))
            .collect();
        let signature = match &self.signature {
            Signature::NotChecked => json!({"state": "not-checked"}),
            Signature::Verified { key, origin } => {
                json!({"state": "verified", "key": key, "origin": origin})
            }
            Signature::Failed { key, origin, error } => {
                json!({"state": "failed", "key": key, "origin": origin, "error": error})
            }
        };
        json!({
            "file": self.file,
            "valid": self.problems().is_empty(),
            "kind": p.kind().name(),
            "key_id": hex::encode(self.record.kid()),
            "leaf_hash_sha256": self.leaf_hash(),
            "envelope": envelope,
            "body": p.body.to_json(),
            "sealed": sealed,
            "stray_disclosures": stray,
            "signature": signature,
        })
    }
}

/// RFC 3339 local time at `offset` minutes from UTC, e.g. `2026-03-01T10:30:00.250+01:00`.
fn local_time(millis: u64, offset: i16) -> String {
    let shifted = millis as i64 + i64::from(offset) * 60_000;
    let Ok(shifted) = u64::try_from(shifted) else {
        return format!("offset {offset:+} minutes");
    };
    let utc = logseal::record::types::Timestamp(shifted).to_rfc3339();
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!(
        "{}{sign}{:02}:{:02}",
        utc.trim_end_matches('Z'),
        a / 60,
        a % 60
    )
}

/// A sealed value for people: text quoted (so invisible characters show), bytes in hex.
fn value_text(v: &SealedValue) -> String {
    match v {
        SealedValue::Text(s) => format!("{s:?}"),
        SealedValue::Bytes(b) => format!("0x{}", hex::encode(b)),
        SealedValue::Uint(u) => u.to_string(),
        SealedValue::List(items) => format!(
            "[{}]",
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A sealed value in its JSON input form: text as a string, bytes as hex, lists as arrays.
fn value_json(v: &SealedValue) -> Value {
    match v {
        SealedValue::Text(s) => json!(s),
        SealedValue::Bytes(b) => json!(hex::encode(b)),
        SealedValue::Uint(u) => json!(u),
        SealedValue::List(items) => Value::Array(items.iter().map(value_json).collect()),
    }
}

/// A JSON value whose objects keep their fields in the order they were serialised
/// (`serde_json::Value` sorts them by name).
#[derive(Debug, PartialEq)]
enum Node {
    Scalar(Value),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl From<Value> for Node {
    fn from(v: Value) -> Node {
        match v {
            Value::Array(a) => Node::List(a.into_iter().map(Node::from).collect()),
            Value::Object(m) => Node::Map(m.into_iter().map(|(k, v)| (k, Node::from(v))).collect()),
            other => Node::Scalar(other),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(json!(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(json!(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(json!(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(json!(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(json!(v)))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = a.next_element()? {
                    items.push(n);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(e) = a.next_entry()? {
                    entries.push(e);
                }
                Ok(Node::Map(entries))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// The body's public fields in the order the kind declares them (its CBOR keys' and its
/// schema's order); `None` for a kind this function does not know yet.
fn body_in_order(body: &Body) -> Option<Node> {
    fn ordered<T: serde::Serialize>(t: &T) -> Option<Node> {
        serde_json::from_str(&serde_json::to_string(t).ok()?).ok()
    }
    macro_rules! each_kind {
        ($($v:ident),* $(,)?) => {
            match body {
                $(Body::$v(b) => ordered(b),)*
                _ => None,
            }
        };
    }
    each_kind!(
        DataAccess,
        AccountSanction,
        Notification,
        Appeal,
        AppealDecision,
        RetentionPolicy,
        RetentionDeletion,
        RetentionReview,
        LegalHold,
        CaseStatus,
        Authorisation,
        KeyRegistration,
        KeyRevocation,
        ProducerReset,
        PolicyPublication,
        ProducerHeartbeat,
        ObligationPolicy,
        AccessJustification,
    )
}

/// A reference to another record (`{producer, seq, leaf_hash}`) on one line.
fn record_ref(entries: &[(String, Node)]) -> Option<String> {
    let get = |name: &str| {
        entries.iter().find_map(|(k, v)| match v {
            Node::Scalar(s) if k == name => Some(scalar(s)),
            _ => None,
        })
    };
    if entries.len() != 3 {
        return None;
    }
    Some(format!(
        "{} seq {} (leaf hash {})",
        get("producer")?,
        get("seq")?,
        get("leaf_hash")?
    ))
}

/// Render a body as indented `name: value` lines; lists as `- item`, an empty list as
/// `(none)`, a reference to another record on one line.
fn render_node(n: &Node, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match n {
        Node::Map(entries) => {
            for (k, v) in entries {
                match v {
                    Node::Map(m) => match record_ref(m) {
                        Some(r) => out.push_str(&format!("{pad}{k}: {r}\n")),
                        None if m.is_empty() => out.push_str(&format!("{pad}{k}: (empty)\n")),
                        None => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            render_node(v, depth + 1, out);
                        }
                    },
                    Node::List(a) if a.is_empty() => out.push_str(&format!("{pad}{k}: (none)\n")),
                    Node::List(_) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        render_node(v, depth + 1, out);
                    }
                    Node::Scalar(s) => out.push_str(&format!("{pad}{k}: {}\n", scalar(s))),
                }
            }
        }
        Node::List(items) => {
            for item in items {
                match item {
                    Node::Scalar(s) => out.push_str(&format!("{pad}- {}\n", scalar(s))),
                    Node::Map(m) if record_ref(m).is_some() => {
                        out.push_str(&format!("{pad}- {}\n", record_ref(m).unwrap_or_default()));
                    }
                    _ => {
                        out.push_str(&format!("{pad}-\n"));
                        render_node(item, depth + 1, out);
                    }
                }
            }
        }
        Node::Scalar(s) => out.push_str(&format!("{pad}{}\n", scalar(s))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logseal::record::json::build_from_json;
    use logseal::record::kinds::samples;

    #[test]
    fn every_kind_renders_in_its_declared_order_with_the_same_fields() {
        for (kind, json) in samples() {
            let b = build_from_json(kind, json, &mut || [0; 16]).unwrap();
            let body = &b.payload().body;
            let ordered = body_in_order(body).unwrap_or_else(|| panic!("{kind}: not ordered"));
            let Node::Map(entries) = &ordered else {
                panic!("{kind}: not an object")
            };
            let Value::Object(sorted) = body.to_json() else {
                panic!("{kind}: not an object")
            };
            let names: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
            let mut by_name = names.clone();
            by_name.sort_unstable();
            assert_eq!(
                by_name,
                sorted.keys().map(String::as_str).collect::<Vec<_>>(),
                "{kind}"
            );
            // Same content as the sorted form.
            assert_eq!(
                serde_json::to_value(node_json(&ordered)).unwrap(),
                body.to_json(),
                "{kind}"
            );
        }
    }

    fn node_json(n: &Node) -> Value {
        match n {
            Node::Scalar(s) => s.clone(),
            Node::List(items) => Value::Array(items.iter().map(node_json).collect()),
            Node::Map(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), node_json(v))).collect())
            }
        }
    }

    #[test]
    fn a_record_reference_is_one_line_and_other_objects_are_indented() {
        let v = json!({"sanction": {"producer": "trust-and-safety", "seq": 3, "leaf_hash": "ab"},
                       "actor": {"role": "x", "seq": 1, "other": 2}});
        let mut out = String::new();
        render_node(&Node::from(v), 0, &mut out);
        assert_eq!(
            out,
            "actor:\n  other: 2\n  role: x\n  seq: 1\nsanction: trust-and-safety seq 3 (leaf hash ab)\n"
        );
    }
}
