"""``hos-lint report``: who touches whose data, as a model and five renderers.

Pure: ``build_report`` turns the resolved accesses, the project context and
the findings into a frozen ``Report``; ``render(report, fmt)`` returns it as
``md``, ``html``, ``mermaid``, ``dot`` or ``json``; ``diff_reports`` and
``render_diff_md`` say what a change adds to or removes from the picture.
Everything is sorted, so the same project gives byte-identical output.

Vocabulary:
- a **touch** is one service touching one relation one way: (service,
  relation, owner, kind, route), where the route is ``direct`` (the service's
  own code names the relation) or ``view <schema.view>`` (a view in the
  service's schema reads the relation; the sanctioned read path);
- a **cell** sums the touches of one service (row) on one owner (column);
- an **edge** is a cell whose owner is another service: the dependency graph.
"""
from __future__ import annotations

import html as _html
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from linter.manifest import Manifest
from linter.model import Access, Finding, Location, RelationKind, Severity
from linter.output.filenames import escape, json_safe, uri
from linter.output.markdown import code as md_code
from linter.output.markdown import text as md_text
from linter.output.safe import printable

FORMATS = ("md", "html", "mermaid", "dot", "json")
DIRECT = "direct"
UNOWNED = "(unowned)"
KINDS = ("read", "write", "ddl", "reference")

