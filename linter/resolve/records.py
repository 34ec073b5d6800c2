"""The resolved records rules and outputs read: models, foreign keys, connections,
grants and view reads, each with its relation(s) and owner(s). Pure."""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

from hos_lint.context import Names
from hos_lint.manifest import Manifest
from hos_lint.model import (
    Connection,
    Grant,
    Grantee,
    GrantTarget,
    ModelSource,
    OwnedSchema,
    PrismaDatasource,
    RelationDef,
    RelationKind,
    RelationRef,
    ResolvedConnection,
    ResolvedForeignKey,
    ResolvedGrant,
    ResolvedModel,
    ViewRead,
)
from hos_lint.ownership import Ownership
from hos_lint.resolve.refs import model_relation, resolve_name

VIEW_KINDS = (RelationKind.VIEW, RelationKind.MATVIEW)
_M = TypeVar("_M")


def resolved_models(names: Names, ownership: Ownership) -> tuple[ResolvedModel, ...]:
    """Prisma models, then ORM models; each group by service name, then in path order."""
    out = []
    for service, prisma in _by_service(names.prisma_models):
        for model in prisma.values():
            relation = model_relation(model, names)
            out.append(ResolvedModel(service=service, name=model.name, source=ModelSource.PRISMA,
                                     location=model.location, relation=relation,
                                     owner=ownership.owner_of(relation), schema_given=model.schema is not None))
    for service, orm in _by_service(names.orm_models):
        for cls in orm.values():
            relation = resolve_name(cls.ref, cls.service, names)
            out.append(ResolvedModel(service=service, name=cls.class_name, source=ModelSource.ORM,
                                     location=cls.location, relation=relation,
                                     owner=ownership.owner_of(relation), schema_given=cls.ref.schema is not None))
    return tuple(out)


def foreign_keys(names: Names, ownership: Ownership) -> tuple[ResolvedForeignKey, ...]:
    """Every Prisma relation field with ``fields:`` whose type is a model of the same schema file's service."""
    out = []
    for service, models in _by_service(names.prisma_models):
        for model in models.values():
            for field in model.fields:
                target = models.get(field.type)
                if not field.relation_fields or target is None:
                    continue
                source, referenced = model_relation(model, names), model_relation(target, names)
                out.append(ResolvedForeignKey(service=service, location=field.location, source=source,
                                              target=referenced, source_owner=ownership.owner_of(source),
                                              target_owner=ownership.owner_of(referenced)))
    return tuple(out)


def resolved_connections(datasources: Sequence[PrismaDatasource], connections: Sequence[Connection],
                         ownership: Ownership) -> tuple[ResolvedConnection, ...]:
    """Prisma datasources, then connection URLs (already matched to their services)."""
    def owned(schemas: tuple[str, ...]) -> tuple[OwnedSchema, ...]:
        return tuple(OwnedSchema(s, ownership.schema_owner.get(s)) for s in schemas)

    out = [ResolvedConnection(service=ds.service, location=ds.schemas_location or ds.location, variable=None,
                              schemas=owned(ds.schemas)) for ds in datasources]
    out += [ResolvedConnection(service=c.service, location=c.location, variable=c.variable,
                               schemas=owned(c.schemas), schema_dynamic=c.schema_dynamic) for c in connections]
    return tuple(out)


def resolved_grants(grants: Sequence[Grant], manifest: Manifest, names: Names,
                    ownership: Ownership) -> tuple[ResolvedGrant, ...]:
    """Each grant with the service behind each grantee role (a service's ``role:`` or
    schema name) and the schema of each object."""
    roles = {svc.role_name: svc.name for svc in manifest.services}
    return tuple(ResolvedGrant(grant=g, grantees=tuple(Grantee(role, roles.get(role)) for role in g.grantees),
                               targets=tuple(_grant_target(g, obj, names, ownership) for obj in g.objects))
                 for g in grants)


def _grant_target(grant: Grant, obj: RelationRef, names: Names, ownership: Ownership) -> GrantTarget:
    if grant.object_type.schema_wide:  # the objects are schema names
        name = schema = obj.name
    else:
        name, schema = obj.display(), resolve_name(obj, grant.service, names).schema
    return GrantTarget(name=name, schema=OwnedSchema(schema, ownership.schema_owner.get(schema)))


def view_reads(defs: Sequence[RelationDef], names: Names, ownership: Ownership) -> tuple[ViewRead, ...]:
    """Each relation each view definition reads, in definition order."""
    return tuple(read for d in defs if d.kind in VIEW_KINDS for read in _reads_of(d, names, ownership))


def _reads_of(view_def: RelationDef, names: Names, ownership: Ownership) -> Iterator[ViewRead]:
    view = resolve_name(view_def.ref, view_def.service, names)
    for ref in view_def.reads:
        base = resolve_name(ref, view_def.service, names)
        yield ViewRead(view=view, view_owner=ownership.owner_of(view), base=base, base_owner=ownership.owner_of(base),
                       kind=view_def.kind, location=view_def.location)


def _by_service(index: Mapping[str | None, _M]) -> list[tuple[str | None, _M]]:
    """Per-service tables by service name (``None``, files outside any service, as "None")."""
    return sorted(index.items(), key=lambda kv: str(kv[0]))
