//! Check 1: the published checkpoint is signed by the pinned log key (with the log's
//! timestamped cosignature), cosigned by the witness quorum, and consistent with every
//! checkpoint in the auditor's state (RFC 9162 §2.1.4 consistency proofs read from the
//! log's tiles and checked against the auditor's own stored roots).

use crate::checkpoint::{Checkpoint, CheckpointError, verify_cosignature};
use crate::log::LogReader;
use crate::note::{self, NoteVerifier};
use crate::record::types::Timestamp;
use crate::store::StoreError;
use crate::tree::Hash;

use super::report::{Check, Finding, Findings};
use super::state::AuditorState;
use super::trust::Trust;

/// What check 1 learned about the published checkpoint.
#[derive(Debug, Clone)]
pub(crate) struct Published {
    pub size: u64,
    pub root: Hash,
    /// The checkpoint's time for the checks that bound records by it (4–8): the log's
    /// cosigned time, when the log's signatures verified, moved to within the allowed skew of
    /// the witness quorum's time where the trust file has a quorum and the two differ by more
    /// (`checkpoint-time-witnessed`, `checkpoint-time-ahead`).
    pub log_time: Option<u64>,
    /// The log's own cosigned time as signed (what `checkpoint-time-future` judges: the log's
    /// claim, not the witnesses').
    pub claimed_time: Option<u64>,
    /// Signed by the pinned log key (both signatures verified).
    pub authentic: bool,
}

/// An auditor checkpoint whose consistency proof, read from the log's tiles, did not verify.
/// Tiles are not the tree: whether this is a rewrite (check 1) or corrupt tiles (check 2) is
/// decided from the entries ([`classify`]), or cannot be in an incremental run.
#[derive(Debug, Clone)]
pub(crate) struct Unproven {
    pub size: u64,
    pub root: Hash,
    pub log_time: u64,
    /// Why the proof failed.
    pub reason: String,
}

const C: Check = Check::Checkpoints;

/// The time a witness quorum bounds a checkpoint's creation by, when the log's own time is
/// earlier than it by more than the allowed skew: the `quorum`-th earliest of the pinned
/// witnesses' verified cosignature times (with at most `quorum - 1` witnesses dishonest, it
/// is no earlier than an honest witness's, so a log — even with that many witnesses on its
/// side — cannot move a checkpoint's time before it by setting its clock back), less the
/// skew (the correction is continuous, so an honest log's corrected times stay in order).
/// `None`: the log's time stands (no quorum, too few cosignatures, or times that agree).
pub(crate) fn witnessed_time(log_time: u64, witness_times: &[u64], quorum: usize) -> Option<u64> {
    let w = quorum_time(witness_times, quorum)?;
    (w > log_time.saturating_add(CLOCK_SKEW_SECS)).then(|| w - CLOCK_SKEW_SECS)
}

/// The `quorum`-th earliest of `witness_times` (one per pinned witness), if that many.
fn quorum_time(witness_times: &[u64], quorum: usize) -> Option<u64> {
    if quorum == 0 || witness_times.len() < quorum {
        return None;
    }
    let mut t = witness_times.to_vec();
    t.sort_unstable();
    Some(t[quorum - 1])
}

/// The time by which a witness quorum proves a checkpoint existed, plus the allowed skew,
/// when the log's own time is later than that: the `quorum`-th earliest of the pinned
/// witnesses' verified cosignature times (with at most `quorum - 1` of them dishonest, an
/// honest witness had cosigned it by then, so it existed then). `None`: the log's time
/// stands. A log whose clock runs ahead cannot date a record, or a deletion, past it; the
/// correction is continuous (never below the skew's tolerance), so an honest log's
/// corrected times stay in order.
pub(crate) fn witnessed_by(log_time: u64, witness_times: &[u64], quorum: usize) -> Option<u64> {
    let by = quorum_time(witness_times, quorum)?.saturating_add(CLOCK_SKEW_SECS);
    (by < log_time).then_some(by)
}

fn log_time_text(secs: u64) -> String {
    log_time(secs)
}

