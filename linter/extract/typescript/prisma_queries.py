"""Prisma Client queries: ``<client>.<model>.<op>(...)`` on a recognised client,
the relations its ``include``/``select`` (and ``_count``) read, and the nested
writes in its ``data`` (``items: { create: [...] }`` writes ``items``).

A property chain without a call (``const f = prisma.order.findMany``) is no
access; ``$``-delegates (``prisma.$queryRaw``) are raw SQL, not models.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hos_lint.extract.typescript import prisma_clients
from hos_lint.extract.typescript.literals import Pair, object_items, object_pairs, pair_value
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import anchor_node, first_argument, member_parts
from hos_lint.model import Access, AccessKind, Anchor, RelationRef, Via

if TYPE_CHECKING:
    from tree_sitter import Node

READ_OPS = frozenset(
    "findUnique findUniqueOrThrow findFirst findFirstOrThrow findMany count aggregate groupBy".split()
)
WRITE_OPS = frozenset(
    "create createMany createManyAndReturn update updateMany updateManyAndReturn upsert delete deleteMany".split()
)
NESTED_WRITE_OPS = (
    "create", "createMany", "connectOrCreate", "upsert", "update", "updateMany",
    "delete", "deleteMany", "set", "connect", "disconnect",
)
MAX_FIELD_PATH = 24  # include/data traversal stops deeper than any real query nests
_SELECTIONS = ("include", "select")
_UPSERT_DATA = ("create", "update")  # the data objects of an upsert


@dataclass(frozen=True, slots=True)
class _CallContext:
    """What every access of one Prisma call shares."""

    delegate: str
    client_type: str | None
    anchor: Anchor


def recognise(site: CallSite, facts: FileFacts) -> None:
    """``<client>.<model>.<op>(...)`` plus the traversals in its first argument."""
    delegate_expr, op_node = member_parts(site.function)
    receiver, model = member_parts(delegate_expr)
    if op_node is None or model is None or model.type != "property_identifier":
        return
    host = facts.host
    op, delegate = host.node_text(op_node), host.node_text(model)
    if (op not in READ_OPS and op not in WRITE_OPS) or delegate.startswith("$"):
        return
    client = facts.clients.of_expression(receiver, site.scope)
    if client is None:
        return
    query = _Query(facts, _CallContext(delegate, client.client_type, host.anchor(anchor_node(site.call))))
    query.emit(model, (), AccessKind.READ if op in READ_OPS else AccessKind.WRITE, op)
    first = first_argument(site.arguments)
    if first is not None and first.type == "object":
        query.traverse_arguments(first, op)


class _Query:
    """The accesses of one Prisma call: the delegate itself, then its traversals."""

    def __init__(self, facts: FileFacts, ctx: _CallContext) -> None:
        self.facts = facts
        self.host = facts.host
        self.ctx = ctx

    def emit(self, at: Node, path: tuple[str, ...], kind: AccessKind, op: str) -> None:
        ctx = self.ctx
        ref = RelationRef(delegate=ctx.delegate, field_path=path, client_type=ctx.client_type)
        self.facts.accesses.append(Access(
            service=self.facts.src.service,
            location=self.facts.location(at),
            ref=ref,
            kind=kind,
            via=Via.PRISMA_CLIENT,
            operation=op,
            anchor=ctx.anchor,
        ))

    def traverse_arguments(self, args: Node, op: str) -> None:
        self._traverse_selection(args, ())
        for pair in object_pairs(args, self.host):
            is_data = pair.name == "data" or (op == "upsert" and pair.name in _UPSERT_DATA)
            if is_data and pair.value.type == "object":
                self._traverse_data(pair.value, ())

    def _traverse_selection(self, obj: Node, path: tuple[str, ...]) -> None:
        """``include: {...}`` / ``select: {...}`` keys of ``obj`` (relations read at ``path``)."""
        if len(path) > MAX_FIELD_PATH:
            return
        for pair in object_pairs(obj, self.host):
            if pair.name in _SELECTIONS and pair.value.type == "object":
                self._traverse_selected(pair.value, path, pair.name)

    def _traverse_selected(self, obj: Node, path: tuple[str, ...], op: str) -> None:
        for pair in object_pairs(obj, self.host):
            if pair.name == "_count":
                counted = pair_value(pair.value, "select", self.host)
                for item in object_pairs(counted, self.host):
                    if item.value.type in ("true", "object"):
                        self.emit(item.key, path + (item.name,), AccessKind.READ, "select")
            elif pair.value.type in ("true", "object"):
                self.emit(pair.key, path + (pair.name,), AccessKind.READ, op)
                self._traverse_selection(pair.value, path + (pair.name,))

    def _traverse_data(self, data: Node, path: tuple[str, ...]) -> None:
        """Nested writes in a ``data`` object: ``items: { create: [...] }`` writes ``items``."""
        if len(path) > MAX_FIELD_PATH:
            return
        for pair in object_pairs(data, self.host):
            nested = [p for p in object_pairs(pair.value, self.host) if p.name in NESTED_WRITE_OPS]
            for op in nested:
                self.emit(pair.key, path + (pair.name,), AccessKind.WRITE, op.name)
            for op in nested:
                for inner in self._nested_data(op):
                    self._traverse_data(inner, path + (pair.name,))

    def _nested_data(self, op: Pair) -> list[Node]:
        """The data objects inside one nested write that may hold deeper writes."""
        host = self.host
        items = object_items(op.value)
        if op.name == "create":
            return items
        if op.name == "connectOrCreate":
            return [v for item in items for v in object_items(pair_value(item, "create", host))]
        if op.name == "upsert":
            return [v for item in items for key in _UPSERT_DATA for v in object_items(pair_value(item, key, host))]
        if op.name == "update":  # to-many: {where, data}; to-one: the data itself
            datas = [pair_value(item, "data", host) for item in items]
            pairs = zip(items, datas, strict=True)
            return [v for item, data in pairs for v in object_items(item if data is None else data)]
        return []


def _op_triggers(op: str) -> frozenset[bytes]:
    """``.op(`` and ``.op<`` (a call with type arguments)."""
    return frozenset((f".{op}(".encode(), f".{op}<".encode()))


KNOWLEDGE = Knowledge(
    name="prisma-client",
    recognise=recognise,
    triggers=prisma_clients.TRIGGERS.union(*(_op_triggers(op) for op in READ_OPS | WRITE_OPS)),
    examples=tuple(f"db.order.{op}()" for op in sorted(READ_OPS | WRITE_OPS)),
    calls=READ_OPS | WRITE_OPS,  # ``<client>.<model>.<op>(…)``
)
