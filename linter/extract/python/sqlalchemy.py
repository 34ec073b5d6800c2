"""SQLAlchemy (and SQLModel) uses: ``Table(...)`` definitions and declarative
models as ORM models, ``text(...)`` as SQL, and the statements, session calls
and query chains that read or write a model.

What the names mean (which are models, which schema they carry) comes from
``knowledge``; a use names a model as an ``orm_class`` reference, resolved later.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import libcst as cst

from hos_lint.extract.python.embedded_sql import sql_argument
from hos_lint.extract.python.knowledge import Knowledge, tablename
from hos_lint.extract.python.positions import Host
from hos_lint.extract.python.scan import Scan, relation_ref
from hos_lint.extract.python.syntax import keyword, positional, positional_args, receiver_name, string_value
from hos_lint.model import AccessKind, OrmModel, RelationRef, SourceFile, Via

VIA = Via.SQLALCHEMY
STATEMENTS: Mapping[str, AccessKind] = {
    "select": AccessKind.READ, "insert": AccessKind.WRITE,
    "update": AccessKind.WRITE, "delete": AccessKind.WRITE,
}
JOIN_METHODS = frozenset(("join", "outerjoin", "select_from", "join_from"))
BULK_WRITES = frozenset(("update", "delete"))
_SESSION_NAMES = frozenset(("session", "db", "sess", "s", "tx", "uow"))

_Args = list[cst.BaseExpression]


def _first(args: _Args) -> Sequence[cst.CSTNode]:
    return args[:1]


def _first_callee(args: _Args) -> Sequence[cst.CSTNode]:
    """``Model`` of ``session.add(Model(...))``."""
    return [v.func for v in args[:1] if isinstance(v, cst.Call)]


def _constructed(args: _Args) -> Sequence[cst.CSTNode]:
    """The callee of each ``Model(...)`` inside ``[Model(...), ...]`` or ``[Model(...) for ...]``."""
    out: list[cst.CSTNode] = []
    for value in args[:1]:
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            out.extend(e.value.func for e in value.elements if isinstance(e.value, cst.Call))
        elif isinstance(value, (cst.ListComp, cst.GeneratorExp, cst.SetComp)) and isinstance(value.elt, cst.Call):
            out.append(value.elt.func)
    return out


# Session methods: which positional arguments name models, the kind of access and the operation.
_SESSION_USES: Mapping[str, tuple[Callable[[_Args], Sequence[cst.CSTNode]], AccessKind, str]] = {
    "query": (list, AccessKind.READ, "query"),
    "get": (_first, AccessKind.READ, "get"),
    "add": (_first_callee, AccessKind.WRITE, "add"),
    "merge": (_first_callee, AccessKind.WRITE, "merge"),
    "add_all": (_constructed, AccessKind.WRITE, "add"),
    "bulk_insert_mappings": (_first, AccessKind.WRITE, "bulk_insert_mappings"),
    "bulk_update_mappings": (_first, AccessKind.WRITE, "bulk_update_mappings"),
}
SESSION_METHODS = frozenset(_SESSION_USES)


def is_session(node: cst.CSTNode) -> bool:
    name = (receiver_name(node) or "").lower()
    return name in _SESSION_NAMES or "session" in name


# --- models ----------------------------------------------------------------------------------


def declarative_models(src: SourceFile, host: Host, know: Knowledge) -> list[OrmModel]:
    """Classes with a literal ``__tablename__``, located at their ``class`` keyword."""
    out = []
    for info in know.collector.class_list:
        name = tablename(info)
        if name is None:
            continue
        out.append(OrmModel(
            service=src.service, class_name=info.node.name.value,
            ref=relation_ref(name, know.class_schema(info)),
            location=host.location(src.path, info.node),
        ))
    return out


def table_definition(scan: Scan, call: cst.Call) -> bool:
    """``users = Table("users", metadata, ..., schema="s")`` → an OrmModel named ``users``."""
    if not scan.know.is_table_call(call):
        return False
    name = string_value(positional(call, 0)) or ""
    schema = string_value(keyword(call, "schema"))
    if schema is None:
        schema = scan.know.metadata_schema(positional(call, 1))
    scan.orm_models.append(OrmModel(
        service=scan.src.service, class_name=_bound_name(scan, call) or name,
        ref=relation_ref(name, schema), location=scan.host.location(scan.src.path, call),
    ))
    return True


def _bound_name(scan: Scan, value: cst.CSTNode) -> str | None:
    """The name a value is assigned to (``__table__`` in a class: the class name)."""
    parent = scan.stack[-2] if len(scan.stack) > 1 else None
    target: cst.CSTNode | None = None
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and parent.value is value:
        target = parent.targets[0].target
    elif isinstance(parent, cst.AnnAssign) and parent.value is value:
        target = parent.target
    if not isinstance(target, cst.Name):
        return None
    if target.value == "__table__":
        info = scan.enclosing_class()
        return info.node.name.value if info is not None else None
    return target.value


# --- uses ------------------------------------------------------------------------------------


def text_call(scan: Scan, call: cst.Call) -> bool:
    """``text("SELECT ...")``: SQL text."""
    if not scan.know.is_sa(call.func, "text"):
        return False
    sql_argument(scan, call, "text()", VIA, report=True, string_only=True)
    return True


def statement_call(scan: Scan, call: cst.Call) -> bool:
    """``select(A, B.x)`` reads each model; ``insert/update/delete(M)`` writes M."""
    if not scan.know.is_sa(call.func, *STATEMENTS):
        return False
    function = (scan.know.qualified(call.func) or "").rsplit(".", 1)[-1]
    args: Sequence[cst.CSTNode] = positional_args(call)
    if function != "select":
        args = args[:1] or [v for v in (keyword(call, "table"),) if v is not None]
    _orm_uses(scan, args, STATEMENTS[function], function)
    return True


def session_call(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """``session.query/get/add/add_all/merge/bulk_*`` with model arguments."""
    if not is_session(func.value):
        return False
    models, kind, operation = _SESSION_USES[func.attr.value]
    _orm_uses(scan, models(positional_args(call)), kind, operation)
    return True


def table_statement(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """``users.select()`` / ``.insert()`` … on a ``Table(...)`` variable."""
    receiver, method = func.value, func.attr.value
    if not isinstance(receiver, cst.Name) or receiver.value not in scan.know.table_vars:
        return False
    scan.access(receiver, RelationRef(orm_class=receiver.value), STATEMENTS[method], VIA, method)
    return True


def join_call(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """``select(A).join(B)`` / ``session.query(A).join(B)``: B is read too."""
    root = _chain_root(scan, func.value)
    first = positional(call, 0)
    if root is not None and first is not None:
        _orm_uses(scan, [first], AccessKind.READ, root[0])
    return True


def query_write(scan: Scan, call: cst.Call, func: cst.Attribute) -> bool:
    """``session.query(M).filter(...).update({...})`` / ``.delete()``: bulk writes of M."""
    root = _chain_root(scan, func.value)
    if root is not None and root[0] == "query":
        _orm_uses(scan, positional_args(root[1]), AccessKind.WRITE, func.attr.value)
    return True


def _chain_root(scan: Scan, node: cst.CSTNode) -> tuple[str, cst.Call] | None:
    """The ``select(...)`` or ``session.query(...)`` call a method chain starts from."""
    while isinstance(node, cst.Call):
        func = node.func
        if scan.know.is_sa(func, "select"):
            return "select", node
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value == "query" and is_session(func.value):
            return "query", node
        node = func.value
    return None


def _orm_uses(scan: Scan, values: Sequence[cst.CSTNode], kind: AccessKind, operation: str) -> None:
    """An access at the first use of each model named in ``values``."""
    seen: dict[str, cst.Name] = {}
    for value in values:
        for root in _name_roots(value):
            if root.value not in seen and scan.know.is_model(root.value):
                seen[root.value] = root
    for name in seen.values():
        scan.access(name, RelationRef(orm_class=name.value), kind, VIA, operation)


def _name_roots(value: cst.CSTNode, depth: int = 0) -> Iterator[cst.Name]:
    """Root names of an argument: ``Order`` for ``Order``/``Order.id``/``Order(...)``,
    and inside SQL function calls (``func.count(Order.id)``, ``Order.id.label("x")``)."""
    if isinstance(value, cst.Call) and depth < 3:
        yield from _name_roots(value.func, depth + 1)
        for arg in value.args:
            yield from _name_roots(arg.value, depth + 1)
        return
    while isinstance(value, cst.Attribute):
        value = value.value
        if isinstance(value, cst.Call):
            yield from _name_roots(value, depth + 1)
            return
    if isinstance(value, cst.Name):
        yield value
