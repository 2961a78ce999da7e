//! The TUI's state and its one update function: every key, resize and worker reply is an
//! [`Event`]; [`update`] changes the [`App`] and returns the [`Effect`]s to carry out (requests
//! for the worker, quitting). No I/O here, no clock: the state is a value the tests drive.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::verify::report::{Check, RootCause};
use crate::verify::{Report, Verdict};

use super::data::{
    CheckpointRow, Detail, ProducerRow, Proof, Query, Reply, Request, RevealAsk, Revealed, Row,
    Verified,
};
use super::items;
use super::query;

/// Leaves per entry bundle: the unit the worker reads.
pub const BUNDLE: u64 = 256;
/// Rows kept in memory before far ones are dropped (read again when scrolled back to).
pub const MAX_ROWS: usize = 8192;
/// Matches a filter keeps (the scan stops there and says so).
pub const MAX_MATCHES: usize = 50_000;
/// Lines of the verify view's progress box (borders included).
pub const VERIFY_TOP: u64 = 9;
/// Lines of chrome around a list: title, anchors, tabs, two borders, the table header,
/// status, keys.
pub const CHROME: u16 = 8;

/// What the worker read, or why it could not.
pub type Loaded<T> = Result<Box<T>, String>;

/// The views, one keystroke apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Records,
    Detail,
    Proof,
    Verify,
    Retention,
    Obligations,
    Checkpoints,
    Producers,
}

impl Screen {
    /// The views reached by a digit key, in order.
    pub const TABS: [(char, Screen, &'static str); 6] = [
        ('1', Screen::Records, "records"),
        ('2', Screen::Verify, "verify"),
        ('3', Screen::Retention, "retention"),
        ('4', Screen::Obligations, "obligations"),
        ('5', Screen::Checkpoints, "checkpoints"),
        ('6', Screen::Producers, "producers"),
    ];
}

/// A key, as the terminal layer maps it (the TUI does not depend on the terminal's types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Backspace,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Tab,
    CtrlC,
}

#[derive(Debug, Clone)]
pub enum Event {
    Key(Key),
    Resize {
        width: u16,
        height: u16,
    },
    /// Mouse wheel: lines down (negative: up).
    Scroll(i32),
    Reply(Reply),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Send(Request),
    Quit,
}

/// What a prompt line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    Filter,
    Jump,
    Purpose,
    LegalBasis,
    CaseRef,
}

impl Ask {
    pub fn label(self) -> &'static str {
        match self {
            Ask::Filter => "filter (kind= producer= since= until= verdict= PATH=VALUE words)",
            Ask::Jump => "jump to (leaf, PRODUCER#SEQ or RFC 3339 time)",
            Ask::Purpose => "reveal: purpose of the inspection",
            Ask::LegalBasis => "reveal: legal basis",
            Ask::CaseRef => "reveal: case reference",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub ask: Ask,
    pub text: String,
}

/// A selection in a list of items, and the first item on screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: u64,
    pub top: u64,
}

impl Cursor {
    /// Move by `delta` within `len` items, keeping the selection among `rows` on screen.
    pub fn step(&mut self, delta: i64, len: u64, rows: u64) {
        let last = len.saturating_sub(1) as i64;
        self.selected = (self.selected as i64 + delta).clamp(0, last.max(0)) as u64;
        self.show(rows);
    }

    pub fn set(&mut self, at: u64, len: u64, rows: u64) {
        self.selected = at.min(len.saturating_sub(1));
        self.show(rows);
    }

    /// Select `at` and put it in the middle of the screen.
    pub fn center(&mut self, at: u64, len: u64, rows: u64) {
        self.selected = at.min(len.saturating_sub(1));
        self.top = self.selected.saturating_sub(rows / 2);
    }

    fn show(&mut self, rows: u64) {
        let rows = rows.max(1);
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + rows {
            self.top = self.selected + 1 - rows;
        }
    }
}

/// The records a filter found.
#[derive(Debug, Clone)]
pub struct Filtered {
    pub text: String,
    pub query: Query,
    pub generation: u64,
    pub rows: Vec<Row>,
    pub scanned: u64,
    pub done: bool,
}

/// The background verification.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    pub running: bool,
    /// The run in progress (or the last) was asked for by the user.
    pub asked: bool,
    pub done: u64,
    pub total: u64,
    /// The checks of the run in progress: absent pending, `None` running, `Some(n)` done
    /// with `n` violations.
    pub checks: BTreeMap<Check, Option<u64>>,
    pub result: Option<Result<Box<Verified>, String>>,
    /// The worst verdict of the findings at each leaf.
    pub marks: HashMap<u64, Verdict>,
    pub causes: Vec<RootCause>,
}

