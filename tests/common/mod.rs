//! Helpers shared by the integration tests that drive the real `logseal` binary.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use serde_json::{Value, json};

pub const ORIGIN: &str = "example.org/audit/log";
pub const AUTHORITY: &str = "registration-authority";

pub fn logseal(args: &[&str], dir: &Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_logseal"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run logseal");
    let mut input = child.stdin.take().unwrap();
    // A command that fails before reading its input closes the pipe early.
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[track_caller]
pub fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

#[track_caller]
pub fn fails(o: &Output, code: i32) -> String {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stderr)
}

/// The raw Ed25519 public key (hex) of a verifier-key file written by `logseal keygen`.
pub fn public_key_hex(pub_file: &Path) -> String {
    let line = std::fs::read_to_string(pub_file).unwrap();
    let b64 = line.trim().splitn(3, '+').nth(2).unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(bytes[0], 1, "an Ed25519 verifier key");
    hex::encode(&bytes[1..])
}

/// A key-registration line for `append --in`, signed there with the authority's key.
pub fn registration(producer: &str, pub_file: &Path, kinds: &[&str]) -> Value {
    json!({
        "kind": "key-registration",
        "producer": AUTHORITY,
        "occurred_at": "2026-03-01T08:00:00Z",
        "status": "ok",
        "body": {"producer": producer, "public_key": public_key_hex(pub_file), "kinds": kinds}
    })
}

/// A data-access line for `append --in` (seq and prev taken from the log).
pub fn query(i: usize) -> Value {
    json!({
        "kind": "data-access",
        "producer": "query-frontend",
        "occurred_at": format!("2026-03-01T10:{:02}:{:02}.{:03}+01:00", (i / 60) % 60, i % 60, i % 1000),
        "status": "ok",
        "retention_rule": "de-bdsg76-led-logs@1",
        "body": {
            "action": "consult",
            "legal_basis": "nl-sv-126n",
            "purpose": "criminal-investigation",
            "actor": {"role": "police-officer", "organisation": "politie-eenheid-noord",
                      "authorisation_id": format!("auth-{:04}", i % 20), "user": format!("officer-{}", i % 20)},
            "data_categories": ["subscriber-name-address"],
            "result_count": 1,
            "query": format!("+31 6 {:08}", i),
            "subject": "Zoë van der Berg"
        }
    })
}

pub fn lines(values: impl IntoIterator<Item = Value>) -> String {
    let mut s = String::new();
    for v in values {
        s.push_str(&v.to_string());
        s.push('\n');
    }
    s
}

/// Keys (authority `ra`, log `log`, producer `qf`) and an initialised SHA-256 log `log/` in
/// `dir`, with the query front-end's key registered for data-access records.
pub fn setup_log(dir: &Path) {
    ok(&logseal(
        &["keygen", "--name", AUTHORITY, "--out", "ra"],
        dir,
        None,
    ));
    ok(&logseal(
        &["keygen", "--name", ORIGIN, "--out", "logkey"],
        dir,
        None,
    ));
    ok(&logseal(
        &["keygen", "--name", "query-frontend", "--out", "qf"],
        dir,
        None,
    ));
    ok(&logseal(
        &[
            "init",
            "log",
            "--origin",
            ORIGIN,
            "--log-key",
            "logkey.key",
            "--authority",
            "ra.pub",
        ],
        dir,
        None,
    ));
    let reg = registration("query-frontend", &dir.join("qf.pub"), &["data-access"]);
    ok(&logseal(
        &["append", "log", "--in", "-", "--producer-key", "ra.key"],
        dir,
        Some(&lines([reg])),
    ));
}
/// Write `name`'s scenario signing key to DIR/name.key.
pub fn key_file(dir: &Path, name: &str) -> PathBuf {
    let k = logseal::note::Ed25519NoteKey::new(name, logseal::scenario::secret_key(name)).unwrap();
    let path = dir.join(format!("{name}.key"));
    std::fs::write(&path, format!("{}\n", k.to_skey())).unwrap();
    path
}

