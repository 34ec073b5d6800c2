"""Stages 5–6: every file's unresolved facts in, the resolved project out. Pure.

``build_context`` merges the facts of every file (in path order), matches root
connection entries to services (``linter.service_match``), builds the name
tables (``names``) and resolves every project-wide fact into a record
(``records``): models, foreign keys, connections, grants and view reads, each
with its relation and owner. ``resolve_accesses`` resolves accesses against
the same tables (``refs``). Rules and outputs only read the result.
``shared_facts`` says which of a file's facts other files' findings depend on.
"""
from __future__ import annotations

from collections.abc import Iterable

from hos_lint.context import ProjectContext
from hos_lint.manifest import Manifest
from hos_lint.model import Access, ExtractResult
from hos_lint.ownership import Ownership
from hos_lint.resolve.names import build_names
from hos_lint.resolve.records import foreign_keys, resolved_connections, resolved_grants, resolved_models, view_reads
from hos_lint.resolve.refs import resolve_access
from hos_lint.resolve.shared import shared_facts
from hos_lint.service_match import owned_connections

__all__ = ["build_context", "resolve_accesses", "shared_facts"]


def build_context(manifest: Manifest, results: Iterable[ExtractResult]) -> ProjectContext:
    """The resolved project. Deterministic: inputs are processed in path order."""
    results = sorted(results, key=lambda r: r.path)
    ownership = Ownership.of(manifest)
    connections = owned_connections(manifest, (c for r in results for c in r.connections))
    names = build_names(manifest, results, connections)
    return ProjectContext(
        manifest=manifest,
        ownership=ownership,
        names=names,
        problems=tuple(p for r in results for p in r.problems),
        models=resolved_models(names, ownership),
        foreign_keys=foreign_keys(names, ownership),
        connections=resolved_connections(tuple(d for r in results for d in r.datasources), connections, ownership),
        grants=resolved_grants(tuple(g for r in results for g in r.grants), manifest, names, ownership),
        view_reads=view_reads(tuple(d for r in results for d in r.relation_defs), names, ownership),
    )


def resolve_accesses(context: ProjectContext, accesses: Iterable[Access]) -> tuple[Access, ...]:
    """The accesses resolved to relations; refs that turn out not to be accesses are dropped."""
    resolved = (resolve_access(a, context.names) for a in accesses)
    return tuple(a for a in resolved if a is not None)
