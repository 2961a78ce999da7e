//! Data-access statistics: accesses per organisation, role, legal basis, purpose and UTC
//! month; denied attempts and errors (the envelope's `status`, ATNA outcome); break-glass
//! uses (`actor.break_glass`, or the action `emergency-access`); and per authorisation the
//! busiest and those used after their revocation — the latter as check 6 of the verifier
//! judged it (its `auth-revoked` findings), not judged again here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::record::Payload;
use crate::record::Status;
use crate::record::kinds::data_access::{Action, DataAccess};

use super::coverage::MAX_LISTED;

/// Authorisations listed as the busiest.
pub const BUSIEST: usize = 10;

/// A record named by its place in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct At {
    pub leaf: u64,
    pub producer: String,
    pub seq: u64,
    pub time: String,
}

impl At {
    pub(crate) fn of(leaf: u64, p: &Payload) -> At {
        At {
            leaf,
            producer: p.producer.to_string(),
            seq: p.seq,
            time: p.occurred_at.to_rfc3339(),
        }
    }
}

/// A denied attempt, with the authorisation it named and check 6's reason when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Denied {
    #[serde(flatten)]
    pub at: At,
    pub organisation: String,
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorisation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check6: Option<String>,
}

/// One authorisation's use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorisationUse {
    pub authorisation_id: String,
    pub accesses: u64,
    pub denied: u64,
}

/// An access check 6 found made under a revoked authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfterRevocation {
    pub authorisation_id: String,
    #[serde(flatten)]
    pub at: At,
}

/// Accesses that check 6 found made after their authorisation's revocation, or why that is
/// not known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum UsedAfterRevocation {
    Determined {
        accesses: Vec<AfterRevocation>,
        /// Counted by the verifier beyond its list cap: not attributed here.
        unlisted: u64,
    },
    NotDetermined {
        why: String,
    },
}

/// Per-authorisation statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Authorisations {
    /// Distinct authorisation ids named by data accesses.
    pub named: u64,
    /// Data accesses that named none.
    pub accesses_without: u64,
    /// The [`BUSIEST`] with the most accesses (ties by id).
    pub busiest: Vec<AuthorisationUse>,
    pub used_after_revocation: UsedAfterRevocation,
}

/// Data-access statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accesses {
    /// Data-access records with status `ok` (the counts below are of these).
    pub total: u64,
    pub by_organisation: BTreeMap<String, u64>,
    pub by_role: BTreeMap<String, u64>,
    pub by_legal_basis: BTreeMap<String, u64>,
    pub by_purpose: BTreeMap<String, u64>,
    /// `YYYY-MM`, UTC.
    pub by_month: BTreeMap<String, u64>,
    /// Attempts logged with status `denied`.
    pub denied: u64,
    pub denied_by_organisation: BTreeMap<String, u64>,
    /// The first [`MAX_LISTED`] denied attempts.
    pub denied_attempts: Vec<Denied>,
    /// Attempts logged with status `error`.
    pub errors: u64,
    /// Break-glass uses (any status).
    pub break_glass: u64,
    pub break_glass_by_organisation: BTreeMap<String, u64>,
    /// The first [`MAX_LISTED`] break-glass uses.
    pub break_glass_uses: Vec<At>,
    pub authorisations: Authorisations,
}

/// Counts accesses as they stream by.
#[derive(Debug, Default)]
pub(crate) struct AccessTally {
    a: AccessCounts,
    per_auth: BTreeMap<String, (u64, u64)>,
    without: u64,
    after: Vec<AfterRevocation>,
}

#[derive(Debug, Default)]
struct AccessCounts {
    total: u64,
    by_organisation: BTreeMap<String, u64>,
    by_role: BTreeMap<String, u64>,
    by_legal_basis: BTreeMap<String, u64>,
    by_purpose: BTreeMap<String, u64>,
    by_month: BTreeMap<String, u64>,
    denied: u64,
    denied_by_organisation: BTreeMap<String, u64>,
    denied_attempts: Vec<Denied>,
    errors: u64,
    break_glass: u64,
    break_glass_by_organisation: BTreeMap<String, u64>,
    break_glass_uses: Vec<At>,
}

