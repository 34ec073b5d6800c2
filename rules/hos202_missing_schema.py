"""A service that owns a schema has a model or connection that does not name it.

## What it does
Flags, at the `model` line, a Prisma model without `@@schema(...)` in a
service that owns a schema (unless the service's connection sets
`?schema=` and the datasource does not list `schemas`), and a `DATABASE_URL`
without `?schema=` for such a service.

## Why it matters
Without a schema the table silently lands in `public` (or wherever the
connection happens to point), outside the service's boundary and invisible to
the ownership model.

## Example
```prisma services/order/prisma/schema.prisma
model Order {
  id Int @id
}
```

## Instead
```prisma services/order/prisma/schema.prisma
model Order {
  id Int @id
  @@schema("order_service")
}
```
"""
from collections.abc import Iterator

from hos_lint.model import Finding, Location, ModelSource, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid


def check(ctx: RuleContext) -> Iterator[Finding]:
    with_url_schema = {c.service for c in ctx.connections if c.variable is not None and c.schemas}
    multi_schema = {c.service for c in ctx.connections if c.variable is None and c.schemas}
    for model in ctx.models:
        if model.source is not ModelSource.PRISMA or model.schema_given:
            continue
        own = ctx.own_schema(model.service)
        if own is not None and not (model.service in with_url_schema and model.service not in multi_schema):
            yield _finding(ctx, model.service, own, model.location, f"Prisma model {model.name} has no @@schema",
                           f'add @@schema("{own}")')
    for conn in ctx.connections:
        own = ctx.own_schema(conn.service)
        # `?schema=${SCHEMA}` names a schema that is only known at run time: not missing
        if conn.variable is not None and own is not None and not conn.schemas and not conn.schema_dynamic:
            yield _finding(ctx, conn.service, own, conn.location, f"{conn.variable} has no ?schema=",
                           f"append ?schema={own}")


def _finding(ctx: RuleContext, service: str | None, own: str, location: Location, what: str, hint: str) -> Finding:
    return ctx.finding(
        location=location,
        service=service,
        relation=None,
        message=f"{service}: {what}, so it silently lands in public instead of {own}",
        hint=hint,
    )


RULE = Rule(
    code="HOS202", name="missing-schema", severity=Severity.WARNING, doc=__doc__,
    check_project=check,
    examples=(
        Valid({"services/order/prisma/schema.prisma": "model Order {\n  id Int @id\n  @@schema(\"order_service\")\n}\n"}),
        Valid({"services/api/prisma/schema.prisma": "model Setting {\n  id Int @id\n}\n"},
              manifest="version: 1\nservices:\n  api: {legacy: true}\n"),
        Invalid({"services/order/prisma/schema.prisma": "model Order {\n  id Int @id\n}\n"},
                expect=("HOS202 1:1",)),
        Invalid({"services/order/.env": "# local\nDATABASE_URL=postgresql://u:p@localhost:5432/hos\n"},
                expect=("HOS202 2:14",)),
        Valid({"services/order/.env": "DATABASE_URL=postgresql://u:p@localhost:5432/hos?schema=${SCHEMA}\n"}),
    ),
)
