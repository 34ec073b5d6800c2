"""A foreign key or Prisma relation joins relations of different owners.

## What it does
Flags a Prisma `@relation(fields: …)` between two models whose tables belong
to different services (at the relation field), and an SQL `REFERENCES` from a
table of one service to a table of another (at the referenced table name).

## Why it matters
A cross-service foreign key makes the owner unable to delete, archive, move or
re-key its rows without the other service's schema blocking it, and it ties
both schemas to one database forever — the opposite of decomposition.

## Example
```sql services/order/db/m.sql
ALTER TABLE order_service.orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES auth_service.users (id);
```

## Instead
```sql services/order/db/m.sql
CREATE INDEX orders_user_id ON order_service.orders (user_id);
```
Keep the id as a plain column, validate it through the owner's API and react
to its deletion events.
"""
from collections.abc import Iterator

from hos_lint.model import Access, AccessKind, Finding, ResolvedForeignKey, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid


def check_access(access: Access, ctx: RuleContext) -> Iterator[Finding]:
    """An SQL ``REFERENCES``: from the table being defined to the one it names."""
    if access.kind is not AccessKind.REFERENCE or access.service is None:
        return
    if access.referrer is None or access.relation is None:
        return
    fk = ResolvedForeignKey(service=access.service, location=access.location, source=access.referrer,
                            target=access.relation, source_owner=ctx.owner_of(access.referrer),
                            target_owner=ctx.owner_of(access.relation))
    yield from _cross(ctx, fk, access)


def check_project(ctx: RuleContext) -> Iterator[Finding]:
    """Prisma relation fields."""
    for fk in ctx.foreign_keys:
        if fk.service is not None:
            yield from _cross(ctx, fk, None)


def _cross(ctx: RuleContext, fk: ResolvedForeignKey, access: Access | None) -> Iterator[Finding]:
    a, b = fk.source_owner, fk.target_owner
    if a is None or b is None or a == b:
        return
    yield ctx.finding(
        location=fk.location,
        service=fk.service,
        access=access,
        relation=fk.target,
        owner=b,
        message=f"foreign key from {fk.source} (owned by {a}) to {fk.target} (owned by {b}) crosses a service boundary",
        hint=f"keep the id as a plain column and validate it through the {b} API or events",
    )


RULE = Rule(
    code="HOS106", name="cross-service-foreign-key", severity=Severity.ERROR, doc=__doc__,
    check_access=check_access,
    check_project=check_project,
    examples=(
        Valid({"services/order/db/m.sql": (
            "CREATE TABLE order_service.items (id int, order_id int REFERENCES order_service.orders (id));\n")}),
        Invalid({"services/order/db/m.sql": (
            "CREATE TABLE order_service.orders (\n  id int,\n  user_id int REFERENCES auth_service.users (id)\n);\n")},
            expect=("HOS106 3:26 auth_service.users",)),
        Invalid({"services/order/prisma/schema.prisma": (
            "model Order {\n  id Int @id\n  userId Int\n  user User @relation(fields: [userId], references: [id])\n"
            "  @@schema(\"order_service\")\n}\n\n"
            "model User {\n  id Int @id\n  orders Order[]\n  @@map(\"users\")\n  @@schema(\"auth_service\")\n}\n")},
            expect=("HOS106 4:3 auth_service.users",)),
    ),
)
