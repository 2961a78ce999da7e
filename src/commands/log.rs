//! `logseal init`, `append`, `checkpoint`, `prove …` and `info`: thin layers over
//! [`logseal::log::Log`]. The proof files written by `prove` are self-contained JSON (see
//! [`ProofFile`]) so that `prove check` trusts nothing but the log's verifier key.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use logseal::checkpoint::{Checkpoint, open_checkpoint};
use logseal::cli::{
    CheckpointArgs, ConsistencyArgs, InclusionArgs, InfoArgs, InitArgs, ProofCheckArgs,
    ReceiptArgs, ReceiptCheckArgs,
};
use logseal::log::census::{Census, count_records};
use logseal::log::{AppendItem, Log, LogError, LogReader, Receipt, check_origin, origin_alg};
use logseal::note::{Ed25519NoteVerifier, NoteVerifier};
use logseal::record::json::build_from_json;
use logseal::record::sealed::SALT_LEN;
use logseal::record::text::ProducerId;
use logseal::record::types::Hash32;
use logseal::record::{Kind, Record};
use logseal::store::ObjectStore;
use logseal::tree::{Hash, TreeHashAlg};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::record::{decode_disclosures, read_signer, read_verifier};
use super::{Invalid, files};

/// Seconds since the Unix epoch (the CLI reads the clock; the library never does). Inside
/// `logseal demo`, once [`run_on_scenario_clock`] was called, the scenario's clock.
pub fn now_secs() -> u64 {
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    real.saturating_add_signed(SCENARIO_OFFSET.load(std::sync::atomic::Ordering::Relaxed))
}

/// Seconds added to this machine's clock by [`now_secs`]: 0 but in `logseal demo`.
static SCENARIO_OFFSET: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// From now on, in this process, [`now_secs`] says `now` and then runs on: the demo's
/// servers, witnesses and monitor live in the scenario's days (2026-03), not in this
/// machine's. Only `logseal demo` calls it.
pub(crate) fn run_on_scenario_clock(now: u64) {
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let offset = i64::try_from(now).unwrap_or(i64::MAX) - i64::try_from(real).unwrap_or(i64::MAX);
    SCENARIO_OFFSET.store(offset, std::sync::atomic::Ordering::Relaxed);
}

/// A refused record is invalid input (exit 1); anything else could not run (exit 2).
pub(super) fn log_err(e: LogError) -> anyhow::Error {
    match e {
        LogError::Refused { .. } | LogError::BadDisclosure { .. } => {
            anyhow::Error::new(Invalid(format!("{e}; nothing was appended")))
        }
        other => anyhow::Error::new(other),
    }
}

pub fn init(args: InitArgs) -> anyhow::Result<()> {
    let key = read_signer(&args.log_key)?;
    if key.verifier().name() != args.origin {
        bail!(
            "{}: the log key is named {:?}, but a log key must be named after the origin {:?} \
             (create it with `logseal keygen --name {}`)",
            args.log_key.display(),
            key.verifier().name(),
            args.origin,
            args.origin
        );
    }
    let alg = TreeHashAlg::parse(&args.tree_hash)?;
    check_origin(&args.origin, alg).map_err(|r| anyhow::anyhow!("--origin: {r}"))?;
    let authority = files::read_key_line(&args.authority)?;
    let log = Log::init_at(
        &args.dir,
        logseal::log::Placement {
            public: args.public.as_deref(),
            coord: args.coord.as_deref(),
            private: args.private.as_deref(),
            lease_ttl: args.lease_ttl,
        },
        &key,
        &authority,
        alg,
        now_secs(),
    )
    .with_context(|| format!("cannot create the log {}", args.dir.display()))?;
    files::print(&format!(
        "created log {}{}\norigin      {}\ntree hash   {}\nlog key     {}\nauthority   {}\n",
        args.dir.display(),
        match &log.config().public {
            Some(url) => format!(
                " (public part in {url}{}{})",
                match &log.config().private {
                    Some(p) => format!(", private part in {p}"),
                    None => String::new(),
                },
                match &log.config().coord {
                    Some(c) => format!(", sequencers coordinated by {c}"),
                    None => String::new(),
                }
            ),
            None => String::new(),
        },
        log.origin(),
        log.alg().name(),
        log.config().log_key,
        log.config().authority_key
    ))
}

