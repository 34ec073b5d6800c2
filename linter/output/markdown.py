"""A GitHub-flavoured Markdown summary for ``$GITHUB_STEP_SUMMARY`` or a PR comment.

A verdict heading, a totals line, counts by rule and by service, the baseline
state, what was not analysed, and the first ``MAX_FINDINGS`` findings. Empty
sections are left out.

``text`` and ``code`` are the one place that makes hostile text (file,
relation and service names, messages) safe in Markdown; ``hos-lint report
--format md`` uses them too. Line breaks fold to a space, other control and
bidirectional characters show as escapes (``hos_lint.safe``), and
``text`` escapes what could break a table cell or make a link, an image or
HTML: ``\\ | [ ]`` get a backslash, ``&`` and ``<`` become entities.
"""
from __future__ import annotations

import re
from collections import Counter

from hos_lint.analysis import RunResult
from hos_lint.filenames import escape
from hos_lint.model import Finding, Severity
from hos_lint.output.options import RenderOptions
from hos_lint.output.paths import from_repo
from hos_lint.rule import Catalog
from hos_lint.safe import printable

MAX_FINDINGS = 50
_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_NO_SERVICE = "(no service)"


def render(result: RunResult, catalog: Catalog, options: RenderOptions) -> str:
    """The whole summary; blocks are separated by one blank line."""
    blocks = [_heading(result), _totals(result)]
    blocks += [b for b in (_by_rule(result.findings), _by_service(result.findings), _baseline(result),
                           _not_analysed(result), _findings(result)) if b]
    return escape("\n\n".join(blocks) + "\n")


def _heading(result: RunResult) -> str:
    return "## ❌ hos-lint: failed" if result.failed else "## ✅ hos-lint: passed"


def _totals(result: RunResult) -> str:
    """One line: findings by severity, scope, threshold, and what was left out."""
    n = len(result.findings)
    by = Counter(f.severity for f in result.findings)
    head = f"**{n} finding{_s(n)}**"
    if n:
        head += " (" + ", ".join(f"{by[s]} {s.value}{_s(by[s]) if s.value != 'info' else ''}"
                                 for s in _ORDER if by[s]) + ")"
    files, services = result.files_scanned, len(result.services)
    parts = [f"{head} in {files} file{_s(files)} across {services} service{_s(services)}",
             f"fail on: {result.fail_on}"]
    if result.suppressed:
        parts.append(f"{result.suppressed} suppressed")
    if result.notices:
        parts.append(f"{len(result.notices)} file{_s(len(result.notices))} not analysed")
    return " · ".join(parts)


def _by_rule(findings: tuple[Finding, ...]) -> str:
    """Counts per (code, name, reported severity), most findings first, then by code."""
    counts = Counter((f.code, f.name, f.severity.value) for f in findings)
    rows = [[code, name, sev, str(n)] for (code, name, sev), n in
            sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return _section("By rule", table(["Code", "Name", "Severity", "Count"], rows, numeric={3})) if rows else ""


def _by_service(findings: tuple[Finding, ...]) -> str:
    counts = Counter(f.service or _NO_SERVICE for f in findings)
    rows = [[text(svc), str(n)] for svc, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return _section("By service", table(["Service", "Count"], rows, numeric={1})) if rows else ""


def _baseline(result: RunResult) -> str:
    """New vs baselined counts and the stale entries; empty when no baseline is in play."""
    baselined, stale = result.baselined, result.stale
    if not baselined and not stale:
        return ""
    lines = [f"{len(result.findings)} new · {baselined} baselined"]
    if stale:
        lines += ["", f"{len(stale)} stale entr{'y' if len(stale) == 1 else 'ies'} "
                      "(no longer occur; run `hos-lint baseline` to drop them):", ""]
        lines += [f"- {text(e.code)}" + (f" {text(e.relation)}" if e.relation else "")
                  + f" in {code(from_repo(result, e.path))}" for e in stale]
    return _section("Baseline", "\n".join(lines))


def _not_analysed(result: RunResult) -> str:
    items = [f"- {code(from_repo(result, n.path))}: {text(n.reason)}" for n in result.notices]
    return _section("Not analysed", "\n".join(items)) if items else ""


def _findings(result: RunResult) -> str:
    findings = result.findings
    rows = [[code(f"{from_repo(result, f.location.path)}:{f.location.line}"), f.code, text(f.full_message)]
            for f in findings[:MAX_FINDINGS]]
    if not rows:
        return ""
    body = table(["Location", "Code", "Message"], rows)
    rest = len(findings) - MAX_FINDINGS
    if rest > 0:
        body += f"\n\n…and {rest} more."
    return _section("Findings", body)


def _section(title: str, body: str) -> str:
    return f"### {title}\n\n{body}"


def table(header: list[str], rows: list[list[str]], numeric: frozenset[int] | set[int] = frozenset()) -> str:
    """A GFM table; cells must already be escaped. ``numeric`` columns align right."""
    rule = ["---:" if i in numeric else "---" for i in range(len(header))]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in (header, rule, *rows))


_MARKUP = re.compile(r"[\\|\[\]&<]")
_ENTITIES = {"&": "&amp;", "<": "&lt;"}


def text(value: str) -> str:
    """Plain text safe in a table cell or a line: one line, no control character,
    no link, image, HTML or entity, no ``|`` that ends a cell."""
    value = printable(re.sub(r"\r\n|\r|\n", " ", value))
    return _MARKUP.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), value)


def code(value: str) -> str:
    """An inline code span for a path or a relation, safe in a table cell.

    The fence is one backtick longer than the longest run inside (CommonMark),
    padded when the text starts or ends with a backtick. ``|`` still needs its
    backslash inside a code span in a GFM table; nothing else is read inside
    one.
    """
    value = printable(re.sub(r"\r\n|\r|\n", " ", value))
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}".replace("|", r"\|")


def _s(n: int) -> str:
    return "" if n == 1 else "s"
