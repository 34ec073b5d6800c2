"""What the walker hands a library's knowledge, and what that knowledge declares.

The walker knows TypeScript, not libraries: at every call it hands a
``CallSite`` to each registered ``Knowledge``'s ``recognise``, and at every
class a ``ClassSite`` to its ``recognise_class`` (entities and models are
decorated or derived classes, not calls); they add the facts they read there
to ``FileFacts``. A new ORM or driver is one module that
builds a ``Knowledge`` (its recogniser, the bytes that let a file past the
prefilter, and examples of the calls it recognises) and one line in
``LIBRARIES`` (``linter.extract.typescript``); the walker does not change.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hos_lint.extract.base import HostText
from hos_lint.extract.typescript.imports import Origins
from hos_lint.extract.typescript.prisma_clients import Clients
from hos_lint.extract.typescript.scopes import Scope
from hos_lint.extract.typescript.tree import anchor_node
from hos_lint.model import (
    Access,
    AccessKind,
    ClientClass,
    Comment,
    ExtractResult,
    Grant,
    Location,
    OrmModel,
    Problem,
    RelationDef,
    RelationRef,
    SourceFile,
    Via,
)

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.sql import SqlResult


@dataclass(frozen=True, slots=True)
class CallSite:
    """One call the walker met, in the scope it was met in: ``function(…)``, a
    tagged template ``function`…``` (then ``arguments`` is the template), or
    for ``recognise_new`` a construction ``new function(…)``."""

    call: Node
    function: Node
    arguments: Node | None
    scope: Scope


@dataclass(frozen=True, slots=True)
class ClassSite:
    """One class the walker met: the declaration, its name (None for an anonymous
    class expression), its decorators (those before ``export`` included), what
    it ``extends`` (the heritage value and its type arguments) and the scope it
    is declared in."""

    node: Node
    name: Node | None
    decorators: tuple[Node, ...]
    extends: Node | None
    type_arguments: Node | None
    scope: Scope


class FileFacts:
    """One file's walk: what recognisers read (source, host text, clients, the
    origins of names and expressions, whether embedded SQL is parsed) and the
    facts they and the walker add.

    ``origins.of(node, site.scope)`` says where a receiver comes from
    (``Origin``: the module and export, then the calls/members applied), so a
    library recognises its own values by their import or factory call, never
    by their name alone.
    """

    def __init__(self, src: SourceFile, host: HostText, clients: Clients, *, parse_sql: bool) -> None:
        self.src = src
        self.host = host
        self.clients = clients
        self.origins = Origins(host)
        self.parse_sql = parse_sql
        self.accesses: list[Access] = []
        self.relation_defs: list[RelationDef] = []
        self.grants: list[Grant] = []
        self.client_classes: list[ClientClass] = []
        self.orm_models: list[OrmModel] = []
        self.problems: list[Problem] = []

    def location(self, node: Node) -> Location:
        return self.host.location(self.src.path, node)

    def add_run_time(self, at: Node, message: str, call: Node) -> None:
        """HOS205 at ``at``, anchored at ``call``'s statement: what it names is known only at run time."""
        self.problems.append(Problem(
            code="HOS205",
            location=self.location(at),
            message=message,
            service=self.src.service,
            anchor=self.host.anchor(anchor_node(call)),
        ))

    def add_access(self, location: Location, ref: RelationRef, kind: AccessKind, *, via: Via, operation: str,
                   call: Node, referrer: RelationRef | None = None) -> None:
        """An access at ``location``, anchored at ``call``'s statement."""
        self.accesses.append(Access(
            service=self.src.service,
            location=location,
            ref=ref,
            kind=kind,
            via=via,
            operation=operation,
            anchor=self.host.anchor(anchor_node(call)),
            referrer_ref=referrer,
        ))

    def add_embedded(self, result: SqlResult) -> None:
        """The facts of SQL embedded in this file."""
        self.accesses.extend(result.accesses)
        self.relation_defs.extend(result.relation_defs)
        self.grants.extend(result.grants)
        self.problems.extend(result.problems)

    def result(self, comments: tuple[Comment, ...]) -> ExtractResult:
        return ExtractResult(
            path=self.src.path,
            service=self.src.service,
            accesses=tuple(self.accesses),
            relation_defs=tuple(self.relation_defs),
            grants=tuple(self.grants),
            client_classes=tuple(self.client_classes),
            orm_models=tuple(self.orm_models),
            problems=tuple(self.problems),
            comments=comments,
        )


Recogniser = Callable[[CallSite, FileFacts], None]
ClassRecogniser = Callable[[ClassSite, FileFacts], None]


@dataclass(frozen=True, slots=True)
class Knowledge:
    """One library's call-site knowledge.

    ``triggers``: byte strings of which every file holding a call ``recognise``
    reads contains at least one (the prefilter is their union, so a pattern
    cannot be added without its trigger). ``examples``: one snippet per kind of
    call or class recognised, each yielding a fact when ``db`` is a configured
    client (a test runs them through the extractor and the prefilter).
    ``recognise_class``: what the library reads at a class declaration;
    ``recognise_new``: at a ``new X(…)`` expression (entity schemas).

    ``calls``: when set, ``recognise`` adds nothing at a call whose called
    member (``x.<name>(…)``, the tag's ``x.<name>`…```) is not named one of
    them, in a file holding none of ``calls_unless`` (Drizzle's package name:
    its imports make any call a candidate). The walker then skips the parts
    of a file where none of those names occurs (``walker``); None: any call
    may matter, nothing is skipped while the library is asked.
    """

    name: str
    recognise: Recogniser
    triggers: frozenset[bytes]
    examples: tuple[str, ...]
    recognise_class: ClassRecogniser | None = None
    recognise_new: Recogniser | None = None
    calls: frozenset[str] | None = None
    calls_unless: tuple[bytes, ...] = ()
