"""TypeORM: entities and view entities as ORM models, repository, entity
manager, query builder and migration operations as accesses — each construct
with a look-alike that must not match, at exact positions."""
from __future__ import annotations

from textwrap import dedent

import pytest

IMPORTS = "import { Entity, ViewEntity, Repository, DataSource, EntityManager, QueryRunner, Table } from 'typeorm'\n"


# --- entities ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decorator", "relation"),
    [
        ("@Entity()", "order_item"),
        ("@Entity('order_items')", "order_items"),
        ("@Entity('order_items', { schema: 'order_service' })", "order_service.order_items"),
        ("@Entity({ name: 'order_items', schema: 'order_service' })", "order_service.order_items"),
        ("@Entity({ schema: 'order_service' })", "order_service.order_item"),
        ("@Entity(`OrderItems`, { schema: \"order_service\", synchronize: false })", 'order_service."OrderItems"'),
    ],
)
def test_entity_forms(facts, decorator, relation):
    code = IMPORTS + f"{decorator}\nexport class OrderItem {{\n  id: number\n}}\n"
    assert facts.models(code) == [(3, 14, "OrderItem", relation)]
    assert facts.views(code) == []


def test_default_table_name_is_typeorm_snake_case(facts):
    code = IMPORTS + "@Entity()\nclass HTTPRequestLog {}\n@Entity()\nclass Sku2Price {}\n"
    assert facts.models(code) == [(3, 7, "HTTPRequestLog", "http_request_log"), (5, 7, "Sku2Price", "sku2_price")]


def test_decorator_before_export_and_namespace_import(facts):
    code = "import * as orm from 'typeorm'\n@orm.Entity('t', { schema: 's' }) export class T {}\n"
    assert facts.models(code) == [(2, 48, "T", "s.t")]


def test_view_entity_is_a_model_and_a_view(facts):
    code = IMPORTS + "@ViewEntity({ name: 'review_stats', schema: 'review_service', expression: 'SELECT 1' })\n" \
                     "export class ReviewStat {}\n"
    assert facts.models(code) == [(3, 14, "ReviewStat", "review_service.review_stats")]
    assert facts.views(code) == [(3, 14, "review_service.review_stats")]


def test_computed_entity_name_or_schema_is_hos205(facts):
    code = IMPORTS + "@Entity('t', { schema: process.env.SCHEMA })\nclass A {}\n@Entity(tableName)\nclass B {}\n"
    assert facts.models(code) == []
    assert [p[:3] for p in facts.problems(code)] == [("HOS205", 2, 24), ("HOS205", 4, 9)]
    assert facts.problems(code)[0][3] == (
        "TypeORM @Entity A's table is computed at run time; the relation it names cannot be known statically")


def test_lookalike_entity_decorators_not_from_typeorm(facts):
    code = """\
    import { Entity } from '@acme/orm'
    import { Table } from './decorators'
    @Entity({ schema: 'auth_service' })
    class A {}
    function Entity2() {}
    @Table({ schema: 'auth_service' })
    class B {}
    @Column()
    class C {}
    """
    assert facts.models(code) == []


def test_lookalike_local_entity_function_shadows_nothing_it_is_not_typeorm(facts):
    code = "function Entity(o: object) { return (c: unknown) => c }\n@Entity({ schema: 's' })\nclass A {}\n"
    assert facts.models(code) == []


# --- repositories --------------------------------------------------------------------------------


NEST = IMPORTS + "import { InjectRepository } from '@nestjs/typeorm'\nimport { User } from './user.entity'\n"


def test_injected_repository_methods(facts):
    code = NEST + dedent("""\
    class S {
      constructor(@InjectRepository(User) private readonly users: Repository<User>) {}
      async run() {
        await this.users.find({ where: { id: 1 } })
        await this.users.findOneBy({ id: 1 })
        await this.users.count()
        await this.users.save({ id: 1 })
        await this.users.update({ id: 1 }, { name: 'x' })
        await this.users.delete(1)
        await this.users.increment({ id: 1 }, 'logins', 1)
        await this.users.clear()
        this.users.create({ id: 1 })
        this.users.merge(a, b)
      }
    }
    """)
    assert facts.accesses(code) == [
        (7, 22, "read", "class User", "find"),
        (8, 22, "read", "class User", "findOneBy"),
        (9, 22, "read", "class User", "count"),
        (10, 22, "write", "class User", "save"),
        (11, 22, "write", "class User", "update"),
        (12, 22, "write", "class User", "delete"),
        (13, 22, "write", "class User", "increment"),
        (14, 22, "write", "class User", "clear"),
    ]


