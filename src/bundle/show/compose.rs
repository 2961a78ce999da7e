//! From an [`Account`] to the sentences of the report, in one language, shared by the text
//! and HTML renderers.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::Lang;
use super::catalogue::{self, Key};
use super::events;
use super::sentence::{Sentence, fill, word};
use crate::bundle::account::{
    Account, AnchorRole, Basis, Conclusion, Entry, Missing, Negative, Role, SealedState, Subject,
    SubjectKind, VerdictLine,
};
use crate::record::kinds::Kind;
use crate::record::kinds::obligation_policy::ObligationType;
use crate::verify::report::Verdict;

/// The report, as sentences.
#[derive(Debug, Clone)]
pub struct Report {
    pub title: Sentence,
    pub header: Vec<Sentence>,
    pub headings: Headings,
    pub summary: Vec<Sentence>,
    pub timeline: Vec<Item>,
    /// The records the timeline's rely on (key registrations, publications).
    pub referenced: Vec<Item>,
    /// Chains carried for negative proofs, one sentence per producer, and consistency.
    pub after_timeline: Vec<Sentence>,
    pub verdicts: Vec<VerdictItem>,
    pub verdict_note: Option<Sentence>,
    pub negatives: Vec<Sentence>,
    pub anchors_intro: Sentence,
    pub anchors: Vec<AnchorItem>,
    pub recheck_intro: Sentence,
    pub command: String,
    pub specs: Vec<Sentence>,
    pub footer: Option<Sentence>,
}

/// The section headings.
#[derive(Debug, Clone)]
pub struct Headings {
    pub summary: Sentence,
    pub timeline: Sentence,
    pub referenced: Sentence,
    pub verdicts: Sentence,
    pub negatives: Sentence,
    pub anchors: Sentence,
    pub recheck: Sentence,
}

/// One entry of the timeline.
#[derive(Debug, Clone)]
pub struct Item {
    pub leaf: u64,
    pub time: Timestamp,
    pub role: Role,
    pub kind: Sentence,
    /// The producer's time, as the report writes dates.
    pub when: Sentence,
    pub heading: Sentence,
    pub body: Vec<Sentence>,
    pub sealed: Vec<Sentence>,
    pub proves: Vec<Sentence>,
}

/// One verdict.
#[derive(Debug, Clone)]
pub struct VerdictItem {
    pub verdict: Verdict,
    pub basis: Basis,
    pub line: Sentence,
    pub notes: Vec<Sentence>,
}

/// One trust anchor.
#[derive(Debug, Clone)]
pub struct AnchorItem {
    pub role: Sentence,
    pub name: String,
    pub fingerprint: String,
}

/// Dates and numbers in the report's language and time zone.
pub struct Style {
    pub lang: Lang,
    pub tz: TimeZone,
    pub zone_name: String,
}

impl Style {
    pub fn new(lang: Lang, zone: &str) -> Style {
        match TimeZone::get(zone) {
            Ok(tz) => Style {
                lang,
                tz,
                zone_name: zone.to_string(),
            },
            Err(_) => Style {
                lang,
                tz: TimeZone::UTC,
                zone_name: "UTC".to_string(),
            },
        }
    }

    /// "3 March 2026, 09:00 UTC" (or "10:00 CET (UTC+01:00)" outside UTC).
    pub fn date_time(&self, t: Timestamp) -> Sentence {
        let z = t.to_zoned(self.tz.clone());
        let day = catalogue::date(self.lang, z.day(), z.month(), z.year());
        let clock = z.strftime("%H:%M").to_string();
        let zone = if self.tz == TimeZone::UTC {
            "UTC".to_string()
        } else {
            format!("{} (UTC{})", z.strftime("%Z"), z.strftime("%:z"))
        };
        Sentence::fixed(format!("{day}, {clock} {zone}"))
    }

    /// "1 March 2026".
    pub fn date(&self, t: Timestamp) -> Sentence {
        let z = t.to_zoned(self.tz.clone());
        Sentence::fixed(catalogue::date(self.lang, z.day(), z.month(), z.year()))
    }

    pub fn number(&self, n: u64) -> Sentence {
        Sentence::fixed(catalogue::number(self.lang, n))
    }

    pub fn fill(&self, key: Key, args: &[(&str, Sentence)]) -> Sentence {
        fill(self.lang, key, args)
    }

