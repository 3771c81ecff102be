#!/usr/bin/env bash
# Lifecycle benchmark (not a test; never asserts timings). Run as root after scripts/build.sh:
#   daemon/bench/life.sh [ROUNDS] [CAPACITY] [CHURN]
# Measures, each beside a bare `bwrap --unshare-all --ro-bind / / true` in the same run:
#  - disposable round trip `qvm-run --dispvm -- true`: at the server (daemon log, request
#    to exit code) and as CLI wall time; then the same with a preloaded disposable
#    (preload-dispvm-max=1), each request once the preload is ready
#  - qvm-start of an AppVM until Running: at the server (daemon log) and CLI wall time; then
#    both again behind a running netvm of the same template (Qubes' usual case)
#  - host memory per idle running qube (MemAvailable before/after CAPACITY qubes)
#  - how many qubes run at once (tries CAPACITY)
#  - a churn of 300 disposables through the exec socket, leak-checked afterwards, and the
#    default round trip again on the daemon that ran them
set -euo pipefail
ROUNDS=${1:-20}
CAPACITY=${2:-300}
CHURN=${3:-300}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=$here/bin
export QUBES_ROOT=$(mktemp -d /tmp/qubicle-lifebench.XXXX)
chmod 755 "$QUBES_ROOT"
# As on an installed host, where /var/run is /run, a tmpfs: the qubes' runtime directories
# and FIFOs live there, not on the disk (on this host's ext4, with the churn of many starts,
# each mkdir there cost up to a few hundred microseconds of inode search).
mkdir -p "$QUBES_ROOT/var/run"
mount -t tmpfs -o mode=755 qubicle-bench-run "$QUBES_ROOT/var/run"
log=$QUBES_ROOT/qubesd.log
"$B/qubesd" >"$log" 2>&1 &
qpid=$!
cleanup() {
    python3 "$here/daemon/bench/life_api.py" killall "$QUBES_ROOT" >/dev/null 2>&1 || true
    kill "$qpid" 2>/dev/null || true
    wait "$qpid" 2>/dev/null || true
    cp "$log" /tmp/lifebench-last.log 2>/dev/null
    umount "$QUBES_ROOT/var/run" 2>/dev/null || umount -l "$QUBES_ROOT/var/run" 2>/dev/null || true
    rm -rf "$QUBES_ROOT"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$QUBES_ROOT/var/run/qubesd.sock" ] && break; sleep 0.1; done

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }
ms() { local t0=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - t0) / 100000 )) | awk '{printf "%.1f\n", $1/10}'; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
bare=$(for _ in $(seq "$ROUNDS"); do ms bwrap --unshare-all --ro-bind / / true; done | median)
echo "bare bwrap --unshare-all --ro-bind / / true: median $bare ms ($ROUNDS runs)"

"$B/qvm-template" install minimal >/dev/null
"$B/qvm-create" -t minimal -l blue work
"$B/qvm-create" -t minimal -l red dvm
"$B/qvm-prefs" dvm template_for_dispvms True
"$B/qubes-prefs" default_dispvm dvm

cli_disp=$(for _ in $(seq "$ROUNDS"); do ms "$B/qvm-run" -q --dispvm -- true; done | median)
srv_disp=$(grep -o 'exec in disp[0-9]*: exit 0 after [0-9.]* ms' "$log" | awk '{print $(NF-1)}' | median)
gone=$(grep -o 'removed [0-9.]* ms after the request' "$log" | awk '{print $2}' | median)
echo "qvm-run --dispvm -- true: server median $srv_disp ms to the exit code, $gone ms to the disposable's removal;" \
     "CLI wall median $cli_disp ms (returns after the removal) ($ROUNDS runs)"
# The same request with preloading on (Qubes 4.3's preload-dispvm-max=1 on the disposable
# template), each request made once the preload is ready: through the exec socket directly.
raw_pre=$(python3 "$here/daemon/bench/life_api.py" preloaded "$QUBES_ROOT" dvm "$ROUNDS")
srv_pre=$(grep -o 'exec in disp[0-9]*: exit 0 after [0-9.]* ms' "$log" | tail -n "$ROUNDS" | awk '{print $(NF-1)}' | median)
used=$(grep -c 'preloaded disp[0-9]* used by' "$log" || true)
echo "the same with preload-dispvm-max=1: server median $srv_pre ms, raw exec-socket client wall median $raw_pre ms" \
     "($used of $ROUNDS requests took a preload)"

