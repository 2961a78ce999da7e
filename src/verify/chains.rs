//! Checks 4 and 5 per producer: the seq/prev chain (gap-free, unbroken, no repeats or forks,
//! declared resets reported), the heads in the auditor's state still present, heartbeats'
//! application counters equal to the records logged, the producers the trust file requires
//! to heartbeat not silent too long, references resolved (check 4); seq order, producer
//! time never backwards, within the maximum logging delay of the first checkpoint known to
//! include the record, authorisation records not logged after records dated more than that
//! delay later, and references pointing backwards (check 5).
//!
//! A unit of the driver ([`Unit`]): fed each record in leaf order, finishing with
//! [`Chains::heartbeats_due`], the second pass's [`resolve_old`] and [`Chains::finish`].
//! Owns the per-producer state of the streaming verifier: bounded by the number of producers
//! (each keeps its last [`WINDOW`] leaf hashes to resolve references) and of open items
//! (gaps not yet filled, references not yet resolved).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use crate::record::kinds::Body;
use crate::record::kinds::ProducerHeartbeat;
use crate::record::kinds::producer_heartbeat::Counter as HeartbeatCounter;
use crate::record::types::{Hash32, RecordRef, Timestamp};
use crate::record::{Kind, Record};

use super::driver::{RecordCtx, Unit};
use super::records::Registry;
use super::report::{Check, Finding, Findings};
use super::state::{AuditorState, ChainState, KnownHead, MAX_OPEN_ITEMS, RefState, Resume};
use super::trust::Trust;

/// Leaf hashes kept per producer to resolve references at once; older ones are resolved by
/// a second pass over the entries.
pub(crate) const WINDOW: usize = 4096;

#[derive(Debug, Default)]
struct Producer {
    next_seq: u64,
    head: Hash32,
    last_leaf: Option<u64>,
    last_time: Option<Timestamp>,
    /// Records per kind since the last heartbeat.
    counts: BTreeMap<Kind, u64>,
    counts_valid: bool,
    last_heartbeat_end: Option<Timestamp>,
    /// The last heartbeat's own time (`occurred_at`).
    last_heartbeat_at: Option<Timestamp>,
    /// Open gaps: seq ranges `[start, end)` not (yet) seen, and the leaf that revealed each.
    gaps: Vec<(u64, u64, u64)>,
    /// (seq, leaf hash) of the last records in chain order.
    recent: VecDeque<(u64, Hash32)>,
    /// The chain cannot be followed across unreadable entries: resynchronise on the next one.
    unsynced: bool,
    /// Records whose logging delay could not be determined: (count, first leaf).
    delay_undetermined: (u64, u64),
}

/// A reference waiting for its target.
#[derive(Debug, Clone)]
pub(crate) struct OpenRef {
    pub from_leaf: u64,
    pub from_producer: String,
    pub from_seq: u64,
    pub target: RecordRef,
}

/// Every reference a record makes to another record.
pub(crate) fn references(body: &Body) -> Vec<&RecordRef> {
    let mut v = Vec::new();
    match body {
        Body::Notification(n) => v.push(&n.sanction),
        Body::Appeal(a) => v.push(&a.sanction),
        Body::AppealDecision(d) => v.push(&d.appeal),
        Body::LegalHold(h) => {
            v.extend(h.scope.iter());
            v.extend(h.set_by.iter());
        }
        Body::CaseStatus(c) => {
            v.extend(c.scope.iter());
            v.extend(c.complaint.iter());
        }
        Body::RetentionPolicy(p) => v.extend(p.supersedes.iter()),
        Body::AccountSanction(s) => {
            if let Some(t) = &s.terms_clause {
                v.push(&t.publication);
            }
            if let Some(h) = s.detection.as_ref().and_then(|d| d.hash_list.as_ref()) {
                v.extend(h.publication.iter());
            }
        }
        _ => {}
    }
    v
}

pub(crate) struct Chains {
    producers: HashMap<String, Producer>,
    /// References to records not seen yet.
    forward: Vec<OpenRef>,
    /// References to records seen before but outside the window.
    old: Vec<OpenRef>,
    /// Heads from the auditor's state: producer → (seq, hash, leaf, matched?).
    known: HashMap<String, (KnownHead, Option<Hash32>)>,
    /// Known checkpoints (size, log time in seconds), ascending; the cursor indexes the
    /// first one whose size exceeds the current leaf.
    checkpoints: Vec<(u64, u64)>,
    cursor: usize,
    /// Heads from the auditor's state at or before the resume point of an incremental run:
    /// looked up in the earlier leaves by the second pass.
    past: Vec<KnownHead>,
    /// Entries could not be read: a producer's last heartbeat may be among them.
    lost: bool,
    /// The latest time of an authentic record not after its checkpoint's log time, and its
    /// leaf (`None`: carried over from before an incremental run's resume point).
    latest: Option<(Timestamp, Option<u64>)>,
}