# How an access reached the database, for people: the extractor's `via`.
CHANNELS = {
    "prisma-client": "Prisma Client",
    "prisma-schema": "Prisma schema",
    "prisma-raw": "Prisma raw SQL",
    "sql": "SQL",
    "sqlalchemy": "SQLAlchemy",
    "dbapi": "DB-API SQL",
    "asyncpg": "asyncpg SQL",
    "pg": "pg SQL",
    "knex": "knex SQL",
    "typeorm": "TypeORM SQL",
    "shell": "SQL in shell",
    "config": "configuration",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Touch:
    """One service touching one relation one way, summed over its call sites.

    ``channels`` are the extractors' ``via`` values (direct touches) or the
    views' definition kinds; ``first`` is the earliest call site or view
    definition; ``findings`` are the codes reported on these call sites.
    """

    service: str
    relation: str
    owner: str | None
    kind: str  # an AccessKind value
    route: str  # DIRECT, or "view <schema.name>"
    count: int
    channels: tuple[str, ...]
    first: Location
    worst: Severity | None = None
    findings: tuple[str, ...] = ()

    @property
    def foreign(self) -> bool:
        return self.owner != self.service

    def key(self) -> tuple[str, str, str, str, str]:
        return (self.service, self.relation, self.owner or "", self.kind, self.route)


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    """One service (row) on one owner (column): counts per kind, reads through
    views, and the worst finding on any of them."""

    service: str
    owner: str | None
    reads: int = 0
    writes: int = 0
    ddl: int = 0
    references: int = 0
    views: int = 0
    worst: Severity | None = None
    worst_code: str | None = None
    findings: int = 0

    @property
    def empty(self) -> bool:
        return not (self.reads or self.writes or self.ddl or self.references or self.views or self.findings)


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    services: tuple[str, ...]
    owners: tuple[str | None, ...]  # columns: every service, then None (unowned) when touched
    cells: tuple[Cell, ...]  # non-empty cells only, sorted by (service, owner)
    touches: tuple[Touch, ...]  # sorted by key()
    findings: tuple[Finding, ...]
    unplaced: int = 0  # accesses whose relation could not be resolved

    def cell(self, service: str, owner: str | None) -> Cell | None:
        for c in self.cells:
            if c.service == service and c.owner == owner:
                return c
        return None

    @property
    def rows(self) -> tuple[str, ...]:
        """Services with at least one non-empty cell (the others are named below the matrix)."""
        return tuple(s for s in self.services if any(c.service == s for c in self.cells))

    @property
    def columns(self) -> tuple[str | None, ...]:
        """Owners with at least one non-empty cell."""
        return tuple(o for o in self.owners if any(c.owner == o for c in self.cells))

    @property
    def idle(self) -> tuple[str, ...]:
        """Services neither touching data nor touched: left out of the matrix."""
        return tuple(s for s in self.services if s not in self.rows and s not in self.columns)

    @property
    def edges(self) -> tuple[Cell, ...]:
        """Cells on another service's data: the dependency graph."""
        return tuple(c for c in self.cells if c.owner is not None and c.owner != c.service)


# --- building -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Hit:
    """One call site (or view definition) before summing into a Touch."""

    service: str
    relation: str
    owner: str | None
    kind: str
    route: str
    channel: str
    location: Location


def build_report(manifest: Manifest, context, accesses: Iterable[Access], findings: Iterable[Finding]) -> Report:
    """The report model of a resolved project.

    ``context`` is the ``ProjectContext`` (``owner_of``, ``relation_defs``,
    ``resolve_ref``). Accesses outside any service (shared migrations, the
    views file) are not rows; views count for the service owning their schema.
    """
    services = tuple(sorted(s.name for s in manifest.services))
    accesses = tuple(accesses)
    hits = [*_access_hits(accesses, context, set(services)), *_view_hits(context, set(services))]
    findings = tuple(sorted(findings, key=Finding.sort_key))
    touches = _touches(hits, findings)
    cells = _cells(touches, findings, set(services))
    touched_unowned = any(c.owner is None for c in cells)
    return Report(
        services=services,
        owners=services + ((None,) if touched_unowned else ()),
        cells=cells,
        touches=touches,
        findings=findings,
        unplaced=sum(1 for a in accesses if a.relation is None and a.service in services),
    )


def _access_hits(accesses: tuple[Access, ...], context, services: set[str]) -> Iterable[_Hit]:
    for a in accesses:
        if a.relation is None or a.service not in services:
            continue
        yield _Hit(a.service, str(a.relation), context.owner_of(a.relation), a.kind.value, DIRECT, a.via,
                   a.location)


def _view_hits(context, services: set[str]) -> Iterable[_Hit]:
    """Each base relation a view reads, as a read by the service owning the view."""
    for d in context.relation_defs:
        if d.kind not in (RelationKind.VIEW, RelationKind.MATVIEW):
            continue
        view = context.resolve_ref(d.ref, d.service)
        owner = context.owner_of(view)
        if owner not in services:
            continue
        for ref in d.reads:
            base = context.resolve_ref(ref, d.service)
            yield _Hit(owner, str(base), context.owner_of(base), "read", f"view {view}", d.kind.value, d.location)


def _touches(hits: list[_Hit], findings: tuple[Finding, ...]) -> tuple[Touch, ...]:
    groups: dict[tuple, list[_Hit]] = defaultdict(list)
    for h in hits:
        groups[(h.service, h.relation, h.owner or "", h.kind, h.route)].append(h)
    out = []
    for key in sorted(groups):
        group = groups[key]
        h = group[0]
        direct = h.route == DIRECT
        # a view definition counts once however often migrations re-create it
        sites = {(g.location.path, g.location.line, g.location.col) for g in group}
        matched = [f for f in findings if _finding_matches(f, h, sites)] if direct else []
        out.append(Touch(
            service=h.service, relation=h.relation, owner=h.owner, kind=h.kind, route=h.route,
            count=len(sites) if direct else 1,
            channels=tuple(sorted({g.channel for g in group})),
            first=min((g.location for g in group), key=lambda l: (l.path, l.line, l.col)),
            worst=_worst(f.severity for f in matched),
            findings=tuple(sorted({f.code for f in matched})),
        ))
    return tuple(out)


def _finding_matches(f: Finding, h: _Hit, sites: set[tuple[str, int, int]]) -> bool:
    """A finding reported at one of the touch's call sites, about the same relation."""
    loc = f.location
    return f.service == h.service and f.relation == h.relation and (loc.path, loc.line, loc.col) in sites


def _worst(severities: Iterable[Severity]) -> Severity | None:
    return max(severities, key=lambda s: s.rank, default=None)


def _cells(touches: tuple[Touch, ...], findings: tuple[Finding, ...], services: set[str]) -> tuple[Cell, ...]:
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for t in touches:
        field = "views" if t.route != DIRECT else {"read": "reads", "write": "writes", "ddl": "ddl",
                                                    "reference": "references"}[t.kind]
        counts[(t.service, t.owner)][field] += t.count
    placed: dict[tuple, list[Finding]] = defaultdict(list)
    for f in findings:
        # findings about a relation land in the cell of who did it to whose data
        if f.relation is not None and f.service in services:
            placed[(f.service, f.owner)].append(f)
    out = []
    for service, owner in sorted(set(counts) | set(placed), key=lambda k: (k[0], k[1] is None, k[1] or "")):
        found = placed.get((service, owner), [])
        worst = _worst_finding(found)
        out.append(Cell(service=service, owner=owner, **counts.get((service, owner), {}),
                        worst=worst.severity if worst else None, worst_code=worst.code if worst else None,
                        findings=len(found)))
    return tuple(out)


def _worst_finding(found: list[Finding]) -> Finding | None:
    return min(found, key=lambda f: (-f.severity.rank, f.code), default=None)


# --- shared wording --------------------------------------------------------------


def owner_label(owner: str | None) -> str:
    return owner if owner is not None else UNOWNED


def cell_counts(cell: Cell) -> str:
    """``2 reads, 1 write, 1 via view``: the non-zero counts of a cell."""
    parts = [(cell.reads, "read", "reads"), (cell.writes, "write", "writes"), (cell.ddl, "ddl", "ddl"),
             (cell.references, "FK", "FKs"), (cell.views, "via view", "via views")]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


def edge_label(cell: Cell) -> str:
    """A graph edge's label: its counts, or the finding behind an edge with no access (HOS204)."""
    return cell_counts(cell) or (cell.worst_code or "")


def route_label(touch: Touch) -> str:
    if touch.route == DIRECT:
        return ", ".join(CHANNELS.get(c, c) for c in touch.channels)
    return touch.route


def edge_severity(cell: Cell) -> str:
    """``error``/``warning``/``info`` from findings, else ``view`` when the
    service only reads through views, else ``ok`` (allowed or reviewed)."""
    if cell.worst is not None:
        return cell.worst.value
    if cell.views and not (cell.reads or cell.writes or cell.ddl or cell.references):
        return "view"
    return "ok"


# --- json ----------------------------------------------------------------------


def render_json(report: Report) -> str:
    """Version 1: ``services``, ``owners``, ``matrix``, ``touches``, ``edges``, ``unplaced``."""
    doc = {
        "version": 1,
        "services": list(report.services),
        "owners": [o for o in report.owners],
        "matrix": [_cell_json(c) for c in report.cells],
        "touches": [_touch_json(t) for t in report.touches],
        "edges": [{"from": c.service, "to": c.owner, "label": edge_label(c), "severity": edge_severity(c)}
                  for c in report.edges],
        "unplaced": report.unplaced,
    }
    return json.dumps(json_safe(doc), indent=2) + "\n"


def _cell_json(c: Cell) -> dict:
    return {"service": c.service, "owner": c.owner, "reads": c.reads, "writes": c.writes, "ddl": c.ddl,
            "references": c.references, "views": c.views, "findings": c.findings,
            "worst": c.worst.value if c.worst else None, "worst_code": c.worst_code}


def _touch_json(t: Touch) -> dict:
    return {"service": t.service, "relation": t.relation, "owner": t.owner, "kind": t.kind, "route": t.route,
            "channels": list(t.channels), "count": t.count, "first": str(t.first),
            "worst": t.worst.value if t.worst else None, "findings": list(t.findings)}


# --- markdown --------------------------------------------------------------------

ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}


