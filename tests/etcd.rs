//! The sequencer lease and fenced commits (src/coord) against a real etcd on loopback: one
//! sequencer at a time, a second one refused naming the first and writing nothing, a holder
//! whose lease expired — left without renewal, or paused with SIGSTOP and resumed after
//! another took over — refused with `Fenced` and changing nothing, a changed value told
//! apart from a lost token, and commits too large for etcd refused before they are sent.
//!
//! Needs etcd (Debian's `etcd-server`): with `CI=true` a missing etcd fails the test;
//! elsewhere the test says so on standard error and returns.

mod common;

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::etcd::Etcd;
use logseal::coord::{
    CoordError, EtcdClient, MAX_COMMIT_BYTES, MAX_COMMIT_KEYS, SequencerLease, Write, commit_size,
};

const PREFIX: &str = "logs/example";
const LONG: Duration = Duration::from_secs(30);
/// etcd's shortest lease is about 1.5 s (3/2 of its election timeout's ticks).
const SHORT: Duration = Duration::from_secs(2);

/// The revision of the store and every key under the log's prefix, as etcd holds them.
fn snapshot(client: &EtcdClient) -> (i64, Vec<(String, Vec<u8>, i64)>) {
    let range = client.get_prefix(format!("{PREFIX}/").as_bytes()).unwrap();
    let kvs = (range.kvs.into_iter())
        .map(|kv| {
            let key = String::from_utf8(kv.key).unwrap();
            (key, kv.value, kv.mod_revision)
        })
        .collect();
    (range.revision, kvs)
}

