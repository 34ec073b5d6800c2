"""Stages 7–8 and the commands built on a whole check: the rules, suppressions,
policy and baseline over an analysed project."""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from hos_lint import baseline, outfile, policy, suppressions
from hos_lint.analysis import Project, RunResult
from hos_lint.app import memo
from hos_lint.app.loading import baseline_path, check_rule_names, load_project_manifest
from hos_lint.app.options import Options, UsageError
from hos_lint.app.planning import Plan, plan
from hos_lint.cache import Cache
from hos_lint.discovery import relative_to_root
from hos_lint.embedded import split_lines
from hos_lint.engine import run_rules, run_suppression_rules, selected_rules
from hos_lint.manifest import Manifest
from hos_lint.model import Finding
from hos_lint.registry import load_catalog
from hos_lint.rule import Catalog, Rule


@dataclass(frozen=True, slots=True)
class NothingChanged:
    """``--changed-since REF`` found no changed file to check."""

    ref: str


@dataclass(frozen=True, kw_only=True)
class Explained:
    """What ``why PATH:LINE`` shows: every finding of the project, and PATH as the
    findings name it (relative to the project root)."""

    project: Project
    findings: tuple[Finding, ...]
    path: str
    lines: int | None = None  # how many lines the file has; None when it cannot be read


def check(options: Options, catalog: Catalog | None = None, changed_since: str | None = None
          ) -> RunResult | NothingChanged:
    """``hos-lint check``: the files changed since ``changed_since`` (when given), else PATHS."""
    if changed_since:
        from hos_lint.app.changed import narrow_to_changes  # git: only for --changed-since

        narrowed = narrow_to_changes(options, changed_since)
        if narrowed is None:
            return NothingChanged(changed_since)
        options = narrowed
    return run(options, catalog)


def run(options: Options, catalog: Catalog | None = None) -> RunResult:
    """The whole check: stages 1–8 (2–8 skipped when nothing they read has changed)."""
    started = time.perf_counter()
    catalog = catalog or load_catalog()
    manifest = check_rule_names(load_project_manifest(options), options)
    cache = Cache(manifest.root, enabled=options.cache, notify=options.notify)
    planned = plan(manifest, options, cache)
    key = memo.run_key(planned, options) if cache.enabled else None
    judged = memo.recall(cache, key)
    if judged is None:
        if key is not None:
            cache.stats = key.stats  # taken before any file is read: the stat index may use them
        judged = _judge_plan(planned, options, catalog, cache)
        memo.remember(cache, key, judged)
    manifest = planned.manifest
    matched = _apply_baseline(options, manifest, planned.scope, judged.findings, judged.ran)
    return RunResult(
        findings=matched.new,
        suppressed=judged.suppressed,
        baselined=len(matched.baselined),
        stale=matched.stale,
        files_scanned=judged.files_scanned,
        services=judged.services,
        services_with_schema=judged.services_with_schema,
        notices=judged.notices,
        fail_on=options.fail_on or manifest.rules.fail_on,
        max_annotations=manifest.max_annotations,
        inferred=judged.inferred,
        duration_s=time.perf_counter() - started,
        root=manifest.root,
        repo_root=judged.repo_root,
        legacy=judged.legacy,
        databases=judged.databases,
        skipped=planned.skipped,
    )


def _judge_plan(planned: Plan, options: Options, catalog: Catalog, cache: Cache) -> memo.Judged:
    """Stages 3–8 of a planned run, before the baseline."""
    from hos_lint.app.extraction import not_analysed  # the parsers' side: not imported when a run is recalled
    from hos_lint.app.project import analyse_plan

    project = analyse_plan(planned, options, cache)
    manifest = project.manifest
    rules = _rules(catalog, manifest, options)
    findings, suppressed = judge(project, rules, catalog)
    return memo.Judged(
        findings=findings,
        suppressed=suppressed,
        ran=frozenset(r.code for r in rules),
        files_scanned=sum(1 for r in project.results
                          if r.skipped is None and not_analysed(r) is None and policy.in_scope(r.path, project.scope)),
        services=tuple(s.name for s in manifest.services),
        services_with_schema=sum(1 for s in manifest.services if s.schema),
        notices=tuple(n for n in project.notices if policy.in_scope(n.path, project.scope)),
        inferred=manifest.inferred,
        legacy=tuple(s.name for s in manifest.services if s.legacy and manifest.inferred),
        databases=project.databases,
        repo_root=project.repo_root,
    )


def check_all(options: Options) -> tuple[Project, tuple[Finding, ...]]:
    """Every finding of the project (no baseline), with the analysed project."""
    from hos_lint.app.project import analyse

    project = analyse(options)
    catalog = load_catalog()
    whole = replace(project, scope=("",), files_only=False)
    findings, _ = judge(whole, _rules(catalog, project.manifest, options), catalog)
    return project, findings


