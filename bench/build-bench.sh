#!/usr/bin/env bash
# `berth build` of a ten-instruction Dockerfile (LABEL, WORKDIR, COPY of 200 files, ADD of a tar,
# RUN, VOLUME, EXPOSE, ENV, ENTRYPOINT, CMD) on a busybox base made from the host's busybox, side by
# side in one run with Docker's BuildKit (DOCKER_BUILDKIT=1) and legacy builder (DOCKER_BUILDKIT=0),
# without cache and fully cached. Docker runs as a private dockerd (own data root and socket under a
# temporary directory), berth as a private daemon; both are stopped at the end.
# Arguments: [runs] (default 5); prints each measure's median in ms. Needs root, dockerd, docker.io's CLI.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
docker_cli="${DOCKER:-/usr/bin/docker}"
work="$(mktemp -d /tmp/berth-build-bench.XXXXXX)"
dsock="$work/docker.sock"
dockerd_pid=""
cleanup() {
    [ -f "$work/root/berth.pid" ] && kill "$(cat "$work/root/berth.pid")" 2>/dev/null || true
    [ -n "$dockerd_pid" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
    sleep 1
    umount "$work/docker-exec/netns/default" 2>/dev/null || true
    umount -R "$work/docker-exec" 2>/dev/null || true
    umount -R "$work/docker" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

dockerd --data-root "$work/docker" --exec-root "$work/docker-exec" --pidfile "$work/docker.pid" -H "unix://$dsock" \
    --bridge=none --iptables=false --ip-masq=false --userland-proxy=false > "$work/dockerd.log" 2>&1 &
dockerd_pid=$!
dk() { "$docker_cli" -H "unix://$dsock" "$@"; }
for _ in $(seq 150); do dk version > /dev/null 2>&1 && break; sleep 0.2; done

source "$repo/bench/bench-lib.sh"
bench_start_daemon "$work/root" "$repo"
berth() { "$repo/target/dist/bin/berth" -H "unix://$work/root/berth.sock" "$@"; }

"$repo/examples/demo/base-image.sh" --save "$work/base.tar"
dk load -i "$work/base.tar" > /dev/null
berth load -i "$work/base.tar" > /dev/null

ctx="$work/context"
mkdir -p "$ctx/files" "$work/tarsrc"
for i in $(seq -w 1 200); do head -c $((200 + 10#$i * 37)) /dev/urandom | base64 > "$ctx/files/file-$i.txt"; done
for i in 1 2 3 4 5; do head -c 20000 /dev/urandom > "$work/tarsrc/blob-$i"; done
tar -C "$work/tarsrc" -czf "$ctx/bundle.tar.gz" .
cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM berth-example/busybox:latest
LABEL org.example.bench="ten instructions"
WORKDIR /app
COPY files/ /app/files/
ADD bundle.tar.gz /app/bundle/
RUN ls -R /app > /app/listing.txt && wc -l /app/listing.txt
VOLUME /app/data
EXPOSE 8080
ENV MODE=bench
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/listing.txt"]
DOCKERFILE

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

declare -A results
measure() { # name, command…
    local name="$1"; shift
    local all=()
    for _ in $(seq 1 "$runs"); do all+=("$(time_ms "$@")"); done
    results[$name]=$(printf '%s\n' "${all[@]}" | median)
    echo "$name: ${all[*]} ms (median ${results[$name]})"
}

berth build -q -t bench "$ctx" > /dev/null  # warm the daemon's JIT once, as dockerd is warm
measure "berth, no cache" berth build -q --no-cache -t bench "$ctx"
measure "berth, cached" berth build -q -t bench "$ctx"
DOCKER_BUILDKIT=1 dk build -q --network host -t bench "$ctx" > /dev/null
measure "BuildKit, no cache" env DOCKER_BUILDKIT=1 "$docker_cli" -H "unix://$dsock" build -q --no-cache --network host -t bench "$ctx"
measure "BuildKit, cached" env DOCKER_BUILDKIT=1 "$docker_cli" -H "unix://$dsock" build -q --network host -t bench "$ctx"
DOCKER_BUILDKIT=0 dk build -q --network host -t bench-legacy "$ctx" > /dev/null
measure "legacy builder, no cache" env DOCKER_BUILDKIT=0 "$docker_cli" -H "unix://$dsock" build -q --no-cache --network host -t bench-legacy "$ctx"
measure "legacy builder, cached" env DOCKER_BUILDKIT=0 "$docker_cli" -H "unix://$dsock" build -q --network host -t bench-legacy "$ctx"
echo "berth reproducible: $(berth build -q --no-cache "$ctx") = $(berth build -q --no-cache "$ctx")"