    pub fn word(&self, key: Key) -> Sentence {
        word(self.lang, key)
    }
}

/// The whole report.
pub fn report(account: &Account, lang: Lang) -> Report {
    let st = Style::new(lang, &account.time_zone);
    let items = |keep: fn(Role) -> bool| -> Vec<Item> {
        let shown = account.entries.iter().filter(|e| keep(e.role));
        shown.map(|e| item(&st, e)).collect()
    };
    let (verdicts, verdict_note) = verdicts(&st, &account.verdicts);
    Report {
        title: st.fill(Key::Title, &[("subject", subject(&st, &account.subject))]),
        header: header(&st, account),
        headings: headings(&st),
        summary: summary(&st, account),
        timeline: items(|r| matches!(r, Role::Selected | Role::Export)),
        referenced: items(|r| r == Role::Referenced),
        after_timeline: after_timeline(&st, account),
        verdicts,
        verdict_note,
        negatives: negatives(&st, &account.negatives),
        anchors_intro: st.word(Key::AnchorsIntro),
        anchors: anchors(&st, account),
        recheck_intro: st.word(Key::RecheckIntro),
        command: account.recheck.command.clone(),
        specs: specs(&st, account),
        footer: (!catalogue::all_reviewed(lang)).then(|| st.word(Key::Unreviewed)),
    }
}

fn headings(st: &Style) -> Headings {
    Headings {
        summary: st.word(Key::SecSummary),
        timeline: st.word(Key::SecTimeline),
        referenced: st.word(Key::SecReferenced),
        verdicts: st.word(Key::SecVerdicts),
        negatives: st.word(Key::SecNegatives),
        anchors: st.word(Key::SecAnchors),
        recheck: st.word(Key::SecRecheck),
    }
}

fn subject(st: &Style, s: &Subject) -> Sentence {
    let key = match s.kind {
        SubjectKind::Account => Key::SubjectAccount,
        SubjectKind::Subscriber => Key::SubjectSubscriber,
        SubjectKind::Case => Key::SubjectCase,
        SubjectKind::Records => Key::SubjectRecords,
    };
    st.fill(
        key,
        &[
            ("value", Sentence::value(&s.value)),
            ("holder", Sentence::value(&s.holder)),
        ],
    )
}

fn header(st: &Style, a: &Account) -> Vec<Sentence> {
    vec![
        st.fill(
            Key::HeaderLog,
            &[
                ("origin", Sentence::value(&a.origin)),
                ("size", st.number(a.newest.size)),
                ("date", st.date_time(a.newest.time)),
            ],
        ),
        st.fill(Key::HeaderZone, &[("zone", Sentence::value(&st.zone_name))]),
    ]
}

/// The main sentences of the selected records that carry the case (a sanction, its appeal
/// and the decision), each followed by the negative conclusions about it; then the other
/// negative conclusions.
fn summary(st: &Style, a: &Account) -> Vec<Sentence> {
    let mut out = Vec::new();
    let selected: Vec<&Entry> = a
        .entries
        .iter()
        .filter(|e| e.role == Role::Selected)
        .collect();
    for e in &selected {
        let take = match e.kind {
            Kind::AccountSanction => 3,
            Kind::Appeal | Kind::AppealDecision => 1,
            _ => 0,
        };
        out.extend(events::describe(st, &e.event).into_iter().take(take));
        let about = a.negatives.iter().filter(|n| n.about_leaf == e.leaf);
        out.extend(about.map(|n| negative(st, n)));
    }
    let rest = a
        .negatives
        .iter()
        .filter(|n| !selected.iter().any(|e| e.leaf == n.about_leaf));
    out.extend(rest.map(|n| negative(st, n)));
    out
}

fn item(st: &Style, e: &Entry) -> Item {
    let kind = kind_name(st, e.kind);
    let heading = st.fill(
        Key::EntryHeading,
        &[
            ("date", st.date_time(e.producer_time)),
            ("kind", kind.clone()),
            ("producer", Sentence::value(&e.producer)),
            ("leaf", Sentence::fixed(e.leaf.to_string())),
        ],
    );
    let mut body = events::describe(st, &e.event);
    match e.role {
        Role::Referenced => body.push(st.word(Key::RoleReferenced)),
        Role::Export => body.push(st.word(Key::RoleExport)),
        Role::Selected | Role::Chain => {}
    }
    Item {
        leaf: e.leaf,
        time: e.producer_time,
        role: e.role,
        kind,
        when: st.date_time(e.producer_time),
        heading,
        body,
        sealed: sealed(st, e),
        proves: proves(st, e),
    }
}