/// A log time (seconds since the epoch, from the input) as RFC 3339 UTC, as findings name it.
pub(crate) fn log_time(secs: u64) -> String {
    Timestamp(secs.saturating_mul(1000)).to_rfc3339()
}

fn error_code(e: &CheckpointError) -> &'static str {
    match e {
        CheckpointError::OriginMismatch { .. } => "checkpoint-origin",
        CheckpointError::NotSignedByLog { .. }
        | CheckpointError::LogSignatureInvalid { .. }
        | CheckpointError::LogCosignatureMissing { .. }
        | CheckpointError::LogCosignatureInvalid { .. }
        | CheckpointError::TimestampTooLarge { .. } => "checkpoint-signature",
        _ => "checkpoint-malformed",
    }
}

/// Run check 1 on the published checkpoint as read (`fetched`: its bytes, absent, or refused
/// by the store as too large or not a regular file). Returns `None` when there is no
/// checkpoint whose size and root can even be read (nothing else can then run). Auditor
/// checkpoints the published tree is proven not to extend go to `inconsistent` (reported
/// here); those whose tile-read consistency proof fails go to `unproven` (for the caller to
/// classify).
pub(crate) fn check(
    fetched: Result<Option<&[u8]>, &StoreError>,
    trust: &Trust,
    state: &AuditorState,
    reader: &LogReader<'_>,
    out: &mut Findings,
    inconsistent: &mut Vec<u64>,
    unproven: &mut Vec<Unproven>,
) -> Option<Published> {
    let bytes = match fetched {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            out.push(Finding::violated(
                C,
                "checkpoint-missing",
                "the log publishes no checkpoint (public/checkpoint is absent)",
            ));
            return None;
        }
        Err(e) => {
            out.push(unreadable(e));
            return None;
        }
    };
    // Signed by the log key valid for its size (the key history: `keys`).
    let (mut published, parsed_note) =
        match super::keys::open_at_size(bytes, trust, "public/checkpoint") {
            Ok(v) => {
                let n = note::parse_note(bytes).expect("an opened checkpoint parses");
                (
                    Published {
                        size: v.checkpoint.size,
                        root: v.checkpoint.root,
                        log_time: Some(v.log_time),
                        claimed_time: Some(v.log_time),
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
                    claimed_time: None,
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
                        claimed_time: None,
                        authentic: false,
                    },
                    n,
                )
            }
        };
    // Witnesses: each configured witness's cosignature, verified one by one.
    let mut cosigned = 0usize;
    let mut witness_times = Vec::new();
    for w in &trust.witnesses {
        let sigs: Vec<_> = parsed_note
            .signatures
            .iter()
            .filter(|s| s.name == w.name() && s.key_id == w.key_id())
            .collect();
        let mut ok = false;
        let mut earliest: Option<u64> = None;
        for s in sigs {
            match verify_cosignature(&parsed_note.text, s, w.name(), w.public_key()) {
                Ok(t) => {
                    ok = true;
                    earliest = Some(earliest.map_or(t, |e| e.min(t)));
                }
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
        witness_times.extend(earliest);
    }
    // The published checkpoint is the newest: always held to the quorum
    // (`witnessed_after_size` exempts only older checkpoints of a bundle).
    let quorum = trust.file.witness_quorum;
    if let Some(log_time) = published.log_time
        && let Some(bound) = witnessed_time(log_time, &witness_times, quorum)
    {
        out.push(
            Finding::notice(
                C,
                "checkpoint-time-witnessed",
                format!(
                    "the log's time on the checkpoint of size {} ({}) is more than {} s before \
                     the witnesses' ({}, the earliest time by which {quorum} pinned witness(es) \
                     had cosigned it): the log's clock was behind, or set back; the witnesses' \
                     time less the skew is used as the checkpoint's time (checks 4 to 8)",
                    published.size,
                    log_time_text(log_time),
                    CLOCK_SKEW_SECS,
                    log_time_text(bound + CLOCK_SKEW_SECS)
                ),
            )
            .evidence(
                format!("log time ≥ {}", log_time_text(bound + CLOCK_SKEW_SECS)),
                log_time_text(log_time),
            ),
        );
        published.log_time = Some(bound);
    }
    if let Some(log_time) = published.log_time
        && let Some(by) = witnessed_by(log_time, &witness_times, quorum)
    {
        out.push(
            Finding::notice(
                C,
                "checkpoint-time-ahead",
                format!(
                    "the log's time on the checkpoint of size {} ({}) is more than {} s after \
                     the witnesses' ({}, by which {quorum} pinned witness(es) had cosigned it, so \
                     it existed then): the log's clock was ahead, or set forward; the \
                     witnesses' time plus the skew is used as the checkpoint's time (checks 4 \
                     to 8)",
                    published.size,
                    log_time_text(log_time),
                    CLOCK_SKEW_SECS,
                    log_time_text(by - CLOCK_SKEW_SECS)
                ),
            )
            .evidence(
                format!("log time ≤ {}", log_time_text(by)),
                log_time_text(log_time),
            ),
        );
        published.log_time = Some(by);
    }
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
                    "the log shrank: the auditor verified a checkpoint of size {} (log time {}), \
                     the log now publishes size {}",
                    seen.size,
                    log_time(seen.log_time),
                    published.size
                ),
            )
            .checkpoint_size(seen.size)));
        } else if seen.size == published.size {
            if seen.root.0 != published.root {
                inconsistent.push(seen.size);
                out.push(evidence(
                    Finding::violated(
                        C,
                        "checkpoint-inconsistent",
                        format!(
                            "two different trees of size {}: history was rewritten since the \
                         auditor's checkpoint (log time {})",
                            seen.size,
                            log_time(seen.log_time)
                        ),
                    )
                    .checkpoint_size(seen.size),
                ));
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
                unproven.push(Unproven {
                    size: seen.size,
                    root: seen.root.0,
                    log_time: seen.log_time,
                    reason,
                });
            }
        }
    }
    Some(published)
}

