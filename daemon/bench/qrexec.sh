#!/usr/bin/env bash
# qrexec benchmark (not a test; asserts nothing). Run as root after `mvn install -DskipTests`:
#   daemon/bench/qrexec.sh [COLD_RUNS] [WARM_CALLS] [COPY_ROUNDS]
# Measures, each beside a baseline in the same run (see docs/benchmarks.md, issue 4):
#  - qube-to-qube call latency for a trivial service (test.Nop: `exit 0`), p50/p99:
#    cold = qrexec-client-vm started per call inside the caller qube (JVM start included),
#    beside a driver exec of `true` and of the in-qube JVM alone (`qrexec-client-vm --help`);
#    warm = one process with the caller qube's uid making call after call on its agent
#    socket, beside the same client against a trivial in-process server; then cold again,
#    timed inside the caller qube as its user starts the client (ColdRunner.java: fork to
#    exit), against the daemon the warm calls have warmed, beside a fork of `true` and the
#    JVM alone, interleaved;
#  - qvm-copy-to-vm of a 1 GiB file (COPY_ROUNDS times, default 5; the median and each round,
#    with the daemon's CPU share), beside `cp` of the same file inside the qube and `dd` of
#    1 GiB into the receiving qube, buffered once and with O_DIRECT before each round (until
#    each returns, and with the sync after it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
java=${QUBICLE_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
# Our modules' own classes (never ~/.m2, which other builds may overwrite) and their libraries.
cp=$(for m in model store api policy qrexec storage driver net backup daemon; do printf '%s:' "$root/$m/target/classes"; done)
cp="$cp$(ls ~/.m2/repository/org/tukaani/xz/*/xz-*.jar ~/.m2/repository/com/github/luben/zstd-jni/*/zstd-jni-*.jar 2>/dev/null | tr '\n' ':')"
# QUBICLE_BENCH_OPTS: extra JVM options, e.g. -Dqubicle.forker=false for execs through the host chain only
exec "$java" ${QUBICLE_BENCH_OPTS:-} -Dbench.src="$root/daemon/bench/QrexecBench.java" -Dcold="${1:-60}" -Dwarm="${2:-2000}" -Dcopies="${3:-5}" \
    -Djava.util.logging.config.file=/dev/null -cp "$cp" "$root/daemon/bench/QrexecBench.java"
