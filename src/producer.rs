//! The producer side: sign records, keep a durable head, and log before serving.
//!
//! Owns the producer's own state file and the rule that makes its chain trustworthy from its
//! side: the producer keeps its head (next seq, leaf hash of its last record) durably and
//! apart from the log, so that on restart it can compare the two and refuse — loudly — to
//! continue when they disagree (records lost or rewritten between producer and log).
//!
//! Crash safety: before appending, the producer durably records the record it is about to
//! append as *pending*; after the log acknowledges it, the pending record becomes the head.
//! On restart a pending record is adopted if the log's head is that record, dropped if the
//! log's head is the previous one (the append never completed, and since the application
//! serves only after [`Producer::log_before_serve`] returns, nothing was served), and any
//! other state is a [`ProducerError::HeadMismatch`]. [`Producer::append`] reconciles first
//! every time, so a producer never appends on top of a head it has not checked.
//!
//! A [`Receipt`] names the record's leaf; once a published checkpoint covers that leaf,
//! [`Producer::proof`] returns its inclusion proof against that signed checkpoint.

use std::path::Path;

use minicbor::{Decode, Encode};

use crate::cbor;
use crate::checkpoint::{self, CheckpointError};
use crate::client::Client;
use crate::crypto::{PublicKey, SecretKey};
use crate::log::{AppendItem, Log, LogError, Receipt};
use crate::record::sealed::SALT_LEN;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;
use crate::record::{Payload, RecordBuilder, RecordError, SealError, SealedValue, SignedRecord};
use crate::store::{FsStore, ObjectStore, StoreError};
use crate::tree::{Hash, TreeError, TreeHashAlg};

/// Why a producer operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProducerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("sealing {path}: {source}")]
    Seal { path: String, source: SealError },
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error("{path}: producer state is corrupt: {reason}")]
    Corrupt { path: String, reason: String },
    #[error(
        "producer {producer}: its own head (next seq {ours_seq}, head {ours_head}) disagrees with \
         the log's (next seq {log_seq}, head {log_head}): {diagnosis}; refusing to continue"
    )]
    HeadMismatch {
        producer: ProducerId,
        ours_seq: u64,
        ours_head: Hash32,
        log_seq: u64,
        log_head: Hash32,
        /// What the disagreement means, for a person.
        diagnosis: &'static str,
    },
    #[error(
        "producer {producer} signs for log {ours} ({ours_alg} tree hash), but this log is \
         {log} ({log_alg})"
    )]
    WrongLog {
        producer: ProducerId,
        ours: String,
        ours_alg: &'static str,
        log: String,
        log_alg: &'static str,
    },
    #[error("payload is for producer {found}, this producer is {expected}")]
    WrongProducer {
        expected: ProducerId,
        found: ProducerId,
    },
    #[error("the log's published checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Remote(#[from] crate::client::ClientError),
    #[error("the remote log's answer: {0}")]
    RemoteAnswer(String),
    #[error(
        "leaf {leaf_index} (leaf hash {leaf_hash}) is not in the log's checkpoint of size \
         {tree_size}: {reason}"
    )]
    NotIncluded {
        leaf_index: u64,
        leaf_hash: Hash32,
        tree_size: u64,
        reason: String,
    },
}

/// What a head disagreement means (see [`ProducerError::HeadMismatch`]).
fn diagnose(ours_seq: u64, log_seq: u64) -> &'static str {
    match ours_seq.cmp(&log_seq) {
        std::cmp::Ordering::Greater => {
            "the log lacks records this producer appended (records lost, or a log restored \
             from an older backup or another log)"
        }
        std::cmp::Ordering::Less => {
            "the log holds records this producer did not append (another process writing with \
             the same key, or this producer's state restored from an older backup)"
        }
        std::cmp::Ordering::Equal => {
            "same length, different last record (records rewritten, or another process writing \
             with the same key)"
        }
    }
}

