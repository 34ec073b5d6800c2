"""The state of the main pass over one file: where it is (the ancestors of
the current node), what the pre-pass knows about names, and what it has found.
The ORM/driver modules read and record through it."""
from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from hos_lint.extract import sql as sql_extract
from hos_lint.extract.base import ExtractConfig
from hos_lint.extract.python.bindings import NO_BINDINGS, Binding, ClassInfo, Lookup
from hos_lint.extract.python.knowledge import Knowledge
from hos_lint.extract.python.positions import Host
from hos_lint.model import Access, AccessKind, Anchor, OrmModel, Problem, RelationRef, SourceFile, Via


class Scan:
    """One file's main pass: context for the current node, and its findings.

    ``stack`` holds the ancestors of (and including) the current node (the
    call being judged): the main pass sets it.
    """

    def __init__(self, src: SourceFile, host: Host, know: Knowledge, config: ExtractConfig) -> None:
        self.src = src
        self.host = host
        self.know = know
        self.config = config
        self.stack: list[cst.CSTNode] = []
        self.accesses: list[Access] = []
        self.problems: list[Problem] = []
        self.orm_models: list[OrmModel] = []
        self.sql_results: list[sql_extract.SqlResult] = []

    # what names hold here
    def lookup(self, name: str) -> Sequence[Binding]:
        """Bindings of ``name`` in the innermost enclosing function that binds it, else the module.

        ``self.X`` / ``cls.X`` / ``ClassName.X`` give the class-body bindings of
        ``X`` unless a method also assigns ``self.X``.
        """
        head, dot, attr = name.partition(".")
        if dot:
            return self.class_attribute(head, attr)
        scopes = self.know.collector.scopes
        for node in reversed(self.stack):
            if isinstance(node, cst.FunctionDef) and name in scopes[node]:
                return scopes[node][name]
        return self.know.module_scope.get(name, NO_BINDINGS)

    def class_attribute(self, head: str, attr: str) -> Sequence[Binding]:
        info = self.enclosing_class() if head in ("self", "cls") else self.know.collector.classes.get(head)
        if info is None or "." in attr or attr in info.self_attrs:
            return NO_BINDINGS
        return info.body.get(attr, NO_BINDINGS)

    def scope_lookup(self, scope: cst.CSTNode) -> Lookup:
        """Bindings as seen from inside the function ``scope`` (else the module's)."""
        scopes, module = self.know.collector.scopes, self.know.module_scope

        def lookup(name: str) -> Sequence[Binding]:
            own = scopes.get(scope, {}).get(name)
            return own if own else module.get(name, NO_BINDINGS)
        return lookup

    def enclosing_class(self) -> ClassInfo | None:
        for node in reversed(self.stack):
            if isinstance(node, cst.ClassDef):
                return self.know.collector.classes_by_node.get(node)
        return None

    # where the current node sits
    def anchor(self) -> Anchor:
        """The simple statement holding the current node, or the header part of
        the compound statement it sits in (an ``if`` test, a ``with`` item)."""
        below: cst.CSTNode = self.stack[-1]
        for node in reversed(self.stack):
            if isinstance(node, cst.SimpleStatementLine):
                return self.host.anchor(node)
            if isinstance(node, cst.BaseCompoundStatement):
                return self.host.anchor(below)
            below = node
        return self.host.anchor(self.stack[-1])

    def awaited(self) -> bool:
        return len(self.stack) > 1 and isinstance(self.stack[-2], cst.Await)

    # findings
    def access(self, node: cst.CSTNode, ref: RelationRef, kind: AccessKind, via: Via, operation: str) -> None:
        self.accesses.append(Access(
            service=self.src.service, location=self.host.location(self.src.path, node), ref=ref,
            kind=kind, via=via, operation=operation, anchor=self.anchor(),
        ))

    def dynamic(self, call: cst.Call, shown: str, why: str) -> None:
        """HOS205: the SQL argument of ``call`` cannot be known statically."""
        self.problems.append(Problem(
            code="HOS205", location=self.host.location(self.src.path, call),
            message=f"SQL passed to {shown} is {why}; its relations cannot be known statically",
            service=self.src.service, anchor=self.anchor(),
        ))


def relation_ref(name: str, schema: str | None) -> RelationRef:
    """A name as SQLAlchemy/asyncpg send it: quoted, so case matters only when mixed."""
    return RelationRef(name=name, schema=schema, quoted=name != name.lower())
