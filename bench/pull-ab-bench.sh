#!/usr/bin/env bash
# Pull of the big 4-layer image of pull-bench.sh from a loopback registry, by two berth installations
# in turn: A (another checkout's target/dist, e.g. the commit before a change) and B (this one's).
# Runs are interleaved A, B, B, A, A, B, … (the order swapped every pair), each after a sync, so a machine shared
# with other work slows both alike.
# Needs: docker-registry, skopeo. Arguments: OTHER_REPO [runs]. Prints one line per pull and the medians.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
other="$(cd "${1:?usage: pull-ab-bench.sh OTHER_REPO [runs]}" && pwd)"
runs="${2:-5}"
work="$(mktemp -d /tmp/berth-pull-ab.XXXXXX)"
registry_pid=""
trap 'bench_cleanup "$work"' EXIT
source "$repo/bench/bench-lib.sh"
bench_registry_big "$work"

pull() { # $1 = repo; prints milliseconds
    rm -rf "$work/root"
    # the previous pull's half gigabyte of dirty pages is written back now, not during this pull: otherwise the
    # second of each pair pays for the first's writes (and the first of the first pair for nothing but the push)
    sync
    bench_start_daemon "$work/root" "$1"
    local s e
    s=$(date +%s%N)
    "$1/target/dist/bin/berth" -H "unix://$work/root/berth.sock" pull -q "$image" > /dev/null
    e=$(date +%s%N)
    kill "$(cat "$work/root/berth.pid")"; sleep 1
    echo $(( (e - s) / 1000000 ))
}
a=(); b=()
for run in $(seq 1 "$runs"); do
    if (( run % 2 )); then # the order swapped every pair, so neither side always follows the other
        ta=$(pull "$other"); tb=$(pull "$repo")
    else
        tb=$(pull "$repo"); ta=$(pull "$other")
    fi
    a+=("$ta"); b+=("$tb")
    echo "run $run: A ${ta} ms, B ${tb} ms"
done
python3 - "${a[*]}" "${b[*]}" <<'PY'
import statistics, sys
a = [int(x) for x in sys.argv[1].split()]; b = [int(x) for x in sys.argv[2].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"median A {ma:.0f} ms, median B {mb:.0f} ms, B/A {mb/ma:.3f}")
PY
