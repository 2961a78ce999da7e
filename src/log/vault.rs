//! Disclosures at rest: sealed with XChaCha20-Poly1305 under per-(retention rule, period)
//! keys, so that an erasure destroys a key (crypto-shredding) and copies of the ciphertext
//! kept elsewhere — backups, mirrors, object versions — become unreadable with it.
//!
//! Owns the names and the sealed-object format (docs/FORMAT.md §11.7); pure except for the
//! randomness the caller passes in. The log (`super`) does the storing, indexing, sweeping
//! and crash recovery.
//!
//! ```text
//! private/keys/<group>/<gen>                          a 32-byte key
//! private/disclosures/<group>/<gen>/<first>-<end>     one batch's disclosures of the group
//! ```
//! `<group>` is `<rule>~<day>`: the record's declared `retention_rule` (escaped; `-` when it
//! declares none) and the UTC day of its `occurred_at` — records that fall due together
//! share a key. `<gen>` (20 digits) is the log size when the key was made. A generation
//! number can be made again: an erasure undone before its commit destroys the key it made
//! for generation `<size>`, and the next erasure or batch at that size makes a new key under
//! the same path. So a path does not name one key: every sealed object names the id of its
//! key, and an object whose key id is not that of the key stored for its generation is
//! unreadable ([`VaultError::WrongKey`]), never decrypted with the wrong key. A sealed
//! object is the deterministic CBOR array `[1, key id, nonce, ciphertext]`; the plaintext is
//! `[* [leaf, [* disclosure]]]` and the associated data binds it to its group, generation
//! and leaf range, so an object cannot be moved to another name and still open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::record::Disclosure;
use crate::record::types::{Hash32, Timestamp};

/// Key length (XChaCha20-Poly1305).
pub const KEY_LEN: usize = 32;
/// Nonce length (XChaCha20: random nonces are safe).
pub const NONCE_LEN: usize = 24;
/// Version of the sealed-object format.
pub const OBJECT_VERSION: u64 = 1;
/// Key ids are BLAKE3 `derive_key` of the key under this context: they name a key without
/// revealing it.
pub const KEY_ID_CONTEXT: &str = "logseal 2026-03 disclosure key id v1";
const AAD_PREFIX: &[u8] = b"logseal disclosures v1\0";
/// Prefix of key objects in the private store.
pub const KEYS_PREFIX: &str = "keys";
/// Prefix of sealed disclosure objects in the private store.
pub const OBJECTS_PREFIX: &str = "disclosures";
/// Prefix of the sealed-value index objects, one per group generation (`inspect::sealed_index`):
/// keyed hashes under a key derived from the generation's data key, deleted with that key.
pub const SEALED_INDEX_PREFIX: &str = "index/sealed";

/// The store key of a group generation's sealed-value index object.
pub fn sealed_index_path(group: &str, gen_: u64) -> String {
    format!("{SEALED_INDEX_PREFIX}/{group}/{gen_:020}")
}

/// Why a sealed object cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    #[error("not a sealed disclosure object: {0}")]
    Malformed(String),
    /// The object names another key than the one given (e.g. a key since destroyed whose
    /// generation was made again): unreadable, not corrupt.
    #[error("sealed with key {found}, but key {expected} was given")]
    WrongKey { expected: Hash32, found: Hash32 },
    #[error("authentication failed: the object was altered, renamed or sealed with another key")]
    Authentication,
    #[error("the plaintext is not a disclosure list: {0}")]
    Plaintext(String),
}

/// A data key of one group generation.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey(pub [u8; KEY_LEN]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id())
    }
}

impl DataKey {
    /// The key's public name (what a retention-deletion's `shredded_key_id` records).
    pub fn id(&self) -> Hash32 {
        Hash32(blake3::derive_key(KEY_ID_CONTEXT, &self.0))
    }

    /// Parse a stored key object.
    pub fn from_bytes(bytes: &[u8]) -> Option<DataKey> {
        Some(DataKey(bytes.try_into().ok()?))
    }
}

