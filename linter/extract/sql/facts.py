"""The records one ``extract_sql`` call works with: what is fixed for the
call (``Ctx``), what it accumulates (``Sink``), and the facts of one
statement before they become model records (``Name``, ``Hit``,
``Definition``, ``StmtFacts``). Data only; ``records`` turns them into
``Access``/``RelationDef``/``Problem`` records.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from hos_lint.embedded import Origin
from hos_lint.model import Access, AccessKind, Anchor, Grant, Problem, RelationDef, RelationKind, Via


@dataclass(frozen=True, slots=True)
class SqlResult:
    accesses: tuple[Access, ...] = ()
    relation_defs: tuple[RelationDef, ...] = ()
    grants: tuple[Grant, ...] = ()
    problems: tuple[Problem, ...] = ()
    # (start, end) offsets in the SQL text of every comment the splitter saw;
    # a host whose SQL *is* its text (a .sql file, a psql heredoc) hands them on
    comments: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Ctx:
    """Everything fixed for one extract_sql call."""

    origin: Origin
    path: str
    service: str | None
    via: Via
    anchor: Anchor | None
    placeholders: frozenset[str]


@dataclass(slots=True)
class Sink:
    """Mutable accumulator for one extract_sql call (never leaves this package)."""

    accesses: list[Access] = field(default_factory=list)
    defs: list[RelationDef] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    search_path: tuple[str, ...] = ()

    def fact_count(self) -> int:
        return len(self.accesses) + len(self.defs) + len(self.grants)


@dataclass(frozen=True, slots=True)
class Name:
    """A relation name as written: its parts and where it starts in the
    statement. ``dynamic`` is the offset of a bind marker standing in a name
    part (HOS205), else None."""

    name: str
    schema: str | None
    quoted: bool
    offset: int
    dynamic: int | None = None


# A bind marker inside a name part (``orders_$1``, ``"$1"``).
MARKER_IN_NAME = re.compile(r"\$\d+")


@dataclass(frozen=True, slots=True)
class Hit:
    """One classified relation reference inside a statement."""

    name: Name
    kind: AccessKind
    operation: str
    referrer: Name | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    """A relation a statement defines: its name, kind and the statement form
    (``CREATE VIEW``)."""

    name: Name
    kind: RelationKind
    what: str


class StmtFacts:
    """Facts of one statement, collected before they are turned into records."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.defs: list[Definition] = []

    def define(self, name: Name | None, kind: RelationKind, what: str) -> None:
        """Note a definition of ``name``, unless it is missing or built from a
        bind marker (no relation can be known for it)."""
        if name is not None and name.dynamic is None:
            self.defs.append(Definition(name, kind, what))
