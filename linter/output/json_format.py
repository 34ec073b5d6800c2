"""The versioned JSON document (SPEC §6)."""
from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
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
    return dumps_indented(json_safe(doc)) + "\n"


def dumps_indented(value: Any, *, ensure_ascii: bool = True) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=...)``, byte for byte, on the C encoder.

    ``indent`` forces the standard library onto its pure-Python encoder. A list or
    dict holding no list or dict is written in one C call instead, with the item
    separator carrying the newline and that depth's indent; only containers that hold
    containers are laid out here. The output is the same bytes either way (a test
    compares them on every document the formats write).
    """
    parts: list[str] = []
    _write(value, 0, ensure_ascii, parts)
    return "".join(parts)


@lru_cache(maxsize=64)
def _flat_encoder(depth: int, ensure_ascii: bool) -> json.JSONEncoder:
    return json.JSONEncoder(ensure_ascii=ensure_ascii, separators=(",\n" + "  " * depth, ": "))


def _write(value: Any, depth: int, ensure_ascii: bool, parts: list[str]) -> None:
    if isinstance(value, (list, tuple)):
        items: list[Any] = list(value)
        nested = any(isinstance(v, (list, tuple, dict)) for v in items)
    elif isinstance(value, dict):
        items = list(value.values())
        nested = any(isinstance(v, (list, tuple, dict)) for v in items)
    else:
        parts.append(_flat_encoder(depth + 1, ensure_ascii).encode(value))
        return
    if not items:
        parts.append("{}" if isinstance(value, dict) else "[]")
        return
    inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
    if not nested:  # one C call: "{" + items joined by the separator + "}"
        text = _flat_encoder(depth + 1, ensure_ascii).encode(value)
        parts += (text[0], inner, text[1:-1], outer, text[-1])
        return
    if isinstance(value, (list, tuple)) and all(type(v) is dict and v and _flat(v) for v in items):
        # a list of flat, non-empty dicts (the findings): one C call at the dicts' depth; the
        # only "},\n" in that text is between two dicts (inside one, a separator follows a
        # scalar), where the list's own, shallower separator belongs
        text = _flat_encoder(depth + 2, ensure_ascii).encode(value)
        deeper, dict_inner = "\n" + "  " * (depth + 1), "\n" + "  " * (depth + 2)
        body = text[2:-2].replace("},\n" + "  " * (depth + 2) + "{", deeper + "}," + deeper + "{" + dict_inner)
        parts += ("[", deeper, "{", dict_inner, body, deeper, "}", outer, "]")
        return
    if isinstance(value, dict):
        parts.append("{")
        for n, (k, v) in enumerate(value.items()):
            parts.append(("," if n else "") + inner)
            parts.append(_flat_encoder(depth + 1, ensure_ascii).encode(_key(k)) + ": ")
            _write(v, depth + 1, ensure_ascii, parts)
        parts += (outer, "}")
    else:
        parts.append("[")
        for n, v in enumerate(items):
            parts.append(("," if n else "") + inner)
            _write(v, depth + 1, ensure_ascii, parts)
        parts += (outer, "]")


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _flat(value: dict[Any, Any]) -> bool:
    """Every value a plain scalar (exact types: a subclass takes the general path)."""
    return _SCALARS.issuperset(map(type, value.values()))


def _key(key: Any) -> str:
    """A dict key as ``json.dumps`` writes it: strings as they are, other scalars converted."""
    if isinstance(key, str):
        return key
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, (int, float)):
        return json.dumps(key) if isinstance(key, float) else int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
