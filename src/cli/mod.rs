//! The command-line interface's *definitions*: the clap argument tree of the `logseal` binary.
//!
//! Owns: command names, flags, help texts and value parsing — nothing else. It executes
//! nothing (the binary's `commands` modules do), so the man pages and shell completions under
//! `man/` and `completions/` are generated from exactly these definitions
//! (`cargo run --bin xtask -- man`, `… -- completions`), and a test fails when they drift.
//!
//! Exit status of every command: 0 success, 1 the input was examined and found invalid (a
//! record that does not decode, a signature or disclosure that does not verify), 2 the command
//! could not run (bad arguments, unreadable or unwritable files).
//!
//! Sealed values are never taken as command-line arguments (they would end up in shell
//! histories and process lists): they come from files or standard input.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::record::Kind;
use crate::record::kinds::retention_deletion::ExceptionGround;

pub mod man;

/// The top-level command line.
#[derive(Debug, Parser)]
#[command(
    name = "logseal",
    version,
    about = "Forensic audit logs: signed CBOR records in a verifiable Merkle log",
    long_about = "Forensic audit logs: signed CBOR records in a verifiable Merkle log.\n\n\
        Producers sign a record of every data access and every account sanction; personal \
        fields are sealed (a salted commitment in the signed record, the value in a \
        separate, deletable disclosure).\n\n\
        Exit status: 0 success; 1 the input was examined and found invalid (a record that \
        does not decode, a signature or disclosure that does not verify); 2 the command \
        could not run (bad arguments, unreadable or unwritable files).",
    propagate_version = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate an Ed25519 key pair (signed-note key strings)
    #[command(long_about = "Generate an Ed25519 key pair.\n\n\
        Writes PREFIX.key, the signer key `PRIVATE+KEY+<name>+<hex8 id>+<base64>` (created \
        with mode 0600; never printed), and PREFIX.pub, the verifier key \
        `<name>+<hex8 id>+<base64(0x01 || public key)>` of the C2SP signed-note format. \
        Refuses to overwrite either file. Prints the verifier key, the paths, the raw public \
        key in hex (what a key-registration's and key-revocation's `public_key` take) and the \
        cosigner key (type 0x04, what a trust file's `witnesses` take when the key is a \
        witness's; the same as `logseal witness vkey`).")]
    Keygen(KeygenArgs),
    /// Create and inspect single signed records
    #[command(subcommand)]
    Record(RecordCommand),
    /// Run the built-in scenario (a log, its audit, a rewrite, a restore) in a new directory
    #[command(
        long_about = "Run the built-in scenario end to end, narrating each step.\n\n\
        A central subscriber-data service queried by police officials and a cloud platform's \
        account sanctions, 30 days from 2026-03-01. In DIR: writes every producer's key pair \
        (keys/), creates a real log (log/) and appends each day's records (about 3,700, with \
        sealed personal fields) as one batch with a checkpoint, runs the operator's nightly \
        retention sweep and keeps the day-20 backup of private/ (backup/); shows the log \
        refusing a replayed record; exports a sanction case with its disclosures and \
        inclusion proofs (export/), one at the day-3 checkpoint from a copy of public/ alone \
        (mirror/); decodes the record as `logseal record show` does; has the auditor \
        (auditor/: trust file and state) verify the log and prints the retention plan. Then \
        it keeps a copy of the honest log (honest/) and a dishonest operator deletes a record \
        and re-signs history, which the auditor's next run shows; on copies of the honest \
        log, private/ restored from the backup is refused and `logseal recover` declares the \
        lost disclosures (accident/, retention-disclosure-lost), and a dropped tail is caught \
        by the required heartbeats (silent/, heartbeat-overdue). Last, day 31 runs live: a \
        copy of the honest log (live/) is served on loopback (`logseal serve`, inside the \
        demo's process) with two witnesses (witnesses/, quorum 2 in \
        auditor/trust-witnessed.json); the producers append through the server, both \
        witnesses cosign the checkpoint, the auditor's monitor (monitor/: `logseal watch`) \
        verifies it; the operator rewrites the served files, the witnesses refuse to cosign, \
        and the monitor's next round alerts and keeps both checkpoints as evidence. The \
        servers run on the scenario's clock. The closing Explore lines are commands that reproduce each verdict. Exits 1 when a step does not show what it \
        claims.\n\n\
        The demo's keys and salts derive from fixed seeds: never use them for real records."
    )]
    Demo(DemoArgs),
    /// Create a log directory
    #[command(long_about = "Create a log directory.\n\n\
        Creates DIR (absent or empty) with its public part (C2SP tlog-tiles: `checkpoint`, \
        `tile/…`), servable as is, and its private part (configuration, a copy of the log's \
        signing key with mode 0600, the sequencer state, disclosures, lock), and publishes the \
        signed checkpoint of the empty tree. The log key's name must be the origin. The \
        registration authority's key name is its producer id: only it may register, revoke \
        and reset producer keys.")]
    Init(InitArgs),
    /// Append records to a log (atomically, one batch)
    #[command(long_about = "Append records to a log, as one atomic batch.\n\n\
        Each argument FILE is a signed record (`PREFIX.cose` from `logseal record new`); its \
        disclosures are read from `PREFIX.disclosures` when that file exists. With --in (or \
        `-` for standard input) records are read one per line as JSON: either \
        `{\"cose\": BASE64, \"disclosures\": BASE64}` (a signed record and its disclosures \
        file), or a record in the JSON form of `logseal record new` with an extra \
        `\"kind\"` member, signed here with --producer-key; its `seq` and `prev` may be \
        omitted and are then taken from the producer's head in the log.\n\n\
        Record files are one batch: either every record is admitted or none is and the log \
        is unchanged. --in is read line by line and appended in atomic batches of --batch \
        records (default 10,000; 0 for the whole input as one batch), so memory is bounded \
        by the batch, not by the input; the receipts of each batch are printed once it is \
        durable, and a refused line stops the run, naming the batches appended before it \
        and saying that nothing of its own batch was. The log \
        refuses a record whose key the registration authority did not register for that \
        producer and kind (or revoked), whose signature does not verify for this log's \
        origin, or whose seq/prev does not continue its producer's chain. Returns when the \
        batch is durable; prints one receipt line per record. Exit 1 when a record is \
        refused.")]
    Append(AppendArgs),
    /// Sign and publish a checkpoint of the log's current size
    Checkpoint(CheckpointArgs),
    /// Rotate the log's signing key (a checkpoint signed by the old and the new key)
    #[command(
        long_about = "Rotate the log's signing key at the log's current size N.\n\n\
        Publishes the checkpoint of size N signed (and cosigned with the log's time) by the \
        old key and by the new key read from --new-key (a signer key file from `logseal \
        keygen`, named after the origin), records the log's key history (the old key signs \
        sizes up to N, the new key from N) in DIR/private/log-keys.json, and from then on \
        signs with the new key. Prints JSON: `rotation_size`, `rotation_checkpoint` and \
        `log_key_history`, the trust file's member that auditors add to their trust files. Refuses an empty log and a second \
        rotation at the same size. Interrupted, it completes when run again with the same \
        key."
    )]
    RotateLogKey(RotateLogKeyArgs),
    /// Produce and check inclusion and consistency proofs
    #[command(subcommand)]
    Prove(ProveCommand),
    /// Show a log's origin, size, checkpoints (latest and published history), producers and keys
    Info(InfoArgs),
    /// Rebuild a private part restored from an older backup from the public part
    #[command(long_about = "Rebuild the private state from the public part.\n\n\
        For a log whose private/ was restored from a backup older than public/: every \
        sequencer command (append, checkpoint, retention …) then refuses to write, saying \
        what is ahead of what, because writing would overwrite published leaves and sign a \
        second tree of a published size (a fork). recover checks the published checkpoint \
        against the log key and against the records in public/ (root recomputed), replays \
        the records through admission to rebuild the state (size, root, producer heads, key \
        registry), destroys again every data key that a published retention-deletion names \
        (a restored keys/ must not bring erased data back), and removes what the backup's \
        unfinished batches and erasures left. Disclosures the backup did not hold (records \
        appended after it, or kept through an erasure after it) are declared lost: \
        retention-deletion records with exception ground disclosure-lost, signed with \
        --executor-key, then a checkpoint. Without the key, when anything was lost, nothing \
        is changed and the log keeps refusing to write. Check 7 reports each declared loss \
        as retention-disclosure-lost (violated). Safe to run again; on a log whose parts \
        match it only destroys keys that published deletions name. See docs/RETENTION.md, \
        Backup and restore.")]
    Recover(RecoverArgs),
    /// Verify a log: completeness, ordering, authenticity and authorisation
    #[command(
        long_about = "Verify a log against a trust file and the auditor's own state.\n\n\
        Reads only the log's public part (DIR/public: checkpoint, tiles, entry bundles), the \
        trust file (log key, registration authority, authorisation registry, witness keys and \
        quorum, maximum logging delays) and the auditor's state directory; nothing is trusted \
        from the log directory. Runs checks 1-6 of docs/CHECKS.md and reports every finding \
        with its check, code, leaf index, producer and seq and the evidence (expected vs \
        found), grouped by check; verification goes on after a finding. Check 7 (retention) \
        runs when DIR/private is readable (the auditor inspects the operator's log directory \
        on site): it opens the sealed disclosures and reports deletions without record, \
        premature deletions, deletions under hold, deletions claimed but not done, \
        disclosures kept too long (and by how long), rule conflicts and declared-rule \
        mismatches; without access it is reported as not run.\n\n\
        With --state, the run checks the log against the checkpoints and producer heads kept \
        there, then advances the state (DIR/state.json) when the checkpoint verified.\n\n\
        With --since (needs --state), the run is incremental: it proves the published tree \
        extends the state's last verified checkpoint (consistency proof) and checks only the \
        records appended since, resuming the key registry, producer chains, heartbeat \
        counters and authorisations from the state. Without a resume point in the state it \
        refuses to run (exit 2).\n\n\
        Required checks: the trust file's require_checks (default 1-6) and --require. A \
        required check that did not run (check 7 without a readable DIR/private: missing, \
        hidden, unreadable or inconsistent) or did not examine every entry of the verified \
        tree is reported as cannot be determined, with the reason.\n\n\
        Exit status: 0 no violation found and every required check fully determined (ran over \
        every entry; items that cannot be determined on their own, such as a first run's \
        checkpoint-no-auditor-state, are listed in the report and do not change the status); \
        1 a violation was found, or a required check is not fully determined; 2 verification \
        could not run."
    )]
    Verify(VerifyArgs),
    /// Monitor a served log: verify each new checkpoint incrementally, alert on a violation
    #[command(
        long_about = "Monitor a log served over HTTP, as an auditor.\n\n        Every --interval (default 60s) it verifies the log at URL against the trust file,         incrementally from the state in --state (as `verify --state --since`; the first run         verifies everything): checks 1-6 and 8 on the new records, and the consistency of         the served checkpoint with every checkpoint verified before, so a history rewritten         or a second history shown to this monitor is caught. Check 7 needs the private part         and is not run remotely; if the trust file requires it, that is reported as the         required-checks rule says. On a violation (or a required check not determined) it         keeps the evidence in DIR/evidence/<time>/ (the JSON report, the checkpoint verified         before and the one served now), prints one line per violation on standard error,         runs --hook PROGRAM (with its --hook-arg arguments, never through a shell) with a         JSON alert on standard input, and exits 1. A log that cannot be reached is said on         standard error and polled again (with --once: exit 2). --once: one round, for cron."
    )]
    Watch(WatchArgs),
    /// Copy a log's public part between a directory and a bucket, verifying it as it goes
    #[command(
        long_about = "Copy the public part of a log (checkpoint, tiles, entry bundles, \
        checkpoint history) from SRC to DST, verifying it against the trust file as it is \
        read.\n\n\
        SRC is a log directory (its public part, wherever its config puts it), a public copy \
        (DIR/public), an s3://BUCKET[/PREFIX] location (an S3-compatible bucket; endpoint and \
        credentials from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, \
        AWS_SECRET_ACCESS_KEY, and AWS_ALLOW_HTTP=true for a plain-HTTP endpoint) or the \
        http(s):// URL of a served log. DST is a public copy (a directory without private/, \
        created if absent) or an s3:// location; a log directory is refused.\n\n\
        Every object the verifier reads is created at DST as it is read (never replaced); the \
        checkpoint history it did not read follows from a listing. DST's checkpoint is \
        replaced last, and only when SRC's bytes verified (checks 1 and 2: the checkpoint is \
        authentic and every tile and entry bundle reproduces it; findings of checks 3-8 about \
        what the records say are counted and copied as they are), SRC's tree extends DST's \
        (a consistency proof: a mirror never rolls a copy back or replaces its history) and \
        no object already at DST differed from SRC's. When it stops, the objects it wrote are \
        deleted again. An interrupted mirror is resumed by running it again: objects already \
        there are not written again. The private part (sealed disclosures, retention keys) is \
        not copied: it stays on site, and a copy must never bring back an erased key.\n\n\
        Exit status: 0 copied and published; 1 SRC fails check 1 or 2, or DST holds another \
        history (DST's checkpoint is unchanged); 2 the mirror could not run."
    )]
    Mirror(MirrorArgs),
    /// Act as an offline witness: cosign checkpoints that extend the last one cosigned
    #[command(subcommand)]
    Witness(WitnessCommand),
    /// Verify and prove any C2SP tlog-tiles log of opaque entries (not only logseal's)
    #[command(subcommand)]
    Tlog(TlogCommand),
    /// Retention: plan, sweep (erase what is due), erase on request, legal holds
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Write an auditor's trust file from keys and options
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Show one record of a log: decoded, authenticated, its chain and references
    #[command(
        long_about = "Show one record of a log, by leaf index or PRODUCER#SEQ.\n\n\
        The record is read from the entry bundles and authenticated before it is shown: its \
        leaf hash is proven by an inclusion proof from the hash tiles against the checkpoint, \
        whose signature verified with --trust FILE (the auditor's anchors) or, without it, \
        with the log's own key from DIR/private/config.json (the output says \"checked \
        against the operator's own key\"). An entry that does not prove is refused with the \
        finding (tree-bundle-mismatch, tree-tile-mismatch, ...) and not shown.\n\n\
        Prints the record as `logseal record show` does (its sealed fields stay sealed; the \
        signature is checked with the key that the record's key registration in the log \
        registers), then the checkpoint, the first published checkpoint that includes it, \
        its place in its producer's chain, the records it refers to (a notification's or \
        appeal's sanction, a decision's appeal, a data access's authorisation, a deletion's \
        records, the key registration that admits it) and those that refer to it (for a \
        sanction: its statements of reasons, appeals and their decisions, or \"no statement \
        of reasons references this record\"). Every record named is authenticated the same \
        way.\n\n\
        Lookups use indexes in DIR/private/index/ (in memory for a public-only copy), \
        rebuilt from the log when missing, unreadable or built for another tree, extended \
        when the log grew; a hit is used only after its leaf hash is authenticated."
    )]
    Show(ShowArgs),
    /// List a log's records, one line each, filtered over public fields
    #[command(long_about = "List a log's records, one line each: leaf index, time, \
        PRODUCER#SEQ, kind and a short public summary; newest first (--reverse: oldest \
        first).\n\n\
        Filters over public fields (sealed fields are never read): --kind, --producer, \
        --organisation, --legal-basis, --authorisation-id, --ground (decision or exception \
        ground), --automation (automated_decision), --status, --action, and --where PATH=VALUE \
        for any public field (a path as `logseal grep` prints it, or its last part: \
        human_review=false); values compare without regard to case, and all filters must \
        hold. --since and --until (RFC 3339) seek through a time index to the entry bundles \
        that may hold such records, not a scan; --trace finds the records of one trace or \
        operation id through an index.\n\n\
        Every record listed is authenticated as for `logseal show`; an entry that does not \
        prove is listed as REFUSED with its finding, and the exit status is 1.")]
    Log(LogArgs),
    /// Search the public fields of a log's records for a text
    #[command(
        long_about = "Search the public fields of a log's records for PATTERN, a \
        plain substring (not a regular expression), case-sensitive unless -i.\n\n\
        Prints one line per matching record (as `logseal log`) followed by the matching \
        fields as PATH=VALUE. --field restricts the search to one field (its path, or its \
        last part). Sealed fields are never searched: their values are not in the log's \
        public part. Every record is authenticated as for `logseal show`."
    )]
    Grep(GrepArgs),
    /// List every published checkpoint of a log: size, time, root, cosigners
    #[command(
        long_about = "List every checkpoint the log published (the history in \
        public/checkpoints/ and the latest), oldest first: tree size, the log's signing \
        time (RFC 3339), root (base64, as in the checkpoint) and cosigners, each checkpoint \
        verified with --trust FILE (its log key history, witnesses and quorum) or the log's \
        own key. A checkpoint that does not verify is listed with the reason, and the exit \
        status is 1."
    )]
    Checkpoints(CheckpointsArgs),
    /// Find every record whose sealed field opens to one value (on site; itself logged)
    #[command(
        long_about = "Find every record whose sealed field opens to one value: who \
        queried this subscriber, what this official looked up, everything about this \
        account. Needs the log's private part (on site) and reads only the disclosures it \
        must, through a keyed sealed-value index per retention group in \
        DIR/private/index/sealed/ (rebuilt when missing or stale; erased with the group's \
        key).\n\n\
        The value is read from --value-file (never the command line): its UTF-8 text with \
        one trailing line feed removed, nothing else changed. It matches exactly as \
        committed: no case folding, trimming or normalisation, so other spellings are not \
        found; a list field (subjects) matches when one of its items is the value. \
        --field limits the fields searched (a path, or a list field's name).\n\n\
        Opening sealed values is itself an access: before printing anything, logseal \
        appends a signed data-access record with --inspector-key (a producer key registered \
        in the log for data-access records), naming the legal basis, purpose, the case \
        reference (sealed, read from --case-ref-file or - for standard input) and every \
        (record, field) revealed, and publishes a checkpoint. If that record cannot be \
        appended (the key is not registered, the log's lock is held), nothing is revealed.\n\n\
        Every record reported is authenticated by its leaf hash against the checkpoint and \
        its disclosure opens its commitment. --for-data-subject gives the view that may be \
        handed to the person (GDPR Art 15, LED Art 14): officials' identities and case \
        and order references are withheld (LED Art 15(1)), and the output says so."
    )]
    Subject(SubjectArgs),
    /// Export an evidence bundle: selected records, what they depend on, proofs, one file
    #[command(
        long_about = "Export an evidence bundle (.lsb, docs/FORMAT.md §12): one deterministic \
        CBOR file with the selected records and everything their conclusions depend on, \
        verified offline by `logseal bundle verify` against a trust file.\n\n\
        Selection: by sealed value (--match-file, a file or - for standard input, matched \
        exactly through the sealed-value index, on site), by leaf (--leaf), kind, producer \
        and time range (--since, --until, RFC 3339). The closure follows references both \
        ways from the selected records (statements of reasons, appeals, decisions, legal \
        holds, retention deletions) and forwards to what they rest on (terms-clause and \
        hash-list publications, authorisation grants and revocations, the key registrations \
        admitting each signing key, every obligation and retention policy).\n\n\
        To prove a negative (no statement of reasons was sent), the notifier's whole records \
        (commitments only) from the sanction to its first record dated after the deadline \
        plus its logging delay are included, at most --max-chain records each; a longer \
        chain is cut and the bundle says so (its verdict is then cannot be determined).\n\n\
        Only the sealed fields named by --disclose are revealed (the rest stay commitments), \
        only for the selected and related records. The export is itself an access: before \
        the bundle is written, a signed data-access record by --inspector-key (the operator's \
        or a registered auditor's producer key) naming the purpose, legal basis, case \
        reference and every (record, field) revealed is appended, and a checkpoint is \
        published; that record is in the bundle. If it cannot be appended, nothing is \
        written. Each record's inclusion proof is against the first published checkpoint \
        that includes it, with a consistency proof from each such checkpoint to the newest."
    )]
    Export(ExportArgs),
    /// Evidence bundles: verify one offline
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Inspect and verify a log or a bundle at a terminal: records, detail, proofs, findings
    #[command(
        long_about = "Inspect and verify a log directory or an evidence bundle at a terminal (a \
        full-screen \
        text interface; keyboard first, mouse wheel optional, ? for help, q to quit).\n\n\
        Views: records (index, time, PRODUCER#SEQ, kind, summary and the verification's \
        mark, \"pending\" until the background verification reaches the leaf; pages are read \
        on demand, never the whole log; / filters by kind, producer, time range, verdict or \
        text over public fields; : jumps to an index, PRODUCER#SEQ or time), detail (every \
        public field, each sealed field's state, the signature and the key registration \
        that admits it, references followed with Enter both ways), proof (the inclusion \
        path to the first checkpoint that includes the record and to the newest, with \
        signatures and cosignatures), verify (checks 1-8 with live progress, findings \
        grouped by root cause, Enter opens the record), retention, obligations, \
        checkpoints and producers.\n\n\
        Every record shown is authenticated as for `logseal show`: against --trust FILE, \
        or without it against the operator's own key, and the screen says which. \
        Verification runs in the background at start without touching --state; pressing v \
        in the verify view runs it again and then advances the state in --state DIR. \
        Without --trust, verification runs against the log's own configured key and origin \
        (private/config.json), the verify view says that this is no independent trust \
        file, and --state is never advanced. Revealing a sealed value (r in the detail \
        view) needs --inspector-key, asks for the purpose, legal basis and case reference, \
        and appends the signed data-access record first (declaring the retention rule that \
        covers it, and --organisation), as `logseal subject` does; otherwise it is refused \
        with the reason.\n\n\
        An evidence bundle (a .lsb file from `logseal bundle export`) opens the same way, \
        offline: the records it holds, their disclosed or sealed fields, references within \
        the bundle, proofs from its checkpoints, and `bundle verify` against --trust FILE \
        in the background. Nothing can be revealed from a bundle."
    )]
    Tui(TuiArgs),
    /// Supervisory statistics of a log, its DSA Transparency Database export and reconciliation
    #[command(
        long_about = "Supervisory statistics of a log, from its public fields: data accesses \
        per organisation, role, legal basis, purpose and month (UTC); denied attempts; \
        break-glass uses; per authorisation, the busiest and those used after their \
        revocation (as the verifier's check 6 found); account sanctions by ground, category, \
        automation, trigger, human review, statement of reasons and appeal outcome; the time \
        from a sanction's application to its first statement of reasons and from an appeal \
        to its decision (median, p90 within 1%, exact maximum).\n\n\
        Every record counted is authenticated against the log's checkpoint; the verifier \
        runs over the same log (with --trust), and the report states its coverage: the \
        checkpoint (size, root, time) it counts up to, every check's verdict, the records \
        left out as not authentic and the producer chains found broken. Without --trust the \
        checkpoint is checked against the operator's own key and the verifier does not run.\n\n\
        --tdb OUT writes each sanction as a statement of the DSA Transparency Database \
        ({\"statements\": [...]}, public fields only: DSA 24(5)); a sanction lacking a field \
        the database requires is listed as \"cannot export: FIELD missing\", never filled \
        in. --tdb-reconcile FILE compares the log's sanctions with the statements a platform \
        submitted (a list, or {\"statements\": [...]}), matched by puid: missing, extra and \
        differing statements, field by field.\n\n\
        --sealed PATH (on site, with the log's private part) also counts data accesses by a \
        sealed field, e.g. accesses per official (actor.user). Before any value is read, a \
        signed data-access record by the inspector's registered key (--inspector-key) is \
        appended and published, naming in `revealed_ranges` the leaves the report counts up \
        to and each field, with --purpose, --legal-basis and the sealed case reference \
        (--case-ref-file); if it cannot be appended, nothing is read. Each value counted is a \
        disclosure that opens its record's commitment; erased and mismatching ones are \
        counted apart."
    )]
    Report(ReportArgs),
    /// Serve the log over HTTP: the tlog-tiles read API, appends, proofs, checkpoints
    #[command(
        long_about = "Serve the log over HTTP (docs/SERVE.md), holding its sequencer \
        lock for the server's lifetime: while it runs, every writer goes through it.\n\n\
        GET /checkpoint, /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>] and \
        /checkpoints/<N> serve the public part (C2SP tlog-tiles); nothing else of the \
        directory is reachable (404). POST /add takes a signed record and its disclosures \
        (a CBOR array [record, disclosures]) and answers its receipt (JSON) once it is \
        durable; records arriving together are appended as one batch (one fsync wave). A \
        refusal is answered with the refusal's text: 400 malformed, 403 unknown or revoked \
        key, kind not allowed or bad signature, 409 seq or prev conflict, 413 body too \
        large, 429 over the key's rate, 503 busy or shutting down. GET \
        /proof/inclusion?index=I[&size=N] and /proof/consistency?old=M[&new=N] prove \
        against published checkpoints. Checkpoints are published every \
        --checkpoint-interval when the log grew, on POST /checkpoint, at start when the \
        log is ahead of its checkpoint, and at shutdown.\n\n\
        Prints `listening on http://ADDR` once bound (port 0 picks a free port). On \
        SIGINT or SIGTERM it stops accepting, finishes the requests in flight, publishes a \
        checkpoint and exits 0. Plain HTTP: put TLS in a reverse proxy."
    )]
    Serve(ServeArgs),
    /// Measure append and verify against the signature ceiling on a generated log
    #[command(
        long_about = "Measure append and verify against the signature ceiling, in one run, \
        on a log generated for it (docs/PERFORMANCE.md, \"Reproducing: logseal bench\").\n\n\
        Writes a synthetic log of --records records (the demo scenario's ~3,700 records of \
        every kind, and the data-access records of four more query front-ends with five \
        sealed fields each, 30 daily checkpoints; deterministic, demo keys) into DIR/synth, \
        timing each durable Log::append of records signed beforehand (the signing is not \
        timed). Then measures, on this log: the ceiling, strict Ed25519 verification \
        (verify_strict, as the verifier does) of up to 20,000 of its decoded records on all \
        cores (the median of 3 passes); `logseal verify` of its public part only (checks \
        1-6: a directory holding only a link to public/, and a trust file naming no retention \
        or obligation authority); `logseal verify` of the log directory with its private part \
        (checks 1-8, with --state); then appends 1% more records as one more day, \
        checkpoints, and times `logseal verify --state --since`. Each verify is the real \
        binary run as a child process, timed from start to exit, at a reference time an hour \
        after the last checkpoint; its peak memory is the child's own peak resident set size \
        (VmHWM, written at exit when LOGSEAL_PEAK_RSS_FILE names a file; Linux only).\n\n\
        Prints the machine (cores, build profile, platform), the command and the date, and \
        a table: records, seconds, records/s, ratio to the ceiling and peak memory of each \
        figure, with what each verify reported (checks run, violations: the demo scenario's \
        planted findings are in every generated log). A debug build says so at the top: its \
        numbers are not the release build's. --json prints the same as JSON.\n\n\
        DIR (--dir) must be new or empty; without --dir a new temporary directory is used \
        and deleted at the end unless --keep."
    )]
    Bench(BenchArgs),
}

