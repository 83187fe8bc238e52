#!/usr/bin/env bash
# Fails when a C source uses a banned function (CONVENTIONS.md "Strings and buffers").
# A header-based ban (git's banned.h) would need to be included after every system
# header; a lint over the sources is simpler and catches the same mistakes.
#
# Usage: check-banned.sh [ROOT]   (ROOT: the repository, default .)
# Scans ROOT/src (required, with C files), ROOT/tests, ROOT/bench and ROOT/fuzz.
# Exit 0: no banned call; 1: banned calls (listed), or nothing to scan: a lint that
# finds no files would pass on a wrong path, so that is an error too.
set -u
root=${1:-.}
pattern='\b(strcpy|strcat|strncpy|sprintf|vsprintf|gets)\s*\('

fail() {
    echo "check-banned: $*" >&2
    exit 1
}

[ -d "$root" ] || fail "no such directory: '$root'"
[ -d "$root/src" ] || fail "no source directory '$root/src' (give the repository's root)"
dirs=()
for d in src tests bench fuzz; do
    [ -d "$root/$d" ] && dirs+=("$root/$d")
done
nfiles=$(find "${dirs[@]}" -type f \( -name '*.c' -o -name '*.h' \) | wc -l)
nsrc=$(find "$root/src" -type f -name '*.c' | wc -l)
[ "$nsrc" -gt 0 ] || fail "no C files under '$root/src'"

# The pattern itself must tell banned calls from their safe neighbours; if an edit
# breaks it, the lint would pass everything.
printf '%s\n' 'strcpy(d, s);' 'n = sprintf (b, "x");' 'snprintf(b, n, "x"); strcat(b, s);' |
    grep -cE "$pattern" | grep -qx 3 || fail "the pattern misses a banned call"
printf '%s\n' 'snprintf(b, n, "x");' 'vsnprintf(b, n, f, ap);' 'fgets(b, n, f);' 'printf("x");' \
    'fprintf(f, "x");' 'my_strcpy_s(d);' |
    grep -qE "$pattern" && fail "the pattern flags a safe call"

hits=$(grep -rnE "$pattern" "${dirs[@]}" --include='*.c' --include='*.h')
status=$?
[ "$status" -le 1 ] || fail "grep failed (status $status)"
if [ -n "$hits" ]; then
    echo "banned functions used (use snprintf or struct ts_buf):"
    echo "$hits"
    exit 1
fi
echo "no banned functions in $nfiles C files"
