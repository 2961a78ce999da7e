//! Criterion benchmarks of the read layer (`logseal::inspect`) on a 100,000-record log written
//! by `xtask synth-log` (the demo scenario plus four query front-ends' data-access records,
//! 30 checkpoints): opening an inspector with its index kept, one record by leaf and by
//! `producer#seq` (and everything `show` adds: chain place, references both ways, the first
//! including checkpoint), the 50 newest and oldest records, a rare kind, a ten-minute window,
//! a trace/operation id, the index rebuilt from the log, and the sealed-value index behind
//! `subject` (opened, searched).
//!
//! Run: `cargo bench --bench inspect` (the log is generated once into the target directory,
//! ~40 s, and reused while the xtask binary is unchanged). End-to-end numbers on 1,000,000
//! records, with process start: docs/PERFORMANCE.md, "Looking inside a log (issue 14)".

#[path = "common/mod.rs"]
mod common;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::Criterion;

use logseal::inspect::sealed_index::SealedIndex;
use logseal::inspect::{Fetched, IndexHome, Inspector, index, subject};
use logseal::log::Log;
use logseal::record::sealed::SealedValue;
use logseal::record::types::Timestamp;
use logseal::store::{FsStore, ObjectStore};

const RECORDS: u64 = 100_000;
/// The subscriber that one in 5,000 synthetic queries is about.
const SUBSCRIBER: &str = "Sjoerd IJzerman";

/// The synthetic log (`DIR/log`), written by the xtask binary when missing or stale.
fn log_dir() -> PathBuf {
    common::synth_log("inspect-bench", RECORDS)
}

/// Everything `logseal show` reads for one record.
fn show(ins: &Inspector<'_>, f: &Fetched) {
    black_box(ins.chain_place(f).expect("chain place"));
    black_box(ins.references_of(f).expect("references"));
    black_box(ins.referenced_by(f).expect("referenced by"));
    black_box(ins.first_including(f).expect("first including"));
}

/// The first `n` records of a scan (newest first when `reverse`).
fn first(ins: &Inspector<'_>, time: Option<(u64, u64)>, kinds: u64, reverse: bool, n: usize) {
    let mut seen = 0;
    ins.scan_kinds(time, kinds, reverse, |r| {
        black_box(r.expect("authentic"));
        seen += 1;
        seen < n
    });
}

fn ms(s: &str) -> u64 {
    Timestamp::parse_rfc3339(s).expect("a time").0.0
}

fn reads(c: &mut Criterion, log: &Log, private: &FsStore) {
    let public = log.public_store();
    let home = IndexHome::Private(private);
    let ins = Inspector::open(public, common::anchors(log), home).expect("open");
    let size = ins.head().size;
    let mid = ins.fetch(size / 2).expect("the middle record");
    let producer = mid.record.payload().producer.to_string();
    let seq = mid.record.payload().seq;
    let op = mid
        .record
        .payload()
        .operation_id
        .expect("an operation id")
        .to_string();
    let appeal_decision = index::kinds_of(&{
        let mut f = logseal::inspect::Filter::default();
        f.add("kind", "appeal-decision");
        f
    });
    let window = (ms("2026-03-17T12:00:00Z"), ms("2026-03-17T12:10:00Z"));

    let mut g = c.benchmark_group("inspect-100k");
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("open (index kept, current)", |b| {
        b.iter(|| black_box(Inspector::open(public, common::anchors(log), home).expect("open")))
    });
    g.bench_function("fetch leaf", |b| {
        b.iter(|| black_box(ins.fetch(black_box(size / 2)).expect("fetch")))
    });
    g.bench_function("by producer#seq", |b| {
        b.iter(|| black_box(ins.by_seq(&producer, seq).expect("by seq")))
    });
    g.bench_function("show (record, chain, references, first checkpoint)", |b| {
        b.iter(|| show(&ins, &mid))
    });
    g.bench_function("log --limit 50 (newest first)", |b| {
        b.iter(|| first(&ins, None, index::ALL_KINDS, true, 50))
    });
    g.bench_function("log --limit 50 (oldest first)", |b| {
        b.iter(|| first(&ins, None, index::ALL_KINDS, false, 50))
    });
    g.bench_function("log --kind appeal-decision --limit 50", |b| {
        b.iter(|| first(&ins, None, appeal_decision, true, 50))
    });
    g.bench_function("log --since/--until (10 minutes)", |b| {
        b.iter(|| first(&ins, Some(window), index::ALL_KINDS, true, usize::MAX))
    });
    g.bench_function("by operation id", |b| {
        b.iter(|| black_box(ins.by_id(&op).expect("by id")))
    });
    g.finish();

    let mut g = c.benchmark_group("inspect-100k-rebuild");
    g.sample_size(10);
    g.bench_function("open (index missing: rebuilt from the log)", |b| {
        b.iter(|| {
            private.delete(index::INDEX_KEY).expect("delete the index");
            black_box(Inspector::open(public, common::anchors(log), home).expect("open"))
        })
    });
    g.finish();
}

fn sealed(c: &mut Criterion, log: &Log, private: &FsStore) {
    let ins = Inspector::open(
        log.public_store(),
        common::anchors(log),
        IndexHome::Private(private),
    )
    .expect("open");
    drop(SealedIndex::open(private).expect("build the sealed-value index"));
    let mut g = c.benchmark_group("inspect-100k-sealed");
    g.sample_size(10);
    g.bench_function("sealed-value index: open (kept)", |b| {
        b.iter(|| black_box(SealedIndex::open(private).expect("open")))
    });
    let (ix, _) = SealedIndex::open(private).expect("open");
    let value = SealedValue::Text(SUBSCRIBER.into());
    g.bench_function("sealed-value index: find the subscriber", |b| {
        b.iter(|| black_box(ix.find(&value).expect("find")))
    });
    g.bench_function(
        "subject search (find, authenticate, open commitments)",
        |b| b.iter(|| black_box(subject::search(&ins, &ix, SUBSCRIBER, &[]).expect("search"))),
    );
    g.finish();
}

fn main() {
    let dir = log_dir();
    let log = Log::open_read_only(&dir).expect("open the synthetic log");
    let private = FsStore::open(dir.join("private")).expect("open the private part");
    let mut c = Criterion::default().configure_from_args();
    reads(&mut c, &log, &private);
    sealed(&mut c, &log, &private);
    c.final_summary();
}
