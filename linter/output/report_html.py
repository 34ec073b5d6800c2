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
from hos_lint.model import Finding, Location
from hos_lint.output.options import ReportOptions
from hos_lint.output.report_labels import (
    COLOURS,
    cell_counts,
    code_counts,
    edge_label,
    edge_severity,
    edge_target,
    idle_note,
    owner_label,
    plural,
    route_label,
    summary,
)
from hos_lint.report import DIRECT, Cell, Report
from hos_lint.safe import printable

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:24px auto;padding:0 24px;
max-width:1200px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}
h3{font-size:15px;margin:18px 0 6px}.summary{color:#57606a}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f6f8fa}
table.touches,table.findings{width:100%}table.touches td,table.findings td{overflow-wrap:anywhere}
.scroll{overflow:auto;max-width:100%;max-height:80vh;border:1px solid #d0d7de}.scroll table{margin:0}
table.matrix td{min-width:124px;text-align:center;font-size:13px}table.matrix th{position:sticky;top:0;z-index:1}
table.matrix th.row{text-align:right;left:0;z-index:2}table.matrix thead th:first-child{left:0;z-index:3}
td.own,.legend .own{background:#f6f8fa;color:#57606a}td.error,.legend .error,tr.error td:nth-child(3){
background:#ffebe9;color:#82071e}td.error{font-weight:600}td.warning,.legend .warning,tr.warning td:nth-child(3){
background:#fff8c5;color:#6a4d00}td.info,.legend .info,tr.info td:nth-child(3){background:#ddf4ff;color:#0a3069}
td.view,.legend .view{background:#dafbe1;color:#116329}td.ok,.legend .ok{background:#eaeef2}td.none{color:#afb8c1}
.code,table.findings td:nth-child(2),table.touches td:first-child{font-family:ui-monospace,SFMono-Regular,Menlo,
monospace;font-size:12.5px}table.findings th[colspan]{font-family:ui-monospace,monospace;font-weight:400}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:3px}
details{margin:12px 0}summary{cursor:pointer;font-weight:600}
svg{display:block;width:100%;height:auto}svg text{font:13px system-ui,sans-serif}
svg .label{font-size:11px;fill:#57606a}
a{color:#0969da}
"""


def render(report: Report, options: ReportOptions) -> str:
    """One self-contained page (inline CSS and SVG, no scripts, no network):
    the colour-coded matrix, the dependency graph, per-service foreign touches
    and every finding linked to ``link_base + path#Lline``; the legacy
    services' touches and findings are folded (``<details>``)."""
    link_base = options.link_base
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>hos-lint report</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        "<h1>hos-lint report</h1>", f'<p class="summary">{_t(summary(report))}</p>',
        '<h2 id="matrix">Who touches whose data</h2>',
        "<p>Rows are the services whose code touches the data; columns are the services that own it. "
        "A cell counts the accesses, then the findings of each code.</p>",
        _matrix(report), _LEGEND,
        '<h2 id="graph">Dependency graph</h2>', _svg(report),
        '<h2 id="touches">Foreign relations by service</h2>', _services(report, link_base),
        '<h2 id="findings">Findings</h2>', _findings(report, link_base),
        "</body>", "</html>",
    ]
    return escape("\n".join(parts) + "\n")


_LEGEND = ('<p class="legend"><span class="error">error</span><span class="warning">warning</span>'
           '<span class="info">info</span><span class="view">through views only</span>'
           '<span class="ok">no finding (allowed)</span><span class="own">own data</span></p>')


def _e(text: str) -> str:
    """An attribute value: control characters as escapes, then HTML-escaped with quotes."""
    return _html.escape(printable(text), quote=True)


def _t(text: str) -> str:
    """Text between tags: control characters as escapes, then ``&``, ``<`` and ``>`` escaped
    (quotes need no escape there, and six bytes per apostrophe add up over a large report)."""
    return _html.escape(printable(text), quote=False)


def _matrix(report: Report) -> str:
    columns = report.columns
    head = "".join(f"<th>{_t(owner_label(o))}</th>" for o in columns)
    rows = [f'<div class="scroll"><table class="matrix"><thead><tr><th>service ↓ · owner →</th>{head}</tr></thead>'
            "<tbody>"]
    for service, row in report.matrix():
        cells = "".join(_cell(cell, service == o) for cell, o in zip(row, columns))
        rows.append(f'<tr><th class="row">{_t(service)}</th>{cells}</tr>')
    note = "".join(f"<p>{_t(line)}</p>" for line in idle_note(report, str) if line)
    return "\n".join(rows + ["</tbody></table></div>"]) + note


def _cell(cell: Cell | None, own: bool) -> str:
    if cell is None:
        return '<td class="none">·</td>'
    css = "own" if own and cell.worst is None else edge_severity(cell)
    text = _t(cell_counts(cell) or "—")
    if cell.codes:
        text += "<br>" + _t(code_counts(cell)).replace(" ×", "\u00a0×")  # a code stays on one line with its count
    return f'<td class="{css}">{text}</td>'


def _services(report: Report, link_base: str) -> str:
    """A table per service touching another's data, then one line naming the others."""
    touching = {t.service for t in report.touches if t.foreign}
    out = [_service(report, s, link_base) for s in report.services if s in touching]
    clean = [s for s in report.services if s not in touching]
    if clean:
        out.append(f"<p>Touch no other service's data: {', '.join(_t(s) for s in clean)}.</p>")
    return "\n".join(out)


def _service(report: Report, service: str, link_base: str) -> str:
    touches = [t for t in report.touches if t.service == service and t.foreign]
    rows = ['<table class="touches"><thead><tr><th>relation<th>owner<th>access<th>through<th>first seen'
            "<th>finding</thead><tbody>"]
    for t in touches:
        css = t.worst.value if t.worst else ("view" if t.route != DIRECT else "ok")
        rows.append(f"<tr><td>{_t(t.relation)}<td>{_t(owner_label(t.owner))}<td>{t.kind} ×{t.count}"
                    f"<td>{_t(route_label(t))}<td>{_link(t.first, link_base)}"
                    f'<td class="{css}">{_t(", ".join(t.findings))}')
    table = "\n".join(rows + ["</tbody></table>"])
    if service in report.legacy:
        return (f"<details><summary>{_t(service)}: the legacy monolith ({plural(len(touches), 'foreign relation')}"
                f"; <code>legacy: true</code>, its findings are info)</summary>\n{table}\n</details>")
    return f"<h3>{_t(service)}</h3>\n{table}"


def _link(loc: Location, link_base: str, text: str | None = None) -> str:
    """A link to the file: ``link_base`` (from the command line) plus the path
    percent-encoded, so a path is always relative to it: ``javascript:x`` becomes
    ``javascript%3Ax``, and a leading ``/`` (``//host``) gets ``./`` before it.
    The link text is ``path:line``, or ``text``."""
    path = uri(loc.path)
    if not link_base and path.startswith("/"):
        path = "./" + path
    shown = _t(f"{loc.path}:{loc.line}") if text is None else text
    return f'<a href="{_e(f"{link_base}{path}#L{loc.line}")}">{shown}</a>'


def _findings(report: Report, link_base: str) -> str:
    """Every finding, grouped by file (the path once, then a linked line number per finding);
    the legacy services' findings folded below the others."""
    if not report.findings:
        return "<p>No findings.</p>"
    legacy = set(report.legacy)
    main = [f for f in report.findings if f.service not in legacy]
    folded = [f for f in report.findings if f.service in legacy]
    out = [_findings_table(main, link_base)] if main else []
    if folded:
        names = ", ".join(_t(s) for s in report.legacy)
        out.append(f"<details><summary>{plural(len(folded), 'finding')} of the legacy monolith ({names})</summary>\n"
                   f"{_findings_table(folded, link_base)}\n</details>")
    return "\n".join(out)


def _findings_table(findings: list[Finding], link_base: str) -> str:
    rows = ['<table class="findings"><thead><tr><th>line<th>code<th>severity<th>service<th>message</thead><tbody>']
    path = None
    for f in findings:
        if f.location.path != path:
            path = f.location.path
            rows.append(f'<tr><th colspan="5">{_t(path)}')
        rows.append(f'<tr class="{f.severity.value}"><td>{_link(f.location, link_base, str(f.location.line))}'
                    f"<td>{_t(f.code)}<td>{f.severity.value}<td>{_t(f.service or '')}<td>{_t(f.full_message)}")
    return "\n".join(rows + ["</tbody></table>"])


# --- the graph as inline SVG ------------------------------------------------------------
#
# Sizes are estimated from the text (no font metrics in a pure renderer), generously:
# a character of the 13px node font is taken as 8px wide, one of the 11px labels as 7px.

_NODE_H = 30
_NODE_CHAR, _LABEL_CHAR, _LABEL_H = 8.0, 7.0, 14.0
_WIDTH = 1150.0  # the drawing's natural width: the page's text column
_PAD = 12.0


@dataclass(frozen=True, slots=True)
class _Node:
    name: str
    x: float
    y: float
    half_w: float


@dataclass(frozen=True, slots=True)
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: _Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


def _svg(report: Report) -> str:
    """The dependency graph laid out by hand: services on an ellipse as wide as the
    page, curved arrows (so A→B and B→A do not overlap), each label on its curve
    where it overlaps no node and no other label, and a viewBox holding every box."""
    nodes = _layout(report.services)
    boxes = [_Box(n.x - n.half_w, n.y - _NODE_H / 2, n.x + n.half_w, n.y + _NODE_H / 2) for n in nodes.values()]
    edges = []
    for edge in report.edges:
        drawn, label = _svg_edge(edge, nodes, boxes)
        boxes.append(label)
        edges.append(drawn)
    x0 = min((b.x0 for b in boxes), default=0) - _PAD
    y0 = min((b.y0 for b in boxes), default=0) - _PAD
    width = max((b.x1 for b in boxes), default=0) + _PAD - x0
    height = max((b.y1 for b in boxes), default=0) + _PAD - y0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="service dependency graph" '
           f'viewBox="{x0:.0f} {y0:.0f} {width:.0f} {height:.0f}" style="max-width:{width:.0f}px">', "<defs>"]
    out += [f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
            for k, c in COLOURS.items()]
    out.append("</defs>")
    out += edges
    out += [_svg_node(n) for n in nodes.values()]
    return "\n".join(out + ["</svg>"])


def _layout(services: tuple[str, ...]) -> dict[str, _Node]:
    """Evenly spaced on an ellipse that fills the page's width (a circle for a few services)."""
    n = len(services)
    widest = max((_half_width(s) for s in services), default=0.0)
    # as many services as fit on the page's width, and never less than a small circle (very long
    # names make the drawing wider than the page, and the page scales it down: nothing is cut)
    rx = 0.0 if n <= 1 else max(140.0, min(_WIDTH / 2 - widest - _PAD, 30.0 * n))
    ry = 0.0 if n <= 1 else max(110.0, min(rx, 15.0 * n + 40))
    out: dict[str, _Node] = {}
    for i, name in enumerate(services):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        out[name] = _Node(name, rx * math.cos(angle), ry * math.sin(angle), _half_width(name))
    return out


def _half_width(name: str) -> float:
    return 10 + _NODE_CHAR * len(printable(name)) / 2


def _svg_node(n: _Node) -> str:
    return (f'<g class="node"><rect x="{n.x - n.half_w:.1f}" y="{n.y - _NODE_H / 2:.1f}" width="{2 * n.half_w:.1f}" '
            f'height="{_NODE_H}" rx="6" fill="#ffffff" stroke="#57606a"/>'
            f'<text x="{n.x:.1f}" y="{n.y + 4.5:.1f}" text-anchor="middle">{_t(n.name)}</text></g>')


def _svg_edge(edge: Cell, nodes: dict[str, _Node], taken: list[_Box]) -> tuple[str, _Box]:
    """The edge's curve and label, and the box its label takes."""
    a, b = nodes[edge.service], nodes[edge_target(edge)]
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    # bend to the right of the direction of travel, so the two directions part
    cx, cy = (a.x + b.x) / 2 - dy / length * 28, (a.y + b.y) / 2 + dx / length * 28
    x0, y0 = _boundary(a, cx - a.x, cy - a.y)
    x1, y1 = _boundary(b, cx - b.x, cy - b.y)
    text = edge_label(edge)
    box = _place_label(text, (x0, y0), (cx, cy), (x1, y1), taken)
    severity = edge_severity(edge)
    dash = ' stroke-dasharray="6 4"' if severity == "view" else ""
    drawn = (f'<g class="edge {severity}"><title>{_t(edge.service)} → {_t(edge_target(edge))}: {_t(text)}</title>'
             f'<path d="M{x0:.1f},{y0:.1f} Q{cx:.1f},{cy:.1f} {x1:.1f},{y1:.1f}" fill="none" '
             f'stroke="{COLOURS[severity]}" stroke-width="2"{dash} marker-end="url(#arrow-{severity})"/>'
             f'<text class="label" x="{(box.x0 + box.x1) / 2:.1f}" y="{box.y1 - 3.5:.1f}" text-anchor="middle">'
             f"{_t(text)}</text></g>")
    return drawn, box


# Where along its curve a label may sit, tried in this order (0 is the source, 1 the target).
_LABEL_AT = (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)


def _place_label(text: str, p0: tuple[float, float], c: tuple[float, float], p1: tuple[float, float],
                 taken: list[_Box]) -> _Box:
    """The first spot on the curve where the label overlaps nothing drawn yet, else the middle."""
    half = _LABEL_CHAR * len(printable(text)) / 2 + 2
    spots = []
    for t in _LABEL_AT:
        x = (1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * c[0] + t ** 2 * p1[0]
        y = (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * c[1] + t ** 2 * p1[1]
        spots.append(_Box(x - half, y - _LABEL_H, x + half, y))
    return next((s for s in spots if not any(s.overlaps(b) for b in taken)), spots[0])


def _boundary(n: _Node, dx: float, dy: float) -> tuple[float, float]:
    """Where a ray from the node's centre towards (dx, dy) leaves its box."""
    tx = n.half_w / abs(dx) if dx else math.inf
    ty = (_NODE_H / 2 + 2) / abs(dy) if dy else math.inf
    t = min(tx, ty)
    return n.x + dx * t, n.y + dy * t
