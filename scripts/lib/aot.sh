#!/usr/bin/env bash
# Makes AOT caches (JEP 483/514/515) for the tools whose start-up time matters. A cache
# records the classes (and method profiles) one training run used, so the run should do
# what users do: when the daemon is built, each tool is trained against a temporary
# daemon on a scratch root holding a few qubes; otherwise `--help` is the fallback.
# Missing caches only make start-up slower. The JVM options must match bin/qubicle-launcher.
#
#   scripts/lib/aot.sh             # every tool in bin/tools.tsv
#   scripts/lib/aot.sh qvm-ls ...  # only these (their jars must not have changed since the
#                                  # other caches were made, or those are stale anyway)
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
java=${QUBICLE_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
cp="$root/build/lib/*"
opts=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xlog:aot=off -Xlog:cds=off
    -XX:-UsePerfData -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider
    --add-exports java.base/sun.security.jca=ALL-UNNAMED)
only=" $* "
mkdir -p "$root/build/aot"
if [[ $# -eq 0 ]]; then
    rm -f "$root/build/aot"/*.aot
fi

scratch=$(mktemp -d /tmp/qubicle-aot.XXXXXX)
chmod 755 "$scratch" # qubes run as unprivileged uids below it
daemon_pid=
cleanup() {
    if [[ -n "$daemon_pid" ]]; then
        # A disposable still up (a training run cut short) goes before its daemon.
        plain qvm-shutdown --all --wait --timeout 10 >/dev/null 2>&1 || true
        kill "$daemon_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT

# A tool without its cache (plain class path), for preparing the scratch system.
plain() {
    local main
    main=$(awk -F'\t' -v t="$1" '$1 == t { print $2; exit }' "$root/bin/tools.tsv")
    shift
    QUBES_ROOT="$scratch" "$java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$cp" "$main" "$@"
}

start_daemon() {
    QUBES_ROOT="$scratch" "$java" -XX:+UseSerialGC -cp "$cp" org.qubicle.daemon.Qubesd \
        >"$scratch.log" 2>&1 &
    daemon_pid=$!
    for _ in $(seq 300); do
        [[ -S "$scratch/var/run/qubesd.sock" ]] && return 0
        kill -0 "$daemon_pid" 2>/dev/null || { daemon_pid=; return 1; }
        sleep 0.1
    done
    return 1
}

declare -A training=(
    [qvm-ls]=""
    [qvm-prefs]="work"
    [qubes-prefs]=""
    [qvm-features]="work"
    [qvm-service]="work"
    [qvm-tags]="work"
    [qvm-notes]="work --print"
    [qvm-check]="work"
    [qvm-pool]=""
    [qvm-firewall]="work"
    [qvm-volume]="info work:private"
    [qvm-create]="--label red aot-created"
    [qvm-clone]="-q work aot-cloned"
    [qvm-remove]="-f aot-created"
)

live=false
if start_daemon; then
    live=true
    plain qvm-create --class TemplateVM --label black tpl >/dev/null 2>&1
    plain qubes-prefs default_template tpl >/dev/null 2>&1
    plain qvm-create --label blue work >/dev/null 2>&1 || live=false
    for i in $(seq -w 1 8); do
        plain qvm-create --label green "q$i" >/dev/null 2>&1
    done
    plain qvm-features work gui 1 >/dev/null 2>&1
    plain qvm-tags work add aot >/dev/null 2>&1
    # qvm-run through the exec socket, as users run it: a disposable of a busybox template,
    # made and removed by the call, where this host can run qubes at all.
    if plain qvm-template install minimal >/dev/null 2>&1 \
            && plain qvm-create -t minimal --label red dvm >/dev/null 2>&1 \
            && plain qvm-prefs dvm template_for_dispvms True >/dev/null 2>&1 \
            && plain qubes-prefs default_dispvm dvm >/dev/null 2>&1 \
            && plain qvm-run -q --dispvm -- true </dev/null >/dev/null 2>&1; then
        training[qvm-run]="-q --dispvm -- true"
    fi
fi
rm -f "$scratch.log"

while IFS=$'\t' read -r tool main; do
    # The long-running ones start with other JIT options (bin/qubicle-launcher) and gain
    # nothing from a start-up cache.
    [[ -z "$tool" || "$tool" == qubesd || "$tool" == qvm-backup || "$tool" == qvm-backup-restore ]] && continue
    [[ $# -eq 0 || "$only" == *" $tool "* ]] || continue
    rm -f "$root/build/aot/$tool.aot"
    args="--help"
    if $live && [[ -v "training[$tool]" ]]; then
        args=${training[$tool]}
    fi
    # shellcheck disable=SC2086 # the training arguments are words on purpose
    QUBES_ROOT="$scratch" "$java" "${opts[@]}" -XX:AOTCacheOutput="$root/build/aot/$tool.aot" \
        -cp "$cp" "$main" $args </dev/null >/dev/null 2>&1 || true
done < "$root/bin/tools.tsv"
