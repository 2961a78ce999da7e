//! Records from their JSON form: what a producer writes to `logseal record new` (and, later,
//! `logseal append` and the HTTP append endpoint).
//!
//! Owns: the JSON input shape of one record and its translation into a [`RecordBuilder`] with
//! every sealed field sealed. The input is one JSON object:
//!
//! ```json
//! {
//!   "producer": "query-frontend", "seq": 0, "prev": "<64 hex digits>",
//!   "occurred_at": "2026-03-01T10:30:00.250+01:00", "status": "ok",
//!   "processing_activity": "…", "trace_id": "<32 hex>", "operation_id": "<32 hex>",
//!   "parent_operation_id": "<32 hex>", "retention_rule": "id@version",
//!   "body": { …public fields… , …sealed fields at their paths… }
//! }
//! ```
//!
//! The kind is not part of the object (the caller knows it). `occurred_at` is RFC 3339 with an
//! offset; the instant is stored in UTC and the offset kept as `utc_offset_minutes`. `body`
//! holds the kind's public fields *and* its sealed fields at the paths the kind's
//! [`Kind::sealed_specs`] table names (e.g. data-access `body.actor.user`, `body.query`,
//! `body.recipients[0]`). Each sealed value is taken out of the body, checked against its
//! value class (identifier and free text: a JSON string that must already be NFC; bytes: a hex
//! string; a list of identifiers: an array of strings) and sealed with a fresh salt from the
//! caller; what is left is deserialised with [`Body::from_json`].
//!
//! Every error names the JSON path (`body.actor.user: …`, `body.shoe_size: unknown field …`,
//! `occurred_at: …`). Pure: the salts come from the caller; no I/O, no clock.

use serde_json::Value;

use super::RecordBuilder;
use super::kinds::{Body, Kind, Seg};
use super::payload::{EnvelopeJson, Payload, PayloadError};
use super::sealed::{SALT_LEN, SealedValue, ValueClass};
use super::types::Timestamp;

