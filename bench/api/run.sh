#!/usr/bin/env bash
# The HTTP API benchmark (issues 4 and 8): a fresh database with $BENCH_ROWS generated complaints
# (default 1,000,000), `kesu serve` on a free loopback port (or two of them on one PostgreSQL
# database), then wrk at 32 connections against /healthz (the baseline), fetch by number, a
# filtered list, full-text search (a 4-character and a 2-character query; list pages with the
# browser list's fields=) and durable registration. Prints requests/s, p50/p99 and the server's
# peak resident memory per endpoint, each rate also as a share of /healthz, and the verdict on
# the issue's targets last.
#
#   bench/api/run.sh [BUILD_DIR]        (make bench runs it through bench/run.sh)
#
# Environment: BENCH_ROWS (rows to generate), BENCH_DB (reuse this generated SQLite database
# instead of making one; registrations are added to it), BENCH_DURATION (seconds per endpoint,
# 15), BENCH_WARMUP (seconds, 5), BENCH_CONNS (32), BENCH_THREADS (wrk threads, 2),
# BENCH_SERVE_THREADS (kesu serve --threads; default: its own), BENCH_WORK (a directory to
# keep the database and logs in; default a temporary one, removed at the end), BENCH_ENDPOINTS
# (which of "healthz get list search search2 create" to run; default all).
#
# PostgreSQL (issue 8): BENCH_PG=postgres://... serves from that database, BENCH_PG=start from
# a throw-away server started with scripts/pg-test.sh (fsync on, so commits are as durable as
# SQLite's) and stopped at the end. A database without complaints is first filled: the
# complaints are generated into SQLite (bench-gen, or BENCH_DB) and moved with `kesu copy`,
# then ANALYZEd; one that has complaints is used as it is (registrations are added to it).
# BENCH_NODES=2 starts two `kesu serve` on that one database and runs two wrk processes at
# once, each with half the connections against one node; a rate is the sum of the two, a
# latency the worse of the two. wrk, PostgreSQL and the nodes share this machine's cores.
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
pg=${BENCH_PG:-}
nodes=${BENCH_NODES:-1}
endpoints=${BENCH_ENDPOINTS:-healthz get list search search2 create}
password=bench-$$-password

for f in "$kesu" "$gen"; do
    [ -x "$f" ] || { echo "bench: $f is missing; build it first (make build)" >&2; exit 1; }
done
case $nodes in
1 | 2) ;;
*) echo "bench: BENCH_NODES must be 1 or 2" >&2; exit 1 ;;
esac
[ "$nodes" -eq 1 ] || [ -n "$pg" ] ||
    { echo "bench: two nodes need one shared database: set BENCH_PG" >&2; exit 1; }
command -v wrk >/dev/null || KS_DEPS_EXTRA=wrk "$root/scripts/deps.sh"
command -v sqlite3 >/dev/null && command -v jq >/dev/null && command -v curl >/dev/null ||
    "$root/scripts/deps.sh"
[ -z "$pg" ] || command -v psql >/dev/null ||
    { echo "bench: psql is missing; install postgresql-client" >&2; exit 1; }

if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
else
    work=$(mktemp -d /tmp/kesu-bench.XXXXXX)
