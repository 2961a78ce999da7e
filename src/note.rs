//! Signed notes, per C2SP `signed-note` (<https://c2sp.org/signed-note>), and the key strings
//! of `golang.org/x/mod/sumdb/note`.
//!
//! Owns: key names, note key ids, verifier-key strings (`<name>+<hex8 id>+<base64(type ‖ key)>`),
//! logseal's signer-key files (`PRIVATE+KEY+<name>+<hex8 id>+<base64(0x01 ‖ seed)>`), the
//! note wire format (text, blank line, `— <name> <base64(id ‖ sig)>` lines), note signing and
//! note verification.
//!
//! Spec sections followed: "Format" (UTF-8, no control characters but newline, text ends in
//! newline, split at the *last* blank line, key-name rules), "Signatures" (unknown keys are
//! ignored — reported in [`NoteVerification::unknown`] —, a failing signature by a known
//! name + id rejects the whole note, at least one known signature must verify, at least 16
//! signatures accepted) and "Ed25519 signatures" (type `0x01`, key id
//! `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]`).
//!
//! Stricter than the spec where the spec leaves room, so that a note has one encoding: base64
//! must be canonical, key ids in key strings are 8 lowercase hex digits, a note may not carry two
//! signature lines with the same (name, key id), and notes are limited to [`MAX_NOTE_SIZE`]
//! bytes and [`MAX_SIGNATURES`] signatures.
//!
//! Every Ed25519 check goes through [`crate::crypto::PublicKey::verify`] (strict RFC 8032).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

use crate::crypto::{CryptoError, PUBLIC_KEY_LEN, PublicKey, SecretKey};

/// Signature type byte of plain Ed25519 note signatures (signed-note, "Signature types").
pub const SIG_TYPE_ED25519: u8 = 0x01;

/// Largest note [`parse_note`] accepts, in bytes (the spec asks for *some* limit).
pub const MAX_NOTE_SIZE: usize = 1 << 20;

/// Most signature lines [`parse_note`] accepts (the spec requires at least 16).
pub const MAX_SIGNATURES: usize = 100;

/// Prefix of a signature line: em dash (U+2014) and space.
const SIG_PREFIX: &str = "\u{2014} ";

/// Prefix of a signer-key string.
const PRIVATE_KEY_PREFIX: &str = "PRIVATE+KEY+";

/// Why a key string, a note or a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    #[error("invalid key name {name:?}: {reason}")]
    InvalidKeyName { name: String, reason: &'static str },
    #[error("malformed {what}: {reason}")]
    MalformedKey {
        what: &'static str,
        reason: &'static str,
    },
    #[error(
        "{what} for {name:?}: key id {found:08x} does not match the key (expected {expected:08x})"
    )]
    KeyIdMismatch {
        what: &'static str,
        name: String,
        found: u32,
        expected: u32,
    },
    #[error("{what} for {name:?}: signature type 0x{found:02x}, expected 0x{expected:02x}")]
    WrongSignatureType {
        what: &'static str,
        name: String,
        expected: u8,
        found: u8,
    },
    #[error("{what} for {name:?}: key is {found} bytes, expected {expected}")]
    KeyLength {
        what: &'static str,
        name: String,
        expected: usize,
        found: usize,
    },
    #[error("{what} for {name:?}: {source}")]
    InvalidPublicKey {
        what: &'static str,
        name: String,
        source: CryptoError,
    },
    #[error("note is {size} bytes, more than the limit of {max}")]
    TooLarge { size: usize, max: usize },
    #[error("note line {line}: not valid UTF-8")]
    NotUtf8 { line: usize },
    #[error("note line {line}: control character 0x{byte:02x} (only newline is allowed)")]
    ControlCharacter { line: usize, byte: u8 },
    #[error("note does not end with a newline")]
    MissingFinalNewline,
    #[error("note has no blank line separating the text from the signatures")]
    MissingSignatureBlock,
    #[error("note has an empty signature block (at least one signature line is required)")]
    NoSignatures,
    #[error("note line {line}: malformed signature line: {reason}")]
    MalformedSignatureLine { line: usize, reason: String },
    #[error("note line {line}: duplicate signature by {name:?} with key id {key_id:08x}")]
    DuplicateSignature {
        line: usize,
        name: String,
        key_id: u32,
    },
    #[error("note has {count} signatures, more than the limit of {max}")]
    TooManySignatures { count: usize, max: usize },
    #[error("note text is invalid: {reason}")]
    InvalidText { reason: String },
    #[error("cannot sign a note without signers")]
    NoSigners,
    #[error("two verifiers share name {name:?} and key id {key_id:08x}")]
    DuplicateVerifier { name: String, key_id: u32 },
    #[error("note line {line}: signature by {name:?} (key id {key_id:08x}) does not verify")]
    BadSignature {
        line: usize,
        name: String,
        key_id: u32,
    },
    #[error("no signature by a known key: {unknown} signature(s) from unknown keys were ignored")]
    NoVerifiedSignature { unknown: usize },
}