/// The group of a record's disclosures: its declared rule and the UTC day it occurred.
pub fn group_name(rule: Option<&str>, occurred_at: Timestamp) -> String {
    let mut out = String::new();
    match rule {
        None => out.push('-'),
        Some(r) => {
            for b in r.bytes() {
                if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@') {
                    out.push(b as char);
                } else {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out.push('~');
    let day = jiff::Timestamp::from_millisecond(occurred_at.0 as i64)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
        .unwrap_or_else(|_| "out-of-range".into());
    out.push_str(&day);
    out
}

/// The store key of a group generation's data key.
pub fn key_path(group: &str, gen_: u64) -> String {
    format!("{KEYS_PREFIX}/{group}/{gen_:020}")
}

/// `(group, generation)` of a key path.
pub fn parse_key_path(key: &str) -> Option<(String, u64)> {
    let rest = key.strip_prefix(KEYS_PREFIX)?.strip_prefix('/')?;
    let (group, gen_) = rest.split_once('/')?;
    if group.is_empty() || gen_.len() != 20 {
        return None;
    }
    Some((group.to_string(), gen_.parse().ok()?))
}

/// A sealed object's name: which group generation and which leaf range it holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectName {
    pub group: String,
    pub gen_: u64,
    /// First leaf of the batch it was written with (inclusive).
    pub first: u64,
    /// End of that batch (exclusive).
    pub end: u64,
}

impl ObjectName {
    /// Its store key.
    pub fn path(&self) -> String {
        format!(
            "{OBJECTS_PREFIX}/{}/{:020}/{:020}-{:020}",
            self.group, self.gen_, self.first, self.end
        )
    }

    /// Parse a store key.
    pub fn parse(key: &str) -> Option<ObjectName> {
        let rest = key.strip_prefix(OBJECTS_PREFIX)?.strip_prefix('/')?;
        let mut parts = rest.split('/');
        let group = parts.next()?.to_string();
        let gen_ = parts.next()?;
        let range = parts.next()?;
        if parts.next().is_some() || group.is_empty() || gen_.len() != 20 {
            return None;
        }
        let (a, b) = range.split_once('-')?;
        let (first, end) = (a.parse().ok()?, b.parse().ok()?);
        if end <= first {
            return None;
        }
        Some(ObjectName {
            group,
            gen_: gen_.parse().ok()?,
            first,
            end,
        })
    }

    /// The key path of its generation.
    pub fn key_path(&self) -> String {
        key_path(&self.group, self.gen_)
    }

    fn aad(&self) -> Vec<u8> {
        let mut aad = AAD_PREFIX.to_vec();
        aad.extend_from_slice(self.path().as_bytes());
        aad
    }
}

/// The disclosures of some leaves, in leaf order.
pub type Entries = Vec<(u64, Vec<Disclosure>)>;

/// About how many bytes `entries` take in memory once opened: the structures and every
/// string, byte string and list they own (allocator overhead left out). An opened object
/// takes about three times its sealed size, so a cache bounded by sealed bytes alone keeps
/// three times its bound.
pub fn entries_size(entries: &Entries) -> usize {
    use crate::record::sealed::{PathElem, SealedValue};
    fn value(v: &SealedValue) -> usize {
        std::mem::size_of::<SealedValue>()
            + match v {
                SealedValue::Text(t) => t.capacity(),
                SealedValue::Bytes(b) => b.capacity(),
                SealedValue::Uint(_) => 0,
                SealedValue::List(l) => l.iter().map(value).sum(),
            }
    }
    let disclosure = |d: &Disclosure| {
        std::mem::size_of::<Disclosure>()
            + d.path.0.capacity() * std::mem::size_of::<PathElem>()
            + d.path
                .0
                .iter()
                .map(|e| match e {
                    PathElem::Name(n) => n.capacity(),
                    PathElem::Index(_) => 0,
                })
                .sum::<usize>()
            + value(&d.value)
            - std::mem::size_of::<SealedValue>()
    };
    entries.capacity() * std::mem::size_of::<(u64, Vec<Disclosure>)>()
        + entries
            .iter()
            .map(|(_, ds)| {
                (ds.capacity() - ds.len()) * std::mem::size_of::<Disclosure>()
                    + ds.iter().map(disclosure).sum::<usize>()
            })
            .sum::<usize>()
}

/// Seal `entries` (leaves within `name`'s range, ascending) under `key`.
pub fn seal(
    key: &DataKey,
    name: &ObjectName,
    entries: &[(u64, &[Disclosure])],
    nonce: [u8; NONCE_LEN],
) -> Vec<u8> {
    debug_assert!(
        entries
            .iter()
            .all(|(l, _)| (name.first..name.end).contains(l))
    );
    let plain = encode_entries(entries);
    let cipher = XChaCha20Poly1305::new(key.0.as_slice().into());
    let ct = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &plain,
                aad: &name.aad(),
            },
        )
        .expect("XChaCha20-Poly1305 encryption of a bounded buffer cannot fail");
    let mut out = Vec::with_capacity(ct.len() + 80);
    let mut e = minicbor::Encoder::new(&mut out);
    e.array(4)
        .and_then(|e| e.u64(OBJECT_VERSION))
        .and_then(|e| e.bytes(&key.id().0))
        .and_then(|e| e.bytes(&nonce))
        .and_then(|e| e.bytes(&ct))
        .expect("vec write");
    out
}

