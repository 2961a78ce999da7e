//! `logseal retention apply | erase | hold | release`: the operator's retention actions, each
//! a thin layer over the library — the retention core decides what is due or held
//! ([`logseal::retention`]), the log erases and records atomically ([`Log::erase`]), and
//! holds are ordinary signed records appended to the log.
//!
//! Owns: turning a plan or a request into signed retention-deletion and legal-hold records
//! (targets as leaf ranges, one deletion record per destroyed key, rule and deadline) and
//! the summaries printed. The signing key's name is the producer id the records are
//! written under; the registration authority must have registered it for those kinds.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context as _, bail};
use logseal::cli::{
    RetentionApplyArgs, RetentionEraseArgs, RetentionHoldArgs, RetentionReleaseArgs,
};
use logseal::log::{AppendItem, EraseRequest, ErasurePlan, Log, LogError, Receipt};
use logseal::note::{Ed25519NoteKey, NoteVerifier as _};
use logseal::record::Record;
use logseal::record::json::build_from_json;
use logseal::record::kinds::retention_deletion::{ExceptionGround, MAX_TARGETS};
use logseal::record::kinds::{Body, Kind};
use logseal::record::sealed::{FieldPath, SALT_LEN};
use logseal::record::text::ProducerId;
use logseal::record::types::{Hash32, RecordRef, Timestamp};
use logseal::retention::walk::{SealedRecord, Walk, walk_log};
use logseal::retention::{Bound, Plan, Schedule};
use logseal::serve::HttpError;
use logseal::serve::sweep::{
    self, GroupSummary, PlanCounts, SweepCommit, SweepOutcome, SweepPlan, SweepRequest,
};
use logseal::store::StoreError;
use logseal::verify::Trust;
use rand_core::RngCore as _;
use serde_json::{Value, json};

use super::log::now_secs;
use super::record::read_signer;
use super::{Invalid, files};

fn parse_at(at: &Option<String>) -> anyhow::Result<Timestamp> {
    match at {
        Some(s) => Ok(Timestamp::parse_rfc3339(s)
            .map_err(|e| anyhow::anyhow!("--at {s:?}: {e}"))?
            .0),
        None => Ok(Timestamp(now_secs().saturating_mul(1000))),
    }
}

fn log_err(e: LogError) -> anyhow::Error {
    match e {
        LogError::Refused { .. } | LogError::Erase(_) => Invalid(e.to_string()).into(),
        e => anyhow::Error::new(e),
    }
}

/// A signing key and the producer id it writes under (its name), loaded before a command
/// opens the log or decides anything: a missing or unreadable key file is always an error
/// (exit 2), whether or not there turns out to be anything to sign.
pub struct SigningKey {
    key: Ed25519NoteKey,
    pub(super) producer: ProducerId,
}

impl SigningKey {
    pub fn load(path: &Path) -> anyhow::Result<SigningKey> {
        let key = read_signer(path)?;
        let name = key.verifier().name().to_string();
        let producer = ProducerId::new(&name).map_err(|e| {
            Invalid(format!(
                "{}: the key's name {name:?} must be the producer id the records are written \
                 under: {e}",
                path.display()
            ))
        })?;
        Ok(SigningKey { key, producer })
    }
}

/// Signs records of one producer, continuing its chain in the log.
pub(super) struct Signer {
    key: Ed25519NoteKey,
    pub(super) producer: ProducerId,
    seq: u64,
    prev: Hash32,
}

impl Signer {
    /// The seq the next record signed gets.
    pub(super) fn next_seq(&self) -> u64 {
        self.seq
    }

    pub(super) fn new(log: &Log, key: &SigningKey) -> Signer {
        let (seq, prev) = log
            .state()
            .producer(&key.producer)
            .map_or((0, Hash32([0; 32])), |h| (h.next_seq, h.head));
        Signer {
            key: key.key.clone(),
            producer: key.producer.clone(),
            seq,
            prev,
        }
    }

    /// A signer continuing the chain whose next record is `seq` after `prev` (a head read
    /// from the log's server).
    pub(super) fn at(key: &SigningKey, seq: u64, prev: Hash32) -> Signer {
        Signer {
            key: key.key.clone(),
            producer: key.producer.clone(),
            seq,
            prev,
        }
    }

    /// Sign one record of `kind` with `body` at `at`.
    pub(super) fn sign(
        &mut self,
        log: &Log,
        kind: Kind,
        activity: &str,
        at: Timestamp,
        body: Value,
    ) -> anyhow::Result<AppendItem> {
        self.sign_kept(log, kind, activity, at, body, None)
    }

