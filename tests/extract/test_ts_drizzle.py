"""Drizzle ORM: table declarations (ownership facts), queries on table objects
and ``sql`` templates, each with the look-alikes that must stay quiet."""
from __future__ import annotations

import textwrap

from hos_lint.extract import typescript as ts
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile
from hos_lint.testing import run_files

PATH = "services/order/src/db.ts"
PG = "import { pgSchema, pgTable, pgView, pgTableCreator, integer } from 'drizzle-orm/pg-core';\n"
DB = "import { drizzle } from 'drizzle-orm/node-postgres';\nconst db = drizzle(pool);\n"


def run(code: str):
    src = SourceFile(PATH, "order", Language.TYPESCRIPT)
    return ts.extract(src, textwrap.dedent(code), ExtractConfig())


def models(code: str) -> list[tuple]:
    return [(m.class_name, m.ref.schema, m.ref.name, m.location.line, m.location.col) for m in run(code).orm_models]


def accesses(code: str) -> list[tuple]:
    """(line, col, what, kind, via, operation), in source order."""
    found = [(a.location.line, a.location.col, a.ref.display(), a.kind.value, a.via, a.operation)
             for a in run(code).accesses]
    return sorted(found)


def problems(code: str) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col, p.message) for p in run(code).problems]


# --- declarations ---------------------------------------------------------------------------------


def test_pg_table_is_a_model_in_the_default_schema():
    code = PG + "export const carriers = pgTable('carriers', { id: integer('id') });\n"
    assert models(code) == [("carriers", None, "carriers", 2, 34)]


def test_pg_schema_table_inline_and_through_a_variable():
    code = PG + textwrap.dedent("""\
        export const payments = pgSchema('payment_service').table('payments', {});
        const shipping = pgSchema('shipping_service');
        export const shipments = shipping.table('Shipments', {}).enableRLS();
        export const lanes = shipping.view('lanes').as((qb) => qb.select().from(shipments));
        export const daily = pgView('daily_totals', {}).existing();
        """)
    assert models(code) == [
        ("payments", "payment_service", "payments", 2, 60),
        ("shipments", "shipping_service", "Shipments", 4, 42),
        ("lanes", "shipping_service", "lanes", 5, 37),
        ("daily", None, "daily_totals", 6, 30),
    ]


def test_table_names_built_at_run_time_are_hos205():
    code = PG + textwrap.dedent("""\
        export const t = pgTable(name, {});
        const s = pgSchema(process.env.SCHEMA);
        export const u = s.table('u', {});
        const createTable = pgTableCreator((n) => `app_${n}`);
        export const v = createTable('v', {});
        """)
    assert problems(code) == [
        ("HOS205", 2, 18, "the name of a Drizzle table is built at run time; its relations cannot be known statically"),
        ("HOS205", 4, 18, "the schema name given to pgSchema is built at run time; its relations cannot be known statically"),
        ("HOS205", 6, 18, "the name of a pgTableCreator table is built at run time; its relations cannot be known statically"),
    ]
    assert models(code) == []


def test_lookalike_declarations_are_not_tables():
    code = textwrap.dedent("""\
        import { pgTable } from 'my-table-kit';
        import Table from 'cli-table3';
        function pgSchema(name: string) { return { table: (t: string) => t }; }
        export const a = pgTable('orders', {});
        export const b = pgSchema('payment_service').table('payments');
        console.table('payments');
        const c = new Table({ head: ['payments'] });
        """)
    assert models(code) == []
    assert problems(code) == []


# --- queries ------------------------------------------------------------------------------------------


def test_select_from_and_joins_read_table_objects():
    code = PG + DB + textwrap.dedent("""\
        import { eq } from 'drizzle-orm';
        import { orders } from './orders.schema';
        export const shipments = pgTable('shipments', {});
        await db.select({ id: shipments.id }).from(shipments)
          .leftJoin(orders, eq(orders.id, shipments.orderId));
        await db.selectDistinct().from(orders);
        """)
    assert accesses(code) == [
        (7, 44, "shipments", "read", "drizzle", "select"),
        (8, 13, "orders", "read", "drizzle", "select"),
        (9, 32, "orders", "read", "drizzle", "selectDistinct"),
    ]


