"""Shared by HOS205 and HOS901: turn extraction problems of one code into findings."""
from collections.abc import Iterator

from linter.model import Finding
from linter.rule import RuleContext


def problem_findings(ctx: RuleContext, hint: str) -> Iterator[Finding]:
    for problem in ctx.project.problems:
        if problem.code == ctx.code:
            yield ctx.finding(location=problem.location, service=problem.service, message=problem.message,
                              hint=hint, anchor=problem.anchor)
