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

layout="$work/layout"; mkdir -p "$layout/blobs/sha256" "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/"
for applet in sh sleep true; do ln -s busybox "$work/rootfs/bin/$applet"; done
tar -C "$work/rootfs" -cf "$work/layer.tar" bin
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -c "$work/layer.tar" > "$work/layer.tgz"; l=$(sha256sum "$work/layer.tgz" | cut -d' ' -f1); cp "$work/layer.tgz" "$layout/blobs/sha256/$l"
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff_id" > "$work/config.json"
c=$(sha256sum "$work/config.json" | cut -d' ' -f1); cp "$work/config.json" "$layout/blobs/sha256/$c"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$c" "$(stat -c %s "$work/config.json")" "$l" "$(stat -c %s "$work/layer.tgz")" > "$work/manifest.json"
m=$(sha256sum "$work/manifest.json" | cut -d' ' -f1); cp "$work/manifest.json" "$layout/blobs/sha256/$m"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"bench/busybox:1"}}]}' \
    "$m" "$(stat -c %s "$work/manifest.json")" > "$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
tar -C "$layout" -cf "$work/image.tar" .

[ -x "$repo/target/dist/bin/berth" ] || (cd "$repo" && mvn -q -B -DskipTests package)
mkdir -p "$work/root"
"$repo/target/dist/bin/berth" daemon --root "$work/root" -H "unix://$work/root/berth.sock" --pidfile "$work/root/berth.pid" > "$work/daemon.log" 2>&1 &
until curl -s --unix-socket "$work/root/berth.sock" http://x/_ping > /dev/null 2>&1; do sleep 0.05; done
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