impl Verification {
    pub fn report(&self) -> Option<&Report> {
        match &self.result {
            Some(Ok(v)) => Some(&v.report),
            _ => None,
        }
    }
}

/// The record open in the detail view.
#[derive(Debug, Clone)]
pub struct Opened {
    pub leaf: u64,
    pub detail: Option<Result<Box<Detail>, String>>,
    /// The selected reference.
    pub link: usize,
    /// Lines the record's fields are scrolled by.
    pub scroll: u16,
    pub revealed: Option<Result<Revealed, String>>,
}

/// Everything the screen shows.
#[derive(Debug, Clone)]
pub struct App {
    /// The log directory (or bundle) and its origin.
    pub title: String,
    /// Whose keys the records are checked against, in words.
    pub anchors: String,
    /// What verification checks against, in words (shown in the verify view).
    pub verify_basis: String,
    /// The size of the verified checkpoint read (a bundle: the records it holds).
    pub size: u64,
    /// A bundle: the leaves of its records, ascending (the list's positions); `None`: every
    /// leaf below `size`.
    pub sparse: Option<Vec<u64>>,
    pub screen: Screen,
    pub list: Cursor,
    pub rows: BTreeMap<u64, Row>,
    /// Entry bundles asked for (answered or not).
    pub asked: BTreeSet<u64>,
    pub filtered: Option<Filtered>,
    pub prompt: Option<Prompt>,
    pub open: Option<Opened>,
    /// Leaves to go back to from the detail view.
    pub trail: Vec<u64>,
    pub proof: Option<(u64, Option<Loaded<Proof>>)>,
    pub verification: Verification,
    /// The selection in the verify, retention and obligations lists.
    pub items: Cursor,
    pub checkpoints: Option<Result<Vec<CheckpointRow>, String>>,
    pub producers: Option<Result<Vec<ProducerRow>, String>>,
    /// The selection in the checkpoints and producers lists.
    pub side: Cursor,
    pub status: String,
    /// The index build in the background, when under way (or why it failed).
    pub indexing: Option<String>,
    pub help: bool,
    /// Colours allowed (off with `NO_COLOR`: reverse and bold only).
    pub color: bool,
    pub width: u16,
    pub height: u16,
    /// Why reveals are refused here (`None`: allowed).
    pub reveal_refusal: Option<String>,
    pub ask: RevealAsk,
    generation: u64,
}

impl App {
    pub fn new(title: String, anchors: String, size: u64) -> App {
        App {
            title,
            anchors,
            verify_basis: String::new(),
            size,
            sparse: None,
            screen: Screen::Records,
            list: Cursor::default(),
            rows: BTreeMap::new(),
            asked: BTreeSet::new(),
            filtered: None,
            prompt: None,
            open: None,
            trail: Vec::new(),
            proof: None,
            verification: Verification::default(),
            items: Cursor::default(),
            checkpoints: None,
            producers: None,
            side: Cursor::default(),
            status: String::new(),
            indexing: None,
            help: false,
            color: true,
            width: 80,
            height: 24,
            reveal_refusal: Some("no --inspector-key given".into()),
            ask: RevealAsk::default(),
            generation: 0,
        }
    }

    /// The effects of opening: the first page and, in the background, verification (which
    /// does not advance `--state`: only a run the user asks for does).
    pub fn start(&mut self) -> Vec<Effect> {
        let mut out = self.wanted();
        out.extend(self.verify(false));
        out
    }

    /// Rows of a list on screen.
    pub fn list_rows(&self) -> u64 {
        u64::from(self.height.saturating_sub(CHROME).max(1))
    }

    /// Items in the records list.
    pub fn list_len(&self) -> u64 {
        match (&self.filtered, &self.sparse) {
            (Some(f), _) => f.rows.len() as u64,
            (None, Some(l)) => l.len() as u64,
            (None, None) => self.size,
        }
    }

    /// The row at position `i` of the records list, when read.
    pub fn row_at(&self, i: u64) -> Option<&Row> {
        match &self.filtered {
            Some(f) => f.rows.get(i as usize),
            None => self.rows.get(&self.leaf_at(i)?),
        }
    }

    /// The leaf at position `i` of the unfiltered list.
    pub fn leaf_at(&self, i: u64) -> Option<u64> {
        match &self.sparse {
            Some(l) => l.get(i as usize).copied(),
            None => (i < self.size).then_some(i),
        }
    }

