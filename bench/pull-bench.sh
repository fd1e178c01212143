#!/usr/bin/env bash
# Pull of a big 4-layer image from a loopback registry, berth side by side with Docker, in one run.
# The image is made from host directories (no internet): /usr/share/doc, /usr/lib/python3,
# /usr/share/perl, /usr/share/locale, one gzip layer each, pushed with skopeo to Debian's
# docker-registry on 127.0.0.1. Needs: docker-registry, skopeo, docker.io (a running dockerd).
# Arguments: [runs]. Each run pulls into an empty berth root and after `docker rmi` of the image.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
docker="${DOCKER:-/usr/bin/docker}"
work="$(mktemp -d /tmp/berth-pull-bench.XXXXXX)"
registry_pid=""
trap 'bench_cleanup "$work"' EXIT
source "$repo/bench/bench-lib.sh"
bench_registry_big "$work"

for run in $(seq 1 "$runs"); do
    rm -rf "$work/root"
    bench_start_daemon "$work/root" "$repo"
    s=$(date +%s%N)
    "$repo/target/dist/bin/berth" -H "unix://$work/root/berth.sock" pull -q "$image" > /dev/null
    e=$(date +%s%N)
    berth_ms=$(( (e - s) / 1000000 ))
    kill "$(cat "$work/root/berth.pid")"; sleep 1
    "$docker" rmi -f "$image" > /dev/null 2>&1 || true
    s=$(date +%s%N)
    "$docker" pull -q "$image" > /dev/null
    e=$(date +%s%N)
    docker_ms=$(( (e - s) / 1000000 ))
    "$docker" rmi -f "$image" > /dev/null 2>&1 || true
    echo "run $run: berth pull ${berth_ms} ms, docker pull ${docker_ms} ms, ratio $(python3 -c "print(round($berth_ms/$docker_ms, 2))")"
done
