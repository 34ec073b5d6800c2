"""Kysely: tables named by the builder's methods, withSchema, joins, locks,
the schema builder and ``sql``, on instances known by their origin, with the
look-alikes that must stay quiet."""
from __future__ import annotations

import textwrap

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile
from hos_lint.testing import run_files

PATH = "services/wishlist/src/a.ts"
DB = "import { Kysely } from 'kysely';\nconst db = new Kysely<Database>({ dialect });\n"


def run(code: str):
    return ts.extract(SourceFile(PATH, "wishlist", Language.TYPESCRIPT), textwrap.dedent(code), ExtractConfig())


def accesses(code: str) -> list[tuple]:
    return sorted((a.location.line, a.location.col, a.ref.display(), a.kind.value, a.via, a.operation)
                  for a in run(code).accesses)


def test_select_from_with_aliases_arrays_and_joins():
    code = DB + textwrap.dedent("""\
        await db.selectFrom(['wishlist_service.items as i', 'Lists']).selectAll().execute();
        await db.selectFrom('wishlist_service.items as i')
          .innerJoin('product_service.products as p', 'p.id', 'i.product_id')
          .leftJoin('reviews', 'reviews.product_id', 'p.id')
          .select(['i.id', 'p.name']).execute();
        """)
    assert accesses(code) == [
        (3, 23, "wishlist_service.items", "read", "kysely", "selectFrom"),
        (3, 54, "Lists", "read", "kysely", "selectFrom"),
        (4, 22, "wishlist_service.items", "read", "kysely", "selectFrom"),
        (5, 15, "product_service.products", "read", "kysely", "selectFrom"),
        (6, 14, "reviews", "read", "kysely", "selectFrom"),
    ]


def test_writes_and_the_tables_they_read():
    code = DB + textwrap.dedent("""\
        await db.updateTable('order_service.orders').set({ wished: true }).from('wishlist_service.items').execute();
        await db.insertInto('wishlist_service.items').values({ id }).execute();
        await db.deleteFrom('wishlist_service.items').using('auth_service.users').execute();
        await db.mergeInto('wishlist_service.items as t')
          .using('product_service.products as p', 'p.id', 't.product_id')
          .whenMatched().thenDelete().execute();
        """)
    assert accesses(code) == [
        (3, 23, "order_service.orders", "write", "kysely", "updateTable"),
        (3, 74, "wishlist_service.items", "read", "kysely", "updateTable"),
        (4, 22, "wishlist_service.items", "write", "kysely", "insertInto"),
        (5, 22, "wishlist_service.items", "write", "kysely", "deleteFrom"),
        (5, 54, "auth_service.users", "read", "kysely", "deleteFrom"),
        (6, 21, "wishlist_service.items", "write", "kysely", "mergeInto"),
        (7, 11, "product_service.products", "read", "kysely", "mergeInto"),
    ]


def test_with_schema_qualifies_every_unqualified_table_and_locks_are_writes():
    code = DB + textwrap.dedent("""\
        await db.withSchema('wishlist_service').selectFrom('items')
          .innerJoin('product_service.products', 'products.id', 'items.product_id').selectAll().execute();
        await db.selectFrom('payment_service.payments').forUpdate().selectAll().execute();
        """)
    assert accesses(code) == [
        (3, 53, "wishlist_service.items", "read", "kysely", "selectFrom"),
        (4, 15, "product_service.products", "read", "kysely", "selectFrom"),
        (5, 22, "payment_service.payments", "write", "kysely", "LOCK"),
    ]


def test_instances_by_type_transaction_and_service_import():
    code = textwrap.dedent("""\
        import type { Kysely, Transaction } from 'kysely';
        import { db } from '../database';
        export class WishlistRepository {
          constructor(private readonly k: Kysely<Database>) {}
          add(trx: Transaction<Database>) { return trx.insertInto('wishlist_service.items').values({}); }
          clear() {
            return this.k.transaction().execute(async (tx) => tx.deleteFrom('order_service.carts').execute());
          }
          shared() { return db.selectFrom('user_service.customers').selectAll().execute(); }
        }
        """)
    assert accesses(code) == [
        (5, 60, "wishlist_service.items", "write", "kysely", "insertInto"),
        (7, 70, "order_service.carts", "write", "kysely", "deleteFrom"),
        (9, 36, "user_service.customers", "read", "kysely", "selectFrom"),
    ]


def test_lookalike_receivers_and_arguments():
    code = textwrap.dedent("""\
        import { QueryBuilder } from 'some-graph-lib';
        const graph = new QueryBuilder();
        const cache = new Map();
        graph.selectFrom('order_service.orders');
        cache.insertInto('order_service.orders');
        function move(repo) { return repo.deleteFrom('order_service.orders'); }
        """)
    assert accesses(code) == []
    # a real instance: a table that is not a plain string is not read; a subquery of
    # the expression builder (the callback parameter) is
    assert accesses(DB + "await db.selectFrom(tableName).selectAll().execute();\n"
                         "await db.selectFrom((eb) => eb.selectFrom('x').as('y')).selectAll().execute();\n") == [
        (4, 44, "x", "read", "kysely", "selectFrom"),
    ]


def test_schema_builder_is_ddl():
    code = textwrap.dedent("""\
        import { Kysely } from 'kysely';
        export async function up(db: Kysely<any>): Promise<void> {
          await db.schema.withSchema('wishlist_service').createTable('items').addColumn('id', 'uuid').execute();
          await db.schema.alterTable('order_service.orders').addColumn('wish_count', 'integer').execute();
          await db.schema.createIndex('items_by_user').on('wishlist_service.items').column('user_id').execute();
          await db.schema.dropTable('wishlist_service.legacy').execute();
        }
        """)
    assert accesses(code) == [
        (3, 63, "wishlist_service.items", "ddl", "kysely", "createTable"),
        (4, 31, "order_service.orders", "ddl", "kysely", "alterTable"),
        (5, 52, "wishlist_service.items", "ddl", "kysely", "createIndex"),
        (6, 30, "wishlist_service.legacy", "ddl", "kysely", "dropTable"),
    ]


def test_sql_template_and_table_helpers():
    code = textwrap.dedent("""\
        import { sql } from 'kysely';
        import { sql as other } from './sql-helpers';
        const a = await sql`SELECT * FROM ${sql.table('payment_service.refunds')} WHERE id = ${id}`.execute(db);
        const b = await sql`DELETE FROM ${sql.id('wishlist_service', 'items')}`.execute(db);
        const c = sql`${sql.ref('items.id')} = ${id}`;
        function local(strings: TemplateStringsArray) { return strings; }
        const d = local`SELECT * FROM order_service.orders`;
        """)
    assert accesses(code) == [
        (3, 48, "payment_service.refunds", "read", "kysely", "SELECT"),
        (4, 43, "wishlist_service.items", "write", "kysely", "DELETE"),
    ]
    assert run(code).problems == ()


def test_kysely_reads_across_services_end_to_end():
    files = {"services/order/src/wish.ts": DB + "const rows = await db.selectFrom('auth_service.users').selectAll().execute();\n"}
    found = [(f.code, f.location.line, f.location.col, f.relation) for f in run_files(files)]
    assert found == [("HOS102", 3, 35, "auth_service.users")]


def test_examples_cover_every_method():
    from hos_lint.extract.typescript import kysely

    examples = "\n".join(kysely.KNOWLEDGE.examples)
    for name in kysely.METHODS | kysely.LOCKS:
        assert f".{name}(" in examples, name
