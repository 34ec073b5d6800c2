"""``path:line:col: CODE message`` lines, sorted, then one summary line.

Paths, messages and source lines come from the checked repository: they pass
through ``printable`` before the colour codes are added, so no ESC, BEL or
other control or bidirectional character reaches the terminal raw.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from hos_lint.analysis import RunResult
from hos_lint.filenames import escape
from hos_lint.model import Finding, Severity
from hos_lint.output.options import RenderOptions
from hos_lint.output.paths import from_cwd
from hos_lint.rule import Catalog
from hos_lint.safe import printable

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def render(result: RunResult, catalog: Catalog, options: RenderOptions) -> str:
    def shown(path: str) -> str:
        return from_cwd(result, path, options.cwd)

    lines = [_line(f, options.color, shown) for f in result.findings]
    if options.show_source:
        lines = [l for f in result.findings for l in (_line(f, options.color, shown), *_source(f, options.sources))]
    if options.statistics:
        lines += _statistics(result.findings)
    lines += [printable(f"{shown(e.path)}: stale baseline entry {e.code} {e.relation or ''} no longer occurs; "
                        "run `hos-lint baseline` to drop it") for e in result.stale]
    if not options.quiet or result.findings:
        lines.append(summary(result))
    return escape("\n".join(lines) + "\n")


def _line(f: Finding, color: bool, shown: Callable[[str], str]) -> str:
    loc = f"{printable(shown(f.location.path))}:{f.location.line}:{f.location.col}:"
    code = f.code
    if color:
        loc = f"{_BOLD}{loc}{_RESET}"
        code = f"{_COLORS[f.severity]}{code}{_RESET}"
    return f"{loc} {code} {printable(f.full_message)}"


def _source(f: Finding, sources: Mapping[tuple[str, int], str]) -> list[str]:
    source = sources.get((f.location.path, f.location.line))
    if source is None:
        return []
    # a tab is one column wide, like the caret's count: shown as one space
    return [f"    {printable(source.replace(chr(9), ' '))}", "    " + " " * (f.location.col - 1) + "^"]


def _statistics(findings: tuple[Finding, ...]) -> list[str]:
    counts = Counter((f.code, f.name) for f in findings)
    return [f"{n:5d}  {code}  {name}" for (code, name), n in sorted(counts.items())]


def summary(result: RunResult) -> str:
    by = Counter(f.severity for f in result.findings)
    total = len(result.findings)
    parts = [f"{by[s]} {s.value}{'s' if by[s] != 1 and s is not Severity.INFO else ''}"
             for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if by[s]]
    head = f"Found {total} problem{'s' if total != 1 else ''}" + (f" ({', '.join(parts)})" if parts else "")
    if not total:
        head = "No problems found"
    tail = f" in {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}" \
           f" across {len(result.services)} services"
    if not total and not result.files_scanned:  # never "No problems found" about nothing
        head, tail = "No files checked", f" across {len(result.services)} services"
    skipped = len(result.notices)
    extra = f"; {skipped} file{'s' if skipped != 1 else ''} not analysed" if skipped else ""
    suppressed = f"; {result.suppressed} suppressed" if result.suppressed else ""
    baselined = f"; {result.baselined} baselined" if result.baselined else ""
    return f"{head}{tail}{extra}{suppressed}{baselined} ({result.duration_s:.2f}s)."