/// One JSON line of `append --in`.
pub(super) fn parse_line(
    line: &str,
    at: &str,
    signer: Option<&logseal::note::Ed25519NoteKey>,
    log: &Log,
    heads: &mut HashMap<ProducerId, (u64, Hash32)>,
) -> anyhow::Result<AppendItem> {
    let invalid = |msg: String| anyhow::Error::new(Invalid(format!("{at}: {msg}")));
    let mut v: Value = serde_json::from_str(line).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let Value::Object(obj) = &mut v else {
        return Err(invalid("expected a JSON object".into()));
    };
    if let Some(cose) = obj.remove("cose") {
        let cose = cose
            .as_str()
            .ok_or_else(|| invalid("cose: expected a base64 string".into()))?;
        let record = B64
            .decode(cose)
            .map_err(|e| invalid(format!("cose: not base64: {e}")))?;
        let disclosures = match obj.remove("disclosures") {
            None => Vec::new(),
            Some(Value::String(s)) => {
                let bytes = B64
                    .decode(&s)
                    .map_err(|e| invalid(format!("disclosures: not base64: {e}")))?;
                decode_disclosures(&bytes).map_err(|e| invalid(format!("disclosures: {e}")))?
            }
            Some(_) => return Err(invalid("disclosures: expected a base64 string".into())),
        };
        if let Some(k) = obj.keys().next() {
            return Err(invalid(format!("{k}: unknown member next to \"cose\"")));
        }
        // Track the head so that later unsigned lines of the same producer continue it.
        if let Ok(r) = Record::decode(&record) {
            let p = r.payload();
            heads.insert(
                p.producer.clone(),
                (p.seq + 1, Hash32(log.alg().leaf(&record))),
            );
        }
        return Ok(AppendItem {
            record,
            disclosures,
        });
    }
    let Some(signer) = signer else {
        return Err(invalid(
            "an unsigned record (no \"cose\" member) needs --producer-key".into(),
        ));
    };
    let kind = match obj.remove("kind") {
        Some(Value::String(k)) => Kind::from_name(&k)
            .ok_or_else(|| invalid(format!("kind: unknown record kind {k:?}")))?,
        _ => return Err(invalid("kind: missing (a record kind name)".into())),
    };
    let producer = obj
        .get("producer")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("producer: missing".into()))?;
    let producer = ProducerId::new(producer).map_err(|e| invalid(format!("producer: {e}")))?;
    let (next_seq, head) = *heads.entry(producer.clone()).or_insert_with(|| {
        log.state()
            .producer(&producer)
            .map(|h| (h.next_seq, h.head))
            .unwrap_or((0, Hash32([0; 32])))
    });
    obj.entry("seq").or_insert(Value::from(next_seq));
    obj.entry("prev")
        .or_insert(Value::from(hex::encode(head.0)));
    let mut salts = || {
        let mut s = [0u8; SALT_LEN];
        rand_core::OsRng.fill_bytes(&mut s);
        s
    };
    let builder = build_from_json(kind, v, &mut salts).map_err(|e| invalid(e.to_string()))?;
    let signed = builder
        .sign(signer.secret_key(), log.origin())
        .map_err(|e| invalid(e.to_string()))?;
    let p = Record::decode(&signed.bytes)
        .map_err(|e| invalid(e.to_string()))?
        .payload()
        .clone();
    heads.insert(
        p.producer.clone(),
        (p.seq + 1, Hash32(log.alg().leaf(&signed.bytes))),
    );
    Ok(AppendItem {
        record: signed.bytes,
        disclosures: signed.disclosures,
    })
}

pub(super) fn receipt_json(r: &Receipt) -> Value {
    serde_json::json!({
        "leaf_index": r.leaf_index,
        "leaf_hash": r.leaf_hash.to_string(),
        "producer": r.producer.as_str(),
        "seq": r.seq,
    })
}

pub fn checkpoint(args: CheckpointArgs) -> anyhow::Result<()> {
    let policy = match &args.witnesses {
        Some(p) => Some(read_witness_policy(p)?),
        None => None,
    };
    let tsa = match (&args.tsa, &args.tsa_cert) {
        (Some(url), Some(cert)) => Some((url.as_str(), read_tsa_cert(url, cert)?)),
        _ => None,
    };
    let mut log = Log::open(&args.dir).map_err(log_err)?;
    let note = match &policy {
        None => log.checkpoint(now_secs()).map_err(log_err)?,
        Some(policy) => {
            let mut sizes = std::collections::BTreeMap::new();
            let mut outcomes = Vec::new();
            let note = log
                .checkpoint_witnessed(now_secs(), &mut |note, proofs| {
                    let (sigs, o) = logseal::client::collect_cosignatures(
                        policy,
                        note,
                        proofs,
                        &mut sizes,
                        WITNESS_TIMEOUT,
                    );
                    outcomes = o;
                    sigs
                })
                .map_err(log_err)?;
            eprint!("{}", witness_summary(policy, &outcomes));
            note
        }
    };
    if let Some((url, authority)) = &tsa {
        eprintln!("{}", timestamp_checkpoint(&log, &note, url, authority));
    }
    files::print(&String::from_utf8_lossy(&note))
}