/// The producer's durable state.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode, Default)]
#[cbor(map)]
pub struct ProducerHeadState {
    #[n(0)]
    pub next_seq: u64,
    #[n(1)]
    pub head: Hash32,
    /// (seq, leaf hash) of a record handed to the log but not yet acknowledged.
    #[n(2)]
    pub pending: Option<(u64, Hash32)>,
}

/// Data that may be served because its access record is durably logged.
pub struct Logged<T> {
    pub receipt: Receipt,
    data: T,
}

/// Shows the receipt, never the data (which is what the record protects).
impl<T> std::fmt::Debug for Logged<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logged")
            .field("receipt", &self.receipt)
            .finish_non_exhaustive()
    }
}

impl<T> Logged<T> {
    /// The data, released now that the log has acknowledged the record.
    pub fn into_inner(self) -> T {
        self.data
    }
}

/// That leaf `leaf_index` is in the tree of a signed checkpoint: what [`Producer::proof`]
/// returns once a published checkpoint covers a receipt. It verified when it was made;
/// anyone holding the log's key can check it again with [`InclusionProof::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub leaf_index: u64,
    pub leaf_hash: Hash32,
    /// The checkpoint's tree size and root hash.
    pub tree_size: u64,
    pub root: Hash32,
    /// RFC 9162 inclusion proof, bottom up.
    pub hashes: Vec<Hash>,
    /// The signed checkpoint note the proof is against, as published.
    pub checkpoint: Vec<u8>,
}

impl InclusionProof {
    /// Check the proof against its root with the log's tree hash.
    pub fn verify(&self, alg: TreeHashAlg) -> Result<(), TreeError> {
        alg.verify_inclusion(
            self.leaf_index,
            self.tree_size,
            &self.leaf_hash.0,
            &self.hashes,
            &self.root.0,
        )
    }
}

/// A producer bound to a key, a log origin and a state directory.
pub struct Producer {
    id: ProducerId,
    key: SecretKey,
    origin: String,
    alg: TreeHashAlg,
    store: FsStore,
    state_key: String,
    state: ProducerHeadState,
    state_bytes: Option<Vec<u8>>,
    salts: Box<dyn FnMut() -> [u8; SALT_LEN] + Send>,
}

impl std::fmt::Debug for Producer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Producer")
            .field("id", &self.id)
            .field("origin", &self.origin)
            .field("state", &self.state)
            .finish()
    }
}

impl Producer {
    /// Open (or start) the producer `id` whose state lives in `state_dir` (as `<id>.head`),
    /// signing with `key` for the log `origin` whose tree hash is `alg`. `salts` yields
    /// 16-byte salts (a CSPRNG in production; fixed in tests and the demo).
    pub fn open(
        state_dir: &Path,
        id: ProducerId,
        key: SecretKey,
        origin: &str,
        alg: TreeHashAlg,
        salts: Box<dyn FnMut() -> [u8; SALT_LEN] + Send>,
    ) -> Result<Producer, ProducerError> {
        let store = FsStore::open(state_dir)?;
        let state_key = format!("{id}.head");
        let state_bytes = store.get(&state_key)?;
        let state = match &state_bytes {
            Some(b) => cbor::decode_canonical(b).map_err(|e| ProducerError::Corrupt {
                path: store.describe(&state_key),
                reason: e.to_string(),
            })?,
            None => ProducerHeadState {
                next_seq: 0,
                head: Hash32([0; 32]),
                pending: None,
            },
        };
        Ok(Producer {
            id,
            key,
            origin: origin.to_string(),
            alg,
            store,
            state_key,
            state,
            state_bytes,
            salts,
        })
    }

    pub fn id(&self) -> &ProducerId {
        &self.id
    }

