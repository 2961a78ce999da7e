//! Helpers of the tamper suite: build the scenario's honest log, then rewrite its public part
//! from a modified list of entries, re-signed like a dishonest operator (or producer) would.
//! The honest log refuses bad records at append, so tampered logs are written directly.

use std::path::Path;

use logseal::checkpoint::{Checkpoint, sign_checkpoint};
use logseal::log::{Log, LogReader};
use logseal::note::Ed25519NoteKey;
use logseal::record::kinds::Body;
use logseal::record::types::{Hash32, RecordRef};
use logseal::record::{Payload, Record};
use logseal::scenario::{self, AUTHORITY, ORIGIN, Scale};
use logseal::store::{FsStore, ObjectStore};
use logseal::tiles;
use logseal::tree::{MemoryHashStore, Sha256, TreeHashAlg};
use logseal::verify::{self, AuditorState, NoProgress, Options, Outcome, Trust, TrustFile};

/// The log's time for checkpoints written by [`write_public`] (after the scenario).
pub const LATE: u64 = 1_775_000_000;

pub fn log_key() -> Ed25519NoteKey {
    Ed25519NoteKey::new(ORIGIN, scenario::secret_key(ORIGIN)).unwrap()
}

pub fn authority_vkey() -> String {
    Ed25519NoteKey::new(AUTHORITY, scenario::secret_key(AUTHORITY))
        .unwrap()
        .verifier()
        .to_vkey()
}

/// The scenario's trust file, with `witnesses` (cosigner vkeys) and `quorum`.
pub fn trust_with(witnesses: Vec<String>, quorum: usize) -> Trust {
    Trust::new(TrustFile {
        format: 1,
        origin: ORIGIN.into(),
        tree_hash: "sha256".into(),
        log_key: log_key().verifier().to_vkey(),
        registration_authority: authority_vkey(),
        authorisation_registry: "authorisation-registry".into(),
        authorisation_required: vec!["query-frontend".into()],
        witnesses,
        witness_quorum: quorum,
        witnessed_after_size: None,
        max_logging_delay_secs: 86_400,
        max_logging_delay_overrides: Default::default(),
        retention_policy_authority: None,
        obligation_policy_authority: None,
        log_key_history: Vec::new(),
        registration_authority_history: Vec::new(),
    })
    .unwrap()
}

pub fn trust() -> Trust {
    trust_with(Vec::new(), 0)
}

/// Write the honest SMALL scenario log into `dir` (first `days` days; all when `None`).
/// Returns the size after each day.
pub fn honest_log(dir: &Path, days: Option<usize>) -> Vec<u64> {
    let all = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
    let n = days.unwrap_or(all.len());
    let mut log = Log::init(
        dir,
        &log_key(),
        &authority_vkey(),
        TreeHashAlg::Sha256,
        all[0].checkpoint_at - 86_400,
    )
    .unwrap();
    let mut sizes = Vec::new();
    for day in &all[..n] {
        let items: Vec<_> = day.records.iter().map(|s| s.item.clone()).collect();
        log.append(&items).unwrap();
        log.checkpoint(day.checkpoint_at).unwrap();
        sizes.push(log.size());
    }
    sizes
}

/// Every entry of the log in `dir`, in leaf order.
pub fn entries(dir: &Path) -> Vec<Vec<u8>> {
    let public = FsStore::open(dir.join("public")).unwrap();
    let reader = LogReader::new(&public, TreeHashAlg::Sha256);
    let note = reader.checkpoint().unwrap().unwrap();
    let text = String::from_utf8(note).unwrap();
    let body: String = text.split_inclusive('\n').take(3).collect();
    let size = Checkpoint::parse(&body).unwrap().size;
    let mut out = Vec::new();
    reader
        .for_each_entry(size, 0, size, |_, e| {
            out.push(e.to_vec());
            Ok(())
        })
        .unwrap();
    out
}

pub fn decode(bytes: &[u8]) -> Record {
    Record::decode(bytes).unwrap()
}

pub fn leaf_hash(bytes: &[u8]) -> Hash32 {
    Hash32(TreeHashAlg::Sha256.leaf(bytes))
}

/// Re-sign a record after `f` changed its payload, with the scenario key of `signer`
/// (default: the record's own producer) for `origin` (default: the scenario's).
pub fn resign_with(
    bytes: &[u8],
    signer: Option<&str>,
    origin: Option<&str>,
    f: impl FnOnce(&mut Payload),
) -> Vec<u8> {
    let mut p = decode(bytes).payload().clone();
    f(&mut p);
    let key = scenario::secret_key(signer.unwrap_or(p.producer.as_str()));
    logseal::record::sign(&p, &key, origin.unwrap_or(ORIGIN)).unwrap()
}

pub fn resign(bytes: &[u8], f: impl FnOnce(&mut Payload)) -> Vec<u8> {
    resign_with(bytes, None, None, f)
}

