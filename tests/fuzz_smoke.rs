//! A stable-Rust stand-in for the cargo-fuzz targets in `fuzz/`: every committed vector, a
//! sealed disclosure object with its plaintext and store keys, and deterministic mutations
//! of them go through the same decoder entry points, which must return (an error or a value)
//! and never panic. Not coverage-guided: see fuzz/README.md.

use std::path::Path;

use logseal::crypto::{PublicKey, SecretKey};
use logseal::log::vault::{self, DataKey, ObjectName};
use logseal::record::sealed::{FieldPath, SealedValue};
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

/// fuzz/fuzz_targets/vault_object.rs: the fixed key and object name it opens with.
fn vault_key() -> DataKey {
    DataKey([0x11; vault::KEY_LEN])
}

fn vault_name() -> ObjectName {
    ObjectName {
        group: "nl-ciot-latest-upload@1~2026-03-01".into(),
        gen_: 3,
        first: 10,
        end: 20,
    }
}

/// The entry point of fuzz/fuzz_targets/vault_object.rs; returns whether `open` accepted.
fn vault_object(data: &[u8]) -> bool {
    let _ = vault::sealed_key_id(data);
    let opened = vault::open(&vault_key(), &vault_name(), data).is_ok();
    if let Ok(entries) = vault::decode_entries(data) {
        let refs: Vec<(u64, &[Disclosure])> =
            entries.iter().map(|(l, d)| (*l, d.as_slice())).collect();
        let again = vault::decode_entries(&vault::encode_entries(&refs));
        assert_eq!(again.as_ref(), Ok(&entries), "entries do not round-trip");
    }
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(n) = ObjectName::parse(s) {
            assert_eq!(ObjectName::parse(&n.path()).as_ref(), Some(&n), "{s:?}");
        }
        if let Some((group, gen_)) = vault::parse_key_path(s) {
            let again = vault::parse_key_path(&vault::key_path(&group, gen_));
            assert_eq!(again, Some((group, gen_)), "{s:?}");
        }
    }
    opened
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
        // The evidence-bundle vectors have their own index (tests/bundle.rs).
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("bundle-"))
        })
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

/// Seeds for `vault_object`: a sealed object of three leaves (text, list, bytes and number
/// values), its plaintext, and the store keys of the object and its key.
fn vault_seeds() -> Vec<Vec<u8>> {
    let d = |salt: u8, path: &str, value: SealedValue| Disclosure {
        salt: [salt; 16],
        path: FieldPath::parse(path).unwrap(),
        value,
    };
    let l10 = [d(1, "subject", SealedValue::Text("+31 6 1234 5678".into()))];
    let l12 = [
        d(2, "subject", SealedValue::Text("NL91ABNA0417164300".into())),
        d(
            3,
            "purpose",
            SealedValue::List(vec![SealedValue::Text("a".into()), SealedValue::Uint(7)]),
        ),
    ];
    let l19 = [d(4, "subject", SealedValue::Bytes(vec![0, 0xff, 0x18]))];
    let entries: [(u64, &[Disclosure]); 3] = [(10, &l10), (12, &l12), (19, &l19)];
    let name = vault_name();
    vec![
        vault::seal(&vault_key(), &name, &entries, [9; vault::NONCE_LEN]),
        vault::encode_entries(&entries),
        vault::encode_entries(&[]),
        name.path().into_bytes(),
        name.key_path().into_bytes(),
        b"disclosures/g/+0000000000000000003/1-2".to_vec(),
        b"keys/-~1970-01-01/18446744073709551615".to_vec(),
    ]
}

