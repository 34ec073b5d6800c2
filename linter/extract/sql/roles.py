"""Roles of the Table nodes of one parsed statement.

A statement handler gives specific Table nodes an explicit role (``Hit``, or
None: no relation) and may return the role every other relation-like Table
of the statement gets (``Role``); ``SKIP_ALL`` says only explicit roles count.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from hos_lint.extract.sql.facts import Hit, Name, StmtFacts
from hos_lint.extract.sql.tree_names import is_cte_ref, table_name
from hos_lint.model import AccessKind


@dataclass(frozen=True, slots=True)
class Role:
    """The access every Table without an explicit role gets."""

    kind: AccessKind
    operation: str
    referrer: Name | None = None


# Only explicitly assigned roles count (compared by identity).
SKIP_ALL = Role(AccessKind.READ, "")
# What a statement without a handler of its own does to its tables.
READ_ROLE = Role(AccessKind.READ, "SELECT")

Roles = dict[int, Hit | None]  # id(Table node) -> its explicit role
Handler = Callable[[exp.Expr, Roles, StmtFacts], Role | None]


def assign(roles: Roles, node: exp.Expr | None, kind: AccessKind,
           operation: str, referrer: Name | None = None) -> Name | None:
    """Give ``node`` (a Table, or a Schema wrapping one) an explicit role.
    Returns its name (None when it is not a relation name)."""
    table = unwrap_table(node)
    if table is None:
        return None
    name = table_name(table)
    roles[id(table)] = None if name is None else Hit(name, kind, operation, referrer)
    return name


def assign_checked(roles: Roles, node: exp.Expr | None, kind: AccessKind,
                   operation: str, referrer: Name | None = None) -> Name | None:
    """Like ``assign`` but a CTE reference gets no role (it is no relation)."""
    table = unwrap_table(node)
    if table is not None and is_cte_ref(table):
        roles[id(table)] = None
        return None
    return assign(roles, node, kind, operation, referrer)


def unwrap_table(node: exp.Expr | None) -> exp.Table | None:
    if isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) else None
