//! A synthetic log for measurements: the demo scenario ([`crate::scenario`], ~3,700 records
//! of every kind: authorisations, sanctions, notifications, appeals and decisions, legal
//! holds, heartbeats; its keys are the demo's) spread over its 30 days, and around it the
//! data-access records of four more query front-ends ([`BULK`]), registered by the demo's
//! registration authority, as the demo's query front-end writes them (five sealed fields:
//! official, case and order references, query, subject), so that the log holds `records`
//! records. Each day is appended with [`Log::append`] in batches of [`BATCH`] and
//! checkpointed (30 checkpoints). Deterministic: the same `records` gives the same log (salts
//! come from a seeded generator: never for real records). No retention sweep runs, so the log
//! carries the demo scenario's own findings (its planted violations, and disclosures kept
//! past their deadline).
//!
//! Writes `DIR/log` and `DIR/keys/NAME.{key,pub}` (the log, every producer), so that
//! `logseal append --producer-key DIR/keys/registration-authority.key` can register an
//! inspector for `logseal subject`. One in 5,000 bulk queries is about the demo's subscriber
//! "Sjoerd IJzerman".
//!
//! Used by `xtask synth-log` (benches/inspect.rs, benches/tui.rs) and `logseal bench`, which
//! also reads the time spent inside [`Log::append`] ([`AppendStats`]: durable append of
//! records signed beforehand; the signing is outside it, timed with a monotonic [`Instant`])
//! and grows the log by one more day ([`SynthLog::extend`]) for the incremental verification
//! it measures. Never prints: progress goes to the caller's [`Progress`] callback.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::log::{AppendItem, Log, LogError};
use crate::note::{Ed25519NoteKey, NoteError};
use crate::record::json::build_from_json;
use crate::record::kinds::Kind;
use crate::record::types::{Hash32, Timestamp};
use crate::scenario::{self, AUTHORITY, ORIGIN, Scale, ScenarioError, SignedDay};
use crate::tree::TreeHashAlg;

/// The bulk producers (registered for data-access records on day 0).
pub const BULK: &[&str] = &[
    "query-frontend-ams",
    "query-frontend-rtm",
    "query-frontend-utr",
    "query-frontend-ehv",
];
/// Records per [`Log::append`] of bulk queries.
pub const BATCH: usize = 10_000;
const DAY_SECS: u64 = 86_400;
const DAY_MS: u64 = DAY_SECS * 1000;
const SUBJECTS: &[&str] = &[
    "Jeroen van IJsselstein",
    "Zoë de Vries-Smit",
    "Fatima el Amrani",
    "Anneke van der Meulen",
    "Çağla Yılmaz",
    "Łukasz Wiśniewski",
    "Noëlle d’Oliveira",
    "Bram de Groot",
];
/// The demo's subscriber, the value `subject` benchmarks look for.
pub const SUBSCRIBER: &str = "Sjoerd IJzerman";
const BASES: &[(&str, &str)] = &[
    ("nl-sv-126n", "subscriber-name-address"),
    ("nl-sv-126na", "ip-assignment"),
    ("nl-sv-126u", "subscriber-name-address"),
    ("nl-sv-126ua", "mail-account"),
];

/// Why the synthetic log could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{}: exists: the synthetic log is written to a new directory", dir.display())]
    Exists { dir: PathBuf },
    #[error(
        "--records {records}: too few: the demo scenario alone has {scenario} records, and the \
         bulk producers' registrations {}: at least {}",
        BULK.len(),
        scenario + BULK.len() as u64
    )]
    TooFew { records: u64, scenario: u64 },
    #[error("writing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("building the demo scenario: {0}")]
    Scenario(#[from] ScenarioError),
    #[error("the key of {name}: {source}")]
    Key { name: String, source: NoteError },
    #[error("{producer}: building a {} record: {reason}", kind.name())]
    Record {
        producer: String,
        kind: Kind,
        reason: String,
    },
    #[error("{what}: {source}")]
    Log { what: String, source: Box<LogError> },
}

fn log_err(what: impl Into<String>) -> impl FnOnce(LogError) -> SynthError {
    let what = what.into();
    move |source| SynthError::Log {
        what,
        source: Box::new(source),
    }
}

