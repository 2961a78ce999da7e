//! Key histories: which log key signs the checkpoints of which tree sizes, and which
//! registration-authority key is in force at which leaf (docs/CHECKS.md §Trust file, key
//! history; docs/FORMAT.md §Key rotation).
//!
//! Owns the trust file's `log_key_history` and `registration_authority_history` members
//! (validated here), the rule that a checkpoint is signed by a log key valid for its size
//! (a rotation checkpoint, at the boundary size, by the old and the new key), and the
//! authority key in force at a leaf: the trust file's entry for that leaf, replaced from the
//! leaf after an authority-replacement record (a key-registration, signed by the key in
//! force, that registers a new key for the authority's own producer id with exactly the three
//! authority kinds). Bounded by the number of keys. No I/O here.

use serde::{Deserialize, Serialize};

use crate::checkpoint::{CheckpointError, VerifiedCheckpoint, open_checkpoint};
use crate::crypto::{KeyId, PublicKey};
use crate::note::{self, Ed25519NoteVerifier, NoteVerifier};
use crate::record::Kind;
use crate::record::kinds::Body;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;

use super::report::{Check, Finding};
use super::state::AuditorState;
use super::trust::{Trust, TrustError};

/// One entry of the trust file's `log_key_history`: `key` signs the checkpoints of tree
/// sizes `from_size..=until_size` (no `until_size`: the current key, open-ended). At a
/// boundary size both the old and the new key are valid: the rotation checkpoint of that
/// size carries both signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogKeyEntry {
    /// The log's verifier key (type 0x01, named after the origin).
    pub key: String,
    pub from_size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_size: Option<u64>,
}

/// One entry of the trust file's `registration_authority_history`: `key` is the
/// registration authority's key for the records at leaves `from_leaf..until_leaf`
/// (`until_leaf` excluded; none: open-ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorityKeyEntry {
    /// The authority's verifier key (type 0x01, named after its producer id).
    pub key: String,
    pub from_leaf: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_leaf: Option<u64>,
}

/// A log key and the tree sizes it signs (`until` included).
#[derive(Debug, Clone)]
pub struct LogKeyRange {
    pub key: Ed25519NoteVerifier,
    pub from: u64,
    pub until: Option<u64>,
}

impl LogKeyRange {
    fn contains(&self, size: u64) -> bool {
        size >= self.from && self.until.is_none_or(|u| size <= u)
    }

    fn describe(&self) -> String {
        match self.until {
            Some(u) => format!("sizes {}..={u}", self.from),
            None => format!("sizes from {}", self.from),
        }
    }
}

/// An authority key and the leaves it is in force for (`until` excluded).
#[derive(Debug, Clone)]
pub struct AuthorityKeyRange {
    pub key: PublicKey,
    pub from: u64,
    pub until: Option<u64>,
}

fn member(member: impl Into<String>, reason: impl std::fmt::Display) -> TrustError {
    TrustError::Member {
        member: member.into(),
        reason: reason.to_string(),
    }
}

/// Check that `ranges` (from, until) start at 0, follow each other without gap or overlap
/// beyond the shared boundary, are non-empty, and only the last is open-ended.
fn check_ranges(name: &str, ranges: &[(u64, Option<u64>)]) -> Result<(), TrustError> {
    let mut expected_from = 0u64;
    for (i, (from, until)) in ranges.iter().enumerate() {
        let m = format!("{name}[{i}]");
        if *from != expected_from {
            return Err(member(
                m,
                format!(
                    "starts at {from}, expected {expected_from} (the ranges must follow each \
                     other from 0, each starting where the previous one ends)"
                ),
            ));
        }
        let last = i + 1 == ranges.len();
        match (until, last) {
            (None, true) => {}
            (None, false) => {
                return Err(member(m, "only the last (current) key may be open-ended"));
            }
            (Some(_), true) => {
                return Err(member(
                    m,
                    "the last entry is the current key and has no end (remove its until)",
                ));
            }
            (Some(u), false) => {
                if u <= from {
                    return Err(member(
                        m,
                        format!("ends at {u}, not after its start {from}"),
                    ));
                }
                expected_from = *u;
            }
        }
    }
    Ok(())
}

