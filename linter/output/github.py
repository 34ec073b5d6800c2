"""GitHub Actions workflow commands: one annotation per finding, then the summary.

``::error file=P,line=L,col=C,title=CODE name::message`` (warning → ``warning``,
info → ``notice``). GitHub's escapes: the message escapes ``%``, CR and LF
(``%25``, ``%0D``, ``%0A``), so it stays on its line and cannot start a
command; property values also escape ``:`` and ``,`` (``%3A``, ``%2C``), so
no ``::`` or ``,`` ends the property list. Other control and bidirectional
characters (the log viewer reads ANSI escapes) show as ``\\xNN`` escapes.
"""
from __future__ import annotations

from hos_lint.analysis import RunResult
from hos_lint.filenames import escape
from hos_lint.model import Finding, Severity
from hos_lint.output.options import RenderOptions
from hos_lint.output.paths import from_repo
from hos_lint.output.text import summary
from hos_lint.rule import Catalog
from hos_lint.safe import printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(result: RunResult, catalog: Catalog, options: RenderOptions) -> str:
    """Annotation lines in the findings' (sorted) order, then the text summary line."""
    lines = [annotation(f, from_repo(result, f.location.path)) for f in result.findings]
    lines.append(summary(result))
    return escape("\n".join(lines) + "\n")


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
