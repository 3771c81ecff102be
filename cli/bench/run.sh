#!/usr/bin/env bash
# Benchmark, not a test: times `qvm-ls` on N qubes (default 1000), ours next to the real
# Qubes qvm-ls, both against our daemon on a scratch root. Never asserts a timing.
#
#   cli/bench/run.sh                       # ours only
#   QUBES_CLIENT_SRC=/tmp/qcac cli/bench/run.sh
#                                          # also the real one, from a checkout of
#                                          # QubesOS/qubes-core-admin-client you provide
#   BEFORE=/work/main/bin/qvm-ls cli/bench/run.sh
#                                          # also another build's qvm-ls
#
# Needs scripts/build.sh to have run (bin/ tools and build/lib), python3 to create the
# qubes quickly, and hyperfine if installed (else a plain loop). Prints a Markdown table,
# with a bare JVM start beside the tools as the floor of any Java tool on this machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${N:-1000}
runs=${RUNS:-10}
scratch=$(mktemp -d /tmp/qubicle-bench.XXXXXX)
export QUBES_ROOT="$scratch/root"
mkdir -p "$QUBES_ROOT"
daemon_pid=
cleanup() {
    if [[ -n "$daemon_pid" ]]; then
        kill "$daemon_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

[[ -d "$root/build/lib" ]] || { echo "bench: run scripts/build.sh first" >&2; exit 2; }
"$root/bin/qubesd" >"$scratch/qubesd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 300); do
    [[ -S "$QUBES_ROOT/var/run/qubesd.sock" ]] && break
    sleep 0.1
done
[[ -S "$QUBES_ROOT/var/run/qubesd.sock" ]] || { cat "$scratch/qubesd.log" >&2; exit 1; }

# One Admin API call per new qube, straight on the socket (a JVM per qube would take long).
python3 - "$n" <<'PY'
import os, socket, sys
path = os.path.join(os.environ['QUBES_ROOT'], 'var/run/qubesd.sock')
def call(method, arg, dest, payload=b''):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(f'{method}+{arg} dom0 name {dest}\0'.encode() + payload)
    s.shutdown(socket.SHUT_WR)
    data = b''
    while chunk := s.recv(65536):
        data += chunk
    if not data.startswith(b'0\0'):
        sys.exit(f'{method} {arg} {dest}: {data!r}')
    return data[2:]
n = int(sys.argv[1])
call('admin.vm.Create.TemplateVM', '', 'dom0', b'name=tpl label=black')
call('admin.property.Set', 'default_template', 'dom0', b'tpl')
call('admin.vm.Create.AppVM', '', 'dom0', b'name=sys-net label=red')
call('admin.vm.property.Set', 'provides_network', 'sys-net', b'True')
call('admin.property.Set', 'default_netvm', 'dom0', b'sys-net')
labels = ['red', 'orange', 'yellow', 'green', 'gray', 'blue', 'purple', 'black']
for i in range(n - 3):
    call('admin.vm.Create.AppVM', '', 'dom0', f'name=q{i:04d} label={labels[i % 8]}'.encode())
print(f"bench: {len(call('admin.vm.List', '', 'dom0').splitlines())} qubes", file=sys.stderr)
PY

java=${QUBICLE_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
commands=("$root/bin/qvm-ls" "$root/bin/qvm-ls --raw-list" "$root/bin/qvm-ls --help"
    "$java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -version")
names=("qubicle qvm-ls" "qubicle qvm-ls --raw-list" "qubicle qvm-ls --help (picocli path)"
    "bare JVM: java -version (the floor)")
if [[ -n "${BEFORE:-}" ]]; then
    # Another build's qvm-ls (e.g. BEFORE=/work/main/bin/qvm-ls), for a before/after figure.
    commands+=("$BEFORE")
    names+=("qvm-ls of $BEFORE")
fi
if [[ -n "${QUBES_CLIENT_SRC:-}" ]]; then
    # A wrapper made at run time: the real client, pointed at our socket (admin-api.md §1.5).
    mkdir -p "$scratch/real" "$scratch/meta/qubesadmin-0.dist-info"
    printf 'Metadata-Version: 2.1\nName: qubesadmin\nVersion: 0\nSummary: x\nAuthor: x\nLicense: x\n' \
        >"$scratch/meta/qubesadmin-0.dist-info/METADATA"
    cat >"$scratch/real/qvm-ls" <<PY
#!/usr/bin/env python3
import os, sys
sys.path[:0] = ['$QUBES_CLIENT_SRC', '$scratch/meta']
import qubesadmin, qubesadmin.app, qubesadmin.config
qubesadmin.config.QUBESD_SOCKET = os.path.join(os.environ['QUBES_ROOT'], 'var/run/qubesd.sock')
qubesadmin.Qubes = qubesadmin.app.QubesLocal
import qubesadmin.tools.qvm_ls
sys.exit(qubesadmin.tools.qvm_ls.main())
PY
    chmod +x "$scratch/real/qvm-ls"
    if cmp -s <("$scratch/real/qvm-ls" 2>/dev/null) <("$root/bin/qvm-ls"); then
        echo "bench: outputs of both qvm-ls are identical" >&2
    else
        echo "bench: WARNING: the outputs differ" >&2
    fi
    commands+=("$scratch/real/qvm-ls --no-spinner")
    names+=("Qubes qvm-ls (Python)")
fi

echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if command -v hyperfine >/dev/null; then
    args=()
    for i in "${!commands[@]}"; do
        args+=(-n "${names[$i]}" "${commands[$i]}")
    done
    hyperfine --style basic --warmup 2 --runs "$runs" --export-markdown "$scratch/out.md" \
        "${args[@]}" >&2
    cat "$scratch/out.md"
    echo "bench: load average after $(cut -d' ' -f1-3 /proc/loadavg)" >&2
else
    echo "| command | mean [s] |"
    echo "|:---|---:|"
    for i in "${!commands[@]}"; do
        start=$(date +%s%N)
        for _ in $(seq "$runs"); do ${commands[$i]} >/dev/null 2>&1; done
        end=$(date +%s%N)
        printf '| %s | %.3f |\n' "${names[$i]}" "$(echo "($end - $start) / $runs / 1000000000" | bc -l)"
    done
fi
