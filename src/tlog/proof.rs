//! The C2SP `tlog-proof` text (c2sp.org/tlog-proof@v1): an inclusion proof for the entry at
//! an index, with the signed checkpoint it leads to. Strict parse: the header line, an
//! optional `extra` line (canonical base64), `index N` (decimal, no leading zero), at most
//! [`MAX_PROOF_HASHES`] lines of canonical base64 SHA-256 hashes, an empty line, then the
//! checkpoint verbatim (opened by the caller under its policy).

use crate::note::{decode_base64, encode_base64};
use crate::tree::{HASH_SIZE, Hash, TreeHashAlg};

use super::Finding;
use super::open::{Opened, Policy, open};

/// The first line of every proof.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// More hashes than any tree of at most 2^63 leaves needs.
pub const MAX_PROOF_HASHES: usize = 63;

/// A parsed `tlog-proof`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Unauthenticated application data.
    pub extra: Option<Vec<u8>>,
    pub index: u64,
    /// From the leaf's sibling up to the root's child (RFC 6962 §2.1.1).
    pub hashes: Vec<Hash>,
    /// The signed checkpoint, verbatim.
    pub checkpoint: Vec<u8>,
}

/// Why a proof text does not parse; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tlog-proof line {line}: {reason}")]
pub struct ProofError {
    pub line: usize,
    pub reason: String,
}

fn err(line: usize, reason: impl Into<String>) -> ProofError {
    ProofError {
        line,
        reason: reason.into(),
    }
}

impl TlogProof {
    /// The text form.
    pub fn to_text(&self) -> Vec<u8> {
        let mut s = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            s.push_str(&format!("extra {}\n", encode_base64(extra)));
        }
        s.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            s.push_str(&encode_base64(h));
            s.push('\n');
        }
        s.push('\n');
        let mut out = s.into_bytes();
        out.extend_from_slice(&self.checkpoint);
        out
    }

    /// Parse the text form strictly (the checkpoint is not opened here).
    pub fn parse(bytes: &[u8]) -> Result<Self, ProofError> {
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or_else(|| err(1, "no empty line before the checkpoint"))?;
        let head = std::str::from_utf8(&bytes[..split])
            .map_err(|e| err(1 + line_count(&bytes[..e.valid_up_to()]), "not UTF-8"))?;
        let checkpoint = bytes[split + 2..].to_vec();
        let mut lines = head.split('\n').enumerate().map(|(i, l)| (i + 1, l));
        let (_, first) = lines.next().expect("split yields one line");
        if first != HEADER {
            return Err(err(1, format!("expected {HEADER:?}")));
        }
        let (mut n, mut line) = lines
            .next()
            .ok_or_else(|| err(2, "missing the index line"))?;
        let mut extra = None;
        if let Some(b64) = line.strip_prefix("extra ") {
            extra = Some(
                decode_base64(b64).ok_or_else(|| err(n, "extra data is not canonical base64"))?,
            );
            (n, line) = lines
                .next()
                .ok_or_else(|| err(n + 1, "missing the index line"))?;
        }
        let index = parse_index(line).ok_or_else(|| {
            err(
                n,
                "expected \"index N\" (decimal, no leading zero, fits in 64 bits)",
            )
        })?;
        let mut hashes = Vec::new();
        for (n, line) in lines {
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(err(n, format!("more than {MAX_PROOF_HASHES} proof hashes")));
            }
            let h = decode_base64(line)
                .and_then(|h| <Hash>::try_from(h).ok())
                .ok_or_else(|| {
                    err(
                        n,
                        format!("not the canonical base64 of a {HASH_SIZE}-byte hash"),
                    )
                })?;
            hashes.push(h);
        }
        Ok(Self {
            extra,
            index,
            hashes,
            checkpoint,
        })
    }
}

fn line_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

fn parse_index(line: &str) -> Option<u64> {
    let digits = line.strip_prefix("index ")?;
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    digits.parse().ok()
}

