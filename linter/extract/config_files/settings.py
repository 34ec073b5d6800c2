"""What every reader of a configuration file yields (``Setting``, ``Read``)
and the line helpers they share."""
from __future__ import annotations

from dataclasses import dataclass

from hos_lint.embedded import LINE_BREAK
from hos_lint.extract.config_files.values import Value
from hos_lint.model import ConnectionTarget, Problem, SkipReason


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment variable as configured: name, value, and the 1-based
    line and column of the value's first character."""

    variable: str
    value: Value
    line: int
    col: int
    target: ConnectionTarget | None = None  # what the value was configured for, if anything names it


@dataclass(frozen=True, slots=True)
class Read:
    """What one file yields before filtering: every setting, parse problems,
    and why the file was skipped (if it was)."""

    settings: tuple[Setting, ...]
    problems: tuple[Problem, ...] = ()
    skipped: SkipReason | None = None
    comments: tuple[tuple[int, int], ...] = ()  # (start, end) of each comment the lexer saw


def target_of(name: str, build: str | None = None) -> ConnectionTarget | None:
    """The target a value was configured for; None when nothing names one."""
    return ConnectionTarget(name, build) if name or build else None


def line_end(text: str, pos: int) -> int:
    """Offset of the line break ending the line at ``pos`` (CR, LF or CR LF), or the text's end."""
    m = LINE_BREAK.search(text, pos)
    return m.start() if m else len(text)


def next_line(text: str, pos: int) -> int:
    """Offset of the line after the one at ``pos`` (the text's end for the last line)."""
    m = LINE_BREAK.search(text, pos)
    return m.end() if m else len(text)
