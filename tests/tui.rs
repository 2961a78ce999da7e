//! `logseal tui`: every view drawn on ratatui's `TestBackend` from the demo log (insta
//! snapshots), and key sequences driven through the update function — the worker's
//! requests answered in this thread by the same `LogSource` the binary uses.

mod common;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use logseal::inspect::{Anchors, IndexHome, Inspector};
use logseal::log::Log;
use logseal::store::FsStore;
use logseal::tui::data::{Reply, Request, Target, Verified};
use logseal::tui::source::{self, LogSource, Source, VerifyJob};
use logseal::tui::{App, Effect, Event, Key, Screen, render, update};
use logseal::verify::{self, AuditorState, Options, RetentionAccess, Trust};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use common::shared_demo;

/// The reference time of the verification (fixed: retention verdicts depend on it).
const AT: u64 = 1_777_000_000;
const W: u16 = 160;
const H: u16 = 48;
/// The appeal decision on the fully automated termination (check 8: no human review).
const DECISION: u64 = 2109;

fn honest() -> PathBuf {
    shared_demo().join("demo/honest")
}

fn trust() -> Trust {
    let bytes = std::fs::read(shared_demo().join("demo/auditor/trust.json")).unwrap();
    Trust::from_json(&bytes).unwrap()
}

/// One verification of the demo, shared by the tests (it is the slow part).
fn verified(progress: &dyn verify::Progress) -> Result<Verified, String> {
    static DONE: std::sync::OnceLock<Result<Verified, String>> = std::sync::OnceLock::new();
    DONE.get_or_init(|| run_verification(progress)).clone()
}

fn verify_job() -> VerifyJob {
    Arc::new(|_asked, progress| verified(progress))
}

fn run_verification(progress: &dyn verify::Progress) -> Result<Verified, String> {
    let (dir, trust) = (honest(), trust());
    {
        let store = FsStore::open(dir.join("public")).map_err(|e| e.to_string())?;
        let log = Log::open_read_only(&dir).map_err(|e| e.to_string())?;
        let retention = RetentionAccess {
            disclosures: &log,
            grace: verify::DEFAULT_RETENTION_GRACE,
        };
        let options = Options {
            at_secs: AT,
            incremental: false,
        };
        let state = AuditorState::new(trust.origin());
        verify::verify_with_retention(&store, &trust, &state, &options, progress, Some(retention))
            .map(|o| Verified {
                report: o.report,
                state: "no --state".into(),
            })
            .map_err(|e| e.to_string())
    }
}

/// Run `f` on the demo's honest log opened as the binary opens it (index in memory).
fn with_demo<T>(f: impl FnOnce(&dyn Source, App) -> T) -> T {
    let dir = honest();
    let public = FsStore::open(dir.join("public")).unwrap();
    let ins = Inspector::open(&public, Anchors::from_trust(&trust()), IndexHome::Memory).unwrap();
    let log = Log::open_read_only(&dir).unwrap();
    let src = LogSource {
        ins: &ins,
        disclosures: Some(&log),
        verifier: Some(verify_job()),
        no_verifier: "",
        revealer: None,
    };
    let mut app = App::new(
        "demo/honest · demo.logseal.example/log".into(),
        ins.anchors().describe().into(),
        ins.head().size,
    );
    let e = update(&mut app, resize());
    pump(&mut app, &src, e);
    f(&src, app)
}

fn resize() -> Event {
    Event::Resize {
        width: W,
        height: H,
    }
}

/// Carry out `effects` (and those their replies cause) against `src`.
fn pump(app: &mut App, src: &dyn Source, effects: Vec<Effect>) {
    let mut queue = VecDeque::from(effects);
    while let Some(e) = queue.pop_front() {
        if let Effect::Send(r) = e {
            for reply in source::answer(src, r) {
                queue.extend(update(app, Event::Reply(reply)));
            }
        }
    }
}

fn keys(app: &mut App, src: &dyn Source, ks: &[Key]) {
    for k in ks {
        let e = update(app, Event::Key(*k));
        pump(app, src, e);
    }
}

fn typed(s: &str) -> Vec<Key> {
    s.chars().map(Key::Char).collect()
}

/// The screen as text, hashes (16 hex digits or more) masked: the demo's sealed fields are
/// salted afresh on every build, so roots and proof paths differ from run to run.
fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| render(app, f)).unwrap();
    let s = format!("{}", t.backend());
    let hex = regex::Regex::new("[0-9a-f]{16,}").unwrap();
    hex.replace_all(&s, |c: &regex::Captures| "#".repeat(c[0].len()))
        .into_owned()
}

