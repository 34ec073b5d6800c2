"""The SQL splitter's scan (``hos_lint.extract.sql.lexer.scan``) against the
character-by-character scanner it replaced, kept here as the reference: the same
statements and comments, offsets included, on hypothesis-generated SQL-like
texts built from the constructs that matter to splitting (quotes, E'' strings,
quoted identifiers, dollar bodies, nested comments, psql meta-commands, line
breaks of every kind) and on every SQL file of the fixtures."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hos_lint.extract.sql.lexer import Scan, Statement, _emit, _is_ident_char, _line_end, _skip_dollar, scan

# --- the reference: the former scanner's loop and skips (its unchanged helpers are imported) ---


def reference_scan(text: str) -> Scan:
    """Split a SQL text at top-level semicolons and note its comments.

    Semicolons inside quotes, ``E''`` strings, quoted identifiers, dollar
    bodies and (nested) comments do not split. A line whose first
    non-blank character is ``\\`` is a psql meta-command: it is blanked and
    ends the statement before it (``\\g``, ``\\connect`` and friends do in
    practice). Statements that hold only comments are dropped. A ``--``
    comment ends at a line feed or a carriage return, as in PostgreSQL.
    """
    out: list[Statement] = []
    comments: list[tuple[int, int]] = []
    start: int | None = None
    i, n, line_start = 0, len(text), True
    while i < n:
        ch = text[i]
        if ch in " \t\n\r\f":
            line_start = line_start or ch in "\n\r"
            i += 1
            continue
        if ch == "\\" and line_start:
            _emit(text, start, i, out)
            start, i = None, _line_end(text, i)
            continue
        line_start = False
        if ch == ";":
            _emit(text, start, i, out)
            start, i = None, i + 1
            continue
        comment = text.startswith("--", i) or text.startswith("/*", i)
        if start is None and not comment:
            start = i
        end = _skip_token(text, i)
        if comment:
            comments.append((i, end))
        i = end
    _emit(text, start, n, out)
    return Scan(out, comments)





def _skip_quoted(text: str, i: int, quote: str, backslash: bool) -> int:
    """Index just after the closing quote of a literal opened at ``text[i]``.
    A doubled quote is an escaped quote; with ``backslash`` (E'' strings) so
    is ``\\'``. Unterminated literals run to the end of the text."""
    n = len(text)
    i += 1
    while i < n:
        ch = text[i]
        if backslash and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _skip_block_comment(text: str, i: int) -> int:
    """Index after a (possibly nested, as PostgreSQL allows) ``/* */`` comment."""
    depth, i, n = 0, i, len(text)
    while i < n:
        if text.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return n



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




PIECES = [
    "SELECT 1", "select * from t", ";", " ", "  ", "\t", "\n", "\r", "\r\n", "\f", "'a;b'", "'it''s'", "E'a\\'b;'",
    "e'x'", "ae'y'", "'", "\"q;id\"", "\"", "\"a\"\"b\"", "$$ body; $$", "$tag$ x; $tag$", "$1", "a$b", "$", "$t$",
    "-- note; here", "--", "/* c; */", "/* a /* nested; */ b */", "/*", "*/", "\\connect db", "\\g", "\\",
    "x\\y", "E", "e", "_", "é", "🙂", "/", "-", "*",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_the_scan_equals_the_reference_on_generated_texts(pieces):
    text = "".join(pieces)
    assert scan(text) == reference_scan(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab;'\"$-/*\\eE \t\r\n_1")), max_size=80))
def test_the_scan_equals_the_reference_on_random_characters(text):
    assert scan(text) == reference_scan(text)


def test_the_scan_equals_the_reference_on_the_fixtures_and_the_sql_corpus():
    import yaml

    root = Path(__file__).resolve().parents[2] / "fixtures"
    texts = [path.read_text("utf-8") for path in sorted(root.rglob("*.sql"))]
    corpus = yaml.safe_load((Path(__file__).parent / "sql_corpus.yaml").read_text("utf-8"))
    texts += [entry["sql"] for entry in corpus]
    texts.append("\n".join(texts))
    assert len(texts) > 250
    for text in texts:
        assert scan(text) == reference_scan(text), text[:200]
