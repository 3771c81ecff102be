#!/usr/bin/env bash
# The second README command: runs every test, unit and integration (as root), on this
# machine. Installs what is missing first (Debian packages, the build). CI runs exactly
# this (.ci/run). Exits non-zero if anything fails, or if a test left anything behind.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/lib/packages.sh
if [[ $(id -u) -eq 0 ]]; then
    qubicle_install_packages
    integration=true
else
    echo "test: not root, so integration tests (bubblewrap, namespaces, nftables, loop devices) are skipped" >&2
    integration=false
fi
source scripts/lib/env.sh
scripts/build.sh
before=$(scripts/lib/leaks.sh)
set +e
mvn -B -ff install -Dqubicle.integration="$integration" 2>&1 | tee build/test.log \
    | grep --line-buffered -E "Tests run:|FAIL|ERROR|BUILD|Reactor Summary|SUCCESS"
status=${PIPESTATUS[0]}
set -e
if [[ $status -ne 0 ]]; then
    # A test that timed out left a thread dump in the log: show where the test thread stood.
    grep -A14 '^"main"' build/test.log | head -45 >&2 || true
    echo "test: the Maven test run failed (see build/test.log)" >&2
    exit "$status"
fi
scripts/conformance.sh
after=$(scripts/lib/leaks.sh)
if [[ "$before" != "$after" ]]; then
    echo "test: the tests left something behind:" >&2
    diff <(echo "$before") <(echo "$after") >&2 || true
    exit 1
fi
echo "test: all tests passed and nothing was left behind"
