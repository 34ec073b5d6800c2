"""Zero-config: infer services, their schemas and their tables when there is no
manifest (SPEC §2). Pure: works on the project's file list and on
already-extracted facts; ``app`` does the reading.

**Services** come from the project root, whatever PATHS were given. A folder is
an app when it holds a marker: ``package.json``, ``pyproject.toml``,
``requirements.txt``, a ``Dockerfile`` (next to code), or a Prisma schema
(``schema.prisma`` or ``prisma/``); a folder matched by a workspace glob
(``pnpm-workspace.yaml``, ``package.json`` ``workspaces``) is one too. The
top-most apps below the root are the services; the other code folders beside
them in the same services folder are services as well. A repository with
markers at its root and no app below it (or with its own code at the root) is
one service.

**Schemas**, in order: a service's Prisma datasource ``schemas`` and models'
``@@schema``, and the schema its ORM models (TypeORM, MikroORM, Sequelize,
SQLAlchemy, Drizzle) are declared in; its ``DATABASE_URL ?schema=``; the convention ``<name>_service``
when that schema appears anywhere in the project. When a service names several
schemas, the one matching its name is its own.

**Tables**: a Prisma model without ``@@schema`` lives in its datasource's
default schema (``public`` unless the URL's ``?schema=`` says otherwise); a
model in ``public`` is owned by the service whose schema file defines it, as
``tables:``. A service that keeps its tables in ``public`` while other services
have schemas of their own is the monolith being decomposed: ``legacy: true``.
"""
from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from hos_lint import yamlload
from hos_lint.extract import language_for
from hos_lint.extract.config_files import url_schemas
from hos_lint.filenames import escape
from hos_lint.globs import escape as glob_escape
from hos_lint.globs import matches_any
from hos_lint.manifest import Claim, Manifest, ServiceConfig
from hos_lint.model import Connection, ExtractResult, Language, Location, PrismaDatasource, PrismaModel
from hos_lint.service_match import owned_connections

MARKER_FILES = ("package.json", "pyproject.toml", "requirements.txt", "Dockerfile")
# Folders beside services that are not services themselves.
_NOT_SERVICES = {"shared", "common", "libs", "lib", "packages", "scripts", "docs", "doc", "node_modules", "dist",
                 "build", "__pycache__", "venv", "infrastructure", "infra", "deploy", "tools"}
# Apps under these folders are test data, not services.
_TEST_FOLDERS = {"test", "tests", "__tests__", "fixtures", "__fixtures__", "__mocks__", "testdata"}
# Top-level folders and root files whose code does not make a marked root an app of its own.
_NOT_ROOT_CODE = {"scripts", "tools", "infrastructure", "infra", "deploy", "docs", "doc", "bench", "benchmarks",
                  "examples", "example", *_TEST_FOLDERS}
_ROOT_TOOLING = {"setup.py", "conftest.py", "noxfile.py"}
_CODE = (Language.TYPESCRIPT, Language.PYTHON)


@dataclass(frozen=True, slots=True)
class Evidence:
    schema: str
    location: Location | None
    what: str

    def describe(self) -> str:
        if self.location is None:
            return self.what
        return f"{self.location.path}:{self.location.line} ({self.what})"


# --- services from the layout ---------------------------------------------------------------


def workspace_globs(package_json: str | None, pnpm_workspace: str | None) -> tuple[str, ...]:
    """The workspace package globs of the root ``package.json`` and ``pnpm-workspace.yaml``.

    Unreadable or odd content gives no globs (the markers still find the apps).
    """
    found: list[Any] = []
    if package_json:
        try:
            data = json.loads(package_json)
        except (ValueError, RecursionError):
            data = None
        spaces = data.get("workspaces") if isinstance(data, dict) else None
        found += _list(spaces.get("packages") if isinstance(spaces, dict) else spaces)
    if pnpm_workspace:
        try:
            data = yamlload.construct(yamlload.compose(pnpm_workspace))
        except (yaml.YAMLError, RecursionError):  # YamlLimitError too: an alias bomb gives no globs
            data = None
        found += _list(data.get("packages") if isinstance(data, dict) else None)
    globs = (g.strip() for g in found if isinstance(g, str))
    return tuple(dict.fromkeys(_glob(g) for g in globs if _glob(g) not in ("", "!")))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _glob(text: str) -> str:
    negated = text.startswith("!")
    body = text[1:] if negated else text
    while body.startswith("./"):
        body = body[2:]
    return ("!" if negated else "") + body.strip("/")


