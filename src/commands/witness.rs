//! `logseal witness cosign` and `logseal witness vkey`: the offline witness's file I/O around
//! [`logseal::verify::witness::cosign_checkpoint`] — the witness's state directory
//! (`state.json`, and `evidence/` for the checkpoints of a refusal), the proof file, the
//! cosigned checkpoint's output. Exit 0 cosigned, 1 refused ([`Invalid`]), 2 could not run.

use std::path::{Path, PathBuf};

use anyhow::Context;
use logseal::checkpoint::CosignatureVerifier;
use logseal::cli::{WitnessCosignArgs, WitnessVkeyArgs};
use logseal::log::BLAKE3_ORIGIN_SUFFIX;
use logseal::note::{Ed25519NoteKey, NoteVerifier};
use logseal::tree::{Hash, TreeHashAlg};
use logseal::verify::witness::{WitnessKey, WitnessState, cosign_checkpoint};

use super::log::{ProofFile, now_secs};
use super::record::{read_signer, read_verifier};
use super::verify::write_atomic;
use super::{Invalid, files};

/// The witness state's file inside `--state DIR`.
pub const WITNESS_STATE_FILE: &str = "state.json";
/// Where refused checkpoints are kept, inside `--state DIR`.
pub const EVIDENCE_DIR: &str = "evidence";

/// The cosigner verifier key (type 0x04) of a witness signer key.
pub(crate) fn cosigner_vkey(key: &Ed25519NoteKey) -> anyhow::Result<String> {
    let v = CosignatureVerifier::new(key.verifier().name(), key.secret_key().public_key())?;
    Ok(v.to_vkey())
}

pub fn vkey(args: WitnessVkeyArgs) -> anyhow::Result<()> {
    let key = read_signer(&args.key)?;
    files::print(&format!("{}\n", cosigner_vkey(&key)?))
}

/// The proof: `logseal prove consistency` JSON (its origin must be `origin`), or a JSON array
/// of hex hashes. Returns the hashes and the tree hash the file names (if any).
fn read_proof(path: &Path, origin: &str) -> anyhow::Result<(Vec<Hash>, Option<TreeHashAlg>)> {
    let bytes = files::read(path)?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).with_context(|| format!("{}: not JSON", path.display()))?;
    let (hexes, alg) = if value.is_array() {
        let v: Vec<String> = serde_json::from_value(value)
            .with_context(|| format!("{}: not a JSON array of hex hashes", path.display()))?;
        (v, None)
    } else {
        match serde_json::from_value::<ProofFile>(value)
            .with_context(|| format!("{}: not a logseal proof", path.display()))?
        {
            ProofFile::Consistency {
                origin: o,
                tree_hash,
                proof,
                ..
            } => {
                anyhow::ensure!(
                    o == origin,
                    "{}: the proof is for log {o:?}, the log key is {origin:?}'s",
                    path.display()
                );
                let alg = TreeHashAlg::parse(&tree_hash)
                    .with_context(|| format!("{}: tree_hash", path.display()))?;
                (proof, Some(alg))
            }
            ProofFile::Inclusion { .. } => anyhow::bail!(
                "{}: an inclusion proof; the witness needs a consistency proof",
                path.display()
            ),
        }
    };
    let hashes = hexes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            hex::decode(h)
                .ok()
                .and_then(|b| <Hash>::try_from(b).ok())
                .with_context(|| {
                    format!("{}: proof[{i}] is not a 32-byte hex hash", path.display())
                })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((hashes, alg))
}

/// Keep both checkpoints of a refusal; returns their paths.
pub(super) fn keep_evidence(
    state_dir: &Path,
    origin: &str,
    time: u64,
    old: &str,
    new: &[u8],
) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = state_dir.join(EVIDENCE_DIR);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let log: String = origin
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    for n in 0u32.. {
        let stem = if n == 0 {
            format!("{time}-{log}")
        } else {
            format!("{time}-{log}-{n}")
        };
        let (o, w) = (
            dir.join(format!("{stem}-old.checkpoint")),
            dir.join(format!("{stem}-new.checkpoint")),
        );
        if o.symlink_metadata().is_ok() || w.symlink_metadata().is_ok() {
            continue;
        }
        files::create_new(&o, old.as_bytes(), 0o644)?;
        files::create_new(&w, new, 0o644)?;
        return Ok((o, w));
    }
    unreachable!("some evidence name is free")
}

pub fn cosign(args: WitnessCosignArgs) -> anyhow::Result<()> {
    let key = read_signer(&args.key)?;
    let log = read_verifier(&args.log_key)?;
    let origin = log.name().to_string();
    let new = files::read(&args.checkpoint)?;
    let state_path = args.state.join(WITNESS_STATE_FILE);
    let state = if state_path.is_file() {
        WitnessState::from_json(&files::read(&state_path)?)
            .with_context(|| format!("{}", state_path.display()))?
    } else {
        WitnessState::default()
    };
    let (proof, file_alg) = match &args.proof {
        Some(p) => {
            let (h, a) = read_proof(p, &origin)?;
            (Some(h), a)
        }
        None => (None, None),
    };
    let alg = file_alg.unwrap_or(if origin.ends_with(BLAKE3_ORIGIN_SUFFIX) {
        TreeHashAlg::Blake3
    } else {
        TreeHashAlg::Sha256
    });
    let time = args.time.unwrap_or_else(now_secs);
    let name = key.verifier().name().to_string();
    let wkey = WitnessKey {
        name: &name,
        key: key.secret_key(),
    };
    let done = match cosign_checkpoint(&state, &new, &log, alg, proof.as_deref(), &wkey, time) {
        Ok(d) => d,
        Err(e) => {
            let kept = match e.evidence() {
                Some(old) => {
                    let (o, n) = keep_evidence(&args.state, &origin, time, old, &new)?;
                    format!(
                        "; evidence kept: {} (last cosigned) and {} (refused)",
                        o.display(),
                        n.display()
                    )
                }
                None => String::new(),
            };
            return Err(Invalid(format!(
                "witness {name} refuses to cosign {}: {e}{kept}",
                args.checkpoint.display()
            ))
            .into());
        }
    };
    match &args.out {
        Some(p) => files::create_new(p, &done.checkpoint, 0o644)?,
        None => files::print(&String::from_utf8_lossy(&done.checkpoint))?,
    }
    write_atomic(&args.state, WITNESS_STATE_FILE, &done.state.to_json())?;
    let first = if done.first_use {
        format!(
            "first use for {origin}: no earlier checkpoint to check consistency with; cosigned \
             after verifying the log's signatures only\n"
        )
    } else {
        String::new()
    };
    eprint!(
        "{first}witness {name} cosigned {origin} at size {} (time {time})\nwitness vkey: {}\n",
        done.size,
        cosigner_vkey(&key)?
    );
    Ok(())
}
