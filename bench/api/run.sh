#!/usr/bin/env bash
# The HTTP API benchmark (issue 4): a fresh database with $BENCH_ROWS generated complaints
# (default 1,000,000), `kesu serve` on a free loopback port, then wrk at 32 connections against
# /healthz (the baseline), fetch by number, a filtered list, full-text search (a 4-character
# and a 2-character query) and durable registration. Prints requests/s, p50/p99 and the
# server's peak resident memory per endpoint, each rate also as a share of /healthz, and the
# verdict on the issue's targets last.
#
#   bench/api/run.sh [BUILD_DIR]        (make bench runs it through bench/run.sh)
#
# Environment: BENCH_ROWS (rows to generate), BENCH_DB (reuse this generated database instead
# of making one; registrations are added to it), BENCH_DURATION (seconds per endpoint, 15),
# BENCH_WARMUP (seconds, 5), BENCH_CONNS (32), BENCH_THREADS (wrk threads, 2),
# BENCH_SERVE_THREADS (kesu serve --threads; default: its own), BENCH_WORK (a directory to
# keep the database and logs in; default a temporary one, removed at the end).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
kesu=$build/kesu
gen=$build/bench-gen
rows=${BENCH_ROWS:-1000000}
duration=${BENCH_DURATION:-15}
warmup=${BENCH_WARMUP:-5}
conns=${BENCH_CONNS:-32}
wthreads=${BENCH_THREADS:-2}
password=bench-$$-password

for f in "$kesu" "$gen"; do
    [ -x "$f" ] || { echo "bench: $f is missing; build it first (make build)" >&2; exit 1; }
done
command -v wrk >/dev/null || KS_DEPS_EXTRA=wrk "$root/scripts/deps.sh"
command -v sqlite3 >/dev/null && command -v jq >/dev/null && command -v curl >/dev/null ||
    "$root/scripts/deps.sh"

if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
else
    work=$(mktemp -d /tmp/kesu-bench.XXXXXX)
