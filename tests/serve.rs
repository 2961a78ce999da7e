//! `logseal serve` on loopback: the real binary on port 0, driven by the library's client
//! and by raw HTTP where a path must reach the server byte for byte. Records are signed
//! beforehand (one chain per producer), so the producers' threads only send.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::records::{registration, search_access, t, two_sealed};
use common::tamper::{authority_vkey, log_key};
use common::{logseal, ok, text};
use logseal::client::{Client, ClientError};
use logseal::log::{AppendItem, Log, LogReader};
use logseal::record::kinds::{Body, Kind};
use logseal::record::text::ProducerId;
use logseal::record::types::Hash32;
use logseal::record::{Payload, RecordBuilder, Status};
use logseal::scenario::{self, AUTHORITY, ORIGIN};
use logseal::serve::AddReceipt;
use logseal::serve::body::encode_add;
use logseal::store::FsStore;
use logseal::tree::TreeHashAlg;

const T0: u64 = 1_772_300_000;

/// A payload of `producer` at `seq` after `prev`.
fn payload(producer: &str, seq: u64, prev: Hash32, body: Body) -> Payload {
    Payload {
        producer: ProducerId::new(producer).unwrap(),
        seq,
        prev,
        occurred_at: t("2026-03-01T10:00:00Z"),
        utc_offset_minutes: None,
        processing_activity: None,
        trace_id: None,
        operation_id: None,
        parent_operation_id: None,
        status: Status::Ok,
        retention_rule: None,
        body,
        sealed: vec![],
    }
}

/// `n` data accesses of `producer` from `seq` after `prev`, two fields sealed in each.
fn presign(producer: &str, seq: u64, prev: Hash32, n: u64) -> Vec<AppendItem> {
    let key = scenario::secret_key(producer);
    let mut prev = prev;
    (seq..seq + n)
        .map(|s| {
            let mut b = RecordBuilder::new(payload(producer, s, prev, search_access()));
            for (i, (path, value)) in two_sealed(format!("{producer}-{s}"))
                .into_iter()
                .enumerate()
            {
                b.seal(path, value, [(s as u8) ^ (i as u8 * 0x55); 16])
                    .unwrap();
            }
            let signed = b.sign(&key, ORIGIN).unwrap();
            prev = Hash32(TreeHashAlg::Sha256.leaf(&signed.bytes));
            AppendItem {
                record: signed.bytes,
                disclosures: signed.disclosures,
            }
        })
        .collect()
}

/// A log in `dir/log` with `producers` registered for data access (by the scenario's
/// authority), a checkpoint, and `dir/trust.json` for `logseal verify`.
fn setup(dir: &Path, producers: &[String]) -> PathBuf {
    let path = dir.join("log");
    let mut log = Log::init(
        &path,
        &log_key(),
        &authority_vkey(),
        TreeHashAlg::Sha256,
        T0,
    )
    .unwrap();
    let key = scenario::secret_key(AUTHORITY);
    let mut prev = Hash32([0; 32]);
    let items: Vec<AppendItem> = producers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let body = registration(p, vec![Kind::DataAccess]);
            let s = RecordBuilder::new(payload(AUTHORITY, i as u64, prev, body))
                .sign(&key, ORIGIN)
                .unwrap();
            prev = Hash32(TreeHashAlg::Sha256.leaf(&s.bytes));
            AppendItem {
                record: s.bytes,
                disclosures: vec![],
            }
        })
        .collect();
    log.append(&items).unwrap();
    log.checkpoint(T0 + 1).unwrap();
    std::fs::write(dir.join("logkey.pub"), log_key().verifier().to_vkey()).unwrap();
    std::fs::write(dir.join("ra.pub"), authority_vkey()).unwrap();
    ok(&logseal(
        &[
            "trust",
            "new",
            "--out",
            "trust.json",
            "--log-key",
            "logkey.pub",
            "--authority",
            "ra.pub",
        ],
        dir,
        None,
    ));
    path
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("producer-{i}")).collect()
}