/// The time by which an RFC 3161 token proves a checkpoint existed, plus the allowed skew,
/// when the log's time is later than that: the log's clock ran ahead (or was set forward).
/// `None`: the log's time stands. Like [`witnessed_by`], continuous.
pub(crate) fn stamped_by(log_time: u64, gen_time: u64) -> Option<u64> {
    let by = gen_time.saturating_add(CLOCK_SKEW_SECS);
    (by < log_time).then_some(by)
}

/// The published checkpoint's time-stamp token (`public/checkpoints/<N>.tsr`, read by
/// `token`), judged against the trust file's time-stamping authorities: a token that
/// verifies bounds the checkpoint's time by its genTime G (`checkpoint-time-stamped` when the
/// log's time is more than the skew after it: G + skew is then the checkpoint's time for
/// checks 4 to 8); one that does not is `checkpoint-timestamp-invalid`; none at all is
/// `checkpoint-timestamp-missing` (a notice: the log keeps going while its TSA is down).
/// Judged after the witness corrections of [`check`], on an authentic checkpoint only.
pub(crate) fn stamped(
    published: &mut Published,
    text: &str,
    trust: &Trust,
    token: Result<Option<Vec<u8>>, StoreError>,
    first_signing: bool,
    out: &mut Findings,
) {
    let path = format!(
        "public/{}",
        crate::log::history::timestamp_key(published.size)
    );
    let names: Vec<&str> = trust
        .timestamp_authorities
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    let bytes = match token {
        Ok(Some(b)) => b,
        Ok(None) => {
            out.push(
                Finding::notice(
                    C,
                    "checkpoint-timestamp-missing",
                    format!(
                        "the checkpoint of size {} has no time-stamp token ({path} is absent): its \
                         time is not bounded by a time-stamping authority of the trust file ({})",
                        published.size,
                        names.join(", ")
                    ),
                )
                .evidence("an RFC 3161 token over the checkpoint", "none"),
            );
            return;
        }
        Err(e) => {
            out.push(
                Finding::violated(
                    C,
                    "checkpoint-timestamp-invalid",
                    format!("{path} is not read: {e}"),
                )
                .evidence(
                    "a regular file holding a time-stamp response",
                    e.to_string(),
                ),
            );
            return;
        }
    };
    let stamp = match crate::timestamp::verify_response(
        &bytes,
        text.as_bytes(),
        None,
        &trust.timestamp_authorities,
    ) {
        Ok(s) => s,
        Err(e) => {
            out.push(
                Finding::violated(
                    C,
                    "checkpoint-timestamp-invalid",
                    format!(
                        "{path}, the time-stamp token over the checkpoint of size {}, does not \
                         verify: {e}",
                        published.size
                    ),
                )
                .checkpoint_size(published.size)
                .evidence(
                    format!(
                        "an RFC 3161 token over the checkpoint by {}",
                        names.join(" or ")
                    ),
                    e.to_string(),
                ),
            );
            return;
        }
    };
    if !first_signing {
        out.push(
            Finding::notice(
                C,
                "checkpoint-timestamp-earlier-signing",
                format!(
                    "{path} was obtained for the first signing of the tree of size {} (the \
                     history entry public/{}); the published checkpoint is a later signing of \
                     the same tree (another time in the log's cosignature), so its time is \
                     not bounded by that token",
                    published.size,
                    crate::log::history::key(published.size)
                ),
            )
            .checkpoint_size(published.size),
        );
        return;
    }
    if let Some(log_time) = published.log_time
        && let Some(by) = stamped_by(log_time, stamp.existed_by())
    {
        out.push(
            Finding::notice(
                C,
                "checkpoint-time-stamped",
                format!(
                    "the log's time on the checkpoint of size {} ({}) is more than {} s after \
                     the time {} at which time-stamping authority {} ({}) stamped its tree: \
                     the tree existed then, and the log's clock was ahead or set forward, or \
                     the tree was signed again later. The log's time still stands for checks \
                     4 to 8: a token covers the tree, not a signing, and can be obtained for it \
                     before the log signs, so moving the checkpoint's time to it could hide \
                     what fell due since",
                    published.size,
                    log_time_text(log_time),
                    CLOCK_SKEW_SECS,
                    log_time_text(stamp.gen_time),
                    stamp.authority,
                    stamp.signer
                ),
            )
            .evidence(
                format!("log time ≤ {}", log_time_text(by)),
                log_time_text(log_time),
            ),
        );
    }
}

