"""The shape every extractor has, and small helpers they share.

An extractor is a module with ``NAME``, ``LANGUAGE``, ``handles(path)``,
``might_access_db(data)`` and ``extract(src, text, config)``. ``extract`` is a
pure function of one file's text plus the read-only ``ExtractConfig``; it never
raises for bad input (un-analysable parts become ``problems``). With
``config.comments`` it also hands over every comment its own lexer saw
(``comment_at`` builds the records), which is where suppressions come from.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from hos_lint.embedded import LineIndex
from hos_lint.model import Anchor, Comment, ExtractResult, Language, Location, Problem, SkipReason, SourceFile

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """What extraction may know beyond the file itself (from the manifest),
    and what it is asked to hand over.

    Kept tiny and hashable: it is part of the cache key.
    """

    prisma_clients: tuple[str, ...] = ()  # extra identifiers to treat as Prisma clients
    # False for a service whose Prisma datasource is not PostgreSQL: its embedded SQL
    # is not parsed as PostgreSQL (the run reports that once, as a notice)
    postgres: bool = True
    # Hand over the comments the lexer saw (``ExtractResult.comments``). The
    # pipeline asks only when the file's bytes can hold a suppression: for
    # Python that spares a tokenizer pass over every file.
    comments: bool = True


class Extractor(Protocol):
    NAME: str
    LANGUAGE: Language

    def handles(self, path: str) -> bool: ...

    def might_access_db(self, data: bytes) -> bool: ...

    def extract(self, src: SourceFile, text: str, config: ExtractConfig) -> ExtractResult: ...


_WS = re.compile(r"\s+")


def normalise(text: str, limit: int = 400) -> str:
    """Collapse whitespace so fingerprints survive reformatting."""
    return _WS.sub(" ", text).strip()[:limit]


def anchor_of(text: str, start_line: int, end_line: int) -> Anchor:
    return Anchor(start_line=start_line, end_line=end_line, text=normalise(text))


def comment_at(text: str, lines: LineIndex, start: int, end: int) -> Comment:
    """The comment ``text[start:end]`` (character offsets into the host text
    ``lines`` indexes) as a ``Comment`` record."""
    line, col = lines.position(start)
    end_line = lines.position(max(start, end - 1))[0]
    line_start = lines.starts[line - 1]
    next_line = lines.starts[end_line] if end_line < len(lines.starts) else len(text)
    alone = not text[line_start:start].strip() and not text[end:next_line].strip()
    return Comment(line=line, col=col, end_line=end_line, text=text[start:end], own_line=alone)


class HostText:
    """The host file as text and UTF-8 bytes, converting tree-sitter byte offsets
    to character offsets and 1-based (line, col) in characters (used by the
    extractors that parse with tree-sitter)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.lines = LineIndex.of(text)
        self._marks: list[int] = []  # byte offset just after each non-ASCII char
        self._extra: list[int] = []  # extra bytes (bytes - chars) up to that mark
        if len(self.data) != len(text):
            self._index_wide_chars()

    def _index_wide_chars(self) -> None:
        extra = 0
        for match in re.finditer(r"[^\x00-\x7f]", self.text):
            extra += len(match.group().encode("utf-8", "surrogatepass")) - 1
            self._marks.append(match.end() + extra)
            self._extra.append(extra)

    def char_offset(self, byte_offset: int) -> int:
        """Character offset of a byte offset (fast path for ASCII text)."""
        if not self._marks:
            return byte_offset
        i = bisect_right(self._marks, byte_offset) - 1
        return byte_offset - (self._extra[i] if i >= 0 else 0)

    def position(self, byte_offset: int) -> tuple[int, int]:
        return self.lines.position(self.char_offset(byte_offset))

    def node_text(self, node: Node) -> str:
        if not self._marks:  # ASCII text: byte offsets are character offsets
            return self.text[node.start_byte:node.end_byte]
        return self.text[self.char_offset(node.start_byte):self.char_offset(node.end_byte)]

    def location(self, path: str, node: Node) -> Location:
        line, col = self.position(node.start_byte)
        return Location(path, line, col)

    def anchor(self, node: Node) -> Anchor:
        """Anchor spanning ``node``'s host lines with its normalised text."""
        start = self.position(node.start_byte)[0]
        end = self.position(max(node.start_byte, node.end_byte - 1))[0]
        return anchor_of(self.node_text(node), start, end)


# Why a file nested deeper than its parser follows was not analysed (the summary's reason).
NESTED_TOO_DEEPLY = SkipReason.NESTED_TOO_DEEPLY


def parse_error(src: SourceFile, line: int, col: int, message: str, *, whole_file: bool = False) -> Problem:
    """HOS901 at ``line:col``; ``whole_file`` when nothing of the file could be
    analysed (a limit, not one statement that does not parse)."""
    return Problem(
        code="HOS901",
        location=Location(src.path, line, col),
        message=message,
        service=src.service,
        anchor=Anchor(start_line=line, end_line=line, text=message),
        whole_file=whole_file,
    )
