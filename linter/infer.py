"""Zero-config: infer services and their schemas when there is no manifest (SPEC §2).

Each child directory of the given folder is a service. Its schema comes from,
in order: its Prisma datasource ``schemas`` and models' ``@@schema``; its
``DATABASE_URL ?schema=``; the convention ``<name>_service`` when that schema
appears anywhere in the project. When a service names several schemas, the one
matching its name is its own. Pure: works on already-extracted facts.
"""
from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from linter.context import owned_connections
from linter.manifest import DEFAULT_EXCLUDE, Claim, Manifest, ServiceConfig
from linter.model import ExtractResult, Location
from linter.output.filenames import escape

_SKIP_DIRS = {"node_modules", "dist", "build", ".git", "__pycache__", ".venv", "venv", "shared", "common",
              "libs", "packages", "scripts", "docs"}


@dataclass(frozen=True, slots=True)
class Evidence:
    schema: str
    location: Location | None
    what: str

    def describe(self) -> str:
        if self.location is None:
            return self.what
        return f"{self.location.path}:{self.location.line} ({self.what})"


def provisional_manifest(services_dir: Path) -> Manifest:
    """Services = child directories of ``services_dir``; root = its parent.

    A folder name that is not valid UTF-8 still makes a service (its files are
    found through ``paths``); its service name has the undecodable bytes
    backslash-escaped (``ord\\xfer``), since a name ends up in text, YAML and SQL.
    """
    services_dir = services_dir.resolve()
    root = services_dir.parent
    prefix = services_dir.name
    names = sorted(d.name for d in services_dir.iterdir()
                   if d.is_dir() and not d.name.startswith(".") and d.name not in _SKIP_DIRS)
    services = tuple(ServiceConfig(name=escape(n), schema=None, paths=(f"{prefix}/{n}",), schema_source="")
                     for n in names)
    return Manifest(root=str(root), path=None, services=services, exclude=DEFAULT_EXCLUDE, inferred=True)


def infer_manifest(provisional: Manifest, results: Iterable[ExtractResult]) -> Manifest:
    """The provisional manifest with each service's schema filled in from the facts."""
    results = sorted(results, key=lambda r: r.path)
    seen = _schemas_seen(results)
    connections = owned_connections(provisional, (c for r in results for c in r.connections))
    services = []
    for svc in provisional.services:
        evidence = _best(svc.name, _evidence(svc.name, results, connections), seen)
        if evidence is None:
            services.append(svc)
            continue
        services.append(replace(svc, schema=evidence.schema, schema_source=evidence.describe()))
    inferred = replace(provisional, services=tuple(services))
    return replace(inferred, claims=_claims(inferred))


def _claims(manifest: Manifest):
    return tuple(Claim(kind="schema", value=s.schema, service=s.name, location=None)
                 for s in manifest.services if s.schema)


def _evidence(service: str, results: list[ExtractResult], connections) -> list[Evidence]:
    out = []
    for r in results:
        for ds in r.datasources:
            if ds.service == service:
                out += [Evidence(s, ds.schemas_location or ds.location, "Prisma datasource schemas") for s in ds.schemas]
        for m in r.models:
            if m.service == service and m.schema:
                out.append(Evidence(m.schema, m.schema_location or m.location, f"@@schema of model {m.name}"))
    for c in connections:
        if c.service == service:
            out += [Evidence(s, c.location, f"{c.variable} ?schema=") for s in c.schemas]
    return out


def _best(service: str, evidence: list[Evidence], seen: set[str]) -> Evidence | None:
    """Prefer a schema named after the service; else the most cited one; else the convention."""
    if evidence:
        named = [e for e in evidence if _matches(service, e.schema)]
        if named:
            return named[0]
        counts = Counter(e.schema for e in evidence)
        top = max(counts.values())
        return next(e for e in evidence if counts[e.schema] == top)
    conventional = f"{service}_service"
    if conventional in seen:
        return Evidence(conventional, None, f"convention: schema {conventional} appears in the project")
    return None


def _matches(service: str, schema: str) -> bool:
    s = schema.lower()
    return s in (service, f"{service}_service", f"{service}-service", f"{service}_svc")


def _schemas_seen(results: list[ExtractResult]) -> set[str]:
    seen = set()
    for r in results:
        seen.update(a.ref.schema for a in r.accesses if a.ref.schema)
        seen.update(d.ref.schema for d in r.relation_defs if d.ref.schema)
        seen.update(m.schema for m in r.models if m.schema)
        seen.update(o.ref.schema for o in r.orm_models if o.ref.schema)
        for ds in r.datasources:
            seen.update(ds.schemas)
    return seen


def render_manifest(manifest: Manifest, source_dir: str) -> str:
    """hos-lint.yaml text with a comment on each value saying where it came from."""
    lines = [
        f"# Drafted by `hos-lint init` from {source_dir}/: review every value, then commit.",
        "# Mark a monolith that is being decomposed with `legacy: true`, list the public",
        "# tables each service still owns under `tables:`, and record reviewed exceptions",
        "# under `allow:` (each with a reason).",
        "version: 1",
        "services:",
    ]
    for svc in manifest.services:
        lines.append(f"  {svc.name}:")
        if svc.schema:
            lines.append(f"    schema: {svc.schema}  # from {svc.schema_source}")
        else:
            lines.append("    # schema: ?  # no Prisma schema, ?schema= or <name>_service found; fill it in")
        lines.append(f"    paths: [{', '.join(_as_glob(p) for p in svc.paths)}]  # child folder of {source_dir}/")
    return "\n".join(lines) + "\n"


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _as_glob(path: str) -> str:
    """A path for the manifest: YAML is UTF-8 text, so each byte of a folder name
    that is not UTF-8 becomes ``?`` (a glob that matches it), quoted, rather than
    the service losing its files."""
    if not _UNDECODABLE.search(path):
        return path
    return "'" + _UNDECODABLE.sub("?", path).replace("'", "''") + "'"


def services_dir_for(paths: tuple[str, ...]) -> Path | None:
    """The folder whose children are the services: the first PATH when it is a directory."""
    if not paths:
        return Path("services") if Path("services").is_dir() else None
    first = Path(paths[0])
    return first if first.is_dir() else None


def relative_dir(path: Path, root: str) -> str:
    return os.path.relpath(path.resolve(), root).replace(os.sep, "/")
