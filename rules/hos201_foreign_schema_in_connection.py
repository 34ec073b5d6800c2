"""A service's connection or Prisma datasource includes another service's schema.

## What it does
Flags a Prisma datasource `schemas = [...]` entry, or a `DATABASE_URL`
`?schema=` entry, that names a schema owned by another service (at the line
naming the schema).

## Why it matters
Listing a foreign schema is how a service gets a generated client for another
team's tables. It is the door every other cross-service access walks through,
and Phase 5's per-service users will not be able to open it.

## Example
```prisma services/search/prisma/schema.prisma
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
  schemas  = ["search_service", "product_service"]
}
```

## Instead
```prisma services/search/prisma/schema.prisma
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
  schemas  = ["search_service"]
}
```
Read product data through a view in `search_service` or the product API.
"""
from collections.abc import Iterator

from hos_lint.model import Finding, ResolvedConnection, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid


def check(ctx: RuleContext) -> Iterator[Finding]:
    for conn in ctx.connections:
        for schema in conn.schemas:
            if conn.service is not None and schema.owner is not None and schema.owner != conn.service:
                yield _finding(ctx, conn, conn.service, schema.schema, schema.owner)


def _finding(ctx: RuleContext, conn: ResolvedConnection, service: str, schema: str, owner: str) -> Finding:
    own = ctx.own_schema(service) or "its own schema"
    return ctx.finding(
        location=conn.location,
        service=service,
        relation=schema,
        owner=owner,
        message=f"{service}'s {conn.variable or 'Prisma datasource'} includes schema {schema} (owned by {owner})",
        hint=f"connect to {own} only and read {owner}'s data through a view or its API",
    )


RULE = Rule(
    code="HOS201", name="foreign-schema-in-connection", severity=Severity.ERROR, doc=__doc__,
    check_project=check,
    examples=(
        Valid({"services/order/prisma/schema.prisma": (
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n"
            "  schemas = [\"order_service\"]\n}\n")}),
        Invalid({"services/order/prisma/schema.prisma": (
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n"
            "  schemas = [\"order_service\", \"auth_service\"]\n}\n")},
            expect=("HOS201 4:3 auth_service",)),
        Invalid({"docker-compose.yml": (
            "services:\n  order-service:\n    build: ./services/order\n    environment:\n"
            "      DATABASE_URL: postgresql://u:p@db:5432/hos?schema=order_service,auth_service\n")},
            expect=("HOS201 5:21 auth_service",)),
        Valid({"services/order/.env": "DATABASE_URL=postgresql://u:p@db:5432/hos?schema=order_service\n"}),
    ),
)
