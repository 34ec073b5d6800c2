"""Prisma Client Python: ``<client>.<delegate>.<op>(...)`` and raw queries on a
recognised client.

A client is a name (or ``self.<attr>``) bound only to ``Prisma()`` / ``Client()``
from ``prisma``, to ``<client>.tx()``, to another client, or annotated as one,
or configured as one (``ExtractConfig.prisma_clients``).
"""
from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from hos_lint.extract.python.bindings import Binding, BindingKind, Lookup
from hos_lint.extract.python.embedded_sql import sql_argument
from hos_lint.extract.python.scan import Scan
from hos_lint.extract.python.syntax import MAX_DEPTH, dotted, string_value
from hos_lint.model import AccessKind, RelationRef, Via

VIA = Via.PRISMA_CLIENT_PYTHON
READ_OPS = frozenset(
    "find_unique find_unique_or_raise find_first find_first_or_raise find_many count group_by".split()
)
WRITE_OPS = frozenset("create create_many update update_many upsert delete delete_many".split())
RAW_METHODS = frozenset(("query_raw", "query_first", "execute_raw"))
_CLIENT_NAMES = frozenset(("Prisma", "Client"))


def raw_query(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """``client.query_raw(sql, ...)``: the SQL text, on a recognised client only."""
    if not is_client(scan, func.value):
        return False
    sql_argument(scan, call, f".{func.attr.value}()", VIA, report=True, string_only=True)
    return True


def delegate_call(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """``<client>.<delegate>.<op>(...)`` on a recognised client: the delegate is accessed."""
    receiver, method = func.value, func.attr.value
    if not isinstance(receiver, cst.Attribute) or not is_client(scan, receiver.value):
        return False
    kind = AccessKind.READ if method in READ_OPS else AccessKind.WRITE
    delegate = receiver.attr
    scan.access(delegate, RelationRef(delegate=delegate.value), kind, VIA, method)
    return True


def is_client(scan: Scan, node: cst.BaseExpression) -> bool:
    """A name or ``self.<attr>`` bound only to Prisma clients, or configured as one."""
    if isinstance(node, cst.Name):
        if node.value in scan.config.prisma_clients:
            return True
        return _all_prisma(scan, scan.lookup(node.value), scan.lookup)
    if isinstance(node, cst.Attribute) and dotted(node.value) == "self":
        return _self_client(scan, node.attr.value)
    return False


def _self_client(scan: Scan, attr: str) -> bool:
    """``self.<attr>``: configured, or every assignment in the class's methods
    and body is a client (and there is at least one)."""
    info = scan.enclosing_class()
    if attr in scan.config.prisma_clients:
        return True
    if info is None:
        return False
    made = info.self_attrs.get(attr, [])
    body = info.body.get(attr, [])
    return bool(made or body) and all(
        _all_prisma(scan, (b,), scan.scope_lookup(scope)) for b, scope in made
    ) and _all_prisma(scan, body, scan.lookup, allow_empty=True)


def _all_prisma(scan: Scan, bindings: Sequence[Binding], lookup: Lookup, depth: int = 0,
                allow_empty: bool = False) -> bool:
    if not bindings:
        return allow_empty
    return depth <= MAX_DEPTH and all(_prisma_binding(scan, b, lookup, depth) for b in bindings)


def _prisma_binding(scan: Scan, binding: Binding, lookup: Lookup, depth: int) -> bool:
    value = binding.value
    if binding.kind in (BindingKind.PARAM, BindingKind.ANNOTATION):
        annotation = value.annotation.annotation if isinstance(value, cst.Param) and value.annotation else value
        return annotation is not None and _prisma_annotation(scan, annotation)
    if binding.kind not in (BindingKind.ASSIGN, BindingKind.WITH) or value is None:
        return False
    if isinstance(value, cst.Call):
        func = value.func
        if _is_prisma_class(scan, func):
            return True  # Prisma()
        if isinstance(func, cst.Attribute) and func.attr.value == "tx" and isinstance(func.value, cst.Name):
            return _all_prisma(scan, lookup(func.value.value), lookup, depth + 1)  # db.tx()
        return False
    if isinstance(value, cst.Name):
        return _all_prisma(scan, lookup(value.value), lookup, depth + 1)  # an alias
    return False


def _prisma_annotation(scan: Scan, node: cst.CSTNode) -> bool:
    """``Prisma``, ``prisma.Prisma``, ``"Prisma"``, ``Optional[Prisma]``, ``Prisma | None``."""
    if isinstance(node, (cst.Name, cst.Attribute)):
        return _is_prisma_class(scan, node)
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
        return bool(value and value.isidentifier() and _is_prisma_class(scan, cst.Name(value)))
    if isinstance(node, cst.Subscript):
        return any(
            isinstance(e.slice, cst.Index) and _prisma_annotation(scan, e.slice.value) for e in node.slice
        )
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _prisma_annotation(scan, node.left) or _prisma_annotation(scan, node.right)
    return False


def _is_prisma_class(scan: Scan, node: cst.CSTNode) -> bool:
    return scan.know.is_from(node, ("prisma",), _CLIENT_NAMES)
