"""A service writes a relation owned by another service.

## What it does
Flags every write by one service to a table (or view) owned by another
service: Prisma write operations (`create`, `update`, `upsert`, `delete`, the
`*Many` forms), nested writes inside `data`, and SQL `INSERT`, `UPDATE`,
`DELETE`, `MERGE`, `TRUNCATE`, `COPY … FROM`, `SELECT … FOR UPDATE` and
`LOCK TABLE`.

## Why it matters
Phase 4 gives every table exactly one owner. A second writer means neither
service can change the table's shape, invariants or storage without breaking
the other, and Phase 5's per-service database users will reject the write at
run time.

## Example
```sql services/search/migrations/001_touch.sql
UPDATE product_service.products SET indexed_at = now() WHERE id = 1;
```

## Instead
```sql services/search/migrations/001_touch.sql
UPDATE search_service.indexed_products SET indexed_at = now() WHERE id = 1;
```
Publish an event (`product.indexed`) or call the owning service's API and let
it write its own table.
"""
from collections.abc import Iterator

from hos_lint.model import Access, AccessKind, Finding, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid, unallowed_owner
from hos_lint.rules._examples import DRIZZLE_PRODUCTS, PRISMA_PRODUCT, TYPEORM_PRODUCT


def check(access: Access, ctx: RuleContext) -> Iterator[Finding]:
    if access.kind is not AccessKind.WRITE:
        return
    owner = unallowed_owner(access, ctx, AccessKind.WRITE)
    if owner is None:
        return
    yield ctx.access_finding(
        access,
        owner=owner,
        message=f"{access.service} writes {access.relation} (owned by {owner}) with {access.operation}",
        hint=f"publish an event or call the {owner} API instead of writing its tables",
    )