    /// The public key the registration authority must have registered for this producer.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    pub fn head(&self) -> &ProducerHeadState {
        &self.state
    }

    fn save(&mut self, state: ProducerHeadState) -> Result<(), ProducerError> {
        let bytes = cbor::to_vec(&state);
        self.store
            .compare_and_swap(&self.state_key, self.state_bytes.as_deref(), &bytes)?;
        self.state = state;
        self.state_bytes = Some(bytes);
        Ok(())
    }

    /// Compare the producer's head with the log's; settle a pending record; refuse on any
    /// disagreement. Call on start; [`Producer::append`] calls it before every append.
    pub fn reconcile(&mut self, log: &Log) -> Result<(), ProducerError> {
        if log.origin() != self.origin || log.alg() != self.alg {
            return Err(ProducerError::WrongLog {
                producer: self.id.clone(),
                ours: self.origin.clone(),
                ours_alg: self.alg.name(),
                log: log.origin().to_string(),
                log_alg: log.alg().name(),
            });
        }
        let (log_seq, log_head) = match log.state().producer(&self.id) {
            Some(h) => (h.next_seq, h.head),
            None => (0, Hash32([0; 32])),
        };
        self.settle(log_seq, log_head)
    }

    /// [`Producer::reconcile`] against the log's head `(log_seq, log_head)`.
    fn settle(&mut self, log_seq: u64, log_head: Hash32) -> Result<(), ProducerError> {
        let ours = (self.state.next_seq, self.state.head);
        if let Some((seq, leaf)) = self.state.pending {
            if (log_seq, log_head) == (seq + 1, leaf) {
                // The append completed; the acknowledgement was lost.
                return self.save(ProducerHeadState {
                    next_seq: seq + 1,
                    head: leaf,
                    pending: None,
                });
            }
            if (log_seq, log_head) == ours {
                // The append never completed.
                return self.save(ProducerHeadState {
                    pending: None,
                    ..self.state.clone()
                });
            }
        } else if (log_seq, log_head) == ours {
            return Ok(());
        }
        Err(ProducerError::HeadMismatch {
            producer: self.id.clone(),
            ours_seq: ours.0,
            ours_head: ours.1,
            log_seq,
            log_head,
            diagnosis: diagnose(ours.0, log_seq),
        })
    }

    /// Set seq and prev from the head, seal with fresh salts and sign.
    fn sign(
        &mut self,
        mut payload: Payload,
        sealed: Vec<(&str, SealedValue)>,
    ) -> Result<SignedRecord, ProducerError> {
        if payload.producer != self.id {
            return Err(ProducerError::WrongProducer {
                expected: self.id.clone(),
                found: payload.producer,
            });
        }
        payload.seq = self.state.next_seq;
        payload.prev = self.state.head;
        let mut b = RecordBuilder::new(payload);
        for (path, value) in sealed {
            let salt = (self.salts)();
            b.seal(path, value, salt)
                .map_err(|source| ProducerError::Seal {
                    path: path.to_string(),
                    source,
                })?;
        }
        Ok(b.sign(&self.key, &self.origin)?)
    }

    /// Reconcile, then seal, sign and append one record; returns when the log has made it
    /// durable. `payload`'s seq and prev are set from the producer's head.
    ///
    /// If the log refuses the record, the head is unchanged. If the append fails otherwise
    /// (storage), the record stays pending and the next [`Producer::reconcile`] settles it.
    pub fn append(
        &mut self,
        log: &mut Log,
        payload: Payload,
        sealed: Vec<(&str, SealedValue)>,
    ) -> Result<Receipt, ProducerError> {
        self.reconcile(log)?;
        let signed = self.sign(payload, sealed)?;
        let leaf = Hash32(self.alg.leaf(&signed.bytes));
        let seq = self.state.next_seq;
        self.save(ProducerHeadState {
            pending: Some((seq, leaf)),
            ..self.state.clone()
        })?;
        let result = log.append(&[AppendItem {
            record: signed.bytes,
            disclosures: signed.disclosures,
        }]);
        let mut receipts = match result {
            Ok(r) => r,
            Err(e @ LogError::Refused { .. }) => {
                // Refused before anything was written: nothing is pending any more.
                self.save(ProducerHeadState {
                    pending: None,
                    ..self.state.clone()
                })?;
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        let receipt = receipts.pop().expect("one receipt per record");
        self.save(ProducerHeadState {
            next_seq: seq + 1,
            head: leaf,
            pending: None,
        })?;
        Ok(receipt)
    }

    /// [`Producer::reconcile`] against a remote log served by `logseal serve`, whose
    /// sequencer tells the producer's head (`GET /head/<producer>`). (The log's origin is not
    /// compared here: a record signed for another origin is refused by the server.)
    pub fn reconcile_remote(&mut self, client: &Client) -> Result<(), ProducerError> {
        let h = client.head(&self.id)?;
        let head = hex::decode(&h.head)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| {
                ProducerError::RemoteAnswer(format!("head {:?} is not a hash", h.head))
            })?;
        self.settle(h.next_seq, Hash32(head))
    }

    /// [`Producer::append`] through a remote log (`POST /add`): reconcile with its head,
    /// seal, sign, keep the record pending durably, send it, and take the receipt as the
    /// new head once the server answers that it is durable. A refusal (4xx: nothing was
    /// appended) drops the pending record; any other failure leaves it pending, and the next
    /// reconcile settles it from the server's head.
    pub fn append_remote(
        &mut self,
        client: &Client,
        payload: Payload,
        sealed: Vec<(&str, SealedValue)>,
    ) -> Result<Receipt, ProducerError> {
        self.reconcile_remote(client)?;
        let signed = self.sign(payload, sealed)?;
        let leaf = Hash32(self.alg.leaf(&signed.bytes));
        let seq = self.state.next_seq;
        self.save(ProducerHeadState {
            pending: Some((seq, leaf)),
            ..self.state.clone()
        })?;
        let item = AppendItem {
            record: signed.bytes,
            disclosures: signed.disclosures,
        };
        let r = match client.add(&item) {
            Ok(r) => r,
            Err(e) if e.status().is_some_and(|s| (400..500).contains(&s)) => {
                self.save(ProducerHeadState {
                    pending: None,
                    ..self.state.clone()
                })?;
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        if r.leaf_hash != leaf.to_string() || r.seq != seq || r.producer != self.id.as_str() {
            return Err(ProducerError::RemoteAnswer(format!(
                "the receipt {r:?} is not for the record sent (seq {seq}, leaf hash {leaf})"
            )));
        }
        self.save(ProducerHeadState {
            next_seq: seq + 1,
            head: leaf,
            pending: None,
        })?;
        Ok(Receipt {
            leaf_index: r.leaf_index,
            leaf_hash: leaf,
            producer: self.id.clone(),
            seq,
        })
    }

    /// "Log before serve": append the access record for `data`, and hand `data` back only
    /// once the record is durable. If logging fails, the data is dropped, never served.
    pub fn log_before_serve<T>(
        &mut self,
        log: &mut Log,
        payload: Payload,
        sealed: Vec<(&str, SealedValue)>,
        data: T,
    ) -> Result<Logged<T>, ProducerError> {
        let receipt = self.append(log, payload, sealed)?;
        Ok(Logged { receipt, data })
    }

    /// The inclusion proof of `receipt`'s record against the log's published checkpoint:
    /// `None` while no published checkpoint covers the leaf yet. The checkpoint's signature
    /// is checked with the log's key and the proof is verified before it is returned; a
    /// proof that does not verify (the log holds another record at that leaf) is an error.
    pub fn proof(log: &Log, receipt: &Receipt) -> Result<Option<InclusionProof>, ProducerError> {
        let reader = log.reader();
        let Some(note) = reader.checkpoint().map_err(LogError::from)? else {
            return Ok(None);
        };
        let no_witnesses: &[(&str, PublicKey)] = &[];
        let cp =
            checkpoint::open_checkpoint(&note, log.origin(), log.log_verifier(), no_witnesses, 0)?
                .checkpoint;
        if receipt.leaf_index >= cp.size {
            return Ok(None);
        }
        let not_included = |reason: String| ProducerError::NotIncluded {
            leaf_index: receipt.leaf_index,
            leaf_hash: receipt.leaf_hash,
            tree_size: cp.size,
            reason,
        };
        let hashes = reader
            .inclusion_proof(cp.size, receipt.leaf_index)
            .map_err(|e| not_included(e.to_string()))?;
        let proof = InclusionProof {
            leaf_index: receipt.leaf_index,
            leaf_hash: receipt.leaf_hash,
            tree_size: cp.size,
            root: Hash32(cp.root),
            hashes,
            checkpoint: note,
        };
        proof
            .verify(log.alg())
            .map_err(|e| not_included(e.to_string()))?;
        Ok(Some(proof))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::log::Refusal;
    use crate::log::fixtures::{envelope, search_access};
    use crate::note::{Ed25519NoteKey, Ed25519NoteVerifier};
    use crate::record::Record;
    use crate::record::kinds::data_access::Action;
    use crate::record::kinds::{Body, KeyRegistration, Kind};
    use crate::record::text::Ident;
    use crate::scenario::{self, AUTHORITY, secret_key};

    const ORIGIN: &str = scenario::ORIGIN;
    const QF: &str = "query-frontend";

    fn pid(s: &str) -> ProducerId {
        ProducerId::new(s).unwrap()
    }

    /// An envelope of seq 0 (the producer sets seq and prev).
    fn payload(producer: &str, body: Body) -> Payload {
        envelope(producer, 0, Hash32([0; 32]), body)
    }

    /// A data access by consultation of a police officer.
    fn query(producer: &str) -> Payload {
        let mut access = search_access();
        access.action = Action::Consult;
        access.legal_basis = Ident::new("nl-sv-126n").unwrap();
        access.actor.role = Ident::new("police-officer").unwrap();
        payload(producer, Body::DataAccess(access))
    }

    fn user(n: u64) -> Vec<(&'static str, SealedValue)> {
        vec![("actor.user", SealedValue::Text(format!("officer-{n}")))]
    }

    /// A fresh SHA-256 log in `dir/log` with the query front-end's key registered.
    fn new_log(dir: &Path) -> Log {
        let log_key = Ed25519NoteKey::new(ORIGIN, secret_key(ORIGIN)).unwrap();
        let ra = Ed25519NoteVerifier::new(AUTHORITY, secret_key(AUTHORITY).public_key())
            .unwrap()
            .to_vkey();
        let mut log = Log::init(
            &dir.join("log"),
            &log_key,
            &ra,
            TreeHashAlg::Sha256,
            1_772_357_000,
        )
        .unwrap();
        let reg = payload(
            AUTHORITY,
            Body::KeyRegistration(KeyRegistration {
                producer: pid(QF),
                public_key: Hash32(*secret_key(QF).public_key().as_bytes()),
                kinds: vec![Kind::DataAccess],
            }),
        );
        let s = RecordBuilder::new(reg)
            .sign(&secret_key(AUTHORITY), ORIGIN)
            .unwrap();
        log.append(&[AppendItem {
            record: s.bytes,
            disclosures: vec![],
        }])
        .unwrap();
        log
    }

    fn salts() -> Box<dyn FnMut() -> [u8; SALT_LEN] + Send> {
        let mut n = 0u8;
        Box::new(move || {
            n = n.wrapping_add(1);
            [n; SALT_LEN]
        })
    }

    fn producer(state: &Path, name: &str) -> Producer {
        Producer::open(
            state,
            pid(name),
            secret_key(name),
            ORIGIN,
            TreeHashAlg::Sha256,
            salts(),
        )
        .unwrap()
    }

    #[track_caller]
    fn mismatch(e: ProducerError) -> (u64, Hash32, u64, Hash32, String) {
        let text = e.to_string();
        match e {
            ProducerError::HeadMismatch {
                ours_seq,
                ours_head,
                log_seq,
                log_head,
                ..
            } => (ours_seq, ours_head, log_seq, log_head, text),
            other => panic!("expected HeadMismatch, got {other}"),
        }
    }

    #[test]
    fn appends_get_consecutive_receipts_and_a_restart_continues() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let state = dir.path().join("state");
        let mut p = producer(&state, QF);
        p.reconcile(&log).unwrap();
        let receipts: Vec<Receipt> = (0..4)
            .map(|i| p.append(&mut log, query(QF), user(i)).unwrap())
            .collect();
        for (i, r) in receipts.iter().enumerate() {
            assert_eq!(r.leaf_index, 1 + i as u64, "after the registration");
            assert_eq!(r.seq, i as u64);
            assert_eq!(r.producer, pid(QF));
            let entry = log.reader().entry(r.leaf_index, log.size()).unwrap();
            assert_eq!(r.leaf_hash.0, TreeHashAlg::Sha256.leaf(&entry));
            let rec = Record::decode(&entry).unwrap();
            let prev = if i == 0 {
                Hash32([0; 32])
            } else {
                receipts[i - 1].leaf_hash
            };
            assert_eq!(
                rec.payload().prev,
                prev,
                "record {i} chains to the one before"
            );
        }
        assert_eq!(
            *p.head(),
            ProducerHeadState {
                next_seq: 4,
                head: receipts[3].leaf_hash,
                pending: None
            }
        );
        // Restart both the producer and the log.
        drop(p);
        drop(log);
        let mut log = Log::open(&dir.path().join("log")).unwrap();
        let mut p = producer(&state, QF);
        assert_eq!(p.head().next_seq, 4);
        p.reconcile(&log).unwrap();
        let r = p.append(&mut log, query(QF), user(9)).unwrap();
        assert_eq!((r.leaf_index, r.seq), (5, 4));
        assert_eq!(log.state().producer(&pid(QF)).unwrap().head, r.leaf_hash);
    }

    #[test]
    fn a_crash_before_the_append_drops_the_pending_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let state = dir.path().join("state");
        let mut p = producer(&state, QF);
        let first = p.append(&mut log, query(QF), user(0)).unwrap();
        // The producer saves the pending record, then dies before the log sees it.
        let signed = p.sign(query(QF), user(1)).unwrap();
        let leaf = Hash32(TreeHashAlg::Sha256.leaf(&signed.bytes));
        p.save(ProducerHeadState {
            pending: Some((1, leaf)),
            ..p.head().clone()
        })
        .unwrap();
        drop(p);
        let mut p = producer(&state, QF);
        assert_eq!(p.head().pending, Some((1, leaf)));
        p.reconcile(&log).unwrap();
        assert_eq!(
            *p.head(),
            ProducerHeadState {
                next_seq: 1,
                head: first.leaf_hash,
                pending: None
            }
        );
        let r = p.append(&mut log, query(QF), user(2)).unwrap();
        assert_eq!(
            (r.seq, r.leaf_index),
            (1, 2),
            "seq 1 is reused, not skipped"
        );
    }

    #[test]
    fn a_crash_after_the_append_adopts_the_pending_record() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let state = dir.path().join("state");
        let mut p = producer(&state, QF);
        p.append(&mut log, query(QF), user(0)).unwrap();
        // The log makes the record durable; the producer dies before clearing pending.
        let signed = p.sign(query(QF), user(1)).unwrap();
        let leaf = Hash32(TreeHashAlg::Sha256.leaf(&signed.bytes));
        p.save(ProducerHeadState {
            pending: Some((1, leaf)),
            ..p.head().clone()
        })
        .unwrap();
        log.append(&[AppendItem {
            record: signed.bytes,
            disclosures: signed.disclosures,
        }])
        .unwrap();
        drop(p);
        let mut p = producer(&state, QF);
        p.reconcile(&log).unwrap();
        assert_eq!(
            *p.head(),
            ProducerHeadState {
                next_seq: 2,
                head: leaf,
                pending: None
            }
        );
        let r = p.append(&mut log, query(QF), user(2)).unwrap();
        assert_eq!((r.seq, r.leaf_index), (2, 3));
    }

    #[test]
    fn records_appended_by_another_writer_with_the_same_key_are_a_head_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let state = dir.path().join("state");
        let mut p = producer(&state, QF);
        let ours = p.append(&mut log, query(QF), user(0)).unwrap();
        // Another process with the same key and its own copy of the state appends seq 1.
        let mut other = producer(&dir.path().join("other-state"), QF);
        other
            .save(ProducerHeadState {
                next_seq: 1,
                head: ours.leaf_hash,
                pending: None,
            })
            .unwrap();
        let theirs = other.append(&mut log, query(QF), user(7)).unwrap();
        let (os, oh, ls, lh, text) = mismatch(p.reconcile(&log).unwrap_err());
        assert_eq!((os, oh, ls, lh), (1, ours.leaf_hash, 2, theirs.leaf_hash));
        assert!(text.contains(&ours.leaf_hash.to_string()), "{text}");
        assert!(text.contains(&theirs.leaf_hash.to_string()), "{text}");
        assert!(text.contains("did not append"), "{text}");
        // Appending reconciles first, so it refuses too, and the log is unchanged.
        let size = log.size();
        let e = p.append(&mut log, query(QF), user(1)).unwrap_err();
        mismatch(e);
        assert_eq!(log.size(), size);
        assert_eq!(p.head().pending, None);
    }

    #[test]
    fn another_log_or_a_lost_record_is_a_head_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let state = dir.path().join("state");
        let mut p = producer(&state, QF);
        let r0 = p.append(&mut log, query(QF), user(0)).unwrap();
        let r1 = p.append(&mut log, query(QF), user(1)).unwrap();
        // A log of the same origin and keys that never saw these records.
        let other_dir = tempfile::tempdir().unwrap();
        let other = new_log(other_dir.path());
        let (os, oh, ls, lh, text) = mismatch(p.reconcile(&other).unwrap_err());
        assert_eq!((os, oh, ls, lh), (2, r1.leaf_hash, 0, Hash32([0; 32])));
        assert!(text.contains("lacks records"), "{text}");
        // The same length with another last record: rewritten.
        let mut q = producer(&dir.path().join("q"), QF);
        q.save(ProducerHeadState {
            next_seq: 2,
            head: r0.leaf_hash,
            pending: None,
        })
        .unwrap();
        let (_, oh, _, lh, text) = mismatch(q.reconcile(&log).unwrap_err());
        assert_eq!((oh, lh), (r0.leaf_hash, r1.leaf_hash));
        assert!(text.contains("rewritten"), "{text}");
        // A pending record that is neither the log's head nor after it settles nothing.
        q.save(ProducerHeadState {
            next_seq: 1,
            head: r0.leaf_hash,
            pending: Some((1, Hash32([9; 32]))),
        })
        .unwrap();
        mismatch(q.reconcile(&log).unwrap_err());
        assert_eq!(
            q.head().pending,
            Some((1, Hash32([9; 32]))),
            "kept for a person"
        );
    }

    #[test]
    fn a_log_of_another_origin_or_tree_hash_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let log = new_log(dir.path());
        for (origin, alg) in [
            ("other.example/log", TreeHashAlg::Sha256),
            ("demo.logseal.example/log/blake3", TreeHashAlg::Blake3),
        ] {
            let mut p = Producer::open(
                &dir.path().join("state"),
                pid(QF),
                secret_key(QF),
                origin,
                alg,
                salts(),
            )
            .unwrap();
            let e = p.reconcile(&log).unwrap_err();
            assert!(matches!(e, ProducerError::WrongLog { .. }), "{e}");
            assert!(e.to_string().contains(ORIGIN), "{e}");
        }
    }

    #[test]
    fn a_payload_of_another_producer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let mut p = producer(&dir.path().join("state"), QF);
        let e = p
            .append(&mut log, query("upload-gateway"), user(0))
            .unwrap_err();
        assert!(matches!(e, ProducerError::WrongProducer { .. }), "{e}");
        assert_eq!(log.size(), 1);
    }

    /// Counts how often it is dropped.
    struct Secret(Arc<AtomicUsize>);

    impl Drop for Secret {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn log_before_serve_releases_data_only_after_a_durable_append() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let drops = Arc::new(AtomicUsize::new(0));
        let mut p = producer(&dir.path().join("state"), QF);
        let logged = p
            .log_before_serve(&mut log, query(QF), user(0), Secret(drops.clone()))
            .unwrap();
        // Durable: a fresh reader of the directory sees the record at the receipt's leaf.
        let ro = Log::open_read_only(&dir.path().join("log")).unwrap();
        let entry = ro
            .reader()
            .entry(logged.receipt.leaf_index, ro.size())
            .unwrap();
        assert_eq!(
            Hash32(TreeHashAlg::Sha256.leaf(&entry)),
            logged.receipt.leaf_hash
        );
        let data = logged.into_inner();
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(data);
        assert_eq!(drops.load(Ordering::SeqCst), 1);

        // A producer whose key the authority never registered: the log refuses, the data is
        // dropped unserved, and nothing stays pending.
        let mut rogue = producer(&dir.path().join("state"), "upload-gateway");
        let size = log.size();
        let e = rogue
            .log_before_serve(
                &mut log,
                query("upload-gateway"),
                user(1),
                Secret(drops.clone()),
            )
            .unwrap_err();
        assert!(
            matches!(
                e,
                ProducerError::Log(LogError::Refused {
                    refusal: Refusal::UnregisteredKey { .. },
                    ..
                })
            ),
            "{e}"
        );
        assert_eq!(drops.load(Ordering::SeqCst), 2, "the data was dropped");
        assert_eq!(log.size(), size);
        assert_eq!(*rogue.head(), ProducerHeadState::default());
    }

    #[test]
    fn a_receipt_gets_its_inclusion_proof_once_a_checkpoint_covers_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = new_log(dir.path());
        let mut p = producer(&dir.path().join("state"), QF);
        let receipts: Vec<Receipt> = (0..5)
            .map(|i| p.append(&mut log, query(QF), user(i)).unwrap())
            .collect();
        // Only the empty tree's checkpoint is published so far.
        assert_eq!(Producer::proof(&log, &receipts[0]).unwrap(), None);
        let note = log.checkpoint(1_772_358_000).unwrap();
        let late = p.append(&mut log, query(QF), user(5)).unwrap();
        assert_eq!(
            Producer::proof(&log, &late).unwrap(),
            None,
            "after the checkpoint"
        );
        let cp = checkpoint::open_checkpoint::<&str>(&note, ORIGIN, log.log_verifier(), &[], 0)
            .unwrap()
            .checkpoint;
        assert_eq!(cp.size, 6);
        for r in &receipts {
            let proof = Producer::proof(&log, r).unwrap().expect("covered");
            assert_eq!((proof.leaf_index, proof.tree_size), (r.leaf_index, 6));
            assert_eq!(proof.checkpoint, note);
            TreeHashAlg::Sha256
                .verify_inclusion(
                    r.leaf_index,
                    cp.size,
                    &r.leaf_hash.0,
                    &proof.hashes,
                    &cp.root,
                )
                .unwrap();
            // The proof is for this leaf only.
            let other = Hash32(TreeHashAlg::Sha256.leaf(b"another record"));
            assert!(
                TreeHashAlg::Sha256
                    .verify_inclusion(r.leaf_index, cp.size, &other.0, &proof.hashes, &cp.root)
                    .is_err()
            );
        }
        // A receipt whose leaf hash is not the log's record at that index.
        let forged = Receipt {
            leaf_hash: receipts[1].leaf_hash,
            ..receipts[2].clone()
        };
        let e = Producer::proof(&log, &forged).unwrap_err();
        assert!(
            matches!(e, ProducerError::NotIncluded { leaf_index: 3, .. }),
            "{e}"
        );
        log.checkpoint(1_772_358_060).unwrap();
        let proof = Producer::proof(&log, &late).unwrap().expect("covered now");
        proof.verify(TreeHashAlg::Sha256).unwrap();
        assert_eq!(proof.tree_size, 7);
    }
}
