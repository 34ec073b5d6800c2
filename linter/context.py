"""Merge every file's facts into one read-only ``ProjectContext`` (stage 5).

Built once per run after extraction; resolution and rules only read it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from linter.manifest import Manifest
from linter.model import (
    AccessKind,
    ClientClass,
    Connection,
    ExtractResult,
    Grant,
    OrmModel,
    PrismaDatasource,
    PrismaModel,
    Problem,
    Provenance,
    Relation,
    RelationDef,
    RelationKind,
)
from linter.ownership import Ownership, model_relation, resolve_name
from linter.service_match import owned_connections

CLIENT_ROOTS = frozenset({"PrismaClient", "Prisma.TransactionClient", "TransactionClient"})


@dataclass(frozen=True, slots=True)
class KnownRelation:
    relation: Relation
    provenance: tuple[Provenance, ...]
    service: str | None  # who declared it (Prisma schema or SQL file)


@dataclass(frozen=True, kw_only=True)
class ProjectContext:
    manifest: Manifest
    ownership: Ownership
    models: Mapping[str | None, Mapping[str, PrismaModel]]  # service → model name → model
    datasources: tuple[PrismaDatasource, ...] = ()
    connections: tuple[Connection, ...] = ()
    grants: tuple[Grant, ...] = ()
    relation_defs: tuple[RelationDef, ...] = ()
    orm_models: Mapping[str | None, Mapping[str, OrmModel]] = field(default_factory=dict)
    client_types: Mapping[str | None, frozenset[str]] = field(default_factory=dict)
    search_paths: Mapping[str | None, tuple[str, ...]] = field(default_factory=dict)
    relations: Mapping[tuple[str, str], KnownRelation] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()  # HOS901/HOS205 from extraction, for their rules
    # service → delegate (`orderItem`, and `orderitem` for Prisma Client Python) → model
    delegates: Mapping[str | None, Mapping[str, PrismaModel]] = field(default_factory=dict)

    # --- lookups used by resolution and rules -------------------------------

    def search_path(self, service: str | None) -> tuple[str, ...]:
        return self.search_paths.get(service) or ("public",)

    def knows(self, schema: str, name: str) -> bool:
        return (schema, name) in self.relations

    def relation(self, schema: str, name: str) -> Relation:
        known = self.relations.get((schema, name))
        return known.relation if known else Relation(schema, name)

    def is_client_type(self, service: str | None, type_name: str) -> bool:
        return type_name in CLIENT_ROOTS or type_name in self.client_types.get(service, frozenset())

    def prisma_model(self, service: str | None, delegate: str) -> PrismaModel | None:
        """The service's own model for a delegate (``orderItem``; ``orderitem`` for Python)."""
        index = self.delegates.get(service, {})
        return index.get(delegate) or index.get(delegate.lower())

    def related_model(self, service: str | None, model: PrismaModel, field_name: str) -> PrismaModel | None:
        for f in model.fields:
            if f.name == field_name:
                return self.models.get(service, {}).get(f.type)
        return None

    def orm_model(self, service: str | None, class_name: str) -> OrmModel | None:
        return self.orm_models.get(service, {}).get(class_name)

    def owner_of(self, relation: Relation | None) -> str | None:
        return self.ownership.owner_of(relation) if relation is not None else None

    def model_relation(self, model: PrismaModel) -> Relation:
        return model_relation(model, self)

    def orm_relation(self, model: OrmModel) -> Relation:
        return resolve_name(model.ref, model.service, self)

    def resolve_ref(self, ref, service: str | None) -> Relation:
        return resolve_name(ref, service, self)


def build_context(manifest: Manifest, results: Iterable[ExtractResult]) -> ProjectContext:
    """Stage 5: merge facts. Deterministic: inputs are processed in path order."""
    results = sorted(results, key=lambda r: r.path)
    ownership = Ownership.of(manifest)
    models = _models(results)
    connections = owned_connections(manifest, (c for r in results for c in r.connections))
    search_paths = _search_paths(manifest, connections)
    partial = ProjectContext(manifest=manifest, ownership=ownership, models=models, search_paths=search_paths)
    delegates = {service: _delegate_index(by_name) for service, by_name in models.items()}
    defs = tuple(d for r in results for d in r.relation_defs)
    return ProjectContext(
        manifest=manifest,
        ownership=ownership,
        models=models,
        datasources=tuple(d for r in results for d in r.datasources),
        connections=connections,
        grants=tuple(g for r in results for g in r.grants),
        relation_defs=defs,
        orm_models=_orm_models(results),
        client_types=_client_types(results),
        search_paths=search_paths,
        relations=_known_relations(manifest, models, defs, partial),
        problems=tuple(p for r in results for p in r.problems),
        delegates=delegates,
    )


