#!/usr/bin/env bash
# Driver benchmarks: qube start, exec round trip, idle memory, how many qubes run at once,
# each beside a bare bwrap measured in the same run. Needs root, bubblewrap, busybox-static.
# Usage: driver/bench/run.sh [maxQubes]   (prints a Markdown report; asserts nothing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$root"
mvn -q -B -o -pl driver -am install -DskipTests
echo "# driver benchmark, $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bwrap $(bwrap --version | cut -d' ' -f2), kernel $(uname -r)"
echo
exec "$JAVA_HOME/bin/java" -cp driver/target/classes:model/target/classes driver/bench/DriverBench.java "$@"
