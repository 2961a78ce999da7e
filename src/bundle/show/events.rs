//! What each kind of record says, in sentences.

use super::catalogue::Key;
use super::compose::{Style, kind_name, leaf_list};
use super::sentence::Sentence;
use crate::bundle::account::{
    Appeal, AppealDecision, Authorisation, DataAccess, Detection, Event, Ground, LegalHold,
    Notification, PolicyPublication, PolicySummary, RetentionDeletion, Review, Sanction, Trigger,
};
use crate::record::kinds::account_sanction::{
    AutomatedDecision, DecisionAccount, DecisionProvision, DetectionMethod, EventKind,
    ReviewOutcome,
};
use crate::record::kinds::appeal::AppealChannel;
use crate::record::kinds::appeal_decision::AppealOutcome;
use crate::record::kinds::authorisation::AuthorisationAction;
use crate::record::kinds::legal_hold::HoldAction;
use crate::record::kinds::notification::{Channel, DeliveryStatus, Redress};
use crate::record::kinds::retention_deletion::DeletionMethod;

/// The sentences of one record, most important first.
pub fn describe(st: &Style, event: &Event) -> Vec<Sentence> {
    match event {
        Event::Sanction(s) => sanction(st, s),
        Event::Notification(n) => notification(st, n),
        Event::Appeal(a) => appeal(st, a),
        Event::AppealDecision(d) => appeal_decision(st, d),
        Event::LegalHold(h) => legal_hold(st, h),
        Event::RetentionDeletion(d) => deletion(st, d),
        Event::DataAccess(a) => access(st, a),
        Event::Authorisation(a) => vec![authorisation(st, a)],
        Event::KeyRegistration(k) => vec![st.fill(
            Key::KeyRegistered,
            &[
                ("fingerprint", Sentence::value(&k.fingerprint)),
                ("producer", Sentence::value(&k.producer)),
                (
                    "kinds",
                    Sentence::list(k.kinds.iter().map(|k| kind_name(st, *k)).collect()),
                ),
            ],
        )],
        Event::PolicyPublication(p) => publication(st, p),
        Event::ObligationPolicy(p) => vec![policy(st, Key::KindObligationPolicy, p)],
        Event::RetentionPolicy(p) => vec![policy(st, Key::KindRetentionPolicy, p)],
        Event::Other => Vec::new(),
    }
}

fn sanction(st: &Style, s: &Sanction) -> Vec<Sentence> {
    let mut out = vec![sanction_head(st, s), decision_line(st, s)];
    if let Some(d) = &s.detection {
        out.push(detection(st, d, s.trigger.as_ref()));
    }
    out.push(st.fill(
        Key::SanctionScope,
        &[
            ("services", Sentence::values(&s.services)),
            ("territories", Sentence::values(&s.territories)),
            ("date", st.date_time(s.applied_at)),
        ],
    ));
    out.push(ground(st, &s.ground));
    out.push(st.fill(
        Key::PlatformReference,
        &[("puid", Sentence::value(&s.puid))],
    ));
    out
}

/// "Account terminated, all services, indefinitely."
fn sanction_head(st: &Style, s: &Sanction) -> Sentence {
    let what = match s.account {
        Some(DecisionAccount::Terminated) => Key::AccountTerminated,
        Some(DecisionAccount::Suspended) => Key::AccountSuspended,
        None => Key::ServiceRestricted,
    };
    let scope = match s.provision {
        Some(DecisionProvision::TotalTermination | DecisionProvision::TotalSuspension) => {
            Key::AllServices
        }
        _ => Key::SomeServices,
    };
    let duration = match s.until {
        None => st.word(Key::Indefinitely),
        Some(t) => st.fill(Key::UntilDate, &[("date", st.date_time(t))]),
    };
    st.fill(
        Key::SanctionHead,
        &[
            ("what", st.word(what)),
            ("scope", st.word(scope)),
            ("duration", duration),
        ],
    )
}

/// "Decided fully automatically; no human review."
fn decision_line(st: &Style, s: &Sanction) -> Sentence {
    let decided = st.word(match s.automated_decision {
        AutomatedDecision::Fully => Key::DecidedFully,
        AutomatedDecision::Partially => Key::DecidedPartly,
        AutomatedDecision::NotAutomated => Key::DecidedByPerson,
    });
    st.fill(
        Key::DecisionLine,
        &[
            ("decided", decided),
            ("review", review(st, s.review.as_ref())),
        ],
    )
}

