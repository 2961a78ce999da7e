//! Fuzz the COSE receipt checker (src/receipt.rs) with a fixed record and key: must never
//! panic, whatever the receipt bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logseal::crypto::SecretKey;

fuzz_target!(|data: &[u8]| {
    let key = SecretKey::from_seed(&[9; 32]).public_key();
    let _ = logseal::receipt::verify(data, b"record 3", &key, "log.example/receipts");
});
