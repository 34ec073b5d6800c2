"""MikroORM: entities, entity schemas and view entities as ORM models, entity
manager and repository operations as accesses — each construct with a
look-alike that must not match, at exact positions."""
from __future__ import annotations

from textwrap import dedent

import pytest

IMPORTS = ("import { Entity, EntitySchema, EntityManager, EntityRepository, MikroORM, RequestContext, defineEntity } "
           "from '@mikro-orm/postgresql'\nimport { InjectRepository } from '@mikro-orm/nestjs'\n"
           "import { Event } from './event.entity'\n")


# --- entities ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decorator", "relation"),
    [
        ("@Entity()", "page_view"),
        ("@Entity({ tableName: 'page_views' })", "page_views"),
        ("@Entity({ tableName: 'page_views', schema: 'analytics_service' })", "analytics_service.page_views"),
        ("@Entity({ collection: 'page_views', schema: 'analytics_service' })", "analytics_service.page_views"),
        ("@Entity({ schema: 'analytics_service' })", "analytics_service.page_view"),
    ],
)
def test_entity_forms(facts, decorator, relation):
    code = IMPORTS + f"{decorator}\nexport class PageView {{}}\n"
    assert facts.models(code) == [(5, 14, "PageView", relation)]


def test_default_table_name_is_mikro_underscore(facts):
    code = IMPORTS + "@Entity()\nclass HTTPRequestLog {}\n@Entity()\nclass Sku2Price {}\n"
    assert facts.models(code) == [(5, 7, "HTTPRequestLog", "httprequest_log"), (7, 7, "Sku2Price", "sku2price")]


def test_view_entity_virtual_and_abstract(facts):
    code = IMPORTS + dedent("""\
    @Entity({ view: true, tableName: 'daily_stats', schema: 'analytics_service', expression: 'select 1' })
    export class DailyStat {}
    @Entity({ expression: 'select 1' })
    export class Virtual {}
    @Entity({ abstract: true })
    export class Base {}
    """)
    assert facts.models(code) == [(5, 14, "DailyStat", "analytics_service.daily_stats")]
    assert facts.views(code) == [(5, 14, "analytics_service.daily_stats")]


def test_entity_schema_and_define_entity_map_the_variable_and_class(facts):
    code = IMPORTS + dedent("""\
    export const OrderSchema = new EntitySchema({ name: 'Order', tableName: 'orders', schema: 'order_service' })
    export const BookSchema = new EntitySchema<Book>({ class: Book, schema: 'catalog' })
    export const Author = defineEntity({ name: 'Author', properties: {} })
    """)
    assert facts.models(code) == [
        (4, 14, "OrderSchema", "order_service.orders"),
        (5, 14, "BookSchema", "catalog.book"),
        (5, 59, "Book", "catalog.book"),
        (6, 14, "Author", "author"),
    ]


def test_computed_schema_is_hos205(facts):
    code = IMPORTS + "@Entity({ schema: process.env.SCHEMA })\nclass A {}\n"
    assert facts.models(code) == []
    assert [p[:3] for p in facts.problems(code)] == [("HOS205", 4, 19)]


def test_lookalike_entities_not_from_mikro_orm(facts):
    code = dedent("""\
    import { Entity } from './decorators'
    import { EntitySchema } from 'other-orm'
    @Entity({ tableName: 'users', schema: 'auth_service' })
    class A {}
    const S = new EntitySchema({ name: 'User', schema: 'auth_service' })
    const T = new Map()
    """)
    assert facts.models(code) == []


# --- entity manager ----------------------------------------------------------------------------


def test_entity_manager_methods_take_the_entity(facts):
    code = IMPORTS + dedent("""\
    export class Svc {
      constructor(private readonly em: EntityManager) {}
      async run() {
        await this.em.find(Event, {})
        await this.em.findOneOrFail(Event, 1)
        await this.em.count(Event)
        await this.em.create(Event, {})
        await this.em.persist(new Event())
        await this.em.nativeInsert(Event, {})
        await this.em.nativeUpdate(Event, {}, {})
        await this.em.nativeDelete(Event, {})
        await this.em.upsert(Event, {})
        this.em.getReference(Event, 1)
      }
    }
    """)
    assert facts.accesses(code) == [
        (7, 24, "read", "class Event", "find"),
        (8, 33, "read", "class Event", "findOneOrFail"),
        (9, 25, "read", "class Event", "count"),
        (10, 26, "write", "class Event", "create"),
        (11, 31, "write", "class Event", "persist"),
        (12, 32, "write", "class Event", "nativeInsert"),
        (13, 32, "write", "class Event", "nativeUpdate"),
        (14, 32, "write", "class Event", "nativeDelete"),
        (15, 26, "write", "class Event", "upsert"),
    ]


