//! Fuzz `Record::decode` (and, when it succeeds, `Record::verify`): must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = logseal::record::Record::decode(data) {
        let key = logseal::crypto::SecretKey::from_seed(&[0x11; 32]).public_key();
        let _ = r.verify(&key, "vectors.logseal.example/log");
    }
});
