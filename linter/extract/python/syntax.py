"""Small questions about libcst nodes that every pass asks: call arguments,
dotted names, receivers, plain string values."""
from __future__ import annotations

import libcst as cst

# How far nested expressions and chains of names bound to names are followed.
MAX_DEPTH = 8


def keyword(call: cst.Call, *names: str) -> cst.BaseExpression | None:
    """The value of the first keyword argument named one of ``names``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names:
            return arg.value
    return None


def positional_args(call: cst.Call) -> list[cst.BaseExpression]:
    """The plain positional arguments (no keyword, no ``*``/``**``)."""
    return [a.value for a in call.args if a.keyword is None and not a.star]


def positional(call: cst.Call, index: int) -> cst.BaseExpression | None:
    args = positional_args(call)
    return args[index] if index < len(args) else None


def dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


def receiver_name(node: cst.CSTNode) -> str | None:
    """``cur`` for ``cur``, ``conn`` for ``self.conn``: the last name of a receiver."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def string_value(node: cst.CSTNode | None) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def str_annotated(param: cst.Param) -> bool:
    """Unannotated, or annotated with something mentioning ``str``/``LiteralString``."""
    if param.annotation is None:
        return True
    found = False

    class _Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found = found or node.value in ("str", "LiteralString")

    param.annotation.visit(_Finder())
    return found
