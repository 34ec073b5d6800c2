"""Drizzle ORM (``drizzle-orm``): table declarations and the queries on them.

**Tables** (ownership facts, ``OrmModel`` named after the variable they are
bound to): ``pgTable('t', …)`` (the service's default schema),
``pgSchema('s').table('t', …)`` and ``const s = pgSchema('s'); s.table(…)``,
views likewise (``pgView``, ``pgMaterializedView``, ``s.view``,
``s.materializedView``). A table name that is not a literal, or one built by
``pgTableCreator``, is HOS205.

**Queries** on a Drizzle database (``drizzle(…)`` from any ``drizzle-orm/*``
driver, a value typed ``NodePgDatabase``/``PostgresJsDatabase``/… or
``PgTransaction``, the parameter of a ``db.transaction(…)`` callback, or a
database imported from the service's own modules): ``db.select().from(t)``
and joins (reads), ``db.insert(t)``, ``db.update(t)`` (and its ``.from``),
``db.delete(t)`` (writes), ``db.$count(t)`` (read),
``db.refreshMaterializedView(v)`` (DDL), relational queries
``db.query.t.findMany()`` / ``findFirst()`` (reads). ``t`` is a table object:
declared in this file, or imported from a module of the service and resolved
against the service's Drizzle tables after extraction (like Prisma
delegates).

**SQL**: ``sql`…``` templates and ``sql.raw('…')`` from ``drizzle-orm``
are embedded SQL; a table object interpolated in them (``${payments}``) is
that table. ``db.execute(sql.raw(x))`` with ``x`` built at run time is HOS205.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from hos_lint.extract.typescript import chains, sql_text
from hos_lint.extract.typescript.chains import Link, Source
from hos_lint.extract.typescript.literals import sql_literal
from hos_lint.extract.typescript.origin import CALL, DEFAULT, NEW, Origin
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import first_argument, generic_tag, member_parts, tag_function
from hos_lint.model import AccessKind, OrmModel, RelationRef, Via

if TYPE_CHECKING:
    from tree_sitter import Node

PACKAGES = frozenset(("drizzle-orm",))
VIA = Via.DRIZZLE
TABLE_FACTORIES = frozenset(("pgTable", "pgView", "pgMaterializedView"))
SCHEMA_MEMBERS = frozenset(("table", "view", "materializedView"))
SCHEMA_FACTORY = "pgSchema"
TABLE_CREATOR = "pgTableCreator"
# Database types a value may be declared with (``db: NodePgDatabase<typeof schema>``).
DATABASE_TYPES = frozenset((
    "PgDatabase", "NodePgDatabase", "PostgresJsDatabase", "NeonHttpDatabase", "NeonDatabase",
    "VercelPgDatabase", "PgliteDatabase", "AwsDataApiPgDatabase", "PgTransaction", "NodePgTransaction",
))
SELECTS = frozenset(("select", "selectDistinct", "selectDistinctOn"))
SOURCES = frozenset((
    "from", "leftJoin", "rightJoin", "innerJoin", "fullJoin", "crossJoin",
    "leftJoinLateral", "innerJoinLateral", "crossJoinLateral",
))
WRITES = frozenset(("insert", "update", "delete"))
RELATIONAL = frozenset(("findMany", "findFirst"))
COUNT = "$count"
REFRESH = "refreshMaterializedView"
EXECUTE = "execute"
_DECLARING = SCHEMA_MEMBERS | {"raw"}  # members whose call may declare a table (or be sql.raw)
QUERY_METHODS = SOURCES | WRITES | RELATIONAL | {COUNT, REFRESH, EXECUTE}


def is_database(origin: Origin) -> bool:
    """A Drizzle database or transaction: ``drizzle(…)``'s result or a value of a database type."""
    if origin.package not in PACKAGES:
        return False
    return (origin.export == "drizzle" and origin.steps[:1] == (CALL,)) or (
        origin.export in DATABASE_TYPES and origin.steps[:1] == (NEW,))


def _declaration_steps(origin: Origin) -> bool:
    """Origin of a table object declared in this file (``pgTable(…)``, ``s.table(…)``, ``.enableRLS()`` after)."""
    if origin.package not in PACKAGES:
        return False
    if origin.export in TABLE_FACTORIES:
        return origin.steps[:1] == (CALL,)
    return origin.export == SCHEMA_FACTORY and len(origin.steps) >= 3 and origin.steps[0] == CALL and (
        origin.steps[1][1:] in SCHEMA_MEMBERS and origin.steps[2] == CALL)


def recognise(site: CallSite, facts: FileFacts) -> None:
    """Table declarations, queries and SQL templates of Drizzle."""
    if site.arguments is not None and site.arguments.type == "template_string":
        origin = facts.origins.of(tag_function(site.function), site.scope)
        if origin is not None and origin.is_(PACKAGES, ("sql",)):
            sql_text.analyse(site.call, site.arguments, facts, via=VIA, require_sql=True,
                             known=_interpolated(site, facts))
        return
    function = site.function
    _, prop = member_parts(function)
    if function.type == "identifier" or (prop is not None and facts.host.node_text(prop) in _DECLARING):
        origin = facts.origins.of(function, site.scope)
        if origin is not None and origin.package in PACKAGES and _declaration(site, function, origin, facts):
            return
    _query(site, facts)


