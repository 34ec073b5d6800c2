"""Extractors: per-file, per-language, pure functions from text to facts.

``EXTRACTORS`` is the explicit list of ``ExtractorSpec`` records: the module,
its language, the file suffixes it claims (None: it decides by name) and the
suffixes it refuses. The first module that claims a path analyses it;
``handles(path)`` in each module says the same thing, and a test keeps the
two in agreement. Modules are imported only when a file actually has to be
extracted, so a warm (cached) run or a pre-commit run on three TypeScript
files never pays for libcst or sqlglot.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache, lru_cache
from types import ModuleType

from hos_lint.model import Language


@dataclass(frozen=True, slots=True)
class ExtractorSpec:
    """One extractor of the registry, described without importing it."""

    module: str  # dotted name, imported on first use
    language: Language
    suffixes: tuple[str, ...] | None  # lower-case suffixes claimed; None: the module's ``handles`` decides
    refused: tuple[str, ...] = ()  # suffixes not claimed although a claimed one matches (``.d.ts``)
    claims: str | None = None  # without suffixes: the light module whose ``handles`` decides (else ``module``'s)


EXTRACTORS: tuple[ExtractorSpec, ...] = (
    ExtractorSpec("hos_lint.extract.prisma", Language.PRISMA, (".prisma",)),
    ExtractorSpec("hos_lint.extract.typescript", Language.TYPESCRIPT,
                  (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts"), (".d.ts", ".d.mts", ".d.cts")),
    ExtractorSpec("hos_lint.extract.sql", Language.SQL, (".sql",)),
    ExtractorSpec("hos_lint.extract.shell", Language.SHELL, (".sh", ".bash")),
    ExtractorSpec("hos_lint.extract.python", Language.PYTHON, (".py",)),
    # last: other extractors keep odd names such as `.env.ts`; it claims by name (``config_kinds``)
    ExtractorSpec("hos_lint.extract.config_files", Language.CONFIG, None, claims="hos_lint.extract.config_kinds"),
)


@cache
def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def loaded_extractors() -> tuple[ModuleType, ...]:
    """Every extractor module, imported (before forking workers, so they inherit them)."""
    return tuple(_module(spec.module) for spec in EXTRACTORS)


@lru_cache(maxsize=8192)
def _claim(path: str) -> ExtractorSpec | None:
    lowered = path.lower()
    for spec in EXTRACTORS:
        if spec.suffixes is None:
            if _module(spec.claims or spec.module).handles(path):
                return spec
        elif lowered.endswith(spec.suffixes) and not lowered.endswith(spec.refused):
            return spec
    return None


def language_for(path: str) -> Language | None:
    """The language of the extractor that claims a path, without importing heavy parsers."""
    spec = _claim(path)
    return spec.language if spec else None


def extractor_for(path: str) -> ModuleType | None:
    spec = _claim(path)
    return _module(spec.module) if spec else None
