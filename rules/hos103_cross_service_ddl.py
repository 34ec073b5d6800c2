"""A service creates, alters, drops or comments on another service's objects.

## What it does
Flags DDL — `CREATE/ALTER/DROP TABLE|INDEX|VIEW|SEQUENCE|TRIGGER|FUNCTION`,
`COMMENT ON`, `ALTER … SET SCHEMA`, `REFRESH MATERIALIZED VIEW` — found in a
service's code or migrations that targets an object in a schema owned by
another service.

## Why it matters
Only the owner may evolve its schema. An index, trigger or column added from
outside is invisible to the owner's migrations, breaks its rollbacks and
survives its refactors as a mystery.

## Example
```sql services/order/prisma/migrations/20240101_idx/migration.sql
CREATE INDEX orders_by_user ON auth_service.users (email);
```

## Instead
```sql services/order/prisma/migrations/20240101_idx/migration.sql
CREATE INDEX orders_by_user ON order_service.orders (user_id);
```
Ask the owning service to add the index in its own migrations.
"""
from collections.abc import Iterator

from hos_lint.model import Access, AccessKind, Finding, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid, foreign_owner


def check(access: Access, ctx: RuleContext) -> Iterator[Finding]:
    if access.kind is not AccessKind.DDL:
        return
    owner = foreign_owner(access, ctx)
    if owner is None:
        return
    schema = access.relation.schema if access.relation else "?"
    yield ctx.access_finding(
        access,
        owner=owner,
        message=f"{access.service} changes {access.relation} (owned by {owner}) with {access.operation}",
        hint=f"only {owner}'s own migrations may change objects in {schema}",
    )


RULE = Rule(
    code="HOS103", name="cross-service-ddl", severity=Severity.ERROR, doc=__doc__,
    check_access=check,
    examples=(
        Valid({"services/order/db/m.sql": "CREATE TABLE order_service.orders (id int primary key);\n"}),
        Valid({"services/order/db/m.sql": "CREATE VIEW order_service.emails AS SELECT email FROM auth_service.users;\n"}),
        Invalid({"services/order/db/m.sql": "ALTER TABLE auth_service.users ADD COLUMN order_count int;\n"},
                expect=("HOS103 1:13 auth_service.users",)),
        Invalid({"services/order/db/m.sql": "COMMENT ON TABLE product_service.products IS 'x';\n"},
                expect=("HOS103 1:18 product_service.products",)),
        # TypeORM migrations: the query runner's schema changes are DDL
        Invalid({"services/order/src/migrations/1700000000000-AddOrderCount.ts": (
            "import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';\n"
            "export class AddOrderCount1700000000000 implements MigrationInterface {\n"
            "  async up(queryRunner: QueryRunner): Promise<void> {\n"
            "    await queryRunner.addColumn('auth_service.users', new TableColumn({ name: 'order_count', type: 'int' }));\n"
            "  }\n"
            "  async down(queryRunner: QueryRunner): Promise<void> {}\n"
            "}\n")},
            expect=("HOS103 4:34 auth_service.users",)),
        Valid({"services/order/src/migrations/1700000000000-Init.ts": (
            "import { MigrationInterface, QueryRunner, Table } from 'typeorm';\n"
            "export class Init1700000000000 implements MigrationInterface {\n"
            "  async up(queryRunner: QueryRunner): Promise<void> {\n"
            "    await queryRunner.createTable(new Table({ name: 'orders', schema: 'order_service', columns: [] }));\n"
            "  }\n"
            "  async down(queryRunner: QueryRunner): Promise<void> {\n"
            "    await queryRunner.dropTable('order_service.orders');\n"
            "  }\n"
            "}\n")}),
        # Drizzle
        Invalid(
            {
                "services/search/src/db/schema.ts": (
                    "import { pgSchema } from 'drizzle-orm/pg-core';\n"
                    "export const top = pgSchema('product_service').materializedView('top_products').existing();\n"
                ),
                "services/search/src/refresh.ts": (
                    "import { drizzle } from 'drizzle-orm/node-postgres';\n"
                    "import { top } from './db/schema';\n"
                    "const db = drizzle(process.env.DATABASE_URL!);\n"
                    "await db.refreshMaterializedView(top);\n"
                ),
            },
            expect=("HOS103 services/search/src/refresh.ts:4:34 product_service.top_products",),
        ),
        # Knex schema builder in a migration
        Valid({"services/order/migrations/001_orders.ts": (
            "import type { Knex } from 'knex';\n"
            "export async function up(knex: Knex) {\n"
            "  await knex.schema.withSchema('order_service').createTable('orders', (t) => t.increments());\n"
            "}\n")}),
        Invalid({"services/order/migrations/002_users.ts": (
            "import type { Knex } from 'knex';\n"
            "export async function up(knex: Knex) {\n"
            "  await knex.schema.withSchema('auth_service').alterTable('users', (t) => t.integer('orders'));\n"
            "}\n")},
            expect=("HOS103 3:60 auth_service.users",)),
        # Kysely schema builder
        Invalid({"services/order/migrations/002_users.ts": (
            "import { Kysely } from 'kysely';\n"
            "export async function up(db: Kysely<any>) {\n"
            "  await db.schema.alterTable('auth_service.users').addColumn('orders', 'integer').execute();\n"
            "}\n")},
            expect=("HOS103 3:31 auth_service.users",)),
    ),
)
