//! A retention sweep through the server, in two steps (docs/SERVE.md, "Retention sweeps"):
//! the executor's key stays with whoever runs the sweep, the log stays with the server.
//!
//! 1. `POST /sweep/plan` ([`SweepRequest`]): the server works out the sweep of that time as
//!    the local `retention apply` would, and answers the unsigned deletion records
//!    ([`SweepPlan`]: their bodies, and the executor's chain head they continue).
//! 2. `POST /sweep/commit` ([`SweepCommit`]): the same request and the records signed
//!    ([`sign_plan`]). The server admits them as any append (a key the authority registered
//!    for the executor and for retention-deletion records, the chain continued), works the
//!    sweep out again on the log as it is now, and carries it out only if the signed records
//!    are exactly the ones it would write ([`check_signed`]); otherwise `409`.
//!
//! Nothing here does I/O: the sweep itself is worked out by the binary over the log.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::crypto::SecretKey;
use crate::log::AppendItem;
use crate::record::Record;
use crate::record::json::build_from_json;
use crate::record::kinds::Kind;
use crate::record::sealed::SALT_LEN;
use crate::record::text::ProducerId;
use crate::record::types::{Hash32, Timestamp};
use crate::tree::TreeHashAlg;

/// The processing activity of a sweep's retention-deletion records.
pub const ACTIVITY: &str = "retention-sweep";

/// What a sweep is asked for: by whom, at what time, with what grace, under whose
/// retention policies (the `retention_policy_authority` of the executor's trust file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepRequest {
    /// The executor's producer id (its key's name).
    pub executor: String,
    /// The execution time, RFC 3339 (the records' `occurred_at` and `executed_at`).
    pub at: String,
    /// How long past its deadline a due disclosure becomes overdue, in milliseconds.
    pub grace_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_policy_authority: Option<String>,
}

/// Counts of the retention plan at the sweep's time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanCounts {
    pub due: usize,
    pub overdue: usize,
    pub held: usize,
    pub conflicts: usize,
}

/// One group generation a sweep destroys the key of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSummary {
    /// Hex of the key id destroyed.
    pub key_id: String,
    pub group: String,
    /// Records with disclosures erased.
    pub records: usize,
    /// Disclosures erased.
    pub erased: u64,
    /// Disclosures kept (re-sealed under a new key).
    pub kept: usize,
}

/// The answer to `POST /sweep/plan` (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepPlan {
    pub request: SweepRequest,
    /// The log's size the plan was worked out at.
    pub size: u64,
    /// The executor's next seq and (hex) the leaf hash of its last record: the first
    /// deletion record continues them, each next one the record before it.
    pub next_seq: u64,
    pub prev: String,
    pub counts: PlanCounts,
    pub groups: Vec<GroupSummary>,
    /// The body of each retention-deletion record, in order; empty: nothing to erase.
    pub bodies: Vec<Value>,
}

/// The body of `POST /sweep/commit` (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepCommit {
    /// The request the plan answered, unchanged.
    pub request: SweepRequest,
    /// Hex of each signed record (COSE_Sign1), in the plan's order.
    pub records: Vec<String>,
}

/// The answer to `POST /sweep/commit` once the erasure and its records are durable and a
/// checkpoint covering them is published (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepOutcome {
    pub counts: PlanCounts,
    pub groups: Vec<GroupSummary>,
    /// The leaves of the retention-deletion records.
    pub leaves: Vec<u64>,
    pub checkpoint_size: u64,
}

/// The JSON form (docs/FORMAT.md) of a sweep's retention-deletion record: `body` by
/// `producer` at `seq` after `prev`, dated `at`.
pub fn record_json(
    producer: &ProducerId,
    seq: u64,
    prev: Hash32,
    at: Timestamp,
    body: Value,
) -> Value {
    json!({
        "producer": producer.as_str(),
        "seq": seq,
        "prev": hex::encode(prev.0),
        "occurred_at": at.to_rfc3339(),
        "processing_activity": ACTIVITY,
        "status": "ok",
        "body": body,
    })
}

/// Why a plan cannot be signed or a commit does not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SweepMismatch(pub String);

fn parse_hash(s: &str, what: &str) -> Result<Hash32, SweepMismatch> {
    hex::decode(s)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(Hash32)
        .ok_or_else(|| SweepMismatch(format!("{what} {s:?} is not 32 bytes of hex")))
}

/// The time of a request.
pub fn request_time(r: &SweepRequest) -> Result<Timestamp, SweepMismatch> {
    Timestamp::parse_rfc3339(&r.at)
        .map(|(t, _)| t)
        .map_err(|e| SweepMismatch(format!("at {:?}: {e}", r.at)))
}