# --- declarations -------------------------------------------------------------------------------


def _declaration(site: CallSite, function: Node | None, origin: Origin, facts: FileFacts) -> bool:
    """Read a declaration (or ``sql.raw``) call; False when the call is none."""
    if origin.export in TABLE_FACTORIES and not origin.steps:
        _table(site, None, facts)
    elif origin.export == SCHEMA_FACTORY and origin.steps[:1] == (CALL,) and len(origin.steps) == 2 and (
            origin.steps[1][1:] in SCHEMA_MEMBERS):
        obj, _ = member_parts(function)
        schema_origin = facts.origins.of(obj, site.scope)
        schema_call = schema_origin.node if schema_origin is not None else None
        schema_arg = first_argument(schema_call.child_by_field_name("arguments")) if schema_call is not None else None
        schema = chains.table_name(schema_arg, facts)
        if schema is None or schema.schema is not None or schema.alias is not None:
            sql_text.dynamic_sql(site.call, "pgSchema", facts, "the schema name given to")
        else:
            _table(site, schema.name, facts)
    elif origin.export == TABLE_CREATOR and origin.steps == (CALL,):
        sql_text.dynamic_sql(site.call, "a pgTableCreator table", facts, "the name of")
    elif origin.export == "sql" and origin.steps == (".raw",):
        # a literal reads as SQL only when it is a statement (``sql.raw('DESC')`` is a
        # fragment); one built at run time matters where it is executed (``_execute``)
        first = first_argument(site.arguments)
        if first is not None:
            sql_text.analyse(site.call, first, facts, via=VIA, require_sql=True)
    else:
        return False
    return True


def _table(site: CallSite, schema: str | None, facts: FileFacts) -> None:
    """``OrmModel`` for a table declaration whose first argument is its name."""
    arg = first_argument(site.arguments)
    table = chains.table_name(arg, facts)
    if table is None or table.schema is not None or table.alias is not None:
        sql_text.dynamic_sql(site.call, "a Drizzle table", facts, "the name of")
        return
    facts.orm_models.append(OrmModel(
        service=facts.src.service,
        class_name=_bound_name(site.call, facts) or table.name,
        ref=RelationRef(name=table.name, schema=schema, quoted=True),
        location=chains.location_at(facts, table.at),
    ))


def _bound_name(call: Node, facts: FileFacts) -> str | None:
    """The variable a declaration is bound to, through calls chained on it
    (``pgTable(…).enableRLS()``, ``pgView('v').as(…)``)."""
    current = call
    parent = current.parent
    while parent is not None and (
        (parent.type == "member_expression" and parent.child_by_field_name("object") == current)
        or (parent.type == "call_expression" and parent.child_by_field_name("function") == current)
        or parent.type in chains.TRANSPARENT
    ):
        current, parent = parent, parent.parent
    if parent is None or parent.type != "variable_declarator" or parent.child_by_field_name("value") != current:
        return None
    name = parent.child_by_field_name("name")
    return facts.host.node_text(name) if name is not None and name.type == "identifier" else None


# --- table objects --------------------------------------------------------------------------------


def table_object(node: Node | None, site: CallSite, facts: FileFacts) -> tuple[str, Node] | None:
    """(name of the table object, node) for an identifier or ``schema.t`` member
    that is a Drizzle table declared in this file or imported from the service's
    own modules (resolved after extraction); None for anything else."""
    node = chains.unwrap(node)
    if node is None or node.type not in ("identifier", "member_expression"):
        return None
    origin = facts.origins.of(node, site.scope)
    if origin is None:
        return None
    if _declaration_steps(origin):
        return (facts.host.node_text(node), node) if node.type == "identifier" else None
    if chains.is_service_module(origin.module) and not origin.steps:
        if origin.export == DEFAULT:
            return (facts.host.node_text(node), node) if node.type == "identifier" else None
        return origin.export, _property_or_self(node)
    return None


def _property_or_self(node: Node) -> Node:
    _, prop = member_parts(node)
    return prop if prop is not None else node


def _interpolated(site: CallSite, facts: FileFacts) -> sql_text.Known:
    def known(expression: Node) -> sql_text.Interpolation | None:
        found = table_object(expression, site, facts)
        if found is None:
            return None
        name, at = found
        return sql_text.Interpolation(at=facts.host.char_offset(at.start_byte), orm_class=name)
    return known


# --- queries ----------------------------------------------------------------------------------------


