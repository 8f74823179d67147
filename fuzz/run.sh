#!/usr/bin/env bash
# Builds the fuzz targets with clang into build-fuzz/ and runs each for SECONDS (default 60),
# one after the other, printing the executions of each and any crash. Exits 1 when any target
# crashed, leaked, hung or drew a sanitizer report (the input is kept under
# build-fuzz/artifacts/<target>/ and the full report in build-fuzz/logs/<target>.log).
#   fuzz/run.sh [SECONDS] [TARGET...]     TARGET as in fuzz/fuzz-<target>.c, e.g. time preset
#   fuzz/run.sh replay [TARGET...]        runs each saved input of fuzz/crashes/<target>/ once
#                                         (exit 1 while any of them still fails)
# The committed seeds in fuzz/corpus/<target>/ are only read; what libFuzzer learns goes to
# build-fuzz/corpus/<target>/, kept between runs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$root/build-fuzz
seconds=${1:-60}
shift || true
case $seconds in
replay) ;;
'' | *[!0-9]*) echo "usage: fuzz/run.sh [SECONDS | replay] [TARGET...]" >&2; exit 64 ;;
esac

if [ $# -eq 0 ] && [ "$seconds" = replay ]; then
    set -- $(cd "$here" && ls crashes 2>/dev/null)
elif [ $# -eq 0 ]; then
    set -- $(cd "$here" && ls fuzz-*.c | sed 's/^fuzz-//; s/\.c$//')
fi

CC=${CC:-clang} cmake -S "$here" -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc)" -- --no-print-directory >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
if [ "$seconds" = replay ]; then
    for t in "$@"; do
        for f in "$here/crashes/$t"/*; do
            [ -f "$f" ] || continue
            if "$build/fuzz-$t" "$f" >"$build/replay.log" 2>&1; then
                echo "fuzz-$t: ${f#$root/}: fixed"
            else
                failed=1
                echo "fuzz-$t: ${f#$root/}: STILL FAILS"
                grep -E 'ERROR:|SUMMARY:|runtime error:' "$build/replay.log" | sed 's/^/    /' | head -5
            fi
        done
    done
    exit "$failed"
fi

for t in "$@"; do
    exe=$build/fuzz-$t
    [ -x "$exe" ] || { echo "fuzz-$t: no such target" >&2; exit 64; }
    work=$build/corpus/$t
    art=$build/artifacts/$t
    log=$build/logs/$t.log
    mkdir -p "$work" "$art" "$(dirname "$log")"
    seeds=()
    [ -d "$here/corpus/$t" ] && seeds=("$here/corpus/$t")
    rc=0
    # KS_FUZZ_RUNS: a fixed number of runs from seed 1 instead of a time, so a CI run is
    # repeatable (a time-bounded run explores differently on every machine).
    limit=(-max_total_time="$seconds")
    [ -n "${KS_FUZZ_RUNS:-}" ] && limit=(-runs="$KS_FUZZ_RUNS" -seed=1)
    "$exe" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" "$work" "${seeds[@]}" >"$log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
        failed=1
        echo "fuzz-$t: FAILED after ${runs:-?} executions (exit $rc); log: $log"
        grep -E 'ERROR:|SUMMARY:|runtime error:|Test unit written to' "$log" | sed 's/^/    /' | head -20
    else
        echo "fuzz-$t: ${runs:-?} executions in ${seconds}s, corpus $(ls "$work" | wc -l) inputs, ok"
    fi
done
exit "$failed"