/// The demo opened and verified, as the first screen shows it after verification.
fn opened(src: &dyn Source, mut app: App) -> App {
    let e = app.start();
    pump(&mut app, src, e);
    app
}

#[test]
fn the_records_view_shows_the_first_page_with_verdict_marks() {
    with_demo(|src, app| {
        let app = opened(src, app);
        let s = screen(&app);
        assert!(s.contains("registration-authority#0"), "{s}");
        insta::assert_snapshot!("records", s);
    });
}

#[test]
fn the_detail_view_shows_fields_sealed_states_signature_findings_and_references() {
    with_demo(|src, mut app| {
        let e = app.start();
        pump(&mut app, src, e);
        let mut ks = vec![Key::Char(':')];
        ks.extend(typed("appeals#1"));
        ks.extend([Key::Enter, Key::Enter]);
        keys(&mut app, src, &ks);
        assert_eq!(app.screen, Screen::Detail);
        let s = screen(&app);
        assert!(s.contains("obligation-automated-no-review"), "{s}");
        assert!(
            s.contains("verified with the key registered at leaf 10"),
            "{s}"
        );
        insta::assert_snapshot!("detail", s);
    });
}

#[test]
fn the_proof_view_shows_both_inclusion_paths_and_the_signatures() {
    with_demo(|src, mut app| {
        let e = app.start();
        pump(&mut app, src, e);
        let mut ks = vec![Key::Char(':')];
        ks.extend(typed(&DECISION.to_string()));
        ks.extend([Key::Enter, Key::Enter, Key::Char('p')]);
        keys(&mut app, src, &ks);
        let s = screen(&app);
        assert!(s.contains("recomputes the root"), "{s}");
        insta::assert_snapshot!("proof", s);
        keys(&mut app, src, &[Key::Esc]);
        assert_eq!(app.screen, Screen::Detail);
    });
}

#[test]
fn the_verify_retention_and_obligations_views_list_the_findings() {
    with_demo(|src, app| {
        let mut app = opened(src, app);
        for (k, name) in [('2', "verify"), ('3', "retention"), ('4', "obligations")] {
            keys(&mut app, src, &[Key::Char(k)]);
            insta::assert_snapshot!(name, screen(&app));
        }
        let s = screen(&app);
        assert!(s.contains("decisions without human review (2)"), "{s}");
    });
}

#[test]
fn the_checkpoints_and_producers_views() {
    with_demo(|src, app| {
        let mut app = opened(src, app);
        keys(&mut app, src, &[Key::Char('5')]);
        insta::assert_snapshot!("checkpoints", screen(&app));
        keys(&mut app, src, &[Key::Char('6')]);
        let s = screen(&app);
        assert!(s.contains("query-frontend"), "{s}");
        insta::assert_snapshot!("producers", s);
    });
}

#[test]
fn the_help_overlay_opens_with_a_question_mark_and_any_key_closes_it() {
    with_demo(|src, app| {
        let mut app = opened(src, app);
        keys(&mut app, src, &[Key::Char('?')]);
        insta::assert_snapshot!("help", screen(&app));
        keys(&mut app, src, &[Key::Char('x')]);
        assert!(!app.help);
        assert_eq!(app.screen, Screen::Records);
    });
}

/// From the check-8 finding on the fully automated termination's appeal decision, Enter
/// opens the decision; its references lead to the appeal and on to the sanction; Backspace
/// walks back the same way, then to the list.
#[test]
fn a_finding_opens_its_record_and_references_are_followed_both_ways() {
    with_demo(|src, app| {
        let mut app = opened(src, app);
        keys(&mut app, src, &[Key::Char('4')]);
        let list = logseal::tui::items::items(&app);
        let at = list
            .iter()
            .position(|i| i.text.contains("obligation-automated-no-review"))
            .expect("the GDPR 22 finding is listed");
        keys(&mut app, src, &vec![Key::Char('j'); at]);
        keys(&mut app, src, &[Key::Enter]);
        let open = |app: &App| app.open.as_ref().map(|o| o.leaf);
        assert_eq!(open(&app), Some(DECISION));
        keys(&mut app, src, &[Key::Enter]);
        assert_eq!(
            open(&app),
            Some(DECISION - 1),
            "the decision refers to its appeal"
        );
        keys(&mut app, src, &[Key::Enter]);
        let sanction = open(&app).unwrap();
        let s = screen(&app);
        assert!(s.contains("account-sanction"), "{s}");
        // Both ways: the sanction is referred to by the appeal.
        let d = app.open.as_ref().unwrap().detail.clone().unwrap().unwrap();
        assert!(
            d.links.iter().any(|l| l.leaf == Some(DECISION - 1)),
            "{:?}",
            d.links
        );
        keys(&mut app, src, &[Key::Backspace]);
        assert_eq!(open(&app), Some(DECISION - 1));
        keys(&mut app, src, &[Key::Backspace, Key::Backspace]);
        assert_eq!(app.screen, Screen::Records);
        assert_ne!(sanction, DECISION);
    });
}

