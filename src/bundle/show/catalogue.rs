//! Every sentence of `bundle show`, in English, Dutch and German, in one place.
//!
//! Owns: the phrase table ([`Key`] → one template per [`Lang`]), month names and number
//! formats. Each translation says whether a lawyer has reviewed its legal wording; none has
//! yet, so every `reviewed` is `false`, and the report says so at its foot. Templates hold
//! named `{placeholders}`; every language of a phrase uses the same set (a test checks).

use super::Lang;

/// One language's text of a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub template: &'static str,
    /// Whether the legal wording was reviewed.
    pub reviewed: bool,
}

/// A phrase in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phrase {
    pub en: Text,
    pub nl: Text,
    pub de: Text,
}

impl Phrase {
    pub fn get(&self, lang: Lang) -> Text {
        match lang {
            Lang::En => self.en,
            Lang::Nl => self.nl,
            Lang::De => self.de,
        }
    }
}

macro_rules! catalogue {
    ($($key:ident {
        en: $en:literal, reviewed: $er:literal;
        nl: $nl:literal, reviewed: $nr:literal;
        de: $de:literal, reviewed: $dr:literal;
    })*) => {
        /// The phrases of the report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $($key,)*
        }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            /// The phrase in every language.
            pub fn phrase(self) -> Phrase {
                match self {
                    $(Key::$key => Phrase {
                        en: Text { template: $en, reviewed: $er },
                        nl: Text { template: $nl, reviewed: $nr },
                        de: Text { template: $de, reviewed: $dr },
                    },)*
                }
            }
        }
    };
}

