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
use crate::serve::sweep::{SweepCommit, SweepOutcome, SweepPlan, SweepRequest};
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

    /// `POST add-checkpoint` to a C2SP tlog-witness at this base URL (its submission
    /// prefix): the status and body, whatever the status (the caller reads 409's size).
    pub fn add_checkpoint(&self, body: &[u8]) -> Result<(u16, Vec<u8>), ClientError> {
        let url = self.url("add-checkpoint");
        let transport = |e: ureq::Error| ClientError::Transport {
            url: url.clone(),
            reason: e.to_string(),
        };
        let mut answer = self.agent.post(&url).send(body).map_err(transport)?;
        let status = answer.status().as_u16();
        let body = answer
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(transport)?;
        Ok((status, body))
    }

    /// GET an object of the log's public part by its key (`tile/0/000`, `checkpoints/…`),
    /// reading at most `max` bytes: `None` on 404.
    pub fn get_object(&self, key: &str, max: u64) -> Result<Option<Vec<u8>>, ClientError> {
        let url = self.url(key);
        let transport = |e: ureq::Error| ClientError::Transport {
            url: url.clone(),
            reason: e.to_string(),
        };
        let mut answer = self.agent.get(&url).call().map_err(transport)?;
        let status = answer.status().as_u16();
        if status == 404 {
            return Ok(None);
        }
        let body = answer
            .body_mut()
            .with_config()
            .limit(max.saturating_add(1))
            .read_to_vec()
            .map_err(transport)?;
        if status != 200 {
            return Err(ClientError::Status {
                url: url.clone(),
                status,
                message: String::from_utf8_lossy(&body).trim_end().to_string(),
            });
        }
        Ok(Some(body))
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
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

    /// `POST /sweep/plan`: the unsigned retention-deletion records of the sweep `request`
    /// asks for, on the log as the server holds it.
    pub fn sweep_plan(&self, request: &SweepRequest) -> Result<SweepPlan, ClientError> {
        self.post_json("sweep/plan", request)
    }

    /// `POST /sweep/commit`: carry out a planned sweep with its records signed; the answer
    /// once the erasure is durable and a checkpoint covers its records.
    pub fn sweep_commit(&self, commit: &SweepCommit) -> Result<SweepOutcome, ClientError> {
        self.post_json("sweep/commit", commit)
    }

    fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        rel: &str,
        body: &impl serde::Serialize,
    ) -> Result<T, ClientError> {
        let url = self.url(rel);
        let body = serde_json::to_vec(body).expect("requests serialise");
        let answer = self
            .agent
            .post(&url)
            .header("content-type", "application/json")
            .send(&body[..]);
        json(&url, self.read(&url, answer)?)
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

/// What one witness of a policy did with a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessOutcome {
    pub url: String,
    pub name: String,
    /// `Ok(n)`: n valid cosignatures; `Err`: why none (down, refused, conflict unresolved).
    pub result: Result<usize, String>,
}

/// Ask every witness of `policy` to cosign the signed checkpoint `note` (C2SP tlog-witness):
/// first from the size it last cosigned as far as `sizes` remembers (0 when unknown), and
/// once more from the size a 409 names, with a consistency proof from `proofs`. Returns the
/// valid cosignatures (each checked against the witness's key in the policy; anything else in
/// an answer is ignored) and what each witness did. `sizes` is updated with the sizes learnt.
pub fn collect_cosignatures(
    policy: &crate::serve::witness::WitnessPolicy,
    note: &[u8],
    proofs: &dyn Fn(u64) -> Option<Vec<crate::tree::Hash>>,
    sizes: &mut std::collections::BTreeMap<String, u64>,
    timeout: Duration,
) -> (Vec<crate::note::NoteSignature>, Vec<WitnessOutcome>) {
    use crate::serve::witness::{AddCheckpoint, WitnessReply, read_answer};
    let mut sigs = Vec::new();
    let mut outcomes = Vec::new();
    let text = match crate::note::parse_note(note) {
        Ok(n) => n.text,
        Err(_) => return (sigs, outcomes),
    };
    for w in &policy.witnesses {
        let client = Client::new(&w.url, timeout);
        let mut old = sizes.get(&w.url).copied().unwrap_or(0);
        let mut result = Err("no answer".to_string());
        for _attempt in 0..2 {
            let proof = if old == 0 {
                Some(Vec::new())
            } else {
                proofs(old)
            };
            let Some(proof) = proof else {
                result = Err(format!(
                    "the witness holds size {old}, from which this log has no consistency proof"
                ));
                break;
            };
            let req = AddCheckpoint {
                old_size: old,
                proof,
                checkpoint: note.to_vec(),
            };
            let (status, body) = match client.add_checkpoint(&req.to_body()) {
                Ok(a) => a,
                Err(e) => {
                    result = Err(format!("unreachable: {e}"));
                    break;
                }
            };
            match read_answer(status, &body, &text, &w.name, &w.key) {
                WitnessReply::Cosigned(v) => {
                    result = Ok(v.len());
                    sigs.extend(v);
                    break;
                }
                WitnessReply::Conflict(size) if size != old => {
                    sizes.insert(w.url.clone(), size);
                    old = size;
                    result = Err(format!("the witness holds size {size}"));
                }
                WitnessReply::Conflict(size) => {
                    result = Err(format!(
                        "refused (409): the witness cosigned another tree of size {size}"
                    ));
                    break;
                }
                WitnessReply::Refused(s, m) => {
                    result = Err(format!("refused ({s}): {m}"));
                    break;
                }
            }
        }
        if result.is_ok()
            && let Ok(cp) = crate::checkpoint::Checkpoint::parse(&text)
        {
            sizes.insert(w.url.clone(), cp.size);
        }
        outcomes.push(WitnessOutcome {
            url: w.url.clone(),
            name: w.name.clone(),
            result,
        });
    }
    (sigs, outcomes)
}

/// Ask the RFC 3161 time-stamping authority at `url` to stamp: `POST` the DER
/// `TimeStampReq` as `application/timestamp-query` (RFC 3161 §3.4), and return the body of a
/// `200` answer of type `application/timestamp-reply` (at most
/// [`crate::timestamp::MAX_RESPONSE_SIZE`] bytes), unverified: the caller verifies it
/// ([`crate::timestamp::verify_response`]) before keeping it.
pub fn request_timestamp(
    url: &str,
    request: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, ClientError> {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build();
    let agent: ureq::Agent = config.into();
    let transport = |e: ureq::Error| ClientError::Transport {
        url: url.to_string(),
        reason: e.to_string(),
    };
    let mut answer = agent
        .post(url)
        .header("Content-Type", "application/timestamp-query")
        .send(request)
        .map_err(transport)?;
    let status = answer.status().as_u16();
    let kind = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let max = crate::timestamp::MAX_RESPONSE_SIZE as u64;
    let body = answer
        .body_mut()
        .with_config()
        .limit(max)
        .read_to_vec()
        .map_err(transport)?;
    if status != 200 {
        return Err(ClientError::Status {
            url: url.to_string(),
            status,
            message: String::from_utf8_lossy(&body).trim_end().to_string(),
        });
    }
    if !kind.eq_ignore_ascii_case("application/timestamp-reply") {
        return Err(ClientError::Answer {
            url: url.to_string(),
            reason: format!("content type {kind:?}, not application/timestamp-reply"),
        });
    }
    Ok(body)
}
