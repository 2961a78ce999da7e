//! The vault as a handle sees it (which sealed objects and keys `private/` holds) and reading
//! a leaf's disclosures through it; data keys made, read and destroyed. Read-only handles
//! scan `sweep`, `state` and the vault as one consistent view ([`Log::scan`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[cfg(test)]
use super::faults::AFTER_LIST;
use super::sweep_recovery::SweepIntent;
use super::{
    CACHE_BYTES, CACHE_OBJECTS, Log, LogError, SCAN_ATTEMPTS, SWEEP_KEY, State, config_err,
    load_state, vault,
};
use crate::record::Disclosure;
use crate::store::ObjectStore;

/// What this handle knows of the vault.
#[derive(Debug, Default)]
pub(super) struct VaultView {
    pub(super) index: VaultIndex,
    /// Read-only handles: the objects a committed erasure destroys (its sequencer has not
    /// yet finished it).
    pub(super) shredded: BTreeSet<String>,
    /// Read-only handles: objects listed by the latest scan that were found unreadable just
    /// after it (gone, or under another key); not re-scanned for again.
    pub(super) gone: BTreeSet<String>,
}

/// Which sealed objects and keys the private part holds.
#[derive(Debug, Default)]
pub(super) struct VaultIndex {
    /// First leaf of a batch → the objects written for it (one per group and generation).
    pub(super) by_batch: BTreeMap<u64, Vec<vault::ObjectName>>,
    /// (group, generation) → its objects.
    pub(super) by_group: BTreeMap<(String, u64), Vec<vault::ObjectName>>,
    /// Group → generations whose key is present.
    pub(super) keys: BTreeMap<String, BTreeSet<u64>>,
}

impl VaultIndex {
    pub(super) fn load(store: &dyn ObjectStore) -> Result<Self, LogError> {
        let mut ix = VaultIndex::default();
        for key in store.list(vault::OBJECTS_PREFIX)? {
            let name = vault::ObjectName::parse(&key).ok_or_else(|| LogError::State {
                path: store.describe(&key),
                reason: "not the name of a sealed disclosure object \
                         (disclosures/<group>/<gen>/<first>-<end>)"
                    .into(),
            })?;
            ix.add_object(name);
        }
        for key in store.list(vault::KEYS_PREFIX)? {
            let (group, gen_) = vault::parse_key_path(&key).ok_or_else(|| LogError::State {
                path: store.describe(&key),
                reason: "not the name of a data key (keys/<group>/<gen>)".into(),
            })?;
            ix.keys.entry(group).or_default().insert(gen_);
        }
        #[cfg(test)]
        if let Some(hook) = AFTER_LIST.with(|h| h.borrow_mut().take()) {
            hook();
        }
        Ok(ix)
    }

    pub(super) fn add_object(&mut self, name: vault::ObjectName) {
        self.by_group
            .entry((name.group.clone(), name.gen_))
            .or_default()
            .push(name.clone());
        self.by_batch.entry(name.first).or_default().push(name);
    }

    /// The objects that may hold `leaf`.
    pub(super) fn objects_for(&self, leaf: u64) -> impl Iterator<Item = &vault::ObjectName> {
        self.by_batch
            .range(..=leaf)
            .next_back()
            .into_iter()
            .flat_map(|(_, v)| v)
            .filter(move |n| leaf < n.end)
    }

    /// The generation new disclosures of `group` are sealed under.
    pub(super) fn current_gen(&self, group: &str) -> Option<u64> {
        self.keys.get(group).and_then(|g| g.last().copied())
    }
}

impl Log {
    /// Reload the vault index from the store (the sequencer, after removing objects).
    pub(super) fn reload_vault(&mut self) -> Result<(), LogError> {
        let index = VaultIndex::load(self.private.as_ref())?;
        *self.vault.get_mut().expect("vault lock") = VaultView {
            index,
            ..Default::default()
        };
        self.cache.get_mut().expect("cache lock").clear();
        Ok(())
    }

    /// Read-only handles: scan the vault again, with the objects a committed sweep destroys.
    pub(super) fn rescan_vault(&self) -> Result<(), LogError> {
        let (_, _, view) = self.scan()?;
        *self.vault.write().expect("vault lock") = view;
        self.cache.lock().expect("cache lock").clear();
        Ok(())
    }

