"""Prisma Client recognition: what a type, a name or an expression denotes.

- an identifier or ``this.<field>`` whose declared type or initialiser names a
  type: ``PrismaClient`` / ``Prisma.TransactionClient`` make a *definite*
  client (``client_type=None``); any other type name ``T`` makes a
  *candidate* (``client_type="T"``) that resolution keeps only when ``T``
  extends ``PrismaClient``. A few JavaScript built-ins (``Map``, ``Set``,
  ``Promise`` …) are never candidates;
- ``this`` inside a class that ``extends`` something: definite for
  ``PrismaClient``, else a candidate named after the class itself;
- the first parameter of a function passed to ``<client>.$transaction`` and
  values built by ``<client>.$extends(...)`` (or aliases of a client): the
  same client as the receiver;
- names listed in ``config.prisma_clients`` (``db`` or ``this.db``), unless a
  closer declaration gives that name an explicit type.

Receivers that are neither declared with a type, nor configured, nor derived
from a client are never clients.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from hos_lint.extract.base import HostText
from hos_lint.extract.typescript.scopes import DEFINITE, Client, Scope
from hos_lint.extract.typescript.tree import member_parts, operator

if TYPE_CHECKING:
    from tree_sitter import Node

DEFINITE_TYPES = frozenset(("PrismaClient", "Prisma.TransactionClient"))
# Globals that are never a PrismaClient subclass: not worth a candidate.
_BUILTIN_TYPES = frozenset(
    "Map Set WeakMap WeakSet Array ReadonlyArray Promise Record Object String Number "
    "Boolean Date RegExp Error Function Symbol".split()
)
# Generic wrappers whose first type argument is the real client type.
_TYPE_WRAPPERS = frozenset("Omit Pick Readonly Partial Required NonNullable".split())
# Client methods whose result (``$extends``) or callback parameter (``$transaction``)
# is the same client as their receiver.
EXTENDS = "$extends"
TRANSACTION = "$transaction"
# Bytes a file that creates, types or derives a Prisma client holds (the package
# ``@prisma/client``, the ``Prisma`` namespace and ``PrismaClient``, the client methods).
TRIGGERS = frozenset((b"prisma", b"Prisma", EXTENDS.encode(), TRANSACTION.encode()))
# Expressions that denote the same value as their only operand.
_TRANSPARENT = ("parenthesized_expression", "await_expression", "non_null_expression")


def type_name_client(name: str) -> Client | None:
    """What a plain type name denotes: definite, no client (built-ins), or a candidate."""
    if name in DEFINITE_TYPES:
        return DEFINITE
    if name in _BUILTIN_TYPES:
        return None
    return Client(name)


class Clients:
    """What names, types and expressions of one file denote as Prisma clients:
    ``configured`` names are clients unless declared otherwise, ``aliases`` are
    the file's ``type X = …`` names."""

    def __init__(self, host: HostText, configured: Iterable[str]) -> None:
        self.host = host
        self.configured = frozenset(configured)
        self.aliases: dict[str, Client | None] = {}

    def configured_default(self, name: str, info: Client | None, typed: bool) -> Client | None:
        """``info`` for a binding of ``name``; an untyped non-client binding of a configured name stays a client."""
        if info is None and not typed and name in self.configured:
            return DEFINITE
        return info

    def add_alias(self, name: str, value: Node) -> None:
        """``type name = value`` (the value may use aliases added before it)."""
        self.aliases[name] = self.of_type(value)

    def of_class(self, class_name: str | None, base: str | None) -> Client | None:
        """What ``this`` is in ``class <class_name> extends <base>``."""
        if base == "PrismaClient":
            return DEFINITE
        if base is not None and class_name is not None:
            return Client(class_name)
        return None

    # types

    def of_type(self, node: Node) -> Client | None:
        """Client info named by a type annotation (None when the type is no client)."""
        kind = node.type
        if kind in ("type_annotation", "parenthesized_type"):
            inner = node.named_children
            return self.of_type(inner[0]) if inner else None
        if kind == "type_identifier":
            name = self.host.node_text(node)
            return self.aliases[name] if name in self.aliases else type_name_client(name)
        if kind == "nested_type_identifier":
            dotted = "".join(self.host.node_text(node).split())
            return DEFINITE if dotted in DEFINITE_TYPES else None
        if kind == "generic_type":
            return self._generic_client(node)
        if kind == "union_type":
            return self._union_client(node)
        return None

    def _generic_client(self, node: Node) -> Client | None:
        """``PrismaClient<Opts>`` is the client; ``Omit<PrismaClient, …>`` wraps it."""
        name = node.child_by_field_name("name")
        if name is None:
            return None
        if self.host.node_text(name) in _TYPE_WRAPPERS:
            args = node.child_by_field_name("type_arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            return self.of_type(first) if first is not None else None
        return self.of_type(name)

    def _union_client(self, node: Node) -> Client | None:
        """A union with a definite client member is definite; ``T | null`` is T."""
        members: list[Node] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type == "union_type":
                stack.extend(current.named_children)
            elif current.type not in ("literal_type", "predefined_type"):
                members.append(current)
        infos = [self.of_type(member) for member in members]
        if DEFINITE in infos:
            return DEFINITE
        return infos[0] if len(infos) == 1 else None

    # expressions

    def of_expression(self, node: Node | None, scope: Scope) -> Client | None:
        """The Prisma client an expression denotes, or None."""
        while node is not None and node.type in _TRANSPARENT:
            node = node.named_children[0] if node.named_children else None
        if node is None:
            return None
        kind = node.type
        if kind == "identifier":
            return self._name_client(node, scope)
        if kind == "this":
            return scope.this.itself
        if kind == "member_expression":
            return self._this_field_client(node, scope)
        if kind == "new_expression":
            ctor = node.child_by_field_name("constructor")
            if ctor is None or ctor.type != "identifier":
                return None
            return type_name_client(self.host.node_text(ctor))
        if kind in ("as_expression", "satisfies_expression"):
            return self.of_type(node.named_children[-1])
        if kind == "call_expression":
            return self._derived_client(node.child_by_field_name("function"), EXTENDS, scope)
        if kind == "binary_expression" and operator(node) in ("??", "||"):
            left = self.of_expression(node.child_by_field_name("left"), scope)
            return left or self.of_expression(node.child_by_field_name("right"), scope)
        return None

    def of_callback(self, function: Node | None, scope: Scope) -> Client | None:
        """What the first parameter of a function passed to a call of ``function``
        denotes: the receiver's client for ``<client>.$transaction``."""
        return self._derived_client(function, TRANSACTION, scope)

    def _derived_client(self, function: Node | None, method: str, scope: Scope) -> Client | None:
        """The receiver's client when ``function`` is ``<receiver>.<method>``."""
        obj, prop = member_parts(function)
        if prop is None or self.host.node_text(prop) != method:
            return None
        return self.of_expression(obj, scope)

    def _name_client(self, node: Node, scope: Scope) -> Client | None:
        name = self.host.node_text(node)
        declared, info = scope.lookup(name)
        if not declared and name in self.configured:
            return DEFINITE
        return info

    def _this_field_client(self, node: Node, scope: Scope) -> Client | None:
        obj, prop = member_parts(node)
        if obj is None or obj.type != "this" or prop is None:
            return None
        name = self.host.node_text(prop)
        if name in scope.this.fields:
            return scope.this.fields[name]
        return DEFINITE if name in self.configured else None