def test_insert_update_delete_write_table_objects():
    code = PG + DB + textwrap.dedent("""\
        import * as schema from './schema';
        export const shipments = pgTable('shipments', {});
        await db.insert(shipments).values({ id: 1 });
        await db.update(schema.payments).set({ status: 'x' }).from(schema.orders);
        await db.delete(shipments);
        await db.$count(shipments);
        await db.refreshMaterializedView(schema.daily);
        """)
    assert accesses(code) == [
        (6, 17, "shipments", "write", "drizzle", "insert"),
        (7, 24, "payments", "write", "drizzle", "update"),
        (7, 67, "orders", "read", "drizzle", "update"),
        (8, 17, "shipments", "write", "drizzle", "delete"),
        (9, 17, "shipments", "read", "drizzle", "$count"),
        (10, 41, "daily", "ddl", "drizzle", "refreshMaterializedView"),
    ]


def test_relational_queries_read_the_schema_key():
    code = DB + "await db.query.shipments.findMany({ with: { parcels: true } });\nawait db.query.carriers.findFirst();\n"
    assert accesses(code) == [
        (3, 16, "shipments", "read", "drizzle", "findMany"),
        (4, 16, "carriers", "read", "drizzle", "findFirst"),
    ]


def test_database_by_type_transaction_callback_and_service_import():
    code = textwrap.dedent("""\
        import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
        import { db } from '../db';
        import { payments } from '../db/schema';
        export class Refunds {
          constructor(private readonly pg: NodePgDatabase<typeof schema>) {}
          async run() {
            await this.pg.transaction(async (tx) => {
              await tx.update(payments).set({ refunded: true });
            });
            await db.delete(payments);
          }
        }
        """)
    assert accesses(code) == [
        (8, 23, "payments", "write", "drizzle", "update"),
        (10, 21, "payments", "write", "drizzle", "delete"),
    ]


def test_lookalike_calls_on_other_receivers_or_non_tables():
    code = textwrap.dedent("""\
        import { createClient } from 'redis';
        import * as d3 from 'd3';
        import { payments } from './schema';
        const cache = createClient();
        const seen = new Map();
        await cache.delete(payments);
        seen.delete(payments);
        Array.from(payments);
        d3.select('body').from(payments);
        function purge(store: any, table: any) { store.update(payments); store.delete(table); }
        req.query.payments.findMany();
        """)
    assert accesses(code) == []
    # a real database, but an argument that is not a table object
    assert accesses(DB + "const t = makeTable(); await db.delete(t); await db.insert(userInput);\n") == []


# --- SQL ----------------------------------------------------------------------------------------------


def test_sql_templates_with_table_objects_and_binds():
    code = PG + DB + textwrap.dedent("""\
        import { sql } from 'drizzle-orm';
        import { payments } from './payments.schema';
        export const shipments = pgTable('shipments', {});
        await db.execute(sql`UPDATE ${payments} SET status = ${s} WHERE id IN (SELECT payment_id FROM ${shipments})`);
        const total = sql`SELECT count(*) FROM order_service.orders`;
        const frag = sql`${shipments.id} = ${id}`;
        """)
    assert accesses(code) == [
        (7, 31, "payments", "write", "drizzle", "UPDATE"),
        (7, 97, "shipments", "read", "drizzle", "SELECT"),
        (8, 40, "order_service.orders", "read", "drizzle", "SELECT"),
    ]
    assert problems(code) == []


def test_only_a_substituted_table_object_hides_its_marker_definition():
    code = PG + DB + textwrap.dedent("""\
        import { sql } from 'drizzle-orm';
        import { payments } from './payments.schema';
        await db.execute(sql`CREATE TABLE ${payments} (id int)`);
        await db.execute(sql`CREATE TABLE hos_orm_table__0 (id int)`);
        await db.execute(sql`CREATE TABLE hos_orm_table__1 (id int); SELECT * FROM ${payments}`);
        """)
    defs = [(d.ref.display(), d.location.line) for d in run(code).relation_defs]
    assert defs == [("hos_orm_table__0", 7), ("hos_orm_table__1", 8)]


