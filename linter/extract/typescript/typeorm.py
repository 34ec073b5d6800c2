"""TypeORM (``typeorm``, ``@nestjs/typeorm``): entities, repositories, the
entity manager, query builders and migrations.

Models: a class decorated ``@Entity()`` / ``@Entity('name', { schema })`` /
``@Entity({ name, schema })`` maps a table (named after the class in
snake_case when no name is given, TypeORM's default naming strategy);
``@ViewEntity(…)`` maps a view (reads of it follow the view rules, writes are
HOS104); its literal SQL ``expression`` is what the view reads. The decorators
count only when imported from ``typeorm``.

Operations are recognised by where their receiver comes from (``imports``),
through TypeORM's own types:

- a *data source* (``new DataSource(…)``, a value typed ``DataSource``),
  an *entity manager* (typed ``EntityManager``, ``dataSource.manager``, the
  parameter of a ``transaction`` callback), a *query runner* (typed
  ``QueryRunner``, ``dataSource.createQueryRunner()``);
- a *repository* of entity ``E``: typed ``Repository<E>`` (or injected with
  ``@InjectRepository(E)``), ``<source or manager>.getRepository(E)`` (also
  on a data source imported from another file of the service), ``this`` in
  a custom repository ``class R extends Repository<E>``;
- a *query builder*: ``createQueryBuilder`` on any of them.

Reads and writes: the repository methods (``find``, ``save``, ``update`` …)
on the repository's entity, located at the method; the same methods on a
manager with the entity as first argument (``manager.update(User, …)``),
located at the entity; query builders' ``.from(E | 'schema.table')`` (a
write after ``.delete()``), ``.update(E)``, ``.insert().into(E)``, joins of an
entity or a table name, and the builder's own entity (read where it is
created, written by ``.update()/.delete()/.insert()`` without a target).
Migrations: the query runner's ``createTable``, ``dropTable``, ``addColumn``,
``createIndex`` … are DDL (``createTable``/``createView`` also define the
relation), ``clearTable`` a write, a ``TableForeignKey``'s
``referencedTableName`` a reference. ``.query(sql)`` is raw SQL
(``raw_sql``).

Not read: a join on ``'alias.relation'`` (TypeORM's relation path: the
related entity is only known from the relation's metadata), entities given by
name (``getRepository('User')``), a view entity's ``expression`` given as a
function, and the
inherited methods of a custom repository called from outside its class.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING

from hos_lint.extract.typescript.entities import (
    add_access,
    add_model,
    arguments_of,
    class_argument,
    class_decorators,
    class_ref,
    computed,
    first_class,
    follow_steps,
    imports_package,
    is_local,
    outer_methods,
    path_ref,
    role_call,
    snake_case,
    string_value,
    table_ref,
    text_start,
    type_entity,
)
from hos_lint.extract.typescript.literals import object_items, pair_value
from hos_lint.extract.typescript.origin import CALL, NEW, PARAM, Origin
from hos_lint.extract.typescript.sites import CallSite, ClassSite, FileFacts, Knowledge
from hos_lint.model import AccessKind, RelationDef, RelationKind, RelationRef, Via

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.typescript.scopes import Scope

VIA = Via.TYPEORM
PACKAGES = frozenset(("typeorm",))
NEST_PACKAGE = "@nestjs/typeorm"

READ_METHODS = frozenset((
    "find findBy findAndCount findAndCountBy findOne findOneBy findOneOrFail findOneByOrFail findByIds "
    "count countBy exists existsBy sum average minimum maximum preload"
).split())
WRITE_METHODS = frozenset((
    "save insert update upsert delete softDelete restore remove softRemove recover increment decrement clear"
).split())
# Query builder methods that name a relation in their first argument, and what they do to it.
_BUILDER_TARGETS = {"from": "select", "addFrom": "select", "into": "insert", "update": "update"}
_JOINS = frozenset((
    "join leftJoin innerJoin leftJoinAndSelect innerJoinAndSelect leftJoinAndMapOne leftJoinAndMapMany "
    "innerJoinAndMapOne innerJoinAndMapMany"
).split())
_MAP_JOINS = frozenset(m for m in _JOINS if "AndMap" in m)  # (mapToProperty, entity, alias, …)
# Builder methods that write the builder's entity when they name no target.
_BUILDER_WRITES = frozenset(("update", "delete", "softDelete", "restore", "insert"))
_DELETING = frozenset(("delete", "softDelete"))
# Builder methods whose result is no longer a builder.
_BUILDER_RESULTS = frozenset((
    "getMany getOne getOneOrFail getRawMany getRawOne getManyAndCount getRawAndEntities getCount getExists "
    "execute stream getQuery getSql getQueryAndParameters getParameters then"
).split())

# Query runner schema changes: method → (operation, kind); the table is the first argument.
_MIGRATION_METHODS: dict[str, tuple[str, AccessKind]] = {
    "createTable": ("CREATE TABLE", AccessKind.DDL),
    "dropTable": ("DROP TABLE", AccessKind.DDL),
    "createView": ("CREATE VIEW", AccessKind.DDL),
    "dropView": ("DROP VIEW", AccessKind.DDL),
    "createIndex": ("CREATE INDEX", AccessKind.DDL),
    "createIndices": ("CREATE INDEX", AccessKind.DDL),
    "dropIndex": ("DROP INDEX", AccessKind.DDL),
    "dropIndices": ("DROP INDEX", AccessKind.DDL),
    "clearTable": ("TRUNCATE", AccessKind.WRITE),
    **{method: ("ALTER TABLE", AccessKind.DDL) for method in (
        "renameTable addColumn addColumns renameColumn changeColumn changeColumns dropColumn dropColumns "
        "createPrimaryKey updatePrimaryKeys dropPrimaryKey createUniqueConstraint createUniqueConstraints "
        "dropUniqueConstraint dropUniqueConstraints createCheckConstraint createCheckConstraints "
        "dropCheckConstraint dropCheckConstraints createExclusionConstraint createExclusionConstraints "
        "dropExclusionConstraint dropExclusionConstraints createForeignKey createForeignKeys "
        "dropForeignKey dropForeignKeys"
    ).split()},
}
_FOREIGN_KEY_METHODS = frozenset(("createForeignKey", "createForeignKeys"))


# Every method a call site is read for (the others are not looked at).
_METHODS = frozenset((*READ_METHODS, *WRITE_METHODS, "createQueryBuilder", *_BUILDER_TARGETS, *_JOINS,
                      *_BUILDER_WRITES, *_MIGRATION_METHODS))


class Kind(Enum):
    DATA_SOURCE = "data source"
    MANAGER = "entity manager"
    REPOSITORY = "repository"
    QUERY_RUNNER = "query runner"
    BUILDER = "query builder"
    UNKNOWN = "a value from another file"  # only its TypeORM-shaped members are followed


@dataclass(frozen=True, slots=True)
class Role:
    """What a receiver is to TypeORM: its kind, the entity of a repository or
    builder (the class name node), and a builder's aliases and whether it deletes."""

    kind: Kind
    entity: Node | None = None
    aliases: tuple[str, ...] = ()
    deleting: bool = False


