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
from dataclasses import dataclass
from typing import Protocol

from linter.embedded import LineIndex
from linter.model import Anchor, Comment, ExtractResult, Language, Location, Problem, SourceFile


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


# Why a file nested deeper than its parser follows was not analysed (the summary's reason).
NESTED_TOO_DEEPLY = "nested too deeply"


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
