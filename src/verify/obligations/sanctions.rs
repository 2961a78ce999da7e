//! Check 8, the sanction side: statements of reasons (sent in time, with their contents),
//! appeals decided in time and by a person, human review of automated decisions (GDPR
//! Art 22) and the detection a sanction claims (docs/CHECKS.md §8).

use super::{Finish, Followers, InForce};
use crate::verify::driver::RecordCtx;
use crate::verify::report::Findings;

/// The sanction rules' state.
#[derive(Debug, Default)]
pub(crate) struct Sanctions {}

impl Sanctions {
    /// One authentic record, with the rules in force at its leaf.
    pub fn record(&mut self, _ctx: &RecordCtx<'_>, _rules: &InForce, _out: &mut Findings) {}

    /// Deadlines that ran out without a follow-up.
    pub fn finish(self, _followers: &Followers, _f: &Finish<'_>, _out: &mut Findings) {}
}