def _query(site: CallSite, facts: FileFacts) -> None:
    _, prop = member_parts(chains.unwrap(site.function))
    if prop is None or facts.host.node_text(prop) not in QUERY_METHODS:
        return
    root, links = chains.chain_below(site.call, facts)
    if not links:
        return
    last = links[-1]
    method = last.method
    if method is None:
        return
    if method in RELATIONAL and len(links) == 3 and links[0].method == "query" and links[0].call is None:
        _relational(site, root, links, facts)
        return
    if method in SOURCES:
        first = links[0]
        if len(links) < 2 or first.method not in SELECTS | {"update"} or first.call is None:
            return
        operation, kind = first.method, AccessKind.READ
    elif method in WRITES and len(links) == 1 and _arity(last) == 1:
        # one argument: Drizzle's, not an ORM's ``manager.update(User, where, data)``
        operation, kind = method, AccessKind.WRITE
    elif method == COUNT and len(links) == 1:
        operation, kind = method, AccessKind.READ
    elif method == REFRESH and len(links) == 1 and _arity(last) == 1:
        operation, kind = method, AccessKind.DDL
    elif method == EXECUTE and len(links) == 1:
        _execute(site, root, facts)
        return
    else:
        return
    table = table_object(first_argument(last.arguments), site, facts)
    if table is None or _receiver(root, site, facts) is Source.OTHER:
        return
    name, at = table
    chains.add_access(facts, site, facts.location(at), RelationRef(orm_class=name), kind, VIA, operation)


def _arity(link: Link) -> int:
    arguments = link.arguments
    return len(arguments.named_children) if arguments is not None and arguments.type == "arguments" else 0


def _receiver(root: Node | None, site: CallSite, facts: FileFacts) -> Source:
    return chains.classify(chains.receiver_origin(root, site.scope, facts), is_database)


def _relational(site: CallSite, root: Node | None, links: list[Link], facts: FileFacts) -> None:
    """``db.query.<t>.findMany()``: ``<t>`` is the table object's name in the schema."""
    table = links[1]
    if table.name is None or table.method is None or _receiver(root, site, facts) is Source.OTHER:
        return
    chains.add_access(facts, site, facts.location(table.name), RelationRef(orm_class=table.method),
                      AccessKind.READ, VIA, links[-1].method or "")


def _execute(site: CallSite, root: Node | None, facts: FileFacts) -> None:
    """``db.execute('…')`` with a literal, or ``sql.raw(x)`` built at run time (HOS205)."""
    arg = chains.unwrap(first_argument(site.arguments))
    if arg is None or _receiver(root, site, facts) is Source.OTHER:
        return
    if arg.type == "binary_expression" and generic_tag(arg) is not None:
        return  # ``sql<T>`…```: a template of its own tag (``recognise`` reads it at its site)
    if arg.type in ("string", "template_string", "binary_expression"):
        sql_text.analyse(site.call, arg, facts, via=VIA, require_sql=True, dynamic=".execute")
        return
    if arg.type != "call_expression":
        return
    origin = facts.origins.of(arg.child_by_field_name("function"), site.scope)
    raw = first_argument(arg.child_by_field_name("arguments"))
    if origin is not None and origin.is_(PACKAGES, ("sql",), (".raw",)) and raw is not None:
        if sql_literal(raw, facts.host) is None:
            sql_text.dynamic_sql(site.call, "sql.raw", facts)


# The package name (declarations, ``sql``) and the query calls, which a file may
# make on a database and tables imported from the service's own modules.
TRIGGERS = frozenset((b"drizzle-orm",)).union(
    *(frozenset((f".{m}(".encode(), f".{m}<".encode())) for m in SELECTS | QUERY_METHODS)
)
_DB = ("import { drizzle } from 'drizzle-orm/node-postgres';\nimport { t, u } from './schema';\n"
       "const db = drizzle(pool);\n")
_PG = "import { pgSchema, pgTable, pgView, pgMaterializedView, pgTableCreator } from 'drizzle-orm/pg-core';\n"
KNOWLEDGE = Knowledge(
    name=VIA,
    recognise=recognise,
    triggers=TRIGGERS,
    # without an import from the package, only a query on a database from the
    # service's own modules is read, and a query ends in one of these calls
    calls=QUERY_METHODS,
    calls_unless=tuple(p.encode() for p in sorted(PACKAGES)),
    examples=(
        *(f"{_PG}export const t = {f}('t', {{}});" for f in sorted(TABLE_FACTORIES)),
        *(f"{_PG}export const t = pgSchema('s').{m}('t', {{}});" for m in sorted(SCHEMA_MEMBERS)),
        f"{_PG}const make = pgTableCreator((n) => n);\nexport const t = make('t', {{}});",
        *(f"{_DB}db.{m}(t);" for m in sorted(WRITES)),
        *(f"{_DB}db.{m}().from(t);" for m in sorted(SELECTS)),
        *(f"{_DB}db.select().from(t).{m}(u, on);" for m in sorted(SOURCES - {"from"})),
        *(f"{_DB}db.query.t.{m}();" for m in sorted(RELATIONAL)),
        f"{_DB}db.{COUNT}(t);",
        f"{_DB}db.{REFRESH}(t);",
        f"{_DB}db.{EXECUTE}('SELECT * FROM t');",
        "import { sql } from 'drizzle-orm';\nconst q = sql`SELECT * FROM t`;",
        "import { sql } from 'drizzle-orm';\nconst q = sql.raw('SELECT * FROM t');",
    ),
)