/// The log keys of a trust file: `log_key_history` when given (its last key must be
/// `log_key`), else `log_key` alone for every size.
pub(crate) fn log_keys(
    history: &[LogKeyEntry],
    current: &Ed25519NoteVerifier,
    origin: &str,
) -> Result<Vec<LogKeyRange>, TrustError> {
    if history.is_empty() {
        return Ok(vec![LogKeyRange {
            key: current.clone(),
            from: 0,
            until: None,
        }]);
    }
    let h = "log_key_history";
    let mut out: Vec<LogKeyRange> = Vec::with_capacity(history.len());
    for (i, e) in history.iter().enumerate() {
        let key = Ed25519NoteVerifier::from_vkey(e.key.trim())
            .map_err(|err| member(format!("{h}[{i}].key"), err))?;
        if key.name() != origin {
            return Err(member(
                format!("{h}[{i}].key"),
                format!(
                    "named {:?}, but a log key is named after the origin {origin:?}",
                    key.name()
                ),
            ));
        }
        if let Some(j) = out
            .iter()
            .position(|r| r.key.public_key() == key.public_key())
        {
            return Err(member(
                format!("{h}[{i}].key"),
                format!("the same key as {h}[{j}]: a retired key never returns"),
            ));
        }
        out.push(LogKeyRange {
            key,
            from: e.from_size,
            until: e.until_size,
        });
    }
    let ranges: Vec<_> = out.iter().map(|r| (r.from, r.until)).collect();
    check_ranges(h, &ranges)?;
    let last = out.last().expect("not empty");
    if last.key.public_key() != current.public_key() {
        return Err(member(
            format!("{h}[{}].key", out.len() - 1),
            "the current (last) key of the history must be log_key",
        ));
    }
    Ok(out)
}

/// The registration authority's keys of a trust file: `registration_authority_history` when
/// given (its last key must be `registration_authority`, every key with the same name), else
/// `registration_authority` alone for every leaf.
pub(crate) fn authority_keys(
    history: &[AuthorityKeyEntry],
    current: &Ed25519NoteVerifier,
) -> Result<Vec<AuthorityKeyRange>, TrustError> {
    if history.is_empty() {
        return Ok(vec![AuthorityKeyRange {
            key: *current.public_key(),
            from: 0,
            until: None,
        }]);
    }
    let h = "registration_authority_history";
    let mut out: Vec<AuthorityKeyRange> = Vec::with_capacity(history.len());
    for (i, e) in history.iter().enumerate() {
        let key = Ed25519NoteVerifier::from_vkey(e.key.trim())
            .map_err(|err| member(format!("{h}[{i}].key"), err))?;
        if key.name() != current.name() {
            return Err(member(
                format!("{h}[{i}].key"),
                format!(
                    "named {:?}, but the registration authority is {:?} (every key of its \
                     history carries its producer id)",
                    key.name(),
                    current.name()
                ),
            ));
        }
        if let Some(j) = out.iter().position(|r| &r.key == key.public_key()) {
            return Err(member(
                format!("{h}[{i}].key"),
                format!("the same key as {h}[{j}]: a replaced key never returns"),
            ));
        }
        out.push(AuthorityKeyRange {
            key: *key.public_key(),
            from: e.from_leaf,
            until: e.until_leaf,
        });
    }
    let ranges: Vec<_> = out.iter().map(|r| (r.from, r.until)).collect();
    check_ranges(h, &ranges)?;
    if &out.last().expect("not empty").key != current.public_key() {
        return Err(member(
            format!("{h}[{}].key", out.len() - 1),
            "the current (last) key of the history must be registration_authority",
        ));
    }
    Ok(out)
}

/// Why a checkpoint was not accepted as signed by the log key valid for its size.
#[derive(Debug)]
pub(crate) enum Rejected {
    /// Not a valid checkpoint signed by a log key of the trust file (the codes of check 1).
    Checkpoint(CheckpointError),
    /// Signed by a log key of the history, but not one valid for its size, or a rotation
    /// checkpoint without the old key's signature.
    Key(Box<Finding>),
}

const C: Check = Check::Checkpoints;

