//! Criterion benchmarks of the hot paths that DESIGN.md's performance targets talk about:
//! Ed25519 sign and strict verify of a record, record decoding, sealing and signing, tree
//! hashing (SHA-256 vs BLAKE3), inclusion and consistency proofs read from the tiles of a
//! ~100k-leaf log on disk and their verification, durable `Log::append` of a 1000-record
//! batch against the parallel strict-verification ceiling, and checkpoint signing/opening.
//!
//! Run: `cargo bench --bench core` (results and their reading: docs/PERFORMANCE.md).
//! Sample sizes and measurement times are deliberately small so the whole run stays within
//! a few minutes on a 2-core machine; pass criterion's own flags to change them.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput};
use rayon::prelude::*;

use logseal::checkpoint::{self, Checkpoint};
use logseal::crypto::{PublicKey, SecretKey};
use logseal::log::{AppendItem, Log};
use logseal::note::{Ed25519NoteKey, Ed25519NoteVerifier};
use logseal::record::kinds::data_access::{Action, Actor};
use logseal::record::kinds::{Body, DataAccess, KeyRegistration, Kind};
use logseal::record::text::{Ident, ProducerId};
use logseal::record::types::{Hash32, Id16, Timestamp};
use logseal::record::{self, Payload, Record, RecordBuilder, SealedValue, Status};
use logseal::tree::TreeHashAlg;

const ORIGIN: &str = "bench.logseal.example/log";
const AUTHORITY: &str = "registration-authority";
const PRODUCER: &str = "query-frontend";
/// 2026-03-01T09:30:00Z in milliseconds.
const T0_MS: u64 = 1_772_357_400_000;
/// Leaves in the on-disk log used by the proof benchmarks.
const LOG_LEAVES: u64 = 100_000;
/// Records per `Log::append` while building that log.
const BUILD_BATCH: u64 = 10_000;
/// Records in the append benchmark's batch.
const APPEND_BATCH: u64 = 1_000;

fn authority_key() -> SecretKey {
    SecretKey::from_seed(&[1; 32])
}

fn producer_key() -> SecretKey {
    SecretKey::from_seed(&[2; 32])
}

fn log_key() -> Ed25519NoteKey {
    Ed25519NoteKey::new(ORIGIN, SecretKey::from_seed(&[3; 32])).expect("valid log key name")
}

fn ident(s: &str) -> Ident {
    Ident::new(s).expect("valid identifier")
}

fn envelope(producer: &str, seq: u64, prev: Hash32, body: Body) -> Payload {
    let mut op = [0u8; 16];
    op[..8].copy_from_slice(&seq.to_be_bytes());
    Payload {
        producer: ProducerId::new(producer).expect("valid producer id"),
        seq,
        prev,
        occurred_at: Timestamp(T0_MS + seq * 1000),
        utc_offset_minutes: None,
        processing_activity: Some(ident("subscriber-data-query")),
        trace_id: None,
        operation_id: Some(Id16(op)),
        parent_operation_id: None,
        status: Status::Ok,
        retention_rule: Some(ident("de-bdsg76-led-logs@1")),
        body,
        sealed: vec![],
    }
}

