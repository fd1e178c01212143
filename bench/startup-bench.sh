#!/usr/bin/env bash
# Start-up, side by side in one run, as three ratios of medians (interleaved rounds, bench-lib.sh):
#  (a) `berth ps`, `berth version`, `berth images` with the daemon up, against a bare JVM "hello" on the same
#      JDK with -XX:TieredStopAtLevel=1 -XX:+UseSerialGC (target <= 1.2x);
#  (b) the first `berth version` with no daemon running (it auto-starts one on a scratch root), against
#      dockerd from launch to an answered /_ping on a scratch root (target <= 1.5x);
#  (c) a berth daemon from launch to an answered /_ping on a 1 M-event log, against the same dockerd figure
#      (target <= 2x).
# Arguments: [cli runs] [daemon runs] (default 20 and 7; 0 daemon runs measures (a) only, without dockerd and
# without the 1 M-event log). Needs root, dockerd (docker.io) and curl.
# The 1 M-event log is written once by bench.sh and kept in $BENCH_BIG_ROOT (default
# /var/tmp/berth-startup-bench/log-1M): writing it takes minutes, a daemon start on it does not change it
# beyond a few events and a snapshot.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cli_runs="${1:-20}"
daemon_runs="${2:-7}"
big_root="${BENCH_BIG_ROOT:-/var/tmp/berth-startup-bench/log-1M}"
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
source "$repo/bench/bench-lib.sh"
work="$(mktemp -d /tmp/berth-startup-bench.XXXXXX)"
berth="$repo/target/dist/bin/berth"

# Stops a process this script started by the pid in file $1 and waits until it is gone (a daemon that the
# CLI auto-started is not this shell's child, so `wait` cannot be used).
stop_pidfile() {
    local pid
    [ -f "$1" ] || return 0
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.02; done
    kill -9 "$pid" 2>/dev/null || true
}
dockerd_cleanup() {
    local d=$1
    stop_pidfile "$d/docker.pid"
    umount "$d/exec/netns/default" 2>/dev/null || true
    umount -R "$d/exec" 2>/dev/null || true
    umount -R "$d/data" 2>/dev/null || true
    rm -rf "$d"
}
cleanup() {
    stop_pidfile "$work/up/berth.pid"
    [ "$daemon_runs" -eq 0 ] || stop_pidfile "$big_root/berth.pid"
    stop_pidfile "$work/auto/berth.pid"
    [ -d "$work/dockerd" ] && dockerd_cleanup "$work/dockerd"
    rm -rf "$work"
}
trap cleanup EXIT

[ -x "$berth" ] || (cd "$repo" && mvn -q -B -o -DskipTests package)
if [ "$daemon_runs" -gt 0 ] && [ ! -d "$big_root/events" ]; then
    echo "writing the 1 M-event log to $big_root (once)"
    BENCH_JAVA_OPTS="-Dreplay.rounds=1 -Dreplay.only=true" "$repo/bench/bench.sh" 1000000 "$big_root" > "$work/bench.log" 2>&1
fi
# A root copied from another run may hold a stale pid file: the daemon would refuse it.
[ "$daemon_runs" -eq 0 ] || stop_pidfile "$big_root/berth.pid"

# --- (a) the CLI with the daemon up, against the bare JVM -----------------------------------------------------
mkdir -p "$work/hello"
cat > "$work/hello/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] args) { System.out.println("hello"); } }
JAVA
"${java%/java}/javac" -d "$work/hello" "$work/hello/Hello.java"
hello=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$work/hello" Hello)
mkdir -p "$work/up"
"$berth" daemon --root "$work/up" -H "unix://$work/up/berth.sock" --pidfile "$work/up/berth.pid" > "$work/up.log" 2>&1 &
until curl -s --unix-socket "$work/up/berth.sock" http://x/_ping > /dev/null 2>&1; do sleep 0.05; done
up=("$berth" -H "unix://$work/up/berth.sock")

