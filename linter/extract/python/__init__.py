"""Python extraction on libcst (SPEC §4.4).

What a ``.py`` file *says*, unresolved:

- **SQL strings** handed to DB-API / psycopg / asyncpg / SQLAlchemy / pandas
  calls (``.execute``, ``.executemany``, ``.fetch``, ``.fetchrow``,
  ``.fetchval``, ``.copy_expert``, ``.copy``, ``.copy_from_query``,
  ``.exec_driver_sql``, SQLAlchemy ``text(...)``, pandas ``read_sql``/
  ``read_sql_query``, Prisma Client Python ``query_raw``/``query_first``/
  ``execute_raw``) are decoded with an exact origin map
  (``sql_literal``) and passed to ``extract_sql``. Only strings whose first
  keyword is SQL are analysed, so ``executor.execute("build")`` is nothing.
  Interpolations (f-string fields, ``%`` / ``.format`` slots, non-literal
  ``+`` operands) become bind markers ``$N``; ``extract_sql`` reports HOS205
  when one lands where a relation name belongs.
- asyncpg ``copy_to_table`` / ``copy_records_to_table`` (WRITE ``COPY``) and
  ``copy_from_table`` (READ ``COPY``) with a literal table name.
- **SQLAlchemy models**: Core ``Table("t", metadata, schema=...)`` bound to a
  name, declarative classes with ``__tablename__`` (schema from
  ``__table_args__``, else the ``MetaData(schema=...)`` of their base), and
  their uses: ``select/insert/update/delete(Model)``, ``table.select()`` …,
  ``session.query/get/add/add_all/merge``, ``.join(Model)`` on a select or
  query chain, ``session.query(M).update()/.delete()``.
- **Prisma Client Python**: ``<client>.<delegate>.<op>(...)`` on a recognised
  client.

SQL passed as a variable (HOS205 when it cannot be resolved): a name bound
once in the enclosing function or module to a string expression is
propagated (``sql = "SELECT ..."``, optionally followed by ``sql += "..."``
pieces, analysed as their concatenation in source order), and so is a class
constant read as ``self.X``/``cls.X``/``Klass.X``. A name that cannot
be resolved (a ``str`` or unannotated parameter, an imported constant, a
reassigned variable) is HOS205 only on clearly-database calls: ``text(x)``,
``read_sql(x, ...)``, a recognised Prisma client's raw methods, and SQL
methods on receivers named in ``DB_RECEIVER_NAMES`` (or ending in one of
``DB_RECEIVER_SUFFIXES``). A name bound to a non-string value
(``stmt = select(User)``) is never reported.

Deliberate non-matches (precision first): ``Table`` not imported from
SQLAlchemy (``rich.table.Table``), or without a metadata-like second
argument; ORM uses of names that are neither models defined in this file nor
``from x import Name`` imports; Prisma-shaped calls on receivers that are not
recognised clients; docstrings and comments; ``"... %s" % "literal"`` slots
(treated as markers like any other ``%`` argument); attribute arguments
other than class constants (``cur.execute(queries.ORDERS)``) are neither
analysed nor reported.

Layout, one concern per module: ``extractor`` (entry points, parse errors),
``walker`` and ``syntax`` (walking libcst trees once, small node questions),
``positions`` (node offsets, per statement; the measured ``PositionProvider``
workaround), ``bindings`` (the walk: scopes, classes, imports, and every call
for the main pass), ``strings`` (literal decoding with an exact origin map),
``knowledge`` (what imported names and SQLAlchemy declarations mean), ``scan``
(the main pass's context and findings), ``visitor`` (dispatch of every call),
the ORM/driver knowledge in ``sqlalchemy``, ``drivers`` (DB-API, psycopg,
asyncpg, pandas) and ``prisma_client``, and ``embedded_sql`` (SQL text handed
to a call).
"""
from __future__ import annotations

from hos_lint.extract.python.drivers import DB_RECEIVER_NAMES, DB_RECEIVER_SUFFIXES
from hos_lint.extract.python.extractor import LANGUAGE, NAME, SUFFIXES, comments, extract, handles, might_access_db
from hos_lint.extract.python.positions import Host, parse_host
from hos_lint.extract.python.prisma_client import READ_OPS as PRISMA_READ_OPS
from hos_lint.extract.python.prisma_client import WRITE_OPS as PRISMA_WRITE_OPS
from hos_lint.extract.python.strings import sql_literal

__all__ = [
    "DB_RECEIVER_NAMES", "DB_RECEIVER_SUFFIXES", "LANGUAGE", "NAME", "PRISMA_READ_OPS", "PRISMA_WRITE_OPS",
    "SUFFIXES", "Host", "comments", "extract", "handles", "might_access_db", "parse_host", "sql_literal",
]
