"""The tree-sitter boundary: parsing TS/JS, syntax errors, comments, and
small readers of expression nodes (byte offsets become host positions through
``HostText`` in ``linter.extract.base``, shared with the shell extractor).

Nodes are ``tree_sitter.Node`` (typed by the library's own stubs); only the
grammar handle that ``tree_sitter_typescript`` returns is untyped, and it
never leaves ``_parser``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hos_lint.embedded import split_lines
from hos_lint.extract.base import HostText, comment_at, parse_error
from hos_lint.model import Comment, Problem, SourceFile

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

TS_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".mts", ".cts")
TSX_SUFFIXES = (".tsx", ".jsx")
DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")

# Nodes an anchor climbs through on its way to the enclosing statement.
_ANCHOR_WRAPPERS = frozenset((
    "await_expression", "parenthesized_expression", "non_null_expression", "as_expression",
    "satisfies_expression", "variable_declarator", "assignment_expression",
))
_ANCHOR_STATEMENTS = frozenset((
    "expression_statement", "lexical_declaration", "variable_declaration", "return_statement",
    "throw_statement",
))
# What a tagged template's tag is wrapped in (see ``tag_function``).
_TAG_WRAPPERS = ("non_null_expression", "instantiation_expression", "await_expression")


# --- parsing -----------------------------------------------------------------------

_PARSERS: dict[bool, Parser] = {}


def _parser(tsx: bool) -> Parser:
    """The tree-sitter parser for TS or TSX, built once per process on first use
    (not at import, so runs that never see a TS file do not load the grammar)."""
    parser = _PARSERS.get(tsx)
    if parser is None:
        import tree_sitter_typescript as tsts
        from tree_sitter import Language as TSLanguage
        from tree_sitter import Parser

        raw = tsts.language_tsx() if tsx else tsts.language_typescript()
        parser = _PARSERS[tsx] = Parser(TSLanguage(raw))
    return parser


def parse_tree(data: bytes, path: str) -> Node:
    """Root node of ``data`` parsed with the grammar ``path`` calls for.

    ``.js/.mjs/.cjs`` files with errors under the TS grammar are retried with
    TSX, because React code puts JSX in plain ``.js`` files.
    """
    lower = path.lower()
    tsx = lower.endswith(TSX_SUFFIXES)
    root = _parser(tsx).parse(data).root_node
    if root.has_error and not tsx and lower.endswith((".js", ".mjs", ".cjs")):
        retry = _parser(True).parse(data).root_node
        if not retry.has_error:
            return retry
    return root


# --- syntax errors and comments ----------------------------------------------------------


def syntax_problem(src: SourceFile, host: HostText, root: Node) -> Problem | None:
    """HOS901 at the first ERROR or MISSING node of a tree with errors (None when
    every error is the grammar's own artefact, see ``_is_generic_tag_artefact``)."""
    node = next(_error_nodes(root), None)
    if node is None:
        return None
    line, col = host.position(node.start_byte)
    start = host.char_offset(node.start_byte)
    snippet = split_lines(host.text[start:start + 30])[0].strip() or node.type
    message = f"TypeScript parse error near '{snippet}'; accesses in this region may be missed"
    return parse_error(src, line, col, message)


def _error_nodes(root: Node) -> Iterator[Node]:
    """ERROR and MISSING nodes in source order, grammar artefacts left out."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            if not _is_generic_tag_artefact(node):
                yield node
            continue
        stack.extend(reversed([child for child in node.children if child.has_error]))


def _is_generic_tag_artefact(node: Node) -> bool:
    """tree-sitter-typescript parses a generic tagged template
    (``prisma.$queryRaw<Row[]>`SELECT …```) as a call whose function is a
    ``non_null_expression`` with a MISSING ``!``: valid TypeScript, not an error."""
    parent = node.parent
    return (
        node.is_missing
        and parent is not None
        and parent.type == "non_null_expression"
        and any(child.type == "instantiation_expression" for child in parent.named_children)
    )


def comments(host: HostText, root: Node) -> tuple[Comment, ...]:
    """Every ``comment`` node of the tree (``//``, ``/* */``, JSX comments), in order."""
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            start, end = host.char_offset(node.start_byte), host.char_offset(node.end_byte)
            out.append(comment_at(host.text, host.lines, start, end))
        elif node.child_count:
            stack.extend(reversed(node.children))
    return tuple(out)


# --- expression readers ----------------------------------------------------------------


def tag_function(function: Node | None) -> Node | None:
    """The tag expression of a tagged template, seen through the generic-tag artefact
    (``non_null_expression`` > ``instantiation_expression`` > [``await``] member)."""
    node = function
    while node is not None and node.type in _TAG_WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    return node


def generic_tag(node: Node) -> tuple[Node, Node] | None:
    """(tag, template) of a tagged template with one named type argument, which
    tree-sitter reads as two comparisons wherever an expression may follow:
    ``sql<Row>`…``` parses as ``(sql < Row) > `…```. None for anything else
    (what the tag is, the recognisers judge by its origin, as for any tag)."""
    if node.type != "binary_expression":
        return None
    operator, left, right = (node.child_by_field_name(f) for f in ("operator", "left", "right"))
    if operator is None or operator.type != ">" or right is None or right.type != "template_string" \
            or left is None or left.type != "binary_expression":
        return None
    operator, tag, argument = (left.child_by_field_name(f) for f in ("operator", "left", "right"))
    if operator is None or operator.type != "<" or tag is None or argument is None \
            or argument.type not in ("identifier", "member_expression"):
        return None
    bare = tag_function(tag)  # ``await prisma.$queryRaw<Row>`…```: the await binds to the tag
    if bare is None or bare.type not in ("identifier", "member_expression"):
        return None
    return tag, right


def member_parts(node: Node | None) -> tuple[Node | None, Node | None]:
    """(object, property) of a member expression, else (None, None)."""
    if node is None or node.type != "member_expression":
        return None, None
    return node.child_by_field_name("object"), node.child_by_field_name("property")


def operator(node: Node) -> str | None:
    """The operator token of a binary expression (``+``, ``??`` …)."""
    op = node.child_by_field_name("operator")
    return op.type if op is not None else None


def first_argument(arguments: Node | None) -> Node | None:
    """The first argument of a call's ``arguments`` (None for a tagged template or no argument)."""
    if arguments is None or arguments.type != "arguments" or not arguments.named_children:
        return None
    return arguments.named_children[0]


def anchor_node(node: Node) -> Node:
    """The statement a call belongs to when the call is (wrapped into) the whole
    statement; otherwise the outermost call chain around it."""
    current = node
    while current.parent is not None:
        parent = current.parent
        kind = parent.type
        if kind in _ANCHOR_STATEMENTS:
            return parent
        chained = kind in ("member_expression", "call_expression") and (
            parent.child_by_field_name("object") == current
            or parent.child_by_field_name("function") == current
        )
        if not chained and kind not in _ANCHOR_WRAPPERS:
            return current
        current = parent
    return current


def pattern_names(node: Node) -> list[Node]:
    """Identifier nodes a binding pattern declares (destructuring included)."""
    found: list[Node] = []
    stack: list[Node | None] = [node]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        kind = current.type
        if kind in ("identifier", "shorthand_property_identifier_pattern"):
            found.append(current)
        elif kind == "pair_pattern":
            stack.append(current.child_by_field_name("value"))
        elif kind in ("object_assignment_pattern", "assignment_pattern"):
            stack.append(current.child_by_field_name("left"))
        elif kind in ("object_pattern", "array_pattern", "rest_pattern"):
            stack.extend(current.named_children)
    return found