/// Check a key name: non-empty, no Unicode white space, no `+` (signed-note "Format"), and no
/// ASCII control character (a note may not contain one, so such a name could never sign).
pub fn check_key_name(name: &str) -> Result<(), NoteError> {
    let bad = |reason| {
        Err(NoteError::InvalidKeyName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.chars().any(char::is_whitespace) {
        return bad("contains a Unicode space");
    }
    if name.contains('+') {
        return bad("contains '+'");
    }
    if name.chars().any(|c| c < '\u{20}') {
        return bad("contains a control character");
    }
    Ok(())
}

/// The recommended note key id: `SHA-256(name ‖ 0x0A ‖ signature type ‖ key)[:4]`, big-endian.
pub fn key_id(name: &str, sig_type: u8, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', sig_type]);
    h.update(key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Strict standard base64 (RFC 4648 §4, padded, canonical trailing bits).
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let bytes = BASE64.decode(s).ok()?;
    // The engine already refuses non-zero trailing bits; re-encoding makes canonicity explicit.
    (BASE64.encode(&bytes) == s).then_some(bytes)
}

pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Split `<name>+<hex8>+<base64>` and check name and hex form (shared by both key strings).
fn split_key_string<'a>(
    s: &'a str,
    what: &'static str,
) -> Result<(&'a str, u32, Vec<u8>), NoteError> {
    let malformed = |reason| NoteError::MalformedKey { what, reason };
    let (name, rest) = s
        .split_once('+')
        .ok_or(malformed("expected <name>+<key id>+<key>"))?;
    let (hex8, b64) = rest
        .split_once('+')
        .ok_or(malformed("expected <name>+<key id>+<key>"))?;
    check_key_name(name)?;
    if hex8.len() != 8 || !hex8.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(malformed("key id must be 8 lowercase hex digits"));
    }
    let id = u32::from_str_radix(hex8, 16).map_err(|_| malformed("key id is not hex"))?;
    let data = decode_base64(b64).ok_or(malformed("key is not canonical standard base64"))?;
    if data.is_empty() {
        return Err(malformed("key has no signature type byte"));
    }
    Ok((name, id, data))
}

/// A verifier key as a string: `<name>+<hex8 key id>+<base64(signature type ‖ key)>`.
///
/// Parsing checks the key id against the recommended derivation ([`key_id`]), which is
/// mandatory for the types logseal uses (`0x01`, and `0x04` in `checkpoint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierKey {
    pub name: String,
    pub key_id: u32,
    pub sig_type: u8,
    pub key: Vec<u8>,
}

impl VerifierKey {
    /// Build from parts, deriving the key id.
    pub fn new(name: &str, sig_type: u8, key: &[u8]) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, sig_type, key),
            sig_type,
            key: key.to_vec(),
        })
    }

    /// Strict parse; see the type docs.
    pub fn parse(s: &str) -> Result<Self, NoteError> {
        let (name, found, data) = split_key_string(s, "verifier key")?;
        let expected = key_id(name, data[0], &data[1..]);
        if found != expected {
            return Err(NoteError::KeyIdMismatch {
                what: "verifier key",
                name: name.to_owned(),
                found,
                expected,
            });
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: found,
            sig_type: data[0],
            key: data[1..].to_vec(),
        })
    }

    /// Parse and require an Ed25519-based type (`sig_type`): returns the name and the validated
    /// public key (small-order and non-canonical keys are refused).
    pub fn parse_ed25519(s: &str, sig_type: u8) -> Result<(String, PublicKey), NoteError> {
        let vk = Self::parse(s)?;
        if vk.sig_type != sig_type {
            return Err(NoteError::WrongSignatureType {
                what: "verifier key",
                name: vk.name,
                expected: sig_type,
                found: vk.sig_type,
            });
        }
        if vk.key.len() != PUBLIC_KEY_LEN {
            return Err(NoteError::KeyLength {
                what: "verifier key",
                name: vk.name,
                expected: PUBLIC_KEY_LEN,
                found: vk.key.len(),
            });
        }
        let key = PublicKey::from_slice(&vk.key).map_err(|source| NoteError::InvalidPublicKey {
            what: "verifier key",
            name: vk.name.clone(),
            source,
        })?;
        Ok((vk.name, key))
    }
}

impl std::fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut data = Vec::with_capacity(1 + self.key.len());
        data.push(self.sig_type);
        data.extend_from_slice(&self.key);
        write!(
            f,
            "{}+{:08x}+{}",
            self.name,
            self.key_id,
            encode_base64(&data)
        )
    }
}

/// One signature line of a note. `sig_bytes` excludes the 4-byte key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    pub sig_bytes: Vec<u8>,
}

impl NoteSignature {
    /// The line `— <name> <base64(key id ‖ signature)>\n`.
    pub fn to_line(&self) -> String {
        let mut payload = Vec::with_capacity(4 + self.sig_bytes.len());
        payload.extend_from_slice(&self.key_id.to_be_bytes());
        payload.extend_from_slice(&self.sig_bytes);
        format!("{SIG_PREFIX}{} {}\n", self.name, encode_base64(&payload))
    }

