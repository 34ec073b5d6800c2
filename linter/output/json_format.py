"""The versioned JSON document (SPEC §6)."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hos_lint.analysis import RunResult
from hos_lint.baseline import fingerprint
from hos_lint.filenames import json_safe
from hos_lint.model import Finding
from hos_lint.output.options import RenderOptions
from hos_lint.output.paths import from_repo
from hos_lint.rule import Catalog

VERSION = 1


def finding_dict(f: Finding, path: str | None = None) -> dict[str, Any]:
    """One finding; ``path`` is the file as the repository names it (default: the finding's)."""
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "service": f.service,
        "path": f.location.path if path is None else path,
        "line": f.location.line,
        "col": f.location.col,
        "relation": f.relation,
        "owner": f.owner,
        "access": f.access.value if f.access else None,
        "operation": f.operation,
        "message": f.full_message,
        "fingerprint": fingerprint(f),
    }


def render(result: RunResult, catalog: Catalog, options: RenderOptions) -> str:
    by = Counter(f.severity.value for f in result.findings)
    doc = {
        "version": VERSION,
        "findings": [finding_dict(f, from_repo(result, f.location.path)) for f in result.findings],
        "summary": {
            "total": len(result.findings),
            "by_severity": {k: by.get(k, 0) for k in ("error", "warning", "info")},
            "by_code": dict(sorted(Counter(f.code for f in result.findings).items())),
            "files_scanned": result.files_scanned,
            "services": list(result.services),
            "not_analysed": [{"path": from_repo(result, n.path), "reason": n.reason} for n in result.notices],
            "suppressed": result.suppressed,
            "baselined": result.baselined,
            "stale": [{"code": e.code, "path": from_repo(result, e.path), "relation": e.relation,
                       "fingerprint": e.fingerprint}
                      for e in result.stale],
            "fail_on": result.fail_on,
            "failed": result.failed,
        },
    }
    return json.dumps(json_safe(doc), indent=2) + "\n"
