//! Fill the person-readable [`Account`] from a verified bundle (ISSUE 16, `bundle show`).
//!
//! Owns the mapping from what [`super::verify()`] concluded — records with their decoded
//! bodies and opened disclosures, checkpoints, chain conclusions, findings, the exporter's
//! statements, the trust anchors — to the view model that [`super::show`] renders. Pure: no
//! I/O, no clock; it shows only values the bundle discloses.

use std::collections::HashMap;

use jiff::Timestamp;

use super::account::{
    self, Account, Anchor, AnchorRole, Basis, CheckpointRef, Conclusion, Entry, Event, Missing,
    Negative, Proof, Recheck, SealedField, SealedState, Subject, SubjectKind, VerdictLine,
};
use super::format::{Bundle, Role};
use super::verify::{ChainConclusion, StatementsAuth, Verified, VerifiedRecord};
use crate::record::Record;
use crate::record::kinds::obligation_policy::ObligationType;
use crate::record::kinds::{Body, Kind};
use crate::record::sealed::SealedValue;
use crate::record::types::RecordRef;
use crate::verify::report::{Check, Verdict};

mod events;

/// What the mapping needs to know besides one record: the other records of the bundle.
pub(crate) struct Ctx<'a> {
    v: &'a Verified,
    /// Leaf by leaf hash, to resolve record references inside the bundle.
    by_hash: HashMap<[u8; 32], u64>,
}

