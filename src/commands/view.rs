//! What `logseal record show` (and the demo) tell a person about one record: an inspection of
//! a decoded record against optional disclosures and an optional key, and its two renderings.
//!
//! Text is for people: every field by name, enumerations spelled out, nested structures
//! indented, each sealed field's state. JSON (`--json`) is one object with a stable shape:
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
//!                 "state": "sealed" | "disclosed" | "mismatch",
//!                 "value": <only when disclosed: string | hex string | number | array> } ],
//!   "stray_disclosures": [ { "path", "problem" } ],   // disclosures for no field of the record
//!   "signature": { "state": "verified" | "not-checked" | "failed",
//!                  "key"?: "<key name>", "origin"?: "<origin>", "error"?: "<why>" }
//! }
//! ```

use logseal::crypto::PublicKey;
use logseal::record::sealed::Disclosure;
use logseal::record::{FieldPath, Record, SealedValue};
use logseal::tree::TreeHashAlg;
use serde_json::{Value, json};

/// The state of one sealed field.
pub enum SealedState {
    Sealed,
    Disclosed(SealedValue),
    Mismatch,
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
                let what = specs.iter().find(|s| s.matches(path)).map_or("", |s| s.doc);
                let state = match disclosures.iter().find(|d| &d.path == path) {
                    None => SealedState::Sealed,
                    Some(d) if payload.check_disclosure(d).is_ok() => {
                        SealedState::Disclosed(d.value.clone())
                    }
                    Some(_) => SealedState::Mismatch,
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
            .filter(|f| matches!(f.state, SealedState::Mismatch))
            .map(|f| format!("disclosure for {} does not match its commitment", f.path))
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
        render_value(&p.body.to_json(), 1, &mut out);

        if self.sealed.is_empty() {
            out.push_str("\nsealed fields: none\n");
        } else {
            out.push_str("\nsealed fields\n");
            for f in &self.sealed {
                let state = match &f.state {
                    SealedState::Sealed => "sealed".to_string(),
                    SealedState::Disclosed(v) => format!("disclosed: {}", value_text(v)),
                    SealedState::Mismatch => "DISCLOSURE DOES NOT MATCH".to_string(),
                };
                out.push_str(&format!("  {}: {state}\n", f.path));
                if !f.what.is_empty() {
                    out.push_str(&format!("      ({})\n", f.what));
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

/// Render a JSON body as indented `name: value` lines; lists as `- item`.
fn render_value(v: &Value, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        render_value(v, depth + 1, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        render_value(v, depth + 1, out);
                    }
                    _ => out.push_str(&format!("{pad}{k}: {}\n", scalar(v))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(_) | Value::Array(_) => {
                        out.push_str(&format!("{pad}-\n"));
                        render_value(item, depth + 1, out);
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "(none)".into(),
        other => other.to_string(),
    }
}
