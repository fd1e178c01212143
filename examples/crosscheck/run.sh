#!/bin/bash
# Cross-check of `berth build` against Docker's legacy builder (dockerd 20.10, `docker.io`): for each
# Dockerfile under examples/crosscheck/*/, both build it from the same context on the same busybox
# base, and this script compares
#   - the image config (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels,
#     StopSignal, Healthcheck, OnBuild, Shell) and the author,
#   - the number of history rows and which of them carry a layer,
#   - the filesystem as a container sees it (every path's mode, owner, size and type, and every
#     file's content digest; times are left out: Docker keeps the sources' times, berth clamps them),
# and prints one line per Dockerfile, then exits non-zero if any differs.
# It runs a private dockerd (its own data root and socket under a temporary directory) and a private
# berth daemon, and stops both at the end. Not part of the test suite: run it when asked.
#   examples/crosscheck/run.sh            # needs root, dockerd, docker, jq and a built berth (./berth)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
for tool in dockerd docker jq busybox; do
    command -v "$tool" >/dev/null || { echo "crosscheck: $tool is missing" >&2; exit 2; }
done
work=$(mktemp -d /tmp/berth-crosscheck.XXXXXX)
dsock=$work/docker.sock
export BERTH_ROOT=$work/berth BERTH_HOST=unix://$work/berth/berth.sock
mkdir -p "$BERTH_ROOT"
dockerd --data-root "$work/docker" --exec-root "$work/docker-exec" --pidfile "$work/docker.pid" -H "unix://$dsock" \
    --bridge=none --iptables=false --ip-masq=false --userland-proxy=false >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
cleanup() {
    "$repo/berth" version >/dev/null 2>&1 && kill "$(cat "$BERTH_ROOT/berth.pid")" 2>/dev/null
    kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null
    sleep 1
    umount "$work/docker-exec/netns/default" 2>/dev/null; umount -R "$work/docker-exec" 2>/dev/null; umount -R "$work/docker" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
docker() { DOCKER_BUILDKIT=0 command docker -H "unix://$dsock" "$@"; }
for _ in $(seq 100); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
docker version >/dev/null 2>&1 || { echo "crosscheck: dockerd did not start, see its log:" >&2; tail -5 "$work/dockerd.log" >&2; exit 2; }

"$repo/examples/demo/base-image.sh" --save "$work/base.tar"
docker load -i "$work/base.tar" >/dev/null
"$repo/berth" load -i "$work/base.tar" >/dev/null

config_of() { # normalised config: absent, null, empty map and empty list are all "not set"
    jq -S '.[0] | {Author: (.Author // ""), Config: (.Config | {Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels, StopSignal, Healthcheck, OnBuild, Shell}
        | with_entries(select(.value != null and .value != {} and .value != [] and .value != "")))}'
}
listing='find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /etc/hostname -o -path /etc/hosts -o -path /etc/resolv.conf -o -path /etc/mtab -o -path /.dockerenv \) -prune -o -print | sort | while read -r p; do
  if [ -f "$p" ] && [ ! -L "$p" ]; then s=$(md5sum < "$p" | cut -c1-32); else s=-; fi
  echo "$p $(stat -c "%a %u:%g %F" "$p") $( [ -L "$p" ] && readlink "$p" || ( [ -d "$p" ] && echo dir || stat -c %s "$p" ) ) $s"
done'

failed=0
for dir in "$here"/*/; do
    name=$(basename "$dir")
    [[ -f $dir/Dockerfile ]] || continue
    if ! docker build -q -t "cross-$name" "$dir" >"$work/$name.docker.out" 2>&1; then
        echo "$name: docker build failed: $(tail -1 "$work/$name.docker.out")"; failed=1; continue
    fi
    if ! "$repo/berth" build -q -t "cross-$name" "$dir" >"$work/$name.berth.out" 2>&1; then
        echo "$name: berth build failed: $(tail -1 "$work/$name.berth.out")"; failed=1; continue
    fi
    docker image inspect "cross-$name" | config_of >"$work/$name.docker.config"
    "$repo/berth" inspect "cross-$name" | config_of >"$work/$name.berth.config"
    docker history --no-trunc --format '{{if eq .Size "0B"}}empty{{else}}layer{{end}}' "cross-$name" >"$work/$name.docker.history"
    "$repo/berth" history --no-trunc "cross-$name" | tail -n +2 | awk '{print ($(NF) == "0B" || $(NF-1) == "0B") ? "empty" : "layer"}' >"$work/$name.berth.history"
    docker run --rm --network none --user 0 --entrypoint /bin/sh "cross-$name" -c "$listing" >"$work/$name.docker.fs" 2>&1
    "$repo/berth" run --rm --user 0 --entrypoint /bin/sh "cross-$name" -c "$listing" >"$work/$name.berth.fs" 2>&1
    problems=()
    diff -q "$work/$name.docker.config" "$work/$name.berth.config" >/dev/null || problems+=("config")
    [[ $(wc -l <"$work/$name.docker.history") == $(wc -l <"$work/$name.berth.history") ]] || problems+=("history rows")
    diff -q "$work/$name.docker.fs" "$work/$name.berth.fs" >/dev/null || problems+=("filesystem")
    if ((${#problems[@]})); then
        failed=1
        echo "$name: DIFFERS in ${problems[*]}"
        for what in config fs; do
            diff -u "$work/$name.docker.$what" "$work/$name.berth.$what" | head -30 | sed 's/^/    /'
        done
    else
        echo "$name: same config, history rows ($(wc -l <"$work/$name.berth.history")) and filesystem ($(wc -l <"$work/$name.berth.fs") paths)"
    fi
done
exit $failed