/// Check `proof` for `entry` (the opaque entry bytes) under `policy`: the checkpoint opens,
/// the index is inside its tree, and the path leads from the entry's leaf hash to its root.
/// The error is the finding (`tlog-proof-index`, `tlog-proof-mismatch` or a checkpoint's).
pub fn check(proof: &TlogProof, entry: &[u8], policy: &Policy) -> Result<Opened, Finding> {
    let opened = open(&proof.checkpoint, policy)?;
    let size = opened.checkpoint.size;
    if proof.index >= size {
        return Err(Finding::violated(
            "tlog-proof-index",
            format!(
                "index {} is not below the checkpoint's size {size}",
                proof.index
            ),
        ));
    }
    let alg = TreeHashAlg::Sha256;
    alg.verify_inclusion(
        proof.index,
        size,
        &alg.leaf(entry),
        &proof.hashes,
        &opened.checkpoint.root,
    )
    .map_err(|e| {
        Finding::violated(
            "tlog-proof-mismatch",
            format!("inclusion of index {} at size {size}: {e}", proof.index),
        )
    })?;
    Ok(opened)
}

/// Why [`build`] made no proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// Fetching failed (could not run).
    #[error(transparent)]
    Source(#[from] super::walk::SourceError),
    /// The log does not serve what the proof needs, or it does not verify (a finding).
    #[error("{}: {}", .0.code, .0.message)]
    Log(Finding),
}

