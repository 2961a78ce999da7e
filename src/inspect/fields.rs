//! The public fields of a record as flat `path = value` pairs, and the filters `logseal log`
//! and `logseal grep` apply to them.
//!
//! Owns nothing but pure functions over a decoded [`Record`]: no storage, no clock. Sealed
//! fields are never among them (a payload holds only their commitments); a path names a field
//! without array indices (`services_affected` matches any element), nested objects are joined
//! with dots (`actor.organisation`).

use serde_json::Value;

use crate::record::Record;
use crate::record::types::Timestamp;

/// One public field: its dotted path (no array indices) and its value as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub path: String,
    pub value: String,
}

/// Every public field of `record`: the envelope (`kind`, `producer`, `seq`, `occurred_at`,
/// `status`, `trace_id`, …) then the body's fields under `body.`, in a stable order.
pub fn public_fields(record: &Record) -> Vec<Field> {
    let p = record.payload();
    let mut out = vec![Field {
        path: "kind".into(),
        value: p.kind().name().into(),
    }];
    let envelope = serde_json::to_value(p.envelope_json()).unwrap_or(Value::Null);
    flatten("", &envelope, &mut out);
    flatten("body", &p.body.to_json(), &mut out);
    out
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<Field>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let path = match prefix.is_empty() {
                    true => k.clone(),
                    false => format!("{prefix}.{k}"),
                };
                flatten(&path, x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| flatten(prefix, x, out)),
        Value::Null => {}
        Value::String(s) => out.push(Field {
            path: prefix.into(),
            value: s.clone(),
        }),
        other => out.push(Field {
            path: prefix.into(),
            value: other.to_string(),
        }),
    }
}

/// Whether `path` is the field `name`: the same path, or a path ending in `.name`
/// (`organisation` names `body.actor.organisation`). A name starting with `=` names exactly
/// the path after it (`=producer` is the envelope's producer, not a key registration's).
pub fn path_is(path: &str, name: &str) -> bool {
    if let Some(exact) = name.strip_prefix('=') {
        return path == exact;
    }
    path == name
        || path
            .strip_suffix(name)
            .is_some_and(|head| head.ends_with('.'))
}

/// A named filter of `logseal log`: the fields it reads. Values compare without regard to
/// case (enumerations are upper case in some kinds, lower in others).
pub const NAMED: &[(&str, &[&str])] = &[
    ("kind", &["=kind"]),
    ("producer", &["=producer"]),
    ("status", &["=status"]),
    ("action", &["action"]),
    ("organisation", &["organisation"]),
    ("legal-basis", &["legal_basis", "legal_bases"]),
    ("authorisation-id", &["authorisation_id"]),
    (
        "ground",
        &[
            "decision_ground",
            "illegal_content_legal_ground",
            "incompatible_content_ground",
            "exception_ground",
        ],
    ),
    ("automation", &["automated_decision"]),
];

/// One condition: some field named by one of `names` has the value `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub names: Vec<String>,
    pub value: String,
}

/// All conditions must hold (an empty filter passes every record), and the record's time
/// must lie in `[since, until]` when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub conditions: Vec<Condition>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl Filter {
    /// Add the named filter `name` (one of [`NAMED`]) or, for any other name, the field path
    /// `name` itself (`--where PATH=VALUE`).
    pub fn add(&mut self, name: &str, value: &str) {
        let names = NAMED.iter().find(|(n, _)| *n == name).map_or_else(
            || vec![name.to_string()],
            |(_, f)| f.iter().map(|s| s.to_string()).collect(),
        );
        self.conditions.push(Condition {
            names,
            value: value.to_string(),
        });
    }

    /// Whether the filter has a time bound.
    pub fn has_time(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    /// Whether `record` passes.
    pub fn matches(&self, record: &Record) -> bool {
        let t = record.payload().occurred_at;
        if self.since.is_some_and(|s| t < s) || self.until.is_some_and(|u| t > u) {
            return false;
        }
        if self.conditions.is_empty() {
            return true;
        }
        let fields = public_fields(record);
        self.conditions.iter().all(|c| {
            fields.iter().any(|f| {
                c.names.iter().any(|n| path_is(&f.path, n))
                    && f.value.eq_ignore_ascii_case(&c.value)
            })
        })
    }
}

/// The fields of `record` whose value contains `pattern` (a plain substring, case-sensitive
/// unless `ignore_case`), restricted to the field `field` when given.
pub fn grep(record: &Record, pattern: &str, field: Option<&str>, ignore_case: bool) -> Vec<Field> {
    let needle = match ignore_case {
        true => pattern.to_lowercase(),
        false => pattern.to_string(),
    };
    public_fields(record)
        .into_iter()
        .filter(|f| field.is_none_or(|n| path_is(&f.path, n)))
        .filter(|f| match ignore_case {
            true => f.value.to_lowercase().contains(&needle),
            false => f.value.contains(&needle),
        })
        .collect()
}

/// A short public summary of a record for one line of `logseal log`: the body fields that
/// say what happened (those of its kind among these), and the status when not `ok`.
pub fn summary(record: &Record) -> String {
    const KEYS: &[&str] = &[
        "action",
        "legal_basis",
        "actor.organisation",
        "actor.authorisation_id",
        "decision_account",
        "decision_ground",
        "automated_decision",
        "outcome",
        "human_review",
        "delivery_status",
        "rule",
        "method",
        "item_count",
        "authorisation_id",
        "producer",
        "kinds",
        "set",
    ];
    let fields = public_fields(record);
    let mut parts: Vec<String> = Vec::new();
    for key in KEYS {
        let path = format!("body.{key}");
        let values: Vec<&str> = fields
            .iter()
            .filter(|f| f.path == path)
            .map(|f| f.value.as_str())
            .collect();
        if !values.is_empty() {
            parts.push(format!("{key}={}", values.join(",")));
        }
    }
    let status = record.payload().status.to_string();
    if status != "ok" {
        parts.push(format!("status={status}"));
    }
    parts.join(" ")
}
