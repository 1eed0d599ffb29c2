#!/usr/bin/env python3
"""Follow mode: idle CPU beside rotated copies.

    cargo build --release && python3 bench/follow-idle.py [KAQ]

Makes a directory with ten gzipped lumberjack copies (2,000 events each)
beside a live log, follows it with `kaq -F`, and reads kaq's CPU time from
/proc/PID/task/*/schedstat (Linux) over 10 idle seconds: once with an empty
live log (kaq then lists the copies at each poll, to notice a copytruncate
before it read anything), once with a live log holding one event.
"""
import gzip, os, subprocess, sys, tempfile, time

kaq = sys.argv[1] if len(sys.argv) > 1 else "target/release/kaq"
d = tempfile.mkdtemp()
line = '{"kind":"Event","auditID":"%s","verb":"get","stage":"ResponseComplete","pad":"%s"}\n'
for k in range(10):
    with gzip.open(os.path.join(d, f"audit-2024-05-01T00-00-{k:02}.000.log.gz"), "wt") as f:
        for i in range(2000):
            f.write(line % (f"{k}-{i}", "p" * 400))
log = os.path.join(d, "audit.log")

for what, text in [("an empty live log", ""), ("a live log with one event", line % ("x", ""))]:
    with open(log, "w") as f:
        f.write(text)
    p = subprocess.Popen([kaq, "-F", "-v", "-o", "ndjson", "true", log],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stderr.readline()
    time.sleep(1)
    cpu = lambda: sum(int(open(f"/proc/{p.pid}/task/{t}/schedstat").read().split()[0])
                      for t in os.listdir(f"/proc/{p.pid}/task")) / 1e9
    before = cpu()
    time.sleep(10)
    print(f"idle with {what} and 10 gzipped copies: {(cpu() - before) * 1e3:.1f} ms CPU in 10 s")
    p.terminate()
    p.wait()
