"""``hos-lint report --format md``: the report as a pull-request comment.

The summary line, the services × owners matrix, each service's foreign
touches, and the dependency graph as a Mermaid block. Names from the checked
repository pass through ``linter.output.markdown``'s ``text`` and ``code``.
"""
from __future__ import annotations

from hos_lint.filenames import escape
from hos_lint.output.markdown import code as md_code
from hos_lint.output.markdown import text as md_text
from hos_lint.output.options import ReportOptions
from hos_lint.output.report_graph import render_mermaid
from hos_lint.output.report_labels import ICONS, cell_counts, idle_note, owner_label, route_label, summary
from hos_lint.report import Cell, Report


def render(report: Report, options: ReportOptions) -> str:
    """A pull-request comment: summary, matrix, per-service foreign touches, mermaid graph."""
    lines = ["## hos-lint report", "", summary(report), "", "### Who touches whose data", "",
             "Rows are the services whose code touches the data; columns are the services that own it.", ""]
    lines += _matrix(report)
    lines += ["", "❌ error · ⚠️ warning · ℹ️ info (the worst finding in the cell)", "",
              "### Foreign relations by service", ""]
    clean = [s for s in report.services if not any(t.service == s and t.foreign for t in report.touches)]
    for service in report.services:
        if service not in clean:
            lines += _service(report, service)
    if clean:
        lines += ["Touch no other service's data: " + ", ".join(md_text(s) for s in clean) + ".", ""]
    lines += ["### Dependency graph", "", "```mermaid", render_mermaid(report, options).rstrip("\n"), "```"]
    return escape("\n".join(lines) + "\n")


def _matrix(report: Report) -> list[str]:
    columns = report.columns
    head = "| service ↓ · owner → | " + " | ".join(md_text(owner_label(o)) for o in columns) + " |"
    rows = [head, "|---" * (len(columns) + 1) + "|"]
    for service, row in report.matrix():
        cells = [_cell(cell) for cell in row]
        rows.append(f"| **{md_text(service)}** | " + " | ".join(cells) + " |")
    return rows + idle_note(report, md_text)


def _cell(cell: Cell | None) -> str:
    if cell is None:
        return "·"
    text = cell_counts(cell) or "—"
    if cell.worst is not None:
        text = f"{ICONS[cell.worst.value]} {text} ({cell.worst_code})"
    return text


def _service(report: Report, service: str) -> list[str]:
    touches = [t for t in report.touches if t.service == service and t.foreign]
    lines = [f"#### {md_text(service)}", ""]
    lines += ["| relation | owner | access | through | first seen | finding |", "|---|---|---|---|---|---|"]
    for t in touches:
        finding = f"{ICONS[t.worst.value]} {', '.join(t.findings)}" if t.worst else ""
        lines.append(f"| {md_code(t.relation)} | {md_text(owner_label(t.owner))} | {t.kind} ×{t.count} | "
                     f"{md_text(route_label(t))} | {md_code(f'{t.first.path}:{t.first.line}')} | {finding} |")
    return lines + [""]