    /// Parse one signature line (without its newline), e.g. a witness's answer.
    pub fn parse(text: &str) -> Result<Self, NoteError> {
        Self::parse_line(text, 1)
    }

    /// Parse one line (without its newline). `line` is its number in the note, for errors.
    fn parse_line(text: &str, line: usize) -> Result<Self, NoteError> {
        let bad = |reason: &str| NoteError::MalformedSignatureLine {
            line,
            reason: reason.to_owned(),
        };
        let rest = text
            .strip_prefix(SIG_PREFIX)
            .ok_or_else(|| bad("does not start with an em dash (U+2014) and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| bad("no space between key name and signature"))?;
        check_key_name(name).map_err(|e| bad(&e.to_string()))?;
        let payload =
            decode_base64(b64).ok_or_else(|| bad("signature is not canonical standard base64"))?;
        if payload.len() < 5 {
            return Err(bad("signature is shorter than a key id and one byte"));
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]),
            sig_bytes: payload[4..].to_vec(),
        })
    }
}

/// A signed note: `text` (ends in newline) and its signatures, in line order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

/// Check a note text: ends in newline, no control character other than newline.
pub fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::InvalidText {
            reason: "does not end with a newline".into(),
        });
    }
    if let Some(pos) = text.bytes().position(|b| b < 0x20 && b != b'\n') {
        return Err(NoteError::ControlCharacter {
            line: line_of(text.as_bytes(), pos),
            byte: text.as_bytes()[pos],
        });
    }
    Ok(())
}

/// 1-based line number of byte offset `pos`.
fn line_of(bytes: &[u8], pos: usize) -> usize {
    1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count()
}

impl Note {
    /// Line number (1-based) of signature `index` in the encoded note.
    pub fn signature_line(&self, index: usize) -> usize {
        self.text.matches('\n').count() + 2 + index
    }

    /// Append a signature, refusing a duplicate (name, key id), an invalid name, or more than
    /// [`MAX_SIGNATURES`].
    pub fn push_signature(&mut self, sig: NoteSignature) -> Result<(), NoteError> {
        check_key_name(&sig.name)?;
        let line = self.signature_line(self.signatures.len());
        if sig.sig_bytes.is_empty() {
            return Err(NoteError::MalformedSignatureLine {
                line,
                reason: "empty signature".into(),
            });
        }
        if self
            .signatures
            .iter()
            .any(|s| s.name == sig.name && s.key_id == sig.key_id)
        {
            return Err(NoteError::DuplicateSignature {
                line,
                name: sig.name,
                key_id: sig.key_id,
            });
        }
        if self.signatures.len() >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures {
                count: self.signatures.len() + 1,
                max: MAX_SIGNATURES,
            });
        }
        self.signatures.push(sig);
        Ok(())
    }

    /// The encoded note: text, blank line, signature lines.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.to_line());
        }
        out.into_bytes()
    }
}

/// Parse a signed note strictly (see the module docs). Signatures are not verified here.
pub fn parse_note(msg: &[u8]) -> Result<Note, NoteError> {
    if msg.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge {
            size: msg.len(),
            max: MAX_NOTE_SIZE,
        });
    }
    let msg_str = std::str::from_utf8(msg).map_err(|e| NoteError::NotUtf8 {
        line: line_of(msg, e.valid_up_to()),
    })?;
    if let Some(pos) = msg.iter().position(|&b| b < 0x20 && b != b'\n') {
        return Err(NoteError::ControlCharacter {
            line: line_of(msg, pos),
            byte: msg[pos],
        });
    }
    if !msg_str.ends_with('\n') {
        return Err(NoteError::MissingFinalNewline);
    }
    let split = msg_str
        .rfind("\n\n")
        .ok_or(NoteError::MissingSignatureBlock)?;
    let text = &msg_str[..split + 1];
    let block = &msg_str[split + 2..];
    if block.is_empty() {
        return Err(NoteError::NoSignatures);
    }
    let mut note = Note {
        text: text.to_owned(),
        signatures: Vec::new(),
    };
    let first_line = note.signature_line(0);
    let lines: Vec<&str> = block[..block.len() - 1].split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures {
            count: lines.len(),
            max: MAX_SIGNATURES,
        });
    }
    for (i, l) in lines.iter().enumerate() {
        let sig = NoteSignature::parse_line(l, first_line + i)?;
        note.push_signature(sig)?;
    }
    Ok(note)
}

/// A key that can check note signatures: identified by (name, key id).
pub trait NoteVerifier {
    fn name(&self) -> &str;
    fn key_id(&self) -> u32;
    /// Whether `sig` (without the key id) is a valid signature of note text `msg`.
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool;
}

/// A key that can sign notes.
pub trait NoteSigner {
    fn name(&self) -> &str;
    fn key_id(&self) -> u32;
    /// The signature (without the key id) of note text `msg`.
    fn sign(&self, msg: &[u8]) -> Vec<u8>;
}