    /// The position of `leaf` in the unfiltered list (the nearest before it in a bundle).
    pub fn position_of(&self, leaf: u64) -> u64 {
        match &self.sparse {
            Some(l) => l.partition_point(|x| *x <= leaf).saturating_sub(1) as u64,
            None => leaf,
        }
    }

    /// The verdict mark of `leaf`: `pending` until verification reaches it.
    pub fn mark(&self, leaf: u64) -> &'static str {
        let v = &self.verification;
        if let Some(verdict) = v.marks.get(&leaf) {
            return match verdict {
                Verdict::Violated => "VIOLATED",
                Verdict::CannotBeDetermined => "undetermined",
                Verdict::Notice => "notice",
                _ => "ok",
            };
        }
        match (&v.result, v.running) {
            (Some(Ok(_)), false) => "ok",
            (Some(Err(_)), false) => "unverified",
            (_, true) if leaf < v.done => "reached",
            _ => "pending",
        }
    }

    /// Requests for the entry bundles on screen and a screen's margin either side, not yet
    /// asked for (never the whole log).
    pub fn wanted(&mut self) -> Vec<Effect> {
        if self.filtered.is_some() || self.list_len() == 0 {
            return Vec::new();
        }
        let rows = self.list_rows();
        let from = self.list.top.saturating_sub(rows);
        let to = (self.list.top + 2 * rows).min(self.list_len() - 1);
        self.forget_far();
        (from / BUNDLE..=to / BUNDLE)
            .filter(|b| self.asked.insert(*b))
            .map(|b| Effect::Send(Request::Bundle(b)))
            .collect()
    }

    /// Drop rows far from the selection when too many are kept.
    fn forget_far(&mut self) {
        // A bundle's rows are few and held by its source anyway.
        if self.rows.len() <= MAX_ROWS || self.sparse.is_some() {
            return;
        }
        let here = self.list.selected / BUNDLE;
        let near = |b: u64| b.abs_diff(here) <= 4;
        self.rows.retain(|leaf, _| near(leaf / BUNDLE));
        self.asked.retain(|b| near(*b));
    }

    fn verify(&mut self, asked: bool) -> Vec<Effect> {
        if self.verification.running {
            self.status = "a verification is already running".into();
            return Vec::new();
        }
        self.verification.running = true;
        self.verification.asked = asked;
        self.verification.done = 0;
        self.verification.total = 0;
        self.verification.checks.clear();
        vec![Effect::Send(Request::Verify { asked })]
    }

    /// Open the record at `leaf` in the detail view.
    fn open_leaf(&mut self, leaf: u64) -> Vec<Effect> {
        self.screen = Screen::Detail;
        self.open = Some(Opened {
            leaf,
            detail: None,
            link: 0,
            scroll: 0,
            revealed: None,
        });
        vec![Effect::Send(Request::Detail(leaf))]
    }

    fn new_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// The generation of the newest filter asked for.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// Apply one event; return what to do about it.
pub fn update(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
        Event::Resize { width, height } => {
            app.width = width;
            app.height = height;
            let (len, rows) = (app.list_len(), app.list_rows());
            let at = app.list.selected;
            app.list.set(at, len, rows);
            app.wanted()
        }
        Event::Scroll(n) => records_or_items(app, i64::from(n)),
        Event::Reply(r) => super::replies::apply(app, r),
        Event::Key(k) => key(app, k),
    }
}

fn key(app: &mut App, k: Key) -> Vec<Effect> {
    if k == Key::CtrlC {
        return vec![Effect::Quit];
    }
    if app.prompt.is_some() {
        return prompt_key(app, k);
    }
    if app.help {
        app.help = false;
        return Vec::new();
    }
    match k {
        Key::Char('q') => return vec![Effect::Quit],
        Key::Char('?') => {
            app.help = true;
            return Vec::new();
        }
        Key::Char(c) => {
            if let Some((_, s, _)) = Screen::TABS.iter().find(|(d, _, _)| *d == c) {
                return switch(app, *s);
            }
        }
        _ => {}
    }
    match app.screen {
        Screen::Records => records_key(app, k),
        Screen::Detail => detail_key(app, k),
        Screen::Proof => proof_key(app, k),
        Screen::Verify | Screen::Retention | Screen::Obligations => items_key(app, k),
        Screen::Checkpoints | Screen::Producers => side_key(app, k),
    }
}

