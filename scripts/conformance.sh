#!/usr/bin/env bash
# Conformance checks that use the shared material: the qrexec policy sample (300 cases
# decided by upstream Qubes) through our qrexec-policy-eval.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The shared material: $QUBICLE_SHARED, else beside the checkout, else the machine's copy (as
# the Java tests look for it), so a clone anywhere (e.g. /tmp/clean) finds it.
shared=${QUBICLE_SHARED:-$root/../shared}
[[ -d "$shared/conformance" ]] || shared=/work/shared
if [[ ! -d "$shared/conformance" ]]; then
    echo "conformance: no shared material: set QUBICLE_SHARED to the directory holding conformance/" >&2
    exit 1
fi
if [[ -x "$root/bin/qrexec-policy-eval" ]] && grep -q '^qrexec-policy-eval' "$root/bin/tools.tsv"; then
    python3 "$shared/conformance/policy/compare.py" "$shared/conformance/policy/sample.jsonl" \
        -- "$root/bin/qrexec-policy-eval" --jsonl | tail -n 3
fi
