//! The command line, as clap reads it. Nothing here is checked beyond syntax:
//! [`crate::config::Config::from_cli`] turns these raw flags into a run.

pub mod generate;

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::detect::Severity;

use crate::output::Format;

const ABOUT: &str = "Query Kubernetes API-server audit logs: plain, rotated and gzipped, fast.";

const AFTER_HELP: &str = "\
Examples:
  kaq 'verb == \"delete\" and resource == \"secrets\"' /var/log/kubernetes/
  kaq --user 'system:serviceaccount:*' --code 403 audit.log
  kaq -o ndjson 'objectRef.subresource == \"exec\"' audit.log.gz | jq .

Exit status: 0 if an event matched, 1 if none did, 2 on an error (a bad filter,
an unreadable input, or a malformed line unless --ignore-errors).

'kaq --help' shows the filter language and more examples.";

pub const AFTER_LONG_HELP: &str = "\
FILTER LANGUAGE
  Fields: verb, stage, level, auditID, requestURI, userAgent, user.username,
  user.groups, user.extra, impersonatedUser.*, sourceIPs, objectRef.resource,
  .namespace, .name, .subresource, .apiGroup, .apiVersion, .uid,
  responseStatus.code, .status, .reason, .message, requestReceivedTimestamp,
  stageTimestamp, annotations[\"authorization.k8s.io/decision\"], and any path
  into requestObject / responseObject, with [N] and [*]:
    requestObject.spec.containers[*].securityContext.privileged == true

  Computed: latency (seconds; compare with durations: latency > 5s; CSV and
  TSV print seconds, tables a duration), exec.command (the decoded command of
  an exec), actor (the impersonated user if any, else the user), impersonator
  (the user, when impersonatedUser is present and not null), format (the
  envelope: event, aks, eks, gke, openshift), pod.spec, pod.containers and
  pod.volumes (the pod spec a request writes, by the body's kind or else
  objectRef.resource: a Pod's spec, the template of a Deployment, ReplicaSet,
  StatefulSet, DaemonSet, Job, ReplicationController, CronJob or
  PodTemplate; missing for any other object; containers include init and
  ephemeral ones).

  Numbers: two integers compare exactly (beyond 2^53 too); an integer and a
  fraction compare as floats.

  Aliases: user (user.username), groups, as (impersonatedUser.username),
  resource, subresource, namespace / ns, name, apiGroup, code, ip (sourceIPs),
  time (stageTimestamp), uri, decision and reason (the authorization
  annotations).

  Literals: \"strings\", numbers, true, false, null, lists [\"get\", \"list\"].
  A string compared with a timestamp field is an RFC 3339 time.

  Operators: == != < <= > >=, in, not in, contains, startswith, endswith,
  =~ and !~ (regex), ~ (glob: * and ?), within (IP in CIDR blocks:
  ip within [\"10.0.0.0/8\", \"fd00::/8\"]), exists(path), and / or / not
  (also && || !), parentheses. any(path, cond) and all(path, cond) test each
  element of a list, with paths in cond relative to the element:
    any(requestObject.rules[*], \"pods/exec\" in resources and \"create\" in verbs)

  A path with several values (a list, or [*]) matches if any value does.
  A missing field is null: == is false, != is true. Types are strict:
  code == 403, not code == \"403\" (kaq reports the mismatch).

EXAMPLES
  Who deleted secrets, across the live log and every rotated backup:
    kaq 'verb == \"delete\" and resource == \"secrets\"' /var/log/kubernetes/
  Exec into pods, with the command line from the URI:
    kaq -o wide 'subresource == \"exec\"' audit.log
  Privileged pods created or updated:
    kaq 'verb in [\"create\", \"update\"] and resource == \"pods\" and
         requestObject.spec.containers[*].securityContext.privileged == true' audit.log
  Bindings to cluster-admin:
    kaq 'resource == \"clusterrolebindings\" and requestObject.roleRef.name == \"cluster-admin\"'
  Forbidden requests for secrets in the last two hours:
    kaq --since 2h --code 403 --resource secrets
  Anything from an address outside the cluster network:
    kaq 'not ip startswith \"10.\"' --verb delete -o csv --columns time,user,ip,uri
  Who deleted the most; which addresses collect 403s:
    kaq --by user --verb delete audit.log
    kaq --by ip,user --code 403 --top 10 audit.log
  When did it start (bars on a terminal); slow requests per resource:
    kaq --every 5m 'resource == \"secrets\"' /var/log/kubernetes/
    kaq --by resource --stats latency audit.log
  The first screen on an unknown log:
    kaq summary /var/log/kubernetes/
  Every built-in detection (privileged pods, exec, cluster-admin bindings,
  anonymous access, secret enumeration, ...) in one pass:
    kaq detect /var/log/kubernetes/        (kaq detect --help)
  What a candidate audit Policy would have logged, from logs captured:
    kaq policy simulate --policy policy.yaml /var/log/kubernetes/
    kaq policy lint policy.yaml            (kaq policy --help)

EXIT STATUS
  0  at least one event matched
  1  no event matched
  2  an error: a bad filter or flag, an input that could not be read, or a
     malformed line (unless --ignore-errors); matches may have been printed.
  kaq detect: 1 means findings at or above --fail-on; kaq policy lint: 1
  means problems found; kaq policy simulate and diff: 0 unless an error;
  kaq rbac: 1 means the subject made no request (or none allowed) to grant.
  A closed pipe (kaq ... | head) ends kaq quietly with status 0.

FILES
  /var/log/kubernetes/audit.log
               the kubeadm default audit log, read (with its rotated backups
               audit-YYYY-MM-DDTHH-MM-SS.mmm.log[.gz]) when no PATH is given
               and stdin is a terminal

ENVIRONMENT
  KAQ_LOG      the audit log read when no PATH is given and stdin is a terminal
               (default /var/log/kubernetes/audit.log and its rotated backups)
  KAQ_THREADS  default for --threads";

/// `--format`: which envelope to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Detect per record (plain Events and every cloud envelope).
    Auto,
    /// Plain audit Events only.
    Event,
    /// Azure AKS diagnostic records.
    Aks,
    /// Amazon EKS CloudWatch records.
    Eks,
    /// Google GKE Cloud Audit Log entries.
    Gke,
    /// OpenShift must-gather lines.
    Openshift,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// kaq: jq for Kubernetes audit logs.
#[derive(Debug, Parser)]
#[command(
    name = "kaq",
    version,
    about = ABOUT,
    after_help = AFTER_HELP,
    after_long_help = AFTER_LONG_HELP,
    max_term_width = 100,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The filter (e.g. 'verb == "delete"'); `true` matches every event.
    /// With -e, this is the first PATH.
    #[arg(value_name = "FILTER")]
    pub filter_arg: Option<String>,

    /// Files or directories to read; `-` is stdin. Default: stdin when piped,
    /// else /var/log/kubernetes/audit.log and its rotated backups.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    // ---- Filter ----
    /// The filter as a flag; every positional argument is then a PATH.
    #[arg(
        short = 'e',
        long = "filter",
        value_name = "EXPR",
        help_heading = "Filter"
    )]
    pub filter: Option<String>,

    /// Only these verbs (comma-separated: get,list,watch).
    #[arg(long, value_name = "VERBS", global = true, help_heading = "Filter")]
    pub verb: Option<String>,

    /// Only this resource: `pods`, or `pods/exec` for a subresource.
    #[arg(long, value_name = "RESOURCE", global = true, help_heading = "Filter")]
    pub resource: Option<String>,

    /// Only this namespace.
    #[arg(
        short = 'n',
        long,
        value_name = "NAMESPACE",
        global = true,
        help_heading = "Filter"
    )]
    pub namespace: Option<String>,

    /// Only users matching this glob (`system:serviceaccount:kube-system:*`).
    #[arg(long, value_name = "GLOB", global = true, help_heading = "Filter")]
    pub user: Option<String>,

    /// Only this response code (`403`) or class (`4xx`).
    #[arg(long, value_name = "CODE", global = true, help_heading = "Filter")]
    pub code: Option<String>,

    /// Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic).
    #[arg(long, value_name = "STAGE", global = true, help_heading = "Filter")]
    pub stage: Option<String>,

    /// Only events at or after this time: a duration back from now (`90m`,
    /// `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp.
    #[arg(long, value_name = "WHEN", global = true, help_heading = "Filter")]
    pub since: Option<String>,

    /// Only events before this time (same forms as --since).
    #[arg(long, value_name = "WHEN", global = true, help_heading = "Filter")]
    pub until: Option<String>,

    /// One event per request: a request logged at several stages (or copied
    /// twice) counts once, at its most complete stage (ResponseComplete,
    /// Panic, ResponseStarted, RequestReceived). Reads the input twice.
    #[arg(long, help_heading = "Filter")]
    pub dedup: bool,

    // ---- Output ----
    /// Output format.
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        default_value = "table",
        global = true,
        help_heading = "Output"
    )]
    pub output: Format,

    /// When to colour tables: auto (on a terminal, unless NO_COLOR is set),
    /// always, never.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        global = true,
        help_heading = "Output"
    )]
    pub color: ColorChoice,

    /// Compact JSON, one event per line (same as -o ndjson).
    #[arg(short = 'c', long, conflicts_with = "output", help_heading = "Output")]
    pub compact: bool,

    /// Raw values of one column, one per line, no header (with --columns):
    /// kaq -r --columns user 'verb == "delete"' audit.log | sort | uniq -c
    #[arg(
        short = 'r',
        long,
        requires = "columns",
        conflicts_with = "output",
        help_heading = "Output"
    )]
    pub raw: bool,

    /// Columns for table, csv and tsv: field paths, aliases, or the display
    /// columns user, resource, object and latency (e.g. time,user,verb,objectRef.name).
    #[arg(long, value_name = "LIST", help_heading = "Output")]
    pub columns: Option<String>,

    /// Print only the number of matching events.
    #[arg(long, conflicts_with_all = ["by", "every", "distinct", "stats", "summary"], help_heading = "Output")]
    pub count: bool,

    /// Stop after N matching events (and stop reading).
    #[arg(short = 'm', long, value_name = "N", conflicts_with_all = ["by", "every", "distinct", "stats", "summary"], help_heading = "Output")]
    pub limit: Option<u64>,

    /// Show every malformed line, skipped files and other notes on stderr.
    #[arg(short = 'v', long, action = ArgAction::SetTrue, global = true, help_heading = "Output")]
    pub verbose: bool,

    /// Print no warnings about malformed lines.
    #[arg(
        short = 'q',
        long,
        conflicts_with = "verbose",
        global = true,
        help_heading = "Output"
    )]
    pub quiet: bool,

    // ---- Aggregation ----
    /// Count matching events per distinct value of these fields
    /// (comma-separated). An event counts once for each distinct value of a
    /// field with several (user.groups, sourceIPs), so SHARE is the share of
    /// matching events that carry the value: the shares of such a field may
    /// add up past 100%, one share never. --every and --distinct count the
    /// same way.
    #[arg(long, value_name = "FIELDS", help_heading = "Aggregation")]
    pub by: Option<String>,

    /// Show only the N biggest rows (for --every: series).
    #[arg(long, value_name = "N", help_heading = "Aggregation")]
    pub top: Option<usize>,

    /// A timeline: counts per time bucket of stageTimestamp (1m, 5m, 1h, 1d);
    /// with --by, one series per key.
    #[arg(long, value_name = "DURATION", help_heading = "Aggregation")]
    pub every: Option<String>,

    /// Each distinct value of FIELD with the number of events that carry it
    /// and first/last seen.
    #[arg(long, value_name = "FIELD", conflicts_with_all = ["by", "every"], help_heading = "Aggregation")]
    pub distinct: Option<String>,

    /// With --by: count, p50, p90, p99 and max of a numeric field per key
    /// (e.g. latency).
    #[arg(long, value_name = "FIELD", help_heading = "Aggregation")]
    pub stats: Option<String>,

    /// A one-screen summary of the matching events (also: kaq summary [PATH]...).
    #[arg(long, conflicts_with_all = ["by", "every", "distinct", "stats"], help_heading = "Aggregation")]
    pub summary: bool,

    // ---- Input ----
    /// Threads to use (default: all cores). With -j1, reading, gzip decoding
    /// and scanning all run on one thread.
    #[arg(
        short = 'j',
        long,
        value_name = "N",
        env = "KAQ_THREADS",
        global = true,
        help_heading = "Input"
    )]
    pub threads: Option<usize>,

    /// Which envelope the records come in; others are reported as errors.
    /// Default: detected per record, so one file can mix them.
    #[arg(
        long,
        value_enum,
        value_name = "FORMAT",
        default_value = "auto",
        global = true,
        help_heading = "Input"
    )]
    pub format: InputFormat,

    /// Parse every line. By default a line that lacks a literal the filter
    /// needs is skipped unparsed (it is still checked for corruption); this
    /// validates every line and reports every malformed one.
    #[arg(long, help_heading = "Input")]
    pub no_prefilter: bool,

    /// Never memory-map files; read them.
    #[arg(long, global = true, help_heading = "Input")]
    pub no_mmap: bool,

    /// Follow the live log: print matching events as they are written,
    /// across rotations (rename, copytruncate, remove and recreate; copies
    /// rotated away while kaq was behind are read too), until Ctrl-C or
    /// SIGTERM (exit 130 or 143). PATH is the live file or its directory
    /// (default the kubeadm path, or KAQ_LOG). Starts at the end; see
    /// --from-start, --since and --bookmark. Exit 3: part of a log could not
    /// be read (reported as LOST on stderr).
    #[arg(short = 'F', long, global = true, help_heading = "Input")]
    pub follow: bool,

    /// With --follow: read the live file from its start before following
    /// (with --since, its rotated backups too).
    #[arg(long, global = true, requires = "follow", help_heading = "Input")]
    pub from_start: bool,

    /// With --follow: keep the position in FILE as kaq goes, and start
    /// there when FILE exists: a restarted kaq goes on through every copy
    /// rotated while it was stopped, printing no event twice.
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        requires = "follow",
        help_heading = "Input"
    )]
    pub bookmark: Option<PathBuf>,

    /// Exit 0/1 even when lines were malformed (they are still reported).
    #[arg(long, global = true, help_heading = "Input")]
    pub ignore_errors: bool,

    /// Write the man page or a shell completion script to stdout.
    #[arg(long, value_enum, value_name = "KIND", hide = true)]
    pub generate: Option<generate::Generate>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Hunt for attacks and risky changes with the built-in detection rules
    /// (and yours), all in one pass over the logs.
    #[command(after_help = DETECT_AFTER_HELP, after_long_help = DETECT_AFTER_HELP)]
    Detect(DetectArgs),
    /// Replay captured logs through an audit Policy: what would it have
    /// logged, at what size; lint a policy; compare two.
    Policy(PolicyArgs),
    /// Print the question as a query for another engine (DuckDB,
    /// ClickHouse, Spark SQL) or as a Sigma rule, with kaq's semantics.
    Convert(ConvertArgs),
    /// Least privilege from the log: the RBAC YAML that grants exactly what
    /// a user, service account or group did; which granted rules went unused.
    #[command(after_help = RBAC_AFTER_HELP, after_long_help = RBAC_AFTER_HELP)]
    Rbac(RbacArgs),
}

