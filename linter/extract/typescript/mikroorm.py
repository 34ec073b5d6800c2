"""MikroORM (``@mikro-orm/*``): entities, entity schemas, the entity manager
and repositories.

Models: a class decorated ``@Entity()`` / ``@Entity({ tableName, schema })``
(``collection`` is ``tableName``'s alias) maps a table, named after the class
by MikroORM's default ``UnderscoreNamingStrategy`` when no name is given;
``view: true`` makes it a view. ``new EntitySchema({ name, tableName, schema,
class })`` and ``defineEntity({…})`` map the variable they are assigned to
(and the ``class`` they describe). An entity with an ``expression`` but no
``view: true`` is virtual (no table), and an ``abstract`` one maps nothing.

Receivers by origin: an *entity manager* (typed ``EntityManager`` /
``SqlEntityManager``, ``orm.em`` of ``MikroORM.init(…)``, ``em.fork()``, the
parameter of ``em.transactional(async (em) => …)``,
``RequestContext.getEntityManager()``), a *repository* of ``E`` (typed
``EntityRepository<E>`` or injected with ``@InjectRepository(E)`` from
``@mikro-orm/nestjs``, ``em.getRepository(E)``, ``this`` in ``class R extends
EntityRepository<E>``). A value imported from another file of the service is
followed through ``.em``, ``.orm`` and ``.getRepository(E)`` when the file
imports MikroORM.

Operations: ``em.find/findOne/findOneOrFail/findAll/findAndCount/count``
(reads) and ``create/persist/nativeInsert/nativeUpdate/nativeDelete/upsert/
insert/remove`` (writes) with the entity first (``em.persist(new Book())``),
located at the entity; the same methods of a repository, at the method;
``em.createQueryBuilder(E)`` / ``em.qb(E)`` read ``E`` unless the chain
updates, inserts, deletes or truncates; ``em.execute(sql)`` and a migration's
``this.addSql(sql)`` (``class M extends Migration``) are raw SQL.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from hos_lint.extract.typescript.entities import (
    add_access,
    add_model,
    arguments_of,
    bound_name,
    class_argument,
    class_decorators,
    class_ref,
    computed,
    embedded_sql,
    follow_steps,
    imports_package,
    is_local,
    options_argument,
    outer_methods,
    role_call,
    string_value,
    table_ref,
    type_entity,
    underscore,
)
from hos_lint.extract.typescript.literals import pair_value
from hos_lint.extract.typescript.origin import CALL, NEW, PARAM, Origin
from hos_lint.extract.typescript.sites import CallSite, ClassSite, FileFacts, Knowledge
from hos_lint.model import AccessKind, Via

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.base import HostText
    from hos_lint.extract.typescript.scopes import Scope

VIA = Via.MIKRO_ORM
PREFIX = ("@mikro-orm/",)
NEST_PACKAGE = "@mikro-orm/nestjs"

READ_METHODS = frozenset("find findOne findOneOrFail findAll findAndCount findByCursor count".split())
WRITE_METHODS = frozenset((
    "create persist persistAndFlush nativeInsert nativeUpdate nativeDelete upsert upsertMany insert insertMany "
    "remove removeAndFlush"
).split())
_BUILDERS = frozenset(("createQueryBuilder", "qb"))
_BUILDER_WRITES = ("update", "insert", "delete", "truncate")


_METHODS = frozenset((*READ_METHODS, *WRITE_METHODS, *_BUILDERS, "execute", "addSql"))


class Kind(Enum):
    MIGRATION = "migration"
    ORM = "MikroORM instance"
    MANAGER = "entity manager"
    REPOSITORY = "repository"
    UNKNOWN = "a value from another file"


@dataclass(frozen=True, slots=True)
class Role:
    kind: Kind
    entity: Node | None = None


_TYPES = {
    "EntityManager": Kind.MANAGER, "SqlEntityManager": Kind.MANAGER, "MikroORM": Kind.ORM,
    "EntityRepository": Kind.REPOSITORY, "SqlEntityRepository": Kind.REPOSITORY, "Migration": Kind.MIGRATION,
}


def _is_mikro(origin: Origin) -> bool:
    return origin.package.startswith(PREFIX)


def role_of(origin: Origin | None, scope: Scope, facts: FileFacts) -> Role | None:
    """What ``origin`` denotes, following its steps through MikroORM's types."""
    if origin is None:
        return None
    steps, nodes = origin.steps, origin.nodes
    index = 1
    if _is_mikro(origin) and steps[:1] == (NEW,) and origin.export in _TYPES:
        kind = _TYPES[origin.export]
        role: Role | None = Role(kind, type_entity(nodes[0], scope, facts, NEST_PACKAGE) if kind is Kind.REPOSITORY
                                 else None)
    elif _is_mikro(origin) and origin.export == "MikroORM" and steps[:2] == (".init", CALL):
        role, index = Role(Kind.ORM), 2
    elif _is_mikro(origin) and origin.export == "RequestContext" and steps[:2] == (".getEntityManager", CALL):
        role, index = Role(Kind.MANAGER), 2
    elif is_local(origin) and imports_package(facts, scope, PREFIX):
        role, index = Role(Kind.UNKNOWN), 0
    else:
        return None
    role = follow_steps(role, index, origin, scope, facts, _after_method, _after_property)
    return None if role is None or role.kind is Kind.UNKNOWN else role


