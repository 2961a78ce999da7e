//! Checkpoints, per C2SP `tlog-checkpoint` (<https://c2sp.org/tlog-checkpoint>), and their
//! timestamped Ed25519 cosignatures, per C2SP `tlog-cosignature`
//! (<https://c2sp.org/tlog-cosignature>, `cosignature/v1`).
//!
//! Owns: the checkpoint body (`<origin>\n<size>\n<base64 root>\n` then optional extension
//! lines, "Note text" section), `cosignature/v1` signing and verification ("Format" and
//! "Ed25519 signed message" sections: signature type `0x04`, key id
//! `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`, signature payload
//! `timestamp (u64 big-endian) ‖ Ed25519 signature`, signed message
//! `cosignature/v1\ntime <timestamp>\n` followed by the whole checkpoint body), cosigner
//! verifier keys (type `0x04` vkeys), and logseal's signed checkpoint.
//!
//! **logseal's signed checkpoint** is a signed note ([`crate::note`]) whose text is a checkpoint
//! body with *no* extension lines, carrying, in this order:
//! 1. the log's plain Ed25519 signature (type `0x01`), the standard checkpoint signature;
//! 2. a `cosignature/v1` by the same log key (type `0x04`): its timestamp is "the log's time"
//!    for this checkpoint;
//! 3. zero or more witness cosignatures (type `0x04`), appended later
//!    ([`add_cosignatures`]).
//!
//! **Convention:** the log key's name is the checkpoint origin (tlog-checkpoint "Signatures":
//! the log's key name SHOULD match the origin). logseal makes it a MUST: [`sign_checkpoint`]
//! refuses another name and [`open_checkpoint`] only looks for log signatures under the
//! origin. The origin must therefore also be a valid note key name (no spaces, no `+`).
//!
//! The log's one key signs two kinds of message; they cannot collide: a `0x01` signature
//! covers a checkpoint body, whose second line is a decimal tree size, while every `0x04`
//! message has `time <T>` as its second line.
//!
//! All signature checks go through [`crate::crypto::PublicKey::verify`] (strict Ed25519).

use crate::crypto::{PublicKey, SIGNATURE_LEN, SecretKey};
use crate::note::{
    self, Ed25519NoteKey, Ed25519NoteVerifier, Note, NoteError, NoteSignature, NoteSigner,
    NoteVerifier, VerifierKey,
};

/// Signature type byte of `cosignature/v1` (timestamped Ed25519) signatures.
pub const SIG_TYPE_COSIGNATURE_V1: u8 = 0x04;

/// Length of a `cosignature/v1` signature payload after the key id: timestamp and signature.
pub const COSIGNATURE_V1_LEN: usize = 8 + SIGNATURE_LEN;

/// Largest timestamp a cosignature may carry (the spec's 2^63 - 1).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;

/// Why a checkpoint or a cosignature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("checkpoint line {line}: {reason}")]
    Body { line: usize, reason: String },
    #[error("checkpoint has {count} extension line(s); logseal neither emits nor accepts them")]
    ExtensionLines { count: usize },
    #[error(
        "log key name {key_name:?} is not the checkpoint origin {origin:?} \
         (logseal names the log key after the origin)"
    )]
    LogKeyNameNotOrigin { key_name: String, origin: String },
    #[error("checkpoint origin is {found:?}, expected {expected:?}")]
    OriginMismatch { expected: String, found: String },
    #[error("checkpoint is not signed by the log key {name:?} (key id {key_id:08x})")]
    NotSignedByLog { name: String, key_id: u32 },
    #[error(
        "note line {line}: the log signature by {name:?} (key id {key_id:08x}) does not verify"
    )]
    LogSignatureInvalid {
        line: usize,
        name: String,
        key_id: u32,
    },
    #[error("checkpoint has no log cosignature (the log's time) by {name:?} (key id {key_id:08x})")]
    LogCosignatureMissing { name: String, key_id: u32 },
    #[error(
        "note line {line}: the log cosignature by {name:?} (key id {key_id:08x}) does not verify"
    )]
    LogCosignatureInvalid {
        line: usize,
        name: String,
        key_id: u32,
    },
    #[error(
        "note line {line}: witness cosignature by {name:?} (key id {key_id:08x}) does not verify"
    )]
    WitnessCosignatureInvalid {
        line: usize,
        name: String,
        key_id: u32,
    },
    #[error(
        "witness quorum not met: {verified} of {configured} configured witnesses cosigned, \
         {required} required"
    )]
    QuorumNotMet {
        required: usize,
        verified: usize,
        configured: usize,
    },
    #[error("cosignature is by {found:?}, expected {expected:?}")]
    CosignatureName { expected: String, found: String },
    #[error("cosignature by {name:?} has key id {found:08x}, expected {expected:08x}")]
    CosignatureKeyId {
        name: String,
        expected: u32,
        found: u32,
    },
    #[error("cosignature by {name:?} is {found} bytes, expected {COSIGNATURE_V1_LEN}")]
    CosignatureLength { name: String, found: usize },
    #[error(
        "cosignature by {name:?}: timestamp {time} exceeds 2^63 - 1, the largest a \
         cosignature/v1 may carry"
    )]
    TimestampTooLarge { name: String, time: u64 },
    #[error("cosignature by {name:?} (key id {key_id:08x}) does not verify")]
    BadCosignature { name: String, key_id: u32 },
    #[error(
        "the checkpoint's log time {log_time} is {} s after the checker's own time {now} \
         (allowed clock skew {skew} s): the log claims a time that has not come yet",
        .log_time - .now
    )]
    LogTimeAhead { log_time: u64, now: u64, skew: u64 },
}

/// A checkpoint: the log's origin, tree size and RFC 6962 root hash, plus the extension lines
/// found when parsing (logseal itself never emits any, and refuses them when opening).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: [u8; 32],
    /// Extension lines, without their newlines. Each is non-empty.
    pub extensions: Vec<String>,
}

