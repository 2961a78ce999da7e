//! [`S3Store`]: a log part in an S3-compatible bucket (AWS S3, Garage, MinIO, ...), over the
//! `object_store` crate. Chosen by an `s3://bucket[/prefix]` location; the endpoint, region
//! and credentials come from the usual AWS variables (`AWS_ENDPOINT_URL`, `AWS_REGION`,
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP=true` for a plain-HTTP
//! endpoint such as a local cluster).
//!
//! Semantics against the [`ObjectStore`] contract:
//! - `put` is one PUT of the whole object; an S3 PUT is durable when it is acknowledged
//!   (Garage acknowledges after a write quorum of its replicas), so `sync` has nothing left
//!   to do;
//! - reads are bounded: the object's size is read from the response headers and a larger
//!   object is refused before its body is read;
//! - `compare_and_swap` reads the current object, compares it, and writes with the store's
//!   conditional PUT (`If-None-Match: *` to create, `If-Match: <etag>` to replace). **Not
//!   every S3-compatible store honours those headers** (Garage 2.x ignores both), so on such
//!   a store the swap is only as safe as the single writer behind it: a log writing to a
//!   bucket is coordinated by a store made for it (docs/STORAGE.md), never by this swap;
//! - `prefetch` starts fetching the announced objects in the background, with at most
//!   [`CONCURRENCY`] requests in flight for the whole store, and returns at once; each object
//!   is kept until it is read once. A read of an object still being fetched waits for that
//!   fetch; a fetch that failed (or an object larger than [`PREFETCH_MAX`]) is left to the
//!   read, which asks again and says why. Memory is bounded by what the caller announced: a
//!   new announcement drops every object of the earlier ones it does not name, so at most
//!   the announced objects plus the [`CONCURRENCY`] in flight are held, each at most
//!   [`PREFETCH_MAX`] bytes. A write or delete through this store drops what was prefetched
//!   of that object.
//!
//! The store owns a small tokio runtime and blocks on it, so it is used from synchronous
//! code (the verifier, the CLI); it must not be called from inside another tokio runtime's
//! worker thread.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex};

use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as OsPath;
use object_store::{
    GetOptions, ObjectStore as _, ObjectStoreExt as _, PutMode, PutOptions, PutPayload,
    UpdateVersion,
};

use super::{ObjectStore, StoreError, check_key};

/// Requests in flight at most while prefetching (for the whole store, across announcements).
pub const CONCURRENCY: usize = 32;

/// The largest object read when the caller gives no bound.
const MAX_OBJECT: usize = 64 << 20;

/// The largest object a prefetch keeps (prefetched keys are entry bundles and tiles): a
/// full bundle of the largest records; a larger object is left to the read, which refuses
/// it under its own bound.
pub const PREFETCH_MAX: usize = crate::log::reader::MAX_BUNDLE_LEN;

/// A store over one bucket and prefix.
pub struct S3Store {
    /// `s3://bucket/prefix` as given, for messages.
    url: String,
    bucket: String,
    /// Prefix inside the bucket, without leading or trailing `/` (may be empty).
    prefix: String,
    inner: Arc<dyn object_store::ObjectStore>,
    rt: Arc<tokio::runtime::Runtime>,
    prefetched: Arc<Prefetched>,
}

/// The objects announced by [`ObjectStore::prefetch`] and not read yet.
struct Prefetched {
    slots: Mutex<Slots>,
    /// Signalled whenever a fetch ends (its slot filled or removed).
    done: Condvar,
    /// Requests in flight, at most [`CONCURRENCY`] for the store.
    permits: tokio::sync::Semaphore,
}

#[derive(Default)]
struct Slots {
    map: HashMap<String, Slot>,
    /// The next fetch's number: a fetch fills only the slot it was started for (a key
    /// dropped and announced again is fetched again).
    next: u64,
}

enum Slot {
    /// Being fetched by fetch number `.0`.
    Pending(u64),
    /// Fetched (`None`: the store has no such object).
    Ready(Option<Vec<u8>>),
}

