#!/usr/bin/env bash
# `run --rm busybox true`, berth side by side with Podman and Docker, in one run (hyperfine), each on
# its default network: berth's `bridge` (berth0), Podman's `podman` network (netavark, as berth) and
# Docker's default bridge. Docker is a private dockerd started here (own data root, exec root, socket
# and bridge `bbench0` on 10.214.255.0/24, stopped at the end) unless DOCKER_HOST names one.
# The busybox image is made from the host's /bin/busybox and served by Debian's docker-registry on
# 127.0.0.1; each engine pulls it first. Needs: docker-registry, skopeo, hyperfine, podman, docker.io.
# Arguments: [runs]. BERTH_RUN_OPTS, PODMAN_RUN_OPTS, DOCKER_RUN_OPTS add options to each engine's `run`
# (for example `--network none` for all three to measure without networks).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-20}"
docker="${DOCKER:-/usr/bin/docker}"
docker_opts="${DOCKER_RUN_OPTS:-}"
podman_opts="${PODMAN_RUN_OPTS:-}"
berth_opts="${BERTH_RUN_OPTS:-}"
work="$(mktemp -d /tmp/berth-run-bench.XXXXXX)"
registry_pid=""
dockerd_pid=""
cleanup() {
    [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
    [ -f "$work/root/berth.pid" ] && kill "$(cat "$work/root/berth.pid")" 2>/dev/null || true
    if [ -n "$dockerd_pid" ]; then
        kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
        ip link delete bbench0 2>/dev/null || true
    fi
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT

source "$repo/bench/bench-lib.sh"
if [ -z "${DOCKER_HOST:-}" ]; then
    ip link add bbench0 type bridge
    ip addr add 10.214.255.1/24 dev bbench0
    ip link set bbench0 up
    dockerd --data-root "$work/docker" --exec-root "$work/docker-exec" --pidfile "$work/docker.pid" \
        -H "unix://$work/docker.sock" --bridge=bbench0 > "$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    export DOCKER_HOST="unix://$work/docker.sock"
    for _ in $(seq 100); do "$docker" version > /dev/null 2>&1 && break; sleep 0.2; done
fi
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
    -n berth "$berth run --rm $berth_opts $image true" \
    -n podman "podman --runtime runc run --rm $podman_opts --ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc $image true" \
    -n docker "$docker run --rm $docker_opts $image true"
cat "$work/result.md"
podman rmi -f "$image" > /dev/null 2>&1 || true
"$docker" rmi -f "$image" > /dev/null 2>&1 || true
