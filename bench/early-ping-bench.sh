#!/usr/bin/env bash
# A daemon from launch to its first answered /_ping on a scratch root, and the first `berth version` with no
# daemon running (the CLI auto-starts one), for two berth installations interleaved round by round: this
# checkout's target/dist and BEFORE_DIST (e.g. a copy of target/dist built from an earlier commit).
# Arguments: BEFORE_DIST [runs] (default 10). Prints each figure's median in ms. Needs root and python3 (the
# harness: one process polls the socket, so a poll costs no fork).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
before="${1:?usage: early-ping-bench.sh BEFORE_DIST [runs]}"
runs="${2:-10}"
after="$repo/target/dist"
[ -x "$after/bin/berth" ] || (cd "$repo" && mvn -q -B -o -DskipTests package)
work="$(mktemp -d /tmp/berth-early-ping-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$before" "$after" "$runs" "$work" <<'PY'
import os, signal, socket, statistics, subprocess, sys, time
before, after, runs, work = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def pinged(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(path)
        s.sendall(b"GET /_ping HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n")
        data = s.recv(64)
        s.close()
        return data.startswith(b"HTTP/1.1 200 ")
    except OSError:
        return False

def stop(pidfile, proc=None):
    deadline = time.time() + 30
    while not os.path.exists(pidfile) and time.time() < deadline and (proc is None or proc.poll() is None):
        time.sleep(0.02)
    try:
        pid = int(open(pidfile).read().strip())
    except (OSError, ValueError):
        pid = proc.pid if proc else None
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.02)

def launch_to_ping(dist, root):
    os.makedirs(root)
    sock, pid = root + "/berth.sock", root + "/berth.pid"
    t0 = time.perf_counter()
    proc = subprocess.Popen([dist + "/bin/berth", "daemon", "-H", "unix://" + sock, "--root", root, "-p", pid],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (os.path.exists(sock) and pinged(sock)):
        if proc.poll() is not None:
            raise SystemExit("daemon exited with %d" % proc.returncode)
        time.sleep(0.002)
    took = (time.perf_counter() - t0) * 1000
    stop(pid, proc)
    proc.wait()
    return took

def auto_version(dist, root):
    os.makedirs(root)
    sock = root + "/berth.sock"
    t0 = time.perf_counter()
    r = subprocess.run([dist + "/bin/berth", "-H", "unix://" + sock, "--root", root, "version"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = (time.perf_counter() - t0) * 1000
    if r.returncode != 0:
        raise SystemExit("berth version failed: " + r.stderr.decode())
    stop(root + "/berth.pid")
    return took

# one unmeasured start of each, so both read their jars from the page cache
for label, dist in (("before", before), ("after", after)):
    launch_to_ping(dist, "%s/warm-%s" % (work, label))
results = {}
for i in range(runs):
    order = (("before", before), ("after", after)) if i % 2 == 0 else (("after", after), ("before", before))
    for label, dist in order:
        results.setdefault(("ping", label), []).append(launch_to_ping(dist, "%s/p-%s-%d" % (work, label, i)))
        results.setdefault(("version", label), []).append(auto_version(dist, "%s/v-%s-%d" % (work, label, i)))
for what, name in (("ping", "daemon launch -> answered /_ping"), ("version", "first `berth version`, daemon auto-started")):
    b, a = statistics.median(results[(what, "before")]), statistics.median(results[(what, "after")])
    print("%-45s before %6.0f ms  after %6.0f ms  (%.2fx)  [%d runs each]" % (name, b, a, a / b, runs))
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
