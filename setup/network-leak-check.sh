#!/usr/bin/env bash
# Finds what a test run left of networks on this host: veths, bridges, network namespaces and
# firewall rules (iptables-save, nft list ruleset) that exist after the run and did not before it.
#   setup/network-leak-check.sh snapshot DIR   notes the host's state in DIR (before the run)
#   setup/network-leak-check.sh check DIR      compares with it; exit 1 and one line per leftover
# Counters and handles are left out of the rules, so traffic alone is no difference, and only rules
# that name an IPv4 address or a port count: netavark's shared chains and jumps (NETAVARK_FORWARD,
# NETAVARK-HOSTPORT-*), which it leaves once made as it does for Podman, name neither; every rule of
# a network or a published port does. Something another program on the host made during the run counts too: run the suite
# on a host where nothing else makes networks (CI), or read the lines it names.
set -euo pipefail
addressed='([0-9]{1,3}\.){3}[0-9]{1,3}|dport'

state() {
    local dir="$1"
    mkdir -p "$dir"
    # a host that never made a veth or bridge may answer these with an error: that is an empty list, not a failure
    { ip -o link show type veth 2>/dev/null || true; } | awk -F': ' '{sub(/@.*/, "", $2); print "veth " $2}' | sort -u > "$dir/veths"
    { ip -o link show type bridge 2>/dev/null || true; } | awk -F': ' '{print "bridge " $2}' | sort -u > "$dir/bridges"
    { ls /run/netns 2>/dev/null || true; } | sed 's/^/netns /' | sort -u > "$dir/netns"
    # grep finding no line (a fresh host has no rule at all) is an empty list too
    { iptables-save 2>/dev/null || true; } | { grep -v '^#' || true; } | sed -E 's/\[[0-9]+:[0-9]+\]//' \
        | { grep -E "$addressed" || true; } | sed 's/^/iptables rule /' | sort -u > "$dir/iptables"
    { nft list ruleset 2>/dev/null || true; } | sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/; s/ # handle [0-9]+//; s/^[[:space:]]+//' \
        | { grep -E "$addressed" || true; } | sed 's/^/nft /' | sort -u > "$dir/nft"
}

case "${1:-}" in
    snapshot)
        [ -n "${2:-}" ] || { echo "network-leak-check: snapshot needs a directory" >&2; exit 2; }
        state "$2"
        ;;
    check)
        [ -d "${2:-}" ] || { echo "network-leak-check: check needs the directory of an earlier snapshot" >&2; exit 2; }
        now="$(mktemp -d)"
        trap 'rm -rf "$now"' EXIT
        state "$now"
        left=0
        for kind in veths bridges netns iptables nft; do
            while IFS= read -r line; do
                echo "network-leak-check: left by the run: $line"
                left=1
            done < <(comm -13 "$2/$kind" "$now/$kind")
        done
        if [ "$left" = 0 ]; then
            echo "network-leak-check: no veth, bridge, namespace or firewall rule left by the run"
        fi
        exit "$left"
        ;;
    *)
        echo "usage: setup/network-leak-check.sh snapshot DIR | check DIR" >&2
        exit 2
        ;;
esac