_TYPES = {
    "DataSource": Kind.DATA_SOURCE, "Connection": Kind.DATA_SOURCE, "EntityManager": Kind.MANAGER,
    "Repository": Kind.REPOSITORY, "TreeRepository": Kind.REPOSITORY, "QueryRunner": Kind.QUERY_RUNNER,
    "SelectQueryBuilder": Kind.BUILDER, "QueryBuilder": Kind.BUILDER,
}
# TypeORM 0.2 globals: getManager(), getConnection(), getRepository(E), createQueryBuilder(…).
_GLOBALS = {
    "getManager": Kind.MANAGER, "getConnection": Kind.DATA_SOURCE, "createConnection": Kind.DATA_SOURCE,
    "getRepository": Kind.REPOSITORY, "getTreeRepository": Kind.REPOSITORY, "createQueryBuilder": Kind.BUILDER,
}
_GET_REPOSITORY = frozenset(("getRepository", "getTreeRepository"))
_SOURCES = frozenset((Kind.DATA_SOURCE, Kind.MANAGER))


# --- what a receiver is -------------------------------------------------------------------------


def role_of(origin: Origin | None, scope: Scope, facts: FileFacts) -> Role | None:
    """What ``origin`` denotes, following its steps through TypeORM's types."""
    if origin is None:
        return None
    role: Role | None
    if origin.package in PACKAGES:
        start = _start(origin, scope, facts)
        if start is None:
            return None
        role, index = start
    elif is_local(origin) and not imports_package(facts, scope, ("@mikro-orm/",)):
        role, index = Role(Kind.UNKNOWN), 0
    else:
        return None
    role = follow_steps(role, index, origin, scope, facts, _after_method, _after_property)
    return None if role is None or role.kind is Kind.UNKNOWN else role


