//! The sealed-value index: which leaves hold a sealed value, per retention group generation,
//! so that `logseal subject` opens only the disclosures it must.
//!
//! One index object per group generation whose data key is present, in the private part at
//! `index/sealed/<group>/<gen>` (JSON). Its entries are tags, not values:
//! `tag = BLAKE3-keyed_hash(index key, CBOR(value))` truncated to [`TAG_LEN`] bytes, where the
//! index key is `BLAKE3-derive_key(`[`INDEX_KEY_CONTEXT`]`, data key)` of that generation. A
//! list value is indexed by each of its items. Without the data key a tag opens nothing; when
//! an erasure destroys the key (crypto-shredding), the generation's index object is obsolete
//! and is deleted the next time the index is opened, and no key that could recompute its tags
//! remains.
//!
//! An index is a speed-up, never a source of truth: it is rebuilt when missing, unreadable,
//! made under another key or for another set of sealed objects, and every hit is read back
//! from the sealed object (under its own key) before it is returned; the caller authenticates
//! the record by its leaf hash and opens the commitment before reporting it.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

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
const FORMAT: u32 = 1;

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

/// The stored form of one generation's index.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct GenFile {
    format: u32,
    /// The data key's id (`shredded_key_id` form): another key means stale.
    key_id: String,
    /// The sealed objects indexed, by store key, sorted.
    objects: Vec<String>,
    /// (tag hex, leaf, object position in `objects`).
    entries: Vec<(String, u64, usize)>,
}

/// One group generation, its key and its entries.
struct Gen {
    group: String,
    gen_: u64,
    key: DataKey,
    objects: Vec<ObjectName>,
    entries: HashMap<Tag, Vec<(u64, usize)>>,
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

    /// A generation's index from its object if current, else built (and why).
    fn load_or_build(
        &self,
        group: String,
        gen_: u64,
        key: DataKey,
        objects: Vec<ObjectName>,
    ) -> Result<(Gen, Option<String>), SealedIndexError> {
        let path = object_key(&group, gen_);
        let names: Vec<String> = objects.iter().map(ObjectName::path).collect();
        let key_id = hex::encode(key.id().0);
        let why = match self.store.get(&path)? {
            None => "missing".to_string(),
            Some(bytes) => match serde_json::from_slice::<GenFile>(&bytes) {
                Err(e) => format!("unreadable: {e}"),
                Ok(f) if f.format != FORMAT => format!("format {} is not {FORMAT}", f.format),
                Ok(f) if f.key_id != key_id => "made under another data key".to_string(),
                Ok(f) if f.objects != names => "the group's sealed objects changed".to_string(),
                Ok(f) => match parse_entries(&f) {
                    Some(entries) => {
                        let g = Gen {
                            group,
                            gen_,
                            key,
                            objects,
                            entries,
                        };
                        return Ok((g, None));
                    }
                    None => "an entry is malformed".to_string(),
                },
            },
        };
        let g = self.build(group, gen_, key, objects)?;
        let mut entries: Vec<(String, u64, usize)> = g
            .entries
            .iter()
            .flat_map(|(t, v)| v.iter().map(move |(l, o)| (hex::encode(t), *l, *o)))
            .collect();
        entries.sort();
        let file = GenFile {
            format: FORMAT,
            key_id,
            objects: names,
            entries,
        };
        let json = serde_json::to_vec(&file).expect("serialisable");
        self.store.put(&path, &json)?;
        Ok((g, Some(why)))
    }

    /// Build a generation's entries by opening each of its sealed objects.
    fn build(
        &self,
        group: String,
        gen_: u64,
        key: DataKey,
        objects: Vec<ObjectName>,
    ) -> Result<Gen, SealedIndexError> {
        let ikey = index_key(&key);
        let mut entries: HashMap<Tag, Vec<(u64, usize)>> = HashMap::new();
        for (pos, name) in objects.iter().enumerate() {
            let Some(list) = self.open_object(&key, name)? else {
                continue;
            };
            for (leaf, ds) in list {
                for d in &ds {
                    for v in values_of(&d.value) {
                        let e = entries.entry(tag(&ikey, v)).or_default();
                        if !e.contains(&(leaf, pos)) {
                            e.push((leaf, pos));
                        }
                    }
                }
            }
        }
        Ok(Gen {
            group,
            gen_,
            key,
            objects,
            entries,
        })
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
            let Some(places) = g.entries.get(&t) else {
                continue;
            };
            let mut by_object: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
            for (leaf, pos) in places {
                by_object.entry(*pos).or_default().push(*leaf);
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

fn parse_entries(f: &GenFile) -> Option<HashMap<Tag, Vec<(u64, usize)>>> {
    let mut out: HashMap<Tag, Vec<(u64, usize)>> = HashMap::new();
    for (t, leaf, pos) in &f.entries {
        let t: Tag = hex::decode(t).ok()?.try_into().ok()?;
        if *pos >= f.objects.len() {
            return None;
        }
        out.entry(t).or_default().push((*leaf, *pos));
    }
    Some(out)
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
        let t = hex::encode(tag(&index_key(&key), &SealedValue::Text("sub-1".into())));
        assert!(String::from_utf8(raw).unwrap().contains(&t));
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

    #[test]
    fn a_lying_or_stale_index_is_rebuilt_never_believed() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, key) = vault_with(tmp.path());
        SealedIndex::open(&store).unwrap();
        let path = object_key("-~2026-03-01", 0);
        // An entry claiming "sub-3" is at leaf 3: read back, it is not there.
        let mut f: GenFile = serde_json::from_slice(&store.get(&path).unwrap().unwrap()).unwrap();
        let t = hex::encode(tag(&index_key(&key), &SealedValue::Text("sub-3".into())));
        f.entries.push((t, 3, 0));
        store.put(&path, &serde_json::to_vec(&f).unwrap()).unwrap();
        let (ix, events) = SealedIndex::open(&store).unwrap();
        assert!(events.is_empty());
        assert!(
            ix.find(&SealedValue::Text("sub-3".into()))
                .unwrap()
                .is_empty()
        );
        // Another key id: rebuilt.
        f.key_id = "00".repeat(32);
        store.put(&path, &serde_json::to_vec(&f).unwrap()).unwrap();
        let (_, events) = SealedIndex::open(&store).unwrap();
        assert!(
            matches!(&events[..], [SealedIndexEvent::Rebuilt { why, .. }] if why.contains("another data key"))
        );
    }
}
