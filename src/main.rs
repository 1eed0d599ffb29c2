//! kaq's entry point: flags → config → engine → exit code.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;

use kaq::cli::Cli;
use kaq::config::{Config, Environment};
use kaq::generate::generate;
use kaq::messages::{describe_io, Reporter};
use kaq::{engine, output};

/// Exit codes, grep-style.
const MATCHED: u8 = 0;
const NO_MATCH: u8 = 1;
const ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(kind) = cli.generate {
        let mut out = io::stdout().lock();
        return match generate(kind, &mut out).and_then(|()| out.flush()) {
            Ok(()) => ExitCode::from(MATCHED),
            Err(e) => {
                eprintln!("kaq: error: {}", describe_io(&e));
                ExitCode::from(ERROR)
            }
        };
    }
    let env = Environment::detect();
    let cfg = match Config::from_cli(cli, &env) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("kaq: error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let mut reporter = Reporter::new(cfg.verbose, cfg.quiet);
    for (path, why) in &cfg.skipped {
        reporter.note(&format!("{}: skipped: {why}", path.display()));
    }
    for (path, error) in &cfg.missing {
        reporter.input_failed(&path.display().to_string(), error);
    }
    let stdout = io::stdout().lock();
    let mut sink = output::sink(
        &cfg.output,
        Box::new(BufWriter::with_capacity(256 * 1024, stdout)),
    );
    let stats = match engine::run(&cfg, &mut *sink, &mut reporter) {
        Ok(stats) => stats,
        // `kaq ... | head`: the reader has what it wanted.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::from(MATCHED),
        Err(e) => {
            reporter.finish();
            eprintln!("kaq: error: writing output: {}", describe_io(&e));
            return ExitCode::from(ERROR);
        }
    };
    reporter.finish();
    let had_errors =
        reporter.failed_inputs() > 0 || (reporter.bad_lines() > 0 && !cfg.ignore_errors);
    ExitCode::from(if had_errors {
        ERROR
    } else if stats.matches > 0 {
        MATCHED
    } else {
        NO_MATCH
    })
}