def infer_services(files: Iterable[str], workspaces: Sequence[str] = (), root_name: str = "app"
                   ) -> tuple[ServiceConfig, ...]:
    """The services of a project from its (project-relative, POSIX) file paths."""
    files = sorted(set(files))
    marks = _marks(files, workspaces)
    root_marks = marks.pop("", [])
    apps = {f: why[0] for f, why in marks.items() if not _is_test_data(f)}
    apps = {f: why for f, why in apps.items() if not any(a in apps for a in _ancestors(f))}
    apps.update(_siblings(files, apps, tuple(g[1:] for g in workspaces if g.startswith("!"))))
    services = sorted(apps.items())
    if root_marks and not workspaces and (not apps or _root_has_code(files, root_marks, apps)):
        marker = root_marks[0].removeprefix("holds ")
        services.insert(0, (".", f"one app: {marker} at the project root" if not apps
                                 else f"{marker} at the project root, and code of its own there"))
    names = _names([folder for folder, _ in services], root_name)
    return tuple(ServiceConfig(name=name, schema=None, paths=(glob_escape(folder),), schema_source="",
                               paths_source=why)
                 for name, (folder, why) in zip(names, services))


def _marks(files: list[str], workspaces: Sequence[str]) -> dict[str, list[str]]:
    """Folder → what marks it as an app, in path order."""
    marks: dict[str, list[str]] = {}
    code_folders = _folders_with_code(files)
    for path in files:
        folder, name = posixpath.split(path)
        if name in MARKER_FILES and (name != "Dockerfile" or folder in code_folders):
            marks.setdefault(folder, []).append(f"holds {name}")
        elif name.endswith(".prisma") and not _hidden(folder):
            marks.setdefault(_prisma_app(folder), []).append("holds a Prisma schema")
    patterns = tuple(g for g in workspaces if not g.startswith("!"))
    negated = tuple(g[1:] for g in workspaces if g.startswith("!"))
    for folder in sorted(_all_folders(files)) if patterns else ():
        glob = next((g for g in patterns if matches_any(folder, (g,))), None)
        if glob is not None and not matches_any(folder, negated):
            marks.setdefault(folder, []).insert(0, f"matches the workspace glob {glob}")
    return {f: why for f, why in marks.items() if not _hidden(f)}


def _prisma_app(folder: str) -> str:
    """The app a Prisma schema belongs to: ``x/prisma/schema/*.prisma`` and
    ``x/prisma/*.prisma`` belong to ``x``."""
    if folder.endswith("prisma/schema") and posixpath.basename(posixpath.dirname(folder)) == "prisma":
        folder = posixpath.dirname(folder)
    return posixpath.dirname(folder) if posixpath.basename(folder) == "prisma" else folder


def _folders_with_code(files: list[str]) -> set[str]:
    """Every folder (the root is "") with TypeScript/JavaScript or Python code under it."""
    out: set[str] = set()
    for path in files:
        if language_for(path) in _CODE:
            out.update(["", *_ancestors(path)])
    return out


def _siblings(files: list[str], apps: dict[str, str], negated: tuple[str, ...]) -> dict[str, str]:
    """Code folders beside the apps of a services folder (not the root): services too,
    unless a negated workspace glob leaves them out."""
    parents = {posixpath.dirname(a) for a in apps} - {""}
    out: dict[str, str] = {}
    for path in files:
        parent = next((p for p in parents if path.startswith(p + "/")), None)
        if parent is None or language_for(path) is None:
            continue
        child = parent + "/" + path[len(parent) + 1:].split("/", 1)[0]
        if child == path or child in apps or _hidden(child) or posixpath.basename(child) in _NOT_SERVICES:
            continue
        if not any(a.startswith(child + "/") for a in apps) and not (negated and matches_any(child, negated)):
            out.setdefault(child, f"beside the other services in {parent}/")
    return out


def _root_has_code(files: list[str], root_marks: list[str], apps: dict[str, str]) -> bool:
    """A marked root with apps below is still an app when it has its own Prisma schema
    or code outside those apps: in a top-level folder (``src/``, ``server/``; not
    ``scripts/``, ``infrastructure/``, tests...) or a root file that is not tooling
    configuration (``vite.config.ts``, ``.eslintrc.js``, ``setup.py``)."""
    if "holds a Prisma schema" in root_marks:
        return True
    return any(_own_root_code(path) and not any(path.startswith(a + "/") for a in apps) for path in files)


