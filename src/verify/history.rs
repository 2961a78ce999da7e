//! Check 1 on the log's public checkpoint history (docs/FORMAT.md §11.3.1, §11.3.2): every
//! entry `public/checkpoints/<N>` of a size up to the published one is signed by the log key
//! valid for its size and has the root of the published tree at `N`; each boundary of the
//! trust file's log key history has its rotation checkpoint (both keys) in the history or in
//! `public/rotations/<N>`. Reads through the store (bounded, regular files only); keeps one
//! size and root per entry until the tree pass has recomputed the roots.

use crate::checkpoint::CheckpointError;
use crate::log::history;
use crate::note;
use crate::store::{ObjectStore, StoreError};
use crate::tree::Hash;

use super::keys::{self, Rejected};
use super::report::{Check, Finding, Findings};
use super::trust::Trust;

const C: Check = Check::Checkpoints;

/// A signed checkpoint the log published (a history entry or a rotation checkpoint), whose
/// root is to be compared with the published tree at its size.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub size: u64,
    pub root: Hash,
    /// Where it was read, for findings.
    pub path: String,
    /// The log's cosigned time (seconds).
    pub log_time: u64,
}

/// Read the history entries of sizes in `from..=size` (`size`: the published size), and the
/// rotation checkpoints of the trust file's key boundaries up to `size`; push findings for
/// those that cannot be read or do not verify, and return those that do, for the root
/// comparison ([`compare`]). `latest` is the published checkpoint (a rotation checkpoint at
/// the published size may be only there).
pub(crate) fn read(
    store: &dyn ObjectStore,
    trust: &Trust,
    from: u64,
    size: u64,
    latest: Option<&[u8]>,
    out: &mut Findings,
) -> Result<Vec<Entry>, StoreError> {
    let sizes = match history::sizes(store) {
        Ok(s) => s,
        Err(e) => {
            out.push(Finding::undetermined(
                C,
                "checkpoint-history-undetermined",
                format!("the checkpoint history cannot be listed: {e}"),
            ));
            Vec::new()
        }
    };
    if sizes.is_empty() && size > 0 {
        out.push(Finding::notice(
            C,
            "checkpoint-history-absent",
            "the log publishes no checkpoint history (public/checkpoints/): a log written \
             before the history existed; its earlier checkpoints are not checked",
        ));
    }
    let mut entries = Vec::new();
    let mut held = std::collections::HashMap::new();
    let mut unknown = Vec::new();
    for n in sizes.into_iter().filter(|&n| n >= from && n <= size) {
        let key = history::key(n);
        match open(store, trust, &key, n, out)? {
            Opened::Verified(entry, bytes) => {
                entries.push(entry);
                held.insert(n, bytes);
            }
            Opened::KeyUnknown => unknown.push(n),
            Opened::Not => {}
        }
    }
    // The entries' time-stamp tokens (the published size's is judged with the published
    // checkpoint, check 1's `stamped`).
    if !trust.timestamp_authorities.is_empty() {
        let mut sizes: Vec<u64> = held.keys().copied().filter(|n| *n < size).collect();
        sizes.sort_unstable();
        for n in sizes {
            tokens(store, trust, n, &held[&n], out);
        }
    }
    if let (Some(first), Some(last)) = (unknown.first(), unknown.last()) {
        out.push(
            Finding::undetermined(
                C,
                "checkpoint-history-key-unknown",
                format!(
                    "{} entries of the checkpoint history (sizes {first}..={last}) are signed by \
                     no log key of the trust file: they were signed under a key this trust file \
                     does not list; give the trust file the log key history (log_key_history) \
                     to check them",
                    unknown.len()
                ),
            )
            .evidence("a signature by the log key valid for each size", "none"),
        );
    }
    // The rotation checkpoint of each boundary of the key history.
    for (i, k) in trust.log_keys.iter().enumerate().skip(1) {
        let n = k.from;
        if n > size {
            continue;
        }
        let rotations = history::rotation_key(n);
        let beside = match open(store, trust, &rotations, n, out)? {
            Opened::Verified(e, b) => Some((e, b)),
            _ => None,
        };
        let in_history = match held.get(&n) {
            Some(b) => Some(b.clone()),
            // Below an incremental run's resume point the entry was not read above.
            None if n < from => store
                .get_at_most(&history::key(n), note::MAX_NOTE_SIZE)
                .ok()
                .flatten(),
            None => None,
        };
        let found = [
            in_history.as_deref(),
            beside.as_ref().map(|b| b.1.as_slice()),
            latest,
        ]
        .into_iter()
        .flatten()
        .any(|b| keys::is_rotation_checkpoint(b, trust, i));
        // Its root is compared with the tree when the run recomputes the tree at N.
        if let Some((entry, _)) = beside.filter(|_| n >= from) {
            entries.push(entry);
        }
        if !found {
            out.push(
                Finding::violated(
                    C,
                    "checkpoint-rotation-missing",
                    format!(
                        "the trust file's log key history rotates the log key at size {n}, but \
                         the log publishes no checkpoint of size {n} signed by both keys (not \
                         in {}, {} or public/checkpoint): the rotation is not announced",
                        store.describe(&history::key(n)),
                        store.describe(&rotations)
                    ),
                )
                .evidence(
                    format!("a checkpoint of size {n} signed by the outgoing and incoming keys"),
                    "none",
                ),
            );
        }
    }
    Ok(entries)
}

