//! `logseal tui`: every view drawn on ratatui's `TestBackend` from the demo log (insta
//! snapshots), and key sequences driven through the update function — the worker's
//! requests answered in this thread by the same `LogSource` the binary uses.

mod common;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use logseal::bundle::Bundle;
use logseal::inspect::{Anchors, IndexHome, Inspector};
use logseal::log::Log;
use logseal::store::FsStore;
use logseal::tui::bundle::BundleSource;
use logseal::tui::data::{Reply, Request, Target, Verified};
use logseal::tui::source::{self, LogSource, Source, VerifyJob};
use logseal::tui::{App, Effect, Event, Key, Screen, render, update};
use logseal::verify::report::Check;
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
        index_done: Default::default(),
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

/// Every check is reported as it starts and as it ends, with the violations it found (the
/// report's count): check 1 first, checks 2–6 and 8 over the one pass through the records,
/// check 7 last; the verify view shows them pending, running (with the records read) and done.
#[test]
fn the_verify_view_shows_each_checks_progress_from_the_worker() {
    let dir = honest();
    let public = FsStore::open(dir.join("public")).unwrap();
    let ins = Inspector::open(&public, Anchors::from_trust(&trust()), IndexHome::Memory).unwrap();
    let src = LogSource {
        ins: &ins,
        disclosures: None,
        // A run of its own: the shared one reports its progress only once.
        verifier: Some(Arc::new(|_, p| run_verification(p))),
        no_verifier: "",
        revealer: None,
        index_done: Default::default(),
    };
    let replies = source::answer(&src, Request::Verify { asked: false });
    let events: Vec<(Check, Option<u64>)> = (replies.iter())
        .filter_map(|r| match r {
            Reply::Check { check, ended } => Some((*check, *ended)),
            _ => None,
        })
        .collect();
    let Some(Reply::Verified(Ok(v))) = replies.last() else {
        panic!("no report: {:?}", replies.last());
    };
    assert_eq!(events.first(), Some(&(Check::Checkpoints, None)));
    assert_eq!(events.last().map(|e| e.0), Some(Check::Retention));
    for c in Check::ALL {
        let started = events.iter().position(|e| *e == (c, None));
        let ended: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].0 == c && events[i].1.is_some())
            .collect();
        let summary = v.report.checks.iter().find(|s| s.check == c).unwrap();
        assert_eq!(ended.len(), 1, "check {c:?} ended once: {events:?}");
        assert!(started.unwrap() < ended[0], "check {c:?}: {events:?}");
        assert_eq!(events[ended[0]].1, Some(summary.violations), "check {c:?}");
    }
    // The demo's check 8 finds the violations its scenario plants.
    assert!(v.report.checks[7].violations > 0);
    // Mid-run on screen: check 1 running, 2–6 and 8 reading records, 7 pending; then check 1
    // and 2 done.
    let mut app = App::new("demo/honest".into(), "anchors".into(), 3700);
    update(&mut app, resize());
    app.verify_basis = "checked against the trust file trust.json".into();
    let _ = app.start();
    update(&mut app, Event::Key(Key::Char('2')));
    let mut upto = replies.iter().take_while(|r| {
        !matches!(
            r,
            Reply::Check {
                check: Check::Checkpoints,
                ended: Some(_)
            }
        )
    });
    let mut last_progress = None;
    for r in upto.by_ref() {
        if matches!(r, Reply::Progress { .. }) {
            last_progress = Some(r.clone());
            continue;
        }
        update(&mut app, Event::Reply(r.clone()));
    }
    update(
        &mut app,
        Event::Reply(Reply::Progress {
            done: 1024,
            total: 3700,
        }),
    );
    assert!(last_progress.is_some(), "no record progress was sent");
    let s = screen(&app);
    for text in [
        "checked against the trust file trust.json",
        "1024 of 3700 records read (27%)",
        "1 checkpoints   running",
        "2 tree          running 1024/3700",
        "7 retention     pending",
        "8 obligations   running 1024/3700",
    ] {
        assert!(s.contains(text), "{text:?} not on the screen:\n{s}");
    }
    insta::assert_snapshot!("verify_running", s);
    for c in [Check::Checkpoints, Check::Tree] {
        update(
            &mut app,
            Event::Reply(Reply::Check {
                check: c,
                ended: Some(0),
            }),
        );
    }
    let s = screen(&app);
    assert!(s.contains("1 checkpoints   done, no violation"), "{s}");
    assert!(s.contains("2 tree          done, no violation"), "{s}");
    update(
        &mut app,
        Event::Reply(Reply::Check {
            check: Check::Obligations,
            ended: Some(2),
        }),
    );
    assert!(screen(&app).contains("8 obligations   done, 2 violation(s)"));
}

