# Shared by the benchmark scripts (sourced, not run): a loopback registry and test images made
# from the host's files, without internet.

# bench_java_main MODULE HEAP CLASS [ARGS…]: builds MODULE and its test classes with the reactor (nothing
# is installed into ~/.m2), then runs CLASS from its test class path with the JVM flags Chronicle Queue needs
# (the root pom's chronicle.jvm.args, read from it so there is one list), a HEAP like 2g, and
# $BENCH_JAVA_OPTS. Run from the repository root; returns the program's exit status.
bench_java_main() {
    local module=$1 heap=$2 main=$3 cp_file flags status=0
    shift 3
    cp_file="$(mktemp)"
    mvn -q -B -pl "$module" -am test-compile dependency:build-classpath \
        -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
    flags="$(sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' pom.xml)"
    # shellcheck disable=SC2086
    "${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" $flags ${BENCH_JAVA_OPTS:-} "-Xmx$heap" \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$module/target/test-classes:$module/target/classes:$(cat "$cp_file")" "$main" "$@" || status=$?
    rm -f "$cp_file"
    return "$status"
}

# Starts Debian's docker-registry on 127.0.0.1 at a free port, storage under $1. Sets
# bench_registry_port and bench_registry_pid; waits until /v2/ answers.
bench_start_registry() {
    local work="$1"
    bench_registry_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    cat > "$work/registry.yml" <<YML
version: 0.1
storage: {filesystem: {rootdirectory: $work/registry}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$bench_registry_port}
log: {level: error}
YML
    docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
    bench_registry_pid=$!
    until curl -s "http://127.0.0.1:$bench_registry_port/v2/" > /dev/null; do sleep 0.1; done
}

# Writes an OCI image layout at $1 with one gzip layer per tar file given after it ($2…), a config
# running sh, and the index entry named $BENCH_IMAGE_NAME when set.
bench_oci_layout() {
    local layout="$1"; shift
    local diff_ids=() layers=() tar d
    mkdir -p "$layout/blobs/sha256"
    for tar in "$@"; do
        diff_ids+=("\"sha256:$(sha256sum "$tar" | cut -d' ' -f1)\"")
        gzip -1 -c "$tar" > "$layout/layer.tgz"
        d=$(sha256sum "$layout/layer.tgz" | cut -d' ' -f1)
        mv "$layout/layer.tgz" "$layout/blobs/sha256/$d"
        layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$layout/blobs/sha256/$d")}")
    done
    local ids layer_list config manifest c m annotations=""
    ids=$(IFS=,; echo "${diff_ids[*]}"); layer_list=$(IFS=,; echo "${layers[*]}")
    config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$ids]}}"
    c=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1); printf '%s' "$config" > "$layout/blobs/sha256/$c"
    manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$c\",\"size\":${#config}},\"layers\":[$layer_list]}"
    m=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1); printf '%s' "$manifest" > "$layout/blobs/sha256/$m"
    [ -n "${BENCH_IMAGE_NAME:-}" ] && annotations=",\"annotations\":{\"io.containerd.image.name\":\"$BENCH_IMAGE_NAME\"}"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s%s}]}' \
        "$m" "${#manifest}" "$annotations" > "$layout/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
}

# Writes a busybox layer tar ($2) from the host's /bin/busybox with the applets named after it, in $1.
bench_busybox_tar() {
    local work="$1" tar="$2"; shift 2
    mkdir -p "$work/rootfs/bin"
    cp /bin/busybox "$work/rootfs/bin/"
    local applet
    for applet in "$@"; do ln -sf busybox "$work/rootfs/bin/$applet"; done
    tar -C "$work/rootfs" -cf "$tar" bin
}

# Starts a berth daemon on root $1 from the repository $2's installation; waits until it has finished starting.
# An answered /_ping is not enough: since the early responder, /_ping is answered while the log, the projections
# and the plugins are still opening, and the next request waits for them, so a benchmark timing that request
# would count the rest of the start in it (an older daemon answered /_ping only once started). GET /images/json
# is answered only by the started daemon, by either kind.
bench_start_daemon() {
    local root="$1" repo="$2"
    [ -x "$repo/target/dist/bin/berth" ] || (cd "$repo" && mvn -q -B -DskipTests package)
    mkdir -p "$root"
    "$repo/target/dist/bin/berth" daemon --root "$root" -H "unix://$root/berth.sock" --pidfile "$root/berth.pid" \
        > "$root.daemon.log" 2>&1 &
    until curl -s --unix-socket "$root/berth.sock" http://x/_ping > /dev/null 2>&1; do sleep 0.05; done
    until curl -sf --unix-socket "$root/berth.sock" http://x/images/json > /dev/null 2>&1; do sleep 0.05; done
}

