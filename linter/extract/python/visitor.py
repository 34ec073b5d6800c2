"""The main pass: every call (as the walk of ``bindings.Collector`` met it,
with its ancestors) is offered to the ORM/driver handlers, in order, until
one claims it.

A call handler sees any call (``text(...)``, ``Table(...)``); a method handler
is registered for the method names it knows and sees ``<receiver>.<method>(...)``.
Order matters where names overlap: ``update``/``delete`` on a Prisma delegate,
then on a ``Table`` variable, then as a bulk write of a query chain.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import libcst as cst

from hos_lint.extract.python import drivers, prisma_client, sqlalchemy
from hos_lint.extract.python.scan import Scan

CallHandler = Callable[[Scan, cst.Call], bool]
MethodHandler = Callable[[Scan, cst.Call, cst.Attribute], bool]

_CALL_HANDLERS: tuple[CallHandler, ...] = (
    sqlalchemy.table_definition,
    sqlalchemy.text_call,
    sqlalchemy.statement_call,
    drivers.pandas_call,
)

_METHOD_HANDLERS: tuple[tuple[Collection[str], MethodHandler], ...] = (
    (drivers.SQL_METHODS, drivers.sql_method),
    (drivers.ASYNCPG_COPY_TABLE, drivers.copy_table),
    (prisma_client.RAW_METHODS, prisma_client.raw_query),
    (prisma_client.READ_OPS | prisma_client.WRITE_OPS, prisma_client.delegate_call),
    (sqlalchemy.SESSION_METHODS, sqlalchemy.session_call),
    (sqlalchemy.STATEMENTS, sqlalchemy.table_statement),
    (sqlalchemy.JOIN_METHODS, sqlalchemy.join_call),
    (sqlalchemy.BULK_WRITES, sqlalchemy.query_write),
)


def _by_method() -> dict[str, tuple[MethodHandler, ...]]:
    """Each method name with the handlers registered for it, in priority order."""
    table: dict[str, tuple[MethodHandler, ...]] = {}
    for methods, handler in _METHOD_HANDLERS:
        for method in methods:
            table[method] = (*table.get(method, ()), handler)
    return table


_BY_METHOD = _by_method()


def visit_calls(scan: Scan, calls: Sequence[tuple[cst.Call, list[cst.CSTNode]]]) -> None:
    """Offer each call, in source order, to the handlers: ``scan.stack`` holds its ancestors meanwhile."""
    call_handlers, by_method = _CALL_HANDLERS, _BY_METHOD
    for node, stack in calls:
        scan.stack = stack
        for handler in call_handlers:
            if handler(scan, node):
                break
        else:
            func = node.func
            if type(func) is cst.Attribute:
                for method_handler in by_method.get(func.attr.value, ()):
                    if method_handler(scan, node, func):
                        break