/// What a run carries over to the next incremental run.
pub(crate) struct Carried {
    pub chains: Vec<ChainState>,
    pub forward_refs: Vec<RefState>,
}

impl Chains {
    pub fn new(state: &AuditorState, checkpoints: Vec<(u64, u64)>) -> Self {
        let known = state
            .producers
            .iter()
            .filter(|h| h.next_seq > 0)
            .map(|h| (h.producer.clone(), (h.clone(), None)))
            .collect();
        Chains {
            producers: HashMap::new(),
            forward: Vec::new(),
            old: Vec::new(),
            known,
            checkpoints,
            cursor: 0,
            past: Vec::new(),
            lost: false,
            latest: None,
        }
    }

    /// The chains of a resume point (`resume`), for an incremental run over the leaves from
    /// `resume.size` on. Heads of the auditor's state that the resumed chains already passed
    /// are matched against the resume point or looked up in the earlier leaves
    /// ([`Chains::past_heads`]). A stored kind name that does not parse is `Err`.
    pub fn resume(
        state: &AuditorState,
        checkpoints: Vec<(u64, u64)>,
        resume: &Resume,
    ) -> Result<Self, String> {
        let mut c = Chains::new(state, checkpoints);
        for (i, ch) in resume.chains.iter().enumerate() {
            c.producers
                .insert(ch.producer.clone(), Producer::from_state(i, ch)?);
        }
        for (i, r) in resume.forward_refs.iter().enumerate() {
            c.forward.push(OpenRef::from_state(i, r)?);
        }
        // The latest time before the resume point, bounded by the resume checkpoint's log
        // time (a record dated after it was already reported as time-after-checkpoint).
        let bound = c
            .checkpoints
            .iter()
            .find(|k| k.0 == resume.size)
            .map(|k| secs(k.1));
        let latest = c.producers.values().filter_map(|p| p.last_time).max();
        c.latest = latest.map(|l| (bound.map_or(l, |b| l.min(b)), None));
        c.split_past_heads();
        Ok(c)
    }

    /// Heads of the auditor's state that the resumed chains already passed: matched against
    /// the resume point (dropped when equal), or left for the second pass ([`Chains::past`]).
    fn split_past_heads(&mut self) {
        let names: Vec<String> = self.known.keys().cloned().collect();
        for name in names {
            let Some(p) = self.producers.get(&name) else {
                continue;
            };
            let h = &self.known[&name].0;
            if h.next_seq > p.next_seq {
                continue;
            }
            let (h, _) = self.known.remove(&name).expect("present");
            if h.next_seq == p.next_seq && h.head == p.head {
                continue;
            }
            self.past.push(h);
        }
        self.past.sort_by(|a, b| a.producer.cmp(&b.producer));
    }

    /// How many producer chains were followed (what check 4 examined).
    pub fn followed(&self) -> u64 {
        self.producers.len() as u64
    }

