//! From raw flags to a checked run: the filter compiled, the shorthand flags
//! folded into it, inputs discovered, output fixed. Nothing starts reading
//! until all of this has succeeded, and the engine never sees a raw string.

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::agg::{KeyField, View};
use crate::cli::{Cli, ColorChoice, Command, DetectArgs, PolicyAction, RbacArgs};
use crate::detect::{findings, Detector, Selection, Severity};
use crate::event::Path as FieldPath;
use crate::filter::ast::{CmpOp, Expr, Literal};
use crate::filter::prefilter::Prefilter;
use crate::filter::{field_path, parse_filter, FilterError, Matcher};
use crate::input::discover::{discover, rotated_set, Discovered, DEFAULT_LOG};
use crate::input::open::ReadOptions;
use crate::input::Input;
use crate::number::Number;
use crate::output::{default_columns, parse_columns, Format, OutputSpec};
use crate::time::{now, parse_duration, parse_time_bound, Micros};

/// What kaq will do, decided once from the flags: a mode that reads no
/// logs, or a run over them.
pub enum Plan {
    /// `--generate`: the man page or a shell's completions.
    Generate(crate::cli::generate::Generate),
    /// `kaq detect --list`: the rules `--only/--skip/--rules` pick.
    ListRules {
        rules: Vec<crate::detect::Rule>,
        format: Format,
    },
    /// `kaq policy lint` answered without reading logs: the policy does not
    /// load (its problems, with their lines), or no logs were given (the
    /// static checks).
    Lint {
        name: String,
        issues: Vec<crate::policy::schema::Issue>,
        format: Format,
    },
    /// `kaq convert --to sigma`: the filter as one Sigma rule (YAML).
    SigmaRule(String),
    /// `kaq detect --convert-to sigma --out-dir DIR`: the rules as Sigma
    /// files, and those Sigma cannot express.
    SigmaExport {
        export: crate::sigma::export::Export,
        dir: PathBuf,
    },
    /// A run over the logs.
    Run(Box<Config>),
    /// `kaq convert --to duckdb|clickhouse`: the statement to print.
    Convert(String),
}

impl Plan {
    pub fn from_cli(cli: Cli, env: &Environment) -> Result<Plan, ConfigError> {
        if let Some(kind) = cli.generate {
            return Ok(Plan::Generate(kind));
        }
        match &cli.command {
            Some(Command::Detect(args)) if args.list => {
                return Ok(Plan::ListRules {
                    rules: detect_rules(args)?,
                    format: cli.output,
                });
            }
            Some(Command::Policy(p)) => {
                if let PolicyAction::Lint { policy, paths } = &p.action {
                    if let Some(issues) = lint_without_logs(policy, paths.is_empty())? {
                        return Ok(Plan::Lint {
                            name: policy.display().to_string(),
                            issues,
                            format: cli.output,
                        });
                    }
                }
            }
            _ => {}
        }
        // `kaq convert`: a Sigma rule, or one SQL statement.
        if let Some(Command::Convert(args)) = &cli.command {
            if args.to == crate::convert::Target::Sigma {
                return sigma_filter(&cli, args, env);
            }
            return convert_sql(cli, env);
        }
        if let Some(d) = detect_args(&cli) {
            if let Some(target) = d.convert_to {
                if target == crate::convert::Target::Sigma {
                    return sigma_export(d);
                }
                return Err(usage(
                    format!("`kaq detect --convert-to {target}` is not built yet"),
                    None,
                ));
            }
        }
        Config::from_cli(cli, env).map(|c| Plan::Run(Box::new(c)))
    }
}

/// `kaq convert --to sigma [query flags] [FILTER]`: the filter and the
/// query flags as one Sigma rule, or the construct Sigma cannot express.
fn sigma_filter(
    cli: &Cli,
    args: &crate::cli::ConvertArgs,
    env: &Environment,
) -> Result<Plan, ConfigError> {
    if args.from.is_some() || args.table.is_some() {
        return Err(usage(
            "--from and --table name where SQL engines read events; a Sigma rule leaves that to the SIEM",
            None,
        ));
    }
    let text = args.filter.clone().unwrap_or_else(|| "true".to_string());
    let expr = parse_filter(&text).map_err(|error| ConfigError::Filter {
        source: text.clone(),
        error,
    })?;
    let flags = shorthand_filter(cli, env.now)?;
    // The id and description name the query flags too, so two conversions
    // that differ only in flags get different ids.
    let source = match &flags {
        Expr::Const(true) => text,
        f => format!("{text} (and query flags: {f:?})"),
    };
    crate::sigma::export::filter(&source, &expr.and(flags))
        .map(Plan::SigmaRule)
        .map_err(|r| usage(r.to_string(), None))
}