def _after_property(role: Role, name: str) -> Role | None:
    if name == "em" and role.kind in (Kind.ORM, Kind.UNKNOWN):
        return Role(Kind.MANAGER)
    if name == "orm" and role.kind is Kind.UNKNOWN:
        return Role(Kind.ORM)
    return None


def _after_method(role: Role, name: str, how: str, node: Node, scope: Scope, facts: FileFacts) -> Role | None:
    kind = role.kind
    if how == PARAM:
        return Role(Kind.MANAGER) if name == "transactional" and kind is Kind.MANAGER else None
    if name == "getRepository" and kind in (Kind.MANAGER, Kind.UNKNOWN):
        args = arguments_of(node.child_by_field_name("arguments"))
        return Role(Kind.REPOSITORY, class_argument(args[0], scope, facts) if args else None)
    if name == "fork" and kind is Kind.MANAGER:
        return role
    return None


# --- call sites ---------------------------------------------------------------------------------


def recognise(site: CallSite, facts: FileFacts) -> None:
    _define_entity_call(site, facts)  # ``defineEntity`` is none of ``_METHODS``: at most one of the two applies
    call = role_call(site, facts, _METHODS, role_of)
    if call is None:
        return
    role, prop, method, args = call
    kind = AccessKind.READ if method in READ_METHODS else AccessKind.WRITE if method in WRITE_METHODS else None
    if role.kind is Kind.REPOSITORY and role.entity is not None:
        if kind is not None:
            add_access(facts, prop, class_ref(role.entity, facts), kind, via=VIA, operation=method, call=site.call)
        elif method in _BUILDERS:
            _builder(prop, role.entity, site, facts)
    elif role.kind is Kind.MIGRATION:
        if method == "addSql":
            embedded_sql(facts, args[0] if args else None, site.call, via=VIA, method=method)
    elif role.kind is Kind.MANAGER:
        if method == "execute":
            embedded_sql(facts, args[0] if args else None, site.call, via=VIA, method=method)
            return
        entity = class_argument(args[0], site.scope, facts) if args else None
        if entity is None:
            return
        if kind is not None:
            add_access(facts, entity, class_ref(entity, facts), kind, via=VIA, operation=method, call=site.call)
        elif method in _BUILDERS:
            _builder(entity, entity, site, facts)


def _builder(at: Node, entity: Node, site: CallSite, facts: FileFacts) -> None:
    """A query builder of ``entity``: a read, unless its chain writes."""
    writes = [m for m in outer_methods(site.call, facts) if m in _BUILDER_WRITES]
    kind = AccessKind.WRITE if writes else AccessKind.READ
    add_access(facts, at, class_ref(entity, facts), kind, via=VIA, operation=writes[0] if writes else "select",
               call=site.call)


# --- entities -----------------------------------------------------------------------------------