/// `logseal bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Records of the generated log (at least the demo scenario's 3,700)
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub records: u64,
    /// Write the log here (must not exist or be empty; kept); default: a new temporary
    /// directory, deleted at the end unless --keep
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Keep the temporary directory (its path is printed)
    #[arg(long)]
    pub keep: bool,
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
}

/// `logseal report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The log directory (a public-only copy needs --trust)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The auditor's trust file: check against its anchors and run the verifier
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV (table,key,count rows)
    #[arg(long, conflicts_with_all = ["tdb", "tdb_reconcile"])]
    pub csv: bool,
    /// Write the sanctions as DSA Transparency Database statements to this file
    #[arg(long, value_name = "OUT.json", conflicts_with = "tdb_reconcile")]
    pub tdb: Option<PathBuf>,
    /// Compare the log's sanctions with the statements submitted to the Transparency Database
    #[arg(long, value_name = "SUBMITTED.json")]
    pub tdb_reconcile: Option<PathBuf>,
    /// On site: also count data accesses by this sealed field (repeatable; actor.user,
    /// actor.on_behalf_of, case_ref, order_ref, subject), logged first as a data access
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with_all = ["tdb", "tdb_reconcile"],
        requires_all = ["inspector_key", "purpose", "legal_basis", "case_ref_file"]
    )]
    pub sealed: Vec<String>,
    /// With --sealed: the inspector's producer signing key (registered for data-access)
    #[arg(long, value_name = "KEY", requires = "sealed")]
    pub inspector_key: Option<PathBuf>,
    /// With --sealed: the purpose of the statistics (recorded; e.g. supervision)
    #[arg(long, value_name = "PURPOSE", requires = "sealed")]
    pub purpose: Option<String>,
    /// With --sealed: the legal basis (recorded; e.g. avg-art-58)
    #[arg(long, value_name = "BASIS", requires = "sealed")]
    pub legal_basis: Option<String>,
    /// With --sealed: file holding the case reference (sealed in the record); - for stdin
    #[arg(long, value_name = "FILE", requires = "sealed")]
    pub case_ref_file: Option<PathBuf>,
    /// With --sealed: the inspector's organisation (recorded)
    #[arg(long, value_name = "ORG", default_value = "controller")]
    pub organisation: String,
}

