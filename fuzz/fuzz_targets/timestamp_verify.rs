//! Fuzz the RFC 3161 time-stamp response verifier (src/timestamp) with the checked-in message
//! and CA (testvectors/timestamp): must never panic, whatever the response bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

const MESSAGE: &[u8] = include_bytes!("../../testvectors/timestamp/checkpoint.txt");
const CA: &str = include_str!("../../testvectors/timestamp/ca.pem");

fuzz_target!(|data: &[u8]| {
    let ca = logseal::timestamp::Authority::from_pem("tsa", CA).expect("the test CA decodes");
    let _ = logseal::timestamp::verify_response(data, MESSAGE, None, &[ca]);
});
