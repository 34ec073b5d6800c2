"""Hostile text made safe to show: one function every renderer shares.

File names, relation names, service names and messages come from the checked
repository. ``printable`` replaces every character that could act on a
terminal, a log viewer or the reader's eye instead of being shown:

- C0 controls (ESC, BEL, CR, LF, TAB, ...), DEL and the C1 controls (CSI
  U+009B, NEL U+0085, ...);
- the line and paragraph separators U+2028/U+2029;
- the bidirectional controls that reorder what is shown (U+061C, U+200E,
  U+200F, U+202A-U+202E, U+2066-U+2069; "Trojan Source");
- lone surrogates (a byte that was not UTF-8, kept by ``surrogateescape``:
  shown as that byte, ``\\xNN``).

Each becomes a visible escape: ``\\xNN`` below U+0100, else ``\\uNNNN``.
Everything else, including any letter of any script, is kept as it is.
Format-specific escaping (HTML, Markdown, SQL, ...) comes after this, in the
renderer of that format.
"""
from __future__ import annotations

import re

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every unsafe character replaced by a visible escape."""
    return UNSAFE.sub(_escape, text)


def is_printable(text: str) -> bool:
    """True when ``printable`` would leave ``text`` unchanged."""
    return UNSAFE.search(text) is None


def json_escaped(document: str) -> str:
    """A JSON document (``json.dumps(..., ensure_ascii=False)``) with every unsafe
    character inside its strings written as a ``\\uXXXX`` escape: the same values,
    nothing raw. ``json.dumps`` already escapes C0 controls in strings, so a raw
    newline is the indentation's and stays."""
    return UNSAFE.sub(lambda m: m.group() if m.group() == "\n" else f"\\u{ord(m.group()):04x}", document)


def escape_char(char: str) -> str:
    """The visible escape of one character: ``\\xNN`` below U+0100 and for a byte
    kept by ``surrogateescape`` (U+DC80-U+DCFF stands for byte 0x80-0xFF), else
    ``\\uNNNN``."""
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _escape(match: re.Match[str]) -> str:
    return escape_char(match.group())
