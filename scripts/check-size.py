#!/usr/bin/env python3
"""Sizes a reader holds in their head (ctest lint/size; docs/development.md "Layers").

Fails on a .c file of src/ over 800 lines, and on a function over 80 lines unless the
comment just above it says "kept whole on purpose" (one flat table or switch).
A function is what the project's format writes: a line '{' alone after its
signature, to the next line '}' alone.

Usage: check-size.py SOURCE_DIR. Exit 1 with one line per violation.
"""
import os
import sys

MAX_FILE, MAX_FUNC = 800, 80
EXEMPT = 'kept whole on purpose'


def check(path, rel):
    bad = []
    with open(path, errors='replace') as f:
        lines = f.read().split('\n')
    if len(lines) - 1 > MAX_FILE:
        bad.append(f'{rel}: {len(lines) - 1} lines (at most {MAX_FILE}: split it by job)')
    i = 0
    while i < len(lines):
        if lines[i] == '{' and i > 0:
            j = i + 1
            while j < len(lines) and lines[j] != '}':
                j += 1
            n = j - i + 1
            k = i - 1
            while k > 0 and '(' not in lines[k]:
                k -= 1
            above = '\n'.join(lines[max(0, k - 4):k])
            if n > MAX_FUNC and EXEMPT not in above:
                name = lines[k].strip()[:60]
                bad.append(f'{rel}:{k + 1}: a function of {n} lines (at most {MAX_FUNC}): {name}')
            i = j
        i += 1
    return bad


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    src, bad, n = sys.argv[1], [], 0
    for dirpath, _, files in os.walk(src):
        for name in sorted(files):
            if name.endswith('.c'):
                n += 1
                path = os.path.join(dirpath, name)
                bad += check(path, 'src/' + os.path.relpath(path, src))
    if n == 0:
        print(f'{src}: no C files', file=sys.stderr)
        return 1
    for b in bad:
        print(b)
    if bad:
        return 1
    print(f'size: {n} files, none over {MAX_FILE} lines, no function over {MAX_FUNC}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