fi
server=""
sampler=""
cleanup() {
    [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
    if [ -n "$server" ]; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    [ -n "${BENCH_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# ---- the database ------------------------------------------------------------------------
if [ -n "${BENCH_DB:-}" ]; then
    db=$BENCH_DB
    [ -f "$db" ] || { echo "bench: BENCH_DB '$db' does not exist" >&2; exit 1; }
    "$kesu" init --db "$db" --admin-password "$password" >/dev/null
    "$kesu" user passwd admin --db "$db" --password "$password" >/dev/null
else
    db=$work/bench.db
    rm -f "$db" "$db-wal" "$db-shm"
    "$kesu" init --db "$db" --admin-password "$password" >/dev/null
    echo "bench: generating $rows complaints into $db" >&2
    "$gen" --db "$db" --rows "$rows"
fi
complaints=$(sqlite3 "$db" "SELECT count(*) FROM complaints")
# Existing numbers to fetch: an even sample of up to 20,000 across the whole table.
step=$((complaints / 20000 + 1))
sqlite3 "$db" "SELECT number FROM complaints WHERE id % $step = 0" >"$work/numbers.txt"

# ---- the server --------------------------------------------------------------------------
serve_args=(serve --db "$db" --listen 127.0.0.1:0)
[ -n "${BENCH_SERVE_THREADS:-}" ] && serve_args+=(--threads "$BENCH_SERVE_THREADS")
"$kesu" "${serve_args[@]}" >"$work/serve.out" 2>"$work/serve.log" &
server=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/serve.out")
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "bench: the server did not start" >&2; exit 1; }
base=http://127.0.0.1:$port
token=$(curl -sf -X POST "$base/api/v1/sessions" -H 'Content-Type: application/json' \
    -d "{\"login\":\"admin\",\"password\":\"$password\"}" | jq -r .token)
[ -n "$token" ] && [ "$token" != null ] || { echo "bench: login failed" >&2; exit 1; }

export KS_TOKEN=$token KS_BENCH_LUA=$here KS_NUMBERS=$work/numbers.txt

# Samples the server's resident memory every 100 ms, keeping the peak in $work/rss.<name>.
sample_rss() {
    local out=$1 peak=0 kb
    while kill -0 "$server" 2>/dev/null; do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$server/status" 2>/dev/null || echo 0)
        [ "${kb:-0}" -gt "$peak" ] && { peak=$kb; echo "$peak" >"$out"; }
        sleep 0.1
    done
}

# run NAME SCRIPT [QUERY]: a warm-up, then the measured run; appends a result line.
results=$work/results.txt
: >"$results"
run() {
    local name=$1 script=$2
    export KS_QUERY=${3:-}
    if [ "$warmup" -gt 0 ]; then
        wrk -t"$wthreads" -c"$conns" -d"${warmup}s" -s "$here/$script" "$base" >/dev/null
    fi
    echo 0 >"$work/rss.$name"
    sample_rss "$work/rss.$name" &
    sampler=$!
    wrk -t"$wthreads" -c"$conns" -d"${duration}s" --latency -s "$here/$script" "$base" \
        >"$work/wrk.$name"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    sampler=""
    local line
    line=$(grep '^KSBENCH ' "$work/wrk.$name" || true)
    [ -n "$line" ] || { cat "$work/wrk.$name" >&2; exit 1; }
    echo "$name ${line#KSBENCH } $(cat "$work/rss.$name")" >>"$results"
    echo "bench: $name done" >&2
}

run healthz healthz.lua
run get get.lua
run list list.lua "status=investigating&severity=batch&limit=50"
run search list.lua "q=芯轴断裂&limit=50"
run search2 list.lua "q=断裂&limit=50"
run create create.lua

hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$server/status")
after=$(sqlite3 "$db" "SELECT count(*) FROM complaints")

# ---- the figures -------------------------------------------------------------------------
sqlite_version=$(sqlite3 --version | cut -d' ' -f1)
cat <<EOF

kesu HTTP API benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, SQLite $sqlite_version
$complaints complaints before the run ($after after), wrk -t$wthreads -c$conns -d${duration}s
EOF
awk -v hwm="$hwm" '
    BEGIN {
        label["healthz"] = "GET /healthz (baseline)"
        label["get"] = "GET /complaints/{number}"
        label["list"] = "GET /complaints?status&severity"
        label["search"] = "GET /complaints?q=芯轴断裂"
        label["search2"] = "GET /complaints?q=断裂 (2 chars)"
        label["create"] = "POST /complaints (durable)"
    }
    { name[NR] = $1; rps[NR] = $2; p50[NR] = $3 / 1000; p99[NR] = $4 / 1000
      bad[NR] = $6 + $7; rss[NR] = $8 / 1024; if ($1 == "healthz") base = $2 }
    END {
        printf "\n%-34s %10s %8s %9s %9s %8s %9s\n", "endpoint", "req/s", "healthz",
               "p50 ms", "p99 ms", "errors", "RSS MB"
        for (i = 1; i <= NR; i++) {
            # Pad by display width: a Chinese character is 3 bytes and 2 columns wide.
            t = label[name[i]]
            wide = gsub(/[\200-\377]/, "&", t) / 3
            printf "%s%*s %10.0f %7.1f%% %9.2f %9.2f %8d %9.1f\n", label[name[i]],
                   34 - (length(label[name[i]]) - wide), "", rps[i], 100 * rps[i] / base,
                   p50[i], p99[i], bad[i], rss[i]
        }
        printf "server peak resident memory (VmHWM): %.1f MB\n", hwm / 1024
        printf "\ntargets (issue 4):\n"
        for (i = 1; i <= NR; i++) {
            if (name[i] == "create")
                printf "  durable creates >= 5000/s: %.0f/s  %s\n", rps[i],
                       (rps[i] >= 5000 ? "met" : "MISSED")
            if (name[i] == "get")
                printf "  fetch by number >= 40%% of /healthz: %.1f%%  %s\n", 100 * rps[i] / base,
                       (rps[i] >= 0.4 * base ? "met" : "MISSED")
        }
        for (i = 1; i <= NR; i++)
            printf "  p99 < 20 ms, %s: %.2f ms  %s\n", label[name[i]], p99[i],
                   (p99[i] < 20 ? "met" : "MISSED")
        printf "  resident memory < 100 MB: %.1f MB  %s\n", hwm / 1024,
               (hwm < 100 * 1024 ? "met" : "MISSED")
    }' "$results"
