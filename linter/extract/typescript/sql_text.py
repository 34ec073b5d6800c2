"""SQL text handed to a builder or tagged-template library: the literal goes
to ``extract_sql`` with an origin map back to this file, interpolations the
library can read substituted, and SQL built at run time reported (HOS205).

An interpolation a library knows is either an identifier it writes itself
(postgres.js ``${sql('payment_service.payments')}``, slonik
``${sql.identifier(['s', 't'])}``: the quoted name is substituted) or a table
object resolved late (Drizzle ``${payments}``: a marker name is substituted,
and the relation the SQL gives it becomes a reference to the table object).
Any other interpolation is a bind parameter, and one in a relation-name
position is HOS205 (``extract_sql``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hos_lint.embedded import Origin, looks_like_sql
from hos_lint.extract.typescript.literals import sql_literal
from hos_lint.extract.typescript.sites import FileFacts
from hos_lint.extract.typescript.tree import anchor_node
from hos_lint.model import Access, RelationRef, Via

if TYPE_CHECKING:
    from tree_sitter import Node

_MARKER = "hos_orm_table__"  # + index: stands for a table object inside the SQL text


@dataclass(frozen=True, slots=True)
class Interpolation:
    """What an interpolated expression is: ``identifier`` (SQL text of a quoted
    name) or ``orm_class`` (a table object), mapped to host offset ``at``."""

    at: int
    identifier: str | None = None
    orm_class: str | None = None


Known = Callable[["Node"], Interpolation | None]
# A library's own placeholder syntax turned into bind markers before parsing:
# (text, origin, placeholders) -> the same, rewritten.
Rewrite = Callable[[str, Origin, frozenset[str]], tuple[str, Origin, frozenset[str]]]


def quote_identifier(parts: list[str]) -> str:
    """``"s"."t"`` for ``['s', 't']`` (double quotes doubled inside)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def analyse(call: Node, arg: Node, facts: FileFacts, *, via: Via, require_sql: bool,
            dynamic: str | None = None, known: Known | None = None, rewrite: Rewrite | None = None) -> bool:
    """Extract the SQL of ``arg`` (a literal) anchored at ``call``'s statement.

    A non-literal ``arg`` is HOS205 at ``call`` when ``dynamic`` names the
    method it was passed to. Returns False when ``arg`` is not a literal.
    """
    tables: list[str] = []

    def substitute(expression: Node) -> tuple[str, int] | None:
        found = known(expression) if known is not None else None
        if found is None:
            return None
        if found.orm_class is not None:
            tables.append(found.orm_class)
            return f"{_MARKER}{len(tables) - 1}", found.at
        return (found.identifier, found.at) if found.identifier is not None else None

    literal = sql_literal(arg, facts.host, substitute)
    if literal is None:
        if dynamic is not None:
            dynamic_sql(call, dynamic, facts)
        return False
    text, origin, placeholders = literal if rewrite is None else rewrite(*literal)
    if (require_sql and not looks_like_sql(text)) or not facts.parse_sql:
        return True
    # imported here: files without embedded SQL never pay for loading sqlglot
    from hos_lint.extract.sql import extract_sql

    result = extract_sql(
        text, origin, path=facts.src.path, service=facts.src.service, via=via,
        anchor=facts.host.anchor(anchor_node(call)), placeholders=placeholders,
    )
    facts.accesses.extend(_table_object(access, tables) for access in result.accesses)
    facts.relation_defs.extend(d for d in result.relation_defs if _marker_index(d.ref, tables) is None)
    facts.grants.extend(result.grants)
    facts.problems.extend(result.problems)
    return True


def _marker_index(ref: RelationRef, tables: list[str]) -> int | None:
    """The index in ``tables`` of the table object ``ref`` stands for, when it
    is a marker substituted here (a name written so in the SQL itself is not)."""
    if ref.schema is None and ref.name.startswith(_MARKER) and ref.name[len(_MARKER):].isdigit():
        index = int(ref.name[len(_MARKER):])
        return index if index < len(tables) else None
    return None


def _table_object(access: Access, tables: list[str]) -> Access:
    """An access of a marker name is an access of the table object it stands for."""
    index = _marker_index(access.ref, tables)
    if index is None:
        return access
    return replace(access, ref=RelationRef(orm_class=tables[index]))


def dynamic_sql(call: Node, shown: str, facts: FileFacts, what: str = "SQL passed to") -> None:
    """HOS205 at ``call``: ``<what> <shown> is built at run time``."""
    facts.add_run_time(call, f"{what} {shown} is built at run time; its relations cannot be known statically", call)
