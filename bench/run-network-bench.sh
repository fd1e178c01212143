#!/usr/bin/env bash
# `run --rm busybox true` on the default network `bridge` against `--network none` (what a container had
# before berth had networks), one daemon, alternating rounds, each run timed from the CLI's launch to its exit.
# The busybox image is made from the host's /bin/busybox and served by Debian's docker-registry on 127.0.0.1.
# Needs: docker-registry, skopeo, netavark, aardvark-dns, iptables. Arguments: [runs].
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-30}"
work="$(mktemp -d /tmp/berth-network-bench.XXXXXX)"
registry_pid=""
trap 'bench_cleanup "$work"' EXIT

source "$repo/bench/bench-lib.sh"
bench_registry_busybox "$work"

bench_start_daemon "$work/root" "$repo"
berth="$repo/target/dist/bin/berth -H unix://$work/root/berth.sock"
$berth pull -q "$image" > /dev/null

one() { # bridge|none → milliseconds of one run
    local opts="" start end
    [ "$1" = none ] && opts="--network none"
    start=$(date +%s%N)
    $berth run --rm $opts "$image" true
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
bench_interleave none bridge "$runs"
echo "--network none:  $(bench_stats "$work/none.ms")"
echo "default bridge:  $(bench_stats "$work/bridge.ms")"
echo "bridge / none (medians): $(bench_ratio "$work/bridge.ms" "$work/none.ms")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
