//! Erasure by crypto-shredding (docs/RETENTION.md): planning which group generations lose
//! their key and what they keep, checking that the retention-deletion records describe
//! exactly that, and carrying it out under a `sweep` intent ([`super::sweep_recovery`]
//! finishes or undoes one a crash interrupted).

use std::collections::{BTreeMap, BTreeSet};

use super::append::{AppendFailure, AppendItem, Receipt};
use super::disclosures::nonce;
use super::faults::{crash_point, fail_point};
use super::sweep_recovery::SweepIntent;
use super::{Log, LogError, SWEEP_KEY, vault};
use crate::record::kinds::Body;
use crate::record::kinds::retention_deletion::{DeletionMethod, RangeType, Target};
use crate::record::sealed::FieldPath;
use crate::record::types::Hash32;
use crate::record::{Disclosure, Record};
use crate::tiles;

/// One record's disclosures to erase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraseRequest {
    pub leaf: u64,
    /// The fields to erase; empty: every field still readable.
    pub fields: Vec<FieldPath>,
}

/// What an erasure will do, worked out without writing anything ([`Log::plan_erasure`]).
#[derive(Debug, Clone)]
pub struct ErasurePlan {
    /// The log size it was planned at; [`Log::erase`] refuses a plan gone stale.
    pub size: u64,
    pub groups: Vec<GroupErasure>,
}

/// The erasure of one group generation: its key is destroyed; what it keeps is re-sealed
/// under a new key.
#[derive(Debug, Clone)]
pub struct GroupErasure {
    pub group: String,
    pub gen_: u64,
    /// The id of the key destroyed (a retention-deletion's `shredded_key_id`).
    pub key_id: Hash32,
    /// Leaf → the fields erased there.
    pub erased: BTreeMap<u64, Vec<FieldPath>>,
    /// Disclosures kept (re-sealed under the new key).
    pub kept: usize,
    objects: Vec<vault::ObjectName>,
    survivors: Vec<(vault::ObjectName, vault::Entries)>,
}

impl GroupErasure {
    /// How many disclosures are erased.
    pub fn erased_count(&self) -> u64 {
        self.erased.values().map(|f| f.len() as u64).sum()
    }
}

impl Log {
    /// Work out an erasure: which group generations lose their key, which disclosures go,
    /// and which are kept (re-sealed under a new key). Writes nothing. Refused on a
    /// poisoned handle ([`LogError::Poisoned`]).
    pub fn plan_erasure(&self, requests: &[EraseRequest]) -> Result<ErasurePlan, LogError> {
        self.not_poisoned()?;
        let mut erase: BTreeMap<(String, u64), BTreeMap<u64, BTreeSet<FieldPath>>> =
            BTreeMap::new();
        for r in requests {
            let (name, fields) = self.erasure_target(r)?;
            erase
                .entry((name.group, name.gen_))
                .or_default()
                .entry(r.leaf)
                .or_default()
                .extend(fields);
        }
        let mut groups = Vec::new();
        for ((group, gen_), leaves) in erase {
            groups.push(self.plan_group(group, gen_, leaves)?);
        }
        Ok(ErasurePlan {
            size: self.state.size,
            groups,
        })
    }

    /// The sealed object holding a request's leaf, and the fields to erase there (all those
    /// readable when the request names none). Refuses a leaf or field with nothing readable.
    fn erasure_target(
        &self,
        r: &EraseRequest,
    ) -> Result<(vault::ObjectName, Vec<FieldPath>), LogError> {
        let mut found = None;
        let names: Vec<vault::ObjectName> = {
            let v = self.vault.read().expect("vault lock");
            v.index
                .objects_for(r.leaf)
                .filter(|n| !v.shredded.contains(&n.path()))
                .cloned()
                .collect()
        };
        for name in &names {
            if let Some(entries) = self.open_object(name)?
                && let Ok(pos) = entries.binary_search_by_key(&r.leaf, |e| e.0)
            {
                found = Some((name.clone(), entries[pos].1.clone()));
                break;
            }
        }
        let Some((name, present)) = found else {
            return Err(LogError::Erase(format!(
                "leaf {}: no readable disclosures to erase",
                r.leaf
            )));
        };
        if r.fields.is_empty() {
            return Ok((name, present.iter().map(|d| d.path.clone()).collect()));
        }
        for f in &r.fields {
            if !present.iter().any(|d| d.path == *f) {
                return Err(LogError::Erase(format!(
                    "leaf {}: field {f} has no readable disclosure",
                    r.leaf
                )));
            }
        }
        Ok((name, r.fields.clone()))
    }