    /// [`Signer::sign`], the record declaring the retention rule `rule` (`id@version`).
    pub(super) fn sign_kept(
        &mut self,
        log: &Log,
        kind: Kind,
        activity: &str,
        at: Timestamp,
        body: Value,
        rule: Option<&str>,
    ) -> anyhow::Result<AppendItem> {
        let mut v = json!({
            "producer": self.producer.as_str(),
            "seq": self.seq,
            "prev": hex::encode(self.prev.0),
            "occurred_at": at.to_rfc3339(),
            "processing_activity": activity,
            "status": "ok",
            "body": body,
        });
        if let Some(r) = rule {
            v["retention_rule"] = json!(r);
        }
        let mut salts = || {
            let mut s = [0u8; SALT_LEN];
            rand_core::OsRng.fill_bytes(&mut s);
            s
        };
        let builder = build_from_json(kind, v, &mut salts)
            .map_err(|e| anyhow::anyhow!("building a {} record: {e}", kind.name()))?;
        let signed = builder
            .sign(self.key.secret_key(), log.origin())
            .map_err(|e| anyhow::anyhow!("signing a {} record: {e}", kind.name()))?;
        self.seq += 1;
        self.prev = Hash32(log.alg().leaf(&signed.bytes));
        Ok(AppendItem {
            record: signed.bytes,
            disclosures: signed.disclosures,
        })
    }
}

/// Why a leaf is erased: the rule named, its deadline, and an exception ground if any.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Why {
    rule: String,
    due_at: Timestamp,
    ground: Option<ExceptionGround>,
}

/// Leaves → contiguous inclusive ranges.
fn ranges(leaves: &[u64]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &l in leaves {
        match out.last_mut() {
            Some((_, last)) if *last + 1 == l => *last = l,
            _ => out.push((l, l)),
        }
    }
    out
}

/// The bodies of the retention-deletion records of `plan`: per destroyed key, rule and
/// ground, the erased leaves as ranges (at most [`MAX_TARGETS`] per record), `due_at` the
/// latest deadline among them. A leaf whose every readable field is erased is named with no
/// field patterns (every field), else with its fields.
fn deletion_bodies(
    walk: &Walk,
    executor: &ProducerId,
    plan: &ErasurePlan,
    why: &HashMap<u64, Why>,
    at: Timestamp,
) -> anyhow::Result<Vec<Value>> {
    /// A target and how many disclosures it erases.
    struct Item {
        target: Value,
        count: u64,
    }
    let mut out = Vec::new();
    for g in &plan.groups {
        // Leaves (in order) by reason and field list (empty = every field); per reason the
        // latest deadline.
        type Reason = (String, Option<ExceptionGround>);
        let mut by: BTreeMap<(Reason, Vec<String>), Vec<u64>> = BTreeMap::new();
        let mut due: BTreeMap<Reason, Timestamp> = BTreeMap::new();
        for (leaf, fields) in &g.erased {
            let w = why
                .get(leaf)
                .with_context(|| format!("leaf {leaf}: erased without a reason"))?;
            // "Every field" only when every field the record seals is erased now: a field
            // with no stored disclosure (never given, or lost) must not be claimed erased.
            let sealed = &w_sealed(walk, *leaf)?.sealed;
            let all = sealed.iter().all(|f| fields.contains(f));
            let names: Vec<String> = if all {
                Vec::new()
            } else {
                fields.iter().map(FieldPath::to_string).collect()
            };
            let reason = (w.rule.clone(), w.ground);
            let d = due.entry(reason.clone()).or_insert(w.due_at);
            *d = (*d).max(w.due_at);
            by.entry((reason, names)).or_default().push(*leaf);
        }
        let mut grouped: BTreeMap<Reason, Vec<Item>> = BTreeMap::new();
        for ((reason, names), leaves) in by {
            for (first, last) in ranges(&leaves) {
                // `leaves` is sorted (erased is a BTreeMap): the range's leaves are all in it.
                let count = g
                    .erased
                    .range(first..=last)
                    .map(|(_, f)| f.len() as u64)
                    .sum();
                grouped.entry(reason.clone()).or_default().push(Item {
                    target: json!({
                        "range": "leaf", "first": first, "last": last, "fields": names,
                    }),
                    count,
                });
            }
        }
        for ((rule, ground), items) in grouped {
            let due_at = due[&(rule.clone(), ground)];
            for chunk in items.chunks(MAX_TARGETS) {
                let mut body = json!({
                    "targets": chunk.iter().map(|i| i.target.clone()).collect::<Vec<_>>(),
                    "rule": rule,
                    "due_at": due_at.to_rfc3339(),
                    "executed_at": at.to_rfc3339(),
                    "method": "crypto-shred",
                    "shredded_key_id": g.key_id.to_string(),
                    "executor": executor.as_str(),
                    "holds_checked": true,
                    "item_count": chunk.iter().map(|i| i.count).sum::<u64>(),
                });
                if let Some(ground) = ground {
                    body["exception_ground"] = Value::from(ground.as_str());
                }
                out.push(body);
            }
        }
    }
    Ok(out)
}

/// The walk's record with sealed fields at `leaf`.
fn w_sealed(walk: &Walk, leaf: u64) -> anyhow::Result<&SealedRecord> {
    walk.sealed_at(leaf)
        .with_context(|| format!("leaf {leaf}: erased, but it has no record with sealed fields"))
}

fn erased_summary(plan: &ErasurePlan, receipts: &[Receipt]) -> String {
    let leaves: Vec<u64> = receipts.iter().map(|r| r.leaf_index).collect();
    erased_text(&group_summaries(plan), &leaves)
}

