"""A service's Prisma schema or ORM maps a model onto another service's relation.

## What it does
Flags, at the `model` line (the `class` line for a SQLAlchemy model, the
class name for a TypeORM, MikroORM or Sequelize model), every Prisma model
or ORM model in a service that is mapped onto a relation owned by another
service — whether or not any code uses it yet.

## Why it matters
A foreign model puts another team's table into your generated client: the
next `prisma migrate` may try to alter it, and every use is a cross-service
access waiting to happen. It is the root of most HOS101/HOS102 findings.

## Example
```prisma services/search/prisma/schema.prisma
model Product {
  id Int @id
  @@map("products")
  @@schema("product_service")
}
```

## Instead
```prisma services/search/prisma/schema.prisma
model SearchDocument {
  id Int @id
  @@map("documents")
  @@schema("search_service")
}
```
Keep only your own tables in your schema file; read other services' data
through a view in your schema (a Prisma `view` block) or their API.
"""
from collections.abc import Iterator

from hos_lint.model import Finding, ResolvedModel, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid


def check(ctx: RuleContext) -> Iterator[Finding]:
    for model in ctx.models:
        if model.service is not None and model.owner is not None and model.owner != model.service:
            yield _finding(ctx, model, model.service, model.owner)


def _finding(ctx: RuleContext, model: ResolvedModel, service: str, owner: str) -> Finding:
    own = ctx.own_schema(service) or "your own schema"
    return ctx.finding(
        location=model.location,
        service=service,
        relation=model.relation,
        owner=owner,
        message=f"{service}'s {model.describe()} maps onto {model.relation} (owned by {owner})",
        hint=f"remove it and read through a view in {own} or the {owner} API",
    )


RULE = Rule(
    code="HOS105", name="foreign-model", severity=Severity.WARNING, doc=__doc__,
    check_project=check,
    examples=(
        Valid({"services/order/prisma/schema.prisma": (
            "model User {\n  id Int @id\n  @@map(\"users\")\n  @@schema(\"order_service\")\n}\n")}),
        Valid({"services/order/prisma/schema.prisma": (
            "view CustomerEmail {\n  id Int @unique\n  @@map(\"customer_emails\")\n  @@schema(\"order_service\")\n}\n")}),
        Invalid({"services/order/prisma/schema.prisma": (
            "// users live in auth\nmodel User {\n  id Int @id\n  @@map(\"users\")\n  @@schema(\"auth_service\")\n}\n")},
            expect=("HOS105 2:1 auth_service.users",)),
        Invalid({"services/order/app/models.py": (
            "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n\n\n"
            "class Product(Base):\n    __tablename__ = \"products\"\n"
            "    __table_args__ = {\"schema\": \"product_service\"}\n")},
            expect=("HOS105 8:1 product_service.products",)),
        # TypeORM entities: @Entity('name', { schema }) / @Entity({ name, schema })
        Invalid({"services/order/src/user.entity.ts": (
            "import { Entity, PrimaryColumn } from 'typeorm';\n\n"
            "@Entity('users', { schema: 'auth_service' })\n"
            "export class User {\n  @PrimaryColumn() id: number;\n}\n")},
            expect=("HOS105 4:14 auth_service.users",)),
        Valid({"services/order/src/order.entity.ts": (
            "import { Entity, PrimaryColumn } from 'typeorm';\n\n"
            "@Entity({ name: 'orders', schema: 'order_service' })\n"
            "export class Order {\n  @PrimaryColumn() id: number;\n}\n")}),
        # trap: an @Entity decorator that is not TypeORM's
        Valid({"services/order/src/user.ts": (
            "import { Entity } from './decorators';\n"
            "@Entity('users', { schema: 'auth_service' })\n"
            "export class User {}\n")}),
        # MikroORM entities: @Entity({ tableName, schema }) and EntitySchema
        Invalid({"services/order/src/user.entity.ts": (
            "import { Entity, PrimaryKey } from '@mikro-orm/core';\n"
            "@Entity({ tableName: 'users', schema: 'auth_service' })\n"
            "export class User {\n  @PrimaryKey() id!: number;\n}\n")},
            expect=("HOS105 3:14 auth_service.users",)),
        Valid({"services/order/src/order.schema.ts": (
            "import { EntitySchema } from '@mikro-orm/core';\n"
            "export const OrderSchema = new EntitySchema({ name: 'Order', tableName: 'orders', schema: 'order_service', properties: {} });\n")}),
        # Sequelize models: define(…, { schema, tableName }), Model.init(…, { sequelize, schema }), @Table
        Invalid({"services/order/src/user.model.ts": (
            "import { DataTypes, Model } from 'sequelize';\n"
            "import { sequelize } from './db';\n"
            "export class User extends Model {}\n"
            "User.init({ email: DataTypes.STRING }, { sequelize, schema: 'auth_service', tableName: 'users' });\n")},
            expect=("HOS105 4:1 auth_service.users",)),
        Valid({"services/order/src/order.model.ts": (
            "import { Table, Model } from 'sequelize-typescript';\n"
            "@Table({ schema: 'order_service', tableName: 'orders' })\n"
            "export class Order extends Model {}\n")}),
        # Drizzle: pgSchema('s').table(...) and pgTable(...) (the service's own schema)
        Valid({"services/order/src/db/schema.ts": (
            "import { pgSchema, pgTable } from 'drizzle-orm/pg-core';\n"
            "export const orders = pgSchema('order_service').table('orders', {});\n"
            "export const carts = pgTable('carts', {});\n")}),
        Invalid({"services/order/src/db/schema.ts": (
            "import { pgSchema } from 'drizzle-orm/pg-core';\n"
            "const auth = pgSchema('auth_service');\n"
            "export const users = auth.table('users', {});\n")},
            expect=("HOS105 3:34 auth_service.users",)),
    ),
)