    /// (producer, seq) of the heads to look up in the leaves before the resume point.
    pub fn past_heads(&self) -> impl Iterator<Item = (String, u64)> + '_ {
        self.past
            .iter()
            .map(|h| (h.producer.clone(), h.next_seq - 1))
    }

    /// Entries before the next record could not be read.
    pub fn lost_entries(&mut self) {
        self.lost = true;
        for p in self.producers.values_mut() {
            p.unsynced = true;
            p.counts_valid = false;
        }
    }

    /// The chain, time and reference checks of one decoded record.
    fn check(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        let Some(after) = admitted(ctx, out) else {
            return;
        };
        let p = ctx.rec.payload();
        let name = p.producer.to_string();
        let st = self.producer(&name);
        let in_order = st.follow(ctx, out);
        if in_order {
            st.extend(ctx, after, out);
            self.see_known_head(&name, after, ctx.hash);
        }
        // Logging delay against the known checkpoints.
        self.check_delay(ctx.leaf, ctx.rec, ctx.trust, out);
        self.declared_reset(ctx, out);
        for r in references(&p.body) {
            self.reference(ctx.leaf, &name, p.seq, r, out);
        }
        if in_order {
            self.resolve_forward(ctx, &name, out);
        }
    }

    /// The state of a producer's chain; a new one is not followed (and its heartbeat
    /// counts not valid) while entries were lost before it.
    fn producer(&mut self, name: &str) -> &mut Producer {
        let lost = !self.producers.is_empty() && self.producers.values().any(|x| x.unsynced);
        self.producers
            .entry(name.to_string())
            .or_insert_with(|| Producer {
                counts_valid: !lost,
                unsynced: lost,
                ..Producer::default()
            })
    }

    /// The auditor's known head of `name` is reached when the chain's next seq passes it.
    fn see_known_head(&mut self, name: &str, next_seq: u64, leaf_hash: Hash32) {
        if let Some((h, seen)) = self.known.get_mut(name)
            && h.next_seq == next_seq
        {
            *seen = Some(leaf_hash);
        }
    }

    /// A producer reset declared by the registration authority (only an authentic
    /// authority record resets): the named producer's chain restarts at seq 0.
    fn declared_reset(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        let p = ctx.rec.payload();
        let Body::ProducerReset(r) = &p.body else {
            return;
        };
        if !ctx.authentic || p.producer != ctx.trust.authority {
            return;
        }
        let target = r.producer.to_string();
        out.push(at(
            ctx,
            Finding::notice(
                Check::Completeness,
                "chain-reset",
                format!(
                    "the registration authority declares that {target} lost its state ({}) and \
                     restarts its chain at seq 0: a declared gap",
                    r.reason
                ),
            ),
        ));
        let t = self.producers.entry(target).or_default();
        t.next_seq = 0;
        t.head = Hash32([0; 32]);
        t.counts_valid = false;
    }

    /// Resolve the forward references to this record (`name`, in chain order).
    fn resolve_forward(&mut self, ctx: &RecordCtx<'_>, name: &str, out: &mut Findings) {
        let seq = ctx.rec.payload().seq;
        let mut i = 0;
        while i < self.forward.len() {
            let o = &self.forward[i];
            if o.target.producer.as_str() == name && o.target.seq == seq {
                let o = self.forward.swap_remove(i);
                ref_found_later(&o, ctx.leaf, ctx.hash, out);
            } else {
                i += 1;
            }
        }
    }

    fn check_delay(&mut self, leaf: u64, rec: &Record, trust: &Trust, out: &mut Findings) {
        let p = rec.payload();
        while self.cursor < self.checkpoints.len() && self.checkpoints[self.cursor].0 <= leaf {
            self.cursor += 1;
        }
        let occurred = p.occurred_at.millis();
        let max = trust.max_delay_ms(p.producer.as_str());
        let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
        let Some(&(size, time)) = self.checkpoints.get(self.cursor) else {
            self.check_order_delay(leaf, rec, max, out);
            return;
        };
        if occurred > time.saturating_mul(1000) {
            out.push(
                at(Finding::violated(
                    Check::Ordering,
                    "time-after-checkpoint",
                    format!(
                        "the record's time is after the log's cosigned time of the checkpoint of \
                         size {size} that includes it"
                    ),
                ))
                .evidence(
                    format!("≤ {}", secs(time).to_rfc3339()),
                    p.occurred_at.to_rfc3339(),
                ),
            );
            return;
        }
        let prev = self.cursor.checked_sub(1).map(|i| self.checkpoints[i]);
        if let Some((psize, ptime)) = prev
            && occurred.saturating_add(max) < ptime.saturating_mul(1000)
        {
            out.push(
                at(Finding::violated(
                    Check::Ordering,
                    "time-logging-delay",
                    format!(
                        "logged after the checkpoint of size {psize} (log time {}), more than the \
                         maximum logging delay of {} s after the record's time",
                        secs(ptime).to_rfc3339(),
                        max / 1000
                    ),
                ))
                .evidence(
                    format!(
                        "logged by {}",
                        Timestamp(occurred.saturating_add(max)).to_rfc3339()
                    ),
                    format!("logged after {}", secs(ptime).to_rfc3339()),
                ),
            );
            self.raise_latest(leaf, p.occurred_at);
            return;
        }
        self.check_order_delay(leaf, rec, max, out);
        if occurred.saturating_add(max) < time.saturating_mul(1000)
            && let Some(st) = self.producers.get_mut(p.producer.as_str())
        {
            if st.delay_undetermined.0 == 0 {
                st.delay_undetermined.1 = leaf;
            }
            st.delay_undetermined.0 += 1;
        }
    }

    /// `time-order-delay`: an authorisation record (check 6 judges accesses by its time,
    /// whatever its log position) is logged after another record whose time is more than
    /// its maximum logging delay later — its log order contradicts the times: it was logged
    /// too late, or the other is dated ahead of its logging. Every record then raises the
    /// latest time seen.
    fn check_order_delay(&mut self, leaf: u64, rec: &Record, max: u64, out: &mut Findings) {
        let p = rec.payload();
        if let Some((latest, from)) = self.latest
            && p.kind() == Kind::Authorisation
            && p.occurred_at.millis().saturating_add(max) < latest.millis()
        {
            let other = from.map_or("a record before the resume point".to_string(), |l| {
                format!("leaf {l}")
            });
            out.push(
                Finding::violated(
                    Check::Ordering,
                    "time-order-delay",
                    format!(
                        "logged after {other}, whose time {} is more than the maximum logging \
                         delay of {} s after this record's: this record was logged too late, or \
                         the other is dated ahead of its logging",
                        latest.to_rfc3339(),
                        max / 1000
                    ),
                )
                .at(leaf)
                .record(&p.producer, p.seq)
                .evidence(
                    format!("time ≥ {}", Timestamp(latest.millis() - max).to_rfc3339()),
                    p.occurred_at.to_rfc3339(),
                ),
            );
        }
        self.raise_latest(leaf, p.occurred_at);
    }

    fn raise_latest(&mut self, leaf: u64, t: Timestamp) {
        if self.latest.is_none_or(|(l, _)| t > l) {
            self.latest = Some((t, Some(leaf)));
        }
    }

    fn reference(&mut self, leaf: u64, from: &str, seq: u64, r: &RecordRef, out: &mut Findings) {
        let open = OpenRef {
            from_leaf: leaf,
            from_producer: from.to_string(),
            from_seq: seq,
            target: r.clone(),
        };
        let Some(t) = self.producers.get(r.producer.as_str()) else {
            self.forward.push(open);
            return;
        };
        if r.seq >= t.next_seq || t.gaps.iter().any(|&(a, b, _)| (a..b).contains(&r.seq)) {
            self.forward.push(open);
            return;
        }
        match t.recent.iter().find(|(s, _)| *s == r.seq) {
            Some((_, h)) if *h == r.leaf_hash => {}
            Some((_, h)) => out.push(ref_mismatch(&open, *h)),
            None => self.old.push(open),
        }
    }

    /// Check 4's required heartbeats (the trust file's `heartbeat_required`): at the
    /// checkpoint's log time `at` (seconds), each listed producer's last heartbeat — or,
    /// with none, its first key registration — must be no older than its longest allowed
    /// silence. A producer the registration authority retired is judged at its retirement.
    pub fn heartbeats_due(
        &self,
        trust: &Trust,
        at: Option<u64>,
        registry: &Registry,
        out: &mut Findings,
    ) {
        for (name, &silence) in &trust.heartbeat_required {
            let Some(t) = at else {
                out.push(
                    Finding::undetermined(
                        Check::Completeness,
                        "heartbeat-overdue-undetermined",
                        format!(
                            "{name} must send a heartbeat at least every {silence} s, but the \
                             checkpoint has no log time to judge its silence at"
                        ),
                    )
                    .producer(name),
                );
                continue;
            };
            if let Some(f) = self.overdue(name.as_str(), silence, t, registry) {
                out.push(f);
            }
        }
    }

    /// Whether `name`, required to heartbeat at least every `silence` s, was silent longer
    /// at the log time `at` (or at its retirement).
    fn overdue(&self, name: &str, silence: u64, at: u64, registry: &Registry) -> Option<Finding> {
        let life = registry.producer_life(name);
        let retired = life.and_then(|l| l.1);
        let st = self.producers.get(name);
        let heartbeat = st.and_then(|p| p.last_heartbeat_at);
        let last = heartbeat.or(life.and_then(|l| l.0));
        let unknown = heartbeat.is_none() && life.is_some_and(|l| l.0.is_none());
        let what = if heartbeat.is_some() {
            "last heartbeat"
        } else {
            "registration (no heartbeat)"
        };
        let judged = retired.map_or(secs(at), |r| r.min(secs(at)));
        let limit = judged.millis().saturating_sub(silence.saturating_mul(1000));
        if last.is_some_and(|l| l.millis() >= limit) {
            return None;
        }
        let found = last.map_or("no heartbeat and no key registration".to_string(), |l| {
            format!("{what} {}", l.to_rfc3339())
        });
        let message = format!(
            "{name} must send a heartbeat at least every {silence} s; at {} ({}) its {found} is \
             older than that: its tail may have been dropped, or it stopped logging",
            judged.to_rfc3339(),
            if retired.is_some() {
                "its retirement"
            } else {
                "the checkpoint's log time"
            },
        );
        let f = if self.lost || unknown {
            let why = if unknown {
                format!(
                    "{name} must send a heartbeat at least every {silence} s and has sent none; \
                     its key registration's time is not in the resume point (a state file \
                     written before it was kept): run a full verification"
                )
            } else {
                format!("{message}; but entries could not be read, and may hold it")
            };
            Finding::undetermined(Check::Completeness, "heartbeat-overdue-undetermined", why)
        } else {
            Finding::violated(Check::Completeness, "heartbeat-overdue", message)
        };
        let mut f = f.producer(name).evidence(
            format!("a heartbeat at or after {}", Timestamp(limit).to_rfc3339()),
            found,
        );
        if let Some(l) = st.and_then(|p| p.last_leaf) {
            f = f.at(l);
        }
        Some(f)
    }

    /// References to records older than the window, for a second pass.
    pub fn take_old_refs(&mut self) -> Vec<OpenRef> {
        std::mem::take(&mut self.old)
    }

    /// Findings that need the whole log: unfilled gaps, unresolved references, the auditor's
    /// heads (those of [`Chains::past_heads`] as found in `found` by the second pass),
    /// undetermined delays. Returns the producers' heads for the new auditor state — only
    /// those of producers whose head in the auditor's state (if any) the log still holds, so
    /// a removed or replaced head is never forgotten — and what
    /// an incremental run carries over (`None` when it would hold more than
    /// [`MAX_OPEN_ITEMS`] open items, or a chain could not be followed).
    pub fn finish(
        self,
        found: &HashMap<(String, u64), Hash32>,
        out: &mut Findings,
    ) -> (Vec<KnownHead>, Option<Carried>) {
        let mut heads = Vec::new();
        let mut chains = Vec::new();
        let mut open = self.forward.len();
        let mut followed = true;
        let mut names: Vec<&String> = self.producers.keys().collect();
        names.sort();
        for name in names {
            let st = &self.producers[name];
            st.report_open(name, out);
            heads.push(KnownHead {
                producer: name.clone(),
                next_seq: st.next_seq,
                head: st.head,
                last_leaf: st.last_leaf,
            });
            open += st.gaps.len();
            followed &= !st.unsynced;
            chains.push(st.to_state(name));
        }
        let carried = Carried {
            chains,
            forward_refs: self.forward.iter().map(OpenRef::to_state).collect(),
        };
        for o in &self.forward {
            out.push(ref_missing(o).evidence(
                format!("{} seq {} in the log", o.target.producer, o.target.seq),
                "absent",
            ));
        }
        let kept = self.report_known_heads(found, out);
        heads.retain(|h| !kept.contains(&h.producer));
        (
            heads,
            (followed && open <= MAX_OPEN_ITEMS).then_some(carried),
        )
    }

    /// The auditor's heads (those of [`Chains::past_heads`] as found in `found`) the log no
    /// longer holds: replaced or removed. Returns their producers: a head the log no longer
    /// holds is kept (and reported again in every run): the auditor's head moves only along
    /// the chain, never backwards or sideways.
    fn report_known_heads(
        self,
        found: &HashMap<(String, u64), Hash32>,
        out: &mut Findings,
    ) -> HashSet<String> {
        let mut known: Vec<_> = self.known.into_iter().collect();
        known.extend(self.past.into_iter().map(|h| {
            let seen = found.get(&(h.producer.clone(), h.next_seq - 1)).copied();
            (h.producer.clone(), (h, seen))
        }));
        known.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept = HashSet::new();
        for (name, (h, seen)) in known {
            let seq = h.next_seq - 1;
            let mut f = match seen {
                Some(found) if found == h.head => continue,
                Some(found) => Finding::violated(
                    Check::Completeness,
                    "chain-head-mismatch",
                    format!(
                        "the auditor's state knows {name} seq {seq} with another leaf hash: the \
                         record was replaced"
                    ),
                )
                .evidence(h.head, found),
                None => {
                    let now = self.producers.get(&name).map_or(0, |p| p.next_seq);
                    head_missing(&name, &h, now)
                }
            }
            .record(&name, seq);
            if let Some(l) = h.last_leaf {
                f = f.at(l);
            }
            out.push(f);
            kept.insert(name);
        }
        kept
    }
}