catalogue! {
    Title {
        en: "Evidence bundle: {subject}", reviewed: false;
        nl: "Bewijspakket: {subject}", reviewed: false;
        de: "Beweispaket: {subject}", reviewed: false;
    }
    SubjectAccount {
        en: "account {value} at {holder}", reviewed: false;
        nl: "account {value} bij {holder}", reviewed: false;
        de: "Konto {value} bei {holder}", reviewed: false;
    }
    SubjectSubscriber {
        en: "subscriber {value} at {holder}", reviewed: false;
        nl: "abonnee {value} bij {holder}", reviewed: false;
        de: "Teilnehmer {value} bei {holder}", reviewed: false;
    }
    SubjectCase {
        en: "case {value} at {holder}", reviewed: false;
        nl: "zaak {value} bij {holder}", reviewed: false;
        de: "Verfahren {value} bei {holder}", reviewed: false;
    }
    SubjectRecords {
        en: "records of {holder}: {value}", reviewed: false;
        nl: "records van {holder}: {value}", reviewed: false;
        de: "Einträge von {holder}: {value}", reviewed: false;
    }
    HeaderLog {
        en: "Log {origin}. Newest checkpoint: {size} records, signed by the log on {date}; the verdicts below hold at that time.", reviewed: false;
        nl: "Logboek {origin}. Nieuwste checkpoint: {size} records, ondertekend door het logboek op {date}; de oordelen hieronder gelden op dat moment.", reviewed: false;
        de: "Protokoll {origin}. Neuester Checkpoint: {size} Einträge, vom Protokoll signiert am {date}; die Ergebnisse unten gelten zu diesem Zeitpunkt.", reviewed: false;
    }
    HeaderZone {
        en: "Times are shown in the time zone {zone}.", reviewed: false;
        nl: "Tijden staan in de tijdzone {zone}.", reviewed: false;
        de: "Zeiten sind in der Zeitzone {zone} angegeben.", reviewed: false;
    }
    SecSummary {
        en: "Summary", reviewed: false;
        nl: "Samenvatting", reviewed: false;
        de: "Zusammenfassung", reviewed: false;
    }
    SecTimeline {
        en: "Timeline", reviewed: false;
        nl: "Tijdlijn", reviewed: false;
        de: "Zeitleiste", reviewed: false;
    }
    SecReferenced {
        en: "Records these rely on", reviewed: false;
        nl: "Records waarop deze steunen", reviewed: false;
        de: "Einträge, auf die sich diese stützen", reviewed: false;
    }
    SecVerdicts {
        en: "Verdicts", reviewed: false;
        nl: "Oordelen", reviewed: false;
        de: "Ergebnisse", reviewed: false;
    }
    SecNegatives {
        en: "What was not done", reviewed: false;
        nl: "Wat niet is gedaan", reviewed: false;
        de: "Was nicht geschehen ist", reviewed: false;
    }
    SecAnchors {
        en: "Trust anchors", reviewed: false;
        nl: "Vertrouwensankers", reviewed: false;
        de: "Vertrauensanker", reviewed: false;
    }
    SecRecheck {
        en: "How to check this independently", reviewed: false;
        nl: "Zelf controleren", reviewed: false;
        de: "Unabhängig nachprüfen", reviewed: false;
    }
    EntryHeading {
        en: "{date}: {kind} by {producer} (leaf {leaf})", reviewed: false;
        nl: "{date}: {kind} door {producer} (blad {leaf})", reviewed: false;
        de: "{date}: {kind} von {producer} (Blatt {leaf})", reviewed: false;
    }
    KindSanction {
        en: "account sanction", reviewed: false;
        nl: "accountmaatregel", reviewed: false;
        de: "Kontomaßnahme", reviewed: false;
    }
    KindNotification {
        en: "statement of reasons", reviewed: false;
        nl: "motivering", reviewed: false;
        de: "Begründung", reviewed: false;
    }
    KindAppeal {
        en: "appeal", reviewed: false;
        nl: "bezwaar", reviewed: false;
        de: "Beschwerde", reviewed: false;
    }
    KindAppealDecision {
        en: "decision on the appeal", reviewed: false;
        nl: "beslissing op het bezwaar", reviewed: false;
        de: "Entscheidung über die Beschwerde", reviewed: false;
    }
    KindLegalHold {
        en: "legal hold", reviewed: false;
        nl: "bewaarplicht (legal hold)", reviewed: false;
        de: "Aufbewahrungsanordnung (Legal Hold)", reviewed: false;
    }
    KindDeletion {
        en: "retention deletion", reviewed: false;
        nl: "verwijdering na bewaartermijn", reviewed: false;
        de: "Löschung nach Aufbewahrungsfrist", reviewed: false;
    }
    KindAccess {
        en: "data access", reviewed: false;
        nl: "gegevensraadpleging", reviewed: false;
        de: "Datenzugriff", reviewed: false;
    }
    KindAuthorisation {
        en: "authorisation", reviewed: false;
        nl: "autorisatie", reviewed: false;
        de: "Berechtigung", reviewed: false;
    }
    KindKeyRegistration {
        en: "key registration", reviewed: false;
        nl: "sleutelregistratie", reviewed: false;
        de: "Schlüsselregistrierung", reviewed: false;
    }
    KindPublication {
        en: "policy publication", reviewed: false;
        nl: "beleidspublicatie", reviewed: false;
        de: "Veröffentlichung von Regeln", reviewed: false;
    }
    KindObligationPolicy {
        en: "obligation rules", reviewed: false;
        nl: "verplichtingsregels", reviewed: false;
        de: "Pflichtenregeln", reviewed: false;
    }
    KindRetentionPolicy {
        en: "retention rules", reviewed: false;
        nl: "bewaarregels", reviewed: false;
        de: "Aufbewahrungsregeln", reviewed: false;
    }
    KindOther {
        en: "record of kind {kind}", reviewed: false;
        nl: "record van soort {kind}", reviewed: false;
        de: "Eintrag der Art {kind}", reviewed: false;
    }
    RoleReferenced {
        en: "In the bundle because the records about the subject rely on it.", reviewed: false;
        nl: "In het pakket omdat de records over het onderwerp erop steunen.", reviewed: false;
        de: "Im Paket, weil die Einträge zum Gegenstand sich darauf stützen.", reviewed: false;
    }
    RoleExport {
        en: "The export of this bundle, logged as a data access before the bundle was made.", reviewed: false;
        nl: "De export van dit pakket, vastgelegd als gegevensraadpleging voordat het pakket werd gemaakt.", reviewed: false;
        de: "Der Export dieses Pakets, protokolliert als Datenzugriff, bevor das Paket erstellt wurde.", reviewed: false;
    }
    SanctionHead {
        en: "{what}, {scope}, {duration}.", reviewed: false;
        nl: "{what}, {scope}, {duration}.", reviewed: false;
        de: "{what}, {scope}, {duration}.", reviewed: false;
    }
    AccountTerminated {
        en: "Account terminated", reviewed: false;
        nl: "Account beëindigd", reviewed: false;
        de: "Konto gekündigt", reviewed: false;
    }
    AccountSuspended {
        en: "Account suspended", reviewed: false;
        nl: "Account geschorst", reviewed: false;
        de: "Konto gesperrt", reviewed: false;
    }
    ServiceRestricted {
        en: "Service restricted", reviewed: false;
        nl: "Dienst beperkt", reviewed: false;
        de: "Dienst eingeschränkt", reviewed: false;
    }
    AllServices {
        en: "all services", reviewed: false;
        nl: "alle diensten", reviewed: false;
        de: "alle Dienste", reviewed: false;
    }
    SomeServices {
        en: "some services", reviewed: false;
        nl: "een deel van de diensten", reviewed: false;
        de: "einige Dienste", reviewed: false;
    }
    Indefinitely {
        en: "indefinitely", reviewed: false;
        nl: "voor onbepaalde tijd", reviewed: false;
        de: "unbefristet", reviewed: false;
    }
    UntilDate {
        en: "until {date}", reviewed: false;
        nl: "tot {date}", reviewed: false;
        de: "bis {date}", reviewed: false;
    }
    SanctionScope {
        en: "Services: {services}; territories: {territories}; in force from {date}.", reviewed: false;
        nl: "Diensten: {services}; gebieden: {territories}; van kracht vanaf {date}.", reviewed: false;
        de: "Dienste: {services}; Gebiete: {territories}; wirksam ab {date}.", reviewed: false;
    }
    DecisionLine {
        en: "{decided}; {review}.", reviewed: false;
        nl: "{decided}; {review}.", reviewed: false;
        de: "{decided}; {review}.", reviewed: false;
    }
    DecidedFully {
        en: "Decided fully automatically", reviewed: false;
        nl: "Volledig geautomatiseerd besloten", reviewed: false;
        de: "Vollautomatisch entschieden", reviewed: false;
    }
    DecidedPartly {
        en: "Decided partly automatically", reviewed: false;
        nl: "Gedeeltelijk geautomatiseerd besloten", reviewed: false;
        de: "Teilautomatisch entschieden", reviewed: false;
    }
    DecidedByPerson {
        en: "Decided by a person", reviewed: false;
        nl: "Door een mens besloten", reviewed: false;
        de: "Von einem Menschen entschieden", reviewed: false;
    }
    NoHumanReview {
        en: "no human review", reviewed: false;
        nl: "geen menselijke beoordeling", reviewed: false;
        de: "keine menschliche Prüfung", reviewed: false;
    }
    HumanReview {
        en: "reviewed by a person", reviewed: false;
        nl: "beoordeeld door een mens", reviewed: false;
        de: "von einem Menschen geprüft", reviewed: false;
    }
    HumanReviewQualified {
        en: "reviewed by a person ({qualification})", reviewed: false;
        nl: "beoordeeld door een mens ({qualification})", reviewed: false;
        de: "von einem Menschen geprüft ({qualification})", reviewed: false;
    }
    ReviewConfirmed {
        en: "{review}, who confirmed it", reviewed: false;
        nl: "{review}, die het bevestigde", reviewed: false;
        de: "{review}, der sie bestätigte", reviewed: false;
    }
    ReviewRejected {
        en: "{review}, who rejected it", reviewed: false;
        nl: "{review}, die het verwierp", reviewed: false;
        de: "{review}, der sie verwarf", reviewed: false;
    }
    ReviewModified {
        en: "{review}, who changed it", reviewed: false;
        nl: "{review}, die het wijzigde", reviewed: false;
        de: "{review}, der sie änderte", reviewed: false;
    }
    DetectionShared {
        en: "Detected by {method}{list}{trigger}; {shared}.", reviewed: false;
        nl: "Gedetecteerd door {method}{list}{trigger}; {shared}.", reviewed: false;
        de: "Erkannt durch {method}{list}{trigger}; {shared}.", reviewed: false;
    }
    DetectionPlain {
        en: "Detected by {method}{list}.", reviewed: false;
        nl: "Gedetecteerd door {method}{list}.", reviewed: false;
        de: "Erkannt durch {method}{list}.", reviewed: false;
    }
    MethodPerceptualDistance {
        en: "a perceptual-hash match ({algorithm}, distance {distance} of {bits} bits, threshold {threshold})", reviewed: false;
        nl: "een perceptuele-hashovereenkomst ({algorithm}, afstand {distance} van {bits} bits, drempel {threshold})", reviewed: false;
        de: "einen Treffer eines perzeptuellen Hashes ({algorithm}, Abstand {distance} von {bits} Bit, Schwelle {threshold})", reviewed: false;
    }
    MethodPerceptual {
        en: "a perceptual-hash match", reviewed: false;
        nl: "een perceptuele-hashovereenkomst", reviewed: false;
        de: "einen Treffer eines perzeptuellen Hashes", reviewed: false;
    }
    MethodExact {
        en: "an exact hash match", reviewed: false;
        nl: "een exacte hashovereenkomst", reviewed: false;
        de: "einen exakten Hash-Treffer", reviewed: false;
    }
    MethodClassifier {
        en: "an automatic classifier", reviewed: false;
        nl: "een automatische classificatie", reviewed: false;
        de: "eine automatische Klassifizierung", reviewed: false;
    }
    MethodNotice {
        en: "a notice", reviewed: false;
        nl: "een melding", reviewed: false;
        de: "eine Meldung", reviewed: false;
    }
    ListSnapshot {
        en: " against the {operator} list snapshot of {date}", reviewed: false;
        nl: " met de momentopname van de {operator}-lijst van {date}", reviewed: false;
        de: " mit dem Stand der {operator}-Liste vom {date}", reviewed: false;
    }
    TriggeredBy {
        en: ", triggered by {event}", reviewed: false;
        nl: ", in gang gezet door {event}", reviewed: false;
        de: ", ausgelöst durch {event}", reviewed: false;
    }
    TriggerUpload {
        en: "an upload", reviewed: false;
        nl: "een upload", reviewed: false;
        de: "einen Upload", reviewed: false;
    }
    TriggerSync {
        en: "a synchronisation", reviewed: false;
        nl: "een synchronisatie", reviewed: false;
        de: "eine Synchronisierung", reviewed: false;
    }
    TriggerBackup {
        en: "an automatic backup", reviewed: false;
        nl: "een automatische back-up", reviewed: false;
        de: "eine automatische Sicherung", reviewed: false;
    }
    TriggerShare {
        en: "sharing the file", reviewed: false;
        nl: "het delen van het bestand", reviewed: false;
        de: "das Teilen der Datei", reviewed: false;
    }
    TriggerSend {
        en: "sending the file", reviewed: false;
        nl: "het versturen van het bestand", reviewed: false;
        de: "das Versenden der Datei", reviewed: false;
    }
    SharedNever {
        en: "the file was never shared", reviewed: false;
        nl: "het bestand is nooit gedeeld", reviewed: false;
        de: "die Datei wurde nie geteilt", reviewed: false;
    }
    SharedWith {
        en: "the file was shared with {count} other accounts", reviewed: false;
        nl: "het bestand is met {count} andere accounts gedeeld", reviewed: false;
        de: "die Datei wurde mit {count} anderen Konten geteilt", reviewed: false;
    }
    GroundTerms {
        en: "Ground: clause {clause} of the terms {document}, version {version}{published}.", reviewed: false;
        nl: "Grond: artikel {clause} van de voorwaarden {document}, versie {version}{published}.", reviewed: false;
        de: "Grund: Nr. {clause} der Nutzungsbedingungen {document}, Fassung {version}{published}.", reviewed: false;
    }
    GroundLegal {
        en: "Ground: the legal provision {provision}.", reviewed: false;
        nl: "Grond: de wettelijke bepaling {provision}.", reviewed: false;
        de: "Grund: die gesetzliche Vorschrift {provision}.", reviewed: false;
    }
    PublishedAtLeaf {
        en: " (published at leaf {leaf})", reviewed: false;
        nl: " (gepubliceerd in blad {leaf})", reviewed: false;
        de: " (veröffentlicht in Blatt {leaf})", reviewed: false;
    }
    PlatformReference {
        en: "The platform's reference: {puid}.", reviewed: false;
        nl: "Kenmerk van het platform: {puid}.", reviewed: false;
        de: "Kennung der Plattform: {puid}.", reviewed: false;
    }
    AboutLeaf {
        en: "It concerns the record at leaf {leaf}.", reviewed: false;
        nl: "Het betreft het record in blad {leaf}.", reviewed: false;
        de: "Es betrifft den Eintrag in Blatt {leaf}.", reviewed: false;
    }
    NoticeSent {
        en: "Statement of reasons sent on {date} by {channel} (delivery: {status}).", reviewed: false;
        nl: "Motivering verstuurd op {date} per {channel} (bezorging: {status}).", reviewed: false;
        de: "Begründung versandt am {date} per {channel} (Zustellung: {status}).", reviewed: false;
    }
    NoticeContents {
        en: "It states the ground {ground} and the ways to seek redress: {redress}.", reviewed: false;
        nl: "Zij noemt de grond {ground} en de rechtsmiddelen: {redress}.", reviewed: false;
        de: "Sie nennt den Grund {ground} und die Rechtsbehelfe: {redress}.", reviewed: false;
    }
    NoticeNoContents {
        en: "What it states was not recorded.", reviewed: false;
        nl: "Wat zij vermeldt, is niet vastgelegd.", reviewed: false;
        de: "Was sie enthält, wurde nicht protokolliert.", reviewed: false;
    }
    ChannelEmail {
        en: "email", reviewed: false;
        nl: "e-mail", reviewed: false;
        de: "E-Mail", reviewed: false;
    }
    ChannelInApp {
        en: "a message in the app", reviewed: false;
        nl: "een bericht in de app", reviewed: false;
        de: "eine Nachricht in der App", reviewed: false;
    }
    ChannelSms {
        en: "text message", reviewed: false;
        nl: "sms", reviewed: false;
        de: "SMS", reviewed: false;
    }
    ChannelPostal {
        en: "post", reviewed: false;
        nl: "post", reviewed: false;
        de: "Post", reviewed: false;
    }
    DeliveryQueued {
        en: "queued", reviewed: false;
        nl: "in de wachtrij", reviewed: false;
        de: "in der Warteschlange", reviewed: false;
    }
    DeliverySent {
        en: "sent", reviewed: false;
        nl: "verstuurd", reviewed: false;
        de: "versandt", reviewed: false;
    }
    DeliveryDelivered {
        en: "delivered", reviewed: false;
        nl: "bezorgd", reviewed: false;
        de: "zugestellt", reviewed: false;
    }
    DeliveryBounced {
        en: "returned undelivered", reviewed: false;
        nl: "onbestelbaar teruggekomen", reviewed: false;
        de: "als unzustellbar zurückgekommen", reviewed: false;
    }
    DeliveryFailed {
        en: "failed", reviewed: false;
        nl: "mislukt", reviewed: false;
        de: "fehlgeschlagen", reviewed: false;
    }
    RedressInternal {
        en: "internal complaint", reviewed: false;
        nl: "interne klacht", reviewed: false;
        de: "interne Beschwerde", reviewed: false;
    }
    RedressOutOfCourt {
        en: "out-of-court dispute settlement", reviewed: false;
        nl: "buitengerechtelijke geschillenbeslechting", reviewed: false;
        de: "außergerichtliche Streitbeilegung", reviewed: false;
    }
    RedressJudicial {
        en: "judicial redress", reviewed: false;
        nl: "beroep op de rechter", reviewed: false;
        de: "gerichtlicher Rechtsbehelf", reviewed: false;
    }
    AppealReceived {
        en: "Appeal received on {date} through {channel}.", reviewed: false;
        nl: "Bezwaar ontvangen op {date} via {channel}.", reviewed: false;
        de: "Beschwerde eingegangen am {date} über {channel}.", reviewed: false;
    }
    AppealChannelSystem {
        en: "the complaint system", reviewed: false;
        nl: "het klachtensysteem", reviewed: false;
        de: "das Beschwerdesystem", reviewed: false;
    }
    AppealChannelEmail {
        en: "email", reviewed: false;
        nl: "e-mail", reviewed: false;
        de: "E-Mail", reviewed: false;
    }
    AppealChannelPostal {
        en: "post", reviewed: false;
        nl: "de post", reviewed: false;
        de: "die Post", reviewed: false;
    }
    AppealChannelOutOfCourt {
        en: "an out-of-court dispute settlement body", reviewed: false;
        nl: "een buitengerechtelijke geschilleninstantie", reviewed: false;
        de: "eine außergerichtliche Streitbeilegungsstelle", reviewed: false;
    }
    AppealDecided {
        en: "{outcome} on {date}; {review}.", reviewed: false;
        nl: "{outcome} op {date}; {review}.", reviewed: false;
        de: "{outcome} am {date}; {review}.", reviewed: false;
    }
    OutcomeUpheld {
        en: "Appeal rejected, sanction upheld", reviewed: false;
        nl: "Bezwaar afgewezen, maatregel gehandhaafd", reviewed: false;
        de: "Beschwerde abgewiesen, Maßnahme aufrechterhalten", reviewed: false;
    }
    OutcomeReversed {
        en: "Appeal granted, sanction reversed", reviewed: false;
        nl: "Bezwaar toegewezen, maatregel teruggedraaid", reviewed: false;
        de: "Beschwerde stattgegeben, Maßnahme aufgehoben", reviewed: false;
    }
    OutcomePartly {
        en: "Appeal partly granted, sanction partly reversed", reviewed: false;
        nl: "Bezwaar deels toegewezen, maatregel deels teruggedraaid", reviewed: false;
        de: "Beschwerde teilweise stattgegeben, Maßnahme teilweise aufgehoben", reviewed: false;
    }
    Communicated {
        en: "The decision was communicated on {date}.", reviewed: false;
        nl: "De beslissing is meegedeeld op {date}.", reviewed: false;
        de: "Die Entscheidung wurde am {date} mitgeteilt.", reviewed: false;
    }
    NotCommunicated {
        en: "When the decision was communicated is not recorded.", reviewed: false;
        nl: "Wanneer de beslissing is meegedeeld, is niet vastgelegd.", reviewed: false;
        de: "Wann die Entscheidung mitgeteilt wurde, ist nicht protokolliert.", reviewed: false;
    }
    Reinstated {
        en: "The account was reinstated.", reviewed: false;
        nl: "Het account is hersteld.", reviewed: false;
        de: "Das Konto wurde wiederhergestellt.", reviewed: false;
    }
    HoldSet {
        en: "Legal hold {id} set by {authority} (legal basis {basis}){until}.", reviewed: false;
        nl: "Bewaarplicht {id} opgelegd door {authority} (rechtsgrond {basis}){until}.", reviewed: false;
        de: "Aufbewahrungsanordnung {id} erlassen von {authority} (Rechtsgrundlage {basis}){until}.", reviewed: false;
    }
    HoldReleased {
        en: "Legal hold {id} released by {authority} (legal basis {basis}).", reviewed: false;
        nl: "Bewaarplicht {id} opgeheven door {authority} (rechtsgrond {basis}).", reviewed: false;
        de: "Aufbewahrungsanordnung {id} aufgehoben von {authority} (Rechtsgrundlage {basis}).", reviewed: false;
    }
    HoldUntil {
        en: ", until {date}", reviewed: false;
        nl: ", tot {date}", reviewed: false;
        de: ", bis {date}", reviewed: false;
    }
    HoldScope {
        en: "It keeps the records at leaves {leaves} from being erased while it holds.", reviewed: false;
        nl: "Zolang zij geldt, worden de records in bladen {leaves} niet gewist.", reviewed: false;
        de: "Solange sie gilt, werden die Einträge in den Blättern {leaves} nicht gelöscht.", reviewed: false;
    }
    DeletionShred {
        en: "Personal data erased under rule {rule} on {date} by destroying its key ({count} items; due {due}).", reviewed: false;
        nl: "Persoonsgegevens gewist volgens regel {rule} op {date} door de sleutel te vernietigen ({count} items; uiterlijk {due}).", reviewed: false;
        de: "Personenbezogene Daten nach Regel {rule} am {date} durch Vernichtung des Schlüssels gelöscht ({count} Elemente; fällig {due}).", reviewed: false;
    }
    DeletionErase {
        en: "Personal data erased under rule {rule} on {date} ({count} items; due {due}).", reviewed: false;
        nl: "Persoonsgegevens gewist volgens regel {rule} op {date} ({count} items; uiterlijk {due}).", reviewed: false;
        de: "Personenbezogene Daten nach Regel {rule} am {date} gelöscht ({count} Elemente; fällig {due}).", reviewed: false;
    }
    DeletionException {
        en: "Exception ground: {ground}.", reviewed: false;
        nl: "Uitzonderingsgrond: {ground}.", reviewed: false;
        de: "Ausnahmegrund: {ground}.", reviewed: false;
    }
    AccessLine {
        en: "Data access ({action}) by {official} ({role}, {organisation}) on the legal basis {basis}, for {purpose}.", reviewed: false;
        nl: "Gegevensraadpleging ({action}) door {official} ({role}, {organisation}) op de rechtsgrond {basis}, voor {purpose}.", reviewed: false;
        de: "Datenzugriff ({action}) durch {official} ({role}, {organisation}) auf der Rechtsgrundlage {basis}, zum Zweck {purpose}.", reviewed: false;
    }
    OfficialSealed {
        en: "an official whose identity stays sealed", reviewed: false;
        nl: "een functionaris wiens identiteit verzegeld blijft", reviewed: false;
        de: "eine Person, deren Identität versiegelt bleibt", reviewed: false;
    }
    AccessAuthorisation {
        en: "Under authorisation {id}.", reviewed: false;
        nl: "Onder autorisatie {id}.", reviewed: false;
        de: "Mit Berechtigung {id}.", reviewed: false;
    }
    AccessBreakGlass {
        en: "An emergency access (break glass), outside the normal authorisation.", reviewed: false;
        nl: "Een noodtoegang (break glass), buiten de normale autorisatie.", reviewed: false;
        de: "Ein Notfallzugriff (Break Glass), außerhalb der normalen Berechtigung.", reviewed: false;
    }
    AccessResults {
        en: "It returned {count} results.", reviewed: false;
        nl: "Zij leverde {count} resultaten op.", reviewed: false;
        de: "Er lieferte {count} Ergebnisse.", reviewed: false;
    }
    AuthGranted {
        en: "Authorisation {id} granted to a {role} of {organisation} for the legal bases {bases}, valid from {from}{until}.", reviewed: false;
        nl: "Autorisatie {id} verleend aan een {role} van {organisation} voor de rechtsgronden {bases}, geldig vanaf {from}{until}.", reviewed: false;
        de: "Berechtigung {id} erteilt an {role} von {organisation} für die Rechtsgrundlagen {bases}, gültig ab {from}{until}.", reviewed: false;
    }
    AuthRevoked {
        en: "Authorisation {id} of a {role} of {organisation} revoked, from {from}.", reviewed: false;
        nl: "Autorisatie {id} van een {role} van {organisation} ingetrokken, vanaf {from}.", reviewed: false;
        de: "Berechtigung {id} von {role} von {organisation} widerrufen, ab {from}.", reviewed: false;
    }
    KeyRegistered {
        en: "The registration authority admitted the key {fingerprint} of {producer} for: {kinds}.", reviewed: false;
        nl: "De registratie-autoriteit liet de sleutel {fingerprint} van {producer} toe voor: {kinds}.", reviewed: false;
        de: "Die Registrierungsstelle ließ den Schlüssel {fingerprint} von {producer} zu für: {kinds}.", reviewed: false;
    }
    PublishedTerms {
        en: "Terms {document}, version {version}, published with {count} clauses, in force from {date}.", reviewed: false;
        nl: "Voorwaarden {document}, versie {version}, gepubliceerd met {count} artikelen, van kracht vanaf {date}.", reviewed: false;
        de: "Nutzungsbedingungen {document}, Fassung {version}, veröffentlicht mit {count} Klauseln, wirksam ab {date}.", reviewed: false;
    }
    PublishedList {
        en: "Hash list {operator} {name} (category {category}), snapshot of {date}.", reviewed: false;
        nl: "Hashlijst {operator} {name} (categorie {category}), momentopname van {date}.", reviewed: false;
        de: "Hash-Liste {operator} {name} (Kategorie {category}), Stand vom {date}.", reviewed: false;
    }
    PublishedThreshold {
        en: "A {algorithm} match counts up to a distance of {distance}.", reviewed: false;
        nl: "Een {algorithm}-overeenkomst telt tot een afstand van {distance}.", reviewed: false;
        de: "Ein {algorithm}-Treffer zählt bis zu einem Abstand von {distance}.", reviewed: false;
    }
    PolicyLine {
        en: "{what} {id}, version {version}, published by {authority}: {count} rules.", reviewed: false;
        nl: "{what} {id}, versie {version}, gepubliceerd door {authority}: {count} regels.", reviewed: false;
        de: "{what} {id}, Fassung {version}, veröffentlicht von {authority}: {count} Regeln.", reviewed: false;
    }
    SealedDisclosed {
        en: "Disclosed {field}: “{value}”.", reviewed: false;
        nl: "Onthuld {field}: “{value}”.", reviewed: false;
        de: "Offengelegt {field}: „{value}“.", reviewed: false;
    }
    SealedKept {
        en: "Still sealed (only a commitment is in the bundle): {fields}.", reviewed: false;
        nl: "Nog verzegeld (alleen een commitment zit in het pakket): {fields}.", reviewed: false;
        de: "Weiterhin versiegelt (nur eine Festlegung ist im Paket): {fields}.", reviewed: false;
    }
    SealedErased {
        en: "Erased under a retention deletion: {fields}.", reviewed: false;
        nl: "Gewist na afloop van de bewaartermijn: {fields}.", reviewed: false;
        de: "Nach Ablauf der Aufbewahrungsfrist gelöscht: {fields}.", reviewed: false;
    }
    ProofIncluded {
        en: "Proves: the record existed no later than {date}: it is included in the checkpoint of {size} records the log key {key} signed then.", reviewed: false;
        nl: "Bewijst: het record bestond uiterlijk op {date}: het zit in de checkpoint van {size} records die de logsleutel {key} toen ondertekende.", reviewed: false;
        de: "Beweist: der Eintrag bestand spätestens am {date}: er ist im Checkpoint mit {size} Einträgen enthalten, den der Protokollschlüssel {key} damals signierte.", reviewed: false;
    }
    ProofSignedBy {
        en: "Signed by {producer}, whose key the registration authority admitted at leaf {leaf}.", reviewed: false;
        nl: "Ondertekend door {producer}, wiens sleutel de registratie-autoriteit toeliet in blad {leaf}.", reviewed: false;
        de: "Signiert von {producer}, dessen Schlüssel die Registrierungsstelle in Blatt {leaf} zuließ.", reviewed: false;
    }
    ProofSignedByUnknown {
        en: "Signed by {producer} with a key the trust anchors admit.", reviewed: false;
        nl: "Ondertekend door {producer} met een sleutel die de vertrouwensankers toelaten.", reviewed: false;
        de: "Signiert von {producer} mit einem Schlüssel, den die Vertrauensanker zulassen.", reviewed: false;
    }
    ProofWitnessed {
        en: "Cosigned by {count} witnesses ({names}): this holds also against the log operator.", reviewed: false;
        nl: "Medeondertekend door {count} getuigen ({names}): dit geldt ook tegenover de beheerder van het logboek.", reviewed: false;
        de: "Mitsigniert von {count} Zeugen ({names}): dies gilt auch gegenüber dem Betreiber des Protokolls.", reviewed: false;
    }
    ProofWitnessedNoQuorum {
        en: "Cosigned by {count} witnesses ({names}), fewer than the trust file requires: the log operator could have shown another history to others.", reviewed: false;
        nl: "Medeondertekend door {count} getuigen ({names}), minder dan het vertrouwensbestand eist: de beheerder van het logboek kan anderen een andere geschiedenis hebben getoond.", reviewed: false;
        de: "Mitsigniert von {count} Zeugen ({names}), weniger als die Vertrauensdatei verlangt: der Betreiber des Protokolls könnte anderen eine andere Geschichte gezeigt haben.", reviewed: false;
    }
    ProofNoWitness {
        en: "No witness cosigned it: this holds against anyone without the log key, but the log operator could have shown another history to others.", reviewed: false;
        nl: "Geen getuige heeft medeondertekend: dit geldt tegenover iedereen zonder de logsleutel, maar de beheerder van het logboek kan anderen een andere geschiedenis hebben getoond.", reviewed: false;
        de: "Kein Zeuge hat mitsigniert: dies gilt gegenüber allen ohne den Protokollschlüssel, aber der Betreiber des Protokolls könnte anderen eine andere Geschichte gezeigt haben.", reviewed: false;
    }
    Consistency {
        en: "Every checkpoint in the bundle is proven to be an earlier state of the newest one ({size} records, {date}): nothing was removed or changed in between.", reviewed: false;
        nl: "Van elke checkpoint in het pakket is bewezen dat zij een eerdere stand is van de nieuwste ({size} records, {date}): daartussen is niets verwijderd of gewijzigd.", reviewed: false;
        de: "Für jeden Checkpoint im Paket ist bewiesen, dass er ein früherer Stand des neuesten ist ({size} Einträge, {date}): dazwischen wurde nichts entfernt oder geändert.", reviewed: false;
    }
    ChainSummary {
        en: "{count} further records of {producer} (leaves {first} to {last}) are in the bundle with commitments only, to show what {producer} did not send.", reviewed: false;
        nl: "{count} verdere records van {producer} (bladen {first} tot {last}) zitten alleen met commitments in het pakket, om te tonen wat {producer} niet heeft verstuurd.", reviewed: false;
        de: "{count} weitere Einträge von {producer} (Blätter {first} bis {last}) sind nur mit Festlegungen im Paket, um zu zeigen, was {producer} nicht gesendet hat.", reviewed: false;
    }
    VerdictHolds {
        en: "holds", reviewed: false;
        nl: "voldaan", reviewed: false;
        de: "erfüllt", reviewed: false;
    }
    VerdictViolated {
        en: "violated", reviewed: false;
        nl: "geschonden", reviewed: false;
        de: "verletzt", reviewed: false;
    }
    VerdictUndetermined {
        en: "cannot be determined", reviewed: false;
        nl: "niet vast te stellen", reviewed: false;
        de: "nicht feststellbar", reviewed: false;
    }
    VerdictNotice {
        en: "notice", reviewed: false;
        nl: "opmerking", reviewed: false;
        de: "Hinweis", reviewed: false;
    }
    VerdictNotChecked {
        en: "not checked", reviewed: false;
        nl: "niet gecontroleerd", reviewed: false;
        de: "nicht geprüft", reviewed: false;
    }
    VerdictLine {
        en: "{verdict} (check {check}, {code}): {message}", reviewed: false;
        nl: "{verdict} (controle {check}, {code}): {message}", reviewed: false;
        de: "{verdict} (Prüfung {check}, {code}): {message}", reviewed: false;
    }
    VerdictStated {
        en: "Stated by the exporter when the bundle was made; the bundle does not prove it.", reviewed: false;
        nl: "Verklaard door de exporteur bij het maken van het pakket; het pakket bewijst dit niet.", reviewed: false;
        de: "Vom Exporteur bei der Erstellung des Pakets erklärt; das Paket beweist es nicht.", reviewed: false;
    }
    VerdictUnsigned {
        en: "Its signature by the exporter is missing or does not verify: it is not shown to be the exporter's.", reviewed: false;
        nl: "De handtekening van de exporteur ontbreekt of klopt niet: niet aangetoond is dat dit van de exporteur komt.", reviewed: false;
        de: "Die Signatur des Exporteurs fehlt oder ist ungültig: es ist nicht gezeigt, dass dies vom Exporteur stammt.", reviewed: false;
    }
    VerdictLeaf {
        en: "The record at leaf {leaves}.", reviewed: false;
        nl: "Het record in blad {leaves}.", reviewed: false;
        de: "Der Eintrag in Blatt {leaves}.", reviewed: false;
    }
    VerdictLeaves {
        en: "The records at leaves {leaves}.", reviewed: false;
        nl: "De records in bladen {leaves}.", reviewed: false;
        de: "Die Einträge in den Blättern {leaves}.", reviewed: false;
    }
    VerdictMessages {
        en: "Each verdict quotes the verifier's own message.", reviewed: false;
        nl: "Elk oordeel citeert de Engelstalige melding van de verificatie.", reviewed: false;
        de: "Jedes Ergebnis zitiert die englische Meldung der Prüfung.", reviewed: false;
    }
    NoVerdicts {
        en: "No finding of checks 7 and 8 concerns these records.", reviewed: false;
        nl: "Geen bevinding van controles 7 en 8 betreft deze records.", reviewed: false;
        de: "Kein Befund der Prüfungen 7 und 8 betrifft diese Einträge.", reviewed: false;
    }
    NoNegatives {
        en: "The bundle draws no conclusion about something not done.", reviewed: false;
        nl: "Het pakket trekt geen conclusie over iets wat niet is gedaan.", reviewed: false;
        de: "Das Paket zieht keinen Schluss über etwas nicht Geschehenes.", reviewed: false;
    }
    SorProven {
        en: "No statement of reasons was sent (proven: the {owner} log is complete up to {date}).", reviewed: false;
        nl: "Er is geen motivering verstuurd (bewezen: het logboek van {owner} is volledig tot {date}).", reviewed: false;
        de: "Es wurde keine Begründung versandt (bewiesen: das Protokoll von {owner} ist bis {date} vollständig).", reviewed: false;
    }
    SorUndetermined {
        en: "Whether a statement of reasons was sent cannot be determined: {missing}.", reviewed: false;
        nl: "Of er een motivering is verstuurd, is niet vast te stellen: {missing}.", reviewed: false;
        de: "Ob eine Begründung versandt wurde, ist nicht feststellbar: {missing}.", reviewed: false;
    }
    DecisionProven {
        en: "The appeal was never decided (proven: the {owner} log is complete up to {date}).", reviewed: false;
        nl: "Er is nooit op het bezwaar beslist (bewezen: het logboek van {owner} is volledig tot {date}).", reviewed: false;
        de: "Über die Beschwerde wurde nie entschieden (bewiesen: das Protokoll von {owner} ist bis {date} vollständig).", reviewed: false;
    }
    DecisionUndetermined {
        en: "Whether the appeal was decided cannot be determined: {missing}.", reviewed: false;
        nl: "Of op het bezwaar is beslist, is niet vast te stellen: {missing}.", reviewed: false;
        de: "Ob über die Beschwerde entschieden wurde, ist nicht feststellbar: {missing}.", reviewed: false;
    }
    JustificationProven {
        en: "The emergency access was never justified (proven: the {owner} log is complete up to {date}).", reviewed: false;
        nl: "De noodtoegang is nooit verantwoord (bewezen: het logboek van {owner} is volledig tot {date}).", reviewed: false;
        de: "Der Notfallzugriff wurde nie begründet (bewiesen: das Protokoll von {owner} ist bis {date} vollständig).", reviewed: false;
    }
    JustificationUndetermined {
        en: "Whether the emergency access was justified cannot be determined: {missing}.", reviewed: false;
        nl: "Of de noodtoegang is verantwoord, is niet vast te stellen: {missing}.", reviewed: false;
        de: "Ob der Notfallzugriff begründet wurde, ist nicht feststellbar: {missing}.", reviewed: false;
    }
    NegativeAbout {
        en: "This concerns the record at leaf {leaf}; the proof runs to leaf {through}.", reviewed: false;
        nl: "Dit betreft het record in blad {leaf}; het bewijs loopt tot blad {through}.", reviewed: false;
        de: "Dies betrifft den Eintrag in Blatt {leaf}; der Beweis reicht bis Blatt {through}.", reviewed: false;
    }
    NegativeAboutOnly {
        en: "This concerns the record at leaf {leaf}.", reviewed: false;
        nl: "Dit betreft het record in blad {leaf}.", reviewed: false;
        de: "Dies betrifft den Eintrag in Blatt {leaf}.", reviewed: false;
    }
    MissingGap {
        en: "the records {first} to {last} of {producer} are not in the bundle", reviewed: false;
        nl: "de records {first} tot {last} van {producer} zitten niet in het pakket", reviewed: false;
        de: "die Einträge {first} bis {last} von {producer} sind nicht im Paket", reviewed: false;
    }
    MissingLater {
        en: "the bundle holds no record of {producer} dated after {date} (the deadline plus its logging delay)", reviewed: false;
        nl: "het pakket bevat geen record van {producer} van na {date} (de termijn plus zijn vertraging bij het vastleggen)", reviewed: false;
        de: "das Paket enthält keinen Eintrag von {producer} nach {date} (die Frist plus seine Protokollierungsverzögerung)", reviewed: false;
    }
    MissingBound {
        en: "the chain of {producer} is longer than the export's limit of {bound} records", reviewed: false;
        nl: "de keten van {producer} is langer dan de exportgrens van {bound} records", reviewed: false;
        de: "die Kette von {producer} ist länger als die Exportgrenze von {bound} Einträgen", reviewed: false;
    }
    MissingFollowers {
        en: "the rule names nobody who would have to write it", reviewed: false;
        nl: "de regel noemt niemand die het zou moeten vastleggen", reviewed: false;
        de: "die Regel nennt niemanden, der es protokollieren müsste", reviewed: false;
    }
    AnchorsIntro {
        en: "The bundle was checked against these keys only. Compare their fingerprints with those the authorities publish, by a separate channel:", reviewed: false;
        nl: "Het pakket is alleen tegen deze sleutels gecontroleerd. Vergelijk hun vingerafdrukken via een ander kanaal met die welke de autoriteiten publiceren:", reviewed: false;
        de: "Das Paket wurde nur gegen diese Schlüssel geprüft. Vergleichen Sie ihre Fingerabdrücke auf einem getrennten Weg mit den von den Stellen veröffentlichten:", reviewed: false;
    }
    AnchorLog {
        en: "log key", reviewed: false;
        nl: "logsleutel", reviewed: false;
        de: "Protokollschlüssel", reviewed: false;
    }
    AnchorAuthority {
        en: "registration authority", reviewed: false;
        nl: "registratie-autoriteit", reviewed: false;
        de: "Registrierungsstelle", reviewed: false;
    }
    AnchorWitness {
        en: "witness", reviewed: false;
        nl: "getuige", reviewed: false;
        de: "Zeuge", reviewed: false;
    }
    AnchorObligation {
        en: "obligation rules authority", reviewed: false;
        nl: "autoriteit voor verplichtingsregels", reviewed: false;
        de: "Stelle für Pflichtenregeln", reviewed: false;
    }
    AnchorRetention {
        en: "retention rules authority", reviewed: false;
        nl: "autoriteit voor bewaarregels", reviewed: false;
        de: "Stelle für Aufbewahrungsregeln", reviewed: false;
    }
    RecheckIntro {
        en: "With a trust file obtained independently of the bundle, run:", reviewed: false;
        nl: "Voer uit, met een vertrouwensbestand dat los van het pakket is verkregen:", reviewed: false;
        de: "Mit einer unabhängig vom Paket beschafften Vertrauensdatei ausführen:", reviewed: false;
    }
    RecheckSpec {
        en: "The checks follow {document}, section “{section}”.", reviewed: false;
        nl: "De controles volgen {document}, paragraaf „{section}”.", reviewed: false;
        de: "Die Prüfungen folgen {document}, Abschnitt „{section}“.", reviewed: false;
    }
    Unreviewed {
        en: "The legal wording of this English report has not been reviewed by a lawyer.", reviewed: false;
        nl: "De juridische formulering van dit Nederlandstalige rapport is niet door een jurist nagekeken.", reviewed: false;
        de: "Die rechtliche Formulierung dieses deutschen Berichts wurde nicht juristisch geprüft.", reviewed: false;
    }
}

