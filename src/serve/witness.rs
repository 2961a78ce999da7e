//! The C2SP tlog-witness protocol (`POST <prefix>/add-checkpoint`), both sides, pure: the
//! request body ([`AddCheckpoint`]: an `old N` line, at most 63 base64 consistency-proof
//! lines, an empty line, the signed checkpoint), the witness's decision over its state
//! ([`add_checkpoint`], built on [`crate::verify::witness::cosign_checkpoint`]) mapped to the
//! spec's status codes, and the client's reading of an answer ([`read_answer`]).
//!
//! The witness side (`logseal witness serve`, src/commands/witness_serve.rs) holds the state
//! under a lock and stores the advanced state durably before it answers; the log side
//! (`logseal checkpoint --witnesses`) asks each witness of its policy before it publishes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::checkpoint::Checkpoint;
use crate::crypto::PublicKey;
use crate::note::{self, Ed25519NoteVerifier, NoteSignature, NoteVerifier};
use crate::tree::{Hash, TreeHashAlg};
use crate::verify::witness::{
    WitnessError, WitnessKey, WitnessState, cosign_checkpoint, open_for_witness,
};

/// The spec's bound on consistency-proof lines.
pub const MAX_PROOF_LINES: usize = 63;
/// The largest `add-checkpoint` body accepted (a checkpoint note is at most 1 MiB; the proof
/// lines add little).
pub const MAX_BODY: usize = note::MAX_NOTE_SIZE + 64 * 64 + 64;
/// The content type of a 409 answer's body (the witness's size).
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// One `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    pub old_size: u64,
    pub proof: Vec<Hash>,
    /// The signed checkpoint (a note), as sent.
    pub checkpoint: Vec<u8>,
}

impl AddCheckpoint {
    /// The request body.
    pub fn to_body(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size).into_bytes();
        for h in &self.proof {
            out.extend_from_slice(STANDARD.encode(h).as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
        out.extend_from_slice(&self.checkpoint);
        out
    }

    /// Parse a request body; the error names the line.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, String> {
        if body.len() > MAX_BODY {
            return Err(format!("body of {} bytes exceeds {MAX_BODY}", body.len()));
        }
        let mut rest = body;
        let mut line_no = 0usize;
        let mut next_line = |rest: &mut &[u8]| -> Result<String, String> {
            line_no += 1;
            let end = rest
                .iter()
                .position(|&b| b == b'\n')
                .ok_or_else(|| format!("line {line_no}: not terminated by a newline"))?;
            let line = std::str::from_utf8(&rest[..end])
                .map_err(|_| format!("line {line_no}: not UTF-8"))?
                .to_string();
            *rest = &rest[end + 1..];
            Ok(line)
        };
        let first = next_line(&mut rest)?;
        let size = first
            .strip_prefix("old ")
            .ok_or_else(|| format!("line 1: {first:?} is not `old <size>`"))?;
        let old_size = parse_decimal(size).ok_or_else(|| {
            format!("line 1: {size:?} is not a decimal size without leading zeroes")
        })?;
        let mut proof = Vec::new();
        loop {
            let line = next_line(&mut rest)?;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(format!(
                    "more than {MAX_PROOF_LINES} consistency proof lines"
                ));
            }
            let bytes = STANDARD
                .decode(line.as_bytes())
                .ok()
                .and_then(|b| Hash::try_from(b).ok())
                .ok_or_else(|| format!("line {}: not a base64 32-byte hash", proof.len() + 2))?;
            proof.push(bytes);
        }
        if rest.is_empty() {
            return Err("no checkpoint after the empty line".into());
        }
        Ok(AddCheckpoint {
            old_size,
            proof,
            checkpoint: rest.to_vec(),
        })
    }
}

/// ASCII decimal, no leading zeroes (but `0`), no sign.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// A log the witness serves: its verifier key (named after its origin) and tree hash.
#[derive(Debug, Clone)]
pub struct ServedLog {
    pub verifier: Ed25519NoteVerifier,
    pub alg: TreeHashAlg,
}

/// The witnesses a log asks before it publishes a checkpoint (`--witnesses FILE`, JSON):
/// `{"witnesses": [{"url": "http://…", "vkey": "<cosigner vkey>"}], "quorum": 2}`.
#[derive(Debug, Clone)]
pub struct WitnessPolicy {
    pub witnesses: Vec<PolicyWitness>,
    /// How many must cosign for the checkpoint to count as witnessed (the log publishes it
    /// either way, and says so).
    pub quorum: usize,
}

