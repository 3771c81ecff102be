#!/usr/bin/env bash
# Conformance checks that use the shared material: the qrexec policy sample (300 cases
# decided by upstream Qubes) through our qrexec-policy-eval.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${QUBICLE_SHARED:-$root/../shared}
if [[ -x "$root/bin/qrexec-policy-eval" ]] && grep -q '^qrexec-policy-eval' "$root/bin/tools.tsv"; then
    python3 "$shared/conformance/policy/compare.py" "$shared/conformance/policy/sample.jsonl" \
        -- "$root/bin/qrexec-policy-eval" --jsonl | tail -n 3
fi
