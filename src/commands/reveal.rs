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

/// The log a reveal appends its access record to: opened as its sequencer, or, while
/// `logseal serve` holds its lock, opened read-only and written through the server
/// (`private/serving`, [`super::served`]). Reads go to the log as opened ([`Deref`]).
pub(crate) struct AccessLog {
    log: Log,
    served: Option<logseal::client::Client>,
}

impl std::ops::Deref for AccessLog {
    type Target = Log;
    fn deref(&self) -> &Log {
        &self.log
    }
}

impl AccessLog {
    /// The private part to open the sealed-value index in: itself when this process holds the
    /// lock; while served, read through with the index's rebuilds kept in memory.
    pub(crate) fn index_store<'s>(
        &self,
        private: &'s dyn logseal::store::ObjectStore,
    ) -> Box<dyn logseal::store::ObjectStore + 's> {
        match self.served {
            None => Box::new(Borrowed(private)),
            Some(_) => Box::new(logseal::store::ReadOnlyOverlay::new(private)),
        }
    }
}

/// A borrowed store as a boxed one.
struct Borrowed<'s>(&'s dyn logseal::store::ObjectStore);

impl logseal::store::ObjectStore for Borrowed<'_> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(key)
    }
    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get_at_most(key, max)
    }
    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
        self.0.put(key, data)
    }
    fn sync(&self) -> Result<(), StoreError> {
        self.0.sync()
    }
    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError> {
        self.0.compare_and_swap(key, expected, data)
    }
    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key)
    }
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.0.list(prefix)
    }
    fn describe(&self, key: &str) -> String {
        self.0.describe(key)
    }
}

/// Open the log for a reveal: as its sequencer, or, when `logseal serve` holds its lock,
/// read-only with the access record to go through the server. Nothing is revealed when
/// neither is possible.
pub(crate) fn open_log(dir: &Path) -> anyhow::Result<AccessLog> {
    match Log::open(dir) {
        Ok(log) => Ok(AccessLog { log, served: None }),
        Err(LogError::Store(e @ StoreError::Locked { .. })) => {
            let log = Log::open_read_only(dir)
                .with_context(|| format!("cannot open the log {}", dir.display()))?;
            let client = super::served::connect(dir, &log).map_err(|why| {
                anyhow::anyhow!(
                    "{}: {e}. Revealing sealed values appends a data-access record first: \
                     through the log's server while `logseal serve` holds the lock, but \
                     {why:#}. Nothing was revealed.",
                    dir.display()
                )
            })?;
            Ok(AccessLog {
                log,
                served: Some(client),
            })
        }
        Err(e) => Err(e).with_context(|| format!("cannot open the log {}", dir.display())),
    }
}

/// Append and publish the inspection's data-access record, then call `reveal` with where it
/// was logged (leaf, producer, seq, checkpoint size); if the record cannot be appended,
/// `reveal` is not called and the error says nothing was revealed.
pub(crate) fn log_then_reveal<T>(
    log: &mut AccessLog,
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
    log: &mut AccessLog,
    key: &SigningKey,
    access: &Access<'_>,
) -> anyhow::Result<Value> {
    append_access(log, key, access, super::log::now_secs())
}

/// [`log_then_reveal`] with the access record and its checkpoint dated `now` (seconds since
/// the epoch; the demo's scenario clock).
pub(crate) fn log_then_reveal_at<T>(
    log: &mut AccessLog,
    key: &SigningKey,
    access: &Access<'_>,
    now: u64,
    reveal: impl FnOnce(&Value) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let logged = append_access(log, key, access, now)?;
    reveal(&logged)
}