def render_md(report: Report) -> str:
    """A pull-request comment: summary, matrix, per-service foreign touches, mermaid graph."""
    lines = ["## hos-lint report", "", _summary(report), "", "### Who touches whose data", "",
             "Rows are the services whose code touches the data; columns are the services that own it.", ""]
    lines += _md_matrix(report)
    lines += ["", "❌ error · ⚠️ warning · ℹ️ info (the worst finding in the cell)", "",
              "### Foreign relations by service", ""]
    clean = [s for s in report.services if not any(t.service == s and t.foreign for t in report.touches)]
    for service in report.services:
        if service not in clean:
            lines += _md_service(report, service)
    if clean:
        lines += ["Touch no other service's data: " + ", ".join(md_text(s) for s in clean) + ".", ""]
    lines += ["### Dependency graph", "", "```mermaid", render_mermaid(report).rstrip("\n"), "```"]
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> str:
    foreign = [t for t in report.touches if t.foreign]
    by_view = sum(1 for t in foreign if t.route != DIRECT)
    counts = defaultdict(int)
    for f in report.findings:
        counts[f.severity.value] += 1
    sev = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
                    for s in ("error", "warning", "info") if counts[s])
    text = (f"{_plural(len(report.services), 'service')} · {_plural(len(report.edges), 'cross-service dependency', 'cross-service dependencies')}"
            f" · {_plural(len(foreign), 'foreign relation touch', 'foreign relation touches')}"
            f" ({by_view} through views) · {_plural(len(report.findings), 'finding')}"
            + (f" ({sev})" if sev else ""))
    if report.unplaced:
        text += f" · {_plural(report.unplaced, 'access')} not placed (unknown relation)"
    return text


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _md_matrix(report: Report) -> list[str]:
    head = "| service ↓ · owner → | " + " | ".join(md_text(owner_label(o)) for o in report.columns) + " |"
    rows = [head, "|---" * (len(report.columns) + 1) + "|"]
    for service in report.rows:
        cells = [_md_cell(report.cell(service, o)) for o in report.columns]
        rows.append(f"| **{md_text(service)}** | " + " | ".join(cells) + " |")
    return rows + _idle_note(report, md_text)