def test_repository_typed_field_parameter_and_union(facts):
    code = NEST + dedent("""\
    class S {
      @InjectRepository(User) repo: Repository<User>
      other: Repository<User> | null
      run(r: Repository<User>) {
        this.repo.softDelete(1)
        this.other.restore(1)
        r.upsert({}, ['id'])
      }
    }
    """)
    assert facts.accesses(code) == [
        (8, 15, "write", "class User", "softDelete"),
        (9, 16, "write", "class User", "restore"),
        (10, 7, "write", "class User", "upsert"),
    ]


def test_get_repository_on_data_source_manager_and_imported_data_source(facts):
    code = NEST + dedent("""\
    import { AppDataSource } from './data-source'
    export async function run(ds: DataSource, m: EntityManager) {
      await ds.getRepository(User).findOne({ where: {} })
      await m.getRepository(User).insert({})
      const repo = AppDataSource.getRepository(User)
      await repo.remove(user)
      await new DataSource({}).getTreeRepository(User).findBy({})
    }
    """)
    assert facts.accesses(code) == [
        (6, 32, "read", "class User", "findOne"),
        (7, 31, "write", "class User", "insert"),
        (9, 14, "write", "class User", "remove"),
        (10, 52, "read", "class User", "findBy"),
    ]


def test_custom_repository_this(facts):
    code = NEST + dedent("""\
    export class UserRepository extends Repository<User> {
      active() { return this.find({ where: { active: true } }) }
      purge() { return this.createQueryBuilder('u').delete().execute() }
    }
    """)
    assert facts.accesses(code) == [
        (5, 26, "read", "class User", "find"),
        (6, 49, "write", "class User", "delete"),
    ]


def test_lookalike_repository_class_not_from_typeorm(facts):
    code = """\
    import { Repository } from './repository'
    class Repo2<T> { find() { return [] } }
    class UsersRepo extends Repository<User> { all() { return this.find() } }
    function f(r: Repository<User>, s: Repo2<User>) { r.find(); s.find(); r.save({}) }
    """
    assert facts.accesses(code) == []


def test_lookalike_local_class_named_repository(facts):
    code = """\
    import { User } from './user.entity'
    class Repository<T> { find() { return [] } delete(x: T) {} }
    const users = new Repository<User>()
    function f(r: Repository<User>) { r.find(); users.delete(u) }
    """
    assert facts.accesses(code) == []


def test_lookalike_repository_without_entity_and_untyped_receivers(facts):
    code = NEST + dedent("""\
    function f<T>(r: Repository<T>, q, ds) {
      r.find()
      q.find(User)
      ds.manager.save(User, {})
    }
    """)
    assert facts.accesses(code) == []


def test_lookalike_get_repository_of_a_package_that_is_not_typeorm(facts):
    code = "import { em } from '@mikro-orm-lookalike/x'\nimport { User } from './user'\nem.getRepository(User).find()\n"
    assert facts.accesses(code) == []


# --- entity manager --------------------------------------------------------------------------------


def test_manager_methods_take_the_entity(facts):
    code = NEST + dedent("""\
    import { AppDataSource } from './data-source'
    import { Order } from './order.entity'
    export async function run(m: EntityManager, ds: DataSource) {
      await m.find(User, { where: {} })
      await m.save(User, { id: 1 })
      await m.save(new Order())
      await ds.manager.softDelete(Order, { id: 1 })
      await AppDataSource.manager.increment(User, { id: 1 }, 'n', 1)
      await ds.transaction(async (tx) => { await tx.delete(Order, { id: 1 }) })
      await AppDataSource.transaction('SERIALIZABLE', async (tx) => tx.update(User, {}, {}))
    }
    """)
    assert facts.accesses(code) == [
        (7, 16, "read", "class User", "find"),
        (8, 16, "write", "class User", "save"),
        (9, 20, "write", "class Order", "save"),
        (10, 31, "write", "class Order", "softDelete"),
        (11, 41, "write", "class User", "increment"),
        (12, 56, "write", "class Order", "delete"),
        (13, 75, "write", "class User", "update"),
    ]


def test_lookalike_manager_calls_on_instances_and_other_receivers(facts):
    code = NEST + dedent("""\
    export async function run(m: EntityManager, user: User, list: User[]) {
      const order = new Map()
      await m.save(user)
      await m.remove(order)
      list.find(User)
      order.delete(User)
      m.create(User, {})
    }
    """)
    assert facts.accesses(code) == []


# --- query builders --------------------------------------------------------------------------------


