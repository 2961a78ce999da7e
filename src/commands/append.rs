//! `logseal append`: record files as one atomic batch, or JSON lines (`--in`) streamed in
//! atomic batches of `--batch` records, so that memory is bounded by the batch, not by the
//! input. Each batch is admitted whole or not at all; a batch refused stops the run, and the
//! message says which batches were appended before it and that nothing of it was.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context, bail};
use logseal::cli::AppendArgs;
use logseal::log::{AppendItem, Log, LogError, Receipt};
use logseal::note::Ed25519NoteKey;
use logseal::record::text::ProducerId;
use logseal::record::types::Hash32;

use super::log::{log_err, parse_line, receipt_json};
use super::record::{decode_disclosures, read_signer};
use super::{Invalid, files};

/// Longest input line `--in` accepts (a record of the largest size with its disclosures, in
/// base64, fits many times over).
const MAX_LINE: u64 = 16 << 20;

pub fn run(args: AppendArgs) -> anyhow::Result<()> {
    let mut log = Log::open(&args.dir).map_err(log_err)?;
    let signer = args.producer_key.as_deref().map(read_signer).transpose()?;
    match &args.input {
        Some(input) => stream(&mut log, &args, input, signer.as_ref()),
        None => files_batch(&mut log, &args),
    }
}

/// The record files given as arguments, one atomic batch.
fn files_batch(log: &mut Log, args: &AppendArgs) -> anyhow::Result<()> {
    if args.records.is_empty() {
        bail!("nothing to append: give record files, or --in FILE (`-` for standard input)");
    }
    let mut batch = Batch::default();
    for path in &args.records {
        let record = files::read(path)?;
        let disclosures_path = path.with_extension("disclosures");
        let disclosures = if disclosures_path.is_file() {
            decode_disclosures(&files::read(&disclosures_path)?)
                .map_err(|e| Invalid(format!("{}: {e}", disclosures_path.display())))?
        } else {
            Vec::new()
        };
        batch.push(
            AppendItem {
                record,
                disclosures,
            },
            path.display().to_string(),
        );
    }
    let receipts = batch.append(log, "nothing was appended")?;
    let mut out = receipts_text(&receipts, args.json);
    if !args.json {
        out.push_str(&summary(receipts.len(), 1, log.size()));
    }
    files::print(&out)
}

/// Records waiting to be appended together, with the name of each (file, or input line).
#[derive(Default)]
struct Batch {
    items: Vec<AppendItem>,
    names: Vec<String>,
}

impl Batch {
    fn push(&mut self, item: AppendItem, name: String) {
        self.items.push(item);
        self.names.push(name);
    }

    /// Append the batch atomically; a refusal names the record and ends with `nothing`.
    fn append(&mut self, log: &mut Log, nothing: &str) -> anyhow::Result<Vec<Receipt>> {
        let receipts = log.append(&self.items).map_err(|e| match e {
            LogError::Refused { index, refusal } => anyhow::Error::new(Invalid(format!(
                "{}: refused: {refusal}; {nothing}",
                self.names[index]
            ))),
            LogError::BadDisclosure {
                index,
                disclosure,
                reason,
            } => anyhow::Error::new(Invalid(format!(
                "{}: disclosure {disclosure}: {reason}; {nothing}",
                self.names[index]
            ))),
            other => log_err(other),
        })?;
        self.items.clear();
        self.names.clear();
        Ok(receipts)
    }
}

/// What the stream has appended so far: for the message when a later batch fails.
#[derive(Default)]
struct Done {
    batches: usize,
    records: usize,
    first_leaf: Option<u64>,
    last_leaf: u64,
}

impl Done {
    fn add(&mut self, receipts: &[Receipt]) {
        self.batches += 1;
        self.records += receipts.len();
        if let (Some(first), Some(last)) = (receipts.first(), receipts.last()) {
            self.first_leaf.get_or_insert(first.leaf_index);
            self.last_leaf = last.leaf_index;
        }
    }