RULE = Rule(
    code="HOS101", name="cross-service-write", severity=Severity.ERROR, doc=__doc__,
    check_access=check,
    examples=(
        Valid({"services/order/db/q.sql": "INSERT INTO order_service.orders (id) VALUES (1);\n"}),
        Valid({"services/order/db/q.sql": "INSERT INTO orders (id) VALUES (1);\n"}),
        Valid({"services/order/db/q.sql": "SELECT * FROM order_service.orders o JOIN order_service.items i ON true;\n"}),
        Invalid({"services/search/db/q.sql": "DELETE FROM product_service.products WHERE id = 1;\n"},
                expect=("HOS101 1:13 product_service.products",)),
        Invalid({"services/search/db/q.sql": "SELECT 1;\nLOCK TABLE auth_service.users;\n"},
                expect=("HOS101 2:12 auth_service.users",)),
        Invalid(
            {
                **PRISMA_PRODUCT,
                "services/search/src/sync.ts": (
                    "import { PrismaClient } from '@prisma/client';\n"
                    "const prisma = new PrismaClient();\n"
                    "await prisma.product.update({ where: { id: 1 }, data: {} });\n"
                ),
            },
            expect=("HOS101 services/search/src/sync.ts:3:14 product_service.products",),
        ),
        # TypeORM: an entity declared in one file, written through an injected repository in another
        Invalid(
            {
                **TYPEORM_PRODUCT,
                "services/search/src/sync.service.ts": (
                    "import { InjectRepository } from '@nestjs/typeorm';\n"
                    "import { Repository } from 'typeorm';\n"
                    "import { Product } from './product.entity';\n\n"
                    "export class SyncService {\n"
                    "  constructor(@InjectRepository(Product) private readonly products: Repository<Product>) {}\n\n"
                    "  touch(id: number) {\n"
                    "    return this.products.update({ id }, { indexed: true });\n"
                    "  }\n"
                    "}\n"
                ),
            },
            expect=("HOS101 services/search/src/sync.service.ts:9:26 product_service.products",),
        ),
        Invalid({"services/search/src/sync.ts": (
            "import { DataSource } from 'typeorm';\n"
            "export const purge = (ds: DataSource) =>\n"
            "  ds.createQueryBuilder().delete().from('product_service.products').execute();\n")},
            expect=("HOS101 3:42 product_service.products",)),
        Valid(
            {
                "services/order/src/order.entity.ts": (
                    "import { Entity, PrimaryColumn } from 'typeorm';\n"
                    "@Entity('orders', { schema: 'order_service' })\n"
                    "export class Order {\n  @PrimaryColumn() id: number;\n}\n"
                ),
                "services/order/src/orders.ts": (
                    "import { EntityManager } from 'typeorm';\n"
                    "import { Order } from './order.entity';\n"
                    "export const pay = (m: EntityManager, id: number) => m.update(Order, { id }, { paid: true });\n"
                ),
            },
        ),
        # trap: a Repository class of the service's own making, not TypeORM's
        Valid({"services/search/src/sync.ts": (
            "import { Repository } from './repository';\n"
            "import { Product } from './product';\n"
            "export const touch = (r: Repository<Product>) => r.update({ id: 1 }, { indexed: true });\n")}),
        # MikroORM: the entity manager's native writes on an entity mapped onto another service's table
        Invalid(
            {
                "services/search/src/product.entity.ts": (
                    "import { Entity, PrimaryKey } from '@mikro-orm/core';\n"
                    "@Entity({ tableName: 'products', schema: 'product_service' })\n"
                    "export class Product {\n  @PrimaryKey() id!: number;\n}\n"
                ),
                "services/search/src/sync.ts": (
                    "import { EntityManager } from '@mikro-orm/postgresql';\n"
                    "import { Product } from './product.entity';\n"
                    "export const touch = (em: EntityManager) => em.nativeUpdate(Product, { id: 1 }, { indexed: true });\n"
                ),
            },
            expect=("HOS101 services/search/src/sync.ts:3:61 product_service.products",),
        ),
        # Sequelize: a model defined on another service's table, updated from another file
        Invalid(
            {
                "services/search/src/models.ts": (
                    "import { Sequelize, DataTypes } from 'sequelize';\n"
                    "export const sequelize = new Sequelize(process.env.DATABASE_URL);\n"
                    "export const Product = sequelize.define('Product', { indexed: DataTypes.BOOLEAN },\n"
                    "  { schema: 'product_service', tableName: 'products' });\n"
                ),
                "services/search/src/sync.ts": (
                    "import { Product } from './models';\n"
                    "export const touch = (id: number) => Product.update({ indexed: true }, { where: { id } });\n"
                ),
            },
            expect=("HOS101 services/search/src/sync.ts:2:38 product_service.products",),
        ),
        # trap: a local value whose methods are named like a model's
        Valid({"services/search/src/cache.ts": (
            "import { Product } from './models';\n"
            "export function evict(Product: Map<number, unknown>) { Product.destroy(1); }\n")}),
        # Drizzle: a table object imported from the service's schema file
        Valid({
            "services/order/src/db/schema.ts": (
                "import { pgSchema } from 'drizzle-orm/pg-core';\n"
                "export const orders = pgSchema('order_service').table('orders', {});\n"
            ),
            "services/order/src/ship.ts": (
                "import { drizzle } from 'drizzle-orm/node-postgres';\n"
                "import { orders } from './db/schema';\n"
                "const db = drizzle(process.env.DATABASE_URL!);\n"
                "await db.update(orders).set({ shipped: true });\n"
                "new Map().delete(orders);\n"
            ),
        }),
        Invalid(
            {
                **DRIZZLE_PRODUCTS,
                "services/search/src/sync.ts": (
                    "import { drizzle } from 'drizzle-orm/node-postgres';\n"
                    "import { products } from './db/schema';\n"
                    "const db = drizzle(process.env.DATABASE_URL!);\n"
                    "await db.update(products).set({ indexed: true });\n"
                ),
            },
            expect=("HOS101 services/search/src/sync.ts:4:17 product_service.products",),
        ),
        # Knex: the instance is known by its import, not by its name
        Valid({"services/search/src/sync.ts": (
            "import { createIndex } from './search-index';\n"
            "const knex = createIndex();\n"
            "await knex('product_service.products').update({ indexed: true });\n")}),
        Invalid({"services/search/src/sync.ts": (
            "import knex from 'knex';\n"
            "const db = knex({ client: 'pg', connection: process.env.DATABASE_URL });\n"
            "await db('products').withSchema('product_service').where({ id }).update({ indexed: true });\n")},
            expect=("HOS101 3:11 product_service.products",)),
        # Kysely
        Invalid({"services/search/src/sync.ts": (
            "import { Kysely } from 'kysely';\n"
            "const db = new Kysely<Database>({ dialect });\n"
            "await db.updateTable('product_service.products').set({ indexed: true }).execute();\n")},
            expect=("HOS101 3:23 product_service.products",)),
        # postgres.js: the tag is known by the factory call, not by its name
        Valid({"services/search/src/notes.ts": (
            "function sql(strings: TemplateStringsArray) { return strings.join(''); }\n"
            "const note = sql`UPDATE product_service.products SET indexed = true`;\n")}),
        Invalid({"services/search/src/sync.ts": (
            "import postgres from 'postgres';\n"
            "const sql = postgres(process.env.DATABASE_URL!);\n"
            "await sql`UPDATE product_service.products SET indexed = true WHERE id = ${id}`;\n")},
            expect=("HOS101 3:18 product_service.products",)),
        # pg-promise
        Invalid({"services/search/src/sync.ts": (
            "import pgPromise from 'pg-promise';\n"
            "const db = pgPromise()(process.env.DATABASE_URL!);\n"
            "await db.none('DELETE FROM product_service.products WHERE id = ${id}', { id });\n")},
            expect=("HOS101 3:28 product_service.products",)),
    ),
)
