#!/usr/bin/env bash
# Benchmark (not a test; asserts nothing), as root: the time from `qvm-firewall work add`
# (admin.vm.firewall.Get + Set through the daemon's socket) until the rule is enforced in
# sys-firewall, for a busybox qube behind sys-firewall and sys-net; a world namespace plays
# the internet. Usage: daemon/bench/net-firewall.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B -o -pl daemon -am test-compile
# Our modules from this checkout's target/ (not ~/.m2), then the external jars.
ours=$(ls -d */target/classes | tr '\n' ':')
ext=$(mvn -q -B -o -pl daemon dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test \
    | tr ':' '\n' | grep -v '/org/qubicle/' | tr '\n' ':')
exec "$JAVA_HOME/bin/java" -cp "daemon/target/test-classes:$ours$ext" \
    org.qubicle.daemon.net.FirewallBench "${1:-10}"
