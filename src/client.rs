//! A blocking client for `logseal serve` (docs/SERVE.md): the C2SP tlog-tiles read API
//! (checkpoint, tiles, entry bundles), `POST /add`, `POST /checkpoint` and the proof
//! endpoints. Plain HTTP: TLS is a reverse proxy's job on the server side, and this client
//! is built without TLS support (a remote log behind TLS needs the `ureq` TLS feature).
//!
//! Nothing read here is trusted: checkpoints are signed notes to open with the log's key,
//! tiles and proofs are checked against them by the caller (as `verify` does).

use std::time::Duration;

use crate::log::AppendItem;
use crate::record::text::ProducerId;
use crate::serve::body::encode_add;
use crate::serve::{AddReceipt, ConsistencyProof, InclusionProof, ProducerHead};
use crate::tiles::{EntryBundleId, TileId};

/// Largest response read (a full entry bundle of the largest records fits).
const MAX_RESPONSE: u64 = 64 << 20;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with an error status; `message` is its body (the refusal).
    #[error("{url}: HTTP {status}: {message}")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
    #[error("{url}: the answer does not parse: {reason}")]
    Answer { url: String, reason: String },
}

impl ClientError {
    /// The HTTP status, when the server answered with one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A client of one log server.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

impl Client {
    /// A client of the server at `base` (`http://127.0.0.1:8080`, or with a path prefix),
    /// each request bounded by `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build();
        Client {
            base: base.trim_end_matches('/').to_string(),
            agent: config.into(),
        }
    }

    /// The latest checkpoint (a signed note).
    pub fn checkpoint(&self) -> Result<Vec<u8>, ClientError> {
        self.get("checkpoint")
    }

    /// A hash tile.
    pub fn tile(&self, tile: TileId) -> Result<Vec<u8>, ClientError> {
        self.get(&tile.path())
    }

    /// An entry bundle.
    pub fn entries(&self, bundle: EntryBundleId) -> Result<Vec<u8>, ClientError> {
        self.get(&bundle.path())
    }

    /// Append a record; returns its receipt once the server has made it durable.
    pub fn add(&self, item: &AppendItem) -> Result<AddReceipt, ClientError> {
        let url = self.url("add");
        let answer = self
            .agent
            .post(&url)
            .header("content-type", "application/cbor")
            .send(&encode_add(item)[..]);
        json(&url, self.read(&url, answer)?)
    }

    /// Ask the server to publish a checkpoint of its current size; returns it.
    pub fn publish_checkpoint(&self) -> Result<Vec<u8>, ClientError> {
        let url = self.url("checkpoint");
        let answer = self.agent.post(&url).send_empty();
        self.read(&url, answer)
    }

    /// The inclusion proof of leaf `index` against the latest checkpoint, or the published
    /// one of `size`.
    pub fn inclusion(&self, index: u64, size: Option<u64>) -> Result<InclusionProof, ClientError> {
        let mut q = format!("proof/inclusion?index={index}");
        if let Some(s) = size {
            q.push_str(&format!("&size={s}"));
        }
        let url = self.url(&q);
        json(&url, self.get(&q)?)
    }

    /// The consistency proof from size `old` to the latest checkpoint, or the published one
    /// of `new`.
    pub fn consistency(&self, old: u64, new: Option<u64>) -> Result<ConsistencyProof, ClientError> {
        let mut q = format!("proof/consistency?old={old}");
        if let Some(n) = new {
            q.push_str(&format!("&new={n}"));
        }
        let url = self.url(&q);
        json(&url, self.get(&q)?)
    }

    /// `producer`'s chain head as the server's sequencer holds it.
    pub fn head(&self, producer: &ProducerId) -> Result<ProducerHead, ClientError> {
        let rel = format!("head/{producer}");
        let url = self.url(&rel);
        json(&url, self.get(&rel)?)
    }

    fn url(&self, rel: &str) -> String {
        format!("{}/{rel}", self.base)
    }

    fn get(&self, rel: &str) -> Result<Vec<u8>, ClientError> {
        let url = self.url(rel);
        let answer = self.agent.get(&url).call();
        self.read(&url, answer)
    }

    fn read(
        &self,
        url: &str,
        answer: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Vec<u8>, ClientError> {
        let transport = |e: ureq::Error| ClientError::Transport {
            url: url.to_string(),
            reason: e.to_string(),
        };
        let mut answer = answer.map_err(transport)?;
        let status = answer.status().as_u16();
        let body = answer
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(transport)?;
        if status != 200 {
            return Err(ClientError::Status {
                url: url.to_string(),
                status,
                message: String::from_utf8_lossy(&body).trim_end().to_string(),
            });
        }
        Ok(body)
    }
}

fn json<T: serde::de::DeserializeOwned>(url: &str, body: Vec<u8>) -> Result<T, ClientError> {
    serde_json::from_slice(&body).map_err(|e| ClientError::Answer {
        url: url.to_string(),
        reason: e.to_string(),
    })
}
