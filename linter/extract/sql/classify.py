"""Classification of a parsed statement: every relation reference of a
sqlglot tree becomes a ``Hit`` (kind, operation, referrer).

Statement handlers (``dml``, ``ddl``, ``views``) assign roles to specific
Table nodes; every other relation-like Table (not a CTE reference, not a
table function) gets the statement's default role.
"""
from __future__ import annotations

from sqlglot import exp

from hos_lint.extract.sql.ddl import DDL_HANDLERS
from hos_lint.extract.sql.dml import DML_HANDLERS, DML_TYPES, select_roles
from hos_lint.extract.sql.facts import Hit, StmtFacts
from hos_lint.extract.sql.roles import READ_ROLE, SKIP_ALL, Handler, Roles
from hos_lint.extract.sql.tree_names import is_cte_ref, table_name

# The statement types whose relation references we classify.
STATEMENT_TYPES = (
    exp.Query, exp.Values, exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.TruncateTable,
    exp.Copy, exp.Comment, exp.Create, exp.Drop, exp.Alter, exp.Set, exp.Transaction,
    exp.Commit, exp.Rollback,
)

_HANDLERS: dict[type[exp.Expr], Handler] = {**DML_HANDLERS, **DDL_HANDLERS}


def classify(tree: exp.Expr, facts: StmtFacts) -> None:
    """Fill ``facts`` with every relation reference of a parsed statement."""
    roles: Roles = {}
    nodes = list(tree.walk())  # one walk shared by the passes below
    select_roles([n for n in nodes if isinstance(n, exp.Select)], roles)
    _nested_dml_roles(tree, [n for n in nodes if isinstance(n, DML_TYPES)], roles, facts)
    default = READ_ROLE
    handler = _HANDLERS.get(type(tree))
    if handler is not None:
        default = handler(tree, roles, facts) or default
    for table in (n for n in nodes if isinstance(n, exp.Table)):
        if id(table) in roles:
            hit = roles[id(table)]
            if hit is not None:
                facts.hits.append(hit)
            continue
        if default is SKIP_ALL:
            continue
        name = table_name(table)
        if name is None or is_cte_ref(table):
            continue
        facts.hits.append(Hit(name, default.kind, default.operation, default.referrer))


def _nested_dml_roles(tree: exp.Expr, dml: list[exp.Expr],
                      roles: Roles, facts: StmtFacts) -> None:
    """Data-modifying CTEs (``WITH d AS (DELETE FROM t …) …``) write too."""
    for node in dml:
        if node is not tree:
            _HANDLERS[type(node)](node, roles, facts)