fn append_access(
    log: &mut AccessLog,
    key: &SigningKey,
    a: &Access<'_>,
    now: u64,
) -> anyhow::Result<Value> {
    let refuse = |e: anyhow::Error| {
        Invalid(format!(
            "the inspection's data-access record could not be appended, so nothing is \
             revealed: {e:#}"
        ))
    };
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
    let mut signer = match &log.served {
        None => Signer::new(&log.log, key),
        Some(client) => {
            // The chain head as the server's sequencer holds it (the state on disk may lag).
            let h = client.head(&key.producer).map_err(|e| refuse(e.into()))?;
            let prev = hex::decode(&h.head)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| {
                    refuse(anyhow::anyhow!(
                        "{}: head {:?} is not 32 bytes of hex",
                        client.base(),
                        h.head
                    ))
                })?;
            Signer::at(key, h.next_seq, logseal::record::types::Hash32(prev))
        }
    };
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
    let seq = signer.next_seq();
    let item = signer
        .sign_kept(
            &log.log,
            Kind::DataAccess,
            "audit-log-inspection",
            Timestamp(now * 1000),
            body,
            a.retention_rule.as_deref(),
        )
        .map_err(refuse)?;
    if let Some(client) = &log.served {
        let receipt = client.add(&item).map_err(|e| refuse(e.into()))?;
        client.publish_checkpoint().map_err(|e| {
            Invalid(format!(
                "the inspection's data-access record is appended at leaf {}, but the server \
                 did not publish a checkpoint over it, so nothing is revealed: {e}",
                receipt.leaf_index
            ))
        })?;
        // Read what follows (the checkpoint, the records) as the log is now.
        log.log = Log::open_read_only(log.log.dir())
            .with_context(|| format!("cannot open the log {}", log.log.dir().display()))?;
        // Nothing the server said is taken on trust: the record must be in this directory's
        // own tree, under its published checkpoint signed by the log key (a process
        // answering at the address DIR/private/serving names, or a server of a copy of this
        // log, has not logged anything here).
        let size = logged_here(&log.log, &item, &receipt, seq).map_err(|e| {
            Invalid(format!(
                "the inspection's data-access record was sent to {} but is not proven in this \
                 log directory, so nothing is revealed: {e:#}",
                client.base()
            ))
        })?;
        // The values were read before the record was logged, without the log's lock: a
        // sweep the server ran in between may have erased some. Nothing is revealed then.
        for (leaf, field) in &a.revealed {
            let still = log
                .log
                .disclosures(*leaf)
                .is_ok_and(|ds| ds.iter().any(|d| d.path.to_string() == *field));
            if !still {
                return Err(Invalid(format!(
                    "the disclosure of {field} at leaf {leaf} is no longer held (erased while \
                     this inspection was being logged, at leaf {}): nothing is revealed",
                    receipt.leaf_index
                ))
                .into());
            }
        }
        return Ok(json!({
            "leaf": receipt.leaf_index,
            "producer": receipt.producer,
            "seq": receipt.seq,
            "checkpoint_size": size,
        }));
    }
    let log = &mut log.log;
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

/// That the record sent (`item`, the producer's seq `seq`) is the one `receipt` names, and
/// that this directory's published checkpoint, signed by the log key, includes it at the
/// receipt's leaf (an inclusion proof from the directory's own tiles). Returns that
/// checkpoint's size.
fn logged_here(
    log: &Log,
    item: &logseal::log::AppendItem,
    receipt: &logseal::serve::AddReceipt,
    seq: u64,
) -> anyhow::Result<u64> {
    let leaf_hash = logseal::record::types::Hash32(log.alg().leaf(&item.record));
    if receipt.leaf_hash != leaf_hash.to_string() || receipt.seq != seq {
        bail!(
            "the receipt (leaf hash {}, seq {}) is not for the record sent (leaf hash {leaf_hash}, \
             seq {seq})",
            receipt.leaf_hash,
            receipt.seq
        );
    }
    let producer = logseal::record::text::ProducerId::new(&receipt.producer)
        .map_err(|e| anyhow::anyhow!("the receipt's producer {:?}: {e}", receipt.producer))?;
    let r = logseal::log::Receipt {
        leaf_index: receipt.leaf_index,
        leaf_hash,
        producer,
        seq,
    };
    match logseal::producer::Producer::proof(log, &r)? {
        Some(p) => Ok(p.tree_size),
        None => bail!(
            "the log's published checkpoint does not include leaf {}",
            receipt.leaf_index
        ),
    }
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
