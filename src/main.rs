//! The `logseal` binary: parses the command line ([`logseal::cli`]), runs one command
//! ([`commands`]) and maps the outcome to an exit status, like ripgrep: 0 success, 1 the input
//! was examined and found invalid ([`commands::Invalid`]), 2 the command could not run (any
//! other error; clap's own usage errors also exit 2). With `LOGSEAL_PEAK_RSS_FILE` set
//! ([`logseal::bench::PEAK_RSS_ENV`]) it writes its peak resident set size there when the
//! command has ended (`logseal bench` reads it of each `verify` it runs).

mod commands;

use std::process::ExitCode;

use clap::Parser;
use logseal::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = commands::run(cli);
    commands::bench::write_peak_rss();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("logseal: {e:#}");
            if e.downcast_ref::<commands::Invalid>().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
