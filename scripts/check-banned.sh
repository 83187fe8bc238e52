#!/usr/bin/env bash
# Fails when a C source uses a banned function (CONVENTIONS.md "Strings and buffers").
# A header-based ban (git's banned.h) would need to be included after every system
# header; a lint over the sources is simpler and catches the same mistakes.
set -u
root=${1:-.}
hits=$(grep -rnE '\b(strcpy|strcat|strncpy|sprintf|vsprintf|gets)\s*\(' \
        "$root/src" "$root/tests" "$root/bench" "$root/fuzz" --include='*.c' --include='*.h' 2>/dev/null \
       | grep -vE '\b(snprintf|vsnprintf)\b' || true)
# snprintf lines may also contain a banned call: re-check them precisely.
hits2=$(grep -rnE '(^|[^n])\b(sprintf|vsprintf)\s*\(' "$root/src" "$root/tests" "$root/bench" "$root/fuzz" \
        --include='*.c' --include='*.h' 2>/dev/null || true)
all=$(printf '%s\n%s\n' "$hits" "$hits2" | sort -u | sed '/^$/d')
if [ -n "$all" ]; then
    echo "banned functions used (use snprintf or struct ts_buf):"
    echo "$all"
    exit 1
fi
echo "no banned functions"
