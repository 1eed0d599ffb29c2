#!/usr/bin/env python3
"""Follow mode: latency from write to print, and CPU when idle.

    cargo build --release && python3 bench/follow-latency.py [EVENTS] [KAQ] [INTERVAL_S]

Appends EVENTS (default 1000) audit events to a fresh log, one every
INTERVAL_S seconds (default 0.01; 0.1 is 10 events a second),
each carrying its write time (ns) in its auditID, while `kaq -F -o ndjson`
follows the log; the latency of an event is the time its line was read from
kaq's stdout minus its write time. Then leaves the log idle for 10 s and
reads kaq's CPU time from /proc/PID/task/*/schedstat (Linux) over that span.
"""
import os, subprocess, sys, tempfile, threading, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
kaq = sys.argv[2] if len(sys.argv) > 2 else "target/release/kaq"
interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
d = tempfile.mkdtemp()
log = os.path.join(d, "audit.log")
open(log, "w").close()
p = subprocess.Popen([kaq, "-F", "-v", "-o", "ndjson", "true", log],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
p.stderr.readline()  # "following from line 1"
lat = []
done = threading.Event()

def reader():
    for line in p.stdout:
        now = time.time_ns()
        t = int(line.split('"auditID":"')[1].split('"')[0])
        lat.append((now - t) / 1e6)
        if len(lat) == n:
            done.set()

threading.Thread(target=reader, daemon=True).start()
with open(log, "a") as f:
    for i in range(n):
        f.write('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",'
                '"auditID":"%d","stage":"ResponseComplete","verb":"get",'
                '"requestURI":"/api/v1/pods","user":{"username":"u"},'
                '"stageTimestamp":"2024-05-01T00:00:00Z"}\n' % time.time_ns())
        f.flush()
        time.sleep(interval)
done.wait(30)
lat.sort()
pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"latency over {len(lat)} events: p50 {pct(0.50):.1f} ms, p99 {pct(0.99):.1f} ms, max {lat[-1]:.1f} ms")

def cpu():
    # Nanoseconds on a CPU, summed over kaq's threads.
    total = 0
    for t in os.listdir(f"/proc/{p.pid}/task"):
        total += int(open(f"/proc/{p.pid}/task/{t}/schedstat").read().split()[0])
    return total / 1e9

before, t0 = cpu(), time.time()
time.sleep(10)
used, span = cpu() - before, time.time() - t0
print(f"idle: {used * 1e3:.1f} ms CPU in {span:.1f} s ({100 * used / span:.3f}% of one core)")
p.terminate()
p.wait()
