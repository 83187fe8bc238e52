#!/usr/bin/env bash
# `make bench`: every benchmark, one after the other. Figures are printed, never asserted.
#   bench/bench_risk.sh        the in-process risk check (target: median <= 1 us)
#   bench/http_choice/run.sh   libwebsockets vs civetweb on a tiny JSON answer (wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
echo "== risk check"
BUILD_DIR=$build bash bench/bench_risk.sh
echo "== http library choice"
bash bench/http_choice/run.sh
BUILD_DIR=$build bash bench/orders/run.sh
BUILD_DIR=$build bash bench/stream/run.sh
BUILD_DIR=$build bash bench/stream/sim.sh
BUILD_DIR=$build bash bench/ingest/run.sh
BUILD_DIR=$build bash bench/ingest/feed.sh