/// A data-access record as the demo's query front-end writes it: public body plus five
/// sealed fields (official, case and order references, query, subject).
fn data_access_builder(seq: u64, prev: Hash32) -> RecordBuilder {
    let body = Body::DataAccess(DataAccess {
        action: Action::Consult,
        legal_basis: ident("nl-sv-126na"),
        purpose: ident("criminal-investigation"),
        actor: Actor {
            role: ident("opsporingsambtenaar"),
            organisation: ident("politie-eenheid-noord-nederland"),
            authorisation_id: Some(ident(&format!("auth-{:04}", seq % 20))),
            break_glass: false,
        },
        data_categories: vec![ident("subscriber-name-address")],
        result_count: Some(1 + seq % 3),
        destination_country: None,
        data_origin: None,
        revealed: None,
        revealed_ranges: None,
    });
    let mut b = RecordBuilder::new(envelope(PRODUCER, seq, prev, body));
    let salt = |field: u8| {
        let mut s = [field; 16];
        s[..8].copy_from_slice(&seq.to_le_bytes());
        s
    };
    let text = |s: String| SealedValue::Text(s);
    b.seal(
        "actor.user",
        text(format!("officer-{:04}", seq % 20)),
        salt(1),
    )
    .and_then(|b| {
        b.seal(
            "case_ref",
            text(format!("PL0100-2026{:06}", 41_000 + seq % 400)),
            salt(2),
        )
    })
    .and_then(|b| {
        b.seal(
            "order_ref",
            text(format!("126na-2026-{:05}", seq % 99_999)),
            salt(3),
        )
    })
    .and_then(|b| {
        b.seal(
            "query",
            text(format!("+31 6 {:08}", seq * 7919 % 100_000_000)),
            salt(4),
        )
    })
    .and_then(|b| {
        b.seal(
            "subject",
            text(format!("sub-{:010}", seq * 104_729 % 10_000_000_000)),
            salt(5),
        )
    })
    .expect("sealed fields of a data-access record");
    b
}

/// `n` signed data-access records continuing the producer's chain at (`seq`, `prev`).
/// Returns the items and the new chain head.
fn producer_chain(
    key: &SecretKey,
    alg: TreeHashAlg,
    mut seq: u64,
    mut prev: Hash32,
    n: u64,
) -> (Vec<AppendItem>, u64, Hash32) {
    let mut items = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let s = data_access_builder(seq, prev)
            .sign(key, ORIGIN)
            .expect("sign data-access record");
        prev = Hash32(alg.leaf(&s.bytes));
        seq += 1;
        items.push(AppendItem {
            record: s.bytes,
            disclosures: s.disclosures,
        });
    }
    (items, seq, prev)
}

/// A fresh SHA-256 log in `dir` with the producer's key registered (leaf 0).
fn new_log(dir: &Path) -> Log {
    let authority = authority_key();
    let ra_vkey = Ed25519NoteVerifier::new(AUTHORITY, authority.public_key())
        .expect("valid authority name")
        .to_vkey();
    let mut log = Log::init(
        dir,
        &log_key(),
        &ra_vkey,
        TreeHashAlg::Sha256,
        1_772_357_000,
    )
    .expect("init log");
    let body = Body::KeyRegistration(KeyRegistration {
        producer: ProducerId::new(PRODUCER).expect("valid producer id"),
        public_key: Hash32(*producer_key().public_key().as_bytes()),
        kinds: vec![Kind::DataAccess],
    });
    let reg = RecordBuilder::new(envelope(AUTHORITY, 0, Hash32([0; 32]), body))
        .sign(&authority, ORIGIN)
        .expect("sign registration");
    log.append(&[AppendItem {
        record: reg.bytes,
        disclosures: vec![],
    }])
    .expect("append registration");
    log
}

/// A small deterministic generator (splitmix64) for proof indexes.
struct Mix(u64);

impl Mix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
}