/// `logseal subject`.
#[derive(Debug, Args)]
pub struct SubjectArgs {
    /// The log directory (with its private part)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// File holding the value to search for (one trailing line feed is removed)
    #[arg(long, value_name = "FILE")]
    pub value_file: PathBuf,
    /// Search only this sealed field (repeatable), e.g. actor.user, subject, subjects
    #[arg(long, value_name = "PATH")]
    pub field: Vec<String>,
    /// The view for the data subject: withhold officials' identities and case references
    #[arg(long)]
    pub for_data_subject: bool,
    /// The inspector's producer signing key (registered in the log for data-access)
    #[arg(long, value_name = "KEY")]
    pub inspector_key: PathBuf,
    /// The purpose of the inspection (recorded; e.g. data-subject-request)
    #[arg(long, value_name = "PURPOSE")]
    pub purpose: String,
    /// The legal basis of the inspection (recorded; e.g. gdpr-art-15)
    #[arg(long, value_name = "BASIS")]
    pub legal_basis: String,
    /// File holding the case reference (sealed in the record); - for standard input
    #[arg(long, value_name = "FILE")]
    pub case_ref_file: PathBuf,
    /// The inspector's organisation (recorded)
    #[arg(long, value_name = "ORG", default_value = "controller")]
    pub organisation: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `logseal export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The log directory (with its private part)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write the bundle (never overwritten)
    #[arg(long, value_name = "FILE.lsb")]
    pub out: PathBuf,
    /// Select the records whose sealed field holds the value in this file (- for standard
    /// input; one trailing line feed removed)
    #[arg(long, value_name = "FILE")]
    pub match_file: Option<PathBuf>,
    /// Match only this sealed field (repeatable), with --match-file
    #[arg(long, value_name = "PATH", requires = "match_file")]
    pub field: Vec<String>,
    /// Select the record at this leaf (repeatable)
    #[arg(long, value_name = "INDEX")]
    pub leaf: Vec<u64>,
    /// Select records of this kind (e.g. account-sanction)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Select records of this producer
    #[arg(long, value_name = "PRODUCER")]
    pub producer: Option<String>,
    /// Select records at or after this time (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Select records at or before this time (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Reveal these sealed fields of the selected and related records (repeatable; the
    /// others stay commitments)
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub disclose: Vec<String>,
    /// The most records of one negative-proof chain
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_chain: u64,
    /// The logging delay assumed for a follower whose obligation rule names none (seconds)
    #[arg(long, value_name = "SECS", default_value_t = 86_400)]
    pub max_logging_delay: u64,
    /// The exporter's producer signing key (registered in the log for data-access)
    #[arg(long, value_name = "KEY")]
    pub inspector_key: PathBuf,
    /// The purpose of the export (recorded; e.g. court-order)
    #[arg(long, value_name = "PURPOSE")]
    pub purpose: String,
    /// The legal basis of the export (recorded)
    #[arg(long, value_name = "BASIS")]
    pub legal_basis: String,
    /// File holding the case reference (sealed in the record); - for standard input
    #[arg(long, value_name = "FILE")]
    pub case_ref_file: PathBuf,
    /// The exporter's organisation (recorded)
    #[arg(long, value_name = "ORG", default_value = "controller")]
    pub organisation: String,
    /// A signed checkpoint the recipient already holds: add a consistency proof from it to
    /// the bundle's newest checkpoint
    #[arg(long, value_name = "FILE")]
    pub from_checkpoint: Option<PathBuf>,
    /// A trust file: run a full verification on site first and put check 7's findings on
    /// the bundle's records in it, as the exporter's statements
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
}

/// `logseal bundle …`.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Verify an evidence bundle offline against a trust file
    #[command(
        long_about = "Verify an evidence bundle offline, trusting only the trust file (keys \
        inside the bundle are hints): every checkpoint signed by the pinned log key (and \
        cosigned by the witness quorum, if the trust file sets one), consistency from each \
        checkpoint to the newest, each record's inclusion proof, each record signed by a key \
        that a registration in the bundle, signed by the pinned registration authority, \
        admits, each disclosure opening its commitment; then check 8 as far as the bundle \
        allows (a missing statement of reasons is violated only when the included chain of \
        the notifier reaches past the deadline plus its logging delay, else cannot be \
        determined). The exporter's statements are shown as statements, not proofs.\n\n\
        The reference time defaults to the newest checkpoint's time and is printed, so the \
        same bundle gives the same answer later. Exit status as `verify`: 0 no violation, 1 \
        a violation (or the bundle is not intact), 2 could not run (unreadable or \
        undecodable files)."
    )]
    Verify(BundleVerifyArgs),
    /// Show an evidence bundle as a person-readable account, in text or HTML
    #[command(
        long_about = "Verify an evidence bundle offline exactly as `bundle verify` does \
        (trusting only the trust file; keys inside the bundle are hints), then tell its story \
        in plain language: what it is about, a timeline of its records with what each proves \
        and against whom, what was not done (proven from the producer's chain, or why it \
        cannot be determined), the verdicts of checks 7 and 8 (re-derived, or the exporter's \
        statement), the trust anchors' fingerprints to compare out of band, and how to \
        re-check it independently.\n\n\
        With --html, writes one self-contained HTML file (inline CSS, no script, no network) \
        instead of printing text; an existing file is never overwritten. Exit status as \
        `bundle verify`: 0 no violation, 1 a violation (or the bundle is not intact), 2 could \
        not run."
    )]
    Show(BundleShowArgs),
}

/// `logseal bundle show`.
#[derive(Debug, Args)]
pub struct BundleShowArgs {
    /// The bundle
    #[arg(value_name = "FILE.lsb")]
    pub file: PathBuf,
    /// The trust file (log key, registration authority, witnesses and quorum)
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// Write the account as one self-contained HTML file (refuses to overwrite)
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// The language of the account: en, nl or de
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
    /// The IANA time zone the times are shown in (unknown names fall back to UTC)
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub time_zone: String,
    /// The reference time of the verdicts (RFC 3339; default: the newest checkpoint's time)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `logseal bundle verify`.
#[derive(Debug, Args)]
pub struct BundleVerifyArgs {
    /// The bundle
    #[arg(value_name = "FILE.lsb")]
    pub file: PathBuf,
    /// The trust file (log key, registration authority, witnesses and quorum)
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// The reference time of the verdicts (RFC 3339; default: the newest checkpoint's time)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A signed checkpoint you already hold: prove the bundle's newest checkpoint extends it
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Where an inspecting command reads a log and against whose keys.
#[derive(Debug, Args)]
pub struct InspectLog {
    /// The log directory (a public-only copy needs --trust), or the URL of a served log
    /// (http://…; needs --trust)
    #[arg(value_name = "DIR|URL")]
    pub dir: PathBuf,
    /// The auditor's trust file: check against its anchors instead of the log's own key
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `logseal tui`.
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// The log directory (a public-only copy needs --trust), an evidence bundle (.lsb), or
    /// the URL of a served log (http://…; needs --trust)
    #[arg(value_name = "DIR|BUNDLE|URL")]
    pub dir: PathBuf,
    /// The auditor's trust file: check against its anchors instead of the log's own key
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// The auditor's state directory: read, and advanced only by a verify run asked for (v)
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// The inspector's producer signing key (registered for data-access), to reveal values
    #[arg(long, value_name = "KEY")]
    pub inspector_key: Option<PathBuf>,
    /// The inspector's organisation, recorded in the data-access record of each reveal
    #[arg(long, value_name = "ORG", default_value = "controller")]
    pub organisation: String,
}

/// `logseal show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub log: InspectLog,
    /// The record: a leaf index (e.g. 380) or PRODUCER#SEQ (e.g. trust-and-safety#12)
    #[arg(value_name = "INDEX|PRODUCER#SEQ")]
    pub record: String,
    /// Also print its sealed values, each opened against its commitment, after logging the
    /// opening (a signed data-access record by --inspector-key; needs the log's lock)
    #[arg(
        long,
        requires_all = ["inspector_key", "purpose", "legal_basis", "case_ref_file"]
    )]
    pub disclose: bool,
    /// With --disclose: only this sealed field (repeatable), e.g. actor.user, subject
    #[arg(long, value_name = "PATH", requires = "disclose")]
    pub field: Vec<String>,
    /// With --disclose: the inspector's producer signing key (registered for data-access)
    #[arg(long, value_name = "KEY", requires = "disclose")]
    pub inspector_key: Option<PathBuf>,
    /// With --disclose: the purpose of the inspection (recorded; e.g. complaint-handling)
    #[arg(long, value_name = "PURPOSE", requires = "disclose")]
    pub purpose: Option<String>,
    /// With --disclose: the legal basis of the inspection (recorded; e.g. gdpr-art-6-1-c)
    #[arg(long, value_name = "BASIS", requires = "disclose")]
    pub legal_basis: Option<String>,
    /// With --disclose: file holding the case reference (sealed in the record); - for stdin
    #[arg(long, value_name = "FILE", requires = "disclose")]
    pub case_ref_file: Option<PathBuf>,
    /// With --disclose: the inspector's organisation (recorded)
    #[arg(
        long,
        value_name = "ORG",
        default_value = "controller",
        requires = "disclose"
    )]
    pub organisation: String,
}