/// How long the log waits for the time-stamping authority's answer.
pub const TSA_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The `--tsa-cert` file as the authority tokens are verified against before they are kept.
pub fn read_tsa_cert(
    url: &str,
    path: &std::path::Path,
) -> anyhow::Result<logseal::timestamp::Authority> {
    let pem = String::from_utf8(files::read(path)?)
        .map_err(|_| anyhow::anyhow!("{}: not a PEM certificate", path.display()))?;
    logseal::timestamp::Authority::from_pem(url, &pem)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Ask the TSA at `url` to time-stamp `note` and keep the verified token; the line to print.
/// A TSA that is down or answers a token that does not verify leaves the checkpoint published
/// and not time-stamped (as a witness that is down leaves it not witnessed): the line says so.
pub fn timestamp_checkpoint(
    log: &Log,
    note: &[u8],
    url: &str,
    authority: &logseal::timestamp::Authority,
) -> String {
    let mut nonce = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut nonce);
    nonce[0] = (nonce[0] & 0x7f) | 0x01;
    let mut send = |req: &[u8]| {
        logseal::client::request_timestamp(url, req, TSA_TIMEOUT).map_err(|e| e.to_string())
    };
    match log.timestamp_checkpoint(note, std::slice::from_ref(authority), &nonce, &mut send) {
        Ok(s) if s.written => format!(
            "timestamped: size {} at {} by {} (public/{})",
            s.size,
            logseal::record::types::Timestamp(s.stamp.gen_time.saturating_mul(1000)).to_rfc3339(),
            s.stamp.signer,
            logseal::log::history::timestamp_key(s.size)
        ),
        Ok(s) => format!(
            "timestamped: size {} already holds a token (public/{}), kept as it is",
            s.size,
            logseal::log::history::timestamp_key(s.size)
        ),
        Err(e) => format!(
            "NOT TIMESTAMPED: {e}; the checkpoint is published without a token, and a verifier \
             whose trust file lists a time-stamping authority says so"
        ),
    }
}

/// How long the log waits for one witness's answer.
pub const WITNESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Read a witness policy file (`--witnesses`).
pub fn read_witness_policy(
    path: &std::path::Path,
) -> anyhow::Result<logseal::serve::witness::WitnessPolicy> {
    logseal::serve::witness::WitnessPolicy::from_json(&files::read(path)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// One line per witness, and whether the quorum was met.
pub fn witness_summary(
    policy: &logseal::serve::witness::WitnessPolicy,
    outcomes: &[logseal::client::WitnessOutcome],
) -> String {
    let mut out = String::new();
    let mut cosigned = 0;
    for o in outcomes {
        match &o.result {
            Ok(_) => {
                cosigned += 1;
                out.push_str(&format!("witness {} ({}): cosigned\n", o.name, o.url));
            }
            Err(e) => out.push_str(&format!("witness {} ({}): {e}\n", o.name, o.url)),
        }
    }
    if cosigned >= policy.quorum {
        out.push_str(&format!(
            "witnessed: {cosigned} of {} witnesses cosigned (quorum {})\n",
            policy.witnesses.len(),
            policy.quorum
        ));
    } else {
        out.push_str(&format!(
            "NOT YET WITNESSED: {cosigned} of {} witnesses cosigned, quorum {}; the checkpoint is \
             published signed by the log (the log keeps sequencing), and a verifier that \
             requires the quorum reports it until a later checkpoint is witnessed\n",
            policy.witnesses.len(),
            policy.quorum
        ));
    }
    out
}

/// A proof made by `logseal prove`, checked by `logseal prove check`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ProofFile {
    Inclusion {
        origin: String,
        tree_hash: String,
        leaf_index: u64,
        /// The record (base64), so the checker can hash it itself.
        record: String,
        leaf_hash: String,
        proof: Vec<String>,
        /// The signed checkpoint (a signed note) of the tree the proof leads to.
        checkpoint: String,
    },
    Consistency {
        origin: String,
        tree_hash: String,
        old_checkpoint: String,
        new_checkpoint: String,
        proof: Vec<String>,
    },
}

fn hexes(hs: &[Hash]) -> Vec<String> {
    hs.iter().map(hex::encode).collect()
}

/// The public part of a log, as `prove` reads it: what any tlog-tiles client fetches (a
/// mirror without `private/` is enough). Origin and tree hash come from the latest checkpoint;
/// nothing is trusted here, `prove check` verifies the signatures.
struct PublicPart {
    dir: std::path::PathBuf,
    store: Box<dyn ObjectStore>,
    origin: String,
    alg: TreeHashAlg,
    latest_size: u64,
    latest: Vec<u8>,
}

impl PublicPart {
    fn open(dir: &Path) -> anyhow::Result<PublicPart> {
        let public = dir.join("public");
        let remote = logseal::log::public_location_of(dir)?;
        if remote.is_none() && !public.is_dir() {
            bail!(
                "{}: no public part (expected {}): not a log directory, or truncated",
                dir.display(),
                public.display()
            );
        }
        let store = logseal::log::public_store(dir)?;
        let latest = LogReader::new(store.as_ref(), TreeHashAlg::Sha256)
            .checkpoint()?
            .context("the log has no checkpoint; run `logseal checkpoint`")?;
        let n = logseal::note::parse_note(&latest)
            .with_context(|| format!("{}", public.join("checkpoint").display()))?;
        let cp = Checkpoint::parse(&n.text)
            .with_context(|| format!("{}", public.join("checkpoint").display()))?;
        Ok(PublicPart {
            dir: dir.to_path_buf(),
            origin: cp.origin.clone(),
            alg: origin_alg(&cp.origin),
            store,
            latest_size: cp.size,
            latest,
        })
    }

    fn reader(&self) -> LogReader<'_> {
        LogReader::new(self.store.as_ref(), self.alg)
    }

    /// The signed checkpoint of `size` (the latest when `None`): the latest, an entry of the
    /// public history, or (a log from before the history) the private copy.
    fn checkpoint_of(&self, size: Option<u64>) -> anyhow::Result<(u64, Vec<u8>)> {
        let s = match size {
            None => return Ok((self.latest_size, self.latest.clone())),
            Some(s) if s == self.latest_size => return Ok((s, self.latest.clone())),
            Some(s) => s,
        };
        let mut note = self.reader().published_checkpoint(s)?;
        if note.is_none() && self.dir.join("private").is_dir() {
            note = Log::open_read_only(&self.dir)
                .map_err(log_err)?
                .checkpoint_at(s)
                .map_err(log_err)?;
        }
        let note = note.with_context(|| {
            format!(
                "no checkpoint of size {s} was published by this log (latest: {}; `logseal \
                 info` lists them)",
                self.latest_size
            )
        })?;
        let found = checkpoint_size(&note)
            .with_context(|| format!("the published checkpoint of size {s} does not parse"))?;
        if found != s {
            bail!(
                "{}: holds a checkpoint of size {found}, not {s}",
                self.store.describe(&logseal::log::history::key(s))
            );
        }
        Ok((s, note))
    }
}

