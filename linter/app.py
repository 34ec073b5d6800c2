"""The only place that sequences the pipeline stages (STYLE L.4). No printing."""
from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from linter import baseline, gitref, infer, outfile, policy, suppressions
from linter.analysis import Project, RunResult
from linter.context import ProjectContext, build_context, shared_facts
from linter.discovery import Candidate, Excluder, ServiceMatcher, Walk, relative_to_root, walk_project
from linter.engine import run_rules, run_suppression_rules, selected_rules
from linter.extract import extractor_for, language_for
from linter.extract.base import NESTED_TOO_DEEPLY, ExtractConfig
from linter.cache import Cache
from linter.manifest import (
    DEFAULT_EXCLUDE,
    MANIFEST_NAMES,
    Manifest,
    ManifestError,
    default_root,
    find_manifest,
    find_repo_root,
    load_manifest,
    repository_wall,
)
from linter.model import Access, ExtractResult, FileNotice, Finding, Language, Location, Problem, SourceFile
from linter.output.filenames import escape
from linter.ownership import resolve
from linter.registry import load_catalog
from linter.rule import Catalog

MAX_FILE_BYTES = 8 * 1024 * 1024
NOT_POSTGRES = "not postgresql"  # skip reason of SQL files of a service on another database


class UsageError(Exception):
    """Bad arguments: exit code 2 with one clear line."""


@dataclass(frozen=True, kw_only=True)
class Options:
    paths: tuple[str, ...] = ()
    config: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    jobs: int = 1
    cache: bool = True
    baseline: str | None = None  # baseline file; default <root>/hos-lint-baseline.json when it exists
    no_baseline: bool = False
    notify: Callable[[str], None] | None = None  # one-line notices for stderr (a refused cache)
    # PATHS came from git (--changed-since), not from the user: those that hold nothing to
    # analyse (a README, an excluded file) are dropped without a word
    paths_from_git: bool = False


def load_project_manifest(options: Options) -> Manifest:
    """Stage 1: ``--config``, else the nearest manifest walking up from the first PATH
    (or the cwd) to the repository root, else zero-config at that root.

    Nothing above the repository root is ever read. Outside a repository the
    search stops at the cwd (for a PATH inside it) or at the PATH, and the
    zero-config root is the PATH (or the cwd). ``--config`` names the manifest,
    never the root (unless the manifest says ``root:``).
    """
    start = Path(options.paths[0]) if options.paths else Path.cwd()
    wall = repository_wall(start)
    if options.config:
        path = Path(options.config)
        if not path.is_file():
            raise UsageError(f"--config {options.config}: no such file")
        return load_manifest(path, wall=wall, default_root=default_root(start))
    found = find_manifest(start, stop=wall)
    if found is not None:
        return load_manifest(found, wall=wall)
    return zero_config_manifest(default_root(start))


def zero_config_manifest(root: Path) -> Manifest:
    """No manifest: the project root is ``root`` (the repository root); services are
    inferred from its layout once it has been walked (SPEC §2, zero-config)."""
    return Manifest(root=str(root), path=None, services=(), exclude=DEFAULT_EXCLUDE, inferred=True)


def analyse(options: Options) -> Project:
    """Stages 1–6."""
    return _analyse_with(check_rule_names(load_project_manifest(options), options), options)


def check_rule_names(manifest: Manifest, options: Options, catalog: Catalog | None = None) -> Manifest:
    """Every rule named by ``--select``/``--ignore`` or the manifest's ``rules:`` exists (else a
    usage or manifest error with a did-you-mean, never a gate silently switched off); the
    manifest's severity overrides are keyed by code afterwards, whichever way they named a rule."""
    if not (options.select or options.ignore or manifest.rules.entries):
        return manifest
    catalog = catalog or load_catalog()
    for flag, selectors in (("--select", options.select), ("--ignore", options.ignore)):
        for selector in selectors:
            problem = catalog.unknown(selector)
            if problem:
                raise UsageError(f"{flag} {selector}: {problem}")
    errors = [e.error(problem) for e in manifest.rules.entries
              if (problem := catalog.unknown(e.value, prefixes=not e.key.startswith("rules.severity.")))]
    if errors:
        raise ManifestError(errors)
    severity = tuple((catalog.get(code).code, level) for code, level in manifest.rules.severity)  # type: ignore[union-attr]
    return replace(manifest, rules=replace(manifest.rules, severity=severity))


