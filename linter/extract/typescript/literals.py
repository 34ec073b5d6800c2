"""Reading literals: string and template literals to the text they evaluate to
(escapes decoded, interpolations as bind markers, every character mapped back
to the host file), and object literals to their ``key: value`` pairs."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hos_lint.embedded import Origin, OriginBuilder, last_bind_number
from hos_lint.extract.base import HostText
from hos_lint.extract.typescript.tree import operator

if TYPE_CHECKING:
    from tree_sitter import Node

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def decode_escape(escape: str) -> str:
    """The character(s) a JS escape sequence stands for (line continuations give '')."""
    body = escape[1:]
    if not body or body[0] in "\r\n\u2028\u2029":
        return ""
    if body[0] in _SIMPLE_ESCAPES and not (body[0] == "0" and len(body) > 1):
        return _SIMPLE_ESCAPES[body[0]]
    hex_digits = body[2:-1] if body.startswith("u{") else body[1:]
    if body[0] in "xu" and hex_digits:
        try:
            return chr(int(hex_digits, 16))
        except (ValueError, OverflowError):
            return body
    return body


@dataclass(frozen=True, slots=True)
class _Piece:
    """Part of a literal: verbatim text, a decoded escape, or an interpolation
    (text None, ``node`` its ``template_substitution``)."""

    text: str | None
    host_offset: int  # character offset in the host file
    node: Node | None = None


def _literal_parts(node: Node) -> list[Node] | None:
    """The string/template nodes a literal expression joins, or None when it is
    not built from literals only (``'a' + 'b'`` is literal; ``'a' + x`` is not)."""
    parts: list[Node] = []
    stack: list[Node | None] = [node]
    while stack:
        current = stack.pop()
        if current is None:  # a binary expression missing an operand
            return None
        kind = current.type
        if kind in ("string", "template_string"):
            parts.append(current)
        elif kind == "parenthesized_expression" and current.named_child_count == 1:
            stack.append(current.named_children[0])
        elif kind == "binary_expression" and operator(current) == "+":
            stack.append(current.child_by_field_name("right"))
            stack.append(current.child_by_field_name("left"))
        else:
            return None
    return parts


def _string_pieces(node: Node, host: HostText) -> Iterator[_Piece]:
    """Pieces of one string or template literal, delimiters excluded."""
    children = node.children
    cursor = children[0].end_byte if children else node.start_byte
    end = children[-1].start_byte if len(children) > 1 else node.end_byte
    for child in children[1:-1]:
        if child.start_byte > cursor:  # text between child nodes
            yield _gap(host, cursor, child.start_byte)
        if child.type == "escape_sequence":
            yield _Piece(decode_escape(host.node_text(child)), host.char_offset(child.start_byte))
        elif child.type == "template_substitution":
            yield _Piece(None, host.char_offset(child.start_byte), child)
        else:
            yield _gap(host, child.start_byte, child.end_byte)
        cursor = child.end_byte
    if end > cursor:
        yield _gap(host, cursor, end)


def _gap(host: HostText, start_byte: int, end_byte: int) -> _Piece:
    start = host.char_offset(start_byte)
    return _Piece(host.text[start:host.char_offset(end_byte)], start)


# What an interpolation stands for when a library knows it: text and the host
# character offset it maps to (``${sql('t')}`` is the identifier ``"t"``).
Substitute = Callable[["Node"], "tuple[str, int] | None"]


def sql_literal(node: Node, host: HostText, substitute: Substitute | None = None,
                ) -> tuple[str, Origin, frozenset[str]] | None:
    """The text a string/template literal (or a ``+`` of literals) evaluates to.

    Returns ``(text, origin, placeholders)``: escapes are decoded (each char maps
    to its escape's host offset), every ``${…}`` becomes a bind marker ``$N``
    mapped to the interpolation's host offset (numbered after the highest
    ``$N`` already in the text) and listed in ``placeholders`` — unless
    ``substitute`` gives the interpolated expression a text of its own. None
    when the node is not built from literals only.
    """
    parts = _literal_parts(node)
    if parts is None:
        return None
    pieces = [piece for part in parts for piece in _string_pieces(part, host)]
    number = max((last_bind_number(p.text) for p in pieces if p.text), default=0)
    builder = OriginBuilder(host.lines)
    markers: list[str] = []
    for piece in pieces:
        replaced = _substituted(piece, substitute)
        if replaced is not None:
            builder.add(*replaced)
        elif piece.text is None:
            number += 1
            markers.append(f"${number}")
            builder.add(markers[-1], piece.host_offset)
        else:
            builder.add(piece.text, piece.host_offset)
    text, origin = builder.build()
    return text, origin, frozenset(markers)


def _substituted(piece: _Piece, substitute: Substitute | None) -> tuple[str, int] | None:
    if piece.text is not None or piece.node is None or substitute is None:
        return None
    expression = piece.node.named_children[0] if piece.node.named_children else None
    return substitute(expression) if expression is not None else None


# --- object literals ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pair:
    """One ``key: value`` of an object literal; ``name`` is the key unquoted."""

    name: str
    key: Node
    value: Node


def object_pairs(node: Node | None, host: HostText) -> Iterator[Pair]:
    """``key: value`` pairs of an object literal with a plain or quoted key."""
    if node is None or node.type != "object":
        return
    for child in node.named_children:
        if child.type != "pair":
            continue
        key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
        if key is None or value is None:
            continue
        if key.type == "property_identifier":
            yield Pair(host.node_text(key), key, value)
        elif key.type == "string":
            yield Pair(host.node_text(key)[1:-1], key, value)


def pair_value(node: Node | None, name: str, host: HostText) -> Node | None:
    """The value of key ``name`` in an object literal (None when absent)."""
    for pair in object_pairs(node, host):
        if pair.name == name:
            return pair.value
    return None


def object_items(node: Node | None) -> list[Node]:
    """An object literal, or the object literals of an array literal."""
    if node is None:
        return []
    if node.type == "object":
        return [node]
    if node.type == "array":
        return [item for item in node.named_children if item.type == "object"]
    return []
