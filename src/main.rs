//! kaq's entry point: flags → config → engine → exit code.

use std::io::{self, BufWriter, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use kaq::cli::{Cli, Command, DetectArgs, PolicyAction};
use kaq::config::{Config, Environment};
use kaq::detect::findings::FindingSink;
use kaq::generate::generate;
use kaq::input::Input;
use kaq::messages::{describe_io, Reporter};
use kaq::policy::run::{Mode, PolicySink};
use kaq::{engine, output};

/// Exit codes, grep-style.
const MATCHED: u8 = 0;
const NO_MATCH: u8 = 1;
const ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to stdout with status 0, as clap prints them.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::from(MATCHED);
        }
        // Usage errors get kaq's prefix like every other message.
        Err(e) => {
            let text = e.render().to_string();
            eprint!("kaq: {text}");
            return ExitCode::from(ERROR);
        }
    };
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
    if let Some(Command::Detect(args)) = &cli.command {
        if args.list {
            return list_rules(args, cli.output);
        }
    }
    if let Some(Command::Policy(p)) = &cli.command {
        if let PolicyAction::Lint { policy, paths } = &p.action {
            // A policy that does not load is the lint's answer, not an error.
            if let Some(code) = lint_without_logs(policy, paths.is_empty(), cli.output) {
                return code;
            }
        }
    }
    let env = Environment::detect();
    let cfg = match Config::from_cli(cli, &env) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("kaq: error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let bar = progress_bar(&cfg);
    let mut reporter = match &bar {
        // Diagnostics go above the bar, not through it.
        Some(bar) => Reporter::to(Box::new(AboveBar(bar.clone())), cfg.verbose, cfg.quiet),
        None => Reporter::new(cfg.verbose, cfg.quiet),
    };
    for (path, why) in &cfg.skipped {
        reporter.note(&format!("{}: skipped: {why}", path.display()));
    }
    for (path, error) in &cfg.missing {
        reporter.input_failed(&path.display().to_string(), error);
    }
    let stdout = Box::new(BufWriter::with_capacity(256 * 1024, io::stdout().lock()));
    // `kaq detect` prints findings; queries print events or views.
    let (mut findings, mut policy, mut sink) = match (&cfg.detect, &cfg.policy) {
        (Some(d), _) => {
            let names = cfg.inputs.iter().map(|i| i.display_name()).collect();
            let f = FindingSink::new(&d.detector, names, d.options.clone(), stdout);
            (Some(f), None, None)
        }
        (None, Some(job)) => {
            let format = cfg.output.format;
            (
                None,
                Some(PolicySink::new(job, format, cfg.output.width, stdout)),
                None,
            )
        }
        (None, None) => (None, None, Some(output::sink(&cfg.output, stdout))),
    };
    let target: &mut dyn output::Sink = match (&mut findings, &mut policy, &mut sink) {
        (Some(f), _, _) => f,
        (None, Some(p), _) => p,
        (None, None, Some(s)) => &mut **s,
        (None, None, None) => unreachable!("one sink is always built"),
    };
    let result = match &cfg.follow {
        Some(spec) => {
            let stop = kaq::follow::stop_on_interrupt();
            kaq::follow::run(&cfg, spec, target, &mut reporter, &stop)
        }
        None => engine::run_with_progress(&cfg, target, &mut reporter, bar.as_ref()),
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let stats = match result {
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
    if let Some(p) = &policy {
        // lint: 1 means "problems found", like any linter.
        let lint = cfg.policy.as_ref().is_some_and(|j| j.mode == Mode::Lint);
        return ExitCode::from(if had_errors {
            ERROR
        } else if lint && p.problems() > 0 {
            1
        } else {
            0
        });
    }
    if let (Some(run), Some(f)) = (&cfg.detect, &findings) {
        // detect: 1 means "findings at or above --fail-on", like a linter.
        return ExitCode::from(if had_errors {
            ERROR
        } else if f.worst().is_some_and(|w| w >= run.fail_on) {
            1
        } else {
            0
        });
    }
    ExitCode::from(if had_errors {
        ERROR
    } else if stats.matches > 0 {
        MATCHED
    } else {
        NO_MATCH
    })
}

/// `kaq policy lint`: a policy that does not load (printed with its lines,
/// exit 1), or, with no logs to read, the static checks. `None`: go on and
/// read the logs.
fn lint_without_logs(path: &Path, no_logs: bool, format: output::Format) -> Option<ExitCode> {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kaq: error: {name}: {}", describe_io(&e));
            return Some(ExitCode::from(ERROR));
        }
    };
    let issues = match kaq::policy::schema::parse(&text, &name) {
        Err(e) => e.issues,
        Ok(_) if !no_logs => return None,
        Ok(spec) => kaq::policy::lint::lint(&kaq::policy::Policy::new(spec)),
    };
    let mut out = io::stdout().lock();
    let json = matches!(format, output::Format::Json | output::Format::Ndjson);
    let written = if json {
        let list: Vec<serde_json::Value> = issues
            .iter()
            .map(|i| serde_json::json!({"file": name, "line": i.line, "message": i.message}))
            .collect();
        serde_json::to_string_pretty(&list)
            .map_err(io::Error::other)
            .and_then(|s| writeln!(out, "{s}"))
    } else {
        issues.iter().try_for_each(|i| match i.line {
            Some(line) => writeln!(out, "{name}:{line}: {}", i.message),
            None => writeln!(out, "{name}: {}", i.message),
        })
    };
    Some(match written {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("kaq: error: {}", describe_io(&e));
            ExitCode::from(ERROR)
        }
        _ => ExitCode::from(if issues.is_empty() { 0 } else { 1 }),
    })
}

/// `kaq detect --list`: the catalogue as a table, or every field as JSON.
fn list_rules(args: &DetectArgs, format: output::Format) -> ExitCode {
    let rules = match kaq::config::detect_rules(args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kaq: error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let mut out = io::stdout().lock();
    let result = kaq::detect::listing::write(&rules, format, &mut out).and_then(|()| out.flush());
    match result {
        Ok(()) => ExitCode::from(MATCHED),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(MATCHED),
        Err(e) => {
            eprintln!("kaq: error: writing output: {}", describe_io(&e));
            ExitCode::from(ERROR)
        }
    }
}

/// Inputs this large (on disk) get a progress bar.
const PROGRESS_FROM: u64 = 256 << 20;

/// A progress bar on stderr for big reads, only when stderr is a terminal and
/// not with `--quiet`. Never on stdout.
fn progress_bar(cfg: &Config) -> Option<ProgressBar> {
    if cfg.quiet || cfg.follow.is_some() || !io::stderr().is_terminal() {
        return None;
    }
    let total: u64 = cfg
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Stdin => None,
        })
        .sum();
    if total < PROGRESS_FROM {
        return None;
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{bar:30.cyan/blue} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("█▉▊▋▌▍▎▏ ");
    bar.set_style(style);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// Writes diagnostics above an active progress bar.
struct AboveBar(ProgressBar);

impl Write for AboveBar {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.suspend(|| io::stderr().write(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}