def _own_root_code(path: str) -> bool:
    if language_for(path) not in _CODE:
        return False
    top, _, rest = path.partition("/")
    if not rest:
        return not (top.startswith(".") or ".config." in top or top in _ROOT_TOOLING)
    return not (top.startswith(".") or top in _NOT_ROOT_CODE)


def _names(folders: list[str], root_name: str) -> list[str]:
    """Folder names; where two collide, their paths with ``/`` turned into ``-``."""
    # a folder name that is not valid UTF-8 still makes a service; its name has the
    # undecodable bytes backslash-escaped (``ord\\xfer``): it ends up in text, YAML and SQL
    base = [escape(root_name if f == "." else posixpath.basename(f)) for f in folders]
    counts = Counter(base)
    return [b if counts[b] == 1 else escape(f.replace("/", "-")) for b, f in zip(base, folders)]


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _all_folders(files: list[str]) -> set[str]:
    return {a for path in files for a in _ancestors(path)}


def _hidden(folder: str) -> bool:
    return any(part.startswith(".") for part in folder.split("/") if part)


def _is_test_data(folder: str) -> bool:
    return any(part in _TEST_FOLDERS for part in folder.split("/"))


# --- schemas, tables and legacy from the facts -----------------------------------------------


def infer_manifest(provisional: Manifest, results: Iterable[ExtractResult]) -> Manifest:
    """The provisional manifest with each service's schema, public tables and legacy flag
    filled in from the facts, and the claims (with where they came from) for HOS204."""
    results = sorted(results, key=lambda r: r.path)
    seen = _schemas_seen(results)
    connections = owned_connections(provisional, (c for r in results for c in r.connections))
    services = []
    for svc in provisional.services:
        evidence = _best(svc.name, _evidence(svc.name, results, connections), seen)
        if evidence is not None:
            svc = replace(svc, schema=evidence.schema, schema_source=evidence.describe())
        services.append(_with_tables(svc, results, connections))
    services = _with_legacy(services)
    inferred = replace(provisional, services=tuple(services))
    return replace(inferred, claims=_claims(inferred, results))


def _with_tables(svc: ServiceConfig, results: list[ExtractResult],
                 connections: Sequence[Connection]) -> ServiceConfig:
    """The service's Prisma models that live in ``public``, as ``tables:``."""
    tables: dict[str, str] = {}
    for model in _public_models(svc.name, results, connections):
        tables.setdefault(model.db_name, f"{model.location.path}:{model.location.line} "
                                         f"(Prisma {'view' if model.is_view else 'model'} {model.name} "
                                         "without @@schema)")
    if not tables:
        return svc
    return replace(svc, tables=tuple(tables), tables_source=tuple(tables.values()))


def _public_models(service: str, results: list[ExtractResult],
                   connections: Sequence[Connection]) -> list[PrismaModel]:
    datasources = [ds for r in results for ds in r.datasources if ds.service == service]
    default = default_schema(datasources[0], connections) if datasources else "public"
    if default != "public":
        return []
    return [m for r in results for m in r.models if m.service == service and m.schema is None]


def default_schema(ds: PrismaDatasource, connections: Iterable[Connection]) -> str:
    """Where a Prisma model without ``@@schema`` lives: the datasource URL's first
    ``?schema=`` (a literal URL, or the service's connection of ``env("VAR")``), else public."""
    if ds.url and ds.url_env is None:
        found = url_schemas(ds.url)
        return found[0] if found else "public"
    if ds.url_env:
        for conn in sorted(connections, key=lambda c: (c.location.path, c.location.line)):
            if conn.service == ds.service and conn.variable == ds.url_env and conn.schemas:
                return conn.schemas[0]
    return "public"


def _with_legacy(services: list[ServiceConfig]) -> list[ServiceConfig]:
    """A service whose tables are in ``public`` while others own schemas: the monolith."""
    owners = sorted(s.name for s in services if s.schema and s.schema != "public")
    out = []
    for svc in services:
        if svc.tables and not (svc.schema and svc.schema != "public") and owners:
            named = ", ".join(owners[:3]) + (f" and {len(owners) - 3} more" if len(owners) > 3 else "")
            svc = replace(svc, legacy=True, legacy_source=f"keeps its tables in public while {named} "
                                                            "own schemas: the monolith being decomposed")
        out.append(svc)
    return out