/// Sign `text` with every signer, in order.
pub fn sign_note(text: &str, signers: &[&dyn NoteSigner]) -> Result<Note, NoteError> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(NoteError::NoSigners);
    }
    let mut note = Note {
        text: text.to_owned(),
        signatures: Vec::with_capacity(signers.len()),
    };
    for s in signers {
        note.push_signature(NoteSignature {
            name: s.name().to_owned(),
            key_id: s.key_id(),
            sig_bytes: s.sign(text.as_bytes()),
        })?;
    }
    let size = note.to_bytes().len();
    if size > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge {
            size,
            max: MAX_NOTE_SIZE,
        });
    }
    Ok(note)
}

/// The outcome of [`verify_note`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerification {
    /// Indices into the `verifiers` slice whose signature is present and verified, in
    /// signature-line order.
    pub verified: Vec<usize>,
    /// Signatures by keys not in the verifier list: ignored per spec, reported here.
    pub unknown: Vec<NoteSignature>,
}

/// Verify `note` against `verifiers`: every signature whose (name, key id) matches a verifier
/// must verify (else [`NoteError::BadSignature`]); others are ignored; at least one must match
/// (else [`NoteError::NoVerifiedSignature`]).
pub fn verify_note(
    note: &Note,
    verifiers: &[&dyn NoteVerifier],
) -> Result<NoteVerification, NoteError> {
    for (i, a) in verifiers.iter().enumerate() {
        if verifiers[..i]
            .iter()
            .any(|b| b.name() == a.name() && b.key_id() == a.key_id())
        {
            return Err(NoteError::DuplicateVerifier {
                name: a.name().to_owned(),
                key_id: a.key_id(),
            });
        }
    }
    let mut out = NoteVerification {
        verified: Vec::new(),
        unknown: Vec::new(),
    };
    for (i, sig) in note.signatures.iter().enumerate() {
        let found = verifiers
            .iter()
            .position(|v| v.name() == sig.name && v.key_id() == sig.key_id);
        match found {
            None => out.unknown.push(sig.clone()),
            Some(v) => {
                if !verifiers[v].verify(note.text.as_bytes(), &sig.sig_bytes) {
                    return Err(NoteError::BadSignature {
                        line: note.signature_line(i),
                        name: sig.name.clone(),
                        key_id: sig.key_id,
                    });
                }
                out.verified.push(v);
            }
        }
    }
    if out.verified.is_empty() {
        return Err(NoteError::NoVerifiedSignature {
            unknown: out.unknown.len(),
        });
    }
    Ok(out)
}

/// An Ed25519 (type `0x01`) note verifier: a key name and a validated public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519NoteVerifier {
    name: String,
    key: PublicKey,
    key_id: u32,
}

impl Ed25519NoteVerifier {
    pub fn new(name: &str, key: PublicKey) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, SIG_TYPE_ED25519, key.as_bytes()),
            key,
        })
    }

    /// Parse a verifier-key string of type `0x01` (see [`VerifierKey`]).
    pub fn from_vkey(s: &str) -> Result<Self, NoteError> {
        let (name, key) = VerifierKey::parse_ed25519(s, SIG_TYPE_ED25519)?;
        Self::new(&name, key)
    }

    /// The verifier-key string.
    pub fn to_vkey(&self) -> String {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            sig_type: SIG_TYPE_ED25519,
            key: self.key.as_bytes().to_vec(),
        }
        .to_string()
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }
}

impl NoteVerifier for Ed25519NoteVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.key.verify(msg, sig).is_ok()
    }
}

/// An Ed25519 (type `0x01`) note signer: a key name and a secret key. `Debug` shows no secret.
#[derive(Clone)]
pub struct Ed25519NoteKey {
    name: String,
    secret: SecretKey,
    key_id: u32,
}

impl std::fmt::Debug for Ed25519NoteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ed25519NoteKey({}+{:08x})", self.name, self.key_id)
    }
}