/// Month names, January first.
pub fn months(lang: Lang) -> [&'static str; 12] {
    match lang {
        Lang::En => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        Lang::Nl => [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
        Lang::De => [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
    }
}

/// A date: day, month name and year in the language's order.
pub fn date(lang: Lang, day: i8, month: i8, year: i16) -> String {
    let name = usize::try_from(month - 1)
        .ok()
        .and_then(|m| months(lang).get(m).copied())
        .unwrap_or("?");
    match lang {
        Lang::En | Lang::Nl => format!("{day} {name} {year}"),
        Lang::De => format!("{day}. {name} {year}"),
    }
}

/// A count with the language's thousands separator (3,700; 3.700).
pub fn number(lang: Lang, n: u64) -> String {
    let sep = match lang {
        Lang::En => ',',
        Lang::Nl | Lang::De => '.',
    };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// Whether every phrase's legal wording in `lang` was reviewed.
pub fn all_reviewed(lang: Lang) -> bool {
    Key::ALL.iter().all(|k| k.phrase().get(lang).reviewed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(template: &str) -> BTreeSet<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_language_uses_the_same_placeholders() {
        for key in Key::ALL {
            let p = key.phrase();
            let en = placeholders(p.en.template);
            assert_eq!(en, placeholders(p.nl.template), "{key:?} nl");
            assert_eq!(en, placeholders(p.de.template), "{key:?} de");
        }
    }

    #[test]
    fn no_phrase_claims_a_review_yet() {
        for lang in Lang::ALL {
            assert!(!all_reviewed(*lang));
            assert!(Key::ALL.iter().all(|k| !k.phrase().get(*lang).reviewed));
        }
    }

    #[test]
    fn no_template_is_empty() {
        for key in Key::ALL {
            for lang in Lang::ALL {
                assert!(
                    !key.phrase().get(*lang).template.trim().is_empty(),
                    "{key:?}"
                );
            }
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(number(Lang::En, 3700), "3,700");
        assert_eq!(number(Lang::De, 1_234_567), "1.234.567");
        assert_eq!(number(Lang::Nl, 401), "401");
        assert_eq!(date(Lang::En, 1, 3, 2026), "1 March 2026");
        assert_eq!(date(Lang::Nl, 1, 3, 2026), "1 maart 2026");
        assert_eq!(date(Lang::De, 1, 3, 2026), "1. März 2026");
    }
}
