"""Roles in data statements: INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY,
and the writes hidden in a SELECT (``SELECT … INTO t``, ``FOR UPDATE``).
"""
from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from hos_lint.extract.sql.facts import Name, StmtFacts
from hos_lint.extract.sql.roles import SKIP_ALL, Handler, Role, Roles, assign, assign_checked
from hos_lint.extract.sql.tree_names import fold
from hos_lint.model import AccessKind


def select_roles(selects: list[exp.Select], roles: Roles) -> None:
    """``SELECT … INTO t`` writes t; ``FOR UPDATE/SHARE [OF …]`` locks (a
    write, operation LOCK) the FROM tables of that SELECT, or those named."""
    for select in selects:
        into = select.args.get("into")
        if isinstance(into, exp.Into):
            assign(roles, into.this, AccessKind.WRITE, "SELECT INTO")
        for lock in select.args.get("locks") or ():
            _lock_roles(select, lock, roles)


def _lock_roles(select: exp.Select, lock: exp.Lock, roles: Roles) -> None:
    targets = set()
    for named in lock.expressions:
        if isinstance(named, exp.Table):
            roles[id(named)] = None  # `OF o` names a FROM item, not a new reference
            targets.add(fold(named.this) if isinstance(named.this, exp.Identifier) else "")
    for table in _from_tables(select):
        if not targets or _label(table) in targets:
            assign_checked(roles, table, AccessKind.WRITE, "LOCK")


def _label(table: exp.Table) -> str:
    """How a FROM item is named in ``FOR UPDATE OF``: its alias, else its name."""
    alias = table.args.get("alias")
    if alias is not None and isinstance(alias.this, exp.Identifier):
        return fold(alias.this)
    return fold(table.this) if isinstance(table.this, exp.Identifier) else ""


def _from_tables(select: exp.Select) -> list[exp.Table]:
    """Tables of a SELECT's FROM and JOIN items; a FROM subquery is locked as a
    whole (PostgreSQL applies the lock to every table it uses)."""
    sources = []
    from_ = select.args.get("from_")
    if from_ is not None:
        sources.append(from_.this)
    sources.extend(join.this for join in select.args.get("joins") or ())
    tables: list[exp.Table] = []
    for source in sources:
        if isinstance(source, exp.Table):
            tables.append(source)
        elif isinstance(source, exp.Subquery):
            tables.extend(source.find_all(exp.Table))
    return tables


_Assign = Callable[[Roles, exp.Expr | None, AccessKind, str], Name | None]


def _target_write(operation: str, assign_target: _Assign) -> Handler:
    """The handler of INSERT / UPDATE / DELETE / MERGE: the statement's target
    is a WRITE; the other tables keep the default role (a read)."""

    def handler(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
        assign_target(roles, tree.this, AccessKind.WRITE, operation)
        return None

    return handler


def _truncate(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    for table in tree.expressions:
        assign(roles, table, AccessKind.WRITE, "TRUNCATE")
    return SKIP_ALL


def _copy(tree: exp.Expr, roles: Roles, facts: StmtFacts) -> Role | None:
    """``COPY t FROM`` writes t; ``COPY t TO`` and ``COPY (query) TO`` read."""
    kind = AccessKind.WRITE if tree.args.get("kind") else AccessKind.READ
    assign(roles, tree.this, kind, "COPY")
    return Role(AccessKind.READ, "COPY")


# Statements that write the relations they name; a WITH may hold them too.
DML_TYPES = (exp.Insert, exp.Update, exp.Delete, exp.Merge)

DML_HANDLERS: dict[type[exp.Expr], Handler] = {
    exp.Insert: _target_write("INSERT", assign),
    exp.Update: _target_write("UPDATE", assign_checked),  # `UPDATE cte …` names no relation
    exp.Delete: _target_write("DELETE", assign_checked),
    exp.Merge: _target_write("MERGE", assign),
    exp.TruncateTable: _truncate,
    exp.Copy: _copy,
}
