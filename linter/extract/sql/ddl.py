"""Roles in definition statements: CREATE (tables, indexes, sequences,
functions, triggers; views in ``views``), DROP, ALTER and COMMENT ON, as
sqlglot parses them. The forms it keeps opaque are read in ``fallback``.
"""
from __future__ import annotations

from sqlglot import exp

from hos_lint.extract.sql.facts import Hit, Name, StmtFacts
from hos_lint.extract.sql.roles import SKIP_ALL, Handler, Role, Roles, assign, unwrap_table
from hos_lint.extract.sql.tree_names import column_relation
from hos_lint.extract.sql.views import create_view
from hos_lint.model import AccessKind, RelationKind


def _comment(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    """``COMMENT ON TABLE/VIEW/… t`` and ``COMMENT ON COLUMN [s.]t.c`` are DDL
    on the relation; comments on schemas, types, roles are ignored."""
    kind = str(tree.args.get("kind") or "").upper()
    target = tree.this
    if kind == "COLUMN" and isinstance(target, exp.Column):
        name = column_relation(target)
        if name is not None:
            facts.hits.append(Hit(name, AccessKind.DDL, "COMMENT ON"))
    elif kind in {"TABLE", "VIEW", "MATERIALIZED VIEW", "SEQUENCE", "INDEX", "FOREIGN TABLE"}:
        assign(roles, target, AccessKind.DDL, "COMMENT ON")
    return SKIP_ALL


def _references(tree: exp.Expr, roles: Roles, referrer: Name | None) -> None:
    """Every ``REFERENCES u`` (column or table constraint) is a REFERENCE of u
    from the relation being defined."""
    for ref in tree.find_all(exp.Reference):
        assign(roles, ref.this, AccessKind.REFERENCE, "REFERENCES", referrer)


def _create(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    kind = str(tree.args.get("kind") or "").upper()
    handler = _CREATE_KINDS.get(kind)
    return handler(tree, roles, facts) if handler else SKIP_ALL


def _create_table(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    """DDL on the table, REFERENCEs, parents (INHERITS / PARTITION OF: DDL,
    the parent's definition changes), ``LIKE u`` (a read of u's definition)
    and the reads of ``AS SELECT``."""
    name = assign(roles, tree.this, AccessKind.DDL, "CREATE TABLE")
    facts.define(name, RelationKind.TABLE, "CREATE TABLE")
    _references(tree, roles, name)
    for prop in tree.find_all(exp.InheritsProperty, exp.PartitionedOfProperty):
        for table in prop.find_all(exp.Table):
            assign(roles, table, AccessKind.DDL, "CREATE TABLE", name)
    for like in tree.find_all(exp.LikeProperty):
        assign(roles, like.this, AccessKind.READ, "CREATE TABLE", name)
    return None


def _create_simple(kind: RelationKind | None, what: str) -> Handler:
    """Handler for CREATE INDEX / SEQUENCE / FUNCTION / PROCEDURE / TRIGGER:
    one DDL access on the relation named (the table an index or trigger is
    ON), and a RelationDef for sequences and functions."""

    def handler(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
        name = assign(roles, _created_target(tree), AccessKind.DDL, what)
        if kind is not None:
            facts.define(name, kind, what)
        return SKIP_ALL

    return handler


def _created_target(tree: exp.Expr) -> exp.Expr | None:
    """The relation a CREATE names: the table an index or trigger is ON, the
    function itself, else the created relation."""
    target: exp.Expr | None = tree.this
    if isinstance(target, exp.Index):
        table: exp.Expr | None = target.args.get("table")
        return table
    if isinstance(target, exp.UserDefinedFunction):
        function: exp.Expr | None = target.this
        return function
    properties = tree.args.get("properties")
    for prop in properties.expressions if properties is not None else ():
        if isinstance(prop, exp.TriggerProperties):
            table = prop.args.get("table")
            return table
    return target


_CREATE_KINDS: dict[str, Handler] = {
    "TABLE": _create_table,
    "VIEW": create_view,
    "INDEX": _create_simple(None, "CREATE INDEX"),
    "SEQUENCE": _create_simple(RelationKind.SEQUENCE, "CREATE SEQUENCE"),
    "FUNCTION": _create_simple(RelationKind.FUNCTION, "CREATE FUNCTION"),
    "PROCEDURE": _create_simple(RelationKind.FUNCTION, "CREATE PROCEDURE"),
    "TRIGGER": _create_simple(None, "CREATE TRIGGER"),
}
_RELATION_KINDS = frozenset("TABLE VIEW INDEX SEQUENCE FUNCTION PROCEDURE TRIGGER FOREIGN TABLE".split())


def _drop(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    """DROP of a relation kind is DDL on each name; ``DROP TRIGGER tr ON t``
    is DDL on t. DROP SCHEMA/TYPE/… carries no relation."""
    kind = str(tree.args.get("kind") or "").upper()
    if kind not in _RELATION_KINDS:
        return SKIP_ALL
    what = "DROP MATERIALIZED VIEW" if tree.args.get("materialized") else f"DROP {kind}"
    if kind == "TRIGGER":
        on = tree.args.get("cluster")
        assign(roles, on.this if isinstance(on, exp.OnProperty) else None, AccessKind.DDL, what)
        return SKIP_ALL
    for table in tree.args.get("tables") or ():
        assign(roles, table, AccessKind.DDL, what)
    return SKIP_ALL


def _alter(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    """DDL on the altered relation; the new name of RENAME TO is not a
    reference; ADD … REFERENCES u is a REFERENCE of u."""
    kind = str(tree.args.get("kind") or "TABLE").upper()
    what = f"ALTER {kind}"
    name = assign(roles, tree.this, AccessKind.DDL, what)
    for action in tree.args.get("actions") or ():
        if isinstance(action, exp.AlterRename):
            assign(roles, action.this, AccessKind.DDL, what)
            roles[id(unwrap_table(action.this))] = None
    _references(tree, roles, name)
    return SKIP_ALL  # DROP CONSTRAINT fk / ADD CONSTRAINT names are no relations


DDL_HANDLERS: dict[type[exp.Expr], Handler] = {
    exp.Comment: _comment,
    exp.Create: _create,
    exp.Drop: _drop,
    exp.Alter: _alter,
}
