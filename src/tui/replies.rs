//! How the worker's replies change the [`App`] (part of the update function).

use crate::inspect::IndexProgress;
use crate::verify::Verdict;
use crate::verify::report::root_causes;

use super::app::{App, Effect, MAX_MATCHES, Screen};
use super::data::{Reply, Row, Verified};
use super::query::VERDICTS;

pub(super) fn apply(app: &mut App, r: Reply) -> Vec<Effect> {
    match r {
        Reply::Rows(rows) => {
            for row in rows {
                app.rows.insert(row.leaf, row);
            }
        }
        Reply::Detail(leaf, d) => {
            if let Some(o) = app.open.as_mut().filter(|o| o.leaf == leaf) {
                o.detail = Some(d);
                o.link = 0;
            }
        }
        Reply::Proof(leaf, p) => {
            if let Some(slot) = app.proof.as_mut().filter(|(l, _)| *l == leaf) {
                slot.1 = Some(p);
            }
        }
        Reply::Checkpoints(c) => app.checkpoints = Some(c),
        Reply::Producers(p) => app.producers = Some(p),
        Reply::Jumped(j) => return jumped(app, j),
        Reply::Matches {
            generation,
            rows,
            scanned,
            done,
        } => matches(app, generation, rows, scanned, done),
        Reply::Progress { done, total } => {
            app.verification.done = done;
            app.verification.total = total;
        }
        Reply::Check { check, ended } => {
            app.verification.checks.insert(check, ended);
        }
        Reply::Verified(v) => verified(app, v),
        Reply::Indexing(r) => {
            app.indexing = match r {
                Ok(IndexProgress::Ready) => None,
                Ok(IndexProgress::Building { done, total }) => Some(format!(
                    "building the index: {}% (filters, jumps by producer#seq or time and \
                     references wait for it)",
                    done * 100 / total.max(1)
                )),
                Err(e) => Some(format!(
                    "the index could not be built ({e}): filters read every record"
                )),
            }
        }
        Reply::Revealed(r) => {
            app.status = match &r {
                Ok(x) => x.logged.clone(),
                Err(e) => format!("reveal refused: {e}"),
            };
            if let Some(o) = app.open.as_mut() {
                o.revealed = Some(r);
            }
        }
    }
    Vec::new()
}

fn jumped(app: &mut App, j: Result<u64, String>) -> Vec<Effect> {
    match j {
        Ok(leaf) => {
            app.filtered = None;
            app.screen = Screen::Records;
            let (len, rows) = (app.list_len(), app.list_rows());
            app.list.center(app.position_of(leaf), len, rows);
            app.status = format!("at leaf {leaf}");
            app.wanted()
        }
        Err(e) => {
            app.status = format!("jump: {e}");
            Vec::new()
        }
    }
}

/// Whether `row` passes the filter's verdict condition (marks of the verification).
fn verdict_holds(app: &App, verdict: Option<&str>, row: &Row) -> bool {
    let Some(want) = verdict else { return true };
    let mark = app.mark(row.leaf).to_lowercase();
    match want {
        "ok" => mark == "ok",
        "pending" => mark == "pending" || mark == "reached",
        _ => VERDICTS.contains(&want) && mark == want,
    }
}

fn matches(app: &mut App, generation: u64, rows: Vec<Row>, scanned: u64, done: bool) {
    let verdict = match &app.filtered {
        Some(f) if f.generation == generation => f.query.verdict.clone(),
        _ => return,
    };
    let kept: Vec<Row> = rows
        .into_iter()
        .filter(|r| verdict_holds(app, verdict.as_deref(), r))
        .collect();
    let Some(f) = app.filtered.as_mut() else {
        return;
    };
    f.rows.extend(kept);
    f.rows.truncate(MAX_MATCHES);
    f.scanned = scanned;
    f.done = done;
    app.status = match (done, f.rows.len() >= MAX_MATCHES) {
        (_, true) => format!("the first {MAX_MATCHES} matches (narrow the filter)"),
        (true, _) => format!("{} match(es) in {scanned} records read", f.rows.len()),
        (false, _) => format!("{} match(es) so far, {scanned} records read…", f.rows.len()),
    };
}

fn verified(app: &mut App, v: Result<Box<Verified>, String>) {
    let run = &mut app.verification;
    run.running = false;
    run.marks.clear();
    run.causes.clear();
    match &v {
        Ok(x) => {
            for f in &x.report.findings {
                if let Some(leaf) = f.leaf {
                    let m = run.marks.entry(leaf).or_insert(Verdict::Holds);
                    *m = (*m).max(f.verdict);
                }
            }
            run.causes = root_causes(&x.report);
            app.status = format!("verification finished; {}", x.state);
        }
        Err(e) => app.status = format!("verification could not run: {e}"),
    }
    app.verification.result = Some(v);
}

/// The state after a verification (for tests).
pub fn verified_for_tests(app: &mut App, v: Verified) {
    verified(app, Ok(Box::new(v)));
}
