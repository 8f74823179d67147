#!/usr/bin/env bash
# Installs the Debian packages kesu needs to build, run and test; only what is missing.
# Idempotent: a second run with everything present calls no apt-get at all.
set -euo pipefail

pkgs=(
    build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
    libsqlite3-dev sqlite3 libyaml-dev libjansson-dev libmicrohttpd-dev libsodium-dev
    libcurl4-openssl-dev libcmocka-dev libpq-dev libxlsxwriter-dev
    tzdata curl jq unzip postgresql postgresql-contrib
    chromium fonts-noto-cjk
)
# Node.js may come from elsewhere (a vendor build whose nodejs package includes npm and
# conflicts with Debian's npm): ask for Debian's only when the commands are missing.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
if [ "${KS_DEPS_EXTRA:-}" != "" ]; then
    read -r -a extra <<<"$KS_DEPS_EXTRA"
    pkgs+=("${extra[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
