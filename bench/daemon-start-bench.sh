#!/usr/bin/env bash
# Times a daemon process from launch to its first answered /_ping on a root holding a big log
# (default 1 M events, made by ReplayBenchmark, with a snapshot near the end). Arguments: [events] [runs].
set -euo pipefail
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
events="${1:-1000000}"
runs="${2:-5}"
work="$(mktemp -d /tmp/berth-start-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$root_dir/bench/bench.sh" "$events" "$work/root" > "$work/bench.log" 2>&1
dist="$root_dir/target/dist"
[ -x "$dist/bin/berth" ] || (cd "$root_dir" && mvn -q -B -DskipTests package)
for run in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$dist/bin/berth" daemon --root "$work/root" -H "unix://$work/root/berth.sock" --pidfile "$work/root/berth.pid" \
        > "$work/daemon-$run.log" 2>&1 &
    pid=$!
    until curl -s --unix-socket "$work/root/berth.sock" http://x/_ping >/dev/null 2>&1; do sleep 0.01; done
    end=$(date +%s%N)
    echo "run $run: daemon answered /_ping $(( (end - start) / 1000000 )) ms after launch on a $events-event log"
    kill "$pid"; wait "$pid" || true
done