impl Prefetched {
    fn new() -> Arc<Prefetched> {
        Arc::new(Prefetched {
            slots: Mutex::default(),
            done: Condvar::new(),
            permits: tokio::sync::Semaphore::new(CONCURRENCY),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The prefetched object `key`, waiting for its fetch if it is under way; `None` when
    /// it was not announced or its fetch failed (the caller reads it itself).
    fn take(&self, key: &str) -> Option<Option<Vec<u8>>> {
        let mut slots = self.lock();
        loop {
            match slots.map.get(key) {
                None => return None,
                Some(Slot::Pending(_)) => {
                    slots = self.done.wait(slots).unwrap_or_else(|e| e.into_inner());
                }
                Some(Slot::Ready(_)) => match slots.map.remove(key) {
                    Some(Slot::Ready(v)) => return Some(v),
                    _ => unreachable!("the slot was ready"),
                },
            }
        }
    }

    /// Drop what was prefetched of `key` (it is written or deleted): a read asks the store.
    fn forget(&self, key: &str) {
        self.lock().map.remove(key);
        self.done.notify_all();
    }

    /// The end of fetch `n` of `key`: its object (`None` when it failed: the slot goes, and
    /// the read asks again).
    fn finish(&self, key: &str, n: u64, got: Option<Option<Vec<u8>>>) {
        let mut slots = self.lock();
        if matches!(slots.map.get(key), Some(Slot::Pending(m)) if *m == n) {
            match got {
                Some(v) => slots.map.insert(key.to_string(), Slot::Ready(v)),
                None => slots.map.remove(key),
            };
        }
        drop(slots);
        self.done.notify_all();
    }
}

/// Ends a fetch that never finished (its task dropped): a read waiting for it asks itself.
struct FetchGuard<'a> {
    prefetched: &'a Prefetched,
    key: &'a str,
    n: u64,
    finished: bool,
}

impl Drop for FetchGuard<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.prefetched.finish(self.key, self.n, None);
        }
    }
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store").field("url", &self.url).finish()
    }
}

/// `s3://bucket[/prefix]` split into bucket and prefix; `None` if `location` is no such URL.
pub fn parse_s3_url(location: &str) -> Option<Result<(String, String), String>> {
    let rest = location.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix = prefix.trim_matches('/');
    if bucket.is_empty() {
        return Some(Err(format!(
            "{location}: no bucket name (s3://BUCKET[/PREFIX])"
        )));
    }
    if !prefix.is_empty() && prefix.split('/').any(str::is_empty) {
        return Some(Err(format!("{location}: empty path element in the prefix")));
    }
    if prefix.split('/').any(|p| p == "." || p == "..") {
        return Some(Err(format!("{location}: '.' or '..' in the prefix")));
    }
    Some(Ok((bucket.to_string(), prefix.to_string())))
}

/// Whether `location` names a bucket (`s3://...`).
pub fn is_s3_url(location: &str) -> bool {
    location.starts_with("s3://")
}

impl S3Store {
    /// The bucket and prefix of `url` (`s3://bucket[/prefix]`), with endpoint, region and
    /// credentials from the environment (`AWS_*`).
    pub fn from_url(url: &str) -> Result<S3Store, StoreError> {
        Self::with_endpoint(url, None)
    }