/// `kaq detect --convert-to sigma --out-dir DIR`: every rule `--rules`,
/// `--only` and `--skip` pick (disabled ones too: a SIEM decides what runs).
fn sigma_export(args: &DetectArgs) -> Result<Plan, ConfigError> {
    let Some(dir) = &args.out_dir else {
        return Err(usage(
            "kaq detect --convert-to sigma writes one file per rule",
            Some("add --out-dir DIR"),
        ));
    };
    let all = detect_rules(args)?;
    let rules = if args.only.is_empty() && args.skip.is_empty() {
        all
    } else {
        let selection = Selection {
            only: args.only.clone(),
            skip: args.skip.clone(),
        };
        crate::detect::select(all, &selection)
            .map_err(|m| usage(m, Some("kaq detect --list shows every rule")))?
    };
    Ok(Plan::SigmaExport {
        export: crate::sigma::export::catalogue(&rules),
        dir: dir.clone(),
    })
}

/// `kaq policy lint`'s answer when it needs no logs: the problems of a
/// policy that does not load, or, with no logs to read, the static checks.
/// `None`: read the logs.
fn lint_without_logs(
    path: &Path,
    no_logs: bool,
) -> Result<Option<Vec<crate::policy::schema::Issue>>, ConfigError> {
    let (name, text) = read_policy(path)?;
    Ok(match crate::policy::schema::parse(&text, &name) {
        Err(e) => Some(e.issues),
        Ok(_) if !no_logs => None,
        Ok(spec) => Some(crate::policy::lint::lint(&crate::policy::Policy::new(spec))),
    })
}

