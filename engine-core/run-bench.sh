#!/usr/bin/env bash
# `run --rm busybox true`, berth side by side with Podman and Docker, in one run (hyperfine).
# The busybox image is made from the host's /bin/busybox and served by Debian's docker-registry on
# 127.0.0.1; each engine pulls it first. Needs: docker-registry, skopeo, hyperfine, podman, docker.io
# (a running dockerd). Arguments: [runs].
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-20}"
docker="${DOCKER:-/usr/bin/docker}"
work="$(mktemp -d /tmp/berth-run-bench.XXXXXX)"
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
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
log: {level: error}
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
until curl -s "http://127.0.0.1:$port/v2/" > /dev/null; do sleep 0.1; done

layout="$work/layout"; mkdir -p "$layout/blobs/sha256" "$work/rootfs/bin"
cp /bin/busybox "$work/rootfs/bin/"
for applet in sh true echo; do ln -s busybox "$work/rootfs/bin/$applet"; done
tar -C "$work/rootfs" -cf "$work/layer.tar" bin
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -c "$work/layer.tar" > "$work/layer.tgz"; l=$(sha256sum "$work/layer.tgz" | cut -d' ' -f1); cp "$work/layer.tgz" "$layout/blobs/sha256/$l"
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff_id" > "$work/config.json"
c=$(sha256sum "$work/config.json" | cut -d' ' -f1); cp "$work/config.json" "$layout/blobs/sha256/$c"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$c" "$(stat -c %s "$work/config.json")" "$l" "$(stat -c %s "$work/layer.tgz")" > "$work/manifest.json"
m=$(sha256sum "$work/manifest.json" | cut -d' ' -f1); cp "$work/manifest.json" "$layout/blobs/sha256/$m"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s}]}' "$m" "$(stat -c %s "$work/manifest.json")" > "$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
image="127.0.0.1:$port/busybox:1"
skopeo copy -q --dest-tls-verify=false "oci:$layout" "docker://$image"

[ -x "$repo/target/dist/bin/berth" ] || (cd "$repo" && mvn -q -B -DskipTests package)
berth="$repo/target/dist/bin/berth -H unix://$work/root/berth.sock"
mkdir -p "$work/root"
"$repo/target/dist/bin/berth" daemon --root "$work/root" -H "unix://$work/root/berth.sock" --pidfile "$work/root/berth.pid" > "$work/daemon.log" 2>&1 &
until curl -s --unix-socket "$work/root/berth.sock" http://x/_ping > /dev/null 2>&1; do sleep 0.05; done
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
    -n docker "$docker run --rm $image true"
cat "$work/result.md"
podman rmi -f "$image" > /dev/null 2>&1 || true
"$docker" rmi -f "$image" > /dev/null 2>&1 || true
