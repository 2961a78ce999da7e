//! The sealed-value index: which leaves hold a sealed value, per retention group generation,
//! so that `logseal subject` opens only the disclosures it must.
//!
//! One index object per group generation whose data key is present, in the private part at
//! `index/sealed/<group>/<gen>`. Its entries are tags, not values:
//! `tag = BLAKE3-keyed_hash(index key, CBOR(value))` truncated to [`TAG_LEN`] bytes, where the
//! index key is `BLAKE3-derive_key(`[`INDEX_KEY_CONTEXT`]`, data key)` of that generation. A
//! list value is indexed by each of its items. Without the data key a tag opens nothing; when
//! an erasure destroys the key (crypto-shredding), the generation's index object is deleted
//! with it (`shred_key`), or else the next time the index is opened, and no key that could
//! recompute its tags remains.
//!
//! The stored form (format 2) is binary and searched in place: opening a generation's object
//! is one read and one checksum, a lookup is a binary search on the tag that touches only the
//! entries holding it. All integers little-endian:
//!
//! ```text
//! header   magic "LSSEALIX" | format u32 (2) | tag length u32 (16) | data key id [32]
//!          | objects u64 | entries u64
//! objects  per sealed object of the generation, sorted: first leaf u64, end leaf u64
//! entries  sorted by (tag, leaf, object): tag [16] | leaf u64 | object u32 (its position
//!          in `objects`)
//! trailer  BLAKE3 of everything before it [32]
//! ```
//!
//! Format 1 (JSON, same path) is read as unreadable and rebuilt.
//!
//! An index is a speed-up, never a source of truth: it is rebuilt when missing, unreadable,
//! made under another key or for another set of sealed objects, and every hit is read back
//! from the sealed object (under its own key) before it is returned; the caller authenticates
//! the record by its leaf hash and opens the commitment before reporting it.

use std::collections::BTreeMap;

use crate::cbor;
use crate::log::vault::{self, DataKey, ObjectName};
use crate::record::sealed::{Disclosure, SealedValue};
use crate::store::{ObjectStore, StoreError};

/// BLAKE3 `derive_key` context of a generation's index key (from its data key).
pub const INDEX_KEY_CONTEXT: &str = "logseal 2026-12-07 sealed-value index key v1";
/// Prefix of the index objects in the private part.
pub const PREFIX: &str = vault::SEALED_INDEX_PREFIX;
/// Bytes of a tag kept in the index.
pub const TAG_LEN: usize = 16;
/// The index format this code writes and reads.
pub const FORMAT: u32 = 2;
/// The largest index object read (a bound against a planted huge file).
pub const MAX_INDEX_LEN: usize = 1 << 31;

const MAGIC: &[u8; 8] = b"LSSEALIX";
const HEADER_LEN: usize = 8 + 4 + 4 + 32 + 8 + 8;
const OBJECT_LEN: usize = 16;
const ENTRY_LEN: usize = TAG_LEN + 8 + 4;
const TRAILER_LEN: usize = 32;

/// A truncated keyed hash of one sealed value.
pub type Tag = [u8; TAG_LEN];

/// Why the sealed-value index could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealedIndexError {
    #[error("sealed-value index: {0}")]
    Store(#[from] StoreError),
    /// A data key or a sealed object that fails to open under its own key.
    #[error("{path}: {reason}")]
    Corrupt { path: String, reason: String },
}

/// What opening the index did to a generation's index object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealedIndexEvent {
    /// Built from the sealed objects, and why.
    Rebuilt {
        group: String,
        gen_: u64,
        why: String,
    },
    /// Deleted: its generation's data key was destroyed.
    Removed { group: String, gen_: u64 },
}

/// The index key of a generation.
pub fn index_key(key: &DataKey) -> [u8; 32] {
    blake3::derive_key(INDEX_KEY_CONTEXT, &key.0)
}