/// The public-field filters of `logseal log`.
#[derive(Debug, Args, Default)]
pub struct RecordFilters {
    /// Only records of this kind (e.g. appeal-decision)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only records of this producer
    #[arg(long, value_name = "ID")]
    pub producer: Option<String>,
    /// Only records naming this organisation (actor.organisation, organisation)
    #[arg(long, value_name = "ORG")]
    pub organisation: Option<String>,
    /// Only records with this legal basis (legal_basis, legal_bases)
    #[arg(long, value_name = "BASIS")]
    pub legal_basis: Option<String>,
    /// Only records naming this authorisation id
    #[arg(long, value_name = "ID")]
    pub authorisation_id: Option<String>,
    /// Only records with this decision, legal or exception ground
    #[arg(long, value_name = "GROUND")]
    pub ground: Option<String>,
    /// Only sanctions with this automated_decision (e.g. AUTOMATED_DECISION_FULLY)
    #[arg(long, value_name = "VALUE")]
    pub automation: Option<String>,
    /// Only records with this status (ok, error, denied)
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only data accesses (or authorisations) with this action
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Only records whose public field PATH has VALUE; repeatable
    #[arg(long = "where", value_name = "PATH=VALUE")]
    pub wheres: Vec<String>,
}

/// `logseal log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(flatten)]
    pub log: InspectLog,
    #[command(flatten)]
    pub filters: RecordFilters,
    /// Only records of this time or later (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only records of this time or earlier (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only the records of this trace or operation id (32 hex digits)
    #[arg(long, value_name = "ID")]
    pub trace: Option<String>,
    /// At most N records
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Oldest first (default: newest first)
    #[arg(long)]
    pub reverse: bool,
}

/// `logseal grep`.
#[derive(Debug, Args)]
pub struct GrepArgs {
    #[command(flatten)]
    pub log: InspectLog,
    /// The text to find (a plain substring)
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
    /// Search only this public field (its path, or its last part)
    #[arg(long, value_name = "FIELD")]
    pub field: Option<String>,
    /// Ignore case
    #[arg(short = 'i', long)]
    pub ignore_case: bool,
    /// At most N records
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// `logseal checkpoints`.
#[derive(Debug, Args)]
pub struct CheckpointsArgs {
    #[command(flatten)]
    pub log: InspectLog,
}

/// `logseal trust …`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Write a trust file (for `verify --trust`) from keys and options
    #[command(
        long_about = "Write an auditor's trust file (docs/CHECKS.md, Trust file) from \
        keys and options, so that no one writes its JSON by hand.\n\n\
        Each key is given as a file (PREFIX.pub from `logseal keygen`; for a witness, the \
        output of `logseal witness vkey`) or as the key string itself. A secret key is \
        refused. The origin defaults to the log key's name, the tree hash to the one the \
        origin states (`/blake3` at its end: blake3, else sha256). The file is validated as \
        `verify` reads it before it is written, and never overwrites an existing file."
    )]
    New(Box<TrustNewArgs>),
    /// Show a trust file: its anchors with their fingerprints, to compare out of band
    #[command(
        long_about = "Show a trust file as `verify` reads it: the origin and tree \
        hash, every trust anchor (log key, registration authority, retired keys, witnesses) \
        with its fingerprint (`sha256:` and the hex SHA-256 of the raw Ed25519 public key, as \
        `verify`, `bundle verify` and `bundle show` print them), the witness quorum, the \
        policy authorities and the required checks. A court or an auditor compares the \
        fingerprints with the ones the authority publishes, out of band. Exit 1 when the \
        file is not a valid trust file."
    )]
    Show(TrustShowArgs),
}

