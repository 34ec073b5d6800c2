"""Statement splitting: our own scanner over one SQL text.

sqlglot's splitter loses offsets and is unaware of psql meta-commands, so a
SQL text is split here, with the offsets of its comments noted on the way
(they are where suppressions come from). Also the small readers of a
statement's leading words that the dispatch needs before any parse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: its text (psql meta-command lines blanked to spaces so
    offsets stay exact) and the offset of ``text[0]`` in the whole SQL text.
    ``text`` starts at the first significant character (leading comments and
    whitespace are not part of it) and has no trailing ``;``."""

    text: str
    start: int


@dataclass(frozen=True, slots=True)
class Scan:
    """What the splitter saw in one SQL text: its statements and the
    (start, end) offsets of its comments, both in order."""

    statements: list[Statement]
    comments: list[tuple[int, int]]


def split_statements(text: str) -> list[Statement]:
    """The statements of a SQL text (see ``scan``)."""
    return scan(text).statements


def scan(text: str) -> Scan:
    """Split a SQL text at top-level semicolons and note its comments.

    Semicolons inside quotes, ``E''`` strings, quoted identifiers, dollar
    bodies and (nested) comments do not split. A line whose first
    non-blank character is ``\\`` is a psql meta-command: it is blanked and
    ends the statement before it (``\\g``, ``\\connect`` and friends do in
    practice). Statements that hold only comments are dropped. A ``--``
    comment ends at a line feed or a carriage return, as in PostgreSQL.

    The scan jumps between the characters that matter with regular
    expressions (a 5 MB migration is scanned in a tenth of the time a loop
    over its characters takes); ``tests/extract/test_sql_scan.py`` keeps it
    equal to that loop, offsets included.
    """
    out: list[Statement] = []
    comments: list[tuple[int, int]] = []
    start: int | None = None
    i, n, line_start = 0, len(text), True
    while i < n:
        if start is None:  # between statements: blanks, comments, stray semicolons, meta-commands
            m = _SIGNIFICANT.search(text, i)
            if m is None:
                break
            j = m.start()
            line_start = line_start or _BREAK.search(text, i, j) is not None
            ch = text[j]
            if ch == "\\" and line_start:
                i, line_start = _line_end(text, j), False
                continue
            line_start = False
            if ch == ";":
                i = j + 1
            elif text.startswith("--", j) or text.startswith("/*", j):
                i = _skip_token(text, j)
                comments.append((j, i))
            else:
                start = i = j
            continue
        m = _EVENT.search(text, i)  # inside a statement: the next token that may hold or be a ``;``
        if m is None:
            break
        j, ch = m.start(), m.group()[0]
        if ch in "\n\r":  # a line whose first non-blank character is a backslash
            meta = m.end() - 1
            _emit(text, start, meta, out)
            start, i, line_start = None, _line_end(text, meta), False
        elif ch == ";":
            _emit(text, start, j, out)
            start, i = None, j + 1
        else:
            i = _skip_token(text, j)
            if ch != "'" and ch != '"' and ch != "$":
                comments.append((j, i))
    _emit(text, start, n, out)
    return Scan(out, comments)


_SIGNIFICANT = re.compile(r"[^ \t\n\r\f]")
_EVENT = re.compile(r"[;'\"$]|--|/\*|[\r\n][ \t\n\r\f]*\\")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_BREAK = re.compile(r"[\r\n]")
_QUOTED = {  # the rest of a literal after its opening quote, through the closing one
    ("'", False): re.compile(r"[^']*(?:''[^']*)*'"),
    ("'", True): re.compile(r"[^'\\]*(?:(?:''|\\.)[^'\\]*)*'", re.S),
    ('"', False): re.compile(r'[^"]*(?:""[^"]*)*"'),
}
_COMMENT_MARK = re.compile(r"/\*|\*/")


def _is_ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def _skip_quoted(text: str, i: int, quote: str, backslash: bool) -> int:
    """Index just after the closing quote of a literal opened at ``text[i]``.
    A doubled quote is an escaped quote; with ``backslash`` (E'' strings) so
    is ``\\'``. Unterminated literals run to the end of the text."""
    m = _QUOTED[(quote, backslash)].match(text, i + 1)
    return m.end() if m else len(text)


def _skip_block_comment(text: str, i: int) -> int:
    """Index after a (possibly nested, as PostgreSQL allows) ``/* */`` comment."""
    depth = 0
    for m in _COMMENT_MARK.finditer(text, i):
        if m.group() == "/*":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end()
    return len(text)


def _skip_dollar(text: str, i: int) -> int | None:
    """Index after a ``$tag$ … $tag$`` body starting at ``i``, or None when
    ``text[i]`` does not open one (``$1`` bind markers, ``a$b`` identifiers)."""
    if i > 0 and _is_ident_char(text[i - 1]):
        return None
    m = _DOLLAR_TAG.match(text, i)
    if m is None:
        return None
    end = text.find(m.group(0), m.end())
    return len(text) if end < 0 else end + len(m.group(0))


def _skip_token(text: str, i: int) -> int:
    """Index after the lexical unit at ``i`` that may contain a ``;``: a
    string, quoted identifier, dollar body or comment; else ``i + 1``."""
    ch = text[i]
    if ch == "'":
        escaped = i > 0 and text[i - 1] in "eE" and (i < 2 or not _is_ident_char(text[i - 2]))
        return _skip_quoted(text, i, "'", escaped)
    if ch == '"':
        return _skip_quoted(text, i, '"', False)
    if ch == "$":
        return _skip_dollar(text, i) or i + 1
    if text.startswith("--", i):
        return _line_end(text, i)
    if text.startswith("/*", i):
        return _skip_block_comment(text, i)
    return i + 1


def _line_end(text: str, i: int) -> int:
    """Offset of the first line break at or after ``i`` (the end of the text if none)."""
    m = _BREAK.search(text, i)
    return m.start() if m else len(text)


def _emit(text: str, start: int | None, end: int, out: list[Statement]) -> None:
    if start is None:
        return
    body = text[start:end].rstrip()
    if body:
        out.append(Statement(body, start))


# --- a statement's leading words ----------------------------------------------

CREATE_MODIFIERS = frozenset("OR REPLACE TEMP TEMPORARY UNLOGGED GLOBAL LOCAL UNIQUE RECURSIVE".split())


def first_word(stmt: Statement) -> str:
    """The statement's first keyword, upper-cased ('' when it starts otherwise)."""
    m = re.match(r"[A-Za-z]+", stmt.text)
    return m.group(0).upper() if m else ""


def create_object_word(stmt: Statement) -> str:
    """The object keyword of a CREATE statement (``TABLE`` in ``CREATE OR
    REPLACE TEMP TABLE``)."""
    words = stmt.text.split(None, 6)[1:]
    for word in words:
        if word.upper() not in CREATE_MODIFIERS:
            return word.upper()
    return ""
