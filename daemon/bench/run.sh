#!/usr/bin/env bash
# Admin API throughput benchmark (not a test; asserts nothing). See docs/benchmarks.md.
#
# Starts qubesd on a temporary root, fills it with 1,000 qubes, then measures calls per
# second for admin.vm.List (dest dom0, all 1,001 lines) and admin.vm.property.Get (memory of
# one qube) with three clients in the same run:
#   1. a plain Java client (daemon/bench/ApiBench.java);
#   2. a raw Python socket loop (the protocol floor for a Python client);
#   3. the real Python qubesadmin client (baseline), if its source tree is at
#      $QUBESADMIN_SRC (default /tmp/qubes-core-admin-client): a snapshot of
#      QubesOS/qubes-core-admin-client, never committed here. The driver snippet is generated
#      at run time and points qubesadmin.config.QUBESD_SOCKET at our socket.
# Needs: scripts/build.sh (or mvn install) run first, python3, bc.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
java=${QUBICLE_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
qubesadmin_src=${QUBESADMIN_SRC:-/tmp/qubes-core-admin-client}
n_list=${N_LIST:-2000}
n_get=${N_GET:-20000}
qubes=${QUBES:-1000}
# Class path: the built distribution, else the modules' compiled classes (mvn install).
if [[ -d "$root/build/lib" ]]; then
    cp="$root/build/lib/*"
else
    cp=$(for m in model store api policy storage driver backup daemon; do printf '%s:' "$root/$m/target/classes"; done)
fi

work=$(mktemp -d)
daemon_pid=
cleanup() {
    [[ -n "$daemon_pid" ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
sock="$work/root/var/run/qubesd.sock"
mkdir -p "$work/root"
# The daemon runs with the JIT fully on, as a long-running service should.
QUBES_ROOT="$work/root" "$java" -Xshare:auto -cp "$cp" org.qubicle.daemon.Qubesd \
    2>"$work/qubesd.log" &
daemon_pid=$!
for _ in $(seq 200); do [[ -S "$sock" ]] && break; sleep 0.05; done
[[ -S "$sock" ]] || { cat "$work/qubesd.log"; exit 1; }

cat >"$work/raw.py" <<'PY'
import socket, sys, time
def call(path, method, arg, dest, payload=b""):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall(f"{method}+{arg} dom0 name {dest}\0".encode() + payload)
    s.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        b = s.recv(65536)
        if not b:
            break
        chunks.append(b)
    s.close()
    r = b"".join(chunks)
    if not r.startswith(b"0\0"):
        raise SystemExit(f"{method} failed: {r!r}")
    return r
path, mode = sys.argv[1], sys.argv[2]
if mode == "fill":
    for i in range(int(sys.argv[3])):
        call(path, "admin.vm.Create.StandaloneVM", "", "dom0", f"name=q{i:04d} label=red".encode())
else:
    method, arg, dest, n = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
    for _ in range(min(n, 500)):
        call(path, method, arg, dest)
    t0 = time.perf_counter()
    for _ in range(n):
        call(path, method, arg, dest)
    print(f"{n / (time.perf_counter() - t0):.0f} calls/s ({n} calls)")
PY

cat >"$work/qa.py" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
import qubesadmin.config
qubesadmin.config.QUBESD_SOCKET = sys.argv[2]
import qubesadmin.app
app = qubesadmin.app.QubesLocal()
mode, n = sys.argv[3], int(sys.argv[4])
def once():
    if mode == "list":
        app.domains.clear_cache()
        return len(list(app.domains))
    vm = app.domains.get_blind("q0500")
    return vm.memory
for _ in range(min(n, 200)):
    once()
t0 = time.perf_counter()
for _ in range(n):
    once()
print(f"{n / (time.perf_counter() - t0):.0f} calls/s ({n} calls)")
PY

t0=$(date +%s.%N)
python3 "$work/raw.py" "$sock" fill "$qubes"
t1=$(date +%s.%N)
echo "created $qubes qubes in $(echo "$t1 - $t0" | bc) s"
echo "host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$java" -version 2>&1 | head -1)"
echo
# Warm the daemon's JIT up first, so that no client pays for it (not reported).
python3 "$work/raw.py" "$sock" bench admin.vm.List "" dom0 "$n_list" >/dev/null
python3 "$work/raw.py" "$sock" bench admin.vm.property.Get memory q0500 "$n_get" >/dev/null
xml_size=$(stat -c %s "$work/root/var/lib/qubes/qubes.xml")
echo "qubes.xml: $xml_size bytes"
echo
printf '| client | admin.vm.List (%s qubes) | admin.vm.property.Get |\n|---|---|---|\n' "$((qubes + 1))"
jl=$("$java" "$root/daemon/bench/ApiBench.java" "$sock" admin.vm.List "" dom0 "$n_list")
jg=$("$java" "$root/daemon/bench/ApiBench.java" "$sock" admin.vm.property.Get memory q0500 "$n_get")
echo "| Java client (ApiBench) | $jl | $jg |"
pl=$(python3 "$work/raw.py" "$sock" bench admin.vm.List "" dom0 "$n_list")
pg=$(python3 "$work/raw.py" "$sock" bench admin.vm.property.Get memory q0500 "$n_get")
echo "| raw Python socket loop | $pl | $pg |"
if [[ -d "$qubesadmin_src/qubesadmin" ]]; then
    ql=$(python3 "$work/qa.py" "$qubesadmin_src" "$sock" list "$((n_list / 4))")
    qg=$(python3 "$work/qa.py" "$qubesadmin_src" "$sock" get "$((n_get / 4))")
    echo "| qubesadmin (real client) | $ql | $qg |"
else
    echo "| qubesadmin (real client) | not run: no source at $qubesadmin_src | |"
fi
