"""``hos-lint report``: who touches whose data, as a model.

Pure: ``build_report`` turns the resolved accesses, the project context and
the findings into a frozen ``Report``; ``diff_reports`` says what a change adds
to or removes from the picture (a ``ReportDiff``). The renderers (md, html,
mermaid, dot, json, and the diff as markdown) are in ``linter.output``
(``REPORT_FORMATTERS``, ``report_diff``). Everything is sorted, so the same
project gives byte-identical output.

Vocabulary:
- a **touch** is one service touching one relation one way: (service,
  relation, owner, kind, route), where the route is ``direct`` (the service's
  own code names the relation) or ``view <schema.view>`` (a view in the
  service's schema reads the relation; the sanctioned read path);
- a **cell** sums the touches of one service (row) on one owner (column);
- an **edge** is a cell whose owner is another service: the dependency graph.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hos_lint.context import ProjectContext
from hos_lint.manifest import Manifest
from hos_lint.model import Access, Finding, Location, Severity

DIRECT = "direct"
KINDS = ("read", "write", "ddl", "reference")
# A cell's count field for each kind of direct touch (touches through views count as ``views``).
_COUNT_FIELDS = {"read": "reads", "write": "writes", "ddl": "ddl", "reference": "references"}

_TouchKey = tuple[str, str, str, str, str]  # Touch.key()
_CellKey = tuple[str, str | None]  # (service, owner)


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

    def key(self) -> _TouchKey:
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
    codes: tuple[tuple[str, int], ...] = ()  # (code, findings with it), worst severity first, then by code

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
    legacy: tuple[str, ...] = ()  # the services marked ``legacy: true`` (the monolith being decomposed)

    def matrix(self) -> tuple[tuple[str, tuple[Cell | None, ...]], ...]:
        """Each row's service with its cell under each of ``columns`` (None: an empty cell)."""
        by_pair = {(c.service, c.owner): c for c in self.cells}
        columns = self.columns
        return tuple((s, tuple(by_pair.get((s, o)) for o in columns)) for s in self.rows)

    @property
    def rows(self) -> tuple[str, ...]:
        """Services with at least one non-empty cell (the others are named below the matrix)."""
        touching = {c.service for c in self.cells}
        return tuple(s for s in self.services if s in touching)

    @property
    def columns(self) -> tuple[str | None, ...]:
        """Owners with at least one non-empty cell."""
        touched = {c.owner for c in self.cells}
        return tuple(o for o in self.owners if o in touched)

    @property
    def idle(self) -> tuple[str, ...]:
        """Services neither touching data nor touched: left out of the matrix."""
        in_matrix = {s for c in self.cells for s in (c.service, c.owner)}
        return tuple(s for s in self.services if s not in in_matrix)

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


def build_report(manifest: Manifest, context: ProjectContext, accesses: Iterable[Access],
                 findings: Iterable[Finding]) -> Report:
    """The report model of a resolved project.

    The context gives owners (``ownership``) and what each view reads
    (``view_reads``). Accesses outside any service (shared migrations, the
    views file) are not rows; views count for the service owning their schema.
    """
    services = tuple(sorted(s.name for s in manifest.services))
    resolved = tuple(accesses)
    hits = [*_access_hits(resolved, context, set(services)), *_view_hits(context, set(services))]
    ordered = tuple(sorted(findings, key=Finding.sort_key))
    touches = _touches(hits, ordered)
    cells = _cells(touches, ordered, set(services))
    touched_unowned = any(c.owner is None for c in cells)
    return Report(
        services=services,
        owners=services + ((None,) if touched_unowned else ()),
        cells=cells,
        touches=touches,
        findings=ordered,
        unplaced=sum(1 for a in resolved if a.relation is None and a.service in services),
        legacy=tuple(sorted(s.name for s in manifest.services if s.legacy)),
    )


def _access_hits(accesses: tuple[Access, ...], context: ProjectContext, services: set[str]) -> Iterable[_Hit]:
    for a in accesses:
        if a.relation is None or a.service not in services:
            continue
        yield _Hit(a.service, str(a.relation), context.ownership.owner_of(a.relation), a.kind.value, DIRECT,
                   a.via.value, a.location)


def _view_hits(context: ProjectContext, services: set[str]) -> Iterable[_Hit]:
    """Each base relation a view reads, as a read by the service owning the view."""
    for read in context.view_reads:
        owner = read.view_owner
        if owner is not None and owner in services:
            yield _Hit(owner, str(read.base), read.base_owner, "read", f"view {read.view}", read.kind.value,
                       read.location)


def _touches(hits: list[_Hit], findings: tuple[Finding, ...]) -> tuple[Touch, ...]:
    groups: dict[_TouchKey, list[_Hit]] = defaultdict(list)
    for h in hits:
        groups[(h.service, h.relation, h.owner or "", h.kind, h.route)].append(h)
    out: list[Touch] = []
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
            first=min((g.location for g in group), key=lambda loc: (loc.path, loc.line, loc.col)),
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
    counts: dict[_CellKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for t in touches:
        field = "views" if t.route != DIRECT else _COUNT_FIELDS[t.kind]
        counts[(t.service, t.owner)][field] += t.count
    placed: dict[_CellKey, list[Finding]] = defaultdict(list)
    for f in findings:
        # findings about a relation land in the cell of who did it to whose data
        if f.relation is not None and f.service in services:
            placed[(f.service, f.owner)].append(f)
    out: list[Cell] = []
    for service, owner in sorted(set(counts) | set(placed), key=lambda k: (k[0], k[1] is None, k[1] or "")):
        found = placed.get((service, owner), [])
        worst = _worst_finding(found)
        out.append(Cell(service=service, owner=owner, **counts.get((service, owner), {}),
                        worst=worst.severity if worst else None, worst_code=worst.code if worst else None,
                        findings=len(found), codes=_codes(found)))
    return tuple(out)


def _codes(found: list[Finding]) -> tuple[tuple[str, int], ...]:
    """How many findings of each code, the most severe code first (then by code)."""
    counts: dict[str, int] = defaultdict(int)
    rank: dict[str, int] = {}
    for f in found:
        counts[f.code] += 1
        rank[f.code] = max(rank.get(f.code, 0), f.severity.rank)
    return tuple(sorted(counts.items(), key=lambda item: (-rank[item[0]], item[0])))


def _worst_finding(found: list[Finding]) -> Finding | None:
    return min(found, key=lambda f: (-f.severity.rank, f.code), default=None)


# --- diff ----------------------------------------------------------------------


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