impl Ed25519NoteKey {
    pub fn new(name: &str, secret: SecretKey) -> Result<Self, NoteError> {
        check_key_name(name)?;
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, SIG_TYPE_ED25519, secret.public_key().as_bytes()),
            secret,
        })
    }

    /// A fresh key from the given cryptographic RNG.
    pub fn generate<R: rand_core::CryptoRngCore + ?Sized>(
        name: &str,
        rng: &mut R,
    ) -> Result<Self, NoteError> {
        Self::new(name, SecretKey::generate(rng))
    }

    /// Parse a signer-key string `PRIVATE+KEY+<name>+<hex8>+<base64(0x01 ‖ seed)>`; the key id
    /// must match the one derived from the public key.
    pub fn from_skey(s: &str) -> Result<Self, NoteError> {
        const WHAT: &str = "signer key";
        let rest = s
            .strip_prefix(PRIVATE_KEY_PREFIX)
            .ok_or(NoteError::MalformedKey {
                what: WHAT,
                reason: "does not start with PRIVATE+KEY+",
            })?;
        let (name, found, data) = split_key_string(rest, WHAT)?;
        if data[0] != SIG_TYPE_ED25519 {
            return Err(NoteError::WrongSignatureType {
                what: WHAT,
                name: name.to_owned(),
                expected: SIG_TYPE_ED25519,
                found: data[0],
            });
        }
        let seed: [u8; 32] = data[1..].try_into().map_err(|_| NoteError::KeyLength {
            what: WHAT,
            name: name.to_owned(),
            expected: 32,
            found: data.len() - 1,
        })?;
        let key = Self::new(name, SecretKey::from_seed(&seed))?;
        if key.key_id != found {
            return Err(NoteError::KeyIdMismatch {
                what: WHAT,
                name: name.to_owned(),
                found,
                expected: key.key_id,
            });
        }
        Ok(key)
    }

    /// The signer-key string. It contains the secret seed.
    pub fn to_skey(&self) -> String {
        let mut data = Vec::with_capacity(33);
        data.push(SIG_TYPE_ED25519);
        data.extend_from_slice(&self.secret.seed());
        format!(
            "{PRIVATE_KEY_PREFIX}{}+{:08x}+{}",
            self.name,
            self.key_id,
            encode_base64(&data)
        )
    }

    pub fn verifier(&self) -> Ed25519NoteVerifier {
        Ed25519NoteVerifier {
            name: self.name.clone(),
            key: self.secret.public_key(),
            key_id: self.key_id,
        }
    }

    pub fn secret_key(&self) -> &SecretKey {
        &self.secret
    }
}

