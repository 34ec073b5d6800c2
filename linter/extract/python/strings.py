"""Decoding Python string expressions into the text they evaluate to, with
an exact map from every character back to the host offset it came from.

Plain, raw, byte, triple-quoted and f-strings, implicit concatenation, ``+``
of strings, ``"..." % args``, ``"...".format(...)`` and names bound to such
expressions. Every interpolation becomes a bind marker ``$N``.
"""
from __future__ import annotations

import codecs
import re

import libcst as cst

from hos_lint.embedded import Origin, OriginBuilder, last_bind_number
from hos_lint.extract.python.bindings import BindingKind, Lookup, no_lookup
from hos_lint.extract.python.positions import Host
from hos_lint.extract.python.syntax import MAX_DEPTH

# A decoded literal: one entry per character, ``(char, host offset)``; ``char``
# is None for an interpolation that becomes a bind marker.
Chars = list[tuple[str | None, int]]

STRING_NODES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)

_ESCAPE = re.compile(
    r"\\(\r\n|\n|[\\'\"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\})"
)
_PERCENT_SLOT = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[sdirfeEgGxXoca]")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


def split_prefix(token: str) -> tuple[str, int]:
    """(lower-cased prefix letters, quote length) of a string token's start."""
    i = 0
    while i < len(token) and token[i] not in "'\"":
        i += 1
    quote = 3 if token[i:i + 3] in ('"""', "'''") else 1
    return token[:i].lower(), quote


def _decode_body(body: str, base: int, raw: bool, is_bytes: bool, fstring: bool) -> Chars:
    """Decode a literal body starting at host offset ``base``: each output char
    maps to the host offset of the source char (or escape sequence) it came from."""
    out: Chars = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and not raw:
            match = _ESCAPE.match(body, i)
            if match and not (is_bytes and match.group(1)[0] in "uUN"):
                decoded = _decode_escape(match.group(0))
                out.extend((c, base + i) for c in decoded)
                i = match.end()
                continue
        if fstring and ch in "{}" and body[i + 1:i + 2] == ch:
            out.append((ch, base + i))  # `{{` / `}}` in an f-string
            i += 2
            continue
        out.append((ch, base + i))
        i += 1
    return out


def _decode_escape(escape: str) -> str:
    """What one escape sequence means; a line continuation means nothing."""
    if escape in ("\\\n", "\\\r\n"):
        return ""
    try:
        return codecs.decode(escape, "unicode_escape")
    except (UnicodeDecodeError, ValueError):
        return escape


def _simple_chars(node: cst.SimpleString, host: Host) -> Chars:
    prefix, quote = split_prefix(node.value)
    body = node.value[len(prefix) + quote:len(node.value) - quote]
    base = host.start(node) + len(prefix) + quote
    return _decode_body(body, base, "r" in prefix, "b" in prefix, fstring=False)


def _fstring_chars(node: cst.FormattedString, host: Host) -> Chars:
    prefix = node.prefix.lower()
    out: Chars = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            out.extend(_decode_body(part.value, host.start(part), "r" in prefix, False, fstring=True))
        else:
            out.append((None, host.start(part)))  # `{expr}` becomes a bind marker at its `{`
    return out


def _literal_chars(node: cst.CSTNode, host: Host) -> Chars | None:
    """Decoded characters of a plain string literal (simple, f-string, implicit concatenation)."""
    if isinstance(node, cst.SimpleString):
        return _simple_chars(node, host)
    if isinstance(node, cst.FormattedString):
        return _fstring_chars(node, host)
    if isinstance(node, cst.ConcatenatedString):
        left, right = _literal_chars(node.left, host), _literal_chars(node.right, host)
        return None if left is None or right is None else left + right
    return None


def _substitute(chars: Chars, pattern: re.Pattern[str], escapes: tuple[str, ...]) -> Chars:
    """Replace every format slot matching ``pattern`` by a marker; an escape
    (``%%``, ``{{``) becomes its single character."""
    text = "".join(c if c is not None else "\0" for c, _ in chars)
    out: Chars = []
    cursor = 0
    for match in pattern.finditer(text):
        out.extend(chars[cursor:match.start()])
        if match.group(0) in escapes:
            out.append(chars[match.start()])
        else:
            out.append((None, chars[match.start()][1]))
        cursor = match.end()
    out.extend(chars[cursor:])
    return out


