"""Positions and edits in a buffer's text. Pure.

hos-lint counts 1-based lines and columns in code points, splitting lines as
extraction does (CR, LF, CR LF); the protocol counts 0-based lines and columns
in the units the client and server agreed on (UTF-16 unless the client offers
UTF-8 or UTF-32).
"""
from __future__ import annotations

from dataclasses import dataclass

from hos_lint.embedded import split_lines
from hos_lint.model import Language
from hos_lint.output.why import COMMENT_MARK, suppression_comment


@dataclass(frozen=True, slots=True)
class Span:
    """0-based line and column (in code points) of a start and an end."""

    line: int
    col: int
    end_line: int
    end_col: int


class Lines:
    """A buffer's lines as extraction counts them, and conversions to protocol units."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.lines = split_lines(text)
        self.encoding = encoding
        self.newline = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text else "\n")

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def units(self, index: int, col: int) -> int:
        """Code-point column ``col`` of line ``index`` in the agreed units."""
        head = self.line(index)[:col]
        if self.encoding == "utf-32":
            return len(head)
        if self.encoding == "utf-8":
            return len(head.encode("utf-8", errors="surrogatepass"))
        return len(head.encode("utf-16-le", errors="surrogatepass")) // 2

    def col_of(self, index: int, units: int) -> int:
        """The code-point column of a protocol column (the inverse of ``units``)."""
        text = self.line(index)
        count = 0
        for i, ch in enumerate(text):
            if count >= units:
                return i
            count += 1 if self.encoding == "utf-32" else (
                len(ch.encode("utf-8", errors="surrogatepass")) if self.encoding == "utf-8"
                else (2 if ord(ch) > 0xFFFF else 1))
        return len(text)

    def reference_span(self, line: int, col: int, name: str | None = None) -> Span:
        """The range a diagnostic underlines for a finding at 1-based ``line``:``col``: ``name``
        when it is written there (a Prisma delegate), else the name written there (letters,
        digits, ``_``, ``$``, dots and double quotes, as in ``"order_service"."orders"``),
        else the rest of the line."""
        index, start = line - 1, max(col - 1, 0)
        text = self.line(index)
        start = min(start, len(text))
        end = start
        while end < len(text) and (_in_name(text[end]) or text[end] in '."'):
            end += 1
        after = start + len(name) if name else 0
        if name and text.startswith(name, start) and (after == len(text) or not _in_name(text[after])):
            end = after
        if end == start:
            end = len(text.rstrip())
            if end <= start:
                end = min(start + 1, len(text))
        return Span(index, start, index, end)


def _in_name(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


@dataclass(frozen=True, slots=True)
class Insert:
    """Text to insert at a 0-based line and code-point column."""

    line: int
    col: int
    text: str


def suppression_inserts(lines: Lines, language: Language, code: str, statement_line: int,
                        finding_line: int) -> list[Insert]:
    """Where a suppression comment for ``code`` can go, best first: its own line above
    the statement (indented like it) or above the finding's line, then at the end of the
    finding's line; each in the file's comment syntax, then in SQL's (for SQL embedded in
    a template literal or a heredoc). The caller keeps the first one that the file's parser
    reads as a comment covering the finding (a line inside a string literal is not one)."""
    # SQL embedded in the host (a template literal, a heredoc) takes SQL's own comments
    marks = tuple(dict.fromkeys((COMMENT_MARK[language], COMMENT_MARK[Language.SQL])))
    out: list[Insert] = []
    for mark in marks:
        for line in dict.fromkeys((statement_line, finding_line)):
            text = lines.line(line - 1)
            indent = text[:len(text) - len(text.lstrip(" \t"))]
            out.append(Insert(line - 1, 0, f"{indent}{suppression_comment(mark, code)}{lines.newline}"))
    end = lines.line(finding_line - 1)
    out += [Insert(finding_line - 1, len(end.rstrip()), f" {suppression_comment(mark, code)}") for mark in marks]
    return out


def apply_insert(lines: Lines, insert: Insert) -> str:
    """The buffer's text with ``insert`` applied."""
    offset = 0
    for i in range(insert.line):
        offset += len(lines.line(i)) + _break_length(lines.text, offset + len(lines.line(i)))
    return lines.text[:offset + insert.col] + insert.text + lines.text[offset + insert.col:]


def _break_length(text: str, at: int) -> int:
    if text.startswith("\r\n", at):
        return 2
    return 1 if at < len(text) and text[at] in "\r\n" else 0