/// Without --trust the log is verified against its own configured keys and origin: checks
/// 1–3 run (and hold on the honest demo), check 8 does not (no policy authority is pinned),
/// and the verify view says that this is no independent trust file.
#[test]
fn without_trust_the_log_is_verified_against_its_own_key_and_the_screen_says_so() {
    let dir = honest();
    let log = Log::open_read_only(&dir).unwrap();
    let own = source::own_trust(log.config()).unwrap();
    assert_eq!(own.origin(), trust().origin());
    assert!(own.witnesses.is_empty() && own.obligation_policy_authority.is_none());
    let store = FsStore::open(dir.join("public")).unwrap();
    let options = Options {
        at_secs: AT,
        incremental: false,
    };
    let state = AuditorState::new(own.origin());
    let o = verify::verify(&store, &own, &state, &options, &verify::NoProgress).unwrap();
    let c = |n: usize| &o.report.checks[n - 1];
    for n in 1..=3 {
        let found: Vec<_> = (o.report.findings.iter())
            .filter(|f| usize::from(f.check.number()) == n)
            .map(|f| (f.code, f.message.clone()))
            .collect();
        assert_eq!(c(n).violations, 0, "check {n}: {found:?}");
        // A first run: that nothing was removed since an earlier view is undetermined.
        let first_run = found.iter().all(|f| f.0 == "checkpoint-no-auditor-state");
        assert!(first_run, "check {n}: {found:?}");
    }
    assert_eq!(c(3).verdict, Some(verify::Verdict::Holds));
    assert!(c(8).not_run.is_some(), "{:?}", c(8));
    let mut app = App::new(
        "demo/honest".into(),
        "anchors".into(),
        o.report.records_checked,
    );
    update(&mut app, resize());
    app.verify_basis = source::OWN_KEY.into();
    update(&mut app, Event::Key(Key::Char('2')));
    logseal::tui::verified_for_tests(
        &mut app,
        Verified {
            report: o.report,
            state: "no --state".into(),
        },
    );
    let s = screen(&app);
    assert!(
        s.contains("checked against the log's own key, not an independent trust file"),
        "{s}"
    );
}

fn bundle_path() -> PathBuf {
    shared_demo().join("demo/court/account-case.lsb")
}

/// Run `f` on the demo's account-case bundle (with the auditor's trust file when `trusted`).
fn with_bundle<T>(trusted: bool, f: impl FnOnce(&dyn Source, App) -> T) -> T {
    let b = Bundle::decode(&std::fs::read(bundle_path()).unwrap()).unwrap();
    let src = BundleSource::new(b, trusted.then(trust)).unwrap();
    let leaves = src.leaves();
    let mut app = App::new(
        "court/account-case.lsb · demo.logseal.example/log · evidence bundle".into(),
        format!("bundle of a log of size {}", src.size()),
        leaves.len() as u64,
    );
    app.sparse = Some(leaves);
    app.reveal_refusal = Some(logseal::tui::bundle::NO_REVEAL.into());
    let e = update(&mut app, resize());
    pump(&mut app, &src, e);
    f(&src, app)
}

/// The position of the first record of `kind` in the bundle's list.
fn first_of(app: &App, kind: &str) -> u64 {
    (0..app.list_len())
        .find(|&i| app.row_at(i).is_some_and(|r| r.kind == kind))
        .unwrap_or_else(|| panic!("no {kind} in the bundle"))
}