/// The check-1 finding for a `public/checkpoint` the store refused to read: larger than a
/// note may be (`checkpoint-malformed`), or not a regular file (`checkpoint-not-regular`).
fn unreadable(e: &StoreError) -> Finding {
    let (code, expected) = match e {
        StoreError::NotRegular { .. } => ("checkpoint-not-regular", "a regular file".to_string()),
        _ => (
            "checkpoint-malformed",
            format!("a signed note of at most {} bytes", note::MAX_NOTE_SIZE),
        ),
    };
    Finding::violated(C, code, format!("public/checkpoint is not read: {e}")).evidence(expected, e)
}

/// What the entries say about an [`Unproven`] auditor checkpoint, in a full run that
/// recomputed the tree: `at` is the root the entries give at its size (`None`: the entries
/// did not reach it), `reproduced` whether the entries' tree is the published one, and
/// `tiles_differ` whether check 2 found stored tiles that differ from the entries.
///
/// The entries reproduce both the auditor's root and the published root, and check 2 found
/// the tiles that differ: the published tree extends the auditor's (its first leaves are the
/// same), the proof failed only because stored tiles are corrupt, and check 2 reports them —
/// nothing is reported here. Otherwise `checkpoint-inconsistent`: the entries give another
/// root at the auditor's size (history was rewritten), or the extension is not proven.
pub(crate) fn classify(
    u: &Unproven,
    at: Option<&Hash>,
    reproduced: bool,
    tiles_differ: bool,
    published: &Published,
    out: &mut Findings,
) {
    let why = match at {
        Some(r) if *r == u.root && reproduced && tiles_differ => return,
        Some(r) if *r != u.root => format!(
            "the entries give another root at size {}: history was rewritten since the \
             auditor's checkpoint (log time {}); the consistency proof read from the tiles \
             fails too: {}",
            u.size,
            log_time(u.log_time),
            u.reason
        ),
        Some(_) if !reproduced => format!(
            "the consistency proof read from the tiles fails ({}); the entries reproduce the \
             auditor's root, but their tree is not the published one (see check 2), so the \
             published tree is not proven to extend it",
            u.reason
        ),
        Some(_) => format!(
            "the consistency proof read from the tiles fails ({}), although the entries \
             reproduce both roots and no stored tile differs from them",
            u.reason
        ),
        None => format!(
            "the consistency proof read from the tiles fails ({}), and the entries up to size {} \
             cannot be read to tell a rewrite from corrupt tiles (see check 2)",
            u.reason, u.size
        ),
    };
    out.push(
        Finding::violated(
            C,
            "checkpoint-inconsistent",
            format!(
                "the tree of size {} is not an extension of the auditor's checkpoint of size {} \
                 (log time {}): {why}",
                published.size,
                u.size,
                log_time(u.log_time)
            ),
        )
        .checkpoint_size(u.size)
        .evidence(
            format!(
                "a tree extending size {} with root {}",
                u.size,
                hex::encode(u.root)
            ),
            match at {
                Some(r) if *r != u.root => format!("root {} at size {}", hex::encode(r), u.size),
                _ => format!(
                    "size {} with root {}",
                    published.size,
                    hex::encode(published.root)
                ),
            },
        ),
    );
}