fn review(st: &Style, r: Option<&Review>) -> Sentence {
    let Some(r) = r.filter(|r| r.done) else {
        return st.word(Key::NoHumanReview);
    };
    let who = match &r.qualification {
        Some(q) => st.fill(
            Key::HumanReviewQualified,
            &[("qualification", Sentence::value(q))],
        ),
        None => st.word(Key::HumanReview),
    };
    let key = match r.outcome {
        Some(ReviewOutcome::Confirmed) => Key::ReviewConfirmed,
        Some(ReviewOutcome::Rejected) => Key::ReviewRejected,
        Some(ReviewOutcome::Modified) => Key::ReviewModified,
        None => return who,
    };
    st.fill(key, &[("review", who)])
}

/// "Detected by a perceptual-hash match (…) against the NCMEC list snapshot of 1 March
/// 2026, triggered by an automatic backup; the file was never shared."
fn detection(st: &Style, d: &Detection, trigger: Option<&Trigger>) -> Sentence {
    let list = match &d.list {
        Some(l) => st.fill(
            Key::ListSnapshot,
            &[
                ("operator", Sentence::value(l.operator.to_uppercase())),
                ("date", st.date(l.snapshot_at)),
            ],
        ),
        None => Sentence::default(),
    };
    let method = method(st, d);
    let Some(t) = trigger else {
        return st.fill(Key::DetectionPlain, &[("method", method), ("list", list)]);
    };
    let shared = match t.shared_with {
        0 => st.word(Key::SharedNever),
        n => st.fill(Key::SharedWith, &[("count", st.number(n))]),
    };
    let trigger = st.fill(Key::TriggeredBy, &[("event", trigger_event(st, t.kind))]);
    st.fill(
        Key::DetectionShared,
        &[
            ("method", method),
            ("list", list),
            ("trigger", trigger),
            ("shared", shared),
        ],
    )
}

fn method(st: &Style, d: &Detection) -> Sentence {
    match (d.method, d.algorithm, d.distance, d.bits, d.threshold) {
        (DetectionMethod::PerceptualHash, Some(alg), Some(dist), Some(bits), Some(thr)) => st.fill(
            Key::MethodPerceptualDistance,
            &[
                ("algorithm", Sentence::fixed(alg.as_str().to_uppercase())),
                ("distance", st.number(dist)),
                ("bits", st.number(bits)),
                ("threshold", st.number(thr)),
            ],
        ),
        (DetectionMethod::PerceptualHash, ..) => st.word(Key::MethodPerceptual),
        (DetectionMethod::CryptographicHash, ..) => st.word(Key::MethodExact),
        (DetectionMethod::Classifier, ..) => st.word(Key::MethodClassifier),
        (DetectionMethod::Notice, ..) => st.word(Key::MethodNotice),
    }
}

fn trigger_event(st: &Style, kind: EventKind) -> Sentence {
    st.word(match kind {
        EventKind::Upload => Key::TriggerUpload,
        EventKind::Sync => Key::TriggerSync,
        EventKind::Backup => Key::TriggerBackup,
        EventKind::Share => Key::TriggerShare,
        EventKind::Send => Key::TriggerSend,
    })
}

fn ground(st: &Style, g: &Ground) -> Sentence {
    match g {
        Ground::Legal { provision } => st.fill(
            Key::GroundLegal,
            &[("provision", Sentence::value(provision))],
        ),
        Ground::Terms(t) => {
            let published = match t.published_at_leaf {
                Some(leaf) => st.fill(
                    Key::PublishedAtLeaf,
                    &[("leaf", Sentence::fixed(leaf.to_string()))],
                ),
                None => Sentence::default(),
            };
            st.fill(
                Key::GroundTerms,
                &[
                    ("clause", Sentence::value(&t.clause)),
                    ("document", Sentence::value(&t.document)),
                    ("version", Sentence::value(&t.version)),
                    ("published", published),
                ],
            )
        }
    }
}

fn about(st: &Style, leaf: Option<u64>) -> Option<Sentence> {
    leaf.map(|l| st.fill(Key::AboutLeaf, &[("leaf", Sentence::fixed(l.to_string()))]))
}

