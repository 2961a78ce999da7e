//! Whose keys a read is checked against: the auditor's trust anchors (`--trust FILE`) or,
//! without them, the log operator's own key from the log directory — and the words that say
//! which, so that no output lets a reader mistake the second for the first.
//!
//! Owns the choice of log key, witnesses and registration-authority key; opening the
//! checkpoint itself is [`crate::checkpoint::open_checkpoint`].

use crate::checkpoint::{VerifiedCheckpoint, open_checkpoint};
use crate::crypto::PublicKey;
use crate::note::{Ed25519NoteVerifier, NoteVerifier};
use crate::tree::TreeHashAlg;
use crate::verify::Trust;

/// Where the keys came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorSource {
    /// The auditor's trust file: independent of the operator.
    Trust,
    /// The log's own configuration (`private/config.json`): the operator's word.
    Operator,
}

/// The keys records and checkpoints are checked against.
#[derive(Debug, Clone)]
pub struct Anchors {
    pub source: AnchorSource,
    pub origin: String,
    pub alg: TreeHashAlg,
    /// Log keys and the tree sizes each signs (`until` included; `None`: open-ended).
    log_keys: Vec<(Ed25519NoteVerifier, u64, Option<u64>)>,
    witnesses: Vec<(String, PublicKey)>,
    quorum: usize,
    /// The registration authority's keys and the leaves each is in force for (`until`
    /// excluded; `None`: open-ended): the trust file's `registration_authority_history`, or
    /// the one key the log directory names.
    authorities: Vec<(PublicKey, u64, Option<u64>)>,
}

impl Anchors {
    /// The auditor's anchors: the trust file's log key history, witnesses and quorum.
    pub fn from_trust(trust: &Trust) -> Anchors {
        Anchors {
            source: AnchorSource::Trust,
            origin: trust.origin().to_string(),
            alg: trust.alg,
            log_keys: trust
                .log_keys
                .iter()
                .map(|r| (r.key.clone(), r.from, r.until))
                .collect(),
            witnesses: trust
                .witnesses
                .iter()
                .map(|w| (w.name().to_string(), *w.public_key()))
                .collect(),
            quorum: trust.file.witness_quorum,
            authorities: match trust.authority_keys.is_empty() {
                true => vec![(trust.authority_key, 0, None)],
                false => (trust.authority_keys.iter())
                    .map(|r| (r.key, r.from, r.until))
                    .collect(),
            },
        }
    }

    /// The operator's own keys, as the log's configuration names them.
    pub fn operator(
        origin: &str,
        alg: TreeHashAlg,
        log_key: &Ed25519NoteVerifier,
        authority: PublicKey,
    ) -> Anchors {
        Anchors {
            source: AnchorSource::Operator,
            origin: origin.to_string(),
            alg,
            log_keys: vec![(log_key.clone(), 0, None)],
            witnesses: Vec::new(),
            quorum: 0,
            authorities: vec![(authority, 0, None)],
        }
    }

    /// The registration authority's key in force at `leaf` (an older key signs the records
    /// of its own leaves after a replacement), if the anchors name one for it.
    pub fn authority_at(&self, leaf: u64) -> Option<PublicKey> {
        self.authorities
            .iter()
            .find(|(_, from, until)| leaf >= *from && until.is_none_or(|u| leaf < u))
            .map(|(k, _, _)| *k)
    }

    /// The words every output carries.
    pub fn describe(&self) -> &'static str {
        match self.source {
            AnchorSource::Trust => "checked against the auditor's trust anchors (--trust)",
            AnchorSource::Operator => {
                "checked against the operator's own key (from the log directory, not an \
                 independent anchor: give --trust FILE to check against the auditor's)"
            }
        }
    }

    /// Open the signed checkpoint `note` of tree size `size` (the log key in force for that
    /// size, the witnesses and quorum of the anchors).
    pub fn open(&self, note: &[u8], size: u64) -> Result<VerifiedCheckpoint, String> {
        let key = self
            .log_keys
            .iter()
            .find(|(_, from, until)| size >= *from && until.is_none_or(|u| size <= u))
            .map(|(k, _, _)| k)
            .ok_or_else(|| format!("no log key of the anchors signs a tree of size {size}"))?;
        let v = open_checkpoint(note, &self.origin, key, &self.witnesses, self.quorum)
            .map_err(|e| e.to_string())?;
        if v.checkpoint.size != size {
            return Err(format!(
                "holds a checkpoint of size {}, expected {size}",
                v.checkpoint.size
            ));
        }
        Ok(v)
    }

    /// The tree size stated by a checkpoint note, before it is verified (to pick its key).
    pub fn claimed_size(note: &[u8]) -> Result<u64, String> {
        let n = crate::note::parse_note(note).map_err(|e| e.to_string())?;
        let cp = crate::checkpoint::Checkpoint::parse(&n.text).map_err(|e| e.to_string())?;
        Ok(cp.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::SecretKey;

    /// After the authority key was replaced at leaf 10, records before it are checked with
    /// the old key and records from it on with the new one; no key is in force outside.
    #[test]
    fn the_authority_key_is_the_one_in_force_at_the_leaf() {
        let old = SecretKey::from_seed(&[1; 32]).public_key();
        let new = SecretKey::from_seed(&[2; 32]).public_key();
        let log = SecretKey::from_seed(&[3; 32]);
        let log_key = crate::note::Ed25519NoteKey::new("example.org/log", log).unwrap();
        let mut a = Anchors::operator(
            "example.org/log",
            TreeHashAlg::Sha256,
            &log_key.verifier(),
            old,
        );
        assert_eq!(a.authority_at(0), Some(old));
        assert_eq!(a.authority_at(u64::MAX), Some(old));
        a.authorities = vec![(old, 0, Some(10)), (new, 10, None)];
        assert_eq!(a.authority_at(9), Some(old));
        assert_eq!(a.authority_at(10), Some(new));
        a.authorities = vec![(old, 5, Some(10))];
        assert_eq!(a.authority_at(4), None);
        assert_eq!(a.authority_at(10), None);
    }
}
