"""``hos-lint report`` and ``hos-lint grants``: documents about the whole project,
and how its picture changed since a git ref."""
from __future__ import annotations

from dataclasses import dataclass, replace

from hos_lint import gitref, grants, grants_check, report
from hos_lint.analysis import Project
from hos_lint.app.checking import check_all
from hos_lint.app.options import Options, UsageError


@dataclass(frozen=True, kw_only=True)
class ProjectReport:
    """The report of a checked project, with the project (its notices)."""

    project: Project
    report: report.Report
    options: Options  # what the project was checked with (a diff checks the ref the same way)


def project_report(options: Options) -> ProjectReport:
    """Stages 1–8 (every finding, no baseline), as the report model."""
    project, findings = check_all(options)
    built = report.build_report(project.manifest, project.context, project.accesses, findings)
    return ProjectReport(project=project, report=built, options=options)


def diff_since(current: ProjectReport, ref: str) -> report.ReportDiff:
    """What changed since ``ref``: the project as it was at ``ref`` (checked out into a
    temporary folder, no cache, its own manifest) against ``current``."""
    try:
        with gitref.checkout(ref, current.project.manifest.root) as old_root:
            old = project_report(replace(current.options, paths=(str(old_root),), config=None, cache=False))
    except gitref.GitRefError as err:
        raise UsageError(f"--diff: {err}") from None
    return report.diff_reports(old.report, current.report)


def grants_sql(project: Project, service: str | None) -> str:
    """The least-privilege roles and GRANTs of every service (or one) as SQL."""
    try:
        return grants.generate_grants(project.manifest, project.context, service)
    except grants.UnknownService as err:
        raise UsageError(str(err)) from None


def check_grants(project: Project, service: str | None) -> grants_check.GrantsCheck:
    """Every read and write of the services' code against the roles ``grants_sql`` writes."""
    try:
        plans = grants.plan_grants(project.manifest, project.context, service)
    except grants.UnknownService as err:
        raise UsageError(str(err)) from None
    accesses = [a for a in project.accesses if service is None or a.service == service]
    return grants_check.check_grants(plans, accesses, project.context.ownership)


def grants_check_text(checked: grants_check.GrantsCheck, probes: bool) -> str:
    """The ``--check`` list, or with ``probes`` the probe script."""
    return grants_check.render_probes(checked) if probes else grants_check.render_check(checked)
