//! Man pages and shell completions, generated from the CLI definitions ([`super::command`]).
//!
//! Owns: what goes under `man/` (one roff page per command: `logseal.1`, `logseal-record.1`,
//! `logseal-record-new.1`, …, as `clap_mangen` names them) and `completions/` (bash, zsh,
//! fish). Pure: returns file names and bytes; the `xtask` binary writes them and
//! `tests/man.rs` fails when the committed files drift from these definitions.
//!
//! Each page also has EXAMPLES, EXIT STATUS and SEE ALSO sections, from one table keyed by
//! the command's path ([`PAGE_TEXTS`]). `tests/man.rs` fails when a command of the clap tree
//! has no entry, and parses every example with the real definitions (`Cli::try_parse_from`).

use std::path::PathBuf;

use clap_complete::Shell;

/// Directory of the man pages, relative to the repository root.
pub const MAN_DIR: &str = "man";
/// Directory of the shell completions, relative to the repository root.
pub const COMPLETIONS_DIR: &str = "completions";

/// One man page per command and subcommand, depth first (parents before children). Each
/// page gets the EXAMPLES, EXIT STATUS and SEE ALSO sections of its [`PAGE_TEXTS`] entry
/// (a command without one gets none, and `tests/man.rs` fails).
pub fn render_man_pages() -> Vec<(PathBuf, Vec<u8>)> {
    let mut cmd = super::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    page(cmd, "", &mut out);
    out
}

fn page(cmd: clap::Command, path: &str, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut bytes = Vec::new();
    man.render(&mut bytes)
        .expect("rendering a man page into a Vec cannot fail");
    if let Some(text) = page_text(path) {
        bytes = with_sections(bytes, &text.render());
    }
    out.push((PathBuf::from(MAN_DIR).join(man.get_filename()), bytes));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        page(sub.clone(), &sub_path(path, sub.get_name()), out);
    }
}

/// The path of subcommand `name` of the command at `path`.
pub fn sub_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path} {name}")
    }
}

/// Every command path of the clap tree (`""` for `logseal`), parents before children, hidden
/// commands left out as they have no page.
pub fn command_paths() -> Vec<String> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        out.push(path.to_string());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, &sub_path(path, sub.get_name()), out);
        }
    }
    let mut out = Vec::new();
    walk(
        &super::command().disable_help_subcommand(true),
        "",
        &mut out,
    );
    out
}

/// The [`PAGE_TEXTS`] entry of the command at `path`.
pub fn page_text(path: &str) -> Option<&'static PageText> {
    PAGE_TEXTS.iter().find(|t| t.path == path)
}

/// The page `bytes` with `sections` inserted before its VERSION section (at the end when it
/// has none), so the sections follow OPTIONS and SUBCOMMANDS as man-pages(7) orders them.
fn with_sections(bytes: Vec<u8>, sections: &str) -> Vec<u8> {
    let page = String::from_utf8(bytes).expect("clap_mangen writes UTF-8");
    let at = page.find("\n.SH VERSION\n").map_or(page.len(), |i| i + 1);
    let mut out = String::with_capacity(page.len() + sections.len());
    out.push_str(&page[..at]);
    out.push_str(sections);
    out.push_str(&page[at..]);
    out.into_bytes()
}

/// `s` as roff text: backslashes, hyphens (so options copy as ASCII `-`) and apostrophes
/// escaped (the page's preamble defines `\*(Aq`), a leading `.` kept from being a request.
fn roff_text(s: &str) -> String {
    let e = s
        .replace('\\', r"\\")
        .replace('-', r"\-")
        .replace('\'', r"\*(Aq");
    if e.starts_with('.') {
        format!("\\&{e}")
    } else {
        e
    }
}

/// The page name of the command at `path`: `logseal`, `logseal-retention-erase`.
pub fn page_name(path: &str) -> String {
    if path.is_empty() {
        "logseal".to_string()
    } else {
        format!("logseal-{}", path.replace(' ', "-"))
    }
}

impl PageText {
    /// The roff of the EXAMPLES, EXIT STATUS and SEE ALSO sections.
    pub fn render(&self) -> String {
        // `.nh`: no hyphenation in these sections, whose words are mostly flags and paths.
        let mut r = String::from(".nh\n.SH EXAMPLES\n");
        for (what, line) in self.examples {
            r.push_str(&format!(
                ".PP\n{}:\n.PP\n.RS 4\n.nf\n\\fB{}\\fR\n.fi\n.RE\n",
                roff_text(what),
                roff_text(line)
            ));
        }
        r.push_str(".SH \"EXIT STATUS\"\n");
        for (status, meaning) in self.exit_status {
            r.push_str(&format!(".TP\n\\fB{status}\\fR\n{}\n", roff_text(meaning)));
        }
        r.push_str(".SH \"SEE ALSO\"\n");
        let refs: Vec<String> = self
            .see_also
            .iter()
            .map(|s| {
                if s.contains('/') {
                    roff_text(s)
                } else {
                    format!("\\fB{}\\fR(1)", roff_text(&page_name(s)))
                }
            })
            .collect();
        r.push_str(&refs.join(", "));
        r.push('\n');
        r
    }

    /// Each example's argument vector (`logseal` first), split at single spaces.
    pub fn example_argvs(&self) -> Vec<Vec<&'static str>> {
        self.examples
            .iter()
            .map(|(_, line)| line.split(' ').collect())
            .collect()
    }
}

/// What a command's man page says beyond its clap definition: EXAMPLES, EXIT STATUS and
/// SEE ALSO. One entry per command of the clap tree ([`PAGE_TEXTS`]); a test fails when a
/// command has none, and parses every example with the real definitions.
#[derive(Debug)]
pub struct PageText {
    /// The command's path below `logseal`, words separated by one space: `""` for `logseal`
    /// itself, `"verify"`, `"retention erase"`, …
    pub path: &'static str,
    /// (what it does, the command line). Each command line is `logseal` and the arguments,
    /// separated by single spaces (no quoting, no redirection), and runs this command or, on
    /// a page of commands, one of its subcommands.
    pub examples: &'static [(&'static str, &'static str)],
    /// (status, its meaning for this command), for 0, 1 and 2.
    pub exit_status: &'static [(u8, &'static str)],
    /// Related commands (paths as in `path`, shown as `logseal-verify(1)`) and documents
    /// (paths relative to the repository root, e.g. `docs/CHECKS.md`).
    pub see_also: &'static [&'static str],
}

/// Exit status 2, as every command uses it.
const COULD_NOT_RUN: &str = "the command could not run: bad arguments, unreadable or \
    unwritable files, a log directory that cannot be opened";
/// For commands that do not judge their input.
const NOT_RETURNED: &str = "not returned by this command";

