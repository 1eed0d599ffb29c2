#!/usr/bin/env python3
"""Peak anonymous memory of a command: what it allocated, not the file pages
it memory-mapped (those count in its RSS but belong to the page cache).

    bench/peak-anon.py CMD [ARGS...]     # prints "PEAK_MIB" on stderr's last line

Samples RssAnon in /proc/PID/status every millisecond while the command runs;
a peak shorter than that can be missed. The command's stdout goes to
/dev/null; its exit status is passed on.
"""
import subprocess
import sys
import time


def rss_anon_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: peak-anon.py CMD [ARGS...]")
    p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    peak = 0
    while p.poll() is None:
        peak = max(peak, rss_anon_kib(p.pid))
        time.sleep(0.001)
    print(f"{peak / 1024:.1f}", file=sys.stderr)
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