fn bench_records(c: &mut Criterion) {
    let key = producer_key();
    let public = key.public_key();
    let signed = data_access_builder(42, Hash32([7; 32]))
        .sign(&key, ORIGIN)
        .expect("sign");
    let bytes = signed.bytes;
    let rec = Record::decode(&bytes).expect("decode");
    let sig_structure = record::sig_structure(rec.kid(), rec.payload_bytes(), ORIGIN);

    let mut g = c.benchmark_group("record");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ed25519_sign_sig_structure", |b| {
        b.iter(|| key.sign(black_box(&sig_structure)))
    });
    g.bench_function("verify_strict (Record::verify)", |b| {
        b.iter(|| black_box(&rec).verify(&public, ORIGIN).expect("verifies"))
    });
    // Log::append validates the registered key (decompress, re-compress, small-order
    // check) for every record it admits.
    let key_bytes = *public.as_bytes();
    g.bench_function("PublicKey::from_bytes (validate)", |b| {
        b.iter(|| PublicKey::from_bytes(black_box(&key_bytes)).expect("valid key"))
    });
    g.bench_function("decode data-access", |b| {
        b.iter(|| Record::decode(black_box(&bytes)).expect("decodes"))
    });
    g.bench_function("decode+verify", |b| {
        b.iter(|| {
            Record::decode(black_box(&bytes))
                .expect("decodes")
                .verify(&public, ORIGIN)
                .expect("verifies")
        })
    });
    g.bench_function("RecordBuilder seal(5)+sign", |b| {
        b.iter_batched(
            || data_access_builder(42, Hash32([7; 32])),
            |builder| builder.sign(&key, ORIGIN).expect("sign"),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("RecordBuilder build+seal(5)+sign", |b| {
        b.iter(|| {
            data_access_builder(black_box(42), Hash32([7; 32]))
                .sign(&key, ORIGIN)
                .expect("sign")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("tree_hash");
    for alg in TreeHashAlg::ALL {
        g.throughput(Throughput::Bytes(bytes.len() as u64 + 1));
        g.bench_with_input(
            BenchmarkId::new(format!("leaf ({} B record)", bytes.len()), alg.name()),
            &alg,
            |b, alg| b.iter(|| alg.leaf(black_box(&bytes))),
        );
        g.throughput(Throughput::Bytes(65));
        let (l, r) = ([1u8; 32], [2u8; 32]);
        g.bench_with_input(BenchmarkId::new("node", alg.name()), &alg, |b, alg| {
            b.iter(|| alg.node(black_box(&l), black_box(&r)))
        });
    }
    g.finish();
}

fn bench_checkpoint(c: &mut Criterion) {
    let key = log_key();
    let verifier = key.verifier();
    let cp = Checkpoint::new(ORIGIN, 10_000_000, [9; 32]).expect("checkpoint");
    let note = checkpoint::sign_checkpoint(&cp, key.secret_key(), ORIGIN, 1_772_357_000)
        .expect("sign checkpoint");
    let no_witnesses: &[(&str, PublicKey)] = &[];
    let mut g = c.benchmark_group("checkpoint");
    g.bench_function("sign (note sig + cosignature)", |b| {
        b.iter(|| {
            checkpoint::sign_checkpoint(black_box(&cp), key.secret_key(), ORIGIN, 1_772_357_000)
                .expect("sign")
        })
    });
    g.bench_function("open (parse + 2 verify_strict)", |b| {
        b.iter(|| {
            checkpoint::open_checkpoint(black_box(&note), ORIGIN, &verifier, no_witnesses, 0)
                .expect("opens")
        })
    });
    g.finish();
}

fn bench_append(c: &mut Criterion) {
    let key = producer_key();
    let public = key.public_key();
    let (batch, _, _) = producer_chain(&key, TreeHashAlg::Sha256, 0, Hash32([0; 32]), APPEND_BATCH);
    let decoded: Vec<Record> = batch
        .iter()
        .map(|it| Record::decode(&it.record).expect("decode"))
        .collect();

    let mut g = c.benchmark_group("append");
    g.throughput(Throughput::Elements(APPEND_BATCH));
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    // The ceiling DESIGN.md measures append and verify against: strict Ed25519
    // verification of the batch on all cores.
    g.bench_function("ceiling: verify_strict x1000, all cores", |b| {
        b.iter(|| {
            decoded
                .par_iter()
                .for_each(|r| r.verify(&public, ORIGIN).expect("verifies"))
        })
    });
    g.bench_function("verify_strict x1000, one core", |b| {
        b.iter(|| {
            decoded
                .iter()
                .for_each(|r| r.verify(&public, ORIGIN).expect("verifies"))
        })
    });
    // A fresh log per iteration (init and the key registration untimed); the timed part is
    // the whole durable append: decode, verify, admit, tiles, bundles, fsyncs, state swap.
    g.bench_function("Log::append 1000 signed, durable, fresh log", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("tempdir");
                let mut log = new_log(&dir.path().join("log"));
                let start = Instant::now();
                let receipts = log.append(black_box(&batch)).expect("append");
                total += start.elapsed();
                assert_eq!(receipts.len(), APPEND_BATCH as usize);
            }
            total
        })
    });
    g.finish();
}

fn bench_log_proofs(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("log");
    let mut log = new_log(&path);
    let key = producer_key();
    let (mut seq, mut prev) = (0u64, Hash32([0; 32]));
    while log.size() < LOG_LEAVES {
        let n = BUILD_BATCH.min(LOG_LEAVES - log.size());
        let (items, s, p) = producer_chain(&key, log.alg(), seq, prev, n);
        (seq, prev) = (s, p);
        log.append(&items).expect("append while building");
    }
    let size = log.size();
    let alg = log.alg();
    let root = log.reader().root(size).expect("root");

    let mut g = c.benchmark_group(format!("proofs ({size} leaves, tiles on disk)"));
    let mut mix = Mix(1);
    g.bench_function("inclusion proof from tiles", |b| {
        let reader = log.reader();
        b.iter(|| {
            reader
                .inclusion_proof(size, mix.below(size))
                .expect("proof")
        })
    });
    let cases: Vec<(u64, [u8; 32], Vec<[u8; 32]>)> = {
        let reader = log.reader();
        (0..256)
            .map(|_| {
                let i = mix.below(size);
                let leaf = reader.leaf_hash(i, size).expect("leaf hash");
                (i, leaf, reader.inclusion_proof(size, i).expect("proof"))
            })
            .collect()
    };
    let mut k = 0usize;
    g.bench_function("inclusion verify", |b| {
        b.iter(|| {
            let (i, leaf, proof) = &cases[k % cases.len()];
            k += 1;
            alg.verify_inclusion(*i, size, leaf, proof, &root)
                .expect("verifies")
        })
    });
    g.bench_function("read entry + leaf hash from bundle", |b| {
        let reader = log.reader();
        b.iter(|| reader.leaf_hash(mix.below(size), size).expect("entry"))
    });
    g.bench_function("consistency proof from tiles", |b| {
        let reader = log.reader();
        b.iter(|| {
            reader
                .consistency_proof(1 + mix.below(size - 1), size)
                .expect("proof")
        })
    });
    let cons: Vec<(u64, [u8; 32], Vec<[u8; 32]>)> = {
        let reader = log.reader();
        (0..64)
            .map(|_| {
                let m = 1 + mix.below(size - 1);
                // Partial tiles of size m are gone; its root comes from the tiles of `size`.
                let old_root = alg.tree_hash(m, &reader.hashes(size)).expect("old root");
                (
                    m,
                    old_root,
                    reader.consistency_proof(m, size).expect("proof"),
                )
            })
            .collect()
    };
    g.bench_function("consistency verify", |b| {
        b.iter(|| {
            let (m, old_root, proof) = &cons[k % cons.len()];
            k += 1;
            alg.verify_consistency(*m, size, old_root, &root, proof)
                .expect("verifies")
        })
    });
    g.bench_function("root from tiles", |b| {
        let reader = log.reader();
        b.iter(|| reader.root(black_box(size)).expect("root"))
    });
    g.bench_function("Log::checkpoint (sign, CAS, fsync)", |b| {
        b.iter(|| log.checkpoint(1_772_357_000).expect("checkpoint"))
    });
    g.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = bench_records, bench_checkpoint, bench_append, bench_log_proofs
}
criterion::criterion_main!(benches);