    /// The erasure of one group generation: the fields `leaves` names go, every other
    /// disclosure of its objects survives (to be re-sealed under a new key).
    fn plan_group(
        &self,
        group: String,
        gen_: u64,
        leaves: BTreeMap<u64, BTreeSet<FieldPath>>,
    ) -> Result<GroupErasure, LogError> {
        let key = self.read_key(&group, gen_)?;
        let objects = self
            .vault
            .read()
            .expect("vault lock")
            .index
            .by_group
            .get(&(group.clone(), gen_))
            .cloned()
            .unwrap_or_default();
        let mut survivors = Vec::new();
        let mut kept = 0;
        for name in &objects {
            // An object no key opens has nothing to keep; it is deleted with the others.
            let Some(entries) = self.open_object(name)? else {
                continue;
            };
            let mut keep: vault::Entries = Vec::new();
            for (leaf, ds) in entries.iter() {
                let ds: Vec<Disclosure> = ds
                    .iter()
                    .filter(|d| !leaves.get(leaf).is_some_and(|f| f.contains(&d.path)))
                    .cloned()
                    .collect();
                if !ds.is_empty() {
                    kept += ds.len();
                    keep.push((*leaf, ds));
                }
            }
            if !keep.is_empty() {
                survivors.push((name.clone(), keep));
            }
        }
        Ok(GroupErasure {
            group,
            gen_,
            key_id: key.id(),
            erased: leaves
                .into_iter()
                .map(|(l, f)| (l, f.into_iter().collect()))
                .collect(),
            kept,
            objects,
            survivors,
        })
    }

    /// Carry out `plan` and append `records` (the retention-deletion records describing it),
    /// atomically: a crash at any point leaves the old state (nothing erased, no record) or
    /// the new (erased and recorded), which [`Log::open`] completes. Refuses records that do
    /// not describe exactly this erasure: crypto-shred records naming the destroyed keys,
    /// leaf-range targets that cover every erased field and claim nothing kept.
    ///
    /// A failure after the erasure was announced is undone at once only when the commit
    /// certainly did not happen (before the state swap was attempted); otherwise the error
    /// is [`LogError::EraseInterrupted`] and this `Log` refuses every write
    /// ([`LogError::Poisoned`]) until the log is reopened, which finishes or undoes it.
    pub fn erase(
        &mut self,
        plan: &ErasurePlan,
        records: &[AppendItem],
    ) -> Result<Vec<Receipt>, LogError> {
        self.writable()?;
        if plan.size != self.state.size {
            return Err(LogError::Erase(format!(
                "planned at size {}, the log is now at {}: plan again",
                plan.size, self.state.size
            )));
        }
        if plan.groups.is_empty() {
            return Err(LogError::Erase("nothing to erase".into()));
        }
        let sealed = self.sealed_fields(plan)?;
        check_erasure_records(plan, records, &sealed)?;
        let intent = self.sweep_intent(plan, records)?;
        // Under a lease with a shared private part, an erasure's sweep, keys and re-sealed
        // objects are written in place before its commit, under names another sequencer
        // would use too: refused until erasures are staged like batches.
        if self.coordinated() && self.config.private.is_some() {
            return Err(LogError::Erase(
                "this log is coordinated through etcd and its private part is shared (a \
                 bucket): an erasure is not staged and committed like a batch yet, so a \
                 sequencer paused past its lease could overwrite the current one's keys; \
                 nothing was erased"
                    .into(),
            ));
        }
        // Under a lease: the token must be current before anything is written (the commit
        // checks it again).
        self.coord_check()?;
        // Until the erasure is done or certainly undone, this handle refuses writes (a
        // panic included).
        self.poisoned = true;
        self.announce_sweep(&intent)?;
        crash_point(1);
        let receipts = self.commit_erasure(plan, records, &intent)?;
        crash_point(3);
        self.finish_erasure(&intent)?;
        self.poisoned = false;
        Ok(receipts)
    }

