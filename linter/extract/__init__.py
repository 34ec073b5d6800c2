"""Extractors: per-file, per-language, pure functions from text to facts.

``EXTRACTORS`` is the explicit list; the first whose ``handles(path)`` is true
analyses the file. Modules are imported on first use so that ``hos-lint
--version`` and small runs do not pay for sqlglot, libcst and tree-sitter.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

EXTRACTORS: tuple[str, ...] = (
    "linter.extract.prisma",
    "linter.extract.typescript",
    "linter.extract.sql",
    "linter.extract.shell",
    "linter.extract.python",
    "linter.extract.config_files",  # last: other extractors keep odd names such as `.env.ts`
)


@lru_cache(maxsize=1)
def loaded_extractors() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(name) for name in EXTRACTORS)


def extractor_for(path: str) -> ModuleType | None:
    for ext in loaded_extractors():
        if ext.handles(path):
            return ext
    return None
