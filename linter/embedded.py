"""Map offsets inside an extracted text (SQL in a template literal, a Python
string, a heredoc) back to line:col in the host file.

The SQL extractor only ever sees a plain string plus an ``Origin``; the host
extractor builds both with ``OriginBuilder`` while it decodes the literal, so
escapes, implicit concatenation and interpolations keep exact positions.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# What ends a line for every position hos-lint reports: LF, CR LF, and a lone
# CR (old Mac files), as editors, PostgreSQL, Python, JavaScript and YAML count
# them. One definition for every extractor and output.
LINE_BREAK = re.compile(r"\r\n?|\n")


# The first keyword of a SQL statement, after blanks, comments and parentheses:
# what makes a string literal handed to a driver call embedded SQL.
SQL_START = re.compile(
    r"(?:\s|\(|--[^\n]*(?:\n|$)|/\*.*?\*/)*"
    r"(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|TRUNCATE|MERGE|COPY|LOCK|GRANT|REVOKE|SET)\b",
    re.IGNORECASE | re.DOTALL,
)
# A positional bind parameter already written in the SQL text (``$1``).
BIND_MARKER = re.compile(r"\$(\d+)")


def looks_like_sql(text: str) -> bool:
    """True when the first keyword (after blanks, comments, parentheses) starts a SQL statement."""
    return SQL_START.match(text) is not None


def last_bind_number(text: str) -> int:
    """The highest ``$N`` already in ``text`` (0 if none): interpolations are numbered after it."""
    return max((int(m.group(1)) for m in BIND_MARKER.finditer(text)), default=0)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their breaks (``LINE_BREAK``; unlike
    ``str.splitlines``, form feeds and Unicode separators do not end a line)."""
    return LINE_BREAK.split(text)


@dataclass(frozen=True, slots=True)
class LineIndex:
    """Character offsets at which each line of a host text starts."""

    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> LineIndex:
        if "\r" in text:
            return cls((0, *(m.end() for m in LINE_BREAK.finditer(text))))
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        return cls(tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, col) of a character offset."""
        line = bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, col: int) -> int:
        """Inverse of ``position`` (1-based line and col)."""
        return self.starts[line - 1] + col - 1


@dataclass(frozen=True, slots=True)
class Origin:
    """Piecewise-linear map from offsets in an extracted text to host offsets.

    ``pieces`` holds ``(text_offset, host_offset)`` pairs sorted by text
    offset; inside a piece characters map one to one.
    """

    pieces: tuple[tuple[int, int], ...]
    lines: LineIndex

    @classmethod
    def identity(cls, text: str, lines: LineIndex | None = None) -> Origin:
        return cls(((0, 0),), lines or LineIndex.of(text))

    @classmethod
    def shifted(cls, host_offset: int, lines: LineIndex) -> Origin:
        """The extracted text is a verbatim slice of the host starting at host_offset."""
        return cls(((0, host_offset),), lines)

    def host_offset(self, offset: int) -> int:
        i = bisect_right(self.pieces, (offset, float("inf"))) - 1
        text_start, host_start = self.pieces[max(i, 0)]
        return host_start + max(offset - text_start, 0)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based host (line, col) of an offset in the extracted text."""
        return self.lines.position(self.host_offset(offset))


class OriginBuilder:
    """Accumulates an extracted text piece by piece with its host offsets."""

    def __init__(self, lines: LineIndex) -> None:
        self._parts: list[str] = []
        self._pieces: list[tuple[int, int]] = []
        self._length = 0
        self._lines = lines

    def add(self, text: str, host_offset: int) -> None:
        """Append text that sits verbatim at host_offset in the host file."""
        if not text:
            return
        self._pieces.append((self._length, host_offset))
        self._parts.append(text)
        self._length += len(text)

    def add_char(self, char: str, host_offset: int) -> None:
        """Append one decoded character (an escape sequence) found at host_offset."""
        self.add(char, host_offset)

    def build(self) -> tuple[str, Origin]:
        pieces = tuple(self._pieces) or ((0, 0),)
        return "".join(self._parts), Origin(pieces, self._lines)
