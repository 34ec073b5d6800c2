"""Two services claim the same schema or the same public table.

## What it does
Flags, at the second claim in `hos-lint.yaml`, a schema listed as the
`schema:` of two services, or a `public` table listed under `tables:` of two
services; the message names the first claim's place too. Without a manifest,
a `public` table is claimed by the service whose Prisma schema defines it (a
model without `@@schema`), so two services modelling the same `public` table
are flagged at the second model.

## Why it matters
Ownership must be a function: one relation, one owner. With two claims every
other rule has to guess, and the first claim silently wins.

## Example
```yaml hos-lint.yaml
version: 1
services:
  order: {schema: order_service}
  billing: {schema: order_service}
```

## Instead
```yaml hos-lint.yaml
version: 1
services:
  order: {schema: order_service}
  billing: {schema: billing_service}
```
"""
from collections.abc import Iterator

from hos_lint.model import Finding, Severity
from hos_lint.rule import Claim, Invalid, Rule, RuleContext, Valid


def check(ctx: RuleContext) -> Iterator[Finding]:
    first: dict[tuple[str, str], Claim] = {}
    for claim in ctx.claims:
        key = (claim.kind, claim.value)
        if key not in first:
            first[key] = claim
            continue
        prior = first[key]
        if prior.service == claim.service or claim.location is None:
            continue
        what = f"schema {claim.value}" if claim.kind == "schema" else f"public table {claim.value}"
        there = f" ({prior.location.path}:{prior.location.line})" if prior.location else ""
        yield ctx.finding(
            location=claim.location,
            service=claim.service,
            relation=claim.value,
            owner=prior.service,
            message=f"{claim.service} claims {what} here, already owned by {prior.service}{there}",
            hint="give every schema and public table exactly one owner",
        )


RULE = Rule(
    code="HOS204", name="ownership-conflict", severity=Severity.ERROR, doc=__doc__,
    check_project=check,
    examples=(
        Valid({"services/order/db/q.sql": "SELECT 1;\n"},
              manifest="version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n"),
        Invalid({"services/order/db/q.sql": "SELECT 1;\n"},
                manifest=("version: 1\nservices:\n  api:\n    legacy: true\n    tables: [site_settings]\n"
                          "  content:\n    schema: content_service\n    tables: [site_settings]\n"),
                expect=("HOS204 hos-lint.yaml:8:1 site_settings",)),
    ),
)