def _idle_note(report: Report, escape) -> list[str]:
    if not report.idle:
        return []
    return ["", "No accesses found for: " + ", ".join(escape(s) for s in report.idle) + "."]


def _md_cell(cell: Cell | None) -> str:
    if cell is None:
        return "·"
    text = cell_counts(cell) or "—"
    if cell.worst is not None:
        text = f"{ICONS[cell.worst.value]} {text} ({cell.worst_code})"
    return text


def _md_service(report: Report, service: str) -> list[str]:
    touches = [t for t in report.touches if t.service == service and t.foreign]
    lines = [f"#### {md_text(service)}", ""]
    lines += ["| relation | owner | access | through | first seen | finding |", "|---|---|---|---|---|---|"]
    for t in touches:
        finding = f"{ICONS[t.worst.value]} {', '.join(t.findings)}" if t.worst else ""
        lines.append(f"| {md_code(t.relation)} | {md_text(owner_label(t.owner))} | {t.kind} ×{t.count} | "
                     f"{md_text(route_label(t))} | {md_code(f'{t.first.path}:{t.first.line}')} | {finding} |")
    return lines + [""]


# --- mermaid and dot -----------------------------------------------------------------

COLOURS = {"error": "#cf222e", "warning": "#bf8700", "info": "#0969da", "view": "#1a7f37", "ok": "#6e7781"}


def render_mermaid(report: Report) -> str:
    """``graph LR``: one node per service, one arrow per dependency, coloured by
    the worst finding; dashed when the service only reads through views."""
    ids = {s: f"n{i}" for i, s in enumerate(report.services)}
    lines = ["graph LR"] + [f'  {ids[s]}["{_mermaid_text(s)}"]' for s in report.services]
    styles = []
    for i, edge in enumerate(report.edges):
        severity = edge_severity(edge)
        arrow = "-.->" if severity == "view" else "-->"
        lines.append(f'  {ids[edge.service]} {arrow}|"{_mermaid_text(edge_label(edge))}"| {ids[edge.owner]}')
        styles.append(f"  linkStyle {i} stroke:{COLOURS[severity]},stroke-width:2px")
    return "\n".join(lines + styles) + "\n"


_MERMAID_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:/")


def _mermaid_text(text: str) -> str:
    """A label inside ``"…"``: control characters as escapes, and every ASCII
    character but letters, digits and `` _-.,:/`` as a Mermaid entity code
    (``#34;``), so no quote, bracket, pipe, ``#``, ``%%`` comment, backtick
    or HTML tag reaches the parser or the page."""
    return "".join(c if c in _MERMAID_PLAIN or ord(c) > 0x7F else f"#{ord(c)};" for c in printable(text))


def render_dot(report: Report) -> str:
    """Graphviz ``digraph``: the same graph as ``render_mermaid``."""
    lines = ['digraph "hos-lint" {', "  rankdir=LR;", '  node [shape=box, style=rounded, fontname="sans-serif"];',
             '  edge [fontname="sans-serif", fontsize=10];']
    lines += [f"  {_dot_id(s)};" for s in report.services]
    for edge in report.edges:
        severity = edge_severity(edge)
        style = ", style=dashed" if severity == "view" else ""
        lines.append(f"  {_dot_id(edge.service)} -> {_dot_id(edge.owner)} "
                     f'[label={_dot_id(edge_label(edge))}, color="{COLOURS[severity]}"{style}];')
    return "\n".join(lines + ["}"]) + "\n"