fn refs_mut(body: &mut Body) -> Vec<&mut RecordRef> {
    let mut v = Vec::new();
    match body {
        Body::Notification(n) => v.push(&mut n.sanction),
        Body::Appeal(a) => v.push(&mut a.sanction),
        Body::AppealDecision(d) => v.push(&mut d.appeal),
        Body::LegalHold(h) => {
            v.extend(h.scope.iter_mut());
            v.extend(h.set_by.iter_mut());
        }
        Body::CaseStatus(c) => {
            v.extend(c.scope.iter_mut());
            v.extend(c.complaint.iter_mut());
        }
        Body::RetentionPolicy(p) => v.extend(p.supersedes.iter_mut()),
        Body::AccountSanction(s) => {
            if let Some(t) = s.terms_clause.as_mut() {
                v.push(&mut t.publication);
            }
            if let Some(h) = s.detection.as_mut().and_then(|d| d.hash_list.as_mut()) {
                v.extend(h.publication.iter_mut());
            }
        }
        _ => {}
    }
    v
}

/// Re-chain every producer after edits, like a dishonest operator holding every producer's
/// key would: each record's `prev` becomes the leaf hash of the producer's previous record in
/// the list and references follow rewritten records; changed records are re-signed. Records
/// whose `seq` does not continue their chain are left as they are.
pub fn relink(entries: &mut [Vec<u8>]) {
    use std::collections::HashMap;
    let mut heads: HashMap<String, (u64, Hash32)> = HashMap::new();
    let mut renamed: HashMap<Hash32, Hash32> = HashMap::new();
    for e in entries.iter_mut() {
        let Ok(r) = Record::decode(e) else { continue };
        let old_hash = leaf_hash(e);
        let mut p = r.payload().clone();
        let name = p.producer.to_string();
        let (next, head) = heads.get(&name).copied().unwrap_or((0, Hash32([0; 32])));
        let mut changed = false;
        if p.seq == next && p.prev != head {
            p.prev = head;
            changed = true;
        }
        for rf in refs_mut(&mut p.body) {
            if let Some(n) = renamed.get(&rf.leaf_hash) {
                rf.leaf_hash = *n;
                changed = true;
            }
        }
        if changed {
            let key = scenario::secret_key(&name);
            if Record::decode(e)
                .unwrap()
                .verify(&key.public_key(), ORIGIN)
                .is_ok()
            {
                *e = logseal::record::sign(&p, &key, ORIGIN).unwrap();
            }
        }
        let new_hash = leaf_hash(e);
        if new_hash != old_hash {
            renamed.insert(old_hash, new_hash);
        }
        if p.seq == next {
            heads.insert(name, (p.seq + 1, new_hash));
        }
    }
}

/// Replace the public part of the log in `dir` with a tree of `entries` (tiles, bundles) and
/// a checkpoint signed by the log key at `time`. Returns the signed checkpoint.
pub fn write_public(dir: &Path, entries: &[Vec<u8>], time: u64) -> Vec<u8> {
    let public = dir.join("public");
    let _ = std::fs::remove_dir_all(&public);
    let store = FsStore::open(&public).unwrap();
    let mut mem = MemoryHashStore::<Sha256>::new();
    for e in entries {
        mem.append(e).unwrap();
    }
    let n = entries.len() as u64;
    for (t, data) in tiles::new_tiles(0, n, &mem).unwrap() {
        store.put(&t.path(), &data).unwrap();
    }
    for b in tiles::new_entry_bundle_ids(0, n).unwrap() {
        let r = b.leaf_range();
        let data = tiles::encode_entry_bundle(&entries[r.start as usize..r.end as usize]).unwrap();
        store.put(&b.path(), &data).unwrap();
    }
    let cp = Checkpoint::new(ORIGIN, n, mem.root()).unwrap();
    let note = sign_checkpoint(&cp, &scenario::secret_key(ORIGIN), ORIGIN, time).unwrap();
    store.put("checkpoint", &note).unwrap();
    store.sync().unwrap();
    note
}

/// Verify the log in `dir` with `trust` and `state`.
pub fn run(dir: &Path, trust: &Trust, state: &AuditorState) -> Outcome {
    let store = FsStore::open(dir.join("public")).unwrap();
    verify::verify(
        &store,
        trust,
        state,
        &Options {
            at_secs: LATE,
            incremental: false,
        },
        &NoProgress,
    )
    .unwrap()
}

/// Verify the log in `dir` incrementally (`--since`) from `state`'s resume point.
pub fn run_since(dir: &Path, trust: &Trust, state: &AuditorState) -> Outcome {
    let store = FsStore::open(dir.join("public")).unwrap();
    verify::verify(
        &store,
        trust,
        state,
        &Options {
            at_secs: LATE,
            incremental: true,
        },
        &NoProgress,
    )
    .unwrap()
}