/// Everything a run needs, checked.
pub struct Config {
    /// The whole filter, shorthand flags included, as a checked AST.
    pub filter: Expr,
    pub matcher: Matcher,
    /// Literals a line needs to possibly match (`--no-prefilter`: none).
    pub prefilter: Option<Prefilter>,
    pub inputs: Vec<Input>,
    /// Files a directory scan skipped, and why (shown under `-v`).
    pub skipped: Vec<(PathBuf, &'static str)>,
    /// PATH arguments that could not be read at all.
    pub missing: Vec<(PathBuf, std::io::Error)>,
    pub threads: usize,
    pub read: ReadOptions,
    pub output: OutputSpec,
    pub limit: Option<u64>,
    /// `--dedup`: one event per request (two passes over the input).
    pub dedup: bool,
    /// `--format`: only this envelope (`None`: detect per record).
    pub format: Option<crate::event::envelope::Format>,
    pub ignore_errors: bool,
    pub verbose: bool,
    pub quiet: bool,
    /// What the run does with the matching events.
    pub task: Task,
    /// `--follow`: the live files to follow (their backups, with `--since`,
    /// are in `inputs` too).
    pub follow: Option<crate::input::live::FollowSpec>,
}

/// What a run does with the events that match: one kind of work each.
pub enum Task {
    /// Print them, or a view of them (`output.view`): the query commands.
    Events,
    /// `kaq detect`: test them against rules and print the findings.
    Detect(DetectRun),
    /// `kaq policy`: replay them through audit policies.
    Policy(crate::policy::run::Job),
    /// `kaq rbac`: the permissions a subject used.
    Rbac(crate::rbac::run::Job),
}

/// A `kaq detect` run.
pub struct DetectRun {
    pub detector: Detector,
    pub options: findings::Options,
    /// Exit 1 when a finding is at or above this.
    pub fail_on: Severity,
}

/// What the process sees of its surroundings, captured once so that config
/// building is testable.
pub struct Environment {
    pub stdin_is_terminal: bool,
    pub stdout_is_terminal: bool,
    /// Terminal width, when stdout is one.
    pub width: Option<u16>,
    pub now: Micros,
    /// `KAQ_LOG`: the default log path.
    pub default_log: Option<PathBuf>,
    /// `NO_COLOR` is set and not empty, or `TERM=dumb`.
    pub no_color: bool,
    pub cores: usize,
}

impl Environment {
    pub fn detect() -> Environment {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        Environment {
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stdout_is_terminal,
            width: if stdout_is_terminal {
                comfy_table::Table::new().width()
            } else {
                None
            },
            now: now(),
            default_log: std::env::var_os("KAQ_LOG")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
                || std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
        }
    }
}

/// Why a run cannot start.
#[derive(Debug)]
pub enum ConfigError {
    /// The filter (from text, or from a shorthand flag) is wrong.
    Filter { source: String, error: FilterError },
    /// A flag or argument is wrong.
    Usage {
        message: String,
        hint: Option<String>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Filter { source, error } => f.write_str(&error.render(source)),
            ConfigError::Usage { message, hint } => {
                f.write_str(message)?;
                if let Some(h) = hint {
                    write!(f, "\nhint: {h}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConfigError {}

fn usage(message: impl Into<String>, hint: Option<&str>) -> ConfigError {
    ConfigError::Usage {
        message: message.into(),
        hint: hint.map(str::to_string),
    }
}

impl Config {
    pub fn from_cli(cli: Cli, env: &Environment) -> Result<Config, ConfigError> {
        let query = query(&cli, env)?;
        let (found, follow) = inputs(&cli, query.paths, env)?;
        let output = output_spec(&cli, env, query.summary_command)?;
        let threads = match cli.threads {
            Some(0) | None => env.cores,
            Some(n) => n,
        };
        let task = match (detect_args(&cli), policy_action(&cli), rbac_args(&cli)) {
            (Some(args), _, _) => Task::Detect(detect_run(args, &cli, output.color, env)?),
            (None, Some(action), _) => Task::Policy(policy_job(action, cli.output)?),
            (None, None, Some(args)) => Task::Rbac(rbac_job(args, &cli, &output)?),
            (None, None, None) => Task::Events,
        };
        let prefilter = if cli.no_prefilter {
            None
        } else {
            Prefilter::derive(&query.filter)
        };
        Ok(Config {
            filter: query.filter,
            matcher: query.matcher,
            prefilter,
            inputs: found.inputs,
            skipped: found.skipped,
            missing: found.errors,
            threads,
            read: ReadOptions { mmap: !cli.no_mmap },
            output,
            limit: cli.limit,
            dedup: cli.dedup,
            format: match cli.format {
                crate::cli::InputFormat::Auto => None,
                crate::cli::InputFormat::Event => Some(crate::event::envelope::Format::Event),
                crate::cli::InputFormat::Aks => Some(crate::event::envelope::Format::Aks),
                crate::cli::InputFormat::Eks => Some(crate::event::envelope::Format::Eks),
                crate::cli::InputFormat::Gke => Some(crate::event::envelope::Format::Gke),
                crate::cli::InputFormat::Openshift => {
                    Some(crate::event::envelope::Format::Openshift)
                }
            },
            ignore_errors: cli.ignore_errors,
            verbose: cli.verbose,
            quiet: cli.quiet,
            task,
            follow,
        })
    }
}

/// The query: the filter with the shorthand flags folded in, compiled, and
/// the paths left over once a first argument that is a path was moved back.
struct Query {
    filter: Expr,
    matcher: Matcher,
    paths: Vec<PathBuf>,
    /// `kaq summary [PATH]...`, which reads as `kaq --summary true [PATH]...`.
    summary_command: bool,
}

/// `kaq convert --to duckdb|clickhouse`: the filter and shorthand flags as
/// a query would fold them, the shape flags (given after `convert` or
/// before it), and the statement for the engine; a construct it cannot
/// express exactly is a usage error that names it.
fn convert_sql(mut cli: Cli, env: &Environment) -> Result<Plan, ConfigError> {
    let Some(Command::Convert(args)) = cli.command.take() else {
        unreachable!("called for kaq convert")
    };
    let shape = args.shape;
    cli.columns = shape.columns.or(cli.columns.take());
    cli.count |= shape.count;
    cli.limit = shape.limit.or(cli.limit);
    cli.by = shape.by.or(cli.by.take());
    cli.top = shape.top.or(cli.top);
    cli.every = shape.every.or(cli.every.take());
    cli.distinct = shape.distinct.or(cli.distinct.take());
    cli.stats = shape.stats.or(cli.stats.take());
    if cli.count && (cli.by.is_some() || cli.every.is_some() || cli.distinct.is_some()) {
        return Err(usage(
            "--count goes with the events, not with --by, --every or --distinct",
            None,
        ));
    }
    let flags = shorthand_filter(&cli, env.now)?;
    let source_text = args.filter.clone().unwrap_or_else(|| "true".to_string());
    let filter = compile_text(&source_text)?.and(flags);
    // The same checks (regex syntax and size) a query makes.
    Matcher::compile(&filter).map_err(|error| ConfigError::Filter {
        source: source_text,
        error,
    })?;
    cli.output = Format::Csv;
    let output = output_spec(&cli, env, false)?;
    let source = match (args.from, args.table) {
        (Some(loc), _) => crate::convert::sql::Source::Files(loc),
        (None, Some(name)) => crate::convert::sql::Source::Table {
            name,
            column: args
                .json_column
                .unwrap_or_else(|| crate::convert::sql::DEFAULT_JSON_COLUMN.to_string()),
        },
        (None, None) => return Err(usage(
            "kaq convert needs --from LOCATION (NDJSON files) or --table NAME",
            Some(
                "kaq convert --to duckdb --from 's3://bucket/audit/*.log.gz' 'verb == \"delete\"'",
            ),
        )),
    };
    let request = crate::convert::sql::Request {
        target: args.to,
        source: &source,
        filter: &filter,
        columns: &output.columns,
        limit: cli.limit,
        count_only: cli.count,
        view: output.view.as_ref(),
        top: output.top,
    };
    crate::convert::sql::emit(&request)
        .map(Plan::Convert)
        .map_err(|r| usage(r.to_string(), None))
}

fn detect_args(cli: &Cli) -> Option<&DetectArgs> {
    match &cli.command {
        Some(Command::Detect(args)) => Some(args),
        _ => None,
    }
}

fn rbac_args(cli: &Cli) -> Option<&RbacArgs> {
    match &cli.command {
        Some(Command::Rbac(args)) => Some(args),
        _ => None,
    }
}

fn policy_action(cli: &Cli) -> Option<&PolicyAction> {
    match &cli.command {
        Some(Command::Policy(p)) => Some(&p.action),
        _ => None,
    }
}

fn query(cli: &Cli, env: &Environment) -> Result<Query, ConfigError> {
    let rbac = rbac_args(cli);
    let flags = shorthand_filter(cli, env.now)?;
    let has_flags = !matches!(flags, Expr::Const(true));

    // The filter and the paths. `kaq summary [PATH]...` reads as
    // `kaq --summary true [PATH]...`.
    let (detect_args, policy_action) = (detect_args(cli), policy_action(cli));
    let mut paths = match (detect_args, policy_action) {
        (Some(args), _) => args.paths.clone(),
        _ if rbac.is_some() => rbac.map(|a| a.paths.clone()).unwrap_or_default(),
        (
            _,
            Some(
                PolicyAction::Simulate { paths, .. }
                | PolicyAction::Lint { paths, .. }
                | PolicyAction::Diff { paths, .. },
            ),
        ) => paths.clone(),
        _ => cli.paths.clone(),
    };
    let mut filter_arg = cli.filter_arg.clone();
    let summary_command = cli.filter.is_none() && filter_arg.as_deref() == Some("summary");
    if summary_command {
        filter_arg = None;
    }
    let (source, filter) =
        match (cli.filter.clone(), filter_arg) {
            (Some(f), first) => {
                if let Some(first) = first {
                    paths.insert(0, PathBuf::from(first));
                }
                let expr = compile_text(&f)?;
                (f, expr)
            }
            (None, Some(arg)) => match parse_filter(&arg) {
                Ok(expr) => (arg, expr),
                // Not a filter but an existing path: `kaq --verb delete audit.log`.
                Err(_) if Path::new(&arg).exists() => {
                    paths.insert(0, PathBuf::from(&arg));
                    ("true".to_string(), Expr::Const(true))
                }
                Err(error) => return Err(ConfigError::Filter { source: arg, error }),
            },
            (None, None)
                if has_flags
                    || summary_command
                    || cli.summary
                    || detect_args.is_some()
                    || policy_action.is_some()
                    || rbac.is_some() =>
            {
                ("true".to_string(), Expr::Const(true))
            }
            (None, None) => return Err(usage(
                "no filter given",
                Some("`kaq true FILE` prints every event; `kaq --help` shows the filter language"),
            )),
        };
    let mut filter = filter.and(flags);
    if let Some(args) = rbac {
        // The subject's events, as the impersonated user or not; the work
        // checks which user the request was authorized as. Here it lets the
        // prefilter skip other users' lines unparsed.
        let (field, value) = match (&cli.user, &args.serviceaccount, &args.group) {
            (_, _, Some(g)) => ("groups", g.clone()),
            (_, Some(sa), _) => ("username", service_account_user(sa)?),
            (Some(u), _, _) => ("username", u.clone()),
            _ => return Err(rbac_no_subject()),
        };
        filter = filter.and(Expr::Or(vec![
            Expr::field_cmp(keys(&["user", field]), CmpOp::Eq, string(&value)),
            Expr::field_cmp(
                keys(&["impersonatedUser", field]),
                CmpOp::Eq,
                string(&value),
            ),
        ]));
    }
    let matcher =
        Matcher::compile(&filter).map_err(|error| ConfigError::Filter { source, error })?;
    Ok(Query {
        filter,
        matcher,
        paths,
        summary_command,
    })
}

/// The inputs to read, and with `--follow` the live files to follow.
fn inputs(
    cli: &Cli,
    paths: Vec<PathBuf>,
    env: &Environment,
) -> Result<(Discovered, Option<crate::input::live::FollowSpec>), ConfigError> {
    let policy_action = policy_action(cli);
    let follow_paths = if cli.follow {
        if rbac_args(cli).is_some() {
            return Err(usage(
                "--follow applies to queries and kaq detect; kaq rbac reads captured logs",
                None,
            ));
        }
        if policy_action.is_some() {
            return Err(usage(
                "--follow applies to queries and kaq detect; kaq policy reads captured logs",
                None,
            ));
        }
        if cli.dedup {
            return Err(usage(
                "--dedup reads its inputs twice and cannot follow a live log",
                None,
            ));
        }
        let paths = if paths.is_empty() {
            vec![env
                .default_log
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_LOG))]
        } else {
            paths.clone()
        };
        Some(crate::input::live::live_paths(&paths).map_err(|m| usage(m, None))?)
    } else {
        None
    };
    let mut follow = None;
    let found: Discovered = if let Some(live) = follow_paths {
        // Each live file, after its backups when --since replays them.
        let mut found = Discovered::default();
        let mut tails = Vec::new();
        for path in live {
            let mut backups = Vec::new();
            if cli.since.is_some() {
                for input in rotated_set(&path).inputs {
                    if input != Input::File(path.clone()) {
                        backups.push(found.inputs.len());
                        found.inputs.push(input);
                    }
                }
            }
            tails.push(crate::input::live::TailSpec {
                input: found.inputs.len(),
                path: path.clone(),
                backups,
            });
            found.inputs.push(Input::File(path));
        }
        follow = Some(crate::input::live::FollowSpec {
            tails,
            // --since replays the recent past: the live file from its start.
            from_start: cli.from_start || cli.since.is_some(),
            interval: crate::input::live::INTERVAL,
            bookmark: cli.bookmark.clone(),
        });
        found
    } else if !paths.is_empty() {
        discover(&paths)
    } else if !env.stdin_is_terminal {
        Discovered {
            inputs: vec![Input::Stdin],
            ..Default::default()
        }
    } else {
        let live = env
            .default_log
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_LOG));
        if !live.exists() {
            return Err(usage(
                format!("no input: stdin is a terminal and {} does not exist", live.display()),
                Some("name a file or directory (kaq 'verb == \"delete\"' audit.log), pipe events in, or set KAQ_LOG"),
            ));
        }
        rotated_set(&live)
    };

    if cli.dedup && found.inputs.contains(&Input::Stdin) {
        return Err(usage(
            "--dedup reads its inputs twice and cannot read stdin",
            Some(
                "save the events to a file first: ... > events.log; kaq --dedup FILTER events.log",
            ),
        ));
    }
    Ok((found, follow))
}

/// What to print and how: format, columns, view, colour.
fn output_spec(
    cli: &Cli,
    env: &Environment,
    summary_command: bool,
) -> Result<OutputSpec, ConfigError> {
    let format = if cli.compact {
        Format::Ndjson
    } else if cli.raw {
        Format::Raw
    } else {
        cli.output
    };
    let columns = match &cli.columns {
        Some(spec) => {
            if matches!(format, Format::Json | Format::Ndjson) {
                return Err(usage(
                    "--columns applies to table, wide, csv and tsv output",
                    Some("json and ndjson print whole events"),
                ));
            }
            parse_columns(spec).map_err(|m| usage(m, None))?
        }
        None => default_columns(format == Format::Wide),
    };
    if format == Format::Raw && columns.len() != 1 {
        return Err(usage(
            "-r prints one column's values: give --columns one field",
            Some("kaq -r --columns user.username FILTER FILE"),
        ));
    }
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => env.stdout_is_terminal && !env.no_color,
    };
    let view = aggregate_view(cli, summary_command)?;
    if view.is_some() && cli.columns.is_some() {
        return Err(usage(
            "--columns applies to event output, not to --by, --every, --distinct or summaries",
            None,
        ));
    }
    Ok(OutputSpec {
        format,
        columns,
        count_only: cli.count,
        sanitize: env.stdout_is_terminal,
        width: env.width,
        color,
        view,
        top: cli.top,
    })
}

/// A policy file's name (as given) and text.
fn read_policy(path: &Path) -> Result<(String, String), ConfigError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        usage(
            format!("{name}: {}", crate::messages::describe_io(&e)),
            None,
        )
    })?;
    Ok((name, text))
}

