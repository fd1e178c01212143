#!/usr/bin/env bash
# Events streaming and time travel on a big log (default 1 M events). Builds engine-core's test classes,
# writes the log through the journal (HistoryBenchmark: snapshots as a daemon takes them, then --at timed in
# one JVM), starts a daemon process on that root (target/dist) and times, with the CLI:
#   berth events --since 0 --format json > /dev/null      (every event streamed to the CLI: events/s)
#   berth events --since 0 > /dev/null                    (the same, rendered as readable lines)
#   berth images --at <time> / curl /images/json?at=…     (a past state, cold, at several points)
# Arguments: [events] [work directory]. The work directory is removed at the end.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
events="${1:-1000000}"
work="${2:-$(mktemp -d /tmp/berth-history-bench.XXXXXX)}"
mkdir -p "$work"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
# shellcheck source=bench/bench-lib.sh
source bench/bench-lib.sh
cleanup() {
    [[ -n ${daemon_pid:-} ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
root="$work/root"
bench_java_main engine-core 4g io.berth.engine.bench.HistoryBenchmark "$events" "$root" | tee "$work/in-jvm.txt"

"$repo/target/dist/bin/berth" daemon --root "$root" -H "unix://$root/berth.sock" --pidfile "$root/berth.pid" \
    > "$work/daemon.log" 2>&1 &
daemon_pid=$!
until curl -s --unix-socket "$root/berth.sock" http://x/_ping > /dev/null 2>&1; do sleep 0.1; done
berth=("$repo/target/dist/bin/berth" -H "unix://$root/berth.sock")

seconds() { local s e; s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N); echo "scale=3; ($e - $s) / 1000000000" | bc; }
for round in 1 2; do
    t=$(seconds "${berth[@]}" events --since 0 --format json)
    n=$(curl -s --unix-socket "$root/berth.sock" http://x/info | sed -n 's/.*"LastSequence":\([0-9]*\).*/\1/p')
    echo "events --since 0 --format json, round $round: ${t} s for ${n:-?} events ($(echo "${n:-0} / $t" | bc) events/s)"
done
t=$(seconds "${berth[@]}" events --since 0)
echo "events --since 0 (readable lines): ${t} s"
for fraction in 10 40 70 95; do
    moment=$(sed -n "s/^round 1: state at \([^ ]*\) (seq.*/\1/p" "$work/in-jvm.txt" | sed -n "$(( (fraction / 25) + 1 ))p")
    [[ -z $moment ]] && continue
    api=$(seconds curl -s --unix-socket "$root/berth.sock" "http://x/images/json?at=$moment")
    again=$(seconds curl -s --unix-socket "$root/berth.sock" "http://x/images/json?at=$moment")
    cli=$(seconds "${berth[@]}" images --at "$moment")
    echo "at $moment: GET /images/json?at= ${api} s (cold), ${again} s (cached); berth images --at ${cli} s (cached)"
done
for s in 100001 300001 600001 900001; do
    (( s < events )) || continue
    echo "berth ps -a --at seq:$s (cold): $(seconds "${berth[@]}" ps -a --at "seq:$s") s; images: $(seconds "${berth[@]}" images --at "seq:$((s + 1))") s"
done
