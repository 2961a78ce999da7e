//! [`HttpStore`]: the public part of a log read over HTTP (`logseal serve`, or any server of
//! the C2SP tlog-tiles layout), read-only. Every object is fetched with a bound on its size;
//! nothing read is trusted (the verifier checks it against the signed checkpoint, exactly as
//! it checks a directory). Listing is supported only for the checkpoint history, from
//! `GET checkpoints/` as `logseal serve` answers it (one key per line); a server that does
//! not answer it leaves the history "cannot be listed", which the verifier reports.

use std::time::Duration;

use super::{ObjectStore, StoreError, check_key};
use crate::client::Client;

/// The largest object read when the caller gives no bound (a full entry bundle of large
/// records fits).
const MAX_OBJECT: usize = 64 << 20;

/// A read-only store over HTTP.
#[derive(Debug, Clone)]
pub struct HttpStore {
    client: Client,
}

impl HttpStore {
    /// The public part served at `base` (`http://host:port[/prefix]`), each request bounded
    /// by `timeout`.
    pub fn new(base: &str, timeout: Duration) -> HttpStore {
        HttpStore {
            client: Client::new(base, timeout),
        }
    }

    fn remote(&self, key: &str, reason: String) -> StoreError {
        StoreError::Remote {
            path: self.describe(key),
            reason,
        }
    }

    fn read_only(&self, key: &str) -> StoreError {
        self.remote(key, "a log read over HTTP is read-only".into())
    }
}

impl ObjectStore for HttpStore {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get_at_most(key, MAX_OBJECT)
    }

    fn get_at_most(&self, key: &str, max: usize) -> Result<Option<Vec<u8>>, StoreError> {
        check_key(key)?;
        match self.client.get_object(key, max as u64) {
            Ok(Some(v)) if v.len() > max => Err(StoreError::TooLarge {
                path: self.describe(key),
                max,
            }),
            Ok(v) => Ok(v),
            Err(e) => Err(self.remote(key, e.to_string())),
        }
    }

    fn put(&self, key: &str, _data: &[u8]) -> Result<(), StoreError> {
        Err(self.read_only(key))
    }

    fn sync(&self) -> Result<(), StoreError> {
        Err(self.read_only(""))
    }

    fn compare_and_swap(
        &self,
        key: &str,
        _expected: Option<&[u8]>,
        _data: &[u8],
    ) -> Result<(), StoreError> {
        Err(self.read_only(key))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        Err(self.read_only(key))
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        if prefix != crate::log::history::HISTORY_PREFIX {
            return Err(self.remote(prefix, "only the checkpoint history can be listed".into()));
        }
        let key = format!("{prefix}/");
        let body = match self.client.get_object(&key, MAX_OBJECT as u64) {
            Ok(Some(b)) => b,
            Ok(None) => {
                return Err(self.remote(
                    &key,
                    "the server does not list the checkpoint history (GET checkpoints/ is \
                     answered by `logseal serve`)"
                        .into(),
                ));
            }
            Err(e) => return Err(self.remote(&key, e.to_string())),
        };
        let text = String::from_utf8(body)
            .map_err(|_| self.remote(&key, "the listing is not UTF-8".into()))?;
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if crate::log::history::parse_key(line).is_none() {
                return Err(self.remote(
                    &key,
                    format!("line {}: {line:?} is not a checkpoint history key", i + 1),
                ));
            }
            keys.push(line.to_string());
        }
        keys.sort();
        Ok(keys)
    }

    fn describe(&self, key: &str) -> String {
        format!("{}/{key}", self.client.base())
    }
}
