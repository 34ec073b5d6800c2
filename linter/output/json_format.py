"""The versioned JSON document (SPEC §6)."""
from __future__ import annotations

import json
from collections import Counter

from linter.baseline import fingerprint
from linter.output.filenames import json_safe

VERSION = 1


def finding_dict(f) -> dict:
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "service": f.service,
        "path": f.location.path,
        "line": f.location.line,
        "col": f.location.col,
        "relation": f.relation,
        "owner": f.owner,
        "access": f.access,
        "operation": f.operation,
        "message": f.message,
        "fingerprint": fingerprint(f),
    }


def render(result, catalog, options) -> str:
    by = Counter(f.severity.value for f in result.findings)
    doc = {
        "version": VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "total": len(result.findings),
            "by_severity": {k: by.get(k, 0) for k in ("error", "warning", "info")},
            "by_code": dict(sorted(Counter(f.code for f in result.findings).items())),
            "files_scanned": result.files_scanned,
            "services": list(result.services),
            "not_analysed": [{"path": n.path, "reason": n.reason} for n in result.notices],
            "suppressed": result.suppressed,
            "baselined": getattr(result, "baselined", 0),
            "stale": [{"code": e.code, "path": e.path, "relation": e.relation, "fingerprint": e.fingerprint}
                      for e in getattr(result, "stale", ())],
            "fail_on": result.fail_on,
            "failed": result.failed,
        },
    }
    return json.dumps(json_safe(doc), indent=2) + "\n"