/// Why a JSON record was refused. `path` is a JSON path such as `body.recipients[0]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    #[error("the input must be one JSON object (a record), found {found}")]
    NotAnObject { found: &'static str },
    #[error("body: missing (the record's fields go in a \"body\" object)")]
    MissingBody,
    #[error("body: must be a JSON object, found {found}")]
    BodyNotAnObject { found: &'static str },
    #[error("{path}: {message}")]
    Envelope { path: String, message: String },
    #[error("occurred_at: {message}")]
    OccurredAt { message: String },
    #[error("{path}: {message} ({what})")]
    Sealed {
        path: String,
        message: String,
        /// What the field holds, from the kind's table.
        what: &'static str,
    },
    #[error("{path}: {message}")]
    Body { path: String, message: String },
    #[error("{0}")]
    Payload(PayloadError),
}

/// The JSON type of a value, for messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON path under `body`, as a person writes it: `body.actor.user`, `body.recipients[0]`.
#[derive(Clone)]
struct JsonPath {
    json: String,
    /// The sealed-field path (`recipients.0`).
    field: String,
}

impl JsonPath {
    fn name(&self, n: &str) -> JsonPath {
        JsonPath {
            json: format!("{}.{n}", self.json),
            field: if self.field.is_empty() {
                n.to_string()
            } else {
                format!("{}.{n}", self.field)
            },
        }
    }

    fn index(&self, i: usize) -> JsonPath {
        JsonPath {
            json: format!("{}[{i}]", self.json),
            field: format!("{}.{i}", self.field),
        }
    }
}

/// Remove every value at `pattern` below `node`, returning them with their paths in document
/// order. A pattern ending in an index takes the whole array (all its elements are sealed).
fn take_at(
    node: &mut Value,
    pattern: &[Seg],
    at: &JsonPath,
    out: &mut Vec<(JsonPath, Result<Value, String>)>,
) {
    match pattern {
        [] => {}
        [Seg::Name(n), Seg::AnyIndex] => {
            if let Value::Object(map) = node
                && let Some(v) = map.remove(*n)
            {
                let here = at.name(n);
                match v {
                    Value::Array(items) => {
                        for (i, item) in items.into_iter().enumerate() {
                            out.push((here.index(i), Ok(item)));
                        }
                    }
                    // Not an array: reported against the field itself.
                    other => out.push((
                        here,
                        Err(format!("expected an array, found {}", type_name(&other))),
                    )),
                }
            }
        }
        [Seg::Name(n)] => {
            if let Value::Object(map) = node
                && let Some(v) = map.remove(*n)
            {
                out.push((at.name(n), Ok(v)));
            }
        }
        [Seg::Name(n), rest @ ..] => {
            if let Value::Object(map) = node
                && let Some(child) = map.get_mut(*n)
            {
                take_at(child, rest, &at.name(n), out);
            }
        }
        [Seg::AnyIndex, rest @ ..] => {
            if let Value::Array(items) = node {
                for (i, item) in items.iter_mut().enumerate() {
                    take_at(item, rest, &at.index(i), out);
                }
            }
        }
    }
}

/// Turn a JSON value into a sealed value of `class`.
fn sealed_value(v: Value, class: ValueClass) -> Result<SealedValue, String> {
    let value = match (class, v) {
        (ValueClass::Identifier | ValueClass::FreeText, Value::String(s)) => SealedValue::Text(s),
        (ValueClass::Bytes, Value::String(s)) => SealedValue::Bytes(
            hex::decode(&s).map_err(|e| format!("expected bytes as a hex string: {e}"))?,
        ),
        (ValueClass::IdentifierList, Value::Array(items)) => SealedValue::List(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(SealedValue::Text(s)),
                    other => Err(format!(
                        "item {i}: expected a string, found {}",
                        type_name(&other)
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
        (class, other) => {
            let want = match class {
                ValueClass::Bytes => "bytes (a hex string)",
                ValueClass::IdentifierList => "a list of identifiers (an array of strings)",
                c => c.name(),
            };
            return Err(format!("expected {want}, found {}", type_name(&other)));
        }
    };
    value.check(class).map_err(|e| match e {
        super::SealError::BadValue { reason } => reason,
        other => other.to_string(),
    })?;
    Ok(value)
}

/// Turn [`Body::from_json`]'s message (`at <path>: <message>`) into a JSON path under `body`,
/// naming an unknown field in the path itself.
fn body_error(message: String) -> JsonError {
    let (path, msg) = match message
        .strip_prefix("at ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some(("the top level", m)) => ("body".to_string(), m.to_string()),
        Some((p, m)) if p.starts_with('[') => (format!("body{p}"), m.to_string()),
        Some((p, m)) => (format!("body.{p}"), m.to_string()),
        None => ("body".to_string(), message),
    };
    if let Some(rest) = msg.strip_prefix("unknown field `")
        && let Some((field, tail)) = rest.split_once('`')
    {
        // serde_path_to_error may already have put the field in the path.
        let suffix = format!(".{field}");
        return JsonError::Body {
            path: if path.ends_with(&suffix) {
                path
            } else {
                format!("{path}{suffix}")
            },
            message: format!("unknown field{tail}"),
        };
    }
    JsonError::Body { path, message: msg }
}

/// Build a record of `kind` from its JSON form (see the module docs), sealing every sealed
/// field with a salt from `salt_source` (16 bytes from a CSPRNG in production). The result
/// passed [`Payload::validate`] and is ready to sign.
pub fn build_from_json(
    kind: Kind,
    json: Value,
    salt_source: &mut dyn FnMut() -> [u8; SALT_LEN],
) -> Result<RecordBuilder, JsonError> {
    let Value::Object(mut top) = json else {
        return Err(JsonError::NotAnObject {
            found: type_name(&json),
        });
    };
    let mut body = top.remove("body").ok_or(JsonError::MissingBody)?;
    if !body.is_object() {
        return Err(JsonError::BodyNotAnObject {
            found: type_name(&body),
        });
    }
    let envelope: EnvelopeJson =
        serde_path_to_error::deserialize(Value::Object(top)).map_err(|e| {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            // serde reports an unknown field at its parent; name the field itself.
            if let Some(rest) = message.strip_prefix("unknown field `")
                && let Some((field, tail)) = rest.split_once('`')
            {
                return JsonError::Envelope {
                    path: field.to_string(),
                    message: format!("unknown field{tail} (and \"body\")"),
                };
            }
            JsonError::Envelope {
                path: if path == "." { "record".into() } else { path },
                message,
            }
        })?;
    let (occurred_at, offset) = Timestamp::parse_rfc3339(&envelope.occurred_at)
        .map_err(|message| JsonError::OccurredAt { message })?;

    // Take the sealed values out of the body, in table order and document order.
    let root = JsonPath {
        json: "body".into(),
        field: String::new(),
    };
    let mut sealed = Vec::new();
    for spec in kind.sealed_specs() {
        let mut found = Vec::new();
        take_at(&mut body, spec.path, &root, &mut found);
        for (path, value) in found {
            let v = value
                .and_then(|value| sealed_value(value, spec.class))
                .map_err(|message| JsonError::Sealed {
                    path: path.json.clone(),
                    message,
                    what: spec.doc,
                })?;
            sealed.push((path, v, spec.doc));
        }
    }

    let body = Body::from_json(kind, body).map_err(body_error)?;
    let payload = Payload {
        producer: envelope.producer,
        seq: envelope.seq,
        prev: envelope.prev,
        occurred_at,
        utc_offset_minutes: Some(offset),
        processing_activity: envelope.processing_activity,
        trace_id: envelope.trace_id,
        operation_id: envelope.operation_id,
        parent_operation_id: envelope.parent_operation_id,
        status: envelope.status,
        retention_rule: envelope.retention_rule,
        body,
        sealed: Vec::new(),
    };
    let mut builder = RecordBuilder::new(payload);
    for (path, value, what) in sealed {
        builder
            .seal(&path.field, value, salt_source())
            .map_err(|e| JsonError::Sealed {
                path: path.json,
                message: e.to_string(),
                what,
            })?;
    }
    builder.payload().validate().map_err(JsonError::Payload)?;
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "producer": "query-frontend",
            "seq": 0,
            "prev": "00".repeat(32),
            "occurred_at": "2026-03-01T10:30:00.250+01:00",
            "status": "ok",
            "retention_rule": "de-bdsg76-led-logs@1",
            "body": {
                "action": "consult",
                "legal_basis": "nl-sv-126n",
                "purpose": "criminal-investigation",
                "actor": {"role": "police-officer", "organisation": "politie", "user": "officer-17"},
                "data_categories": ["subscriber-name-address"],
                "result_count": 1,
                "query": "+31612345678",
                "recipients": ["OM Noord", "Rechtbank"]
            }
        })
    }

    fn salts() -> impl FnMut() -> [u8; SALT_LEN] {
        let mut n = 0u8;
        move || {
            n += 1;
            [n; SALT_LEN]
        }
    }

    fn build(v: Value) -> Result<RecordBuilder, JsonError> {
        build_from_json(Kind::DataAccess, v, &mut salts())
    }

    #[test]
    fn seals_every_sealed_path_and_keeps_the_offset() {
        let b = build(sample()).unwrap();
        let p = b.payload();
        let paths: Vec<String> = p.sealed.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(paths.len(), 4);
        for want in ["actor.user", "query", "recipients.0", "recipients.1"] {
            assert!(paths.contains(&want.to_string()), "{want} in {paths:?}");
        }
        assert_eq!(p.utc_offset_minutes, Some(60));
        assert_eq!(p.occurred_at.to_rfc3339(), "2026-03-01T09:30:00.250Z");
        let signed = b
            .sign(&crate::crypto::SecretKey::from_seed(&[1; 32]), "o")
            .unwrap();
        let r = crate::record::Record::decode(&signed.bytes).unwrap();
        for d in &signed.disclosures {
            r.payload().check_disclosure(d).unwrap();
        }
        // Table order, then document order: actor.user gets the first salt.
        assert_eq!(signed.disclosures[0].salt, [1; 16]);
        assert_eq!(signed.disclosures[0].path.to_string(), "actor.user");
    }

    fn err(v: Value) -> String {
        build(v).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_json_path() {
        let mut v = sample();
        v["body"]["shoe_size"] = json!(44);
        let e = err(v);
        assert!(e.starts_with("body.shoe_size: unknown field"), "{e}");

        let mut v = sample();
        v["body"]["actor"]["user"] = json!("Zoe\u{308}");
        let e = err(v);
        assert!(
            e.starts_with("body.actor.user: not in Unicode normalisation form C"),
            "{e}"
        );

        let mut v = sample();
        v["body"]["recipients"][1] = json!("a\u{202e}b");
        assert!(err(v).starts_with("body.recipients[1]: bidirectional"));

        let mut v = sample();
        v["body"]["action"] = json!("peek");
        let e = err(v);
        assert!(e.starts_with("body.action: unknown Action \"peek\""), "{e}");

        let mut v = sample();
        v["body"]["query"] = json!(42);
        assert!(err(v).starts_with("body.query: expected free text, found a number"));

        let mut v = sample();
        v["occurred_at"] = json!("2026-03-01T10:30:00");
        assert!(err(v).starts_with("occurred_at: "));

        let mut v = sample();
        v["colour"] = json!("red");
        assert!(err(v).starts_with("colour: unknown field"));

        let mut v = sample();
        v["seq"] = json!(-1);
        assert!(err(v).starts_with("seq: "));

        let mut v = sample();
        v["body"]["actor"].as_object_mut().unwrap().remove("user");
        assert_eq!(
            err(v),
            "sealed.actor.user: required for a data-access record, but missing \
             (rule envelope.sealed-path-required)"
        );

        let mut v = sample();
        v.as_object_mut().unwrap().remove("body");
        assert_eq!(build(v).unwrap_err(), JsonError::MissingBody);
        assert!(matches!(
            build(json!([1])).unwrap_err(),
            JsonError::NotAnObject { found: "an array" }
        ));
    }
}
