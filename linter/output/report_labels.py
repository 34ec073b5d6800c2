"""Wording and colours the report's formats share: how a cell, an edge, an
owner and a route read, the summary line, and the severity colours.

Plain text: each format escapes it for itself (HTML, Markdown, DOT, Mermaid).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from hos_lint.report import DIRECT, Cell, Report, Touch

UNOWNED = "(unowned)"
ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
COLOURS = {"error": "#cf222e", "warning": "#bf8700", "info": "#0969da", "view": "#1a7f37", "ok": "#6e7781"}

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
    "typeorm": "TypeORM",
    "mikro-orm": "MikroORM",
    "sequelize": "Sequelize",
    "shell": "SQL in shell",
    "config": "configuration",
}


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


def code_counts(cell: Cell) -> str:
    """``HOS101 ×4, HOS102 ×1``: how many findings of each code, the most severe code first."""
    return ", ".join(f"{code} ×{n}" for code, n in cell.codes)


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


def edge_target(edge: Cell) -> str:
    """The owner an edge points at (``Report.edges`` holds only owned cells)."""
    if edge.owner is None:
        raise ValueError(f"{edge.service}'s cell on unowned data is not an edge")
    return edge.owner


def summary(report: Report) -> str:
    """One line: services, dependencies, foreign touches, findings by severity, unplaced accesses."""
    foreign = [t for t in report.touches if t.foreign]
    by_view = sum(1 for t in foreign if t.route != DIRECT)
    counts = Counter(f.severity.value for f in report.findings)
    sev = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
                    for s in ("error", "warning", "info") if counts[s])
    text = (f"{plural(len(report.services), 'service')} · "
            f"{plural(len(report.edges), 'cross-service dependency', 'cross-service dependencies')}"
            f" · {plural(len(foreign), 'foreign relation touch', 'foreign relation touches')}"
            f" ({by_view} through views) · {plural(len(report.findings), 'finding')}"
            + (f" ({sev})" if sev else ""))
    if report.unplaced:
        text += f" · {plural(report.unplaced, 'access')} not placed (unknown relation)"
    return text


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def idle_note(report: Report, escape: Callable[[str], str]) -> list[str]:
    """A blank line and the services left out of the matrix, each passed through ``escape``."""
    if not report.idle:
        return []
    return ["", "No accesses found for: " + ", ".join(escape(s) for s in report.idle) + "."]