pub fn fresh_state() -> AuditorState {
    AuditorState::new(ORIGIN)
}

/// The (code, leaf) of every violation, sorted.
pub fn violations(o: &Outcome) -> Vec<(&'static str, Option<u64>)> {
    let mut v: Vec<_> = o
        .report
        .findings
        .iter()
        .filter(|f| f.verdict == verify::Verdict::Violated)
        .map(|f| (f.code, f.leaf))
        .collect();
    v.sort();
    v
}

/// Find the leaf of the first entry matching `f`.
pub fn find(entries: &[Vec<u8>], f: impl Fn(&Record) -> bool) -> usize {
    entries
        .iter()
        .position(|e| Record::decode(e).is_ok_and(|r| f(&r)))
        .expect("an entry matches")
}

/// Entries in log order, and (size, checkpoint time) after each day.
pub type Entries = (Vec<Vec<u8>>, Vec<(u64, u64)>);

/// The SMALL scenario's records in log order, and the size after each day.
pub fn scenario_entries() -> Entries {
    static CACHE: std::sync::OnceLock<Entries> = std::sync::OnceLock::new();
    CACHE
        .get_or_init(|| {
            let days = scenario::build(Scale::SMALL, TreeHashAlg::Sha256).unwrap();
            let mut e = Vec::new();
            let mut sizes = Vec::new();
            for d in days {
                e.extend(d.records.into_iter().map(|s| s.item.record));
                sizes.push((e.len() as u64, d.checkpoint_at));
            }
            (e, sizes)
        })
        .clone()
}

/// The next (seq, prev) of `producer` after `entries`.
pub fn next_of(entries: &[Vec<u8>], producer: &str) -> (u64, Hash32) {
    let mut next = (0, Hash32([0; 32]));
    for e in entries {
        let r = decode(e);
        if r.payload().producer.as_str() == producer {
            next = (r.payload().seq + 1, leaf_hash(e));
        }
    }
    next
}

/// A new record continuing `template`'s producer chain at the end of `entries`, changed by
/// `f`, signed with the scenario key of `signer` (default: its producer).
pub fn continue_chain(
    entries: &[Vec<u8>],
    template: usize,
    signer: Option<&str>,
    f: impl FnOnce(&mut Payload),
) -> Vec<u8> {
    let producer = decode(&entries[template]).payload().producer.to_string();
    let (seq, prev) = next_of(entries, &producer);
    resign_with(&entries[template], signer, None, |p| {
        p.seq = seq;
        p.prev = prev;
        f(p);
    })
}

pub fn producer_of(e: &[u8]) -> String {
    decode(e).payload().producer.to_string()
}

/// A run of the binary under [`run_bounded`]: exit code, output, and the process's peak
/// resident memory.
pub struct Bounded {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Peak resident set size of the process, in KiB (`getrusage`'s `ru_maxrss`).
    pub max_rss_kib: i64,
}

/// Run `logseal args` in `cwd`, failing the test — and killing the process — when it has not
/// finished within `limit` (a hang fails instead of blocking CI).
// The child is reaped by `wait4` (which also gives its peak memory), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
pub fn run_bounded(args: &[&str], cwd: &Path, limit: std::time::Duration) -> Bounded {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run logseal");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let start = std::time::Instant::now();
    let (status, rss) = loop {
        let mut status = 0;
        // SAFETY: plain system call on our own child; `ru` is a valid, zeroed rusage.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if r == pid {
            break (status, ru.ru_maxrss);
        }
        assert_eq!(r, 0, "wait4: {}", std::io::Error::last_os_error());
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("logseal {args:?} did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let code = (status & 0x7f == 0).then_some((status >> 8) & 0xff);
    Bounded {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        max_rss_kib: rss,
    }
}

/// The scenario's log written by [`write_public`] into `dir/log`, and its trust file
/// `dir/trust.json`: the arguments of `logseal verify --json` on it.
pub fn cli_log(dir: &Path) -> Vec<String> {
    let (e, _) = scenario_entries();
    let log = dir.join("log");
    write_public(&log, &e, LATE);
    let trust_path = dir.join("trust.json");
    std::fs::write(&trust_path, serde_json::to_vec(&trust().file).unwrap()).unwrap();
    vec![
        "verify".into(),
        log.display().to_string(),
        "--trust".into(),
        trust_path.display().to_string(),
        "--at".into(),
        "2026-04-01T00:00:00Z".into(),
        "--json".into(),
    ]
}

/// The (verdict, code, leaf) of every finding of a `--json` report.
pub fn json_findings(stdout: &[u8]) -> Vec<(String, String, Option<u64>)> {
    let v: serde_json::Value = serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(stdout)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["verdict"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                f["leaf"].as_u64(),
            )
        })
        .collect()
}