def test_sql_raw_literal_and_built_at_run_time():
    code = DB + textwrap.dedent("""\
        import { sql } from 'drizzle-orm';
        await db.execute(sql.raw('DELETE FROM order_service.carts'));
        await db.execute(sql.raw(query));
        const order = sql.raw(direction);
        await db.execute('SELECT * FROM order_service.orders');
        """)
    assert accesses(code) == [
        (4, 39, "order_service.carts", "write", "drizzle", "DELETE"),
        (7, 33, "order_service.orders", "read", "drizzle", "SELECT"),
    ]
    assert problems(code) == [
        ("HOS205", 5, 7, "SQL passed to sql.raw is built at run time; its relations cannot be known statically"),
    ]


def test_lookalike_sql_tags_are_not_drizzle():
    code = textwrap.dedent("""\
        import styled from 'styled-components';
        import { gql } from '@apollo/client';
        import { sql } from './my-sql-helpers';
        function html(s: TemplateStringsArray) { return s; }
        const Box = styled.div`SELECT: none;`;
        const Q = gql`query { payments { id } }`;
        const page = html`<p>update payments</p>`;
        const note = sql`DELETE FROM order_service.carts`;
        """)
    assert accesses(code) == []
    assert problems(code) == []


# --- end to end ----------------------------------------------------------------------------------------


def test_tables_imported_from_another_file_resolve_like_prisma_models():
    schema = PG + textwrap.dedent("""\
        export const orders = pgSchema('order_service').table('orders', {});
        export const users = pgSchema('auth_service').table('users', {});
        """)
    service = textwrap.dedent("""\
        import { eq } from 'drizzle-orm';
        import { db } from './client';
        import { orders, users } from './schema';
        export const ship = (id: number) => db.update(orders).set({ shipped: true }).where(eq(orders.id, id));
        export const names = () => db.select().from(users);
        """)
    findings = run_files({"services/order/src/schema.ts": schema, "services/order/src/orders.ts": service})
    assert sorted((f.code, f.location.path, f.location.line, f.location.col, f.relation) for f in findings) == [
        ("HOS102", "services/order/src/orders.ts", 5, 45, "auth_service.users"),
        ("HOS105", "services/order/src/schema.ts", 3, 54, "auth_service.users"),
    ]


def test_drizzle_schemas_feed_zero_config_ownership(tmp_path):
    import subprocess

    from hos_lint.app import Options, analyse, run

    files = {
        "services/shipping/package.json": "{}\n",
        "services/shipping/src/schema.ts": PG + textwrap.dedent("""\
            const parcels = pgSchema('parcels');
            export const shipments = parcels.table('shipments', {});
            export const labels = parcels.table('labels', {});
            export const payments = pgSchema('payment_service').table('payments', {});
            """),
        "services/payment/package.json": "{}\n",
        "services/payment/src/schema.ts": PG + "export const payments = pgSchema('payment_service').table('payments', {});\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    services = {s.name: (s.schema, s.schema_source) for s in analyse(Options(paths=(str(tmp_path),), cache=False)).manifest.services}
    assert services == {
        "payment": ("payment_service", "services/payment/src/schema.ts:2 (schema of ORM model payments)"),
        "shipping": ("parcels", "services/shipping/src/schema.ts:3 (schema of ORM model shipments)"),
    }
    found = {(f.code, f.location.path, f.location.line) for f in run(Options(paths=(str(tmp_path),), cache=False)).findings}
    assert found == {("HOS105", "services/shipping/src/schema.ts", 5)}


def test_examples_cover_every_declaration_and_query_method():
    from hos_lint.extract.typescript import drizzle

    examples = "\n".join(drizzle.KNOWLEDGE.examples)
    for name in drizzle.TABLE_FACTORIES | {drizzle.TABLE_CREATOR}:
        assert f"{name}(" in examples, name
    for name in drizzle.SCHEMA_MEMBERS | drizzle.QUERY_METHODS | drizzle.SELECTS:
        assert f".{name}(" in examples, name


def test_an_orm_manager_method_with_the_entity_first_is_not_drizzle():
    code = textwrap.dedent("""\
        import { AppDataSource } from './data-source';
        import { User } from './user.entity';
        await AppDataSource.transaction(async (tx) => tx.update(User, { id: 1 }, { name: 'x' }));
        await AppDataSource.manager.delete(User, { id: 1 });
        """)
    assert [a for a in accesses(code) if a[4] == "drizzle"] == []  # TypeORM's own recogniser reads them