/// A tree size no tree of this crate can have (above [`crate::tree::MAX_TREE_SIZE`]) is
/// refused: a checkpoint claiming one is not a checkpoint of a logseal log.
fn check_size(size: u64) -> Result<(), CheckpointError> {
    if size > crate::tree::MAX_TREE_SIZE {
        return Err(body_err(
            2,
            format!(
                "tree size {size} is above the largest supported tree size {} (2^62)",
                crate::tree::MAX_TREE_SIZE
            ),
        ));
    }
    Ok(())
}

fn body_err(line: usize, reason: impl Into<String>) -> CheckpointError {
    CheckpointError::Body {
        line,
        reason: reason.into(),
    }
}

/// Check one line's content: non-empty, no control character (newline included).
fn check_line(line_no: usize, what: &str, s: &str) -> Result<(), CheckpointError> {
    if s.is_empty() {
        return Err(body_err(line_no, format!("{what} is empty")));
    }
    if let Some(b) = s.bytes().find(|&b| b < 0x20) {
        return Err(body_err(
            line_no,
            format!("{what} contains control character 0x{b:02x}"),
        ));
    }
    Ok(())
}

impl Checkpoint {
    /// A checkpoint without extension lines; the origin must be a valid line.
    pub fn new(origin: &str, size: u64, root: [u8; 32]) -> Result<Self, CheckpointError> {
        let cp = Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions: Vec::new(),
        };
        cp.check()?;
        Ok(cp)
    }

    /// Check that [`Self::to_body`] would give a body [`Self::parse`] accepts.
    pub fn check(&self) -> Result<(), CheckpointError> {
        check_line(1, "origin", &self.origin)?;
        check_size(self.size)?;
        for (i, e) in self.extensions.iter().enumerate() {
            check_line(4 + i, "extension line", e)?;
        }
        Ok(())
    }

    /// The note text: `<origin>\n<size>\n<base64 root>\n` and the extension lines.
    pub fn to_body(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            note::encode_base64(&self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Strict parse of a checkpoint body (tlog-checkpoint "Note text"): non-empty origin,
    /// decimal size without leading zeros that fits in a u64, canonical base64 of exactly 32
    /// bytes, then non-empty extension lines; the body ends with a newline.
    pub fn parse(body: &str) -> Result<Self, CheckpointError> {
        let Some(content) = body.strip_suffix('\n') else {
            return Err(body_err(
                body.split('\n').count(),
                "does not end with a newline",
            ));
        };
        let lines: Vec<&str> = content.split('\n').collect();
        let origin = lines[0];
        check_line(1, "origin", origin)?;
        let size_str = *lines
            .get(1)
            .ok_or_else(|| body_err(2, "missing tree size"))?;
        if size_str.is_empty() || !size_str.bytes().all(|b| b.is_ascii_digit()) {
            return Err(body_err(2, "tree size is not a decimal number"));
        }
        if size_str.len() > 1 && size_str.starts_with('0') {
            return Err(body_err(2, "tree size has a leading zero"));
        }
        let size: u64 = size_str
            .parse()
            .map_err(|_| body_err(2, "tree size does not fit in 64 bits"))?;
        check_size(size)?;
        let root_str = *lines
            .get(2)
            .ok_or_else(|| body_err(3, "missing root hash"))?;
        let root = note::decode_base64(root_str)
            .ok_or_else(|| body_err(3, "root hash is not canonical standard base64"))?;
        let root: [u8; 32] = root.try_into().map_err(|r: Vec<u8>| {
            body_err(3, format!("root hash is {} bytes, expected 32", r.len()))
        })?;
        let mut extensions = Vec::new();
        for (i, e) in lines.iter().enumerate().skip(3) {
            check_line(i + 1, "extension line", e)?;
            extensions.push((*e).to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}

/// The key id of an Ed25519 cosigner: `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]`.
pub fn cosignature_key_id(name: &str, key: &PublicKey) -> u32 {
    note::key_id(name, SIG_TYPE_COSIGNATURE_V1, key.as_bytes())
}

/// The signed message of a `cosignature/v1`: `cosignature/v1\ntime <T>\n` then the body.
pub fn cosignature_message(checkpoint_body: &str, time_secs: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {time_secs}\n{checkpoint_body}").into_bytes()
}

/// The timestamp of a `cosignature/v1` payload (`sig_bytes`), if it has the right length.
pub fn cosignature_time(sig: &NoteSignature) -> Option<u64> {
    (sig.sig_bytes.len() == COSIGNATURE_V1_LEN)
        .then(|| u64::from_be_bytes(sig.sig_bytes[..8].try_into().expect("8 bytes")))
}

/// Verifies `cosignature/v1` signatures of one cosigner (as a [`NoteVerifier`], the note text
/// being the checkpoint body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosignatureVerifier {
    name: String,
    key: PublicKey,
    key_id: u32,
}

impl CosignatureVerifier {
    pub fn new(name: &str, key: PublicKey) -> Result<Self, CheckpointError> {
        note::check_key_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: cosignature_key_id(name, &key),
            key,
        })
    }

    /// Parse a cosigner verifier key: `<name>+<hex8 id>+<base64(0x04 ‖ public key)>`.
    pub fn from_vkey(s: &str) -> Result<Self, CheckpointError> {
        let (name, key) = VerifierKey::parse_ed25519(s, SIG_TYPE_COSIGNATURE_V1)?;
        Self::new(&name, key)
    }

    pub fn to_vkey(&self) -> String {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            sig_type: SIG_TYPE_COSIGNATURE_V1,
            key: self.key.as_bytes().to_vec(),
        }
        .to_string()
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Verify a cosignature over `checkpoint_body`; returns its timestamp.
    fn check(&self, checkpoint_body: &[u8], sig: &[u8]) -> Result<u64, CheckpointError> {
        if sig.len() != COSIGNATURE_V1_LEN {
            return Err(CheckpointError::CosignatureLength {
                name: self.name.clone(),
                found: sig.len(),
            });
        }
        let time = u64::from_be_bytes(sig[..8].try_into().expect("8 bytes"));
        if time > MAX_TIMESTAMP {
            return Err(CheckpointError::TimestampTooLarge {
                name: self.name.clone(),
                time,
            });
        }
        let mut msg = format!("cosignature/v1\ntime {time}\n").into_bytes();
        msg.extend_from_slice(checkpoint_body);
        self.key
            .verify(&msg, &sig[8..])
            .map_err(|_| CheckpointError::BadCosignature {
                name: self.name.clone(),
                key_id: self.key_id,
            })?;
        Ok(time)
    }
}

impl NoteVerifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.check(msg, sig).is_ok()
    }
}

