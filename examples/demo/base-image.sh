#!/bin/bash
# Makes the example's base image, berth-example/busybox:latest, from the host's busybox
# (Debian package busybox-static) and loads it with `berth load`: no registry and no network.
# The image is one layer: /bin/busybox, a symlink per applet, /etc/passwd and /etc/group, /tmp.
# Usage: examples/demo/base-image.sh [BERTH_COMMAND [GLOBAL_OPTION…]]   (default: the repository's ./berth;
#        the options, such as -H or --root, go before `load`)
#        examples/demo/base-image.sh --save FILE       (write the docker-archive, load nothing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
save=
if [[ ${1:-} == --save ]]; then save=$2; fi
berth=${1:-$here/../../berth}
global=("${@:2}")
busybox=$(command -v busybox || true)
[[ -n $busybox ]] || { echo "base-image.sh: busybox is missing (apt-get install busybox-static)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root"
cp "$(readlink -f "$busybox")" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\napp:x:1000:\n' > "$root/etc/group"
chmod 1777 "$root/tmp"
# reproducible: fixed times, sorted names, numeric owners
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]},"created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z","created_by":"busybox from the host"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["$diff_id"]}}
JSON
config_hex=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mkdir -p "$work/archive"
mv "$work/config.json" "$work/archive/$config_hex.json"
mv "$work/layer.tar" "$work/archive/layer.tar"
printf '[{"Config":"%s.json","RepoTags":["berth-example/busybox:latest"],"Layers":["layer.tar"]}]\n' "$config_hex" > "$work/archive/manifest.json"
tar -C "$work/archive" -cf "$work/image.tar" .
if [[ -n $save ]]; then
    cp "$work/image.tar" "$save"
else
    "$berth" "${global[@]}" load -i "$work/image.tar"
fi
