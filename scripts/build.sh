#!/usr/bin/env bash
# Builds every module and gathers the jars that bin/qubicle-launcher runs into build/lib.
# Installs the JDK choice and Maven where they are missing. Safe to run again.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/lib/env.sh"
cd "$root"
mvn -q -B install -DskipTests "$@"
rm -rf build/lib && mkdir -p build/lib
for m in cli daemon; do
    mvn -q -B -o -pl "$m" dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$root/build/lib"
done
# Our own modules come from this build's target/ dirs, never from ~/.m2, which another
# build on the same machine may have overwritten meanwhile.
for jar in */target/qubicle-*.jar; do
    cp "$jar" build/lib/
done
"$root/scripts/lib/aot.sh" || echo "build: AOT caches not made; tools start without them" >&2