/// Produces `cosignature/v1` signatures at a fixed time (as a [`NoteSigner`]).
#[derive(Clone)]
pub struct CosignatureSigner {
    name: String,
    key: SecretKey,
    key_id: u32,
    time: u64,
}

impl std::fmt::Debug for CosignatureSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CosignatureSigner({}+{:08x} at {})",
            self.name, self.key_id, self.time
        )
    }
}

impl CosignatureSigner {
    pub fn new(name: &str, key: SecretKey, time_secs: u64) -> Result<Self, CheckpointError> {
        note::check_key_name(name)?;
        if time_secs > MAX_TIMESTAMP {
            return Err(CheckpointError::TimestampTooLarge {
                name: name.to_owned(),
                time: time_secs,
            });
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: cosignature_key_id(name, &key.public_key()),
            key,
            time: time_secs,
        })
    }
}

impl NoteSigner for CosignatureSigner {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let mut m = format!("cosignature/v1\ntime {}\n", self.time).into_bytes();
        m.extend_from_slice(msg);
        let mut out = Vec::with_capacity(COSIGNATURE_V1_LEN);
        out.extend_from_slice(&self.time.to_be_bytes());
        out.extend_from_slice(&self.key.sign(&m));
        out
    }
}

/// Cosign a checkpoint body (which must parse as a checkpoint) at `time_secs`.
pub fn cosign(
    checkpoint_body: &str,
    key: &SecretKey,
    name: &str,
    time_secs: u64,
) -> Result<NoteSignature, CheckpointError> {
    Checkpoint::parse(checkpoint_body)?;
    let signer = CosignatureSigner::new(name, key.clone(), time_secs)?;
    Ok(NoteSignature {
        name: signer.name.clone(),
        key_id: signer.key_id,
        sig_bytes: signer.sign(checkpoint_body.as_bytes()),
    })
}

/// Verify one cosignature by (`name`, `key`) over `checkpoint_body`; returns its timestamp.
pub fn verify_cosignature(
    checkpoint_body: &str,
    sig: &NoteSignature,
    name: &str,
    key: &PublicKey,
) -> Result<u64, CheckpointError> {
    let v = CosignatureVerifier::new(name, *key)?;
    if sig.name != v.name {
        return Err(CheckpointError::CosignatureName {
            expected: v.name,
            found: sig.name.clone(),
        });
    }
    if sig.key_id != v.key_id {
        return Err(CheckpointError::CosignatureKeyId {
            name: v.name,
            expected: v.key_id,
            found: sig.key_id,
        });
    }
    v.check(checkpoint_body.as_bytes(), &sig.sig_bytes)
}

/// Sign a checkpoint as the log: the note with the log's `0x01` signature and its own
/// `cosignature/v1` at `time_secs` (see the module docs). `log_key_name` must be the origin,
/// and the checkpoint must have no extension lines.
pub fn sign_checkpoint(
    cp: &Checkpoint,
    log_key: &SecretKey,
    log_key_name: &str,
    time_secs: u64,
) -> Result<Vec<u8>, CheckpointError> {
    cp.check()?;
    if !cp.extensions.is_empty() {
        return Err(CheckpointError::ExtensionLines {
            count: cp.extensions.len(),
        });
    }
    if log_key_name != cp.origin {
        return Err(CheckpointError::LogKeyNameNotOrigin {
            key_name: log_key_name.to_owned(),
            origin: cp.origin.clone(),
        });
    }
    let signer = Ed25519NoteKey::new(log_key_name, log_key.clone())?;
    let cosigner = CosignatureSigner::new(log_key_name, log_key.clone(), time_secs)?;
    let note = note::sign_note(&cp.to_body(), &[&signer, &cosigner])?;
    Ok(note.to_bytes())
}

/// Append (witness) cosignatures to a signed checkpoint. Signatures are not verified here;
/// duplicates of an existing (name, key id) are refused.
pub fn add_cosignatures(
    signed: &[u8],
    cosignatures: &[NoteSignature],
) -> Result<Vec<u8>, CheckpointError> {
    let mut n: Note = note::parse_note(signed)?;
    Checkpoint::parse(&n.text)?;
    for c in cosignatures {
        n.push_signature(c.clone())?;
    }
    Ok(n.to_bytes())
}

/// The out-of-range timestamp of a cosignature by `v` in `n`, if one has it: a cosignature
/// that cannot be valid whatever its signature, reported as what it is rather than as a
/// signature that does not verify.
fn cosignature_out_of_range(n: &Note, v: &CosignatureVerifier) -> Option<CheckpointError> {
    n.signatures
        .iter()
        .filter(|s| s.name == v.name && s.key_id == v.key_id)
        .filter_map(cosignature_time)
        .find(|&time| time > MAX_TIMESTAMP)
        .map(|time| CheckpointError::TimestampTooLarge {
            name: v.name.clone(),
            time,
        })
}

/// A checkpoint that passed [`open_checkpoint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    pub checkpoint: Checkpoint,
    /// Timestamp of the log's own cosignature.
    pub log_time: u64,
    /// (witness name, cosignature timestamp) for each configured witness that cosigned, in
    /// signature-line order.
    pub witness_times: Vec<(String, u64)>,
    /// Signatures by keys not configured (ignored per the signed-note spec).
    pub ignored: Vec<NoteSignature>,
}

impl VerifiedCheckpoint {
    /// Refuse a log time more than `skew_secs` after `now_secs`, the checker's own time (a
    /// witness's clock or the time it was given): nobody can vouch for a time that has not
    /// come yet, and a log time far in the future would stretch every "written no later
    /// than" bound that rests on it.
    pub fn check_log_time(&self, now_secs: u64, skew_secs: u64) -> Result<(), CheckpointError> {
        if self.log_time > now_secs.saturating_add(skew_secs) {
            return Err(CheckpointError::LogTimeAhead {
                log_time: self.log_time,
                now: now_secs,
                skew: skew_secs,
            });
        }
        Ok(())
    }
}

