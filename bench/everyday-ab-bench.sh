#!/usr/bin/env bash
# Everyday commands of two berth installations on one machine, interleaved: `ps`, `images`, `run --rm
# busybox true`, a fully cached and a no-cache build of a ten-instruction Dockerfile (COPY of 200 files, ADD
# of a tar, RUN, metadata), and a daemon's launch → answered `/_ping` on an empty root. A daemon from each
# installation (BEFORE_REPO's target/dist and this repository's), the same busybox image pulled into both
# from a loopback registry; each round runs every measure once per side, the order swapped every round, so
# that a busy machine weighs on both alike. Prints each measure's medians and after/before.
# Arguments: BEFORE_REPO [runs] (default 20). Needs: docker-registry, skopeo, curl. RUN_OPTS adds options
# to both sides' `run` (e.g. --network none when the before side has no bridge network).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
before_repo="$(cd "${1:?usage: everyday-ab-bench.sh BEFORE_REPO [runs]}" && pwd)"
runs="${2:-20}"
work="$(mktemp -d /tmp/berth-everyday-ab.XXXXXX)"
registry_pid=""
trap 'bench_cleanup "$work"' EXIT

source "$repo/bench/bench-lib.sh"
bench_registry_busybox "$work"

declare -A repo_of=([before]="$before_repo" [after]="$repo")
for side in before after; do
    bench_start_daemon "$work/$side" "${repo_of[$side]}"
    "${repo_of[$side]}/target/dist/bin/berth" -H "unix://$work/$side/berth.sock" pull -q "$image" > /dev/null
done
cli() { local side=$1; shift; "${repo_of[$side]}/target/dist/bin/berth" -H "unix://$work/$side/berth.sock" "$@"; }

ctx="$work/context"
mkdir -p "$ctx/files" "$work/tarsrc"
for i in $(seq -w 1 200); do head -c $((200 + 10#$i * 37)) /dev/urandom | base64 > "$ctx/files/file-$i.txt"; done
for i in 1 2 3 4 5; do head -c 20000 /dev/urandom > "$work/tarsrc/blob-$i"; done
tar -C "$work/tarsrc" -czf "$ctx/bundle.tar.gz" .
cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM $image
LABEL org.example.bench="ten instructions"
WORKDIR /app
COPY files/ /app/files/
ADD bundle.tar.gz /app/bundle/
RUN echo built > /app/done
VOLUME /app/data
EXPOSE 8080
ENV MODE=bench
CMD ["cat", "/app/done"]
DOCKERFILE

elapsed() { # command… → milliseconds it took; a failure stops the benchmark
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null 2> "$work/last.err" || { echo "failed: $*: $(head -3 "$work/last.err")" >&2; exit 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
daemon_start() { # side → milliseconds from launch to an answered /_ping on a new empty root
    local root="$work/start-$1" start end pid
    rm -rf "$root"; mkdir -p "$root"
    start=$(date +%s%N)
    "${repo_of[$1]}/target/dist/bin/berth" daemon --root "$root" -H "unix://$root/berth.sock" \
        --pidfile "$root/berth.pid" > "$root.log" 2>&1 &
    pid=$!
    until curl -s --unix-socket "$root/berth.sock" http://x/_ping > /dev/null 2>&1; do sleep 0.01; done
    end=$(date +%s%N)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo $(( (end - start) / 1000000 ))
}
measures=(ps images run build-cached build-no-cache daemon-start)
one() { # side measure → milliseconds
    case $2 in
        ps) elapsed cli "$1" ps ;;
        images) elapsed cli "$1" images ;;
        run) # shellcheck disable=SC2086
            elapsed cli "$1" run --rm ${RUN_OPTS:-} "$image" true ;;
        build-cached) elapsed cli "$1" build -q -t bench-ab "$ctx" ;;
        build-no-cache) elapsed cli "$1" build -q --no-cache -t bench-ab "$ctx" ;;
        daemon-start) daemon_start "$1" ;;
    esac
}

for m in "${measures[@]}"; do one before "$m" > /dev/null; one after "$m" > /dev/null; done # warm-up
for i in $(seq 1 "$runs"); do
    for m in "${measures[@]}"; do
        if (( i % 2 )); then one before "$m" >> "$work/before-$m.ms"; one after "$m" >> "$work/after-$m.ms"
        else one after "$m" >> "$work/after-$m.ms"; one before "$m" >> "$work/before-$m.ms"; fi
    done
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {print NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "before: $before_repo ($(git -C "$before_repo" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "after:  $repo ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'))"
printf '%-16s %10s %10s %8s\n' measure before after ratio
for m in "${measures[@]}"; do
    printf '%-16s %7s ms %7s ms %8s\n' "$m" "$(median "$work/before-$m.ms")" "$(median "$work/after-$m.ms")" \
        "$(bench_ratio "$work/after-$m.ms" "$work/before-$m.ms")"
done
echo "$runs rounds; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
