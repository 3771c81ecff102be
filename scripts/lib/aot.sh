#!/usr/bin/env bash
# Makes AOT caches (JEP 483/514) for the tools whose start-up time matters. Each cache is
# trained by one harmless run of the tool. Missing caches only make start-up slower.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
mkdir -p "$root/build/aot"
while IFS=$'\t' read -r tool main; do
    [[ -z "$tool" || "$tool" == qubesd ]] && continue
    "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:AOTCacheOutput="$root/build/aot/$tool.aot" \
        -Xlog:aot=off -Xlog:cds=off -cp "$root/build/lib/*" "$main" --help >/dev/null 2>&1 || true
done < "$root/bin/tools.tsv"
