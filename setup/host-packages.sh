# The host packages berth needs, written once and sourced by everything that checks or installs them:
#   ./berth (the source launcher)   the daemon's packages, installed on first use when root on Debian
#   target/dist/bin/berth daemon    the daemon's packages, checked before the daemon's JVM starts
#   ./run-tests and .ci/run         the daemon's and the tests' packages, installed when root on Debian
#
# Each entry is PACKAGE:PROGRAM, the Debian package and one program it installs. A package counts as present
# when its program is: an absolute path is tested as it is, a bare name is looked up on PATH (plus the sbin
# directories, which a non-root PATH may lack). Testing files, not dpkg's database, keeps the check to a
# few microseconds, cheap enough for every command, and lets a host without dpkg provide the same programs.

# What the daemon runs: runc and conmon (every container), tini's static build (run --init), netavark and
# aardvark-dns (container networks, Podman's stack), iptables (netavark's port forwarding and masquerade),
# iproute2 (ip netns: network-netavark's teardown of a container whose namespace is gone, and the network kit),
# busybox-static (the example image, berth-example/busybox, made from the host's busybox).
BERTH_DAEMON_PACKAGES=(
    runc:runc
    conmon:conmon
    tini:tini-static
    netavark:/usr/lib/podman/netavark
    aardvark-dns:/usr/lib/podman/aardvark-dns
    iptables:iptables
    iproute2:ip
    busybox-static:busybox
)

# What only the tests use on top: a real registry (with htpasswd auth), skopeo and umoci as independent peers,
# curl against the API socket, zstd for compressed layers, and Maven to build and run them. DockerfileCorpusIT
# builds its corpus with Docker's own legacy builder as the reference (docker.io: dockerd and the docker CLI)
# and makes its ADD archives and file capabilities with bzip2, xz and setcap; Docker's own clients
# (docker-compose 1.x, the docker CLI) run against berth in ComposeIT and StockDockerCliIT.
BERTH_TEST_PACKAGES=(
    maven:mvn
    curl:curl
    docker-registry:docker-registry
    apache2-utils:htpasswd
    skopeo:skopeo
    umoci:umoci
    zstd:zstd
    docker.io:/usr/sbin/dockerd
    bzip2:bzip2
    xz-utils:xz
    libcap2-bin:setcap
    docker-compose:docker-compose
)

# berth_missing_packages ENTRY…: prints the package of each entry whose program is absent, one per line.
berth_missing_packages() {
    local entry program
    for entry in "$@"; do
        program=${entry#*:}
        if [[ $program == /* ]]; then
            [[ -x $program ]] && continue
        else
            PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" type -P "$program" > /dev/null && continue
        fi
        printf '%s\n' "${entry%%:*}"
    done
}

# berth_install_packages WHO ENTRY…: installs the missing packages of the entries with apt-get when running
# as root on a host that has it, saying so in one line on stderr; otherwise prints one line naming them and
# the command that installs them, and returns 2. WHO starts each line (the calling command's name).
berth_install_packages() {
    local who=$1 missing
    shift
    mapfile -t missing < <(berth_missing_packages "$@")
    ((${#missing[@]})) || return 0
    if [[ $EUID -ne 0 ]] || ! type -P apt-get > /dev/null; then
        echo "$who: missing host packages: ${missing[*]}; install them with: apt-get install ${missing[*]}" >&2
        return 2
    fi
    echo "$who: installing missing host packages: ${missing[*]} (apt-get install)" >&2
    local out
    # A fresh machine's package lists may be empty or stale: update once, only when the install needs it.
    if ! out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" 2>&1); then
        out=$( { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq "${missing[@]}"; } 2>&1) || {
            printf '%s\n' "$out" | tail -n 5 >&2
            echo "$who: could not install ${missing[*]} (the lines above are apt-get's)" >&2
            return 2
        }
    fi
    mapfile -t missing < <(berth_missing_packages "$@")
    if ((${#missing[@]})); then
        echo "$who: apt-get installed ${missing[*]} but their programs are still missing" >&2
        return 2
    fi
    return 0
}