    /// Read-only handles: the sequencer's state and the vault as one consistent view, never
    /// recovering anything. `sweep` and `state` are read before the vault is listed: an
    /// erasure re-seals (and syncs) its survivors before it commits, so a listing taken after
    /// seeing its commit holds them, and the old objects the committed `sweep` destroys are
    /// marked shredded. If `sweep` changed while the vault was listed (an erasure began or
    /// ended meanwhile), the scan is taken again.
    pub(super) fn scan(&self) -> Result<(Vec<u8>, State, VaultView), LogError> {
        let mut last = None;
        for _ in 0..SCAN_ATTEMPTS {
            let sweep_bytes = self.private.get(SWEEP_KEY)?;
            let intent = match &sweep_bytes {
                Some(b) => Some(
                    SweepIntent::from_bytes(b).map_err(|reason| LogError::State {
                        path: self.private.describe(SWEEP_KEY),
                        reason,
                    })?,
                ),
                None => None,
            };
            let (state_bytes, state) = load_state(self.private.as_ref())?;
            let committed = match &intent {
                Some(i) => match self.sweep_committed(i, state.size) {
                    Ok(c) => c,
                    // The partial bundle of that size may have been superseded meanwhile.
                    Err(e) => {
                        last = Some(e);
                        continue;
                    }
                },
                None => false,
            };
            let index = VaultIndex::load(self.private.as_ref())?;
            if self.private.get(SWEEP_KEY)? != sweep_bytes {
                continue;
            }
            let shredded = match intent {
                Some(i) if committed => i.old_objects.into_iter().collect(),
                _ => BTreeSet::new(),
            };
            let view = VaultView {
                index,
                shredded,
                gone: BTreeSet::new(),
            };
            return Ok((state_bytes, state, view));
        }
        Err(last.unwrap_or_else(|| LogError::State {
            path: self.private.describe(SWEEP_KEY),
            reason: format!(
                "changed during each of {SCAN_ATTEMPTS} scans of the vault (erasures in quick \
                 succession); read again"
            ),
        }))
    }

    /// The disclosures of leaf `index` that can still be read: none when the record had
    /// none, or when they were erased (their key destroyed, or a committed erasure destroys
    /// it). A read-only handle that finds an object it listed gone or sealed under another
    /// key (a concurrent erasure replaced it) scans the vault again, once, before calling
    /// it unreadable. Corruption (an object that fails to open under its own key) is an
    /// error naming the object. A handle a failed erasure or append poisoned refuses
    /// ([`LogError::Poisoned`]): its view may read what survives as erased.
    pub fn disclosures(&self, index: u64) -> Result<Vec<Disclosure>, LogError> {
        self.not_poisoned()?;
        if let Some(out) = self.read_disclosures(index, false)? {
            return Ok(out);
        }
        self.rescan_vault()?;
        Ok(self
            .read_disclosures(index, true)?
            .expect("the pass after a re-scan always answers"))
    }

    /// One pass of [`Log::disclosures`]; `None` when a read-only handle should re-scan first
    /// (not on the pass after a re-scan, `after_scan`).
    pub(super) fn read_disclosures(
        &self,
        index: u64,
        after_scan: bool,
    ) -> Result<Option<Vec<Disclosure>>, LogError> {
        let names: Vec<vault::ObjectName> = {
            let v = self.vault.read().expect("vault lock");
            v.index
                .objects_for(index)
                .filter(|n| {
                    let p = n.path();
                    !v.shredded.contains(&p) && !v.gone.contains(&p)
                })
                .cloned()
                .collect()
        };
        let mut out: Vec<Disclosure> = Vec::new();
        for name in &names {
            let Some(entries) = self.open_object(name)? else {
                if self.lock.is_some() {
                    // The sequencer's index is authoritative: unreadable means erased.
                    continue;
                }
                if !after_scan {
                    return Ok(None);
                }
                self.vault
                    .write()
                    .expect("vault lock")
                    .gone
                    .insert(name.path());
                continue;
            };
            if let Ok(pos) = entries.binary_search_by_key(&index, |e| e.0) {
                for d in &entries[pos].1 {
                    if !out.iter().any(|o| o.path == d.path) {
                        out.push(d.clone());
                    }
                }
            }
        }
        Ok(Some(out))
    }