/// `logseal trust show`.
#[derive(Debug, Args)]
pub struct TrustShowArgs {
    /// The trust file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `logseal trust new`.
#[derive(Debug, Args)]
pub struct TrustNewArgs {
    /// Write the trust file to FILE (refuses to overwrite)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The log's verifier key (file or key string), named after the origin
    #[arg(long, value_name = "PUB")]
    pub log_key: String,
    /// The registration authority's verifier key (file or key string); its name is its producer id
    #[arg(long, value_name = "PUB")]
    pub authority: String,
    /// Producer id of the authorisation registry
    #[arg(long, value_name = "ID", default_value = "authorisation-registry")]
    pub registry: String,
    /// The log's origin (default: the log key's name)
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,
    /// The tree hash (default: blake3 for an origin ending in `/blake3`, else sha256)
    #[arg(long, value_name = "HASH", value_parser = ["sha256", "blake3"])]
    pub tree_hash: Option<String>,
    /// A witness's cosigner key (file or key string, from `logseal witness vkey`); repeatable
    #[arg(long = "witness", value_name = "VKEY")]
    pub witnesses: Vec<String>,
    /// How many listed witnesses must cosign (default: 0)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub quorum: usize,
    /// The log had no witnesses up to this tree size: checkpoints of this size or smaller
    /// are not held to the quorum (a notice says so); needs --quorum
    #[arg(long, value_name = "SIZE", requires = "quorum")]
    pub witnessed_after_size: Option<u64>,
    /// Producer whose data-access records must all name an authorisation; repeatable
    #[arg(long = "authorisation-required", value_name = "ID")]
    pub authorisation_required: Vec<String>,
    /// Maximum logging delay in seconds (default: 86400)
    #[arg(long, value_name = "SECS")]
    pub max_delay: Option<u64>,
    /// Producer id whose retention-policy records alone apply (check 7)
    #[arg(long, value_name = "ID")]
    pub retention_authority: Option<String>,
    /// Producer id whose obligation-policy records alone apply (check 8)
    #[arg(long, value_name = "ID")]
    pub obligation_authority: Option<String>,
    /// The checks required, by number (default: 1-6)
    #[arg(long, value_name = "N[,N]", value_delimiter = ',')]
    pub require: Option<Vec<u64>>,
    /// A producer that must send heartbeats, with the longest silence allowed, e.g.
    /// `query-frontend=26h`; repeatable
    #[arg(long = "heartbeat", value_name = "ID=DURATION")]
    pub heartbeats: Vec<String>,
    /// An RFC 3161 time-stamping authority whose tokens bound checkpoint times: NAME=FILE, FILE
    /// its certificate or its CA's (PEM); repeat for several (trust file member
    /// timestamp_authorities)
    #[arg(long = "timestamp-authority", value_name = "NAME=FILE")]
    pub timestamp_authorities: Vec<String>,
}

/// `logseal retention …`.
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Show what the retention rules require of a log's disclosures at a time
    #[command(
        long_about = "Show what the retention rules require of a log's sealed-field \
        disclosures at a time (docs/RETENTION.md).\n\n\
        Reads the log directory read-only (no lock; never blocks the sequencer) and walks \
        every record once in leaf order: retention-policy records form the rules in force \
        from their own leaf, case-status, notification and account-sanction records the \
        trigger events and pending conditions, legal-hold records the holds. Each record \
        with sealed fields is then scheduled under the rules in force at its leaf, as known \
        at --at, with the disclosures the log still keeps for it.\n\n\
        Prints a summary line, then the records whose disclosures are due for deletion, \
        overdue (kept too long, and by how long), held (by which hold), not yet deletable \
        (a minimum runs), undetermined (a cap's trigger has not happened), every \
        minimum-versus-cap conflict and every finding about a record's declared rule. \
        Deletes nothing.\n\n\
        With --trust, only the retention-policy records of the trust file's \
        retention_policy_authority apply (the others are listed as not applied); without \
        it every retention-policy record admitted to the log applies, and the output says \
        so.\n\n\
        Exit status: 0 the plan was made; 1 a record, policy, case sequence or hold in the \
        log is invalid (the message names its leaf); 2 the command could not run."
    )]
    Plan(RetentionPlanArgs),
    /// Erase the disclosures that are due and record each erasure in the log
    #[command(
        long_about = "Erase every sealed-field disclosure that is due or overdue at a time, \
        and append the retention-deletion records that account for it (docs/RETENTION.md).\n\n\
        Opens DIR as its sequencer, makes the plan of `logseal retention plan` at --at (held \
        records, running minimums and minimum-versus-cap conflicts are never erased), then \
        erases by crypto-shredding: each affected group of disclosures (same declared rule, \
        same UTC day) loses its key; what the group keeps is re-sealed under a new key. One \
        retention-deletion record per destroyed key and rule names the erased leaves, the \
        rule, its deadline (due_at), the time of the sweep (executed_at) and the destroyed \
        key's id; the records are signed with --executor-key, whose name is the producer id \
        they are written under (the registration authority must have registered it for \
        retention-deletion).\n\n\
        Atomic: a crash leaves the old state (nothing erased, no record) or the new (erased \
        and recorded); the next open of the log finishes or undoes an interrupted sweep. \
        After the commit a checkpoint is signed, so that a verifier sees the records with \
        the erasure. Copies of the ciphertext (backups, mirrors, object versions) cannot be \
        opened once the key is destroyed; keep private/keys out of data backups.\n\n\
        --at is the execution time written into the records: refused when more than 5 \
        minutes ahead of this machine's clock, or earlier than a retention action the log \
        already holds (a deletion executed, a hold set or released).\n\n\
        Exit status: 0 swept (possibly nothing); 1 the log, a record or the plan is invalid; \
        2 the command could not run."
    )]
    Apply(RetentionApplyArgs),
    /// Erase chosen records' disclosures on a stated ground (an erasure request)
    #[command(
        long_about = "Erase the disclosures of chosen records before their rule makes them \
        due, on a stated exception ground — a data subject's erasure request (gdpr-17-1), \
        a court order, LED 16(2) — and append the retention-deletion record naming the \
        ground.\n\n\
        Refused for a record under an active legal hold, and for a record a retention \
        minimum still keeps unless the ground overrides it (court-order, led-16-2; a data \
        subject's request does not: GDPR 17(3)(b)). The grounds for keeping data past its \
        due date (gdpr-17-3-b, gdpr-17-3-e, led-16-3-a, led-16-3-b) are refused for a record \
        not yet due. Atomic like `retention apply`, checkpointed after the commit, --at \
        checked the same way.\n\n\
        Exit status: 0 erased; 1 refused or invalid input; 2 the command could not run."
    )]
    Erase(RetentionEraseArgs),
    /// Place a legal hold over an explicit set of records
    #[command(
        long_about = "Append a legal-hold record that holds the records at the given leaves \
        (resolved now to producer, seq and leaf hash). A hold suspends every cap over those \
        records until it is released or its --until passes: `retention apply` keeps them and \
        `retention erase` refuses them. The case reference is sealed and read from a file, \
        never from the command line. The record is signed with --key, whose name is the \
        producer id (registered for legal-hold).\n\n\
        Exit status: 0 appended; 1 refused or invalid input; 2 the command could not run."
    )]
    Hold(RetentionHoldArgs),
    /// Release a legal hold, whole or for some of its records
    #[command(
        long_about = "Append a legal-hold release of hold --hold-id, naming the record that \
        set it (--set-by LEAF). Without --leaf the whole hold is released; with --leaf only \
        those records.\n\n\
        Exit status: 0 appended; 1 refused or invalid input; 2 the command could not run."
    )]
    Release(RetentionReleaseArgs),
}

/// `logseal retention apply`.
#[derive(Debug, Args)]
pub struct RetentionApplyArgs {
    /// The log directory (opened as its sequencer; while `logseal serve` holds it, the sweep
    /// is planned and carried out by the server, the records signed here)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The signing key of the sweep (its name is the producer id of the records)
    #[arg(long, value_name = "KEY")]
    pub executor_key: PathBuf,
    /// The time of the sweep (RFC 3339; default: now; not in the future, not before the
    /// log's last retention action); recorded as executed_at
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How long after its deadline a deletion is still on time (as for `retention plan`)
    #[arg(long, value_name = "DURATION", default_value = "1d", value_parser = parse_duration)]
    pub grace: std::time::Duration,
    /// A trust file whose retention_policy_authority alone may set the rules
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
}

/// `logseal retention erase`.
#[derive(Debug, Args)]
pub struct RetentionEraseArgs {
    /// The log directory (opened as its sequencer)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The signing key of the executor (its name is the producer id of the record)
    #[arg(long, value_name = "KEY")]
    pub executor_key: PathBuf,
    /// The leaf of a record to erase (repeatable)
    #[arg(long, value_name = "LEAF", required = true)]
    pub leaf: Vec<u64>,
    /// Only this sealed field, e.g. subjects.0 (repeatable; default: every field)
    #[arg(long, value_name = "PATH")]
    pub field: Vec<String>,
    /// The exception ground: gdpr-17-1, gdpr-17-3-b, gdpr-17-3-e, led-16-2, led-16-3-a,
    /// led-16-3-b or court-order
    #[arg(long, value_name = "GROUND", value_parser = ground_parser())]
    pub ground: ExceptionGround,
    /// The time of the erasure (RFC 3339; default: now; as for `retention apply`)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// A trust file whose retention_policy_authority alone may set the rules
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
}

/// `logseal retention hold`.
#[derive(Debug, Args)]
pub struct RetentionHoldArgs {
    /// The log directory (opened as its sequencer)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The signing key (its name is the producer id of the legal-hold record)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// A pseudonymous id of the hold
    #[arg(long, value_name = "ID")]
    pub hold_id: String,
    /// Who ordered the hold, e.g. rechtbank-amsterdam
    #[arg(long, value_name = "ID")]
    pub authority: String,
    /// Its legal basis, e.g. gdpr-17-3-e
    #[arg(long, value_name = "ID")]
    pub legal_basis: String,
    /// A file holding the case reference (sealed; `-` for standard input)
    #[arg(long, value_name = "FILE")]
    pub case_ref_file: PathBuf,
    /// The leaf of a record to hold (repeatable)
    #[arg(long, value_name = "LEAF")]
    pub leaf: Vec<u64>,
    /// When the hold lapses by itself (RFC 3339; default: until released)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// The time of the hold (RFC 3339; default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `logseal retention release`.
#[derive(Debug, Args)]
pub struct RetentionReleaseArgs {
    /// The log directory (opened as its sequencer)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The signing key (its name is the producer id of the legal-hold record)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The id of the hold
    #[arg(long, value_name = "ID")]
    pub hold_id: String,
    /// The leaf of the legal-hold record that set the hold
    #[arg(long, value_name = "LEAF")]
    pub set_by: u64,
    /// A file holding the case reference (sealed; `-` for standard input)
    #[arg(long, value_name = "FILE")]
    pub case_ref_file: PathBuf,
    /// Release only this record (repeatable; default: the whole hold)
    #[arg(long, value_name = "LEAF")]
    pub leaf: Vec<u64>,
    /// The time of the release (RFC 3339; default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

/// `logseal retention plan`.
#[derive(Debug, Args)]
pub struct RetentionPlanArgs {
    /// The log directory (read-only)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The instant the plan is made for (RFC 3339; default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How long after its deadline a deletion is still on time, e.g. 1d, 36h, 0s; later is
    /// overdue
    #[arg(long, value_name = "DURATION", default_value = "1d", value_parser = parse_duration)]
    pub grace: std::time::Duration,
    /// The auditor's trust file: only the retention-policy records of its
    /// `retention_policy_authority` apply (without it, or when it names none, every
    /// retention-policy record admitted to the log applies)
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

/// Parse a duration `<count><unit>` (unit `ms`, `s`, `m`, `h` or `d`), e.g. `1d`, `90m`.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let bad = || format!("{s:?} is not a duration (a count and a unit ms, s, m, h or d, e.g. 1d)");
    if n.is_empty() {
        return Err(bad());
    }
    let n: u64 = n.parse().map_err(|_| bad())?;
    let ms = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad()),
    };
    n.checked_mul(ms)
        .map(std::time::Duration::from_millis)
        .ok_or_else(|| format!("{s:?}: duration too long"))
}

