"""Kysely (``kysely``): the query builder, the schema builder and ``sql``.

**Queries** on a Kysely instance: ``selectFrom`` reads its tables (a string
or an array of strings), ``updateTable``/``insertInto``/``deleteFrom``/
``mergeInto``/``replaceInto`` write theirs; joins (``innerJoin``,
``leftJoin`` …), ``updateTable(…).from(…)``, ``deleteFrom(…).using(…)`` and
``mergeInto(…).using(…)`` read theirs. Table strings are ``'t'``, ``'s.t'``
and ``'s.t as x'``; ``withSchema('s')`` before them in the chain qualifies
every unqualified one (Kysely's schema plugin). ``forUpdate``/
``forNoKeyUpdate``/``forShare`` on a select make its tables locked (a
write, operation ``LOCK``).

**Schema builder** (DDL): ``db.schema[.withSchema('s')]`` then
``createTable``, ``alterTable``, ``dropTable``, ``createView``,
``dropView``, ``createIndex(…).on('t')``.

**SQL**: ``sql`…``` from ``kysely`` is embedded SQL;
``${sql.table('s.t')}`` and ``${sql.id('s', 't')}`` in it are that table.

An instance is ``new Kysely(…)``, a value typed ``Kysely<DB>`` or
``Transaction<DB>`` (and what is derived from it), a
``db.transaction().execute(async (trx) => …)`` parameter, or — the
methods being unmistakable — an instance imported from the service's own
modules.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hos_lint.extract.typescript import chains, sql_text
from hos_lint.extract.typescript.chains import Link, Source, TableName
from hos_lint.extract.typescript.origin import NEW, Origin
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import first_argument, member_parts, tag_function
from hos_lint.model import AccessKind, Via

if TYPE_CHECKING:
    from tree_sitter import Node

PACKAGES = frozenset(("kysely",))
VIA = Via.KYSELY
INSTANCE_TYPES = frozenset(("Kysely", "Transaction", "ControlledTransaction"))
READS = frozenset(("selectFrom",))
WRITES = frozenset(("updateTable", "insertInto", "deleteFrom", "mergeInto", "replaceInto"))
JOINS = frozenset((
    "innerJoin", "leftJoin", "rightJoin", "fullJoin", "crossJoin",
    "innerJoinLateral", "leftJoinLateral", "crossJoinLateral",
))
# Sources read by a write: UPDATE … FROM, DELETE … USING, MERGE … USING.
WRITE_SOURCES = {"updateTable": "from", "deleteFrom": "using", "mergeInto": "using"}
LOCKS = frozenset(("forUpdate", "forNoKeyUpdate", "forShare"))
SCHEMA = "schema"
WITH_SCHEMA = "withSchema"
DDL = frozenset(("createTable", "alterTable", "dropTable", "createView", "dropView"))
INDEX_ON = ("createIndex", "on")
# Every method whose call names a table.
METHODS = READS | WRITES | JOINS | DDL | frozenset(WRITE_SOURCES.values()) | {INDEX_ON[1]}


def is_instance(origin: Origin) -> bool:
    """``new Kysely(…)``, a value typed ``Kysely``/``Transaction``, and what is derived from one."""
    return origin.package in PACKAGES and origin.export in INSTANCE_TYPES and origin.steps[:1] == (NEW,)


def recognise(site: CallSite, facts: FileFacts) -> None:
    """One table-naming call of a Kysely chain, or a ``sql`…``` template."""
    if site.arguments is not None and site.arguments.type == "template_string":
        _template(site, facts)
        return
    _, prop = member_parts(chains.unwrap(site.function))
    if prop is None or facts.host.node_text(prop) not in METHODS:
        return
    root, links = chains.chain_below(site.call, facts)
    if not links or links[-1].method is None:
        return
    method = links[-1].method
    plan = _plan(method, links, site, facts)
    if plan is None:
        return
    kind, operation, tables_of = plan
    tables = tables_of(first_argument(site.arguments), facts)
    if not tables or _receiver(root, site, facts) is Source.OTHER:
        return
    schema = chains.schema_override(links, WITH_SCHEMA, facts)
    for table in tables:
        chains.add_access(facts, site, chains.location_at(facts, table.at), chains.string_ref(table, schema),
                          kind, VIA, operation)


_Tables = Callable[["Node | None", FileFacts], list[TableName]]


def _plan(method: str, links: list[Link], site: CallSite, facts: FileFacts,
          ) -> tuple[AccessKind, str, _Tables] | None:
    """(kind, operation, how to read the tables) for the call, or None when the
    chain is not a Kysely query or schema statement."""
    below = [link.method for link in links[:-1] if link.call is not None]
    if links[0].method == SCHEMA and links[0].call is None:
        if method in DDL:
            return AccessKind.DDL, method, _one
        if method == INDEX_ON[1] and INDEX_ON[0] in below:
            return AccessKind.DDL, INDEX_ON[0], _one
        return None
    if method in READS:
        above = {link.method for link in chains.chain_above(site.call, facts) if link.call is not None}
        if above & LOCKS:
            return AccessKind.WRITE, "LOCK", _many
        return AccessKind.READ, method, _many
    if method in WRITES:
        return AccessKind.WRITE, method, _one
    starts = [m for m in below if m in READS | WRITES]
    if not starts:
        return None
    if method in JOINS:
        return AccessKind.READ, starts[0], _one
    if WRITE_SOURCES.get(starts[0]) == method:
        return AccessKind.READ, starts[0], _many
    return None


def _receiver(root: Node | None, site: CallSite, facts: FileFacts) -> Source:
    return chains.classify(chains.receiver_origin(root, site.scope, facts), is_instance)


def _one(arg: Node | None, facts: FileFacts) -> list[TableName]:
    table = chains.table_name(arg, facts)
    return [table] if table is not None else []


def _many(arg: Node | None, facts: FileFacts) -> list[TableName]:
    """A table string, or an array of them (``selectFrom(['a', 'b'])``)."""
    arg = chains.unwrap(arg)
    if arg is not None and arg.type == "array":
        return [t for item in arg.named_children for t in _one(item, facts)]
    return _one(arg, facts)


# --- sql ---------------------------------------------------------------------------------------------------


def _template(site: CallSite, facts: FileFacts) -> None:
    origin = facts.origins.of(tag_function(site.function), site.scope)
    if origin is None or not origin.is_(PACKAGES, ("sql",)) or site.arguments is None:
        return

    def known(expression: Node) -> sql_text.Interpolation | None:
        if expression.type != "call_expression":
            return None
        helper = facts.origins.of(expression.child_by_field_name("function"), site.scope)
        arguments = expression.child_by_field_name("arguments")
        if helper is None or arguments is None or not (
                helper.is_(PACKAGES, ("sql",), (".table",)) or helper.is_(PACKAGES, ("sql",), (".id",))):
            return None
        parts = [chains.table_name(arg, facts) for arg in arguments.named_children]
        if not parts or any(p is None or p.alias is not None for p in parts):
            return None
        names = [n for p in parts if p is not None for n in ((p.schema, p.name) if p.schema else (p.name,))]
        first = parts[0]
        return sql_text.Interpolation(at=first.at if first is not None else 0,
                                      identifier=sql_text.quote_identifier(names))

    sql_text.analyse(site.call, site.arguments, facts, via=VIA, require_sql=True, known=known)


TRIGGERS = frozenset((b"kysely",)).union(
    *(frozenset((f".{m}(".encode(), f".{m}<".encode())) for m in READS | WRITES)
)
_DB = "import { Kysely } from 'kysely';\nconst db = new Kysely<DB>({ dialect });\n"
KNOWLEDGE = Knowledge(
    name=VIA,
    recognise=recognise,
    triggers=TRIGGERS,
    examples=(
        *(f"{_DB}db.{m}('s.t as x');" for m in sorted(READS | WRITES)),
        *(f"{_DB}db.selectFrom('t').{m}('u', 'u.id', 't.id');" for m in sorted(JOINS)),
        *(f"{_DB}db.{w}('t').{m}('u');" for w, m in sorted(WRITE_SOURCES.items())),
        *(f"{_DB}db.selectFrom('t').{m}();" for m in sorted(LOCKS)),
        *(f"{_DB}db.schema.withSchema('s').{m}('t');" for m in sorted(DDL)),
        f"{_DB}db.schema.createIndex('i').on('t');",
        "import { sql } from 'kysely';\nconst q = sql`SELECT * FROM ${sql.table('s.t')}`;",
    ),
)
