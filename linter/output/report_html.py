"""``hos-lint report --format html``: one self-contained page (inline CSS and
SVG, no scripts, no network).

The colour-coded matrix, the dependency graph laid out by hand as SVG,
each service's foreign touches and every finding, linked to
``ReportOptions.link_base`` + the percent-encoded path. Every name from the
checked repository is shown through ``_e`` (control characters as escapes,
then HTML-escaped), so none can add markup or a script.
"""
from __future__ import annotations

import html as _html
import math
from dataclasses import dataclass

from hos_lint.filenames import escape, uri
from hos_lint.model import Location
from hos_lint.output.options import ReportOptions
from hos_lint.output.report_labels import (
    COLOURS,
    cell_counts,
    edge_label,
    edge_severity,
    edge_target,
    idle_note,
    owner_label,
    route_label,
    summary,
)
from hos_lint.report import DIRECT, Cell, Report
from hos_lint.safe import printable

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:24px;max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}
h3{font-size:15px;margin:18px 0 6px}.summary{color:#57606a}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;padding:5px 9px;text-align:left;
vertical-align:top}th{background:#f6f8fa}
table.matrix td{min-width:110px;text-align:center}table.matrix th.row{text-align:right}
td.own{background:#f6f8fa;color:#57606a}td.error{background:#ffebe9;color:#82071e;font-weight:600}
td.warning{background:#fff8c5;color:#6a4d00}td.info{background:#ddf4ff;color:#0a3069}
td.view{background:#dafbe1;color:#116329}td.ok{background:#eaeef2}td.none{color:#afb8c1}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:3px}
.legend .error{background:#ffebe9}.legend .warning{background:#fff8c5}.legend .info{background:#ddf4ff}
.legend .view{background:#dafbe1}.legend .ok{background:#eaeef2}.legend .own{background:#f6f8fa}
svg text{font:13px system-ui,sans-serif}svg .label{font-size:11px;fill:#57606a}
a{color:#0969da}
"""


def render(report: Report, options: ReportOptions) -> str:
    """One self-contained page (inline CSS and SVG, no scripts, no network):
    the colour-coded matrix, the dependency graph, per-service foreign touches
    and every finding linked to ``link_base + path#Lline``."""
    link_base = options.link_base
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        "<title>hos-lint report</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        "<h1>hos-lint report</h1>", f'<p class="summary">{_e(summary(report))}</p>',
        '<h2 id="matrix">Who touches whose data</h2>',
        "<p>Rows are the services whose code touches the data; columns are the services that own it.</p>",
        _matrix(report), _LEGEND,
        '<h2 id="graph">Dependency graph</h2>', _svg(report),
        '<h2 id="touches">Foreign relations by service</h2>',
        *(_service(report, s, link_base) for s in report.services),
        '<h2 id="findings">Findings</h2>', _findings(report, link_base),
        "</body>", "</html>",
    ]
    return escape("\n".join(parts) + "\n")


_LEGEND = ('<p class="legend"><span class="error">error</span><span class="warning">warning</span>'
           '<span class="info">info</span><span class="view">through views only</span>'
           '<span class="ok">no finding (allowed)</span><span class="own">own data</span></p>')


def _e(text: str) -> str:
    """Text or an attribute value: control characters as escapes, then HTML-escaped."""
    return _html.escape(printable(text), quote=True)


def _matrix(report: Report) -> str:
    head = "".join(f"<th>{_e(owner_label(o))}</th>" for o in report.columns)
    rows = [f'<table class="matrix"><thead><tr><th>service ↓ · owner →</th>{head}</tr></thead><tbody>']
    for service in report.rows:
        cells = "".join(_cell(report.cell(service, o), service == o) for o in report.columns)
        rows.append(f'<tr><th class="row">{_e(service)}</th>{cells}</tr>')
    note = "".join(f"<p>{_e(line)}</p>" for line in idle_note(report, str) if line)
    return "\n".join(rows + ["</tbody></table>"]) + note


def _cell(cell: Cell | None, own: bool) -> str:
    if cell is None:
        return '<td class="none">·</td>'
    css = "own" if own and cell.worst is None else edge_severity(cell)
    text = _e(cell_counts(cell) or "—")
    if cell.worst_code:
        text += f"<br><b>{_e(cell.worst_code)}</b> ×{cell.findings}"
    return f'<td class="{css}">{text}</td>'


def _service(report: Report, service: str, link_base: str) -> str:
    touches = [t for t in report.touches if t.service == service and t.foreign]
    if not touches:
        return f"<h3>{_e(service)}</h3><p>Touches no other service's data.</p>"
    rows = [f"<h3>{_e(service)}</h3>", "<table><thead><tr><th>relation</th><th>owner</th><th>access</th>"
            "<th>through</th><th>first seen</th><th>finding</th></tr></thead><tbody>"]
    for t in touches:
        css = t.worst.value if t.worst else ("view" if t.route != DIRECT else "ok")
        rows.append(f'<tr><td class="code">{_e(t.relation)}</td><td>{_e(owner_label(t.owner))}</td>'
                    f"<td>{t.kind} ×{t.count}</td><td>{_e(route_label(t))}</td>"
                    f"<td>{_link(t.first, link_base)}</td><td class=\"{css}\">{_e(', '.join(t.findings))}</td></tr>")
    return "\n".join(rows + ["</tbody></table>"])


def _link(loc: Location, link_base: str) -> str:
    """A link to the file: ``link_base`` (from the command line) plus the path
    percent-encoded, so a path is always relative to it: ``javascript:x`` becomes
    ``javascript%3Ax``, and a leading ``/`` (``//host``) gets ``./`` before it."""
    path = uri(loc.path)
    if not link_base and path.startswith("/"):
        path = "./" + path
    return f'<a class="code" href="{_e(f"{link_base}{path}#L{loc.line}")}">{_e(loc.path)}:{loc.line}</a>'


def _findings(report: Report, link_base: str) -> str:
    if not report.findings:
        return "<p>No findings.</p>"
    rows = ["<table><thead><tr><th>where</th><th>code</th><th>severity</th><th>service</th><th>message</th>"
            "</tr></thead><tbody>"]
    for f in report.findings:
        rows.append(f"<tr><td>{_link(f.location, link_base)}</td><td class=\"code\">{_e(f.code)}</td>"
                    f'<td class="{f.severity.value}">{f.severity.value}</td><td>{_e(f.service or "")}</td>'
                    f"<td>{_e(f.full_message)}</td></tr>")
    return "\n".join(rows + ["</tbody></table>"])


# --- the graph as inline SVG ------------------------------------------------------------

_NODE_H = 30


@dataclass(frozen=True, slots=True)
class _Node:
    name: str
    x: float
    y: float
    half_w: float


def _svg(report: Report) -> str:
    """The dependency graph laid out by hand: services on a circle, curved
    arrows (so A→B and B→A do not overlap), labels at each curve's middle."""
    nodes = _layout(report.services)
    size = 2 * max((abs(n.x) + n.half_w for n in nodes.values()), default=0) + 40
    height = 2 * max((abs(n.y) for n in nodes.values()), default=0) + _NODE_H + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="service dependency graph" '
           f'width="{size:.0f}" height="{height:.0f}" viewBox="{-size / 2:.0f} {-height / 2:.0f} {size:.0f} '
           f'{height:.0f}">', "<defs>"]
    out += [f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
            for k, c in COLOURS.items()]
    out.append("</defs>")
    out += [_svg_edge(edge, nodes) for edge in report.edges]
    out += [_svg_node(n) for n in nodes.values()]
    return "\n".join(out + ["</svg>"])


def _layout(services: tuple[str, ...]) -> dict[str, _Node]:
    n = len(services)
    radius = 0 if n <= 1 else max(130.0, 38.0 * n)
    out: dict[str, _Node] = {}
    for i, name in enumerate(services):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        out[name] = _Node(name, radius * math.cos(angle), radius * math.sin(angle), 4 + 4.2 * len(name) + 10)
    return out


def _svg_node(n: _Node) -> str:
    return (f'<g class="node"><rect x="{n.x - n.half_w:.1f}" y="{n.y - _NODE_H / 2:.1f}" width="{2 * n.half_w:.1f}" '
            f'height="{_NODE_H}" rx="6" fill="#ffffff" stroke="#57606a"/>'
            f'<text x="{n.x:.1f}" y="{n.y + 4.5:.1f}" text-anchor="middle">{_e(n.name)}</text></g>')


def _svg_edge(edge: Cell, nodes: dict[str, _Node]) -> str:
    a, b = nodes[edge.service], nodes[edge_target(edge)]
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    # bend to the right of the direction of travel, so the two directions part
    cx, cy = (a.x + b.x) / 2 - dy / length * 28, (a.y + b.y) / 2 + dx / length * 28
    x0, y0 = _boundary(a, cx - a.x, cy - a.y)
    x1, y1 = _boundary(b, cx - b.x, cy - b.y)
    mx, my = 0.25 * x0 + 0.5 * cx + 0.25 * x1, 0.25 * y0 + 0.5 * cy + 0.25 * y1
    severity = edge_severity(edge)
    dash = ' stroke-dasharray="6 4"' if severity == "view" else ""
    return (f'<g class="edge {severity}"><path d="M{x0:.1f},{y0:.1f} Q{cx:.1f},{cy:.1f} {x1:.1f},{y1:.1f}" '
            f'fill="none" stroke="{COLOURS[severity]}" stroke-width="2"{dash} marker-end="url(#arrow-{severity})"/>'
            f'<text class="label" x="{mx:.1f}" y="{my - 4:.1f}" text-anchor="middle">'
            f"{_e(edge.service)} → {_e(edge_target(edge))}: {_e(edge_label(edge))}</text>"
            "</g>")


def _boundary(n: _Node, dx: float, dy: float) -> tuple[float, float]:
    """Where a ray from the node's centre towards (dx, dy) leaves its box."""
    tx = n.half_w / abs(dx) if dx else math.inf
    ty = (_NODE_H / 2 + 2) / abs(dy) if dy else math.inf
    t = min(tx, ty)
    return n.x + dx * t, n.y + dy * t


