//! Coordination of the sequencer through etcd: one sequencer per log at a time, proven by a
//! fencing token (docs/COORDINATION.md).
//!
//! Owns: [`SequencerLease`] (a lease, the sequencer key created under it, the token) and
//! the conditional commits of the log's mutable state under that token; the etcd client
//! itself is [`etcd::EtcdClient`]. Touches no object store: the caller commits its state
//! here *before* it publishes anything derived from that state, and publishes nothing when
//! a commit is refused.
//!
//! - [`SequencerLease::acquire`] grants a lease and, in one transaction, creates
//!   `<prefix>/sequencer` only if it does not exist, attached to the lease, holding the
//!   holder's description. The key's create revision is the **fencing token**: etcd's
//!   revisions only grow, so every later holder has a larger token, and a key deleted (lease
//!   expired or revoked) and created again never has an earlier holder's token.
//! - [`SequencerLease::commit_if_token`] and [`SequencerLease::commit_many`] write in one
//!   transaction that also compares the sequencer key's create revision with the token: a
//!   holder whose lease expired, even one paused and resumed after another took over, is
//!   refused ([`CoordError::Fenced`]) and changes nothing. A changed value is a distinct
//!   refusal ([`CoordError::Conflict`]).
//! - The lease lives while it is renewed: [`SequencerLease::keep_alive`] once, or
//!   [`SequencerLease::keep_alive_in_background`]. Safety does not depend on renewal or on
//!   any clock here: only the token compare, evaluated by etcd, decides a commit.

pub mod etcd;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

pub use etcd::EtcdClient;
use etcd::{Compare, KeyValue, Op, OpResponse, Txn};

/// The largest request etcd accepts by default (`--max-request-bytes`, 1.5 MiB).
pub const MAX_REQUEST_BYTES: usize = 1_572_864;

/// The bound a commit is checked against before it is sent: etcd's limit less room for the
/// request's framing (measured: etcd 3.4 accepts a one-put transaction of 1,572,814 bytes of
/// value and refuses one of 1,572,864). See [`commit_size`].
pub const MAX_COMMIT_BYTES: usize = MAX_REQUEST_BYTES - 4096;

/// The most operations etcd accepts in one transaction branch by default (`--max-txn-ops`).
pub const MAX_TXN_OPS: usize = 128;

/// The most keys one commit writes: the token compare takes one of the compares.
pub const MAX_COMMIT_KEYS: usize = MAX_TXN_OPS - 1;

/// The name, under the log's prefix, of the key that says who the sequencer is.
pub const SEQUENCER: &str = "sequencer";

/// What [`commit_size`] counts per compare or operation beyond its key and value bytes.
const OP_OVERHEAD: usize = 32;

/// Why a coordination step failed. Every variant names the etcd endpoint; those about a key
/// name the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoordError {
    #[error("etcd {endpoint}: {reason}")]
    Endpoint { endpoint: String, reason: String },
    #[error("etcd {endpoint}: {op}: {reason}")]
    Transport {
        endpoint: String,
        op: &'static str,
        reason: String,
    },
    /// The gateway refused the request; `message` is etcd's reason.
    #[error("etcd {endpoint}: {op}: HTTP {status}: {message}")]
    Status {
        endpoint: String,
        op: &'static str,
        status: u16,
        message: String,
    },
    #[error("etcd {endpoint}: {op}: the answer does not parse: {reason}")]
    Answer {
        endpoint: String,
        op: &'static str,
        reason: String,
    },
    /// Another sequencer holds the log; nothing was written.
    #[error(
        "etcd {endpoint}: {key}: the log has a sequencer already: {holder} (token {token}, \
         lease {lease:x}); nothing was written"
    )]
    Held {
        endpoint: String,
        key: String,
        holder: String,
        token: i64,
        lease: i64,
    },
    /// The token is no longer current: this sequencer lost its lease (expired, revoked, or
    /// taken over after it expired). It must stop writing and publish nothing more.
    #[error(
        "etcd {endpoint}: {key}: fenced: token {token} (lease {lease:x}) is no longer current; \
         {}; nothing was written",
        match current {
            Some(h) => format!("the sequencer now is {h}"),
            None => "there is no sequencer now".to_string(),
        }
    )]
    Fenced {
        endpoint: String,
        key: String,
        token: i64,
        lease: i64,
        current: Option<Holder>,
    },
    /// The token is current but the key's value is not the one expected; nothing was written.
    #[error(
        "etcd {endpoint}: {key}: the value changed: expected {}, found {}; nothing was written",
        show(expected.as_deref()),
        show(found.as_deref())
    )]
    Conflict {
        endpoint: String,
        key: String,
        expected: Option<Vec<u8>>,
        found: Option<Vec<u8>>,
    },
    /// The commit would exceed what etcd accepts in one request; nothing was sent.
    #[error(
        "etcd {endpoint}: {key}: a commit of {size} bytes exceeds the {max} bytes etcd \
         accepts in one request (--max-request-bytes, 1.5 MiB by default, less framing)"
    )]
    TooLarge {
        endpoint: String,
        key: String,
        size: usize,
        max: usize,
    },
    /// The commit writes more keys than one transaction may hold; nothing was sent.
    #[error(
        "etcd {endpoint}: a commit of {count} keys exceeds the {max} one transaction may \
         write (--max-txn-ops {MAX_TXN_OPS}, one compare taken by the token)"
    )]
    TooMany {
        endpoint: String,
        count: usize,
        max: usize,
    },
    #[error("etcd {endpoint}: key {key:?}: {reason}")]
    Key {
        endpoint: String,
        key: String,
        reason: String,
    },
}

