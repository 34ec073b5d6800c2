"""The floor: read every TS/JS file under a folder and parse it with tree-sitter.

    .venv/bin/python bench/floor.py ROOT

Nothing else: no prefilter, no walk over the tree, no output beyond a count on
stderr. hos-lint cannot analyse TypeScript for less than this, so
``bench/bench.py`` states its run times as multiples of this script's CPU
time on the same tree. Folders named ``node_modules`` and folders whose name
starts with a dot are not entered (hos-lint does not enter them either);
symbolic links are not followed.
"""
from __future__ import annotations

import os
import sys

TS_SUFFIXES = (".ts", ".mts", ".cts")
TSX_SUFFIXES = (".tsx", ".jsx")
JS_SUFFIXES = (".js", ".mjs", ".cjs")


def source_files(root: str) -> list[str]:
    """Every TS/JS file under ``root``, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "node_modules" and not d.startswith(".")]
        for name in files:
            if name.lower().endswith(TS_SUFFIXES + TSX_SUFFIXES + JS_SUFFIXES):
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    found.append(path)
    return sorted(found)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: floor.py ROOT", file=sys.stderr)
        return 2
    import tree_sitter_typescript as tsts
    from tree_sitter import Language, Parser

    parsers = {False: Parser(Language(tsts.language_typescript())), True: Parser(Language(tsts.language_tsx()))}
    count = size = 0
    for path in source_files(argv[0]):
        with open(path, "rb") as fh:
            data = fh.read()
        parsers[path.lower().endswith(TSX_SUFFIXES)].parse(data)
        count += 1
        size += len(data)
    print(f"floor: parsed {count} files, {size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