def _start(origin: Origin, scope: Scope, facts: FileFacts) -> tuple[Role, int] | None:
    steps = origin.steps
    if steps[:1] == (NEW,) and origin.export in _TYPES:
        kind = _TYPES[origin.export]
        entity = type_entity(origin.nodes[0], scope, facts, NEST_PACKAGE) if kind is Kind.REPOSITORY else None
        return Role(kind, entity), 1
    if steps[:1] == (CALL,) and origin.export in _GLOBALS:
        kind = _GLOBALS[origin.export]
        call = origin.nodes[0]
        if kind is Kind.REPOSITORY:
            return Role(kind, first_class(call, scope, facts)), 1
        if kind is Kind.BUILDER:
            return _builder(call, scope, facts, None), 1
        return Role(kind), 1
    return None


def _after_property(role: Role, name: str) -> Role | None:
    kind = role.kind
    if name == "manager" and kind in (Kind.DATA_SOURCE, Kind.REPOSITORY, Kind.QUERY_RUNNER, Kind.UNKNOWN):
        return Role(Kind.MANAGER)
    if name == "queryRunner" and kind in (Kind.MANAGER, Kind.REPOSITORY):
        return Role(Kind.QUERY_RUNNER)
    if name == "connection" and kind in (Kind.MANAGER, Kind.QUERY_RUNNER):
        return Role(Kind.DATA_SOURCE)
    return None


def _after_method(role: Role, name: str, how: str, node: Node, scope: Scope, facts: FileFacts) -> Role | None:
    """The role of ``<role>.<name>(…)`` (``how`` is ``()``) or of the first parameter
    of a callback passed to it (``how`` is ``=>``)."""
    kind = role.kind
    if how == PARAM:
        return Role(Kind.MANAGER) if name == "transaction" and kind in (*_SOURCES, Kind.UNKNOWN) else None
    if name in _GET_REPOSITORY and kind in (*_SOURCES, Kind.UNKNOWN):
        return Role(Kind.REPOSITORY, first_class(node, scope, facts))
    if kind is Kind.UNKNOWN:
        return None
    if name == "createQueryBuilder" and kind in (*_SOURCES, Kind.REPOSITORY):
        return _builder(node, scope, facts, role)
    if name == "createQueryRunner" and kind is Kind.DATA_SOURCE:
        return Role(Kind.QUERY_RUNNER)
    if name == "initialize" and kind is Kind.DATA_SOURCE:
        return role
    if name == "extend" and kind is Kind.REPOSITORY:
        return role
    if kind is Kind.BUILDER and name not in _BUILDER_RESULTS:
        return _builder_step(role, name, node, facts)
    return None


