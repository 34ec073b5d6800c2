"""SQL extraction on sqlglot (PostgreSQL dialect). INTERFACE STUB: being implemented."""
from __future__ import annotations

from dataclasses import dataclass

from linter.embedded import Origin
from linter.model import Access, Anchor, Grant, Problem, RelationDef


@dataclass(frozen=True, slots=True)
class SqlResult:
    accesses: tuple[Access, ...] = ()
    relation_defs: tuple[RelationDef, ...] = ()
    grants: tuple[Grant, ...] = ()
    problems: tuple[Problem, ...] = ()


def extract_sql(
    text: str,
    origin: Origin,
    *,
    path: str,
    service: str | None,
    via: str = "sql",
    anchor: Anchor | None = None,
    placeholders: frozenset[str] = frozenset(),
) -> SqlResult:
    """Every access, relation definition, grant and problem in one SQL text.

    ``origin`` maps offsets in ``text`` to host line:col. ``anchor`` (the host
    call) replaces per-statement anchors for embedded SQL. ``placeholders`` are
    the bind markers the host substituted for interpolations (``$1``...): one in
    an identifier position is HOS205 at its host position.
    """
    return SqlResult()
