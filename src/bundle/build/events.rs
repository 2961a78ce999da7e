//! What each decoded record body says, as an [`Event`] of the account.

use super::{Ctx, at};
use crate::bundle::account::{
    self, Appeal, AppealDecision, Authorisation, DataAccess, Detection, Event, Ground, HashList,
    KeyRegistration, LegalHold, Notification, PolicyPublication, PolicySummary, RetentionDeletion,
    Review, Sanction, TermsClause, Trigger, hash_bits,
};
use crate::record::kinds::{self, Body, account_sanction as sanction, policy_publication as pp};
use crate::record::text::Ident;

fn text(i: &Ident) -> String {
    i.as_str().to_string()
}

fn texts(v: &[Ident]) -> Vec<String> {
    v.iter().map(text).collect()
}

/// The event of the record at `leaf` with `body`.
pub(super) fn event(ctx: &Ctx<'_>, leaf: u64, body: &Body) -> Event {
    match body {
        Body::AccountSanction(s) => Event::Sanction(Box::new(sanction(ctx, s))),
        Body::Notification(n) => Event::Notification(notification(ctx, n)),
        Body::Appeal(a) => Event::Appeal(Appeal {
            sanction_leaf: ctx.leaf(&a.sanction),
            received_at: at(a.received_at),
            channel: a.channel,
        }),
        Body::AppealDecision(d) => Event::AppealDecision(AppealDecision {
            appeal_leaf: ctx.leaf(&d.appeal),
            outcome: d.outcome,
            human_review: d.human_review,
            qualification: d.reviewer_qualification.as_ref().map(text),
            reinstated: d.reinstated,
            decided_at: at(d.decided_at),
            communicated_at: d.communicated_at.map(at),
        }),
        Body::LegalHold(h) => Event::LegalHold(hold(ctx, h)),
        Body::RetentionDeletion(d) => Event::RetentionDeletion(deletion(d)),
        Body::DataAccess(a) => Event::DataAccess(access(ctx, leaf, a)),
        Body::Authorisation(a) => Event::Authorisation(authorisation(a)),
        Body::KeyRegistration(k) => Event::KeyRegistration(KeyRegistration {
            producer: k.producer.to_string(),
            fingerprint: format!(
                "sha256:{}",
                hex::encode(crate::crypto::key_id(&k.public_key.0))
            ),
            kinds: k.kinds.clone(),
        }),
        Body::PolicyPublication(p) => Event::PolicyPublication(publication(leaf, p)),
        Body::ObligationPolicy(p) => Event::ObligationPolicy(PolicySummary {
            policy_id: text(&p.policy_id),
            version: p.version,
            authority: text(&p.authority),
            rule_count: p.rules.len(),
        }),
        Body::RetentionPolicy(p) => Event::RetentionPolicy(PolicySummary {
            policy_id: text(&p.policy_id),
            version: p.version,
            authority: text(&p.authority),
            rule_count: p.rules.len(),
        }),
        _ => Event::Other,
    }
}

fn sanction(ctx: &Ctx<'_>, s: &kinds::AccountSanction) -> Sanction {
    Sanction {
        account: s.decision_account,
        provision: s.decision_provision,
        services: texts(&s.services_affected),
        territories: texts(&s.territorial_scope),
        applied_at: at(s.application_date),
        until: s.end_date_account_restriction.map(at),
        ground: ground(ctx, s),
        automated_detection: s.automated_detection,
        automated_decision: s.automated_decision,
        review: s.human_review.as_ref().map(|r| Review {
            done: r.done,
            qualification: r.qualification.as_ref().map(text),
            time: r.time.map(at),
            outcome: r.outcome,
        }),
        detection: s.detection.as_deref().map(|d| detection(ctx, d)),
        trigger: s.triggering_event.as_deref().map(|t| Trigger {
            kind: t.kind,
            time: at(t.time),
            client_app: t.client_app.as_ref().map(text),
            shared_with: t.shared_with_count,
        }),
        puid: text(&s.puid),
    }
}