fn bump(m: &mut BTreeMap<String, u64>, k: &str) {
    *m.entry(k.to_string()).or_default() += 1;
}

impl AccessTally {
    /// One authentic data-access record at `leaf`; `revoked` holds the leaves of check 6's
    /// `auth-revoked` findings, `denied_why` check 6's reasons for denied attempts.
    pub fn add(
        &mut self,
        leaf: u64,
        p: &Payload,
        d: &DataAccess,
        revoked: Option<&BTreeSet<u64>>,
        denied_why: &BTreeMap<u64, String>,
    ) {
        let (org, role) = (d.actor.organisation.as_str(), d.actor.role.as_str());
        let auth = d.actor.authorisation_id.as_ref().map(|i| i.to_string());
        let c = &mut self.a;
        if d.actor.break_glass || d.action == Action::EmergencyAccess {
            c.break_glass += 1;
            bump(&mut c.break_glass_by_organisation, org);
            if c.break_glass_uses.len() < MAX_LISTED {
                c.break_glass_uses.push(At::of(leaf, p));
            }
        }
        let entry = auth
            .as_ref()
            .map(|id| self.per_auth.entry(id.clone()).or_default());
        match p.status {
            Status::Denied => {
                c.denied += 1;
                bump(&mut c.denied_by_organisation, org);
                if c.denied_attempts.len() < MAX_LISTED {
                    c.denied_attempts.push(Denied {
                        at: At::of(leaf, p),
                        organisation: org.into(),
                        role: role.into(),
                        authorisation_id: auth.clone(),
                        check6: denied_why.get(&leaf).cloned(),
                    });
                }
                if let Some(e) = entry {
                    e.1 += 1;
                }
            }
            Status::Error => c.errors += 1,
            Status::Ok => {
                c.total += 1;
                bump(&mut c.by_organisation, org);
                bump(&mut c.by_role, role);
                bump(&mut c.by_legal_basis, d.legal_basis.as_str());
                bump(&mut c.by_purpose, d.purpose.as_str());
                bump(&mut c.by_month, &p.occurred_at.to_rfc3339()[..7]);
                match entry {
                    Some(e) => e.0 += 1,
                    None => self.without += 1,
                }
            }
        }
        if let (Some(id), Some(r)) = (auth, revoked)
            && r.contains(&leaf)
        {
            self.after.push(AfterRevocation {
                authorisation_id: id,
                at: At::of(leaf, p),
            });
        }
    }

    /// The statistics; `revoked` as check 6 gave it (`None`: check 6 did not run, `why`).
    pub fn finish(self, revoked: Option<u64>, why: &str) -> Accesses {
        let mut busiest: Vec<AuthorisationUse> = self
            .per_auth
            .iter()
            .map(|(id, &(accesses, denied))| AuthorisationUse {
                authorisation_id: id.clone(),
                accesses,
                denied,
            })
            .collect();
        busiest.sort_by(|a, b| {
            b.accesses
                .cmp(&a.accesses)
                .then_with(|| a.authorisation_id.cmp(&b.authorisation_id))
        });
        busiest.truncate(BUSIEST);
        let used_after_revocation = match revoked {
            Some(unlisted) => UsedAfterRevocation::Determined {
                accesses: self.after,
                unlisted,
            },
            None => UsedAfterRevocation::NotDetermined { why: why.into() },
        };
        let c = self.a;
        Accesses {
            total: c.total,
            by_organisation: c.by_organisation,
            by_role: c.by_role,
            by_legal_basis: c.by_legal_basis,
            by_purpose: c.by_purpose,
            by_month: c.by_month,
            denied: c.denied,
            denied_by_organisation: c.denied_by_organisation,
            denied_attempts: c.denied_attempts,
            errors: c.errors,
            break_glass: c.break_glass,
            break_glass_by_organisation: c.break_glass_by_organisation,
            break_glass_uses: c.break_glass_uses,
            authorisations: Authorisations {
                named: self.per_auth.len() as u64,
                accesses_without: self.without,
                busiest,
                used_after_revocation,
            },
        }
    }
}
