//! `xtask`: writes the repository's generated files, or checks that they are up to date.
//!
//! Owns: writing (and, with `--check`, comparing) what the library's generators produce —
//! `testvectors/` ([`logseal::vectors::render_all`]), `man/` and `completions/`
//! ([`logseal::cli::man`]), the ready-made retention policies in `docs/policies/`
//! ([`logseal::scenario::policy_files`]), and the sections of `docs/FORMAT.md` between
//! `<!-- BEGIN GENERATED: … -->` and `<!-- END GENERATED: … -->` (the record rules and the
//! sealed fields of each kind, [`logseal::record::rules::splice_all`]; the rest of the file
//! is kept as written). It generates nothing itself. A file in one of these directories
//! that the generator no longer produces is stale too: it is removed, or reported by
//! `--check`.
//!
//! Run from anywhere: `cargo run --bin xtask -- all` (paths are relative to the crate root).
//! Exit status: 0 written / up to date, 1 `--check` found stale files, 2 could not run.
//!
//! `xtask synth-log DIR --records N` is not a generator of committed files: it writes a large
//! synthetic log for measuring the read layer (docs/PERFORMANCE.md, benches/inspect.rs). See
//! [`synth`].

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Generate test vectors, man pages, shell completions, ready-made policy files and the
/// generated sections of docs/FORMAT.md.
#[derive(Debug, Parser)]
#[command(name = "xtask", disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    task: Task,
    /// Do not write: exit 1 if any committed file differs from the generator's output
    #[arg(long, global = true)]
    check: bool,
}

#[derive(Debug, Clone, Subcommand)]
enum Task {
    /// testvectors/*.json and testvectors/README.md
    Vectors,
    /// man/*.1 for logseal and every subcommand
    Man,
    /// completions/ for bash, zsh and fish
    Completions,
    /// docs/policies/*.json (one retention policy per named rule) and docs/policies/README.md
    Policies,
    /// docs/FORMAT.md: the record rules and sealed-field sections, from the code's tables
    Format,
    /// Everything above
    All,
    /// Write a large synthetic log for benchmarks (not a generated file of the repository)
    SynthLog(SynthArgs),
}

/// `xtask synth-log`: where and how big.
#[derive(Debug, Clone, clap::Args)]
struct SynthArgs {
    /// The directory to create (must not exist): `DIR/log` and `DIR/keys/`
    dir: PathBuf,
    /// How many records the log holds in the end (at least the demo scenario's ~3,700)
    #[arg(long, default_value_t = 1_000_000)]
    records: u64,
}

/// Generated files, and the directories whose contents they are exactly.
struct Output {
    dirs: Vec<&'static str>,
    files: Vec<(PathBuf, Vec<u8>)>,
}

/// docs/FORMAT.md as it is, with its generated sections rewritten.
fn format_doc(root: &Path) -> anyhow::Result<(PathBuf, Vec<u8>)> {
    use logseal::record::rules;
    let path = root.join(rules::FORMAT_DOC);
    let doc =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let out = rules::splice_all(&doc)?;
    Ok((PathBuf::from(rules::FORMAT_DOC), out.into_bytes()))
}

fn generate(task: &Task, root: &Path) -> anyhow::Result<Output> {
    use logseal::cli::man;
    let mut out = Output {
        dirs: Vec::new(),
        files: Vec::new(),
    };
    if matches!(task, Task::Vectors | Task::All) {
        out.dirs.push(logseal::vectors::DIR);
        out.files
            .extend(logseal::vectors::render_all().context("generating test vectors")?);
    }
    if matches!(task, Task::Man | Task::All) {
        out.dirs.push(man::MAN_DIR);
        out.files.extend(man::render_man_pages());
    }
    if matches!(task, Task::Completions | Task::All) {
        out.dirs.push(man::COMPLETIONS_DIR);
        out.files.extend(man::render_completions());
    }
    if matches!(task, Task::Policies | Task::All) {
        out.dirs.push(logseal::scenario::POLICIES_DIR);
        out.files.extend(
            logseal::scenario::policy_files().context("generating the ready-made policies")?,
        );
    }
    if matches!(task, Task::Format | Task::All) {
        out.files.push(format_doc(root)?);
    }
    Ok(out)
}

/// Files present in `dir` (relative to `root`), as paths relative to `root`.
fn existing(root: &Path, dir: &str) -> anyhow::Result<BTreeSet<PathBuf>> {
    let mut found = BTreeSet::new();
    let abs = root.join(dir);
    if !abs.exists() {
        return Ok(found);
    }
    for entry in std::fs::read_dir(&abs).with_context(|| format!("reading {}", abs.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            found.insert(PathBuf::from(dir).join(entry.file_name()));
        }
    }
    Ok(found)
}