/// `logseal witness …`.
#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// Verify a log's new checkpoint and a consistency proof, then cosign it
    #[command(
        long_about = "Cosign a log's new checkpoint as an offline witness.\n\n\
        The witness key (from `logseal keygen --name WITNESS`) names the witness. The \
        witness keeps its own state directory (DIR/state.json: the last checkpoint it \
        cosigned per origin). It verifies the new checkpoint's signatures with the pinned \
        log key, and the consistency proof (the JSON of `logseal prove consistency`, or a \
        JSON array of hex hashes) from its last cosigned checkpoint to the new one, against \
        the root it stored itself. Then it writes the checkpoint with its timestamped C2SP \
        cosignature/v1 appended (to standard output or --out), advances its state, and \
        prints its cosigner verifier key (type 0x04, for the auditor's trust file \
        `witnesses`) on standard error. On first use for an origin it cosigns after \
        verifying the signatures only, and says so.\n\n\
        It refuses (exit 1) a checkpoint not signed by the log key, older than (a replay) \
        or different from the one it cosigned at the same size, or whose proof does not \
        hold; when the refusal is evidence against the log it keeps both checkpoints in \
        DIR/evidence/ and names them."
    )]
    Cosign(WitnessCosignArgs),
    /// Print the witness's cosigner verifier key (type 0x04) for a trust file
    Vkey(WitnessVkeyArgs),
    /// Run a witness over HTTP (C2SP tlog-witness: POST /add-checkpoint)
    #[command(
        long_about = "Run a witness over HTTP: the C2SP tlog-witness protocol.\n\n        Serves POST /add-checkpoint on --listen for the logs whose verifier keys are given         with --log-key (named after their origins). A request carries the size the witness         last cosigned for the log (`old N`), a consistency proof from it, and the new signed         checkpoint. The witness checks the log's signature (and its timestamped log         cosignature), that the old size is the one it holds (409 with its size otherwise),         and the proof against the root it stored itself; then it stores the new checkpoint         durably in DIR/state.json (the same state as `witness cosign`) and answers with its         timestamped cosignature/v1 line. Status codes as the spec gives them: 400 malformed         or old size above the checkpoint's, 403 not signed by the log's key, 404 unknown         origin, 409 another size or another tree at the same size, 422 proof that does not         verify. Refusals that are evidence against the log (a split view, a rewritten         history) keep both checkpoints in DIR/evidence/. Stops on SIGINT or SIGTERM after the         requests in flight. Plain HTTP: put TLS in a reverse proxy."
    )]
    Serve(WitnessServeArgs),
}

/// `logseal witness serve`.
#[derive(Debug, Args)]
pub struct WitnessServeArgs {
    /// The witness's signer-key file (its name is the witness's name)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The witness's state directory (created if absent)
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// A log's verifier-key file (named after its origin); repeatable
    #[arg(long = "log-key", value_name = "PUB", required = true)]
    pub log_key: Vec<PathBuf>,
    /// Address to listen on (port 0: any free port, printed on standard output)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7380")]
    pub listen: std::net::SocketAddr,
}

/// `logseal tlog …`.
#[derive(Debug, Subcommand)]
pub enum TlogCommand {
    /// Verify a C2SP tlog-tiles log of opaque entries: checkpoint, witnesses, tiles, entries
    #[command(
        long_about = "Verify any C2SP tlog-tiles log whose leaves are RFC 6962 SHA-256 \
        hashes of opaque entries (as Tessera's, or a SHA-256 logseal log's public part), read \
        from a directory laid out as served (checkpoint at the root, tile/…, tile/entries/…) \
        or from an http:// URL.\n\n\
        The checkpoint must carry a valid signature by the log key VKEY (a signed-note \
        verifier key, Ed25519 type 0x01, named after the origin); signatures by other keys, \
        of any type, are skipped as the signed-note spec says, and extension lines are \
        tolerated (both listed as notices). Each --witness key (a C2SP cosignature/v1 \
        verifier key, type 0x04) whose cosignature is present must verify, and at least \
        --quorum of them must have cosigned. Then every entry bundle is read in order and \
        hashed, every hash tile (levels 0 and up, full and partial .p/W, x### path groups) is \
        compared with the hashes recomputed from the entries, and the root is recomputed and \
        compared with the checkpoint's. Memory does not grow with the log: one bundle and one \
        tile per level at a time.\n\n\
        With --state DIR the tree must extend the checkpoint of the same origin verified by \
        an earlier run (its root is recomputed at its size), and a run without violation \
        keeps the new checkpoint (DIR/tlog-state.json). No logseal-specific rule applies: \
        entries are not decoded and the log's own timestamped cosignature is not required \
        (`logseal verify` checks logseal logs). Findings and their codes: docs/CHECKS.md, \
        \"tlog verify\".\n\n\
        Exit status: 0 no violation; 1 a violation was found; 2 verification could not run \
        (unreadable key, fetch error)."
    )]
    Verify(TlogVerifyArgs),
    /// Print a C2SP tlog-proof that entry INDEX is in the log's checkpointed tree
    #[command(
        long_about = "Print a C2SP tlog-proof (c2sp.org/tlog-proof@v1) for the entry at \
        --index in the tree of the log's current checkpoint: the index, the RFC 6962 \
        inclusion path read from the hash tiles, and the checkpoint verbatim (with its \
        cosignatures). The checkpoint is opened with VKEY and the proof is checked against \
        the entry read from its bundle before it is printed. Works on a logseal log's public \
        part too (DIR/public, SHA-256 logs): that is how logseal's own inclusion proofs are \
        exported as tlog-proofs. --entry-out writes the entry's bytes (for `tlog \
        check-proof --entry`)."
    )]
    Prove(TlogProveArgs),
    /// Check a C2SP tlog-proof for an entry under a log key and witness policy
    #[command(
        long_about = "Check a C2SP tlog-proof for the entry in --entry FILE: the checkpoint \
        opens under VKEY and the witness policy (as in `tlog verify`), the index is in its \
        tree, and the inclusion path leads from the entry's RFC 6962 leaf hash to its root. \
        The extra data, if any, is shown but not trusted. Exit 0 when it holds, 1 when it \
        does not (the finding's code says which part failed), 2 when it could not run."
    )]
    CheckProof(TlogCheckProofArgs),
    /// Monitor a C2SP log: `tlog verify --state` every --interval, alert on a violation
    #[command(
        long_about = "Monitor a C2SP tlog-tiles log of opaque entries.\n\n        Every --interval (default 60s) it runs `tlog verify LOCATION --state DIR` with the         same keys and witness policy: the checkpoint's signatures and cosignatures, the root         recomputed from the entry bundles against the hash tiles, and the served tree against         the one verified before (a smaller size or another root at the same size is a         rollback or a fork). On a violation it keeps the evidence in DIR/evidence/<time>/         (report.txt, the checkpoint verified before and the one served now), prints one line         per violation on standard error, runs --hook PROGRAM (never through a shell) with a         JSON alert on standard input, and exits 1. A log that cannot be read is said on         standard error and polled again (with --once: exit 2)."
    )]
    Watch(TlogWatchArgs),
}

/// `logseal tlog watch`.
#[derive(Debug, Args)]
pub struct TlogWatchArgs {
    /// The log: a directory laid out as served, or an http:// URL
    #[arg(value_name = "LOCATION")]
    pub location: String,
    #[command(flatten)]
    pub policy: TlogPolicyArgs,
    /// The monitor's state directory (created if absent): the last checkpoint verified and
    /// evidence/
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// Time between rounds (`30s`, `5m`, `1h`)
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub interval: std::time::Duration,
    /// Program run on a violation, with the alert (JSON) on standard input
    #[arg(long, value_name = "PROGRAM")]
    pub hook: Option<PathBuf>,
    /// An argument of the hook program; repeatable
    #[arg(long = "hook-arg", value_name = "ARG", requires = "hook")]
    pub hook_args: Vec<String>,
    /// One round only
    #[arg(long)]
    pub once: bool,
}

/// The log key and witness policy of the `tlog` commands.
#[derive(Debug, Args)]
pub struct TlogPolicyArgs {
    /// The log's verifier key (Ed25519, type 0x01): a file holding it, or the key itself
    #[arg(long, value_name = "VKEY")]
    pub vkey: String,
    /// A witness's cosigner verifier key (type 0x04): a file or the key (repeatable)
    #[arg(long = "witness", value_name = "VKEY")]
    pub witnesses: Vec<String>,
    /// How many of the --witness keys must have cosigned
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub quorum: usize,
}