/// Open a signed checkpoint: parse it, check the origin is `expected_origin` and that
/// `log_verifier` is named after it, require a valid log signature and log cosignature, verify
/// every signature by a configured witness (one that fails rejects the checkpoint), refuse
/// extension lines, and require at least `quorum` witness cosignatures.
pub fn open_checkpoint<W: AsRef<str>>(
    bytes: &[u8],
    expected_origin: &str,
    log_verifier: &Ed25519NoteVerifier,
    witnesses: &[(W, PublicKey)],
    quorum: usize,
) -> Result<VerifiedCheckpoint, CheckpointError> {
    if log_verifier.name() != expected_origin {
        return Err(CheckpointError::LogKeyNameNotOrigin {
            key_name: log_verifier.name().to_owned(),
            origin: expected_origin.to_owned(),
        });
    }
    let n = note::parse_note(bytes)?;
    let cp = Checkpoint::parse(&n.text)?;
    if cp.origin != expected_origin {
        return Err(CheckpointError::OriginMismatch {
            expected: expected_origin.to_owned(),
            found: cp.origin,
        });
    }
    let log_id = log_verifier.key_id();
    if !n
        .signatures
        .iter()
        .any(|s| s.name == expected_origin && s.key_id == log_id)
    {
        return Err(CheckpointError::NotSignedByLog {
            name: expected_origin.to_owned(),
            key_id: log_id,
        });
    }
    let log_cosigner = CosignatureVerifier::new(expected_origin, *log_verifier.public_key())?;
    let witness_verifiers = witnesses
        .iter()
        .map(|(name, key)| CosignatureVerifier::new(name.as_ref(), *key))
        .collect::<Result<Vec<_>, _>>()?;
    let mut verifiers: Vec<&dyn NoteVerifier> = vec![log_verifier, &log_cosigner];
    verifiers.extend(witness_verifiers.iter().map(|v| v as &dyn NoteVerifier));

    let result = note::verify_note(&n, &verifiers).map_err(|e| match e {
        NoteError::BadSignature { line, name, key_id } => {
            let cosigner = std::iter::once(&log_cosigner)
                .chain(&witness_verifiers)
                .find(|v| v.name == name && v.key_id == key_id);
            if let Some(e) = cosigner.and_then(|v| cosignature_out_of_range(&n, v)) {
                e
            } else if name == expected_origin && key_id == log_id {
                CheckpointError::LogSignatureInvalid { line, name, key_id }
            } else if name == expected_origin && key_id == log_cosigner.key_id {
                CheckpointError::LogCosignatureInvalid { line, name, key_id }
            } else {
                CheckpointError::WitnessCosignatureInvalid { line, name, key_id }
            }
        }
        other => CheckpointError::Note(other),
    })?;

    let time_of = |v: &CosignatureVerifier| {
        n.signatures
            .iter()
            .find(|s| s.name == v.name && s.key_id == v.key_id)
            .and_then(cosignature_time)
            .expect("a verified cosignature has a timestamp")
    };
    if !result.verified.contains(&1) {
        return Err(CheckpointError::LogCosignatureMissing {
            name: expected_origin.to_owned(),
            key_id: log_cosigner.key_id,
        });
    }
    if !cp.extensions.is_empty() {
        return Err(CheckpointError::ExtensionLines {
            count: cp.extensions.len(),
        });
    }
    let log_time = time_of(&log_cosigner);
    let witness_times: Vec<(String, u64)> = result
        .verified
        .iter()
        .filter(|&&i| i >= 2)
        .map(|&i| {
            let v = &witness_verifiers[i - 2];
            (v.name.clone(), time_of(v))
        })
        .collect();
    if witness_times.len() < quorum {
        return Err(CheckpointError::QuorumNotMet {
            required: quorum,
            verified: witness_times.len(),
            configured: witnesses.len(),
        });
    }
    Ok(VerifiedCheckpoint {
        checkpoint: cp,
        log_time,
        witness_times,
        ignored: result.unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Ed25519NoteVerifier, parse_note, sign_note, verify_note};

    const ORIGIN: &str = "logseal.example/log";
    const T_LOG: u64 = 1_700_000_000;

    // The example of c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature.
    const SPEC_BODY: &str = "example.com/behind-the-sofa\n20852163\n\
                             CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    const SPEC_NOTE: &str = "example.com/behind-the-sofa\n20852163\n\
        CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\
        \n\
        \u{2014} example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n\
        \u{2014} witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";
    const SPEC_MESSAGE: &str = "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n\
                                20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

    fn sk(seed: u8) -> SecretKey {
        SecretKey::from_seed(&[seed; 32])
    }

    fn log_verifier() -> Ed25519NoteVerifier {
        Ed25519NoteVerifier::new(ORIGIN, sk(1).public_key()).unwrap()
    }

    fn cp() -> Checkpoint {
        Checkpoint::new(ORIGIN, 1234, [0xab; 32]).unwrap()
    }

    fn witnesses() -> Vec<(String, PublicKey)> {
        (0..3)
            .map(|i| (format!("witness{i}.example/w"), sk(10 + i).public_key()))
            .collect()
    }

    /// The log-signed checkpoint with cosignatures by the first `n` witnesses.
    fn signed_with(n: u8) -> Vec<u8> {
        let bytes = sign_checkpoint(&cp(), &sk(1), ORIGIN, T_LOG).unwrap();
        let body = cp().to_body();
        let sigs: Vec<NoteSignature> = (0..n)
            .map(|i| {
                cosign(
                    &body,
                    &sk(10 + i),
                    &format!("witness{i}.example/w"),
                    T_LOG + 1 + u64::from(i),
                )
                .unwrap()
            })
            .collect();
        add_cosignatures(&bytes, &sigs).unwrap()
    }

    fn open(bytes: &[u8], quorum: usize) -> Result<VerifiedCheckpoint, CheckpointError> {
        open_checkpoint(bytes, ORIGIN, &log_verifier(), &witnesses(), quorum)
    }

    /// Replace signature line `index` (0-based within the block) of a note by `line`.
    fn with_line(bytes: &[u8], index: usize, line: Option<&str>) -> Vec<u8> {
        let s = std::str::from_utf8(bytes).unwrap();
        let (text, block) = s.rsplit_once("\n\n").unwrap();
        let mut lines: Vec<&str> = block.lines().collect();
        match line {
            Some(l) => lines[index] = l,
            None => {
                lines.remove(index);
            }
        }
        format!("{text}\n\n{}\n", lines.join("\n")).into_bytes()
    }

    #[test]
    fn body_round_trip_and_layout() {
        let c = cp();
        let body = c.to_body();
        assert_eq!(
            body,
            format!("{ORIGIN}\n1234\n{}\n", note::encode_base64(&[0xab; 32]))
        );
        assert_eq!(Checkpoint::parse(&body).unwrap(), c);
        let mut e = c.clone();
        e.extensions = vec!["ext one".into(), "two".into()];
        let body = e.to_body();
        assert!(body.ends_with("\next one\ntwo\n"));
        assert_eq!(Checkpoint::parse(&body).unwrap(), e);
        let zero = Checkpoint::new("o", 0, [0; 32]).unwrap();
        assert_eq!(Checkpoint::parse(&zero.to_body()).unwrap(), zero);
        let max = Checkpoint::new("o", crate::tree::MAX_TREE_SIZE, [0; 32]).unwrap();
        assert_eq!(Checkpoint::parse(&max.to_body()).unwrap(), max);
        assert!(Checkpoint::new("o", crate::tree::MAX_TREE_SIZE + 1, [0; 32]).is_err());
    }

    #[test]
    fn body_rejections() {
        let root = note::encode_base64(&[7; 32]);
        let cases: Vec<(String, usize)> = vec![
            (format!("\n1\n{root}\n"), 1),
            (format!("o\n01\n{root}\n"), 2),
            (format!("o\n00\n{root}\n"), 2),
            (format!("o\n+1\n{root}\n"), 2),
            (format!("o\n-1\n{root}\n"), 2),
            (format!("o\n 1\n{root}\n"), 2),
            (format!("o\n0x10\n{root}\n"), 2),
            (format!("o\n\n{root}\n"), 2),
            (format!("o\n18446744073709551616\n{root}\n"), 2),
            (format!("o\n4611686018427387905\n{root}\n"), 2),
            (format!("o\n18446744073709551615\n{root}\n"), 2),
            (format!("o\n1\n{}\n", note::encode_base64(&[7; 31])), 3),
            (format!("o\n1\n{}\n", note::encode_base64(&[7; 33])), 3),
            (format!("o\n1\n{}\n", root.trim_end_matches('=')), 3),
            ("o\n1\n\n".to_owned(), 3),
            (format!("o\n1\n{root}\next\n\n"), 5),
            (format!("o\n1\n{root}\next\tab\n"), 4),
            (format!("o\n1\n{root}"), 3),
            (format!("o\n1\n{root}\next"), 4),
            ("o\n1\n".to_owned(), 3),
            ("o\n".to_owned(), 2),
            (String::new(), 1),
        ];
        for (body, line) in cases {
            let r = Checkpoint::parse(&body);
            assert!(
                matches!(&r, Err(CheckpointError::Body { line: l, .. }) if *l == line),
                "{body:?}: {r:?}"
            );
        }
        assert!(Checkpoint::new("", 1, [0; 32]).is_err());
        assert!(Checkpoint::new("a\nb", 1, [0; 32]).is_err());
    }

    #[test]
    fn body_cross_checked_with_tlog_tiles() {
        // Ours → tlog_tiles.
        let c = cp();
        let theirs = tlog_tiles::Checkpoint::from_bytes(c.to_body().as_bytes()).unwrap();
        assert_eq!(theirs.origin(), c.origin);
        assert_eq!(theirs.size(), c.size);
        assert_eq!(theirs.hash().0, c.root);
        assert_eq!(theirs.extension(), "");
        assert_eq!(theirs.to_bytes(), c.to_body().into_bytes());
        // tlog_tiles → ours, with and without extension lines.
        for ext in ["", "abc\ndef\n"] {
            let t = tlog_tiles::Checkpoint::new(
                "example.com/origin",
                923_748,
                tlog_tiles::record_hash(b"hello world"),
                ext,
            )
            .unwrap();
            let bytes = String::from_utf8(t.to_bytes()).unwrap();
            let ours = Checkpoint::parse(&bytes).unwrap();
            assert_eq!(ours.origin, t.origin());
            assert_eq!(ours.size, t.size());
            assert_eq!(ours.root, t.hash().0);
            assert_eq!(ours.extensions.len(), ext.lines().count());
            assert_eq!(ours.to_body(), bytes);
        }
        // Both refuse the malformed bodies of tlog_tiles' own test list.
        for bad in [
            "\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "example.com/origin\n0xabcdef\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            "example.com/origin\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\nabc\n\n",
            "example.com/origin\n123\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\nabc",
        ] {
            assert!(tlog_tiles::Checkpoint::from_bytes(bad.as_bytes()).is_err());
            assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn spec_example_known_answers() {
        let c = Checkpoint::parse(SPEC_BODY).unwrap();
        assert_eq!(c.origin, "example.com/behind-the-sofa");
        assert_eq!(c.size, 20_852_163);
        assert!(c.extensions.is_empty());
        // The spec's cosigned message for time 1679315147, byte for byte.
        assert_eq!(
            cosignature_message(SPEC_BODY, 1_679_315_147),
            SPEC_MESSAGE.as_bytes()
        );
        // The spec's witness cosignature carries exactly that timestamp.
        let n = parse_note(SPEC_NOTE.as_bytes()).unwrap();
        assert_eq!(n.text, SPEC_BODY);
        let log = &n.signatures[0];
        assert_eq!(log.name, "example.com/behind-the-sofa");
        assert_eq!(log.sig_bytes.len(), SIGNATURE_LEN);
        let w = &n.signatures[1];
        assert_eq!(w.name, "witness.example.com/w1");
        assert_eq!(w.key_id, 0x8d66_cf3f);
        assert_eq!(w.sig_bytes.len(), COSIGNATURE_V1_LEN);
        assert_eq!(cosignature_time(w), Some(1_679_315_147));
        assert_eq!(cosignature_time(log), None);
        assert_eq!(n.to_bytes(), SPEC_NOTE.as_bytes());
    }

    #[test]
    fn cosign_verify_round_trip_and_rejections() {
        let body = cp().to_body();
        let name = "w.example/1";
        let pk = sk(5).public_key();
        let sig = cosign(&body, &sk(5), name, 42).unwrap();
        assert_eq!(sig.key_id, cosignature_key_id(name, &pk));
        assert_eq!(
            sig.key_id,
            note::key_id(name, SIG_TYPE_COSIGNATURE_V1, pk.as_bytes())
        );
        assert_eq!(&sig.sig_bytes[..8], &42u64.to_be_bytes());
        // The Ed25519 part signs exactly the spec's message.
        pk.verify(&cosignature_message(&body, 42), &sig.sig_bytes[8..])
            .unwrap();
        assert_eq!(verify_cosignature(&body, &sig, name, &pk), Ok(42));

        // Wrong name, wrong key, tampered body, time, signature, length.
        assert!(matches!(
            verify_cosignature(&body, &sig, "w.example/2", &pk),
            Err(CheckpointError::CosignatureName { .. })
        ));
        assert!(matches!(
            verify_cosignature(&body, &sig, name, &sk(6).public_key()),
            Err(CheckpointError::CosignatureKeyId { .. })
        ));
        let other = Checkpoint::new(ORIGIN, 1235, [0xab; 32]).unwrap().to_body();
        assert!(matches!(
            verify_cosignature(&other, &sig, name, &pk),
            Err(CheckpointError::BadCosignature { .. })
        ));
        let mut t = sig.clone();
        t.sig_bytes[7] ^= 1;
        assert!(matches!(
            verify_cosignature(&body, &t, name, &pk),
            Err(CheckpointError::BadCosignature { .. })
        ));
        let mut t = sig.clone();
        t.sig_bytes[40] ^= 1;
        assert!(matches!(
            verify_cosignature(&body, &t, name, &pk),
            Err(CheckpointError::BadCosignature { .. })
        ));
        let mut t = sig.clone();
        t.sig_bytes.pop();
        assert!(matches!(
            verify_cosignature(&body, &t, name, &pk),
            Err(CheckpointError::CosignatureLength { found: 71, .. })
        ));
        let mut t = sig.clone();
        t.sig_bytes[0] = 0x80;
        assert!(matches!(
            verify_cosignature(&body, &t, name, &pk),
            Err(CheckpointError::TimestampTooLarge { .. })
        ));
        // Timestamp bounds and body validity when signing.
        assert!(cosign(&body, &sk(5), name, MAX_TIMESTAMP).is_ok());
        assert!(matches!(
            cosign(&body, &sk(5), name, MAX_TIMESTAMP + 1),
            Err(CheckpointError::TimestampTooLarge { .. })
        ));
        assert!(matches!(
            cosign("not a checkpoint\n", &sk(5), name, 1),
            Err(CheckpointError::Body { line: 2, .. })
        ));
        assert!(matches!(
            cosign(&body, &sk(5), "bad name", 1),
            Err(CheckpointError::Note(NoteError::InvalidKeyName { .. }))
        ));
    }

    #[test]
    fn cosigner_vkeys() {
        let v = CosignatureVerifier::new("w.example/1", sk(5).public_key()).unwrap();
        let s = v.to_vkey();
        assert_eq!(CosignatureVerifier::from_vkey(&s).unwrap(), v);
        let vk = VerifierKey::parse(&s).unwrap();
        assert_eq!(vk.sig_type, SIG_TYPE_COSIGNATURE_V1);
        assert_eq!(vk.key_id, v.key_id);
        // A plain Ed25519 (0x01) vkey is not a cosigner key, and vice versa.
        let plain = Ed25519NoteVerifier::new("w.example/1", sk(5).public_key()).unwrap();
        assert!(matches!(
            CosignatureVerifier::from_vkey(&plain.to_vkey()),
            Err(CheckpointError::Note(NoteError::WrongSignatureType {
                expected: 4,
                found: 1,
                ..
            }))
        ));
        assert!(matches!(
            Ed25519NoteVerifier::from_vkey(&s),
            Err(NoteError::WrongSignatureType { .. })
        ));
        // Small-order key with a self-consistent id.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let forged = VerifierKey::new("w.example/1", SIG_TYPE_COSIGNATURE_V1, &identity)
            .unwrap()
            .to_string();
        assert!(matches!(
            CosignatureVerifier::from_vkey(&forged),
            Err(CheckpointError::Note(NoteError::InvalidPublicKey { .. }))
        ));
    }

    #[test]
    fn signed_checkpoint_round_trip() {
        let bytes = sign_checkpoint(&cp(), &sk(1), ORIGIN, T_LOG).unwrap();
        let v = open(&bytes, 0).unwrap();
        assert_eq!(v.checkpoint, cp());
        assert_eq!(v.log_time, T_LOG);
        assert!(v.witness_times.is_empty());
        assert!(v.ignored.is_empty());
        // Layout: body, blank line, 0x01 signature by the origin, then the log cosignature.
        let n = parse_note(&bytes).unwrap();
        assert_eq!(n.text, cp().to_body());
        assert_eq!(n.signatures.len(), 2);
        assert_eq!(n.signatures[0].key_id, log_verifier().key_id());
        assert_eq!(n.signatures[0].sig_bytes.len(), SIGNATURE_LEN);
        assert_eq!(
            verify_cosignature(&n.text, &n.signatures[1], ORIGIN, &sk(1).public_key()),
            Ok(T_LOG)
        );
        // Deterministic.
        assert_eq!(
            sign_checkpoint(&cp(), &sk(1), ORIGIN, T_LOG).unwrap(),
            bytes
        );
        // A plain signed-note client that only knows the 0x01 key accepts it and ignores the
        // cosignature.
        let r = verify_note(&n, &[&log_verifier()]).unwrap();
        assert_eq!((r.verified, r.unknown.len()), (vec![0], 1));
    }

    #[test]
    fn witnesses_and_quorum() {
        let bytes = signed_with(2);
        let v = open(&bytes, 2).unwrap();
        assert_eq!(
            v.witness_times,
            vec![
                ("witness0.example/w".to_owned(), T_LOG + 1),
                ("witness1.example/w".to_owned(), T_LOG + 2)
            ]
        );
        assert_eq!(
            open(&bytes, 3),
            Err(CheckpointError::QuorumNotMet {
                required: 3,
                verified: 2,
                configured: 3
            })
        );
        // Unconfigured cosigners are ignored and reported, not counted.
        let extra = cosign(&cp().to_body(), &sk(99), "stranger.example/w", 5).unwrap();
        let more = add_cosignatures(&bytes, std::slice::from_ref(&extra)).unwrap();
        let v = open(&more, 2).unwrap();
        assert_eq!(v.ignored, vec![extra]);
        assert_eq!(v.witness_times.len(), 2);
        // A witness name with the right name but another key: ignored.
        let imp = cosign(&cp().to_body(), &sk(98), "witness2.example/w", 5).unwrap();
        let more = add_cosignatures(&bytes, &[imp]).unwrap();
        assert!(matches!(
            open(&more, 3),
            Err(CheckpointError::QuorumNotMet { verified: 2, .. })
        ));
        // A configured witness whose cosignature fails rejects the whole checkpoint.
        let mut n = parse_note(&bytes).unwrap();
        n.signatures[3].sig_bytes[20] ^= 1;
        assert_eq!(
            open(&n.to_bytes(), 0),
            Err(CheckpointError::WitnessCosignatureInvalid {
                line: 8,
                name: "witness1.example/w".into(),
                key_id: n.signatures[3].key_id
            })
        );
    }

    /// A `cosignature/v1` by `key` at `time`, correctly signed whatever the time (the
    /// signer refuses times beyond 2^63 - 1, so this builds it by hand).
    fn raw_cosignature(name: &str, key: &SecretKey, time: u64) -> NoteSignature {
        let mut sig_bytes = time.to_be_bytes().to_vec();
        sig_bytes.extend_from_slice(&key.sign(&cosignature_message(&cp().to_body(), time)));
        NoteSignature {
            name: name.to_owned(),
            key_id: cosignature_key_id(name, &key.public_key()),
            sig_bytes,
        }
    }

    #[test]
    fn a_valid_cosignature_at_2_pow_63_is_refused_for_its_timestamp() {
        let too_late = 1u64 << 63;
        // The log's own cosignature (the log's time) at 2^63, validly signed.
        let mut n = sign_note(
            &cp().to_body(),
            &[&Ed25519NoteKey::new(ORIGIN, sk(1)).unwrap()],
        )
        .unwrap();
        n.push_signature(raw_cosignature(ORIGIN, &sk(1), too_late))
            .unwrap();
        let expected = CheckpointError::TimestampTooLarge {
            name: ORIGIN.into(),
            time: too_late,
        };
        assert_eq!(open(&n.to_bytes(), 0), Err(expected.clone()));
        assert!(expected.to_string().contains("9223372036854775808"));
        // A configured witness's cosignature at u64::MAX.
        let w = raw_cosignature("witness0.example/w", &sk(10), u64::MAX);
        let bytes = add_cosignatures(&signed_with(0), std::slice::from_ref(&w)).unwrap();
        assert_eq!(
            open(&bytes, 0),
            Err(CheckpointError::TimestampTooLarge {
                name: "witness0.example/w".into(),
                time: u64::MAX,
            })
        );
        // The same, checked alone.
        assert_eq!(
            verify_cosignature(
                &cp().to_body(),
                &w,
                "witness0.example/w",
                &sk(10).public_key()
            ),
            Err(CheckpointError::TimestampTooLarge {
                name: "witness0.example/w".into(),
                time: u64::MAX,
            })
        );
        // 2^63 - 1 itself is allowed.
        let w = raw_cosignature("witness0.example/w", &sk(10), too_late - 1);
        let bytes = add_cosignatures(&signed_with(0), &[w]).unwrap();
        assert_eq!(
            open(&bytes, 1).unwrap().witness_times,
            vec![("witness0.example/w".to_owned(), too_late - 1)]
        );
    }

    #[test]
    fn a_log_time_beyond_the_skew_is_refused() {
        let v = open(&signed_with(0), 0).unwrap();
        assert_eq!(v.check_log_time(T_LOG - 300, 300), Ok(()));
        assert_eq!(v.check_log_time(T_LOG, 0), Ok(()));
        assert_eq!(v.check_log_time(u64::MAX, 300), Ok(()));
        let e = v.check_log_time(T_LOG - 301, 300).unwrap_err();
        assert_eq!(
            e,
            CheckpointError::LogTimeAhead {
                log_time: T_LOG,
                now: T_LOG - 301,
                skew: 300
            }
        );
        assert!(e.to_string().contains("is 301 s after"), "{e}");
    }

    #[test]
    fn tampering_is_rejected() {
        let bytes = signed_with(1);
        let v = log_verifier();
        let log_cosig_id = cosignature_key_id(ORIGIN, &sk(1).public_key());

        // Flipped byte in the body (tree size 1234 → 1235).
        let s = String::from_utf8(bytes.clone()).unwrap();
        let t = s.replacen("\n1234\n", "\n1235\n", 1);
        assert_eq!(
            open(t.as_bytes(), 1),
            Err(CheckpointError::LogSignatureInvalid {
                line: 5,
                name: ORIGIN.into(),
                key_id: v.key_id()
            })
        );
        // Flipped byte in the log signature, then in the log cosignature.
        let mut n = parse_note(&bytes).unwrap();
        n.signatures[0].sig_bytes[0] ^= 1;
        assert!(matches!(
            open(&n.to_bytes(), 1),
            Err(CheckpointError::LogSignatureInvalid { line: 5, .. })
        ));
        let mut n = parse_note(&bytes).unwrap();
        n.signatures[1].sig_bytes[30] ^= 1;
        assert_eq!(
            open(&n.to_bytes(), 1),
            Err(CheckpointError::LogCosignatureInvalid {
                line: 6,
                name: ORIGIN.into(),
                key_id: log_cosig_id
            })
        );
        // The log's time itself is signed.
        let mut n = parse_note(&bytes).unwrap();
        n.signatures[1].sig_bytes[7] ^= 1;
        assert!(matches!(
            open(&n.to_bytes(), 1),
            Err(CheckpointError::LogCosignatureInvalid { .. })
        ));
        // Wrong log key: no signature by it at all.
        let wrong = Ed25519NoteVerifier::new(ORIGIN, sk(2).public_key()).unwrap();
        assert!(matches!(
            open_checkpoint(&bytes, ORIGIN, &wrong, &witnesses(), 0),
            Err(CheckpointError::NotSignedByLog { .. })
        ));
        // Wrong origin, and a log verifier not named after the expected origin.
        let other = Ed25519NoteVerifier::new("other.example/log", sk(1).public_key()).unwrap();
        assert_eq!(
            open_checkpoint(&bytes, "other.example/log", &other, &witnesses(), 0),
            Err(CheckpointError::OriginMismatch {
                expected: "other.example/log".into(),
                found: ORIGIN.into()
            })
        );
        assert!(matches!(
            open_checkpoint(&bytes, ORIGIN, &other, &witnesses(), 0),
            Err(CheckpointError::LogKeyNameNotOrigin { .. })
        ));
        // Missing log cosignature, missing log signature.
        assert_eq!(
            open(&with_line(&bytes, 1, None), 1),
            Err(CheckpointError::LogCosignatureMissing {
                name: ORIGIN.into(),
                key_id: log_cosig_id
            })
        );
        assert!(matches!(
            open(&with_line(&bytes, 0, None), 1),
            Err(CheckpointError::NotSignedByLog { .. })
        ));
        // Duplicate signature line.
        let s = String::from_utf8(bytes.clone()).unwrap();
        let last = s.lines().last().unwrap();
        assert!(matches!(
            open(format!("{s}{last}\n").as_bytes(), 1),
            Err(CheckpointError::Note(NoteError::DuplicateSignature {
                line: 8,
                ..
            }))
        ));
        // Bad em dash (an en dash).
        let first = s.lines().nth(4).unwrap();
        let en = first.replacen('\u{2014}', "\u{2013}", 1);
        assert!(matches!(
            open(&with_line(&bytes, 0, Some(&en)), 1),
            Err(CheckpointError::Note(NoteError::MalformedSignatureLine {
                line: 5,
                ..
            }))
        ));
        // No trailing newline.
        assert_eq!(
            open(&bytes[..bytes.len() - 1], 1),
            Err(CheckpointError::Note(NoteError::MissingFinalNewline))
        );
        // A 0x01 signature presented as a cosignature (domain separation): refused.
        let n = parse_note(&bytes).unwrap();
        let mut fake = n.signatures[0].clone();
        fake.key_id = log_cosig_id;
        let fake_line = fake.to_line();
        assert!(matches!(
            open(&with_line(&bytes, 1, Some(fake_line.trim_end())), 1),
            Err(CheckpointError::LogCosignatureInvalid { .. })
        ));
        // Malformed body in a signed note.
        let body_bad =
            String::from_utf8(bytes.clone())
                .unwrap()
                .replacen("\n1234\n", "\n01234\n", 1);
        assert!(matches!(
            open(body_bad.as_bytes(), 1),
            Err(CheckpointError::Body { line: 2, .. })
        ));
    }

    #[test]
    fn extension_lines_are_refused() {
        let mut c = cp();
        c.extensions = vec!["ext".into()];
        assert_eq!(
            sign_checkpoint(&c, &sk(1), ORIGIN, T_LOG),
            Err(CheckpointError::ExtensionLines { count: 1 })
        );
        // Validly signed by log and log cosigner all the same: still refused.
        let key = Ed25519NoteKey::new(ORIGIN, sk(1)).unwrap();
        let cos = CosignatureSigner::new(ORIGIN, sk(1), T_LOG).unwrap();
        let bytes = sign_note(&c.to_body(), &[&key, &cos]).unwrap().to_bytes();
        assert_eq!(
            open(&bytes, 0),
            Err(CheckpointError::ExtensionLines { count: 1 })
        );
        // Adding an extension line to a signed checkpoint breaks the log signature.
        let good = String::from_utf8(signed_with(0)).unwrap();
        let (text, sigs) = good.rsplit_once("\n\n").unwrap();
        let t = format!("{text}\next\n\n{sigs}");
        assert!(matches!(
            open(t.as_bytes(), 0),
            Err(CheckpointError::LogSignatureInvalid { .. })
        ));
    }

    #[test]
    fn sign_checkpoint_refusals() {
        assert!(matches!(
            sign_checkpoint(&cp(), &sk(1), "other.example/log", T_LOG),
            Err(CheckpointError::LogKeyNameNotOrigin { .. })
        ));
        let spaced = Checkpoint::new("has space", 1, [0; 32]).unwrap();
        assert!(matches!(
            sign_checkpoint(&spaced, &sk(1), "has space", T_LOG),
            Err(CheckpointError::Note(NoteError::InvalidKeyName { .. }))
        ));
        assert!(matches!(
            sign_checkpoint(&cp(), &sk(1), ORIGIN, MAX_TIMESTAMP + 1),
            Err(CheckpointError::TimestampTooLarge { .. })
        ));
        let mut bad = cp();
        bad.origin = "a\nb".into();
        assert!(matches!(
            sign_checkpoint(&bad, &sk(1), "a\nb", T_LOG),
            Err(CheckpointError::Body { line: 1, .. })
        ));
        // Witness cosignature duplicating an existing one.
        let bytes = signed_with(1);
        let dup = cosign(&cp().to_body(), &sk(10), "witness0.example/w", 7).unwrap();
        assert!(matches!(
            add_cosignatures(&bytes, &[dup]),
            Err(CheckpointError::Note(NoteError::DuplicateSignature { .. }))
        ));
    }
}
