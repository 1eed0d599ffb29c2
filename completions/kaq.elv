
use builtin;
use str;

set edit:completion:arg-completer[kaq] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kaq'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kaq'= {
            cand -e 'The filter as a flag; every positional argument is then a PATH'
            cand --filter 'The filter as a flag; every positional argument is then a PATH'
            cand --verb 'Only these verbs (comma-separated: get,list,watch)'
            cand --resource 'Only this resource: `pods`, or `pods/exec` for a subresource'
            cand -n 'Only this namespace'
            cand --namespace 'Only this namespace'
            cand --user 'Only users matching this glob (`system:serviceaccount:kube-system:*`)'
            cand --code 'Only this response code (`403`) or class (`4xx`)'
            cand --stage 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)'
            cand --since 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp'
            cand --until 'Only events before this time (same forms as --since)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand --columns 'Columns for table, csv and tsv: field paths, aliases, or the display columns user, resource, object and latency (e.g. time,user,verb,objectRef.name)'
            cand -m 'Stop after N matching events (and stop reading)'
            cand --limit 'Stop after N matching events (and stop reading)'
            cand --by 'Count matching events per distinct value of these fields (comma-separated). An event counts once for each distinct value of a field with several (user.groups, sourceIPs), so SHARE is the share of matching events that carry the value: the shares of such a field may add up past 100%, one share never. --every and --distinct count the same way'
            cand --top 'Show only the N biggest rows (for --every: series)'
            cand --every 'A timeline: counts per time bucket of stageTimestamp (1m, 5m, 1h, 1d); with --by, one series per key'
            cand --distinct 'Each distinct value of FIELD with the number of events that carry it and first/last seen'
            cand --stats 'With --by: count, p50, p90, p99 and max of a numeric field per key (e.g. latency)'
            cand -j 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --threads 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --format 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them'
            cand --bookmark 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice'
            cand --generate 'Write the man page or a shell completion script to stdout'
            cand --dedup 'One event per request: a request logged at several stages (or copied twice) counts once, at its most complete stage (ResponseComplete, Panic, ResponseStarted, RequestReceived). Reads the input twice'
            cand -c 'Compact JSON, one event per line (same as -o ndjson)'
            cand --compact 'Compact JSON, one event per line (same as -o ndjson)'
            cand -r 'Raw values of one column, one per line, no header (with --columns): kaq -r --columns user ''verb == "delete"'' audit.log | sort | uniq -c'
            cand --raw 'Raw values of one column, one per line, no header (with --columns): kaq -r --columns user ''verb == "delete"'' audit.log | sort | uniq -c'
            cand --count 'Print only the number of matching events'
            cand -v 'Show every malformed line, skipped files and other notes on stderr'
            cand --verbose 'Show every malformed line, skipped files and other notes on stderr'
            cand -q 'Print no warnings about malformed lines'
            cand --quiet 'Print no warnings about malformed lines'
            cand --summary 'A one-screen summary of the matching events (also: kaq summary [PATH]...)'
            cand --no-prefilter 'Parse every line. By default a line that lacks a literal the filter needs is skipped unparsed (it is still checked for corruption); this validates every line and reports every malformed one'
            cand --no-mmap 'Never memory-map files; read them'
            cand -F 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --follow 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --from-start 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
            cand --ignore-errors 'Exit 0/1 even when lines were malformed (they are still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand detect 'Hunt for attacks and risky changes with the built-in detection rules (and yours), all in one pass over the logs'
            cand policy 'Replay captured logs through an audit Policy: what would it have logged, at what size; lint a policy; compare two'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kaq;detect'= {
            cand --rules 'Add rules, allow-list entries and enable/disable switches from this YAML file (repeatable); the format is in `kaq detect --list --help` and the README'
            cand --only 'Run only these rules (comma-separated ids or globs: exec-*), even ones that are off by default'
            cand --skip 'Do not run these rules (ids or globs)'
            cand --fail-on 'Exit 1 when a finding is at or above this severity'
            cand --severity 'Show only findings at or above this severity (all still count for --fail-on)'
            cand --by 'Count findings per rule instead of listing them'
            cand --verb 'Only these verbs (comma-separated: get,list,watch)'
            cand --resource 'Only this resource: `pods`, or `pods/exec` for a subresource'
            cand -n 'Only this namespace'
            cand --namespace 'Only this namespace'
            cand --user 'Only users matching this glob (`system:serviceaccount:kube-system:*`)'
            cand --code 'Only this response code (`403`) or class (`4xx`)'
            cand --stage 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)'
            cand --since 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp'
            cand --until 'Only events before this time (same forms as --since)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -j 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --threads 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --format 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them'
            cand --bookmark 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice'
            cand --list 'Print the rule catalogue (with -o json: every field) and exit'
            cand --no-thresholds 'Threshold rules report every event they count, not only bursts'
            cand -v 'Show every malformed line, skipped files and other notes on stderr'
            cand --verbose 'Show every malformed line, skipped files and other notes on stderr'
            cand -q 'Print no warnings about malformed lines'
            cand --quiet 'Print no warnings about malformed lines'
            cand --no-mmap 'Never memory-map files; read them'
            cand -F 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --follow 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --from-start 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
            cand --ignore-errors 'Exit 0/1 even when lines were malformed (they are still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kaq;policy'= {
            cand --verb 'Only these verbs (comma-separated: get,list,watch)'
            cand --resource 'Only this resource: `pods`, or `pods/exec` for a subresource'
            cand -n 'Only this namespace'
            cand --namespace 'Only this namespace'
            cand --user 'Only users matching this glob (`system:serviceaccount:kube-system:*`)'
            cand --code 'Only this response code (`403`) or class (`4xx`)'
            cand --stage 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)'
            cand --since 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp'
            cand --until 'Only events before this time (same forms as --since)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -j 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --threads 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --format 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them'
            cand --bookmark 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice'
            cand -v 'Show every malformed line, skipped files and other notes on stderr'
            cand --verbose 'Show every malformed line, skipped files and other notes on stderr'
            cand -q 'Print no warnings about malformed lines'
            cand --quiet 'Print no warnings about malformed lines'
            cand --no-mmap 'Never memory-map files; read them'
            cand -F 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --follow 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --from-start 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
            cand --ignore-errors 'Exit 0/1 even when lines were malformed (they are still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand simulate 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy'
            cand lint 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems'
            cand diff 'Replay the logs through two policies and show what changes: events moving between levels, and each policy''s rules'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kaq;policy;simulate'= {
            cand --policy 'The audit.k8s.io/v1 Policy (YAML or JSON)'
            cand --verb 'Only these verbs (comma-separated: get,list,watch)'
            cand --resource 'Only this resource: `pods`, or `pods/exec` for a subresource'
            cand -n 'Only this namespace'
            cand --namespace 'Only this namespace'
            cand --user 'Only users matching this glob (`system:serviceaccount:kube-system:*`)'
            cand --code 'Only this response code (`403`) or class (`4xx`)'
            cand --stage 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)'
            cand --since 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp'
            cand --until 'Only events before this time (same forms as --since)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -j 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --threads 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --format 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them'
            cand --bookmark 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice'
            cand --each 'Instead of the report, each event''s fate: the level it was captured at and would be written at, whether its stage is omitted, and the rule that decided (number, line, what it matches). -o json/ndjson: one object per line'
            cand -v 'Show every malformed line, skipped files and other notes on stderr'
            cand --verbose 'Show every malformed line, skipped files and other notes on stderr'
            cand -q 'Print no warnings about malformed lines'
            cand --quiet 'Print no warnings about malformed lines'
            cand --no-mmap 'Never memory-map files; read them'
            cand -F 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --follow 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --from-start 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
            cand --ignore-errors 'Exit 0/1 even when lines were malformed (they are still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kaq;policy;lint'= {
            cand --verb 'Only these verbs (comma-separated: get,list,watch)'
            cand --resource 'Only this resource: `pods`, or `pods/exec` for a subresource'
            cand -n 'Only this namespace'
            cand --namespace 'Only this namespace'
            cand --user 'Only users matching this glob (`system:serviceaccount:kube-system:*`)'
            cand --code 'Only this response code (`403`) or class (`4xx`)'
            cand --stage 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)'
            cand --since 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp'
            cand --until 'Only events before this time (same forms as --since)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -j 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --threads 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --format 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them'
            cand --bookmark 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice'
            cand -v 'Show every malformed line, skipped files and other notes on stderr'
            cand --verbose 'Show every malformed line, skipped files and other notes on stderr'
            cand -q 'Print no warnings about malformed lines'
            cand --quiet 'Print no warnings about malformed lines'
            cand --no-mmap 'Never memory-map files; read them'
            cand -F 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --follow 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --from-start 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
            cand --ignore-errors 'Exit 0/1 even when lines were malformed (they are still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kaq;policy;diff'= {
            cand --verb 'Only these verbs (comma-separated: get,list,watch)'
            cand --resource 'Only this resource: `pods`, or `pods/exec` for a subresource'
            cand -n 'Only this namespace'
            cand --namespace 'Only this namespace'
            cand --user 'Only users matching this glob (`system:serviceaccount:kube-system:*`)'
            cand --code 'Only this response code (`403`) or class (`4xx`)'
            cand --stage 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)'
            cand --since 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp'
            cand --until 'Only events before this time (same forms as --since)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --color 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never'
            cand -j 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --threads 'Threads to use (default: all cores). With -j1, reading, gzip decoding and scanning all run on one thread'
            cand --format 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them'
            cand --bookmark 'With --follow: keep the position in FILE as kaq goes, and start there when FILE exists: a restarted kaq goes on through every copy rotated while it was stopped, printing no event twice'
            cand -v 'Show every malformed line, skipped files and other notes on stderr'
            cand --verbose 'Show every malformed line, skipped files and other notes on stderr'
            cand -q 'Print no warnings about malformed lines'
            cand --quiet 'Print no warnings about malformed lines'
            cand --no-mmap 'Never memory-map files; read them'
            cand -F 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --follow 'Follow the live log: print matching events as they are written, across rotations (rename, copytruncate, remove and recreate; copies rotated away while kaq was behind are read too), until Ctrl-C or SIGTERM (exit 130 or 143). PATH is the live file or its directory (default the kubeadm path, or KAQ_LOG). Starts at the end; see --from-start, --since and --bookmark. Exit 3: part of a log could not be read (reported as LOST on stderr)'
            cand --from-start 'With --follow: read the live file from its start before following (with --since, its rotated backups too)'
            cand --ignore-errors 'Exit 0/1 even when lines were malformed (they are still reported)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kaq;policy;help'= {
            cand simulate 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy'
            cand lint 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems'
            cand diff 'Replay the logs through two policies and show what changes: events moving between levels, and each policy''s rules'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kaq;policy;help;simulate'= {
        }
        &'kaq;policy;help;lint'= {
        }
        &'kaq;policy;help;diff'= {
        }
        &'kaq;policy;help;help'= {
        }
        &'kaq;help'= {
            cand detect 'Hunt for attacks and risky changes with the built-in detection rules (and yours), all in one pass over the logs'
            cand policy 'Replay captured logs through an audit Policy: what would it have logged, at what size; lint a policy; compare two'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kaq;help;detect'= {
        }
        &'kaq;help;policy'= {
            cand simulate 'Replay the logs through a policy: events and bytes kept and dropped per level and per rule, rules never hit, events the policy wants at a higher level than was captured. With -o ndjson, write the log as the API server would have under the policy'
            cand lint 'Check a policy: what the API server would refuse (with line numbers), shadowed rules, a missing catch-all, unknown verbs; given logs, users and groups that never appear in them. Exit 1 on problems'
            cand diff 'Replay the logs through two policies and show what changes: events moving between levels, and each policy''s rules'
        }
        &'kaq;help;policy;simulate'= {
        }
        &'kaq;help;policy;lint'= {
        }
        &'kaq;help;policy;diff'= {
        }
        &'kaq;help;help'= {
        }
    ]
    $completions[$command]
}