def _dot_id(text: str) -> str:
    """A double-quoted DOT string: control characters as escapes, ``\\`` doubled
    (so no ``\\n``/``\\N``/``\\G`` label escape), ``"`` escaped, and ``&`` as
    ``&amp;`` (Graphviz reads HTML entities in labels)."""
    text = printable(text).replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
    return f'"{text}"'


# --- html --------------------------------------------------------------------------

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


def render_html(report: Report, link_base: str = "") -> str:
    """One self-contained page (inline CSS and SVG, no scripts, no network):
    the colour-coded matrix, the dependency graph, per-service foreign touches
    and every finding linked to ``link_base + path#Lline``."""
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        "<title>hos-lint report</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
        "<h1>hos-lint report</h1>", f'<p class="summary">{_e(_summary(report))}</p>',
        '<h2 id="matrix">Who touches whose data</h2>',
        "<p>Rows are the services whose code touches the data; columns are the services that own it.</p>",
        _html_matrix(report), _HTML_LEGEND,
        '<h2 id="graph">Dependency graph</h2>', render_svg(report),
        '<h2 id="touches">Foreign relations by service</h2>',
        *(_html_service(report, s, link_base) for s in report.services),
        '<h2 id="findings">Findings</h2>', _html_findings(report, link_base),
        "</body>", "</html>",
    ]
    return "\n".join(parts) + "\n"


_HTML_LEGEND = ('<p class="legend"><span class="error">error</span><span class="warning">warning</span>'
                '<span class="info">info</span><span class="view">through views only</span>'
                '<span class="ok">no finding (allowed)</span><span class="own">own data</span></p>')


def _e(text: str) -> str:
    """Text or an attribute value: control characters as escapes, then HTML-escaped."""
    return _html.escape(printable(text), quote=True)


def _html_matrix(report: Report) -> str:
    head = "".join(f"<th>{_e(owner_label(o))}</th>" for o in report.columns)
    rows = [f'<table class="matrix"><thead><tr><th>service ↓ · owner →</th>{head}</tr></thead><tbody>']
    for service in report.rows:
        cells = "".join(_html_cell(report.cell(service, o), service == o) for o in report.columns)
        rows.append(f'<tr><th class="row">{_e(service)}</th>{cells}</tr>')
    note = "".join(f"<p>{_e(line)}</p>" for line in _idle_note(report, str) if line)
    return "\n".join(rows + ["</tbody></table>"]) + note


def _html_cell(cell: Cell | None, own: bool) -> str:
    if cell is None:
        return '<td class="none">·</td>'
    css = "own" if own and cell.worst is None else edge_severity(cell)
    text = _e(cell_counts(cell) or "—")
    if cell.worst_code:
        text += f"<br><b>{_e(cell.worst_code)}</b> ×{cell.findings}"
    return f'<td class="{css}">{text}</td>'


def _html_service(report: Report, service: str, link_base: str) -> str:
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


def _html_findings(report: Report, link_base: str) -> str:
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


def render_svg(report: Report) -> str:
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
    out = {}
    for i, name in enumerate(services):
        angle = -math.pi / 2 + 2 * math.pi * i / max(n, 1)
        out[name] = _Node(name, radius * math.cos(angle), radius * math.sin(angle), 4 + 4.2 * len(name) + 10)
    return out


def _svg_node(n: _Node) -> str:
    return (f'<g class="node"><rect x="{n.x - n.half_w:.1f}" y="{n.y - _NODE_H / 2:.1f}" width="{2 * n.half_w:.1f}" '
            f'height="{_NODE_H}" rx="6" fill="#ffffff" stroke="#57606a"/>'
            f'<text x="{n.x:.1f}" y="{n.y + 4.5:.1f}" text-anchor="middle">{_e(n.name)}</text></g>')


def _svg_edge(edge: Cell, nodes: dict[str, _Node]) -> str:
    a, b = nodes[edge.service], nodes[edge.owner]
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
            f"{_e(edge.service)} → {_e(edge.owner or '')}: {_e(edge_label(edge))}</text>"
            "</g>")