/// Reads and checks a policy file for `kaq policy`.
pub fn load_policy(path: &Path) -> Result<crate::policy::Policy, ConfigError> {
    let (name, text) = read_policy(path)?;
    crate::policy::schema::parse(&text, &name)
        .map(crate::policy::Policy::new)
        .map_err(|e| {
            usage(
                e.to_string(),
                Some("kaq policy lint FILE explains every problem"),
            )
        })
}

fn policy_job(
    action: &PolicyAction,
    format: Format,
) -> Result<crate::policy::run::Job, ConfigError> {
    use crate::policy::run::{Job, Mode};
    let named = |p: &PathBuf| load_policy(p).map(|pol| (p.display().to_string(), pol));
    let (mode, policies) = match action {
        PolicyAction::Simulate { policy, .. } => (Mode::Simulate, vec![named(policy)?]),
        PolicyAction::Lint { policy, .. } => (Mode::Lint, vec![named(policy)?]),
        PolicyAction::Diff { old, new, .. } => (Mode::Diff, vec![named(old)?, named(new)?]),
    };
    if !matches!(format, Format::Table | Format::Json | Format::Ndjson) {
        return Err(usage(
            "kaq policy prints a table (default) or JSON (-o json); simulate -o ndjson writes the events",
            None,
        ));
    }
    let each = matches!(action, PolicyAction::Simulate { each: true, .. });
    Ok(Job {
        each,
        json: matches!(format, Format::Json | Format::Ndjson),
        rewrite: mode == Mode::Simulate && format == Format::Ndjson && !each,
        mode,
        policies,
    })
}

