"""Inline suppressions: ``hos-lint: ignore[HOS102] reason`` in the host
language's comment syntax (SPEC §5).

Finding the comments is extraction's job: each extractor hands over the
comments its own lexer saw (``ExtractResult.comments``: tree-sitter comment
nodes for TypeScript, ``tokenize`` comments for Python, the SQL splitter's
``--`` and ``/* */`` comments, the Prisma tokenizer's, the shell scanner's
and the YAML scanner's), so a directive is found exactly where the extractor
itself saw a comment, never inside a string. ``find_suppressions`` reads the
directives in them right after extraction (pure, per file, cached). Applying
them is part of policy: a suppression covers a finding when it sits on any
line of the finding's statement (its anchor) or, standing alone, on the
line(s) directly above it. Codes and a reason are required; a malformed or
unused suppression is reported as HOS902.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from hos_lint.model import Comment, Finding, Location, Suppression

# Only files whose bytes hold this can hold a suppression: extraction is asked
# for comments only then (the Python tokenizer pass is not free).
MARK = b"hos-lint:"
_DIRECTIVE = re.compile(r"hos-lint:\s*(?P<verb>[\w-]+)(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)$", re.DOTALL)
_CODE = re.compile(r"^HOS\d{3}$")


def find_suppressions(path: str, comments: Iterable[Comment]) -> tuple[Suppression, ...]:
    """Every ``hos-lint:`` directive in a file's comments (malformed ones included,
    with ``codes`` empty or ``reason`` empty, so policy can report them)."""
    out = []
    for comment in comments:
        match = _DIRECTIVE.search(comment.text)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip())
        if match.group("verb") != "ignore" or not all(_CODE.match(c) for c in codes):
            codes = ()
        reason = _clean_reason(match.group("reason"))
        # standing alone, it covers the statement below it; else the line(s) it shares with one
        reach = comment.end_line + 1 if comment.own_line else comment.end_line
        out.append(Suppression(location=Location(path, comment.line, comment.col), codes=codes, reason=reason,
                               lines=(comment.line, reach)))
    return tuple(out)


def _clean_reason(text: str) -> str:
    """The reason as one line: a block comment's closer and line breaks dropped."""
    text = " ".join(text.split())
    if text.endswith("*/"):
        text = text[:-2].strip()
    return text.lstrip(":-— ").strip()


def covers(s: Suppression, f: Finding) -> bool:
    if f.location.path != s.location.path or f.code not in s.codes or not s.reason:
        return False
    start, end = (f.anchor.start_line, f.anchor.end_line) if f.anchor else (f.location.line, f.location.line)
    end = max(end, f.location.line)
    first, reach = s.lines
    return first <= end and start <= reach


@dataclass(frozen=True, slots=True)
class Applied:
    kept: tuple[Finding, ...]
    suppressed: tuple[Finding, ...]
    unused: tuple[Suppression, ...]
    malformed: tuple[Suppression, ...]


def apply(findings: Iterable[Finding], suppressions: Iterable[Suppression]) -> Applied:
    """Split findings into kept and suppressed; list unused and malformed suppressions."""
    suppressions = tuple(suppressions)
    valid = [s for s in suppressions if s.codes and s.reason]
    malformed = tuple(s for s in suppressions if not (s.codes and s.reason))
    by_path: dict[str, list[Suppression]] = {}
    for s in valid:
        by_path.setdefault(s.location.path, []).append(s)
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    used: set[Suppression] = set()
    for f in findings:
        hits = [s for s in by_path.get(f.location.path, ()) if covers(s, f)]
        (suppressed if hits else kept).append(f)
        used.update(hits)
    unused = tuple(s for s in valid if s not in used)
    return Applied(tuple(kept), tuple(suppressed), unused, malformed)
