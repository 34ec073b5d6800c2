"""``.env`` files: ``KEY=value`` lines, ``export``, single quotes (literal),
double quotes (escapes, may span lines), ``#`` comments; unquoted and
double-quoted values interpolate variables defined earlier in the file."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hos_lint.embedded import LineIndex
from hos_lint.extract.base import parse_error
from hos_lint.extract.config_files.settings import Read, Setting, line_end, next_line
from hos_lint.extract.config_files.values import Value, interpolate
from hos_lint.model import Problem, SourceFile

_ENV_KEY = re.compile(r"\ufeff?[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*(=[ \t]*)?")
_DQ_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "'": "'", "$": "$$"}


@dataclass(frozen=True, slots=True)
class EnvValue:
    """A raw value read from a .env line: decoded text, whether it interpolates,
    where it starts and where scanning resumes (both character offsets)."""

    text: str
    interpolates: bool
    start: int
    end: int


def env_settings(src: SourceFile, text: str) -> Read:
    """Every ``KEY=value`` of a .env file, interpolated against earlier keys.

    A bare ``KEY`` (taken from the environment by compose) is no setting; a
    line that is neither, or a quote that never closes, is HOS901 and parsing
    resumes on the next line.
    """
    reader = _EnvReader(src, text, LineIndex.of(text))
    pos = 0
    while pos < len(text):
        pos = reader.line(pos)
    return Read(tuple(reader.settings), tuple(reader.problems), comments=tuple(reader.comments))


class _EnvReader:
    """Reads a .env file line by line, collecting settings, problems and the
    variables defined so far (for interpolation)."""

    def __init__(self, src: SourceFile, text: str, lines: LineIndex) -> None:
        self.src, self.text, self.lines = src, text, lines
        self.env: dict[str, Value] = {}
        self.settings: list[Setting] = []
        self.problems: list[Problem] = []
        self.comments: list[tuple[int, int]] = []  # (start, end) of each `#` comment

    def line(self, pos: int) -> int:
        """Read the line (or multi-line assignment) at ``pos``; return where the next starts."""
        text = self.text
        eol = line_end(text, pos)
        if _only_comment(text[pos:eol]):
            self.comment_in(pos, eol)
            return next_line(text, pos)
        key = _ENV_KEY.match(text, pos, eol)
        if key is None or (key.group(2) is None and not _only_comment(text[key.end():eol])):
            self.problem(pos, "not a KEY=value line")
            return next_line(text, pos)
        if key.group(2) is None:
            self.comment_in(key.end(), eol)
            return next_line(text, pos)
        return self.assignment(key.group(1), key.end())

    def assignment(self, name: str, pos: int) -> int:
        """Record ``name=<value at pos>`` (or its HOS901); return where parsing resumes."""
        raw = _env_value(self.text, pos)
        if raw is None:
            self.problem(pos, "unterminated quoted value")
            return next_line(self.text, pos)
        value = interpolate(raw.text, self.env) if raw.interpolates else Value.literal(raw.text)
        self.env[name] = value
        line, col = self.lines.position(raw.start)
        self.settings.append(Setting(name, value, line, col))
        self.comment_in(raw.end, line_end(self.text, raw.end))
        return next_line(self.text, raw.end)

    def comment_in(self, start: int, end: int) -> None:
        """Note the comment filling the rest of a line, if ``text[start:end]`` is one."""
        at = start + len(self.text[start:end]) - len(self.text[start:end].lstrip())
        if at < end and self.text[at] == "#":
            self.comments.append((at, end))

    def problem(self, offset: int, what: str) -> None:
        line, col = self.lines.position(offset)
        self.problems.append(parse_error(self.src, line, col, f".env parse error: {what}"))


def _env_value(text: str, pos: int) -> EnvValue | None:
    """The value starting at ``pos``; None for a quote that never closes."""
    quote = text[pos:pos + 1]
    if quote == "'":
        close = text.find("'", pos + 1)
        return None if close == -1 else EnvValue(text[pos + 1:close], False, pos + 1, close + 1)
    if quote == '"':
        return _double_quoted(text, pos)
    end = line_end(text, pos)
    comment = re.search(r"[ \t]#", text[pos:end])
    stop = pos + comment.start() if comment else end
    return EnvValue(text[pos:stop].rstrip(), True, pos, stop)


def _double_quoted(text: str, pos: int) -> EnvValue | None:
    """A ``"..."`` value (it may span lines); ``\\$`` becomes ``$$`` so it stays literal."""
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return EnvValue("".join(out), True, pos + 1, i + 1)
        if char == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append(_DQ_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(char)
        i += 1
    return None


def _only_comment(rest: str) -> bool:
    rest = rest.strip()
    return not rest or rest.startswith("#")