struct Sealed<'a> {
    key_id: Hash32,
    nonce: &'a [u8],
    ct: &'a [u8],
}

fn parse_sealed(bytes: &[u8]) -> Result<Sealed<'_>, VaultError> {
    let bad = |e: minicbor::decode::Error| VaultError::Malformed(e.to_string());
    let mut d = minicbor::Decoder::new(bytes);
    if d.array().map_err(bad)? != Some(4) {
        return Err(VaultError::Malformed("expected an array of 4".into()));
    }
    let v = d.u64().map_err(bad)?;
    if v != OBJECT_VERSION {
        return Err(VaultError::Malformed(format!(
            "format version {v}, this build reads {OBJECT_VERSION}"
        )));
    }
    let kid: [u8; 32] = d
        .bytes()
        .map_err(bad)?
        .try_into()
        .map_err(|_| VaultError::Malformed("key id: expected 32 bytes".into()))?;
    let nonce = d.bytes().map_err(bad)?;
    if nonce.len() != NONCE_LEN {
        return Err(VaultError::Malformed(format!(
            "nonce: expected {NONCE_LEN} bytes"
        )));
    }
    let ct = d.bytes().map_err(bad)?;
    if d.position() != bytes.len() {
        return Err(VaultError::Malformed(format!(
            "{} trailing bytes",
            bytes.len() - d.position()
        )));
    }
    Ok(Sealed {
        key_id: Hash32(kid),
        nonce,
        ct,
    })
}

/// The id of the key a sealed object needs.
pub fn sealed_key_id(bytes: &[u8]) -> Result<Hash32, VaultError> {
    Ok(parse_sealed(bytes)?.key_id)
}

/// Open a sealed object stored as `name` with `key`.
pub fn open(key: &DataKey, name: &ObjectName, bytes: &[u8]) -> Result<Entries, VaultError> {
    let s = parse_sealed(bytes)?;
    if s.key_id != key.id() {
        return Err(VaultError::WrongKey {
            expected: key.id(),
            found: s.key_id,
        });
    }
    let cipher = XChaCha20Poly1305::new(key.0.as_slice().into());
    let plain = cipher
        .decrypt(
            XNonce::from_slice(s.nonce),
            Payload {
                msg: s.ct,
                aad: &name.aad(),
            },
        )
        .map_err(|_| VaultError::Authentication)?;
    decode_entries(&plain).map_err(VaultError::Plaintext)
}

