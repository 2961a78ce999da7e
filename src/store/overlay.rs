//! [`ReadOnlyOverlay`]: a store read through, whose writes stay in memory. For a reader that
//! must not write where it reads — a private part while `logseal serve` holds the log's
//! sequencer lock — but runs code that keeps a cache there (the sealed-value index rebuilds
//! and deletes its objects when it opens): the cache is rebuilt in memory for this process,
//! and nothing reaches the underlying store.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::{ObjectStore, StoreError, check_key};

/// `inner` read through; `put`, `compare_and_swap` and `delete` change only this overlay's
/// memory, which later reads and listings see.
pub struct ReadOnlyOverlay<'s> {
    inner: &'s dyn ObjectStore,
    changes: Mutex<Changes>,
}

#[derive(Default)]
struct Changes {
    written: BTreeMap<String, Vec<u8>>,
    deleted: BTreeSet<String>,
}

impl<'s> ReadOnlyOverlay<'s> {
    pub fn new(inner: &'s dyn ObjectStore) -> Self {
        ReadOnlyOverlay {
            inner,
            changes: Mutex::default(),
        }
    }

    fn changes(&self) -> std::sync::MutexGuard<'_, Changes> {
        self.changes.lock().expect("overlay lock")
    }
}

impl ObjectStore for ReadOnlyOverlay<'_> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        {
            let c = self.changes();
            if let Some(v) = c.written.get(key) {
                return Ok(Some(v.clone()));
            }
            if c.deleted.contains(key) {
                return Ok(None);
            }
        }
        self.inner.get(key)
    }

    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        match self.get(key)? {
            Some(v) if v.len() > max => Err(StoreError::TooLarge {
                path: self.describe(key),
                max,
            }),
            other => Ok(other),
        }
    }

    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
        check_key(key)?;
        let mut c = self.changes();
        c.deleted.remove(key);
        c.written.insert(key.to_string(), data.to_vec());
        Ok(())
    }

    fn sync(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError> {
        let current = self.get(key)?;
        if current.as_deref() != expected {
            return Err(StoreError::CasConflict {
                key: key.to_string(),
            });
        }
        self.put(key, data)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        check_key(key)?;
        let mut c = self.changes();
        c.written.remove(key);
        c.deleted.insert(key.to_string());
        Ok(())
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys: BTreeSet<String> = self.inner.list(prefix)?.into_iter().collect();
        let c = self.changes();
        keys.retain(|k| !c.deleted.contains(k));
        // A directory prefix, as the stores list it: the keys below it.
        let below = |k: &str| {
            prefix.is_empty() || k.strip_prefix(prefix).is_some_and(|r| r.starts_with('/'))
        };
        keys.extend(c.written.keys().filter(|k| below(k)).cloned());
        Ok(keys.into_iter().collect())
    }

    fn describe(&self, key: &str) -> String {
        format!(
            "{} (read only: changes kept in memory)",
            self.inner.describe(key)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::FsStore;

    #[test]
    fn writes_and_deletes_stay_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let fs = FsStore::open(dir.path()).unwrap();
        fs.put("index/a", b"old").unwrap();
        fs.put("index/b", b"gone").unwrap();
        fs.sync().unwrap();
        let o = ReadOnlyOverlay::new(&fs);
        o.put("index/a", b"new").unwrap();
        o.put("index/c", b"added").unwrap();
        o.delete("index/b").unwrap();
        assert_eq!(o.get("index/a").unwrap().as_deref(), Some(&b"new"[..]));
        assert_eq!(o.get("index/b").unwrap(), None);
        o.put("indexes/d", b"elsewhere").unwrap();
        assert_eq!(o.list("index").unwrap(), ["index/a", "index/c"]);
        assert!(o.compare_and_swap("index/a", Some(b"old"), b"x").is_err());
        o.compare_and_swap("index/a", Some(b"new"), b"x").unwrap();
        // The store underneath is untouched.
        assert_eq!(fs.get("index/a").unwrap().as_deref(), Some(&b"old"[..]));
        assert_eq!(fs.get("index/b").unwrap().as_deref(), Some(&b"gone"[..]));
        assert_eq!(fs.get("index/c").unwrap(), None);
        assert_eq!(fs.list("index").unwrap(), ["index/a", "index/b"]);
    }
}