/// The extra texts of every page, keyed by command path.
pub const PAGE_TEXTS: &[PageText] = &[
    PageText {
        path: "",
        examples: &[
            (
                "Run the built-in scenario in demo-out/ (keys, a log, an auditor's trust file \
                 and state, an evidence export)",
                "logseal demo --dir demo-out",
            ),
            (
                "Verify the demo's log as its auditor does (exit 1: the demo ends with its \
                 operator rewriting history)",
                "logseal verify demo-out/log --trust demo-out/auditor/trust.json --state \
                 demo-out/auditor/state",
            ),
            (
                "Show the demo log's origin, size, checkpoints, producers and keys",
                "logseal info demo-out/log",
            ),
        ],
        exit_status: &[
            (0, "success"),
            (
                1,
                "the input was examined and found invalid: a record that does not decode, a \
                 signature, disclosure or proof that does not verify, a log that fails \
                 verification, a record the log refuses",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "demo",
            "keygen",
            "init",
            "append",
            "verify",
            "docs/FORMAT.md",
            "docs/CHECKS.md",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "keygen",
        examples: &[
            (
                "A log's key pair (keys/log.key, keys/log.pub): a log key is named after the \
                 log's origin",
                "logseal keygen --name example.org/audit/log --out keys/log",
            ),
            (
                "A producer's key pair, named after its producer id",
                "logseal keygen --name query-frontend --out keys/query-frontend",
            ),
            (
                "The registration authority's key pair",
                "logseal keygen --name registration-authority --out keys/authority",
            ),
        ],
        exit_status: &[
            (0, "both files written"),
            (1, NOT_RETURNED),
            (
                2,
                "could not run: a bad key name, PREFIX.key or PREFIX.pub already exists, the \
                 directory is not writable",
            ),
        ],
        see_also: &["init", "record new", "witness vkey", "docs/FORMAT.md"],
    },
    PageText {
        path: "record",
        examples: &[
            (
                "Sign a data-access record from its JSON form",
                "logseal record new --kind data-access --producer-key \
                 keys/query-frontend.key --origin example.org/audit/log --in access.json \
                 --out q1",
            ),
            (
                "Decode the demo's exported sanction record and open its sealed fields",
                "logseal record show demo-out/export/sanction.cose --disclosures \
                 demo-out/export/sanction.disclosures",
            ),
        ],
        exit_status: &[
            (0, "success"),
            (
                1,
                "the record, its JSON form or a disclosure is invalid, or a signature does \
                 not verify",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["record new", "record show", "append", "docs/FORMAT.md"],
    },
    PageText {
        path: "record new",
        examples: &[
            (
                "Sign a data-access record read from access.json for the log \
                 example.org/audit/log; writes q1.cose and q1.disclosures",
                "logseal record new --kind data-access --producer-key \
                 keys/query-frontend.key --origin example.org/audit/log --in access.json \
                 --out q1",
            ),
            (
                "The same, reading the JSON record from standard input",
                "logseal record new --kind data-access --producer-key \
                 keys/query-frontend.key --origin example.org/audit/log --out q2",
            ),
        ],
        exit_status: &[
            (0, "the record was signed and both files written"),
            (
                1,
                "the JSON is not a valid record of the kind (the message names the field), \
                 or the origin is not one a log can have",
            ),
            (
                2,
                "could not run: unreadable key or input, PREFIX.cose or PREFIX.disclosures \
                 already exists",
            ),
        ],
        see_also: &["keygen", "record show", "append", "docs/FORMAT.md"],
    },
    PageText {
        path: "record show",
        examples: &[
            (
                "Decode the demo's exported sanction record, open its sealed fields and check \
                 its signature",
                "logseal record show demo-out/export/sanction.cose --disclosures \
                 demo-out/export/sanction.disclosures --key demo-out/keys/trust-and-safety.pub \
                 --origin demo.logseal.example/log",
            ),
            (
                "The same record as JSON, its sealed fields left sealed",
                "logseal record show demo-out/export/sanction.cose --json",
            ),
        ],
        exit_status: &[
            (
                0,
                "the record decodes, every disclosure given opens its sealed field, and the \
                 signature (when --key and --origin are given) verifies",
            ),
            (
                1,
                "the record does not decode, a disclosure does not match, or the signature \
                 does not verify",
            ),
            (2, "could not run: bad arguments, an unreadable file"),
        ],
        see_also: &["record new", "prove check", "docs/FORMAT.md"],
    },
    PageText {
        path: "demo",
        examples: &[
            (
                "Run the scenario in demo-out/: keys/ (every key pair), log/ (the log), \
                 auditor/trust.json and auditor/state/ (the auditor's), export/ (a record, \
                 its disclosures and its inclusion proof)",
                "logseal demo --dir demo-out",
            ),
            (
                "Run it in a new directory under the system's temporary directory",
                "logseal demo",
            ),
        ],
        exit_status: &[
            (
                0,
                "the scenario ran and every verdict it narrates was found",
            ),
            (
                1,
                "a verdict the scenario expects was not found (the message names it): a \
                 defect of logseal, please report it",
            ),
            (
                2,
                "could not run: DIR is not writable or already holds the demo's files",
            ),
        ],
        see_also: &[
            "verify",
            "info",
            "prove check",
            "record show",
            "retention plan",
            "docs/CHECKS.md",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "bench",
        examples: &[
            (
                "Measure on a 100,000-record log in a temporary directory, deleted afterwards \
                 (build with `cargo build --release` first: a debug build says its numbers are \
                 of a debug build)",
                "logseal bench",
            ),
            (
                "The 1,000,000-record figures of docs/PERFORMANCE.md, as JSON, keeping the log \
                 in bench-1m/ (about 900 MB)",
                "logseal bench --records 1000000 --dir bench-1m --json",
            ),
        ],
        exit_status: &[
            (0, "measured: every figure is in the table"),
            (1, NOT_RETURNED),
            (
                2,
                "could not measure: DIR exists and is not empty, --records is below the \
                 scenario's minimum, the disk is full, or a verify run could not run or was not \
                 what its label says (the checks that ran, the records it read, checks 2 and 3 \
                 holding)",
            ),
        ],
        see_also: &["verify", "append", "trust new", "docs/PERFORMANCE.md"],
    },
    PageText {
        path: "init",
        examples: &[
            (
                "Create a log with a SHA-256 tree (a standard C2SP tlog-tiles log)",
                "logseal init audit-log --origin example.org/audit/log --log-key keys/log.key \
                 --authority keys/authority.pub",
            ),
            (
                "Create a log with a BLAKE3 tree (its origin ends in /blake3)",
                "logseal init audit-log-b3 --origin example.org/audit/log/blake3 --log-key \
                 keys/log-b3.key --authority keys/authority.pub --tree-hash blake3",
            ),
        ],
        exit_status: &[
            (0, "the log was created and its empty checkpoint published"),
            (1, NOT_RETURNED),
            (
                2,
                "could not run: DIR is not empty, the log key is not named after the origin, \
                 an origin the tree hash does not allow, unreadable key files",
            ),
        ],
        see_also: &["keygen", "append", "checkpoint", "info", "docs/FORMAT.md"],
    },
    PageText {
        path: "append",
        examples: &[
            (
                "Append two signed records (and q1.disclosures, q2.disclosures when present) \
                 as one batch",
                "logseal append audit-log q1.cose q2.cose",
            ),
            (
                "Append JSON lines, signing the unsigned ones with a producer key; receipts \
                 as JSON lines",
                "logseal append audit-log --in records.jsonl --producer-key \
                 keys/query-frontend.key --json",
            ),
            (
                "Read the JSON lines from standard input",
                "logseal append audit-log --in - --producer-key keys/query-frontend.key",
            ),
        ],
        exit_status: &[
            (0, "every record was admitted and the batch is durable"),
            (
                1,
                "a record was refused or is invalid (unregistered or revoked key, bad \
                 signature, a break in its producer's chain, a bad disclosure); nothing was \
                 appended",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "record new",
            "checkpoint",
            "init",
            "verify",
            "docs/FORMAT.md",
        ],
    },
    PageText {
        path: "checkpoint",
        examples: &[
            (
                "Sign and publish a checkpoint of the log's current size",
                "logseal checkpoint audit-log",
            ),
            (
                "Ask the witnesses of a policy file to cosign it first (C2SP tlog-witness)",
                "logseal checkpoint audit-log --witnesses witnesses.json",
            ),
        ],
        exit_status: &[
            (0, "the checkpoint was signed and published (printed)"),
            (1, NOT_RETURNED),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "append",
            "prove consistency",
            "witness cosign",
            "witness serve",
            "verify",
            "docs/FORMAT.md",
        ],
    },
    PageText {
        path: "rotate-log-key",
        examples: &[(
            "Rotate to a new log key (made with `logseal keygen --name example.org/audit/log \
             --out keys/log-2027`)",
            "logseal rotate-log-key audit-log --new-key keys/log-2027.key",
        )],
        exit_status: &[
            (0, "rotated; the log_key_history for trust files is printed"),
            (1, "the new key is not named after the log's origin"),
            (
                2,
                "could not run: an empty log, a second rotation at the same size, unreadable \
                 files",
            ),
        ],
        see_also: &["keygen", "verify", "docs/FORMAT.md", "docs/CHECKS.md"],
    },
    PageText {
        path: "prove",
        examples: &[
            (
                "Prove that leaf 5 of the demo's log is in its latest checkpoint",
                "logseal prove inclusion demo-out/log --index 5",
            ),
            (
                "Check the demo's exported inclusion proof with the log's public key only",
                "logseal prove check demo-out/export/sanction.inclusion.json --log-key \
                 demo-out/keys/log.pub",
            ),
        ],
        exit_status: &[
            (0, "the proof was made, or it holds"),
            (1, "the proof (or the log's checkpoint) does not hold"),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "prove inclusion",
            "prove consistency",
            "prove check",
            "prove receipt",
            "prove check-receipt",
            "docs/FORMAT.md",
        ],
    },
    PageText {
        path: "prove inclusion",
        examples: &[
            (
                "Prove that leaf 5 of the demo's log is in its latest checkpoint",
                "logseal prove inclusion demo-out/log --index 5",
            ),
            (
                "The same, ending in the published checkpoint of size 2000 (`logseal info` \
                 lists the sizes published)",
                "logseal prove inclusion audit-log --index 5 --size 2000",
            ),
        ],
        exit_status: &[
            (0, "the proof was printed"),
            (1, NOT_RETURNED),
            (
                2,
                "could not run: no such leaf or published checkpoint, an unreadable public \
                 part",
            ),
        ],
        see_also: &["prove check", "prove consistency", "info", "docs/FORMAT.md"],
    },
    PageText {
        path: "prove receipt",
        examples: &[
            (
                "A COSE receipt for the demo's exported sanction, in the latest checkpoint",
                "logseal prove receipt demo-out/honest --index 383 --out sanction.receipt.cbor",
            ),
            (
                "The receipt at the published checkpoint of size 401",
                "logseal prove receipt demo-out/honest --index 383 --size 401 --out day3.cbor",
            ),
        ],
        exit_status: &[
            (0, "the receipt and the record were written"),
            (
                1,
                "no receipt can be made: no such published checkpoint or leaf, a tree of one \
                 leaf, a BLAKE3 log",
            ),
            (
                2,
                "could not run: no private part (the log key), an output file exists, an \
                 unreadable log",
            ),
        ],
        see_also: &["prove check-receipt", "prove inclusion", "docs/FORMAT.md"],
    },
    PageText {
        path: "prove check-receipt",
        examples: &[(
            "Check a receipt for a record with the log's public key",
            "logseal prove check-receipt sanction.receipt.cbor --record \
             sanction.receipt.cbor.record --log-key demo-out/keys/log.pub",
        )],
        exit_status: &[
            (0, "the receipt holds for the record"),
            (
                1,
                "it does not: another record, another key or issuer, a changed byte, a wrong \
                 proof",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["prove receipt", "prove check", "docs/FORMAT.md"],
    },
    PageText {
        path: "prove consistency",
        examples: &[
            (
                "Prove that the demo log's published checkpoint of size 1375 is a \
                 prefix of its latest (`logseal info` lists the sizes published)",
                "logseal prove consistency demo-out/log --old 1375",
            ),
            (
                "Between two published checkpoints",
                "logseal prove consistency audit-log --old 2000 --new 3000",
            ),
        ],
        exit_status: &[
            (0, "the proof was printed"),
            (1, NOT_RETURNED),
            (
                2,
                "could not run: a size that was never published, an unreadable public part",
            ),
        ],
        see_also: &["prove check", "witness cosign", "info", "docs/FORMAT.md"],
    },
    PageText {
        path: "prove check",
        examples: &[
            (
                "Check the demo's exported inclusion proof with the log's public key only",
                "logseal prove check demo-out/export/sanction.inclusion.json --log-key \
                 demo-out/keys/log.pub",
            ),
            (
                "Check a proof read from standard input",
                "logseal prove check - --log-key demo-out/keys/log.pub",
            ),
        ],
        exit_status: &[
            (0, "the proof holds (printed: ok and what it proves)"),
            (
                1,
                "the proof does not hold, or the file is not a logseal proof (the message \
                 says which part failed)",
            ),
            (2, "could not run: an unreadable proof or key file"),
        ],
        see_also: &[
            "prove inclusion",
            "prove consistency",
            "record show",
            "docs/FORMAT.md",
        ],
    },
    PageText {
        path: "info",
        examples: &[
            (
                "Show the demo log's origin, size, checkpoints, producers and keys",
                "logseal info demo-out/log",
            ),
            (
                "The same as one JSON object",
                "logseal info demo-out/log --json",
            ),
            (
                "Count the records per kind and per producer and find each producer's last \
                 heartbeat by reading every record (a full read; without --count, info reads \
                 no record)",
                "logseal info demo-out/log --count",
            ),
            (
                "On a public-only copy: the checkpoints verified with the log's key, and each \
                 producer's next seq and last heartbeat from the auditor's state",
                "logseal info mirror --log-key keys/log.pub --state audit-state",
            ),
        ],
        exit_status: &[
            (0, "shown"),
            (
                1,
                "the log's public checkpoint does not verify with the log's key",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["verify", "prove inclusion", "docs/FORMAT.md"],
    },
    PageText {
        path: "show",
        examples: &[
            (
                "Show the demo's exported sanction (leaf 380): the record, its checkpoint, its \
                 place in its producer's chain, what it refers to and what refers to it",
                "logseal show demo-out/honest 380",
            ),
            (
                "The same record by producer and seq, checked against the auditor's trust file",
                "logseal show demo-out/honest trust-and-safety#16 --trust \
                 demo-out/auditor/trust.json",
            ),
            (
                "As one JSON object",
                "logseal show demo-out/honest appeals#1 --json",
            ),
            (
                "Open the sealed subject of an official's query, each value checked against its \
                 commitment; a signed data-access record by auditor-inspector naming (leaf, \
                 subject) is appended first, and nothing is shown if it cannot be (an erased \
                 value names the retention deletion that erased it)",
                "logseal show demo-out/honest query-frontend#0 --disclose --field subject \
                 --inspector-key keys/auditor-inspector.key --purpose complaint-handling \
                 --legal-basis gdpr-art-6-1-c --case-ref-file case.txt",
            ),
        ],
        exit_status: &[
            (
                0,
                "shown: the record is authentic against the checkpoint and its signature \
                 verifies (with --disclose: and its data-access record was appended)",
            ),
            (
                1,
                "the record was refused (its entry does not prove against the checkpoint: the \
                 finding is printed, the record is not), the checkpoint does not verify, or the \
                 record's signature does not; with --disclose also: the access record was \
                 refused (the key is not registered for data-access; nothing is revealed), a \
                 --field the record does not seal, or a disclosure does not open its \
                 commitment (it is not shown)",
            ),
            (
                2,
                "the command could not run: bad arguments (--disclose without --inspector-key, \
                 --purpose, --legal-basis and --case-ref-file), unreadable files, a log \
                 directory that cannot be opened; with --disclose: the log's lock is held by \
                 a writer other than `logseal serve`, or the server DIR/private/serving names \
                 does not answer (nothing is revealed)",
            ),
        ],
        see_also: &[
            "log",
            "grep",
            "checkpoints",
            "record show",
            "verify",
            "docs/CHECKS.md",
        ],
    },
    PageText {
        path: "log",
        examples: &[
            (
                "The 20 newest records of the demo's log",
                "logseal log demo-out/honest --limit 20",
            ),
            (
                "Appeal decisions taken without human review",
                "logseal log demo-out/honest --kind appeal-decision --where human_review=false",
            ),
            (
                "Fully automated account terminations, oldest first",
                "logseal log demo-out/honest --kind account-sanction --automation \
                 AUTOMATED_DECISION_FULLY --where decision_account=DECISION_ACCOUNT_TERMINATED \
                 --reverse",
            ),
            (
                "One afternoon's data accesses by one organisation, as JSON",
                "logseal log demo-out/honest --kind data-access --organisation fiod --since \
                 2026-03-17T12:00:00Z --until 2026-03-17T18:00:00Z --json",
            ),
        ],
        exit_status: &[
            (
                0,
                "listed: every record listed is authentic against the checkpoint",
            ),
            (
                1,
                "a record was refused (listed as REFUSED with its finding), or the checkpoint \
                 does not verify",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["show", "grep", "checkpoints", "verify"],
    },
    PageText {
        path: "grep",
        examples: &[
            (
                "Records whose legal basis mentions GDPR Art 17(3)",
                "logseal grep demo-out/honest gdpr-17-3 --field legal_basis",
            ),
            (
                "Any public field containing fiod, whatever its case, as JSON",
                "logseal grep demo-out/honest FIOD -i --json",
            ),
        ],
        exit_status: &[
            (
                0,
                "searched: every record listed is authentic against the checkpoint",
            ),
            (
                1,
                "a record was refused (listed as REFUSED with its finding), or the checkpoint \
                 does not verify",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["log", "show"],
    },
    PageText {
        path: "checkpoints",
        examples: &[
            (
                "Every checkpoint the demo's honest log published",
                "logseal checkpoints demo-out/honest",
            ),
            (
                "A public-only copy, against the auditor's trust file",
                "logseal checkpoints demo-out/mirror --trust demo-out/auditor/trust.json",
            ),
            (
                "The rewritten log: its earlier checkpoints are not consistent with the latest",
                "logseal checkpoints demo-out/log --json",
            ),
        ],
        exit_status: &[
            (
                0,
                "every published checkpoint verifies and the latest extends it",
            ),
            (
                1,
                "a published checkpoint does not verify, or the latest checkpoint's tree does not \
                 extend it (the log forked or shrank)",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["info", "show", "verify", "docs/FORMAT.md"],
    },
    PageText {
        path: "tui",
        examples: &[
            (
                "Inspect and verify the demo's log as its auditor, at a terminal",
                "logseal tui demo-out/honest --trust demo-out/auditor/trust.json --state \
                 demo-out/auditor/state",
            ),
            (
                "The same on site, able to reveal sealed values (each reveal logged first)",
                "logseal tui demo-out/honest --trust demo-out/auditor/trust.json \
                 --inspector-key demo-out/keys/auditor-inspector.key",
            ),
            (
                "An evidence bundle, offline: its records, references, proofs and bundle verify",
                "logseal tui demo-out/court/account-case.lsb --trust demo-out/auditor/trust.json",
            ),
        ],
        exit_status: &[
            (
                0,
                "the screen was closed (q or Ctrl-C); the terminal is restored",
            ),
            (
                1,
                "the log's checkpoint does not verify against the anchors, or a key or trust \
                 file is invalid",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "show",
            "log",
            "verify",
            "subject",
            "checkpoints",
            "docs/CHECKS.md",
        ],
    },
    PageText {
        path: "subject",
        examples: &[
            (
                "Who queried this subscriber: subscriber.txt holds the name, case.txt the \
                 request's reference; logged as auditor-inspector before anything is shown",
                "logseal subject demo-out/honest --value-file subscriber.txt --field subject \
                 --inspector-key keys/auditor-inspector.key --purpose data-subject-request \
                 --legal-basis gdpr-art-15 --case-ref-file case.txt",
            ),
            (
                "The view to hand to the person: officials and case references withheld",
                "logseal subject demo-out/honest --value-file subscriber.txt \
                 --for-data-subject --inspector-key keys/auditor-inspector.key --purpose \
                 data-subject-request --legal-basis gdpr-art-15 --case-ref-file - --json",
            ),
        ],
        exit_status: &[
            (
                0,
                "the search ran and its data-access record was appended (found or not)",
            ),
            (
                1,
                "a value file is invalid, the access record was refused (the key is not \
                 registered for data-access), or a candidate record was refused; nothing is \
                 revealed when the access record was not appended",
            ),
            (
                2,
                "could not run: a file cannot be read, or the log's lock is held by a writer \
                 other than `logseal serve`, or the server DIR/private/serving names does not \
                 answer (nothing revealed)",
            ),
        ],
        see_also: &["show", "log", "retention", "docs/FORMAT.md"],
    },
    PageText {
        path: "export",
        examples: &[(
            "Export the account case: every record whose sealed account id is the one in \
             account.txt, its statement chain and proofs, revealing only the account id",
            "logseal export demo-out/honest --out account.lsb --match-file account.txt \
             --disclose account_id --inspector-key keys/auditor-inspector.key --purpose \
             court-order --legal-basis gdpr-art-6-1-c --case-ref-file case.txt",
        )],
        exit_status: &[
            (
                0,
                "the bundle was written after its data-access record was appended",
            ),
            (
                1,
                "the selection is empty or invalid, a record was refused, or the access \
                 record could not be appended (nothing is written then)",
            ),
            (
                2,
                "could not run: a file cannot be read or written, the log's lock is held by a \
                 writer other than `logseal serve` (or its server does not answer), the output \
                 exists",
            ),
        ],
        see_also: &["bundle verify", "subject", "docs/FORMAT.md"],
    },
    PageText {
        path: "bundle",
        examples: &[(
            "Verify a bundle offline against the court's trust file",
            "logseal bundle verify account.lsb --trust court/trust.json",
        )],
        exit_status: &[
            (0, "the bundle verified and shows no violation"),
            (1, "a violation, or the bundle is not intact"),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["bundle verify", "export", "docs/FORMAT.md"],
    },
    PageText {
        path: "bundle verify",
        examples: &[
            (
                "Verify a bundle offline against the court's trust file",
                "logseal bundle verify account.lsb --trust court/trust.json",
            ),
            (
                "The same, as of a given time, as JSON",
                "logseal bundle verify account.lsb --trust court/trust.json --at \
                 2026-04-01T00:00:00Z --json",
            ),
        ],
        exit_status: &[
            (
                0,
                "every checkpoint, proof, signature and disclosure holds and no finding is a \
                 violation",
            ),
            (
                1,
                "a violation: the bundle is not intact (a changed byte, proof, disclosure or \
                 checkpoint), or a conclusion re-derived from it is violated",
            ),
            (
                2,
                "could not run: the bundle or the trust file cannot be read or decoded",
            ),
        ],
        see_also: &["export", "verify", "docs/FORMAT.md", "docs/CHECKS.md"],
    },
    PageText {
        path: "serve",
        examples: &[
            (
                "Serve the log on loopback (a reverse proxy in front adds TLS)",
                "logseal serve audit-log --listen 127.0.0.1:8080",
            ),
            (
                "Checkpoint every minute; 256 KiB bodies at most; 50 records per second per key",
                "logseal serve audit-log --listen 127.0.0.1:8080 --checkpoint-interval 1m \
                 --max-body 262144 --rate 50",
            ),
        ],
        exit_status: &[
            (
                0,
                "stopped on SIGINT or SIGTERM: the requests in flight were answered and a \
                 checkpoint covering every acknowledged record was published",
            ),
            (1, NOT_RETURNED),
            (
                2,
                "could not run: the log cannot be opened (its lock is held by another \
                 writer), the address cannot be bound, or a checkpoint cannot be published",
            ),
        ],
        see_also: &["append", "checkpoint", "prove inclusion", "docs/SERVE.md"],
    },
    PageText {
        path: "bundle show",
        examples: &[
            (
                "The account of a bundle in plain English, checked against the court's trust \
                 file",
                "logseal bundle show account.lsb --trust court/trust.json",
            ),
            (
                "The same in Dutch, as one HTML file with times in Amsterdam time",
                "logseal bundle show account.lsb --trust court/trust.json --lang nl --time-zone \
                 Europe/Amsterdam --html account.html",
            ),
        ],
        exit_status: &[
            (
                0,
                "the bundle verified, no finding is a violation, and the account was shown",
            ),
            (
                1,
                "a violation: the bundle is not intact, or a conclusion re-derived from it is \
                 violated (the account is still shown, saying what failed)",
            ),
            (
                2,
                "could not run: the bundle or the trust file cannot be read or decoded, an \
                 unknown language, or the HTML file exists",
            ),
        ],
        see_also: &["bundle verify", "export", "docs/FORMAT.md"],
    },
    PageText {
        path: "report",
        examples: &[
            (
                "The supervisory statistics of the demo's log, checked against the auditor's \
                 trust file",
                "logseal report demo-out/honest --trust demo-out/auditor/trust.json",
            ),
            (
                "The same as CSV rows (table, key, count)",
                "logseal report demo-out/honest --trust demo-out/auditor/trust.json --csv",
            ),
            (
                "The sanctions as DSA Transparency Database statements",
                "logseal report demo-out/honest --tdb statements.json",
            ),
            (
                "Compare what the platform submitted to the Transparency Database with the log",
                "logseal report demo-out/honest --tdb-reconcile submitted.json --json",
            ),
            (
                "On site, also the accesses per official (a sealed field), the statistics logged \
                 first as a data access",
                "logseal report demo-out/honest --sealed actor.user --inspector-key \
                 demo-out/keys/auditor-inspector.key --purpose supervision --legal-basis \
                 avg-art-58 --case-ref-file case.txt --organisation autoriteit-persoonsgegevens",
            ),
        ],
        exit_status: &[
            (
                0,
                "the report was written; with --tdb every sanction was exported; with \
                 --tdb-reconcile the submission matches the log in every field compared",
            ),
            (
                1,
                "the checkpoint does not verify; with --tdb a sanction cannot be exported (the \
                 others are written); with --tdb-reconcile a statement is missing, extra or \
                 differs; or the submitted file is not a list of statements; with --sealed \
                 the access record was refused (nothing was read) or a disclosure does not \
                 open its commitment",
            ),
            (
                2,
                "could not run: a file cannot be read or written, or (--sealed) the log's \
                 lock is held by a writer other than `logseal serve` (or its server does not \
                 answer)",
            ),
        ],
        see_also: &[
            "verify",
            "log",
            "docs/CHECKS.md",
            "schemas/dsa-tdb-statement.schema.json",
        ],
    },
    PageText {
        path: "recover",
        examples: &[
            (
                "Rebuild a private part restored from an older backup (nothing was lost)",
                "logseal recover audit-log",
            ),
            (
                "The same, declaring the disclosures the backup did not hold as lost, signed \
                 by the retention executor",
                "logseal recover audit-log --executor-key keys/retention-sweep.key",
            ),
        ],
        exit_status: &[
            (0, "the private part matches the public part again"),
            (
                1,
                "the public part does not verify, the executor key is not registered for \
                 retention-deletion, or the loss could not be recorded; the log keeps \
                 refusing to write",
            ),
            (
                2,
                "could not run, or disclosures were lost and no --executor-key was given \
                 (nothing changed)",
            ),
        ],
        see_also: &[
            "retention apply",
            "verify",
            "docs/RETENTION.md",
            "docs/CHECKS.md",
        ],
    },
    PageText {
        path: "verify",
        examples: &[
            (
                "Verify the demo's log as its auditor does, against the auditor's own trust \
                 file and state (exit 1: the demo ends with its operator rewriting history)",
                "logseal verify demo-out/log --trust demo-out/auditor/trust.json --state \
                 demo-out/auditor/state",
            ),
            (
                "A first look without state, the report as JSON",
                "logseal verify demo-out/log --trust demo-out/auditor/trust.json --json",
            ),
            (
                "Require check 7 (retention) too, with the verdicts as of a fixed time",
                "logseal verify demo-out/log --trust demo-out/auditor/trust.json --require 7 \
                 --at 2026-04-01T00:00:00Z",
            ),
            (
                "Incremental: only the records appended since the state's last checkpoint",
                "logseal verify audit-log --trust auditor/trust.json --state auditor/state \
                 --since",
            ),
        ],
        exit_status: &[
            (
                0,
                "no violation found, and every required check (the trust file's \
                 require_checks, default 1-6, and --require) fully determined: it ran over \
                 every entry of the verified tree; items that cannot be determined on their \
                 own, such as a first run's checkpoint-no-auditor-state, are listed and do not \
                 change the status",
            ),
            (
                1,
                "a violation was found, or a required check is not fully determined \
                 (required-check-undetermined)",
            ),
            (
                2,
                "verification could not run: unreadable trust file or state, no public/ \
                 directory, --since without a resume point, an I/O or usage error",
            ),
        ],
        see_also: &[
            "info",
            "prove check",
            "witness cosign",
            "retention plan",
            "docs/CHECKS.md",
            "docs/FORMAT.md",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "witness",
        examples: &[
            (
                "Cosign the demo log's checkpoint, a first use (witness key from `logseal \
                 keygen --name witness.example --out demo-out/witness`)",
                "logseal witness cosign --key demo-out/witness.key --state \
                 demo-out/witness-state --checkpoint demo-out/log/public/checkpoint --log-key \
                 demo-out/keys/log.pub --out demo-out/cosigned-checkpoint",
            ),
            (
                "Print the witness's cosigner key for the trust file's witnesses",
                "logseal witness vkey --key demo-out/witness.key",
            ),
        ],
        exit_status: &[
            (0, "cosigned, or the key printed"),
            (
                1,
                "the checkpoint was refused: not signed by the log key, a replay, a fork, or a \
                 proof that does not hold",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "witness cosign",
            "witness vkey",
            "prove consistency",
            "verify",
            "docs/CHECKS.md",
        ],
    },
    PageText {
        path: "witness cosign",
        examples: &[
            (
                "First use for the demo's log: cosign after verifying the signatures only \
                 (witness key from `logseal keygen --name witness.example --out \
                 demo-out/witness`)",
                "logseal witness cosign --key demo-out/witness.key --state \
                 demo-out/witness-state --checkpoint demo-out/log/public/checkpoint --log-key \
                 demo-out/keys/log.pub --out demo-out/cosigned-checkpoint",
            ),
            (
                "Later: a new checkpoint with the consistency proof from the last one cosigned \
                 (from `logseal prove consistency audit-log --old SIZE`)",
                "logseal witness cosign --key witness.key --state witness-state --checkpoint \
                 new-checkpoint --proof consistency.json --log-key keys/log.pub --out \
                 cosigned-checkpoint",
            ),
        ],
        exit_status: &[
            (0, "cosigned; the witness's state advanced"),
            (
                1,
                "refused: not signed by the log key, older than or different from the \
                 checkpoint cosigned at that size, or the proof does not hold (evidence kept \
                 in DIR/evidence/)",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "witness vkey",
            "prove consistency",
            "checkpoint",
            "verify",
            "docs/CHECKS.md",
        ],
    },
    PageText {
        path: "tlog watch",
        examples: &[(
            "Monitor a Tessera-style log every ten minutes, one witness required",
            "logseal tlog watch https://log.example.net --vkey log.vkey --witness w1.vkey \
             --quorum 1 --state tlog-monitor --interval 10m --hook /usr/local/bin/alert",
        )],
        exit_status: &[
            (0, "with --once: the round found no violation"),
            (1, "a violation (evidence kept in DIR/evidence/)"),
            (2, "could not run (with --once: the log could not be read)"),
        ],
        see_also: &["tlog verify", "watch", "docs/CHECKS.md", "docs/FORMAT.md"],
    },
    PageText {
        path: "mirror",
        examples: &[
            (
                "Publish a log's public part to a bucket (a static web server or CDN can serve it \
                 as-is); endpoint and credentials in AWS_ENDPOINT_URL, AWS_REGION, \
                 AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY",
                "logseal mirror /var/lib/logseal/log s3://audit-public/subscriber-db --trust \
                 trust.json",
            ),
            (
                "An auditor's own copy of the bucket, verified as it is copied",
                "logseal mirror s3://audit-public/subscriber-db evidence-copy --trust trust.json",
            ),
        ],
        exit_status: &[
            (0, "copied, and DST's checkpoint is SRC's"),
            (
                1,
                "SRC fails check 1 or 2, or DST holds another history or a longer one (DST's \
                 checkpoint is unchanged)",
            ),
            (2, "could not run"),
        ],
        see_also: &["verify", "serve", "docs/STORAGE.md"],
    },
    PageText {
        path: "watch",
        examples: &[
            (
                "Monitor a served log every five minutes, mailing an alert through a script",
                "logseal watch http://log.example.org:8080 --trust trust.json --state \
                 monitor-state --interval 5m --hook /usr/local/bin/alert-auditor",
            ),
            (
                "One round, from cron",
                "logseal watch http://127.0.0.1:8080 --trust trust.json --state monitor-state \
                 --once",
            ),
        ],
        exit_status: &[
            (0, "with --once: the round found no violation"),
            (
                1,
                "a violation, or a required check not fully determined (evidence kept in \
                 DIR/evidence/)",
            ),
            (
                2,
                "could not run (with --once: the log could not be reached)",
            ),
        ],
        see_also: &[
            "verify",
            "serve",
            "witness serve",
            "docs/SERVE.md",
            "docs/CHECKS.md",
        ],
    },
    PageText {
        path: "witness serve",
        examples: &[(
            "Witness the demo's log over HTTP on port 7380",
            "logseal witness serve --key demo-out/witness.key --state demo-out/witness-state \
             --log-key demo-out/keys/log.pub --listen 127.0.0.1:7380",
        )],
        exit_status: &[
            (0, "stopped on SIGINT or SIGTERM"),
            (1, NOT_RETURNED),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "witness cosign",
            "checkpoint",
            "serve",
            "docs/SERVE.md",
            "docs/CHECKS.md",
        ],
    },
    PageText {
        path: "witness vkey",
        examples: &[(
            "Print the witness's cosigner verifier key (type 0x04) for a trust file",
            "logseal witness vkey --key demo-out/witness.key",
        )],
        exit_status: &[
            (0, "the key was printed"),
            (1, NOT_RETURNED),
            (2, "could not run: an unreadable or malformed key file"),
        ],
        see_also: &["witness cosign", "keygen", "docs/CHECKS.md"],
    },
    PageText {
        path: "tlog",
        examples: &[
            (
                "Verify a C2SP log served over HTTP with its key and one witness",
                "logseal tlog verify http://log.example:8080 --vkey log.vkey --witness \
                 witness.vkey --quorum 1 --state tlog-state",
            ),
            (
                "Export an inclusion proof of the demo log as a C2SP tlog-proof",
                "logseal tlog prove demo-out/log/public --vkey demo-out/keys/log.pub --index 3",
            ),
        ],
        exit_status: &[
            (0, "the log holds, or the proof was printed or holds"),
            (1, "a violation was found, or the proof does not hold"),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "tlog verify",
            "tlog prove",
            "tlog check-proof",
            "verify",
            "docs/CHECKS.md",
            "docs/FORMAT.md",
        ],
    },
    PageText {
        path: "tlog verify",
        examples: &[
            (
                "Verify a Tessera-style log mirrored to a directory, keeping the state",
                "logseal tlog verify mirror/ --vkey log.vkey --state tlog-state",
            ),
            (
                "Require two of three witnesses",
                "logseal tlog verify http://log.example:8080 --vkey log.vkey --witness w1.vkey \
                 --witness w2.vkey --witness w3.vkey --quorum 2",
            ),
            (
                "Verify the demo log's public part as any C2SP log (its records are not decoded)",
                "logseal tlog verify demo-out/log/public --vkey demo-out/keys/log.pub",
            ),
        ],
        exit_status: &[
            (
                0,
                "no violation: signatures, tiles, entries, root and state hold",
            ),
            (
                1,
                "a violation was found (docs/CHECKS.md, tlog verify, lists the codes)",
            ),
            (
                2,
                "verification could not run: bad arguments, an unreadable key or state, a \
                 location that is neither a directory nor an http:// URL, a fetch error",
            ),
        ],
        see_also: &["tlog prove", "verify", "witness cosign", "docs/CHECKS.md"],
    },
    PageText {
        path: "tlog prove",
        examples: &[
            (
                "A tlog-proof for entry 3 of the demo log, with the record beside it",
                "logseal tlog prove demo-out/log/public --vkey demo-out/keys/log.pub --index 3 \
                 --entry-out record-3.cose",
            ),
            (
                "A tlog-proof from a log served over HTTP",
                "logseal tlog prove http://log.example:8080 --vkey log.vkey --index 70000",
            ),
        ],
        exit_status: &[
            (0, "the proof was printed (it was checked first)"),
            (
                1,
                "no proof: the checkpoint does not open under the key, the index is not in \
                 the tree, or the log's tiles or entries do not give a proof that holds",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "tlog check-proof",
            "prove inclusion",
            "prove receipt",
            "docs/FORMAT.md",
        ],
    },
    PageText {
        path: "tlog check-proof",
        examples: &[(
            "Check a tlog-proof for a record under the log's key",
            "logseal tlog check-proof record-3.tlog-proof --entry record-3.cose --vkey \
             demo-out/keys/log.pub",
        )],
        exit_status: &[
            (0, "the proof holds"),
            (
                1,
                "the proof does not hold (the finding's code says which part)",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["tlog prove", "prove check", "docs/CHECKS.md"],
    },
    PageText {
        path: "trust",
        examples: &[(
            "An auditor's trust file for a log, its registration authority and one witness",
            "logseal trust new --out auditor/trust.json --log-key keys/log.pub --authority \
             keys/authority.pub --witness witness-1.vkey --quorum 1",
        )],
        exit_status: &[
            (0, "the trust file was written"),
            (1, "a key or option is invalid (the message names it)"),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["trust new", "keygen", "verify", "docs/CHECKS.md"],
    },
    PageText {
        path: "trust show",
        examples: &[(
            "The anchors of the demo auditor's trust file, to compare with the published ones",
            "logseal trust show demo-out/auditor/trust.json",
        )],
        exit_status: &[
            (0, "the trust file was shown"),
            (1, "the file is not a valid trust file"),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["trust new", "verify", "bundle verify"],
    },
    PageText {
        path: "trust new",
        examples: &[
            (
                "A trust file requiring checks 1-7 and daily heartbeats of query-frontend",
                "logseal trust new --out auditor/trust.json --log-key keys/log.pub --authority \
                 keys/authority.pub --require 1,2,3,4,5,6,7 --heartbeat query-frontend=26h",
            ),
            (
                "With a pinned retention-policy authority and one witness",
                "logseal trust new --out auditor/trust.json --log-key keys/log.pub --authority \
                 keys/authority.pub --retention-authority retention-authority --witness \
                 witness-1.vkey --quorum 1",
            ),
        ],
        exit_status: &[
            (0, "the trust file was written"),
            (
                1,
                "a key or option is invalid, or the file would not be read by verify (the \
                 message names the member)",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["keygen", "verify", "witness vkey", "docs/CHECKS.md"],
    },
    PageText {
        path: "retention",
        examples: &[
            (
                "What the retention rules require of audit-log now (read-only)",
                "logseal retention plan audit-log --trust auditor/trust.json",
            ),
            (
                "The nightly sweep: erase what is due and record it",
                "logseal retention apply audit-log --executor-key keys/retention-sweep.key",
            ),
        ],
        exit_status: &[
            (0, "success"),
            (
                1,
                "refused, or a record, policy or hold in the log is invalid (the message \
                 names its leaf)",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "retention plan",
            "retention apply",
            "retention erase",
            "retention hold",
            "retention release",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "retention plan",
        examples: &[
            (
                "What the retention rules require of audit-log now, only the auditor's pinned \
                 policy authority's rules applying",
                "logseal retention plan audit-log --trust auditor/trust.json",
            ),
            (
                "Two years on, as JSON",
                "logseal retention plan audit-log --at 2028-03-31T00:00:00Z --json",
            ),
            (
                "With no grace: due means overdue",
                "logseal retention plan audit-log --grace 0s",
            ),
        ],
        exit_status: &[
            (0, "the plan was made"),
            (
                1,
                "a record, policy, case sequence or hold in the log is invalid (the message \
                 names its leaf)",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "retention apply",
            "retention erase",
            "verify",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "retention apply",
        examples: &[
            (
                "The nightly sweep: erase what is due now and record it",
                "logseal retention apply audit-log --executor-key keys/retention-sweep.key",
            ),
            (
                "The same, under the rules of the trust file's policy authority only, at a \
                 stated time",
                "logseal retention apply audit-log --executor-key keys/retention-sweep.key \
                 --trust auditor/trust.json --at 2026-04-01T02:00:00Z",
            ),
        ],
        exit_status: &[
            (0, "swept (possibly nothing)"),
            (
                1,
                "the log, a record or the plan is invalid, or --at is refused; while served: \
                 the server refused the sweep (its status and reason printed; 409: the sweep \
                 changed between plan and commit, run it again)",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "retention plan",
            "retention erase",
            "recover",
            "verify",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "retention erase",
        examples: &[
            (
                "A data subject's erasure request for the record at leaf 1234",
                "logseal retention erase audit-log --executor-key keys/retention-sweep.key \
                 --leaf 1234 --ground gdpr-17-1",
            ),
            (
                "A court order erasing one sealed field of two records",
                "logseal retention erase audit-log --executor-key keys/retention-sweep.key \
                 --leaf 1234 --leaf 1240 --field subjects.0 --ground court-order",
            ),
        ],
        exit_status: &[
            (0, "erased and recorded"),
            (
                1,
                "refused (a legal hold, a minimum the ground does not override, a ground for \
                 keeping before the due date) or invalid input",
            ),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "retention plan",
            "retention apply",
            "retention hold",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "retention hold",
        examples: &[(
            "Hold two records for a court case; the case reference is read from \
             case-ref.txt",
            "logseal retention hold audit-log --key keys/legal-desk.key --hold-id \
             hold-2026-17 --authority rechtbank-amsterdam --legal-basis gdpr-17-3-e \
             --case-ref-file case-ref.txt --leaf 1200 --leaf 1201",
        )],
        exit_status: &[
            (0, "the legal-hold record was appended"),
            (1, "refused or invalid input (the message names it)"),
            (2, COULD_NOT_RUN),
        ],
        see_also: &[
            "retention release",
            "retention erase",
            "retention plan",
            "docs/RETENTION.md",
        ],
    },
    PageText {
        path: "retention release",
        examples: &[
            (
                "Release the whole hold set by the record at leaf 1530",
                "logseal retention release audit-log --key keys/legal-desk.key --hold-id \
                 hold-2026-17 --set-by 1530 --case-ref-file case-ref.txt",
            ),
            (
                "Release one of its records only",
                "logseal retention release audit-log --key keys/legal-desk.key --hold-id \
                 hold-2026-17 --set-by 1530 --case-ref-file case-ref.txt --leaf 1201",
            ),
        ],
        exit_status: &[
            (0, "the release was appended"),
            (1, "refused or invalid input (the message names it)"),
            (2, COULD_NOT_RUN),
        ],
        see_also: &["retention hold", "retention plan", "docs/RETENTION.md"],
    },
];

/// Completion scripts for bash, zsh and fish, under their conventional file names.
pub fn render_completions() -> Vec<(PathBuf, Vec<u8>)> {
    [
        (Shell::Bash, "logseal.bash"),
        (Shell::Zsh, "_logseal"),
        (Shell::Fish, "logseal.fish"),
    ]
    .into_iter()
    .map(|(shell, file)| {
        let mut cmd = super::command();
        let mut bytes = Vec::new();
        clap_complete::generate(shell, &mut cmd, "logseal", &mut bytes);
        (PathBuf::from(COMPLETIONS_DIR).join(file), bytes)
    })
    .collect()
}

/// Every man page and completion script.
pub fn render_all() -> Vec<(PathBuf, Vec<u8>)> {
    let mut all = render_man_pages();
    all.extend(render_completions());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_command() {
        let pages = render_man_pages();
        let names: Vec<String> = pages
            .iter()
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in ["logseal.1", "logseal-record.1", "logseal-record-new.1"] {
            assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
        }
        let mut dedup = names.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len(), "two commands share a page name");
        assert!(pages.iter().all(|(_, b)| b.starts_with(b".ie")));
    }

    #[test]
    fn texts_are_escaped_for_roff() {
        assert_eq!(roff_text("--at a\\b it's"), r"\-\-at a\\b it\*(Aqs");
        assert_eq!(roff_text(".x"), r"\&.x");
        assert_eq!(page_name(""), "logseal");
        assert_eq!(page_name("retention erase"), "logseal-retention-erase");
    }

    #[test]
    fn sections_go_before_version() {
        let page = b".TH x\n.SH OPTIONS\nx\n.SH VERSION\nv1\n".to_vec();
        let out = String::from_utf8(with_sections(page, ".SH EXAMPLES\ne\n")).unwrap();
        assert_eq!(
            out,
            ".TH x\n.SH OPTIONS\nx\n.SH EXAMPLES\ne\n.SH VERSION\nv1\n"
        );
        let out = String::from_utf8(with_sections(b".TH x\n".to_vec(), "s\n")).unwrap();
        assert_eq!(out, ".TH x\ns\n");
    }
}
