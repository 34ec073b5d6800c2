"""Knex (``knex``): the query builder and the schema builder.

**Queries** on a knex instance: ``knex('s.t')``, ``.from('s.t')``,
``.into('s.t')``, ``.table('s.t')`` name the query's table (``'s.t as x'``
and ``{ x: 's.t' }`` aliases too; ``.withSchema('s')`` anywhere in the chain
qualifies an unqualified one, as Knex does); joins (``join``, ``innerJoin``,
``leftJoin`` …) read their table. The table is written when the chain holds
``insert``, ``update``, ``del``/``delete``, ``truncate``, ``upsert``,
``increment``/``decrement``; locked (a write, operation ``LOCK``) with
``forUpdate``/``forNoKeyUpdate``/``forShare``; read otherwise (``select``,
``first``, ``pluck``, ``count`` …). Each table is read at the call naming
it, with the whole chain around it.

**Schema builder** (DDL): ``knex.schema[.withSchema('s')]`` then
``createTable``, ``createTableIfNotExists``, ``alterTable``, ``table``,
``dropTable``, ``dropTableIfExists``, ``renameTable``, ``createView`` …
(each call of a chained schema builder is one).

A knex instance is known by its origin: the ``knex`` package called
(``knex({...})``, ``require('knex')({...})``), a value typed ``Knex`` or
``Knex.Transaction``, ``knex.transaction()``'s result or a transaction
callback's parameter, the first parameter of a migration's or seed's
exported ``up``/``down``/``seed``, or — in a file that imports from ``knex``
— an instance imported from the service's own modules. ``knex.raw`` is raw
SQL (``raw_sql``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from hos_lint.extract.typescript import chains
from hos_lint.extract.typescript.chains import Link, Source, TableName
from hos_lint.extract.typescript.literals import object_pairs
from hos_lint.extract.typescript.origin import CALL, DEFAULT, NAMESPACE, NEW, Origin
from hos_lint.extract.typescript.sites import CallSite, FileFacts, Knowledge
from hos_lint.extract.typescript.tree import first_argument, member_parts
from hos_lint.model import AccessKind, Via

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.typescript.scopes import Scope

PACKAGES = frozenset(("knex",))
VIA = Via.KNEX
# The query's own table: named by calling the instance, or by one of these.
TABLE_METHODS = frozenset(("from", "into", "table"))
JOINS = frozenset((
    "join", "innerJoin", "leftJoin", "leftOuterJoin", "rightJoin", "rightOuterJoin", "fullOuterJoin",
    "crossJoin",
))
WRITES = ("insert", "update", "del", "delete", "truncate", "upsert", "increment", "decrement")
LOCKS = frozenset(("forUpdate", "forNoKeyUpdate", "forShare"))
SCHEMA = "schema"
WITH_SCHEMA = "withSchema"
DDL = frozenset((
    "createTable", "createTableIfNotExists", "createTableLike", "alterTable", "table", "dropTable",
    "dropTableIfExists", "renameTable", "createView", "createViewOrReplace", "alterView", "dropView",
    "dropViewIfExists", "createMaterializedView", "refreshMaterializedView", "dropMaterializedView",
    "dropMaterializedViewIfExists",
))
TRANSACTION = ".transaction"
MIGRATION_EXPORTS = frozenset(("up", "down", "seed"))


def is_instance(origin: Origin) -> bool:
    """A knex instance or transaction: the package called, or a value typed ``Knex``/``Knex.Transaction``."""
    if origin.package not in PACKAGES:
        return False
    steps = origin.steps
    if origin.export in (DEFAULT, NAMESPACE, "knex"):
        base = 1 if steps[:1] == (CALL,) else 0
    elif origin.export == "Knex" and NEW in steps:
        base = steps.index(NEW) + 1
        if steps[:base] not in ((NEW,), (".Transaction", NEW)):
            return False
    else:
        return False
    rest = steps[base:]
    return base > 0 and rest in ((), (TRANSACTION, CALL))


def recognise(site: CallSite, facts: FileFacts) -> None:
    """A call naming a table (``knex('t')``, ``.from('t')``, a join, a schema
    statement), judged with the whole chain it belongs to."""
    method = _table_method(site, facts)
    if method is False:
        return
    tables = _tables(first_argument(site.arguments), facts)
    if not tables:
        return
    root, below = chains.chain_below(site.call, facts)
    if not below or _receiver(root, site.scope, facts) is Source.OTHER:
        return
    links = below + chains.chain_above(site.call, facts)
    schema = chains.schema_override(links, WITH_SCHEMA, facts)
    if below[0].method == SCHEMA and below[0].call is None:
        if method in DDL:
            for table in tables:
                if table.alias is None:
                    _emit(site, table, schema, AccessKind.DDL, str(method), facts)
    elif method is None or method in TABLE_METHODS:
        kind, operation = _kind(links)
        for table in tables:
            _emit(site, table, schema, kind, operation, facts)
    elif method in JOINS:
        for table in tables:
            _emit(site, table, None, AccessKind.READ, "select", facts)


def _table_method(site: CallSite, facts: FileFacts) -> str | None | bool:
    """The method a call names a table with (None: the instance itself called),
    or False when the call names none."""
    function = chains.unwrap(site.function)
    if function is None:
        return False
    if function.type == "identifier" or chains.is_this_member(function):
        return None
    _, prop = member_parts(function)
    if function.type != "member_expression" or prop is None:
        return False
    method = facts.host.node_text(prop)
    return method if method in TABLE_METHODS or method in JOINS or method in DDL else False


def _kind(links: list[Link]) -> tuple[AccessKind, str]:
    """What the chain does to its table: written, locked, else read."""
    methods = {link.method for link in links if link.call is not None}
    write = next((m for m in WRITES if m in methods), None)
    if write is not None:
        return AccessKind.WRITE, write
    if methods & LOCKS:
        return AccessKind.WRITE, "LOCK"
    return AccessKind.READ, "select"


def _receiver(root: Node | None, scope: Scope, facts: FileFacts) -> Source:
    origin = chains.receiver_origin(root, scope, facts)
    if origin is None and root is not None and root.type == "identifier" and _migration_parameter(root, facts):
        return Source.LIBRARY
    return chains.client_source(origin, is_instance, PACKAGES, scope, facts)


def _migration_parameter(ident: Node, facts: FileFacts) -> bool:
    """``ident`` is the first parameter of an exported ``up``/``down``/``seed``
    (``exports.up = function (knex) …``, ``export async function up(knex)``)."""
    name = facts.host.node_text(ident)
    node = ident.parent
    while node is not None and node.type not in ("function_declaration", "function_expression", "arrow_function"):
        node = node.parent
    if node is None:
        return False
    params = node.child_by_field_name("parameters")
    single = node.child_by_field_name("parameter")
    listed = params.named_children[0] if params is not None and params.named_children else None
    first = single if single is not None else listed
    pattern = first.child_by_field_name("pattern") if first is not None and first.type != "identifier" else first
    if pattern is None or pattern.type != "identifier" or facts.host.node_text(pattern) != name:
        return False
    return _exported_as(node, facts) in MIGRATION_EXPORTS


def _exported_as(function: Node, facts: FileFacts) -> str | None:
    """The name a function is exported under: ``export function up``,
    ``export const up = …``, ``exports.up = …``, ``module.exports.up = …``."""
    parent = function.parent
    if function.type == "function_declaration":
        name = function.child_by_field_name("name")
        exported = parent is not None and parent.type == "export_statement"
        return facts.host.node_text(name) if exported and name is not None else None
    if parent is None:
        return None
    if parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        statement = parent.parent.parent if parent.parent is not None else None
        exported = statement is not None and statement.type == "export_statement"
        return facts.host.node_text(name) if exported and name is not None else None
    if parent.type == "assignment_expression":
        obj, prop = member_parts(parent.child_by_field_name("left"))
        target = facts.host.node_text(obj) if obj is not None else ""
        if prop is not None and target in ("exports", "module.exports"):
            return facts.host.node_text(prop)
    return None


# --- tables ------------------------------------------------------------------------------------------


def _tables(arg: Node | None, facts: FileFacts) -> list[TableName]:
    """The table string, or each value of an alias object ``{ o: 's.orders' }``."""
    arg = chains.unwrap(arg)
    if arg is None:
        return []
    if arg.type == "object":
        found = (chains.table_name(pair.value, facts) for pair in object_pairs(arg, facts.host))
        return [t for t in found if t is not None and t.alias is None]
    table = chains.table_name(arg, facts)
    return [table] if table is not None else []


def _emit(site: CallSite, table: TableName, schema: str | None, kind: AccessKind, operation: str,
          facts: FileFacts) -> None:
    chains.add_access(facts, site, chains.location_at(facts, table.at), chains.string_ref(table, schema),
                      kind, VIA, operation)


# The package name (imports, types), and what a migration or seed file whose
# exported function takes an untyped instance holds.
TRIGGERS = frozenset((b"knex", b"Knex")).union(
    *(frozenset((f"exports.{n} ".encode(), f"exports.{n}=".encode(), f"function {n}(".encode(),
                 f"const {n} ".encode(), f"const {n}=".encode())) for n in sorted(MIGRATION_EXPORTS))
)
_DB = "import knex from 'knex';\nconst db = knex({});\n"
KNOWLEDGE = Knowledge(
    name=VIA,
    recognise=recognise,
    triggers=TRIGGERS,
    examples=(
        *(f"{_DB}db('s.t').{m}();" for m in WRITES),
        *(f"{_DB}db('s.t').{m}().first();" for m in sorted(LOCKS)),
        *(f"{_DB}db.select('*').{m}('t');" for m in sorted(TABLE_METHODS)),
        *(f"{_DB}db('t').{m}('u', 'u.id', 't.id');" for m in sorted(JOINS)),
        *(f"{_DB}db.schema.withSchema('s').{m}('t');" for m in sorted(DDL)),
        "exports.up = function (db) { return db.schema.createTable('t', () => {}); };",
        "exports.seed = async function (db) { await db('t').insert({}); };",
        "export async function down(db) { await db.schema.dropTable('t'); }",
        "export const up = async (db) => db.schema.createTable('t', () => {});",
    ),
)