def recognise_class(site: ClassSite, facts: FileFacts) -> None:
    """``@Entity(…)`` from ``@mikro-orm/*`` on a named class."""
    if site.name is None:
        return
    for decorator, arguments, origin in class_decorators(site, facts):
        if _is_mikro(origin) and not origin.steps and origin.export == "Entity":
            options = options_argument(arguments)
            _model(site.name, facts.host.node_text(site.name), options, decorator, facts, "MikroORM @Entity")


def recognise_new(site: CallSite, facts: FileFacts) -> None:
    """``new EntitySchema({…})`` from ``@mikro-orm/*``."""
    origin = facts.origins.of(site.function, site.scope)
    if origin is not None and _is_mikro(origin) and not origin.steps and origin.export == "EntitySchema":
        _schema(site, facts, "MikroORM EntitySchema")


def _define_entity_call(site: CallSite, facts: FileFacts) -> None:
    """``defineEntity({…})`` from ``@mikro-orm/*``."""
    function = site.function
    named = function if function.type == "identifier" else function.child_by_field_name("property")
    if named is None or facts.host.node_text(named) != "defineEntity":
        return
    origin = facts.origins.of(function, site.scope)
    if origin is not None and _is_mikro(origin) and not origin.steps and origin.export == "defineEntity":
        _schema(site, facts, "MikroORM defineEntity")


def _schema(site: CallSite, facts: FileFacts, what: str) -> None:
    """An entity schema: the variable it is bound to and its ``class`` are models."""
    options = options_argument(site.arguments)
    if options is None:
        return
    bound = bound_name(site.call, ("as_expression", "satisfies_expression"))
    names = [bound] if bound is not None and bound.type == "identifier" else []
    target = pair_value(options, "class", facts.host)
    if target is not None and target.type == "identifier":
        names.append(target)
    entity_name = string_value(pair_value(options, "name", facts.host), facts)
    default = entity_name or (facts.host.node_text(target) if target is not None and target.type == "identifier"
                              else None)
    for name in names:
        _model(name, default or facts.host.node_text(name), options, site.call, facts, what)


def _flag(options: Node, key: str, host: HostText) -> bool:
    """True when the options object sets ``key: true``."""
    value = pair_value(options, key, host)
    return value is not None and host.node_text(value) == "true"


def _model(name_node: Node, entity_name: str, options: Node | None, at: Node, facts: FileFacts, what: str) -> None:
    host = facts.host
    if options is not None:
        if _flag(options, "abstract", host):
            return
        view = _flag(options, "view", host)
        if pair_value(options, "expression", host) is not None and not view:
            return  # a virtual entity: no table
        if _flag(options, "virtual", host):
            return
    else:
        view = False
    table_node = pair_value(options, "tableName", host) or pair_value(options, "collection", host)
    schema_node = pair_value(options, "schema", host)
    table = underscore(entity_name) if table_node is None else string_value(table_node, facts)
    schema = None if schema_node is None else string_value(schema_node, facts)
    if table is None or (schema_node is not None and schema is None):
        bad = table_node if table is None else schema_node
        computed(facts, bad if bad is not None else at, f"{what} {host.node_text(name_node)}'s table", at)
        return
    expression = pair_value(options, "expression", host) if options is not None and view else None
    add_model(facts, name_node, table_ref(table, schema), view=view, what=what, expression=expression)


KNOWLEDGE = Knowledge(
    name="mikro-orm",
    recognise=recognise,
    recognise_class=recognise_class,
    recognise_new=recognise_new,
    triggers=frozenset((b"@mikro-orm/",)),
    examples=(
        "import { Entity } from '@mikro-orm/core'\n@Entity({ tableName: 't', schema: 's' })\nexport class T {}\n",
        "import { EntitySchema } from '@mikro-orm/core'\n"
        "export const T = new EntitySchema({ name: 'T', schema: 's' })\n",
        "import { EntityManager } from '@mikro-orm/postgresql'\n"
        "export const f = (em: EntityManager) => em.find(T, {})\n",
        "import { EntityManager } from '@mikro-orm/postgresql'\n"
        "export const f = (em: EntityManager) => em.getRepository(T).nativeDelete({})\n",
        "import { EntityManager } from '@mikro-orm/postgresql'\n"
        "export const f = (em: EntityManager) => em.execute('SELECT * FROM t')\n",
    ),
)