/// `logseal tlog verify`.
#[derive(Debug, Args)]
pub struct TlogVerifyArgs {
    /// The log: a directory laid out as served, or an http:// URL
    #[arg(value_name = "LOCATION")]
    pub location: String,
    #[command(flatten)]
    pub policy: TlogPolicyArgs,
    /// The auditor's state directory (created if absent): the last checkpoint verified
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

/// `logseal tlog prove`.
#[derive(Debug, Args)]
pub struct TlogProveArgs {
    /// The log: a directory laid out as served, or an http:// URL
    #[arg(value_name = "LOCATION")]
    pub location: String,
    #[command(flatten)]
    pub policy: TlogPolicyArgs,
    /// Index of the entry
    #[arg(long, value_name = "N")]
    pub index: u64,
    /// Also write the entry's bytes to FILE (must not exist)
    #[arg(long, value_name = "FILE")]
    pub entry_out: Option<PathBuf>,
}

/// `logseal tlog check-proof`.
#[derive(Debug, Args)]
pub struct TlogCheckProofArgs {
    /// The proof (tlog-proof text; `-`: standard input)
    #[arg(value_name = "PROOF")]
    pub proof: PathBuf,
    /// The entry the proof is for (its bytes, as in the log)
    #[arg(long, value_name = "FILE")]
    pub entry: PathBuf,
    #[command(flatten)]
    pub policy: TlogPolicyArgs,
}

/// `logseal witness cosign`.
#[derive(Debug, Args)]
pub struct WitnessCosignArgs {
    /// The witness's signer-key file (its name is the witness's name)
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The witness's state directory (created if absent)
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// The new signed checkpoint (a log's `public/checkpoint`)
    #[arg(long, value_name = "NEW")]
    pub checkpoint: PathBuf,
    /// Consistency proof from the last cosigned checkpoint (not needed on first use)
    #[arg(long, value_name = "PROOF")]
    pub proof: Option<PathBuf>,
    /// The log's verifier-key file (named after the origin)
    #[arg(long, value_name = "PUB")]
    pub log_key: PathBuf,
    /// Cosignature time, seconds since the epoch (default: now)
    #[arg(long, value_name = "SECS")]
    pub time: Option<u64>,
    /// Write the cosigned checkpoint to FILE (must not exist) instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `logseal witness vkey`.
#[derive(Debug, Args)]
pub struct WitnessVkeyArgs {
    /// The witness's signer-key file
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
}

/// `logseal watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The served log's URL (`logseal serve`'s address, or the public part on a web server)
    #[arg(value_name = "URL")]
    pub url: String,
    /// The auditor's trust file (JSON; docs/CHECKS.md §Trust file)
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// The monitor's state directory (created if absent): the auditor state and evidence/
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
    /// Time between rounds (`30s`, `5m`, `1h`)
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub interval: std::time::Duration,
    /// Program run on a violation, with the alert (JSON) on standard input
    #[arg(long, value_name = "PROGRAM")]
    pub hook: Option<PathBuf>,
    /// An argument of the hook program; repeatable
    #[arg(long = "hook-arg", value_name = "ARG", requires = "hook")]
    pub hook_args: Vec<String>,
    /// One round only
    #[arg(long)]
    pub once: bool,
}

/// `logseal mirror`.
#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// Where the log is read: a log directory, s3://BUCKET[/PREFIX], or a served log's URL
    #[arg(value_name = "SRC")]
    pub src: PathBuf,
    /// Where it is copied: a log directory (created if absent) or s3://BUCKET[/PREFIX]
    #[arg(value_name = "DST")]
    pub dst: PathBuf,
    /// The auditor's trust file the source is verified against (JSON; docs/CHECKS.md)
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// Reference time of the verdicts (RFC 3339; default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Show a progress bar (on a terminal)
    #[arg(long)]
    pub progress: bool,
    /// Also copy SRC's private part (SRC must be a log directory, at a checkpoint of its
    /// current size) to PRIV, a directory or s3://BUCKET[/PREFIX] (credentials from
    /// LOGSEAL_PRIVATE_AWS_* where set): its state, data keys and sealed disclosures — never a
    /// data key that a published retention-deletion says was destroyed, nor the sealed
    /// objects under it
    #[arg(long, value_name = "PRIV")]
    pub private: Option<PathBuf>,
}

/// `logseal verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The log directory (only its public part is read, and check 7 the private part), or
    /// the URL of a served log (http://…: its public part; check 7 is not run remotely)
    #[arg(value_name = "DIR|URL")]
    pub dir: PathBuf,
    /// The auditor's trust file (JSON; docs/CHECKS.md §Trust file)
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,
    /// The auditor's state directory (created if absent): checkpoints verified, producer heads
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Reference time of the verdicts (RFC 3339; default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Incremental: check only the records appended since the state's last checkpoint
    #[arg(long, requires = "state")]
    pub since: bool,
    /// Check 7 (retention, when DIR/private is readable): how long after its deadline a
    /// disclosure still present counts as due rather than kept too long, e.g. 1d, 36h, 0s
    #[arg(long, value_name = "DURATION", default_value = "1d", value_parser = parse_duration)]
    pub retention_grace: std::time::Duration,
    /// Print the report as one JSON object (docs/CHECKS.md §JSON report)
    #[arg(long)]
    pub json: bool,
    /// Require these checks too (besides the trust file's require_checks), e.g. 7 or 1,7: a
    /// required check that is not fully determined makes the exit status 1
    #[arg(long, value_name = "N[,N]", value_delimiter = ',',
          value_parser = clap::value_parser!(u64).range(1..=7))]
    pub require: Vec<u64>,
    /// Text report: only the summary and the counts by check and code, no finding lines
    #[arg(long, conflicts_with = "json")]
    pub summary: bool,
    /// Text report: show only the findings of these checks, e.g. 3 or 1,7 (the exit status
    /// still counts every finding)
    #[arg(long = "check", value_name = "N[,N]", value_delimiter = ',', conflicts_with = "json",
          value_parser = clap::value_parser!(u64).range(1..=7))]
    pub checks: Vec<u64>,
    /// Text report: show only the findings of these codes, e.g. chain-seq-gap (the exit
    /// status still counts every finding)
    #[arg(
        long = "code",
        value_name = "CODE[,CODE]",
        value_delimiter = ',',
        conflicts_with = "json"
    )]
    pub codes: Vec<String>,
    /// Text report: show only the findings about these producers (the exit status still
    /// counts every finding)
    #[arg(
        long = "producer",
        value_name = "P[,P]",
        value_delimiter = ',',
        conflicts_with = "json"
    )]
    pub producers: Vec<String>,
}

/// `logseal init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The log directory to create (absent or empty)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The log's origin (its checkpoint's first line), e.g. `example.org/audit/log`
    #[arg(long, value_name = "ORIGIN")]
    pub origin: String,
    /// The log's signer-key file (from `logseal keygen --name ORIGIN`)
    #[arg(long, value_name = "KEY")]
    pub log_key: PathBuf,
    /// The registration authority's verifier-key file
    #[arg(long, value_name = "PUB")]
    pub authority: PathBuf,
    /// The tree hash (a BLAKE3 log's origin must end in `/blake3`)
    #[arg(long, value_name = "HASH", default_value = "sha256", value_parser = ["sha256", "blake3"])]
    pub tree_hash: String,
    /// Keep the public part in an S3-compatible bucket, `s3://BUCKET[/PREFIX]` (empty),
    /// instead of DIR/public; endpoint and credentials from the AWS_* variables
    #[arg(long, value_name = "S3_URL")]
    pub public: Option<String>,
    /// Coordinate the log's sequencers through etcd, `etcd://HOST:PORT/PREFIX` (an empty
    /// prefix): one sequencer at a time by a lease, every append and checkpoint committed
    /// there under its fencing token before it is published (needs --public)
    #[arg(long, value_name = "ETCD_URL", requires = "public")]
    pub coord: Option<String>,
    /// Keep the private part's state, data keys and sealed disclosures in an S3-compatible
    /// bucket, `s3://BUCKET[/PREFIX]` (empty; needs --public), with credentials of its own
    /// from LOGSEAL_PRIVATE_AWS_ACCESS_KEY_ID and LOGSEAL_PRIVATE_AWS_SECRET_ACCESS_KEY where
    /// set; the config, the log key and the lock stay in DIR/private
    #[arg(long, value_name = "S3_URL", requires = "public")]
    pub private: Option<String>,
    /// The sequencer lease's time to live, in seconds (with --coord): a sequencer that
    /// stops renewing it (crashed, paused, cut off) is replaced after this long
    #[arg(long, value_name = "SECS", requires = "coord", value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub lease_ttl: Option<u64>,
}

/// `logseal append`.
#[derive(Debug, Args)]
pub struct AppendArgs {
    /// The log directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Signed record files (`PREFIX.cose`)
    #[arg(value_name = "FILE")]
    pub records: Vec<PathBuf>,
    /// Read JSON lines from FILE (`-`: standard input)
    #[arg(long = "in", value_name = "FILE", conflicts_with = "records")]
    pub input: Option<PathBuf>,
    /// Signer-key file for JSON records that are not yet signed
    #[arg(long, value_name = "KEY")]
    pub producer_key: Option<PathBuf>,
    /// With --in: records per atomic batch (0: the whole input as one batch)
    #[arg(long, value_name = "N", default_value_t = 10_000, requires = "input")]
    pub batch: usize,
    /// Print the receipts as JSON lines
    #[arg(long)]
    pub json: bool,
}

/// `logseal recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The log directory (opened as its sequencer)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The signing key of the retention executor (its name is the producer id of the loss
    /// records); required when disclosures were lost
    #[arg(long, value_name = "KEY")]
    pub executor_key: Option<PathBuf>,
}

/// `logseal serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The log directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Address to listen on (IP:PORT; port 0 picks a free one, printed at start)
    #[arg(long, value_name = "ADDR")]
    pub listen: std::net::SocketAddr,
    /// Publish a checkpoint this often when the log grew (e.g. 10s, 1m)
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub checkpoint_interval: std::time::Duration,
    /// Largest request body accepted (bytes); larger ones get 413
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
    /// Requests handled at once; more get 503
    #[arg(long, value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent: u32,
    /// Records per second each signing key may append (bursts up to max(1, rate)); over it,
    /// 429. Unlimited when not given
    #[arg(long, value_name = "PER_KEY_PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Witness policy (JSON, as `checkpoint --witnesses`): every checkpoint is cosigned by
    /// the witnesses that answer before it is published
    #[arg(long, value_name = "FILE")]
    pub witnesses: Option<PathBuf>,
    /// RFC 3161 time-stamping authority, as `checkpoint --tsa`: every checkpoint published
    /// is time-stamped (needs --tsa-cert)
    #[arg(long, value_name = "URL", requires = "tsa_cert")]
    pub tsa: Option<String>,
    /// The time-stamping authority's certificate, or its CA's (PEM), as `checkpoint --tsa-cert`
    #[arg(long, value_name = "FILE", requires = "tsa")]
    pub tsa_cert: Option<PathBuf>,
}

/// A positive, finite rate.
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!(
            "{s:?} is not a positive number of records per second"
        )),
    }
}

/// `logseal checkpoint`.
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// The log directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Witness policy (JSON: {"witnesses": [{"url", "vkey"}], "quorum": N}): ask each
    /// witness to cosign (C2SP tlog-witness) before publishing
    #[arg(long, value_name = "FILE")]
    pub witnesses: Option<PathBuf>,
    /// RFC 3161 time-stamping authority: POST a request over the new checkpoint to URL and
    /// keep the verified token as public/checkpoints/<N>.tsr (needs --tsa-cert)
    #[arg(long, value_name = "URL", requires = "tsa_cert")]
    pub tsa: Option<String>,
    /// The time-stamping authority's certificate, or its CA's (PEM): a token that does not
    /// verify against it is not kept
    #[arg(long, value_name = "FILE", requires = "tsa")]
    pub tsa_cert: Option<PathBuf>,
}

/// `logseal rotate-log-key`.
#[derive(Debug, Args)]
pub struct RotateLogKeyArgs {
    /// The log directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The new log signer key (`PRIVATE+KEY+<origin>+…`)
    #[arg(long, value_name = "FILE")]
    pub new_key: PathBuf,
}

