"""Shared by HOS205 and HOS901: turn extraction problems of one code into findings."""
from collections.abc import Callable, Iterator

from hos_lint.model import Finding, Problem, Severity
from hos_lint.rule import RuleContext


def problem_findings(ctx: RuleContext, hint: str,
                     severity: Callable[[Problem], Severity | None] = lambda problem: None) -> Iterator[Finding]:
    """One finding per problem of the rule's code; ``severity(problem)`` replaces
    the rule's default severity for that problem (None keeps the default)."""
    for problem in ctx.problems:
        if problem.code == ctx.code:
            yield ctx.finding(location=problem.location, service=problem.service, message=problem.message,
                              hint=hint, anchor=problem.anchor, severity=severity(problem))