    /// [`S3Store::from_url`] for a log's private part: `LOGSEAL_PRIVATE_AWS_ACCESS_KEY_ID`,
    /// `LOGSEAL_PRIVATE_AWS_SECRET_ACCESS_KEY` and `LOGSEAL_PRIVATE_AWS_ENDPOINT_URL`, where
    /// set, replace the `AWS_*` ones (the private bucket's own credentials, which readers of
    /// the public part never get). The key id and the secret are taken together or not at
    /// all.
    pub fn for_private_part(url: &str) -> Result<S3Store, StoreError> {
        let var = |name: &str| std::env::var(format!("LOGSEAL_PRIVATE_{name}")).ok();
        let credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Some((id, secret)),
            (None, None) => None,
            _ => {
                return Err(StoreError::Remote {
                    path: url.to_string(),
                    reason: "LOGSEAL_PRIVATE_AWS_ACCESS_KEY_ID and \
                             LOGSEAL_PRIVATE_AWS_SECRET_ACCESS_KEY must be set together"
                        .into(),
                });
            }
        };
        Self::with_options(url, var("AWS_ENDPOINT_URL").as_deref(), credentials)
    }

    /// [`S3Store::from_url`] with the endpoint given instead of `AWS_ENDPOINT_URL` (one
    /// node of a cluster, say).
    pub fn with_endpoint(url: &str, endpoint: Option<&str>) -> Result<S3Store, StoreError> {
        Self::with_options(url, endpoint, None)
    }

    fn with_options(
        url: &str,
        endpoint: Option<&str>,
        credentials: Option<(String, String)>,
    ) -> Result<S3Store, StoreError> {
        let bad = |reason: String| StoreError::Remote {
            path: url.to_string(),
            reason,
        };
        let (bucket, prefix) = parse_s3_url(url)
            .ok_or_else(|| bad("not an s3:// URL".into()))?
            .map_err(bad)?;
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&bucket);
        if let Some(e) = endpoint {
            builder = builder.with_endpoint(e);
        }
        if let Some((id, secret)) = credentials {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        let inner = builder.build().map_err(|e| {
            bad(format!(
                "{e} (the endpoint and credentials come from AWS_ENDPOINT_URL, AWS_REGION, \
                 AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for http)"
            ))
        })?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("logseal-s3")
            .enable_all()
            .build()
            .map_err(|e| bad(format!("starting the S3 client's runtime: {e}")))?;
        Ok(S3Store {
            url: url.trim_end_matches('/').to_string(),
            bucket,
            prefix,
            inner: Arc::new(inner),
            rt: Arc::new(rt),
            prefetched: Prefetched::new(),
        })
    }

    /// The same bucket under `prefix/sub` (the public and private parts of a log).
    pub fn sub(&self, sub: &str) -> Result<S3Store, StoreError> {
        check_key(sub)?;
        let prefix = match self.prefix.is_empty() {
            true => sub.to_string(),
            false => format!("{}/{sub}", self.prefix),
        };
        Ok(S3Store {
            url: format!("s3://{}/{prefix}", self.bucket),
            bucket: self.bucket.clone(),
            prefix,
            inner: self.inner.clone(),
            rt: self.rt.clone(),
            prefetched: Prefetched::new(),
        })
    }

    /// The object's path in the bucket: the key as it is (`OsPath::from` would
    /// percent-encode characters such as `~` in the stored name, while a listing returns
    /// names as stored, so a key listed would not be the key written).
    fn location(&self, key: &str) -> OsPath {
        let raw = match self.prefix.is_empty() {
            true => key.to_string(),
            false => format!("{}/{key}", self.prefix),
        };
        OsPath::parse(&raw).unwrap_or_else(|_| OsPath::from(raw))
    }

    fn remote(&self, key: &str, reason: String) -> StoreError {
        StoreError::Remote {
            path: self.describe(key),
            reason,
        }
    }

    /// One bounded read (async, for the prefetch's concurrency).
    async fn fetch(
        inner: &dyn object_store::ObjectStore,
        loc: &OsPath,
        max: usize,
    ) -> Result<Option<Fetched>, Fetch> {
        let got = match inner.get_opts(loc, GetOptions::default()).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(Fetch::Failed(e.to_string())),
        };
        if got.meta.size > max as u64 {
            return Err(Fetch::TooLarge);
        }
        let etag = got.meta.e_tag.clone();
        let bytes = got
            .bytes()
            .await
            .map_err(|e| Fetch::Failed(e.to_string()))?;
        if bytes.len() > max {
            return Err(Fetch::TooLarge);
        }
        Ok(Some((bytes.to_vec(), etag)))
    }

    fn read(&self, key: &str, max: usize) -> Result<Option<Fetched>, StoreError> {
        let loc = self.location(key);
        match self
            .rt
            .block_on(Self::fetch(self.inner.as_ref(), &loc, max))
        {
            Ok(v) => Ok(v),
            Err(Fetch::TooLarge) => Err(StoreError::TooLarge {
                path: self.describe(key),
                max,
            }),
            Err(Fetch::Failed(reason)) => Err(self.remote(key, reason)),
        }
    }

    fn write(&self, key: &str, data: &[u8], mode: PutMode) -> Result<(), WriteErr> {
        let loc = self.location(key);
        let opts = PutOptions {
            mode,
            ..PutOptions::default()
        };
        let payload = PutPayload::from(data.to_vec());
        match self.rt.block_on(self.inner.put_opts(&loc, payload, opts)) {
            Ok(_) => Ok(()),
            Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => Err(WriteErr::Conflict),
            Err(e) => Err(WriteErr::Other(e.to_string())),
        }
    }
}

