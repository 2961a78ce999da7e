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
//! other state is a [`ProducerError::HeadMismatch`].

use std::path::Path;

use minicbor::{Decode, Encode};

use crate::cbor;
use crate::crypto::SecretKey;
use crate::log::{AppendItem, Log, LogError, Receipt};
use crate::record::sealed::SALT_LEN;
use crate::record::text::ProducerId;
use crate::record::types::Hash32;
use crate::record::{Payload, RecordBuilder, RecordError, SealError, SealedValue};
use crate::store::{FsStore, ObjectStore, StoreError};
use crate::tree::TreeHashAlg;

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
         the log's (next seq {log_seq}, head {log_head}): records were lost or rewritten between \
         producer and log; refusing to continue"
    )]
    HeadMismatch {
        producer: ProducerId,
        ours_seq: u64,
        ours_head: Hash32,
        log_seq: u64,
        log_head: Hash32,
    },
    #[error("payload is for producer {found}, this producer is {expected}")]
    WrongProducer {
        expected: ProducerId,
        found: ProducerId,
    },
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
#[derive(Debug)]
pub struct Logged<T> {
    pub receipt: Receipt,
    data: T,
}

impl<T> Logged<T> {
    /// The data, released now that the log has acknowledged the record.
    pub fn into_inner(self) -> T {
        self.data
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
            .field("state", &self.state)
            .finish()
    }
}

impl Producer {
    /// Open (or start) the producer `id` whose state lives in `state_dir`. `salts` yields
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
    /// disagreement. Call on start, before appending.
    pub fn reconcile(&mut self, log: &Log) -> Result<(), ProducerError> {
        let (log_seq, log_head) = match log.state().producer(&self.id) {
            Some(h) => (h.next_seq, h.head),
            None => (0, Hash32([0; 32])),
        };
        let ours = (self.state.next_seq, self.state.head);
        if let Some((seq, leaf)) = self.state.pending {
            if (log_seq, log_head) == (seq + 1, leaf) {
                return self.save(ProducerHeadState {
                    next_seq: seq + 1,
                    head: leaf,
                    pending: None,
                });
            }
            if (log_seq, log_head) == ours {
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
        })
    }

    /// Seal, sign and append one record; returns when the log has made it durable.
    /// `payload`'s seq and prev are set from the producer's head.
    pub fn append(
        &mut self,
        log: &mut Log,
        mut payload: Payload,
        sealed: Vec<(&str, SealedValue)>,
    ) -> Result<Receipt, ProducerError> {
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
        let signed = b.sign(&self.key, &self.origin)?;
        let leaf = Hash32(self.alg.leaf(&signed.bytes));
        let seq = self.state.next_seq;
        self.save(ProducerHeadState {
            pending: Some((seq, leaf)),
            ..self.state.clone()
        })?;
        let mut receipts = log.append(&[AppendItem {
            record: signed.bytes,
            disclosures: signed.disclosures,
        }])?;
        let receipt = receipts.pop().expect("one receipt per record");
        self.save(ProducerHeadState {
            next_seq: seq + 1,
            head: leaf,
            pending: None,
        })?;
        Ok(receipt)
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
}
