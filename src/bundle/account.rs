//! The person-readable account of an evidence bundle, as pure data (DESIGN.md §Evidence
//! bundles; ISSUE 16, `logseal bundle show`).
//!
//! Owns: the view model that [`super::show`] renders — what the bundle is about, its
//! timeline, what each entry proves and against whom, the verdicts, the negative-proof
//! conclusions, the trust anchors and how to re-check it. It is filled from a *verified*
//! bundle by the bundle layer; it never reads files, the clock or the bundle format, and it
//! holds only values the bundle discloses (a sealed value that stays sealed is named by its
//! path, never shown).
//!
//! Enumerations are the record kinds' own ([`crate::record::kinds`]): the renderers turn
//! them into sentences. Identifiers are plain strings as the records spell them; times are
//! UTC instants, shown in [`Account::time_zone`].

use jiff::Timestamp;

use crate::record::kinds::Kind;
use crate::record::kinds::account_sanction::{
    AutomatedDecision, DecisionAccount, DecisionProvision, DetectionMethod, EventKind,
    HashAlgorithm, ReviewOutcome,
};
use crate::record::kinds::appeal::AppealChannel;
use crate::record::kinds::appeal_decision::AppealOutcome;
use crate::record::kinds::authorisation::AuthorisationAction;
use crate::record::kinds::data_access::Action;
use crate::record::kinds::legal_hold::HoldAction;
use crate::record::kinds::notification::{Channel, DeliveryStatus, Redress};
use crate::record::kinds::obligation_policy::ObligationType;
use crate::record::kinds::retention_deletion::{DeletionMethod, ExceptionGround};
use crate::verify::report::{Check, Verdict};

/// Everything `bundle show` says about one bundle.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The log's origin, e.g. `demo.logseal.example/log`.
    pub origin: String,
    /// What the bundle is about.
    pub subject: Subject,
    /// The IANA time zone the report shows times in (`UTC`, `Europe/Amsterdam`); an unknown
    /// name falls back to UTC, and the report says which zone it used.
    pub time_zone: String,
    /// The newest checkpoint of the bundle: the reference time of its verdicts.
    pub newest: CheckpointRef,
    /// The records, in log order (by leaf index).
    pub entries: Vec<Entry>,
    /// The findings of checks 7 and 8 about these records.
    pub verdicts: Vec<VerdictLine>,
    /// What the bundle shows was *not* done ("no statement of reasons was sent").
    pub negatives: Vec<Negative>,
    /// The trust anchors the bundle was verified against.
    pub anchors: Vec<Anchor>,
    /// How to check it independently.
    pub recheck: Recheck,
}

/// What a bundle is about: the selection the exporter made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub kind: SubjectKind,
    /// The selecting value as disclosed (an account id, a subscriber's name, a case
    /// reference), or a description of the records for [`SubjectKind::Records`].
    pub value: String,
    /// Who holds it: the platform or service, e.g. `cloudbox` (a cloud platform).
    pub holder: String,
}

/// How the exporter selected the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// By an account id (a platform's sanctions).
    Account,
    /// By a subscriber (whose data was queried).
    Subscriber,
    /// By a case reference.
    Case,
    /// By records, kind, producer or time range.
    Records,
}

/// A checkpoint, as a person needs it: how many records, and when the log signed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointRef {
    pub size: u64,
    pub time: Timestamp,
}

/// One record in the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The record's leaf index in the log.
    pub leaf: u64,
    /// The producer's own time for the record (`occurred_at`).
    pub producer_time: Timestamp,
    pub producer: String,
    /// The producer's sequence number.
    pub seq: u64,
    pub kind: Kind,
    /// Why the bundle carries it.
    pub role: Role,
    /// What the record says (public fields with the disclosed sealed ones).
    pub event: Event,
    /// Its sealed fields: disclosed, still sealed, or erased.
    pub sealed: Vec<SealedField>,
    /// What its inclusion proves, and against whom.
    pub proof: Proof,
}

impl Entry {
    /// The log's time for the record: that of the first checkpoint including it (the record
    /// existed no later than this).
    pub fn log_time(&self) -> Timestamp {
        self.proof.included_in.time
    }
}

