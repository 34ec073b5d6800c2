"""Shared runner for the tagged-template and driver client tests."""
from __future__ import annotations

import textwrap

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile

PATH = "services/ledger/src/a.ts"


def run(code: str, path: str = PATH):
    return ts.extract(SourceFile(path, "ledger", Language.TYPESCRIPT), textwrap.dedent(code), ExtractConfig())


def accesses(code: str, path: str = PATH) -> list[tuple]:
    """(line, col, relation, kind, via, operation), in source order."""
    return sorted((a.location.line, a.location.col, a.ref.display(), a.kind.value, a.via, a.operation)
                  for a in run(code, path).accesses)


def problems(code: str, path: str = PATH) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col, p.message) for p in run(code, path).problems]