/// Open a signed checkpoint (`what` names it in findings) and require a signature (with
/// its timestamped cosignature) by a log key valid for its size: a checkpoint beyond a key's
/// range signed only by that key is `checkpoint-key-expired`, one before a key's range
/// signed only by it `checkpoint-key-not-yet-valid`, and a checkpoint at a rotation size
/// signed by the new key but not by the old one `checkpoint-rotation-unsigned`. A signature
/// line of any key of the history that does not verify rejects the checkpoint.
pub(crate) fn open_at_size(
    bytes: &[u8],
    trust: &Trust,
    what: &str,
) -> Result<VerifiedCheckpoint, Rejected> {
    let origin = trust.origin();
    let keys = &trust.log_keys;
    let n = note::parse_note(bytes).map_err(|e| Rejected::Checkpoint(e.into()))?;
    let size = crate::checkpoint::Checkpoint::parse(&n.text)
        .map_err(Rejected::Checkpoint)?
        .size;
    let mut verified: Vec<(usize, VerifiedCheckpoint)> = Vec::new();
    for (i, r) in keys.iter().enumerate() {
        let present = n
            .signatures
            .iter()
            .any(|s| s.name == origin && s.key_id == r.key.key_id());
        if present {
            let v = open_checkpoint::<&str>(bytes, origin, &r.key, &[], 0)
                .map_err(Rejected::Checkpoint)?;
            verified.push((i, v));
        }
    }
    let signers: Vec<usize> = verified.iter().map(|(i, _)| *i).collect();
    let Some(pos) = signers.iter().position(|&i| keys[i].contains(size)) else {
        return Err(no_valid_signer(bytes, trust, size, &signers, what));
    };
    if let Some(f) = rotation_unsigned(keys, size, &signers, what) {
        return Err(Rejected::Key(Box::new(f)));
    }
    Ok(verified.swap_remove(pos).1)
}

/// Why a checkpoint of `size` signed by the log keys `signers` (indexes into the history)
/// but by none valid for its size is rejected: with no signer, the error of the key valid
/// for the size; otherwise `checkpoint-key-expired` or `checkpoint-key-not-yet-valid`.
fn no_valid_signer(
    bytes: &[u8],
    trust: &Trust,
    size: u64,
    signers: &[usize],
    what: &str,
) -> Rejected {
    let keys = &trust.log_keys;
    let expected = keys
        .iter()
        .find(|r| r.contains(size))
        .expect("the ranges cover every size");
    let Some(&i) = signers.last() else {
        // No key of the history signed it: the error of the key valid for this size.
        return match open_checkpoint::<&str>(bytes, trust.origin(), &expected.key, &[], 0) {
            Err(e) => Rejected::Checkpoint(e),
            Ok(_) => unreachable!("a key that signed it was found above"),
        };
    };
    let r = &keys[i];
    let (code, why) = if r.until.is_some_and(|u| size > u) {
        (
            "checkpoint-key-expired",
            "a retired log key signs nothing beyond its range",
        )
    } else {
        (
            "checkpoint-key-not-yet-valid",
            "a log key signs nothing before the size it was rotated in at",
        )
    };
    let f = Finding::violated(
        C,
        code,
        format!(
            "{what}: the checkpoint of size {size} is signed only by the log key {:08x}, which \
             the trust file's log key history pins for {}: {why}",
            r.key.key_id(),
            r.describe()
        ),
    );
    Rejected::Key(Box::new(f.evidence(
        format!(
            "signed by the log key {:08x} ({})",
            expected.key.key_id(),
            expected.describe()
        ),
        format!("signed by the log key {:08x}", r.key.key_id()),
    )))
}

/// A rotation checkpoint: the new key's first size needs the old key's signature too.
fn rotation_unsigned(
    keys: &[LogKeyRange],
    size: u64,
    signers: &[usize],
    what: &str,
) -> Option<Finding> {
    let &i = signers
        .iter()
        .find(|&&i| i > 0 && keys[i].from == size && !signers.contains(&(i - 1)))?;
    let (old, new) = (keys[i - 1].key.key_id(), keys[i].key.key_id());
    let f = Finding::violated(
        C,
        "checkpoint-rotation-unsigned",
        format!(
            "{what}: the checkpoint of size {size}, where the log key {new:08x} was rotated in, \
             is not signed by the outgoing key {old:08x}: a rotation is announced by a \
             checkpoint that both keys sign"
        ),
    );
    Some(f.evidence(
        format!("signatures by {old:08x} and {new:08x}"),
        format!("a signature by {new:08x} only"),
    ))
}

