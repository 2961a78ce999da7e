//! The body of `POST /add` (docs/SERVE.md): one CBOR array of two elements in deterministic
//! encoding, the record (a byte string holding its COSE_Sign1) and its disclosures (an array,
//! as in a `.disclosures` file, sorted by the CBOR encoding of their paths; empty when the
//! record seals nothing).

use minicbor::bytes::ByteVec;

use crate::cbor;
use crate::log::AppendItem;
use crate::record::Disclosure;

/// Decode an `/add` body; `Err` names what is wrong (served as 400).
pub fn decode_add(bytes: &[u8]) -> Result<AppendItem, String> {
    let (record, disclosures): (ByteVec, Vec<Disclosure>) =
        cbor::decode_canonical(bytes).map_err(|e| {
            format!(
                "the body is not a CBOR array [record: bytes, disclosures: array] in \
                 deterministic encoding: {e}"
            )
        })?;
    for (i, pair) in disclosures.windows(2).enumerate() {
        let (a, b) = (pair[0].path.to_cbor(), pair[1].path.to_cbor());
        if a >= b {
            return Err(format!(
                "disclosure {}: {} is a repeat or out of order (sorted by the CBOR encoding \
                 of the path)",
                i + 1,
                pair[1].path
            ));
        }
    }
    Ok(AppendItem {
        record: record.into(),
        disclosures,
    })
}

/// The `/add` body of `item` (its disclosures sorted as the body requires).
pub fn encode_add(item: &AppendItem) -> Vec<u8> {
    let mut disclosures = item.disclosures.clone();
    disclosures.sort_by_cached_key(|d| d.path.to_cbor());
    cbor::to_vec(&(ByteVec::from(item.record.clone()), disclosures))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::fixtures::{Fixture, access};
    use crate::record::types::Hash32;

    #[test]
    fn round_trip_and_refusals() {
        let (f, _log) = Fixture::new();
        let mut item = access(
            0,
            Hash32([0; 32]),
            &f.producer,
            crate::log::fixtures::ORIGIN,
        );
        // A second disclosure, listed out of order (the body sorts them).
        let mut second = item.disclosures[0].clone();
        second.path = crate::record::sealed::FieldPath::parse("actor").unwrap();
        item.disclosures.push(second);
        let body = encode_add(&item);
        let back = decode_add(&body).unwrap();
        assert_eq!(back.record, item.record);
        let mut sorted = item.disclosures.clone();
        sorted.sort_by_cached_key(|d| d.path.to_cbor());
        assert_eq!(back.disclosures, sorted);
        // Not an array, a record that is not a byte string, a trailing byte.
        for bad in [
            vec![0x01],
            cbor::to_vec(&(1u8, Vec::<Disclosure>::new())),
            [body.clone(), vec![0]].concat(),
        ] {
            let e = decode_add(&bad).unwrap_err();
            assert!(e.starts_with("the body is not a CBOR array"), "{e}");
        }
        let twice = vec![item.disclosures[0].clone(), item.disclosures[0].clone()];
        let unsorted = vec![sorted[1].clone(), sorted[0].clone()];
        for ds in [twice, unsorted] {
            let body = cbor::to_vec(&(ByteVec::from(item.record.clone()), ds));
            let e = decode_add(&body).unwrap_err();
            assert!(e.contains("is a repeat or out of order"), "{e}");
        }
    }
}