/// Sign a plan's records with the executor's key, each continuing the chain of the one
/// before (`origin`, `alg`: the log's).
pub fn sign_plan(
    plan: &SweepPlan,
    key: &SecretKey,
    origin: &str,
    alg: TreeHashAlg,
) -> Result<Vec<AppendItem>, SweepMismatch> {
    let producer = ProducerId::new(&plan.request.executor)
        .map_err(|e| SweepMismatch(format!("executor {:?}: {e}", plan.request.executor)))?;
    let at = request_time(&plan.request)?;
    let mut prev = parse_hash(&plan.prev, "prev")?;
    let mut out = Vec::new();
    for (i, body) in plan.bodies.iter().enumerate() {
        let v = record_json(&producer, plan.next_seq + i as u64, prev, at, body.clone());
        let builder = build_from_json(Kind::RetentionDeletion, v, &mut no_salt)
            .map_err(|e| SweepMismatch(format!("deletion record {i}: {e}")))?;
        let signed = builder
            .sign(key, origin)
            .map_err(|e| SweepMismatch(format!("signing deletion record {i}: {e}")))?;
        prev = Hash32(alg.leaf(&signed.bytes));
        out.push(AppendItem {
            record: signed.bytes,
            disclosures: Vec::new(),
        });
    }
    Ok(out)
}

/// Retention-deletion records seal nothing: no salt is ever asked for.
fn no_salt() -> [u8; SALT_LEN] {
    [0; SALT_LEN]
}

/// Whether `signed` are exactly the records of `bodies` by `executor` at `at`, continuing
/// the chain at `next_seq` after `prev`: same count, and each record's payload equal to the
/// one built from its body (the seq and prev of each continuing the one before). The
/// signatures are the admission's business.
pub fn check_signed(
    signed: &[Record],
    bodies: &[Value],
    executor: &ProducerId,
    at: Timestamp,
    (next_seq, prev): (u64, Hash32),
    alg: TreeHashAlg,
) -> Result<(), SweepMismatch> {
    if signed.len() != bodies.len() {
        return Err(SweepMismatch(format!(
            "{} deletion records signed, but the sweep now has {}",
            signed.len(),
            bodies.len()
        )));
    }
    let mut prev = prev;
    for (i, (r, body)) in signed.iter().zip(bodies).enumerate() {
        let v = record_json(executor, next_seq + i as u64, prev, at, body.clone());
        let expected = build_from_json(Kind::RetentionDeletion, v, &mut no_salt)
            .map_err(|e| SweepMismatch(format!("deletion record {i}: {e}")))?;
        if r.payload() != expected.payload() {
            return Err(SweepMismatch(format!(
                "deletion record {i} ({}#{}) is not the one the sweep now writes",
                r.payload().producer,
                r.payload().seq
            )));
        }
        prev = Hash32(alg.leaf(r.bytes()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(first: u64) -> Value {
        json!({
            "targets": [{"range": "leaf", "first": first, "last": first + 2, "fields": []}],
            "rule": "nl-ciot-latest-upload@1",
            "due_at": "2026-03-09T23:00:00.000Z",
            "executed_at": "2026-03-10T00:00:00.000Z",
            "method": "crypto-shred",
            "shredded_key_id": hex::encode([7u8; 32]),
            "executor": "retention-sweep",
            "holds_checked": true,
            "item_count": 6,
        })
    }

    fn plan() -> SweepPlan {
        SweepPlan {
            request: SweepRequest {
                executor: "retention-sweep".into(),
                at: "2026-03-10T00:00:00Z".into(),
                grace_ms: 0,
                retention_policy_authority: None,
            },
            size: 100,
            next_seq: 4,
            prev: hex::encode([9u8; 32]),
            counts: PlanCounts::default(),
            groups: Vec::new(),
            bodies: vec![body(10), body(20)],
        }
    }

    #[test]
    fn signed_plans_match_only_the_same_records() {
        let key = crate::scenario::secret_key("retention-sweep");
        let alg = TreeHashAlg::Sha256;
        let p = plan();
        let signed: Vec<Record> = sign_plan(&p, &key, "example.org/log", alg)
            .unwrap()
            .iter()
            .map(|i| Record::decode(&i.record).unwrap())
            .collect();
        assert_eq!(signed[0].payload().seq, 4);
        assert_eq!(signed[1].payload().prev.0, alg.leaf(signed[0].bytes()));
        let executor = ProducerId::new("retention-sweep").unwrap();
        let at = request_time(&p.request).unwrap();
        let head = (4, Hash32([9; 32]));
        check_signed(&signed, &p.bodies, &executor, at, head, alg).unwrap();
        // Another body, another count, another head, another time: refused.
        let mut other = p.bodies.clone();
        other[1] = body(21);
        assert!(check_signed(&signed, &other, &executor, at, head, alg).is_err());
        assert!(check_signed(&signed, &p.bodies[..1], &executor, at, head, alg).is_err());
        assert!(check_signed(&signed, &p.bodies, &executor, at, (5, head.1), alg).is_err());
        let later = Timestamp(at.0 + 1000);
        assert!(check_signed(&signed, &p.bodies, &executor, later, head, alg).is_err());
    }
}
