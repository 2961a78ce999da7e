//! [`CachedStore`]: a local cache in front of a remote store (HTTP, S3) for the objects that
//! never change once published: full tiles and full entry bundles (C2SP tlog-tiles: a full
//! tile's bytes are fixed by the tree; a partial tile, `.p/`, and the checkpoint are not
//! cached). A second read of a large log then costs no network.
//!
//! The cache adds no trust: a cached object is read through the same bounded, type-checked
//! reads as any local object ([`FsStore`]) and authenticated by the verifier against the
//! signed checkpoint exactly like one read from the server, so a damaged or planted cache
//! entry is a finding about that object, never a pass. Deleting the cache directory is
//! always safe. The cache is read-through only: writes, deletes and listings go to the
//! remote store.

use std::path::PathBuf;

use super::{FsStore, ObjectStore, StoreError};

/// A remote store with a local cache of its immutable objects.
pub struct CachedStore {
    inner: Box<dyn ObjectStore>,
    cache: FsStore,
}

/// Whether `key` names an object whose bytes never change once published: a full tile or
/// full entry bundle (`tile/...`, no `.p` partial element).
pub fn immutable(key: &str) -> bool {
    key.starts_with("tile/") && !key.split('/').any(|p| p.ends_with(".p"))
}

impl CachedStore {
    /// `inner` cached in `dir` (created if missing). One directory per remote log: the
    /// caller names it after the log's location.
    pub fn new(inner: Box<dyn ObjectStore>, dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        Ok(CachedStore {
            inner,
            cache: FsStore::open(dir)?,
        })
    }

    /// Read `key` (at most `max` bytes), from the cache when it is there.
    fn read(&self, key: &str, max: Option<usize>) -> Result<Option<Vec<u8>>, StoreError> {
        let get = |s: &dyn ObjectStore| match max {
            Some(m) => s.get_at_most(key, m),
            None => s.get(key),
        };
        if !immutable(key) {
            return get(self.inner.as_ref());
        }
        if let Some(v) = get(&self.cache)? {
            return Ok(Some(v));
        }
        let got = get(self.inner.as_ref())?;
        if let Some(v) = &got {
            // A cache that cannot be written costs only speed: the read still answers.
            let _ = self.cache.put(key, v).and_then(|()| self.cache.sync());
        }
        Ok(got)
    }

    /// The cache directory.
    pub fn dir(&self) -> &std::path::Path {
        self.cache.root()
    }
}

impl ObjectStore for CachedStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(key, None)
    }

    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(key, Some(max))
    }

    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
        self.inner.put(key, data)
    }

    fn sync(&self) -> Result<(), StoreError> {
        self.inner.sync()
    }

    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError> {
        self.inner.compare_and_swap(key, expected, data)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let _ = self.cache.delete(key);
        self.inner.delete(key)
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.inner.list(prefix)
    }

    fn prefetch(&self, keys: &[String]) {
        let missing: Vec<String> = (keys.iter())
            .filter(|k| !immutable(k) || !self.cache.root().join(k.as_str()).is_file())
            .cloned()
            .collect();
        self.inner.prefetch(&missing);
    }

    fn describe(&self, key: &str) -> String {
        self.inner.describe(key)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A remote store that counts reads.
    struct Counting {
        objects: std::collections::BTreeMap<String, Vec<u8>>,
        reads: std::sync::Arc<Mutex<Vec<String>>>,
    }

    impl ObjectStore for Counting {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            self.reads.lock().unwrap().push(key.to_string());
            Ok(self.objects.get(key).cloned())
        }
        fn put(&self, _: &str, _: &[u8]) -> Result<(), StoreError> {
            unreachable!()
        }
        fn sync(&self) -> Result<(), StoreError> {
            Ok(())
        }
        fn compare_and_swap(&self, _: &str, _: Option<&[u8]>, _: &[u8]) -> Result<(), StoreError> {
            unreachable!()
        }
        fn delete(&self, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
        fn list(&self, _: &str) -> Result<Vec<String>, StoreError> {
            Ok(vec![])
        }
        fn describe(&self, key: &str) -> String {
            format!("remote/{key}")
        }
    }

    #[test]
    fn only_full_tiles_and_bundles_are_cached_and_a_cached_read_costs_no_request() {
        assert!(immutable("tile/0/x001/234"));
        assert!(immutable("tile/entries/x001/234"));
        assert!(!immutable("tile/entries/x001.p/7"));
        assert!(!immutable("tile/0/001.p/7"));
        assert!(!immutable("checkpoint"));
        let objects = [
            ("tile/entries/000", b"full".to_vec()),
            ("tile/entries/001.p/3", b"partial".to_vec()),
            ("checkpoint", b"note".to_vec()),
        ];
        let remote = Counting {
            objects: objects
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            reads: Default::default(),
        };
        let reads = remote.reads.clone();
        let dir = std::env::temp_dir().join(format!("logseal-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = CachedStore::new(Box::new(remote), &dir).unwrap();
        for _ in 0..2 {
            for (k, v) in &objects {
                assert_eq!(store.get(k).unwrap().as_ref(), Some(v));
            }
            assert_eq!(store.get("tile/entries/002").unwrap(), None);
        }
        // The full bundle was fetched once; the rest every time; an absent object is not
        // remembered as absent.
        let reads = reads.lock().unwrap().clone();
        let count = |k: &str| reads.iter().filter(|r| *r == k).count();
        assert_eq!(count("tile/entries/000"), 1);
        assert_eq!(count("tile/entries/001.p/3"), 2);
        assert_eq!(count("checkpoint"), 2);
        assert_eq!(count("tile/entries/002"), 2);
        assert!(dir.join("tile/entries/000").is_file());
        assert!(!dir.join("tile/entries/001.p/3").exists());
        // A bound still holds for a cached object.
        assert!(matches!(
            store.get_at_most("tile/entries/000", 2),
            Err(StoreError::TooLarge { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