# one SIDE: runs it once, prints its milliseconds; every command's success is checked before timing
ms_of() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
"${hello[@]}" > /dev/null && "${up[@]}" ps > /dev/null && "${up[@]}" version > /dev/null && "${up[@]}" images > /dev/null
one() {
    case $1 in
        hello-*) ms_of "${hello[@]}" ;;
        ps) ms_of "${up[@]}" ps ;;
        version) ms_of "${up[@]}" version ;;
        images) ms_of "${up[@]}" images ;;
        auto) auto_start ;;
        dockerd|dockerd-c) dockerd_start ;;
        big) big_start ;;
    esac
}
for cmd in ps version images; do bench_interleave "hello-$cmd" "$cmd" "$cli_runs"; done
stop_pidfile "$work/up/berth.pid"

# --- (b) auto-start, against dockerd's start; (c) a daemon on the 1 M-event log, against the same -------------
# Each start is from nothing: a fresh scratch root for berth's auto-start and for dockerd alike.
auto_start() {
    local ms
    rm -rf "$work/auto"; mkdir -p "$work/auto"
    ms=$(ms_of "$berth" -H "unix://$work/auto/berth.sock" --root "$work/auto" version) || exit 1
    stop_pidfile "$work/auto/berth.pid"
    echo "$ms"
}
dockerd_start() {
    local d=$work/dockerd s e
    mkdir -p "$d"
    s=$(date +%s%N)
    dockerd --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/docker.pid" -H "unix://$d/docker.sock" \
        --bridge=none --iptables=false --ip-masq=false --userland-proxy=false > "$work/dockerd.log" 2>&1 &
    until curl -sf --unix-socket "$d/docker.sock" http://x/_ping > /dev/null 2>&1; do
        kill -0 $! 2>/dev/null || { echo "dockerd exited: $(tail -1 "$work/dockerd.log")" >&2; exit 1; }
        sleep 0.005
    done
    e=$(date +%s%N)
    dockerd_cleanup "$d"
    echo $(( (e - s) / 1000000 ))
}
big_start() {
    local s e pid
    s=$(date +%s%N)
    "$berth" daemon --root "$big_root" -H "unix://$big_root/berth.sock" --pidfile "$big_root/berth.pid" > "$work/big.log" 2>&1 &
    pid=$!
    until curl -sf --unix-socket "$big_root/berth.sock" http://x/_ping > /dev/null 2>&1; do
        kill -0 "$pid" 2>/dev/null || { echo "berth daemon exited: $(tail -1 "$work/big.log")" >&2; exit 1; }
        sleep 0.005
    done
    e=$(date +%s%N)
    stop_pidfile "$big_root/berth.pid"
    wait "$pid" 2>/dev/null || true
    echo $(( (e - s) / 1000000 ))
}
if [ "$daemon_runs" -gt 0 ]; then
    bench_interleave auto dockerd "$daemon_runs"
    bench_interleave big dockerd-c "$daemon_runs"
fi

# --- report ---------------------------------------------------------------------------------------------------
verdict() { awk -v r="$1" -v t="$2" 'BEGIN {print (r <= t ? "met" : "NOT met")}'; }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $("$java" -version 2>&1 | head -1)"
printf '%-46s %-44s %-44s %s\n' "measure" "berth" "reference" "ratio (target)"
for cmd in ps version images; do
    r=$(bench_ratio "$work/$cmd.ms" "$work/hello-$cmd.ms")
    printf '%-46s %-44s %-44s %s\n' "(a) berth $cmd, daemon up / bare JVM hello" "$(bench_stats "$work/$cmd.ms")" \
        "$(bench_stats "$work/hello-$cmd.ms")" "${r}x (<= 1.2: $(verdict "$r" 1.2))"
done
[ "$daemon_runs" -gt 0 ] || exit 0
r=$(bench_ratio "$work/auto.ms" "$work/dockerd.ms")
printf '%-46s %-44s %-44s %s\n' "(b) first berth version, auto-start / dockerd" "$(bench_stats "$work/auto.ms")" \
    "$(bench_stats "$work/dockerd.ms")" "${r}x (<= 1.5: $(verdict "$r" 1.5))"
r=$(bench_ratio "$work/big.ms" "$work/dockerd-c.ms")
printf '%-46s %-44s %-44s %s\n' "(c) daemon on 1 M events to /_ping / dockerd" "$(bench_stats "$work/big.ms")" \
    "$(bench_stats "$work/dockerd-c.ms")" "${r}x (<= 2: $(verdict "$r" 2))"
