//! Fuzz the decoders of a sealed disclosure object and of its plaintext
//! (`logseal::log::vault`): `sealed_key_id`, `open` with a fixed key and name,
//! `decode_entries`, and — on UTF-8 input — the store-key parsers `ObjectName::parse` and
//! `parse_key_path`. Must never panic; what they accept must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logseal::log::vault::{self, DataKey, ObjectName};

fuzz_target!(|data: &[u8]| {
    let key = DataKey([0x11; vault::KEY_LEN]);
    let name = ObjectName {
        group: "nl-ciot-latest-upload@1~2026-03-01".into(),
        gen_: 3,
        first: 10,
        end: 20,
    };
    let _ = vault::sealed_key_id(data);
    let _ = vault::open(&key, &name, data);
    if let Ok(entries) = vault::decode_entries(data) {
        let refs: Vec<(u64, &[logseal::record::Disclosure])> =
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
});
