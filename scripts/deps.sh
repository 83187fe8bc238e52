#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the program and the tests need.
# Idempotent: asks apt-get only for what is missing, and only then updates the
# package lists. Needs root (or sudo) when something is missing.
set -euo pipefail

pkgs=(
    build-essential cmake pkg-config
    postgresql-15 postgresql-client-15 libpq-dev
    libwebsockets-dev libjson-c-dev libcmocka-dev libzstd-dev libsodium-dev
    curl ca-certificates procps
)
if [ "${1:-}" = "--bench" ]; then
    pkgs+=(wrk libcivetweb-dev python3)
fi
if [ "${1:-}" = "--test" ]; then
    pkgs+=(chromium) # the dashboard's end-to-end test (npm playwright-core drives it)
    pkgs+=(python3 clang-format) # lint/layers (scripts/check-layers.py), lint/format
    pkgs+=(openssl)              # cli/test_tls makes its certificate
fi
# Node.js runs the stream tests (and builds the dashboard): Debian's, unless one is installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    pkgs+=(nodejs npm)
fi

# The npm packages of package-lock.json, when they are not installed yet or changed.
npm_packages() {
    local root
    root=$(cd "$(dirname "$0")/.." && pwd)
    if [ ! -f "$root/node_modules/.package-lock.json" ] ||
        [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
        echo "deps: npm ci"
        (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && { npm_packages; exit 0; }

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# Installing postgresql-15 must not start Debian's own cluster on port 5432: we run our own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
npm_packages