fn checkpoint_size(note: &[u8]) -> anyhow::Result<u64> {
    let n = logseal::note::parse_note(note)?;
    Ok(Checkpoint::parse(&n.text)?.size)
}

pub fn prove_inclusion(args: InclusionArgs) -> anyhow::Result<()> {
    let log = PublicPart::open(&args.dir)?;
    let (size, note) = log.checkpoint_of(args.size)?;
    if args.index >= size {
        bail!(
            "--index {}: the checkpoint has {size} records (leaves 0..{size})",
            args.index
        );
    }
    let reader = log.reader();
    let record = reader.entry(args.index, size)?;
    let proof = reader.inclusion_proof(size, args.index)?;
    let file = ProofFile::Inclusion {
        origin: log.origin.clone(),
        tree_hash: log.alg.name().to_string(),
        leaf_index: args.index,
        leaf_hash: hex::encode(log.alg.leaf(&record)),
        record: B64.encode(&record),
        proof: hexes(&proof),
        checkpoint: String::from_utf8(note).context("checkpoint is not UTF-8")?,
    };
    files::print(&format!("{}\n", serde_json::to_string_pretty(&file)?))
}

pub fn prove_consistency(args: ConsistencyArgs) -> anyhow::Result<()> {
    let log = PublicPart::open(&args.dir)?;
    let (new, new_note) = log.checkpoint_of(args.new)?;
    if args.old > new {
        bail!(
            "--old {} is larger than the new checkpoint's size {new}",
            args.old
        );
    }
    let (_, old_note) = log.checkpoint_of(Some(args.old))?;
    let proof = log.reader().consistency_proof(args.old, new)?;
    let file = ProofFile::Consistency {
        origin: log.origin.clone(),
        tree_hash: log.alg.name().to_string(),
        old_checkpoint: String::from_utf8(old_note).context("checkpoint is not UTF-8")?,
        new_checkpoint: String::from_utf8(new_note).context("checkpoint is not UTF-8")?,
        proof: hexes(&proof),
    };
    files::print(&format!("{}\n", serde_json::to_string_pretty(&file)?))
}

fn parse_hashes(hs: &[String]) -> Result<Vec<Hash>, String> {
    hs.iter()
        .enumerate()
        .map(|(i, h)| {
            let b = hex::decode(h).map_err(|e| format!("proof[{i}]: not hex: {e}"))?;
            b.try_into()
                .map_err(|_| format!("proof[{i}]: not a 32-byte hash"))
        })
        .collect()
}

/// Check a proof file; `Err(reason)` when it does not hold.
pub fn check_proof(file: &ProofFile, log_key: &Ed25519NoteVerifier) -> Result<String, String> {
    check_proof_explained(file, log_key).map(|lines| lines[0].clone())
}

/// A checkpoint's size, root and log time, as `prove check` prints it.
fn checkpoint_line(what: &str, v: &logseal::checkpoint::VerifiedCheckpoint) -> String {
    format!(
        "{what}: size {}, root {}, signed at {}",
        v.checkpoint.size,
        hex::encode(v.checkpoint.root),
        logseal::record::types::Timestamp(v.log_time.saturating_mul(1000)).to_rfc3339()
    )
}

