"""A service reads another service's relation directly.

## What it does
Flags every read of a relation owned by another service — Prisma reads
(`findMany`, `findUnique`, `count`, …), `include`/`select` of relation fields
that lead into another service's model, SQL `SELECT`, `COPY … TO` — unless it
goes through a view in the reader's own schema or is listed under `allow:`.

## Why it matters
A direct read couples the reader to the owner's physical schema: every column
rename or table split in the owning service becomes a coordinated release, and
Phase 5's per-service database users will refuse the query.

## Example
```sql services/order/reports/customers.sql
SELECT u.email FROM auth_service.users u;
```

## Instead
```sql services/order/reports/customers.sql
SELECT c.email FROM order_service.customer_emails c;
```
Create a read-only view in your own schema (`order_service.customer_emails`)
that selects only the columns you need, or call the owner's API.
"""
from collections.abc import Iterator

from hos_lint.model import Access, AccessKind, Finding, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid, unallowed_owner
from hos_lint.rules._examples import DRIZZLE_PRODUCTS, PRISMA_PRODUCT, TYPEORM_PRODUCT


def check(access: Access, ctx: RuleContext) -> Iterator[Finding]:
    if access.kind is not AccessKind.READ or access.referrer_ref is not None:
        return  # reads inside a view definition are the sanctioned path, not a direct read
    owner = unallowed_owner(access, ctx, AccessKind.READ)
    if owner is None:
        return
    own = ctx.own_schema(access.service)
    through = f"a view in {own}" if own else "a view in your own schema"
    yield ctx.access_finding(
        access,
        owner=owner,
        message=f"{access.service} reads {access.relation} (owned by {owner}) directly",
        hint=f"read it through {through} or call the {owner} API",
    )