    /// Step 1 of [`Log::erase`], worked out: what will be created (undone on a crash before
    /// the commit), what will be destroyed (destroyed on a crash after it), and the records
    /// whose presence at leaves old..new is the commit.
    fn sweep_intent(
        &self,
        plan: &ErasurePlan,
        records: &[AppendItem],
    ) -> Result<SweepIntent, LogError> {
        let old = self.state.size;
        let mut intent = SweepIntent {
            old,
            new: old + records.len() as u64,
            created_keys: Vec::new(),
            new_objects: Vec::new(),
            old_keys: Vec::new(),
            old_objects: Vec::new(),
            records: records
                .iter()
                .map(|r| Hash32(self.alg.leaf(&r.record)))
                .collect(),
        };
        for g in &plan.groups {
            intent.old_keys.push(vault::key_path(&g.group, g.gen_));
            intent
                .old_objects
                .extend(g.objects.iter().map(|n| n.path()));
            if g.survivors.is_empty() {
                continue;
            }
            if g.gen_ == old {
                return Err(LogError::Erase(format!(
                    "group {} generation {} was keyed at this very size",
                    g.group, g.gen_
                )));
            }
            let kp = vault::key_path(&g.group, old);
            if self.private.get(&kp)?.is_none() {
                intent.created_keys.push(kp);
            }
            for (n, _) in &g.survivors {
                let name = vault::ObjectName {
                    group: g.group.clone(),
                    gen_: old,
                    first: n.first,
                    end: n.end,
                };
                intent.new_objects.push(name.path());
            }
        }
        Ok(intent)
    }

    /// Step 1 of [`Log::erase`]: announce the erasure in `private/sweep`. On failure nothing
    /// else was written: without the intent, nothing happened.
    fn announce_sweep(&mut self, intent: &SweepIntent) -> Result<(), LogError> {
        let announced = self
            .private
            .put(SWEEP_KEY, &intent.to_bytes())
            .and_then(|()| self.private.sync());
        let Err(e) = announced else {
            return Ok(());
        };
        let removed = self
            .private
            .delete(SWEEP_KEY)
            .and_then(|()| self.private.sync());
        match removed {
            Ok(()) => {
                self.poisoned = false;
                Err(e.into())
            }
            Err(r) => {
                let _ = self.reload_vault();
                Err(LogError::EraseInterrupted {
                    outcome: format!(
                        "was not committed, but its intent could not be removed ({r})"
                    ),
                    error: Box::new(e.into()),
                })
            }
        }
    }

    /// Steps 2 and 3 of [`Log::erase`]: re-seal what each group keeps under its new key,
    /// then commit by appending the records. A failure certainly before the commit is undone
    /// at once.
    fn commit_erasure(
        &mut self,
        plan: &ErasurePlan,
        records: &[AppendItem],
        intent: &SweepIntent,
    ) -> Result<Vec<Receipt>, LogError> {
        let committed = match self.reseal_survivors(plan, intent.old) {
            Ok(()) => self.append_batch(records),
            Err(error) => Err(AppendFailure {
                error,
                maybe_committed: false,
            }),
        };
        match committed {
            Ok(r) => Ok(r),
            // Fenced: another sequencer holds the log now, and may be writing the same
            // private part. Undoing here could delete what it made; its next open undoes
            // this erasure from `sweep` instead (docs/COORDINATION.md).
            Err(AppendFailure {
                error: error @ LogError::Coord(_),
                maybe_committed: false,
            }) => Err(LogError::EraseInterrupted {
                outcome: "was not committed: this sequencer lost its lease; what it wrote is \
                          undone by the next sequencer's open"
                    .into(),
                error: Box::new(error),
            }),
            Err(AppendFailure {
                error,
                maybe_committed: false,
            }) => Err(self.undo_uncommitted(intent, error)),
            Err(AppendFailure { error, .. }) => {
                // Best effort: the handle stays poisoned, its reads refused, whatever this
                // finds.
                let _ = self.reload_vault();
                Err(LogError::EraseInterrupted {
                    outcome: "may or may not have been committed (the state swap failed)".into(),
                    error: Box::new(error),
                })
            }
        }
    }