fn rbac_no_subject() -> ConfigError {
    usage(
        "kaq rbac needs a subject: --user NAME, --serviceaccount NS:NAME or --group GROUP",
        None,
    )
}

/// `--serviceaccount NS:NAME` as its user name.
fn service_account_user(sa: &str) -> Result<String, ConfigError> {
    match sa.split_once(':') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains(':') => {
            Ok(format!("system:serviceaccount:{ns}:{name}"))
        }
        _ => Err(usage(
            format!("--serviceaccount {sa:?}: expected NAMESPACE:NAME"),
            Some("kaq rbac --serviceaccount kube-system:coredns"),
        )),
    }
}

/// `--generate-labels a=b,c=d`.
fn pairs(flag: &str, list: &str) -> Result<Vec<(String, String)>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| match item.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(usage(format!("{flag} {item:?}: expected key=value"), None)),
        })
        .collect()
}

/// Checks the flags of `kaq rbac` and reads `--existing`.
fn rbac_job(
    args: &RbacArgs,
    cli: &Cli,
    output: &OutputSpec,
) -> Result<crate::rbac::run::Job, ConfigError> {
    use crate::rbac::collect::Subject;
    let subject = match (&cli.user, &args.serviceaccount, &args.group) {
        (Some(u), None, None) => {
            if u.is_empty() || u.contains(['*', '?']) {
                return Err(usage(
                    format!("kaq rbac --user {u:?}: name one user exactly (no globs)"),
                    None,
                ));
            }
            Subject::User(u.clone())
        }
        (None, Some(sa), None) => Subject::User(service_account_user(sa)?),
        (None, None, Some(g)) if !g.is_empty() => Subject::Group(g.clone()),
        (None, None, None) => return Err(rbac_no_subject()),
        _ => {
            return Err(usage(
                "kaq rbac takes one subject: --user, --serviceaccount or --group",
                None,
            ))
        }
    };
    if output.view.is_some() || output.count_only || cli.limit.is_some() {
        return Err(usage(
            "--by, --every, --distinct, --stats, --summary, --count and --limit do not apply to kaq rbac",
            None,
        ));
    }
    let json = match (output.format, args.usage) {
        (Format::Table, _) => false,
        (Format::Json, true) => true,
        _ => {
            return Err(usage(
                "kaq rbac prints YAML; with --usage, a table (default) or JSON (-o json)",
                None,
            ))
        }
    };
    let existing = match &args.existing {
        None => None,
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| {
                usage(
                    format!("{name}: {}", crate::messages::describe_io(&e)),
                    None,
                )
            })?;
            let rbac = crate::rbac::dump::parse(&text, &name).map_err(|e| {
                usage(
                    e.to_string(),
                    Some("--existing reads kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml"),
                )
            })?;
            Some((name, rbac))
        }
    };
    let default_name = || {
        let who = match &subject {
            Subject::User(u) | Subject::Group(u) => u,
        };
        format!("kaq:{}", who.replace(['/', '%'], "-"))
    };
    let name = args.generate_name.clone().unwrap_or_else(default_name);
    // ValidateRBACName: a path segment name.
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '%']) {
        return Err(usage(
            format!(
                "--generate-name {name:?}: Kubernetes refuses it as the name of a Role or binding"
            ),
            Some("a name that is not empty, not . or .., without / and %"),
        ));
    }
    Ok(crate::rbac::run::Job {
        name,
        labels: pairs("--generate-labels", &args.generate_labels)?,
        annotations: pairs(
            "--generate-annotations",
            args.generate_annotations.as_deref().unwrap_or_default(),
        )?,
        subject,
        existing,
        include_denied: args.include_denied,
        expand: crate::rbac::generate::Expand {
            multi_namespace: args.expand_multi_namespace,
            multi_name: args.expand_multi_name,
        },
        usage: args.usage,
        json,
        quiet: cli.quiet,
    })
}

