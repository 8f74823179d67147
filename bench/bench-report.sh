#!/usr/bin/env bash
# The report benchmark (issue 7): wall time and peak memory of `kesu report` for one month and
# one year of a generated database (bench-gen: complaints from 2025-01-01 to 2026-11-28).
# Targets: a monthly report under 1 s, a yearly one under 3 s.
#
#   bench/bench-report.sh [BUILD_DIR] DB        e.g. bench/bench-report.sh build /tmp/big.db
#
# Environment: BENCH_MONTH (2026-10), BENCH_YEAR (2025), BENCH_RUNS (3: the best run counts,
# so a page cache warmed by the first run is measured), BENCH_NOW (the report's "as of",
# 2026-11-29T12:00:00+08:00, so runs are comparable), BENCH_OUT (a directory to keep the two
# reports in, monthly.json and yearly.json, to compare a change's output with `cmp`). Reports
# only read the database, but a database made by an older kesu needs `kesu migrate` first (on
# the 1M database migration 6 takes about 15 s): run on a copy.
# Printed per report: wall seconds, CPU seconds (user + system of every thread: steadier than
# wall time on a machine shared with other work; a report reads and builds on two threads, so
# with a free second core the wall time is below the CPU time) and peak RSS, all of the run
# with the best wall time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
if [ $# -ge 2 ]; then
    build=$(cd "$1" && pwd)
    db=$2
else
    build=$root/build
    db=${1:?usage: bench/bench-report.sh [BUILD_DIR] DB}
fi
kesu=$build/kesu
month=${BENCH_MONTH:-2026-10}
year=${BENCH_YEAR:-2025}
runs=${BENCH_RUNS:-3}
now=${BENCH_NOW:-2026-11-29T12:00:00+08:00}
[ -x "$kesu" ] || { echo "bench: $kesu is missing; build it first (make build)" >&2; exit 1; }
[ -f "$db" ] || { echo "bench: database '$db' does not exist" >&2; exit 1; }
out=$(mktemp -d /tmp/kesu-bench-report.XXXXXX)
trap 'rm -rf "$out"' EXIT

# measure NAME ARGS...: the best wall time and its peak RSS over $runs runs.
measure() {
    local name=$1 best="" rss="" cpu="" line n wall
    shift
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M %U %S" -o "$out/time" "$kesu" report --db "$db" --now "$now" \
            --format json -o "$out/$name.json" "$@" 2>"$out/err" >/dev/null ||
            { cat "$out/err" >&2; exit 1; }
        line=$(tail -1 "$out/time")
        wall=${line%% *}
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
            read -r _ rss u s <<<"$line"
            cpu=$(echo "$u + $s" | bc -l)
        fi
    done
    n=$(grep -o '[0-9][0-9]* complaints,' "$out/err" | head -1)
    printf '%-8s %-12s %18s %7s s wall %7.2f s cpu %8.1f MB\n' "$name" "$*" "${n%,}" "$best" \
        "$cpu" "$(echo "$rss / 1024" | bc -l)"
    if [ -n "${BENCH_OUT:-}" ]; then
        mkdir -p "$BENCH_OUT"
        cp "$out/$name.json" "$BENCH_OUT/$name.json"
    fi
}

echo "kesu report benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, best of $runs"
measure monthly --period "$month"
measure yearly --year "$year"
