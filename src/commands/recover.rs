//! `logseal recover`: rebuild a private part restored from an older backup from the
//! public part ([`Log::open_for_recovery`]), and declare what the backup could not bring
//! back as a signed loss (docs/RETENTION.md §Backup and restore).
//!
//! Owns: finding the lost disclosures (sealed fields with no readable disclosure and no
//! retention-deletion covering them, once the keys published deletions destroyed are
//! destroyed again), turning them into retention-deletion records with exception ground
//! `disclosure-lost` signed by the executor's key, and the summary printed. Refuses before
//! writing anything when a loss must be declared and no key (or a key the log would not
//! accept) is given.

use std::collections::BTreeMap;

use anyhow::bail;
use logseal::cli::RecoverArgs;
use logseal::log::{Log, LogError, Receipt};
use logseal::note::NoteVerifier as _;
use logseal::record::kinds::Kind;
use logseal::record::kinds::retention_deletion::{LOSS_RULE, MAX_TARGETS};
use logseal::record::sealed::FieldPath;
use logseal::record::text::ProducerId;
use logseal::record::types::{Hash32, Timestamp};
use logseal::retention::walk::{Walk, walk_log};
use serde_json::{Value, json};

use super::Invalid;
use super::log::now_secs;
use super::record::read_signer;
use super::sweep::{Signer, SigningKey};

/// A record whose sealed fields lost their disclosures.
struct Lost {
    leaf: u64,
    fields: Vec<FieldPath>,
    /// Every sealed field of the record is lost.
    all: bool,
}

/// The records with sealed fields that have no readable disclosure and no retention-deletion
/// covering them.
fn lost(walk: &Walk) -> anyhow::Result<Vec<Lost>> {
    if let Some(cut) = walk.coverage_cut_off() {
        bail!(
            "which disclosures are lost cannot be determined: the retention-deletion targets \
             from leaf {cut} on were not resolved (the walk's work cap)"
        );
    }
    let mut out = Vec::new();
    for r in walk.sealed_records() {
        let leaf = r.facts.leaf;
        let fields: Vec<FieldPath> = r
            .missing()
            .filter(|f| walk.deletion_of(leaf, f).is_none())
            .cloned()
            .collect();
        if !fields.is_empty() {
            let all = r.sealed.iter().all(|f| fields.contains(f));
            out.push(Lost { leaf, fields, all });
        }
    }
    Ok(out)
}

/// Leaf-range targets over the lost records: one range per run of lost records with the
/// same fields, unbroken by a record with sealed fields that lost nothing (records without
/// sealed fields have nothing to claim and do not break a run). With each, how many
/// disclosures it declares lost.
fn targets(walk: &Walk, lost: &[Lost]) -> Vec<(Value, u64)> {
    let by_leaf: BTreeMap<u64, &Lost> = lost.iter().map(|l| (l.leaf, l)).collect();
    let names = |l: &Lost| -> Vec<String> {
        if l.all {
            Vec::new()
        } else {
            l.fields.iter().map(FieldPath::to_string).collect()
        }
    };
    let mut out = Vec::new();
    // (field names, first, last, count)
    let mut run: Option<(Vec<String>, u64, u64, u64)> = None;
    let flush = |run: Option<(Vec<String>, u64, u64, u64)>, out: &mut Vec<(Value, u64)>| {
        if let Some((fields, first, last, count)) = run {
            out.push((
                json!({"range": "leaf", "first": first, "last": last, "fields": fields}),
                count,
            ));
        }
    };
    for r in walk.sealed_records() {
        let leaf = r.facts.leaf;
        let this = by_leaf
            .get(&leaf)
            .map(|l| (names(l), l.fields.len() as u64));
        match (this, &mut run) {
            (Some((n, c)), Some(cur)) if cur.0 == n => {
                cur.2 = leaf;
                cur.3 += c;
            }
            (this, _) => {
                flush(run.take(), &mut out);
                run = this.map(|(n, c)| (n, leaf, leaf, c));
            }
        }
    }
    flush(run, &mut out);
    out
}

/// Refuse a key the rebuilt log would not accept for retention-deletion records.
fn check_key(
    state: &logseal::log::State,
    key: &logseal::note::Ed25519NoteKey,
) -> anyhow::Result<()> {
    let name = key.verifier().name().to_string();
    let producer = ProducerId::new(&name)
        .map_err(|e| Invalid(format!("--executor-key: the key's name {name:?}: {e}")))?;
    let kid = Hash32(key.verifier().public_key().key_id());
    let ok = state.key(&kid).is_some_and(|k| {
        k.producer == producer
            && k.revoked_at.is_none()
            && k.kinds.contains(&Kind::RetentionDeletion)
    });
    if !ok {
        bail!(Invalid(format!(
            "--executor-key: key {kid} of {producer} is not registered (unrevoked) for \
             retention-deletion records in this log: the loss record would be refused; \
             nothing was changed"
        )));
    }
    Ok(())
}