/// The localised name of a record kind.
pub fn kind_name(st: &Style, kind: Kind) -> Sentence {
    let key = match kind {
        Kind::AccountSanction => Key::KindSanction,
        Kind::Notification => Key::KindNotification,
        Kind::Appeal => Key::KindAppeal,
        Kind::AppealDecision => Key::KindAppealDecision,
        Kind::LegalHold => Key::KindLegalHold,
        Kind::RetentionDeletion => Key::KindDeletion,
        Kind::DataAccess => Key::KindAccess,
        Kind::Authorisation => Key::KindAuthorisation,
        Kind::KeyRegistration => Key::KindKeyRegistration,
        Kind::PolicyPublication => Key::KindPublication,
        Kind::ObligationPolicy => Key::KindObligationPolicy,
        Kind::RetentionPolicy => Key::KindRetentionPolicy,
        other => {
            return st.fill(Key::KindOther, &[("kind", Sentence::value(other.name()))]);
        }
    };
    st.word(key)
}

fn sealed(st: &Style, e: &Entry) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut kept = Vec::new();
    let mut erased = Vec::new();
    for f in &e.sealed {
        match &f.state {
            SealedState::Disclosed(v) => out.push(st.fill(
                Key::SealedDisclosed,
                &[
                    ("field", Sentence::value(&f.path)),
                    ("value", Sentence::value(v)),
                ],
            )),
            SealedState::Sealed => kept.push(Sentence::value(&f.path)),
            SealedState::Erased { .. } => erased.push(Sentence::value(&f.path)),
        }
    }
    for (key, list) in [(Key::SealedKept, kept), (Key::SealedErased, erased)] {
        if !list.is_empty() {
            out.push(st.fill(key, &[("fields", Sentence::list(list))]));
        }
    }
    out
}

fn proves(st: &Style, e: &Entry) -> Vec<Sentence> {
    let p = &e.proof;
    let mut out = vec![st.fill(
        Key::ProofIncluded,
        &[
            ("date", st.date_time(p.included_in.time)),
            ("size", st.number(p.included_in.size)),
            ("key", Sentence::value(&p.log_key)),
        ],
    )];
    out.push(match p.key_registered_at {
        Some(leaf) => st.fill(
            Key::ProofSignedBy,
            &[
                ("producer", Sentence::value(&e.producer)),
                ("leaf", Sentence::fixed(leaf.to_string())),
            ],
        ),
        None => st.fill(
            Key::ProofSignedByUnknown,
            &[("producer", Sentence::value(&e.producer))],
        ),
    });
    out.push(witnesses(st, &p.witnesses, p.quorum_met));
    out
}

fn witnesses(st: &Style, names: &[String], quorum_met: bool) -> Sentence {
    if names.is_empty() {
        return st.word(Key::ProofNoWitness);
    }
    let key = if quorum_met {
        Key::ProofWitnessed
    } else {
        Key::ProofWitnessedNoQuorum
    };
    st.fill(
        key,
        &[
            ("count", st.number(names.len() as u64)),
            ("names", Sentence::values(names)),
        ],
    )
}

/// One sentence per producer whose chain the bundle carries for a negative proof, and
/// the consistency of every checkpoint with the newest.
fn after_timeline(st: &Style, a: &Account) -> Vec<Sentence> {
    let mut producers: Vec<&str> = Vec::new();
    for e in a.entries.iter().filter(|e| e.role == Role::Chain) {
        if !producers.contains(&e.producer.as_str()) {
            producers.push(&e.producer);
        }
    }
    let mut out: Vec<Sentence> = producers
        .into_iter()
        .map(|p| chain_summary(st, a, p))
        .collect();
    out.push(st.fill(
        Key::Consistency,
        &[
            ("size", st.number(a.newest.size)),
            ("date", st.date_time(a.newest.time)),
        ],
    ));
    out
}