def test_managers_from_orm_fork_transactional_and_request_context(facts):
    code = IMPORTS + dedent("""\
    import { DI } from './server'
    export async function run() {
      const orm = await MikroORM.init({})
      await orm.em.fork().find(Event, {})
      await orm.em.transactional(async (em) => em.nativeDelete(Event, {}))
      await RequestContext.getEntityManager()!.count(Event)
      await DI.em.persist(new Event())
    }
    """)
    assert facts.accesses(code) == [
        (7, 28, "read", "class Event", "find"),
        (8, 60, "write", "class Event", "nativeDelete"),
        (9, 50, "read", "class Event", "count"),
        (10, 27, "write", "class Event", "persist"),
    ]


def test_query_builder_reads_unless_its_chain_writes(facts):
    code = IMPORTS + dedent("""\
    export async function run(em: EntityManager) {
      await em.createQueryBuilder(Event, 'e').select('*').where({}).getResult()
      await em.qb(Event).update({ seen: true }).where({ id: 1 }).execute()
      await em.createQueryBuilder(Event).truncate().execute()
    }
    """)
    assert facts.accesses(code) == [
        (5, 31, "read", "class Event", "select"),
        (6, 15, "write", "class Event", "update"),
        (7, 31, "write", "class Event", "truncate"),
    ]


def test_execute_is_raw_sql(facts):
    code = IMPORTS + dedent("""\
    export async function run(em: EntityManager, sql: string) {
      await em.execute('UPDATE order_service.orders SET x = 1')
      await em.execute(sql)
    }
    """)
    assert facts.accesses(code) == [(5, 28, "write", "order_service.orders", "UPDATE")]
    assert [p[:3] for p in facts.problems(code)] == [("HOS205", 6, 9)]


def test_lookalike_managers_not_from_mikro_orm(facts):
    code = dedent("""\
    import { EntityManager } from './em'
    import { Event } from './event.entity'
    import { DI } from './server'
    export async function run(em: EntityManager, other) {
      await em.find(Event, {})
      await other.nativeDelete(Event, {})
      await DI.em.persist(new Event())
      const map = new Map()
      map.find(Event)
    }
    """)
    assert facts.accesses(code) == []


def test_lookalike_instances_and_locals_are_not_entities(facts):
    code = IMPORTS + dedent("""\
    export async function run(em: EntityManager, event: Event) {
      const Local = Event
      await em.persist(event)
      await em.remove(event)
      await em.find(Local, {})
    }
    """)
    assert facts.accesses(code) == []


# --- repositories ------------------------------------------------------------------------------


def test_repositories_injected_from_the_manager_and_custom(facts):
    code = IMPORTS + dedent("""\
    export class Svc {
      constructor(@InjectRepository(Event) private readonly events: EntityRepository<Event>) {}
      run(em: EntityManager) {
        this.events.findAll()
        this.events.nativeUpdate({}, {})
        em.getRepository(Event).insert({})
        this.events.createQueryBuilder('e').delete().execute()
      }
    }
    export class EventRepository extends EntityRepository<Event> {
      recent() { return this.find({}, { limit: 10 }) }
    }
    """)
    assert facts.accesses(code) == [
        (7, 17, "read", "class Event", "findAll"),
        (8, 17, "write", "class Event", "nativeUpdate"),
        (9, 29, "write", "class Event", "insert"),
        (10, 17, "write", "class Event", "delete"),
        (14, 26, "read", "class Event", "find"),
    ]


def test_lookalike_repository_classes_not_from_mikro_orm(facts):
    code = dedent("""\
    import { EntityRepository } from './base'
    import { Event } from './event.entity'
    class EventRepository extends EntityRepository<Event> { all() { return this.findAll() } }
    function f(r: EntityRepository<Event>) { return r.nativeDelete({}) }
    """)
    assert facts.accesses(code) == []


def test_view_entity_expression_is_what_the_view_reads(facts):
    code = IMPORTS + dedent("""\
    @Entity({ view: true, tableName: 'stats', schema: 'analytics_service',
      expression: `SELECT product_id, count(*) AS n FROM order_service.order_items GROUP BY 1` })
    export class Stat {}
    """)
    result = facts.run(code)
    assert [(facts.ref(d.ref), [facts.ref(r) for r in d.reads]) for d in result.relation_defs] == [
        ("analytics_service.stats", ["order_service.order_items"]),
    ]
    assert [(a.location.line, a.location.col, a.kind.value, facts.ref(a.ref)) for a in result.accesses] == [
        (5, 54, "read", "order_service.order_items"),
    ]


def test_migration_add_sql_is_raw_sql(facts):
    code = dedent("""\
    import { Migration } from '@mikro-orm/migrations'
    export class Migration20240601 extends Migration {
      async up(): Promise<void> {
        this.addSql('create table analytics_service.page_views (id bigserial primary key);')
        this.addSql(statement)
      }
    }
    class NotAMigration { addSql(s: string) {} run() { this.addSql('drop table auth_service.users') } }
    """)
    assert facts.accesses(code) == [(4, 31, "ddl", "analytics_service.page_views", "CREATE TABLE")]
    assert [p[:3] for p in facts.problems(code)] == [("HOS205", 5, 5)]