/// [`check_proof`]'s verdict, then what was checked: the leaf hash and each checkpoint's
/// size, root and time (RFC 3339, the log's own cosignature time).
pub fn check_proof_explained(
    file: &ProofFile,
    log_key: &Ed25519NoteVerifier,
) -> Result<Vec<String>, String> {
    let (origin, tree_hash) = match file {
        ProofFile::Inclusion {
            origin, tree_hash, ..
        }
        | ProofFile::Consistency {
            origin, tree_hash, ..
        } => (origin, tree_hash),
    };
    let alg = TreeHashAlg::parse(tree_hash).map_err(|e| e.to_string())?;
    check_origin(origin, alg).map_err(|e| format!("origin: {e}"))?;
    if log_key.name() != origin {
        return Err(format!(
            "the proof is for log {origin:?}, but the key given is {:?}'s",
            log_key.name()
        ));
    }
    let open = |what: &str, note: &str| {
        open_checkpoint::<&str>(note.as_bytes(), origin, log_key, &[], 0)
            .map_err(|e| format!("{what}: {e}"))
    };
    match file {
        ProofFile::Inclusion {
            leaf_index,
            record,
            leaf_hash,
            proof,
            checkpoint,
            ..
        } => {
            let verified = open("checkpoint", checkpoint)?;
            let cp = &verified.checkpoint;
            let record = B64
                .decode(record)
                .map_err(|e| format!("record: not base64: {e}"))?;
            let computed = alg.leaf(&record);
            if hex::encode(computed) != *leaf_hash {
                return Err(format!(
                    "leaf_hash {leaf_hash} is not the hash of the record ({})",
                    hex::encode(computed)
                ));
            }
            let proof = parse_hashes(proof)?;
            alg.verify_inclusion(*leaf_index, cp.size, &computed, &proof, &cp.root)
                .map_err(|e| format!("inclusion proof: {e}"))?;
            Ok(vec![
                format!(
                    "leaf {leaf_index} is in the tree of size {} of {origin} (root {})",
                    cp.size,
                    hex::encode(cp.root)
                ),
                format!("leaf hash: {}", hex::encode(computed)),
                checkpoint_line("checkpoint", &verified),
            ])
        }
        ProofFile::Consistency {
            old_checkpoint,
            new_checkpoint,
            proof,
            ..
        } => {
            let old_v = open("old_checkpoint", old_checkpoint)?;
            let new_v = open("new_checkpoint", new_checkpoint)?;
            let (old, new) = (&old_v.checkpoint, &new_v.checkpoint);
            let proof = parse_hashes(proof)?;
            alg.verify_consistency(old.size, new.size, &old.root, &new.root, &proof)
                .map_err(|e| format!("consistency proof: {e}"))?;
            Ok(vec![
                format!(
                    "the tree of size {} is a prefix of the tree of size {} of {origin}",
                    old.size, new.size
                ),
                checkpoint_line("old checkpoint", &old_v),
                checkpoint_line("new checkpoint", &new_v),
            ])
        }
    }
}

pub fn prove_check(args: ProofCheckArgs) -> anyhow::Result<()> {
    let key = read_verifier(&args.log_key)?;
    let (bytes, name) = if args.proof == Path::new("-") {
        files::read_input(None)?
    } else {
        files::read_input(Some(&args.proof))?
    };
    let file: ProofFile = serde_json::from_slice(&bytes)
        .map_err(|e| Invalid(format!("{name}: not a logseal proof: {e}")))?;
    match check_proof_explained(&file, &key) {
        Ok(lines) => files::print(&format!("ok: {}\n", lines.join("\n"))),
        Err(reason) => Err(Invalid(format!("{name}: the proof does not hold: {reason}")).into()),
    }
}

/// Every checkpoint in the public history: its size, and its log time or why it does not
/// verify against the log key.
type History = Vec<(u64, Result<u64, String>)>;

fn published_checkpoints(log: &Log) -> anyhow::Result<History> {
    let reader = log.reader();
    let mut out = Vec::new();
    for size in reader.published_sizes()? {
        let time = match reader.published_checkpoint(size)? {
            None => Err("vanished while listed".to_string()),
            Some(note) => open_checkpoint::<&str>(&note, log.origin(), log.log_verifier(), &[], 0)
                .map_err(|e| e.to_string())
                .and_then(|v| match v.checkpoint.size == size {
                    true => Ok(v.log_time),
                    false => Err(format!("holds a checkpoint of size {}", v.checkpoint.size)),
                }),
        };
        out.push((size, time));
    }
    Ok(out)
}

/// The history in `info`'s text: the latest 20, and how many more.
fn history_text(history: &History) -> String {
    const SHOWN: usize = 20;
    let mut out = format!(
        "\npublished checkpoints ({}, in public/checkpoints/)\n",
        history.len()
    );
    if history.len() > SHOWN {
        out.push_str(&format!(
            "  … {} earlier (see --json)\n",
            history.len() - SHOWN
        ));
    }
    for (size, time) in history.iter().skip(history.len().saturating_sub(SHOWN)) {
        out.push_str(&match time {
            Ok(t) => format!(
                "  size {size:<10} signed at {}\n",
                logseal::record::types::Timestamp(t.saturating_mul(1000)).to_rfc3339()
            ),
            Err(e) => format!("  size {size:<10} DOES NOT VERIFY: {e}\n"),
        });
    }
    out
}