impl NoteSigner for Ed25519NoteKey {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.key_id
    }
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        self.secret.sign(msg).to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // golang.org/x/mod/sumdb/note example keys and note (ExampleSign / ExampleOpen).
    const GO_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n\
                           \n\
                           \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn key(name: &str, seed: u8) -> Ed25519NoteKey {
        Ed25519NoteKey::new(name, SecretKey::from_seed(&[seed; 32])).unwrap()
    }

    fn signed(text: &str, keys: &[&Ed25519NoteKey]) -> Vec<u8> {
        let signers: Vec<&dyn NoteSigner> = keys.iter().map(|k| *k as &dyn NoteSigner).collect();
        sign_note(text, &signers).unwrap().to_bytes()
    }

    #[test]
    fn go_example_keys_known_answer() {
        let k = Ed25519NoteKey::from_skey(GO_SKEY).unwrap();
        assert_eq!(k.key_id, 0xc74f20a3);
        assert_eq!(k.to_skey(), GO_SKEY);
        assert_eq!(k.verifier().to_vkey(), GO_VKEY);
        let v = Ed25519NoteVerifier::from_vkey(GO_VKEY).unwrap();
        assert_eq!(v, k.verifier());
        assert_eq!(
            key_id("PeterNeumann", SIG_TYPE_ED25519, v.public_key().as_bytes()),
            0xc74f20a3
        );
        let vk = VerifierKey::parse(GO_VKEY).unwrap();
        assert_eq!(vk.to_string(), GO_VKEY);
        assert_eq!(vk.sig_type, SIG_TYPE_ED25519);
    }

    #[test]
    fn go_example_note_known_answer() {
        let k = Ed25519NoteKey::from_skey(GO_SKEY).unwrap();
        // Ed25519 is deterministic: we must produce the very same bytes.
        assert_eq!(signed(GO_TEXT, &[&k]), GO_NOTE.as_bytes());
        let note = parse_note(GO_NOTE.as_bytes()).unwrap();
        assert_eq!(note.text, GO_TEXT);
        assert_eq!(note.to_bytes(), GO_NOTE.as_bytes());
        let v = Ed25519NoteVerifier::from_vkey(GO_VKEY).unwrap();
        let r = verify_note(&note, &[&v]).unwrap();
        assert_eq!(r.verified, vec![0]);
        assert!(r.unknown.is_empty());
    }

    #[test]
    fn spec_example_parses_with_blank_line_in_text() {
        // The example of c2sp.org/signed-note: the text itself contains an empty line, and the
        // note splits at the *last* one. (Its public key is not published.)
        let msg = "Ognuno sta solo sul cuor della terra\n\
                   trafitto da un raggio di sole:\n\
                   \n\
                   ed \u{e8} subito sera.\n\
                   \n\
                   \u{2014} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
        let note = parse_note(msg.as_bytes()).unwrap();
        assert!(note.text.ends_with("\n\ned \u{e8} subito sera.\n"));
        assert_eq!(note.signatures.len(), 1);
        let s = &note.signatures[0];
        assert_eq!(s.name, "quasimodo.example/salvatore");
        assert_eq!(s.key_id, 0x367ba04b);
        assert_eq!(s.sig_bytes.len(), 64);
        assert_eq!(note.signature_line(0), 6);
        assert_eq!(note.to_bytes(), msg.as_bytes());
        // Unknown key: ignored, reported, and the note is refused for lack of a known signature.
        let other = key("quasimodo.example/salvatore", 1).verifier();
        assert_eq!(
            verify_note(&note, &[&other]),
            Err(NoteError::NoVerifiedSignature { unknown: 1 })
        );
    }

    #[test]
    fn key_names() {
        for ok in ["a", "example.com/log", "oid/1.2.3", "caf\u{e9}"] {
            check_key_name(ok).unwrap();
        }
        for bad in [
            "",
            "a b",
            "a+b",
            "a\tb",
            "a\u{a0}b",
            "a\u{3000}b",
            "a\u{1}b",
            "a\nb",
        ] {
            assert!(
                matches!(check_key_name(bad), Err(NoteError::InvalidKeyName { .. })),
                "{bad:?}"
            );
        }
        assert!(Ed25519NoteKey::new("x y", SecretKey::from_seed(&[1; 32])).is_err());
    }

    #[test]
    fn vkey_rejections() {
        let good = key("example.com/log", 3).verifier();
        let pk = *good.public_key();
        let b64 = |t: u8, k: &[u8]| {
            let mut d = vec![t];
            d.extend_from_slice(k);
            encode_base64(&d)
        };
        let id = |t: u8, k: &[u8]| key_id("example.com/log", t, k);

        // Wrong hash.
        let s = format!(
            "example.com/log+{:08x}+{}",
            id(1, pk.as_bytes()) ^ 1,
            b64(1, pk.as_bytes())
        );
        assert!(matches!(
            Ed25519NoteVerifier::from_vkey(&s),
            Err(NoteError::KeyIdMismatch { .. })
        ));
        // Wrong type byte (a cosigner key, self-consistent hash).
        let s = format!(
            "example.com/log+{:08x}+{}",
            id(4, pk.as_bytes()),
            b64(4, pk.as_bytes())
        );
        assert!(matches!(
            Ed25519NoteVerifier::from_vkey(&s),
            Err(NoteError::WrongSignatureType {
                expected: 1,
                found: 4,
                ..
            })
        ));
        // Bad base64: truncated, and (below) missing padding and non-canonical trailing bits.
        let enc = b64(1, pk.as_bytes());
        let s = format!(
            "example.com/log+{:08x}+{}",
            id(1, pk.as_bytes()),
            &enc[..enc.len() - 1]
        );
        assert!(matches!(
            Ed25519NoteVerifier::from_vkey(&s),
            Err(NoteError::MalformedKey { .. })
        ));
        assert!(decode_base64("AB==").is_none());
        assert!(decode_base64("AA").is_none());
        assert!(decode_base64("AA=").is_none());
        assert_eq!(decode_base64("AA==").unwrap(), vec![0]);
        // Wrong length.
        let s = format!(
            "example.com/log+{:08x}+{}",
            id(1, &pk.as_bytes()[..31]),
            b64(1, &pk.as_bytes()[..31])
        );
        assert!(matches!(
            Ed25519NoteVerifier::from_vkey(&s),
            Err(NoteError::KeyLength { found: 31, .. })
        ));
        // Small-order key (the identity point), with a correct id.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let s = format!(
            "example.com/log+{:08x}+{}",
            id(1, &identity),
            b64(1, &identity)
        );
        assert!(matches!(
            Ed25519NoteVerifier::from_vkey(&s),
            Err(NoteError::InvalidPublicKey {
                source: CryptoError::SmallOrderKey { .. },
                ..
            })
        ));
        // Uppercase hex, short hex, missing fields, bad name.
        let upper = good.to_vkey().replacen(
            &format!("{:08x}", good.key_id),
            &format!("{:08X}", good.key_id),
            1,
        );
        if upper != good.to_vkey() {
            assert!(matches!(
                Ed25519NoteVerifier::from_vkey(&upper),
                Err(NoteError::MalformedKey { .. })
            ));
        }
        for s in [
            "example.com/log",
            "example.com/log+abc+AQ==",
            "+00000000+AQ==",
        ] {
            assert!(Ed25519NoteVerifier::from_vkey(s).is_err(), "{s}");
        }
        // Round trip of the good one.
        assert_eq!(
            Ed25519NoteVerifier::from_vkey(&good.to_vkey()).unwrap(),
            good
        );
    }

    #[test]
    fn skey_rejections() {
        let k = key("example.com/log", 5);
        let s = k.to_skey();
        assert_eq!(Ed25519NoteKey::from_skey(&s).unwrap().to_skey(), s);
        assert!(format!("{k:?}").contains("example.com/log"));
        assert!(!format!("{k:?}").contains(&s));
        // The id of a different key.
        let other = key("example.com/log", 6);
        let forged = format!(
            "PRIVATE+KEY+example.com/log+{:08x}+{}",
            other.key_id,
            s.rsplit('+').next().unwrap()
        );
        assert!(matches!(
            Ed25519NoteKey::from_skey(&forged),
            Err(NoteError::KeyIdMismatch { .. })
        ));
        // A verifier key is not a signer key.
        assert!(matches!(
            Ed25519NoteKey::from_skey(&k.verifier().to_vkey()),
            Err(NoteError::MalformedKey { .. })
        ));
        // Wrong type byte.
        let mut data = vec![4u8];
        data.extend_from_slice(&[5u8; 32]);
        let wrong = format!(
            "PRIVATE+KEY+example.com/log+{:08x}+{}",
            k.key_id,
            encode_base64(&data)
        );
        assert!(matches!(
            Ed25519NoteKey::from_skey(&wrong),
            Err(NoteError::WrongSignatureType { found: 4, .. })
        ));
        // Wrong seed length.
        let short = format!(
            "PRIVATE+KEY+example.com/log+{:08x}+{}",
            k.key_id,
            encode_base64(&[1u8; 32])
        );
        assert!(matches!(
            Ed25519NoteKey::from_skey(&short),
            Err(NoteError::KeyLength { found: 31, .. })
        ));
    }

    #[test]
    fn round_trip_two_signers_and_unknown() {
        let a = key("a.example/log", 1);
        let b = key("b.example/witness", 2);
        let bytes = signed("hello\n\nworld\n", &[&a, &b]);
        let note = parse_note(&bytes).unwrap();
        assert_eq!(note.text, "hello\n\nworld\n");
        assert_eq!(note.to_bytes(), bytes);
        let (va, vb) = (a.verifier(), b.verifier());
        assert_eq!(
            verify_note(&note, &[&vb, &va]).unwrap().verified,
            vec![1, 0]
        );
        let r = verify_note(&note, &[&vb]).unwrap();
        assert_eq!(r.verified, vec![0]);
        assert_eq!(r.unknown, vec![note.signatures[0].clone()]);
        // Same name, different key (so different id): ignored, not a failure.
        let impostor = key("a.example/log", 9).verifier();
        let r = verify_note(&note, &[&impostor, &vb]).unwrap();
        assert_eq!(r.verified, vec![1]);
        assert_eq!(r.unknown.len(), 1);
        assert!(matches!(
            verify_note(&note, &[&va, &va]),
            Err(NoteError::DuplicateVerifier { .. })
        ));
    }

    #[test]
    fn tampering_is_detected() {
        let a = key("a.example/log", 1);
        let va = a.verifier();
        let bytes = signed("line one\nline two\n", &[&a]);
        // Flip a byte in the text.
        let mut t = bytes.clone();
        t[0] ^= 0x20;
        let note = parse_note(&t).unwrap();
        assert_eq!(
            verify_note(&note, &[&va]),
            Err(NoteError::BadSignature {
                line: 4,
                name: "a.example/log".into(),
                key_id: va.key_id()
            })
        );
        // Flip a bit in the signature (but not in the key id).
        let mut note = parse_note(&bytes).unwrap();
        note.signatures[0].sig_bytes[10] ^= 1;
        let reparsed = parse_note(&note.to_bytes()).unwrap();
        assert!(matches!(
            verify_note(&reparsed, &[&va]),
            Err(NoteError::BadSignature { line: 4, .. })
        ));
        // Truncated signature.
        let mut note = parse_note(&bytes).unwrap();
        note.signatures[0].sig_bytes.pop();
        assert!(matches!(
            verify_note(&note, &[&va]),
            Err(NoteError::BadSignature { .. })
        ));
        // Wrong key with the same name: unknown, so no verified signature.
        let wrong = key("a.example/log", 2).verifier();
        assert_eq!(
            verify_note(&parse_note(&bytes).unwrap(), &[&wrong]),
            Err(NoteError::NoVerifiedSignature { unknown: 1 })
        );
    }

    #[test]
    fn malformed_notes() {
        let a = key("a.example/log", 1);
        let good = String::from_utf8(signed("t1\nt2\n", &[&a])).unwrap();
        let line = good.lines().nth(3).unwrap().to_owned();
        let b64 = line.rsplit(' ').next().unwrap().to_owned();
        let p = |s: &str| parse_note(s.as_bytes());

        assert_eq!(
            p(good.trim_end_matches('\n')),
            Err(NoteError::MissingFinalNewline)
        );
        assert_eq!(
            p(&format!("t1\nt2\n{line}\n")),
            Err(NoteError::MissingSignatureBlock)
        );
        assert_eq!(p("t1\nt2\n\n"), Err(NoteError::NoSignatures));
        // Hyphen, en dash, and em dash without space instead of "— ".
        for bad in [
            format!("- a.example/log {b64}"),
            format!("\u{2013} a.example/log {b64}"),
            format!("\u{2014}a.example/log {b64}"),
        ] {
            assert!(matches!(
                p(&format!("t1\nt2\n\n{bad}\n")),
                Err(NoteError::MalformedSignatureLine { line: 4, .. })
            ));
        }
        // Name without signature, invalid name, bad base64, short signature, extra field.
        for (bad, ln) in [
            (format!("{line}\n\u{2014} a.example/log\n"), 5),
            (format!("\u{2014} a+b {b64}\n"), 4),
            (format!("\u{2014} a.example/log {}\n", &b64[1..]), 4),
            ("\u{2014} a.example/log AAAAAA==\n".to_owned(), 4),
            (format!("\u{2014} a.example/log {b64} x\n"), 4),
        ] {
            let r = p(&format!("t1\nt2\n\n{bad}"));
            assert!(
                matches!(r, Err(NoteError::MalformedSignatureLine { line, .. }) if line == ln),
                "{bad:?}: {r:?}"
            );
        }
        // Duplicate signature lines.
        assert_eq!(
            p(&format!("{good}{line}\n")),
            Err(NoteError::DuplicateSignature {
                line: 5,
                name: "a.example/log".into(),
                key_id: a.key_id
            })
        );
        // Control characters and invalid UTF-8, with their line numbers.
        assert_eq!(
            p(&good.replacen("t2", "t\t2", 1)),
            Err(NoteError::ControlCharacter { line: 2, byte: 9 })
        );
        assert_eq!(
            p(&good.replacen("t2\n", "t2\r\n", 1)),
            Err(NoteError::ControlCharacter { line: 2, byte: 13 })
        );
        let mut bytes = good.clone().into_bytes();
        bytes[3] = 0xff;
        assert_eq!(parse_note(&bytes), Err(NoteError::NotUtf8 { line: 2 }));
        // Size limits.
        let big = format!("{}\n\n{line}\n", "x".repeat(MAX_NOTE_SIZE));
        assert!(matches!(p(&big), Err(NoteError::TooLarge { .. })));
    }

    #[test]
    fn signature_count_limits() {
        let keys: Vec<Ed25519NoteKey> = (0..=MAX_SIGNATURES)
            .map(|i| {
                Ed25519NoteKey::new(&format!("k{i}"), SecretKey::from_seed(&[i as u8; 32])).unwrap()
            })
            .collect();
        // The spec requires accepting at least 16 signatures.
        let sixteen: Vec<&Ed25519NoteKey> = keys.iter().take(16).collect();
        let note = parse_note(&signed("t\n", &sixteen)).unwrap();
        let verifiers: Vec<Ed25519NoteVerifier> =
            keys.iter().take(16).map(|k| k.verifier()).collect();
        let dyns: Vec<&dyn NoteVerifier> =
            verifiers.iter().map(|v| v as &dyn NoteVerifier).collect();
        assert_eq!(verify_note(&note, &dyns).unwrap().verified.len(), 16);
        // One over the limit: refused when signing and when parsing.
        let all: Vec<&dyn NoteSigner> = keys.iter().map(|k| k as &dyn NoteSigner).collect();
        assert!(matches!(
            sign_note("t\n", &all),
            Err(NoteError::TooManySignatures { .. })
        ));
        let mut text = String::from("t\n\n");
        for k in &keys {
            let sig = NoteSignature {
                name: k.name.clone(),
                key_id: k.key_id,
                sig_bytes: k.sign(b"t\n"),
            };
            text.push_str(&sig.to_line());
        }
        assert_eq!(
            parse_note(text.as_bytes()),
            Err(NoteError::TooManySignatures {
                count: MAX_SIGNATURES + 1,
                max: MAX_SIGNATURES
            })
        );
    }

    #[test]
    fn sign_note_refusals() {
        let a = key("a", 1);
        assert!(matches!(
            sign_note("no newline", &[&a]),
            Err(NoteError::InvalidText { .. })
        ));
        assert!(matches!(
            sign_note("tab\there\n", &[&a]),
            Err(NoteError::ControlCharacter { line: 1, byte: 9 })
        ));
        assert_eq!(sign_note("t\n", &[]), Err(NoteError::NoSigners));
        assert!(matches!(
            sign_note("t\n", &[&a, &a]),
            Err(NoteError::DuplicateSignature { line: 4, .. })
        ));
    }

    proptest! {
        #[test]
        fn prop_sign_parse_verify(text in "([^\\x00-\\x1f]{0,20}\n){1,5}", seed in any::<u8>()) {
            let k = key("p.example/k", seed);
            let bytes = signed(&text, &[&k]);
            let note = parse_note(&bytes).unwrap();
            prop_assert_eq!(&note.text, &text);
            prop_assert_eq!(note.to_bytes(), bytes);
            prop_assert_eq!(verify_note(&note, &[&k.verifier()]).unwrap().verified, vec![0]);
        }

        #[test]
        fn prop_parse_is_canonical(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(note) = parse_note(&bytes) {
                prop_assert_eq!(note.to_bytes(), bytes);
            }
        }

        #[test]
        fn prop_flipped_byte_never_verifies(pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let k = key("p.example/k", 7);
            let mut bytes = signed("origin\n12\nroot\n", &[&k]);
            let i = pos.index(bytes.len());
            bytes[i] ^= 1 << bit;
            if let Ok(note) = parse_note(&bytes) {
                prop_assert!(verify_note(&note, &[&k.verifier()]).is_err());
            }
        }
    }
}
