"""Extractors: per-file, per-language, pure functions from text to facts.

``EXTRACTORS`` is the explicit list: module, the file suffixes it claims (None:
it decides by name), the suffixes it refuses, and its language. The first
module that claims a path analyses it; ``handles(path)`` in each module says
the same thing, and a test keeps the two in agreement. Modules are imported
only when a file actually has to be extracted, so a warm (cached) run or a
pre-commit run on three TypeScript files never pays for libcst or sqlglot.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

from linter.model import Language

EXTRACTORS: tuple[tuple[str, tuple[str, ...] | None, tuple[str, ...], Language], ...] = (
    ("linter.extract.prisma", (".prisma",), (), Language.PRISMA),
    ("linter.extract.typescript", (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"),
     (".d.ts", ".d.mts", ".d.cts"), Language.TYPESCRIPT),
    ("linter.extract.sql", (".sql",), (), Language.SQL),
    ("linter.extract.shell", (".sh", ".bash"), (), Language.SHELL),
    ("linter.extract.python", (".py",), (), Language.PYTHON),
    # last: other extractors keep odd names such as `.env.ts`; it claims by name, and is light to import
    ("linter.extract.config_files", None, (), Language.CONFIG),
)


@lru_cache(maxsize=None)
def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def loaded_extractors() -> tuple[ModuleType, ...]:
    """Every extractor module, imported (before forking workers, so they inherit them)."""
    return tuple(_module(name) for name, *_ in EXTRACTORS)


@lru_cache(maxsize=8192)
def _claim(path: str) -> str | None:
    lowered = path.lower()
    for name, suffixes, refused, _ in EXTRACTORS:
        if suffixes is None:
            if _module(name).handles(path):
                return name
        elif lowered.endswith(suffixes) and not lowered.endswith(refused or ("\0",)):
            return name
    return None


def language_for(path: str) -> Language | None:
    """The language of the extractor that claims a path, without importing heavy parsers."""
    name = _claim(path)
    return next(lang for n, *_, lang in EXTRACTORS if n == name) if name else None


def extractor_for(path: str) -> ModuleType | None:
    name = _claim(path)
    return _module(name) if name else None
