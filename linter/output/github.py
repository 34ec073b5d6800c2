"""GitHub Actions workflow commands: one annotation per finding, then the summary.

``::error file=P,line=L,col=C,title=CODE name::message`` (warning → ``warning``,
info → ``notice``). GitHub's escapes: the message escapes ``%``, CR and LF
(``%25``, ``%0D``, ``%0A``), so it stays on its line and cannot start a
command; property values also escape ``:`` and ``,`` (``%3A``, ``%2C``), so
no ``::`` or ``,`` ends the property list. Other control and bidirectional
characters (the log viewer reads ANSI escapes) show as ``\\xNN`` escapes.

GitHub shows only the first 10 annotations of each level (error, warning,
notice) per step and drops the rest without a word. So findings are ordered by
severity (errors first, each level in the findings' sorted order), at most
``max_annotations`` of each level are printed as annotations (0: no cap), and
when any are held back one more ``::notice`` says how many and where they are;
that notice takes one of the notice level's places. The findings held back
follow it as plain log lines (``CODE path:line:col: message``: a line starting
with the rule code can never be read as a workflow command).
"""
from __future__ import annotations

from collections import Counter

from hos_lint.analysis import RunResult
from hos_lint.filenames import escape
from hos_lint.model import Finding, Severity
from hos_lint.output.options import RenderOptions
from hos_lint.output.paths import from_repo
from hos_lint.output.text import summary
from hos_lint.rule import Catalog
from hos_lint.safe import printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_LEVELS = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_NOUNS = {Severity.ERROR: ("error", "errors"), Severity.WARNING: ("warning", "warnings"),
          Severity.INFO: ("info finding", "info findings")}


def render(result: RunResult, catalog: Catalog, options: RenderOptions) -> str:
    """Annotations by severity, at most ``max_annotations`` of each level; when some are held
    back, a notice counting them and the held-back findings as log lines; then the summary."""
    cap = result.max_annotations if options.max_annotations is None else options.max_annotations
    ordered = sorted(result.findings, key=lambda f: -f.severity.rank)  # stable: sorted order within a level
    shown, held = split(ordered, cap)
    lines = [annotation(f, from_repo(result, f.location.path)) for f in shown]
    if held:
        lines.append(held_back_notice(len(ordered), held, cap, options.elsewhere))
        lines += [log_line(f, from_repo(result, f.location.path)) for f in held]
    lines.append(summary(result))
    return escape("\n".join(lines) + "\n")


def split(findings: list[Finding], cap: int) -> tuple[list[Finding], list[Finding]]:
    """(annotated, held back): the first ``cap`` findings of each level, ``cap - 1`` notices
    when anything is held back (the notice saying so is one more), everything when ``cap`` is 0."""
    if cap <= 0:
        return findings, []
    count = Counter(f.severity for f in findings)
    over = any(n > cap for n in count.values())
    limits = {level: cap for level in _LEVELS}
    if over:
        limits[Severity.INFO] = cap - 1
    seen: Counter[Severity] = Counter()
    shown: list[Finding] = []
    held: list[Finding] = []
    for f in findings:
        seen[f.severity] += 1
        (shown if seen[f.severity] <= limits[f.severity] else held).append(f)
    return shown, held


def held_back_notice(total: int, held: list[Finding], cap: int, elsewhere: tuple[str, ...]) -> str:
    """``::notice title=hos-lint: N of M findings not annotated::…`` naming where they are."""
    count = Counter(f.severity for f in held)
    parts = [f"{count[s]} {_NOUNS[s][count[s] != 1]}" for s in _LEVELS if count[s]]
    where = ", ".join(("this step's log below", *elsewhere))
    title = f"hos-lint: {len(held)} of {total} findings not annotated"
    message = (f"At most {cap} annotation{'s' if cap != 1 else ''} of each level per step (GitHub shows the first 10). "
               f"Not annotated: {_and(parts)}; see {where}.")
    return f"::notice title={escape_property(title)}::{escape_data(message)}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def log_line(f: Finding, path: str) -> str:
    """A finding as a plain log line that no runner reads as a command: the code comes first."""
    return f"{f.code} {escape_data(path)}:{f.location.line}:{f.location.col}: {escape_data(f.full_message)}"


def annotation(f: Finding, path: str | None = None) -> str:
    """One workflow command line for a finding; ``path`` is the file as the repository names it."""
    props = {
        "file": f.location.path if path is None else path,
        "line": str(f.location.line),
        "col": str(f.location.col),
        "title": f"{f.code} {f.name}" if f.name else f.code,
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{COMMANDS[f.severity]} {joined}::{escape_data(f.full_message)}"


def escape_data(text: str) -> str:
    """The message escapes: ``%`` first, so the escapes themselves survive."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """Property values also escape the separators ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
