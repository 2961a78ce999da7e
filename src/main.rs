//! The `logseal` binary: parses the command line ([`logseal::cli`]), runs one command
//! ([`commands`]) and maps the outcome to an exit status, like ripgrep: 0 success, 1 the input
//! was examined and found invalid ([`commands::Invalid`]), 2 the command could not run (any
//! other error; clap's own usage errors also exit 2).

mod commands;

use std::process::ExitCode;

use clap::Parser;
use logseal::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
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
