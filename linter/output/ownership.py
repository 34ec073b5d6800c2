"""``hos-lint ownership``: every known relation, its owner and provenance."""
from __future__ import annotations

from typing import Any

from hos_lint.analysis import Project
from hos_lint.filenames import json_safe
from hos_lint.output.json_format import dumps_indented
from hos_lint.safe import printable


def _rows(project: Project) -> list[dict[str, Any]]:
    ctx = project.context
    rows = []
    for (schema, name), known in sorted(ctx.names.relations.items()):
        owner = ctx.ownership.owner_of(known.relation)
        sources = [f"{p.location.path}:{p.location.line}" if p.location else "-" for p in known.provenance]
        whats = [p.what for p in known.provenance]
        owner_from = ctx.ownership.provenance.get(f"schema:{schema}") or ctx.ownership.provenance.get(f"table:{name}")
        rows.append({
            "relation": f"{schema}.{name}",
            "kind": known.relation.kind.value,
            "owner": owner,
            "owner_from": f"{owner_from.location.path}:{owner_from.location.line}"
            if owner and owner_from and owner_from.location else None,
            "sources": [{"where": s, "what": w} for s, w in zip(sources, whats)],
        })
    return rows


def render_json(project: Project) -> str:
    """``{"version": 1, "relations": [...]}``."""
    return dumps_indented(json_safe({"version": 1, "relations": _rows(project)})) + "\n"


def render_text(project: Project) -> str:
    """``schema.name  kind  owner [where the owner is declared]  <- where the relation is defined``."""
    lines = []
    for r in _rows(project):
        owner = r["owner"] or "(unowned)"
        via = f" [{r['owner_from']}]" if r["owner_from"] else ""
        where = ", ".join(f"{s['where']} ({s['what']})" for s in r["sources"])
        lines.append(printable(f"{r['relation']:<48} {r['kind']:<8} {owner}{via}  <- {where}"))
    return "\n".join(lines) + ("\n" if lines else "")
