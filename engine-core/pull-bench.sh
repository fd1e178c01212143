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
cleanup() {
    [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
    [ -f "$work/root/berth.pid" ] && kill "$(cat "$work/root/berth.pid")" 2>/dev/null || true
    sleep 1
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YML
version: 0.1
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
log: {level: error}
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
until curl -s "http://127.0.0.1:$port/v2/" > /dev/null; do sleep 0.1; done

# an OCI layout with four gzip layers
layout="$work/layout"; mkdir -p "$layout/blobs/sha256"
diff_ids=(); layers=()
for dir in /usr/share/doc /usr/lib/python3 /usr/share/perl /usr/share/locale; do
    tar -C / -cf "$work/layer.tar" "${dir#/}" 2>/dev/null || true
    diff_ids+=("sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)")
    gzip -1 -c "$work/layer.tar" > "$work/layer.tar.gz"
    d=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
    mv "$work/layer.tar.gz" "$layout/blobs/sha256/$d"
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$layout/blobs/sha256/$d")}")
done
rm -f "$work/layer.tar"
ids=$(printf '"%s",' "${diff_ids[@]}"); ids="[${ids%,}]"
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"]},"rootfs":{"type":"layers","diff_ids":%s}}' "$ids" > "$work/config.json"
c=$(sha256sum "$work/config.json" | cut -d' ' -f1); cp "$work/config.json" "$layout/blobs/sha256/$c"
ls=$(printf '%s,' "${layers[@]}"); ls="[${ls%,}]"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":%s}' \
    "$c" "$(stat -c %s "$work/config.json")" "$ls" > "$work/manifest.json"
m=$(sha256sum "$work/manifest.json" | cut -d' ' -f1); cp "$work/manifest.json" "$layout/blobs/sha256/$m"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
    "$m" "$(stat -c %s "$work/manifest.json")" > "$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
skopeo copy -q --dest-tls-verify=false "oci:$layout:1" "docker://127.0.0.1:$port/big:1"
image="127.0.0.1:$port/big:1"
compressed=$(du -cb "$layout"/blobs/sha256/* | tail -1 | cut -f1)
echo "image $image: 4 layers, $((compressed / 1000000)) MB compressed"

[ -x "$repo/target/dist/bin/berth" ] || (cd "$repo" && mvn -q -B -DskipTests package)
for run in $(seq 1 "$runs"); do
    rm -rf "$work/root"; mkdir -p "$work/root"
    "$repo/target/dist/bin/berth" daemon --root "$work/root" -H "unix://$work/root/berth.sock" --pidfile "$work/root/berth.pid" \
        > "$work/daemon.log" 2>&1 &
    until curl -s --unix-socket "$work/root/berth.sock" http://x/_ping > /dev/null 2>&1; do sleep 0.05; done
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
