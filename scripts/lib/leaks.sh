#!/usr/bin/env bash
# Prints what Qubicle could leave behind on this host, one line each, sorted: mounts,
# loop devices, network namespaces, nftables tables, cgroups, bubblewrap processes.
# Tests compare this before and after; a qube that stopped must leave nothing.
{
    grep -E 'qubes|qubicle' /proc/mounts | awk '{print "mount " $2}'
    losetup -a 2>/dev/null | grep -E 'qubes|qubicle' | sed 's/^/loop /'
    ip netns list 2>/dev/null | sed 's/^/netns /'
    nft list tables 2>/dev/null | sed 's/^/nft /'
    # Each qube's cgroup sits below the shared parent 'qubicle' (v1: in each controller's
    # hierarchy; v2: in the unified one). The parent itself stays, like a systemd slice.
    find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -type d -path '*/qubicle/*' 2>/dev/null | sed 's/^/cgroup /'
    pgrep -a bwrap 2>/dev/null | sed 's/^[0-9]* /bwrap /'
    pgrep -af 'org.qubicle.daemon.Qubesd' 2>/dev/null | grep -v pgrep | sed 's/^[0-9]* /qubesd /'
} | sort
