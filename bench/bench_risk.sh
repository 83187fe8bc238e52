#!/usr/bin/env bash
# bench_risk.sh - builds bench/bench_risk.c and runs it: the pre-trade risk check alone, in
# process (order-manager issue, benchmark (c); target median <= 1 us per call).
#
# Builds with gcc directly from the sources (-O2, asserts on as in every build), so it needs no
# CMake tree; BUILD_DIR=/path uses that tree's libts_domain.a and libts_core.a instead.
# Does not: run the HTTP or SQL benchmarks (the OMS bench script does), or fail on a slow figure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/bench_risk.$$
trap 'rm -f "$out"' EXIT

cc=${CC:-gcc}
flags=(-std=c17 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Werror -I"$root/src")
if [ -n "${BUILD_DIR:-}" ]; then
    "$cc" "${flags[@]}" "$root/bench/bench_risk.c" \
        "$BUILD_DIR/libts_domain.a" "$BUILD_DIR/libts_core.a" -lpthread -o "$out"
else
    "$cc" "${flags[@]}" "$root/bench/bench_risk.c" "$root"/src/domain/*.c "$root"/src/core/*.c \
        -lpthread -o "$out"
fi
echo "$("$cc" --version | head -1); $(uname -m); $(nproc) cpus"
"$out"