fn switch(app: &mut App, s: Screen) -> Vec<Effect> {
    app.screen = s;
    app.side = Cursor::default();
    if matches!(s, Screen::Verify | Screen::Retention | Screen::Obligations) {
        app.items = Cursor::default();
    }
    match s {
        Screen::Checkpoints if app.checkpoints.is_none() => {
            vec![Effect::Send(Request::Checkpoints)]
        }
        Screen::Producers if app.producers.is_none() => vec![Effect::Send(Request::Producers)],
        Screen::Records => app.wanted(),
        _ => Vec::new(),
    }
}

/// Lines a movement key moves in a list of `rows` on screen.
fn delta(k: Key, rows: u64, len: u64) -> Option<i64> {
    let page = rows.max(1) as i64;
    Some(match k {
        Key::Char('j') | Key::Down => 1,
        Key::Char('k') | Key::Up => -1,
        Key::PageDown | Key::Char(' ') => page,
        Key::PageUp => -page,
        Key::Char('g') | Key::Home => -(len as i64),
        Key::Char('G') | Key::End => len as i64,
        _ => return None,
    })
}

fn records_or_items(app: &mut App, n: i64) -> Vec<Effect> {
    match app.screen {
        Screen::Records => {
            let (len, rows) = (app.list_len(), app.list_rows());
            app.list.step(n, len, rows);
            app.wanted()
        }
        Screen::Verify | Screen::Retention | Screen::Obligations => {
            let len = items::items(app).len() as u64;
            let rows = items_rows(app);
            app.items.step(n, len, rows);
            Vec::new()
        }
        _ => {
            app.side.step(n, u64::MAX, app.list_rows());
            Vec::new()
        }
    }
}