/// Loads and selects the rules of a `kaq detect` run.
pub fn detect_rules(args: &DetectArgs) -> Result<Vec<crate::detect::Rule>, ConfigError> {
    let files =
        crate::detect::read_rule_files(&args.rules).map_err(|e| usage(e.to_string(), None))?;
    let mut rules = crate::detect::load(&files).map_err(|e| usage(e.to_string(), None))?;
    if !args.sigma.is_empty() {
        let sigma = crate::sigma::load(&args.sigma).map_err(|e| usage(e.to_string(), None))?;
        if sigma.skipped > 0 {
            eprintln!(
                "kaq: --sigma: skipped {} rule(s) whose logsource is not Kubernetes audit",
                sigma.skipped
            );
        }
        for r in sigma.rules {
            if let Some(first) = rules.iter().find(|x| x.id == r.id) {
                return Err(usage(
                    format!(
                        "{}: rule {}: the id is already used ({})",
                        r.origin, r.id, first.origin
                    ),
                    None,
                ));
            }
            rules.push(r);
        }
    }
    Ok(rules)
}

fn detect_run(
    args: &DetectArgs,
    cli: &Cli,
    color: bool,
    env: &Environment,
) -> Result<DetectRun, ConfigError> {
    let all = detect_rules(args)?;
    let selection = Selection {
        only: args.only.clone(),
        skip: args.skip.clone(),
    };
    let rules = crate::detect::select(all, &selection)
        .map_err(|m| usage(m, Some("kaq detect --list shows every rule")))?;
    if rules.is_empty() {
        return Err(usage(
            "no rule left to run",
            Some("check --only and --skip"),
        ));
    }
    if cli.output == Format::Raw {
        return Err(usage("-r does not apply to kaq detect", None));
    }
    Ok(DetectRun {
        detector: Detector::new(rules, args.no_thresholds),
        options: findings::Options {
            format: cli.output,
            by_rule: args.by.is_some(),
            show_from: args.severity,
            color,
            width: env.width,
            sanitize: env.stdout_is_terminal,
        },
        fail_on: args.fail_on,
    })
}

