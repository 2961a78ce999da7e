//! `logseal tui` on a large log, through the library as the binary runs it (the read layer
//! opened with its index in the private part, a [`LogSource`], the update function and the
//! renderer) on ratatui's `TestBackend` (160×48): the time from opening the log to the first
//! rendered screen, and the time for "jump to the end" (End) to render, pages read on
//! demand. The read layer is opened as the binary opens it ([`Inspector::open_deferred`]:
//! an index that is missing or stale is built afterwards, in the background, and the first
//! screen does not wait for it); measured with no index and with a current one, and the
//! background build itself. The background verification is not started (it runs in its own
//! thread in the binary and does not hold up the screen).
//!
//! The log: `LOGSEAL_BENCH_LOG=DIR` (e.g. one written by `xtask synth-log DIR --records
//! 1000000`; the log is `DIR/log` when DIR holds one), else a 20,000-record log written once
//! by `xtask synth-log` into the target directory. Run: `cargo bench --bench tui`. Numbers:
//! docs/PERFORMANCE.md.

#[path = "common/mod.rs"]
mod common;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use logseal::inspect::index::INDEX_KEY;
use logseal::inspect::{IndexHome, Inspector};
use logseal::log::Log;
use logseal::store::FsStore;
use logseal::tui::data::Request;
use logseal::tui::source::{self, LogSource, Source};
use logseal::tui::{App, Effect, Event, Key, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const RECORDS: u64 = 20_000;
const W: u16 = 160;
const H: u16 = 48;
/// Runs of each measurement (the median is printed, and the slowest).
const RUNS: usize = 5;

/// The log directory: `LOGSEAL_BENCH_LOG`, else a synthetic one written when missing.
fn log_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("LOGSEAL_BENCH_LOG") {
        let d = PathBuf::from(d);
        return match d.join("log").join("public").is_dir() {
            true => d.join("log"),
            false => d,
        };
    }
    common::synth_log("tui-bench", RECORDS)
}

/// Answer the page requests among `effects` (and what their replies ask), in this thread.
fn pump(app: &mut App, src: &dyn Source, effects: Vec<Effect>) {
    let mut queue = VecDeque::from(effects);
    while let Some(e) = queue.pop_front() {
        // The verification runs in its own thread in the binary: not measured here.
        if let Effect::Send(r @ Request::Bundle(_)) = e {
            for reply in source::answer(src, r) {
                queue.extend(update(app, Event::Reply(reply)));
            }
        }
    }
}

fn draw(t: &mut Terminal<TestBackend>, app: &App) {
    t.draw(|f| render(app, f)).expect("draw");
}

/// One run: (open → first screen, End → screen at the end).
fn run(dir: &Path, public: &FsStore, private: &FsStore) -> (Duration, Duration, u64) {
    let t0 = Instant::now();
    let log = Log::open_read_only(dir).expect("open the log");
    let ins = Inspector::open_deferred(public, common::anchors(&log), IndexHome::Private(private))
        .expect("open");
    let src = LogSource {
        ins: &ins,
        disclosures: Some(&log),
        verifier: None,
        no_verifier: "not measured",
        revealer: None,
        index_done: Default::default(),
    };
    let mut app = App::new(
        "bench".into(),
        ins.anchors().describe().into(),
        ins.head().size,
    );
    let mut term = Terminal::new(TestBackend::new(W, H)).expect("terminal");
    let e = update(
        &mut app,
        Event::Resize {
            width: W,
            height: H,
        },
    );
    pump(&mut app, &src, e);
    let e = app.start();
    pump(&mut app, &src, e);
    draw(&mut term, &app);
    assert!(app.row_at(0).is_some(), "the first page was not read");
    let first = t0.elapsed();

    let t1 = Instant::now();
    let e = update(&mut app, Event::Key(Key::End));
    pump(&mut app, &src, e);
    draw(&mut term, &app);
    let end = t1.elapsed();
    let last = app.size - 1;
    assert_eq!(app.list.selected, last);
    assert!(app.row_at(last).is_some(), "the last page was not read");
    (first, end, app.size)
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[v.len() - 1])
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = log_dir();
    let public = FsStore::open(dir.join("public")).expect("the public part");
    let private = FsStore::open(dir.join("private")).expect("the private part");
    let index = dir.join("private").join(INDEX_KEY);
    // No index (a log copied without its private index, or a first open): removed each run.
    let (mut firsts, mut ends, mut size) = (Vec::new(), Vec::new(), 0);
    for _ in 0..RUNS {
        let _ = std::fs::remove_file(&index);
        let (first, end, n) = run(&dir, &public, &private);
        size = n;
        firsts.push(first);
        ends.push(end);
    }
    report(
        &dir,
        size,
        "no index: built in the background",
        firsts,
        ends,
    );

    // The background build, as the worker runs it between requests (and keeps it).
    let log = Log::open_read_only(&dir).expect("open the log");
    let t = Instant::now();
    let ins =
        Inspector::open_deferred(&public, common::anchors(&log), IndexHome::Private(&private))
            .expect("open");
    ins.finish_index().expect("build the index");
    println!(
        "tui {size} records: background index build {:.2?} (the screen is usable meanwhile)",
        t.elapsed()
    );
    drop(ins);

    let (mut firsts, mut ends) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let (first, end, _) = run(&dir, &public, &private);
        firsts.push(first);
        ends.push(end);
    }
    report(&dir, size, "index current", firsts, ends);
}

fn report(dir: &Path, size: u64, what: &str, firsts: Vec<Duration>, ends: Vec<Duration>) {
    let (f, f_max) = median(firsts);
    let (e, e_max) = median(ends);
    println!(
        "tui {size} records ({}, {what}): open → first screen {f:.2?} (median of {RUNS}, \
         slowest {f_max:.2?}); End → last screen {e:.2?} (slowest {e_max:.2?})",
        dir.display()
    );
}