#[test]
fn vault_decoders_never_panic_on_sealed_objects_and_mutations() {
    let seeds = vault_seeds();
    // The seeds are what they claim: the object opens, the names parse.
    assert!(vault_object(&seeds[0]), "the sealed seed does not open");
    assert_eq!(vault::sealed_key_id(&seeds[0]).unwrap(), vault_key().id());
    assert_eq!(vault::decode_entries(&seeds[1]).unwrap().len(), 3);
    assert_eq!(
        ObjectName::parse(std::str::from_utf8(&seeds[3]).unwrap()),
        Some(vault_name())
    );
    assert!(vault::parse_key_path(std::str::from_utf8(&seeds[4]).unwrap()).is_some());
    let mut rng = Rng(0x7661_756c_745f_6f62);
    let mut runs = 0usize;
    for seed in &seeds {
        for _ in 0..300 {
            let m = mutate(&mut rng, seed);
            // A mutated object must not open unless the mutation left it unchanged.
            if vault_object(&m) {
                assert_eq!(&m, &seeds[0], "a mutated sealed object opened");
            }
            cbor_check(&m);
            runs += 1;
        }
    }
    // The ciphertext's envelope and the plaintext spliced together: decoders see the
    // plaintext's structure where they expect the sealed one's and the other way round.
    for _ in 0..300 {
        let cut = rng.below(seeds[0].len());
        let mut m = seeds[0][..cut].to_vec();
        m.extend_from_slice(&seeds[1][rng.below(seeds[1].len())..]);
        vault_object(&mutate(&mut rng, &m));
        runs += 1;
    }
    for _ in 0..500 {
        let len = rng.below(48);
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        vault_object(&data);
        runs += 1;
    }
    assert!(runs >= 2500, "only {runs} inputs tried");
}

/// A valid receipt of `record 3` in a tree of 7 records, as fuzz/fuzz_targets/receipt_decode.rs
/// checks it (same key, record and origin).
fn receipt_seed() -> Vec<u8> {
    let mut t = logseal::tree::MemoryHashStore::<logseal::tree::Sha256>::new();
    for i in 0..7 {
        t.append(format!("record {i}").as_bytes()).unwrap();
    }
    let key = SecretKey::from_seed(&[9; 32]);
    let path = t.inclusion_proof(7, 3).unwrap();
    let root = t.root_at(7).unwrap();
    logseal::receipt::make(
        &key,
        "log.example/receipts",
        b"record 3",
        7,
        3,
        &path,
        &root,
    )
    .unwrap()
}

#[test]
fn the_receipt_decoder_never_panics_and_accepts_only_the_seed() {
    let seed = receipt_seed();
    let key = SecretKey::from_seed(&[9; 32]).public_key();
    let check = |d: &[u8]| logseal::receipt::verify(d, b"record 3", &key, "log.example/receipts");
    assert!(check(&seed).is_ok());
    let mut rng = Rng(0x7265_6365_6970_7473);
    let mut accepted = 0;
    for _ in 0..3000 {
        let m = mutate(&mut rng, &seed);
        if m != seed && check(&m).is_ok() {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 0, "a changed receipt was accepted");
}

/// fuzz/fuzz_targets/timestamp_verify.rs: the openssl-made response over the checked-in
/// message, mutated, never panics the verifier; a mutation it still accepts (one that leaves
/// the signed TSTInfo and signature alone, e.g. the unsigned status granted → grantedWithMods)
/// proves the same genTime.
#[test]
fn the_timestamp_verifier_never_panics_and_proves_only_the_seed_time() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testvectors/timestamp");
    let seed = std::fs::read(dir.join("valid.tsr")).unwrap();
    let message = std::fs::read(dir.join("checkpoint.txt")).unwrap();
    let pem = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    let ca = [logseal::timestamp::Authority::from_pem("tsa", &pem).unwrap()];
    let check = |d: &[u8]| logseal::timestamp::verify_response(d, &message, None, &ca);
    let time = check(&seed).unwrap().gen_time;
    let mut rng = Rng(0x7473_7276_6572_6966);
    for _ in 0..3000 {
        let m = mutate(&mut rng, &seed);
        if let Ok(s) = check(&m) {
            assert_eq!(s.gen_time, time, "a changed response proves another time");
        }
    }
}
