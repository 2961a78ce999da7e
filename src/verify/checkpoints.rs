//! Check 1: the published checkpoint is signed by the pinned log key (with the log's
//! timestamped cosignature), cosigned by the witness quorum, and consistent with every
//! checkpoint in the auditor's state (RFC 9162 §2.1.4 consistency proofs read from the
//! log's tiles and checked against the auditor's own stored roots).

use crate::checkpoint::{Checkpoint, CheckpointError, verify_cosignature};
use crate::log::LogReader;
use crate::note::{self, NoteVerifier};
use crate::tree::Hash;

use super::report::{Check, Finding, Findings};
use super::state::AuditorState;
use super::trust::Trust;

/// What check 1 learned about the published checkpoint.
#[derive(Debug, Clone)]
pub(crate) struct Published {
    pub size: u64,
    pub root: Hash,
    /// The log's cosigned time, when the log's signatures verified.
    pub log_time: Option<u64>,
    /// Signed by the pinned log key (both signatures verified).
    pub authentic: bool,
}

const C: Check = Check::Checkpoints;

fn error_code(e: &CheckpointError) -> &'static str {
    match e {
        CheckpointError::OriginMismatch { .. } => "checkpoint-origin",
        CheckpointError::NotSignedByLog { .. }
        | CheckpointError::LogSignatureInvalid { .. }
        | CheckpointError::LogCosignatureMissing { .. }
        | CheckpointError::LogCosignatureInvalid { .. } => "checkpoint-signature",
        _ => "checkpoint-malformed",
    }
}

/// Run check 1. Returns `None` when there is no checkpoint whose size and root can even be
/// read (nothing else can then run).
pub(crate) fn check(
    bytes: Option<&[u8]>,
    trust: &Trust,
    state: &AuditorState,
    reader: &LogReader<'_>,
    out: &mut Findings,
    inconsistent: &mut Vec<u64>,
) -> Option<Published> {
    let Some(bytes) = bytes else {
        out.push(Finding::violated(
            C,
            "checkpoint-missing",
            "the log publishes no checkpoint (public/checkpoint is absent)",
        ));
        return None;
    };
    // Signed by the log key valid for its size (the key history: `keys`).
    let (published, parsed_note) =
        match super::keys::open_at_size(bytes, trust, "public/checkpoint") {
            Ok(v) => {
                let n = note::parse_note(bytes).expect("an opened checkpoint parses");
                (
                    Published {
                        size: v.checkpoint.size,
                        root: v.checkpoint.root,
                        log_time: Some(v.log_time),
                        authentic: true,
                    },
                    n,
                )
            }
            Err(super::keys::Rejected::Key(f)) => {
                out.push(*f);
                let n = note::parse_note(bytes).ok()?;
                let cp = Checkpoint::parse(&n.text).ok()?;
                let (size, root) = (cp.size, cp.root);
                let unauthenticated = Published {
                    size,
                    root,
                    log_time: None,
                    authentic: false,
                };
                (unauthenticated, n)
            }
            Err(super::keys::Rejected::Checkpoint(e)) => {
                out.push(
                    Finding::violated(C, error_code(&e), format!("public/checkpoint: {e}"))
                        .evidence(
                            format!(
                                "a checkpoint of {} signed by {}",
                                trust.origin(),
                                trust.log.name()
                            ),
                            e.to_string(),
                        ),
                );
                // Read on with the unauthenticated size and root, so that the records can still
                // be checked; nothing is concluded from them for check 1.
                let n = note::parse_note(bytes).ok()?;
                let cp = Checkpoint::parse(&n.text).ok()?;
                (
                    Published {
                        size: cp.size,
                        root: cp.root,
                        log_time: None,
                        authentic: false,
                    },
                    n,
                )
            }
        };
    // Witnesses: each configured witness's cosignature, verified one by one.
    let mut cosigned = 0usize;
    for w in &trust.witnesses {
        let sigs: Vec<_> = parsed_note
            .signatures
            .iter()
            .filter(|s| s.name == w.name() && s.key_id == w.key_id())
            .collect();
        let mut ok = false;
        for s in sigs {
            match verify_cosignature(&parsed_note.text, s, w.name(), w.public_key()) {
                Ok(_) => ok = true,
                Err(e) => out.push(
                    Finding::violated(
                        C,
                        "checkpoint-witness-signature",
                        format!("cosignature by witness {}: {e}", w.name()),
                    )
                    .evidence(
                        "a valid cosignature/v1",
                        "a cosignature that does not verify",
                    ),
                ),
            }
        }
        cosigned += usize::from(ok);
    }
    let quorum = trust.file.witness_quorum;
    if cosigned < quorum {
        out.push(
            Finding::violated(
                C,
                "checkpoint-witness-quorum",
                format!(
                    "the checkpoint of size {} is cosigned by {cosigned} of the {} pinned witnesses; \
                     the trust file requires {quorum}",
                    published.size,
                    trust.witnesses.len()
                ),
            )
            .evidence(format!("≥ {quorum} witness cosignatures"), cosigned),
        );
    }
    // The auditor's own checkpoints, against the key history.
    super::keys::check_stored(state, trust, out);
    // Consistency with every checkpoint the auditor kept.
    if state.checkpoints.is_empty() {
        out.push(Finding::undetermined(
            C,
            "checkpoint-no-auditor-state",
            "the auditor's state holds no earlier checkpoint: that nothing was removed or \
             reordered since an earlier view cannot be determined in this first run (it is from \
             the next run on, against the checkpoint this run stores)",
        ));
    }
    for seen in &state.checkpoints {
        let evidence = |f: Finding| {
            f.evidence(
                format!(
                    "a tree extending size {} with root {}",
                    seen.size, seen.root
                ),
                format!(
                    "size {} with root {}",
                    published.size,
                    hex::encode(published.root)
                ),
            )
        };
        if seen.size > published.size {
            inconsistent.push(seen.size);
            out.push(evidence(Finding::violated(
                C,
                "checkpoint-inconsistent",
                format!(
                    "the log shrank: the auditor verified a checkpoint of size {}, the log now \
                     publishes size {}",
                    seen.size, published.size
                ),
            )));
        } else if seen.size == published.size {
            if seen.root.0 != published.root {
                inconsistent.push(seen.size);
                out.push(evidence(Finding::violated(
                    C,
                    "checkpoint-inconsistent",
                    format!(
                        "two different trees of size {}: history was rewritten since the \
                         auditor's checkpoint (log time {})",
                        seen.size, seen.log_time
                    ),
                )));
            }
        } else if seen.size > 0 {
            let result = reader
                .consistency_proof(seen.size, published.size)
                .map_err(|e| e.to_string())
                .and_then(|proof| {
                    trust
                        .alg
                        .verify_consistency(
                            seen.size,
                            published.size,
                            &seen.root.0,
                            &published.root,
                            &proof,
                        )
                        .map_err(|e| e.to_string())
                });
            if let Err(reason) = result {
                inconsistent.push(seen.size);
                out.push(evidence(Finding::violated(
                    C,
                    "checkpoint-inconsistent",
                    format!(
                        "the tree of size {} is not an extension of the auditor's checkpoint of \
                         size {} (log time {}): {reason}",
                        published.size, seen.size, seen.log_time
                    ),
                )));
            }
        }
    }
    Some(published)
}

