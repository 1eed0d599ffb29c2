//! Carrying out a [`Plan`]: the modes that read no logs, and a run over the
//! logs, where each [`Task`] picks its [`Work`] and its [`Print`] and hands
//! both to the one pipeline (the engine, or follow mode). What a run found
//! becomes an [`Outcome`], and [`Outcome::code`] is the one place that maps
//! outcomes to exit statuses.

use std::io::{self, BufWriter, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::{Config, Plan, Task};
use crate::dedup::{Chosen, Collect, Merge};
use crate::detect::findings::FindingSink;
use crate::engine::{Engine, Stats};
use crate::input::Input;
use crate::messages::{describe_io, Reporter};
use crate::output::{self, Renderer, ReportSink};
use crate::policy::run::{Mode, PolicySink};
use crate::rbac::run::RbacSink;
use crate::work::{Print, Work};

/// What a command came to, for its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A query matched, or a mode did what was asked.
    Matched,
    /// A query matched nothing.
    NoMatch,
    /// `kaq detect` found something at `--fail-on` or above, or
    /// `kaq policy lint` found problems: a linter's 1.
    Flagged,
    /// An error: a bad flag, an unreadable input, bad lines (unless
    /// `--ignore-errors`), output that could not be written.
    Error,
    /// Follow mode: part of a log could not be read (reported as LOST).
    Lost,
    /// Follow mode ended by this signal (Ctrl-C, SIGTERM), after printing
    /// everything read.
    Interrupted(i32),
}

impl Outcome {
    /// The exit status, grep-style: 0 matched (or clean), 1 no match (or
    /// flagged), 2 error, 3 events lost while following, and 128 plus the
    /// signal's number when one ended follow mode (130 Ctrl-C, 143
    /// SIGTERM), as shells report it.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Matched => 0,
            Outcome::NoMatch | Outcome::Flagged => 1,
            Outcome::Error => 2,
            Outcome::Lost => 3,
            Outcome::Interrupted(signal) => u8::try_from(128 + signal).unwrap_or(255),
        }
    }
}

/// Carries out a plan.
pub fn execute(plan: Plan) -> Outcome {
    let mut out = io::stdout().lock();
    let written = match plan {
        Plan::Generate(kind) => {
            crate::cli::generate::generate(kind, &mut out).map(|()| Outcome::Matched)
        }
        Plan::ListRules { rules, format } => {
            crate::detect::listing::write(&rules, format, &mut out).map(|()| Outcome::Matched)
        }
        Plan::Lint {
            name,
            issues,
            format,
        } => crate::policy::lint::print(&name, &issues, format, &mut out).map(|()| {
            if issues.is_empty() {
                Outcome::Matched
            } else {
                Outcome::Flagged
            }
        }),
        Plan::SigmaRule(text) => out.write_all(text.as_bytes()).map(|()| Outcome::Matched),
        Plan::SigmaExport { export, dir } => {
            if let Err(e) = crate::sigma::export::write(&export, &dir) {
                eprintln!("kaq: error: {}: {}", dir.display(), describe_io(&e));
                return Outcome::Error;
            }
            let mut err = io::stderr().lock();
            let _ = crate::sigma::export::report(&export, &dir, &mut err);
            Ok(Outcome::Matched)
        }
        Plan::Convert(statement) => writeln!(out, "{statement}").map(|()| Outcome::Matched),
        Plan::Run(cfg) => {
            drop(out);
            return run(&cfg);
        }
    };
    match written.and_then(|o| out.flush().map(|()| o)) {
        Ok(outcome) => outcome,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Outcome::Matched,
        Err(e) => {
            eprintln!("kaq: error: writing output: {}", describe_io(&e));
            Outcome::Error
        }
    }
}

