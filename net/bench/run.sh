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
mvn -q -B -o -pl net -am install -DskipTests
mvn -q -B -o -pl net test-compile
cp=$(ls model/target/qubicle-model-*.jar | head -1):net/target/classes:net/target/test-classes
exec "$JAVA_HOME/bin/java" -cp "$cp" org.qubicle.net.NetBench "${1:-5}" "${2:-3}"