/// Build the proof for leaf `index` of the tree of `opened` (whose signed note is
/// `checkpoint`) from the hash tiles of `source`, read the entry from its bundle, and check
/// the proof before returning it with the entry: a proof that does not verify is never given.
pub fn build<S: super::walk::Source + ?Sized>(
    source: &S,
    opened: &Opened,
    checkpoint: &[u8],
    index: u64,
) -> Result<(TlogProof, Vec<u8>), BuildError> {
    use crate::tiles::{TileHashReader, TileId, entry_bundle_for_leaf};
    use crate::tree::TreeError;
    let size = opened.checkpoint.size;
    let log = |code, message: String| BuildError::Log(Finding::violated(code, message));
    if index >= size {
        return Err(log(
            "tlog-proof-index",
            format!("index {index} is not below the checkpoint's size {size}"),
        ));
    }
    let fetch_err = std::cell::RefCell::new(None);
    let fetch = |t: TileId| -> Result<Vec<u8>, TreeError> {
        let got = match source.tile(t) {
            Ok(None) if !t.is_full() => source.tile(t.to_full()).map(|d| {
                d.filter(|d| d.len() >= t.data_len()).map(|mut d| {
                    d.truncate(t.data_len());
                    d
                })
            }),
            other => other,
        };
        match got {
            Ok(Some(d)) => Ok(d),
            Ok(None) => Err(TreeError::Storage(format!(
                "{}: hash tile not found",
                t.path()
            ))),
            Err(e) => {
                let msg = e.to_string();
                *fetch_err.borrow_mut() = Some(e);
                Err(TreeError::Storage(msg))
            }
        }
    };
    let alg = TreeHashAlg::Sha256;
    let reader = TileHashReader::new(size, alg, fetch);
    let hashes = match alg.inclusion_proof(size, index, &reader) {
        Ok(h) => h,
        Err(e) => {
            if let Some(e) = fetch_err.take() {
                return Err(e.into());
            }
            return Err(log("tlog-tile-missing", format!("inclusion proof: {e}")));
        }
    };
    let (bundle, offset) = entry_bundle_for_leaf(index, size).expect("index below size");
    let mut data = source.entries(bundle)?;
    if data.is_none() && !bundle.is_full() {
        data = source.entries(crate::tiles::EntryBundleId::full(bundle.index()))?;
    }
    let data = data.ok_or_else(|| {
        log(
            "tlog-bundle-missing",
            format!("{}: entry bundle not found", bundle.path()),
        )
    })?;
    let entries = crate::tiles::decode_entry_bundle(&data)
        .map_err(|e| log("tlog-bundle-malformed", format!("{}: {e}", bundle.path())))?;
    let entry = entries.get(offset).ok_or_else(|| {
        log(
            "tlog-bundle-malformed",
            format!(
                "{}: {} entries, no entry {offset}",
                bundle.path(),
                entries.len()
            ),
        )
    })?;
    let proof = TlogProof {
        extra: None,
        index,
        hashes,
        checkpoint: checkpoint.to_vec(),
    };
    alg.verify_inclusion(
        index,
        size,
        &alg.leaf(entry),
        &proof.hashes,
        &opened.checkpoint.root,
    )
    .map_err(|e| {
        log(
            "tlog-proof-mismatch",
            format!("inclusion of index {index}: {e}"),
        )
    })?;
    Ok((proof, entry.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Checkpoint;
    use crate::crypto::SecretKey;
    use crate::note::{Ed25519NoteKey, sign_note};
    use crate::tree::{MemoryHashStore, Sha256};

    const ORIGIN: &str = "log.example/tlog-proof";

    /// A proof of `entry 3` in a tree of 7 entries, and the policy that checks it (the
    /// fuzz target fuzz/fuzz_targets/tlog_proof_decode.rs uses the same).
    fn seed() -> (Vec<u8>, Policy) {
        let mut t = MemoryHashStore::<Sha256>::new();
        for i in 0..7 {
            t.append(format!("entry {i}").as_bytes()).unwrap();
        }
        let key = Ed25519NoteKey::new(ORIGIN, SecretKey::from_seed(&[5; 32])).unwrap();
        let cp = Checkpoint::new(ORIGIN, 7, t.root()).unwrap();
        let note = sign_note(&cp.to_body(), &[&key]).unwrap().to_bytes();
        let proof = TlogProof {
            extra: None,
            index: 3,
            hashes: t.inclusion_proof(7, 3).unwrap(),
            checkpoint: note,
        };
        let policy = Policy {
            log: key.verifier(),
            witnesses: Vec::new(),
            quorum: 0,
        };
        (proof.to_text(), policy)
    }

    #[test]
    fn round_trip_and_check() {
        let (text, policy) = seed();
        let p = TlogProof::parse(&text).unwrap();
        assert_eq!(p.to_text(), text);
        assert!(text.starts_with(b"c2sp.org/tlog-proof@v1\nindex 3\n"));
        check(&p, b"entry 3", &policy).unwrap();
        assert_eq!(
            check(&p, b"entry 4", &policy).unwrap_err().code,
            "tlog-proof-mismatch"
        );
        let with_extra = TlogProof {
            extra: Some(b"ctx".to_vec()),
            ..p.clone()
        };
        let again = TlogProof::parse(&with_extra.to_text()).unwrap();
        assert_eq!(again, with_extra);
        let far = TlogProof { index: 7, ..p };
        assert_eq!(
            check(&far, b"entry 3", &policy).unwrap_err().code,
            "tlog-proof-index"
        );
    }

    #[test]
    fn malformed_proofs_are_refused_with_the_line() {
        let (text, _) = seed();
        let s = String::from_utf8(text).unwrap();
        for (bad, line) in [
            (s.replacen("tlog-proof@v1", "tlog-proof@v2", 1), 1),
            (s.replacen("index 3", "index 03", 1), 2),
            (s.replacen("index 3", "index -3", 1), 2),
            (s.replacen("index 3\n", "index 3\nnot base64\n", 1), 3),
            (s.replacen("index 3\n", "index 3\nAAAA\n", 1), 3),
            // Without the empty line the checkpoint's origin (line 6) is read as a hash.
            (s.replacen("\n\n", "\n", 1), 6),
        ] {
            let e = TlogProof::parse(bad.as_bytes()).unwrap_err();
            assert_eq!(e.line, line, "{bad}: {e}");
        }
    }

    /// Every single-byte change of the proof is refused (parse or check), never a panic.
    #[test]
    fn every_changed_byte_is_refused() {
        let (text, policy) = seed();
        for i in 0..text.len() {
            for bit in [0x01, 0x20, 0x80] {
                let mut bad = text.clone();
                bad[i] ^= bit;
                if let Ok(p) = TlogProof::parse(&bad) {
                    assert!(
                        check(&p, b"entry 3", &policy).is_err(),
                        "byte {i} ^ {bit:#x}"
                    );
                }
            }
        }
    }
}