/// An incremental run does not read the entries before its resume point, so an
/// [`Unproven`] auditor checkpoint cannot be classified: `checkpoint-consistency-undetermined`.
pub(crate) fn undetermined(u: &Unproven, published: &Published) -> Finding {
    Finding::undetermined(
        C,
        "checkpoint-consistency-undetermined",
        format!(
            "inconsistent or corrupt tiles: run a full verification. The consistency proof from \
             the auditor's checkpoint of size {} (log time {}) to the published tree of size {}, \
             read from the log's tiles, does not verify ({}); an incremental run does not read \
             the earlier entries, which alone tell corrupt tiles from a changed history",
            u.size,
            log_time(u.log_time),
            published.size,
            u.reason
        ),
    )
    .checkpoint_size(u.size)
    .evidence(
        format!(
            "a tree extending size {} with root {}",
            u.size,
            hex::encode(u.root)
        ),
        format!(
            "size {} with root {} (not proven)",
            published.size,
            hex::encode(published.root)
        ),
    )
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
    if let Some(t) = published.claimed_time
        && t > at_secs.saturating_add(CLOCK_SKEW_SECS)
    {
        out.push(
            Finding::violated(
                C,
                "checkpoint-time-future",
                format!(
                    "the log's cosigned time of the checkpoint of size {} is {}, later than the \
                     reference time {} of this verification (--at): the log claims a time \
                     that has not come yet",
                    published.size,
                    log_time(t),
                    log_time(at_secs)
                ),
            )
            .checkpoint_size(published.size)
            .evidence(
                format!("log time ≤ {}", log_time(at_secs)),
                format!("log time {}", log_time(t)),
            ),
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
                        "the checkpoint of size {large} has log time {}, earlier than the log \
                         time {} of the smaller checkpoint of size {small}: the log's times do \
                         not increase with its size",
                        log_time(t_large),
                        log_time(t_small)
                    ),
                )
                .checkpoint_size(large)
                .evidence(
                    format!("size {large} at log time ≥ {}", log_time(t_small)),
                    format!("size {large} at log time {}", log_time(t_large)),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_witness_quorum_bounds_a_clock_set_forward() {
        let skew = CLOCK_SKEW_SECS;
        assert_eq!(witnessed_by(90_000, &[1000], 0), None);
        assert_eq!(witnessed_by(90_000, &[1000], 2), None);
        assert_eq!(witnessed_by(1000 + skew, &[1000], 1), None);
        assert_eq!(witnessed_by(90_000, &[1000], 1), Some(1000 + skew));
        // Quorum 2: the second earliest (one witness may be the operator's).
        assert_eq!(
            witnessed_by(90_000, &[5000, 1000, 80_000], 2),
            Some(5000 + skew)
        );
    }

    #[test]
    fn a_time_stamp_bounds_a_clock_set_forward() {
        let skew = CLOCK_SKEW_SECS;
        assert_eq!(stamped_by(1000 + skew, 1000), None);
        assert_eq!(stamped_by(1000, 90_000), None);
        assert_eq!(stamped_by(1001 + skew, 1000), Some(1000 + skew));
    }

    #[test]
    fn the_witness_quorum_bounds_a_clock_set_back() {
        let skew = CLOCK_SKEW_SECS;
        // No quorum, too few cosignatures, agreeing times: the log's time stands.
        assert_eq!(witnessed_time(1000, &[90_000], 0), None);
        assert_eq!(witnessed_time(1000, &[90_000], 2), None);
        assert_eq!(witnessed_time(1000, &[1000 + skew], 1), None);
        // Set back: the quorum-th earliest witness time is used, so one early (dishonest)
        // witness of a quorum of two cannot pull it back.
        assert_eq!(witnessed_time(1000, &[90_000], 1), Some(90_000 - skew));
        assert_eq!(
            witnessed_time(1000, &[95_000, 1000, 90_000], 2),
            Some(90_000 - skew)
        );
    }

    /// The corrected time is the log's time held within the skew of the witnesses' time: it
    /// moves with both and never jumps, so an honest log's checkpoints (log and witness
    /// times both increasing) keep their order (no `checkpoint-time-order` from a
    /// correction).
    #[test]
    fn the_corrected_time_is_continuous_and_in_order() {
        let corrected = |l: u64, w: u64| {
            witnessed_time(l, &[w], 1)
                .or(witnessed_by(l, &[w], 1))
                .unwrap_or(l)
        };
        let w = 100_000;
        let skew = CLOCK_SKEW_SECS;
        let mut last = 0;
        for l in (w - 2 * skew)..(w + 2 * skew) {
            let c = corrected(l, w);
            assert!(c >= last, "log time {l}: {c} < {last}");
            assert!(c.abs_diff(w) <= skew, "log time {l}: {c}");
            last = c;
        }
        for (w1, w2) in [(w, w + 10), (w, w + 1000)] {
            for (l1, l2) in [
                (w1 + 290, w2 + 305),
                (w1 - 301, w2 - 300),
                (w1 + 5000, w2 + 5000),
            ] {
                assert!(
                    corrected(l2, w2) >= corrected(l1, w1),
                    "{l1},{w1} → {l2},{w2}"
                );
            }
        }
    }

    /// Each way the entries can answer for an auditor checkpoint whose tile proof failed.
    #[test]
    fn unproven_checkpoints_are_judged_by_the_entries() {
        let u = Unproven {
            size: 10,
            root: [1; 32],
            log_time: 5,
            reason: "proof fails".into(),
        };
        let p = Published {
            size: 20,
            root: [2; 32],
            log_time: Some(6),
            claimed_time: Some(6),
            authentic: true,
        };
        let cases: [(Option<Hash>, bool, bool, Option<&str>); 5] = [
            // Both roots reproduced, stored tiles differ: corrupt tiles (check 2's finding).
            (Some([1; 32]), true, true, None),
            (Some([3; 32]), true, true, Some("history was rewritten")),
            (Some([1; 32]), false, true, Some("not the published one")),
            (None, true, true, Some("cannot be read")),
            (Some([1; 32]), true, false, Some("no stored tile differs")),
        ];
        for (at, reproduced, tiles_differ, want) in cases {
            let mut out = Findings::default();
            classify(&u, at.as_ref(), reproduced, tiles_differ, &p, &mut out);
            let (_, _, f) = out.finish(&Default::default());
            match want {
                None => assert!(f.is_empty(), "{f:?}"),
                Some(text) => {
                    assert_eq!(f.len(), 1);
                    assert_eq!(f[0].code, "checkpoint-inconsistent");
                    assert!(f[0].message.contains(text), "{}", f[0].message);
                }
            }
        }
        let f = undetermined(&u, &p);
        assert_eq!(f.code, "checkpoint-consistency-undetermined");
        assert!(!f.message.contains("rewritten"));
    }
}
