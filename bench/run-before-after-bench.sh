#!/usr/bin/env bash
# `run --rm busybox true` of two berth installations on one machine, interleaved: a daemon from each
# (BEFORE_REPO's target/dist and this repository's), the same image pulled into both from a loopback
# registry, then runs alternating between them (the order swapped every round) so that a busy shared
# machine weighs on both alike. Prints each side's median, mean and min, and after/before of the medians.
# Arguments: BEFORE_REPO [runs] (default 30). Needs: docker-registry, skopeo, curl. AFTER_RUN_OPTS adds
# options to the after side's `run` (e.g. --security-opt seccomp=unconfined, to weigh one feature).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
before_repo="$(cd "${1:?usage: run-before-after-bench.sh BEFORE_REPO [runs]}" && pwd)"
runs="${2:-30}"
work="$(mktemp -d /tmp/berth-before-after.XXXXXX)"
registry_pid=""
trap 'bench_cleanup "$work"' EXIT

source "$repo/bench/bench-lib.sh"
bench_registry_busybox "$work"

bench_start_daemon "$work/before" "$before_repo"
bench_start_daemon "$work/after" "$repo"
berth_before="$before_repo/target/dist/bin/berth -H unix://$work/before/berth.sock"
berth_after="$repo/target/dist/bin/berth -H unix://$work/after/berth.sock"
$berth_before pull -q "$image" > /dev/null
$berth_after pull -q "$image" > /dev/null

one() { # side → milliseconds of one run
    local cmd start end
    if [ "$1" = before ]; then cmd=$berth_before; else cmd=$berth_after; fi
    start=$(date +%s%N)
    if [ "$1" = before ]; then $cmd run --rm "$image" true; else $cmd run --rm ${AFTER_RUN_OPTS:-} "$image" true; fi
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
bench_interleave before after "$runs"
echo "before ($before_repo): $(bench_stats "$work/before.ms")"
echo "after  ($repo): $(bench_stats "$work/after.ms")"
echo "after / before (medians): $(bench_ratio "$work/after.ms" "$work/before.ms")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