/// Why a record is in the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A record about the selection.
    Selected,
    /// A record a selected record relies on (a terms publication, a key registration).
    Referenced,
    /// Part of a producer's chain carried to prove a negative (commitments only).
    Chain,
    /// The export's own data-access record.
    Export,
}

/// A sealed field of a record and what the bundle reveals of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedField {
    /// The dotted path, e.g. `account_id`, `human_review.reviewer`.
    pub path: String,
    pub state: SealedState,
}

/// What the bundle reveals of one sealed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealedState {
    /// Disclosed: the value (text as is, bytes in hex), checked against its commitment.
    Disclosed(String),
    /// Only the commitment is in the bundle.
    Sealed,
    /// Erased under a retention deletion (the record at `by_leaf`, if in the bundle).
    Erased { by_leaf: Option<u64> },
}

/// What a record's inclusion proves, and against whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The first checkpoint that includes the record.
    pub included_in: CheckpointRef,
    /// The log key's name (its origin), which signed that checkpoint.
    pub log_key: String,
    /// Witnesses whose cosignatures on that checkpoint verified (names; empty: none).
    pub witnesses: Vec<String>,
    /// Whether the witnesses meet the trust file's quorum (false with no quorum set).
    pub quorum_met: bool,
    /// The leaf of the key registration that admits the producer's signing key, when the
    /// bundle carries it.
    pub key_registered_at: Option<u64>,
}

/// What a record says, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Sanction(Box<Sanction>),
    Notification(Notification),
    Appeal(Appeal),
    AppealDecision(AppealDecision),
    LegalHold(LegalHold),
    RetentionDeletion(RetentionDeletion),
    DataAccess(DataAccess),
    Authorisation(Authorisation),
    KeyRegistration(KeyRegistration),
    PolicyPublication(PolicyPublication),
    ObligationPolicy(PolicySummary),
    RetentionPolicy(PolicySummary),
    /// A kind the report does not describe in sentences (a heartbeat, a reset).
    Other,
}

/// An account sanction (DSA Art 17(3)).
#[derive(Debug, Clone, PartialEq)]
pub struct Sanction {
    pub account: Option<DecisionAccount>,
    pub provision: Option<DecisionProvision>,
    /// Services the decision reaches, e.g. `mail`, `storage`, `games`.
    pub services: Vec<String>,
    /// ISO 3166-1 alpha-2 codes of the territories.
    pub territories: Vec<String>,
    pub applied_at: Timestamp,
    /// End of the account restriction; `None`: indefinite.
    pub until: Option<Timestamp>,
    pub ground: Ground,
    pub automated_detection: bool,
    pub automated_decision: AutomatedDecision,
    /// `None`: the record says nothing of a review.
    pub review: Option<Review>,
    pub detection: Option<Detection>,
    pub trigger: Option<Trigger>,
    /// The platform's id of the statement of reasons (TDB `puid`).
    pub puid: String,
}

/// The ground of a sanction: a legal provision, or a terms clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ground {
    Legal { provision: String },
    Terms(TermsClause),
}

/// A terms-of-service clause and where its text was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsClause {
    pub document: String,
    pub version: String,
    pub clause: String,
    /// The leaf of the policy publication of that version, when in the bundle.
    pub published_at_leaf: Option<u64>,
}

/// Human review of a sanction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub done: bool,
    pub qualification: Option<String>,
    pub time: Option<Timestamp>,
    pub outcome: Option<ReviewOutcome>,
}

/// How the content was detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub method: DetectionMethod,
    pub algorithm: Option<HashAlgorithm>,
    /// Claimed distance between the content's and the entry's hash.
    pub distance: Option<u64>,
    /// The hash's length in bits (PDQ: 256), when known.
    pub bits: Option<u64>,
    pub threshold: Option<u64>,
    pub list: Option<HashList>,
}

/// The hash list snapshot a match was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashList {
    /// Who maintains it, as recorded (e.g. `ncmec`; shown in capitals).
    pub operator: String,
    pub name: String,
    pub category: String,
    /// When the matcher fetched the snapshot.
    pub snapshot_at: Timestamp,
    /// The leaf of the snapshot's publication, when in the bundle.
    pub published_at_leaf: Option<u64>,
}