fn run(cli: &Cli) -> anyhow::Result<bool> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = generate(&cli.task, root)?;
    let wanted: BTreeSet<PathBuf> = out.files.iter().map(|(p, _)| p.clone()).collect();
    let mut stale = Vec::new();
    for (rel, bytes) in &out.files {
        let path = root.join(rel);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        stale.push(format!(
            "{} {}",
            if current.is_some() {
                "differs:"
            } else {
                "missing:"
            },
            rel.display()
        ));
        if !cli.check {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    for dir in &out.dirs {
        for rel in existing(root, dir)?.difference(&wanted) {
            stale.push(format!("not generated: {}", rel.display()));
            if !cli.check {
                let path = root.join(rel);
                std::fs::remove_file(&path)
                    .with_context(|| format!("removing {}", path.display()))?;
            }
        }
    }
    for line in &stale {
        println!("{line}");
    }
    if cli.check {
        if stale.is_empty() {
            println!("{} generated files are up to date", out.files.len());
        } else {
            println!(
                "{} stale file(s); run `cargo run --bin xtask -- all`",
                stale.len()
            );
        }
    } else {
        println!(
            "{} generated files, {} written or removed",
            out.files.len(),
            stale.len()
        );
    }
    Ok(stale.is_empty())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Task::SynthLog(args) = &cli.task {
        return match synth::run(&args.dir, args.records) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xtask: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    match run(&cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) if cli.check => ExitCode::from(1),
        Ok(false) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// A synthetic log for measuring the read layer: the demo scenario (`logseal::scenario`,
/// ~3,700 records of every kind: authorisations, sanctions, notifications, appeals and
/// decisions, legal holds, heartbeats; its keys are the demo's) spread over its 30 days, and
/// around it the data-access records of four more query front-ends, registered by the demo's
/// registration authority, as the demo's query front-end writes them (five sealed fields:
/// official, case and order references, query, subject), so that the log holds `records`
/// records. Each day is appended with `Log::append` in batches and checkpointed (30
/// checkpoints). Deterministic: the same `records` gives the same log (salts come from a
/// seeded generator: never for real records). No retention sweep runs.
///
/// Writes `DIR/log` and `DIR/keys/NAME.{key,pub}` (the log, every producer), so that
/// `logseal append --producer-key DIR/keys/registration-authority.key` can register an
/// inspector for `logseal subject`. One in 5,000 bulk queries is about the demo's subscriber
/// "Sjoerd IJzerman".
mod synth {
    use std::io::Write;
    use std::path::Path;

    use anyhow::Context;
    use rayon::prelude::*;
    use serde_json::{Value, json};

    use logseal::log::{AppendItem, Log};
    use logseal::note::Ed25519NoteKey;
    use logseal::record::json::build_from_json;
    use logseal::record::kinds::Kind;
    use logseal::record::types::{Hash32, Timestamp};
    use logseal::scenario::{self, AUTHORITY, ORIGIN, Scale, SignedDay};
    use logseal::tree::TreeHashAlg;

    /// The bulk producers (registered for data-access records on day 0).
    const BULK: &[&str] = &[
        "query-frontend-ams",
        "query-frontend-rtm",
        "query-frontend-utr",
        "query-frontend-ehv",
    ];
    /// Records per `Log::append`.
    const BATCH: usize = 10_000;
    const DAY_MS: u64 = 86_400_000;
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
    const SUBSCRIBER: &str = "Sjoerd IJzerman";
    const BASES: &[(&str, &str)] = &[
        ("nl-sv-126n", "subscriber-name-address"),
        ("nl-sv-126na", "ip-assignment"),
        ("nl-sv-126u", "subscriber-name-address"),
        ("nl-sv-126ua", "mail-account"),
    ];

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

    fn note_key(name: &str) -> anyhow::Result<Ed25519NoteKey> {
        Ok(Ed25519NoteKey::new(name, scenario::secret_key(name))?)
    }

    fn write_keys(dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        let names = std::iter::once("log".to_string())
            .chain(
                scenario::producers()
                    .into_iter()
                    .map(|p| p.name.to_string()),
            )
            .chain(BULK.iter().map(|s| s.to_string()));
        for name in names {
            let key = match name.as_str() {
                "log" => Ed25519NoteKey::new(ORIGIN, scenario::secret_key(ORIGIN))?,
                n => note_key(n)?,
            };
            std::fs::write(
                dir.join(format!("{name}.key")),
                format!("{}\n", key.to_skey()),
            )?;
            std::fs::write(
                dir.join(format!("{name}.pub")),
                format!("{}\n", key.verifier().to_vkey()),
            )?;
        }
        Ok(())
    }

    pub fn run(dir: &Path, records: u64) -> anyhow::Result<()> {
        anyhow::ensure!(
            !dir.exists(),
            "{} exists: synth-log writes a new directory",
            dir.display()
        );
        let started = std::time::Instant::now();
        write_keys(&dir.join("keys"))?;
        let days = scenario::build(Scale::FULL, TreeHashAlg::Sha256)?;
        let scenario_len: u64 = days.iter().map(|d| d.records.len() as u64).sum();
        let bulk = records
            .checked_sub(scenario_len + BULK.len() as u64)
            .with_context(|| {
                format!("--records {records}: the demo scenario alone has {scenario_len}")
            })?;
        let log_dir = dir.join("log");
        let authority = note_key(AUTHORITY)?.verifier().to_vkey();
        let log_key = Ed25519NoteKey::new(ORIGIN, scenario::secret_key(ORIGIN))?;
        let mut log = Log::init(
            &log_dir,
            &log_key,
            &authority,
            TreeHashAlg::Sha256,
            days[0].checkpoint_at - 86_400,
        )
        .with_context(|| format!("creating {}", log_dir.display()))?;
        let mut heads = vec![
            Head {
                seq: 0,
                prev: Hash32([0; 32])
            };
            BULK.len()
        ];
        let n_days = days.len() as u64;
        for (d, day) in days.iter().enumerate() {
            let items: Vec<AppendItem> = day.records.iter().map(|s| s.item.clone()).collect();
            log.append(&items).context("appending the scenario")?;
            if d == 0 {
                log.append(&registrations(&days)?)
                    .context("registering the bulk producers")?;
            }
            let want = bulk / n_days + u64::from((d as u64) < bulk % n_days);
            append_bulk(&mut log, day.checkpoint_at, d as u64, want, &mut heads)?;
            log.checkpoint(day.checkpoint_at)?;
            eprint!(
                "\rxtask synth-log: day {}/{n_days}, {} records, {:.0?}",
                d + 1,
                log.size(),
                started.elapsed()
            );
            std::io::stderr().flush().ok();
        }
        eprintln!();
        println!(
            "{}: {} records, {n_days} checkpoints, keys in {}",
            log_dir.display(),
            log.size(),
            dir.join("keys").display()
        );
        Ok(())
    }

    /// The authority's registrations of the bulk producers, continuing its chain.
    fn registrations(days: &[SignedDay]) -> anyhow::Result<Vec<AppendItem>> {
        let last = days
            .iter()
            .flat_map(|d| &d.records)
            .rfind(|s| s.producer == AUTHORITY)
            .context("the scenario has authority records")?;
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
    ) -> anyhow::Result<AppendItem> {
        let mut salts = || {
            let mut s = [0u8; 16];
            s[..8].copy_from_slice(&rng.below(u64::MAX).to_le_bytes());
            s[8..].copy_from_slice(&rng.below(u64::MAX).to_le_bytes());
            s
        };
        let s = build_from_json(kind, json, &mut salts)?
            .sign(&scenario::secret_key(producer), ORIGIN)?;
        Ok(AppendItem {
            record: s.bytes,
            disclosures: s.disclosures,
        })
    }

    /// Append `want` bulk queries of day `day` (checkpointed at `checkpoint_at`), the
    /// producers' records interleaved in time order, signed in parallel per producer.
    fn append_bulk(
        log: &mut Log,
        checkpoint_at: u64,
        day: u64,
        want: u64,
        heads: &mut [Head],
    ) -> anyhow::Result<()> {
        let p = BULK.len() as u64;
        // From 06:00 to 22:00 of the day.
        let start_ms = (checkpoint_at + 60) * 1000 - DAY_MS + 6 * 3_600_000;
        let step = (16 * 3_600_000 / want.max(1)).max(1);
        let mut done = 0;
        while done < want {
            let n = (want - done).min(BATCH as u64);
            let chains: Vec<anyhow::Result<(Vec<AppendItem>, Head)>> = (0..p)
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
                heads[j] = head;
                per.push(items.into_iter());
            }
            // Round robin is time order: record i belongs to producer i % p.
            let mut batch = Vec::with_capacity(n as usize);
            for i in 0..n {
                batch.extend(per[((done + i) % p) as usize].next());
            }
            log.append(&batch).context("appending bulk queries")?;
            done += n;
        }
        Ok(())
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
}
