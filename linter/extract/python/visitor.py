"""The main pass: every call is offered to the ORM/driver handlers, in order,
until one claims it.

A call handler sees any call (``text(...)``, ``Table(...)``); a method handler
is registered for the method names it knows and sees ``<receiver>.<method>(...)``.
Order matters where names overlap: ``update``/``delete`` on a Prisma delegate,
then on a ``Table`` variable, then as a bulk write of a query chain.
"""
from __future__ import annotations

from collections.abc import Callable, Collection

import libcst as cst

from hos_lint.extract.python import drivers, prisma_client, sqlalchemy
from hos_lint.extract.python.scan import Scan
from hos_lint.extract.python.walker import Walker

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


class Visitor(Walker):
    """Second pass: every call that touches the database, with ancestors for anchors."""

    def __init__(self, scan: Scan) -> None:
        super().__init__(scan.stack)
        self.scan = scan

    def visit_Call(self, node: cst.Call) -> None:
        for handler in _CALL_HANDLERS:
            if handler(self.scan, node):
                return
        func = node.func
        if isinstance(func, cst.Attribute):
            for method_handler in _BY_METHOD.get(func.attr.value, ()):
                if method_handler(self.scan, node, func):
                    return
