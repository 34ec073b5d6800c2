"""``hos-lint accesses``: every extracted access, raw and resolved."""
from __future__ import annotations

import json

from linter.output.filenames import json_safe
from linter.output.safe import printable


def access_dict(access, owner: str | None) -> dict:
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
        "via": access.via,
        "operation": access.operation,
        "owner": owner,
        "source": access.ref.display(),
    }


def _sorted(project):
    def key(a):
        return (a.location.path, a.location.line, a.location.col, a.kind.value, a.operation)

    in_scope = [a for a in project.accesses if _in_scope(a.location.path, project.scope)]
    return sorted(in_scope, key=key)


def _in_scope(path: str, scope) -> bool:
    from linter.policy import in_scope

    return in_scope(path, scope)


def render_accesses(project, fmt: str) -> str:
    rows = [access_dict(a, project.context.owner_of(a.relation)) for a in _sorted(project)]
    if fmt == "json":
        return json.dumps(json_safe({"version": 1, "accesses": rows}), indent=2) + "\n"
    lines = []
    for r in rows:
        rel = r["relation"] or f"{r['source']} (unresolved)"
        owner = f" (owned by {r['owner']})" if r["owner"] else (" (unowned)" if r["relation"] else "")
        line = f"{r['path']}:{r['line']}:{r['col']}: {r['service'] or '-'} {r['kind']} {rel}{owner}"
        lines.append(printable(f"{line} via {r['via']} {r['operation']}"))
    return "\n".join(lines) + ("\n" if lines else "")
