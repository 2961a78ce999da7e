//! Fuzz `Disclosure::from_bytes` (and the commitment of what it accepts): must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = logseal::record::Disclosure::from_bytes(data) {
        let _ = d.commitment();
    }
});
