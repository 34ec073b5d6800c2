"""SQL fed to ``psql`` from shell scripts (``.sh``, ``.bash``), SPEC §4.3.

Two shapes are recognised:
- heredocs whose pipeline runs ``psql`` (``psql … <<EOF``, ``<<-EOF``,
  ``<<'EOF'``, ``<<"EOSQL"``, ``cat <<EOF | psql``);
- ``psql -c "…"`` / ``psql -c '…'`` / ``--command=…`` literal commands.

There is no shell parser among our dependencies, so detection is simple
line scanning: logical lines (``\\`` continuations joined), a quote-aware
search for ``<<`` outside strings and comments, ``shlex`` to split the
pipeline into words. A heredoc feeding anything else (``cat <<EOF > f``) is
not SQL and is left alone.

Heredoc bodies are passed verbatim to ``extract_sql`` so positions are the
script's own. In unquoted heredocs and double-quoted ``-c`` strings the shell
expands ``$VAR``, ``${VAR}``, ``$(cmd)`` and backticks: each expansion
becomes a bind marker (``$1``, ``$2``…) passed as a placeholder, so an
expansion standing for a relation name is HOS205 and one in a value position
is fine. ``$$`` is kept literally (in practice it is meant as a dollar quote).
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from linter.embedded import LINE_BREAK, LineIndex, Origin, OriginBuilder
from linter.extract.base import ExtractConfig, comment_at
from linter.extract.sql import HOS205_MESSAGE, extract_sql
from linter.model import (
    Access, Anchor, ExtractResult, Grant, Language, Location, Problem, RelationDef, SourceFile,
)

NAME = "shell"
LANGUAGE = Language.SHELL
SUFFIXES = (".sh", ".bash")


@dataclass(frozen=True, slots=True)
class SqlChunk:
    """One piece of SQL found in a script, ready for ``extract_sql``."""

    text: str
    origin: Origin
    placeholders: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Line:
    """A logical line: physical lines joined at ``\\`` continuations.
    ``start``/``end`` are host offsets; ``end`` is the offset after its last
    newline (where a heredoc body would start)."""

    start: int
    end: int


def handles(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


def might_access_db(data: bytes) -> bool:
    return b"psql" in data.lower()


def extract(src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult:
    """Every access in SQL the script feeds to psql; never raises. The comments
    handed over are the script's ``#`` comments and the SQL comments of what
    it feeds to psql (heredoc bodies are SQL lines of the script)."""
    accesses: list[Access] = []
    defs: list[RelationDef] = []
    grants: list[Grant] = []
    problems: list[Problem] = []
    script = scan_script(text)
    spans = list(script.comments)
    for chunk in script.chunks:
        if _whole_expansion(chunk):
            problems.append(_dynamic(src, chunk))
            continue
        result = extract_sql(chunk.text, chunk.origin, path=src.path, service=src.service,
                             via="sql", placeholders=chunk.placeholders)
        accesses += result.accesses
        defs += result.relation_defs
        grants += result.grants
        problems += result.problems
        spans += [(chunk.origin.host_offset(a), chunk.origin.host_offset(b - 1) + 1) for a, b in result.comments]
    lines = LineIndex.of(text)
    comments = tuple(comment_at(text, lines, a, b) for a, b in sorted(spans)) if config.comments else ()
    return ExtractResult(path=src.path, service=src.service, accesses=tuple(accesses),
                         relation_defs=tuple(defs), grants=tuple(grants), problems=tuple(problems),
                         comments=comments)


def _whole_expansion(chunk: SqlChunk) -> bool:
    """``psql -c "$SQL"``: the whole statement comes from a variable."""
    return chunk.text.strip() in chunk.placeholders


def _dynamic(src: SourceFile, chunk: SqlChunk) -> Problem:
    line, col = chunk.origin.position(0)
    return Problem(code="HOS205", location=Location(src.path, line, col), message=HOS205_MESSAGE,
                   service=src.service, anchor=Anchor(line, line, chunk.text.strip()))


# --------------------------------------------------------------------------
# finding SQL
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Script:
    """What one pass over a script finds: the SQL it feeds to psql and the
    (start, end) offsets of its ``#`` comments (outside quotes and heredoc bodies)."""

    chunks: list[SqlChunk]
    comments: list[tuple[int, int]]


def scan_script(text: str) -> Script:
    """One pass over the logical lines of a script: its psql heredoc bodies
    and ``-c`` strings in order, and its comments (see ``Script``)."""
    chunks: list[SqlChunk] = []
    comments: list[tuple[int, int]] = []
    lines = LineIndex.of(text)
    pos = 0
    while pos < len(text):
        line = _logical_line(text, pos)
        command = text[line.start:line.end]
        pos = line.end
        comments += [(line.start + a, line.start + b) for a, b in _unquoted(command, "<<")[1]]
        if not _feeds_psql(command):
            pos = _skip_heredocs(text, line, command, pos)
            continue
        chunks += _psql_c_strings(text, line, lines)
        for quoted, strip_tabs, delim in _heredoc_ops(command):
            body_start = pos
            body_end, pos = _heredoc_end(text, pos, delim, strip_tabs)
            chunks.append(_body_chunk(text, body_start, body_end, quoted, lines))
    return Script(chunks, comments)


def _logical_line(text: str, pos: int) -> _Line:
    end = pos
    while True:
        nl = text.find("\n", end)
        if nl < 0:
            return _Line(pos, len(text))
        if not text[end:nl].rstrip("\r").endswith("\\"):
            return _Line(pos, nl + 1)
        end = nl + 1


