#!/usr/bin/env bash
# Starts kesu's main job on the demo database: the HTTP server when this build has one,
# otherwise a short tour of the command line.
set -euo pipefail
kesu=$1
db=$2
export KESU_DB=$db
if "$kesu" serve --help >/dev/null 2>&1; then
    exec "$kesu" serve --db "$db" ${KESU_LISTEN:+--listen "$KESU_LISTEN"}
fi
echo "== kesu list --all (KESU_DB=$db)"
"$kesu" list --all
first=$("$kesu" list --all --json | sed -n 's/.*"number": "\(KS[0-9-]*\)".*/\1/p' | tail -n 1)
if [ -n "$first" ]; then
    echo
    echo "== kesu show $first"
    "$kesu" show "$first"
fi
echo
echo "Try: KESU_DB=$db $kesu --help"