/// Every file below `dir` (paths only, depth first).
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Every file below `dir`, with its contents.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    files_in(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Copy the tree below `from` (directories too, empty ones included) to the same places
/// below `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// `logseal trust new` in `dir` for `setup_log`'s keys (`logkey.pub`, `ra.pub`), writing
/// `trust.json`, with `extra` arguments.
pub fn trust_new(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "trust",
        "new",
        "--out",
        "trust.json",
        "--log-key",
        "logkey.pub",
        "--authority",
        "ra.pub",
    ];
    args.extend_from_slice(extra);
    logseal(&args, dir, None)
}

pub mod etcd;
pub mod garage;
pub mod records;
pub mod served;
pub mod tamper;
pub mod tsa;

/// The leaves of the upload-gateway's data-access records in `log` (the scenario's provider
/// files: the records the retention tests erase), in order.
pub fn upload_leaves(log: &logseal::log::Log) -> Vec<u64> {
    use logseal::record::{Record, kinds::Body};
    let mut out = Vec::new();
    log.reader()
        .for_each_entry(log.size(), 0, log.size(), |leaf, bytes| {
            let r = Record::decode(bytes).unwrap();
            if r.payload().producer.as_str() == "upload-gateway"
                && matches!(r.payload().body, Body::DataAccess(_))
            {
                out.push(leaf);
            }
            Ok(())
        })
        .unwrap();
    out
}

/// The built-in demo, built once and shared by every test binary of a run: `ROOT/demo` (the
/// directories `logseal demo --dir demo` writes) and its standard output in `ROOT/demo.out`.
/// Tests only read it or copy it (`copy_dir`) before changing anything. It is rebuilt when
/// the `logseal` binary differs from the one that built it (a stamp of the binary's size and
/// modification time, written last, so an interrupted build is redone); a file lock keeps
/// concurrent test binaries from building it twice.
pub fn shared_demo() -> &'static Path {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shared-demo");
        std::fs::create_dir_all(&root).unwrap();
        let lock = std::fs::File::create(root.join(".lock")).unwrap();
        lock.lock().unwrap();
        let exe = std::fs::metadata(env!("CARGO_BIN_EXE_logseal")).unwrap();
        let modified = exe
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let stamp = format!("{} {}", exe.len(), modified.as_nanos());
        let stamp_file = root.join("stamp");
        if std::fs::read_to_string(&stamp_file).ok().as_deref() != Some(stamp.as_str()) {
            let _ = std::fs::remove_file(&stamp_file);
            let _ = std::fs::remove_dir_all(root.join("demo"));
            let out = ok(&logseal(&["demo", "--dir", "demo"], &root, None));
            std::fs::write(root.join("demo.out"), out).unwrap();
            std::fs::write(&stamp_file, &stamp).unwrap();
        }
        lock.unlock().unwrap();
        root
    })
}

/// A copy of the shared demo's honest log in `TMP/log` and an inspector's key pair
/// `TMP/insp.key`/`TMP/insp.pub` (producer `auditor-inspector`), registered in the log for
/// data-access records by the demo's registration authority when `register`.
pub fn inspector_copy(register: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    copy_dir(&shared_demo().join("demo/honest"), &d.join("log"));
    ok(&logseal(
        &["keygen", "--name", "auditor-inspector", "--out", "insp"],
        d,
        None,
    ));
    if register {
        let reg = registration("auditor-inspector", &d.join("insp.pub"), &["data-access"]);
        let ra = shared_demo().join("demo/keys/registration-authority.key");
        let args = [
            "append",
            "log",
            "--in",
            "-",
            "--producer-key",
            ra.to_str().unwrap(),
        ];
        ok(&logseal(&args, d, Some(&lines([reg]))));
    }
    tmp
}