fn notification(st: &Style, n: &Notification) -> Vec<Sentence> {
    let channel = st.word(match n.channel {
        Channel::Email => Key::ChannelEmail,
        Channel::InApp => Key::ChannelInApp,
        Channel::Sms => Key::ChannelSms,
        Channel::Postal => Key::ChannelPostal,
    });
    let status = st.word(match n.delivery {
        DeliveryStatus::Queued => Key::DeliveryQueued,
        DeliveryStatus::Sent => Key::DeliverySent,
        DeliveryStatus::Delivered => Key::DeliveryDelivered,
        DeliveryStatus::Bounced => Key::DeliveryBounced,
        DeliveryStatus::Failed => Key::DeliveryFailed,
    });
    let mut out = vec![st.fill(
        Key::NoticeSent,
        &[
            ("date", st.date_time(n.sent_at)),
            ("channel", channel),
            ("status", status),
        ],
    )];
    out.push(match &n.statement {
        Some(s) => st.fill(
            Key::NoticeContents,
            &[
                ("ground", Sentence::value(&s.ground_reference)),
                ("redress", redress(st, &s.redress)),
            ],
        ),
        None => st.word(Key::NoticeNoContents),
    });
    out.extend(about(st, n.sanction_leaf));
    out
}

fn redress(st: &Style, routes: &[Redress]) -> Sentence {
    Sentence::list(
        routes
            .iter()
            .map(|r| {
                st.word(match r {
                    Redress::InternalComplaint => Key::RedressInternal,
                    Redress::OutOfCourtSettlement => Key::RedressOutOfCourt,
                    Redress::JudicialRedress => Key::RedressJudicial,
                })
            })
            .collect(),
    )
}

fn appeal(st: &Style, a: &Appeal) -> Vec<Sentence> {
    let channel = st.word(match a.channel {
        AppealChannel::ComplaintSystem => Key::AppealChannelSystem,
        AppealChannel::Email => Key::AppealChannelEmail,
        AppealChannel::Postal => Key::AppealChannelPostal,
        AppealChannel::OutOfCourtBody => Key::AppealChannelOutOfCourt,
    });
    let mut out = vec![st.fill(
        Key::AppealReceived,
        &[("date", st.date_time(a.received_at)), ("channel", channel)],
    )];
    out.extend(about(st, a.sanction_leaf));
    out
}

fn appeal_decision(st: &Style, d: &AppealDecision) -> Vec<Sentence> {
    let outcome = st.word(match d.outcome {
        AppealOutcome::Upheld => Key::OutcomeUpheld,
        AppealOutcome::Reversed => Key::OutcomeReversed,
        AppealOutcome::PartiallyReversed => Key::OutcomePartly,
    });
    let review = match (d.human_review, &d.qualification) {
        (false, _) => st.word(Key::NoHumanReview),
        (true, Some(q)) => st.fill(
            Key::HumanReviewQualified,
            &[("qualification", Sentence::value(q))],
        ),
        (true, None) => st.word(Key::HumanReview),
    };
    let mut out = vec![st.fill(
        Key::AppealDecided,
        &[
            ("outcome", outcome),
            ("date", st.date_time(d.decided_at)),
            ("review", review),
        ],
    )];
    out.push(match d.communicated_at {
        Some(t) => st.fill(Key::Communicated, &[("date", st.date_time(t))]),
        None => st.word(Key::NotCommunicated),
    });
    if d.reinstated {
        out.push(st.word(Key::Reinstated));
    }
    out.extend(about(st, d.appeal_leaf));
    out
}

fn legal_hold(st: &Style, h: &LegalHold) -> Vec<Sentence> {
    let args = |until: Sentence| {
        vec![
            ("id", Sentence::value(&h.hold_id)),
            ("authority", Sentence::value(&h.authority)),
            ("basis", Sentence::value(&h.legal_basis)),
            ("until", until),
        ]
    };
    if h.action == HoldAction::Release {
        return vec![st.fill(Key::HoldReleased, &args(Sentence::default()))];
    }
    let until = match h.until {
        Some(t) => st.fill(Key::HoldUntil, &[("date", st.date_time(t))]),
        None => Sentence::default(),
    };
    let mut out = vec![st.fill(Key::HoldSet, &args(until))];
    if !h.scope_leaves.is_empty() {
        out.push(st.fill(Key::HoldScope, &[("leaves", leaf_list(&h.scope_leaves))]));
    }
    out
}