RULE = Rule(
    code="HOS102", name="cross-service-read", severity=Severity.ERROR, doc=__doc__,
    check_access=check,
    examples=(
        Valid({"services/order/db/q.sql": "SELECT * FROM order_service.orders;\n"}),
        Valid({"services/order/db/v.sql": (
            "CREATE VIEW order_service.customer_emails AS SELECT id, email FROM auth_service.users;\n"
            "SELECT * FROM order_service.customer_emails;\n")}),
        Valid({"services/order/db/q.sql": "WITH users AS (SELECT 1 AS id) SELECT * FROM users;\n"}),
        Valid(
            {"services/search/db/q.sql": "SELECT * FROM product_service.products;\n"},
            manifest=(
                "version: 1\nservices:\n  product: {schema: product_service}\n  search: {schema: search_service}\n"
                "allow:\n  - service: search\n    read: [product_service.products]\n    reason: indexing\n"
            ),
        ),
        Invalid({"services/order/db/q.sql": "SELECT o.id\nFROM order_service.orders o\nJOIN auth_service.users u ON u.id = o.user_id;\n"},
                expect=("HOS102 3:6 auth_service.users",)),
        Invalid(
            {
                **PRISMA_PRODUCT,
                "services/search/src/sync.ts": (
                    "import { PrismaClient } from '@prisma/client';\n"
                    "const prisma = new PrismaClient();\n"
                    "const rows = await prisma.product.findMany();\n"
                ),
            },
            expect=("HOS102 services/search/src/sync.ts:3:27 product_service.products",),
        ),
        # TypeORM: a query builder reading another service's table, by entity and by 'schema.table'
        Invalid(
            {
                **TYPEORM_PRODUCT,
                "services/search/src/index.ts": (
                    "import { DataSource } from 'typeorm';\n"
                    "import { Product } from './product.entity';\n"
                    "export const load = (ds: DataSource) => ds.getRepository(Product).find();\n"
                    "export const names = (ds: DataSource) =>\n"
                    "  ds.createQueryBuilder().select('u.name').from('auth_service.users', 'u').getRawMany();\n"
                ),
            },
            expect=("HOS102 services/search/src/index.ts:3:67 product_service.products",
                    "HOS102 services/search/src/index.ts:5:50 auth_service.users"),
        ),
        Valid({"services/order/src/orders.ts": (
            "import { DataSource } from 'typeorm';\n"
            "export const list = (ds: DataSource) =>\n"
            "  ds.createQueryBuilder().from('order_service.orders', 'o').leftJoinAndSelect('o.customer', 'c').getMany();\n")}),
        # MikroORM: a repository of an EntitySchema mapped onto another service's table
        Invalid({"services/search/src/stock.ts": (
            "import { EntitySchema, EntityManager } from '@mikro-orm/postgresql';\n"
            "export const Stock = new EntitySchema({ name: 'Stock', tableName: 'stock', schema: 'product_service', properties: {} });\n"
            "export const inStock = (em: EntityManager) => em.getRepository(Stock).findAll();\n")},
            expect=("HOS102 3:71 product_service.stock",)),
        Valid({"services/order/src/orders.ts": (
            "import { Entity, EntityManager, PrimaryKey } from '@mikro-orm/postgresql';\n"
            "@Entity({ tableName: 'orders', schema: 'order_service' })\n"
            "export class Order {\n  @PrimaryKey() id!: number;\n}\n"
            "export const open = (em: EntityManager) => em.find(Order, { paid: false });\n")}),
        # Sequelize: a sequelize-typescript model on another service's table
        Invalid({"services/search/src/stock.ts": (
            "import { Table, Model } from 'sequelize-typescript';\n"
            "@Table({ schema: 'product_service', tableName: 'stock' })\n"
            "export class Stock extends Model {}\n"
            "export const inStock = () => Stock.findAll({ where: { available: true } });\n")},
            expect=("HOS102 4:30 product_service.stock",)),
        # Drizzle
        Invalid(
            {
                **DRIZZLE_PRODUCTS,
                "services/search/src/sync.ts": (
                    "import { drizzle } from 'drizzle-orm/node-postgres';\n"
                    "import { products } from './db/schema';\n"
                    "const db = drizzle(process.env.DATABASE_URL!);\n"
                    "const rows = await db.select().from(products);\n"
                ),
            },
            expect=("HOS102 services/search/src/sync.ts:4:37 product_service.products",),
        ),
        # Knex
        Invalid({"services/search/src/sync.ts": (
            "import knex from 'knex';\n"
            "const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n"
            "const rows = await db.select('p.id').from('product_service.products as p');\n")},
            expect=("HOS102 3:44 product_service.products",)),
        # Kysely: withSchema qualifies the tables after it
        Valid({"services/search/src/q.ts": (
            "import { Kysely } from 'kysely';\n"
            "const db = new Kysely<Database>({ dialect });\n"
            "await db.withSchema('search_service').selectFrom('documents').selectAll().execute();\n")}),
        Invalid({"services/search/src/q.ts": (
            "import { Kysely } from 'kysely';\n"
            "const db = new Kysely<Database>({ dialect });\n"
            "await db.selectFrom('search_service.documents as d')\n"
            "  .innerJoin('product_service.products as p', 'p.id', 'd.product_id').selectAll().execute();\n")},
            expect=("HOS102 4:15 product_service.products",)),
        # slonik and @vercel/postgres
        Invalid({"services/search/src/q.ts": (
            "import { createPool, sql } from 'slonik';\n"
            "const pool = await createPool(process.env.DATABASE_URL!);\n"
            "await pool.any(sql.unsafe`SELECT * FROM product_service.products`);\n")},
            expect=("HOS102 3:41 product_service.products",)),
        Invalid({"services/search/src/q.ts": (
            "import { sql } from '@vercel/postgres';\n"
            "const { rows } = await sql`SELECT * FROM product_service.products WHERE id = ${id}`;\n")},
            expect=("HOS102 2:42 product_service.products",)),
    ),
)