/// `info` on a public-only copy (no private/): what the public part says, each checkpoint
/// verified against `--log-key` when given. No record is read: counts per kind and producer
/// would take a full read, which `verify` does.
fn public_info(args: &InfoArgs) -> anyhow::Result<()> {
    let public = PublicPart::open(&args.dir)?;
    let key = args.log_key.as_deref().map(read_verifier).transpose()?;
    let reader = public.reader();
    let mut sizes = reader.published_sizes()?;
    if !sizes.contains(&public.latest_size) {
        sizes.push(public.latest_size);
    }
    let mut history: History = Vec::new();
    for size in sizes {
        let note = match size == public.latest_size {
            true => Some(public.latest.clone()),
            false => reader.published_checkpoint(size)?,
        };
        let time = match (note, &key) {
            (None, _) => Err("vanished while listed".to_string()),
            (Some(_), None) => Err("not verified (give --log-key)".to_string()),
            (Some(n), Some(k)) => open_checkpoint::<&str>(&n, &public.origin, k, &[], 0)
                .map_err(|e| e.to_string())
                .and_then(|v| match v.checkpoint.size == size {
                    true => Ok(v.log_time),
                    false => Err(format!("holds a checkpoint of size {}", v.checkpoint.size)),
                }),
        };
        history.push((size, time));
    }
    let note = logseal::note::parse_note(&public.latest)?;
    let root = Checkpoint::parse(&note.text)?.root;
    // Names on the latest checkpoint's signature lines other than the log's: its cosigners
    // (not verified here; `verify` checks them against the trust file's witnesses).
    let mut cosigners: Vec<&str> = note
        .signatures
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| *n != public.origin)
        .collect();
    cosigners.dedup();
    let counts = Counts::gather(args, &reader, &public.origin, public.latest_size)?;
    if args.json {
        let v = serde_json::json!({
            "origin": public.origin,
            "tree_hash": public.alg.name(),
            "size": public.latest_size,
            "root": hex::encode(root),
            "public_only": true,
            "checkpoints_verified": key.is_some(),
            "published_checkpoints": history.iter().map(|(size, time)| match time {
                Ok(t) => serde_json::json!({"size": size, "time": t}),
                Err(e) => serde_json::json!({"size": size, "error": e}),
            }).collect::<Vec<_>>(),
            "cosigners": cosigners,
        });
        let mut v = v;
        counts.add_json(&mut v);
        return files::print(&format!("{}\n", serde_json::to_string_pretty(&v)?));
    }
    let mut out = format!(
        "log         {} (public part only: no private/)\norigin      {}\ntree hash   {}\n\
         size        {}\nroot        {}\n",
        args.dir.display(),
        public.origin,
        public.alg.name(),
        public.latest_size,
        hex::encode(root)
    );
    out.push_str(&format!(
        "cosigners   {}\n",
        match cosigners.is_empty() {
            true => "none".to_string(),
            false => format!(
                "{} (names on the latest checkpoint, not verified)",
                cosigners.join(", ")
            ),
        }
    ));
    if key.is_none() {
        out.push_str(&format!(
            "\npublished checkpoints ({}; not verified and their times not shown: give \
             --log-key)\n",
            history.len()
        ));
        for (size, _) in &history {
            out.push_str(&format!("  size {size}\n"));
        }
    } else {
        out.push_str(&history_text(&history));
    }
    out.push_str(&counts.text());
    files::print(&out)
}

/// What `info` shows of the records themselves: from the auditor's state (`--state`), from
/// a full read (`--count`), or neither — never a full read that was not asked for.
struct Counts {
    /// The size of the tree the counts would cover.
    size: u64,
    /// The auditor state's verified size and, per producer, its next seq and last heartbeat.
    state: Option<(u64, Vec<Value>)>,
    census: Option<Census>,
}

impl Counts {
    fn gather(
        args: &InfoArgs,
        reader: &LogReader<'_>,
        origin: &str,
        size: u64,
    ) -> anyhow::Result<Counts> {
        let state = match &args.state {
            Some(dir) => Some(state_producers(dir, origin)?),
            None => None,
        };
        let census = match args.count {
            true => Some(
                count_records(reader, size)
                    .with_context(|| format!("{}: counting the records", args.dir.display()))?,
            ),
            false => None,
        };
        Ok(Counts {
            size,
            state,
            census,
        })
    }

    /// Why counts are missing, and how to get them.
    fn not_counted(&self) -> String {
        format!(
            "counts per kind and producer are not shown: they take reading all {} records; \
             give --count to read them, or --state DIR to show what the auditor's state holds \
             (each producer's next seq and last heartbeat, as `logseal verify --state` left it)",
            self.size
        )
    }

