//! Check 6: every data-access record names an authorisation that an authentic
//! authorisation-grant record of the pinned authorisation registry made valid at that leaf
//! (granted at an earlier leaf, the access's time inside the grant's validity), and that no
//! revocation issued by the access's time revoked — judged by time (a revocation takes
//! effect from the later of its `valid_from` and its issue), wherever the revocation sits in
//! the log; a retroactive one is a notice. Producers listed in the trust file's
//! `authorisation_required` must name one on every data access. Denied attempts are reported
//! as such (verdict holds). Records that are not authentic (check 3) take no part.
//!
//! A unit of the driver ([`Unit`]), fed each record in leaf order with check 3's verdict.
//! Owns the authorisation table rebuilt from the registry's records, with each
//! authorisation's recent lawful accesses for revocations logged after them: bounded by the
//! number of authorisations times [`RECENT_ACCESSES`], and in time by the registry's maximum
//! logging delay before the previous known checkpoint (docs/CHECKS.md §6).

use std::collections::{HashMap, VecDeque};

use crate::record::kinds::Body;
use crate::record::kinds::authorisation::{Authorisation, AuthorisationAction};
use crate::record::kinds::data_access::DataAccess;
use crate::record::types::Timestamp;
use crate::record::{Payload, Status};

use super::driver::{RecordCtx, Unit};
use super::report::{Check, Finding, Findings};
use super::state::{AccessState, GrantState};
use super::trust::Trust;

const C: Check = Check::Authorisation;

/// Accesses kept per authorisation to be judged again when a revocation arrives later in log
/// order; beyond it the oldest are dropped (and a later revocation that may cover them is
/// reported as `auth-revoked-undetermined`).
pub(crate) const RECENT_ACCESSES: usize = 4096;

/// The revocation that takes effect first.
#[derive(Debug, Clone, Copy)]
struct Revocation {
    leaf: u64,
    /// When the registry issued it (the revocation record's `occurred_at`).
    issued: Timestamp,
    /// The later of its `valid_from` and its issue time.
    effective: Timestamp,
}

/// An access that named an authorisation and was judged lawful when it was read.
#[derive(Debug, Clone)]
struct Access {
    leaf: u64,
    at: Timestamp,
    producer: String,
    seq: u64,
}

#[derive(Debug, Clone)]
struct Grant {
    leaf: u64,
    valid_from: Timestamp,
    valid_until: Option<Timestamp>,
    revoked: Option<Revocation>,
    /// Accesses judged lawful, in leaf order, at most [`RECENT_ACCESSES`], none older than
    /// the registry's maximum logging delay before the previous known checkpoint.
    recent: VecDeque<Access>,
    /// The latest time of an access dropped from `recent` by its cap.
    evicted: Option<Timestamp>,
}

#[derive(Debug, Default)]
pub(crate) struct Authorisations {
    grants: HashMap<String, Grant>,
    /// Known checkpoints (size, log time in seconds), ascending; the cursor indexes the
    /// first one whose size exceeds the current leaf.
    checkpoints: Vec<(u64, u64)>,
    cursor: usize,
    /// Authentic data accesses judged: naming an authorisation, or by a producer required
    /// to name one.
    judged: u64,
}

impl Authorisations {
    /// An empty table; `checkpoints` are the known checkpoints (size, log time), ascending.
    pub fn new(checkpoints: Vec<(u64, u64)>) -> Self {
        Authorisations {
            grants: HashMap::new(),
            checkpoints,
            cursor: 0,
            judged: 0,
        }
    }

    /// How many data accesses were judged (what check 6 examined).
    pub fn judged(&self) -> u64 {
        self.judged
    }

