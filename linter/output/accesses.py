"""``hos-lint accesses``: every extracted access in the paths asked about, raw and resolved."""
from __future__ import annotations

from typing import Any

from hos_lint.analysis import Project
from hos_lint.filenames import json_safe
from hos_lint.model import Access
from hos_lint.output.json_format import dumps_indented
from hos_lint.policy import in_scope
from hos_lint.safe import printable


def access_dict(access: Access, owner: str | None) -> dict[str, Any]:
    rel = access.relation
    return {
        "service": access.service,
        "path": access.location.path,
        "line": access.location.line,
        "col": access.location.col,
        "relation": str(rel) if rel else None,
        "schema": rel.schema if rel else access.ref.schema,
        "name": rel.name if rel else (access.ref.name or access.ref.display()),
        "kind": access.kind.value,
        "via": access.via.value,
        "operation": access.operation,
        "owner": owner,
        "source": access.ref.display(),
    }


def _rows(project: Project) -> list[dict[str, Any]]:
    """The accesses in scope, by position, each with its owner."""
    def key(a: Access) -> tuple[str, int, int, str, str]:
        return (a.location.path, a.location.line, a.location.col, a.kind.value, a.operation)

    in_view = sorted((a for a in project.accesses if in_scope(a.location.path, project.scope)), key=key)
    return [access_dict(a, project.context.ownership.owner_of(a.relation)) for a in in_view]


def render_json(project: Project) -> str:
    """``{"version": 1, "accesses": [...]}`` (SPEC §6)."""
    return dumps_indented(json_safe({"version": 1, "accesses": _rows(project)})) + "\n"


def render_text(project: Project) -> str:
    """``path:line:col: service kind relation (owned by X) via V OPERATION``, one line each."""
    lines = []
    for r in _rows(project):
        rel = r["relation"] or f"{r['source']} (unresolved)"
        owner = f" (owned by {r['owner']})" if r["owner"] else (" (unowned)" if r["relation"] else "")
        line = f"{r['path']}:{r['line']}:{r['col']}: {r['service'] or '-'} {r['kind']} {rel}{owner}"
        lines.append(printable(f"{line} via {r['via']} {r['operation']}"))
    return "\n".join(lines) + ("\n" if lines else "")
