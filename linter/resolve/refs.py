"""From what the source says (a ``RelationRef``, a Prisma model) to a ``Relation``. Pure."""
from __future__ import annotations

from dataclasses import replace

from hos_lint.context import Names
from hos_lint.model import Access, PrismaModel, Relation, RelationKind, RelationRef


def declared_relation(ref: RelationRef, search_path: tuple[str, ...], kind: RelationKind) -> Relation:
    """Where a definition (``CREATE TABLE``, an ORM table) puts its relation: the schema
    it names, else the first schema on the search path in effect there."""
    path = ref.search_path or search_path
    return Relation(ref.schema or (path[0] if path else "public"), ref.name, kind)


def declared_model_relation(model: PrismaModel, search_path: tuple[str, ...]) -> Relation:
    """Where a Prisma model or view lives: its ``@@schema``, else the service's default schema."""
    kind = RelationKind.VIEW if model.is_view else RelationKind.TABLE
    return Relation(model.schema or search_path[0], model.db_name, kind)


def resolve_name(ref: RelationRef, service: str | None, names: Names) -> Relation:
    """A SQL name: explicit schema, else the first schema on the search path that
    is known to hold it, else the first schema on the path."""
    if ref.schema:
        return names.relation(ref.schema, ref.name)
    path = ref.search_path or names.search_path(service)
    for schema in path:
        if names.knows(schema, ref.name):
            return names.relation(schema, ref.name)
    return names.relation(path[0] if path else "public", ref.name)


def model_relation(model: PrismaModel, names: Names) -> Relation:
    """The relation a Prisma model maps onto; a view declared elsewhere keeps its kind."""
    declared = declared_model_relation(model, names.search_path(model.service))
    known = names.relation(declared.schema, declared.name)
    return known if known.kind is not RelationKind.TABLE else declared


def resolve_access(access: Access, names: Names) -> Access | None:
    """The access with ``relation`` (and ``referrer``) filled in.

    Returns None when the ref turns out not to be a database access at all:
    a Prisma-like call on an object whose declared type is not a Prisma client,
    or an ``include``/``select`` key that is a scalar field. A ref that is an
    access but cannot be placed (unknown delegate) keeps ``relation=None``.
    """
    ref = access.ref
    relation: Relation | None
    if ref.delegate is not None:
        if ref.client_type is not None and not names.is_client_type(access.service, ref.client_type):
            return None
        relation, ok = _resolve_delegate(ref, access.service, names)
        if not ok:
            return None
    elif ref.orm_class is not None:
        model = names.orm_model(access.service, ref.orm_class)
        relation = resolve_name(model.ref, access.service, names) if model else None
    else:
        relation = resolve_name(ref, access.service, names)
    referrer = resolve_name(access.referrer_ref, access.service, names) if access.referrer_ref else None
    return replace(access, relation=relation, referrer=referrer)


def _resolve_delegate(ref: RelationRef, service: str | None, names: Names) -> tuple[Relation | None, bool]:
    """(relation, is-an-access). Walks ``field_path`` through relation fields."""
    model = names.prisma_model(service, ref.delegate or "")
    if model is None:
        return None, not ref.field_path
    for field_name in ref.field_path:
        model = names.related_model(service, model, field_name)
        if model is None:
            return None, False
    return model_relation(model, names), True