/// Whether `bytes` is the rotation checkpoint of the boundary where `trust`'s log key `i`
/// (`i ≥ 1`) took over: a checkpoint of size `from` of key `i`, signed (signature and
/// cosignature) by key `i - 1` and by key `i`.
pub(crate) fn is_rotation_checkpoint(bytes: &[u8], trust: &Trust, i: usize) -> bool {
    let keys = &trust.log_keys;
    let (Some(old), Some(new)) = (i.checked_sub(1).and_then(|j| keys.get(j)), keys.get(i)) else {
        return false;
    };
    let opened = |k: &LogKeyRange| open_checkpoint::<&str>(bytes, trust.origin(), &k.key, &[], 0);
    match (opened(old), opened(new)) {
        (Ok(a), Ok(b)) => a.checkpoint.size == new.from && b.checkpoint.size == new.from,
        _ => false,
    }
}

/// Check the checkpoints of the auditor's state against the log key history: each must be
/// signed by a key valid for its size. One signed by no key of the trust file cannot be
/// authenticated with this trust file (`checkpoint-stored-key-unknown`, cannot be
/// determined: the history lacks a key the auditor once trusted); any other refusal is a
/// violation.
pub(crate) fn check_stored(state: &AuditorState, trust: &Trust, out: &mut super::report::Findings) {
    for seen in &state.checkpoints {
        let what = format!("the auditor's stored checkpoint of size {}", seen.size);
        match open_at_size(seen.note.as_bytes(), trust, &what) {
            Ok(_) => {}
            Err(Rejected::Key(f)) => out.push(*f),
            Err(Rejected::Checkpoint(CheckpointError::NotSignedByLog { key_id, .. })) => out.push(
                Finding::undetermined(
                    C,
                    "checkpoint-stored-key-unknown",
                    format!(
                        "{what} is signed by no log key of the trust file (the key valid for its \
                         size is {key_id:08x}): it was signed under a key this trust file does \
                         not list; give the trust file the log key history (log_key_history) \
                         to authenticate it"
                    ),
                )
                .evidence(
                    format!("a signature by {key_id:08x}"),
                    "no signature by a listed log key",
                ),
            ),
            Err(Rejected::Checkpoint(e)) => out.push(
                Finding::violated(C, "checkpoint-stored-signature", format!("{what}: {e}"))
                    .evidence(
                        "a checkpoint signed by the log key valid for its size",
                        e.to_string(),
                    ),
            ),
        }
    }
}

/// The authority kinds, which an authority-replacement registration allows exactly.
const AUTHORITY_KINDS: [Kind; 3] = [
    Kind::KeyRegistration,
    Kind::KeyRevocation,
    Kind::ProducerReset,
];

/// Whether a key-registration (by the authority) replaces the authority's key: it registers
/// a key for the authority's own producer id with exactly the three authority kinds.
pub fn is_authority_replacement(producer: &ProducerId, kinds: &[Kind], authority: &str) -> bool {
    producer.as_str() == authority
        && kinds.len() == AUTHORITY_KINDS.len()
        && AUTHORITY_KINDS.iter().all(|k| kinds.contains(k))
}

/// The registration authority's keys as the log is read: the trust file's history, and the
/// replacements by record (leaf, new key) seen so far.
#[derive(Debug, Clone)]
pub(crate) struct AuthorityKeys {
    ranges: Vec<AuthorityKeyRange>,
    replacements: Vec<(u64, PublicKey)>,
}

impl AuthorityKeys {
    pub fn new(trust: &Trust) -> Self {
        AuthorityKeys {
            ranges: trust.authority_keys.clone(),
            replacements: Vec::new(),
        }
    }

    fn range_at(&self, leaf: u64) -> &AuthorityKeyRange {
        self.ranges
            .iter()
            .rev()
            .find(|r| r.from <= leaf)
            .expect("the first range starts at 0")
    }

