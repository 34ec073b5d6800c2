"""Globs with exact gitignore semantics (``pathspec``), for ``exclude``, service
``paths`` and ``.gitignore`` files. Pure: patterns in, matchers out.

Two things are added to pathspec's translation:

- a glob matches any character a file name can hold, newlines included
  (pathspec's ``**`` is ``.+`` without DOTALL, and its end anchor ``$`` also
  matches before a final newline);
- a bound on wildcards. A glob is a backtracking regular expression, and one
  with many ``*`` or ``**`` can take minutes on one long path; the patterns
  come from the manifest and from ``.gitignore`` files in the checked
  repository, so both are untrusted. A pattern over the bound is refused
  (``GlobError``), never run.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore import GitIgnorePatternError
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern
from pathspec.util import NORMALIZE_PATH_SEPS, CheckResult, normalize_file

MAX_STARS = 3  # wildcard runs (`*` or `**`) in one pattern
MAX_DOUBLE_STARS = 2  # `**` segments in one pattern

_END = "(?:(?P<ps_d>/)|$)"  # pathspec's "end of name or a folder follows"


class GlobError(ValueError):
    """A pattern that cannot be used: invalid, or too costly to match."""


class _Pattern(GitIgnoreSpecPattern):
    """pathspec's gitignore pattern, matching any character (DOTALL) up to the true end (``\\Z``)."""

    __slots__ = ()

    @classmethod
    def pattern_to_regex(  # type: ignore[override]  # hos-lint passes str patterns only
        cls, pattern: str
    ) -> tuple[str | None, bool | None]:
        regex, include = super().pattern_to_regex(pattern)
        if regex is None:
            return regex, include
        # `$` only ever appears in pathspec's own end group; a literal `$` in a glob is escaped.
        return "(?s)" + regex.replace(_END, r"(?:(?P<ps_d>/)|\Z)"), include


def _wildcards(pattern: str) -> tuple[int, int]:
    """(wildcard runs, ``**`` segments) of a glob, outside ``\\`` escapes and ``[...]`` classes."""
    runs = doubles = 0
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            close = pattern.find("]", i + 2)
            i = close + 1 if close != -1 else i + 1
            continue
        if c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            runs += 1
            doubles += j - i >= 2
            i = j
            continue
        i += 1
    return runs, doubles


@lru_cache(maxsize=4096)
def compile_glob(pattern: str) -> _Pattern:
    """One gitignore-syntax pattern, compiled; ``GlobError`` when invalid or too costly."""
    runs, doubles = _wildcards(pattern)
    if runs > MAX_STARS or doubles > MAX_DOUBLE_STARS:
        raise GlobError(f"too many wildcards to match safely (at most {MAX_STARS} `*` or `**`, "
                        f"{MAX_DOUBLE_STARS} of them `**`)")
    try:
        return _Pattern(pattern)
    except (GitIgnorePatternError, re.error, ValueError) as err:
        raise GlobError(f"invalid glob: {err}") from None


def glob_error(pattern: str) -> str | None:
    """Why a pattern cannot be used, or None."""
    try:
        compile_glob(pattern)
    except GlobError as err:
        return str(err)
    return None


def spec(patterns: Iterable[str]) -> Spec:
    """A gitignore spec of already checked patterns (the last matching pattern decides)."""
    return Spec([compile_glob(p) for p in patterns])


def matches(pattern: str, path: str) -> bool:
    """Whether one pattern matches a project-relative path (a folder's path ends with ``/``).
    A negated pattern (``!x``) matches what it re-includes."""
    return compile_glob(pattern).match_file(path) is not None


def anchored(path: str) -> str:
    """The glob for a service ``paths`` entry: relative to the root, with everything under it
    (the leading ``/`` also keeps a name starting with ``!`` or ``#`` literal); ``.`` is the
    whole project (a repository that is one app)."""
    path = path.strip("/")
    while path.startswith("./"):
        path = path[2:].lstrip("/")
    return "**" if path in ("", ".") else f"/{path}/**"


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    """Whether any root-relative glob names ``path`` itself, the way workspace globs
    (``packages/*``) name folders: ``packages/*`` names ``packages/a`` but not ``packages/a/b``;
    only a trailing ``**`` reaches inside. A glob refused by the wildcard bound matches nothing."""
    for pattern in patterns:
        try:
            compiled = compile_glob("/" + pattern.lstrip("/"))
        except GlobError:
            continue
        found = compiled.match_file(path)
        if found is not None and found.match.groupdict().get("ps_d") is None:
            return True
    return False