def _formatted_literal(node: cst.CSTNode) -> cst.BaseExpression | None:
    """The string literal of ``"...".format(...)``, else None."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
        and isinstance(node.func.value, STRING_NODES)
    ):
        return node.func.value
    return None


def _expr_chars(node: cst.CSTNode, host: Host, lookup: Lookup, depth: int = 0) -> Chars | None:
    """Decoded characters of a string-building expression, or None when it is
    not built from at least one literal. Non-literal parts become markers."""
    if depth > MAX_DEPTH:
        return None
    literal = _literal_chars(node, host)
    if literal is not None:
        return literal
    if isinstance(node, cst.Name):
        return _name_chars(node.value, host, lookup, depth)
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        return _name_chars(f"{node.value.value}.{node.attr.value}", host, lookup, depth)
    if isinstance(node, cst.BinaryOperation):
        return _binary_chars(node, host, lookup, depth)
    formatted = _formatted_literal(node)
    if formatted is not None:
        chars = _literal_chars(formatted, host)
        return None if chars is None else _substitute(chars, _FORMAT_FIELD, ("{{", "}}"))
    return None


def _binary_chars(node: cst.BinaryOperation, host: Host, lookup: Lookup, depth: int) -> Chars | None:
    if isinstance(node.operator, cst.Modulo):
        left = _literal_chars(node.left, host)
        return None if left is None else _substitute(left, _PERCENT_SLOT, ("%%",))
    if not isinstance(node.operator, cst.Add):
        return None
    left = _expr_chars(node.left, host, lookup, depth + 1)
    right = _expr_chars(node.right, host, lookup, depth + 1)
    if left is None and right is None:
        return None
    left = left if left is not None else [(None, host.start(node.left))]
    right = right if right is not None else [(None, host.start(node.right))]
    return left + right


def _name_chars(name: str, host: Host, lookup: Lookup, depth: int) -> Chars | None:
    """A name bound once to a string expression, optionally extended by ``+=`` pieces."""
    bindings = lookup(name)
    if not bindings or bindings[0].kind is not BindingKind.ASSIGN:
        return None
    if any(b.kind is not BindingKind.AUGADD for b in bindings[1:]):
        return None
    pieces = [(b.kind, b.value) for b in bindings if b.value is not None]
    if len(pieces) != len(bindings):
        return None
    out: Chars = []
    for kind, value in pieces:
        chars = _expr_chars(value, host, lookup, depth + 1)
        if chars is None:
            if kind is BindingKind.ASSIGN:
                return None
            chars = [(None, host.start(value))]
        out.extend(chars)
    return out


def sql_literal(
    node: cst.CSTNode, host: Host, lookup: Lookup = no_lookup
) -> tuple[str, Origin, frozenset[str]] | None:
    """The text a string expression evaluates to, with its origin map.

    Handles plain, raw, byte, triple-quoted and f-strings, implicit
    concatenation, ``+`` of strings, ``"..." % args``, ``"...".format(...)``
    and names ``lookup`` resolves to such expressions. Escapes are decoded
    (each character maps to its escape's host offset); every interpolation,
    ``%``/``{}`` slot or non-literal ``+`` operand becomes a bind marker
    ``$N`` (numbered after the highest ``$N`` already in the text) mapped to
    its host offset and listed in the returned placeholders. DB-API ``%s``
    and SQLAlchemy ``:name`` binds in a plain literal stay as written.
    None when the expression is not built from string literals.
    """
    chars = _expr_chars(node, host, lookup)
    if chars is None:
        return None
    existing = "".join(c for c, _ in chars if c is not None)
    return _with_markers(chars, host, last_bind_number(existing))


def _with_markers(chars: Chars, host: Host, number: int) -> tuple[str, Origin, frozenset[str]]:
    """The text of ``chars`` with each interpolation numbered ``$N`` after ``number``;
    runs of consecutive host characters become one origin piece."""
    builder = OriginBuilder(host.lines)
    markers: list[str] = []
    run: list[str] = []
    run_start = next_offset = -1
    for char, offset in chars:
        if char is None or offset != next_offset or len(char) != 1:
            builder.add("".join(run), run_start)
            run, run_start = [], offset
        if char is None:
            number += 1
            markers.append(f"${number}")
            builder.add(markers[-1], offset)
            next_offset = -1
            continue
        run.append(char)
        next_offset = offset + 1
    builder.add("".join(run), run_start)
    text, origin = builder.build()
    return text, origin, frozenset(markers)


def is_stringish(node: cst.CSTNode | None) -> bool:
    """Does this expression obviously build a string (for HOS205 on variables)?"""
    if node is None:
        return False
    if isinstance(node, STRING_NODES) or _formatted_literal(node) is not None:
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        return is_stringish(node.left) or is_stringish(node.right)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.attr.value == "join" and isinstance(node.func.value, STRING_NODES)
    return False