pub fn run(args: RecoverArgs) -> anyhow::Result<()> {
    let out = recover(&args.dir, args.executor_key.as_deref(), now_secs())?;
    super::files::print(&out)
}

/// What `logseal recover` does, at log time `now` (seconds; the loss records' time and the
/// checkpoint's): the summary it prints.
pub(super) fn recover(
    path: &std::path::Path,
    executor_key: Option<&std::path::Path>,
    now: u64,
) -> anyhow::Result<String> {
    let dir = path.display().to_string();
    let recovering = Log::open_for_recovery(path).map_err(|e| match e {
        e @ LogError::Recovery { .. } => anyhow::Error::new(Invalid(e.to_string())),
        e => anyhow::Error::new(e),
    })?;
    let plan = recovering.plan().clone();
    let log = recovering.log();
    let walk = walk_log(log.public_store(), log.alg(), plan.size, log, None)
        .map_err(|e| anyhow::anyhow!("{dir}: {e}"))?;
    let lost = lost(&walk)?;
    let fields: u64 = lost.iter().map(|l| l.fields.len() as u64).sum();
    let key = match executor_key {
        Some(path) => {
            let key = read_signer(path)?;
            if !lost.is_empty() {
                check_key(plan.state(), &key)?;
            }
            Some(SigningKey::load(path)?)
        }
        None if !lost.is_empty() => bail!(
            "{dir}: {fields} disclosure(s) of {} records (leaves {}{}) are neither readable \
             nor covered by a retention-deletion: the backup did not hold them. Declaring the \
             loss takes a signed retention-deletion record: run again with --executor-key KEY \
             (the retention sweep's key). Nothing was changed{}",
            lost.len(),
            lost.iter()
                .take(5)
                .map(|l| l.leaf.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if lost.len() > 5 { ", …" } else { "" },
            if plan.mismatch.is_some() {
                "; the log still refuses to write"
            } else {
                ""
            }
        ),
        None => None,
    };
    let changed = plan.mismatch.is_some()
        || !plan.keys_destroyed.is_empty()
        || !plan.objects_deleted.is_empty();
    let mut log = recovering.commit()?;
    let mut out = String::new();
    match &plan.mismatch {
        Some(m) => out.push_str(&format!(
            "rebuilt the private state from the public part: size {} (the published \
             checkpoint is at {}; the private state found was at {}: {m})\n",
            plan.size, plan.checkpoint_size, plan.private_size
        )),
        None => out.push_str(&format!(
            "the private state matches the public part (size {})\n",
            plan.size
        )),
    }
    if changed {
        out.push_str(&format!(
            "destroyed {} data key(s) that published retention-deletions name or that no \
             committed erasure made; deleted {} sealed object(s)\n",
            plan.keys_destroyed.len(),
            plan.objects_deleted.len()
        ));
    }
    if lost.is_empty() {
        out.push_str("nothing was lost: every sealed field has a readable disclosure or a retention-deletion\n");
        return Ok(out);
    }
    let key = key.expect("a key is required when disclosures were lost");
    let receipts = declare(&mut log, &key, &walk, &lost, now)?;
    let (a, b) = (
        receipts[0].leaf_index,
        receipts[receipts.len() - 1].leaf_index,
    );
    out.push_str(&format!(
        "declared the loss of {fields} disclosure(s) of {} records: {} retention-deletion \
         record(s) (exception ground disclosure-lost) at leaves {a}..={b}\n",
        lost.len(),
        receipts.len()
    ));
    log.checkpoint(now).map_err(|e| {
        anyhow::anyhow!(
            "the loss is recorded (the log has {} records), but signing a checkpoint over it \
             failed: {e}; run `logseal checkpoint {dir}`",
            log.size()
        )
    })?;
    out.push_str(&format!("signed checkpoint of size {}\n", log.size()));
    Ok(out)
}

/// Sign and append the loss records.
fn declare(
    log: &mut Log,
    key: &SigningKey,
    walk: &Walk,
    lost: &[Lost],
    now: u64,
) -> anyhow::Result<Vec<Receipt>> {
    let at = Timestamp(now.saturating_mul(1000));
    let mut signer = Signer::new(log, key);
    let mut items = Vec::new();
    for chunk in targets(walk, lost).chunks(MAX_TARGETS) {
        let body = json!({
            "targets": chunk.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
            "rule": LOSS_RULE,
            "due_at": at.to_rfc3339(),
            "executed_at": at.to_rfc3339(),
            "method": "erase-disclosure",
            "executor": signer.producer.as_str(),
            "holds_checked": false,
            "exception_ground": "disclosure-lost",
            "item_count": chunk.iter().map(|(_, c)| c).sum::<u64>(),
        });
        items.push(signer.sign(log, Kind::RetentionDeletion, "backup-restore", at, body)?);
    }
    Ok(log
        .append(&items)
        .map_err(|e| Invalid(format!("{e}; the loss was not recorded: run recover again")))?)
}
