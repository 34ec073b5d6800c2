"""Stage 8: what is reported and how loudly. Pure.

Scope (only findings under the PATHS asked about), severity overrides from the
manifest, legacy services reported at info, and the one deterministic sort.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from hos_lint.manifest import Manifest
from hos_lint.model import Finding, Severity
from hos_lint.rule import Catalog


def apply(findings: Iterable[Finding], manifest: Manifest, catalog: Catalog,
          scope: tuple[str, ...], files_only: bool) -> list[Finding]:
    overrides = dict(manifest.rules.severity)
    legacy = {s.name for s in manifest.services if s.legacy}
    out = []
    for f in findings:
        if not _reported(f, manifest, scope, files_only):
            continue
        severity = overrides.get(f.code, f.severity)
        if f.service in legacy:
            severity = Severity.INFO  # the monolith being decomposed never fails a build
        out.append(replace(f, severity=severity) if severity is not f.severity else f)
    return sorted(set(out), key=Finding.sort_key)


def _reported(f: Finding, manifest: Manifest, scope: tuple[str, ...], files_only: bool) -> bool:
    if f.location.path == manifest.path:
        return not files_only or manifest.path in scope
    return in_scope(f.location.path, scope)


def in_scope(path: str, scope: tuple[str, ...]) -> bool:
    """Whether ``path`` is one of the scope's entries or lies under one ("" is everything)."""
    if scope == ("",):  # the whole project: most runs
        return True
    everything, exact, folders = _prepared(scope)
    return everything or path in exact or path.startswith(folders)


@lru_cache(maxsize=64)
def _prepared(scope: tuple[str, ...]) -> tuple[bool, frozenset[str], tuple[str, ...]]:
    """A scope as asked once per file of a run: whether it is everything, its entries,
    and the folder prefixes (``entry/``) under which a path is in it."""
    return "" in scope, frozenset(scope), tuple(s.rstrip("/") + "/" for s in scope)


def threshold(fail_on: str) -> int | None:
    """The lowest severity rank that fails the run, or None for ``never``."""
    return None if fail_on == "never" else Severity(fail_on).rank


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    limit = threshold(fail_on)
    return limit is not None and any(f.severity.rank >= limit for f in findings)