fn deletion(st: &Style, d: &RetentionDeletion) -> Vec<Sentence> {
    let key = match d.method {
        DeletionMethod::CryptoShred => Key::DeletionShred,
        DeletionMethod::EraseDisclosure => Key::DeletionErase,
    };
    let mut out = vec![st.fill(
        key,
        &[
            ("rule", Sentence::value(&d.rule)),
            ("date", st.date_time(d.executed_at)),
            ("count", st.number(d.item_count)),
            ("due", st.date_time(d.due_at)),
        ],
    )];
    if let Some(g) = d.exception {
        out.push(st.fill(
            Key::DeletionException,
            &[("ground", Sentence::value(g.as_str()))],
        ));
    }
    out
}

fn access(st: &Style, a: &DataAccess) -> Vec<Sentence> {
    let official = match &a.official {
        Some(o) => Sentence::value(o),
        None => st.word(Key::OfficialSealed),
    };
    let mut out = vec![st.fill(
        Key::AccessLine,
        &[
            ("action", Sentence::value(a.action.as_str())),
            ("official", official),
            ("role", Sentence::value(&a.role)),
            ("organisation", Sentence::value(&a.organisation)),
            ("basis", Sentence::value(&a.legal_basis)),
            ("purpose", Sentence::value(&a.purpose)),
        ],
    )];
    if let Some(id) = &a.authorisation_id {
        out.push(st.fill(Key::AccessAuthorisation, &[("id", Sentence::value(id))]));
    }
    if a.break_glass {
        out.push(st.word(Key::AccessBreakGlass));
    }
    if let Some(n) = a.result_count {
        out.push(st.fill(Key::AccessResults, &[("count", st.number(n))]));
    }
    out
}

fn authorisation(st: &Style, a: &Authorisation) -> Sentence {
    let until = match a.valid_until {
        Some(t) => st.fill(Key::HoldUntil, &[("date", st.date_time(t))]),
        None => Sentence::default(),
    };
    let key = match a.action {
        AuthorisationAction::Grant => Key::AuthGranted,
        AuthorisationAction::Revoke => Key::AuthRevoked,
    };
    st.fill(
        key,
        &[
            ("id", Sentence::value(&a.authorisation_id)),
            ("role", Sentence::value(&a.role)),
            ("organisation", Sentence::value(&a.organisation)),
            ("bases", Sentence::values(&a.legal_bases)),
            ("from", st.date_time(a.valid_from)),
            ("until", until),
        ],
    )
}

fn publication(st: &Style, p: &PolicyPublication) -> Vec<Sentence> {
    let mut out = Vec::new();
    if let Some((document, version, count)) = &p.terms {
        out.push(st.fill(
            Key::PublishedTerms,
            &[
                ("document", Sentence::value(document)),
                ("version", Sentence::value(version)),
                ("count", st.number(*count as u64)),
                ("date", st.date_time(p.effective_from)),
            ],
        ));
    }
    if let Some(l) = &p.hash_list {
        out.push(st.fill(
            Key::PublishedList,
            &[
                ("operator", Sentence::value(l.operator.to_uppercase())),
                ("name", Sentence::value(&l.name)),
                ("category", Sentence::value(&l.category)),
                ("date", st.date_time(l.snapshot_at)),
            ],
        ));
    }
    for (alg, max) in &p.thresholds {
        out.push(st.fill(
            Key::PublishedThreshold,
            &[
                ("algorithm", Sentence::fixed(alg.as_str().to_uppercase())),
                ("distance", st.number(*max)),
            ],
        ));
    }
    out
}

fn policy(st: &Style, what: Key, p: &PolicySummary) -> Sentence {
    let mut what = st.word(what);
    if let Some(super::sentence::Piece::Fixed(first)) = what.0.first_mut() {
        *first = capitalise(first);
    }
    st.fill(
        Key::PolicyLine,
        &[
            ("what", what),
            ("id", Sentence::value(&p.policy_id)),
            ("version", Sentence::fixed(p.version.to_string())),
            ("authority", Sentence::value(&p.authority)),
            ("count", st.number(p.rule_count as u64)),
        ],
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