    /// Open a sealed object; `None` when it cannot be read with any key the log has: its key
    /// or the object itself is gone, or it was sealed under another key than the one stored
    /// for its generation (a generation made again after an undone erasure, or a key being
    /// overwritten as it is destroyed). An object that fails to open under its own key is
    /// corrupt: an error naming it.
    pub(super) fn open_object(
        &self,
        name: &vault::ObjectName,
    ) -> Result<Option<Arc<vault::Entries>>, LogError> {
        let path = name.path();
        if let Some((_, e, _)) = self
            .cache
            .lock()
            .expect("cache lock")
            .iter()
            .find(|(k, _, _)| *k == path)
        {
            return Ok(Some(e.clone()));
        }
        let Some(key) = self.private.get(&name.key_path())? else {
            return Ok(None);
        };
        let key = vault::DataKey::from_bytes(&key).ok_or_else(|| LogError::State {
            path: self.private.describe(&name.key_path()),
            reason: format!("a data key is {} bytes", vault::KEY_LEN),
        })?;
        let Some(bytes) = self.private.get(&path)? else {
            return Ok(None);
        };
        let entries = match vault::open(&key, name, &bytes) {
            Ok(e) => Arc::new(e),
            Err(vault::VaultError::WrongKey { .. }) => return Ok(None),
            Err(e) => {
                return Err(LogError::State {
                    path: self.private.describe(&path),
                    reason: e.to_string(),
                });
            }
        };
        let mut cache = self.cache.lock().expect("cache lock");
        let size = bytes.len().max(vault::entries_size(&entries));
        cache.push((path, entries.clone(), size));
        while cache.len() > 1
            && (cache.len() > CACHE_OBJECTS
                || cache.iter().map(|(_, _, n)| n).sum::<usize>() > CACHE_BYTES)
        {
            cache.remove(0);
        }
        Ok(Some(entries))
    }

    /// The key of a group generation that must be present.
    pub(super) fn read_key(&self, group: &str, gen_: u64) -> Result<vault::DataKey, LogError> {
        let path = vault::key_path(group, gen_);
        let bytes = self.private.get(&path)?.ok_or_else(|| LogError::State {
            path: self.private.describe(&path),
            reason: "the data key is missing".into(),
        })?;
        vault::DataKey::from_bytes(&bytes).ok_or_else(|| LogError::State {
            path: self.private.describe(&path),
            reason: format!("a data key is {} bytes", vault::KEY_LEN),
        })
    }

    /// Make and store (not yet synced) a fresh key for a group generation; reuses a key
    /// a crashed writer already made for it.
    pub(super) fn make_key(&self, group: &str, gen_: u64) -> Result<vault::DataKey, LogError> {
        let (key, fresh) = self.new_key(group, gen_)?;
        if let Some(bytes) = fresh {
            self.private.put(&vault::key_path(group, gen_), &bytes)?;
        }
        Ok(key)
    }

    /// A fresh key for a group generation, and its bytes to store (`None`: a crashed writer
    /// already stored one, which is reused).
    pub(super) fn new_key(
        &self,
        group: &str,
        gen_: u64,
    ) -> Result<(vault::DataKey, Option<Vec<u8>>), LogError> {
        let path = vault::key_path(group, gen_);
        if self.private.get(&path)?.is_some() {
            return Ok((self.read_key(group, gen_)?, None));
        }
        let keys_dir = self.local.root().join(vault::KEYS_PREFIX);
        if self.config.private.is_none() && !keys_dir.exists() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&keys_dir)
                .map_err(|e| config_err(&keys_dir, format!("cannot create: {e}")))?;
        }
        let mut k = [0u8; vault::KEY_LEN];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut k);
        Ok((vault::DataKey(k), Some(k.to_vec())))
    }

    /// Destroy a data key: overwrite it in place (best effort: a copy-on-write file system
    /// or an SSD may keep the old blocks), then delete it.
    pub(super) fn shred_key(&self, key: &str) -> Result<(), LogError> {
        // In a directory, overwritten first; in a bucket, deleted (docs/STORAGE.md, Erasure
        // on object storage: what the operator configures for the bytes to be gone).
        let path = self.local.root().join(key);
        if self.config.private.is_none()
            && let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path)
        {
            use std::io::Write;
            let _ = f.write_all(&[0u8; vault::KEY_LEN]);
            let _ = f.sync_all();
        }
        self.private.delete(key)?;
        // The generation's sealed-value index goes with its key (crypto-shredding reaches it).
        if let Some((group, gen_)) = vault::parse_key_path(key) {
            self.private
                .delete(&vault::sealed_index_path(&group, gen_))?;
        }
        Ok(())
    }
}

pub(super) fn nonce() -> [u8; vault::NONCE_LEN] {
    let mut n = [0u8; vault::NONCE_LEN];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut n);
    n
}

impl crate::retention::DisclosureSource for Log {
    fn readable(&self, leaf: u64) -> Result<Vec<Disclosure>, String> {
        self.disclosures(leaf).map_err(|e| e.to_string())
    }
}
