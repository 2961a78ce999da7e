//! `logseal tui DIR|BUNDLE`: the terminal around [`logseal::tui`]. Opens the log directory as
//! `logseal show` does (the anchors: `--trust FILE`, or the operator's own key, and the screen
//! says which), loads the inspector's key before the screen starts (so a bad key is an
//! ordinary error), then runs the read layer in a worker thread and the event loop here:
//! crossterm events and the worker's replies go through [`logseal::tui::update`], the screen
//! is redrawn from the state. The terminal is restored on quit, on error and on panic
//! (ratatui's panic hook). `--state` is read by every verification and written only after one
//! the user asked for (`v`).
//!
//! The opening of a log directory is [`LogDir`]; an evidence bundle (a file) opens into a
//! [`BundleSource`] ([`run_bundle`]); the event loop is the same.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use anyhow::{Context, bail};
use crossterm::event::{self, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use logseal::bundle::Bundle;
use logseal::cli::TuiArgs;
use logseal::inspect::{Anchors, Fetched, IndexHome, Inspector};
use logseal::log::{Log, LogConfig};
use logseal::note::Ed25519NoteVerifier;
use logseal::record::Disclosure;
use logseal::retention::DisclosureSource;
use logseal::store::{FsStore, ObjectStore};
use logseal::tree::TreeHashAlg;
use logseal::tui::bundle::{self as bundle_source, BundleSource};
use logseal::tui::data::{Reply, Request, RevealAsk, Revealed, Verified};
use logseal::tui::source::{self, LogSource, VerifyJob};
use logseal::tui::{App, Effect, Event, Key, render, update};
use logseal::verify::{self, AuditorState, Options, Progress, RetentionAccess, Trust};

use super::log::now_secs;
use super::sweep::SigningKey;
use super::{Invalid, files, reveal, verify as verify_cmd};

/// A log directory, opened: its stores, anchors and the trust verification uses.
struct LogDir {
    dir: PathBuf,
    /// The public part: the directory's, or a served log's over HTTP.
    public: Box<dyn ObjectStore>,
    private: Option<FsStore>,
    anchors: Anchors,
    /// The auditor's trust file, or one derived from the log's own configuration.
    trust: Trust,
    /// Whether `trust` is the auditor's (`--trust`), not the log's own.
    independent: bool,
}

fn open(args: &TuiArgs) -> anyhow::Result<LogDir> {
    let dir = &args.dir;
    if let Some(url) = verify_cmd::remote_url(dir) {
        // A served log: its public part over HTTP, checked against the auditor's trust file
        // (a served log's own key is no anchor); no private part (check 7 is not run, and
        // reveals stay on site).
        let Some(t) = &args.trust else {
            bail!(
                "{url}: a log read over HTTP is checked against the auditor's trust file: give \
                 --trust FILE"
            );
        };
        if args.inspector_key.is_some() {
            bail!(
                "{url}: --inspector-key reveals sealed values from the private part, on site: \
                 give the log directory, not a URL"
            );
        }
        let trust = verify_cmd::read_trust(t)?;
        return Ok(LogDir {
            dir: dir.clone(),
            public: verify_cmd::open_remote(url)?,
            private: None,
            anchors: Anchors::from_trust(&trust),
            trust,
            independent: true,
        });
    }
    let public_dir = dir.join("public");
    if logseal::log::public_location_of(dir)?.is_none() && !public_dir.is_dir() {
        bail!(
            "{}: no public part (expected {}): not a log directory, or truncated",
            dir.display(),
            public_dir.display()
        );
    }
    let config = dir.join("private").join("config.json");
    let private = match config.is_file() {
        true => Some(FsStore::open(dir.join("private"))?),
        false => None,
    };
    let (trust, anchors) = match (&args.trust, &private) {
        (Some(t), _) => {
            let t = verify_cmd::read_trust(t)?;
            let a = Anchors::from_trust(&t);
            (t, a)
        }
        (None, Some(_)) => (own_trust(&config)?, operator_anchors(&config)?),
        (None, None) => bail!(
            "{}: a public-only copy (no private/config.json): give --trust FILE, the auditor's \
             trust file, to check its checkpoint against",
            dir.display()
        ),
    };
    Ok(LogDir {
        dir: dir.clone(),
        public: logseal::log::public_store(dir)?,
        private,
        anchors,
        trust,
        independent: args.trust.is_some(),
    })
}

/// The trust derived from the log's own configuration ([`source::own_trust`]).
fn own_trust(path: &Path) -> anyhow::Result<Trust> {
    let cfg = read_config(path)?;
    source::own_trust(&cfg)
        .with_context(|| format!("{}: a trust from the log's own keys", path.display()))
}

fn read_config(path: &Path) -> anyhow::Result<LogConfig> {
    serde_json::from_slice(&files::read(path)?).with_context(|| format!("{}", path.display()))
}

fn operator_anchors(path: &Path) -> anyhow::Result<Anchors> {
    let cfg = read_config(path)?;
    let alg = TreeHashAlg::parse(&cfg.tree_hash).with_context(|| format!("{}", path.display()))?;
    let log_key = Ed25519NoteVerifier::from_vkey(&cfg.log_key)
        .with_context(|| format!("{}: log_key", path.display()))?;
    let authority = Ed25519NoteVerifier::from_vkey(&cfg.authority_key)
        .with_context(|| format!("{}: authority_key", path.display()))?;
    Ok(Anchors::operator(
        &cfg.origin,
        alg,
        &log_key,
        *authority.public_key(),
    ))
}

/// A private part that cannot be opened: check 7 and the sealed states say why.
struct Unreadable(String);

impl DisclosureSource for Unreadable {
    fn readable(&self, _leaf: u64) -> Result<Vec<Disclosure>, String> {
        Err(self.0.clone())
    }
}

fn disclosures(dir: &Path, private: bool) -> Option<Box<dyn DisclosureSource>> {
    if !private {
        return None;
    }
    Some(match Log::open_read_only(dir) {
        Ok(l) => Box::new(l),
        Err(e) => Box::new(Unreadable(format!("{}: {e}", dir.display()))),
    })
}

/// Checks 1–8 over the log; the state written only when `asked`.
fn verify_run(
    dir: &Path,
    (trust, independent): (&Trust, bool),
    state_dir: Option<&Path>,
    asked: bool,
    progress: &dyn Progress,
) -> anyhow::Result<Verified> {
    let state = match state_dir {
        Some(d) => verify_cmd::read_state(d, trust.origin())?,
        None => AuditorState::new(trust.origin()),
    };
    let (store, private): (Box<dyn ObjectStore>, _) = match verify_cmd::remote_url(dir) {
        // Over HTTP: the public part only (check 7 needs the private part, on site).
        Some(url) => (verify_cmd::open_remote(url)?, None),
        None => (
            logseal::log::public_store(dir)?,
            disclosures(dir, dir.join("private").join("config.json").is_file()),
        ),
    };
    let retention = private.as_deref().map(|disclosures| RetentionAccess {
        disclosures,
        grace: verify::DEFAULT_RETENTION_GRACE,
    });
    let options = Options {
        at_secs: now_secs(),
        incremental: false,
    };
    let outcome = verify::verify_with_retention(
        store.as_ref(),
        trust,
        &state,
        &options,
        progress,
        retention,
    )?;
    let state = match (asked, state_dir, &outcome.new_state) {
        // The operator's own key is no anchor for the auditor's state.
        (_, Some(_), _) if !independent => {
            "--state read, not advanced: checked against the log's own key".into()
        }
        (true, Some(d), Some(s)) => {
            verify_cmd::write_state(d, s)?;
            format!(
                "--state advanced ({})",
                d.join(verify_cmd::STATE_FILE).display()
            )
        }
        (true, Some(_), None) => "--state kept: the checkpoint did not verify".into(),
        (false, Some(_), _) => {
            "--state read, not advanced (v verifies again and advances it)".into()
        }
        (_, None, _) => "no --state: checked without the auditor's earlier checkpoints".into(),
    };
    Ok(Verified {
        report: outcome.report,
        state,
    })
}

/// The verification job; `shown` is the size of the checkpoint the records on screen were
/// read against: a verdict about another tree says so.
fn verify_job(o: &LogDir, state: Option<PathBuf>, shown: u64) -> VerifyJob {
    let (dir, trust, independent) = (o.dir.clone(), o.trust.clone(), o.independent);
    Arc::new(move |asked, progress| {
        let mut v = verify_run(
            &dir,
            (&trust, independent),
            state.as_deref(),
            asked,
            progress,
        )
        .map_err(|e| format!("{e:#}"))?;
        if let Some(size) = v.report.tree_size.filter(|s| *s != shown) {
            v.state = format!(
                "NOTE: verified the checkpoint of size {size}, but the records shown were read \
                 against the checkpoint of size {shown} (the log grew, or served another \
                 checkpoint since): the verdicts are about size {size}; {}",
                v.state
            );
        }
        Ok(v)
    })
}

/// Log the access, then open the record's sealed values (the `subject` code path).
fn reveal_values(
    dir: &Path,
    (key, organisation): (&SigningKey, &str),
    f: &Fetched,
    ask: &RevealAsk,
    retention_rule: Option<String>,
) -> anyhow::Result<Revealed> {
    let mut log = reveal::open_log(dir)?;
    let stored = log
        .disclosures(f.leaf)
        .with_context(|| format!("reading the disclosures of leaf {}", f.leaf))?;
    let sealed = &f.record.payload().sealed;
    let opened: Vec<Disclosure> = (stored.into_iter())
        .filter(|d| {
            sealed
                .iter()
                .any(|(p, c)| *p == d.path && *c == d.commitment())
        })
        .collect();
    if opened.is_empty() {
        bail!(
            "leaf {}: no stored disclosure opens its commitments (erased or never stored): nothing revealed, nothing logged",
            f.leaf
        );
    }
    let access = reveal::Access {
        purpose: &ask.purpose,
        legal_basis: &ask.legal_basis,
        organisation,
        case_ref: ask.case_ref.clone(),
        query: None,
        result_count: Some(1),
        revealed: opened
            .iter()
            .map(|d| (f.leaf, d.path.to_string()))
            .collect(),
        revealed_ranges: Vec::new(),
        retention_rule,
    };
    reveal::log_then_reveal(&mut log, key, &access, |logged| {
        Ok(Revealed {
            leaf: f.leaf,
            logged: reveal::logged_line(logged),
            values: (opened.iter())
                .map(|d| (d.path.to_string(), reveal::value_json(&d.value).to_string()))
                .collect(),
        })
    })
}

/// What the screen needs from the opened read layer before it starts.
struct Ready {
    size: u64,
    anchors: String,
    origin: String,
}

/// The worker: open the read layer, say so, then serve requests until the screen closes.
fn worker(
    o: &LogDir,
    key: Option<(&SigningKey, &str)>,
    state: Option<PathBuf>,
    ready: Sender<anyhow::Result<Ready>>,
    rx: Receiver<Request>,
    tx: Sender<Reply>,
) {
    let home = match &o.private {
        Some(p) => IndexHome::Private(p),
        None => IndexHome::Memory,
    };
    // The index is built in the background (`Source::background`): the first screen reads
    // its page by leaf and never waits for it.
    let ins = match Inspector::open_deferred(o.public.as_ref(), o.anchors.clone(), home) {
        Ok(i) => i,
        Err(e) => {
            let _ = ready.send(Err(super::inspect::inspect_err(e)));
            return;
        }
    };
    let _ = ready.send(Ok(Ready {
        size: ins.head().size,
        anchors: ins.anchors().describe().to_string(),
        origin: ins.anchors().origin.clone(),
    }));
    let private = disclosures(&o.dir, o.private.is_some());
    let reveal = |f: &Fetched, ask: &RevealAsk| match key {
        // The access record declares the retention rule covering it, as `subject`'s does.
        Some(k) => {
            reveal_values(&o.dir, k, f, ask, reveal::rule_for(&ins)).map_err(|e| format!("{e:#}"))
        }
        None => Err("no --inspector-key given: nothing was revealed".into()),
    };
    let src = LogSource {
        ins: &ins,
        disclosures: private.as_deref(),
        verifier: Some(verify_job(o, state, ins.head().size)),
        no_verifier: "",
        revealer: key.map(|_| &reveal as source::Revealer<'_>),
        index_done: Default::default(),
    };
    source::serve(&src, &rx, &tx);
}

/// An evidence bundle: decoded, its records ready; verification against `--trust` only.
fn run_bundle(args: &TuiArgs) -> anyhow::Result<()> {
    let path = &args.dir;
    if args.inspector_key.is_some() || args.state.is_some() {
        bail!(
            "{}: an evidence bundle is read offline: --inspector-key and --state apply to a log \
             directory only",
            path.display()
        );
    }
    let trust = args
        .trust
        .as_deref()
        .map(verify_cmd::read_trust)
        .transpose()?;
    let bytes = files::read(path)?;
    let b = Bundle::decode(&bytes).map_err(|e| {
        Invalid(format!(
            "{}: [{}] {e}: not an evidence bundle, or damaged",
            path.display(),
            e.code()
        ))
    })?;
    let src =
        BundleSource::new(b, trust).map_err(|e| Invalid(format!("{}: {e}", path.display())))?;
    let title = format!("{} · {} · evidence bundle", path.display(), src.origin());
    let anchors = match &args.trust {
        Some(t) => format!(
            "bundle of a log of size {}, checked against the trust file {} (keys inside the \
             bundle are hints, never trust)",
            src.size(),
            t.display()
        ),
        None => format!(
            "bundle of a log of size {}, NOT authenticated: no --trust (keys inside the bundle \
             are hints, never trust)",
            src.size()
        ),
    };
    let leaves = src.leaves();
    let mut app = App::new(title, anchors, leaves.len() as u64);
    app.sparse = Some(leaves);
    app.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    app.reveal_refusal = Some(bundle_source::NO_REVEAL.into());
    app.verify_basis = match &args.trust {
        Some(t) => format!("bundle verify against the trust file {}", t.display()),
        None => bundle_source::NO_TRUST.into(),
    };
    let (req_tx, req_rx) = mpsc::channel();
    let (rep_tx, rep_rx) = mpsc::channel();
    std::thread::scope(|s| {
        let src = &src;
        s.spawn(move || source::serve(src, &req_rx, &rep_tx));
        let r = screen(app, &req_tx, &rep_rx);
        drop(req_tx);
        r
    })
}

pub fn run(args: TuiArgs) -> anyhow::Result<()> {
    if args.dir.is_file() {
        return run_bundle(&args);
    }
    let o = open(&args)?;
    let key = match &args.inspector_key {
        Some(k) => Some(SigningKey::load(k)?),
        None => None,
    };
    let refusal = match (&key, &o.private) {
        (None, _) => Some("no --inspector-key given".to_string()),
        (Some(_), None) => Some("a public-only copy: the disclosures are not here".to_string()),
        _ => None,
    };
    let (req_tx, req_rx) = mpsc::channel();
    let (rep_tx, rep_rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::scope(|s| {
        let key = key.as_ref().map(|k| (k, args.organisation.as_str()));
        let (o, state) = (&o, args.state.clone());
        s.spawn(move || worker(o, key, state, ready_tx, req_rx, rep_tx));
        let ready = ready_rx
            .recv()
            .context("the worker stopped while opening the log")??;
        let title = format!("{} · {}", args.dir.display(), ready.origin);
        let mut app = App::new(title, ready.anchors, ready.size);
        app.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        app.reveal_refusal = refusal;
        app.verify_basis = match &args.trust {
            Some(t) => format!("checked against the trust file {}", t.display()),
            None => source::OWN_KEY.into(),
        };
        let r = screen(app, &req_tx, &rep_rx);
        drop(req_tx);
        r
    })
}

/// Run the event loop on the terminal, restoring it however the loop ends.
fn screen(app: App, tx: &Sender<Request>, rx: &Receiver<Reply>) -> anyhow::Result<()> {
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    let r = event_loop(&mut terminal, app, tx, rx);
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    ratatui::restore();
    r
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    mut app: App,
    tx: &Sender<Request>,
    rx: &Receiver<Reply>,
) -> anyhow::Result<()> {
    let size = terminal.size()?;
    let resize = Event::Resize {
        width: size.width,
        height: size.height,
    };
    let mut effects = update(&mut app, resize);
    effects.extend(app.start());
    loop {
        for e in effects.drain(..) {
            match e {
                Effect::Send(r) => tx.send(r).context("the worker stopped")?,
                Effect::Quit => return Ok(()),
            }
        }
        terminal.draw(|f| render(&app, f))?;
        if event::poll(Duration::from_millis(40))?
            && let Some(ev) = map_event(event::read()?)
        {
            effects.extend(update(&mut app, ev));
        }
        while let Ok(r) = rx.try_recv() {
            effects.extend(update(&mut app, Event::Reply(r)));
        }
    }
}

fn map_event(e: event::Event) -> Option<Event> {
    match e {
        event::Event::Key(k) if k.kind == KeyEventKind::Press => map_key(k).map(Event::Key),
        event::Event::Resize(width, height) => Some(Event::Resize { width, height }),
        event::Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Event::Scroll(3)),
            MouseEventKind::ScrollUp => Some(Event::Scroll(-3)),
            _ => None,
        },
        _ => None,
    }
}

fn map_key(k: KeyEvent) -> Option<Key> {
    Some(match k.code {
        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => Key::CtrlC,
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::Tab => Key::Tab,
        _ => return None,
    })
}
