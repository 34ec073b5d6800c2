"""The report's dependency graph as text: Mermaid (``graph LR``) and Graphviz DOT.

One node per service, one arrow per dependency (a service touching another
service's data), coloured by the worst finding on it and dashed when the
service only reads through views. Labels are escaped for each language, so
no name from the checked repository can end a label or add a node.
"""
from __future__ import annotations

from hos_lint.filenames import escape
from hos_lint.output.options import ReportOptions
from hos_lint.output.report_labels import COLOURS, edge_label, edge_severity, edge_target
from hos_lint.report import Report
from hos_lint.safe import printable


def render_mermaid(report: Report, options: ReportOptions) -> str:
    """``graph LR``: one node per service, one arrow per dependency, coloured by
    the worst finding; dashed when the service only reads through views."""
    ids = {s: f"n{i}" for i, s in enumerate(report.services)}
    lines = ["graph LR"] + [f'  {ids[s]}["{_mermaid_text(s)}"]' for s in report.services]
    styles = []
    for i, edge in enumerate(report.edges):
        severity = edge_severity(edge)
        arrow = "-.->" if severity == "view" else "-->"
        lines.append(f'  {ids[edge.service]} {arrow}|"{_mermaid_text(edge_label(edge))}"| {ids[edge_target(edge)]}')
        styles.append(f"  linkStyle {i} stroke:{COLOURS[severity]},stroke-width:2px")
    return escape("\n".join(lines + styles) + "\n")


_MERMAID_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:/")


def _mermaid_text(text: str) -> str:
    """A label inside ``"…"``: control characters as escapes, and every ASCII
    character but letters, digits and `` _-.,:/`` as a Mermaid entity code
    (``#34;``), so no quote, bracket, pipe, ``#``, ``%%`` comment, backtick
    or HTML tag reaches the parser or the page."""
    return "".join(c if c in _MERMAID_PLAIN or ord(c) > 0x7F else f"#{ord(c)};" for c in printable(text))


def render_dot(report: Report, options: ReportOptions) -> str:
    """Graphviz ``digraph``: the same graph as ``render_mermaid``."""
    lines = ['digraph "hos-lint" {', "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="sans-serif"];',
             '  edge [fontname="sans-serif", fontsize=10];']
    lines += [f"  {dot_id(s)};" for s in report.services]
    for edge in report.edges:
        severity = edge_severity(edge)
        style = ", style=dashed" if severity == "view" else ""
        lines.append(f"  {dot_id(edge.service)} -> {dot_id(edge_target(edge))} "
                     f'[label={dot_id(edge_label(edge))}, color="{COLOURS[severity]}"{style}];')
    return escape("\n".join(lines + ["}"]) + "\n")


def dot_id(text: str) -> str:
    """A double-quoted DOT string: control characters as escapes, ``\\`` doubled
    (so no ``\\n``/``\\N``/``\\G`` label escape), ``"`` escaped, and ``&`` as
    ``&amp;`` (Graphviz reads HTML entities in labels)."""
    text = printable(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return f'"{text}"'