/// Each group generation of `plan` in a summary.
fn group_summaries(plan: &ErasurePlan) -> Vec<GroupSummary> {
    plan.groups
        .iter()
        .map(|g| GroupSummary {
            key_id: g.key_id.to_string(),
            group: g.group.clone(),
            records: g.erased.len(),
            erased: g.erased_count(),
            kept: g.kept,
        })
        .collect()
}

/// What an erasure did: its groups, and the leaves of its retention-deletion records.
fn erased_text(groups: &[GroupSummary], leaves: &[u64]) -> String {
    let records: usize = groups.iter().map(|g| g.records).sum();
    let items: u64 = groups.iter().map(|g| g.erased).sum();
    let kept: usize = groups.iter().map(|g| g.kept).sum();
    let at = match (leaves.first(), leaves.last()) {
        (Some(a), Some(b)) if a == b => format!("leaf {a}"),
        (Some(a), Some(b)) => format!("leaves {a}..={b}"),
        _ => "no leaf".into(),
    };
    let mut s = format!(
        "erased {items} disclosures of {records} records: destroyed {} keys, re-sealed {kept} \
         disclosures kept under new keys; {} retention-deletion records at {at}\n",
        groups.len(),
        leaves.len(),
    );
    for g in groups {
        s.push_str(&format!(
            "  key {} ({}): {} records erased, {} disclosures kept\n",
            g.key_id, g.group, g.records, g.kept
        ));
    }
    s
}

/// The retention policy authority of the trust file `trust`, if one is given.
fn authority_of(trust: Option<&Path>) -> anyhow::Result<Option<ProducerId>> {
    Ok(match trust {
        None => None,
        Some(path) => {
            let bytes = files::read(path)?;
            Trust::from_json(&bytes)
                .map_err(|e| Invalid(format!("{}: {e}", path.display())))?
                .retention_policy_authority
        }
    })
}

/// The retention walk over the whole log, its policies signed by `authority` when given.
fn walk(log: &Log, authority: Option<ProducerId>) -> anyhow::Result<Walk> {
    walk_log(log.public_store(), log.alg(), log.size(), log, authority).map_err(|e| {
        if e.is_invalid_record() {
            Invalid(format!("{}: {e}", log.dir().display())).into()
        } else {
            anyhow::anyhow!("{}: {e}", log.dir().display())
        }
    })
}

/// How far ahead of this machine's clock `--at` may lie (clock skew).
const AT_SKEW_MS: u64 = 5 * 60 * 1000;

/// Refuse an execution time in the future of this machine's clock: an erasure is dated when
/// it is carried out.
fn not_future(at: Timestamp) -> anyhow::Result<()> {
    let now = now_secs().saturating_mul(1000);
    if at.0 > now.saturating_add(AT_SKEW_MS) {
        bail!(Invalid(format!(
            "--at {}: in the future (this machine's clock says {}); an erasure is dated when it \
             is carried out",
            at.to_rfc3339(),
            Timestamp(now).to_rfc3339()
        )));
    }
    Ok(())
}

/// Refuse an execution time earlier than a retention action the log already holds (a
/// deletion executed, a hold set or released): the dates of retention actions never run
/// backwards past what the log shows.
/// Actions dated more than the skew after this machine's clock are left out: they are
/// forward-dated (check 7 reports them), and must not block every later sweep.
fn not_before_log(w: &Walk, at: Timestamp) -> anyhow::Result<()> {
    let horizon = Timestamp(now_secs().saturating_mul(1000).saturating_add(AT_SKEW_MS));
    let deletions = w
        .deletions()
        .iter()
        .map(|d| (d.body.executed_at, d.leaf, "a retention-deletion executed"));
    let holds = w.holds().all().iter().flat_map(|h| {
        let mut v = vec![(h.set_at, h.set_leaf, "a legal hold set")];
        if let (Some(t), Some(l)) = (h.released_at, h.released_leaf) {
            v.push((t, l, "a legal hold released"));
        }
        for ((_, t), l) in h.scope.iter().zip(&h.scope_released_leaf) {
            if let (Some(t), Some(l)) = (t, l) {
                v.push((*t, *l, "a legal hold released"));
            }
        }
        v
    });
    if let Some((t, leaf, what)) = deletions
        .chain(holds)
        .filter(|(t, _, _)| *t <= horizon)
        .max_by_key(|(t, l, _)| (*t, *l))
        && t > at
    {
        bail!(Invalid(format!(
            "--at {}: earlier than {what} at leaf {leaf} ({}); a retention action cannot be \
             dated before one the log already holds",
            at.to_rfc3339(),
            t.to_rfc3339()
        )));
    }
    Ok(())
}

/// Sign and publish a checkpoint of the log after an erasure, so that a verifier sees the
/// retention-deletion records together with the erasure they account for.
fn publish(log: &mut Log) -> anyhow::Result<String> {
    log.checkpoint(now_secs()).map_err(|e| {
        anyhow::anyhow!(
            "the erasure is committed (the log has {} records), but signing a checkpoint over \
             it failed: {e}; run `logseal checkpoint {}` (until then a verifier sees the \
             erasure without its records)",
            log.size(),
            log.dir().display()
        )
    })?;
    Ok(format!("signed checkpoint of size {}\n", log.size()))
}