const RBAC_AFTER_HELP: &str = "\
Examples:
  kaq rbac --serviceaccount shop:web /var/log/kubernetes/ > web-rbac.yaml
  kaq rbac --user alice --since 30d --expand-multi-name audit.log
  kaq rbac --serviceaccount ci:deployer --include-denied --since 1h audit.log
  kubectl get roles,rolebindings,clusterroles,clusterrolebindings -A -o yaml > rbac.yaml
  kaq rbac --user alice --existing rbac.yaml audit.log          # only what is missing
  kaq rbac --user alice --existing rbac.yaml --usage audit.log  # used vs granted
  kaq rbac --group dev --existing rbac.yaml --usage -o json audit.log

A request counts once (by auditID, at its most complete stage) and is
granted when the API server allowed it (the authorization.k8s.io/decision
annotation, else a response code other than 401, 403 and 429). Impersonated
requests count for the impersonated user. --user names one user exactly (no
globs). With --existing, the YAML goes to stdout and, on stderr (not with
-q), each binding that applies, rule by rule: used how often, or never. The
shorthand filters (--since, --until, -n, --verb, ...) limit the events
read. Exit status: 0 printed, 1 the subject made no (allowed) request, 2 an
error. See docs/rbac.md.";

/// `kaq rbac`.
#[derive(Debug, Args)]
pub struct RbacArgs {
    /// Files or directories to read; `-` is stdin. Default: stdin when piped,
    /// else /var/log/kubernetes/audit.log and its rotated backups.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// For this service account: NAMESPACE:NAME, the user
    /// system:serviceaccount:NAMESPACE:NAME. For a user: --user NAME
    /// (exactly, no globs).
    #[arg(long, value_name = "NS:NAME", conflicts_with = "group")]
    pub serviceaccount: Option<String>,

