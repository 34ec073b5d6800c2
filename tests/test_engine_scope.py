"""Per-access checks run only for the files that can be reported, and that leaves out
exactly the findings policy would drop: same findings as running everything and filtering."""
from dataclasses import replace
from pathlib import Path

import pytest

from hos_lint import app
from hos_lint.app import checking
from hos_lint.app.checking import judge
from hos_lint.engine import run_rules
from hos_lint.registry import load_catalog
from hos_lint.rule import RuleContext

ROOT = Path(__file__).parent.parent / "fixtures" / "hos-marketplace"
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def project():
    return app.analyse(app.Options(paths=(str(ROOT),), cache=False))


def test_every_per_access_finding_is_at_its_access(project):
    """The premise: a check_access finding lies in its access's file (else skipping
    out-of-scope accesses could lose a reported finding)."""
    rules = [r for r in CATALOG.rules if r.check_access is not None]
    assert rules
    checked = 0
    for rule in rules:
        rctx = RuleContext.bind(project.context, rule)
        for access in project.accesses:
            for finding in rule.check_access(access, rctx):
                checked += 1
                assert finding.location == access.location, (rule.code, access, finding)
    assert checked > 10


@pytest.mark.parametrize("scope", [("services/order",), ("services/order/src", "services/payment"),
                                   ("hos-lint.yaml",), ("services/nothing-here",)])
@pytest.mark.parametrize("files_only", [False, True])
def test_scoped_run_judges_as_a_run_of_every_check(project, scope, files_only, monkeypatch):
    """Same reported findings and suppressed count as running every per-access check."""
    scoped = replace(project, scope=scope, files_only=files_only)
    narrowed = judge(scoped, CATALOG.rules, CATALOG)
    monkeypatch.setattr(checking, "run_rules", lambda accesses, ctx, rules, reported=None:
                        run_rules(accesses, ctx, rules))
    assert narrowed == judge(scoped, CATALOG.rules, CATALOG)
    if scope == ("services/order",):
        assert len(narrowed[0]) > 3  # the comparison is not vacuous


def test_reported_limits_per_access_checks(project):
    rules = [r for r in CATALOG.rules if r.check_access is not None]
    everything = run_rules(project.accesses, project.context, rules)
    none = run_rules(project.accesses, project.context, rules, reported=lambda path: False)
    assert none == run_rules((), project.context, rules)  # only the whole-project checks' findings
    assert len(none) < len(everything)
