# Helpers for the CLI tests (sourced). Each test runs in its own temporary directory with its
# own database and a fixed clock ($KESU_NOW), so results never depend on the day it runs.
set -euo pipefail
: "${KESU:?KESU must name the kesu binary (ctest sets it)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/kesu-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
export KESU_DB=$T/kesu.db
export KESU_NOW=${KESU_NOW:-2026-09-28T09:00:00+08:00}
failures=0
checks=0

kesu() { "$KESU" "$@"; }

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_ok DESC CMD...: the command must exit 0; its stdout is left in $out.
expect_ok() {
    local desc=$1
    shift
    checks=$((checks + 1))
    if ! out=$("$@" 2>"$T/stderr"); then
        fail "$desc: exit $? from: $* :: $(cat "$T/stderr")"
    fi
}

# expect_exit CODE DESC CMD...: the command must exit CODE; stderr is left in $errout.
expect_exit() {
    local code=$1 desc=$2 rc=0
    shift 2
    checks=$((checks + 1))
    out=$("$@" 2>"$T/stderr") || rc=$?
    errout=$(cat "$T/stderr")
    [ "$rc" -eq "$code" ] || fail "$desc: expected exit $code, got $rc from: $* :: $errout"
}

# expect_match DESC TEXT REGEX
expect_match() {
    checks=$((checks + 1))
    if ! grep -qE -- "$3" <<<"$2"; then
        fail "$1: /$3/ not found in: $2"
    fi
}

# wait_port OUT LOG: prints the port a `kesu serve --listen 127.0.0.1:0` announced in OUT once
# it listens; fails (status 1, the end of LOG on stderr) if it has not within 10 s.
wait_port() {
    local p
    for _ in $(seq 1 200); do
        p=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$1")
        [ -n "$p" ] && { echo "$p"; return 0; }
        sleep 0.05
    done
    echo "FAIL: server did not start: $(tail -3 "$2")" >&2
    return 1
}

# start_server [ARGS...]: `kesu serve` (plus ARGS) on a free loopback port, its output in
# $T/serve.out and its log appended to $T/serve.log; sets $server (the pid) and $port, and
# stops the test if it does not start.
start_server() {
    : >"$T/serve.out"
    "$KESU" serve --listen 127.0.0.1:0 --threads 2 "$@" >"$T/serve.out" 2>>"$T/serve.log" &
    server=$!
    port=$(wait_port "$T/serve.out" "$T/serve.log") || exit 1
}

finish() {
    echo "$((checks - failures)) passed, $failures failed"
    [ "$failures" -eq 0 ]
}