/// A run over the logs.
fn run(cfg: &Config) -> Outcome {
    let bar = progress_bar(cfg);
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
    let mut pass = Pass {
        cfg,
        reporter: &mut reporter,
        bar: bar.as_ref(),
    };
    // Each task: its work, its printer, and what its result means.
    let result = match (&cfg.task, &cfg.output.view) {
        (Task::Events, Some(view)) => {
            let mut printer = ReportSink::new(&cfg.output, view, stdout);
            pass.run(view, &mut printer).map(matched)
        }
        (Task::Events, None) => {
            let mut printer = output::sink(&cfg.output, stdout);
            pass.run(&Renderer::new(&cfg.output), &mut printer)
                .map(matched)
        }
        (Task::Detect(d), _) => {
            let names = cfg.inputs.iter().map(|i| i.display_name()).collect();
            let mut printer = FindingSink::new(&d.detector, names, d.options.clone(), stdout);
            pass.run(&d.detector, &mut printer).map(|_| {
                // Like a linter: 1 means findings at or above --fail-on.
                flagged(printer.worst().is_some_and(|w| w >= d.fail_on))
            })
        }
        (Task::Policy(job), _) => {
            let mut printer = PolicySink::new(job, cfg.output.format, cfg.output.width, stdout);
            pass.run(job, &mut printer).map(|_| {
                // lint: 1 means "problems found", like any linter.
                flagged(job.mode == Mode::Lint && printer.problems() > 0)
            })
        }
        (Task::Rbac(job), _) => {
            let mut printer = RbacSink::new(job, cfg.output.width, stdout);
            pass.run(job, &mut printer)
                .map(|_| match printer.refusal() {
                    // Nothing to grant is not empty YAML: exit 1, saying why.
                    Some(why) => {
                        eprintln!("kaq: {why}");
                        Outcome::NoMatch
                    }
                    None => Outcome::Matched,
                })
        }
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let outcome = match result {
        Ok(outcome) => outcome,
        // `kaq ... | head`: the reader has what it wanted.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Outcome::Matched,
        Err(e) => {
            reporter.finish();
            eprintln!("kaq: error: writing output: {}", describe_io(&e));
            return Outcome::Error;
        }
    };
    reporter.finish();
    if let Some(signal) = crate::follow::signal::caught() {
        return Outcome::Interrupted(signal);
    }
    if reporter.failed_inputs() > 0 || (reporter.bad_lines() > 0 && !cfg.ignore_errors) {
        return Outcome::Error;
    }
    if reporter.losses() > 0 {
        return Outcome::Lost;
    }
    outcome
}

fn matched(stats: Stats) -> Outcome {
    if stats.matches > 0 {
        Outcome::Matched
    } else {
        Outcome::NoMatch
    }
}

fn flagged(yes: bool) -> Outcome {
    if yes {
        Outcome::Flagged
    } else {
        Outcome::Matched
    }
}

/// One run of a work over the inputs, the same for every task.
struct Pass<'a> {
    cfg: &'a Config,
    reporter: &'a mut Reporter,
    bar: Option<&'a ProgressBar>,
}

impl Pass<'_> {
    /// Follow mode, or the engine; with `--dedup`, a first pass finds each
    /// request's chosen event and the second hands only those to `work`.
    fn run<W: Work, P: Print<Part = W::Part> + ?Sized>(
        &mut self,
        work: &W,
        printer: &mut P,
    ) -> io::Result<Stats> {
        let cfg = self.cfg;
        if let Some(spec) = &cfg.follow {
            return crate::follow::run(cfg, spec, work, printer, self.reporter);
        }
        let engine = Engine::new(cfg)?;
        if !cfg.dedup {
            return engine.run(work, printer, self.reporter, self.bar);
        }
        let mut merged = Merge::default();
        engine.quietly(&Collect, &mut merged)?;
        if let Some(bar) = self.bar {
            bar.set_message("second pass (--dedup)");
            bar.set_position(0);
        }
        let chosen = Chosen {
            best: &merged.best,
            inner: work,
        };
        engine.run(&chosen, printer, self.reporter, self.bar)
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
