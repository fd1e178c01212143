#!/usr/bin/env bash
# 100 `berth run -d IMAGE sleep 600` one after another: total time, and the daemon's memory before
# and after. The busybox image (the host's /bin/busybox) is loaded from an OCI layout tar.
# Arguments: [containers].
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-100}"
work="$(mktemp -d /tmp/berth-many-bench.XXXXXX)"
berth="$repo/target/dist/bin/berth -H unix://$work/root/berth.sock"
cleanup() {
    if [ -S "$work/root/berth.sock" ]; then
        ids=$($berth ps -aq 2>/dev/null || true)
        [ -n "$ids" ] && $berth rm -f $ids > /dev/null 2>&1 || true
        kill "$(cat "$work/root/berth.pid")" 2>/dev/null || true
        sleep 1
    fi
    rm -rf "$work"
}
trap cleanup EXIT

source "$repo/bench/bench-lib.sh"
bench_busybox_tar "$work" "$work/layer.tar" sh sleep true
BENCH_IMAGE_NAME=bench/busybox:1 bench_oci_layout "$work/layout" "$work/layer.tar"
tar -C "$work/layout" -cf "$work/image.tar" .
bench_start_daemon "$work/root" "$repo"
$berth load -q -i "$work/image.tar" > /dev/null
pid=$(cat "$work/root/berth.pid")
rss_before=$(ps -o rss= -p "$pid")
s=$(date +%s%N)
for i in $(seq 1 "$count"); do
    $berth run -d bench/busybox:1 sleep 600 > /dev/null
done
e=$(date +%s%N)
running=$($berth ps -q | wc -l)
rss_after=$(ps -o rss= -p "$pid")
echo "$count x run -d: $(( (e - s) / 1000000 )) ms in all, $(( (e - s) / 1000000 / count )) ms each; $running running"
echo "daemon RSS: $((rss_before / 1024)) MiB before, $((rss_after / 1024)) MiB with $running containers"
echo "conmon RSS in all: $(( $(ps -C conmon -o rss= | awk '{s+=$1} END {print s}') / 1024 )) MiB"