fi
servers=()
samplers=()
pgdir=""
cleanup() {
    local p
    for p in "${samplers[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${servers[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -z "$pgdir" ] || "$root/scripts/pg-test.sh" stop "$pgdir" || true
    [ -n "${BENCH_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# ---- the database ------------------------------------------------------------------------
# The generated SQLite database: the one served, or the source of the PostgreSQL copy.
if [ -n "${BENCH_DB:-}" ]; then
    sqlite_db=$BENCH_DB
    [ -f "$sqlite_db" ] || { echo "bench: BENCH_DB '$sqlite_db' does not exist" >&2; exit 1; }
else
    sqlite_db=$work/bench.db
fi
generate() {
    if [ -n "${BENCH_DB:-}" ]; then
        "$kesu" init --db "$sqlite_db" --admin-password "$password" >/dev/null
        "$kesu" user passwd admin --db "$sqlite_db" --password "$password" >/dev/null
    else
        rm -f "$sqlite_db" "$sqlite_db-wal" "$sqlite_db-shm"
        "$kesu" init --db "$sqlite_db" --admin-password "$password" >/dev/null
        echo "bench: generating $rows complaints into $sqlite_db" >&2
        "$gen" --db "$sqlite_db" --rows "$rows"
    fi
}
if [ -n "$pg" ]; then
    if [ "$pg" = start ]; then
        # Outside $work: as root the cluster belongs to an unprivileged user, who must reach it.
        pgdir=$(mktemp -d /tmp/kesu-bench-pg.XXXXXX)
        rmdir "$pgdir"
        pg=$(KS_PG_OPTS="-c fsync=on ${KS_PG_OPTS:-}" "$root/scripts/pg-test.sh" start "$pgdir")
    fi
    db=$pg
    dbq() { psql -qAtX "$db" -c "$1"; }
    "$kesu" migrate --db "$db" >/dev/null
    if [ "$(dbq "SELECT count(*) FROM complaints")" -eq 0 ]; then
        generate
        echo "bench: copying the complaints to PostgreSQL" >&2
        "$kesu" copy --from "sqlite:$sqlite_db" --to "$db" >"$work/copy.out"
        dbq "ANALYZE" >/dev/null
    fi
    "$kesu" user passwd admin --db "$db" --password "$password" >/dev/null
    engine="PostgreSQL $(dbq "SHOW server_version" | cut -d' ' -f1) (fsync $(dbq "SHOW fsync"))"
else
    generate
    db=$sqlite_db
    dbq() { sqlite3 "$db" "$1"; }
    engine="SQLite $(sqlite3 --version | cut -d' ' -f1)"
fi
complaints=$(dbq "SELECT count(*) FROM complaints")
# Existing numbers to fetch: an even sample of up to 20,000 across the whole table.
step=$((complaints / 20000 + 1))
dbq "SELECT number FROM complaints WHERE id % $step = 0" >"$work/numbers.txt"

# ---- the servers -------------------------------------------------------------------------
serve_args=(serve --db "$db" --listen 127.0.0.1:0)
[ -n "${BENCH_SERVE_THREADS:-}" ] && serve_args+=(--threads "$BENCH_SERVE_THREADS")
bases=()
for n in $(seq "$nodes"); do
    "$kesu" "${serve_args[@]}" >"$work/serve$n.out" 2>"$work/serve$n.log" &
    servers+=($!)
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/serve$n.out")
        [ -n "$port" ] && break
        kill -0 "${servers[-1]}" 2>/dev/null || { cat "$work/serve$n.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench: server $n did not start" >&2; exit 1; }
    bases+=("http://127.0.0.1:$port")
done
# The first deadline sweep of a database copied long after it was made catches up on every
# clock due since, holding the write lock for longer than the busy timeout, so the login (a
# write) may be refused with 503 for a while: retry it, for up to a minute.
token=""
for _ in $(seq 60); do
    token=$(curl -sf -X POST "${bases[0]}/api/v1/sessions" -H 'Content-Type: application/json' \
        -d "{\"login\":\"admin\",\"password\":\"$password\"}" | jq -r .token) && break
    sleep 1
done
[ -n "$token" ] && [ "$token" != null ] || { echo "bench: login failed" >&2; exit 1; }

export KS_TOKEN=$token KS_BENCH_LUA=$here KS_NUMBERS=$work/numbers.txt

# Samples a server's resident memory every 100 ms, keeping the peak in the file OUT.
sample_rss() {
    local pid=$1 out=$2 peak=0 kb
    while kill -0 "$pid" 2>/dev/null; do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${kb:-0}" -gt "$peak" ] && { peak=$kb; echo "$peak" >"$out"; }
        sleep 0.1
    done
}

# wrk against every node at once, each with its share of the threads and connections (at
# least one thread per node); ARGS... go to each wrk, its output to $work/wrk.NAME.NODE.
wrk_all() {
    local name=$1 i pids=()
    shift
    local t=$((wthreads / nodes)) c=$((conns / nodes))
    [ "$t" -ge 1 ] || t=1
    for i in $(seq "$nodes"); do
        wrk -t"$t" -c"$c" "$@" "${bases[$((i - 1))]}" >"$work/wrk.$name.$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# run NAME SCRIPT [QUERY]: a warm-up, then the measured run; appends a result line with the
# summed rate, the worst p50, p99 and maximum, the summed errors and the largest peak RSS.
results=$work/results.txt
: >"$results"
run() {
    local name=$1 script=$2 i
    export KS_QUERY=${3:-}
    if [ "$warmup" -gt 0 ]; then
        wrk_all warmup -d"${warmup}s" -s "$here/$script"
    fi
    samplers=()
    for i in $(seq "$nodes"); do
        echo 0 >"$work/rss.$name.$i"
        sample_rss "${servers[$((i - 1))]}" "$work/rss.$name.$i" &
        samplers+=($!)
    done
    wrk_all "$name" -d"${duration}s" --latency -s "$here/$script"
    for i in "${samplers[@]}"; do
        kill "$i" 2>/dev/null || true
        wait "$i" 2>/dev/null || true
    done
    samplers=()
    for i in $(seq "$nodes"); do
        grep -q '^KSBENCH ' "$work/wrk.$name.$i" || { cat "$work/wrk.$name.$i" >&2; exit 1; }
    done
    cat "$work"/rss."$name".* | sort -n | tail -n 1 >"$work/rss.$name"
    grep -h '^KSBENCH ' "$work"/wrk."$name".* |
        awk -v name="$name" -v rss="$(cat "$work/rss.$name")" '
        { r += $2; if ($3 > p50) p50 = $3; if ($4 > p99) p99 = $4; if ($5 > mx) mx = $5
          st += $6; ot += $7 }
        END { printf "%s %.1f %d %d %d %d %d %d\n", name, r, p50, p99, mx, st, ot, rss }' \
        >>"$results"
    echo "bench: $name done" >&2
}

# A list page asks for the columns the browser's list shows (web/page-list.js LIST_FIELDS), as a
# realistic client does.
cols="fields=received_at,title,customer_name,customer_org,customer_code,severity,status,assignee"
for e in $endpoints; do
    case $e in
    healthz) run healthz healthz.lua ;;
    get) run get get.lua ;;
    list) run list list.lua "status=investigating&severity=batch&limit=50&$cols" ;;
    search) run search list.lua "q=芯轴断裂&limit=50&$cols" ;;
    search2) run search2 list.lua "q=断裂&limit=50&$cols" ;;
    create) run create create.lua ;;
    *) echo "bench: unknown endpoint '$e' in BENCH_ENDPOINTS" >&2; exit 1 ;;
    esac
