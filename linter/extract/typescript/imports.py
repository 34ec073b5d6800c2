"""Where a value comes from: which module a local name was imported from, and
what was done to it since (called, constructed, a member read).

Libraries decide what a receiver is by its origin, never by its name alone:
``sql`` is a postgres.js tag only when it is the result of calling the
``postgres`` package's default export, not a local function named ``sql``.

An ``Origin`` is the module and export a value starts from plus the steps
applied to it, e.g. for

    import postgres from 'postgres'         # postgres: ('postgres', 'default')
    const sql = postgres(url)              # sql: ('postgres', 'default', ('()',))
    import { DataSource } from 'typeorm'
    const ds = new DataSource({...})       # ds: ('typeorm', 'DataSource', ('new',))
    const repo = ds.getRepository(User)    # ('typeorm', 'DataSource', ('new', '.getRepository', '()'))
    constructor(private ds: DataSource)    # this.ds: ('typeorm', 'DataSource', ('new',))

Read: ``import x from 'm'`` (``default``), ``import { a as b } from 'm'``
(``a``), ``import * as ns from 'm'`` and ``import x = require('m')`` (``*``),
``require('m')`` (``*``) and ``const { a } = require('m')`` (``a``). A member
of ``*`` or ``default`` read before any other step is that export
(``ns.a``, and ``pg.Pool`` for CommonJS interop). A binding declared with a
type takes the type's origin plus ``new`` (an instance of it), ``this`` in a
class extending an imported class likewise.

Names are looked up through the lexical scopes: a parameter or variable named
like an import shadows it and has the origin of its own declaration, if any.
Dynamic ``import()`` is not read. The ``Origin`` record and its step names
live in ``origin``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from hos_lint.extract.base import HostText
from hos_lint.extract.typescript.origin import CALL, DEFAULT, MAX_STEPS, NAMESPACE, NEW, TAG, Origin
from hos_lint.extract.typescript.tree import member_parts, operator, pattern_names

if TYPE_CHECKING:
    from tree_sitter import Node

    from hos_lint.extract.typescript.scopes import Scope

_MAX_WALK = 4 * MAX_STEPS  # nodes an expression's origin is looked for through
_MAX_ALTERNATIVES = 8  # nesting of ``a ?? b`` / ``a || b`` followed
# Expressions that denote the same value as their only (first) operand.
_TRANSPARENT = frozenset((
    "parenthesized_expression", "await_expression", "non_null_expression", "as_expression",
    "satisfies_expression", "type_assertion",
))


def _string_value(node: Node | None, host: HostText) -> str | None:
    """The text of a plain string literal (no escapes decoded: module names need none)."""
    if node is None or node.type != "string":
        return None
    return host.node_text(node)[1:-1]


class Origins:
    """The origins of one file's names and expressions (module imports, then the
    scopes ``bindings`` fills with each declaration's origin)."""

    def __init__(self, host: HostText) -> None:
        self.host = host
        self.imported: dict[str, Origin] = {}
        # expression origins asked for at a call site, by node: (scope, origin)
        self._memo: dict[int, tuple[Scope, Origin | None]] = {}
        self._packages: tuple[Scope, frozenset[str]] | None = None

    # imports

    def collect_imports(self, root: Node) -> None:
        """Every ``import`` statement's local names (anywhere at module level)."""
        for statement in root.named_children:
            if statement.type == "import_statement":
                self._import_statement(statement)

    def _import_statement(self, statement: Node) -> None:
        host = self.host
        module = _string_value(statement.child_by_field_name("source"), host)
        for clause in statement.named_children:
            if clause.type == "import_require_clause":
                name = clause.named_children[0] if clause.named_children else None
                required = _string_value(clause.child_by_field_name("source"), host)
                if name is not None and name.type == "identifier" and required is not None:
                    self.imported[host.node_text(name)] = Origin(required, NAMESPACE, (), name)
            elif clause.type == "import_clause" and module is not None:
                self._import_clause(clause, module)

    def _import_clause(self, clause: Node, module: str) -> None:
        host = self.host
        for part in clause.named_children:
            if part.type == "identifier":
                self.imported[host.node_text(part)] = Origin(module, DEFAULT, (), part)
            elif part.type == "namespace_import":
                for name in part.named_children:
                    if name.type == "identifier":
                        self.imported[host.node_text(name)] = Origin(module, NAMESPACE, (), name)
            elif part.type == "named_imports":
                for spec in part.named_children:
                    self._import_specifier(spec, module)

    def _import_specifier(self, spec: Node, module: str) -> None:
        if spec.type != "import_specifier":
            return
        name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
        if name is None:
            return
        exported = _string_value(name, self.host) if name.type == "string" else self.host.node_text(name)
        local = alias if alias is not None else name
        if exported is not None and local.type == "identifier":
            self.imported[self.host.node_text(local)] = Origin(module, exported, (), local)

    # names

    def of_name(self, name: str, scope: Scope) -> Origin | None:
        """The origin of ``name`` where ``scope`` sees it: its closest declaration's,
        else the import's (a declaration without an origin shadows the import)."""
        current: Scope | None = scope
        while current is not None:
            if name in current.names:
                return current.origins.get(name)
            current = current.parent
        return self.imported.get(name)

    # expressions

    def of(self, node: Node | None, scope: Scope, alternatives: int = 0) -> Origin | None:
        """The origin of an expression, or None when it has none this file can see.

        Iterative: the chain is unwound to its base (a name, ``this``, a
        ``require``), then its steps are applied outwards; a chain longer
        than the bounds has no origin. Remembered per node and scope (every
        library asks about the same receivers).
        """
        if node is None:
            return None
        known = self._memo.get(node.id)
        if known is not None and known[0] is scope:
            return known[1]
        origin = self._of(node, scope, alternatives)
        self._memo[node.id] = (scope, origin)
        return origin

    def packages(self, root: Scope) -> frozenset[str]:
        """The packages the file imports or requires at module level (``root`` is its scope)."""
        known = self._packages
        if known is None or known[0] is not root:
            names = frozenset(o.package for o in (*self.imported.values(), *root.origins.values()))
            known = self._packages = (root, names)
        return known[1]

    def _of(self, node: Node | None, scope: Scope, alternatives: int) -> Origin | None:
        steps: list[tuple[str, Node]] = []  # outermost first
        base: Origin | None = None
        current = node
        for _ in range(_MAX_WALK):
            if current is None:
                return None
            kind = current.type
            if kind in _TRANSPARENT:
                current = current.named_children[0] if current.named_children else None
                continue
            if kind == "identifier":
                base = self.of_name(self.host.node_text(current), scope)
            elif kind == "this":
                base = scope.this.origin
            elif kind == "member_expression":
                obj, prop = member_parts(current)
                if obj is None or prop is None:
                    return None
                name = self.host.node_text(prop)
                if obj.type == "this" and name in scope.this.field_origins:
                    base = scope.this.field_origins[name]
                else:
                    steps.append(("." + name, current))
                    current = obj
                    continue
            elif kind == "call_expression":
                function = current.child_by_field_name("function")
                arguments = current.child_by_field_name("arguments")
                base = self._require(function, arguments, scope)
                if base is None:
                    tagged = arguments is not None and arguments.type == "template_string"
                    steps.append((TAG if tagged else CALL, current))
                    current = function
                    continue
            elif kind == "new_expression":
                steps.append((NEW, current))
                current = current.child_by_field_name("constructor")
                continue
            elif kind == "binary_expression" and operator(current) in ("??", "||") and alternatives < _MAX_ALTERNATIVES:
                base = (self.of(current.child_by_field_name("left"), scope, alternatives + 1)
                        or self.of(current.child_by_field_name("right"), scope, alternatives + 1))
            break
        else:
            return None
        for step, at in reversed(steps):
            if base is None:
                return None
            base = base.then(step, at)
        return base

    def _require(self, function: Node | None, arguments: Node | None, scope: Scope) -> Origin | None:
        """``require('m')`` with ``require`` not declared in this file: the module object."""
        if function is None or function.type != "identifier" or self.host.node_text(function) != "require":
            return None
        if arguments is None or arguments.type != "arguments" or len(arguments.named_children) != 1:
            return None
        module = _string_value(arguments.named_children[0], self.host)
        if module is None or scope.lookup("require")[0]:
            return None
        return Origin(module, NAMESPACE, (), function.parent)

    # types

    def of_type(self, node: Node | None, scope: Scope) -> Origin | None:
        """The origin of a value declared with type ``node``: the type's, plus ``new``."""
        named = self._type_name(node, scope)
        return named.then(NEW, node) if named is not None and node is not None else None

    def _type_name(self, node: Node | None, scope: Scope) -> Origin | None:
        if node is None:
            return None
        kind = node.type
        if kind in ("type_annotation", "parenthesized_type"):
            inner = node.named_children
            return self._type_name(inner[0], scope) if inner else None
        if kind == "type_identifier":
            return self.of_name(self.host.node_text(node), scope)
        if kind == "nested_type_identifier":
            module, name = node.child_by_field_name("module"), node.child_by_field_name("name")
            base = self._type_name(module, scope) if module is not None and module.type != "identifier" else (
                self.of_name(self.host.node_text(module), scope) if module is not None else None)
            return base.then("." + self.host.node_text(name), node) if base is not None and name is not None else None
        if kind == "generic_type":
            return self._type_name(node.child_by_field_name("name"), scope)
        if kind == "union_type":
            members = [m for m in _union_members(node) if m.type not in ("literal_type", "predefined_type")]
            return self._type_name(members[0], scope) if len(members) == 1 else None
        return None

    # declarations

    def of_declaration(self, type_node: Node | None, value: Node | None, scope: Scope) -> Origin | None:
        """A binding's origin: its declared type's when it has one, else its value's."""
        if type_node is not None:
            return self.of_type(type_node, scope)
        return self.of(value, scope)

    def pattern_origins(self, pattern: Node, origin: Origin | None) -> list[tuple[Node, Origin | None]]:
        """The identifiers a binding pattern declares, each with its origin:
        ``{ a, b: c } = value`` gives ``a`` and ``c`` the value's ``.a`` / ``.b``."""
        if pattern.type == "identifier":
            return [(pattern, origin)]
        out: list[tuple[Node, Origin | None]] = []
        if pattern.type != "object_pattern":
            return [(ident, None) for ident in pattern_names(pattern)]
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                name = self.host.node_text(prop)
                out.append((prop, origin.then("." + name, prop) if origin is not None else None))
            elif prop.type == "pair_pattern":
                key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if key is None or value is None:
                    continue
                member = None
                if origin is not None and key.type == "property_identifier":
                    member = origin.then("." + self.host.node_text(key), prop)
                out.extend(self.pattern_origins(value, member))
            else:
                out.extend((ident, None) for ident in pattern_names(prop))
        return out


def _union_members(node: Node) -> list[Node]:
    members: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "union_type":
            stack.extend(reversed(current.named_children))
        else:
            members.append(current)
    return members
