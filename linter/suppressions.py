"""Inline suppressions: ``hos-lint: ignore[HOS102] reason`` in the host
language's comment syntax (SPEC §5).

Finding the comments is part of extraction (pure, per file, cached): only
files whose bytes contain ``hos-lint:`` are scanned, with each language's real
comment syntax (tree-sitter for TypeScript, ``tokenize`` for Python, a quote-
and dollar-quote-aware scan for SQL and Prisma). Applying them is part of
policy: a suppression covers a finding when it sits on any line of the
finding's statement (its anchor) or on its own line directly above it.
Codes and a reason are required; a malformed or unused suppression is
reported as HOS902.
"""
from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from linter.model import Finding, Language, Location, Suppression

MARK = b"hos-lint:"
_DIRECTIVE = re.compile(r"hos-lint:\s*(?P<verb>[\w-]+)(?:\[(?P<codes>[^\]]*)\])?(?P<reason>.*)$", re.DOTALL)
_CODE = re.compile(r"^HOS\d{3}$")


@dataclass(frozen=True, slots=True)
class Comment:
    line: int
    col: int
    text: str
    own_line: bool  # nothing but whitespace before it on its line


def find_suppressions(language: Language, path: str, text: str) -> tuple[Suppression, ...]:
    """Every ``hos-lint:`` directive in the file's comments (malformed ones included,
    with ``codes`` empty or ``reason`` empty, so policy can report them)."""
    out = []
    for comment in _comments(language, path, text):
        match = _DIRECTIVE.search(comment.text)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip())
        if match.group("verb") != "ignore" or not all(_CODE.match(c) for c in codes):
            codes = ()
        reason = _clean_reason(match.group("reason"))
        below = comment.line + 1 if comment.own_line else comment.line
        out.append(Suppression(location=Location(path, comment.line, comment.col), codes=codes, reason=reason,
                               lines=(comment.line, below)))
    return tuple(out)


def _clean_reason(text: str) -> str:
    text = text.strip()
    for closer in ("*/", "-->"):
        if text.endswith(closer):
            text = text[: -len(closer)].strip()
    return text.lstrip(":-— ").strip()


def covers(s: Suppression, f: Finding) -> bool:
    if f.location.path != s.location.path or f.code not in s.codes or not s.reason:
        return False
    start, end = (f.anchor.start_line, f.anchor.end_line) if f.anchor else (f.location.line, f.location.line)
    end = max(end, f.location.line)
    comment_line, below = s.lines
    return start <= comment_line <= end or (below != comment_line and start <= below <= end)


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
    kept, suppressed, used = [], [], set()
    for f in findings:
        hits = [s for s in by_path.get(f.location.path, ()) if covers(s, f)]
        (suppressed if hits else kept).append(f)
        used.update(hits)
    unused = tuple(s for s in valid if s not in used)
    return Applied(tuple(kept), tuple(suppressed), unused, malformed)


# --- comment scanners, one per syntax -----------------------------------------


def _comments(language: Language, path: str, text: str) -> list[Comment]:
    if language is Language.PYTHON:
        return _python_comments(text)
    if language is Language.TYPESCRIPT:
        return _typescript_comments(path, text)
    if language is Language.SQL:
        return _scan(text, line_markers=("--",), quotes="'\"", dollar=True)
    if language is Language.PRISMA:
        return _scan(text, line_markers=("//",), quotes='"', dollar=False)
    if language is Language.SHELL:
        return _scan(text, line_markers=("#", "--"), quotes="", dollar=False)
    # YAML, .env: '#' after whitespace; quotes are not tracked (an apostrophe in a plain value is common)
    return _scan(text, line_markers=("#",), quotes="", dollar=False)


def _python_comments(text: str) -> list[Comment]:
    out = []
    lines = text.splitlines()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                line, col = tok.start
                own = not lines[line - 1][:col].strip()
                out.append(Comment(line, col + 1, tok.string, own))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # the extractor reports the syntax error (HOS901); comments so far still count
    return out


def _typescript_comments(path: str, text: str) -> list[Comment]:
    from linter.extract import typescript

    # the same bytes and path as the extractor used, so this reuses its parse
    data = text.encode("utf-8", "surrogatepass")
    root = typescript.parse_tree(data, path)
    lines = text.splitlines()
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            row, byte_col = node.start_point
            prefix = lines[row].encode("utf-8")[:byte_col].decode("utf-8", "replace") if row < len(lines) else ""
            body = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
            out.append(Comment(row + 1, len(prefix) + 1, body, not prefix.strip()))
        elif node.child_count:
            stack.extend(node.children)
    return sorted(out, key=lambda c: (c.line, c.col))


def _scan(text: str, *, line_markers: tuple[str, ...], quotes: str, dollar: bool) -> list[Comment]:
    """Line comments outside quotes (and dollar-quoted bodies) for SQL-, Prisma- and #-style syntaxes."""
    out = []
    line, line_start, i, n = 1, 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line, line_start = line + 1, i + 1
        elif ch in quotes:
            end = text.find(ch, i + 1)
            end = n if end == -1 else end
            line += text.count("\n", i, end)
            if "\n" in text[i:end]:
                line_start = text.rfind("\n", i, end) + 1
            i = end
        elif dollar and ch == "$":
            i, line, line_start = _skip_dollar_body(text, i, line, line_start)
        elif any(text.startswith(m, i) for m in line_markers) and _starts_comment(text, i, line_start):
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(Comment(line, i - line_start + 1, text[i:end], not text[line_start:i].strip()))
            i = end - 1
        i += 1
    return out


def _starts_comment(text: str, i: int, line_start: int) -> bool:
    # '#' starts a comment only at a word boundary (shell: `echo a#b` is not one)
    return text[i] != "#" or i == line_start or text[i - 1] in " \t"


_DOLLAR_TAG = re.compile(r"\$[A-Za-z_]?\w*\$")


def _skip_dollar_body(text: str, i: int, line: int, line_start: int) -> tuple[int, int, int]:
    tag = _DOLLAR_TAG.match(text, i)
    if tag is None:
        return i, line, line_start
    end = text.find(tag.group(0), tag.end())
    end = len(text) if end == -1 else end + len(tag.group(0)) - 1
    body = text[i:end]
    if "\n" in body:
        line += body.count("\n")
        line_start = i + body.rfind("\n") + 1
    return end, line, line_start