    /// For the requests of this group's members, bound to the group.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,

    /// An RBAC dump, YAML or JSON, as kubectl get -A -o yaml prints
    /// roles,rolebindings,clusterroles,clusterrolebindings: leave out what
    /// it already allows, and show which of its rules were used (on stderr;
    /// with --usage, in the usage view).
    #[arg(long, value_name = "FILE")]
    pub existing: Option<PathBuf>,

    /// Print the usage view (requests; with --existing, bindings rule by
    /// rule) as a table, or JSON with -o json, instead of YAML.
    #[arg(long)]
    pub usage: bool,

    /// Also grant the requests that were refused (and those seen only at
    /// RequestReceived), for a service account that is failing.
    #[arg(long)]
    pub include_denied: bool,

    /// The same access in several namespaces becomes a ClusterRole bound
    /// cluster-wide.
    #[arg(long)]
    pub expand_multi_namespace: bool,

    /// The same access to several names of one resource becomes access to
    /// any name.
    #[arg(long)]
    pub expand_multi_name: bool,

    /// The name of the generated roles and bindings (default kaq:SUBJECT).
    #[arg(long, value_name = "NAME")]
    pub generate_name: Option<String>,

    /// Labels of the generated objects: comma-separated key=value.
    #[arg(long, value_name = "LIST", default_value = "kaq/generated=true")]
    pub generate_labels: String,

