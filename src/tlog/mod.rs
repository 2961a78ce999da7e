//! Foreign C2SP transparency logs of opaque entries (Tessera-style: each leaf is the RFC 6962
//! SHA-256 leaf hash of an entry, entries served in tlog-tiles entry bundles): opening their
//! checkpoints under a signed-note key and a witness policy ([`open`]), walking the tiles and
//! entry bundles of a tree to recompute its root ([`walk`]), and the C2SP `tlog-proof` text
//! format ([`proof`]). Pure functions over bytes; fetching is the caller's [`walk::Source`].
//!
//! Nothing here decodes an entry: a logseal log read this way is a log of opaque entries
//! (its records are not checked; `logseal verify` does that).

pub mod open;
pub mod proof;
pub mod state;
pub mod walk;

use serde::Serialize;

/// How a finding bears on the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The log does not hold what it must (exit 1).
    Violated,
    /// Worth knowing, changes nothing (unknown signatures, extension lines).
    Notice,
}

/// One finding of `logseal tlog verify` (codes: docs/CHECKS.md, "tlog verify").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    /// What was found, naming the place (a tile or bundle path, a signature line).
    pub message: String,
}

impl Finding {
    pub fn violated(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Violated,
            message: message.into(),
        }
    }

    pub fn notice(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: Severity::Notice,
            message: message.into(),
        }
    }
}

/// Whether any finding is a violation.
pub fn any_violated(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Violated)
}
