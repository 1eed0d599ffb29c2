complete -c kaq -s e -l filter -d 'The filter as a flag; every positional argument is then a PATH' -r
complete -c kaq -l verb -d 'Only these verbs (comma-separated: get,list,watch)' -r
complete -c kaq -l resource -d 'Only this resource: `pods`, or `pods/exec` for a subresource' -r
complete -c kaq -s n -l namespace -d 'Only this namespace' -r
complete -c kaq -l user -d 'Only users matching this glob (`system:serviceaccount:kube-system:*`)' -r
complete -c kaq -l code -d 'Only this response code (`403`) or class (`4xx`)' -r
complete -c kaq -l stage -d 'Only this stage (RequestReceived, ResponseStarted, ResponseComplete, Panic)' -r
complete -c kaq -l since -d 'Only events at or after this time: a duration back from now (`90m`, `2h`, `7d`) or an RFC 3339 time. Compares stageTimestamp' -r
complete -c kaq -l until -d 'Only events before this time (same forms as --since)' -r
complete -c kaq -s o -l output -d 'Output format' -r -f -a "table\t'A table for people (default)'
wide\t'The table with stage, level, user agent, latency and audit ID'
json\t'One JSON array of the events'
ndjson\t'One event per line, exactly as read'
csv\t'Comma-separated values of the columns, with a header'
tsv\t'Tab-separated values of the columns, with a header'"
complete -c kaq -l color -d 'When to colour tables: auto (on a terminal, unless NO_COLOR is set), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kaq -l columns -d 'Columns for table, csv and tsv: field paths, aliases, or the display columns user, resource, object and latency (e.g. time,user,verb,objectRef.name)' -r
complete -c kaq -s m -l limit -d 'Stop after N matching events (and stop reading)' -r
complete -c kaq -l by -d 'Count matching events per distinct value of these fields (comma-separated); a field with several values (user.groups, sourceIPs) counts once per value' -r
complete -c kaq -l top -d 'Show only the N biggest rows (for --every: series)' -r
complete -c kaq -l every -d 'A timeline: counts per time bucket of stageTimestamp (1m, 5m, 1h, 1d); with --by, one series per key' -r
complete -c kaq -l distinct -d 'Each distinct value of FIELD with its count and first/last seen' -r
complete -c kaq -l stats -d 'With --by: count, p50, p90, p99 and max of a numeric field per key (e.g. latency)' -r
complete -c kaq -s j -l threads -d 'Worker threads (default: all cores)' -r
complete -c kaq -l format -d 'Which envelope the records come in; others are reported as errors. Default: detected per record, so one file can mix them' -r -f -a "auto\t'Detect per record (plain Events and every cloud envelope)'
event\t'Plain audit Events only'
aks\t'Azure AKS diagnostic records'
eks\t'Amazon EKS CloudWatch records'
gke\t'Google GKE Cloud Audit Log entries'
openshift\t'OpenShift must-gather lines'"
complete -c kaq -l generate -d 'Write the man page or a shell completion script to stdout' -r -f -a "man\t'The man page, kaq.1 (roff)'
complete-bash\t''
complete-zsh\t''
complete-fish\t''
complete-powershell\t''
complete-elvish\t''"
complete -c kaq -l dedup -d 'One event per request: a request logged at several stages (or copied twice) counts once, at its most complete stage (ResponseComplete, Panic, ResponseStarted, RequestReceived). Reads the input twice'
complete -c kaq -s c -l compact -d 'Compact JSON, one event per line (same as -o ndjson)'
complete -c kaq -s r -l raw -d 'Raw values of one column, one per line, no header (with --columns): kaq -r --columns user \'verb == "delete"\' audit.log | sort | uniq -c'
complete -c kaq -l count -d 'Print only the number of matching events'
complete -c kaq -s v -l verbose -d 'Show every malformed line, skipped files and other notes on stderr'
complete -c kaq -s q -l quiet -d 'Print no warnings about malformed lines'
complete -c kaq -l summary -d 'A one-screen summary of the matching events (also: kaq summary [PATH]...)'
complete -c kaq -l no-prefilter -d 'Parse every line. By default a line that lacks a literal the filter needs is skipped unparsed (it is still checked for corruption); this validates every line and reports every malformed one'
complete -c kaq -l no-mmap -d 'Never memory-map files; read them'
complete -c kaq -l ignore-errors -d 'Exit 0/1 even when lines were malformed (they are still reported)'
complete -c kaq -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kaq -s V -l version -d 'Print version'
