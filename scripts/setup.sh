#!/usr/bin/env bash
# The first README command: sets Qubicle up on this machine and runs the main job.
# Installs what is missing (Debian packages, the build), puts every tool on PATH, starts
# qubesd in the background on $QUBES_ROOT (default /), defines Qubes' default qubes
# through the Admin API, and prints qvm-ls. Safe to run again.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [[ $(id -u) -ne 0 ]]; then
    echo "setup: run as root (qubesd runs as root, as in Qubes' dom0)" >&2
    exit 1
fi
source scripts/lib/packages.sh
qubicle_install_packages
source scripts/lib/env.sh
scripts/build.sh

# Every tool on PATH.
for tool in $(cut -f1 bin/tools.tsv); do
    ln -sfn "$root/bin/$tool" "/usr/local/bin/$tool"
done
if [[ -d /etc/bash_completion.d && -f completion/qubicle.bash ]]; then
    ln -sfn "$root/completion/qubicle.bash" /etc/bash_completion.d/qubicle
fi
getent group qubes >/dev/null || groupadd --system qubes

export QUBES_ROOT=${QUBES_ROOT:-/}
scripts/lib/start-qubesd.sh
scripts/lib/default-qubes.sh
echo
bin/qvm-ls