/// One witness of a [`WitnessPolicy`].
#[derive(Debug, Clone)]
pub struct PolicyWitness {
    /// Its submission prefix (`add-checkpoint` is appended).
    pub url: String,
    pub name: String,
    pub key: PublicKey,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    witnesses: Vec<PolicyFileWitness>,
    quorum: usize,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFileWitness {
    url: String,
    vkey: String,
}

impl WitnessPolicy {
    /// Parse the policy file; the error names the member.
    pub fn from_json(bytes: &[u8]) -> Result<WitnessPolicy, String> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        let f: PolicyFile = serde_path_to_error::deserialize(de)
            .map_err(|e| format!("{}: {}", e.path(), e.inner()))?;
        let mut witnesses = Vec::new();
        for (i, w) in f.witnesses.iter().enumerate() {
            if !(w.url.starts_with("http://") || w.url.starts_with("https://")) {
                return Err(format!(
                    "witnesses[{i}].url: {:?} is not an http(s) URL",
                    w.url
                ));
            }
            let v = crate::checkpoint::CosignatureVerifier::from_vkey(&w.vkey)
                .map_err(|e| format!("witnesses[{i}].vkey: {e}"))?;
            if witnesses.iter().any(|o: &PolicyWitness| o.name == v.name()) {
                return Err(format!(
                    "witnesses[{i}]: witness {:?} is listed twice",
                    v.name()
                ));
            }
            witnesses.push(PolicyWitness {
                url: w.url.trim_end_matches('/').to_string(),
                name: v.name().to_string(),
                key: *v.public_key(),
            });
        }
        if f.quorum > witnesses.len() {
            return Err(format!(
                "quorum: {} is more than the {} witnesses listed",
                f.quorum,
                witnesses.len()
            ));
        }
        Ok(WitnessPolicy {
            witnesses,
            quorum: f.quorum,
        })
    }
}

/// What the witness answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// 200: the cosignature line(s), and the state to store before answering.
    Cosigned {
        lines: String,
        state: WitnessState,
        origin: String,
        size: u64,
        first_use: bool,
    },
    /// A refusal: the status, its body, and — when the refusal is evidence against the log —
    /// the last cosigned checkpoint, to keep with the refused one.
    Refused {
        status: u16,
        content_type: &'static str,
        body: String,
        origin: Option<String>,
        evidence: Option<String>,
    },
}

fn refused(status: u16, body: String, origin: Option<&str>) -> Answer {
    Answer::Refused {
        status,
        content_type: "text/plain; charset=utf-8",
        body: format!("{body}\n"),
        origin: origin.map(str::to_string),
        evidence: None,
    }
}

fn conflict(size: u64, origin: &str, evidence: Option<String>) -> Answer {
    Answer::Refused {
        status: 409,
        content_type: SIZE_CONTENT_TYPE,
        body: format!("{size}\n"),
        origin: Some(origin.to_string()),
        evidence,
    }
}

/// The witness's decision on one request, in the order the spec gives: 400 malformed, 404
/// unknown origin, 403 no valid signature by the log's key, 400 old size above the
/// checkpoint's, 409 old size not the witness's (body: its size), 422 proof that does not
/// verify, 409 same size with another root; else the timestamped cosignature at `now_secs`.
pub fn add_checkpoint(
    state: &WitnessState,
    logs: &[ServedLog],
    body: &[u8],
    key: &WitnessKey<'_>,
    now_secs: u64,
) -> Answer {
    let req = match AddCheckpoint::parse(body) {
        Ok(r) => r,
        Err(e) => return refused(400, format!("malformed add-checkpoint request: {e}"), None),
    };
    let parsed = note::parse_note(&req.checkpoint)
        .map_err(|e| e.to_string())
        .and_then(|n| Checkpoint::parse(&n.text).map_err(|e| e.to_string()));
    let cp = match parsed {
        Ok(cp) => cp,
        Err(e) => return refused(403, format!("the checkpoint is malformed: {e}"), None),
    };
    let origin = cp.origin.as_str();
    let Some(log) = logs.iter().find(|l| l.verifier.name() == origin) else {
        return refused(
            404,
            format!("this witness does not witness {origin:?}"),
            None,
        );
    };
    // A logseal log's checkpoint by logseal's rules, a foreign C2SP log's by C2SP's.
    if let Err(e) = open_for_witness(&req.checkpoint, &log.verifier, now_secs) {
        return refused(
            403,
            format!("not signed by the log's key: {e}"),
            Some(origin),
        );
    }
    if req.old_size > cp.size {
        return refused(
            400,
            format!(
                "old size {} is above the checkpoint's size {}",
                req.old_size, cp.size
            ),
            Some(origin),
        );
    }
    let witness_size = state.log(origin).map_or(0, |l| l.size);
    if req.old_size != witness_size {
        return conflict(witness_size, origin, None);
    }
    if req.old_size == 0 && !req.proof.is_empty() {
        return refused(
            422,
            "a proof from size 0 must be empty".into(),
            Some(origin),
        );
    }
    match cosign_checkpoint(
        state,
        &req.checkpoint,
        &log.verifier,
        log.alg,
        Some(&req.proof),
        key,
        now_secs,
    ) {
        Ok(done) => Answer::Cosigned {
            lines: last_signature_line(&done.checkpoint),
            state: done.state,
            origin: origin.to_string(),
            size: done.size,
            first_use: done.first_use,
        },
        Err(e) => refusal(e, origin, witness_size),
    }
}