fn chain_summary(st: &Style, a: &Account, producer: &str) -> Sentence {
    let leaves: Vec<u64> = a
        .entries
        .iter()
        .filter(|e| e.role == Role::Chain && e.producer == producer)
        .map(|e| e.leaf)
        .collect();
    let first = leaves.iter().min().copied().unwrap_or(0);
    let last = leaves.iter().max().copied().unwrap_or(0);
    st.fill(
        Key::ChainSummary,
        &[
            ("count", st.number(leaves.len() as u64)),
            ("producer", Sentence::value(producer)),
            ("first", Sentence::fixed(first.to_string())),
            ("last", Sentence::fixed(last.to_string())),
        ],
    )
}

fn verdicts(st: &Style, lines: &[VerdictLine]) -> (Vec<VerdictItem>, Option<Sentence>) {
    if lines.is_empty() {
        return (Vec::new(), Some(st.word(Key::NoVerdicts)));
    }
    let items = lines.iter().map(|v| verdict(st, v)).collect();
    (items, Some(st.word(Key::VerdictMessages)))
}

fn verdict(st: &Style, v: &VerdictLine) -> VerdictItem {
    let line = st.fill(
        Key::VerdictLine,
        &[
            ("verdict", verdict_word(st, v.verdict)),
            ("check", Sentence::fixed(v.check.number().to_string())),
            ("code", Sentence::value(&v.code)),
            ("message", Sentence::value(&v.message)),
        ],
    );
    let mut notes = Vec::new();
    if v.basis.stated() {
        notes.push(st.word(Key::VerdictStated));
    }
    if v.basis == Basis::UnsignedStatement {
        notes.push(st.word(Key::VerdictUnsigned));
    }
    let key = match v.leaves.len() {
        0 => None,
        1 => Some(Key::VerdictLeaf),
        _ => Some(Key::VerdictLeaves),
    };
    if let Some(key) = key {
        notes.push(st.fill(key, &[("leaves", leaf_list(&v.leaves))]));
    }
    VerdictItem {
        verdict: v.verdict,
        basis: v.basis,
        line,
        notes,
    }
}

/// The localised verdict.
pub fn verdict_word(st: &Style, v: Verdict) -> Sentence {
    st.word(match v {
        Verdict::Holds => Key::VerdictHolds,
        Verdict::Violated => Key::VerdictViolated,
        Verdict::CannotBeDetermined => Key::VerdictUndetermined,
        Verdict::Notice => Key::VerdictNotice,
        Verdict::NotChecked => Key::VerdictNotChecked,
    })
}