    /// Annotations of the generated objects: comma-separated key=value
    /// (default none).
    #[arg(long, value_name = "LIST")]
    pub generate_annotations: Option<String>,
}

/// `kaq convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The engine or format to write for.
    #[arg(long, value_enum, value_name = "TARGET")]
    pub to: crate::convert::Target,

    /// The filter (e.g. 'verb == "delete"'); `true` or none: every event.
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,

    /// Where the raw NDJSON events are: a path, a glob or an `s3://` URL,
    /// plain or `.gz`.
    #[arg(long, value_name = "LOCATION", conflicts_with = "table")]
    pub from: Option<String>,

    /// A table holding one raw event per row.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    /// The table's column that holds the event's JSON text (default: json).
    #[arg(long, value_name = "COL", requires = "table")]
    pub json_column: Option<String>,

    /// The shape of the rows, as for a query (also accepted before
    /// `convert`): the statement returns what `kaq -o csv` prints.
    #[command(flatten)]
    pub shape: ConvertShape,
}

/// The query flags that shape `kaq convert`'s statement, with the same
/// names and meanings as on a query.
#[derive(Debug, Args, Default)]
pub struct ConvertShape {
    /// Columns of the rows: field paths, aliases, or user, resource, object
    /// and latency.
    #[arg(long, value_name = "LIST", help_heading = "Output")]
    pub columns: Option<String>,

