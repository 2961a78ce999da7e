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
//! - `prefetch` fetches a batch with up to [`CONCURRENCY`] requests in flight and keeps each
//!   object until it is read once, as [`super::HttpStore`] does.
//!
//! The store owns a small tokio runtime and blocks on it, so it is used from synchronous
//! code (the verifier, the CLI); it must not be called from inside another tokio runtime's
//! worker thread.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as OsPath;
use object_store::{
    GetOptions, ObjectStore as _, ObjectStoreExt as _, PutMode, PutOptions, PutPayload,
    UpdateVersion,
};

use super::{ObjectStore, StoreError, check_key};

/// Requests in flight at most while prefetching.
pub const CONCURRENCY: usize = 8;

/// The largest object read when the caller gives no bound.
const MAX_OBJECT: usize = 64 << 20;

/// The largest object a prefetch keeps (prefetched keys are entry bundles and tiles): a
/// full bundle of the largest records; a larger object is left to the read, which refuses
/// it under its own bound.
const PREFETCH_MAX: usize = crate::log::reader::MAX_BUNDLE_LEN;

/// A store over one bucket and prefix.
pub struct S3Store {
    /// `s3://bucket/prefix` as given, for messages.
    url: String,
    bucket: String,
    /// Prefix inside the bucket, without leading or trailing `/` (may be empty).
    prefix: String,
    inner: Arc<dyn object_store::ObjectStore>,
    rt: Arc<tokio::runtime::Runtime>,
    prefetched: Mutex<HashMap<String, Option<Vec<u8>>>>,
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
            prefetched: Mutex::new(HashMap::new()),
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
            prefetched: Mutex::new(HashMap::new()),
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
        let taken = (self.prefetched.lock().unwrap_or_else(|e| e.into_inner())).remove(key);
        match taken {
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
        let wanted: Vec<String> = {
            let mut have = self.prefetched.lock().unwrap_or_else(|e| e.into_inner());
            have.retain(|k, _| keys.contains(k));
            (keys.iter())
                .filter(|k| check_key(k).is_ok() && !have.contains_key(k.as_str()))
                .cloned()
                .collect()
        };
        let inner = self.inner.as_ref();
        let got: Vec<(String, Option<Vec<u8>>)> = self.rt.block_on(
            futures::stream::iter(wanted)
                .map(|key| async move {
                    let loc = self.location(&key);
                    // A failure is left to the read, which asks again and says why.
                    match Self::fetch(inner, &loc, PREFETCH_MAX).await {
                        Ok(v) => Some((key, v.map(|(b, _)| b))),
                        Err(_) => None,
                    }
                })
                .buffer_unordered(CONCURRENCY)
                .filter_map(|x| async move { x })
                .collect(),
        );
        let mut have = self.prefetched.lock().unwrap_or_else(|e| e.into_inner());
        have.extend(got);
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