fn refusal(e: WitnessError, origin: &str, witness_size: u64) -> Answer {
    let evidence = e.evidence().map(str::to_string);
    match e {
        WitnessError::Forked { .. } | WitnessError::Older { .. } => {
            conflict(witness_size, origin, evidence)
        }
        WitnessError::Inconsistent { .. } | WitnessError::ProofMissing { .. } => Answer::Refused {
            status: 422,
            content_type: "text/plain; charset=utf-8",
            body: format!("{e}\n"),
            origin: Some(origin.to_string()),
            evidence,
        },
        WitnessError::Signature { .. } | WitnessError::Cosign(_) | WitnessError::Foreign { .. } => {
            refused(403, e.to_string(), Some(origin))
        }
        other => refused(500, other.to_string(), Some(origin)),
    }
}

/// The last signature line of a note (the one cosign_checkpoint appended), with its newline.
fn last_signature_line(note: &[u8]) -> String {
    let text = String::from_utf8_lossy(note);
    let trimmed = text.trim_end_matches('\n');
    let line = trimmed.rsplit('\n').next().unwrap_or_default();
    format!("{line}\n")
}

/// How a witness answered, read by the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WitnessReply {
    /// 200: the cosignatures by the expected witness key found in the body.
    Cosigned(Vec<NoteSignature>),
    /// 409 with a size: the witness holds another size; ask again from it.
    Conflict(u64),
    /// Any other answer: the status and the body's first line.
    Refused(u16, String),
}