/// `chain-head-missing`: the auditor knows `h`, the log's chain of `name` ends before it
/// (its next seq is `now`).
fn head_missing(name: &str, h: &KnownHead, now: u64) -> Finding {
    let seq = h.next_seq - 1;
    Finding::violated(
        Check::Completeness,
        "chain-head-missing",
        format!(
            "the auditor's state knows {name} up to seq {seq}, the log holds its chain only up to \
             seq {} : records were removed from the tail",
            now as i128 - 1
        ),
    )
    .evidence(
        format!("{name} seq {seq} ({})", h.head),
        format!("next seq {now}"),
    )
}

impl OpenRef {
    fn to_state(&self) -> RefState {
        RefState {
            from_leaf: self.from_leaf,
            from_producer: self.from_producer.clone(),
            from_seq: self.from_seq,
            producer: self.target.producer.to_string(),
            seq: self.target.seq,
            leaf_hash: self.target.leaf_hash,
        }
    }
}

impl Producer {
    /// Findings that need the whole log: the gaps never filled, the records whose logging
    /// delay could not be determined.
    fn report_open(&self, name: &str, out: &mut Findings) {
        for &(a, b, noticed) in &self.gaps {
            let (count, range) = if b - a == 1 {
                ("one record is".to_string(), String::new())
            } else {
                (format!("{} records are", b - a), format!("..{}", b - 1))
            };
            let f = Finding::violated(
                Check::Completeness,
                "chain-seq-gap",
                format!(
                    "{name}: {count} missing from the log (seq {a}{range}); leaf {noticed} \
                     continues after the gap"
                ),
            );
            out.push(
                f.at(noticed)
                    .record(name, a)
                    .evidence(format!("seq {a}"), format!("seq {b}")),
            );
        }
        let (n, first) = self.delay_undetermined;
        if n > 0 {
            let f = Finding::undetermined(
                Check::Ordering,
                "time-logging-delay-undetermined",
                format!(
                    "{name}: for {n} record(s) the logging delay cannot be determined: the \
                     earliest checkpoint known to include them is more than the maximum delay \
                     after their time, and no earlier checkpoint is known (keep the auditor's \
                     state between runs, or use witnesses)"
                ),
            );
            out.push(f.at(first).producer(name));
        }
    }

