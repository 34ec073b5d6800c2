"""The walk: one pass over the tree keeping the lexical scope chain, handing
every call to the registered libraries' recognisers (``sites``).

It knows TypeScript's scoping (blocks, functions and how they bind ``this``,
classes, loops) and records ``class X extends Y`` facts for client
resolution; what a call means belongs to the recognisers. Nesting deeper than
``MAX_DEPTH`` is reported once as HOS901, not recursed into.

Given ``marks`` (sorted byte offsets, see ``call_marks``), a node whose bytes
hold none of them is not walked: every call there is one no recogniser reads
(its called member is named none of the libraries' ``calls``), it holds no
class (the mark of the ``class`` keyword), and it is too shallow to reach
``MAX_DEPTH`` (its descendant count says so). What such a node declares is
in scope only inside it, so nothing walked later misses a binding.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hos_lint.extract.base import parse_error
from hos_lint.extract.typescript.bindings import CLASSES, FUNCTIONS, Binder
from hos_lint.extract.typescript.origin import NEW, PARAM, Origin
from hos_lint.extract.typescript.scopes import NO_THIS, Client, Scope
from hos_lint.extract.typescript.sites import CallSite, ClassRecogniser, ClassSite, FileFacts, Recogniser
from hos_lint.extract.typescript.tree import generic_tag
from hos_lint.model import ClientClass

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_DEPTH = 220  # nesting beyond this is reported, not recursed into (stack safety)

_SKIPPED_NODES = frozenset((
    "comment", "string", "number", "regex", "type_annotation", "type_alias_declaration",
    "interface_declaration", "enum_declaration", "import_statement", "true", "false",
    "null", "undefined", "this", "identifier", "property_identifier",
))
_LOOP_SCOPES = frozenset(("for_statement", "for_in_statement", "catch_clause"))
_CALLBACKS = ("arrow_function", "function_expression")
_KEEPS_THIS = ("arrow_function", "method_definition")


@dataclass(frozen=True, slots=True)
class Marks:
    """Sorted byte offsets a walk must not skip (``offsets``), and for each the
    recognisers (bit ``i``: the ``i``-th) whose call names occur there (0: a class)."""

    offsets: list[int]
    recognisers: list[int]


class Walker:
    """One pass over one file's tree, adding facts to ``facts``."""

    def __init__(self, facts: FileFacts, recognisers: Sequence[Recogniser],
                 class_recognisers: Sequence[ClassRecogniser] = (), new_recognisers: Sequence[Recogniser] = (),
                 marks: Marks | None = None) -> None:
        self.facts = facts
        self.host = facts.host
        self.clients = facts.clients
        self.origins = facts.origins
        self.binder = Binder(facts.host, facts.clients, facts.origins)
        self.recognisers = tuple(recognisers)
        self.class_recognisers = tuple(class_recognisers)
        self.new_recognisers = tuple(new_recognisers)
        self._too_deep_reported = False
        # ``new`` sites are not marked
        self._marks = marks if marks is None or not new_recognisers else None
        self.marks = self._marks.offsets if self._marks is not None else None
        self._handlers = _HANDLERS if self.new_recognisers else _HANDLERS_WITHOUT_NEW

    def visit_program(self, root: Node) -> None:
        scope = Scope(None, NO_THIS)
        self.origins.collect_imports(root)
        self.binder.collect_aliases(root)
        self.binder.hoist(root, scope)
        self._visit_children(root, scope, 0)

    def _visit_children(self, node: Node, scope: Scope, depth: int) -> None:
        # ``visit`` inlined: most of a walk's nodes come through here, and about
        # 40% of a tree's named nodes are identifiers, literals or type annotations
        depth += 1
        marks = self.marks
        handlers = self._handlers
        for child in node.named_children:
            kind = child.type
            if kind in _SKIPPED_NODES:
                continue
            if marks is not None:
                after = bisect_left(marks, child.start_byte)
                if (after == len(marks) or marks[after] >= child.end_byte) \
                        and depth + child.descendant_count <= MAX_DEPTH:
                    continue
            if depth > MAX_DEPTH:
                self._report_too_deep(child)
            else:
                handlers.get(kind, Walker._visit_children)(self, child, scope, depth)

    def visit(self, node: Node, scope: Scope, depth: int) -> None:
        """Walk ``node`` at nesting ``depth`` (leaves and, given marks, unmarked nodes are not walked)."""
        kind = node.type
        if kind in _SKIPPED_NODES:
            return
        marks = self.marks
        if marks is not None:
            after = bisect_left(marks, node.start_byte)
            if (after == len(marks) or marks[after] >= node.end_byte) and depth + node.descendant_count <= MAX_DEPTH:
                return
        if depth > MAX_DEPTH:
            self._report_too_deep(node)
        else:
            self._handlers.get(kind, Walker._visit_children)(self, node, scope, depth)

    def _visit_binary(self, node: Node, scope: Scope, depth: int) -> None:
        tagged = generic_tag(node)  # ``sql<Row>`…``` read as comparisons
        if tagged is not None:
            self._hand_call(CallSite(node, tagged[0], tagged[1], scope))
        self._visit_children(node, scope, depth)

    def _hand_call(self, site: CallSite) -> None:
        marks = self._marks
        if marks is None:
            for recognise in self.recognisers:
                recognise(site, self.facts)
            return
        # the called member of a call a library reads is named in its ``calls``,
        # inside ``site.function``: only those whose names occur there are asked
        offsets, end = marks.offsets, site.function.end_byte
        at = bisect_left(offsets, site.function.start_byte)
        wanted = 0
        while at < len(offsets) and offsets[at] < end:
            wanted |= marks.recognisers[at]
            at += 1
        for recognise in self.recognisers:
            if wanted & 1:
                recognise(site, self.facts)
            wanted >>= 1

    def _report_too_deep(self, node: Node) -> None:
        if self._too_deep_reported:
            return
        self._too_deep_reported = True
        line, col = self.host.position(node.start_byte)
        message = "TypeScript nesting too deep to analyse; accesses in this region may be missed"
        self.facts.problems.append(parse_error(self.facts.src, line, col, message))

    def _visit_block(self, node: Node, scope: Scope, depth: int) -> None:
        inner = Scope(scope, scope.this)
        if node.type == "statement_block":
            self.binder.hoist(node, inner)
        else:
            self.binder.declare_loop_variables(node, inner)
        self._visit_children(node, inner, depth)

    def _visit_plain_function(self, node: Node, scope: Scope, depth: int) -> None:
        self._visit_function(node, scope, depth, None)

    def _visit_function(self, node: Node, scope: Scope, depth: int, first: Client | None,
                        first_origin: Origin | None = None) -> None:
        """Walk a function in its own scope; plain functions rebind ``this``."""
        inner = Scope(scope, scope.this if node.type in _KEEPS_THIS else NO_THIS)
        self.binder.declare_params(node, inner, first, first_origin)
        params = node.child_by_field_name("parameters")
        if params is not None:
            self._visit_children(params, inner, depth)  # default values may call the client
        body = node.child_by_field_name("body")
        if body is not None:
            self.visit(body, inner, depth + 1)

    def _visit_class(self, node: Node, scope: Scope, depth: int) -> None:
        name_node = node.child_by_field_name("name")
        class_name = self.host.node_text(name_node) if name_node is not None else None
        clause = _extends_clause(node)
        extends = clause.child_by_field_name("value") if clause is not None else None
        base = self._record_heritage(name_node, extends)
        own_decorators = [child for child in node.named_children if child.type == "decorator"]
        for decorator in own_decorators:  # evaluated where the class is declared
            self._visit_children(decorator, scope, depth)
        if self.class_recognisers:
            type_arguments = clause.child_by_field_name("type_arguments") if clause is not None else None
            self._hand_class(node, name_node, own_decorators, extends, type_arguments, scope)
        body = node.child_by_field_name("body")
        if body is None:
            return
        inner = self.binder.class_scope(
            body, scope, self.clients.of_class(class_name, base), self._extended_origin(clause, extends, scope))
        self._visit_children(body, inner, depth)

    def _record_heritage(self, name_node: Node | None, extends: Node | None) -> str | None:
        """Emit ``ClientClass`` for ``class X extends Y`` (Y an identifier); return Y."""
        if extends is None or extends.type != "identifier":
            return None
        base = self.host.node_text(extends)
        if name_node is not None:
            self.facts.client_classes.append(ClientClass(
                service=self.facts.src.service,
                name=self.host.node_text(name_node),
                base=base,
                location=self.facts.location(name_node),
            ))
        return base

    def _hand_class(self, node: Node, name_node: Node | None, own_decorators: list[Node], extends: Node | None,
                    type_arguments: Node | None, scope: Scope) -> None:
        parent = node.parent
        outer = [c for c in parent.named_children if c.type == "decorator"] if (
            parent is not None and parent.type == "export_statement") else []
        site = ClassSite(node, name_node, tuple(outer + own_decorators), extends, type_arguments, scope)
        for recognise in self.class_recognisers:
            recognise(site, self.facts)

    def _extended_origin(self, clause: Node | None, extends: Node | None, scope: Scope) -> Origin | None:
        """What ``this`` is in a class extending an imported class: an instance of it."""
        base = self.origins.of(extends, scope) if extends is not None else None
        return base.then(NEW, clause) if base is not None and clause is not None else None

    def _visit_new(self, node: Node, scope: Scope, depth: int) -> None:
        constructor = node.child_by_field_name("constructor")
        if constructor is not None:
            site = CallSite(node, constructor, node.child_by_field_name("arguments"), scope)
            for recognise in self.new_recognisers:
                recognise(site, self.facts)
        self._visit_children(node, scope, depth)

    def _visit_call(self, node: Node, scope: Scope, depth: int) -> None:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is not None and function.type == "arrow_function" and arguments is not None \
                and arguments.type == "template_string":
            body = function.child_by_field_name("body")
            if body is not None and body.type == "instantiation_expression":
                self._visit_tagged_arrow_body(node, function, body, arguments, scope, depth)
                return
        if function is not None:
            self._hand_call(CallSite(node, function, arguments, scope))
            self.visit(function, scope, depth + 1)
        if arguments is None:
            return
        args = arguments.named_children if arguments.type == "arguments" else [arguments]
        callback = callee = None
        if any(arg.type in _CALLBACKS for arg in args):  # both matter to callbacks only
            callback = self.clients.of_callback(function, scope)
            callee = self.origins.of(function, scope)
        for arg in args:
            if arg.type in _CALLBACKS and (callback is not None or callee is not None):
                self._visit_function(arg, scope, depth + 1, callback, callee.then(PARAM, arg) if callee else None)
            else:
                self.visit(arg, scope, depth + 1)


    def _visit_tagged_arrow_body(self, node: Node, arrow: Node, body: Node, template: Node, scope: Scope,
                                 depth: int) -> None:
        """``() => tag<T>`…```: tree-sitter reads the arrow as the tag of the template.
        The call is the arrow body's (``tag<T>`…```), in the arrow's own scope."""
        inner = Scope(scope, scope.this)  # an arrow keeps ``this``
        self.binder.declare_params(arrow, inner, None)
        self._hand_call(CallSite(node, body, template, inner))
        params = arrow.child_by_field_name("parameters")
        if params is not None:
            self._visit_children(params, inner, depth)
        self.visit(body, inner, depth + 1)
        self.visit(template, inner, depth + 1)

# What ``visit`` does with a node of each kind (others: walk its children). Plain
# functions of the class, not bound methods: a walker holding its own bound
# methods would be a reference cycle, and its tree would wait for the collector.
_Handler = Callable[[Walker, "Node", Scope, int], None]
_HANDLERS_WITHOUT_NEW: dict[str, _Handler] = {
    **dict.fromkeys(FUNCTIONS, Walker._visit_plain_function),
    **dict.fromkeys(CLASSES, Walker._visit_class),
    **dict.fromkeys(("statement_block", *_LOOP_SCOPES), Walker._visit_block),
    "call_expression": Walker._visit_call,
    "binary_expression": Walker._visit_binary,
}
_HANDLERS: dict[str, _Handler] = {**_HANDLERS_WITHOUT_NEW, "new_expression": Walker._visit_new}


def _extends_clause(node: Node) -> Node | None:
    """A class's ``extends`` clause (a class has one heritage, with at most one)."""
    for heritage in node.named_children:
        for clause in heritage.named_children if heritage.type == "class_heritage" else ():
            if clause.type == "extends_clause":
                return clause
    return None