/// Read a witness's answer to `checkpoint_body` (the note text): on 200, keep the lines that
/// are valid cosignatures by (`name`, `key`) (others are ignored, as the spec says); none
/// valid is a refusal.
pub fn read_answer(
    status: u16,
    body: &[u8],
    checkpoint_body: &str,
    name: &str,
    key: &PublicKey,
) -> WitnessReply {
    let text = String::from_utf8_lossy(body);
    match status {
        200 => {
            let mut good = Vec::new();
            for line in text.lines().filter(|l| !l.is_empty()) {
                let Ok(sig) = NoteSignature::parse(line) else {
                    continue;
                };
                if crate::checkpoint::verify_cosignature(checkpoint_body, &sig, name, key).is_ok() {
                    good.push(sig);
                }
            }
            if good.is_empty() {
                WitnessReply::Refused(
                    200,
                    "the answer holds no valid cosignature by the witness's key".into(),
                )
            } else {
                WitnessReply::Cosigned(good)
            }
        }
        409 => match parse_decimal(text.trim_end_matches('\n')) {
            Some(size) => WitnessReply::Conflict(size),
            None => WitnessReply::Refused(409, first_line(&text)),
        },
        s => WitnessReply::Refused(s, first_line(&text)),
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::sign_checkpoint;
    use crate::note::Ed25519NoteKey;
    use crate::tree::{MemoryHashStore, Sha256};

    fn key(name: &str, seed: u8) -> Ed25519NoteKey {
        Ed25519NoteKey::new(name, crate::crypto::SecretKey::from_seed(&[seed; 32])).unwrap()
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n)
            .map(|i| TreeHashAlg::Sha256.leaf(&i.to_be_bytes()))
            .collect()
    }

    fn consistency(leaves: &[Hash], m: u64) -> Vec<Hash> {
        let mut t = MemoryHashStore::<Sha256>::new();
        for l in leaves {
            t.append_leaf_hash(*l).unwrap();
        }
        t.consistency_proof(m, leaves.len() as u64).unwrap()
    }

    fn signed(log: &Ed25519NoteKey, leaves: &[Hash], time: u64) -> Vec<u8> {
        let root = TreeHashAlg::Sha256.root_from_leaves(leaves);
        let cp = Checkpoint::new(log.verifier().name(), leaves.len() as u64, root).unwrap();
        sign_checkpoint(&cp, log.secret_key(), log.verifier().name(), time).unwrap()
    }

    fn req(old: u64, proof: Vec<Hash>, cp: Vec<u8>) -> Vec<u8> {
        AddCheckpoint {
            old_size: old,
            proof,
            checkpoint: cp,
        }
        .to_body()
    }

    struct Fixture {
        log: Ed25519NoteKey,
        witness: Ed25519NoteKey,
        served: Vec<ServedLog>,
    }

    fn fixture() -> Fixture {
        let log = key("example.org/log", 1);
        let witness = key("witness.example/w1", 2);
        let served = vec![ServedLog {
            verifier: log.verifier(),
            alg: TreeHashAlg::Sha256,
        }];
        Fixture {
            log,
            witness,
            served,
        }
    }

    fn ask(f: &Fixture, state: &WitnessState, body: &[u8]) -> Answer {
        let v = f.witness.verifier();
        let wk = WitnessKey {
            name: v.name(),
            key: f.witness.secret_key(),
        };
        add_checkpoint(state, &f.served, body, &wk, 1_000)
    }

    fn status(a: &Answer) -> u16 {
        match a {
            Answer::Cosigned { .. } => 200,
            Answer::Refused { status, .. } => *status,
        }
    }

    #[test]
    fn body_round_trips_and_rejects_malformed() {
        let r = AddCheckpoint {
            old_size: 7,
            proof: leaves(3),
            checkpoint: b"x\n".to_vec(),
        };
        assert_eq!(AddCheckpoint::parse(&r.to_body()).unwrap(), r);
        for bad in [
            &b"old 07\n\nx"[..],
            b"old -1\n\nx",
            b"new 1\n\nx",
            b"old 1\nnot base64!\n\nx",
            b"old 1\n",
            b"old 1\n\n",
            b"old 1",
        ] {
            assert!(
                AddCheckpoint::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let many = AddCheckpoint {
            old_size: 1,
            proof: leaves(64),
            checkpoint: b"x\n".to_vec(),
        };
        assert!(
            AddCheckpoint::parse(&many.to_body())
                .unwrap_err()
                .contains("63")
        );
    }

    #[test]
    fn cosigns_extends_and_refuses_by_the_spec_codes() {
        let f = fixture();
        let l = leaves(10);
        let s0 = WitnessState::default();
        // Unknown origin: 404. Malformed: 400. Not signed by the log key: 403.
        let other = key("other.example/log", 3);
        assert_eq!(
            status(&ask(&f, &s0, &req(0, vec![], signed(&other, &l, 900)))),
            404
        );
        assert_eq!(status(&ask(&f, &s0, b"old x\n\n")), 400);
        let forged_key = key("example.org/log", 9);
        assert_eq!(
            status(&ask(&f, &s0, &req(0, vec![], signed(&forged_key, &l, 900)))),
            403
        );
        // Old size above the checkpoint's: 400.
        assert_eq!(
            status(&ask(&f, &s0, &req(11, vec![], signed(&f.log, &l, 900)))),
            400
        );
        // First use: cosigned; the line verifies under the witness key.
        let cp10 = signed(&f.log, &l, 900);
        let Answer::Cosigned {
            lines,
            state: s1,
            size,
            first_use,
            ..
        } = ask(&f, &s0, &req(0, vec![], cp10.clone()))
        else {
            panic!("not cosigned")
        };
        assert!(first_use);
        assert_eq!(size, 10);
        let text = note::parse_note(&cp10).unwrap().text;
        let wpub = f.witness.secret_key().public_key();
        let reply = read_answer(
            200,
            lines.as_bytes(),
            &text,
            f.witness.verifier().name(),
            &wpub,
        );
        assert!(
            matches!(reply, WitnessReply::Cosigned(ref v) if v.len() == 1),
            "{reply:?}"
        );
        // A stale old size: 409 with the witness's size.
        let l20 = leaves(20);
        let cp20 = signed(&f.log, &l20, 950);
        let a = ask(&f, &s1, &req(0, vec![], cp20.clone()));
        let Answer::Refused {
            status: 409,
            ref body,
            content_type,
            ..
        } = a
        else {
            panic!("{a:?}")
        };
        assert_eq!((body.as_str(), content_type), ("10\n", SIZE_CONTENT_TYPE));
        assert_eq!(
            read_answer(409, body.as_bytes(), "", "", &wpub),
            WitnessReply::Conflict(10)
        );
        // A good proof: cosigned. A wrong one: 422 with evidence.
        let proof = consistency(&l20, 10);
        assert_eq!(
            status(&ask(&f, &s1, &req(10, proof.clone(), cp20.clone()))),
            200
        );
        let mut bad = proof.clone();
        bad[0][0] ^= 1;
        let a = ask(&f, &s1, &req(10, bad, cp20));
        assert!(
            matches!(
                a,
                Answer::Refused {
                    status: 422,
                    evidence: Some(_),
                    ..
                }
            ),
            "{a:?}"
        );
        // Same size, another root (a split view): 409 with evidence.
        let mut forked = l.clone();
        forked[3][0] ^= 1;
        let a = ask(&f, &s1, &req(10, vec![], signed(&f.log, &forked, 960)));
        assert!(
            matches!(
                a,
                Answer::Refused {
                    status: 409,
                    evidence: Some(_),
                    ..
                }
            ),
            "{a:?}"
        );
    }
}