fn key_fields(list: &str, flag: &str) -> Result<Vec<KeyField>, ConfigError> {
    let fields: Vec<KeyField> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            field_path(name)
                .map(|path| KeyField {
                    name: name.to_string(),
                    path,
                })
                .map_err(|m| usage(format!("{flag}: {m}"), None))
        })
        .collect::<Result<_, _>>()?;
    if fields.is_empty() {
        return Err(usage(format!("{flag} needs at least one field"), None));
    }
    Ok(fields)
}

/// The aggregate view the flags ask for, if any.
fn aggregate_view(cli: &Cli, summary_command: bool) -> Result<Option<View>, ConfigError> {
    if summary_command || cli.summary {
        return Ok(Some(View::Summary));
    }
    if let Some(field) = &cli.distinct {
        let mut fields = key_fields(field, "--distinct")?;
        if fields.len() != 1 {
            return Err(usage(
                "--distinct takes one field",
                Some("for combinations use --by a,b"),
            ));
        }
        return Ok(Some(View::Distinct {
            field: fields.remove(0),
        }));
    }
    let by = match &cli.by {
        Some(list) => key_fields(list, "--by")?,
        None => Vec::new(),
    };
    if let Some(every) = &cli.every {
        if cli.stats.is_some() {
            return Err(usage("--stats goes with --by, not --every", None));
        }
        let every = parse_duration(every).filter(|&us| us > 0).ok_or_else(|| {
            usage(
                format!("--every {every:?}: expected a duration such as 1m, 5m, 1h or 1d"),
                None,
            )
        })?;
        return Ok(Some(View::Timeline { every, by }));
    }
    let stats = match &cli.stats {
        Some(name) => Some(key_fields(name, "--stats")?.remove(0)),
        None => None,
    };
    if cli.by.is_some() || stats.is_some() {
        return Ok(Some(View::GroupBy { by, stats }));
    }
    if cli.top.is_some() {
        return Err(usage(
            "--top goes with --by, --every or --distinct",
            Some("to stop after N events use --limit N"),
        ));
    }
    Ok(None)
}

fn compile_text(src: &str) -> Result<Expr, ConfigError> {
    parse_filter(src).map_err(|error| ConfigError::Filter {
        source: src.to_string(),
        error,
    })
}

fn keys(k: &[&str]) -> FieldPath {
    FieldPath::keys(k)
}

fn string(s: &str) -> Literal {
    Literal::String(s.to_string())
}

/// The shorthand flags as one expression (`true` when none is given). They
/// build the AST directly, already canonical.
///
/// Each flag is folded in by its own helper, which takes the expression so
/// far and `and`s its conditions onto it. Threading `e` through (rather than
/// building each flag's part apart and joining them) keeps the `And` list
/// flat and in flag order, exactly as one long function built it; the flags
/// are checked in this order, so the first bad one is the one reported.
fn shorthand_filter(cli: &Cli, now: Micros) -> Result<Expr, ConfigError> {
    let mut e = Expr::Const(true);
    if let Some(v) = &cli.verb {
        e = and_verb(e, v)?;
    }
    if let Some(r) = &cli.resource {
        e = and_resource(e, r)?;
    }
    if let Some(ns) = &cli.namespace {
        e = e.and(Expr::field_cmp(
            keys(&["objectRef", "namespace"]),
            CmpOp::Eq,
            string(ns),
        ));
    }
    // `kaq rbac --user` names the subject, not a filter.
    if let Some(u) = cli.user.as_ref().filter(|_| rbac_args(cli).is_none()) {
        e = e.and(Expr::field_cmp(
            keys(&["user", "username"]),
            CmpOp::Glob,
            string(u),
        ));
    }
    if let Some(c) = &cli.code {
        e = and_code(e, c)?;
    }
    if let Some(s) = &cli.stage {
        e = and_stage(e, s)?;
    }
    for (flag, value, op) in [
        ("--since", &cli.since, CmpOp::Ge),
        ("--until", &cli.until, CmpOp::Lt),
    ] {
        if let Some(v) = value {
            e = and_time_bound(e, flag, v, op, now)?;
        }
    }
    Ok(e)
}

