//! [`HttpStore`]: the public part of a log read over HTTP (`logseal serve`, or any server of
//! the C2SP tlog-tiles layout), read-only. Every object is fetched with a bound on its size;
//! nothing read is trusted (the verifier checks it against the signed checkpoint, exactly as
//! it checks a directory). Listing is supported only for the checkpoint history, from
//! `GET checkpoints/` as `logseal serve` answers it (one key per line); a server that does
//! not answer it leaves the history "cannot be listed", which the verifier reports.
//!
//! Reads are one request each, except that [`ObjectStore::prefetch`] fetches a batch of
//! objects with up to [`CONCURRENCY`] requests in flight and keeps them until they are read
//! (once: a prefetched object is handed out and forgotten, so memory is bounded by the
//! batch the caller announced). A prefetch that failed is fetched again by the read.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::{ObjectStore, StoreError, check_key};
use crate::client::Client;

/// The largest object read when the caller gives no bound (a full entry bundle of large
/// records fits).
const MAX_OBJECT: usize = 64 << 20;

/// Requests in flight at most while prefetching.
pub const CONCURRENCY: usize = 8;

/// A read-only store over HTTP.
#[derive(Debug)]
pub struct HttpStore {
    client: Client,
    /// Objects prefetched and not read yet (`None`: the server has no such object).
    prefetched: Mutex<HashMap<String, Option<Vec<u8>>>>,
}

impl HttpStore {
    /// The public part served at `base` (`http://host:port[/prefix]`), each request bounded
    /// by `timeout`.
    pub fn new(base: &str, timeout: Duration) -> HttpStore {
        HttpStore {
            client: Client::new(base, timeout),
            prefetched: Mutex::new(HashMap::new()),
        }
    }

    fn take_prefetched(&self, key: &str) -> Option<Option<Vec<u8>>> {
        self.prefetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key)
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
        let fetched = match self.take_prefetched(key) {
            Some(v) => Ok(v),
            None => self.client.get_object(key, max as u64),
        };
        match fetched {
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

    fn prefetch(&self, keys: &[String]) {
        let wanted: Vec<&String> = {
            let mut have = self.prefetched.lock().unwrap_or_else(|e| e.into_inner());
            // The newest announcement replaces the earlier ones: what was not read is dropped.
            have.retain(|k, _| keys.contains(k));
            (keys.iter())
                .filter(|k| check_key(k).is_ok() && !have.contains_key(k.as_str()))
                .collect()
        };
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..CONCURRENCY.min(wanted.len()) {
                s.spawn(|| {
                    while let Some(key) = wanted.get(next.fetch_add(1, Ordering::Relaxed)) {
                        // A failure is left to the read, which asks again and says why.
                        if let Ok(v) = self.client.get_object(key, MAX_OBJECT as u64) {
                            (self.prefetched.lock().unwrap_or_else(|e| e.into_inner()))
                                .insert(key.to_string(), v);
                        }
                    }
                });
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;

    /// A loopback server of `tile/entries/N` (body: `bundle N`; N ≥ 100 is absent) that
    /// counts requests and the most in flight at once; each of the first 7 requests waits
    /// (up to 2 s) for a second one to be in flight, so that concurrency shows without
    /// timing anything.
    fn server() -> (String, Arc<AtomicUsize>, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (requests, in_flight, most) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let (r, f, m) = (requests.clone(), in_flight.clone(), most.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let (r, f, m) = (r.clone(), f.clone(), m.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut first = String::new();
                    reader.read_line(&mut first).unwrap();
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok() && line != "\r\n" {
                        line.clear();
                    }
                    let nth = r.fetch_add(1, Ordering::SeqCst) + 1;
                    let now = f.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(now, Ordering::SeqCst);
                    let start = Instant::now();
                    // Only the first batch (7 requests) waits for company.
                    while nth <= 7
                        && f.load(Ordering::SeqCst) < 2
                        && start.elapsed() < Duration::from_secs(2)
                    {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    let n: u64 = (first.split_whitespace().nth(1).unwrap())
                        .trim_start_matches("/tile/entries/")
                        .parse()
                        .unwrap();
                    let (status, body) = match n < 100 {
                        true => ("200 OK", format!("bundle {n}")),
                        false => ("404 Not Found", String::new()),
                    };
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    f.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        (url, requests, most)
    }

    #[test]
    fn a_prefetch_fetches_concurrently_and_each_object_is_handed_out_once() {
        let (url, requests, most) = server();
        let store = HttpStore::new(&url, Duration::from_secs(10));
        let keys: Vec<String> = (0..6).map(|n| format!("tile/entries/{n}")).collect();
        let mut with_absent = keys.clone();
        with_absent.push("tile/entries/100".into());
        store.prefetch(&with_absent);
        assert_eq!(requests.load(Ordering::SeqCst), 7);
        assert!(
            most.load(Ordering::SeqCst) >= 2,
            "requests were not concurrent"
        );
        for (n, k) in keys.iter().enumerate() {
            let got = store.get(k).unwrap();
            assert_eq!(got, Some(format!("bundle {n}").into_bytes()));
        }
        assert_eq!(store.get("tile/entries/100").unwrap(), None);
        assert_eq!(requests.load(Ordering::SeqCst), 7, "read from the prefetch");
        // Handed out once: read again, it is fetched again.
        assert_eq!(store.get(&keys[0]).unwrap(), Some(b"bundle 0".to_vec()));
        assert_eq!(requests.load(Ordering::SeqCst), 8);
        // A bound on the read still holds for a prefetched object.
        store.prefetch(&keys[1..2]);
        assert!(matches!(
            store.get_at_most(&keys[1], 3),
            Err(StoreError::TooLarge { max: 3, .. })
        ));
        // A newer announcement drops what the earlier one left unread.
        store.prefetch(&keys[2..3]);
        store.prefetch(&keys[3..4]);
        let before = requests.load(Ordering::SeqCst);
        store.get(&keys[2]).unwrap();
        assert_eq!(requests.load(Ordering::SeqCst), before + 1);
    }
}
