"""A service touches a relation that no service owns.

## What it does
Flags an access to a relation whose schema no service owns, or a `public`
table that no service lists under `tables:`. Framework bookkeeping tables
(`_prisma_migrations`, `alembic_version`, …) and the system catalogs
(`pg_catalog`, `information_schema`) are not reported.

## Why it matters
An unowned table has nobody to ask before changing it and nobody to blame when
it breaks. Every relation a service touches should have exactly one owner in
`hos-lint.yaml` before the decomposition can be called done.

## Example
```sql services/order/reports/daily.sql
SELECT count(*) FROM analytics.page_views;
```

## Instead
```sql services/order/reports/daily.sql
SELECT count(*) FROM order_service.orders;
```
Or give `analytics` an owner in `hos-lint.yaml`.
"""
from collections.abc import Iterator

from linter.model import Access, Finding, Severity
from linter.rule import Invalid, Rule, RuleContext, Valid

SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})
BOOKKEEPING = frozenset({"_prisma_migrations", "alembic_version", "schema_migrations", "knex_migrations",
                         "knex_migrations_lock"})


def check(access: Access, ctx: RuleContext) -> Iterator[Finding]:
    rel = access.relation
    if access.service is None or rel is None or ctx.owner_of(rel) is not None:
        return
    if rel.schema in SYSTEM_SCHEMAS or rel.schema.startswith("pg_temp") or rel.name in BOOKKEEPING:
        return
    where = f"schema {rel.schema}" if rel.schema != "public" else f"table {rel.name} in public"
    yield ctx.access_finding(
        access,
        message=f"{access.service} {access.kind.value}s {rel}, which no service owns",
        hint=f"give {where} an owner in hos-lint.yaml",
    )


RULE = Rule(
    code="HOS203",
    name="unowned-relation",
    severity=Severity.WARNING,
    doc=__doc__,
    check_access=check,
    examples=(
        Valid({"services/order/db/q.sql": "SELECT * FROM information_schema.tables;\nSELECT * FROM orders;\n"}),
        Valid({"services/order/db/q.sql": "SELECT * FROM public._prisma_migrations;\n"}),
        Invalid({"services/order/db/q.sql": "SELECT 1;\nINSERT INTO analytics.events (id) VALUES (1);\n"},
                expect=("HOS203 2:13 analytics.events",)),
        Invalid({"services/order/db/q.sql": "SELECT * FROM public.site_settings;\n"},
                expect=("HOS203 1:15 public.site_settings",)),
    ),
)
