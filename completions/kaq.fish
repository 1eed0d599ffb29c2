# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kaq_global_optspecs
    string join \n e/filter= verb= resource= n/namespace= user= code= stage= since= until= dedup o/output= color= c/compact r/raw columns= count m/limit= v/verbose q/quiet by= top= every= distinct= stats= summary j/threads= format= no-prefilter no-mmap F/follow from-start bookmark= ignore-errors generate= h/help V/version
end

function __fish_kaq_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kaq_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kaq_using_subcommand
    set -l cmd (__fish_kaq_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kaq -n "__fish_kaq_needs_command" -s e -l filter -d 'The filter as a flag; every positional argument is then a PATH' -r
complete -c kaq -n "__fish_kaq_needs_command" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_needs_command" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_needs_command" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_needs_command" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_needs_command" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_needs_command" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_needs_command" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_needs_command" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_needs_command" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_needs_command" -l columns -d 'Columns for table, csv and tsv: field paths, aliases, or the display columns user, resource, object and latency (e.g. time,user,verb,objectRef.name)' -r
complete -c kaq -n "__fish_kaq_needs_command" -s m -l limit -d 'Stop after N matching events (and stop reading)' -r
complete -c kaq -n "__fish_kaq_needs_command" -l by -d 'Count matching events per distinct value of these fields (comma-separated). An event counts once for each distinct value of a field with several (user.groups, sourceIPs), so SHARE is the share of matching events that carry the value: the shares of such a field may add up past 100%, one share never. --every and --distinct count the same way' -r
complete -c kaq -n "__fish_kaq_needs_command" -l top -d 'Show only the N biggest rows (for --every: series)' -r
complete -c kaq -n "__fish_kaq_needs_command" -l every -d 'A timeline: counts per time bucket of stageTimestamp (1m, 5m, 1h, 1d); with --by, one series per key' -r
complete -c kaq -n "__fish_kaq_needs_command" -l distinct -d 'Each distinct value of FIELD with the number of events that carry it and first/last seen' -r
complete -c kaq -n "__fish_kaq_needs_command" -l stats -d 'With --by: count, p50, p90, p99 and max of a numeric field per key (e.g. latency)' -r
complete -c kaq -n "__fish_kaq_needs_command" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_needs_command" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_needs_command" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_needs_command" -l generate -d 'Write the man page or a shell completion script to stdout' -r -f -a "man\t'The man page, kaq.1 (roff)'
complete-bash\t''
complete-zsh\t''
complete-fish\t''
complete-powershell\t''
complete-elvish\t''"
complete -c kaq -n "__fish_kaq_needs_command" -l dedup -d 'One event per request: a request logged at several stages (or copied twice) counts once, at its most complete stage (ResponseComplete, Panic, ResponseStarted, RequestReceived). Reads the input twice'
complete -c kaq -n "__fish_kaq_needs_command" -s c -l compact -d 'Compact JSON, one event per line (same as -o ndjson)'
complete -c kaq -n "__fish_kaq_needs_command" -s r -l raw -d 'Raw values of one column, one per line, no header (with --columns): kaq -r --columns user \'verb == "delete"\' audit.log | sort | uniq -c'
complete -c kaq -n "__fish_kaq_needs_command" -l count -d 'Print only the number of matching events'
complete -c kaq -n "__fish_kaq_needs_command" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_needs_command" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_needs_command" -l summary -d 'A one-screen summary of the matching events (also: kaq summary [PATH]...)'
complete -c kaq -n "__fish_kaq_needs_command" -l no-prefilter -d 'Parse every line. By default a line that lacks a literal the filter needs is skipped unparsed (it is still checked for corruption); this validates every line and reports every malformed one'
complete -c kaq -n "__fish_kaq_needs_command" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_needs_command" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_needs_command" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_needs_command" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_needs_command" -s V -l version -d 'Print version'
complete -c kaq -n "__fish_kaq_needs_command" -a "detect" -d 'Hunt for attacks and risky changes with the built-in detection rules (and yours), all in one pass over the logs'
complete -c kaq -n "__fish_kaq_needs_command" -a "policy" -d 'Replay captured logs through an audit Policy: what would it have logged, at what size; lint a policy; compare two'
complete -c kaq -n "__fish_kaq_needs_command" -a "convert" -d 'Print the question as a query for another engine (DuckDB, ClickHouse, Spark SQL) or as a Sigma rule, with kaq\'s semantics'
complete -c kaq -n "__fish_kaq_needs_command" -a "rbac" -d 'Least privilege from the log: the RBAC YAML that grants exactly what a user, service account or group did; which granted rules went unused'
complete -c kaq -n "__fish_kaq_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l rules -d 'Add rules, allow-list entries and enable/disable switches from this YAML file (repeatable); the format is in `kaq detect --list --help` and the README' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l only -d 'Run only these rules (comma-separated ids or globs: exec-*), even ones that are off by default' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l skip -d 'Do not run these rules (ids or globs)' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l fail-on -d 'Exit 1 when a finding is at or above this severity' -r -f -a "info\t''
low\t''
medium\t''
high\t''
critical\t''"
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l severity -d 'Show only findings at or above this severity (all still count for --fail-on)' -r -f -a "info\t''
low\t''
medium\t''
high\t''
critical\t''"
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l by -d 'Count findings per rule instead of listing them' -r -f -a "rule\t''"
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l sigma -d 'Load Sigma rules (files, or directories of them) beside the built-in catalogue; with --only, instead of it (repeatable). A directory loads the Kubernetes audit rules and skips the others. See docs/sigma.md' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l convert-to -d 'Instead of running the rules, print them for another engine: one SQL query (duckdb, clickhouse, spark) or Sigma rules (sigma, with --out-dir)' -r -f -a "duckdb\t'DuckDB SQL'
clickhouse\t'ClickHouse SQL (also chDB)'
spark\t'Spark SQL'
sigma\t'A Sigma rule (YAML), for pySigma\'s backends'"
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l out-dir -d 'With --convert-to sigma: the directory to write one rule file per rule into' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_using_subcommand detect" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l list -d 'Print the rule catalogue (with -o json: every field) and exit'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l no-thresholds -d 'Threshold rules report every event they count, not only bursts'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_using_subcommand detect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -f -a "simulate" -d 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -f -a "lint" -d 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -f -a "diff" -d 'Replay the logs through two policies and show what changes: events moving between levels, and each policy\'s rules'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and not __fish_seen_subcommand_from simulate lint diff help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l policy -d 'The audit.k8s.io/v1 Policy (YAML or JSON)' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l each -d 'Instead of the report, each event\'s fate: the level it was captured at and would be written at, whether its stage is omitted, and the rule that decided (number, line, what it matches). -o json/ndjson: one object per line'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "simulate" -d 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "lint" -d 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "diff" -d 'Replay the logs through two policies and show what changes: events moving between levels, and each policy\'s rules'
complete -c kaq -n "__fish_kaq_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l to -d 'The engine or format to write for' -r -f -a "duckdb\t'DuckDB SQL'
clickhouse\t'ClickHouse SQL (also chDB)'
spark\t'Spark SQL'
sigma\t'A Sigma rule (YAML), for pySigma\'s backends'"
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l from -d 'Where the raw NDJSON events are: a path, a glob or an `s3://` URL, plain or `.gz`' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l table -d 'A table holding one raw event per row' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l json-column -d 'The table\'s column that holds the event\'s JSON text (default: json)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l columns -d 'Columns of the rows: field paths, aliases, or user, resource, object and latency' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s m -l limit -d 'At most N events, the first in log order' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l by -d 'Count matching events per distinct value of these fields' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l top -d 'Only the N biggest rows (for --every: series)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l every -d 'A timeline: counts per time bucket of stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l distinct -d 'Each distinct value of FIELD with its count and first/last seen' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l stats -d 'With --by: percentiles of a numeric field (refused: see docs/convert.md)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l count -d 'Only the number of matching events'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l serviceaccount -d 'For this service account: NAMESPACE:NAME, the user system:serviceaccount:NAMESPACE:NAME. For a user: --user NAME (exactly, no globs)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l group -d 'For the requests of this group\'s members, bound to the group' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l existing -d 'An RBAC dump, YAML or JSON, as kubectl get -A -o yaml prints roles,rolebindings,clusterroles,clusterrolebindings: leave out what it already allows, and show which of its rules were used (on stderr; with --usage, in the usage view)' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l generate-name -d 'The name of the generated roles and bindings (default kaq:SUBJECT)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l generate-labels -d 'Labels of the generated objects: comma-separated key=value' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l generate-annotations -d 'Annotations of the generated objects: comma-separated key=value (default none)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -s j -l threads -d 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread' -r
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l bookmark -d 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice' -r -F
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l usage -d 'Print the usage view (requests; with --existing, bindings rule by rule) as a table, or JSON with -o json, instead of YAML'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l include-denied -d 'Also grant the requests that were refused (and those seen only at RequestReceived), for a service account that is failing'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l expand-multi-namespace -d 'The same access in several namespaces becomes a ClusterRole bound cluster-wide'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l expand-multi-name -d 'The same access to several names of one resource becomes access to any name'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -s F -l follow -d 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l from-start -d 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -n "__fish_kaq_using_subcommand rbac" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -n "__fish_kaq_using_subcommand help; and not __fish_seen_subcommand_from detect policy convert rbac help" -f -a "detect" -d 'Hunt for attacks and risky changes with the built-in detection rules (and yours), all in one pass over the logs'
complete -c kaq -n "__fish_kaq_using_subcommand help; and not __fish_seen_subcommand_from detect policy convert rbac help" -f -a "policy" -d 'Replay captured logs through an audit Policy: what would it have logged, at what size; lint a policy; compare two'
complete -c kaq -n "__fish_kaq_using_subcommand help; and not __fish_seen_subcommand_from detect policy convert rbac help" -f -a "convert" -d 'Print the question as a query for another engine (DuckDB, ClickHouse, Spark SQL) or as a Sigma rule, with kaq\'s semantics'
complete -c kaq -n "__fish_kaq_using_subcommand help; and not __fish_seen_subcommand_from detect policy convert rbac help" -f -a "rbac" -d 'Least privilege from the log: the RBAC YAML that grants exactly what a user, service account or group did; which granted rules went unused'
complete -c kaq -n "__fish_kaq_using_subcommand help; and not __fish_seen_subcommand_from detect policy convert rbac help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kaq -n "__fish_kaq_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "simulate" -d 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy'
complete -c kaq -n "__fish_kaq_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "lint" -d 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems'
complete -c kaq -n "__fish_kaq_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "diff" -d 'Replay the logs through two policies and show what changes: events moving between levels, and each policy\'s rules'
