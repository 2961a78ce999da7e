//! A stable-Rust stand-in for the cargo-fuzz targets in `fuzz/`: every committed vector and
//! deterministic mutations of it go through the same decoder entry points, which must return
//! (an error or a value) and never panic. Not coverage-guided: see fuzz/README.md.

use std::path::Path;

use logseal::crypto::{PublicKey, SecretKey};
use logseal::record::{Disclosure, Record};
use logseal::vectors::{self, Vector};

/// The entry points of fuzz/fuzz_targets/*.rs, one call each.
fn record_decode(data: &[u8], key: &PublicKey) {
    if let Ok(r) = Record::decode(data) {
        let _ = r.verify(key, vectors::ORIGIN);
    }
}

fn cbor_check(data: &[u8]) {
    let _ = logseal::cbor::check_deterministic(data);
}

fn disclosure_decode(data: &[u8]) {
    if let Ok(d) = Disclosure::from_bytes(data) {
        let _ = d.commitment();
    }
}

/// SplitMix64: a fixed, dependency-free pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random mutation: bit flip, byte set to an interesting value, insertion, deletion,
/// truncation, or a slice duplicated elsewhere.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    const INTERESTING: [u8; 12] = [
        0x00, 0x01, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x7f, 0x9f, 0xbf, 0xff,
    ];
    let mut b = input.to_vec();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        let len = b.len();
        match rng.below(6) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => {
                let i = rng.below(len + 1);
                b.insert(i, INTERESTING[rng.below(INTERESTING.len())]);
            }
            3 if len > 0 => {
                b.remove(rng.below(len));
            }
            4 => b.truncate(rng.below(len + 1)),
            _ if len > 1 => {
                let from = rng.below(len);
                let n = 1 + rng.below((len - from).min(16));
                let slice = b[from..from + n].to_vec();
                let at = rng.below(len + 1);
                b.splice(at..at, slice);
            }
            _ => b.push(rng.next() as u8),
        }
    }
    b
}

fn committed() -> Vec<Vector> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(vectors::DIR);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .collect()
}

#[test]
fn decoders_never_panic_on_vectors_and_mutations() {
    let all = committed();
    assert!(!all.is_empty(), "no committed vectors");
    let key = SecretKey::from_seed(&vectors::PRODUCER_SEED).public_key();
    let mut rng = Rng(0x6c6f_6773_6561_6c21);
    let mut runs = 0usize;
    for v in &all {
        record_decode(&v.record, &key);
        cbor_check(&v.record);
        // Large records cost more per run in a debug build: fewer mutations of those.
        let n = if v.record.len() > 4096 { 20 } else { 150 };
        for _ in 0..n {
            let m = mutate(&mut rng, &v.record);
            record_decode(&m, &key);
            cbor_check(&m);
            runs += 1;
        }
        for d in &v.disclosures {
            disclosure_decode(&d.cbor);
            cbor_check(&d.cbor);
            for _ in 0..40 {
                let m = mutate(&mut rng, &d.cbor);
                disclosure_decode(&m);
                cbor_check(&m);
                runs += 1;
            }
        }
    }
    // Random bytes, too: short inputs reach the head decoder's edge cases.
    for _ in 0..1000 {
        let len = rng.below(64);
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        record_decode(&data, &key);
        cbor_check(&data);
        disclosure_decode(&data);
        runs += 1;
    }
    assert!(runs >= 3000, "only {runs} inputs tried");
}