def _builder(call: Node, scope: Scope, facts: FileFacts, source: Role | None) -> Role:
    """``createQueryBuilder(…)``: of a repository (``(alias)``), else ``(Entity, alias)``."""
    args = arguments_of(call.child_by_field_name("arguments"))
    if source is not None and source.kind is Kind.REPOSITORY:
        alias = string_value(args[0], facts) if args else None
        return Role(Kind.BUILDER, source.entity, (alias,) if alias else ())
    entity = class_argument(args[0], scope, facts) if args else None
    alias = string_value(args[1], facts) if entity is not None and len(args) > 1 else None
    return Role(Kind.BUILDER, entity, (alias,) if alias else ())


def _builder_step(role: Role, name: str, call: Node, facts: FileFacts) -> Role:
    """The builder after ``.<name>(…)``: aliases it introduces, whether it now deletes."""
    args = arguments_of(call.child_by_field_name("arguments"))
    alias_at = 2 if name in _MAP_JOINS else 1
    if (name in _JOINS or name in ("from", "addFrom")) and len(args) > alias_at:
        alias = string_value(args[alias_at], facts)
        if alias:
            role = replace(role, aliases=(*role.aliases, alias))
    if name in _DELETING:
        role = replace(role, deleting=True)
    return role


# --- call sites ---------------------------------------------------------------------------------


def recognise(site: CallSite, facts: FileFacts) -> None:
    call = role_call(site, facts, _METHODS, role_of)
    if call is None:
        return
    role, prop, method, args = call
    if role.kind is Kind.REPOSITORY:
        _repository_call(role, method, prop, site, facts)
    elif role.kind in _SOURCES:
        _manager_call(role, method, args, site, facts)
    elif role.kind is Kind.BUILDER:
        _builder_call(role, method, prop, args, site, facts)
    elif role.kind is Kind.QUERY_RUNNER:
        _migration_call(method, args, site, facts)


def _kind_of(method: str) -> AccessKind | None:
    if method in READ_METHODS:
        return AccessKind.READ
    return AccessKind.WRITE if method in WRITE_METHODS else None


def _repository_call(role: Role, method: str, prop: Node, site: CallSite, facts: FileFacts) -> None:
    if role.entity is None:
        return
    kind = _kind_of(method)
    if kind is not None:
        add_access(facts, prop, class_ref(role.entity, facts), kind, via=VIA, operation=method, call=site.call)
    elif method == "createQueryBuilder" and not _writes_later(site.call, facts):
        add_access(facts, prop, class_ref(role.entity, facts), AccessKind.READ, via=VIA, operation="select",
                   call=site.call)


def _manager_call(role: Role, method: str, args: list[Node], site: CallSite, facts: FileFacts) -> None:
    kind = _kind_of(method) if role.kind is Kind.MANAGER else None
    entity = class_argument(args[0], site.scope, facts) if args else None
    if entity is None:
        return
    if kind is not None:
        add_access(facts, entity, class_ref(entity, facts), kind, via=VIA, operation=method, call=site.call)
    elif method == "createQueryBuilder" and not _writes_later(site.call, facts):
        add_access(facts, entity, class_ref(entity, facts), AccessKind.READ, via=VIA, operation="select",
                   call=site.call)


def _builder_call(role: Role, method: str, prop: Node, args: list[Node], site: CallSite, facts: FileFacts) -> None:
    first = args[0] if args else None
    if method in _BUILDER_TARGETS and _target(first, role, site, facts, join=False) is not None:
        operation = "delete" if method in ("from", "addFrom") and role.deleting else _BUILDER_TARGETS[method]
        kind = AccessKind.READ if operation == "select" else AccessKind.WRITE
        _emit_target(first, kind, operation, role, site, facts)
    elif method in _JOINS:
        target = args[1] if method in _MAP_JOINS and len(args) > 1 else first
        _emit_target(target, AccessKind.READ, method, role, site, facts, join=True)
    elif method in _BUILDER_WRITES and role.entity is not None and not _targets_later(site.call, facts):
        add_access(facts, prop, class_ref(role.entity, facts), AccessKind.WRITE, via=VIA, operation=method,
                   call=site.call)