# The big image of the pull benchmarks: four gzip layers made from host directories (/usr/share/doc,
# /usr/lib/python3, /usr/share/perl, /usr/share/locale), pushed with skopeo to the registry on port $2 as
# big:1; its OCI layout is kept under $1/layout. Sets bench_big_image and prints its compressed size.
bench_push_big_image() {
    local work=$1 port=$2 layout=$1/layout tars=() dir compressed
    for dir in /usr/share/doc /usr/lib/python3 /usr/share/perl /usr/share/locale; do
        tar -C / -cf "$work/layer-${#tars[@]}.tar" "${dir#/}" 2>/dev/null || true
        tars+=("$work/layer-${#tars[@]}.tar")
    done
    bench_oci_layout "$layout" "${tars[@]}"
    rm -f "${tars[@]}"
    skopeo copy -q --dest-tls-verify=false "oci:$layout" "docker://127.0.0.1:$port/big:1"
    bench_big_image="127.0.0.1:$port/big:1"
    compressed=$(du -cb "$layout"/blobs/sha256/* | tail -1 | cut -f1)
    echo "image $bench_big_image: 4 layers, $((compressed / 1000000)) MB compressed"
}

# The small image of the run benchmarks: the host's busybox with sh, true and echo, pushed with skopeo to
# the registry on port $2 as busybox:1 (layout under $1/layout). Sets bench_busybox_image.
bench_push_busybox() {
    bench_busybox_tar "$1" "$1/layer.tar" sh true echo
    bench_oci_layout "$1/layout" "$1/layer.tar"
    bench_busybox_image="127.0.0.1:$2/busybox:1"
    skopeo copy -q --dest-tls-verify=false "oci:$1/layout" "docker://$bench_busybox_image"
}

# bench_interleave A B RUNS: three warm-up calls of the caller's `one SIDE` each, then RUNS rounds calling it
# for A and B in turn, the order swapped every round so a busy machine weighs on both alike; each side's
# milliseconds go to $work/SIDE.ms.
bench_interleave() {
    local a=$1 b=$2 runs=$3 i
    for _ in 1 2 3; do one "$a" > /dev/null; one "$b" > /dev/null; done
    for i in $(seq 1 "$runs"); do
        if (( i % 2 )); then one "$a" >> "$work/$a.ms"; one "$b" >> "$work/$b.ms"
        else one "$b" >> "$work/$b.ms"; one "$a" >> "$work/$a.ms"; fi
    done
}

# bench_stats FILE: median, mean and min of a file of milliseconds, one per line.
bench_stats() { sort -n "$1" | awk '{a[NR]=$1; s+=$1} END {m = NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "median %d ms, mean %d ms, min %d ms (%d runs)", m, s/NR, a[1], NR}'; }

# bench_ratio FILE_A FILE_B: the median of A over the median of B, to three places.
bench_ratio() {
    local ma mb
    ma=$(sort -n "$1" | awk '{a[NR]=$1} END {print NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
    mb=$(sort -n "$2" | awk '{a[NR]=$1} END {print NR % 2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
    awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", a/b}'
}

# bench_registry_busybox WORK: a loopback registry (bench_start_registry) with the run benchmarks' busybox image
# pushed to it (bench_push_busybox); sets registry_pid and image.
bench_registry_busybox() {
    bench_start_registry "$1"
    registry_pid=$bench_registry_pid
    bench_push_busybox "$1" "$bench_registry_port"
    image=$bench_busybox_image
}

# bench_registry_big WORK: a loopback registry (bench_start_registry) with the pull benchmarks' big image pushed to
# it (bench_push_big_image); sets registry_pid and image.
bench_registry_big() {
    bench_start_registry "$1"
    registry_pid=$bench_registry_pid
    bench_push_big_image "$1" "$bench_registry_port"
    image=$bench_big_image
}

# bench_cleanup WORK: the EXIT trap of the scripts that use bench_registry_busybox or bench_registry_big: stops the registry and every
# daemon whose pid file is WORK/*/berth.pid, then removes WORK.
bench_cleanup() {
    local pidfile
    [ -n "${registry_pid:-}" ] && kill "$registry_pid" 2>/dev/null || true
    for pidfile in "$1"/*/berth.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    sleep 2
    rm -rf "$1"
}