fn records_key(app: &mut App, k: Key) -> Vec<Effect> {
    let (len, rows) = (app.list_len(), app.list_rows());
    if let Some(d) = delta(k, rows, len) {
        app.list.step(d, len, rows);
        return app.wanted();
    }
    match k {
        Key::Char('/') => open_prompt(app, Ask::Filter),
        Key::Char(':') => open_prompt(app, Ask::Jump),
        Key::Esc if app.filtered.is_some() => {
            let leaf = app.row_at(app.list.selected).map(|r| r.leaf);
            app.filtered = None;
            app.status = "filter cleared".into();
            let at = app.position_of(leaf.unwrap_or(0));
            app.list.set(at, app.list_len(), rows);
            app.wanted()
        }
        Key::Enter => {
            let leaf = match &app.filtered {
                Some(_) => app.row_at(app.list.selected).map(|r| r.leaf),
                None => app.leaf_at(app.list.selected),
            };
            match leaf {
                Some(leaf) => {
                    app.trail.clear();
                    app.open_leaf(leaf)
                }
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

fn open_prompt(app: &mut App, ask: Ask) -> Vec<Effect> {
    let text = match (ask, &app.filtered) {
        (Ask::Filter, Some(f)) => f.text.clone(),
        _ => String::new(),
    };
    app.prompt = Some(Prompt { ask, text });
    Vec::new()
}

fn prompt_key(app: &mut App, k: Key) -> Vec<Effect> {
    let Some(p) = app.prompt.as_mut() else {
        return Vec::new();
    };
    match k {
        Key::Char(c) => p.text.push(c),
        Key::Backspace => {
            p.text.pop();
        }
        Key::Esc => {
            app.prompt = None;
            app.status = "cancelled".into();
        }
        Key::Enter => {
            let p = app.prompt.take().expect("a prompt");
            return submit(app, p);
        }
        _ => {}
    }
    Vec::new()
}

fn submit(app: &mut App, p: Prompt) -> Vec<Effect> {
    match p.ask {
        Ask::Filter => filter(app, p.text),
        Ask::Jump => match query::parse_target(&p.text) {
            Ok(t) => {
                app.status = format!("jumping to {}", p.text.trim());
                vec![Effect::Send(Request::Jump(t))]
            }
            Err(e) => {
                app.status = e;
                Vec::new()
            }
        },
        Ask::Purpose | Ask::LegalBasis | Ask::CaseRef => super::reveal::answer(app, p),
    }
}

fn filter(app: &mut App, text: String) -> Vec<Effect> {
    if text.trim().is_empty() {
        app.filtered = None;
        app.status = "filter cleared".into();
        return app.wanted();
    }
    let query = match query::parse_query(&text) {
        Ok(q) => q,
        Err(e) => {
            app.status = format!("filter: {e}");
            return Vec::new();
        }
    };
    let generation = app.new_generation();
    app.filtered = Some(Filtered {
        text,
        query: query.clone(),
        generation,
        rows: Vec::new(),
        scanned: 0,
        done: false,
    });
    app.list = Cursor::default();
    app.status = "filtering…".into();
    vec![Effect::Send(Request::Filter { query, generation })]
}

fn detail_key(app: &mut App, k: Key) -> Vec<Effect> {
    let links = match app.open.as_ref().and_then(|o| o.detail.as_ref()) {
        Some(Ok(d)) => d.links.clone(),
        _ => Vec::new(),
    };
    let Some(open) = app.open.as_mut() else {
        return back(app);
    };
    match k {
        Key::Char('j') | Key::Down | Key::Tab => {
            open.link = (open.link + 1).min(links.len().saturating_sub(1));
        }
        Key::Char('k') | Key::Up => open.link = open.link.saturating_sub(1),
        Key::PageDown | Key::Char(' ') => open.scroll = open.scroll.saturating_add(10),
        Key::PageUp => open.scroll = open.scroll.saturating_sub(10),
        Key::Home | Key::Char('g') => open.scroll = 0,
        Key::Enter => match links.get(open.link).and_then(|l| l.leaf) {
            Some(to) => {
                let from = open.leaf;
                app.trail.push(from);
                return app.open_leaf(to);
            }
            None => app.status = "this reference cannot be followed".into(),
        },
        Key::Backspace | Key::Esc => return back(app),
        Key::Char('p') => {
            let leaf = open.leaf;
            app.proof = Some((leaf, None));
            app.side = Cursor::default();
            app.screen = Screen::Proof;
            return vec![Effect::Send(Request::Proof(leaf))];
        }
        Key::Char('r') => return super::reveal::begin(app),
        _ => {}
    }
    Vec::new()
}

/// Back along the trail of followed references, then to the list.
fn back(app: &mut App) -> Vec<Effect> {
    match app.trail.pop() {
        Some(leaf) => app.open_leaf(leaf),
        None => {
            app.open = None;
            app.screen = Screen::Records;
            app.wanted()
        }
    }
}

fn proof_key(app: &mut App, k: Key) -> Vec<Effect> {
    if let Some(d) = delta(k, app.list_rows(), 200) {
        app.side.step(d, 200, 1);
        app.side.top = app.side.selected;
        return Vec::new();
    }
    if matches!(k, Key::Backspace | Key::Esc) {
        app.screen = match app.open {
            Some(_) => Screen::Detail,
            None => Screen::Records,
        };
    }
    Vec::new()
}

/// Rows of the findings lists (the verify view shows its progress above).
pub fn items_rows(app: &App) -> u64 {
    match app.screen {
        Screen::Verify => app.list_rows().saturating_sub(VERIFY_TOP - 1).max(1),
        _ => app.list_rows() + 1,
    }
}

fn items_key(app: &mut App, k: Key) -> Vec<Effect> {
    let list = items::items(app);
    let (len, rows) = (list.len() as u64, items_rows(app));
    if let Some(d) = delta(k, rows, len) {
        app.items.step(d, len, rows);
        return Vec::new();
    }
    match k {
        Key::Char('v') => app.verify(true),
        Key::Enter => match list.get(app.items.selected as usize).and_then(|i| i.leaf) {
            Some(leaf) => {
                app.trail.clear();
                app.open_leaf(leaf)
            }
            None => {
                app.status = "this item names no record".into();
                Vec::new()
            }
        },
        Key::Esc | Key::Backspace => switch(app, Screen::Records),
        _ => Vec::new(),
    }
}

fn side_key(app: &mut App, k: Key) -> Vec<Effect> {
    let len = match app.screen {
        Screen::Checkpoints => app
            .checkpoints
            .as_ref()
            .map_or(0, |c| c.as_ref().map_or(0, Vec::len)),
        _ => app
            .producers
            .as_ref()
            .map_or(0, |c| c.as_ref().map_or(0, Vec::len)),
    } as u64;
    let rows = app.list_rows();
    if let Some(d) = delta(k, rows, len) {
        app.side.step(d, len, rows);
        return Vec::new();
    }
    match k {
        Key::Enter if app.screen == Screen::Producers => {
            let name = app
                .producers
                .as_ref()
                .and_then(|p| p.as_ref().ok())
                .and_then(|p| p.get(app.side.selected as usize))
                .map(|p| p.name.clone());
            match name {
                Some(n) => {
                    app.screen = Screen::Records;
                    filter(app, format!("producer={n}"))
                }
                None => Vec::new(),
            }
        }
        Key::Esc | Key::Backspace => switch(app, Screen::Records),
        _ => Vec::new(),
    }
}