/// The tag of `value` under `index_key`.
pub fn tag(index_key: &[u8; 32], value: &SealedValue) -> Tag {
    let h = blake3::keyed_hash(index_key, &cbor::to_vec(value));
    let mut t = [0u8; TAG_LEN];
    t.copy_from_slice(&h.as_bytes()[..TAG_LEN]);
    t
}

/// The values a disclosure is found by: its value, and each item of a list.
fn values_of(v: &SealedValue) -> Vec<&SealedValue> {
    match v {
        SealedValue::List(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// Whether `d` holds `value`: its whole value, or one item of its list.
pub fn holds(d: &Disclosure, value: &SealedValue) -> bool {
    values_of(&d.value).contains(&value)
}

fn le64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

/// Encode a generation's index: `objects` as given (sorted), `entries` sorted and deduplicated
/// here.
pub fn encode(
    key_id: &[u8; 32],
    objects: &[ObjectName],
    mut entries: Vec<(Tag, u64, u32)>,
) -> Vec<u8> {
    entries.sort_unstable();
    entries.dedup();
    let len = HEADER_LEN + objects.len() * OBJECT_LEN + entries.len() * ENTRY_LEN + TRAILER_LEN;
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(TAG_LEN as u32).to_le_bytes());
    out.extend_from_slice(key_id);
    out.extend_from_slice(&(objects.len() as u64).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for o in objects {
        out.extend_from_slice(&o.first.to_le_bytes());
        out.extend_from_slice(&o.end.to_le_bytes());
    }
    for (t, leaf, pos) in &entries {
        out.extend_from_slice(t);
        out.extend_from_slice(&leaf.to_le_bytes());
        out.extend_from_slice(&pos.to_le_bytes());
    }
    let sum = blake3::hash(&out);
    out.extend_from_slice(sum.as_bytes());
    out
}

/// One generation's stored index, checked (magic, format, lengths, checksum) and read in
/// place.
struct GenView {
    bytes: Vec<u8>,
    objects: usize,
    entries: usize,
}

impl GenView {
    /// Check a stored object's framing and checksum; its key id and objects are checked by
    /// the caller.
    fn parse(bytes: Vec<u8>) -> Result<GenView, String> {
        if bytes.len() < HEADER_LEN + TRAILER_LEN || &bytes[..8] != MAGIC {
            return Err("not a binary sealed-value index".into());
        }
        let format = le32(&bytes, 8);
        if format != FORMAT {
            return Err(format!("format {format} is not {FORMAT}"));
        }
        if le32(&bytes, 12) as usize != TAG_LEN {
            return Err(format!("tag length {} is not {TAG_LEN}", le32(&bytes, 12)));
        }
        let (objects, entries) = (le64(&bytes, 48), le64(&bytes, 56));
        let expect = (objects as u128) * OBJECT_LEN as u128
            + (entries as u128) * ENTRY_LEN as u128
            + (HEADER_LEN + TRAILER_LEN) as u128;
        if expect != bytes.len() as u128 {
            return Err(format!(
                "{} bytes where the header says {expect}",
                bytes.len()
            ));
        }
        let body_end = bytes.len() - TRAILER_LEN;
        if blake3::hash(&bytes[..body_end]).as_bytes() != &bytes[body_end..] {
            return Err("checksum mismatch (damaged or truncated)".into());
        }
        let v = GenView {
            bytes,
            objects: objects as usize,
            entries: entries as usize,
        };
        if (0..v.entries).any(|i| v.pos(i) as usize >= v.objects) {
            return Err("an entry names no sealed object".into());
        }
        Ok(v)
    }

    fn key_id(&self) -> &[u8] {
        &self.bytes[16..48]
    }

    fn object(&self, i: usize) -> (u64, u64) {
        let at = HEADER_LEN + i * OBJECT_LEN;
        (le64(&self.bytes, at), le64(&self.bytes, at + 8))
    }

    fn entry_at(&self, i: usize) -> usize {
        HEADER_LEN + self.objects * OBJECT_LEN + i * ENTRY_LEN
    }

    fn tag(&self, i: usize) -> &[u8] {
        let at = self.entry_at(i);
        &self.bytes[at..at + TAG_LEN]
    }

    fn leaf(&self, i: usize) -> u64 {
        le64(&self.bytes, self.entry_at(i) + TAG_LEN)
    }

    fn pos(&self, i: usize) -> u32 {
        le32(&self.bytes, self.entry_at(i) + TAG_LEN + 8)
    }

    /// Whether it indexes exactly `objects`.
    fn covers(&self, objects: &[ObjectName]) -> bool {
        self.objects == objects.len()
            && objects
                .iter()
                .enumerate()
                .all(|(i, o)| self.object(i) == (o.first, o.end))
    }

    /// (leaf, object position) of the entries holding `t`: a binary search, then only the
    /// matching entries are read.
    fn places(&self, t: &Tag) -> Vec<(u64, usize)> {
        let (mut lo, mut hi) = (0, self.entries);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.tag(mid) < &t[..] {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        (lo..self.entries)
            .take_while(|&i| self.tag(i) == &t[..])
            .map(|i| (self.leaf(i), self.pos(i) as usize))
            .collect()
    }
}

/// One group generation, its key and its stored entries.
struct Gen {
    group: String,
    gen_: u64,
    key: DataKey,
    objects: Vec<ObjectName>,
    view: GenView,
}

/// A sealed value found in one leaf's disclosures (not yet authenticated against the record).
#[derive(Debug, Clone)]
pub struct Hit {
    pub leaf: u64,
    pub group: String,
    pub gen_: u64,
    /// Every disclosure of the leaf in that generation (the caller picks what to reveal).
    pub disclosures: Vec<Disclosure>,
}

/// The sealed-value index over the private part of a log.
pub struct SealedIndex<'s> {
    store: &'s dyn ObjectStore,
    gens: Vec<Gen>,
}

/// The store key of a generation's index object.
pub fn object_key(group: &str, gen_: u64) -> String {
    vault::sealed_index_path(group, gen_)
}

impl<'s> SealedIndex<'s> {
    /// Open the index of the vault in `store` (a log's private part, its sequencer lock held
    /// by the caller): load each generation's index object, rebuild the missing or stale
    /// ones, delete those of generations whose key is gone.
    pub fn open(
        store: &'s dyn ObjectStore,
    ) -> Result<(SealedIndex<'s>, Vec<SealedIndexEvent>), SealedIndexError> {
        let mut objects: BTreeMap<(String, u64), Vec<ObjectName>> = BTreeMap::new();
        for k in store.list(vault::OBJECTS_PREFIX)? {
            if let Some(n) = ObjectName::parse(&k) {
                objects
                    .entry((n.group.clone(), n.gen_))
                    .or_default()
                    .push(n);
            }
        }
        let mut keys: BTreeMap<(String, u64), DataKey> = BTreeMap::new();
        for k in store.list(vault::KEYS_PREFIX)? {
            let Some(g) = vault::parse_key_path(&k) else {
                continue;
            };
            let bytes = store.get(&k)?.unwrap_or_default();
            let key = DataKey::from_bytes(&bytes).ok_or_else(|| SealedIndexError::Corrupt {
                path: store.describe(&k),
                reason: format!("a data key is {} bytes", vault::KEY_LEN),
            })?;
            keys.insert(g, key);
        }
        let mut events = Vec::new();
        for k in store.list(PREFIX)? {
            let rest = k.strip_prefix(PREFIX).unwrap_or("").trim_start_matches('/');
            let present = rest.split_once('/').and_then(|(g, n)| {
                let gen_: u64 = n.parse().ok()?;
                keys.contains_key(&(g.to_string(), gen_)).then_some(())
            });
            if present.is_none() {
                store.delete(&k)?;
                if let Some((g, n)) = rest.split_once('/') {
                    events.push(SealedIndexEvent::Removed {
                        group: g.to_string(),
                        gen_: n.parse().unwrap_or(0),
                    });
                }
            }
        }
        let mut ix = SealedIndex {
            store,
            gens: Vec::new(),
        };
        for ((group, gen_), key) in keys {
            let mut objs = objects.remove(&(group.clone(), gen_)).unwrap_or_default();
            objs.sort();
            let (g, why) = ix.load_or_build(group, gen_, key, objs)?;
            if let Some(why) = why {
                events.push(SealedIndexEvent::Rebuilt {
                    group: g.group.clone(),
                    gen_: g.gen_,
                    why,
                });
            }
            ix.gens.push(g);
        }
        store.sync()?;
        Ok((ix, events))
    }

    /// A generation's index from its object if current, else built and stored (and why).
    fn load_or_build(
        &self,
        group: String,
        gen_: u64,
        key: DataKey,
        objects: Vec<ObjectName>,
    ) -> Result<(Gen, Option<String>), SealedIndexError> {
        let path = object_key(&group, gen_);
        let key_id = key.id().0;
        let why = match self.store.get_at_most(&path, MAX_INDEX_LEN) {
            Ok(None) => "missing".to_string(),
            Err(StoreError::TooLarge { .. }) => "larger than an index can be".to_string(),
            Err(e) => return Err(e.into()),
            Ok(Some(bytes)) => match GenView::parse(bytes) {
                Err(e) => format!("unreadable: {e}"),
                Ok(v) if v.key_id() != &key_id[..] => "made under another data key".to_string(),
                Ok(v) if !v.covers(&objects) => "the group's sealed objects changed".to_string(),
                Ok(view) => {
                    let g = Gen {
                        group,
                        gen_,
                        key,
                        objects,
                        view,
                    };
                    return Ok((g, None));
                }
            },
        };
        let bytes = encode(&key_id, &objects, self.build(&key, &objects)?);
        self.store.put(&path, &bytes)?;
        let view = GenView::parse(bytes).map_err(|reason| SealedIndexError::Corrupt {
            path: self.store.describe(&path),
            reason,
        })?;
        let g = Gen {
            group,
            gen_,
            key,
            objects,
            view,
        };
        Ok((g, Some(why)))
    }

    /// A generation's entries, by opening each of its sealed objects.
    fn build(
        &self,
        key: &DataKey,
        objects: &[ObjectName],
    ) -> Result<Vec<(Tag, u64, u32)>, SealedIndexError> {
        let ikey = index_key(key);
        let mut entries = Vec::new();
        for (pos, name) in objects.iter().enumerate() {
            let Some(list) = self.open_object(key, name)? else {
                continue;
            };
            for (leaf, ds) in list {
                for d in &ds {
                    for v in values_of(&d.value) {
                        entries.push((tag(&ikey, v), leaf, pos as u32));
                    }
                }
            }
        }
        Ok(entries)
    }

    /// A sealed object's entries; `None` when absent or sealed under another key (unreadable,
    /// as the log reads it); an error when it fails to open under its own key.
    fn open_object(
        &self,
        key: &DataKey,
        name: &ObjectName,
    ) -> Result<Option<vault::Entries>, SealedIndexError> {
        let path = name.path();
        let Some(bytes) = self.store.get(&path)? else {
            return Ok(None);
        };
        match vault::open(key, name, &bytes) {
            Ok(e) => Ok(Some(e)),
            Err(vault::VaultError::WrongKey { .. }) => Ok(None),
            Err(e) => Err(SealedIndexError::Corrupt {
                path: self.store.describe(&path),
                reason: e.to_string(),
            }),
        }
    }

    /// The leaves whose disclosures hold `value` (whole, or as a list item), each read back
    /// from its sealed object: a tag whose disclosures do not hold the value is dropped.
    pub fn find(&self, value: &SealedValue) -> Result<Vec<Hit>, SealedIndexError> {
        let mut hits = Vec::new();
        for g in &self.gens {
            let t = tag(&index_key(&g.key), value);
            let mut by_object: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
            for (leaf, pos) in g.view.places(&t) {
                by_object.entry(pos).or_default().push(leaf);
            }
            for (pos, leaves) in by_object {
                let Some(name) = g.objects.get(pos) else {
                    continue;
                };
                let Some(list) = self.open_object(&g.key, name)? else {
                    continue;
                };
                for (leaf, ds) in list {
                    if leaves.contains(&leaf) && ds.iter().any(|d| holds(d, value)) {
                        hits.push(Hit {
                            leaf,
                            group: g.group.clone(),
                            gen_: g.gen_,
                            disclosures: ds,
                        });
                    }
                }
            }
        }
        hits.sort_by_key(|h| h.leaf);
        Ok(hits)
    }

    /// How many group generations the index covers.
    pub fn generations(&self) -> usize {
        self.gens.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::sealed::FieldPath;
    use crate::store::FsStore;

    fn disclosure(path: &str, v: SealedValue) -> Disclosure {
        Disclosure::new([7; 16], FieldPath::parse(path).unwrap(), v)
    }

    /// A private part with one group generation holding leaves 3 and 4.
    fn vault_with(dir: &std::path::Path) -> (FsStore, DataKey) {
        let store = FsStore::open(dir).unwrap();
        let key = DataKey([9; 32]);
        let name = ObjectName {
            group: "-~2026-03-01".into(),
            gen_: 0,
            first: 3,
            end: 5,
        };
        store.put(&name.key_path(), &key.0).unwrap();
        let three = [disclosure("subject", SealedValue::Text("sub-1".into()))];
        let four = [disclosure(
            "subjects",
            SealedValue::List(vec![
                SealedValue::Text("sub-2".into()),
                SealedValue::Text("sub-1".into()),
            ]),
        )];
        let sealed = vault::seal(&key, &name, &[(3, &three[..]), (4, &four[..])], [1; 24]);
        store.put(&name.path(), &sealed).unwrap();
        store.sync().unwrap();
        (store, key)
    }

    #[test]
    fn finds_exact_values_and_list_items_only() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) = vault_with(tmp.path());
        let (ix, events) = SealedIndex::open(&store).unwrap();
        assert!(matches!(&events[..], [SealedIndexEvent::Rebuilt { why, .. }] if why == "missing"));
        let leaves = |v: &str| -> Vec<u64> {
            ix.find(&SealedValue::Text(v.into()))
                .unwrap()
                .iter()
                .map(|h| h.leaf)
                .collect()
        };
        assert_eq!(leaves("sub-1"), vec![3, 4]);
        assert_eq!(leaves("sub-2"), vec![4]);
        assert!(leaves("SUB-1").is_empty());
        assert!(leaves("sub-1\n").is_empty());
        // Loaded, not rebuilt, the second time.
        let (_, events) = SealedIndex::open(&store).unwrap();
        assert!(events.is_empty(), "{events:?}");
    }

    #[test]
    fn holds_tags_not_values_and_goes_with_the_key() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, key) = vault_with(tmp.path());
        SealedIndex::open(&store).unwrap();
        let path = object_key("-~2026-03-01", 0);
        let raw = store.get(&path).unwrap().unwrap();
        assert!(!raw.windows(5).any(|w| w == b"sub-1"));
        let t = tag(&index_key(&key), &SealedValue::Text("sub-1".into()));
        assert!(raw.windows(TAG_LEN).any(|w| w == t));
        // Crypto-shredding: the key is destroyed, the index object goes too.
        store.delete(&vault::key_path("-~2026-03-01", 0)).unwrap();
        let (ix, events) = SealedIndex::open(&store).unwrap();
        assert!(matches!(
            &events[..],
            [SealedIndexEvent::Removed { gen_: 0, .. }]
        ));
        assert_eq!(store.get(&path).unwrap(), None);
        assert!(
            ix.find(&SealedValue::Text("sub-1".into()))
                .unwrap()
                .is_empty()
        );
    }

    fn names() -> Vec<ObjectName> {
        vec![ObjectName {
            group: "-~2026-03-01".into(),
            gen_: 0,
            first: 3,
            end: 5,
        }]
    }

    fn rebuilt_why(store: &FsStore) -> String {
        let (_, events) = SealedIndex::open(store).unwrap();
        match &events[..] {
            [SealedIndexEvent::Rebuilt { why, .. }] => why.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_lying_or_stale_index_is_rebuilt_never_believed() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, key) = vault_with(tmp.path());
        SealedIndex::open(&store).unwrap();
        let path = object_key("-~2026-03-01", 0);
        let ikey = index_key(&key);
        let sub = |v: &str| tag(&ikey, &SealedValue::Text(v.into()));
        // A well-formed file claiming "sub-3" is at leaf 3 and omitting leaf 4's "sub-1":
        // believed as a speed-up, but every hit is read back, so "sub-3" is not found.
        let lying = vec![(sub("sub-1"), 3, 0), (sub("sub-3"), 3, 0)];
        store
            .put(&path, &encode(&key.id().0, &names(), lying))
            .unwrap();
        let (ix, events) = SealedIndex::open(&store).unwrap();
        assert!(events.is_empty(), "{events:?}");
        assert!(
            ix.find(&SealedValue::Text("sub-3".into()))
                .unwrap()
                .is_empty()
        );
        // Another key id: rebuilt.
        let other = encode(&[0; 32], &names(), vec![(sub("sub-1"), 3, 0)]);
        store.put(&path, &other).unwrap();
        assert!(rebuilt_why(&store).contains("another data key"));
        // Other objects: rebuilt.
        let mut moved = names();
        moved[0].end = 6;
        store
            .put(&path, &encode(&key.id().0, &moved, vec![]))
            .unwrap();
        assert!(rebuilt_why(&store).contains("sealed objects changed"));
        // An entry naming no object: rebuilt.
        let stray = encode(&key.id().0, &names(), vec![(sub("sub-1"), 3, 1)]);
        store.put(&path, &stray).unwrap();
        assert!(rebuilt_why(&store).contains("names no sealed object"));
        // Format 1 (JSON) at the same path: rebuilt.
        store
            .put(
                &path,
                br#"{"format":1,"key_id":"","objects":[],"entries":[]}"#,
            )
            .unwrap();
        assert!(rebuilt_why(&store).contains("not a binary sealed-value index"));
    }

    #[test]
    fn a_damaged_index_is_rebuilt_and_finds_exactly_what_the_vault_holds() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) = vault_with(tmp.path());
        SealedIndex::open(&store).unwrap();
        let path = object_key("-~2026-03-01", 0);
        let good = store.get(&path).unwrap().unwrap();
        let leaves = |store: &FsStore, v: &str| -> Vec<u64> {
            let (ix, _) = SealedIndex::open(store).unwrap();
            let hits = ix.find(&SealedValue::Text(v.into())).unwrap();
            hits.iter().map(|h| h.leaf).collect()
        };
        // Every byte flipped in turn (header, objects, entries, checksum), and truncations.
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            store.put(&path, &bad).unwrap();
            assert!(rebuilt_why(&store).starts_with("unreadable: "), "byte {i}");
            assert_eq!(store.get(&path).unwrap().unwrap(), good, "byte {i}");
        }
        for cut in [0, 1, HEADER_LEN, good.len() - 1] {
            store.put(&path, &good[..cut]).unwrap();
            assert!(rebuilt_why(&store).starts_with("unreadable: "), "cut {cut}");
        }
        store.put(&path, &good[..good.len() - 1]).unwrap();
        assert_eq!(leaves(&store, "sub-1"), vec![3, 4]);
        assert_eq!(leaves(&store, "sub-2"), vec![4]);
        assert!(leaves(&store, "sub-3").is_empty());
    }
}
