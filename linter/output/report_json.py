"""``hos-lint report --format json``: the report model as a versioned document."""
from __future__ import annotations

from typing import Any

from hos_lint.filenames import json_safe
from hos_lint.output.json_format import dumps_indented
from hos_lint.output.options import ReportOptions
from hos_lint.output.report_labels import edge_label, edge_severity
from hos_lint.report import Cell, Report, Touch

VERSION = 1


def render(report: Report, options: ReportOptions) -> str:
    """Version 1: ``services``, ``owners``, ``matrix``, ``touches``, ``edges``, ``unplaced``."""
    doc = {
        "version": VERSION,
        "services": list(report.services),
        "owners": list(report.owners),
        "matrix": [_cell(c) for c in report.cells],
        "touches": [_touch(t) for t in report.touches],
        "edges": [{"from": c.service, "to": c.owner, "label": edge_label(c), "severity": edge_severity(c)}
                  for c in report.edges],
        "unplaced": report.unplaced,
    }
    return dumps_indented(json_safe(doc)) + "\n"


def _cell(c: Cell) -> dict[str, Any]:
    return {"service": c.service, "owner": c.owner, "reads": c.reads, "writes": c.writes, "ddl": c.ddl,
            "references": c.references, "views": c.views, "findings": c.findings,
            "worst": c.worst.value if c.worst else None, "worst_code": c.worst_code}


def _touch(t: Touch) -> dict[str, Any]:
    return {"service": t.service, "relation": t.relation, "owner": t.owner, "kind": t.kind, "route": t.route,
            "channels": list(t.channels), "count": t.count, "first": str(t.first),
            "worst": t.worst.value if t.worst else None, "findings": list(t.findings)}
