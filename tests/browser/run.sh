#!/usr/bin/env bash
# Browser tests of the kesu web UI: a real `kesu serve` on a free loopback port with a fresh
# database (kesu init + departments + intake, handler and leader users), driven by Debian's
# chromium through playwright-core (ui.test.mjs). Screenshots of each main page are saved
# under $KS_BUILD_DIR/screenshots/. Needs /usr/bin/chromium (Debian package chromium) and node
# with npm (packages nodejs, npm); node_modules is installed with `npm ci` when missing. With
# KS_SKIP_BROWSER=1 a machine without them skips instead of failing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${KS_SRC_DIR:-$(cd "$here/../.." && pwd)}
build=${KS_BUILD_DIR:-$src/build}
KESU=${KESU:-$build/kesu}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

missing() {
    if [ "${KS_SKIP_BROWSER:-0}" = 1 ]; then
        echo "browser tests skipped (KS_SKIP_BROWSER=1): $*"
        exit 0
    fi
    echo "FAIL: browser tests cannot run: $*" >&2
    echo "  install: apt-get install -y chromium nodejs npm fonts-noto-cjk && npm ci" >&2
    echo "  or set KS_SKIP_BROWSER=1 to skip them on this machine" >&2
    exit 1
}

[ -x "$CHROMIUM" ] || missing "no chromium at $CHROMIUM"
command -v node >/dev/null || missing "no node"
[ -x "$KESU" ] || missing "no kesu binary at $KESU (build it first)"
if [ ! -d "$src/node_modules/playwright-core" ]; then
    command -v npm >/dev/null || missing "no npm to install playwright-core"
    (cd "$src" && npm ci --no-audit --no-fund) || missing "npm ci failed"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/kesu-browser-XXXXXX")
server=
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT
export KESU_DB=$T/kesu.db
unset KESU_NOW

export KS_ADMIN_PW=admin-browser-2026 KS_INTAKE_PW=intake-browser-2026
export KS_HANDLER_PW=handler-browser-2026 KS_LEADER_PW=leader-browser-2026
"$KESU" init --preset manufacturing --admin-password "$KS_ADMIN_PW" >/dev/null
"$KESU" department add service --name 客服部 >/dev/null
"$KESU" department add quality --name 质量部 >/dev/null
"$KESU" department add quality-lab --name 检测室 --parent quality >/dev/null
"$KESU" user add jie --name 接待员小李 --role intake --department service \
    --password "$KS_INTAKE_PW" >/dev/null
"$KESU" user add han --name 韩处理 --role handler --department quality \
    --password "$KS_HANDLER_PW" >/dev/null
"$KESU" user add zu --name 组长老周 --role leader --department quality \
    --password "$KS_LEADER_PW" >/dev/null

"$KESU" serve --listen 127.0.0.1:0 --threads 4 >"$T/serve.out" 2>"$T/serve.log" &
server=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$T/serve.out")
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "FAIL: kesu serve did not start:" >&2
    cat "$T/serve.log" >&2
    exit 1
fi

export KS_URL=http://127.0.0.1:$port CHROMIUM KS_SCREENSHOTS=$build/screenshots
export KS_PROFILE=$T/profile
mkdir -p "$KS_SCREENSHOTS" "$KS_PROFILE"
rc=0
node "$here/ui.test.mjs" || rc=$?
cp "$T/serve.log" "$build/browser-serve.log"
if [ "$rc" -ne 0 ]; then
    echo "--- server log (last 40 lines; all of it in $build/browser-serve.log) ---" >&2
    tail -n 40 "$T/serve.log" >&2
fi
exit "$rc"