def _target(node: Node | None, role: Role, site: CallSite, facts: FileFacts, *, join: bool) -> RelationRef | None:
    """The relation a builder argument names: an entity class, or a table path
    string (in a join only a plain name: ``'alias.relation'`` is a relation path)."""
    if node is None:
        return None
    entity = class_argument(node, site.scope, facts)
    if entity is not None:
        return class_ref(entity, facts)
    text = string_value(node, facts)
    if text is None or (join and "." in text):
        return None
    return path_ref(text)


def _emit_target(node: Node | None, kind: AccessKind, operation: str, role: Role, site: CallSite,
                 facts: FileFacts, *, join: bool = False) -> None:
    ref = _target(node, role, site, facts, join=join)
    if node is None or ref is None:
        return
    entity = class_argument(node, site.scope, facts)
    at = entity if entity is not None else text_start(node)
    add_access(facts, at, ref, kind, via=VIA, operation=operation, call=site.call)


def _writes_later(call: Node, facts: FileFacts) -> bool:
    return any(m in _BUILDER_WRITES or m == "into" for m in outer_methods(call, facts))


def _targets_later(call: Node, facts: FileFacts) -> bool:
    return any(m in ("from", "into") for m in outer_methods(call, facts))


# --- migrations --------------------------------------------------------------------------------


def _migration_call(method: str, args: list[Node], site: CallSite, facts: FileFacts) -> None:
    if method not in _MIGRATION_METHODS or not args:
        return
    operation, kind = _MIGRATION_METHODS[method]
    table = _table_argument(args[0], method, site, facts)
    if table is None:
        return
    at, ref = table
    add_access(facts, at, ref, kind, via=VIA, operation=operation, call=site.call)
    if method in ("createTable", "createView"):
        _define(at, ref, method == "createView", site, facts)
    if method == "createTable":
        _foreign_keys(pair_value(_options_of(args[0]), "foreignKeys", facts.host), ref, site, facts)
    elif method in _FOREIGN_KEY_METHODS and len(args) > 1:
        _foreign_keys(args[1], ref, site, facts)


def _options_of(node: Node) -> Node | None:
    """The options object of ``new Table({…})`` / ``new View({…})`` / ``{…}``."""
    if node.type == "new_expression":
        args = arguments_of(node.child_by_field_name("arguments"))
        node = args[0] if args else node
    return node if node.type == "object" else None


def _table_argument(node: Node, method: str, site: CallSite, facts: FileFacts) -> tuple[Node, RelationRef] | None:
    """A migration's table: ``'schema.table'``, or ``new Table({ name, schema })``."""
    options = _options_of(node)
    name_node = pair_value(options, "name", facts.host) if options is not None else node
    if name_node is None:
        return None
    text = string_value(name_node, facts)
    if text is None:
        computed(facts, name_node, f"TypeORM {method}'s table", site.call)
        return None
    ref = path_ref(text)
    schema_node = pair_value(options, "schema", facts.host) if options is not None else None
    if ref is not None and schema_node is not None:
        schema = string_value(schema_node, facts)
        if schema is None:
            computed(facts, schema_node, f"TypeORM {method}'s schema", site.call)
            return None
        ref = table_ref(ref.name, schema)
    return (text_start(name_node), ref) if ref is not None else None


def _define(at: Node, ref: RelationRef, view: bool, site: CallSite, facts: FileFacts) -> None:
    facts.relation_defs.append(RelationDef(
        service=facts.src.service, ref=ref, kind=RelationKind.VIEW if view else RelationKind.TABLE,
        location=facts.location(at), what="TypeORM createView" if view else "TypeORM createTable",
    ))