/// Who holds the sequencer key: the description it wrote, its token and its lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub description: String,
    pub token: i64,
    pub lease: i64,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (token {}, lease {:x})",
            self.description, self.token, self.lease
        )
    }
}

impl Holder {
    fn from_kv(kv: &KeyValue) -> Holder {
        Holder {
            description: String::from_utf8_lossy(&kv.value).into_owned(),
            token: kv.create_revision,
            lease: kv.lease,
        }
    }
}

/// A value for an error message: its length and, when short and printable, its text.
fn show(value: Option<&[u8]>) -> String {
    match value {
        None => "no key".into(),
        Some(v) => match std::str::from_utf8(v) {
            Ok(s) if s.len() <= 64 && !s.chars().any(char::is_control) => {
                format!("{s:?} ({} bytes)", v.len())
            }
            _ => format!("{} bytes", v.len()),
        },
    }
}

/// One write of a commit: `key` (a name under the log's prefix) gets `new` if its value is
/// `expected` (`None`: if it does not exist).
#[derive(Debug, Clone, Copy)]
pub struct Write<'a> {
    pub key: &'a str,
    pub expected: Option<&'a [u8]>,
    pub new: &'a [u8],
}

/// An upper estimate of the request a commit of `writes` under `prefix` makes: the bytes of
/// every key and value it compares, writes or reads back, plus 32 bytes per compare and
/// operation.
pub fn commit_size(prefix: &str, writes: &[Write<'_>]) -> usize {
    let sequencer = prefix.len() + 1 + SEQUENCER.len();
    // The token compare and the sequencer read of the failure branch.
    let mut size = 2 * (sequencer + OP_OVERHEAD);
    for w in writes {
        let key = prefix.len() + 1 + w.key.len() + OP_OVERHEAD;
        // Its compare, its put and its read in the failure branch.
        size += 3 * key + w.expected.map_or(0, <[u8]>::len) + w.new.len();
    }
    size
}

/// Whether the sequencer key as read (`None`: absent) still carries `token`: `Ok` when it
/// does, else the [`Holder`] there now, if any.
fn judge_token(found: Option<&KeyValue>, token: i64) -> Result<(), Option<Holder>> {
    match found {
        Some(kv) if kv.create_revision == token => Ok(()),
        Some(kv) => Err(Some(Holder::from_kv(kv))),
        None => Err(None),
    }
}

/// The first write whose key, as read after a failed commit, does not hold its expected
/// value, with what was found.
fn first_conflict<'a>(
    writes: &[Write<'a>],
    found: &[Option<&KeyValue>],
) -> Option<(Write<'a>, Option<Vec<u8>>)> {
    writes.iter().zip(found).find_map(|(w, kv)| {
        let now = kv.map(|kv| kv.value.as_slice());
        (now != w.expected).then(|| (*w, now.map(<[u8]>::to_vec)))
    })
}

/// The one key a `Get` found, if any.
fn single(response: Option<&OpResponse>) -> Result<Option<&KeyValue>, String> {
    match response {
        Some(OpResponse::Range(kvs)) => Ok(kvs.first()),
        other => Err(format!("expected a range answer, found {other:?}")),
    }
}

/// The right to sequence one log: a lease, and the sequencer key created under it whose
/// create revision is the fencing token. Released (the lease revoked, the key deleted) by
/// [`SequencerLease::release`] or, failing that, when dropped.
#[derive(Debug)]
pub struct SequencerLease {
    client: EtcdClient,
    prefix: String,
    holder: String,
    lease: i64,
    token: i64,
    ttl: Duration,
    released: bool,
}

impl SequencerLease {
    /// Become the sequencer of the log whose keys start with `prefix/`, described to others
    /// as `holder` (e.g. `host:pid`), under a lease of `ttl` (whole seconds, rounded up;
    /// etcd may grant more). Refused with [`CoordError::Held`], naming the current holder,
    /// when the log has a sequencer; then nothing is written and the lease granted for the
    /// attempt is revoked.
    pub fn acquire(
        client: &EtcdClient,
        prefix: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<SequencerLease, CoordError> {
        check_prefix(client, prefix)?;
        let key = format!("{prefix}/{SEQUENCER}");
        let seconds = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
        let seconds = i64::try_from(seconds.max(1)).unwrap_or(i64::MAX);
        let (lease, granted) = client.lease_grant(seconds)?;
        let txn = Txn {
            compare: vec![Compare::CreateRevision {
                key: key.clone().into_bytes(),
                equals: 0,
            }],
            success: vec![
                Op::Put {
                    key: key.clone().into_bytes(),
                    value: holder.as_bytes().to_vec(),
                    lease,
                },
                Op::Get {
                    key: key.clone().into_bytes(),
                },
            ],
            failure: vec![Op::Get {
                key: key.clone().into_bytes(),
            }],
        };
        let answer = match client.txn(&txn) {
            Ok(a) => a,
            Err(e) => {
                // The key may have been created: revoking the lease deletes it.
                let _ = client.lease_revoke(lease);
                return Err(e);
            }
        };
        let read = answer.responses.get(if answer.succeeded { 1 } else { 0 });
        let found = match single(read) {
            Ok(Some(kv)) => kv.clone(),
            Ok(None) | Err(_) => {
                let _ = client.lease_revoke(lease);
                return Err(CoordError::Answer {
                    endpoint: client.endpoint().to_string(),
                    op: "txn",
                    reason: format!("{key} was not read back in the transaction"),
                });
            }
        };
        if !answer.succeeded || found.lease != lease {
            let _ = client.lease_revoke(lease);
            let other = Holder::from_kv(&found);
            return Err(CoordError::Held {
                endpoint: client.endpoint().to_string(),
                key,
                holder: other.description,
                token: other.token,
                lease: other.lease,
            });
        }
        Ok(SequencerLease {
            client: client.clone(),
            prefix: prefix.to_string(),
            holder: holder.to_string(),
            lease,
            token: found.create_revision,
            ttl: Duration::from_secs(u64::try_from(granted).unwrap_or(0)),
            released: false,
        })
    }

    /// The fencing token: the sequencer key's create revision.
    pub fn token(&self) -> i64 {
        self.token
    }

    /// The lease's id.
    pub fn lease(&self) -> i64 {
        self.lease
    }

    /// The lease's TTL as etcd granted it.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The description this holder wrote.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// The sequencer key (`<prefix>/sequencer`).
    pub fn sequencer_key(&self) -> String {
        format!("{}/{SEQUENCER}", self.prefix)
    }

    /// The etcd key of `key`, a name under the log's prefix.
    pub fn full_key(&self, key: &str) -> String {
        format!("{}/{key}", self.prefix)
    }

    /// The value of `key` (a name under the log's prefix), `None` when absent. A read, not
    /// a proof of anything: only a commit is checked against the token.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CoordError> {
        self.check_name(key)?;
        let range = self.client.get(self.full_key(key).as_bytes())?;
        Ok(range.kvs.into_iter().next().map(|kv| kv.value))
    }

    /// Whether the token is still current; [`CoordError::Fenced`] when it is not. Useful
    /// before expensive work; the commit checks again.
    pub fn check_token(&self) -> Result<(), CoordError> {
        let range = self.client.get(self.sequencer_key().as_bytes())?;
        judge_token(range.kvs.first(), self.token).map_err(|current| self.fenced(current))
    }

    /// Renew the lease once; returns its TTL. [`CoordError::Fenced`] when the lease is gone
    /// (it cannot be renewed: the holder must stop). Renew at a third of the TTL or more often.
    pub fn keep_alive(&self) -> Result<Duration, CoordError> {
        keep_alive(&self.client, self.lease, self.token, &self.sequencer_key())
    }

    /// Renew the lease from a thread every third of its TTL until the returned handle is
    /// stopped or dropped, or the lease is found gone.
    pub fn keep_alive_in_background(&self) -> KeepAlive {
        let interval = (self.ttl / 3).max(Duration::from_millis(200));
        let (stop, stopped) = mpsc::channel::<()>();
        let lost = Arc::new(AtomicBool::new(false));
        let (client, lease, token, key) = (
            self.client.clone(),
            self.lease,
            self.token,
            self.sequencer_key(),
        );
        let flag = lost.clone();
        let thread = thread::spawn(move || {
            let mut last_error = None;
            while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                match keep_alive(&client, lease, token, &key) {
                    Ok(_) => last_error = None,
                    Err(e @ CoordError::Fenced { .. }) => {
                        flag.store(true, Ordering::SeqCst);
                        return Some(e);
                    }
                    // A failed renewal is tried again at the next tick.
                    Err(e) => last_error = Some(e),
                }
            }
            last_error
        });
        KeepAlive {
            stop: Some(stop),
            thread: Some(thread),
            lost,
        }
    }

    /// Write `new` at `key` (a name under the log's prefix) if the token is current and the
    /// key's value is `expected` (`None`: the key does not exist), in one transaction;
    /// returns etcd's revision after the write. Refused with [`CoordError::Fenced`] (stop
    /// sequencing) or [`CoordError::Conflict`] (re-read and decide); either way nothing was
    /// written. The value is not attached to the lease: it outlives this holder.
    pub fn commit_if_token(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        new: &[u8],
    ) -> Result<i64, CoordError> {
        self.commit_many(&[Write { key, expected, new }])
    }

    /// As [`SequencerLease::commit_if_token`] for several keys at once: all are written or
    /// none. At most [`MAX_COMMIT_KEYS`] distinct keys and [`MAX_COMMIT_BYTES`] by
    /// [`commit_size`].
    pub fn commit_many(&self, writes: &[Write<'_>]) -> Result<i64, CoordError> {
        self.check_commit(writes)?;
        let sequencer = self.sequencer_key().into_bytes();
        let mut txn = Txn {
            compare: vec![Compare::CreateRevision {
                key: sequencer.clone(),
                equals: self.token,
            }],
            success: Vec::new(),
            failure: vec![Op::Get { key: sequencer }],
        };
        for w in writes {
            let key = self.full_key(w.key).into_bytes();
            txn.compare.push(match w.expected {
                None => Compare::Version {
                    key: key.clone(),
                    equals: 0,
                },
                Some(v) => Compare::Value {
                    key: key.clone(),
                    equals: v.to_vec(),
                },
            });
            txn.success.push(Op::Put {
                key: key.clone(),
                value: w.new.to_vec(),
                lease: 0,
            });
            txn.failure.push(Op::Get { key });
        }
        let answer = self.client.txn(&txn)?;
        if answer.succeeded {
            return Ok(answer.revision);
        }
        let unreadable = |reason: String| CoordError::Answer {
            endpoint: self.client.endpoint().to_string(),
            op: "txn",
            reason,
        };
        let found: Vec<Option<&KeyValue>> = (0..=writes.len())
            .map(|i| single(answer.responses.get(i)))
            .collect::<Result<_, _>>()
            .map_err(unreadable)?;
        judge_token(found[0], self.token).map_err(|current| self.fenced(current))?;
        match first_conflict(writes, &found[1..]) {
            Some((w, found)) => Err(CoordError::Conflict {
                endpoint: self.client.endpoint().to_string(),
                key: self.full_key(w.key),
                expected: w.expected.map(<[u8]>::to_vec),
                found,
            }),
            None => Err(unreadable(
                "the commit was refused, yet the token and every value were as expected".into(),
            )),
        }
    }

    /// Give up the sequencer: revoke the lease, which deletes the sequencer key. A lease
    /// already gone (expired) is not an error.
    pub fn release(mut self) -> Result<(), CoordError> {
        self.released = true;
        self.client.lease_revoke(self.lease).map(|_| ())
    }

    fn fenced(&self, current: Option<Holder>) -> CoordError {
        CoordError::Fenced {
            endpoint: self.client.endpoint().to_string(),
            key: self.sequencer_key(),
            token: self.token,
            lease: self.lease,
            current,
        }
    }

    fn check_name(&self, key: &str) -> Result<(), CoordError> {
        let reason = if key.is_empty() {
            "an empty name"
        } else if key == SEQUENCER {
            "the sequencer key is written only by acquire"
        } else {
            return Ok(());
        };
        Err(CoordError::Key {
            endpoint: self.client.endpoint().to_string(),
            key: self.full_key(key),
            reason: reason.into(),
        })
    }

    fn check_commit(&self, writes: &[Write<'_>]) -> Result<(), CoordError> {
        let endpoint = || self.client.endpoint().to_string();
        if writes.len() > MAX_COMMIT_KEYS {
            return Err(CoordError::TooMany {
                endpoint: endpoint(),
                count: writes.len(),
                max: MAX_COMMIT_KEYS,
            });
        }
        if writes.is_empty() {
            return Err(CoordError::Key {
                endpoint: endpoint(),
                key: self.full_key(""),
                reason: "a commit of no keys".into(),
            });
        }
        for (i, w) in writes.iter().enumerate() {
            self.check_name(w.key)?;
            if writes[..i].iter().any(|earlier| earlier.key == w.key) {
                return Err(CoordError::Key {
                    endpoint: endpoint(),
                    key: self.full_key(w.key),
                    reason: "written twice in one commit".into(),
                });
            }
        }
        let size = commit_size(&self.prefix, writes);
        if size > MAX_COMMIT_BYTES {
            let largest = (writes.iter())
                .max_by_key(|w| w.new.len() + w.expected.map_or(0, <[u8]>::len))
                .expect("writes is not empty");
            return Err(CoordError::TooLarge {
                endpoint: endpoint(),
                key: self.full_key(largest.key),
                size,
                max: MAX_COMMIT_BYTES,
            });
        }
        Ok(())
    }
}

impl Drop for SequencerLease {
    fn drop(&mut self) {
        if !self.released {
            // Best effort: an unreleased lease expires after its TTL anyway.
            let _ = self.client.lease_revoke(self.lease);
        }
    }
}

fn check_prefix(client: &EtcdClient, prefix: &str) -> Result<(), CoordError> {
    let reason = if prefix.is_empty() {
        "an empty log prefix"
    } else if prefix.ends_with('/') {
        "a log prefix must not end with '/' (the keys are <prefix>/<name>)"
    } else {
        return Ok(());
    };
    Err(CoordError::Key {
        endpoint: client.endpoint().to_string(),
        key: prefix.to_string(),
        reason: reason.into(),
    })
}

fn keep_alive(
    client: &EtcdClient,
    lease: i64,
    token: i64,
    key: &str,
) -> Result<Duration, CoordError> {
    let ttl = client.lease_keepalive(lease)?;
    if ttl > 0 {
        return Ok(Duration::from_secs(ttl.unsigned_abs()));
    }
    // The lease is gone: say who holds the log now, if anyone.
    let current = client.get(key.as_bytes())?.kvs.first().map(Holder::from_kv);
    Err(CoordError::Fenced {
        endpoint: client.endpoint().to_string(),
        key: key.to_string(),
        token,
        lease,
        current,
    })
}

/// A thread renewing a lease ([`SequencerLease::keep_alive_in_background`]); it stops when
/// this is stopped or dropped, or by itself when it finds the lease gone.
#[derive(Debug)]
pub struct KeepAlive {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<thread::JoinHandle<Option<CoordError>>>,
    lost: Arc<AtomicBool>,
}

impl KeepAlive {
    /// Whether the thread found the lease gone (it has stopped: the holder is fenced).
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// Stop renewing; the error that ended the renewals or that the last one met, if any.
    pub fn stop(mut self) -> Result<(), CoordError> {
        self.stop.take();
        match self.thread.take().map(thread::JoinHandle::join) {
            Some(Ok(Some(e))) => Err(e),
            _ => Ok(()),
        }
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        // Dropping the sender wakes the thread, which then returns.
        self.stop.take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(value: &[u8], create_revision: i64) -> KeyValue {
        KeyValue {
            key: b"log/sequencer".to_vec(),
            value: value.to_vec(),
            create_revision,
            mod_revision: create_revision,
            version: 1,
            lease: 0x38f2,
        }
    }

    #[test]
    fn the_token_holds_only_while_the_key_keeps_its_create_revision() {
        assert_eq!(judge_token(Some(&kv(b"a:1", 7)), 7), Ok(()));
        assert_eq!(judge_token(None, 7), Err(None));
        let other = judge_token(Some(&kv(b"b:2", 9)), 7).unwrap_err().unwrap();
        assert_eq!(other.description, "b:2");
        assert_eq!(other.token, 9);
        assert_eq!(other.to_string(), "b:2 (token 9, lease 38f2)");
    }

    #[test]
    fn the_first_changed_value_is_the_conflict() {
        let a = kv(b"1", 3);
        let writes = [
            Write {
                key: "a",
                expected: Some(b"1"),
                new: b"2",
            },
            Write {
                key: "b",
                expected: None,
                new: b"x",
            },
            Write {
                key: "c",
                expected: Some(b"y"),
                new: b"z",
            },
        ];
        let fine = [Some(&a), None, Some(&kv(b"y", 4))];
        assert!(first_conflict(&writes, &fine).is_none());
        let created = [Some(&a), Some(&kv(b"x", 5)), Some(&kv(b"y", 4))];
        let (w, found) = first_conflict(&writes, &created).unwrap();
        assert_eq!((w.key, found.as_deref()), ("b", Some(&b"x"[..])));
        let deleted = [Some(&a), None, None];
        let (w, found) = first_conflict(&writes, &deleted).unwrap();
        assert_eq!((w.key, found), ("c", None));
    }

    #[test]
    fn the_commit_size_counts_every_key_and_value() {
        let w = Write {
            key: "state",
            expected: Some(&[0; 100]),
            new: &[0; 1000],
        };
        // "log/sequencer" twice, "log/state" three times, each with its overhead.
        let expected = 2 * (13 + OP_OVERHEAD) + 3 * (9 + OP_OVERHEAD) + 100 + 1000;
        assert_eq!(commit_size("log", &[w]), expected);
        assert_eq!(commit_size("log", &[]), 2 * (13 + OP_OVERHEAD));
    }

    #[test]
    fn values_in_messages_are_shown_short_and_printable() {
        assert_eq!(show(None), "no key");
        assert_eq!(show(Some(b"abc")), "\"abc\" (3 bytes)");
        assert_eq!(show(Some(&[0xff, 0])), "2 bytes");
        assert_eq!(show(Some(&[b'a'; 65])), "65 bytes");
        assert_eq!(show(Some(b"a\nb")), "3 bytes");
    }

    #[test]
    fn errors_name_the_endpoint_the_key_and_the_holder() {
        let held = CoordError::Held {
            endpoint: "http://127.0.0.1:2379".into(),
            key: "log/sequencer".into(),
            holder: "host-a:4242".into(),
            token: 12,
            lease: 0xabc,
        };
        assert_eq!(
            held.to_string(),
            "etcd http://127.0.0.1:2379: log/sequencer: the log has a sequencer already: \
             host-a:4242 (token 12, lease abc); nothing was written"
        );
        let fenced = CoordError::Fenced {
            endpoint: "http://e:1".into(),
            key: "log/sequencer".into(),
            token: 12,
            lease: 0xabc,
            current: None,
        };
        assert_eq!(
            fenced.to_string(),
            "etcd http://e:1: log/sequencer: fenced: token 12 (lease abc) is no longer current; \
             there is no sequencer now; nothing was written"
        );
    }
}
