//! Fuzz the deterministic-CBOR checker: must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = logseal::cbor::check_deterministic(data);
});