    /// The table of a resume point.
    pub fn resume(grants: &[GrantState], checkpoints: Vec<(u64, u64)>) -> Self {
        let mut a = Authorisations::new(checkpoints);
        a.grants = grants
            .iter()
            .map(|g| {
                let grant = Grant {
                    leaf: g.leaf,
                    valid_from: Timestamp(g.valid_from_ms),
                    valid_until: g.valid_until_ms.map(Timestamp),
                    revoked: g.revoked.map(|[l, t]| Revocation {
                        leaf: l,
                        issued: Timestamp(g.revoked_issued_ms.unwrap_or(t)),
                        effective: Timestamp(t),
                    }),
                    recent: g
                        .recent
                        .iter()
                        .map(|r| Access {
                            leaf: r.leaf,
                            at: Timestamp(r.at_ms),
                            producer: r.producer.clone(),
                            seq: r.seq,
                        })
                        .collect(),
                    evicted: g.evicted_ms.map(Timestamp),
                };
                (g.id.clone(), grant)
            })
            .collect();
        a
    }

    /// The table, for a resume point (sorted by id). Accesses that no revocation logged in
    /// time after the last known checkpoint can reach are left out.
    pub fn to_state(&self, delay_ms: u64) -> Vec<GrantState> {
        let horizon = self
            .checkpoints
            .last()
            .map_or(0, |c| c.1.saturating_mul(1000));
        let mut v: Vec<GrantState> = self
            .grants
            .iter()
            .map(|(id, g)| GrantState {
                id: id.clone(),
                leaf: g.leaf,
                valid_from_ms: g.valid_from.millis(),
                valid_until_ms: g.valid_until.map(Timestamp::millis),
                revoked: g.revoked.map(|r| [r.leaf, r.effective.millis()]),
                revoked_issued_ms: g.revoked.map(|r| r.issued.millis()),
                recent: g
                    .recent
                    .iter()
                    .filter(|a| a.at.millis().saturating_add(delay_ms) >= horizon)
                    .map(|a| AccessState {
                        leaf: a.leaf,
                        at_ms: a.at.millis(),
                        producer: a.producer.clone(),
                        seq: a.seq,
                    })
                    .collect(),
                evicted_ms: g.evicted.map(Timestamp::millis),
            })
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// The log time (ms) of the last known checkpoint that does not include `leaf`.
    fn previous_checkpoint_ms(&mut self, leaf: u64) -> Option<u64> {
        while self.cursor < self.checkpoints.len() && self.checkpoints[self.cursor].0 <= leaf {
            self.cursor += 1;
        }
        let i = self.cursor.checked_sub(1)?;
        Some(self.checkpoints[i].1.saturating_mul(1000))
    }

    /// A record of the authorisation registry: a grant or a revocation (by anyone else,
    /// ignored).
    fn registry_record(
        &mut self,
        leaf: u64,
        p: &Payload,
        a: &Authorisation,
        trust: &Trust,
        out: &mut Findings,
    ) {
        let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
        if p.producer != trust.registry {
            out.push(at(Finding::notice(
                C,
                "auth-not-registry",
                format!(
                    "an authorisation record by {}, not by the pinned authorisation registry {}: \
                     ignored",
                    p.producer, trust.registry
                ),
            )));
            return;
        }
        match a.action {
            AuthorisationAction::Grant => self.grant(leaf, p, a, out),
            AuthorisationAction::Revoke => self.revocation(leaf, p, a, out),
        }
    }

    /// A grant; a second grant of an id changes nothing: the first grant (and its
    /// revocation, if any) stands.
    fn grant(&mut self, leaf: u64, p: &Payload, a: &Authorisation, out: &mut Findings) {
        let id = a.authorisation_id.to_string();
        let Some(first) = self.grants.get(&id) else {
            self.grants.insert(
                id,
                Grant {
                    leaf,
                    valid_from: a.valid_from,
                    valid_until: a.valid_until,
                    revoked: None,
                    recent: VecDeque::new(),
                    evicted: None,
                },
            );
            return;
        };
        let f = Finding::violated(
            C,
            "auth-duplicate-grant",
            format!(
                "grants authorisation {id} again (first granted at leaf {}{}): ignored, the first \
                 grant{} stands",
                first.leaf,
                first
                    .revoked
                    .map_or(String::new(), |r| format!(", revoked at leaf {}", r.leaf)),
                if first.revoked.is_some() {
                    " and its revocation"
                } else {
                    ""
                }
            ),
        );
        out.push(f.at(leaf).record(&p.producer, p.seq).evidence(
            format!("one grant of {id} (leaf {})", first.leaf),
            format!("another at leaf {leaf}"),
        ));
    }

    /// A revocation, effective from the later of its `valid_from` and its issue (an earlier
    /// `valid_from` is a notice).
    fn revocation(&mut self, leaf: u64, p: &Payload, a: &Authorisation, out: &mut Findings) {
        let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
        let id = a.authorisation_id.to_string();
        let rv = Revocation {
            leaf,
            issued: p.occurred_at,
            effective: a.valid_from.max(p.occurred_at),
        };
        if a.valid_from < p.occurred_at {
            out.push(at(Finding::notice(
                C,
                "auth-revocation-retroactive",
                format!(
                    "revokes authorisation {id} with effect from {}, before it was issued ({}): \
                     accesses made before the issue were lawful when made, and are judged \
                     against it only from its issue on",
                    a.valid_from.to_rfc3339(),
                    p.occurred_at.to_rfc3339()
                ),
            ))
            .evidence(
                format!("effective ≥ {}", p.occurred_at.to_rfc3339()),
                format!("effective {}", a.valid_from.to_rfc3339()),
            ));
        }
        match self.grants.get_mut(&id) {
            Some(g) => revoke(g, &id, rv, out),
            None => out.push(at(Finding::violated(
                C,
                "auth-revoke-unknown",
                format!("revokes authorisation {id}, which was never granted"),
            ))),
        }
    }

    fn access(
        &mut self,
        leaf: u64,
        p: &Payload,
        d: &DataAccess,
        trust: &Trust,
        out: &mut Findings,
    ) {
        let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
        if d.actor.authorisation_id.is_some() || trust.authorisation_required.contains(&p.producer)
        {
            self.judged += 1;
        }
        let denied = p.status == Status::Denied;
        let problem = match &d.actor.authorisation_id {
            None => trust.authorisation_required.contains(&p.producer).then(|| {
                (
                    "auth-missing",
                    format!(
                        "a {} data access by {} names no authorisation",
                        d.action, d.actor.role
                    ),
                    "an authorisation id".to_string(),
                    "none".to_string(),
                )
            }),
            Some(id) => match self.grants.get(id.as_str()) {
                None => Some((
                    "auth-unknown",
                    format!(
                        "names authorisation {id}, which the registry {} had not granted at this leaf",
                        trust.registry
                    ),
                    format!("a grant of {id} before leaf {leaf}"),
                    "none".to_string(),
                )),
                Some(g) => judge(g, id.as_str(), p.occurred_at),
            },
        };
        match (denied, problem) {
            (false, Some((code, msg, expected, found))) => {
                out.push(at(Finding::violated(C, code, msg)).evidence(expected, found));
            }
            (true, problem) => out.push(at(Finding::notice(
                C,
                "auth-denied-attempt",
                format!(
                    "a denied {} attempt, logged as such{}",
                    d.action,
                    problem
                        .map(|(_, m, _, _)| format!(": it {m}"))
                        .unwrap_or_default()
                ),
            ))),
            (false, None) => {
                if let Some(id) = &d.actor.authorisation_id {
                    let horizon = self
                        .previous_checkpoint_ms(leaf)
                        .map(|t| t.saturating_sub(trust.max_delay_ms(trust.registry.as_str())));
                    if let Some(g) = self.grants.get_mut(id.as_str()) {
                        remember(
                            g,
                            horizon,
                            Access {
                                leaf,
                                at: p.occurred_at,
                                producer: p.producer.to_string(),
                                seq: p.seq,
                            },
                        );
                    }
                }
            }
        }
    }
}

/// Check 6 as a unit of the driver.
impl Unit for Authorisations {
    fn checks(&self) -> &'static [Check] {
        &[C]
    }

