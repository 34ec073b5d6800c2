"""A GRANT gives a service's role write or DDL rights on another service's schema.

## What it does
Flags, at the `GRANT`, any grant of `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`,
`REFERENCES`, `TRIGGER`, `CREATE` or `ALL` on a schema, on all tables in a
schema, or on a table, owned by a service other than the one whose database
role receives it. A service's role is its `role:` in `hos-lint.yaml`, or its
schema name.

## Why it matters
Phase 5 makes the boundary a hard one with per-service database users. A
grant like this quietly re-opens the door that the rules above keep closed in
code: nothing in the application changes, but the database now accepts the
cross-service write.

## Example
```sql infrastructure/database/grants.sql
GRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA auth_service TO order_service;
```

## Instead
```sql infrastructure/database/grants.sql
GRANT SELECT ON order_service.customer_emails TO order_service;
```
Grant a service only `SELECT` on views in its own schema; `hos-lint grants`
writes the least-privilege set.
"""
from collections.abc import Iterator

from linter.model import Finding, Grant, Severity
from linter.rule import Invalid, Rule, RuleContext, Valid

WRITE_PRIVILEGES = frozenset({"INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "CREATE",
                              "ALL", "ALL PRIVILEGES"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    roles = {svc.role_name: svc.name for svc in ctx.project.manifest.services}
    for grant in ctx.project.grants:
        excess = sorted(p for p in grant.privileges if p in WRITE_PRIVILEGES)
        if grant.revoke or not excess:
            continue
        for grantee in grant.grantees:
            service = roles.get(grantee)
            if service is not None:
                yield from _foreign_targets(ctx, grant, grantee, service, excess)


def _foreign_targets(ctx: RuleContext, grant: Grant, grantee: str, service: str, excess) -> Iterator[Finding]:
    for obj in grant.objects:
        schema = obj.name if grant.object_type.schema_wide else ctx.project.resolve_ref(obj, grant.service).schema
        owner = ctx.project.ownership.schema_owner.get(schema)
        if owner is None or owner == service:
            continue
        yield ctx.finding(
            location=grant.location,
            service=service,
            relation=schema if grant.object_type.schema_wide else obj.display(),
            owner=owner,
            anchor=grant.anchor,
            message=f"GRANT gives {grantee} ({service}'s role) {', '.join(excess)} on {schema} (owned by {owner})",
            hint=f"grant {service} only SELECT on views in its own schema (see `hos-lint grants`)",
        )


RULE = Rule(
    code="HOS301",
    name="excess-grant",
    severity=Severity.ERROR,
    doc=__doc__,
    check_project=check,
    examples=(
        Valid({"infrastructure/database/grants.sql": "GRANT ALL ON ALL TABLES IN SCHEMA order_service TO order_service;\n"}),
        Valid({"infrastructure/database/grants.sql": "GRANT SELECT ON ALL TABLES IN SCHEMA auth_service TO order_service;\n"}),
        Invalid({"infrastructure/database/grants.sql": (
            "-- phase 5\nGRANT INSERT, UPDATE ON ALL TABLES IN SCHEMA auth_service TO order_service;\n")},
            expect=("HOS301 2:1 auth_service",)),
        Invalid({"infrastructure/database/grants.sql": "GRANT DELETE ON product_service.products TO search_service;\n"},
                expect=("HOS301 1:1 product_service.products",)),
    ),
)