impl<'a> Ctx<'a> {
    fn new(v: &'a Verified) -> Ctx<'a> {
        let by_hash = v.records.iter().map(|r| (r.leaf_hash, r.leaf)).collect();
        Ctx { v, by_hash }
    }

    /// The leaf of a referenced record, when the bundle carries it.
    pub(crate) fn leaf(&self, r: &RecordRef) -> Option<u64> {
        self.by_hash.get(&r.leaf_hash.0).copied()
    }

    /// The decoded records of the bundle with their leaves.
    pub(crate) fn records(&self) -> impl Iterator<Item = (u64, &'a Record)> + 'a {
        let v = self.v;
        v.records
            .iter()
            .filter_map(|r| r.record.as_ref().map(|rec| (r.leaf, rec)))
    }

    /// A disclosed value of the record at `leaf`, as text.
    pub(crate) fn disclosed(&self, leaf: u64, path: &str) -> Option<String> {
        let r = self.v.records.iter().find(|r| r.leaf == leaf)?;
        r.disclosed
            .iter()
            .find(|(p, _)| p.to_string() == path)
            .map(|(_, value)| shown(value))
    }
}

/// Fill the account of `bundle`, verified as `v`, for the report shown in `time_zone`;
/// `bundle_file` and `trust_file` name the files in the re-check command.
pub fn account(
    bundle: &Bundle,
    v: &Verified,
    time_zone: &str,
    bundle_file: &str,
    trust_file: &str,
) -> Account {
    let ctx = Ctx::new(v);
    let newest = CheckpointRef {
        size: v.newest().size,
        time: secs(v.newest().log_time.unwrap_or(v.at_secs)),
    };
    let entries: Vec<Entry> = (v.records.iter()).filter_map(|r| entry(&ctx, r)).collect();
    Account {
        origin: bundle.origin.clone(),
        subject: subject(&ctx, &entries),
        time_zone: time_zone.to_string(),
        newest,
        negatives: v.chains.iter().filter_map(|c| negative(&ctx, c)).collect(),
        entries,
        verdicts: verdicts(v),
        anchors: v.anchors.iter().map(anchor).collect(),
        recheck: Recheck::standard(bundle_file, trust_file, secs(v.at_secs)),
    }
}

/// A time in seconds since the epoch as an instant (clamped to jiff's range).
fn secs(s: u64) -> Timestamp {
    i64::try_from(s)
        .ok()
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::MAX)
}

/// A record time as an instant (clamped to jiff's range).
pub(crate) fn at(t: crate::record::types::Timestamp) -> Timestamp {
    account::instant(t).unwrap_or(Timestamp::MAX)
}

/// A sealed value as the report shows it: text as is, bytes in hex, lists joined.
fn shown(v: &SealedValue) -> String {
    match v {
        SealedValue::Text(s) => s.clone(),
        SealedValue::Bytes(b) => hex::encode(b),
        SealedValue::Uint(n) => n.to_string(),
        SealedValue::List(l) => l.iter().map(shown).collect::<Vec<_>>().join(", "),
    }
}

/// The account's role of a record: its most specific bundle role. A related record (an
/// appeal, a hold, a statement of reasons on the selected sanction) is part of the story
/// about the subject, so it is shown with the selected ones; support is referenced.
fn role(roles: &[Role]) -> account::Role {
    let has = |r| roles.contains(&r);
    if has(Role::Export) {
        account::Role::Export
    } else if has(Role::Selected) || has(Role::Related) {
        account::Role::Selected
    } else if has(Role::Support) {
        account::Role::Referenced
    } else {
        account::Role::Chain
    }
}

fn entry(ctx: &Ctx<'_>, r: &VerifiedRecord) -> Option<Entry> {
    let rec = r.record.as_ref()?;
    let p = rec.payload();
    Some(Entry {
        leaf: r.leaf,
        producer_time: at(p.occurred_at),
        producer: p.producer.to_string(),
        seq: p.seq,
        kind: p.body.kind(),
        role: role(&r.roles),
        event: events::event(ctx, r.leaf, &p.body),
        sealed: sealed(ctx, r, rec),
        proof: proof(ctx, r, rec),
    })
}

/// Each sealed field of the record: disclosed, erased by a deletion in the bundle, or sealed.
fn sealed(ctx: &Ctx<'_>, r: &VerifiedRecord, rec: &Record) -> Vec<SealedField> {
    let p = rec.payload();
    p.sealed
        .iter()
        .map(|(path, _)| {
            let opened = r.disclosed.iter().find(|(d, _)| d == path);
            let state = match opened {
                Some((_, value)) => SealedState::Disclosed(shown(value)),
                None => match erased_by(ctx, r.leaf, rec, path) {
                    Some(by) => SealedState::Erased { by_leaf: Some(by) },
                    None => SealedState::Sealed,
                },
            };
            SealedField {
                path: path.to_string(),
                state,
            }
        })
        .collect()
}

/// The leaf of a retention deletion in the bundle that names this field of this record.
fn erased_by(
    ctx: &Ctx<'_>,
    leaf: u64,
    rec: &Record,
    path: &crate::record::sealed::FieldPath,
) -> Option<u64> {
    let p = rec.payload();
    ctx.records()
        .find_map(|(l, other)| match &other.payload().body {
            Body::RetentionDeletion(d) => d
                .targets
                .iter()
                .any(|t| t.covers_record(leaf, &p.producer, p.seq) && t.matches_field(path))
                .then_some(l),
            _ => None,
        })
}

fn proof(ctx: &Ctx<'_>, r: &VerifiedRecord, rec: &Record) -> Proof {
    let cp = ctx
        .v
        .checkpoints
        .iter()
        .find(|c| c.size == r.checkpoint_size);
    let witnesses: Vec<String> = cp
        .map(|c| c.witnesses.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    let quorum = ctx.v.witness_quorum;
    Proof {
        included_in: CheckpointRef {
            size: r.checkpoint_size,
            time: secs(r.checkpoint_time.unwrap_or(0)),
        },
        log_key: ctx.v.origin.clone(),
        quorum_met: quorum > 0 && witnesses.len() >= quorum,
        witnesses,
        key_registered_at: registration(ctx, rec),
    }
}

/// The leaf of the key registration in the bundle that admits the record's signing key.
fn registration(ctx: &Ctx<'_>, rec: &Record) -> Option<u64> {
    let producer = &rec.payload().producer;
    ctx.records()
        .find_map(|(l, other)| match &other.payload().body {
            Body::KeyRegistration(k)
                if &k.producer == producer
                    && crate::crypto::key_id(&k.public_key.0) == *rec.kid() =>
            {
                Some(l)
            }
            _ => None,
        })
}

/// The selection as a subject: the account id a selected sanction discloses, else the
/// export's words.
fn subject(ctx: &Ctx<'_>, entries: &[Entry]) -> Subject {
    let selected = entries.iter().filter(|e| e.role == account::Role::Selected);
    let holder = selected
        .clone()
        .find_map(|e| match &e.event {
            Event::Sanction(s) => match &s.ground {
                account::Ground::Terms(t) => Some(t.document.clone()),
                account::Ground::Legal { .. } => None,
            },
            _ => None,
        })
        .map(|d| d.strip_suffix("-terms").unwrap_or(&d).to_string())
        .unwrap_or_else(|| ctx.v.origin.clone());
    let account_id = selected
        .filter(|e| e.kind == Kind::AccountSanction)
        .find_map(|e| ctx.disclosed(e.leaf, "account_id"));
    match account_id {
        Some(value) => Subject {
            kind: SubjectKind::Account,
            value,
            holder,
        },
        None => Subject {
            kind: SubjectKind::Records,
            value: ctx.v.export.selection.clone(),
            holder,
        },
    }
}

/// The findings of checks 7 and 8 (re-derived) and the exporter's statements.
fn verdicts(v: &Verified) -> Vec<VerdictLine> {
    let derived = (v.findings.iter())
        .filter(|f| matches!(f.check, Check::Retention | Check::Obligations))
        .filter(|f| f.verdict != Verdict::Holds)
        .map(|f| VerdictLine {
            code: f.code.to_string(),
            check: f.check,
            verdict: f.verdict,
            basis: Basis::Rederived,
            message: f.message.clone(),
            leaves: f.leaf.into_iter().collect(),
        });
    let stated = v.statements.iter().map(|s| VerdictLine {
        code: s.code.clone(),
        check: match s.check {
            8 => Check::Obligations,
            _ => Check::Retention,
        },
        verdict: verdict(&s.verdict),
        basis: match v.statements_auth {
            StatementsAuth::Signed => Basis::ExporterStatement,
            _ => Basis::UnsignedStatement,
        },
        message: s.message.clone(),
        leaves: s.leaf.into_iter().collect(),
    });
    derived.chain(stated).collect()
}

/// A statement's verdict word (`holds`, `violated`, `cannot-be-determined`, `notice`).
fn verdict(word: &str) -> Verdict {
    match word {
        "holds" => Verdict::Holds,
        "violated" => Verdict::Violated,
        "notice" => Verdict::Notice,
        _ => Verdict::CannotBeDetermined,
    }
}

/// The rule a chain's finding code is about.
fn rule(code: Option<&str>) -> ObligationType {
    match code.unwrap_or_default() {
        c if c.contains("automated") => ObligationType::AutomatedDecisionReview,
        c if c.contains("appeal") => ObligationType::AppealDeadline,
        c if c.contains("break-glass") => ObligationType::BreakGlassJustified,
        _ => ObligationType::StatementOfReasons,
    }
}

/// A chain's conclusion as a negative: proven when check 8 found the follow-up absent,
/// cannot be determined with what the chain lacks; none when the follow-up is there.
fn negative(ctx: &Ctx<'_>, c: &ChainConclusion) -> Option<Negative> {
    let chain = &c.chain;
    let last_time = ctx
        .records()
        .find(|(l, _)| *l == chain.last)
        .map(|(_, r)| at(r.payload().occurred_at));
    let conclusion = match c.verdict {
        Verdict::Violated => Conclusion::Proven {
            complete_up_to: last_time?,
            through_leaf: chain.last,
        },
        Verdict::CannotBeDetermined => Conclusion::CannotBeDetermined(missing(ctx, c)),
        _ => return None,
    };
    Some(Negative {
        rule: rule(c.code),
        about_leaf: chain.about,
        responsible: chain.producer.clone(),
        conclusion,
    })
}

/// What a chain that does not prove its negative lacks.
fn missing(ctx: &Ctx<'_>, c: &ChainConclusion) -> Missing {
    let chain = &c.chain;
    if !chain.complete {
        return Missing::OverBound {
            bound: ctx.v.export.max_chain,
        };
    }
    let mut seqs: Vec<(u64, Timestamp)> = ctx
        .records()
        .filter(|(l, r)| {
            (chain.first..=chain.last).contains(l)
                && r.payload().producer.as_str() == chain.producer
        })
        .map(|(_, r)| (r.payload().seq, at(r.payload().occurred_at)))
        .collect();
    seqs.sort();
    if let Some(w) = seqs.windows(2).find(|w| w[1].0 > w[0].0 + 1) {
        return Missing::SeqGap {
            first: w[0].0 + 1,
            last: w[1].0 - 1,
        };
    }
    match (c.needed_after.map(at), seqs.last()) {
        (Some(after), _) | (None, Some(&(_, after))) => Missing::NoLaterRecord { after },
        (None, None) => Missing::NoFollowers,
    }
}

fn anchor(a: &crate::verify::report::Anchor) -> Anchor {
    let r = a.role.as_str();
    let role = match r {
        _ if r.starts_with("log") => AnchorRole::Log,
        _ if r.starts_with("registration") => AnchorRole::RegistrationAuthority,
        _ if r.starts_with("witness") => AnchorRole::Witness,
        _ if r.starts_with("retention") => AnchorRole::RetentionAuthority,
        _ => AnchorRole::ObligationAuthority,
    };
    Anchor {
        role,
        name: a.name.clone(),
        fingerprint: a.fingerprint.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::vectors;
    use crate::verify::Trust;

    fn valid() -> (Bundle, Verified) {
        let b = vectors::valid().expect("the vector bundle");
        let trust = Trust::from_json(&vectors::trust_json()).expect("the vectors' trust file");
        let v = super::super::verify(&b, &trust, None);
        assert!(v.integrity_holds(), "{:?}", v.findings);
        (b, v)
    }

    #[test]
    fn the_vector_bundle_fills_entries_roles_proofs_and_anchors() {
        let (b, v) = valid();
        let a = account(&b, &v, "Europe/Amsterdam", "case.lsb", "trust.json");
        assert_eq!(a.origin, vectors::ORIGIN);
        assert_eq!(a.time_zone, "Europe/Amsterdam");
        let roles: Vec<_> = a.entries.iter().map(|e| (e.leaf, e.role)).collect();
        assert_eq!(
            roles,
            [
                (0, account::Role::Referenced),
                (1, account::Role::Selected),
                (2, account::Role::Export)
            ]
        );
        assert!(matches!(a.entries[0].event, Event::KeyRegistration(_)));
        assert!(matches!(a.entries[1].event, Event::DataAccess(_)));
        let proofs: Vec<_> = (a.entries.iter())
            .map(|e| (e.proof.included_in.size, e.proof.key_registered_at))
            .collect();
        assert_eq!(proofs, [(2, None), (2, Some(0)), (3, Some(0))]);
        assert_eq!(a.entries[0].proof.included_in.time, secs(1_772_400_000));
        assert_eq!(a.newest.size, 3);
        assert_eq!(a.newest.time, secs(1_772_486_400));
        assert!(a.entries.iter().all(|e| !e.proof.quorum_met));
        let anchors: Vec<_> = a.anchors.iter().map(|x| x.role).collect();
        assert_eq!(
            anchors,
            [AnchorRole::Log, AnchorRole::RegistrationAuthority]
        );
        assert!(a.recheck.command.contains("case.lsb --trust trust.json"));
    }

    #[test]
    fn the_key_registration_shows_the_fingerprint_the_record_kid_has() {
        let (b, v) = valid();
        let a = account(&b, &v, "UTC", "b", "t");
        let Event::KeyRegistration(k) = &a.entries[0].event else {
            panic!("leaf 0 is a key registration");
        };
        let kid = v.records[1].record.as_ref().unwrap().kid();
        assert_eq!(k.fingerprint, format!("sha256:{}", hex::encode(kid)));
    }

    #[test]
    fn only_the_disclosed_sealed_field_shows_its_value() {
        let (b, v) = valid();
        let a = account(&b, &v, "UTC", "b", "t");
        let consult = &a.entries[1];
        let disclosed: Vec<_> = (consult.sealed.iter())
            .filter(|f| matches!(f.state, SealedState::Disclosed(_)))
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(disclosed, ["subject"]);
        assert!(consult.sealed.len() > 1);
        assert!(
            (consult.sealed.iter())
                .filter(|f| f.path != "subject")
                .all(|f| f.state == SealedState::Sealed)
        );
        // No sanction discloses an account id: the subject is the export's words.
        assert_eq!(a.subject.kind, SubjectKind::Records);
        assert_eq!(a.subject.value, "leaves [1]");
    }

    #[test]
    fn a_record_that_does_not_verify_is_still_placed_but_no_key_admits_it() {
        let (mut b, _) = valid();
        b.entries.remove(0);
        let trust = Trust::from_json(&vectors::trust_json()).unwrap();
        let v = super::super::verify(&b, &trust, None);
        let a = account(&b, &v, "UTC", "b", "t");
        assert_eq!(a.entries.len(), 2);
        assert!(
            a.entries
                .iter()
                .all(|e| e.proof.key_registered_at.is_none())
        );
    }

    #[test]
    fn roles_statements_and_codes_map_to_the_view_model() {
        assert_eq!(role(&[Role::Related]), account::Role::Selected);
        assert_eq!(role(&[Role::Support]), account::Role::Referenced);
        assert_eq!(role(&[Role::Chain]), account::Role::Chain);
        assert_eq!(role(&[Role::Selected, Role::Export]), account::Role::Export);
        assert_eq!(verdict("notice"), Verdict::Notice);
        assert_eq!(verdict("cannot-be-determined"), Verdict::CannotBeDetermined);
        assert_eq!(verdict("violated"), Verdict::Violated);
        assert_eq!(
            rule(Some("obligation-sor-missing")),
            ObligationType::StatementOfReasons
        );
        assert_eq!(
            rule(Some("obligation-automated-no-review")),
            ObligationType::AutomatedDecisionReview
        );
        let value = SealedValue::List(vec![
            SealedValue::Text("a".into()),
            SealedValue::Bytes(vec![0xab]),
            SealedValue::Uint(7),
        ]);
        assert_eq!(shown(&value), "a, ab, 7");
    }
}
