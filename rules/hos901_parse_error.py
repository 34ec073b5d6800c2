"""A file or SQL snippet could not be parsed; its accesses are unknown.

## What it does
Reports every Prisma block, SQL statement, YAML document or source region
that hos-lint could not parse, at the position where parsing failed, as a
warning; the rest of the file is still analysed. A SQL statement PostgreSQL
would reject is reported at its start even when the relations it names can
still be read (``ALTER TABLE t ADD c int DEFAULT now(``): those are checked
as written.

A source file that could not be analysed at all is reported at **error**
severity: unreadable, not valid UTF-8, NUL bytes in its first 8 KB (binary),
larger than 8 MB, nested deeper than a parser can follow, or YAML whose
aliases and merge keys expand past 100,000 nodes or 100 levels. Its line is
where the problem starts (the bad byte, the alias). `rules.severity` in the
manifest (`HOS901: warning`) lowers both.

## Why it matters
What cannot be analysed must never count as clean. A broken migration or a
syntax hos-lint does not understand yet could hide exactly the access this
tool exists to find, and one corrupt byte in a file must not let its
violations through a gate that fails on errors.

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

from hos_lint.model import Finding, Severity
from hos_lint.rule import Invalid, Rule, RuleContext, Valid
from hos_lint.rules._problems import problem_findings


def check(ctx: RuleContext) -> Iterator[Finding]:
    yield from problem_findings(ctx, "fix the syntax or report the construct as unsupported",
                                severity=lambda problem: Severity.ERROR if problem.whole_file else None)


RULE = Rule(
    code="HOS901", name="parse-error", severity=Severity.WARNING, doc=__doc__,
    check_project=check,
    examples=(
        Valid({"services/order/db/ok.sql": "SELECT * FROM order_service.orders;\n"}),
        Invalid({"services/order/db/broken.sql": "SELECT 1;\nSELEC * FROM orders;\nSELECT 2;\n"},
                expect=("HOS901 2:1",)),
        Invalid({"services/order/prisma/schema.prisma": "model Order {\n  id Int @id\n"},
                expect=("HOS901 1:1",)),
        Invalid({"services/order/db/002.sql": "ALTER TABLE order_service.orders\n  ADD COLUMN c timestamptz DEFAULT now(;\n"},
                expect=("HOS901 1:1",)),
        # a whole file not analysed (error severity): binary, and a YAML alias bomb
        Invalid({"services/order/db/dump.sql": "SELECT 1;\0\0\x01\x02"}, expect=("HOS901 1:1",)),
        Invalid({"docker-compose.yml": "x-a: &a {DATABASE_URL: postgres://h/db}\n"
                 + "".join(f"x-{n}: &{n} {{<<: [{', '.join([f'*{p}'] * 10)}]}}\n"
                           for p, n in zip("abcdefghi", "bcdefghij"))
                 + "services:\n  order:\n    environment: *j\n"},
                expect=("HOS901 6:19",)),
        Valid({"docker-compose.yml": "x-db: &db\n  DATABASE_URL: postgres://h/db?schema=order_service\n"
               "services:\n  order:\n    environment:\n      <<: *db\n"}),
    ),
)
