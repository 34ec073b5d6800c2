"""Run the rules over resolved accesses and the project context (stage 7). Pure."""
from __future__ import annotations

from collections.abc import Iterable

from linter.context import ProjectContext
from linter.model import Access, Finding
from linter.rule import Catalog, Rule, RuleContext


def run_rules(accesses: Iterable[Access], ctx: ProjectContext, rules: Iterable[Rule]) -> list[Finding]:
    """Every finding of every given rule, in no particular order (policy sorts)."""
    accesses = tuple(accesses)
    findings: list[Finding] = []
    for rule in rules:
        rctx = RuleContext(project=ctx, code=rule.code, name=rule.name, severity=rule.severity)
        if rule.check_access is not None:
            for access in accesses:
                findings.extend(rule.check_access(access, rctx))
        if rule.check_project is not None:
            findings.extend(rule.check_project(rctx))
    return findings


def selected_rules(catalog: Catalog, select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[Rule, ...]:
    """Rules whose code matches a ``select`` prefix (all when empty) and no ``ignore`` prefix."""
    def hit(rule: Rule, prefixes: tuple[str, ...]) -> bool:
        return any(rule.code.startswith(p.upper()) or rule.name == p for p in prefixes)

    return tuple(r for r in catalog.rules if (not select or hit(r, select)) and not hit(r, ignore))