fn ground(ctx: &Ctx<'_>, s: &kinds::AccountSanction) -> Ground {
    match &s.terms_clause {
        Some(t) => Ground::Terms(TermsClause {
            document: text(&t.document_id),
            version: text(&t.version),
            clause: text(&t.clause_id),
            published_at_leaf: ctx.leaf(&t.publication),
        }),
        None => Ground::Legal {
            provision: (s.illegal_content_legal_ground.as_ref())
                .or(s.incompatible_content_ground.as_ref())
                .map(text)
                .unwrap_or_default(),
        },
    }
}

fn detection(ctx: &Ctx<'_>, d: &sanction::Detection) -> Detection {
    Detection {
        method: d.method,
        algorithm: d.hash_algorithm,
        distance: d.perceptual_distance,
        bits: d.hash_algorithm.and_then(hash_bits),
        threshold: d.threshold,
        list: d.hash_list.as_ref().map(|l| HashList {
            operator: text(&l.operator),
            name: text(&l.list_name),
            category: text(&l.category),
            snapshot_at: at(l.fetched_at),
            published_at_leaf: l.publication.as_ref().and_then(|r| ctx.leaf(r)),
        }),
    }
}

fn notification(ctx: &Ctx<'_>, n: &kinds::Notification) -> Notification {
    Notification {
        sanction_leaf: ctx.leaf(&n.sanction),
        sent_at: at(n.sent_at),
        channel: n.channel,
        delivery: n.delivery_status,
        language: text(&n.language),
        statement: n.statement.as_ref().map(|s| account::Statement {
            facts_and_circumstances: s.facts_and_circumstances,
            ground_reference: text(&s.ground_reference),
            automated_detection: s.automated_detection,
            automated_decision: s.automated_decision,
            redress: s.redress.clone(),
        }),
    }
}

fn hold(ctx: &Ctx<'_>, h: &kinds::LegalHold) -> LegalHold {
    LegalHold {
        action: h.action,
        hold_id: text(&h.hold_id),
        authority: text(&h.authority),
        legal_basis: text(&h.legal_basis),
        until: h.until.map(at),
        scope_leaves: h.scope.iter().filter_map(|r| ctx.leaf(r)).collect(),
    }
}

fn deletion(d: &kinds::RetentionDeletion) -> RetentionDeletion {
    RetentionDeletion {
        rule: text(&d.rule),
        method: d.method,
        due_at: at(d.due_at),
        executed_at: at(d.executed_at),
        exception: d.exception_ground,
        item_count: d.item_count,
    }
}

fn access(ctx: &Ctx<'_>, leaf: u64, a: &kinds::DataAccess) -> DataAccess {
    DataAccess {
        action: a.action,
        official: ctx.disclosed(leaf, "actor.user"),
        role: text(&a.actor.role),
        organisation: text(&a.actor.organisation),
        authorisation_id: a.actor.authorisation_id.as_ref().map(text),
        legal_basis: text(&a.legal_basis),
        purpose: text(&a.purpose),
        break_glass: a.actor.break_glass,
        result_count: a.result_count,
    }
}

fn authorisation(a: &kinds::Authorisation) -> Authorisation {
    Authorisation {
        action: a.action,
        authorisation_id: text(&a.authorisation_id),
        role: text(&a.role),
        organisation: text(&a.organisation),
        legal_bases: texts(&a.legal_bases),
        valid_from: at(a.valid_from),
        valid_until: a.valid_until.map(at),
    }
}

fn publication(leaf: u64, p: &kinds::PolicyPublication) -> PolicyPublication {
    PolicyPublication {
        effective_from: at(p.effective_from),
        terms: p
            .terms
            .as_ref()
            .map(|t| (text(&t.document_id), text(&t.version), t.clauses.len())),
        hash_list: p.hash_list.as_ref().map(|l| snapshot(leaf, l)),
        thresholds: (p.thresholds.iter())
            .map(|t| (t.hash_algorithm, t.max_distance))
            .collect(),
    }
}

fn snapshot(leaf: u64, l: &pp::HashListSnapshot) -> HashList {
    HashList {
        operator: text(&l.operator),
        name: text(&l.list_name),
        category: text(&l.category),
        snapshot_at: at(l.fetched_at),
        published_at_leaf: Some(leaf),
    }
}