/// What the user did that brought the content to the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub kind: EventKind,
    pub time: Timestamp,
    pub client_app: Option<String>,
    /// With how many other accounts the content was shared (0: nobody).
    pub shared_with: u64,
}

/// A notification: the statement of reasons sent for a sanction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub sanction_leaf: Option<u64>,
    pub sent_at: Timestamp,
    pub channel: Channel,
    pub delivery: DeliveryStatus,
    /// The statement's language tag.
    pub language: String,
    /// What the statement states, as the notifier recorded it; `None`: not recorded.
    pub statement: Option<Statement>,
}

/// The recorded contents of a statement of reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub facts_and_circumstances: bool,
    /// The legal provision or terms clause it names.
    pub ground_reference: String,
    pub automated_detection: bool,
    pub automated_decision: AutomatedDecision,
    pub redress: Vec<Redress>,
}

/// An appeal against a sanction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appeal {
    pub sanction_leaf: Option<u64>,
    pub received_at: Timestamp,
    pub channel: AppealChannel,
}

/// The decision on an appeal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealDecision {
    pub appeal_leaf: Option<u64>,
    pub outcome: AppealOutcome,
    pub human_review: bool,
    pub qualification: Option<String>,
    pub reinstated: bool,
    pub decided_at: Timestamp,
    pub communicated_at: Option<Timestamp>,
}

/// A legal hold set or released over records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalHold {
    pub action: HoldAction,
    pub hold_id: String,
    /// Who ordered it, e.g. a court.
    pub authority: String,
    pub legal_basis: String,
    pub until: Option<Timestamp>,
    /// The held records' leaves that are in the bundle.
    pub scope_leaves: Vec<u64>,
}

/// A retention deletion (crypto-shredding or erasure of disclosures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionDeletion {
    /// The rule reference, `id@version`.
    pub rule: String,
    pub method: DeletionMethod,
    pub due_at: Timestamp,
    pub executed_at: Timestamp,
    pub exception: Option<ExceptionGround>,
    pub item_count: u64,
}

/// A data access (a query, a disclosure, an export).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataAccess {
    pub action: Action,
    /// The official, when `actor.user` is disclosed.
    pub official: Option<String>,
    pub role: String,
    pub organisation: String,
    pub authorisation_id: Option<String>,
    pub legal_basis: String,
    pub purpose: String,
    pub break_glass: bool,
    pub result_count: Option<u64>,
}

/// An authorisation grant or revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorisation {
    pub action: AuthorisationAction,
    pub authorisation_id: String,
    pub role: String,
    pub organisation: String,
    pub legal_bases: Vec<String>,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
}

/// A producer key registration by the registration authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRegistration {
    pub producer: String,
    /// The key's fingerprint, as [`Anchor::fingerprint`] spells it.
    pub fingerprint: String,
    pub kinds: Vec<Kind>,
}

/// A policy publication: a terms version, a hash-list snapshot, thresholds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyPublication {
    pub effective_from: Timestamp,
    /// Terms document and version, with the number of clauses.
    pub terms: Option<(String, String, usize)>,
    pub hash_list: Option<HashList>,
    /// Match thresholds: algorithm and largest distance.
    pub thresholds: Vec<(HashAlgorithm, u64)>,
}

/// An obligation or retention policy, summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySummary {
    pub policy_id: String,
    pub version: u64,
    pub authority: String,
    pub rule_count: usize,
}

/// One finding of checks 7 and 8 about the bundle's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictLine {
    /// The stable code (docs/CHECKS.md), e.g. `obligation-sor-missing`.
    pub code: String,
    pub check: Check,
    pub verdict: Verdict,
    /// Re-derived from the bundle, or the exporter's statement (signed or not).
    pub basis: Basis,
    /// The verifier's plain message (as the verifier wrote it, in English).
    pub message: String,
    pub leaves: Vec<u64>,
}

