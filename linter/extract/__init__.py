"""Extractors: per-file, per-language, pure functions from text to facts.

``EXTRACTORS`` is the explicit list, each with the file suffixes it may claim
(None: any name). The first module whose ``handles(path)`` is true analyses
the file. A module is imported only when a path with one of its suffixes is
seen, so ``hos-lint --version`` and a pre-commit run on three TypeScript
files never pay for libcst.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

EXTRACTORS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("linter.extract.prisma", (".prisma",)),
    ("linter.extract.typescript", (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")),
    ("linter.extract.sql", (".sql",)),
    ("linter.extract.shell", (".sh", ".bash")),
    ("linter.extract.python", (".py",)),
    # last: other extractors keep odd names such as `.env.ts`; claims names, not suffixes
    ("linter.extract.config_files", None),
)


@lru_cache(maxsize=None)
def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def loaded_extractors() -> tuple[ModuleType, ...]:
    """Every extractor module, imported (before forking workers, so they inherit them)."""
    return tuple(_module(name) for name, _ in EXTRACTORS)


@lru_cache(maxsize=4096)
def extractor_for(path: str) -> ModuleType | None:
    lowered = path.lower()
    for name, suffixes in EXTRACTORS:
        if suffixes is not None and not lowered.endswith(suffixes):
            continue
        module = _module(name)
        if module.handles(path):
            return module
    return None
