"""The application: the only place that sequences the pipeline stages (STYLE L.4).
No printing: it returns records, and the command line shows them.

- ``options``: what a command asks (``Options``) and ``UsageError``;
- ``loading``: stage 1, the manifest (or zero-config) and the rule names it gives;
- ``planning``: stage 2, the walk: the services, files and scope of a run;
- ``extraction``: stages 3–4, reading, caching, prefiltering and extracting files;
- ``project``: stages 1–6 as one ``Project``;
- ``checking``: stages 7–8, the whole check (``RunResult``), ``why`` and the baseline;
- ``memo``: a whole run's judged result, recalled when none of its inputs changed;
- ``changed``: ``--changed-since``, the files a change touched;
- ``reporting``: the report, its diff against a git ref, and the grants;
- ``writing``: ``init``'s draft manifest;
- ``editing``: the language server's project facts in memory and one buffer's check.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hos_lint.analysis import Project, RunResult
    from hos_lint.app.changed import ChangedScope, changed_scope, narrow_to_changes
    from hos_lint.app.checking import (
        Explained,
        NothingChanged,
        check,
        check_all,
        explain,
        judge,
        run,
        source_lines,
        write_baseline,
    )
    from hos_lint.app.extraction import POOL_THRESHOLD, config_for, extract_all, extract_bytes, not_analysed
    from hos_lint.app.loading import baseline_path, check_rule_names, load_project_manifest, zero_config_manifest
    from hos_lint.app.options import Options, UsageError
    from hos_lint.app.project import analyse, analyse_manifest, resolve_all
    from hos_lint.app.reporting import (
        ProjectReport,
        check_grants,
        diff_since,
        grants_check_text,
        grants_sql,
        project_report,
    )
    from hos_lint.app.writing import write_init

# Each name's module, imported on first use (PEP 562): a warm run that recalls its result
# never imports the stages it skips, and `hos-lint --version` imports none of them.
_WHERE = {
    "ChangedScope": "hos_lint.app.changed",
    "Explained": "hos_lint.app.checking",
    "NothingChanged": "hos_lint.app.checking",
    "Options": "hos_lint.app.options",
    "POOL_THRESHOLD": "hos_lint.app.extraction",
    "Project": "hos_lint.analysis",
    "ProjectReport": "hos_lint.app.reporting",
    "RunResult": "hos_lint.analysis",
    "UsageError": "hos_lint.app.options",
    "analyse": "hos_lint.app.project",
    "analyse_manifest": "hos_lint.app.project",
    "baseline_path": "hos_lint.app.loading",
    "changed_scope": "hos_lint.app.changed",
    "check": "hos_lint.app.checking",
    "check_all": "hos_lint.app.checking",
    "check_grants": "hos_lint.app.reporting",
    "check_rule_names": "hos_lint.app.loading",
    "config_for": "hos_lint.app.extraction",
    "diff_since": "hos_lint.app.reporting",
    "explain": "hos_lint.app.checking",
    "extract_all": "hos_lint.app.extraction",
    "extract_bytes": "hos_lint.app.extraction",
    "grants_check_text": "hos_lint.app.reporting",
    "grants_sql": "hos_lint.app.reporting",
    "judge": "hos_lint.app.checking",
    "load_project_manifest": "hos_lint.app.loading",
    "narrow_to_changes": "hos_lint.app.changed",
    "not_analysed": "hos_lint.app.extraction",
    "project_report": "hos_lint.app.reporting",
    "resolve_all": "hos_lint.app.project",
    "run": "hos_lint.app.checking",
    "source_lines": "hos_lint.app.checking",
    "write_baseline": "hos_lint.app.checking",
    "write_init": "hos_lint.app.writing",
    "zero_config_manifest": "hos_lint.app.loading",
}

__all__ = [
    "POOL_THRESHOLD", "ChangedScope", "Explained", "NothingChanged", "Options", "Project", "ProjectReport",
    "RunResult", "UsageError", "analyse", "analyse_manifest", "baseline_path", "changed_scope", "check", "check_all",
    "check_grants", "check_rule_names", "config_for", "diff_since", "explain", "extract_all", "extract_bytes",
    "grants_check_text", "grants_sql", "judge", "load_project_manifest", "narrow_to_changes", "not_analysed",
    "project_report", "resolve_all", "run", "source_lines", "write_baseline", "write_init", "zero_config_manifest",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