def _analyse_with(manifest: Manifest, options: Options) -> Project:
    scope, files_only = _scope(options.paths, manifest)
    walk = walk_project(manifest)
    if walk.unmatched:
        raise ManifestError([e.error(_unmatched(e)) for e in walk.unmatched])
    if manifest.inferred:
        manifest, walk = _infer_services(manifest, walk)
    sources = []
    for cand in walk.files:
        language = language_for(cand.path)
        if language is not None:
            sources.append(SourceFile(cand.path, cand.service, language))
    scope, skipped = _covered(options, manifest, scope, sources, walk)
    results = extract_all(manifest, sources, options, scope)
    notices = [FileNotice(path=p, reason=r) for p, r in walk.notices]
    notices += [FileNotice(path=r.path, reason=why) for r in results
                if (why := not_analysed(r)) is not None and r.skipped != NOT_POSTGRES]
    databases = _provider_notices(results, scope)
    if manifest.inferred:
        manifest = infer.infer_manifest(manifest, results)
    context, accesses = resolve_all(manifest, results, scope)
    return Project(manifest=manifest, results=tuple(results), context=context, accesses=accesses,
                   notices=(*notices, *databases), databases=tuple(databases), scope=scope, files_only=files_only,
                   repo_root=str(find_repo_root(Path(manifest.root)) or manifest.root), skipped=skipped)


def _infer_services(manifest: Manifest, walk: Walk) -> tuple[Manifest, Walk]:
    """Zero-config: the services the project root's layout shows, and the walk's files
    assigned to them."""
    root = Path(manifest.root)
    paths = [c.path for c in walk.files]
    present = set(paths)
    workspaces = infer.workspace_globs(*(_small_text(root / name) if name in present else None
                                         for name in ("package.json", "pnpm-workspace.yaml")))
    services = infer.infer_services(paths, workspaces, root.name or "app")
    manifest = replace(manifest, services=services)
    matcher = ServiceMatcher.of(services)
    files = tuple(Candidate(c.path, matcher.service_of(c.path)) for c in walk.files)
    return manifest, replace(walk, files=files)


WORKSPACE_FILE_LIMIT = 1024 * 1024


def _small_text(path: Path) -> str | None:
    """A small root file's text (workspace globs); None when unreadable or too large."""
    try:
        if path.stat().st_size > WORKSPACE_FILE_LIMIT:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _provider_notices(results: list[ExtractResult], scope: tuple[str, ...]) -> list[FileNotice]:
    """One notice per service whose Prisma datasource is not PostgreSQL, at its first
    unparsed SQL file in scope (else at the datasource, when that is in scope)."""
    skipped: dict[str | None, list[str]] = {}
    for r in results:
        if r.skipped == NOT_POSTGRES:
            skipped.setdefault(r.service, []).append(r.path)
    out = []
    for service, ds in sorted(infer.non_postgres(d for r in results for d in r.datasources).items()):
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



def _unmatched(entry) -> str:
    if entry.key.startswith("services."):
        return (f"{entry.value!r} matches no file under the project root that is not excluded; "
                "the service would go unchecked")
    return f"{entry.value!r} matches no file or folder under the project root; it excludes nothing"


