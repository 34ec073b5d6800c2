"""Build the ``Names`` tables from every file's facts: each service's search path,
the relations known to exist (and who declared them), and the Prisma and ORM
models of each service. Pure; inputs are taken in path order."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from hos_lint.context import CLIENT_ROOTS, DEFAULT_SEARCH_PATH, KnownRelation, Names
from hos_lint.manifest import Manifest
from hos_lint.model import (
    ClientClass,
    Connection,
    ExtractResult,
    OrmModel,
    PrismaModel,
    Provenance,
    Relation,
    RelationKind,
)
from hos_lint.resolve.refs import declared_model_relation, declared_relation

SearchPaths = Mapping[str | None, tuple[str, ...]]
_Named = TypeVar("_Named", PrismaModel, OrmModel)


def build_names(manifest: Manifest, results: Sequence[ExtractResult], connections: Sequence[Connection]) -> Names:
    """The tables of a project whose ``connections`` already carry their services."""
    models = _by_service((m for r in results for m in r.models), lambda m: m.name)
    search_paths = _search_paths(manifest, connections)
    return Names(
        search_paths=search_paths,
        relations=_known_relations(manifest, models, results, search_paths),
        prisma_models=models,
        delegates={service: _delegate_index(by_name) for service, by_name in models.items()},
        orm_models=_by_service((m for r in results for m in r.orm_models), lambda m: m.class_name),
        client_types=_client_types(results),
    )


def _by_service(facts: Iterable[_Named], name: Callable[[_Named], str]) -> dict[str | None, dict[str, _Named]]:
    """service → name → the first fact of that name, in path order."""
    out: dict[str | None, dict[str, _Named]] = defaultdict(dict)
    for fact in facts:
        out[fact.service].setdefault(name(fact), fact)
    return dict(out)


def _delegate_index(by_name: dict[str, PrismaModel]) -> dict[str, PrismaModel]:
    """Exact delegates first; lower-cased model names only where no delegate is spelt so."""
    index: dict[str, PrismaModel] = {}
    for model in by_name.values():
        index.setdefault(model.delegate, model)
    for model in by_name.values():
        index.setdefault(model.name.lower(), model)
    return index


def _client_types(results: Sequence[ExtractResult]) -> dict[str | None, frozenset[str]]:
    """Per service, every class that extends PrismaClient directly or through others."""
    bases: dict[str | None, list[ClientClass]] = defaultdict(list)
    for r in results:
        for c in r.client_classes:
            bases[c.service].append(c)
    out = {}
    for service, classes in bases.items():
        clients: set[str] = set()
        changed = True
        while changed:
            changed = False
            for c in classes:
                if c.name not in clients and (c.base in CLIENT_ROOTS or c.base in clients):
                    clients.add(c.name)
                    changed = True
        out[service] = frozenset(clients)
    return out


def _search_paths(manifest: Manifest, connections: Sequence[Connection]) -> dict[str | None, tuple[str, ...]]:
    """A service's default search path: its connection's ?schema=, else its schema, else public.

    When several connections name schemas for one service, the first in path order wins.
    """
    out: dict[str | None, tuple[str, ...]] = {
        svc.name: (svc.schema,) if svc.schema else DEFAULT_SEARCH_PATH for svc in manifest.services
    }
    seen: set[str] = set()
    for conn in sorted(connections, key=lambda c: (c.location.path, c.location.line)):
        if conn.service and conn.schemas and conn.service not in seen:
            seen.add(conn.service)
            out[conn.service] = conn.schemas
    return out


@dataclass(frozen=True, slots=True)
class _Declaration:
    relation: Relation
    provenance: Provenance
    service: str | None


def _known_relations(manifest: Manifest, models: Mapping[str | None, Mapping[str, PrismaModel]],
                     results: Sequence[ExtractResult],
                     search_paths: SearchPaths) -> dict[tuple[str, str], KnownRelation]:
    """Every relation something declares, placed where its declaration puts it: public
    tables the manifest claims, Prisma models and views, SQL and ORM definitions."""
    found: dict[tuple[str, str], list[_Declaration]] = defaultdict(list)

    def add(relation: Relation, where: Provenance, service: str | None) -> None:
        found[(relation.schema, relation.name)].append(_Declaration(relation, where, service))

    for claim in manifest.claims:
        if claim.kind == "table":
            add(Relation("public", claim.value), Provenance(location=claim.location, what="manifest tables"),
                claim.service)
    for service, by_name in sorted(models.items(), key=lambda kv: str(kv[0])):
        for model in by_name.values():
            what = "Prisma view" if model.is_view else "Prisma model " + model.name
            add(declared_model_relation(model, _path(search_paths, service)),
                Provenance(location=model.location, what=what), service)
    for d in (d for r in results for d in r.relation_defs):
        add(declared_relation(d.ref, _path(search_paths, d.service), d.kind),
            Provenance(location=d.location, what=d.what), d.service)
    return {key: _merge(entries) for key, entries in found.items()}


def _path(search_paths: SearchPaths, service: str | None) -> tuple[str, ...]:
    return search_paths.get(service) or DEFAULT_SEARCH_PATH


def _merge(entries: list[_Declaration]) -> KnownRelation:
    # a view anywhere makes the relation a view: writes through it are HOS104
    kind = next((e.relation.kind for e in entries if e.relation.kind is not RelationKind.TABLE), RelationKind.TABLE)
    first = entries[0].relation
    return KnownRelation(Relation(first.schema, first.name, kind), tuple(e.provenance for e in entries),
                         entries[0].service)
