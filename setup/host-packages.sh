# The host packages berth needs, written once and sourced by everything that checks or installs them:
#   ./berth (the source launcher)   the daemon's packages, installed on first use when root on Debian
#   target/dist/bin/berth daemon    the daemon's packages, checked before the daemon's JVM starts
#   ./run-tests and .ci/run         the daemon's and the tests' packages, installed when root on Debian
#
# Each entry is PACKAGE:PROGRAM, the Debian package and one program it installs. A package counts as present
# when its program is: an absolute path is tested as it is, a bare name is looked up on PATH (plus the sbin
# directories, which a non-root PATH may lack). Testing files, not dpkg's database, keeps the check to a
# few microseconds, cheap enough for every command, and lets a host without dpkg provide the same programs.
#
# POSIX shell, no bash: the installed launcher (bin/berth, run by /bin/sh for speed) sources this file too. The
# lists are words in a string, used unquoted ($BERTH_DAEMON_PACKAGES); no entry holds a space or a wildcard.

# What the daemon runs: runc and conmon (every container), tini's static build (run --init), netavark and
# aardvark-dns (container networks, Podman's stack), iptables (netavark's port forwarding and masquerade),
# iproute2 (ip netns: network-netavark's teardown of a container whose namespace is gone, and the network kit),
# busybox-static (the example image, berth-example/busybox, made from the host's busybox).
BERTH_DAEMON_PACKAGES="
    runc:runc
    conmon:conmon
    tini:tini-static
    netavark:/usr/lib/podman/netavark
    aardvark-dns:/usr/lib/podman/aardvark-dns
    iptables:iptables
    iproute2:ip
    busybox-static:busybox
"

# What only the tests use on top: a real registry (with htpasswd auth), skopeo and umoci as independent peers,
# curl against the API socket, zstd for compressed layers, and Maven to build and run them. DockerfileCorpusIT
# builds its corpus with Docker's own legacy builder as the reference (docker.io: dockerd and the docker CLI)
# and makes its ADD archives and file capabilities with bzip2, xz and setcap; Docker's own clients
# (docker-compose 1.x, the docker CLI) run against berth in ComposeIT and StockDockerCliIT.
BERTH_TEST_PACKAGES="
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
"

# berth_missing_packages ENTRY…: prints the package of each entry whose program is absent, one per line.
berth_missing_packages() {
    # the sbin directories too, which a non-root PATH may lack; PATH is put back before returning
    _berth_path=$PATH
    PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
    for _berth_entry in "$@"; do
        case ${_berth_entry#*:} in
            /*) [ -x "${_berth_entry#*:}" ] && continue ;;
            *) command -v "${_berth_entry#*:}" > /dev/null 2>&1 && continue ;;
        esac
        printf '%s\n' "${_berth_entry%%:*}"
    done
    PATH=$_berth_path
}

# berth_install_packages WHO ENTRY…: installs the missing packages of the entries with apt-get when running
# as root on a host that has it, saying so in one line on stderr; otherwise prints one line naming them and
# the command that installs them, and returns 2. WHO starts each line (the calling command's name).
berth_install_packages() {
    _berth_who=$1
    shift
    _berth_missing=$(berth_missing_packages "$@")
    [ -n "$_berth_missing" ] || return 0
    # one line: the packages' names joined by spaces
    set -- $_berth_missing
    _berth_missing=$*
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get > /dev/null 2>&1; then
        echo "$_berth_who: missing host packages: $_berth_missing; install them with: apt-get install $_berth_missing" >&2
        return 2
    fi
    echo "$_berth_who: installing missing host packages: $_berth_missing (apt-get install)" >&2
    # A fresh machine's package lists may be empty or stale: update once, only when the install needs it.
    if ! _berth_out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" 2>&1); then
        _berth_out=$( { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq "$@"; } 2>&1) || {
            printf '%s\n' "$_berth_out" | tail -n 5 >&2
            echo "$_berth_who: could not install $_berth_missing (the lines above are apt-get's)" >&2
            return 2
        }
    fi
    if [ -n "$(berth_missing_packages "$@")" ]; then
        echo "$_berth_who: apt-get installed $_berth_missing but their programs are still missing" >&2
        return 2
    fi
    return 0
}
