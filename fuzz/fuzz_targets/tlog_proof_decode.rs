//! Fuzz the C2SP tlog-proof parser and checker (src/tlog/proof.rs) and the foreign checkpoint
//! opener (src/tlog/open.rs) with a fixed key and entry: must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logseal::crypto::SecretKey;
use logseal::note::Ed25519NoteKey;
use logseal::tlog::open::{Policy, open};
use logseal::tlog::proof::{TlogProof, check};

fuzz_target!(|data: &[u8]| {
    let key = Ed25519NoteKey::new("log.example/tlog-proof", SecretKey::from_seed(&[5; 32]))
        .expect("valid name");
    let policy = Policy {
        log: key.verifier(),
        witnesses: Vec::new(),
        quorum: 0,
    };
    let _ = open(data, &policy);
    if let Ok(p) = TlogProof::parse(data) {
        assert_eq!(TlogProof::parse(&p.to_text()).as_ref(), Ok(&p));
        let _ = check(&p, b"entry 3", &policy);
    }
});
