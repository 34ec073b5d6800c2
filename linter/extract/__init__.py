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
)


@lru_cache(maxsize=None)
def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name == name:  # an extractor not written yet; its files are simply not analysed
            return None
        raise


def loaded_extractors() -> tuple[ModuleType, ...]:
    return tuple(m for m in (_module(n) for n in EXTRACTORS) if m is not None and hasattr(m, "handles"))


def extractor_for(path: str) -> ModuleType | None:
    for ext in loaded_extractors():
        if ext.handles(path):
            return ext
    return None