/// Leaf indexes, joined.
pub fn leaf_list(leaves: &[u64]) -> Sentence {
    Sentence::fixed(
        leaves
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn negatives(st: &Style, list: &[Negative]) -> Vec<Sentence> {
    if list.is_empty() {
        return vec![st.word(Key::NoNegatives)];
    }
    let mut out = Vec::new();
    for n in list {
        out.push(negative(st, n));
        out.push(match n.conclusion {
            Conclusion::Proven { through_leaf, .. } => st.fill(
                Key::NegativeAbout,
                &[
                    ("leaf", Sentence::fixed(n.about_leaf.to_string())),
                    ("through", Sentence::fixed(through_leaf.to_string())),
                ],
            ),
            Conclusion::CannotBeDetermined(_) => st.fill(
                Key::NegativeAboutOnly,
                &[("leaf", Sentence::fixed(n.about_leaf.to_string()))],
            ),
        });
    }
    out
}

/// "No statement of reasons was sent (proven: …)." or why it cannot be determined.
fn negative(st: &Style, n: &Negative) -> Sentence {
    let (proven, undetermined) = match n.rule {
        ObligationType::StatementOfReasons => (Key::SorProven, Key::SorUndetermined),
        ObligationType::BreakGlassJustified => {
            (Key::JustificationProven, Key::JustificationUndetermined)
        }
        _ => (Key::DecisionProven, Key::DecisionUndetermined),
    };
    let producer = Sentence::value(&n.responsible);
    match &n.conclusion {
        Conclusion::Proven { complete_up_to, .. } => st.fill(
            proven,
            &[
                ("owner", owner(st.lang, &n.responsible)),
                ("date", st.date_time(*complete_up_to)),
            ],
        ),
        Conclusion::CannotBeDetermined(m) => {
            st.fill(undetermined, &[("missing", missing(st, m, producer))])
        }
    }
}

/// Whose log: "notifier's", "appeals'" in English (the phrase wraps it in "the … log"),
/// the bare name in the languages that say "log of …".
fn owner(lang: Lang, producer: &str) -> Sentence {
    let mut s = Sentence::value(producer);
    if lang == Lang::En {
        let mark = if producer.ends_with('s') { "'" } else { "'s" };
        s.0.push(super::sentence::Piece::Fixed(mark.into()));
    }
    s
}

fn missing(st: &Style, m: &Missing, producer: Sentence) -> Sentence {
    match m {
        Missing::SeqGap { first, last } => st.fill(
            Key::MissingGap,
            &[
                ("first", Sentence::fixed(first.to_string())),
                ("last", Sentence::fixed(last.to_string())),
                ("producer", producer),
            ],
        ),
        Missing::NoLaterRecord { after } => st.fill(
            Key::MissingLater,
            &[("producer", producer), ("date", st.date_time(*after))],
        ),
        Missing::OverBound { bound } => st.fill(
            Key::MissingBound,
            &[("producer", producer), ("bound", st.number(*bound))],
        ),
        Missing::NoFollowers => st.word(Key::MissingFollowers),
    }
}

fn anchors(st: &Style, a: &Account) -> Vec<AnchorItem> {
    a.anchors
        .iter()
        .map(|x| AnchorItem {
            role: st.word(match x.role {
                AnchorRole::Log => Key::AnchorLog,
                AnchorRole::RegistrationAuthority => Key::AnchorAuthority,
                AnchorRole::Witness => Key::AnchorWitness,
                AnchorRole::ObligationAuthority => Key::AnchorObligation,
                AnchorRole::RetentionAuthority => Key::AnchorRetention,
            }),
            name: x.name.clone(),
            fingerprint: x.fingerprint.clone(),
        })
        .collect()
}

fn specs(st: &Style, a: &Account) -> Vec<Sentence> {
    a.recheck
        .specs
        .iter()
        .map(|s| {
            st.fill(
                Key::RecheckSpec,
                &[
                    ("document", Sentence::value(&s.document)),
                    ("section", Sentence::value(&s.section)),
                ],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("instant")
    }

    fn said(lang: Lang, rule: ObligationType, conclusion: Conclusion) -> String {
        let n = Negative {
            rule,
            about_leaf: 7,
            responsible: "appeals".into(),
            conclusion,
        };
        negative(&Style::new(lang, "UTC"), &n).plain()
    }

    #[test]
    fn each_missing_part_is_named() {
        let undetermined = |m| Conclusion::CannotBeDetermined(m);
        let rule = ObligationType::AppealDeadline;
        assert_eq!(
            said(
                Lang::En,
                rule,
                undetermined(Missing::NoLaterRecord {
                    after: at("2026-03-31T14:00:00Z")
                })
            ),
            "Whether the appeal was decided cannot be determined: the bundle holds no record \
             of appeals dated after 31 March 2026, 14:00 UTC (the deadline plus its logging \
             delay)."
        );
        assert_eq!(
            said(
                Lang::De,
                rule,
                undetermined(Missing::OverBound { bound: 10_000 })
            ),
            "Ob über die Beschwerde entschieden wurde, ist nicht feststellbar: die Kette von \
             appeals ist länger als die Exportgrenze von 10.000 Einträgen."
        );
        assert_eq!(
            said(
                Lang::Nl,
                ObligationType::BreakGlassJustified,
                undetermined(Missing::NoFollowers)
            ),
            "Of de noodtoegang is verantwoord, is niet vast te stellen: de regel noemt niemand \
             die het zou moeten vastleggen."
        );
    }

    #[test]
    fn a_proven_negative_names_the_producer_and_the_time() {
        let proven = Conclusion::Proven {
            complete_up_to: at("2026-04-01T08:00:00Z"),
            through_leaf: 9,
        };
        assert_eq!(
            said(Lang::En, ObligationType::AutomatedDecisionReview, proven),
            "The appeal was never decided (proven: the appeals' log is complete up to \
             1 April 2026, 08:00 UTC)."
        );
    }

    #[test]
    fn witnesses_below_quorum_do_not_bind_the_operator() {
        let st = Style::new(Lang::En, "UTC");
        let s = witnesses(&st, &["w1".to_string()], false).plain();
        assert!(
            s.contains("fewer than the trust file requires: the log operator could have shown"),
            "{s}"
        );
    }
}