    /// The authority key in force at `leaf`: the trust file's key for the leaf, or the last
    /// key that replaced it by a record at an earlier leaf of the same range.
    pub fn key_at(&self, leaf: u64) -> &PublicKey {
        let r = self.range_at(leaf);
        self.replacements
            .iter()
            .rev()
            .find(|(at, _)| *at >= r.from && *at < leaf)
            .map_or(&r.key, |(_, k)| k)
    }

    /// Every authority key known (for signature checks).
    pub fn all(&self) -> impl Iterator<Item = &PublicKey> {
        self.ranges
            .iter()
            .map(|r| &r.key)
            .chain(self.replacements.iter().map(|(_, k)| k))
    }

    /// An authority-replacement record at `leaf` registered `key`: in force from the next leaf.
    pub fn replace(&mut self, leaf: u64, key: PublicKey) {
        self.replacements.push((leaf, key));
    }

    /// A record at `leaf` signed by `kid`, an authority key not in force there:
    /// `record-authority-key-expired` (the record has no effect and is not authentic).
    pub fn out_of_range(&self, kid: &KeyId, leaf: u64) -> Option<Finding> {
        let in_force = self.key_at(leaf);
        if &in_force.key_id() == kid || !self.all().any(|k| &k.key_id() == kid) {
            return None;
        }
        let detail = match self.replacements.iter().find(|(_, k)| &k.key_id() == kid) {
            Some((at, _)) => format!("a key the authority registered for itself at leaf {at}"),
            None => {
                let r = self
                    .ranges
                    .iter()
                    .find(|r| &r.key.key_id() == kid)
                    .expect("known");
                match r.until {
                    Some(u) => format!("pinned by the trust file for leaves {}..{u}", r.from),
                    None => format!("pinned by the trust file from leaf {}", r.from),
                }
            }
        };
        Some(
            Finding::violated(
                Check::Records,
                "record-authority-key-expired",
                format!(
                    "signed by the registration authority key {} ({detail}), which is not the \
                     authority's key at this leaf: it was replaced, and a replaced authority key \
                     has no effect",
                    Hash32(*kid)
                ),
            )
            .evidence(
                format!("kid {}", Hash32(in_force.key_id())),
                format!("kid {}", Hash32(*kid)),
            ),
        )
    }

    /// Restore the replacements of a resume point from its registered keys (an authentic
    /// registration for the authority's id with the authority kinds is a replacement).
    pub fn resume(&mut self, keys: &[(u64, PublicKey, &str, &[Kind])], authority: &str) {
        let mut v: Vec<(u64, PublicKey)> = keys
            .iter()
            .filter(|(_, _, p, kinds)| {
                ProducerId::new(*p).is_ok_and(|p| is_authority_replacement(&p, kinds, authority))
            })
            .map(|(at, k, _, _)| (*at, *k))
            .collect();
        v.sort_by_key(|(at, _)| *at);
        self.replacements = v;
    }
}

/// Whether `body` is an authority replacement (for the registry's hook).
pub(crate) fn replacement_key(body: &Body, authority: &str) -> Option<PublicKey> {
    match body {
        Body::KeyRegistration(reg)
            if is_authority_replacement(&reg.producer, &reg.kinds, authority) =>
        {
            PublicKey::from_bytes(&reg.public_key.0).ok()
        }
        _ => None,
    }
}

/// The retired keys of the histories (every entry but the current one), for the report's
/// provenance.
pub(crate) fn retired_anchors(trust: &Trust) -> Vec<super::report::Anchor> {
    let fp = |k: &PublicKey| format!("sha256:{}", hex::encode(k.key_id()));
    let n = trust.log_keys.len().saturating_sub(1);
    let mut v: Vec<_> = trust.log_keys[..n]
        .iter()
        .map(|r| super::report::Anchor {
            role: format!("log ({})", r.describe()),
            name: r.key.name().to_string(),
            fingerprint: fp(r.key.public_key()),
        })
        .collect();
    let n = trust.authority_keys.len().saturating_sub(1);
    v.extend(
        trust.authority_keys[..n]
            .iter()
            .map(|r| super::report::Anchor {
                role: format!(
                    "registration-authority (leaves {}..{})",
                    r.from,
                    r.until.unwrap_or(u64::MAX)
                ),
                name: trust.authority.to_string(),
                fingerprint: fp(&r.key),
            }),
    );
    v
}