#[test]
fn a_filter_lists_only_matching_records_and_esc_clears_it() {
    with_demo(|src, mut app| {
        let e = app.start();
        pump(&mut app, src, e);
        let mut ks = vec![Key::Char('/')];
        ks.extend(typed("producer=appeals"));
        ks.push(Key::Enter);
        keys(&mut app, src, &ks);
        let f = app.filtered.as_ref().expect("filtered");
        assert!(f.done);
        let leaves: Vec<u64> = f.rows.iter().map(|r| r.leaf).collect();
        assert_eq!(leaves, vec![DECISION - 1, DECISION]);
        // A verdict and a text: the violated decision only.
        let mut ks = vec![Key::Char('/')];
        ks.extend(vec![Key::Backspace; 40]);
        ks.extend(typed("verdict=violated upheld"));
        ks.push(Key::Enter);
        keys(&mut app, src, &ks);
        let rows = &app.filtered.as_ref().unwrap().rows;
        assert!(rows.iter().any(|r| r.leaf == DECISION), "{rows:?}");
        assert!(rows.iter().all(|r| app.mark(r.leaf) == "VIOLATED"));
        keys(&mut app, src, &[Key::Esc]);
        assert!(app.filtered.is_none());
    });
}

#[test]
fn a_jump_goes_to_an_index_a_producer_seq_or_a_time() {
    with_demo(|src, mut app| {
        for (to, leaf) in [("380", 380), ("appeals#0", DECISION - 1)] {
            let mut ks = vec![Key::Char(':')];
            ks.extend(typed(to));
            ks.push(Key::Enter);
            keys(&mut app, src, &ks);
            assert_eq!(app.list.selected, leaf, "{to}");
        }
        let mut ks = vec![Key::Char(':')];
        ks.extend(typed("2026-03-17T17:05:01Z"));
        ks.push(Key::Enter);
        keys(&mut app, src, &ks);
        let row = app.row_at(app.list.selected).unwrap();
        assert!(row.time.as_str() >= "2026-03-17T17:05:01.000Z", "{row:?}");
        let mut ks = vec![Key::Char(':')];
        ks.extend(typed("nobody#9"));
        ks.push(Key::Enter);
        keys(&mut app, src, &ks);
        assert!(app.status.contains("no record nobody#9"), "{}", app.status);
    });
}

/// On a log of a million records the list asks for the entry bundles around the window
/// only, also after jumping to the end; rows far away are forgotten.
#[test]
fn pages_are_asked_for_on_demand_never_the_whole_log() {
    let mut app = App::new("big".into(), "anchors".into(), 1_000_000);
    let bundles = |e: &[Effect]| -> Vec<u64> {
        e.iter()
            .filter_map(|e| match e {
                Effect::Send(Request::Bundle(b)) => Some(*b),
                _ => None,
            })
            .collect()
    };
    let e = update(&mut app, resize());
    assert_eq!(bundles(&e), vec![0]);
    let e = app.start();
    assert_eq!(e, vec![Effect::Send(Request::Verify { asked: false })]);
    let e = update(&mut app, Event::Key(Key::Char('G')));
    assert_eq!(app.list.selected, 999_999);
    assert_eq!(bundles(&e), vec![3905, 3906]);
    let e = update(&mut app, Event::Key(Key::Char('g')));
    assert_eq!((app.list.selected, bundles(&e)), (0, vec![]));
    let e = update(&mut app, Event::Key(Key::PageDown));
    assert_eq!(app.list.selected, u64::from(H) - 8);
    assert!(bundles(&e).is_empty());
    assert_eq!(app.mark(5), "pending");
    update(
        &mut app,
        Event::Reply(Reply::Progress {
            done: 100,
            total: 1_000_000,
        }),
    );
    assert_eq!((app.mark(5), app.mark(500)), ("reached", "pending"));
}