/// An object's bytes and its ETag (when the store gave one).
type Fetched = (Vec<u8>, Option<String>);

enum Fetch {
    TooLarge,
    Failed(String),
}

enum WriteErr {
    Conflict,
    Other(String),
}

impl ObjectStore for S3Store {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get_at_most(key, MAX_OBJECT)
    }

    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        match self.prefetched.take(key) {
            Some(Some(v)) if v.len() > max => Err(StoreError::TooLarge {
                path: self.describe(key),
                max,
            }),
            Some(v) => Ok(v),
            None => Ok(self.read(key, max)?.map(|(v, _)| v)),
        }
    }

    fn put(&self, key: &str, data: &[u8]) -> Result<(), StoreError> {
        check_key(key)?;
        self.prefetched.forget(key);
        self.write(key, data, PutMode::Overwrite)
            .map_err(|e| match e {
                WriteErr::Conflict => self.remote(key, "the store refused the write".into()),
                WriteErr::Other(reason) => self.remote(key, format!("PUT: {reason}")),
            })
    }

    fn sync(&self) -> Result<(), StoreError> {
        // Every acknowledged PUT is durable already.
        Ok(())
    }

    fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        data: &[u8],
    ) -> Result<(), StoreError> {
        check_key(key)?;
        self.prefetched.forget(key);
        let conflict = || StoreError::CasConflict {
            key: self.describe(key),
        };
        let current = self.read(key, MAX_OBJECT)?;
        let mode = match (expected, &current) {
            (None, None) => PutMode::Create,
            (Some(want), Some((have, etag))) if want == have.as_slice() => match etag {
                Some(e) => PutMode::Update(UpdateVersion {
                    e_tag: Some(e.clone()),
                    version: None,
                }),
                None => {
                    return Err(self.remote(
                        key,
                        "the store gave no ETag: a conditional replace is impossible".into(),
                    ));
                }
            },
            _ => return Err(conflict()),
        };
        self.write(key, data, mode).map_err(|e| match e {
            WriteErr::Conflict => conflict(),
            WriteErr::Other(reason) => self.remote(key, format!("conditional PUT: {reason}")),
        })
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        check_key(key)?;
        self.prefetched.forget(key);
        let loc = self.location(key);
        match self.rt.block_on(self.inner.delete(&loc)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.remote(key, format!("DELETE: {e}"))),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        check_key(prefix)?;
        let loc = self.location(prefix);
        let strip = match self.prefix.is_empty() {
            true => String::new(),
            false => format!("{}/", self.prefix),
        };
        let listed: Vec<object_store::ObjectMeta> = self
            .rt
            .block_on(self.inner.list(Some(&loc)).try_collect())
            .map_err(|e| self.remote(prefix, format!("LIST: {e}")))?;
        let mut keys = Vec::with_capacity(listed.len());
        for meta in listed {
            let full = meta.location.to_string();
            let Some(key) = full.strip_prefix(&strip) else {
                return Err(self.remote(
                    prefix,
                    format!("LIST returned {full:?}, outside the prefix"),
                ));
            };
            keys.push(key.to_string());
        }
        keys.sort();
        Ok(keys)
    }

    fn prefetch(&self, keys: &[String]) {
        let announced: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let wanted: Vec<(String, u64)> = {
            let mut slots = self.prefetched.lock();
            // The newest announcement replaces the earlier ones: what was not read and is
            // not announced again is dropped (a fetch under way for it fills nothing).
            slots.map.retain(|k, _| announced.contains(k.as_str()));
            let mut wanted = Vec::new();
            for key in keys {
                if check_key(key).is_err() || slots.map.contains_key(key) {
                    continue;
                }
                let n = slots.next;
                slots.next += 1;
                slots.map.insert(key.clone(), Slot::Pending(n));
                wanted.push((key.clone(), n));
            }
            wanted
        };
        if wanted.is_empty() {
            return;
        }
        let prefetched = self.prefetched.clone();
        let inner = self.inner.clone();
        let locs: Vec<(String, u64, OsPath)> = (wanted.into_iter())
            .map(|(k, n)| {
                let loc = self.location(&k);
                (k, n, loc)
            })
            .collect();
        self.rt.spawn(async move {
            let (prefetched, inner) = (&prefetched, &inner);
            futures::stream::iter(locs)
                .for_each_concurrent(CONCURRENCY, |(key, n, loc)| async move {
                    let mut guard = FetchGuard {
                        prefetched,
                        key: &key,
                        n,
                        finished: false,
                    };
                    let Ok(_permit) = prefetched.permits.acquire().await else {
                        return;
                    };
                    // A failure is left to the read, which asks again and says why.
                    let got = match Self::fetch(inner.as_ref(), &loc, PREFETCH_MAX).await {
                        Ok(v) => Some(v.map(|(b, _)| b)),
                        Err(_) => None,
                    };
                    guard.finished = true;
                    prefetched.finish(&key, n, got);
                })
                .await;
        });
    }

    fn describe(&self, key: &str) -> String {
        match key.is_empty() {
            true => self.url.clone(),
            false => format!("{}/{key}", self.url),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_split_into_bucket_and_prefix() {
        assert_eq!(parse_s3_url("/tmp/log"), None);
        assert_eq!(
            parse_s3_url("s3://b").unwrap().unwrap(),
            ("b".to_string(), String::new())
        );
        assert_eq!(
            parse_s3_url("s3://b/a/log/").unwrap().unwrap(),
            ("b".to_string(), "a/log".to_string())
        );
        assert!(parse_s3_url("s3:///x").unwrap().is_err());
        assert!(parse_s3_url("s3://b/a//c").unwrap().is_err());
        assert!(parse_s3_url("s3://b/a/../c").unwrap().is_err());
    }
}

#[cfg(test)]
mod prefetch_tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures::stream::BoxStream;
    use object_store::memory::InMemory;
    use object_store::{
        CopyOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, PutMultipartOptions,
        PutResult,
    };

    use super::*;

    /// An in-memory bucket that counts GETs per key and the most in flight at once, answers
    /// each GET after a short delay, and fails the first GET of each key in `fail`.
    #[derive(Debug, Default)]
    struct Counting {
        inner: InMemory,
        gets: Mutex<HashMap<String, usize>>,
        fail: HashSet<String>,
        in_flight: AtomicUsize,
        most: AtomicUsize,
    }

    impl std::fmt::Display for Counting {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "Counting")
        }
    }

    #[async_trait::async_trait]
    impl object_store::ObjectStore for Counting {
        async fn put_opts(
            &self,
            location: &OsPath,
            payload: PutPayload,
            opts: PutOptions,
        ) -> object_store::Result<PutResult> {
            self.inner.put_opts(location, payload, opts).await
        }
        async fn put_multipart_opts(
            &self,
            location: &OsPath,
            opts: PutMultipartOptions,
        ) -> object_store::Result<Box<dyn MultipartUpload>> {
            self.inner.put_multipart_opts(location, opts).await
        }
        async fn get_opts(
            &self,
            location: &OsPath,
            options: GetOptions,
        ) -> object_store::Result<GetResult> {
            let key = location.to_string();
            let n = {
                let mut gets = self.gets.lock().unwrap();
                let n = gets.entry(key.clone()).or_default();
                *n += 1;
                *n
            };
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            if n == 1 && self.fail.contains(&key) {
                return Err(object_store::Error::Generic {
                    store: "Counting",
                    source: "the first GET of this key fails".into(),
                });
            }
            self.inner.get_opts(location, options).await
        }
        fn delete_stream(
            &self,
            locations: BoxStream<'static, object_store::Result<OsPath>>,
        ) -> BoxStream<'static, object_store::Result<OsPath>> {
            self.inner.delete_stream(locations)
        }
        fn list(
            &self,
            prefix: Option<&OsPath>,
        ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
            self.inner.list(prefix)
        }
        async fn list_with_delimiter(
            &self,
            prefix: Option<&OsPath>,
        ) -> object_store::Result<ListResult> {
            self.inner.list_with_delimiter(prefix).await
        }
        async fn copy_opts(
            &self,
            from: &OsPath,
            to: &OsPath,
            options: CopyOptions,
        ) -> object_store::Result<()> {
            self.inner.copy_opts(from, to, options).await
        }
    }

    fn store(fail: &[&str]) -> (S3Store, Arc<Counting>) {
        let counting = Arc::new(Counting {
            fail: fail.iter().map(|k| format!("log/{k}")).collect(),
            ..Counting::default()
        });
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let store = S3Store {
            url: "s3://test/log".into(),
            bucket: "test".into(),
            prefix: "log".into(),
            inner: counting.clone(),
            rt: Arc::new(rt),
            prefetched: Prefetched::new(),
        };
        (store, counting)
    }

    fn gets(c: &Counting, key: &str) -> usize {
        let gets = c.gets.lock().unwrap();
        gets.get(&format!("log/{key}")).copied().unwrap_or(0)
    }

    #[test]
    fn every_announced_object_is_fetched_once_concurrently_and_handed_out_once() {
        let (store, counting) = store(&[]);
        let keys: Vec<String> = (0..40).map(|i| format!("tile/entries/{i:03}")).collect();
        for k in &keys {
            store.put(k, k.as_bytes()).unwrap();
        }
        let mut announced = keys.clone();
        announced.push("tile/entries/999".into());
        store.prefetch(&announced);
        // The announcement returns before the fetches end; the reads wait for them.
        for k in &keys {
            assert_eq!(store.get(k).unwrap().as_deref(), Some(k.as_bytes()));
        }
        assert_eq!(store.get("tile/entries/999").unwrap(), None);
        for k in &announced {
            assert_eq!(gets(&counting, k), 1, "{k}");
        }
        let most = counting.most.load(Ordering::SeqCst);
        assert!(most > 1 && most <= CONCURRENCY, "{most} in flight");
        // Handed out once: a second read asks the store.
        store.get(&keys[0]).unwrap();
        assert_eq!(gets(&counting, &keys[0]), 2);
        // A bound on the read holds for a prefetched object.
        store.prefetch(&keys[1..2]);
        assert!(matches!(
            store.get_at_most(&keys[1], 3),
            Err(StoreError::TooLarge { .. })
        ));
        // A write or a delete drops what was prefetched of the object.
        store.prefetch(&keys[3..4]);
        store.put(&keys[3], b"new").unwrap();
        assert_eq!(store.get(&keys[3]).unwrap().as_deref(), Some(&b"new"[..]));
        store.prefetch(&keys[4..5]);
        store.delete(&keys[4]).unwrap();
        assert_eq!(store.get(&keys[4]).unwrap(), None);
        // Announcing an object already fetched does not fetch it again.
        store.prefetch(&keys[2..3]);
        store.prefetch(&keys[2..3]);
        assert_eq!(
            store.get(&keys[2]).unwrap().as_deref(),
            Some(keys[2].as_bytes())
        );
        assert_eq!(gets(&counting, &keys[2]), 2);
    }

    #[test]
    fn a_failed_prefetch_is_read_again_and_only_announced_objects_are_kept() {
        let (store, counting) = store(&["tile/0/000"]);
        let keys: Vec<String> = (0..10).map(|i| format!("tile/0/{i:03}")).collect();
        for k in &keys {
            store.put(k, k.as_bytes()).unwrap();
        }
        store.prefetch(&keys[..5]);
        // The failed fetch is fetched again by the read, which returns the object.
        assert_eq!(
            store.get(&keys[0]).unwrap().as_deref(),
            Some(keys[0].as_bytes())
        );
        assert_eq!(gets(&counting, &keys[0]), 2);
        // A new announcement drops what the earlier ones fetched and it does not name:
        // what the store holds is bounded by the newest announcement.
        store.prefetch(&keys[5..]);
        let held: Vec<String> = store.prefetched.lock().map.keys().cloned().collect();
        assert!(held.iter().all(|k| keys[5..].contains(k)), "{held:?}");
        for k in &keys[5..] {
            assert_eq!(store.get(k).unwrap().as_deref(), Some(k.as_bytes()));
            assert_eq!(gets(&counting, k), 1, "{k}");
        }
        assert!(store.prefetched.lock().map.is_empty());
        // A dropped object is read from the store, with the same bytes.
        for k in &keys[1..5] {
            assert_eq!(store.get(k).unwrap().as_deref(), Some(k.as_bytes()));
        }
    }
}
