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

from hos_lint.model import Finding, GrantTarget, ResolvedGrant, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid

WRITE_PRIVILEGES = frozenset({"INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "CREATE",
                              "ALL", "ALL PRIVILEGES"})


def check(ctx: RuleContext) -> Iterator[Finding]:
    for resolved in ctx.grants:
        grant = resolved.grant
        excess = sorted(p for p in grant.privileges if p in WRITE_PRIVILEGES)
        if grant.revoke or not excess:
            continue
        for grantee in resolved.grantees:
            if grantee.service is None:
                continue
            for target in resolved.targets:
                owner = target.schema.owner
                if owner is not None and owner != grantee.service:
                    yield _finding(ctx, resolved, grantee.role, grantee.service, target, excess)


def _finding(ctx: RuleContext, resolved: ResolvedGrant, role: str, service: str, target: GrantTarget,
             excess: list[str]) -> Finding:
    schema, owner = target.schema.schema, target.schema.owner
    return ctx.finding(
        location=resolved.grant.location,
        service=service,
        relation=target.name,
        owner=owner,
        anchor=resolved.grant.anchor,
        message=f"GRANT gives {role} ({service}'s role) {', '.join(excess)} on {schema} (owned by {owner})",
        hint=f"grant {service} only SELECT on views in its own schema (see `hos-lint grants`)",
    )


RULE = Rule(
    code="HOS301", name="excess-grant", severity=Severity.ERROR, doc=__doc__,
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