def escape(text: str) -> str:
    """A literal path as a glob (for service folders found on disk)."""
    return "".join("\\" + c if c in "\\*?[" else c for c in text)


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_ANY_FOLDER = "^(?:.+/)?"  # pathspec's start of a pattern without `/`: at any depth


class Spec(GitIgnoreSpec):
    """pathspec's gitignore spec that first asks one regular expression, built from all
    its patterns and run in C, whether any pattern can match a path: pathspec loops
    over the patterns in Python, and most paths of a walk match none. Only after a
    yes is the exact answer (order and negations) asked of pathspec."""

    def __init__(self, patterns: Sequence[GitIgnoreSpecPattern]) -> None:
        super().__init__(patterns, backend="simple")
        self._may_match = _may_match(patterns)
        # for a walk's hot loop: None only when no pattern matches a normalised path
        self.quick: Callable[[str], object] = self._may_match or _always

    def check_file(self, file: str, separators: None = None) -> CheckResult[str]:  # type: ignore[override]
        if self._may_match is not None and self._may_match(normal_path(file)) is None:
            return CheckResult(file, None, None)
        return super().check_file(file)

    def match_file(self, file: str, separators: None = None) -> bool:  # type: ignore[override]
        if self._may_match is not None and self._may_match(normal_path(file)) is None:
            return False
        return super().match_file(file)

    def include_of(self, path: str) -> bool | None:
        """``check_file(path).include`` for a normalised path (no leading ``/`` or ``./``,
        as a walk builds them): True ignored, False re-included, None no pattern matches."""
        if self._may_match is not None and self._may_match(path) is None:
            return None
        return super().check_file(path).include


def normal_path(file: str) -> str:
    """The path pathspec matches (``pathspec.util.normalize_file``): without a leading
    ``/`` or ``./``. A quick test must see what the patterns will see."""
    if NORMALIZE_PATH_SEPS:
        return normalize_file(file)
    if file[:1] == "/":
        return file[1:]
    return file[2:] if file[:2] == "./" else file


def _never(path: str) -> None:
    return None


def _always(path: str) -> bool:
    return True


def _may_match(patterns: Sequence[GitIgnoreSpecPattern]) -> Callable[[str], object] | None:
    """A test whose answer is None only when none of ``patterns`` matches a path; None when
    their expressions cannot be combined (then every path is asked of pathspec).

    Patterns that start alike at any depth (``^(?:.+/)?``, every pattern without a ``/``)
    share that start: ``^(?:.+/)?(?:A|B)`` matches what ``^(?:.+/)?A|^(?:.+/)?B`` does,
    but tries each folder boundary once instead of once per pattern."""
    anywhere, parts = [], []
    for pattern in patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is None or regex is None:
            continue
        source = regex.pattern
        if not isinstance(source, str) or "(?P=" in source:
            return None
        source = source.removeprefix("(?s)")
        if source.startswith("(?"):  # another inline flag: no combined form
            return None
        source = _NAMED_GROUP.sub("(?:", source)
        if source.startswith(_ANY_FOLDER) and not _bar_outside_groups(source[len(_ANY_FOLDER):]):
            anywhere.append("(?:" + source[len(_ANY_FOLDER):] + ")")
        else:
            parts.append("(?:" + source + ")")
    if anywhere:
        parts.insert(0, _ANY_FOLDER + "(?:" + "|".join(anywhere) + ")")
    return re.compile("|".join(parts), re.S).match if parts else _never


def _bar_outside_groups(source: str) -> bool:
    """Whether a regular expression holds a ``|`` outside every group (an alternation
    that a shared start would split): escapes and character classes are skipped."""
    depth, i, n = 0, 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i += 1
            if i < n and source[i] == "^":
                i += 1
            if i < n and source[i] == "]":  # a `]` first in a class is literal
                i += 1
            while i < n and source[i] != "]":
                i += 2 if source[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth <= 0:
            return True
        i += 1
    return False
