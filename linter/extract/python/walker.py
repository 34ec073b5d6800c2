"""Walking a libcst tree: a depth-first traversal that calls ``visit_<Type>``
and ``leave_<Type>`` hooks, keeps the ancestors of the current node, and notes
the statement each node belongs to (``Layout``: what positions need to find
a node's offsets by generating the code of that statement alone).

About ten times cheaper than ``libcst.CSTVisitor``, which rebuilds every
node's children even when nothing changes: fields that only hold punctuation,
whitespace or plain text are never entered, and each node type's hooks and
fields are looked up once.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import libcst as cst

from hos_lint.extract.python.positions import Layout

# Fields that only hold punctuation and whitespace: never worth descending into.
_SKIPPED_FIELDS = frozenset((
    "lpar", "rpar", "comma", "semicolon", "equal", "colon", "leading_lines",
    "lines_after_decorators", "header", "footer", "newline", "operator", "lbrace",
    "rbrace", "lbracket", "rbracket", "arrow", "asynchronous", "dot", "relative",
))
# Statements whose code libcst can generate alone, given the indentation
# around them: those that sit directly in a module or an indented block.
_STATEMENTS = frozenset((
    cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef, cst.If, cst.For, cst.While, cst.With, cst.Try,
    cst.TryStar, cst.Match,
))
_BLOCKS = frozenset((cst.Module, cst.IndentedBlock))
_INDENTING = frozenset((cst.IndentedBlock, cst.Match))  # their code generation indents what they hold

_Hook = Callable[[Any, Any], None]  # (walker, node)
_Plan = tuple[_Hook | None, _Hook | None, tuple[str, ...], bool, bool]

_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}
# Each walker class's plan per node type. Hooks are kept unbound: a walker
# holding its own bound methods would be a reference cycle, and would keep
# the whole tree alive until the cyclic garbage collector came by.
_PLANS: dict[type, dict[type[cst.CSTNode], _Plan]] = {}
# What a field's value is, by its type: 1 a node, 2 a sequence, 0 anything else.
_KIND: dict[type, int] = {type(None): 0, str: 0, bool: 0, tuple: 2, list: 2}


def child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node type that can hold nodes worth visiting."""
    names = _FIELDS.get(node_type)
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace") and f.type is not str
        )
        _FIELDS[node_type] = names
    return names


def _kind(value_type: type) -> int:
    kind = 1 if issubclass(value_type, cst.CSTNode) else 2 if issubclass(value_type, (tuple, list)) else 0
    _KIND[value_type] = kind
    return kind


class Walker:
    """Depth-first traversal calling ``visit_<Type>``/``leave_<Type>`` hooks.

    ``stack`` holds the ancestors of (and including) the node being visited.
    ``layout`` receives, for every node, the innermost statement holding it
    (see ``_STATEMENTS``), and for each such statement the one around it and
    the indentation it sits at.
    """

    def __init__(self, default_indent: str = "    ") -> None:
        """``default_indent``: the module's (``Module.default_indent``), for blocks that do not say."""
        self.stack: list[cst.CSTNode] = []
        self.layout = Layout()
        self._plans = _PLANS.setdefault(type(self), {})
        self._statement: cst.CSTNode | None = None
        self._indents: tuple[str, ...] = ()
        self._default_indent = default_indent

    def _plan(self, node_type: type[cst.CSTNode]) -> _Plan:
        name = node_type.__name__
        plan = (
            getattr(type(self), f"visit_{name}", None), getattr(type(self), f"leave_{name}", None),
            child_fields(node_type), node_type in _STATEMENTS, node_type in _INDENTING,
        )
        self._plans[node_type] = plan
        return plan

    def walk(self, node: cst.CSTNode) -> None:
        node_type = type(node)
        plan = self._plans.get(node_type)
        if plan is None:  # looked up once per node type (the hot path of the pass)
            plan = self._plan(node_type)
        visit, leave, fields, statement, indenting = plan
        stack = self.stack
        layout = self.layout
        outer = self._statement
        if statement and stack and type(stack[-1]) in _BLOCKS:
            layout.outer[id(node)] = outer
            layout.indents[id(node)] = self._indents
            self._statement = node
        layout.owner[id(node)] = self._statement
        stack.append(node)
        if visit is not None:
            visit(self, node)
        indents = self._indents
        if indenting:
            self._indents = (*indents, node.indent or self._default_indent)  # type: ignore[attr-defined]
        kinds = _KIND
        for field_name in fields:
            value = getattr(node, field_name)
            kind = kinds.get(type(value))
            if kind is None:
                kind = _kind(type(value))
            if kind == 1:
                self.walk(value)
            elif kind == 2:
                for item in value:
                    item_kind = kinds.get(type(item))
                    if item_kind == 1 or (item_kind is None and _kind(type(item)) == 1):
                        self.walk(item)
        self._indents = indents
        if leave is not None:
            leave(self, node)
        stack.pop()
        self._statement = outer
