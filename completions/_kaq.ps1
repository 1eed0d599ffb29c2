
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kaq' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kaq'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kaq' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The filter as a flag; every positional argument is then a PATH')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'The filter as a flag; every positional argument is then a PATH')
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns for table, csv and tsv: field paths, aliases, or the display columns user, resource, object and latency (e.g. time,user,verb,objectRef.name)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Stop after N matching events (and stop reading)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N matching events (and stop reading)')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Count matching events per distinct value of these fields (comma-separated). An event counts once for each distinct value of a field with several (user.groups, sourceIPs), so SHARE is the share of matching events that carry the value: the shares of such a field may add up past 100%, one share never. --every and --distinct count the same way')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Show only the N biggest rows (for --every: series)')
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'A timeline: counts per time bucket of stageTimestamp (1m, 5m, 1h, 1d); with --by, one series per key')
            [CompletionResult]::new('--distinct', '--distinct', [CompletionResultType]::ParameterName, 'Each distinct value of FIELD with the number of events that carry it and first/last seen')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'With --by: count, p50, p90, p99 and max of a numeric field per key (e.g. latency)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('--generate', '--generate', [CompletionResultType]::ParameterName, 'Write the man page or a shell completion script to stdout')
            [CompletionResult]::new('--dedup', '--dedup', [CompletionResultType]::ParameterName, 'One event per request: a request logged at several stages (or copied twice) counts once, at its most complete stage (ResponseComplete, Panic, ResponseStarted, RequestReceived). Reads the input twice')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Compact JSON, one event per line (same as -o ndjson)')
            [CompletionResult]::new('--compact', '--compact', [CompletionResultType]::ParameterName, 'Compact JSON, one event per line (same as -o ndjson)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Raw values of one column, one per line, no header (with --columns): kaq -r --columns user ''verb == "delete"'' audit.log | sort | uniq -c')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Raw values of one column, one per line, no header (with --columns): kaq -r --columns user ''verb == "delete"'' audit.log | sort | uniq -c')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print only the number of matching events')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'A one-screen summary of the matching events (also: kaq summary [PATH]...)')
            [CompletionResult]::new('--no-prefilter', '--no-prefilter', [CompletionResultType]::ParameterName, 'Parse every line. By default a line that lacks a literal the filter needs is skipped unparsed (it is still checked for corruption); this validates every line and reports every malformed one')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('detect', 'detect', [CompletionResultType]::ParameterValue, 'Hunt for attacks and risky changes with the built-in detection rules (and yours), all in one pass over the logs')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Replay captured logs through an audit Policy: what would it have logged, at what size; lint a policy; compare two')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Print the question as a query for another engine (DuckDB, ClickHouse, Spark SQL) or as a Sigma rule, with kaq''s semantics')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'Least privilege from the log: the RBAC YAML that grants exactly what a user, service account or group did; which granted rules went unused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kaq;detect' {
            [CompletionResult]::new('--rules', '--rules', [CompletionResultType]::ParameterName, 'Add rules, allow-list entries and enable/disable switches from this YAML file (repeatable); the format is in `kaq detect --list --help` and the README')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these rules (comma-separated ids or globs: exec-*), even ones that are off by default')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Do not run these rules (ids or globs)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when a finding is at or above this severity')
            [CompletionResult]::new('--severity', '--severity', [CompletionResultType]::ParameterName, 'Show only findings at or above this severity (all still count for --fail-on)')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Count findings per rule instead of listing them')
            [CompletionResult]::new('--sigma', '--sigma', [CompletionResultType]::ParameterName, 'Load Sigma rules (files, or directories of them) beside the built-in catalogue; with --only, instead of it (repeatable). A directory loads the Kubernetes audit rules and skips the others. See docs/sigma.md')
            [CompletionResult]::new('--convert-to', '--convert-to', [CompletionResultType]::ParameterName, 'Instead of running the rules, print them for another engine: one SQL query (duckdb, clickhouse, spark) or Sigma rules (sigma, with --out-dir)')
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'With --convert-to sigma: the directory to write one rule file per rule into')
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Print the rule catalogue (with -o json: every field) and exit')
            [CompletionResult]::new('--no-thresholds', '--no-thresholds', [CompletionResultType]::ParameterName, 'Threshold rules report every event they count, not only bursts')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kaq;policy' {
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Replay the logs through two policies and show what changes: events moving between levels, and each policy''s rules')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kaq;policy;simulate' {
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'The audit.k8s.io/v1 Policy (YAML or JSON)')
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('--each', '--each', [CompletionResultType]::ParameterName, 'Instead of the report, each event''s fate: the level it was captured at and would be written at, whether its stage is omitted, and the rule that decided (number, line, what it matches). -o json/ndjson: one object per line')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kaq;policy;lint' {
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kaq;policy;diff' {
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kaq;policy;help' {
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Replay the logs through two policies and show what changes: events moving between levels, and each policy''s rules')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kaq;policy;help;simulate' {
            break
        }
        'kaq;policy;help;lint' {
            break
        }
        'kaq;policy;help;diff' {
            break
        }
        'kaq;policy;help;help' {
            break
        }
        'kaq;convert' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The engine or format to write for')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Where the raw NDJSON events are: a path, a glob or an `s3://` URL, plain or `.gz`')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'A table holding one raw event per row')
            [CompletionResult]::new('--json-column', '--json-column', [CompletionResultType]::ParameterName, 'The table''s column that holds the event''s JSON text (default: json)')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Columns of the rows: field paths, aliases, or user, resource, object and latency')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'At most N events, the first in log order')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most N events, the first in log order')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'Count matching events per distinct value of these fields')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Only the N biggest rows (for --every: series)')
            [CompletionResult]::new('--every', '--every', [CompletionResultType]::ParameterName, 'A timeline: counts per time bucket of stageTimestamp')
            [CompletionResult]::new('--distinct', '--distinct', [CompletionResultType]::ParameterName, 'Each distinct value of FIELD with its count and first/last seen')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'With --by: percentiles of a numeric field (refused: see docs/convert.md)')
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Only the number of matching events')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kaq;rbac' {
            [CompletionResult]::new('--serviceaccount', '--serviceaccount', [CompletionResultType]::ParameterName, 'For this service account: NAMESPACE:NAME, the user system:serviceaccount:NAMESPACE:NAME. For a user: --user NAME (exactly, no globs)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'For the requests of this group''s members, bound to the group')
            [CompletionResult]::new('--existing', '--existing', [CompletionResultType]::ParameterName, 'An RBAC dump, YAML or JSON, as kubectl get -A -o yaml prints roles,rolebindings,clusterroles,clusterrolebindings: leave out what it already allows, and show which of its rules were used (on stderr; with --usage, in the usage view)')
            [CompletionResult]::new('--generate-name', '--generate-name', [CompletionResultType]::ParameterName, 'The name of the generated roles and bindings (default kaq:SUBJECT)')
            [CompletionResult]::new('--generate-labels', '--generate-labels', [CompletionResultType]::ParameterName, 'Labels of the generated objects: comma-separated key=value')
            [CompletionResult]::new('--generate-annotations', '--generate-annotations', [CompletionResultType]::ParameterName, 'Annotations of the generated objects: comma-separated key=value (default none)')
            [CompletionResult]::new('--verb', '--verb', [CompletionResultType]::ParameterName, 'Only these verbs (comma-separated: get,list,watch)')
            [CompletionResult]::new('--resource', '--resource', [CompletionResultType]::ParameterName, 'Only this resource: `pods`, or `pods/exec` for a subresource')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only users matching this glob (`system:serviceaccount:kube-system:*`)')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only this response code (`403`) or class (`4xx`)')
            [CompletionResult]::new('--stage', '--stage', [CompletionResultType]::ParameterName, 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only events before this time (same forms as --since)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them')
            [CompletionResult]::new('--bookmark', '--bookmark', [CompletionResultType]::ParameterName, 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice')
            [CompletionResult]::new('--usage', '--usage', [CompletionResultType]::ParameterName, 'Print the usage view (requests; with --existing, bindings rule by rule) as a table, or JSON with -o json, instead of YAML')
            [CompletionResult]::new('--include-denied', '--include-denied', [CompletionResultType]::ParameterName, 'Also grant the requests that were refused (and those seen only at RequestReceived), for a service account that is failing')
            [CompletionResult]::new('--expand-multi-namespace', '--expand-multi-namespace', [CompletionResultType]::ParameterName, 'The same access in several namespaces becomes a ClusterRole bound cluster-wide')
            [CompletionResult]::new('--expand-multi-name', '--expand-multi-name', [CompletionResultType]::ParameterName, 'The same access to several names of one resource becomes access to any name')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every malformed line, skipped files and other notes on stderr')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings about malformed lines')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Never memory-map files; read them')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'With --follow: read the live file from its start before following (with --since, its rotated backups too)')
            [CompletionResult]::new('--ignore-errors', '--ignore-errors', [CompletionResultType]::ParameterName, 'Exit 0/1 even when lines were malformed (they are still reported)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kaq;help' {
            [CompletionResult]::new('detect', 'detect', [CompletionResultType]::ParameterValue, 'Hunt for attacks and risky changes with the built-in detection rules (and yours), all in one pass over the logs')
            [CompletionResult]::new('policy', 'policy', [CompletionResultType]::ParameterValue, 'Replay captured logs through an audit Policy: what would it have logged, at what size; lint a policy; compare two')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Print the question as a query for another engine (DuckDB, ClickHouse, Spark SQL) or as a Sigma rule, with kaq''s semantics')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'Least privilege from the log: the RBAC YAML that grants exactly what a user, service account or group did; which granted rules went unused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kaq;help;detect' {
            break
        }
        'kaq;help;policy' {
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Replay the logs through two policies and show what changes: events moving between levels, and each policy''s rules')
            break
        }
        'kaq;help;policy;simulate' {
            break
        }
        'kaq;help;policy;lint' {
            break
        }
        'kaq;help;policy;diff' {
            break
        }
        'kaq;help;convert' {
            break
        }
        'kaq;help;rbac' {
            break
        }
        'kaq;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