def _claims(manifest: Manifest, results: list[ExtractResult]) -> tuple[Claim, ...]:
    """Schema and public-table claims, located where the evidence is, in path order."""
    models = {(m.service, m.db_name): m for r in results for m in r.models if m.schema is None}
    out = []
    for svc in manifest.services:
        if svc.schema:
            out.append(Claim(kind="schema", value=svc.schema, service=svc.name, location=None))
        for table in svc.tables:
            model = models.get((svc.name, table))
            out.append(Claim(kind="table", value=table, service=svc.name,
                             location=model.location if model else None))
    return tuple(sorted(out, key=lambda c: (c.kind, c.value, _where(c.location), c.service)))


def _where(location: Location | None) -> tuple[str, int]:
    return (location.path, location.line) if location else ("", 0)


def _evidence(service: str, results: list[ExtractResult],
              connections: Sequence[Connection]) -> list[Evidence]:
    out = []
    for r in results:
        for ds in r.datasources:
            if ds.service == service:
                where = ds.schemas_location or ds.location
                out += [Evidence(s, where, "Prisma datasource schemas") for s in ds.schemas]
                if ds.url and ds.url_env is None:
                    found = url_schemas(ds.url) or ()
                    out += [Evidence(s, ds.location, "Prisma datasource url ?schema=") for s in found]
        for m in r.models:
            if m.service == service and m.schema:
                out.append(Evidence(m.schema, m.schema_location or m.location, f"@@schema of model {m.name}"))
        for o in r.orm_models:
            if o.service == service and o.ref.schema:
                out.append(Evidence(o.ref.schema, o.location, f"schema of ORM model {o.class_name}"))
    for c in connections:
        if c.service == service:
            out += [Evidence(s, c.location, f"{c.variable} ?schema=") for s in c.schemas]
    return out


def _best(service: str, evidence: list[Evidence], seen: set[str]) -> Evidence | None:
    """Prefer a schema named after the service; else the most cited one; else the convention.

    ``public`` is never a service's own schema: tables there are claimed one by one.
    """
    evidence = [e for e in evidence if e.schema != "public"]
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
    seen: set[str] = set()
    for r in results:
        seen.update(a.ref.schema for a in r.accesses if a.ref.schema)
        seen.update(d.ref.schema for d in r.relation_defs if d.ref.schema)
        seen.update(m.schema for m in r.models if m.schema)
        seen.update(o.ref.schema for o in r.orm_models if o.ref.schema)
        for ds in r.datasources:
            seen.update(ds.schemas)
    return seen


# --- not PostgreSQL ---------------------------------------------------------------------------


# --- hos-lint init ------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)*|\.")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_LINE_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def render_manifest(manifest: Manifest) -> str:
    """hos-lint.yaml text with a comment on each value saying where it came from."""
    lines = [
        "# Drafted by `hos-lint init`: review every value, then commit.",
        "# Each comment says where a value came from. Record reviewed exceptions",
        "# under `allow:` (each with a reason).",
        "version: 1",
        "services:" if manifest.services else "services: {}",
    ]
    for svc in manifest.services:
        lines += _render_service(svc)
    return "\n".join(lines) + "\n"


def _render_service(svc: ServiceConfig) -> list[str]:
    lines = [f"  {_yaml_str(svc.name)}:"]
    if svc.schema:
        lines.append(f"    schema: {_yaml_str(svc.schema)}  # from {_comment(svc.schema_source)}")
    elif not svc.tables:
        lines.append("    # schema: ?  # no Prisma schema, ?schema= or <name>_service found: "
                     "owns nothing until you fill it in")
    paths = ", ".join(_as_glob(p) for p in svc.paths)
    lines.append(f"    paths: [{paths}]  # {_comment(svc.paths_source or 'manifest')}")
    if svc.legacy:
        lines.append(f"    legacy: true  # {_comment(svc.legacy_source)}")
    if svc.tables:
        lines.append("    tables:  # in public, owned by this service")
        for table, source in zip(svc.tables, svc.tables_source or ("",) * len(svc.tables)):
            lines.append(f"      - {_yaml_str(table)}  # {_comment(source)}")
    return lines


_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _as_glob(path: str) -> str:
    """A path for the manifest: YAML is UTF-8 text, so each byte of a folder name
    that is not UTF-8 becomes ``?`` (a glob that matches it), quoted, rather than
    the service losing its files."""
    if not _UNDECODABLE.search(path):
        return _yaml_str(path)
    return "'" + _UNDECODABLE.sub("?", path).replace("'", "''") + "'"


def _yaml_str(text: str) -> str:
    """A plain YAML scalar when that reads back as the same string, else a JSON
    (double-quoted YAML) string."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text)


def _comment(text: str) -> str:
    """Text safe inside a YAML comment: no line breaks (which would end it)."""
    return _LINE_BREAKS.sub("?", text)
