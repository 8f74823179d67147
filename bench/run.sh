#!/usr/bin/env bash
# `make bench`: every benchmark against one build directory — the severity engine on one core
# (bench-classify, issue 3) and the HTTP API under load (bench/api/run.sh, issue 4). See
# docs/performance.md for what the figures mean and bench/RESULTS.md for recorded ones.
#
#   bench/run.sh [BUILD_DIR]    (default: build; BENCH_ROWS etc. pass through to the API bench)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)

echo "== classification (issue 3)"
"$build/bench-classify"
echo
echo "== HTTP API (issue 4)"
"$here/api/run.sh" "$build"
