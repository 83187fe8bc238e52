#!/usr/bin/env bash
# Fails when a tracked C file does not follow .clang-format (ctest lint/format;
# `make format` fixes them). clang-format 14 (Debian 12), as CONVENTIONS.md says.
set -uo pipefail
root=${1:-.}
command -v clang-format >/dev/null || { echo "clang-format not found: run make deps" >&2; exit 1; }
mapfile -t files < <(git -C "$root" ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 'fuzz/*.c')
[ ${#files[@]} -gt 0 ] || { echo "$root: no tracked C files" >&2; exit 1; }
bad=0
for f in "${files[@]}"; do
    if ! clang-format --dry-run --Werror "$root/$f" >/dev/null 2>&1; then
        echo "not formatted: $f (make format)"
        bad=$((bad + 1))
    fi
done
[ "$bad" -eq 0 ] || exit 1
echo "format: ${#files[@]} files follow .clang-format"
