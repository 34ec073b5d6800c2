"""A service touches a relation that no service owns.

## What it does
Flags an access to a relation whose schema no service owns, or a `public`
table that no service lists under `tables:`. Each service and relation is
reported once, at its first access (by path, line and column), with the number
of further accesses in the message: the fix is one line in `hos-lint.yaml`.
Framework bookkeeping tables (`_prisma_migrations`, `alembic_version`, …) and
the system catalogs (`pg_catalog`, `information_schema`) are not reported.

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

from hos_lint.model import Access, Finding, Relation, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid

SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})
BOOKKEEPING = frozenset({"_prisma_migrations", "alembic_version", "schema_migrations", "knex_migrations",
                         "knex_migrations_lock"})


def check(accesses: tuple[Access, ...], ctx: RuleContext) -> Iterator[Finding]:
    """One finding per (service, relation), at the first access, counting the rest."""
    found: dict[tuple[str, Relation], list[Access]] = {}
    for access in accesses:
        if _unowned(access, ctx):
            found.setdefault((access.service, access.relation), []).append(access)  # type: ignore[arg-type]
    for (service, rel), group in found.items():
        first = min(group, key=_position)
        more = len(group) - 1
        where = f"schema {rel.schema}" if rel.schema != "public" else f"table {rel.name} in public"
        also = f", here and at {more} more place{'s' if more != 1 else ''}" if more else ""
        yield ctx.access_finding(
            first,
            message=f"{service} {first.kind.verb} {rel}, which no service owns{also}",
            hint=f"give {where} an owner in hos-lint.yaml",
        )


def _unowned(access: Access, ctx: RuleContext) -> bool:
    rel = access.relation
    if access.service is None or rel is None or ctx.owner_of(rel) is not None:
        return False
    return not (rel.schema in SYSTEM_SCHEMAS or rel.schema.startswith("pg_temp") or rel.name in BOOKKEEPING)


def _position(access: Access) -> tuple[str, int, int, str, str | None]:
    loc = access.location
    return (loc.path, loc.line, loc.col, access.kind.value, access.operation)


RULE = Rule(
    code="HOS203", name="unowned-relation", severity=Severity.WARNING, doc=__doc__,
    check_accesses=check,
    examples=(
        Valid({"services/order/db/q.sql": "SELECT * FROM information_schema.tables;\nSELECT * FROM orders;\n"}),
        Valid({"services/order/db/q.sql": "SELECT * FROM public._prisma_migrations;\n"}),
        Invalid({"services/order/db/q.sql": "SELECT 1;\nINSERT INTO analytics.events (id) VALUES (1);\n"},
                expect=("HOS203 2:13 analytics.events",)),
        Invalid({"services/order/db/q.sql": "SELECT * FROM public.site_settings;\n"},
                expect=("HOS203 1:15 public.site_settings",)),
        # once per service and relation: at the first access (by path), the others counted;
        # another service touching it gets its own finding
        Invalid({"services/order/db/b.sql": "SELECT * FROM analytics.events;\n",
                 "services/order/db/a.sql": "SELECT 1;\nDELETE FROM analytics.events;\nSELECT * FROM analytics.events;\n",
                 "services/auth/db/a.sql": "SELECT * FROM analytics.events;\nSELECT * FROM analytics.visits;\n"},
                expect=("HOS203 services/order/db/a.sql:2:13 analytics.events",
                        "HOS203 services/auth/db/a.sql:1:15 analytics.events",
                        "HOS203 services/auth/db/a.sql:2:15 analytics.visits")),
    ),
)