/// The time-stamp token kept beside the history entry of size `n` (`note`, verified), if
/// any: one that does not verify against the trust file's authorities is
/// `checkpoint-timestamp-invalid` (an entry without a token is not a finding: the tokens that
/// bound times are the published checkpoint's).
fn tokens(store: &dyn ObjectStore, trust: &Trust, n: u64, note: &[u8], out: &mut Findings) {
    let key = history::timestamp_key(n);
    let path = store.describe(&key);
    let failed = |why: String| {
        Finding::violated(
            C,
            "checkpoint-timestamp-invalid",
            format!("{path}, the time-stamp token over the checkpoint of size {n}: {why}"),
        )
        .checkpoint_size(n)
    };
    let bytes = match store.get_at_most(&key, crate::timestamp::MAX_RESPONSE_SIZE) {
        Ok(Some(b)) => b,
        Ok(None) => return,
        Err(e) => {
            out.push(failed(format!("not read: {e}")));
            return;
        }
    };
    let Ok(parsed) = note::parse_note(note) else {
        return;
    };
    if let Err(e) = crate::timestamp::verify_response(
        &bytes,
        parsed.text.as_bytes(),
        None,
        &trust.timestamp_authorities,
    ) {
        out.push(
            failed(format!("does not verify: {e}"))
                .evidence("an RFC 3161 token by a listed authority", e.to_string()),
        );
    }
}

/// What [`open`] made of a published checkpoint.
enum Opened {
    Verified(Entry, Vec<u8>),
    /// Signed under the origin's name by no log key of the trust file (no finding pushed).
    KeyUnknown,
    /// Absent, or refused with a finding.
    Not,
}

