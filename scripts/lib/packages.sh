# Sourced by the scripts: installs the Debian packages Qubicle needs, if any are missing.
# One apt-get update, and only when something must be installed.
qubicle_packages=(
    maven            # the build
    bubblewrap       # the isolation driver
    util-linux       # setpriv, unshare, losetup, mount
    iproute2         # network namespaces and veths
    nftables         # firewalls in net qubes
    conntrack        # cutting connections that a tighter firewall no longer allows
    e2fsprogs        # ext4 private volumes, resize2fs, debugfs
    busybox-static   # the minimal template
    mmdebstrap       # the debian-12 template
    scrypt           # the emergency restore procedure of backups, in tests
    xz-utils zstd    # backup compression filters
    libdeflate0      # fast gzip for backups (zlib is the fallback)
    graphviz         # qrexec-policy-graph --output FILE.png
    python3          # the policy conformance checker
)
qubicle_install_packages() {
    local missing=() p
    for p in "${qubicle_packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "qubicle: installing ${missing[*]}" >&2
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
}