/// `--verb get,list`: the verb is one of a comma-separated list. Blank items
/// are ignored, but a list with none left is a usage error rather than a
/// filter that matches nothing.
fn and_verb(e: Expr, v: &str) -> Result<Expr, ConfigError> {
    let verbs: Vec<Literal> = v
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(string)
        .collect();
    if verbs.is_empty() {
        return Err(usage("--verb needs at least one verb", None));
    }
    Ok(e.and(Expr::field_cmp(
        keys(&["verb"]),
        CmpOp::In,
        Literal::List(verbs),
    )))
}

/// `--resource pods` or `--resource pods/exec`: the resource, and the
/// subresource when one follows a slash. Either half empty is an error, so
/// that `pods/` does not silently mean "any subresource".
fn and_resource(e: Expr, r: &str) -> Result<Expr, ConfigError> {
    let (res, sub) = match r.split_once('/') {
        Some((a, b)) => (a, Some(b)),
        None => (r, None),
    };
    if res.is_empty() || sub == Some("") {
        return Err(usage(
            format!("--resource {r:?}: expected `pods` or `pods/exec`"),
            None,
        ));
    }
    let mut e = e.and(Expr::field_cmp(
        keys(&["objectRef", "resource"]),
        CmpOp::Eq,
        string(res),
    ));
    if let Some(sub) = sub {
        e = e.and(Expr::field_cmp(
            keys(&["objectRef", "subresource"]),
            CmpOp::Eq,
            string(sub),
        ));
    }
    Ok(e)
}

/// `--code 403` or `--code 4xx`: one response code, or a class as the range
/// `[400, 500)` so that it needs no special matching at run time.
fn and_code(e: Expr, c: &str) -> Result<Expr, ConfigError> {
    let path = keys(&["responseStatus", "code"]);
    let c = c.trim();
    if let Some(class) = c.strip_suffix("xx").or_else(|| c.strip_suffix("XX")) {
        match class.parse::<u8>() {
            Ok(d @ 1..=5) if class.len() == 1 => {
                let lo = i128::from(d) * 100;
                Ok(e.and(Expr::field_cmp(
                    path.clone(),
                    CmpOp::Ge,
                    Literal::Number(Number::Int(lo)),
                ))
                .and(Expr::field_cmp(
                    path,
                    CmpOp::Lt,
                    Literal::Number(Number::Int(lo + 100)),
                )))
            }
            _ => Err(usage(format!("--code {c:?}: a class is 1xx to 5xx"), None)),
        }
    } else {
        let n: u16 = c.parse().map_err(|_| {
            usage(
                format!("--code {c:?}: expected a code such as 403 or a class such as 4xx"),
                None,
            )
        })?;
        Ok(e.and(Expr::field_cmp(
            path,
            CmpOp::Eq,
            Literal::Number(Number::from(n)),
        )))
    }
}

/// `--stage`: one of the four audit stages, matched case-insensitively on
/// the command line but compared with its canonical spelling, which is how
/// it appears in the log.
fn and_stage(e: Expr, s: &str) -> Result<Expr, ConfigError> {
    const STAGES: [&str; 4] = [
        "RequestReceived",
        "ResponseStarted",
        "ResponseComplete",
        "Panic",
    ];
    let stage = STAGES
        .iter()
        .find(|x| x.eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            usage(
                format!("--stage {s:?}: expected one of {}", STAGES.join(", ")),
                None,
            )
        })?;
    Ok(e.and(Expr::field_cmp(keys(&["stage"]), CmpOp::Eq, string(stage))))
}

/// `--since` (with `op` `>=`) or `--until` (`<`): a bound on
/// `stageTimestamp`, given as a duration back from `now` or as an RFC 3339
/// time. `flag` names the flag in the error message.
fn and_time_bound(
    e: Expr,
    flag: &str,
    v: &str,
    op: CmpOp,
    now: Micros,
) -> Result<Expr, ConfigError> {
    let t = parse_time_bound(v, now).ok_or_else(|| {
        usage(
            format!("{flag} {v:?}: expected a duration (90m, 2h, 7d) or an RFC 3339 time"),
            Some("an RFC 3339 time looks like 2024-05-01T12:00:00Z"),
        )
    })?;
    Ok(e.and(Expr::field_cmp(
        keys(&["stageTimestamp"]),
        op,
        Literal::Time(t),
    )))
}