/// A sweep worked out on the log as it is, not yet signed or carried out.
pub(crate) struct Prepared {
    pub plan: Plan,
    /// What the sweep erases; `None`: nothing.
    pub erasure: Option<ErasurePlan>,
    /// The bodies of its retention-deletion records, in order.
    pub bodies: Vec<Value>,
}

/// Work out the sweep at `at` by `executor`: every disclosure due or overdue then, except
/// the leaves in `skip`, and the retention-deletion records that will say so. Writes
/// nothing.
pub(crate) fn prepare(
    log: &Log,
    executor: &ProducerId,
    at: Timestamp,
    grace: std::time::Duration,
    authority: Option<ProducerId>,
    skip: &[u64],
) -> anyhow::Result<Prepared> {
    let w = walk(log, authority)?;
    not_before_log(&w, at)?;
    let plan = w
        .plan(at, grace)
        .map_err(|e| Invalid(format!("{}: {e}", log.dir().display())))?;
    let mut why = HashMap::new();
    let mut requests = Vec::new();
    for item in plan.due.iter().chain(&plan.overdue) {
        if skip.contains(&item.leaf) {
            continue;
        }
        why.insert(
            item.leaf,
            Why {
                rule: item.rule.to_string(),
                due_at: item.deadline,
                ground: None,
            },
        );
        requests.push(EraseRequest {
            leaf: item.leaf,
            fields: item.fields.clone(),
        });
    }
    if requests.is_empty() {
        return Ok(Prepared {
            plan,
            erasure: None,
            bodies: Vec::new(),
        });
    }
    let erasure = log.plan_erasure(&requests).map_err(log_err)?;
    let bodies = deletion_bodies(&w, executor, &erasure, &why, at)?;
    Ok(Prepared {
        plan,
        erasure: Some(erasure),
        bodies,
    })
}

/// Sign retention-deletion records of `bodies` at `at`, continuing the executor's chain.
fn sign_all(
    log: &Log,
    executor: &SigningKey,
    at: Timestamp,
    bodies: Vec<Value>,
) -> anyhow::Result<Vec<AppendItem>> {
    let mut signer = Signer::new(log, executor);
    bodies
        .into_iter()
        .map(|b| signer.sign(log, Kind::RetentionDeletion, sweep::ACTIVITY, at, b))
        .collect()
}

/// The counts of a retention plan.
fn counts(plan: &Plan) -> PlanCounts {
    PlanCounts {
        due: plan.due.len(),
        overdue: plan.overdue.len(),
        held: plan.held.len(),
        conflicts: plan.conflicts.len(),
    }
}

/// What a sweep did.
pub struct Swept {
    pub plan: Plan,
    pub erasure: Option<ErasurePlan>,
    pub receipts: Vec<Receipt>,
}

/// Erase every disclosure due or overdue at `at` and append the records, except the
/// leaves in `skip` (the demo uses it to show a sweep that misses a file; the command
/// never skips).
pub fn sweep(
    log: &mut Log,
    executor_key: &SigningKey,
    at: Timestamp,
    grace: std::time::Duration,
    trust: Option<&Path>,
    skip: &[u64],
) -> anyhow::Result<Swept> {
    let p = prepare(
        log,
        &executor_key.producer,
        at,
        grace,
        authority_of(trust)?,
        skip,
    )?;
    let Some(erasure) = p.erasure else {
        return Ok(Swept {
            plan: p.plan,
            erasure: None,
            receipts: Vec::new(),
        });
    };
    let records = sign_all(log, executor_key, at, p.bodies)?;
    let receipts = log.erase(&erasure, &records).map_err(log_err)?;
    Ok(Swept {
        plan: p.plan,
        erasure: Some(erasure),
        receipts,
    })
}

/// The first line of `retention apply`'s summary.
fn sweep_header(dir: &Path, at: Timestamp, c: &PlanCounts) -> String {
    format!(
        "retention sweep of {} at {}: {} due, {} overdue, {} held, {} conflicts (never resolved by a sweep)\n",
        dir.display(),
        at.to_rfc3339(),
        c.due,
        c.overdue,
        c.held,
        c.conflicts,
    )
}

pub fn apply(args: RetentionApplyArgs) -> anyhow::Result<()> {
    let executor = SigningKey::load(&args.executor_key)?;
    let at = parse_at(&args.at)?;
    let mut log = match Log::open(&args.dir) {
        Ok(log) => log,
        Err(LogError::Store(e @ StoreError::Locked { .. })) => {
            return apply_served(&args, &executor, at, e);
        }
        Err(e) => return Err(log_err(e)),
    };
    not_future(at)?;
    let s = sweep(
        &mut log,
        &executor,
        at,
        args.grace,
        args.trust.as_deref(),
        &[],
    )?;
    let mut out = sweep_header(&args.dir, at, &counts(&s.plan));
    match &s.erasure {
        None => out.push_str("nothing to erase\n"),
        Some(e) => {
            out.push_str(&erased_summary(e, &s.receipts));
            out.push_str(&publish(&mut log)?);
        }
    }
    files::print(&out)
}

