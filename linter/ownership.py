"""Who owns a relation (SPEC §3), and resolution of extracted refs to relations.

Pure: ``Ownership`` is built from the manifest; ``resolve`` maps an access's
``RelationRef`` to a ``Relation`` using the read-only ``ProjectContext``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from linter.manifest import Manifest
from linter.model import Access, PrismaModel, Provenance, Relation, RelationKind, RelationRef

if TYPE_CHECKING:
    from linter.context import ProjectContext


@dataclass(frozen=True, slots=True)
class Ownership:
    """Schema → owning service, and ``public`` table → owning service."""

    schema_owner: Mapping[str, str]
    public_tables: Mapping[str, str]
    provenance: Mapping[str, Provenance]  # "schema:<s>" / "table:<t>" → where it was declared

    @classmethod
    def of(cls, manifest: Manifest) -> "Ownership":
        schemas: dict[str, str] = {}
        tables: dict[str, str] = {}
        prov: dict[str, Provenance] = {}
        for claim in manifest.claims:  # first claim wins; later ones are HOS204
            target = schemas if claim.kind == "schema" else tables
            if claim.value not in target:
                target[claim.value] = claim.service
                prov[f"{claim.kind}:{claim.value}"] = Provenance(location=claim.location, what="manifest")
        return cls(schemas, tables, prov)

    def owner_of(self, relation: Relation) -> str | None:
        if relation.schema in self.schema_owner:
            return self.schema_owner[relation.schema]
        if relation.schema == "public":
            return self.public_tables.get(relation.name)
        return None


def resolve(access: Access, ctx: "ProjectContext") -> Access | None:
    """The access with ``relation`` (and ``referrer``) filled in.

    Returns None when the ref turns out not to be a database access at all:
    a Prisma-like call on an object whose declared type is not a Prisma client,
    or an ``include``/``select`` key that is a scalar field. A ref that is an
    access but cannot be placed (unknown delegate) keeps ``relation=None``.
    """
    ref = access.ref
    if ref.delegate is not None:
        if ref.client_type is not None and not ctx.is_client_type(access.service, ref.client_type):
            return None
        relation, ok = _resolve_delegate(ref, access.service, ctx)
        if not ok:
            return None
    elif ref.orm_class is not None:
        model = ctx.orm_model(access.service, ref.orm_class)
        relation = resolve_name(model.ref, access.service, ctx) if model else None
    else:
        relation = resolve_name(ref, access.service, ctx)
    referrer = resolve_name(access.referrer_ref, access.service, ctx) if access.referrer_ref else None
    return replace(access, relation=relation, referrer=referrer)


def resolve_name(ref: RelationRef, service: str | None, ctx: "ProjectContext") -> Relation:
    """A SQL name: explicit schema, else the first schema on the search path that
    is known to hold it, else the first schema on the path."""
    if ref.schema:
        return ctx.relation(ref.schema, ref.name)
    path = ref.search_path or ctx.search_path(service)
    for schema in path:
        if ctx.knows(schema, ref.name):
            return ctx.relation(schema, ref.name)
    return ctx.relation(path[0] if path else "public", ref.name)


def model_relation(model: PrismaModel, ctx: "ProjectContext") -> Relation:
    schema = model.schema or ctx.search_path(model.service)[0]
    kind = RelationKind.VIEW if model.is_view else RelationKind.TABLE
    known = ctx.relation(schema, model.db_name)
    return known if known.kind is not RelationKind.TABLE else Relation(schema, model.db_name, kind)


def _resolve_delegate(ref: RelationRef, service: str | None, ctx: "ProjectContext") -> tuple[Relation | None, bool]:
    """(relation, is-an-access). Walks ``field_path`` through relation fields."""
    model = ctx.prisma_model(service, ref.delegate or "")
    if model is None:
        return None, not ref.field_path
    for field_name in ref.field_path:
        model = ctx.related_model(service, model, field_name)
        if model is None:
            return None, False
    return model_relation(model, ctx), True
