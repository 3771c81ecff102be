#!/bin/bash
# Policy engine benchmark: JMH throughput of Qubicle's evaluator on a 500-rule policy, next to
# upstream's Python qrexec.policy.parser on the very same policy and requests.
#
#   QREXEC_UPSTREAM=/tmp/upstream-qrexec policy/bench/run.sh
#
# QREXEC_UPSTREAM must point at a checkout of QubesOS/qubes-core-qrexec (the directory holding
# the "qrexec" package); without it only the Java side runs. Nothing upstream is kept in this
# repository: the Python timing script below is generated into a temp dir at run time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$JAVA_HOME/bin/java"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
mvn -q -B -o -pl policy -am install -DskipTests
mvn -q -B -pl policy test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test
cp="policy/target/test-classes:policy/target/classes:$(cat "$work/cp.txt")"

"$java" -cp "$cp" org.qubicle.policy.bench.BenchData "$work/data"
# -Xbatch (in the JMH fork too): on a busy machine the JIT threads starve and warmup would
# measure the interpreter; compiling synchronously reaches the steady state the figures are about.
echo "== Qubicle (JMH, 1 fork, 10x1s warmup, 5x2s measurement)"
"$java" -cp "$cp" org.openjdk.jmh.Main "org.qubicle.policy.bench.PolicyBenchmark" -rf text -rff "$work/jmh.txt" >"$work/jmh.log" 2>&1 \
    || { cat "$work/jmh.log"; exit 1; }
# per-iteration figures show how steady the machine was
grep -E "^# Benchmark:|^Iteration" "$work/jmh.log" || true
cat "$work/jmh.txt"
echo "== Qubicle, per CPU second of the measuring thread"
"$java" -Xbatch -cp "$cp" org.qubicle.policy.bench.CpuTimeBench

if [ -z "${QREXEC_UPSTREAM:-}" ]; then
    echo "QREXEC_UPSTREAM not set: skipping the upstream Python comparison"
    exit 0
fi
cat >"$work/upstream_bench.py" <<'PY'
import json, pathlib, sys, time, logging
sys.path.insert(0, sys.argv[1])
logging.disable(logging.CRITICAL)
from qrexec.policy import parser
from qrexec import exc
data = pathlib.Path(sys.argv[2])
info = json.loads((data / "system.json").read_text())
for name, d in list(info["domains"].items()):
    d["name"] = name
    info["domains"]["uuid:" + d["uuid"]] = d
requests = json.loads((data / "requests.json").read_text())

def load():
    return parser.FilePolicy(policy_path=data / "policy.d")

policy = load()
assert len(policy.rules) == 500, len(policy.rules)

def evaluate(r):
    try:
        req = parser.Request(r["service"], r["argument"], r["source"], r["target"], system_info=info)
        return policy.evaluate(req)
    except exc.AccessDenied:
        return None

def rate(fn, seconds, clock):
    n, start = 0, clock()
    while True:
        fn(n)
        n += 1
        if n % 10 == 0 and clock() - start > seconds:
            return n / (clock() - start)

rate(lambda i: evaluate(requests[i % len(requests)]), 2.0, time.perf_counter)
for name, clock, unit in (("wall", time.perf_counter, "ops/s"), ("cpu", time.thread_time, "ops/cpu-s")):
    ev = rate(lambda i: evaluate(requests[i % len(requests)]), 6.0, clock)
    ld = rate(lambda i: load(), 4.0, clock)
    print(f"upstream evaluate  {ev:12.1f} {unit}")
    print(f"upstream load      {ld:12.1f} {unit}")
PY
echo "== upstream qrexec.policy.parser ($(python3 --version))"
python3 "$work/upstream_bench.py" "$QREXEC_UPSTREAM" "$work/data"