def explain(options: Options, path: str) -> Explained:
    """``hos-lint why``: every finding of the project holding ``path``."""
    project, findings = check_all(replace(options, paths=(path,)))
    rel = relative_to_root(Path(path), project.manifest.root)
    return Explained(project=project, findings=findings, path=rel or path,
                     lines=_line_count(Path(project.manifest.root) / rel) if rel else None)


def _line_count(file: Path) -> int | None:
    """The lines of a file as extraction counts them (CR, LF, CR LF; a final break ends the
    last line rather than starting one); at least 1, so line 1 of an empty file exists."""
    try:
        parts = split_lines(file.read_bytes().decode("utf-8-sig", errors="replace"))
    except OSError:  # a folder, or unreadable: `why` says what it knows without a range
        return None
    return max(1, len(parts) - 1 if len(parts) > 1 and parts[-1] == "" else len(parts))


def source_lines(result: RunResult) -> dict[tuple[str, int], str]:
    """(path, line) -> text of every flagged line, for --show-source; the lines extraction
    counted (CR, LF, CR LF), nothing for a file that cannot be read any more."""
    out: dict[tuple[str, int], str] = {}
    cache: dict[str, list[str]] = {}
    for f in result.findings:
        path = f.location.path
        if path not in cache:
            try:
                data = (Path(result.root) / path).read_bytes().decode("utf-8-sig", errors="replace")
                cache[path] = split_lines(data)
            except OSError:
                cache[path] = []
        lines = cache[path]
        if 0 < f.location.line <= len(lines):
            out[(path, f.location.line)] = lines[f.location.line - 1]
    return out


def judge(project: Project, rules: tuple[Rule, ...], catalog: Catalog) -> tuple[tuple[Finding, ...], int]:
    """Stages 7–8: rules, suppressions (and HOS902), scope, severity, sort.

    Returns the reported findings and how many in-scope findings were suppressed.
    """
    scope, manifest_path = project.scope, project.manifest.path
    reportable: Callable[[str], bool] | None = (
        None if scope == ("",) else (lambda p: p == manifest_path or policy.in_scope(p, scope)))
    findings = run_rules(project.accesses, project.context, rules, reportable)
    applied = suppressions.apply(findings, (s for r in project.results for s in r.suppressions))
    judged = run_suppression_rules(applied.unused, applied.malformed, project.context, rules, frozenset(catalog.codes))
    everything = [*applied.kept, *judged]
    reported = policy.apply(everything, project.manifest, catalog, project.scope, project.files_only)
    hidden = policy.apply(applied.suppressed, project.manifest, catalog, project.scope, project.files_only)
    return tuple(reported), len(hidden)


def write_baseline(options: Options, catalog: Catalog | None = None) -> tuple[Path, int]:
    """Run the whole project without a baseline and write every finding to the baseline file."""
    if options.paths and any(Path(p).is_file() for p in options.paths):
        raise UsageError("the baseline is written from a whole-project run; pass no file paths")
    from hos_lint.app.project import analyse

    project = analyse(options)
    if project.scope != ("",):
        raise UsageError("the baseline is written from a whole-project run; run `hos-lint baseline` at the root")
    catalog = catalog or load_catalog()
    findings, _ = judge(project, _rules(catalog, project.manifest, options), catalog)
    path = baseline_path(options, project.manifest)
    outfile.write_text(path, baseline.render(findings), what="baseline")
    return path, len(findings)


def _rules(catalog: Catalog, manifest: Manifest, options: Options) -> tuple[Rule, ...]:
    """The rules a run uses: ``--select`` replaces the manifest's, ignores add up."""
    cfg = manifest.rules
    return selected_rules(catalog, options.select or cfg.select, options.ignore + cfg.ignore)


def baseline_entries(options: Options, manifest: Manifest) -> tuple[baseline.Entry, ...] | None:
    """The baseline's entries; None without one (``--no-baseline``, or no file). A folder or
    special file, an unreadable file or a malformed one is a UsageError saying so."""
    path = baseline_path(options, manifest)
    if options.no_baseline or not os.path.lexists(path):
        return None
    name = outfile.shown(options.baseline or path.name)
    try:
        if not path.is_file():  # a folder, a device, a FIFO, a dangling link
            raise UsageError(f"{name}: not a baseline file (a folder or special file)")
        return baseline.parse(path.read_bytes(), name)
    except OSError as err:
        raise UsageError(f"{name}: cannot read baseline: {err.strerror or err}") from None
    except baseline.BaselineError as err:
        raise UsageError(str(err)) from None


def _apply_baseline(options: Options, manifest: Manifest, scope: tuple[str, ...], findings: tuple[Finding, ...],
                    ran: frozenset[str]) -> baseline.Matched:
    entries = baseline_entries(options, manifest)
    if entries is None:
        return baseline.Matched(findings, (), ())

    def looked_at(p: str) -> bool:
        return policy.in_scope(p, scope)

    return baseline.match(findings, entries, in_scope=looked_at, ran_codes=ran)
