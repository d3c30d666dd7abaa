#!/usr/bin/env bash
# Long fuzz run: 10,000 random examples for each property in tests/test_fuzz.py (CI runs a
# small fixed set). Extra arguments go to pytest, e.g. `scripts/fuzz.sh -x -k decode`.
# A failure prints the shrunk example and a @reproduce_failure blob to paste into the test.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python -m pytest tests/test_fuzz.py -q -p no:cacheprovider \
    --hypothesis-profile=fuzz --hypothesis-show-statistics "$@"