done

hwm=0
for p in "${servers[@]}"; do
    kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status")
    [ "$kb" -gt "$hwm" ] && hwm=$kb
done
after=$(dbq "SELECT count(*) FROM complaints")

# ---- the figures -------------------------------------------------------------------------
if [ "$nodes" -eq 1 ]; then
    load="wrk -t$wthreads -c$conns -d${duration}s"
else
    t=$((wthreads / 2 > 0 ? wthreads / 2 : 1))
    load="2 nodes, one wrk per node at once, each -t$t -c$((conns / 2)) -d${duration}s"
fi
cat <<EOF

kesu HTTP API benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $engine
$complaints complaints before the run ($after after), $load
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
            share = base > 0 ? sprintf("%7.1f%%", 100 * rps[i] / base) : "       -"
            printf "%s%*s %10.0f %s %9.2f %9.2f %8d %9.1f\n", label[name[i]],
                   34 - (length(label[name[i]]) - wide), "", rps[i], share,
                   p50[i], p99[i], bad[i], rss[i]
        }
        printf "server peak resident memory (VmHWM): %.1f MB\n", hwm / 1024
        printf "\ntargets (issue 4):\n"
        for (i = 1; i <= NR; i++) {
            if (name[i] == "create")
                printf "  durable creates >= 5000/s: %.0f/s  %s\n", rps[i],
                       (rps[i] >= 5000 ? "met" : "MISSED")
            if (name[i] == "get" && base > 0)
                printf "  fetch by number >= 40%% of /healthz: %.1f%%  %s\n", 100 * rps[i] / base,
                       (rps[i] >= 0.4 * base ? "met" : "MISSED")
        }
        for (i = 1; i <= NR; i++)
            printf "  p99 < 20 ms, %s: %.2f ms  %s\n", label[name[i]], p99[i],
                   (p99[i] < 20 ? "met" : "MISSED")
        printf "  resident memory < 100 MB: %.1f MB  %s\n", hwm / 1024,
               (hwm < 100 * 1024 ? "met" : "MISSED")
    }' "$results"