def _covered(options: Options, manifest: Manifest, scope: tuple[str, ...], sources: list[SourceFile],
             walk) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Each PATH must hold a file hos-lint analyses; one that holds none is a usage error
    saying why (never a run that reports "No problems found" about nothing). A named file that
    the configuration excludes is skipped with one line saying which pattern excludes it (what
    ruff's ``--force-exclude`` does, visibly), so pre-commit can pass staged files blindly.
    Returns the scope left to report and those lines."""
    if scope == ("",) and not options.paths:
        return scope, ()
    # every analysed file and each folder above one; the manifest counts (findings can be on it),
    # and so does a file the walk reports it could not use (that notice is the run's answer)
    reported = [*(s.path for s in sources), *((manifest.path,) if manifest.path else ()),
                *(p for p, _ in walk.notices)]
    covered = {""} if reported else set()
    for path in reported:
        parts = path.split("/")
        covered.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    excluder = walk.excluder or Excluder(manifest.root, manifest)
    kept, skipped = [], []
    for given, rel in zip(options.paths, scope):
        if rel.rstrip("/") in covered:
            kept.append(rel)
            continue
        is_dir = Path(given).is_dir()
        why = excluder.explain(rel, is_dir) if rel else None
        if options.paths_from_git:
            continue
        if why and not is_dir:
            skipped.append(f"{given}: {why}; not checked")
            continue
        raise UsageError(f"{given}: {_nothing_to_check(rel, is_dir, why)}")
    return tuple(kept), tuple(skipped)


def _nothing_to_check(rel: str, is_dir: bool, why: str | None) -> str:
    if why:
        return f"{why}; nothing to check"
    if is_dir:
        return ("no file hos-lint analyses in this folder (Prisma schemas, TypeScript/JavaScript, SQL, "
                "shell, Python, docker-compose, .env or Kubernetes files)")
    return ("not a file hos-lint analyses (Prisma schemas, TypeScript/JavaScript, SQL, shell, Python, "
            "docker-compose, .env or Kubernetes files)")


# Below this many files to extract, a process pool costs more than it saves.
POOL_THRESHOLD = 24


def extract_all(manifest: Manifest, sources: list[SourceFile], options: Options,
                scope: tuple[str, ...] = ("",)) -> list[ExtractResult]:
    """Stages 3–4 for every file: read, cache lookup, prefilter, then extract the misses
    (in a process pool when there are enough of them). Order follows ``sources``.

    Prisma schemas go first: a service whose datasource is not PostgreSQL has its
    SQL files skipped and its embedded SQL left unparsed. A cache hit needs no
    extractor module at all, so warm runs import no parser; for a file outside
    ``scope`` only its project-wide facts are loaded.
    """
    cache = Cache(manifest.root, enabled=options.cache, notify=options.notify)
    results: list[ExtractResult | None] = [None] * len(sources)
    schemas = [i for i, src in enumerate(sources) if src.language is Language.PRISMA]
    others = [i for i, src in enumerate(sources) if src.language is not Language.PRISMA]
    for i, result in zip(schemas, _extract_batch(cache, manifest, [sources[i] for i in schemas], options, scope)):
        results[i] = result
    elsewhere = frozenset(infer.non_postgres(ds for i in schemas for ds in results[i].datasources))
    for i, result in zip(others, _extract_batch(cache, manifest, [sources[i] for i in others], options, scope,
                                                elsewhere)):
        results[i] = result
    cache.save()
    return results  # type: ignore[return-value]  # every slot was filled above


def _extract_batch(cache: Cache, manifest: Manifest, sources: list[SourceFile], options: Options,
                   scope: tuple[str, ...], not_postgres: frozenset[str] = frozenset()) -> list[ExtractResult]:
    results: list[ExtractResult | None] = [None] * len(sources)
    pending: list[tuple[int, str, tuple[SourceFile, bytes, ExtractConfig]]] = []
    for i, src in enumerate(sources):
        if src.service in not_postgres and src.language in (Language.SQL, Language.SHELL):
            results[i] = ExtractResult(path=src.path, service=src.service, skipped=NOT_POSTGRES)
            continue
        config = config_for(manifest, src.service, postgres=src.service not in not_postgres)
        data = _read(src, Path(manifest.root) / src.path)
        if isinstance(data, ExtractResult):
            results[i] = data
            continue
        results[i] = _unusable(src, data)
        if results[i] is not None:
            continue
        key = cache.key_for(src, config, data)
        results[i] = cache.get(key, details=policy.in_scope(src.path, scope))
        if results[i] is None and not extractor_for(src.path).might_access_db(data):
            results[i] = ExtractResult(path=src.path, service=src.service, skipped="prefilter")
            cache.put(key, results[i])
        elif results[i] is None:
            pending.append((i, key, (src, data, config)))
    for (i, key, _), result in zip(pending, _run_jobs([job for _, _, job in pending], options.jobs)):
        results[i] = result
        cache.put(key, result)
    return results  # type: ignore[return-value]  # every slot was filled above


def _read(src: SourceFile, full_path: Path) -> bytes | ExtractResult:
    try:
        return full_path.read_bytes()
    except OSError as err:
        return _problem(src, f"cannot read file: {err.strerror or err}", skipped="unreadable")


def _run_jobs(jobs: list[tuple[SourceFile, bytes, ExtractConfig]], workers: int) -> list[ExtractResult]:
    if workers <= 1 or len(jobs) < POOL_THRESHOLD:
        return [_extract_job(job) for job in jobs]
    from linter import pool
    from linter.extract import loaded_extractors

    loaded_extractors()  # import parsers once in the parent; forked workers inherit them
    chunk = max(1, len(jobs) // (workers * 4))
    return pool.run_chunks(_extract_chunk, [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)], workers)


def _extract_chunk(jobs: list[tuple[SourceFile, bytes, ExtractConfig]]) -> list[ExtractResult]:
    """The worker function: top level and picklable (STYLE L.9)."""
    return [_extract_job(job) for job in jobs]


def _extract_job(job: tuple[SourceFile, bytes, ExtractConfig]) -> ExtractResult:
    """One file's extraction; ``extract_all`` has already done the size, binary and prefilter checks."""
    src, data, config = job
    return _decode_and_extract(extractor_for(src.path), src, data, config)


def run(options: Options, catalog: Catalog | None = None) -> RunResult:
    """The whole check: stages 1–8."""
    started = time.perf_counter()
    project = analyse(options)
    catalog = catalog or load_catalog()
    cfg = project.manifest.rules
    rules = _rules(catalog, project.manifest, options)
    findings, suppressed = judge(project, rules, catalog)
    matched = _apply_baseline(options, project, findings, {r.code for r in rules})
    return RunResult(
        findings=matched.new,
        suppressed=suppressed,
        baselined=len(matched.baselined),
        stale=matched.stale,
        files_scanned=sum(1 for r in project.results
                          if r.skipped is None and not_analysed(r) is None and policy.in_scope(r.path, project.scope)),
        services=tuple(s.name for s in project.manifest.services),
        notices=tuple(n for n in project.notices if policy.in_scope(n.path, project.scope)),
        fail_on=options.fail_on or cfg.fail_on,
        inferred=project.manifest.inferred,
        duration_s=time.perf_counter() - started,
        root=project.manifest.root,
        repo_root=project.repo_root,
        legacy=tuple(s.name for s in project.manifest.services if s.legacy and project.manifest.inferred),
        databases=project.databases,
        skipped=project.skipped,
    )


def check_all(options: Options) -> tuple[Project, tuple[Finding, ...]]:
    """Every finding of the project (no baseline), with the analysed project."""
    project = analyse(options)
    catalog = load_catalog()
    whole = replace(project, scope=("",), files_only=False)
    findings, _ = judge(whole, _rules(catalog, project.manifest, options), catalog)
    return project, findings


def _rules(catalog: Catalog, manifest: Manifest, options: Options) -> tuple:
    """The rules a run uses: ``--select`` replaces the manifest's, ignores add up."""
    cfg = manifest.rules
    return selected_rules(catalog, options.select or cfg.select, options.ignore + cfg.ignore)


def baseline_path(options: Options, manifest: Manifest) -> Path:
    return Path(options.baseline) if options.baseline else Path(manifest.root) / baseline.BASELINE_NAME


def _apply_baseline(options: Options, project: Project, findings: tuple[Finding, ...],
                    ran: set[str]) -> baseline.Matched:
    path = baseline_path(options, project.manifest)
    if options.no_baseline or not os.path.lexists(path):
        return baseline.Matched(findings, (), ())
    name = outfile.shown(options.baseline or path.name)
    try:
        if not path.is_file():  # a folder, a device, a FIFO, a dangling link
            raise UsageError(f"{name}: not a baseline file (a folder or special file)")
        entries = baseline.parse(path.read_bytes(), name)
    except OSError as err:
        raise UsageError(f"{name}: cannot read baseline: {err.strerror or err}") from None
    except baseline.BaselineError as err:
        raise UsageError(str(err)) from None

    def looked_at(p: str) -> bool:
        return policy.in_scope(p, project.scope)

    return baseline.match(findings, entries, in_scope=looked_at, ran_codes=ran)


def write_init(options: Options, force: bool) -> tuple[Path, Manifest]:
    """Infer the manifest from the project root's layout and write it there as hos-lint.yaml.

    The project root is found as for ``check``: the folder of an existing manifest
    (overwritten only with ``force``), else the repository root.
    """
    start = Path(options.paths[0]) if options.paths else Path.cwd()
    if options.paths and not start.is_dir():
        raise UsageError(f"{options.paths[0]}: no such folder")
    found = find_manifest(start, stop=repository_wall(start))
    target = found if found is not None else default_root(start) / MANIFEST_NAMES[0]
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; use --force to overwrite it")
    project = _analyse_with(zero_config_manifest(target.parent), replace(options, paths=()))
    # a folder name need not be UTF-8: the draft's comments show it escaped
    outfile.write_text(target, escape(infer.render_manifest(project.manifest)), what="manifest")
    return target, project.manifest


def write_baseline(options: Options, catalog: Catalog | None = None) -> tuple[Path, int]:
    """Run the whole project without a baseline and write every finding to the baseline file."""
    if options.paths and any(Path(p).is_file() for p in options.paths):
        raise UsageError("the baseline is written from a whole-project run; pass no file paths")
    project = analyse(options)
    if project.scope != ("",):
        raise UsageError("the baseline is written from a whole-project run; run `hos-lint baseline` at the root")
    catalog = catalog or load_catalog()
    findings, _ = judge(project, _rules(catalog, project.manifest, options), catalog)
    path = baseline_path(options, project.manifest)
    outfile.write_text(path, baseline.render(findings), what="baseline")
    return path, len(findings)


def judge(project: Project, rules: tuple, catalog: Catalog) -> tuple[tuple[Finding, ...], int]:
    """Stages 7–8: rules, suppressions (and HOS902), scope, severity, sort.

    Returns the reported findings and how many in-scope findings were suppressed.
    """
    findings = run_rules(project.accesses, project.context, rules)
    applied = suppressions.apply(findings, (s for r in project.results for s in r.suppressions))
    judged = run_suppression_rules(applied.unused, applied.malformed, project.context, rules, frozenset(catalog.codes))
    findings = [*applied.kept, *judged]
    reported = policy.apply(findings, project.manifest, catalog, project.scope, project.files_only)
    hidden = policy.apply(applied.suppressed, project.manifest, catalog, project.scope, project.files_only)
    return tuple(reported), len(hidden)


def extract_bytes(src: SourceFile, data: bytes, config: ExtractConfig) -> ExtractResult:
    """Check, prefilter, decode and extract one file's bytes; never raises."""
    ext = extractor_for(src.path)
    if ext is None:
        return ExtractResult(path=src.path, service=src.service, skipped="no extractor")
    unusable = _unusable(src, data)
    if unusable is not None:
        return unusable
    if not ext.might_access_db(data):
        return ExtractResult(path=src.path, service=src.service, skipped="prefilter")
    return _decode_and_extract(ext, src, data, config)


def _decode_and_extract(ext, src: SourceFile, data: bytes, config: ExtractConfig) -> ExtractResult:
    """Decode and run the extractor inside the per-file exception boundary (STYLE L.4)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = len(_LINE_BREAKS.findall(data, 0, err.start)) + 1
        return _problem(src, f"file is not valid UTF-8 (byte {err.start}); not analysed", line, skipped="not UTF-8")
    try:
        result = ext.extract(src, text, replace(config, comments=suppressions.MARK in data))
        # the comments become suppressions here; the cached result keeps those, not every comment
        found = suppressions.find_suppressions(src.path, result.comments)
        return replace(result, comments=(), suppressions=found)
    except RecursionError:
        return _problem(src, "nesting too deep to analyse", skipped=NESTED_TOO_DEEPLY)
    except Exception as err:  # noqa: BLE001 - the stage-4 boundary: one file's bug must not lose the run
        return _problem(src, f"internal error while analysing this file ({type(err).__name__}: {err}); "
                             "please report it", skipped="internal error")


_LINE_BREAKS = re.compile(rb"\r\n?|\n")  # linter.embedded.LINE_BREAK, on bytes


def _unusable(src: SourceFile, data: bytes) -> ExtractResult | None:
    """A HOS901 result for a file too large or binary to analyse (checked before the prefilter,
    so such a file is reported even when it holds no database token)."""
    if len(data) > MAX_FILE_BYTES:
        return _problem(src, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; not analysed",
                        skipped="too large")
    if b"\0" in data[:8192]:
        return _problem(src, "binary file with a source extension; not analysed", skipped="binary")
    return None


def _problem(src: SourceFile, message: str, line: int = 1, *, skipped: str) -> ExtractResult:
    """The result of a file that could not be analysed at all: one HOS901 (error
    severity by default) and ``skipped`` saying why, for the summary."""
    problem = Problem(code="HOS901", location=Location(src.path, line, 1), message=message, service=src.service,
                      whole_file=True)
    return ExtractResult(path=src.path, service=src.service, problems=(problem,), skipped=skipped)


def not_analysed(result: ExtractResult) -> str | None:
    """Why a file was not analysed (one entry of the summary's "N files not
    analysed"), or None when it was, or when it was only skipped for holding
    no database token."""
    if result.skipped not in (None, "prefilter"):
        return result.skipped
    if any(p.whole_file for p in result.problems):
        return "not analysed"
    return None


def config_for(manifest: Manifest, service: str | None, postgres: bool = True) -> ExtractConfig:
    svc = manifest.service(service)
    names = manifest.prisma_clients + (svc.prisma_clients if svc else ())
    return ExtractConfig(prisma_clients=tuple(sorted(set(names))), postgres=postgres)


def resolve_all(manifest: Manifest, results: list[ExtractResult],
                scope: tuple[str, ...] = ("",)) -> tuple[ProjectContext, tuple[Access, ...]]:
    """Stages 5–6: build the context from every file, then resolve the accesses of the
    files in scope (dropping non-accesses). Accesses outside the scope could only give
    findings that policy drops, so a pre-commit run does not resolve them."""
    context = build_context(manifest, results)
    resolved = (resolve(a, context) for r in results if policy.in_scope(r.path, scope) for a in r.accesses)
    return context, tuple(a for a in resolved if a is not None)


def _scope(paths: tuple[str, ...], manifest: Manifest) -> tuple[tuple[str, ...], bool]:
    if not paths:
        return ("",), False
    scope = []
    for p in paths:
        rel = relative_to_root(Path(p), manifest.root)
        if rel is None:
            raise UsageError(f"{p} is outside the project root {manifest.root}")
        if not Path(p).exists():
            raise UsageError(f"{p}: no such file or directory")
        scope.append(rel)
    files_only = all(Path(p).is_file() for p in paths)
    return tuple(scope), files_only


@dataclass(frozen=True, slots=True)
class ChangedScope:
    """What ``--changed-since`` checks: the changed files, or every file and why."""

    files: tuple[str, ...]  # existing changed files under PATHS, relative to the cwd
    widened: str | None = None  # why every file is checked instead ("hos-lint.yaml changed")


def changed_scope(ref: str, options: Options) -> ChangedScope:
    """Files changed since the merge-base of ``ref`` and HEAD (committed, staged, unstaged
    or untracked), limited to PATHS; widened to every file when an ownership input changed.

    An ownership input is the manifest, the baseline, or a file whose extraction, as it
    is now or as it was at the merge-base, holds facts other files' findings depend on
    (``shared_facts``): removing an ``allow:`` entry, editing a Prisma
    ``@@schema`` or deleting a migration that created a view changes findings in files
    the change did not touch.
    """
    manifest = load_project_manifest(options)
    root = Path(manifest.root).resolve()
    try:
        changeset = gitref.changes_since(ref, root)
        changes = [(c, root_relative(changeset.top / c.path, root)) for c in changeset.changes]
        changes = [(c, rel) for c, rel in changes if rel is not None]
        widened = _widening_input(manifest, options, changeset, changes)
    except gitref.GitRefError as err:
        raise UsageError(f"--changed-since: {err}") from None
    limits = [Path(p).resolve() for p in options.paths]
    files = []
    for change, rel in changes:
        full = root / rel
        if full.is_file() and (not limits or any(full == lim or lim in full.parents for lim in limits)):
            files.append(os.path.relpath(full))
    return ChangedScope(files=tuple(files), widened=widened)


def root_relative(full: Path, root: Path) -> str | None:
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return None  # outside the project root: not this project's change


def _widening_input(manifest: Manifest, options: Options, changeset: gitref.ChangeSet,
                    changes: list[tuple[gitref.Change, str]]) -> str | None:
    """The first changed ownership input, as ``"PATH changed and holds Prisma models"``, or None."""
    root = Path(manifest.root).resolve()
    fixed = {baseline_path(options, manifest).resolve(): "is the baseline"}
    if manifest.path:
        fixed[Path(manifest.path).resolve()] = ""
    matcher = ServiceMatcher.of(manifest.services)
    found: list[tuple[str, str]] = []

    def facts_of(rel: str, data: bytes) -> str | None:
        service = matcher.service_of(rel)
        src = SourceFile(rel, service, language_for(rel))
        return shared_facts(extract_bytes(src, data, config_for(manifest, service)))

    older = []
    for change, rel in changes:
        full = root / rel
        if full in fixed:
            found.append((rel, fixed[full]))
        elif language_for(rel) is not None:
            now = _read_plain(full, root)
            what = facts_of(rel, now) if now is not None else None
            if what is not None:
                found.append((rel, f"holds {what}"))
            elif change.old_blob is not None:
                older.append((change, rel))
    if older:
        blobs = gitref.read_blobs(changeset.top, [c.old_blob for c, _ in older])
        for change, rel in older:
            data = blobs.get(change.old_blob)
            what = facts_of(rel, data) if data is not None else None
            if what is not None:
                found.append((rel, f"held {what}"))
    if not found:
        return None
    rel, why = found[0]
    others = len(found) - 1
    return (f"{outfile.shown(rel)} changed" + (f" and {why}" if why else "")
            + (f" (and {others} other ownership input{'s' if others > 1 else ''})" if others else ""))


def _read_plain(full: Path, root: Path) -> bytes | None:
    """A regular file's bytes; None for a deleted file, a folder, a device, a FIFO or a
    symbolic link that leads out of the project (the root is a wall)."""
    try:
        if not full.is_file() or (full.is_symlink() and root not in full.resolve().parents):
            return None
        return full.read_bytes()
    except OSError:
        return None
