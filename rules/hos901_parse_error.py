"""A file or SQL snippet could not be parsed; its accesses are unknown.

## What it does
Reports every file, Prisma block, SQL statement or source region that
hos-lint could not parse (or read: binary, not UTF-8, too large), at the
position where parsing failed. The rest of the file is still analysed.

## Why it matters
What cannot be analysed must never count as clean. A broken migration or a
syntax hos-lint does not understand yet could hide exactly the access this
tool exists to find.

## Example
```sql services/order/db/broken.sql
SELEC * FROM order_service.orders;
```

## Instead
```sql services/order/db/broken.sql
SELECT * FROM order_service.orders;
```
Fix the syntax, or report the construct hos-lint does not understand.
"""
from collections.abc import Iterator

from linter.model import Finding, Severity
from linter.rule import Invalid, Rule, RuleContext, Valid
from rules._problems import problem_findings


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from problem_findings(ctx, "fix the syntax or report the construct as unsupported")


RULE = Rule(
    code="HOS901",
    name="parse-error",
    severity=Severity.WARNING,
    doc=__doc__,
    check_project=check,
    examples=(
        Valid({"services/order/db/ok.sql": "SELECT * FROM order_service.orders;\n"}),
        Invalid({"services/order/db/broken.sql": "SELECT 1;\nSELEC * FROM orders;\nSELECT 2;\n"},
                expect=("HOS901 2:1",)),
        Invalid({"services/order/prisma/schema.prisma": "model Order {\n  id Int @id\n"},
                expect=("HOS901 1:1",)),
    ),
)