/// How far the log's clock may run ahead of the reference time before its checkpoint counts
/// as signed in the future (clocks of separate machines differ by seconds).
pub const CLOCK_SKEW_SECS: u64 = 300;

/// The log times of check 1: the published checkpoint's log time is not after the reference
/// time `at_secs` (`checkpoint-time-future`), and the log times of the known checkpoints —
/// the auditor's stored ones consistent with the published tree, and the published one —
/// never decrease as the tree grows (`checkpoint-time-order`). `known` is (size, log time),
/// ascending by size.
pub(crate) fn check_times(
    published: &Published,
    known: &[(u64, u64)],
    at_secs: u64,
    out: &mut Findings,
) {
    if let Some(t) = published.log_time
        && t > at_secs.saturating_add(CLOCK_SKEW_SECS)
    {
        out.push(
            Finding::violated(
                C,
                "checkpoint-time-future",
                format!(
                    "the log's cosigned time of the checkpoint of size {} is {t}, later than the \
                     reference time {at_secs} of this verification (--at): the log claims a time \
                     that has not come yet",
                    published.size
                ),
            )
            .evidence(format!("log time ≤ {at_secs}"), format!("log time {t}")),
        );
    }
    for w in known.windows(2) {
        let ((small, t_small), (large, t_large)) = (w[0], w[1]);
        if t_large < t_small {
            out.push(
                Finding::violated(
                    C,
                    "checkpoint-time-order",
                    format!(
                        "the checkpoint of size {large} has log time {t_large}, earlier than the \
                         log time {t_small} of the smaller checkpoint of size {small}: the log's \
                         times do not increase with its size"
                    ),
                )
                .evidence(
                    format!("size {large} at log time ≥ {t_small}"),
                    format!("size {large} at log time {t_large}"),
                ),
            );
        }
    }
}
