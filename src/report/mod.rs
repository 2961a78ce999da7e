//! Supervisory statistics of a log (`logseal report`): what data-protection authorities and
//! DSA coordinators publish — accesses per organisation, role, legal basis, purpose and
//! month; denied attempts; break-glass uses; per authorisation; sanctions by ground,
//! automation, trigger, statement-of-reasons status, appeal outcome and human review; times
//! from sanction to statement and from appeal to decision — computed from public fields
//! only, and the DSA Transparency Database export and reconciliation ([`tdb`]).
//!
//! Every record counted is read through the read layer ([`crate::inspect`]), which
//! authenticates it against the checkpoint; records the verifier's check 3 found not
//! authentic are left out, and the report's [`Coverage`] says so, with the verdict of every
//! check and the producer chains found broken. Months are UTC calendar months.
//!
//! Memory: tables keyed by the values of enumerations and pseudonymous ids (organisations,
//! roles, bases, purposes, months, authorisations), one entry per sanction and appeal for the
//! reference joins, and fixed-size duration sketches ([`sketch`]); nothing per other record.
//! Pure: no printing, no clock (the reference time is the checkpoint's).

pub mod accesses;
pub mod coverage;
pub mod sanctions;
pub mod sealed;
pub mod sketch;
pub mod tdb;

use serde::Serialize;

use crate::inspect::{Fetched, Inspector};
use crate::record::kinds::Body;

pub use accesses::Accesses;
pub use coverage::{Coverage, Verification};
pub use sanctions::Sanctions;

/// Version of the report's JSON shape (`logseal report --json`).
pub const REPORT_FORMAT: u64 = 1;

/// A supervisory report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisoryReport {
    pub format: u64,
    pub coverage: Coverage,
    pub accesses: Accesses,
    pub sanctions: Sanctions,
}

/// Count the authenticated records of `ins` up to its checkpoint, leaving out those the
/// verifier's check 3 found not authentic (`verification`).
pub fn supervise(ins: &Inspector<'_>, verification: &Verification<'_>) -> SupervisoryReport {
    supervise_with(ins, verification, |_| {})
}

/// [`supervise`], handing each record it counts to `also` (the on-site sealed statistics,
/// [`sealed`]), so that both count exactly the same records.
pub fn supervise_with(
    ins: &Inspector<'_>,
    verification: &Verification<'_>,
    mut also: impl FnMut(&Fetched),
) -> SupervisoryReport {
    let mut coverage = Coverage::new(ins.head(), ins.anchors().describe(), verification);
    let not_authentic = coverage::not_authentic_leaves(verification);
    let revoked = coverage::check6_leaves(verification, "auth-revoked");
    let denied_why = coverage::denied_reasons(verification);
    let mut acc = accesses::AccessTally::default();
    let mut sanc = sanctions::SanctionTally::default();
    ins.scan(None, false, |r| {
        let f = match r {
            Ok(f) => f,
            Err(e) => {
                coverage.refuse(&e);
                return true;
            }
        };
        if let Some(code) = not_authentic.get(&f.leaf) {
            coverage.not_authentic(f.leaf, code);
            return true;
        }
        coverage.records_counted += 1;
        also(&f);
        let p = f.record.payload();
        match &p.body {
            Body::DataAccess(d) => {
                acc.add(f.leaf, p, d, revoked.as_ref().map(|r| &r.0), &denied_why)
            }
            Body::AccountSanction(s) => sanc.sanction(f.leaf, f.leaf_hash, s),
            Body::Notification(n) => sanc.notification(n),
            Body::Appeal(a) => sanc.appeal(f.leaf_hash, a),
            Body::AppealDecision(d) => sanc.decision(d),
            _ => {}
        }
        true
    });
    let why = match verification {
        Verification::NotRun(why) => format!("the verifier did not run: {why}"),
        Verification::Ran(_) => "check 6 (authorisation) did not run".to_string(),
    };
    SupervisoryReport {
        format: REPORT_FORMAT,
        coverage,
        accesses: acc.finish(revoked.map(|r| r.1), &why),
        sanctions: sanc.finish(),
    }
}

/// The Transparency Database statement of every authentic account sanction of `ins`, in leaf
/// order (records the verifier's check 3 found not authentic, and refused leaves, are left
/// out: [`supervise`]'s coverage counts them).
pub fn sanction_drafts(ins: &Inspector<'_>, verification: &Verification<'_>) -> Vec<tdb::Draft> {
    let not_authentic = coverage::not_authentic_leaves(verification);
    let mut drafts = Vec::new();
    ins.scan(None, false, |r| {
        if let Ok(f) = r
            && !not_authentic.contains_key(&f.leaf)
            && let Body::AccountSanction(s) = &f.record.payload().body
        {
            drafts.push(tdb::draft(f.leaf, s));
        }
        true
    });
    drafts
}
