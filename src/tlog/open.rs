//! Opening a foreign checkpoint: the C2SP signed-note and tlog-checkpoint rules, with the
//! log's Ed25519 verifier key (type `0x01`) and a witness policy (C2SP tlog-cosignature
//! `cosignature/v1` keys and a quorum). Signatures by other keys, of any type, are skipped as
//! the signed-note spec says (reported as notices); extension lines are tolerated (notice).
//! Unlike `checkpoint::open_checkpoint` no log cosignature is required: that is logseal's own
//! extension, required only of logseal logs.

use crate::checkpoint::{Checkpoint, CosignatureVerifier};
use crate::note::{self, Ed25519NoteVerifier, Note, NoteVerifier};

use super::Finding;

/// Whose signatures make a checkpoint valid.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The log's key; its name must be the checkpoint's origin.
    pub log: Ed25519NoteVerifier,
    /// Witness cosigner keys (type `0x04`).
    pub witnesses: Vec<CosignatureVerifier>,
    /// How many of `witnesses` must have cosigned.
    pub quorum: usize,
}

/// A checkpoint that opened under a [`Policy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub checkpoint: Checkpoint,
    pub note: Note,
    /// (witness name, cosignature time) of each policy witness that cosigned.
    pub witnesses: Vec<(String, u64)>,
    /// Notices: skipped signatures, extension lines.
    pub notices: Vec<Finding>,
}

/// Open `bytes` (a signed note) as a checkpoint under `policy`. The error is the finding that
/// refuses it: `tlog-checkpoint-malformed`, `tlog-origin-mismatch`, `tlog-checkpoint-unsigned`,
/// `tlog-checkpoint-signature-invalid`, `tlog-witness-cosignature-invalid` or
/// `tlog-witness-quorum`.
pub fn open(bytes: &[u8], policy: &Policy) -> Result<Opened, Finding> {
    let malformed = |e: &dyn std::fmt::Display| {
        Finding::violated("tlog-checkpoint-malformed", format!("checkpoint: {e}"))
    };
    let n = note::parse_note(bytes).map_err(|e| malformed(&e))?;
    let cp = Checkpoint::parse(&n.text).map_err(|e| malformed(&e))?;
    if cp.origin != policy.log.name() {
        return Err(Finding::violated(
            "tlog-origin-mismatch",
            format!(
                "checkpoint: origin {:?}, but the log key is named {:?}",
                cp.origin,
                policy.log.name()
            ),
        ));
    }
    let mut log_signed = false;
    let mut witnesses = Vec::new();
    let mut notices = Vec::new();
    for (i, sig) in n.signatures.iter().enumerate() {
        let line = n.signature_line(i);
        if sig.name == policy.log.name() && sig.key_id == policy.log.key_id() {
            if !policy.log.verify(n.text.as_bytes(), &sig.sig_bytes) {
                return Err(Finding::violated(
                    "tlog-checkpoint-signature-invalid",
                    format!(
                        "checkpoint line {line}: the log's signature ({}) does not verify",
                        sig.name
                    ),
                ));
            }
            log_signed = true;
        } else if let Some(w) = policy
            .witnesses
            .iter()
            .find(|w| w.name() == sig.name && w.key_id() == sig.key_id)
        {
            let time =
                crate::checkpoint::verify_cosignature(&n.text, sig, w.name(), w.public_key())
                    .map_err(|e| {
                        Finding::violated(
                            "tlog-witness-cosignature-invalid",
                            format!("checkpoint line {line}: {e}"),
                        )
                    })?;
            witnesses.push((sig.name.clone(), time));
        } else {
            notices.push(Finding::notice(
                "tlog-signature-skipped",
                format!(
                    "checkpoint line {line}: signature by {} (key id {:08x}) is not in the policy; skipped",
                    sig.name, sig.key_id
                ),
            ));
        }
    }
    if !log_signed {
        return Err(Finding::violated(
            "tlog-checkpoint-unsigned",
            format!(
                "checkpoint: no signature by the log key {} (key id {:08x})",
                policy.log.name(),
                policy.log.key_id()
            ),
        ));
    }
    if witnesses.len() < policy.quorum {
        return Err(Finding::violated(
            "tlog-witness-quorum",
            format!(
                "checkpoint: {} of the policy's witnesses cosigned, the quorum is {}",
                witnesses.len(),
                policy.quorum
            ),
        ));
    }
    if !cp.extensions.is_empty() {
        notices.push(Finding::notice(
            "tlog-checkpoint-extensions",
            format!(
                "checkpoint: {} extension line(s), not interpreted",
                cp.extensions.len()
            ),
        ));
    }
    Ok(Opened {
        checkpoint: cp,
        note: n,
        witnesses,
        notices,
    })
}
