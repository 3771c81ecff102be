#!/usr/bin/env bash
# Starts qubesd in the background on $QUBES_ROOT unless one already answers there, and
# waits until its socket accepts calls. Log: $QUBES_ROOT/var/log/qubes/qubesd.log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
qroot=${QUBES_ROOT:-/}
sock="${qroot%/}/var/run/qubesd.sock"
log="${qroot%/}/var/log/qubes/qubesd.log"
if [[ -S "$sock" ]] && QUBES_ROOT="$qroot" "$root/bin/qvm-ls" --raw-list >/dev/null 2>&1; then
    echo "qubesd already runs on $qroot"
    exit 0
fi
mkdir -p "$(dirname "$log")"
QUBES_ROOT="$qroot" setsid nohup "$root/bin/qubesd" >>"$log" 2>&1 </dev/null &
for _ in $(seq 1 200); do
    if [[ -S "$sock" ]] && QUBES_ROOT="$qroot" "$root/bin/qvm-ls" --raw-list >/dev/null 2>&1; then
        echo "qubesd runs on $qroot (socket $sock, log $log)"
        exit 0
    fi
    sleep 0.1
done
echo "qubesd did not start; see $log" >&2
tail -n 20 "$log" >&2 || true
exit 1