    /// The chain as a resume point keeps it.
    fn to_state(&self, name: &str) -> ChainState {
        ChainState {
            producer: name.to_string(),
            next_seq: self.next_seq,
            head: self.head,
            last_leaf: self.last_leaf,
            last_time_ms: self.last_time.map(Timestamp::millis),
            counts: self
                .counts
                .iter()
                .map(|(k, v)| (k.name().to_string(), *v))
                .collect(),
            counts_valid: self.counts_valid,
            last_heartbeat_end_ms: self.last_heartbeat_end.map(Timestamp::millis),
            last_heartbeat_at_ms: self.last_heartbeat_at.map(Timestamp::millis),
            gaps: self.gaps.iter().map(|&(a, b, l)| [a, b, l]).collect(),
        }
    }
}

/// Checks 4 and 5 as a unit of the driver.
impl Unit for Chains {
    fn checks(&self) -> &'static [Check] {
        &[Check::Completeness, Check::Ordering]
    }

    fn record(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        self.check(ctx, out);
    }

    fn lost(&mut self, _leaves: &std::ops::Range<u64>) {
        self.lost_entries();
    }
}

impl Producer {
    /// The chain `resume.chains[i]` of a resume point; a kind name that does not parse or a
    /// gap that is not a seq range is `Err`.
    fn from_state(i: usize, ch: &ChainState) -> Result<Self, String> {
        let counts = ch
            .counts
            .iter()
            .map(|(k, v)| {
                Kind::from_name(k)
                    .map(|k| (k, *v))
                    .ok_or_else(|| format!("resume.chains[{i}].counts: unknown kind {k:?}"))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        let gaps = ch.gaps.iter().enumerate().map(|(j, g)| {
            (g[0] < g[1]).then_some((g[0], g[1], g[2])).ok_or_else(|| {
                format!(
                    "resume.chains[{i}].gaps[{j}]: [{}, {}) is not a seq range",
                    g[0], g[1]
                )
            })
        });
        Ok(Producer {
            next_seq: ch.next_seq,
            head: ch.head,
            last_leaf: ch.last_leaf,
            last_time: ch.last_time_ms.map(Timestamp),
            counts,
            counts_valid: ch.counts_valid,
            last_heartbeat_end: ch.last_heartbeat_end_ms.map(Timestamp),
            last_heartbeat_at: ch
                .last_heartbeat_at_ms
                .or(ch.last_heartbeat_end_ms)
                .map(Timestamp),
            gaps: gaps.collect::<Result<_, _>>()?,
            ..Producer::default()
        })
    }
}

impl OpenRef {
    /// The reference `resume.forward_refs[i]` of a resume point.
    fn from_state(i: usize, r: &RefState) -> Result<Self, String> {
        let producer = crate::record::text::ProducerId::new(r.producer.as_str())
            .map_err(|e| format!("resume.forward_refs[{i}].producer: {e}"))?;
        Ok(OpenRef {
            from_leaf: r.from_leaf,
            from_producer: r.from_producer.clone(),
            from_seq: r.from_seq,
            target: RecordRef {
                producer,
                seq: r.seq,
                leaf_hash: r.leaf_hash,
            },
        })
    }
}

/// A finding about the record of `ctx`.
fn at(ctx: &RecordCtx<'_>, f: Finding) -> Finding {
    let p = ctx.rec.payload();
    f.at(ctx.leaf).record(&p.producer, p.seq)
}

/// Whether the record takes part in its producer's chain: `Some(seq + 1)` when it does. A
/// record that is not authentic (check 3) says nothing about its producer's chain: it
/// neither fills a gap nor counts toward a heartbeat, becomes a head or resolves a
/// reference. Nor does one with the largest representable seq.
fn admitted(ctx: &RecordCtx<'_>, out: &mut Findings) -> Option<u64> {
    let p = ctx.rec.payload();
    let name = &p.producer;
    if !ctx.authentic {
        out.push(at(
            ctx,
            Finding::undetermined(
                Check::Completeness,
                "chain-undetermined",
                format!(
                    "the record claiming to be {name} seq {} is not authentic (check 3): it is \
                     left out of {name}'s chain, heartbeat counts, references and time checks, \
                     so what {name} logged at this position cannot be determined",
                    p.seq
                ),
            ),
        ));
        return None;
    }
    let after = p.seq.checked_add(1);
    if after.is_none() {
        let f = Finding::violated(
            Check::Completeness,
            "chain-seq-overflow",
            format!(
                "{name} seq {} is the largest representable seq: no record can follow it, and \
                 no producer writes 2^64 records; the record is left out of the chain",
                p.seq
            ),
        );
        out.push(at(ctx, f).evidence(format!("seq < {}", p.seq), format!("seq {}", p.seq)));
    }
    after
}

impl Producer {
    /// Follow the chain to this record's seq: the next one (its prev must be the head), one
    /// ahead (a gap opens), or an earlier one ([`Producer::earlier`]). Returns whether the
    /// record extends the chain.
    fn follow(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) -> bool {
        let p = ctx.rec.payload();
        self.resync(ctx, out);
        if p.seq == self.next_seq {
            if p.prev != self.head {
                let f = Finding::violated(
                    Check::Completeness,
                    "chain-prev-mismatch",
                    format!(
                        "{} seq {}: prev is not the leaf hash of its previous record (seq {}): \
                         the chain is broken (a record was altered, replaced or removed)",
                        p.producer,
                        p.seq,
                        p.seq.wrapping_sub(1)
                    ),
                );
                out.push(at(ctx, f).evidence(self.head, p.prev));
            }
            true
        } else if p.seq > self.next_seq {
            self.gaps.push((self.next_seq, p.seq, ctx.leaf));
            self.counts_valid = false;
            true
        } else {
            self.earlier(ctx, out);
            false
        }
    }

    /// After unreadable entries, the chain resumes at this record.
    fn resync(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        if !self.unsynced {
            return;
        }
        let p = ctx.rec.payload();
        self.unsynced = false;
        if p.seq != self.next_seq {
            out.push(at(
                ctx,
                Finding::undetermined(
                    Check::Completeness,
                    "chain-undetermined",
                    format!(
                        "{}'s chain cannot be followed across unreadable entries (next seq \
                         known was {})",
                        p.producer, self.next_seq
                    ),
                ),
            ));
        }
        self.next_seq = p.seq;
        self.head = p.prev;
    }

    /// A seq below the next one expected: one in an open gap fills it, logged out of order
    /// (check 5); any other was logged before (a repeat, or a fork when it differs).
    fn earlier(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        let p = ctx.rec.payload();
        let (name, seq, leaf) = (&p.producer, p.seq, ctx.leaf);
        let Some(g) = self
            .gaps
            .iter()
            .position(|&(a, b, _)| (a..b).contains(&seq))
        else {
            self.repeat(ctx, out);
            return;
        };
        let (a, b, noticed) = self.gaps.remove(g);
        if a < seq {
            self.gaps.push((a, seq, noticed));
        }
        if seq + 1 < b {
            self.gaps.push((seq + 1, b, noticed));
        }
        let f = Finding::violated(
            Check::Ordering,
            "order-seq",
            format!(
                "{name} seq {seq} is logged out of order: leaf {noticed} already holds a later \
                 seq of {name}"
            ),
        );
        out.push(at(ctx, f).evidence(
            format!("seq {seq} before leaf {noticed}"),
            format!("leaf {leaf}"),
        ));
    }

    /// A seq the chain already passed: a replay of the same record, a second different
    /// record with that seq (a fork), or, beyond the window, a repeat.
    fn repeat(&self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        let p = ctx.rec.payload();
        let earlier = self
            .recent
            .iter()
            .find(|(s, _)| *s == p.seq)
            .map(|(_, h)| *h);
        let (code, what) = match earlier {
            Some(h) if h == ctx.hash => (
                "chain-seq-repeat",
                "a replay of the same record".to_string(),
            ),
            Some(h) => (
                "chain-fork",
                format!(
                    "a second, different record with this seq (the first has leaf hash {h}): \
                     the chain forks"
                ),
            ),
            None => ("chain-seq-repeat", "a repeat of an earlier seq".to_string()),
        };
        let f = Finding::violated(
            Check::Completeness,
            code,
            format!("{} seq {} was already logged: {what}", p.producer, p.seq),
        );
        out.push(at(ctx, f).evidence(format!("seq {}", self.next_seq), format!("seq {}", p.seq)));
    }

    /// The record extends the chain (next seq `after`): it becomes the head; its time must
    /// not go backwards; a heartbeat is checked against the counts, any other record counted.
    fn extend(&mut self, ctx: &RecordCtx<'_>, after: u64, out: &mut Findings) {
        let p = ctx.rec.payload();
        self.next_seq = after;
        self.head = ctx.hash;
        self.last_leaf = Some(ctx.leaf);
        self.recent.push_back((p.seq, ctx.hash));
        if self.recent.len() > WINDOW {
            self.recent.pop_front();
        }
        // Time never backwards within a producer.
        if let Some(last) = self.last_time
            && p.occurred_at < last
        {
            let f = Finding::violated(
                Check::Ordering,
                "time-backwards",
                format!("{}'s time goes backwards at seq {}", p.producer, p.seq),
            );
            out.push(at(ctx, f).evidence(
                format!("≥ {}", last.to_rfc3339()),
                p.occurred_at.to_rfc3339(),
            ));
        }
        self.last_time = Some(
            self.last_time
                .map_or(p.occurred_at, |l| l.max(p.occurred_at)),
        );
        match &p.body {
            Body::ProducerHeartbeat(hb) => self.heartbeat(ctx, hb, out),
            _ => *self.counts.entry(p.kind()).or_default() += 1,
        }
    }

    /// A heartbeat: its period follows the last one's, each counter equals the records
    /// logged since; the counts restart.
    fn heartbeat(&mut self, ctx: &RecordCtx<'_>, hb: &ProducerHeartbeat, out: &mut Findings) {
        let p = ctx.rec.payload();
        if let Some(end) = self.last_heartbeat_end
            && hb.period_start > end
        {
            let f = Finding::violated(
                Check::Completeness,
                "heartbeat-missing",
                format!(
                    "{}: no heartbeat covers the period before this one",
                    p.producer
                ),
            );
            out.push(at(ctx, f).evidence(
                format!("period_start {}", end.to_rfc3339()),
                format!("period_start {}", hb.period_start.to_rfc3339()),
            ));
        }
        for c in &hb.counters {
            self.counter(ctx, c, out);
        }
        self.counts.clear();
        self.counts_valid = true;
        self.last_heartbeat_end = Some(hb.period_end);
        self.last_heartbeat_at = Some(p.occurred_at);
    }

    /// One heartbeat counter against the records of its kind logged since the last one.
    fn counter(&self, ctx: &RecordCtx<'_>, c: &HeartbeatCounter, out: &mut Findings) {
        let name = &ctx.rec.payload().producer;
        let logged = self.counts.get(&c.kind).copied().unwrap_or(0);
        if !self.counts_valid {
            out.push(at(
                ctx,
                Finding::undetermined(
                    Check::Completeness,
                    "heartbeat-undetermined",
                    format!(
                        "{name} heartbeat counter {}: the records since the last heartbeat \
                         cannot all be counted (the chain has a gap)",
                        c.name
                    ),
                ),
            ));
        } else if logged != c.value {
            let f = Finding::violated(
                Check::Completeness,
                "heartbeat-counter-mismatch",
                format!(
                    "{name}'s own counter {} says {} {} operations since the last heartbeat, the \
                     log holds {logged} such records: {}",
                    c.name,
                    c.value,
                    c.kind,
                    if logged < c.value {
                        "operations went unlogged"
                    } else {
                        "more records than operations"
                    }
                ),
            );
            out.push(at(ctx, f).evidence(c.value, logged));
        }
    }
}

/// A log time in seconds as a [`Timestamp`] (saturating: log times come from the input).
fn secs(t: u64) -> Timestamp {
    Timestamp(t.saturating_mul(1000))
}

fn ref_mismatch(o: &OpenRef, found: Hash32) -> Finding {
    Finding::violated(
        Check::Completeness,
        "ref-hash-mismatch",
        format!(
            "references {} seq {} with a leaf hash that is not the logged record's",
            o.target.producer, o.target.seq
        ),
    )
    .at(o.from_leaf)
    .record(&o.from_producer, o.from_seq)
    .evidence(o.target.leaf_hash, found)
}

fn ref_found_later(o: &OpenRef, leaf: u64, leaf_hash: Hash32, out: &mut Findings) {
    if leaf_hash != o.target.leaf_hash {
        out.push(ref_mismatch(o, leaf_hash));
    }
    out.push(
        Finding::violated(
            Check::Ordering,
            "ref-forward",
            format!(
                "references {} seq {}, which is logged later (leaf {leaf}): references must \
                 point backwards",
                o.target.producer, o.target.seq
            ),
        )
        .at(o.from_leaf)
        .record(&o.from_producer, o.from_seq)
        .evidence(
            format!("a record before leaf {}", o.from_leaf),
            format!("leaf {leaf}"),
        ),
    );
}

/// Resolve references to old records in a second pass: `lookup` is called with each wanted
/// (producer, seq) → leaf hash found in the log.
pub(crate) fn resolve_old(
    refs: &[OpenRef],
    found: &HashMap<(String, u64), Hash32>,
    out: &mut Findings,
) {
    for o in refs {
        match found.get(&(o.target.producer.to_string(), o.target.seq)) {
            Some(h) if *h == o.target.leaf_hash => {}
            Some(h) => out.push(ref_mismatch(o, *h)),
            None => out.push(ref_missing(o)),
        }
    }
}

/// `ref-missing`: the record `o` references is not in the log.
fn ref_missing(o: &OpenRef) -> Finding {
    Finding::violated(
        Check::Completeness,
        "ref-missing",
        format!(
            "references {} seq {}, which is not in the log",
            o.target.producer, o.target.seq
        ),
    )
    .at(o.from_leaf)
    .record(&o.from_producer, o.from_seq)
}
