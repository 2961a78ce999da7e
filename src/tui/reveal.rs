//! Revealing a sealed value from the detail view: refused with the reason when this session
//! may not (no inspector key, a public-only copy, a signature that does not verify), else
//! three prompts (purpose, legal basis, case reference, as `logseal subject` asks) and a
//! request the worker carries out by logging the data access first.

use super::app::{App, Ask, Effect, Prompt};
use super::data::{Request, RevealAsk};

/// `r` in the detail view.
pub(super) fn begin(app: &mut App) -> Vec<Effect> {
    if let Some(why) = &app.reveal_refusal {
        app.status = format!("reveal refused: {why}");
        return Vec::new();
    }
    let ok = app
        .open
        .as_ref()
        .and_then(|o| o.detail.as_ref())
        .map(|d| d.as_ref().map(|d| (d.signature_ok, d.sealed.is_empty())));
    match ok {
        Some(Ok((true, false))) => {
            app.ask = RevealAsk::default();
            app.prompt = Some(Prompt {
                ask: Ask::Purpose,
                text: String::new(),
            });
        }
        Some(Ok((_, true))) => app.status = "this record has no sealed field".into(),
        Some(Ok((false, _))) => {
            app.status = "reveal refused: the record's signature is not verified, so its \
                          sealed fields are not opened"
                .into()
        }
        _ => app.status = "the record is not read yet".into(),
    }
    Vec::new()
}

/// An answer to one of the reveal prompts.
pub(super) fn answer(app: &mut App, p: Prompt) -> Vec<Effect> {
    let text = p.text.trim().to_string();
    if text.is_empty() {
        app.status = "reveal cancelled: an answer is required".into();
        return Vec::new();
    }
    let next = match p.ask {
        Ask::Purpose => {
            app.ask.purpose = text;
            Ask::LegalBasis
        }
        Ask::LegalBasis => {
            app.ask.legal_basis = text;
            Ask::CaseRef
        }
        _ => {
            app.ask.case_ref = text;
            let Some(leaf) = app.open.as_ref().map(|o| o.leaf) else {
                return Vec::new();
            };
            app.status = "logging the data access, then revealing…".into();
            let ask = std::mem::take(&mut app.ask);
            return vec![Effect::Send(Request::Reveal { leaf, ask })];
        }
    };
    app.prompt = Some(Prompt {
        ask: next,
        text: String::new(),
    });
    Vec::new()
}