/// `retention apply` while `logseal serve` holds the log's lock (`locked`): the sweep is
/// planned by the server, its records signed here with the executor's key, and carried out
/// by the server if it is still exactly the sweep of `at` (docs/SERVE.md). Prints what the
/// local sweep prints.
fn apply_served(
    args: &RetentionApplyArgs,
    executor: &SigningKey,
    at: Timestamp,
    locked: StoreError,
) -> anyhow::Result<()> {
    let dir = &args.dir;
    let log = Log::open_read_only(dir).map_err(log_err)?;
    let client = super::served::connect(dir, &log).map_err(|why| {
        anyhow::anyhow!(
            "{}: {locked}. While `logseal serve` holds the lock a sweep goes through it, but \
             {why:#}. Nothing was erased.",
            dir.display()
        )
    })?;
    not_future(at)?;
    let request = SweepRequest {
        executor: executor.producer.as_str().to_string(),
        at: at.to_rfc3339(),
        grace_ms: u64::try_from(args.grace.as_millis()).unwrap_or(u64::MAX),
        retention_policy_authority: authority_of(args.trust.as_deref())?
            .map(|p| p.as_str().to_string()),
    };
    let served_err = |step: &str, e: logseal::client::ClientError| -> anyhow::Error {
        let msg = format!("the sweep's {step} through the server failed: {e}");
        match e.status() {
            Some(400 | 403 | 409) => Invalid(msg).into(),
            _ => anyhow::anyhow!(msg),
        }
    };
    // The plan is signed only if it is the sweep this directory's own log gives: the same
    // size, the same records' bodies, the executor's chain where the log has it. A process
    // answering at the server's address cannot have the executor's key sign anything else.
    let mut tries = 0;
    let (plan, log) = loop {
        let plan = client
            .sweep_plan(&request)
            .map_err(|e| served_err("plan", e))?;
        let log = Log::open_read_only(dir).map_err(log_err)?;
        if plan.size == log.size() {
            break (plan, log);
        }
        tries += 1;
        if tries == 3 {
            bail!(
                "{}: the server planned the sweep at size {} but the log directory is at {}: \
                 it keeps growing under the sweep; run it again. Nothing was erased.",
                dir.display(),
                plan.size,
                log.size()
            );
        }
    };
    let authority = authority_of(args.trust.as_deref())?;
    let local = prepare(&log, &executor.producer, at, args.grace, authority, &[])?;
    let (next_seq, head) = log
        .state()
        .producer(&executor.producer)
        .map_or((0, [0; 32]), |h| (h.next_seq, h.head.0));
    if local.bodies != plan.bodies || plan.next_seq != next_seq || plan.prev != hex::encode(head) {
        bail!(Invalid(format!(
            "{}: the sweep planned by {} is not the sweep of this log directory at {} \
             ({} record(s) planned there, {} here; the executor's chain at seq {} there, {} \
             here): not signed, nothing was erased",
            dir.display(),
            client.base(),
            at.to_rfc3339(),
            plan.bodies.len(),
            local.bodies.len(),
            plan.next_seq,
            next_seq
        )));
    }
    if plan.bodies.is_empty() {
        let mut out = sweep_header(dir, at, &plan.counts);
        out.push_str("nothing to erase\n");
        return files::print(&out);
    }
    let records = sweep::sign_plan(&plan, executor.key.secret_key(), log.origin(), log.alg())
        .map_err(|e| anyhow::anyhow!("{}: signing the sweep's records: {e}", dir.display()))?;
    let commit = SweepCommit {
        request,
        records: records.iter().map(|r| hex::encode(&r.record)).collect(),
    };
    let done = client
        .sweep_commit(&commit)
        .map_err(|e| served_err("commit", e))?;
    let mut out = sweep_header(dir, at, &done.counts);
    out.push_str(&erased_text(&done.groups, &done.leaves));
    out.push_str(&format!(
        "signed checkpoint of size {}\n",
        done.checkpoint_size
    ));
    files::print(&out)
}

fn schedule_of(w: &Walk, leaf: u64, at: Timestamp) -> anyhow::Result<(SealedRecord, Schedule)> {
    let r = w
        .sealed_at(leaf)
        .cloned()
        .ok_or_else(|| Invalid(format!("leaf {leaf}: no record with sealed fields there")))?;
    let s = w
        .schedule(&r, at)
        .map_err(|e| Invalid(format!("leaf {leaf}: {e}")))?;
    Ok((r, s))
}

