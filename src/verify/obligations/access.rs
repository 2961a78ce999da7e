//! Check 8, the access side: each data access within its grant (legal basis, organisation,
//! role), the order and case references and recipients the policy requires, and each
//! break-glass access justified in time (docs/CHECKS.md §8).

use super::{Finish, Followers, InForce};
use crate::verify::driver::RecordCtx;
use crate::verify::report::Findings;

/// The access rules' state.
#[derive(Debug, Default)]
pub(crate) struct Access {}

impl Access {
    /// One authentic record, with the rules in force at its leaf.
    pub fn record(&mut self, _ctx: &RecordCtx<'_>, _rules: &InForce, _out: &mut Findings) {}

    /// Deadlines that ran out without a follow-up.
    pub fn finish(self, _followers: &Followers, _f: &Finish<'_>, _out: &mut Findings) {}
}
