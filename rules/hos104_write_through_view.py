"""A write targets a view.

## What it does
Flags any write (Prisma write operation on a `view` block, SQL
`INSERT`/`UPDATE`/`DELETE`/`MERGE` and the other write forms) whose target is
a view or materialized view, whoever owns it.

## Why it matters
Views are the sanctioned read path across services. PostgreSQL makes simple
views auto-updatable, so a write through a view is a write to the other
service's base table that no ownership check on the view's own schema sees.

## Example
```sql services/order/db/fix.sql
CREATE VIEW order_service.customer_emails AS SELECT id, email FROM auth_service.users;
UPDATE order_service.customer_emails SET email = lower(email);
```

## Instead
```sql services/order/db/fix.sql
CREATE VIEW order_service.customer_emails AS SELECT id, email FROM auth_service.users;
SELECT email FROM order_service.customer_emails;
```
Ask the owning service to change its data through its API or an event.
"""
from collections.abc import Iterator

from hos_lint.model import Access, AccessKind, Finding, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid

# a TypeORM view entity, shared by the examples that write and read through it
_CUSTOMER_EMAIL_VIEW = {
    "services/order/src/customer-email.view.ts": (
        "import { ViewEntity, ViewColumn } from 'typeorm';\n"
        "@ViewEntity({ name: 'customer_emails', schema: 'order_service' })\n"
        "export class CustomerEmail {\n  @ViewColumn() email: string;\n}\n"
    ),
}


def check(access: Access, ctx: RuleContext) -> Iterator[Finding]:
    if access.kind is not AccessKind.WRITE or access.service is None or not ctx.is_view(access.relation):
        return
    owner = ctx.owner_of(access.relation)
    yield ctx.access_finding(
        access,
        owner=owner,
        message=f"{access.service} writes through view {access.relation} with {access.operation}",
        hint="a write through a view is a write to the tables behind it; ask their owner to make the change",
    )


RULE = Rule(
    code="HOS104", name="write-through-view", severity=Severity.ERROR, doc=__doc__,
    check_access=check,
    examples=(
        Valid({"services/order/db/q.sql": "CREATE VIEW order_service.v AS SELECT 1 AS x;\nSELECT * FROM order_service.v;\n"}),
        Valid({"services/order/db/q.sql": "UPDATE order_service.orders SET status = 'paid';\n"}),
        Invalid({"services/order/db/q.sql": "CREATE VIEW order_service.v AS SELECT 1 AS x;\nDELETE FROM order_service.v;\n"},
                expect=("HOS104 2:13 order_service.v",)),
        Invalid(
            {
                "services/order/prisma/schema.prisma": (
                    "view OrderTotal {\n  id Int @unique\n  @@map(\"order_totals\")\n  @@schema(\"order_service\")\n}\n"
                ),
                "services/order/src/t.ts": (
                    "import { PrismaClient } from '@prisma/client';\n"
                    "const prisma = new PrismaClient();\n"
                    "await prisma.orderTotal.deleteMany({});\n"
                ),
            },
            expect=("HOS104 services/order/src/t.ts:3:14 order_service.order_totals",),
        ),
        # TypeORM: a @ViewEntity is a view; reading it is the sanctioned path, saving through it is not
        Invalid(
            {
                **_CUSTOMER_EMAIL_VIEW,
                "services/order/src/emails.ts": (
                    "import { EntityManager } from 'typeorm';\n"
                    "import { CustomerEmail } from './customer-email.view';\n"
                    "export const fix = (m: EntityManager) => m.save(CustomerEmail, { email: 'x' });\n"
                ),
            },
            expect=("HOS104 services/order/src/emails.ts:3:49 order_service.customer_emails",),
        ),
        Valid(
            {
                **_CUSTOMER_EMAIL_VIEW,
                "services/order/src/emails.ts": (
                    "import { EntityManager } from 'typeorm';\n"
                    "import { CustomerEmail } from './customer-email.view';\n"
                    "export const list = (m: EntityManager) => m.find(CustomerEmail);\n"
                ),
            },
        ),
        # MikroORM: an entity with view: true is a view
        Invalid({"services/order/src/totals.ts": (
            "import { Entity, EntityManager, PrimaryKey } from '@mikro-orm/postgresql';\n"
            "@Entity({ view: true, tableName: 'order_totals', schema: 'order_service', expression: 'SELECT 1 AS id' })\n"
            "export class OrderTotal {\n  @PrimaryKey() id!: number;\n}\n"
            "export const reset = (em: EntityManager) => em.nativeDelete(OrderTotal, {});\n")},
            expect=("HOS104 6:61 order_service.order_totals",)),
    ),
)
