"""Database drivers: DB-API (psycopg and the like), asyncpg, pandas.

SQL methods take SQL text (``.execute``, ``.fetch`` …, analysed by
``embedded_sql``); asyncpg's table copies name their table directly.
"""
from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from hos_lint.extract.python.embedded_sql import sql_argument
from hos_lint.extract.python.scan import Scan, relation_ref
from hos_lint.extract.python.strings import split_prefix
from hos_lint.extract.python.syntax import dotted, keyword, positional, receiver_name, string_value
from hos_lint.model import Access, AccessKind, Location, Via

# Methods whose first argument (or sql=/query=... keyword) is SQL text, with the `via`.
SQL_METHODS: Mapping[str, Via] = {
    "execute": Via.DBAPI, "executemany": Via.DBAPI, "copy_expert": Via.DBAPI, "copy": Via.DBAPI,
    "fetch": Via.ASYNCPG, "fetchrow": Via.ASYNCPG, "fetchval": Via.ASYNCPG, "copy_from_query": Via.ASYNCPG,
    "exec_driver_sql": Via.SQLALCHEMY,
}
# Receivers whose SQL methods are clearly database calls: a non-resolvable
# SQL argument on them is HOS205. Any other receiver is ignored.
DB_RECEIVER_NAMES = frozenset(
    "cursor cur conn connection session db engine pool tx transaction".split()
)
DB_RECEIVER_SUFFIXES = ("_cursor", "_cur", "_conn", "_connection", "_session", "_db", "_engine", "_pool")
ASYNCPG_COPY_TABLE: Mapping[str, AccessKind] = {
    "copy_to_table": AccessKind.WRITE,
    "copy_records_to_table": AccessKind.WRITE,
    "copy_from_table": AccessKind.READ,
}
_PANDAS_FUNCS = frozenset(("read_sql", "read_sql_query"))


def is_db_receiver(node: cst.CSTNode) -> bool:
    name = (receiver_name(node) or "").lower()
    return name in DB_RECEIVER_NAMES or name.endswith(DB_RECEIVER_SUFFIXES)


def sql_method(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """``.execute(...)`` and friends: the via depends on the receiver and on ``await``."""
    receiver, method = func.value, func.attr.value
    via = SQL_METHODS[method]
    awaited = scan.awaited()
    name = (receiver_name(receiver) or "").lower()
    if via == Via.DBAPI and ("session" in name or "engine" in name):
        via = Via.SQLALCHEMY
    elif via == Via.DBAPI and awaited and method in ("execute", "executemany"):
        via = Via.ASYNCPG
    report = is_db_receiver(receiver) or (awaited and SQL_METHODS[method] == Via.ASYNCPG)
    sql_argument(scan, call, f".{method}()", via, report=report)
    return True


def copy_table(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """asyncpg ``copy_to_table("orders", schema_name="s", ...)``: the table name literal."""
    arg = positional(call, 0)
    if arg is None:
        arg = keyword(call, "table_name")
    name = string_value(arg)
    if not isinstance(arg, cst.SimpleString) or not name:
        return True
    prefix, quote = split_prefix(arg.value)
    line, col = scan.host.lines.position(scan.host.start(arg) + len(prefix) + quote)
    schema = string_value(keyword(call, "schema_name"))
    scan.accesses.append(Access(
        service=scan.src.service, location=Location(scan.src.path, line, col),
        ref=relation_ref(name, schema), kind=ASYNCPG_COPY_TABLE[func.attr.value], via=Via.ASYNCPG,
        operation="COPY", anchor=scan.anchor(),
    ))
    return True


def pandas_call(scan: Scan, call: cst.Call) -> bool:
    """pandas ``read_sql``/``read_sql_query`` (imported, or on ``pd``/``pandas``)."""
    if not _is_pandas(scan, call.func):
        return False
    sql_argument(scan, call, "read_sql()", Via.PANDAS, report=True)
    return True


def _is_pandas(scan: Scan, func: cst.BaseExpression) -> bool:
    if scan.know.is_from(func, ("pandas",), _PANDAS_FUNCS):
        return True
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value in _PANDAS_FUNCS
        and dotted(func.value) in ("pd", "pandas")
    )