/// `logseal prove …`.
#[derive(Debug, Subcommand)]
pub enum ProveCommand {
    /// Prove that a record is in the log (JSON proof with the signed checkpoint)
    #[command(
        long_about = "Prove that leaf INDEX is in the tree of a checkpoint.\n\n\
        Prints a JSON proof: origin, tree hash, leaf index, the record (base64), its leaf \
        hash, the RFC 9162 inclusion path and the signed checkpoint it leads to (the latest, \
        or the one of --size, which must have been published: every checkpoint the log signs \
        is kept in DIR/public/checkpoints/). Check it with `logseal prove check`. Reads only \
        the public part (a copy of DIR/public is enough), O(log n) tiles."
    )]
    Inclusion(InclusionArgs),
    /// Prove that an older checkpoint is a prefix of a newer one
    #[command(
        long_about = "Prove that the tree of checkpoint OLD is a prefix of the tree of \
        checkpoint NEW (default: the latest).\n\n\
        Prints a JSON proof with both signed checkpoints (from DIR/public/checkpoints/, the \
        history of every checkpoint the log signed) and the RFC 9162 consistency path. Reads \
        only the public part. Check it with `logseal prove check`."
    )]
    Consistency(ConsistencyArgs),
    /// Check a proof against the log's public key, trusting nothing from the log directory
    #[command(long_about = "Check a proof made by `logseal prove`.\n\n\
        Verifies the checkpoint signatures with the given log verifier key (nothing is taken \
        from the log directory) and the proof against the checkpoints' roots. Exit 0 when it \
        holds, 1 when it does not (the message says which part failed).")]
    Check(ProofCheckArgs),
    /// Write a COSE Receipt (RFC 9942) that a record is in the log, signed by the log's key
    #[command(
        long_about = "Write a COSE Receipt of inclusion (RFC 9942, verifiable data \
        structure RFC9162_SHA256) for leaf INDEX in the tree of a published checkpoint (the \
        latest, or --size).\n\n\
        The receipt is a COSE_Sign1 by the log's key (on site: it needs DIR/private) whose \
        detached payload is the Merkle root its inclusion proof computes from the record; the \
        log signs only a root it has published as a checkpoint. Besides RFC 9942's headers it \
        carries the issuer (the origin, CWT claim 1) and, in a private-use protected header \
        (-65537), the tree size and leaf index it proves, which RFC 9942 leaves unsigned \
        (docs/FORMAT.md §Receipts). SHA-256 logs only. Check it with `logseal prove \
        check-receipt`, or with any RFC 9942 verifier given the log's public key."
    )]
    Receipt(ReceiptArgs),
    /// Check a COSE Receipt for a record against the log's public key
    #[command(
        long_about = "Check a COSE Receipt (from `logseal prove receipt`) for the \
        record in FILE against the log's verifier key: the deterministic encoding, the \
        protected header (Ed25519, the key's id, the issuer, RFC9162_SHA256, the position), \
        the inclusion proof from the record's SHA-256 leaf hash, and the signature over the \
        root it computes (strict Ed25519). Exit 0 when it holds, 1 when it does not."
    )]
    CheckReceipt(ReceiptCheckArgs),
}

/// `logseal prove inclusion`.
#[derive(Debug, Args)]
pub struct InclusionArgs {
    /// The log directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Leaf index of the record
    #[arg(long, value_name = "INDEX")]
    pub index: u64,
    /// Tree size of a published checkpoint (default: the latest checkpoint)
    #[arg(long, value_name = "SIZE")]
    pub size: Option<u64>,
}

/// `logseal prove consistency`.
#[derive(Debug, Args)]
pub struct ConsistencyArgs {
    /// The log directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Tree size of the older published checkpoint
    #[arg(long, value_name = "OLD")]
    pub old: u64,
    /// Tree size of the newer published checkpoint (default: the latest)
    #[arg(long, value_name = "NEW")]
    pub new: Option<u64>,
}

/// `logseal prove receipt`.
#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// The log directory (with its private part: the log's key signs the receipt)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Leaf index of the record
    #[arg(long, value_name = "INDEX")]
    pub index: u64,
    /// Tree size of a published checkpoint (default: the latest checkpoint)
    #[arg(long, value_name = "SIZE")]
    pub size: Option<u64>,
    /// Write the receipt here (never overwritten); the record is written to OUT.record
    #[arg(long, value_name = "OUT.cbor")]
    pub out: PathBuf,
}

/// `logseal prove check-receipt`.
#[derive(Debug, Args)]
pub struct ReceiptCheckArgs {
    /// The receipt (COSE_Sign1, CBOR)
    #[arg(value_name = "RECEIPT")]
    pub receipt: PathBuf,
    /// The record it is for (COSE_Sign1 bytes, as in the log)
    #[arg(long, value_name = "FILE")]
    pub record: PathBuf,
    /// The log's verifier-key file (its name is the log's origin, the receipt's issuer)
    #[arg(long, value_name = "PUB")]
    pub log_key: PathBuf,
}

/// `logseal prove check`.
#[derive(Debug, Args)]
pub struct ProofCheckArgs {
    /// The proof (JSON from `logseal prove`; `-`: standard input)
    #[arg(value_name = "PROOF")]
    pub proof: PathBuf,
    /// The log's verifier-key file
    #[arg(long, value_name = "PUB")]
    pub log_key: PathBuf,
}

/// `logseal info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The log directory (a public-only copy, without private/, is enough)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// The log's verifier-key file: on a public-only copy, verifies the checkpoints and
    /// shows their times (with private/, the log's own key is used)
    #[arg(long, value_name = "PUB")]
    pub log_key: Option<PathBuf>,
    /// The auditor's state directory (of `verify --state`): shows per producer the next seq
    /// and last heartbeat as of the state's last verified checkpoint
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Read every record to count the records per kind and per producer and find each
    /// producer's last heartbeat (a full read: hours at 10⁹ records; signatures not checked)
    #[arg(long)]
    pub count: bool,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
}

/// `logseal keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Key name, as it appears in key strings and note signatures (no spaces, no '+')
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Write PREFIX.key (secret) and PREFIX.pub (public)
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
}

/// `logseal record …`.
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// Sign one record from its JSON form
    #[command(long_about = "Sign one record from its JSON form.\n\n\
        Reads one JSON object from standard input (or --in): the envelope fields `producer`, \
        `seq`, `prev` (hex), `occurred_at` (RFC 3339 with offset), `status`, optionally \
        `processing_activity`, `trace_id`, `operation_id`, `parent_operation_id`, \
        `retention_rule`, and `body` with the kind's public fields and its sealed fields at \
        their paths (e.g. data-access `body.actor.user`, `body.query`, \
        `body.recipients[0]`). Sealed values are sealed with fresh random salts.\n\n\
        Writes PREFIX.cose (the signed COSE_Sign1 record) and PREFIX.disclosures (a \
        deterministic CBOR array of the disclosures `[salt, path, value]`); refuses to \
        overwrite either file.")]
    New(RecordNewArgs),
    /// Decode a record for a person, check its disclosures and signature
    #[command(long_about = "Decode a record for a person.\n\n\
        Shows the kind, the envelope, every body field by name, each sealed field's state \
        (sealed, disclosed with its value, or DISCLOSURE DOES NOT MATCH) and the signature \
        (checked only when --key and --origin are given).\n\n\
        Exits 1 when the record does not decode, a disclosure does not match, or the \
        signature does not verify.")]
    Show(RecordShowArgs),
}

/// `logseal record new`.
#[derive(Debug, Args)]
pub struct RecordNewArgs {
    /// Record kind
    #[arg(long, value_name = "KIND", value_parser = kind_parser())]
    pub kind: Kind,
    /// Producer signer-key file (as written by `logseal keygen`)
    #[arg(long, value_name = "FILE")]
    pub producer_key: PathBuf,
    /// Origin of the log the record is for (bound into the signature)
    #[arg(long, value_name = "ORIGIN")]
    pub origin: String,
    /// Read the JSON record from FILE instead of standard input
    #[arg(long = "in", value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Write PREFIX.cose and PREFIX.disclosures
    #[arg(long, value_name = "PREFIX")]
    pub out: PathBuf,
}

/// `logseal record show`.
#[derive(Debug, Args)]
pub struct RecordShowArgs {
    /// The record (a COSE_Sign1 file), or an inclusion proof of `logseal prove inclusion`
    /// (the record inside it is shown)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Disclosures file (as written by `logseal record new`) to open sealed fields
    #[arg(long, value_name = "FILE")]
    pub disclosures: Option<PathBuf>,
    /// Verifier-key file of the producer; checks the signature (needs --origin)
    #[arg(long, value_name = "PUBFILE", requires = "origin")]
    pub key: Option<PathBuf>,
    /// Origin of the log the record belongs to (needs --key)
    #[arg(long, value_name = "ORIGIN", requires = "key")]
    pub origin: Option<String>,
    /// Print one JSON object instead of text
    #[arg(long)]
    pub json: bool,
}

/// `logseal demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory to create the demo files in (must not hold files of the same names);
    /// default: a new directory under the system's temporary directory
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// A value parser for [`Kind`] that lists every kind name as a possible value.
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = Kind> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Kind::ALL.iter().map(|k| k.name()))
        .try_map(|s| Kind::from_name(&s).ok_or_else(|| format!("unknown record kind {s:?}")))
}

fn ground_parser() -> impl clap::builder::TypedValueParser<Value = ExceptionGround> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(ExceptionGround::ALL.iter().map(|g| g.as_str()))
        .try_map(|s| {
            ExceptionGround::from_str_exact(&s)
                .ok_or_else(|| format!("not an exception ground: {s:?}"))
        })
}

/// The whole command tree, for the binary, the man-page and completion generators and tests.
pub fn command() -> clap::Command {
    Cli::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_consistent() {
        command().debug_assert();
    }

    #[test]
    fn durations_parse_with_units_only() {
        assert_eq!(parse_duration("1d").unwrap().as_secs(), 86_400);
        assert_eq!(parse_duration("90m").unwrap().as_secs(), 5_400);
        assert_eq!(parse_duration("250ms").unwrap().as_millis(), 250);
        assert_eq!(parse_duration("0s").unwrap().as_millis(), 0);
        for bad in ["", "d", "1", "1w", "-1d", "1.5h"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains("is not a duration"), "{bad}: {e}");
        }
    }

    #[test]
    fn kind_takes_names_only() {
        let cli = Cli::try_parse_from([
            "logseal",
            "record",
            "new",
            "--kind",
            "data-access",
            "--producer-key",
            "k",
            "--origin",
            "o",
            "--out",
            "x",
        ])
        .unwrap();
        let Command::Record(RecordCommand::New(a)) = cli.command else {
            panic!("parsed into the wrong command");
        };
        assert_eq!(a.kind, Kind::DataAccess);
        let e = Cli::try_parse_from(["logseal", "record", "new", "--kind", "1"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
    }
}