/// How many records went through [`Log::append`] and the time spent inside it: durable
/// appends of records signed beforehand (decode, signature check, admission, tiles, entry
/// bundles, sealed disclosures, fsyncs, state swap), the signing excluded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppendStats {
    pub records: u64,
    pub calls: u64,
    pub time: Duration,
}

/// Where the writing is: after day `day` of `days`, the log holds `size` records.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub day: u64,
    pub days: u64,
    pub size: u64,
}

/// splitmix64 (not for cryptography).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// A producer's chain head.
#[derive(Clone, Copy)]
struct Head {
    seq: u64,
    prev: Hash32,
}

fn note_key(name: &str) -> Result<Ed25519NoteKey, SynthError> {
    Ed25519NoteKey::new(name, scenario::secret_key(name)).map_err(|source| SynthError::Key {
        name: name.to_string(),
        source,
    })
}

fn write_file(path: PathBuf, text: String) -> Result<(), SynthError> {
    std::fs::write(&path, text).map_err(|source| SynthError::Io { path, source })
}

fn write_keys(dir: &Path) -> Result<(), SynthError> {
    std::fs::create_dir_all(dir).map_err(|source| SynthError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let names = std::iter::once("log".to_string())
        .chain(
            scenario::producers()
                .into_iter()
                .map(|p| p.name.to_string()),
        )
        .chain(BULK.iter().map(|s| s.to_string()));
    for name in names {
        let key = match name.as_str() {
            "log" => note_key(ORIGIN)?,
            n => note_key(n)?,
        };
        write_file(
            dir.join(format!("{name}.key")),
            format!("{}\n", key.to_skey()),
        )?;
        write_file(
            dir.join(format!("{name}.pub")),
            format!("{}\n", key.verifier().to_vkey()),
        )?;
    }
    Ok(())
}

/// A synthetic log being written (or written), its sequencer held.
pub struct SynthLog {
    log: Log,
    keys: PathBuf,
    heads: Vec<Head>,
    /// Days written so far (the scenario's, then [`SynthLog::extend`]'s).
    days: u64,
    last_checkpoint: u64,
    appends: AppendStats,
}

impl SynthLog {
    /// Write the log of `records` records into `dir` (which must not exist), reporting each
    /// day to `progress`.
    pub fn write(
        dir: &Path,
        records: u64,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<SynthLog, SynthError> {
        if dir.exists() {
            return Err(SynthError::Exists {
                dir: dir.to_path_buf(),
            });
        }
        let keys = dir.join("keys");
        write_keys(&keys)?;
        let days = scenario::build(Scale::FULL, TreeHashAlg::Sha256)?;
        let scenario_len: u64 = days.iter().map(|d| d.records.len() as u64).sum();
        let bulk = records
            .checked_sub(scenario_len + BULK.len() as u64)
            .ok_or(SynthError::TooFew {
                records,
                scenario: scenario_len,
            })?;
        let log_dir = dir.join("log");
        let authority = note_key(AUTHORITY)?.verifier().to_vkey();
        let log_key = note_key(ORIGIN)?;
        let log = Log::init(
            &log_dir,
            &log_key,
            &authority,
            TreeHashAlg::Sha256,
            days[0].checkpoint_at - DAY_SECS,
        )
        .map_err(log_err(format!("creating {}", log_dir.display())))?;
        let mut out = SynthLog {
            log,
            keys,
            heads: vec![
                Head {
                    seq: 0,
                    prev: Hash32([0; 32])
                };
                BULK.len()
            ],
            days: 0,
            last_checkpoint: 0,
            appends: AppendStats::default(),
        };
        let n_days = days.len() as u64;
        for (d, day) in days.iter().enumerate() {
            let items: Vec<AppendItem> = day.records.iter().map(|s| s.item.clone()).collect();
            out.append(&items, "appending the scenario")?;
            if d == 0 {
                out.append(&registrations(&days)?, "registering the bulk producers")?;
            }
            let want = bulk / n_days + u64::from((d as u64) < bulk % n_days);
            out.append_bulk(day.checkpoint_at, d as u64, want)?;
            out.checkpoint(day.checkpoint_at)?;
            progress(Progress {
                day: d as u64 + 1,
                days: n_days,
                size: out.log.size(),
            });
        }
        Ok(out)
    }

    /// One more day of `records` bulk queries after the last day written, checkpointed a day
    /// after the last checkpoint.
    pub fn extend(&mut self, records: u64) -> Result<(), SynthError> {
        let at = self.last_checkpoint + DAY_SECS;
        self.append_bulk(at, self.days, records)?;
        self.checkpoint(at)
    }

    /// The log (its sequencer held until this is dropped).
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// `DIR/keys`: every producer's `NAME.key` and `NAME.pub`, and the log's `log.key`, `log.pub`.
    pub fn keys_dir(&self) -> &Path {
        &self.keys
    }

    /// The time of the newest checkpoint (seconds since the epoch).
    pub fn last_checkpoint(&self) -> u64 {
        self.last_checkpoint
    }

    /// Checkpoints written (one per day).
    pub fn checkpoints(&self) -> u64 {
        self.days
    }

    /// Every [`Log::append`] so far.
    pub fn append_stats(&self) -> AppendStats {
        self.appends
    }

    fn append(&mut self, items: &[AppendItem], what: &str) -> Result<(), SynthError> {
        let started = Instant::now();
        self.log.append(items).map_err(log_err(what))?;
        self.appends.time += started.elapsed();
        self.appends.calls += 1;
        self.appends.records += items.len() as u64;
        Ok(())
    }

    fn checkpoint(&mut self, at: u64) -> Result<(), SynthError> {
        self.log
            .checkpoint(at)
            .map_err(log_err(format!("checkpoint of day {}", self.days + 1)))?;
        self.last_checkpoint = at;
        self.days += 1;
        Ok(())
    }

    /// Append `want` bulk queries of day `day` (checkpointed at `checkpoint_at`), the
    /// producers' records interleaved in time order, signed in parallel per producer.
    fn append_bulk(&mut self, checkpoint_at: u64, day: u64, want: u64) -> Result<(), SynthError> {
        let p = BULK.len() as u64;
        // From 06:00 to 22:00 of the day.
        let start_ms = (checkpoint_at + 60) * 1000 - DAY_MS + 6 * 3_600_000;
        let step = (16 * 3_600_000 / want.max(1)).max(1);
        let mut done = 0;
        while done < want {
            let n = (want - done).min(BATCH as u64);
            let heads = &self.heads;
            let chains: Vec<Result<(Vec<AppendItem>, Head), SynthError>> = (0..p)
                .into_par_iter()
                .map(|j| {
                    let mut head = heads[j as usize];
                    let mut rng = Rng((day << 40) ^ (done << 8) ^ j);
                    let mut out = Vec::new();
                    for i in (done..done + n).filter(|i| i % p == j) {
                        let at = Timestamp(start_ms + i * step);
                        let json = query(BULK[j as usize], head, at, i, &mut rng);
                        let item = signed(Kind::DataAccess, json, BULK[j as usize], &mut rng)?;
                        head = Head {
                            seq: head.seq + 1,
                            prev: Hash32(TreeHashAlg::Sha256.leaf(&item.record)),
                        };
                        out.push(item);
                    }
                    Ok((out, head))
                })
                .collect();
            let mut per: Vec<std::vec::IntoIter<AppendItem>> = Vec::new();
            for (j, c) in chains.into_iter().enumerate() {
                let (items, head) = c?;
                self.heads[j] = head;
                per.push(items.into_iter());
            }
            // Round robin is time order: record i belongs to producer i % p.
            let mut batch = Vec::with_capacity(n as usize);
            for i in 0..n {
                batch.extend(per[((done + i) % p) as usize].next());
            }
            self.append(&batch, "appending bulk queries")?;
            done += n;
        }
        Ok(())
    }
}

/// The authority's registrations of the bulk producers, continuing its chain.
fn registrations(days: &[SignedDay]) -> Result<Vec<AppendItem>, SynthError> {
    let Some(last) = days
        .iter()
        .flat_map(|d| &d.records)
        .rfind(|s| s.producer == AUTHORITY)
    else {
        return Err(SynthError::Record {
            producer: AUTHORITY.into(),
            kind: Kind::KeyRegistration,
            reason: "the scenario has no record of the registration authority to continue".into(),
        });
    };
    let (mut seq, mut prev) = (last.seq + 1, last.leaf_hash);
    let at = Timestamp((days[0].checkpoint_at - 3600) * 1000).to_rfc3339();
    let mut out = Vec::new();
    for name in BULK {
        let json = json!({
            "producer": AUTHORITY,
            "seq": seq,
            "prev": hex::encode(prev.0),
            "occurred_at": at,
            "processing_activity": "https://register.example/activities/producer-registry",
            "status": "ok",
            "body": {
                "producer": name,
                "public_key": hex::encode(scenario::secret_key(name).public_key().as_bytes()),
                "kinds": ["data-access"],
            },
        });
        let item = signed(Kind::KeyRegistration, json, AUTHORITY, &mut Rng(seq))?;
        prev = Hash32(TreeHashAlg::Sha256.leaf(&item.record));
        seq += 1;
        out.push(item);
    }
    Ok(out)
}

fn signed(
    kind: Kind,
    json: Value,
    producer: &str,
    rng: &mut Rng,
) -> Result<AppendItem, SynthError> {
    let mut salts = || {
        let mut s = [0u8; 16];
        s[..8].copy_from_slice(&rng.below(u64::MAX).to_le_bytes());
        s[8..].copy_from_slice(&rng.below(u64::MAX).to_le_bytes());
        s
    };
    let fail = |reason: String| SynthError::Record {
        producer: producer.to_string(),
        kind,
        reason,
    };
    let s = build_from_json(kind, json, &mut salts)
        .map_err(|e| fail(e.to_string()))?
        .sign(&scenario::secret_key(producer), ORIGIN)
        .map_err(|e| fail(e.to_string()))?;
    Ok(AppendItem {
        record: s.bytes,
        disclosures: s.disclosures,
    })
}

/// One official's query, as the demo's query front-end writes it.
fn query(producer: &str, head: Head, at: Timestamp, i: u64, rng: &mut Rng) -> Value {
    let mut who = rng.below(20);
    if who == 13 {
        who = 14; // the demo's revoked official
    }
    let (basis, category) = BASES[rng.below(BASES.len() as u64) as usize];
    let subject = match rng.below(5000) {
        0 => SUBSCRIBER,
        _ => SUBJECTS[rng.below(SUBJECTS.len() as u64) as usize],
    };
    let query = match category {
        "ip-assignment" => format!("198.51.100.{} at {}", rng.below(255), at.to_rfc3339()),
        "mail-account" => format!("{}@example.nl", rng.below(1_000_000)),
        _ => format!("+31 6 {:04} {:04}", rng.below(10_000), rng.below(10_000)),
    };
    let mut op = [0u8; 16];
    op[..8].copy_from_slice(&at.0.to_be_bytes());
    op[8..].copy_from_slice(&(i ^ rng.below(u64::MAX)).to_be_bytes());
    json!({
        "producer": producer,
        "seq": head.seq,
        "prev": hex::encode(head.prev.0),
        "occurred_at": at.to_rfc3339(),
        "processing_activity": "https://register.example/activities/subscriber-data-query",
        "operation_id": hex::encode(op),
        "status": "ok",
        "retention_rule": "de-bdsg76-led-logs@1",
        "body": {
            "action": "consult",
            "legal_basis": basis,
            "purpose": "criminal-investigation",
            "actor": {
                "role": "opsporingsambtenaar",
                "organisation": if who.is_multiple_of(2) { "politie-eenheid-noord-nederland" } else { "fiod" },
                "authorisation_id": format!("auth-{:04}", who + 1),
                "break_glass": false,
                "user": format!("NL-POL-{:06}", 104_200 + who * 17),
            },
            "data_categories": [category],
            "result_count": 1 + rng.below(3),
            "case_ref": format!("PL0100-2026{:06}", 41_000 + rng.below(400)),
            "order_ref": format!("{}-2026-{:05}", &basis[6..], rng.below(99_999)),
            "query": query,
            "subject": subject,
        },
    })
}