/// Wait until etcd has deleted the sequencer key (its lease expired).
fn wait_for_expiry(client: &EtcdClient) {
    let key = format!("{PREFIX}/sequencer");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !client.get(key.as_bytes()).unwrap().kvs.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the lease did not expire in 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_sequencer_acquires_commits_and_releases() {
    let Some(etcd) = Etcd::start_or_notice("the_sequencer_acquires_commits_and_releases") else {
        return;
    };
    let client = etcd.client();
    let a = SequencerLease::acquire(&client, PREFIX, "host-a:100", LONG).unwrap();
    assert!(a.token() > 0);
    assert_eq!(a.ttl(), LONG);
    let seq = client.get(b"logs/example/sequencer").unwrap();
    assert_eq!(seq.kvs[0].value, b"host-a:100");
    assert_eq!(seq.kvs[0].create_revision, a.token());
    assert_eq!(seq.kvs[0].lease, a.lease());

    assert_eq!(a.get("state").unwrap(), None);
    let r1 = a.commit_if_token("state", None, b"size 1").unwrap();
    assert_eq!(a.get("state").unwrap().as_deref(), Some(&b"size 1"[..]));
    let r2 = a
        .commit_if_token("state", Some(b"size 1"), b"size 2")
        .unwrap();
    assert!(r2 > r1);
    let r3 = a
        .commit_many(&[
            Write {
                key: "state",
                expected: Some(b"size 2"),
                new: b"size 3",
            },
            Write {
                key: "checkpoint",
                expected: None,
                new: b"cp 3",
            },
        ])
        .unwrap();
    assert!(r3 > r2);
    assert_eq!(a.get("checkpoint").unwrap().as_deref(), Some(&b"cp 3"[..]));
    a.check_token().unwrap();
    assert!(a.keep_alive().unwrap() > Duration::ZERO);
    let background = a.keep_alive_in_background();
    assert!(!background.is_lost());
    background.stop().unwrap();

    let token = a.token();
    a.release().unwrap();
    assert!(
        client
            .get(b"logs/example/sequencer")
            .unwrap()
            .kvs
            .is_empty()
    );
    // The state outlives the holder (it is not attached to the lease).
    let state = client.get(b"logs/example/state").unwrap();
    assert_eq!(state.kvs[0].value, b"size 3");
    // The next holder's token is larger.
    let b = SequencerLease::acquire(&client, PREFIX, "host-b:200", LONG).unwrap();
    assert!(b.token() > token);
    b.commit_if_token("state", Some(b"size 3"), b"size 4")
        .unwrap();
}

#[test]
fn a_second_sequencer_is_refused_naming_the_first_and_writes_nothing() {
    let Some(etcd) = Etcd::start_or_notice("a_second_sequencer_is_refused") else {
        return;
    };
    let client = etcd.client();
    let a = SequencerLease::acquire(&client, PREFIX, "host-a:100", LONG).unwrap();
    a.commit_if_token("state", None, b"a").unwrap();
    let before = snapshot(&client);
    let leases = client.leases().unwrap();
    assert_eq!(leases, vec![a.lease()]);

    let e = SequencerLease::acquire(&client, PREFIX, "host-b:200", LONG).unwrap_err();
    match &e {
        CoordError::Held {
            holder,
            token,
            lease,
            key,
            ..
        } => {
            assert_eq!(holder, "host-a:100");
            assert_eq!(*token, a.token());
            assert_eq!(*lease, a.lease());
            assert_eq!(key, "logs/example/sequencer");
        }
        other => panic!("expected Held, got {other}"),
    }
    let message = e.to_string();
    assert!(message.contains("host-a:100"), "{message}");
    assert!(message.contains(&etcd.endpoint), "{message}");
    assert!(message.contains("nothing was written"), "{message}");
    // Not one write: the store's revision did not move; the attempt's lease was revoked.
    assert_eq!(snapshot(&client), before);
    assert_eq!(client.leases().unwrap(), leases);
    // The first holder goes on.
    a.commit_if_token("state", Some(b"a"), b"a2").unwrap();
}

#[test]
fn a_holder_whose_lease_expired_is_fenced_and_changes_nothing() {
    let Some(etcd) = Etcd::start_or_notice("a_holder_whose_lease_expired_is_fenced") else {
        return;
    };
    let client = etcd.client();
    let a = SequencerLease::acquire(&client, PREFIX, "host-a:100", SHORT).unwrap();
    a.commit_if_token("state", None, b"a").unwrap();
    // No renewal: the lease expires and etcd deletes the sequencer key.
    wait_for_expiry(&client);

    let fenced = |e: CoordError| match e {
        CoordError::Fenced { token, current, .. } => {
            assert_eq!(token, a.token());
            current
        }
        other => panic!("expected Fenced, got {other}"),
    };
    assert_eq!(fenced(a.keep_alive().unwrap_err()), None);
    // Renewal from a thread finds the lease gone and stops by itself.
    let renewal = a.keep_alive_in_background();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !renewal.is_lost() {
        assert!(
            Instant::now() < deadline,
            "the renewal did not find the lease gone"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(fenced(renewal.stop().unwrap_err()), None);
    assert_eq!(fenced(a.check_token().unwrap_err()), None);
    let before = snapshot(&client);
    let e = a
        .commit_if_token("state", Some(b"a"), b"stale")
        .unwrap_err();
    assert!(e.to_string().contains("there is no sequencer now"), "{e}");
    assert_eq!(fenced(e), None);
    assert_eq!(snapshot(&client), before);

    // Another takes over; the expired holder is still refused, naming the new one.
    let b = SequencerLease::acquire(&client, PREFIX, "host-b:200", LONG).unwrap();
    assert!(b.token() > a.token());
    let before = snapshot(&client);
    let e = a
        .commit_if_token("state", Some(b"a"), b"stale")
        .unwrap_err();
    assert!(e.to_string().contains("host-b:200"), "{e}");
    let now = fenced(e).expect("the new holder");
    assert_eq!(
        (now.description.as_str(), now.token, now.lease),
        ("host-b:200", b.token(), b.lease())
    );
    assert_eq!(snapshot(&client), before);
    // Even a commit of many keys, and one creating a key, changes nothing.
    let e = a
        .commit_many(&[
            Write {
                key: "state",
                expected: Some(b"a"),
                new: b"stale",
            },
            Write {
                key: "other",
                expected: None,
                new: b"stale",
            },
        ])
        .unwrap_err();
    assert!(matches!(e, CoordError::Fenced { .. }), "{e}");
    assert_eq!(snapshot(&client), before);
    // The new holder commits.
    b.commit_if_token("state", Some(b"a"), b"b").unwrap();
    assert_eq!(b.get("state").unwrap().as_deref(), Some(&b"b"[..]));
    // Releasing the lost lease is not an error, and leaves the new holder in place.
    a.release().unwrap();
    b.check_token().unwrap();
}

#[test]
fn a_changed_value_is_a_conflict_and_a_lost_token_is_fenced() {
    let Some(etcd) = Etcd::start_or_notice("a_changed_value_is_a_conflict") else {
        return;
    };
    let client = etcd.client();
    let a = SequencerLease::acquire(&client, PREFIX, "host-a:100", LONG).unwrap();
    a.commit_if_token("state", None, b"x").unwrap();
    a.commit_if_token("empty", None, b"").unwrap();
    let before = snapshot(&client);

    let conflict = |e: CoordError| match e {
        CoordError::Conflict {
            key,
            expected,
            found,
            ..
        } => (key, expected, found),
        other => panic!("expected Conflict, got {other}"),
    };
    let e = a.commit_if_token("state", Some(b"y"), b"z").unwrap_err();
    assert!(
        e.to_string()
            .contains(r#"expected "y" (1 bytes), found "x""#),
        "{e}"
    );
    assert_eq!(
        conflict(e),
        (
            "logs/example/state".into(),
            Some(b"y".to_vec()),
            Some(b"x".to_vec())
        )
    );
    let e = a.commit_if_token("state", None, b"z").unwrap_err();
    assert_eq!(conflict(e).2, Some(b"x".to_vec()));
    let e = a.commit_if_token("absent", Some(b"x"), b"z").unwrap_err();
    assert_eq!(conflict(e).2, None);
    // An empty value is a value, not an absent key.
    let e = a.commit_if_token("empty", None, b"z").unwrap_err();
    assert_eq!(conflict(e).2, Some(Vec::new()));
    // All or nothing: the first write would hold, the second does not.
    let e = a
        .commit_many(&[
            Write {
                key: "state",
                expected: Some(b"x"),
                new: b"z",
            },
            Write {
                key: "checkpoint",
                expected: Some(b"old"),
                new: b"z",
            },
        ])
        .unwrap_err();
    assert_eq!(conflict(e).0, "logs/example/checkpoint");
    assert_eq!(snapshot(&client), before);
    a.commit_if_token("empty", Some(b""), b"filled").unwrap();

    // The lease revoked under the holder: the token check comes first, whatever the values.
    assert!(client.lease_revoke(a.lease()).unwrap());
    let before = snapshot(&client);
    let e = a.commit_if_token("state", Some(b"y"), b"z").unwrap_err();
    assert!(matches!(e, CoordError::Fenced { current: None, .. }), "{e}");
    let e = a.commit_if_token("state", Some(b"x"), b"z").unwrap_err();
    assert!(matches!(e, CoordError::Fenced { .. }), "{e}");
    assert_eq!(snapshot(&client), before);
}

#[test]
fn commits_beyond_what_etcd_accepts_are_refused_before_they_are_sent() {
    let Some(etcd) = Etcd::start_or_notice("commits_beyond_what_etcd_accepts") else {
        return;
    };
    let client = etcd.client();
    let a = SequencerLease::acquire(&client, PREFIX, "host-a:100", LONG).unwrap();
    let empty = Write {
        key: "state",
        expected: None,
        new: b"",
    };
    let largest = MAX_COMMIT_BYTES - commit_size(PREFIX, &[empty]);
    let before = snapshot(&client);
    let e = a
        .commit_if_token("state", None, &vec![7; largest + 1])
        .unwrap_err();
    match &e {
        CoordError::TooLarge { key, size, max, .. } => {
            assert_eq!(key, "logs/example/state");
            assert_eq!((*size, *max), (MAX_COMMIT_BYTES + 1, MAX_COMMIT_BYTES));
        }
        other => panic!("expected TooLarge, got {other}"),
    }
    assert!(e.to_string().contains("1.5 MiB"), "{e}");
    assert_eq!(snapshot(&client), before);
    // The largest value the bound lets through is one etcd accepts, and reads back whole.
    let value = vec![7; largest];
    a.commit_if_token("state", None, &value).unwrap();
    assert_eq!(a.get("state").unwrap(), Some(value.clone()));
    // Replacing it compares the old value too: that counts.
    let e = a
        .commit_if_token("state", Some(&value), b"small")
        .unwrap_err();
    assert!(matches!(e, CoordError::TooLarge { .. }), "{e}");

    // As many keys as one transaction may hold, and one more.
    let names: Vec<String> = (0..=MAX_COMMIT_KEYS).map(|i| format!("k{i}")).collect();
    let writes: Vec<Write> = (names.iter())
        .map(|k| Write {
            key: k,
            expected: None,
            new: b"v",
        })
        .collect();
    let before = snapshot(&client);
    let e = a.commit_many(&writes).unwrap_err();
    assert!(
        matches!(e, CoordError::TooMany { count, max, .. } if count == MAX_COMMIT_KEYS + 1 && max == MAX_COMMIT_KEYS),
        "{e}"
    );
    assert_eq!(snapshot(&client), before);
    a.commit_many(&writes[..MAX_COMMIT_KEYS]).unwrap();
    assert_eq!(a.get("k126").unwrap().as_deref(), Some(&b"v"[..]));
    // Neither the sequencer key nor a key twice.
    let e = a.commit_if_token("sequencer", None, b"me").unwrap_err();
    assert!(matches!(e, CoordError::Key { .. }), "{e}");
    let e = a.commit_many(&[writes[0], writes[0]]).unwrap_err();
    assert!(e.to_string().contains("written twice"), "{e}");
}

#[test]
fn an_unreachable_etcd_is_named_with_the_operation() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let client = EtcdClient::new(&endpoint).unwrap();
    let e = SequencerLease::acquire(&client, PREFIX, "host-a:100", LONG).unwrap_err();
    assert!(
        matches!(
            &e,
            CoordError::Transport {
                op: "lease grant",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .starts_with(&format!("etcd {endpoint}: lease grant: ")),
        "{e}"
    );
}

/// The environment variable that makes [`child_sequencer`] run, naming the etcd endpoint.
const CHILD_ENV: &str = "LOGSEAL_TEST_ETCD_CHILD";

/// A sequencer in its own process for the SIGSTOP test: acquires with a 2 s lease renewed in
/// the background, then for each `commit VALUE` line on standard input reads `state` and
/// commits VALUE over what it read, answering `child> ok`, `child> fenced HOLDER`,
/// `child> conflict` or `child> error …`.
#[test]
#[ignore = "run as a child process by a_paused_sequencer_resumed_after_its_lease_changes_nothing"]
fn child_sequencer() {
    let endpoint = std::env::var(CHILD_ENV).expect("run by the SIGSTOP test only");
    let client = EtcdClient::new(&endpoint).unwrap();
    let holder = format!("child:{}", std::process::id());
    let lease = SequencerLease::acquire(&client, PREFIX, &holder, SHORT).unwrap();
    let _renewal = lease.keep_alive_in_background();
    println!("child> acquired {}", lease.token());
    for line in std::io::stdin().lines() {
        let line = line.unwrap();
        let Some(value) = line.strip_prefix("commit ") else {
            break;
        };
        let answer = lease
            .get("state")
            .and_then(|now| lease.commit_if_token("state", now.as_deref(), value.as_bytes()));
        match answer {
            Ok(_) => println!("child> ok"),
            Err(CoordError::Fenced { current, .. }) => println!(
                "child> fenced {}",
                current.map_or("nobody".into(), |h| h.description)
            ),
            Err(CoordError::Conflict { .. }) => println!("child> conflict"),
            Err(e) => println!("child> error {e}"),
        }
    }
}

/// The child sequencer, killed (and resumed first, if stopped) when dropped.
struct ChildSequencer {
    child: Child,
    stdin: ChildStdin,
    /// Its answers, read by a thread so that a child that stops answering fails the test
    /// instead of hanging it.
    answers: mpsc::Receiver<String>,
}

impl ChildSequencer {
    fn start(endpoint: &str) -> ChildSequencer {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["child_sequencer", "--exact", "--ignored", "--nocapture"])
            .args(["--test-threads", "1"])
            .env(CHILD_ENV, endpoint)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, answers) = mpsc::channel();
        std::thread::spawn(move || {
            // What follows `child> ` on a line (the test harness's lines skipped; its
            // `test child_sequencer ... ` may start the first answer's line).
            for line in stdout.lines().map_while(Result::ok) {
                if let Some((_, a)) = line.split_once("child> ") {
                    let _ = send.send(a.to_string());
                }
            }
        });
        ChildSequencer {
            child,
            stdin,
            answers,
        }
    }

    /// The child's next answer, within 30 s.
    fn answer(&mut self) -> String {
        match self.answers.recv_timeout(Duration::from_secs(30)) {
            Ok(a) => a,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("the child sequencer did not answer"),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the child sequencer exited"),
        }
    }

    fn commit(&mut self, value: &str) -> String {
        writeln!(self.stdin, "commit {value}").unwrap();
        self.answer()
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
        let r = unsafe { libc::kill(self.child.id() as i32, signal) };
        assert_eq!(r, 0, "kill({signal})");
    }
}

impl Drop for ChildSequencer {
    fn drop(&mut self) {
        let _ = unsafe { libc::kill(self.child.id() as i32, libc::SIGCONT) };
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_paused_sequencer_resumed_after_its_lease_changes_nothing() {
    let Some(etcd) = Etcd::start_or_notice("a_paused_sequencer_resumed_after_its_lease") else {
        return;
    };
    let client = etcd.client();
    let mut first = ChildSequencer::start(&etcd.endpoint);
    let acquired = first.answer();
    let first_token: i64 = (acquired.strip_prefix("acquired "))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("the child did not acquire: {acquired}"));
    assert_eq!(first.commit("one"), "ok");
    assert_eq!(first.commit("two"), "ok");
    // Its background renewal keeps the 2 s lease past its TTL while it runs.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(first.commit("three"), "ok");

    // Paused past its lease: etcd deletes the sequencer key; another takes over.
    first.signal(libc::SIGSTOP);
    wait_for_expiry(&client);
    let second = SequencerLease::acquire(&client, PREFIX, "second:1", LONG).unwrap();
    assert!(second.token() > first_token);
    second
        .commit_if_token("state", Some(b"three"), b"four")
        .unwrap();
    let before = snapshot(&client);

    // Resumed: it reads "four" and commits over it, as a sequencer unaware of its pause
    // would; refused, naming the second sequencer, and nothing changed.
    first.signal(libc::SIGCONT);
    assert_eq!(first.commit("stale"), "fenced second:1");
    assert_eq!(first.commit("stale again"), "fenced second:1");
    assert_eq!(snapshot(&client), before);
    assert_eq!(second.get("state").unwrap().as_deref(), Some(&b"four"[..]));
    second.check_token().unwrap();
    second
        .commit_if_token("state", Some(b"four"), b"five")
        .unwrap();
}
