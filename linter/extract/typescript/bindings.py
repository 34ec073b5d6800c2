"""Declarations into scopes: variables (hoisted per block), parameters, loop and
catch variables, class fields and constructor parameter properties, and the
module's type aliases. What each declaration denotes is ``Clients``' call,
where it comes from ``Origins``'."""
from __future__ import annotations

from typing import TYPE_CHECKING

from hos_lint.extract.base import HostText
from hos_lint.extract.typescript.imports import Origins
from hos_lint.extract.typescript.origin import Origin
from hos_lint.extract.typescript.prisma_clients import Clients
from hos_lint.extract.typescript.scopes import Client, Scope, This
from hos_lint.extract.typescript.tree import member_parts, pattern_names

if TYPE_CHECKING:
    from tree_sitter import Node

FUNCTIONS = frozenset((
    "arrow_function", "function_expression", "function_declaration", "function",
    "generator_function", "generator_function_declaration", "method_definition",
))
CLASSES = frozenset(("class_declaration", "class", "abstract_class_declaration"))
_DECLARATIONS = frozenset(("lexical_declaration", "variable_declaration"))
_PARAMETER_PROPERTY = frozenset(("accessibility_modifier", "readonly", "override_modifier"))


class Binder:
    """Declares the names a block, function, loop or class introduces."""

    def __init__(self, host: HostText, clients: Clients, origins: Origins) -> None:
        self.host = host
        self.clients = clients
        self.origins = origins

    def _declare(self, scope: Scope, name: str, info: Client | None, typed: bool, origin: Origin | None = None) -> None:
        scope.names[name] = self.clients.configured_default(name, info, typed)
        if origin is not None:
            scope.origins[name] = origin
        else:
            scope.origins.pop(name, None)

    def _binding_info(self, type_node: Node | None, value: Node | None, scope: Scope) -> Client | None:
        if type_node is not None:
            return self.clients.of_type(type_node)
        return self.clients.of_expression(value, scope) if value is not None else None

    def collect_aliases(self, root: Node) -> None:
        """Module-level ``type Tx = Prisma.TransactionClient`` (each alias may use earlier ones)."""
        for child in root.named_children:
            decl = child.child_by_field_name("declaration") if child.type == "export_statement" else child
            if decl is None or decl.type != "type_alias_declaration":
                continue
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            if name is not None and value is not None:
                self.clients.add_alias(self.host.node_text(name), value)

    def hoist(self, block: Node, scope: Scope) -> None:
        """Declare a block's variables, functions and classes before walking it,
        so uses above a declaration (functions calling a module client) resolve."""
        for child in block.named_children:
            decl = child
            if decl.type in ("export_statement", "ambient_declaration"):
                inner = decl.child_by_field_name("declaration")
                decl = inner if inner is not None else (decl.named_children or [decl])[-1]
            if decl.type in _DECLARATIONS:
                self._declare_variables(decl, scope)
            elif decl.type in FUNCTIONS or decl.type in CLASSES:
                name = decl.child_by_field_name("name")
                if name is not None:
                    self._declare(scope, self.host.node_text(name), None, True)

    def _declare_variables(self, declaration: Node, scope: Scope) -> None:
        for declarator in declaration.named_children:
            if declarator.type != "variable_declarator":
                continue
            target = declarator.child_by_field_name("name")
            if target is None:
                continue
            type_node = declarator.child_by_field_name("type")
            value = declarator.child_by_field_name("value")
            info = self._binding_info(type_node, value, scope)
            origin = self.origins.of_declaration(type_node, value, scope)
            single = target.type == "identifier"
            for ident, ident_origin in self.origins.pattern_origins(target, origin):
                self._declare(scope, self.host.node_text(ident), info if single else None, type_node is not None,
                              ident_origin)

    def declare_loop_variables(self, node: Node, scope: Scope) -> None:
        """``for (const x of …)``, ``catch (e)``: the loop/catch variables shadow."""
        for field in ("left", "initializer", "parameter"):
            target = node.child_by_field_name(field)
            if target is not None and target.type in _DECLARATIONS:
                self._declare_variables(target, scope)
            elif target is not None:
                for ident in pattern_names(target):
                    self._declare(scope, self.host.node_text(ident), None, False)

    def declare_params(self, function: Node, scope: Scope, first: Client | None,
                       first_origin: Origin | None = None) -> None:
        """Bind a function's parameters; ``first`` overrides the first one ($transaction),
        ``first_origin`` is its origin unless its declared type gives one."""
        single = function.child_by_field_name("parameter")
        if single is not None:
            self._declare(scope, self.host.node_text(single), first, first is not None, first_origin)
            return
        params = function.child_by_field_name("parameters")
        index = 0
        for param in params.named_children if params is not None else ():
            pattern = param.child_by_field_name("pattern")
            pattern = param if pattern is None else pattern
            if pattern.type == "this":
                continue
            type_node = param.child_by_field_name("type")
            value = param.child_by_field_name("value")
            info = self._binding_info(type_node, value, scope)
            origin = self.origins.of_declaration(type_node, value, scope)
            if index == 0 and first is not None:
                info, origin = first, None
            if index == 0 and origin is None:
                origin = first_origin
            for ident, ident_origin in self.origins.pattern_origins(pattern, origin):
                self._declare(scope, self.host.node_text(ident), info, type_node is not None or first is not None,
                              ident_origin)
            index += 1

    # classes

    def class_scope(self, body: Node, scope: Scope, itself: Client | None, origin: Origin | None = None) -> Scope:
        """The scope of a class body: ``this`` is ``itself`` (from ``origin``) with the class's fields."""
        fields: dict[str, Client | None] = {}
        this = This(fields, itself, {}, origin)
        inner = Scope(scope, this)
        self._collect_fields(body, inner, this)
        return inner

    def _collect_fields(self, body: Node, scope: Scope, this: This) -> None:
        """Class fields, constructor parameter properties and ``this.x = …`` in the constructor."""
        constructor = None
        for member in body.named_children:
            if member.type == "public_field_definition":
                name = member.child_by_field_name("name")
                type_node = member.child_by_field_name("type")
                value = member.child_by_field_name("value")
                info = self._binding_info(type_node, value, scope)
                if name is not None:
                    field = self.host.node_text(name)
                    this.fields[field] = self.clients.configured_default(field, info, type_node is not None)
                    _set_origin(this.field_origins, field, self.origins.of_declaration(type_node, value, scope))
            elif member.type == "method_definition" and self._is_constructor(member):
                constructor = member
        if constructor is not None:
            self._collect_constructor_fields(constructor, scope, this)

    def _is_constructor(self, method: Node) -> bool:
        name = method.child_by_field_name("name")
        return name is not None and self.host.node_text(name) == "constructor"

    def _collect_constructor_fields(self, ctor: Node, scope: Scope, this: This) -> None:
        fields = this.fields
        params_scope = Scope(scope, scope.this)
        self.declare_params(ctor, params_scope, None)
        params = ctor.child_by_field_name("parameters")
        for param in params.named_children if params is not None else ():
            is_property = any(c.type in _PARAMETER_PROPERTY for c in param.children)
            pattern = param.child_by_field_name("pattern")
            if is_property and pattern is not None and pattern.type == "identifier":
                name = self.host.node_text(pattern)
                fields[name] = params_scope.names.get(name)
                _set_origin(this.field_origins, name, params_scope.origins.get(name))
        body = ctor.child_by_field_name("body")
        for statement in body.named_children if body is not None else ():
            assignment = _assignment_of(statement)
            if assignment is None:
                continue
            obj, prop = member_parts(assignment.child_by_field_name("left"))
            if obj is not None and obj.type == "this" and prop is not None:
                name = self.host.node_text(prop)
                if name not in fields:
                    right = assignment.child_by_field_name("right")
                    info = self.clients.of_expression(right, params_scope)
                    fields[name] = self.clients.configured_default(name, info, False)
                    _set_origin(this.field_origins, name, self.origins.of(right, params_scope))


def _assignment_of(statement: Node) -> Node | None:
    """The assignment a statement consists of (``this.x = …;``), else None."""
    if statement.type != "expression_statement" or not statement.named_children:
        return None
    expression = statement.named_children[0]
    return expression if expression.type == "assignment_expression" else None


def _set_origin(origins: dict[str, Origin], name: str, origin: Origin | None) -> None:
    if origin is not None:
        origins[name] = origin
