"""Stage 2: walk the project and settle, before any file is read, what a run
analyses (the files, with their services: inferred when zero-config) and what it
reports (the scope of the PATHS given)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from hos_lint.app import walk_index
from hos_lint.app.options import Options, UsageError
from hos_lint.cache import Cache
from hos_lint.discovery import Candidate, Excluder, ServiceMatcher, Walk, relative_to_root
from hos_lint.extract import language_for
from hos_lint.manifest import Entry, Manifest, ManifestError
from hos_lint.model import SourceFile


@dataclass(frozen=True, slots=True)
class Plan:
    """Stage 2's answer, before any file is read: the services (inferred when
    zero-config), the files to analyse and the scope to report."""

    manifest: Manifest
    sources: tuple[SourceFile, ...]
    scope: tuple[str, ...]
    files_only: bool
    skipped: tuple[str, ...]
    walk_notices: tuple[tuple[str, str], ...]


def plan(manifest: Manifest, options: Options, cache: Cache | None = None) -> Plan:
    """Stage 2: walk the project (or recall the walk from ``cache`` when no folder changed)
    and settle what the run analyses and reports."""
    scope, files_only = _scope(options.paths, manifest)
    walk = walk_index.walk(manifest, cache)
    if walk.unmatched:
        raise ManifestError([e.error(_unmatched(e)) for e in walk.unmatched])
    if manifest.inferred:
        manifest, walk = _infer_services(manifest, walk)
    sources: list[SourceFile] = []
    for cand in walk.files:
        language = language_for(cand.path)
        if language is not None:
            sources.append(SourceFile(cand.path, cand.service, language))
    scope, skipped = _covered(options, manifest, scope, sources, walk)
    return Plan(manifest=manifest, sources=tuple(sources), scope=scope, files_only=files_only, skipped=skipped,
                walk_notices=tuple(walk.notices))


def _infer_services(manifest: Manifest, walk: Walk) -> tuple[Manifest, Walk]:
    """Zero-config: the services the project root's layout shows, and the walk's files
    assigned to them."""
    from hos_lint import infer  # zero-config only

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


def _unmatched(entry: Entry) -> str:
    if entry.key.startswith("services."):
        return (f"{entry.value!r} matches no file under the project root that is not excluded; "
                "the service would go unchecked")
    return f"{entry.value!r} matches no file or folder under the project root; it excludes nothing"


def _covered(options: Options, manifest: Manifest, scope: tuple[str, ...], sources: list[SourceFile],
             walk: Walk) -> tuple[tuple[str, ...], tuple[str, ...]]:
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
    paths = frozenset(reported)

    def covered(rel: str) -> bool:  # one of them, or a folder above one
        return (rel == "" and bool(paths)) or rel in paths or any(p.startswith(rel + "/") for p in reported)
    excluder = walk.excluder or Excluder(manifest.root, manifest)
    kept: list[str] = []
    skipped: list[str] = []
    for given, rel in zip(options.paths, scope):
        if covered(rel.rstrip("/")):
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


def _scope(paths: tuple[str, ...], manifest: Manifest) -> tuple[tuple[str, ...], bool]:
    if not paths:
        return ("",), False
    scope: list[str] = []
    for p in paths:
        rel = relative_to_root(Path(p), manifest.root)
        if rel is None:
            raise UsageError(f"{p} is outside the project root {manifest.root}")
        if not Path(p).exists():
            raise UsageError(f"{p}: no such file or directory")
        scope.append(rel)
    files_only = all(Path(p).is_file() for p in paths)
    return tuple(scope), files_only