    /// Only the number of matching events.
    #[arg(long, conflicts_with_all = ["by", "every", "distinct", "stats"], help_heading = "Output")]
    pub count: bool,

    /// At most N events, the first in log order.
    #[arg(short = 'm', long, value_name = "N", conflicts_with_all = ["by", "every", "distinct", "stats"], help_heading = "Output")]
    pub limit: Option<u64>,

    /// Count matching events per distinct value of these fields.
    #[arg(long, value_name = "FIELDS", help_heading = "Aggregation")]
    pub by: Option<String>,

    /// Only the N biggest rows (for --every: series).
    #[arg(long, value_name = "N", help_heading = "Aggregation")]
    pub top: Option<usize>,

    /// A timeline: counts per time bucket of stageTimestamp.
    #[arg(long, value_name = "DURATION", help_heading = "Aggregation")]
    pub every: Option<String>,

    /// Each distinct value of FIELD with its count and first/last seen.
    #[arg(long, value_name = "FIELD", conflicts_with_all = ["by", "every"], help_heading = "Aggregation")]
    pub distinct: Option<String>,

    /// With --by: percentiles of a numeric field (refused: see docs/convert.md).
    #[arg(long, value_name = "FIELD", help_heading = "Aggregation")]
    pub stats: Option<String>,
}

/// `kaq policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub action: PolicyAction,
}