#[test]
fn a_bundle_lists_its_records_in_leaf_order_and_verifies_in_the_background() {
    with_bundle(true, |src, app| {
        let mut app = opened(src, app);
        let leaves = app.sparse.clone().unwrap();
        assert!(leaves.windows(2).all(|w| w[0] < w[1]), "{leaves:?}");
        assert!(app.list_len() < 200, "a selection, not the log");
        let s = screen(&app);
        assert!(s.contains("account-sanction"), "{s}");
        insta::assert_snapshot!("bundle_records", s);
        keys(&mut app, src, &[Key::Char('2')]);
        let s = screen(&app);
        // Checks 1–3 hold; check 8 proves the missing statement of reasons from the bundle.
        let r = app.verification.report().expect("verified");
        assert_eq!(r.checks[0].verdict, Some(verify::Verdict::Holds));
        assert_eq!(r.checks[2].verdict, Some(verify::Verdict::Holds));
        assert!(r.checks[3].not_run.as_deref() == Some(logseal::tui::bundle::NOT_IN_BUNDLE));
        assert!(s.contains("obligation-sor-missing"), "{s}");
        assert!(
            s.contains("bundle verify: checks 1–3 hold for every record"),
            "{s}"
        );
        insta::assert_snapshot!("bundle_verify", s);
        // Each check bundle verify runs was reported done.
        for c in [
            Check::Checkpoints,
            Check::Tree,
            Check::Records,
            Check::Obligations,
        ] {
            assert!(
                matches!(app.verification.checks.get(&c), Some(Some(_))),
                "{c:?}"
            );
        }
        // A finding opens its record (a leaf of the bundle).
        let list = logseal::tui::items::items(&app);
        let at = list
            .iter()
            .position(|i| i.text.contains("obligation-sor-missing"))
            .unwrap();
        keys(&mut app, src, &vec![Key::Char('j'); at]);
        keys(&mut app, src, &[Key::Enter]);
        let leaf = app.open.as_ref().unwrap().leaf;
        assert!(leaves.contains(&leaf), "{leaf}");
    });
}

#[test]
fn a_bundle_record_shows_disclosed_and_sealed_fields_references_and_its_proof() {
    with_bundle(true, |src, app| {
        let mut app = opened(src, app);
        let at = first_of(&app, "account-sanction");
        keys(&mut app, src, &vec![Key::Char('j'); at as usize]);
        keys(&mut app, src, &[Key::Enter]);
        assert_eq!(app.screen, Screen::Detail);
        let d = app.open.as_ref().unwrap().detail.clone().unwrap().unwrap();
        assert!(d.signature_ok, "{}", d.signature);
        let states: Vec<&str> = d.sealed.iter().map(|s| s.state.as_str()).collect();
        assert!(
            states
                .iter()
                .any(|s| s.starts_with("disclosed in the bundle: ")),
            "{states:?}"
        );
        let s = screen(&app);
        assert!(s.contains("verified by bundle verify"), "{s}");
        insta::assert_snapshot!("bundle_detail", s);
        // References within the bundle, both ways: the sanction is appealed.
        let sanction = app.open.as_ref().unwrap().leaf;
        let to_appeal = d
            .links
            .iter()
            .position(|l| l.text.contains(" appeal ") && l.leaf.is_some())
            .unwrap_or_else(|| panic!("{:?}", d.links));
        keys(&mut app, src, &vec![Key::Char('j'); to_appeal]);
        keys(&mut app, src, &[Key::Enter]);
        let appeal = app.open.as_ref().unwrap();
        assert_ne!(appeal.leaf, sanction);
        let a = appeal.detail.clone().unwrap().unwrap();
        assert_eq!(a.row.kind, "appeal");
        assert!(
            a.links.iter().any(|l| l.leaf == Some(sanction)),
            "{:?}",
            a.links
        );
        keys(&mut app, src, &[Key::Backspace]);
        assert_eq!(app.open.as_ref().unwrap().leaf, sanction);
        // Reveals are refused on a bundle, and say why.
        keys(&mut app, src, &[Key::Char('r')]);
        assert!(
            app.status.contains("a bundle cannot reveal"),
            "{}",
            app.status
        );
        assert!(src.reveal(sanction, &Default::default()).is_err());
        // The proof: the bundle's inclusion path to its first checkpoint, and on to the newest.
        keys(&mut app, src, &[Key::Char('p')]);
        let s = screen(&app);
        assert!(s.contains("recomputes the root"), "{s}");
        insta::assert_snapshot!("bundle_proof", s);
        // Jumps stay within the bundle.
        assert!(src.jump(&Target::Leaf(1)).is_err());
        assert_eq!(src.jump(&Target::Leaf(sanction)), Ok(sanction));
        keys(&mut app, src, &[Key::Char('5')]);
        assert!(screen(&app).contains("signed by the log at"));
    });
}

