#!/usr/bin/env python3
"""Follow mode under load: catch-up throughput and lag.

    cargo build --release && python3 bench/follow-load.py [KAQ] [BURST_MB] [RATE_MB_S] [SECONDS]

1. Catch-up: while `kaq -F` follows an empty log, BURST_MB (default 100) of
   events are appended at once; reports how long kaq takes to print the
   last of them, beside `kaq` reading the same bytes as a batch run (same
   output, same machine, right after).
2. Lag: a writer appends events at RATE_MB_S (default 20) for SECONDS
   (default 30), each carrying its write time in its auditID; reports the
   lag (time printed minus time written) at p50, p99 and max, and whether
   kaq kept up (printed every event).

kaq prints `--columns auditID -o csv`, so the reader measures kaq, not the
pipe. Use bench/follow-latency.py for latency at a slow pace and idle CPU.
"""
import os, subprocess, sys, tempfile, threading, time

kaq = sys.argv[1] if len(sys.argv) > 1 else "target/release/kaq"
burst_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 100
rate = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 30.0

PAD = "p" * 700


def line(tag):
    return ('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",'
            '"auditID":"%s","stage":"ResponseComplete","verb":"get",'
            '"requestURI":"/api/v1/namespaces/default/pods","user":{"username":"u"},'
            '"objectRef":{"resource":"pods","namespace":"default"},'
            '"stageTimestamp":"2024-05-01T00:00:00Z","pad":"%s"}\n' % (tag, PAD))


def follow(log):
    p = subprocess.Popen([kaq, "-F", "-v", "-o", "csv", "--columns", "auditID", "true", log],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1 << 20)
    p.stderr.readline()  # "following from line 1"
    return p


def catch_up():
    d = tempfile.mkdtemp()
    log = os.path.join(d, "audit.log")
    open(log, "w").close()
    p = follow(log)
    body = "".join(line("b-%d" % i) for i in range(burst_mb * 1024 * 1024 // len(line("b-0"))))
    n = body.count("\n")
    t0 = time.time()
    with open(log, "a") as f:
        f.write(body)
    seen = 0
    for out in p.stdout:
        if out.startswith("auditID"):  # the CSV header, with the first event
            continue
        seen += 1
        if seen == n:
            break
    follow_s = time.time() - t0
    p.terminate()
    p.wait()
    t0 = time.time()
    subprocess.run([kaq, "-o", "csv", "--columns", "auditID", "true", log],
                   stdout=subprocess.DEVNULL, check=True)
    batch_s = time.time() - t0
    mb = len(body) / 1e6
    print(f"catch-up: {mb:.0f} MB burst ({n} events) printed in {follow_s:.2f} s by kaq -F "
          f"({mb / follow_s:.0f} MB/s); the same bytes as a batch run: {batch_s:.2f} s "
          f"({mb / batch_s:.0f} MB/s); follow/batch {follow_s / batch_s:.2f}x")


def lag():
    d = tempfile.mkdtemp()
    log = os.path.join(d, "audit.log")
    open(log, "w").close()
    p = follow(log)
    lags = []
    written = [0]
    done = threading.Event()

    def reader():
        for out in p.stdout:
            now = time.time_ns()
            if out.startswith("auditID"):
                continue
            lags.append((now - int(out.strip())) / 1e6)
            if done.is_set() and len(lags) >= written[0]:
                break

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    size = len(line(str(time.time_ns())))
    per_tick = max(1, int(rate * 1e6 / size / 100))  # events per 10 ms
    start = time.time()
    with open(log, "a") as f:
        tick = 0
        while time.time() - start < seconds:
            f.write("".join(line(str(time.time_ns())) for _ in range(per_tick)))
            f.flush()
            written[0] += per_tick
            tick += 1
            sleep = start + tick * 0.01 - time.time()
            if sleep > 0:
                time.sleep(sleep)
    elapsed = time.time() - start
    done.set()
    t.join(timeout=60)
    p.terminate()
    p.wait()
    lags.sort()
    pct = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
    mb = written[0] * size / 1e6
    print(f"lag: writer at {mb / elapsed:.1f} MB/s for {elapsed:.0f} s ({written[0]} events); "
          f"kaq printed {len(lags)}; lag p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, "
          f"max {lags[-1]:.1f} ms")


catch_up()
lag()