    fn add_json(&self, v: &mut Value) {
        if let Some((size, p)) = &self.state {
            v["auditor_state"] = serde_json::json!({"verified_size": size, "producers": p});
        }
        match &self.census {
            Some(c) => v["census"] = census_json(c),
            None if self.state.is_none() => v["counts"] = serde_json::json!(self.not_counted()),
            None => {}
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if let Some((size, p)) = &self.state {
            out.push_str(&format!(
                "\nproducers ({}, from the auditor's state: the leaves below {size} it verified)\n",
                p.len()
            ));
            for x in p {
                out.push_str(&format!(
                    "  {:<24} next seq {:<8} last heartbeat {}\n",
                    x["producer"].as_str().unwrap_or(""),
                    x["next_seq"],
                    x["last_heartbeat"].as_str().unwrap_or("none seen")
                ));
            }
        }
        match &self.census {
            Some(c) => out.push_str(&census_text(c)),
            None if self.state.is_none() => out.push_str(&format!("\n{}\n", self.not_counted())),
            None => out.push_str(&format!(
                "\ncounts per kind are not in the auditor's state; give --count to read all {} \
                 records\n",
                self.size
            )),
        }
        out
    }
}

/// A census in `info --json`.
fn census_json(c: &Census) -> Value {
    serde_json::json!({
        "records_read": c.records,
        "undecodable": c.undecodable,
        "kinds": c.kinds,
        "producers": c.producers.iter().map(|(name, p)| (name.clone(), serde_json::json!({
            "records": p.records,
            "last_heartbeat": p.last_heartbeat.map(|(_, t)| t.to_rfc3339()),
            "last_heartbeat_leaf": p.last_heartbeat.map(|(leaf, _)| leaf),
        }))).collect::<serde_json::Map<_, _>>(),
    })
}

/// A census in `info`'s text.
fn census_text(c: &Census) -> String {
    let mut out = format!(
        "\ncounted by reading all {} records (decoded only: `logseal verify` checks them)\n",
        c.records
    );
    if c.undecodable > 0 {
        out.push_str(&format!("  {} record(s) did not decode\n", c.undecodable));
    }
    out.push_str(&format!("records per kind ({})\n", c.kinds.len()));
    for (kind, n) in &c.kinds {
        out.push_str(&format!("  {kind:<24} {n}\n"));
    }
    out.push_str(&format!("records per producer ({})\n", c.producers.len()));
    for (name, p) in &c.producers {
        let hb = match p.last_heartbeat {
            Some((leaf, t)) => format!("{} (leaf {leaf})", t.to_rfc3339()),
            None => "none".to_string(),
        };
        out.push_str(&format!(
            "  {name:<24} {:<10} last heartbeat {hb}\n",
            p.records
        ));
    }
    out
}

/// Per producer, from the auditor's state in `dir` (`verify --state`): the next seq of its
/// chain and the time of its last heartbeat, as of the leaves below the state's
/// last fully verified checkpoint (its resume point). Refuses a directory without a state.
fn state_producers(dir: &Path, origin: &str) -> anyhow::Result<(u64, Vec<serde_json::Value>)> {
    let file = dir.join(super::verify::STATE_FILE);
    if !file.is_file() {
        bail!(
            "--state {}: no auditor state there ({} is missing; `logseal verify --state` \
             writes it)",
            dir.display(),
            file.display()
        );
    }
    let state = super::verify::read_state(dir, origin)?;
    let resume = state.resume.with_context(|| {
        format!(
            "--state {}: the state holds no fully verified checkpoint to count from; run \
             `logseal verify --state` on the log",
            dir.display()
        )
    })?;
    let producers = resume
        .chains
        .iter()
        .map(|c| {
            let hb = c.last_heartbeat_at_ms.or(c.last_heartbeat_end_ms);
            serde_json::json!({
                "producer": c.producer,
                "next_seq": c.next_seq,
                "last_heartbeat": hb.map(|ms| logseal::record::types::Timestamp(ms).to_rfc3339()),
            })
        })
        .collect();
    Ok((resume.size, producers))
}

/// `info --json` of a log with its private part (before the counts).
fn full_info_json(log: &Log, cp_info: Option<(u64, u64)>, history: &History) -> Value {
    let state = log.state();
    serde_json::json!({
        "origin": log.origin(),
        "tree_hash": log.alg().name(),
        "size": state.size,
        "root": state.root.to_string(),
        "log_key": log.config().log_key,
        "authority_key": log.config().authority_key,
        "checkpoint": cp_info.map(|(size, time)| serde_json::json!({"size": size, "time": time})),
        "published_checkpoints": history.iter().map(|(size, time)| match time {
            Ok(t) => serde_json::json!({"size": size, "time": t}),
            Err(e) => serde_json::json!({"size": size, "error": e}),
        }).collect::<Vec<_>>(),
        "producers": state.producers.iter().map(|h| serde_json::json!({
            "producer": h.producer.as_str(),
            "next_seq": h.next_seq,
            "head": h.head.to_string(),
            "last_leaf": h.last_leaf,
        })).collect::<Vec<_>>(),
        "keys": state.keys.iter().map(|k| serde_json::json!({
            "producer": k.producer.as_str(),
            "kid": k.kid.to_string(),
            "kinds": k.kinds.iter().map(|k| k.name()).collect::<Vec<_>>(),
            "registered_at": k.registered_at,
            "revoked_at": k.revoked_at,
        })).collect::<Vec<_>>(),
    })
}

pub fn info(args: InfoArgs) -> anyhow::Result<()> {
    if !args.dir.join("private").exists() && args.dir.join("public").is_dir() {
        return public_info(&args);
    }
    let log = Log::open_read_only(&args.dir).map_err(log_err)?;
    let state = log.state();
    let cp = log.reader().checkpoint()?;
    let cp_info = match &cp {
        Some(note) => {
            let v = open_checkpoint::<&str>(note, log.origin(), log.log_verifier(), &[], 0)
                .map_err(|e| Invalid(format!("{}: public/checkpoint: {e}", args.dir.display())))?;
            Some((v.checkpoint.size, v.log_time))
        }
        None => None,
    };
    let history = published_checkpoints(&log)?;
    let counts = Counts::gather(&args, &log.reader(), log.origin(), state.size)?;
    if args.json {
        let mut v = full_info_json(&log, cp_info, &history);
        counts.add_json(&mut v);
        return files::print(&format!("{}\n", serde_json::to_string_pretty(&v)?));
    }
    let mut out = format!(
        "log         {}\norigin      {}\ntree hash   {}\nsize        {}\nroot        {}\n",
        args.dir.display(),
        log.origin(),
        log.alg().name(),
        state.size,
        state.root
    );
    match cp_info {
        Some((size, time)) => out.push_str(&format!(
            "checkpoint  size {size}, signed at {} (unix {time}){}\n",
            logseal::record::types::Timestamp(time.saturating_mul(1000)).to_rfc3339(),
            if size > state.size {
                format!(
                    "; LARGER than the sequencer's state ({}): the state was restored from an \
                     older copy",
                    state.size
                )
            } else if size == state.size {
                String::new()
            } else {
                format!(
                    "; {} record(s) not yet checkpointed",
                    state.size.saturating_sub(size)
                )
            }
        )),
        None => out.push_str("checkpoint  none\n"),
    }
    out.push_str(&history_text(&history));
    out.push_str(&format!("\nproducers ({})\n", state.producers.len()));
    for h in &state.producers {
        out.push_str(&format!(
            "  {:<24} next seq {:<6} last leaf {:<8} head {}\n",
            h.producer.as_str(),
            h.next_seq,
            h.last_leaf,
            h.head
        ));
    }
    out.push_str(&format!("\nkeys ({})\n", state.keys.len()));
    for k in &state.keys {
        let kinds: Vec<&str> = k.kinds.iter().map(|k| k.name()).collect();
        out.push_str(&format!(
            "  {:<24} {}  registered at leaf {}{}  [{}]\n",
            k.producer.as_str(),
            &k.kid.to_string()[..16],
            k.registered_at,
            k.revoked_at
                .map(|r| format!(", revoked at leaf {r}"))
                .unwrap_or_default(),
            kinds.join(", ")
        ));
    }
    out.push_str(&counts.text());
    files::print(&out)
}

/// `logseal prove receipt`: the log signs a COSE receipt for a published checkpoint's tree.
pub fn prove_receipt(args: ReceiptArgs) -> anyhow::Result<()> {
    let public = PublicPart::open(&args.dir)?;
    let (size, _) = public.checkpoint_of(args.size)?;
    let log = Log::open_read_only(&args.dir).map_err(log_err)?;
    let receipt = log
        .receipt(args.index, size)
        .map_err(|e| Invalid(format!("{}: {e}", args.dir.display())))?;
    let record = log.reader().entry(args.index, size)?;
    let record_path = files::with_suffix(&args.out, "record");
    files::ensure_absent(&[&args.out, &record_path])?;
    files::create_new(&args.out, &receipt, 0o644)?;
    files::create_new(&record_path, &record, 0o644)?;
    files::print(&format!(
        "wrote {} (COSE receipt: leaf {} in the tree of size {size}, root {}, signed by {}) and \
         {} (the record)\n",
        args.out.display(),
        args.index,
        hex::encode(log.reader().root(size)?),
        log.origin(),
        record_path.display()
    ))
}

/// `logseal prove check-receipt`.
pub fn prove_check_receipt(args: ReceiptCheckArgs) -> anyhow::Result<()> {
    let key = read_verifier(&args.log_key)?;
    let receipt = files::read(&args.receipt)?;
    let record = files::read(&args.record)?;
    match logseal::receipt::verify(&receipt, &record, key.public_key(), key.name()) {
        Ok(v) => files::print(&format!(
            "ok: {} is leaf {} of the tree of size {} with root {}, signed by the log {}\n",
            args.record.display(),
            v.leaf_index,
            v.tree_size,
            hex::encode(v.root),
            v.issuer
        )),
        Err(e) => Err(Invalid(format!(
            "{}: the receipt does not hold for {}: {e}",
            args.receipt.display(),
            args.record.display()
        ))
        .into()),
    }
}