def test_query_builder_of_a_repository_reads_its_entity_where_it_is_created(facts):
    code = NEST + dedent("""\
    class S {
      constructor(@InjectRepository(User) private users: Repository<User>) {}
      list() {
        const qb = this.users.createQueryBuilder('u').leftJoinAndSelect('u.orders', 'o')
        return qb.where('u.id = :id').getMany()
      }
      mark() { return this.users.createQueryBuilder().update().set({ a: 1 }).execute() }
      drop() { return this.users.createQueryBuilder('u').delete().from(User).execute() }
    }
    """)
    assert facts.accesses(code) == [
        (7, 27, "read", "class User", "select"),
        (10, 51, "write", "class User", "update"),
        (11, 68, "write", "class User", "delete"),
    ]


def test_query_builder_targets(facts):
    code = NEST + dedent("""\
    export async function run(ds: DataSource, m: EntityManager) {
      await ds.createQueryBuilder().select('u').from('auth_service.users', 'u').getMany()
      await ds.createQueryBuilder().update(User).set({ a: 1 }).execute()
      await ds.createQueryBuilder().update('auth_service.users').set({ a: 1 }).execute()
      await ds.createQueryBuilder().insert().into(User).values({}).execute()
      await m.createQueryBuilder().delete().from('auth_service.sessions').execute()
      await m.createQueryBuilder(User, 'u').where('u.id = 1').getOne()
      await m.createQueryBuilder().softDelete().from(User).execute()
    }
    """)
    assert facts.accesses(code) == [
        (5, 51, "read", "auth_service.users", "select"),
        (6, 40, "write", "class User", "update"),
        (7, 41, "write", "auth_service.users", "update"),
        (8, 47, "write", "class User", "insert"),
        (9, 47, "write", "auth_service.sessions", "delete"),
        (10, 30, "read", "class User", "select"),
        (11, 50, "write", "class User", "delete"),
    ]


def test_query_builder_joins_by_entity_or_table_name_not_relation_path(facts):
    code = NEST + dedent("""\
    import { Order } from './order.entity'
    export async function run(ds: DataSource) {
      await ds.createQueryBuilder()
        .from(Order, 'o')
        .innerJoin(User, 'u', 'u.id = o.user_id')
        .leftJoin('sessions', 's', 's.user_id = u.id')
        .leftJoinAndSelect('o.items', 'i')
        .leftJoinAndMapOne('o.owner', User, 'w', 'w.id = o.owner_id')
        .getMany()
    }
    """)
    assert facts.accesses(code) == [
        (7, 11, "read", "class Order", "select"),
        (8, 16, "read", "class User", "innerJoin"),
        (9, 16, "read", "sessions", "leftJoin"),
        (11, 35, "read", "class User", "leftJoinAndMapOne"),
    ]


def test_query_builder_kept_in_a_variable(facts):
    code = NEST + dedent("""\
    export async function run(ds: DataSource) {
      const qb = ds.createQueryBuilder().delete()
      qb.where('id = 1')
      await qb.from('auth_service.tokens').execute()
    }
    """)
    assert facts.accesses(code) == [(7, 18, "write", "auth_service.tokens", "delete")]


def test_lookalike_builders_not_from_typeorm(facts):
    code = """\
    import knexLike from './db'
    import { User } from './user.entity'
    export function run(db) {
      db.createQueryBuilder().from('auth_service.users', 'u')
      knexLike.from('auth_service.users')
      knexLike.createQueryBuilder().update(User)
      Array.from('auth_service.users')
    }
    """
    assert facts.accesses(code) == []


# --- migrations ------------------------------------------------------------------------------------


def test_migration_schema_changes_are_ddl(facts):
    code = IMPORTS + dedent("""\
    import { TableForeignKey } from 'typeorm'
    export class Init1700000000000 {
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({ name: 'reviews', schema: 'review_service', columns: [] }))
        await queryRunner.addColumn('auth_service.users', column)
        await queryRunner.createIndex('review_service.reviews', index)
        await queryRunner.clearTable('auth_service.sessions')
        await queryRunner.createForeignKey('review_service.reviews', new TableForeignKey({
          columnNames: ['user_id'], referencedTableName: 'users', referencedSchema: 'auth_service', referencedColumnNames: ['id'],
        }))
      }
      async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.dropTable('review_service.reviews')
      }
    }
    """)
    assert facts.accesses(code) == [
        (5, 54, "ddl", "review_service.reviews", "CREATE TABLE"),
        (6, 34, "ddl", "auth_service.users", "ALTER TABLE"),
        (7, 36, "ddl", "review_service.reviews", "CREATE INDEX"),
        (8, 35, "write", "auth_service.sessions", "TRUNCATE"),
        (9, 41, "ddl", "review_service.reviews", "ALTER TABLE"),
        (10, 55, "reference", "auth_service.users", "REFERENCES"),
        (14, 34, "ddl", "review_service.reviews", "DROP TABLE"),
    ]