    /// "nothing of batch K (lines A to B) was appended; the N record(s) of the K-1 earlier
    /// batch(es) were (leaves X to Y)".
    fn nothing(&self, lines: (usize, usize)) -> String {
        let mut s = format!(
            "nothing of batch {} (lines {} to {}) was appended",
            self.batches + 1,
            lines.0,
            lines.1
        );
        match self.first_leaf {
            None => s.push_str(", nor anything before it"),
            Some(first) => s.push_str(&format!(
                "; the {} record(s) of the {} batch(es) before it were (leaves {first} to {}), \
                 and the lines after it were not read",
                self.records, self.batches, self.last_leaf
            )),
        }
        s
    }
}

/// `--in`: JSON lines read one at a time, appended in atomic batches of `--batch` records
/// (0: the whole input as one batch), receipts printed after each batch.
fn stream(
    log: &mut Log,
    args: &AppendArgs,
    input: &Path,
    signer: Option<&Ed25519NoteKey>,
) -> anyhow::Result<()> {
    let (reader, name): (Box<dyn Read>, String) = match input == Path::new("-") {
        true => (Box::new(std::io::stdin().lock()), "standard input".into()),
        false => (
            Box::new(
                std::fs::File::open(input)
                    .with_context(|| format!("cannot read {}", input.display()))?,
            ),
            input.display().to_string(),
        ),
    };
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let limit = match args.batch {
        0 => usize::MAX,
        n => n,
    };
    let progress = Progress::new();
    let mut heads: HashMap<ProducerId, (u64, Hash32)> = HashMap::new();
    let (mut batch, mut done) = (Batch::default(), Done::default());
    let (mut line_no, mut batch_start) = (0usize, 1usize);
    let mut buf = Vec::new();
    let mut stdout = std::io::stdout().lock();
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("cannot read {name}"))?;
        let eof = n == 0;
        if !eof {
            line_no += 1;
            let at = format!("{name} line {line_no}");
            if n as u64 > MAX_LINE {
                let nothing = done.nothing((batch_start, line_no));
                bail!(Invalid(format!(
                    "{at}: longer than {MAX_LINE} bytes; {nothing}"
                )));
            }
            let line = std::str::from_utf8(&buf).map_err(|e| {
                Invalid(format!(
                    "{at}: not UTF-8 text: {e}; {}",
                    done.nothing((batch_start, line_no))
                ))
            })?;
            if !line.trim().is_empty() {
                let item = parse_line(
                    line.trim_end_matches(['\n', '\r']),
                    &at,
                    signer,
                    log,
                    &mut heads,
                )
                .map_err(|e| e.context(done.nothing((batch_start, line_no))))?;
                batch.push(item, at);
            }
        }
        if batch.items.len() >= limit || (eof && !batch.items.is_empty()) {
            let nothing = done.nothing((batch_start, line_no));
            let receipts = batch.append(log, &nothing)?;
            done.add(&receipts);
            stdout.write_all(receipts_text(&receipts, args.json).as_bytes())?;
            stdout.flush()?;
            progress.show(&done);
            batch_start = line_no + 1;
        }
        if eof {
            break;
        }
    }
    progress.finish();
    if !args.json {
        stdout.write_all(summary(done.records, done.batches, log.size()).as_bytes())?;
    }
    Ok(())
}

/// A line per batch on a terminal's standard error (nothing when it is not a terminal).
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new() -> Progress {
        Progress(std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_message("appending");
            bar
        }))
    }

    fn show(&self, done: &Done) {
        if let Some(b) = &self.0 {
            b.set_message(format!(
                "appended {} record(s) in {} batch(es)",
                done.records, done.batches
            ));
            b.tick();
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn receipts_text(receipts: &[Receipt], json: bool) -> String {
    let mut out = String::new();
    for r in receipts {
        if json {
            out.push_str(&receipt_json(r).to_string());
            out.push('\n');
        } else {
            out.push_str(&format!(
                "leaf {:<8} {} seq {} {}\n",
                r.leaf_index, r.producer, r.seq, r.leaf_hash
            ));
        }
    }
    out
}

fn summary(records: usize, batches: usize, size: u64) -> String {
    format!(
        "appended {records} record(s) in {batches} batch(es); log size {size} (run `logseal \
         checkpoint` to publish it)\n"
    )
}