/// Where a verdict comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// `bundle verify` re-derives it from the bundle alone.
    Rederived,
    /// An observation of the private part at export time, by the exporter, signed with the
    /// key of the export's access record: stated, not proven by the bundle.
    ExporterStatement,
    /// The same, but its signature is missing, does not verify, or its key is not in the
    /// bundle: stated by whoever handled the bundle, not even shown to be the exporter's.
    UnsignedStatement,
}

impl Basis {
    /// Whether it is an exporter's statement (signed or not), not re-derived.
    pub fn stated(self) -> bool {
        self != Basis::Rederived
    }
}

/// A conclusion that something was not done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negative {
    /// The rule whose follow-up is missing: `StatementOfReasons`, `AppealDeadline` or
    /// `AutomatedDecisionReview` (a decision on an appeal), `BreakGlassJustified`.
    pub rule: ObligationType,
    /// The leaf of the record the follow-up should answer.
    pub about_leaf: u64,
    /// The producer that would have written it (e.g. `notifier`).
    pub responsible: String,
    pub conclusion: Conclusion,
}

/// Whether the negative is proven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conclusion {
    /// The responsible producer's chain in the bundle is complete up to a record dated
    /// after the deadline plus its logging delay.
    Proven {
        complete_up_to: Timestamp,
        through_leaf: u64,
    },
    /// The bundle cannot show it; what is missing.
    CannotBeDetermined(Missing),
}

/// What a negative proof lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The producer's records with these sequence numbers are not in the bundle.
    SeqGap { first: u64, last: u64 },
    /// No record of the producer dated after this time (deadline plus logging delay).
    NoLaterRecord { after: Timestamp },
    /// The chain is longer than the export's bound of this many records.
    OverBound { bound: u64 },
    /// The rule names nobody who would write the follow-up.
    NoFollowers,
}

/// A trust anchor the bundle was verified against, for comparison out of band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub role: AnchorRole,
    /// The key's name (the log's origin, a producer id, a witness name).
    pub name: String,
    /// `sha256:` and the hex digest of the public key, as `trust show` prints it.
    pub fingerprint: String,
}

/// Whose key an anchor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorRole {
    Log,
    RegistrationAuthority,
    Witness,
    ObligationAuthority,
    RetentionAuthority,
}

/// How to check the bundle independently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recheck {
    /// The command line, e.g. `logseal bundle verify case.lsb --trust trust.json --at …`.
    pub command: String,
    /// The specification sections it follows.
    pub specs: Vec<SpecRef>,
}

/// A section of the project's specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecRef {
    /// The document, e.g. `docs/FORMAT.md`.
    pub document: String,
    /// The section, e.g. `Evidence bundles`.
    pub section: String,
}

impl Recheck {
    /// The standard way: `bundle verify` at the bundle's reference time, and the sections
    /// of FORMAT.md and CHECKS.md it follows.
    pub fn standard(bundle_file: &str, trust_file: &str, at: Timestamp) -> Recheck {
        let spec = |document: &str, section: &str| SpecRef {
            document: document.to_string(),
            section: section.to_string(),
        };
        Recheck {
            command: format!(
                "logseal bundle verify {bundle_file} --trust {trust_file} --at {}",
                at.strftime("%Y-%m-%dT%H:%M:%SZ")
            ),
            specs: vec![
                spec("docs/FORMAT.md", "Evidence bundles"),
                spec(
                    "docs/CHECKS.md",
                    "Trust model: what is proven, and against whom",
                ),
                spec("docs/CHECKS.md", "8 — obligations"),
            ],
        }
    }
}

/// The length in bits of a hash algorithm's values, where fixed.
pub fn hash_bits(algorithm: HashAlgorithm) -> Option<u64> {
    match algorithm {
        HashAlgorithm::Pdq => Some(256),
        HashAlgorithm::Md5 => Some(128),
        HashAlgorithm::Sha1 => Some(160),
        HashAlgorithm::PhotoDna => None,
    }
}

/// A record time as an instant (`None` past jiff's range, year 9999).
pub fn instant(t: crate::record::types::Timestamp) -> Option<Timestamp> {
    i64::try_from(t.millis())
        .ok()
        .and_then(|ms| Timestamp::from_millisecond(ms).ok())
}
