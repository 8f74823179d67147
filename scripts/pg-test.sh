#!/usr/bin/env bash
# A throw-away PostgreSQL for kesu's tests: `pg-test.sh start DIR` creates a private cluster in
# DIR (initdb, trust authentication, no TCP: only a Unix socket inside DIR, on a random port
# number so several clusters can run at once), creates the database `kesu` owned by the role
# `kesu`, and prints its URL, e.g.
#     postgres://kesu@/kesu?host=/tmp/kesu-pg.X/sock&port=54123
# The URL is also written to DIR/url. `pg-test.sh stop DIR` stops the server and removes DIR.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the unprivileged user
# $KS_PG_USER (default nobody). Usable as a ctest fixture (FIXTURES_SETUP/FIXTURES_CLEANUP).
# The server runs with fsync=off (tests need no durability); $KS_PG_OPTS adds server options
# after it, e.g. KS_PG_OPTS='-c fsync=on' for a benchmark that must pay for durable commits.
set -euo pipefail

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 64
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

pgbin=${KS_PG_BIN:-}
if [ -z "$pgbin" ]; then
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
        pgbin=$(pg_config --bindir)
    else
        pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
fi
[ -x "$pgbin/initdb" ] || { echo "$0: initdb not found; install postgresql" >&2; exit 69; }

# Runs a command as the owner of the cluster.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "${KS_PG_USER:-nobody}" -- "$@"
    else
        "$@"
    fi
}

start() {
    local port log
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ -e "$dir/data" ]; then
        echo "$0: $dir/data exists; stop that cluster first" >&2
        exit 73
    fi
    mkdir -p "$dir/data" "$dir/sock"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R "${KS_PG_USER:-nobody}" "$dir"
    fi
    log=$dir/server.log
    as_owner "$pgbin/initdb" -D "$dir/data" -U kesu --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 70; }
    # A random port number: with listen_addresses empty it only names the socket file, so it
    # cannot clash with a real server; retry a few times in case two clusters share DIR/..
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        if as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$log" -w -t 30 \
            -o "-c listen_addresses='' -k $dir/sock -p $port -c fsync=off ${KS_PG_OPTS:-}" \
            start >/dev/null; then
            break
        fi
        port=
    done
    [ -n "$port" ] || { cat "$log" >&2; exit 70; }
    as_owner "$pgbin/createdb" -h "$dir/sock" -p "$port" -U kesu -O kesu kesu
    echo "postgres://kesu@/kesu?host=$dir/sock&port=$port" | tee "$dir/url"
}

stop() {
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    fi
    rm -rf "$dir"
}

case $cmd in
start) start ;;
stop) stop ;;
*) usage ;;
esac
