#!/usr/bin/env bash
# Other writes beside steady registrations (the writer queue, docs/reliability.md §0): a fresh
# database, wrk at 32 connections of POST /complaints for 15 s, and meanwhile 40 comments one
# after another from another client on one complaint. Prints the registration rate and p99,
# how the comments were answered and the slowest one. Before the writers queued in order, a
# comment could wait the whole 5 s busy timeout and fail with 503.
#   bench/api/busy-writers.sh [BUILD_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kesu-busy.XXXXXX")
pid=
cleanup() {
    [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk jq curl; do
    command -v $tool >/dev/null || { echo "busy-writers: $tool is not installed" >&2; exit 1; }
done

"$build/kesu" init --db "$work/k.db" --admin-password busy-writers-2026 >/dev/null
"$build/kesu" serve --db "$work/k.db" --listen 127.0.0.1:0 --threads 4 --sweep-interval 0 \
    >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 100); do
    grep -q '^listening on ' "$work/serve.out" 2>/dev/null && break
    sleep 0.1
done
base="http://$(sed -n 's/^listening on //p' "$work/serve.out")"
api="$base/api/v1"
tok=$(curl -sf -X POST "$api/sessions" -H 'Content-Type: application/json' \
    -d '{"login":"admin","password":"busy-writers-2026"}' | jq -r .token)
auth=(-H "Authorization: Bearer $tok")
num=$(curl -sf -X POST "$api/complaints" "${auth[@]}" -H 'Content-Type: application/json' \
    -d '{"channel":"api","customer_name":"跟进客户","title":"备注对象"}' | jq -r .number)

KS_TOKEN=$tok KS_BENCH_LUA=$here wrk -t2 -c32 -d15s -s "$here/create.lua" "$base" >"$work/wrk.out" &
load=$!
sleep 2
for _ in $(seq 40); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST "$api/complaints/$num/comments" \
        "${auth[@]}" -H 'Content-Type: application/json' -d '{"note":"跟进"}'
done >"$work/comments"
wait "$load"

read -r _ rate _ p99 _ < <(grep '^KSBENCH ' "$work/wrk.out")
printf 'registrations: %.0f/s, p99 %.1f ms\n' "$rate" "$(echo "$p99 / 1000" | bc -l)"
answers=$(cut -d' ' -f1 "$work/comments" | sort | uniq -c | tr -s ' ' | tr '\n' ',')
printf 'comments: %s\n' "${answers%,}"
slowest=$(sort -k2 -g "$work/comments" | tail -n 1 | awk '{print $2 * 1000}')
printf 'slowest comment: %.0f ms\n' "$slowest"
