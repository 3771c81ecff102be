#!/usr/bin/env bash
# Network benchmark (not a test; asserts nothing). As root:
#   net/bench/run.sh [SECONDS_PER_RUN] [ROUNDS]
# TCP throughput and connection rate from a qube through sys-firewall and sys-net to a
# "world" namespace, beside a direct veth between two namespaces; then how long
# applyFirewall takes for 1 to 1000 rules. Everything runs in namespaces it makes.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
# Classes from this checkout's target/ (nothing installed into ~/.m2).
mvn -q -B -o -pl net -am test-compile
cp=model/target/classes:net/target/classes:net/target/test-classes
exec "$JAVA_HOME/bin/java" -cp "$cp" org.qubicle.net.NetBench "${1:-5}" "${2:-3}"
