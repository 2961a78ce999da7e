//! The step every command that reveals sealed values shares (`subject`, `show --disclose`):
//! open the log as its sequencer, append and publish a signed `data-access` record by the
//! inspector's registered producer key naming each (leaf, field) about to be revealed, and
//! only then reveal. Nothing is revealed if that record cannot be appended.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use logseal::inspect::subject;
use logseal::log::{Log, LogError};
use logseal::record::Kind;
use logseal::record::sealed::SealedValue;
use logseal::record::types::Timestamp;
use logseal::store::StoreError;
use serde_json::{Value, json};

use super::sweep::{Signer, SigningKey};
use super::{Invalid, files};

/// Who inspects, why, and what the inspection is about to reveal.
pub(crate) struct Access<'a> {
    pub purpose: &'a str,
    pub legal_basis: &'a str,
    pub organisation: &'a str,
    /// The case reference (sealed in the record).
    pub case_ref: String,
    /// The value searched for (sealed), when the inspection is a search.
    pub query: Option<&'a str>,
    /// Records found, when the inspection is a search or a lookup.
    pub result_count: Option<usize>,
    /// Each (leaf, sealed field path) whose disclosure is about to be revealed.
    pub revealed: Vec<(u64, String)>,
    /// Each (first leaf, last leaf, sealed field path): the field of every record in the
    /// range that has it is about to be revealed (statistics over sealed fields).
    pub revealed_ranges: Vec<(u64, u64, String)>,
    /// The retention rule the access record declares ([`rule_for`]).
    pub retention_rule: Option<String>,
}

/// The data categories of an inspection's access record.
pub(crate) const CATEGORIES: &[&str] = &["audit-log-sealed-fields"];

/// The one retention rule in force covering an inspection's access record, if exactly one.
pub(crate) fn rule_for(ins: &logseal::inspect::Inspector<'_>) -> Option<String> {
    let categories: Vec<String> = CATEGORIES.iter().map(|c| c.to_string()).collect();
    logseal::inspect::retention_rule::covering_rule(ins, Kind::DataAccess, &categories)
}

/// The case reference from a file or standard input (`-`), one trailing line feed removed.
pub(crate) fn read_case_ref(path: &Path) -> anyhow::Result<String> {
    let bytes = if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read the case reference from standard input")?;
        b
    } else {
        files::read(path)?
    };
    let place = format!("--case-ref-file {}", path.display());
    subject::value_from_file(&place, &bytes).map_err(|e| Invalid(e.to_string()).into())
}

/// Open the log as its sequencer: a reveal must append its access record.
pub(crate) fn open_log(dir: &Path) -> anyhow::Result<Log> {
    match Log::open(dir) {
        Ok(l) => Ok(l),
        Err(LogError::Store(e @ StoreError::Locked { .. })) => bail!(
            "{}: {e}. Revealing sealed values appends a data-access record first, and the \
             log's file lock is the only way to append until the log is served over HTTP \
             (then through the server's append endpoint); run this when no other writer holds \
             the lock. Nothing was revealed.",
            dir.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot open the log {}", dir.display())),
    }
}

/// Append and publish the inspection's data-access record, then call `reveal` with where it
/// was logged (leaf, producer, seq, checkpoint size); if the record cannot be appended,
/// `reveal` is not called and the error says nothing was revealed.
pub(crate) fn log_then_reveal<T>(
    log: &mut Log,
    key: &SigningKey,
    access: &Access<'_>,
    reveal: impl FnOnce(&Value) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    log_then_reveal_at(log, key, access, super::log::now_secs(), reveal)
}

/// Append and publish the inspection's data-access record (dated now) and return where it was
/// logged, for a reveal that needs the log itself afterwards (reading its disclosures): the
/// caller reveals only after this returned `Ok`.
pub(crate) fn log_access(
    log: &mut Log,
    key: &SigningKey,
    access: &Access<'_>,
) -> anyhow::Result<Value> {
    append_access(log, key, access, super::log::now_secs())
}

/// [`log_then_reveal`] with the access record and its checkpoint dated `now` (seconds since
/// the epoch; the demo's scenario clock).
pub(crate) fn log_then_reveal_at<T>(
    log: &mut Log,
    key: &SigningKey,
    access: &Access<'_>,
    now: u64,
    reveal: impl FnOnce(&Value) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let logged = append_access(log, key, access, now)?;
    reveal(&logged)
}

fn append_access(
    log: &mut Log,
    key: &SigningKey,
    a: &Access<'_>,
    now: u64,
) -> anyhow::Result<Value> {
    let mut body = json!({
        "action": "consult",
        "legal_basis": a.legal_basis,
        "purpose": a.purpose,
        "actor": {"role": "log-inspector", "organisation": a.organisation,
                  "break_glass": false},
        "data_categories": CATEGORIES,
        "case_ref": a.case_ref,
    });
    if let Some(n) = a.result_count {
        body["result_count"] = json!(n);
    }
    if let Some(q) = a.query {
        body["query"] = json!(q);
    }
    let mut signer = Signer::new(log, key);
    body["actor"]["user"] = json!(signer.producer.as_str());
    if !a.revealed.is_empty() {
        body["revealed"] = a
            .revealed
            .iter()
            .map(|(leaf, field)| json!({"leaf": leaf, "field": field}))
            .collect();
    }
    if !a.revealed_ranges.is_empty() {
        body["revealed_ranges"] = a
            .revealed_ranges
            .iter()
            .map(|(first, last, field)| json!({"first": first, "last": last, "field": field}))
            .collect();
    }
    let refuse = |e: anyhow::Error| {
        Invalid(format!(
            "the inspection's data-access record could not be appended, so nothing is \
             revealed: {e:#}"
        ))
    };
    let item = signer
        .sign_kept(
            log,
            Kind::DataAccess,
            "audit-log-inspection",
            Timestamp(now * 1000),
            body,
            a.retention_rule.as_deref(),
        )
        .map_err(refuse)?;
    let receipt = log
        .append(&[item])
        .map_err(|e| refuse(anyhow::Error::new(e)))?
        .pop()
        .context("one receipt")?;
    log.checkpoint(now)
        .context("the access record is appended but the checkpoint could not be published")?;
    Ok(json!({
        "leaf": receipt.leaf_index,
        "producer": receipt.producer.as_str(),
        "seq": receipt.seq,
        "checkpoint_size": log.size(),
    }))
}

/// "this inspection is logged: leaf N (producer#seq, data-access), checkpoint size M".
pub(crate) fn logged_line(logged: &Value) -> String {
    format!(
        "this inspection is logged: leaf {} ({}#{}, data-access), checkpoint size {}",
        logged["leaf"],
        logged["producer"].as_str().unwrap_or(""),
        logged["seq"],
        logged["checkpoint_size"],
    )
}

/// A revealed value as JSON: text, bytes in hex, a number, a list.
pub(crate) fn value_json(v: &SealedValue) -> Value {
    match v {
        SealedValue::Text(s) => json!(s),
        SealedValue::Bytes(b) => json!(hex::encode(b)),
        SealedValue::Uint(u) => json!(u),
        SealedValue::List(items) => Value::Array(items.iter().map(value_json).collect()),
    }
}