    /// Judge one record: an access, or the registry's grant or revocation.
    fn record(&mut self, ctx: &RecordCtx<'_>, out: &mut Findings) {
        // A record that is not authentic (check 3) takes part in no later check: a forged
        // grant grants nothing, a forged access is no access (nor a denied attempt).
        if !ctx.authentic {
            return;
        }
        let p = ctx.rec.payload();
        match &p.body {
            Body::Authorisation(a) => self.registry_record(ctx.leaf, p, a, ctx.trust, out),
            Body::DataAccess(d) => self.access(ctx.leaf, p, d, ctx.trust, out),
            _ => {}
        }
    }
}

type Problem = (&'static str, String, String, String);

/// What is wrong with an access at time `t` under grant `g`, if anything: judged against
/// the revocation issued by `t` (effective from the later of its `valid_from` and its issue),
/// wherever it sits in the log, and the grant's validity.
fn judge(g: &Grant, id: &str, t: Timestamp) -> Option<Problem> {
    match g.revoked {
        Some(r) if t >= r.effective => Some((
            "auth-revoked",
            format!(
                "names authorisation {id}, revoked at leaf {} (issued {}, effective {})",
                r.leaf,
                r.issued.to_rfc3339(),
                r.effective.to_rfc3339()
            ),
            format!("an authorisation valid at {}", t.to_rfc3339()),
            format!("revoked at leaf {}", r.leaf),
        )),
        _ if t < g.valid_from => Some((
            "auth-not-yet-valid",
            format!(
                "names authorisation {id} (granted at leaf {}) before it is valid",
                g.leaf
            ),
            format!("≥ {}", g.valid_from.to_rfc3339()),
            t.to_rfc3339(),
        )),
        _ if g.valid_until.is_some_and(|u| t >= u) => Some((
            "auth-expired",
            format!(
                "names authorisation {id} (granted at leaf {}) after it expired",
                g.leaf
            ),
            format!(
                "< {}",
                g.valid_until.map(|u| u.to_rfc3339()).unwrap_or_default()
            ),
            t.to_rfc3339(),
        )),
        _ => None,
    }
}

/// Keep a lawful access for re-judging: accesses older than the registry's maximum delay
/// before the previous known checkpoint (`horizon`) are dropped — a revocation issued before
/// them and logged after that checkpoint is itself late (check 5, `time-logging-delay`).
fn remember(g: &mut Grant, horizon: Option<u64>, a: Access) {
    g.recent.push_back(a);
    if let Some(h) = horizon {
        while g.recent.front().is_some_and(|x| x.at.millis() < h) {
            g.recent.pop_front();
        }
    }
    if g.recent.len() > RECENT_ACCESSES
        && let Some(x) = g.recent.pop_front()
    {
        g.evicted = Some(g.evicted.map_or(x.at, |e| e.max(x.at)));
    }
}

/// Apply a revocation to its grant: the one effective first stands; accesses logged before
/// it but made after it took effect are violations now.
fn revoke(g: &mut Grant, id: &str, rv: Revocation, out: &mut Findings) {
    if g.revoked.is_none_or(|r| rv.effective < r.effective) {
        g.revoked = Some(rv);
    }
    let (late, kept): (Vec<Access>, Vec<Access>) =
        g.recent.drain(..).partition(|a| a.at >= rv.effective);
    g.recent = kept.into();
    for a in late {
        out.push(
            Finding::violated(
                C,
                "auth-revoked",
                format!(
                    "names authorisation {id}, revoked by the revocation at leaf {} (issued {}, \
                     effective {}): the access is logged before the revocation but was made \
                     after it took effect",
                    rv.leaf,
                    rv.issued.to_rfc3339(),
                    rv.effective.to_rfc3339()
                ),
            )
            .at(a.leaf)
            .record(&a.producer, a.seq)
            .evidence(
                format!("an authorisation valid at {}", a.at.to_rfc3339()),
                format!("revoked at leaf {}", rv.leaf),
            ),
        );
    }
    if let Some(e) = g.evicted.filter(|e| *e >= rv.effective) {
        out.push(
            Finding::undetermined(
                C,
                "auth-revoked-undetermined",
                format!(
                    "the revocation of {id} at leaf {} is effective from {}, but accesses naming \
                     {id} made up to {} were logged too long before it to be judged again \
                     (more than {RECENT_ACCESSES} accesses back): whether they were revoked \
                     cannot be determined",
                    rv.leaf,
                    rv.effective.to_rfc3339(),
                    e.to_rfc3339()
                ),
            )
            .at(rv.leaf),
        );
    }
}
