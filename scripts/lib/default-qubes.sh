#!/usr/bin/env bash
# Defines Qubes' default qubes through the Admin API, as Qubes' installer does: the
# debian-12 template (built by qvm-template install: mmdebstrap from the host's apt sources,
# cached under $QUBES_ROOT/var/cache/qubicle), sys-net, sys-firewall, default-dvm, and
# personal, work, untrusted and vault, with Qubes' labels, netvms and global defaults.
# Qubes that exist are kept. Then starts the qubes with autostart=True (sys-net and
# sys-firewall, as Qubes does at boot; qubesd itself does so at every later boot).
set -euo pipefail
bin=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../bin" && pwd)
exists() { "$bin/qvm-check" --quiet "$1" >/dev/null 2>&1; }
create() { # name class label [qvm-create options...]
    local name=$1 class=$2 label=$3
    shift 3
    exists "$name" || "$bin/qvm-create" --class "$class" --label "$label" "$@" "$name"
}
if ! exists debian-12; then
    "$bin/qvm-template" install debian-12
fi
"$bin/qubes-prefs" default_template debian-12
create sys-net AppVM red --property provides_network=True --property netvm= --property autostart=True
create sys-firewall AppVM green --property provides_network=True --property netvm=sys-net --property autostart=True
"$bin/qubes-prefs" default_netvm sys-firewall
"$bin/qubes-prefs" updatevm sys-firewall
"$bin/qubes-prefs" clockvm sys-net
create default-dvm AppVM red --property template_for_dispvms=True
"$bin/qvm-features" default-dvm appmenus-dispvm 1
"$bin/qubes-prefs" default_dispvm default-dvm
create personal AppVM yellow
create work AppVM blue
create untrusted AppVM red
create vault AppVM black --property netvm=

# Qubes' initial setup ends by starting what Qubes starts at boot: the qubes with autostart.
autostart=()
while IFS='|' read -r name auto; do
    [[ $name != dom0 && $auto == True ]] && autostart+=("$name")
done < <("$bin/qvm-ls" --raw-data -O name,autostart)
if ((${#autostart[@]})); then
    echo "starting ${autostart[*]} (autostart)"
    "$bin/qvm-start" --skip-if-running "${autostart[@]}"
fi