    /// An erasure that certainly did not commit: undo what step 2 made, and say so in the
    /// error returned (`error`, what failed).
    fn undo_uncommitted(&mut self, intent: &SweepIntent, error: LogError) -> LogError {
        let undone = self.undo_sweep(intent).and_then(|()| {
            self.private.delete(SWEEP_KEY)?;
            self.private.sync()?;
            Ok(())
        });
        self.cache.get_mut().expect("cache lock").clear();
        match undone {
            Ok(()) => {
                self.poisoned = false;
                error
            }
            Err(u) => {
                let _ = self.reload_vault();
                LogError::EraseInterrupted {
                    outcome: format!("was not committed, but undoing it failed ({u})"),
                    error: Box::new(error),
                }
            }
        }
    }

    /// Steps 4 and 5 of [`Log::erase`]: destroy the old keys and ciphertext, forget the
    /// intent.
    fn finish_erasure(&mut self, intent: &SweepIntent) -> Result<(), LogError> {
        let finished = self
            .finish_sweep(intent)
            .and_then(|()| {
                self.private.delete(SWEEP_KEY)?;
                self.private.sync()?;
                Ok(())
            })
            .and_then(|()| self.reload_vault());
        if let Err(e) = finished {
            let _ = self.reload_vault();
            return Err(LogError::EraseInterrupted {
                outcome: "was committed, but destroying the old keys and objects failed".into(),
                error: Box::new(e),
            });
        }
        Ok(())
    }

    /// Step 2 of [`Log::erase`]: the survivors of each group, sealed under generation `gen_`.
    pub(super) fn reseal_survivors(
        &mut self,
        plan: &ErasurePlan,
        gen_: u64,
    ) -> Result<(), LogError> {
        for g in &plan.groups {
            if g.survivors.is_empty() {
                continue;
            }
            let key = self.make_key(&g.group, gen_)?;
            for (n, entries) in &g.survivors {
                let name = vault::ObjectName {
                    group: g.group.clone(),
                    gen_,
                    first: n.first,
                    end: n.end,
                };
                let refs: Vec<(u64, &[Disclosure])> =
                    entries.iter().map(|(l, d)| (*l, d.as_slice())).collect();
                self.private
                    .put(&name.path(), &vault::seal(&key, &name, &refs, nonce()))?;
            }
        }
        fail_point(1)?;
        self.private.sync()?;
        crash_point(2);
        Ok(())
    }

    /// The sealed fields of each leaf `plan` erases, from its record in the log (each
    /// bundle read once, each record decoded once).
    pub(super) fn sealed_fields(
        &self,
        plan: &ErasurePlan,
    ) -> Result<BTreeMap<u64, Vec<FieldPath>>, LogError> {
        let leaves: BTreeSet<u64> = plan
            .groups
            .iter()
            .flat_map(|g| g.erased.keys().copied())
            .collect();
        let reader = self.reader();
        let mut out = BTreeMap::new();
        let mut bundle: Option<(tiles::EntryBundleId, Vec<Vec<u8>>)> = None;
        for leaf in leaves {
            let (id, offset) = tiles::entry_bundle_for_leaf(leaf, self.state.size)?;
            if bundle.as_ref().is_none_or(|(b, _)| *b != id) {
                bundle = Some((id, reader.bundle(id)?));
            }
            let entries = &bundle.as_ref().expect("read above").1;
            let rec = entries
                .get(offset)
                .ok_or_else(|| format!("its bundle {} holds {} entries", id.path(), entries.len()))
                .and_then(|e| Record::decode(e).map_err(|e| e.to_string()))
                .map_err(|e| LogError::Erase(format!("leaf {leaf}: the stored record: {e}")))?;
            out.insert(
                leaf,
                rec.payload()
                    .sealed
                    .iter()
                    .map(|(p, _)| p.clone())
                    .collect(),
            );
        }
        Ok(out)
    }
}

