#!/usr/bin/env python3
"""Enforces src/LAYERS (ctest lint/layers; docs/development.md "Layers").

1. Every #include "dir/x.h" under src/ goes to the file's own folder or to a folder
   its folder may include; a folder's internal.h is included only from that folder.
2. Library headers named in LAYERS (libpq, libwebsockets, json-c, zstd) are included
   only where LAYERS says.
3. With a build directory: no cycle between the .c files of src/ through the
   functions they call (read from the objects with nm: a.c calls b.c and b.c calls
   a.c, directly or around a longer loop, is a cycle).

Usage: check-layers.py SOURCE_DIR [BUILD_DIR]. Exit 1 with one line per violation.
"""
import os
import re
import subprocess
import sys


def read_layers(path):
    allowed, libs = {}, {}
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.startswith('lib '):
                name, where = line[4:].split(':', 1)
                libs[name.strip()] = where.split()
            else:
                folder, deps = line.split(':', 1)
                allowed[folder.strip()] = set(deps.split())
    return allowed, libs


def sources(src):
    for dirpath, _, files in os.walk(src):
        for name in sorted(files):
            if name.endswith(('.c', '.h')):
                yield os.path.relpath(os.path.join(dirpath, name), src)


INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def check_includes(src, allowed, libs):
    bad = []
    for rel in sources(src):
        folder = rel.split(os.sep)[0]
        if folder not in allowed:
            bad.append(f'{rel}: folder {folder!r} is not in src/LAYERS')
            continue
        with open(os.path.join(src, rel), errors='replace') as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, target = m.groups()
                where = f'src/{rel}:{n}'
                if kind == '"':
                    tfolder = target.split('/')[0]
                    if '/' not in target or tfolder not in allowed:
                        bad.append(f'{where}: includes "{target}", not a header of a layer')
                    elif tfolder != folder and tfolder not in allowed[folder]:
                        bad.append(f'{where}: {folder} -> {tfolder} is not an allowed arrow '
                                   f'("{target}"; see src/LAYERS)')
                    elif target.endswith('/internal.h') and tfolder != folder:
                        bad.append(f'{where}: "{target}" is internal to {tfolder}/')
                elif target in libs:
                    ok = any(rel == w or folder == w for w in libs[target])
                    if not ok:
                        bad.append(f'{where}: <{target}> belongs to {", ".join(libs[target])} '
                                   f'(src/LAYERS)')
    return bad


def objects(src, build):
    """(node name, object path) of the object of every .c file of src/ in build
    (objects left behind by a file that was moved or removed are not counted)."""
    for dirpath, _, files in os.walk(build):
        if '/CMakeFiles/' not in dirpath or '/src/' not in dirpath + '/':
            continue
        for name in files:
            if name.endswith('.c.o'):
                path = os.path.join(dirpath, name)
                rel = path.split('/src/', 1)[1][:-2]  # folder/file.c
                if os.path.isfile(os.path.join(src, rel)):
                    yield 'src/' + rel, path


def symbols(path):
    out = subprocess.run(['nm', '-g', path], capture_output=True, text=True, check=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == 'U':
            used.add(parts[1])
        elif len(parts) == 3 and parts[1] in 'TDBRVW':
            defined.add(parts[2])
    return defined, used


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check_cycles(src, build):
    objs = dict(objects(src, build))
    if not objs:
        return [f'{build}: no objects of src/ found (build first)']
    owner, uses = {}, {}
    for node, path in objs.items():
        defined, used = symbols(path)
        for s in defined:
            owner[s] = node
        uses[node] = used
    graph = {n: sorted({owner[s] for s in u if s in owner and owner[s] != n})
             for n, u in uses.items()}
    bad = []
    for comp in cycles(graph):
        edges = [f'{a} -> {b}' for a in comp for b in graph[a] if b in comp]
        bad.append('call cycle between ' + ', '.join(comp) + ' (' + '; '.join(edges) + ')')
    return bad


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    src = sys.argv[1]
    layers = os.path.join(src, 'LAYERS')
    if not os.path.isfile(layers):
        print(f'{layers}: missing', file=sys.stderr)
        return 1
    allowed, libs = read_layers(layers)
    n = sum(1 for _ in sources(src))
    if n == 0:
        print(f'{src}: no C files', file=sys.stderr)
        return 1
    bad = check_includes(src, allowed, libs)
    if len(sys.argv) == 3:
        bad += check_cycles(src, sys.argv[2])
    for b in bad:
        print(b)
    if bad:
        return 1
    print(f'layers: {n} files follow src/LAYERS' + (', no call cycle' if len(sys.argv) == 3 else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