def _models(results: list[ExtractResult]) -> dict[str | None, dict[str, PrismaModel]]:
    out: dict[str | None, dict[str, PrismaModel]] = defaultdict(dict)
    for r in results:
        for m in r.models:
            out[m.service].setdefault(m.name, m)
    return dict(out)


def _delegate_index(by_name: dict[str, PrismaModel]) -> dict[str, PrismaModel]:
    """Exact delegates first; lower-cased model names only where no delegate is spelt so."""
    index = {}
    for model in by_name.values():
        index.setdefault(model.delegate, model)
    for model in by_name.values():
        index.setdefault(model.name.lower(), model)
    return index


def _orm_models(results: list[ExtractResult]) -> dict[str | None, dict[str, OrmModel]]:
    out: dict[str | None, dict[str, OrmModel]] = defaultdict(dict)
    for r in results:
        for m in r.orm_models:
            out[m.service].setdefault(m.class_name, m)
    return dict(out)


def _client_types(results: list[ExtractResult]) -> dict[str | None, frozenset[str]]:
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


def _search_paths(manifest: Manifest, connections: tuple[Connection, ...]) -> dict[str | None, tuple[str, ...]]:
    """A service's default search path: its connection's ?schema=, else its schema, else public.

    When several connections name schemas for one service, the first in path order wins.
    """
    out: dict[str | None, tuple[str, ...]] = {
        svc.name: (svc.schema,) if svc.schema else ("public",) for svc in manifest.services
    }
    seen: set[str] = set()
    for conn in sorted(connections, key=lambda c: (c.location.path, c.location.line)):
        if conn.service and conn.schemas and conn.service not in seen:
            seen.add(conn.service)
            out[conn.service] = conn.schemas
    return out


def _known_relations(manifest, models, defs, partial: ProjectContext) -> dict[tuple[str, str], KnownRelation]:
    found: dict[tuple[str, str], list] = defaultdict(list)
    for claim in manifest.claims:
        if claim.kind == "table":
            found[("public", claim.value)].append(
                (Relation("public", claim.value), Provenance(location=claim.location, what="manifest tables"),
                 claim.service))
    for service, by_name in sorted(models.items(), key=lambda kv: str(kv[0])):
        for model in by_name.values():
            rel = model_relation(model, partial)
            what = "Prisma view" if model.is_view else "Prisma model " + model.name
            found[(rel.schema, rel.name)].append((rel, Provenance(location=model.location, what=what), service))
    for d in defs:
        base = resolve_name(d.ref, d.service, partial)
        rel = Relation(base.schema, base.name, d.kind)
        found[(rel.schema, rel.name)].append((rel, Provenance(location=d.location, what=d.what), d.service))
    return {key: _merge(entries) for key, entries in found.items()}


def _merge(entries: list) -> KnownRelation:
    # a view anywhere makes the relation a view: writes through it are HOS104
    kinds = [rel.kind for rel, _, _ in entries]
    kind = next((k for k in kinds if k is not RelationKind.TABLE), RelationKind.TABLE)
    rel0 = entries[0][0]
    return KnownRelation(Relation(rel0.schema, rel0.name, kind), tuple(p for _, p, _ in entries), entries[0][2])


# ExtractResult fields that build_context (or zero-config inference) reads across files:
# a change to any of them can change findings in files that did not change.
_SHARED_FACTS = (
    ("models", "Prisma models"),
    ("datasources", "a Prisma datasource"),
    ("relation_defs", "relation definitions"),
    ("grants", "GRANTs"),
    ("connections", "database connection settings"),
    ("client_classes", "Prisma client classes"),
    ("orm_models", "ORM models"),
)
# DDL that changes a relation's existence or shape; indexes, triggers, comments and
# refreshes do not change who owns what.
_LOCAL_DDL_OBJECTS = frozenset({"INDEX", "TRIGGER"})


def shared_facts(result: ExtractResult) -> str | None:
    """What in one file's extraction other files' findings can depend on (None: nothing).

    ``--changed-since`` widens to the whole project when a changed file (as it is
    now, or as it was at the merge-base) has any: the facts build_context merges,
    and SQL that creates, alters or drops a relation or view.
    """
    for name, what in _SHARED_FACTS:
        if getattr(result, name):
            return what
    for access in result.accesses:
        words = access.operation.split()
        if (access.kind is AccessKind.DDL and len(words) >= 2 and words[0] in ("CREATE", "ALTER", "DROP")
                and words[1] not in _LOCAL_DDL_OBJECTS):
            return access.operation
    return None