/// `[* [leaf, [* disclosure]]]` in deterministic CBOR.
pub fn encode_entries(items: &[(u64, &[Disclosure])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = minicbor::Encoder::new(&mut out);
    e.array(items.len() as u64).expect("vec write");
    for (leaf, ds) in items {
        e.array(2).and_then(|e| e.u64(*leaf)).expect("vec write");
        e.array(ds.len() as u64).expect("vec write");
        for d in *ds {
            e.encode(d).expect("vec write");
        }
    }
    out
}

/// Inverse of [`encode_entries`].
pub fn decode_entries(data: &[u8]) -> Result<Entries, String> {
    let mut d = minicbor::Decoder::new(data);
    let err = |e: minicbor::decode::Error| e.to_string();
    let n = d.array().map_err(err)?.ok_or("indefinite array")?;
    let mut out = Vec::new();
    for _ in 0..n {
        if d.array().map_err(err)? != Some(2) {
            return Err("expected [leaf, disclosures]".into());
        }
        let leaf = d.u64().map_err(err)?;
        let m = d.array().map_err(err)?.ok_or("indefinite array")?;
        let mut ds = Vec::new();
        for _ in 0..m {
            ds.push(d.decode::<Disclosure>().map_err(err)?);
        }
        out.push((leaf, ds));
    }
    if d.position() != data.len() {
        return Err("trailing bytes".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::sealed::{FieldPath, SealedValue};

    fn disclosure(v: &str) -> Disclosure {
        Disclosure {
            salt: [7; 16],
            path: FieldPath::parse("subject").unwrap(),
            value: SealedValue::Text(v.into()),
        }
    }

    fn name() -> ObjectName {
        ObjectName {
            group: group_name(
                Some("nl-ciot-latest-upload@1"),
                Timestamp(1_772_323_200_000),
            ),
            gen_: 3,
            first: 10,
            end: 20,
        }
    }

    /// An opened object takes several times its sealed size: the cache must be bounded by
    /// that, not by the bytes read (it held three times its bound).
    #[test]
    fn an_opened_object_is_counted_at_its_size_in_memory() {
        let key = DataKey([1; 32]);
        let ds: Vec<Disclosure> = (0..5).map(|k| disclosure(&format!("value {k}"))).collect();
        let entries: Vec<(u64, &[Disclosure])> = (10..20).map(|l| (l, &ds[..])).collect();
        let bytes = seal(&key, &name(), &entries, [9; NONCE_LEN]);
        let opened = open(&key, &name(), &bytes).unwrap();
        let size = entries_size(&opened);
        let floor = 10 * 5 * (std::mem::size_of::<Disclosure>() + "value 0".len());
        assert!(size >= floor, "{size} < {floor}");
        assert!(size > 2 * bytes.len(), "{size} vs {} sealed", bytes.len());
        assert_eq!(entries_size(&Vec::new()), 0);
    }

    #[test]
    fn group_names_are_rule_and_utc_day() {
        assert_eq!(
            group_name(Some("de-bdsg76-led-logs@1"), Timestamp(1_772_323_200_000)),
            "de-bdsg76-led-logs@1~2026-03-01"
        );
        assert_eq!(group_name(None, Timestamp(0)), "-~1970-01-01");
        assert_eq!(
            group_name(Some("a/b c"), Timestamp(0)),
            "a%2Fb%20c~1970-01-01"
        );
    }

    #[test]
    fn names_round_trip() {
        let n = name();
        assert_eq!(ObjectName::parse(&n.path()), Some(n.clone()));
        assert_eq!(
            parse_key_path(&n.key_path()),
            Some((n.group.clone(), n.gen_))
        );
        assert_eq!(ObjectName::parse("disclosures/g/1/2-3"), None);
    }

    #[test]
    fn seal_open_round_trip_and_refusals() {
        let key = DataKey([1; 32]);
        let ds = [disclosure("+31 6 1234 5678")];
        let bytes = seal(&key, &name(), &[(12, &ds)], [9; NONCE_LEN]);
        assert!(!bytes.windows(8).any(|w| w == b"1234 567"));
        let opened = open(&key, &name(), &bytes).unwrap();
        assert_eq!(opened, vec![(12, ds.to_vec())]);
        assert_eq!(sealed_key_id(&bytes).unwrap(), key.id());
        // Another key.
        assert!(matches!(
            open(&DataKey([2; 32]), &name(), &bytes),
            Err(VaultError::WrongKey { .. })
        ));
        // Moved to another name.
        let mut moved = name();
        moved.first = 11;
        assert_eq!(open(&key, &moved, &bytes), Err(VaultError::Authentication));
        // Any flipped byte.
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 1;
            assert!(open(&key, &name(), &b).is_err(), "byte {i}");
        }
    }
}
