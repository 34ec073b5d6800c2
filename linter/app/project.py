"""Stages 1–6: load the manifest, walk the project (``planning``), extract every
file, build the context and resolve the accesses of the files the user asked about."""
from __future__ import annotations

import re
from pathlib import Path

from hos_lint import policy
from hos_lint.analysis import Project
from hos_lint.app.extraction import extract_all, not_analysed
from hos_lint.app.loading import check_rule_names, load_project_manifest
from hos_lint.app.options import Options
from hos_lint.app.planning import Plan, plan
from hos_lint.cache import Cache
from hos_lint.context import ProjectContext
from hos_lint.manifest import Manifest, find_repo_root
from hos_lint.model import Access, ExtractResult, FileNotice, SkipReason
from hos_lint.providers import non_postgres
from hos_lint.resolve import build_context, resolve_accesses


def analyse(options: Options) -> Project:
    """Stages 1–6."""
    return analyse_manifest(check_rule_names(load_project_manifest(options), options), options)


def analyse_manifest(manifest: Manifest, options: Options) -> Project:
    """Stages 2–6 with this manifest."""
    return analyse_plan(plan(manifest, options), options)


def analyse_plan(planned: Plan, options: Options, cache: Cache | None = None) -> Project:
    """Stages 3–6: extract every planned file, build the context, resolve the scope's accesses
    (through ``cache`` when the caller holds one, else a new one)."""
    manifest, scope, skipped, files_only = planned.manifest, planned.scope, planned.skipped, planned.files_only
    results = extract_all(manifest, list(planned.sources), options, scope, cache)
    notices = [FileNotice(path=p, reason=r) for p, r in planned.walk_notices]
    notices += [FileNotice(path=r.path, reason=why) for r in results
                if (why := not_analysed(r)) is not None and r.skipped is not SkipReason.NOT_POSTGRES]
    databases = _provider_notices(results, scope)
    if manifest.inferred:
        from hos_lint import infer  # zero-config only

        manifest = infer.infer_manifest(manifest, results)
    context, accesses = resolve_all(manifest, results, scope)
    return Project(manifest=manifest, results=tuple(results), context=context, accesses=accesses,
                   notices=(*notices, *databases), databases=tuple(databases), scope=scope, files_only=files_only,
                   repo_root=str(find_repo_root(Path(manifest.root)) or manifest.root), skipped=skipped)


def _provider_notices(results: list[ExtractResult], scope: tuple[str, ...]) -> list[FileNotice]:
    """One notice per service whose Prisma datasource is not PostgreSQL, at its first
    unparsed SQL file in scope (else at the datasource, when that is in scope)."""
    skipped: dict[str | None, list[str]] = {}
    for r in results:
        if r.skipped is SkipReason.NOT_POSTGRES:
            skipped.setdefault(r.service, []).append(r.path)
    out: list[FileNotice] = []
    for service, ds in sorted(non_postgres(d for r in results for d in r.datasources).items()):
        files = skipped.get(service, [])
        shown = [p for p in files if policy.in_scope(p, scope)]
        where = shown[0] if shown else ds.location.path
        if not policy.in_scope(where, scope):
            continue
        parsed = f"its {len(files)} SQL file{'s are' if len(files) != 1 else ' is'} not parsed" if files \
            else "its SQL is not parsed"
        provider = ds.provider if re.fullmatch(r"[\w-]{1,40}", ds.provider or "") else repr(ds.provider)[:40]
        out.append(FileNotice(path=where, reason=(
            f"service {service} uses a {provider} database ({ds.location.path}:{ds.location.line}); "
            f"hos-lint checks PostgreSQL, so {parsed}")))
    return out


def resolve_all(manifest: Manifest, results: list[ExtractResult],
                scope: tuple[str, ...] = ("",)) -> tuple[ProjectContext, tuple[Access, ...]]:
    """Stages 5–6: build the context from every file, then resolve the accesses of the
    files in scope (dropping non-accesses). Accesses outside the scope could only give
    findings that policy drops, so a pre-commit run does not resolve them."""
    context = build_context(manifest, results)
    in_scope = (a for r in results if policy.in_scope(r.path, scope) for a in r.accesses)
    return context, resolve_accesses(context, in_scope)