#[test]
fn prompts_cancel_with_esc_and_bad_input_is_named() {
    let mut app = App::new("t".into(), "a".into(), 10);
    update(&mut app, resize());
    update(&mut app, Event::Key(Key::Char(':')));
    for k in typed("soon") {
        update(&mut app, Event::Key(k));
    }
    assert!(update(&mut app, Event::Key(Key::Enter)).is_empty());
    assert!(app.status.contains("is not a leaf index"), "{}", app.status);
    update(&mut app, Event::Key(Key::Char('/')));
    update(&mut app, Event::Key(Key::Char('x')));
    assert!(update(&mut app, Event::Key(Key::Esc)).is_empty());
    assert!(app.prompt.is_none() && app.filtered.is_none());
    let e = update(&mut app, Event::Key(Key::Char('q')));
    assert_eq!(e, vec![Effect::Quit]);
    let e = update(&mut app, Event::Key(Key::CtrlC));
    assert_eq!(e, vec![Effect::Quit]);
}

#[test]
fn a_verify_run_asked_for_advances_the_state_and_one_at_a_time() {
    let mut app = App::new("t".into(), "a".into(), 10);
    update(&mut app, resize());
    let _ = app.start();
    update(&mut app, Event::Key(Key::Char('2')));
    assert!(update(&mut app, Event::Key(Key::Char('v'))).is_empty());
    assert!(app.status.contains("already running"));
    update(
        &mut app,
        Event::Reply(Reply::Verified(Err("no trust".into()))),
    );
    assert_eq!(app.mark(3), "unverified");
    let e = update(&mut app, Event::Key(Key::Char('v')));
    assert_eq!(e, vec![Effect::Send(Request::Verify { asked: true })]);
}

/// Without an inspector key the reveal is refused on screen and nothing is asked of the
/// worker; with one, purpose, legal basis and case reference are asked, then the reveal.
#[test]
fn reveal_is_refused_without_a_key_and_asks_purpose_basis_and_case_with_one() {
    with_demo(|src, mut app| {
        let mut ks = vec![Key::Char(':')];
        ks.extend(typed(&DECISION.to_string()));
        ks.extend([Key::Enter, Key::Enter]);
        keys(&mut app, src, &ks);
        assert!(update(&mut app, Event::Key(Key::Char('r'))).is_empty());
        assert!(screen(&app).contains("reveal refused: no --inspector-key given"));
        app.reveal_refusal = None;
        assert!(update(&mut app, Event::Key(Key::Char('r'))).is_empty());
        let mut effects = Vec::new();
        for answer in ["complaint-handling", "gdpr-art-6-1-c", "case-17"] {
            for k in typed(answer) {
                update(&mut app, Event::Key(k));
            }
            effects = update(&mut app, Event::Key(Key::Enter));
        }
        match effects.as_slice() {
            [Effect::Send(Request::Reveal { leaf, ask })] => {
                assert_eq!(*leaf, DECISION);
                assert_eq!(ask.purpose, "complaint-handling");
                assert_eq!(ask.legal_basis, "gdpr-art-6-1-c");
                assert_eq!(ask.case_ref, "case-17");
            }
            other => panic!("{other:?}"),
        }
        // The source without a revealer refuses, and says nothing was revealed.
        let r = src.reveal(DECISION, &Default::default());
        assert!(r.unwrap_err().contains("nothing was revealed"));
        assert!(matches!(src.jump(&Target::Leaf(1 << 40)), Err(e) if e.contains("beyond")));
    });
}

/// Every view draws at any size, down to one cell, without panicking (resize-safe).
#[test]
fn every_view_draws_at_tiny_and_odd_sizes() {
    with_demo(|src, app| {
        let mut app = opened(src, app);
        keys(&mut app, src, &[Key::Enter]);
        let screens = [
            Screen::Records,
            Screen::Detail,
            Screen::Verify,
            Screen::Retention,
            Screen::Obligations,
            Screen::Checkpoints,
            Screen::Producers,
        ];
        for (w, h) in [(1, 1), (20, 5), (80, 24), (7, 40), (300, 3)] {
            update(
                &mut app,
                Event::Resize {
                    width: w,
                    height: h,
                },
            );
            for s in screens {
                app.screen = s;
                app.help = s == Screen::Verify;
                let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
                t.draw(|f| render(&app, f)).unwrap();
            }
        }
    });
}
