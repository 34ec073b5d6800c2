"""The project as ``linter.resolve`` leaves it: read-only data for rules and outputs.

``Names`` holds what resolving a name needs (search paths, the relations known
to exist, the Prisma and ORM models of each service); ``ProjectContext`` holds
the manifest, the ownership index and the resolved records. Both are built
once per run by ``linter.resolve.build_context`` and only answer lookups over
their own fields.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hos_lint.manifest import Manifest
from hos_lint.model import (
    OrmModel,
    PrismaModel,
    Problem,
    Provenance,
    Relation,
    ResolvedConnection,
    ResolvedForeignKey,
    ResolvedGrant,
    ResolvedModel,
    ViewRead,
)
from hos_lint.ownership import Ownership

CLIENT_ROOTS = frozenset({"PrismaClient", "Prisma.TransactionClient", "TransactionClient"})
DEFAULT_SEARCH_PATH = ("public",)  # a service whose schema and connections name none


@dataclass(frozen=True, slots=True)
class KnownRelation:
    relation: Relation
    provenance: tuple[Provenance, ...]
    service: str | None  # who declared it (Prisma schema or SQL file)


@dataclass(frozen=True, kw_only=True)
class Names:
    """The tables name resolution reads."""

    search_paths: Mapping[str | None, tuple[str, ...]] = field(default_factory=dict)
    relations: Mapping[tuple[str, str], KnownRelation] = field(default_factory=dict)
    # service → model name → model
    prisma_models: Mapping[str | None, Mapping[str, PrismaModel]] = field(default_factory=dict)
    # service → delegate (`orderItem`, and `orderitem` for Prisma Client Python) → model
    delegates: Mapping[str | None, Mapping[str, PrismaModel]] = field(default_factory=dict)
    # service → class name (or Table variable) → ORM model
    orm_models: Mapping[str | None, Mapping[str, OrmModel]] = field(default_factory=dict)
    # service → every class extending PrismaClient, directly or through others
    client_types: Mapping[str | None, frozenset[str]] = field(default_factory=dict)

    def search_path(self, service: str | None) -> tuple[str, ...]:
        return self.search_paths.get(service) or DEFAULT_SEARCH_PATH

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
                return self.prisma_models.get(service, {}).get(f.type)
        return None

    def orm_model(self, service: str | None, class_name: str) -> OrmModel | None:
        return self.orm_models.get(service, {}).get(class_name)


@dataclass(frozen=True, kw_only=True)
class ProjectContext:
    """Everything rules and outputs know about the project besides its accesses."""

    manifest: Manifest
    ownership: Ownership
    names: Names = field(default_factory=Names)
    problems: tuple[Problem, ...] = ()  # HOS901/HOS205 from extraction, for their rules
    models: tuple[ResolvedModel, ...] = ()  # Prisma models (by service), then ORM models
    foreign_keys: tuple[ResolvedForeignKey, ...] = ()  # Prisma relation fields
    connections: tuple[ResolvedConnection, ...] = ()  # Prisma datasources, then connection URLs
    grants: tuple[ResolvedGrant, ...] = ()
    view_reads: tuple[ViewRead, ...] = ()
