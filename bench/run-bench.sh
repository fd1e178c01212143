#!/usr/bin/env bash
# `run --rm busybox true`, berth side by side with Podman and Docker, in one run (hyperfine).
# The busybox image is made from the host's /bin/busybox and served by Debian's docker-registry on
# 127.0.0.1; each engine pulls it first. Needs: docker-registry, skopeo, hyperfine, podman, docker.io
# (a running dockerd). Arguments: [runs]. DOCKER_RUN_OPTS adds options to `docker run` (for example
# `--network none` when the host's docker0 bridge is not usable).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-20}"
docker="${DOCKER:-/usr/bin/docker}"
docker_opts="${DOCKER_RUN_OPTS:-}"
work="$(mktemp -d /tmp/berth-run-bench.XXXXXX)"
registry_pid=""
cleanup() {
    [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
    [ -f "$work/root/berth.pid" ] && kill "$(cat "$work/root/berth.pid")" 2>/dev/null || true
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT

source "$repo/bench/bench-lib.sh"
bench_start_registry "$work"
registry_pid=$bench_registry_pid
port=$bench_registry_port
bench_push_busybox "$work" "$port"
image=$bench_busybox_image

berth="$repo/target/dist/bin/berth -H unix://$work/root/berth.sock"
bench_start_daemon "$work/root" "$repo"
$berth pull -q "$image" > /dev/null
podman pull -q --tls-verify=false "$image" > /dev/null
"$docker" pull -q "$image" > /dev/null

# crun refuses this host's hybrid cgroups and Podman asks for more open files than the session allows:
# run it with runc and the session's own limit (berth and Docker take the daemon's limit by themselves)
nofile=$(ulimit -Hn)
nproc=4096
hyperfine -N -w 3 -r "$runs" --export-markdown "$work/result.md" \
    -n berth "$berth run --rm $image true" \
    -n podman "podman --runtime runc run --rm --network none --ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc $image true" \
    -n docker "$docker run --rm $docker_opts $image true"
cat "$work/result.md"
podman rmi -f "$image" > /dev/null 2>&1 || true
"$docker" rmi -f "$image" > /dev/null 2>&1 || true
