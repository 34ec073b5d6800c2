"""Views: ``CREATE [MATERIALIZED] VIEW v AS …`` is DDL on v, and everything
its body reads is a READ whose referrer is the view. The definition's
``reads`` (what a view exposes) are collected from those hits by
``records``.
"""
from __future__ import annotations

from sqlglot import exp

from hos_lint.extract.sql.facts import StmtFacts
from hos_lint.extract.sql.roles import Role, Roles, assign
from hos_lint.model import AccessKind, RelationKind


def create_view(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    """DDL on the view; everything its body reads is a READ whose referrer is
    the view (operation ``CREATE VIEW`` / ``CREATE MATERIALIZED VIEW``)."""
    materialized = _is_materialized(tree)
    what = "CREATE MATERIALIZED VIEW" if materialized else "CREATE VIEW"
    name = assign(roles, tree.this, AccessKind.DDL, what)
    facts.define(name, RelationKind.MATVIEW if materialized else RelationKind.VIEW, what)
    return Role(AccessKind.READ, what, name)


def _is_materialized(tree: exp.Expr) -> bool:
    properties = tree.args.get("properties")
    return properties is not None and any(
        isinstance(p, exp.MaterializedProperty) for p in properties.expressions
    )