pub fn erase(args: RetentionEraseArgs) -> anyhow::Result<()> {
    let executor = SigningKey::load(&args.executor_key)?;
    let at = parse_at(&args.at)?;
    let ground = args.ground;
    if ground.is_loss() {
        bail!(Invalid(
            "--ground disclosure-lost: a declared loss is not a ground for erasing; only \
             `logseal recover` records it, for disclosures a restored backup did not hold"
                .into()
        ));
    }
    let fields = args
        .field
        .iter()
        .map(|f| FieldPath::parse(f).map_err(|e| Invalid(format!("--field {f:?}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut log = Log::open(&args.dir).map_err(log_err)?;
    let w = walk(&log, authority_of(args.trust.as_deref())?)?;
    not_future(at)?;
    not_before_log(&w, at)?;
    let mut why = HashMap::new();
    let mut requests = Vec::new();
    for &leaf in &args.leaf {
        let (r, s) = schedule_of(&w, leaf, at)?;
        let who = format!(
            "leaf {leaf} ({}#{})",
            r.facts.reference.producer, r.facts.reference.seq
        );
        if !s.held_by.is_empty() {
            bail!(Invalid(format!(
                "{who}: held by {} — a legal hold suspends erasure (release it first)",
                s.held_by.join(", ")
            )));
        }
        match &s.earliest_deletion {
            Some(Bound::At(t)) if *t > at && !ground.overrides_minimum() => {
                bail!(Invalid(format!(
                    "{who}: a minimum keeps it until {} — ground {} does not override a legal \
                 obligation to keep (GDPR 17(3)(b))",
                    t.to_rfc3339(),
                    ground.as_str()
                )))
            }
            Some(b @ (Bound::TriggerPending(_) | Bound::ConditionOpen { .. }))
                if !ground.overrides_minimum() =>
            {
                bail!(Invalid(format!(
                    "{who}: a minimum keeps it ({b:?}) — ground {} does not override a legal \
                     obligation to keep (GDPR 17(3)(b))",
                    ground.as_str()
                )))
            }
            _ => {}
        }
        let due_now = match &s.due_at {
            None => true,
            Some(Bound::At(t)) => *t <= at,
            Some(_) => false,
        };
        if !ground.allows_early() && !due_now {
            let when = match &s.due_at {
                Some(Bound::At(t)) => format!("not due until {}", t.to_rfc3339()),
                other => format!("not yet due ({other:?})"),
            };
            bail!(Invalid(format!(
                "{who}: {when} — ground {} is one for keeping data past its due date, not for \
                 erasing it before (use gdpr-17-1, led-16-2 or court-order)",
                ground.as_str()
            )));
        }
        let cap = s
            .caps
            .iter()
            .find(|c| Some(&c.bound) == s.due_at.as_ref())
            .map(|c| c.rule.to_string());
        let rule = cap
            .or_else(|| s.declared.as_ref().map(ToString::to_string))
            .ok_or_else(|| {
                Invalid(format!(
                    "{who}: no retention rule governs or is declared; a deletion names one"
                ))
            })?;
        let due_at = s.due_at.as_ref().and_then(Bound::instant).unwrap_or(at);
        why.insert(
            leaf,
            Why {
                rule,
                due_at,
                ground: Some(ground),
            },
        );
        requests.push(EraseRequest {
            leaf,
            fields: fields.clone(),
        });
    }
    let erasure = log.plan_erasure(&requests).map_err(log_err)?;
    let bodies = deletion_bodies(&w, &executor.producer, &erasure, &why, at)?;
    let records = sign_all(&log, &executor, at, bodies)?;
    let receipts = log.erase(&erasure, &records).map_err(log_err)?;
    let mut out = erased_summary(&erasure, &receipts);
    out.push_str(&publish(&mut log)?);
    files::print(&out)
}

/// The (producer, seq, leaf hash) of the records at `leaves`.
fn scope(log: &Log, leaves: &[u64]) -> anyhow::Result<Vec<Value>> {
    let reader = log.reader();
    let mut out = Vec::new();
    for &leaf in leaves {
        if leaf >= log.size() {
            bail!(Invalid(format!(
                "--leaf {leaf}: the log has {} records",
                log.size()
            )));
        }
        let bytes = reader
            .entry(leaf, log.size())
            .with_context(|| format!("reading leaf {leaf}"))?;
        let r = Record::decode(&bytes).map_err(|e| Invalid(format!("leaf {leaf}: {e}")))?;
        let p = r.payload();
        out.push(serde_json::to_value(RecordRef {
            producer: p.producer.clone(),
            seq: p.seq,
            leaf_hash: Hash32(log.alg().leaf(&bytes)),
        })?);
    }
    Ok(out)
}

fn append_one(log: &mut Log, item: AppendItem) -> anyhow::Result<Receipt> {
    Ok(log
        .append(&[item])
        .map_err(log_err)?
        .pop()
        .expect("one receipt per record"))
}

/// The case reference in `path`: UTF-8 text, its final line break dropped, not empty.
fn read_case_ref(path: &Path) -> anyhow::Result<String> {
    let (bytes, name) = files::read_input(Some(path))?;
    let text =
        String::from_utf8(bytes).map_err(|e| Invalid(format!("{name}: not UTF-8 text: {e}")))?;
    let case_ref = text.trim_end_matches(['\n', '\r']);
    if case_ref.trim().is_empty() {
        bail!(Invalid(format!(
            "{name}: the case reference is empty; a legal hold names the case it serves"
        )));
    }
    Ok(case_ref.to_string())
}

pub fn hold(args: RetentionHoldArgs) -> anyhow::Result<()> {
    let key = SigningKey::load(&args.key)?;
    let at = parse_at(&args.at)?;
    let case_ref = read_case_ref(&args.case_ref_file)?;
    let until = match &args.until {
        None => None,
        Some(until) => {
            let t = Timestamp::parse_rfc3339(until)
                .map_err(|e| Invalid(format!("--until {until:?}: {e}")))?
                .0;
            if t <= at {
                bail!(Invalid(format!(
                    "--until {until:?}: the hold would lapse before it is set (--at {}); a \
                     hold's end comes after its start",
                    at.to_rfc3339()
                )));
            }
            Some(t)
        }
    };
    let mut log = Log::open(&args.dir).map_err(log_err)?;
    if args.leaf.is_empty() {
        bail!(Invalid(
            "a hold names the records it holds: give --leaf".into()
        ));
    }
    let mut body = json!({
        "action": "set",
        "hold_id": args.hold_id,
        "scope": scope(&log, &args.leaf)?,
        "authority": args.authority,
        "legal_basis": args.legal_basis,
        "case_ref": case_ref,
    });
    if let Some(t) = until {
        body["until"] = Value::from(t.to_rfc3339());
    }
    let mut signer = Signer::new(&log, &key);
    let item = signer.sign(&log, Kind::LegalHold, "legal-hold", at, body)?;
    let r = append_one(&mut log, item)?;
    files::print(&format!(
        "hold {} set over {} records: legal-hold record {}#{} at leaf {}\n",
        args.hold_id,
        args.leaf.len(),
        r.producer,
        r.seq,
        r.leaf_index
    ))
}

pub fn release(args: RetentionReleaseArgs) -> anyhow::Result<()> {
    let key = SigningKey::load(&args.key)?;
    let at = parse_at(&args.at)?;
    let case_ref = read_case_ref(&args.case_ref_file)?;
    let mut log = Log::open(&args.dir).map_err(log_err)?;
    let set_by = scope(&log, &[args.set_by])?.remove(0);
    // The record that set the hold must be a legal-hold `set` of this hold id.
    let bytes = log.reader().entry(args.set_by, log.size())?;
    let r = Record::decode(&bytes).map_err(|e| Invalid(format!("leaf {}: {e}", args.set_by)))?;
    let (authority, legal_basis) = match &r.payload().body {
        Body::LegalHold(h) if h.hold_id.as_str() == args.hold_id => {
            (h.authority.to_string(), h.legal_basis.to_string())
        }
        _ => bail!(Invalid(format!(
            "--set-by {}: not the legal-hold record that set hold {}",
            args.set_by, args.hold_id
        ))),
    };
    let body = json!({
        "action": "release",
        "hold_id": args.hold_id,
        "scope": scope(&log, &args.leaf)?,
        "authority": authority,
        "legal_basis": legal_basis,
        "set_by": set_by,
        "case_ref": case_ref,
    });
    let mut signer = Signer::new(&log, &key);
    let item = signer.sign(&log, Kind::LegalHold, "legal-hold", at, body)?;
    let r = append_one(&mut log, item)?;
    let what = if args.leaf.is_empty() {
        "the whole hold".to_string()
    } else {
        format!("{} records", args.leaf.len())
    };
    files::print(&format!(
        "hold {} released ({what}): legal-hold record {}#{} at leaf {}\n",
        args.hold_id, r.producer, r.seq, r.leaf_index
    ))
}

// ---------------------------------------------------------------------------------------------
// The server's side of a sweep (`logseal serve`, POST /sweep/plan and /sweep/commit): run in
// its sequencer thread, which owns the log.
// ---------------------------------------------------------------------------------------------

/// A sweep request's executor, time, grace and policy authority; 400 if malformed, and if
/// the time lies in the future of the server's clock.
fn served_request(
    r: &SweepRequest,
) -> Result<
    (
        ProducerId,
        Timestamp,
        std::time::Duration,
        Option<ProducerId>,
    ),
    HttpError,
> {
    let bad = |m: String| HttpError::new(400, m);
    let executor =
        ProducerId::new(&r.executor).map_err(|e| bad(format!("executor {:?}: {e}", r.executor)))?;
    let at = sweep::request_time(r).map_err(|e| bad(e.to_string()))?;
    not_future(at).map_err(|e| bad(e.to_string()))?;
    let authority = match &r.retention_policy_authority {
        None => None,
        Some(a) => Some(
            ProducerId::new(a)
                .map_err(|e| bad(format!("retention_policy_authority {a:?}: {e}")))?,
        ),
    };
    Ok((
        executor,
        at,
        std::time::Duration::from_millis(r.grace_ms),
        authority,
    ))
}

/// The sweep of `r` worked out on `log` as it is; a sweep that cannot be worked out on this
/// log (its time before a retention action the log holds, a record the walk refuses) is 409.
fn served_prepare(
    log: &Log,
    r: &SweepRequest,
) -> Result<(Prepared, ProducerId, Timestamp), HttpError> {
    let (executor, at, grace, authority) = served_request(r)?;
    let p = prepare(log, &executor, at, grace, authority, &[]).map_err(|e| {
        match e.downcast_ref::<Invalid>() {
            Some(i) => HttpError::new(409, format!("the sweep cannot be carried out: {i}")),
            None => {
                eprintln!("logseal serve: sweep of {}: {e:#}", r.at);
                HttpError::new(500, "the log could not be read for the sweep")
            }
        }
    })?;
    Ok((p, executor, at))
}

/// The executor's chain head in the log's state.
fn head_of(log: &Log, executor: &ProducerId) -> (u64, Hash32) {
    log.state()
        .producer(executor)
        .map_or((0, Hash32([0; 32])), |h| (h.next_seq, h.head))
}

/// `POST /sweep/plan`: the sweep of `r` on the log as it is, unsigned.
pub(crate) fn plan_served(log: &Log, r: &SweepRequest) -> Result<SweepPlan, HttpError> {
    let (p, executor, _) = served_prepare(log, r)?;
    let (next_seq, prev) = head_of(log, &executor);
    Ok(SweepPlan {
        request: r.clone(),
        size: log.size(),
        next_seq,
        prev: hex::encode(prev.0),
        counts: counts(&p.plan),
        groups: p.erasure.as_ref().map(group_summaries).unwrap_or_default(),
        bodies: p.bodies,
    })
}

/// Why a served sweep's commit failed: the answer, and whether the log must be reopened
/// (an erasure interrupted: the handle refuses every write until then).
pub(crate) struct CommitFailure {
    pub error: HttpError,
    pub reopen: bool,
}

impl From<HttpError> for CommitFailure {
    fn from(error: HttpError) -> Self {
        CommitFailure {
            error,
            reopen: false,
        }
    }
}

/// `POST /sweep/commit`: admit the signed records (as appends: a registered key of the
/// executor for retention-deletion records, continuing its chain), work the sweep out
/// again, and carry it out if the records are exactly the ones it writes (else 409). The
/// answer's `checkpoint_size` is left for the caller, who publishes the checkpoint.
pub(crate) fn commit_served(log: &mut Log, c: &SweepCommit) -> Result<SweepOutcome, CommitFailure> {
    let (executor, _, _, _) = served_request(&c.request)?;
    if c.records.is_empty() {
        return Err(HttpError::new(
            400,
            "no records: a commit carries the plan's records, signed",
        )
        .into());
    }
    let mut records = Vec::new();
    for (i, h) in c.records.iter().enumerate() {
        let bytes = hex::decode(h)
            .map_err(|e| HttpError::new(400, format!("records[{i}]: not hex: {e}")))?;
        let r = Record::decode(&bytes)
            .map_err(|e| logseal::serve::error::refused(&logseal::log::Refusal::Malformed(e)))?;
        if r.payload().kind() != Kind::RetentionDeletion || r.payload().producer != executor {
            return Err(HttpError::new(
                400,
                format!(
                    "records[{i}]: a {} record of {}, not a retention-deletion record of the \
                     executor {executor}",
                    r.payload().kind().name(),
                    r.payload().producer
                ),
            )
            .into());
        }
        records.push(r);
    }
    // Authenticated first, by the signatures and the registry, before the log is walked.
    let mut state = log.state().clone();
    for (i, r) in records.iter().enumerate() {
        let leaf = log.size() + i as u64;
        let hash = Hash32(log.alg().leaf(r.bytes()));
        logseal::log::admission::admit(
            &mut state,
            log.authority(),
            log.origin(),
            r,
            leaf,
            hash,
            &[],
            None,
        )
        .map_err(|e| logseal::serve::error::refused(&e))?;
    }
    let (p, executor, at) = served_prepare(log, &c.request)?;
    let changed = |m: String| {
        HttpError::new(
            409,
            format!("the sweep changed since it was planned: {m}; ask for the plan again"),
        )
    };
    let Some(erasure) = p.erasure else {
        return Err(changed("it now erases nothing".into()).into());
    };
    sweep::check_signed(
        &records,
        &p.bodies,
        &executor,
        at,
        head_of(log, &executor),
        log.alg(),
    )
    .map_err(|e| changed(e.to_string()))?;
    let items: Vec<AppendItem> = records
        .iter()
        .map(|r| AppendItem {
            record: r.bytes().to_vec(),
            disclosures: Vec::new(),
        })
        .collect();
    let receipts = log.erase(&erasure, &items).map_err(|e| match e {
        LogError::Refused { refusal, .. } => logseal::serve::error::refused(&refusal).into(),
        LogError::Erase(e) => changed(e.to_string()).into(),
        e => {
            eprintln!("logseal serve: sweep at {}: {e}", c.request.at);
            CommitFailure {
                error: HttpError::new(500, format!("the erasure failed: {e}")),
                reopen: true,
            }
        }
    })?;
    Ok(SweepOutcome {
        counts: counts(&p.plan),
        groups: group_summaries(&erasure),
        leaves: receipts.iter().map(|r| r.leaf_index).collect(),
        checkpoint_size: 0,
    })
}