/// What `kaq policy` does.
#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Replay the logs through a policy: events and bytes kept and dropped
    /// per level and per rule, rules never hit, events the policy wants at a
    /// higher level than was captured. With -o ndjson, write the log as the
    /// API server would have under the policy.
    #[command(after_help = SIMULATE_AFTER_HELP, after_long_help = SIMULATE_AFTER_HELP)]
    Simulate {
        /// The audit.k8s.io/v1 Policy (YAML or JSON).
        #[arg(long, value_name = "FILE")]
        policy: PathBuf,
        /// Instead of the report, each event's fate: the level it was
        /// captured at and would be written at, whether its stage is
        /// omitted, and the rule that decided (number, line, what it
        /// matches). -o json/ndjson: one object per line.
        #[arg(long)]
        each: bool,
        /// Files or directories to read; `-` is stdin.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Check a policy: what the API server would refuse (with line
    /// numbers), shadowed rules, a missing catch-all, unknown verbs; given
    /// logs, users and groups that never appear in them. Exit 1 on problems.
    Lint {
        /// The policy to check.
        #[arg(value_name = "FILE")]
        policy: PathBuf,
        /// Logs to check the policy's users and groups against.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Replay the logs through two policies and show what changes: events
    /// moving between levels, and each policy's rules.
    Diff {
        #[arg(value_name = "OLD")]
        old: PathBuf,
        #[arg(value_name = "NEW")]
        new: PathBuf,
        /// Files or directories to read; `-` is stdin.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

const SIMULATE_AFTER_HELP: &str = "\
Examples:
  kaq policy simulate --policy policy.yaml /var/log/kubernetes/
  kaq policy simulate --policy policy.yaml -o json captured.log
  kaq policy simulate --policy policy.yaml -o ndjson captured.log > as-if.log
  kaq policy lint policy.yaml captured.log
  kaq policy diff old.yaml new.yaml captured.log

The policy is applied as the API server applies it: first matching rule wins,
against the authenticated user (not the impersonated one), with a create's
name empty (it is filled in from the body after the policy ran). A replay can
lower a level (cut bodies, drop events and stages) but not raise it: events a
rule wants above their captured level are kept as captured and counted as
'short'. The shorthand filters (--since, -n, --user, ...) limit the events
replayed.";

const DETECT_AFTER_HELP: &str = "\
Examples:
  kaq detect /var/log/kubernetes/
  kaq detect --severity high --since 24h
  kaq detect --by rule audit.log.gz
  kaq detect --only 'exec-*,privileged-container' -o ndjson audit.log
  kaq detect --rules ours.yaml --fail-on medium captured/   # a CI gate
  kaq detect --list

Each request is evaluated once: at ResponseComplete, or for exec, attach and
port-forward when the stream opens (ResponseStarted). The shorthand filters
(--since, -n, --user, ...) limit which events the rules see.

Exit status (differs from queries, whose 0 means 'something matched', as in
grep): 0 no finding at or above --fail-on, 1 such findings, 2 an error. A CI
job then fails on findings the way it fails on a linter's complaints.";

/// `kaq detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Files or directories to read; `-` is stdin. Default: stdin when piped,
    /// else /var/log/kubernetes/audit.log and its rotated backups.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Add rules, allow-list entries and enable/disable switches from this
    /// YAML file (repeatable); the format is in `kaq detect --list --help`
    /// and the README.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Run only these rules (comma-separated ids or globs: exec-*), even
    /// ones that are off by default.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Do not run these rules (ids or globs).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Print the rule catalogue (with -o json: every field) and exit.
    #[arg(long)]
    pub list: bool,

    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "low")]
    pub fail_on: Severity,

    /// Show only findings at or above this severity (all still count for
    /// --fail-on).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value = "info")]
    pub severity: Severity,

    /// Count findings per rule instead of listing them.
    #[arg(long, value_name = "KEY", value_parser = ["rule"])]
    pub by: Option<String>,

    /// Threshold rules report every event they count, not only bursts.
    #[arg(long)]
    pub no_thresholds: bool,

    /// Load Sigma rules (files, or directories of them) beside the built-in
    /// catalogue; with --only, instead of it (repeatable). A directory loads
    /// the Kubernetes audit rules and skips the others. See docs/sigma.md.
    #[arg(long, value_name = "PATH")]
    pub sigma: Vec<PathBuf>,

    /// Instead of running the rules, print them for another engine: one SQL
    /// query (duckdb, clickhouse, spark) or Sigma rules (sigma, with
    /// --out-dir).
    #[arg(long, value_enum, value_name = "TARGET")]
    pub convert_to: Option<crate::convert::Target>,

    /// With --convert-to sigma: the directory to write one rule file per
    /// rule into.
    #[arg(long, value_name = "DIR", requires = "convert_to")]
    pub out_dir: Option<PathBuf>,
}