#[test]
fn a_bundle_without_trust_is_shown_unauthenticated_and_not_verified() {
    with_bundle(false, |src, app| {
        let mut app = opened(src, app);
        assert!(
            app.status
                .contains("verification could not run: bundle verify needs --trust FILE"),
            "{}",
            app.status
        );
        let at = first_of(&app, "account-sanction");
        keys(&mut app, src, &vec![Key::Char('j'); at as usize]);
        keys(&mut app, src, &[Key::Enter]);
        let d = app.open.as_ref().unwrap().detail.clone().unwrap().unwrap();
        assert!(!d.signature_ok);
        assert!(
            d.signature
                .starts_with("not checked: bundle verify needs --trust")
        );
        keys(&mut app, src, &[Key::Char('5')]);
        assert!(screen(&app).contains("not verified (no --trust)"));
    });
}

/// The binary's worker opens the log without waiting for the index: a page asked for is
/// answered first, then the index is built between requests, each slice said (the status
/// line shows how far it has come until it is ready).
#[test]
fn the_worker_answers_pages_before_the_index_is_built() {
    let (req_tx, req_rx) = std::sync::mpsc::channel();
    let (rep_tx, rep_rx) = std::sync::mpsc::channel();
    req_tx.send(Request::Bundle(0)).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || {
            let public = FsStore::open(honest().join("public")).unwrap();
            let anchors = Anchors::from_trust(&trust());
            let ins = Inspector::open_deferred(&public, anchors, IndexHome::Memory).unwrap();
            assert!(
                ins.index_events().is_empty(),
                "the index was built on opening"
            );
            let src = LogSource {
                ins: &ins,
                disclosures: None,
                verifier: None,
                no_verifier: "not here",
                revealer: None,
                index_done: Default::default(),
            };
            source::serve(&src, &req_rx, &rep_tx);
        });
        match rep_rx.recv().unwrap() {
            Reply::Rows(rows) => assert_eq!(rows.len(), 256),
            other => panic!("the page was not answered first: {other:?}"),
        }
        let mut steps = 0;
        loop {
            match rep_rx.recv().unwrap() {
                Reply::Indexing(Ok(logseal::inspect::IndexProgress::Ready)) => break,
                Reply::Indexing(Ok(_)) => steps += 1,
                other => panic!("unexpected reply {other:?}"),
            }
        }
        // The demo log is smaller than one slice (16 bundles).
        assert_eq!(steps, 0);
        // Then the index answers: a jump by producer#seq.
        req_tx
            .send(Request::Jump(Target::Seq("query-frontend".into(), 0)))
            .unwrap();
        assert!(matches!(rep_rx.recv().unwrap(), Reply::Jumped(Ok(_))));
        drop(req_tx);
    });

    let mut app = App::new("t".into(), "a".into(), 10_000);
    let e = update(&mut app, resize());
    assert!(e.iter().all(|e| matches!(e, Effect::Send(_))));
    let building = logseal::inspect::IndexProgress::Building {
        done: 2_500,
        total: 10_000,
    };
    update(&mut app, Event::Reply(Reply::Indexing(Ok(building))));
    assert!(
        screen(&app).contains("building the index: 25% (filters, jumps"),
        "{}",
        screen(&app)
    );
    let ready = logseal::inspect::IndexProgress::Ready;
    update(&mut app, Event::Reply(Reply::Indexing(Ok(ready))));
    assert!(!screen(&app).contains("building the index"));
}
