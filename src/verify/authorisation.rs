//! Check 6: every data-access record names an authorisation that an authentic
//! authorisation-grant record of the pinned authorisation registry made valid at that leaf
//! (granted at an earlier leaf, not revoked at an earlier leaf, and the access's time inside
//! the grant's validity). Producers listed in the trust file's `authorisation_required` must
//! name one on every data access. Denied attempts are reported as such (verdict holds).
//!
//! Owns the authorisation table rebuilt from the registry's records: bounded by the number
//! of authorisations.

use std::collections::HashMap;

use crate::record::kinds::Body;
use crate::record::kinds::authorisation::AuthorisationAction;
use crate::record::types::Timestamp;
use crate::record::{Record, Status};

use super::report::{Check, Finding, Findings};
use super::state::GrantState;
use super::trust::Trust;

const C: Check = Check::Authorisation;

#[derive(Debug, Clone)]
struct Grant {
    leaf: u64,
    valid_from: Timestamp,
    valid_until: Option<Timestamp>,
    /// (leaf, effective from) of the revocation.
    revoked: Option<(u64, Timestamp)>,
}

#[derive(Debug, Default)]
pub(crate) struct Authorisations {
    grants: HashMap<String, Grant>,
}

impl Authorisations {
    /// The table of a resume point.
    pub fn resume(grants: &[GrantState]) -> Self {
        Authorisations {
            grants: grants
                .iter()
                .map(|g| {
                    (
                        g.id.clone(),
                        Grant {
                            leaf: g.leaf,
                            valid_from: Timestamp(g.valid_from_ms),
                            valid_until: g.valid_until_ms.map(Timestamp),
                            revoked: g.revoked.map(|[l, t]| (l, Timestamp(t))),
                        },
                    )
                })
                .collect(),
        }
    }

    /// The table, for a resume point (sorted by id).
    pub fn to_state(&self) -> Vec<GrantState> {
        let mut v: Vec<GrantState> = self
            .grants
            .iter()
            .map(|(id, g)| GrantState {
                id: id.clone(),
                leaf: g.leaf,
                valid_from_ms: g.valid_from.millis(),
                valid_until_ms: g.valid_until.map(Timestamp::millis),
                revoked: g.revoked.map(|(l, t)| [l, t.millis()]),
            })
            .collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    pub fn check(
        &mut self,
        leaf: u64,
        rec: &Record,
        authentic: bool,
        trust: &Trust,
        out: &mut Findings,
    ) {
        let p = rec.payload();
        let at = |f: Finding| f.at(leaf).record(&p.producer, p.seq);
        match &p.body {
            Body::Authorisation(a) => {
                if !authentic {
                    return;
                }
                if p.producer != trust.registry {
                    out.push(at(Finding::notice(
                        C,
                        "auth-not-registry",
                        format!(
                            "an authorisation record by {}, not by the pinned authorisation \
                             registry {}: ignored",
                            p.producer, trust.registry
                        ),
                    )));
                    return;
                }
                let id = a.authorisation_id.to_string();
                match a.action {
                    AuthorisationAction::Grant => match self.grants.get(&id) {
                        // A second grant of an id changes nothing: the first grant (and its
                        // revocation, if any) stands.
                        Some(first) => out.push(
                            at(Finding::violated(
                                C,
                                "auth-duplicate-grant",
                                format!(
                                    "grants authorisation {id} again (first granted at leaf \
                                     {}{}): ignored, the first grant{} stands",
                                    first.leaf,
                                    first.revoked.map_or(String::new(), |(l, _)| format!(
                                        ", revoked at leaf {l}"
                                    )),
                                    if first.revoked.is_some() {
                                        " and its revocation"
                                    } else {
                                        ""
                                    }
                                ),
                            ))
                            .evidence(
                                format!("one grant of {id} (leaf {})", first.leaf),
                                format!("another at leaf {leaf}"),
                            ),
                        ),
                        None => {
                            self.grants.insert(
                                id,
                                Grant {
                                    leaf,
                                    valid_from: a.valid_from,
                                    valid_until: a.valid_until,
                                    revoked: None,
                                },
                            );
                        }
                    },
                    AuthorisationAction::Revoke => match self.grants.get_mut(&id) {
                        Some(g) => {
                            g.revoked.get_or_insert((leaf, a.valid_from));
                        }
                        None => out.push(at(Finding::violated(
                            C,
                            "auth-revoke-unknown",
                            format!("revokes authorisation {id}, which was never granted"),
                        ))),
                    },
                }
            }
            Body::DataAccess(d) => {
                let denied = p.status == Status::Denied;
                let problem: Option<(&'static str, String, String, String)> = match &d
                    .actor
                    .authorisation_id
                {
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
                        Some(g) => match g.revoked {
                            Some((rl, from)) if p.occurred_at >= from => Some((
                                "auth-revoked",
                                format!(
                                    "names authorisation {id}, revoked at leaf {rl} (effective {})",
                                    from.to_rfc3339()
                                ),
                                format!("an authorisation valid at {}", p.occurred_at.to_rfc3339()),
                                format!("revoked at leaf {rl}"),
                            )),
                            _ if p.occurred_at < g.valid_from => Some((
                                "auth-not-yet-valid",
                                format!(
                                    "names authorisation {id} (granted at leaf {}) before it is valid",
                                    g.leaf
                                ),
                                format!("≥ {}", g.valid_from.to_rfc3339()),
                                p.occurred_at.to_rfc3339(),
                            )),
                            _ if g.valid_until.is_some_and(|u| p.occurred_at >= u) => Some((
                                "auth-expired",
                                format!(
                                    "names authorisation {id} (granted at leaf {}) after it expired",
                                    g.leaf
                                ),
                                format!(
                                    "< {}",
                                    g.valid_until.map(|u| u.to_rfc3339()).unwrap_or_default()
                                ),
                                p.occurred_at.to_rfc3339(),
                            )),
                            _ => None,
                        },
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
                    (false, None) => {}
                }
            }
            _ => {}
        }
    }
}