/// Open the published checkpoint at `key`, which must be of size `n`.
fn open(
    store: &dyn ObjectStore,
    trust: &Trust,
    key: &str,
    n: u64,
    out: &mut Findings,
) -> Result<Opened, StoreError> {
    let path = store.describe(key);
    let malformed = |why: String| {
        Finding::violated(C, "checkpoint-history-malformed", format!("{path}: {why}"))
    };
    let bytes = match store.get_at_most(key, note::MAX_NOTE_SIZE) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(Opened::Not),
        Err(e @ (StoreError::NotRegular { .. } | StoreError::TooLarge { .. })) => {
            out.push(malformed(format!("not read: {e}")).evidence(
                format!("a regular file of at most {} bytes", note::MAX_NOTE_SIZE),
                e,
            ));
            return Ok(Opened::Not);
        }
        Err(e) => return Err(e),
    };
    match keys::open_at_size(&bytes, trust, &path) {
        Ok(v) if v.checkpoint.size != n => {
            out.push(
                malformed(format!(
                    "the checkpoint at the path of size {n} is of size {}",
                    v.checkpoint.size
                ))
                .evidence(format!("size {n}"), v.checkpoint.size),
            );
            Ok(Opened::Not)
        }
        Ok(v) => Ok(Opened::Verified(
            Entry {
                size: n,
                root: v.checkpoint.root,
                path,
                log_time: v.log_time,
            },
            bytes,
        )),
        Err(Rejected::Key(f)) => {
            out.push(*f);
            Ok(Opened::Not)
        }
        Err(Rejected::Checkpoint(CheckpointError::NotSignedByLog { .. }))
            if signed_under_origin(&bytes, trust) =>
        {
            Ok(Opened::KeyUnknown)
        }
        Err(Rejected::Checkpoint(e)) => {
            let signature = matches!(
                e,
                CheckpointError::NotSignedByLog { .. }
                    | CheckpointError::LogSignatureInvalid { .. }
                    | CheckpointError::LogCosignatureMissing { .. }
                    | CheckpointError::LogCosignatureInvalid { .. }
                    | CheckpointError::TimestampTooLarge { .. }
            );
            let f = if signature {
                Finding::violated(C, "checkpoint-history-signature", format!("{path}: {e}"))
                    .evidence(
                        format!("a checkpoint of size {n} signed by the log key valid for it"),
                        e.to_string(),
                    )
            } else {
                malformed(e.to_string()).evidence("a signed checkpoint of this log", e.to_string())
            };
            out.push(f);
            Ok(Opened::Not)
        }
    }
}

/// Whether the note carries signature lines under the origin's name (by a key the trust file
/// does not list, when no listed key signed it).
fn signed_under_origin(bytes: &[u8], trust: &Trust) -> bool {
    note::parse_note(bytes).is_ok_and(|n| n.signatures.iter().any(|s| s.name == trust.origin()))
}

/// Compare each entry's root with the published tree's root at its size: `anchors` are
/// roots known without the tree pass (the published checkpoint's, an incremental run's
/// resume point), `recomputed` those the tree pass recorded. A different root is the log's
/// own published fork (`checkpoint-history-inconsistent`); a size the entries did not reach
/// cannot be compared (`checkpoint-history-undetermined`, once).
pub(crate) fn compare(
    entries: &[Entry],
    anchors: &[(u64, Hash)],
    recomputed: &std::collections::BTreeMap<u64, Hash>,
    empty: Hash,
    out: &mut Findings,
) {
    let mut unreached = Vec::new();
    for e in entries {
        let known = anchors
            .iter()
            .find(|a| a.0 == e.size)
            .map(|a| a.1)
            .or_else(|| (e.size == 0).then_some(empty))
            .or_else(|| recomputed.get(&e.size).copied());
        match known {
            None => unreached.push(e.size),
            Some(root) if root == e.root => {}
            Some(root) => out.push(
                Finding::violated(
                    C,
                    "checkpoint-history-inconsistent",
                    format!(
                        "{}: the log signed a checkpoint of size {} (log time {}) whose root is \
                         not the published tree's root at that size: the log published a fork \
                         of its own history",
                        e.path,
                        e.size,
                        super::checkpoints::log_time(e.log_time)
                    ),
                )
                .checkpoint_size(e.size)
                .evidence(hex::encode(root), hex::encode(e.root)),
            ),
        }
    }
    if let (Some(first), n) = (unreached.first(), unreached.len()) {
        out.push(Finding::undetermined(
            C,
            "checkpoint-history-undetermined",
            format!(
                "{n} published checkpoint(s) from size {first} on cannot be compared with the \
                 tree: its entries could not be recomputed up to their sizes (see check 2)"
            ),
        ));
    }
}