def _boundary(n: _Node, dx: float, dy: float) -> tuple[float, float]:
    """Where a ray from the node's centre towards (dx, dy) leaves its box."""
    tx = n.half_w / abs(dx) if dx else math.inf
    ty = (_NODE_H / 2 + 2) / abs(dy) if dy else math.inf
    t = min(tx, ty)
    return n.x + dx * t, n.y + dy * t


# --- diff ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportDiff:
    """What changed between two reports: foreign touches and service dependencies."""

    added: tuple[Touch, ...]
    removed: tuple[Touch, ...]
    new_dependencies: tuple[Cell, ...]  # cells of the new report
    dropped_dependencies: tuple[Cell, ...]  # cells of the old report

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.new_dependencies or self.dropped_dependencies)


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Touches of other services' (or nobody's) data present in one report and
    not the other, keyed by (service, relation, owner, kind, route): a change
    of call site or of client library is not a change of the picture."""
    old_t = {t.key(): t for t in old.touches if t.foreign}
    new_t = {t.key(): t for t in new.touches if t.foreign}
    old_e = {(c.service, c.owner): c for c in old.edges}
    new_e = {(c.service, c.owner): c for c in new.edges}
    return ReportDiff(
        added=tuple(new_t[k] for k in sorted(new_t.keys() - old_t.keys())),
        removed=tuple(old_t[k] for k in sorted(old_t.keys() - new_t.keys())),
        new_dependencies=tuple(new_e[k] for k in sorted(new_e.keys() - old_e.keys())),
        dropped_dependencies=tuple(old_e[k] for k in sorted(old_e.keys() - new_e.keys())),
    )


_VERBS = {"read": ("reads", "no longer reads"), "write": ("writes", "no longer writes"),
          "ddl": ("changes the schema of", "no longer changes the schema of"),
          "reference": ("holds a foreign key to", "no longer holds a foreign key to")}


def render_diff_md(diff: ReportDiff, ref: str) -> str:
    """A pull-request comment: ``order now reads auth_service.users (owned by auth) directly``."""
    return escape(_diff_md(diff, ref))


def _diff_md(diff: ReportDiff, ref: str) -> str:
    lines = [f"## hos-lint: data boundaries compared with {md_code(ref)}", ""]
    if diff.empty:
        return "\n".join(lines + ["No change to who touches whose data."]) + "\n"
    if diff.new_dependencies:
        lines.append("**New dependencies:** " + ", ".join(_md_edge(c) for c in diff.new_dependencies))
    if diff.dropped_dependencies:
        lines.append("**Dropped dependencies:** " + ", ".join(_md_edge(c) for c in diff.dropped_dependencies))
    if diff.new_dependencies or diff.dropped_dependencies:
        lines.append("")
    if diff.added:
        lines += ["### New", "", *(_diff_line(t, added=True) for t in diff.added), ""]
    if diff.removed:
        lines += ["### Removed", "", *(_diff_line(t, added=False) for t in diff.removed), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_edge(c: Cell) -> str:
    return f"{md_text(c.service)} → {md_text(owner_label(c.owner))}"


def _diff_line(t: Touch, added: bool) -> str:
    verb = _VERBS[t.kind][0 if added else 1]
    now = "now " if added else ""
    owner = f"owned by {md_text(t.owner)}" if t.owner else "owned by no service"
    how = "directly" if t.route == DIRECT else f"through view {md_code(t.route.removeprefix('view '))}"
    text = f"- {md_text(t.service)} {now}{verb} {md_code(t.relation)} ({owner}) {how}"
    where = md_code(f"{t.first.path}:{t.first.line}")
    if added:
        text += f" — {md_text(route_label(t))}, {where}" if t.route == DIRECT else f" — {where}"
        if t.worst:
            text = f"- {ICONS[t.worst.value]} " + text[2:] + f" ({', '.join(t.findings)})"
    return text


def render(report: Report, fmt: str, link_base: str = "") -> str:
    """The report in one of ``FORMATS``; ``link_base`` prefixes HTML file links."""
    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return escape(render_html(report, link_base))
    return escape({"md": render_md, "mermaid": render_mermaid, "dot": render_dot}[fmt](report))