def _foreign_keys(node: Node | None, table: RelationRef, site: CallSite, facts: FileFacts) -> None:
    """``referencedTableName`` (and ``referencedSchema``) of foreign keys: references from ``table``."""
    items = [_options_of(item) for item in (node.named_children if node is not None and node.type == "array" else
                                            [node] if node is not None else [])]
    for options in (o for item in items for o in object_items(item)):
        name_node = pair_value(options, "referencedTableName", facts.host)
        text = string_value(name_node, facts)
        ref = path_ref(text) if text is not None else None
        if name_node is None or ref is None:
            continue
        schema = string_value(pair_value(options, "referencedSchema", facts.host), facts)
        if schema is not None:
            ref = table_ref(ref.name, schema)
        add_access(facts, text_start(name_node), ref, AccessKind.REFERENCE, via=VIA, operation="REFERENCES",
                   call=site.call, referrer=table)


# --- entities -----------------------------------------------------------------------------------


def recognise_class(site: ClassSite, facts: FileFacts) -> None:
    """``@Entity(…)`` / ``@ViewEntity(…)`` from ``typeorm`` on a named class."""
    if site.name is None:
        return
    for decorator, arguments, origin in class_decorators(site, facts):
        if origin.package not in PACKAGES or origin.steps:
            continue
        if origin.export in ("Entity", "ViewEntity"):
            _entity(site, facts, decorator, arguments, view=origin.export == "ViewEntity")


def _entity(site: ClassSite, facts: FileFacts, decorator: Node, arguments: Node | None, *, view: bool) -> None:
    args = arguments_of(arguments)
    what = "TypeORM @ViewEntity" if view else "TypeORM @Entity"
    name_node: Node | None = None
    options: Node | None = None
    if args and args[0].type == "object":
        options = args[0]
    elif args:
        name_node = args[0]
        options = args[1] if len(args) > 1 and args[1].type == "object" else None
    if options is not None and name_node is None:
        name_node = pair_value(options, "name", facts.host)
    schema_node = pair_value(options, "schema", facts.host) if options is not None else None
    if site.name is None:
        return  # an anonymous class expression: no entity name to map
    name = facts.host.node_text(site.name)
    table = snake_case(name) if name_node is None else string_value(name_node, facts)
    schema = None if schema_node is None else string_value(schema_node, facts)
    if table is None or (schema_node is not None and schema is None):
        at = schema_node if table is not None and schema_node is not None else name_node
        computed(facts, at if at is not None else decorator, f"{what} {name}'s table", decorator)
        return
    expression = pair_value(options, "expression", facts.host) if options is not None and view else None
    add_model(facts, site.name, table_ref(table, schema), view=view, what=what, expression=expression)


KNOWLEDGE = Knowledge(
    name="typeorm",
    recognise=recognise,
    recognise_class=recognise_class,
    # The package name (every import of a decorator, type or global), and the
    # members followed on a data source imported from another file.
    triggers=frozenset((b"typeorm", b".getRepository(", b".getTreeRepository(", b".manager.", b".transaction(")),
    examples=(
        "import { Entity } from 'typeorm'\n@Entity({ schema: 's' })\nexport class T {}\n",
        "import { ViewEntity } from 'typeorm'\n@ViewEntity('v', { schema: 's' })\nexport class V {}\n",
        "import { Repository } from 'typeorm'\nexport const f = (r: Repository<T>) => r.find()\n",
        "import { ds } from './data-source'\nexport const f = () => ds.getRepository(T).save({})\n",
        "import { ds } from './data-source'\nexport const f = () => ds.manager.update(T, {}, {})\n",
        "import { ds } from './data-source'\nexport const f = () => ds.transaction((m) => m.delete(T, {}))\n",
        "import { DataSource } from 'typeorm'\n"
        "export const f = (d: DataSource) => d.createQueryBuilder().from('s.t', 't')\n",
        "import { QueryRunner } from 'typeorm'\nexport const up = (q: QueryRunner) => q.dropTable('s.t')\n",
    ),
)
