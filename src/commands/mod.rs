//! Command execution for the `logseal` binary: one module per command, each a thin layer of
//! file I/O around library calls, plus the renderers of what a person sees.
//!
//! Owns: reading and writing files, printing, and the split of failures into
//! [`Invalid`] (exit 1: the input was examined and found invalid) and every other error
//! (exit 2: could not run). Nothing here decides what is valid; the library does.

mod append;
mod background;
pub mod bench;
pub mod bundle;
pub mod demo;
mod demo_live;
mod files;
pub mod inspect;
pub mod keygen;
pub mod log;
mod mirror;
pub mod record;
pub mod recover;
pub mod report;
pub mod retention;
mod reveal;
pub mod rotate;
pub mod serve;
mod served;
pub mod subject;
pub mod sweep;
pub mod tlog;
pub mod trust;
pub mod tui;
pub mod verify;
mod view;
mod watch;
pub mod witness;
mod witness_serve;

use logseal::cli::{
    BundleCommand, Cli, Command, ProveCommand, RecordCommand, RetentionCommand, TlogCommand,
    TrustCommand, WitnessCommand,
};

/// The input was examined and found invalid (exit status 1). The message names the file
/// and the problem, with the library's byte offset or field path.
#[derive(Debug)]
pub struct Invalid(pub String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

/// Run one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Keygen(args) => keygen::run(args),
        Command::Record(RecordCommand::New(args)) => record::new(args),
        Command::Record(RecordCommand::Show(args)) => record::show(args),
        Command::Demo(args) => demo::run(args),
        Command::Init(args) => log::init(args),
        Command::Append(args) => append::run(args),
        Command::Checkpoint(args) => log::checkpoint(args),
        Command::RotateLogKey(args) => rotate::run(args),
        Command::Prove(ProveCommand::Inclusion(args)) => log::prove_inclusion(args),
        Command::Prove(ProveCommand::Consistency(args)) => log::prove_consistency(args),
        Command::Prove(ProveCommand::Check(args)) => log::prove_check(args),
        Command::Prove(ProveCommand::Receipt(args)) => log::prove_receipt(args),
        Command::Prove(ProveCommand::CheckReceipt(args)) => log::prove_check_receipt(args),
        Command::Info(args) => log::info(args),
        Command::Recover(args) => recover::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Watch(args) => watch::run(args),
        Command::Mirror(args) => mirror::run(args),
        Command::Witness(WitnessCommand::Cosign(args)) => witness::cosign(args),
        Command::Witness(WitnessCommand::Vkey(args)) => witness::vkey(args),
        Command::Witness(WitnessCommand::Serve(args)) => witness_serve::run(args),
        Command::Tlog(TlogCommand::Verify(args)) => tlog::verify(args),
        Command::Tlog(TlogCommand::Prove(args)) => tlog::prove(args),
        Command::Tlog(TlogCommand::CheckProof(args)) => tlog::check_proof(args),
        Command::Tlog(TlogCommand::Watch(args)) => tlog::watch(args),
        Command::Retention(RetentionCommand::Plan(args)) => retention::plan_cmd(args),
        Command::Retention(RetentionCommand::Apply(args)) => sweep::apply(args),
        Command::Retention(RetentionCommand::Erase(args)) => sweep::erase(args),
        Command::Retention(RetentionCommand::Hold(args)) => sweep::hold(args),
        Command::Retention(RetentionCommand::Release(args)) => sweep::release(args),
        Command::Trust(TrustCommand::New(args)) => trust::new(*args),
        Command::Trust(TrustCommand::Show(args)) => trust::show(args),
        Command::Show(args) => inspect::show(args),
        Command::Log(args) => inspect::log(args),
        Command::Grep(args) => inspect::grep(args),
        Command::Checkpoints(args) => inspect::checkpoints(args),
        Command::Subject(args) => subject::run(args),
        Command::Export(args) => bundle::export(args),
        Command::Bundle(BundleCommand::Verify(args)) => bundle::verify(args),
        Command::Bundle(BundleCommand::Show(args)) => bundle::show(args),
        Command::Report(args) => report::run(args),
        Command::Tui(args) => tui::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Bench(args) => bench::run(args),
    }
}
