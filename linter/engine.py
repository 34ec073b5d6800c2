"""Run the rules over resolved accesses and the project context (stage 7). Pure."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from hos_lint.context import ProjectContext
from hos_lint.model import Access, Finding, Suppression
from hos_lint.rule import Catalog, Rule, RuleContext


def run_rules(accesses: Iterable[Access], ctx: ProjectContext, rules: Iterable[Rule],
              reported: Callable[[str], bool] | None = None) -> list[Finding]:
    """Every finding of every given rule, in no particular order (policy sorts).

    ``reported`` (a path test; None: every path) limits the per-access checks to the
    accesses in the files that can be reported: a ``check_access`` finding is at its
    access's position (``RuleContext.access_finding``), so the findings left out are
    exactly ones policy would drop. Whole-set and project checks always see everything.
    """
    accesses = tuple(accesses)
    per_access = accesses if reported is None else tuple(a for a in accesses if reported(a.location.path))
    findings: list[Finding] = []
    for rule in rules:
        rctx = RuleContext.bind(ctx, rule)
        if rule.check_access is not None:
            for access in per_access:
                findings.extend(rule.check_access(access, rctx))
        if rule.check_accesses is not None:
            findings.extend(rule.check_accesses(accesses, rctx))
        if rule.check_project is not None:
            findings.extend(rule.check_project(rctx))
    return findings


def selected_rules(catalog: Catalog, select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[Rule, ...]:
    """Rules named by a ``select`` entry (all when empty) and by no ``ignore`` entry: codes,
    names or code prefixes (``Catalog.selected``; unknown ones were refused before)."""
    chosen = {r.code for s in select for r in catalog.selected(s)}
    dropped = {r.code for s in ignore for r in catalog.selected(s)}
    return tuple(r for r in catalog.rules if (not select or r.code in chosen) and r.code not in dropped)


def run_suppression_rules(unused: tuple[Suppression, ...], malformed: tuple[Suppression, ...],
                          ctx: ProjectContext, rules: Iterable[Rule],
                          known: frozenset[str] | None = None) -> list[Finding]:
    """Rules that judge suppressions themselves (HOS902), after they were applied.

    An unused suppression is only judged when every code it names was run:
    with ``--select HOS101`` a ``ignore[HOS102]`` comment is not "unused". One
    naming a code that is no rule (not in ``known``) can never be used, so it is
    always judged.
    """
    rules = tuple(rules)
    ran = {r.code for r in rules}
    unused = tuple(s for s in unused if set(s.codes) <= ran or (known is not None and not set(s.codes) <= known))
    findings: list[Finding] = []
    for rule in rules:
        if rule.check_suppressions is not None:
            rctx = RuleContext.bind(ctx, rule)
            findings.extend(rule.check_suppressions(unused, malformed, rctx))
    return findings
