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
    producer: ProducerId,
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

/// The retention-deletion records of `plan`: per destroyed key, rule and ground, the erased
/// leaves as ranges (at most [`MAX_TARGETS`] per record), `due_at` the latest deadline among
/// them. A leaf whose every readable field is erased is named with no field patterns (every
/// field), else with its fields.
fn deletion_records(
    log: &Log,
    walk: &Walk,
    signer: &mut Signer,
    plan: &ErasurePlan,
    why: &HashMap<u64, Why>,
    at: Timestamp,
) -> anyhow::Result<Vec<AppendItem>> {
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
                    "executor": signer.producer.as_str(),
                    "holds_checked": true,
                    "item_count": chunk.iter().map(|i| i.count).sum::<u64>(),
                });
                if let Some(ground) = ground {
                    body["exception_ground"] = Value::from(ground.as_str());
                }
                out.push(signer.sign(log, Kind::RetentionDeletion, "retention-sweep", at, body)?);
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
    let records: usize = plan.groups.iter().map(|g| g.erased.len()).sum();
    let items: u64 = plan.groups.iter().map(|g| g.erased_count()).sum();
    let kept: usize = plan.groups.iter().map(|g| g.kept).sum();
    let leaves = match (receipts.first(), receipts.last()) {
        (Some(a), Some(b)) if a.leaf_index == b.leaf_index => format!("leaf {}", a.leaf_index),
        (Some(a), Some(b)) => format!("leaves {}..={}", a.leaf_index, b.leaf_index),
        _ => "no leaf".into(),
    };
    let mut s = format!(
        "erased {items} disclosures of {records} records: destroyed {} keys, re-sealed {kept} \
         disclosures kept under new keys; {} retention-deletion records at {leaves}\n",
        plan.groups.len(),
        receipts.len(),
    );
    for g in &plan.groups {
        s.push_str(&format!(
            "  key {} ({}): {} records erased, {} disclosures kept\n",
            g.key_id,
            g.group,
            g.erased.len(),
            g.kept
        ));
    }
    s
}

/// The retention walk over the whole log, its policies from `trust`'s policy authority
/// when a trust file is given.
fn walk(log: &Log, trust: Option<&Path>) -> anyhow::Result<Walk> {
    let authority = match trust {
        None => None,
        Some(path) => {
            let bytes = files::read(path)?;
            Trust::from_json(&bytes)
                .map_err(|e| Invalid(format!("{}: {e}", path.display())))?
                .retention_policy_authority
        }
    };
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
    let w = walk(log, trust)?;
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
        return Ok(Swept {
            plan,
            erasure: None,
            receipts: Vec::new(),
        });
    }
    let mut signer = Signer::new(log, executor_key);
    let erasure = log.plan_erasure(&requests).map_err(log_err)?;
    let records = deletion_records(log, &w, &mut signer, &erasure, &why, at)?;
    let receipts = log.erase(&erasure, &records).map_err(log_err)?;
    Ok(Swept {
        plan,
        erasure: Some(erasure),
        receipts,
    })
}

pub fn apply(args: RetentionApplyArgs) -> anyhow::Result<()> {
    let executor = SigningKey::load(&args.executor_key)?;
    let at = parse_at(&args.at)?;
    let mut log = Log::open(&args.dir).map_err(log_err)?;
    not_future(at)?;
    let s = sweep(
        &mut log,
        &executor,
        at,
        args.grace,
        args.trust.as_deref(),
        &[],
    )?;
    let mut out = format!(
        "retention sweep of {} at {}: {} due, {} overdue, {} held, {} conflicts (never resolved by a sweep)\n",
        args.dir.display(),
        at.to_rfc3339(),
        s.plan.due.len(),
        s.plan.overdue.len(),
        s.plan.held.len(),
        s.plan.conflicts.len(),
    );
    match &s.erasure {
        None => out.push_str("nothing to erase\n"),
        Some(e) => {
            out.push_str(&erased_summary(e, &s.receipts));
            out.push_str(&publish(&mut log)?);
        }
    }
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
    let w = walk(&log, args.trust.as_deref())?;
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
    let mut signer = Signer::new(&log, &executor);
    let erasure = log.plan_erasure(&requests).map_err(log_err)?;
    let records = deletion_records(&log, &w, &mut signer, &erasure, &why, at)?;
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