def _skip_heredocs(text: str, line: _Line, command: str, pos: int) -> int:
    """Skip the bodies of heredocs that do not feed psql (they are not SQL and
    their lines must not be mistaken for commands)."""
    for _, strip_tabs, delim in _heredoc_ops(command):
        _, pos = _heredoc_end(text, pos, delim, strip_tabs)
    return pos


_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([A-Za-z_0-9.-]+))")


def _heredoc_ops(command: str) -> list[tuple[bool, bool, str]]:
    """(delimiter quoted, ``<<-``, delimiter) for each heredoc operator outside
    quotes and comments; ``<<<`` here-strings are not heredocs."""
    ops = []
    for index in _unquoted(command, "<<")[0]:
        if command.startswith("<<<", index) or (index and command[index - 1] == "<"):
            continue
        m = _HEREDOC.match(command, index)
        if m:
            word = m.group(2) if m.group(2) is not None else m.group(3)
            quoted = word is not None or m.group(0).find("\\") >= 0
            ops.append((quoted, m.group(1) == "-", word if word is not None else m.group(4)))
    return ops


def _unquoted(command: str, needle: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Offsets of ``needle`` outside '…', "…" and # comments, and the (start,
    end) offsets of those comments (a ``#`` starting a word runs to the line's end)."""
    found: list[int] = []
    comments: list[tuple[int, int]] = []
    i, quote = 0, ""
    while i < len(command):
        ch = command[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or command[i - 1] in " \t\n\r"):
            end = LINE_BREAK.search(command, i)
            comments.append((i, end.start() if end else len(command)))
            if end is None:
                break
            i = end.start()
        elif command.startswith(needle, i):
            found.append(i)
            i += len(needle) - 1
        i += 1
    return found, comments


def _heredoc_end(text: str, pos: int, delim: str, strip_tabs: bool) -> tuple[int, int]:
    """(end of the body, offset after the terminator line). An unterminated
    heredoc runs to the end of the script, as in bash."""
    while pos < len(text):
        nl = text.find("\n", pos)
        line_end = len(text) if nl < 0 else nl
        line = text[pos:line_end].rstrip("\r")
        if (line.lstrip("\t") if strip_tabs else line) == delim:
            return pos, min(line_end + 1, len(text))
        pos = line_end + 1
    return len(text), len(text)


def _feeds_psql(command: str) -> bool:
    """True when a word of the command's pipelines runs psql (``psql``,
    ``/usr/bin/psql``, ``docker exec db psql``)."""
    if "psql" not in command:
        return False
    try:
        words = shlex.split(command.replace("\\\n", " "), comments=True)
    except ValueError:  # unbalanced quotes: fall back to plain splitting
        words = command.split()
    return any(w.rsplit("/", 1)[-1] == "psql" for w in words)


# --------------------------------------------------------------------------
# bodies and -c strings
# --------------------------------------------------------------------------


def _body_chunk(text: str, start: int, end: int, quoted: bool, lines: LineIndex) -> SqlChunk:
    if quoted:  # no expansion: the body is verbatim SQL
        return SqlChunk(text[start:end], Origin.shifted(start, lines))
    builder = OriginBuilder(lines)
    markers = _decode(text, start, end, builder, escapes="$`\\")
    body, origin = builder.build()
    return SqlChunk(body, origin, markers)


_EXPANSION = re.compile(r"\$(?:\{[^}\n]*\}|\([^)\n]*\)|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?!-])|`[^`\n]*`")


def _decode(text: str, start: int, end: int, builder: OriginBuilder, escapes: str) -> frozenset[str]:
    """Copy ``text[start:end]`` into ``builder`` the way the shell would see
    it: ``\\`` before one of ``escapes`` drops the backslash, and each
    expansion becomes a new bind marker. Returns the markers used."""
    markers: list[str] = []
    i = start
    while i < end:
        ch = text[i]
        if ch == "\\" and i + 1 < end and text[i + 1] in escapes:
            builder.add_char(text[i + 1], i + 1)
            i += 2
            continue
        m = _EXPANSION.match(text, i, end) if ch in "$`" else None
        if m:
            markers.append(f"${len(markers) + 1}")
            builder.add(markers[-1], i)
            i = m.end()
            continue
        builder.add_char(ch, i)
        i += 1
    return frozenset(markers)


_DASH_C = re.compile(r"(?:^|\s)(?:-c|--command)(?:=|\s*)(?=['\"])")


def _psql_c_strings(text: str, line: _Line, lines: LineIndex) -> list[SqlChunk]:
    """``psql -c '…'`` / ``-c "…"`` / ``--command="…"`` after a psql word."""
    command = text[line.start:line.end]
    at = command.find("psql")
    chunks = []
    for m in _DASH_C.finditer(command, at):
        open_at = line.start + m.end()
        chunk = _quoted_arg(text, open_at, lines)
        if chunk is not None:
            chunks.append(chunk)
    return chunks


def _quoted_arg(text: str, open_at: int, lines: LineIndex) -> SqlChunk | None:
    quote = text[open_at]
    if quote == "'":
        close = text.find("'", open_at + 1)
        if close < 0:
            return None
        return SqlChunk(text[open_at + 1:close], Origin.shifted(open_at + 1, lines))
    close = _closing_double_quote(text, open_at + 1)
    if close is None:
        return None
    builder = OriginBuilder(lines)
    markers = _decode(text, open_at + 1, close, builder, escapes='$`"\\')
    body, origin = builder.build()
    return SqlChunk(body, origin, markers)


def _closing_double_quote(text: str, i: int) -> int | None:
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return None