cli_start=$(for _ in $(seq "$ROUNDS"); do ms "$B/qvm-start" work; "$B/qvm-kill" work; done | median)
srv_start=$(grep -o 'started work in [0-9.]* ms' "$log" | awk '{print $(NF-1)}' | median)
echo "qvm-start work (AppVM) until Running: server median $srv_start ms, CLI wall median $cli_start ms"
# The same at the server only, through the raw Admin API (no JVM per call): 3x the rounds.
python3 "$here/daemon/bench/life_api.py" startkill "$QUBES_ROOT" work $((ROUNDS * 3))
srv_start2=$(grep -o 'started work in [0-9.]* ms' "$log" | tail -n $((ROUNDS * 3)) | awk '{print $(NF-1)}' | median)
echo "admin.vm.Start work until Running (raw API, $((ROUNDS * 3)) runs): server median $srv_start2 ms"
split() {
    for ph in storage network driver waited link-wait; do
        printf '%s %s ms, ' "$ph" "$(grep -o 'started work in .*' "$log" | tail -n $((ROUNDS * 3)) \
            | grep -o "$ph [0-9.]*" | awk '{print $2}' | median)"
    done
}
s=$(split); echo "  of which (medians): ${s%, }"
# Qubes' usual case: the AppVM's netvm runs, from the same template (as sys-firewall and the
# default qubes on debian-12), so the template's root is already mounted and the start
# wires a real uplink (veth, the netvm's firewall rules).
"$B/qvm-create" -t minimal -l green --property provides_network=True fw >/dev/null
"$B/qvm-start" fw
"$B/qvm-prefs" work netvm fw
python3 "$here/daemon/bench/life_api.py" startkill "$QUBES_ROOT" work $((ROUNDS * 3))
srv_start3=$(grep -o 'started work in [0-9.]* ms' "$log" | tail -n $((ROUNDS * 3)) | awk '{print $(NF-1)}' | median)
echo "admin.vm.Start work behind its running netvm fw, same template (raw API, $((ROUNDS * 3)) runs): server median $srv_start3 ms"
s=$(split); echo "  of which (medians): ${s%, }"
# The default disposable in that usual case too: its template's root is mounted already (fw
# runs from it) and it sits behind fw, as default-dvm behind sys-firewall.
"$B/qvm-prefs" dvm netvm fw
cli_disp2=$(for _ in $(seq "$ROUNDS"); do ms "$B/qvm-run" -q --dispvm -- true; done | median)
srv_disp2=$(grep -o 'exec in disp[0-9]*: exit 0 after [0-9.]* ms' "$log" | tail -n "$ROUNDS" | awk '{print $(NF-1)}' | median)
echo "qvm-run --dispvm -- true behind its running netvm fw, same template: server median $srv_disp2 ms," \
     "CLI wall median $cli_disp2 ms ($ROUNDS runs)"
"$B/qvm-prefs" dvm netvm ''
"$B/qvm-prefs" work netvm ''
"$B/qvm-kill" fw
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"

bare=$(for _ in $(seq "$ROUNDS"); do ms bwrap --unshare-all --ro-bind / / true; done | median)
echo "bare bwrap again: median $bare ms"

python3 "$here/daemon/bench/life_api.py" capacity "$QUBES_ROOT" "$CAPACITY"
python3 "$here/daemon/bench/life_api.py" killall "$QUBES_ROOT"
python3 "$here/daemon/bench/life_api.py" churn "$QUBES_ROOT" "$CHURN"
# The same default round trip once more, on a daemon that has now run the churn's disposables.
cli_disp3=$(for _ in $(seq "$ROUNDS"); do ms "$B/qvm-run" -q --dispvm -- true; done | median)
srv_disp3=$(grep -o 'exec in disp[0-9]*: exit 0 after [0-9.]* ms' "$log" | tail -n "$ROUNDS" | awk '{print $(NF-1)}' | median)
gone3=$(grep -o 'removed [0-9.]* ms after the request' "$log" | tail -n "$ROUNDS" | awk '{print $2}' | median)
echo "qvm-run --dispvm -- true after the churn: server median $srv_disp3 ms to the exit code, $gone3 ms to the" \
     "removal; CLI wall median $cli_disp3 ms ($ROUNDS runs)"
echo "left after churn: $(ls "$QUBES_ROOT/var/lib/qubes/appvms" | grep -c '^disp' || true) disposable dirs," \
     "$(grep qubicle-lifebench /proc/mounts | grep -vc '^qubicle-bench-run ' || true) mounts," \
     "$(ps -eo args | grep -c '[q]ubicle-lifebench' || true) processes"