/// The records of an erasure must describe it exactly: every record a retention-deletion by
/// crypto-shredding of one of the plan's keys, naming leaf ranges; every leaf it names has
/// fields erased under that key and none of its field patterns (none: every field) covers a
/// sealed field of that leaf's record (`sealed`) the plan does not erase there — kept, or
/// never stored; every erased field is named by some record.
fn check_erasure_records(
    plan: &ErasurePlan,
    records: &[AppendItem],
    sealed: &BTreeMap<u64, Vec<FieldPath>>,
) -> Result<(), LogError> {
    if records.is_empty() {
        return Err(LogError::Erase(
            "an erasure needs its retention-deletion records".into(),
        ));
    }
    let by_key: BTreeMap<Hash32, &GroupErasure> =
        plan.groups.iter().map(|g| (g.key_id, g)).collect();
    let mut covered: Covered = BTreeSet::new();
    for (i, item) in records.iter().enumerate() {
        check_erasure_record(item, &by_key, sealed, &mut covered)
            .map_err(|m| LogError::Erase(format!("record {i}: {m}")))?;
    }
    for g in &plan.groups {
        for (leaf, fields) in &g.erased {
            for f in fields {
                if !covered.contains(&(g.key_id, *leaf, f.clone())) {
                    return Err(LogError::Erase(format!(
                        "leaf {leaf} field {f} would be erased without a record naming it"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The erased fields the records name: (destroyed key, leaf, field).
type Covered = BTreeSet<(Hash32, u64, FieldPath)>;

/// One record of an erasure ([`check_erasure_records`]): a crypto-shred of one of the plan's
/// keys naming leaf ranges, each target checked by [`check_erasure_target`]. What it names
/// is added to `covered`.
fn check_erasure_record(
    item: &AppendItem,
    by_key: &BTreeMap<Hash32, &GroupErasure>,
    sealed: &BTreeMap<u64, Vec<FieldPath>>,
    covered: &mut Covered,
) -> Result<(), String> {
    let rec = Record::decode(&item.record).map_err(|e| e.to_string())?;
    let Body::RetentionDeletion(d) = &rec.payload().body else {
        return Err(format!(
            "is a {} record, not a retention-deletion",
            rec.payload().kind()
        ));
    };
    if d.method != DeletionMethod::CryptoShred {
        return Err("method: an erasure destroys keys (crypto-shred)".into());
    }
    let kid = d
        .shredded_key_id
        .expect("validated: crypto-shred has a key id");
    let g = by_key
        .get(&kid)
        .ok_or_else(|| format!("shredded_key_id {kid} is not a key this erasure destroys"))?;
    for (t, target) in d.targets.iter().enumerate() {
        if target.range != RangeType::Leaf {
            return Err(format!("targets.{t}: an erasure names leaf ranges"));
        }
        for leaf in target.first..=target.last {
            check_erasure_target(g, target, leaf, sealed, covered)
                .map_err(|m| format!("targets.{t}: {m}"))?;
        }
    }
    Ok(())
}

/// One leaf of a record's target: it has fields erased under the record's key (`g`), the
/// target names at least one, and covers no sealed field of the leaf's record that the plan
/// does not erase there.
fn check_erasure_target(
    g: &GroupErasure,
    target: &Target,
    leaf: u64,
    sealed: &BTreeMap<u64, Vec<FieldPath>>,
    covered: &mut Covered,
) -> Result<(), String> {
    let kid = g.key_id;
    let fields = g
        .erased
        .get(&leaf)
        .ok_or_else(|| format!("leaf {leaf} has nothing erased under key {kid}"))?;
    let mut any = false;
    for f in fields {
        if target.matches_field(f) {
            covered.insert((kid, leaf, f.clone()));
            any = true;
        }
    }
    if !any {
        return Err(format!("names no field erased at leaf {leaf}"));
    }
    // A record must never claim an erasure that did not happen: a field kept, or one whose
    // disclosure was never stored (a missing field is not an erased one).
    let here = sealed.get(&leaf).map_or(&[][..], Vec::as_slice);
    let Some(p) = here
        .iter()
        .find(|p| target.matches_field(p) && !fields.contains(p))
    else {
        return Ok(());
    };
    let kept = g.survivors.iter().any(|(_, entries)| {
        entries
            .binary_search_by_key(&leaf, |e| e.0)
            .is_ok_and(|pos| entries[pos].1.iter().any(|d| d.path == *p))
    });
    let why = if kept {
        "which is kept"
    } else {
        "which this erasure does not erase (no disclosure of it is stored)"
    };
    Err(format!("covers leaf {leaf} field {p}, {why}"))
}
