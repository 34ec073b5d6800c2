"""Relation names in a sqlglot tree: the ``Name`` a ``Table`` (or a column's
table part) stands for, where it starts, whether a bind marker stands in it,
and whether an unqualified name is a CTE visible at its position.
"""
from __future__ import annotations

from sqlglot import exp

from hos_lint.extract.sql.facts import MARKER_IN_NAME, Name


def table_name(table: exp.Table) -> Name | None:
    """The relation name of a Table node, or None when the node is a table
    function (``generate_series(…)``, ``s.f(…)``), not a relation."""
    part = table.this
    if isinstance(part, exp.Parameter):
        offset = _marker_offset(part)
        return Name("", None, False, offset, dynamic=offset)
    if not isinstance(part, exp.Identifier):
        return None
    schema = table.args.get("db")
    first = table.args.get("catalog") or schema or part
    offset = ident_offset(first)
    dynamic = _dynamic_part(part, schema)
    return Name(
        name=fold(part),
        schema=fold(schema) if isinstance(schema, exp.Identifier) else None,
        quoted=bool(part.args.get("quoted")),
        offset=offset,
        dynamic=dynamic,
    )


def column_relation(column: exp.Column) -> Name | None:
    """The relation of ``[s.]t.c`` (None for a bare column)."""
    table = column.args.get("table")
    if not isinstance(table, exp.Identifier):
        return None
    schema = column.args.get("db")
    first = column.args.get("catalog") or schema or table
    return Name(
        name=fold(table),
        schema=fold(schema) if isinstance(schema, exp.Identifier) else None,
        quoted=bool(table.args.get("quoted")),
        offset=ident_offset(first),
        dynamic=_dynamic_part(table, schema),
    )


def _dynamic_part(part: exp.Identifier, schema: exp.Expr | None) -> int | None:
    """Offset of a bind marker standing in the schema or name part, else None."""
    for node in (schema, part):
        if isinstance(node, exp.Parameter):
            return _marker_offset(node)
        if not isinstance(node, exp.Identifier):
            continue
        if node.meta.get("marker"):
            return ident_offset(node)
        found = MARKER_IN_NAME.search(node.name)
        if found is not None:  # `orders_$1`, `"$1"`: point at the marker itself
            return ident_offset(node) + bool(node.args.get("quoted")) + found.start()
    return None


def _marker_offset(param: exp.Parameter) -> int:
    """sqlglot keeps the offset of the digits; the marker starts at the ``$``."""
    inner = param.this
    start = inner.meta.get("start") if isinstance(inner, exp.Expression) else None
    return max((start or 1) - 1, 0)


def ident_offset(node: exp.Expr) -> int:
    start = node.meta.get("start")
    return int(start) if start is not None else 0


def fold(ident: exp.Expr) -> str:
    """Unquoted identifiers fold to lower case (PostgreSQL); quoted keep case."""
    name = ident.name
    return name if ident.args.get("quoted") else name.lower()


def is_cte_ref(table: exp.Table) -> bool:
    """True when an unqualified Table names a CTE visible at its position.

    A CTE is visible in the statement body, in later CTEs of the same WITH,
    and in its own body only under WITH RECURSIVE; so in
    ``WITH orders AS (SELECT * FROM orders) …`` the inner ``orders`` is the
    real table. Outer WITHs stay visible inside subqueries.
    """
    if table.args.get("db") is not None or not isinstance(table.this, exp.Identifier):
        return False
    name = fold(table.this)
    child: exp.Expr = table
    node = table.parent
    while node is not None:
        if isinstance(node, exp.With):
            if name in _visible_in_with(node, table):
                return True
        else:
            with_ = node.args.get("with_")
            if isinstance(with_, exp.With) and child is not with_ and name in _all_ctes(with_):
                return True
        child, node = node, node.parent
    return False


def _all_ctes(with_: exp.With) -> set[str]:
    return {_cte_name(c) for c in with_.expressions}


def _visible_in_with(with_: exp.With, table: exp.Table) -> set[str]:
    """Names visible to a table inside one of the CTE bodies of ``with_``."""
    ctes = list(with_.expressions)
    for index, cte in enumerate(ctes):
        if _is_within(table, cte):
            limit = index + 1 if with_.args.get("recursive") else index
            return {_cte_name(c) for c in ctes[:limit]}
    return set()


def _cte_name(cte: exp.Expr) -> str:
    alias = cte.args.get("alias")
    return fold(alias.this) if alias is not None else ""


def _is_within(node: exp.Expr | None, ancestor: exp.Expr) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False
