"""A suppression comment matched no finding, or lacks its codes or reason.

## What it does
Reports, at the comment, every `hos-lint: ignore[CODES] reason` comment that
suppressed nothing, and every `hos-lint:` comment without rule codes or
without a reason (those suppress nothing).

## Why it matters
Exceptions must only ever shrink. A suppression left behind after the code
was fixed would silently hide the next real violation on that statement, and
an unexplained one gives reviewers nothing to judge.

## Example
```sql services/order/db/q.sql
-- hos-lint: ignore[HOS102] reporting job reads auth until the view exists
SELECT * FROM order_service.orders;
```

## Instead
```sql services/order/db/q.sql
SELECT * FROM order_service.orders;
```
Delete the comment once the access it excused is gone.
"""
from collections.abc import Iterator

from hos_lint.model import Finding, Severity, Suppression
from hos_lint.rule import Invalid, Rule, RuleContext, Valid


def check(unused: tuple[Suppression, ...], malformed: tuple[Suppression, ...], ctx: RuleContext) -> Iterator[Finding]:
    for s in unused:
        yield ctx.finding(
            location=s.location,
            service=None,
            message=f"suppression of {', '.join(s.codes)} matches no finding",
            hint="remove the comment",
        )
    for s in malformed:
        missing = "rule codes, e.g. ignore[HOS102]" if not s.codes else "a reason after the codes"
        yield ctx.finding(
            location=s.location,
            service=None,
            message=f"suppression needs {missing}; it suppresses nothing",
            hint="write `hos-lint: ignore[HOS102] why this access is acceptable`",
        )


RULE = Rule(
    code="HOS902", name="unused-suppression", severity=Severity.WARNING, doc=__doc__,
    check_suppressions=check,
    examples=(
        Valid({"services/order/db/q.sql": (
            "-- hos-lint: ignore[HOS102] nightly report, view lands in PLAT-12\n"
            "SELECT * FROM auth_service.users;\n")}),
        Invalid({"services/order/db/q.sql": (
            "SELECT * FROM order_service.orders; -- hos-lint: ignore[HOS101] stale\n")},
            expect=("HOS902 1:37",)),
        Invalid({"services/order/db/q.sql": (
            "-- hos-lint: ignore[HOS102]\nSELECT * FROM auth_service.users;\n")},
            expect=("HOS902 1:1",)),
    ),
)
