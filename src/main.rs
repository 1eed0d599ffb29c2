//! kaq's entry point: flags → plan → run → exit status. Everything else
//! lives in the library; this file only dispatches.

use std::process::ExitCode;

use clap::Parser;

use kaq::cli::Cli;
use kaq::config::{Environment, Plan};
use kaq::run::{execute, Outcome};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to stdout with status 0, as clap prints them.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(Outcome::Matched.code());
        }
        // Usage errors get kaq's prefix like every other message.
        Err(e) => {
            eprint!("kaq: {}", e.render());
            return ExitCode::from(Outcome::Error.code());
        }
    };
    let outcome = match Plan::from_cli(cli, &Environment::detect()) {
        Ok(plan) => execute(plan),
        Err(e) => {
            eprintln!("kaq: error: {e}");
            Outcome::Error
        }
    };
    ExitCode::from(outcome.code())
}