/// The server, started on a free loopback port.
struct Server {
    child: Child,
    stdout: BufReader<ChildStdout>,
    url: String,
    addr: String,
}

impl Server {
    fn start(log: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
            .arg("serve")
            .arg(log)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("serve did not start: {line:?} {err}");
        };
        let addr = url.trim_start_matches("http://").to_string();
        Server {
            url: url.to_string(),
            addr,
            child,
            stdout,
        }
    }

    fn client(&self) -> Client {
        Client::new(&self.url, Duration::from_secs(60))
    }

    /// SIGTERM, then the exit code and the rest of standard output.
    fn terminate(mut self) -> (Option<i32>, String) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        (status.code(), rest)
    }

    fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw HTTP/1.1 request (the path sent byte for byte); the status, headers and body.
fn raw(addr: &str, method: &str, path: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(out[..split].to_vec()).unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head.to_lowercase(), out[split + 4..].to_vec())
}

/// Every producer sends its chain from its own thread; the receipts acknowledged, and the
/// latency of each, until a send fails (the server is gone, or answers 503: stopping).
fn send_all(
    server: &Server,
    chains: Vec<Vec<AppendItem>>,
) -> (Vec<(AddReceipt, Vec<u8>)>, Vec<Duration>) {
    let acked = Arc::new(Mutex::new((Vec::new(), Vec::new())));
    let threads: Vec<_> = chains
        .into_iter()
        .map(|chain| {
            let (client, acked) = (server.client(), acked.clone());
            std::thread::spawn(move || {
                for item in chain {
                    let start = Instant::now();
                    match client.add(&item) {
                        Ok(r) => {
                            let mut a = acked.lock().unwrap();
                            a.0.push((r, item.record));
                            a.1.push(start.elapsed());
                        }
                        // Shutting down: no new appends.
                        Err(ClientError::Status { status: 503, .. }) => return,
                        Err(ClientError::Status {
                            status, message, ..
                        }) => {
                            panic!("HTTP {status}: {message}")
                        }
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

/// Each acknowledged record is the log's leaf at its index (read from the tiles, after the
/// server stopped), and the published checkpoint covers it.
fn assert_in_log(log: &Path, acked: &[(AddReceipt, Vec<u8>)]) -> u64 {
    let store = FsStore::open(log.join("public")).unwrap();
    let reader = LogReader::new(&store, TreeHashAlg::Sha256);
    let note = reader.checkpoint().unwrap().unwrap();
    let n = logseal::note::parse_note(&note).unwrap();
    let size = logseal::checkpoint::Checkpoint::parse(&n.text)
        .unwrap()
        .size;
    for (r, record) in acked {
        assert!(
            r.leaf_index < size,
            "leaf {} not covered by size {size}",
            r.leaf_index
        );
        assert_eq!(reader.entry(r.leaf_index, size).unwrap(), *record);
        let leaf = reader.leaf_hash(r.leaf_index, size).unwrap();
        assert_eq!(hex::encode(leaf), r.leaf_hash);
    }
    size
}

fn verify_passes(dir: &Path) {
    ok(&logseal(
        &["verify", "log", "--trust", "trust.json"],
        dir,
        None,
    ));
}

#[test]
fn concurrent_producers_every_acknowledged_record_is_in_the_log_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let producers = names(8);
    let log = setup(dir.path(), &producers);
    let chains: Vec<_> = producers
        .iter()
        .map(|p| presign(p, 0, Hash32([0; 32]), 40))
        .collect();
    let server = Server::start(&log, &["--checkpoint-interval", "1h"]);
    let (acked, _) = send_all(&server, chains);
    assert_eq!(acked.len(), 320);
    let mut leaves: Vec<u64> = acked.iter().map(|(r, _)| r.leaf_index).collect();
    leaves.sort();
    let expected: Vec<u64> = (8..8 + 320).collect();
    assert_eq!(leaves, expected, "every record got its own leaf");

    // On demand: a checkpoint covering them; proofs against it verify.
    let client = server.client();
    let note = client.publish_checkpoint().unwrap();
    let n = logseal::note::parse_note(&note).unwrap();
    let cp = logseal::checkpoint::Checkpoint::parse(&n.text).unwrap();
    assert_eq!(cp.size, 328);
    assert_eq!(client.checkpoint().unwrap(), note);
    let (r, _) = &acked[17];
    let p = client.inclusion(r.leaf_index, None).unwrap();
    assert_eq!((p.tree_size, &p.leaf_hash), (328, &r.leaf_hash));
    let hashes = |v: &[String]| -> Vec<[u8; 32]> {
        v.iter()
            .map(|h| hex::decode(h).unwrap().try_into().unwrap())
            .collect()
    };
    let leaf: [u8; 32] = hex::decode(&p.leaf_hash).unwrap().try_into().unwrap();
    TreeHashAlg::Sha256
        .verify_inclusion(r.leaf_index, 328, &leaf, &hashes(&p.proof), &cp.root)
        .unwrap();
    let c = client.consistency(8, None).unwrap();
    assert_eq!((c.old_size, c.new_size), (8, 328));

    // The read API: content types and cache policy.
    let (status, head, body) = raw(&server.addr, "GET", "/tile/0/000", b"");
    assert_eq!((status, body.len()), (200, 256 * 32));
    assert!(
        head.contains("cache-control: public, max-age=31536000, immutable"),
        "{head}"
    );
    assert!(
        head.contains("content-type: application/octet-stream"),
        "{head}"
    );
    let (status, head, _) = raw(&server.addr, "GET", "/tile/entries/001.p/72", b"");
    assert_eq!(status, 200);
    assert!(
        head.contains("cache-control: public, max-age=3600"),
        "{head}"
    );
    let (status, head, body) = raw(&server.addr, "GET", "/checkpoint", b"");
    assert_eq!((status, body), (200, note.clone()));
    assert!(
        head.contains("content-type: text/plain; charset=utf-8"),
        "{head}"
    );
    assert!(head.contains("cache-control: no-cache"), "{head}");

    let (code, out) = server.terminate();
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out, "stopped; published the checkpoint of size 328\n");
    assert_eq!(assert_in_log(&log, &acked), 328);
    verify_passes(dir.path());
}

#[test]
fn graceful_shutdown_publishes_a_checkpoint_covering_every_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let producers = names(4);
    let log = setup(dir.path(), &producers);
    let chains: Vec<_> = producers
        .iter()
        .map(|p| presign(p, 0, Hash32([0; 32]), 25))
        .collect();
    let server = Server::start(&log, &["--checkpoint-interval", "1h"]);
    let (acked, _) = send_all(&server, chains);
    // No checkpoint was asked for: only shutdown publishes one.
    let (code, out) = server.terminate();
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(out, "stopped; published the checkpoint of size 104\n");
    assert_eq!(assert_in_log(&log, &acked), 104);
    verify_passes(dir.path());
}

#[test]
fn killed_mid_load_and_restarted_nothing_acknowledged_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let producers = names(6);
    let log = setup(dir.path(), &producers);
    let chains: Vec<_> = producers
        .iter()
        .map(|p| presign(p, 0, Hash32([0; 32]), 400))
        .collect();
    let server = Server::start(&log, &["--checkpoint-interval", "50ms"]);
    let client = server.client();
    let pid = server.child.id();
    // Kill -9 once the log has grown past 20 (in the middle of the load, usually).
    let killer = std::thread::spawn(move || {
        loop {
            let size = client.checkpoint().map(|n| {
                let n = logseal::note::parse_note(&n).unwrap();
                logseal::checkpoint::Checkpoint::parse(&n.text)
                    .unwrap()
                    .size
            });
            if size.is_ok_and(|s| s > 20) {
                unsafe { libc::kill(pid as i32, libc::SIGKILL) };
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    let (acked, _) = send_all(&server, chains);
    killer.join().unwrap();
    // Whether the kill came before the last record depends on the machine's speed; the
    // properties below hold either way, and are what the test is for.
    if acked.len() == 2400 {
        eprintln!("note: every record was acknowledged before the kill arrived");
    }
    server.kill9();
    // Restarted: it publishes a checkpoint of what the log holds; every acknowledged
    // record is in it.
    let server = Server::start(&log, &["--checkpoint-interval", "1h"]);
    let (code, out) = server.terminate();
    assert_eq!(code, Some(0), "{out}");
    let size = assert_in_log(&log, &acked);
    assert!(size >= 6 + acked.len() as u64);
    verify_passes(dir.path());
}

#[test]
fn private_paths_and_traversal_variants_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = setup(dir.path(), &names(1));
    // A symbolic link planted in public/ pointing into private/.
    std::fs::create_dir_all(log.join("public/tile/1")).unwrap();
    std::os::unix::fs::symlink(log.join("private/log.key"), log.join("public/tile/1/000")).unwrap();
    std::os::unix::fs::symlink(log.join("private"), log.join("public/tile/2")).unwrap();
    let server = Server::start(&log, &[]);
    for path in [
        "/private/log.key",
        "/private/state",
        "/private/config.json",
        "/../private/log.key",
        "/tile/../private/log.key",
        "/tile/../../log/private/log.key",
        "/%2e%2e/private/log.key",
        "/tile/%2e%2e/private/log.key",
        "/tile/%2E%2E/%2E%2E/private/state",
        "/tile/%252e%252e/private/log.key",
        "/tile/..%2fprivate%2flog.key",
        "/tile%2f..%2fprivate%2flog.key",
        "/tile/..%5cprivate%5clog.key",
        "/tile/1/000",
        "/tile/2/log.key",
        "/tile/2/000",
        "/checkpoint/../private/log.key",
        "/public/checkpoint",
        "//private/log.key",
        "/checkpoints/../../private/log.key",
    ] {
        let (status, _, body) = raw(&server.addr, "GET", path, b"");
        assert_eq!(status, 404, "{path}: {}", text(&body));
        assert_eq!(body, b"not found\n", "{path}");
    }
    // Absolute-form and backslash request targets never reach a file either.
    let secret = std::fs::read(log.join("private/log.key")).unwrap();
    for path in [
        "http://127.0.0.1/private/log.key",
        "/tile\\..\\private\\log.key",
        "/tile/0/..\\..\\private\\log.key",
    ] {
        let (status, _, body) = raw(&server.addr, "GET", path, b"");
        assert!(matches!(status, 400 | 404), "{path}: {status}");
        assert_ne!(body, secret);
    }
    let (status, _, _) = raw(&server.addr, "GET", "/checkpoint", b"");
    assert_eq!(status, 200);
    server.terminate();
}

/// POST `/add` with `body`; the status and the message.
fn post_add(server: &Server, body: &[u8]) -> (u16, String) {
    let (status, _, body) = raw(&server.addr, "POST", "/add", body);
    (status, text(&body).trim_end().to_string())
}

#[test]
fn each_refusal_has_its_status_and_the_refusal_text() {
    let dir = tempfile::tempdir().unwrap();
    let log = setup(dir.path(), &names(2));
    let server = Server::start(&log, &["--max-body", "4000"]);
    let chain = presign("producer-0", 0, Hash32([0; 32]), 3);
    let (status, _) = post_add(&server, &encode_add(&chain[0]));
    assert_eq!(status, 200);

    // 400: not the body format; a record that is not a COSE_Sign1.
    let (status, msg) = post_add(&server, b"\x01");
    assert_eq!(status, 400);
    assert!(
        msg.starts_with("the body is not a CBOR array [record: bytes, disclosures: array]"),
        "{msg}"
    );
    let garbage = AppendItem {
        record: vec![0xa0],
        disclosures: vec![],
    };
    assert_eq!(
        post_add(&server, &encode_add(&garbage)),
        (
            400,
            "refused: record is not a tagged COSE_Sign1 (expected tag 18 at byte 0)".into()
        )
    );
    // 403: a key the authority never registered.
    let stranger = presign("stranger", 0, Hash32([0; 32]), 1);
    let kid = hex::encode(scenario::secret_key("stranger").public_key().key_id());
    assert_eq!(
        post_add(&server, &encode_add(&stranger[0])),
        (
            403,
            format!(
                "refused: kid {kid} is not a key the registration authority registered (producer stranger)"
            )
        )
    );
    // 409: a seq that does not continue the chain (seq 2 after seq 0).
    assert_eq!(
        post_add(&server, &encode_add(&chain[2])),
        (409, "refused: producer-0: seq 2 does not continue the chain (next seq is 1); records must be appended in order, without gaps or repeats".into())
    );
    // 409: a repeat.
    let (status, msg) = post_add(&server, &encode_add(&chain[0]));
    assert_eq!(status, 409, "{msg}");
    // 413: a body over --max-body.
    assert_eq!(
        post_add(&server, &vec![0u8; 4001]),
        (
            413,
            "the request body is larger than 4000 bytes (--max-body)".into()
        )
    );
    // The refusals changed nothing: the next record is accepted.
    assert_eq!(post_add(&server, &encode_add(&chain[1])).0, 200);
    // 405 and 404 for other endpoints.
    assert_eq!(raw(&server.addr, "GET", "/add", b"").0, 405);
    assert_eq!(raw(&server.addr, "POST", "/nothing", b"").0, 404);
    assert_eq!(
        raw(&server.addr, "GET", "/proof/inclusion?index=x", b"").0,
        400
    );
    let (code, out) = server.terminate();
    assert_eq!(code, Some(0));
    assert_eq!(out, "stopped; published the checkpoint of size 4\n");

    // 429: over the per-key rate (one record per 1000 s: the second at once is over it);
    // another key is not.
    let server = Server::start(&log, &["--rate", "0.001"]);
    let next = presign("producer-1", 0, Hash32([0; 32]), 2);
    assert_eq!(post_add(&server, &encode_add(&next[0])).0, 200);
    let kid = hex::encode(scenario::secret_key("producer-1").public_key().key_id());
    assert_eq!(
        post_add(&server, &encode_add(&next[1])),
        (
            429,
            format!("key {kid} is over its rate of records per second (--rate); retry later")
        )
    );
    let other = presign("producer-0", 2, leaf_of(&chain[1]), 1);
    assert_eq!(post_add(&server, &encode_add(&other[0])).0, 200);
    server.terminate();
    verify_passes(dir.path());
}

fn leaf_of(item: &AppendItem) -> Hash32 {
    Hash32(TreeHashAlg::Sha256.leaf(&item.record))
}

/// A bounded load test (stops by itself): producers with pre-signed chains append through
/// the server; prints appends/s and latency percentiles. Nothing here is asserted on time.
/// `LOGSEAL_SERVE_LOAD=PRODUCERS,RECORDS` changes its size (docs/PERFORMANCE.md).
#[test]
fn load_appends_per_second_and_latency() {
    let dir = tempfile::tempdir().unwrap();
    let (np, per) = std::env::var("LOGSEAL_SERVE_LOAD")
        .ok()
        .and_then(|v| {
            let (a, b) = v.split_once(',')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .unwrap_or((16, 250));
    let producers = names(np);
    let log = setup(dir.path(), &producers);
    let chains: Vec<_> = producers
        .iter()
        .map(|p| presign(p, 0, Hash32([0; 32]), per))
        .collect();
    let server = Server::start(&log, &["--checkpoint-interval", "1s"]);
    let start = Instant::now();
    let (acked, mut latencies) = send_all(&server, chains);
    let elapsed = start.elapsed();
    assert_eq!(acked.len(), np * per as usize);
    latencies.sort();
    let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!(
        "serve load: {} appends in {:.2} s: {:.0} appends/s, p50 {:.1} ms, p99 {:.1} ms ({np} producers x {per} records, loopback)",
        acked.len(),
        elapsed.as_secs_f64(),
        acked.len() as f64 / elapsed.as_secs_f64(),
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3,
    );
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    assert_in_log(&log, &acked);
}

#[test]
fn a_producer_appends_through_the_server_and_checks_its_head_against_it() {
    use logseal::producer::{Producer, ProducerError};
    let dir = tempfile::tempdir().unwrap();
    let log = setup(dir.path(), &names(1));
    let server = Server::start(&log, &[]);
    let client = server.client();
    let id = ProducerId::new("producer-0").unwrap();
    let mut salt = 0u8;
    let mut producer = Producer::open(
        &dir.path().join("producer-state"),
        id.clone(),
        scenario::secret_key("producer-0"),
        ORIGIN,
        TreeHashAlg::Sha256,
        Box::new(move || {
            salt += 1;
            [salt; 16]
        }),
    )
    .unwrap();
    let body = || payload("producer-0", 0, Hash32([0; 32]), search_access());
    let r0 = producer
        .append_remote(&client, body(), two_sealed(0))
        .unwrap();
    let r1 = producer
        .append_remote(&client, body(), two_sealed(1))
        .unwrap();
    assert_eq!((r0.leaf_index, r0.seq, r1.leaf_index, r1.seq), (1, 0, 2, 1));
    let head = client.head(&id).unwrap();
    assert_eq!((head.next_seq, head.head), (2, r1.leaf_hash.to_string()));
    // Another process writing with the same key: the producer refuses to continue.
    let other = presign("producer-0", 2, r1.leaf_hash, 1);
    client.add(&other[0]).unwrap();
    let e = producer
        .append_remote(&client, body(), two_sealed(2))
        .unwrap_err();
    assert!(
        matches!(
            e,
            ProducerError::HeadMismatch {
                ours_seq: 2,
                log_seq: 3,
                ..
            }
        ),
        "{e}"
    );
    // A producer whose state is behind the log's (restored from an older backup) refuses
    // too, and has nothing pending.
    let mut fresh = Producer::open(
        &dir.path().join("other-state"),
        id,
        scenario::secret_key("producer-0"),
        ORIGIN,
        TreeHashAlg::Sha256,
        Box::new(|| [9; 16]),
    )
    .unwrap();
    let e = fresh
        .append_remote(&client, body(), two_sealed(3))
        .unwrap_err();
    assert!(
        matches!(
            e,
            ProducerError::HeadMismatch {
                ours_seq: 0,
                log_seq: 3,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(fresh.head().pending, None);
    let (code, _) = server.terminate();
    assert_eq!(code, Some(0));
    verify_passes(dir.path());
}

#[test]
fn sigterm_mid_load_answers_what_is_in_flight_and_checkpoints_every_acknowledged_record() {
    let dir = tempfile::tempdir().unwrap();
    let producers = names(6);
    let log = setup(dir.path(), &producers);
    let chains: Vec<_> = producers
        .iter()
        .map(|p| presign(p, 0, Hash32([0; 32]), 400))
        .collect();
    let server = Server::start(&log, &["--checkpoint-interval", "50ms"]);
    let client = server.client();
    let pid = server.child.id();
    let stopper = std::thread::spawn(move || {
        loop {
            let size = client.checkpoint().map(|n| {
                let n = logseal::note::parse_note(&n).unwrap();
                logseal::checkpoint::Checkpoint::parse(&n.text)
                    .unwrap()
                    .size
            });
            if size.is_ok_and(|s| s > 200) {
                unsafe { libc::kill(pid as i32, libc::SIGTERM) };
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    let (acked, _) = send_all(&server, chains);
    stopper.join().unwrap();
    // Whether the signal came before the last record depends on the machine's speed; the
    // properties below hold either way, and are what the test is for.
    if acked.len() == 2400 {
        eprintln!("note: every record was acknowledged before SIGTERM arrived");
    }
    let (code, out) = server.terminate();
    assert_eq!(code, Some(0), "{out}");
    let size = assert_in_log(&log, &acked);
    // The last checkpoint covers the whole log: nothing sequenced is left unpublished.
    assert_eq!(
        out,
        format!("stopped; published the checkpoint of size {size}\n")
    );
    let l = Log::open(&log).unwrap();
    assert_eq!(l.size(), size);
    drop(l);
    verify_passes(dir.path());
}