def test_create_table_defines_the_table_and_its_foreign_keys_reference(facts):
    code = IMPORTS + dedent("""\
    export async function up(q: QueryRunner) {
      await q.createTable(new Table({
        name: 'review_service.reviews',
        foreignKeys: [{ columnNames: ['user_id'], referencedTableName: 'auth_service.users', referencedColumnNames: ['id'] }],
      }))
    }
    """)
    result = facts.run(code)
    assert [(d.location.line, d.location.col, d.ref.schema, d.ref.name, d.kind.value, d.what)
            for d in result.relation_defs] == [(4, 12, "review_service", "reviews", "table", "TypeORM createTable")]
    refs = [(a.location.line, a.location.col, a.kind.value, a.ref.name, a.referrer_ref and a.referrer_ref.name)
            for a in result.accesses]
    assert refs == [(4, 12, "ddl", "reviews", None), (5, 69, "reference", "users", "reviews")]


def test_migration_raw_sql_is_read_by_raw_sql(facts):
    code = IMPORTS + "export const up = (q: QueryRunner) => q.query('ALTER TABLE auth_service.users ADD x int')\n"
    assert facts.accesses(code) == [(2, 60, "ddl", "auth_service.users", "ALTER TABLE")]


def test_computed_migration_table_is_hos205(facts):
    code = IMPORTS + "export const down = (q: QueryRunner) => q.dropTable(this.tableName)\n"
    assert facts.accesses(code) == []
    assert [p[:3] for p in facts.problems(code)] == [("HOS205", 2, 53)]


def test_lookalike_migration_methods_on_other_receivers(facts):
    code = """\
    import { Table } from 'console-table'
    export function up(queryRunner, table: Table) {
      queryRunner.createTable(new Table({ name: 'auth_service.users' }))
      table.dropTable('auth_service.users')
    }
    """
    assert facts.accesses(code) == []


def test_lookalike_view_entity_and_inject_repository_not_from_typeorm(facts):
    code = """\
    import { ViewEntity } from './decorators'
    import { InjectRepository } from '@other/di'
    import { Repository } from '@other/repo'
    import { User } from './user.entity'
    @ViewEntity({ name: 'v', schema: 'auth_service' })
    export class V {}
    class S {
      constructor(@InjectRepository(User) private users: Repository<User>) {}
      run() { return this.users.update({}, {}) }
    }
    """
    assert facts.models(code) == []
    assert facts.views(code) == []
    assert facts.accesses(code) == []


def test_injected_entity_wins_over_a_generic_type_argument(facts):
    code = NEST + dedent("""\
    class S {
      constructor(@InjectRepository(User) private users: Repository<any>) {}
      run() { return this.users.find() }
    }
    """)
    assert facts.accesses(code) == [(6, 29, "read", "class User", "find")]


def test_a_view_name_holding_a_double_quote_keeps_what_the_view_reads(facts):
    code = IMPORTS + dedent("""\
    @ViewEntity({ name: 'a"b', schema: 'order_"s', expression: 'SELECT u.id FROM auth_service.users u' })
    export class Odd {}
    """)
    result = facts.run(code)
    assert [[facts.ref(r) for r in d.reads] for d in result.relation_defs] == [["auth_service.users"]]
    assert [(facts.ref(a.ref), a.operation) for a in result.accesses] == [("auth_service.users", "CREATE VIEW")]


def test_view_entity_expression_is_what_the_view_reads(facts):
    code = IMPORTS + dedent("""\
    @ViewEntity({ name: 'customer_emails', schema: 'order_service',
      expression: 'SELECT u.id, u.email FROM auth_service.users u' })
    export class CustomerEmail {}
    @ViewEntity({ name: 'totals', expression: (ds: DataSource) => ds.createQueryBuilder().select('1') })
    export class Total {}
    """)
    result = facts.run(code)
    assert [(d.location.line, d.location.col, facts.ref(d.ref), [facts.ref(r) for r in d.reads], d.what)
            for d in result.relation_defs] == [
        (4, 14, "order_service.customer_emails", ["auth_service.users"], "TypeORM @ViewEntity CustomerEmail"),
        (6, 14, "totals", [], "TypeORM @ViewEntity Total"),
    ]
    assert [(a.location.line, a.location.col, a.kind.value, facts.ref(a.ref), a.operation, facts.ref(a.referrer_ref))
            for a in result.accesses] == [
        (3, 42, "read", "auth_service.users", "CREATE VIEW", "order_service.customer_emails"),
    ]
