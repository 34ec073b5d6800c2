"""Raw SQL call sites: the drivers' knowledge, as one table (``SITES``).

Prisma's ``$queryRaw`…``` / ``$executeRaw`…``` and ``Prisma.sql`…```
templates, ``$queryRawUnsafe(sql)`` / ``$executeRawUnsafe(sql)``, pg's (and
TypeORM's) ``.query(sql)`` and knex's (and Prisma's) ``.raw(sql)``. A literal
SQL argument is handed to ``extract_sql`` with an origin map back to this
file; one built at run time is HOS205 where the table says so (``.query(x)``
only on a SQL client's receiver, see below: ``router.query(x)`` is not SQL).
``Prisma.sql`` fragments and ``.query``/``.raw`` strings that do not start
with a SQL keyword (``Prisma.sql`AND x = ${y}```) are not analysed.

Whose ``.query``/``.raw`` it is comes from the receiver's origin first: a
value from a SQL driver package (``pg``, ``knex``, ``typeorm`` …) is a SQL
receiver whatever its name; one from a package whose calls another module
reads (slonik, pg-promise, postgres.js, Drizzle, Kysely) or from any other
package (``@apollo/client``'s ``client.query``) is not read here at all; one
imported from the service's own modules is read for literal SQL only. Only a
receiver this file says nothing about (undeclared, an untyped ``this`` field)
falls back to the conventional driver names. An object argument without a
``text`` key (``client.query({ query: gql`…` })``) is never SQL.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from hos_lint.extract.typescript import sql_text
from hos_lint.extract.typescript.chains import is_service_module
from hos_lint.extract.typescript.literals import pair_value
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import first_argument, member_parts, tag_function
from hos_lint.model import Via

if TYPE_CHECKING:
    from tree_sitter import Node

# Receivers this file says nothing about whose ``.query(x)`` / ``.raw(x)`` with
# a non-literal ``x`` is still reported as HOS205: the conventional names of pg
# pools/clients, knex and TypeORM managers (``router.query(x)`` is ignored).
SQL_RECEIVER_NAMES = frozenset(
    "pool client db pg knex manager dataSource connection queryRunner".split()
)
_TYPEORM_RECEIVERS = frozenset("manager dataSource queryRunner entityManager".split())
# Packages whose values' ``.query(sql)`` / ``.raw(sql)`` take SQL text, and the
# ``via`` their accesses get (None: the site's own).
SQL_PACKAGES: dict[str, Via | None] = {
    "pg": None, "pg-pool": None, "@neondatabase/serverless": None, "@vercel/postgres": Via.VERCEL_POSTGRES,
    "knex": None, "typeorm": Via.TYPEORM, "@nestjs/typeorm": Via.TYPEORM, "sequelize": Via.SEQUELIZE,
    "sequelize-typescript": Via.SEQUELIZE, "@prisma/client": None,
}
# Packages whose calls (and ``.query``/``.raw``) their own module reads.
READ_ELSEWHERE = frozenset(("slonik", "pg-promise", "postgres", "drizzle-orm", "kysely"))
# Library names that let a file past the prefilter on their own (``require('knex')``).
_LIBRARY_TRIGGERS = frozenset((b"knex",))


class Dynamic(Enum):
    """When SQL built at run time (a non-literal argument) is reported as HOS205."""

    NEVER = "never"
    ALWAYS = "always"
    SQL_RECEIVER = "sql-receiver"  # on a conventional driver receiver or a Prisma client


@dataclass(frozen=True, slots=True)
class SqlSite:
    """One raw-SQL method: ``receiver.method`…``` (``tagged``) or ``receiver.method(sql, …)``.

    ``receiver``: the receiver's text that must precede the method (None: any).
    ``via``: the access's ``via``, unless the receiver's name is in one of
    ``via_for``'s sets. ``require_sql``: a text that does not look like SQL is
    not analysed. ``config_text``: an object argument's ``text`` value is the
    SQL (``pool.query({ text, values })``).
    """

    method: str
    tagged: bool
    via: Via
    require_sql: bool
    dynamic: Dynamic = Dynamic.NEVER
    receiver: str | None = None
    via_for: tuple[tuple[frozenset[str], Via], ...] = ()
    config_text: bool = False

    def triggers(self) -> frozenset[bytes]:
        """What a file holding this call contains: a ``$`` method's name, else the
        receiver and method of a template, ``.method(`` / ``.method<`` of a call."""
        if self.method.startswith("$"):
            return frozenset((self.method.encode(),))
        if self.tagged:
            return frozenset((f"{self.receiver or ''}.{self.method}".encode(),))
        return frozenset((f".{self.method}(".encode(), f".{self.method}<".encode()))

    def example(self) -> str:
        """A call of this site on SQL that reads table ``t``."""
        receiver = self.receiver or "db"
        if self.tagged:
            return f"{receiver}.{self.method}`SELECT * FROM t`"
        return f"{receiver}.{self.method}('SELECT * FROM t')"


SITES = (
    SqlSite("$queryRaw", tagged=True, via=Via.PRISMA_RAW, require_sql=False),
    SqlSite("$executeRaw", tagged=True, via=Via.PRISMA_RAW, require_sql=False),
    SqlSite("sql", tagged=True, via=Via.PRISMA_RAW, require_sql=True, receiver="Prisma"),
    SqlSite("$queryRawUnsafe", tagged=False, via=Via.PRISMA_RAW, require_sql=False, dynamic=Dynamic.ALWAYS),
    SqlSite("$executeRawUnsafe", tagged=False, via=Via.PRISMA_RAW, require_sql=False, dynamic=Dynamic.ALWAYS),
    SqlSite("query", tagged=False, via=Via.PG, require_sql=True, dynamic=Dynamic.SQL_RECEIVER,
            via_for=((_TYPEORM_RECEIVERS, Via.TYPEORM),), config_text=True),
    SqlSite("raw", tagged=False, via=Via.KNEX, require_sql=True, dynamic=Dynamic.SQL_RECEIVER,
            via_for=((frozenset(("Prisma",)), Via.PRISMA_RAW),), config_text=True),
)
_BY_CALL = {(site.tagged, site.method): site for site in SITES}


class _Receiver(Enum):
    """What a ``.query``/``.raw`` receiver is, as far as this file can tell."""

    SQL = "sql"  # a SQL driver's value (by origin), a Prisma client, or an unknown conventional name
    LITERAL_ONLY = "literal-only"  # nothing says what it is: literal SQL is read, nothing reported
    NOT_SQL = "not-sql"  # another package's value, or one another module reads


def recognise(site: CallSite, facts: FileFacts) -> None:
    """Raw SQL call sites: Prisma raw queries, ``Prisma.sql``, ``.query``, ``.raw``."""
    arguments = site.arguments
    tagged = arguments is not None and arguments.type == "template_string"
    receiver, prop = member_parts(tag_function(site.function) if tagged else site.function)
    if prop is None or arguments is None:
        return
    sql_site = _BY_CALL.get((tagged, facts.host.node_text(prop)))
    if sql_site is None:
        return
    if tagged:
        if sql_site.receiver is None or (receiver is not None and facts.host.node_text(receiver) == sql_site.receiver):
            _sql_argument(site.call, sql_site, arguments, facts, report=False, via=sql_site.via)
        return
    first = first_argument(arguments)
    if first is None:
        return
    kind, package_via = _classify(receiver, site, facts)
    if kind is _Receiver.NOT_SQL:
        return
    name = _receiver_name(receiver, facts)
    via = package_via or next((v for names, v in sql_site.via_for if name in names), sql_site.via)
    text = _config_text(first, facts) if sql_site.config_text else first
    if text.type == "object":
        return  # an options object without ``text``: not SQL (``client.query({ query: gql`…` })``)
    report = sql_site.dynamic is Dynamic.ALWAYS or (
        sql_site.dynamic is Dynamic.SQL_RECEIVER and kind is _Receiver.SQL
    )
    _sql_argument(site.call, sql_site, text, facts, report=report, via=via)


def _classify(receiver: Node | None, site: CallSite, facts: FileFacts) -> tuple[_Receiver, Via | None]:
    """The receiver's kind, and the ``via`` its package gives (None: the site's)."""
    origin = facts.origins.of(receiver, site.scope) if receiver is not None else None
    if origin is not None:
        if origin.package in SQL_PACKAGES:
            return _Receiver.SQL, SQL_PACKAGES[origin.package]
        if origin.package in READ_ELSEWHERE or not is_service_module(origin.module):
            return _Receiver.NOT_SQL, None
        return _Receiver.LITERAL_ONLY, None
    client = facts.clients.of_expression(receiver, site.scope)
    if client is not None and client.client_type is None:
        return _Receiver.SQL, None
    if _declared(receiver, site, facts):
        return _Receiver.LITERAL_ONLY, None
    name = _receiver_name(receiver, facts)
    return (_Receiver.SQL if name in SQL_RECEIVER_NAMES else _Receiver.LITERAL_ONLY), None


def _declared(receiver: Node | None, site: CallSite, facts: FileFacts) -> bool:
    """A name this file declares (a local value, a parameter): what it is is not a guess by its name."""
    if receiver is None or receiver.type != "identifier":
        return False
    return site.scope.lookup(facts.host.node_text(receiver))[0]


def _config_text(arg: Node, facts: FileFacts) -> Node:
    """``pool.query({ text: 'SELECT …', values })``: the SQL is the ``text`` value."""
    if arg.type == "object":
        text = pair_value(arg, "text", facts.host)
        return text if text is not None else arg
    return arg


def _receiver_name(receiver: Node | None, facts: FileFacts) -> str | None:
    """``pool`` for ``pool`` and ``this.pool``; None for anything else."""
    if receiver is None:
        return None
    if receiver.type == "identifier":
        return facts.host.node_text(receiver)
    obj, prop = member_parts(receiver)
    if obj is not None and obj.type == "this" and prop is not None:
        return facts.host.node_text(prop)
    return None


def _sql_argument(call: Node, sql_site: SqlSite, arg: Node, facts: FileFacts, *, report: bool, via: Via) -> None:
    """Extract SQL from a literal argument, or report HOS205 for a run-time one."""
    shown = sql_site.method if sql_site.method.startswith("$") else f".{sql_site.method}"
    sql_text.analyse(call, arg, facts, via=via, require_sql=sql_site.require_sql, dynamic=shown if report else None)


KNOWLEDGE = Knowledge(
    name="raw-sql",
    recognise=recognise,
    triggers=_LIBRARY_TRIGGERS.union(*(site.triggers() for site in SITES)),
    examples=tuple(site.example() for site in SITES),
    calls=frozenset(site.method for site in SITES),
)
